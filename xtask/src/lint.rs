//! Lint: what progenitor would panic or error on, caught first with a message naming the place.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::normalize::resolve;

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every problem found; empty when the spec is fine.
pub fn lint(spec: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    openapi_version(spec, &mut problems);
    refs_resolve(spec, "", spec, &mut problems);
    operations(spec, &mut problems);
    no_inline_enums(spec, &mut problems);
    problems
}

fn openapi_version(spec: &Value, problems: &mut Vec<String>) {
    match spec.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => problems.push(format!(
            "/openapi: version {v} is not OpenAPI 3.0.x (progenitor reads 3.0 only)"
        )),
        None => problems.push("/openapi: missing version (expected 3.0.x)".into()),
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn refs_resolve(spec: &Value, at: &str, value: &Value, problems: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                let ok = reference
                    .strip_prefix('#')
                    .is_some_and(|p| spec.pointer(p).is_some());
                if !ok {
                    problems.push(format!("{at}: $ref {reference} does not resolve"));
                }
            }
            for (key, child) in map {
                refs_resolve(spec, &format!("{at}/{}", escape(key)), child, problems);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                refs_resolve(spec, &format!("{at}/{i}"), child, problems);
            }
        }
        _ => {}
    }
}

fn template_params(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

fn is_scalar(spec: &Value, schema: &Value) -> bool {
    let Some(schema) = resolve(spec, schema) else {
        return false;
    };
    matches!(
        schema.get("type").and_then(Value::as_str),
        Some("string" | "integer" | "number" | "boolean")
    ) || (schema.get("type").is_none() && schema.get("enum").is_some())
}

fn operations(spec: &Value, problems: &mut Vec<String>) {
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        problems.push("/paths: missing".into());
        return;
    };
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        let path_level: Vec<&Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        for (method, op) in item {
            if !HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            let place = format!("{} {path}", method.to_uppercase());
            match op.get("operationId").and_then(Value::as_str) {
                None => problems.push(format!("{place}: no operationId")),
                Some(id) => {
                    if let Some(other) = ids.insert(id.to_owned(), place.clone()) {
                        problems.push(format!("{place}: operationId {id} is also used by {other}"));
                    }
                }
            }
            let params: Vec<&Value> = path_level
                .iter()
                .copied()
                .chain(
                    op.get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten(),
                )
                .filter_map(|p| resolve(spec, p))
                .collect();
            let declared: BTreeSet<&str> = params
                .iter()
                .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
                .filter_map(|p| p.get("name").and_then(Value::as_str))
                .collect();
            for name in template_params(path) {
                if !declared.contains(name) {
                    problems.push(format!(
                        "{place}: path parameter {{{name}}} is not declared"
                    ));
                }
            }
            for p in params
                .iter()
                .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
            {
                let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
                let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
                let Some(schema) = p.get("schema") else {
                    problems.push(format!("{place}: query parameter {name} has no schema"));
                    continue;
                };
                let Some(resolved) = resolve(spec, schema) else {
                    continue;
                };
                let array_of_scalars = resolved.get("type").and_then(Value::as_str)
                    == Some("array")
                    && resolved
                        .get("items")
                        .is_some_and(|items| is_scalar(spec, items));
                if !required && !is_scalar(spec, schema) && !array_of_scalars {
                    problems.push(format!(
                        "{place}: optional query parameter {name} is neither a scalar nor an array of scalars"
                    ));
                }
            }
            let mut success_types = BTreeSet::new();
            for (status, response) in op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if !status.starts_with('2') {
                    continue;
                }
                let Some(response) = resolve(spec, response) else {
                    continue;
                };
                for (media, content) in response
                    .get("content")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    success_types.insert(format!(
                        "{media} {}",
                        content.get("schema").unwrap_or(&Value::Null)
                    ));
                }
            }
            if success_types.len() > 1 {
                problems.push(format!(
                    "{place}: {} different success response types (progenitor takes one)",
                    success_types.len()
                ));
            }
        }
    }
}

fn no_inline_enums(spec: &Value, problems: &mut Vec<String>) {
    let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    for (name, schema) in schemas {
        for (property, value) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if value.get("enum").is_some() || value.pointer("/items/enum").is_some() {
                problems.push(format!(
                    "/components/schemas/{name}/properties/{property}: inline enum (would be generated closed)"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Value {
        json!({
            "openapi": "3.0.0",
            "paths": {"/p/{id}": {
                "parameters": [{"$ref": "#/components/parameters/id"}],
                "get": {"operationId": "get_p", "responses": {"200": {"description": "ok"}}}
            }},
            "components": {"parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}}}
        })
    }

    #[test]
    fn a_clean_spec_passes() {
        assert_eq!(lint(&base()), Vec::<String>::new());
    }

    #[test]
    fn rejects_other_openapi_versions() {
        let mut spec = base();
        spec["openapi"] = json!("3.1.0");
        assert!(lint(&spec)[0].contains("3.1.0 is not OpenAPI 3.0.x"));
    }

    #[test]
    fn rejects_duplicate_and_missing_operation_ids() {
        let mut spec = base();
        spec["paths"]["/q"] =
            json!({"get": {"operationId": "get_p", "responses": {}}, "post": {"responses": {}}});
        let problems = lint(&spec);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("operationId get_p is also used by")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p == "POST /q: no operationId"),
            "{problems:?}"
        );
    }

    #[test]
    fn rejects_unresolved_refs_with_their_location() {
        let mut spec = base();
        spec["paths"]["/p/{id}"]["get"]["responses"]["200"] =
            json!({"$ref": "#/components/responses/nope"});
        let problems = lint(&spec);
        assert!(
            problems.contains(&"/paths/~1p~1{id}/get/responses/200: $ref #/components/responses/nope does not resolve".to_string()),
            "{problems:?}"
        );
    }

    #[test]
    fn rejects_undeclared_path_parameters() {
        let mut spec = base();
        spec["paths"]["/p/{id}/x/{other}"] = json!({"get": {"operationId": "x", "responses": {}},
            "parameters": [{"$ref": "#/components/parameters/id"}]});
        assert!(lint(&spec).contains(
            &"GET /p/{id}/x/{other}: path parameter {other} is not declared".to_string()
        ));
    }

    #[test]
    fn rejects_several_success_types() {
        let mut spec = base();
        spec["paths"]["/p/{id}"]["get"]["responses"] = json!({
            "200": {"description": "a", "content": {"application/json": {"schema": {"type": "string"}}}},
            "201": {"description": "b", "content": {"application/json": {"schema": {"type": "integer"}}}}
        });
        assert!(lint(&spec)[0].contains("2 different success response types"));
    }

    #[test]
    fn rejects_object_valued_optional_query_parameters() {
        let mut spec = base();
        spec["paths"]["/p/{id}"]["get"]["parameters"] = json!([
            {"name": "ok", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "bad", "in": "query", "schema": {"type": "object"}}
        ]);
        assert_eq!(
            lint(&spec),
            vec!["GET /p/{id}: optional query parameter bad is neither a scalar nor an array of scalars".to_string()]
        );
    }

    #[test]
    fn rejects_inline_enums() {
        let mut spec = base();
        spec["components"]["schemas"] =
            json!({"S": {"properties": {"k": {"type": "string", "enum": ["A"]}}}});
        assert!(lint(&spec)[0].contains("/components/schemas/S/properties/k: inline enum"));
    }
}
