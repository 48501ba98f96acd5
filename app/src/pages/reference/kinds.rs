//! The district's five reference record types as the pages see them: [`RefUi`], what each
//! type tells the pages, and [`RefKind`], plain functions made from it once per type.

use desmigratif_model::validate::Validate;
use desmigratif_model::{
    Agency, AgencyStatus, Announcement, Collection, CountryNote, Date, Described, FieldSpec, JobOrder, Lang,
    RecordId, Reference, ScheduledTraining, Text, TrainingKind,
};

use crate::record_draft::{FieldMessage, RecordDraft, checks};

/// How an item stands, shown as a badge: its CSS class and text.
pub(super) type Badge = (&'static str, String);

/// One item of a section.
#[derive(Clone, PartialEq)]
pub(super) struct Item {
    pub(super) id: RecordId,
    pub(super) title: String,
    pub(super) facts: String,
    /// Longer text shown under the facts (an announcement's text, a job order's details).
    pub(super) body: Option<String>,
    pub(super) badge: Option<Badge>,
    /// Current (an open job order, a training still to come); the rest is listed as past.
    pub(super) current: bool,
    pub(super) deleted: bool,
    /// Sort key: newest (or soonest) first as the type decides.
    pub(super) order: String,
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
    const PLURAL: Text = Text::new("Pengumuman");
    const NONE: Text = Text::new("Tidak ada pengumuman yang berlaku.");
    fn table(r: &Reference) -> &std::collections::BTreeMap<RecordId, Self> {
        &r.announcements
    }
    fn fresh(today: Date) -> Self {
        Announcement::new(RecordId::random(), "", today)
    }
    fn item(&self, lang: Lang, today: Date) -> Item {
        let until = self
            .until
            .map(|u| lang.fill("berlaku s.d. {date}", &[("date", &u.to_display())]));
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
    const PLURAL: Text = Text::new("Lowongan kerja luar negeri");
    const NONE: Text = Text::new("Tidak ada lowongan yang dibuka.");
    fn table(r: &Reference) -> &std::collections::BTreeMap<RecordId, Self> {
        &r.job_orders
    }
    fn fresh(today: Date) -> Self {
        JobOrder::new(RecordId::random(), "", "", today)
    }
    fn item(&self, lang: Lang, today: Date) -> Item {
        let openings = self.openings.map(|n| lang.fill("{n} orang", &[("n", &n)]));
        let closes = self
            .closes
            .map(|c| lang.fill("ditutup {date}", &[("date", &c.to_display())]));
        let open = self.open_on(today);
        Item {
            id: self.id.clone(),
            title: format!("{} — {}", self.position, self.country),
            facts: date_facts(&[self.agency.clone(), openings, closes]),
            body: self.note.clone(),
            badge: (!open).then(|| ("closed", Text::ctx("Closed", "Ditutup").get(lang).to_owned())),
            current: open,
            deleted: self.deleted,
            order: inverted(self.published),
        }
    }
}

impl RefUi for ScheduledTraining {
    const PATH: &'static str = "pelatihan";
    const PLURAL: Text = Text::new("Jadwal pelatihan");
    const NONE: Text = Text::new("Belum ada pelatihan yang dijadwalkan.");
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
        let places = self.places.map(|n| lang.fill("kuota {n}", &[("n", &n)]));
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
    const PLURAL: Text = Text::new("P3MI berizin");
    const NONE: Text = Text::new("Kabupaten belum mengisi daftar P3MI.");
    fn table(r: &Reference) -> &std::collections::BTreeMap<RecordId, Self> {
        &r.agencies
    }
    fn fresh(_today: Date) -> Self {
        Agency::new(RecordId::random(), "")
    }
    fn item(&self, lang: Lang, today: Date) -> Item {
        let badge = match (self.status, self.licence_until) {
            (AgencyStatus::Revoked, _) => ("bad", lang.text("Izin dicabut").to_owned()),
            (AgencyStatus::Suspended, _) => ("bad", lang.text("Izin dibekukan").to_owned()),
            (AgencyStatus::Active, Some(until)) if until < today => (
                "bad",
                lang.fill("Izin habis {date}", &[("date", &until.to_display())]),
            ),
            (AgencyStatus::Active, Some(until)) => (
                "good",
                lang.fill("Berizin s.d. {date}", &[("date", &until.to_display())]),
            ),
            (AgencyStatus::Active, None) => ("good", lang.text("Berizin").to_owned()),
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
    const PLURAL: Text = Text::ctx("Destination countries", "Negara tujuan");
    const NONE: Text = Text::new("Belum ada catatan negara tujuan.");
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
                .then(|| ("bad", lang.text("Moratorium").to_owned())),
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

/// A form's start: the record as JSON (what edits are compared against), its text, and
/// whether it is deleted.
pub(super) type Start = (serde_json::Value, RecordDraft, bool);
/// A record the form's text makes, as JSON, with every message for the form.
pub(super) type Checked = (Option<serde_json::Value>, Vec<FieldMessage>);

/// A reference record type for the pages: its declaration and plain functions over it.
pub struct RefKind {
    pub(super) collection: Collection,
    pub(super) path: &'static str,
    pub(super) plural: Text,
    pub(super) name: Text,
    pub(super) none: Text,
    pub(super) spec: &'static [FieldSpec],
    pub(super) items: fn(&Reference, Lang, Date) -> Vec<Item>,
    pub(super) start: fn(Option<&Reference>, Option<&RecordId>, Date) -> Option<Start>,
    pub(super) check: fn(&serde_json::Value, &RecordDraft, Lang, Date) -> Checked,
}

const fn ref_kind<R: RefUi>() -> RefKind {
    RefKind {
        collection: R::COLLECTION,
        path: R::PATH,
        plural: R::PLURAL,
        name: R::NAME,
        none: R::NONE,
        spec: R::SPEC,
        items: items_of::<R>,
        start: start_of::<R>,
        check: check_of::<R>,
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

/// The sections, in the order the page shows them.
pub(super) static KINDS: [RefKind; 5] = [
    ref_kind::<Announcement>(),
    ref_kind::<JobOrder>(),
    ref_kind::<ScheduledTraining>(),
    ref_kind::<Agency>(),
    ref_kind::<CountryNote>(),
];

pub(super) fn by_path(path: &str) -> Option<&'static RefKind> {
    KINDS.iter().find(|k| k.path == path)
}
