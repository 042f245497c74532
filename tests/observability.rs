//! One `tracing` span per request with the operation id, status, attempts and latency, and
//! one per token request; no secrets, tokens or bodies in any recorded field.

use std::{
    collections::BTreeMap,
    fmt::Debug,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use httpmock::{Method::GET, Method::POST, MockServer};
use serde_json::json;
use sinch_conversation::{Client, RetryPolicy};
use tracing::{
    Event, Metadata, Subscriber,
    field::{Field, Visit},
    span::{Attributes, Id, Record},
    subscriber::Interest,
};

const PROJECT: &str = "proj-1";
const SECRET: &str = "KEY-SECRET-never-printed";
const TOKEN: &str = "TOKEN-never-printed";

/// A recorded span: its name and the last value of each field.
#[derive(Clone, Debug, Default)]
struct SpanRecord {
    name: &'static str,
    fields: BTreeMap<String, String>,
}

/// A subscriber that records every span and event, as text.
#[derive(Clone, Default)]
struct Recorder {
    spans: Arc<Mutex<BTreeMap<u64, SpanRecord>>>,
    events: Arc<Mutex<Vec<String>>>,
    next: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
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
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let mut record = SpanRecord {
            name: attributes.metadata().name(),
            fields: BTreeMap::new(),
        };
        attributes.record(&mut Fields(&mut record.fields));
        self.spans.lock().unwrap().insert(id, record);
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some(record) = self.spans.lock().unwrap().get_mut(&span.into_u64()) {
            values.record(&mut Fields(&mut record.fields));
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(format!("{fields:?}"));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

impl Recorder {
    fn spans(&self, name: &str) -> Vec<SpanRecord> {
        self.spans
            .lock()
            .unwrap()
            .values()
            .filter(|s| s.name == name)
            .cloned()
            .collect()
    }

    fn everything(&self) -> String {
        format!(
            "{:?} {:?}",
            self.spans.lock().unwrap(),
            self.events.lock().unwrap()
        )
    }
}

// A current-thread runtime keeps every span on the thread where the recorder is the default.
#[tokio::test(flavor = "current_thread")]
async fn each_request_gets_a_span_with_operation_status_attempts_and_latency() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());

    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200)
                .json_body(json!({"access_token": TOKEN, "expires_in": 3600}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/projects/{PROJECT}/apps"));
            then.status(503).up_to_n_times(1);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/projects/{PROJECT}/apps"));
            then.status(200).json_body(json!({"apps": []}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/projects/{PROJECT}/apps/missing"));
            then.status(404)
                .json_body(json!({"code": 404, "message": "App not found"}));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .oauth2("key-id", SECRET)
        .token_url(server.url("/oauth2/token"))
        .retry_policy(RetryPolicy::default().with_base_delay(std::time::Duration::from_millis(1)))
        .build()
        .unwrap();

    client.list_apps().project_id(PROJECT).send().await.unwrap();
    client
        .get_app()
        .project_id(PROJECT)
        .app_id("missing")
        .send()
        .await
        .unwrap_err();

    let requests = recorder.spans("sinch_conversation.request");
    assert_eq!(requests.len(), 2, "{requests:?}");
    let list = &requests[0].fields;
    assert_eq!(list["operation_id"], "list_apps");
    assert_eq!(list["sinch_operation_id"], "App_ListApps");
    assert_eq!(list["method"], "GET");
    assert_eq!(list["status"], "200");
    assert_eq!(list["attempts"], "2");
    assert!(list["latency_ms"].parse::<u64>().is_ok(), "{list:?}");
    let get = &requests[1].fields;
    assert_eq!(get["operation_id"], "get_app");
    assert_eq!(get["status"], "404");
    assert_eq!(get["attempts"], "1");

    let tokens = recorder.spans("sinch_conversation.token");
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    assert_eq!(tokens[0].fields["status"], "200");

    let everything = recorder.everything();
    assert!(!everything.contains(SECRET), "{everything}");
    assert!(!everything.contains(TOKEN), "{everything}");
    assert!(
        !everything.contains("App not found"),
        "no bodies: {everything}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_transport_failure_is_logged_without_the_url_and_its_phone_numbers() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    // Nothing listens on port 9 (discard) here: the connection is refused.
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .basic_auth("key-id", SECRET)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();

    let error = client
        .list_messages()
        .project_id(PROJECT)
        .channel_identity("+46700000009")
        .send()
        .await
        .unwrap_err();
    // The caller's own error keeps the URL, to debug with.
    assert!(format!("{error:?}").contains("46700000009"), "{error:?}");

    let requests = recorder.spans("sinch_conversation.request");
    assert_eq!(requests.len(), 1, "{requests:?}");
    let logged = &requests[0].fields["error"];
    assert!(logged.starts_with("could not connect"), "{logged}");
    let everything = recorder.everything();
    assert!(!everything.contains("46700000009"), "{everything}");
    assert!(!everything.contains(SECRET), "{everything}");
}
