use desmigratif_model::Text;
use desmigratif_model::{Category, Collection, Lang};
use leptos::prelude::*;

use crate::components::lock_screen;
use crate::context::use_app;
use crate::i18n::{format_time_ms, use_language};
use crate::pages::login::Login;
use crate::pages::pillars::parts::PillarFigures;
use crate::pages::reference::DistrictNews;

/// The village home: counts per category, recent changes, and for a district office the
/// village switch and an overview of every village. An administrator's home (`admin`: the
/// accounts) and a partner's (`partner`: the aggregates) come from the app binary, which loads
/// them on demand.
#[component]
pub fn Home(#[prop(into)] admin: ViewFn, #[prop(into)] partner: ViewFn) -> impl IntoView {
    let app = use_app();
    // An account without documents: an administrator or a partner.
    let other = ViewFn::from(move || {
        let admin = admin.clone();
        view! {
            <Show when=move || app.session.get().is_some_and(|s| s.is_admin())
                fallback=partner.clone()>
                {admin.run()}
            </Show>
            <Logout/>
        }
    });
    view! {
        <Show when=move || app.session.get().is_some() fallback=|| view! { <Login/> }>
            <Show when=move || app.session.get().is_some_and(|s| s.has_documents())
                fallback=other.clone()>
                <VillageHome/>
            </Show>
        </Show>
    }
}

/// What a village or district account sees first.
#[component]
fn VillageHome() -> impl IntoView {
    view! {
            <DistrictOverview/>
            <VillageHeading/>
            <VillageSwitch/>
            <Counts/>
            <ConflictNotice/>
            <nav class="actions">
                <a class="button primary" href="/orang/baru">{move || use_language().text("+ Tambah orang")}</a>
                <a class="button" href="/orang">{move || use_language().text("Daftar orang")}</a>
                <a class="button" href="/dasbor">{move || use_language().text("Dasbor & laporan")}</a>
                <a class="button" href="/impor">{move || use_language().text("Impor data")}</a>
                <a class="button" href="/duplikat">{move || use_language().text("Kemungkinan duplikat")}</a>
                <Show when=move || use_app().session.get().is_some_and(|s| s.manages_accounts())>
                    <a class="button" href="/akun">{move || use_language().text("Akun & perangkat")}</a>
                </Show>
            </nav>
            <h2 class="pillars-heading">{move || use_language().text("Layanan Desmigratif")}</h2>
            <PillarFigures/>
            <nav class="actions">
                <a class="button" href="/layanan">{move || use_language().text("Semua layanan")}</a>
            </nav>
            <DistrictNews/>
            <RecentChanges/>
            <Logout/>
    }
}

/// A village account's page heading: its village.
#[component]
fn VillageHeading() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let name = move || {
        let s = app.session.get().filter(|s| !s.is_district())?;
        let village = app.village.get()?;
        s.villages()
            .into_iter()
            .find(|g| g.doc_id == village)
            .map(|g| g.name)
    };
    move || name().map(|n| view! { <h1>{lang.text("Desa ")}{n}</h1> })
}

/// The village on screen; an account with several villages can switch between them.
#[component]
fn VillageSwitch() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let villages = move || app.session.get().map(|s| s.villages()).unwrap_or_default();
    view! {
        <Show when=move || { villages().len() > 1 }>
            <div class="village-switch">
                <label for="village">{move || lang.text("Desa")}</label>
                <select id="village" prop:value=move || app.village.get().unwrap_or_default()
                    on:change=move |ev| app.choose_village(event_target_value(&ev))>
                    {move || villages().into_iter().map(|g| view! { <option value=g.doc_id.clone()>{g.name.clone()}</option> }).collect_view()}
                </select>
            </div>
        </Show>
    }
}

