//! The pages of the pillars' records, generic over record types ([`PillarUi`]): a list with
//! search, a form for creating and editing, a detail with history and conflicts; a case's
//! detail adds its log. A person's page lists what is linked to them ([`LinkedRecords`]).

use desmigratif_model::validate::Validate;
use desmigratif_model::{
    Case, CaseEntry, CaseStatus, CaseStep, Collection, Consultation, ConsultationTopic, Date, Described,
    Lang, Pillar, RecordId, Severity, VillageSnapshot,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use wasm_bindgen::JsCast;

use crate::components::confirm;
use crate::components::field::{DeclaredField, declared_fields};
use crate::components::record_parts::{ConflictBadge, RecordHistory};
use crate::context::use_app;
use crate::i18n::{today, use_language};
use crate::pages::person_form::guard_unsaved;
use crate::record_draft::{FieldMessage, RecordDraft};
use crate::session::Session;

/// What the generic pages need to know of a pillar record type beyond its declaration.
pub trait PillarUi: Pillar + Validate + serde::Serialize + Send + Sync {
    /// The path of its pages (`/kasus`, `/kasus/baru`, `/kasus/:id`, `/kasus/:id/ubah`).
    const PATH: &'static str;
    /// The list's heading.
    const PLURAL: (&'static str, &'static str);
    /// A new record, linked to a person when started from their page.
    fn fresh(person: Option<RecordId>, session: &Session, today: Date) -> Self;
    fn person(&self) -> Option<&RecordId>;
    /// The record's own date (lists show the newest first).
    fn date(&self) -> Date;
    /// The name of who the record is about, as it was typed when they are not recorded.
    fn typed_name(&self) -> Option<&str>;
    /// What the list row shows under the title.
    fn facts(&self, snapshot: &VillageSnapshot, lang: Lang, today: Date) -> String;
    /// Whether this viewer may see who the record is about (confidential cases).
    fn shows_person_to(&self, _session: &Session) -> bool {
        true
    }
    /// The fields hidden from a viewer who may not see who the record is about.
    const IDENTIFYING: &'static [&'static str] = &[];
}

impl PillarUi for Consultation {
    const PATH: &'static str = "konsultasi";
    const PLURAL: (&'static str, &'static str) = ("Konsultasi", "Consultations");
    fn fresh(person: Option<RecordId>, _session: &Session, today: Date) -> Self {
        let mut c = Consultation::new(RecordId::random(), today, ConsultationTopic::Procedure);
        c.person = person;
        c
    }
    fn person(&self) -> Option<&RecordId> {
        self.person.as_ref()
    }
    fn date(&self) -> Date {
        self.date
    }
    fn typed_name(&self) -> Option<&str> {
        self.visitor_name.as_deref()
    }
    fn facts(&self, _snapshot: &VillageSnapshot, lang: Lang, _today: Date) -> String {
        let topic = Consultation::spec("topic")
            .map(|s| s.show(&serde_json::to_value(self.topic).unwrap_or_default(), lang))
            .unwrap_or_default();
        format!("{} · {topic}", self.date.to_display())
    }
}

impl PillarUi for Case {
    const PATH: &'static str = "kasus";
    const PLURAL: (&'static str, &'static str) = ("Kasus & pengaduan", "Cases & complaints");
    const IDENTIFYING: &'static [&'static str] = &["person_name", "reported_by", "description"];
    fn fresh(person: Option<RecordId>, session: &Session, today: Date) -> Self {
        let mut c = Case::new(
            RecordId::random(),
            today,
            desmigratif_model::CaseKind::UnpaidWages,
            session.username.clone(),
        );
        c.person = person;
        c
    }
    fn person(&self) -> Option<&RecordId> {
        self.person.as_ref()
    }
    fn date(&self) -> Date {
        self.reported_on
    }
    fn typed_name(&self) -> Option<&str> {
        self.person_name.as_deref()
    }
    fn facts(&self, snapshot: &VillageSnapshot, lang: Lang, today: Date) -> String {
        let log = snapshot.pillars.case_log(&self.id);
        let kind = Case::spec("kind")
            .map(|s| s.show(&serde_json::to_value(self.kind).unwrap_or_default(), lang))
            .unwrap_or_default();
        let mut facts = format!(
            "{} · {kind} · {}",
            self.reported_on.to_display(),
            log.status().label().get(lang)
        );
        if log.overdue(self, today) {
            facts.push_str(match lang {
                Lang::Id => " · lewat 30 hari tanpa catatan",
                Lang::En => " · 30 days without an entry",
            });
        }
        facts
    }
    fn shows_person_to(&self, session: &Session) -> bool {
        Case::shows_person_to(self, &session.username, session.is_district())
    }
}

