use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use autosurgeon::{Hydrate, Reconcile, reconcile_prop};
use desmigratif_model::{Author, Consent, Person, RecordId, VillageDoc};

/// A person as the first field version stored it: no relation, address, consent or deleted
/// fields, and a field this version no longer knows.
#[derive(Reconcile, Hydrate)]
struct PersonV0 {
    id: RecordId,
    full_name: String,
    nik: Option<String>,
    phone: Option<String>,
    legacy_tag: String,
}

fn old_document(id: &RecordId) -> Vec<u8> {
    // Start from the shared genesis, as every version does, then write the old shape.
    let mut doc = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
    let mut am: AutoCommit = doc.automerge().clone();
    let persons = am.get(ROOT, "persons").unwrap().unwrap().1;
    let old = PersonV0 {
        id: id.clone(),
        full_name: "Sumiati".into(),
        nik: Some("3507115205900001".into()),
        phone: None,
        legacy_tag: "survei-2019".into(),
    };
    reconcile_prop(&mut am, &persons, id.as_str(), &old).unwrap();
    am.commit();
    am.save()
}

#[test]
fn records_written_before_fields_were_added_still_load_and_edit() {
    let id = RecordId::random();
    let mut doc = VillageDoc::load(&old_document(&id)).unwrap();
    let snap = doc.snapshot();
    assert!(snap.damaged.is_empty());
    let p: Person = doc.get(&id).unwrap();
    assert_eq!(p.full_name, "Sumiati");
    assert_eq!(p.consent, Consent::NotAsked);
    assert_eq!((p.relation, p.address.clone(), p.deleted), (None, None, false));

    let mut edited = p.clone();
    edited.phone = Some("081234567890".into());
    assert_eq!(
        doc.update(&p, &edited, &Author::new("desa", "hp"), 5).unwrap(),
        vec!["phone"]
    );

    // The field this version does not know is kept for the version that does.
    let bytes = doc.save();
    let am = AutoCommit::load(&bytes).unwrap();
    let persons = am.get(ROOT, "persons").unwrap().unwrap().1;
    let rec = am.get(&persons, id.as_str()).unwrap().unwrap().1;
    let tag: String = autosurgeon::hydrate_prop(&am, &rec, "legacy_tag").unwrap();
    assert_eq!(tag, "survei-2019");
    // Fields never set are not written by the edit either.
    assert!(am.get(&rec, "address").unwrap().is_none());
    assert_eq!(
        VillageDoc::load(&bytes)
            .unwrap()
            .get::<Person>(&id)
            .unwrap()
            .phone
            .as_deref(),
        Some("081234567890")
    );
}

#[test]
fn a_damaged_record_is_reported_and_does_not_hide_the_others() {
    let mut doc = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
    let good = doc
        .create(Person::new(RecordId::random(), "Baik"), &Author::new("a", "b"), 1)
        .unwrap();
    let am = doc.automerge();
    let persons = am.get(ROOT, "persons").unwrap().unwrap().1;
    let bad = am.put_object(&persons, "not-an-id", ObjType::Map).unwrap();
    am.put(&bad, "full_name", 42).unwrap();
    am.commit();
    let snap = doc.snapshot();
    assert_eq!(snap.persons.len(), 1);
    assert!(snap.person(&good).is_some());
    assert_eq!(snap.damaged, vec!["persons/not-an-id".to_string()]);
}
