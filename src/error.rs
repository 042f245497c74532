//! The crate's error types: [`Error`], what went wrong with a call, with everything needed to
//! react to it; [`ApiError`], an error answer of the API; and [`ConfigError`], raised by the
//! configuration modules (`config`, `region`, `tls`), which import it from here.
//!
//! Every call returns [`Error`] (generated operations too: `build.rs` converts progenitor's
//! error in each `send()`), which sorts failures into configuration, authentication, API
//! answers, transport and decoding problems.

use std::{fmt, time::Duration};

use bytes::Bytes;
use reqwest::{StatusCode, header::HeaderMap};

pub use crate::{
    auth::AuthError, body::BodyTooLarge, field_mask::FieldMaskError, path::PathParameterError,
};
use crate::{
    body::excerpt,
    carry,
    types::{RuntimeError, RuntimeErrorError},
};

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when configuring the client or calling the API.
///
/// Every call returns it, generated operations included:
///
/// ```no_run
/// use sinch_conversation::{Client, Error};
///
/// async fn apps(client: &Client) -> Result<usize, Error> {
///     let apps = client.list_apps().project_id("my-project").send().await?;
///     Ok(apps.apps.len())
/// }
///
/// # async fn handle(client: &Client) {
/// match apps(client).await {
///     Ok(count) => println!("{count} apps"),
///     Err(Error::Auth(e)) => eprintln!("check the access key: {e}"),
///     Err(Error::Api(e)) if e.status().as_u16() == 404 => eprintln!("no such project"),
///     Err(e) if e.is_retryable() => eprintln!("try again later: {e}"),
///     Err(e) => eprintln!("{e}"),
/// }
/// # }
/// ```
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The client is misconfigured (raised by [`ClientBuilder::build`](crate::ClientBuilder::build)).
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    /// No credentials could be obtained for the request (OAuth2 token endpoint failure).
    #[error("authentication failed: {0}")]
    Auth(#[from] AuthError),
    /// The API answered with an error status (boxed, so that `Result<_, Error>` stays small).
    #[error("API error: {0}")]
    Api(Box<ApiError>),
    /// The request did not get an answer: connection, TLS, timeout or body transfer failure.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// A success response body did not match the model of the operation.
    ///
    /// Error answers never end up here when the request went through this crate's client: an
    /// error status with a body that is not a Sinch error is an [`Error::Api`] with its status
    /// and raw body.
    #[error("response body could not be decoded: {source}")]
    Decode {
        /// The start of the raw body as received (at most [`MAX_DECODE_EXCERPT`] bytes).
        body: Bytes,
        /// Why decoding failed.
        #[source]
        source: serde_json::Error,
    },
    /// The request could not be built (missing parameter, invalid value, empty project id).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// An update mask names a field the model does not have, or no field (raised by
    /// [`PatchExt::patch`](crate::field_mask::PatchExt::patch) and [`FieldMask::new`](crate::field_mask::FieldMask::new)).
    #[error("invalid update mask: {0}")]
    FieldMask(#[from] FieldMaskError),
    /// A path parameter would leave its path segment (`""`, `.`, `..`); nothing was sent.
    #[error("invalid request: {0}")]
    PathParameter(PathParameterError),
    /// A success body was larger than the client's limit; the rest of it was not read.
    #[error("{0}")]
    BodyTooLarge(BodyTooLarge),
    /// A paginated list handed back a page token it had already given (a server bug);
    /// following it would loop forever.
    #[error("the server repeated page token {0:?}; stopping instead of looping")]
    RepeatedPageToken(String),
}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        Error::Api(Box::new(error))
    }
}

