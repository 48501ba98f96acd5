use std::io::Write;
use std::process::{Command, Stdio};

use sync_server::accounts::AccountDb;

use crate::support::temp_dir;

fn cli(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sync-server"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn user_commands_create_list_change_and_revoke_accounts() {
    let dir = temp_dir("cli");
    let (ok, out) = cli(
        &dir,
        &[
            "user",
            "add",
            "--username",
            "petugas-baru",
            "--role",
            "village",
            "--village",
            "35.07.11.2008",
            "--password-stdin",
        ],
        Some("sandi-yang-panjang\n"),
    );
    assert!(ok, "{out}");
    assert!(
        !out.contains("sandi-yang-panjang"),
        "a password from stdin is not echoed"
    );
    assert!(
        out.contains("Arjowilangun, Kec. Kalipare, Kabupaten Malang"),
        "the village's official name is shown: {out}"
    );
    let (ok, out) = cli(
        &dir,
        &[
            "user",
            "add",
            "--username",
            "kantor",
            "--role",
            "district",
            "--district",
            "35.07",
        ],
        None,
    );
    assert!(ok, "{out}");
    assert!(out.contains("35.07: Kabupaten Malang"), "{out}");
    let generated = out
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("a generated password is printed once")
        .to_owned();

    let db = AccountDb::open(&dir.join("accounts.sqlite3")).unwrap();
    let villages = db.villages().unwrap();
    assert_eq!(
        villages[0].name, "Arjowilangun",
        "registered under its official name"
    );
    let (token, _) = db
        .login("petugas-baru", "sandi-yang-panjang", "hp", 3600)
        .unwrap()
        .unwrap();
    assert!(db.login("kantor", &generated, "pc", 3600).unwrap().is_some());

    let (ok, out) = cli(&dir, &["user", "list"], None);
    assert!(
        ok && out.contains("petugas-baru") && out.contains("35.07.11.2008") && out.contains("kantor"),
        "{out}"
    );

    let (ok, _) = cli(&dir, &["user", "revoke", "--username", "petugas-baru"], None);
    assert!(ok);
    assert!(
        db.session(&token).unwrap().is_none(),
        "revoked from another process"
    );

    let (ok, _) = cli(
        &dir,
        &["user", "passwd", "--username", "petugas-baru", "--password-stdin"],
        Some("sandi-baru-lagi\n"),
    );
    assert!(ok);
    assert!(
        db.login("petugas-baru", "sandi-yang-panjang", "hp", 3600)
            .unwrap()
            .is_none()
    );
    assert!(
        db.login("petugas-baru", "sandi-baru-lagi", "hp", 3600)
            .unwrap()
            .is_some()
    );

    // Bad input: a clear error and nothing changed.
    let (ok, out) = cli(
        &dir,
        &[
            "user",
            "add",
            "--username",
            "x/y",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("panjang-sekali\n"),
    );
    assert!(!ok && out.contains("usernames are"), "{out}");
    let (ok, out) = cli(&dir, &["user", "revoke", "--username", "tidak-ada"], None);
    assert!(!ok && out.contains("no account"), "{out}");
    assert_eq!(db.list().unwrap().len(), 2);

    // A lost phone: listed, revoked alone, named in the audit log with who did it.
    let (phone, _) = db
        .login("petugas-baru", "sandi-baru-lagi", "HP_Bu_Sri.0e49ab", 3600)
        .unwrap()
        .unwrap();
    let (ok, out) = cli(&dir, &["user", "devices", "--username", "petugas-baru"], None);
    assert!(
        ok && out.contains("HP_Bu_Sri.0e49ab") && out.contains("HP Bu Sri"),
        "{out}"
    );
    let (ok, out) = cli(
        &dir,
        &[
            "user",
            "revoke-device",
            "--username",
            "petugas-baru",
            "--device",
            "HP_Bu_Sri.0e49ab",
        ],
        None,
    );
    assert!(ok, "{out}");
    assert_eq!(
        db.check_token(&phone).unwrap(),
        sync_server::accounts::TokenState::DeviceRevoked
    );
    assert!(
        db.login("petugas-baru", "sandi-baru-lagi", "hp", 3600)
            .unwrap()
            .is_some()
    );
    let (ok, out) = cli(&dir, &["user", "disable", "--username", "kantor"], None);
    assert!(ok, "{out}");
    let (ok, out) = cli(&dir, &["user", "list"], None);
    assert!(
        ok && out
            .lines()
            .any(|l| l.starts_with("kantor") && l.ends_with("disabled")),
        "{out}"
    );
    let (ok, out) = cli(&dir, &["audit"], None);
    assert!(ok, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].contains("cli") && lines[0].contains("account.disable") && lines[0].contains("kantor"),
        "{out}"
    );
    assert!(
        lines[1].contains("device.revoke") && lines[1].contains("HP_Bu_Sri.0e49ab"),
        "{out}"
    );
    assert!(
        out.contains("account.password") && out.contains("account.create"),
        "{out}"
    );
    assert!(
        !out.contains("sandi-baru-lagi") && !out.contains(&generated),
        "no password in the log: {out}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn backup_restore_and_verify_commands_say_what_they_did() {
    let dir = temp_dir("cli-backup");
    let (ok, out) = cli(
        &dir,
        &[
            "user",
            "add",
            "--username",
            "petugas-arsip",
            "--role",
            "village",
            "--village",
            "35.07.11.2008",
            "--password-stdin",
        ],
        Some("sandi-yang-panjang\n"),
    );
    assert!(ok, "{out}");
    let file = temp_dir("cli-backup-file").join("relay.tar");
    let file_arg = file.to_str().unwrap();
    let (ok, out) = cli(&dir, &["backup", "--to", file_arg], None);
    assert!(ok && out.contains("backup written"), "{out}");

    let target = temp_dir("cli-restore").join("data");
    let (ok, out) = cli(&target, &["restore", "--from", file_arg], None);
    assert!(ok && out.contains("no problems found"), "{out}");
    let (ok, out) = cli(&target, &["user", "list"], None);
    assert!(
        ok && out.contains("petugas-arsip"),
        "the account came back: {out}"
    );
    let (ok, out) = cli(&target, &["restore", "--from", file_arg], None);
    assert!(!ok && out.contains("not empty"), "{out}");

    let empty = temp_dir("cli-verify-empty");
    let (ok, out) = cli(&empty, &["verify"], None);
    assert!(!ok && out.contains("no account database"), "{out}");
    let (ok, out) = cli(&empty, &["backup", "--to", file_arg], None);
    assert!(!ok && out.contains("no account database"), "{out}");
}

#[test]
fn export_writes_a_districts_persons_and_episodes_with_nik_as_text() {
    use calamine::{Data, Reader, Xlsx};
    use desmigratif_model::demo;
    let dir = temp_dir("export");
    let store = sync_server::FileStore::open(dir.join("docs")).unwrap();
    sync_server::seed::seed_demo(&store, 10).unwrap();
    let db = AccountDb::open(&dir.join("accounts.sqlite3")).unwrap();
    sync_server::seed::seed_demo_accounts(&db).unwrap();
    // What the documents hold, counted from the demo generator itself.
    let mut persons = 0;
    let mut episodes = 0;
    for v in &demo::VILLAGES {
        let s = demo::village_doc(v, 10).snapshot();
        persons += s.persons.values().filter(|p| !p.deleted).count();
        episodes += s.episodes.values().filter(|e| !e.deleted).count();
    }

    let out = dir.join("kabupaten.xlsx");
    let (ok, text) = cli(
        &dir,
        &[
            "export",
            "--district",
            "35.07",
            "--format",
            "xlsx",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(ok, "{text}");
    assert!(
        text.contains(&format!("wrote {} rows", persons + episodes)),
        "{text}"
    );
    let mut book: Xlsx<_> = calamine::open_workbook(&out).unwrap();
    let sheet = book.worksheet_range("Orang").unwrap();
    assert_eq!(sheet.height(), persons + 1, "a header and one row per person");
    assert_eq!(sheet.rows().next().unwrap()[1], Data::String("NIK".into()));
    for row in sheet.rows().skip(1) {
        assert!(
            matches!(&row[1], Data::String(nik) if nik.len() == 16),
            "NIK as text: {:?}",
            row[1]
        );
    }
    let villages: std::collections::BTreeSet<String> =
        sheet.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(villages.len(), 4, "every village of the district");
    assert_eq!(
        book.worksheet_range("Riwayat migrasi").unwrap().height(),
        episodes + 1
    );

    // One village's episodes as CSV, in English.
    let out = dir.join("arjo.csv");
    let (ok, text) = cli(
        &dir,
        &[
            "export",
            "--village",
            "35.07.11.2008",
            "--format",
            "csv",
            "--what",
            "episodes",
            "--lang",
            "en",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(ok, "{text}");
    let bytes = std::fs::read(&out).unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(&reader.headers().unwrap()[3], "Destination country");
    let rows: Vec<_> = reader.records().map(Result::unwrap).collect();
    assert!(!rows.is_empty() && rows.iter().all(|r| &r[0] == "Arjowilangun"));
    assert!(rows.iter().all(|r| r[1].starts_with("=\"")), "NIK kept as text");
    // Each stay's country also by its ISO code, beside the name.
    assert_eq!(&reader.headers().unwrap()[4], "Country code (ISO)");
    for r in &rows {
        let code = desmigratif_model::countries::find_country(&r[3]).map(|c| format!("=\"{}\"", c.code));
        assert_eq!(code.as_deref(), Some(&r[4]), "{r:?}");
    }

    // Bad input: a clear error, no file.
    let (ok, text) = cli(
        &dir,
        &[
            "export",
            "--village",
            "35.07.99.9999",
            "--out",
            dir.join("x.xlsx").to_str().unwrap(),
        ],
        None,
    );
    assert!(!ok && text.contains("not registered"), "{text}");
    assert!(!dir.join("x.xlsx").exists());
    let (ok, text) = cli(&dir, &["export", "--out", "y.xlsx"], None);
    assert!(!ok && text.contains("--village"), "{text}");
}

#[test]
fn import_previews_then_applies_once_and_waits_for_no_relay() {
    let dir = temp_dir("import-cli");
    let store = sync_server::FileStore::open(dir.join("docs")).unwrap();
    sync_server::seed::seed_demo(&store, 3).unwrap();
    // The import writes the store itself: this process lets go of it.
    drop(store);
    let db = AccountDb::open(&dir.join("accounts.sqlite3")).unwrap();
    sync_server::seed::seed_demo_accounts(&db).unwrap();
    let file = dir.join("penempatan-2026-11.csv");
    std::fs::write(
        &file,
        "NIK;Nama;Jenis Kelamin;Tanggal Lahir;Negara Tujuan;Tanggal Berangkat\n\
         3507115708900007;Sulastri Impor Uji;P;17/08/1990;Taiwan;02-03-2026\n\
         3.50711570890001E+15;Nik Rusak;P;17/08/1990;Taiwan;02-03-2026\n\
         3507115708900008;;P;17/08/1990;Taiwan;02-03-2026\n",
    )
    .unwrap();
    let village = "35.07.11.2008";
    let count = |name: &str| {
        let store = sync_server::FileStore::open_read_only(dir.join("docs")).unwrap();
        let doc = sync_server::export::load_village(&store, &village.parse().unwrap())
            .unwrap()
            .unwrap();
        doc.snapshot()
            .persons
            .values()
            .filter(|p| p.full_name == name)
            .count()
    };
    let args = |extra: &[&str]| {
        let mut a = vec!["import", "--village", village, "--file", file.to_str().unwrap()];
        a.extend_from_slice(extra);
        a.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        cli(&dir, &refs, None)
    };

    let (ok, out) = run(args(&["--dry-run"]));
    assert!(ok, "{out}");
    assert!(
        out.contains("new persons: 1") && out.contains("refused: 2"),
        "{out}"
    );
    assert!(out.contains("sebagai angka"), "the float NIK is explained: {out}");
    assert!(out.contains("dry run"), "{out}");
    assert_eq!(count("Sulastri Impor Uji"), 0, "a dry run writes nothing");

    // While a relay holds the data directory, the import is refused and writes nothing.
    let lock = sync_server::import::lock_data_dir(&dir).unwrap();
    let (ok, out) = run(args(&["--apply"]));
    assert!(!ok && out.contains("a relay is serving"), "{out}");
    drop(lock);
    assert_eq!(count("Sulastri Impor Uji"), 0);

    let (ok, out) = run(args(&["--apply"]));
    assert!(ok && out.contains("1 persons created"), "{out}");
    assert_eq!(count("Sulastri Impor Uji"), 1);
    // The same file again adds nothing.
    let (ok, out) = run(args(&["--apply"]));
    assert!(ok && out.contains("nothing to write"), "{out}");
    assert_eq!(count("Sulastri Impor Uji"), 1);

    // A mapping naming a field that does not exist: a clear error.
    let mapping = dir.join("kolom.txt");
    std::fs::write(&mapping, "Nama = nama_lengkap\n").unwrap();
    let (ok, out) = run(args(&["--mapping", mapping.to_str().unwrap()]));
    assert!(
        !ok && out.contains("no field `nama_lengkap`") && out.contains("full_name"),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
