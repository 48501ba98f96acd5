//! The relay under load, side by side with the stock JavaScript automerge-repo sync server.
//!
//! N simulated devices (default 8, 64 and 512) connect at once over real WebSockets, each with its
//! own token, and sync their village's document. Then each pushes small field edits in a closed
//! loop: make one edit, send the sync message, wait until the server's reply announces heads
//! that hold the edit, make the next. The other devices of the village receive every edit, as
//! they would. Reported per run: acknowledged changes per second, p50/p99 of the time from
//! sending an edit to its acknowledgement, the server's CPU time per change (from
//! `/proc/<pid>/stat`, so independent of how fast this client is) and its resident memory per
//! connected idle device.
//!
//! Each size runs twice: with one device per village document (the server's own cost per
//! change), and with four sharing each document, as a village's officers and the district
//! office do (every edit also goes to three other devices, and concurrent edits make the
//! history a web of merges; Automerge's sync then costs more per message as the history
//! grows, so those figures depend on the run's length).
//!
//! The relay is the release binary of this package with an empty data directory; it writes
//! every change to disk (fsync) before it announces it. The JavaScript server is
//! `tests/bench/js-relay.mjs` (automerge-repo 2.x with its Node filesystem storage, which does
//! not fsync), run when node and `tests/node_modules` are there.
//!
//!     cargo bench -p sync-server --bench load -- [--devices 8,64,512] [--seconds 10]
//!         [--per-village 1,4] [--no-js] [--households 500]
//!
//! `--households` starts each village's document as a demo village of that many households
//! (500 make ~2,000 persons), instead of an empty one: Automerge's cost of applying a change
//! grows with the document.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ChangeHash, ObjType, ROOT, ReadDoc};
use desmigratif_model::wire::WireMessage;
use desmigratif_model::{DocumentId, VillageCode};
use futures::{SinkExt, StreamExt};
use sync_server::accounts::{AccountDb, Role};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Linux reports process times in these ticks per second (`USER_HZ`, fixed by the ABI).
const TICKS_PER_SECOND: f64 = 100.0;
/// How long a device waits for any message before the run is declared stuck.
const STALL: Duration = Duration::from_secs(60);
const PASSWORD: &str = "bench-password-123";

struct Options {
    devices: Vec<usize>,
    seconds: f64,
    per_village: Vec<usize>,
    js: bool,
    /// Each village's document starts as a demo village of this many households (0: empty).
    households: usize,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        devices: vec![8, 64, 512],
        seconds: 10.0,
        per_village: vec![1, 4],
        js: true,
        households: 0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--devices" => o.devices = numbers(&value()?).context("--devices")?,
            "--seconds" => o.seconds = value()?.parse().context("--seconds")?,
            "--per-village" => o.per_village = numbers(&value()?).context("--per-village")?,
            "--no-js" => o.js = false,
            "--households" => o.households = value()?.parse().context("--households")?,
            // `cargo bench` passes this to every bench target.
            "--bench" => {}
            other => bail!("unknown option {other}"),
        }
    }
    Ok(o)
}

fn numbers(list: &str) -> anyhow::Result<Vec<usize>> {
    list.split(',')
        .map(|n| n.trim().parse().context("numbers separated by commas"))
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Relay,
    Js,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Relay => "relay (Rust)",
            Kind::Js => "automerge-repo (JS)",
        }
    }
}

/// A server process on a port of its own, with a fresh data directory.
struct Server {
    child: Child,
    url: String,
    dir: PathBuf,
}

