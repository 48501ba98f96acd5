//! Running commands loudly: each is printed before it runs, and a failure stops the task.

use std::process::Command;

use anyhow::{Context, Result, bail};

/// Runs a command to completion; an unsuccessful exit is an error naming the command.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = describe(cmd);
    eprintln!("xtask> {shown}");
    let status = cmd.status().with_context(|| format!("starting {shown}"))?;
    if !status.success() {
        bail!("failed ({status}): {shown}");
    }
    Ok(())
}

/// The command as a shell line, with the values of secret environment variables (a test
/// session's token) left out: logs never carry tokens.
fn describe(cmd: &Command) -> String {
    let mut shown = String::new();
    if let Some(dir) = cmd.get_current_dir() {
        shown += &format!("cd {dir:?} && ");
    }
    for (key, value) in cmd.get_envs() {
        let key = key.to_string_lossy();
        let secret = ["TOKEN", "SESSION", "PASSWORD"]
            .iter()
            .any(|s| key.to_uppercase().contains(s));
        match value {
            None => shown += &format!("-u {key} "),
            Some(_) if secret => shown += &format!("{key}=<hidden> "),
            Some(v) => shown += &format!("{key}={v:?} "),
        }
    }
    shown += &format!("{:?}", cmd.get_program());
    for arg in cmd.get_args() {
        shown += &format!(" {arg:?}");
    }
    shown
}

/// The output of a command that ran successfully, or `None`.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The cargo that runs this task.
pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Whether this process may install system packages: root, with apt-get available.
pub fn can_apt() -> bool {
    let root = output(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0");
    root && output(Command::new("apt-get").arg("--version")).is_some()
}

/// Installs Debian packages (as root).
pub fn apt_install(packages: &[&str]) -> Result<()> {
    eprintln!("xtask> installing Debian packages: {}", packages.join(" "));
    run(Command::new("apt-get").arg("update").arg("-q"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}
