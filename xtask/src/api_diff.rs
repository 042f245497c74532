//! What changed in the API between two normalised specs, in terms a client user cares about.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Operations by id: `METHOD path`.
fn operations(spec: &Value) -> BTreeMap<String, String> {
    crate::operations::operations(spec)
        .filter_map(|o| Some((o.id?.to_owned(), o.place())))
        .collect()
}

/// Parameters by operation id: `name (in)` → whether it is required.
fn parameters(spec: &Value) -> BTreeMap<String, BTreeMap<String, bool>> {
    let mut out = BTreeMap::new();
    for operation in crate::operations::operations(spec) {
        let Some(id) = operation.id else {
            continue;
        };
        let params = operation.params.iter().filter_map(|p| {
            let name = p.get("name")?.as_str()?;
            let place = p.get("in")?.as_str()?;
            let required = p.get("required").and_then(Value::as_bool) == Some(true);
            Some((format!("{name} ({place})"), required))
        });
        out.insert(id.to_owned(), params.collect());
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
        // `allOf: [$ref]` is a reference with a description of its own.
        None => match schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([only]) => type_of(only),
            _ => "any".into(),
        },
    }
}

fn keys(map: Option<&serde_json::Map<String, Value>>) -> BTreeSet<String> {
    map.map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

/// The strings of the array `schema[key]` (`enum` values, `required` field names).
fn strings(schema: &Value, key: &str) -> BTreeSet<String> {
    schema
        .get(key)
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
        match new_ops.get(id) {
            None => lines.push(format!("- operation {id} ({place})")),
            Some(moved) if moved != place => {
                lines.push(format!("~ operation {id}: {place} -> {moved}"));
            }
            Some(_) => {}
        }
    }
    let (old_params, new_params) = (parameters(old), parameters(new));
    for (id, after) in &new_params {
        let Some(before) = old_params.get(id) else {
            continue;
        };
        for (param, required) in after {
            match before.get(param) {
                None => lines.push(format!(
                    "+ parameter {id} {param}{}",
                    if *required { ", required" } else { "" }
                )),
                Some(was) if was != required => lines.push(format!(
                    "~ parameter {id} {param}: now {}",
                    if *required { "required" } else { "optional" }
                )),
                Some(_) => {}
            }
        }
        for param in before.keys().filter(|p| !after.contains_key(*p)) {
            lines.push(format!("- parameter {id} {param}"));
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
        // Required or not decides `T` versus `Option<T>` in Rust: a breaking change either way.
        let (old_required, new_required) = (
            strings(old_schema, "required"),
            strings(new_schema, "required"),
        );
        for field in new_keys.intersection(&old_keys) {
            match (old_required.contains(field), new_required.contains(field)) {
                (false, true) => lines.push(format!("~ field {name}.{field}: now required")),
                (true, false) => lines.push(format!("~ field {name}.{field}: now optional")),
                _ => {}
            }
        }
        let (old_enum, new_enum) = (strings(old_schema, "enum"), strings(new_schema, "enum"));
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
    fn reports_moved_operations_parameters_and_required_changes() {
        let old = json!({
            "paths": {"/a/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true}],
                "get": {"operationId": "get_a", "parameters": [
                    {"name": "view", "in": "query"}, {"name": "gone", "in": "query"}]}
            }},
            "components": {"schemas": {"S": {"required": ["x"], "properties": {"x": {"type": "string"}, "y": {"type": "string"}}}}}
        });
        let new = json!({
            "paths": {"/v2/a/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true}],
                "get": {"operationId": "get_a", "parameters": [
                    {"name": "view", "in": "query", "required": true}, {"name": "page_size", "in": "query"}]}
            }},
            "components": {"schemas": {"S": {"required": ["y"], "properties": {"x": {"type": "string"}, "y": {"type": "string"}}}}}
        });
        assert_eq!(
            api_diff(&old, &new),
            vec![
                "~ operation get_a: GET /a/{id} -> GET /v2/a/{id}",
                "+ parameter get_a page_size (query)",
                "~ parameter get_a view (query): now required",
                "- parameter get_a gone (query)",
                "~ field S.x: now optional",
                "~ field S.y: now required",
            ]
        );
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