impl Server {
    fn start(kind: Kind, dir: PathBuf) -> anyhow::Result<Self> {
        let mut cmd = match kind {
            Kind::Relay => {
                let mut c = Command::new(env!("CARGO_BIN_EXE_sync-server"));
                c.arg("serve")
                    .args(["--listen", "127.0.0.1:0", "--no-demo"])
                    .arg("--data-dir")
                    .arg(&dir)
                    .arg("--static-dir")
                    .arg(dir.join("no-static"))
                    // The bench measures the relay's work, not its per-connection limits.
                    .args(["--messages-per-second", "1000000", "--burst-messages", "1000000"])
                    .args(["--bytes-per-second", "1000000000"])
                    .args(["--max-connections-per-account", "4096"]);
                c
            }
            Kind::Js => {
                let mut c = Command::new("node");
                c.current_dir(tests_dir()).arg("bench/js-relay.mjs").arg(&dir);
                c
            }
        };
        std::fs::create_dir_all(&dir)?;
        let log = std::fs::File::create(dir.with_extension("log"))?;
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", kind.name()))?;
        let stdout = child.stdout.take().expect("piped");
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let Some(line) = lines.next() else {
                bail!("{} exited before listening", kind.name());
            };
            if let Some(addr) = line?.strip_prefix("listening on ") {
                let addr = addr.trim_start_matches("http://").trim_start_matches("ws://");
                break match kind {
                    Kind::Relay => format!("ws://{addr}/sync"),
                    Kind::Js => format!("ws://{addr}/"),
                };
            }
        };
        // Keep reading so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Self { child, url, dir })
    }

    fn stat(&self) -> anyhow::Result<String> {
        Ok(std::fs::read_to_string(format!(
            "/proc/{}/stat",
            self.child.id()
        ))?)
    }

    /// User plus system CPU time the server has used, in seconds.
    fn cpu_seconds(&self) -> anyhow::Result<f64> {
        cpu_of(&self.stat()?)
    }

    fn rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no VmRSS")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// User plus system time from a `/proc/<pid>/stat` line, in seconds.
fn cpu_of(stat: &str) -> anyhow::Result<f64> {
    // The command name may hold spaces; the fields after it are fixed.
    let rest = stat.rsplit_once(')').context("stat line")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks =
        |i: usize| -> anyhow::Result<f64> { Ok(fields.get(i).context("stat field")?.parse::<f64>()?) };
    // After the name: state is field 0, utime 11, stime 12.
    Ok((ticks(11)? + ticks(12)?) / TICKS_PER_SECOND)
}

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests")
}

fn js_available() -> bool {
    tests_dir()
        .join("node_modules/@automerge/automerge-repo-storage-nodefs")
        .is_dir()
        && Command::new("node")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// What a device needs to connect: its village's document and, for the relay, a token.
#[derive(Clone)]
struct Credentials {
    peer_id: String,
    token: Option<String>,
    doc_id: String,
    village: usize,
}

fn village_code(i: usize) -> VillageCode {
    format!("35.07.90.{:04}", 2001 + i).parse().expect("valid code")
}

/// Registers the villages and their accounts in the relay's database and logs every device in.
fn relay_credentials(dir: &Path, devices: usize, per_village: usize) -> anyhow::Result<Vec<Credentials>> {
    std::fs::create_dir_all(dir)?;
    let db = AccountDb::open(&dir.join("accounts.sqlite3"))?;
    let villages = devices.div_ceil(per_village);
    for v in 0..villages {
        let code = village_code(v);
        db.register_village(&code, &format!("Desa Uji {v}"))?;
        db.add(
            &format!("bench-{v}"),
            Role::Village,
            Some(code.as_str()),
            PASSWORD,
        )?;
    }
    // Logging in hashes the password (Argon2): spread it over the cores.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = devices.div_ceil(threads).max(1);
    let indexes: Vec<usize> = (0..devices).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = indexes
            .chunks(chunk)
            .map(|part| {
                let db = db.clone();
                s.spawn(move || -> anyhow::Result<Vec<Credentials>> {
                    part.iter()
                        .map(|&d| {
                            let v = d / per_village;
                            let (user, device) = (format!("bench-{v}"), format!("hp-{d}"));
                            let (token, _) = db
                                .login(&user, PASSWORD, &device, 24 * 3600)?
                                .context("bench login refused")?;
                            Ok(Credentials {
                                peer_id: format!("{user}/{device}/s1"),
                                token: Some(token),
                                doc_id: DocumentId::for_village(&village_code(v)).to_string(),
                                village: v,
                            })
                        })
                        .collect()
                })
            })
            .collect();
        let mut out = Vec::new();
        for h in handles {
            out.extend(h.join().expect("login thread")?);
        }
        Ok(out)
    })
}

