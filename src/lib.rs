#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod auth;
pub mod client;
pub mod error;
pub mod field_mask;
mod generated;
pub mod messages;
pub mod pagination;
pub mod region;
pub mod retry;
pub mod webhooks;

pub use auth::{Credentials, DEFAULT_TOKEN_URL};
pub use client::{ClientBuilder, ClientState};
pub use generated::{Client, builder, field_paths};
pub use progenitor_client::{ClientInfo, Error as GeneratedError, ResponseValue};
pub use region::Region;

/// Models of the API: every schema of the spec, with open enums for its string enums.
pub mod types {
    pub use crate::generated::open_enums::*;
    pub use crate::generated::types::*;
}
