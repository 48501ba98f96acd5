use std::time::Duration;

use serde_json::Value;

use crate::support::{Peer, TestRelay, http, temp_dir};

const DEMO: &str = "demo-desmigratif";
const BRONGKAL: &str = "35.07.33.2006";

/// A JSON request over a real socket (off the async workers: the helper blocks).
async fn api(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, Value) {
    let (method, path, token, body) = (
        method.to_owned(),
        path.to_owned(),
        token.map(str::to_owned),
        body.to_owned(),
    );
    tokio::task::spawn_blocking(move || {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(a) = &auth {
            headers.push(("Authorization", a.as_str()));
        }
        let (status, text) = http(addr, &method, &path, &headers, &body);
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    })
    .await
    .unwrap()
}

async fn login(addr: std::net::SocketAddr, user: &str, password: &str, device: &str) -> (u16, Value) {
    let body = serde_json::json!({ "username": user, "password": password, "device": device, "app_version": "0.1.0" });
    api(addr, "POST", "/api/login", None, &body.to_string()).await
}

async fn token(addr: std::net::SocketAddr, user: &str, device: &str) -> String {
    let (status, v) = login(addr, user, DEMO, device).await;
    assert_eq!(status, 200, "{v}");
    v["token"].as_str().unwrap().to_owned()
}

/// One account of a `GET /api/accounts` reply.
/// A device of `user` logged in (with the demo password) and connected for sync: its token and
/// its connection.
async fn online(relay: &TestRelay, user: &str, device: &str) -> (String, Peer) {
    let token = token(relay.addr, user, device).await;
    let peer = Peer::connect(&relay.ws_url(), &token, user, device)
        .await
        .unwrap();
    (token, peer)
}

fn account<'a>(reply: &'a Value, username: &str) -> &'a Value {
    reply["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == username)
        .unwrap_or_else(|| panic!("{username} listed"))
}

/// One device of a listed account.
fn device<'a>(account: &'a Value, id: &str) -> &'a Value {
    account["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device"] == id)
        .unwrap_or_else(|| panic!("{id} listed"))
}

