//! The two servers under load (the relay, the JavaScript sync server), each a process of its
//! own with a fresh data directory, and what the devices need to reach them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};
use desmigratif_model::{DocumentId, VillageCode};
use sync_server::accounts::{AccountDb, Role};

/// Linux reports process times in these ticks per second (`USER_HZ`, fixed by the ABI).
const TICKS_PER_SECOND: f64 = 100.0;
const PASSWORD: &str = "bench-password-123";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Relay,
    Js,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Relay => "relay (Rust)",
            Kind::Js => "automerge-repo (JS)",
        }
    }
}

/// A server process on a port of its own, with a fresh data directory.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) url: String,
    pub(crate) dir: PathBuf,
}

impl Server {
    pub(crate) fn start(kind: Kind, dir: PathBuf) -> anyhow::Result<Self> {
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

    pub(crate) fn stat(&self) -> anyhow::Result<String> {
        Ok(std::fs::read_to_string(format!(
            "/proc/{}/stat",
            self.child.id()
        ))?)
    }

    /// User plus system CPU time the server has used, in seconds.
    pub(crate) fn cpu_seconds(&self) -> anyhow::Result<f64> {
        cpu_of(&self.stat()?)
    }

    pub(crate) fn rss_kib(&self) -> anyhow::Result<u64> {
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
pub(crate) fn cpu_of(stat: &str) -> anyhow::Result<f64> {
    // The command name may hold spaces; the fields after it are fixed.
    let rest = stat.rsplit_once(')').context("stat line")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks =
        |i: usize| -> anyhow::Result<f64> { Ok(fields.get(i).context("stat field")?.parse::<f64>()?) };
    // After the name: state is field 0, utime 11, stime 12.
    Ok((ticks(11)? + ticks(12)?) / TICKS_PER_SECOND)
}

pub(crate) fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests")
}

pub(crate) fn js_available() -> bool {
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
pub(crate) struct Credentials {
    pub(crate) peer_id: String,
    pub(crate) token: Option<String>,
    pub(crate) doc_id: String,
    pub(crate) village: usize,
}

pub(crate) fn village_code(i: usize) -> VillageCode {
    format!("35.07.90.{:04}", 2001 + i).parse().expect("valid code")
}

/// Registers the villages and their accounts in the relay's database and logs every device in.
pub(crate) fn relay_credentials(
    dir: &Path,
    devices: usize,
    per_village: usize,
) -> anyhow::Result<Vec<Credentials>> {
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

pub(crate) fn js_credentials(devices: usize, per_village: usize) -> Vec<Credentials> {
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
pub(crate) fn starting_doc(households: usize) -> AutoCommit {
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
