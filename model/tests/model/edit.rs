//! Edits as data: each kind of edit, sent as JSON (as it travels to where the document lives),
//! does what the direct call does; a malformed or misplaced edit is refused and writes nothing.

use desmigratif_model::{
    Agency, Author, Collection, Consultation, ConsultationTopic, Date, DistrictDoc, Edit, ModelError, Person,
    RecordId, VillageDoc,
};

fn sent(edit: &Edit) -> Edit {
    serde_json::from_str(&serde_json::to_string(edit).unwrap()).unwrap()
}

#[test]
fn edits_sent_as_data_create_update_delete_restore_and_resolve() {
    let mut doc = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
    let by = Author::new("desa", "hp");
    let sri = Person::new(RecordId::random(), "Sri Wahyuni");
    sent(&Edit::save(None, &sri))
        .apply_village(&mut doc, &by, 1)
        .unwrap();
    assert_eq!(doc.snapshot().person(&sri.id).unwrap().full_name, "Sri Wahyuni");

    let mut phone = sri.clone();
    phone.phone = Some("081234567890".into());
    sent(&Edit::save(Some(&sri), &phone))
        .apply_village(&mut doc, &by, 2)
        .unwrap();
    assert_eq!(
        doc.snapshot().person(&sri.id).unwrap().phone.as_deref(),
        Some("081234567890")
    );

    sent(&Edit::set_deleted::<Person>(&sri.id, true))
        .apply_village(&mut doc, &by, 3)
        .unwrap();
    assert!(doc.snapshot().person(&sri.id).unwrap().deleted);
    sent(&Edit::set_deleted::<Person>(&sri.id, false))
        .apply_village(&mut doc, &by, 4)
        .unwrap();
    assert!(!doc.snapshot().person(&sri.id).unwrap().deleted);

    let mut consultation = Consultation::new(
        RecordId::random(),
        Date::new(2026, 11, 2).unwrap(),
        ConsultationTopic::Contract,
    );
    consultation.person = Some(sri.id.clone());
    sent(&Edit::save(None, &consultation))
        .apply_village(&mut doc, &by, 5)
        .unwrap();
    assert!(
        doc.snapshot()
            .pillars
            .consultations
            .contains_key(&consultation.id)
    );

    // Two devices set the phone at once; choosing one settles it.
    let mut other = VillageDoc::load(&doc.save()).unwrap();
    let mut a = phone.clone();
    a.phone = Some("081111111111".into());
    let mut b = phone.clone();
    b.phone = Some("082222222222".into());
    doc.update(&phone, &a, &by, 6).unwrap();
    other
        .update(&phone, &b, &Author::new("desa", "laptop"), 6)
        .unwrap();
    doc.merge(&mut other).unwrap();
    let conflicts = doc.conflicts::<Person>(&sri.id);
    let laptops = conflicts[0]
        .values
        .iter()
        .find(|v| v.value == "082222222222")
        .unwrap();
    let resolve = Edit::Resolve {
        collection: Collection::Persons,
        id: sri.id.clone(),
        field: "phone".into(),
        choice: laptops.choice.clone(),
    };
    sent(&resolve).apply_village(&mut doc, &by, 7).unwrap();
    assert!(doc.conflicts::<Person>(&sri.id).is_empty());
    assert_eq!(
        doc.snapshot().person(&sri.id).unwrap().phone.as_deref(),
        Some("082222222222")
    );
}

#[test]
fn a_malformed_or_misplaced_edit_writes_nothing() {
    let mut doc = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
    let by = Author::new("desa", "hp");
    let heads = doc.automerge().get_heads();
    let garbled = Edit::Save {
        collection: Collection::Persons,
        base: None,
        record: serde_json::json!({ "id": "not an id", "full_name": 7 }),
    };
    assert!(matches!(
        garbled.apply_village(&mut doc, &by, 1),
        Err(ModelError::Invalid(_))
    ));
    let agency = Agency::new(RecordId::random(), "PT Maju");
    assert!(Edit::save(None, &agency).apply_village(&mut doc, &by, 1).is_err());
    assert_eq!(doc.automerge().get_heads(), heads, "nothing was written");

    let mut district = DistrictDoc::genesis(&"35.07".parse().unwrap());
    sent(&Edit::save(None, &agency))
        .apply_district(&mut district, &by, 2)
        .unwrap();
    assert!(district.reference().agencies.contains_key(&agency.id));
    let person = Person::new(RecordId::random(), "Sri");
    assert!(
        Edit::save(None, &person)
            .apply_district(&mut district, &by, 3)
            .is_err()
    );
}
