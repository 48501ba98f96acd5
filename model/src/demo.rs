//! Demo data for the four Desmigratif villages of Kabupaten Malang.
//!
//! Every name, NIK, family card and phone number here is invented by a seeded generator and
//! belongs to no one. The generator is deterministic: the same village gives the same records
//! on every machine.

use crate::author::Author;
use crate::date::Date;
use crate::doc::VillageDoc;
use crate::ids::{RecordId, VillageCode};
use crate::record::{
    Consent, Education, EpisodeState, FamilyRelation, MaritalStatus, MigrationEpisode, Person, Procedural,
    Scheme, Sex,
};

/// A Desmigratif village of Kabupaten Malang.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoVillage {
    pub name: &'static str,
    pub kecamatan: &'static str,
    /// `PP.RR.DD.VVVV`, as in the official list of region codes (`shared/data/wilayah.csv`).
    pub code: &'static str,
    pub dusun: &'static [&'static str],
}

/// The four villages, with their official codes.
pub const VILLAGES: [DemoVillage; 4] = [
    DemoVillage {
        name: "Arjowilangun",
        kecamatan: "Kalipare",
        code: "35.07.11.2008",
        dusun: &["Krajan", "Sumbersari", "Kedungsalam", "Jaten"],
    },
    DemoVillage {
        name: "Sumberpetung",
        kecamatan: "Kalipare",
        code: "35.07.11.2003",
        dusun: &["Krajan", "Sumberpetung", "Genengan"],
    },
    DemoVillage {
        name: "Brongkal",
        kecamatan: "Pagelaran",
        code: "35.07.33.2006",
        dusun: &["Krajan", "Brongkal", "Sumbertaman"],
    },
    DemoVillage {
        name: "Balearjo",
        kecamatan: "Pagelaran",
        code: "35.07.33.2004",
        dusun: &["Krajan", "Balearjo", "Sukorejo"],
    },
];

/// The author of demo records.
pub fn demo_author() -> Author {
    Author::new("demo", "generator")
}

/// A small deterministic random source (SplitMix64), seeded from the village code.
struct Seeded(u64);

impl Seeded {
    fn new(seed: &str) -> Self {
        Self(seed.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        }))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn weighted<'a, T>(&mut self, items: &'a [(u64, T)]) -> &'a T {
        let total: u64 = items.iter().map(|(w, _)| w).sum();
        let mut at = self.below(total);
        for (w, item) in items {
            if at < *w {
                return item;
            }
            at -= w;
        }
        &items[items.len() - 1].1
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn id(&mut self) -> RecordId {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next().to_le_bytes());
        b[8..].copy_from_slice(&self.next().to_le_bytes());
        RecordId::from_bytes(b)
    }
}

const MEN: &[&str] = &[
    "Agus", "Bambang", "Budi", "Dwi", "Eko", "Hadi", "Joko", "Nur", "Slamet", "Sugeng", "Suparman", "Wahyu",
    "Yanto", "Rudi", "Samsul",
];
const WOMEN: &[&str] = &[
    "Sri", "Siti", "Tri", "Yuli", "Dewi", "Endang", "Lilik", "Ninik", "Rina", "Sulastri", "Suwarni", "Tutik",
    "Umi", "Wati", "Yayuk",
];
const SURNAMES: &[&str] = &[
    "Wahyuni",
    "Rahayu",
    "Lestari",
    "Susanto",
    "Hidayat",
    "Purnomo",
    "Setiawan",
    "Handayani",
    "Pratama",
    "Mulyani",
    "Santoso",
    "Kurniawan",
];
/// Where the village's women go, with weights: mostly household work in Hong Kong and Taiwan.
const WOMEN_JOBS: &[(u64, (&str, &str, &str))] = &[
    (35, ("Hong Kong", "Rumah tangga", "Penata laksana rumah tangga")),
    (22, ("Taiwan", "Rumah tangga", "Perawat lansia")),
    (8, ("Taiwan", "Manufaktur", "Operator pabrik")),
    (12, ("Singapura", "Rumah tangga", "Penata laksana rumah tangga")),
    (10, ("Malaysia", "Rumah tangga", "Penata laksana rumah tangga")),
    (8, ("Arab Saudi", "Rumah tangga", "Penata laksana rumah tangga")),
    (5, ("Korea Selatan", "Manufaktur", "Operator mesin")),
];
/// Where the village's men go: plantations and building sites in Malaysia, factories in Korea
/// and Taiwan, fishing boats.
const MEN_JOBS: &[(u64, (&str, &str, &str))] = &[
    (30, ("Malaysia", "Perkebunan", "Pekerja kebun sawit")),
    (15, ("Malaysia", "Konstruksi", "Tukang bangunan")),
    (25, ("Korea Selatan", "Manufaktur", "Operator mesin")),
    (15, ("Taiwan", "Manufaktur", "Operator pabrik")),
    (10, ("Jepang", "Perikanan", "Pekerja kapal ikan")),
    (5, ("Arab Saudi", "Konstruksi", "Tukang bangunan")),
];

