//! What one client may take of the relay: connections at once (in all, per account, per
//! device) and, per connection, messages and bytes per second. The numbers are `serve` options
//! ([`crate::server::Limits`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The sync connections open now: in all, per account and per device. A connection holds a
/// [`ConnectionSlot`] for its lifetime; dropping it frees the place.
#[derive(Clone, Debug, Default)]
pub struct Connections(Arc<Mutex<Open>>, Arc<tokio::sync::Notify>);

#[derive(Debug, Default)]
struct Open {
    total: usize,
    per_account: HashMap<String, usize>,
    per_device: HashMap<(String, String), usize>,
}

/// Why a connection was not let in.
#[derive(Debug, PartialEq, Eq)]
pub enum Full {
    Relay,
    Account,
    Device,
}

impl Connections {
    /// Takes a place for a connection of `username`'s `device`, within the limits.
    pub fn enter(
        &self,
        limits: &crate::server::Limits,
        username: &str,
        device: &str,
    ) -> Result<ConnectionSlot, Full> {
        let mut open = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let device_key = (username.to_owned(), device.to_owned());
        if open.total >= limits.max_connections {
            return Err(Full::Relay);
        }
        if open.per_account.get(username).copied().unwrap_or(0) >= limits.max_connections_per_account {
            return Err(Full::Account);
        }
        if open.per_device.get(&device_key).copied().unwrap_or(0) >= limits.max_connections_per_device {
            return Err(Full::Device);
        }
        open.total += 1;
        *open.per_account.entry(username.to_owned()).or_default() += 1;
        *open.per_device.entry(device_key.clone()).or_default() += 1;
        Ok(ConnectionSlot {
            connections: self.clone(),
            device: device_key,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).total
    }

    /// Completes once at most `n` connections are open, or returns false after `timeout`.
    pub async fn wait_open_at_most(&self, n: usize, timeout: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let closed = self.1.notified();
            if self.open() <= n {
                return true;
            }
            if tokio::time::timeout_at(deadline, closed).await.is_err() {
                return self.open() <= n;
            }
        }
    }
}

/// A connection's place; freed when dropped.
#[derive(Debug)]
pub struct ConnectionSlot {
    connections: Connections,
    device: (String, String),
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self.connections.0.lock().unwrap_or_else(|p| p.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.per_account.get_mut(&self.device.0) {
            *n -= 1;
            if *n == 0 {
                open.per_account.remove(&self.device.0);
            }
        }
        if let Some(n) = open.per_device.get_mut(&self.device) {
            *n -= 1;
            if *n == 0 {
                open.per_device.remove(&self.device);
            }
        }
        drop(open);
        self.connections.1.notify_waiters();
    }
}

/// A token bucket: `burst` messages (or bytes) at once, refilled at `per_second`.
#[derive(Debug)]
pub(crate) struct RateLimit {
    tokens: f64,
    burst: f64,
    per_second: f64,
    last: tokio::time::Instant,
}

impl RateLimit {
    pub(crate) fn new(burst: u32, per_second: u32) -> Self {
        Self {
            tokens: f64::from(burst),
            burst: f64::from(burst),
            per_second: f64::from(per_second),
            last: tokio::time::Instant::now(),
        }
    }
    pub(crate) fn allow(&mut self) -> bool {
        self.allow_n(1.0)
    }
    pub(crate) fn allow_n(&mut self, n: f64) -> bool {
        let now = tokio::time::Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.last).as_secs_f64() * self.per_second).min(self.burst);
        self.last = now;
        if self.tokens >= n {
            self.tokens -= n;
            true
        } else {
            false
        }
    }
}
