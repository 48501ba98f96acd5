//! The devices of an account: every device id that logged in, when it was last seen and with
//! which app version, and revoking one device without touching the account's others.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{AccountDb, AccountError, now, token_hash};

/// One device of an account, as an office sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Device {
    /// The id the app made (`name~random` when the user named the device).
    pub device: String,
    /// The name the user gave it, else the id.
    pub name: String,
    /// Seconds since the Unix epoch.
    pub first_login: i64,
    /// The last login, sync connection or session check.
    pub last_seen: i64,
    pub app_version: Option<String>,
    /// Sessions neither expired nor ended.
    pub live_sessions: u32,
    pub revoked_at: Option<i64>,
}

impl AccountDb {
    /// Every device that ever logged in to the account, most recently seen first.
    pub fn devices(&self, username: &str) -> Result<Vec<Device>, AccountError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT s.device, MIN(s.created_at), MAX(COALESCE(s.last_seen, s.created_at)),
                    (SELECT app_version FROM sessions v
                       WHERE v.username = s.username AND v.device = s.device AND v.app_version IS NOT NULL
                       ORDER BY COALESCE(v.last_seen, v.created_at) DESC LIMIT 1),
                    SUM(CASE WHEN s.revoked = 0 AND s.expires_at > ?2 THEN 1 ELSE 0 END),
                    r.revoked_at
               FROM sessions s
               LEFT JOIN revoked_devices r ON r.username = s.username AND r.device = s.device
              WHERE s.username = ?1
              GROUP BY s.device
              ORDER BY 3 DESC",
        )?;
        let rows = stmt.query_map(params![username, now()], |r| {
            let device: String = r.get(0)?;
            Ok(Device {
                name: desmigratif_model::device_name(&device),
                device,
                first_login: r.get(1)?,
                last_seen: r.get(2)?,
                app_version: r.get(3)?,
                live_sessions: r.get::<_, i64>(4)? as u32,
                revoked_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Revokes one device: its sessions end, it cannot log in again under this id, and when it
    /// next asks it is told to erase the account's data. The account's other devices go on.
    pub fn revoke_device(&self, username: &str, device: &str) -> Result<(), AccountError> {
        let known: bool = self
            .conn()
            .prepare("SELECT 1 FROM sessions WHERE username = ?1 AND device = ?2")?
            .exists(params![username, device])?;
        if !known {
            return Err(AccountError::NoSuchDevice(device.into()));
        }
        {
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            tx.execute(
                "INSERT INTO revoked_devices (username, device, revoked_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(username, device) DO NOTHING",
                params![username, device, now()],
            )?;
            tx.execute(
                "UPDATE sessions SET revoked = 1 WHERE username = ?1 AND device = ?2",
                params![username, device],
            )?;
            tx.commit()?;
        }
        self.changed.notify_waiters();
        Ok(())
    }

    /// Whether the device was revoked for this account.
    pub fn device_revoked(&self, username: &str, device: &str) -> Result<bool, AccountError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM revoked_devices WHERE username = ?1 AND device = ?2",
                params![username, device],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Notes that the token's device was seen now, with the app version it reported.
    pub fn seen(&self, token: &str, app_version: Option<&str>) -> Result<(), AccountError> {
        let version = app_version.filter(|v| valid_version(v));
        self.conn().execute(
            "UPDATE sessions SET last_seen = ?2, app_version = COALESCE(?3, app_version) WHERE token_hash = ?1",
            params![token_hash(token), now(), version],
        )?;
        Ok(())
    }
}

/// An app version as devices report it: short, printable, no separators of other fields.
fn valid_version(v: &str) -> bool {
    (1..=32).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+'))
}

#[cfg(test)]
mod tests {
    use super::super::{Role, TokenState};
    use super::*;

    #[test]
    fn revoking_one_device_leaves_the_others_and_is_told_to_the_revoked_one() {
        let db = AccountDb::open(std::path::Path::new(":memory:")).unwrap();
        db.add("desa-arjo", Role::Village, Some("35.07.11.2008"), "kebun-kopi-17")
            .unwrap();
        let (lost, _) = db
            .login("desa-arjo", "kebun-kopi-17", "HP_Sri.a1b2", 600)
            .unwrap()
            .unwrap();
        let (kept, _) = db
            .login("desa-arjo", "kebun-kopi-17", "laptop-balai", 600)
            .unwrap()
            .unwrap();
        db.seen(&lost, Some("0.1.0")).unwrap();
        let devices = db.devices("desa-arjo").unwrap();
        assert_eq!(devices.len(), 2);
        let sri = devices.iter().find(|d| d.device == "HP_Sri.a1b2").unwrap();
        assert_eq!(sri.name, desmigratif_model::device_name("HP_Sri.a1b2"));
        assert_eq!(sri.app_version.as_deref(), Some("0.1.0"));
        assert_eq!(sri.live_sessions, 1);

        db.revoke_device("desa-arjo", "HP_Sri.a1b2").unwrap();
        assert_eq!(db.check_token(&lost).unwrap(), TokenState::DeviceRevoked);
        assert!(matches!(db.check_token(&kept).unwrap(), TokenState::Live(_)));
        assert!(matches!(
            db.login("desa-arjo", "kebun-kopi-17", "HP_Sri.a1b2", 600),
            Err(AccountError::DeviceRevoked)
        ));
        // A wrong password learns nothing about the device.
        assert!(
            db.login("desa-arjo", "salah-sandi-1", "HP_Sri.a1b2", 600)
                .unwrap()
                .is_none()
        );
        let sri = db
            .devices("desa-arjo")
            .unwrap()
            .into_iter()
            .find(|d| d.device == "HP_Sri.a1b2")
            .unwrap();
        assert!(sri.revoked_at.is_some());
        assert_eq!(sri.live_sessions, 0);
        assert!(matches!(
            db.revoke_device("desa-arjo", "tidak-ada"),
            Err(AccountError::NoSuchDevice(_))
        ));
    }
}
