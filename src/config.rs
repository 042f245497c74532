//! Building a configured [`Client`]: region or base URL, credentials, retries and HTTP settings.

use std::{fmt, time::Duration};

use reqwest::Url;
use secrecy::SecretString;

pub use crate::error::ConfigError;
use crate::{
    Client,
    auth::{AuthScheme, Credentials, DEFAULT_TOKEN_URL, TokenSource},
    client::{Auth, ClientState},
    region::Region,
    retry::RetryPolicy,
    tls::{self, HttpVersion, RootCertificate},
};

/// The `User-Agent` sent unless [`ClientBuilder::user_agent`] replaces it.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "sinch-conversation-rust/",
    env!("CARGO_PKG_VERSION_MAJOR"),
    ".",
    env!("CARGO_PKG_VERSION_MINOR"),
    ".",
    env!("CARGO_PKG_VERSION_PATCH")
);

/// The environment variables [`ClientBuilder::from_env`] reads.
pub mod env {
    /// The project id, used as the client's default project (required).
    pub const PROJECT_ID: &str = "SINCH_PROJECT_ID";
    /// The access key id (required).
    pub const KEY_ID: &str = "SINCH_KEY_ID";
    /// The access key secret (required).
    pub const KEY_SECRET: &str = "SINCH_KEY_SECRET";
    /// The region: `us`, `eu` or `br` (required unless `SINCH_CONVERSATION_URL` is set).
    pub const REGION: &str = "SINCH_REGION";
    /// A base URL replacing the region's (optional).
    pub const CONVERSATION_URL: &str = "SINCH_CONVERSATION_URL";
    /// An OAuth2 token URL replacing the default (optional).
    pub const AUTH_URL: &str = "SINCH_AUTH_URL";
}

/// HTTP settings for the client the builder creates.
#[derive(Clone)]
struct HttpSettings {
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    proxies: Vec<reqwest::Proxy>,
    pool_idle_timeout: Option<Option<Duration>>,
    pool_max_idle_per_host: Option<usize>,
    version: HttpVersion,
    gzip: bool,
    roots: Vec<RootCertificate>,
    user_agent: String,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            timeout: Some(Duration::from_secs(30)),
            connect_timeout: Some(Duration::from_secs(10)),
            proxies: Vec::new(),
            pool_idle_timeout: None,
            pool_max_idle_per_host: None,
            version: HttpVersion::default(),
            gzip: true,
            roots: Vec::new(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
        }
    }
}

impl HttpSettings {
    fn build(&self) -> Result<reqwest::Client, ConfigError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(self.user_agent.clone())
            .gzip(self.gzip)
            .tls_backend_preconfigured(tls::client_config(&self.roots, self.version)?);
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(timeout) = self.connect_timeout {
            builder = builder.connect_timeout(timeout);
        }
        for proxy in &self.proxies {
            builder = builder.proxy(proxy.clone());
        }
        if let Some(idle) = self.pool_idle_timeout {
            builder = builder.pool_idle_timeout(idle);
        }
        if let Some(max) = self.pool_max_idle_per_host {
            builder = builder.pool_max_idle_per_host(max);
        }
        builder = match self.version {
            HttpVersion::Negotiate => builder,
            HttpVersion::Http1Only => builder.http1_only(),
            HttpVersion::Http2PriorKnowledge => builder.http2_prior_knowledge(),
        };
        builder.build().map_err(ConfigError::Http)
    }
}

