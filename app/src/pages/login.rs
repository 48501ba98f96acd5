use desmigratif_model::Text;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::context::use_app;
use crate::i18n::use_language;
use crate::session;

/// Logging in: needed once, online; afterwards the app opens offline. With a session on the
/// device (its token expired or was revoked) it logs the same account in again and keeps the
/// device's documents.
#[component]
pub fn Login() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let device = RwSignal::new(session::device_name().unwrap_or_default());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<session::LoginError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get() {
            return;
        }
        // Say what is missing rather than asking the relay.
        if username.get_untracked().trim().is_empty() {
            error.set(Some(session::LoginError::MissingUsername));
            return;
        }
        if password.get_untracked().is_empty() {
            error.set(Some(session::LoginError::MissingPassword));
            return;
        }
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let current = app.session.get_untracked();
            let name = username.get_untracked().trim().to_owned();
            if current.as_ref().is_some_and(|c| c.username != name) {
                // Another account's documents are on this device: they must be sent or
                // removed (logout) first.
                error.set(Some(session::LoginError::OtherAccount));
                busy.set(false);
                return;
            }
            crate::mark("desmigratif:login-sent");
            let mut result =
                session::login(&name, &password.get_untracked(), Some(&device.get_untracked())).await;
            crate::mark("desmigratif:login-answered");
            if result == Err(session::LoginError::DeviceRevoked) {
                if current.is_some() {
                    // This device still holds the account's data: erase it first (the page
                    // starts afresh and says why).
                    app.erase(session::Erased::Revoked).await;
                    return;
                }
                // Nothing of the account is here: carry on as a new device.
                session::forget_device_id();
                result =
                    session::login(&name, &password.get_untracked(), Some(&device.get_untracked())).await;
            }
            match result {
                Ok(s) if current.is_some() => {
                    session::clear_erased_notice();
                    app.renew(s);
                    navigate("/", Default::default());
                }
                Ok(s) => {
                    session::clear_erased_notice();
                    app.begin(s).await;
                    navigate("/", Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card login" on:submit=submit>
            <h1>{move || lang.text("Masuk")}</h1>
            {session::erased_account().map(|(because, account)| view! {
                <p class="msg error erased" role="alert">
                    {move || erased_notice(because, &account, lang.get())}
                </p>
            })}
            <div class="field">
                <label for="username">{move || lang.text("Nama pengguna")}</label>
                <input id="username" name="username" autocomplete="username" autocapitalize="none"
                    prop:value=username on:input=move |ev| username.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="password">{move || lang.text("Kata sandi")}</label>
                <input id="password" name="password" type="password" autocomplete="current-password"
                    prop:value=password on:input=move |ev| password.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="device-name">{move || lang.text("Nama perangkat (tidak wajib)")}</label>
                <input id="device-name" name="device-name" autocomplete="off" maxlength="40"
                    placeholder=move || lang.text("mis. HP Bu Sri")
                    prop:value=device on:input=move |ev| device.set(event_target_value(&ev))/>
                <p class="hint muted">{move || lang.text("Nama ini terlihat di riwayat dan saat memilih nilai yang bentrok.")}</p>
            </div>
            {move || error.get().map(|e| view! { <p class="msg error" role="alert">{e.message(lang.get())}</p> })}
            <button type="submit" class="primary" disabled=busy>
                {move || if busy.get() { lang.text("Memeriksa…") } else { lang.text("Masuk") }}
            </button>
        </form>
    }
}

/// Why the login page shows: the account's data was erased from this device.
fn erased_notice(because: session::Erased, account: &str, lang: desmigratif_model::Lang) -> String {
    use session::Erased;
    let text = match because {
        Erased::Revoked => Text::new(
            "Kantor mencabut akses perangkat ini untuk akun {account}. Semua data akun itu sudah dihapus dari perangkat ini. Jika HP ini sudah kembali ke petugas, masuk lagi: perangkat ini terdaftar sebagai perangkat baru.",
        ),
        Erased::WrongPins => Text::new(
            "PIN salah {attempts} kali berturut-turut: data akun {account} sudah dihapus dari HP ini. Masuk lagi saat ada sinyal untuk mengunduhnya kembali.",
        ),
        Erased::ForgotPin => Text::new(
            "Data akun {account} sudah dihapus dari HP ini. Masuk lagi saat ada sinyal, lalu buat PIN baru.",
        ),
    };
    text.fill(
        lang,
        &[("account", &account), ("attempts", &crate::vault::MAX_ATTEMPTS)],
    )
}