/// "3 people have concurrent changes — choose the values", leading to the list of them.
#[component]
fn ConflictNotice() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let count = move || {
        app.with_village(|v| v.snapshot.persons_needing_choice())
            .unwrap_or(0)
    };
    view! {
        <Show when=move || { count() > 0 }>
            <a class="notice conflict" href="/orang?konflik=1" data-count=count>
                {move || lang.get().fill("{n} orang punya perubahan bersamaan — pilih nilainya", &[("n", &count())])}
            </a>
        </Show>
    }
}

#[component]
fn Counts() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let card = move |c: Category| {
        view! {
            <a class="count" href=format!("/orang?kategori={c:?}") data-category=format!("{c:?}")>
                <strong>{move || app.with_village(|v| v.snapshot.counts().get(c)).unwrap_or(0)}</strong>
                <span>{move || c.label(lang.get())}</span>
            </a>
        }
    };
    view! {
        <Show when=move || app.with_village(|_| ()).is_some()
            fallback=move || view! { <p class="muted">{move || lang.text("Memuat data desa…")}</p> }>
            <section class="counts">
                {card(Category::Cpmi)}{card(Category::Pmi)}{card(Category::PurnaPmi)}{card(Category::Keluarga)}
            </section>
        </Show>
    }
}

fn action_label(a: desmigratif_model::EditAction, lang: Lang) -> &'static str {
    use desmigratif_model::EditAction::*;
    match a {
        Create => Text::new("menambah"),
        Update => Text::new("mengubah"),
        Delete => Text::new("menghapus"),
        Restore => Text::new("memulihkan"),
        Resolve => Text::new("memilih nilai untuk"),
    }
    .get(lang)
}

#[component]
fn RecentChanges() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let items = move || {
        let recent = app.with_village(|v| {
            v.recent
                .iter()
                .filter(|(c, _, _)| *c == Collection::Persons)
                .map(|(_, rid, h)| {
                    let name = v
                        .snapshot
                        .person(rid)
                        .map(|p| p.full_name.clone())
                        .unwrap_or_else(|| "?".into());
                    (rid.clone(), h.clone(), name)
                })
                .collect::<Vec<_>>()
        })?;
        Some(
            recent
                .into_iter()
                .map(|(rid, h, name)| {
                    let text = format!("{} {} {}", h.author.account, action_label(h.action, lang.get()), name);
                    view! {
                        <li><a href=format!("/orang/{rid}")>{text}</a><small>{format_time_ms(h.time as f64 * 1000.0)}</small></li>
                    }
                })
                .collect_view(),
        )
    };
    view! {
        <section class="recent">
            <h2>{move || lang.text("Perubahan terakhir")}</h2>
            <ul>{items}</ul>
        </section>
    }
}

