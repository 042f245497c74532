//! An offline, stateful emulator of the [Sinch Conversation API], for tests and local
//! development without an account.
//!
//! It serves every operation of the spec the `sinch-conversation` client is generated from,
//! in memory, with the client's own generated types as request and response bodies; the
//! OAuth2 token endpoint; signed callbacks to webhooks; and fault injection for tests.
//!
//! ```no_run
//! use sinch_conversation::types::{self, ConversationChannel, Recipient};
//! use sinch_conversation_emulator::{Emulator, Operation};
//!
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = Emulator::start().await?;
//! // The emulator's URLs, project and key: every operation uses its project.
//! let client = emulator.client()?;
//! let app = client
//!     .create_app()
//!     .body(types::AppCreateRequest::new(Vec::new(), "test"))
//!     .send()
//!     .await?;
//! let app_id = app.id.clone().unwrap_or_default();
//!
//! // The next send is rejected with 429 and `Retry-After`; the client retries it.
//! emulator.fail_next(Operation::SendMessage, 1, 429);
//! client
//!     .send_text(&app_id, Recipient::channel(ConversationChannel::Sms, "+46700000001"), "Hi")
//!     .send()
//!     .await?;
//! assert_eq!(emulator.operation_stats(Operation::SendMessage).received, 2);
//! assert_eq!(emulator.messages().len(), 1);
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Add it to your tests with `sinch-conversation-emulator` under `[dev-dependencies]`; it is a
//! crate of its own so that the server it runs (axum, hyper, tokio's runtime) is compiled only
//! for tests, never into the client. [Its README] says what is emulated and how faithfully,
//! and how to run it as a process (`cargo install sinch-conversation-emulator`).
//!
//! [Sinch Conversation API]: https://developers.sinch.com/docs/conversation/
//! [Its README]: https://github.com/sinch-conversation/sinch-conversation/blob/main/emulator/README.md
#![warn(missing_docs)]

mod admin;
mod api;
mod auth;
mod callbacks;
mod error;
mod faults;
mod mask;
mod ops;
mod server;
mod state;
mod stats;
mod store;
mod tokens;

use std::{
    net::{Ipv4Addr, SocketAddr},
    sync::{Arc, Mutex},
    time::Duration,
};

use sinch_conversation::{
    Client, ClientBuilder,
    types::{
        AppResponse, Contact, ContactMessage, ContactMessageCommonProps, ContactMessageTypes,
        Conversation, ConversationChannel, ConversationMessage, ReplyToField, TextMessage, Webhook,
    },
};
use tokio::{sync::watch, task::JoinHandle};

pub use faults::Fault;
pub use ops::{Operation, UnknownOperation};
pub use stats::{CallbackStats, OperationStats, Stats};

use crate::{
    faults::Faults,
    state::{Config, Shared, lock},
    stats::Counters,
    store::Store,
    tokens::Tokens,
};

/// Project id the emulator serves unless configured otherwise.
pub const DEFAULT_PROJECT_ID: &str = "emulator-project";
/// Access key id the emulator accepts unless configured otherwise.
pub const DEFAULT_KEY_ID: &str = "emulator-key-id";
/// Access key secret the emulator accepts unless configured otherwise.
pub const DEFAULT_KEY_SECRET: &str = "emulator-key-secret";
/// Path of the OAuth2 token endpoint on the emulator's address.
pub const TOKEN_PATH: &str = ops::TOKEN_PATH;

/// Something the emulator refused to do for a [`Emulator`] method (such as a reply from a
/// contact to an app that does not exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatorError {
    /// The HTTP status the API would have answered with.
    pub status: u16,
    /// Why.
    pub message: String,
}

impl std::fmt::Display for EmulatorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.status)
    }
}

impl std::error::Error for EmulatorError {}

impl From<error::ApiError> for EmulatorError {
    fn from(error: error::ApiError) -> Self {
        Self {
            status: error.status.as_u16(),
            message: error.message,
        }
    }
}

/// Configures an [`Emulator`]; [`start`](Self::start) runs it.
///
/// ```no_run
/// # async fn f() -> std::io::Result<()> {
/// use std::time::Duration;
/// use sinch_conversation_emulator::Emulator;
///
/// let emulator = Emulator::builder()
///     .port(8080)
///     .token_ttl(Duration::from_secs(5))
///     .report_delay(Duration::from_millis(1))
///     .start()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    addr: SocketAddr,
    config: Config,
    token_ttl: Duration,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            config: Config {
                project_id: DEFAULT_PROJECT_ID.into(),
                key_id: DEFAULT_KEY_ID.into(),
                key_secret: DEFAULT_KEY_SECRET.into(),
                require_auth: true,
                report_delay: Duration::from_millis(20),
                callback_attempts: 5,
                callback_backoff: Duration::from_millis(200),
                callback_timeout: Duration::from_secs(5),
                max_messages: None,
                retry_after: Duration::from_secs(1),
                max_body: 4 << 20,
            },
            token_ttl: Duration::from_secs(3600),
        }
    }
}

