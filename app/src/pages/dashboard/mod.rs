//! The dashboard (`/dasbor`): a district's or a village's figures, filtered by village, period,
//! sex and destination, as charts with their tables; and the printable monthly report
//! (`/laporan`). Both read each village's figures from its view on the device (offline), one
//! memo per village, so a change in one village recounts that village only.

mod charts;
mod report;

use desmigratif_model::fields::choice_label;
use desmigratif_model::records::{PROCEDURAL, SCHEME, SEX};
use desmigratif_model::{
    Category, DashboardFilter, Figures, Lang, Month, PersonFilter, Sector, Sex, Tally, Text,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use crate::components::download::{export_buttons, export_persons};
use crate::components::keep_in_address;
use crate::context::{AppContext, use_app};
use crate::i18n::{today, use_language};
use crate::session::Grant;
use charts::{Bar, bar_chart, trend_chart};
pub use report::MonthlyReport;

/// What the dashboard shows, kept in the address (`?desa=…&dari=…&sampai=…&jk=…&negara=…`) so
/// Back, a reload and a shared link keep it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct DashQuery {
    /// A village's document id; `None`: every village of the account.
    village: Option<String>,
    from: Month,
    to: Month,
    sex: Option<Sex>,
    /// A destination country; empty: every country.
    country: String,
}

impl DashQuery {
    fn from_params(p: &ParamsMap) -> Self {
        let last_year = DashboardFilter::last_year(today());
        let month = |key: &str| p.get(key).and_then(|m| m.parse::<Month>().ok());
        let (mut from, mut to) = (
            month("dari").unwrap_or(last_year.from),
            month("sampai").unwrap_or(last_year.to),
        );
        if from > to {
            std::mem::swap(&mut from, &mut to);
        }
        Self {
            village: p.get("desa").filter(|v| !v.is_empty()),
            from,
            to,
            sex: match p.get("jk").as_deref() {
                Some("P") => Some(Sex::Female),
                Some("L") => Some(Sex::Male),
                _ => None,
            },
            country: p.get("negara").unwrap_or_default(),
        }
    }

    fn to_search(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = &self.village {
            parts.push(format!("desa={v}"));
        }
        parts.push(format!("dari={}", self.from));
        parts.push(format!("sampai={}", self.to));
        match self.sex {
            Some(Sex::Female) => parts.push("jk=P".into()),
            Some(Sex::Male) => parts.push("jk=L".into()),
            None => {}
        }
        if !self.country.trim().is_empty() {
            parts.push(format!(
                "negara={}",
                String::from(js_sys::encode_uri_component(self.country.trim()))
            ));
        }
        format!("?{}", parts.join("&"))
    }

    fn filter(&self) -> DashboardFilter {
        DashboardFilter {
            from: self.from,
            to: self.to,
            sex: self.sex,
            country: Some(self.country.trim().to_owned()).filter(|c| !c.is_empty()),
        }
    }
}

/// A village and its figures (`None` until its document is on the device).
type VillageFigures = (Grant, Memo<Option<Figures>>);
/// Every village of the account with its figures, kept for the page's life.
type PerVillage = StoredValue<Vec<VillageFigures>>;

/// Each of the account's villages with its figures for a filter: one memo per village, so a
/// change in one village's document recounts that village only. `None` until the village's
/// document is on the device.
fn village_figures(app: AppContext, filter: Memo<DashboardFilter>) -> Vec<VillageFigures> {
    let villages = app
        .session
        .get_untracked()
        .map(|s| s.villages())
        .unwrap_or_default();
    let day = today();
    villages
        .into_iter()
        .map(|g| {
            let id = g.doc_id.clone();
            let figures = Memo::new(move |_| {
                let f = filter.get();
                app.with_doc(&id, |v| v.figures(&f, day))
            });
            (g, figures)
        })
        .collect()
}

/// `village` if the account keeps it.
fn known_village(per_village: &PerVillage, village: Option<String>) -> Option<String> {
    village.filter(|v| per_village.with_value(|all| all.iter().any(|(g, _)| &g.doc_id == v)))
}

/// The sum of the chosen villages' figures, and whether all of them are on the device.
fn total(per_village: &[VillageFigures], only: Option<&str>) -> (Figures, bool) {
    let mut sum = Figures::default();
    let mut complete = true;
    for (g, f) in per_village {
        if only.is_some_and(|v| v != g.doc_id) {
            continue;
        }
        match f.get() {
            Some(f) => sum.add(&f),
            None => complete = false,
        }
    }
    (sum, complete)
}

