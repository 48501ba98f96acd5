//! The monthly report (Laporan Bulanan): a month's figures for a village or the whole district,
//! laid out by the print style sheet so that "Print → Save as PDF" gives a clean A4 page.

use desmigratif_model::Text;
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
    let office = move || {
        let text = if district {
            Text::new("Dinas Tenaga Kerja {district}")
        } else {
            Text::new("Pemerintah Desa {village}, {district}")
        };
        text.fill(
            lang.get(),
            &[("district", &district_name), ("village", &own_village)],
        )
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
            None if district => lang.text("Semua desa").to_owned(),
            None => per_village.with_value(|v| v.first().map(|(g, _)| g.name.clone()).unwrap_or_default()),
        }
    };
    let printed = today().to_display();
    let row = move |label: Text, value: fn(&Figures) -> usize| {
        view! {
            <tr>
                <th scope="row">{move || lang.tr(label)}</th>
                <td>{move || value(&figures())}</td>
            </tr>
        }
    };
    let table = move |head: Text, rows: fn(&Figures, Lang) -> Vec<(String, usize)>| {
        view! {
            <table class="numbers">
                <thead><tr>
                    <th scope="col">{move || lang.tr(head)}</th>
                    <th scope="col">{move || lang.text_in("Count", "Jumlah")}</th>
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
                    <span>{move || lang.text("Bulan laporan")}</span>
                    <input type="month" name="bulan" prop:value=move || month.get().to_string()
                        on:change=move |ev| if let Ok(m) = event_target_value(&ev).parse() { month.set(m) }/>
                </label>
                <button class="primary" on:click=print>{move || lang.text("Cetak / simpan PDF")}</button>
            </div>
            <header class="report-head">
                <p class="office">{office}</p>
                <h1>{move || lang.text("Laporan Bulanan Desmigratif")}</h1>
                <dl class="report-meta">
                    <div><dt>{move || lang.text("Periode")}</dt><dd class="period">{move || month.get().long_label(lang.get())}</dd></div>
                    <div><dt>{move || lang.text("Wilayah")}</dt><dd>{scope}</dd></div>
                    <div><dt>{move || lang.text("Dicetak")}</dt><dd>{printed}</dd></div>
                </dl>
            </header>
            <section>
                <h2>{move || lang.text("Ringkasan")}</h2>
                <table class="numbers summary">
                    <tbody>
                        {row(Text::new("Orang tercatat"), |f| f.persons)}
                        {row(Text::new("CPMI (calon PMI)"), |f| f.categories.get(Category::Cpmi))}
                        {row(Text::new("PMI di luar negeri"), |f| f.abroad)}
                        {row(Text::new("Purna PMI"), |f| f.categories.get(Category::PurnaPmi))}
                        {row(Text::new("Keluarga PMI"), |f| f.categories.get(Category::Keluarga))}
                        {row(Text::new("Berangkat bulan ini"), |f| f.departures)}
                        {row(Text::new("… non-prosedural"), |f| f.departures_by_procedure.get(&Procedural::No).copied().unwrap_or(0))}
                        {row(Text::new("Pulang bulan ini"), |f| f.returns)}
                        {row(Text::new("Kasus terbuka"), |f| f.open_cases)}
                        {row(Text::new("Konsultasi bulan ini"), |f| f.consultations)}
                        {row(Text::new("Kegiatan bulan ini"), |f| f.activities)}
                        {row(Text::new("Data >12 bulan tidak diperbarui"), |f| f.stale)}
                    </tbody>
                </table>
            </section>
            <section class="report-columns">
                <div>
                    <h2>{move || lang.text("PMI menurut negara tujuan")}</h2>
                    {table(Text::new("Negara"), |f, _| largest(&f.abroad_by_country, usize::MAX, Clone::clone).into_iter().map(|b| (b.label, b.value)).collect())}
                </div>
                <div>
                    <h2>{move || lang.text("PMI menurut jenis kelamin dan sektor")}</h2>
                    {table(Text::new("Kelompok"), |f, l| {
                        let mut rows: Vec<(String, usize)> = largest(&f.abroad_by_sex, 3, |s| sex_label(*s, l).to_owned())
                            .into_iter().map(|b| (b.label, b.value)).collect();
                        rows.extend(sector_bars(f, l).into_iter().map(|b| (b.label, b.value)));
                        rows
                    })}
                </div>
            </section>
            <Show when=move || district && village.is_none()>
                <section>
                    <h2>{move || lang.text("Menurut desa")}</h2>
                    <div class="table-scroll" tabindex="0" role="region" aria-label=move || lang.text("Tabel menurut desa")>
                    <table class="numbers by-village">
                        <thead><tr>
                            <th scope="col">{move || lang.text("Desa")}</th>
                            <th scope="col">{move || lang.text_in("Persons", "Orang")}</th>
                            <th scope="col">"PMI"</th>
                            <th scope="col">{move || lang.text_in("Left", "Berangkat")}</th>
                            <th scope="col">{move || lang.text_in("Back", "Pulang")}</th>
                            <th scope="col">{move || lang.text("Kasus terbuka")}</th>
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
                {move || lang.text("Sumber: data Desmigratif pada perangkat ini. Kode wilayah menurut Kepmendagri No 300.2.2-2138 Tahun 2025.")}
            </footer>
        </article>
    }
}
