//! The incrementally maintained snapshot always equals a fresh full read: random creates, edits
//! (names, households, dusun), deletes, restores, episodes moving between persons and states,
//! concurrent edits merged in (conflicts appearing and being resolved) and records damaged by a
//! foreign client. After every step each replica refreshes its watched snapshot and compares it
//! with a fresh one (read record by record, and read in one walk), and with categories and
//! counts derived here independently. A copy of each snapshot without the document (as the
//! screen holds it while a worker owns the documents) follows every refresh through the delta
//! it recorded, sent in its stored form, and must equal the fresh read too.

use std::collections::{BTreeMap, HashMap};

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use desmigratif_model::{
    Author, Case, CaseEntry, CaseKind, CaseOutcome, CaseStep, Category, Consultation, ConsultationTopic,
    Date, EpisodeState, LedgerEntry, LedgerKind, Membership, MigrationEpisode, Person, PersonFilter,
    RecordId, Referral, SnapshotDelta, VillageDoc, VillageSnapshot,
};
use proptest::prelude::*;

pub(crate) const KKS: [&str; 3] = ["3507110101200001", "3507110101200002", "3507110101200003"];
const STATES: [EpisodeState; 5] = [
    EpisodeState::Planned,
    EpisodeState::Abroad,
    EpisodeState::Returned,
    EpisodeState::Missing,
    EpisodeState::Deceased,
];

#[derive(Clone, Debug)]
enum Op {
    CreatePerson {
        r: usize,
        kk: Option<usize>,
    },
    /// Edit person `p` (an index into the persons the replica knows, modulo).
    EditPerson {
        r: usize,
        p: usize,
        what: usize,
        v: usize,
    },
    DeletePerson {
        r: usize,
        p: usize,
    },
    CreateEpisode {
        r: usize,
        p: usize,
        state: usize,
    },
    EditEpisode {
        r: usize,
        e: usize,
        what: usize,
        v: usize,
    },
    DeleteEpisode {
        r: usize,
        e: usize,
    },
    Resolve {
        r: usize,
    },
    Damage {
        r: usize,
        p: usize,
    },
    Sync {
        from: usize,
        to: usize,
    },
    CreateCase {
        r: usize,
        p: Option<usize>,
    },
    /// A step or note on case `c`.
    CaseEntry {
        r: usize,
        c: usize,
        step: usize,
    },
    EditCase {
        r: usize,
        c: usize,
        v: usize,
    },
    DeleteCase {
        r: usize,
        c: usize,
    },
    CreateConsultation {
        r: usize,
        p: usize,
    },
    /// A membership for person `p`, or a payment on membership `m` (`p` picks which).
    Cooperative {
        r: usize,
        p: usize,
        amount: i64,
    },
}

const STEPS: [CaseStep; 4] = [
    CaseStep::Note,
    CaseStep::Referred,
    CaseStep::InProgress,
    CaseStep::Closed,
];

fn op(replicas: usize) -> impl Strategy<Value = Op> {
    let r = 0..replicas;
    prop_oneof![
        3 => (r.clone(), prop::option::of(0..KKS.len())).prop_map(|(r, kk)| Op::CreatePerson { r, kk }),
        5 => (r.clone(), 0..50usize, 0..5usize, 0..4usize).prop_map(|(r, p, what, v)| Op::EditPerson { r, p, what, v }),
        1 => (r.clone(), 0..50usize).prop_map(|(r, p)| Op::DeletePerson { r, p }),
        3 => (r.clone(), 0..50usize, 0..STATES.len()).prop_map(|(r, p, state)| Op::CreateEpisode { r, p, state }),
        3 => (r.clone(), 0..50usize, 0..3usize, 0..50usize).prop_map(|(r, e, what, v)| Op::EditEpisode { r, e, what, v }),
        1 => (r.clone(), 0..50usize).prop_map(|(r, e)| Op::DeleteEpisode { r, e }),
        1 => r.clone().prop_map(|r| Op::Resolve { r }),
        1 => (r.clone(), 0..50usize).prop_map(|(r, p)| Op::Damage { r, p }),
        2 => (r.clone(), prop::option::of(0..50usize)).prop_map(|(r, p)| Op::CreateCase { r, p }),
        3 => (r.clone(), 0..50usize, 0..STEPS.len()).prop_map(|(r, c, step)| Op::CaseEntry { r, c, step }),
        2 => (r.clone(), 0..50usize, 0..4usize).prop_map(|(r, c, v)| Op::EditCase { r, c, v }),
        1 => (r.clone(), 0..50usize).prop_map(|(r, c)| Op::DeleteCase { r, c }),
        1 => (r.clone(), 0..50usize).prop_map(|(r, p)| Op::CreateConsultation { r, p }),
        2 => (r.clone(), 0..50usize, -5i64..200_000).prop_map(|(r, p, amount)| Op::Cooperative { r, p, amount }),
        4 => (r.clone(), r).prop_map(|(from, to)| Op::Sync { from, to }),
    ]
}

