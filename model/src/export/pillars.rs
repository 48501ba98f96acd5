//! The records of the four pillars as tables, one per record type, their columns the type's
//! declared fields: what a district reports to the province and what a village keeps of its
//! services. Confidential cases never give away who they are about to an exporter who may not
//! see it on screen.

use crate::fields::{FieldKind, FieldSpec, Text};
use crate::query::Pillar;
use crate::query::VillageSnapshot;
use crate::records::{
    Business, Case, CaseEntry, Child, Consultation, LedgerEntry, Membership, Parenting, Participation,
    Session, Training,
};
use crate::{Lang, RecordId};

use super::{Cell, Table};

/// Who exports: a confidential case shows its person only to the account that recorded it and
/// to the district.
#[derive(Clone, Copy, Debug)]
pub struct Viewer<'a> {
    pub account: &'a str,
    pub district: bool,
}

const HIDDEN: Text = Text::new("(rahasia)");

/// One table per pillar record type that has live records in these villages (each village with
/// its name), in the order of the pillars.
pub fn pillar_tables(villages: &[(&str, &VillageSnapshot)], viewer: Viewer<'_>, lang: Lang) -> Vec<Table> {
    let hidden_case = |s: &VillageSnapshot, case: &RecordId| {
        s.pillars
            .get::<Case>(case)
            .is_some_and(|c| !c.shows_person_to(viewer.account, viewer.district))
    };
    [
        table::<Consultation>(villages, lang, |_, _| false),
        table::<Case>(villages, lang, |_, c| {
            !c.shows_person_to(viewer.account, viewer.district)
        }),
        table::<CaseEntry>(villages, lang, |s, e| hidden_case(s, &e.case)),
        table::<Session>(villages, lang, |_, _| false),
        table::<Training>(villages, lang, |_, _| false),
        table::<Participation>(villages, lang, |_, _| false),
        table::<Business>(villages, lang, |_, _| false),
        table::<Child>(villages, lang, |_, _| false),
        table::<Parenting>(villages, lang, |_, _| false),
        table::<Membership>(villages, lang, |_, _| false),
        table::<LedgerEntry>(villages, lang, |_, _| false),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The live records of one type; `None` when there are none. For a record `hide` says yes to,
/// the person and every free-text field read "(rahasia)".
fn table<R: Pillar>(
    villages: &[(&str, &VillageSnapshot)],
    lang: Lang,
    hide: impl Fn(&VillageSnapshot, &R) -> bool,
) -> Option<Table> {
    let mut rows = Vec::new();
    let mut links_person = false;
    for (village, s) in villages {
        for record in s.pillars.live::<R>() {
            let values = serde_json::to_value(record).unwrap_or_default();
            let hidden = hide(s, record);
            let person = values.get("person").and_then(|v| v.as_str()).map(|id| {
                links_person = true;
                if hidden {
                    Cell::Text(HIDDEN.get(lang).to_owned())
                } else {
                    id.parse::<RecordId>()
                        .ok()
                        .and_then(|id| s.person(&id))
                        .map_or(Cell::Empty, |p| Cell::Text(p.full_name.clone()))
                }
            });
            let mut row = vec![Cell::Text((*village).to_owned()), person.unwrap_or(Cell::Empty)];
            for spec in R::SPEC {
                let value = values.get(spec.key).unwrap_or(&serde_json::Value::Null);
                row.push(cell(spec, value, hidden, s, lang));
            }
            rows.push(row);
        }
    }
    if rows.is_empty() {
        return None;
    }
    let mut headers = vec![
        Text::new("Desa").get(lang).to_owned(),
        Text::ctx("Person", "Orang").get(lang).to_owned(),
    ];
    headers.extend(R::SPEC.iter().map(|f| f.label.get(lang).to_owned()));
    if !links_person {
        headers.remove(1);
        for row in &mut rows {
            row.remove(1);
        }
    }
    let name = R::NAME.get(lang);
    let mut sheet: String = name.chars().take(31).collect();
    if let Some(first) = sheet.get(..1) {
        sheet = first.to_uppercase() + &sheet[1..];
    }
    Some(Table {
        name: sheet,
        headers,
        rows,
    })
}

/// A declared field's value as a typed cell: dates as dates, digits as text that stays text,
/// choices and flags as a person reads them, a linked person by name.
fn cell(spec: &FieldSpec, value: &serde_json::Value, hidden: bool, s: &VillageSnapshot, lang: Lang) -> Cell {
    if value.is_null() || value.as_str().is_some_and(|v| v.trim().is_empty()) {
        return Cell::Empty;
    }
    match spec.kind {
        FieldKind::Text | FieldKind::LongText | FieldKind::Person if hidden => {
            Cell::Text(HIDDEN.get(lang).to_owned())
        }
        FieldKind::Date => value
            .as_str()
            .and_then(|v| v.parse().ok())
            .map_or(Cell::Empty, Cell::Date),
        FieldKind::Digits | FieldKind::Phone => Cell::code(value.as_str()),
        FieldKind::Person => value
            .as_str()
            .and_then(|id| id.parse::<RecordId>().ok())
            .and_then(|id| s.person(&id))
            .map_or(Cell::Empty, |p| Cell::Text(p.full_name.clone())),
        _ => Cell::Text(spec.show(value, lang)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::CaseKind;
    use crate::{Author, Date, Person, VillageDoc};

    #[test]
    fn pillar_records_export_by_their_declarations_and_confidential_cases_hide_their_person() {
        let mut doc = VillageDoc::genesis(&"35.07.11.2008".parse().unwrap());
        let clerk = Author::new("desa-arjo", "hp");
        let siti = doc
            .create(Person::new(RecordId::random(), "Siti Rahayu"), &clerk, 1)
            .unwrap();
        let mut open_case = Case::new(
            RecordId::random(),
            Date::new(2026, 3, 2).unwrap(),
            CaseKind::UnpaidWages,
            "desa-arjo",
        );
        open_case.person = Some(siti.clone());
        open_case.country = Some("Malaysia".into());
        doc.create(open_case, &clerk, 2).unwrap();
        let mut secret = Case::new(
            RecordId::random(),
            Date::new(2026, 3, 3).unwrap(),
            CaseKind::Violence,
            "desa-arjo",
        );
        secret.person = Some(siti.clone());
        secret.confidential = true;
        secret.description = Some("Siti dipukul majikan".into());
        doc.create(secret, &clerk, 3).unwrap();
        let s = doc.snapshot();

        let office = pillar_tables(
            &[("Arjowilangun", &s)],
            Viewer {
                account: "disnaker",
                district: true,
            },
            Lang::Id,
        );
        assert_eq!(office.len(), 1, "only types with records");
        let cases = &office[0];
        assert_eq!(cases.name, "Kasus");
        assert_eq!(&cases.headers[..3], ["Desa", "Orang", "Jenis kasus"]);
        assert!(
            cases
                .rows
                .iter()
                .all(|r| r[1] == Cell::Text("Siti Rahayu".into()))
        );
        let reported = cases.headers.iter().position(|h| h == "Tanggal lapor").unwrap();
        assert!(
            cases
                .rows
                .iter()
                .any(|r| r[reported] == Cell::Date(Date::new(2026, 3, 2).unwrap()))
        );

        let neighbour = pillar_tables(
            &[("Arjowilangun", &s)],
            Viewer {
                account: "desa-lain",
                district: false,
            },
            Lang::En,
        );
        let rows = &neighbour[0].rows;
        let names: Vec<&Cell> = rows.iter().map(|r| &r[1]).collect();
        assert!(
            names.contains(&&Cell::Text("Siti Rahayu".into())),
            "an ordinary case shows its person"
        );
        assert!(names.contains(&&Cell::Text("(confidential)".into())));
        let text: String = rows.iter().flatten().map(Cell::as_text).collect();
        assert!(
            !text.contains("dipukul"),
            "a hidden case's free text is hidden too"
        );
    }
}
