//! Backups of a data directory while the relay runs, restoring one into an empty directory,
//! and checking a data directory.
//!
//! A backup is a tar archive: `desmigratif-backup` (the format line), `accounts.sqlite3` (a
//! consistent copy made by SQLite itself, `VACUUM INTO`) and `docs/…` (every document's files,
//! with what the store's journal holds written out as the files it stands for). The journal is
//! read first, then the files: the relay changes files only when it folds a journal into them,
//! after writing that journal's data out, so each document in the backup holds every change
//! that was durable when the backup began. A document's files are read again if one disappears
//! while they are read (a fold removed what a newer snapshot replaces; that snapshot is there).

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::store::journal::{self, Key, Slot};
use crate::store::{TMP_SUFFIX, path_of, read_dir_sorted};

/// The first entry of every backup archive, and its content.
const FORMAT_ENTRY: &str = "desmigratif-backup";
const FORMAT: &str = "desmigratif backup 1\n";
const ACCOUNTS: &str = "accounts.sqlite3";
const DOCS: &str = "docs";

/// What a backup holds.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub documents: usize,
    pub files: usize,
    pub bytes: u64,
}

/// Writes a backup of `data_dir` to `to` (through a temporary file renamed at the end, so an
/// interrupted backup never leaves a file that looks complete).
pub fn backup(data_dir: &Path, to: &Path) -> anyhow::Result<Summary> {
    let accounts = data_dir.join(ACCOUNTS);
    if !accounts.is_file() {
        bail!(
            "{} holds no account database: is it a relay's data directory?",
            data_dir.display()
        );
    }
    let partial = partial_path(to);
    let file = fs::File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let mut archive = tar::Builder::new(io::BufWriter::new(file));
    let mut summary = Summary::default();
    append(&mut archive, FORMAT_ENTRY, FORMAT.as_bytes())?;

    let copy = tempfile_beside(to, "accounts");
    let _ = fs::remove_file(&copy);
    let db = rusqlite::Connection::open(&accounts).context("opening the account database")?;
    db.execute("VACUUM INTO ?1", [copy.to_string_lossy()])
        .context("copying the account database")?;
    drop(db);
    let bytes = fs::read(&copy)?;
    fs::remove_file(&copy)?;
    append(&mut archive, ACCOUNTS, &bytes)?;
    summary.bytes += bytes.len() as u64;

    let docs = data_dir.join(DOCS);
    let mut journalled = Journalled::read(&docs)?;
    for dir in journalled.document_dirs(&docs) {
        let files = journalled.read_document(&docs, &dir)?;
        let relative = dir.strip_prefix(data_dir).expect("under the data directory");
        for (path, data) in &files {
            let name = relative.join(path);
            append(&mut archive, &name.to_string_lossy(), data)?;
            summary.files += 1;
            summary.bytes += data.len() as u64;
        }
        summary.documents += 1;
    }
    // Files of the store that are not documents (samod's storage id).
    for (path, data) in journalled.loose_files(&docs)? {
        let name = path.strip_prefix(data_dir).expect("under the data directory");
        append(&mut archive, &name.to_string_lossy(), &data)?;
        summary.files += 1;
        summary.bytes += data.len() as u64;
    }
    let mut out = archive.into_inner()?;
    out.flush()?;
    out.get_ref().sync_all()?;
    drop(out);
    fs::rename(&partial, to).with_context(|| format!("writing {}", to.display()))?;
    Ok(summary)
}

/// Restores a backup into `data_dir`, which must be empty or not exist yet, then checks it.
pub fn restore(from: &Path, data_dir: &Path) -> anyhow::Result<Report> {
    if data_dir.exists() && fs::read_dir(data_dir)?.next().is_some() {
        bail!(
            "{} is not empty: restore into an empty directory, so nothing there is overwritten",
            data_dir.display()
        );
    }
    let open = || fs::File::open(from).with_context(|| format!("opening {}", from.display()));
    let mut archive = tar::Archive::new(open()?);
    let mut entries = archive.entries()?;
    let first = entries.next().transpose()?;
    let is_backup = first
        .as_ref()
        .and_then(|e| e.path().ok())
        .is_some_and(|p| p == Path::new(FORMAT_ENTRY));
    if !is_backup {
        bail!("{} is not a Desmigratif backup", from.display());
    }
    fs::create_dir_all(data_dir)?;
    // `unpack` refuses entries that would land outside the directory.
    tar::Archive::new(open()?)
        .unpack(data_dir)
        .context("unpacking the backup")?;
    fs::remove_file(data_dir.join(FORMAT_ENTRY))?;
    verify(data_dir)
}

