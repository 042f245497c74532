//! Normalisation: small, ordered fixes that turn the upstream spec into what `build.rs` compiles.
//!
//! Each fix is a pure function over the spec that returns how many places it changed, so
//! `regen` can report it and a refresh that no longer needs a fix shows `0`. The reason for
//! each fix is in `spec/README.md`. The file is long on purpose: the fixes run in one order
//! and each sits beside its unit test, so the list reads top to bottom as `spec/README.md` does.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::operations::{METHODS, Operation, for_each_mut, operations};

/// A named fix.
pub struct Fix {
    /// Stable name, as listed in `spec/README.md`.
    pub name: &'static str,
    /// Applies the fix; returns the number of places changed.
    pub apply: fn(&mut Value) -> usize,
}

/// Every fix, in the order it runs.
pub const FIXES: &[Fix] = &[
    Fix {
        name: "openapi_3_1_to_3_0",
        apply: openapi_3_1_to_3_0,
    },
    Fix {
        name: "rename_operation_ids",
        apply: rename_operation_ids,
    },
    Fix {
        name: "default_response_is_an_error",
        apply: default_response_is_an_error,
    },
    Fix {
        name: "untyped_error_responses",
        apply: untyped_error_responses,
    },
    Fix {
        name: "empty_success_no_content",
        apply: empty_success_no_content,
    },
    Fix {
        name: "exact_numbers",
        apply: exact_numbers,
    },
    Fix {
        name: "name_inline_responses",
        apply: name_inline_responses,
    },
    Fix {
        name: "keyed_one_ofs",
        apply: keyed_one_ofs,
    },
    Fix {
        name: "send_event_takes_the_kind",
        apply: send_event_takes_the_kind,
    },
    Fix {
        name: "hoist_inline_enums",
        apply: hoist_inline_enums,
    },
    Fix {
        name: "sibling_tagged_one_ofs",
        apply: sibling_tagged_one_ofs,
    },
    Fix {
        name: "response_only_fields_optional",
        apply: response_only_fields_optional,
    },
    Fix {
        name: "patch_bodies_all_optional",
        apply: patch_bodies_all_optional,
    },
    Fix {
        name: "secret_fields",
        apply: secret_fields,
    },
];

/// Runs every fix in order; returns `(name, changes)` for each.
pub fn normalize(spec: &mut Value) -> Vec<(&'static str, usize)> {
    FIXES
        .iter()
        .map(|fix| (fix.name, (fix.apply)(spec)))
        .collect()
}

/// The update-mask query parameter: `update_mask` in Sinch's current reference,
/// `update_mask.paths` in older documents.
fn is_update_mask(param: &Value) -> bool {
    let is_mask = |name: &str| matches!(name, "update_mask" | "update_mask.paths");
    param
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .is_some_and(is_mask)
        || param
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(is_mask)
}

/// The method name for an upstream operation id: drop the `Tag_` prefix (everything up to the
/// last `_`, so `Templates_v2_ListTemplates` loses `Templates_v2_`), then snake_case. Ids that are
/// already snake_case (ours, from overlays) stay as they are.
pub fn idiomatic_operation_id(original: &str) -> String {
    if !original.contains(|c: char| c.is_ascii_uppercase()) {
        return original.to_owned();
    }
    let name = original.rsplit_once('_').map_or(original, |(_, rest)| rest);
    name.to_snake_case()
}

/// Upstream ids such as `Messages_SendMessage` would become `messages_send_message()`;
/// users expect `send_message()`. The original id stays in `x-sinch-operation-id` and the docs.
pub fn rename_operation_ids(spec: &mut Value) -> usize {
    let mut changed = 0;
    for_each_mut(spec, |_, _, op| {
        let Some(current) = op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return;
        };
        let new = idiomatic_operation_id(&current);
        // Overlay operations carry the official id already; ours without one need no note.
        let original = match op.get("x-sinch-operation-id").and_then(Value::as_str) {
            Some(official) => official.to_owned(),
            None if new == current => return,
            None => current.clone(),
        };
        let note = format!("Sinch operation id: `{original}`.");
        // Without a description the note stands alone: the docs show the summary already, and
        // copying it into the description would print it twice.
        let description = op
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim_end()
            .to_owned();
        if new == current && description.contains(&note) {
            return;
        }
        let description = match description.as_str() {
            "" => note,
            text if text.contains(&note) => text.to_owned(),
            text => format!("{text}\n\n{note}"),
        };
        op.insert("description".into(), Value::String(description));
        op.insert("x-sinch-operation-id".into(), Value::String(original));
        op.insert("operationId".into(), Value::String(new));
        changed += 1;
    });
    changed
}

/// Follows a local `$ref` (`#/a/b`) to its target; other values are returned as they are.
pub fn resolve<'a>(spec: &'a Value, value: &'a Value) -> Option<&'a Value> {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => spec.pointer(reference.strip_prefix('#')?),
        None => Some(value),
    }
}

fn is_empty_object_schema(spec: &Value, schema: &Value) -> bool {
    let Some(schema) = resolve(spec, schema) else {
        return false;
    };
    let Some(map) = schema.as_object() else {
        return false;
    };
    let no_properties = map
        .get("properties")
        .and_then(Value::as_object)
        .is_none_or(Map::is_empty);
    let only_object = map
        .keys()
        .all(|k| matches!(k.as_str(), "type" | "properties" | "description" | "title"))
        && map.get("type").is_none_or(|t| t == "object");
    no_properties && only_object && !map.contains_key("additionalProperties")
}

/// Success responses declared as `{}` (deletes, stop, inject) come back with an empty body;
/// parsed as JSON that is an error, so these responses get no content at all.
pub fn empty_success_no_content(spec: &mut Value) -> usize {
    let snapshot = spec.clone();
    let mut changed = 0;
    for_each_mut(spec, |_, _, op| {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return;
        };
        for (status, response) in responses.iter_mut() {
            if !status.starts_with('2') {
                continue;
            }
            let Some(resolved) = resolve(&snapshot, response) else {
                continue;
            };
            let Some(content) = resolved.get("content").and_then(Value::as_object) else {
                continue;
            };
            let all_empty = !content.is_empty()
                && content.values().all(|media| {
                    media
                        .get("schema")
                        .is_some_and(|s| is_empty_object_schema(&snapshot, s))
                });
            if all_empty {
                let description = resolved
                    .get("description")
                    .cloned()
                    .unwrap_or_else(|| json!("Success."));
                *response = json!({"description": description});
                changed += 1;
            }
        }
    });
    changed
}

fn is_string_enum(schema: &Value) -> bool {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| values.iter().all(Value::is_string))
        && schema.get("type").is_none_or(|t| t == "string")
}

/// A single-value string enum is a constant, not a set of values: in the official document it
/// tags a `oneOf` branch (KakaoTalk buttons `type: [WL]`, coupons, commerce). It stays inline and
/// closed, so an untagged `oneOf` can only pick the branch whose tag matches.
pub fn is_constant(schema: &Value) -> bool {
    is_string_enum(schema) && schema["enum"].as_array().is_some_and(|v| v.len() == 1)
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The schemas directly inside `schema`: `(JSON pointer suffix, name suffix)`, where a hoisted
/// enum found under a property takes the property's name and one under `allOf`/`oneOf`/`anyOf`,
/// `items` or `not` takes its parent's.
fn child_schemas(schema: &Value) -> Vec<(String, String, &Value)> {
    let mut children = Vec::new();
    let Some(map) = schema.as_object() else {
        return children;
    };
    for (key, value) in map {
        match key.as_str() {
            "properties" => {
                for (name, child) in value.as_object().into_iter().flatten() {
                    let at = format!("/properties/{}", escape(name));
                    children.push((at, name.to_upper_camel_case(), child));
                }
            }
            "allOf" | "oneOf" | "anyOf" => {
                for (i, child) in value.as_array().into_iter().flatten().enumerate() {
                    children.push((format!("/{key}/{i}"), String::new(), child));
                }
            }
            "items" | "not" => children.push((format!("/{key}"), String::new(), value)),
            "additionalProperties" if value.is_object() => {
                children.push((format!("/{key}"), "Value".to_owned(), value))
            }
            _ => {}
        }
    }
    children
}

/// Marks a `oneOf` that `build.rs` emits as an enum keyed by each branch's one property.
pub const KEYED: &str = "x-sinch-keyed";
/// Marks an `allOf` of `$ref`s that `build.rs` emits as a struct of flattened parts.
pub const FLATTEN: &str = "x-sinch-flatten";

/// `value` resolved through `$ref`s to component schemas.
fn resolve_schema<'a>(spec: &'a Value, value: &'a Value) -> Option<&'a Value> {
    let mut value = value;
    for _ in 0..16 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => value = spec.pointer(reference.strip_prefix('#')?)?,
            None => return Some(value),
        }
    }
    None
}

