//! The sync endpoint: `GET /sync` upgrades to a WebSocket speaking the automerge-repo protocol,
//! whose messages go to the samod shard holding their document (see [`crate::shards`]). Before
//! the upgrade the token is checked (401 otherwise); after it the connection is bound to the
//! peer id `username/device/session`, limited in message size and rate, cut off for a sync
//! payload Automerge could not take safely, held to the durability rule (see
//! [`crate::store`]) and closed when its session ends.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use desmigratif_model::wire::{Payload, WireMessage};
use futures::channel::mpsc;
use futures::stream::FuturesUnordered;
use futures::{SinkExt, StreamExt};
use serde::Deserialize;

use crate::accounts::{Role, Session, TokenState};
use crate::limits::{ConnectionSlot, Full, RateLimit};
use crate::state::AppState;
use crate::wire;

/// How long an outgoing message may wait for its heads to reach the disk before the
/// connection is closed (the peer retries later).
const DURABILITY_WAIT: Duration = Duration::from_secs(30);
/// The WebSocket's read and write buffers, per connection.
const SOCKET_BUFFER: usize = 8 * 1024;
/// How often a live connection re-checks that its session is still valid.
const SESSION_RECHECK: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("websocket: {0}")]
    Socket(#[from] axum::Error),
    #[error("text frames are not part of the protocol")]
    TextFrame,
    #[error("too many messages: the connection exceeded its rate limit")]
    RateLimited,
    #[error("too many bytes: the connection exceeded its byte-rate limit")]
    ByteRateLimited,
    #[error("the relay could not make the announced changes durable in time")]
    NotDurable,
    #[error("the sync layer closed the connection")]
    Closed,
}

#[derive(Debug, Deserialize)]
pub struct SyncQuery {
    token: Option<String>,
    /// Distinguishes tabs or app instances of one device; part of the peer id.
    session: Option<String>,
    /// The app version, shown in the account's device list.
    v: Option<String>,
}

/// The bearer token from the `Authorization` header, else from `?token=`.
pub fn bearer_token(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
        .or_else(|| query.map(str::to_owned))
}

pub async fn sync_handler(
    State(state): State<AppState>,
    Query(query): Query<SyncQuery>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Some(token) = bearer_token(&headers, query.token.as_deref()) else {
        return (StatusCode::UNAUTHORIZED, "missing token").into_response();
    };
    let session = match state.db.check_token(&token) {
        Ok(TokenState::Live(s)) => s,
        Ok(state) => return crate::api::ApiError::token(&state).into_response(),
        Err(e) => return crate::AppError::Internal(e.into()).into_response(),
    };
    // Partners and administrators have no documents: they never sync.
    if matches!(session.account.role, Role::Partner | Role::Admin) {
        return (StatusCode::FORBIDDEN, "this account has no documents to sync").into_response();
    }
    let tab = query.session.unwrap_or_else(|| "0".into());
    if !crate::accounts::valid_device(&tab) {
        return (StatusCode::BAD_REQUEST, "bad session id").into_response();
    }
    let upgrade = match upgrade {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    let slot = match state
        .connections
        .enter(&state.limits, &session.account.username, &session.device)
    {
        Ok(slot) => slot,
        Err(full) => {
            let (status, message) = match full {
                Full::Relay => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the relay holds as many connections as it may; try again later",
                ),
                Full::Account => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "this account holds as many connections as it may",
                ),
                Full::Device => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "this device holds as many connections as it may; close a tab",
                ),
            };
            tracing::warn!(user = %session.account.username, ?full, "connection refused: limit reached");
            let mut response = (status, message).into_response();
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                "30".parse().expect("valid header"),
            );
            return response;
        }
    };
    let peer_id = format!("{}/{}/{tab}", session.account.username, session.device);
    if let Err(e) = state.db.seen(&token, query.v.as_deref()) {
        tracing::warn!(error = %e, "could not note the device as seen");
    }
    upgrade
        .max_message_size(state.limits.max_message_bytes)
        .max_frame_size(state.limits.max_message_bytes)
        // tungstenite reserves 128 KiB each way per connection by default; a phone's messages
        // are mostly small, and the buffers grow for the large ones.
        .read_buffer_size(SOCKET_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        .on_upgrade(move |socket| connect(state, socket, session, token, peer_id, slot))
}

