//! A pillar record type as the pages see it: [`PillarUi`], what each type tells the pages,
//! and [`Kind`], the plain functions made from it ([`kind_of`]) so the pages are compiled once
//! for every type.

use desmigratif_model::validate::Validate;
use desmigratif_model::{
    Collection, Date, Described, FieldSpec, Lang, Pillar, RecordId, Text, VillageSnapshot,
};

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
    /// Stamps what depends on the moment it is saved and on what the village holds then (a
    /// case entry's time, after every entry of its case).
    fn written(&mut self, _snapshot: &VillageSnapshot, _now: i64) {}
    /// Whether the form shows a field, given what is typed (a case step's referral).
    fn shows_field(_draft: &RecordDraft, _key: &str) -> bool {
        true
    }
}

/// A choice field's value by its label.
pub(super) fn choice_label<R: Described>(field: &str, value: impl serde::Serialize, lang: Lang) -> String {
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
    pub(super) conflict: bool,
    /// The record's date and when it was written: the newest come first.
    pub(super) order: (Option<Date>, i64),
    /// Whether the viewer may see who it is about.
    pub allowed: bool,
}

/// One record as its page shows it.
#[derive(Clone, PartialEq)]
pub struct Shown {
    pub(super) title: String,
    pub(super) deleted: bool,
    /// The recorded person it is about: id, name, whether deleted.
    pub(super) person: Option<(RecordId, String, bool)>,
    /// Whether the viewer may see who it is about.
    pub(super) allowed: bool,
    pub(super) fields: Vec<(&'static FieldSpec, String)>,
}

/// A form's start: the record as JSON (the base edits are compared against) and its text.
#[derive(Clone)]
pub struct Start {
    pub(super) base: serde_json::Value,
    pub(super) draft: RecordDraft,
    pub(super) person: Option<RecordId>,
}

/// A record the form's text makes, as JSON, with every message for the form.
type Checked = (Option<serde_json::Value>, Vec<FieldMessage>);
type StartFn =
    fn(Option<&VillageView>, Option<&RecordId>, Option<RecordId>, &Session, Date, i64) -> Option<Start>;
type RowFn = fn(&VillageView, &RecordId, Option<&Session>, Lang, Date) -> Option<Row>;

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
    pub(super) rows: fn(&VillageView, Option<&Session>, Lang, Date, &str) -> Vec<Row>,
    pub filters: &'static [(&'static str, Text)],
    pub person_field: Option<&'static str>,
    /// One record as a row (a person's page lists their records so).
    pub row: RowFn,
    pub shows_field: fn(&RecordDraft, &str) -> bool,
    pub(super) shown: fn(&VillageView, &RecordId, Option<&Session>, Lang) -> Option<Shown>,
    /// A new record (linked to a person) or the one being edited, for a form.
    pub(super) start: StartFn,
    /// The record the form's text makes over the base, with every message.
    pub(super) check: fn(&Start, &RecordDraft, Lang, Date) -> Checked,
    /// A checked record stamped as it is saved ([`PillarUi::written`]).
    pub(super) written: fn(serde_json::Value, &VillageSnapshot, i64) -> serde_json::Value,
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
        written: written_of::<R>,
    }
}

/// The record's title: its own (an activity's), else who it is about (the recorded person's
/// name, else the typed name), or "confidential" for a viewer who may not know.
pub(super) fn title_of<R: PillarUi>(
    r: &R,
    snapshot: &VillageSnapshot,
    session: Option<&Session>,
    lang: Lang,
) -> String {
    if !session.is_some_and(|s| r.shows_person_to(s)) {
        return capitalised(&lang.fill("{record} rahasia", &[("record", &R::NAME.get(lang))]));
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

fn written_of<R: PillarUi>(
    record: serde_json::Value,
    snapshot: &VillageSnapshot,
    now: i64,
) -> serde_json::Value {
    match serde_json::from_value::<R>(record.clone()) {
        Ok(mut r) => {
            r.written(snapshot, now);
            serde_json::to_value(&r).unwrap_or(record)
        }
        Err(_) => record,
    }
}

pub(super) fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

pub(super) fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}
