//! `sync-server import`: a placement list or a village's spreadsheet (CSV or XLSX) into a
//! village's document, from the command line, through the same model functions the app's import
//! uses. It prints the preview; with `--apply` it writes it as one change naming the file.
//!
//! It writes the store directly, so it refuses to run while a relay serves the data directory
//! (the relay holds `relay.lock`): a relay would not see the change until it restarts. With the
//! relay running, import in the app.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, bail};
use desmigratif_model::import::{Elsewhere, Target, add_niks, parse, preview, read_file, suggest};
use desmigratif_model::{Author, Date, DocumentId, VillageCode, VillageDoc};
use samod::storage::StorageKey;

use crate::accounts::AccountDb;
use crate::config::ImportArgs;
use crate::export::load_village;
use crate::store::FileStore;

/// The lock a serving relay holds on its data directory.
pub fn lock_data_dir(dir: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("relay.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "a relay is serving {}: stop it first, or import in the app",
            dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => Err(e).context("locking the data directory"),
    }
}

/// Today, from the system clock (UTC).
fn today() -> Date {
    let days = crate::accounts::now().div_euclid(86_400);
    Date::from_days_from_epoch(days).expect("the clock is within the calendar")
}

/// Reads `--mapping`: lines `Header in the file = field`, `#` comments; fields by their keys.
fn read_mapping(text: &str, headers: &[String], mapping: &mut [Option<Target>]) -> anyhow::Result<()> {
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((header, field)) = line.rsplit_once('=') else {
            bail!("mapping line {}: write `Header = field`", n + 1);
        };
        let (header, field) = (header.trim(), field.trim());
        let column = headers
            .iter()
            .position(|h| h.trim() == header)
            .with_context(|| format!("mapping line {}: the file has no column `{header}`", n + 1))?;
        mapping[column] = match field {
            "" | "-" | "skip" => None,
            key => Some(Target::from_key(key).with_context(|| {
                let keys: Vec<&str> = Target::ALL.iter().map(|t| t.key()).collect();
                format!(
                    "mapping line {}: no field `{key}`; fields are {}",
                    n + 1,
                    keys.join(", ")
                )
            })?),
        };
    }
    Ok(())
}

/// Runs the import; returns the report to print.
pub fn import(args: &ImportArgs) -> anyhow::Result<String> {
    let data = &args.data.data_dir;
    let _lock = lock_data_dir(data)?;
    let lang = args.lang;
    let code: VillageCode = args
        .village
        .parse()
        .map_err(|_| anyhow::anyhow!("a village code looks like 35.07.11.2008"))?;
    let db = AccountDb::open(&data.join("accounts.sqlite3")).context("opening the account database")?;
    let registered = db.villages()?;
    let name = registered
        .iter()
        .find(|r| r.code == code)
        .map(|r| r.name.clone())
        .with_context(|| format!("village {code} is not registered in {}", data.display()))?;
    let store = FileStore::open(data.join("docs")).context("opening the document store")?;
    let mut doc = load_village(&store, &code)?.unwrap_or_else(|| VillageDoc::genesis(&code));

    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let sheet = read_file(&bytes).with_context(|| format!("reading {}", args.file.display()))?;
    let mut mapping = suggest(&sheet.headers);
    if let Some(m) = &args.mapping {
        let text = std::fs::read_to_string(m).with_context(|| format!("reading {}", m.display()))?;
        read_mapping(&text, &sheet.headers, &mut mapping)?;
    }
    let mut elsewhere = Elsewhere::new();
    for other in registered
        .iter()
        .filter(|r| r.code != code && r.code.district() == code.district())
    {
        if let Some(d) = load_village(&store, &other.code)? {
            add_niks(&mut elsewhere, &other.name, &d.snapshot());
        }
    }
    let snapshot = doc.snapshot();
    let rows = parse(&sheet, &mapping);
    let plan = preview(&snapshot, rows, &elsewhere, today());

    let file_name = args
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("import")
        .to_owned();
    let mut out = String::new();
    let _ = writeln!(out, "{file_name} into {name} ({code}): {} rows", sheet.rows.len());
    for (header, target) in sheet.headers.iter().zip(&mapping) {
        let field = target.map_or("(not imported)", |t| t.label().get(lang));
        let _ = writeln!(out, "  column {header:<28} -> {field}");
    }
    let _ = writeln!(
        out,
        "new persons: {}\nmatched by NIK with differences: {}\nnew stays abroad: {}\nalready as in the file: {}\nrefused: {}\nNIK in another village: {}",
        plan.new_persons.len(),
        plan.matched.len(),
        plan.episodes(),
        plan.unchanged.len(),
        plan.rejected.len(),
        plan.elsewhere.len()
    );
    for m in &plan.matched {
        for d in &m.differences {
            let _ = writeln!(
                out,
                "  row {}: {}: {} `{}` -> `{}`{}",
                m.line,
                m.name,
                d.field.label().get(lang),
                d.current.as_deref().unwrap_or(""),
                d.imported,
                if take_difference(args.overwrite, d.current.as_deref()) {
                    ""
                } else {
                    " (kept; --overwrite takes it)"
                }
            );
        }
    }
    for (line, problems) in &plan.rejected {
        let reasons: Vec<String> = problems.iter().map(|p| p.message(lang)).collect();
        let _ = writeln!(out, "  row {line} refused: {}", reasons.join("; "));
    }
    for (line, village, person) in &plan.elsewhere {
        let _ = writeln!(
            out,
            "  row {line}: NIK of {person} in {village}; not imported here"
        );
    }
    if !args.apply {
        let _ = writeln!(out, "dry run: nothing written (--apply writes it)");
        return Ok(out);
    }
    if plan.is_empty() {
        let _ = writeln!(out, "nothing to write");
        return Ok(out);
    }
    let before = doc.automerge().get_heads();
    let differences: std::collections::HashMap<(usize, Target), bool> = plan
        .matched
        .iter()
        .flat_map(|m| {
            m.differences.iter().map(move |d| {
                (
                    (m.line, d.field),
                    take_difference(args.overwrite, d.current.as_deref()),
                )
            })
        })
        .collect();
    let by = Author::new("cli", "sync-server");
    let applied = doc
        .apply_import(
            &plan,
            |line, field| differences.get(&(line, field)).copied().unwrap_or(false),
            &file_name,
            &by,
            crate::accounts::now(),
        )
        .context("applying the import")?;
    // The new changes, each stored as the relay stores one it receives.
    let id = DocumentId::for_village(&code).to_string();
    for change in doc.automerge().get_changes(&before) {
        let key = StorageKey::from_parts([id.clone(), "incremental".into(), change.hash().to_string()])
            .expect("valid key parts");
        store
            .put_sync(&key, change.raw_bytes())
            .context("writing the change to the store")?;
    }
    let _ = writeln!(
        out,
        "written as one change: {} persons created, {} updated, {} stays abroad",
        applied.persons_created, applied.persons_updated, applied.episodes_created
    );
    Ok(out)
}

/// Whether a differing field is taken: a blank in the village's record is filled; a value the
/// village typed is kept unless `--overwrite`.
fn take_difference(overwrite: bool, current: Option<&str>) -> bool {
    overwrite || current.is_none_or(str::is_empty)
}
