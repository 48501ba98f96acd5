//! HTTP: the built app as static files, and health.

use std::path::Path;

use crate::store::FileStore;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

/// The Content-Security-Policy the app runs under: only its own scripts (and WebAssembly
/// compiled from them), its own styles, and connections back to the relay.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

/// The routes that do not need the sync layer: health and the app's files. Unknown paths get
/// `index.html`, so links into the single-page app work on reload.
pub fn static_router(static_dir: &Path, store: FileStore) -> Router {
    let index = static_dir.join("index.html");
    // The build writes `.br` and `.gz` beside each file; those are sent as they are, and the
    // compression layer below leaves responses that already have an encoding alone.
    let files = ServeDir::new(static_dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(ServeFile::new(index).precompressed_br().precompressed_gzip());
    Router::new()
        .route("/healthz", get(move || healthz(store.clone())))
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
        .layer(middleware::from_fn(security_headers))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(access_log))
}

/// `ok`, or 503 with the cause while the store cannot write (a full or failing disk).
async fn healthz(store: FileStore) -> Response {
    match store.health() {
        Ok(()) => "ok".into_response(),
        Err(cause) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            format!("storage failing: {cause}"),
        )
            .into_response(),
    }
}

/// Whether a file name carries a content hash (`app-0123456789abcdef.wasm`): such files never
/// change, so browsers may keep them for a year.
pub fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let cache = if is_content_hashed(&path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// Logs method, path (never the query string, which may hold a token), status and duration.
pub async fn access_log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let ms = started.elapsed().as_millis() as u64;
    tracing::debug!(%method, %path, status = response.status().as_u16(), ms, "request");
    response
}

/// Headers every response carries.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn content_hashed_names() {
        assert!(is_content_hashed("/app-0123456789abcdef.js"));
        assert!(is_content_hashed("/app-0123456789abcdef_bg.wasm"));
        assert!(is_content_hashed("/style-0123456789abcdef.css"));
        assert!(!is_content_hashed("/index.html"));
        assert!(!is_content_hashed("/sw.js"));
        assert!(!is_content_hashed("/manifest.webmanifest"));
        assert!(!is_content_hashed("/app-xyz.js"));
    }
}
