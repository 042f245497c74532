//! Comparisons against the official documents, shared by the tests that read them.

use serde_json::{Value, json};

/// Whether everything `expected` says is in `actual`, at the same place and of the same value.
/// A `null`, `[]` or `{}` may be left out (serialised as absent, which the API reads alike);
/// numbers compare as numbers, RFC 3339 times as instants.
pub fn covered(expected: &Value, actual: Option<&Value>, at: &str) -> Result<(), String> {
    let empty = match expected {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    let Some(actual) = actual else {
        return if empty {
            Ok(())
        } else {
            Err(format!("{at}: lost {expected}"))
        };
    };
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .try_for_each(|(k, v)| covered(v, a.get(k), &format!("{at}.{k}"))),
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => e
            .iter()
            .zip(a)
            .enumerate()
            .try_for_each(|(i, (e, a))| covered(e, Some(a), &format!("{at}[{i}]"))),
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => Ok(()),
        (Value::String(e), Value::String(a)) if e != a => {
            let time = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
            match (time(e), time(a)) {
                (Some(e), Some(a)) if e == a => Ok(()),
                _ => Err(format!("{at}: {expected} came back as {actual}")),
            }
        }
        _ if expected == actual => Ok(()),
        _ => Err(format!("{at}: {expected} came back as {actual}")),
    }
}

/// The document's schemas as JSON Schema (draft 4, the closest to OpenAPI 3.0's dialect):
/// - `nullable: true` becomes a `null` in `type`, and `const` a one-value `enum` (OpenAPI
///   spellings that JSON Schema draft 4 does not have);
/// - `oneOf` becomes `anyOf`: the official `oneOf`s have no discriminator and their branches'
///   properties are all optional, so a correct value (an SMS `static_bearer` credential, a text
///   message) is valid under several branches at once and `oneOf`, which wants exactly one,
///   rejects every value. The client reads them by key instead (`x-sinch-keyed`).
pub fn json_schema(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.remove("nullable") == Some(Value::Bool(true))
                && let Some(Value::String(t)) = map.get("type").cloned()
            {
                map.insert("type".into(), json!([t, "null"]));
            }
            if let Some(constant) = map.remove("const") {
                map.insert("enum".into(), json!([constant]));
            }
            if let Some(branches) = map.remove("oneOf") {
                map.insert("anyOf".into(), branches);
            }
            map.values_mut().for_each(json_schema);
        }
        Value::Array(items) => items.iter_mut().for_each(json_schema),
        _ => {}
    }
}
