//! The connection to the relay: connecting, backoff, the handshake, the token, and the
//! automerge-repo messages received and offered.

use automerge::sync::{self, SyncDoc};
use desmigratif_model::wire::WireMessage;

use super::{Connection, Effect, FIRST_RETRY_MS, MAX_RETRY_MS, Replica};

impl Replica {
    /// Connect if there is no connection (at start, on a timer, on the `online` event).
    pub fn connect(&mut self) -> Vec<Effect> {
        if self.connection != Connection::Offline {
            return Vec::new();
        }
        self.connection = Connection::Connecting;
        vec![Effect::Open]
    }

    /// The network came back or the app became visible: retry at once, backoff reset.
    pub fn retry_now(&mut self) -> Vec<Effect> {
        self.backoff_ms = FIRST_RETRY_MS;
        self.connect()
    }

    /// The socket opened: introduce ourselves.
    pub fn opened(&mut self) -> Vec<Effect> {
        vec![Effect::Send(
            WireMessage::Join {
                sender: self.peer_id.clone(),
            }
            .encode(),
        )]
    }

    /// The socket closed (or failed to open).
    pub fn closed(&mut self) -> Vec<Effect> {
        match std::mem::replace(&mut self.connection, Connection::Offline) {
            Connection::Online { .. } => vec![self.schedule_retry()],
            // Refused before the handshake: offline, or the token is no longer good.
            Connection::Connecting => vec![Effect::CheckToken],
            other @ (Connection::Stopped | Connection::SessionExpired) => {
                self.connection = other;
                Vec::new()
            }
            Connection::Offline => Vec::new(),
        }
    }

    /// The answer to [`Effect::CheckToken`]: `Some(false)` if the relay refused the token,
    /// `None` if it could not be asked.
    pub fn token_checked(&mut self, valid: Option<bool>) -> Vec<Effect> {
        if self.connection != Connection::Offline {
            return Vec::new();
        }
        if valid == Some(false) {
            self.connection = Connection::SessionExpired;
            return Vec::new();
        }
        vec![self.schedule_retry()]
    }

    /// The user logged in again after the relay ended the session.
    pub fn renewed(&mut self) -> Vec<Effect> {
        if matches!(self.connection, Connection::SessionExpired | Connection::Stopped) {
            self.connection = Connection::Offline;
        }
        self.retry_now()
    }

    /// Stop syncing (logout).
    pub fn stop(&mut self) -> Vec<Effect> {
        let open = matches!(
            self.connection,
            Connection::Connecting | Connection::Online { .. }
        );
        self.connection = Connection::Stopped;
        if open { vec![Effect::Close] } else { Vec::new() }
    }

    fn schedule_retry(&mut self) -> Effect {
        let delay = self.backoff_ms;
        self.backoff_ms = (self.backoff_ms * 2).min(MAX_RETRY_MS);
        Effect::RetryIn(delay)
    }

    /// A message from the relay.
    pub fn received(&mut self, bytes: &[u8]) -> Vec<Effect> {
        let Ok(message) = WireMessage::decode(bytes) else {
            return Vec::new();
        };
        match message {
            WireMessage::Peer { sender, .. } => {
                self.connection = Connection::Online { relay: sender };
                self.backoff_ms = FIRST_RETRY_MS;
                // A new connection: forget what was in flight, keep what is shared.
                for d in self.docs.values_mut() {
                    if let Ok(state) = sync::State::decode(&d.sync.encode()) {
                        d.sync = state;
                    }
                    d.unavailable = false;
                }
                let ids: Vec<String> = self.docs.keys().cloned().collect();
                ids.iter().flat_map(|id| self.offer(id)).collect()
            }
            WireMessage::Sync { doc, data, .. } | WireMessage::Request { doc, data, .. } => {
                self.receive(&doc, &data)
            }
            WireMessage::DocUnavailable { doc, .. } => {
                if let Some(d) = self.docs.get_mut(&doc) {
                    d.unavailable = true;
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Applies a sync message: the changes it brought are stored together with the sync state
    /// (one effect), shown, and answered.
    fn receive(&mut self, doc: &str, data: &[u8]) -> Vec<Effect> {
        let Ok(message) = sync::Message::decode(data) else {
            return Vec::new();
        };
        let Some(d) = self.docs.get_mut(doc).filter(|d| d.loaded) else {
            return Vec::new();
        };
        // A large message (a first download) is split by marks for the browser bench.
        let large = data.len() > LARGE_MESSAGE;
        if d.automerge
            .sync()
            .receive_sync_message(&mut d.sync, message)
            .is_err()
        {
            return Vec::new();
        }
        mark_if(large, "desmigratif:large-message-applied");
        let changes = d.unsaved_changes();
        mark_if(large, "desmigratif:large-message-encoded");
        let mut effects = Vec::new();
        if !changes.is_empty() {
            d.refresh_view();
            mark_if(large, "desmigratif:large-message-read");
            effects.push(Effect::Changed(doc.to_owned()));
        }
        effects.push(Effect::Persist {
            doc: doc.to_owned(),
            changes,
            sync_state: d.sync.encode(),
        });
        effects.extend(self.offer(doc));
        effects
    }

    /// Offers the relay whatever it lacks of a document (nothing while not connected).
    pub(super) fn offer(&mut self, doc: &str) -> Vec<Effect> {
        let Connection::Online { relay } = &self.connection else {
            return Vec::new();
        };
        let relay = relay.clone();
        let Some(d) = self.docs.get_mut(doc).filter(|d| d.loaded) else {
            return Vec::new();
        };
        let empty = d.automerge.get_heads().is_empty();
        let Some(m) = d.automerge.sync().generate_sync_message(&mut d.sync) else {
            return Vec::new();
        };
        let message =
            WireMessage::sync_or_request(empty, self.peer_id.clone(), relay, doc.to_owned(), m.encode());
        vec![Effect::Send(message.encode())]
    }
}

/// A sync message this large (bytes) is marked on the worker's timeline as it is handled.
const LARGE_MESSAGE: usize = 100_000;

fn mark_if(large: bool, name: &str) {
    if large {
        crate::mark(name);
    }
}
