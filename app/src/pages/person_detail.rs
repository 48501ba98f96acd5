use desmigratif_model::Edit;
use desmigratif_model::{
    Collection, Date, Described, EpisodeState, Lang, MigrationEpisode, Person, RecordId,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use wasm_bindgen::JsCast;

use crate::components::confirm;
use crate::components::conflict_dialog::ConflictDialog;
use crate::components::field::{declared_fields, suggestions};
use crate::components::record_parts::RecordHistory;
use crate::context::use_app;
use crate::pages::pillars::parts::LinkedRecords;

use desmigratif_model::fields::choice_label;

use crate::i18n::use_language;
use crate::record_draft::{FieldMessage, RecordDraft};

/// An episode's state as the declaration labels it.
fn state_label(s: EpisodeState, lang: Lang) -> &'static str {
    choice_label(desmigratif_model::records::EPISODE_STATE, &format!("{s:?}"), lang).unwrap_or("")
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
    // Follows every change of the village: settling one of two conflicting fields changes
    // neither the record's value nor its revision.
    let conflicts = app.conflicts(Collection::Persons, id);
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
            <h1 class="person-name">{p.full_name.clone()}</h1>
            <p class="category">{category}{match (p.deleted, p.moved_to.clone()) {
                (true, Some(village)) => {
                    let on = p.moved_on.map(|d| d.to_display()).unwrap_or_default();
                    Some(format!(" · {} {on}", crate::i18n::moved_to_text(&village, l)))
                }
                (true, None) => Some(lang.text(" · dihapus").to_owned()),
                _ => None,
            }}</p>
            <dl class="details">{rows}</dl>
        })
    };
    let conflict_badge = move || {
        let c = conflicts.get()?;
        (!c.is_empty()).then(|| {
            view! {
                <button class="badge conflict" on:click=move |_| show_conflicts.set(true)>
                    {move || lang.text("Ada perubahan bersamaan — pilih nilai")}
                </button>
            }
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
        Some(
            view! { <ConflictDialog doc_id=doc_id collection=Collection::Persons id=pid conflicts=now on_close=close/> },
        )
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
                    .map(|m| (m.id.clone(), m.full_name.clone(), m.relation))
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
    });
    // Each member with their place in the family; this person named as such, not as a link to
    // the page already open.
    let household_view = move || {
        let this = id();
        household.get().map(|members| {
            members
                .into_iter()
                .map(|(mid, name, relation)| {
                    let relation = relation_label(relation, lang.get());
                    if this.as_ref() == Some(&mid) {
                        view! {
                            <li aria-current="page">
                                <span class="member">{name}</span>
                                <span class="muted">{relation}" · "{move || lang.text("orang ini")}</span>
                            </li>
                        }
                        .into_any()
                    } else {
                        view! {
                            <li>
                                <a href=format!("/orang/{mid}")>{name}</a>
                                <span class="muted">{relation}</span>
                            </li>
                        }
                        .into_any()
                    }
                })
                .collect_view()
        })
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
            let question =
                lang.text("Hapus orang ini dari daftar? Datanya tetap tersimpan dan bisa dipulihkan.");
            if !confirm(question, false) {
                return;
            }
        }
        leptos::task::spawn_local(async move {
            let _ = engine
                .apply(&doc_id, Edit::set_deleted::<Person>(&pid, !p.deleted))
                .await;
        });
    };
    view! {
        <article class="person-detail">
            {conflict_badge}
            {details}
            <nav class="actions">
                <a class="button primary" href=move || format!("/orang/{}/ubah", id().map(|i| i.to_string()).unwrap_or_default())>
                    {move || lang.text("Ubah")}
                </a>
                <button class="secondary" on:click=toggle_delete>
                    {move || if person.get().is_some_and(|p| p.deleted) { lang.text("Pulihkan") } else { lang.text_in("Delete", "Hapus") }}
                </button>
            </nav>
            <section>
                <h2>{move || lang.text_in("Migration history", "Riwayat migrasi")}</h2>
                <ul class="timeline">
                    // Keyed by episode: a change elsewhere never rebuilds an open form.
                    <For each=episode_ids key=|eid| eid.clone() let(eid)>
                        <EpisodeItem episode=eid episodes=episodes/>
                    </For>
                </ul>
                {move || id().map(|pid| view! { <EpisodeForm person=pid/> })}
            </section>
            <section>
                <h2>{move || lang.text("Anggota keluarga (KK)")}</h2>
                <ul class="household">{household_view}</ul>
                {move || person.get().and_then(|p| {
                    // A new member of this family: No. KK and where they live already filled in.
                    let kk = p.no_kk.clone()?;
                    let mut query = vec![format!("kk={}", String::from(js_sys::encode_uri_component(&kk)))];
                    for (key, value) in [("dusun", &p.dusun), ("rt", &p.rt), ("rw", &p.rw), ("alamat", &p.address)] {
                        if let Some(v) = value {
                            query.push(format!("{key}={}", String::from(js_sys::encode_uri_component(v))));
                        }
                    }
                    Some(view! {
                        <a class="button add-member" href=format!("/orang/baru?{}", query.join("&"))>
                            {move || lang.text("+ Tambah anggota keluarga")}
                        </a>
                    })
                })}
            </section>
            <section class="linked">
                <h2>{move || lang.text("Layanan")}</h2>
                {move || id().map(|pid| view! { <LinkedRecords person=pid/> })}
            </section>
            <section>
                <h2>{move || lang.text("Riwayat perubahan")}</h2>
                {move || id().map(|pid| view! { <RecordHistory collection=Collection::Persons id=pid/> })}
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
    let app = use_app();
    // This episode's conflicts, following every change of the village.
    let conflict_id = episode.clone();
    let conflicts = app.conflicts(Collection::Episodes, move || Some(conflict_id.clone()));
    let show = RwSignal::new(false);
    let dialog_id = episode.clone();
    let dialog = move || {
        if !show.get() {
            return None;
        }
        let doc_id = app.village.get_untracked()?;
        let now = Signal::derive(move || conflicts.get().unwrap_or_default());
        let close = Callback::new(move |_| show.set(false));
        Some(
            view! { <ConflictDialog doc_id=doc_id collection=Collection::Episodes id=dialog_id.clone() conflicts=now on_close=close/> },
        )
    };
    let badge = move || {
        conflicts.get().filter(|c| !c.is_empty()).map(|_| {
            view! {
                <button class="badge conflict" on:click=move |_| show.set(true)>
                    {move || lang.text("Ada perubahan bersamaan — pilih nilai")}
                </button>
            }
        })
    };
    initial.map(|first| {
        let person = first.person.clone();
        view! {
            <li class="episode" data-state=move || current.get().map(|e| format!("{:?}", e.state)).unwrap_or_default()>
                {move || current.get().map(|e| view! {
                    <strong>{e.destination_country.clone()}</strong>" · "{state_label(e.state, lang.get())}
                    <small>{format!("{} → {}", date_or_dash(e.departure_date), date_or_dash(e.return_date))}</small>
                    <small>{e.agency.clone().unwrap_or_default()}</small>
                })}
                {badge}
                {dialog}
                <EpisodeForm person=person episode=first current=current/>
            </li>
        }
    })
}

