//! Helpers for the tests against the emulator: a client with quick retries, the apps, webhooks
//! and contacts most tests start from, checks of the API's errors, and a local callback receiver.
#![allow(dead_code)]

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use sinch_conversation::{ApiError, Client, Error, RetryPolicy, types};
use sinch_conversation_emulator::Emulator;
use tokio::sync::mpsc;

/// The first callback retry's backoff of [`emulator`] (doubling after each failure).
pub const CALLBACK_BACKOFF: Duration = Duration::from_millis(20);

/// An emulator with quick delivery reports and callback retries.
pub async fn emulator() -> Emulator {
    Emulator::builder()
        .report_delay(Duration::from_millis(5))
        .callback_retries(4, CALLBACK_BACKOFF)
        .start()
        .await
        .expect("emulator starts")
}

/// Retries quickly, so tests never wait for long backoffs.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(3)
        .with_base_delay(Duration::from_millis(5))
        .with_max_delay(Duration::from_millis(50))
}

pub fn client(emulator: &Emulator) -> Client {
    emulator
        .client_builder()
        .retry_policy(quick_retries())
        .build()
        .expect("client builds")
}

/// Creates an app with SMS credentials and returns its id.
pub async fn create_app(client: &Client, name: &str) -> String {
    let app = types::AppCreateRequest::new(
        vec![types::ConversationChannelCredentials::new(
            types::ConversationChannel::Sms,
            types::StaticBearerCredentials::new("plan", "token"),
        )],
        name,
    );
    let app = client
        .create_app()
        .project_id(client.project())
        .body(app)
        .send()
        .await
        .expect("app created");
    app.id.clone().expect("app id")
}

/// Creates a webhook of `app_id` to `target` for `triggers`, with `secret` if given.
pub async fn create_webhook(
    client: &Client,
    app_id: &str,
    target: &str,
    triggers: &[&str],
    secret: Option<&str>,
) -> types::Webhook {
    let mut webhook = types::CreateWebhookBody::new(app_id, target).with_triggers(
        triggers
            .iter()
            .map(|&t| types::WebhookTrigger::from(t))
            .collect::<Vec<_>>(),
    );
    if let Some(secret) = secret {
        webhook = webhook.with_secret(secret);
    }
    client
        .create_webhook()
        .project_id(client.project())
        .body(webhook)
        .send()
        .await
        .expect("webhook created")
        .into_inner()
}

/// Creates a contact with one SMS identity, also its display name.
pub async fn contact(client: &Client, identity: &str) -> types::Contact {
    let sms = types::ChannelIdentity {
        app_id: None,
        channel: types::ConversationChannel::Sms,
        identity: identity.into(),
    };
    client
        .create_contact()
        .body(
            types::ContactCreateRequest::new(vec![sms], types::ContactLanguage::EnUs)
                .with_display_name(identity),
        )
        .send()
        .await
        .expect("contact created")
        .into_inner()
}

/// The API error of a failed call.
pub async fn api_error<T: std::fmt::Debug>(result: Result<T, Error>) -> ApiError {
    match result.expect_err("the call fails") {
        Error::Api(error) => *error,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Fails unless the call was answered 400 with a Sinch error body whose message names `needle`.
pub async fn assert_400<T: std::fmt::Debug>(result: Result<T, Error>, needle: &str) {
    let error = api_error(result).await;
    assert_eq!(error.status().as_u16(), 400, "{error}");
    let body = error.body().cloned().expect("API error body");
    assert_eq!(body.code, Some(400));
    let message = body.message.unwrap_or_default();
    assert!(
        message.contains(needle),
        "{message:?} should mention {needle:?}"
    );
}

/// The text of a conversation message: an app message's or a contact message's.
pub fn text_of(message: &types::ConversationMessage) -> Option<&str> {
    match &message.kind {
        types::ConversationMessageTypes::AppMessage(m) => m.as_text(),
        types::ConversationMessageTypes::ContactMessage(m) => m.as_text(),
        _ => None,
    }
}

/// A raw request to the emulated API with the emulator's key in Basic auth.
pub fn raw(emulator: &Emulator, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(
            method,
            format!(
                "{}/v1/projects/{}{path}",
                emulator.base_url(),
                emulator.project_id()
            ),
        )
        .basic_auth(emulator.key_id(), Some(emulator.key_secret()))
}

/// One JSON object with the keys of every value in `kinds`: a one-of with several kinds at
/// once, which its typed variants cannot express, for the checks that the API refuses it.
pub fn several_kinds(kinds: &[serde_json::Value]) -> serde_json::Map<String, serde_json::Value> {
    kinds
        .iter()
        .flat_map(|kind| kind.as_object().expect("a keyed one-of").clone())
        .collect()
}

/// A callback as received: headers and raw body.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("callback body is JSON")
    }
}