/// The month the demo data is set in: recent returns and departures lead up to it.
const DEMO_NOW: (u16, u8) = (2026, 11);
const AGENCIES: &[&str] = &[
    "PT Demo Karya Mandiri (fiktif)",
    "PT Contoh Jasa Tenaga (fiktif)",
    "PT Sampel Sejahtera (fiktif)",
];

/// A NIK consistent with the birth date and sex, for the village's kecamatan.
fn nik(code: &VillageCode, born: Date, sex: Sex, serial: u64) -> String {
    let region: String = code.kecamatan().chars().filter(|c| *c != '.').collect();
    let day = born.day() + if sex == Sex::Female { 40 } else { 0 };
    format!(
        "{region}{day:02}{:02}{:02}{:04}",
        born.month(),
        born.year() % 100,
        serial % 9999 + 1
    )
}

fn date(rng: &mut Seeded, from_year: u16, to_year: u16) -> Date {
    let year = from_year + rng.below(u64::from(to_year - from_year + 1)) as u16;
    Date::new(year, 1 + rng.below(12) as u8, 1 + rng.below(28) as u8).expect("days 1-28 exist in every month")
}

/// The demo records of one village: `households` families of two to six persons, about half
/// with a migrant, in a fresh document.
pub fn village_doc(village: &DemoVillage, households: usize) -> VillageDoc {
    let code: VillageCode = village.code.parse().expect("demo codes are well formed");
    let mut doc = VillageDoc::genesis(&code);
    let mut rng = Seeded::new(village.code);
    let by = demo_author();
    // Households are recorded one after another from 2025-01-01 to 2026-11-20, so the history
    // has plausible dates and some records have gone a year without an update.
    let start = 1_735_689_600;
    let span = 688 * 86_400;
    let mut serial = 0u64;
    for h in 0..households {
        let mut time = start + (span * h as i64) / households.max(1) as i64;
        let kk_region: String = code.kecamatan().chars().filter(|c| *c != '.').collect();
        let no_kk = format!("{kk_region}{:06}{:04}", 10_000 + rng.below(900_000), h + 1);
        let dusun = *rng.pick(village.dusun);
        let rt = format!("{:03}", 1 + rng.below(8));
        let rw = format!("{:03}", 1 + rng.below(4));
        let surname = *rng.pick(SURNAMES);
        let size = 2 + rng.below(5) as usize;
        let migrant_household = rng.chance(55);
        for m in 0..size {
            let (relation, sex, born) = match m {
                0 => (FamilyRelation::Head, Sex::Male, date(&mut rng, 1960, 1990)),
                1 => (FamilyRelation::Spouse, Sex::Female, date(&mut rng, 1965, 1995)),
                _ => (
                    FamilyRelation::Child,
                    if rng.chance(50) { Sex::Male } else { Sex::Female },
                    date(&mut rng, 1995, 2020),
                ),
            };
            let given = if sex == Sex::Male {
                *rng.pick(MEN)
            } else {
                *rng.pick(WOMEN)
            };
            serial += 1;
            let mut p = Person::new(rng.id(), format!("{given} {surname}"));
            p.sex = Some(sex);
            p.birth_date = Some(born);
            p.birth_place = Some("Malang".into());
            p.nik = Some(nik(&code, born, sex, serial));
            p.no_kk = Some(no_kk.clone());
            p.relation = Some(relation);
            p.dusun = Some(dusun.into());
            p.rt = Some(rt.clone());
            p.rw = Some(rw.clone());
            p.marital_status = Some(if m < 2 {
                MaritalStatus::Married
            } else {
                MaritalStatus::Single
            });
            p.education = Some(*rng.pick(&[
                Education::Primary,
                Education::JuniorHigh,
                Education::SeniorHigh,
                Education::Diploma,
            ]));
            if born.year() < 2006 && rng.chance(60) {
                p.phone = Some(format!("08{}{:09}", 1 + rng.below(9), rng.below(1_000_000_000)));
            }
            let consented = rng.chance(85);
            p.consent = if consented {
                Consent::Given
            } else {
                Consent::NotAsked
            };
            p.consent_date = consented.then(|| date(&mut rng, 2024, 2024));
            time += 60;
            let person_id = doc.create(p, &by, time).expect("demo persons are valid");

            // As in Kabupaten Malang: the wife or an adult daughter is the usual migrant,
            // sometimes a son or the head of the household.
            let adult = born.year() <= 2004;
            let migrates = match m {
                0 => rng.chance(12),
                1 => rng.chance(85),
                _ if sex == Sex::Female => rng.chance(45),
                _ => rng.chance(20),
            };
            if migrant_household && adult && migrates {
                for e in episodes(&mut rng, &person_id, sex) {
                    time += 60;
                    doc.create(e, &by, time).expect("demo episodes are valid");
                }
            }
        }
    }
    doc
}

