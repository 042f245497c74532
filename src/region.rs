//! The regions the Conversation API is served from, and their base URLs.

use std::{fmt, str::FromStr};

use crate::error::ConfigError;

/// A region of the Conversation API.
///
/// Data stays in the region a project was created in, so the crate has no default region:
/// pick one (or give an explicit base URL) when building the client.
///
/// ```
/// use sinch_conversation::Region;
///
/// let region: Region = "eu".parse()?;
/// assert_eq!(region, Region::Eu);
/// assert_eq!(region.base_url(), "https://eu.conversation.api.sinch.com");
/// # Ok::<(), sinch_conversation::ConfigError>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    /// United States: `https://us.conversation.api.sinch.com`.
    Us,
    /// European Union: `https://eu.conversation.api.sinch.com`.
    Eu,
    /// Brazil: `https://br.conversation.api.sinch.com`.
    Br,
}

impl Region {
    /// Every region, in documentation order.
    pub const ALL: [Region; 3] = [Region::Us, Region::Eu, Region::Br];

    /// The short name used in host names and in `SINCH_REGION` (`us`, `eu`, `br`).
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Br => "br",
        }
    }

    /// The base URL of the Conversation API in this region (no trailing slash).
    ///
    /// ```
    /// use sinch_conversation::Region;
    ///
    /// assert_eq!(Region::Br.base_url(), "https://br.conversation.api.sinch.com");
    /// ```
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Us => "https://us.conversation.api.sinch.com",
            Region::Eu => "https://eu.conversation.api.sinch.com",
            Region::Br => "https://br.conversation.api.sinch.com",
        }
    }

    /// The base URL of the Template API in this region, where the template operations go.
    ///
    /// ```
    /// use sinch_conversation::Region;
    ///
    /// assert_eq!(Region::Us.template_base_url(), "https://us.template.api.sinch.com");
    /// ```
    pub fn template_base_url(self) -> &'static str {
        match self {
            Region::Us => "https://us.template.api.sinch.com",
            Region::Eu => "https://eu.template.api.sinch.com",
            Region::Br => "https://br.template.api.sinch.com",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Region {
    type Err = ConfigError;

    /// Parses `us`, `eu` or `br`, ignoring case and surrounding whitespace.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let wanted = value.trim();
        Region::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| ConfigError::UnknownRegion {
                value: value.to_owned(),
            })
    }
}
