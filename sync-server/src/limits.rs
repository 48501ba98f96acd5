//! What one client may take of the relay: connections at once (in all, per account, per
//! device), per connection messages and bytes per second, and failed logins. The numbers are
//! `serve` options ([`Limits`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::config::ServeArgs;

/// Limits applied to every connection.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub token_lifetime_secs: i64,
    pub max_message_bytes: usize,
    pub messages_per_second: u32,
    pub burst_messages: u32,
    pub bytes_per_second: u32,
    pub max_connections: usize,
    pub max_connections_per_account: usize,
    pub max_connections_per_device: usize,
    pub max_document_bytes: u64,
}

impl Limits {
    pub fn from_args(args: &ServeArgs) -> Self {
        Self {
            token_lifetime_secs: args.token_lifetime_hours * 3600,
            max_message_bytes: args.max_message_bytes,
            messages_per_second: args.messages_per_second,
            burst_messages: args.burst_messages,
            bytes_per_second: args.bytes_per_second,
            max_connections: args.max_connections,
            max_connections_per_account: args.max_connections_per_account,
            max_connections_per_device: args.max_connections_per_device,
            max_document_bytes: args.max_document_bytes,
        }
    }
}

/// Failed logins per username and per address, in a sliding window.
#[derive(Debug, Clone, Default)]
pub struct LoginLimiter {
    failures: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
}

const WINDOW: Duration = Duration::from_secs(300);
const MAX_PER_USER: usize = 10;
const MAX_PER_ADDRESS: usize = 30;

impl LoginLimiter {
    fn keys(username: &str, ip: IpAddr) -> [(String, usize); 2] {
        [
            (format!("u:{username}"), MAX_PER_USER),
            (format!("a:{ip}"), MAX_PER_ADDRESS),
        ]
    }

    pub(crate) fn blocked(&self, username: &str, ip: IpAddr) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        Self::keys(username, ip).iter().any(|(k, max)| {
            let v = map.entry(k.clone()).or_default();
            v.retain(|t| now.duration_since(*t) < WINDOW);
            v.len() >= *max
        })
    }

    pub(crate) fn failed(&self, username: &str, ip: IpAddr) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for (k, _) in Self::keys(username, ip) {
            map.entry(k).or_default().push(Instant::now());
        }
        // Keep the map from growing without bound under a spray of usernames.
        if map.len() > 10_000 {
            let now = Instant::now();
            map.retain(|_, v| v.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
    }
}

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
    pub fn enter(&self, limits: &Limits, username: &str, device: &str) -> Result<ConnectionSlot, Full> {
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
