//! A deterministic simulation of village devices and the relay. Each device is the real sync
//! core ([`Replica`]) with its own storage; the relay is modelled as the real one behaves: it
//! stores what it received before it answers (so every heads it announces survive a restart),
//! and it may crash after applying a message but before storing it (those changes were never
//! acknowledged). A seeded schedule interleaves edits on every device, deliveries in both
//! directions, duplicated and reordered messages, partitions and reconnects, relay restarts and
//! crashes, and devices closed and reopened from their storage. Then the network heals and the
//! schedule checks what users rely on: every device and the relay hold the same document, every
//! change the relay acknowledged is there, and no edit made on any device is lost.
//!
//! The test command runs [`SCHEDULES`] schedules; `cargo xtask simulate [N]` runs more
//! (`DESMIGRATIF_SIM_SCHEDULES`, `DESMIGRATIF_SIM_SEED`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use automerge::{AutoCommit, ChangeHash};
use desmigratif_model::Person;

use super::*;

/// Schedules run by the test command (each a few hundred steps).
const SCHEDULES: u64 = 50;
const STEPS: usize = 300;
const DEVICES: usize = 3;

/// A small seeded generator (xorshift64*): the same seed gives the same schedule.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The relay: the document as stored, the document in memory, a sync state per open link.
struct SimRelay {
    stored: AutoCommit,
    doc: AutoCommit,
    links: BTreeMap<usize, sync::State>,
}

impl SimRelay {
    fn new(doc: &mut AutoCommit) -> Self {
        let stored = AutoCommit::load(&doc.save()).unwrap();
        Self {
            doc: stored.clone(),
            stored,
            links: BTreeMap::new(),
        }
    }

    /// Starts again from what was stored; every link is gone.
    fn restart(&mut self) {
        self.doc = self.stored.clone();
        self.links.clear();
    }

    /// The heads `message` (a relay → device message) announces, if it is a sync message.
    fn announced(message: &[u8]) -> Vec<ChangeHash> {
        match WireMessage::decode(message) {
            Ok(WireMessage::Sync { data, .. }) => {
                sync::Message::decode(&data).map(|m| m.heads).unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    Down,
    /// The device asked for a socket; the network decides whether it opens.
    Opening,
    Up,
}

struct Device {
    replica: Replica,
    chunks: BTreeMap<String, Vec<u8>>,
    sync_state: Option<Vec<u8>>,
    next_key: u64,
    sessions: u64,
    link: Link,
    to_relay: VecDeque<Vec<u8>>,
    from_relay: VecDeque<Vec<u8>>,
    /// The changes of every edit made on this device: none may be lost.
    made: Vec<ChangeHash>,
}

struct World {
    rng: Rng,
    relay: SimRelay,
    devices: Vec<Device>,
    /// Every head the relay announced to a device.
    acknowledged: BTreeSet<ChangeHash>,
    now: i64,
    log: Vec<String>,
    counts: Counts,
}

/// What the schedules did, to show that each fault happens (and as the long run's report).
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    edits: u64,
    delivered: u64,
    duplicated: u64,
    reordered: u64,
    partitions: u64,
    relay_restarts: u64,
    relay_crashes: u64,
    reopened: u64,
    acknowledged: u64,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.edits += o.edits;
        self.delivered += o.delivered;
        self.duplicated += o.duplicated;
        self.reordered += o.reordered;
        self.partitions += o.partitions;
        self.relay_restarts += o.relay_restarts;
        self.relay_crashes += o.relay_crashes;
        self.reopened += o.reopened;
        self.acknowledged += o.acknowledged;
    }
}

fn replica_for(d: usize, session: u64, chunks: &BTreeMap<String, Vec<u8>>, state: Option<&[u8]>) -> Replica {
    let mut r = Replica::new(format!("desa/hp-{d}/s{session}"));
    let stored: Vec<(String, Vec<u8>)> = chunks.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    r.add_doc(&doc_id(), true, stored, state);
    r
}

impl World {
    fn new(seed: u64) -> Self {
        let mut start = VillageDoc::genesis(&CODE.parse().unwrap());
        let by = Author::new("desa", "pc");
        for i in 0..3 {
            start
                .create(Person::new(RecordId::random(), format!("Warga {i}")), &by, 1)
                .unwrap();
        }
        let relay = SimRelay::new(start.automerge());
        let devices = (0..DEVICES)
            .map(|d| {
                let chunks = BTreeMap::from([("c0".to_owned(), relay.stored.clone().save())]);
                Device {
                    replica: replica_for(d, 0, &chunks, None),
                    chunks,
                    sync_state: None,
                    next_key: 1,
                    sessions: 0,
                    link: Link::Down,
                    to_relay: VecDeque::new(),
                    from_relay: VecDeque::new(),
                    made: Vec::new(),
                }
            })
            .collect();
        Self {
            rng: Rng::new(seed),
            relay,
            devices,
            acknowledged: BTreeSet::new(),
            now: 10,
            log: Vec::new(),
            counts: Counts::default(),
        }
    }

