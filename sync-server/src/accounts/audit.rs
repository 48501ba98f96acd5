//! The audit log: who did what to accounts and devices, kept in the account database. It never
//! holds passwords or tokens: an entry names the action, the account acted on and, for devices,
//! the device.

use rusqlite::params;
use serde::Serialize;

use super::{AccountDb, AccountError, now};

/// One thing done to an account or device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Seconds since the Unix epoch.
    pub at: i64,
    /// The account that did it, or `cli` for the command line.
    pub actor: String,
    /// `account.create`, `account.password`, `account.disable`, `account.enable`,
    /// `account.revoke`, `device.revoke`.
    pub action: String,
    /// The account acted on.
    pub target: String,
    /// The device, the role and scope of a new account, … never a secret.
    pub detail: String,
}

impl AccountDb {
    /// Writes an audit entry.
    pub fn audit(&self, actor: &str, action: &str, target: &str, detail: &str) -> Result<(), AccountError> {
        self.conn().execute(
            "INSERT INTO audit (at, actor, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![now(), actor, action, target, detail],
        )?;
        Ok(())
    }

    /// The latest entries, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, AccountError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT at, actor, action, target, detail FROM audit ORDER BY id DESC LIMIT ?1")?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(AuditEntry {
                at: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                target: r.get(3)?,
                detail: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
