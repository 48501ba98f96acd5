//! The app's shared state, provided once at the root: the session, the engine (documents and
//! sync), the village on screen, and a snapshot of it that follows every change.

use std::sync::Arc;

use desmigratif_model::VillageSnapshot;
use leptos::prelude::*;

use crate::engine::{Engine, Status};
use crate::session::{self, Session};

/// A snapshot shared between views; equal only to itself, so a new one always re-renders.
#[derive(Clone, Debug)]
pub struct Snap(pub Arc<VillageSnapshot>);

impl PartialEq for Snap {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Clone, Copy)]
pub struct AppContext {
    pub status: Status,
    pub session: RwSignal<Option<Session>>,
    /// The village document on screen.
    pub village: RwSignal<Option<String>>,
    engine: StoredValue<Option<Engine>, LocalStorage>,
    /// The village on screen, re-read whenever a document changes.
    pub snapshot: Memo<Option<Snap>>,
}

impl AppContext {
    /// Starts the engine for a session (after login, or at start with a saved session).
    pub fn start(&self, s: Session) {
        self.session.set(Some(s.clone()));
        if self.village.get_untracked().is_none() {
            self.village.set(s.villages().first().map(|g| g.doc_id.clone()));
        }
        let (status, engine_slot) = (self.status, self.engine);
        leptos::task::spawn_local(async move {
            match Engine::start(s, status).await {
                Ok(engine) => {
                    engine_slot.set_value(Some(engine));
                    // The stored engine is not a signal: tell the views it is there.
                    status.version.update(|v| *v += 1);
                }
                Err(e) => status.storage_error.set(Some(e)),
            }
        });
    }

    /// Logs the same account in again (its token expired or was revoked) without touching the
    /// device's documents.
    pub fn renew(&self, s: Session) {
        session::save(&s);
        self.session.set(Some(s.clone()));
        match self.engine() {
            Some(engine) => engine.renew(s),
            None => self.start(s),
        }
    }

    pub fn engine(&self) -> Option<Engine> {
        self.engine.with_value(Clone::clone)
    }

    /// Ends the session and removes its data from the device.
    pub async fn logout(&self) -> Result<(), String> {
        if let Some(engine) = self.engine() {
            engine.forget_everything().await?;
        }
        self.engine.set_value(None);
        session::clear();
        self.session.set(None);
        self.village.set(None);
        self.status.ready.set(false);
        Ok(())
    }
}

/// Provides the app context; starts the engine if a session is saved on the device.
pub fn provide_app() -> AppContext {
    let status = Status::new();
    let engine: StoredValue<Option<Engine>, LocalStorage> = StoredValue::new_local(None);
    let village = RwSignal::new(None::<String>);
    let snapshot = Memo::new(move |_| {
        status.version.track();
        status.ready.track();
        let id = village.get()?;
        let snap = engine.with_value(|e| e.as_ref().and_then(|e| e.snapshot(&id)))?;
        Some(Snap(Arc::new(snap)))
    });
    let ctx = AppContext {
        status,
        session: RwSignal::new(None),
        village,
        engine,
        snapshot,
    };
    provide_context(ctx);
    if let Some(saved) = session::load() {
        ctx.start(saved);
    }
    ctx
}

pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}
