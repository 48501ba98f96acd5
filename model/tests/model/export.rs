use desmigratif_model::export::{Cell, VillagePart, episodes_table, persons_table};
use desmigratif_model::{
    Author, EpisodeState, FamilyRelation, Lang, MigrationEpisode, Person, PersonFilter, RecordId, Sex,
    VillageDoc,
};

fn village() -> VillageDoc {
    let mut doc = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
    let by = Author::new("petugas", "hp");
    let mut head = Person::new(RecordId::random(), "Slamet Rahayu");
    head.nik = Some("3507111708800001".into());
    head.no_kk = Some("3507110101010001".into());
    head.relation = Some(FamilyRelation::Head);
    head.sex = Some(Sex::Male);
    doc.create(head, &by, 1).unwrap();
    let mut wife = Person::new(RecordId::random(), "Siti Rahayu");
    wife.nik = Some("3507115708850002".into());
    wife.no_kk = Some("3507110101010001".into());
    wife.relation = Some(FamilyRelation::Spouse);
    wife.sex = Some(Sex::Female);
    wife.birth_date = Some("1985-08-17".parse().unwrap());
    let id = doc.create(wife, &by, 2).unwrap();
    let mut e = MigrationEpisode::new(RecordId::random(), id, "Hong Kong", EpisodeState::Abroad);
    e.departure_date = Some("2025-03-10".parse().unwrap());
    doc.create(e, &by, 3).unwrap();
    doc
}

#[test]
fn a_person_row_has_the_category_latest_episode_and_household_head() {
    let doc = village();
    let snapshot = doc.snapshot();
    let persons = snapshot.search(&PersonFilter::default());
    let parts = [VillagePart {
        village: "Arjowilangun",
        snapshot: &snapshot,
        persons,
    }];
    let table = persons_table(&parts, Lang::Id);
    assert_eq!(table.headers[1], "NIK");
    let siti = table
        .rows
        .iter()
        .find(|r| r[3] == Cell::Text("Siti Rahayu".into()))
        .unwrap();
    assert_eq!(siti[1], Cell::Code("3507115708850002".into()));
    assert_eq!(siti[6], Cell::Date("1985-08-17".parse().unwrap()));
    assert_eq!(siti[11], Cell::Text("Slamet Rahayu".into()), "the household head");
    assert_eq!(siti[12], Cell::Text("PMI".into()));
    assert_eq!(siti[13], Cell::Text("Hong Kong".into()));
    let english = persons_table(&parts, Lang::En);
    assert_eq!(english.headers[3], "Full name");
    assert_eq!(episodes_table(&parts, Lang::Id).rows.len(), 1);
}

#[cfg(feature = "files")]
#[test]
fn files_keep_nik_as_text_and_dates_as_dates() {
    use calamine::{Data, Reader, Xlsx};
    use desmigratif_model::export::{to_csv, to_xlsx};
    let doc = village();
    let snapshot = doc.snapshot();
    let parts = [VillagePart {
        village: "Arjowilangun",
        snapshot: &snapshot,
        persons: snapshot.search(&PersonFilter::default()),
    }];
    let persons = persons_table(&parts, Lang::Id);
    let episodes = episodes_table(&parts, Lang::Id);

    let csv = to_csv(&persons);
    assert!(
        csv.starts_with(b"\xEF\xBB\xBF"),
        "a byte-order mark for spreadsheets"
    );
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let siti = rows.iter().find(|r| &r[3] == "Siti Rahayu").unwrap();
    assert_eq!(
        &siti[1], "=\"3507115708850002\"",
        "kept as text when a spreadsheet opens it"
    );
    assert_eq!(&siti[6], "17-08-1985");

    let bytes = to_xlsx(&[persons, episodes]).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["Orang", "Riwayat migrasi"]);
    let sheet = book.worksheet_range("Orang").unwrap();
    let siti = sheet
        .rows()
        .find(|r| r[3] == Data::String("Siti Rahayu".into()))
        .unwrap();
    assert_eq!(
        siti[1],
        Data::String("3507115708850002".into()),
        "NIK is a text cell"
    );
    assert!(matches!(siti[6], Data::DateTime(_)), "a real date: {:?}", siti[6]);
    let trips = book.worksheet_range("Riwayat migrasi").unwrap();
    assert_eq!(trips.height(), 2);
}
