use desmigratif_model::Text;
use desmigratif_model::{Category, FamilyRelation, PersonFilter, RecordId};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::download::{export_buttons, export_persons};
use crate::components::keep_in_address;
use leptos_router::params::ParamsMap;

use crate::context::use_app;
use crate::i18n::use_language;
use desmigratif_model::Lang;

/// Rows drawn per page; every person is reachable through the pages.
const PAGE: usize = 100;

fn category_from(s: &str) -> Option<Category> {
    Category::ALL.into_iter().find(|c| format!("{c:?}") == s)
}

/// What the list shows, kept in the address (`/orang?q=siti&kategori=Pmi&hal=2`) so that Back
/// from a person and a reload bring the same list back.
#[derive(Clone, Debug, Default, PartialEq)]
struct ListQuery {
    text: String,
    category: String,
    dusun: String,
    destination: String,
    deleted: bool,
    /// Only persons someone has to choose a value for.
    conflicts: bool,
    /// Only persons with changes not yet sent to the relay.
    unsent: bool,
    /// Zero-based.
    page: usize,
}

impl ListQuery {
    fn from_params(params: &ParamsMap) -> Self {
        let get = |k: &str| params.get(k).unwrap_or_default();
        Self {
            text: get("q"),
            category: get("kategori"),
            dusun: get("dusun"),
            destination: get("negara"),
            deleted: get("dihapus") == "1",
            conflicts: get("konflik") == "1",
            unsent: get("belum") == "1",
            page: get("hal")
                .parse::<usize>()
                .ok()
                .and_then(|p| p.checked_sub(1))
                .unwrap_or(0),
        }
    }

