//! Configuring the generated [`Client`]: region or base URL, credentials, HTTP settings,
//! retries; and the hooks through which every generated operation is executed.
//!
//! ```no_run
//! use sinch_conversation::{Client, Region};
//!
//! # fn f() -> Result<(), sinch_conversation::error::ConfigError> {
//! let client = Client::builder()
//!     .region(Region::Eu)
//!     .project_id("YOUR_PROJECT_ID")
//!     .oauth2("YOUR_KEY_ID", "YOUR_KEY_SECRET")
//!     .build()?;
//! // Or from SINCH_PROJECT_ID, SINCH_KEY_ID, SINCH_KEY_SECRET and SINCH_REGION:
//! let client = Client::builder().from_env()?.build()?;
//! # Ok(()) }
//! ```

use std::{sync::Arc, time::Duration};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::{StatusCode, header::AUTHORIZATION};
use secrecy::SecretString;
use tracing::Instrument as _;

use crate::{
    Client, Region,
    auth::{Credentials, DEFAULT_TOKEN_URL, TokenSource, basic_header},
    error::ConfigError,
    retry::{RetryPolicy, is_retryable_status},
};

/// Default `User-Agent`.
pub const USER_AGENT: &str = concat!("sinch-conversation-rust/", env!("CARGO_PKG_VERSION"));

/// Hand-written state the generated client carries: auth, retries, the default project.
///
/// Build it through [`Client::builder`]; `ClientState::default()` (no auth, default retries)
/// suits a local emulator or a mock server used with [`Client::new`].
#[derive(Clone, Debug)]
pub struct ClientState {
    auth: Auth,
    retry: RetryPolicy,
    project_id: Option<String>,
    /// Where template operations go; `None`: the same host as everything else.
    template_base_url: Option<String>,
}

#[derive(Clone, Debug, Default)]
enum Auth {
    #[default]
    None,
    Basic(reqwest::header::HeaderValue),
    OAuth2(Arc<TokenSource>),
}

/// Chooses a TLS crypto provider once per process (ring builds fast and needs no C toolchain
/// beyond cc); a provider the application installed first is kept.
pub(crate) fn ensure_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The project id given to the builder, for `.project_id(client.project())` on operations.
    pub fn project(&self) -> &str {
        self.inner.project_id.as_deref().unwrap_or_default()
    }

    /// How many OAuth2 token requests this client has made (0 with Basic auth).
    pub fn token_requests(&self) -> u64 {
        match &self.inner.auth {
            Auth::OAuth2(source) => source.fetch_count(),
            _ => 0,
        }
    }

    /// Fetches (or reuses) an access token now: checks the credentials and warms the cache.
    pub async fn authenticate(&self) -> Result<(), crate::error::AuthError> {
        match &self.inner.auth {
            Auth::OAuth2(source) => source.token().await.map(drop),
            _ => Ok(()),
        }
    }
}

impl Default for ClientState {
    /// No credentials, default retries. Also picks the TLS crypto provider, so that the
    /// generated `Client::new` can build its HTTP client.
    fn default() -> Self {
        ensure_crypto_provider();
        Self {
            auth: Auth::None,
            retry: RetryPolicy::default(),
            project_id: None,
            template_base_url: None,
        }
    }
}

impl ClientState {
    /// State without credentials (for local emulators and mocks) with the given retry policy.
    pub fn unauthenticated(retry: RetryPolicy) -> Self {
        Self {
            retry,
            ..Self::default()
        }
    }
}

