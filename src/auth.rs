//! Authentication: HTTP Basic, or OAuth2 client credentials with a cached, single-flight token.
//!
//! The token request is `POST {token_url}` with `Authorization: Basic base64(key_id:key_secret)`
//! and the form body `grant_type=client_credentials`; API calls then carry
//! `Authorization: Bearer <access_token>`. The token is cached and fetched again shortly before
//! it expires; concurrent requests that find no valid token share one token request.

use std::{
    fmt,
    sync::{
        Arc, PoisonError, RwLock,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use base64::Engine as _;
use bytes::Bytes;
use reqwest::{
    StatusCode, Url,
    header::{self, HeaderValue},
};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;
use tracing::Instrument as _;

use crate::retry::{RetryPolicy, retry_after};

/// The default OAuth2 token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://auth.sinch.com/oauth2/token";

/// Lifetime assumed for a token whose response has no `expires_in`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// Longest lifetime taken from a token response (guards `Instant` arithmetic).
const MAX_LIFETIME: Duration = Duration::from_secs(366 * 24 * 3600);
/// Most bytes of a token endpoint error body kept in an [`AuthError`].
const MAX_ERROR_BODY: usize = 16 * 1024;
/// Most bytes of a token response read (a token response is a few hundred bytes).
const MAX_TOKEN_BODY: usize = 64 * 1024;

/// How requests are authenticated.
///
/// ```
/// use sinch_conversation::{AuthScheme, Client, Region};
///
/// let client = Client::builder()
///     .region(Region::Us)
///     .credentials("key-id", "key-secret")
///     .auth_scheme(AuthScheme::Basic)
///     .build()?;
/// # let _ = client;
/// # Ok::<(), sinch_conversation::ConfigError>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AuthScheme {
    /// OAuth2 client credentials: the key id and secret buy a short-lived bearer token
    /// (recommended; the secret only travels to the token endpoint).
    #[default]
    OAuth2,
    /// HTTP Basic: the key id and secret are sent with every request.
    Basic,
}

/// Why the client could not authenticate a request.
///
/// Returned inside [`Error::Auth`](crate::Error::Auth). Neither the key secret nor any token
/// ever appears in it.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub enum AuthError {
    /// The token endpoint refused to issue a token (after retrying 429 and 5xx answers).
    Rejected {
        /// The status of the last answer.
        status: StatusCode,
        /// The body of the last answer (at most 16 KiB, any copy of the key secret redacted).
        body: Bytes,
        /// The `Retry-After` of the last answer, if any.
        retry_after: Option<Duration>,
    },
    /// The token endpoint answered with success, but not with a usable token.
    InvalidResponse {
        /// The status of the answer.
        status: StatusCode,
        /// What was wrong (never the body, which may hold a token).
        reason: String,
    },
    /// The token endpoint could not be reached.
    Transport(Arc<reqwest::Error>),
}

