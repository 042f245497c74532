//! State carried by the generated [`Client`](crate::Client) and the hooks that execute its requests.
//!
//! Every generated operation ends in [`ClientHooks::exec`], which here authenticates the request
//! (Basic, or an OAuth2 bearer token from the cache), sends it, refreshes an expired token and
//! retries once, retries per the [`RetryPolicy`], reads and redacts error answers, and records
//! one `tracing` span per request. Success answers are decoded by `decode`, which `build.rs`
//! puts in place of progenitor's own: one read of the body, within its limit. (Just over 600
//! lines: the hook's steps share `Shared` and its failure type, and read best together.)

use std::{fmt, sync::Arc, time::Instant};

use progenitor_client::{ClientHooks, OperationInfo, ResponseValue};
use reqwest::{
    Request, Response, ResponseBuilderExt as _, StatusCode,
    header::{AUTHORIZATION, HeaderMap, HeaderValue, WWW_AUTHENTICATE},
};
use tracing::{Instrument as _, field::Empty};

use crate::{
    auth::{AuthError, Token, TokenSource},
    body::{self, DEFAULT_MAX_RESPONSE_BODY, MAX_ERROR_BODY},
    carry::carry,
    error::{ApiError, BufferedBody},
    retry::{RetryPolicy, retry_after},
    types::RuntimeError,
};

/// Hand-written state the generated client carries: authentication, retries, default project.
///
/// Built by [`ClientBuilder`](crate::ClientBuilder). [`ClientState::default()`] (no
/// authentication, the default retry policy, no project) suits a local emulator or a mock server
/// used with the generated `Client::new`. Cloning is cheap and shares the token cache.
#[derive(Clone)]
pub struct ClientState {
    shared: Arc<Shared>,
    /// The default `project_id` of every operation.
    project_id: Option<Arc<str>>,
}

#[derive(Debug, Default)]
struct Shared {
    auth: Auth,
    retry: RetryPolicy,
    /// Path of the base URL without its trailing slash (`""` for a bare host).
    base_path: String,
    /// Where Template API operations go; `None`: the base URL, like everything else.
    template_base_url: Option<String>,
    /// The most bytes of a success body that are read (decoded).
    max_body: usize,
}

/// How requests are authenticated.
#[derive(Debug, Default)]
pub(crate) enum Auth {
    /// Not at all (the generated `Client::new`).
    #[default]
    None,
    /// `Authorization: Basic ..` on every request (a sensitive header value).
    Basic(HeaderValue),
    /// `Authorization: Bearer ..` from the token source.
    OAuth2(Box<TokenSource>),
}

impl fmt::Debug for ClientState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth: &dyn fmt::Debug = match &self.shared.auth {
            Auth::None => &"None",
            Auth::Basic(_) => &"Basic",
            Auth::OAuth2(source) => source,
        };
        f.debug_struct("ClientState")
            .field("auth", auth)
            .field("retry", &self.shared.retry)
            .field("project_id", &self.project_id)
            .field("template_base_url", &self.shared.template_base_url)
            .finish()
    }
}

impl Default for ClientState {
    /// No authentication, the default retry policy, no project.
    ///
    /// Also installs `ring` as the process-wide rustls crypto provider if none is installed,
    /// so that the generated `Client::new` can build its own HTTP client. Clients made by
    /// [`ClientBuilder`](crate::ClientBuilder) never need this.
    fn default() -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Self::new(
            Auth::None,
            RetryPolicy::default(),
            None,
            "",
            None,
            DEFAULT_MAX_RESPONSE_BODY,
        )
    }
}

