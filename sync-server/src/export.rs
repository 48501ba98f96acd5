//! `sync-server export`: persons or episodes of a village or a district as CSV or XLSX, read
//! from the stored documents through the model crate (the same tables the app exports).

use std::path::Path;

use anyhow::{Context, bail};
use automerge::AutoCommit;
use desmigratif_model::export::{
    Viewer, VillagePart, episodes_table, persons_table, pillar_tables, to_csv, to_xlsx,
};
use desmigratif_model::{DistrictCode, DocumentId, PersonFilter, VillageCode, VillageDoc, VillageSnapshot};
use samod::storage::StorageKey;

use crate::accounts::AccountDb;
use crate::config::{ExportArgs, ExportFormat, ExportWhat};
use crate::store::FileStore;

/// A village document as stored (every snapshot and chunk); `None` if the store has none.
pub fn load_village(store: &FileStore, code: &VillageCode) -> anyhow::Result<Option<VillageDoc>> {
    let id = DocumentId::for_village(code);
    let prefix = StorageKey::from_parts([id.to_string()]).expect("valid key parts");
    let files = store.load_range_sync(&prefix);
    if files.is_empty() {
        return Ok(None);
    }
    let mut doc = AutoCommit::new();
    for bytes in files.values() {
        doc.load_incremental(bytes)
            .with_context(|| format!("the document of {code} is damaged"))?;
    }
    Ok(Some(VillageDoc::from_automerge(doc)?))
}

/// Writes the export; returns how many rows it wrote.
pub fn export(args: &ExportArgs) -> anyhow::Result<usize> {
    let data = &args.data.data_dir;
    let db = AccountDb::open(&data.join("accounts.sqlite3")).context("opening the account database")?;
    let store = FileStore::open_read_only(data.join("docs")).context("opening the document store")?;
    let registered = db.villages()?;
    let codes: Vec<(VillageCode, String)> = match (&args.village, &args.district) {
        (Some(v), _) => {
            let code: VillageCode = v
                .parse()
                .map_err(|_| anyhow::anyhow!("a village code looks like 35.07.11.2008"))?;
            let name = registered
                .iter()
                .find(|r| r.code == code)
                .map(|r| r.name.clone())
                .with_context(|| format!("village {code} is not registered in {}", data.display()))?;
            vec![(code, name)]
        }
        (None, Some(d)) => {
            let district: DistrictCode = d
                .parse()
                .map_err(|_| anyhow::anyhow!("a district code looks like 35.07"))?;
            registered
                .into_iter()
                .filter(|r| r.code.district() == district)
                .map(|r| (r.code, r.name))
                .collect()
        }
        (None, None) => bail!("name a --village or a --district"),
    };
    let mut snapshots: Vec<(String, VillageSnapshot)> = Vec::new();
    for (code, name) in codes {
        if let Some(doc) = load_village(&store, &code)? {
            snapshots.push((name, doc.snapshot()));
        }
    }
    let parts: Vec<VillagePart<'_>> = snapshots
        .iter()
        .map(|(name, s)| VillagePart {
            village: name,
            snapshot: s,
            persons: s.search(&PersonFilter::default()),
        })
        .collect();
    let lang = args.lang;
    let persons = persons_table(&parts, lang);
    let episodes = episodes_table(&parts, lang);
    let (bytes, rows) = match (args.format, args.what) {
        (ExportFormat::Csv, ExportWhat::Persons) => (to_csv(&persons), persons.rows.len()),
        (ExportFormat::Csv, ExportWhat::Episodes) => (to_csv(&episodes), episodes.rows.len()),
        (ExportFormat::Xlsx, _) => {
            // The workbook also holds the services' records, one sheet per type; the operator
            // exports as the district does (confidential cases with their person).
            let villages: Vec<(&str, &VillageSnapshot)> =
                snapshots.iter().map(|(n, s)| (n.as_str(), s)).collect();
            let viewer = Viewer {
                account: "cli",
                district: true,
            };
            let mut sheets = vec![persons, episodes];
            sheets.extend(pillar_tables(&villages, viewer, lang));
            let rows = sheets.iter().map(|t| t.rows.len()).sum();
            (to_xlsx(&sheets)?, rows)
        }
    };
    write(&args.out, &bytes)?;
    Ok(rows)
}

/// Writes through a temporary file beside the target, so a half-written export never has the
/// target's name.
fn write(to: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = to.with_extension("partial");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, to).with_context(|| format!("writing {}", to.display()))?;
    Ok(())
}
