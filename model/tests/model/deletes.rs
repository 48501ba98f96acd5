use desmigratif_model::{Author, EditAction, ModelError, Person, RecordId, VillageDoc};

fn pair() -> (VillageDoc, VillageDoc, Person) {
    let mut a = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
    let p = Person::new(RecordId::random(), "Karti");
    a.create(p.clone(), &Author::new("desa", "a"), 1).unwrap();
    let b = VillageDoc::load(&a.save()).unwrap();
    (a, b, p)
}

#[test]
fn an_edit_concurrent_with_a_delete_neither_resurrects_nor_is_lost() {
    let (mut a, mut b, p) = pair();
    let (ua, ub) = (Author::new("desa", "a"), Author::new("desa", "b"));
    a.delete::<Person>(&p.id, &ua, 2).unwrap();
    let mut edited = p.clone();
    edited.phone = Some("085712345678".into());
    b.update(&p, &edited, &ub, 3).unwrap();
    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();
    for doc in [&a, &b] {
        let now: Person = doc.get(&p.id).unwrap();
        assert!(now.deleted, "the edit did not resurrect the record");
        assert_eq!(now.phone.as_deref(), Some("085712345678"), "the edit was kept");
        assert!(doc.snapshot().search(&Default::default()).is_empty());
    }
    // Editing a deleted record is refused until it is restored; the restore shows the edit.
    let current: Person = a.get(&p.id).unwrap();
    assert!(matches!(
        a.update(&current, &current.clone(), &ua, 4),
        Err(ModelError::RecordDeleted(_))
    ));
    a.restore::<Person>(&p.id, &ua, 5).unwrap();
    assert_eq!(
        a.snapshot().search(&Default::default())[0].phone.as_deref(),
        Some("085712345678")
    );
    let actions: Vec<EditAction> = a
        .history(desmigratif_model::Collection::Persons, &p.id)
        .iter()
        .map(|h| h.action)
        .collect();
    assert_eq!(actions.len(), 4);
    assert_eq!(
        (actions[0], actions[3]),
        (EditAction::Create, EditAction::Restore)
    );
    assert!(actions[1..3].contains(&EditAction::Delete) && actions[1..3].contains(&EditAction::Update));
}

#[test]
fn deleting_twice_or_restoring_a_live_record_changes_nothing() {
    let (mut a, _, p) = pair();
    let by = Author::new("desa", "a");
    a.delete::<Person>(&p.id, &by, 2).unwrap();
    let heads = a.automerge().get_heads();
    a.delete::<Person>(&p.id, &by, 3).unwrap();
    assert_eq!(a.automerge().get_heads(), heads);
    a.restore::<Person>(&p.id, &by, 4).unwrap();
    let heads = a.automerge().get_heads();
    a.restore::<Person>(&p.id, &by, 5).unwrap();
    assert_eq!(a.automerge().get_heads(), heads);
    assert!(a.conflicts::<Person>(&p.id).is_empty());
    assert!(matches!(
        a.delete::<Person>(&RecordId::random(), &by, 6),
        Err(ModelError::NoSuchRecord(_))
    ));
}

#[test]
fn invalid_records_change_nothing() {
    let (mut a, _, p) = pair();
    let heads = a.automerge().get_heads();
    let mut bad = p.clone();
    bad.nik = Some("12".into());
    assert!(matches!(
        a.update(&p, &bad, &Author::new("x", "y"), 9),
        Err(ModelError::Invalid(_))
    ));
    assert!(matches!(
        a.create(p.clone(), &Author::new("x", "y"), 9),
        Err(ModelError::RecordExists(_))
    ));
    assert_eq!(a.automerge().get_heads(), heads);
}

#[test]
fn genesis_is_the_same_change_on_every_device() {
    let code = "35.07.33.2006".parse().unwrap();
    let mut a = VillageDoc::genesis(&code);
    let mut b = VillageDoc::genesis(&code);
    assert_eq!(a.automerge().get_heads(), b.automerge().get_heads());
    assert_ne!(
        a.automerge().get_actor(),
        b.automerge().get_actor(),
        "each device then writes as itself"
    );
    let other = VillageDoc::genesis(&"35.07.33.2004".parse().unwrap())
        .automerge()
        .get_heads();
    assert_ne!(a.automerge().get_heads(), other);
}
