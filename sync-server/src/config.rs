//! The command line. Every `serve` option can also come from an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use desmigratif_model::Lang;

use crate::accounts::Role;

/// The Desmigratif relay.
#[derive(Debug, Parser)]
#[command(name = "sync-server", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the app, the login API and the sync endpoint.
    Serve(ServeArgs),
    /// Manage accounts (works while the relay runs).
    #[command(subcommand)]
    User(UserCommand),
    /// Write a backup of the documents and accounts to a file (works while the relay runs).
    Backup {
        /// The backup file to write (a tar archive).
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        data: DataDir,
    },
    /// Restore a backup into an empty data directory, then check it.
    Restore {
        /// The backup file to read.
        #[arg(long)]
        from: PathBuf,
        #[command(flatten)]
        data: DataDir,
    },
    /// Check a data directory: every document loads, no interrupted writes, the account
    /// database is intact.
    Verify {
        #[command(flatten)]
        data: DataDir,
    },
    /// Print the audit log: who did what to accounts and devices, newest first.
    Audit {
        /// How many entries.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        #[command(flatten)]
        data: DataDir,
    },
    /// Import a placement list or a village's spreadsheet (CSV or XLSX) into a village: prints
    /// what would change; `--apply` writes it as one change naming the file. Refused while a
    /// relay serves the data directory (import in the app then).
    Import(ImportArgs),
    /// Export persons or migration episodes of a village or a district as CSV or XLSX (works
    /// while the relay runs; reads the documents as stored).
    Export(ExportArgs),
}

