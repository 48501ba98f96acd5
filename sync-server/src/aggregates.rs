//! `GET /api/aggregates`: a district's figures for partners (a bank, an association) and the
//! district office: live persons by village, category, destination country and sex, each cell
//! under five persons shown as "<5" (and, where one small cell could be had from a village's
//! total, the next smallest as "*"). No document, name, NIK or record id ever leaves here.
//!
//! Figures are computed through the model crate from the documents the relay holds, and kept
//! per document with the heads they reflect, so a request recounts only villages that changed.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use desmigratif_model::{CellKey, DistrictCode, Shown, VillageDoc, suppress};
use serde::Serialize;

use crate::accounts::Role;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct Aggregates {
    pub district: Place,
    /// Cells under this many persons are not shown as numbers.
    pub suppressed_below: usize,
    pub villages: Vec<VillageFigures>,
}

#[derive(Debug, Serialize)]
pub struct Place {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct VillageFigures {
    pub code: String,
    pub name: String,
    /// Live persons recorded, suppressed like a cell.
    pub persons: Shown,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Serialize)]
pub struct Cell {
    /// `Cpmi`, `Pmi`, `PurnaPmi`, `Keluarga`, `Deceased` or `Resident`.
    pub category: desmigratif_model::Category,
    /// Empty for categories without a stay abroad.
    pub country: String,
    /// `Female`, `Male`, or null when not recorded.
    pub sex: Option<desmigratif_model::Sex>,
    pub persons: Shown,
}

use crate::api::error as refuse;

pub async fn aggregates(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let session = match crate::api::authenticate(&state, &headers) {
        Ok((_, s)) => s,
        Err(e) => return e.into_response(),
    };
    let account = session.account;
    let district = match (account.role, account.scope.as_deref()) {
        (Role::Partner | Role::District, Some(scope)) => match scope.parse::<DistrictCode>() {
            Ok(d) => d,
            Err(_) => return refuse(StatusCode::FORBIDDEN, "this account has no district"),
        },
        _ => {
            return refuse(
                StatusCode::FORBIDDEN,
                "aggregate figures are for partner and district accounts",
            );
        }
    };
    match figures(&state, &district).await {
        Ok(body) => Json(body).into_response(),
        Err(e) => crate::AppError::Internal(e).into_response(),
    }
}

async fn figures(state: &AppState, district: &DistrictCode) -> anyhow::Result<Aggregates> {
    let villages: Vec<_> = state
        .db
        .villages()?
        .into_iter()
        .filter(|v| &v.code.district() == district)
        .collect();
    let mut out = Vec::new();
    for v in villages {
        let cells = village_cells(state, &v.doc_id.to_string()).await?;
        let total: usize = cells.values().sum();
        let persons = suppress(&BTreeMap::from([((), total)]))
            .remove(&())
            .unwrap_or(Shown::Count(0));
        let cells = suppress(&cells)
            .into_iter()
            .map(|(k, persons)| Cell {
                category: k.category,
                country: k.country,
                sex: k.sex,
                persons,
            })
            .collect();
        out.push(VillageFigures {
            code: v.code.to_string(),
            name: v.name,
            persons,
            cells,
        });
    }
    Ok(Aggregates {
        district: Place {
            code: district.to_string(),
            name: crate::regions::name(district.as_str())
                .unwrap_or(district.as_str())
                .to_owned(),
        },
        suppressed_below: desmigratif_model::SUPPRESS_BELOW,
        villages: out,
    })
}

/// A village document's cells as the relay holds it now: recounted only when its heads moved.
/// A document the relay does not hold yet counts nobody.
async fn village_cells(state: &AppState, doc_id: &str) -> anyhow::Result<BTreeMap<CellKey, usize>> {
    let id: samod::DocumentId = doc_id
        .parse()
        .map_err(|_| anyhow::anyhow!("a registered village has an invalid document id"))?;
    let Some(handle) = state.sync.repo_for(doc_id).find(id).await? else {
        return Ok(BTreeMap::new());
    };
    let cache = state.figures.clone();
    let key = doc_id.to_owned();
    tokio::task::spawn_blocking(move || {
        let heads = handle.with_document(|d| d.get_heads());
        if let Some((at, cells)) = cache.by_doc.lock().unwrap_or_else(|p| p.into_inner()).get(&key)
            && *at == heads
        {
            return Ok(cells.clone());
        }
        let (heads, bytes) = handle.with_document(|d| (d.get_heads(), d.save()));
        let cells = VillageDoc::load(&bytes)?.snapshot().partner_cells();
        cache
            .by_doc
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, (heads, cells.clone()));
        Ok(cells)
    })
    .await?
}