#[derive(Clone)]
struct SinkState {
    tx: mpsc::UnboundedSender<Received>,
    fail_first: Arc<AtomicU32>,
    failures_answered: Arc<AtomicU32>,
    slow_first: Arc<AtomicU32>,
    slowness: Duration,
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

/// A local HTTP server that records every callback posted to it.
pub struct CallbackSink {
    pub url: String,
    rx: mpsc::UnboundedReceiver<Received>,
    failures_answered: Arc<AtomicU32>,
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

async fn record(State(state): State<SinkState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    state.arrivals.lock().unwrap().push(Instant::now());
    let slow = state
        .slow_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if slow {
        // Held before it is recorded: a callback sent meanwhile would be recorded first.
        tokio::time::sleep(state.slowness).await;
    }
    let fail = state
        .fail_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if fail {
        state.failures_answered.fetch_add(1, Ordering::SeqCst);
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let _ = state.tx.send(Received { headers, body });
    StatusCode::OK
}

impl CallbackSink {
    /// A sink answering 200 to everything.
    pub async fn start() -> Self {
        Self::failing_first(0).await
    }

    /// A sink answering 500 to the first `n` callbacks (not recorded), then 200.
    pub async fn failing_first(n: u32) -> Self {
        Self::with(n, 0, Duration::ZERO).await
    }

    /// A sink that holds each of the first `n` callbacks for `delay` before it records and
    /// answers it.
    pub async fn slow_first(n: u32, delay: Duration) -> Self {
        Self::with(0, n, delay).await
    }

    async fn with(fail_first: u32, slow_first: u32, slowness: Duration) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let failures_answered = Arc::new(AtomicU32::new(0));
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let state = SinkState {
            tx,
            fail_first: Arc::new(AtomicU32::new(fail_first)),
            failures_answered: failures_answered.clone(),
            slow_first: Arc::new(AtomicU32::new(slow_first)),
            slowness,
            arrivals: arrivals.clone(),
        };
        let app = Router::new()
            .route("/callbacks", post(record))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/callbacks", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url,
            rx,
            failures_answered,
            arrivals,
        }
    }

    /// The next recorded callback (fails the test after 10 s).
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(Duration::from_secs(10), self.rx.recv())
            .await
            .expect("a callback arrives in time")
            .expect("sink open")
    }

    /// Callbacks until `done` says stop, in arrival order.
    pub async fn until(&mut self, mut done: impl FnMut(&Received) -> bool) -> Vec<Received> {
        let mut all = Vec::new();
        loop {
            let received = self.next().await;
            let stop = done(&received);
            all.push(received);
            if stop {
                return all;
            }
        }
    }

    /// Whatever else arrives within `wait`.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Received> {
        let mut all = Vec::new();
        while let Ok(Some(r)) = tokio::time::timeout(wait, self.rx.recv()).await {
            all.push(r);
        }
        all
    }

    /// When each request arrived (failed attempts included), in order.
    pub fn arrivals(&self) -> Vec<Instant> {
        self.arrivals.lock().unwrap().clone()
    }

    /// How many callbacks were answered with 500.
    pub fn failures_answered(&self) -> u32 {
        self.failures_answered.load(Ordering::SeqCst)
    }
}
