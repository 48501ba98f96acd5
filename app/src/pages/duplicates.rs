//! "Kemungkinan duplikat" (`/duplikat`): records that may be one person, side by side — the
//! same NIK in two villages or twice in one, the same name and birth date, the same name on one
//! family card. A district office sees every village it keeps; a village officer their own.
//! Found from the documents on the device, so it works offline; each record opens on its page,
//! in its own village. Each pair is decided on the spot: two different people (remembered, not
//! asked again), the same person (one record kept, what it lacks taken from the other, the
//! other removed), or moved (the old village's record marked moved, its history kept).

use desmigratif_model::Text;
use desmigratif_model::{
    Category, DistinctPersons, DuplicateSign, Edit, Lang, Person, RecordId, VillageCode, find_duplicates,
};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::context::{AppContext, use_app};
use crate::i18n::{today, use_language};

/// At most this many pairs are drawn per sign (the rest are counted).
const SHOWN: usize = 100;

/// One record of a pair, as the page shows it.
#[derive(Clone, Debug, PartialEq)]
struct Side {
    doc_id: String,
    code: Option<VillageCode>,
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
    match sign {
        DuplicateSign::SameNik => Text::new("NIK sama"),
        DuplicateSign::SameNameAndBirthDate => Text::new("Nama dan tanggal lahir sama"),
        DuplicateSign::SameNameAndKk => Text::new("Nama sama dalam satu No. KK"),
    }
    .get(lang)
}

#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let pairs = Memo::new(move |_| {
        app.with_account_villages(|grants, views| {
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
                    code: s.code.clone(),
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
                    let card = |n: u8, s: Side| {
                        let open = open.clone();
                        let (doc, id) = (s.doc_id.clone(), s.id.clone());
                        view! {
                            <div class="dup-side" data-n=n>
                                <span class="dup-num">{move || lang.text("Data ")}{n}</span>
                                <button class="link dup-open" on:click=move |_| open(doc.clone(), id.clone())>
                                    <strong>{s.name.clone()}</strong>
                                </button>
                                <span class="dup-village">{s.village.clone()}</span>
                                <dl class="dup-facts">
                                    <dt>"NIK"</dt><dd>{s.nik.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>{lang.text("Lahir")}</dt><dd>{s.born.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>{lang.text("Dusun")}</dt><dd>{if s.place.is_empty() { "—".into() } else { s.place.clone() }}</dd>
                                    <dt>{lang.text_in("Family card", "No. KK")}</dt><dd>{s.no_kk.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>{lang.text("Kategori")}</dt><dd>{s.category.map_or("—", |c| c.label(l))}</dd>
                                </dl>
                            </div>
                        }
                    };
                    let decide = view! { <PairActions a=d.a.clone() b=d.b.clone()/> };
                    view! {
                        <li class="dup-pair" data-across=elsewhere.to_string()>
                            {elsewhere.then(|| view! { <span class="badge bad">{lang.text("Beda desa")}</span> })}
                            <div class="dup-sides">{card(1, d.a)}{card(2, d.b)}</div>
                            {decide}
                        </li>
                    }
                })
                .collect_view();
            let more =
                (total > SHOWN).then(|| l.fill("… dan {more} pasangan lagi.", &[("more", &(total - SHOWN))]));
            let sign_key = format!("{sign:?}");
            Some(view! {
                <section class="dup-section" data-sign=sign_key>
                    <h2>{sign_title(sign, l)}" "<span class="count-badge">{total}</span></h2>
                    {(across > 0).then(|| view! { <p class="muted">{l.fill("{across} di antaranya di desa yang berbeda.", &[("across", &across)])}</p> })}
                    <ul class="dup-pairs">{rows}</ul>
                    {more.map(|m| view! { <p class="muted">{m}</p> })}
                </section>
            })
        }
    };
    view! {
        <section class="duplicates">
            <h1>{move || lang.text("Kemungkinan duplikat")}</h1>
            <p class="muted">{move || lang.text("Catatan yang mungkin orang yang sama. Buka salah satunya untuk memperbaiki atau menghapusnya di desanya.")}</p>
            {move || (app.engine_ready() && pairs.with(Vec::is_empty)).then(|| view! {
                <p class="msg ok" role="status">{lang.text("Tidak ada kemungkinan duplikat.")}</p>
            })}
            {section(DuplicateSign::SameNik)}
            {section(DuplicateSign::SameNameAndBirthDate)}
            {section(DuplicateSign::SameNameAndKk)}
            <DecidedDistinct/>
        </section>
    }
}

