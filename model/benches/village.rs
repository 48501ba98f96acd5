//! How long a village takes to open, to search and to take in one change, natively, for about
//! 2,000 and 10,000 persons. Run with `cargo bench -p desmigratif-model --features files` (or `cargo xtask
//! bench`, which also measures the browser); results are written down in BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use desmigratif_model::demo::{VILLAGES, demo_author, village_doc};
use desmigratif_model::{Category, Person, PersonFilter, VillageDoc};

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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn village(households: usize) {
    let mut doc = village_doc(&VILLAGES[0], households);
    let bytes = doc.save();
    let snap = doc.snapshot();
    println!(
        "\nvillage: {} persons, {} episodes, {} KiB saved",
        snap.persons.len(),
        snap.episodes.len(),
        bytes.len() / 1024
    );

    let load = median(5, || {
        black_box(VillageDoc::load(&bytes).unwrap());
    });
    let mut loaded = VillageDoc::load(&bytes).unwrap();
    let full = median(5, || {
        black_box(loaded.snapshot());
    });
    let walk = median(5, || {
        black_box(loaded.watch());
    });
    let mut watched = loaded.watch();
    // One field edit, then bring the snapshot up to date: what a save costs the screen.
    let ids: Vec<_> = watched.persons.keys().cloned().collect();
    let by = demo_author();
    let mut n = 0;
    // Writes a new phone number for `base` (one field edit); returns the edited person.
    let edit_phone = |doc: &mut VillageDoc, base: Person, n: usize| {
        let mut edited = base.clone();
        edited.phone = Some(format!("0812{:08}", n));
        doc.update(&base, &edited, &by, 1_800_000_000 + n as i64).unwrap();
        edited
    };
    let edit_refresh = median(21, || {
        n += 1;
        let base = watched.persons[&ids[n * 37 % ids.len()]].clone();
        edit_phone(&mut loaded, base, n);
        black_box(watched.refresh(&mut loaded));
    });
    let edit_only = median(21, || {
        n += 1;
        let base = watched.persons[&ids[n * 37 % ids.len()]].clone();
        let edited = edit_phone(&mut loaded, base, n);
        watched.persons.insert(edited.id.clone(), edited);
    });
    watched.refresh(&mut loaded);
    let search_text = median(21, || {
        black_box(watched.search(&PersonFilter {
            text: Some("sri".into()),
            ..Default::default()
        }));
    });
    let search_filtered = median(21, || {
        black_box(watched.search(&PersonFilter {
            category: Some(Category::Pmi),
            destination: Some("Taiwan".into()),
            ..Default::default()
        }));
    });
    let counts = median(21, || {
        black_box(watched.counts());
    });
    // A bulk write (an import of a fifth of the village again as new persons, in one change),
    // then bringing the snapshot up to date, as the documents' worker does after an import.
    let mut bulk_doc = VillageDoc::load(&bytes).unwrap();
    let mut bulk_snap = bulk_doc.watch();
    let new = snap.persons.len() / 5;
    for i in 0..new {
        let mut p = Person::new(desmigratif_model::RecordId::random(), format!("Impor {i}"));
        p.dusun = Some("Krajan".into());
        bulk_doc.create(p, &by, 1_900_000_000).unwrap();
    }
    let started = std::time::Instant::now();
    black_box(bulk_snap.refresh_delta(&mut bulk_doc));
    let bulk_refresh = started.elapsed();
    println!("open (load bytes):            {:>9.2} ms", ms(load));
    println!("open (read record by record): {:>9.2} ms", ms(full));
    println!("open (read in one walk):      {:>9.2} ms", ms(walk));
    println!("edit one field, no refresh:   {:>9.2} ms", ms(edit_only));
    println!("edit one field + refresh:     {:>9.2} ms", ms(edit_refresh));
    println!("search by name:               {:>9.2} ms", ms(search_text));
    println!("search by category+country:   {:>9.2} ms", ms(search_filtered));
    println!("counts per category:          {:>9.3} ms", ms(counts));
    println!("refresh after {new:>5} new persons: {:>7.2} ms", ms(bulk_refresh));
    exports(&watched);
    import(&bytes);
}

