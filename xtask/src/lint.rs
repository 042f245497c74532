//! Lint: what progenitor would panic or error on, or would generate wrongly, caught first with
//! a message naming the place (a JSON pointer or `METHOD path`).
//!
//! Each rule is a pure function from the spec to the problems it finds.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::{
    normalize::{is_constant, resolve},
    operations::operations,
};

/// A rule: the spec in, one message per problem out.
type Rule = fn(&Value) -> Vec<String>;

/// Every rule, in the order its problems are listed.
const RULES: &[Rule] = &[
    openapi_version,
    refs_resolve,
    operation_ids,
    path_params_declared,
    one_success_type,
    optional_query_params_scalar,
    no_inline_enums,
];

/// Every problem found; empty when the spec is fine.
pub fn lint(spec: &Value) -> Vec<String> {
    RULES.iter().flat_map(|rule| rule(spec)).collect()
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// `openapi` must be 3.0.x: progenitor reads nothing else.
pub fn openapi_version(spec: &Value) -> Vec<String> {
    match spec.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => vec![],
        Some(v) => vec![format!(
            "/openapi: version {v} is not OpenAPI 3.0.x (progenitor reads 3.0 only)"
        )],
        None => vec!["/openapi: missing version (expected 3.0.x)".into()],
    }
}

/// Every `$ref` must be internal (`#/...`) and resolve.
pub fn refs_resolve(spec: &Value) -> Vec<String> {
    fn walk(spec: &Value, at: &str, value: &Value, problems: &mut Vec<String>) {
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
                    walk(spec, &format!("{at}/{}", escape(key)), child, problems);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(spec, &format!("{at}/{i}"), child, problems);
                }
            }
            _ => {}
        }
    }
    let mut problems = Vec::new();
    walk(spec, "", spec, &mut problems);
    problems
}

/// Every operation has an operationId, and no two share one (checked after renaming, so two
/// upstream ids that snake_case to the same method name are caught here).
pub fn operation_ids(spec: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for operation in operations(spec) {
        match operation.id {
            None => problems.push(format!("{}: no operationId", operation.place())),
            Some(id) => {
                if let Some(other) = seen.insert(id, operation.place()) {
                    problems.push(format!(
                        "{}: operationId {id} is also used by {other}",
                        operation.place()
                    ));
                }
            }
        }
    }
    problems
}

fn template_params(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

/// Every `{name}` in a path template is declared as an `in: path` parameter of the path item
/// or the operation.
pub fn path_params_declared(spec: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for operation in operations(spec) {
        let declared: BTreeSet<&str> = operation
            .params
            .iter()
            .filter_map(|p| resolve(spec, p))
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .collect();
        for name in template_params(operation.path) {
            if !declared.contains(name) {
                problems.push(format!(
                    "{}: path parameter {{{name}}} is not declared",
                    operation.place()
                ));
            }
        }
    }
    problems
}

/// At most one success (2xx) content type and schema per operation: progenitor generates one
/// return type.
pub fn one_success_type(spec: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for operation in operations(spec) {
        let mut success_types = BTreeSet::new();
        for (status, response) in operation
            .op
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
                "{}: {} different success response types (progenitor takes one)",
                operation.place(),
                success_types.len()
            ));
        }
    }
    problems
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

/// Optional query parameters are scalars or arrays of scalars (`$ref`s followed): anything
/// else has no agreed query-string encoding.
pub fn optional_query_params_scalar(spec: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for operation in operations(spec) {
        for p in operation
            .params
            .iter()
            .filter_map(|p| resolve(spec, p))
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
        {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
            if p.get("required").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let Some(schema) = p.get("schema") else {
                problems.push(format!(
                    "{}: query parameter {name} has no schema",
                    operation.place()
                ));
                continue;
            };
            let array_of_scalars = resolve(spec, schema).is_some_and(|s| {
                s.get("type").and_then(Value::as_str) == Some("array")
                    && s.get("items").is_some_and(|items| is_scalar(spec, items))
            });
            if !is_scalar(spec, schema) && !array_of_scalars {
                problems.push(format!(
                    "{}: optional query parameter {name} is neither a scalar nor an array of scalars",
                    operation.place()
                ));
            }
        }
    }
    problems
}

fn is_string_enum(map: &Map<String, Value>) -> bool {
    map.get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| values.iter().all(Value::is_string))
        && map.get("type").is_none_or(|t| t == "string")
}

