//! The record types of a village document, one file each: the stored struct, its choices and
//! its declaration ([`crate::Described`]).

mod case;
mod consultation;
mod episode;
mod person;

pub use case::*;
pub use consultation::*;
pub use episode::*;
pub use person::*;
