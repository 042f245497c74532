//! The emulator speaks the official API: every operation of the client's table is driven over
//! plain HTTP against it, and every answer, and every callback it signs, is validated against
//! the JSON schema the official document gives for that response or event
//! (`spec/upstream/*.yaml`, read at test time, with the `jsonschema` crate).
//!
//! Where the emulator cannot match the document as written, the adjustment is made to the
//! schema here, once, with its reason (see [`json_schema`]); no answer is exempted.

// The library's own test helpers, shared rather than copied.
#[path = "../../tests/common/mod.rs"]
mod common;

use std::{
    collections::{BTreeMap, BTreeSet},
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use common::official::json_schema;
use serde_json::{Value, json};
use sinch_conversation::{operations, types, webhooks::Receiver};
use sinch_conversation_emulator::Emulator;

const WEBHOOK_SECRET: &str = "conformance-secret";

/// An official document as JSON, with its self-contradictions mended (see [`mend`]).
fn document(file: &str) -> Value {
    let path = format!("{}/../spec/upstream/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut doc = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    mend(file, &mut doc);
    doc
}

/// Where a document contradicts itself, the one place it is mended before validating:
/// - Template Management's `v2TemplateTranslation` requires a `message` property that no schema
///   defines; the translation's message sits at its top level (`text_message`, ...: the
///   `v2MessageTypes` one-of it is built from), as every example of the document shows. So the
///   required `message` goes.
///
/// Each mend checks that it is still needed, so a fixed document makes this fail.
fn mend(file: &str, doc: &mut Value) {
    if file == "template-management.yaml" {
        let required = doc
            .pointer_mut("/components/schemas/v2TemplateTranslation/required")
            .and_then(Value::as_array_mut)
            .expect("v2TemplateTranslation has a required list");
        let before = required.len();
        required.retain(|name| name != "message");
        assert_eq!(
            required.len() + 1,
            before,
            "the `message` mend is no longer needed"
        );
    }
}

/// A validator for `schema`, resolved against `doc`'s components.
fn validator(doc: &Value, schema: &Value) -> jsonschema::Validator {
    let mut root = json!({"allOf": [schema], "components": doc["components"]});
    json_schema(&mut root);
    jsonschema::draft4::new(&root).expect("the official schema compiles")
}

fn errors(doc: &Value, schema: &Value, instance: &Value) -> Vec<String> {
    validator(doc, schema)
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    while let Some(pointer) = value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        value = doc.pointer(pointer).expect("$ref resolves");
    }
    value
}

/// `(document, response object)` the official documents give operation `info` for `status`.
fn official_response<'a>(
    docs: &'a [Value],
    info: &operations::OperationInfo,
    status: u16,
) -> Option<(&'a Value, &'a Value)> {
    for doc in docs {
        for (_, item) in doc["paths"].as_object().into_iter().flatten() {
            for (_, op) in item.as_object().into_iter().flatten() {
                let id = op.get("operationId").and_then(Value::as_str);
                if id.is_some() && (id == Some(info.sinch_id) || id == Some(info.id)) {
                    let responses = &op["responses"];
                    let response = responses
                        .get(status.to_string())
                        .or_else(|| responses.get("default"))?;
                    return Some((doc, resolve(doc, response)));
                }
            }
        }
    }
    None
}

/// Drives operations over HTTP, validating each answer.
struct Driver {
    http: reqwest::Client,
    base: String,
    project: String,
    auth: String,
    /// The two official documents, then `spec/conversation.json` for the overlay's operations
    /// (opt-in and opt-out registration), which the official documents no longer have.
    docs: Vec<Value>,
    driven: BTreeSet<&'static str>,
    problems: Vec<String>,
}

