//! The monthly report (Laporan Bulanan): a month's figures for a village or the whole district,
//! laid out by the print style sheet so that "Print → Save as PDF" gives a clean A4 page.

use desmigratif_model::{Category, DashboardFilter, Figures, Lang, Month, Procedural};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{known_village, largest, sector_bars, sex_label, total, village_figures};
use crate::components::keep_in_address;
use crate::context::use_app;
use crate::i18n::{today, use_language};

#[component]
pub fn MonthlyReport() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let params = use_query_map().get_untracked();
    // The month before this one unless asked: a report is usually of a month that has ended.
    let month = RwSignal::new(
        params
            .get("bulan")
            .and_then(|m| m.parse::<Month>().ok())
            .unwrap_or_else(|| Month::of(today()).plus(-1)),
    );
    let filter = Memo::new(move |_| DashboardFilter::month(month.get()));
    let per_village = StoredValue::new(village_figures(app, filter));
    let village = known_village(&per_village, params.get("desa").filter(|v| !v.is_empty()));
    {
        let village = village.clone();
        keep_in_address("/laporan".into(), move || {
            let v = village.as_ref().map(|v| format!("&desa={v}")).unwrap_or_default();
            format!("?bulan={}{v}", month.get())
        });
    }
    let chosen = {
        let village = village.clone();
        Memo::new(move |_| per_village.with_value(|v| total(v, village.as_deref())))
    };
    let figures = move || chosen.get().0;
    let session = app.session.get_untracked();
    let district = session.as_ref().is_some_and(|s| s.is_district());
    // The office that reports: the district's labour office, or the village government.
    let district_name = session.as_ref().map_or_else(String::new, |s| {
        s.documents
            .iter()
            .find(|d| d.kind == desmigratif_model::DocKind::District)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    });
    let own_village = session
        .as_ref()
        .and_then(|s| s.villages().first().map(|g| g.name.clone()))
        .unwrap_or_default();
    let office = move || match (district, lang.get()) {
        (true, Lang::Id) => format!("Dinas Tenaga Kerja {district_name}"),
        (true, Lang::En) => format!("Labour Office, {district_name}"),
        (false, Lang::Id) => format!("Pemerintah Desa {own_village}, {district_name}"),
        (false, Lang::En) => format!("Village of {own_village}, {district_name}"),
    };
    let scope = {
        let village = village.clone();
        move || match &village {
            Some(id) => per_village.with_value(|v| {
                v.iter()
                    .find(|(g, _)| &g.doc_id == id)
                    .map(|(g, _)| g.name.clone())
                    .unwrap_or_default()
            }),
            None if district => lang.text("Semua desa", "Every village").to_owned(),
            None => per_village.with_value(|v| v.first().map(|(g, _)| g.name.clone()).unwrap_or_default()),
        }
    };
    let printed = today().to_display();
    let row = move |label: (&'static str, &'static str), value: fn(&Figures) -> usize| {
        view! {
            <tr>
                <th scope="row">{move || lang.text(label.0, label.1)}</th>
                <td>{move || value(&figures())}</td>
            </tr>
        }
    };
    let table = move |head: (&'static str, &'static str),
                      rows: fn(&Figures, Lang) -> Vec<(String, usize)>| {
        view! {
            <table class="numbers">
                <thead><tr>
                    <th scope="col">{move || lang.text(head.0, head.1)}</th>
                    <th scope="col">{move || lang.text("Jumlah", "Count")}</th>
                </tr></thead>
                <tbody>{move || rows(&figures(), lang.get()).into_iter().map(|(k, n)| view! {
                    <tr><th scope="row">{k}</th><td>{n}</td></tr>
                }).collect_view()}</tbody>
            </table>
        }
    };
    let print = move |_| {
        let _ = window().print();
    };
    view! {
        <article class="report" data-loaded=move || chosen.get().1.then_some("")>
            <div class="report-controls no-print">
                <label class="field">
                    <span>{move || lang.text("Bulan laporan", "Month of the report")}</span>
                    <input type="month" name="bulan" prop:value=move || month.get().to_string()
                        on:change=move |ev| if let Ok(m) = event_target_value(&ev).parse() { month.set(m) }/>
                </label>
                <button class="primary" on:click=print>{move || lang.text("Cetak / simpan PDF", "Print / save as PDF")}</button>
            </div>
            <header class="report-head">
                <p class="office">{office}</p>
                <h1>{move || lang.text("Laporan Bulanan Desmigratif", "Desmigratif Monthly Report")}</h1>
                <dl class="report-meta">
                    <div><dt>{move || lang.text("Periode", "Period")}</dt><dd class="period">{move || month.get().long_label(lang.get())}</dd></div>
                    <div><dt>{move || lang.text("Wilayah", "Area")}</dt><dd>{scope}</dd></div>
                    <div><dt>{move || lang.text("Dicetak", "Printed")}</dt><dd>{printed}</dd></div>
                </dl>
            </header>
            <section>
                <h2>{move || lang.text("Ringkasan", "Summary")}</h2>
                <table class="numbers summary">
                    <tbody>
                        {row(("Orang tercatat", "Persons recorded"), |f| f.persons)}
                        {row(("CPMI (calon PMI)", "CPMI (prospective workers)"), |f| f.categories.get(Category::Cpmi))}
                        {row(("PMI di luar negeri", "Workers abroad"), |f| f.abroad)}
                        {row(("Purna PMI", "Returned workers"), |f| f.categories.get(Category::PurnaPmi))}
                        {row(("Keluarga PMI", "Workers' families"), |f| f.categories.get(Category::Keluarga))}
                        {row(("Berangkat bulan ini", "Departures this month"), |f| f.departures)}
                        {row(("… non-prosedural", "… non-procedural"), |f| f.departures_by_procedure.get(&Procedural::No).copied().unwrap_or(0))}
                        {row(("Pulang bulan ini", "Returns this month"), |f| f.returns)}
                        {row(("Kasus terbuka", "Open cases"), |f| f.open_cases)}
                        {row(("Konsultasi bulan ini", "Consultations this month"), |f| f.consultations)}
                        {row(("Kegiatan bulan ini", "Activities this month"), |f| f.activities)}
                        {row(("Data >12 bulan tidak diperbarui", "Records not updated in 12 months"), |f| f.stale)}
                    </tbody>
                </table>
            </section>
            <section class="report-columns">
                <div>
                    <h2>{move || lang.text("PMI menurut negara tujuan", "Workers abroad by destination")}</h2>
                    {table(("Negara", "Country"), |f, _| largest(&f.abroad_by_country, usize::MAX, Clone::clone).into_iter().map(|b| (b.label, b.value)).collect())}
                </div>
                <div>
                    <h2>{move || lang.text("PMI menurut jenis kelamin dan sektor", "Workers abroad by sex and sector")}</h2>
                    {table(("Kelompok", "Group"), |f, l| {
                        let mut rows: Vec<(String, usize)> = largest(&f.abroad_by_sex, 3, |s| sex_label(*s, l).to_owned())
                            .into_iter().map(|b| (b.label, b.value)).collect();
                        rows.extend(sector_bars(f, l).into_iter().map(|b| (b.label, b.value)));
                        rows
                    })}
                </div>
            </section>
            <Show when=move || district && village.is_none()>
                <section>
                    <h2>{move || lang.text("Menurut desa", "By village")}</h2>
                    <div class="table-scroll" tabindex="0" role="region" aria-label=move || lang.text("Tabel menurut desa", "Table by village")>
                    <table class="numbers by-village">
                        <thead><tr>
                            <th scope="col">{move || lang.text("Desa", "Village")}</th>
                            <th scope="col">{move || lang.text("Orang", "Persons")}</th>
                            <th scope="col">"PMI"</th>
                            <th scope="col">{move || lang.text("Berangkat", "Left")}</th>
                            <th scope="col">{move || lang.text("Pulang", "Back")}</th>
                            <th scope="col">{move || lang.text("Kasus terbuka", "Open cases")}</th>
                        </tr></thead>
                        <tbody>{move || per_village.with_value(|v| v.iter().map(|(g, f)| {
                            let f = f.get().unwrap_or_default();
                            view! {
                                <tr>
                                    <th scope="row">{g.name.clone()}</th>
                                    <td>{f.persons}</td><td>{f.abroad}</td><td>{f.departures}</td><td>{f.returns}</td><td>{f.open_cases}</td>
                                </tr>
                            }
                        }).collect_view())}</tbody>
                    </table>
                    </div>
                </section>
            </Show>
            <footer class="report-foot">
                {move || lang.text(
                    "Sumber: data Desmigratif pada perangkat ini. Kode wilayah menurut Kepmendagri No 300.2.2-2138 Tahun 2025.",
                    "Source: Desmigratif records on this device. Region codes per Kepmendagri No 300.2.2-2138 of 2025.",
                )}
            </footer>
        </article>
    }
}
