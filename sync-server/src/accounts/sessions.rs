//! Logging in and what a token is worth: sessions open per device, end on logout elsewhere, a
//! new password, a disabled account or a revoked device.

use rusqlite::{OptionalExtension, params};

use super::{
    AccountDb, AccountError, Session, TokenState, decoy_hash, now, random_hex, token_hash, valid_device,
    verify_password,
};

impl AccountDb {
    /// Checks a password and opens a session for the device; `None` for a wrong username or
    /// password (the two are not told apart). Only after the password is right does it say that
    /// the account is disabled or the device revoked.
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
        if account.disabled {
            return Err(AccountError::Disabled);
        }
        if self.device_revoked(username, device)? {
            return Err(AccountError::DeviceRevoked);
        }
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

    /// The live session a token belongs to: not expired, not revoked, account still there
    /// and enabled, device not revoked.
    pub fn session(&self, token: &str) -> Result<Option<Session>, AccountError> {
        Ok(match self.check_token(token)? {
            TokenState::Live(session) => Some(session),
            TokenState::Ended | TokenState::DeviceRevoked => None,
        })
    }

    /// What a token is worth: a live session, ended, or from a revoked device (which must
    /// erase the account's data; told even when the token has also expired).
    pub fn check_token(&self, token: &str) -> Result<TokenState, AccountError> {
        let row: Option<(String, String, i64, i64)> = self
            .conn()
            .query_row(
                "SELECT username, device, expires_at, revoked FROM sessions WHERE token_hash = ?1",
                [token_hash(token)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((username, device, expires_at, revoked)) = row else {
            return Ok(TokenState::Ended);
        };
        if self.device_revoked(&username, &device)? {
            return Ok(TokenState::DeviceRevoked);
        }
        if revoked != 0 || expires_at <= now() {
            return Ok(TokenState::Ended);
        }
        Ok(match self.get(&username)? {
            Some(account) if !account.disabled => TokenState::Live(Session {
                account,
                device,
                expires_at,
            }),
            _ => TokenState::Ended,
        })
    }
}