impl Error {
    /// The HTTP status of the API answer, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status()),
            Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// Whether sending the same request again later might succeed.
    ///
    /// True for answers 408, 429, 502, 503 and 504, for connection failures and timeouts, and for
    /// token endpoint failures of the same kind. Before resending a message or an event, also
    /// check [`may_have_been_processed`](Self::may_have_been_processed): a timeout or a 502
    /// can hide a send that went through, and resending would deliver it twice.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.is_retryable(),
            Error::Auth(e) => e.is_retryable(),
            Error::Transport(e) => e.is_connect() || e.is_timeout(),
            Error::Config(_)
            | Error::Decode { .. }
            | Error::InvalidRequest(_)
            | Error::FieldMask(_)
            | Error::PathParameter(_)
            | Error::BodyTooLarge(_)
            | Error::RepeatedPageToken(_) => false,
        }
    }

    /// Whether the API may have acted on the request although no success came back: the
    /// request was sent, then the answer timed out, broke off, came from a failing gateway
    /// (500, 502, 504) or could not be decoded.
    ///
    /// False when the request provably had no effect: it was never sent (configuration,
    /// credentials, invalid request, connection refused) or the API refused it (4xx, 503).
    pub fn may_have_been_processed(&self) -> bool {
        match self {
            Error::Api(e) => matches!(
                e.status(),
                StatusCode::INTERNAL_SERVER_ERROR
                    | StatusCode::BAD_GATEWAY
                    | StatusCode::GATEWAY_TIMEOUT
            ),
            Error::Transport(e) => !(e.is_connect() || e.is_builder()),
            Error::Decode { .. } | Error::BodyTooLarge(_) => true,
            Error::Config(_)
            | Error::Auth(_)
            | Error::InvalidRequest(_)
            | Error::FieldMask(_)
            | Error::PathParameter(_)
            | Error::RepeatedPageToken(_) => false,
        }
    }

    /// Converts progenitor's error, like [`From`], also reading the body of an undocumented
    /// status when the response did not pass through this crate's client hooks. Every
    /// generated `send()` already calls it; it is public for code that handles progenitor's
    /// errors itself.
    ///
    /// ```
    /// use sinch_conversation::{Error, GeneratedError, types::RuntimeError};
    ///
    /// async fn sort(error: GeneratedError<RuntimeError>) -> Error {
    ///     Error::from_generated(error).await
    /// }
    /// ```
    pub async fn from_generated(error: progenitor_client::Error<RuntimeError>) -> Self {
        match error {
            progenitor_client::Error::UnexpectedResponse(response)
                if response.extensions().get::<BufferedBody>().is_none() =>
            {
                let status = response.status();
                let headers = response.headers().clone();
                let mut response = response;
                let raw = crate::body::read_lossy(&mut response, crate::body::MAX_ERROR_BODY)
                    .await
                    .bytes;
                Error::from(ApiError::new(status, headers, Some(raw)))
            }
            other => Error::from(other),
        }
    }
}

/// Most bytes of an undecodable success body that [`Error::Decode`] keeps: enough to see what
/// came back, and never the whole of a large body.
pub const MAX_DECODE_EXCERPT: usize = 4 * 1024;

impl From<progenitor_client::Error<RuntimeError>> for Error {
    fn from(error: progenitor_client::Error<RuntimeError>) -> Self {
        use progenitor_client::Error as E;
        match error {
            E::InvalidRequest(message) | E::Custom(message) => Error::InvalidRequest(message),
            E::CommunicationError(e) | E::InvalidUpgrade(e) | E::ResponseBodyError(e) => {
                // The layer's own failures, carried through reqwest by `carry::carry`.
                if let Some(auth) = carry::find::<AuthError>(&e) {
                    Error::Auth(auth.clone())
                } else if let Some(api) = carry::find::<ApiError>(&e) {
                    Error::from(api.clone())
                } else if let Some(limit) = carry::find::<BodyTooLarge>(&e) {
                    Error::BodyTooLarge(limit.clone())
                } else if let Some(path) = carry::find::<PathParameterError>(&e) {
                    Error::PathParameter(path.clone())
                } else {
                    Error::Transport(e)
                }
            }
            E::ErrorResponse(value) => {
                let status = value.status();
                let headers = value.headers().clone();
                Error::from(ApiError {
                    status,
                    headers,
                    body: value.into_inner().error,
                    raw: None,
                })
            }
            E::UnexpectedResponse(response) => {
                let status = response.status();
                let headers = response.headers().clone();
                let raw = response
                    .extensions()
                    .get::<BufferedBody>()
                    .map(|b| b.0.clone());
                Error::from(ApiError::new(status, headers, raw))
            }
            E::InvalidResponsePayload(body, source) => match wrapped_error_status(&body) {
                // A Sinch error in its `{"error": {...}}` envelope: the code is the HTTP status.
                Some((status, parsed)) => Error::from(ApiError {
                    status,
                    headers: HeaderMap::new(),
                    body: Some(parsed),
                    raw: None,
                }),
                None => Error::Decode {
                    // A copy, so that the excerpt does not keep the whole body alive.
                    body: Bytes::copy_from_slice(&body[..body.len().min(MAX_DECODE_EXCERPT)]),
                    source,
                },
            },
        }
    }
}

