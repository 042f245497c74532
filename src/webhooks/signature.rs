//! Callback signatures: `base64(HMAC-SHA256(secret, body "." nonce "." timestamp))`.
//!
//! When a webhook has a `secret`, the Conversation API signs every callback it sends and puts the
//! result in four headers ([`SIGNATURE_HEADER`], [`NONCE_HEADER`], [`TIMESTAMP_HEADER`],
//! [`ALGORITHM_HEADER`]). [`verify`] (or a configured [`Verifier`]) checks them against the raw
//! body bytes; [`sign`] and [`sign_headers`] produce them, for tests and emulators.

use std::{collections::HashMap, fmt, hash::BuildHasher, sync::Arc, time::Duration};

use base64::{Engine as _, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit as _, Mac as _};
use secrecy::{ExposeSecret as _, SecretString};
use sha2::Sha256;

/// Header carrying the base64 signature.
pub const SIGNATURE_HEADER: &str = "x-sinch-webhook-signature";
/// Header carrying the nonce that is part of the signed message.
pub const NONCE_HEADER: &str = "x-sinch-webhook-signature-nonce";
/// Header carrying the Unix time (seconds) that is part of the signed message.
pub const TIMESTAMP_HEADER: &str = "x-sinch-webhook-signature-timestamp";
/// Header naming the signature algorithm.
pub const ALGORITHM_HEADER: &str = "x-sinch-webhook-signature-algorithm";
/// The only algorithm the Conversation API uses, and the only one accepted.
pub const ALGORITHM: &str = "HmacSHA256";
/// How far a callback's timestamp may be from the verifier's clock, unless configured otherwise.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Longest signature header worth decoding: the base64 of a SHA-256 MAC is 44 characters.
const MAX_SIGNATURE_LEN: usize = 128;
/// Longest unsupported algorithm name kept in an error (the value comes from the sender).
const MAX_ALGORITHM_ECHO: usize = 64;

type HmacSha256 = Hmac<Sha256>;

/// Why a callback's signature was rejected. Each check has its own variant.
///
/// No variant carries the secret or the expected signature, so errors are safe to log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The configured secret is empty: anyone could forge a signature with it.
    #[error("the webhook secret is empty")]
    EmptySecret,
    /// A required signature header is absent.
    #[error("missing header `{name}`")]
    MissingHeader {
        /// The (lowercase) name of the absent header.
        name: &'static str,
    },
    /// A signature header (signature, nonce, timestamp or algorithm) appears more than once.
    ///
    /// The API sends each once. Checking only the first (or only the last) would let whoever
    /// added the other choose the outcome, so a callback carrying two is rejected whatever they
    /// hold.
    #[error("header `{name}` appears more than once")]
    DuplicateHeader {
        /// The (lowercase) name of the repeated header.
        name: &'static str,
    },
    /// The algorithm header names something other than `HmacSHA256`.
    #[error("unsupported signature algorithm `{algorithm}`, only `HmacSHA256` is supported")]
    UnsupportedAlgorithm {
        /// The algorithm the header names (lossily decoded, truncated to 64 characters).
        algorithm: String,
    },
    /// The timestamp header is not a Unix time in whole seconds.
    #[error("header `{TIMESTAMP_HEADER}` is not a Unix time in seconds")]
    InvalidTimestamp,
    /// The timestamp is further from the verifier's clock than the tolerance allows: the callback
    /// may be a replay.
    #[error(
        "callback timestamp {timestamp} is {} s away from now ({now}), beyond the tolerance of {} s",
        timestamp.abs_diff(*now),
        tolerance.as_secs()
    )]
    TimestampOutsideTolerance {
        /// The callback's timestamp (Unix seconds).
        timestamp: i64,
        /// The verifier's clock (Unix seconds).
        now: i64,
        /// The tolerance that was exceeded.
        tolerance: Duration,
    },
    /// The signature header is not standard, padded base64.
    #[error("header `{SIGNATURE_HEADER}` is not standard base64")]
    InvalidSignatureEncoding,
    /// The signature does not match the body, nonce, timestamp and secret.
    #[error("the signature does not match the callback")]
    SignatureMismatch,
}