    /// Carries out a device's effects as the worker would (storage at once, in order).
    fn handle(&mut self, d: usize, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let dev = &mut self.devices[d];
            match effect {
                Effect::Open => dev.link = Link::Opening,
                Effect::Close => self.cut(d, false),
                Effect::Send(bytes) => {
                    if dev.link == Link::Up {
                        dev.to_relay.push_back(bytes);
                    }
                }
                Effect::Persist {
                    doc,
                    changes,
                    sync_state,
                } => {
                    // One transaction: the changes and the state that says they were received.
                    dev.sync_state = Some(sync_state);
                    if !changes.is_empty() {
                        let key = format!("c{}", dev.next_key);
                        dev.next_key += 1;
                        dev.chunks.insert(key.clone(), changes);
                        queue.extend(dev.replica.stored(&doc, key, false));
                    }
                }
                Effect::Compact {
                    doc,
                    snapshot,
                    merged,
                } => {
                    let key = format!("c{}", dev.next_key);
                    dev.next_key += 1;
                    dev.chunks.insert(key.clone(), snapshot);
                    for m in merged {
                        dev.chunks.remove(&m);
                    }
                    dev.replica.compacted(&doc, Ok(key));
                }
                Effect::CheckToken => queue.extend(dev.replica.token_checked(None)),
                Effect::RetryIn(_) | Effect::Changed(_) => {}
            }
        }
    }

    /// The device's link breaks: what was in flight is lost, the relay forgets the link, and the
    /// device is told (unless it closed the socket itself).
    fn cut(&mut self, d: usize, tell: bool) {
        let dev = &mut self.devices[d];
        let was = dev.link;
        dev.link = Link::Down;
        dev.to_relay.clear();
        dev.from_relay.clear();
        self.relay.links.remove(&d);
        if tell && was != Link::Down {
            let effects = self.devices[d].replica.closed();
            self.handle(d, effects);
        }
    }

    /// The relay takes the next message from device `d`: it applies it, stores the document and
    /// then answers every open link that has something to learn.
    fn relay_receives(&mut self, d: usize, crash_before_storing: bool) {
        let Some(bytes) = self.devices[d].to_relay.pop_front() else {
            return;
        };
        match WireMessage::decode(&bytes).unwrap() {
            WireMessage::Join { sender } => {
                self.relay.links.insert(d, sync::State::new());
                let peer = WireMessage::Peer {
                    sender: "relay".into(),
                    target: sender,
                }
                .encode();
                self.devices[d].from_relay.push_back(peer);
            }
            WireMessage::Sync { data, .. } | WireMessage::Request { data, .. } => {
                let Some(state) = self.relay.links.get_mut(&d) else {
                    return;
                };
                let message = sync::Message::decode(&data).unwrap();
                self.relay
                    .doc
                    .sync()
                    .receive_sync_message(state, message)
                    .unwrap();
                self.counts.delivered += 1;
                if crash_before_storing {
                    self.counts.relay_crashes += 1;
                    self.log.push("relay crashed before storing".into());
                    self.restart_relay();
                    return;
                }
                // Stored before any answer announces it.
                self.relay.stored = self.relay.doc.clone();
                let ids: Vec<usize> = self.relay.links.keys().copied().collect();
                for p in ids {
                    let state = self.relay.links.get_mut(&p).unwrap();
                    if let Some(m) = self.relay.doc.sync().generate_sync_message(state) {
                        let out = WireMessage::Sync {
                            sender: "relay".into(),
                            target: self.devices[p].replica.peer_id.clone(),
                            doc: doc_id(),
                            data: m.encode(),
                        }
                        .encode();
                        self.devices[p].from_relay.push_back(out);
                    }
                }
            }
            other => panic!("unexpected from a device: {other:?}"),
        }
    }

