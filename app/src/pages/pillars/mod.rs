//! The pages of the pillars' records under `/layanan/<kind>`: a list with search, a form for
//! creating and editing, a detail with history and conflicts, plus what a type adds (a case's
//! log, an activity's participants, a membership's payments). A person's page lists what is
//! linked to them ([`parts::LinkedRecords`]).
//!
//! The pages are compiled once for every record type: each type is a [`Kind`], its
//! declaration and a few plain functions over its records (made from [`PillarUi`] by
//! [`kind_of`]). Generic pages would copy every view per type.

pub mod kinds;
pub mod parts;

use desmigratif_model::validate::Validate;
use desmigratif_model::{
    Author, Collection, Date, Described, FieldSpec, Lang, ModelError, Pillar, RecordId, Severity, Text,
    VillageDoc, VillageSnapshot,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use wasm_bindgen::JsCast;

use crate::components::confirm;
use crate::components::field::PersonSearch;
use crate::components::record_parts::{ConflictBadge, RecordHistory};
use crate::context::use_app;
use crate::i18n::{today, use_language};
use crate::pages::person_form::guard_unsaved;
use crate::record_draft::{FieldMessage, RecordDraft, checks};
use crate::replica::VillageView;
use crate::session::Session;

/// What the pages need to know of a pillar record type beyond its declaration.
pub trait PillarUi: Pillar + Validate + serde::Serialize {
    /// Its pages' path under `/layanan/` (`kasus` gives `/layanan/kasus`, `…/baru`, `…/:id`,
    /// `…/:id/ubah`).
    const PATH: &'static str;
    /// The list's heading.
    const PLURAL: Text;
    /// Which of the four pillars it belongs to.
    const PILLAR: u8;
    /// Records started from a person's page only (the business's owner, the child).
    const NEEDS_PERSON: bool = false;
    /// An activity persons take part in (its page lists them).
    const ACTIVITY: bool = false;
    /// Participants complete it (a training).
    const COMPLETION: bool = false;
    /// The fields hidden from a viewer who may not see who the record is about.
    const IDENTIFYING: &'static [&'static str] = &[];
    /// A new record, linked to `link` (a person, or the record an entry belongs to); `None`
    /// if the type needs a link and there is none.
    fn fresh(link: Option<RecordId>, session: &Session, today: Date, now: i64) -> Option<Self>;
    /// The recorded person it is about.
    fn person(&self) -> Option<&RecordId>;
    /// The record's own date (lists show the newest first).
    fn date(&self) -> Option<Date>;
    /// What it is called when no recorded person names it (a visitor's name, a title).
    fn typed_name(&self) -> Option<String>;
    /// What the list row shows under the title.
    fn facts(&self, snapshot: &VillageSnapshot, lang: Lang, today: Date) -> String;
    /// A title of its own, before the person's name (a parenting activity's kind).
    fn title(&self, _lang: Lang) -> Option<String> {
        None
    }
    /// Whether this viewer may see who the record is about (confidential cases).
    fn shows_person_to(&self, _session: &Session) -> bool {
        true
    }
    /// The field that links a record to a recorded person when it may also name someone not
    /// recorded (a consultation's visitor): the form offers a search for that person.
    const PERSON_FIELD: Option<&'static str> = None;
    /// The list's filters: a code (kept in the address) and its label.
    const FILTERS: &'static [(&'static str, Text)] = &[];
    /// Whether the record passes the list's filter `code`.
    fn passes(&self, _snapshot: &VillageSnapshot, _code: &str, _today: Date) -> bool {
        true
    }
    /// Drops what the record's other fields make meaningless before it is checked and saved.
    fn tidy(&mut self) {}
    /// Whether the form shows a field, given what is typed (a case step's referral).
    fn shows_field(_draft: &RecordDraft, _key: &str) -> bool {
        true
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
    pub id: RecordId,
    pub title: String,
    pub facts: String,
    conflict: bool,
    /// The record's date and when it was written: the newest come first.
    order: (Option<Date>, i64),
    /// Whether the viewer may see who it is about.
    pub allowed: bool,
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
type StartFn =
    fn(Option<&VillageView>, Option<&RecordId>, Option<RecordId>, &Session, Date, i64) -> Option<Start>;
type RowFn = fn(&VillageView, &RecordId, Option<&Session>, Lang, Date) -> Option<Row>;
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
    pub pillar: u8,
    pub needs_person: bool,
    pub activity: bool,
    pub completion: bool,
    rows: fn(&VillageView, Option<&Session>, Lang, Date, &str) -> Vec<Row>,
    pub filters: &'static [(&'static str, Text)],
    pub person_field: Option<&'static str>,
    /// One record as a row (a person's page lists their records so).
    pub row: RowFn,
    pub shows_field: fn(&RecordDraft, &str) -> bool,
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
        pillar: R::PILLAR,
        needs_person: R::NEEDS_PERSON,
        activity: R::ACTIVITY,
        completion: R::COMPLETION,
        rows: rows_of::<R>,
        filters: R::FILTERS,
        person_field: R::PERSON_FIELD,
        row: row_of::<R>,
        shows_field: R::shows_field,
        shown: shown_of::<R>,
        start: start_of::<R>,
        check: check_of::<R>,
        save: save_of::<R>,
        set_deleted: set_deleted_of::<R>,
    }
}

