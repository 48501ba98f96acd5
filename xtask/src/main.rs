//! The project's one build entry point, for people and CI alike.
//!
//! - `cargo xtask run`: build the app for the browser, then start the relay on 127.0.0.1:8080
//!   serving it, with demo data.
//! - `cargo xtask test`: every check: formatting, clippy, unit/property/integration tests, the
//!   wasm build and the browser tests.
//! - `cargo xtask build-web`: only build the app into `dist/`.
//! - `cargo xtask test-browser`: only the browser tests (the app's wasm tests, then the
//!   end-to-end tests), for a quicker round while working on the app.
//! - `cargo xtask fuzz [inputs]`: a million (or `inputs`) hostile messages through every step
//!   that reads what a peer sends.
//! - `cargo xtask simulate [schedules]`: ten thousand (or `schedules`) seeded schedules of
//!   devices and the relay under partitions, duplicated and reordered messages, restarts and
//!   crashes; every one must converge with nothing acknowledged lost.
//! - `cargo xtask bench`: the benchmarks (native model, the relay under load, then the app in
//!   Chromium); results go into BENCHMARKS.md by hand, with the machine they ran on.
//!
//! Each step installs what it needs when it is missing (see `toolchain.rs` and `browser.rs`)
//! and reuses what is already there.

mod browser;
mod process;
mod toolchain;
mod web;

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::process::run;

const USAGE: &str = "usage: cargo xtask <run|test|test-browser|build-web|bench|fuzz|simulate> [-- relay options | inputs | schedules]";

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let task = args.next().unwrap_or_default();
    let rest: Vec<String> = args.filter(|a| a != "--").collect();
    let root = workspace_root();
    match task.as_str() {
        "run" => run_product(&root, &rest),
        "test" => test_everything(&root),
        "test-browser" => test_in_browser(&root),
        "build-web" => web::build(&root).map(|_| ()),
        "bench" => bench(&root),
        "fuzz" => fuzz(&root, &rest),
        "simulate" => simulate(&root, &rest),
        _ => bail!("{USAGE}"),
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Builds the app and the relay, then runs the relay in the foreground.
fn run_product(root: &Path, relay_args: &[String]) -> Result<()> {
    let dist = web::build(root)?;
    let mut args: Vec<String> = ["run", "--release", "--package", "sync-server", "--", "serve"]
        .map(String::from)
        .to_vec();
    let dist_arg = format!("--static-dir={}", dist.display());
    let data_arg = format!("--data-dir={}", root.join("data").display());
    if !relay_args.iter().any(|a| a.starts_with("--static-dir")) {
        args.push(dist_arg);
    }
    if !relay_args.iter().any(|a| a.starts_with("--data-dir")) {
        args.push(data_arg);
    }
    args.extend(relay_args.iter().cloned());
    run(process::cargo().args(&args).current_dir(root))
}

/// Every check the project has, in order from fastest to slowest.
fn test_everything(root: &Path) -> Result<()> {
    let cargo = || {
        let mut c = process::cargo();
        c.current_dir(root);
        c
    };
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    run(cargo().args(["test", "--workspace"]))?;
    test_in_browser(root)
}

/// The tests that run in Chromium: the app's wasm tests and the end-to-end tests.
fn test_in_browser(root: &Path) -> Result<()> {
    let dist = web::build(root)?;
    run(process::cargo()
        .args(["build", "--package", "sync-server"])
        .current_dir(root))?;
    let relay = root.join("target/debug/sync-server");
    browser::chromium()?;
    web::browser_tests(root, Path::new(browser::CHROMEDRIVER), &relay, &dist)?;
    browser::run_e2e(root, &dist, &relay)
}

/// The long fuzz run: a million hostile inputs (or as many as asked) through every step that
/// reads a peer's message, then 20,000 against a real relay; the tests run 10,000 and 1,000.
fn fuzz(root: &Path, args: &[String]) -> Result<()> {
    let inputs = args.first().map_or("1000000", String::as_str);
    run(process::cargo()
        .args([
            "test",
            "--release",
            "--package",
            "desmigratif-model",
            "--features",
            "fuzz",
        ])
        .args(["--test", "fuzz", "--", "--nocapture"])
        .env("DESMIGRATIF_FUZZ_INPUTS", inputs)
        .current_dir(root))?;
    // The same generator against a real relay over sockets, where samod's own decoder reads it.
    run(process::cargo()
        .args(["test", "--release", "--package", "sync-server", "--test", "relay"])
        .args(["hundreds_of_fuzzed_messages", "--", "--nocapture"])
        .env("DESMIGRATIF_FUZZ_RELAY_INPUTS", "20000")
        .current_dir(root))
}

/// The long simulation run (`app/src/replica/tests/simulation.rs`): ten thousand schedules, or
/// as many as asked, from seed 1 (or `DESMIGRATIF_SIM_SEED`); the tests run 50.
fn simulate(root: &Path, args: &[String]) -> Result<()> {
    let schedules = args.first().map_or("10000", String::as_str);
    run(process::cargo()
        .args(["test", "--release", "--package", "app", "--lib"])
        .args(["replica::tests::simulation", "--", "--nocapture"])
        .env("DESMIGRATIF_SIM_SCHEDULES", schedules)
        .current_dir(root))
}

/// Benchmarks: the record model natively, the relay under load next to the JavaScript
/// automerge-repo server, then the app in headless Chromium.
fn bench(root: &Path) -> Result<()> {
    run(process::cargo()
        .args(["bench", "--package", "desmigratif-model", "--features", "files"])
        .current_dir(root))?;
    browser::node_packages(root)?;
    run(process::cargo()
        .args(["bench", "--package", "sync-server", "--bench", "load"])
        .current_dir(root))?;
    let dist = web::build(root)?;
    run(process::cargo()
        .args(["build", "--release", "--package", "sync-server"])
        .current_dir(root))?;
    browser::run_bench(root, &dist, &root.join("target/release/sync-server"))
}
