//! Indonesia's official region names (Kemendagri codes, `data/wilayah.csv`): every province,
//! regency and kecamatan, and the villages of Kabupaten Malang. The relay names villages and
//! districts by them in what it tells devices, so reports carry the official names.

use std::collections::HashMap;
use std::sync::OnceLock;

const WILAYAH: &str = include_str!("../data/wilayah.csv");

fn table() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        WILAYAH
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(','))
            .map(|(code, name)| (code.trim(), name.trim()))
            .collect()
    })
}

/// The official name of a region code (`35.07` → "Kabupaten Malang", `35.07.33` → "Pagelaran",
/// `35.07.33.2006` → "Brongkal"), if the list has it.
pub fn name(code: &str) -> Option<&'static str> {
    table().get(code).copied()
}

/// "Brongkal, Kec. Pagelaran, Kabupaten Malang" for a village code the list has.
pub fn describe_village(code: &desmigratif_model::VillageCode) -> Option<String> {
    let village = name(code.as_str())?;
    let kecamatan = name(code.kecamatan()).unwrap_or("?");
    let district = name(code.district().as_str()).unwrap_or("?");
    Some(format!("{village}, Kec. {kecamatan}, {district}"))
}

/// The official villages of a district, by code: what a district office may create accounts for.
pub fn villages_of(district: &desmigratif_model::DistrictCode) -> Vec<(&'static str, &'static str)> {
    let prefix = format!("{}.", district.as_str());
    let mut out: Vec<_> = table()
        .iter()
        .filter(|(code, _)| code.starts_with(&prefix) && code.len() == 13)
        .map(|(c, n)| (*c, *n))
        .collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_desmigratif_villages_and_their_district() {
        assert_eq!(name("35.07"), Some("Kabupaten Malang"));
        assert_eq!(name("35.07.33.2006"), Some("Brongkal"));
        assert_eq!(name("35.07.11.2003"), Some("Sumberpetung"));
        let code = "35.07.33.2004".parse().unwrap();
        assert_eq!(
            describe_village(&code).as_deref(),
            Some("Balearjo, Kec. Pagelaran, Kabupaten Malang")
        );
        assert_eq!(name("35.07.33.2999"), None);
        let malang = villages_of(&"35.07".parse().unwrap());
        assert!(malang.len() > 300, "{}", malang.len());
        assert!(malang.contains(&("35.07.33.2006", "Brongkal")));
        assert!(villages_of(&"35.08".parse().unwrap()).is_empty());
    }
}