/// The record's title: who it is about (the recorded person's name, else the typed name), or
/// "confidential" for a viewer who may not know.
fn title_of<R: PillarUi>(r: &R, snapshot: &VillageSnapshot, session: Option<&Session>, lang: Lang) -> String {
    if !session.is_some_and(|s| r.shows_person_to(s)) {
        return match lang {
            Lang::Id => format!("{} rahasia", capitalised(R::NAME.get(lang))),
            Lang::En => format!("Confidential {}", R::NAME.get(lang)),
        };
    }
    r.person()
        .and_then(|p| snapshot.person(p))
        .map(|p| p.full_name.clone())
        .or_else(|| r.typed_name().map(str::to_owned))
        .unwrap_or_else(|| "—".into())
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// `/kasus`, `/konsultasi`: every live record of the type, newest first, with a search over
/// the names a viewer may see.
pub fn pillar_list<R: PillarUi>() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let query = RwSignal::new(String::new());
    let rows = move || {
        let session = app.session.get();
        let l = lang.get();
        let q = query.get().trim().to_lowercase();
        let today = today();
        app.with_village(|v| {
            let mut rows: Vec<(Date, i64, String, String, String, bool)> = R::table(&v.snapshot.pillars)
                .values()
                .filter(|r| !r.is_deleted())
                .map(|r| {
                    let title = title_of(r, &v.snapshot, session.as_ref(), l);
                    let conflict = v.snapshot.has_conflict(R::COLLECTION, r.id());
                    let created = v.history(R::COLLECTION, r.id()).first().map_or(0, |h| h.time);
                    (
                        r.date(),
                        created,
                        r.id().to_string(),
                        title,
                        r.facts(&v.snapshot, l, today),
                        conflict,
                    )
                })
                .filter(|(_, _, _, title, facts, _)| {
                    q.is_empty() || title.to_lowercase().contains(&q) || facts.to_lowercase().contains(&q)
                })
                .collect();
            // Newest first: by the record's date, then by when it was written.
            rows.sort_by(|a, b| (b.0, b.1, &b.2).cmp(&(a.0, a.1, &a.2)));
            rows.into_iter()
                .map(|(_, _, id, title, facts, conflict)| (id, title, facts, conflict))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    view! {
        <section class="pillar-list">
            <h1>{move || lang.text(R::PLURAL.0, R::PLURAL.1)}</h1>
            <a class="button primary" href=format!("/{}/baru", R::PATH)>
                {move || format!("+ {}", capitalised(R::NAME.get(lang.get())))}
            </a>
            <input class="search" type="search" aria-label=move || lang.text("Cari", "Search")
                placeholder=move || lang.text("Cari nama…", "Search a name…")
                prop:value=query on:input=move |ev| query.set(event_target_value(&ev))/>
            <p class="result-count">{move || match lang.get() {
                Lang::Id => format!("{} {}", rows().len(), R::NAME.get(Lang::Id)),
                Lang::En => format!("{} × {}", rows().len(), R::NAME.get(Lang::En)),
            }}</p>
            <ul class="people records">
                {move || rows().into_iter().map(|(id, title, facts, conflict)| view! {
                    <li>
                        <a href=format!("/{}/{id}", R::PATH)>
                            <span class="name">{title}</span>
                            {conflict.then(|| view! { <span class="marker conflict">"!"</span> })}
                            <small class="facts">{facts}</small>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// `/kasus/baru`, `/konsultasi/baru` (`?orang=ID` links the record to that person) and
/// `…/:id/ubah`. Messages at the field as the user types; only the changed fields are written.
pub fn pillar_form<R: PillarUi>() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let navigate = use_navigate();
    let params = use_params_map();
    let editing: Option<RecordId> = params.get_untracked().get("id").and_then(|id| id.parse().ok());
    let base = RwSignal::new(None::<R>);
    let draft = RwSignal::new(RecordDraft::default());
    let loaded = RwSignal::new(false);
    let person_param: Option<RecordId> = use_query_map()
        .get_untracked()
        .get("orang")
        .and_then(|p| p.parse().ok());
    let editing_id = editing.clone();
    Effect::new(move |_| {
        if loaded.get() {
            return;
        }
        let record = match editing_id.as_ref() {
            Some(id) => app
                .with_village(|v| v.snapshot.pillars.get::<R>(id).cloned())
                .flatten(),
            None => app
                .session
                .get()
                .map(|s| R::fresh(person_param.clone(), &s, today())),
        };
        if let Some(r) = record {
            draft.set(RecordDraft::from_record(&r));
            base.set(Some(r));
            loaded.set(true);
        }
    });
    let person_name = move || {
        let r = base.get()?;
        let p = r.person()?.clone();
        app.with_village(|v| v.snapshot.person(&p).map(|p| (p.id.clone(), p.full_name.clone())))
            .flatten()
    };
    let checked = Memo::new(move |_| {
        let base = base.get()?;
        let (record, messages) = draft.with(|d| d.to_record(&base, lang.get(), today()));
        Some((record?, messages))
    });
    let tried = RwSignal::new(false);
    let messages_for = move |field: &'static str| -> Signal<Vec<FieldMessage>> {
        Signal::derive(move || {
            if !tried.get() && draft.with(|d| d.get(field).trim().is_empty()) {
                return Vec::new();
            }
            checked
                .get()
                .map(|(_, m)| m.into_iter().filter(|m| m.field == field).collect())
                .unwrap_or_default()
        })
    };
    let pristine = RwSignal::new(None::<RecordDraft>);
    Effect::new(move |_| {
        if loaded.get() && pristine.with_untracked(Option::is_none) {
            pristine.set(Some(draft.get_untracked()));
        }
    });
    let saved = RwSignal::new(false);
    guard_unsaved(
        move || {
            !saved.get_untracked()
                && pristine.with_untracked(|p| p.as_ref().is_some_and(|p| draft.with_untracked(|d| d != p)))
        },
        lang,
    );
    let saving = RwSignal::new(false);
    let save_error = RwSignal::new(None::<String>);
    let is_new = editing.is_none();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let Some((record, messages)) = checked.get_untracked() else {
            return;
        };
        if messages.iter().any(|m| m.severity == Severity::Error) {
            focus_first_error(".record-form");
            return;
        }
        let (Some(engine), Some(doc_id), Some(base)) =
            (app.engine(), app.village.get_untracked(), base.get_untracked())
        else {
            return;
        };
        saving.set(true);
        save_error.set(None);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let by = engine.session().author();
            let now = now_secs();
            let id = record.id().clone();
            let result = if is_new {
                engine
                    .edit(&doc_id, |d| d.create(record, &by, now).map(|_| ()))
                    .await
            } else {
                engine
                    .edit(&doc_id, |d| d.update(&base, &record, &by, now).map(|_| ()))
                    .await
            };
            saving.set(false);
            match result {
                Ok(()) => {
                    saved.set(true);
                    navigate(&format!("/{}/{id}", R::PATH), Default::default());
                }
                Err(e) => save_error.set(Some(format!("{e:?}"))),
            }
        });
    };
    let fields = declared_fields(R::SPEC, "f", draft, messages_for);
    view! {
        <form class="card record-form" on:submit=save novalidate>
            <h1>{move || {
                let name = capitalised(R::NAME.get(lang.get()));
                match (is_new, lang.get()) {
                    (true, Lang::Id) => format!("{name} baru"),
                    (true, Lang::En) => format!("New {}", R::NAME.en),
                    (false, Lang::Id) => format!("Ubah {}", R::NAME.id),
                    (false, Lang::En) => format!("Edit {}", R::NAME.en),
                }
            }}</h1>
            {move || person_name().map(|(id, name)| view! {
                <p class="linked-person">{lang.text("Untuk: ", "For: ")}<a href=format!("/orang/{id}")>{name}</a></p>
            })}
            <fieldset class="plain" disabled=move || !loaded.get()>{fields}</fieldset>
            {move || save_error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
            <div class="sticky-actions">
                <button type="submit" class="primary" disabled=move || saving.get() || !loaded.get()>
                    {move || if saving.get() { lang.text("Menyimpan…", "Saving…") } else { lang.text("Simpan", "Save") }}
                </button>
            </div>
        </form>
    }
}

fn focus_first_error(form: &'static str) {
    request_animation_frame(move || {
        let selector = format!(
            "{form} .field.has-error input, {form} .field.has-error select, {form} .field.has-error textarea"
        );
        if let Some(el) = document()
            .query_selector(&selector)
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            el.scroll_into_view();
            let _ = el.focus();
        }
    });
}

/// `/kasus/:id`, `/konsultasi/:id`: the record's fields, who it is about, its conflicts,
/// edit and delete, its history; a case also its log.
pub fn pillar_detail<R: PillarUi>() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").and_then(|s| s.parse::<RecordId>().ok()));
    let record = Memo::new(move |_| {
        let rid = id.get()?;
        app.with_village(|v| v.snapshot.pillars.get::<R>(&rid).cloned())
            .flatten()
    });
    let allowed = move || {
        let session = app.session.get();
        record.with(|r| {
            r.as_ref()
                .is_some_and(|r| session.as_ref().is_some_and(|s| r.shows_person_to(s)))
        })
    };
    let header = move || {
        let r = record.get()?;
        let l = lang.get();
        let session = app.session.get();
        let (title, person) = app
            .with_village(|v| {
                let title = title_of(&r, &v.snapshot, session.as_ref(), l);
                let person = r
                    .person()
                    .filter(|_| allowed())
                    .and_then(|p| v.snapshot.person(p))
                    .map(|p| (p.id.clone(), p.full_name.clone(), p.deleted));
                (title, person)
            })
            .unwrap_or_default();
        let hidden: &[&str] = if allowed() { &[] } else { R::IDENTIFYING };
        let rows = r
            .shown(l)
            .into_iter()
            .filter(|(f, _)| !hidden.contains(&f.key))
            .map(|(f, value)| view! { <div class="row" data-field=f.key><dt>{f.label.get(l)}</dt><dd>{value}</dd></div> })
            .collect_view();
        Some(view! {
            <h1 class="record-title">{title}</h1>
            <p class="category">{capitalised(R::NAME.get(l))}{r.is_deleted().then(|| lang.text(" · dihapus", " · deleted"))}</p>
            {person.map(|(pid, name, deleted)| view! {
                <p class="linked-person">
                    {lang.text("Orang: ", "Person: ")}<a href=format!("/orang/{pid}")>{name}</a>
                    {deleted.then(|| view! { <span class="marker deleted">{lang.text("dihapus — buka untuk memulihkan", "deleted — open to restore")}</span> })}
                </p>
            })}
            {(!allowed()).then(|| view! {
                <p class="msg warning">{lang.text(
                    "Kasus rahasia: nama dan uraian hanya untuk petugas pencatat dan kabupaten.",
                    "Confidential case: the name and description are for its recorder and the district only.",
                )}</p>
            })}
            <dl class="details">{rows}</dl>
        })
    };
    let toggle_delete = move |_| {
        let (Some(rid), Some(doc_id), Some(engine), Some(r)) = (
            id.get_untracked(),
            app.village.get_untracked(),
            app.engine(),
            record.get_untracked(),
        ) else {
            return;
        };
        if !r.is_deleted()
            && !confirm(
                lang.text(
                    "Hapus catatan ini? Datanya tetap tersimpan dan bisa dipulihkan.",
                    "Remove this record? It is kept and can be restored.",
                ),
                false,
            )
        {
            return;
        }
        leptos::task::spawn_local(async move {
            let by = engine.session().author();
            let now = now_secs();
            let _ = if r.is_deleted() {
                engine.edit(&doc_id, |d| d.restore::<R>(&rid, &by, now)).await
            } else {
                engine.edit(&doc_id, |d| d.delete::<R>(&rid, &by, now)).await
            };
        });
    };
    let is_case = R::COLLECTION == Collection::Cases;
    view! {
        <article class="record-detail">
            {move || id.get().map(|rid| view! { <ConflictBadge collection=R::COLLECTION id=rid/> })}
            {header}
            <nav class="actions">
                <a class="button primary" href=move || format!("/{}/{}/ubah", R::PATH, id.get().map(|i| i.to_string()).unwrap_or_default())>
                    {move || lang.text("Ubah", "Edit")}
                </a>
                <button class="secondary" on:click=toggle_delete>
                    {move || if record.get().is_some_and(|r| r.is_deleted()) { lang.text("Pulihkan", "Restore") } else { lang.text("Hapus", "Delete") }}
                </button>
            </nav>
            {move || (is_case && allowed()).then(|| id.get().map(|rid| view! { <CaseLogView case=rid/> }))}
            <Show when=allowed>
                <section>
                    <h2>{move || lang.text("Riwayat perubahan", "Change history")}</h2>
                    {move || id.get().map(|rid| view! { <RecordHistory collection=R::COLLECTION id=rid/> })}
                </section>
            </Show>
        </article>
    }
}

/// A case's log, oldest first (status, who, when, where it was referred, notes), and the form
/// to add a step or a note. Every entry is its own record: two officers writing offline both
/// keep theirs.
#[component]
fn CaseLogView(case: RecordId) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let log_case = case.clone();
    let entries = Memo::new(move |_| {
        app.with_village(|v| {
            let log = v.snapshot.pillars.case_log(&log_case);
            (
                log.status(),
                log.entries.into_iter().cloned().collect::<Vec<CaseEntry>>(),
            )
        })
    });
    let status = move || {
        entries
            .with(|e| e.as_ref().map(|(s, _)| *s))
            .unwrap_or(CaseStatus::Reported)
    };
    let items = move || {
        let l = lang.get();
        entries
            .get()
            .map(|(_, list)| {
                list.into_iter()
                    .map(|e| {
                        let shown: Vec<String> = e
                            .shown(l)
                            .into_iter()
                            .filter(|(f, v)| f.key != "date" && f.key != "step" && v != "—")
                            .map(|(f, v)| format!("{}: {v}", f.label.get(l)))
                            .collect();
                        let step = CaseEntry::spec("step")
                            .map(|s| s.show(&serde_json::to_value(e.step).unwrap_or_default(), l))
                            .unwrap_or_default();
                        view! {
                            <li data-step=format!("{:?}", e.step)>
                                <span><strong>{step}</strong>" · "{e.officer.clone()}</span>
                                <small>{e.date.to_display()}</small>
                                {shown.into_iter().map(|s| view! { <span class="change">{s}</span> }).collect_view()}
                            </li>
                        }
                    })
                    .collect_view()
            })
    };
    view! {
        <section class="case-log">
            <h2>{move || lang.text("Penanganan", "Handling")}</h2>
            <p class="case-status" data-status=move || format!("{:?}", status())>
                {move || lang.text("Status: ", "Status: ")}<strong>{move || status().label().get(lang.get())}</strong>
            </p>
            <ul class="history log">{items}</ul>
            <CaseEntryForm case=case/>
        </section>
    }
}

/// Adds a step or a note to a case. Shows the fields the chosen step needs; starts afresh
/// after each save. Drawn once per case page: a change arriving never resets what is typed.
#[component]
fn CaseEntryForm(case: RecordId) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let fresh = {
        let case = case.clone();
        move || {
            let officer = app
                .session
                .get_untracked()
                .map(|s| s.username)
                .unwrap_or_default();
            CaseEntry::new(
                RecordId::random(),
                case.clone(),
                today(),
                CaseStep::Note,
                officer,
                0,
            )
        }
    };
    let base = RwSignal::new(fresh());
    let draft = RwSignal::new(RecordDraft::from_record(&base.get_untracked()));
    let tried = RwSignal::new(false);
    let checked = Memo::new(move |_| {
        let base = base.get();
        let (entry, messages) = draft.with(|d| d.to_record(&base, lang.get(), today()));
        Some((entry?, messages))
    });
    let messages_for = move |field: &'static str| -> Signal<Vec<FieldMessage>> {
        Signal::derive(move || {
            if !tried.get() {
                return Vec::new();
            }
            checked
                .get()
                .map(|(_, m)| m.into_iter().filter(|m| m.field == field).collect())
                .unwrap_or_default()
        })
    };
    let step = move || draft.with(|d| d.get("step"));
    let visible = move |key: &str| match key {
        "referred_to" => step() == "Referred",
        "outcome" => step() == "Closed",
        _ => true,
    };
    let saving = RwSignal::new(false);
    let save_error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let Some((mut entry, messages)) = checked.get_untracked() else {
            return;
        };
        if messages.iter().any(|m| m.severity == Severity::Error) {
            focus_first_error(".case-entry-form");
            return;
        }
        // What the chosen step does not use is not kept.
        if entry.step != CaseStep::Referred {
            entry.referred_to = None;
        }
        if entry.step != CaseStep::Closed {
            entry.outcome = None;
        }
        let (Some(engine), Some(doc_id)) = (app.engine(), app.village.get_untracked()) else {
            return;
        };
        saving.set(true);
        save_error.set(None);
        let fresh = fresh.clone();
        leptos::task::spawn_local(async move {
            let by = engine.session().author();
            let now = now_secs();
            entry.at = now;
            let result = engine
                .edit(&doc_id, |d| d.create(entry, &by, now).map(|_| ()))
                .await;
            saving.set(false);
            match result {
                Ok(()) => {
                    let next = fresh();
                    draft.set(RecordDraft::from_record(&next));
                    base.set(next);
                    tried.set(false);
                }
                Err(e) => save_error.set(Some(format!("{e:?}"))),
            }
        });
    };
    let fields = CaseEntry::SPEC
        .iter()
        .map(|spec| {
            view! {
                <div class="entry-field" class:hidden=move || !visible(spec.key)>
                    <DeclaredField spec=spec prefix="entry"
                        value=Signal::derive(move || draft.with(|d| d.get(spec.key)))
                        on_input=Callback::new(move |v: String| draft.update(|d| d.set(spec.key, v)))
                        messages=messages_for(spec.key)/>
                </div>
            }
        })
        .collect_view();
    view! {
        <form class="card case-entry-form" on:submit=save novalidate>
            <h3>{move || lang.text("Tambah langkah atau catatan", "Add a step or a note")}</h3>
            {fields}
            {move || save_error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
            <button type="submit" class="primary" disabled=move || saving.get()>
                {move || if saving.get() { lang.text("Menyimpan…", "Saving…") } else { lang.text("Simpan catatan", "Save entry") }}
            </button>
        </form>
    }
}

