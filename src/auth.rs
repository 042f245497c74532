//! Credentials and the OAuth2 client-credentials token cache.

use std::{sync::Arc, time::Duration};

use base64::Engine as _;
use reqwest::{StatusCode, header::HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tokio::{sync::Mutex, time::Instant};

use crate::{error::AuthError, retry::RetryPolicy};

/// Default OAuth2 token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://auth.sinch.com/oauth2/token";

/// How the client authenticates.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// OAuth2 client credentials: a bearer token is fetched and cached (recommended).
    OAuth2 {
        /// Access key id.
        key_id: String,
        /// Access key secret.
        key_secret: SecretString,
    },
    /// HTTP Basic with the access key on every request (for tests and quick scripts).
    Basic {
        /// Access key id.
        key_id: String,
        /// Access key secret.
        key_secret: SecretString,
    },
}

/// `Basic base64(id:secret)`, marked sensitive so it never shows in debug output.
pub(crate) fn basic_header(key_id: &str, key_secret: &SecretString) -> HeaderValue {
    let encoded = base64::engine::general_purpose::STANDARD
        .encode(format!("{key_id}:{}", key_secret.expose_secret()));
    let mut value = HeaderValue::from_str(&format!("Basic {encoded}"))
        .unwrap_or(HeaderValue::from_static("Basic"));
    value.set_sensitive(true);
    value
}

/// A cached access token.
#[derive(Clone)]
pub(crate) struct Token {
    pub(crate) value: SecretString,
    expires_at: Instant,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("value", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl Token {
    pub(crate) fn bearer(&self) -> HeaderValue {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.value.expose_secret()))
            .unwrap_or(HeaderValue::from_static("Bearer"));
        value.set_sensitive(true);
        value
    }
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<f64>,
}

/// Fetches and caches OAuth2 tokens; one fetch at a time (single flight).
#[derive(Debug)]
pub(crate) struct TokenSource {
    http: reqwest::Client,
    token_url: String,
    key_id: String,
    key_secret: SecretString,
    refresh_margin: Duration,
    retry: RetryPolicy,
    /// Held across a fetch, so concurrent callers wait for the one fetch in flight.
    cache: Mutex<Option<Token>>,
    fetches: std::sync::atomic::AtomicU64,
}

impl TokenSource {
    pub(crate) fn new(
        http: reqwest::Client,
        token_url: String,
        key_id: String,
        key_secret: SecretString,
        refresh_margin: Duration,
        retry: RetryPolicy,
    ) -> Arc<Self> {
        Arc::new(Self {
            http,
            token_url,
            key_id,
            key_secret,
            refresh_margin,
            retry,
            cache: Mutex::new(None),
            fetches: Default::default(),
        })
    }

    /// Number of token requests made so far (for load tools and tests).
    pub(crate) fn fetch_count(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A token valid for at least the refresh margin, fetching one if needed.
    pub(crate) async fn token(&self) -> Result<Token, AuthError> {
        let mut cache = self.cache.lock().await;
        if let Some(token) = cache.as_ref()
            && token.expires_at > Instant::now() + self.refresh_margin
        {
            return Ok(token.clone());
        }
        let token = self.fetch().await?;
        *cache = Some(token.clone());
        Ok(token)
    }

    /// Drops the cached token if it is the one `header` (`Bearer ...`) carried.
    pub(crate) async fn invalidate_header(&self, header: &HeaderValue) {
        let mut cache = self.cache.lock().await;
        if cache
            .as_ref()
            .is_some_and(|t| t.bearer().as_bytes() == header.as_bytes())
        {
            *cache = None;
        }
    }

    async fn fetch(&self) -> Result<Token, AuthError> {
        let mut attempt = 1;
        loop {
            self.fetches
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let result = self
                .http
                .post(&self.token_url)
                .header(
                    reqwest::header::AUTHORIZATION,
                    basic_header(&self.key_id, &self.key_secret),
                )
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body("grant_type=client_credentials")
                .send()
                .await;
            let response = match result {
                Ok(response) => response,
                Err(e) if attempt < self.retry.max_attempts && e.is_connect() => {
                    tokio::time::sleep(self.retry.delay(attempt, None)).await;
                    attempt += 1;
                    continue;
                }
                Err(e) => return Err(AuthError::Transport(e.without_url())),
            };
            let status = response.status();
            if status.is_success() {
                let body = response
                    .bytes()
                    .await
                    .map_err(|e| AuthError::Transport(e.without_url()))?;
                let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
                    AuthError::InvalidTokenResponse(format!("not a token response: {e}"))
                })?;
                if parsed.access_token.is_empty() {
                    return Err(AuthError::InvalidTokenResponse("empty access_token".into()));
                }
                let lifetime = parsed
                    .expires_in
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .unwrap_or(3600.0)
                    .min(1e9);
                return Ok(Token {
                    value: SecretString::from(parsed.access_token),
                    expires_at: Instant::now() + Duration::from_secs_f64(lifetime),
                });
            }
            let retryable = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
            if retryable && attempt < self.retry.max_attempts {
                tokio::time::sleep(self.retry.delay(attempt, Some(response.headers()))).await;
                attempt += 1;
                continue;
            }
            let body = response.text().await.unwrap_or_default();
            return Err(AuthError::TokenEndpoint {
                status,
                body: body.chars().take(500).collect(),
            });
        }
    }
}
