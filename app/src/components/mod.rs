//! Reusable pieces of the UI.

pub mod conflict_dialog;
pub mod download;
pub mod field;
pub mod language_switch;
pub mod record_parts;
pub mod sync_status;
pub mod update_banner;

/// Asks the browser's yes/no question; `unanswered` when there is no window to ask in.
pub fn confirm(question: &str, unanswered: bool) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(unanswered)
}