impl EmulatorBuilder {
    /// Address to listen on (default `127.0.0.1:0`, a free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Port to listen on, on `127.0.0.1` unless [`addr`](Self::addr) chose another host.
    pub fn port(mut self, port: u16) -> Self {
        self.addr.set_port(port);
        self
    }

    /// Host address to listen on, keeping the port (default `127.0.0.1`).
    pub fn host(mut self, ip: std::net::IpAddr) -> Self {
        self.addr.set_ip(ip);
        self
    }

    /// The project whose paths are served (others answer 403).
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.config.project_id = project_id.into();
        self
    }

    /// The access key accepted by the token endpoint and by Basic auth.
    pub fn credentials(mut self, key_id: impl Into<String>, key_secret: impl Into<String>) -> Self {
        self.config.key_id = key_id.into();
        self.config.key_secret = key_secret.into();
        self
    }

    /// Lifetime of access tokens, sent as `expires_in` (default one hour).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Whether API requests need credentials (default `true`). Without, any request is served,
    /// which suits a client built with `ClientState::default()`.
    pub fn require_auth(mut self, require: bool) -> Self {
        self.config.require_auth = require;
        self
    }

    /// Wait before each delivery report of a send (default 20 ms): `QUEUED_ON_CHANNEL` after
    /// one, `DELIVERED` after another.
    pub fn report_delay(mut self, delay: Duration) -> Self {
        self.config.report_delay = delay;
        self
    }

    /// Callback delivery: attempts per callback (default 5) and the first retry's backoff
    /// (default 200 ms, doubling after each failure, at most one minute).
    pub fn callback_retries(mut self, attempts: u32, backoff: Duration) -> Self {
        self.config.callback_attempts = attempts.max(1);
        self.config.callback_backoff = backoff;
        self
    }

    /// Time allowed for one callback attempt (default 5 s).
    pub fn callback_timeout(mut self, timeout: Duration) -> Self {
        self.config.callback_timeout = timeout;
        self
    }

    /// Keep at most this many messages, dropping the oldest (default: all). Bounds memory in
    /// long load tests.
    pub fn max_messages(mut self, max: usize) -> Self {
        self.config.max_messages = Some(max);
        self
    }

    /// `Retry-After` of injected 429 and 503 faults that do not set their own (default 1 s).
    pub fn retry_after(mut self, delay: Duration) -> Self {
        self.config.retry_after = delay;
        self
    }

    /// Binds the address and starts serving on the current Tokio runtime.
    pub async fn start(self) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(concat!(
                "sinch-conversation-emulator/",
                env!("CARGO_PKG_VERSION")
            ))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(std::io::Error::other)?;
        let (stop, shutdown) = watch::channel(false);
        let shared = Arc::new(Shared {
            config: self.config,
            store: Mutex::new(Store::default()),
            tokens: Mutex::new(Tokens::new(self.token_ttl)),
            faults: Mutex::new(Faults::default()),
            counters: Counters::default(),
            http,
            runtime: tokio::runtime::Handle::current(),
            shutdown: shutdown.clone(),
        });
        let app = server::router(Arc::clone(&shared));
        let task = tokio::spawn(server::serve(listener, app, shutdown));
        let host = match addr.ip() {
            ip if ip.is_unspecified() => Ipv4Addr::LOCALHOST.into(),
            ip => ip,
        };
        Ok(Emulator {
            base_url: format!("http://{}", SocketAddr::new(host, addr.port())),
            addr,
            shared,
            stop,
            task: Some(task),
        })
    }
}

/// A running emulator. Dropping it stops the server; [`shutdown`](Self::shutdown) also waits.
pub struct Emulator {
    addr: SocketAddr,
    base_url: String,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .field("project_id", &self.shared.config.project_id)
            .finish_non_exhaustive()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl Emulator {
    /// Starts an emulator with the default settings on a free port of `127.0.0.1`.
    pub async fn start() -> std::io::Result<Emulator> {
        EmulatorBuilder::default().start().await
    }

    /// Configures an emulator.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Base URL of the API (`http://127.0.0.1:PORT`), for `ClientBuilder::base_url`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// URL of the OAuth2 token endpoint, for `ClientBuilder::token_url`.
    pub fn token_url(&self) -> String {
        format!("{}{}", self.base_url, TOKEN_PATH)
    }

    /// The project id served.
    pub fn project_id(&self) -> &str {
        &self.shared.config.project_id
    }

    /// The access key id accepted.
    pub fn key_id(&self) -> &str {
        &self.shared.config.key_id
    }

    /// The access key secret accepted.
    pub fn key_secret(&self) -> &str {
        &self.shared.config.key_secret
    }

    /// A client builder set up for this emulator: base URL, token URL, project, OAuth2 key.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .base_url(self.base_url())
            .token_url(self.token_url())
            .project_id(self.project_id())
            .oauth2(self.key_id(), self.key_secret())
    }

