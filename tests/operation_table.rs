//! The generated operation table against the spec it was generated from, read here at test
//! time: every operation is listed with its method, path and host, and the operations that page
//! and take a mask are exactly those whose parameters say so.

use std::collections::BTreeSet;

use serde_json::Value;
use sinch_conversation::operations::{self, Host};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/spec/conversation.json");
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// An operation of the spec as this test reads it, independently of `build.rs`.
struct SpecOp<'a> {
    id: &'a str,
    method: String,
    path: &'a str,
    op: &'a Value,
    /// Path-level then operation-level parameters, `$ref`s resolved.
    params: Vec<&'a Value>,
}

fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(spec, spec.pointer(r.strip_prefix('#').unwrap()).unwrap()),
        None => value,
    }
}

fn parameters(value: &Value) -> Vec<&Value> {
    value
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect()
}

fn spec_ops(spec: &Value) -> Vec<SpecOp<'_>> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let params = parameters(item)
                .into_iter()
                .chain(parameters(op))
                .map(|p| resolve(spec, p))
                .collect();
            out.push(SpecOp {
                id: op["operationId"].as_str().unwrap(),
                method: method.to_uppercase(),
                path,
                op,
                params,
            });
        }
    }
    out
}

fn has_query(op: &SpecOp<'_>, names: &[&str]) -> bool {
    op.params
        .iter()
        .any(|p| p["in"] == "query" && names.iter().any(|n| p["name"] == *n))
}

#[test]
fn every_operation_of_the_spec_is_in_the_table() {
    let spec = spec();
    let ops = spec_ops(&spec);
    assert!(!ops.is_empty());
    assert_eq!(operations::ALL.len(), ops.len());
    for op in &ops {
        let info = operations::find(op.id).unwrap_or_else(|| panic!("{} is missing", op.id));
        assert_eq!(info.id, op.id);
        assert_eq!(info.method, op.method, "{}", op.id);
        assert_eq!(info.path, op.path, "{}", op.id);
        let sinch_id = op.op["x-sinch-operation-id"].as_str().unwrap_or_default();
        assert_eq!(info.sinch_id, sinch_id, "{}", op.id);
        let host = match op.op["x-sinch-host"].as_str() {
            None => Host::Conversation,
            Some("template") => Host::Template,
            Some(other) => panic!("{}: unknown host {other}", op.id),
        };
        assert_eq!(info.host, host, "{}", op.id);
    }
    let ids: BTreeSet<&str> = operations::ALL.iter().map(|o| o.id).collect();
    assert_eq!(ids.len(), operations::ALL.len(), "ids are unique");
    assert_eq!(operations::find("no_such_operation"), None);
}

#[test]
fn the_paging_operations_are_those_with_a_page_token() {
    let spec = spec();
    let expected: BTreeSet<&str> = spec_ops(&spec)
        .iter()
        .filter(|op| has_query(op, &["page_token"]))
        .map(|op| op.id)
        .collect();
    let paginated: BTreeSet<&str> = operations::ALL
        .iter()
        .filter(|o| o.paginated)
        .map(|o| o.id)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(paginated, expected);
}

#[test]
fn the_masked_operations_are_those_with_an_update_mask() {
    let spec = spec();
    let expected: BTreeSet<&str> = spec_ops(&spec)
        .iter()
        .filter(|op| has_query(op, &["update_mask", "update_mask.paths"]))
        .map(|op| op.id)
        .collect();
    let masked: BTreeSet<&str> = operations::ALL
        .iter()
        .filter(|o| o.masked)
        .map(|o| o.id)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(masked, expected);
}
