use desmigratif_model::{
    Author, Case, CaseEntry, CaseKind, CaseOutcome, CaseStatus, CaseStep, Collection, Consultation,
    ConsultationTopic, Date, IssueKind, Person, RecordId, Referral, VillageDoc, validate::Validate,
};

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn village() -> VillageDoc {
    VillageDoc::genesis(&"35.07.11.2008".parse().unwrap())
}

fn entry(case: &RecordId, on: &str, step: CaseStep, officer: &str, at: i64) -> CaseEntry {
    let mut e = CaseEntry::new(RecordId::random(), case.clone(), date(on), step, officer, at);
    match step {
        CaseStep::Note => e.note = Some(format!("catatan {officer} {at}")),
        CaseStep::Referred => e.referred_to = Some(Referral::Bp3mi),
        CaseStep::Closed => e.outcome = Some(CaseOutcome::Resolved),
        CaseStep::InProgress => {}
    }
    e
}

/// Two phones that start using the pillars offline each add the pillars' maps; after a merge
/// both phones' records are there (the maps come from one shared change, not two rival ones).
#[test]
fn two_phones_starting_the_pillars_offline_keep_both_records() {
    let mut a = village();
    let mut b = VillageDoc::load(&a.save()).unwrap();
    let ani = Author::new("petugas", "hp-ani");
    let budi = Author::new("petugas", "hp-budi");
    let mut c1 = Consultation::new(
        RecordId::random(),
        date("2026-11-02"),
        ConsultationTopic::AgencyCheck,
    );
    c1.visitor_name = Some("Tamu A".into());
    let mut c2 = Consultation::new(
        RecordId::random(),
        date("2026-11-03"),
        ConsultationTopic::Contract,
    );
    c2.visitor_name = Some("Tamu B".into());
    a.create(c1.clone(), &ani, 10).unwrap();
    b.create(c2.clone(), &budi, 11).unwrap();
    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();
    for doc in [&a, &b] {
        let snap = doc.snapshot();
        assert_eq!(
            snap.pillars.consultations.len(),
            2,
            "both consultations survive the merge"
        );
        assert!(snap.pillars.consultations.contains_key(&c1.id));
        assert!(snap.pillars.consultations.contains_key(&c2.id));
    }
}

/// A village with one case (Sulastri's unpaid wages, reported by Ani on 1 October).
fn village_with_case() -> (VillageDoc, RecordId) {
    let mut doc = village();
    let mut case = Case::new(
        RecordId::random(),
        date("2026-10-01"),
        CaseKind::UnpaidWages,
        "petugas-ani",
    );
    case.person_name = Some("Sulastri".into());
    let id = doc
        .create(case, &Author::new("petugas-ani", "hp-ani"), 1)
        .unwrap();
    (doc, id)
}

/// Notes and steps written on two phones offline are all kept; the status follows the latest
/// step by date; each entry names the officer who wrote it.
#[test]
fn a_case_log_keeps_both_officers_entries_and_derives_the_status() {
    let (mut a, id) = village_with_case();
    let ani = Author::new("petugas-ani", "hp-ani");
    let budi = Author::new("petugas-budi", "hp-budi");
    assert_eq!(a.snapshot().pillars.case_log(&id).status(), CaseStatus::Reported);
    a.create(
        entry(&id, "2026-10-02", CaseStep::Referred, "petugas-ani", 2),
        &ani,
        2,
    )
    .unwrap();
    let mut b = VillageDoc::load(&a.save()).unwrap();
    // Offline: Ani notes a call, Budi notes a visit and marks it in progress.
    a.create(
        entry(&id, "2026-10-10", CaseStep::Note, "petugas-ani", 3),
        &ani,
        3,
    )
    .unwrap();
    b.create(
        entry(&id, "2026-10-09", CaseStep::Note, "petugas-budi", 4),
        &budi,
        4,
    )
    .unwrap();
    b.create(
        entry(&id, "2026-10-11", CaseStep::InProgress, "petugas-budi", 5),
        &budi,
        5,
    )
    .unwrap();
    a.merge(&mut b).unwrap();
    let snap = a.snapshot();
    let log = snap.pillars.case_log(&id);
    let who: Vec<(&str, CaseStep)> = log.entries.iter().map(|e| (e.officer.as_str(), e.step)).collect();
    assert_eq!(
        who,
        [
            ("petugas-ani", CaseStep::Referred),
            ("petugas-budi", CaseStep::Note),
            ("petugas-ani", CaseStep::Note),
            ("petugas-budi", CaseStep::InProgress),
        ],
        "every entry kept, oldest first"
    );
    assert_eq!(log.status(), CaseStatus::InProgress);
    assert!(
        !log.overdue(&snap.pillars.cases[&id], date("2026-11-10")),
        "30 days since the last entry"
    );
    assert!(
        log.overdue(&snap.pillars.cases[&id], date("2026-11-11")),
        "31 days since the last entry"
    );
    a.create(
        entry(&id, "2026-11-20", CaseStep::Closed, "petugas-ani", 6),
        &ani,
        6,
    )
    .unwrap();
    let snap = a.snapshot();
    assert_eq!(snap.pillars.case_log(&id).status(), CaseStatus::Closed);
    assert!(
        !snap
            .pillars
            .case_log(&id)
            .overdue(&snap.pillars.cases[&id], date("2027-06-01")),
        "a closed case is never overdue"
    );
    let summary = snap.pillar_summary(date("2026-11-28"));
    assert_eq!(summary.open_cases, 0);
}

