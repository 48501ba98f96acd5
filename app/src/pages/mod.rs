//! The app's pages.

pub mod accounts;
pub mod dashboard;
pub mod duplicates;
pub mod home;
pub mod import;
pub mod login;
pub mod partner;
pub mod person_detail;
pub mod person_form;
pub mod person_list;
pub mod pillars;
pub mod reference;
