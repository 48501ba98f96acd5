//! The district document: reference data a district office (Disnaker) publishes to every
//! village of its regency (licensed agencies, destination countries, job orders,
//! announcements, the training schedule), one record type per file. Villages hold it
//! read-only; the relay refuses their writes.
//!
//! Layout: `{ meta: { kind: "district", code: "35.07", schema: 1 }, agencies: {…},
//! job_orders: {…}, announcements: {…}, countries: {…}, training_schedule: {…} }`. The first
//! three maps are in the genesis change; the other two came later and are added by one change
//! every device builds identically (as a village document's pillars are).

mod agency;
mod announcement;
mod country;
mod job_order;
mod schedule;

pub use agency::*;
pub use announcement::*;
pub use country::*;
pub use job_order::*;
pub use schedule::*;

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ROOT};
use sha2::{Digest, Sha256};

use crate::ModelError;
use crate::author::Author;
use crate::date::Date;
use crate::doc::{self, genesis, load_kind, meta_str, root_map};
use crate::ids::{DistrictCode, RecordId};
use crate::record::{Collection, Record};
use crate::records::MigrationEpisode;
use crate::validate::{self, Issue, IssueKind};

/// The root maps of a district document's genesis change.
pub const DISTRICT_COLLECTIONS: [&str; 3] = ["agencies", "job_orders", "announcements"];
/// The root maps added after the first version, by [`additions_change`].
const ADDED: [Collection; 2] = [Collection::Countries, Collection::Schedule];

#[derive(Debug, Clone)]
pub struct DistrictDoc {
    doc: AutoCommit,
}

impl DistrictDoc {
    /// A new, empty district document: the deterministic genesis change only.
    pub fn genesis(code: &DistrictCode) -> Self {
        Self {
            doc: genesis("district", code.as_str(), &DISTRICT_COLLECTIONS),
        }
    }

    pub fn load(bytes: &[u8]) -> Result<Self, ModelError> {
        Ok(Self {
            doc: load_kind(bytes, "district")?,
        })
    }

    /// Whether an Automerge document is a district document.
    pub fn is_district(doc: &AutoCommit) -> bool {
        meta_str(doc, "kind").as_deref() == Some("district")
    }

    /// Wraps an Automerge document received from elsewhere (a sync peer).
    pub fn from_automerge(doc: AutoCommit) -> Result<Self, ModelError> {
        if !Self::is_district(&doc) {
            return Err(ModelError::WrongKind { expected: "district" });
        }
        Ok(Self { doc })
    }

    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    pub fn code(&self) -> Option<DistrictCode> {
        meta_str(&self.doc, "code")?.parse().ok()
    }

    pub fn automerge(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// The underlying Automerge document, given back.
    pub fn into_automerge(self) -> AutoCommit {
        self.doc
    }

    /// Applies every change of `other` that this document lacks.
    pub fn merge(&mut self, other: &mut DistrictDoc) -> Result<(), ModelError> {
        self.doc.merge(&mut other.doc)?;
        Ok(())
    }

    fn collection(&self, c: Collection) -> Option<automerge::ObjId> {
        root_map(&self.doc, c.key())
    }

    /// A collection's map, added (identically on every device) if the document predates it.
    fn ensure_collection(&mut self, c: Collection) -> Result<automerge::ObjId, ModelError> {
        if !Collection::DISTRICT.contains(&c) {
            return Err(ModelError::WrongKind { expected: "village" });
        }
        if let Some(obj) = self.collection(c) {
            return Ok(obj);
        }
        if let Some(code) = self.code() {
            self.doc.apply_changes([additions_change(code.as_str())])?;
        }
        match self.collection(c) {
            Some(obj) => Ok(obj),
            None => Ok(self.doc.put_object(ROOT, c.key(), ObjType::Map)?),
        }
    }

    /// Reads one record as it stands now.
    pub fn get<R: Record>(&self, id: &RecordId) -> Result<R, ModelError> {
        doc::get(&self.doc, self.collection(R::COLLECTION), id)
    }

    /// Adds a record. Refuses records with validation errors.
    pub fn create<R: Record + validate::Validate>(
        &mut self,
        record: R,
        by: &Author,
        now: i64,
    ) -> Result<RecordId, ModelError> {
        let mut record = record;
        record.normalise();
        doc::check(&record)?;
        let coll = self.ensure_collection(R::COLLECTION)?;
        doc::create(&mut self.doc, &coll, record, by, now)
    }

    /// Writes only the fields the user changed (see [`crate::VillageDoc::update`]).
    pub fn update<R: Record + validate::Validate>(
        &mut self,
        base: &R,
        edited: &R,
        by: &Author,
        now: i64,
    ) -> Result<Vec<&'static str>, ModelError> {
        let coll = self.collection(R::COLLECTION);
        let (mut base, mut edited) = (base.clone(), edited.clone());
        base.normalise();
        edited.normalise();
        doc::update(&mut self.doc, coll, &base, &edited, by, now)
    }