/// Configures and builds a [`Client`].
///
/// A region (or an explicit base URL) and credentials are required; everything else has a
/// default: OAuth2 with the token refreshed 60 s before it expires, the default
/// [`RetryPolicy`], a 30 s request timeout, a 10 s connect timeout, gzip, HTTP/2 when the server
/// offers it, and the `User-Agent` [`DEFAULT_USER_AGENT`].
///
/// ```
/// use std::time::Duration;
/// use sinch_conversation::{Client, Region, RetryPolicy};
///
/// let client = Client::builder()
///     .region(Region::Eu)
///     .project_id("my-project-id")
///     .oauth2("my-key-id", "my-key-secret")
///     .timeout(Duration::from_secs(10))
///     .retry_policy(RetryPolicy::default().with_max_attempts(5))
///     .build()?;
/// assert_eq!(client.project(), "my-project-id");
/// # Ok::<(), sinch_conversation::ConfigError>(())
/// ```
#[derive(Clone, Default)]
pub struct ClientBuilder {
    region: Option<Region>,
    base_url: Option<String>,
    project_id: Option<String>,
    credentials: Option<Credentials>,
    scheme: AuthScheme,
    token_url: Option<String>,
    token_refresh_margin: Option<Duration>,
    token_retry: Option<RetryPolicy>,
    retry: RetryPolicy,
    template_base_url: Option<String>,
    http: HttpSettings,
    http_client: Option<reqwest::Client>,
    max_response_body: Option<usize>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("region", &self.region)
            .field("base_url", &self.base_url.as_deref().map(without_userinfo))
            .field("project_id", &self.project_id)
            .field("credentials", &self.credentials)
            .field("scheme", &self.scheme)
            .field(
                "token_url",
                &self.token_url.as_deref().map(without_userinfo),
            )
            .field("retry", &self.retry)
            .field(
                "template_base_url",
                &self.template_base_url.as_deref().map(without_userinfo),
            )
            .field("custom_http_client", &self.http_client.is_some())
            .field("max_response_body", &self.max_response_body)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client; see [`ClientBuilder`].
    ///
    /// ```
    /// use sinch_conversation::{Client, Region};
    ///
    /// let client = Client::builder()
    ///     .region(Region::Us)
    ///     .oauth2("key-id", "key-secret")
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), sinch_conversation::ConfigError>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }
}