/// On a person's page: their consultations and cases (confidential cases only for who may
/// know), and buttons to record a new one for them.
#[component]
pub fn LinkedRecords(person: RecordId) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let pid = person.clone();
    let items = move || {
        let session = app.session.get();
        let l = lang.get();
        let today = today();
        app.with_village(|v| {
            v.snapshot
                .pillars
                .linked_to(&pid)
                .into_iter()
                .filter_map(|(c, id)| {
                    let (path, name, facts) = match c {
                        Collection::Consultations => {
                            let r = v.snapshot.pillars.get::<Consultation>(&id)?;
                            (
                                Consultation::PATH,
                                Consultation::NAME,
                                r.facts(&v.snapshot, l, today),
                            )
                        }
                        Collection::Cases => {
                            let r = v.snapshot.pillars.get::<Case>(&id)?;
                            if !session.as_ref().is_some_and(|s| PillarUi::shows_person_to(r, s)) {
                                return None;
                            }
                            (Case::PATH, Case::NAME, r.facts(&v.snapshot, l, today))
                        }
                        _ => return None,
                    };
                    Some(view! {
                        <li><a href=format!("/{path}/{id}")>
                            <span class="name">{capitalised(name.get(l))}</span>
                            <small class="facts">{facts}</small>
                        </a></li>
                    })
                })
                .collect_view()
        })
    };
    view! {
        <ul class="people records linked-records">{items}</ul>
        <div class="actions">
            <a class="button" href=format!("/konsultasi/baru?orang={person}")>{move || lang.text("+ Konsultasi", "+ Consultation")}</a>
            <a class="button" href=format!("/kasus/baru?orang={person}")>{move || lang.text("+ Kasus", "+ Case")}</a>
        </div>
    }
}

/// The pillars' figures on the village's home, each leading to its list.
#[component]
pub fn PillarFigures() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let summary = Memo::new(move |_| app.with_village(|v| v.snapshot.pillars.summary(today())));
    let figure = move |href: &'static str,
                       kind: &'static str,
                       value: fn(&desmigratif_model::PillarSummary) -> usize,
                       id: &'static str,
                       en: &'static str| {
        view! {
            <a class="count pillar" href=href data-figure=kind>
                <strong>{move || summary.with(|s| s.as_ref().map(value).unwrap_or(0))}</strong>
                <span>{move || lang.text(id, en)}</span>
            </a>
        }
    };
    view! {
        <section class="counts pillars">
            {figure("/kasus", "open-cases", |s| s.open_cases, "Kasus terbuka", "Open cases")}
            {figure("/kasus", "overdue-cases", |s| s.overdue_cases, "Kasus >30 hari tanpa catatan", "Cases 30+ days without an entry")}
            {figure("/konsultasi", "consultations-month", |s| s.consultations_this_month, "Konsultasi bulan ini", "Consultations this month")}
        </section>
    }
}