/// What [`verify`] found.
#[derive(Debug, Default)]
pub struct Report {
    pub documents: usize,
    pub accounts: usize,
    /// Each problem in plain words; empty when all is well.
    pub problems: Vec<String>,
}

/// Checks a data directory: the account database's integrity, that every document's files
/// load, and that no temporary file was left behind by an interrupted write.
pub fn verify(data_dir: &Path) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let accounts = data_dir.join(ACCOUNTS);
    if accounts.is_file() {
        let db =
            rusqlite::Connection::open_with_flags(&accounts, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let check: rusqlite::Result<String> = db.query_row("PRAGMA integrity_check", [], |r| r.get(0));
        match check {
            Ok(ok) if ok == "ok" => {}
            Ok(problem) => report
                .problems
                .push(format!("the account database is damaged: {problem}")),
            Err(e) => report
                .problems
                .push(format!("the account database cannot be read: {e}")),
        }
        report.accounts = db
            .query_row("SELECT count(*) FROM accounts", [], |r| r.get::<_, i64>(0))
            .unwrap_or(0) as usize;
    } else {
        report
            .problems
            .push(format!("there is no account database ({})", accounts.display()));
    }
    for tmp in temporaries(&data_dir.join(DOCS)) {
        report.problems.push(format!(
            "a write was interrupted and left {} behind (the relay removes it when it starts)",
            tmp.display()
        ));
    }
    let docs = data_dir.join(DOCS);
    let mut journalled = match Journalled::read(&docs) {
        Ok(j) => j,
        Err(e) => {
            report
                .problems
                .push(format!("the store's journal cannot be read: {e}"));
            Journalled::default()
        }
    };
    for dir in journalled.document_dirs(&docs) {
        report.documents += 1;
        let files = match journalled.read_document(&docs, &dir) {
            Ok(files) => files,
            Err(e) => {
                report.problems.push(format!("{}: {e:#}", dir.display()));
                continue;
            }
        };
        let mut doc = automerge::Automerge::new();
        for (path, data) in files {
            let is_chunk = path.components().any(|c| {
                let c = c.as_os_str();
                c == "snapshot" || c == "incremental"
            });
            if is_chunk && doc.load_incremental(&data).is_err() {
                report.problems.push(format!(
                    "{} does not load as part of its document: it is damaged",
                    dir.join(&path).display()
                ));
            }
        }
    }
    Ok(report)
}

/// What the store's journal holds, by document: read before the files (see the module docs).
#[derive(Default)]
struct Journalled {
    /// Entries of keys with a document and a chunk (`[doc, kind, hash]`), by document id.
    documents: BTreeMap<String, Vec<(Key, Slot)>>,
    /// Entries of one-part keys (samod's storage id).
    loose: Vec<(Key, Slot)>,
}

impl Journalled {
    fn read(docs: &Path) -> io::Result<Self> {
        let mut out = Self::default();
        for (key, slot) in journal::view(docs)? {
            match key.first() {
                Some(doc) if key.len() > 1 => out.documents.entry(doc.clone()).or_default().push((key, slot)),
                Some(_) => out.loose.push((key, slot)),
                None => {}
            }
        }
        Ok(out)
    }

    /// The directories holding one document each (`docs/ab/cdef…`, the store's two-level
    /// layout), with those of documents so far only in the journal.
    fn document_dirs(&self, docs: &Path) -> Vec<PathBuf> {
        let mut dirs: std::collections::BTreeSet<PathBuf> = document_dirs(docs).into_iter().collect();
        dirs.extend(
            self.documents
                .keys()
                .filter_map(|doc| path_of(docs, std::slice::from_ref(doc))),
        );
        dirs.into_iter().collect()
    }