#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["village", "district"])))]
pub struct ExportArgs {
    /// One village (`35.07.11.2008`).
    #[arg(long)]
    pub village: Option<String>,
    /// Every registered village of a district (`35.07`).
    #[arg(long)]
    pub district: Option<String>,
    #[arg(long, value_enum, default_value = "xlsx")]
    pub format: ExportFormat,
    /// What a CSV holds (an XLSX holds both, one sheet each).
    #[arg(long, value_enum, default_value = "persons")]
    pub what: ExportWhat,
    /// Language of the headers and labels (`id`, or a locale file's code such as `en`).
    #[arg(long, default_value = "id", value_parser = language)]
    pub lang: Lang,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub data: DataDir,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The village (`35.07.11.2008`).
    #[arg(long)]
    pub village: String,
    /// The CSV or XLSX file.
    #[arg(long)]
    pub file: PathBuf,
    /// Columns to fields, one `Header = field` per line (fields by key: nik, full_name, sex,
    /// birth_date, destination_country, …; `skip` leaves a column out). Without it the columns are matched
    /// from their headers, as the app suggests.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Show what would change and write nothing (the default).
    #[arg(long, conflicts_with = "apply")]
    pub dry_run: bool,
    /// Write the import.
    #[arg(long)]
    pub apply: bool,
    /// Also replace values the village typed where the file differs (blanks are always filled).
    #[arg(long)]
    pub overwrite: bool,
    /// Language of the report's field names and reasons (`id`, or a locale file's code).
    #[arg(long, default_value = "id", value_parser = language)]
    pub lang: Lang,
    #[command(flatten)]
    pub data: DataDir,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportWhat {
    Persons,
    Episodes,
}

/// A UI language by its code, for `--lang`.
fn language(code: &str) -> Result<Lang, String> {
    Lang::from_code(code).ok_or_else(|| {
        let known: Vec<&str> = Lang::all().map(Lang::code).collect();
        format!("no language \"{code}\"; known: {}", known.join(", "))
    })
}

#[derive(Debug, Clone, Args)]
pub struct DataDir {
    /// Directory holding the document store and the account database; created if missing.
    #[arg(long, env = "DESMIGRATIF_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, env = "DESMIGRATIF_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub data: DataDir,
    /// Directory holding the built app (`index.html` and its assets).
    #[arg(long, env = "DESMIGRATIF_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,
    /// Do not load the demo villages and accounts into an empty store.
    #[arg(long, env = "DESMIGRATIF_NO_DEMO")]
    pub no_demo: bool,
    /// Households generated per demo village (about four persons each) in an empty store.
    #[arg(long, env = "DESMIGRATIF_DEMO_HOUSEHOLDS", default_value_t = crate::seed::DEMO_HOUSEHOLDS)]
    pub demo_households: usize,
    /// Demo villages in an empty store: the four Desmigratif villages, then other villages of
    /// Kabupaten Malang (for trying a larger district).
    #[arg(long, env = "DESMIGRATIF_DEMO_VILLAGES", default_value_t = 4)]
    pub demo_villages: usize,
    /// How long a login stays valid, in hours.
    #[arg(long, env = "DESMIGRATIF_TOKEN_LIFETIME_HOURS", default_value_t = 24 * 30)]
    pub token_lifetime_hours: i64,
    /// The largest WebSocket message accepted, in bytes.
    #[arg(long, env = "DESMIGRATIF_MAX_MESSAGE_BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_message_bytes: usize,
    /// Messages a connection may send per second, sustained.
    #[arg(long, env = "DESMIGRATIF_MESSAGES_PER_SECOND", default_value_t = 200)]
    pub messages_per_second: u32,
    /// Messages a connection may send in one burst.
    #[arg(long, env = "DESMIGRATIF_BURST_MESSAGES", default_value_t = 1000)]
    pub burst_messages: u32,
    /// Bytes a connection may send per second, sustained (a burst may reach twice the largest
    /// message).
    #[arg(long, env = "DESMIGRATIF_BYTES_PER_SECOND", default_value_t = 4 * 1024 * 1024)]
    pub bytes_per_second: u32,
    /// Sync connections the relay holds at once; more are refused with 503 before the upgrade.
    #[arg(long, env = "DESMIGRATIF_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,
    /// Sync connections one account may hold at once (its devices and their tabs).
    #[arg(long, env = "DESMIGRATIF_MAX_CONNECTIONS_PER_ACCOUNT", default_value_t = 64)]
    pub max_connections_per_account: usize,
    /// Sync connections one device may hold at once (its tabs).
    #[arg(long, env = "DESMIGRATIF_MAX_CONNECTIONS_PER_DEVICE", default_value_t = 8)]
    pub max_connections_per_device: usize,
    /// The most a document may take on disk, in bytes; changes to a document over it are
    /// refused (the connection that sends them is closed), reading it still works.
    #[arg(long, env = "DESMIGRATIF_MAX_DOCUMENT_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_document_bytes: u64,
    /// Independent parts the sync layer is split into, each holding the documents whose id
    /// hashes to it (see `shards.rs`); more keep the relay fast with many villages and devices.
    #[arg(long, env = "DESMIGRATIF_SYNC_SHARDS", default_value_t = 64)]
    pub sync_shards: usize,
    /// Serve HTTPS with this certificate chain (PEM; with --tls-key) instead of plain HTTP.
    #[arg(long, env = "DESMIGRATIF_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, env = "DESMIGRATIF_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// How often the certificate files are looked at for a renewal, in seconds; SIGHUP reloads
    /// them at once.
    #[arg(long, env = "DESMIGRATIF_TLS_RELOAD_SECONDS", default_value_t = 60)]
    pub tls_reload_seconds: u64,
}

impl ServeArgs {
    /// The certificate and key files when HTTPS is asked for.
    pub fn tls_files(&self) -> Option<crate::tls::TlsFiles> {
        Some(crate::tls::TlsFiles {
            cert: self.tls_cert.clone()?,
            key: self.tls_key.clone()?,
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from standard input with --password-stdin,
    /// otherwise generated and printed once.
    Add {
        #[arg(long)]
        username: String,
        /// village, district, partner or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The village code, for village accounts (e.g. 35.07.11.2008).
        #[arg(long, required_if_eq("role", "village"))]
        village: Option<String>,
        /// The district (regency) code, for district accounts (e.g. 35.07).
        #[arg(long, required_if_eq("role", "district"))]
        district: Option<String>,
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        data: DataDir,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        data: DataDir,
    },
    /// Set a new password (ends the account's sessions).
    Passwd {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        data: DataDir,
    },
    /// End every session of an account; its devices must log in again.
    Revoke {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// List the devices that logged in to an account.
    Devices {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// Revoke one device (a lost phone): it erases the account's data when it next connects;
    /// the account's other devices go on.
    RevokeDevice {
        #[arg(long)]
        username: String,
        /// The device id, as `user devices` lists it.
        #[arg(long)]
        device: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// Disable an account: its sessions end and it cannot log in.
    Disable {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        data: DataDir,
    },
}

/// `--role`: one of the roles, by its name.
fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("no role {s:?}: one of {}", names.join(", "))
    })
}
