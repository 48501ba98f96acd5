//! The incremental snapshot by example: stored snapshots ahead of the document or damaged,
//! the two full reads on a demo village, and what a refresh reports as changed. (The random
//! equivalence test is `incremental.rs`.)

use desmigratif_model::{
    Author, Category, EpisodeState, MigrationEpisode, Person, RecordId, VillageDoc, VillageSnapshot,
};

use super::incremental::KKS;

/// A stored snapshot that reflects changes the document does not hold (the app closed after
/// storing the snapshot but before storing a change) is not resumed: it is read afresh.
#[test]
fn a_stored_snapshot_ahead_of_the_document_is_read_afresh() {
    let code = "35.07.11.2008".parse().unwrap();
    let genesis = VillageDoc::genesis(&code).save();
    let mut stored = VillageDoc::load(&genesis).unwrap();
    let by = Author::new("desa", "hp");
    let kept = stored
        .create(Person::new(RecordId::random(), "Tersimpan"), &by, 1)
        .unwrap();
    let mut ahead = stored.clone();
    let lost = ahead
        .create(Person::new(RecordId::random(), "Hilang"), &by, 2)
        .unwrap();
    let snapshot = VillageSnapshot::decode(&ahead.watch().encode()).unwrap();
    assert!(snapshot.person(&lost).is_some());

    let mut reopened = snapshot;
    assert!(!reopened.can_resume(&mut stored));
    reopened.refresh(&mut stored);
    assert!(reopened.same_as(&stored.snapshot()));
    assert!(reopened.person(&kept).is_some() && reopened.person(&lost).is_none());
}

#[test]
fn a_damaged_or_foreign_stored_snapshot_is_refused() {
    let code = "35.07.11.2008".parse().unwrap();
    let bytes = VillageDoc::genesis(&code).watch().encode();
    assert!(VillageSnapshot::decode(&bytes).is_some());
    assert!(VillageSnapshot::decode(&bytes[..bytes.len() / 2]).is_none());
    assert!(VillageSnapshot::decode(&[]).is_none());
    let mut other_format = bytes.clone();
    other_format[0] = 0;
    assert!(VillageSnapshot::decode(&other_format).is_none());
}

/// The one-walk read and the record-by-record read agree on a full demo village, where every
/// field of every kind is filled somewhere.
#[test]
fn both_full_reads_agree_on_a_demo_village() {
    let mut doc = desmigratif_model::demo::village_doc(&desmigratif_model::demo::VILLAGES[0], 40);
    let walked = doc.watch();
    assert!(walked.persons.len() > 100 && walked.damaged.is_empty());
    assert!(walked.same_as(&doc.snapshot()));
}

/// A refresh reports exactly the persons whose row must be redrawn: the edited one, and the
/// household members whose category an episode changed.
#[test]
fn a_refresh_reports_what_changed() {
    let mut doc = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
    let by = Author::new("desa", "hp");
    let mut mother = Person::new(RecordId::random(), "Sri");
    mother.no_kk = Some(KKS[0].into());
    let mut son = Person::new(RecordId::random(), "Andi");
    son.no_kk = Some(KKS[0].into());
    let neighbour = Person::new(RecordId::random(), "Paijo");
    let (m, s, n) = (
        doc.create(mother.clone(), &by, 1).unwrap(),
        doc.create(son, &by, 1).unwrap(),
        doc.create(neighbour.clone(), &by, 1).unwrap(),
    );
    let mut snap = doc.watch();
    assert_eq!(snap.category(&s), Some(Category::Resident));

    let mut edited = neighbour.clone();
    edited.phone = Some("081234567890".into());
    doc.update(&neighbour, &edited, &by, 2).unwrap();
    let changed = snap.refresh(&mut doc);
    assert_eq!(changed.persons.into_iter().collect::<Vec<_>>(), vec![n.clone()]);

    doc.create(
        MigrationEpisode::new(RecordId::random(), m.clone(), "Hong Kong", EpisodeState::Abroad),
        &by,
        3,
    )
    .unwrap();
    let changed = snap.refresh(&mut doc);
    assert!(changed.persons.contains(&m) && changed.persons.contains(&s));
    assert!(!changed.persons.contains(&n));
    assert_eq!(changed.episodes.len(), 1);
    assert_eq!(snap.category(&m), Some(Category::Pmi));
    assert_eq!(snap.category(&s), Some(Category::Keluarga));
    assert!(snap.refresh(&mut doc).is_empty(), "nothing new, nothing reported");
}
