use desmigratif_model::demo::VILLAGES;
use desmigratif_model::{DocumentId, VillageCode};
use leptos::prelude::*;

use crate::i18n::use_language;

/// The start page: the program's villages in Kabupaten Malang and their document ids.
#[component]
pub fn Home() -> impl IntoView {
    let lang = use_language();
    let villages = VILLAGES
        .iter()
        .map(|v| {
            let code: VillageCode = v.code.parse().expect("demo codes are well formed");
            let doc = DocumentId::for_village(&code).to_string();
            view! {
                <li class="village">
                    <strong>{v.name}</strong>
                    " · "
                    {format!("Kec. {}", v.kecamatan)}
                    <br/>
                    <small class="code">{v.code}</small>
                    <small class="doc-id" title=doc.clone()>{doc.clone()}</small>
                </li>
            }
        })
        .collect_view();
    view! {
        <section id="home">
            <h2>{move || lang.text("Desa Migran Produktif Kabupaten Malang", "Productive Migrant Villages of Malang Regency")}</h2>
            <ul class="villages">{villages}</ul>
        </section>
    }
}
