//! A person form's text, and its conversion to a [`Person`] with messages at each field.
//! Plain types, tested natively.

use desmigratif_model::validate::{Validate, normalize_phone};
use desmigratif_model::{
    Consent, Date, Education, FamilyRelation, Lang, MaritalStatus, Person, Severity, Sex,
};

/// One message under a form field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMessage {
    pub field: String,
    pub severity: Severity,
    pub text: String,
    /// Where the message leads (another person holding the same NIK).
    pub link: Option<String>,
}

/// The text of every field of the person form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonDraft {
    pub full_name: String,
    pub nik: String,
    pub no_kk: String,
    pub relation: String,
    pub sex: String,
    pub birth_place: String,
    pub birth_date: String,
    pub dusun: String,
    pub rt: String,
    pub rw: String,
    pub address: String,
    pub phone: String,
    pub education: String,
    pub marital_status: String,
    pub consent: String,
    pub consent_date: String,
    pub notes: String,
}

fn code<T: serde::Serialize>(v: &Option<T>) -> String {
    v.as_ref()
        .and_then(|v| serde_json::to_value(v).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn parse_code<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    if s.is_empty() {
        None
    } else {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn date_text(d: Option<Date>) -> String {
    d.map(|d| d.to_display()).unwrap_or_default()
}

/// Choices for a select field: stored code and label in each language.
pub fn choices(field: &str) -> &'static [(&'static str, &'static str, &'static str)] {
    match field {
        "sex" => &[("Male", "Laki-laki", "Male"), ("Female", "Perempuan", "Female")],
        "relation" => &[
            ("Head", "Kepala keluarga", "Head of family"),
            ("Spouse", "Istri/Suami", "Spouse"),
            ("Child", "Anak", "Child"),
            ("Parent", "Orang tua", "Parent"),
            ("Grandchild", "Cucu", "Grandchild"),
            ("Other", "Lainnya", "Other"),
        ],
        "education" => &[
            ("None", "Tidak sekolah", "None"),
            ("Primary", "SD", "Primary"),
            ("JuniorHigh", "SMP", "Junior high"),
            ("SeniorHigh", "SMA/SMK", "Senior high"),
            ("Diploma", "Diploma", "Diploma"),
            ("Bachelor", "S1", "Bachelor"),
            ("Postgraduate", "S2/S3", "Postgraduate"),
        ],
        "marital_status" => &[
            ("Single", "Belum kawin", "Single"),
            ("Married", "Kawin", "Married"),
            ("Divorced", "Cerai hidup", "Divorced"),
            ("Widowed", "Cerai mati", "Widowed"),
        ],
        "consent" => &[
            ("NotAsked", "Belum ditanya", "Not asked"),
            ("Given", "Setuju", "Given"),
            ("Refused", "Menolak", "Refused"),
        ],
        _ => &[],
    }
}

impl PersonDraft {
    pub fn from_person(p: &Person) -> Self {
        Self {
            full_name: p.full_name.clone(),
            nik: p.nik.clone().unwrap_or_default(),
            no_kk: p.no_kk.clone().unwrap_or_default(),
            relation: code(&p.relation),
            sex: code(&p.sex),
            birth_place: p.birth_place.clone().unwrap_or_default(),
            birth_date: date_text(p.birth_date),
            dusun: p.dusun.clone().unwrap_or_default(),
            rt: p.rt.clone().unwrap_or_default(),
            rw: p.rw.clone().unwrap_or_default(),
            address: p.address.clone().unwrap_or_default(),
            phone: p.phone.clone().unwrap_or_default(),
            education: code(&p.education),
            marital_status: code(&p.marital_status),
            consent: code(&Some(p.consent)),
            consent_date: date_text(p.consent_date),
            notes: p.notes.clone().unwrap_or_default(),
        }
    }

    /// The field's text, by name.
    pub fn get(&self, field: &str) -> String {
        match field {
            "full_name" => &self.full_name,
            "nik" => &self.nik,
            "no_kk" => &self.no_kk,
            "relation" => &self.relation,
            "sex" => &self.sex,
            "birth_place" => &self.birth_place,
            "birth_date" => &self.birth_date,
            "dusun" => &self.dusun,
            "rt" => &self.rt,
            "rw" => &self.rw,
            "address" => &self.address,
            "phone" => &self.phone,
            "education" => &self.education,
            "marital_status" => &self.marital_status,
            "consent" => &self.consent,
            "consent_date" => &self.consent_date,
            "notes" => &self.notes,
            _ => return String::new(),
        }
        .clone()
    }

    pub fn set(&mut self, field: &str, value: String) {
        let slot = match field {
            "full_name" => &mut self.full_name,
            "nik" => &mut self.nik,
            "no_kk" => &mut self.no_kk,
            "relation" => &mut self.relation,
            "sex" => &mut self.sex,
            "birth_place" => &mut self.birth_place,
            "birth_date" => &mut self.birth_date,
            "dusun" => &mut self.dusun,
            "rt" => &mut self.rt,
            "rw" => &mut self.rw,
            "address" => &mut self.address,
            "phone" => &mut self.phone,
            "education" => &mut self.education,
            "marital_status" => &mut self.marital_status,
            "consent" => &mut self.consent,
            "consent_date" => &mut self.consent_date,
            "notes" => &mut self.notes,
            _ => return,
        };
        *slot = value;
    }

    /// The person this draft describes, starting from `base` (which keeps id and deletion),
    /// and every message for the form. The person may be saved when no message is an error.
    pub fn to_person(&self, base: &Person, lang: Lang, today: Date) -> (Person, Vec<FieldMessage>) {
        let mut messages = Vec::new();
        let mut date = |field: &str, text: &str| -> Option<Date> {
            let t = text.trim();
            if t.is_empty() {
                return None;
            }
            match Date::parse_display(t) {
                Ok(d) => Some(d),
                Err(_) => {
                    messages.push(FieldMessage {
                        field: field.into(),
                        severity: Severity::Error,
                        text: match lang {
                            Lang::Id => "Tanggal tidak sah. Tulis HH-BB-TTTT, misalnya 17-08-1990.".into(),
                            Lang::En => "Not a valid date. Write DD-MM-YYYY, e.g. 17-08-1990.".into(),
                        },
                        link: None,
                    });
                    None
                }
            }
        };
        let birth_date = date("birth_date", &self.birth_date);
        let consent_date = date("consent_date", &self.consent_date);
        let mut p = base.clone();
        p.full_name = self.full_name.trim().to_owned();
        p.nik = opt(&self.nik);
        p.no_kk = opt(&self.no_kk);
        p.relation = parse_code::<FamilyRelation>(&self.relation);
        p.sex = parse_code::<Sex>(&self.sex);
        p.birth_place = opt(&self.birth_place);
        p.birth_date = birth_date;
        p.dusun = opt(&self.dusun);
        p.rt = opt(&self.rt);
        p.rw = opt(&self.rw);
        p.address = opt(&self.address);
        p.phone = opt(&self.phone).map(|ph| normalize_phone(&ph).unwrap_or(ph));
        p.education = parse_code::<Education>(&self.education);
        p.marital_status = parse_code::<MaritalStatus>(&self.marital_status);
        p.consent = parse_code::<Consent>(&self.consent).unwrap_or(Consent::NotAsked);
        p.consent_date = consent_date;
        p.notes = opt(&self.notes);
        for issue in p.validate().into_iter().chain(p.validate_on(today)) {
            messages.push(FieldMessage {
                text: issue.message(lang),
                field: issue.field,
                severity: issue.severity,
                link: None,
            });
        }
        (p, messages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use desmigratif_model::RecordId;

    #[test]
    fn a_draft_round_trips_a_person() {
        let mut p = Person::new(RecordId::random(), "Sri Wahyuni");
        p.sex = Some(Sex::Female);
        p.birth_date = Date::new(1990, 5, 12);
        p.nik = Some("3507115205900001".into());
        p.phone = Some("081234567890".into());
        p.consent = Consent::Given;
        p.consent_date = Date::new(2024, 1, 2);
        let draft = PersonDraft::from_person(&p);
        assert_eq!(draft.birth_date, "12-05-1990");
        assert_eq!(draft.sex, "Female");
        let (back, messages) = draft.to_person(&p, Lang::Id, today());
        assert_eq!(back, p);
        assert!(messages.is_empty(), "{messages:?}");
    }

    #[test]
    fn bad_input_gives_messages_at_the_field() {
        let base = Person::new(RecordId::random(), "x");
        let mut draft = PersonDraft::from_person(&base);
        draft.set("full_name", "  ".into());
        draft.set("birth_date", "31-02-1990".into());
        draft.set("phone", "+62 812-3456-7890".into());
        draft.set("nik", "123".into());
        let (p, messages) = draft.to_person(&base, Lang::En, today());
        assert_eq!(
            p.phone.as_deref(),
            Some("081234567890"),
            "the phone is stored normalised"
        );
        let fields: Vec<(&str, Severity)> = messages.iter().map(|m| (m.field.as_str(), m.severity)).collect();
        assert_eq!(
            fields,
            [
                ("birth_date", Severity::Error),
                ("full_name", Severity::Error),
                ("nik", Severity::Error)
            ]
        );
        assert!(messages[0].text.contains("DD-MM-YYYY"));
    }

    fn today() -> Date {
        Date::new(2026, 11, 28).unwrap()
    }

    #[test]
    fn a_birth_date_still_to_come_is_an_error_and_a_typed_date_without_dashes_is_read() {
        let base = Person::new(RecordId::random(), "Siti");
        let mut draft = PersonDraft::from_person(&base);
        draft.set("birth_date", "17-08-2031".into());
        let (_, messages) = draft.to_person(&base, Lang::Id, today());
        assert_eq!(messages.len(), 1);
        assert_eq!(
            (messages[0].field.as_str(), messages[0].severity),
            ("birth_date", Severity::Error)
        );
        draft.set("birth_date", "17081990".into());
        let (p, messages) = draft.to_person(&base, Lang::Id, today());
        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(p.birth_date, Date::new(1990, 8, 17));
    }
}
