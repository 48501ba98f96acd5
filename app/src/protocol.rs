//! The messages between the window (the screens) and the documents' worker ([`crate::worker`]).
//!
//! Both directions are postcard, posted as a `Uint8Array` (the window's first message, the
//! start, also carries the vault's data key, a `CryptoKey`, beside it). The window may post
//! before the worker's wasm listens: `docs-worker.js` keeps those messages until it does. Values whose serde form postcard
//! cannot carry — an [`Edit`]'s records and a [`Session`] (JSON-shaped), conflicts and history
//! values (JSON values) — travel as JSON text inside.
//!
//! [`Edit`]: desmigratif_model::Edit
//! [`Session`]: crate::session::Session

use std::collections::BTreeSet;

use automerge::ChangeHash;
use desmigratif_model::{Collection, Edited, RecordId};
use serde::{Deserialize, Serialize};

use crate::replica::ScreenUpdate;

/// What the window asks of the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Load the session's documents and sync them through `sync_url`. `session` is the
    /// [`crate::session::Session`] as JSON.
    Start { session: String, sync_url: String },
    /// Apply an edit (`edit`: a [`desmigratif_model::Edit`] as JSON); answered with
    /// [`Answer::Edited`] once the change is stored.
    Apply { call: u32, doc: String, edit: String },
    /// A record's fields holding concurrent values; answered with [`Answer::Json`] (a list of
    /// [`desmigratif_model::FieldConflict`]).
    Conflicts {
        call: u32,
        doc: String,
        collection: Collection,
        id: RecordId,
    },
    /// The values a record's fields had before and after each of these changes; answered with
    /// [`Answer::Json`] (one list of [`desmigratif_model::FieldChange`] per change).
    ValuesAround {
        call: u32,
        doc: String,
        collection: Collection,
        id: RecordId,
        changes: Vec<(ChangeHash, Vec<String>)>,
    },
    /// The window's copy of a document missed an update: send the view whole.
    WholeView { doc: String },
    /// The window asked the relay about the token after a refused socket: `Some(true)` live,
    /// `Some(false)` ended, `None` the relay could not be asked.
    TokenChecked(Option<bool>),
    /// What the window saw of the network and of itself.
    Network(NetworkEvent),
    /// The user asked to try the relay now.
    RetryNow,
    /// Continue with a new token (the same account logged in again).
    Renew { token: String, expires_at: i64 },
    /// Stop syncing (logout).
    Stop,
    /// Stop and remove every document of the session from the device; answered with
    /// [`Answer::Done`].
    Forget { call: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NetworkEvent {
    Online,
    Offline,
    /// The app became visible again (a moment to retry at once).
    Visible,
    /// The app was hidden or is closing (a moment to store the views).
    Hidden,
}

/// What the worker tells the window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Notice {
    /// The documents could not be opened.
    Failed(String),
    /// What the window's copy of a document needs to follow it.
    Update { doc: String, update: Box<ScreenUpdate> },
    /// Where sync stands.
    Status(SyncStatus),
    /// The persons of a village document with changes the relay has not confirmed.
    Unsent {
        doc: String,
        persons: BTreeSet<RecordId>,
    },
    /// Every document is loaded (edits no longer wait).
    Loaded,
    /// A mark for the page's timeline (the browser bench reads them).
    Mark(String),
    /// A storage failure the user must know about.
    StorageError(String),
    /// The relay cannot be reached: the next attempt is due in so many milliseconds.
    RetryIn(u32),
    /// A socket was refused before opening: the window asks the relay about the token.
    CheckToken,
    /// The answer to a request with a call number.
    Answer { call: u32, answer: Answer },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub connection: crate::engine::Connection,
    pub unsynced: usize,
    pub receiving: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    Edited(Result<Edited, EditFailure>),
    Json(String),
    Done(Result<(), String>),
}

/// Why an edit was not saved, as the window learns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EditFailure {
    NotLoaded,
    ReadOnly,
    /// The model refused it (the reason, for the screen).
    Model(String),
    Storage(String),
}

/// A message in its posted form.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    postcard::to_allocvec(message).expect("messages always serialise")
}

/// A posted message read back; `None` if it is not one.
pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    postcard::from_bytes(bytes).ok()
}
