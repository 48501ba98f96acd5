//! HTTPS served by the relay itself: rustls with the certificate and key the operator gives
//! (`--tls-cert`, `--tls-key`), reloaded without a restart on SIGHUP and when either file
//! changes. A renewed certificate that does not load is logged and the one in use is kept, so a
//! bad renewal never takes the relay off the air.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Context;
use axum_server::tls_rustls::RustlsConfig;

/// The certificate chain and private key files (PEM).
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsFiles {
    /// Loads both files; the error names the file and what is wrong with it.
    pub async fn load(&self) -> anyhow::Result<RustlsConfig> {
        for path in [&self.cert, &self.key] {
            std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
        }
        RustlsConfig::from_pem_file(&self.cert, &self.key)
            .await
            .with_context(|| {
                format!(
                    "loading the TLS certificate {} with the key {}",
                    self.cert.display(),
                    self.key.display()
                )
            })
    }

    /// When each file was last modified (`None` while it cannot be read).
    fn stamps(&self) -> [Option<SystemTime>; 2] {
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        [modified(&self.cert), modified(&self.key)]
    }

    /// Reloads `config` on SIGHUP, and when either file's modification time changes (looked at
    /// every `every`). Runs until the relay stops.
    pub async fn watch(self, config: RustlsConfig, every: Duration) {
        #[cfg(unix)]
        let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
        let mut seen = self.stamps();
        loop {
            #[cfg(unix)]
            let signalled = async {
                match hangup.as_mut() {
                    Some(h) => {
                        h.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            #[cfg(not(unix))]
            let signalled = std::future::pending::<()>();
            let reason = tokio::select! {
                () = signalled => "SIGHUP",
                () = tokio::time::sleep(every) => {
                    if self.stamps() == seen {
                        continue;
                    }
                    "the files changed"
                }
            };
            seen = self.stamps();
            match config.reload_from_pem_file(&self.cert, &self.key).await {
                Ok(()) => tracing::info!(reason, "TLS certificate reloaded"),
                Err(e) => tracing::error!(
                    reason,
                    error = %e,
                    "TLS certificate not reloaded; the one in use is kept"
                ),
            }
        }
    }
}
