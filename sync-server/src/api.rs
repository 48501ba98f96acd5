//! `POST /api/login` and `GET /api/me`, and how a request proves its session.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::access::{Grant, grants};
use crate::accounts::{AccountError, Role, Session, TokenState};
use crate::state::AppState;
use crate::sync::bearer_token;

#[derive(Debug, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The device's own id (generated once by the app and kept on the device).
    pub device: String,
    /// The app version, shown in the account's device list.
    #[serde(default)]
    pub app_version: Option<String>,
}

/// What a device learns about its session.
#[derive(Debug, Serialize)]
pub struct SessionInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub username: String,
    pub role: Role,
    pub scope: Option<String>,
    pub device: String,
    pub expires_at: i64,
    /// The documents this account syncs, with their access.
    pub documents: Vec<Grant>,
}

fn info(state: &AppState, session: Session, token: Option<String>) -> SessionInfo {
    let documents = grants(&state.db, &session.account);
    SessionInfo {
        token,
        username: session.account.username,
        role: session.account.role,
        scope: session.account.scope,
        device: session.device,
        expires_at: session.expires_at,
        documents,
    }
}

pub fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// An error with a machine-readable reason the app turns into its own words.
pub fn refusal(status: StatusCode, message: &str, reason: &str) -> Response {
    (
        status,
        Json(serde_json::json!({ "error": message, "reason": reason })),
    )
        .into_response()
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    body: Result<Json<LoginRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(req)) = body else {
        return error(
            StatusCode::BAD_REQUEST,
            "expected JSON with username, password and device",
        );
    };
    if state.login_limiter.blocked(&req.username, addr.ip()) {
        let mut r = error(
            StatusCode::TOO_MANY_REQUESTS,
            "too many failed logins; try again in a few minutes",
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, "300".parse().expect("valid header"));
        return r;
    }
    let db = state.db.clone();
    let lifetime = state.limits.token_lifetime_secs;
    // Password hashing is deliberately slow: keep it off the async workers.
    let result = tokio::task::spawn_blocking(move || {
        let result = db.login(&req.username, &req.password, &req.device, lifetime);
        if let Ok(Some((token, _))) = &result {
            let _ = db.seen(token, req.app_version.as_deref());
        }
        result.map(|r| (r, req.username))
    })
    .await;
    match result {
        Ok(Ok((Some((token, session)), _))) => {
            tracing::info!(user = %session.account.username, device = %session.device, "login");
            Json(info(&state, session, Some(token))).into_response()
        }
        Ok(Ok((None, username))) => {
            state.login_limiter.failed(&username, addr.ip());
            tracing::info!(user = %username, "login failed");
            error(StatusCode::UNAUTHORIZED, "wrong username or password")
        }
        Ok(Err(AccountError::BadDevice)) => error(StatusCode::BAD_REQUEST, "bad device id"),
        Ok(Err(AccountError::DeviceRevoked)) => refusal(
            StatusCode::FORBIDDEN,
            "this device's access was revoked",
            "device_revoked",
        ),
        Ok(Err(AccountError::Disabled)) => refusal(
            StatusCode::FORBIDDEN,
            "this account is disabled",
            "account_disabled",
        ),
        Ok(Err(e)) => crate::AppError::Internal(e.into()).into_response(),
        Err(e) => crate::AppError::Internal(e.into()).into_response(),
    }
}

/// Why an API request was not served: refused (with a message and, where the app acts on it,
/// a reason code) or failed inside the relay (logged, never sent).
#[derive(Debug)]
pub enum ApiError {
    Refused {
        status: StatusCode,
        message: String,
        reason: Option<&'static str>,
    },
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Refused {
            status,
            message: message.into(),
            reason: None,
        }
    }

    pub fn with_reason(status: StatusCode, message: impl Into<String>, reason: &'static str) -> Self {
        Self::Refused {
            status,
            message: message.into(),
            reason: Some(reason),
        }
    }

    /// The refusal of a token that is not live: 401, with `reason` telling a revoked device
    /// (which must erase the account's data) from an ended session (log in again).
    pub fn token(state: &TokenState) -> Self {
        match state {
            TokenState::DeviceRevoked => Self::with_reason(
                StatusCode::UNAUTHORIZED,
                "this device's access was revoked",
                "device_revoked",
            ),
            _ => Self::with_reason(
                StatusCode::UNAUTHORIZED,
                "invalid or expired token",
                "session_ended",
            ),
        }
    }
}

impl<E: Into<anyhow::Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self::Internal(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Refused {
                status,
                message,
                reason,
            } => {
                let body = match reason {
                    Some(r) => serde_json::json!({ "error": message, "reason": r }),
                    None => serde_json::json!({ "error": message }),
                };
                (status, Json(body)).into_response()
            }
            ApiError::Internal(e) => crate::AppError::Internal(e).into_response(),
        }
    }
}

/// The live session of a request's bearer token, with the token.
pub fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<(String, Session), ApiError> {
    let Some(token) = bearer_token(headers, None) else {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "missing token"));
    };
    match state.db.check_token(&token)? {
        TokenState::Live(session) => Ok((token, session)),
        other => Err(ApiError::token(&other)),
    }
}

#[derive(Debug, Deserialize)]
pub struct MeQuery {
    /// The app version, shown in the account's device list.
    v: Option<String>,
}

pub async fn me(
    State(state): State<AppState>,
    Query(query): Query<MeQuery>,
    headers: HeaderMap,
) -> Result<Json<SessionInfo>, ApiError> {
    let (token, session) = authenticate(&state, &headers)?;
    if let Err(e) = state.db.seen(&token, query.v.as_deref()) {
        tracing::warn!(error = %e, "could not note the device as seen");
    }
    Ok(Json(info(&state, session, None)))
}