/// A webhook secret: the key of the callback signatures.
///
/// Cheap to clone (shared), zeroed from memory when the last clone is dropped (it is a
/// [`SecretString`] inside), and its `Debug` output never shows the value.
///
/// ```
/// use sinch_conversation::webhooks::WebhookSecret;
///
/// let secret = WebhookSecret::new("foo_secret1234");
/// assert_eq!(format!("{secret:?}"), "WebhookSecret(***)");
/// assert_eq!(secret.expose_secret(), "foo_secret1234");
/// ```
#[derive(Clone)]
pub struct WebhookSecret(Arc<SecretString>);

impl WebhookSecret {
    /// Wraps a secret (the `secret` configured on the webhook).
    pub fn new(secret: impl Into<String>) -> Self {
        Self(Arc::new(SecretString::from(secret.into())))
    }

    /// The secret itself. Keep it out of logs.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

impl From<String> for WebhookSecret {
    fn from(secret: String) -> Self {
        Self::new(secret)
    }
}

impl From<SecretString> for WebhookSecret {
    fn from(secret: SecretString) -> Self {
        Self(Arc::new(secret))
    }
}

impl From<&str> for WebhookSecret {
    fn from(secret: &str) -> Self {
        Self::new(secret)
    }
}

/// Looks up request headers by name, ASCII case-insensitively.
///
/// Implemented for [`http::HeaderMap`] (axum, hyper, reqwest, ...), for slices, arrays and
/// vectors of `(name, value)` pairs, and for `HashMap<String, _>`, so [`verify`] works with any
/// framework: collect the headers into a `Vec<(String, String)>` if nothing else fits, keeping
/// every value of a repeated header (the verifier rejects a signature header sent twice, so it
/// must see both).
///
/// ```
/// use sinch_conversation::webhooks::HeaderLookup;
///
/// let headers = [("X-Sinch-Webhook-Signature-Nonce", "abc"), ("x-sinch-webhook-signature-nonce", "def")];
/// assert_eq!(headers.header("x-sinch-webhook-signature-nonce"), Some(&b"abc"[..]));
/// assert_eq!(headers.header_count("x-sinch-webhook-signature-nonce"), 2);
/// assert_eq!(headers.header("x-other"), None);
/// assert_eq!(headers.header_count("x-other"), 0);
/// ```
pub trait HeaderLookup {
    /// The raw value of the first header called `name` (given in lowercase), if any.
    fn header(&self, name: &str) -> Option<&[u8]>;

    /// How many headers are called `name` (given in lowercase), in any ASCII case.
    ///
    /// Required (no default that could only ever say 0 or 1), so that a lookup over storage
    /// that can hold a name twice cannot hide a repeated signature header from [`verify`].
    fn header_count(&self, name: &str) -> usize;
}

impl<T: HeaderLookup + ?Sized> HeaderLookup for &T {
    fn header(&self, name: &str) -> Option<&[u8]> {
        (**self).header(name)
    }

    fn header_count(&self, name: &str) -> usize {
        (**self).header_count(name)
    }
}

impl HeaderLookup for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&[u8]> {
        // `HeaderMap` stores names in lowercase and lowercases the name looked up.
        self.get(name).map(http::HeaderValue::as_bytes)
    }

    fn header_count(&self, name: &str) -> usize {
        self.get_all(name).iter().count()
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> HeaderLookup for [(K, V)] {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }

    fn header_count(&self, name: &str) -> usize {
        self.iter()
            .filter(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .count()
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, const N: usize> HeaderLookup for [(K, V); N] {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.as_slice().header(name)
    }

    fn header_count(&self, name: &str) -> usize {
        self.as_slice().header_count(name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> HeaderLookup for Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.as_slice().header(name)
    }

    fn header_count(&self, name: &str) -> usize {
        self.as_slice().header_count(name)
    }
}

impl<V: AsRef<[u8]>, S: BuildHasher> HeaderLookup for HashMap<String, V, S> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        if let Some(v) = self.get(name) {
            return Some(v.as_ref());
        }
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }

    /// Keys that differ only in case (`X-Sinch-Webhook-Signature` and
    /// `x-sinch-webhook-signature`) count as the same header.
    fn header_count(&self, name: &str) -> usize {
        self.keys().filter(|k| k.eq_ignore_ascii_case(name)).count()
    }
}

/// Verifies callback signatures with one secret and a replay tolerance.
///
/// ```
/// use std::time::Duration;
/// use chrono::{TimeZone, Utc};
/// use sinch_conversation::webhooks::{Verifier, sign_headers};
///
/// let body = br#"{"app_id":"app","project_id":"p"}"#;
/// let headers = sign_headers("my-secret", body, "nonce-1", 1_700_000_000);
///
/// let verifier = Verifier::new("my-secret").with_tolerance(Duration::from_secs(60));
/// let now = Utc.timestamp_opt(1_700_000_030, 0).unwrap();
/// assert!(verifier.verify(&headers, body, now).is_ok());
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    secret: WebhookSecret,
    tolerance: Duration,
}

impl Verifier {
    /// A verifier for `secret` with the [`DEFAULT_TOLERANCE`] of five minutes.
    pub fn new(secret: impl Into<WebhookSecret>) -> Self {
        Self {
            secret: secret.into(),
            tolerance: DEFAULT_TOLERANCE,
        }
    }