fn usernames(reply: &Value) -> Vec<&str> {
    reply["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_district_office_manages_its_villages_accounts_and_nobody_else_can() {
    let dir = temp_dir("manage");
    let relay = TestRelay::start(&dir).await;
    let addr = relay.addr;
    let office = token(addr, "disnaker-malang", "pc-kantor").await;
    let village = token(addr, "desa-brongkal", "hp-1").await;
    let partner = token(addr, "bank-bni", "pc-bank").await;

    assert_eq!(api(addr, "GET", "/api/accounts", None, "").await.0, 401);
    assert_eq!(api(addr, "GET", "/api/accounts", Some(&village), "").await.0, 403);
    assert_eq!(api(addr, "GET", "/api/accounts", Some(&partner), "").await.0, 403);
    let new = r#"{"username":"desa-sengguruh","village":"35.07.13.2002"}"#;
    assert_eq!(
        api(addr, "POST", "/api/accounts", Some(&village), new).await.0,
        403
    );

    let (status, list) = api(addr, "GET", "/api/accounts", Some(&office), "").await;
    assert_eq!(status, 200);
    let names = usernames(&list);
    assert!(
        names.contains(&"desa-brongkal") && names.contains(&"disnaker-malang"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"bank-bni") && !names.contains(&"admin"),
        "{names:?}"
    );
    let villages = list["villages"].as_array().unwrap();
    assert_eq!(villages.len(), 390, "every official village of Kabupaten Malang");
    let brongkal = villages.iter().find(|v| v["code"] == BRONGKAL).unwrap();
    assert_eq!(brongkal["name"], "Brongkal");
    assert_eq!(brongkal["kecamatan"], "Pagelaran");
    assert_eq!(brongkal["accounts"], serde_json::json!(["desa-brongkal"]));

    // A new village account: the password is shown once and works.
    let (status, created) = api(addr, "POST", "/api/accounts", Some(&office), new).await;
    assert_eq!(status, 201, "{created}");
    let password = created["password"].as_str().unwrap().to_owned();
    let (status, v) = login(addr, "desa-sengguruh", &password, "hp-baru").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["scope"], "35.07.13.2002");
    assert_eq!(
        api(addr, "POST", "/api/accounts", Some(&office), new).await.0,
        409
    );

    // Outside its district, other roles, unofficial codes, common passwords: refused.
    let (status, _) = api(
        addr,
        "POST",
        "/api/accounts",
        Some(&office),
        r#"{"username":"desa-lain","village":"35.08.01.2001"}"#,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = api(
        addr,
        "POST",
        "/api/accounts",
        Some(&office),
        r#"{"username":"kantor-2","role":"district","district":"35.07"}"#,
    )
    .await;
    assert_eq!(status, 403);
    let (status, v) = api(
        addr,
        "POST",
        "/api/accounts",
        Some(&office),
        r#"{"username":"desa-x","village":"35.07.99.2999"}"#,
    )
    .await;
    assert_eq!((status, v["reason"].as_str()), (400, Some("bad_scope")));
    let (status, v) = api(
        addr,
        "POST",
        "/api/accounts",
        Some(&office),
        r#"{"username":"desa-y","village":"35.07.33.2004","password":"password123"}"#,
    )
    .await;
    assert_eq!((status, v["reason"].as_str()), (400, Some("common_password")));

    // Another district's account or a partner is not there for this office.
    for path in ["/api/accounts/bank-bni/password", "/api/accounts/admin/disable"] {
        assert_eq!(api(addr, "POST", path, Some(&office), "").await.0, 404, "{path}");
    }

    // A reset password ends the village's sessions; the new one works.
    let (status, reset) = api(
        addr,
        "POST",
        "/api/accounts/desa-brongkal/password",
        Some(&office),
        "",
    )
    .await;
    assert_eq!(status, 200);
    let new_password = reset["password"].as_str().unwrap().to_owned();
    let (status, v) = api(addr, "GET", "/api/me", Some(&village), "").await;
    assert_eq!((status, v["reason"].as_str()), (401, Some("session_ended")));
    assert_eq!(login(addr, "desa-brongkal", &new_password, "hp-1").await.0, 200);

    // Disabled: no login, no session; enabled again: login works.
    let balearjo = token(addr, "desa-balearjo", "hp-2").await;
    assert_eq!(
        api(
            addr,
            "POST",
            "/api/accounts/desa-balearjo/disable",
            Some(&office),
            ""
        )
        .await
        .0,
        204
    );
    assert_eq!(api(addr, "GET", "/api/me", Some(&balearjo), "").await.0, 401);
    let (status, v) = login(addr, "desa-balearjo", DEMO, "hp-2").await;
    assert_eq!((status, v["reason"].as_str()), (403, Some("account_disabled")));
    let (_, list) = api(addr, "GET", "/api/accounts", Some(&office), "").await;
    assert_eq!(account(&list, "desa-balearjo")["disabled"], true);
    assert_eq!(
        api(
            addr,
            "POST",
            "/api/accounts/desa-balearjo/enable",
            Some(&office),
            ""
        )
        .await
        .0,
        204
    );
    assert_eq!(login(addr, "desa-balearjo", DEMO, "hp-2").await.0, 200);
    assert_eq!(
        api(
            addr,
            "POST",
            "/api/accounts/disnaker-malang/disable",
            Some(&office),
            ""
        )
        .await
        .0,
        400,
        "an office does not lock itself out"
    );

    // The audit log names who did what, never a password; only an administrator reads it.
    assert_eq!(api(addr, "GET", "/api/audit", Some(&office), "").await.0, 403);
    let admin = token(addr, "admin", "pc-admin").await;
    let (status, log) = api(addr, "GET", "/api/audit", Some(&admin), "").await;
    assert_eq!(status, 200);
    let actions: Vec<(&str, &str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
                e["target"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("disnaker-malang", "account.enable", "desa-balearjo"),
            ("disnaker-malang", "account.disable", "desa-balearjo"),
            ("disnaker-malang", "account.password", "desa-brongkal"),
            ("disnaker-malang", "account.create", "desa-sengguruh"),
        ]
    );
    let text = log.to_string();
    assert!(
        !text.contains(&password) && !text.contains(&new_password),
        "{text}"
    );
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_phone_is_cut_off_at_once_and_told_to_erase_while_the_others_go_on() {
    let dir = temp_dir("revoke-device");
    let relay = TestRelay::start(&dir).await;
    let addr = relay.addr;
    let office = token(addr, "disnaker-malang", "pc-kantor").await;
    let (lost, mut phone) = online(&relay, "desa-brongkal", "HP_Sri.0a1b2c").await;
    let (kept, mut laptop) = online(&relay, "desa-brongkal", "laptop-balai").await;

    let (_, list) = api(addr, "GET", "/api/accounts", Some(&office), "").await;
    let brongkal = account(&list, "desa-brongkal");
    let devices = brongkal["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2, "{devices:?}");
    let sri = device(brongkal, "HP_Sri.0a1b2c");
    assert_eq!(sri["name"], desmigratif_model::device_name("HP_Sri.0a1b2c"));
    assert_eq!(sri["app_version"], "0.1.0");
    assert_eq!(sri["live_sessions"], 1);

    let (status, _) = api(
        addr,
        "POST",
        "/api/accounts/desa-brongkal/devices/HP_Sri.0a1b2c/revoke",
        Some(&office),
        "",
    )
    .await;
    assert_eq!(status, 204);
    // Its open connection ends at once (not at the next 15 s poll); the laptop's does not.
    assert!(
        phone.closed_within(Duration::from_secs(5)).await,
        "the revoked phone's socket was closed"
    );
    assert!(!laptop.closed_within(Duration::from_millis(300)).await);
    let (status, v) = api(addr, "GET", "/api/me", Some(&lost), "").await;
    assert_eq!((status, v["reason"].as_str()), (401, Some("device_revoked")));
    assert_eq!(api(addr, "GET", "/api/me", Some(&kept), "").await.0, 200);
    let (status, v) = login(addr, "desa-brongkal", DEMO, "HP_Sri.0a1b2c").await;
    assert_eq!((status, v["reason"].as_str()), (403, Some("device_revoked")));
    // Under a new device id (the app makes one after erasing) the account can log in again.
    assert_eq!(login(addr, "desa-brongkal", DEMO, "HP_Sri.ffee00").await.0, 200);
    assert_eq!(
        api(
            addr,
            "POST",
            "/api/accounts/desa-brongkal/devices/tidak-ada/revoke",
            Some(&office),
            ""
        )
        .await
        .0,
        404
    );

    let (_, list) = api(addr, "GET", "/api/accounts", Some(&office), "").await;
    let sri = device(account(&list, "desa-brongkal"), "HP_Sri.0a1b2c");
    assert!(sri["revoked_at"].is_i64());
    assert_eq!(sri["live_sessions"], 0);
    relay.stop().await;
}

/// An office resetting a password or disabling an account cuts every live connection of that
/// account at once (not at the next 15 s poll), whatever device it is on; other accounts go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_or_a_disabled_account_ends_its_live_connections_at_once() {
    let dir = temp_dir("reset-live");
    let relay = TestRelay::start(&dir).await;
    let addr = relay.addr;
    let office = token(addr, "disnaker-malang", "pc-kantor").await;
    let (phone_token, mut phone) = online(&relay, "desa-brongkal", "HP_Ani.0a1b2c").await;
    let (_, mut other) = online(&relay, "desa-balearjo", "HP_Budi.0d0e0f").await;

    let (status, reply) = api(
        addr,
        "POST",
        "/api/accounts/desa-brongkal/password",
        Some(&office),
        "",
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    let new_password = reply["password"].as_str().unwrap().to_owned();
    assert!(
        phone.closed_within(Duration::from_secs(5)).await,
        "the account's open connection ended with the reset"
    );
    assert!(
        !other.closed_within(Duration::from_millis(300)).await,
        "another village goes on"
    );
    assert_eq!(api(addr, "GET", "/api/me", Some(&phone_token), "").await.0, 401);
    assert_eq!(
        login(addr, "desa-brongkal", DEMO, "HP_Ani.0a1b2c").await.0,
        401,
        "the old password no longer works"
    );
    let (status, fresh) = login(addr, "desa-brongkal", &new_password, "HP_Ani.0a1b2c").await;
    assert_eq!(status, 200);

    // Disabled: the new session ends at once too, and the account cannot log in.
    let fresh = fresh["token"].as_str().unwrap().to_owned();
    let mut phone = Peer::connect(&relay.ws_url(), &fresh, "desa-brongkal", "HP_Ani.0a1b2c")
        .await
        .unwrap();
    assert_eq!(
        api(
            addr,
            "POST",
            "/api/accounts/desa-brongkal/disable",
            Some(&office),
            ""
        )
        .await
        .0,
        204
    );
    assert!(
        phone.closed_within(Duration::from_secs(5)).await,
        "the disabled account's connection ended"
    );
    let (status, v) = login(addr, "desa-brongkal", &new_password, "HP_Ani.0a1b2c").await;
    assert_eq!((status, v["reason"].as_str()), (403, Some("account_disabled")));
    assert!(!other.closed_within(Duration::from_millis(300)).await);
    relay.stop().await;
}

/// The command line is another process: a device it revokes on a running relay is cut off
/// within seconds too (the relay notices other writers to the account database), not at the
/// next 15 s poll; the account's other device goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_revoked_from_the_command_line_is_cut_off_within_seconds() {
    let dir = temp_dir("cli-revoke-live");
    let relay = TestRelay::start(&dir).await;
    let (_, mut phone) = online(&relay, "desa-brongkal", "HP_Sri.0a1b2c").await;
    let (_, mut laptop) = online(&relay, "desa-brongkal", "laptop-balai").await;
    let data_dir = dir.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_sync-server"))
            .args([
                "user",
                "revoke-device",
                "--username",
                "desa-brongkal",
                "--device",
                "HP_Sri.0a1b2c",
                "--data-dir",
            ])
            .arg(&data_dir)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        phone.closed_within(Duration::from_secs(5)).await,
        "the phone revoked from the command line was cut off"
    );
    assert!(!laptop.closed_within(Duration::from_millis(300)).await);
    relay.stop().await;
}

