//! Accounts, sessions and the registry of villages, in an SQLite database under the data
//! directory. The relay and the `user` commands open the same file, so accounts can be managed
//! while the relay runs.
//!
//! Passwords are hashed with argon2. A session token is 32 random bytes shown as hex; only its
//! SHA-256 is stored, so a copy of the database does not hold usable tokens.

mod audit;
mod devices;
mod password;
mod sessions;

use std::path::Path;
use std::sync::{Arc, Mutex};

pub use audit::AuditEntry;
pub use devices::Device;
pub use password::check_password;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use desmigratif_model::{DistrictCode, DocumentId, VillageCode};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What an account may do: one definition with the app, in the model.
pub use desmigratif_model::Role;

/// An account as stored, without its password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    pub username: String,
    pub role: Role,
    /// The village code (village accounts) or district code (district accounts).
    pub scope: Option<String>,
    /// A disabled account cannot log in and its sessions have ended.
    pub disabled: bool,
}

/// What a token is worth now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenState {
    Live(Session),
    /// Unknown, expired or ended (logout elsewhere, new password, account disabled): logging
    /// in again is enough.
    Ended,
    /// The token's device was revoked (a lost phone): the device must erase the account's data.
    DeviceRevoked,
}

/// An authenticated session: the account and the device it logged in from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub account: Account,
    pub device: String,
    /// Seconds since the Unix epoch.
    pub expires_at: i64,
}

/// A village known to the relay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Village {
    pub code: VillageCode,
    pub name: String,
    pub doc_id: DocumentId,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("usernames are 3-40 characters: lower-case letters, digits, '.', '_' or '-'")]
    BadUsername,
    #[error("device ids are 1-64 characters: letters, digits, '.', '_' or '-'")]
    BadDevice,
    #[error("passwords need at least {} characters", password::MIN_LENGTH)]
    WeakPassword,
    #[error("this password is too common; choose another")]
    CommonPassword,
    #[error("this device's access was revoked")]
    DeviceRevoked,
    #[error("no device {0} for this account")]
    NoSuchDevice(String),
    #[error("account {0} already exists")]
    Exists(String),
    #[error("no account {0}")]
    NoSuchAccount(String),
    #[error("a {role} account needs --{needs}")]
    MissingScope { role: &'static str, needs: &'static str },
    #[error("{0}")]
    BadScope(String),
    #[error("the account database failed: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("password hashing failed")]
    Hash,
    #[error("this account is disabled")]
    Disabled,
}

/// Whether a username is well formed. Usernames appear in peer ids, so they never contain `/`.
pub fn valid_username(u: &str) -> bool {
    (3..=40).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
}

/// Whether a device id is well formed.
pub fn valid_device(d: &str) -> bool {
    (1..=64).contains(&d.len())
        && d.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the system has a random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random password, for accounts created without one.
pub fn generate_password() -> String {
    random_hex(9)
}

fn hash_password(password: &str) -> Result<String, AccountError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| AccountError::Hash)?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| AccountError::Hash)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AccountError::Hash)
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A password hash to compare against when the username does not exist, so that a wrong
/// username takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy-password-never-matches").expect("hashing works"))
}

/// The account database.
#[derive(Clone, Debug)]
pub struct AccountDb {
    conn: Arc<Mutex<Connection>>,
    changed: Arc<tokio::sync::Notify>,
    /// Moves whenever what an account may sync could have changed (an account or a village
    /// added, or another process wrote): caches of access decisions compare it.
    grants_version: Arc<std::sync::atomic::AtomicU64>,
}