    fn device_receives(&mut self, d: usize) {
        let Some(bytes) = self.devices[d].from_relay.pop_front() else {
            return;
        };
        let announced = SimRelay::announced(&bytes);
        for h in &announced {
            assert!(
                self.relay.stored.get_change_by_hash(h).is_some(),
                "the relay announced a change it has not stored"
            );
        }
        self.counts.delivered += 1;
        self.counts.acknowledged += announced.len() as u64;
        self.acknowledged.extend(announced);
        let effects = self.devices[d].replica.received(&bytes);
        self.handle(d, effects);
    }

    fn restart_relay(&mut self) {
        for d in 0..self.devices.len() {
            self.cut(d, true);
        }
        self.relay.restart();
    }

    /// The tab is closed and opened again: the replica starts over from the device's storage.
    fn reopen(&mut self, d: usize) {
        self.cut(d, false);
        let dev = &mut self.devices[d];
        dev.sessions += 1;
        dev.replica = replica_for(d, dev.sessions, &dev.chunks, dev.sync_state.as_deref());
    }

    fn edit(&mut self, d: usize) {
        self.now += 1;
        let by = Author::new("desa", format!("hp-{d}"));
        let now = self.now;
        let create = self.rng.chance(40);
        let pick = self.rng.next();
        let phone = format!("08{:010}", self.rng.next() % 10_000_000_000);
        // The persons as the device shows them (its incrementally kept view).
        let persons: Vec<RecordId> = self.devices[d]
            .replica
            .view(&doc_id())
            .map(|v| v.snapshot.persons.keys().cloned().collect())
            .unwrap_or_default();
        let result = self.devices[d].replica.edit(&doc_id(), |v| {
            if create || persons.is_empty() {
                v.create(Person::new(RecordId::random(), format!("Baru {now}")), &by, now)?;
            } else {
                // Field-level edits of the same persons on several devices, concurrently.
                let id = persons[(pick % persons.len() as u64) as usize].clone();
                let before: Person = v.get(&id)?;
                let mut after = before.clone();
                after.phone = Some(phone.clone());
                v.update(&before, &after, &by, now)?;
            }
            Ok(v.automerge().get_heads())
        });
        let Ok((heads, changes, effects)) = result else {
            return;
        };
        if changes.is_empty() {
            return;
        }
        self.counts.edits += 1;
        let dev = &mut self.devices[d];
        dev.made.extend(heads);
        let key = format!("c{}", dev.next_key);
        dev.next_key += 1;
        dev.chunks.insert(key.clone(), changes);
        let mut effects = effects;
        effects.extend(dev.replica.stored(&doc_id(), key, true));
        self.handle(d, effects);
    }

    /// One step of the schedule.
    fn step(&mut self) {
        let d = self.rng.below(self.devices.len());
        match self.rng.below(100) {
            0..=24 => self.edit(d),
            25..=46 => self.relay_receives(d, false),
            47..=68 => self.device_receives(d),
            69..=80 => {
                // Connect (a retry timer or the network coming back), or the socket opening.
                match self.devices[d].link {
                    Link::Down => {
                        let effects = self.devices[d].replica.connect();
                        self.handle(d, effects);
                    }
                    Link::Opening if self.rng.chance(80) => {
                        self.devices[d].link = Link::Up;
                        let effects = self.devices[d].replica.opened();
                        self.handle(d, effects);
                    }
                    Link::Opening => self.cut(d, true),
                    Link::Up => {}
                }
            }
            81..=82 => {
                self.counts.partitions += 1;
                self.log.push(format!("partition {d}"));
                self.cut(d, true);
            }
            83..=88 => {
                // A message delivered twice.
                if let Some(queue) = self.some_queue(1) {
                    let i = self.rng.below(queue_len(self, queue));
                    let q = self.queue_mut(queue);
                    let copy = q[i].clone();
                    q.insert(i + 1, copy);
                    self.counts.duplicated += 1;
                }
            }
            89..=93 => {
                // Two messages delivered in the other order.
                if let Some(queue) = self.some_queue(2) {
                    let i = self.rng.below(queue_len(self, queue) - 1);
                    self.queue_mut(queue).swap(i, i + 1);
                    self.counts.reordered += 1;
                }
            }
            94 => {
                self.counts.relay_restarts += 1;
                self.log.push("relay restart".into());
                self.restart_relay();
            }
            95..=96 => {
                self.counts.reopened += 1;
                self.log.push(format!("reopen {d}"));
                self.reopen(d);
            }
            _ => self.relay_receives(d, true),
        }
    }

