//! "Akun & perangkat": a district office (or the administrator) manages the accounts of its
//! villages from the office PC: creates a village account from the official list of villages,
//! resets a password (shown once), disables or enables an account, and revokes one lost phone
//! while the account's other devices go on. The administrator also reads the audit log.
//!
//! Everything here asks the relay (`/api/accounts`, `/api/audit`): unlike the records, accounts
//! are not kept on the device, so the page says when it cannot reach the relay.

use desmigratif_model::{Lang, Text};
use leptos::prelude::*;
use serde::Deserialize;

use crate::context::use_app;
use crate::i18n::{Language, format_time_ms, use_language};
use crate::session;

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Reply {
    accounts: Vec<Account>,
    villages: Vec<OfficialVillage>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Account {
    username: String,
    place: Option<String>,
    disabled: bool,
    devices: Vec<Device>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Device {
    device: String,
    name: String,
    last_seen: i64,
    app_version: Option<String>,
    live_sessions: u32,
    revoked_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct OfficialVillage {
    code: String,
    name: String,
    kecamatan: String,
    accounts: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Created {
    username: String,
    password: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct AuditEntry {
    at: i64,
    actor: String,
    action: String,
    target: String,
    detail: String,
}

/// What asking the relay gave.
#[derive(Clone, Debug, PartialEq)]
enum Problem {
    Offline,
    Refused(u16, Option<String>),
}

impl Problem {
    fn message(&self, lang: Lang) -> String {
        match self {
            Problem::Offline => lang
                .text("Tidak tersambung ke server. Pengelolaan akun perlu koneksi internet.")
                .to_owned(),
            Problem::Refused(_, Some(reason)) => reason_text(reason, lang),
            Problem::Refused(status, None) => lang.fill("Server menolak ({status}).", &[("status", status)]),
        }
    }
}

/// The relay's reason codes in the user's words.
fn reason_text(reason: &str, lang: Lang) -> String {
    let text = match reason {
        "bad_username" => Text::new(
            "Nama pengguna 3–40 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung.",
        ),
        "weak_password" => Text::new("Kata sandi minimal 8 karakter."),
        "common_password" => {
            Text::new("Kata sandi ini terlalu umum atau sama dengan nama pengguna. Pilih yang lain.")
        }
        "exists" => Text::new("Nama pengguna itu sudah dipakai."),
        "bad_scope" => Text::new("Desa itu tidak ada di daftar resmi."),
        "no_device" => Text::new("Perangkat itu tidak ada."),
        "session_ended" | "device_revoked" => Text::new("Sesi berakhir; masuk lagi."),
        other => return other.to_owned(),
    };
    text.get(lang).to_owned()
}

/// Calls the relay with the session's token.
async fn call(method: &str, url: &str, body: Option<String>) -> Result<String, Problem> {
    let token = session::current_token();
    match session::http(method, url, token.as_deref(), body.as_deref()).await {
        Ok((status, text)) if (200..300).contains(&status) => Ok(text),
        Ok((status, text)) => Err(Problem::Refused(status, session::reason(&text))),
        Err(_) => Err(Problem::Offline),
    }
}

fn action_label(action: &str, lang: Lang) -> String {
    let text = match action {
        "account.create" => Text::new("membuat akun"),
        "account.password" => Text::new("mengatur ulang kata sandi"),
        "account.disable" => Text::new("menonaktifkan akun"),
        "account.enable" => Text::new("mengaktifkan akun"),
        "account.revoke" => Text::new("mengakhiri semua sesi"),
        "device.revoke" => Text::new("mencabut perangkat"),
        other => return other.to_owned(),
    };
    text.get(lang).to_owned()
}

/// A suggested username for a village account: `desa-` and the village name.
fn suggested_username(village: &str) -> String {
    let slug: String = village
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("desa-{}", slug.trim_matches('-'))
}

fn seconds(t: i64) -> String {
    format_time_ms(t as f64 * 1000.0)
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let reply = RwSignal::new(None::<Result<Reply, Problem>>);
    // A password shown once (new account or reset), and the outcome of the last action.
    let shown_password = RwSignal::new(None::<Created>);
    let notice = RwSignal::new(None::<Result<String, Problem>>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            let result = call("GET", "/api/accounts", None)
                .await
                .and_then(|t| serde_json::from_str::<Reply>(&t).map_err(|_| Problem::Refused(200, None)));
            reply.set(Some(result));
        });
    };
    // Asked once the app is open (after the PIN, the token is there) and again after each
    // unlock.
    Effect::new(move |_| {
        let open = app.lock.get() == crate::context::Lock::Open;
        if open
            && app
                .session
                .with(|s| s.as_ref().is_some_and(|s| !s.token.is_empty()))
        {
            reload();
        }
    });
    let filter = RwSignal::new(String::new());
    let allowed = move || app.session.get().is_some_and(|s| s.manages_accounts());

    let act = move |method: &'static str, url: String, done: String| {
        notice.set(None);
        leptos::task::spawn_local(async move {
            match call(method, &url, None).await {
                Ok(text) => {
                    if let Ok(created) = serde_json::from_str::<Created>(&text) {
                        shown_password.set(Some(created));
                    }
                    notice.set(Some(Ok(done)));
                    reload();
                }
                Err(p) => notice.set(Some(Err(p))),
            }
        });
    };

    let accounts = move || {
        let f = filter.get().to_lowercase();
        match reply.get() {
            Some(Ok(r)) => r
                .accounts
                .into_iter()
                .filter(|a| {
                    f.is_empty()
                        || a.username.contains(&f)
                        || a.place.as_deref().is_some_and(|p| p.to_lowercase().contains(&f))
                })
                .collect(),
            _ => Vec::new(),
        }
    };

    view! {
        <Show when=allowed fallback=move || view! {
            <p class="msg error">{lang.text("Halaman ini untuk kantor kabupaten dan admin.")}</p>
        }>
            <h1>{move || lang.text("Akun & perangkat")}</h1>
            <p class="muted">{move || lang.text("HP petugas hilang? Cabut perangkat itu saja: saat tersambung lagi, data desa di HP itu terhapus. Perangkat lain akun itu tetap jalan.")}</p>
            {move || shown_password.get().map(|c| view! {
                <div class="card password-once" role="alert">
                    <p>{lang.text("Kata sandi untuk ")}<strong>{c.username.clone()}</strong>":"</p>
                    <p class="password"><code>{c.password.clone()}</code></p>
                    <p class="muted">{lang.text("Catat dan serahkan sekarang: kata sandi ini tidak ditampilkan lagi.")}</p>
                    <button class="link" on:click=move |_| shown_password.set(None)>{lang.text("Sudah dicatat")}</button>
                </div>
            })}
            {move || notice.get().map(|n| match n {
                Ok(done) => view! { <p class="msg ok" role="status">{done}</p> }.into_any(),
                Err(p) => view! { <p class="msg error" role="alert">{p.message(lang.get())}</p> }.into_any(),
            })}
            {move || match reply.get() {
                None => view! { <p class="muted">{lang.text("Memuat…")}</p> }.into_any(),
                Some(Err(p)) => view! {
                    <p class="msg error" role="alert">{p.message(lang.get())}</p>
                    <button on:click=move |_| reload()>{lang.text("Coba lagi")}</button>
                }.into_any(),
                Some(Ok(r)) => view! { <NewVillageAccount villages=r.villages notice shown_password reload/> }.into_any(),
            }}
            <div class="field">
                <label for="account-filter">{move || lang.text("Cari akun atau desa")}</label>
                <input id="account-filter" type="search" prop:value=filter
                    on:input=move |ev| filter.set(event_target_value(&ev))/>
            </div>
            <For each=accounts key=|a| format!("{}:{}:{}", a.username, a.disabled, a.devices.iter().map(|d| format!("{}{:?}{}", d.device, d.revoked_at, d.last_seen)).collect::<String>()) let:account>
                <AccountCard account act lang/>
            </For>
            <Show when=move || app.session.get().is_some_and(|s| s.is_admin())>
                <AuditLog/>
            </Show>
        </Show>
    }
}

#[component]
fn AccountCard(
    account: Account,
    act: impl Fn(&'static str, String, String) + Copy + Send + Sync + 'static,
    lang: Language,
) -> impl IntoView {
    let app = use_app();
    let own = app.session.get_untracked().map(|s| (s.username, s.device));
    let username = account.username.clone();
    let is_self = own.as_ref().is_some_and(|(u, _)| *u == username);
    let title = match &account.place {
        Some(p) => format!("{} · {p}", account.username),
        None => account.username.clone(),
    };
    let reset = {
        let u = username.clone();
        move |_| {
            let q = lang.get().fill("Atur ulang kata sandi {u}? Semua perangkat akun itu harus masuk lagi dengan kata sandi baru.", &[("u", &u)]);
            if crate::components::confirm(&q, false) {
                let done = lang.text("Kata sandi diatur ulang.").to_owned();
                act("POST", format!("/api/accounts/{u}/password"), done);
            }
        }
    };
    let toggle = {
        let u = username.clone();
        let disabled = account.disabled;
        move |_| {
            let (verb, q) = if disabled {
                ("enable", Text::new("Aktifkan lagi akun {u}?"))
            } else {
                (
                    "disable",
                    Text::new(
                        "Nonaktifkan akun {u}? Semua perangkatnya berhenti sinkron sampai diaktifkan lagi.",
                    ),
                )
            };
            let q = q.fill(lang.get(), &[("u", &u)]);
            if crate::components::confirm(&q, false) {
                let done = if disabled {
                    lang.text("Akun diaktifkan.").to_owned()
                } else {
                    lang.text("Akun dinonaktifkan.").to_owned()
                };
                act("POST", format!("/api/accounts/{u}/{verb}"), done);
            }
        }
    };
    let devices = account.devices.clone();
    let this_device = own.map(|(_, d)| d);
    view! {
        <section class="card account" data-username=username.clone()>
            <h2>{title}
                {account.disabled.then(|| view! { <span class="badge bad">{lang.text("Nonaktif")}</span> })}
            </h2>
            <div class="actions">
                <button on:click=reset>{move || lang.text("Atur ulang kata sandi")}</button>
                {(!is_self).then(|| view! {
                    <button on:click=toggle>{move || if account.disabled { lang.text("Aktifkan") } else { lang.text("Nonaktifkan") }}</button>
                })}
            </div>
            <h3>{move || lang.text("Perangkat")}</h3>
            {devices.is_empty().then(|| view! { <p class="muted">{lang.text("Belum pernah masuk.")}</p> })}
            <ul class="devices">
                {devices.into_iter().map(|d| {
                    let u = username.clone();
                    let id = d.device.clone();
                    let name = d.name.clone();
                    let mine = this_device.as_deref() == Some(d.device.as_str());
                    let revoke = move |_| {
                        let q = lang.get().fill("Cabut perangkat \"{name}\" dari akun {u}? Perangkat itu tidak bisa sinkron lagi, dan data akun di perangkat itu terhapus saat tersambung. Perubahan yang belum terkirim dari perangkat itu hilang.", &[("name", &name), ("u", &u)]);
                        if crate::components::confirm(&q, false) {
                            let done = lang.text("Perangkat dicabut.").to_owned();
                            act("POST", format!("/api/accounts/{u}/devices/{id}/revoke"), done);
                        }
                    };
                    let state = match d.revoked_at {
                        Some(at) => format!("{} {}", lang.text("Dicabut"), seconds(at)),
                        None if d.live_sessions > 0 => lang.text("Aktif").to_owned(),
                        None => lang.text("Sesi berakhir").to_owned(),
                    };
                    view! {
                        <li class="device" data-device=d.device.clone() data-revoked=d.revoked_at.is_some().to_string()>
                            <strong>{d.name.clone()}</strong>
                            {mine.then(|| view! { " " <span class="badge good">{lang.text("perangkat ini")}</span> })}
                            <span class="muted">
                                {format!(" · {} {} · {} {}",
                                    lang.text("terakhir"), seconds(d.last_seen),
                                    lang.text("versi"), d.app_version.clone().unwrap_or_else(|| "?".into()))}
                            </span>
                            <span class="device-state">{state}</span>
                            {(d.revoked_at.is_none() && !mine).then(|| view! {
                                <button class="danger" on:click=revoke>{lang.text("Cabut perangkat")}</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Creating a village account: the village from the district's official list, a username
/// suggested from its name, a password generated by the relay and shown once.
#[component]
fn NewVillageAccount(
    villages: Vec<OfficialVillage>,
    notice: RwSignal<Option<Result<String, Problem>>>,
    shown_password: RwSignal<Option<Created>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_language();
    let village = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let options = villages.clone();
    let names: std::collections::HashMap<String, String> = villages
        .iter()
        .map(|v| (v.code.clone(), v.name.clone()))
        .collect();
    let choose = move |code: String| {
        if let Some(name) = names.get(&code) {
            username.set(suggested_username(name));
        }
        village.set(code);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (v, u) = (
            village.get_untracked(),
            username.get_untracked().trim().to_owned(),
        );
        if v.is_empty() || u.is_empty() {
            notice.set(Some(Err(Problem::Refused(
                400,
                Some(if v.is_empty() { "bad_scope" } else { "bad_username" }.into()),
            ))));
            return;
        }
        busy.set(true);
        notice.set(None);
        leptos::task::spawn_local(async move {
            let body = serde_json::json!({ "username": u, "village": v }).to_string();
            match call("POST", "/api/accounts", Some(body)).await {
                Ok(text) => {
                    if let Ok(created) = serde_json::from_str::<Created>(&text) {
                        shown_password.set(Some(created));
                    }
                    notice.set(Some(Ok(lang.text("Akun dibuat.").to_owned())));
                    village.set(String::new());
                    username.set(String::new());
                    reload();
                }
                Err(p) => notice.set(Some(Err(p))),
            }
            busy.set(false);
        });
    };
    (!villages.is_empty()).then(|| view! {
        <details class="card new-account">
            <summary>{move || lang.text("+ Akun desa baru")}</summary>
            <form on:submit=submit>
                <div class="field">
                    <label for="new-village">{move || lang.text("Desa (daftar resmi Kemendagri)")}</label>
                    <select id="new-village" prop:value=village on:change=move |ev| choose(event_target_value(&ev))>
                        <option value="">{move || lang.text("— pilih desa —")}</option>
                        {options.into_iter().map(|v| {
                            let taken = if v.accounts.is_empty() { String::new() } else { format!(" ({})", v.accounts.join(", ")) };
                            view! { <option value=v.code.clone()>{format!("{} — Kec. {}{taken}", v.name, v.kecamatan)}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="new-username">{move || lang.text("Nama pengguna")}</label>
                    <input id="new-username" autocapitalize="none" autocomplete="off" prop:value=username
                        on:input=move |ev| username.set(event_target_value(&ev))/>
                    <p class="hint muted">{move || lang.text("Kata sandi dibuat oleh server dan ditampilkan sekali.")}</p>
                </div>
                <button type="submit" class="primary" disabled=busy>{move || lang.text("Buat akun")}</button>
            </form>
        </details>
    })
}

/// The administrator's audit log: who did what to accounts and devices.
#[component]
fn AuditLog() -> impl IntoView {
    let lang = use_language();
    let entries = RwSignal::new(None::<Result<Vec<AuditEntry>, Problem>>);
    leptos::task::spawn_local(async move {
        let result = call("GET", "/api/audit?limit=200", None)
            .await
            .and_then(|t| serde_json::from_str(&t).map_err(|_| Problem::Refused(200, None)));
        entries.set(Some(result));
    });
    view! {
        <section class="card audit">
            <h2>{move || lang.text("Catatan audit")}</h2>
            {move || match entries.get() {
                None => view! { <p class="muted">{lang.text("Memuat…")}</p> }.into_any(),
                Some(Err(p)) => view! { <p class="msg error">{p.message(lang.get())}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="audit-log">
                        {list.into_iter().map(|e| view! {
                            <li>
                                <span class="muted">{seconds(e.at)}</span>" "
                                <strong>{e.actor}</strong>" "{action_label(&e.action, lang.get())}" "
                                <strong>{e.target}</strong>
                                {(!e.detail.is_empty()).then(|| format!(" ({})", e.detail))}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}
