//! Receiving callbacks: signature verification and typed events.
//!
//! The Conversation API posts a JSON callback to each webhook for the triggers it subscribes to.
//! When the webhook has a `secret`, every callback is signed (see [`verify`]). Handling one takes
//! two framework-neutral steps on the raw body bytes, or one with a [`Receiver`]:
//!
//! 1. [`verify`] the signature headers against the body, exactly as received;
//! 2. [`parse`] the body into a typed [`Event`].
//!
//! ```
//! use chrono::Utc;
//! use sinch_conversation::webhooks::{self, Event, Receiver};
//!
//! // What the API would send (here signed by this crate, for the example).
//! let body = br#"{"app_id":"APP","project_id":"PROJ","accepted_time":"2024-05-01T10:00:00Z",
//!     "message":{"id":"MSG","direction":"TO_APP","contact_id":"CONTACT",
//!     "channel_identity":{"channel":"SMS","identity":"46700000001"},
//!     "contact_message":{"text_message":{"text":"Hello"}}}}"#;
//! let now = Utc::now().timestamp();
//! let headers = webhooks::sign_headers("my-secret", body, "nonce", now);
//!
//! // Two steps...
//! webhooks::verify(&headers, body, "my-secret", Utc::now())?;
//! let event = webhooks::parse(body)?;
//! // ...or one.
//! let event2 = Receiver::new("my-secret").receive(&headers, body, Utc::now())?;
//! assert_eq!(event, event2);
//!
//! match event {
//!     Event::MessageInbound(cb) => {
//!         let text = cb.payload.contact_message.as_ref().and_then(|m| m.as_text());
//!         assert_eq!(text, Some("Hello"));
//!         assert_eq!(cb.envelope.app_id.as_deref(), Some("APP"));
//!     }
//!     Event::Unknown(unknown) => println!("not handled yet: {}", unknown.raw),
//!     other => println!("{:?}", other.trigger()),
//! }
//! # Ok::<(), webhooks::Error>(())
//! ```
//!
//! With the `axum` feature, the extractor `webhooks::axum::VerifiedEvent` does both in one step.

#[cfg(feature = "axum")]
pub mod axum;
pub mod events;
mod parse;
mod signature;

use chrono::{DateTime, Utc};

pub use events::{Callback, Envelope, Event, UnknownEvent};
pub use parse::{
    DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_DEPTH, MAX_DEPTH_LIMIT, ParseError, Parser, parse,
};
pub use signature::{
    ALGORITHM, ALGORITHM_HEADER, DEFAULT_TOLERANCE, HeaderLookup, NONCE_HEADER, SIGNATURE_HEADER,
    SignatureError, TIMESTAMP_HEADER, Verifier, WebhookSecret, sign, sign_headers, verify,
};

/// Why a callback was not accepted: a bad signature or a bad body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The signature headers do not prove the callback comes from the API.
    #[error("rejected callback signature: {0}")]
    Signature(#[from] SignatureError),
    /// The body is not a callback.
    #[error("malformed callback body: {0}")]
    Parse(#[from] ParseError),
}

/// Verifies and parses callbacks in one step: a [`Verifier`] and a [`Parser`].
///
/// ```
/// use std::time::Duration;
/// use chrono::{TimeZone, Utc};
/// use sinch_conversation::webhooks::{Error, Receiver, SignatureError, sign_headers};
///
/// let receiver = Receiver::new("my-secret")
///     .with_tolerance(Duration::from_secs(60))
///     .with_max_body_size(1 << 20);
/// let body = br#"{"app_id":"A","project_id":"P","opt_out_notification":{"status":"OPT_OUT_SUCCEEDED"}}"#;
/// let headers = sign_headers("my-secret", body, "n", 1_700_000_000);
///
/// let later = Utc.timestamp_opt(1_700_000_000 + 61, 0).unwrap();
/// assert!(matches!(
///     receiver.receive(&headers, body, later),
///     Err(Error::Signature(SignatureError::TimestampOutsideTolerance { .. }))
/// ));
/// ```
#[derive(Clone, Debug)]
pub struct Receiver {
    verifier: Verifier,
    parser: Parser,
}

impl Receiver {
    /// A receiver for `secret` with the default tolerance and parsing limits.
    pub fn new(secret: impl Into<WebhookSecret>) -> Self {
        Self {
            verifier: Verifier::new(secret),
            parser: Parser::default(),
        }
    }

    /// Sets the replay tolerance (see [`Verifier::with_tolerance`]).
    pub fn with_tolerance(mut self, tolerance: std::time::Duration) -> Self {
        self.verifier = self.verifier.with_tolerance(tolerance);
        self
    }

    /// Sets the largest body accepted (see [`Parser::with_max_body_size`]).
    pub fn with_max_body_size(mut self, bytes: usize) -> Self {
        self.parser = self.parser.with_max_body_size(bytes);
        self
    }

    /// Sets the deepest nesting accepted (see [`Parser::with_max_depth`]).
    pub fn with_max_depth(mut self, depth: usize) -> Self {
        self.parser = self.parser.with_max_depth(depth);
        self
    }

    /// The signature verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The body parser.
    pub fn parser(&self) -> &Parser {
        &self.parser
    }

    /// Verifies the signature of a callback, then parses it; `now` is the clock.
    ///
    /// A body over the size limit is rejected before any MAC is computed.
    pub fn receive<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Event, Error> {
        if body.len() > self.parser.max_body_size() {
            return Err(ParseError::TooLarge {
                limit: self.parser.max_body_size(),
            }
            .into());
        }
        self.verifier.verify(headers, body, now)?;
        Ok(self.parser.parse(body)?)
    }
}

impl From<Verifier> for Receiver {
    fn from(verifier: Verifier) -> Self {
        Self {
            verifier,
            parser: Parser::default(),
        }
    }
}

impl From<WebhookSecret> for Receiver {
    fn from(secret: WebhookSecret) -> Self {
        Self::new(secret)
    }
}