/// A step written after another on the same day follows it, even when the phone's clock says
/// the same second or earlier (a cheap phone's clock is often behind).
#[test]
fn an_entry_written_after_another_follows_it_whatever_the_phones_clock_says() {
    let (mut a, id) = village_with_case();
    let ani = Author::new("petugas-ani", "hp-ani");
    let budi = Author::new("petugas-budi", "hp-budi");
    let referred = entry(&id, "2026-10-02", CaseStep::Referred, "petugas-ani", 1_000);
    a.create(referred, &ani, 2).unwrap();
    let mut b = VillageDoc::load(&a.save()).unwrap();
    for budis_clock in [1_000, 990] {
        let at = b.snapshot().pillars.case_log(&id).next_at(budis_clock);
        assert!(
            at > 1_000,
            "stamped after the referral Budi saw ({budis_clock} -> {at})"
        );
    }
    assert_eq!(
        b.snapshot().pillars.case_log(&id).next_at(5_000),
        5_000,
        "a clock ahead is kept"
    );
    let at = b.snapshot().pillars.case_log(&id).next_at(1_000);
    b.create(
        entry(&id, "2026-10-02", CaseStep::InProgress, "petugas-budi", at),
        &budi,
        3,
    )
    .unwrap();
    a.merge(&mut b).unwrap();
    let snap = a.snapshot();
    let log = snap.pillars.case_log(&id);
    let steps: Vec<CaseStep> = log.entries.iter().map(|e| e.step).collect();
    assert_eq!(steps, [CaseStep::Referred, CaseStep::InProgress]);
    assert_eq!(log.status(), CaseStatus::InProgress);
}

#[test]
fn the_home_counts_open_and_overdue_cases_and_this_months_consultations() {
    let mut doc = village();
    let by = Author::new("petugas", "hp");
    let mut old = Case::new(
        RecordId::random(),
        date("2026-09-01"),
        CaseKind::LostContact,
        "petugas",
    );
    old.person_name = Some("A".into());
    let mut fresh = Case::new(
        RecordId::random(),
        date("2026-11-20"),
        CaseKind::Illness,
        "petugas",
    );
    fresh.person_name = Some("B".into());
    doc.create(old, &by, 1).unwrap();
    doc.create(fresh.clone(), &by, 2).unwrap();
    for (d, n) in [("2026-11-01", 3), ("2026-10-31", 4)] {
        let mut c = Consultation::new(RecordId::random(), date(d), ConsultationTopic::Procedure);
        c.visitor_name = Some("Tamu".into());
        doc.create(c, &by, n).unwrap();
    }
    let mut deleted = Consultation::new(RecordId::random(), date("2026-11-05"), ConsultationTopic::Other);
    deleted.visitor_name = Some("Tamu".into());
    let gone = doc.create(deleted, &by, 5).unwrap();
    doc.delete::<Consultation>(&gone, &by, 6).unwrap();
    let summary = doc.snapshot().pillar_summary(date("2026-11-28"));
    assert_eq!(summary.open_cases, 2);
    assert_eq!(summary.overdue_cases, 1);
    assert_eq!(
        summary.consultations_this_month, 1,
        "October's and the deleted one do not count"
    );
}

#[test]
fn a_persons_detail_finds_their_consultations_and_cases() {
    let mut doc = village();
    let by = Author::new("petugas", "hp");
    let siti = doc
        .create(Person::new(RecordId::random(), "Siti"), &by, 1)
        .unwrap();
    let mut c = Consultation::new(RecordId::random(), date("2026-11-01"), ConsultationTopic::Country);
    c.person = Some(siti.clone());
    let consultation = doc.create(c, &by, 2).unwrap();
    let mut k = Case::new(
        RecordId::random(),
        date("2026-11-02"),
        CaseKind::Documents,
        "petugas",
    );
    k.person = Some(siti.clone());
    let case = doc.create(k, &by, 3).unwrap();
    let linked = doc.snapshot().pillars.linked_to(&siti);
    assert_eq!(
        linked,
        [
            (Collection::Consultations, consultation),
            (Collection::Cases, case)
        ]
    );
}