/// Builder for a configured [`Client`]. See the [module docs](self).
#[derive(Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    template_base_url: Option<String>,
    region: Option<Region>,
    project_id: Option<String>,
    credentials: Option<Credentials>,
    token_url: Option<String>,
    refresh_margin: Option<Duration>,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    proxy: Option<reqwest::Proxy>,
    pool_idle_timeout: Option<Duration>,
    pool_max_idle_per_host: Option<usize>,
    http2_prior_knowledge: bool,
    gzip: Option<bool>,
    root_certificates: Vec<reqwest::Certificate>,
    user_agent: Option<String>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("region", &self.region)
            .field("project_id", &self.project_id)
            .field("credentials", &self.credentials)
            .field("token_url", &self.token_url)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Uses the region's base URL.
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// Uses any base URL (an emulator, a proxy, a mock); wins over [`region`](Self::region).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Base URL for the Template API operations (default: the region's template host, or the
    /// [`base_url`](Self::base_url) when one is set, as emulators serve both).
    pub fn template_base_url(mut self, url: impl Into<String>) -> Self {
        self.template_base_url = Some(url.into());
        self
    }

    /// The project most calls use; read it back with [`Client::project`].
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// OAuth2 client credentials: tokens are fetched, cached and refreshed automatically.
    pub fn oauth2(mut self, key_id: impl Into<String>, key_secret: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::OAuth2 {
            key_id: key_id.into(),
            key_secret: SecretString::from(key_secret.into()),
        });
        self
    }

    /// HTTP Basic: the key id and secret are sent with every request.
    pub fn basic_auth(mut self, key_id: impl Into<String>, key_secret: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::Basic {
            key_id: key_id.into(),
            key_secret: SecretString::from(key_secret.into()),
        });
        self
    }

    /// The OAuth2 token endpoint (default [`DEFAULT_TOKEN_URL`]).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// Refresh a cached token when it expires within this margin (default 60 s).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = Some(margin);
        self
    }

    /// Retry policy for API calls and token requests.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Total time allowed for each request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time allowed to establish a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sends requests through a proxy.
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// How long idle pooled connections are kept.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = Some(timeout);
        self
    }

    /// Maximum idle connections kept per host.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = Some(max);
        self
    }

    /// Speaks HTTP/2 without negotiation (HTTP/2 over TLS is negotiated by ALPN anyway).
    pub fn http2_prior_knowledge(mut self) -> Self {
        self.http2_prior_knowledge = true;
        self
    }

    /// Accepts gzip-compressed responses (default on).
    pub fn gzip(mut self, enable: bool) -> Self {
        self.gzip = Some(enable);
        self
    }

    /// Trusts an extra root certificate (a corporate proxy, a test CA).
    pub fn add_root_certificate(mut self, certificate: reqwest::Certificate) -> Self {
        self.root_certificates.push(certificate);
        self
    }

    /// `User-Agent` header (default [`USER_AGENT`]).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Uses the caller's own `reqwest::Client`; the HTTP settings above are then ignored.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Reads the configuration from the process environment; see [`from_env_with`](Self::from_env_with).
    pub fn from_env(self) -> Result<Self, ConfigError> {
        self.from_env_with(|name| std::env::var(name).ok())
    }

    /// Reads `SINCH_PROJECT_ID`, `SINCH_KEY_ID`, `SINCH_KEY_SECRET` (required), `SINCH_REGION`
    /// or `SINCH_CONVERSATION_URL` (one required), and `SINCH_AUTH_URL` (optional) through `get`.
    pub fn from_env_with(
        mut self,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let required = |name: &'static str| match get(name) {
            Some(value) if !value.trim().is_empty() => Ok(value),
            Some(_) => Err(ConfigError::InvalidEnv {
                name,
                reason: "empty".into(),
            }),
            None => Err(ConfigError::MissingEnv(name)),
        };
        let optional = |name: &'static str| get(name).filter(|v| !v.trim().is_empty());
        self.project_id = Some(required("SINCH_PROJECT_ID")?);
        let key_id = required("SINCH_KEY_ID")?;
        let key_secret = required("SINCH_KEY_SECRET")?;
        self = self.oauth2(key_id, key_secret);
        if let Some(url) = optional("SINCH_CONVERSATION_URL") {
            validate_url(&url).map_err(|reason| ConfigError::InvalidEnv {
                name: "SINCH_CONVERSATION_URL",
                reason,
            })?;
            self.base_url = Some(url);
        }
        match optional("SINCH_REGION") {
            Some(region) => {
                let region = region
                    .parse::<Region>()
                    .map_err(|_| ConfigError::InvalidEnv {
                        name: "SINCH_REGION",
                        reason: format!("{region:?} is not one of us, eu, br"),
                    })?;
                self.region = Some(region);
            }
            None if self.base_url.is_none() => return Err(ConfigError::MissingEnv("SINCH_REGION")),
            None => {}
        }
        if let Some(url) = optional("SINCH_AUTH_URL") {
            validate_url(&url).map_err(|reason| ConfigError::InvalidEnv {
                name: "SINCH_AUTH_URL",
                reason,
            })?;
            self.token_url = Some(url);
        }
        Ok(self)
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, ConfigError> {
        let base_url = match (&self.base_url, self.region) {
            (Some(url), _) => url.trim_end_matches('/').to_owned(),
            (None, Some(region)) => region.conversation_url(),
            (None, None) => return Err(ConfigError::MissingBaseUrl),
        };
        validate_url(&base_url).map_err(|reason| ConfigError::InvalidUrl {
            url: base_url.clone(),
            reason,
        })?;
        let credentials = self
            .credentials
            .clone()
            .ok_or(ConfigError::MissingCredentials)?;
        ensure_crypto_provider();
        let http = match self.http.clone() {
            Some(http) => http,
            None => self.http_client()?,
        };
        let auth = match credentials {
            Credentials::Basic { key_id, key_secret } => {
                Auth::Basic(basic_header(&key_id, &key_secret))
            }
            Credentials::OAuth2 { key_id, key_secret } => {
                let token_url = self
                    .token_url
                    .clone()
                    .unwrap_or_else(|| DEFAULT_TOKEN_URL.to_owned());
                validate_url(&token_url).map_err(|reason| ConfigError::InvalidUrl {
                    url: token_url.clone(),
                    reason,
                })?;
                Auth::OAuth2(TokenSource::new(
                    http.clone(),
                    token_url,
                    key_id,
                    key_secret,
                    self.refresh_margin.unwrap_or(Duration::from_secs(60)),
                    self.retry.clone(),
                ))
            }
        };
        let template_base_url = match (self.template_base_url, &self.base_url, self.region) {
            (Some(url), _, _) => Some(url.trim_end_matches('/').to_owned()),
            (None, Some(_), _) => None,
            (None, None, Some(region)) => Some(region.template_url()),
            (None, None, None) => None,
        };
        if let Some(url) = &template_base_url {
            validate_url(url).map_err(|reason| ConfigError::InvalidUrl {
                url: url.clone(),
                reason,
            })?;
        }
        let state = ClientState {
            auth,
            retry: self.retry,
            project_id: self.project_id,
            template_base_url,
        };
        Ok(Client::new_with_client(&base_url, http, state))
    }

    fn http_client(&self) -> Result<reqwest::Client, ConfigError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(
                self.user_agent
                    .clone()
                    .unwrap_or_else(|| USER_AGENT.to_owned()),
            )
            .gzip(self.gzip.unwrap_or(true))
            .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)));
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(proxy) = self.proxy.clone() {
            builder = builder.proxy(proxy);
        }
        if let Some(timeout) = self.pool_idle_timeout {
            builder = builder.pool_idle_timeout(timeout);
        }
        if let Some(max) = self.pool_max_idle_per_host {
            builder = builder.pool_max_idle_per_host(max);
        }
        if self.http2_prior_knowledge {
            builder = builder.http2_prior_knowledge();
        }
        for certificate in &self.root_certificates {
            builder = builder.add_root_certificate(certificate.clone());
        }
        builder.build().map_err(ConfigError::Http)
    }
}