/// The `(key, payload)` of each branch when every branch of `schema`'s `oneOf` is an object
/// with exactly one property, no two the same: the shape of the official message, event,
/// credential and recipient kinds (`TextMessageField` is `{text_message: {...}}`).
fn keyed_branches(spec: &Value, schema: &Value) -> Option<Vec<(String, Value, Option<String>)>> {
    if schema.get("discriminator").is_some() || schema.get(KEYED).is_some() {
        return None;
    }
    let branches = schema.get("oneOf")?.as_array()?;
    if branches.len() < 2 {
        return None;
    }
    let mut keyed: Vec<(String, Value, Option<String>)> = Vec::new();
    for branch in branches {
        // A branch that is a component schema (`TextMessageField`) is shared by several
        // `oneOf`s; its payload is named there, once.
        let at = branch
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .map(str::to_owned);
        let branch = resolve_schema(spec, branch)?;
        if ["allOf", "oneOf", "anyOf"]
            .iter()
            .any(|k| branch.get(k).is_some())
        {
            return None;
        }
        let properties = branch.get("properties")?.as_object()?;
        let [(key, payload)] = properties.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        if keyed.iter().any(|(k, _, _)| k == key) {
            return None;
        }
        let at = at.map(|at| format!("{at}/properties/{}", escape(key)));
        keyed.push((key.clone(), payload.clone(), at));
    }
    Some(keyed)
}

/// Whether a schema is an object worth a name of its own (rather than a scalar or a `$ref`).
fn is_inline_object(schema: &Value) -> bool {
    schema.get("$ref").is_none()
        && (schema.get("properties").is_some()
            || ["allOf", "oneOf", "anyOf"]
                .iter()
                .any(|k| schema.get(k).is_some())
            || (schema.get("type") == Some(&json!("object"))
                && schema.get("additionalProperties").is_none()))
}

/// A free component-schema name: the first of `candidates` not taken, else the last with a number.
fn free_name(spec: &Value, candidates: &[String]) -> String {
    let taken = |name: &str| {
        spec.pointer(&format!("/components/schemas/{}", escape(name)))
            .is_some()
    };
    if let Some(free) = candidates.iter().find(|c| !c.is_empty() && !taken(c)) {
        return free.clone();
    }
    let last = candidates.last().cloned().unwrap_or_default();
    (2..)
        .map(|n| format!("{last}{n}"))
        .find(|c| !taken(c))
        .unwrap_or(last)
}

/// The UpperCamel name a `title` gives (`"Text Message"` → `TextMessage`), or "".
fn title_name(schema: &Value) -> String {
    schema
        .get("title")
        .and_then(Value::as_str)
        .map(|t| {
            t.chars()
                .filter(|c| c.is_alphanumeric() || c.is_whitespace())
                .collect::<String>()
        })
        .map(|t| t.to_upper_camel_case())
        .filter(|t| t.starts_with(|c: char| c.is_ascii_alphabetic()))
        .unwrap_or_default()
}

/// Moves the schema at `at` into `components/schemas/<name>` and leaves a `$ref` there.
fn hoist(spec: &mut Value, at: &str, name: &str) {
    let Some(target) = spec.pointer_mut(at) else {
        return;
    };
    let schema = std::mem::replace(
        target,
        json!({"$ref": format!("#/components/schemas/{name}")}),
    );
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.insert(name.to_owned(), schema);
    }
}

/// Every schema position under the component schemas, deepest last: `(pointer, name hint)`.
fn schema_positions(spec: &Value) -> Vec<(String, String, bool)> {
    fn walk(at: &str, name: &str, schema: &Value, out: &mut Vec<(String, String, bool)>) {
        for (suffix, name_suffix, child) in child_schemas(schema) {
            let (at, child_name) = (format!("{at}{suffix}"), format!("{name}{name_suffix}"));
            out.push((at.clone(), child_name.clone(), false));
            walk(&at, &child_name, child, out);
        }
    }
    let mut out = Vec::new();
    for (name, schema) in spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let at = format!("/components/schemas/{}", escape(name));
        out.push((at.clone(), name.clone(), true));
        walk(&at, name, schema, &mut out);
    }
    out
}

/// The official document models "one of several kinds" as a `oneOf` of single-property objects
/// with no discriminator (`AppMessageTypes`, `ChannelCredentialsTypes`, `RecipientBase`, ...),
/// often in an `allOf` with the properties every kind shares (`AppMessage` is
/// `allOf: [AppMessageTypes, AppMessageCommonProps]`). Generated as they are, these mis-parse:
/// every branch's property is optional, so a value is valid under all of them, and an untagged
/// enum takes the first branch that parses (a card message came back as an empty text
/// message); typify also drops the shared properties of such an `allOf`.
///
/// So each such `oneOf` becomes a named schema marked `x-sinch-keyed`, whose branches are
/// `{required: [key], properties: {key: <named payload>}, additionalProperties: false}`
/// (inline payloads get a name: their title's, else the key's), and each `allOf` that holds
/// one becomes a named schema of `$ref`s marked `x-sinch-flatten`. `build.rs` emits the first
/// as an enum keyed by the property, with an `Unknown` variant that keeps an unrecognised kind
/// as raw JSON, and the second as a struct of `#[serde(flatten)]` parts.
pub fn keyed_one_ofs(spec: &mut Value) -> usize {
    let mut changed = 0;
    // One change at a time: hoisting moves schemas, so positions are recomputed each round.
    'rounds: loop {
        let positions = schema_positions(spec);
        // A keyed oneOf not yet at the top level gets a name first.
        for (at, hint, top_level) in &positions {
            let Some(schema) = spec.pointer(at) else {
                continue;
            };
            if keyed_branches(spec, schema).is_none() {
                continue;
            }
            if !top_level {
                let name = free_name(spec, &[title_name(schema), hint.clone()]);
                hoist(spec, at, &name);
                continue 'rounds;
            }
            let branches = keyed_branches(spec, schema).unwrap_or_default();
            let mut canonical = Vec::new();
            for (key, payload, shared_at) in branches {
                let payload = if is_inline_object(&payload) {
                    let camel = key.to_upper_camel_case();
                    let name = free_name(
                        spec,
                        &[
                            title_name(&payload),
                            camel.clone(),
                            format!("{camel}Content"),
                        ],
                    );
                    match &shared_at {
                        Some(shared_at) => hoist(spec, shared_at, &name),
                        None => {
                            if let Some(schemas) = spec
                                .pointer_mut("/components/schemas")
                                .and_then(Value::as_object_mut)
                            {
                                schemas.insert(name.clone(), payload);
                            }
                        }
                    }
                    json!({"$ref": format!("#/components/schemas/{name}")})
                } else {
                    payload
                };
                canonical.push(json!({
                    "type": "object",
                    "required": [key],
                    "properties": {key: payload},
                    "additionalProperties": false
                }));
            }
            if let Some(map) = spec.pointer_mut(at).and_then(Value::as_object_mut) {
                map.insert("oneOf".into(), Value::Array(canonical));
                map.insert(KEYED.into(), Value::Bool(true));
                map.remove("properties");
                map.remove("type");
            }
            changed += 1;
            continue 'rounds;
        }
        // An allOf holding a keyed schema becomes a named schema of $refs, marked to flatten.
        let is_keyed_ref = |spec: &Value, member: &Value| {
            member.get("$ref").is_some()
                && resolve_schema(spec, member).is_some_and(|m| m.get(KEYED).is_some())
        };
        for (at, hint, top_level) in &positions {
            let Some(schema) = spec.pointer(at) else {
                continue;
            };
            let Some(members) = schema.get("allOf").and_then(Value::as_array) else {
                continue;
            };
            if schema.get(FLATTEN).is_some() || !members.iter().any(|m| is_keyed_ref(spec, m)) {
                continue;
            }
            if !top_level {
                let name = free_name(spec, &[title_name(schema), hint.clone()]);
                hoist(spec, at, &name);
                continue 'rounds;
            }
            // Inline members get names, so that every part is a type of its own.
            if let Some(i) = members.iter().position(|m| m.get("$ref").is_none()) {
                let name = free_name(spec, &[format!("{hint}Common"), format!("{hint}Part")]);
                hoist(spec, &format!("{at}/allOf/{i}"), &name);
                continue 'rounds;
            }
            if let Some(map) = spec.pointer_mut(at).and_then(Value::as_object_mut) {
                map.insert(FLATTEN.into(), Value::Bool(true));
                map.remove("properties");
            }
            changed += 1;
            continue 'rounds;
        }
        return changed;
    }
}

