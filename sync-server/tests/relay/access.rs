use automerge::AutoCommit;
use automerge::sync::State;
use desmigratif_model::{Author, Person, RecordId, VillageDoc};
use sync_server::ServeArgs;
use sync_server::accounts::Role;

use crate::support::*;

const BRONGKAL: &str = "35.07.33.2006";

/// A village phone syncs its village and its district over one connection; with the sync
/// layer in shards the two documents live in different samod instances, and a district office
/// reads what the phone wrote through a connection of its own.
#[tokio::test]
async fn one_connection_syncs_documents_held_by_different_shards() {
    let dir = temp_dir("shards");
    let (village, district) = (village_id(ARJO), district_id("35.07"));
    let shards = (2..32)
        .find(|&n| sync_server::shards::shard_of(&village, n) != sync_server::shards::shard_of(&district, n))
        .expect("some count splits the two");
    let relay = TestRelay::start_with(ServeArgs {
        sync_shards: shards,
        ..serve_args(&dir)
    })
    .await;
    let url = relay.ws_url();
    let t_arjo = relay.token("arjo", Role::Village, Some(ARJO), "hp-1");
    let t_dinas = relay.token("dinas", Role::District, Some("35.07"), "pc-1");
    let mut phone = Peer::connect(&url, &t_arjo, "arjo", "hp-1").await.unwrap();

    let mut doc = fetch_village(&mut phone, &village).await;
    assert!(
        fetch(&mut phone, &district).await.is_some(),
        "the district's document, from the other shard"
    );
    // The same connection, back to the first shard; the office reads it through its own.
    let reader = (t_dinas.as_str(), "dinas", "pc-1");
    assert_takes_and_gives(
        &mut phone,
        &village,
        &mut doc,
        "Sulastri Dua Bagian",
        reader,
        &url,
    )
    .await;
    assert_eq!(
        phone.repeated_handshakes, 0,
        "one handshake answer, not one per shard"
    );
    relay.stop().await;
}

#[tokio::test]
async fn villages_see_only_their_own_document_and_the_district_sees_both() {
    let dir = temp_dir("access");
    let relay = TestRelay::start(&dir).await;
    let url = relay.ws_url();
    let t_arjo = relay.token("arjo", Role::Village, Some(ARJO), "hp-1");
    let t_brong = relay.token("brong", Role::Village, Some(BRONGKAL), "hp-2");
    let t_dinas = relay.token("dinas", Role::District, Some("35.07"), "pc-1");

    let mut arjo = Peer::connect(&url, &t_arjo, "arjo", "hp-1").await.unwrap();
    let mut brong = Peer::connect(&url, &t_brong, "brong", "hp-2").await.unwrap();
    let mut dinas = Peer::connect(&url, &t_dinas, "dinas", "pc-1").await.unwrap();

    let own = fetch(&mut arjo, &village_id(ARJO)).await.expect("own village");
    let own = VillageDoc::from_automerge(own).unwrap();
    assert_eq!(own.code().unwrap().as_str(), ARJO);
    assert!(!own.snapshot().persons.is_empty());

    // Another village's document is unavailable, exactly as a document that does not exist.
    let mut probe = AutoCommit::new();
    assert!(
        !arjo
            .sync(&village_id(BRONGKAL), &mut probe, &mut State::new())
            .await,
        "answered doc-unavailable"
    );
    assert!(
        !arjo
            .sync(&village_id("35.07.99.9999"), &mut probe, &mut State::new())
            .await,
        "answered doc-unavailable"
    );
    let other = fetch(&mut arjo, &village_id(BRONGKAL)).await;
    assert!(other.is_none(), "a village must not read another village");
    let nonexistent = fetch(&mut arjo, &village_id("35.07.99.9999")).await;
    assert!(nonexistent.is_none());

    // The district document is readable; the district office reads both villages.
    assert!(fetch(&mut arjo, &district_id("35.07")).await.is_some());
    assert!(fetch(&mut brong, &village_id(BRONGKAL)).await.is_some());
    for code in [ARJO, BRONGKAL] {
        let doc = fetch(&mut dinas, &village_id(code))
            .await
            .expect("the district reads its villages");
        assert_eq!(
            VillageDoc::from_automerge(doc).unwrap().code().unwrap().as_str(),
            code
        );
    }
    // Partners have no documents at all: the relay refuses their sync connection outright.
    let t_bank = relay.token("bank", Role::Partner, Some("35.07"), "pc-2");
    assert!(
        Peer::connect(&url, &t_bank, "bank", "pc-2").await.is_err(),
        "a partner's token opens no sync connection"
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_village_cannot_write_another_village_or_the_district_document() {
    let dir = temp_dir("access-write");
    let relay = TestRelay::start(&dir).await;
    let url = relay.ws_url();
    let t_arjo = relay.token("arjo", Role::Village, Some(ARJO), "hp-1");
    let t_dinas = relay.token("dinas", Role::District, Some("35.07"), "pc-1");
    let mut arjo = Peer::connect(&url, &t_arjo, "arjo", "hp-1").await.unwrap();

    // Arjowilangun's device pushes a forged Brongkal document and an edit to the district's.
    let mut forged = VillageDoc::genesis(&BRONGKAL.parse().unwrap());
    forged
        .create(
            Person::new(RecordId::random(), "Palsu"),
            &Author::new("arjo", "hp-1"),
            1,
        )
        .unwrap();
    arjo.sync(&village_id(BRONGKAL), forged.automerge(), &mut State::new())
        .await;
    let mut district = fetch(&mut arjo, &district_id("35.07")).await.unwrap();
    let before = district.get_heads();
    {
        use automerge::transaction::Transactable;
        district.put(automerge::ROOT, "forged", true).unwrap();
        district.commit();
    }
    arjo.sync(&district_id("35.07"), &mut district, &mut State::new())
        .await;

    let mut dinas = Peer::connect(&url, &t_dinas, "dinas", "pc-1").await.unwrap();
    let brong = fetch_village(&mut dinas, &village_id(BRONGKAL)).await;
    assert!(brong.snapshot().persons.values().all(|p| p.full_name != "Palsu"));
    let mut seen = fetch(&mut dinas, &district_id("35.07")).await.unwrap();
    assert_eq!(seen.get_heads(), before, "the read-only write was not applied");
    relay.stop().await;
}
