//! The UI language: Bahasa Indonesia first, English on request; the choice is kept on the
//! device.

use desmigratif_model::Lang;
use leptos::prelude::*;

const LANG_KEY: &str = "desmigratif.lang";

/// The chosen language, shared by every component.
#[derive(Clone, Copy, Debug)]
pub struct Language(pub RwSignal<Lang>);

impl Language {
    /// The text, written in Indonesian, in the chosen language (from the locale files,
    /// [`desmigratif_model::locale`]).
    pub fn text(&self, id: &'static str) -> &'static str {
        desmigratif_model::locale::translate(self.0.get(), "", id)
    }

    /// A text with placeholders (`{name}`) in the chosen language, filled in.
    pub fn fill(&self, id: &'static str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        self.0.get().fill(id, args)
    }

    /// A declared text ([`desmigratif_model::Text`]) in the chosen language.
    pub fn tr(&self, text: desmigratif_model::Text) -> &'static str {
        text.get(self.0.get())
    }

    /// [`Self::text`] for an Indonesian text in one of its senses (the locale files' msgctxt).
    pub fn text_in(&self, ctx: &'static str, id: &'static str) -> &'static str {
        desmigratif_model::locale::translate(self.0.get(), ctx, id)
    }

    pub fn get(&self) -> Lang {
        self.0.get()
    }

    pub fn set(&self, lang: Lang) {
        self.0.set(lang);
        crate::session::set_item(LANG_KEY, lang.code());
    }
}

/// Provides the language context and returns it.
pub fn provide_language() -> Language {
    let saved = crate::session::get_item(LANG_KEY);
    let lang = Language(RwSignal::new(
        saved.as_deref().and_then(Lang::from_code).unwrap_or(Lang::Id),
    ));
    provide_context(lang);
    // The document's language follows the choice (screen readers and hyphenation read it).
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.get().code());
        }
    });
    lang
}

/// The language context provided by [`provide_language`].
pub fn use_language() -> Language {
    expect_context::<Language>()
}

/// A time (ms since the epoch) as `DD-MM-YYYY HH:MM WIB` in the device's zone, named as
/// Indonesians name theirs (WIB, WITA, WIT), so a time read elsewhere is not misread.
pub fn format_time_ms(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!(
        "{:02}-{:02}-{:04} {:02}:{:02} {}",
        d.get_date(),
        d.get_month() + 1,
        d.get_full_year(),
        d.get_hours(),
        d.get_minutes(),
        zone_name(-(d.get_timezone_offset() as i32))
    )
}

/// The name of a UTC offset in minutes: Indonesia's three zones, else `UTC+H`.
fn zone_name(minutes: i32) -> String {
    match minutes {
        420 => "WIB".into(),
        480 => "WITA".into(),
        540 => "WIT".into(),
        m if m % 60 == 0 => format!("UTC{:+}", m / 60),
        m => format!("UTC{:+}:{:02}", m / 60, (m % 60).abs()),
    }
}

/// A time (ms since the epoch) as `HH:MM:SS` in the device's zone.
pub fn format_clock_ms(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!(
        "{:02}:{:02}:{:02}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// Today's date on the device's calendar.
pub fn today() -> desmigratif_model::Date {
    let d = js_sys::Date::new_0();
    desmigratif_model::Date::new(
        d.get_full_year() as u16,
        d.get_month() as u8 + 1,
        d.get_date() as u8,
    )
    .expect("the device's calendar gives a real date")
}

/// What a record removed because the person moved says instead of "deleted".
pub fn moved_to_text(village: &str, lang: desmigratif_model::Lang) -> String {
    lang.fill("pindah ke {village}", &[("village", &village)])
}