/// `build.rs` turns each *named* string enum into an open enum; an inline one would be generated
/// closed, so every inline string enum becomes a named schema, wherever it sits: properties at
/// any depth, `allOf`/`oneOf`/`anyOf` members, array items, map values, and parameters (component
/// or inline). The name is the parent's plus the property's (`CapabilityEventCapabilityNotification`
/// and `CapabilityStatus`), as typify names the inline objects around it; a component parameter
/// `order` gives `OrderParameter`, an inline one `<OperationId><Name>`. Identical enums share one
/// schema. Constants (single-value enums, see [`is_constant`]) stay inline.
pub fn hoist_inline_enums(spec: &mut Value) -> usize {
    /// Collects `(pointer, wanted name, enum)` for every inline enum under `schema`.
    fn walk(at: &str, name: &str, schema: &Value, found: &mut Vec<(String, String, Value)>) {
        for (suffix, name_suffix, child) in child_schemas(schema) {
            let (at, name) = (format!("{at}{suffix}"), format!("{name}{name_suffix}"));
            if is_string_enum(child) && !is_constant(child) {
                found.push((at, name, child.clone()));
            } else {
                walk(&at, &name, child, found);
            }
        }
    }
    fn parameter(
        at: String,
        name: String,
        param: &Value,
        found: &mut Vec<(String, String, Value)>,
    ) {
        for (suffix, schema) in [
            ("/schema", param.get("schema")),
            ("/schema/items", param.pointer("/schema/items")),
        ] {
            if let Some(schema) = schema.filter(|s| is_string_enum(s) && !is_constant(s)) {
                found.push((format!("{at}{suffix}"), name, schema.clone()));
                return;
            }
        }
    }

    let mut found = Vec::new();
    for (name, schema) in spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        // A top-level enum is named already; look inside everything else.
        if !is_string_enum(schema) {
            walk(
                &format!("/components/schemas/{}", escape(name)),
                name,
                schema,
                &mut found,
            );
        }
    }
    for (name, param) in spec
        .pointer("/components/parameters")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let at = format!("/components/parameters/{}", escape(name));
        parameter(
            at,
            format!("{}Parameter", name.to_upper_camel_case()),
            param,
            &mut found,
        );
    }
    // Path items rather than `operations`: a path-level parameter is hoisted once, not once per
    // operation, and the order met decides the name identical enums share.
    for (path, item) in spec
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for (method, op) in item.as_object().into_iter().flatten() {
            // Path-level parameters are shared by the path's operations: named like components.
            let op_name = match method.as_str() {
                "parameters" => String::new(),
                m if METHODS.contains(&m) => op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or(m)
                    .to_upper_camel_case(),
                _ => continue,
            };
            let (list, place) = match method.as_str() {
                "parameters" => (Some(op), format!("/paths/{}/parameters", escape(path))),
                _ => (
                    op.get("parameters"),
                    format!("/paths/{}/{method}/parameters", escape(path)),
                ),
            };
            for (i, param) in list
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let Some(param_name) = param.get("name").and_then(Value::as_str) else {
                    continue;
                };
                let at = format!("{place}/{i}");
                let name = match op_name.as_str() {
                    "" => format!("{}Parameter", param_name.to_upper_camel_case()),
                    op_name => format!("{op_name}{}", param_name.to_upper_camel_case()),
                };
                parameter(at, name, param, &mut found);
            }
        }
    }

    let count = found.len();
    for (at, name, schema) in found {
        let Some(schemas) = spec
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        else {
            return 0;
        };
        // The same enum met twice (a parameter declared both as a component and inline) keeps
        // the first name; a name taken by another schema gets a number.
        let name = match schemas.iter().find(|(_, s)| **s == schema) {
            Some((existing, _)) => existing.clone(),
            None => {
                let mut unique = name.clone();
                let mut n = 2;
                while schemas.contains_key(&unique) {
                    unique = format!("{name}{n}");
                    n += 1;
                }
                schemas.insert(unique.clone(), schema);
                unique
            }
        };
        if let Some(target) = spec.pointer_mut(&at) {
            *target = json!({"$ref": format!("#/components/schemas/{name}")});
        }
    }
    count
}

/// progenitor reads OpenAPI 3.0 only; the Template Management document is 3.1. What it uses of
/// 3.1 has a 3.0 spelling: `type: [T]` is `type: T` (`[T, "null"]` adds `nullable: true`),
/// a schema's `examples: [..]` is `example`, `const: v` is `enum: [v]`. Then the version says 3.0.
pub fn openapi_3_1_to_3_0(spec: &mut Value) -> usize {
    fn walk(value: &mut Value) -> usize {
        let mut changed = 0;
        match value {
            Value::Object(map) => {
                if let Some(types) = map.get("type").and_then(Value::as_array).cloned() {
                    let (nulls, types): (Vec<_>, Vec<_>) =
                        types.into_iter().partition(|t| t == "null");
                    match types.as_slice() {
                        [one] => {
                            map.insert("type".into(), one.clone());
                        }
                        _ => {
                            map.remove("type");
                            map.insert(
                                "anyOf".into(),
                                Value::Array(
                                    types.into_iter().map(|t| json!({"type": t})).collect(),
                                ),
                            );
                        }
                    }
                    if !nulls.is_empty() {
                        map.insert("nullable".into(), Value::Bool(true));
                    }
                    changed += 1;
                }
                // A schema's `examples` is an array; a media type's is a map and stays.
                if let Some(first) = map
                    .get("examples")
                    .and_then(Value::as_array)
                    .map(|e| e.first().cloned())
                {
                    map.remove("examples");
                    if let Some(first) = first {
                        map.insert("example".into(), first);
                    }
                    changed += 1;
                }
                if let Some(constant) = map.remove("const") {
                    map.insert("enum".into(), json!([constant]));
                    changed += 1;
                }
                for (key, child) in map.iter_mut() {
                    match (key.as_str(), child) {
                        // Examples are data, not schemas (but a property may be called `example`).
                        ("example", _) => {}
                        ("properties", Value::Object(properties)) => {
                            changed += properties.values_mut().map(walk).sum::<usize>()
                        }
                        (_, child) => changed += walk(child),
                    }
                }
            }
            Value::Array(items) => changed += items.iter_mut().map(walk).sum::<usize>(),
            _ => {}
        }
        changed
    }
    let is_3_1 = spec
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.1"));
    if !is_3_1 {
        return 0;
    }
    spec["openapi"] = json!("3.0.3");
    1 + walk(spec)
}

/// A `default` response beside a success one is the error answer (Template Management uses it
/// that way). progenitor counts `default` among the success types too, and an operation with
/// two success types is an error; `4XX` and `5XX` say the same and are read as errors only.
pub fn default_response_is_an_error(spec: &mut Value) -> usize {
    let mut changed = 0;
    for_each_mut(spec, |_, _, op| {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            return;
        };
        if !responses.keys().any(|status| status.starts_with('2')) {
            return;
        }
        if let Some(default) = responses.remove("default") {
            for range in ["4XX", "5XX"] {
                responses.entry(range).or_insert_with(|| default.clone());
            }
            changed += 1;
        }
    });
    changed
}

fn is_error_status(status: &str) -> bool {
    status.starts_with('4') || status.starts_with('5') || status == "default"
}

/// The JSON schemas of every error response, component and inline, as `(pointer, schema)`.
fn error_schemas(spec: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut push = |at: String, response: &Value| {
        if let Some(schema) = response.pointer("/content/application~1json/schema") {
            out.push((
                format!("{at}/content/application~1json/schema"),
                schema.clone(),
            ));
        }
    };
    for (name, response) in spec
        .pointer("/components/responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        // Component responses are named, not numbered: one used only under error statuses
        // counts as an error response.
        let used_for_errors = {
            let reference = format!("#/components/responses/{name}");
            let mut errors_only = None;
            for operation in operations(spec) {
                for (status, r) in operation
                    .op
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    if r.get("$ref").and_then(Value::as_str) == Some(reference.as_str()) {
                        errors_only = Some(errors_only.unwrap_or(true) && is_error_status(status));
                    }
                }
            }
            errors_only == Some(true)
        };
        if used_for_errors {
            push(format!("/components/responses/{}", escape(name)), response);
        }
    }
    for Operation {
        path, method, op, ..
    } in operations(spec)
    {
        for (status, response) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if is_error_status(status) && response.get("$ref").is_none() {
                push(
                    format!("/paths/{}/{method}/responses/{status}", escape(path)),
                    response,
                );
            }
        }
    }
    out
}

