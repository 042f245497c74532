//! Sinch regions and their base URLs.
//!
//! Data stays in the region it is sent to, so the client never picks one silently.

use std::{fmt, str::FromStr};

use crate::error::ConfigError;

/// A Sinch Conversation API region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// United States: `https://us.conversation.api.sinch.com`.
    Us,
    /// European Union: `https://eu.conversation.api.sinch.com`.
    Eu,
    /// Brazil: `https://br.conversation.api.sinch.com`.
    Br,
}

impl Region {
    /// Every region, for listing in messages and docs.
    pub const ALL: [Region; 3] = [Region::Us, Region::Eu, Region::Br];

    /// The short name used in URLs and in `SINCH_REGION` (`us`, `eu`, `br`).
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Br => "br",
        }
    }

    /// Base URL of the Conversation API in this region.
    ///
    /// ```
    /// use sinch_conversation::Region;
    /// assert_eq!(Region::Eu.conversation_url(), "https://eu.conversation.api.sinch.com");
    /// ```
    pub fn conversation_url(self) -> String {
        format!("https://{}.conversation.api.sinch.com", self.as_str())
    }

    /// Base URL of the Template API (templates v2) in this region.
    pub fn template_url(self) -> String {
        format!("https://{}.template.api.sinch.com", self.as_str())
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Region {
    type Err = ConfigError;

    /// Case-insensitive: `us`, `EU`, `Br`.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Region::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(value.trim()))
            .ok_or_else(|| ConfigError::InvalidRegion(value.to_owned()))
    }
}
