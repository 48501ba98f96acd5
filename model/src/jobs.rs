//! The jobs migrant workers go to, as officers write them: one spelling per job, so "PRT",
//! "pembantu rumah tangga" and "domestic worker" are one job in the records, the menus and the
//! figures. Names are the Indonesian ones placement documents use; the aliases are the other
//! ways people write them (abbreviations, everyday words, English).

use crate::countries::{key, tidy_case};

/// A job with its stored name and the other ways it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
}

const fn job(name: &'static str, aliases: &'static [&'static str]) -> Job {
    Job { name, aliases }
}

/// The jobs the app knows, in the order the form offers them.
pub const JOBS: &[Job] = &[
    job(
        "Penata laksana rumah tangga",
        &[
            "PLRT",
            "PRT",
            "ART",
            "pembantu rumah tangga",
            "pekerja rumah tangga",
            "asisten rumah tangga",
            "pembantu",
            "domestic worker",
            "domestic helper",
            "housemaid",
            "maid",
            "helper",
        ],
    ),
    job(
        "Perawat lansia",
        &[
            "caregiver",
            "care giver",
            "perawat jompo",
            "pengasuh lansia",
            "pendamping lansia",
            "carer",
            "elderly care",
        ],
    ),
    job(
        "Pengasuh anak",
        &[
            "babysitter",
            "baby sitter",
            "baby sister",
            "nanny",
            "pengasuh bayi",
        ],
    ),
    job(
        "Operator pabrik",
        &[
            "buruh pabrik",
            "pekerja pabrik",
            "factory worker",
            "factory operator",
            "operator produksi",
            "production operator",
        ],
    ),
    job("Operator mesin", &["machine operator", "operator mesin produksi"]),
    job(
        "Pekerja kebun sawit",
        &[
            "buruh sawit",
            "pekerja sawit",
            "kebun sawit",
            "buruh kebun sawit",
            "palm oil worker",
            "palm oil plantation worker",
        ],
    ),
    job(
        "Pekerja perkebunan",
        &[
            "buruh perkebunan",
            "buruh kebun",
            "pekerja kebun",
            "plantation worker",
        ],
    ),
    job(
        "Pekerja pertanian",
        &[
            "buruh tani",
            "petani",
            "farm worker",
            "agricultural worker",
            "farmer",
        ],
    ),
    job(
        "Tukang bangunan",
        &[
            "buruh bangunan",
            "kuli bangunan",
            "pekerja bangunan",
            "pekerja konstruksi",
            "construction worker",
            "builder",
        ],
    ),
    job(
        "Pekerja kapal ikan",
        &[
            "ABK",
            "anak buah kapal",
            "ABK kapal ikan",
            "awak kapal perikanan",
            "nelayan",
            "fisherman",
            "fishing crew",
            "seaman",
        ],
    ),
    job("Pelayan restoran", &["pramusaji", "waiter", "waitress"]),
    job("Juru masak", &["koki", "cook", "chef"]),
    job("Sopir", &["supir", "pengemudi", "driver"]),
    job("Perawat", &["nurse", "perawat rumah sakit"]),
    job("Pekerja gudang", &["buruh gudang", "warehouse worker"]),
    job(
        "Petugas kebersihan",
        &["cleaning service", "cleaner", "janitor", "tukang sapu"],
    ),
];

/// The job a typed name stands for, if it is one the list knows.
pub fn find_job(typed: &str) -> Option<&'static Job> {
    let k = key(typed);
    if k.is_empty() {
        return None;
    }
    JOBS.iter()
        .find(|j| key(j.name) == k || j.aliases.iter().any(|a| key(a) == k))
}

/// How a job is stored: a known job by its name; anything else with its spaces tidied and, when
/// it was typed all in small or all in capital letters, as a sentence ("operator forklift" and
/// "OPERATOR FORKLIFT" → "Operator forklift"), so case alone never makes two jobs.
pub fn canonical_job(typed: &str) -> String {
    if let Some(j) = find_job(typed) {
        return j.name.to_owned();
    }
    tidy_case(typed, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_jobs_become_one_spelling_per_job() {
        for typed in [
            "PRT",
            "prt",
            " pembantu  rumah tangga ",
            "Domestic Worker",
            "Penata laksana rumah tangga",
        ] {
            assert_eq!(canonical_job(typed), "Penata laksana rumah tangga", "{typed}");
        }
        assert_eq!(canonical_job("caregiver"), "Perawat lansia");
        assert_eq!(canonical_job("A.B.K."), "Pekerja kapal ikan");
        assert_eq!(canonical_job("buruh sawit"), "Pekerja kebun sawit");
        // Unknown jobs: tidied; one case made a sentence; mixed case kept as written.
        assert_eq!(canonical_job("operator  forklift"), "Operator forklift");
        assert_eq!(canonical_job("OPERATOR FORKLIFT"), "Operator forklift");
        assert_eq!(canonical_job("Teknisi AC"), "Teknisi AC");
        assert_eq!(canonical_job("   "), "");
    }

    #[test]
    fn no_alias_stands_for_two_jobs() {
        let mut seen = std::collections::HashMap::new();
        for j in JOBS {
            for k in std::iter::once(j.name).chain(j.aliases.iter().copied()).map(key) {
                if let Some(other) = seen.insert(k.clone(), j.name) {
                    assert_eq!(other, j.name, "{k} stands for {other} and {}", j.name);
                }
            }
        }
    }
}

#[cfg(test)]
mod stored {
    use crate::query::DashboardFilter;
    use crate::{Author, Date, EpisodeState, MigrationEpisode, Person, RecordId, VillageDoc};

    #[test]
    fn an_episode_is_stored_with_its_jobs_one_spelling_and_counted_once_per_job() {
        let mut doc = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
        let by = Author::new("desa", "hp");
        let stay = |doc: &mut VillageDoc, name: &str, job: &str, at: i64| {
            let p = doc
                .create(Person::new(RecordId::random(), name), &by, at)
                .unwrap();
            let mut e = MigrationEpisode::new(RecordId::random(), p, "Hong Kong", EpisodeState::Abroad);
            e.occupation = Some(job.into());
            doc.create(e, &by, at + 1).unwrap()
        };
        let id = stay(&mut doc, "Siti", " prt ", 1);
        let stored: MigrationEpisode = doc.get(&id).unwrap();
        assert_eq!(stored.occupation.as_deref(), Some("Penata laksana rumah tangga"));
        // Writing the same job another way changes nothing.
        let mut same = stored.clone();
        same.occupation = Some("Domestic helper".into());
        assert!(doc.update(&stored, &same, &by, 3).unwrap().is_empty());
        stay(&mut doc, "Ani", "pembantu rumah tangga", 4);
        stay(&mut doc, "Budi", "operator  forklift", 6);
        let today = Date::new(2026, 11, 28).unwrap();
        let history = crate::HistoryIndex::default();
        let figures = doc
            .snapshot()
            .figures(&DashboardFilter::last_year(today), today, &history);
        assert_eq!(figures.abroad_by_job.get("Penata laksana rumah tangga"), Some(&2));
        assert_eq!(figures.abroad_by_job.get("Operator forklift"), Some(&1));
    }
}
