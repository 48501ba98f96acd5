//! Destination countries as people type them: one spelling per country, so "malaysia",
//! "MALAYSIA " and "Malaysia" are one country in lists, filters and figures, and English names
//! or abbreviations ("Saudi Arabia", "KSA", "HK", "Korsel") become the Indonesian name the
//! program uses. Each known country carries its ISO 3166-1 alpha-2 code.

/// A country: its ISO code, its name in Bahasa Indonesia (the stored spelling) and other ways
/// people write it (compared ignoring case, spaces and punctuation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Country {
    pub code: &'static str,
    pub name: &'static str,
    pub aliases: &'static [&'static str],
}

const fn c(code: &'static str, name: &'static str, aliases: &'static [&'static str]) -> Country {
    Country { code, name, aliases }
}

/// The destinations of Indonesian migrant workers, most placed first (BP2MI placement data),
/// then others workers are placed in.
pub const COUNTRIES: &[Country] = &[
    c("HK", "Hong Kong", &["hongkong", "hk", "hong kong sar"]),
    c("TW", "Taiwan", &["taiwan roc", "republic of china", "roc"]),
    c("MY", "Malaysia", &["malaysian", "my"]),
    c("JP", "Jepang", &["japan", "jepun"]),
    c(
        "KR",
        "Korea Selatan",
        &["south korea", "korea", "korsel", "republic of korea"],
    ),
    c("SG", "Singapura", &["singapore", "sg"]),
    c(
        "SA",
        "Arab Saudi",
        &["saudi arabia", "saudi", "ksa", "arab saudia"],
    ),
    c("BN", "Brunei Darussalam", &["brunei"]),
    c(
        "AE",
        "Persatuan Emirat Arab",
        &[
            "uni emirat arab",
            "emirat arab",
            "uae",
            "pea",
            "united arab emirates",
            "dubai",
            "abu dhabi",
        ],
    ),
    c("QA", "Qatar", &["katar"]),
    c("KW", "Kuwait", &[]),
    c("OM", "Oman", &[]),
    c("BH", "Bahrain", &[]),
    c("JO", "Yordania", &["jordan"]),
    c("TR", "Turki", &["turkey", "turkiye"]),
    c("PL", "Polandia", &["poland"]),
    c("IT", "Italia", &["italy"]),
    c("DE", "Jerman", &["germany"]),
    c("NL", "Belanda", &["netherlands", "holland"]),
    c(
        "GB",
        "Inggris",
        &["united kingdom", "uk", "england", "britania raya"],
    ),
    c(
        "US",
        "Amerika Serikat",
        &["united states", "usa", "amerika", "as"],
    ),
    c("AU", "Australia", &[]),
    c("NZ", "Selandia Baru", &["new zealand"]),
    c("MO", "Makau", &["macau", "macao"]),
    c("CN", "Tiongkok", &["china", "cina", "rrt"]),
    c("TH", "Thailand", &["thai"]),
    c("PH", "Filipina", &["philippines"]),
    c("VN", "Vietnam", &["viet nam"]),
    c("KH", "Kamboja", &["cambodia"]),
    c("MV", "Maladewa", &["maldives"]),
    c("ES", "Spanyol", &["spain"]),
    c("FR", "Prancis", &["france", "perancis"]),
    c("RO", "Rumania", &["romania"]),
    c("HU", "Hungaria", &["hungary"]),
    c("SK", "Slowakia", &["slovakia"]),
    c("CZ", "Ceko", &["czechia", "czech republic", "republik ceko"]),
    c("LT", "Lituania", &["lithuania"]),
    c("FJ", "Fiji", &[]),
    c("PG", "Papua Nugini", &["papua new guinea", "png"]),
    c("TL", "Timor Leste", &["timor-leste", "east timor"]),
    c("ZA", "Afrika Selatan", &["south africa"]),
    c("EG", "Mesir", &["egypt"]),
    c("DZ", "Aljazair", &["algeria"]),
    c("SY", "Suriah", &["syria"]),
    c("IQ", "Irak", &["iraq"]),
    c("LY", "Libya", &[]),
    c("SD", "Sudan", &[]),
    c("CA", "Kanada", &["canada"]),
    c("RU", "Rusia", &["russia"]),
    c("MU", "Mauritius", &[]),
];