impl Driver {
    async fn call(
        &mut self,
        id: &str,
        params: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Value {
        let info = operations::ALL
            .iter()
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("no operation {id}"));
        let mut path = info.path.replace("{project_id}", &self.project);
        for (name, value) in params {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        assert!(!path.contains('{'), "{id}: unfilled parameter in {path}");
        let method = reqwest::Method::from_bytes(info.method.as_bytes()).unwrap();
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("authorization", &self.auth)
            .query(query);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the emulator answers");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("a body");
        self.driven.insert(info.id);
        if !(200..300).contains(&status) {
            self.problems.push(format!(
                "{id}: HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
            ));
            return Value::Null;
        }
        let Some((doc, official)) = official_response(&self.docs, info, status) else {
            self.problems
                .push(format!("{id}: the documents have no {status} answer"));
            return Value::Null;
        };
        let schema = official.pointer("/content/application~1json/schema");
        let value: Value = if bytes.is_empty() {
            Value::Null
        } else {
            match serde_json::from_slice(&bytes) {
                Ok(value) => value,
                Err(e) => {
                    self.problems.push(format!("{id}: not JSON: {e}"));
                    return Value::Null;
                }
            }
        };
        match schema {
            Some(schema) => {
                for error in errors(doc, schema, &value) {
                    self.problems.push(format!("{id} ({status}): {error}"));
                }
            }
            // No content in the document: an empty body, or an empty object.
            None if value.is_null() || value == json!({}) => {}
            None => self
                .problems
                .push(format!("{id}: the document says no content, got {value}")),
        }
        value
    }
}

/// The callbacks a receiver has kept: headers and body of each.
type Seen = Arc<Mutex<Vec<(http::HeaderMap, Vec<u8>)>>>;

/// Starts a local receiver that keeps every callback (headers, body) and answers 200.
async fn receiver() -> (SocketAddr, Seen) {
    let seen: Seen = Arc::default();
    let keep = seen.clone();
    let app = axum::Router::new().route(
        "/callbacks",
        axum::routing::post(move |headers: http::HeaderMap, body: axum::body::Bytes| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push((headers, body.to_vec()));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, seen)
}

/// The string at `pointer`; when it is missing the answer is wrong, which is recorded, and the
/// drive goes on with a stand-in so that every other route is still checked.
fn text(problems: &mut Vec<String>, value: &Value, pointer: &str) -> String {
    match value.pointer(pointer).and_then(Value::as_str) {
        Some(text) => text.to_owned(),
        None => {
            problems.push(format!("no {pointer} in {value}"));
            "missing".to_owned()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_and_every_callback_matches_the_official_document() {
    let emulator = Emulator::start().await.unwrap();
    let (callbacks_at, callbacks) = receiver().await;
    let auth = {
        use base64::Engine as _;
        let pair = format!("{}:{}", emulator.key_id(), emulator.key_secret());
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    };
    let conversation = document("conversation.yaml");
    let mut normalised: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../spec/conversation.json"
        ))
        .unwrap(),
    )
    .unwrap();
    // Only the overlay's two operations are looked up there.
    normalised["paths"]
        .as_object_mut()
        .unwrap()
        .retain(|path, _| path.contains("optins") || path.contains("optouts"));
    let mut d = Driver {
        http: reqwest::Client::new(),
        base: emulator.base_url().trim_end_matches('/').to_owned(),
        project: emulator.project_id().to_owned(),
        auth,
        docs: vec![
            conversation.clone(),
            document("template-management.yaml"),
            normalised,
        ],
        driven: BTreeSet::new(),
        problems: Vec::new(),
    };

    // Apps and webhooks (every trigger, to a local receiver).
    let app = d
        .call(
            "create_app",
            &[],
            &[],
            Some(
                json!({"display_name": "Conformance", "channel_credentials": [
                    {"channel": "SMS", "static_bearer": {"claimed_identity": "plan", "token": "t"}}
                ]}),
            ),
        )
        .await;
    let app_id = text(&mut d.problems, &app, "/id");
    let app_id = app_id.as_str();
    d.call("list_apps", &[], &[], None).await;
    d.call("get_app", &[("app_id", app_id)], &[], None).await;
    d.call(
        "update_app",
        &[("app_id", app_id)],
        &[("update_mask", "display_name")],
        Some(json!({"display_name": "Conformance 2"})),
    )
    .await;
    let triggers: Vec<String> = types::WebhookTrigger::KNOWN
        .iter()
        .filter(|t| **t != types::WebhookTrigger::UnspecifiedTrigger)
        .map(ToString::to_string)
        .collect();
    let webhook = d
        .call(
            "create_webhook",
            &[],
            &[],
            Some(
                json!({"app_id": app_id, "target": format!("http://{callbacks_at}/callbacks"),
                "target_type": "HTTP", "secret": WEBHOOK_SECRET, "triggers": triggers}),
            ),
        )
        .await;
    let webhook_id = text(&mut d.problems, &webhook, "/id");
    let webhook_id = webhook_id.as_str();
    d.call("list_webhooks", &[("app_id", app_id)], &[], None)
        .await;
    d.call("get_webhook", &[("webhook_id", webhook_id)], &[], None)
        .await;
    d.call(
        "update_webhook",
        &[("webhook_id", webhook_id)],
        &[("update_mask", "triggers")],
        Some(json!({"triggers": triggers})),
    )
    .await;

    // Contacts.
    let contact = d
        .call(
            "create_contact",
            &[],
            &[],
            Some(
                json!({"channel_identities": [{"channel": "SMS", "identity": "+46700000001"}],
                "display_name": "Ada", "email": "ada@example.com", "language": "EN_US"}),
            ),
        )
        .await;
    let contact_id = text(&mut d.problems, &contact, "/id");
    let contact_id = contact_id.as_str();
    let other = d
        .call(
            "create_contact",
            &[],
            &[],
            Some(
                json!({"channel_identities": [{"channel": "MESSENGER", "identity": "psid-2"}],
                "display_name": "Other", "language": "EN_US"}),
            ),
        )
        .await;
    let other_id = text(&mut d.problems, &other, "/id");
    d.call("list_contacts", &[], &[("page_size", "10")], None)
        .await;
    d.call("get_contact", &[("contact_id", contact_id)], &[], None)
        .await;
    d.call(
        "update_contact",
        &[("contact_id", contact_id)],
        &[("update_mask", "display_name")],
        Some(json!({"display_name": "Ada K"})),
    )
    .await;
    d.call(
        "get_channel_profile",
        &[],
        &[],
        Some(json!({"app_id": app_id, "channel": "MESSENGER",
            "recipient": {"identified_by": {"channel_identities": [{"channel": "MESSENGER", "identity": "psid-2"}]}}})),
    )
    .await;
    d.call("list_identity_conflicts", &[], &[], None).await;
    d.call(
        "merge_contact",
        &[("destination_id", contact_id)],
        &[],
        Some(json!({"source_id": other_id, "strategy": "MERGE"})),
    )
    .await;

    // Messages, replies, events.
    let sent = d
        .call(
            "send_message",
            &[],
            &[],
            Some(
                json!({"app_id": app_id, "recipient": {"contact_id": contact_id},
                "message": {"text_message": {"text": "Hello"}}}),
            ),
        )
        .await;
    let message_id = text(&mut d.problems, &sent, "/message_id");
    let message_id = message_id.as_str();
    emulator
        .reply_text(
            app_id,
            types::ConversationChannel::Sms,
            "+46700000001",
            "Hi back",
        )
        .unwrap();
    d.call("get_message", &[("message_id", message_id)], &[], None)
        .await;
    d.call(
        "list_messages",
        &[],
        &[("contact_id", contact_id), ("page_size", "10")],
        None,
    )
    .await;
    d.call(
        "update_message_metadata",
        &[("message_id", message_id)],
        &[],
        Some(json!({"metadata": "order-42"})),
    )
    .await;
    d.call(
        "list_messages_by_channel_identity",
        &[],
        &[],
        Some(json!({"app_id": app_id, "channel": "SMS", "channel_identities": ["+46700000001"]})),
    )
    .await;
    d.call(
        "transcode_message",
        &[],
        &[],
        Some(
            json!({"app_id": app_id, "app_message": {"text_message": {"text": "Hi"}},
            "channels": ["SMS", "WHATSAPP"]}),
        ),
    )
    .await;
    let event = d
        .call(
            "send_event",
            &[],
            &[],
            Some(
                json!({"app_id": app_id, "recipient": {"contact_id": contact_id},
                "event": {"composing_event": {}}}),
            ),
        )
        .await;
    let event_id = text(&mut d.problems, &event, "/event_id");
    let event_id = event_id.as_str();
    d.call("list_events", &[], &[("page_size", "10")], None)
        .await;
    d.call("get_event", &[("event_id", event_id)], &[], None)
        .await;
    d.call(
        "query_capability",
        &[],
        &[],
        Some(json!({"app_id": app_id, "recipient": {"contact_id": contact_id}})),
    )
    .await;
    d.call(
        "get_consents",
        &[("app_id", app_id), ("list_type", "OPT_OUT_ALL")],
        &[],
        None,
    )
    .await;
    d.call(
        "get_consents_audit_records",
        &[("app_id", app_id), ("identity", "+46700000001")],
        &[],
        None,
    )
    .await;
    #[allow(deprecated)]
    for (id, body) in [
        (
            "register_opt_in",
            json!({"app_id": app_id, "recipient": {"contact_id": contact_id}, "channels": ["SMS"]}),
        ),
        (
            "register_opt_out",
            json!({"app_id": app_id, "recipient": {"contact_id": contact_id}, "channels": ["SMS"]}),
        ),
    ] {
        d.call(id, &[], &[], Some(body)).await;
    }

    // Conversations, with a contact of their own: the first one has an active conversation
    // since the message above, and a contact has at most one.
    let third = d
        .call(
            "create_contact",
            &[],
            &[],
            Some(
                json!({"channel_identities": [{"channel": "SMS", "identity": "+46700000003"}],
                "display_name": "Third", "language": "EN_US"}),
            ),
        )
        .await;
    let third_id = text(&mut d.problems, &third, "/id");
    let conversation_value = d
        .call(
            "create_conversation",
            &[],
            &[],
            Some(
                json!({"app_id": app_id, "contact_id": third_id, "active": true,
                "active_channel": "SMS", "metadata": "m"}),
            ),
        )
        .await;
    let conversation_id = text(&mut d.problems, &conversation_value, "/id");
    let conversation_id = conversation_id.as_str();
    d.call(
        "list_conversations",
        &[],
        &[("app_id", app_id), ("only_active", "false")],
        None,
    )
    .await;
    d.call(
        "get_conversation",
        &[("conversation_id", conversation_id)],
        &[],
        None,
    )
    .await;
    d.call(
        "update_conversation",
        &[("conversation_id", conversation_id)],
        &[("update_mask", "metadata")],
        Some(json!({"metadata": "m2"})),
    )
    .await;
    d.call(
        "inject_message",
        &[("conversation_id", conversation_id)],
        &[],
        Some(json!({"accept_time": "2024-05-01T10:00:00Z", "direction": "TO_CONTACT",
            "app_message": {"text_message": {"text": "injected"}},
            "channel_identity": {"channel": "SMS", "identity": "+46700000001"}, "contact_id": contact_id})),
    )
    .await;
    d.call(
        "inject_event",
        &[("conversation_id", conversation_id)],
        &[],
        Some(json!({"accept_time": "2024-05-01T10:00:00Z", "direction": "TO_APP",
            "app_event": {"composing_event": {}},
            "channel_identity": {"channel": "SMS", "identity": "+46700000001"}, "contact_id": contact_id})),
    )
    .await;
    d.call(
        "list_recent_conversations",
        &[],
        &[("app_id", app_id)],
        None,
    )
    .await;
    d.call(
        "stop_active_conversation",
        &[("conversation_id", conversation_id)],
        &[],
        None,
    )
    .await;

    // Project settings.
    d.call(
        "create_settings",
        &[],
        &[],
        Some(json!({"contact_settings": {"unified_contact_id_enabled": true}})),
    )
    .await;
    d.call("get_settings", &[], &[], None).await;
    d.call(
        "update_settings",
        &[],
        &[],
        Some(json!({"contact_settings": {"unified_contact_id_enabled": false}})),
    )
    .await;

    // Templates (v2, on the template host, which the emulator serves too).
    let template = d
        .call(
            "create_template",
            &[],
            &[],
            Some(
                json!({"description": "Greeting", "default_translation": "en-US",
                "translations": [{"language_code": "en-US", "version": "1",
                    "text_message": {"text": "Hello ${name}"},
                    "variables": [{"key": "name", "preview_value": "Ada"}]}]}),
            ),
        )
        .await;
    let template_id = text(&mut d.problems, &template, "/id");
    let template_id = template_id.as_str();
    d.call("list_templates", &[], &[], None).await;
    d.call("get_template", &[("template_id", template_id)], &[], None)
        .await;
    d.call(
        "list_translations",
        &[("template_id", template_id)],
        &[],
        None,
    )
    .await;
    d.call(
        "update_template",
        &[("template_id", template_id)],
        &[],
        Some(
            json!({"id": template_id, "description": "Greeting 2", "default_translation": "en-US",
            "version": 1,
            "translations": [{"language_code": "en-US", "version": "2",
                "text_message": {"text": "Hi ${name}"},
                "variables": [{"key": "name", "preview_value": "Ada"}]}]}),
        ),
    )
    .await;

    // Deletes last.
    d.call(
        "delete_template",
        &[("template_id", template_id)],
        &[],
        None,
    )
    .await;
    d.call("delete_settings", &[], &[], None).await;
    d.call("delete_events", &[("event_id", event_id)], &[], None)
        .await;
    d.call("delete_message", &[("message_id", message_id)], &[], None)
        .await;
    d.call(
        "delete_conversation",
        &[("conversation_id", conversation_id)],
        &[],
        None,
    )
    .await;
    d.call("delete_contact", &[("contact_id", contact_id)], &[], None)
        .await;
    d.call("delete_webhook", &[("webhook_id", webhook_id)], &[], None)
        .await;
    d.call("delete_app", &[("app_id", app_id)], &[], None).await;

    let all: BTreeSet<&str> = operations::ALL.iter().map(|o| o.id).collect();
    let missed: Vec<&&str> = all.difference(&d.driven).collect();
    assert!(missed.is_empty(), "operations not driven: {missed:?}");

    // Callbacks: let the emulator deliver, then validate each against its official event.
    let mut delivered = Vec::new();
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        delivered = callbacks.lock().unwrap().clone();
        let keys: BTreeSet<String> = delivered
            .iter()
            .filter_map(|(_, body)| serde_json::from_slice::<Value>(body).ok())
            .flat_map(|v| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()))
            .flatten()
            .collect();
        if [
            "message_delivery_report",
            "message",
            "event_delivery_report",
        ]
        .iter()
        .all(|k| keys.contains(*k))
        {
            break;
        }
    }
    let branches: Vec<(String, Value)> =
        conversation["components"]["schemas"]["ConversationWebhookEvent"]["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                let schema = resolve(&conversation, b);
                let key = schema["allOf"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|m| m.get("$ref").is_none())
                    .flat_map(|m| m["properties"].as_object().unwrap().keys())
                    .next()
                    .unwrap()
                    .clone();
                (key, b.clone())
            })
            .collect();
    let verifier = Receiver::new(WEBHOOK_SECRET);
    let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
    for (headers, body) in &delivered {
        verifier
            .receive(headers, body, chrono::Utc::now())
            .unwrap_or_else(|e| panic!("a callback the emulator signed does not verify: {e}"));
        let value: Value = serde_json::from_slice(body).unwrap();
        let Some((key, schema)) = branches.iter().find(|(k, _)| value.get(k).is_some()) else {
            d.problems
                .push(format!("a callback of no official event: {value}"));
            continue;
        };
        *by_key.entry(key.clone()).or_default() += 1;
        for error in errors(&conversation, schema, &value) {
            d.problems.push(format!("callback {key}: {error}"));
        }
    }
    for key in [
        "message_delivery_report",
        "message",
        "event_delivery_report",
    ] {
        assert!(
            by_key.contains_key(key),
            "no {key} callback among {by_key:?}"
        );
    }
    assert!(
        d.problems.is_empty(),
        "{} answers or callbacks do not match the official document:\n{}",
        d.problems.len(),
        d.problems.join("\n")
    );
}

#[test]
fn the_validator_rejects_what_the_document_rejects() {
    // A guard on the adjustments above: they must not make every value valid.
    let doc = document("conversation.yaml");
    let app = json!({"$ref": "#/components/schemas/AppResponse"});
    assert!(errors(&doc, &app, &json!({"display_name": "x"})).is_empty());
    assert!(!errors(&doc, &app, &json!({"display_name": 42})).is_empty());
    let credentials = json!({"$ref": "#/components/schemas/ChannelCredentialsTypes"});
    // Valid under several branches: `oneOf` would reject it, `anyOf` accepts it.
    assert!(
        errors(
            &doc,
            &credentials,
            &json!({"static_bearer": {"claimed_identity": "a", "token": "b"}})
        )
        .is_empty()
    );
    // Every branch's property is optional, so any object passes some branch; what the document
    // still rejects is a value that is not an object, and a wrong type in the common part.
    assert!(!errors(&doc, &credentials, &json!("not an object")).is_empty());
    let full = json!({"$ref": "#/components/schemas/ConversationChannelCredentials"});
    assert!(!errors(&doc, &full, &json!({"channel": 42})).is_empty());
}
