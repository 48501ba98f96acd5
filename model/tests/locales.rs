//! The translations against the code: every text the code shows is translated in every locale
//! file (`model/locales/*.po`), no file keeps texts the code no longer uses, and a translation
//! keeps the placeholders (`{n}`) of its text. The texts are found as xgettext finds them: the
//! string literals given to the calls that translate (`lang.text("…")`, `Text::new("…")`,
//! `field("key", "…", …)`, …) in the sources of every crate that shows text.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A text as the locale files key it: its sense (msgctxt, "" for none) and the Indonesian.
type Key = (String, String);

/// Calls that translate: the text before their arguments, how many string literals they take
/// and which of them are the sense and the text (`None`: no sense).
const CALLS: &[(&str, usize, Option<usize>, usize)] = &[
    (".text(", 1, None, 0),
    (".text_in(", 2, Some(0), 1),
    (".fill(", 1, None, 0),
    ("Text::new(", 1, None, 0),
    ("Text::ctx(", 2, Some(0), 1),
    ("choice(", 2, None, 1),
    ("choice_in(", 3, Some(0), 2),
    ("field(", 2, None, 1),
    ("field_in(", 3, Some(0), 2),
];

fn sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = ["app/src", "model/src", "sync-server/src", "files/src"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                // The lookup's own test asks for a text that is deliberately missing.
                && !path.ends_with("model/src/locale.rs")
            {
                out.push(path);
            }
        }
    }
    out
}

/// One Rust string literal at the start of `s` (after spaces): its value and the rest.
fn literal(s: &str) -> Option<(String, &str)> {
    let s = s.trim_start();
    let mut chars = s.strip_prefix('"')?.char_indices();
    let mut value = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &s[i + 2..])),
            '\\' => match chars.next()?.1 {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'u' => {
                    let rest: String = chars.by_ref().map(|(_, c)| c).take_while(|c| *c != '}').collect();
                    value.push(char::from_u32(
                        u32::from_str_radix(rest.trim_start_matches('{'), 16).ok()?,
                    )?);
                }
                other => value.push(other),
            },
            c => value.push(c),
        }
    }
    None
}

/// Every text the sources translate, with where it is used.
fn used() -> BTreeMap<Key, String> {
    let mut out = BTreeMap::new();
    for path in sources() {
        let src = std::fs::read_to_string(&path).unwrap();
        for (call, n, ctx, text) in CALLS {
            for (at, _) in src.match_indices(call) {
                // `field(` and not `declared_field(`.
                if call.starts_with(char::is_lowercase)
                    && src[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                {
                    continue;
                }
                let mut rest = &src[at + call.len()..];
                let mut args = Vec::new();
                for i in 0..*n {
                    let Some((value, after)) = literal(rest) else {
                        break;
                    };
                    args.push(value);
                    rest = after.trim_start();
                    if i + 1 < *n {
                        let Some(after) = rest.strip_prefix(',') else {
                            break;
                        };
                        rest = after;
                    }
                }
                if args.len() == *n {
                    let key = (
                        ctx.map(|c| args[c].clone()).unwrap_or_default(),
                        args[*text].clone(),
                    );
                    let line = src[..at].lines().count();
                    out.entry(key)
                        .or_insert_with(|| format!("{}:{line}", path.display()));
                }
            }
        }
    }
    out
}

fn placeholders(s: &str) -> BTreeSet<&str> {
    s.match_indices('{')
        .filter_map(|(i, _)| s[i..].find('}').map(|j| &s[i..i + j + 1]))
        .collect()
}

#[test]
fn every_text_the_code_shows_is_translated_and_every_translation_is_used() {
    let used = used();
    assert!(
        used.len() > 400,
        "the extraction finds the texts ({} found)",
        used.len()
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "po") {
            continue;
        }
        files += 1;
        let catalog = polib::po_file::parse(&path).unwrap();
        let mut translated: BTreeMap<Key, String> = BTreeMap::new();
        for m in catalog.messages() {
            let key = (m.msgctxt().unwrap_or_default().to_owned(), m.msgid().to_owned());
            let text = m.msgstr().unwrap_or_default();
            if m.is_translated() && !m.is_fuzzy() && !text.is_empty() {
                translated.insert(key, text.to_owned());
            }
        }
        let missing: Vec<String> = used
            .iter()
            .filter(|(k, _)| !translated.contains_key(*k))
            .map(|((ctx, id), at)| {
                format!(
                    "{at}: {id:?}{}",
                    if ctx.is_empty() {
                        String::new()
                    } else {
                        format!(" ({ctx})")
                    }
                )
            })
            .collect();
        assert!(
            missing.is_empty(),
            "{} lacks {} texts:\n{}",
            path.display(),
            missing.len(),
            missing.join("\n")
        );
        let unused: Vec<&Key> = translated.keys().filter(|k| !used.contains_key(*k)).collect();
        assert!(
            unused.is_empty(),
            "{} keeps texts the code no longer uses: {unused:?}",
            path.display()
        );
        for ((_, id), text) in &translated {
            assert_eq!(
                placeholders(id),
                placeholders(text),
                "{}: the placeholders of {id:?}",
                path.display()
            );
        }
    }
    assert!(files >= 1, "at least English");
}

/// Every text of the UI reaches the screen through the locale files: no code picks a text by
/// matching on the language, which would leave a third language without it.
#[test]
fn no_code_chooses_a_text_by_language() {
    let mut found = Vec::new();
    for path in sources() {
        let src = std::fs::read_to_string(&path).unwrap();
        for (n, line) in src.lines().enumerate() {
            if line.contains("Lang::En =>") || line.contains("Lang::En) =>") || line.contains("Lang::*") {
                found.push(format!("{}:{}", path.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "texts chosen by language in code:\n{}",
        found.join("\n")
    );
}

/// A language is a file: each locale file is one language of the UI, after Bahasa Indonesia.
#[test]
fn each_locale_file_is_a_language() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut codes: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let p = e.path();
            (p.extension()? == "po").then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    codes.sort();
    let languages: Vec<&str> = desmigratif_model::Lang::all()
        .map(desmigratif_model::Lang::code)
        .collect();
    assert_eq!(languages[0], "id");
    assert_eq!(
        languages[1..],
        codes.iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
}