    /// Sets how far (either way) a callback's timestamp may be from the clock.
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The replay tolerance.
    pub fn tolerance(&self) -> Duration {
        self.tolerance
    }

    /// The secret.
    pub fn secret(&self) -> &WebhookSecret {
        &self.secret
    }

    /// Checks the signature headers of a callback against its raw `body`, with `now` as the clock.
    ///
    /// Checks, in order: the secret is not empty, the four headers are present, each exactly
    /// once, the algorithm is `HmacSHA256`, the timestamp is Unix seconds within the tolerance
    /// of `now`, the signature is base64 and equals (compared in constant time) the MAC of
    /// `body "." nonce "." timestamp`.
    pub fn verify<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), SignatureError> {
        verify_with(
            self.secret.expose_secret().as_bytes(),
            self.tolerance,
            headers,
            body,
            now,
        )
    }
}

/// Verifies a callback's signature headers against its raw `body` with the default tolerance.
///
/// `headers` are looked up case-insensitively, and a signature header sent more than once is
/// [`SignatureError::DuplicateHeader`], whichever of its values is genuine; `body` must be the
/// bytes exactly as received; `now` is the clock the timestamp is checked against (usually
/// `Utc::now()`). Use a [`Verifier`] to change the tolerance.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use sinch_conversation::webhooks::{SignatureError, verify};
///
/// let body = br#"{"app_id":"","accepted_time":"2021-10-18T17:49:13.813615Z","project_id":"e2df3a34-a71b-4448-9db5-a8d2baad28e4","contact_create_notification":{"contact":{"id":"01FJA8B466Y0R2GNXD78MD9SM1","channel_identities":[{"channel":"SMS","identity":"48123456789","app_id":""}],"display_name":"New Test Contact","email":"new.contact@email.com","external_id":"","metadata":"","language":"EN_US"}},"message_metadata":""}"#;
/// let headers = [
///     ("X-Sinch-Webhook-Signature", "6bpJoRmFoXVjfJIVglMoJzYXxnoxRujzR4k2GOXewOE="),
///     ("X-Sinch-Webhook-Signature-Nonce", "01FJA8B4A7BM43YGWSG9GBV067"),
///     ("X-Sinch-Webhook-Signature-Timestamp", "1634579353"),
///     ("X-Sinch-Webhook-Signature-Algorithm", "HmacSHA256"),
/// ];
/// let now = Utc.timestamp_opt(1_634_579_360, 0).unwrap();
/// assert_eq!(verify(&headers, body, "foo_secret1234", now), Ok(()));
/// assert_eq!(
///     verify(&headers, body, "wrong", now),
///     Err(SignatureError::SignatureMismatch)
/// );
/// ```
pub fn verify<H: HeaderLookup + ?Sized>(
    headers: &H,
    body: &[u8],
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    verify_with(secret.as_bytes(), DEFAULT_TOLERANCE, headers, body, now)
}

