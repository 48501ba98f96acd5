//! The UI language: Bahasa Indonesia first, English on request.

use desmigratif_model::Lang;
use leptos::prelude::*;

/// The chosen language, shared by every component.
#[derive(Clone, Copy, Debug)]
pub struct Language(pub RwSignal<Lang>);

impl Language {
    /// The text in the chosen language.
    pub fn text(&self, id: &'static str, en: &'static str) -> &'static str {
        match self.0.get() {
            Lang::Id => id,
            Lang::En => en,
        }
    }
}

/// Provides the language context (Bahasa Indonesia by default) and returns it.
pub fn provide_language() -> Language {
    let lang = Language(RwSignal::new(Lang::Id));
    provide_context(lang);
    lang
}

/// The language context provided by [`provide_language`].
pub fn use_language() -> Language {
    expect_context::<Language>()
}