impl ClientBuilder {
    /// A builder configured from the environment.
    ///
    /// Reads `SINCH_PROJECT_ID`, `SINCH_KEY_ID`, `SINCH_KEY_SECRET` and `SINCH_REGION`, and the
    /// optional overrides `SINCH_CONVERSATION_URL` (replaces the region's base URL; then
    /// `SINCH_REGION` may be unset) and `SINCH_AUTH_URL` (the OAuth2 token URL). Credentials are
    /// used with OAuth2 (switch with `.auth_scheme(AuthScheme::Basic)`). A missing, empty or
    /// malformed variable is a [`ConfigError`] naming it ([`ConfigError::env_var`]). The result
    /// can be adjusted further before `build()`.
    ///
    /// ```no_run
    /// use sinch_conversation::ClientBuilder;
    ///
    /// let client = ClientBuilder::from_env()?.build()?;
    /// # let _ = client;
    /// # Ok::<(), sinch_conversation::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| match std::env::var(name) {
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err("not valid UTF-8".to_owned()),
        })
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup` instead of the
    /// process environment (for tests, or configuration from another source).
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use sinch_conversation::ClientBuilder;
    ///
    /// let vars = HashMap::from([
    ///     ("SINCH_PROJECT_ID", "my-project"),
    ///     ("SINCH_KEY_ID", "my-key-id"),
    ///     ("SINCH_KEY_SECRET", "my-key-secret"),
    ///     ("SINCH_REGION", "br"),
    /// ]);
    /// let client = ClientBuilder::from_env_with(|name| vars.get(name).map(|v| v.to_string()))?
    ///     .build()?;
    /// assert_eq!(client.project(), "my-project");
    ///
    /// let error = ClientBuilder::from_env_with(|name| match name {
    ///     "SINCH_REGION" => Some("mars".into()),
    ///     other => vars.get(other).map(|v| v.to_string()),
    /// })
    /// .unwrap_err();
    /// assert_eq!(error.env_var(), Some("SINCH_REGION"));
    /// # Ok::<(), sinch_conversation::ConfigError>(())
    /// ```
    pub fn from_env_with(
        mut lookup: impl FnMut(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        Self::from_lookup(|name| Ok(lookup(name)))
    }

    fn from_lookup(
        mut lookup: impl FnMut(&str) -> Result<Option<String>, String>,
    ) -> Result<Self, ConfigError> {
        let mut get = |var: &'static str| -> Result<Option<String>, ConfigError> {
            match lookup(var) {
                Ok(value) => Ok(value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())),
                Err(reason) => Err(ConfigError::InvalidEnv { var, reason }),
            }
        };
        let require =
            |var: &'static str, value: Option<String>| value.ok_or(ConfigError::MissingEnv { var });

        let project_id = require(env::PROJECT_ID, get(env::PROJECT_ID)?)?;
        let key_id = require(env::KEY_ID, get(env::KEY_ID)?)?;
        let key_secret = require(env::KEY_SECRET, get(env::KEY_SECRET)?)?;
        let region = get(env::REGION)?
            .map(|value| {
                value
                    .parse::<Region>()
                    .map_err(|e| ConfigError::InvalidEnv {
                        var: env::REGION,
                        reason: e.to_string(),
                    })
            })
            .transpose()?;
        let base_url = get(env::CONVERSATION_URL)?
            .map(|url| check_url("base URL", &url).map_err(|e| env_error(env::CONVERSATION_URL, e)))
            .transpose()?;
        let token_url = get(env::AUTH_URL)?
            .map(|url| check_url("token URL", &url).map_err(|e| env_error(env::AUTH_URL, e)))
            .transpose()?;
        if region.is_none() && base_url.is_none() {
            return Err(ConfigError::MissingEnv { var: env::REGION });
        }

        let mut builder = Self::default()
            .project_id(project_id)
            .oauth2(key_id, key_secret);
        builder.region = region;
        builder.base_url = base_url.map(|u| u.to_string());
        builder.token_url = token_url.map(|u| u.to_string());
        Ok(builder)
    }

    /// The region whose base URL the client calls (ignored when [`base_url`](Self::base_url)
    /// is set).
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// An explicit base URL (a proxy, a test server, the emulator), overriding the region.
    ///
    /// ```
    /// use sinch_conversation::Client;
    ///
    /// let client = Client::builder()
    ///     .base_url("http://localhost:8080")
    ///     .basic_auth("key-id", "key-secret")
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), sinch_conversation::ConfigError>(())
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Base URL of the Template API operations (default: the region's template host, or the
    /// [`base_url`](Self::base_url) when one is set, as emulators serve both).
    pub fn template_base_url(mut self, url: impl Into<String>) -> Self {
        self.template_base_url = Some(url.into());
        self
    }

    /// The project most calls use: read it back with [`Client::project`] (as in
    /// `.project_id(client.project())`); the message helpers use it directly.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// The access key (id and secret) from the Sinch dashboard, used with the current
    /// [`auth_scheme`](Self::auth_scheme) (OAuth2 unless changed).
    pub fn credentials(mut self, key_id: impl Into<String>, key_secret: impl Into<String>) -> Self {
        self.credentials = Some(Credentials {
            key_id: key_id.into(),
            key_secret: SecretString::from(key_secret.into()),
        });
        self
    }

    /// How the credentials authenticate requests.
    pub fn auth_scheme(mut self, scheme: AuthScheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// OAuth2 client credentials: `credentials(..)` plus [`AuthScheme::OAuth2`].
    pub fn oauth2(self, key_id: impl Into<String>, key_secret: impl Into<String>) -> Self {
        self.credentials(key_id, key_secret)
            .auth_scheme(AuthScheme::OAuth2)
    }

    /// HTTP Basic: `credentials(..)` plus [`AuthScheme::Basic`].
    pub fn basic_auth(self, key_id: impl Into<String>, key_secret: impl Into<String>) -> Self {
        self.credentials(key_id, key_secret)
            .auth_scheme(AuthScheme::Basic)
    }

    /// The OAuth2 token endpoint (default `https://auth.sinch.com/oauth2/token`).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// How long before its expiry a cached token is replaced (default 60 s; at most half the
    /// token's lifetime is used).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_refresh_margin = Some(margin);
        self
    }

    /// Retries of the token request on 429, 5xx and transport failures (default: the
    /// default [`RetryPolicy`]'s attempts and delays).
    pub fn token_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.token_retry = Some(policy);
        self
    }

    /// Retries of API requests (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The most bytes of a success body the client reads, counted after decompression
    /// (default [`DEFAULT_MAX_RESPONSE_BODY`](crate::DEFAULT_MAX_RESPONSE_BODY), 8 MiB). A
    /// larger body fails the call with [`Error::BodyTooLarge`](crate::Error::BodyTooLarge)
    /// without being read further. Error answers keep their first 1 MiB.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = Some(bytes);
        self
    }

    /// The total time allowed for one attempt of a request (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http.timeout = Some(timeout);
        self
    }

    /// The time allowed to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http.connect_timeout = Some(timeout);
        self
    }

    /// Sends requests through `proxy`; may be called more than once.
    ///
    /// ```
    /// use sinch_conversation::{Client, Region, reqwest::Proxy};
    ///
    /// let client = Client::builder()
    ///     .region(Region::Eu)
    ///     .oauth2("key-id", "key-secret")
    ///     .proxy(Proxy::all("http://proxy.internal:3128")?)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.http.proxies.push(proxy);
        self
    }

    /// How long an idle pooled connection is kept (`None`: forever).
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.http.pool_idle_timeout = Some(timeout);
        self
    }

    /// The most idle connections kept per host.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.http.pool_max_idle_per_host = Some(max);
        self
    }

    /// Only speak HTTP/1.1 (by default HTTP/2 is used when the server offers it via ALPN).
    pub fn http1_only(mut self) -> Self {
        self.http.version = HttpVersion::Http1Only;
        self
    }

    /// Speak HTTP/2 without negotiating it first.
    pub fn http2_prior_knowledge(mut self) -> Self {
        self.http.version = HttpVersion::Http2PriorKnowledge;
        self
    }

    /// Ask for and decode gzip-compressed responses (default on).
    pub fn gzip(mut self, enabled: bool) -> Self {
        self.http.gzip = enabled;
        self
    }

    /// Also trust the root certificates in `pem` (one or more `CERTIFICATE` sections) on top
    /// of the platform's; parsed by [`build`](Self::build).
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.http.roots.push(RootCertificate::Pem(pem.into()));
        self
    }

    /// Also trust the DER-encoded root certificate `der` on top of the platform's.
    pub fn add_root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.http.roots.push(RootCertificate::Der(der.into()));
        self
    }

    /// The `User-Agent` header (default [`DEFAULT_USER_AGENT`]).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.http.user_agent = user_agent.into();
        self
    }

    /// Uses the caller's own `reqwest::Client` for API and token requests.
    ///
    /// The HTTP settings of this builder (timeouts, proxy, pool, HTTP version, gzip, root
    /// certificates, user agent) are then ignored: configure them on `client`. Since this crate
    /// builds reqwest without a default crypto provider, give `client` a TLS configuration
    /// (for example `tls_backend_preconfigured` with a `rustls::ClientConfig`).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, ConfigError> {
        let base_url = match (&self.base_url, self.region) {
            (Some(url), _) => check_url("base URL", url)?,
            (None, Some(region)) => check_url("base URL", region.base_url())?,
            (None, None) => return Err(ConfigError::MissingBaseUrl),
        };
        let credentials = self.credentials.ok_or(ConfigError::MissingCredentials)?;
        if credentials.key_id.is_empty() {
            return Err(ConfigError::InvalidCredentials {
                reason: "the key id is empty".to_owned(),
            });
        }
        if secrecy::ExposeSecret::expose_secret(&credentials.key_secret).is_empty() {
            return Err(ConfigError::InvalidCredentials {
                reason: "the key secret is empty".to_owned(),
            });
        }
        let invalid_header = || ConfigError::InvalidCredentials {
            reason: "the credentials do not fit in an HTTP header".to_owned(),
        };
        let auth = match self.scheme {
            AuthScheme::Basic => {
                Auth::Basic(credentials.basic_header().ok_or_else(invalid_header)?)
            }
            AuthScheme::OAuth2 => {
                let token_url = check_url(
                    "token URL",
                    self.token_url.as_deref().unwrap_or(DEFAULT_TOKEN_URL),
                )?;
                let source = TokenSource::new(
                    credentials,
                    token_url,
                    self.token_refresh_margin.unwrap_or(Duration::from_secs(60)),
                    self.token_retry.unwrap_or_default(),
                )
                .ok_or_else(invalid_header)?;
                Auth::OAuth2(Box::new(source))
            }
        };
        let http = match self.http_client {
            Some(client) => client,
            None => self.http.build()?,
        };
        let template_base_url = match (&self.template_base_url, &self.base_url, self.region) {
            (Some(url), _, _) => Some(check_url("template URL", url)?),
            (None, Some(_), _) => None,
            (None, None, Some(region)) => {
                Some(check_url("template URL", region.template_base_url())?)
            }
            (None, None, None) => None,
        }
        .map(|url| url.as_str().trim_end_matches('/').to_owned());
        let base = base_url.as_str().trim_end_matches('/').to_owned();
        let state = ClientState::new(
            auth,
            self.retry,
            self.project_id,
            base_url.path(),
            template_base_url,
            self.max_response_body
                .unwrap_or(crate::body::DEFAULT_MAX_RESPONSE_BODY),
        );
        Ok(Client::new_with_client(&base, http, state))
    }
}

