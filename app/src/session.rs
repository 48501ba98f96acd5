//! The logged-in account on this device: kept in `localStorage` so the app opens offline, and
//! the login call that creates it.

use desmigratif_model::{Access, Author, DocKind, Role};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::vault::{Vault, VaultError};

const SESSION_KEY: &str = "desmigratif.session";
const DEVICE_KEY: &str = "desmigratif.device";
/// Set when this device erased an account's data because the office revoked the device: the
/// login page says so.
const ERASED_KEY: &str = "desmigratif.erased";
/// Kept when a revoked device erases everything: the language the person reads.
const KEPT_KEYS: &[&str] = &["desmigratif.lang", ERASED_KEY];

/// This build's version, reported to the relay (the office's device list shows it).
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A document the account syncs (as the relay's login answer lists it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub doc_id: String,
    pub kind: DocKind,
    pub code: String,
    pub name: String,
    pub access: Access,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The token, in memory; kept on the device only sealed by the vault
    /// ([`Session::sealed_token`]) for accounts with documents.
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_token: Option<String>,
    pub username: String,
    pub role: Role,
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
            .filter(|d| d.kind == DocKind::Village)
            .cloned()
            .collect()
    }

    /// Who this device's changes are from.
    pub fn author(&self) -> Author {
        Author::new(self.username.clone(), self.device.clone())
    }

    pub fn is_district(&self) -> bool {
        self.role == Role::District
    }

    /// A partner reads aggregate figures only: no documents, no sync.
    pub fn is_partner(&self) -> bool {
        self.role == Role::Partner
    }

    /// An administrator manages accounts only: no documents, no sync.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether the account keeps and syncs documents (village and district accounts).
    pub fn has_documents(&self) -> bool {
        self.role.has_documents()
    }

    /// Whether the account manages other accounts (the "Akun & perangkat" page).
    pub fn manages_accounts(&self) -> bool {
        self.is_admin() || self.is_district()
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The session saved on this device, if any.
pub fn load() -> Option<Session> {
    serde_json::from_str(&local_storage()?.get_item(SESSION_KEY).ok()??).ok()
}

thread_local! {
    /// The token of the session in use (opened from its sealed copy after the PIN).
    static CURRENT_TOKEN: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Notes the token of the session in use (or none), for calls made outside the components.
pub fn use_token(token: Option<&str>) {
    CURRENT_TOKEN.with(|t| *t.borrow_mut() = token.filter(|t| !t.is_empty()).map(str::to_owned));
}

/// The token of the session in use, once the app is open.
pub fn current_token() -> Option<String> {
    CURRENT_TOKEN.with(|t| t.borrow().clone())
}

/// Keeps the session on the device with its token sealed by `vault`: a phone read without the
/// PIN holds no token that could download the village again.
pub async fn save_sealed(session: &Session, vault: &Vault) -> Result<(), VaultError> {
    let mut kept = session.clone();
    kept.sealed_token = Some(vault.seal_text(&session.token).await?);
    kept.token = String::new();
    save(&kept);
    Ok(())
}

/// A kept session with its token opened by `vault` (a session kept before the vault carries
/// its token as it is).
pub async fn open_token(mut session: Session, vault: &Vault) -> Result<Session, VaultError> {
    if let Some(sealed) = session.sealed_token.take() {
        session.token = vault.open_text(&sealed).await?;
    }
    Ok(session)
}

/// Keeps the session on the device as it is (accounts without documents: a partner, the
/// administrator).
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

/// Why the app erased an account's data from this device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Erased {
    /// The office revoked the device.
    Revoked,
    /// Too many wrong PINs in a row.
    WrongPins,
    /// The user forgot the PIN and chose to start again.
    ForgotPin,
}

impl Erased {
    fn code(self) -> &'static str {
        match self {
            Erased::Revoked => "revoked",
            Erased::WrongPins => "pin",
            Erased::ForgotPin => "forgot",
        }
    }
}

/// Erases everything the app keeps in `localStorage` but the language, and notes which account's
/// data was erased and why. After a revocation the device id goes too (the next login makes a
/// new device); otherwise the device keeps its id.
pub fn erase_kept(username: &str, because: Erased) {
    let Some(s) = local_storage() else { return };
    let keys: Vec<String> = (0..s.length().unwrap_or(0))
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with("desmigratif.") && !KEPT_KEYS.contains(&k.as_str()))
        .filter(|k| because == Erased::Revoked || k != DEVICE_KEY)
        .collect();
    for k in keys {
        let _ = s.remove_item(&k);
    }
    let _ = s.set_item(ERASED_KEY, &format!("{}:{username}", because.code()));
}

