#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod client;
mod generated;
pub mod webhooks;

pub use generated::{Client, builder};
pub use progenitor_client::{Error, ResponseValue};

/// Models of the API: every schema of the spec, with open enums for its string enums.
pub mod types {
    pub use crate::generated::open_enums::*;
    pub use crate::generated::types::*;
}
