//! Typed errors: configuration, authentication, and API calls.

use bytes::Bytes;
use reqwest::StatusCode;

use crate::types::RuntimeError;

/// The client could not be configured.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Neither a region nor a base URL was given; the API has no safe default region.
    #[error("no region or base URL configured: set one explicitly (regions: us, eu, br)")]
    MissingBaseUrl,
    /// No credentials were given.
    #[error(
        "no credentials configured: use oauth2(key_id, key_secret) or basic_auth(key_id, key_secret)"
    )]
    MissingCredentials,
    /// A region name that does not exist.
    #[error("unknown region {0:?} (expected us, eu or br)")]
    InvalidRegion(String),
    /// A URL that does not parse or is not http(s).
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A required environment variable is not set.
    #[error("environment variable {0} is not set")]
    MissingEnv(&'static str),
    /// An environment variable is set to something unusable.
    #[error("environment variable {name} is invalid: {reason}")]
    InvalidEnv {
        /// The variable.
        name: &'static str,
        /// Why it was rejected (never its value, which may be a secret).
        reason: String,
    },
    /// The HTTP client could not be built (for example a bad proxy or certificate).
    #[error("cannot build the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

/// Getting an OAuth2 access token failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token endpoint answered with an error status (after retries where retryable).
    #[error("token endpoint answered {status}: {body}")]
    TokenEndpoint {
        /// HTTP status of the last attempt.
        status: StatusCode,
        /// Response body of the last attempt (the token endpoint never echoes secrets).
        body: String,
    },
    /// The token endpoint could not be reached.
    #[error("cannot reach the token endpoint: {0}")]
    Transport(#[source] reqwest::Error),
    /// The token endpoint answered 200 with something that is not a token.
    #[error("token endpoint answered with an unusable token response: {0}")]
    InvalidTokenResponse(String),
}

/// An API call failed. One type for every failure of every operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// Authentication failed before the request could be sent.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The request could not be sent or the response not received.
    #[error("HTTP transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The request was invalid before it was sent (a builder field missing or malformed).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A paginated list handed back a page token it had already given (a server bug);
    /// following it would loop forever.
    #[error("the server repeated page token {0:?}; stopping instead of looping")]
    RepeatedPageToken(String),
    /// A success status whose body does not match the spec.
    #[error("invalid response body ({error}): {}", preview(raw))]
    InvalidResponse {
        /// The body as received.
        raw: Bytes,
        /// Why it did not parse.
        error: serde_json::Error,
    },
}

/// An error answer from the API, with everything a caller may need to act on it.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The Sinch error body (`code`, `message`, `status`, `details`) when the body was one.
    pub body: Option<RuntimeError>,
    /// The raw body when it was not a Sinch error body (empty when it was, or was not read).
    pub raw: Bytes,
}

impl ApiError {
    /// Whether retrying the same request later may succeed (429, 502, 503, 504).
    pub fn is_retryable(&self) -> bool {
        crate::retry::is_retryable_status(self.status)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "API error {}", self.status)?;
        match &self.body {
            Some(body) => write!(
                f,
                ": {} {}",
                body.status.as_deref().unwrap_or("-"),
                body.message.as_deref().unwrap_or("")
            ),
            None if self.raw.is_empty() => Ok(()),
            None => write!(f, ": {}", preview(&self.raw)),
        }
    }
}

impl Error {
    /// The HTTP status, when the failure came with one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// Whether retrying the same request later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.is_retryable(),
            Error::Transport(e) => e.is_connect() || e.is_timeout(),
            _ => false,
        }
    }

    /// Converts a generated operation's error, reading the body of undocumented statuses.
    ///
    /// ```no_run
    /// # async fn f(client: &sinch_conversation::Client) -> Result<(), sinch_conversation::error::Error> {
    /// use sinch_conversation::error::Error;
    /// let app = match client.get_app().project_id("p").app_id("a").send().await {
    ///     Ok(app) => app,
    ///     Err(e) => return Err(Error::from_generated(e).await),
    /// };
    /// # Ok(()) }
    /// ```
    pub async fn from_generated(error: progenitor_client::Error<RuntimeError>) -> Self {
        match error {
            progenitor_client::Error::UnexpectedResponse(response) => {
                let status = response.status();
                let raw = response.bytes().await.unwrap_or_default();
                let body = serde_json::from_slice::<RuntimeError>(&raw).ok();
                let raw = if body.is_some() { Bytes::new() } else { raw };
                Error::Api(Box::new(ApiError { status, body, raw }))
            }
            other => Error::from(other),
        }
    }
}

impl From<progenitor_client::Error<RuntimeError>> for Error {
    /// Synchronous conversion; the body of an undocumented status is not read (see [`Error::from_generated`]).
    fn from(error: progenitor_client::Error<RuntimeError>) -> Self {
        use progenitor_client::Error as G;
        match error {
            G::ErrorResponse(value) => {
                let status = value.status();
                Error::Api(Box::new(ApiError {
                    status,
                    body: Some(value.into_inner()),
                    raw: Bytes::new(),
                }))
            }
            G::UnexpectedResponse(response) => Error::Api(Box::new(ApiError {
                status: response.status(),
                body: None,
                raw: Bytes::new(),
            })),
            G::InvalidResponsePayload(raw, error) => Error::InvalidResponse { raw, error },
            G::CommunicationError(e) | G::ResponseBodyError(e) | G::InvalidUpgrade(e) => {
                Error::Transport(e)
            }
            G::InvalidRequest(message) => Error::InvalidRequest(message),
            G::Custom(message) => Error::Auth(message),
        }
    }
}

/// At most 200 characters of a body, lossily decoded, for one-line messages.
fn preview(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out.replace('\n', " ")
}
