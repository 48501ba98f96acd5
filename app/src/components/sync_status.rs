use leptos::prelude::*;

use crate::context::use_app;
use crate::engine::Connection;
use crate::i18n::{format_clock_ms, format_time_ms, use_language};

/// Always on screen: offline / connecting / syncing / synced, local changes not yet on the
/// relay, and when everything was last confirmed. "Synced" means both ways: nothing left to
/// send, and everything the relay has was received.
#[component]
pub fn SyncStatus() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let status = app.status;
    let settled = move || status.unsynced.get() + status.receiving.get();
    // Between attempts the device is offline, also while an attempt is under way: no flicker.
    let retrying = move || status.next_retry.get().is_some();
    let state = move || match (status.connection.get(), settled()) {
        (Connection::SessionExpired, _) => ("expired", lang.text("Sesi berakhir, masuk lagi")),
        (Connection::Offline, _) => ("offline", lang.text("Luring")),
        (Connection::Connecting, _) if retrying() => ("offline", lang.text("Luring")),
        (Connection::Connecting, _) => ("connecting", lang.text("Menyambung…")),
        (Connection::Online, 0) => ("synced", lang.text("Tersinkron")),
        (Connection::Online, _) => ("syncing", lang.text("Menyinkron…")),
    };
    view! {
        <Show when=move || app.session.get().is_some_and(|s| s.has_documents())>
            <div class="sync-status" data-state=move || state().0 role="status" aria-live="polite">
                <span class="dot"></span>
                <span class="state">{move || state().1}</span>
                <a class="pending" href="/orang?belum=1" data-count=move || status.unsynced.get().to_string()
                    class:hidden=move || status.unsynced.get() == 0>
                    {move || match status.unsynced.get() {
                        0 => String::new(),
                        n => format!("{n} {}", lang.text("perubahan belum terkirim")),
                    }}
                </a>
                {move || (state().0 == "offline").then(|| view! {
                    <span class="next-retry">
                        {move || status.next_retry.get().map(|t| format!("{} {}", lang.text("coba lagi"), format_clock_ms(t)))}
                    </span>
                    <button class="link retry" on:click=move |_| { if let Some(e) = app.engine() { e.retry_now(); } }>
                        {move || lang.text("Coba sekarang")}
                    </button>
                })}
                {move || (status.connection.get() == Connection::SessionExpired).then(|| view! {
                    <a class="button relogin" href="/masuk">{lang.text("Masuk lagi")}</a>
                })}
                {move || {
                    let n = app.with_village(|v| v.snapshot.persons_needing_choice()).unwrap_or(0);
                    (n > 0).then(|| view! {
                        <a class="conflicts" href="/orang?konflik=1">
                            {lang.get().fill("{n} perlu dipilih", &[("n", &n)])}
                        </a>
                    })
                }}
                <span class="last-sync">
                    {move || status.last_sync.get().map(|t| format!("{} {}", lang.text("Terakhir:"), format_time_ms(t)))}
                </span>
            </div>
        </Show>
        {move || status.storage_error.get().map(|e| view! {
            <div class="error-banner" role="alert">
                {lang.text("Penyimpanan perangkat gagal: ")}{e}
            </div>
        })}
    }
}
