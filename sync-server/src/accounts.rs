//! Accounts, sessions and the registry of villages, in an SQLite database under the data
//! directory. The relay and the `user` commands open the same file, so accounts can be managed
//! while the relay runs.
//!
//! Passwords are hashed with argon2. A session token is 32 random bytes shown as hex; only its
//! SHA-256 is stored, so a copy of the database does not hold usable tokens.

use std::path::Path;
use std::sync::{Arc, Mutex};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use desmigratif_model::{DistrictCode, DocumentId, VillageCode};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A village field worker: their own village's document, and their district's to read.
    Village,
    /// A district office (Disnaker): every village of the district, and the district document.
    District,
    /// A partner (bank, association): its district's aggregate figures only, no documents.
    Partner,
    /// Manages accounts; no documents.
    Admin,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Village => "village",
            Role::District => "district",
            Role::Partner => "partner",
            Role::Admin => "admin",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "village" => Role::Village,
            "district" => Role::District,
            "partner" => Role::Partner,
            "admin" => Role::Admin,
            _ => return None,
        })
    }
}

/// An account as stored, without its password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    pub username: String,
    pub role: Role,
    /// The village code (village accounts) or district code (district accounts).
    pub scope: Option<String>,
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
    #[error("passwords need at least 8 characters")]
    WeakPassword,
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
             );",
        )?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
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
        if password.chars().count() < 8 {
            return Err(AccountError::WeakPassword);
        }
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
        Ok(Account {
            username: username.into(),
            role,
            scope,
        })
    }

    pub fn get(&self, username: &str) -> Result<Option<Account>, AccountError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT username, role, scope FROM accounts WHERE username = ?1",
                [username],
                row_to_account,
            )
            .optional()?
            .flatten())
    }

    pub fn list(&self) -> Result<Vec<Account>, AccountError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT username, role, scope FROM accounts ORDER BY username")?;
        let rows = stmt.query_map([], row_to_account)?;
        Ok(rows.filter_map(|r| r.ok().flatten()).collect())
    }

    /// Sets a new password and ends every session of the account.
    pub fn set_password(&self, username: &str, password: &str) -> Result<(), AccountError> {
        if password.chars().count() < 8 {
            return Err(AccountError::WeakPassword);
        }
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
        Ok(())
    }

    /// Checks a password and opens a session for the device; `None` for a wrong username or
    /// password (the two are not told apart).
    pub fn login(
        &self,
        username: &str,
        password: &str,
        device: &str,
        lifetime_secs: i64,
    ) -> Result<Option<(String, Session)>, AccountError> {
        if !valid_device(device) {
            return Err(AccountError::BadDevice);
        }
        let stored = self.password_hash_of(username)?;
        let ok = verify_password(password, stored.as_deref().unwrap_or_else(|| decoy_hash()));
        if !ok || stored.is_none() {
            return Ok(None);
        }
        let Some(account) = self.get(username)? else {
            return Ok(None);
        };
        let token = random_hex(32);
        let now = now();
        let expires_at = now + lifetime_secs;
        self.conn().execute(
            "INSERT INTO sessions (token_hash, username, device, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash(&token), username, device, now, expires_at],
        )?;
        Ok(Some((
            token,
            Session {
                account,
                device: device.into(),
                expires_at,
            },
        )))
    }

    fn password_hash_of(&self, username: &str) -> Result<Option<String>, AccountError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT password_hash FROM accounts WHERE username = ?1",
                [username],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Whether the password is the account's, without opening a session.
    pub fn login_check(&self, username: &str, password: &str) -> Result<bool, AccountError> {
        let stored = self.password_hash_of(username)?;
        Ok(stored.is_some_and(|h| verify_password(password, &h)))
    }

    /// The live session a token belongs to: not expired, not revoked, account still there.
    pub fn session(&self, token: &str) -> Result<Option<Session>, AccountError> {
        let row: Option<(String, String, i64, i64)> = self
            .conn()
            .query_row(
                "SELECT username, device, expires_at, revoked FROM sessions WHERE token_hash = ?1",
                [token_hash(token)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((username, device, expires_at, revoked)) = row else {
            return Ok(None);
        };
        if revoked != 0 || expires_at <= now() {
            return Ok(None);
        }
        Ok(self.get(&username)?.map(|account| Session {
            account,
            device,
            expires_at,
        }))
    }
}

fn row_to_account(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Account>> {
    let role: String = r.get(1)?;
    Ok(Role::parse(&role).map(|role| Account {
        username: r.get(0).unwrap_or_default(),
        role,
        scope: r.get(2).ok().flatten(),
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
