//! A relay on 127.0.0.1:0 (in this process or as a child process) and a WebSocket peer that
//! speaks the automerge-repo protocol, built from tokio-tungstenite, the model's wire codec and automerge's
//! own sync module.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use automerge::AutoCommit;
use automerge::sync::{self, SyncDoc};
use desmigratif_model::wire::WireMessage;
use futures::{SinkExt, StreamExt};
use sync_server::accounts::{AccountDb, Role};
use sync_server::config::{DataDir, ServeArgs};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub const PASSWORD: &str = "rahasia-123";
/// Arjowilangun, the demo village most tests use.
pub const ARJO: &str = "35.07.11.2008";

/// A fresh, empty directory under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("desmigratif-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn serve_args(data_dir: &Path) -> ServeArgs {
    ServeArgs {
        listen: "127.0.0.1:0".parse().unwrap(),
        data: DataDir {
            data_dir: data_dir.to_path_buf(),
        },
        static_dir: data_dir.join("no-static"),
        no_demo: false,
        demo_households: 20,
        demo_villages: 4,
        token_lifetime_hours: 1,
        max_message_bytes: 1024 * 1024,
        messages_per_second: 200,
        burst_messages: 400,
        bytes_per_second: 4 * 1024 * 1024,
        max_connections: 4096,
        max_connections_per_account: 64,
        max_connections_per_device: 8,
        sync_shards: 4,
        max_document_bytes: 256 * 1024 * 1024,
        tls_cert: None,
        tls_key: None,
        tls_reload_seconds: 60,
    }
}