/// An error response whose schema is a bare `{type: object}` (the official `401Error`) says
/// nothing the others do not; progenitor generates one error type per operation, and a second,
/// untyped one would make every operation's error a `serde_json::Map`. It takes the schema most
/// error responses share (`runtimeError`).
pub fn untyped_error_responses(spec: &mut Value) -> usize {
    let schemas = error_schemas(spec);
    let is_bare = |s: &Value| {
        s.as_object().is_some_and(|m| {
            m.keys()
                .all(|k| matches!(k.as_str(), "type" | "description"))
        }) && s.get("type").is_none_or(|t| t == "object")
    };
    let mut counts: Vec<(Value, usize)> = Vec::new();
    for (_, schema) in schemas.iter().filter(|(_, s)| !is_bare(s)) {
        match counts.iter_mut().find(|(s, _)| s == schema) {
            Some((_, n)) => *n += 1,
            None => counts.push((schema.clone(), 1)),
        }
    }
    let Some(shared) = counts.into_iter().max_by_key(|(_, n)| *n).map(|(s, _)| s) else {
        return 0;
    };
    let mut changed = 0;
    for (at, schema) in schemas {
        if is_bare(&schema)
            && let Some(target) = spec.pointer_mut(&at)
        {
            *target = shared.clone();
            changed += 1;
        }
    }
    changed
}

/// An inline success schema has no name of its own, so nothing derived from the spec can point
/// at it: `list_identity_conflicts` pages, and its page type must be named for `.items()` to be
/// derived. Each such schema becomes `<OperationId>Response` (the name progenitor would give it).
pub fn name_inline_responses(spec: &mut Value) -> usize {
    let mut found = Vec::new();
    for Operation {
        path,
        method,
        id,
        op,
        ..
    } in operations(spec)
    {
        let id = id.unwrap_or(method);
        for (status, response) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if !status.starts_with('2') {
                continue;
            }
            for (media, content) in response
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if content.get("schema").is_some_and(is_inline_object) {
                    found.push((
                        format!(
                            "/paths/{}/{method}/responses/{status}/content/{}/schema",
                            escape(path),
                            escape(media)
                        ),
                        format!("{}Response", id.to_upper_camel_case()),
                    ));
                }
            }
        }
    }
    let count = found.len();
    for (at, name) in found {
        let name = free_name(spec, &[name]);
        hoist(spec, &at, &name);
    }
    count
}

/// `SendEventRequest.event` refers to `AppEventField`, which is `{app_event: AppEvent}`: the
/// wrapper that `ConversationEvent` mixes in with `allOf`. Taken as the type of `event`, it puts
/// an `app_event` level on the wire that the API does not take (every official SDK sends
/// `"event": {"composing_event": {}}`). The property takes the wrapper's one property's schema.
pub fn send_event_takes_the_kind(spec: &mut Value) -> usize {
    let at = "/components/schemas/SendEventRequest/properties/event";
    let Some(wrapper) = spec.pointer(at).and_then(|e| resolve_schema(spec, e)) else {
        return 0;
    };
    if spec.pointer(at).and_then(|e| e.get("$ref")).is_none() {
        return 0;
    }
    let Some(properties) = wrapper.get("properties").and_then(Value::as_object) else {
        return 0;
    };
    let [(_, kind)] = properties.iter().collect::<Vec<_>>()[..] else {
        return 0;
    };
    let kind = kind.clone();
    match spec.pointer_mut(at) {
        Some(target) => {
            *target = kind;
            1
        }
        None => 0,
    }
}

/// Marks a schema that `build.rs` emits as an enum chosen by a sibling tag property.
pub const TAGGED: &str = "x-sinch-tagged";

/// The channel-specific messages are `{message_type: <enum>, message: {oneOf: [...]}}`: the
/// `oneOf` has no discriminator of its own, its branches share most properties (a flow parses
/// as a payment order), and the kind is told by the sibling `message_type`, whose values are
/// listed in the branches' order. Generated as they are, `message` is an untagged enum that
/// picks the first branch that parses. Such a schema is marked `x-sinch-tagged` with the tag and
/// content property names and the branch of each tag value; `build.rs` emits an enum chosen by
/// the tag, with `Unknown` keeping an unknown tag or an unparsable payload as raw JSON.
pub fn sibling_tagged_one_ofs(spec: &mut Value) -> usize {
    let mut found = Vec::new();
    for (name, schema) in spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if schema.get(TAGGED).is_some() {
            continue;
        }
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        if properties.len() != 2 {
            continue;
        }
        let mut tag = None;
        let mut content = None;
        for (property, value) in properties {
            let resolved = resolve_schema(spec, value).unwrap_or(value);
            if is_string_enum(resolved) {
                tag = Some((property.clone(), resolved["enum"].clone()));
            } else if let Some(branches) = value.get("oneOf").and_then(Value::as_array) {
                content = Some((property.clone(), branches.clone()));
            }
        }
        let (Some((tag, values)), Some((content, branches))) = (tag, content) else {
            continue;
        };
        let values = values.as_array().cloned().unwrap_or_default();
        if values.len() != branches.len() || branches.iter().any(|b| b.get("$ref").is_none()) {
            continue;
        }
        let variants: Map<String, Value> = values
            .iter()
            .filter_map(Value::as_str)
            .zip(&branches)
            .map(|(value, branch)| (value.to_owned(), branch["$ref"].clone()))
            .collect();
        found.push((
            name.clone(),
            json!({"tag": tag, "content": content, "variants": variants}),
        ));
    }
    let count = found.len();
    for (name, mark) in found {
        if let Some(schema) = spec
            .pointer_mut(&format!("/components/schemas/{}", escape(&name)))
            .and_then(Value::as_object_mut)
        {
            schema.insert(TAGGED.into(), mark);
        }
    }
    count
}

/// `format: float` makes typify generate `f32`, and a coordinate such as `47.6279809` comes back
/// as `47.62797927856445`. JSON numbers are doubles on the wire; `double` gives `f64`, which
/// round-trips every number the API sends.
pub fn exact_numbers(spec: &mut Value) -> usize {
    fn walk(value: &mut Value) -> usize {
        match value {
            Value::Object(map) => {
                let mut changed = 0;
                if map.get("type").and_then(Value::as_str) == Some("number")
                    && map.get("format").and_then(Value::as_str) == Some("float")
                {
                    map.insert("format".into(), json!("double"));
                    changed += 1;
                }
                for (key, child) in map.iter_mut() {
                    match (key.as_str(), child) {
                        // Examples are data, not schemas...
                        ("example" | "examples", _) => {}
                        // ...but a property may be called `example`.
                        ("properties", Value::Object(properties)) => {
                            changed += properties.values_mut().map(walk).sum::<usize>()
                        }
                        (_, child) => changed += walk(child),
                    }
                }
                changed
            }
            Value::Array(items) => items.iter_mut().map(walk).sum(),
            _ => 0,
        }
    }
    walk(spec)
}

/// Names of the component schemas `value` refers to, directly or through other schemas.
fn referenced_schemas(spec: &Value, value: &Value, seen: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                if let Some(name) = reference.strip_prefix("#/components/schemas/") {
                    if seen.insert(name.to_owned())
                        && let Some(schema) =
                            spec.pointer(&format!("/components/schemas/{}", escape(name)))
                    {
                        referenced_schemas(spec, schema, seen);
                    }
                } else if let Some(target) =
                    reference.strip_prefix('#').and_then(|p| spec.pointer(p))
                {
                    // A component parameter or request body: follow it.
                    referenced_schemas(spec, target, seen);
                }
            }
            for (key, child) in map {
                if !matches!(key.as_str(), "example" | "examples") {
                    referenced_schemas(spec, child, seen);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| referenced_schemas(spec, v, seen)),
        _ => {}
    }
}

/// Schemas the client only ever receives: those no request body or parameter reaches
/// (through `$ref`s), which are the response models and the callback payloads. The live API
/// leaves out fields the document marks required in them (`App.channel_credentials`,
/// `Contact.language`), and one absent field must not fail a whole call or callback, so they
/// require nothing, at any depth. Request schemas keep `required`: the builders check it.
pub fn response_only_fields_optional(spec: &mut Value) -> usize {
    let mut requests = BTreeSet::new();
    for operation in operations(spec) {
        for part in operation
            .params
            .into_iter()
            .chain(operation.op.get("requestBody"))
        {
            referenced_schemas(spec, part, &mut requests);
        }
    }
    fn strip(value: &mut Value) -> bool {
        match value {
            Value::Object(map) => {
                // `required` of a schema is a list; a property may be called `required` too.
                let mut changed = false;
                if map.get("required").is_some_and(Value::is_array) {
                    changed = map.remove("required").is_some_and(|r| r != json!([]));
                }
                for (key, child) in map.iter_mut() {
                    match (key.as_str(), child) {
                        ("example" | "examples", _) => {}
                        ("properties", Value::Object(properties)) => {
                            for property in properties.values_mut() {
                                changed |= strip(property);
                            }
                        }
                        (_, child) => changed |= strip(child),
                    }
                }
                changed
            }
            Value::Array(items) => items
                .iter_mut()
                .fold(false, |changed, v| strip(v) | changed),
            _ => false,
        }
    }
    let mut changed = 0;
    // Inline response schemas (`list_identity_conflicts` has one) are response-only too.
    for_each_mut(spec, |_, _, op| {
        for (status, response) in op
            .get_mut("responses")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flatten()
        {
            if let Some(schema) = response.pointer_mut("/content/application~1json/schema")
                && status.starts_with('2')
                && schema.get("$ref").is_none()
                && strip(schema)
            {
                changed += 1;
            }
        }
    });
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return changed;
    };
    for (name, schema) in schemas.iter_mut() {
        if !requests.contains(name.as_str()) && strip(schema) {
            changed += 1;
        }
    }
    changed
}

