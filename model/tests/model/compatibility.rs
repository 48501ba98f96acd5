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

/// A person as the JavaScript automerge library writes one: every string a text object, in a
/// change without this app's note.
fn write_as_text_client(am: &mut AutoCommit, person: &Person) {
    let persons = am.get(ROOT, "persons").unwrap().unwrap().1;
    let obj = am.put_object(&persons, person.id.as_str(), ObjType::Map).unwrap();
    let json = serde_json::to_value(person).unwrap();
    for (key, value) in json.as_object().unwrap() {
        match value {
            serde_json::Value::String(s) => {
                let text = am.put_object(&obj, key.as_str(), ObjType::Text).unwrap();
                am.splice_text(&text, 0, 0, s).unwrap();
            }
            serde_json::Value::Bool(b) => am.put(&obj, key.as_str(), *b).unwrap(),
            serde_json::Value::Null => {}
            other => panic!("{key}: {other}"),
        }
    }
    am.commit();
}

#[test]
fn a_person_written_with_text_strings_by_another_client_reads_whole_and_edits() {
    use desmigratif_model::{Date, Education, FamilyRelation, MaritalStatus, Sex};
    let mut person = Person::new(RecordId::random(), "Dari Klien JS");
    person.nik = Some("3507115208900001".into());
    person.no_kk = Some("3507110101200001".into());
    person.relation = Some(FamilyRelation::Head);
    person.sex = Some(Sex::Female);
    person.birth_place = Some("Malang".into());
    person.birth_date = Date::new(1990, 8, 12);
    person.dusun = Some("Krajan".into());
    person.rt = Some("002".into());
    person.rw = Some("005".into());
    person.address = Some("Jl. Melati 3".into());
    person.phone = Some("081234567890".into());
    person.education = Some(Education::SeniorHigh);
    person.marital_status = Some(MaritalStatus::Married);
    person.consent = Consent::Given;
    person.consent_date = Date::new(2026, 1, 5);
    person.notes = Some("ditulis klien lain".into());

    let mut doc = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
    let mut watched = doc.watch();
    write_as_text_client(doc.automerge(), &person);

    // Every reading path: one record, a full read record by record, the one-walk read, and
    // the incremental refresh of a snapshot taken before the record arrived.
    assert_eq!(doc.get::<Person>(&person.id).unwrap(), person);
    let snap = doc.snapshot();
    assert!(snap.damaged.is_empty(), "{:?}", snap.damaged);
    assert_eq!(snap.person(&person.id), Some(&person));
    assert_eq!(doc.watch().person(&person.id), Some(&person));
    watched.refresh(&mut doc);
    assert_eq!(watched.person(&person.id), Some(&person));

    // The other client edits the text in place; this app edits a field and writes a scalar.
    let name = {
        let am = doc.automerge();
        let persons = am.get(ROOT, "persons").unwrap().unwrap().1;
        let obj = am.get(&persons, person.id.as_str()).unwrap().unwrap().1;
        am.get(&obj, "full_name").unwrap().unwrap().1
    };
    doc.automerge().splice_text(&name, 0, 4, "Oleh").unwrap();
    doc.automerge().commit();
    watched.refresh(&mut doc);
    assert_eq!(watched.person(&person.id).unwrap().full_name, "Oleh Klien JS");

    let base: Person = doc.get(&person.id).unwrap();
    let mut edited = base.clone();
    edited.phone = Some("085700000000".into());
    let by = Author::new("desa-arjowilangun", "hp-1");
    assert_eq!(doc.update(&base, &edited, &by, 10).unwrap(), vec!["phone"]);
    watched.refresh(&mut doc);
    assert_eq!(watched.person(&person.id), Some(&edited));
    assert_eq!(doc.watch().person(&person.id), Some(&edited));

    // The history names the other app (by its actor) for what it wrote, field by field.
    let history = doc.history(desmigratif_model::Collection::Persons, &person.id);
    let seen: Vec<(&str, desmigratif_model::EditAction, Vec<String>)> = history
        .iter()
        .map(|h| (h.author.account.as_str(), h.action, h.fields.clone()))
        .collect();
    use desmigratif_model::EditAction::{Create, Update};
    let other = desmigratif_model::history::OTHER_APP;
    assert_eq!(
        seen,
        vec![
            (other, Create, vec![]),
            (other, Update, vec!["full_name".to_owned()]),
            ("desa-arjowilangun", Update, vec!["phone".to_owned()]),
        ]
    );
}