impl ClientState {
    /// State without credentials (for local emulators and mock servers) with `retry`.
    ///
    /// ```
    /// use sinch_conversation::{Client, ClientState, RetryPolicy};
    ///
    /// let client = Client::new("http://localhost:8080", ClientState::unauthenticated(RetryPolicy::none()));
    /// # let _ = client;
    /// ```
    pub fn unauthenticated(retry: RetryPolicy) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Self::new(Auth::None, retry, None, "", None, DEFAULT_MAX_RESPONSE_BODY)
    }

    /// The same state with `project_id` as every operation's default project.
    ///
    /// ```
    /// use sinch_conversation::{Client, ClientState, RetryPolicy};
    ///
    /// let state = ClientState::unauthenticated(RetryPolicy::none()).with_project_id("my-project");
    /// let client = Client::new("http://localhost:8080", state);
    /// assert_eq!(client.project(), "my-project");
    /// ```
    pub fn with_project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(Arc::from(project_id.into()));
        self
    }

    pub(crate) fn new(
        auth: Auth,
        retry: RetryPolicy,
        project_id: Option<String>,
        base_path: &str,
        template_base_url: Option<String>,
        max_body: usize,
    ) -> Self {
        Self {
            project_id: project_id.map(Arc::from),
            shared: Arc::new(Shared {
                auth,
                retry,
                base_path: base_path.trim_end_matches('/').to_owned(),
                template_base_url,
                max_body,
            }),
        }
    }
}

impl crate::Client {
    /// The project id given to the builder (`""` when none was). Every generated operation
    /// uses it unless `.project_id(..)` overrides it.
    ///
    /// ```
    /// use sinch_conversation::{Client, Region};
    ///
    /// let client = Client::builder()
    ///     .region(Region::Eu)
    ///     .project_id("my-project")
    ///     .oauth2("key-id", "key-secret")
    ///     .build()?;
    /// assert_eq!(client.project(), "my-project");
    /// # Ok::<(), sinch_conversation::ConfigError>(())
    /// ```
    pub fn project(&self) -> &str {
        self.inner.project_id.as_deref().unwrap_or_default()
    }

    /// Where every generated builder's `project_id` starts (`build.rs` puts the call there):
    /// the configured project, or the error a builder reports when none is set.
    pub(crate) fn default_project(&self) -> Result<String, String> {
        self.inner
            .project_id
            .as_deref()
            .map(str::to_owned)
            .ok_or_else(|| {
                "no project_id: configure ClientBuilder::project_id, or call .project_id(..) on \
             the operation"
                    .to_owned()
            })
    }

    /// Fetches an OAuth2 access token now, unless a valid one is cached: checks the credentials
    /// at start-up and warms the cache. Does nothing with Basic auth.
    ///
    /// ```no_run
    /// # async fn f(client: &sinch_conversation::Client) -> Result<(), sinch_conversation::AuthError> {
    /// client.authenticate().await?;
    /// # Ok(()) }
    /// ```
    pub async fn authenticate(&self) -> Result<(), AuthError> {
        match &self.inner.shared.auth {
            Auth::OAuth2(source) => source.token(&self.client).await.map(drop),
            Auth::None | Auth::Basic(_) => Ok(()),
        }
    }

    /// How many OAuth2 token requests this client (and its clones) has sent, retries included
    /// (always 0 with Basic auth).
    pub fn token_requests(&self) -> u64 {
        match &self.inner.shared.auth {
            Auth::OAuth2(source) => source.requests(),
            Auth::None | Auth::Basic(_) => 0,
        }
    }
}

impl ClientHooks<ClientState> for crate::Client {
    /// Rejects an empty project id and routes Template API operations to their host.
    async fn pre<E>(
        &self,
        request: &mut Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let shared = &self.inner.shared;
        shared
            .check_project(request)
            .map_err(progenitor_client::Error::InvalidRequest)?;
        if let Some(template_base) = &shared.template_base_url
            && crate::operations::find(info.operation_id)
                .is_some_and(|op| op.host == crate::operations::Host::Template)
        {
            let Some(rest) = request.url().as_str().strip_prefix(self.baseurl.as_str()) else {
                return Err(progenitor_client::Error::InvalidRequest(format!(
                    "template operation {} is not under the base URL",
                    info.operation_id
                )));
            };
            *request.url_mut() =
                reqwest::Url::parse(&format!("{template_base}{rest}")).map_err(|e| {
                    progenitor_client::Error::InvalidRequest(format!("template URL: {e}"))
                })?;
        }
        Ok(())
    }

    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        // Sinch's own name too, for logs that Sinch support can read.
        let sinch_id = crate::operations::find(info.operation_id).map_or("", |op| op.sinch_id);
        let span = tracing::info_span!(
            "sinch_conversation.request",
            operation_id = info.operation_id,
            sinch_operation_id = sinch_id,
            method = %request.method(),
            status = Empty,
            attempts = Empty,
            latency_ms = Empty,
            error = Empty,
        );
        self.inner
            .shared
            .execute(&self.client, request, span.clone())
            .instrument(span)
            .await
    }
}