/// The pairs someone found to be two people, each with a way back (the pair is then shown
/// again): a wrong tap is not final.
#[component]
fn DecidedDistinct() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let decided = Memo::new(move |_| {
        app.with_account_villages(|grants, views| {
            // A person key (`code/id`) as its name and village, if it is on this device.
            let name = |key: &str| {
                let (code, id) = key.split_once('/')?;
                let id: RecordId = id.parse().ok()?;
                let (doc_id, view) = views
                    .iter()
                    .find(|(_, v)| v.snapshot.code.as_ref().map_or("", VillageCode::as_str) == code)?;
                let village = grants
                    .iter()
                    .find(|g| g.doc_id == *doc_id)
                    .map(|g| g.name.clone())?;
                Some(format!("{} ({village})", view.snapshot.person(&id)?.full_name))
            };
            views
                .iter()
                .flat_map(|(doc_id, v)| {
                    v.snapshot
                        .pillars
                        .live::<DistinctPersons>()
                        .map(|d| {
                            (
                                doc_id.to_string(),
                                d.id.clone(),
                                name(&d.a),
                                name(&d.b),
                                d.decided_on,
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let withdraw = move |doc_id: String, id: RecordId| {
        let Some(engine) = app.engine() else { return };
        leptos::task::spawn_local(async move {
            let _ = engine
                .apply(&doc_id, Edit::set_deleted::<DistinctPersons>(&id, true))
                .await;
        });
    };
    // Drawn once, its list redrawn: an undo does not fold it away.
    let items = move || {
        decided
            .get()
            .into_iter()
            .map(|(doc_id, id, a, b, on)| {
                let unknown = || lang.text("(tidak ada di perangkat ini)").to_owned();
                view! {
                    <li class="dup-decided">
                        <span>{a.unwrap_or_else(unknown)}" · "{b.unwrap_or_else(unknown)}</span>
                        <small class="muted">{on.to_display()}</small>
                        <button type="button" class="secondary" on:click=move |_| withdraw(doc_id.clone(), id.clone())>
                            {move || lang.text("Batalkan")}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <details class="dup-section dup-decided-list" class:hidden=move || decided.with(Vec::is_empty)>
            <summary>
                {move || lang.text("Sudah diputuskan: orang berbeda")}" "
                <span class="count-badge">{move || decided.with(Vec::len)}</span>
            </summary>
            <ul class="dup-pairs">{items}</ul>
        </details>
    }
}

/// What is being chosen after the first tap: which record to keep, or where the person lives now.
#[derive(Clone, Copy, PartialEq)]
enum Asking {
    Same,
    Moved,
}

/// A pair's three answers. "Different people" writes a decision into the first record's
/// village; "the same person" asks which record to keep; "moved" (two villages only) asks where
/// the person lives now. Each writes through the engine, so it works offline and syncs later.
#[component]
fn PairActions(a: Side, b: Side) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let asking = RwSignal::new(None::<Asking>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let across = a.doc_id != b.doc_id;
    let run = move |answer: Answer| {
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let result = answer.write(app).await;
            busy.set(false);
            if let Err(e) = result {
                error.set(Some(e));
            }
        });
    };
    let (da, db) = (a.clone(), b.clone());
    let different = move |_| run(Answer::Different(da.clone(), db.clone()));
    let choices = move || {
        let (a, b) = (a.clone(), b.clone());
        asking.get().map(|mode| {
            let question = match mode {
                Asking::Same => lang.text("Data mana yang dipertahankan? Isian yang kosong diambil dari data lainnya, lalu data lainnya dihapus."),
                Asking::Moved => lang.text("Sekarang tinggal di desa mana?"),
            };
            let option = move |n: u8, keep: Side, other: Side| {
                let label = match mode {
                    Asking::Same => lang.get().fill("Pertahankan data {n}", &[("n", &n)]),
                    Asking::Moved => keep.village.clone(),
                };
                let answer = match mode {
                    Asking::Same => Answer::Same { keep, remove: other },
                    Asking::Moved => Answer::Moved { now: keep, old: other },
                };
                view! {
                    <button type="button" class="secondary" disabled=move || busy.get()
                        on:click=move |_| run(answer.clone())>{label}</button>
                }
            };
            view! {
                <div class="dup-choose" role="group">
                    <p>{question}</p>
                    {option(1, a.clone(), b.clone())}
                    {option(2, b, a)}
                    <button type="button" class="link" on:click=move |_| asking.set(None)>{lang.text("Batal")}</button>
                </div>
            }
        })
    };
    view! {
        <div class="dup-actions">
            <button type="button" class="secondary" data-answer="different" disabled=move || busy.get() on:click=different>
                {move || lang.text("Orang berbeda")}
            </button>
            <button type="button" class="secondary" data-answer="same" disabled=move || busy.get()
                on:click=move |_| asking.set(Some(Asking::Same))>
                {move || lang.text("Orang yang sama")}
            </button>
            {across.then(|| view! {
                <button type="button" class="secondary" data-answer="moved" disabled=move || busy.get()
                    on:click=move |_| asking.set(Some(Asking::Moved))>
                    {move || lang.text("Pindah desa")}
                </button>
            })}
        </div>
        {choices}
        {move || error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
    }
}

/// A decision about a pair, as the edits it makes.
#[derive(Clone)]
enum Answer {
    Different(Side, Side),
    Same { keep: Side, remove: Side },
    Moved { now: Side, old: Side },
}

impl Answer {
    async fn write(self, app: AppContext) -> Result<(), String> {
        let engine = app.engine().ok_or("engine not ready")?;
        let by = app
            .session
            .get_untracked()
            .map(|s| s.username)
            .unwrap_or_default();
        let person = |s: &Side| {
            untrack(|| app.with_doc(&s.doc_id, |v| v.snapshot.person(&s.id).cloned()))
                .flatten()
                .ok_or_else(|| format!("{} ?", s.name))
        };
        let apply = |doc: String, edit: Edit| {
            let engine = engine.clone();
            async move {
                engine
                    .apply(&doc, edit)
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
            }
        };
        match self {
            Self::Different(a, b) => {
                let decision = DistinctPersons::new(
                    DistinctPersons::key(a.code.as_ref(), &a.id),
                    DistinctPersons::key(b.code.as_ref(), &b.id),
                    today(),
                    by,
                );
                // A decision withdrawn earlier is restored rather than written twice.
                let earlier = untrack(|| {
                    app.with_doc(&a.doc_id, |v| {
                        v.snapshot.pillars.get::<DistinctPersons>(&decision.id).is_some()
                    })
                })
                .unwrap_or(false);
                let edit = if earlier {
                    Edit::set_deleted::<DistinctPersons>(&decision.id, false)
                } else {
                    Edit::save(None, &decision)
                };
                apply(a.doc_id, edit).await
            }
            Self::Same { keep, remove } => {
                let (kept, removed) = (person(&keep)?, person(&remove)?);
                let filled = filled_from(&kept, &removed);
                if filled != kept {
                    apply(keep.doc_id.clone(), Edit::save(Some(&kept), &filled)).await?;
                }
                // In one village, the removed record's migration episodes move to the kept one.
                if keep.doc_id == remove.doc_id {
                    let episodes = untrack(|| {
                        app.with_doc(&remove.doc_id, |v| {
                            v.snapshot
                                .episodes_of(&removed.id)
                                .into_iter()
                                .cloned()
                                .collect::<Vec<_>>()
                        })
                    })
                    .unwrap_or_default();
                    for episode in episodes {
                        let mut moved = episode.clone();
                        moved.person = kept.id.clone();
                        apply(keep.doc_id.clone(), Edit::save(Some(&episode), &moved)).await?;
                    }
                }
                apply(remove.doc_id, Edit::set_deleted::<Person>(&removed.id, true)).await
            }
            Self::Moved { now, old } => {
                let before = person(&old)?;
                let mut after = before.clone();
                after.moved_to = Some(now.village.clone());
                after.moved_on = Some(today());
                // Where they went, then out of the lists (a save never writes `deleted`).
                apply(old.doc_id.clone(), Edit::save(Some(&before), &after)).await?;
                apply(old.doc_id, Edit::set_deleted::<Person>(&before.id, true)).await
            }
        }
    }
}

/// `kept` with every field it leaves empty taken from `other` (its identity and state kept).
fn filled_from(kept: &Person, other: &Person) -> Person {
    let (Ok(serde_json::Value::Object(mut k)), Ok(serde_json::Value::Object(o))) =
        (serde_json::to_value(kept), serde_json::to_value(other))
    else {
        return kept.clone();
    };
    for (field, value) in o {
        if matches!(field.as_str(), "id" | "deleted" | "moved_to" | "moved_on") || value.is_null() {
            continue;
        }
        if k.get(&field).is_none_or(serde_json::Value::is_null) {
            k.insert(field, value);
        }
    }
    serde_json::from_value(serde_json::Value::Object(k)).unwrap_or_else(|_| kept.clone())
}