#[test]
fn confidential_cases_show_their_person_to_the_recorder_and_the_district_only() {
    let mut case = Case::new(
        RecordId::random(),
        date("2026-11-01"),
        CaseKind::Trafficking,
        "petugas-ani",
    );
    assert!(
        case.is_confidential(),
        "trafficking is confidential whatever the form says"
    );
    case.confidential = false;
    assert!(case.is_confidential());
    assert!(case.shows_person_to("petugas-ani", false));
    assert!(!case.shows_person_to("petugas-budi", false));
    assert!(case.shows_person_to("disnaker-malang", true));
    let mut wages = Case::new(
        RecordId::random(),
        date("2026-11-01"),
        CaseKind::UnpaidWages,
        "petugas-ani",
    );
    assert!(wages.shows_person_to("petugas-budi", false));
    wages.confidential = true;
    assert!(!wages.shows_person_to("petugas-budi", false));
}

#[test]
fn pillar_records_are_checked_from_their_declaration_and_their_own_rules() {
    let kinds = |issues: Vec<desmigratif_model::Issue>| -> Vec<(String, IssueKind)> {
        issues.into_iter().map(|i| (i.field, i.kind)).collect()
    };
    let mut c = Consultation::new(RecordId::random(), date("2026-11-10"), ConsultationTopic::Other);
    assert_eq!(
        kinds(c.validate()),
        [("visitor_name".to_owned(), IssueKind::PersonOrName)]
    );
    c.visitor_name = Some("Tamu".into());
    c.follow_up = Some(date("2026-11-01"));
    c.outcome = Some("x".repeat(4001));
    assert_eq!(
        kinds(c.validate()),
        [
            ("outcome".to_owned(), IssueKind::TooLong { max: 4000 }),
            ("follow_up".to_owned(), IssueKind::BeforeDate)
        ]
    );
    assert_eq!(
        kinds(c.validate_on(date("2026-11-09"))),
        [("date".to_owned(), IssueKind::InFuture)]
    );
    let case = RecordId::random();
    let referred = CaseEntry::new(
        RecordId::random(),
        case.clone(),
        date("2026-11-10"),
        CaseStep::Referred,
        "p",
        1,
    );
    assert_eq!(
        kinds(referred.validate()),
        [("referred_to".to_owned(), IssueKind::Required)]
    );
    let closed = CaseEntry::new(
        RecordId::random(),
        case.clone(),
        date("2026-11-10"),
        CaseStep::Closed,
        "p",
        1,
    );
    assert_eq!(
        kinds(closed.validate()),
        [("outcome".to_owned(), IssueKind::Required)]
    );
    let note = CaseEntry::new(
        RecordId::random(),
        case,
        date("2026-11-10"),
        CaseStep::Note,
        "p",
        1,
    );
    assert_eq!(kinds(note.validate()), [("note".to_owned(), IssueKind::Required)]);
    let mut doc = village();
    let refused = doc.create(note, &Author::new("p", "hp"), 1);
    assert!(refused.is_err(), "an empty note is not saved");
    assert!(doc.snapshot().pillars.case_entries.is_empty());
}

/// Two officers record payments of one member offline: both payments stay, and the balance is
/// derived from them (never stored, so it cannot be overwritten by the other phone's total).
#[test]
fn a_ledger_keeps_both_offline_payments_and_derives_the_balance() {
    use desmigratif_model::{Balance, LedgerEntry, LedgerKind, Membership};
    let mut a = village();
    let ani = Author::new("petugas-ani", "hp-ani");
    let budi = Author::new("petugas-budi", "hp-budi");
    let siti = a
        .create(Person::new(RecordId::random(), "Siti"), &ani, 1)
        .unwrap();
    let m = a
        .create(
            Membership::new(RecordId::random(), siti, "Koperasi Senang Hati"),
            &ani,
            2,
        )
        .unwrap();
    let mut b = VillageDoc::load(&a.save()).unwrap();
    let pay = |kind, amount, day| LedgerEntry::new(RecordId::random(), m.clone(), date(day), kind, amount);
    a.create(pay(LedgerKind::Deposit, 50_000, "2026-11-02"), &ani, 3)
        .unwrap();
    b.create(pay(LedgerKind::Deposit, 75_000, "2026-11-03"), &budi, 4)
        .unwrap();
    b.create(pay(LedgerKind::LoanDisbursed, 1_000_000, "2026-11-04"), &budi, 5)
        .unwrap();
    a.create(pay(LedgerKind::Repayment, 100_000, "2026-11-20"), &ani, 6)
        .unwrap();
    a.merge(&mut b).unwrap();
    let snap = a.snapshot();
    assert_eq!(snap.pillars.ledger_of(&m).len(), 4, "both phones' payments");
    assert_eq!(
        snap.pillars.balance_of(&m),
        Balance {
            savings: 125_000,
            loans: 900_000
        }
    );
    assert_eq!(snap.pillar_summary(date("2026-11-28")).savings, 125_000);
    assert_eq!(snap.pillar_summary(date("2026-11-28")).members, 1);
    assert_eq!(desmigratif_model::records::rupiah(1_250_000), "Rp 1.250.000");
    let zero = pay(LedgerKind::Deposit, 0, "2026-11-05");
    assert!(a.create(zero, &ani, 7).is_err(), "an amount of zero is refused");
}

