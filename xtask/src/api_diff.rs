//! What changed in the API between two normalised specs, in terms a client user cares about.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Operations by id: `METHOD path`.
fn operations(spec: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (path, item) in spec
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for (method, op) in item.as_object().into_iter().flatten() {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                out.insert(id.to_owned(), format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    out
}

fn schemas(spec: &Value) -> BTreeMap<String, Value> {
    spec.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// A short description of a property's type (`string`, `array of ConversationChannel`, ...).
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference.rsplit('/').next().unwrap_or(reference).to_owned();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => format!(
            "array of {}",
            schema.get("items").map_or("?".into(), type_of)
        ),
        Some(t) => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("{t} ({format})"),
            None => t.to_owned(),
        },
        None if schema.get("oneOf").is_some() => "oneOf".into(),
        None => "any".into(),
    }
}

fn keys(map: Option<&serde_json::Map<String, Value>>) -> BTreeSet<String> {
    map.map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

fn enum_values(schema: &Value) -> BTreeSet<String> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|v| {
            v.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Lines describing every API change from `old` to `new`; empty when nothing changed.
pub fn api_diff(old: &Value, new: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    let (old_ops, new_ops) = (operations(old), operations(new));
    for (id, place) in &new_ops {
        if !old_ops.contains_key(id) {
            lines.push(format!("+ operation {id} ({place})"));
        }
    }
    for (id, place) in &old_ops {
        if !new_ops.contains_key(id) {
            lines.push(format!("- operation {id} ({place})"));
        }
    }
    let (old_schemas, new_schemas) = (schemas(old), schemas(new));
    for name in new_schemas.keys().filter(|n| !old_schemas.contains_key(*n)) {
        lines.push(format!("+ schema {name}"));
    }
    for name in old_schemas.keys().filter(|n| !new_schemas.contains_key(*n)) {
        lines.push(format!("- schema {name}"));
    }
    for (name, new_schema) in &new_schemas {
        let Some(old_schema) = old_schemas.get(name) else {
            continue;
        };
        let old_props = old_schema.get("properties").and_then(Value::as_object);
        let new_props = new_schema.get("properties").and_then(Value::as_object);
        let (old_keys, new_keys) = (keys(old_props), keys(new_props));
        for field in new_keys.difference(&old_keys) {
            lines.push(format!(
                "+ field {name}.{field}: {}",
                type_of(&new_props.unwrap()[field])
            ));
        }
        for field in old_keys.difference(&new_keys) {
            lines.push(format!("- field {name}.{field}"));
        }
        for field in old_keys.intersection(&new_keys) {
            let (before, after) = (
                type_of(&old_props.unwrap()[field]),
                type_of(&new_props.unwrap()[field]),
            );
            if before != after {
                lines.push(format!("~ field {name}.{field}: {before} -> {after}"));
            }
        }
        let (old_enum, new_enum) = (enum_values(old_schema), enum_values(new_schema));
        for value in new_enum.difference(&old_enum) {
            lines.push(format!("+ enum value {name}::{value}"));
        }
        for value in old_enum.difference(&new_enum) {
            lines.push(format!("- enum value {name}::{value}"));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identical_specs_have_no_changes() {
        let spec = json!({"paths": {"/a": {"get": {"operationId": "a"}}}, "components": {"schemas": {"S": {"enum": ["X"]}}}});
        assert!(api_diff(&spec, &spec).is_empty());
    }

    #[test]
    fn reports_operations_schemas_fields_and_enum_values() {
        let old = json!({
            "paths": {"/a": {"get": {"operationId": "get_a"}}, "/gone": {"delete": {"operationId": "gone"}}},
            "components": {"schemas": {
                "Old": {},
                "S": {"properties": {"keep": {"type": "string"}, "drop": {"type": "string"}, "retyped": {"type": "string"}}},
                "E": {"enum": ["A", "B"]}
            }}
        });
        let new = json!({
            "paths": {"/a": {"get": {"operationId": "get_a"}, "post": {"operationId": "make_a"}}},
            "components": {"schemas": {
                "New": {},
                "S": {"properties": {"keep": {"type": "string"}, "retyped": {"type": "array", "items": {"$ref": "#/components/schemas/E"}},
                                      "added": {"type": "integer", "format": "int32"}}},
                "E": {"enum": ["A", "C"]}
            }}
        });
        assert_eq!(
            api_diff(&old, &new),
            vec![
                "+ operation make_a (POST /a)",
                "- operation gone (DELETE /gone)",
                "+ schema New",
                "- schema Old",
                "+ enum value E::C",
                "- enum value E::B",
                "+ field S.added: integer (int32)",
                "- field S.drop",
                "~ field S.retyped: string -> array of E",
            ]
        );
    }
}