    /// The query string for the address, leaving out what is not set.
    fn to_search(&self) -> String {
        let page = (self.page + 1).to_string();
        let pairs = [
            ("q", self.text.as_str()),
            ("kategori", &self.category),
            ("dusun", &self.dusun),
            ("negara", &self.destination),
            ("dihapus", if self.deleted { "1" } else { "" }),
            ("konflik", if self.conflicts { "1" } else { "" }),
            ("belum", if self.unsent { "1" } else { "" }),
            ("hal", if self.page > 0 { &page } else { "" }),
        ];
        let parts: Vec<String> = pairs
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", String::from(js_sys::encode_uri_component(v))))
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    fn filter(&self) -> PersonFilter {
        PersonFilter {
            text: Some(self.text.clone()).filter(|t| !t.trim().is_empty()),
            category: category_from(&self.category),
            dusun: Some(self.dusun.clone()).filter(|d| !d.is_empty()),
            destination: Some(self.destination.clone()).filter(|d| !d.is_empty()),
            include_deleted: self.deleted,
            conflicted: self.conflicts,
        }
    }
}

/// "101–200 dari 1983 orang".
fn shown_text(lang: Lang, first: usize, last: usize, total: usize) -> String {
    if total == 0 {
        lang.text("Tidak ada orang yang cocok").to_owned()
    } else {
        lang.fill(
            "{first}–{last} dari {total} orang",
            &[("first", &first), ("last", &last), ("total", &total)],
        )
    }
}

/// Search by name or NIK, filter by category, dusun and destination, page through everyone.
#[component]
pub fn PersonList() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let state = RwSignal::new(ListQuery::from_params(&use_query_map().get_untracked()));
    keep_in_address("/orang".into(), move || state.with(ListQuery::to_search));
    // Changing what is searched goes back to the first page.
    let set = move |change: fn(&mut ListQuery, String), value: String| {
        state.update(|s| {
            change(s, value);
            s.page = 0;
        })
    };
    // The page's rows as (id, revision): a row is redrawn only when its person changed.
    let unsent = Memo::new(move |_| app.unsent_persons());
    let results = Memo::new(move |_| {
        let (filter, page, only_unsent) = state.with(|s| (s.filter(), s.page, s.unsent));
        let unsent_now = only_unsent.then(|| unsent.get());
        app.with_village(|v| {
            let mut found = v.snapshot.search(&filter);
            if let Some(unsent) = &unsent_now {
                found.retain(|p| unsent.contains(&p.id));
            }
            let total = found.len();
            let page = page.min(total.saturating_sub(1) / PAGE);
            let rows: Vec<(RecordId, u64)> = found
                .into_iter()
                .skip(page * PAGE)
                .take(PAGE)
                .map(|p| (p.id.clone(), v.revision(&p.id)))
                .collect();
            (total, page, rows)
        })
    });
    let total = move || results.with(|r| r.as_ref().map(|(t, _, _)| *t));
    let shown_page = move || results.with(|r| r.as_ref().map_or(0, |(_, p, _)| *p));
    let rows = move || results.with(|r| r.as_ref().map(|(_, _, rows)| rows.clone()).unwrap_or_default());
    let last_page = move || total().is_none_or(|t| (shown_page() + 1) * PAGE >= t);
    let go = move |page: usize| {
        state.update(|s| s.page = page);
        window().scroll_to_with_x_and_y(0.0, 0.0);
    };
    // A yes/no filter: changing it goes back to the first page.
    let check =
        move |class: &'static str, get: fn(&ListQuery) -> bool, put: fn(&mut ListQuery, bool), text: Text| {
            view! {
                <label class="check">
                    <input type="checkbox" class=class
                        prop:checked=move || state.with(get)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            state.update(|s| { put(s, on); s.page = 0; });
                        }/>
                    {move || lang.tr(text)}
                </label>
            }
        };
    let options = move |list: Vec<String>| {
        list.into_iter()
            .map(|d| view! { <option value=d.clone()>{d.clone()}</option> })
            .collect_view()
    };
    view! {
        <section class="person-list">
            <h1>{move || lang.text("Daftar orang")}</h1>
            <input class="search" type="search" aria-label=move || lang.text("Cari nama atau NIK")
                placeholder=move || lang.text("Cari nama atau NIK")
                prop:value=move || state.with(|s| s.text.clone())
                on:input=move |ev| set(|s, v| s.text = v, event_target_value(&ev))/>
            <div class="filters">
                <select aria-label=move || lang.text("Kategori")
                    prop:value=move || state.with(|s| s.category.clone())
                    on:change=move |ev| set(|s, v| s.category = v, event_target_value(&ev))>
                    <option value="">{move || lang.text("Semua kategori")}</option>
                    {Category::ALL.into_iter().map(|c| view! { <option value=format!("{c:?}")>{move || c.label(lang.get())}</option> }).collect_view()}
                </select>
                <select aria-label="Dusun"
                    prop:value=move || state.with(|s| s.dusun.clone())
                    on:change=move |ev| set(|s, v| s.dusun = v, event_target_value(&ev))>
                    <option value="">{move || lang.text("Semua dusun")}</option>
                    {move || app.with_village(|v| v.snapshot.dusun_names()).map(options)}
                </select>
                <select aria-label=move || lang.text_in("Destination country", "Negara tujuan")
                    prop:value=move || state.with(|s| s.destination.clone())
                    on:change=move |ev| set(|s, v| s.destination = v, event_target_value(&ev))>
                    <option value="">{move || lang.text_in("All countries", "Semua negara")}</option>
                    {move || app.with_village(|v| v.snapshot.destinations()).map(options)}
                </select>
                {check("show-deleted", |s| s.deleted, |s, on| s.deleted = on, Text::new("Tampilkan yang dihapus"))}
                {check("only-conflicts", |s| s.conflicts, |s, on| s.conflicts = on, Text::new("Hanya yang berkonflik"))}
                {check("only-unsent", |s| s.unsent, |s, on| s.unsent = on, Text::new("Hanya yang belum terkirim"))}
            </div>
            {move || total().map(|total| {
                let first = shown_page() * PAGE;
                let last = (first + PAGE).min(total);
                view! {
                    <p class="muted result-count" data-total=total aria-live="polite">
                        {move || shown_text(lang.get(), first + 1, last, total)}
                    </p>
                }
            })}
            <ul class="people">
                <For each=rows key=|row| row.clone() let((id, _))>
                    <PersonRow id=id unsent=unsent/>
                </For>
            </ul>
            <Show when=move || total().is_some_and(|t| t > PAGE)>
                <nav class="pager" aria-label=move || lang.text("Halaman")>
                    <button class="prev" disabled=move || shown_page() == 0 on:click=move |_| go(shown_page().saturating_sub(1))>
                        {move || lang.text("‹ Sebelumnya")}
                    </button>
                    <span class="muted">{move || format!("{} / {}", shown_page() + 1, total().unwrap_or(0).div_ceil(PAGE))}</span>
                    <button class="next" disabled=last_page on:click=move |_| go(shown_page() + 1)>
                        {move || lang.text("Berikutnya ›")}
                    </button>
                </nav>
            </Show>
            {export_buttons(move |format, l| {
                let filter = state.with_untracked(ListQuery::filter);
                let name = app
                    .session
                    .get_untracked()
                    .and_then(|s| {
                        let id = app.village.get_untracked()?;
                        s.villages().into_iter().find(|g| g.doc_id == id).map(|g| g.name)
                    })
                    .unwrap_or_default();
                let village = app
                    .with_village(|v| {
                        let ids = v.snapshot.search(&filter).into_iter().map(|p| p.id.clone()).collect();
                        (name.clone(), v.snapshot.clone(), ids)
                    })
                    .ok_or_else(|| {
                        desmigratif_model::Text::new("Data desa belum terbuka.")
                            .get(l)
                            .to_owned()
                    })?;
                export_persons(&[village], &name.to_lowercase(), format, l)
            })}
            <a class="button primary fab" href="/orang/baru">{move || lang.text("+ Tambah")}</a>
        </section>
    }
}

