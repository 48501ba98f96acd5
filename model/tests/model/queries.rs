use desmigratif_model::{
    Author, Category, EpisodeState, FamilyRelation, MigrationEpisode, Person, PersonFilter, RecordId,
    VillageDoc,
};

struct Village {
    doc: VillageDoc,
    ids: Vec<RecordId>,
}

/// A household of four (KK 1) where the mother works abroad and the son has returned from a first
/// stay and plans a second; a neighbour household (KK 2) with no migrant.
fn village() -> Village {
    let mut doc = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
    let by = Author::new("desa", "hp");
    let person = |name: &str, kk: &str, dusun: &str, rel: FamilyRelation, nik: Option<&str>| {
        let mut p = Person::new(RecordId::random(), name);
        p.no_kk = Some(kk.into());
        p.dusun = Some(dusun.into());
        p.relation = Some(rel);
        p.nik = nik.map(Into::into);
        p
    };
    let kk1 = "3507110101200001";
    let kk2 = "3507110101200002";
    let people = [
        person("Sutrisno", kk1, "Krajan", FamilyRelation::Head, None),
        person(
            "Sri Wahyuni",
            kk1,
            "Krajan",
            FamilyRelation::Spouse,
            Some("3507115205900001"),
        ),
        person("Andi Saputra", kk1, "Krajan", FamilyRelation::Child, None),
        person("Rara", kk1, "Krajan", FamilyRelation::Child, None),
        person("Paijo", kk2, "Jaten", FamilyRelation::Head, None),
    ];
    let ids: Vec<RecordId> = people
        .into_iter()
        .map(|p| doc.create(p, &by, 1).unwrap())
        .collect();
    let ep = |person: &RecordId, country: &str, state| {
        MigrationEpisode::new(RecordId::random(), person.clone(), country, state)
    };
    doc.create(ep(&ids[1], "Hong Kong", EpisodeState::Abroad), &by, 2)
        .unwrap();
    let mut first = ep(&ids[2], "Taiwan", EpisodeState::Returned);
    first.departure_date = desmigratif_model::Date::new(2019, 1, 1);
    first.return_date = desmigratif_model::Date::new(2022, 1, 1);
    doc.create(first, &by, 3).unwrap();
    doc.create(ep(&ids[2], "Korea Selatan", EpisodeState::Planned), &by, 4)
        .unwrap();
    Village { doc, ids }
}

#[test]
fn categories_come_from_episodes_and_households() {
    let v = village();
    let s = v.doc.snapshot();
    assert_eq!(s.category(&v.ids[1]), Some(Category::Pmi));
    assert_eq!(
        s.category(&v.ids[2]),
        Some(Category::Cpmi),
        "a returnee planning to leave again"
    );
    assert_eq!(s.category(&v.ids[0]), Some(Category::Keluarga));
    assert_eq!(s.category(&v.ids[3]), Some(Category::Keluarga));
    assert_eq!(s.category(&v.ids[4]), Some(Category::Resident));
    let counts = s.counts();
    assert_eq!(
        (
            counts.get(Category::Pmi),
            counts.get(Category::Cpmi),
            counts.get(Category::Keluarga)
        ),
        (1, 1, 2)
    );
    assert_eq!(counts.total(), 5);
}

#[test]
fn a_returned_episode_makes_a_purna_pmi_and_deleting_it_reverts() {
    let mut v = village();
    let by = Author::new("desa", "hp");
    let s = v.doc.snapshot();
    let abroad = s.episodes_of(&v.ids[1])[0].clone();
    let mut back = abroad.clone();
    back.state = EpisodeState::Returned;
    back.return_date = desmigratif_model::Date::new(2025, 6, 1);
    v.doc.update(&abroad, &back, &by, 5).unwrap();
    assert_eq!(v.doc.snapshot().category(&v.ids[1]), Some(Category::PurnaPmi));
    v.doc.delete::<MigrationEpisode>(&abroad.id, &by, 6).unwrap();
    assert_eq!(v.doc.snapshot().category(&v.ids[1]), Some(Category::Keluarga));
}

#[test]
fn search_by_text_category_dusun_and_destination() {
    let v = village();
    let s = v.doc.snapshot();
    let names = |f: PersonFilter| {
        s.search(&f)
            .iter()
            .map(|p| p.full_name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(PersonFilter {
            text: Some("sri".into()),
            ..Default::default()
        }),
        ["Sri Wahyuni"]
    );
    assert_eq!(
        names(PersonFilter {
            text: Some("52059".into()),
            ..Default::default()
        }),
        ["Sri Wahyuni"]
    );
    assert_eq!(
        names(PersonFilter {
            category: Some(Category::Keluarga),
            ..Default::default()
        }),
        ["Rara", "Sutrisno"]
    );
    assert_eq!(
        names(PersonFilter {
            dusun: Some("jaten".into()),
            ..Default::default()
        }),
        ["Paijo"]
    );
    assert_eq!(
        names(PersonFilter {
            destination: Some("taiwan".into()),
            ..Default::default()
        }),
        ["Andi Saputra"]
    );
    assert_eq!(
        names(PersonFilter {
            dusun: Some("Krajan".into()),
            destination: Some("Hong Kong".into()),
            ..Default::default()
        }),
        ["Sri Wahyuni"]
    );
    assert!(
        names(PersonFilter {
            text: Some("tidak ada".into()),
            ..Default::default()
        })
        .is_empty()
    );
    assert_eq!(s.dusun_names(), ["Jaten", "Krajan"]);
    assert_eq!(s.destinations(), ["Hong Kong", "Korea Selatan", "Taiwan"]);
}

#[test]
fn households_are_derived_from_family_cards() {
    let v = village();
    let s = v.doc.snapshot();
    let hh = s.households();
    assert_eq!(hh.len(), 2);
    assert_eq!(hh[0].head.as_ref(), Some(&v.ids[0]));
    assert_eq!(hh[0].members.len(), 4);
    assert_eq!(s.household_of(&v.ids[4]).unwrap().members, vec![v.ids[4].clone()]);
}