/// A typed name as compared: lower case, letters and digits only (countries, jobs).
pub(crate) fn key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A typed name with its spaces tidied and, when it was typed all in small or all in capital
/// letters, in one case rule: capitalised as a sentence, or each word (`every_word`); mixed
/// case is kept as written (jobs, dusun names).
pub(crate) fn tidy_case(typed: &str, every_word: bool) -> String {
    let tidy = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    let letters = tidy.chars().filter(|c| c.is_alphabetic());
    let one_case = letters.clone().all(char::is_lowercase) || letters.clone().all(char::is_uppercase);
    if !one_case {
        return tidy;
    }
    let capital = |w: &str| -> String {
        let lower = w.to_lowercase();
        let mut chars = lower.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    };
    if every_word {
        tidy.split(' ').map(capital).collect::<Vec<_>>().join(" ")
    } else {
        capital(&tidy)
    }
}

/// The country a typed name stands for, if it is one the list knows.
pub fn find_country(typed: &str) -> Option<&'static Country> {
    let k = key(typed);
    if k.is_empty() {
        return None;
    }
    COUNTRIES
        .iter()
        .find(|c| key(c.name) == k || key(c.code) == k || c.aliases.iter().any(|a| key(a) == k))
}

/// The ISO 3166-1 alpha-2 code stored beside a country's name, when the list knows it.
pub fn country_code(name: &str) -> Option<String> {
    find_country(name).map(|c| c.code.to_owned())
}

/// How a destination is stored: a known country by its Indonesian name; anything else with its
/// spaces tidied and each word capitalised ("nauru" → "Nauru"), so case alone never makes two.
pub fn canonical_country(typed: &str) -> String {
    if let Some(c) = find_country(typed) {
        return c.name.to_owned();
    }
    typed
        .split_whitespace()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) if w.chars().all(|c| !c.is_uppercase() || c == first) => {
                    first.to_uppercase().chain(chars).collect::<String>()
                }
                _ => w.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_names_become_one_spelling_per_country() {
        for typed in ["malaysia", " MALAYSIA ", "Malaysia", "my"] {
            assert_eq!(canonical_country(typed), "Malaysia", "{typed}");
        }
        assert_eq!(canonical_country("saudi arabia"), "Arab Saudi");
        assert_eq!(canonical_country("KSA"), "Arab Saudi");
        assert_eq!(canonical_country("hongkong"), "Hong Kong");
        assert_eq!(canonical_country("Korsel"), "Korea Selatan");
        assert_eq!(canonical_country("uni emirat arab"), "Persatuan Emirat Arab");
        assert_eq!(find_country("taiwan").map(|c| c.code), Some("TW"));
        // Unknown: tidied, never lost.
        assert_eq!(canonical_country("  nauru  "), "Nauru");
        assert_eq!(canonical_country("kepulauan   solomon"), "Kepulauan Solomon");
        assert_eq!(canonical_country("DR Kongo"), "DR Kongo");
        assert_eq!(canonical_country(""), "");
        // Every name and alias leads to its own country only.
        for c in COUNTRIES {
            assert_eq!(find_country(c.name).map(|f| f.code), Some(c.code), "{}", c.name);
            for a in c.aliases {
                assert_eq!(find_country(a).map(|f| f.code), Some(c.code), "{a}");
            }
        }
    }
}

#[cfg(test)]
mod stored {
    use crate::{Author, EpisodeState, MigrationEpisode, Person, RecordId, VillageDoc};

