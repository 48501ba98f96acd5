use desmigratif_model::{
    Author, Category, DashboardFilter, Date, EpisodeState, Figures, HistoryIndex, MigrationEpisode, Month,
    Person, Procedural, RecordId, Scheme, Sector, Sex, VillageDoc, demo,
};

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn history(doc: &mut VillageDoc) -> HistoryIndex {
    let mut h = HistoryIndex::default();
    h.extend(doc.edits_since(&[]));
    h
}

const NOV_2026: i64 = 1_795_000_000; // 2026-11-18, seconds since the epoch.

struct Village {
    doc: VillageDoc,
    by: Author,
}

impl Village {
    fn new(code: &str) -> Self {
        Self {
            doc: VillageDoc::genesis(&code.parse().unwrap()),
            by: Author::new("petugas", "hp"),
        }
    }
    fn person(&mut self, name: &str, sex: Sex, at: i64) -> RecordId {
        let mut p = Person::new(RecordId::random(), name);
        p.sex = Some(sex);
        self.doc.create(p, &self.by, at).unwrap()
    }
    #[allow(clippy::too_many_arguments)]
    fn stay(
        &mut self,
        person: &RecordId,
        country: &str,
        job: &str,
        state: EpisodeState,
        left: &str,
        back: Option<&str>,
        procedural: Procedural,
    ) {
        let mut e = MigrationEpisode::new(RecordId::random(), person.clone(), country, state);
        e.occupation = Some(job.into());
        e.departure_date = Some(date(left));
        e.return_date = back.map(date);
        e.procedural = procedural;
        if procedural == Procedural::Yes {
            e.scheme = Some(Scheme::PToP);
        }
        self.doc.create(e, &self.by, NOV_2026).unwrap();
    }
    fn figures(&mut self, filter: &DashboardFilter) -> Figures {
        let h = history(&mut self.doc);
        self.doc.snapshot().figures(filter, date("2026-11-28"), &h)
    }
}

/// A village with a known story: the figures are what a clerk would count by hand.
fn sample() -> Village {
    let mut v = Village::new("35.07.11.2008");
    let siti = v.person("Siti", Sex::Female, NOV_2026);
    v.stay(
        &siti,
        "Hong Kong",
        "Penata laksana rumah tangga",
        EpisodeState::Abroad,
        "2026-03-10",
        None,
        Procedural::Yes,
    );
    let sri = v.person("Sri", Sex::Female, NOV_2026);
    v.stay(
        &sri,
        "hong  kong",
        "Perawat lansia",
        EpisodeState::Returned,
        "2022-01-05",
        Some("2024-01-05"),
        Procedural::Yes,
    );
    v.stay(
        &sri,
        "Taiwan",
        "Perawat lansia",
        EpisodeState::Abroad,
        "2025-12-01",
        None,
        Procedural::No,
    );
    let budi = v.person("Budi", Sex::Male, NOV_2026);
    v.stay(
        &budi,
        "Malaysia",
        "Pekerja kebun sawit",
        EpisodeState::Returned,
        "2023-06-01",
        Some("2026-02-14"),
        Procedural::Unknown,
    );
    // A record nobody touched for two years, and a husband at home.
    v.person("Lama", Sex::Male, 1_730_000_000);
    let _ = siti;
    v
}

