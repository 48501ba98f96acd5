//! Finding (or installing) a Rust toolchain that builds for `wasm32-unknown-unknown`, and the
//! `wasm-bindgen` command at exactly the version in Cargo.lock.
//!
//! A developer machine usually has rustup's wasm32 target. Where rustup cannot download it, we
//! use Debian's `rustc-web` packages and build the standard library from source (see
//! ../shared/TOOLCHAIN.md in the project's steering notes, summarised in README.md).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::process::{apt_install, can_apt, output, run};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
const DEBIAN_PACKAGES: [&str; 5] = [
    "rustc-web",
    "cargo-web",
    "rust-web-src",
    "rust-web-llvm",
    "lld-22",
];
const DEBIAN_STD_SRC: &str = "/usr/lib/rustlib/src/rust/library";

/// How the app's wasm gets built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasmToolchain {
    /// rustup's toolchain with the wasm32 target installed.
    Rustup,
    /// Debian's rustc-web, building `std` from source.
    Debian,
}

fn rustup_has_wasm() -> bool {
    output(Command::new("rustup").args(["target", "list", "--installed"]))
        .is_some_and(|s| s.lines().any(|l| l.trim() == WASM_TARGET))
}

fn debian_ready() -> bool {
    Path::new("/usr/bin/rustc").exists()
        && Path::new("/usr/bin/cargo").exists()
        && Path::new(DEBIAN_STD_SRC).join("std").exists()
        && Path::new("/usr/bin/rust-lld").exists()
}

/// Picks the toolchain, installing Debian's packages when that is the only way.
pub fn wasm_toolchain() -> Result<WasmToolchain> {
    if rustup_has_wasm() {
        return Ok(WasmToolchain::Rustup);
    }
    if debian_ready() {
        return Ok(WasmToolchain::Debian);
    }
    if can_apt() {
        apt_install(&DEBIAN_PACKAGES)?;
        if debian_ready() {
            return Ok(WasmToolchain::Debian);
        }
    }
    bail!(
        "no Rust toolchain can build for {WASM_TARGET}. Install one of:\n  \
         rustup target add {WASM_TARGET}\n  \
         or, on Debian (as root): apt-get install {}",
        DEBIAN_PACKAGES.join(" ")
    )
}

/// A cargo command for the app on wasm32 (`args` such as `build --release --package app`).
pub fn wasm_cargo(toolchain: WasmToolchain, root: &Path, args: &[&str]) -> Command {
    match toolchain {
        WasmToolchain::Rustup => {
            let mut c = crate::process::cargo();
            c.args(args).args(["--target", WASM_TARGET]);
            c.current_dir(root);
            c
        }
        WasmToolchain::Debian => {
            let mut c = Command::new("/usr/bin/cargo");
            let path = std::env::var("PATH").unwrap_or_default();
            c.args(args)
                .args(["--target", WASM_TARGET])
                .args(["-Zbuild-std=std,panic_abort", "--target-dir"])
                .arg(root.join("target/web"))
                .env("PATH", format!("/usr/bin:{path}"))
                .env("RUSTC", "/usr/bin/rustc")
                .env("RUSTC_BOOTSTRAP", "1")
                // rustup's proxies must not pick the toolchain for Debian's cargo.
                .env_remove("RUSTUP_TOOLCHAIN")
                .env_remove("CARGO")
                .env_remove("RUSTC_WRAPPER")
                .env_remove("RUSTDOC")
                .current_dir(root);
            c
        }
    }
}

/// Where the wasm build leaves a crate's module (`app`, `desmigratif_files`).
pub fn wasm_output(toolchain: WasmToolchain, root: &Path, crate_name: &str) -> PathBuf {
    let target_dir = match toolchain {
        WasmToolchain::Rustup => root.join("target"),
        WasmToolchain::Debian => root.join("target/web"),
    };
    target_dir
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{crate_name}.wasm"))
}

/// The version of a package recorded in Cargo.lock.
pub fn locked_version(root: &Path, package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{package}\"")
            && let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(v.trim_matches('"').to_owned());
        }
    }
    bail!("{package} is not in Cargo.lock")
}

fn cargo_bin_dir() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"));
    home.join("bin")
}

/// The `wasm-bindgen` command at the version Cargo.lock pins, installed with `cargo install`
/// if missing or at another version.
pub fn wasm_bindgen(root: &Path) -> Result<PathBuf> {
    let version = locked_version(root, "wasm-bindgen")?;
    let wanted = format!("wasm-bindgen {version}");
    let installed = cargo_bin_dir().join("wasm-bindgen");
    for candidate in [installed.clone(), PathBuf::from("wasm-bindgen")] {
        if output(Command::new(&candidate).arg("--version")).is_some_and(|v| v.trim() == wanted) {
            return Ok(candidate);
        }
    }
    // No --locked: one of wasm-bindgen-cli's locked dependencies is not served everywhere.
    run(crate::process::cargo().args(["install", "wasm-bindgen-cli", "--version", &version]))?;
    Ok(installed)
}