/// A relay running in this process.
pub struct TestRelay {
    pub addr: std::net::SocketAddr,
    pub db: AccountDb,
    pub store: sync_server::FileStore,
    pub connections: sync_server::limits::Connections,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestRelay {
    pub async fn start(data_dir: &Path) -> Self {
        Self::start_with(serve_args(data_dir)).await
    }

    pub async fn start_with(args: ServeArgs) -> Self {
        let relay = sync_server::Relay::open(&args).await.unwrap();
        let db = relay.state.db.clone();
        let store = relay.state.store.clone();
        let connections = relay.state.connections.clone();
        let listener = TcpListener::bind(args.listen).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(sync_server::serve(listener, relay, async move {
            let _ = rx.await;
        }));
        Self {
            addr,
            db,
            store,
            connections,
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// Stops gracefully (as on SIGTERM) and waits until storage is flushed.
    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap().unwrap();
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/sync", self.addr)
    }

    /// A token for a new account of the given role and scope.
    pub fn token(&self, username: &str, role: Role, scope: Option<&str>, device: &str) -> String {
        token_for(&self.db, username, role, scope, device)
    }
}

pub fn token_for(db: &AccountDb, username: &str, role: Role, scope: Option<&str>, device: &str) -> String {
    if db.get(username).unwrap().is_none() {
        db.add(username, role, scope, PASSWORD).unwrap();
    }
    db.login(username, PASSWORD, device, 3600).unwrap().unwrap().0
}

/// A message received from the relay.
#[derive(Debug, Clone, PartialEq)]
pub struct Wire {
    pub kind: String,
    pub doc: Option<String>,
    pub data: Option<Vec<u8>>,
}

fn decode(bytes: &[u8]) -> Option<Wire> {
    let w = |kind: &str, doc: Option<String>, data: Option<Vec<u8>>| Wire {
        kind: kind.into(),
        doc,
        data,
    };
    Some(match WireMessage::decode(bytes).ok()? {
        WireMessage::Join { .. } => w("join", None, None),
        WireMessage::Peer { .. } => w("peer", None, None),
        WireMessage::Request { doc, data, .. } => w("request", Some(doc), Some(data)),
        WireMessage::Sync { doc, data, .. } => w("sync", Some(doc), Some(data)),
        WireMessage::DocUnavailable { doc, .. } => w("doc-unavailable", Some(doc), None),
        WireMessage::Error { .. } => w("error", None, None),
        WireMessage::Other { kind, doc } => w(&kind, doc, None),
    })
}

/// A `sync` message from `sender` to the relay.
pub fn sync_message(sender: &str, doc: &str, data: &[u8]) -> Vec<u8> {
    let target = sync_server::server::RELAY_PEER_ID.to_owned();
    WireMessage::Sync {
        sender: sender.into(),
        target,
        doc: doc.into(),
        data: data.to_vec(),
    }
    .encode()
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// An automerge-repo peer on a real WebSocket.
pub struct Peer {
    ws: Socket,
    pub peer_id: String,
    relay_id: String,
    /// Handshake answers received after the first: a relay must answer the handshake once.
    pub repeated_handshakes: usize,
}

/// Why a connection attempt failed.
#[derive(Debug)]
pub enum ConnectError {
    /// The HTTP status the upgrade was refused with.
    Refused(u16),
    Other(#[allow(dead_code)] String),
}

/// Opens the WebSocket with the token in the `Authorization` header (or none).
pub async fn open_socket(url: &str, token: Option<&str>, session: &str) -> Result<Socket, ConnectError> {
    let mut request = format!("{url}?session={session}").into_client_request().unwrap();
    if let Some(t) = token {
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {t}").parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
            Err(ConnectError::Refused(r.status().as_u16()))
        }
        Err(e) => Err(ConnectError::Other(e.to_string())),
    }
}

impl Peer {
    /// Connects and completes the join/peer handshake as `username/device/session`.
    pub async fn connect(url: &str, token: &str, username: &str, device: &str) -> Result<Self, ConnectError> {
        let session = "s1";
        let ws = open_socket(url, Some(token), session).await?;
        let mut peer = Peer {
            ws,
            peer_id: format!("{username}/{device}/{session}"),
            relay_id: String::new(),
            repeated_handshakes: 0,
        };
        let join = WireMessage::Join {
            sender: peer.peer_id.clone(),
        }
        .encode();
        peer.send_raw(join).await;
        let reply = peer
            .recv(Duration::from_secs(5))
            .await
            .ok_or(ConnectError::Other("no handshake reply".into()))?;
        if reply.kind != "peer" {
            return Err(ConnectError::Other(format!("handshake answered with {reply:?}")));
        }
        peer.relay_id = sync_server::server::RELAY_PEER_ID.into();
        Ok(peer)
    }

    pub async fn send_raw(&mut self, bytes: Vec<u8>) {
        let _ = self.ws.send(Message::Binary(bytes.into())).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        let _ = self.ws.send(Message::Text(text.into())).await;
    }

    /// The next protocol message, or `None` on timeout or close.
    pub async fn recv(&mut self, timeout: Duration) -> Option<Wire> {
        loop {
            match tokio::time::timeout(timeout, self.ws.next()).await {
                Ok(Some(Ok(Message::Binary(b)))) => {
                    let wire = decode(&b);
                    if !self.relay_id.is_empty() && wire.as_ref().is_some_and(|w| w.kind == "peer") {
                        self.repeated_handshakes += 1;
                    }
                    return wire;
                }
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                _ => return None,
            }
        }
    }

    /// Whether the relay closed the connection within `timeout`.
    pub async fn closed_within(&mut self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    fn message(&self, kind: &str, doc: &str, data: &[u8]) -> Vec<u8> {
        let (sender, target) = (self.peer_id.clone(), self.relay_id.clone());
        WireMessage::sync_or_request(kind == "request", sender, target, doc.to_owned(), data.to_vec())
            .encode()
    }

    /// Syncs `doc` with the relay until the conversation is over: both hold the same heads, or
    /// the relay answered and this side has nothing left to say (the relay kept what it would
    /// take and dropped the rest). Each step waits on the relay's reply, never on silence.
    /// Returns `false` if the relay answered that the document is unavailable.
    pub async fn sync(&mut self, doc_id: &str, doc: &mut AutoCommit, state: &mut sync::State) -> bool {
        let kind = if doc.get_heads().is_empty() {
            "request"
        } else {
            "sync"
        };
        // Nothing new to say on this state: start over, so that the relay says what it has
        // (changes other peers made since) instead of this side waiting for it to speak.
        let first = doc.sync().generate_sync_message(state);
        let first = match first {
            Some(first) => first,
            None => {
                *state = sync::State::new();
                doc.sync()
                    .generate_sync_message(state)
                    .expect("a fresh sync state always has something to say")
            }
        };
        let msg = self.message(kind, doc_id, &first.encode());
        self.send_raw(msg).await;
        loop {
            // The relay answers each message that tells it something; a missing answer is a
            // failure of the relay, reported to the test as "done" for it to check what it has.
            let Some(reply) = self.recv(Duration::from_secs(10)).await else {
                return true;
            };
            match reply.kind.as_str() {
                "doc-unavailable" if reply.doc.as_deref() == Some(doc_id) => return false,
                "sync" | "request" if reply.doc.as_deref() == Some(doc_id) => {
                    let m = sync::Message::decode(&reply.data.unwrap()).unwrap();
                    doc.sync().receive_sync_message(state, m).unwrap();
                    let out = doc.sync().generate_sync_message(state);
                    let done = in_step(doc, state) || out.is_none();
                    if let Some(out) = out {
                        let msg = self.message("sync", doc_id, &out.encode());
                        self.send_raw(msg).await;
                    }
                    if done {
                        return true;
                    }
                }
                _ => {}
            }
        }
    }
}

/// Whether the relay last announced exactly the heads `doc` has.
fn in_step(doc: &mut AutoCommit, state: &sync::State) -> bool {
    let mut ours = doc.get_heads();
    ours.sort();
    state.their_heads.clone().is_some_and(|mut theirs| {
        theirs.sort();
        theirs == ours
    })
}

impl Peer {
    /// Syncs `doc` with the relay until both hold the same heads, waiting on the relay's
    /// replies (which announce heads only once they are on its disk). Panics if the relay goes
    /// quiet for `timeout` before that.
    pub async fn exchange(
        &mut self,
        doc_id: &str,
        doc: &mut AutoCommit,
        state: &mut sync::State,
        timeout: Duration,
    ) {
        loop {
            if in_step(doc, state) {
                return;
            }
            let kind = if doc.get_heads().is_empty() {
                "request"
            } else {
                "sync"
            };
            if let Some(m) = doc.sync().generate_sync_message(state) {
                let msg = self.message(kind, doc_id, &m.encode());
                self.send_raw(msg).await;
            }
            let reply = self.recv(timeout).await.expect("the relay answers");
            if matches!(reply.kind.as_str(), "sync" | "request") && reply.doc.as_deref() == Some(doc_id) {
                let m = sync::Message::decode(&reply.data.unwrap()).unwrap();
                doc.sync().receive_sync_message(state, m).unwrap();
            }
        }
    }
}

/// The documents of the demo data.
pub fn village_id(code: &str) -> String {
    desmigratif_model::DocumentId::for_village(&code.parse().unwrap()).to_string()
}

pub fn district_id(code: &str) -> String {
    desmigratif_model::DocumentId::for_district(&code.parse().unwrap()).to_string()
}

/// A document as the relay gives it to `peer`; `None` if it is unavailable or empty.
pub async fn fetch(peer: &mut Peer, doc_id: &str) -> Option<AutoCommit> {
    let mut doc = AutoCommit::new();
    let available = peer.sync(doc_id, &mut doc, &mut sync::State::new()).await;
    (available && !doc.get_heads().is_empty()).then_some(doc)
}

/// A village document the relay must give to `peer`.
pub async fn fetch_village(peer: &mut Peer, doc_id: &str) -> desmigratif_model::VillageDoc {
    let doc = fetch(peer, doc_id)
        .await
        .expect("the relay gives the village document");
    desmigratif_model::VillageDoc::from_automerge(doc).expect("a village document")
}

/// Adds a person named `name` on `peer`'s copy of the village and syncs it, then reads the
/// village through a new connection of `reader` (token, username, device) and asserts the
/// person is there: the document still takes and gives changes.
pub async fn assert_takes_and_gives(
    peer: &mut Peer,
    doc_id: &str,
    doc: &mut desmigratif_model::VillageDoc,
    name: &str,
    reader: (&str, &str, &str),
    url: &str,
) {
    let by = desmigratif_model::Author::new("arjo", "hp-1");
    let id = doc
        .create(
            desmigratif_model::Person::new(desmigratif_model::RecordId::random(), name),
            &by,
            100,
        )
        .unwrap();
    peer.sync(doc_id, doc.automerge(), &mut sync::State::new()).await;
    let (token, username, device) = reader;
    let mut fresh = Peer::connect(url, token, username, device).await.unwrap();
    let seen = fetch_village(&mut fresh, doc_id).await;
    assert_eq!(
        seen.snapshot().person(&id).map(|p| p.full_name.as_str()),
        Some(name)
    );
}

/// A minimal HTTP/1.1 request over a real socket.
pub fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out[9..12].parse().unwrap();
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}
