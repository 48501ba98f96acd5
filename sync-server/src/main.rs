use std::io::BufRead;

use anyhow::{Context, bail};
use clap::Parser;
use sync_server::accounts::{AccountDb, generate_password};
use sync_server::config::{DataDir, UserCommand};
use sync_server::{Cli, Command, Relay, backup, regions, serve, serve_tls};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // samod's debug logs print whole protocol messages, which carry record content (names,
    // NIKs): they stay off whatever RUST_LOG says. Its info level opens a span for every event
    // and logs every document a connection starts syncing: a tenth of the relay's CPU under
    // load (see BENCHMARKS.md), telling an operator nothing the relay's own lines do not.
    // Automerge opens an info-level span for every change it loads, formatting its heads: a
    // fifth of the relay's CPU under load. Quiet unless RUST_LOG asks for it.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,automerge=warn"))
        .add_directive("samod=warn".parse().expect("valid directive"))
        .add_directive("samod_core=warn".parse().expect("valid directive"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve(args) => {
            // A certificate that does not load stops the start, before anything is opened.
            let tls = match args.tls_files() {
                Some(files) => Some((files.load().await?, files)),
                None => None,
            };
            let relay = Relay::open(&args).await?;
            let listener = std::net::TcpListener::bind(args.listen)?;
            let addr = listener.local_addr()?;
            for d in &relay.demo_docs {
                println!("demo document  {:<40} {}  {}", d.label, d.code, d.doc_id);
            }
            for a in &relay.demo_accounts {
                let scope = a.scope.as_deref().unwrap_or("-");
                let password = a.password.as_deref().unwrap_or("(password changed)");
                println!(
                    "demo account   {:<22} {:<9} {:<14} {password}",
                    a.username,
                    format!("{:?}", a.role).to_lowercase(),
                    scope
                );
            }
            // Tests and scripts read this line to find the port.
            let shutdown = sync_server::server::shutdown_signal();
            match tls {
                Some((config, files)) => {
                    println!("listening on https://{addr}");
                    let every = std::time::Duration::from_secs(args.tls_reload_seconds.max(1));
                    tokio::spawn(files.watch(config.clone(), every));
                    serve_tls(listener, relay, config, shutdown).await
                }
                None => {
                    println!("listening on http://{addr}");
                    listener.set_nonblocking(true)?;
                    serve(TcpListener::from_std(listener)?, relay, shutdown).await
                }
            }
        }
        Command::User(cmd) => user(cmd),
        Command::Backup { to, data } => {
            let started = std::time::Instant::now();
            let s = backup::backup(&data.data_dir, &to)?;
            println!(
                "backup written to {}: {} documents, {} files, {} bytes, in {:.1} s",
                to.display(),
                s.documents,
                s.files,
                s.bytes,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Restore { from, data } => {
            let report = backup::restore(&from, &data.data_dir)?;
            println!("restored into {}", data.data_dir.display());
            print_report(&report)
        }
        Command::Verify { data } => print_report(&backup::verify(&data.data_dir)?),
        Command::Audit { limit, data } => {
            for e in open(&data)?.audit_log(limit)? {
                println!(
                    "{}  {:<20} {:<17} {:<24} {}",
                    iso_time(e.at),
                    e.actor,
                    e.action,
                    e.target,
                    e.detail
                );
            }
            Ok(())
        }
        Command::Import(args) => {
            print!("{}", sync_server::import::import(&args)?);
            Ok(())
        }
        Command::Export(args) => {
            let rows = sync_server::export::export(&args)?;
            println!("wrote {rows} rows to {}", args.out.display());
            Ok(())
        }
    }
}

/// Prints what a check found; fails (exit status 1) if anything is wrong.
fn print_report(report: &backup::Report) -> anyhow::Result<()> {
    println!(
        "{} documents, {} accounts checked",
        report.documents, report.accounts
    );
    if report.problems.is_empty() {
        println!("no problems found");
        return Ok(());
    }
    for p in &report.problems {
        println!("problem: {p}");
    }
    bail!("{} problems found", report.problems.len())
}

/// The actor the audit log names for the command line.
const CLI: &str = "cli";

/// A Unix time as `2026-11-29 03:04:05Z`.
fn iso_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let date =
        desmigratif_model::Date::from_days_from_epoch(days).map_or_else(|| "?".to_owned(), |d| d.to_string());
    format!(
        "{date} {:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn open(data: &DataDir) -> anyhow::Result<AccountDb> {
    AccountDb::open(&data.data_dir.join("accounts.sqlite3")).context("opening the account database")
}

/// A password from standard input (first line), or a generated one that is printed once.
fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\r', '\n']).to_owned();
        if pw.is_empty() {
            bail!("no password on standard input");
        }
        Ok((pw, false))
    } else {
        Ok((generate_password(), true))
    }
}

