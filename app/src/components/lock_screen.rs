//! The app lock: choosing a PIN after the first login, asking for it when the app opens and
//! after the idle time, the wipe after too many wrong PINs, and "forgot the PIN". While it
//! shows, the screens behind it are hidden and inert but stay as they were (what was being
//! typed is still there after unlocking).

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::context::{Lock, use_app};
use crate::i18n::use_language;
use crate::session::Erased;
use crate::vault::{MAX_ATTEMPTS, MIN_PIN, VaultError};

/// Where the idle time (minutes) is kept.
pub const IDLE_KEY: &str = "desmigratif.lock.minutes";
/// The idle time when none was chosen.
pub const DEFAULT_IDLE_MINUTES: u32 = 5;
/// The idle times offered.
pub const IDLE_CHOICES: [u32; 4] = [1, 5, 15, 30];
/// From this many attempts left, the lock screen warns that the data will be erased.
const WARN_FROM: u32 = 3;

/// The idle time after which the app locks, in minutes.
pub fn idle_minutes() -> u32 {
    crate::session::get_item(IDLE_KEY)
        .and_then(|m| m.parse().ok())
        .filter(|m| IDLE_CHOICES.contains(m))
        .unwrap_or(DEFAULT_IDLE_MINUTES)
}

/// The lock screen over the app, when the app is locked or a PIN is to be chosen.
#[component]
pub fn LockScreen() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let pin = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    watch_idle();
    // The state on the page, for tests and assistive tools: `open`, `locked` or `setup`.
    Effect::new(move |_| {
        let state = match app.lock.get() {
            Lock::Open => "open",
            Lock::Locked => "locked",
            Lock::Setup => "setup",
        };
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("data-lock", state);
        }
    });
    let attempts_left = move || {
        // Re-read after every attempt (each one sets or clears the error).
        error.track();
        let user = app.session.with(|s| s.as_ref().map(|s| s.username.clone()))?;
        Some(MAX_ATTEMPTS.saturating_sub(crate::vault::failures(&user)))
    };

    let choose = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (p, a) = (pin.get_untracked(), again.get_untracked());
        if p.chars().count() < MIN_PIN {
            error.set(Some(
                lang.text("PIN paling sedikit 6 angka atau huruf.").to_owned(),
            ));
            return;
        }
        if p != a {
            error.set(Some(lang.text("Kedua PIN tidak sama.").to_owned()));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match app.set_pin(&p).await {
                Ok(()) => {
                    pin.set(String::new());
                    again.set(String::new());
                    error.set(None);
                }
                Err(e) => error.set(Some(format!("{e:?}"))),
            }
            busy.set(false);
        });
    };

    let open = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let p = pin.get_untracked();
        if p.is_empty() {
            error.set(Some(lang.text("Ketik PIN.").to_owned()));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let outcome = app.unlock(&p).await;
            pin.set(String::new());
            busy.set(false);
            match outcome {
                Ok(()) => error.set(None),
                Err(VaultError::WrongPin { left }) => error.set(Some(
                    lang.0
                        .get_untracked()
                        .fill("PIN salah. Sisa {left} percobaan.", &[("left", &left)]),
                )),
                Err(VaultError::TooManyAttempts) => app.erase(Erased::WrongPins).await,
                Err(e) => error.set(Some(format!("{e:?}"))),
            }
        });
    };

    let forgot = move |_| {
        let question = lang.text("Lupa PIN: semua data akun ini akan dihapus dari HP ini, termasuk perubahan yang belum terkirim ke kantor. Setelah itu masuk lagi saat ada sinyal untuk mengunduh data yang sudah terkirim. Lanjutkan?");
        if crate::components::confirm(question, false) {
            leptos::task::spawn_local(async move { app.erase(Erased::ForgotPin).await });
        }
    };

    let pin_input = move |id: &'static str, value: RwSignal<String>, autocomplete: &'static str| {
        view! {
            <input id=id type="password" inputmode="numeric" autocomplete=autocomplete
                prop:value=value on:input=move |ev| value.set(event_target_value(&ev))/>
        }
    };

    move || {
        match app.lock.get() {
        Lock::Open => None,
        Lock::Setup => Some(
            view! {
                <main class="lock-screen" aria-labelledby="lock-title">
                    <form class="card" on:submit=choose>
                        <h1 id="lock-title">{move || lang.text("Buat PIN untuk HP ini")}</h1>
                        <p>{move || lang.text("Data desa di HP ini dikunci dengan PIN ini. Aplikasi menanyakannya setiap kali dibuka dan setelah tidak dipakai beberapa menit.")}</p>
                        <p class="muted">{move || lang.text("PIN tidak bisa dipulihkan. Jika lupa, data di HP ini dihapus dan diunduh lagi saat ada sinyal; yang belum terkirim hilang.")}</p>
                        <div class="field">
                            <label for="pin-new">{move || lang.text("PIN (paling sedikit 6)")}</label>
                            {pin_input("pin-new", pin, "new-password")}
                        </div>
                        <div class="field">
                            <label for="pin-again">{move || lang.text("Ulangi PIN")}</label>
                            {pin_input("pin-again", again, "new-password")}
                        </div>
                        {move || error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
                        <button class="primary" type="submit" disabled=busy>
                            {move || if busy.get() { lang.text("Menyimpan…") } else { lang.text("Simpan PIN") }}
                        </button>
                    </form>
                </main>
            }
            .into_any(),
        ),
        Lock::Locked => Some(
            view! {
                <main class="lock-screen" aria-labelledby="lock-title">
                    <form class="card" on:submit=open>
                        <h1 id="lock-title">{move || lang.text("Aplikasi terkunci")}</h1>
                        <div class="field">
                            <label for="unlock-pin">{move || lang.text("PIN")}</label>
                            {pin_input("unlock-pin", pin, "current-password")}
                        </div>
                        {move || error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
                        {move || attempts_left().filter(|left| *left <= WARN_FROM).map(|left| view! {
                            <p class="msg warning wipe-warning">{move || lang.get().fill("Setelah {left} PIN salah lagi, semua data akun ini dihapus dari HP ini; perubahan yang belum terkirim hilang.", &[("left", &left)])}</p>
                        })}
                        <button class="primary" id="unlock-submit" type="submit" disabled=busy>
                            {move || if busy.get() { lang.text("Membuka…") } else { lang.text("Buka") }}
                        </button>
                        <button class="link forgot-pin" type="button" on:click=forgot>
                            {move || lang.text("Lupa PIN?")}
                        </button>
                    </form>
                </main>
            }
            .into_any(),
        ),
    }
    }
}

/// Locks the app after [`idle_minutes`] without a tap or a key, checked every few seconds and
/// whenever the app comes back to the screen (a phone suspends timers in the background).
fn watch_idle() {
    let app = use_app();
    let last = Rc::new(Cell::new(js_sys::Date::now()));
    let window = window();
    let touched = {
        let last = last.clone();
        Closure::<dyn Fn()>::new(move || last.set(js_sys::Date::now()))
    };
    for event in ["pointerdown", "keydown"] {
        let _ =
            window.add_event_listener_with_callback_and_bool(event, touched.as_ref().unchecked_ref(), true);
    }
    touched.forget();
    let check = Closure::<dyn Fn()>::new(move || {
        let idle_ms = f64::from(idle_minutes()) * 60_000.0;
        if js_sys::Date::now() - last.get() >= idle_ms {
            app.lock_now();
        }
    });
    let _ =
        window.set_interval_with_callback_and_timeout_and_arguments_0(check.as_ref().unchecked_ref(), 5_000);
    let _ = document().add_event_listener_with_callback("visibilitychange", check.as_ref().unchecked_ref());
    check.forget();
}
