use automerge::sync::State;
use desmigratif_model::{Author, Person, RecordId};
use sync_server::accounts::Role;

use crate::support::*;

#[tokio::test]
async fn offline_edits_reach_the_district_after_reconnect_and_concurrent_edits_merge() {
    let dir = temp_dir("offline");
    let relay = TestRelay::start(&dir).await;
    let url = relay.ws_url();
    let t_arjo = relay.token("arjo", Role::Village, Some(ARJO), "hp-1");
    let t_dinas = relay.token("dinas", Role::District, Some("35.07"), "pc-1");
    let doc_id = village_id(ARJO);

    // Both devices load the village while online.
    let mut phone = Peer::connect(&url, &t_arjo, "arjo", "hp-1").await.unwrap();
    let mut office = Peer::connect(&url, &t_dinas, "dinas", "pc-1").await.unwrap();
    let mut phone_doc = fetch_village(&mut phone, &doc_id).await;
    let mut office_doc = fetch_village(&mut office, &doc_id).await;
    drop(phone); // signal lost

    // Offline: the phone adds a person and edits one; the office edits the same person.
    let by_phone = Author::new("arjo", "hp-1");
    let by_office = Author::new("dinas", "pc-1");
    let new_id = phone_doc
        .create(Person::new(RecordId::random(), "Sumini Offline"), &by_phone, 100)
        .unwrap();
    let target = phone_doc.snapshot().persons.values().next().unwrap().clone();
    let mut p = target.clone();
    p.phone = Some("081111222233".into());
    phone_doc.update(&target, &p, &by_phone, 101).unwrap();
    let mut o = target.clone();
    o.address = Some("Jl. Kantor Desa 1".into());
    office_doc.update(&target, &o, &by_office, 102).unwrap();
    let mut office_state = State::new();
    office
        .sync(&doc_id, office_doc.automerge(), &mut office_state)
        .await;

    // Signal returns: the phone reconnects and syncs from a fresh sync state.
    let mut phone = Peer::connect(&url, &t_arjo, "arjo", "hp-1").await.unwrap();
    phone
        .sync(&doc_id, phone_doc.automerge(), &mut State::new())
        .await;
    office
        .sync(&doc_id, office_doc.automerge(), &mut office_state)
        .await;

    for (name, doc) in [("phone", &phone_doc), ("office", &office_doc)] {
        let s = doc.snapshot();
        assert_eq!(
            s.person(&new_id).map(|p| p.full_name.as_str()),
            Some("Sumini Offline"),
            "{name}"
        );
        let merged = s.person(&target.id).unwrap();
        assert_eq!(
            merged.phone.as_deref(),
            Some("081111222233"),
            "{name} keeps the phone's edit"
        );
        assert_eq!(
            merged.address.as_deref(),
            Some("Jl. Kantor Desa 1"),
            "{name} keeps the office's edit"
        );
    }
    relay.stop().await;
}
