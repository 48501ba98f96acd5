//! What the pages need of each pillar record type beyond its declaration ([`PillarUi`]), and
//! the registry of their [`Kind`]s.

use desmigratif_model::Lang;
use desmigratif_model::{
    Business, BusinessSector, Case, CaseEntry, CaseKind, CaseStep, Child, Consultation, ConsultationTopic,
    Date, LedgerEntry, LedgerKind, Membership, ParentAbroad, Parenting, ParentingKind, RecordId, Session,
    Text, Training, TrainingKind, VillageSnapshot,
};

use super::{Kind, PillarUi, choice_label, kind_of};
use crate::session::Session as Login;

pub static CONSULTATIONS: Kind = kind_of::<Consultation>();
pub static CASES: Kind = kind_of::<Case>();
pub static CASE_ENTRIES: Kind = kind_of::<CaseEntry>();
pub static SESSIONS: Kind = kind_of::<Session>();
pub static TRAININGS: Kind = kind_of::<Training>();
pub static PARENTING: Kind = kind_of::<Parenting>();
pub static BUSINESSES: Kind = kind_of::<Business>();
pub static CHILDREN: Kind = kind_of::<Child>();
pub static MEMBERSHIPS: Kind = kind_of::<Membership>();
pub static LEDGER: Kind = kind_of::<LedgerEntry>();

/// Every kind with pages of its own, by pillar, in the order the services page lists them.
pub static LISTED: [&Kind; 8] = [
    &CONSULTATIONS,
    &SESSIONS,
    &CASES,
    &TRAININGS,
    &BUSINESSES,
    &CHILDREN,
    &PARENTING,
    &MEMBERSHIPS,
];

/// The kind whose pages live under `/layanan/<path>`.
pub fn by_path(path: &str) -> Option<&'static Kind> {
    LISTED.iter().copied().find(|k| k.path == path)
}

/// The kind of a collection, if it has pages.
pub fn by_collection(c: desmigratif_model::Collection) -> Option<&'static Kind> {
    LISTED.iter().copied().find(|k| k.collection == c)
}

impl PillarUi for Consultation {
    const PERSON_FIELD: Option<&'static str> = Some("person");
    const PATH: &'static str = "konsultasi";
    const PLURAL: Text = Text::new("Konsultasi");
    const PILLAR: u8 = 1;
    fn fresh(link: Option<RecordId>, _: &Login, today: Date, _: i64) -> Option<Self> {
        let mut c = Consultation::new(RecordId::random(), today, ConsultationTopic::Procedure);
        c.person = link;
        Some(c)
    }
    fn person(&self) -> Option<&RecordId> {
        self.person.as_ref()
    }
    fn date(&self) -> Option<Date> {
        Some(self.date)
    }
    fn typed_name(&self) -> Option<String> {
        self.visitor_name.clone()
    }
    fn facts(&self, _: &VillageSnapshot, lang: Lang, _: Date) -> String {
        format!(
            "{} · {}",
            self.date.to_display(),
            choice_label::<Self>("topic", self.topic, lang)
        )
    }
}

impl PillarUi for Case {
    const PERSON_FIELD: Option<&'static str> = Some("person");
    const PATH: &'static str = "kasus";
    const PLURAL: Text = Text::new("Kasus & pengaduan");
    const PILLAR: u8 = 1;
    const IDENTIFYING: &'static [&'static str] = &["person_name", "reported_by", "description"];
    fn fresh(link: Option<RecordId>, session: &Login, today: Date, _: i64) -> Option<Self> {
        let mut c = Case::new(
            RecordId::random(),
            today,
            CaseKind::UnpaidWages,
            session.username.clone(),
        );
        c.person = link;
        Some(c)
    }
    fn person(&self) -> Option<&RecordId> {
        self.person.as_ref()
    }
    fn date(&self) -> Option<Date> {
        Some(self.reported_on)
    }
    fn typed_name(&self) -> Option<String> {
        self.person_name.clone()
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
            facts.push_str(Text::new(" · lewat 30 hari tanpa catatan").get(lang));
        }
        facts
    }
    fn shows_person_to(&self, session: &Login) -> bool {
        Case::shows_person_to(self, &session.username, session.is_district())
    }
    const FILTERS: &'static [(&'static str, Text)] = &[
        ("terbuka", Text::new("Belum selesai")),
        ("terlambat", Text::new("Lewat 30 hari tanpa catatan")),
        ("selesai", Text::ctx("Closed", "Selesai")),
    ];
    fn passes(&self, snapshot: &VillageSnapshot, code: &str, today: Date) -> bool {
        let log = snapshot.pillars.case_log(&self.id);
        let open = log.status() != desmigratif_model::CaseStatus::Closed;
        match code {
            "terbuka" => open,
            "terlambat" => log.overdue(self, today),
            "selesai" => !open,
            _ => true,
        }
    }
}