/// Categories and counts derived from the records alone, the simple way.
fn oracle(s: &VillageSnapshot) -> (HashMap<RecordId, Category>, BTreeMap<Category, usize>) {
    fn live_eps<'a>(s: &'a VillageSnapshot, p: &'a RecordId) -> impl Iterator<Item = &'a MigrationEpisode> {
        s.episodes.values().filter(move |e| !e.deleted && &e.person == p)
    }
    let migrant_kk = |kk: &str| {
        s.persons
            .values()
            .any(|m| !m.deleted && m.no_kk.as_deref() == Some(kk) && live_eps(s, &m.id).next().is_some())
    };
    let mut cats = HashMap::new();
    let mut counts = BTreeMap::new();
    for p in s.persons.values() {
        let family = p.no_kk.as_deref().is_some_and(migrant_kk);
        let c = Category::derive(live_eps(s, &p.id), family);
        cats.insert(p.id.clone(), c);
        if !p.deleted {
            *counts.entry(c).or_insert(0) += 1;
        }
    }
    (cats, counts)
}

fn check(
    doc: &mut VillageDoc,
    watched: &mut VillageSnapshot,
    copy: &mut VillageSnapshot,
) -> Result<(), TestCaseError> {
    // Every refresh starts from the snapshot as a device stores it and reads it back.
    *watched = VillageSnapshot::decode(&watched.encode()).expect("a stored snapshot reads back");
    let (_, delta) = watched.refresh_delta(doc);
    let sent: SnapshotDelta = postcard::from_bytes(&postcard::to_allocvec(&delta).unwrap()).unwrap();
    prop_assert_eq!(&sent, &delta);
    copy.apply_delta(&sent)
        .expect("the copy follows every delta in order");
    let fresh = doc.snapshot();
    prop_assert!(
        copy.same_as(&fresh),
        "the copy that followed the deltas differs from a fresh read:\n{:#?}\n---\n{:#?}",
        copy,
        fresh
    );
    prop_assert!(
        copy.apply_delta(&sent).is_err() || sent.is_empty(),
        "a delta applied twice is refused"
    );
    prop_assert!(
        watched.same_as(&fresh),
        "refreshed snapshot differs from a fresh read:\n{:#?}\n---\n{:#?}",
        watched,
        fresh
    );
    let walked = doc.watch();
    prop_assert!(
        walked.same_as(&fresh),
        "the one-walk full read differs from reading record by record:\n{:#?}\n---\n{:#?}",
        walked,
        fresh
    );
    let (cats, counts) = oracle(&fresh);
    for (id, c) in &cats {
        prop_assert_eq!(fresh.category(id), Some(*c));
    }
    prop_assert_eq!(&fresh.counts().0, &counts);
    let listed = fresh.search(&PersonFilter {
        include_deleted: true,
        ..Default::default()
    });
    prop_assert_eq!(listed.len(), fresh.persons.len());
    // The persons someone has to choose a value for, against the document itself.
    let in_conflict: Vec<&RecordId> = fresh
        .search(&PersonFilter {
            conflicted: true,
            ..Default::default()
        })
        .into_iter()
        .map(|p| &p.id)
        .collect();
    let expected: Vec<&RecordId> = fresh
        .search(&PersonFilter::default())
        .into_iter()
        .filter(|p| {
            !doc.conflicts::<Person>(&p.id).is_empty()
                || fresh
                    .episodes_of(&p.id)
                    .iter()
                    .any(|e| !doc.conflicts::<MigrationEpisode>(&e.id).is_empty())
        })
        .map(|p| &p.id)
        .collect();
    prop_assert_eq!(&in_conflict, &expected);
    prop_assert_eq!(fresh.persons_needing_choice(), expected.len());
    for pair in listed.windows(2) {
        prop_assert!(pair[0].full_name.to_lowercase() <= pair[1].full_name.to_lowercase());
    }
    Ok(())
}