fn verify_with<H: HeaderLookup + ?Sized>(
    secret: &[u8],
    tolerance: Duration,
    headers: &H,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    if secret.is_empty() {
        return Err(SignatureError::EmptySecret);
    }
    // Each header exactly once: with two values, checking only one lets the other decide.
    let required = |name: &'static str| {
        if headers.header_count(name) > 1 {
            return Err(SignatureError::DuplicateHeader { name });
        }
        headers
            .header(name)
            .map(<[u8]>::trim_ascii)
            .ok_or(SignatureError::MissingHeader { name })
    };
    let signature = required(SIGNATURE_HEADER)?;
    let nonce = required(NONCE_HEADER)?;
    let timestamp_raw = required(TIMESTAMP_HEADER)?;
    let algorithm = required(ALGORITHM_HEADER)?;

    if !algorithm.eq_ignore_ascii_case(ALGORITHM.as_bytes()) {
        let algorithm = String::from_utf8_lossy(algorithm)
            .chars()
            .take(MAX_ALGORITHM_ECHO)
            .collect();
        return Err(SignatureError::UnsupportedAlgorithm { algorithm });
    }

    let timestamp = parse_timestamp(timestamp_raw).ok_or(SignatureError::InvalidTimestamp)?;
    let now = now.timestamp();
    if u128::from(timestamp.abs_diff(now)) > u128::from(tolerance.as_secs()) {
        return Err(SignatureError::TimestampOutsideTolerance {
            timestamp,
            now,
            tolerance,
        });
    }

    if signature.len() > MAX_SIGNATURE_LEN {
        return Err(SignatureError::InvalidSignatureEncoding);
    }
    let signature = STANDARD
        .decode(signature)
        .map_err(|_| SignatureError::InvalidSignatureEncoding)?;

    mac(secret, body, nonce, timestamp_raw)
        .verify_slice(&signature)
        .map_err(|_| SignatureError::SignatureMismatch)
}

/// Unix seconds: ASCII digits only (no sign, no fraction), fitting an `i64`.
fn parse_timestamp(raw: &[u8]) -> Option<i64> {
    if raw.is_empty() || raw.len() > 19 || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(raw).ok()?.parse().ok()
}

/// The MAC of `body "." nonce "." timestamp`, ready to finalise or verify.
fn mac(secret: &[u8], body: &[u8], nonce: &[u8], timestamp: &[u8]) -> HmacSha256 {
    #[allow(clippy::expect_used)]
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac.update(b".");
    mac.update(nonce);
    mac.update(b".");
    mac.update(timestamp);
    mac
}

/// The signature the Conversation API puts in [`SIGNATURE_HEADER`] for a callback.
///
/// `base64(HMAC-SHA256(key = secret, message = body "." nonce "." timestamp))`, standard base64
/// with padding; `timestamp` is Unix seconds, written in decimal in the signed message.
///
/// ```
/// use sinch_conversation::webhooks::sign;
///
/// let body = br#"{"app_id":"","accepted_time":"2021-10-18T17:49:13.813615Z","project_id":"e2df3a34-a71b-4448-9db5-a8d2baad28e4","contact_create_notification":{"contact":{"id":"01FJA8B466Y0R2GNXD78MD9SM1","channel_identities":[{"channel":"SMS","identity":"48123456789","app_id":""}],"display_name":"New Test Contact","email":"new.contact@email.com","external_id":"","metadata":"","language":"EN_US"}},"message_metadata":""}"#;
/// assert_eq!(
///     sign("foo_secret1234", body, "01FJA8B4A7BM43YGWSG9GBV067", 1634579353),
///     "6bpJoRmFoXVjfJIVglMoJzYXxnoxRujzR4k2GOXewOE="
/// );
/// ```
pub fn sign(secret: &str, body: &[u8], nonce: &str, timestamp: i64) -> String {
    let timestamp = timestamp.to_string();
    let tag = mac(
        secret.as_bytes(),
        body,
        nonce.as_bytes(),
        timestamp.as_bytes(),
    )
    .finalize();
    STANDARD.encode(tag.into_bytes())
}

/// The four signature headers the Conversation API sends with a callback: signature, nonce,
/// timestamp and algorithm, as `(lowercase name, value)` pairs.
///
/// The result is itself a [`HeaderLookup`], so it can be passed straight to [`verify`].
///
/// ```
/// use sinch_conversation::webhooks::{ALGORITHM_HEADER, sign_headers};
///
/// let headers = sign_headers("secret", b"{}", "nonce", 1_700_000_000);
/// assert!(headers.contains(&(ALGORITHM_HEADER, "HmacSHA256".to_owned())));
/// ```
pub fn sign_headers(
    secret: &str,
    body: &[u8],
    nonce: &str,
    timestamp: i64,
) -> [(&'static str, String); 4] {
    [
        (SIGNATURE_HEADER, sign(secret, body, nonce, timestamp)),
        (NONCE_HEADER, nonce.to_owned()),
        (TIMESTAMP_HEADER, timestamp.to_string()),
        (ALGORITHM_HEADER, ALGORITHM.to_owned()),
    ]
}