/// What tells one person from another of the same name, as a row shows it.
struct RowFacts {
    name: String,
    category: Option<Category>,
    dusun: String,
    rt_rw: Option<String>,
    born: Option<u16>,
    nik_tail: Option<String>,
    head: bool,
    conflict: bool,
    deleted: bool,
    /// Removed because they moved: the village they went to.
    moved_to: Option<String>,
}

/// One row of the list, drawn from the person as it stands when the row is made (the list
/// makes a new row when the person changes).
#[component]
fn PersonRow(
    id: RecordId,
    /// The village's persons with changes not yet sent.
    unsent: Memo<std::collections::BTreeSet<RecordId>>,
) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let not_sent = {
        let id = id.clone();
        move || unsent.with(|u| u.contains(&id))
    };
    let facts = app
        .village
        .get_untracked()
        .and_then(|doc| {
            app.engine()?.with_view(&doc, |v| {
                let p = v.snapshot.person(&id)?;
                let rt_rw = match (p.rt.as_deref(), p.rw.as_deref()) {
                    (None, None) => None,
                    (rt, rw) => Some(format!("RT {}/RW {}", rt.unwrap_or("-"), rw.unwrap_or("-"))),
                };
                let nik_tail = p
                    .nik
                    .as_deref()
                    .filter(|n| n.len() >= 4)
                    .map(|n| n[n.len() - 4..].to_owned());
                Some(RowFacts {
                    name: p.full_name.clone(),
                    category: v.snapshot.category(&id),
                    dusun: p.dusun.clone().unwrap_or_default(),
                    rt_rw,
                    born: p.birth_date.map(|d| d.year()),
                    nik_tail,
                    head: p.relation == Some(FamilyRelation::Head),
                    conflict: v.snapshot.needs_choice(&id),
                    deleted: p.deleted,
                    moved_to: p.moved().then(|| p.moved_to.clone()).flatten(),
                })
            })
        })
        .flatten();
    facts.map(|f| {
        let (name, conflict, deleted, moved_to) = (f.name.clone(), f.conflict, f.deleted, f.moved_to.clone());
        let line = move || {
            let l = lang.get();
            let mut parts: Vec<String> = Vec::new();
            if let Some(c) = f.category {
                parts.push(c.label(l).to_owned());
            }
            if f.head {
                parts.push(lang.text_in("Household head", "Kepala keluarga").to_owned());
            }
            if let Some(year) = f.born {
                parts.push(format!("{} {year}", lang.text("lahir")));
            }
            let place = [Some(f.dusun.clone()).filter(|d| !d.is_empty()), f.rt_rw.clone()];
            let place: Vec<String> = place.into_iter().flatten().collect();
            if !place.is_empty() {
                parts.push(place.join(" "));
            }
            if let Some(tail) = &f.nik_tail {
                parts.push(format!("NIK …{tail}"));
            }
            parts.join(" · ")
        };
        view! {
            <li class="person" class:deleted=deleted>
                <a href=format!("/orang/{id}")>
                    <span class="row-title">
                        <strong>{name}</strong>
                        {conflict.then(|| view! {
                            <span class="marker conflict" title=move || lang.text("Ada konflik")>
                                {move || lang.text("konflik")}
                            </span>
                        })}
                        {deleted.then(|| match moved_to.clone() {
                            Some(village) => view! {
                                <span class="marker deleted">{move || crate::i18n::moved_to_text(&village, lang.get())}</span>
                            }.into_any(),
                            None => view! {
                                <span class="marker deleted">{move || lang.text("dihapus")}</span>
                            }.into_any(),
                        })}
                        {move || not_sent().then(|| view! {
                            <span class="marker unsent">{move || lang.text("belum terkirim")}</span>
                        })}
                    </span>
                    <small>{line}</small>
                </a>
            </li>
        }
    })
}