fn js_credentials(devices: usize, per_village: usize) -> Vec<Credentials> {
    (0..devices)
        .map(|d| {
            let v = d / per_village;
            Credentials {
                peer_id: format!("bench-{v}/hp-{d}/s1"),
                token: None,
                doc_id: DocumentId::for_village(&village_code(v)).to_string(),
                village: v,
            }
        })
        .collect()
}

/// Each village's document as its devices start from, so that they share it: a demo village
/// of `households` households (as a real village's document is), or nothing, and the map the
/// devices edit.
fn starting_doc(households: usize) -> AutoCommit {
    let mut doc = if households == 0 {
        AutoCommit::new()
    } else {
        let mut village =
            desmigratif_model::demo::village_doc(&desmigratif_model::demo::VILLAGES[0], households);
        AutoCommit::load(&village.save()).expect("a demo village loads")
    };
    doc.put_object(ROOT, "bench", ObjType::Map).expect("put");
    doc.commit();
    doc
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Device {
    ws: Socket,
    creds: Credentials,
    /// The server's peer id, from its handshake reply.
    target: String,
    doc: AutoCommit,
    state: sync::State,
}

impl Device {
    async fn connect(url: &str, creds: Credentials, start: &AutoCommit) -> anyhow::Result<Self> {
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

    async fn next(&mut self) -> anyhow::Result<WireMessage> {
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

    async fn send_sync(&mut self) -> anyhow::Result<()> {
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
    fn receive(&mut self, msg: WireMessage) -> anyhow::Result<Option<Vec<ChangeHash>>> {
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
    async fn settle(&mut self) -> anyhow::Result<()> {
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
    fn holds(&mut self, heads: &[ChangeHash], change: ChangeHash) -> bool {
        if heads.contains(&change) {
            return true;
        }
        // Another device may already have built on it: then it is an ancestor of the heads.
        heads.iter().all(|h| self.doc.get_change_by_hash(h).is_some())
            && !self.doc.get_changes(heads).iter().any(|c| c.hash() == change)
    }

    /// Edits in a closed loop until `until`; returns each acknowledged edit's latency.
    async fn run(mut self, until: Instant) -> anyhow::Result<Vec<Duration>> {
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

struct Row {
    kind: Kind,
    devices: usize,
    changes_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu_per_change_ms: f64,
    client_cpu_per_change_ms: f64,
    idle_kib_per_device: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

async fn run_one(kind: Kind, devices: usize, per_village: usize, o: &Options) -> anyhow::Result<Row> {
    let dir = std::env::temp_dir().join(format!(
        "desmigratif-load-{}-{}-{devices}-{per_village}",
        std::process::id(),
        matches!(kind, Kind::Js) as u8
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let creds = match kind {
        Kind::Relay => relay_credentials(&dir, devices, per_village)?,
        Kind::Js => {
            std::fs::create_dir_all(&dir)?;
            js_credentials(devices, per_village)
        }
    };
    let server = Server::start(kind, dir)?;
    let rss_before = server.rss_kib()?;
    let villages = devices.div_ceil(per_village);
    let first = starting_doc(o.households);
    let starts: Vec<AutoCommit> = (0..villages).map(|_| first.clone()).collect();

    // Everyone connects at once, then syncs its village.
    let mut connecting = Vec::new();
    for c in creds {
        let (url, start) = (server.url.clone(), starts[c.village].clone());
        connecting.push(tokio::spawn(async move {
            let mut d = Device::connect(&url, c, &start).await.context("connecting")?;
            d.settle().await.context("first sync")?;
            anyhow::Ok(d)
        }));
    }
    let mut ready = Vec::new();
    for c in connecting {
        ready.push(c.await??);
    }
    let idle_kib_per_device = server.rss_kib()?.saturating_sub(rss_before) as f64 / devices as f64;

    let cpu_before = server.cpu_seconds()?;
    let client_before = cpu_of(&std::fs::read_to_string("/proc/self/stat")?)?;
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(o.seconds);
    let running: Vec<_> = ready.into_iter().map(|d| tokio::spawn(d.run(until))).collect();
    let mut latencies = Vec::new();
    for r in running {
        latencies.extend(r.await?.context("editing")?);
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = server.cpu_seconds()? - cpu_before;
    let client_cpu = cpu_of(&std::fs::read_to_string("/proc/self/stat")?)? - client_before;
    latencies.sort();
    let changes = latencies.len() as f64;
    Ok(Row {
        kind,
        devices,
        changes_per_second: changes / wall,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        cpu_per_change_ms: cpu * 1e3 / changes,
        client_cpu_per_change_ms: client_cpu * 1e3 / changes,
        idle_kib_per_device,
    })
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores, {cpu}")
}

fn main() -> anyhow::Result<()> {
    let o = options()?;
    let js = o.js && js_available();
    if o.js && !js {
        eprintln!(
            "node or tests/node_modules missing: the JavaScript server is left out (cd tests && npm install)"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    println!("load: {} s per run, {}", o.seconds, machine());
    for &per_village in &o.per_village {
        println!();
        if o.households > 0 {
            println!(
                "{per_village} device(s) per village document, each a village of {} households",
                o.households
            );
        } else {
            println!("{per_village} device(s) per village document");
        }
        println!(
            "{:<20} {:>7} {:>10} {:>8} {:>8} {:>12} {:>12} {:>14}",
            "server", "devices", "changes/s", "p50 ms", "p99 ms", "CPU/change", "client CPU", "idle KiB/dev"
        );
        for &n in &o.devices {
            let kinds: &[Kind] = if js {
                &[Kind::Relay, Kind::Js]
            } else {
                &[Kind::Relay]
            };
            let mut rows = Vec::new();
            for &kind in kinds {
                let row = runtime.block_on(run_one(kind, n, per_village, &o))?;
                println!(
                    "{:<20} {:>7} {:>10.0} {:>8.1} {:>8.1} {:>9.3} ms {:>9.3} ms {:>14.1}",
                    row.kind.name(),
                    row.devices,
                    row.changes_per_second,
                    row.p50_ms,
                    row.p99_ms,
                    row.cpu_per_change_ms,
                    row.client_cpu_per_change_ms,
                    row.idle_kib_per_device
                );
                rows.push(row);
            }
            if let [relay, js] = rows.as_slice() {
                println!(
                    "{:<20} {:>7} {:>9.2}x {:>7.2}x {:>7.2}x {:>11.2}x {:>12} {:>13.2}x",
                    "relay / JS",
                    n,
                    relay.changes_per_second / js.changes_per_second,
                    relay.p50_ms / js.p50_ms,
                    relay.p99_ms / js.p99_ms,
                    relay.cpu_per_change_ms / js.cpu_per_change_ms,
                    "",
                    relay.idle_kib_per_device / js.idle_kib_per_device
                );
            }
            println!("{}", target_row(n));
        }
    }
    Ok(())
}

/// The relay's targets (issue 8) at `devices`, in the table's columns: at least 10,000 changes/s
/// with 64 devices, p99 at most 50 ms with 512, at most 0.1 ms of CPU per change and 64 KiB per
/// idle device at every size. Every change is flushed to disk before it is announced.
fn target_row(devices: usize) -> String {
    let rate = if devices == 64 { ">= 10000" } else { "-" };
    let p99 = if devices == 512 { "<= 50" } else { "-" };
    format!(
        "{:<20} {:>7} {:>10} {:>8} {:>8} {:>12} {:>12} {:>14}",
        "target", devices, rate, "-", p99, "<= 0.100 ms", "", "<= 64"
    )
}