/// A sex as the declaration labels it ("Perempuan"), or "not recorded".
pub(crate) fn sex_label(sex: Option<Sex>, lang: Lang) -> &'static str {
    sex.and_then(|s| choice_label(SEX, &format!("{s:?}"), lang))
        .unwrap_or_else(|| not_recorded(lang))
}

fn not_recorded(lang: Lang) -> &'static str {
    Text::new("Tidak tercatat").get(lang)
}

fn label_of(choices: &[desmigratif_model::fields::Choice], code: &str, lang: Lang) -> String {
    choice_label(choices, code, lang).unwrap_or(code).to_owned()
}

/// A tally's bars, the largest first (then by name), at most `limit`.
fn largest<K>(t: &Tally<K>, limit: usize, label: impl Fn(&K) -> String) -> Vec<Bar> {
    let mut bars: Vec<Bar> = t.iter().map(|(k, n)| Bar::new(label(k), *n)).collect();
    bars.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.label.cmp(&b.label)));
    bars.truncate(limit);
    bars
}

fn category_bars(f: &Figures, lang: Lang) -> Vec<Bar> {
    Category::ALL
        .iter()
        .map(|c| Bar::new(c.label(lang), f.categories.get(*c)))
        .collect()
}

fn sector_bars(f: &Figures, lang: Lang) -> Vec<Bar> {
    largest(&f.abroad_by_sector, 3, |s| {
        match s {
            Sector::Formal => "Formal",
            Sector::Informal => Text::new("Informal (rumah tangga)").get(lang),
            Sector::Unknown => not_recorded(lang),
        }
        .to_owned()
    })
}

fn procedure_bars(f: &Figures, lang: Lang) -> Vec<Bar> {
    largest(&f.departures_by_procedure, 3, |p| {
        label_of(PROCEDURAL, &format!("{p:?}"), lang)
    })
}

fn scheme_bars(f: &Figures, lang: Lang) -> Vec<Bar> {
    largest(&f.abroad_by_scheme, 5, |s| match s {
        Some(s) => label_of(SCHEME, &format!("{s:?}"), lang),
        None => not_recorded(lang).to_owned(),
    })
}

