#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod auth;
pub mod client;
pub mod config;
pub mod error;
mod generated;
pub mod region;
pub mod retry;
mod tls;

pub use auth::{AuthError, AuthScheme};
pub use client::{ClientState, DEFAULT_PROJECT};
pub use config::{ClientBuilder, ConfigError, DEFAULT_USER_AGENT};
pub use error::{ApiError, Error, Result};
pub use generated::{Client, builder};
pub use progenitor_client::ResponseValue;
pub use region::Region;
/// The HTTP client crate the client is built on (for `Proxy`, `StatusCode`, a custom `Client`).
pub use reqwest;
pub use retry::RetryPolicy;

/// The error every generated operation's `send()` returns (progenitor's error with the API's
/// error body); `?` converts it into [`Error`].
pub type OperationError = progenitor_client::Error<types::RuntimeError>;

/// Models of the API: every schema of the spec, with open enums for its string enums.
pub mod types {
    pub use crate::generated::open_enums::*;
    pub use crate::generated::types::*;
}