async fn connect(
    state: AppState,
    socket: WebSocket,
    session: Session,
    token: String,
    peer_id: String,
    slot: ConnectionSlot,
) {
    let user = session.account.username.clone();
    let device = session.device.clone();
    let (sink, stream) = socket.split();

    // Ends the incoming stream (and so the connection) when the session stops being valid.
    let (end_tx, end_rx) = tokio::sync::oneshot::channel::<&'static str>();
    let mut limit = RateLimit::new(state.limits.burst_messages, state.limits.messages_per_second);
    let burst_bytes = u32::try_from(state.limits.max_message_bytes.saturating_mul(2)).unwrap_or(u32::MAX);
    let mut byte_limit = RateLimit::new(
        burst_bytes.max(state.limits.bytes_per_second),
        state.limits.bytes_per_second,
    );
    let log_user = user.clone();
    let incoming = stream
        .take_until(end_rx)
        .filter_map(move |msg| {
            let out = match msg {
                Ok(Message::Binary(bytes)) => {
                    if !limit.allow() {
                        tracing::warn!(user = %log_user, "closing connection: rate limit exceeded");
                        Some(Err(TransportError::RateLimited))
                    } else if !byte_limit.allow_n(bytes.len() as f64) {
                        tracing::warn!(user = %log_user, "closing connection: byte-rate limit exceeded");
                        Some(Err(TransportError::ByteRateLimited))
                    } else {
                        Some(Ok(bytes.to_vec()))
                    }
                }
                Ok(Message::Text(_)) => {
                    tracing::warn!(user = %log_user, "closing connection: text frame");
                    Some(Err(TransportError::TextFrame))
                }
                Ok(Message::Ping(_) | Message::Pong(_)) => None,
                Ok(Message::Close(_)) => None,
                Err(e) => Some(Err(TransportError::Socket(e))),
            };
            futures::future::ready(out)
        })
        .boxed();

    // What every shard sends leaves through one queue, each message held back until the heads
    // it announces are on disk.
    let (out_tx, out_rx) = mpsc::channel::<Vec<u8>>(OUTGOING_QUEUE);
    let mut writer = tokio::spawn(send_to_device(state.store.clone(), sink, out_rx));

    let db = state.db.clone();
    let ended = db.sessions_changed();
    let watcher = tokio::spawn(async move {
        loop {
            // Revocations wake every connection at once (the API's directly, the command
            // line's within a second through `watch_other_writers`); the poll is a backstop.
            // Listening starts before the check, so a revocation made during it is not missed.
            let woken = ended.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let expires_in = match db.check_token(&token) {
                Ok(TokenState::Live(session)) => session.expires_at.saturating_sub(crate::accounts::now()),
                _ => {
                    let _ = end_tx.send("session ended");
                    return;
                }
            };
            // The session's own end is a wake-up too: an expiring token ends its connection
            // when it expires, not at the next poll.
            let next = SESSION_RECHECK.min(Duration::from_secs(u64::try_from(expires_in).unwrap_or(0)));
            tokio::select! {
                () = tokio::time::sleep(next) => {}
                () = woken => {}
            }
        }
    });
    tracing::info!(%user, %device, "peer connected");
    let reason = relay_messages(&state, incoming, out_tx, &peer_id, &mut writer).await;
    watcher.abort();
    // Closes the socket; the shards see their connections end as their queues are dropped.
    writer.abort();
    drop(slot);
    tracing::info!(%user, %device, %reason, "peer disconnected");
}

/// The device's messages on their way to one shard.
type ShardQueue = mpsc::Sender<Result<Vec<u8>, TransportError>>;

/// Messages queued towards the device, from every shard, before the shards wait.
const OUTGOING_QUEUE: usize = 64;
/// Messages queued towards one shard before reading the device waits.
const INCOMING_QUEUE: usize = 16;

/// Sends the shards' messages to the device, each once what it announces is durable; returns
/// why it stopped.
async fn send_to_device(
    store: crate::FileStore,
    mut sink: futures::stream::SplitSink<WebSocket, Message>,
    mut queue: mpsc::Receiver<Vec<u8>>,
) -> TransportError {
    while let Some(bytes) = queue.next().await {
        if let Some((doc, heads)) = wire::announced_heads(&bytes)
            && !store.wait_durable(&doc, &heads, DURABILITY_WAIT).await
        {
            return TransportError::NotDurable;
        }
        if let Err(e) = sink.send(Message::Binary(bytes.into())).await {
            return TransportError::Socket(e);
        }
    }
    TransportError::Closed
}