impl AccountDb {
    /// Opens (creating if needed) the database file.
    pub fn open(path: &Path) -> Result<Self, AccountError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| AccountError::BadScope(e.to_string()))?;
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS accounts (
                 username TEXT PRIMARY KEY,
                 role TEXT NOT NULL,
                 scope TEXT,
                 password_hash TEXT NOT NULL,
                 created_at INTEGER NOT NULL
             );
             CREATE TABLE IF NOT EXISTS sessions (
                 token_hash TEXT PRIMARY KEY,
                 username TEXT NOT NULL REFERENCES accounts(username),
                 device TEXT NOT NULL,
                 created_at INTEGER NOT NULL,
                 expires_at INTEGER NOT NULL,
                 revoked INTEGER NOT NULL DEFAULT 0
             );
             CREATE TABLE IF NOT EXISTS villages (
                 code TEXT PRIMARY KEY,
                 name TEXT NOT NULL
             );
             CREATE TABLE IF NOT EXISTS revoked_devices (
                 username TEXT NOT NULL,
                 device TEXT NOT NULL,
                 revoked_at INTEGER NOT NULL,
                 PRIMARY KEY (username, device)
             );
             CREATE TABLE IF NOT EXISTS audit (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 at INTEGER NOT NULL,
                 actor TEXT NOT NULL,
                 action TEXT NOT NULL,
                 target TEXT NOT NULL,
                 detail TEXT NOT NULL DEFAULT ''
             );",
        )?;
        // Columns added after the first release: databases made before get them here.
        add_column(&conn, "accounts", "disabled", "INTEGER NOT NULL DEFAULT 0")?;
        add_column(&conn, "sessions", "last_seen", "INTEGER")?;
        add_column(&conn, "sessions", "app_version", "TEXT")?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            changed: Arc::default(),
            grants_version: Arc::default(),
        })
    }

    /// See [`AccountDb::grants_version`](Self#structfield.grants_version): equal values mean
    /// no account or village was added in between by this process, and no other process
    /// committed anything that [`Self::watch_other_writers`] has seen.
    pub fn grants_version(&self) -> u64 {
        self.grants_version.load(std::sync::atomic::Ordering::Acquire)
    }

    fn grants_changed(&self) {
        self.grants_version
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Woken whenever sessions end (a device or account revoked, a new password, an account
    /// disabled), so live connections re-check theirs at once instead of at their next poll.
    /// Changes made by another process (the command line) wake it through
    /// [`Self::watch_other_writers`].
    pub fn sessions_changed(&self) -> Arc<tokio::sync::Notify> {
        self.changed.clone()
    }

    /// Wakes [`Self::sessions_changed`] when another process (the command line: `user
    /// revoke-device`, `user passwd`, …) commits to the database, checked every `every`.
    /// SQLite's `data_version` moves only with other connections' commits, and reading it costs
    /// no query of the tables. Runs until dropped.
    pub async fn watch_other_writers(self, every: std::time::Duration) {
        let version = |db: &AccountDb| -> Option<i64> {
            db.conn().query_row("PRAGMA data_version", [], |r| r.get(0)).ok()
        };
        let mut last = version(&self);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = version(&self);
            if now != last {
                last = now;
                self.grants_changed();
                self.changed.notify_waiters();
            }
        }
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a village (or renames it). Village documents are only synced for registered
    /// villages.
    pub fn register_village(&self, code: &VillageCode, name: &str) -> Result<(), AccountError> {
        self.conn().execute(
            "INSERT INTO villages (code, name) VALUES (?1, ?2)
             ON CONFLICT(code) DO UPDATE SET name = excluded.name",
            params![code.as_str(), name],
        )?;
        self.grants_changed();
        Ok(())
    }

    /// Every registered village, by code.
    pub fn villages(&self) -> Result<Vec<Village>, AccountError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT code, name FROM villages ORDER BY code")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (code, name) = row?;
            if let Ok(code) = code.parse::<VillageCode>() {
                out.push(Village {
                    doc_id: DocumentId::for_village(&code),
                    code,
                    name,
                });
            }
        }
        Ok(out)
    }

    /// Creates an account. Village accounts name their village (registered if new, with its
    /// official name, or the code when the official list lacks it); district accounts their
    /// district.
    pub fn add(
        &self,
        username: &str,
        role: Role,
        scope: Option<&str>,
        password: &str,
    ) -> Result<Account, AccountError> {
        if !valid_username(username) {
            return Err(AccountError::BadUsername);
        }
        check_password(username, password)?;
        let scope = match role {
            Role::Village => {
                let code: VillageCode = scope
                    .ok_or(AccountError::MissingScope {
                        role: "village",
                        needs: "village",
                    })?
                    .parse()
                    .map_err(|_| AccountError::BadScope("a village code looks like 35.07.11.2008".into()))?;
                if !self.villages()?.iter().any(|v| v.code == code) {
                    let name = crate::regions::name(code.as_str()).unwrap_or(code.as_str());
                    self.register_village(&code, name)?;
                }
                Some(code.to_string())
            }
            Role::District | Role::Partner => {
                let code: DistrictCode = scope
                    .ok_or(AccountError::MissingScope {
                        role: role.as_str(),
                        needs: "district",
                    })?
                    .parse()
                    .map_err(|_| AccountError::BadScope("a district code looks like 35.07".into()))?;
                Some(code.to_string())
            }
            Role::Admin => None,
        };
        let hash = hash_password(password)?;
        let changed = self.conn().execute(
            "INSERT INTO accounts (username, role, scope, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(username) DO NOTHING",
            params![username, role.as_str(), scope, hash, now()],
        )?;
        if changed == 0 {
            return Err(AccountError::Exists(username.into()));
        }
        self.grants_changed();
        Ok(Account {
            username: username.into(),
            role,
            scope,
            disabled: false,
        })
    }

    pub fn get(&self, username: &str) -> Result<Option<Account>, AccountError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT username, role, scope, disabled FROM accounts WHERE username = ?1",
                [username],
                row_to_account,
            )
            .optional()?
            .flatten())
    }

    pub fn list(&self) -> Result<Vec<Account>, AccountError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT username, role, scope, disabled FROM accounts ORDER BY username")?;
        let rows = stmt.query_map([], row_to_account)?;
        Ok(rows.filter_map(|r| r.ok().flatten()).collect())
    }

    /// Sets a new password and ends every session of the account.
    pub fn set_password(&self, username: &str, password: &str) -> Result<(), AccountError> {
        check_password(username, password)?;
        let hash = hash_password(password)?;
        let changed = self.conn().execute(
            "UPDATE accounts SET password_hash = ?2 WHERE username = ?1",
            params![username, hash],
        )?;
        if changed == 0 {
            return Err(AccountError::NoSuchAccount(username.into()));
        }
        self.revoke(username)
    }

    /// Ends every session of the account.
    pub fn revoke(&self, username: &str) -> Result<(), AccountError> {
        if self.get(username)?.is_none() {
            return Err(AccountError::NoSuchAccount(username.into()));
        }
        self.conn()
            .execute("UPDATE sessions SET revoked = 1 WHERE username = ?1", [username])?;
        self.changed.notify_waiters();
        Ok(())
    }

    /// Disables an account (its sessions end; it cannot log in) or enables it again.
    pub fn set_disabled(&self, username: &str, disabled: bool) -> Result<(), AccountError> {
        let changed = self.conn().execute(
            "UPDATE accounts SET disabled = ?2 WHERE username = ?1",
            params![username, disabled],
        )?;
        if changed == 0 {
            return Err(AccountError::NoSuchAccount(username.into()));
        }
        if disabled {
            self.revoke(username)?;
        }
        Ok(())
    }
}