/// The record's title: its own (an activity's), else who it is about (the recorded person's
/// name, else the typed name), or "confidential" for a viewer who may not know.
fn title_of<R: PillarUi>(r: &R, snapshot: &VillageSnapshot, session: Option<&Session>, lang: Lang) -> String {
    if !session.is_some_and(|s| r.shows_person_to(s)) {
        return match lang {
            Lang::Id => format!("{} rahasia", capitalised(R::NAME.get(lang))),
            Lang::En => format!("Confidential {}", R::NAME.get(lang)),
        };
    }
    r.title(lang)
        .or_else(|| {
            r.person()
                .and_then(|p| snapshot.person(p))
                .map(|p| p.full_name.clone())
        })
        .or_else(|| r.typed_name().filter(|n| !n.trim().is_empty()))
        .unwrap_or_else(|| capitalised(R::NAME.get(lang)))
}

fn row_of<R: PillarUi>(
    v: &VillageView,
    id: &RecordId,
    session: Option<&Session>,
    lang: Lang,
    today: Date,
) -> Option<Row> {
    let r = v.snapshot.pillars.get::<R>(id)?;
    Some(Row {
        id: r.id().clone(),
        title: title_of(r, &v.snapshot, session, lang),
        facts: r.facts(&v.snapshot, lang, today),
        conflict: v.snapshot.has_conflict(R::COLLECTION, r.id()),
        order: (
            r.date(),
            v.history(R::COLLECTION, r.id()).first().map_or(0, |h| h.time),
        ),
        allowed: session.is_some_and(|s| r.shows_person_to(s)),
    })
}

fn rows_of<R: PillarUi>(
    v: &VillageView,
    session: Option<&Session>,
    lang: Lang,
    today: Date,
    filter: &str,
) -> Vec<Row> {
    R::table(&v.snapshot.pillars)
        .values()
        .filter(|r| !r.is_deleted())
        .filter(|r| filter.is_empty() || r.passes(&v.snapshot, filter, today))
        .filter_map(|r| row_of::<R>(v, r.id(), session, lang, today))
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
    v: Option<&VillageView>,
    editing: Option<&RecordId>,
    link: Option<RecordId>,
    session: &Session,
    today: Date,
    now: i64,
) -> Option<Start> {
    let record = match editing {
        Some(id) => v?.snapshot.pillars.get::<R>(id)?.clone(),
        None => R::fresh(link, session, today, now)?,
    };
    let mut draft = RecordDraft::from_record(&record);
    if editing.is_none() {
        // A new record's amounts start empty, not at zero.
        for spec in R::SPEC
            .iter()
            .filter(|f| f.kind == desmigratif_model::FieldKind::Money)
        {
            if draft.get(spec.key) == "0" {
                draft.set(spec.key, String::new());
            }
        }
    }
    Some(Start {
        base: serde_json::to_value(&record).ok()?,
        draft,
        person: record.person().cloned(),
    })
}

