//! Parsing callback bodies into [`Event`]s, with limits on size and nesting.

use serde::Deserialize as _;

use super::events::{self, Envelope, Event, UnknownEvent};

/// The body size [`Parser`] accepts unless configured otherwise: 1 MiB.
///
/// Sinch callbacks carry media as URLs, so real ones are a few KiB; a body of several MB is
/// refused before any parsing or MAC work. Raise it with [`Parser::with_max_body_size`].
pub const DEFAULT_MAX_BODY_SIZE: usize = 1024 * 1024;
/// The nesting depth (objects and arrays) [`Parser`] accepts unless configured otherwise.
pub const DEFAULT_MAX_DEPTH: usize = 64;
/// The deepest nesting a [`Parser`] can be configured to accept (`serde_json` stops at 128).
pub const MAX_DEPTH_LIMIT: usize = 127;

/// Why a callback body could not be parsed. Each check has its own variant.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The body is larger than the configured limit.
    #[error("the callback body exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body is not UTF-8.
    #[error("the callback body is not UTF-8 (invalid byte at offset {valid_up_to})")]
    InvalidUtf8 {
        /// The length of the valid UTF-8 prefix.
        valid_up_to: usize,
    },
    /// Objects and arrays nest deeper than the configured limit.
    #[error("the callback body nests objects and arrays deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// The body is not valid JSON.
    #[error("the callback body is not valid JSON: {0}")]
    InvalidJson(#[source] serde_json::Error),
    /// The body is JSON, but not an object.
    #[error("the callback body is a JSON {found}, not an object")]
    NotAnObject {
        /// What it is instead: `null`, `boolean`, `number`, `string` or `array`.
        found: &'static str,
    },
    /// An envelope field (`app_id`, `accepted_time`, ...) has the wrong type or format.
    #[error("an envelope field of the callback is malformed: {0}")]
    InvalidEnvelope(#[source] serde_json::Error),
    /// The payload of a known trigger does not have the documented shape.
    #[error("the `{field}` payload of the callback is malformed: {source}")]
    InvalidPayload {
        /// The payload field, such as `message_delivery_report`.
        field: &'static str,
        /// What serde found wrong.
        #[source]
        source: serde_json::Error,
    },
}

/// Parses callback bodies, with configurable limits.
///
/// ```
/// use sinch_conversation::webhooks::{ParseError, Parser};
///
/// let parser = Parser::new().with_max_body_size(1024).with_max_depth(8);
/// assert!(parser.parse(br#"{"app_id":"A","project_id":"P"}"#).is_ok());
/// assert!(matches!(
///     parser.parse(&[b' '; 2048]),
///     Err(ParseError::TooLarge { limit: 1024 })
/// ));
/// assert!(matches!(
///     parser.parse(br#"{"a":[[[[[[[[[[]]]]]]]]]]}"#),
///     Err(ParseError::TooDeep { limit: 8 })
/// ));
/// ```
#[derive(Clone, Debug)]
pub struct Parser {
    max_body_size: usize,
    max_depth: usize,
}

impl Default for Parser {
    fn default() -> Self {
        Self {
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

impl Parser {
    /// A parser with the default limits ([`DEFAULT_MAX_BODY_SIZE`], [`DEFAULT_MAX_DEPTH`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the largest body accepted, in bytes.
    pub fn with_max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// Sets the deepest nesting of objects and arrays accepted (at most [`MAX_DEPTH_LIMIT`]).
    pub fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth.min(MAX_DEPTH_LIMIT);
        self
    }

    /// The largest body accepted, in bytes.
    pub fn max_body_size(&self) -> usize {
        self.max_body_size
    }

    /// The deepest nesting accepted.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// Parses a callback body (the raw bytes as received) into an [`Event`].
    ///
    /// The trigger is recognised by the payload field present; a body with none of the known
    /// payload fields becomes [`Event::Unknown`]. Unknown fields are ignored.
    pub fn parse(&self, body: &[u8]) -> Result<Event, ParseError> {
        if body.len() > self.max_body_size {
            return Err(ParseError::TooLarge {
                limit: self.max_body_size,
            });
        }
        let text = std::str::from_utf8(body).map_err(|e| ParseError::InvalidUtf8 {
            valid_up_to: e.valid_up_to(),
        })?;
        if nests_deeper_than(text.as_bytes(), self.max_depth) {
            return Err(ParseError::TooDeep {
                limit: self.max_depth,
            });
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            // Unreachable while `max_depth` stays below serde_json's own limit; typed regardless.
            if e.to_string().starts_with("recursion limit exceeded") {
                ParseError::TooDeep {
                    limit: self.max_depth,
                }
            } else {
                ParseError::InvalidJson(e)
            }
        })?;
        let map = match &value {
            serde_json::Value::Object(map) => map,
            other => {
                return Err(ParseError::NotAnObject {
                    found: json_kind(other),
                });
            }
        };
        let envelope = Envelope::deserialize(&value).map_err(ParseError::InvalidEnvelope)?;
        for &field in events::PAYLOAD_FIELDS {
            match map.get(field) {
                None | Some(serde_json::Value::Null) => continue,
                Some(payload) => {
                    if let Some(event) = events::from_parts(field, envelope.clone(), payload) {
                        return event
                            .map_err(|source| ParseError::InvalidPayload { field, source });
                    }
                }
            }
        }
        Ok(Event::Unknown(UnknownEvent {
            envelope,
            raw: value,
        }))
    }
}

/// Parses a callback body with the default limits. See [`Parser::parse`].
///
/// ```
/// use sinch_conversation::webhooks::{Event, ParseError, parse};
///
/// let event = parse(br#"{"app_id":"A","project_id":"P","some_future_notification":{}}"#).unwrap();
/// assert!(matches!(event, Event::Unknown(_)));
/// assert!(matches!(parse(b"[1,2]"), Err(ParseError::NotAnObject { found: "array" })));
/// assert!(matches!(parse(b"\xff"), Err(ParseError::InvalidUtf8 { valid_up_to: 0 })));
/// ```
pub fn parse(body: &[u8]) -> Result<Event, ParseError> {
    Parser::default().parse(body)
}

/// Whether objects and arrays nest deeper than `limit`, ignoring brackets inside strings.
fn nests_deeper_than(text: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in text {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}
