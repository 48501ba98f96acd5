//! The logged-in account on this device: kept in `localStorage` so the app opens offline, and
//! the login call that creates it.

use desmigratif_model::Author;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

const SESSION_KEY: &str = "desmigratif.session";
const DEVICE_KEY: &str = "desmigratif.device";

/// A document the account syncs (as the relay's login answer lists it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub doc_id: String,
    /// `village` or `district`.
    pub kind: String,
    pub code: String,
    pub name: String,
    /// `read_write` or `read_only`.
    pub access: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub username: String,
    pub role: String,
    pub scope: Option<String>,
    pub device: String,
    pub expires_at: i64,
    pub documents: Vec<Grant>,
}

impl Session {
    /// The villages this account keeps, in the relay's order.
    pub fn villages(&self) -> Vec<Grant> {
        self.documents
            .iter()
            .filter(|d| d.kind == "village")
            .cloned()
            .collect()
    }

    /// Who this device's changes are from.
    pub fn author(&self) -> Author {
        Author::new(self.username.clone(), self.device.clone())
    }

    pub fn is_district(&self) -> bool {
        self.role == "district"
    }

    /// A partner reads aggregate figures only: no documents, no sync.
    pub fn is_partner(&self) -> bool {
        self.role == "partner"
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The session saved on this device, if any.
pub fn load() -> Option<Session> {
    serde_json::from_str(&local_storage()?.get_item(SESSION_KEY).ok()??).ok()
}

pub fn save(session: &Session) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(
            SESSION_KEY,
            &serde_json::to_string(session).expect("a session serialises"),
        );
    }
}

pub fn clear() {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(SESSION_KEY);
    }
}

/// Removes a value kept in `localStorage`.
pub fn remove_item(key: &str) {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(key);
    }
}

/// A small value kept in `localStorage`.
pub fn get_item(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok()?
}

pub fn set_item(key: &str, value: &str) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(key, value);
    }
}

/// 16 random bytes as hex.
pub fn random_id() -> String {
    desmigratif_model::RecordId::random().to_string()
}

/// This device's id, made once and kept; naming the device (at login) makes a new one that
/// carries the name ([`desmigratif_model::named_device_id`]).
pub fn device_id(name: Option<&str>) -> String {
    let kept = get_item(DEVICE_KEY);
    let wanted = name.map(str::trim).filter(|n| !n.is_empty());
    match (kept, wanted) {
        (Some(id), None) => id,
        (Some(id), Some(n)) if desmigratif_model::device_name(&id) == n => id,
        (_, n) => {
            let id = desmigratif_model::named_device_id(n.unwrap_or(""), &random_id()[..12]);
            set_item(DEVICE_KEY, &id);
            id
        }
    }
}

/// The name this device was given, if any.
pub fn device_name() -> Option<String> {
    let id = get_item(DEVICE_KEY)?;
    let name = desmigratif_model::device_name(&id);
    (name != id).then_some(name)
}

/// Why a login failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginError {
    WrongCredentials,
    TooManyAttempts,
    /// No connection to the relay.
    Offline,
    Server(u16),
    /// Another account is logged in on this device.
    OtherAccount,
    /// The form was sent without a username, or without a password.
    MissingUsername,
    MissingPassword,
}

impl LoginError {
    pub fn message(&self, lang: desmigratif_model::Lang) -> String {
        use desmigratif_model::Lang::*;
        match (self, lang) {
            (LoginError::WrongCredentials, Id) => "Nama pengguna atau kata sandi salah.".into(),
            (LoginError::WrongCredentials, En) => "Wrong username or password.".into(),
            (LoginError::TooManyAttempts, Id) => {
                "Terlalu banyak percobaan. Coba lagi beberapa menit lagi.".into()
            }
            (LoginError::TooManyAttempts, En) => "Too many attempts. Try again in a few minutes.".into(),
            (LoginError::Offline, Id) => {
                "Tidak ada sinyal. Masuk pertama kali perlu koneksi internet.".into()
            }
            (LoginError::Offline, En) => "No connection. The first login needs the internet.".into(),
            (LoginError::Server(code), Id) => format!("Server bermasalah ({code}). Coba lagi nanti."),
            (LoginError::Server(code), En) => format!("Server problem ({code}). Try again later."),
            (LoginError::MissingUsername, Id) => "Isi nama pengguna.".into(),
            (LoginError::MissingUsername, En) => "Enter your username.".into(),
            (LoginError::MissingPassword, Id) => "Isi kata sandi.".into(),
            (LoginError::MissingPassword, En) => "Enter your password.".into(),
            (LoginError::OtherAccount, Id) => {
                "Akun lain masih masuk di perangkat ini. Keluar dulu dari akun itu.".into()
            }
            (LoginError::OtherAccount, En) => {
                "Another account is logged in on this device. Log it out first.".into()
            }
        }
    }
}

/// Logs in against the relay's `/api/login`.
pub async fn login(username: &str, password: &str, device: Option<&str>) -> Result<Session, LoginError> {
    let body = serde_json::json!({ "username": username, "password": password, "device": device_id(device) });
    let (status, text) = http("POST", "/api/login", None, Some(&body.to_string()))
        .await
        .map_err(|_| LoginError::Offline)?;
    match status {
        200 => serde_json::from_str(&text).map_err(|_| LoginError::Server(200)),
        401 => Err(LoginError::WrongCredentials),
        429 => Err(LoginError::TooManyAttempts),
        s => Err(LoginError::Server(s)),
    }
}

/// Whether the relay still accepts the token: `Some(false)` when it says no, `None` when it
/// cannot be asked.
pub async fn token_valid(token: &str) -> Option<bool> {
    match http("GET", "/api/me", Some(token), None).await {
        Ok((200, _)) => Some(true),
        Ok((401, _)) => Some(false),
        _ => None,
    }
}

pub(crate) async fn http(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<(u16, String), wasm_bindgen::JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(b) = body {
        init.set_body(&wasm_bindgen::JsValue::from_str(b));
    }
    let request = web_sys::Request::new_with_str_and_init(url, &init)?;
    request.headers().set("content-type", "application/json")?;
    if let Some(t) = token {
        request.headers().set("authorization", &format!("Bearer {t}"))?;
    }
    let window = web_sys::window().ok_or_else(|| wasm_bindgen::JsValue::from_str("no window"))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await?
        .dyn_into()?;
    let text = JsFuture::from(response.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), text))
}
