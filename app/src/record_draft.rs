//! A form over any declared record type ([`Described`]): the text of each declared field, and
//! its conversion back to a record with messages at each field. Plain types, tested natively.

use std::collections::BTreeMap;

use desmigratif_model::validate::{Validate, normalize_phone};
use desmigratif_model::{Date, Described, FieldKind, FieldSpec, Lang, Severity};

/// One message under a form field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMessage {
    pub field: String,
    pub severity: Severity,
    pub text: String,
    /// Where the message leads (another person holding the same NIK).
    pub link: Option<String>,
}

/// The text of every declared field of a record type, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordDraft {
    values: BTreeMap<&'static str, String>,
}

/// A stored value as the form shows it: a date as `DD-MM-YYYY`, a choice as its code.
fn text_of(spec: &FieldSpec, value: Option<&serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::String(s)) if spec.kind == FieldKind::Date => {
            s.parse::<Date>().map_or_else(|_| s.clone(), |d| d.to_display())
        }
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

impl RecordDraft {
    pub fn from_record<R: Described>(record: &R) -> Self {
        let json = serde_json::to_value(record).unwrap_or_default();
        Self {
            values: R::SPEC
                .iter()
                .map(|f| (f.key, text_of(f, json.get(f.key))))
                .collect(),
        }
    }

    pub fn get(&self, field: &str) -> String {
        self.values.get(field).cloned().unwrap_or_default()
    }

    pub fn set(&mut self, field: &'static str, value: String) {
        self.values.insert(field, value);
    }

    /// The record this draft describes, starting from `base` (which keeps the id, links and
    /// deletion), and every message for the form; `None` if the text cannot make a record. It
    /// may be saved when no message is an error.
    pub fn to_record<R>(&self, base: &R, lang: Lang, today: Date) -> (Option<R>, Vec<FieldMessage>)
    where
        R: Described + Validate + serde::de::DeserializeOwned,
    {
        let (json, mut messages) =
            self.to_value(R::SPEC, serde_json::to_value(base).unwrap_or_default(), lang);
        let Ok(record) = serde_json::from_value::<R>(json) else {
            return (None, messages);
        };
        messages.extend(checks(&record, lang, today));
        (Some(record), messages)
    }

    /// The draft's text written over `base` (a record as JSON, its serde form) field by field,
    /// with the messages for text that cannot be read (a date). Not generic: one copy serves
    /// every record type.
    pub fn to_value(
        &self,
        specs: &'static [FieldSpec],
        mut json: serde_json::Value,
        lang: Lang,
    ) -> (serde_json::Value, Vec<FieldMessage>) {
        let mut messages = Vec::new();
        for spec in specs {
            let text = self.get(spec.key);
            let text = text.trim();
            // Nothing typed: an empty required text (validation names it), else the field is left
            // out, so the record's default applies (none, or a choice's "unknown").
            let value = match spec.kind {
                FieldKind::Flag => Some(serde_json::Value::Bool(text == "true")),
                // A required amount left empty: the record cannot be read without it.
                FieldKind::Number | FieldKind::Money if text.is_empty() && spec.required => {
                    let issue =
                        desmigratif_model::Issue::error(spec.key, desmigratif_model::IssueKind::Required);
                    messages.push(FieldMessage {
                        text: issue.message(lang),
                        field: issue.field,
                        severity: issue.severity,
                        link: None,
                    });
                    None
                }
                _ if text.is_empty() && spec.required && spec.choices().is_empty() => {
                    Some(serde_json::Value::String(String::new()))
                }
                _ if text.is_empty() => None,
                FieldKind::Date => match Date::parse_display(text) {
                    Ok(d) => Some(serde_json::Value::String(d.to_string())),
                    Err(_) => {
                        messages.push(FieldMessage {
                            field: spec.key.into(),
                            severity: Severity::Error,
                            text: lang
                                .text("Tanggal tidak sah. Tulis HH-BB-TTTT, misalnya 17-08-1990.")
                                .to_owned(),
                            link: None,
                        });
                        None
                    }
                },
                // A count or rupiah, typed with or without separators ("1.500.000", "Rp 50 000").
                FieldKind::Number | FieldKind::Money => match parse_whole(text) {
                    Some(n) => Some(serde_json::Value::from(n)),
                    None => {
                        messages.push(FieldMessage {
                            field: spec.key.into(),
                            severity: Severity::Error,
                            text: lang.text("Tulis angka bulat, misalnya 1500000.").to_owned(),
                            link: None,
                        });
                        None
                    }
                },
                // A mobile number is stored in one form (08…), whichever way it was typed.
                FieldKind::Phone => Some(serde_json::Value::String(
                    normalize_phone(text).unwrap_or_else(|| text.to_owned()),
                )),
                _ => Some(serde_json::Value::String(text.to_owned())),
            };
            if let Some(map) = json.as_object_mut() {
                match value {
                    Some(v) => map.insert(spec.key.to_owned(), v),
                    None => map.remove(spec.key),
                };
            }
        }
        (json, messages)
    }
}

/// A whole number as people type it: digits with optional `.`, `,` or space between groups
/// and an optional "Rp" in front; `None` for anything else (a decimal like "1,5" included).
pub fn parse_whole(text: &str) -> Option<i64> {
    let t = text.trim();
    let t = t
        .strip_prefix("Rp")
        .or_else(|| t.strip_prefix("rp"))
        .or_else(|| t.strip_prefix("RP"))
        .unwrap_or(t)
        .trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let groups: Vec<&str> = t.split(['.', ',', ' ']).collect();
    let grouped = groups.len() > 1;
    // With separators, every group after the first has exactly three digits.
    if groups.is_empty()
        || groups
            .iter()
            .any(|g| g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit()))
        || (grouped && groups[1..].iter().any(|g| g.len() != 3))
    {
        return None;
    }
    let n: i64 = groups.concat().parse().ok()?;
    Some(if negative { -n } else { n })
}

