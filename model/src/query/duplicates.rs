//! Possible duplicates across the villages of a district: one person recorded twice, in two
//! villages (moved, or recorded by both) or twice in one. Found from the snapshots on the
//! device, so the district's screen works offline.
//!
//! Three signs, strongest first: the same NIK; the same name (spelled alike once old spellings
//! and spacing are set aside) with the same birth date; the same name on the same family card
//! (No. KK). Two records with different NIKs are never paired by name: they are two people.

use std::collections::{BTreeMap, HashSet};

use crate::ids::RecordId;
use crate::query::VillageSnapshot;
use crate::records::DistinctPersons;

/// Why two records look like one person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DuplicateSign {
    SameNik,
    SameNameAndBirthDate,
    SameNameAndKk,
}

/// A person record in one of the villages given (by index).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PersonAt {
    pub village: usize,
    pub id: RecordId,
}

/// Two records that may be one person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicatePair {
    pub sign: DuplicateSign,
    pub a: PersonAt,
    pub b: PersonAt,
}

impl DuplicatePair {
    /// Whether the two records are in different villages.
    pub fn across_villages(&self) -> bool {
        self.a.village != self.b.village
    }
}

/// A name as compared: lower case, letters only, old spellings and new alike (`oe`/`u`,
/// `dj`/`j`, `tj`/`c`, `ch`/`kh`, `j`/`y`) and doubled letters single, so "Soeparti" and
/// "Suparti", "Djoko" and "Joko", "Tjahjono" and "Cahyono", "Siti  Aminah" and "Siti Aminah"
/// compare equal. A key for matching only, never shown.
pub fn name_key(name: &str) -> String {
    let letters: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect();
    let mut s = letters;
    // `j` last: in the old spelling it was today's `y` (Tjahjono, Cahyono), and a new `j`
    // (from `dj`, or written so) meets it there too.
    for (old, new) in [("oe", "u"), ("dj", "j"), ("tj", "c"), ("ch", "kh"), ("j", "y")] {
        s = s.replace(old, new);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// A record with its NIK, if it has one.
type WithNik<'a> = (PersonAt, Option<&'a str>);

/// Every possible duplicate among the live persons of `villages`, strongest sign first; a pair
/// is listed once, under its strongest sign. A pair someone decided is two people (a
/// [`DistinctPersons`] in any of the villages given) is not listed.
pub fn find_duplicates(villages: &[&VillageSnapshot]) -> Vec<DuplicatePair> {
    let decided: HashSet<(&str, &str)> = villages
        .iter()
        .flat_map(|s| s.pillars.live::<DistinctPersons>())
        .map(|d| (d.a.as_str(), d.b.as_str()))
        .collect();
    let key = |at: &PersonAt| DistinctPersons::key(villages[at.village].code.as_ref(), &at.id);
    let mut found = find_all(villages);
    if !decided.is_empty() {
        found.retain(|pair| {
            let (a, b) = (key(&pair.a), key(&pair.b));
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            !decided.contains(&(a.as_str(), b.as_str()))
        });
    }
    found
}

fn find_all(villages: &[&VillageSnapshot]) -> Vec<DuplicatePair> {
    let mut by_nik: BTreeMap<&str, Vec<PersonAt>> = BTreeMap::new();
    let mut by_birth: BTreeMap<(String, crate::Date), Vec<WithNik<'_>>> = BTreeMap::new();
    let mut by_kk: BTreeMap<(&str, String), Vec<WithNik<'_>>> = BTreeMap::new();
    for (v, s) in villages.iter().enumerate() {
        for p in s.persons.values().filter(|p| !p.deleted) {
            let at = PersonAt {
                village: v,
                id: p.id.clone(),
            };
            let nik = p.nik.as_deref().map(str::trim).filter(|n| !n.is_empty());
            if let Some(nik) = nik {
                by_nik.entry(nik).or_default().push(at.clone());
            }
            let key = name_key(&p.full_name);
            if key.is_empty() {
                continue;
            }
            if let Some(born) = p.birth_date {
                by_birth
                    .entry((key.clone(), born))
                    .or_default()
                    .push((at.clone(), nik));
            }
            if let Some(kk) = p.no_kk.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
                by_kk.entry((kk, key)).or_default().push((at, nik));
            }
        }
    }
    let mut out = Vec::new();
    let mut seen: HashSet<(PersonAt, PersonAt)> = HashSet::new();
    let mut add = |sign, a: &PersonAt, b: &PersonAt, out: &mut Vec<DuplicatePair>| {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        if seen.insert((a.clone(), b.clone())) {
            out.push(DuplicatePair {
                sign,
                a: a.clone(),
                b: b.clone(),
            });
        }
    };
    for group in by_nik.values() {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                add(DuplicateSign::SameNik, a, b, &mut out);
            }
        }
    }
    for (sign, groups) in [
        (
            DuplicateSign::SameNameAndBirthDate,
            by_birth.into_values().collect::<Vec<_>>(),
        ),
        (DuplicateSign::SameNameAndKk, by_kk.into_values().collect()),
    ] {
        for group in groups {
            for (i, (a, nik_a)) in group.iter().enumerate() {
                for (b, nik_b) in &group[i + 1..] {
                    // Two different NIKs are two people, whatever their names.
                    if matches!((nik_a, nik_b), (Some(x), Some(y)) if x != y) {
                        continue;
                    }
                    add(sign, a, b, &mut out);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Author, Date, Person, VillageDoc};

    fn person(name: &str, nik: Option<&str>, born: Option<Date>, kk: Option<&str>) -> Person {
        let mut p = Person::new(RecordId::random(), name);
        p.nik = nik.map(str::to_owned);
        p.birth_date = born;
        p.no_kk = kk.map(str::to_owned);
        p
    }

    #[test]
    fn the_same_nik_name_and_birth_or_name_and_family_card_pair_records_across_villages() {
        let by = Author::new("desa", "hp");
        let born = Date::new(1990, 8, 17);
        let mut arjo = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
        let mut brongkal = VillageDoc::genesis(&"35.07.33.2006".parse().unwrap());
        let a1 = arjo
            .create(
                person("Siti Aminah", Some("3507115708900001"), born, None),
                &by,
                1,
            )
            .unwrap();
        let b1 = brongkal
            .create(
                person("SITI AMINAH", Some("3507115708900001"), None, None),
                &by,
                1,
            )
            .unwrap();
        let a2 = arjo.create(person("Soeparti", None, born, None), &by, 2).unwrap();
        let b2 = brongkal
            .create(person("Suparti", None, born, None), &by, 2)
            .unwrap();
        let a3 = arjo
            .create(
                person("Djoko Susilo", None, None, Some("3507110101010001")),
                &by,
                3,
            )
            .unwrap();
        let a4 = arjo
            .create(
                person("Joko  Susilo", None, None, Some("3507110101010001")),
                &by,
                4,
            )
            .unwrap();
        // Same name and birth date but different NIKs: two people.
        arjo.create(
            person("Sri Wahyuni", Some("3507114107850001"), born, None),
            &by,
            5,
        )
        .unwrap();
        brongkal
            .create(
                person("Sri Wahyuni", Some("3507334107850002"), born, None),
                &by,
                5,
            )
            .unwrap();
        // A deleted record is no duplicate.
        let gone = brongkal
            .create(
                person("Djoko Susilo", None, None, Some("3507110101010001")),
                &by,
                6,
            )
            .unwrap();
        brongkal.delete::<Person>(&gone, &by, 7).unwrap();

        let (sa, sb) = (arjo.snapshot(), brongkal.snapshot());
        let found = find_duplicates(&[&sa, &sb]);
        let pairs: Vec<(DuplicateSign, &RecordId, &RecordId)> = found
            .iter()
            .map(|d| {
                let (x, y) = if d.a.village == 0 {
                    (&d.a.id, &d.b.id)
                } else {
                    (&d.b.id, &d.a.id)
                };
                (d.sign, x, y)
            })
            .collect();
        assert_eq!(found.len(), 3, "{pairs:?}");
        assert!(pairs.contains(&(DuplicateSign::SameNik, &a1, &b1)));
        assert!(pairs.contains(&(DuplicateSign::SameNameAndBirthDate, &a2, &b2)));
        let kk = found
            .iter()
            .find(|d| d.sign == DuplicateSign::SameNameAndKk)
            .unwrap();
        assert!(!kk.across_villages());
        assert_eq!(HashSet::from([&kk.a.id, &kk.b.id]), HashSet::from([&a3, &a4]));
    }

    /// "Two people": the pair is not shown again, on any device that has the village whose
    /// document holds the decision; withdrawn, it is back. Two officers deciding the same pair
    /// offline write one record, and the decisions' map is shared, not rival.
    #[test]
    fn a_pair_decided_to_be_two_people_is_not_shown_again() {
        let by = Author::new("disnaker", "pc");
        let born = Date::new(1990, 8, 17);
        let (arjo_code, brongkal_code) = ("35.07.11.2008".parse().unwrap(), "35.07.33.2006".parse().unwrap());
        let mut arjo = VillageDoc::genesis(&arjo_code);
        let mut brongkal = VillageDoc::genesis(&brongkal_code);
        let a = arjo.create(person("Suparti", None, born, None), &by, 1).unwrap();
        let b = brongkal
            .create(person("Soeparti", None, born, None), &by, 1)
            .unwrap();
        let kk = "3507110101010001";
        let x = arjo.create(person("Sri", None, None, Some(kk)), &by, 2).unwrap();
        let y = arjo.create(person("Sri", None, None, Some(kk)), &by, 3).unwrap();
        assert_eq!(
            find_duplicates(&[&arjo.snapshot(), &brongkal.snapshot()]).len(),
            2
        );

        // Two district PCs decide the same pair offline, from copies of Arjowilangun's document.
        let mut other = VillageDoc::load(&arjo.save()).unwrap();
        let (ka, kb) = (
            DistinctPersons::key(Some(&arjo_code), &a),
            DistinctPersons::key(Some(&brongkal_code), &b),
        );
        let today = Date::new(2026, 11, 29).unwrap();
        arjo.create(
            DistinctPersons::new(ka.clone(), kb.clone(), today, "disnaker"),
            &by,
            4,
        )
        .unwrap();
        other
            .create(DistinctPersons::new(kb, ka, today, "disnaker-2"), &by, 5)
            .unwrap();
        // And the other PC decides the pair in the village too.
        let (kx, ky) = (
            DistinctPersons::key(Some(&arjo_code), &x),
            DistinctPersons::key(Some(&arjo_code), &y),
        );
        let within = other
            .create(DistinctPersons::new(kx, ky, today, "disnaker-2"), &by, 6)
            .unwrap();
        arjo.merge(&mut other).unwrap();
        let snap = arjo.snapshot();
        assert_eq!(
            snap.pillars.live::<DistinctPersons>().count(),
            2,
            "one record per pair"
        );
        assert!(snap.damaged.is_empty());
        assert!(find_duplicates(&[&snap, &brongkal.snapshot()]).is_empty());
        // The order of the villages given does not matter.
        assert!(find_duplicates(&[&brongkal.snapshot(), &snap]).is_empty());

        arjo.delete::<DistinctPersons>(&within, &by, 7).unwrap();
        let back = find_duplicates(&[&arjo.snapshot(), &brongkal.snapshot()]);
        assert_eq!(back.len(), 1, "a withdrawn decision shows the pair again");
        assert_eq!(back[0].sign, DuplicateSign::SameNameAndKk);
    }

    #[test]
    fn old_spellings_and_spacing_compare_equal() {
        assert_eq!(name_key("Soeparti"), name_key("suparti"));
        assert_eq!(name_key("Djoko  Tjahjono"), name_key("Joko Cahyono"));
        assert_eq!(name_key("Moch. Sjaifoel"), name_key("Mokh Syaiful"));
        assert_ne!(name_key("Siti"), name_key("Sita"));
    }
}