/// A PATCH with an update mask changes only the masked fields, so its body must be able
/// to carry just those: each PATCH body schema `X` gets a `XPatch` twin with nothing required.
/// (Sending a full `X` would force callers to send, and a derived mask to include, fields
/// they do not mean to change.)
pub fn patch_bodies_all_optional(spec: &mut Value) -> usize {
    let snapshot = spec.clone();
    let mut twins: Vec<(String, Value)> = Vec::new();
    for_each_mut(spec, |_, method, op| {
        if method != "patch" {
            return;
        }
        // Only a masked update applies some fields and leaves the rest; other PATCHes
        // (message metadata, project settings) keep their own required fields.
        let masked = op
            .get("parameters")
            .and_then(Value::as_array)
            .is_some_and(|params| params.iter().any(is_update_mask));
        if !masked {
            return;
        }
        let Some(body) = op.get("requestBody") else {
            return;
        };
        let Some(mut body) = resolve(&snapshot, body).cloned() else {
            return;
        };
        let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else {
            return;
        };
        let mut changed = false;
        for media in content.values_mut() {
            let Some(reference) = media
                .pointer("/schema/$ref")
                .and_then(Value::as_str)
                .map(str::to_owned)
            else {
                continue;
            };
            let Some(name) = reference.strip_prefix("#/components/schemas/") else {
                continue;
            };
            if name.ends_with("Patch") {
                continue;
            }
            let Some(mut schema) = snapshot
                .pointer(&format!("/components/schemas/{name}"))
                .cloned()
            else {
                continue;
            };
            let Some(map) = schema.as_object_mut() else {
                continue;
            };
            map.remove("required");
            let title = map
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or(name)
                .to_owned();
            map.insert("title".into(), Value::String(format!("{title} (update)")));
            map.insert(
                "description".into(),
                Value::String(format!(
                    "The fields of `{name}` to change; only the fields named in the update mask are applied."
                )),
            );
            // `AppUpdateRequest` is already the update body: its twin is `AppPatch`.
            let twin = format!(
                "{}Patch",
                name.strip_suffix("UpdateRequest").unwrap_or(name)
            );
            media["schema"] = json!({"$ref": format!("#/components/schemas/{twin}")});
            twins.push((twin, schema));
            changed = true;
        }
        if changed {
            op.insert("requestBody".into(), body);
        }
    });
    let count = twins.len();
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in twins {
            schemas.insert(name, schema);
        }
    }
    count
}

/// The schema secret fields refer to; `build.rs` maps it to `crate::Secret`.
pub const SECRET_SCHEMA: &str = "Secret";

/// Whether property `property` holds a credential: any `secret`, and the tokens, passwords and
/// keys inside a credentials object (`in_credentials`: the schema or a property around it is
/// named `*Credential*`).
fn is_secret(in_credentials: bool, property: &str) -> bool {
    let words: Vec<&str> = property.split('_').collect();
    words.contains(&"secret")
        || (in_credentials && matches!(words.last(), Some(&("token" | "password" | "key"))))
}

