//! Charts drawn as SVG from Rust: horizontal bars and a two-line trend. Each chart is a
//! `<figure>` whose numbers are also a table (for screen readers and for copying), so the
//! picture is never the only way to read a figure. Plain SVG elements keep the wasm small: a
//! charting crate would bring a renderer and fonts for what is a few rectangles and lines.

use desmigratif_model::Text;
use desmigratif_model::{Lang, Month, MonthFlow};
use leptos::prelude::*;
use std::collections::BTreeMap;

use crate::i18n::use_language;

/// One bar: what it counts and how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: usize,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: usize) -> Self {
        Self {
            label: label.into(),
            value,
        }
    }
}

/// The chart's drawing width in SVG units; it scales to the screen (at most 40 rem wide).
const WIDTH: f64 = 320.0;
const ROW: f64 = 24.0;
const LABEL_WIDTH: f64 = 118.0;
const BAR_SPACE: f64 = 160.0;

/// A label that fits beside its bar; the table holds it whole.
fn short(label: &str) -> String {
    const MAX: usize = 18;
    if label.chars().count() <= MAX {
        label.to_owned()
    } else {
        let mut s: String = label.chars().take(MAX - 1).collect();
        s.push('…');
        s
    }
}

/// A horizontal bar chart with its table. `key` names it for tests and styles; `column` heads
/// the table's first column.
pub fn bar_chart(key: &'static str, title: Text, column: Text, bars: Signal<Vec<Bar>>) -> impl IntoView {
    let lang = use_language();
    move || {
        let l = lang.get();
        let title = title.get(l);
        let bars = bars.get();
        let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
        let height = (bars.len().max(1) as f64) * ROW;
        let drawn = bars
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let y = i as f64 * ROW;
                let w = BAR_SPACE * b.value as f64 / max;
                view! {
                    <g>
                        <title>{format!("{}: {}", b.label, b.value)}</title>
                        <text x=LABEL_WIDTH - 4.0 y=y + 16.0 text-anchor="end" class="label">{short(&b.label)}</text>
                        <rect x=LABEL_WIDTH y=y + 4.0 width=w.max(1.0) height=ROW - 8.0 class="bar"></rect>
                        <text x=LABEL_WIDTH + w + 4.0 y=y + 16.0 class="value">{b.value}</text>
                    </g>
                }
            })
            .collect_view();
        let empty = bars.is_empty();
        view! {
            <figure class="chart" data-chart=key>
                <figcaption>{title}</figcaption>
                {if empty {
                    view! { <p class="muted">{lang.text("Belum ada data.")}</p> }.into_any()
                } else {
                    view! {
                        <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=title class="bars">
                            {drawn}
                        </svg>
                    }
                    .into_any()
                }}
                <details>
                    <summary>{lang.text("Tabel angka")}</summary>
                    <table class="numbers">
                        <thead><tr>
                            <th scope="col">{column.get(l)}</th>
                            <th scope="col">{lang.text_in("Count", "Jumlah")}</th>
                        </tr></thead>
                        <tbody>
                            {bars.iter().map(|b| view! {
                                <tr><th scope="row">{b.label.clone()}</th><td>{b.value}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </details>
            </figure>
        }
    }
}

/// Departures and returns per month as two lines, with the table of every month.
pub fn trend_chart(trend: Signal<BTreeMap<Month, MonthFlow>>) -> impl IntoView {
    let lang = use_language();
    move || {
        let l = lang.get();
        let trend = trend.get();
        let title = lang.text("Berangkat dan pulang per bulan (24 bulan)");
        let (left, right, top, bottom) = (28.0, WIDTH - 8.0, 8.0, 120.0);
        let n = trend.len().max(2) as f64;
        let max = trend
            .values()
            .map(|f| f.departures.max(f.returns))
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let x = move |i: usize| left + (right - left) * i as f64 / (n - 1.0);
        let y = move |v: usize| bottom - (bottom - top) * v as f64 / max;
        let line = |pick: fn(&MonthFlow) -> usize| {
            trend
                .values()
                .enumerate()
                .map(|(i, f)| format!("{:.1},{:.1}", x(i), y(pick(f))))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let departures = line(|f| f.departures);
        let returns = line(|f| f.returns);
        // A month label every six months, and the last month.
        let ticks = trend
            .keys()
            .enumerate()
            .filter(|(i, _)| i % 6 == 0 || *i + 1 == trend.len())
            .map(|(i, m)| {
                // The first and last labels stay inside the drawing.
                let anchor = match i {
                    0 => "start",
                    i if i + 1 == trend.len() => "end",
                    _ => "middle",
                };
                view! { <text x=x(i) y=bottom + 16.0 text-anchor=anchor class="label">{short_month(*m, l)}</text> }
            })
            .collect_view();
        view! {
            <figure class="chart" data-chart="trend">
                <figcaption>{title}</figcaption>
                <svg viewBox=format!("0 0 {WIDTH} 142") role="img" aria-label=title class="trend">
                    <line x1=left y1=bottom x2=right y2=bottom class="axis"></line>
                    <line x1=left y1=top x2=right y2=top class="grid"></line>
                    <text x=left - 4.0 y=top + 4.0 text-anchor="end" class="label">{max as usize}</text>
                    <text x=left - 4.0 y=bottom + 4.0 text-anchor="end" class="label">"0"</text>
                    <polyline points=departures class="line departures"></polyline>
                    <polyline points=returns class="line returns"></polyline>
                    {ticks}
                </svg>
                <p class="legend">
                    <span class="key departures">{lang.text_in("Departures", "Berangkat")}</span>
                    <span class="key returns">{lang.text_in("Returns", "Pulang")}</span>
                </p>
                <details>
                    <summary>{lang.text("Tabel angka")}</summary>
                    <table class="numbers">
                        <thead><tr>
                            <th scope="col">{lang.text("Bulan")}</th>
                            <th scope="col">{lang.text_in("Departures", "Berangkat")}</th>
                            <th scope="col">{lang.text_in("Returns", "Pulang")}</th>
                        </tr></thead>
                        <tbody>
                            {trend.iter().map(|(m, f)| view! {
                                <tr data-month=m.to_string()>
                                    <th scope="row">{m.label(l)}</th>
                                    <td>{f.departures}</td>
                                    <td>{f.returns}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </details>
            </figure>
        }
    }
}

/// "Des 24": a month on an axis.
fn short_month(m: Month, lang: Lang) -> String {
    let label = m.label(lang);
    let (name, year) = label.split_once(' ').unwrap_or((&label, ""));
    format!("{name} {}", year.get(2..).unwrap_or(year))
}
