//! Every example the official documents give, read into the generated type of its schema and
//! written back without losing a field: the examples of success responses, of request bodies,
//! of error answers, and the schema-level ones. The examples are read from
//! `spec/conversation.json`, which carries the official ones unchanged (normalisation rewrites
//! schemas, never examples), so each is checked against the schema names the client uses.
//!
//! The callback schemas (`ConversationWebhookEvent` and its events) carry no example of their
//! own in the official document; `checks/tests/emulator_conformance.rs` validates real callbacks against them.

mod common;

use std::fmt::Debug;

use common::official::covered;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};
use sinch_conversation::types;

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/spec/conversation.json"
    ))
    .expect("spec/conversation.json is readable");
    serde_json::from_str(&text).expect("spec/conversation.json is JSON")
}

/// `value` with `$ref`s (to anything in the document) followed.
fn resolve<'a>(spec: &'a Value, mut value: &'a Value) -> &'a Value {
    while let Some(pointer) = value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        value = spec.pointer(pointer).expect("every $ref resolves");
    }
    value
}

/// An example as found: where, the schema it illustrates, and its value.
struct Example {
    at: String,
    schema: String,
    value: Value,
}

/// The examples of a media type object (`example`, and `examples.*.value`).
fn media_examples(spec: &Value, at: &str, media: &Value, out: &mut Vec<Example>) {
    let schema = media
        .pointer("/schema/$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .unwrap_or("(inline)")
        .to_owned();
    if let Some(value) = media.get("example") {
        out.push(Example {
            at: at.to_owned(),
            schema: schema.clone(),
            value: value.clone(),
        });
    }
    for (name, example) in media
        .get("examples")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(value) = resolve(spec, example).get("value") {
            out.push(Example {
                at: format!("{at} examples/{name}"),
                schema: schema.clone(),
                value: value.clone(),
            });
        }
    }
}

/// `(success response examples, request body examples, error response examples)`.
fn operation_examples(spec: &Value) -> (Vec<Example>, Vec<Example>, Vec<Example>) {
    let (mut success, mut requests, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let id = op["operationId"].as_str().unwrap_or(method);
            if let Some(body) = op.get("requestBody") {
                for (_, media) in resolve(spec, body)["content"]
                    .as_object()
                    .into_iter()
                    .flatten()
                {
                    media_examples(spec, &format!("{id} request"), media, &mut requests);
                }
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                let out = if status.starts_with('2') {
                    &mut success
                } else {
                    &mut errors
                };
                for (_, media) in resolve(spec, response)
                    .get("content")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    media_examples(spec, &format!("{id} {status} ({path})"), media, out);
                }
            }
        }
    }
    (success, requests, errors)
}

/// The document's stand-in for a time, `"YYYY-MM-DDTHH:MM:SS"`, is not the RFC 3339 date-time
/// its own schema requires (`format: date-time`); a real time of that shape takes its place.
fn with_real_times(value: &mut Value) {
    match value {
        Value::String(s) if s == "YYYY-MM-DDTHH:MM:SS" => *s = "2024-05-01T10:00:00Z".into(),
        Value::Array(items) => items.iter_mut().for_each(with_real_times),
        Value::Object(map) => map.values_mut().for_each(with_real_times),
        _ => {}
    }
}

/// How an erratum mends an example.
enum Mend {
    /// The field is not in the schema at all: it is left out before the check, and the check
    /// makes sure the generated type still has no such field.
    Drop,
    /// The value is an array where the schema wants one object: its first element is used.
    FirstOfArray,
}

/// Where an official example contradicts its own schema, and why. Each is applied before the
/// checks; `errata_are_still_needed` fails once Sinch mends the document.
const ERRATA: &[(&str, &str, Mend, &str)] = &[
    (
        "create_conversation request examples/createNewConversation",
        "/id",
        Mend::Drop,
        "the request schema has no `id`; the document itself says a given id is ignored",
    ),
    (
        "inject_event request examples/injectEventRequest",
        "/id",
        Mend::Drop,
        "`id` belongs to the stored `ConversationEvent`, not to `InjectConversationEventRequest`",
    ),
    (
        "inject_event request examples/injectEventRequest",
        "/direction",
        Mend::Drop,
        "`direction` belongs to the stored `ConversationEvent`, not to the inject request",
    ),
    (
        "send_message request examples/CardSendExample",
        "/message/card_message/message_properties",
        Mend::FirstOfArray,
        "`CardMessage.message_properties` is an object in the schema, an array in the example",
    ),
    (
        "send_message request examples/ChoiceSendExample",
        "/message/choice_message/message_properties",
        Mend::FirstOfArray,
        "`ChoiceMessage.message_properties` is an object in the schema, an array in the example",
    ),
];