/// A date `months` months before [`DEMO_NOW`], on a day that exists in every month.
fn months_ago(rng: &mut Seeded, months: u64) -> Date {
    let now = u64::from(DEMO_NOW.0) * 12 + u64::from(DEMO_NOW.1 - 1);
    let at = now - months;
    Date::new((at / 12) as u16, (at % 12) as u8 + 1, 1 + rng.below(28) as u8).expect("days 1-28 exist")
}

/// The same day `years` later (the 28th at most, so it exists).
fn years_after(d: Date, years: u16) -> Date {
    Date::new(d.year() + years, d.month(), d.day()).expect("days 1-28 exist in every month")
}

/// One migrant's stays abroad, oldest first: one or two, the last one recent (abroad now,
/// returned within the last two years, planned, or out of touch).
fn episodes(rng: &mut Seeded, person: &RecordId, sex: Sex) -> Vec<MigrationEpisode> {
    let jobs = if sex == Sex::Female { WOMEN_JOBS } else { MEN_JOBS };
    let last_state = *rng.weighted(&[
        (45, EpisodeState::Abroad),
        (32, EpisodeState::Returned),
        (15, EpisodeState::Planned),
        (8, EpisodeState::Missing),
    ]);
    // The last stay's departure, months before now.
    let last_departed = match last_state {
        EpisodeState::Abroad => rng.below(36),
        EpisodeState::Returned => 24 + rng.below(30),
        _ => 30 + rng.below(60),
    };
    let earlier = rng.chance(35);
    let mut out = Vec::new();
    for k in 0..1 + usize::from(earlier) {
        let last = k == usize::from(earlier);
        let state = if last { last_state } else { EpisodeState::Returned };
        let &(country, sector, job) = rng.weighted(jobs);
        let mut e = MigrationEpisode::new(rng.id(), person.clone(), country, state);
        e.sector = Some(sector.into());
        e.occupation = Some(job.into());
        e.procedural = *rng.weighted(&[
            (82, Procedural::Yes),
            (12, Procedural::No),
            (6, Procedural::Unknown),
        ]);
        if e.procedural == Procedural::Yes {
            e.scheme = Some(match country {
                "Korea Selatan" | "Jepang" if rng.chance(60) => Scheme::GToG,
                _ if rng.chance(6) => Scheme::Individual,
                _ => Scheme::PToP,
            });
            if e.scheme == Some(Scheme::PToP) {
                e.agency = Some((*rng.pick(AGENCIES)).into());
            }
        }
        if state != EpisodeState::Planned {
            let months = if last {
                last_departed
            } else {
                last_departed + 40 + rng.below(40)
            };
            let dep = months_ago(rng, months);
            if e.procedural == Procedural::Yes {
                e.placement_decree_number =
                    Some(format!("KEP-DEMO/{}/{:05}", dep.year(), rng.below(100_000)));
            }
            e.departure_date = Some(dep);
            e.passport_number = Some(format!("X{:07}", rng.below(10_000_000)));
            let contract = if state == EpisodeState::Abroad { 3 } else { 2 };
            e.contract_end = Some(years_after(dep, contract));
            if state == EpisodeState::Returned {
                // Home within the last two years for the last stay: never after now.
                let back = if last {
                    let back = rng_months_back(rng, months);
                    months_ago(rng, back)
                } else {
                    years_after(dep, 2)
                };
                e.return_date = Some(back.max(dep));
                e.return_reason = Some(
                    (*rng.pick(&[
                        "Kontrak selesai",
                        "Kontrak selesai",
                        "Sakit",
                        "Dipulangkan",
                        "Urusan keluarga",
                    ]))
                    .into(),
                );
            }
        }
        out.push(e);
    }
    out
}

