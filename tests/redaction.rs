//! No credential the client holds is ever printed: not in an error's `Display` or `Debug`
//! (API errors echoing the `Authorization` header in their body or headers, token endpoint
//! errors, configuration errors), not in the `Debug` of the public types that hold one, and
//! not in any `tracing` output at TRACE.
//!
//! A hostile local server echoes whatever `Authorization` it receives; every string the client
//! produces is then searched for the key secret, the Basic value, the bearer token and the
//! webhook secret.

use std::{
    fmt::Debug,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use base64::Engine as _;
use sinch_conversation::{
    Client, ClientBuilder, Error, RetryPolicy,
    webhooks::{Receiver, Verifier},
};
use tracing::{
    Event, Metadata, Subscriber,
    field::{Field, Visit},
    span::{Attributes, Id, Record},
    subscriber::Interest,
};

const KEY_ID: &str = "key-id";
// A `/` in it: JSON may echo it as `\/`.
const KEY_SECRET: &str = "KEY/SECRET-0123456789";
const TOKEN: &str = "TOKEN/abc+def-never-printed";
const WEBHOOK_SECRET: &str = "WEBHOOK-SECRET-never-printed";

fn basic_value() -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{KEY_ID}:{KEY_SECRET}"))
}

/// What must appear nowhere, in every form it could be echoed.
fn forbidden() -> Vec<String> {
    let mut all = vec![
        KEY_SECRET.to_owned(),
        basic_value(),
        TOKEN.to_owned(),
        WEBHOOK_SECRET.to_owned(),
    ];
    all.extend(all.clone().iter().map(|s| s.replace('/', "\\/")));
    all
}

fn assert_clean(what: &str, text: &str) {
    for secret in forbidden() {
        // Any 12 characters of a secret count as a leak (a secret cut in two, say).
        for start in 0..=secret.len().saturating_sub(12) {
            let part = &secret[start..start + 12.min(secret.len())];
            assert!(!text.contains(part), "{what} leaks {part:?}: {text}");
        }
    }
}

/// Every span field and event a subscriber sees, as text.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

struct Text<'a>(&'a mut String);

impl Visit for Text<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl Subscriber for Recorder {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::always()
    }
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut text = attributes.metadata().name().to_owned();
        attributes.record(&mut Text(&mut text));
        self.0.lock().unwrap().push(text);
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut text = String::new();
        values.record(&mut Text(&mut text));
        self.0.lock().unwrap().push(text);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = event.metadata().target().to_owned();
        event.record(&mut Text(&mut text));
        self.0.lock().unwrap().push(text);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// A server that echoes the `Authorization` it receives into its answers:
/// - `POST /token` gives `TOKEN`; `POST /bad-token` refuses with 16 KiB minus 20 bytes of
///   padding and then the echoed header, so the Basic value straddles the 16 KiB cut;
/// - `/v1/projects/p/apps` answers 400 with a Sinch error envelope quoting the header in its
///   message and details, and in an `x-echo` header;
/// - `/v1/projects/p/apps/raw` answers 502 with the header as plain text.
async fn echo_server() -> SocketAddr {
    use axum::{
        http::{HeaderMap, StatusCode},
        response::IntoResponse,
        routing::{get, post},
    };
    let auth = |headers: &HeaderMap| {
        headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let app = axum::Router::new()
        .route(
            "/token",
            post(|| async {
                axum::Json(serde_json::json!({"access_token": TOKEN, "expires_in": 3600}))
            }),
        )
        .route(
            "/bad-token",
            post(move |headers: HeaderMap| async move {
                let padding = "x".repeat(16 * 1024 - 20);
                (
                    StatusCode::BAD_REQUEST,
                    format!("{padding}{}", auth(&headers)),
                )
            }),
        )
        .route(
            "/v1/projects/p/apps",
            get(move |headers: HeaderMap| async move {
                let echoed = auth(&headers);
                let body = serde_json::json!({"error": {
                    "code": 400, "status": "INVALID_ARGUMENT",
                    "message": format!("bad header {echoed}"),
                    "details": [{"type_url": "echo", "value": echoed.clone()}]
                }});
                (
                    StatusCode::BAD_REQUEST,
                    [("x-echo", echoed)],
                    axum::Json(body),
                )
                    .into_response()
            }),
        )
        .route(
            "/v1/projects/p/apps/raw",
            get(move |headers: HeaderMap| async move {
                let echoed = auth(&headers);
                (
                    StatusCode::BAD_GATEWAY,
                    [("x-echo", echoed.clone())],
                    echoed,
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn builder(addr: SocketAddr) -> ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .base_url(format!("http://{addr}"))
        .project_id("p")
        .retry_policy(RetryPolicy::none())
        .token_retry_policy(RetryPolicy::none())
}

/// `Display`, `Debug`, and for an API error its headers and raw body.
fn printed(error: &Error) -> String {
    let mut text = format!("{error}\n{error:?}");
    if let Error::Api(api) = error {
        text.push_str(&format!("\n{:?}\n{:?}", api.headers(), api.raw_body()));
        if let Some(body) = api.body() {
            text.push_str(&format!("\n{body:?}"));
        }
    }
    text
}

async fn calls(client: &Client) -> Vec<Error> {
    let mut errors = Vec::new();
    let listed = client.list_apps().project_id("p").send().await;
    errors.push(listed.unwrap_err());
    let raw = client.get_app().project_id("p").app_id("raw").send().await;
    errors.push(raw.unwrap_err());
    errors
}

#[tokio::test(flavor = "current_thread")]
async fn no_credential_is_printed_anywhere() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let addr = echo_server().await;

    // Basic: the API echoes `Basic base64(id:secret)`.
    let basic = builder(addr)
        .basic_auth(KEY_ID, KEY_SECRET)
        .build()
        .unwrap();
    // OAuth2: the API echoes `Bearer TOKEN`.
    let oauth = builder(addr)
        .oauth2(KEY_ID, KEY_SECRET)
        .token_url(format!("http://{addr}/token"))
        .build()
        .unwrap();
    // The token endpoint echoes the Basic value across its 16 KiB cut.
    let refused = builder(addr)
        .oauth2(KEY_ID, KEY_SECRET)
        .token_url(format!("http://{addr}/bad-token"))
        .build()
        .unwrap();

    let mut seen = 0;
    for (name, client) in [("basic", &basic), ("oauth2", &oauth)] {
        let errors = calls(client).await;
        let Error::Api(api) = &errors[0] else {
            panic!("{name}: {:?}", errors[0])
        };
        // The echo did arrive, redacted: the answer is still useful.
        assert_eq!(api.headers()["x-echo"], "[REDACTED]", "{name}");
        assert!(
            api.message().unwrap().starts_with("bad header "),
            "{name}: {:?}",
            api.message()
        );
        assert!(api.message().unwrap().contains("[REDACTED]"), "{name}");
        let Error::Api(raw) = &errors[1] else {
            panic!("{name}: {:?}", errors[1])
        };
        assert_eq!(raw.status().as_u16(), 502);
        assert!(
            String::from_utf8_lossy(raw.raw_body().unwrap()).contains("[REDACTED]"),
            "{name}"
        );
        for error in &errors {
            assert_clean(name, &printed(error));
            seen += 1;
        }
        assert_clean(name, &format!("{client:?}"));
    }
    let error = refused
        .list_apps()
        .project_id("p")
        .send()
        .await
        .unwrap_err();
    let Error::Auth(sinch_conversation::AuthError::Rejected { body, .. }) = &error else {
        panic!("{error:?}")
    };
    // Redacted before the 16 KiB cut: the whole Basic value went, not the half before the cut.
    assert!(body.len() <= 16 * 1024);
    assert!(
        body.ends_with(b"Basic [REDACTED]"),
        "{:?}",
        &body[body.len() - 30..]
    );
    assert_clean("token endpoint error", &printed(&error));
    assert_clean("token endpoint error body", &String::from_utf8_lossy(body));
    assert_eq!(seen, 4);

    // Configuration: URLs with credentials, however they are spelt, and builders.
    for url in [
        "https://id:KEY/SECRET-0123456789@host/oauth2/token",
        "https:\\\\id:KEY/SECRET-0123456789@host/oauth2/token",
        "https:/id:KEY/SECRET-0123456789@host/oauth2/token",
        "https:id:KEY/SECRET-0123456789@host/oauth2/token",
    ] {
        let builder = Client::builder()
            .base_url(url)
            .token_url(url)
            .oauth2(KEY_ID, KEY_SECRET);
        assert_clean(
            &format!("Debug of a builder with {url}"),
            &format!("{builder:?}"),
        );
        let error = builder.build().unwrap_err();
        assert_clean(
            &format!("ConfigError for {url}"),
            &format!("{error} {error:?}"),
        );
    }

    // Webhook verification holds the webhook secret.
    assert_clean("Verifier", &format!("{:?}", Verifier::new(WEBHOOK_SECRET)));
    assert_clean("Receiver", &format!("{:?}", Receiver::new(WEBHOOK_SECRET)));

    // And nothing reached the traces, at any level.
    let traces = recorder.0.lock().unwrap().join("\n");
    assert!(
        traces.contains("sinch_conversation.request"),
        "spans were recorded"
    );
    assert_clean("tracing output", &traces);
}
