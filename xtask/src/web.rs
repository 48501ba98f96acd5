//! Building the app into `dist/`: wasm, the wasm-bindgen glue, the static files from
//! `public/`, with content-hashed names for everything that may be cached forever.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::process::run;
use crate::toolchain;

/// Builds the app; returns the `dist/` directory.
pub fn build(root: &Path) -> Result<PathBuf> {
    let chain = toolchain::wasm_toolchain()?;
    // The app's two wasm (the screens, `app`; the documents' worker, `docs_worker`) and its
    // on-demand file module, in one cargo run (they share the model's build).
    run(&mut toolchain::wasm_cargo(
        chain,
        root,
        &[
            "build",
            "--release",
            "--package",
            "app",
            "--package",
            "desmigratif-files",
        ],
    ))?;
    let bindgen = toolchain::wasm_bindgen(root)?;
    let glue = root.join("target/web-bindgen");
    let _ = fs::remove_dir_all(&glue);
    fs::create_dir_all(&glue)?;
    let split = split_app(&toolchain::wasm_output(chain, root, "app"), &glue)?;
    // Function names cost ~15 % of the wasm; kept only for a profile the browser can name
    // (`DESMIGRATIF_WASM_NAMES=1 cargo xtask build-web`, then the bench's `BENCH_PROFILE=1`).
    let names = std::env::var_os("DESMIGRATIF_WASM_NAMES").is_some_and(|v| v == "1");
    for (crate_name, input) in [
        ("app", split.main.clone()),
        ("docs_worker", toolchain::wasm_output(chain, root, "docs_worker")),
        (
            "desmigratif_files",
            toolchain::wasm_output(chain, root, "desmigratif_files"),
        ),
    ] {
        let mut bindgen = Command::new(&bindgen);
        bindgen.args(["--target", "web", "--no-typescript", "--remove-producers-section"]);
        if !names {
            bindgen.arg("--remove-name-section");
        }
        if crate_name == "app" {
            // The split-off chunks link against the main module's own (lld) exports.
            bindgen.args(["--keep-lld-exports", "--out-name", "app"]);
        }
        run(bindgen.arg("--out-dir").arg(&glue).arg(input))?;
    }
    assemble(root, &glue, &split, names)
}

/// The link module the app's main wasm imports its split-off chunks' loaders from, and the
/// module the link module takes the main wasm's exports from; `assemble` gives both their
/// content-hashed names.
const SPLIT_LINK: &str = "./__wasm_split.js";
const SPLIT_MAIN: &str = "./__wasm_split_main.js";

/// The app's wasm cut at its lazy pages.
struct Split {
    /// The main module, before wasm-bindgen.
    main: PathBuf,
    /// The link module (JavaScript): loads a chunk when one of its functions is first called.
    link: PathBuf,
    /// The chunks, each fetched by the link module when first needed.
    chunks: Vec<PathBuf>,
}

/// Cuts the app's wasm at its split functions (`#[wasm_split]` in `app/src/routes.rs`: the
/// pages a field worker does not need on the first screen) into a main module and chunks the
/// browser fetches when a page first needs them. Writes the chunks and the link module into
/// `out`.
fn split_app(wasm: &Path, out: &Path) -> Result<Split> {
    let input = fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let main = out.join("app_split.wasm");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&input);
        options.output_dir = out;
        options.main_out_path = &main;
        options.link_name = SPLIT_LINK;
        options.main_module = SPLIT_MAIN;
        options
    })
    .map_err(|e| anyhow::anyhow!("splitting the app's wasm: {e:#}"))?;
    let mut chunks: Vec<PathBuf> = split.split_modules.into_iter().map(|p| out.join(p)).collect();
    chunks.sort();
    Ok(Split {
        main,
        link: out.join(SPLIT_LINK.trim_start_matches("./")),
        chunks,
    })
}