/// How many months ago a worker who left `departed` months ago came home: within the last two
/// years, after at least six months abroad.
fn rng_months_back(rng: &mut Seeded, departed: u64) -> u64 {
    rng.below(24).min(departed.saturating_sub(6))
}

/// The district's demo reference data: the demo episodes' agencies (licensed), one whose
/// licence ran out and one revoked, country notes, job orders, announcements and trainings.
pub fn district_doc(code: &crate::DistrictCode) -> crate::DistrictDoc {
    use crate::district::*;
    use crate::records::TrainingKind;
    let mut doc = DistrictDoc::genesis(code);
    let mut rng = Seeded::new(code.as_str());
    let by = demo_author();
    let at = |y, m, d| Date::new(y, m, d).expect("valid demo date");
    let now = 1_763_000_000;
    let mut agencies: Vec<Agency> = AGENCIES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut a = Agency::new(rng.id(), *name);
            a.licence_number = Some(format!("B.{}/PPTKPLN/2023 (fiktif)", 101 + i));
            a.licence_until = Some(at(2028, 3 + i as u8, 1));
            a.address = Some("Kepanjen, Kabupaten Malang".into());
            a
        })
        .collect();
    let mut lapsed = Agency::new(rng.id(), "PT Contoh Lama Abadi (fiktif)");
    lapsed.licence_number = Some("B.77/PPTKPLN/2017 (fiktif)".into());
    lapsed.licence_until = Some(at(2022, 6, 30));
    agencies.push(lapsed);
    let mut revoked = Agency::new(rng.id(), "PT Sampel Dicabut (fiktif)");
    revoked.status = AgencyStatus::Revoked;
    revoked.licence_until = Some(at(2027, 1, 31));
    agencies.push(revoked);
    for a in agencies {
        doc.create(a, &by, now).expect("valid demo agency");
    }
    let mut saudi = CountryNote::new(rng.id(), "Arab Saudi");
    saudi.moratorium = true;
    saudi.note = Some(
        "Penempatan pada pengguna perseorangan dihentikan (Kepmenaker No. 260 Tahun 2015). Tanyakan ke Disnaker sebelum berangkat."
            .into(),
    );
    let mut hk = CountryNote::new(rng.id(), "Hong Kong");
    hk.note =
        Some("Penata laksana rumah tangga berangkat melalui P3MI berizin dengan perjanjian kerja.".into());
    for c in [saudi, hk] {
        doc.create(c, &by, now).expect("valid demo country");
    }
    let mut taiwan = JobOrder::new(rng.id(), "Perawat lansia", "Taiwan", at(2026, 11, 2));
    taiwan.agency = Some(AGENCIES[0].into());
    taiwan.openings = Some(20);
    taiwan.closes = Some(at(2027, 1, 31));
    let mut hongkong = JobOrder::new(
        rng.id(),
        "Penata laksana rumah tangga",
        "Hong Kong",
        at(2026, 10, 15),
    );
    hongkong.agency = Some(AGENCIES[1].into());
    hongkong.openings = Some(35);
    hongkong.closes = Some(at(2026, 12, 20));
    let mut korea = JobOrder::new(
        rng.id(),
        "Operator mesin (G to G)",
        "Korea Selatan",
        at(2026, 9, 1),
    );
    korea.openings = Some(12);
    korea.closes = Some(at(2026, 10, 31));
    korea.note = Some("Pendaftaran melalui program G to G; syarat lulus ujian bahasa Korea.".into());
    for j in [taiwan, hongkong, korea] {
        doc.create(j, &by, now).expect("valid demo job order");
    }
    let mut sosialisasi = Announcement::new(
        rng.id(),
        "Sosialisasi migrasi aman di Kecamatan Kalipare",
        at(2026, 11, 20),
    );
    sosialisasi.body = Some(
        "Kamis, 10 Desember 2026, pukul 09.00 di Balai Desa Arjowilangun. Undang CPMI dan keluarganya."
            .into(),
    );
    sosialisasi.until = Some(at(2026, 12, 10));
    let mut rekap = Announcement::new(
        rng.id(),
        "Laporan bulanan desa paling lambat tanggal 5",
        at(2026, 10, 1),
    );
    rekap.body = Some(
        "Kirim laporan bulanan lewat aplikasi (menu Dasbor → Laporan) paling lambat tanggal 5 setiap bulan."
            .into(),
    );
    for a in [sosialisasi, rekap] {
        doc.create(a, &by, now).expect("valid demo announcement");
    }
    let mut finance = ScheduledTraining::new(
        rng.id(),
        "Literasi keuangan untuk Purna PMI",
        TrainingKind::FinancialLiteracy,
        at(2026, 12, 8),
    );
    finance.organiser = Some("Disnaker dan BNI".into());
    finance.place = Some("Aula Disnaker, Kepanjen".into());
    finance.places = Some(40);
    let mut digital = ScheduledTraining::new(
        rng.id(),
        "Pemasaran digital usaha rumahan",
        TrainingKind::DigitalMarketing,
        at(2027, 1, 12),
    );
    digital.end = Some(at(2027, 1, 14));
    digital.organiser = Some("BLK Singosari".into());
    digital.places = Some(25);
    for t in [finance, digital] {
        doc.create(t, &by, now).expect("valid demo training");
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Category, validate::Validate};

    #[test]
    fn demo_villages_are_deterministic_valid_and_varied() {
        let mut a = village_doc(&VILLAGES[0], 12);
        let mut b = village_doc(&VILLAGES[0], 12);
        let (sa, sb) = (a.snapshot(), b.snapshot());
        assert_eq!(sa.persons, sb.persons);
        assert_eq!(sa.episodes, sb.episodes);
        assert!(sa.damaged.is_empty());
        assert!(sa.persons.len() >= 24);
        // No NIK in the demo data disagrees with the person it belongs to.
        for p in sa.persons.values() {
            assert!(p.validate().is_empty(), "{p:?} {:?}", p.validate());
        }
        for e in sa.episodes.values() {
            assert!(
                e.validate().iter().all(|i| i.severity != crate::Severity::Error),
                "{e:?}"
            );
        }
        let counts = sa.counts();
        assert_eq!(counts.total(), sa.persons.len());
        assert!(counts.get(Category::Pmi) + counts.get(Category::PurnaPmi) + counts.get(Category::Cpmi) > 0);
        assert!(counts.get(Category::Keluarga) > 0);
        assert_eq!(a.automerge().get_heads().len(), 1);
        let _ = b.save();
    }
}
