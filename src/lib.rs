#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod generated;
pub mod client;

pub use generated::{Client, builder, types};
pub use progenitor_client::{Error, ResponseValue};
