//! What each record type's fields are to a person: their labels in both languages, the kind of
//! value and its choices. Declared once per record type ([`Described::SPEC`]); the detail view,
//! the conflict dialog and the history show values from it, and a test checks it names exactly
//! the stored fields, so a misspelt field cannot hide.

use crate::date::Date;
use crate::record::Record;
use crate::validate::Lang;

/// A text of the UI, written in Bahasa Indonesia; other languages come from the locale files
/// ([`crate::locale`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    /// The sense, when one Indonesian text has two (`""` otherwise).
    pub ctx: &'static str,
    /// The Indonesian text.
    pub id: &'static str,
}

impl Text {
    pub const fn new(id: &'static str) -> Self {
        Self { ctx: "", id }
    }

    /// A text in one of its senses (the msgctxt of the locale files).
    pub const fn ctx(ctx: &'static str, id: &'static str) -> Self {
        Self { ctx, id }
    }

    pub fn get(&self, lang: Lang) -> &'static str {
        crate::locale::translate(lang, self.ctx, self.id)
    }

    /// A text with placeholders (`{name}`) in `lang`, filled in.
    pub fn fill(&self, lang: Lang, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        crate::locale::fill(self.get(lang), args)
    }
}

/// One of a choice field's values: the code stored in the document and its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    pub code: &'static str,
    pub label: Text,
}

pub(crate) const fn choice(code: &'static str, id: &'static str) -> Choice {
    Choice {
        code,
        label: Text::new(id),
    }
}

