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
    // Function names cost ~15 % of the wasm; kept only for a profile the browser can name
    // (`DESMIGRATIF_WASM_NAMES=1 cargo xtask build-web`, then the bench's `BENCH_PROFILE=1`).
    let names = std::env::var_os("DESMIGRATIF_WASM_NAMES").is_some_and(|v| v == "1");
    for crate_name in ["app", "docs_worker", "desmigratif_files"] {
        let mut bindgen = Command::new(&bindgen);
        bindgen.args(["--target", "web", "--no-typescript", "--remove-producers-section"]);
        if !names {
            bindgen.arg("--remove-name-section");
        }
        run(bindgen
            .arg("--out-dir")
            .arg(&glue)
            .arg(toolchain::wasm_output(chain, root, crate_name)))?;
    }
    assemble(root, &glue)
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

fn assemble(root: &Path, glue: &Path) -> Result<PathBuf> {
    let public = root.join("public");
    let dist = root.join("dist");
    let _ = fs::remove_dir_all(&dist);
    fs::create_dir_all(&dist)?;

    let js = fs::read(glue.join("app.js")).context("reading the wasm-bindgen glue")?;
    let wasm = fs::read(glue.join("app_bg.wasm")).context("reading the bound wasm")?;
    let app_hash = content_hash(&[&js, &wasm]);
    let app_js = format!("app-{app_hash}.js");
    let app_wasm = format!("app-{app_hash}_bg.wasm");
    fs::write(dist.join(&app_js), &js)?;
    fs::write(dist.join(&app_wasm), &wasm)?;

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
        &docs_js,
        &docs_wasm,
        &worker,
        &files_js,
        &files_wasm,
        &style,
        &boot,
    ] {
        shell.push(format!("/{f}"));
    }
    shell.push("/manifest.webmanifest".into());
    for entry in fs::read_dir(public.join("icons"))? {
        shell.push(format!("/icons/{}", entry?.file_name().to_string_lossy()));
    }
    shell.sort();
    let version = content_hash(&[
        index.as_bytes(),
        &js,
        &wasm,
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
    let first = |name: &str| fs::metadata(dist.join(format!("{name}.br"))).map_or(0, |m| m.len() as usize);
    let docs = first(&docs_js) + first(&docs_wasm) + first(&worker);
    eprintln!(
        "xtask> app built into {} ({} KiB of wasm for the screens, {} KiB for the documents' worker, {} KiB in \
         the file module; all files {} KiB with brotli, {} KiB with gzip; the first screen {} KiB with brotli, \
         the documents' worker {} KiB more)",
        dist.display(),
        wasm.len() / 1024,
        docs_wasm_src.len() / 1024,
        files_wasm_src.len() / 1024,
        br / 1024,
        gz / 1024,
        (br - first(&files_js) - first(&files_wasm) - docs) / 1024,
        docs / 1024,
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