impl AuthError {
    /// The status the token endpoint answered with, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            AuthError::Rejected { status, .. } | AuthError::InvalidResponse { status, .. } => {
                Some(*status)
            }
            AuthError::Transport(e) => e.status(),
        }
    }

    /// Whether trying again later might succeed (token endpoint overloaded or unreachable).
    pub fn is_retryable(&self) -> bool {
        match self {
            AuthError::Rejected { status, .. } => {
                *status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
            }
            AuthError::InvalidResponse { .. } => false,
            AuthError::Transport(e) => e.is_connect() || e.is_timeout(),
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::Rejected { status, body, .. } => {
                write!(f, "token endpoint answered HTTP {status}")?;
                let excerpt = crate::body::excerpt(body);
                if !excerpt.is_empty() {
                    write!(f, ": {excerpt}")?;
                }
                Ok(())
            }
            AuthError::InvalidResponse { status, reason } => {
                write!(
                    f,
                    "token endpoint answered HTTP {status} without a usable token: {reason}"
                )
            }
            AuthError::Transport(e) => write!(f, "token endpoint unreachable: {e}"),
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AuthError::Transport(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

/// A key id and its secret, from the Sinch dashboard ("Access keys").
#[derive(Clone)]
pub(crate) struct Credentials {
    pub(crate) key_id: String,
    pub(crate) key_secret: SecretString,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("key_id", &self.key_id)
            .field("key_secret", &"[REDACTED]")
            .finish()
    }
}

impl Credentials {
    /// `base64(key_id:key_secret)`, as sent in the Basic header.
    fn encoded(&self) -> SecretString {
        let raw = format!("{}:{}", self.key_id, self.key_secret.expose_secret());
        SecretString::from(base64::engine::general_purpose::STANDARD.encode(raw))
    }

    /// `body` without the key secret, plain or inside an echoed Basic header.
    fn redact(&self, body: Bytes) -> Bytes {
        crate::redact::body(body, &self.secrets())
    }

    /// Every form of the secret an answer could echo: the secret, `base64(id:secret)`.
    pub(crate) fn secrets(&self) -> Vec<Vec<u8>> {
        let mut secrets = crate::redact::forms(self.key_secret.expose_secret().as_bytes());
        secrets.extend(crate::redact::forms(
            self.encoded().expose_secret().as_bytes(),
        ));
        secrets
    }

    /// The length of the longest form of the secret that `redact` looks for.
    fn longest_secret(&self) -> usize {
        self.secrets().iter().map(Vec::len).max().unwrap_or(0)
    }

    /// `Basic base64(key_id:key_secret)`, marked sensitive.
    pub(crate) fn basic_header(&self) -> Option<HeaderValue> {
        let encoded = self.encoded();
        let encoded = encoded.expose_secret();
        let mut value = HeaderValue::from_str(&format!("Basic {encoded}")).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

/// A bearer token, when to fetch the next one, and when it stops working.
pub(crate) struct Token {
    /// `Bearer <token>`, marked sensitive; built once, since every request sends it.
    header: HeaderValue,
    refresh_at: Instant,
    expires_at: Instant,
    generation: u64,
}

/// How long to keep using the current token after a failed early refresh before trying again,
/// so that an outage of the token endpoint does not slow every request down.
const REFRESH_BACKOFF: Duration = Duration::from_secs(5);

impl Token {
    fn is_fresh(&self) -> bool {
        Instant::now() < self.refresh_at
    }

    fn is_expired(&self) -> bool {
        Instant::now() >= self.expires_at
    }

    /// The same token, next refreshed at `refresh_at` (never past its expiry).
    fn refresh_later(&self, refresh_at: Instant) -> Self {
        Self {
            header: self.header.clone(),
            refresh_at: refresh_at.min(self.expires_at),
            expires_at: self.expires_at,
            generation: self.generation,
        }
    }

    /// The token itself (after `Bearer `), to redact it from answers that echo it.
    pub(crate) fn bearer(&self) -> Option<&[u8]> {
        self.header.as_bytes().strip_prefix(b"Bearer ")
    }

    /// `Bearer <token>`, marked sensitive (a cheap, reference-counted copy).
    pub(crate) fn header(&self) -> HeaderValue {
        self.header.clone()
    }
}

/// Fetches OAuth2 tokens and caches the current one.
pub(crate) struct TokenSource {
    credentials: Credentials,
    basic: HeaderValue,
    token_url: Url,
    refresh_margin: Duration,
    retry: RetryPolicy,
    /// The cached token, read by every request without waiting.
    current: RwLock<Option<Arc<Token>>>,
    /// Held while fetching, so that concurrent callers share one token request.
    fetching: Mutex<()>,
    /// How many fetches have finished; a caller that waited through one takes its outcome.
    finished: AtomicU64,
    /// The error of the last fetch, if it failed, with that fetch's number in `finished`.
    failed: std::sync::Mutex<Option<(u64, AuthError)>>,
    generation: AtomicU64,
    requests: AtomicU64,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("key_id", &self.credentials.key_id)
            .field("token_url", &self.token_url.as_str())
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<f64>,
    #[serde(default)]
    token_type: Option<String>,
}

impl TokenSource {
    pub(crate) fn new(
        credentials: Credentials,
        token_url: Url,
        refresh_margin: Duration,
        retry: RetryPolicy,
    ) -> Option<Self> {
        Some(Self {
            basic: credentials.basic_header()?,
            credentials,
            token_url,
            refresh_margin,
            retry,
            current: RwLock::new(None),
            fetching: Mutex::new(()),
            finished: AtomicU64::new(0),
            failed: std::sync::Mutex::new(None),
            generation: AtomicU64::new(0),
            requests: AtomicU64::new(0),
        })
    }

    /// Every form of the key secret an answer could echo.
    pub(crate) fn secrets(&self) -> Vec<Vec<u8>> {
        self.credentials.secrets()
    }

    /// How many token requests were sent, retries included.
    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The cached token, fresh or not.
    pub(crate) fn cached(&self) -> Option<Arc<Token>> {
        // A poisoned lock still holds a valid `Option<Arc<Token>>`: no reason to panic.
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn store(&self, token: &Arc<Token>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(token));
    }

    /// A token that is not about to expire: the cached one, or a new one.
    ///
    /// Callers that find no valid token queue on one lock, so only the first fetches, and the
    /// outcome of that one fetch (with its retries) serves everyone who waited on it: its token,
    /// or its error. Only a call made after a fetch failed starts another one. When an early
    /// refresh fails while the current token still works, the current token is used (and the
    /// refresh tried again a little later): a short token endpoint outage is no API outage.
    pub(crate) async fn token(&self, http: &reqwest::Client) -> Result<Arc<Token>, AuthError> {
        if let Some(token) = self.cached().filter(|t| t.is_fresh()) {
            return Ok(token);
        }
        let before = self.finished.load(Ordering::Acquire);
        let _fetching = self.fetching.lock().await;
        let current = self.cached();
        if let Some(token) = current.as_ref().filter(|t| t.is_fresh()) {
            return Ok(Arc::clone(token));
        }
        if let Some(error) = self.failed_since(before) {
            return Err(error);
        }
        match self.fetch(http).await {
            Ok(token) => Ok(token),
            Err(error) => match current.filter(|t| !t.is_expired()) {
                Some(still_valid) => {
                    tracing::warn!(%error, "token refresh failed; using the current token until it expires");
                    let later =
                        Arc::new(still_valid.refresh_later(Instant::now() + REFRESH_BACKOFF));
                    self.store(&later);
                    Ok(later)
                }
                None => Err(error),
            },
        }
    }

    /// A replacement for `rejected`, which the API refused as expired.
    ///
    /// When another task already replaced it, that newer token is used instead of fetching
    /// again: only the token that failed is ever thrown away.
    pub(crate) async fn replace(
        &self,
        http: &reqwest::Client,
        rejected: &Token,
    ) -> Result<Arc<Token>, AuthError> {
        let before = self.finished.load(Ordering::Acquire);
        let _fetching = self.fetching.lock().await;
        if let Some(token) = self
            .cached()
            .filter(|t| t.generation != rejected.generation && t.is_fresh())
        {
            return Ok(token);
        }
        if let Some(error) = self.failed_since(before) {
            return Err(error);
        }
        self.fetch(http).await
    }

    /// The error of a fetch that finished after `before` (while the caller waited), if it
    /// failed.
    fn failed_since(&self, before: u64) -> Option<AuthError> {
        let failed = self.failed.lock().unwrap_or_else(PoisonError::into_inner);
        match &*failed {
            Some((number, error)) if *number > before => Some(error.clone()),
            _ => None,
        }
    }

    /// One token request, retried on 429, 5xx and transport failures, in its own span; a new
    /// token becomes the cached one, an error is kept for the callers waiting on this fetch.
    async fn fetch(&self, http: &reqwest::Client) -> Result<Arc<Token>, AuthError> {
        let span = tracing::info_span!(
            "sinch_conversation.token",
            url = %self.token_url,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        let result = self
            .fetch_with_retries(http, &span)
            .instrument(span.clone())
            .await;
        let mut failed = self.failed.lock().unwrap_or_else(PoisonError::into_inner);
        let number = self.finished.fetch_add(1, Ordering::AcqRel) + 1;
        match &result {
            Ok(token) => {
                self.store(token);
                *failed = None;
            }
            Err(error) => *failed = Some((number, error.clone())),
        }
        result
    }

    async fn fetch_with_retries(
        &self,
        http: &reqwest::Client,
        span: &tracing::Span,
    ) -> Result<Arc<Token>, AuthError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            span.record("attempts", attempt);
            self.requests.fetch_add(1, Ordering::Relaxed);
            let sent = http
                .post(self.token_url.clone())
                .header(header::AUTHORIZATION, self.basic.clone())
                .header(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                )
                .header(header::ACCEPT, HeaderValue::from_static("application/json"))
                .body("grant_type=client_credentials")
                .send()
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(error) => {
                    // Asking for a token twice is harmless, so every transport failure is retried.
                    if let Some(delay) = self.retry.delay(attempt, None) {
                        tracing::debug!(%error, ?delay, "token request failed; retrying");
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(AuthError::Transport(Arc::new(error)));
                }
            };
            let status = response.status();
            span.record("status", status.as_u16());
            if status.is_success() {
                return self.accept(response).await;
            }
            let wait = retry_after(response.headers());
            let retryable = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
            if retryable && let Some(delay) = self.retry.delay(attempt, wait) {
                tracing::debug!(%status, ?delay, "token endpoint busy; retrying");
                drop(response);
                tokio::time::sleep(delay).await;
                continue;
            }
            // Redacted before it is cut: a secret across the cut would otherwise survive in
            // part. So read as many more bytes as the longest secret, redact, then cut.
            let mut response = response;
            let margin = self.credentials.longest_secret();
            let body = crate::body::read_lossy(&mut response, MAX_ERROR_BODY + margin)
                .await
                .bytes;
            let mut body = self.credentials.redact(body);
            body.truncate(MAX_ERROR_BODY);
            return Err(AuthError::Rejected {
                status,
                body,
                retry_after: wait,
            });
        }
    }

    /// Turns a successful token response into a cached token.
    async fn accept(&self, response: reqwest::Response) -> Result<Arc<Token>, AuthError> {
        let status = response.status();
        let invalid = |reason: String| AuthError::InvalidResponse { status, reason };
        let mut response = response;
        let body = crate::body::read_lossy(&mut response, MAX_TOKEN_BODY)
            .await
            .bytes;
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
            // The error message never quotes the body: it may contain the token.
            invalid(format!(
                "not a token response ({:?} error at line {} column {})",
                e.classify(),
                e.line(),
                e.column()
            ))
        })?;
        if let Some(kind) = parsed.token_type.as_deref()
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(invalid(format!("unsupported token_type {kind:?}")));
        }
        let header = SecretString::from(format!("Bearer {}", parsed.access_token));
        let header = match HeaderValue::from_str(header.expose_secret()) {
            Ok(mut value) if !parsed.access_token.is_empty() => {
                value.set_sensitive(true);
                value
            }
            _ => {
                return Err(invalid(
                    "access_token is empty or not a valid header value".to_owned(),
                ));
            }
        };
        // Whatever the number, no panic: negative or NaN means "already expired".
        let lifetime = match parsed.expires_in {
            None => DEFAULT_LIFETIME,
            Some(seconds) => Duration::try_from_secs_f64(seconds.min(MAX_LIFETIME.as_secs_f64()))
                .unwrap_or(Duration::ZERO),
        };
        // Refresh `refresh_margin` before expiry, but never use less than half of a short lifetime.
        let margin = self.refresh_margin.min(lifetime / 2);
        let now = Instant::now();
        let refresh_at = now.checked_add(lifetime - margin).unwrap_or(now);
        let expires_at = now.checked_add(lifetime).unwrap_or(now);
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::debug!(generation, ?lifetime, "new access token");
        Ok(Arc::new(Token {
            header,
            refresh_at,
            expires_at,
            generation,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_replaces_every_copy_of_the_secret() {
        let c = Credentials {
            key_id: "id".into(),
            key_secret: SecretString::from("s3cret-long"),
        };
        // `aWQ6czNjcmV0LWxvbmc=` is base64("id:s3cret-long"), as an echoed Basic header has it.
        let body =
            Bytes::from_static(b"bad s3cret-long, really s3cret-long! Basic aWQ6czNjcmV0LWxvbmc=");
        assert_eq!(
            &c.redact(body)[..],
            b"bad [REDACTED], really [REDACTED]! Basic [REDACTED]"
        );
        assert_eq!(&c.redact(Bytes::from_static(b"fine"))[..], b"fine");
    }

    #[test]
    fn credentials_debug_hides_the_secret() {
        let c = Credentials {
            key_id: "id".into(),
            key_secret: SecretString::from("hunter2"),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(c.basic_header().unwrap().is_sensitive());
    }
}