    /// A client for this emulator with the default settings.
    pub fn client(&self) -> Result<Client, sinch_conversation::error::ConfigError> {
        self.client_builder().build()
    }

    /// Every counter.
    pub fn stats(&self) -> Stats {
        self.shared.counters.snapshot()
    }

    /// The counters of one operation.
    pub fn operation_stats(&self, op: Operation) -> OperationStats {
        self.shared.counters.operation(op)
    }

    /// Sets every counter back to zero.
    pub fn reset_stats(&self) {
        self.shared.counters.reset();
    }

    /// The next `times` requests of `op` fail with `status` and the API's error body
    /// (429 and 503 with the default `Retry-After`).
    pub fn fail_next(&self, op: Operation, times: u32, status: u16) {
        self.inject(op, times, Fault::status(status));
    }

    /// The next `times` requests of `op` get `fault`. Faults queue up in order.
    pub fn inject(&self, op: Operation, times: u32, fault: Fault) {
        lock(&self.shared.faults).push(op, times, fault);
    }

    /// The next `times` requests of `op` get their connection closed without an answer.
    pub fn drop_next(&self, op: Operation, times: u32) {
        self.inject(op, times, Fault::DropConnection);
    }

    /// Every request of `op` waits `delay` before it is handled (zero removes the delay).
    /// The wait comes first: credentials are checked after it.
    pub fn delay(&self, op: Operation, delay: Duration) {
        lock(&self.shared.faults).set_delay(Some(op), delay);
    }

    /// Every request waits at least `delay` before it is handled (zero removes it).
    pub fn delay_all(&self, delay: Duration) {
        lock(&self.shared.faults).set_delay(None, delay);
    }

    /// Removes every queued fault and delay.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Every access token issued so far expires now: the next request with one gets 401 and
    /// `WWW-Authenticate: Bearer error="invalid_token", error_description="Jwt expired"`.
    pub fn expire_tokens(&self) {
        lock(&self.shared.tokens).expire_all();
    }

    /// Lifetime of tokens issued from now on.
    pub fn set_token_ttl(&self, ttl: Duration) {
        lock(&self.shared.tokens).ttl = ttl;
    }

    /// A contact writes `message` to app `app_id` from `identity` on `channel`: the contact and
    /// conversation are created if needed (not for an app in `DISPATCH` mode, which keeps
    /// neither), the message is stored (`TO_APP`) and delivered as `MESSAGE_INBOUND` to the
    /// app's webhooks subscribed to it.
    pub fn contact_reply(
        &self,
        app_id: &str,
        channel: ConversationChannel,
        identity: &str,
        message: ContactMessage,
    ) -> Result<ConversationMessage, EmulatorError> {
        admin::contact_reply(&self.shared, app_id, &channel, identity, message).map_err(Into::into)
    }

    /// A text reply from a contact; see [`contact_reply`](Self::contact_reply).
    pub fn reply_text(
        &self,
        app_id: &str,
        channel: ConversationChannel,
        identity: &str,
        text: &str,
    ) -> Result<ConversationMessage, EmulatorError> {
        let message = ContactMessage {
            common: ContactMessageCommonProps(ReplyToField::default()),
            kind: ContactMessageTypes::TextMessage(TextMessage {
                text: text.to_owned(),
            }),
        };
        self.contact_reply(app_id, channel, identity, message)
    }

    /// The apps, oldest first.
    pub fn apps(&self) -> Vec<AppResponse> {
        lock(&self.shared.store).apps.values().cloned().collect()
    }

    /// The webhooks, oldest first.
    pub fn webhooks(&self) -> Vec<Webhook> {
        lock(&self.shared.store)
            .webhooks
            .values()
            .cloned()
            .collect()
    }

    /// The contacts, oldest first.
    pub fn contacts(&self) -> Vec<Contact> {
        lock(&self.shared.store)
            .contacts
            .values()
            .cloned()
            .collect()
    }

    /// The conversations, oldest first.
    pub fn conversations(&self) -> Vec<Conversation> {
        lock(&self.shared.store)
            .conversations
            .values()
            .cloned()
            .collect()
    }

    /// The messages, both directions, oldest first.
    pub fn messages(&self) -> Vec<ConversationMessage> {
        lock(&self.shared.store)
            .messages
            .values()
            .map(|m| m.message.clone())
            .collect()
    }

    /// Forgets every resource (apps, contacts, ...) and consent; counters, tokens and faults
    /// stay.
    pub fn reset(&self) {
        admin::reset_store(&self.shared);
    }

    /// Stops the server and waits for it; connections and callbacks in flight are dropped.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}