/// Hands each message of the device to the shard holding its document, opening the device's
/// connection to a shard at its first message there, until the device, a shard or the socket
/// ends the conversation; returns why.
async fn relay_messages(
    state: &AppState,
    mut incoming: futures::stream::BoxStream<'static, Result<Vec<u8>, TransportError>>,
    out: mpsc::Sender<Vec<u8>>,
    peer_id: &str,
    writer: &mut tokio::task::JoinHandle<TransportError>,
) -> String {
    // The device's handshake, replayed to each shard it reaches.
    let mut join: Option<Vec<u8>> = None;
    let mut shards: HashMap<usize, ShardQueue> = HashMap::new();
    let mut finished = FuturesUnordered::new();
    loop {
        tokio::select! {
            msg = incoming.next() => {
                let bytes = match msg {
                    None => return "closed by the device".into(),
                    Some(Err(e)) => return e.to_string(),
                    Some(Ok(bytes)) => bytes,
                };
                let (index, handshake) = match &join {
                    // The first message is the handshake: the lobby answers it.
                    None => (state.sync.lobby(), true),
                    Some(_) => match WireMessage::decode_header(&bytes) {
                        Ok(m) => {
                            if let Some(refused) = refusal(state, &m, &bytes) {
                                return refused;
                            }
                            (m.document().map_or(state.sync.lobby(), |d| state.sync.index_of(d)), false)
                        }
                        Err(e) => return format!("malformed message: {e}"),
                    },
                };
                if handshake {
                    join = Some(bytes.clone());
                }
                if let Entry::Vacant(place) = shards.entry(index) {
                    let join = join.as_deref().expect("the handshake came first");
                    let Ok((queue, ended)) = open_shard(state, index, join, &out, peer_id, handshake) else {
                        return "the relay is stopping".into();
                    };
                    place.insert(queue);
                    finished.push(ended);
                    if handshake {
                        continue;
                    }
                }
                let queue = shards.get_mut(&index).expect("opened above");
                if queue.send(Ok(bytes)).await.is_err() {
                    return "the sync layer closed the connection".into();
                }
            }
            Some(reason) = finished.next() => return reason.to_string(),
            stopped = &mut *writer => {
                return stopped.map_or_else(|e| e.to_string(), |e| e.to_string());
            }
        }
    }
}

/// Why a message must not reach its shard, if it must not: a sync payload Automerge would
/// panic on, or changes to a document already over its size cap (reading it still works).
fn refusal(state: &AppState, header: &WireMessage, bytes: &[u8]) -> Option<String> {
    if !matches!(header, WireMessage::Sync { .. } | WireMessage::Request { .. }) {
        return None;
    }
    let full = WireMessage::decode(bytes).ok()?;
    let changes = match full.payload() {
        Payload::Unsafe(reason) => return Some(format!("refused a sync message: {reason}")),
        Payload::Sync { changes } => changes,
        Payload::NotSync => false,
    };
    let doc = full.document()?;
    if changes {
        let stored = state.store.stored_bytes(doc);
        if stored > state.limits.max_document_bytes {
            tracing::warn!(
                stored,
                cap = state.limits.max_document_bytes,
                "changes refused: the document is over its size cap"
            );
            return Some("refused changes: the document is over its size cap".into());
        }
    }
    None
}

/// Opens the device's connection to one shard, its handshake queued first. Only the shard
/// that `answers_handshake` sends its reply on: the device is answered once. Returns the
/// shard's queue and a future that completes with the reason when the shard ends the
/// connection.
fn open_shard(
    state: &AppState,
    index: usize,
    join: &[u8],
    out: &mpsc::Sender<Vec<u8>>,
    peer_id: &str,
    answers_handshake: bool,
) -> Result<
    (
        ShardQueue,
        impl Future<Output = samod::ConnFinishedReason> + Send + 'static,
    ),
    samod::Stopped,
> {
    let (mut queue, rx) = mpsc::channel(INCOMING_QUEUE);
    queue.try_send(Ok(join.to_vec())).expect("a new queue has room");
    let outgoing = out.clone().with_flat_map(move |bytes: Vec<u8>| {
        let keep =
            answers_handshake || !matches!(WireMessage::decode_header(&bytes), Ok(WireMessage::Peer { .. }));
        futures::stream::iter(keep.then_some(Ok(bytes)))
    });
    let transport = samod::Transport::new(rx, outgoing).with_expected_peer_id(samod::PeerId::from(peer_id));
    let connection = state.sync.acceptor(index).accept(transport)?;
    let ended = async move {
        // Listening before the handshake's end, so no disconnection is missed.
        let mut events = connection.events();
        if let Err(reason) = connection.handshake_complete().await {
            return reason;
        }
        loop {
            match events.next().await {
                Some(samod::AcceptorEvent::ClientDisconnected { reason, .. }) => return reason,
                Some(_) => {}
                None => return samod::ConnFinishedReason::WeDisconnected,
            }
        }
    };
    Ok((queue, ended))
}
