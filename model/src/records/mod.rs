//! The record types of a village document, one file each: the stored struct, its choices and
//! its declaration ([`crate::Described`]).

mod episode;
mod person;

pub use episode::*;
pub use person::*;