/// String enums live only as top-level component schemas (`build.rs` makes those open enums);
/// one anywhere else (a property, array items, a parameter, a body) would be generated closed.
pub fn no_inline_enums(spec: &Value) -> Vec<String> {
    fn walk(at: &str, value: &Value, problems: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                let top_level = at
                    .strip_prefix("/components/schemas/")
                    .is_some_and(|name| !name.contains('/'));
                // A single-value enum is a constant tag, kept inline on purpose
                // (`normalize::is_constant`).
                if is_string_enum(map) && !top_level && !is_constant(value) {
                    problems.push(format!(
                        "{at}: inline string enum (would be generated closed; name it)"
                    ));
                }
                for (key, child) in map {
                    // Examples are data, not schemas.
                    if !matches!(key.as_str(), "example" | "examples") {
                        walk(&format!("{at}/{}", escape(key)), child, problems);
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(&format!("{at}/{i}"), child, problems);
                }
            }
            _ => {}
        }
    }
    let mut problems = Vec::new();
    for key in ["paths", "components"] {
        if let Some(value) = spec.get(key) {
            walk(&format!("/{key}"), value, &mut problems);
        }
    }
    problems
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
            "components": {
                "parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}},
                "schemas": {"Kind": {"type": "string", "enum": ["A", "B"]}}
            }
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
        assert_eq!(
            openapi_version(&spec),
            ["/openapi: version 3.1.0 is not OpenAPI 3.0.x (progenitor reads 3.0 only)"]
        );
        spec.as_object_mut().unwrap().remove("openapi");
        assert_eq!(
            openapi_version(&spec),
            ["/openapi: missing version (expected 3.0.x)"]
        );
    }

    #[test]
    fn rejects_duplicate_and_missing_operation_ids() {
        let mut spec = base();
        spec["paths"]["/q"] =
            json!({"get": {"operationId": "get_p", "responses": {}}, "post": {"responses": {}}});
        let problems = operation_ids(&spec);
        assert!(
            problems.contains(&"GET /q: operationId get_p is also used by GET /p/{id}".into()),
            "{problems:?}"
        );
        assert!(
            problems.contains(&"POST /q: no operationId".into()),
            "{problems:?}"
        );
    }

    #[test]
    fn rejects_unresolved_refs_with_their_location() {
        let mut spec = base();
        spec["paths"]["/p/{id}"]["get"]["responses"]["200"] =
            json!({"$ref": "#/components/responses/nope"});
        spec["components"]["schemas"]["Ext"] = json!({"$ref": "other.yaml#/X"});
        assert_eq!(
            refs_resolve(&spec),
            [
                "/components/schemas/Ext: $ref other.yaml#/X does not resolve",
                "/paths/~1p~1{id}/get/responses/200: $ref #/components/responses/nope does not resolve",
            ]
        );
    }

    #[test]
    fn rejects_undeclared_path_parameters() {
        let mut spec = base();
        spec["paths"]["/p/{id}/x/{other}/{op}"] = json!({
            "parameters": [{"$ref": "#/components/parameters/id"}],
            "get": {"operationId": "x", "responses": {},
                    "parameters": [{"name": "op", "in": "path", "required": true, "schema": {"type": "string"}}]},
            "post": {"operationId": "y", "responses": {}}
        });
        assert_eq!(
            path_params_declared(&spec),
            [
                "GET /p/{id}/x/{other}/{op}: path parameter {other} is not declared",
                "POST /p/{id}/x/{other}/{op}: path parameter {other} is not declared",
                "POST /p/{id}/x/{other}/{op}: path parameter {op} is not declared",
            ]
        );
    }

    #[test]
    fn rejects_several_success_types() {
        let mut spec = base();
        spec["paths"]["/p/{id}"]["get"]["responses"] = json!({
            "200": {"description": "a", "content": {"application/json": {"schema": {"type": "string"}}}},
            "201": {"description": "b", "content": {"application/json": {"schema": {"type": "integer"}}}},
            "400": {"description": "e", "content": {"text/plain": {"schema": {"type": "string"}}}}
        });
        assert_eq!(
            one_success_type(&spec),
            ["GET /p/{id}: 2 different success response types (progenitor takes one)"]
        );
    }

    #[test]
    fn rejects_object_valued_optional_query_parameters() {
        let mut spec = base();
        spec["components"]["schemas"]["Filter"] = json!({"type": "object"});
        spec["paths"]["/p/{id}"]["get"]["parameters"] = json!([
            {"name": "ok", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "kind", "in": "query", "schema": {"$ref": "#/components/schemas/Kind"}},
            {"name": "required_object", "in": "query", "required": true, "schema": {"type": "object"}},
            {"name": "bad", "in": "query", "schema": {"type": "object"}},
            {"name": "bad_ref", "in": "query", "schema": {"$ref": "#/components/schemas/Filter"}}
        ]);
        assert_eq!(
            optional_query_params_scalar(&spec),
            [
                "GET /p/{id}: optional query parameter bad is neither a scalar nor an array of scalars",
                "GET /p/{id}: optional query parameter bad_ref is neither a scalar nor an array of scalars",
            ]
        );
    }

    #[test]
    fn rejects_inline_string_enums_anywhere_but_named_schemas() {
        let mut spec = base();
        spec["components"]["schemas"]["S"] = json!({"properties": {
            "k": {"type": "string", "enum": ["A", "Z"]},
            "list": {"type": "array", "items": {"enum": ["B", "C"]}},
            "n": {"type": "integer", "enum": [1, 2]},
            "tag": {"enum": ["WL"]}
        }, "example": {"enum": ["not a schema"]}});
        spec["paths"]["/p/{id}"]["get"]["parameters"] =
            json!([{"name": "v", "in": "query", "schema": {"type": "string", "enum": ["X", "Y"]}}]);
        // `tag` is a constant (a single-value enum), kept inline on purpose.
        assert_eq!(
            no_inline_enums(&spec),
            [
                "/paths/~1p~1{id}/get/parameters/0/schema: inline string enum (would be generated closed; name it)",
                "/components/schemas/S/properties/k: inline string enum (would be generated closed; name it)",
                "/components/schemas/S/properties/list/items: inline string enum (would be generated closed; name it)",
            ]
        );
    }
}