/// `wasm` without its custom sections (names, producers, target features): what wasm-bindgen
/// strips from the modules it binds, for the chunks it never sees. `None` if `wasm` is not a
/// well-formed module.
fn strip_custom_sections(wasm: &[u8]) -> Option<Vec<u8>> {
    fn leb128(bytes: &[u8], at: &mut usize) -> Option<usize> {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let byte = *bytes.get(*at)?;
            *at += 1;
            value |= usize::from(byte & 0x7f).checked_shl(shift)?;
            if byte < 0x80 {
                return Some(value);
            }
            shift += 7;
        }
    }
    let mut out = wasm.get(..8)?.to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let start = at;
        let id = wasm[at];
        at += 1;
        let size = leb128(wasm, &mut at)?;
        let end = at.checked_add(size).filter(|&e| e <= wasm.len())?;
        if id != 0 {
            out.extend_from_slice(&wasm[start..end]);
        }
        at = end;
    }
    Some(out)
}

/// Replaces `from` by `to` in `text`, failing when `from` is not there (the glue's shape
/// changed with a new wasm-bindgen or wasm-split, and the app would not load).
fn replace_once(text: &str, from: &str, to: &str, what: &str) -> Result<String> {
    anyhow::ensure!(text.contains(from), "{what} does not contain {from:?}");
    Ok(text.replace(from, to))
}