/// For a district office, first on its home: each village's counts and latest change, the
/// district's totals; tapping a village puts it on screen.
#[component]
fn DistrictOverview() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let villages = move || {
        app.session
            .get()
            .filter(|s| s.is_district())
            .map(|s| s.villages())
            .unwrap_or_default()
    };
    let rows = move || {
        villages()
            .into_iter()
            .map(|g| {
                // Each row follows its own village's changes only.
                let doc_id = g.doc_id.clone();
                let facts = {
                    let doc_id = doc_id.clone();
                    move || {
                        app.with_doc(&doc_id, |v| {
                            let latest = v.recent.iter().map(|(_, _, h)| h.time).max();
                            (v.snapshot.counts(), latest)
                        })
                    }
                };
                let loaded = {
                    let facts = facts.clone();
                    move || facts().is_some().then_some("")
                };
                let count = {
                    let facts = facts.clone();
                    move |c: Category| {
                        let facts = facts.clone();
                        move || facts().map(|(counts, _)| counts.get(c)).unwrap_or_default()
                    }
                };
                let latest = {
                    let facts = facts.clone();
                    move || {
                        facts()
                            .and_then(|(_, t)| t)
                            .map(|t| format_time_ms(t as f64 * 1000.0))
                    }
                };
                let current = {
                    let doc_id = doc_id.clone();
                    move || app.village.get().as_deref() == Some(doc_id.as_str())
                };
                let open = move |_| {
                    app.choose_village(doc_id.clone());
                    if let Some(el) = document().query_selector(".counts").ok().flatten() {
                        el.scroll_into_view();
                    }
                };
                view! {
                    <tr data-loaded=loaded class:current=current>
                        <td>
                            <button on:click=open>
                                <span>{g.name.clone()}</span>
                                <small>{latest}</small>
                            </button>
                        </td>
                        <td>{count(Category::Cpmi)}</td>
                        <td>{count(Category::Pmi)}</td>
                        <td>{count(Category::PurnaPmi)}</td>
                        <td>{count(Category::Keluarga)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    // The district's totals, over the villages already on this device.
    let total = move |c: Category| {
        move || {
            villages()
                .iter()
                .filter_map(|g| app.with_doc(&g.doc_id, |v| v.snapshot.counts().get(c)))
                .sum::<usize>()
        }
    };
    view! {
        <Show when=move || app.session.get().is_some_and(|s| s.is_district())>
            <section class="district">
                <h1>{move || lang.text("Ringkasan kabupaten")}</h1>
                <table>
                    <thead><tr>
                        <th scope="col">{move || lang.text("Desa")}</th>
                        <th scope="col">"CPMI"</th>
                        <th scope="col">"PMI"</th>
                        <th scope="col">"Purna"</th>
                        <th scope="col"><abbr title=move || lang.text("Keluarga")>{move || lang.text("Kel.")}</abbr></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                    <tfoot><tr class="total">
                        <td>{move || lang.text_in("Total", "Jumlah")}</td>
                        <td>{total(Category::Cpmi)}</td>
                        <td>{total(Category::Pmi)}</td>
                        <td>{total(Category::PurnaPmi)}</td>
                        <td>{total(Category::Keluarga)}</td>
                    </tr></tfoot>
                </table>
            </section>
        </Show>
    }
}

/// Logging out removes the account's data from the device, after a warning if changes have not
/// reached the relay.
#[component]
fn Logout() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let logout = move |_| {
        leptos::task::spawn_local(async move {
            // The count of unsent changes is known once the documents are read (right after
            // opening, the worker may still be reading them).
            if let Some(engine) = app.engine() {
                engine.loaded().await;
            }
            let pending = app.status.unsynced.get_untracked();
            if pending > 0 {
                let question = lang.0.get_untracked().fill(
                    "{pending} perubahan belum terkirim ke server dan akan hilang. Tetap keluar?",
                    &[("pending", &pending)],
                );
                if !crate::components::confirm(&question, false) {
                    return;
                }
            }
            let _ = app.logout().await;
        });
    };
    let keeps_records = move || {
        app.session
            .with(|s| s.as_ref().is_some_and(|s| s.has_documents()))
    };
    let idle = RwSignal::new(lock_screen::idle_minutes());
    view! {
        <footer class="foot">
            <span>{move || app.session.get().map(|s| format!("{} · {}", s.username, desmigratif_model::device_name(&s.device)))}</span>
            <Show when=keeps_records>
                <label class="idle-lock">
                    {move || lang.text("Kunci otomatis setelah")}
                    <select prop:value=move || idle.get().to_string()
                        on:change=move |ev| {
                            if let Ok(m) = event_target_value(&ev).parse::<u32>() {
                                crate::session::set_item(lock_screen::IDLE_KEY, &m.to_string());
                                idle.set(m);
                            }
                        }>
                        {lock_screen::IDLE_CHOICES.map(|m| view! {
                            <option value=m.to_string()>{move || lang.get().fill("{m} menit", &[("m", &m)])}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button class="link lock-now" on:click=move |_| app.lock_now()>{move || lang.text("Kunci sekarang")}</button>
            </Show>
            <button class="link" on:click=logout>{move || lang.text_in("Log out", "Keluar")}</button>
        </footer>
    }
}