impl PillarUi for CaseEntry {
    const PATH: &'static str = "kasus-catatan";
    const PLURAL: Text = Text::new("Catatan kasus");
    const PILLAR: u8 = 1;
    fn fresh(link: Option<RecordId>, session: &Login, today: Date, now: i64) -> Option<Self> {
        Some(CaseEntry::new(
            RecordId::random(),
            link?,
            today,
            CaseStep::Note,
            session.username.clone(),
            now,
        ))
    }
    fn person(&self) -> Option<&RecordId> {
        None
    }
    fn date(&self) -> Option<Date> {
        Some(self.date)
    }
    fn typed_name(&self) -> Option<String> {
        None
    }
    fn facts(&self, _: &VillageSnapshot, lang: Lang, _: Date) -> String {
        choice_label::<Self>("step", self.step, lang)
    }
    /// Written after every entry its officer saw, whatever the phone's clock says.
    fn written(&mut self, snapshot: &VillageSnapshot, now: i64) {
        self.at = snapshot.pillars.case_log(&self.case).next_at(now);
    }
    /// What the chosen step does not use is not kept.
    fn tidy(&mut self) {
        if self.step != CaseStep::Referred {
            self.referred_to = None;
        }
        if self.step != CaseStep::Closed {
            self.outcome = None;
        }
    }
    fn shows_field(draft: &crate::record_draft::RecordDraft, key: &str) -> bool {
        match key {
            "referred_to" => draft.get("step") == "Referred",
            "outcome" => draft.get("step") == "Closed",
            _ => true,
        }
    }
}

impl PillarUi for Session {
    const PATH: &'static str = "sosialisasi";
    const PLURAL: Text = Text::new("Sosialisasi migrasi aman");
    const PILLAR: u8 = 1;
    const ACTIVITY: bool = true;
    fn fresh(_: Option<RecordId>, _: &Login, today: Date, _: i64) -> Option<Self> {
        Some(Session::new(RecordId::random(), today, "", ""))
    }
    fn person(&self) -> Option<&RecordId> {
        None
    }
    fn date(&self) -> Option<Date> {
        Some(self.date)
    }
    fn typed_name(&self) -> Option<String> {
        Some(self.topic.clone())
    }
    fn facts(&self, snapshot: &VillageSnapshot, lang: Lang, _: Date) -> String {
        let n = snapshot.pillars.participants(&self.id).len() as i64 + self.unregistered.unwrap_or(0);
        format!(
            "{} · {} · {n} {}",
            self.date.to_display(),
            self.place,
            Text::ctx("attendees", "peserta").get(lang)
        )
    }
}

impl PillarUi for Training {
    const FILTERS: &'static [(&'static str, Text)] = &[
        ("akan-datang", Text::new("Akan datang")),
        ("lewat", Text::new("Sudah lewat")),
    ];
    fn passes(&self, _: &VillageSnapshot, code: &str, today: Date) -> bool {
        match code {
            "akan-datang" => self.start >= today,
            "lewat" => self.start < today,
            _ => true,
        }
    }
    const PATH: &'static str = "pelatihan";
    const PLURAL: Text = Text::new("Pelatihan");
    const PILLAR: u8 = 2;
    const ACTIVITY: bool = true;
    const COMPLETION: bool = true;
    fn fresh(_: Option<RecordId>, _: &Login, today: Date, _: i64) -> Option<Self> {
        Some(Training::new(RecordId::random(), "", TrainingKind::Skills, today))
    }
    fn person(&self) -> Option<&RecordId> {
        None
    }
    fn date(&self) -> Option<Date> {
        Some(self.start)
    }
    fn typed_name(&self) -> Option<String> {
        Some(self.title.clone())
    }
    fn facts(&self, snapshot: &VillageSnapshot, lang: Lang, _: Date) -> String {
        let n = snapshot.pillars.participants(&self.id).len();
        format!(
            "{} · {} · {n} {}",
            self.start.to_display(),
            choice_label::<Self>("kind", self.kind, lang),
            Text::ctx("participants", "peserta").get(lang)
        )
    }
}

impl PillarUi for Parenting {
    const PATH: &'static str = "parenting";
    const PLURAL: Text = Text::new("Parenting & rumah belajar");
    const PILLAR: u8 = 3;
    const ACTIVITY: bool = true;
    fn fresh(_: Option<RecordId>, _: &Login, today: Date, _: i64) -> Option<Self> {
        Some(Parenting::new(
            RecordId::random(),
            today,
            ParentingKind::ParentingClass,
        ))
    }
    fn person(&self) -> Option<&RecordId> {
        None
    }
    fn date(&self) -> Option<Date> {
        Some(self.date)
    }
    fn typed_name(&self) -> Option<String> {
        None
    }
    fn facts(&self, snapshot: &VillageSnapshot, lang: Lang, _: Date) -> String {
        let n = snapshot.pillars.participants(&self.id).len();
        format!(
            "{} · {n} {}",
            self.date.to_display(),
            Text::ctx("attendees", "peserta").get(lang)
        )
    }
    fn title(&self, lang: Lang) -> Option<String> {
        Some(choice_label::<Self>("kind", self.kind, lang))
    }
}