/// String fields holding credentials (webhook secrets, channel tokens, API keys), at any depth,
/// become `$ref: Secret`, which `build.rs` maps to a type whose `Debug` hides the value: a model
/// logged with `{:?}` must not leak them.
pub fn secret_fields(spec: &mut Value) -> usize {
    fn walk(schema: &mut Value, in_credentials: bool) -> usize {
        let Some(map) = schema.as_object_mut() else {
            return 0;
        };
        let mut changed = 0;
        for (key, value) in map.iter_mut() {
            match key.as_str() {
                "properties" => {
                    for (property, field) in value.as_object_mut().into_iter().flatten() {
                        let credentials =
                            in_credentials || property.to_lowercase().contains("credential");
                        if is_secret(credentials, property)
                            && field.get("type") == Some(&json!("string"))
                        {
                            let mut replacement = Map::new();
                            replacement.insert(
                                "allOf".into(),
                                json!([{"$ref": format!("#/components/schemas/{SECRET_SCHEMA}")}]),
                            );
                            if let Some(description) = field.get("description") {
                                replacement.insert("description".into(), description.clone());
                            }
                            *field = Value::Object(replacement);
                            changed += 1;
                        } else {
                            changed += walk(field, credentials);
                        }
                    }
                }
                "allOf" | "oneOf" | "anyOf" => {
                    for member in value.as_array_mut().into_iter().flatten() {
                        changed += walk(member, in_credentials);
                    }
                }
                "items" | "additionalProperties" => changed += walk(value, in_credentials),
                _ => {}
            }
        }
        changed
    }
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return 0;
    };
    let mut changed = 0;
    for (name, schema) in schemas.iter_mut() {
        changed += walk(schema, name.to_lowercase().contains("credential"));
    }
    if changed > 0 && !schemas.contains_key(SECRET_SCHEMA) {
        schemas.insert(
            SECRET_SCHEMA.into(),
            json!({
                "type": "string",
                "format": "password",
                "description": "A credential: sent and received as a plain string, hidden in `Debug` output."
            }),
        );
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_become_secrets_and_nothing_else_does() {
        // Fragments of the official document: a webhook secret, a channel token nested in a
        // `*CredentialsField` wrapper, an app's secret for overridden callback URLs.
        let mut spec = json!({"components": {"schemas": {
            "Webhook": {"type": "object", "properties": {
                "secret": {"type": "string", "description": "Optional secret be used to sign contents of webhooks sent by the Conversation API."},
                "target": {"type": "string"}}},
            "StaticBearerCredentialsField": {"type": "object", "properties": {"static_bearer": {
                "type": "object", "required": ["claimed_identity", "token"], "properties": {
                    "claimed_identity": {"type": "string"},
                    "token": {"type": "string", "format": "password"}}}}},
            "KakaoTalkChatCredentialsField": {"type": "object", "properties": {"kakaotalkchat_credentials": {
                "type": "object", "properties": {
                    "kakaotalk_plus_friend_id": {"type": "string"},
                    "api_key": {"type": "string"}}}}},
            "CallbackSettings": {"type": "object", "properties": {
                "secret_for_overridden_callback_urls": {"type": "string"}}},
            "ListContactsResponse": {"properties": {"next_page_token": {"type": "string"}}},
            "TemplateVariable": {"properties": {"key": {"type": "string"}}}
        }}});
        assert_eq!(secret_fields(&mut spec), 4);
        let schemas = &spec["components"]["schemas"];
        assert_eq!(
            schemas["Webhook"]["properties"]["secret"],
            json!({"allOf": [{"$ref": "#/components/schemas/Secret"}],
                   "description": "Optional secret be used to sign contents of webhooks sent by the Conversation API."})
        );
        for pointer in [
            "/StaticBearerCredentialsField/properties/static_bearer/properties/token",
            "/KakaoTalkChatCredentialsField/properties/kakaotalkchat_credentials/properties/api_key",
            "/CallbackSettings/properties/secret_for_overridden_callback_urls",
        ] {
            assert!(
                schemas.pointer(pointer).unwrap().get("allOf").is_some(),
                "{pointer}"
            );
        }
        for pointer in [
            "/Webhook/properties/target",
            "/StaticBearerCredentialsField/properties/static_bearer/properties/claimed_identity",
            "/KakaoTalkChatCredentialsField/properties/kakaotalkchat_credentials/properties/kakaotalk_plus_friend_id",
            "/ListContactsResponse/properties/next_page_token",
            "/TemplateVariable/properties/key",
        ] {
            assert_eq!(
                schemas.pointer(pointer).unwrap()["type"],
                "string",
                "{pointer}"
            );
        }
        assert_eq!(schemas["Secret"]["type"], "string");
        assert_eq!(secret_fields(&mut spec), 0, "idempotent");
    }

    #[test]
    fn operation_ids_become_idiomatic_method_names() {
        for (original, expected) in [
            ("Messages_SendMessage", "send_message"),
            ("App_ListApps", "list_apps"),
            ("Contact_MergeContact", "merge_contact"),
            ("OptIn_RegisterOptIn", "register_opt_in"),
            ("Templates_v2_ListTemplates", "list_templates"),
            ("Templates_v2_ListTranslations", "list_translations"),
            (
                "Conversation_StopActiveConversation",
                "stop_active_conversation",
            ),
            ("Transcoding_TranscodeMessage", "transcode_message"),
            ("plainName", "plain_name"),
            ("list_recent_conversations", "list_recent_conversations"),
        ] {
            assert_eq!(idiomatic_operation_id(original), expected);
        }
    }

    #[test]
    fn renaming_keeps_the_original_id_in_docs_and_extension() {
        let mut spec = json!({"paths": {"/m": {"post": {"operationId": "Messages_SendMessage", "summary": "Send"}}}});
        assert_eq!(rename_operation_ids(&mut spec), 1);
        let op = &spec["paths"]["/m"]["post"];
        assert_eq!(op["operationId"], "send_message");
        assert_eq!(op["x-sinch-operation-id"], "Messages_SendMessage");
        // The summary is not copied: rustdoc shows it once, above the description.
        assert_eq!(
            op["description"],
            "Sinch operation id: `Messages_SendMessage`."
        );
        assert_eq!(rename_operation_ids(&mut spec), 0, "idempotent");

        let mut overlay_op = json!({"paths": {"/e": {"get": {"operationId": "get_event", "summary": "Get",
            "x-sinch-operation-id": "GetEvent"}}}});
        assert_eq!(rename_operation_ids(&mut overlay_op), 1);
        assert_eq!(
            overlay_op["paths"]["/e"]["get"]["description"],
            "Sinch operation id: `GetEvent`."
        );
        assert_eq!(overlay_op["paths"]["/e"]["get"]["operationId"], "get_event");
        assert_eq!(rename_operation_ids(&mut overlay_op), 0, "idempotent");
    }

    #[test]
    fn empty_object_success_responses_lose_their_content() {
        let mut spec = json!({
            "components": {"responses": {"ok": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Empty"}}}}},
                           "schemas": {"Empty": {"type": "object"}, "Full": {"type": "object", "properties": {"a": {"type": "string"}}}}},
            "paths": {"/x": {
                "delete": {"responses": {"200": {"description": "d", "content": {"application/json": {"schema": {}}}}}},
                "post": {"responses": {"200": {"$ref": "#/components/responses/ok"}}},
                "get": {"responses": {"200": {"description": "g", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Full"}}}},
                                      "400": {"description": "e", "content": {"application/json": {"schema": {}}}}}}
            }}
        });
        assert_eq!(empty_success_no_content(&mut spec), 2);
        assert_eq!(
            spec["paths"]["/x"]["delete"]["responses"]["200"],
            json!({"description": "d"})
        );
        assert_eq!(
            spec["paths"]["/x"]["post"]["responses"]["200"],
            json!({"description": "ok"})
        );
        assert!(
            spec["paths"]["/x"]["get"]["responses"]["200"]
                .get("content")
                .is_some()
        );
        assert!(
            spec["paths"]["/x"]["get"]["responses"]["400"]
                .get("content")
                .is_some()
        );
    }

    #[test]
    fn keyed_one_ofs_become_keyed_enums_and_flattened_structs() {
        // Fragments of the official document: two message kinds, the shared props, and
        // `AppMessage` holding both; `ContactMessageTypes` shares `TextMessageField`.
        let mut spec = json!({"components": {"schemas": {
            "TextMessageField": {"type": "object", "title": "Text", "properties": {"text_message": {
                "type": "object", "title": "Text Message", "required": ["text"],
                "properties": {"text": {"type": "string"}}}}},
            "CardMessageField": {"type": "object", "properties": {"card_message": {"$ref": "#/components/schemas/CardMessage"}}},
            "CardMessage": {"type": "object", "properties": {"title": {"type": "string"}}},
            "AppMessageTypes": {"type": "object", "oneOf": [
                {"$ref": "#/components/schemas/CardMessageField"},
                {"$ref": "#/components/schemas/TextMessageField"}]},
            "ContactMessageTypes": {"type": "object", "oneOf": [
                {"$ref": "#/components/schemas/TextMessageField"},
                {"$ref": "#/components/schemas/CardMessageField"}]},
            "AppMessageCommonProps": {"type": "object", "properties": {"agent": {"type": "string"}}},
            "AppMessage": {"type": "object", "title": "Message originating from app", "allOf": [
                {"$ref": "#/components/schemas/AppMessageTypes"},
                {"$ref": "#/components/schemas/AppMessageCommonProps"}]},
            "AppEventField": {"type": "object", "properties": {"app_event": {"title": "App Event", "type": "object", "oneOf": [
                {"type": "object", "properties": {"composing_event": {"type": "object"}}},
                {"type": "object", "properties": {"generic_event": {"$ref": "#/components/schemas/CardMessage"}}}]}}},
            "NotKeyed": {"oneOf": [
                {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
                {"type": "object", "properties": {"c": {"type": "string"}}}]}
        }}});
        assert_eq!(keyed_one_ofs(&mut spec), 4);
        let schemas = &spec["components"]["schemas"];
        let reference = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
        let branch = |key: &str, payload: Value| {
            json!({"type": "object", "required": [key],
            "properties": {key: payload}, "additionalProperties": false})
        };
        assert_eq!(schemas["AppMessageTypes"]["x-sinch-keyed"], true);
        assert_eq!(
            schemas["AppMessageTypes"]["oneOf"],
            json!([
                branch("card_message", reference("CardMessage")),
                branch("text_message", reference("TextMessage"))
            ])
        );
        // The inline payload is named once, by its title, where the shared wrapper holds it.
        assert_eq!(
            schemas["TextMessageField"]["properties"]["text_message"],
            reference("TextMessage")
        );
        assert_eq!(schemas["TextMessage"]["required"], json!(["text"]));
        assert_eq!(
            schemas["ContactMessageTypes"]["oneOf"][0],
            branch("text_message", reference("TextMessage"))
        );
        assert_eq!(schemas["AppMessage"]["x-sinch-flatten"], true);
        assert_eq!(
            schemas["AppMessage"]["title"],
            "Message originating from app"
        );
        // An inline keyed oneOf gets a name of its own (its title's).
        assert_eq!(
            schemas["AppEventField"]["properties"]["app_event"],
            reference("AppEvent")
        );
        assert_eq!(schemas["AppEvent"]["x-sinch-keyed"], true);
        assert_eq!(
            schemas["AppEvent"]["oneOf"][0],
            branch("composing_event", reference("ComposingEvent"))
        );
        assert!(
            schemas["NotKeyed"].get("x-sinch-keyed").is_none(),
            "two properties in a branch"
        );
        assert_eq!(keyed_one_ofs(&mut spec), 0, "idempotent");
    }

    #[test]
    fn inline_enums_are_hoisted_wherever_they_sit() {
        // Fragments of the official document.
        let mut spec = json!({
            "components": {
                "parameters": {"order": {"name": "order", "in": "query", "schema": {
                    "default": "DESC", "type": "string", "enum": ["ASC", "DESC"]}}},
                "schemas": {
                    "ConversationChannel": {"type": "string", "enum": ["WHATSAPP", "SMS"]},
                    "OptInEvent": {"allOf": [
                        {"$ref": "#/components/schemas/CallbackEventCommon"},
                        {"type": "object", "properties": {"opt_in_notification": {"type": "object", "properties": {
                            "status": {"type": "string", "enum": ["OPT_IN_SUCCEEDED", "OPT_IN_FAILED"]}}}}}
                    ]},
                    "KakaoTalkWebLinkButton": {"allOf": [
                        {"$ref": "#/components/schemas/KakaoTalkButton"},
                        {"type": "object", "properties": {"type": {"enum": ["WL"]}, "link_mo": {"type": "string"}}}
                    ]},
                    "ChannelSpecificMessage": {"type": "object", "properties": {
                        "message_type": {"type": "string", "enum": ["FLOWS", "ORDER_DETAILS"]}}},
                    "Parent": {"type": "object", "properties": {
                        "tags": {"type": "array", "items": {"type": "string", "enum": ["T", "U"]}}}}
                }
            },
            "paths": {"/v1/projects/{project_id}/conversations:recent": {"get": {
                "operationId": "list_recent_conversations",
                "parameters": [{"name": "order", "in": "query", "schema": {"type": "string", "enum": ["ASC", "DESC"]}}]
            }}}
        });
        assert_eq!(hoist_inline_enums(&mut spec), 5);
        let schemas = &spec["components"]["schemas"];
        let reference = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
        assert_eq!(
            spec["components"]["parameters"]["order"]["schema"],
            reference("OrderParameter")
        );
        assert_eq!(schemas["OrderParameter"]["default"], "DESC");
        assert_eq!(
            spec["paths"]["/v1/projects/{project_id}/conversations:recent"]["get"]["parameters"][0]
                ["schema"],
            reference("ListRecentConversationsOrder")
        );
        assert_eq!(
            schemas
                .pointer("/OptInEvent/allOf/1/properties/opt_in_notification/properties/status")
                .unwrap(),
            &reference("OptInEventOptInNotificationStatus")
        );
        assert_eq!(
            schemas["OptInEventOptInNotificationStatus"]["enum"],
            json!(["OPT_IN_SUCCEEDED", "OPT_IN_FAILED"])
        );
        assert_eq!(
            schemas["ChannelSpecificMessage"]["properties"]["message_type"],
            reference("ChannelSpecificMessageMessageType")
        );
        assert_eq!(
            schemas["Parent"]["properties"]["tags"]["items"],
            reference("ParentTags")
        );
        // A constant tag of a oneOf branch stays inline; a named enum stays as it is.
        assert_eq!(
            schemas
                .pointer("/KakaoTalkWebLinkButton/allOf/1/properties/type")
                .unwrap(),
            &json!({"enum": ["WL"]})
        );
        assert_eq!(
            schemas["ConversationChannel"]["enum"],
            json!(["WHATSAPP", "SMS"])
        );
        assert_eq!(hoist_inline_enums(&mut spec), 0, "idempotent");
    }

    #[test]
    fn an_enum_met_twice_is_hoisted_once_and_names_do_not_clash() {
        let status = json!({"type": "string", "enum": ["A", "B"]});
        let mut spec = json!({"components": {"schemas": {
            "X": {"type": "object", "properties": {"status": status.clone()}},
            "Y": {"type": "object", "properties": {"status": status.clone()}},
            "XStatus": {"type": "object"}
        }}});
        assert_eq!(hoist_inline_enums(&mut spec), 2);
        let schemas = &spec["components"]["schemas"];
        assert_eq!(schemas["XStatus"], json!({"type": "object"}), "untouched");
        assert_eq!(schemas["XStatus2"], status);
        assert_eq!(
            schemas["Y"]["properties"]["status"]["$ref"],
            "#/components/schemas/XStatus2"
        );
        assert!(schemas.get("YStatus").is_none());
    }

    #[test]
    fn the_3_1_template_document_takes_the_3_0_shape() {
        // From template-management.yaml: `v2Template`, with type lists and a schema's `examples`.
        let mut spec = json!({"openapi": "3.1.0", "components": {"schemas": {"v2Template": {
            "type": ["object"],
            "properties": {
                "id": {"type": ["string"], "example": "id_string"},
                "version": {"type": ["integer"], "example": 1},
                "update_time": {"type": ["string", "null"], "format": "date-time", "examples": ["2024-01-01T00:00:00Z"]},
                "kind": {"const": "V2"}
            }
        }}, "responses": {"ok": {"content": {"application/json": {"examples": {"one": {"value": {}}}}}}}}});
        // The version, four type lists, one `examples`, one `const`.
        assert_eq!(openapi_3_1_to_3_0(&mut spec), 7);
        assert_eq!(spec["openapi"], "3.0.3");
        let template = &spec["components"]["schemas"]["v2Template"];
        assert_eq!(template["type"], "object");
        assert_eq!(
            template["properties"]["id"],
            json!({"type": "string", "example": "id_string"})
        );
        assert_eq!(
            template["properties"]["update_time"],
            json!({"type": "string", "nullable": true, "format": "date-time", "example": "2024-01-01T00:00:00Z"})
        );
        assert_eq!(template["properties"]["kind"], json!({"enum": ["V2"]}));
        assert!(
            spec.pointer("/components/responses/ok/content/application~1json/examples/one")
                .is_some(),
            "a media type's examples map is 3.0 already"
        );
        assert_eq!(openapi_3_1_to_3_0(&mut spec), 0, "idempotent");
    }

    #[test]
    fn a_default_response_beside_a_success_becomes_4xx_and_5xx() {
        // Templates_v2_DeleteTemplate, as the official document has it.
        let error = json!({"description": "An unexpected error response.", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/runtimeError"}}}});
        let mut spec = json!({"paths": {"/v2/projects/{project_id}/templates/{template_id}": {
            "delete": {"responses": {"200": {"description": "A successful response."}, "default": error.clone()}},
            "get": {"responses": {"default": error.clone()}}
        }}});
        assert_eq!(default_response_is_an_error(&mut spec), 1);
        let item = &spec["paths"]["/v2/projects/{project_id}/templates/{template_id}"];
        assert_eq!(
            item["delete"]["responses"],
            json!({"200": {"description": "A successful response."}, "4XX": error, "5XX": error})
        );
        assert!(
            item["get"]["responses"].get("default").is_some(),
            "no success: left alone"
        );
        assert_eq!(default_response_is_an_error(&mut spec), 0, "idempotent");
    }

    #[test]
    fn an_untyped_error_response_takes_the_shared_error_schema() {
        // The official 400Error, 401Error and 403Error.
        let runtime = json!({"$ref": "#/components/schemas/runtimeError"});
        let response = |schema: Value| json!({"description": "e", "content": {"application/json": {"schema": schema}}});
        let mut spec = json!({
            "components": {"responses": {
                "400Error": response(runtime.clone()),
                "401Error": response(json!({"type": "object"})),
                "403Error": response(runtime.clone()),
                "sendMessageResponse": response(json!({"type": "object"}))
            }},
            "paths": {"/m": {"post": {"responses": {
                "200": {"$ref": "#/components/responses/sendMessageResponse"},
                "400": {"$ref": "#/components/responses/400Error"},
                "401": {"$ref": "#/components/responses/401Error"},
                "403": {"$ref": "#/components/responses/403Error"}
            }}}}
        });
        assert_eq!(untyped_error_responses(&mut spec), 1);
        let responses = &spec["components"]["responses"];
        assert_eq!(
            responses["401Error"]["content"]["application/json"]["schema"],
            runtime
        );
        assert_eq!(
            responses["sendMessageResponse"]["content"]["application/json"]["schema"],
            json!({"type": "object"}),
            "a success response is not an error response"
        );
        assert_eq!(untyped_error_responses(&mut spec), 0, "idempotent");
    }

    #[test]
    fn an_inline_success_schema_is_named_after_its_operation() {
        // The official `Contact_ListIdentityConflicts` 200, renamed.
        let mut spec = json!({"paths": {"/v1/projects/{project_id}/contacts:identityConflicts": {
            "get": {"operationId": "list_identity_conflicts", "responses": {
                "200": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                    "conflicts": {"type": "array", "items": {"$ref": "#/components/schemas/IdentityConflict"}},
                    "next_page_token": {"type": "string"}
                }}}}},
                "400": {"content": {"application/json": {"schema": {"type": "object"}}}}
            }}
        }}, "components": {"schemas": {"IdentityConflict": {"type": "object"}}}});
        assert_eq!(name_inline_responses(&mut spec), 1);
        let responses = &spec["paths"]["/v1/projects/{project_id}/contacts:identityConflicts"]["get"]
            ["responses"];
        assert_eq!(
            responses["200"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/ListIdentityConflictsResponse"})
        );
        assert!(
            spec["components"]["schemas"]["ListIdentityConflictsResponse"]["properties"]
                ["next_page_token"]
                .is_object()
        );
        assert_eq!(
            responses["400"]["content"]["application/json"]["schema"],
            json!({"type": "object"}),
            "error schemas are left to untyped_error_responses"
        );
        assert_eq!(name_inline_responses(&mut spec), 0, "idempotent");
    }

    #[test]
    fn send_event_takes_the_event_kind_not_its_wrapper() {
        // The official `SendEventRequest.event` and `AppEventField`.
        let mut spec = json!({"components": {"schemas": {
            "AppEventField": {"title": "App Event Type", "type": "object",
                "properties": {"app_event": {"$ref": "#/components/schemas/AppEvent"}}},
            "AppEvent": {"oneOf": []},
            "SendEventRequest": {"type": "object", "required": ["app_id", "recipient", "event"],
                "properties": {"event": {"$ref": "#/components/schemas/AppEventField"},
                    "app_id": {"type": "string"}}}
        }}});
        assert_eq!(send_event_takes_the_kind(&mut spec), 1);
        let schemas = &spec["components"]["schemas"];
        assert_eq!(
            schemas["SendEventRequest"]["properties"]["event"],
            json!({"$ref": "#/components/schemas/AppEvent"})
        );
        assert!(
            schemas["AppEventField"].is_object(),
            "the wrapper stays: inject_event mixes it in"
        );
        assert_eq!(send_event_takes_the_kind(&mut spec), 0, "idempotent");
    }

    #[test]
    fn a_one_of_told_by_a_sibling_tag_is_marked_with_each_values_branch() {
        // The official `ChannelSpecificMessage` (tag by `$ref`, six kinds, here three) and
        // `ChannelSpecificMessageContent` (tag a one-value inline enum, one kind).
        let mut spec = json!({"components": {"schemas": {
            "ChannelSpecificMessageMessageType": {"type": "string",
                "enum": ["FLOWS", "ORDER_DETAILS", "NOTIFICATION_MESSAGE_TEMPLATE"]},
            "ChannelSpecificMessage": {"type": "object", "required": ["message_type", "message"],
                "properties": {
                    "message": {"oneOf": [
                        {"$ref": "#/components/schemas/FlowChannelSpecificMessage"},
                        {"$ref": "#/components/schemas/PaymentOrderDetailsChannelSpecificMessage"},
                        {"$ref": "#/components/schemas/LineNotificationMessageTemplateChannelSpecificMessage"}
                    ]},
                    "message_type": {"$ref": "#/components/schemas/ChannelSpecificMessageMessageType"}
                }},
            "ChannelSpecificMessageContent": {"type": "object", "properties": {
                "message": {"oneOf": [{"$ref": "#/components/schemas/WhatsAppInteractiveNfmReplyChannelSpecificContactMessage"}]},
                "message_type": {"type": "string", "enum": ["nfm_reply"]}
            }},
            "Mismatched": {"type": "object", "properties": {
                "kind": {"type": "string", "enum": ["A", "B"]},
                "value": {"oneOf": [{"$ref": "#/components/schemas/A"}]}
            }}
        }}});
        assert_eq!(sibling_tagged_one_ofs(&mut spec), 2);
        let schemas = &spec["components"]["schemas"];
        assert_eq!(
            schemas["ChannelSpecificMessage"][TAGGED],
            json!({"tag": "message_type", "content": "message", "variants": {
                "FLOWS": "#/components/schemas/FlowChannelSpecificMessage",
                "ORDER_DETAILS": "#/components/schemas/PaymentOrderDetailsChannelSpecificMessage",
                "NOTIFICATION_MESSAGE_TEMPLATE": "#/components/schemas/LineNotificationMessageTemplateChannelSpecificMessage"
            }})
        );
        assert_eq!(
            schemas["ChannelSpecificMessageContent"][TAGGED]["variants"],
            json!({"nfm_reply": "#/components/schemas/WhatsAppInteractiveNfmReplyChannelSpecificContactMessage"})
        );
        assert!(
            schemas["Mismatched"].get(TAGGED).is_none(),
            "as many tag values as branches, or no pairing"
        );
        assert_eq!(sibling_tagged_one_ofs(&mut spec), 0, "idempotent");
    }

    #[test]
    fn floats_become_doubles_so_coordinates_round_trip() {
        // The official `Coordinates`.
        let mut spec = json!({"components": {"schemas": {"Coordinates": {
            "type": "object", "required": ["latitude", "longitude"], "properties": {
                "latitude": {"description": "The latitude.", "type": "number", "format": "float"},
                "longitude": {"description": "The longitude.", "type": "number", "format": "float"},
                "example": {"type": "number", "format": "float"},
                "count": {"type": "integer", "format": "int32"}
            }, "example": {"latitude": 47.6279809}
        }}}});
        assert_eq!(exact_numbers(&mut spec), 3);
        let properties = &spec["components"]["schemas"]["Coordinates"]["properties"];
        assert_eq!(properties["latitude"]["format"], "double");
        assert_eq!(
            properties["example"]["format"], "double",
            "a property named `example` is a schema"
        );
        assert_eq!(properties["count"]["format"], "int32");
        assert_eq!(exact_numbers(&mut spec), 0, "idempotent");
    }

    #[test]
    fn schemas_only_received_require_nothing() {
        // AppResponse is only ever an answer; AppCreateRequest is sent, and so is what it refers to.
        let mut spec = json!({
            "components": {
                "schemas": {
                    "AppCreateRequest": {"type": "object", "required": ["display_name", "channel_credentials"],
                        "properties": {"channel_credentials": {"type": "array", "items": {"$ref": "#/components/schemas/ConversationChannelCredentials"}}}},
                    "ConversationChannelCredentials": {"type": "object", "required": ["channel"]},
                    "AppResponse": {"type": "object", "properties": {
                        "rate_limits": {"type": "object", "required": ["outbound"], "properties": {"required": {"type": "string"}}}}},
                    "Contact": {"type": "object", "required": ["language"]},
                    "MessageDeliveryReceiptEvent": {"allOf": [{"type": "object", "required": ["app_id", "project_id"]}]}
                },
                "requestBodies": {"CreateApp": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppCreateRequest"}}}}}
            },
            "paths": {
                "/apps": {"post": {"requestBody": {"$ref": "#/components/requestBodies/CreateApp"},
                    "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppResponse"}}}}}}},
                "/contacts:identityConflicts": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {
                    "type": "object", "required": ["conflicts"]}}}}}}}
            }
        });
        assert_eq!(response_only_fields_optional(&mut spec), 4);
        let schemas = &spec["components"]["schemas"];
        assert_eq!(
            schemas["AppCreateRequest"]["required"],
            json!(["display_name", "channel_credentials"])
        );
        assert_eq!(
            schemas["ConversationChannelCredentials"]["required"],
            json!(["channel"])
        );
        assert!(
            schemas["AppResponse"]["properties"]["rate_limits"]
                .get("required")
                .is_none()
        );
        assert!(
            schemas["AppResponse"]["properties"]["rate_limits"]["properties"]
                .get("required")
                .is_some(),
            "a property called `required` stays"
        );
        assert!(schemas["Contact"].get("required").is_none());
        assert!(
            schemas["MessageDeliveryReceiptEvent"]["allOf"][0]
                .get("required")
                .is_none()
        );
        assert!(
            spec.pointer("/paths/~1contacts:identityConflicts/get/responses/200/content/application~1json/schema/required")
                .is_none()
        );
        assert_eq!(response_only_fields_optional(&mut spec), 0, "idempotent");
    }

    #[test]
    fn patch_bodies_get_an_all_optional_twin() {
        let mut spec = json!({
            "components": {
                "schemas": {"Contact": {"type": "object", "required": ["language"], "properties": {"language": {"type": "string"}}}},
                "requestBodies": {"C": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Contact"}}}}}
            },
            "paths": {
                "/c": {
                    "patch": {"requestBody": {"$ref": "#/components/requestBodies/C"},
                              "parameters": [{"$ref": "#/components/parameters/update_mask"}]},
                    "post": {"requestBody": {"$ref": "#/components/requestBodies/C"}}
                },
                "/unmasked": {"patch": {"requestBody": {"$ref": "#/components/requestBodies/C"}}}
            }
        });
        assert_eq!(patch_bodies_all_optional(&mut spec), 1);
        assert_eq!(
            spec["paths"]["/unmasked"]["patch"]["requestBody"]["$ref"],
            "#/components/requestBodies/C"
        );
        assert_eq!(
            spec["paths"]["/c"]["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ContactPatch"
        );
        assert_eq!(
            spec["paths"]["/c"]["post"]["requestBody"]["$ref"],
            "#/components/requestBodies/C"
        );
        let twin = &spec["components"]["schemas"]["ContactPatch"];
        assert!(twin.get("required").is_none());
        assert_eq!(
            twin["properties"],
            spec["components"]["schemas"]["Contact"]["properties"]
        );
        assert_eq!(patch_bodies_all_optional(&mut spec), 0, "idempotent");
    }

    #[test]
    fn normalising_the_official_documents_twice_changes_nothing_the_second_time() {
        let upstream = |file: &str| {
            let path = format!("{}/../spec/upstream/{file}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).unwrap();
            (
                file.to_owned(),
                crate::io::parse_spec(&text, &path).unwrap(),
            )
        };
        let mut spec = crate::merge::merge_documents(vec![
            upstream("conversation.yaml"),
            upstream("template-management.yaml"),
        ])
        .unwrap();
        normalize(&mut spec);
        let once = spec.clone();
        let changes = normalize(&mut spec);
        assert_eq!(spec, once);
        assert!(changes.iter().all(|(_, n)| *n == 0), "{changes:?}");
    }
}