/// Why a request produced no response.
enum Failure {
    Transport(reqwest::Error),
    Auth(AuthError),
    /// An error answer whose body the generated code could not decode (HTML from a proxy,
    /// plain text, empty): handed over whole so that its status is not lost. (A success status
    /// with a Sinch error envelope is found later, by [`decode`].)
    Api(Box<ApiError>),
}

impl Shared {
    /// An empty project id would call `/v1/projects//...`: say what is missing instead.
    fn check_project(&self, request: &Request) -> Result<(), String> {
        let path = request.url().path();
        // Conversation operations live under /v1, template operations under /v2.
        let empty = path
            .strip_prefix(self.base_path.as_str())
            .and_then(|rest| {
                rest.strip_prefix("/v1")
                    .or_else(|| rest.strip_prefix("/v2"))
            })
            .is_some_and(|rest| rest.starts_with("/projects//"));
        if empty {
            return Err(
                "project_id is empty: configure ClientBuilder::project_id (SINCH_PROJECT_ID) \
                        or pass one with .project_id(..)"
                    .to_owned(),
            );
        }
        Ok(())
    }

    /// Sends `request` with authentication and retries, recording the outcome on the span.
    async fn execute(
        &self,
        http: &reqwest::Client,
        request: Request,
        span: tracing::Span,
    ) -> reqwest::Result<Response> {
        let started = Instant::now();
        let result = self.send_with_retries(http, request, &span).await;
        span.record(
            "latency_ms",
            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        );
        match result {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                Ok(response)
            }
            Err(Failure::Transport(error)) => {
                span.record("error", describe(&error));
                Err(error)
            }
            Err(Failure::Auth(error)) => {
                span.record("error", tracing::field::display(&error));
                carry(error).await
            }
            Err(Failure::Api(error)) => {
                span.record("status", error.status().as_u16());
                carry(*error).await
            }
        }
    }

    async fn send_with_retries(
        &self,
        http: &reqwest::Client,
        mut original: Request,
        span: &tracing::Span,
    ) -> Result<Response, Failure> {
        let method = original.method().clone();
        // `attempt` counts the attempts the retry policy allows; `sent` every request sent.
        let mut attempt = 1;
        let mut sent = 0u32;
        let mut refreshed = false;
        loop {
            sent += 1;
            span.record("attempts", sent);
            let Some(mut request) = copy(&original) else {
                // A streaming body can be sent only once: no retries.
                let token = self.authorize(http, &mut original).await?;
                let response = http.execute(original).await.map_err(Failure::Transport)?;
                return self.read_error_body(response, token.as_deref()).await;
            };
            let token = self.authorize(http, &mut request).await?;
            match http.execute(request).await {
                Ok(response) => {
                    let status = response.status();
                    if let (Some(token), Auth::OAuth2(source)) = (&token, &self.auth)
                        && status == StatusCode::UNAUTHORIZED
                        && !refreshed
                        && token_expired(response.headers())
                    {
                        refreshed = true;
                        tracing::debug!("access token expired; retrying once with a new one");
                        drop(response);
                        source.replace(http, token).await.map_err(Failure::Auth)?;
                        continue;
                    }
                    if self.retry.retries_status(status)
                        && let Some(delay) =
                            self.retry.delay(attempt, retry_after(response.headers()))
                    {
                        tracing::debug!(%status, attempt, ?delay, "retrying");
                        drop(response);
                        tokio::time::sleep(delay).await;
                        attempt += 1;
                        continue;
                    }
                    return self.read_error_body(response, token.as_deref()).await;
                }
                Err(error) => {
                    if self.retry.retries_error(&error, &method)
                        && let Some(delay) = self.retry.delay(attempt, None)
                    {
                        tracing::debug!(%error, attempt, ?delay, "retrying");
                        tokio::time::sleep(delay).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(Failure::Transport(error));
                }
            }
        }
    }

    /// Adds the `Authorization` header; returns the bearer token used, if any.
    async fn authorize(
        &self,
        http: &reqwest::Client,
        request: &mut Request,
    ) -> Result<Option<Arc<Token>>, Failure> {
        match &self.auth {
            Auth::None => Ok(None),
            Auth::Basic(value) => {
                request.headers_mut().insert(AUTHORIZATION, value.clone());
                Ok(None)
            }
            Auth::OAuth2(source) => {
                let token = source.token(http).await.map_err(Failure::Auth)?;
                let value = token.header();
                request.headers_mut().insert(AUTHORIZATION, value);
                Ok(Some(token))
            }
        }
    }
}

