//! The pages of the pillars' records: a list with search, a form for creating and editing, a
//! detail with history and conflicts; a case's detail adds its log. A person's page lists what
//! is linked to them ([`LinkedRecords`]).
//!
//! The pages are compiled once for every record type: each type is a [`Kind`], its
//! declaration and a few plain functions over its records (made from [`PillarUi`] by
//! [`kind_of`]). Generic pages would copy every view per type, about 140 KB of wasm each.

use desmigratif_model::validate::Validate;
use desmigratif_model::{
    Author, Case, CaseEntry, CaseStatus, CaseStep, Collection, Consultation, ConsultationTopic, Date,
    Described, FieldSpec, Lang, ModelError, Pillar, RecordId, Severity, Text, VillageDoc, VillageSnapshot,
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
use crate::record_draft::{FieldMessage, RecordDraft, checks};
use crate::replica::VillageView;
use crate::session::Session;

/// What the pages need to know of a pillar record type beyond its declaration.
pub trait PillarUi: Pillar + Validate + serde::Serialize {
    /// The path of its pages (`/kasus`, `/kasus/baru`, `/kasus/:id`, `/kasus/:id/ubah`).
    const PATH: &'static str;
    /// The list's heading.
    const PLURAL: Text;
    /// The fields hidden from a viewer who may not see who the record is about.
    const IDENTIFYING: &'static [&'static str] = &[];
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
}

impl PillarUi for Consultation {
    const PATH: &'static str = "konsultasi";
    const PLURAL: Text = Text::new("Konsultasi", "Consultations");
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
        format!(
            "{} · {}",
            self.date.to_display(),
            choice_label::<Self>("topic", self.topic, lang)
        )
    }
}