fn validate_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| e.to_string())?;
    match parsed.scheme() {
        "http" | "https" if parsed.host().is_some() => Ok(()),
        "http" | "https" => Err("no host".into()),
        other => Err(format!("scheme {other} is not http or https")),
    }
}

/// Whether a 401 says the token expired (`WWW-Authenticate: Bearer error="invalid_token", error_description="...expired..."`).
fn token_expired(response: &reqwest::Response) -> bool {
    response.status() == StatusCode::UNAUTHORIZED
        && response
            .headers()
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .any(|v| {
                v.to_str()
                    .is_ok_and(|s| s.to_ascii_lowercase().contains("expired"))
            })
}

impl ClientHooks<ClientState> for Client {
    /// Authenticates the request; a token failure stops it with an [`Error::Custom`](progenitor_client::Error::Custom).
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        if let Some(template_base) = &self.inner().template_base_url
            && crate::generated::TEMPLATE_OPERATIONS.contains(&info.operation_id)
        {
            let rest = request
                .url()
                .as_str()
                .strip_prefix(self.baseurl())
                .unwrap_or_default()
                .to_owned();
            *request.url_mut() =
                reqwest::Url::parse(&format!("{template_base}{rest}")).map_err(|e| {
                    progenitor_client::Error::InvalidRequest(format!("template URL: {e}"))
                })?;
        }
        match &self.inner().auth {
            Auth::None => {}
            Auth::Basic(header) => {
                request.headers_mut().insert(AUTHORIZATION, header.clone());
            }
            Auth::OAuth2(source) => {
                let token = source
                    .token()
                    .await
                    .map_err(|e| progenitor_client::Error::Custom(e.to_string()))?;
                request.headers_mut().insert(AUTHORIZATION, token.bearer());
            }
        }
        Ok(())
    }

    /// Sends the request with retries (see [`RetryPolicy`]) and one token refresh on an
    /// expired-token 401, inside a `tracing` span carrying the operation, status and latency.
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::debug_span!(
            "sinch_conversation.request",
            operation = info.operation_id,
            method = %request.method(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let started = std::time::Instant::now();
        let result = self
            .send_with_retries(request)
            .instrument(span.clone())
            .await;
        span.record("latency_ms", started.elapsed().as_secs_f64() * 1000.0);
        if let Ok(response) = &result {
            span.record("status", response.status().as_u16());
        }
        result
    }
}