/// The account whose data this device erased, and why, until someone logs in.
pub fn erased_account() -> Option<(Erased, String)> {
    let kept = get_item(ERASED_KEY)?;
    let (code, account) = kept.split_once(':')?;
    let because = [Erased::Revoked, Erased::WrongPins, Erased::ForgotPin]
        .into_iter()
        .find(|e| e.code() == code)?;
    Some((because, account.to_owned()))
}

pub fn clear_erased_notice() {
    remove_item(ERASED_KEY);
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

/// Drops this device's id (the office revoked it): the next login makes a new one, keeping the
/// name the person gave the device.
pub fn forget_device_id() {
    remove_item(DEVICE_KEY);
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
    /// The office revoked this device (it erases the account's data and becomes a new device).
    DeviceRevoked,
    /// The office disabled the account.
    AccountDisabled,
}

impl LoginError {
    pub fn message(&self, lang: desmigratif_model::Lang) -> String {
        use desmigratif_model::Text;
        let text = match self {
            LoginError::WrongCredentials => Text::new("Nama pengguna atau kata sandi salah."),
            LoginError::TooManyAttempts => {
                Text::new("Terlalu banyak percobaan. Coba lagi beberapa menit lagi.")
            }
            LoginError::Offline => Text::new("Tidak ada sinyal. Masuk pertama kali perlu koneksi internet."),
            LoginError::Server(code) => {
                return lang.fill("Server bermasalah ({code}). Coba lagi nanti.", &[("code", code)]);
            }
            LoginError::MissingUsername => Text::new("Isi nama pengguna."),
            LoginError::MissingPassword => Text::new("Isi kata sandi."),
            LoginError::OtherAccount => {
                Text::new("Akun lain masih masuk di perangkat ini. Keluar dulu dari akun itu.")
            }
            LoginError::DeviceRevoked => Text::new(
                "Kantor mencabut akses perangkat ini. Data akun di perangkat ini sudah dihapus; coba masuk lagi sebagai perangkat baru.",
            ),
            LoginError::AccountDisabled => {
                Text::new("Akun ini dinonaktifkan. Hubungi kantor Disnaker kabupaten.")
            }
        };
        text.get(lang).to_owned()
    }
}

/// Logs in against the relay's `/api/login`.
pub async fn login(username: &str, password: &str, device: Option<&str>) -> Result<Session, LoginError> {
    let body = serde_json::json!({
        "username": username,
        "password": password,
        "device": device_id(device),
        "app_version": APP_VERSION,
    });
    let (status, text) = http("POST", "/api/login", None, Some(&body.to_string()))
        .await
        .map_err(|_| LoginError::Offline)?;
    match (status, reason(&text).as_deref()) {
        (200, _) => serde_json::from_str(&text).map_err(|_| LoginError::Server(200)),
        (401, _) => Err(LoginError::WrongCredentials),
        (403, Some("device_revoked")) => Err(LoginError::DeviceRevoked),
        (403, Some("account_disabled")) => Err(LoginError::AccountDisabled),
        (429, _) => Err(LoginError::TooManyAttempts),
        (s, _) => Err(LoginError::Server(s)),
    }
}

/// The `reason` code of a relay's JSON refusal.
pub fn reason(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    Some(v.get("reason")?.as_str()?.to_owned())
}

/// What the relay says of a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenCheck {
    Live,
    /// Expired or ended: logging in again keeps the device's data.
    Ended,
    /// The office revoked this device: its data for the account must be erased.
    DeviceRevoked,
}

/// Asks the relay about the token; `None` when it cannot be asked.
pub async fn check_token(token: &str) -> Option<TokenCheck> {
    let url = format!("/api/me?v={APP_VERSION}");
    match http("GET", &url, Some(token), None).await {
        Ok((200, _)) => Some(TokenCheck::Live),
        Ok((401, body)) if reason(&body).as_deref() == Some("device_revoked") => {
            Some(TokenCheck::DeviceRevoked)
        }
        Ok((401, _)) => Some(TokenCheck::Ended),
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