#[test]
fn a_villages_figures_are_what_a_clerk_counts() {
    let mut v = sample();
    let f = v.figures(&DashboardFilter::last_year(date("2026-11-28")));
    assert_eq!(f.persons, 4);
    assert_eq!(f.categories.get(Category::Pmi), 2);
    assert_eq!(f.categories.get(Category::PurnaPmi), 1);
    assert_eq!(f.abroad, 2);
    // The current stay counts, not an earlier one (Sri was in Hong Kong before Taiwan).
    assert_eq!(f.abroad_by_country.get("Hong Kong"), Some(&1));
    assert_eq!(f.abroad_by_country.get("Taiwan"), Some(&1));
    assert_eq!(f.abroad_by_sex.get(&Some(Sex::Female)), Some(&2));
    assert_eq!(f.abroad_by_sector.get(&Sector::Informal), Some(&2));
    assert_eq!(f.abroad_by_scheme.get(&Some(Scheme::PToP)), Some(&1));
    assert_eq!(f.abroad_by_scheme.get(&None), Some(&1));
    // Dec 2025 – Nov 2026: Siti and Sri left, Budi came back.
    assert_eq!(f.departures, 2);
    assert_eq!(f.departures_by_procedure.get(&Procedural::Yes), Some(&1));
    assert_eq!(f.departures_by_procedure.get(&Procedural::No), Some(&1));
    assert_eq!(f.returns, 1);
    assert_eq!(f.stale, 1, "only the record untouched since 2024 is stale");
    // The trend covers 24 months up to November 2026, holding every dated movement in them.
    assert_eq!(f.trend.len(), 24);
    assert_eq!(f.trend.keys().next(), Some(&Month::new(2024, 12).unwrap()));
    assert_eq!(f.trend[&Month::new(2026, 3).unwrap()].departures, 1);
    assert_eq!(f.trend[&Month::new(2026, 2).unwrap()].returns, 1);
    assert_eq!(f.trend.values().map(|m| m.departures).sum::<usize>(), 2);
    assert_eq!(
        f.trend.values().map(|m| m.returns).sum::<usize>(),
        1,
        "Sri's return in January 2024 is before the trend"
    );
}

#[test]
fn filters_narrow_the_figures() {
    let mut v = sample();
    let today = date("2026-11-28");
    let mut women_in_hk = DashboardFilter::last_year(today);
    women_in_hk.sex = Some(Sex::Female);
    women_in_hk.country = Some("HONG KONG".into());
    let f = v.figures(&women_in_hk);
    assert_eq!(f.persons, 2);
    assert_eq!(f.abroad, 1);
    assert_eq!(f.departures, 1);
    assert_eq!(f.returns, 0);
    // Over all time, Sri's return from Hong Kong counts too (written "hong  kong").
    women_in_hk.from = Month::new(2020, 1).unwrap();
    assert_eq!(v.figures(&women_in_hk).returns, 1);

    let march = v.figures(&DashboardFilter::month(Month::new(2026, 3).unwrap()));
    assert_eq!((march.departures, march.returns), (1, 0));
    let mut men = DashboardFilter::last_year(today);
    men.sex = Some(Sex::Male);
    let f = v.figures(&men);
    assert_eq!((f.persons, f.abroad, f.returns), (2, 0, 1));
}

#[test]
fn a_districts_figures_are_its_villages_added_up() {
    let mut a = sample();
    let mut b = Village::new("35.07.33.2006");
    let tutik = b.person("Tutik", Sex::Female, NOV_2026);
    b.stay(
        &tutik,
        "Hong Kong",
        "Penata laksana rumah tangga",
        EpisodeState::Abroad,
        "2026-03-01",
        None,
        Procedural::Yes,
    );
    let filter = DashboardFilter::last_year(date("2026-11-28"));
    let (fa, fb) = (a.figures(&filter), b.figures(&filter));
    let mut district = Figures::default();
    district.add(&fa);
    district.add(&fb);
    assert_eq!(district.persons, 5);
    assert_eq!(district.abroad_by_country.get("Hong Kong"), Some(&2));
    assert_eq!(district.trend[&Month::new(2026, 3).unwrap()].departures, 2);
    assert_eq!(district.departures, fa.departures + fb.departures);
}

#[test]
fn months_parse_count_and_name() {
    let m: Month = "2026-10".parse().unwrap();
    assert_eq!(m.to_string(), "2026-10");
    assert_eq!(m.plus(3).to_string(), "2027-01");
    assert_eq!(m.plus(-10).to_string(), "2025-12");
    assert_eq!(m.last_day(), date("2026-10-31"));
    assert_eq!(Month::new(2028, 2).unwrap().last_day(), date("2028-02-29"));
    assert_eq!(m.label(desmigratif_model::Lang::Id), "Okt 2026");
    assert_eq!(m.long_label(desmigratif_model::Lang::En), "October 2026");
    for bad in ["2026-13", "2026", "26-10", "abcd-ef", "2026-0"] {
        assert!(bad.parse::<Month>().is_err(), "{bad}");
    }
}

