#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod auth;
pub mod body;
mod carry;
pub mod client;
pub mod config;
pub mod error;
pub mod field_mask;
mod generated;
pub mod messages;
mod models;
pub mod pagination;
pub mod path;
mod redact;
pub mod region;
pub mod retry;
mod secret;
mod tls;
pub mod webhooks;

pub use auth::{AuthError, AuthScheme, DEFAULT_TOKEN_URL};
pub use body::{BodyTooLarge, DEFAULT_MAX_RESPONSE_BODY};
pub use client::ClientState;
pub use config::{ClientBuilder, DEFAULT_USER_AGENT};
pub use error::{ApiError, ConfigError, Error, Result};
#[doc(hidden)]
pub use generated::path_probe;
pub use generated::{Client, builder, field_paths, operations};
pub use path::PathParameterError;
pub use progenitor_client::{ClientInfo, Error as GeneratedError, ResponseValue};
pub use region::Region;
/// The HTTP client crate the client is built on (for `Proxy`, `StatusCode`, a custom `Client`).
pub use reqwest;
pub use retry::RetryPolicy;
pub use secret::Secret;

/// Models of the API: every schema of the spec, with open enums for its string enums and keyed
/// enums for its one-of-several-kinds schemas.
pub mod types {
    pub use crate::generated::one_ofs::*;
    pub use crate::generated::open_enums::*;
    pub use crate::generated::types::*;
}
