//! What each record type's fields are to a person: their labels in both languages, the kind of
//! value and its choices. Declared once per record type ([`Described::SPEC`]); the detail view,
//! the conflict dialog and the history show values from it, and a test checks it names exactly
//! the stored fields, so a misspelt field cannot hide.

use crate::date::Date;
use crate::record::Record;
use crate::validate::Lang;

/// A text in Bahasa Indonesia and in English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    pub id: &'static str,
    pub en: &'static str,
}

impl Text {
    pub const fn new(id: &'static str, en: &'static str) -> Self {
        Self { id, en }
    }

    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Id => self.id,
            Lang::En => self.en,
        }
    }
}

/// One of a choice field's values: the code stored in the document and its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    pub code: &'static str,
    pub label: Text,
}

pub(crate) const fn choice(code: &'static str, id: &'static str, en: &'static str) -> Choice {
    Choice {
        code,
        label: Text::new(id, en),
    }
}

/// The kind of value a field holds, as a form and a display treat it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// Several lines.
    LongText,
    /// Digits typed on a numeric keypad (NIK, No. KK, RT, RW).
    Digits,
    Phone,
    Date,
    Choice(&'static [Choice]),
    /// Yes or no (a tick box).
    Flag,
}

/// One field of a record type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The key in the stored record.
    pub key: &'static str,
    pub label: Text,
    pub kind: FieldKind,
    pub required: bool,
}

pub(crate) const fn field(
    key: &'static str,
    id: &'static str,
    en: &'static str,
    kind: FieldKind,
) -> FieldSpec {
    FieldSpec {
        key,
        label: Text::new(id, en),
        kind,
        required: false,
    }
}

pub(crate) const fn required(spec: FieldSpec) -> FieldSpec {
    FieldSpec {
        required: true,
        ..spec
    }
}

impl FieldSpec {
    /// A stored value (as JSON: a string, a choice's code, a date `YYYY-MM-DD`, or null) as a
    /// person reads it: a choice's label, a date as `DD-MM-YYYY`, "—" for nothing.
    pub fn show(&self, value: &serde_json::Value, lang: Lang) -> String {
        let text = match value {
            serde_json::Value::Null => return "—".into(),
            serde_json::Value::String(s) if s.is_empty() => return "—".into(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match self.kind {
            FieldKind::Flag => match value {
                serde_json::Value::Bool(true) => Text::new("Ya", "Yes").get(lang).to_owned(),
                _ => Text::new("Tidak", "No").get(lang).to_owned(),
            },
            FieldKind::Date => text.parse::<Date>().map(|d| d.to_display()).unwrap_or(text),
            FieldKind::Choice(choices) => choices
                .iter()
                .find(|c| c.code == text)
                .map(|c| c.label.get(lang).to_owned())
                .unwrap_or(text),
            _ => text,
        }
    }

    /// The choices of a choice field (none for other kinds).
    pub fn choices(&self) -> &'static [Choice] {
        match self.kind {
            FieldKind::Choice(c) => c,
            _ => &[],
        }
    }
}

/// A record type whose fields are declared for people to read.
pub trait Described: Record + serde::Serialize {
    /// What a record of this type is called ("orang", "person").
    const NAME: Text;
    /// The fields a person sees and edits, in form order. Leaves out the id, links to other
    /// records and the deleted flag.
    const SPEC: &'static [FieldSpec];

    /// The declaration of one field, if it is declared.
    fn spec(key: &str) -> Option<&'static FieldSpec> {
        Self::SPEC.iter().find(|f| f.key == key)
    }

    /// A field's label, or its key when it is not declared (a field written by a newer app).
    fn label(key: &str, lang: Lang) -> String {
        Self::spec(key).map_or_else(|| key.to_owned(), |f| f.label.get(lang).to_owned())
    }

    /// Every declared field with its value as a person reads it.
    fn shown(&self, lang: Lang) -> Vec<(&'static FieldSpec, String)> {
        let values = serde_json::to_value(self).unwrap_or_default();
        Self::SPEC
            .iter()
            .map(|f| {
                (
                    f,
                    f.show(values.get(f.key).unwrap_or(&serde_json::Value::Null), lang),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RecordId;
    use crate::record::{MigrationEpisode, Person};

    /// The stored fields a person never edits directly.
    const NOT_SHOWN: &[&str] = &["id", "person", "deleted"];

    fn declares_exactly_the_stored_fields<R: Described>() {
        let declared: Vec<&str> = R::SPEC.iter().map(|f| f.key).collect();
        let stored: Vec<&str> = R::FIELDS
            .iter()
            .copied()
            .filter(|f| !NOT_SHOWN.contains(f))
            .collect();
        let mut a = declared.clone();
        let mut b = stored.clone();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b, "{} declares {declared:?}, stores {stored:?}", R::NAME.en);
    }

    #[test]
    fn every_record_type_declares_exactly_its_stored_fields() {
        declares_exactly_the_stored_fields::<Person>();
        declares_exactly_the_stored_fields::<MigrationEpisode>();
    }

    /// Every choice code is a value the record type can hold: a misspelt code would show raw.
    #[test]
    fn choice_codes_are_the_stored_codes() {
        for (spec, codes) in Person::SPEC
            .iter()
            .chain(MigrationEpisode::SPEC)
            .map(|f| (f, f.choices()))
        {
            for c in codes {
                let json = serde_json::json!({ "v": c.code });
                let ok = match spec.key {
                    "sex" => serde_json::from_value::<crate::Sex>(json["v"].clone()).is_ok(),
                    "relation" => serde_json::from_value::<crate::FamilyRelation>(json["v"].clone()).is_ok(),
                    "education" => serde_json::from_value::<crate::Education>(json["v"].clone()).is_ok(),
                    "marital_status" => {
                        serde_json::from_value::<crate::MaritalStatus>(json["v"].clone()).is_ok()
                    }
                    "consent" => serde_json::from_value::<crate::Consent>(json["v"].clone()).is_ok(),
                    "state" => serde_json::from_value::<crate::EpisodeState>(json["v"].clone()).is_ok(),
                    "procedural" => serde_json::from_value::<crate::Procedural>(json["v"].clone()).is_ok(),
                    other => panic!("a choice field without a stored type in this test: {other}"),
                };
                assert!(ok, "{}: {} is not a stored code", spec.key, c.code);
            }
        }
    }

    #[test]
    fn values_show_as_people_read_them() {
        let mut p = Person::new(RecordId::random(), "Siti Aminah");
        p.sex = Some(crate::Sex::Female);
        p.birth_date = Date::new(1990, 8, 17);
        let shown: std::collections::HashMap<&str, String> =
            p.shown(Lang::Id).into_iter().map(|(f, v)| (f.key, v)).collect();
        assert_eq!(shown["full_name"], "Siti Aminah");
        assert_eq!(shown["sex"], "Perempuan");
        assert_eq!(shown["birth_date"], "17-08-1990");
        assert_eq!(shown["phone"], "—");
        assert_eq!(shown["consent"], "Belum ditanya");
        assert_eq!(Person::label("phone", Lang::En), "Mobile");
        assert_eq!(Person::label("from_a_newer_app", Lang::Id), "from_a_newer_app");
    }
}
