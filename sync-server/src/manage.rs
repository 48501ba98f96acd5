//! Account management over HTTP, for the app's "Akun & perangkat" page: list accounts and
//! their devices, create village accounts, reset passwords, disable and enable accounts, revoke
//! one device, read the audit log.
//!
//! Who may manage whom is decided in [`may_manage`] only: an administrator manages every
//! account; a district office the village accounts of its own district (and its own devices);
//! village and partner accounts nothing. Every change is written to the audit log, never with
//! a password or token.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use desmigratif_model::{DistrictCode, VillageCode};
use serde::{Deserialize, Serialize};

use crate::accounts::{Account, AccountDb, AccountError, AuditEntry, Device, Role, generate_password};
use crate::api::{ApiError, authenticate};
use crate::regions;
use crate::state::AppState;

/// An account as the management page shows it.
#[derive(Debug, Serialize)]
pub struct AccountView {
    #[serde(flatten)]
    pub account: Account,
    /// The official name of the village or district.
    pub place: Option<String>,
    pub devices: Vec<Device>,
}

/// A village of the district an office may create an account for.
#[derive(Debug, Serialize)]
pub struct OfficialVillage {
    pub code: &'static str,
    pub name: &'static str,
    pub kecamatan: &'static str,
    /// Usernames of the accounts it already has.
    pub accounts: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct AccountsReply {
    pub accounts: Vec<AccountView>,
    /// The villages a new village account may be for (the district's official list).
    pub villages: Vec<OfficialVillage>,
}

/// Whether `actor` may manage `target`: see the module documentation.
pub fn may_manage(actor: &Account, target: &Account) -> bool {
    match actor.role {
        Role::Admin => true,
        Role::District => {
            target.username == actor.username
                || (target.role == Role::Village
                    && village_district(target).is_some_and(|d| Some(d) == actor_district(actor)))
        }
        Role::Village | Role::Partner => false,
    }
}

fn actor_district(actor: &Account) -> Option<DistrictCode> {
    actor.scope.as_deref()?.parse().ok()
}

fn village_district(account: &Account) -> Option<DistrictCode> {
    Some(account.scope.as_deref()?.parse::<VillageCode>().ok()?.district())
}

fn place(account: &Account) -> Option<String> {
    regions::name(account.scope.as_deref()?).map(str::to_owned)
}

/// The session of a request if it may manage accounts at all.
fn manager(state: &AppState, headers: &HeaderMap) -> Result<Account, ApiError> {
    let (_, session) = authenticate(state, headers)?;
    match session.account.role {
        Role::Admin | Role::District => Ok(session.account),
        Role::Village | Role::Partner => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "only administrator and district accounts manage accounts",
        )),
    }
}

/// The target account if the actor may manage it; 404 otherwise, so an office cannot probe
/// for other districts' usernames.
fn target(db: &AccountDb, actor: &Account, username: &str) -> Result<Account, ApiError> {
    match db.get(username)? {
        Some(t) if may_manage(actor, &t) => Ok(t),
        _ => Err(ApiError::new(StatusCode::NOT_FOUND, "no such account")),
    }
}

/// An account error as the app reads it: a status, a message and a reason code.
fn account_error(e: AccountError) -> ApiError {
    let (status, reason) = match &e {
        AccountError::BadUsername => (StatusCode::BAD_REQUEST, "bad_username"),
        AccountError::WeakPassword => (StatusCode::BAD_REQUEST, "weak_password"),
        AccountError::CommonPassword => (StatusCode::BAD_REQUEST, "common_password"),
        AccountError::Exists(_) => (StatusCode::CONFLICT, "exists"),
        AccountError::NoSuchAccount(_) => (StatusCode::NOT_FOUND, "no_account"),
        AccountError::NoSuchDevice(_) => (StatusCode::NOT_FOUND, "no_device"),
        AccountError::MissingScope { .. } | AccountError::BadScope(_) => {
            (StatusCode::BAD_REQUEST, "bad_scope")
        }
        _ => return ApiError::Internal(e.into()),
    };
    ApiError::with_reason(status, e.to_string(), reason)
}

/// Runs account database work (password hashing included) off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await?
}

/// `GET /api/accounts`
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<AccountsReply>, ApiError> {
    let actor = manager(&state, &headers)?;
    let db = state.db.clone();
    let reply = blocking(move || {
        let all = db.list()?;
        let mut accounts = Vec::new();
        for account in all.iter().filter(|t| may_manage(&actor, t)) {
            accounts.push(AccountView {
                place: place(account),
                devices: db.devices(&account.username)?,
                account: account.clone(),
            });
        }
        let districts: Vec<DistrictCode> = match actor.role {
            Role::Admin => {
                let mut d: Vec<DistrictCode> = all.iter().filter_map(actor_district).collect();
                d.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
                d.dedup();
                d
            }
            _ => actor_district(&actor).into_iter().collect(),
        };
        let villages = districts
            .iter()
            .flat_map(|d| regions::villages_of(d))
            .map(|(code, name)| OfficialVillage {
                code,
                name,
                kecamatan: regions::name(&code[..8]).unwrap_or(""),
                accounts: all
                    .iter()
                    .filter(|a| a.role == Role::Village && a.scope.as_deref() == Some(code))
                    .map(|a| a.username.clone())
                    .collect(),
            })
            .collect();
        Ok(AccountsReply { accounts, villages })
    })
    .await?;
    Ok(Json(reply))
}

#[derive(Debug, Deserialize)]
pub struct CreateRequest {
    pub username: String,
    /// The village code of a village account.
    pub village: Option<String>,
    /// Administrators only: another role (with `district` for district and partner accounts).
    pub role: Option<Role>,
    pub district: Option<String>,
    /// Chosen by the office; generated when absent.
    pub password: Option<String>,
}

