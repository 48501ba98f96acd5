//! The app's shared state, provided once at the root: the session, the engine (documents and
//! sync), and the village on screen. Views read a village through [`AppContext::with_village`],
//! which tracks only that village's change signal.

use leptos::prelude::*;

use desmigratif_model::{Collection, FieldConflict, RecordId, Reference};

use crate::engine::{Engine, Status};
use crate::replica::VillageView;
use crate::session::{self, Erased, Session};
use crate::storage::DocStorage;
use crate::vault::{self, Vault, VaultError};

/// Whether the app's records can be seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    /// Unlocked, or nothing to lock (no session; a partner or the administrator keeps no
    /// records).
    Open,
    /// The PIN is asked: at opening, and after the idle time.
    Locked,
    /// A PIN is to be chosen: after the first login on this device, or at the first start of
    /// a version with the vault on a device whose records were kept in the clear.
    Setup,
}

#[derive(Clone, Copy)]
pub struct AppContext {
    pub status: Status,
    pub session: RwSignal<Option<Session>>,
    /// The village document on screen.
    pub village: RwSignal<Option<String>>,
    pub lock: RwSignal<Lock>,
    engine: StoredValue<Option<Engine>, LocalStorage>,
    vault: StoredValue<Option<Vault>, LocalStorage>,
}