/// The demo data tells Kabupaten Malang's story: mostly women, mostly household work, Hong Kong
/// and Taiwan first, some non-procedural departures, returns over the last two years.
#[test]
fn the_demo_district_looks_like_kabupaten_malang() {
    let today = date("2026-11-28");
    let mut all = DashboardFilter::last_year(today);
    all.from = Month::new(2024, 12).unwrap();
    let mut district = Figures::default();
    for village in &demo::VILLAGES {
        let mut doc = demo::village_doc(village, 120);
        let h = history(&mut doc);
        district.add(&doc.snapshot().figures(&all, today, &h));
    }
    let women = district
        .abroad_by_sex
        .get(&Some(Sex::Female))
        .copied()
        .unwrap_or(0);
    assert!(women * 10 > district.abroad * 6, "{district:?}");
    let informal = district
        .abroad_by_sector
        .get(&Sector::Informal)
        .copied()
        .unwrap_or(0);
    assert!(informal * 2 > district.abroad, "{district:?}");
    let mut countries: Vec<_> = district.abroad_by_country.iter().collect();
    countries.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
    let top: Vec<&str> = countries.iter().take(2).map(|(c, _)| c.as_str()).collect();
    assert!(
        top.contains(&"Hong Kong") && top.contains(&"Taiwan"),
        "{countries:?}"
    );
    assert!(
        district
            .departures_by_procedure
            .get(&Procedural::No)
            .is_some_and(|n| *n > 0)
    );
    // Returns in at least half of the last 24 months.
    let months_with_returns = district.trend.values().filter(|m| m.returns > 0).count();
    assert!(months_with_returns >= 12, "{:?}", district.trend);
    assert!(district.stale > 0 && district.stale < district.persons);
}

/// What a partner sees: counts by category, destination and sex, small cells hidden.
#[test]
fn partner_cells_count_persons_and_hide_small_ones() {
    use desmigratif_model::{CellKey, Shown, suppress};
    let v = sample();
    let cells = v.doc.snapshot().partner_cells();
    let key = |category, country: &str, sex| CellKey {
        category,
        country: country.into(),
        sex: Some(sex),
    };
    // Sri's current stay (Taiwan) counts, not her earlier one in Hong Kong.
    assert_eq!(cells.get(&key(Category::Pmi, "Taiwan", Sex::Female)), Some(&1));
    assert_eq!(cells.get(&key(Category::Pmi, "Hong Kong", Sex::Female)), Some(&1));
    assert_eq!(
        cells.get(&key(Category::PurnaPmi, "Malaysia", Sex::Male)),
        Some(&1)
    );
    assert_eq!(cells.values().sum::<usize>(), 4, "every live person once");

    let table = |pairs: &[(&'static str, usize)]| {
        pairs
            .iter()
            .cloned()
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let shown = suppress(&table(&[("a", 12), ("b", 3), ("c", 7), ("d", 0)]));
    assert_eq!(shown["a"], Shown::Count(12));
    assert_eq!(shown["b"], Shown::Hidden("<5"));
    // One small cell alone could be had from the total: the next smallest is hidden too.
    assert_eq!(shown["c"], Shown::Hidden("*"));
    assert!(!shown.contains_key("d"), "empty cells are left out");
    let shown = suppress(&table(&[("a", 12), ("b", 3), ("c", 1), ("e", 5)]));
    assert_eq!(
        [&shown["a"], &shown["b"], &shown["c"], &shown["e"]],
        [
            &Shown::Count(12),
            &Shown::Hidden("<5"),
            &Shown::Hidden("<5"),
            &Shown::Count(5)
        ]
    );
}