/// FNV-1a, 64 bits: enough to tell builds apart in a file name.
fn content_hash(parts: &[&[u8]]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h = (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// `names`: the chunks keep their function names (as wasm-bindgen was told for the rest).
fn assemble(root: &Path, glue: &Path, split: &Split, names: bool) -> Result<PathBuf> {
    let public = root.join("public");
    let dist = root.join("dist");
    let _ = fs::remove_dir_all(&dist);
    fs::create_dir_all(&dist)?;

    // The app: its glue, its main wasm, the link module and the chunks, all named by one hash
    // of them all (the glue imports the link module, which imports the glue).
    let js = fs::read_to_string(glue.join("app.js")).context("reading the wasm-bindgen glue")?;
    let wasm = fs::read(glue.join("app_bg.wasm")).context("reading the bound wasm")?;
    let link = fs::read_to_string(&split.link).context("reading wasm-split's link module")?;
    let chunks = split
        .chunks
        .iter()
        .map(|path| {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let bytes = fs::read(path)?;
            let bytes = if names {
                bytes
            } else {
                strip_custom_sections(&bytes).with_context(|| format!("{name} is not a wasm module"))?
            };
            Ok((name, bytes))
        })
        .collect::<Result<Vec<(String, Vec<u8>)>>>()?;
    let mut parts: Vec<&[u8]> = vec![js.as_bytes(), &wasm, link.as_bytes()];
    for (name, bytes) in &chunks {
        parts.extend([name.as_bytes(), bytes.as_slice()]);
    }
    let app_hash = content_hash(&parts);
    let app_js = format!("app-{app_hash}.js");
    let app_wasm = format!("app-{app_hash}_bg.wasm");
    let link_js = format!("app-split-{app_hash}.js");
    let js = replace_once(
        &js,
        &format!("from \"{SPLIT_LINK}\""),
        &format!("from \"./{link_js}\""),
        "the app's glue",
    )?;
    let mut link = replace_once(&link, SPLIT_MAIN, &format!("./{app_js}"), "the link module")?;
    let mut chunk_files = Vec::new();
    for (name, bytes) in &chunks {
        let stem = name.trim_end_matches(".wasm").replace(['.', '-'], "_");
        let file = format!("app-{stem}-{app_hash}.wasm");
        link = replace_once(
            &link,
            &format!("\"./{name}\""),
            &format!("\"./{file}\""),
            "the link module",
        )?;
        fs::write(dist.join(&file), bytes)?;
        chunk_files.push(file);
    }
    fs::write(dist.join(&app_js), &js)?;
    fs::write(dist.join(&app_wasm), &wasm)?;
    fs::write(dist.join(&link_js), &link)?;

    // The documents' worker (Automerge, storage, sync): started by the app once the first
    // screen is drawn, through a small module script that loads its wasm.
    let docs_js_src = fs::read(glue.join("docs_worker.js")).context("reading the worker's glue")?;
    let docs_wasm_src = fs::read(glue.join("docs_worker_bg.wasm")).context("reading the worker's wasm")?;
    let docs_hash = content_hash(&[&docs_js_src, &docs_wasm_src]);
    let docs_js = format!("docs-{docs_hash}.js");
    let docs_wasm = format!("docs-{docs_hash}_bg.wasm");
    fs::write(dist.join(&docs_js), &docs_js_src)?;
    fs::write(dist.join(&docs_wasm), &docs_wasm_src)?;
    let worker_src = fs::read_to_string(public.join("docs-worker.js"))?
        .replace("{{DOCS_JS}}", &docs_js)
        .replace("{{DOCS_WASM}}", &docs_wasm);
    let worker = format!("docs-worker-{}.js", content_hash(&[worker_src.as_bytes()]));
    fs::write(dist.join(&worker), &worker_src)?;

    // The file module: loaded by the app the first time it writes a workbook or reads a file.
    let files_js_src =
        fs::read(glue.join("desmigratif_files.js")).context("reading the file module's glue")?;
    let files_wasm_src =
        fs::read(glue.join("desmigratif_files_bg.wasm")).context("reading the file module")?;
    let files_hash = content_hash(&[&files_js_src, &files_wasm_src]);
    let files_js = format!("files-{files_hash}.js");
    let files_wasm = format!("files-{files_hash}_bg.wasm");
    fs::write(dist.join(&files_js), &files_js_src)?;
    fs::write(dist.join(&files_wasm), &files_wasm_src)?;

    let css = fs::read(public.join("style.css"))?;
    let style = format!("style-{}.css", content_hash(&[&css]));
    fs::write(dist.join(&style), &css)?;

    let boot_src = fs::read_to_string(public.join("boot.js"))?
        .replace("{{APP_JS}}", &app_js)
        .replace("{{APP_WASM}}", &app_wasm)
        .replace("{{FILES_JS}}", &files_js)
        .replace("{{FILES_WASM}}", &files_wasm)
        .replace("{{DOCS_WORKER}}", &worker);
    let boot = format!("boot-{}.js", content_hash(&[boot_src.as_bytes()]));
    fs::write(dist.join(&boot), &boot_src)?;

    copy_public(&public, &dist)?;

    let index = fs::read_to_string(public.join("index.html"))?
        .replace("{{APP_JS}}", &app_js)
        .replace("{{APP_WASM}}", &app_wasm)
        .replace("{{STYLE_CSS}}", &style)
        .replace("{{BOOT_JS}}", &boot);
    fs::write(dist.join("index.html"), &index)?;

    // The service worker caches exactly this build's files, under a version naming them all.
    let mut shell: Vec<String> = vec!["/".into(), "/index.html".into()];
    for f in [
        &app_js,
        &app_wasm,
        &link_js,
        &docs_js,
        &docs_wasm,
        &worker,
        &files_js,
        &files_wasm,
        &style,
        &boot,
    ]
    .into_iter()
    .chain(&chunk_files)
    {
        shell.push(format!("/{f}"));
    }
    shell.push("/manifest.webmanifest".into());
    for entry in fs::read_dir(public.join("icons"))? {
        shell.push(format!("/icons/{}", entry?.file_name().to_string_lossy()));
    }
    shell.sort();
    let version = content_hash(&[
        index.as_bytes(),
        app_hash.as_bytes(),
        &docs_js_src,
        &docs_wasm_src,
        worker_src.as_bytes(),
        &files_js_src,
        &files_wasm_src,
        &css,
        boot_src.as_bytes(),
        shell.join(",").as_bytes(),
    ]);
    let assets = format!(
        "[{}]",
        shell
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let sw = fs::read_to_string(public.join("sw.js"))?
        .replace("{{VERSION}}", &version)
        .replace("{{ASSETS}}", &assets);
    fs::write(dist.join("sw.js"), sw)?;
    let (br, gz) = precompress(&dist)?;
    let size = |name: &String, ext: &str| {
        fs::metadata(dist.join(format!("{name}.{ext}"))).map_or(0, |m| m.len() as usize)
    };
    let sum = |names: &[&String], ext: &str| names.iter().map(|n| size(n, ext)).sum::<usize>();
    let later: Vec<&String> = [&docs_js, &docs_wasm, &worker, &files_js, &files_wasm]
        .into_iter()
        .chain(&chunk_files)
        .collect();
    eprintln!(
        "xtask> app built into {} ({} KiB of wasm for the first screen and {} KiB in {} chunks of pages loaded when \
         opened, {} KiB for the documents' worker, {} KiB in the file module; all files {} KiB with brotli, \
         {} KiB with gzip; the first screen {} KiB with brotli, {} KiB with gzip)",
        dist.display(),
        wasm.len() / 1024,
        chunks.iter().map(|(_, b)| b.len()).sum::<usize>() / 1024,
        chunks.len(),
        docs_wasm_src.len() / 1024,
        files_wasm_src.len() / 1024,
        br / 1024,
        gz / 1024,
        (br - sum(&later, "br")) / 1024,
        (gz - sum(&later, "gz")) / 1024,
    );
    Ok(dist)
}

/// Writes `NAME.br` (brotli, quality 11) and `NAME.gz` (gzip, level 9) beside every text and
/// wasm file of `dist/`, so the relay sends the smallest encoding without compressing on the
/// fly. Returns the total compressed sizes (brotli, gzip).
fn precompress(dist: &Path) -> Result<(usize, usize)> {
    use std::io::Write;
    let (mut br_total, mut gz_total) = (0, 0);
    let mut stack = vec![dist.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let compressible = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ["js", "wasm", "css", "html", "webmanifest", "svg", "json"].contains(&e));
            if !compressible {
                continue;
            }
            let data = fs::read(&path)?;
            let mut br = Vec::new();
            {
                let params = brotli::enc::BrotliEncoderParams {
                    quality: 11,
                    lgwin: 24,
                    ..Default::default()
                };
                brotli::BrotliCompress(&mut data.as_slice(), &mut br, &params)?;
            }
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&data)?;
            let gz = gz.finish()?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            fs::write(path.with_file_name(format!("{name}.br")), &br)?;
            fs::write(path.with_file_name(format!("{name}.gz")), &gz)?;
            br_total += br.len();
            gz_total += gz.len();
        }
    }
    Ok((br_total, gz_total))
}