/// A session that reaches its end while its socket is open: the connection ends when the token
/// expires (not at the next poll), and the token opens nothing afterwards.
#[tokio::test]
async fn a_token_expiring_on_an_open_connection_ends_it_when_it_expires() {
    let dir = temp_dir("expiring");
    let relay = TestRelay::start(&dir).await;
    let (token, mut phone) = online(&relay, "desa-brongkal", "HP_Ani.0a1b2c").await;
    let (_, mut other) = online(&relay, "desa-balearjo", "HP_Budi.0d0e0f").await;
    // Time passing, as the relay sees it: the session now ends two seconds from now (written
    // by another process, as the command line would).
    let db = rusqlite::Connection::open(dir.join("accounts.sqlite3")).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let changed = db
        .execute(
            "UPDATE sessions SET expires_at = ?1 WHERE username = 'desa-brongkal'",
            [now + 2],
        )
        .unwrap();
    assert_eq!(changed, 1);
    assert!(
        !phone.closed_within(Duration::from_millis(500)).await,
        "still open before it expires"
    );
    assert!(
        phone.closed_within(Duration::from_secs(6)).await,
        "the connection ended when the token expired"
    );
    assert!(
        !other.closed_within(Duration::from_millis(300)).await,
        "another account goes on"
    );
    assert!(
        Peer::connect(&relay.ws_url(), &token, "desa-brongkal", "HP_Ani.0a1b2c")
            .await
            .is_err(),
        "the expired token opens nothing"
    );
    assert_eq!(api(relay.addr, "GET", "/api/me", Some(&token), "").await.0, 401);
    relay.stop().await;
}