/// A password shown once, after creating an account or resetting its password.
#[derive(Debug, Serialize)]
pub struct PasswordReply {
    pub username: String,
    pub password: String,
}

/// `POST /api/accounts`
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<CreateRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<PasswordReply>), ApiError> {
    let actor = manager(&state, &headers)?;
    let Ok(Json(req)) = body else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "expected JSON with username and village",
        ));
    };
    let role = req.role.unwrap_or(Role::Village);
    let scope = match role {
        Role::Village => req.village.clone(),
        Role::District | Role::Partner => req.district.clone(),
        Role::Admin => None,
    };
    // What the new account would be, checked like any other target before it exists.
    let wanted = Account {
        username: req.username.clone(),
        role,
        scope: scope.clone(),
        disabled: false,
    };
    if !may_manage(&actor, &wanted) || (actor.role != Role::Admin && role != Role::Village) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "a district office creates accounts for villages of its own district",
        ));
    }
    if role == Role::Village && scope.as_deref().and_then(regions::name).is_none() {
        return Err(ApiError::with_reason(
            StatusCode::BAD_REQUEST,
            "the village is not in the official list of villages",
            "bad_scope",
        ));
    }
    let db = state.db.clone();
    let result = blocking(move || {
        let password = req
            .password
            .filter(|p| !p.is_empty())
            .unwrap_or_else(generate_password);
        db.add(&req.username, role, scope.as_deref(), &password)
            .map_err(account_error)?;
        let detail = format!("{} {}", role.as_str(), scope.as_deref().unwrap_or("-"));
        db.audit(&actor.username, "account.create", &req.username, &detail)?;
        tracing::info!(actor = %actor.username, account = %req.username, "account created");
        Ok(PasswordReply {
            username: req.username,
            password,
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(result)))
}

/// `POST /api/accounts/{username}/password`: a new generated password, shown once; every
/// session of the account ends.
pub async fn reset_password(
    State(state): State<AppState>,
    Path(username): Path<String>,
    headers: HeaderMap,
) -> Result<Json<PasswordReply>, ApiError> {
    let actor = manager(&state, &headers)?;
    let db = state.db.clone();
    let result = blocking(move || {
        let t = target(&db, &actor, &username)?;
        let password = generate_password();
        db.set_password(&t.username, &password).map_err(account_error)?;
        db.audit(&actor.username, "account.password", &t.username, "")?;
        tracing::info!(actor = %actor.username, account = %t.username, "password reset");
        Ok(PasswordReply {
            username: t.username,
            password,
        })
    })
    .await?;
    Ok(Json(result))
}

/// `POST /api/accounts/{username}/disable` and `…/enable`.
pub async fn disable(
    state: State<AppState>,
    username: Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    set_disabled(state, username, headers, true).await
}

pub async fn enable(
    state: State<AppState>,
    username: Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    set_disabled(state, username, headers, false).await
}

async fn set_disabled(
    State(state): State<AppState>,
    Path(username): Path<String>,
    headers: HeaderMap,
    disabled: bool,
) -> Result<StatusCode, ApiError> {
    let actor = manager(&state, &headers)?;
    if actor.username == username {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "an account cannot disable itself",
        ));
    }
    let db = state.db.clone();
    blocking(move || {
        let t = target(&db, &actor, &username)?;
        db.set_disabled(&t.username, disabled).map_err(account_error)?;
        let action = if disabled {
            "account.disable"
        } else {
            "account.enable"
        };
        db.audit(&actor.username, action, &t.username, "")?;
        tracing::info!(actor = %actor.username, account = %t.username, action, "account changed");
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/accounts/{username}/devices/{device}/revoke`: that device's sessions end and it
/// is told to erase the account's data when it next connects; the account's other devices go on.
pub async fn revoke_device(
    State(state): State<AppState>,
    Path((username, device)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let actor = manager(&state, &headers)?;
    let db = state.db.clone();
    blocking(move || {
        let t = target(&db, &actor, &username)?;
        db.revoke_device(&t.username, &device).map_err(account_error)?;
        db.audit(&actor.username, "device.revoke", &t.username, &device)?;
        tracing::info!(actor = %actor.username, account = %t.username, %device, "device revoked");
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    limit: Option<usize>,
}

/// `GET /api/audit`: administrators only.
pub async fn audit(
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
    headers: HeaderMap,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let actor = manager(&state, &headers)?;
    if actor.role != Role::Admin {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "the audit log is for administrators",
        ));
    }
    Ok(Json(state.db.audit_log(q.limit.unwrap_or(200).min(1000))?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(username: &str, role: Role, scope: Option<&str>) -> Account {
        Account {
            username: username.into(),
            role,
            scope: scope.map(str::to_owned),
            disabled: false,
        }
    }

    #[test]
    fn offices_manage_their_own_villages_only() {
        let malang = account("disnaker-malang", Role::District, Some("35.07"));
        let brongkal = account("desa-brongkal", Role::Village, Some("35.07.33.2006"));
        let elsewhere = account("desa-lain", Role::Village, Some("35.08.01.2001"));
        let other_office = account("disnaker-lumajang", Role::District, Some("35.08"));
        let partner = account("bank-bni", Role::Partner, Some("35.07"));
        let admin = account("admin", Role::Admin, None);
        assert!(may_manage(&malang, &brongkal));
        assert!(may_manage(&malang, &malang));
        assert!(!may_manage(&malang, &elsewhere));
        assert!(!may_manage(&malang, &other_office));
        assert!(!may_manage(&malang, &partner));
        assert!(!may_manage(&malang, &admin));
        assert!(!may_manage(&brongkal, &brongkal));
        assert!(!may_manage(&partner, &brongkal));
        assert!(may_manage(&admin, &elsewhere));
    }
}