impl PillarUi for Case {
    const PATH: &'static str = "kasus";
    const PLURAL: Text = Text::new("Kasus & pengaduan", "Cases & complaints");
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
        let mut facts = format!(
            "{} · {} · {}",
            self.reported_on.to_display(),
            choice_label::<Self>("kind", self.kind, lang),
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

/// A choice field's value by its label.
fn choice_label<R: Described>(field: &str, value: impl serde::Serialize, lang: Lang) -> String {
    R::spec(field)
        .map(|s| s.show(&serde_json::to_value(value).unwrap_or_default(), lang))
        .unwrap_or_default()
}

/// One row of a record list.
#[derive(Clone)]
pub struct Row {
    id: RecordId,
    title: String,
    facts: String,
    conflict: bool,
    /// The record's date and when it was written: the newest come first.
    order: (Date, i64),
}

/// One record as its page shows it.
#[derive(Clone, PartialEq)]
pub struct Shown {
    title: String,
    deleted: bool,
    /// The recorded person it is about: id, name, whether deleted.
    person: Option<(RecordId, String, bool)>,
    /// Whether the viewer may see who it is about.
    allowed: bool,
    fields: Vec<(&'static FieldSpec, String)>,
}

/// A form's start: the record as JSON (the base edits are compared against) and its text.
#[derive(Clone)]
pub struct Start {
    base: serde_json::Value,
    draft: RecordDraft,
    person: Option<RecordId>,
}

/// A record the form's text makes, as JSON, with every message for the form.
type Checked = (Option<serde_json::Value>, Vec<FieldMessage>);
type StartFn = fn(&VillageView, Option<&RecordId>, Option<RecordId>, &Session, Date) -> Option<Start>;
type SaveFn = fn(
    &mut VillageDoc,
    Option<&serde_json::Value>,
    serde_json::Value,
    &Author,
    i64,
) -> Result<(), ModelError>;

/// A pillar record type for the pages: its declaration and plain functions over its records.
pub struct Kind {
    pub collection: Collection,
    pub path: &'static str,
    pub plural: Text,
    pub name: Text,
    pub spec: &'static [FieldSpec],
    rows: fn(&VillageView, Option<&Session>, Lang, Date) -> Vec<Row>,
    shown: fn(&VillageView, &RecordId, Option<&Session>, Lang) -> Option<Shown>,
    /// A new record (linked to a person) or the one being edited, for a form.
    start: StartFn,
    /// The record the form's text makes over the base, with every message.
    check: fn(&Start, &RecordDraft, Lang, Date) -> Checked,
    /// Creates (no base) or updates the record.
    save: SaveFn,
    set_deleted: fn(&mut VillageDoc, &RecordId, bool, &Author, i64) -> Result<(), ModelError>,
}

/// The [`Kind`] of a record type: its functions are the only code made per type.
pub const fn kind_of<R: PillarUi>() -> Kind {
    Kind {
        collection: R::COLLECTION,
        path: R::PATH,
        plural: R::PLURAL,
        name: R::NAME,
        spec: R::SPEC,
        rows: rows_of::<R>,
        shown: shown_of::<R>,
        start: start_of::<R>,
        check: check_of::<R>,
        save: save_of::<R>,
        set_deleted: set_deleted_of::<R>,
    }
}

pub static CONSULTATIONS: Kind = kind_of::<Consultation>();
pub static CASES: Kind = kind_of::<Case>();

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

fn rows_of<R: PillarUi>(v: &VillageView, session: Option<&Session>, lang: Lang, today: Date) -> Vec<Row> {
    R::table(&v.snapshot.pillars)
        .values()
        .filter(|r| !r.is_deleted())
        .map(|r| Row {
            id: r.id().clone(),
            title: title_of(r, &v.snapshot, session, lang),
            facts: r.facts(&v.snapshot, lang, today),
            conflict: v.snapshot.has_conflict(R::COLLECTION, r.id()),
            order: (
                r.date(),
                v.history(R::COLLECTION, r.id()).first().map_or(0, |h| h.time),
            ),
        })
        .collect()
}

fn shown_of<R: PillarUi>(
    v: &VillageView,
    id: &RecordId,
    session: Option<&Session>,
    lang: Lang,
) -> Option<Shown> {
    let r = v.snapshot.pillars.get::<R>(id)?;
    let allowed = session.is_some_and(|s| r.shows_person_to(s));
    let hidden: &[&str] = if allowed { &[] } else { R::IDENTIFYING };
    Some(Shown {
        title: title_of(r, &v.snapshot, session, lang),
        deleted: r.is_deleted(),
        person: r
            .person()
            .filter(|_| allowed)
            .and_then(|p| v.snapshot.person(p))
            .map(|p| (p.id.clone(), p.full_name.clone(), p.deleted)),
        allowed,
        fields: r
            .shown(lang)
            .into_iter()
            .filter(|(f, _)| !hidden.contains(&f.key))
            .collect(),
    })
}

fn start_of<R: PillarUi>(
    v: &VillageView,
    editing: Option<&RecordId>,
    person: Option<RecordId>,
    session: &Session,
    today: Date,
) -> Option<Start> {
    let record = match editing {
        Some(id) => v.snapshot.pillars.get::<R>(id)?.clone(),
        None => R::fresh(person, session, today),
    };
    Some(Start {
        base: serde_json::to_value(&record).ok()?,
        draft: RecordDraft::from_record(&record),
        person: record.person().cloned(),
    })
}

fn check_of<R: PillarUi>(start: &Start, draft: &RecordDraft, lang: Lang, today: Date) -> Checked {
    let (json, mut messages) = draft.to_value(R::SPEC, start.base.clone(), lang);
    match serde_json::from_value::<R>(json.clone()) {
        Ok(record) => {
            messages.extend(checks(&record, lang, today));
            (Some(json), messages)
        }
        Err(_) => (None, messages),
    }
}

fn save_of<R: PillarUi>(
    doc: &mut VillageDoc,
    base: Option<&serde_json::Value>,
    record: serde_json::Value,
    by: &Author,
    now: i64,
) -> Result<(), ModelError> {
    let record: R = serde_json::from_value(record).map_err(|_| ModelError::Invalid(Vec::new()))?;
    match base.and_then(|b| serde_json::from_value::<R>(b.clone()).ok()) {
        Some(base) => doc.update(&base, &record, by, now).map(|_| ()),
        None => doc.create(record, by, now).map(|_| ()),
    }
}

fn set_deleted_of<R: PillarUi>(
    doc: &mut VillageDoc,
    id: &RecordId,
    deleted: bool,
    by: &Author,
    now: i64,
) -> Result<(), ModelError> {
    if deleted {
        doc.delete::<R>(id, by, now)
    } else {
        doc.restore::<R>(id, by, now)
    }
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
pub fn pillar_list(kind: &'static Kind) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let query = RwSignal::new(String::new());
    let rows = Memo::new(move |_| {
        let session = app.session.get();
        let l = lang.get();
        let q = query.get().trim().to_lowercase();
        let mut rows = app
            .with_village(|v| (kind.rows)(v, session.as_ref(), l, today()))
            .unwrap_or_default();
        rows.retain(|r| {
            q.is_empty() || r.title.to_lowercase().contains(&q) || r.facts.to_lowercase().contains(&q)
        });
        rows.sort_by(|a, b| (b.order, &b.id).cmp(&(a.order, &a.id)));
        rows.into_iter()
            .map(|r| (r.id.to_string(), r.title, r.facts, r.conflict))
            .collect::<Vec<_>>()
    });
    view! {
        <section class="pillar-list">
            <h1>{move || kind.plural.get(lang.get())}</h1>
            <a class="button primary" href=format!("/{}/baru", kind.path)>
                {move || format!("+ {}", capitalised(kind.name.get(lang.get())))}
            </a>
            <input class="search" type="search" aria-label=move || lang.text("Cari", "Search")
                placeholder=move || lang.text("Cari nama…", "Search a name…")
                prop:value=query on:input=move |ev| query.set(event_target_value(&ev))/>
            <p class="result-count">{move || {
                let n = rows.with(Vec::len);
                match lang.get() {
                    Lang::Id => format!("{n} {}", kind.name.id),
                    Lang::En => format!("{n} × {}", kind.name.en),
                }
            }}</p>
            <ul class="people records">
                {move || rows.get().into_iter().map(|(id, title, facts, conflict)| view! {
                    <li>
                        <a href=format!("/{}/{id}", kind.path)>
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
pub fn pillar_form(kind: &'static Kind) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let navigate = use_navigate();
    let params = use_params_map();
    let editing: Option<RecordId> = params.get_untracked().get("id").and_then(|id| id.parse().ok());
    let is_new = editing.is_none();
    let start = RwSignal::new(None::<Start>);
    let draft = RwSignal::new(RecordDraft::default());
    let person_param: Option<RecordId> = use_query_map()
        .get_untracked()
        .get("orang")
        .and_then(|p| p.parse().ok());
    // Read once the village is there (a reload on this page); never again, so nothing typed
    // is overwritten by a change arriving.
    Effect::new(move |_| {
        if start.with(Option::is_some) {
            return;
        }
        let Some(session) = app.session.get() else { return };
        let first = app
            .with_village(|v| (kind.start)(v, editing.as_ref(), person_param.clone(), &session, today()))
            .flatten();
        if let Some(first) = first {
            draft.set(first.draft.clone());
            start.set(Some(first));
        }
    });
    let loaded = move || start.with(Option::is_some);
    let person_name = move || {
        let pid = start.with(|s| s.as_ref().and_then(|s| s.person.clone()))?;
        app.with_village(|v| {
            v.snapshot
                .person(&pid)
                .map(|p| (p.id.clone(), p.full_name.clone()))
        })
        .flatten()
    };
    let checked = Memo::new(move |_| {
        start.with(|s| {
            let s = s.as_ref()?;
            let (record, messages) = draft.with(|d| (kind.check)(s, d, lang.get(), today()));
            Some((record?, messages))
        })
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
    let saved = RwSignal::new(false);
    guard_unsaved(
        move || {
            !saved.get_untracked()
                && start.with_untracked(|s| {
                    s.as_ref()
                        .is_some_and(|s| draft.with_untracked(|d| *d != s.draft))
                })
        },
        lang,
    );
    let saving = RwSignal::new(false);
    let save_error = RwSignal::new(None::<String>);
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
        let (Some(engine), Some(doc_id), Some(start)) =
            (app.engine(), app.village.get_untracked(), start.get_untracked())
        else {
            return;
        };
        let id = record
            .get("id")
            .and_then(|i| i.as_str())
            .unwrap_or_default()
            .to_owned();
        saving.set(true);
        save_error.set(None);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let by = engine.session().author();
            let now = now_secs();
            let base = (!is_new).then_some(&start.base);
            let result = engine
                .edit(&doc_id, |d| (kind.save)(d, base, record, &by, now))
                .await;
            saving.set(false);
            match result {
                Ok(()) => {
                    saved.set(true);
                    navigate(&format!("/{}/{id}", kind.path), Default::default());
                }
                Err(e) => save_error.set(Some(format!("{e:?}"))),
            }
        });
    };
    let fields = declared_fields(kind.spec, "f", draft, messages_for);
    view! {
        <form class="card record-form" on:submit=save novalidate>
            <h1>{move || {
                let l = lang.get();
                match (is_new, l) {
                    (true, Lang::Id) => format!("{} baru", capitalised(kind.name.id)),
                    (true, Lang::En) => format!("New {}", kind.name.en),
                    (false, _) => format!("{} {}", lang.text("Ubah", "Edit"), kind.name.get(l)),
                }
            }}</h1>
            {move || person_name().map(|(id, name)| view! {
                <p class="linked-person">{lang.text("Untuk: ", "For: ")}<a href=format!("/orang/{id}")>{name}</a></p>
            })}
            <fieldset class="plain" disabled=move || !loaded()>{fields}</fieldset>
            {move || save_error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
            <div class="sticky-actions">
                <button type="submit" class="primary" disabled=move || saving.get() || !loaded()>
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
pub fn pillar_detail(kind: &'static Kind) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").and_then(|s| s.parse::<RecordId>().ok()));
    let shown = Memo::new(move |_| {
        let rid = id.get()?;
        let session = app.session.get();
        let l = lang.get();
        app.with_village(|v| (kind.shown)(v, &rid, session.as_ref(), l))
            .flatten()
    });
    let allowed = move || shown.with(|s| s.as_ref().is_some_and(|s| s.allowed));
    let header = move || {
        let s = shown.get()?;
        let l = lang.get();
        let rows = s
            .fields
            .into_iter()
            .map(|(f, value)| view! { <div class="row" data-field=f.key><dt>{f.label.get(l)}</dt><dd>{value}</dd></div> })
            .collect_view();
        Some(view! {
            <h1 class="record-title">{s.title}</h1>
            <p class="category">{capitalised(kind.name.get(l))}{s.deleted.then(|| lang.text(" · dihapus", " · deleted"))}</p>
            {s.person.map(|(pid, name, deleted)| view! {
                <p class="linked-person">
                    {lang.text("Orang: ", "Person: ")}<a href=format!("/orang/{pid}")>{name}</a>
                    {deleted.then(|| view! { <span class="marker deleted">{lang.text("dihapus — buka untuk memulihkan", "deleted — open to restore")}</span> })}
                </p>
            })}
            {(!s.allowed).then(|| view! {
                <p class="msg warning">{lang.text(
                    "Kasus rahasia: nama dan uraian hanya untuk petugas pencatat dan kabupaten.",
                    "Confidential case: the name and description are for its recorder and the district only.",
                )}</p>
            })}
            <dl class="details">{rows}</dl>
        })
    };
    let toggle_delete = move |_| {
        let (Some(rid), Some(doc_id), Some(engine), Some(s)) = (
            id.get_untracked(),
            app.village.get_untracked(),
            app.engine(),
            shown.get_untracked(),
        ) else {
            return;
        };
        if !s.deleted
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
            let _ = engine
                .edit(&doc_id, |d| (kind.set_deleted)(d, &rid, !s.deleted, &by, now))
                .await;
        });
    };
    let is_case = kind.collection == Collection::Cases;
    view! {
        <article class="record-detail">
            {move || id.get().map(|rid| view! { <ConflictBadge collection=kind.collection id=rid/> })}
            {header}
            <nav class="actions">
                <a class="button primary" href=move || format!("/{}/{}/ubah", kind.path, id.get().map(|i| i.to_string()).unwrap_or_default())>
                    {move || lang.text("Ubah", "Edit")}
                </a>
                <button class="secondary" on:click=toggle_delete>
                    {move || if shown.with(|s| s.as_ref().is_some_and(|s| s.deleted)) { lang.text("Pulihkan", "Restore") } else { lang.text("Hapus", "Delete") }}
                </button>
            </nav>
            {move || (is_case && allowed()).then(|| id.get().map(|rid| view! { <CaseLogView case=rid/> }))}
            <Show when=allowed>
                <section>
                    <h2>{move || lang.text("Riwayat perubahan", "Change history")}</h2>
                    {move || id.get().map(|rid| view! { <RecordHistory collection=kind.collection id=rid/> })}
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
    let summary = Memo::new(move |_| app.with_village(|v| v.snapshot.pillar_summary(today())));
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
