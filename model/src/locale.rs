//! The UI's languages. Bahasa Indonesia is the source: the code writes its texts in Indonesian,
//! and every other language is a gettext PO file in `model/locales/` (each msgid an Indonesian
//! text, its msgstr the translation; a msgctxt where one Indonesian text has two senses), which
//! `build.rs` compiles into sorted tables. A translator edits the PO file with any PO editor;
//! `model/tests/locales.rs` checks that every text the code uses is translated in every file and
//! that no file keeps texts the code no longer uses.

use crate::validate::Lang;

/// One language's translations: `(context, Indonesian, translation)`, sorted.
pub(crate) struct Catalog {
    pub code: &'static str,
    pub entries: &'static [(&'static str, &'static str, &'static str)],
}

include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));

/// The text `id` (Indonesian, in the sense `ctx`; `""` when it has one) in `lang`: the
/// Indonesian itself when the language lacks it (the locale test keeps that from shipping).
pub fn translate(lang: Lang, ctx: &'static str, id: &'static str) -> &'static str {
    let code = match lang {
        Lang::Id => return id,
        Lang::En => "en",
    };
    CATALOGS
        .iter()
        .find(|c| c.code == code)
        .and_then(|c| {
            c.entries
                .binary_search_by(|(c, i, _)| (*c, *i).cmp(&(ctx, id)))
                .ok()
                .map(|at| c.entries[at].2)
        })
        .unwrap_or(id)
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
    }
}