    /// Every file of one document, as [`read_document`] reads them, with what the journal
    /// holds for it.
    fn read_document(&mut self, docs: &Path, dir: &Path) -> anyhow::Result<BTreeMap<PathBuf, Vec<u8>>> {
        let mut files = if dir.is_dir() {
            read_document(dir)?
        } else {
            BTreeMap::new()
        };
        let id: String = dir
            .strip_prefix(docs)
            .map(|p| p.iter().map(|c| c.to_string_lossy()).collect())
            .unwrap_or_default();
        for (key, slot) in self.documents.remove(&id).unwrap_or_default() {
            let relative: PathBuf = key[1..].iter().collect();
            match slot {
                Slot::Put(data) => {
                    files.insert(relative, (*data).clone());
                }
                Slot::Deleted => {
                    files.remove(&relative);
                }
            }
        }
        Ok(files)
    }

    /// Files of the store that are not documents, with what the journal holds for them.
    fn loose_files(&self, docs: &Path) -> io::Result<BTreeMap<PathBuf, Vec<u8>>> {
        let mut out = BTreeMap::new();
        for path in loose_files(docs) {
            out.insert(path.clone(), fs::read(&path)?);
        }
        for (key, slot) in &self.loose {
            let Some(path) = path_of(docs, key) else { continue };
            match slot {
                Slot::Put(data) => {
                    out.insert(path, (**data).clone());
                }
                Slot::Deleted => {
                    out.remove(&path);
                }
            }
        }
        Ok(out)
    }
}

/// The directories holding one document each: `docs/ab/cdef…` (the store's two-level layout).
fn document_dirs(docs: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for first in read_dir_sorted(docs) {
        if !first.is_dir() || is_journal(&first) {
            continue;
        }
        for second in read_dir_sorted(&first) {
            if second.is_dir() {
                out.push(second);
            }
        }
    }
    out
}

/// Files in the store's two upper levels, outside any document's directory.
fn loose_files(docs: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for first in read_dir_sorted(docs) {
        if is_journal(&first) {
            continue;
        }
        if first.is_file() && !is_temporary(&first) {
            out.push(first);
        } else if first.is_dir() {
            out.extend(
                read_dir_sorted(&first)
                    .into_iter()
                    .filter(|p| p.is_file() && !is_temporary(p)),
            );
        }
    }
    out
}

/// Every file of one document (paths relative to its directory), read as one consistent set:
/// if a file vanishes while the set is read (the relay compacted the document and removed what
/// the new snapshot replaces), the set is read again.
fn read_document(dir: &Path) -> anyhow::Result<BTreeMap<PathBuf, Vec<u8>>> {
    for _ in 0..20 {
        let mut files = BTreeMap::new();
        let mut vanished = false;
        for path in files_under(dir) {
            match fs::read(&path) {
                Ok(data) => {
                    let relative = path.strip_prefix(dir).expect("under the directory").to_path_buf();
                    files.insert(relative, data);
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    vanished = true;
                    break;
                }
                Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
            }
        }
        if !vanished {
            return Ok(files);
        }
    }
    bail!("{} kept changing while it was read", dir.display())
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in read_dir_sorted(dir) {
        if entry.is_dir() {
            out.extend(files_under(&entry));
        } else if !is_temporary(&entry) {
            out.push(entry);
        }
    }
    out
}

fn temporaries(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in read_dir_sorted(dir) {
        if entry.is_dir() {
            out.extend(temporaries(&entry));
        } else if is_temporary(&entry) {
            out.push(entry);
        }
    }
    out
}

fn is_journal(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == journal::DIR)
}

fn is_temporary(path: &Path) -> bool {
    path.to_str().is_some_and(|p| p.ends_with(TMP_SUFFIX))
}

fn append(archive: &mut tar::Builder<impl Write>, name: &str, data: &[u8]) -> io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(0o600);
    header.set_cksum();
    archive.append_data(&mut header, name, data)
}

fn partial_path(to: &Path) -> PathBuf {
    tempfile_beside(to, "partial")
}

fn tempfile_beside(to: &Path, what: &str) -> PathBuf {
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "backup".into());
    to.with_file_name(format!(".{name}.{what}.{}", std::process::id()))
}
