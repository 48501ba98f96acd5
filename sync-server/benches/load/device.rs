//! One simulated device: a WebSocket to a server, its copy of the village's document, and the
//! closed loop of edits.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ChangeHash, ROOT, ReadDoc};
use desmigratif_model::wire::WireMessage;
use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::server::Credentials;

/// How long a device waits for any message before the run is declared stuck.
const STALL: Duration = Duration::from_secs(60);

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) struct Device {
    pub(crate) ws: Socket,
    pub(crate) creds: Credentials,
    /// The server's peer id, from its handshake reply.
    pub(crate) target: String,
    pub(crate) doc: AutoCommit,
    pub(crate) state: sync::State,
}

impl Device {
    pub(crate) async fn connect(url: &str, creds: Credentials, start: &AutoCommit) -> anyhow::Result<Self> {
        let mut request = format!("{url}?session=s1").into_client_request()?;
        if let Some(t) = &creds.token {
            request
                .headers_mut()
                .insert("authorization", format!("Bearer {t}").parse()?);
        }
        let (ws, _) = tokio_tungstenite::connect_async(request).await?;
        let mut doc = start.clone().fork();
        doc.set_actor(ActorId::random());
        let mut device = Self {
            ws,
            creds,
            target: String::new(),
            doc,
            state: sync::State::new(),
        };
        let join = WireMessage::Join {
            sender: device.creds.peer_id.clone(),
        };
        device.ws.send(Message::Binary(join.encode().into())).await?;
        match device.next().await? {
            WireMessage::Peer { sender, .. } => device.target = sender,
            other => bail!("handshake answered with {other:?}"),
        }
        Ok(device)
    }

    pub(crate) async fn next(&mut self) -> anyhow::Result<WireMessage> {
        loop {
            match tokio::time::timeout(STALL, self.ws.next()).await {
                Err(_) => bail!("the server said nothing for {STALL:?}"),
                Ok(None) => bail!("the server closed the connection"),
                Ok(Some(Err(e))) => return Err(e.into()),
                Ok(Some(Ok(Message::Binary(b)))) => return Ok(WireMessage::decode(&b)?),
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    pub(crate) async fn send_sync(&mut self) -> anyhow::Result<()> {
        if let Some(m) = self.doc.sync().generate_sync_message(&mut self.state) {
            let msg = WireMessage::Sync {
                sender: self.creds.peer_id.clone(),
                target: self.target.clone(),
                doc: self.creds.doc_id.clone(),
                data: m.encode(),
            };
            self.ws.send(Message::Binary(msg.encode().into())).await?;
        }
        Ok(())
    }

    /// Applies a message of the server; returns the heads it announced.
    pub(crate) fn receive(&mut self, msg: WireMessage) -> anyhow::Result<Option<Vec<ChangeHash>>> {
        match msg {
            WireMessage::Sync { doc, data, .. } | WireMessage::Request { doc, data, .. }
                if doc == self.creds.doc_id =>
            {
                let m = sync::Message::decode(&data)?;
                let heads = m.heads.clone();
                self.doc.sync().receive_sync_message(&mut self.state, m)?;
                Ok(Some(heads))
            }
            WireMessage::DocUnavailable { .. } | WireMessage::Error { .. } => {
                bail!("the server refused: {msg:?}")
            }
            _ => Ok(None),
        }
    }

    /// Syncs until the server has announced exactly this device's heads.
    pub(crate) async fn settle(&mut self) -> anyhow::Result<()> {
        self.send_sync().await?;
        loop {
            let msg = self.next().await?;
            if let Some(heads) = self.receive(msg)? {
                self.send_sync().await?;
                let mut ours = self.doc.get_heads();
                let mut theirs = heads;
                ours.sort();
                theirs.sort();
                if ours == theirs {
                    return Ok(());
                }
            }
        }
    }

    /// Whether heads the server announced hold `change`.
    pub(crate) fn holds(&mut self, heads: &[ChangeHash], change: ChangeHash) -> bool {
        if heads.contains(&change) {
            return true;
        }
        // Another device may already have built on it: then it is an ancestor of the heads.
        heads.iter().all(|h| self.doc.get_change_by_hash(h).is_some())
            && !self.doc.get_changes(heads).iter().any(|c| c.hash() == change)
    }

    /// Edits in a closed loop until `until`; returns each acknowledged edit's latency.
    pub(crate) async fn run(mut self, until: Instant) -> anyhow::Result<Vec<Duration>> {
        let mut latencies = Vec::new();
        let mut n = 0u64;
        let key = self.creds.peer_id.clone();
        let bench = match self.doc.get(ROOT, "bench")? {
            Some((_, id)) => id,
            None => bail!("the starting document has no map"),
        };
        loop {
            n += 1;
            self.doc.put(&bench, key.as_str(), n)?;
            let change = self.doc.commit().context("an edit makes a change")?;
            let sent = Instant::now();
            self.send_sync().await?;
            loop {
                let msg = self.next().await?;
                let Some(heads) = self.receive(msg)? else { continue };
                self.send_sync().await?;
                if self.holds(&heads, change) {
                    latencies.push(sent.elapsed());
                    break;
                }
            }
            if Instant::now() >= until {
                return Ok(latencies);
            }
        }
    }
}
