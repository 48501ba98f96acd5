//! The app's shared state, provided once at the root: the session, the engine (documents and
//! sync), and the village on screen. Views read a village through [`AppContext::with_village`],
//! which tracks only that village's change signal.

use leptos::prelude::*;

use desmigratif_model::Reference;

use crate::engine::{Engine, Status};
use crate::replica::VillageView;
use crate::session::{self, Session};

#[derive(Clone, Copy)]
pub struct AppContext {
    pub status: Status,
    pub session: RwSignal<Option<Session>>,
    /// The village document on screen.
    pub village: RwSignal<Option<String>>,
    engine: StoredValue<Option<Engine>, LocalStorage>,
}

impl AppContext {
    /// Starts the engine for a session (after login, or at start with a saved session).
    pub fn start(&self, s: Session) {
        self.session.set(Some(s.clone()));
        if self.village.get_untracked().is_none() {
            // The village chosen last time on this device, else the first.
            let villages = s.villages();
            let saved = session::get_item(&village_key(&s.username))
                .filter(|id| villages.iter().any(|g| &g.doc_id == id));
            self.village
                .set(saved.or_else(|| villages.first().map(|g| g.doc_id.clone())));
        }
        if !s.has_documents() {
            // No documents to keep or sync: the partner page asks the relay for its figures,
            // the administrator's page for its accounts.
            return;
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

    /// Puts a village on screen and remembers it for the next start.
    pub fn choose_village(&self, doc_id: String) {
        if let Some(s) = self.session.get_untracked() {
            session::set_item(&village_key(&s.username), &doc_id);
        }
        self.village.set(Some(doc_id));
    }

    /// Whether the engine has started, tracked: a form's save button stays disabled until it
    /// has (a save before it would have nowhere to go).
    pub fn engine_ready(&self) -> bool {
        self.status.version.track();
        self.engine.with_value(Option::is_some)
    }

    pub fn engine(&self) -> Option<Engine> {
        self.engine.with_value(Clone::clone)
    }

    /// Reads a village document's view, re-running the caller when that document changes (and
    /// only then); `None` before the engine started or the document arrived.
    pub fn with_doc<T>(&self, doc_id: &str, f: impl FnOnce(&VillageView) -> T) -> Option<T> {
        self.status.version.track();
        let engine = self.engine()?;
        engine.changed(doc_id)?.track();
        engine.with_view(doc_id, f)
    }

    /// As [`Self::with_doc`] for several villages at once (those that have arrived), re-running
    /// the caller when any of them changes.
    pub fn with_villages<T>(
        &self,
        doc_ids: &[String],
        f: impl FnOnce(&[(&str, &VillageView)]) -> T,
    ) -> Option<T> {
        self.status.version.track();
        let engine = self.engine()?;
        for id in doc_ids {
            if let Some(changed) = engine.changed(id) {
                changed.track();
            }
        }
        Some(engine.with_views(doc_ids, f))
    }

    /// The district document this account reads (a village's district) or keeps (a district
    /// office's), and whether this account may edit it.
    pub fn district_doc(&self) -> Option<(String, bool)> {
        self.session.with(|s| {
            s.as_ref()?
                .documents
                .iter()
                .find(|g| g.kind == "district")
                .map(|g| (g.doc_id.clone(), g.access == "read_write"))
        })
    }

    /// Reads the district's reference data, re-running the caller when it changes; `None`
    /// before the engine started or the document arrived.
    pub fn with_reference<T>(&self, f: impl FnOnce(&Reference) -> T) -> Option<T> {
        self.status.version.track();
        let (id, _) = self.district_doc()?;
        let engine = self.engine()?;
        engine.changed(&id)?.track();
        engine.with_reference(&id, f)
    }

    /// The persons of the village on screen with changes the relay has not confirmed, tracked
    /// (it changes with the village and with the count of unsent changes).
    pub fn unsent_persons(&self) -> std::collections::BTreeSet<desmigratif_model::RecordId> {
        self.status.unsynced.track();
        let Some(id) = self.village.get() else {
            return Default::default();
        };
        let Some(engine) = self.engine() else {
            return Default::default();
        };
        if let Some(changed) = engine.changed(&id) {
            changed.track();
        }
        engine.unsent_persons(&id)
    }

    /// As [`Self::with_doc`], for the village on screen.
    pub fn with_village<T>(&self, f: impl FnOnce(&VillageView) -> T) -> Option<T> {
        let id = self.village.get()?;
        self.with_doc(&id, f)
    }

    /// Ends the session and removes its data from the device.
    pub async fn logout(&self) -> Result<(), String> {
        if let Some(engine) = self.engine() {
            engine.forget_everything().await?;
        }
        self.engine.set_value(None);
        session::remove_item(crate::pages::partner::STORED);
        session::clear();
        self.session.set(None);
        self.village.set(None);
        self.status.ready.set(false);
        Ok(())
    }
}

impl AppContext {
    /// The office revoked this device: erase the account's documents and everything else the
    /// app keeps, unsent changes included, then start afresh at the login page, which says why.
    pub async fn erase_after_revocation(&self) {
        let username = self
            .session
            .get_untracked()
            .map(|s| s.username)
            .unwrap_or_default();
        if let Err(e) = self.logout().await {
            self.status.storage_error.set(Some(e));
        }
        session::erase_after_revocation(&username);
        self.status.device_revoked.set(false);
        if let Some(location) = web_sys::window().map(|w| w.location()) {
            let _ = location.replace("/");
        }
    }
}

fn village_key(username: &str) -> String {
    format!("desmigratif.village.{username}")
}

/// Provides the app context; starts the engine if a session is saved on the device.
pub fn provide_app() -> AppContext {
    let ctx = AppContext {
        status: Status::new(),
        session: RwSignal::new(None),
        village: RwSignal::new(None),
        engine: StoredValue::new_local(None),
    };
    provide_context(ctx);
    if let Some(saved) = session::load() {
        ctx.start(saved);
    }
    Effect::new(move |_| {
        if ctx.status.device_revoked.get() {
            leptos::task::spawn_local(async move { ctx.erase_after_revocation().await });
        }
    });
    ctx
}

pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}
