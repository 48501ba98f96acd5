//! The UI's languages. Bahasa Indonesia is the source: the code writes its texts in Indonesian,
//! and every other language is a gettext PO file in `model/locales/` (each msgid an Indonesian
//! text, its msgstr the translation; a msgctxt where one Indonesian text has two senses;
//! `{name}` placeholders kept as they are), which `build.rs` compiles into sorted tables and one
//! [`Lang`] constant per file. A translator edits the PO file with any PO editor, and a new
//! language is a new file; `model/tests/locales.rs` checks that every text the code uses is
//! translated in every file and that no file keeps texts the code no longer uses.

use std::fmt::Display;

use crate::validate::Lang;

/// One language's translations: `(context, Indonesian, translation)`, sorted.
pub(crate) struct Catalog {
    pub code: &'static str,
    pub name: &'static str,
    pub entries: &'static [(&'static str, &'static str, &'static str)],
}

include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));

impl Lang {
    /// Every language: Bahasa Indonesia first, then one per locale file.
    pub fn all() -> impl Iterator<Item = Lang> {
        (0..=CATALOGS.len()).map(|i| Lang(i as u8))
    }

    fn catalog(self) -> Option<&'static Catalog> {
        usize::from(self.0).checked_sub(1).and_then(|i| CATALOGS.get(i))
    }

    /// The language's code (`id`, `en`, the locale file's name).
    pub fn code(self) -> &'static str {
        self.catalog().map_or("id", |c| c.code)
    }

    /// The language's name in itself ("Bahasa Indonesia", "English").
    pub fn name(self) -> &'static str {
        self.catalog().map_or("Bahasa Indonesia", |c| c.name)
    }

    /// The language of a code, if there is one.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::all().find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }

    /// A text, written in Indonesian, in this language.
    pub fn text(self, id: &'static str) -> &'static str {
        translate(self, "", id)
    }

    /// A text with placeholders (`"Sisa {left} percobaan."`) in this language, filled in.
    pub fn fill(self, id: &'static str, args: &[(&str, &dyn Display)]) -> String {
        fill(translate(self, "", id), args)
    }
}

/// The text `id` (Indonesian, in the sense `ctx`; `""` when it has one) in `lang`: the
/// Indonesian itself when the language lacks it (the locale test keeps that from shipping).
pub fn translate(lang: Lang, ctx: &'static str, id: &'static str) -> &'static str {
    lang.catalog()
        .and_then(|c| {
            c.entries
                .binary_search_by(|(c, i, _)| (*c, *i).cmp(&(ctx, id)))
                .ok()
                .map(|at| c.entries[at].2)
        })
        .unwrap_or(id)
}

/// `template` with each `{name}` replaced by its value in `args`; unknown names stay as written.
pub fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(&value.to_string()),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_reads_in_each_language_and_its_sense() {
        assert_eq!(translate(Lang::Id, "", "Simpan"), "Simpan");
        assert_eq!(translate(Lang::En, "", "Simpan"), "Save");
        assert_eq!(translate(Lang::En, "Log out", "Keluar"), "Log out");
        // Not in the file: the Indonesian stands.
        assert_eq!(
            translate(Lang::En, "", "Tidak ada di berkas"),
            "Tidak ada di berkas"
        );
        assert_eq!(
            Lang::En.fill("Harus antara {min} dan {max}.", &[("min", &1), ("max", &9)]),
            "Must be between 1 and 9."
        );
        assert_eq!(fill("{a} dan {b}", &[("a", &"x")]), "x dan {b}");
    }

    #[test]
    fn languages_are_known_by_their_codes() {
        assert_eq!(Lang::all().next(), Some(Lang::Id));
        assert_eq!(Lang::from_code("EN"), Some(Lang::En));
        assert_eq!(Lang::En.code(), "en");
        assert_eq!(Lang::En.name(), "English");
        assert_eq!(Lang::Id.name(), "Bahasa Indonesia");
        assert_eq!(Lang::from_code("xx"), None);
    }
}
