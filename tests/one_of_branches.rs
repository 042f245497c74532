//! Every branch of every `oneOf` without a discriminator lands in its own variant, with nothing
//! lost.
//!
//! The official document's `oneOf`s have no discriminator and their branches' properties are
//! all optional, so a value is valid under several branches at once; normalisation marks them
//! `x-sinch-keyed` (a branch is told by its one property) or `x-sinch-tagged` (by a tag field),
//! and `build.rs` turns each into an enum with an `Unknown` branch. Here, for each such schema
//! in `spec/conversation.json`, each branch gets a value built from its own schema (the
//! schema's `example` where it has one, otherwise every property filled in), which must parse
//! into the variant of that branch and serialise back to the same JSON.

mod common;

use common::official::covered;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value, json};
use sinch_conversation::types;

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/spec/conversation.json"
    ))
    .expect("spec/conversation.json is readable");
    serde_json::from_str(&text).expect("spec/conversation.json is JSON")
}

fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    while let Some(pointer) = value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        value = doc.pointer(pointer).expect("every $ref resolves");
    }
    value
}

/// How deep nested objects and arrays are filled in; deeper ones are left out (every property
/// of the document's models is optional or has a shallow required part).
const DEPTH: usize = 12;

const TIME: &str = "2024-05-01T10:00:00Z";

/// A value of `schema`: its `example` when it has a usable one, else one built from its type
/// with every property present.
fn sample(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    let time = schema.get("format").and_then(Value::as_str) == Some("date-time");
    if let Some(example) = schema.get("example") {
        // The document's stand-in times (`YYYY-MM-DDTHH:MM:SS`) are not RFC 3339.
        let usable = !time
            || example
                .as_str()
                .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok());
        if usable {
            return example.clone();
        }
    }
    if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for member in members {
            match sample(doc, member, depth) {
                Value::Object(part) => merged.extend(part),
                other if members.len() == 1 => return other,
                _ => {}
            }
        }
        return Value::Object(merged);
    }
    for choice in ["oneOf", "anyOf"] {
        if let Some(first) = schema.get(choice).and_then(|b| b.get(0)) {
            return sample(doc, first, depth + 1);
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values[0].clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") if time => json!(TIME),
        Some("string") if schema.get("format").and_then(Value::as_str) == Some("byte") => {
            json!("aGVsbG8=")
        }
        Some("string") => json!("sample"),
        Some("integer") => json!(1),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("array") if depth < DEPTH => {
            json!([sample(doc, &schema["items"], depth + 1)])
        }
        Some("array") => json!([]),
        _ => {
            let mut object = Map::new();
            if depth < DEPTH {
                for (name, property) in schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    object.insert(name.clone(), sample(doc, property, depth + 1));
                }
                if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
                    object.insert("key".into(), sample(doc, values, depth + 1));
                }
            }
            Value::Object(object)
        }
    }
}

/// Parses `value` as `T` and gives back the variant's key (or tag) and the re-serialised JSON.
fn parse<T: DeserializeOwned + Serialize>(
    value: Value,
    key: fn(&T) -> Option<&'static str>,
) -> Result<(Option<&'static str>, Value), String> {
    let parsed: T = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&parsed).map_err(|e| e.to_string())?;
    Ok((key(&parsed), back))
}