/// A 5,000-row placement list imported as the browser does it (read, map, preview, apply as one
/// change, bring the snapshot up to date), each step timed.
#[cfg(feature = "files")]
fn import(bytes: &[u8]) {
    use desmigratif_model::import::{self, read_file};
    use std::time::Instant;
    let mut csv =
        String::from("NAMA;NIK;JENIS KELAMIN;TGL LAHIR;NEGARA TUJUAN;JABATAN;NOMOR SK;TANGGAL BERANGKAT\r\n");
    for i in 0..5000 {
        let day = 41 + (i % 28);
        csv.push_str(&format!(
            "Impor {i};350799{day}0890{:04};P;{:02}/08/1990;Taiwan;Perawat lansia;KEP.{i}/2026;01/03/2025\r\n",
            i + 1,
            day - 40
        ));
    }
    let today = "2026-11-28".parse().unwrap();
    let mut doc = VillageDoc::load(bytes).unwrap();
    let mut snap = doc.watch();
    let t = Instant::now();
    let sheet = read_file(csv.as_bytes()).unwrap();
    let mapping = import::suggest(&sheet.headers);
    let rows = import::parse(&sheet, &mapping);
    let preview = import::preview(&snap, rows, &Default::default(), today);
    let previewed = t.elapsed();
    let t = Instant::now();
    let applied = doc
        .apply_import(&preview, |_, _| true, "bench.csv", &demo_author(), 1_900_000_000)
        .unwrap();
    let written = t.elapsed();
    let t = Instant::now();
    black_box(snap.refresh_delta(&mut doc));
    let refreshed = t.elapsed();
    println!(
        "import {} rows: preview {:.0} ms, apply {:.0} ms, refresh {:.0} ms ({applied:?})",
        sheet.rows.len(),
        ms(previewed),
        ms(written),
        ms(refreshed)
    );
}

#[cfg(not(feature = "files"))]
fn import(_: &[u8]) {}

/// The dashboard's figures and the exports of every person (the browser does the same work,
/// slower: see BENCHMARKS.md).
#[cfg(feature = "files")]
fn exports(snap: &desmigratif_model::VillageSnapshot) {
    use desmigratif_model::export::{VillagePart, episodes_table, persons_table, to_csv, to_xlsx};
    use desmigratif_model::{DashboardFilter, HistoryIndex, Lang};
    let today = "2026-11-28".parse().unwrap();
    let history = HistoryIndex::default();
    let figures = median(5, || {
        black_box(snap.figures(&DashboardFilter::last_year(today), today, &history));
    });
    let parts = || {
        [VillagePart {
            village: "Arjowilangun",
            snapshot: snap,
            persons: snap.search(&PersonFilter::default()),
        }]
    };
    let csv = median(3, || {
        black_box(to_csv(&persons_table(&parts(), Lang::Id)));
    });
    let mut size = 0;
    let xlsx = median(3, || {
        let p = parts();
        let bytes = to_xlsx(&[persons_table(&p, Lang::Id), episodes_table(&p, Lang::Id)]).unwrap();
        size = bytes.len();
    });
    println!("dashboard figures (a year):   {:>9.2} ms", ms(figures));
    println!("export persons as CSV:        {:>9.2} ms", ms(csv));
    println!(
        "export persons+episodes XLSX: {:>9.2} ms ({} KiB)",
        ms(xlsx),
        size / 1024
    );
}

#[cfg(not(feature = "files"))]
fn exports(_: &desmigratif_model::VillageSnapshot) {
    println!("(exports: run with --features files)");
}

fn main() {
    let only_large = std::env::args().any(|a| a == "--large");
    if !only_large {
        village(500);
    }
    village(2500);
}