/// Adds a column to a table made by an earlier version, if it lacks it.
fn add_column(conn: &Connection, table: &str, column: &str, decl: &str) -> rusqlite::Result<()> {
    let exists = conn
        .prepare(&format!(
            "SELECT 1 FROM pragma_table_info('{table}') WHERE name = ?1"
        ))?
        .exists([column])?;
    if !exists {
        conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {decl}"))?;
    }
    Ok(())
}

fn row_to_account(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Account>> {
    let role: String = r.get(1)?;
    Ok(Role::parse(&role).map(|role| Account {
        username: r.get(0).unwrap_or_default(),
        role,
        scope: r.get(2).ok().flatten(),
        disabled: r.get::<_, i64>(3).unwrap_or(0) != 0,
    }))
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> AccountDb {
        AccountDb::open(Path::new(":memory:")).unwrap()
    }

    #[test]
    fn login_issues_tokens_that_expire_and_can_be_revoked() {
        let db = db();
        db.add(
            "petugas-arjo",
            Role::Village,
            Some("35.07.11.2008"),
            "rahasia-123",
        )
        .unwrap();
        assert!(
            db.login("petugas-arjo", "salah-sandi", "hp-1", 60)
                .unwrap()
                .is_none()
        );
        assert!(
            db.login("tidak-ada", "rahasia-123", "hp-1", 60)
                .unwrap()
                .is_none()
        );
        let (token, session) = db
            .login("petugas-arjo", "rahasia-123", "hp-1", 60)
            .unwrap()
            .unwrap();
        assert_eq!(session.account.scope.as_deref(), Some("35.07.11.2008"));
        assert_eq!(db.session(&token).unwrap().unwrap().device, "hp-1");
        assert!(db.session("not-a-token").unwrap().is_none());
        // Expired at once.
        let (short, _) = db
            .login("petugas-arjo", "rahasia-123", "hp-2", 0)
            .unwrap()
            .unwrap();
        assert!(db.session(&short).unwrap().is_none());
        db.revoke("petugas-arjo").unwrap();
        assert!(db.session(&token).unwrap().is_none());
        // The village was registered with the account.
        assert_eq!(db.villages().unwrap()[0].code.as_str(), "35.07.11.2008");
    }

    #[test]
    fn a_database_of_the_first_version_opens_with_its_accounts_and_sessions() {
        let dir = std::env::temp_dir().join(format!("desmigratif-accounts-v1-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("accounts.sqlite3");
        let hash = hash_password("kebun-kopi-17").unwrap();
        {
            let old = Connection::open(&path).unwrap();
            old.execute_batch(
                "CREATE TABLE accounts (username TEXT PRIMARY KEY, role TEXT NOT NULL, scope TEXT,
                     password_hash TEXT NOT NULL, created_at INTEGER NOT NULL);
                 CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL,
                     device TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
                     revoked INTEGER NOT NULL DEFAULT 0);
                 CREATE TABLE villages (code TEXT PRIMARY KEY, name TEXT NOT NULL);",
            )
            .unwrap();
            old.execute(
                "INSERT INTO accounts VALUES ('desa-arjo', 'village', '35.07.11.2008', ?1, 0)",
                [&hash],
            )
            .unwrap();
            old.execute(
                "INSERT INTO sessions VALUES (?1, 'desa-arjo', 'hp-1', 0, ?2, 0)",
                params![token_hash("old-token"), now() + 600],
            )
            .unwrap();
        }
        let db = AccountDb::open(&path).unwrap();
        let account = db.get("desa-arjo").unwrap().unwrap();
        assert!(!account.disabled);
        assert_eq!(db.session("old-token").unwrap().unwrap().device, "hp-1");
        assert_eq!(db.devices("desa-arjo").unwrap()[0].last_seen, 0);
        db.set_disabled("desa-arjo", true).unwrap();
        assert!(matches!(
            db.login("desa-arjo", "kebun-kopi-17", "hp-1", 60),
            Err(AccountError::Disabled)
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_accounts_are_refused() {
        let db = db();
        assert!(matches!(
            db.add("a/b", Role::Admin, None, "rahasia-123"),
            Err(AccountError::BadUsername)
        ));
        assert!(matches!(
            db.add("admin", Role::Admin, None, "short"),
            Err(AccountError::WeakPassword)
        ));
        assert!(matches!(
            db.add("desa", Role::Village, None, "rahasia-123"),
            Err(AccountError::MissingScope { .. })
        ));
        assert!(matches!(
            db.add("desa", Role::Village, Some("35.07"), "rahasia-123"),
            Err(AccountError::BadScope(_))
        ));
        db.add("admin", Role::Admin, None, "rahasia-123").unwrap();
        assert!(matches!(
            db.add("admin", Role::Admin, None, "rahasia-123"),
            Err(AccountError::Exists(_))
        ));
        assert!(matches!(
            db.login("admin", "rahasia-123", "bad device!", 60),
            Err(AccountError::BadDevice)
        ));
    }
}
