//! The district's reference data (`/info`): announcements, job orders, the training schedule,
//! licensed agencies (P3MI) and country notes. Every account reads it from the district
//! document on the device, offline; a district account adds and edits it
//! (`/info/:jenis/baru`, `/info/:jenis/:id/ubah`) and every village receives it on its next
//! sync.
//!
//! The five record types share one list and one form, compiled once: each type is a
//! [`RefKind`], its declaration and a few plain functions made from [`RefUi`] by [`ref_kind`].

use desmigratif_model::validate::Validate;
use desmigratif_model::{
    Agency, AgencyStatus, Announcement, Author, CountryNote, Date, Described, DistrictDoc, FieldSpec,
    JobOrder, Lang, ModelError, RecordId, Reference, ScheduledTraining, Severity, Text, TrainingKind,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::components::confirm;
use crate::components::field::{agency_names, declared_fields, field_messages, focus_first_error};
use crate::context::use_app;
use crate::i18n::{today, use_language};
use crate::pages::person_form::guard_unsaved;
use crate::record_draft::{FieldMessage, RecordDraft, checks};

/// How an item stands, shown as a badge: its CSS class and text.
type Badge = (&'static str, String);

/// One item of a section.
#[derive(Clone, PartialEq)]
struct Item {
    id: RecordId,
    title: String,
    facts: String,
    /// Longer text shown under the facts (an announcement's text, a job order's details).
    body: Option<String>,
    badge: Option<Badge>,
    /// Current (an open job order, a training still to come); the rest is listed as past.
    current: bool,
    deleted: bool,
    /// Sort key: newest (or soonest) first as the type decides.
    order: String,
}

/// What the pages need of a reference record type beyond its declaration.
trait RefUi: Described + Validate + serde::Serialize + serde::de::DeserializeOwned {
    /// Its path under `/info/` and its section's anchor.
    const PATH: &'static str;
    const PLURAL: Text;
    /// What the section says when it has nothing current.
    const NONE: Text;
    fn table(r: &Reference) -> &std::collections::BTreeMap<RecordId, Self>;
    fn fresh(today: Date) -> Self;
    fn item(&self, lang: Lang, today: Date) -> Item;
}

fn date_facts(parts: &[Option<String>]) -> String {
    parts.iter().flatten().cloned().collect::<Vec<_>>().join(" · ")
}

impl RefUi for Announcement {
    const PATH: &'static str = "pengumuman";
    const PLURAL: Text = Text::new("Pengumuman", "Announcements");
    const NONE: Text = Text::new("Tidak ada pengumuman yang berlaku.", "No current announcements.");
    fn table(r: &Reference) -> &std::collections::BTreeMap<RecordId, Self> {
        &r.announcements
    }
    fn fresh(today: Date) -> Self {
        Announcement::new(RecordId::random(), "", today)
    }
    fn item(&self, lang: Lang, today: Date) -> Item {
        let until = self.until.map(|u| match lang {
            Lang::Id => format!("berlaku s.d. {}", u.to_display()),
            Lang::En => format!("until {}", u.to_display()),
        });
        Item {
            id: self.id.clone(),
            title: self.title.clone(),
            facts: date_facts(&[Some(self.date.to_display()), until]),
            body: self.body.clone(),
            badge: None,
            current: self.current_on(today),
            deleted: self.deleted,
            order: inverted(self.date),
        }
    }
}

impl RefUi for JobOrder {
    const PATH: &'static str = "lowongan";
    const PLURAL: Text = Text::new("Lowongan kerja luar negeri", "Job orders abroad");
    const NONE: Text = Text::new("Tidak ada lowongan yang dibuka.", "No open job orders.");
    fn table(r: &Reference) -> &std::collections::BTreeMap<RecordId, Self> {
        &r.job_orders
    }
    fn fresh(today: Date) -> Self {
        JobOrder::new(RecordId::random(), "", "", today)
    }
    fn item(&self, lang: Lang, today: Date) -> Item {
        let openings = self.openings.map(|n| match lang {
            Lang::Id => format!("{n} orang"),
            Lang::En => format!("{n} openings"),
        });
        let closes = self.closes.map(|c| match lang {
            Lang::Id => format!("ditutup {}", c.to_display()),
            Lang::En => format!("closes {}", c.to_display()),
        });
        let open = self.open_on(today);
        Item {
            id: self.id.clone(),
            title: format!("{} — {}", self.position, self.country),
            facts: date_facts(&[self.agency.clone(), openings, closes]),
            body: self.note.clone(),
            badge: (!open).then(|| ("closed", lang.pick("Ditutup", "Closed"))),
            current: open,
            deleted: self.deleted,
            order: inverted(self.published),
        }
    }
}

impl RefUi for ScheduledTraining {
    const PATH: &'static str = "pelatihan";
    const PLURAL: Text = Text::new("Jadwal pelatihan", "Training schedule");
    const NONE: Text = Text::new("Belum ada pelatihan yang dijadwalkan.", "No trainings scheduled.");
    fn table(r: &Reference) -> &std::collections::BTreeMap<RecordId, Self> {
        &r.schedule
    }
    fn fresh(today: Date) -> Self {
        ScheduledTraining::new(RecordId::random(), "", TrainingKind::Skills, today)
    }
    fn item(&self, lang: Lang, today: Date) -> Item {
        let when = match self.end.filter(|e| *e != self.start) {
            Some(end) => format!("{} – {}", self.start.to_display(), end.to_display()),
            None => self.start.to_display(),
        };
        let places = self.places.map(|n| match lang {
            Lang::Id => format!("kuota {n}"),
            Lang::En => format!("{n} places"),
        });
        let kind =
            Self::spec("kind").map(|s| s.show(&serde_json::to_value(self.kind).unwrap_or_default(), lang));
        let upcoming = self.upcoming_on(today);
        Item {
            id: self.id.clone(),
            title: self.title.clone(),
            facts: date_facts(&[
                Some(when),
                kind,
                self.organiser.clone(),
                self.place.clone(),
                places,
            ]),
            body: None,
            badge: None,
            current: upcoming,
            deleted: self.deleted,
            // Soonest first.
            order: self.start.to_string(),
        }
    }
}

impl RefUi for Agency {
    const PATH: &'static str = "p3mi";
    const PLURAL: Text = Text::new("P3MI berizin", "Licensed agencies (P3MI)");
    const NONE: Text = Text::new(
        "Kabupaten belum mengisi daftar P3MI.",
        "The district has not listed agencies yet.",
    );
    fn table(r: &Reference) -> &std::collections::BTreeMap<RecordId, Self> {
        &r.agencies
    }
    fn fresh(_today: Date) -> Self {
        Agency::new(RecordId::random(), "")
    }
    fn item(&self, lang: Lang, today: Date) -> Item {
        let badge = match (self.status, self.licence_until) {
            (AgencyStatus::Revoked, _) => ("bad", lang.pick("Izin dicabut", "Licence revoked")),
            (AgencyStatus::Suspended, _) => ("bad", lang.pick("Izin dibekukan", "Licence suspended")),
            (AgencyStatus::Active, Some(until)) if until < today => (
                "bad",
                match lang {
                    Lang::Id => format!("Izin habis {}", until.to_display()),
                    Lang::En => format!("Licence expired {}", until.to_display()),
                },
            ),
            (AgencyStatus::Active, Some(until)) => (
                "good",
                match lang {
                    Lang::Id => format!("Berizin s.d. {}", until.to_display()),
                    Lang::En => format!("Licensed until {}", until.to_display()),
                },
            ),
            (AgencyStatus::Active, None) => ("good", lang.pick("Berizin", "Licensed")),
        };
        Item {
            id: self.id.clone(),
            title: self.name.clone(),
            facts: date_facts(&[self.licence_number.clone(), self.address.clone()]),
            body: None,
            badge: Some(badge),
            // Every agency stays in view: a revoked one is what villages must recognise.
            current: true,
            deleted: self.deleted,
            order: desmigratif_model::district::name_key(&self.name),
        }
    }
}

impl RefUi for CountryNote {
    const PATH: &'static str = "negara";
    const PLURAL: Text = Text::new("Negara tujuan", "Destination countries");
    const NONE: Text = Text::new(
        "Belum ada catatan negara tujuan.",
        "No notes on destinations yet.",
    );
    fn table(r: &Reference) -> &std::collections::BTreeMap<RecordId, Self> {
        &r.countries
    }
    fn fresh(_today: Date) -> Self {
        CountryNote::new(RecordId::random(), "")
    }
    fn item(&self, lang: Lang, _today: Date) -> Item {
        Item {
            id: self.id.clone(),
            title: self.country.clone(),
            facts: String::new(),
            body: self.note.clone(),
            badge: self
                .moratorium
                .then(|| ("bad", lang.pick("Moratorium", "Moratorium"))),
            current: true,
            deleted: self.deleted,
            order: self.country.to_lowercase(),
        }
    }
}

/// A key that sorts later dates first.
fn inverted(d: Date) -> String {
    format!(
        "{:05}{:03}{:03}",
        99_999 - u32::from(d.year()),
        99 - d.month(),
        99 - d.day()
    )
}

trait Pick {
    fn pick(&self, id: &str, en: &str) -> String;
}

impl Pick for Lang {
    fn pick(&self, id: &str, en: &str) -> String {
        match self {
            Lang::Id => id.to_owned(),
            Lang::En => en.to_owned(),
        }
    }
}

/// A form's start: the record as JSON (what edits are compared against), its text, and
/// whether it is deleted.
type Start = (serde_json::Value, RecordDraft, bool);
/// A record the form's text makes, as JSON, with every message for the form.
type Checked = (Option<serde_json::Value>, Vec<FieldMessage>);

type SaveFn = fn(
    &mut DistrictDoc,
    Option<&serde_json::Value>,
    serde_json::Value,
    &Author,
    i64,
) -> Result<(), ModelError>;

/// A reference record type for the pages: its declaration and plain functions over it.
pub struct RefKind {
    path: &'static str,
    plural: Text,
    name: Text,
    none: Text,
    spec: &'static [FieldSpec],
    items: fn(&Reference, Lang, Date) -> Vec<Item>,
    start: fn(Option<&Reference>, Option<&RecordId>, Date) -> Option<Start>,
    check: fn(&serde_json::Value, &RecordDraft, Lang, Date) -> Checked,
    save: SaveFn,
    set_deleted: fn(&mut DistrictDoc, &RecordId, bool, &Author, i64) -> Result<(), ModelError>,
}

const fn ref_kind<R: RefUi>() -> RefKind {
    RefKind {
        path: R::PATH,
        plural: R::PLURAL,
        name: R::NAME,
        none: R::NONE,
        spec: R::SPEC,
        items: items_of::<R>,
        start: start_of::<R>,
        check: check_of::<R>,
        save: save_of::<R>,
        set_deleted: set_deleted_of::<R>,
    }
}

fn items_of<R: RefUi>(r: &Reference, lang: Lang, today: Date) -> Vec<Item> {
    let mut items: Vec<Item> = R::table(r).values().map(|x| x.item(lang, today)).collect();
    items.sort_by(|a, b| (&a.order, &a.id).cmp(&(&b.order, &b.id)));
    items
}

fn start_of<R: RefUi>(r: Option<&Reference>, editing: Option<&RecordId>, today: Date) -> Option<Start> {
    let record = match editing {
        Some(id) => R::table(r?).get(id)?.clone(),
        None => R::fresh(today),
    };
    let deleted = desmigratif_model::Record::is_deleted(&record);
    Some((
        serde_json::to_value(&record).ok()?,
        RecordDraft::from_record(&record),
        deleted,
    ))
}

fn check_of<R: RefUi>(base: &serde_json::Value, draft: &RecordDraft, lang: Lang, today: Date) -> Checked {
    let (json, mut messages) = draft.to_value(R::SPEC, base.clone(), lang);
    match serde_json::from_value::<R>(json) {
        Ok(record) => {
            messages.extend(checks(&record, lang, today));
            (serde_json::to_value(&record).ok(), messages)
        }
        Err(_) => (None, messages),
    }
}

fn save_of<R: RefUi>(
    doc: &mut DistrictDoc,
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

fn set_deleted_of<R: RefUi>(
    doc: &mut DistrictDoc,
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

/// The sections, in the order the page shows them.
static KINDS: [RefKind; 5] = [
    ref_kind::<Announcement>(),
    ref_kind::<JobOrder>(),
    ref_kind::<ScheduledTraining>(),
    ref_kind::<Agency>(),
    ref_kind::<CountryNote>(),
];

fn by_path(path: &str) -> Option<&'static RefKind> {
    KINDS.iter().find(|k| k.path == path)
}

fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// `/info`: every section, current items first; a district account can add and edit.
#[component]
pub fn ReferencePage() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let editor = move || app.district_doc().is_some_and(|(_, writable)| writable);
    let arrived = move || app.with_reference(|_| ()).is_some();
    view! {
        <section class="reference">
            <h1>{move || lang.text("Info kabupaten", "District information")}</h1>
            <p class="muted">{move || lang.text(
                "Dari Disnaker kabupaten; tersimpan di perangkat ini dan bisa dibuka tanpa sinyal.",
                "From the district labour office; kept on this device and readable without signal.",
            )}</p>
            <nav class="chips" aria-label=move || lang.text("Bagian", "Sections")>
                {KINDS.iter().map(|k| view! { <a href=format!("#{}", k.path)>{move || k.plural.get(lang.get())}</a> }).collect_view()}
            </nav>
            <Show when=arrived fallback=move || view! {
                <p class="msg warning" role="status">{move || lang.text(
                    "Data kabupaten belum ada di perangkat ini. Data diambil saat tersambung.",
                    "The district's data is not on this device yet. It arrives when connected.",
                )}</p>
            }>
                {KINDS.iter().map(|kind| view! { <RefSection kind=kind editor=Signal::derive(editor)/> }).collect_view()}
            </Show>
        </section>
    }
}

#[component]
fn RefSection(kind: &'static RefKind, editor: Signal<bool>) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let query = RwSignal::new(String::new());
    let items = Memo::new(move |_| {
        let l = lang.get();
        app.with_reference(|r| (kind.items)(r, l, today()))
            .unwrap_or_default()
    });
    let shown = move |current: bool| {
        let q = query.get().trim().to_lowercase();
        items.with(|items| {
            items
                .iter()
                .filter(|i| !i.deleted && i.current == current)
                .filter(|i| q.is_empty() || i.title.to_lowercase().contains(&q))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let deleted = move || items.with(|items| items.iter().filter(|i| i.deleted).cloned().collect::<Vec<_>>());
    let searchable = kind.path == "p3mi";
    view! {
        <section class="ref-section" id=kind.path>
            <h2>{move || kind.plural.get(lang.get())}</h2>
            {move || editor.get().then(|| view! {
                <a class="button primary" href=format!("/info/{}/baru", kind.path)>
                    {move || format!("+ {}", lang.text("Tambah", "Add"))}
                </a>
            })}
            {searchable.then(|| view! {
                <input class="search" type="search" aria-label=move || lang.text("Cari P3MI", "Search agencies")
                    placeholder=move || lang.text("Cari nama P3MI…", "Search an agency…")
                    prop:value=query on:input=move |ev| query.set(event_target_value(&ev))/>
            })}
            {move || {
                let current = shown(true);
                if current.is_empty() {
                    view! { <p class="muted">{kind.none.get(lang.get())}</p> }.into_any()
                } else {
                    item_list(kind, current, editor).into_any()
                }
            }}
            {move || {
                let past = shown(false);
                (!past.is_empty()).then(|| view! {
                    <details>
                        <summary>{move || lang.text("Yang sudah lewat", "Past")}{format!(" ({})", past.len())}</summary>
                        {item_list(kind, past.clone(), editor)}
                    </details>
                })
            }}
            {move || {
                let gone = deleted();
                (editor.get() && !gone.is_empty()).then(|| view! {
                    <details>
                        <summary>{move || lang.text("Dihapus", "Deleted")}{format!(" ({})", gone.len())}</summary>
                        {item_list(kind, gone.clone(), editor)}
                    </details>
                })
            }}
        </section>
    }
}

fn item_list(kind: &'static RefKind, items: Vec<Item>, editor: Signal<bool>) -> impl IntoView {
    let lang = use_language();
    view! {
        <ul class="ref-items">
            {items.into_iter().map(|i| {
                let edit = format!("/info/{}/{}/ubah", kind.path, i.id);
                view! {
                    <li data-id=i.id.to_string()>
                        <div class="ref-head">
                            <strong>{i.title}</strong>
                            {i.badge.map(|(class, text)| view! { <span class=format!("badge {class}")>{text}</span> })}
                        </div>
                        {(!i.facts.is_empty()).then(|| view! { <small class="facts">{i.facts}</small> })}
                        {i.body.map(|b| view! { <p class="ref-body">{b}</p> })}
                        {move || editor.get().then(|| view! { <a class="edit-link" href=edit.clone()>{move || lang.text("Ubah", "Edit")}</a> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// `/info/:jenis/baru` and `/info/:jenis/:id/ubah`: the district office's form. Only the
/// fields the clerk changed are written, so two clerks editing one agency both keep theirs.
#[component]
pub fn ReferenceForm() -> impl IntoView {
    let params = use_params_map();
    let lang = use_language();
    move || {
        let path = params.with(|p| p.get("jenis").unwrap_or_default());
        match by_path(&path) {
            Some(kind) => view! { <RefForm kind=kind/> }.into_any(),
            None => view! { <p>{lang.text("Halaman tidak ada.", "No such page.")}</p> }.into_any(),
        }
    }
}

#[component]
fn RefForm(kind: &'static RefKind) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let navigate = use_navigate();
    let params = use_params_map();
    let editing: Option<RecordId> = params.get_untracked().get("id").and_then(|id| id.parse().ok());
    let is_new = editing.is_none();
    let editing = StoredValue::new(editing);
    let start = RwSignal::new(None::<Start>);
    let draft = RwSignal::new(RecordDraft::default());
    // Read once (when the district document is there); never again, so nothing typed is
    // overwritten by a change arriving.
    Effect::new(move |_| {
        if start.with(Option::is_some) {
            return;
        }
        let first = match editing.get_value() {
            None => (kind.start)(None, None, today()),
            Some(id) => app
                .with_reference(|r| (kind.start)(Some(r), Some(&id), today()))
                .flatten(),
        };
        if let Some(first) = first {
            draft.set(first.1.clone());
            start.set(Some(first));
        }
    });
    let editor = move || app.district_doc().is_some_and(|(_, writable)| writable);
    let loaded = move || start.with(Option::is_some);
    let checked = Memo::new(move |_| {
        let s = start.get()?;
        Some(draft.with(|d| (kind.check)(&s.0, d, lang.get(), today())))
    });
    let tried = RwSignal::new(false);
    let all =
        Signal::derive(move || checked.with(|c| c.as_ref().map(|(_, m)| m.clone()).unwrap_or_default()));
    let messages_for = move |field: &'static str| field_messages(field, all, tried, draft);
    let saved = RwSignal::new(false);
    guard_unsaved(
        move || {
            !saved.get_untracked()
                && start.with_untracked(|s| s.as_ref().is_some_and(|s| draft.with_untracked(|d| *d != s.1)))
        },
        lang,
    );
    let saving = RwSignal::new(false);
    let save_error = RwSignal::new(None::<String>);
    let back = format!("/info#{}", kind.path);
    let save = {
        let navigate = navigate.clone();
        let back = back.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            tried.set(true);
            let Some((record, messages)) = checked.get_untracked() else {
                return;
            };
            let Some(record) = record.filter(|_| !messages.iter().any(|m| m.severity == Severity::Error))
            else {
                focus_first_error(".record-form");
                return;
            };
            let (Some(engine), Some((doc_id, true)), Some(start)) =
                (app.engine(), app.district_doc(), start.get_untracked())
            else {
                return;
            };
            saving.set(true);
            save_error.set(None);
            let navigate = navigate.clone();
            let back = back.clone();
            leptos::task::spawn_local(async move {
                let by = engine.session().author();
                let now = now_secs();
                let base = (!is_new).then_some(&start.0);
                let result = engine
                    .edit_district(&doc_id, |d| (kind.save)(d, base, record, &by, now))
                    .await;
                saving.set(false);
                match result {
                    Ok(()) => {
                        saved.set(true);
                        navigate(&back, Default::default());
                    }
                    Err(e) => save_error.set(Some(format!("{e:?}"))),
                }
            });
        }
    };
    let toggle_delete = {
        let back = back.clone();
        move |_| {
            let (Some(id), Some(engine), Some((doc_id, true)), Some(start)) = (
                editing.get_value(),
                app.engine(),
                app.district_doc(),
                start.get_untracked(),
            ) else {
                return;
            };
            let deleted = start.2;
            if !deleted
                && !confirm(
                    lang.text(
                        "Hapus dari daftar kabupaten? Desa tidak lagi melihatnya; bisa dipulihkan.",
                        "Remove it from the district's list? Villages stop seeing it; it can be restored.",
                    ),
                    false,
                )
            {
                return;
            }
            let navigate = navigate.clone();
            let back = back.clone();
            leptos::task::spawn_local(async move {
                let by = engine.session().author();
                let result = engine
                    .edit_district(&doc_id, |d| (kind.set_deleted)(d, &id, !deleted, &by, now_secs()))
                    .await;
                match result {
                    Ok(()) => {
                        saved.set(true);
                        navigate(&back, Default::default());
                    }
                    Err(e) => save_error.set(Some(format!("{e:?}"))),
                }
            });
        }
    };
    move || {
        if !editor() {
            return view! {
                <p class="msg warning">{move || lang.text(
                    "Hanya Disnaker kabupaten yang dapat mengubah informasi ini.",
                    "Only the district office can change this information.",
                )}</p>
            }
            .into_any();
        }
        let fields = declared_fields(kind.spec, "r", draft, messages_for, |k| {
            (k == "agency").then(agency_names)
        });
        view! {
            <form class="card record-form" on:submit=save.clone() novalidate>
                <h1>{move || {
                    let l = lang.get();
                    match (is_new, l) {
                        (true, Lang::Id) => format!("Tambah {}", kind.name.id),
                        (true, Lang::En) => format!("New {}", kind.name.en),
                        (false, _) => format!("{} {}", lang.text("Ubah", "Edit"), kind.name.get(l)),
                    }
                }}</h1>
                <fieldset class="plain" disabled=move || !loaded()>{fields}</fieldset>
                {move || save_error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
                <div class="sticky-actions">
                    <button type="submit" class="primary" disabled=move || saving.get() || !loaded() || !app.engine_ready()>
                        {move || if saving.get() { lang.text("Menyimpan…", "Saving…") } else { lang.text("Simpan", "Save") }}
                    </button>
                    {(!is_new).then(|| view! {
                        <button type="button" class="secondary" on:click=toggle_delete.clone()>
                            {move || if start.with(|s| s.as_ref().is_some_and(|s| s.2)) { lang.text("Pulihkan", "Restore") } else { lang.text("Hapus", "Delete") }}
                        </button>
                    })}
                    <a class="button" href=back.clone()>{move || lang.text("Batal", "Cancel")}</a>
                </div>
            </form>
        }
        .into_any()
    }
}

/// The district's current announcements on the home screen, newest first, leading to `/info`.
#[component]
pub fn DistrictNews() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let news = Memo::new(move |_| {
        app.with_reference(|r| {
            let day = today();
            let mut current: Vec<&Announcement> = r
                .announcements
                .values()
                .filter(|a| !a.deleted && a.current_on(day))
                .collect();
            current.sort_by(|a, b| (b.date, &b.id).cmp(&(a.date, &a.id)));
            current
                .into_iter()
                .take(3)
                .map(|a| (a.title.clone(), a.date.to_display()))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    view! {
        <section class="district-news">
            <h2>{move || lang.text("Dari kabupaten", "From the district")}</h2>
            {move || {
                let items = news.get();
                if items.is_empty() {
                    view! { <p class="muted">{lang.text("Tidak ada pengumuman baru.", "No new announcements.")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="news">
                            {items.into_iter().map(|(title, date)| view! { <li><strong>{title}</strong> " " <small>{date}</small></li> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            <a class="button" href="/info">{move || lang.text("Info kabupaten: P3MI, lowongan, pelatihan", "District info: agencies, jobs, trainings")}</a>
        </section>
    }
}
