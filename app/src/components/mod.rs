//! Reusable pieces of the UI.

pub mod conflict_dialog;
pub mod field;
pub mod language_switch;
pub mod sync_status;
pub mod update_banner;