    /// Marks a record deleted (kept, and restorable).
    pub fn delete<R: Record>(&mut self, id: &RecordId, by: &Author, now: i64) -> Result<(), ModelError> {
        let coll = self.collection(R::COLLECTION);
        doc::set_deleted::<R>(&mut self.doc, coll, id, true, by, now)
    }

    pub fn restore<R: Record>(&mut self, id: &RecordId, by: &Author, now: i64) -> Result<(), ModelError> {
        let coll = self.collection(R::COLLECTION);
        doc::set_deleted::<R>(&mut self.doc, coll, id, false, by, now)
    }

    fn all<R: Record>(&self) -> BTreeMap<RecordId, R> {
        let Some(coll) = self.collection(R::COLLECTION) else {
            return BTreeMap::new();
        };
        use automerge::ReadDoc;
        self.doc
            .keys(&coll)
            .filter_map(|k| k.parse::<RecordId>().ok())
            // A record this build cannot read (damaged, or from a newer app) is left out.
            .filter_map(|id| {
                Some((
                    id.clone(),
                    doc::get::<R>(&self.doc, Some(coll.clone()), &id).ok()?,
                ))
            })
            .collect()
    }

    /// Every record of the document, deleted ones included. A district publishes tens to a
    /// few hundred records: a full read after each change costs milliseconds, so it has no
    /// incremental view.
    pub fn reference(&self) -> Reference {
        Reference {
            agencies: self.all(),
            countries: self.all(),
            job_orders: self.all(),
            announcements: self.all(),
            schedule: self.all(),
        }
    }
}

/// The change that adds the maps the genesis lacks, identical on every device: built on the
/// genesis change alone, by an actor derived from the district code, at time 0.
fn additions_change(code: &str) -> automerge::Change {
    let mut doc = genesis("district", code, &DISTRICT_COLLECTIONS);
    let actor = Sha256::digest(format!("desmigratif/additions/district/{code}").as_bytes());
    doc.set_actor(ActorId::from(&actor[..16]));
    for c in ADDED {
        doc.put_object(ROOT, c.key(), ObjType::Map)
            .expect("fresh document");
    }
    doc.commit_with(
        automerge::transaction::CommitOptions::default()
            .with_message("additions")
            .with_time(0),
    );
    doc.get_last_local_change().expect("just committed").clone()
}

/// A district's reference data as the screens read it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reference {
    pub agencies: BTreeMap<RecordId, Agency>,
    pub countries: BTreeMap<RecordId, CountryNote>,
    pub job_orders: BTreeMap<RecordId, JobOrder>,
    pub announcements: BTreeMap<RecordId, Announcement>,
    pub schedule: BTreeMap<RecordId, ScheduledTraining>,
}

/// A name as compared: lower case, letters and digits only, without a leading "PT".
pub fn name_key(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let words = match words.first().map(String::as_str) {
        Some("pt") if words.len() > 1 => &words[1..],
        _ => &words[..],
    };
    words.concat()
}

impl Reference {
    /// The live agencies, by name.
    pub fn live_agencies(&self) -> Vec<&Agency> {
        let mut out: Vec<&Agency> = self.agencies.values().filter(|a| !a.deleted).collect();
        out.sort_by_key(|a| name_key(&a.name));
        out
    }

    /// The live agency listed under this name (ignoring case, punctuation and "PT").
    pub fn agency_named(&self, name: &str) -> Option<&Agency> {
        let key = name_key(name);
        if key.is_empty() {
            return None;
        }
        self.agencies
            .values()
            .find(|a| !a.deleted && name_key(&a.name) == key)
    }

    /// The live note on a country, by name (ignoring case).
    pub fn country_note(&self, country: &str) -> Option<&CountryNote> {
        // Both in their one spelling, so a note on "Saudi Arabia" covers a stay in "Arab Saudi".
        let spelled = |c: &str| name_key(&crate::countries::canonical_country(c));
        let key = spelled(country);
        if key.is_empty() {
            return None;
        }
        self.countries
            .values()
            .find(|c| !c.deleted && spelled(&c.country) == key)
    }

