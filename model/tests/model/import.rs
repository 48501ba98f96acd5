use desmigratif_model::import::{Cell, Problem, Target, parse, preview, read_file, suggest};
use desmigratif_model::{Author, Collection, Date, EpisodeState, Lang, Person, RecordId, Sex, VillageDoc};

fn day(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

/// A placement list as a district office saves it from a spreadsheet on Windows: ANSI code
/// page, semicolons, padded names, dates typed three ways and as serial numbers, a NIK that
/// went through a number, an impossible date, a row without a name, a repeated NIK.
fn messy_csv() -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    let lines: [&[u8]; 9] = [
        b"No.;NAMA LENGKAP;NIK;Jenis Kelamin;Tgl. Lahir;Dusun;No HP;Negara Tujuan;Jabatan;P3MI;Nomor SK/ID PMI;Tanggal Berangkat;Tgl Akhir Kontrak",
        b"1;  Siti   Aminah ;3507115208900001;P;12/08/1990;Krajan;;Hong Kong;Penata laksana rumah tangga;PT Demo Karya Mandiri (fiktif);KEP.123/2026;01-03-2025;45900",
        b"2;Sri Wahyuni;3,50712E+15;P;01/01/1991;Krajan;;Taiwan;Perawat lansia;;;;",
        b"3;Andr\xe9 Setiawan;3507111708850003;L;17.08.1985;Jaten;;Malaysia;Pekerja kebun sawit;;;2026-02-10;",
        b"4;Tutik Lestari;3507114102900004;P;31/02/1990;Krajan;;Taiwan;;;;;",
        b"5;;3507114102900005;P;01/02/1990;;;;;;;;",
        b"6;Siti Aminah (lagi);3507115208900001;P;12/08/1990;Krajan;;;;;;;",
        b"7;Lama Terdata;3507114506800007;P;05-06-1980;Sumbersari;0812-3456-7890;;;;;;",
        b";;;;;;;;;;;;",
    ];
    for l in lines {
        out.extend_from_slice(l);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn village_with_one_person() -> (VillageDoc, RecordId) {
    let mut doc = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
    let mut p = Person::new(RecordId::random(), "Lama Terdata");
    p.nik = Some("3507114506800007".into());
    p.dusun = Some("Krajan".into());
    let id = doc.create(p, &Author::new("petugas", "hp"), 1).unwrap();
    (doc, id)
}

#[test]
fn a_messy_placement_list_previews_exactly_and_applies_once() {
    let sheet = read_file(&messy_csv()).unwrap();
    let mapping = suggest(&sheet.headers);
    assert_eq!(
        mapping,
        vec![
            None,
            Some(Target::FullName),
            Some(Target::Nik),
            Some(Target::Sex),
            Some(Target::BirthDate),
            Some(Target::Dusun),
            Some(Target::Phone),
            Some(Target::Country),
            Some(Target::Occupation),
            Some(Target::Agency),
            Some(Target::PlacementDecree),
            Some(Target::DepartureDate),
            Some(Target::ContractEnd),
        ]
    );
    let (mut doc, existing) = village_with_one_person();
    let today = day(2026, 11, 28);
    let rows = parse(&sheet, &mapping);
    assert_eq!(rows.len(), 7, "the empty last row is skipped");
    let p = preview(&doc.snapshot(), rows, &Default::default(), today);

    let rejected: Vec<(usize, Vec<Problem>)> = p.rejected.clone();
    assert_eq!(rejected.len(), 4, "{rejected:?}");
    assert!(matches!(&rejected[0], (3, v) if matches!(v[..], [Problem::NikAsNumber(_)])));
    assert!(
        matches!(&rejected[1], (5, v) if matches!(&v[..], [Problem::Date { field: Target::BirthDate, text }] if text == "31/02/1990"))
    );
    assert!(matches!(&rejected[2], (6, v) if v.contains(&Problem::NoName)));
    assert!(matches!(&rejected[3], (7, v) if v.contains(&Problem::RepeatedNik { line: 2 })));
    assert!(rejected[0].1[0].message(Lang::Id).contains("sebagai angka"));

    assert_eq!(p.new_persons.len(), 2);
    let (_, siti, siti_stay) = &p.new_persons[0];
    assert_eq!(siti.full_name, "Siti Aminah", "spaces tidied");
    assert_eq!(siti.sex, Some(Sex::Female));
    assert_eq!(siti.birth_date, Some(day(1990, 8, 12)));
    let stay = siti_stay.as_ref().unwrap();
    assert_eq!(stay.departure_date, Some(day(2025, 3, 1)));
    assert_eq!(stay.contract_end, Some(day(2025, 8, 31)), "serial 45900");
    assert_eq!(stay.state, EpisodeState::Abroad);
    assert_eq!(stay.placement_decree_number.as_deref(), Some("KEP.123/2026"));
    let (_, andre, _) = &p.new_persons[1];
    assert_eq!(andre.full_name, "André Setiawan", "Windows-1252 decoded");
    assert_eq!(andre.birth_date, Some(day(1985, 8, 17)));

    assert_eq!(p.matched.len(), 1);
    let m = &p.matched[0];
    assert_eq!(m.person, existing);
    let fields: Vec<(Target, Option<&str>, &str)> = m
        .differences
        .iter()
        .map(|d| (d.field, d.current.as_deref(), d.imported.as_str()))
        .collect();
    assert_eq!(
        fields,
        vec![
            (Target::Sex, None, "Female"),
            (Target::BirthDate, None, "05-06-1980"),
            (Target::Dusun, Some("Krajan"), "Sumbersari"),
            (Target::Phone, None, "081234567890"),
        ]
    );

    // The clerk keeps the village's dusun and takes the rest.
    let by = Author::new("disnaker-malang", "pc");
    let applied = doc
        .apply_import(&p, |_, f| f != Target::Dusun, "penempatan-2026-10.csv", &by, 100)
        .unwrap();
    assert_eq!(
        (
            applied.persons_created,
            applied.persons_updated,
            applied.episodes_created
        ),
        (2, 1, 2)
    );
    let snap = doc.snapshot();
    let lama = snap.person(&existing).unwrap();
    assert_eq!(lama.dusun.as_deref(), Some("Krajan"));
    assert_eq!(lama.phone.as_deref(), Some("081234567890"));
    let history = doc.history(Collection::Persons, &siti.id);
    assert_eq!(history[0].source.as_deref(), Some("penempatan-2026-10.csv"));
    assert_eq!(history[0].author, by);

    // The same file again: nothing new.
    let again = preview(
        &doc.snapshot(),
        parse(&sheet, &mapping),
        &Default::default(),
        today,
    );
    assert!(again.new_persons.is_empty() && again.episodes() == 0, "{again:?}");
    assert_eq!(again.unchanged, vec![2, 4], "Siti and André are there");
    // Only the difference the clerk declined is offered again.
    assert_eq!(again.matched.len(), 1);
    assert_eq!(
        again.matched[0]
            .differences
            .iter()
            .map(|d| d.field)
            .collect::<Vec<_>>(),
        vec![Target::Dusun]
    );
    let heads = doc.automerge().get_heads();
    doc.apply_import(
        &again,
        |_, f| f != Target::Dusun,
        "penempatan-2026-10.csv",
        &by,
        200,
    )
    .unwrap();
    assert_eq!(doc.automerge().get_heads(), heads, "no change written");
}

#[test]
fn an_import_is_all_or_nothing() {
    let sheet = read_file(&messy_csv()).unwrap();
    let mapping = suggest(&sheet.headers);
    let (mut doc, _) = village_with_one_person();
    let mut p = preview(
        &doc.snapshot(),
        parse(&sheet, &mapping),
        &Default::default(),
        day(2026, 11, 28),
    );
    // The last new person is refused when written (a NIK cannot be 17 digits).
    p.new_persons.last_mut().unwrap().1.nik = Some("35071117088500031".into());
    let heads = doc.automerge().get_heads();
    let persons = doc.snapshot().persons.len();
    assert!(
        doc.apply_import(&p, |_, _| true, "x.csv", &Author::new("a", "b"), 1)
            .is_err()
    );
    assert_eq!(doc.automerge().get_heads(), heads);
    assert_eq!(
        doc.snapshot().persons.len(),
        persons,
        "the first new person is not there either"
    );
    // And the document still takes edits afterwards.
    doc.create(
        Person::new(RecordId::random(), "Sesudah"),
        &Author::new("a", "b"),
        2,
    )
    .unwrap();
}

#[test]
fn a_nik_of_another_village_is_reported_not_imported() {
    let sheet = read_file(&messy_csv()).unwrap();
    let mapping = suggest(&sheet.headers);
    let (doc, _) = village_with_one_person();
    let mut other = VillageDoc::genesis(&"35.07.11.2003".parse().unwrap());
    let mut andre = Person::new(RecordId::random(), "Andre S.");
    andre.nik = Some("3507111708850003".into());
    other.create(andre, &Author::new("a", "b"), 1).unwrap();
    let mut elsewhere = Default::default();
    desmigratif_model::import::add_niks(&mut elsewhere, "Sumberpetung", &other.snapshot());
    let p = preview(
        &doc.snapshot(),
        parse(&sheet, &mapping),
        &elsewhere,
        day(2026, 11, 28),
    );
    assert_eq!(
        p.elsewhere,
        vec![(4, "Sumberpetung".to_owned(), "Andre S.".to_owned())]
    );
    assert_eq!(p.new_persons.len(), 1);
}

#[test]
fn a_workbook_keeps_date_cells_and_refuses_a_nik_stored_as_a_number() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, h) in ["Nama", "NIK", "Tanggal Lahir", "Negara", "Tanggal Berangkat"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("dd/mm/yyyy");
    sheet.write_string(1, 0, "Yuli Rahayu").unwrap();
    sheet.write_string(1, 1, "3507114707920001").unwrap();
    sheet
        .write_datetime_with_format(1, 2, ExcelDateTime::from_ymd(1992, 7, 7).unwrap(), &date)
        .unwrap();
    sheet.write_string(1, 3, "Singapura").unwrap();
    sheet.write_number(1, 4, 46_000.0).unwrap();
    sheet.write_string(2, 0, "Umi Kalsum").unwrap();
    sheet.write_number(2, 1, 3_507_114_707_920_002.0).unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let read = read_file(&bytes).unwrap();
    assert_eq!(read.rows[0][2], Cell::Date(day(1992, 7, 7)));
    let mapping = suggest(&read.headers);
    let rows = parse(&read, &mapping);
    let yuli = rows[0].as_ref().unwrap();
    assert_eq!(
        yuli.dates[&Target::DepartureDate],
        day(2025, 12, 9),
        "serial 46000"
    );
    assert!(matches!(&rows[1], Err((3, v)) if matches!(v[..], [Problem::NikAsNumber(_)])));
}

#[test]
fn files_that_are_not_lists_are_refused_with_a_reason() {
    assert!(read_file(b"").is_err());
    assert!(read_file(b"PK\x03\x04 not really a zip").is_err());
    // A UTF-8 file with a byte-order mark and commas reads as such.
    let sheet = read_file("\u{feff}Nama,NIK\nSiti,3507115208900001\n".as_bytes()).unwrap();
    assert_eq!(sheet.headers, vec!["Nama", "NIK"]);
    assert_eq!(
        suggest(&sheet.headers),
        vec![Some(Target::FullName), Some(Target::Nik)]
    );
}