/// An error answer of the API.
///
/// Keeps the status, the headers, and the Sinch error body (`code`, `message`, `status`,
/// `details`) when the body is one; otherwise the raw body bytes.
///
/// `Display` is one line: `HTTP 404 Not Found: NOT_FOUND: App not found`.
#[derive(Clone, Debug)]
pub struct ApiError {
    status: StatusCode,
    headers: HeaderMap,
    body: Option<RuntimeErrorError>,
    raw: Option<Bytes>,
}

impl ApiError {
    /// An error for an answer with `status`, `headers` and the raw body `raw`.
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, raw: Option<Bytes>) -> Self {
        match raw.as_deref().and_then(parse_sinch_error) {
            Some(body) => Self {
                status,
                headers,
                body: Some(body),
                raw: None,
            },
            None => Self {
                status,
                headers,
                body: None,
                raw: raw.filter(|r| !r.is_empty()),
            },
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers of the answer (empty when the status had to be recovered from the body).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The Sinch error (what the `{"error": {...}}` envelope holds), when the answer carried one.
    pub fn body(&self) -> Option<&RuntimeErrorError> {
        self.body.as_ref()
    }

    /// The body as received, when it was not a Sinch error body (an HTML page from a proxy,
    /// plain text, ...).
    pub fn raw_body(&self) -> Option<&Bytes> {
        self.raw.as_ref()
    }

    /// The Sinch error code (usually the HTTP status again).
    pub fn code(&self) -> Option<i32> {
        self.body.as_ref()?.code
    }

    /// The Sinch error message.
    pub fn message(&self) -> Option<&str> {
        self.body.as_ref()?.message.as_deref()
    }

    /// The Sinch status name, such as `INVALID_ARGUMENT` or `NOT_FOUND`.
    pub fn sinch_status(&self) -> Option<&str> {
        self.body.as_ref()?.status.as_deref()
    }

    /// How long the server asked to wait before retrying (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        crate::retry::retry_after(&self.headers)
    }

    /// Whether the same request might succeed later (408, 429, 502, 503, 504).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.status,
            StatusCode::REQUEST_TIMEOUT
                | StatusCode::TOO_MANY_REQUESTS
                | StatusCode::BAD_GATEWAY
                | StatusCode::SERVICE_UNAVAILABLE
                | StatusCode::GATEWAY_TIMEOUT
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(body) = &self.body {
            for part in [&body.status, &body.message].into_iter().flatten() {
                let part = excerpt(part.as_bytes());
                if !part.is_empty() {
                    write!(f, ": {part}")?;
                }
            }
        } else if let Some(raw) = &self.raw {
            write!(f, ": {}", excerpt(raw))?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The body of an error answer, read by the client before the generated code sees it.
#[derive(Clone, Debug)]
pub(crate) struct BufferedBody(pub(crate) Bytes);

/// A Sinch error body, in its envelope (`{"error": {"code": ..}}`, what the API sends) or flat
/// (`{"code": ..}`, what some proxies and older gateways send).
fn parse_sinch_error(body: &[u8]) -> Option<RuntimeErrorError> {
    if let Some(parsed) = parse_wrapped(body) {
        return Some(parsed);
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value @ serde_json::Value::Object(_)) => serde_json::from_value(value).ok(),
        _ => None,
    }
}

fn parse_wrapped(body: &[u8]) -> Option<RuntimeErrorError> {
    serde_json::from_slice::<RuntimeError>(body).ok()?.error
}

/// The status and body of a Sinch error envelope whose `code` is an HTTP error status.
fn wrapped_error_status(body: &[u8]) -> Option<(StatusCode, RuntimeErrorError)> {
    let parsed = parse_wrapped(body)?;
    let code = u16::try_from(parsed.code?).ok()?;
    let status = StatusCode::from_u16(code).ok()?;
    (status.is_client_error() || status.is_server_error()).then_some((status, parsed))
}

/// Why a client could not be configured.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Neither a region nor a base URL was given.
    #[error(
        "no region or base URL: call .region(..) or .base_url(..) (the API has no default region)"
    )]
    MissingBaseUrl,
    /// No credentials were given.
    #[error("no credentials: call .oauth2(key_id, key_secret) or .basic_auth(key_id, key_secret)")]
    MissingCredentials,
    /// The credentials cannot be used.
    #[error("invalid credentials: {reason}")]
    InvalidCredentials {
        /// What is wrong.
        reason: String,
    },
    /// A URL setting is not an absolute `http`/`https` URL.
    #[error("invalid {setting} {url:?}: {reason}")]
    InvalidUrl {
        /// Which setting (`base URL`, `token URL`).
        setting: &'static str,
        /// The value given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A region name other than `us`, `eu` or `br`.
    #[error("unknown region {value:?} (expected us, eu or br)")]
    UnknownRegion {
        /// The value given.
        value: String,
    },
    /// A required environment variable is not set (or empty).
    #[error("environment variable {var} is not set")]
    MissingEnv {
        /// The variable's name.
        var: &'static str,
    },
    /// An environment variable has a value that cannot be used.
    #[error("environment variable {var} is invalid: {reason}")]
    InvalidEnv {
        /// The variable's name.
        var: &'static str,
        /// What is wrong (never the value of a secret).
        reason: String,
    },
    /// A root certificate could not be parsed.
    #[error("invalid root certificate: {reason}")]
    InvalidCertificate {
        /// What is wrong.
        reason: String,
    },
    /// TLS could not be set up.
    #[error("TLS setup failed: {reason}")]
    Tls {
        /// What failed.
        reason: String,
    },
    /// The HTTP client could not be built (for example an invalid user agent).
    #[error("HTTP client setup failed: {0}")]
    Http(#[source] reqwest::Error),
}

impl ConfigError {
    /// The environment variable the error is about, if any.
    ///
    /// ```
    /// use sinch_conversation::ClientBuilder;
    ///
    /// let error = ClientBuilder::from_env_with(|_| None).unwrap_err();
    /// assert_eq!(error.env_var(), Some("SINCH_PROJECT_ID"));
    /// ```
    pub fn env_var(&self) -> Option<&'static str> {
        match self {
            ConfigError::MissingEnv { var } | ConfigError::InvalidEnv { var, .. } => Some(var),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sinch_errors_parse_flat_or_enveloped_and_other_json_does_not() {
        let flat = parse_sinch_error(br#"{"code": 400, "message": "bad"}"#).unwrap();
        assert_eq!(flat.message.as_deref(), Some("bad"));
        let wrapped =
            parse_sinch_error(br#"{"error": {"code": 404, "status": "NOT_FOUND"}}"#).unwrap();
        assert_eq!(wrapped.status.as_deref(), Some("NOT_FOUND"));
        assert!(parse_sinch_error(b"[1, 2]").is_none());
        assert!(parse_sinch_error(b"<html>").is_none());
        assert_eq!(
            wrapped_error_status(br#"{"error": {"code": 404}}"#).map(|(s, _)| s),
            Some(StatusCode::NOT_FOUND)
        );
        assert!(wrapped_error_status(br#"{"error": {"code": 200}}"#).is_none());
        assert!(wrapped_error_status(br#"{"error": {"code": 70000}}"#).is_none());
    }
}