/// Copies `public/` except the files `assemble` rewrites.
fn copy_public(from: &Path, to: &Path) -> Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if ["index.html", "style.css", "boot.js", "sw.js", "docs-worker.js"]
            .iter()
            .any(|n| name == *n)
        {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type()?.is_dir() {
            fs::create_dir_all(&target)?;
            copy_public(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// The app's in-browser tests (`app/tests/browser.rs`), run by wasm-bindgen-test-runner in
/// headless Chromium through chromedriver.
pub fn browser_tests(root: &Path, chromedriver: &Path, relay: &Path, dist: &Path) -> Result<()> {
    let chain = toolchain::wasm_toolchain()?;
    let bindgen = toolchain::wasm_bindgen(root)?;
    let runner = bindgen.with_file_name("wasm-bindgen-test-runner");
    // The sync client's test talks to a real relay, logged in as a demo village account.
    let test_relay = crate::browser::TestRelay::start(relay, dist)?;
    let session = test_relay.login("desa-arjowilangun", "wasm-test")?;
    run(toolchain::wasm_cargo(
        chain,
        root,
        &["test", "--release", "--package", "app", "--test", "browser"],
    )
    .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", &runner)
    .env("CHROMEDRIVER", chromedriver)
    .env(
        "DESMIGRATIF_TEST_SYNC_URL",
        format!("ws://{}/sync", test_relay.addr),
    )
    .env("DESMIGRATIF_TEST_SESSION", session))
}