impl PillarUi for Business {
    const FILTERS: &'static [(&'static str, Text)] = &[
        ("berjalan", Text::new("Berjalan")),
        ("rencana", Text::new("Rencana")),
        ("berhenti", Text::new("Berhenti")),
    ];
    fn passes(&self, _: &VillageSnapshot, code: &str, _: Date) -> bool {
        use desmigratif_model::BusinessStatus::*;
        matches!(
            (code, self.status),
            ("berjalan", Running) | ("rencana", Planned) | ("berhenti", Stopped)
        )
    }
    const PATH: &'static str = "usaha";
    const PLURAL: Text = Text::new("Usaha produktif");
    const PILLAR: u8 = 2;
    const NEEDS_PERSON: bool = true;
    fn fresh(link: Option<RecordId>, _: &Login, _: Date, _: i64) -> Option<Self> {
        Some(Business::new(RecordId::random(), link?, "", BusinessSector::Food))
    }
    fn person(&self) -> Option<&RecordId> {
        Some(&self.owner)
    }
    fn date(&self) -> Option<Date> {
        self.started
    }
    fn typed_name(&self) -> Option<String> {
        None
    }
    fn facts(&self, _: &VillageSnapshot, lang: Lang, _: Date) -> String {
        format!(
            "{} · {}",
            self.kind,
            choice_label::<Self>("status", self.status, lang)
        )
    }
}

impl PillarUi for Child {
    const FILTERS: &'static [(&'static str, Text)] = &[("perhatian", Text::new("Perlu perhatian"))];
    fn passes(&self, snapshot: &VillageSnapshot, code: &str, today: Date) -> bool {
        code != "perhatian" || !snapshot.child_risks(self, today).is_empty()
    }
    const PATH: &'static str = "anak";
    const PLURAL: Text = Text::new("Anak PMI");
    const PILLAR: u8 = 3;
    const NEEDS_PERSON: bool = true;
    fn fresh(link: Option<RecordId>, _: &Login, _: Date, _: i64) -> Option<Self> {
        let mut c = Child::new(RecordId::random(), link?, ParentAbroad::Mother);
        c.birth_certificate = true;
        Some(c)
    }
    fn person(&self) -> Option<&RecordId> {
        Some(&self.child)
    }
    fn date(&self) -> Option<Date> {
        None
    }
    fn typed_name(&self) -> Option<String> {
        None
    }
    fn facts(&self, snapshot: &VillageSnapshot, lang: Lang, today: Date) -> String {
        let risks: Vec<&str> = snapshot
            .child_risks(self, today)
            .into_iter()
            .map(|r| r.label().get(lang))
            .collect();
        let school = self
            .school_status
            .map(|s| choice_label::<Self>("school_status", s, lang))
            .unwrap_or_else(|| "—".into());
        if risks.is_empty() {
            school
        } else {
            format!("{school} · ⚠ {}", risks.join(", "))
        }
    }
}

impl PillarUi for Membership {
    const PATH: &'static str = "koperasi";
    const PLURAL: Text = Text::new("Koperasi & BUMDes");
    const PILLAR: u8 = 4;
    const NEEDS_PERSON: bool = true;
    fn fresh(link: Option<RecordId>, _: &Login, today: Date, _: i64) -> Option<Self> {
        let mut m = Membership::new(RecordId::random(), link?, "");
        m.joined = Some(today);
        Some(m)
    }
    fn person(&self) -> Option<&RecordId> {
        Some(&self.member)
    }
    fn date(&self) -> Option<Date> {
        self.joined
    }
    fn typed_name(&self) -> Option<String> {
        None
    }
    fn facts(&self, snapshot: &VillageSnapshot, lang: Lang, _: Date) -> String {
        let b = snapshot.pillars.balance_of(&self.id);
        format!(
            "{} · {} {}",
            self.cooperative,
            Text::new("simpanan").get(lang),
            desmigratif_model::records::rupiah(b.savings)
        )
    }
}

impl PillarUi for LedgerEntry {
    const PATH: &'static str = "koperasi-transaksi";
    const PLURAL: Text = Text::new("Transaksi");
    const PILLAR: u8 = 4;
    fn fresh(link: Option<RecordId>, _: &Login, today: Date, _: i64) -> Option<Self> {
        // The amount starts empty: the form asks for it.
        Some(LedgerEntry::new(
            RecordId::random(),
            link?,
            today,
            LedgerKind::Deposit,
            0,
        ))
    }
    fn person(&self) -> Option<&RecordId> {
        None
    }
    fn date(&self) -> Option<Date> {
        Some(self.date)
    }
    fn typed_name(&self) -> Option<String> {
        None
    }
    fn facts(&self, _: &VillageSnapshot, lang: Lang, _: Date) -> String {
        format!(
            "{} · {} · {}",
            self.date.to_display(),
            choice_label::<Self>("kind", self.kind, lang),
            desmigratif_model::records::rupiah(self.amount)
        )
    }
}
