//! How long a village of about 2,000 persons takes to open and to search, natively.
//! Run with `cargo bench -p desmigratif-model` (or `cargo xtask bench`, which also measures the
//! browser); results are written down in BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use desmigratif_model::demo::{VILLAGES, village_doc};
use desmigratif_model::{Category, PersonFilter, VillageDoc};

/// The median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let households = 500;
    let mut doc = village_doc(&VILLAGES[0], households);
    let bytes = doc.save();
    let persons = doc.snapshot().persons.len();
    println!(
        "village: {persons} persons, {} episodes, {} KiB saved",
        doc.snapshot().episodes.len(),
        bytes.len() / 1024
    );

    let load = median(5, || {
        black_box(VillageDoc::load(&bytes).unwrap());
    });
    let loaded = VillageDoc::load(&bytes).unwrap();
    let snapshot = median(5, || {
        black_box(loaded.snapshot());
    });
    let snap = loaded.snapshot();
    let search_text = median(21, || {
        black_box(snap.search(&PersonFilter {
            text: Some("sri".into()),
            ..Default::default()
        }));
    });
    let search_filtered = median(21, || {
        black_box(snap.search(&PersonFilter {
            category: Some(Category::Pmi),
            destination: Some("Taiwan".into()),
            ..Default::default()
        }));
    });
    let counts = median(21, || {
        black_box(snap.counts());
    });
    println!("open (load bytes):         {:>8.1} ms", load.as_secs_f64() * 1e3);
    println!(
        "open (snapshot all):       {:>8.1} ms",
        snapshot.as_secs_f64() * 1e3
    );
    println!(
        "search by name:            {:>8.2} ms",
        search_text.as_secs_f64() * 1e3
    );
    println!(
        "search by category+country:{:>8.2} ms",
        search_filtered.as_secs_f64() * 1e3
    );
    println!(
        "counts per category:       {:>8.2} ms",
        counts.as_secs_f64() * 1e3
    );
}