/// Attendees added on two phones offline are all kept; a person's page finds the training,
/// and a business shows the trainings its owner attended.
#[test]
fn participants_added_offline_on_two_phones_are_all_kept() {
    use desmigratif_model::{Business, BusinessSector, Participation, Training, TrainingKind};
    let mut a = village();
    let ani = Author::new("petugas-ani", "hp-ani");
    let budi = Author::new("petugas-budi", "hp-budi");
    let p1 = a
        .create(Person::new(RecordId::random(), "Satu"), &ani, 1)
        .unwrap();
    let p2 = a.create(Person::new(RecordId::random(), "Dua"), &ani, 2).unwrap();
    let t = a
        .create(
            Training::new(
                RecordId::random(),
                "Keripik",
                TrainingKind::Skills,
                date("2026-10-01"),
            ),
            &ani,
            3,
        )
        .unwrap();
    let mut b = VillageDoc::load(&a.save()).unwrap();
    a.create(
        Participation::new(RecordId::random(), t.clone(), p1.clone()),
        &ani,
        4,
    )
    .unwrap();
    b.create(
        Participation::new(RecordId::random(), t.clone(), p2.clone()),
        &budi,
        5,
    )
    .unwrap();
    a.merge(&mut b).unwrap();
    a.create(
        Business::new(
            RecordId::random(),
            p1.clone(),
            "Keripik tempe",
            BusinessSector::Food,
        ),
        &ani,
        6,
    )
    .unwrap();
    let snap = a.snapshot();
    let who: std::collections::BTreeSet<&RecordId> =
        snap.pillars.participants(&t).iter().map(|p| &p.person).collect();
    assert_eq!(who, [&p1, &p2].into_iter().collect());
    assert!(
        snap.pillars
            .linked_to(&p2)
            .contains(&(Collection::Trainings, t.clone()))
    );
    assert_eq!(
        snap.pillars
            .trainings_of(&p1)
            .iter()
            .map(|t| t.title.as_str())
            .collect::<Vec<_>>(),
        ["Keripik"]
    );
    let summary = snap.pillar_summary(date("2026-11-28"));
    assert_eq!((summary.businesses_running, summary.trainings_coming), (1, 0));
}

#[test]
fn a_childs_risks_count_on_the_home() {
    use desmigratif_model::{Child, ChildRisk, ParentAbroad, SchoolStatus};
    let mut doc = village();
    let by = Author::new("petugas", "hp");
    let kid = doc
        .create(Person::new(RecordId::random(), "Anak"), &by, 1)
        .unwrap();
    let mut grandma = Person::new(RecordId::random(), "Nenek");
    grandma.birth_date = Some(date("1960-05-01"));
    let grandma = doc.create(grandma, &by, 2).unwrap();
    let mut c = Child::new(RecordId::random(), kid, ParentAbroad::Mother);
    c.birth_certificate = true;
    c.school_status = Some(SchoolStatus::Attending);
    let cid = doc.create(c.clone(), &by, 3).unwrap();
    let today = date("2026-11-28");
    let snap = doc.snapshot();
    assert!(snap.child_risks(&snap.pillars.children[&cid], today).is_empty());
    assert_eq!(snap.pillar_summary(today).children_at_risk, 0);
    let mut edited = c.clone();
    edited.caregiver = Some(grandma);
    edited.school_status = Some(SchoolStatus::DroppedOut);
    doc.update(&c, &edited, &by, 4).unwrap();
    let snap = doc.snapshot();
    assert_eq!(
        snap.child_risks(&snap.pillars.children[&cid], today),
        [ChildRisk::DroppedOut, ChildRisk::ElderlyCaregiver]
    );
    assert_eq!(snap.pillar_summary(today).children_at_risk, 1);
}