impl Client {
    async fn send_with_retries(
        &self,
        request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let state = self.inner();
        let http = self.client();
        let policy = &state.retry;
        let method = request.method().clone();
        let mut request = request;
        let mut attempt: u32 = 1;
        let mut refreshed = false;
        loop {
            tracing::Span::current().record("attempts", attempt);
            // A body that cannot be cloned (a stream) gets exactly one attempt.
            let Some(retry_copy) = request.try_clone() else {
                return http.execute(request).await;
            };
            match http.execute(request).await {
                Ok(response) => {
                    if let (Auth::OAuth2(source), false, true) =
                        (&state.auth, refreshed, token_expired(&response))
                    {
                        refreshed = true;
                        let used = retry_copy.headers().get(AUTHORIZATION).cloned();
                        if let Some(used) = used {
                            source.invalidate_header(&used).await;
                        }
                        if let Ok(token) = source.token().await {
                            tracing::debug!("access token expired; refreshed and retrying once");
                            request = retry_copy;
                            request.headers_mut().insert(AUTHORIZATION, token.bearer());
                            continue;
                        }
                        return Ok(response);
                    }
                    if is_retryable_status(response.status()) && attempt < policy.max_attempts {
                        let delay = policy.delay(attempt, Some(response.headers()));
                        tracing::debug!(status = response.status().as_u16(), ?delay, "retrying");
                        tokio::time::sleep(delay).await;
                    } else {
                        return Ok(response);
                    }
                }
                Err(error) => {
                    if attempt >= policy.max_attempts
                        || !policy.may_retry_transport_error(&method, &error)
                    {
                        return Err(error);
                    }
                    let delay = policy.delay(attempt, None);
                    tracing::debug!(%error, ?delay, "retrying after transport error");
                    tokio::time::sleep(delay).await;
                }
            }
            request = retry_copy;
            attempt += 1;
        }
    }
}
