use desmigratif_model::{
    Collection, Date, Described, EditAction, EpisodeState, Lang, MigrationEpisode, Person, Procedural,
    RecordId,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use wasm_bindgen::JsCast;

use crate::components::conflict_dialog::ConflictDialog;
use crate::context::use_app;
use crate::i18n::{format_time_ms, use_language};

fn state_label(s: EpisodeState, lang: Lang) -> &'static str {
    match (s, lang) {
        (EpisodeState::Planned, Lang::Id) => "Rencana berangkat",
        (EpisodeState::Planned, Lang::En) => "Planned",
        (EpisodeState::Abroad, Lang::Id) => "Di luar negeri",
        (EpisodeState::Abroad, Lang::En) => "Abroad",
        (EpisodeState::Returned, Lang::Id) => "Sudah pulang",
        (EpisodeState::Returned, Lang::En) => "Returned",
        (EpisodeState::Missing, Lang::Id) => "Hilang kontak",
        (EpisodeState::Missing, Lang::En) => "Lost contact",
        (EpisodeState::Deceased, Lang::Id) => "Meninggal",
        (EpisodeState::Deceased, Lang::En) => "Deceased",
    }
}

const STATES: [EpisodeState; 5] = [
    EpisodeState::Planned,
    EpisodeState::Abroad,
    EpisodeState::Returned,
    EpisodeState::Missing,
    EpisodeState::Deceased,
];

fn action_text(a: EditAction, lang: Lang) -> &'static str {
    match (a, lang) {
        (EditAction::Create, Lang::Id) => "Dibuat",
        (EditAction::Create, Lang::En) => "Created",
        (EditAction::Update, Lang::Id) => "Diubah",
        (EditAction::Update, Lang::En) => "Changed",
        (EditAction::Delete, Lang::Id) => "Dihapus",
        (EditAction::Delete, Lang::En) => "Deleted",
        (EditAction::Restore, Lang::Id) => "Dipulihkan",
        (EditAction::Restore, Lang::En) => "Restored",
        (EditAction::Resolve, Lang::Id) => "Nilai dipilih",
        (EditAction::Resolve, Lang::En) => "Value chosen",
    }
}

fn date_or_dash(d: Option<Date>) -> String {
    d.map(|d| d.to_display()).unwrap_or_else(|| "—".into())
}