fn check_of<R: PillarUi>(start: &Start, draft: &RecordDraft, lang: Lang, today: Date) -> Checked {
    let (json, mut messages) = draft.to_value(R::SPEC, start.base.clone(), lang);
    match serde_json::from_value::<R>(json) {
        Ok(mut record) => {
            record.tidy();
            messages.extend(checks(&record, lang, today));
            (serde_json::to_value(&record).ok(), messages)
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
    // What is searched and filtered lives in the address (`?q=…&saring=…`), so Back and a
    // reload keep it.
    let params = use_query_map().get_untracked();
    let query = RwSignal::new(params.get("q").unwrap_or_default());
    let filter = RwSignal::new(params.get("saring").unwrap_or_default());
    let navigate = use_navigate();
    Effect::new(move |_| {
        let mut parts = Vec::new();
        let q = query.get();
        if !q.trim().is_empty() {
            parts.push(format!(
                "q={}",
                String::from(js_sys::encode_uri_component(q.trim()))
            ));
        }
        let f = filter.get();
        if !f.is_empty() {
            parts.push(format!("saring={f}"));
        }
        let search = if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        };
        if window().location().search().unwrap_or_default() != search {
            let options = leptos_router::NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            };
            navigate(&format!("/layanan/{}{search}", kind.path), options);
        }
    });
    let rows = Memo::new(move |_| {
        let session = app.session.get();
        let l = lang.get();
        let q = query.get().trim().to_lowercase();
        let f = filter.get();
        let mut rows = app
            .with_village(|v| (kind.rows)(v, session.as_ref(), l, today(), &f))
            .unwrap_or_default();
        rows.retain(|r| {
            q.is_empty() || r.title.to_lowercase().contains(&q) || r.facts.to_lowercase().contains(&q)
        });
        rows.sort_by(|a, b| (b.order, &b.id).cmp(&(a.order, &a.id)));
        rows.into_iter()
            .map(|r| (r.id.to_string(), r.title, r.facts, r.conflict))
            .collect::<Vec<_>>()
    });
    let filters = (!kind.filters.is_empty()).then(|| {
        view! {
            <select aria-label=move || lang.text("Saring", "Filter") prop:value=filter
                on:change=move |ev| filter.set(event_target_value(&ev))>
                <option value="">{move || lang.text("Semua", "All")}</option>
                {kind.filters.iter().map(|(code, label)| view! { <option value=*code>{move || label.get(lang.get())}</option> }).collect_view()}
            </select>
        }
    });
    view! {
        <section class="pillar-list">
            <h1>{move || kind.plural.get(lang.get())}</h1>
            {if kind.needs_person {
                view! { <p class="muted">{move || lang.text(
                    "Untuk menambah, buka halaman orangnya lalu pilih tombol di bagian Layanan.",
                    "To add one, open the person's page and use the button under Services.",
                )}</p> }.into_any()
            } else {
                view! {
                    <a class="button primary" href=format!("/layanan/{}/baru", kind.path)>
                        {move || format!("+ {}", capitalised(kind.name.get(lang.get())))}
                    </a>
                }.into_any()
            }}
            <input class="search" type="search" aria-label=move || lang.text("Cari", "Search")
                placeholder=move || lang.text("Cari nama…", "Search a name…")
                prop:value=query on:input=move |ev| query.set(event_target_value(&ev))/>
            {filters}
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
                        <a href=format!("/layanan/{}/{id}", kind.path)>
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
    let person_param_missing = person_param.is_none() && is_new;
    // Read once the village is there (a reload on this page); never again, so nothing typed
    // is overwritten by a change arriving.
    Effect::new(move |_| {
        if start.with(Option::is_some) {
            return;
        }
        let Some(session) = app.session.get() else { return };
        // A new record needs nothing of the village; one being edited waits for it.
        let first = if editing.is_none() {
            (kind.start)(None, None, person_param.clone(), &session, today(), now_secs())
        } else {
            app.with_village(|v| (kind.start)(Some(v), editing.as_ref(), None, &session, today(), now_secs()))
                .flatten()
        };
        if let Some(first) = first {
            draft.set(first.draft.clone());
            start.set(Some(first));
        }
    });
    let loaded = move || start.with(Option::is_some);
    // The person linked in this form, when the user chose another than the record's.
    let link = RwSignal::new(None::<Option<RecordId>>);
    let linked = move || {
        link.get()
            .unwrap_or_else(|| start.with(|s| s.as_ref().and_then(|s| s.person.clone())))
    };
    let person_name = move || {
        let pid = linked()?;
        app.with_village(|v| {
            v.snapshot
                .person(&pid)
                .map(|p| (p.id.clone(), p.full_name.clone()))
        })
        .flatten()
    };
    let checked = Memo::new(move |_| {
        let mut s = start.get()?;
        if let (Some(field), Some(chosen)) = (kind.person_field, link.get())
            && let Some(map) = s.base.as_object_mut()
        {
            map.insert(
                field.to_owned(),
                chosen.map_or(serde_json::Value::Null, |p| {
                    serde_json::Value::String(p.to_string())
                }),
            );
        }
        Some(draft.with(|d| (kind.check)(&s, d, lang.get(), today())))
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
        let Some(record) = record.filter(|_| !messages.iter().any(|m| m.severity == Severity::Error)) else {
            focus_first_error(".record-form");
            return;
        };
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
                    navigate(&format!("/layanan/{}/{id}", kind.path), Default::default());
                }
                Err(e) => save_error.set(Some(format!("{e:?}"))),
            }
        });
    };
    let fields = parts::fields_of(kind, "f", draft, messages_for);
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
                <p class="linked-person">{lang.text("Untuk: ", "For: ")}<a href=format!("/orang/{id}")>{name}</a>
                    {kind.person_field.map(|_| view! {
                        " " <button type="button" class="secondary" on:click=move |_| link.set(Some(None))>{move || lang.text("Lepas", "Unlink")}</button>
                    })}
                </p>
            })}
            {move || (kind.person_field.is_some() && loaded() && linked().is_none()).then(|| view! {
                <div class="field person-link">
                    <label for="f-person">{move || lang.text("Orang yang sudah terdata", "A recorded person")}</label>
                    <PersonSearch id="f-person".to_owned() on_pick=Callback::new(move |p: RecordId| link.set(Some(Some(p))))/>
                </div>
            })}
            {move || (kind.needs_person && start.with(Option::is_none) && person_param_missing).then(|| view! {
                <p class="msg warning">{lang.text(
                    "Buka halaman orangnya dulu, lalu tambahkan dari bagian Layanan.",
                    "Open the person's page first, then add it from Services.",
                )}</p>
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
    let is_membership = kind.collection == Collection::Memberships;
    let is_business = kind.collection == Collection::Businesses;
    view! {
        <article class="record-detail">
            {move || id.get().map(|rid| view! { <ConflictBadge collection=kind.collection id=rid/> })}
            {header}
            <nav class="actions">
                <a class="button primary" href=move || format!("/layanan/{}/{}/ubah", kind.path, id.get().map(|i| i.to_string()).unwrap_or_default())>
                    {move || lang.text("Ubah", "Edit")}
                </a>
                <button class="secondary" on:click=toggle_delete>
                    {move || if shown.with(|s| s.as_ref().is_some_and(|s| s.deleted)) { lang.text("Pulihkan", "Restore") } else { lang.text("Hapus", "Delete") }}
                </button>
            </nav>
            {move || (is_case && allowed()).then(|| id.get().map(|rid| view! { <parts::CaseLogView case=rid/> }))}
            {move || kind.activity.then(|| id.get().map(|rid| view! { <parts::Participants activity=rid completion=kind.completion/> }))}
            {move || is_membership.then(|| id.get().map(|rid| view! { <parts::LedgerView membership=rid/> }))}
            {move || is_business.then(|| shown.with(|s| s.as_ref().and_then(|s| s.person.clone())).map(|(owner, _, _)| view! { <parts::OwnerTrainings owner=owner/> }))}
            <Show when=allowed>
                <section>
                    <h2>{move || lang.text("Riwayat perubahan", "Change history")}</h2>
                    {move || id.get().map(|rid| view! { <RecordHistory collection=kind.collection id=rid/> })}
                </section>
            </Show>
        </article>
    }
}

/// `/layanan/:jenis…`: the page of the kind named in the address.
fn with_kind<V: IntoView + 'static>(page: fn(&'static Kind) -> V) -> impl IntoView {
    let params = use_params_map();
    let lang = use_language();
    move || {
        let path = params.with(|p| p.get("jenis").unwrap_or_default());
        match kinds::by_path(&path) {
            Some(kind) => page(kind).into_any(),
            None => view! { <p>{lang.text("Halaman tidak ada.", "No such page.")}</p> }.into_any(),
        }
    }
}

pub fn list_page() -> impl IntoView {
    with_kind(pillar_list)
}

pub fn form_page() -> impl IntoView {
    with_kind(pillar_form)
}

pub fn detail_page() -> impl IntoView {
    with_kind(pillar_detail)
}