impl AppContext {
    /// Starts the engine for a session (after login, or at start with a saved session); for an
    /// account with documents, once the vault is open (else the PIN is asked or chosen first).
    pub fn start(&self, s: Session) {
        session::use_token(Some(&s.token));
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
        let Some(vault) = self.vault.get_value() else {
            self.lock.set(if vault::exists(&s.username) {
                Lock::Locked
            } else {
                Lock::Setup
            });
            return;
        };
        let (status, engine_slot) = (self.status, self.engine);
        leptos::task::spawn_local(async move {
            match Engine::start(s, status, vault).await {
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
        session::use_token(Some(&s.token));
        self.keep_session(&s);
        self.session.set(Some(s.clone()));
        match self.engine() {
            Some(engine) => engine.renew(s),
            None => self.start(s),
        }
    }

    /// Keeps the session on the device: the token sealed when the vault is open.
    fn keep_session(&self, s: &Session) {
        match self.vault.get_value() {
            Some(vault) => {
                let s = s.clone();
                let status = self.status;
                leptos::task::spawn_local(async move {
                    if let Err(e) = session::save_sealed(&s, &vault).await {
                        status.storage_error.set(Some(format!("{e:?}")));
                    }
                });
            }
            None if !s.has_documents() => session::save(s),
            // Kept once the PIN is chosen.
            None => {}
        }
    }

    /// A new login on this device (not the same account again): for an account with documents
    /// the PIN is chosen before anything is kept. A vault left by an earlier session of the
    /// same account (its records unreadable without that PIN) goes, with its records.
    pub async fn begin(&self, s: Session) {
        if s.has_documents() && vault::exists(&s.username) {
            if let Ok(storage) = DocStorage::open_locked().await {
                for g in &s.documents {
                    let _ = storage.remove_doc(&g.doc_id).await;
                }
            }
            vault::forget(&s.username);
        }
        self.keep_session(&s);
        self.start(s);
    }

    /// Chooses the PIN (`Lock::Setup`): makes the account's vault, seals what the device kept
    /// in the clear (records of a version before the vault) and the token, then starts.
    pub async fn set_pin(&self, pin: &str) -> Result<(), VaultError> {
        let Some(s) = self.session.get_untracked() else {
            return Err(VaultError::Missing);
        };
        crate::mark("desmigratif:pin-chosen");
        let vault = Vault::create(&s.username, pin).await?;
        crate::mark("desmigratif:vault-made");
        let storage = DocStorage::open(vault.clone())
            .await
            .map_err(|e| VaultError::Crypto(e.0))?;
        storage
            .seal_plaintext()
            .await
            .map_err(|e| VaultError::Crypto(e.0))?;
        session::save_sealed(&s, &vault).await?;
        self.vault.set_value(Some(vault));
        self.lock.set(Lock::Open);
        self.start(s);
        Ok(())
    }

    /// Opens the vault with `pin` (`Lock::Locked`): at opening, starts the engine; after the
    /// idle time, shows the screens again as they were.
    pub async fn unlock(&self, pin: &str) -> Result<(), VaultError> {
        let Some(s) = self.session.get_untracked() else {
            return Err(VaultError::Missing);
        };
        crate::mark("desmigratif:unlock-start");
        let vault = Vault::unlock(&s.username, pin).await?;
        crate::mark("desmigratif:unlocked");
        if self.engine().is_some() {
            self.lock.set(Lock::Open);
            return Ok(());
        }
        let s = session::open_token(s, &vault).await?;
        self.vault.set_value(Some(vault));
        self.lock.set(Lock::Open);
        self.start(s);
        Ok(())
    }

    /// Locks the screens (idle), if there is anything to lock.
    pub fn lock_now(&self) {
        if self.lock.get_untracked() == Lock::Open && self.vault.with_value(Option::is_some) {
            self.lock.set(Lock::Locked);
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

    /// As [`Self::with_villages`] for every village this account holds, given with their
    /// grants (names, codes).
    pub fn with_account_villages<T>(
        &self,
        f: impl FnOnce(&[session::Grant], &[(&str, &VillageView)]) -> T,
    ) -> Option<T> {
        let grants = self.session.get().map(|s| s.villages()).unwrap_or_default();
        let ids: Vec<String> = grants.iter().map(|g| g.doc_id.clone()).collect();
        self.with_villages(&ids, |views| f(&grants, views))
    }

    /// The district document this account reads (a village's district) or keeps (a district
    /// office's), and whether this account may edit it.
    pub fn district_doc(&self) -> Option<(String, bool)> {
        self.session.with(|s| {
            s.as_ref()?
                .documents
                .iter()
                .find(|g| g.kind == desmigratif_model::DocKind::District)
                .map(|g| (g.doc_id.clone(), g.access.can_write()))
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

    /// A record of the village on screen with its fields holding concurrent values, read from
    /// the documents' worker after each change of the village (`None` until known). The
    /// record's id comes from `id`, tracked.
    pub fn conflicts(
        &self,
        collection: Collection,
        id: impl Fn() -> Option<RecordId> + 'static,
    ) -> ReadSignal<Option<Vec<FieldConflict>>> {
        let out = RwSignal::new(None);
        let app = *self;
        Effect::new(move |_| {
            let id = id()?;
            let marked = app.with_village(|v| v.snapshot.has_conflict(collection, &id))?;
            let doc = app.village.get()?;
            let engine = app.engine()?;
            if !marked {
                out.set(Some(Vec::new()));
                return Some(());
            }
            // The worker answers in order: the last answer is the newest.
            leptos::task::spawn_local(async move {
                out.set(Some(engine.conflicts(&doc, collection, &id).await));
            });
            Some(())
        });
        out.read_only()
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
        if let Some(s) = self.session.get_untracked() {
            vault::forget(&s.username);
        }
        self.vault.set_value(None);
        session::use_token(None);
        session::remove_item(crate::pages::partner::STORED);
        session::clear();
        self.session.set(None);
        self.village.set(None);
        self.status.ready.set(false);
        Ok(())
    }
}

impl AppContext {
    /// Erases the account's documents and everything else the app keeps, unsent changes
    /// included, then starts afresh at the login page, which says why: the office revoked this
    /// device, too many wrong PINs, or a forgotten PIN. Works locked too (no PIN needed to
    /// remove).
    pub async fn erase(&self, because: Erased) {
        let kept = self.session.get_untracked();
        let username = kept.as_ref().map(|s| s.username.clone()).unwrap_or_default();
        if self.engine().is_none()
            && let (Some(s), Ok(storage)) = (&kept, DocStorage::open_locked().await)
        {
            for g in &s.documents {
                if let Err(e) = storage.remove_doc(&g.doc_id).await {
                    self.status.storage_error.set(Some(e.0));
                }
            }
        }
        if let Err(e) = self.logout().await {
            self.status.storage_error.set(Some(e));
        }
        session::erase_kept(&username, because);
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
        lock: RwSignal::new(Lock::Open),
        engine: StoredValue::new_local(None),
        vault: StoredValue::new_local(None),
    };
    provide_context(ctx);
    if let Some(saved) = session::load() {
        ctx.start(saved);
    }
    Effect::new(move |_| {
        if ctx.status.device_revoked.get() {
            leptos::task::spawn_local(async move { ctx.erase(Erased::Revoked).await });
        }
    });
    ctx
}

pub fn use_app() -> AppContext {
    expect_context::<AppContext>()
}