/// [`choice`] with a label in one of its senses.
pub(crate) const fn choice_in(ctx: &'static str, code: &'static str, id: &'static str) -> Choice {
    Choice {
        code,
        label: Text::ctx(ctx, id),
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
    /// A whole number (a count).
    Number,
    /// Whole rupiah.
    Money,
    /// A link to a person of the village (stored as the person's record id).
    Person,
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

pub(crate) const fn field(key: &'static str, id: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec {
        key,
        label: Text::new(id),
        kind,
        required: false,
    }
}

/// [`field`] with a label in one of its senses.
pub(crate) const fn field_in(
    ctx: &'static str,
    key: &'static str,
    id: &'static str,
    kind: FieldKind,
) -> FieldSpec {
    FieldSpec {
        key,
        label: Text::ctx(ctx, id),
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

/// The label of the choice stored as `code`, if it is one of `choices`.
pub fn choice_label(choices: &[Choice], code: &str, lang: Lang) -> Option<&'static str> {
    choices.iter().find(|c| c.code == code).map(|c| c.label.get(lang))
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
                serde_json::Value::Bool(true) => Text::new("Ya").get(lang).to_owned(),
                _ => Text::new("Tidak").get(lang).to_owned(),
            },
            FieldKind::Money => value.as_i64().map(crate::records::rupiah).unwrap_or(text),
            FieldKind::Date => text.parse::<Date>().map(|d| d.to_display()).unwrap_or(text),
            FieldKind::Choice(choices) => choice_label(choices, &text, lang).map_or(text, str::to_owned),
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

    use crate::district::*;
    use crate::record::Collection;
    use crate::records::*;

    /// The stored fields a person never edits in the record's own form: ids, links set where
    /// the record is started, who wrote it, the deleted flag.
    const NOT_SHOWN: &[&str] = &[
        "id",
        "person",
        "deleted",
        "case",
        "created_by",
        "officer",
        "at",
        "activity",
        "owner",
        "child",
        "member",
        "membership",
        "moved_to",
        "moved_on",
        "a",
        "b",
        "decided_by",
    ];

    #[test]
    fn every_record_type_declares_exactly_its_stored_fields() {
        for c in Collection::ALL {
            let mut declared: Vec<&str> = c.declared().iter().map(|f| f.key).collect();
            let mut stored: Vec<&str> = c
                .fields()
                .iter()
                .copied()
                .filter(|f| !NOT_SHOWN.contains(f) && !c.is_derived(f))
                .collect();
            declared.sort_unstable();
            stored.sort_unstable();
            assert_eq!(declared, stored, "{:?}", c);
        }
    }

    /// Whether a JSON record is readable as one record type.
    type Readable = fn(serde_json::Value) -> bool;

    /// One record of each type, as JSON, and whether a JSON record of that type is readable.
    fn samples() -> Vec<(Collection, serde_json::Value, Readable)> {
        let id = RecordId::random;
        let d = Date::new(2026, 1, 1).unwrap();
        fn ok<R: serde::de::DeserializeOwned>(v: serde_json::Value) -> bool {
            serde_json::from_value::<R>(v).is_ok()
        }
        let j = |v: &dyn erased::Ser| v.json();
        vec![
            (Collection::Persons, j(&Person::new(id(), "A")), ok::<Person>),
            (
                Collection::Episodes,
                j(&MigrationEpisode::new(id(), id(), "Taiwan", EpisodeState::Abroad)),
                ok::<MigrationEpisode>,
            ),
            (
                Collection::Consultations,
                j(&Consultation::new(id(), d, ConsultationTopic::Other)),
                ok::<Consultation>,
            ),
            (
                Collection::Cases,
                j(&Case::new(id(), d, CaseKind::Other, "a")),
                ok::<Case>,
            ),
            (
                Collection::CaseEntries,
                j(&CaseEntry::new(id(), id(), d, CaseStep::Note, "a", 0)),
                ok::<CaseEntry>,
            ),
            (
                Collection::Sessions,
                j(&Session::new(id(), d, "Balai desa", "Migrasi aman")),
                ok::<Session>,
            ),
            (
                Collection::Trainings,
                j(&Training::new(id(), "T", TrainingKind::Skills, d)),
                ok::<Training>,
            ),
            (
                Collection::Participations,
                j(&Participation::new(id(), id(), id())),
                ok::<Participation>,
            ),
            (
                Collection::Businesses,
                j(&Business::new(id(), id(), "Keripik", BusinessSector::Food)),
                ok::<Business>,
            ),
            (
                Collection::Children,
                j(&Child::new(id(), id(), ParentAbroad::Mother)),
                ok::<Child>,
            ),
            (
                Collection::Parenting,
                j(&Parenting::new(id(), d, ParentingKind::Other)),
                ok::<Parenting>,
            ),
            (
                Collection::Memberships,
                j(&Membership::new(id(), id(), "Koperasi")),
                ok::<Membership>,
            ),
            (
                Collection::Ledger,
                j(&LedgerEntry::new(id(), id(), d, LedgerKind::Deposit, 1)),
                ok::<LedgerEntry>,
            ),
            (
                Collection::Distinct,
                j(&DistinctPersons::new("x/1".into(), "y/2".into(), d, "a")),
                ok::<DistinctPersons>,
            ),
            (Collection::Agencies, j(&Agency::new(id(), "PT A")), ok::<Agency>),
            (
                Collection::Countries,
                j(&CountryNote::new(id(), "Taiwan")),
                ok::<CountryNote>,
            ),
            (
                Collection::JobOrders,
                j(&JobOrder::new(id(), "Perawat", "Taiwan", d)),
                ok::<JobOrder>,
            ),
            (
                Collection::Announcements,
                j(&Announcement::new(id(), "A", d)),
                ok::<Announcement>,
            ),
            (
                Collection::Schedule,
                j(&ScheduledTraining::new(id(), "T", TrainingKind::Skills, d)),
                ok::<ScheduledTraining>,
            ),
        ]
    }

    mod erased {
        pub trait Ser {
            fn json(&self) -> serde_json::Value;
        }
        impl<T: serde::Serialize> Ser for T {
            fn json(&self) -> serde_json::Value {
                serde_json::to_value(self).unwrap()
            }
        }
    }

    /// Every choice code is a value the record type can hold: a misspelt code would show raw
    /// and could not be saved.
    #[test]
    fn choice_codes_are_the_stored_codes() {
        let samples = samples();
        assert_eq!(
            samples.len(),
            Collection::ALL.len(),
            "a sample of every record type"
        );
        for (c, sample, readable) in samples {
            assert!(readable(sample.clone()), "{c:?}: the sample reads back");
            for spec in c.declared() {
                for choice in spec.choices() {
                    let mut v = sample.clone();
                    v[spec.key] = serde_json::Value::String(choice.code.into());
                    assert!(
                        readable(v),
                        "{c:?}.{}: {} is not a stored code",
                        spec.key,
                        choice.code
                    );
                }
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