fn nth<T: Clone>(items: impl Iterator<Item = T>, n: usize) -> Option<T> {
    let v: Vec<T> = items.collect();
    (!v.is_empty()).then(|| v[n % v.len()].clone())
}

fn run(replica_count: usize, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let code = "35.07.11.2008".parse().unwrap();
    let authors: Vec<Author> = (0..replica_count)
        .map(|i| Author::new("desa", format!("hp-{i}")))
        .collect();
    let genesis = VillageDoc::genesis(&code).save();
    let mut docs: Vec<VillageDoc> = (0..replica_count)
        .map(|_| VillageDoc::load(&genesis).unwrap())
        .collect();
    let mut snaps: Vec<VillageSnapshot> = docs.iter_mut().map(|d| d.watch()).collect();
    let mut copies: Vec<VillageSnapshot> = snaps
        .iter()
        .map(|s| VillageSnapshot::decode(&s.encode()).unwrap())
        .collect();
    // The case entries each replica wrote or received: none may ever go missing, whatever merges
    // (two officers' notes on one case offline are two records, never one overwriting the other).
    let mut written_entries: Vec<Vec<RecordId>> = vec![Vec::new(); replica_count];

    for (n, op) in ops.into_iter().enumerate() {
        let now = 10 + n as i64;
        let touched = match op {
            Op::CreatePerson { r, kk } => {
                let mut p = Person::new(RecordId::random(), format!("Orang {}", n % 7));
                p.no_kk = kk.map(|k| KKS[k].to_owned());
                p.dusun = Some(["Krajan", "Jaten"][n % 2].into());
                docs[r].create(p, &authors[r], now).unwrap();
                vec![r]
            }
            Op::EditPerson { r, p, what, v } => {
                let Some(base) = nth(snaps[r].persons.values().filter(|p| !p.deleted).cloned(), p) else {
                    continue;
                };
                let mut edited = base.clone();
                match what {
                    0 => edited.full_name = format!("{} {v}", ["Sri", "ani", "Budi", "Zaenal"][v]),
                    1 => edited.no_kk = (v < 3).then(|| KKS[v].to_owned()),
                    2 => edited.dusun = Some(["Krajan", "Jaten", "Sumber", "krajan"][v].into()),
                    3 => edited.nik = Some(format!("35071152059{:05}", n)),
                    _ => edited.phone = Some(format!("0812345{:05}", n)),
                }
                if docs[r].update(&base, &edited, &authors[r], now).is_err() {
                    continue;
                }
                vec![r]
            }
            Op::DeletePerson { r, p } => {
                let Some(id) = nth(snaps[r].persons.keys().cloned(), p) else {
                    continue;
                };
                if snaps[r].persons[&id].deleted {
                    docs[r].restore::<Person>(&id, &authors[r], now).unwrap();
                } else {
                    docs[r].delete::<Person>(&id, &authors[r], now).unwrap();
                }
                vec![r]
            }
            Op::CreateEpisode { r, p, state } => {
                let Some(person) = nth(snaps[r].persons.keys().cloned(), p) else {
                    continue;
                };
                let mut e = MigrationEpisode::new(
                    RecordId::random(),
                    person,
                    ["Hong Kong", "Taiwan", "Malaysia"][n % 3],
                    STATES[state],
                );
                e.departure_date = desmigratif_model::Date::new(2015 + (n % 9) as u16, 1, 1);
                docs[r].create(e, &authors[r], now).unwrap();
                vec![r]
            }
            Op::EditEpisode { r, e, what, v } => {
                let Some(base) = nth(snaps[r].episodes.values().filter(|e| !e.deleted).cloned(), e) else {
                    continue;
                };
                let mut edited = base.clone();
                match what {
                    0 => edited.state = STATES[v % STATES.len()],
                    1 => match nth(snaps[r].persons.keys().cloned(), v) {
                        Some(p) => edited.person = p,
                        None => continue,
                    },
                    _ => edited.destination_country = ["Taiwan", "Singapura", "Hong Kong"][v % 3].into(),
                }
                if docs[r].update(&base, &edited, &authors[r], now).is_err() {
                    continue;
                }
                vec![r]
            }
            Op::DeleteEpisode { r, e } => {
                let Some(id) = nth(snaps[r].episodes.keys().cloned(), e) else {
                    continue;
                };
                if snaps[r].episodes[&id].deleted {
                    docs[r]
                        .restore::<MigrationEpisode>(&id, &authors[r], now)
                        .unwrap();
                } else {
                    docs[r].delete::<MigrationEpisode>(&id, &authors[r], now).unwrap();
                }
                vec![r]
            }
            Op::Resolve { r } => {
                let Some(id) = snaps[r]
                    .persons
                    .keys()
                    .find(|id| !docs[r].conflicts::<Person>(id).is_empty())
                    .cloned()
                else {
                    continue;
                };
                let conflict = docs[r].conflicts::<Person>(&id).remove(0);
                let choice = conflict.values.last().unwrap().choice.clone();
                docs[r]
                    .resolve::<Person>(&id, &conflict.field, &choice, &authors[r], now)
                    .unwrap();
                vec![r]
            }
            Op::Damage { r, p } => {
                // A foreign client writes a record the model cannot read, or breaks a field.
                let target = nth(snaps[r].persons.keys().cloned(), p);
                let am = docs[r].automerge();
                let persons = am.get(ROOT, "persons").unwrap().unwrap().1;
                match target {
                    Some(id) if p % 2 == 0 => {
                        let obj = am.get(&persons, id.as_str()).unwrap().unwrap().1;
                        am.put(&obj, "full_name", 42).unwrap();
                    }
                    _ => {
                        let bad = am
                            .put_object(&persons, format!("asing-{n}"), automerge::ObjType::Map)
                            .unwrap();
                        am.put(&bad, "full_name", "Tanpa id").unwrap();
                    }
                }
                am.commit();
                vec![r]
            }
            Op::Sync { from, to } if from != to => {
                let mut source = docs[from].clone();
                docs[to].merge(&mut source).unwrap();
                let known: Vec<RecordId> = snaps[from].pillars.case_entries.keys().cloned().collect();
                written_entries[to].extend(known);
                vec![to]
            }
            Op::Sync { .. } => continue,
            Op::CreateCase { r, p } => {
                let mut case = Case::new(
                    RecordId::random(),
                    Date::new(2026, 1 + (n % 12) as u8, 1).unwrap(),
                    [
                        CaseKind::UnpaidWages,
                        CaseKind::Trafficking,
                        CaseKind::LostContact,
                    ][n % 3],
                    "desa",
                );
                match p.and_then(|p| nth(snaps[r].persons.keys().cloned(), p)) {
                    Some(person) => case.person = Some(person),
                    None => case.person_name = Some(format!("Tamu {n}")),
                }
                docs[r].create(case, &authors[r], now).unwrap();
                vec![r]
            }
            Op::CaseEntry { r, c, step } => {
                let Some(case) = nth(snaps[r].pillars.cases.keys().cloned(), c) else {
                    continue;
                };
                let mut entry = CaseEntry::new(
                    RecordId::random(),
                    case,
                    Date::new(2026, 6, 1 + (n % 28) as u8).unwrap(),
                    STEPS[step],
                    "desa",
                    now,
                );
                match entry.step {
                    CaseStep::Note => entry.note = Some(format!("catatan {n}")),
                    CaseStep::Referred => entry.referred_to = Some(Referral::Bp3mi),
                    CaseStep::Closed => entry.outcome = Some(CaseOutcome::Resolved),
                    CaseStep::InProgress => {}
                }
                docs[r].create(entry.clone(), &authors[r], now).unwrap();
                written_entries[r].push(entry.id);
                vec![r]
            }
            Op::EditCase { r, c, v } => {
                let Some(base) = nth(snaps[r].pillars.cases.values().filter(|c| !c.deleted).cloned(), c)
                else {
                    continue;
                };
                let mut edited = base.clone();
                match v {
                    0 | 1 => edited.description = Some(format!("uraian {v} dari hp-{r}")),
                    2 => edited.country = Some(["Taiwan", "Malaysia"][n % 2].into()),
                    _ => edited.confidential = !edited.confidential,
                }
                if docs[r].update(&base, &edited, &authors[r], now).is_err() {
                    continue;
                }
                vec![r]
            }
            Op::DeleteCase { r, c } => {
                let Some(id) = nth(snaps[r].pillars.cases.keys().cloned(), c) else {
                    continue;
                };
                if snaps[r].pillars.cases[&id].deleted {
                    docs[r].restore::<Case>(&id, &authors[r], now).unwrap();
                } else {
                    docs[r].delete::<Case>(&id, &authors[r], now).unwrap();
                }
                vec![r]
            }
            Op::Cooperative { r, p, amount } => {
                let memberships: Vec<RecordId> = snaps[r].pillars.memberships.keys().cloned().collect();
                if memberships.is_empty() || p % 3 == 0 {
                    let Some(person) = nth(snaps[r].persons.keys().cloned(), p) else {
                        continue;
                    };
                    docs[r]
                        .create(
                            Membership::new(RecordId::random(), person, "Koperasi"),
                            &authors[r],
                            now,
                        )
                        .unwrap();
                } else {
                    let kinds = [
                        LedgerKind::Deposit,
                        LedgerKind::Withdrawal,
                        LedgerKind::LoanDisbursed,
                        LedgerKind::Repayment,
                    ];
                    let entry = LedgerEntry::new(
                        RecordId::random(),
                        memberships[p % memberships.len()].clone(),
                        Date::new(2026, 2, 1 + (n % 28) as u8).unwrap(),
                        kinds[n % 4],
                        amount,
                    );
                    // Amounts of zero or less are refused, and leave nothing behind.
                    let refused = entry.amount <= 0;
                    prop_assert_eq!(docs[r].create(entry, &authors[r], now).is_err(), refused);
                }
                vec![r]
            }
            Op::CreateConsultation { r, p } => {
                let mut c = Consultation::new(
                    RecordId::random(),
                    Date::new(2026, 1 + (n % 12) as u8, 3).unwrap(),
                    ConsultationTopic::AgencyCheck,
                );
                match nth(snaps[r].persons.keys().cloned(), p) {
                    Some(person) => c.person = Some(person),
                    None => c.visitor_name = Some("Pengunjung".into()),
                }
                docs[r].create(c, &authors[r], now).unwrap();
                vec![r]
            }
        };
        for r in touched {
            check(&mut docs[r], &mut snaps[r], &mut copies[r])?;
            for id in &written_entries[r] {
                prop_assert!(
                    snaps[r].pillars.case_entries.contains_key(id),
                    "a case entry written here or received was lost"
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_refreshed_snapshot_equals_a_fresh_read(ops in prop::collection::vec(op(3), 1..60)) {
        run(3, ops)?;
    }
}