/// The dashboard page.
#[component]
pub fn Dashboard() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let state = RwSignal::new(DashQuery::from_params(&use_query_map().get_untracked()));
    keep_in_address("/dasbor".into(), move || state.with(DashQuery::to_search));
    let filter = Memo::new(move |_| state.with(DashQuery::filter));
    let per_village = StoredValue::new(village_figures(app, filter));
    // A village the account does not keep (an old or shared link) means every village.
    state.update_untracked(|s| s.village = known_village(&per_village, s.village.take()));
    let chosen = Memo::new(move |_| {
        let only = state.with(|s| s.village.clone());
        per_village.with_value(|v| total(v, only.as_deref()))
    });
    let figures = Signal::derive(move || chosen.get().0);
    let several = per_village.with_value(|v| v.len() > 1);
    let countries = Memo::new(move |_| {
        let mut all: Vec<String> = per_village.with_value(|v| {
            v.iter()
                .filter_map(|(g, _)| app.with_doc(&g.doc_id, |v| v.snapshot.destinations()))
                .flatten()
                .collect()
        });
        // The chosen country is offered even before (or without) the documents that name it,
        // so the menu always shows what the figures are filtered by.
        let chosen = state.with(|s| s.country.trim().to_owned());
        if !chosen.is_empty() {
            all.push(chosen);
        }
        all.sort();
        all.dedup();
        all
    });
    let bars = move |f: fn(&Figures, Lang) -> Vec<Bar>| Signal::derive(move || f(&figures.get(), lang.get()));
    let report_link = move || {
        let s = state.get();
        let village = s.village.map(|v| format!("&desa={v}")).unwrap_or_default();
        format!("/laporan?bulan={}{village}", s.to)
    };
    let set = move |change: fn(&mut DashQuery, String), value: String| state.update(|s| change(s, value));
    view! {
        <section class="dashboard" data-loaded=move || chosen.get().1.then_some("")>
            <h1>{move || lang.text("Dasbor")}</h1>
            <div class="filters dash-filters">
                <Show when=move || several>
                    <label class="field">
                        <span>{move || lang.text("Desa")}</span>
                        <select name="desa" on:change=move |ev| set(|s, v| s.village = Some(v).filter(|v| !v.is_empty()), event_target_value(&ev))
                            prop:value=move || state.with(|s| s.village.clone().unwrap_or_default())>
                            <option value="">{move || lang.text("Semua desa")}</option>
                            {per_village.with_value(|v| v.iter().map(|(g, _)| view! {
                                <option value=g.doc_id.clone()>{g.name.clone()}</option>
                            }).collect_view())}
                        </select>
                    </label>
                </Show>
                <label class="field">
                    <span>{move || lang.text("Dari bulan")}</span>
                    <input type="month" name="dari" prop:value=move || state.with(|s| s.from.to_string())
                        on:change=move |ev| set(|s, v| if let Ok(m) = v.parse() { s.from = m; if s.to < m { s.to = m } }, event_target_value(&ev))/>
                </label>
                <label class="field">
                    <span>{move || lang.text("Sampai bulan")}</span>
                    <input type="month" name="sampai" prop:value=move || state.with(|s| s.to.to_string())
                        on:change=move |ev| set(|s, v| if let Ok(m) = v.parse() { s.to = m; if s.from > m { s.from = m } }, event_target_value(&ev))/>
                </label>
                <label class="field">
                    <span>{move || lang.text("Jenis kelamin")}</span>
                    <select name="jk" on:change=move |ev| set(|s, v| s.sex = match v.as_str() { "P" => Some(Sex::Female), "L" => Some(Sex::Male), _ => None }, event_target_value(&ev))
                        prop:value=move || match state.with(|s| s.sex) { Some(Sex::Female) => "P", Some(Sex::Male) => "L", None => "" }>
                        <option value="">{move || lang.text_in("Everyone", "Semua")}</option>
                        <option value="P">{move || sex_label(Some(Sex::Female), lang.get())}</option>
                        <option value="L">{move || sex_label(Some(Sex::Male), lang.get())}</option>
                    </select>
                </label>
                <label class="field">
                    <span>{move || lang.text_in("Destination", "Negara tujuan")}</span>
                    <select name="negara" on:change=move |ev| set(|s, v| s.country = v, event_target_value(&ev))
                        prop:value=move || state.with(|s| s.country.clone())>
                        <option value="">{move || lang.text_in("Every country", "Semua negara")}</option>
                        {move || countries.get().into_iter().map(|c| {
                            let selected = state.with(|s| s.country.trim() == c);
                            view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <p class="muted period">{move || {
                let s = state.get();
                let l = lang.get();
                let period = if s.from == s.to { s.from.long_label(l) } else { format!("{} – {}", s.from.label(l), s.to.label(l)) };
                l.fill("Periode {period}. Negara tujuan berlaku untuk PMI, keberangkatan dan kepulangan.", &[("period", &period)])
            }}</p>
            <nav class="actions">
                <a class="button" href=report_link>{move || lang.text("Laporan bulanan")}</a>
            </nav>
            <h2 class="export-heading">{move || lang.text("Unduh data orang")}</h2>
            <p class="muted">{move || lang.text("Desa, jenis kelamin dan negara tujuan di atas berlaku (negara: siapa pun yang pernah ke sana).")}</p>
            {export_buttons(move |format, l| {
                let s = state.get_untracked();
                let filter = PersonFilter {
                    destination: Some(s.country.trim().to_owned()).filter(|c| !c.is_empty()),
                    ..PersonFilter::default()
                };
                let villages: Vec<_> = per_village.with_value(|v| {
                    v.iter()
                        .filter(|(g, _)| s.village.as_ref().is_none_or(|id| id == &g.doc_id))
                        .filter_map(|(g, _)| {
                            app.with_doc(&g.doc_id, |v| {
                                let ids = v
                                    .snapshot
                                    .search(&filter)
                                    .into_iter()
                                    .filter(|p| s.sex.is_none_or(|sex| p.sex == Some(sex)))
                                    .map(|p| p.id.clone())
                                    .collect();
                                (g.name.clone(), v.snapshot.clone(), ids)
                            })
                        })
                        .collect()
                });
                let what = match villages.as_slice() {
                    [(name, _, _)] => name.to_lowercase(),
                    _ => "kabupaten".to_owned(),
                };
                export_persons(&villages, &what, format, l)
            })}
            <div class="counts dash-tiles">
                {tile("persons", Text::new("Orang tercatat"), figures, |f| f.persons)}
                {tile("abroad", Text::new("PMI di luar negeri"), figures, |f| f.abroad)}
                {tile("departures", Text::new("Berangkat dalam periode"), figures, |f| f.departures)}
                {tile("returns", Text::new("Pulang dalam periode"), figures, |f| f.returns)}
                {tile("stale", Text::new("Data >12 bulan tidak diperbarui"), figures, |f| f.stale)}
                {tile("open-cases", Text::new("Kasus terbuka"), figures, |f| f.open_cases)}
                {tile("consultations", Text::new("Konsultasi dalam periode"), figures, |f| f.consultations)}
                {tile("activities", Text::new("Kegiatan dalam periode"), figures, |f| f.activities)}
            </div>
            <div class="charts">
                {bar_chart("categories", Text::new("Orang menurut kategori"), Text::new("Kategori"), bars(category_bars))}
                {bar_chart("countries", Text::new("PMI menurut negara tujuan"), Text::new("Negara"),
                    bars(|f, _| largest(&f.abroad_by_country, 12, Clone::clone)))}
                {bar_chart("sex", Text::new("PMI menurut jenis kelamin"), Text::new("Jenis kelamin"),
                    bars(|f, l| largest(&f.abroad_by_sex, 3, |s| sex_label(*s, l).to_owned())))}
                {bar_chart("sector", Text::new("PMI menurut sektor"), Text::new("Sektor"), bars(sector_bars))}
                {bar_chart("jobs", Text::new("PMI menurut jabatan"), Text::ctx("Job", "Jabatan"),
                    bars(|f, l| largest(&f.abroad_by_job, 8, |j| if j.is_empty() { not_recorded(l).to_owned() } else { j.clone() })))}
                {bar_chart("procedure", Text::new("Keberangkatan prosedural dan non-prosedural"), Text::new("Keberangkatan"), bars(procedure_bars))}
                {bar_chart("scheme", Text::new("PMI menurut skema penempatan"), Text::new("Skema"), bars(scheme_bars))}
                {trend_chart(Signal::derive(move || figures.get().trend))}
                <Show when=move || several && state.with(|s| s.village.is_none())>
                    {village_comparison(per_village)}
                </Show>
            </div>
        </section>
    }
}

/// One figure as a large number.
fn tile(
    key: &'static str,
    label: Text,
    figures: Signal<Figures>,
    value: fn(&Figures) -> usize,
) -> impl IntoView {
    let lang = use_language();
    view! {
        <div class="count" data-figure=key>
            <strong>{move || value(&figures.get())}</strong>
            <span>{move || lang.tr(label)}</span>
        </div>
    }
}

/// Every village side by side: workers abroad as bars, and a table of the main figures.
fn village_comparison(per_village: PerVillage) -> impl IntoView {
    let lang = use_language();
    let rows = Signal::derive(move || {
        per_village.with_value(|v| {
            v.iter()
                .map(|(g, f)| (g.name.clone(), f.get().unwrap_or_default()))
                .collect::<Vec<_>>()
        })
    });
    let abroad = Signal::derive(move || {
        rows.get()
            .into_iter()
            .map(|(name, f)| Bar::new(name, f.abroad))
            .collect()
    });
    view! {
        {bar_chart("villages", Text::new("PMI di luar negeri menurut desa"), Text::new("Desa"), abroad)}
        <div class="table-scroll" tabindex="0" role="region" aria-label=move || lang.text("Tabel menurut desa")>
            <table class="numbers villages-table">
                <thead><tr>
                    <th scope="col">{move || lang.text("Desa")}</th>
                    <th scope="col">{move || lang.text_in("Persons", "Orang")}</th>
                    <th scope="col">"PMI"</th>
                    <th scope="col">{move || lang.text_in("Left", "Berangkat")}</th>
                    <th scope="col">{move || lang.text_in("Back", "Pulang")}</th>
                    <th scope="col">{move || lang.text("Non-prosedural")}</th>
                    <th scope="col">{move || lang.text("Data lama")}</th>
                </tr></thead>
                <tbody>
                    {move || rows.get().into_iter().map(|(name, f)| view! {
                        <tr>
                            <th scope="row">{name}</th>
                            <td>{f.persons}</td>
                            <td>{f.abroad}</td>
                            <td>{f.departures}</td>
                            <td>{f.returns}</td>
                            <td>{f.departures_by_procedure.get(&desmigratif_model::Procedural::No).copied().unwrap_or(0)}</td>
                            <td>{f.stale}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
