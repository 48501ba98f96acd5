//! What some record types add to their page (a case's log, an activity's participants, a
//! membership's payments, a business owner's trainings), the form that adds an entry to a
//! record, what a person's page shows of the pillars, the home's figures and the services page.

use desmigratif_model::Edit;
use desmigratif_model::Text;
use desmigratif_model::{
    CaseEntry, CaseStatus, Described, LedgerEntry, Participation, PillarSummary, RecordId, Severity,
};
use leptos::prelude::*;

use super::kinds::{self, CASE_ENTRIES, LEDGER};
use super::{Kind, Start, capitalised, now_secs};
use crate::components::field::{DeclaredField, PersonSearch, field_messages, focus_first_error, suggestions};
use crate::context::use_app;
use crate::i18n::{today, use_language};
use crate::record_draft::{FieldMessage, RecordDraft};

/// The fields of a kind's form; a field the kind hides for what is typed stays in the page,
/// hidden, so its text is kept if it comes back.
pub fn fields_of(
    kind: &'static Kind,
    prefix: &'static str,
    draft: RwSignal<RecordDraft>,
    messages_for: impl Fn(&'static str) -> Signal<Vec<FieldMessage>>,
) -> impl IntoView {
    kind.spec
        .iter()
        .map(|spec| {
            let shows = kind.shows_field;
            view! {
                <div class="entry-field" class:hidden=move || !draft.with(|d| shows(d, spec.key))>
                    <DeclaredField spec=spec prefix=prefix
                        value=Signal::derive(move || draft.with(|d| d.get(spec.key)))
                        on_input=Callback::new(move |v: String| draft.update(|d| d.set(spec.key, v)))
                        messages=messages_for(spec.key)
                        suggest=suggestions(spec.key)/>
                </div>
            }
        })
        .collect_view()
}

/// Adds a record that belongs to another (a step to a case, a payment to a membership). Starts
/// afresh after each save. Drawn once per page: a change arriving never resets what is typed.
#[component]
pub fn EntryForm(kind: &'static Kind, parent: RecordId, title: Text, button: Text) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let start = RwSignal::new(None::<Start>);
    let draft = RwSignal::new(RecordDraft::default());
    // A new entry needs nothing of the village: the form is ready at once, also offline
    // right after a reload.
    let restart = move || {
        let Some(session) = app.session.get_untracked() else {
            return;
        };
        if let Some(fresh) = (kind.start)(None, None, Some(parent.clone()), &session, today(), now_secs()) {
            draft.set(fresh.draft.clone());
            start.set(Some(fresh));
        }
    };
    restart();
    let tried = RwSignal::new(false);
    let checked = Memo::new(move |_| {
        start.with(|s| {
            let s = s.as_ref()?;
            Some(draft.with(|d| (kind.check)(s, d, lang.get(), today())))
        })
    });
    let all =
        Signal::derive(move || checked.with(|c| c.as_ref().map(|(_, m)| m.clone()).unwrap_or_default()));
    let messages_for = move |field: &'static str| field_messages(field, all, tried, draft);
    let saving = RwSignal::new(false);
    let save_error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let Some((record, messages)) = checked.get_untracked() else {
            return;
        };
        let Some(record) = record.filter(|_| !messages.iter().any(|m| m.severity == Severity::Error)) else {
            focus_first_error(".entry-form");
            return;
        };
        let (Some(engine), Some(doc_id)) = (app.engine(), app.village.get_untracked()) else {
            return;
        };
        let record =
            untrack(|| app.with_village(|v| (kind.written)(record.clone(), &v.snapshot, now_secs())))
                .unwrap_or(record);
        saving.set(true);
        save_error.set(None);
        let restart = restart.clone();
        leptos::task::spawn_local(async move {
            let save = Edit::Save {
                collection: kind.collection,
                base: None,
                record,
            };
            let result = engine.apply(&doc_id, save).await;
            saving.set(false);
            match result {
                Ok(_) => {
                    restart();
                    tried.set(false);
                }
                Err(e) => save_error.set(Some(format!("{e:?}"))),
            }
        });
    };
    let fields = fields_of(kind, "entry", draft, messages_for);
    view! {
        <form class="card entry-form" on:submit=save novalidate>
            <h3>{move || lang.tr(title)}</h3>
            <fieldset class="plain" disabled=move || start.with(Option::is_none)>{fields}</fieldset>
            {move || save_error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
            <button type="submit" class="primary" disabled=move || saving.get() || !app.engine_ready()>
                {move || if saving.get() { lang.text("Menyimpan…") } else { lang.tr(button) }}
            </button>
        </form>
    }
}

/// A case's log, oldest first (step, who, when, where it was referred, notes), and the form to
/// add a step or a note. Every entry is its own record: two officers writing offline both keep
/// theirs.
#[component]
pub fn CaseLogView(case: RecordId) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let log_case = case.clone();
    let entries = Memo::new(move |_| {
        app.with_village(|v| {
            let log = v.snapshot.pillars.case_log(&log_case);
            (
                log.status(),
                log.entries.into_iter().cloned().collect::<Vec<CaseEntry>>(),
            )
        })
    });
    let status = move || {
        entries
            .with(|e| e.as_ref().map(|(s, _)| *s))
            .unwrap_or(CaseStatus::Reported)
    };
    let items = move || {
        let l = lang.get();
        entries.get().map(|(_, list)| {
            list.into_iter()
                .map(|e| {
                    let shown: Vec<String> = e
                        .shown(l)
                        .into_iter()
                        .filter(|(f, v)| f.key != "date" && f.key != "step" && v != "—")
                        .map(|(f, v)| format!("{}: {v}", f.label.get(l)))
                        .collect();
                    let step = super::choice_label::<CaseEntry>("step", e.step, l);
                    view! {
                        <li data-step=format!("{:?}", e.step)>
                            <span><strong>{step}</strong>" · "{e.officer.clone()}</span>
                            <small>{e.date.to_display()}</small>
                            {shown.into_iter().map(|s| view! { <span class="change">{s}</span> }).collect_view()}
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="case-log">
            <h2>{move || lang.text("Penanganan")}</h2>
            <p class="case-status" data-status=move || format!("{:?}", status())>
                {move || lang.text("Status: ")}<strong>{move || status().label().get(lang.get())}</strong>
            </p>
            <ul class="history log">{items}</ul>
            <EntryForm kind=&CASE_ENTRIES parent=case
                title=Text::new("Tambah langkah atau catatan") button=Text::new("Simpan catatan")/>
        </section>
    }
}

/// A membership's payments, oldest first, its balances (derived, never stored), and the form
/// for a payment.
#[component]
pub fn LedgerView(membership: RecordId) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let mid = membership.clone();
    let ledger = Memo::new(move |_| {
        app.with_village(|v| {
            let p = &v.snapshot.pillars;
            (
                p.balance_of(&mid),
                p.ledger_of(&mid)
                    .into_iter()
                    .cloned()
                    .collect::<Vec<LedgerEntry>>(),
            )
        })
    });
    let rupiah = desmigratif_model::records::rupiah;
    let items = move || {
        let l = lang.get();
        ledger.get().map(|(_, list)| {
            list.into_iter()
                .map(|e| {
                    let kind = super::choice_label::<LedgerEntry>("kind", e.kind, l);
                    view! {
                        <li data-kind=format!("{:?}", e.kind)>
                            <span><strong>{kind}</strong>" · "{rupiah(e.amount)}</span>
                            <small>{e.date.to_display()}</small>
                            {e.note.map(|n| view! { <span class="change">{n}</span> })}
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let balance = move || ledger.with(|l| l.as_ref().map(|(b, _)| *b)).unwrap_or_default();
    view! {
        <section class="ledger">
            <h2>{move || lang.text("Simpanan & pinjaman")}</h2>
            <dl class="details balance">
                <div class="row"><dt>{move || lang.text("Saldo simpanan")}</dt><dd class="savings">{move || rupiah(balance().savings)}</dd></div>
                <div class="row"><dt>{move || lang.text("Sisa pinjaman")}</dt><dd class="loans">{move || rupiah(balance().loans)}</dd></div>
            </dl>
            <ul class="history log">{items}</ul>
            <EntryForm kind=&LEDGER parent=membership
                title=Text::new("Catat transaksi") button=Text::new("Simpan transaksi")/>
        </section>
    }
}

/// Who takes part in an activity: each person with their attendance (and completion, for a
/// training), changed with a tap; adding a person is a search away. Each participation is its
/// own record, so officers adding people on two phones offline keep every one.
#[component]
pub fn Participants(activity: RecordId, completion: bool) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let aid = activity.clone();
    let list = Memo::new(move |_| {
        app.with_village(|v| {
            v.snapshot
                .pillars
                .participants(&aid)
                .into_iter()
                .map(|p| {
                    let name = v
                        .snapshot
                        .person(&p.person)
                        .map(|x| x.full_name.clone())
                        .unwrap_or_default();
                    (p.clone(), name)
                })
                .collect::<Vec<(Participation, String)>>()
        })
        .unwrap_or_default()
    });
    let edit = move |edit: Edit| {
        let (Some(engine), Some(doc_id)) = (app.engine(), app.village.get_untracked()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let _ = engine.apply(&doc_id, edit).await;
        });
    };
    let toggle = move |p: Participation, field: &'static str| {
        let mut edited = p.clone();
        match field {
            "attended" => edited.attended = !p.attended,
            _ => edited.completed = !p.completed,
        }
        edit(Edit::save(Some(&p), &edited));
    };
    let rows = move || {
        list.get()
            .into_iter()
            .map(|(p, name)| {
                let (a, c, r) = (p.clone(), p.clone(), p.clone());
                view! {
                    <li class="participant" data-attended=p.attended.to_string() data-completed=p.completed.to_string()>
                        <a href=format!("/orang/{}", p.person)>{name}</a>
                        <label><input type="checkbox" prop:checked=p.attended on:change=move |_| toggle(a.clone(), "attended")/>
                            " " {move || lang.text("Hadir")}</label>
                        {completion.then(|| view! {
                            <label><input type="checkbox" prop:checked=c.completed on:change=move |_| toggle(c.clone(), "completed")/>
                                " " {move || lang.text("Lulus")}</label>
                        })}
                        <button type="button" class="secondary remove" on:click=move |_| {
                            edit(Edit::set_deleted::<Participation>(&r.id, true));
                        }>{move || lang.text_in("Remove", "Hapus")}</button>
                    </li>
                }
            })
            .collect_view()
    };
    let already =
        Signal::derive(move || list.with(|l| l.iter().map(|(p, _)| p.person.clone()).collect::<Vec<_>>()));
    let pick = Callback::new(move |person: RecordId| {
        let p = Participation::new(RecordId::random(), activity.clone(), person);
        edit(Edit::save(None, &p));
    });
    view! {
        <section class="participants">
            <h2>{move || lang.text("Peserta")}" "<span class="count-badge">{move || list.with(Vec::len)}</span></h2>
            <ul class="people participants-list">{rows}</ul>
            <label for="add-participant">{move || lang.text("Tambah peserta")}</label>
            <PersonSearch id="add-participant".to_owned() on_pick=pick exclude=already/>
        </section>
    }
}

/// On a business's page: the trainings its owner took part in.
#[component]
pub fn OwnerTrainings(owner: RecordId) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let trainings = move || {
        app.with_village(|v| {
            v.snapshot
                .pillars
                .trainings_of(&owner)
                .into_iter()
                .map(|t| (t.id.clone(), format!("{} · {}", t.title, t.start.to_display())))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    view! {
        <section class="owner-trainings">
            <h2>{move || lang.text("Pelatihan yang diikuti pemilik")}</h2>
            <ul class="people">
                {move || trainings().into_iter().map(|(id, text)| view! {
                    <li><a href=format!("/layanan/pelatihan/{id}")>{text}</a></li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// On a person's page: every pillar record that concerns them (confidential cases only for who
/// may know), and buttons to start one for them.
#[component]
pub fn LinkedRecords(person: RecordId) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let pid = person.clone();
    let items = move || {
        let session = app.session.get();
        let l = lang.get();
        app.with_village(|v| {
            v.snapshot
                .pillars
                .linked_to(&pid)
                .into_iter()
                .filter_map(|(c, id)| {
                    let kind = kinds::by_collection(c)?;
                    let row = (kind.row)(v, &id, session.as_ref(), l, today())?;
                    row.allowed.then(|| {
                        view! {
                            <li><a href=format!("/layanan/{}/{id}", kind.path)>
                                <span class="name">{capitalised(kind.name.get(l))}</span>
                                <small class="facts">{if kind.activity { format!("{} · {}", row.title, row.facts) } else { row.facts }}</small>
                            </a></li>
                        }
                    })
                })
                .collect_view()
        })
    };
    let starts = kinds::LISTED
        .iter()
        .filter(|k| !k.activity)
        .map(|k| {
            let href = format!("/layanan/{}/baru?orang={person}", k.path);
            view! { <a class="button" href=href>{move || format!("+ {}", capitalised(k.name.get(lang.get())))}</a> }
        })
        .collect_view();
    view! {
        <ul class="people records linked-records">{items}</ul>
        <div class="actions wrap">{starts}</div>
    }
}

/// The pillars' figures on the village's home, each leading to its list.
#[component]
pub fn PillarFigures() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let summary = Memo::new(move |_| app.with_village(|v| v.snapshot.pillar_summary(today())));
    type Figure = (&'static str, &'static str, fn(&PillarSummary) -> String, Text);
    let figures: [Figure; 8] = [
        (
            "kasus",
            "open-cases",
            |s| s.open_cases.to_string(),
            Text::new("Kasus terbuka"),
        ),
        (
            "kasus",
            "overdue-cases",
            |s| s.overdue_cases.to_string(),
            Text::new("Kasus >30 hari tanpa catatan"),
        ),
        (
            "konsultasi",
            "consultations-month",
            |s| s.consultations_this_month.to_string(),
            Text::new("Konsultasi bulan ini"),
        ),
        (
            "pelatihan",
            "trainings-coming",
            |s| s.trainings_coming.to_string(),
            Text::new("Pelatihan akan datang"),
        ),
        (
            "usaha",
            "businesses-running",
            |s| s.businesses_running.to_string(),
            Text::new("Usaha berjalan"),
        ),
        (
            "anak",
            "children-at-risk",
            |s| s.children_at_risk.to_string(),
            Text::new("Anak PMI perlu perhatian"),
        ),
        (
            "koperasi",
            "members",
            |s| s.members.to_string(),
            Text::new("Anggota koperasi"),
        ),
        (
            "koperasi",
            "savings",
            |s| desmigratif_model::records::rupiah(s.savings),
            Text::new("Total simpanan"),
        ),
    ];
    let cards = figures
        .into_iter()
        .map(|(path, key, value, text)| {
            view! {
                <a class="count pillar" href=format!("/layanan/{path}") data-figure=key>
                    <strong>{move || summary.with(|s| s.as_ref().map(value).unwrap_or_default())}</strong>
                    <span>{move || lang.tr(text)}</span>
                </a>
            }
        })
        .collect_view();
    view! { <section class="counts pillars">{cards}</section> }
}

/// `/layanan`: every service's list, by pillar.
pub fn services_page() -> impl IntoView {
    let lang = use_language();
    let pillars: [(u8, Text); 4] = [
        (1, Text::new("1 · Layanan informasi & pengaduan")),
        (2, Text::new("2 · Usaha produktif")),
        (3, Text::new("3 · Keluarga & anak")),
        (4, Text::new("4 · Koperasi")),
    ];
    let groups = pillars
        .into_iter()
        .map(|(n, title)| {
            let links = kinds::LISTED
                .iter()
                .filter(|k| k.pillar == n)
                .map(|k| view! { <li><a href=format!("/layanan/{}", k.path)>{move || k.plural.get(lang.get())}</a></li> })
                .collect_view();
            view! {
                <section>
                    <h2>{move || lang.tr(title)}</h2>
                    <ul class="people services">{links}</ul>
                </section>
            }
        })
        .collect_view();
    view! {
        <section class="services-page">
            <h1>{move || lang.text("Layanan Desmigratif")}</h1>
            {groups}
            <ServicesExport/>
        </section>
    }
}

/// The services' records as a workbook (one sheet per record type): the village on screen, and
/// for a district office every village at once. Works offline, from the device's documents.
#[component]
fn ServicesExport() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let export = crate::components::download::ExportState::new();
    let run = move |all: bool| {
        let Some(session) = app.session.get_untracked() else {
            return;
        };
        let chosen = app.village.get_untracked();
        let villages: Vec<(String, desmigratif_model::VillageSnapshot)> = session
            .villages()
            .into_iter()
            .filter(|g| all || chosen.as_ref() == Some(&g.doc_id))
            .filter_map(|g| app.with_doc(&g.doc_id, |v| (g.name.clone(), v.snapshot.clone())))
            .collect();
        let what = if all {
            "kabupaten".to_owned()
        } else {
            villages
                .first()
                .map_or_else(String::new, |(n, _)| n.to_lowercase())
        };
        let viewer = desmigratif_model::export::Viewer {
            account: &session.username,
            district: session.is_district(),
        };
        let l = lang.0.get_untracked();
        export.run(
            crate::components::download::export_services(&villages, viewer, &what, l),
            l,
        );
    };
    let district = move || app.session.get().is_some_and(|s| s.is_district());
    view! {
        <section class="services-export">
            <h2>{move || lang.text("Unduh catatan layanan")}</h2>
            <p class="muted">{move || lang.text("Satu lembar per jenis catatan. Kasus rahasia tidak menampilkan orangnya kecuali untuk pencatat dan kabupaten.")}</p>
            <div class="actions export">
                <button class="secondary" disabled=move || export.busy.get() on:click=move |_| run(false)>
                    {move || lang.text("Unduh Excel desa ini")}
                </button>
                <Show when=district>
                    <button class="secondary" disabled=move || export.busy.get() on:click=move |_| run(true)>
                        {move || lang.text("Unduh Excel semua desa")}
                    </button>
                </Show>
            </div>
            {export.view()}
        </section>
    }
}