/// `example`'s value with the document's stand-in times replaced and its errata mended.
fn mended(example: &Example) -> Value {
    let mut value = example.value.clone();
    with_real_times(&mut value);
    for (at, pointer, mend, _why) in ERRATA.iter().filter(|(at, ..)| *at == example.at) {
        let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
        let Some(Value::Object(map)) = value.pointer_mut(parent) else {
            panic!("{at}: erratum {pointer} has no parent object");
        };
        match mend {
            Mend::Drop => {
                map.remove(key);
            }
            Mend::FirstOfArray => {
                let first = map
                    .get(key)
                    .and_then(Value::as_array)
                    .and_then(|a| a.first())
                    .cloned();
                map.insert(key.to_owned(), first.expect("a non-empty array"));
            }
        }
    }
    value
}

/// Reads `example` as a `T`, writes it back, and checks nothing was lost.
fn round_trip<T: DeserializeOwned + Serialize + Debug>(example: &Example) -> Result<(), String> {
    let value = mended(example);
    let parsed: T = serde_json::from_value(value.clone())
        .map_err(|e| format!("{}: does not parse as {}: {e}", example.at, example.schema))?;
    let back = serde_json::to_value(&parsed).map_err(|e| e.to_string())?;
    for (_, pointer, mend, why) in ERRATA.iter().filter(|(at, ..)| *at == example.at) {
        // A dropped field must really be unknown to the type, or the erratum hides a loss.
        if matches!(mend, Mend::Drop) {
            let mut raw = example.value.clone();
            with_real_times(&mut raw);
            let kept: T = serde_json::from_value(raw).map_err(|e| e.to_string())?;
            let kept = serde_json::to_value(&kept).map_err(|e| e.to_string())?;
            if kept.pointer(pointer).is_some() {
                return Err(format!(
                    "{}: erratum {pointer} ({why}) is no longer true",
                    example.at
                ));
            }
        }
    }
    covered(&value, Some(&back), &example.at)
}

/// The generated type of each schema the examples illustrate; a schema missing here fails.
macro_rules! by_schema {
    ($example:expr, { $($schema:literal => $ty:ty,)* }) => {
        match $example.schema.as_str() {
            $($schema => round_trip::<$ty>($example),)*
            other => Err(format!("{}: no type listed for schema {other}", $example.at)),
        }
    };
}

fn check(example: &Example) -> Result<(), String> {
    by_schema!(example, {
        "AppCreateRequest" => types::AppCreateRequest,
        "AppPatch" => types::AppPatch,
        "Contact" => types::Contact,
        "ContactCreateRequest" => types::ContactCreateRequest,
        "ContactPatch" => types::ContactPatch,
        "ConversationPatch" => types::ConversationPatch,
        "CreateConversationRequest" => types::CreateConversationRequest,
        "InjectConversationEventRequest" => types::InjectConversationEventRequest,
        "InjectEventResponse" => types::InjectEventResponse,
        "InjectMessageRequest" => types::InjectMessageRequest,
        "ListIdentityConflictsResponse" => types::ListIdentityConflictsResponse,
        "ListMessagesByChannelIdentityRequest" => types::ListMessagesByChannelIdentityRequest,
        "ProjectSettings" => types::ProjectSettings,
        "ProjectSettingsRequest" => types::ProjectSettingsRequest,
        "SendMessageRequest" => types::SendMessageRequest,
        "UpdateMessageMetadataRequest" => types::UpdateMessageMetadataRequest,
        "v2Template" => types::V2Template,
    })
}

fn check_all(examples: &[Example]) {
    let failures: Vec<String> = examples.iter().filter_map(|e| check(e).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} examples failed:\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
}

#[test]
fn every_success_response_example_round_trips() {
    let (success, _, _) = operation_examples(&spec());
    // update_contact, merge_contact, inject_event, list_identity_conflicts, and the three
    // project settings operations: the official document gives no other response example.
    assert_eq!(success.len(), 7, "success examples found");
    check_all(&success);
}

#[test]
fn every_request_body_example_round_trips() {
    let (_, requests, _) = operation_examples(&spec());
    assert_eq!(requests.len(), 29, "request examples found");
    check_all(&requests);
}

#[test]
fn every_send_message_example_keeps_its_message_kind() {
    // A kind that fell into `Unknown` would still round-trip; these must each be typed.
    let (_, requests, _) = operation_examples(&spec());
    let sends: Vec<&Example> = requests
        .iter()
        .filter(|e| e.schema == "SendMessageRequest")
        .collect();
    assert_eq!(sends.len(), 11);
    for example in sends {
        let request: types::SendMessageRequest =
            serde_json::from_value(mended(example)).expect("parses");
        let message = serde_json::to_value(&request.message).expect("serialises");
        let unknown = matches!(request.message.kind, types::AppMessageTypes::Unknown(_));
        // A message given only per channel (explicit channel payloads) has no omni kind.
        let per_channel_only = [
            "explicit_channel_message",
            "explicit_channel_omni_message",
            "channel_specific_message",
        ]
        .iter()
        .any(|k| message.get(*k).is_some());
        assert!(
            !unknown || per_channel_only,
            "{}: the message kind was not recognised: {message}",
            example.at
        );
    }
}

