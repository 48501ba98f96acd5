//! HTTPS served by the relay itself (the binary, on a real socket): the certificate it was
//! given, the sync protocol over TLS, a renewed certificate taken without a restart — on SIGHUP
//! and when the files change — and a broken renewal that keeps the certificate in use.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use desmigratif_model::wire::WireMessage;
use futures::{SinkExt, StreamExt};
use sync_server::accounts::{AccountDb, Role};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::{ARJO, temp_dir, token_for};

/// A certificate for `localhost` (and 127.0.0.1) in PEM, its key in PEM, and its DER bytes.
struct Cert {
    pem: String,
    key: String,
    der: Vec<u8>,
}

fn certificate() -> Cert {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    Cert {
        pem: made.cert.pem(),
        key: made.signing_key.serialize_pem(),
        der: made.cert.der().to_vec(),
    }
}

fn install(dir: &Path, cert: &Cert) {
    // Written beside and renamed over, as certbot and similar tools do.
    for (name, text) in [("cert.pem", &cert.pem), ("key.pem", &cert.key)] {
        std::fs::write(dir.join(format!("{name}.new")), text).unwrap();
        std::fs::rename(dir.join(format!("{name}.new")), dir.join(name)).unwrap();
    }
}

/// The relay binary serving HTTPS, with its output lines (standard output and the log).
struct TlsRelay {
    child: Child,
    addr: SocketAddr,
    lines: Receiver<String>,
}