fn env_error(var: &'static str, error: ConfigError) -> ConfigError {
    ConfigError::InvalidEnv {
        var,
        reason: error.to_string(),
    }
}

/// Parses an absolute `http`/`https` URL usable as a base (no query or fragment).
fn check_url(setting: &'static str, url: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidUrl {
        setting,
        url: without_userinfo(url),
        reason: reason.to_owned(),
    };
    let parsed = Url::parse(url.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a query or fragment is not allowed"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("credentials in the URL are not allowed"));
    }
    Ok(parsed)
}

/// `url` with any userinfo (`id:pw@`) masked, so that an error or `Debug` never echoes
/// credentials, even for a URL too broken to parse: `https://id:pw@h`, `https:\\id:pw@h`,
/// `https:/id:pw@h` and `https:id:pw@h` all become `…***@h`.
pub(crate) fn without_userinfo(url: &str) -> String {
    // After an optional scheme (`https:`) and any run of `/` or `\`, everything up to the last
    // `@` before a query or fragment is masked: a password may itself hold `/` (masking an `@`
    // of a path instead costs nothing in a message).
    let scheme_end = url
        .find(':')
        .filter(|&i| {
            i > 0
                && url[..i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        })
        .map_or(0, |i| i + 1);
    let rest = &url[scheme_end..];
    let slashes = rest.len() - rest.trim_start_matches(['/', '\\']).len();
    let authority = &rest[slashes..];
    let end = authority.find(['?', '#']).unwrap_or(authority.len());
    match authority[..end].rfind('@') {
        // `id:pw@h` without a scheme reads `id` as one: `id:***@h`, the secret still masked.
        Some(at) => format!(
            "{}***@{}",
            &url[..scheme_end + slashes],
            &authority[at + 1..]
        ),
        None => url.to_owned(),
    }
}