/// One person: their data, a conflict badge and dialog, their migration episodes, household and
/// the history of the record.
#[component]
pub fn PersonDetail() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let params = use_params_map();
    let id = move || params.get().get("id").and_then(|s| s.parse::<RecordId>().ok());
    // Each part follows only what it shows: memos stop a change to another person (or to
    // nothing this page shows) from going further.
    let person = Memo::new(move |_| {
        let pid = id()?;
        app.with_village(|v| v.snapshot.person(&pid).cloned()).flatten()
    });
    let category = Memo::new(move |_| {
        let pid = id()?;
        app.with_village(|v| v.snapshot.category(&pid)).flatten()
    });
    // Follows every change of the village (reading one record's conflicts is cheap): settling
    // one of two conflicting fields changes neither the record's value nor its revision.
    let conflicts = Memo::new(move |_| {
        app.with_village(|_| ())?;
        let (pid, doc_id) = (id()?, app.village.get()?);
        app.engine()?.read(&doc_id, |d| d.conflicts::<Person>(&pid))
    });
    let show_conflicts = RwSignal::new(false);
    let details = move || {
        let p = person.get()?;
        let category = category.get().map(|c| c.label(lang.get())).unwrap_or("");
        let l = lang.get();
        let rows = p
            .shown(l)
            .into_iter()
            .filter(|(f, _)| f.key != "full_name")
            .map(|(f, value)| {
                view! { <div class="row" data-field=f.key><dt>{f.label.get(l)}</dt><dd>{value}</dd></div> }
            })
            .collect_view();
        Some(view! {
            <h2 class="person-name">{p.full_name.clone()}</h2>
            <p class="category">{category}{p.deleted.then(|| lang.text(" · dihapus", " · deleted"))}</p>
            <dl class="details">{rows}</dl>
        })
    };
    let conflict_badge = move || {
        let c = conflicts.get()?;
        (!c.is_empty()).then(|| view! {
            <button class="badge conflict" on:click=move |_| show_conflicts.set(true)>
                {move || lang.text("Ada perubahan bersamaan — pilih nilai", "Concurrent changes — choose a value")}
            </button>
        })
    };
    // Owned by the page, not by the dialog: a change arriving while the dialog is open (the
    // resolution itself, shown at once) must not take the way to close it away.
    let close = Callback::new(move |_| {
        show_conflicts.set(false);
        // Focus goes back where it was: the badge, if conflicts remain.
        if let Some(badge) = document().query_selector(".badge.conflict").ok().flatten()
            && let Ok(badge) = badge.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = badge.focus();
        }
    });
    let dialog = move || {
        if !show_conflicts.get() {
            return None;
        }
        let (pid, doc_id) = (id()?, app.village.get_untracked()?);
        let now = Signal::derive(move || conflicts.get().unwrap_or_default());
        Some(view! { <ConflictDialog doc_id=doc_id id=pid conflicts=now on_close=close/> })
    };
    let episodes = Memo::new(move |_| {
        let pid = id()?;
        app.with_village(|v| {
            v.snapshot
                .episodes_of(&pid)
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let episode_ids =
        move || episodes.with(|list| list.iter().flatten().map(|e| e.id.clone()).collect::<Vec<_>>());
    let household = Memo::new(move |_| {
        let pid = id()?;
        app.with_village(|v| {
            let h = v.snapshot.household_of(&pid)?;
            Some(
                h.members
                    .iter()
                    .filter_map(|m| v.snapshot.person(m))
                    .map(|m| (m.id.clone(), m.full_name.clone()))
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
    });
    let household_view = move || {
        household.get().map(|members| {
            members
                .into_iter()
                .map(|(mid, name)| view! { <li><a href=format!("/orang/{mid}")>{name}</a></li> })
                .collect_view()
        })
    };
    // How many changes this person has had: the history is redrawn when one more arrives.
    let history_len = Memo::new(move |_| {
        let pid = id()?;
        app.with_village(|v| v.history(Collection::Persons, &pid).len())
    });
    let history = move || {
        let _ = history_len.get();
        let pid = id()?;
        let l = lang.get();
        // Redrawn when this person has a new change (`history_len`), not on every change of the village.
        let entries = untrack(|| app.with_village(|v| v.history(Collection::Persons, &pid).to_vec()))?;
        let doc_id = app.village.get_untracked()?;
        let engine = app.engine()?;
        let this_device = engine.session().device.clone();
        Some(
            entries
                .into_iter()
                .rev()
                .map(|h| {
                    // Old → new for each field the change wrote, read at the change itself (once
                    // the document is loaded; the fields' names until then).
                    let fields: Vec<String> = if h.fields.is_empty() {
                        Vec::new()
                    } else {
                        h.fields.clone()
                    };
                    let around = h
                        .change
                        .filter(|_| !fields.is_empty())
                        .and_then(|c| {
                            engine.read(&doc_id, |d| {
                                d.values_around(Collection::Persons, &pid, c, &fields)
                            })
                        })
                        .unwrap_or_default();
                    let lines = fields
                        .iter()
                        .filter(|f| f.as_str() != "deleted")
                        .map(|f| {
                            let label = Person::label(f, l);
                            let text = match (around.iter().find(|a| &a.field == f), Person::spec(f)) {
                                (Some(a), Some(spec)) => {
                                    format!(
                                        "{label}: {} → {}",
                                        spec.show(&a.before, l),
                                        spec.show(&a.after, l)
                                    )
                                }
                                _ => label,
                            };
                            view! { <span class="change">{text}</span> }
                        })
                        .collect_view();
                    let who = if h.author.device == this_device {
                        format!(
                            "{} ({})",
                            h.author.account,
                            lang.text("perangkat ini", "this device")
                        )
                    } else {
                        format!("{} ({})", h.author.account, h.author.device)
                    };
                    view! {
                        <li data-action=format!("{:?}", h.action)>
                            <span><strong>{action_text(h.action, l)}</strong>" · "{who}</span>
                            <small>{format_time_ms(h.time as f64 * 1000.0)}</small>
                            {lines}
                        </li>
                    }
                })
                .collect_view(),
        )
    };
    let toggle_delete = move |_| {
        let (Some(pid), Some(doc_id), Some(engine), Some(p)) = (
            id(),
            app.village.get_untracked(),
            app.engine(),
            person.get_untracked(),
        ) else {
            return;
        };
        if !p.deleted {
            let question = lang.text(
                "Hapus orang ini dari daftar? Datanya tetap tersimpan dan bisa dipulihkan.",
                "Remove this person from the list? The record is kept and can be restored.",
            );
            let confirmed = web_sys::window()
                .and_then(|w| w.confirm_with_message(question).ok())
                .unwrap_or(false);
            if !confirmed {
                return;
            }
        }
        leptos::task::spawn_local(async move {
            let by = engine.session().author();
            let now = (js_sys::Date::now() / 1000.0) as i64;
            let _ = if p.deleted {
                engine
                    .edit(&doc_id, |d| d.restore::<Person>(&pid, &by, now))
                    .await
            } else {
                engine.edit(&doc_id, |d| d.delete::<Person>(&pid, &by, now)).await
            };
        });
    };
    view! {
        <article class="person-detail">
            {conflict_badge}
            {details}
            <nav class="actions">
                <a class="button primary" href=move || format!("/orang/{}/ubah", id().map(|i| i.to_string()).unwrap_or_default())>
                    {move || lang.text("Ubah", "Edit")}
                </a>
                <button class="secondary" on:click=toggle_delete>
                    {move || if person.get().is_some_and(|p| p.deleted) { lang.text("Pulihkan", "Restore") } else { lang.text("Hapus", "Delete") }}
                </button>
            </nav>
            <section>
                <h3>{move || lang.text("Riwayat migrasi", "Migration history")}</h3>
                <ul class="timeline">
                    // Keyed by episode: a change elsewhere never rebuilds an open form.
                    <For each=episode_ids key=|eid| eid.clone() let(eid)>
                        <EpisodeItem episode=eid episodes=episodes/>
                    </For>
                </ul>
                {move || id().map(|pid| view! { <EpisodeForm person=pid/> })}
            </section>
            <section>
                <h3>{move || lang.text("Anggota keluarga (KK)", "Household (family card)")}</h3>
                <ul class="household">{household_view}</ul>
            </section>
            <section>
                <h3>{move || lang.text("Riwayat perubahan", "Change history")}</h3>
                <ul class="history">{history}</ul>
            </section>
            {dialog}
        </article>
    }
}

/// One episode of the person's timeline. Its text follows the episode; its edit form keeps
/// what the user typed when the episode changes underneath.
#[component]
fn EpisodeItem(episode: RecordId, episodes: Memo<Option<Vec<MigrationEpisode>>>) -> impl IntoView {
    let lang = use_language();
    let eid = episode.clone();
    let current =
        Memo::new(move |_| episodes.with(|list| list.iter().flatten().find(|e| e.id == eid).cloned()));
    let initial = current.get_untracked();
    initial.map(|first| {
        let person = first.person.clone();
        view! {
            <li class="episode" data-state=move || current.get().map(|e| format!("{:?}", e.state)).unwrap_or_default()>
                {move || current.get().map(|e| view! {
                    <strong>{e.destination_country.clone()}</strong>" · "{state_label(e.state, lang.get())}
                    <small>{format!("{} → {}", date_or_dash(e.departure_date), date_or_dash(e.return_date))}</small>
                    <small>{e.agency.clone().unwrap_or_default()}</small>
                })}
                <EpisodeForm person=person episode=first current=current/>
            </li>
        }
    })
}

/// Adds a migration episode to a person, or edits one (only the changed fields are written).
#[component]
fn EpisodeForm(
    /// The person the episode belongs to.
    person: RecordId,
    /// The episode to edit; none to add a new one.
    #[prop(optional)]
    episode: Option<MigrationEpisode>,
    /// The episode as it stands now, to tell the user when it changed while they typed.
    #[prop(optional)]
    current: Option<Memo<Option<MigrationEpisode>>>,
) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let open = RwSignal::new(false);
    let text = |d: Option<Date>| d.map(|d| d.to_display()).unwrap_or_default();
    let country = RwSignal::new(
        episode
            .as_ref()
            .map(|e| e.destination_country.clone())
            .unwrap_or_default(),
    );
    let state = RwSignal::new(
        episode
            .as_ref()
            .map_or("Abroad".to_owned(), |e| format!("{:?}", e.state)),
    );
    let departure = RwSignal::new(text(episode.as_ref().and_then(|e| e.departure_date)));
    let returned = RwSignal::new(text(episode.as_ref().and_then(|e| e.return_date)));
    let agency = RwSignal::new(
        episode
            .as_ref()
            .and_then(|e| e.agency.clone())
            .unwrap_or_default(),
    );
    let editing = episode.is_some();
    let base = StoredValue::new(episode);
    let error = RwSignal::new(None::<String>);
    let save = Callback::new(move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parse = |s: String| {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                Date::parse_display(&s).map(Some)
            }
        };
        let (Ok(dep), Ok(ret)) = (parse(departure.get_untracked()), parse(returned.get_untracked())) else {
            error.set(Some(
                lang.text(
                    "Tanggal tidak sah (HH-BB-TTTT).",
                    "Not a valid date (DD-MM-YYYY).",
                )
                .into(),
            ));
            return;
        };
        let st = STATES
            .into_iter()
            .find(|s| format!("{s:?}") == state.get_untracked())
            .unwrap_or(EpisodeState::Abroad);
        let base_episode = base.get_value();
        let mut e = base_episode
            .clone()
            .unwrap_or_else(|| MigrationEpisode::new(RecordId::random(), person.clone(), "", st));
        e.destination_country = country.get_untracked().trim().to_owned();
        e.state = st;
        e.departure_date = dep;
        e.return_date = ret;
        e.agency = Some(agency.get_untracked()).filter(|a| !a.trim().is_empty());
        if base_episode.is_none() {
            e.procedural = if e.agency.is_some() {
                Procedural::Yes
            } else {
                Procedural::Unknown
            };
        }
        let errors: Vec<String> = desmigratif_model::validate::Validate::validate(&e)
            .into_iter()
            .chain(desmigratif_model::validate::Validate::validate_on(
                &e,
                crate::i18n::today(),
            ))
            .filter(|i| i.severity == desmigratif_model::Severity::Error)
            .map(|i| i.message(lang.get_untracked_lang()))
            .collect();
        if !errors.is_empty() {
            error.set(Some(errors.join(" ")));
            return;
        }
        let (Some(engine), Some(doc_id)) = (app.engine(), app.village.get_untracked()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let by = engine.session().author();
            let now = (js_sys::Date::now() / 1000.0) as i64;
            let saved = e.clone();
            let result = match &base_episode {
                Some(old) => {
                    engine
                        .edit(&doc_id, |d| d.update(old, &e, &by, now).map(|_| ()))
                        .await
                }
                None => engine.edit(&doc_id, |d| d.create(e, &by, now).map(|_| ())).await,
            };
            match result {
                Ok(()) => {
                    if base_episode.is_some() {
                        // The next edit compares against what is now stored.
                        base.set_value(current.and_then(|c| c.get_untracked()).or(Some(saved)));
                    }
                    open.set(false);
                    error.set(None);
                    if base_episode.is_none() {
                        country.set(String::new());
                    }
                }
                Err(err) => error.set(Some(format!("{err:?}"))),
            }
        });
    });
    view! {
        <Show when=move || open.get()
            fallback=move || view! {
                <button class="secondary" on:click=move |_| open.set(true)>
                    {move || if editing { lang.text("Ubah perjalanan", "Edit episode") } else { lang.text("+ Tambah perjalanan", "+ Add episode") }}
                </button>
            }>
            <form class="episode-form" on:submit=move |ev| save.run(ev)>
                <div class="field"><label for="e-country">{move || lang.text("Negara tujuan", "Destination country")}</label>
                    <input id="e-country" prop:value=country on:input=move |ev| country.set(event_target_value(&ev))/></div>
                <div class="field"><label for="e-state">{move || lang.text("Status", "State")}</label>
                    <select id="e-state" prop:value=state on:change=move |ev| state.set(event_target_value(&ev))>
                        {STATES.into_iter().map(|s| view! { <option value=format!("{s:?}")>{move || state_label(s, lang.get())}</option> }).collect_view()}
                    </select></div>
                <div class="field"><label for="e-dep">{move || lang.text("Tanggal berangkat", "Departure date")}</label>
                    <input id="e-dep" inputmode="numeric" placeholder="HH-BB-TTTT" prop:value=departure on:input=move |ev| departure.set(event_target_value(&ev))/></div>
                <div class="field"><label for="e-ret">{move || lang.text("Tanggal pulang", "Return date")}</label>
                    <input id="e-ret" inputmode="numeric" placeholder="HH-BB-TTTT" prop:value=returned on:input=move |ev| returned.set(event_target_value(&ev))/></div>
                <div class="field"><label for="e-agency">{move || lang.text("P3MI (agen penempatan)", "Placement agency (P3MI)")}</label>
                    <input id="e-agency" prop:value=agency on:input=move |ev| agency.set(event_target_value(&ev))/></div>
                {move || {
                    let changed = current.is_some_and(|c| c.get() != base.get_value());
                    changed.then(|| view! {
                        <p class="msg warning changed-underneath" role="status">{move || lang.text(
                            "Perjalanan ini baru diubah di perangkat lain. Isian Anda tetap; yang disimpan hanya kolom yang Anda ubah.",
                            "This episode was just changed on another device. Your entries stay; saving writes only the fields you changed.",
                        )}</p>
                    })
                }}
                {move || error.get().map(|e| view! { <p class="msg error">{e}</p> })}
                <button type="submit" class="primary">{move || lang.text("Simpan perjalanan", "Save episode")}</button>
            </form>
        </Show>
    }
}

trait UntrackedLang {
    fn get_untracked_lang(&self) -> Lang;
}

impl UntrackedLang for crate::i18n::Language {
    fn get_untracked_lang(&self) -> Lang {
        self.0.get_untracked()
    }
}
