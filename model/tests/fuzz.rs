//! Everything a peer can send, fuzzed: inputs made from real messages by a seeded generator
//! go through every step that reads a peer's message (see `desmigratif_model::fuzz`). None may
//! panic, and memory must not grow with the number of inputs.
//!
//! `DESMIGRATIF_FUZZ_INPUTS` sets the number (10,000 by default; `cargo xtask fuzz` runs
//! 1,000,000) and `DESMIGRATIF_FUZZ_SEED` the seed (printed, so a failure can be replayed).

use desmigratif_model::fuzz::{self, Reached, Rng};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident memory of this process, in KiB (Linux; 0 elsewhere).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[test]
fn inputs_found_before_are_refused_before_automerge() {
    let base = automerge::AutoCommit::new();
    for found in fuzz::FOUND {
        let input = fuzz::from_hex(found);
        let message = desmigratif_model::wire::WireMessage::decode(&input).unwrap();
        assert!(message.unsafe_payload().is_some());
        assert_eq!(fuzz::peer_message(&input, &base), Reached::Envelope);
    }
}

#[test]
fn no_input_a_peer_can_send_panics_or_leaks() {
    let inputs = env_number("DESMIGRATIF_FUZZ_INPUTS", 10_000);
    let seed = env_number("DESMIGRATIF_FUZZ_SEED", 0x00de_5a11);
    let corpus = fuzz::corpus("desa/hp-1/s1", "relay", "3Z7Km9dP");
    // The receiving side holds a document with a history of its own.
    let mut base = automerge::AutoCommit::new();
    {
        use automerge::transaction::Transactable;
        base.put(automerge::ROOT, "village", "35.07.11.2008").unwrap();
        base.commit();
    }
    let mut rng = Rng::new(seed);
    let mut reached = [0u64; 4];
    let mut rss_at_half = 0;
    for i in 0..inputs {
        if i == inputs / 2 {
            rss_at_half = rss_kib();
        }
        let input = fuzz::mutate(&mut rng, &corpus);
        let outcome = std::panic::catch_unwind(|| fuzz::peer_message(&input, &base));
        match outcome {
            Ok(r) => reached[r as usize] += 1,
            Err(_) => panic!(
                "input {i} (seed {seed:#x}) panicked: {}",
                input.iter().map(|b| format!("{b:02x}")).collect::<String>()
            ),
        }
    }
    let rss_end = rss_kib();
    println!(
        "{inputs} inputs (seed {seed:#x}): not a message {}, envelope only {}, sync message refused {}, applied {}; RSS {rss_at_half} KiB at half, {rss_end} KiB at the end",
        reached[Reached::Nothing as usize],
        reached[Reached::Envelope as usize],
        reached[Reached::SyncMessage as usize],
        reached[Reached::Applied as usize],
    );
    // Inputs stop at every layer often enough to mean something (Automerge refuses hardly any
    // sync message that decodes, so that layer is only counted).
    for (layer, n) in [
        ("not a message", reached[Reached::Nothing as usize]),
        ("envelope only", reached[Reached::Envelope as usize]),
        ("applied", reached[Reached::Applied as usize]),
    ] {
        assert!(
            n * 50 >= inputs,
            "only {n} of {inputs} inputs stopped at '{layer}'"
        );
    }
    // The second half of the run may not hold more memory than the first (no leak per input).
    assert!(
        rss_end <= rss_at_half + 16 * 1024,
        "memory grew from {rss_at_half} KiB to {rss_end} KiB over the second half"
    );
}