#[test]
fn errata_are_still_needed() {
    let (_, requests, _) = operation_examples(&spec());
    for (at, pointer, mend, why) in ERRATA {
        let example = requests
            .iter()
            .find(|e| e.at == *at)
            .unwrap_or_else(|| panic!("{at}: no such example any more"));
        let raw = example
            .value
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{at}: {pointer} is gone ({why})"));
        match mend {
            // `round_trip` checks that the generated type has no such field.
            Mend::Drop => {}
            Mend::FirstOfArray => {
                assert!(
                    raw.is_array(),
                    "{at}: {pointer} is no longer an array ({why})"
                );
                // Unmended, the message does not parse as its kind and stays raw JSON.
                let request: types::SendMessageRequest =
                    serde_json::from_value(example.value.clone()).expect("parses");
                assert!(
                    matches!(request.message.kind, types::AppMessageTypes::Unknown(_)),
                    "{at}: {pointer} parses unmended ({why})"
                );
            }
        }
    }
}

#[test]
fn every_error_example_reads_as_a_sinch_error() {
    let (_, _, errors) = operation_examples(&spec());
    assert!(errors.len() >= 5, "error examples found: {}", errors.len());
    for example in &errors {
        // The document's error examples are flat (`{"code": 400, ...}`); the API sends them in
        // an `{"error": {...}}` envelope. Both read as the envelope's content.
        let flat: types::RuntimeErrorError =
            serde_json::from_value(example.value.clone()).expect("a flat error parses");
        assert!(
            flat.code.is_some() && flat.message.is_some(),
            "{}",
            example.at
        );
        covered(
            &example.value,
            Some(&serde_json::to_value(&flat).unwrap()),
            &example.at,
        )
        .unwrap();
        let wrapped: types::RuntimeError =
            serde_json::from_value(json!({"error": example.value})).unwrap();
        assert_eq!(wrapped.error, Some(flat));
    }
}

#[test]
fn the_schema_level_examples_round_trip() {
    let spec = spec();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let mut seen = 0;
    for (name, schema) in schemas {
        let Some(example) = schema.get("example") else {
            continue;
        };
        seen += 1;
        match (name.as_str(), example) {
            // A string example of an enum: it reads as a known value of the open enum.
            (_, Value::String(value)) => {
                let values = schema["enum"]
                    .as_array()
                    .expect("a string example is an enum's");
                assert!(values.contains(&json!(value)), "{name}: {value}");
            }
            // Named examples (`{name: {summary, value}}`) of the contact side of a
            // channel-specific message, whose value is the whole contact message.
            ("ChannelSpecificMessageContent", Value::Object(named)) => {
                for (key, named) in named {
                    let example = Example {
                        at: format!("{name} example {key}"),
                        schema: name.clone(),
                        value: named["value"].clone(),
                    };
                    round_trip::<types::ContactMessageTypes>(&example).unwrap();
                    let parsed: types::ContactMessageTypes =
                        serde_json::from_value(example.value.clone()).unwrap();
                    assert!(
                        matches!(
                            parsed,
                            types::ContactMessageTypes::ChannelSpecificMessage(
                                types::ChannelSpecificMessageContent::NfmReply(_)
                            )
                        ),
                        "{key}: {parsed:?}"
                    );
                }
            }
            (name, other) => panic!("schema {name} has an example this test cannot read: {other}"),
        }
    }
    assert_eq!(seen, 5, "schema-level examples found");
}

#[test]
fn the_comparison_notices_a_lost_or_changed_field() {
    let example =
        json!({"a": 1, "b": [1, 2], "c": {"d": "x"}, "e": [], "t": "2024-05-01T10:00:00Z"});
    let same = json!({"a": 1.0, "b": [1, 2], "c": {"d": "x"}, "t": "2024-05-01T10:00:00+00:00"});
    assert_eq!(covered(&example, Some(&same), "$"), Ok(()));
    let lost = json!({"a": 1, "b": [1, 2], "c": {}});
    assert!(
        covered(&example, Some(&lost), "$")
            .unwrap_err()
            .contains("$.c.d")
    );
    let changed = json!({"a": 2, "b": [1, 2], "c": {"d": "x"}});
    assert!(
        covered(&example, Some(&changed), "$")
            .unwrap_err()
            .contains("$.a")
    );
}
