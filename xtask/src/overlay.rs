//! Spec overlays: partial OpenAPI documents in `spec/overlays/` merged over the upstream spec,
//! so a refresh of upstream keeps our additions.
//!
//! Merge rules: objects merge key by key; `parameters` arrays gain the parameters they lack
//! (by `$ref`, or by `name` + `in`); `enum`, `required` and `tags` arrays gain the values they
//! lack; any other value is replaced. The `x-overlay` key documents an overlay and is dropped.

use std::{fs, path::Path};

use serde_json::{Map, Value};

use crate::{io, operations};

/// An overlay file.
pub struct Overlay {
    /// File name, for messages.
    pub name: String,
    /// The partial document.
    pub document: Value,
}

/// Reads every `*.json` overlay in `dir`, in name order (none when `dir` does not exist).
pub fn read_overlays(dir: &Path) -> Result<Vec<Overlay>, String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let document = io::read_spec(&path)?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !document.is_object() {
                return Err(format!("overlay {name} is not a JSON object"));
            }
            Ok(Overlay { name, document })
        })
        .collect()
}

/// Merges `overlay` into `spec`; returns notes on what upstream already has (so the overlay
/// part can be dropped).
pub fn apply(spec: &mut Value, overlay: &Overlay) -> Vec<String> {
    let mut notes = Vec::new();
    let mut document = overlay.document.clone();
    if let Some(map) = document.as_object_mut() {
        map.remove("x-overlay");
    }
    redundancy_notes(spec, &document, &overlay.name, &mut notes);
    // Operations the overlay defines (those with an operationId) remember where they came from.
    operations::for_each_mut(&mut document, |_, _, op| {
        if op.contains_key("operationId") {
            op.insert("x-sinch-source".into(), Value::String(overlay.name.clone()));
        }
    });
    merge(spec, document);
    notes
}

fn redundancy_notes(spec: &Value, overlay: &Value, name: &str, notes: &mut Vec<String>) {
    for operation in operations::operations(overlay) {
        let Some(id) = operation.id else {
            continue;
        };
        let at = format!("/paths/{}/{}", escape(operation.path), operation.method);
        if let Some(existing) = spec.pointer(&at) {
            let upstream = existing
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or("?");
            notes.push(format!(
                "overlay {name}: upstream now defines {} ({upstream}); drop {id} from the overlay",
                operation.place()
            ));
        }
    }
    for (schema, body) in overlay
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some(upstream) = spec.pointer(&format!("/components/schemas/{}", escape(schema)))
        else {
            continue;
        };
        for field in body
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            if upstream
                .pointer(&format!("/properties/{}", escape(field)))
                .is_some()
            {
                notes.push(format!(
                    "overlay {name}: upstream now has {schema}.{field}; drop it from the overlay"
                ));
            }
        }
        let upstream_values = upstream.get("enum").and_then(Value::as_array);
        for value in body
            .get("enum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if upstream_values.is_some_and(|v| v.contains(value)) {
                notes.push(format!(
                    "overlay {name}: upstream now has {schema}::{value}; drop it from the overlay"
                ));
            }
        }
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn parameter_key(param: &Value) -> String {
    match param.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference.to_owned(),
        None => format!(
            "{}:{}",
            param.get("in").and_then(Value::as_str).unwrap_or(""),
            param.get("name").and_then(Value::as_str).unwrap_or("")
        ),
    }
}

fn merge_into(target: &mut Map<String, Value>, overlay: Map<String, Value>) {
    for (key, value) in overlay {
        match (target.get_mut(&key), value) {
            (Some(Value::Object(existing)), Value::Object(added)) => merge_into(existing, added),
            (Some(Value::Array(existing)), Value::Array(added)) if key == "parameters" => {
                for param in added {
                    let param_key = parameter_key(&param);
                    if !existing.iter().any(|p| parameter_key(p) == param_key) {
                        existing.push(param);
                    }
                }
            }
            (Some(Value::Array(existing)), Value::Array(added))
                if matches!(key.as_str(), "enum" | "required" | "tags") =>
            {
                for value in added {
                    if !existing.contains(&value) {
                        existing.push(value);
                    }
                }
            }
            (_, value) => {
                target.insert(key, value);
            }
        }
    }
}

/// Deep-merges `overlay` into `target` with the rules of this module.
pub fn merge(target: &mut Value, overlay: Value) {
    match (target, overlay) {
        (Value::Object(existing), Value::Object(added)) => merge_into(existing, added),
        (target, overlay) => *target = overlay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(document: Value) -> Overlay {
        Overlay {
            name: "t.json".into(),
            document,
        }
    }

    #[test]
    fn adds_operations_schemas_parameters_and_enum_values() {
        let mut spec = json!({
            "paths": {"/m": {"get": {"operationId": "list", "parameters": [{"name": "a", "in": "query"}]}}},
            "components": {"schemas": {
                "E": {"type": "string", "enum": ["X"]},
                "S": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}
            }}
        });
        let notes = apply(
            &mut spec,
            &overlay(json!({
                "x-overlay": {"description": "test"},
                "paths": {
                    "/m": {"get": {"parameters": [{"name": "a", "in": "query"}, {"name": "b", "in": "query"}]}},
                    "/n": {"post": {"operationId": "make"}}
                },
                "components": {"schemas": {
                    "E": {"enum": ["X", "Y"]},
                    "S": {"properties": {"b": {"type": "integer"}}},
                    "New": {"type": "object"}
                }}
            })),
        );
        assert_eq!(
            spec["paths"]["/m"]["get"]["parameters"],
            json!([{"name": "a", "in": "query"}, {"name": "b", "in": "query"}])
        );
        assert_eq!(spec["paths"]["/m"]["get"]["operationId"], "list");
        assert_eq!(spec["paths"]["/n"]["post"]["operationId"], "make");
        assert_eq!(spec["paths"]["/n"]["post"]["x-sinch-source"], "t.json");
        assert!(spec["paths"]["/m"]["get"].get("x-sinch-source").is_none());
        assert_eq!(
            spec["components"]["schemas"]["E"]["enum"],
            json!(["X", "Y"])
        );
        assert_eq!(spec["components"]["schemas"]["S"]["required"], json!(["a"]));
        assert_eq!(
            spec["components"]["schemas"]["S"]["properties"]["b"]["type"],
            "integer"
        );
        assert!(spec["components"]["schemas"]["New"].is_object());
        assert!(spec.get("x-overlay").is_none());
        assert_eq!(
            notes,
            vec!["overlay t.json: upstream now has E::\"X\"; drop it from the overlay".to_string()]
        );
    }

    #[test]
    fn says_when_upstream_gained_what_an_overlay_defines() {
        let mut spec = json!({"paths": {"/e/{id}": {"get": {"operationId": "Events_GetEvent"}}},
                              "components": {"schemas": {"App": {"properties": {"processing_mode": {}}}}}});
        let notes = apply(
            &mut spec,
            &overlay(json!({
                "paths": {"/e/{id}": {"get": {"operationId": "get_event"}}},
                "components": {"schemas": {"App": {"properties": {"processing_mode": {"type": "string"}}}}}
            })),
        );
        assert_eq!(notes, vec![
            "overlay t.json: upstream now defines GET /e/{id} (Events_GetEvent); drop get_event from the overlay".to_string(),
            "overlay t.json: upstream now has App.processing_mode; drop it from the overlay".to_string(),
        ]);
    }
}
