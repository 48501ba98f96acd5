//! The record types of a village document, one file each: the stored struct, its choices and
//! its declaration ([`crate::Described`]).

mod activity;
mod business;
mod case;
mod child;
mod consultation;
mod cooperative;
mod distinct;
mod episode;
mod person;
mod training;

pub use activity::*;
pub use business::*;
pub use case::*;
pub use child::*;
pub use consultation::*;
pub use cooperative::*;
pub use distinct::*;
pub use episode::*;
pub use person::*;
pub use training::*;
