use std::time::Duration;

use sync_server::accounts::Role;

use crate::support::*;

#[tokio::test]
async fn the_sync_endpoint_refuses_missing_wrong_and_revoked_tokens_before_upgrading() {
    let dir = temp_dir("auth");
    let relay = TestRelay::start(&dir).await;
    let url = relay.ws_url();
    let status = |r: Result<_, ConnectError>| match r {
        Err(ConnectError::Refused(s)) => s,
        Ok(_) => 101,
        Err(e) => panic!("{e:?}"),
    };
    assert_eq!(status(open_socket(&url, None, "s").await), 401);
    assert_eq!(
        status(open_socket(&url, Some("0123456789abcdef"), "s").await),
        401
    );
    let token = relay.token("arjo", Role::Village, Some(ARJO), "hp-1");
    assert_eq!(status(open_socket(&url, Some(&token), "s").await), 101);

    // A token in the query string works too (browsers cannot set headers on WebSockets).
    let with_query = format!("{url}?token={token}&session=q");
    assert!(tokio_tungstenite::connect_async(with_query).await.is_ok());

    // A peer claiming another identity than its token's is cut off at the handshake.
    let mut other = relay.token("brong", Role::Village, Some("35.07.33.2006"), "hp-2");
    other.truncate(other.len());
    let impostor = Peer::connect(&url, &other, "arjo", "hp-1").await;
    assert!(impostor.is_err(), "peer id must match the token's account");

    // Revoking ends live connections and refuses new ones.
    let mut live = Peer::connect(&url, &token, "arjo", "hp-1").await.unwrap();
    relay.db.revoke("arjo").unwrap();
    assert_eq!(status(open_socket(&url, Some(&token), "s").await), 401);
    assert!(
        live.closed_within(Duration::from_secs(20)).await,
        "a revoked session's connection is closed"
    );
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_returns_a_token_and_the_accounts_documents_and_is_rate_limited() {
    let dir = temp_dir("login");
    let relay = TestRelay::start(&dir).await;
    let addr = relay.addr;
    let json = [("Content-Type", "application/json")];
    let login = move |user: &str, pw: &str| {
        let body = format!("{{\"username\":\"{user}\",\"password\":\"{pw}\",\"device\":\"hp-1\"}}");
        http(addr, "POST", "/api/login", &json, &body)
    };
    let (status, body) = tokio::task::spawn_blocking(move || login("desa-arjowilangun", "demo-desmigratif"))
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["role"], "village");
    assert_eq!(v["scope"], ARJO);
    let docs: Vec<&str> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["doc_id"].as_str().unwrap())
        .collect();
    assert_eq!(docs, [village_id(ARJO), district_id("35.07")]);
    let token = v["token"].as_str().unwrap().to_owned();

    let (status, body) = tokio::task::spawn_blocking(move || {
        http(
            addr,
            "GET",
            "/api/me",
            &[("Authorization", &format!("Bearer {token}"))],
            "",
        )
    })
    .await
    .unwrap();
    assert_eq!(status, 200);
    assert!(!body.contains("token"), "/api/me does not repeat the token");
    let (status, _) = tokio::task::spawn_blocking(move || {
        http(addr, "GET", "/api/me", &[("Authorization", "Bearer nope")], "")
    })
    .await
    .unwrap();
    assert_eq!(status, 401);
    let (status, _) =
        tokio::task::spawn_blocking(move || http(addr, "POST", "/api/login", &json, "{not json"))
            .await
            .unwrap();
    assert_eq!(status, 400);

    // Ten wrong passwords, then even the right one is refused for a while.
    let statuses = tokio::task::spawn_blocking(move || {
        let mut s: Vec<u16> = (0..10).map(|_| login("disnaker-malang", "salah").0).collect();
        s.push(login("disnaker-malang", "demo-desmigratif").0);
        s
    })
    .await
    .unwrap();
    assert!(statuses[..10].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(statuses[10], 429);
    relay.stop().await;
}
