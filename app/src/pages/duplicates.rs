//! "Kemungkinan duplikat" (`/duplikat`): records that may be one person, side by side — the
//! same NIK in two villages or twice in one, the same name and birth date, the same name on one
//! family card. A district office sees every village it keeps; a village officer their own.
//! Found from the documents on the device, so it works offline; each record opens on its page,
//! in its own village, to be corrected or removed there.

use desmigratif_model::{Category, DuplicateSign, Lang, RecordId, find_duplicates};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::context::use_app;
use crate::i18n::use_language;

/// At most this many pairs are drawn per sign (the rest are counted).
const SHOWN: usize = 100;

/// One record of a pair, as the page shows it.
#[derive(Clone, Debug, PartialEq)]
struct Side {
    doc_id: String,
    village: String,
    id: RecordId,
    name: String,
    nik: Option<String>,
    born: Option<String>,
    place: String,
    no_kk: Option<String>,
    category: Option<Category>,
}

#[derive(Clone, Debug, PartialEq)]
struct Pair {
    sign: DuplicateSign,
    a: Side,
    b: Side,
}

fn sign_title(sign: DuplicateSign, lang: Lang) -> &'static str {
    match (sign, lang) {
        (DuplicateSign::SameNik, Lang::Id) => "NIK sama",
        (DuplicateSign::SameNik, Lang::En) => "Same NIK",
        (DuplicateSign::SameNameAndBirthDate, Lang::Id) => "Nama dan tanggal lahir sama",
        (DuplicateSign::SameNameAndBirthDate, Lang::En) => "Same name and birth date",
        (DuplicateSign::SameNameAndKk, Lang::Id) => "Nama sama dalam satu No. KK",
        (DuplicateSign::SameNameAndKk, Lang::En) => "Same name on one family card",
    }
}

#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let pairs = Memo::new(move |_| {
        let grants = app.session.get().map(|s| s.villages()).unwrap_or_default();
        let ids: Vec<String> = grants.iter().map(|g| g.doc_id.clone()).collect();
        app.with_villages(&ids, |views| {
            let snapshots: Vec<_> = views.iter().map(|(_, v)| &v.snapshot).collect();
            let side = |at: &desmigratif_model::PersonAt| {
                let (doc_id, view) = views[at.village];
                let s = &view.snapshot;
                let p = s.person(&at.id)?;
                let village = grants
                    .iter()
                    .find(|g| g.doc_id == doc_id)
                    .map_or_else(String::new, |g| g.name.clone());
                let rt_rw = match (p.rt.as_deref(), p.rw.as_deref()) {
                    (Some(rt), Some(rw)) => format!(" RT {rt}/RW {rw}"),
                    _ => String::new(),
                };
                Some(Side {
                    doc_id: doc_id.to_owned(),
                    village,
                    id: p.id.clone(),
                    name: p.full_name.clone(),
                    nik: p.nik.clone(),
                    born: p.birth_date.map(|d| d.to_display()),
                    place: format!("{}{rt_rw}", p.dusun.clone().unwrap_or_default()),
                    no_kk: p.no_kk.clone(),
                    category: s.category(&p.id),
                })
            };
            find_duplicates(&snapshots)
                .iter()
                .filter_map(|d| {
                    Some(Pair {
                        sign: d.sign,
                        a: side(&d.a)?,
                        b: side(&d.b)?,
                    })
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let navigate = use_navigate();
    let open = move |doc_id: String, id: RecordId| {
        app.choose_village(doc_id);
        navigate(&format!("/orang/{id}"), Default::default());
    };
    let section = move |sign: DuplicateSign| {
        let open = open.clone();
        move || {
            let all: Vec<Pair> = pairs.with(|p| p.iter().filter(|d| d.sign == sign).cloned().collect());
            if all.is_empty() {
                return None;
            }
            let total = all.len();
            let across = all.iter().filter(|d| d.a.doc_id != d.b.doc_id).count();
            let l = lang.get();
            let rows = all
                .into_iter()
                .take(SHOWN)
                .map(|d| {
                    let elsewhere = d.a.doc_id != d.b.doc_id;
                    let card = |s: Side| {
                        let open = open.clone();
                        let (doc, id) = (s.doc_id.clone(), s.id.clone());
                        view! {
                            <div class="dup-side">
                                <button class="link dup-open" on:click=move |_| open(doc.clone(), id.clone())>
                                    <strong>{s.name.clone()}</strong>
                                </button>
                                <span class="dup-village">{s.village.clone()}</span>
                                <dl class="dup-facts">
                                    <dt>"NIK"</dt><dd>{s.nik.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>{lang.text("Lahir", "Born")}</dt><dd>{s.born.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>{lang.text("Dusun", "Dusun")}</dt><dd>{if s.place.is_empty() { "—".into() } else { s.place.clone() }}</dd>
                                    <dt>{lang.text("No. KK", "Family card")}</dt><dd>{s.no_kk.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>{lang.text("Kategori", "Category")}</dt><dd>{s.category.map_or("—", |c| c.label(l))}</dd>
                                </dl>
                            </div>
                        }
                    };
                    view! {
                        <li class="dup-pair" data-across=elsewhere.to_string()>
                            {elsewhere.then(|| view! { <span class="badge bad">{lang.text("Beda desa", "Different villages")}</span> })}
                            <div class="dup-sides">{card(d.a)}{card(d.b)}</div>
                        </li>
                    }
                })
                .collect_view();
            let more = (total > SHOWN).then(|| match l {
                Lang::Id => format!("… dan {} pasangan lagi.", total - SHOWN),
                Lang::En => format!("… and {} more pairs.", total - SHOWN),
            });
            let sign_key = format!("{sign:?}");
            Some(view! {
                <section class="dup-section" data-sign=sign_key>
                    <h2>{sign_title(sign, l)}" "<span class="count-badge">{total}</span></h2>
                    {(across > 0).then(|| view! { <p class="muted">{match l {
                        Lang::Id => format!("{across} di antaranya di desa yang berbeda."),
                        Lang::En => format!("{across} of them in different villages."),
                    }}</p> })}
                    <ul class="dup-pairs">{rows}</ul>
                    {more.map(|m| view! { <p class="muted">{m}</p> })}
                </section>
            })
        }
    };
    view! {
        <section class="duplicates">
            <h1>{move || lang.text("Kemungkinan duplikat", "Possible duplicates")}</h1>
            <p class="muted">{move || lang.text(
                "Catatan yang mungkin orang yang sama. Buka salah satunya untuk memperbaiki atau menghapusnya di desanya.",
                "Records that may be the same person. Open one to correct or remove it in its village.",
            )}</p>
            {move || (app.engine_ready() && pairs.with(Vec::is_empty)).then(|| view! {
                <p class="msg ok" role="status">{lang.text("Tidak ada kemungkinan duplikat.", "No possible duplicates.")}</p>
            })}
            {section(DuplicateSign::SameNik)}
            {section(DuplicateSign::SameNameAndBirthDate)}
            {section(DuplicateSign::SameNameAndKk)}
        </section>
    }
}