impl Drop for TlsRelay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TlsRelay {
    fn start(dir: &Path, reload_seconds: u64) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sync-server"))
            .args(["serve", "--listen", "127.0.0.1:0", "--no-demo", "--data-dir"])
            .arg(dir.join("data"))
            .arg("--static-dir")
            .arg(dir.join("no-static"))
            .arg("--tls-cert")
            .arg(dir.join("cert.pem"))
            .arg("--tls-key")
            .arg(dir.join("key.pem"))
            .args(["--tls-reload-seconds", &reload_seconds.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = channel();
        let out = BufReader::new(child.stdout.take().unwrap());
        let err = BufReader::new(child.stderr.take().unwrap());
        let tx2 = tx.clone();
        std::thread::spawn(move || out.lines().map_while(Result::ok).for_each(|l| drop(tx.send(l))));
        std::thread::spawn(move || err.lines().map_while(Result::ok).for_each(|l| drop(tx2.send(l))));
        let mut relay = TlsRelay {
            child,
            addr: "127.0.0.1:0".parse().unwrap(),
            lines,
        };
        let line = relay.wait_for("listening on ");
        let addr = line
            .strip_prefix("listening on https://")
            .unwrap_or_else(|| panic!("served HTTPS: {line}"));
        relay.addr = addr.parse().unwrap();
        relay
    }

    /// The next output line containing `needle` (panics after 30 s).
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("the relay never said {needle:?}"),
            }
        }
    }

    fn signal_hangup(&self) {
        let status = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

/// A TLS connection to `addr` trusting only `trusted`; the certificate the relay presented.
async fn connect(addr: SocketAddr, trusted: &[&Cert]) -> std::io::Result<(TlsStream<TcpStream>, Vec<u8>)> {
    let mut roots = RootCertStore::empty();
    for cert in trusted {
        roots.add(CertificateDer::from(cert.der.clone())).unwrap();
    }
    let config =
        ClientConfig::builder_with_provider(Arc::new(tokio_rustls::rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    let tcp = TcpStream::connect(addr).await?;
    let tls = TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await?;
    let presented = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.to_vec())
        .unwrap_or_default();
    Ok((tls, presented))
}

/// The certificate a new connection is shown (both certificates trusted).
async fn presented(relay: &TlsRelay, a: &Cert, b: &Cert) -> Vec<u8> {
    connect(relay.addr, &[a, b]).await.unwrap().1
}

async fn get(relay: &TlsRelay, trusted: &Cert, path: &str) -> String {
    let (mut tls, _) = connect(relay.addr, &[trusted]).await.unwrap();
    tls.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut reply = String::new();
    let _ = tls.read_to_string(&mut reply).await;
    reply
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_serves_https_and_takes_a_renewed_certificate_without_a_restart() {
    let dir = temp_dir("tls");
    let (first, second) = (certificate(), certificate());
    install(&dir, &first);
    let relay = TlsRelay::start(&dir, 3600);

    // HTTPS with the certificate given; a client that does not trust it is refused.
    let health = get(&relay, &first, "/healthz").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(
        connect(relay.addr, &[&second]).await.is_err(),
        "an untrusted certificate fails"
    );
    let mut plain = TcpStream::connect(relay.addr).await.unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), plain.read_to_end(&mut answer)).await;
    assert!(
        !answer.starts_with(b"HTTP/1.1 200"),
        "no plain HTTP on the TLS port"
    );

    // The sync protocol over TLS: a device's handshake is answered.
    let db = AccountDb::open(&dir.join("data").join("accounts.sqlite3")).unwrap();
    let token = token_for(&db, "arjo", Role::Village, Some(ARJO), "hp-1");
    let (tls, _) = connect(relay.addr, &[&first]).await.unwrap();
    let mut request = "wss://localhost/sync?session=s1".into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::client_async(request, tls).await.unwrap();
    let join = WireMessage::Join {
        sender: "arjo/hp-1/s1".into(),
    };
    ws.send(Message::Binary(join.encode().into())).await.unwrap();
    let reply = tokio::time::timeout(Duration::from_secs(10), ws.next())
        .await
        .expect("a reply")
        .unwrap()
        .unwrap();
    let reply = WireMessage::decode(&reply.into_data()).unwrap();
    assert!(matches!(reply, WireMessage::Peer { .. }), "{reply:?}");

    // Renewed on disk and signalled: new connections see the new certificate, the sync
    // connection opened before stays up.
    install(&dir, &second);
    relay.signal_hangup();
    relay.wait_for("TLS certificate reloaded");
    assert_eq!(presented(&relay, &first, &second).await, second.der);
    ws.send(Message::Ping(b"still there".to_vec().into()))
        .await
        .unwrap();
    let pong = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(m)) = ws.next().await {
            if let Message::Pong(data) = m {
                return Some(data);
            }
        }
        None
    })
    .await
    .expect("the open connection answers after the reload");
    assert_eq!(pong.as_deref(), Some(&b"still there"[..]));

    // A broken renewal (a key that does not match) is refused; the certificate in use stays.
    std::fs::write(dir.join("key.pem"), certificate().key).unwrap();
    relay.signal_hangup();
    relay.wait_for("TLS certificate not reloaded");
    assert_eq!(presented(&relay, &first, &second).await, second.der);
    let health = get(&relay, &second, "/healthz").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_renewed_on_disk_is_taken_without_a_signal() {
    let dir = temp_dir("tls-watch");
    let (first, second) = (certificate(), certificate());
    install(&dir, &first);
    let relay = TlsRelay::start(&dir, 1);
    assert_eq!(presented(&relay, &first, &second).await, first.der);
    install(&dir, &second);
    relay.wait_for("TLS certificate reloaded");
    assert_eq!(presented(&relay, &first, &second).await, second.der);
}

/// `serve` with these certificate and key files, to its end.
fn serve_with(dir: &Path, cert: &str, key: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sync-server"))
        .args(["serve", "--listen", "127.0.0.1:0", "--no-demo", "--data-dir"])
        .arg(dir.join("data"))
        .arg("--tls-cert")
        .arg(dir.join(cert))
        .arg("--tls-key")
        .arg(dir.join(key))
        .output()
        .unwrap()
}

#[test]
fn a_certificate_that_does_not_load_stops_the_start_with_a_clear_error() {
    let dir = temp_dir("tls-bad");
    std::fs::write(dir.join("cert.pem"), "not a certificate").unwrap();
    std::fs::write(dir.join("key.pem"), certificate().key).unwrap();
    let out = serve_with(&dir, "cert.pem", "key.pem");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(text.contains("cert.pem"), "names the file: {text}");
    assert!(!dir.join("data").exists(), "nothing opened: {text}");
    // A missing key file, likewise.
    let out = serve_with(&dir, "cert.pem", "missing.pem");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && text.contains("missing.pem"), "{text}");
}