    #[test]
    fn an_episode_is_stored_with_its_countrys_one_spelling() {
        let mut doc = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
        let by = Author::new("desa", "hp");
        let siti = doc
            .create(Person::new(RecordId::random(), "Siti"), &by, 1)
            .unwrap();
        let e = MigrationEpisode::new(
            RecordId::random(),
            siti.clone(),
            "  malaysia ",
            EpisodeState::Abroad,
        );
        let id = doc.create(e, &by, 2).unwrap();
        let stored: MigrationEpisode = doc.get(&id).unwrap();
        assert_eq!(stored.destination_country, "Malaysia");
        assert_eq!(stored.destination_country_code.as_deref(), Some("MY"));
        let mut edited = stored.clone();
        edited.destination_country = "saudi arabia".into();
        assert_eq!(
            doc.update(&stored, &edited, &by, 3).unwrap(),
            ["destination_country", "destination_country_code"]
        );
        let again: MigrationEpisode = doc.get(&id).unwrap();
        assert_eq!(again.destination_country, "Arab Saudi");
        assert_eq!(again.destination_country_code.as_deref(), Some("SA"));
        // A country the list does not know keeps its name and has no code.
        let mut elsewhere = again.clone();
        elsewhere.destination_country = "nauru".into();
        doc.update(&again, &elsewhere, &by, 5).unwrap();
        let nauru: MigrationEpisode = doc.get(&id).unwrap();
        assert_eq!(
            (
                nauru.destination_country.as_str(),
                nauru.destination_country_code.as_deref()
            ),
            ("Nauru", None)
        );
        doc.update(&nauru, &again, &by, 6).unwrap();
        // Typing the same country differently changes nothing.
        let mut same = again.clone();
        same.destination_country = "KSA".into();
        assert!(doc.update(&again, &same, &by, 4).unwrap().is_empty());
        assert_eq!(doc.snapshot().destinations(), ["Arab Saudi"]);
    }

    #[test]
    fn two_countries_typed_offline_are_one_conflict_and_the_code_follows_the_choice() {
        let mut a = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
        let by = Author::new("desa", "hp-a");
        let siti = a.create(Person::new(RecordId::random(), "Siti"), &by, 1).unwrap();
        let id = a
            .create(
                MigrationEpisode::new(RecordId::random(), siti, "Taiwan", EpisodeState::Planned),
                &by,
                2,
            )
            .unwrap();
        let mut b = VillageDoc::load(&a.save()).unwrap();
        let base: MigrationEpisode = a.get(&id).unwrap();
        let (mut to_hk, mut to_jp) = (base.clone(), base.clone());
        to_hk.destination_country = "hongkong".into();
        to_jp.destination_country = "japan".into();
        a.update(&base, &to_hk, &by, 3).unwrap();
        b.update(&base, &to_jp, &Author::new("desa", "hp-b"), 3).unwrap();
        a.merge(&mut b).unwrap();
        let conflicts = a.conflicts::<MigrationEpisode>(&id);
        let fields: Vec<&str> = conflicts.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            ["destination_country"],
            "the code is not a conflict of its own"
        );
        let japan = conflicts[0]
            .values
            .iter()
            .find(|v| v.value == "Jepang")
            .unwrap()
            .choice
            .clone();
        a.resolve::<MigrationEpisode>(&id, "destination_country", &japan, &by, 4)
            .unwrap();
        let settled: MigrationEpisode = a.get(&id).unwrap();
        assert_eq!(settled.destination_country, "Jepang");
        assert_eq!(settled.destination_country_code.as_deref(), Some("JP"));
        assert!(!a.has_conflict::<MigrationEpisode>(&id));
        // The code's own concurrent values are gone too, not only hidden.
        use automerge::ReadDoc;
        let obj = a.obj_of(crate::Collection::Episodes, &id).unwrap();
        assert_eq!(
            a.doc().get_all(&obj, "destination_country_code").unwrap().len(),
            1
        );
    }
}
