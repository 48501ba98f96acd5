use automerge::sync;
use desmigratif_model::{Author, Person, RecordId, Sex, demo};
use serde_json::Value;
use sync_server::accounts::Role;

use crate::support::*;

fn get(relay: &TestRelay, token: Option<&str>) -> (u16, String) {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", a.as_str())).collect();
    http(relay.addr, "GET", "/api/aggregates", &headers, "")
}

/// A village's total as the partner sees it.
fn persons(body: &Value, code: &str) -> Value {
    body["villages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == code)
        .unwrap()["persons"]
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_gets_suppressed_figures_of_its_district_and_nothing_personal() {
    let dir = temp_dir("aggregates");
    let relay = TestRelay::start(&dir).await;
    let bank = relay.token("bank", Role::Partner, Some("35.07"), "pc-bank");
    let (status, text) = get(&relay, Some(&bank));
    assert_eq!(status, 200, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["district"]["name"], "Kabupaten Malang");
    assert_eq!(body["suppressed_below"], 5);
    let villages = body["villages"].as_array().unwrap();
    assert_eq!(villages.len(), 4);

    // The figures are the documents' (demo data of 20 households per village), small cells hidden.
    let mut small = 0;
    for village in &demo::VILLAGES {
        let shown = villages.iter().find(|v| v["code"] == village.code).unwrap();
        assert_eq!(shown["name"], village.name);
        let doc = demo::village_doc(village, 20);
        let snapshot = doc.snapshot();
        let expected = snapshot.partner_cells();
        let cells = shown["cells"].as_array().unwrap();
        assert_eq!(cells.len(), expected.len());
        for cell in cells {
            let n = expected
                .iter()
                .find(|(k, _)| {
                    serde_json::to_value(k.category).unwrap() == cell["category"]
                        && k.country == cell["country"]
                        && serde_json::to_value(k.sex).unwrap() == cell["sex"]
                })
                .map(|(_, n)| *n)
                .expect("every cell is one of the documents'");
            match &cell["persons"] {
                Value::Number(shown) => {
                    assert_eq!(shown.as_u64(), Some(n as u64));
                    assert!(n >= 5, "a number below 5 is never shown");
                }
                Value::String(s) if s == "<5" => {
                    assert!(n < 5);
                    small += 1;
                }
                Value::String(s) => assert_eq!(s, "*", "hidden to protect a small cell"),
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!(shown["persons"], snapshot.persons.len());
        // Not a name, NIK, family card or record id of anyone.
        for p in snapshot.persons.values() {
            assert!(!text.contains(&p.full_name), "a name leaked");
            assert!(!text.contains(p.nik.as_deref().unwrap()), "a NIK leaked");
            assert!(!text.contains(p.no_kk.as_deref().unwrap()));
            assert!(!text.contains(&p.id.to_string()));
        }
    }
    assert!(small > 0, "the demo data has small cells to hide");

    // A person added on a phone is counted at the next request.
    let before = persons(&body, ARJO);
    let t_arjo = relay.token("arjo", Role::Village, Some(ARJO), "hp-1");
    let mut phone = Peer::connect(&relay.ws_url(), &t_arjo, "arjo", "hp-1")
        .await
        .unwrap();
    let doc_id = village_id(ARJO);
    let mut doc = fetch_village(&mut phone, &doc_id).await;
    let mut p = Person::new(RecordId::random(), "Warga Baru");
    p.sex = Some(Sex::Female);
    doc.create(p, &Author::new("arjo", "hp-1"), 1_795_000_000)
        .unwrap();
    let mut state = sync::State::new();
    phone
        .exchange(
            &doc_id,
            doc.automerge(),
            &mut state,
            std::time::Duration::from_secs(10),
        )
        .await;
    let (_, text) = get(&relay, Some(&bank));
    let after: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        persons(&after, ARJO).as_u64(),
        before.as_u64().map(|n| n + 1),
        "the new person is counted"
    );
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_partner_and_district_accounts_get_figures() {
    let dir = temp_dir("aggregates-refused");
    let relay = TestRelay::start(&dir).await;
    let village = relay.token("arjo", Role::Village, Some(ARJO), "hp-1");
    let admin = relay.token("root", Role::Admin, None, "pc-1");
    let district = relay.token("dinas", Role::District, Some("35.07"), "pc-2");
    for (token, want) in [
        (Some(village.as_str()), 403),
        (Some(admin.as_str()), 403),
        (Some("not-a-token"), 401),
        (None, 401),
        (Some(district.as_str()), 200),
    ] {
        let (status, body) = get(&relay, token);
        assert_eq!(status, want, "{token:?}: {body}");
        if want != 200 {
            assert!(body.contains("\"error\""), "a clear error: {body}");
            assert!(!body.contains("villages"));
        }
    }
    relay.stop().await;
}