type Parser = fn(Value) -> Result<(Option<&'static str>, Value), String>;

/// The generated enum of each `x-sinch-keyed` schema.
macro_rules! keyed {
    ($($schema:literal => $ty:ty,)*) => {
        &[$(($schema, |v| parse::<$ty>(v, <$ty>::key)),)*]
    };
}

const KEYED: &[(&str, Parser)] = keyed! {
    "AppEvent" => types::AppEvent,
    "AppMessageTypes" => types::AppMessageTypes,
    "ChannelCredentialsTypes" => types::ChannelCredentialsTypes,
    "ContactEvent" => types::ContactEvent,
    "ContactMessageEvent" => types::ContactMessageEvent,
    "ContactMessageTypes" => types::ContactMessageTypes,
    "ConversationMessageTypes" => types::ConversationMessageTypes,
    "ConversationMessageTypesInject" => types::ConversationMessageTypesInject,
    "LineEnterpriseCredentialsContent2" => types::LineEnterpriseCredentialsContent2,
    "ListItem" => types::ListItem,
    "OmniMessageOverride" => types::OmniMessageOverride,
    "PaymentOrderDetailsChannelSpecificMessagePaymentPaymentSettings" =>
        types::PaymentOrderDetailsChannelSpecificMessagePaymentPaymentSettings,
    "RecipientBase" => types::RecipientBase,
    "choiceTypes" => types::ChoiceTypes,
    "v2MessageTypes" => types::V2MessageTypes,
};

/// The generated enum of each `x-sinch-tagged` schema.
const TAGGED: &[(&str, Parser)] = &[
    ("ChannelSpecificMessage", |v| {
        parse::<types::ChannelSpecificMessage>(v, types::ChannelSpecificMessage::tag)
    }),
    ("ChannelSpecificMessageContent", |v| {
        parse::<types::ChannelSpecificMessageContent>(v, types::ChannelSpecificMessageContent::tag)
    }),
];

fn marked<'a>(doc: &'a Value, mark: &str) -> Vec<(&'a str, &'a Value)> {
    doc["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .iter()
        .filter(|(_, schema)| schema.get(mark).is_some())
        .map(|(name, schema)| (name.as_str(), schema))
        .collect()
}

#[test]
fn every_keyed_branch_lands_in_its_own_variant() {
    let doc = spec();
    let schemas = marked(&doc, "x-sinch-keyed");
    let listed: Vec<&str> = KEYED.iter().map(|(name, _)| *name).collect();
    let found: Vec<&str> = schemas.iter().map(|(name, _)| *name).collect();
    assert_eq!(listed, found, "every x-sinch-keyed schema is listed here");

    let mut problems = Vec::new();
    let mut branches = 0;
    for ((name, schema), (_, parse)) in schemas.iter().zip(KEYED) {
        for branch in schema["oneOf"]
            .as_array()
            .expect("a keyed schema has oneOf")
        {
            let branch = resolve(&doc, branch);
            let (key, content) = branch["properties"]
                .as_object()
                .and_then(|p| p.iter().next())
                .expect("a keyed branch has one property");
            branches += 1;
            let value = json!({ key: sample(&doc, content, 0) });
            let at = format!("{name}.{key}");
            match parse(value.clone()) {
                Ok((Some(got), back)) if got == key => {
                    if let Err(e) = covered(&value, Some(&back), &at) {
                        problems.push(e);
                    }
                }
                Ok((got, _)) => problems.push(format!("{at}: landed in {got:?} ({value})")),
                Err(e) => problems.push(format!("{at}: {e} ({value})")),
            }
        }
    }
    assert!(branches > 60, "branches checked: {branches}");
    assert!(
        problems.is_empty(),
        "{} of {branches} branches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_tagged_branch_lands_in_its_own_variant() {
    let doc = spec();
    let schemas = marked(&doc, "x-sinch-tagged");
    let listed: Vec<&str> = TAGGED.iter().map(|(name, _)| *name).collect();
    let found: Vec<&str> = schemas.iter().map(|(name, _)| *name).collect();
    assert_eq!(listed, found, "every x-sinch-tagged schema is listed here");

    let mut problems = Vec::new();
    for ((name, schema), (_, parse)) in schemas.iter().zip(TAGGED) {
        let mark = &schema["x-sinch-tagged"];
        let (tag, content) = (
            mark["tag"].as_str().expect("tag"),
            mark["content"].as_str().expect("content"),
        );
        for (value, target) in mark["variants"].as_object().expect("variants") {
            let body = sample(&doc, &json!({ "$ref": target }), 0);
            let wire = json!({ tag: value, content: body });
            let at = format!("{name}[{tag}={value}]");
            match parse(wire.clone()) {
                Ok((Some(got), back)) if got == value => {
                    if let Err(e) = covered(&wire, Some(&back), &at) {
                        problems.push(e);
                    }
                }
                Ok((got, _)) => problems.push(format!("{at}: landed in {got:?} ({wire})")),
                Err(e) => problems.push(format!("{at}: {e} ({wire})")),
            }
        }
        // A tag this version does not know is kept whole.
        let unknown = json!({ tag: "SOMETHING_NEW", content: {"x": 1} });
        match parse(unknown.clone()) {
            Ok((None, back)) if back == unknown => {}
            other => problems.push(format!("{name}: an unknown tag gave {other:?}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_value_of_two_branches_or_none_is_kept_raw() {
    // Valid under two branches at once (each property is optional): neither is chosen.
    let both = json!({"text_message": {"text": "a"}, "media_message": {"url": "https://x"}});
    let (key, back) = KEYED
        .iter()
        .find(|(name, _)| *name == "AppMessageTypes")
        .map(|(_, parse)| parse(both.clone()).unwrap())
        .unwrap();
    assert_eq!(key, None);
    assert_eq!(back, both);
    let neither = json!({"hologram_message": {"depth": 3}});
    let (key, back) = KEYED
        .iter()
        .find(|(name, _)| *name == "ContactMessageTypes")
        .map(|(_, parse)| parse(neither.clone()).unwrap())
        .unwrap();
    assert_eq!(key, None);
    assert_eq!(back, neither);
}