/// A copy of `request` to send, so that the original stays for a retry; `None` for a
/// streaming body, which can be sent only once.
///
/// `Request::try_clone` always allocates reqwest's per-request timeout slot (three allocations)
/// where the generated code sets no timeout; reqwest then allocates one of them itself when it
/// sends, so this saves one allocation per request, measured. It copies what a request holds
/// (method, URL, headers, version, a timeout if set) and the body's bytes, which
/// `try_clone` would share: request bodies here are small JSON.
fn copy(request: &Request) -> Option<Request> {
    let body = match request.body() {
        Some(body) => Some(reqwest::Body::from(bytes::Bytes::copy_from_slice(
            body.as_bytes()?,
        ))),
        None => None,
    };
    let mut copy = Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    if let Some(timeout) = request.timeout() {
        *copy.timeout_mut() = Some(*timeout);
    }
    *copy.body_mut() = body;
    Some(copy)
}

/// A transport failure for logs: its kind and causes, without the URL, whose path or query
/// can hold phone numbers (`/consents/identities/{identity}`, `channel_identity=`).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "response body failed"
    } else {
        "request failed"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Whether a `WWW-Authenticate` header says the token expired.
fn token_expired(headers: &HeaderMap) -> bool {
    headers.get_all(WWW_AUTHENTICATE).iter().any(|value| {
        value
            .as_bytes()
            .to_ascii_lowercase()
            .windows(b"expired".len())
            .any(|w| w == b"expired")
    })
}

impl Shared {
    /// Reads an error answer's body (its first 1 MiB) before the generated code sees it; a
    /// success answer passes through unread, for [`decode`].
    ///
    /// - The body is kept in the response's extensions, so that [`Error`](crate::Error) can
    ///   show it without async code.
    /// - A body that is not a Sinch error envelope would make the generated code fail with
    ///   `InvalidResponsePayload`, which has no status, so it becomes a [`Failure::Api`].
    /// - An error answer may echo the request's credentials: they are gone before anything
    ///   keeps the body or the headers.
    async fn read_error_body(
        &self,
        mut response: Response,
        token: Option<&Token>,
    ) -> Result<Response, Failure> {
        let status = response.status();
        if !(status.is_client_error() || status.is_server_error()) {
            return Ok(response);
        }
        let read = body::read(&mut response, MAX_ERROR_BODY)
            .await
            .map_err(Failure::Transport)?;
        let (headers, body) =
            self.redacted(token, std::mem::take(response.headers_mut()), read.bytes);
        if !is_envelope(&body) {
            return Err(Failure::Api(Box::new(ApiError::new(
                status,
                headers,
                Some(body),
            ))));
        }
        let buffered = BufferedBody(body.clone());
        let mut rebuilt = http::Response::new(reqwest::Body::from(body));
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = response.version();
        *rebuilt.headers_mut() = headers;
        // reqwest keeps a response's URL in an extension that only its builder can set.
        if let Ok(with_url) = http::Response::builder()
            .url(response.url().clone())
            .body(())
        {
            *rebuilt.extensions_mut() = with_url.into_parts().0.extensions;
        }
        rebuilt.extensions_mut().insert(buffered);
        Ok(Response::from(rebuilt))
    }

    /// A success answer's body, read within the client's limit, with its status and headers.
    ///
    /// - A body over [`max_response_body`](crate::ClientBuilder::max_response_body) is
    ///   [`BodyTooLarge`](crate::BodyTooLarge); the rest of it is never read.
    /// - A body that is a Sinch error envelope (`{"error": {...}}` and nothing else) is an API
    ///   error: the generated model would read it as an empty success. It is redacted with the
    ///   credentials in use now (the token a request carried is the cached one, or one that
    ///   has since been replaced).
    async fn success<E>(
        &self,
        mut response: Response,
    ) -> Result<(StatusCode, HeaderMap, bytes::Bytes), progenitor_client::Error<E>> {
        let status = response.status();
        let read = body::read(&mut response, self.max_body)
            .await
            .map_err(progenitor_client::Error::ResponseBodyError)?;
        let body = match read.complete(self.max_body) {
            Ok(body) => body,
            Err(too_large) => return crate::carry::generated(too_large).await,
        };
        let headers = std::mem::take(response.headers_mut());
        if only_error_key(&body) && is_envelope(&body) {
            let token = match &self.auth {
                Auth::OAuth2(source) => source.cached(),
                Auth::None | Auth::Basic(_) => None,
            };
            let (headers, body) = self.redacted(token.as_deref(), headers, body);
            return crate::carry::generated(ApiError::new(status, headers, Some(body))).await;
        }
        Ok((status, headers, body))
    }
}

/// A success answer decoded as `T` (`build.rs` puts the calls in place of progenitor's
/// `ResponseValue::from_response`): the body is read once, within the limit, and the
/// response is never rebuilt.
pub(crate) async fn decode<T: serde::de::DeserializeOwned, E>(
    client: &crate::Client,
    response: Response,
) -> Result<ResponseValue<T>, progenitor_client::Error<E>> {
    let (status, headers, body) = client.inner.shared.success(response).await?;
    match serde_json::from_slice(&body) {
        Ok(inner) => Ok(ResponseValue::new(inner, status, headers)),
        Err(error) => Err(progenitor_client::Error::InvalidResponsePayload(
            body, error,
        )),
    }
}

/// A success answer without a model (in place of `ResponseValue::empty`): its body is still
/// read within the limit and checked for an error envelope, and the connection stays reusable.
pub(crate) async fn decode_empty<E>(
    client: &crate::Client,
    response: Response,
) -> Result<ResponseValue<()>, progenitor_client::Error<E>> {
    let (status, headers, _) = client.inner.shared.success(response).await?;
    Ok(ResponseValue::new((), status, headers))
}

/// Whether `body` is a Sinch error envelope (`{"error": {...}}`).
fn is_envelope(body: &[u8]) -> bool {
    serde_json::from_slice::<RuntimeError>(body)
        .ok()
        .and_then(|e| e.error)
        .is_some()
}

impl Shared {
    /// An answer's headers and body without the credentials a request carried (see
    /// [`secrets`](Self::secrets)), before anything keeps them.
    fn redacted(
        &self,
        token: Option<&Token>,
        mut headers: HeaderMap,
        body: bytes::Bytes,
    ) -> (HeaderMap, bytes::Bytes) {
        let secrets = self.secrets(token);
        crate::redact::headers(&mut headers, &secrets);
        (headers, crate::redact::body(body, &secrets))
    }

    /// Every form of the credentials a request carried, as an answer could echo them: the
    /// Basic value and the key secret inside it, or the bearer token and the key behind it.
    fn secrets(&self, token: Option<&Token>) -> Vec<Vec<u8>> {
        use base64::Engine as _;
        let mut secrets = Vec::new();
        match &self.auth {
            Auth::None => {}
            Auth::Basic(value) => {
                if let Some(encoded) = value.as_bytes().strip_prefix(b"Basic ") {
                    secrets.extend(crate::redact::forms(encoded));
                    if let Ok(pair) = base64::engine::general_purpose::STANDARD.decode(encoded)
                        && let Some(colon) = pair.iter().position(|&b| b == b':')
                    {
                        secrets.extend(crate::redact::forms(&pair[colon + 1..]));
                    }
                }
            }
            Auth::OAuth2(source) => secrets.extend(source.secrets()),
        }
        if let Some(bearer) = token.and_then(|t| t.bearer()) {
            secrets.extend(crate::redact::forms(bearer));
        }
        secrets
    }
}

/// Whether a JSON object's only key is `"error"`. Its first key is looked at first, so that a
/// success body is scanned once more only when it starts like an error envelope.
fn only_error_key(body: &[u8]) -> bool {
    let rest = body.trim_ascii_start();
    let first_key = rest
        .strip_prefix(b"{")
        .map(<[u8]>::trim_ascii_start)
        .is_some_and(|r| r.starts_with(b"\"error\""));
    first_key
        && matches!(
            serde_json::from_slice::<
                std::collections::BTreeMap<String, serde::de::IgnoredAny>,
            >(body),
            Ok(map) if map.len() == 1
        )
}