/// Adds a migration episode to a person, or edits one (only the changed fields are written).
/// Its fields follow the episode's declaration ([`Described::SPEC`]); the agency and the
/// destination are checked against the district's lists.
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
    let editing = episode.is_some();
    let fresh = move || MigrationEpisode::new(RecordId::random(), person.clone(), "", EpisodeState::Abroad);
    let start = episode.clone().unwrap_or_else(&fresh);
    let draft = RwSignal::new(RecordDraft::from_record(&start));
    // What the form compares against: the stored episode, or a new one.
    let base = StoredValue::new(episode);
    let blank = StoredValue::new(start);
    let tried = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // An open form with typed text asks before the page is left.
    let typed_from = StoredValue::new(draft.get_untracked());
    crate::pages::person_form::guard_unsaved(
        move || {
            open.try_get_untracked().unwrap_or(false)
                && typed_from
                    .try_with_value(|start| draft.try_with_untracked(|d| d != start).unwrap_or(false))
                    .unwrap_or(false)
        },
        lang,
    );
    let checked = Memo::new(move |_| {
        let base = base.get_value().unwrap_or_else(|| blank.get_value());
        draft.with(|d| d.to_record(&base, lang.get(), crate::i18n::today()))
    });
    // What the district's lists say: an unlisted or unlicensed agency, a moratorium. Warnings
    // only: the worker records what happened.
    let listed = Memo::new(move |_| {
        let l = lang.get();
        checked
            .with(|(e, _)| {
                let e = e.as_ref()?;
                app.with_reference(|r| {
                    r.check_episode(e, crate::i18n::today())
                        .into_iter()
                        .map(|i| FieldMessage {
                            field: i.field.clone(),
                            severity: i.severity,
                            text: i.message(l),
                            link: Some("/info#p3mi".into()).filter(|_| i.field == "agency"),
                        })
                        .collect::<Vec<_>>()
                })
            })
            .unwrap_or_default()
    });
    let messages_for = move |field: &'static str| -> Signal<Vec<FieldMessage>> {
        Signal::derive(move || {
            let mut out: Vec<FieldMessage> =
                checked.with(|(_, m)| m.iter().filter(|m| m.field == field).cloned().collect());
            out.extend(listed.with(|l| l.iter().filter(|m| m.field == field).cloned().collect::<Vec<_>>()));
            out
        })
    };
    let save = Callback::new(move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let (Some(e), messages) = checked.get_untracked() else {
            return;
        };
        let errors: Vec<String> = messages
            .iter()
            .filter(|m| m.severity == desmigratif_model::Severity::Error)
            .map(|m| m.text.clone())
            .collect();
        if !errors.is_empty() {
            error.set(Some(errors.join(" ")));
            return;
        }
        let base_episode = base.get_value();
        let (Some(engine), Some(doc_id)) = (app.engine(), app.village.get_untracked()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let saved = e.clone();
            let result = engine.apply(&doc_id, Edit::save(base_episode.as_ref(), &e)).await;
            match result {
                Ok(_) => {
                    if base_episode.is_some() {
                        // The next edit compares against what is now stored.
                        base.set_value(current.and_then(|c| c.get_untracked()).or(Some(saved)));
                    } else {
                        // Ready for the next new episode.
                        let next = MigrationEpisode::new(
                            RecordId::random(),
                            saved.person.clone(),
                            "",
                            EpisodeState::Abroad,
                        );
                        draft.set(RecordDraft::from_record(&next));
                        blank.set_value(next);
                    }
                    open.set(false);
                    tried.set(false);
                    error.set(None);
                    typed_from.set_value(draft.get_untracked());
                }
                Err(err) => error.set(Some(format!("{err:?}"))),
            }
        });
    });
    let fields = move || declared_fields(MigrationEpisode::SPEC, "e", draft, messages_for, suggestions);
    view! {
        <Show when=move || open.get()
            fallback=move || view! {
                <button class="secondary" on:click=move |_| open.set(true)>
                    {move || if editing { lang.text("Ubah perjalanan") } else { lang.text("+ Tambah perjalanan") }}
                </button>
            }>
            <form class="episode-form" on:submit=move |ev| save.run(ev) novalidate>
                {fields()}
                {move || {
                    let changed = current.is_some_and(|c| c.get() != base.get_value());
                    changed.then(|| view! {
                        <p class="msg warning changed-underneath" role="status">{move || lang.text("Perjalanan ini baru diubah di perangkat lain. Isian Anda tetap; yang disimpan hanya kolom yang Anda ubah.")}</p>
                    })
                }}
                {move || error.get().filter(|_| tried.get()).map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || !app.engine_ready()>{move || lang.text("Simpan perjalanan")}</button>
                    <button type="button" class="secondary" on:click=move |_| open.set(false)>{move || lang.text("Batal")}</button>
                </div>
            </form>
        </Show>
    }
}

/// A family relation as the person page shows it ("Anak"), or "—".
fn relation_label(relation: Option<desmigratif_model::FamilyRelation>, lang: Lang) -> &'static str {
    relation
        .and_then(|r| choice_label(desmigratif_model::records::RELATION, &format!("{r:?}"), lang))
        .unwrap_or("—")
}