/// A record's own checks (those that need today's date too) as form messages.
pub fn checks(record: &impl Validate, lang: Lang, today: Date) -> Vec<FieldMessage> {
    record
        .validate()
        .into_iter()
        .chain(record.validate_on(today))
        .map(|issue| FieldMessage {
            text: issue.message(lang),
            field: issue.field,
            severity: issue.severity,
            link: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use desmigratif_model::{Consent, EpisodeState, MigrationEpisode, Person, Procedural, RecordId, Sex};

    fn today() -> Date {
        Date::new(2026, 11, 28).unwrap()
    }

    #[test]
    fn whole_numbers_are_read_the_ways_people_type_them() {
        for (text, n) in [
            ("1500000", 1_500_000),
            ("1.500.000", 1_500_000),
            ("Rp 50.000", 50_000),
            ("12 000", 12_000),
            ("0", 0),
            ("-5", -5),
        ] {
            assert_eq!(parse_whole(text), Some(n), "{text}");
        }
        for text in ["1,5", "1.50", "abc", "", "Rp", "1.5000", "3.5E+15"] {
            assert_eq!(parse_whole(text), None, "{text}");
        }
    }

    #[test]
    fn every_declared_episode_field_round_trips() {
        let mut e = MigrationEpisode::new(
            RecordId::random(),
            RecordId::random(),
            "Hong Kong",
            EpisodeState::Returned,
        );
        e.sector = Some("Informal".into());
        e.occupation = Some("Penata laksana rumah tangga".into());
        e.employer = Some("Chan Tai Man".into());
        e.agency = Some("PT Contoh Jaya".into());
        e.procedural = Procedural::Yes;
        e.departure_date = Date::new(2019, 3, 1);
        e.contract_end = Date::new(2021, 3, 1);
        e.return_date = Date::new(2021, 3, 5);
        e.passport_number = Some("C1234567".into());
        e.placement_decree_number = Some("KEP.123/2019".into());
        e.insurance = Some("BPJS Ketenagakerjaan".into());
        e.return_reason = Some("Kontrak selesai".into());
        let draft = RecordDraft::from_record(&e);
        assert_eq!(draft.get("departure_date"), "01-03-2019");
        assert_eq!(draft.get("state"), "Returned");
        let (back, messages) = draft.to_record(&e, Lang::Id, today());
        assert_eq!(back, Some(e));
        assert!(messages.is_empty(), "{messages:?}");
    }

    #[test]
    fn bad_dates_and_empty_required_fields_are_messages_at_the_field() {
        let e = MigrationEpisode::new(
            RecordId::random(),
            RecordId::random(),
            "Taiwan",
            EpisodeState::Abroad,
        );
        let mut draft = RecordDraft::from_record(&e);
        draft.set("destination_country", "  ".into());
        draft.set("departure_date", "31-02-2020".into());
        draft.set("passport_number", "   ".into());
        let (back, messages) = draft.to_record(&e, Lang::En, today());
        let fields: Vec<(&str, Severity)> = messages.iter().map(|m| (m.field.as_str(), m.severity)).collect();
        assert_eq!(
            fields,
            [
                ("departure_date", Severity::Error),
                ("destination_country", Severity::Error)
            ]
        );
        assert_eq!(
            back.unwrap().passport_number,
            None,
            "blank text is nothing, not spaces"
        );
    }

    #[test]
    fn a_person_round_trips_and_the_phone_is_stored_in_one_form() {
        let mut p = Person::new(RecordId::random(), "Sri Wahyuni");
        p.sex = Some(Sex::Female);
        p.birth_date = Date::new(1990, 5, 12);
        p.nik = Some("3507115205900001".into());
        p.phone = Some("081234567890".into());
        p.consent = Consent::Given;
        p.consent_date = Date::new(2024, 1, 2);
        let mut draft = RecordDraft::from_record(&p);
        assert_eq!(draft.get("birth_date"), "12-05-1990");
        assert_eq!(draft.get("sex"), "Female");
        let (back, messages) = draft.to_record(&p, Lang::Id, today());
        assert_eq!(back.as_ref(), Some(&p));
        assert!(messages.is_empty(), "{messages:?}");
        draft.set("phone", "+62 812-3456-7890".into());
        let (back, _) = draft.to_record(&p, Lang::Id, today());
        assert_eq!(back.unwrap().phone.as_deref(), Some("081234567890"));
    }

    #[test]
    fn a_birth_date_still_to_come_is_an_error_and_a_date_without_dashes_is_read() {
        let base = Person::new(RecordId::random(), "Siti");
        let mut draft = RecordDraft::from_record(&base);
        draft.set("birth_date", "17-08-2031".into());
        draft.set("nik", "123".into());
        let (_, messages) = draft.to_record(&base, Lang::Id, today());
        let fields: Vec<(&str, Severity)> = messages.iter().map(|m| (m.field.as_str(), m.severity)).collect();
        assert_eq!(
            fields,
            [("nik", Severity::Error), ("birth_date", Severity::Error)]
        );
        draft.set("birth_date", "17081990".into());
        draft.set("nik", "".into());
        let (p, messages) = draft.to_record(&base, Lang::Id, today());
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(p.unwrap().birth_date, Date::new(1990, 8, 17));
    }
}