    /// What the district's list says about an agency named `name` on `day`: not listed,
    /// suspended or revoked, or its licence not valid then; `None` if it is licensed, or if the
    /// district has listed no agency yet (or no name is given).
    pub fn check_agency(&self, name: &str, day: Date) -> Option<IssueKind> {
        let name = name.trim();
        if name.is_empty() || !self.agencies.values().any(|a| !a.deleted) {
            return None;
        }
        match self.agency_named(name) {
            None => Some(IssueKind::AgencyNotListed),
            Some(a) if a.status != AgencyStatus::Active => Some(IssueKind::AgencyNotActive {
                revoked: a.status == AgencyStatus::Revoked,
            }),
            Some(a) if !a.licensed_on(day) => Some(IssueKind::AgencyLicenceExpired {
                until: a.licence_until.map(|d| d.to_display()).unwrap_or_default(),
            }),
            Some(_) => None,
        }
    }

    /// What the district's lists say about an episode, as warnings (never errors: a field
    /// worker records what happened, listed or not): an agency the district does not list, or
    /// whose licence was not valid at the departure (today for one not yet departed), and a
    /// destination under a moratorium. Says nothing about agencies while the district has
    /// listed none.
    pub fn check_episode(&self, e: &MigrationEpisode, today: Date) -> Vec<Issue> {
        let mut out = Vec::new();
        if let Some(kind) = e
            .agency
            .as_deref()
            .and_then(|a| self.check_agency(a, e.departure_date.unwrap_or(today)))
        {
            out.push(Issue::warning("agency", kind));
        }
        if let Some(note) = self.country_note(&e.destination_country)
            && note.moratorium
        {
            out.push(Issue::warning(
                "destination_country",
                IssueKind::Moratorium {
                    note: note.note.clone().unwrap_or_default(),
                },
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::VillageDoc;
    use crate::records::MigrationEpisode;

    #[test]
    fn genesis_is_identical_on_every_device_and_kinds_are_checked() {
        let code: DistrictCode = "35.07".parse().unwrap();
        let mut a = DistrictDoc::genesis(&code);
        let mut b = DistrictDoc::genesis(&code);
        assert_eq!(a.automerge().get_heads(), b.automerge().get_heads());
        let bytes = a.save();
        assert_eq!(DistrictDoc::load(&bytes).unwrap().code(), Some(code));
        assert!(matches!(
            VillageDoc::load(&bytes),
            Err(ModelError::WrongKind { .. })
        ));
        assert!(matches!(
            DistrictDoc::load(b"not automerge"),
            Err(ModelError::Load(_))
        ));
    }

    fn author(device: &str) -> Author {
        Author::new("disnaker-malang", device)
    }

    #[test]
    fn a_countrys_note_covers_every_way_its_name_is_written() {
        let code: DistrictCode = "35.07".parse().unwrap();
        let mut d = DistrictDoc::genesis(&code);
        let mut note = CountryNote::new(RecordId::random(), "Saudi Arabia");
        note.moratorium = true;
        d.create(note, &author("pc"), 1).unwrap();
        let r = d.reference();
        for typed in ["Arab Saudi", "arab saudi", "KSA", "Saudi Arabia"] {
            assert!(r.country_note(typed).is_some_and(|n| n.moratorium), "{typed}");
        }
        assert!(r.country_note("Malaysia").is_none());
    }

    fn day(y: u16, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    #[test]
    fn two_clerks_edit_one_agency_offline_and_both_edits_stay() {
        let code: DistrictCode = "35.07".parse().unwrap();
        let mut a = DistrictDoc::genesis(&code);
        let mut agency = Agency::new(RecordId::random(), "PT Maju (fiktif)");
        agency.licence_until = Some(day(2026, 1, 31));
        a.create(agency.clone(), &author("pc-1"), 1).unwrap();
        let mut b = DistrictDoc::load(&a.save()).unwrap();

        let mut renewed = agency.clone();
        renewed.licence_until = Some(day(2029, 1, 31));
        assert_eq!(
            a.update(&agency, &renewed, &author("pc-1"), 2).unwrap(),
            vec!["licence_until"]
        );
        let mut moved = agency.clone();
        moved.address = Some("Kepanjen".into());
        b.update(&agency, &moved, &author("pc-2"), 3).unwrap();
        a.merge(&mut b).unwrap();

        let got: Agency = a.get(&agency.id).unwrap();
        assert_eq!(got.licence_until, Some(day(2029, 1, 31)));
        assert_eq!(got.address.as_deref(), Some("Kepanjen"));
        a.delete::<Agency>(&agency.id, &author("pc-1"), 4).unwrap();
        assert!(a.reference().live_agencies().is_empty());
        assert!(a.reference().agencies[&agency.id].deleted, "kept, marked deleted");
        a.restore::<Agency>(&agency.id, &author("pc-1"), 5).unwrap();
        assert_eq!(a.reference().live_agencies().len(), 1);
    }

    /// Countries and the training schedule are not in the genesis change: two offices adding
    /// them offline must still share one map each, or one's records would hide the other's.
    #[test]
    fn maps_added_after_genesis_are_shared_by_devices_that_add_them_offline() {
        let code: DistrictCode = "35.07".parse().unwrap();
        let mut a = DistrictDoc::genesis(&code);
        let mut b = DistrictDoc::genesis(&code);
        a.create(
            CountryNote::new(RecordId::random(), "Arab Saudi"),
            &author("pc-1"),
            1,
        )
        .unwrap();
        b.create(CountryNote::new(RecordId::random(), "Taiwan"), &author("pc-2"), 2)
            .unwrap();
        b.create(
            ScheduledTraining::new(
                RecordId::random(),
                "T",
                crate::TrainingKind::Skills,
                day(2027, 1, 1),
            ),
            &author("pc-2"),
            3,
        )
        .unwrap();
        a.merge(&mut b).unwrap();
        let r = a.reference();
        assert_eq!(r.countries.len(), 2, "both offices' countries are there");
        assert_eq!(r.schedule.len(), 1);
    }

    #[test]
    fn an_episode_is_checked_against_the_district_lists() {
        let code: DistrictCode = "35.07".parse().unwrap();
        let mut d = DistrictDoc::genesis(&code);
        let by = author("pc-1");
        let episode = |agency: &str, departed: Option<Date>| {
            let mut e = MigrationEpisode::new(
                RecordId::random(),
                RecordId::random(),
                "Taiwan",
                crate::EpisodeState::Abroad,
            );
            e.agency = Some(agency.into());
            e.departure_date = departed;
            e
        };
        let today = day(2026, 11, 28);
        let kinds = |r: &Reference, e: &MigrationEpisode| -> Vec<IssueKind> {
            r.check_episode(e, today).into_iter().map(|i| i.kind).collect()
        };
        // No list yet: nothing to say.
        assert!(kinds(&d.reference(), &episode("PT Siapa Saja", None)).is_empty());

        let mut maju = Agency::new(RecordId::random(), "PT. Maju Jaya (fiktif)");
        maju.licence_until = Some(day(2024, 6, 30));
        d.create(maju, &by, 1).unwrap();
        let mut dicabut = Agency::new(RecordId::random(), "PT Dicabut");
        dicabut.status = AgencyStatus::Revoked;
        d.create(dicabut, &by, 2).unwrap();
        let mut saudi = CountryNote::new(RecordId::random(), "Arab Saudi");
        saudi.moratorium = true;
        saudi.note = Some("Kepmenaker 260/2015.".into());
        d.create(saudi, &by, 3).unwrap();
        let r = d.reference();

        // Listed, licensed at departure; the name as typed differs in case, "PT" and dots.
        assert!(kinds(&r, &episode("maju jaya (fiktif)", Some(day(2023, 2, 1)))).is_empty());
        assert_eq!(
            kinds(&r, &episode("PT Maju Jaya (fiktif)", Some(day(2025, 2, 1)))),
            vec![IssueKind::AgencyLicenceExpired {
                until: "30-06-2024".into()
            }],
            "the licence ran out before the departure"
        );
        assert_eq!(
            kinds(&r, &episode("PT Maju Jaya (fiktif)", None)).len(),
            1,
            "not yet departed: checked against today"
        );
        assert_eq!(
            kinds(&r, &episode("PT Dicabut", Some(day(2023, 1, 1)))),
            vec![IssueKind::AgencyNotActive { revoked: true }]
        );
        assert_eq!(
            kinds(&r, &episode("CV Calo Desa", None)),
            vec![IssueKind::AgencyNotListed]
        );
        let mut to_saudi = episode("", None);
        to_saudi.destination_country = "arab saudi".into();
        let issues = r.check_episode(&to_saudi, today);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].field, "destination_country");
        assert_eq!(issues[0].severity, crate::Severity::Warning);
        assert!(
            issues[0]
                .message(crate::Lang::Id)
                .contains("Kepmenaker 260/2015.")
        );
    }

    #[test]
    fn the_demo_district_lists_every_agency_the_demo_villages_used() {
        let code: DistrictCode = "35.07".parse().unwrap();
        let r = crate::demo::district_doc(&code).reference();
        assert_eq!(r.agencies.len(), 5);
        assert!(!r.announcements.is_empty() && !r.job_orders.is_empty() && !r.schedule.is_empty());
        let today = day(2026, 11, 28);
        let mut checked = 0;
        for v in &crate::demo::VILLAGES {
            let snapshot = crate::demo::village_doc(v, 30).snapshot();
            for e in snapshot.episodes.values().filter(|e| e.agency.is_some()) {
                let issues = r.check_episode(e, today);
                assert!(
                    issues.iter().all(|i| i.field != "agency"),
                    "{:?}: {issues:?}",
                    e.agency
                );
                checked += 1;
            }
        }
        assert!(checked > 10, "{checked} demo episodes name an agency");
    }
}