    /// A queue (device, towards the relay?) holding at least `min` messages, chosen at random.
    fn some_queue(&mut self, min: usize) -> Option<(usize, bool)> {
        let full: Vec<(usize, bool)> = (0..self.devices.len())
            .flat_map(|d| [(d, true), (d, false)])
            .filter(|&q| queue_len(self, q) >= min)
            .collect();
        (!full.is_empty()).then(|| full[self.rng.below(full.len())])
    }

    fn queue_mut(&mut self, (d, to_relay): (usize, bool)) -> &mut VecDeque<Vec<u8>> {
        let dev = &mut self.devices[d];
        if to_relay {
            &mut dev.to_relay
        } else {
            &mut dev.from_relay
        }
    }

    /// The network heals: every device connects and every message is delivered until all are
    /// quiet. Returns false if that never happens.
    fn heal(&mut self) -> bool {
        for _ in 0..10_000 {
            let mut busy = false;
            for d in 0..self.devices.len() {
                match self.devices[d].link {
                    Link::Down => {
                        let effects = self.devices[d].replica.retry_now();
                        self.handle(d, effects);
                        busy = true;
                    }
                    Link::Opening => {
                        self.devices[d].link = Link::Up;
                        let effects = self.devices[d].replica.opened();
                        self.handle(d, effects);
                        busy = true;
                    }
                    Link::Up => {}
                }
                if !self.devices[d].to_relay.is_empty() {
                    self.relay_receives(d, false);
                    busy = true;
                }
                if !self.devices[d].from_relay.is_empty() {
                    self.device_receives(d);
                    busy = true;
                }
            }
            if !busy {
                return true;
            }
        }
        false
    }

    fn check(&mut self, seed: u64) {
        let context = format!(
            "seed {seed}; last events: {:?}",
            self.log.iter().rev().take(8).collect::<Vec<_>>()
        );
        assert!(
            self.heal(),
            "the network healed but the devices never went quiet ({})",
            context
        );
        let relay_heads = {
            let mut h = self.relay.doc.get_heads();
            h.sort();
            h
        };
        for h in &self.acknowledged {
            assert!(
                self.relay.doc.get_change_by_hash(h).is_some(),
                "an acknowledged change was lost ({})",
                context
            );
        }
        for d in 0..self.devices.len() {
            let heads = self.devices[d]
                .replica
                .read(&doc_id(), |v| {
                    let mut h = v.automerge().get_heads();
                    h.sort();
                    h
                })
                .unwrap();
            assert_eq!(heads, relay_heads, "device {d} did not converge ({})", context);
            assert_eq!(self.devices[d].replica.unsynced(), 0, "device {d} ({})", context);
            for h in &self.devices[d].made {
                assert!(
                    self.relay.doc.get_change_by_hash(h).is_some(),
                    "an edit made on device {d} was lost ({})",
                    context
                );
            }
        }
    }
}

fn queue_len(world: &World, (d, to_relay): (usize, bool)) -> usize {
    let dev = &world.devices[d];
    if to_relay {
        dev.to_relay.len()
    } else {
        dev.from_relay.len()
    }
}

fn run(seed: u64) -> Counts {
    let mut world = World::new(seed);
    for _ in 0..STEPS {
        world.step();
    }
    world.check(seed);
    world.counts
}

#[test]
fn devices_and_the_relay_converge_under_partitions_duplicates_reorders_and_restarts() {
    let first: u64 = std::env::var("DESMIGRATIF_SIM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let count: u64 = std::env::var("DESMIGRATIF_SIM_SCHEDULES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SCHEDULES);
    let mut total = Counts::default();
    let started = std::time::Instant::now();
    for (n, seed) in (first..first + count).enumerate() {
        total.add(run(seed));
        if (n + 1) % 500 == 0 {
            println!(
                "{} schedules clean, {:.0} s",
                n + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!("{count} schedules from seed {first}: {total:?}");
    // The schedules did what they are for: every fault happened, and changes were acknowledged.
    let c = total;
    for (what, n) in [
        ("edits", c.edits),
        ("duplicated messages", c.duplicated),
        ("reordered messages", c.reordered),
        ("partitions", c.partitions),
        ("relay restarts", c.relay_restarts),
        ("relay crashes before storing", c.relay_crashes),
        ("devices reopened", c.reopened),
        ("acknowledged changes", c.acknowledged),
    ] {
        assert!(n >= count / 2, "too few {what}: {n} in {count} schedules");
    }
}