fn user(cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add {
            username,
            role,
            village,
            district,
            password_stdin,
            data,
        } => {
            let db = open(&data)?;
            let (pw, generated) = password(password_stdin)?;
            let account = db.add(&username, role, village.or(district).as_deref(), &pw)?;
            let detail = format!("{} {}", role.as_str(), account.scope.as_deref().unwrap_or("-"));
            db.audit(CLI, "account.create", &username, &detail)?;
            // The scope with its official name, so a mistyped code shows at once.
            let place = account.scope.as_deref().map(|s| {
                let name = match s.parse::<desmigratif_model::VillageCode>() {
                    Ok(code) => regions::describe_village(&code),
                    Err(_) => regions::name(s).map(str::to_owned),
                };
                match name {
                    Some(name) => format!(" {s}: {name}"),
                    None => format!(" {s}: not in the official list of region codes"),
                }
            });
            println!(
                "created {} ({:?}{})",
                account.username,
                account.role,
                place.unwrap_or_default()
            );
            if generated {
                println!("password: {pw}");
            }
        }
        UserCommand::List { data } => {
            for a in open(&data)?.list()? {
                println!(
                    "{:<24} {:<9} {:<14}{}",
                    a.username,
                    a.role.as_str(),
                    a.scope.unwrap_or_default(),
                    if a.disabled { " disabled" } else { "" }
                );
            }
        }
        UserCommand::Devices { username, data } => {
            let db = open(&data)?;
            if db.get(&username)?.is_none() {
                bail!("no account {username}");
            }
            for d in db.devices(&username)? {
                let state = match d.revoked_at {
                    Some(at) => format!("revoked {}", iso_time(at)),
                    None => format!("{} live sessions", d.live_sessions),
                };
                println!(
                    "{:<40} {:<24} last seen {}  app {:<8} {state}",
                    d.device,
                    d.name,
                    iso_time(d.last_seen),
                    d.app_version.as_deref().unwrap_or("?"),
                );
            }
        }
        UserCommand::RevokeDevice {
            username,
            device,
            data,
        } => {
            let db = open(&data)?;
            db.revoke_device(&username, &device)?;
            db.audit(CLI, "device.revoke", &username, &device)?;
            println!(
                "device {device} of {username} revoked; it erases the account's data when it next connects"
            );
        }
        UserCommand::Disable { username, data } => {
            let db = open(&data)?;
            db.set_disabled(&username, true)?;
            db.audit(CLI, "account.disable", &username, "")?;
            println!("{username} disabled; every session ended");
        }
        UserCommand::Enable { username, data } => {
            let db = open(&data)?;
            db.set_disabled(&username, false)?;
            db.audit(CLI, "account.enable", &username, "")?;
            println!("{username} enabled");
        }
        UserCommand::Passwd {
            username,
            password_stdin,
            data,
        } => {
            let (pw, generated) = password(password_stdin)?;
            let db = open(&data)?;
            db.set_password(&username, &pw)?;
            db.audit(CLI, "account.password", &username, "")?;
            println!("password changed for {username}; its devices must log in again");
            if generated {
                println!("password: {pw}");
            }
        }
        UserCommand::Revoke { username, data } => {
            let db = open(&data)?;
            db.revoke(&username)?;
            db.audit(CLI, "account.revoke", &username, "")?;
            println!("every session of {username} ended");
        }
    }
    Ok(())
}
