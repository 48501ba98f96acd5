//! `POST /api/login` and `GET /api/me`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::access::{Grant, grants};
use crate::accounts::{AccountError, Role, Session};
use crate::server::AppState;
use crate::sync::bearer_token;

#[derive(Debug, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The device's own id (generated once by the app and kept on the device).
    pub device: String,
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

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// Failed logins per username and per address, in a sliding window.
#[derive(Debug, Clone, Default)]
pub struct LoginLimiter {
    failures: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
}

const WINDOW: Duration = Duration::from_secs(300);
const MAX_PER_USER: usize = 10;
const MAX_PER_ADDRESS: usize = 30;

impl LoginLimiter {
    fn keys(username: &str, ip: IpAddr) -> [(String, usize); 2] {
        [
            (format!("u:{username}"), MAX_PER_USER),
            (format!("a:{ip}"), MAX_PER_ADDRESS),
        ]
    }

    fn blocked(&self, username: &str, ip: IpAddr) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        Self::keys(username, ip).iter().any(|(k, max)| {
            let v = map.entry(k.clone()).or_default();
            v.retain(|t| now.duration_since(*t) < WINDOW);
            v.len() >= *max
        })
    }

    fn failed(&self, username: &str, ip: IpAddr) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for (k, _) in Self::keys(username, ip) {
            map.entry(k).or_default().push(Instant::now());
        }
        // Keep the map from growing without bound under a spray of usernames.
        if map.len() > 10_000 {
            let now = Instant::now();
            map.retain(|_, v| v.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
    }
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
        db.login(&req.username, &req.password, &req.device, lifetime)
            .map(|r| (r, req.username))
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
        Ok(Err(e)) => crate::AppError::Internal(e.into()).into_response(),
        Err(e) => crate::AppError::Internal(e.into()).into_response(),
    }
}

pub async fn me(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = bearer_token(&headers, None) else {
        return error(StatusCode::UNAUTHORIZED, "missing token");
    };
    match state.db.session(&token) {
        Ok(Some(session)) => Json(info(&state, session, None)).into_response(),
        Ok(None) => error(StatusCode::UNAUTHORIZED, "invalid or expired token"),
        Err(e) => crate::AppError::Internal(e.into()).into_response(),
    }
}
