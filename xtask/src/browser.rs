//! The browser tests: headless Chromium (Debian's package), driven by `playwright-core` from
//! node, against a real relay process.

use std::path::Path;
use std::process::Command;

use anyhow::{Result, bail};

use crate::process::{apt_install, can_apt, output, run};

const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The Chromium binary, installing Debian's chromium and chromium-driver if needed.
pub fn chromium() -> Result<String> {
    if let Ok(path) = std::env::var("CHROMIUM_PATH") {
        return Ok(path);
    }
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        if !can_apt() {
            bail!(
                "the browser tests need Chromium: install Debian's chromium and chromium-driver, \
                 or set CHROMIUM_PATH to a Chromium or Chrome binary"
            );
        }
        apt_install(&["chromium", "chromium-driver"])?;
    }
    Ok(CHROMIUM.into())
}

/// Node and npm, installing Debian's if missing.
fn ensure_node() -> Result<()> {
    if output(Command::new("node").arg("--version")).is_some()
        && output(Command::new("npm").arg("--version")).is_some()
    {
        return Ok(());
    }
    if !can_apt() {
        bail!("the browser tests need Node.js 18 or later with npm");
    }
    apt_install(&["nodejs", "npm"])
}

/// Installs the test packages from tests/package-lock.json when they are missing or stale.
fn ensure_packages(tests: &Path) -> Result<()> {
    let lock = tests.join("package-lock.json");
    let installed = tests.join("node_modules/.package-lock.json");
    let stale = match (
        lock.metadata().and_then(|m| m.modified()),
        installed.metadata().and_then(|m| m.modified()),
    ) {
        (Ok(l), Ok(i)) => l > i,
        _ => true,
    };
    if stale {
        // `npm install`, not `npm ci`: cbor-x's optional native helpers (@cbor-extract/*) are
        // not served by every registry mirror, and `npm ci` refuses a lock file without them.
        // The lock file still pins every version that gets installed.
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund"])
            .current_dir(tests))?;
    }
    Ok(())
}

/// Node and the packages of tests/, for benches that run node without a browser.
pub fn node_packages(root: &Path) -> Result<()> {
    ensure_node()?;
    ensure_packages(&root.join("tests"))
}

/// Runs a node command in tests/ with the browser, the built app and the relay binary.
fn node(root: &Path, dist: &Path, relay: &Path, args: &[&str]) -> Result<()> {
    let chromium = chromium()?;
    ensure_node()?;
    let tests = root.join("tests");
    ensure_packages(&tests)?;
    run(Command::new("node")
        .args(args)
        .current_dir(&tests)
        .env("CHROMIUM_PATH", chromium)
        .env("DESMIGRATIF_DIST", dist)
        .env("SYNC_SERVER_BIN", relay))
}

pub fn run_e2e(root: &Path, dist: &Path, relay: &Path) -> Result<()> {
    // A test that waits for what never comes fails after five minutes, naming itself, instead of
    // holding the run until CI's own limit (the longest test takes well under a minute).
    node(
        root,
        dist,
        relay,
        &["--test", "--test-concurrency=1", "--test-timeout=300000", "e2e/"],
    )
}

pub fn run_bench(root: &Path, dist: &Path, relay: &Path) -> Result<()> {
    node(root, dist, relay, &["bench/app.mjs"])
}

/// A relay process for the app's in-browser tests: started on a free port with a fresh data
/// directory and demo data, and stopped when dropped.
pub struct TestRelay {
    child: std::process::Child,
    dir: std::path::PathBuf,
    pub addr: String,
}

impl TestRelay {
    pub fn start(relay: &Path, dist: &Path) -> Result<Self> {
        use std::io::{BufRead, BufReader};
        let dir = std::env::temp_dir().join(format!("desmigratif-xtask-relay-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut child = Command::new(relay)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--demo-households",
                "20",
                "--data-dir",
            ])
            .arg(&dir)
            .arg("--static-dir")
            .arg(dist)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().expect("piped stdout");
        for line in BufReader::new(stdout).lines() {
            if let Some(addr) = line?.strip_prefix("listening on http://") {
                return Ok(Self {
                    child,
                    dir,
                    addr: addr.to_owned(),
                });
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        bail!("the test relay did not start")
    }

    /// Logs a demo account in; returns the relay's JSON answer.
    pub fn login(&self, username: &str, device: &str) -> Result<String> {
        use std::io::{Read, Write};
        let body =
            format!(r#"{{"username":"{username}","password":"demo-desmigratif","device":"{device}"}}"#);
        let mut s = std::net::TcpStream::connect(&self.addr)?;
        write!(
            s,
            "POST /api/login HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )?;
        let mut response = String::new();
        s.read_to_string(&mut response)?;
        match response.split_once("\r\n\r\n") {
            Some((head, json)) if head.starts_with("HTTP/1.1 200") => Ok(json.to_owned()),
            _ => bail!(
                "the test relay refused the login: {}",
                response.lines().next().unwrap_or("")
            ),
        }
    }
}

impl Drop for TestRelay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
