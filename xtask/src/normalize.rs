//! Normalisation: small, ordered fixes that turn the upstream spec into what `build.rs` compiles.
//!
//! Each fix is a pure function over the spec that returns how many places it changed, so
//! `regen` can report it and a refresh that no longer needs a fix shows `0`. The reason for
//! each fix is in `spec/README.md`.

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::{Map, Value, json};

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
        name: "strip_ballerina_extensions",
        apply: strip_ballerina_extensions,
    },
    Fix {
        name: "update_mask_on_patch_only",
        apply: update_mask_on_patch_only,
    },
    Fix {
        name: "server_generated_ids_optional",
        apply: server_generated_ids_optional,
    },
    Fix {
        name: "recipient_one_of",
        apply: recipient_one_of,
    },
    Fix {
        name: "rename_operation_ids",
        apply: rename_operation_ids,
    },
    Fix {
        name: "empty_success_no_content",
        apply: empty_success_no_content,
    },
    Fix {
        name: "hoist_inline_enums",
        apply: hoist_inline_enums,
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

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Calls `f(path, method, operation)` for every operation of the spec.
pub fn for_each_operation(
    spec: &mut Value,
    mut f: impl FnMut(&str, &str, &mut Map<String, Value>),
) {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            if let (true, Some(op)) = (
                HTTP_METHODS.contains(&method.as_str()),
                operation.as_object_mut(),
            ) {
                f(path, method, op);
            }
        }
    }
}

/// Ballerina's generator hints mean nothing to us and only add noise to diffs.
pub fn strip_ballerina_extensions(spec: &mut Value) -> usize {
    fn walk(value: &mut Value) -> usize {
        match value {
            Value::Object(map) => {
                let before = map.len();
                map.retain(|key, _| !key.starts_with("x-ballerina"));
                let removed = before - map.len();
                removed + map.values_mut().map(walk).sum::<usize>()
            }
            Value::Array(items) => items.iter_mut().map(walk).sum(),
            _ => 0,
        }
    }
    walk(spec)
}

fn is_update_mask(param: &Value) -> bool {
    param
        .get("$ref")
        .and_then(Value::as_str)
        .is_some_and(|r| r.ends_with("/update_mask.paths"))
        || param.get("name").and_then(Value::as_str) == Some("update_mask.paths")
}

/// A path-level `update_mask.paths` would give GET and DELETE a mask they do not take;
/// only PATCH updates, so the parameter moves there.
pub fn update_mask_on_patch_only(spec: &mut Value) -> usize {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return 0;
    };
    let mut moved = 0;
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let Some(params) = item.get_mut("parameters").and_then(Value::as_array_mut) else {
            continue;
        };
        let (masks, rest): (Vec<Value>, Vec<Value>) = params.drain(..).partition(is_update_mask);
        *params = rest;
        if masks.is_empty() {
            continue;
        }
        moved += masks.len();
        if let Some(patch) = item.get_mut("patch").and_then(Value::as_object_mut) {
            let op_params = patch.entry("parameters").or_insert_with(|| json!([]));
            if let Some(op_params) = op_params.as_array_mut() {
                for mask in masks {
                    if !op_params.iter().any(is_update_mask) {
                        op_params.push(mask);
                    }
                }
            }
        }
    }
    moved
}

/// Schemas whose `id` the server assigns: a create request cannot know it.
const SERVER_GENERATED_IDS: &[&str] = &["App", "Contact", "Conversation", "Webhook"];

/// Makes server-assigned `id`s optional so create requests can be built without inventing one.
pub fn server_generated_ids_optional(spec: &mut Value) -> usize {
    let mut changed = 0;
    for name in SERVER_GENERATED_IDS {
        let pointer = format!("/components/schemas/{name}/required");
        if let Some(required) = spec.pointer_mut(&pointer).and_then(Value::as_array_mut) {
            let before = required.len();
            required.retain(|field| field != "id");
            changed += before - required.len();
        }
    }
    changed
}

/// `Recipient` lists both `contact_id` and `identified_by` as required, but the API takes
/// exactly one; a `oneOf` of two objects lets a user send either, and not neither. The
/// variants stay open (no `additionalProperties: false`): recipients also come back in
/// responses, where a field the API adds later must not fail the whole answer.
pub fn recipient_one_of(spec: &mut Value) -> usize {
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return 0;
    };
    let Some(recipient) = schemas.get("Recipient").cloned() else {
        return 0;
    };
    if recipient.get("oneOf").is_some() {
        return 0;
    }
    let property = |name: &str| recipient.pointer(&format!("/properties/{name}")).cloned();
    let (Some(contact_id), Some(identified_by)) =
        (property("contact_id"), property("identified_by"))
    else {
        return 0;
    };
    let variant = |field: &str, schema: Value, description: &str| {
        json!({
            "type": "object",
            "description": description,
            "required": [field],
            "properties": {field: schema}
        })
    };
    schemas.insert(
        "ContactRecipient".into(),
        variant(
            "contact_id",
            contact_id,
            "A recipient named by its contact id.",
        ),
    );
    schemas.insert(
        "ChannelIdentitiesRecipient".into(),
        variant(
            "identified_by",
            identified_by,
            "A recipient named by its channel identities.",
        ),
    );
    let mut replacement = Map::new();
    for key in ["title", "description"] {
        if let Some(value) = recipient.get(key) {
            replacement.insert(key.into(), value.clone());
        }
    }
    replacement.insert(
        "oneOf".into(),
        json!([
            {"$ref": "#/components/schemas/ContactRecipient"},
            {"$ref": "#/components/schemas/ChannelIdentitiesRecipient"}
        ]),
    );
    schemas.insert("Recipient".into(), Value::Object(replacement));
    1
}

/// The method name for an upstream operation id: drop the `Tag_` prefix, then snake_case.
/// Ids that are already snake_case (ours, from overlays) stay as they are.
pub fn idiomatic_operation_id(original: &str) -> String {
    if !original.contains(|c: char| c.is_ascii_uppercase()) {
        return original.to_owned();
    }
    let name = original.split_once('_').map_or(original, |(_, rest)| rest);
    name.to_snake_case()
}

/// Upstream ids such as `Messages_SendMessage` would become `messages_send_message()`;
/// users expect `send_message()`. The original id stays in `x-sinch-operation-id` and the docs.
pub fn rename_operation_ids(spec: &mut Value) -> usize {
    let mut changed = 0;
    for_each_operation(spec, |_, _, op| {
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
        let summary = op
            .get("summary")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let description = op
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or(&summary)
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
    for_each_operation(spec, |_, _, op| {
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
    schema.get("enum").is_some() && schema.get("type").is_none_or(|t| t == "string")
}

/// `build.rs` turns each *named* string enum into an open enum; an inline enum would be a
/// closed one, so inline enums under schema properties (and array items) become named schemas.
pub fn hoist_inline_enums(spec: &mut Value) -> usize {
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return 0;
    };
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    for (parent, schema) in schemas.iter_mut() {
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        for (property, value) in properties.iter_mut() {
            let name = format!("{parent}{}", property.to_upper_camel_case());
            let target = if is_string_enum(value) {
                Some(value)
            } else {
                value.get_mut("items").filter(|items| is_string_enum(items))
            };
            if let Some(target) = target {
                let schema = std::mem::replace(
                    target,
                    json!({"$ref": format!("#/components/schemas/{name}")}),
                );
                hoisted.push((name, schema));
            }
        }
    }
    let count = hoisted.len();
    for (name, schema) in hoisted {
        schemas.insert(name, schema);
    }
    count
}

/// A PATCH with `update_mask.paths` changes only the masked fields, so its body must be able
/// to carry just those: each PATCH body schema `X` gets a `XPatch` twin with nothing required.
/// (Sending a full `X` would force callers to send, and a derived mask to include, fields
/// they do not mean to change.)
pub fn patch_bodies_all_optional(spec: &mut Value) -> usize {
    let snapshot = spec.clone();
    let mut twins: Vec<(String, Value)> = Vec::new();
    for_each_operation(spec, |_, method, op| {
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
                    "The fields of `{name}` to change; only the fields named in `update_mask.paths` are applied."
                )),
            );
            let twin = format!("{name}Patch");
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

/// Whether property `property` of schema `schema` holds a credential: any `secret`, and the
/// tokens, passwords and keys of the channel credential schemas.
fn is_secret(schema: &str, property: &str) -> bool {
    let words: Vec<&str> = property.split('_').collect();
    let credentials = ["Credential", "Credentials", "CredentialsPair"]
        .iter()
        .any(|suffix| schema.ends_with(suffix));
    words.contains(&"secret")
        || (credentials && matches!(words.last(), Some(&("token" | "password" | "key"))))
}

/// String fields holding credentials (webhook secrets, channel tokens, API keys) become
/// `$ref: Secret`, which `build.rs` maps to a type whose `Debug` hides the value: a model
/// logged with `{:?}` must not leak them.
pub fn secret_fields(spec: &mut Value) -> usize {
    let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return 0;
    };
    let mut changed = 0;
    for (name, schema) in schemas.iter_mut() {
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        for (property, field) in properties.iter_mut() {
            if !is_secret(name, property) || field.get("type") != Some(&json!("string")) {
                continue;
            }
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
        }
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
        let mut spec = json!({"components": {"schemas": {
            "Webhook": {"properties": {
                "secret": {"type": "string", "description": "signs callbacks"},
                "target": {"type": "string"}}},
            "LineCredentials": {"properties": {
                "token": {"type": "string"}, "secret": {"type": "string"}}},
            "WeChatCredentials": {"properties": {
                "aes_key": {"type": "string"}, "app_id": {"type": "string"}}},
            "ClientCredentials": {"properties": {
                "client_secret": {"type": "string"},
                "token_request_type": {"$ref": "#/components/schemas/T"}}},
            "ListContactsResponse": {"properties": {"next_page_token": {"type": "string"}}},
            "TemplateVariable": {"properties": {"key": {"type": "string"}}}
        }}});
        assert_eq!(secret_fields(&mut spec), 5);
        let schemas = &spec["components"]["schemas"];
        assert_eq!(
            schemas["Webhook"]["properties"]["secret"],
            json!({"allOf": [{"$ref": "#/components/schemas/Secret"}], "description": "signs callbacks"})
        );
        for (schema, field) in [
            ("LineCredentials", "token"),
            ("LineCredentials", "secret"),
            ("WeChatCredentials", "aes_key"),
            ("ClientCredentials", "client_secret"),
        ] {
            assert!(
                schemas[schema]["properties"][field].get("allOf").is_some(),
                "{schema}.{field}"
            );
        }
        for (schema, field) in [
            ("Webhook", "target"),
            ("WeChatCredentials", "app_id"),
            ("ListContactsResponse", "next_page_token"),
            ("TemplateVariable", "key"),
        ] {
            assert_eq!(schemas[schema]["properties"][field]["type"], "string");
        }
        assert!(
            schemas["ClientCredentials"]["properties"]["token_request_type"]
                .get("$ref")
                .is_some()
        );
        assert_eq!(schemas["Secret"]["type"], "string");
        assert_eq!(secret_fields(&mut spec), 0, "idempotent");
    }

    #[test]
    fn strips_ballerina_extensions_at_any_depth() {
        let mut spec = json!({"x-ballerina-display": {}, "info": {"x-ballerina-init": "x", "title": "t"}, "x-other": 1});
        assert_eq!(strip_ballerina_extensions(&mut spec), 2);
        assert_eq!(spec, json!({"info": {"title": "t"}, "x-other": 1}));
    }

    #[test]
    fn moves_a_path_level_update_mask_to_patch() {
        let mask = json!({"$ref": "#/components/parameters/update_mask.paths"});
        let id = json!({"$ref": "#/components/parameters/webhook_id"});
        let mut spec = json!({"paths": {"/w/{webhook_id}": {
            "parameters": [id, mask],
            "get": {"operationId": "g"},
            "patch": {"operationId": "p"},
            "delete": {"operationId": "d"}
        }}});
        assert_eq!(update_mask_on_patch_only(&mut spec), 1);
        let item = &spec["paths"]["/w/{webhook_id}"];
        assert_eq!(item["parameters"], json!([id]));
        assert_eq!(item["patch"]["parameters"], json!([mask]));
        assert!(item["get"].get("parameters").is_none());
        assert!(item["delete"].get("parameters").is_none());
    }

    #[test]
    fn makes_server_generated_ids_optional() {
        let mut spec = json!({"components": {"schemas": {
            "App": {"required": ["id", "channel_credentials"]},
            "Contact": {"required": ["id", "language"]},
            "Other": {"required": ["id"]}
        }}});
        assert_eq!(server_generated_ids_optional(&mut spec), 2);
        assert_eq!(
            spec["components"]["schemas"]["App"]["required"],
            json!(["channel_credentials"])
        );
        assert_eq!(
            spec["components"]["schemas"]["Contact"]["required"],
            json!(["language"])
        );
        assert_eq!(
            spec["components"]["schemas"]["Other"]["required"],
            json!(["id"])
        );
    }

    #[test]
    fn recipient_becomes_one_of_two_closed_objects() {
        let mut spec = json!({"components": {"schemas": {"Recipient": {
            "type": "object", "title": "Recipient", "description": "who",
            "required": ["contact_id", "identified_by"],
            "properties": {
                "contact_id": {"type": "string"},
                "identified_by": {"$ref": "#/components/schemas/ChannelIdentities"}
            }
        }}}});
        assert_eq!(recipient_one_of(&mut spec), 1);
        let schemas = &spec["components"]["schemas"];
        assert_eq!(schemas["Recipient"]["oneOf"].as_array().unwrap().len(), 2);
        assert_eq!(schemas["Recipient"]["description"], "who");
        assert_eq!(
            schemas["ContactRecipient"]["required"],
            json!(["contact_id"])
        );
        assert!(
            schemas["ContactRecipient"]
                .get("additionalProperties")
                .is_none(),
            "open, for forward compatibility"
        );
        assert_eq!(
            schemas["ChannelIdentitiesRecipient"]["properties"]["identified_by"]["$ref"],
            "#/components/schemas/ChannelIdentities"
        );
        assert_eq!(recipient_one_of(&mut spec), 0, "idempotent");
    }

    #[test]
    fn operation_ids_become_idiomatic_method_names() {
        for (original, expected) in [
            ("Messages_SendMessage", "send_message"),
            ("App_ListApps", "list_apps"),
            ("Contact_MergeContact", "merge_contact"),
            ("OptIn_RegisterOptIn", "register_opt_in"),
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
        assert_eq!(
            op["description"],
            "Send\n\nSinch operation id: `Messages_SendMessage`."
        );
        assert_eq!(rename_operation_ids(&mut spec), 0, "idempotent");

        let mut overlay_op = json!({"paths": {"/e": {"get": {"operationId": "get_event", "summary": "Get",
            "x-sinch-operation-id": "GetEvent"}}}});
        assert_eq!(rename_operation_ids(&mut overlay_op), 1);
        assert_eq!(
            overlay_op["paths"]["/e"]["get"]["description"],
            "Get\n\nSinch operation id: `GetEvent`."
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
    fn inline_enums_are_hoisted_to_named_schemas() {
        let mut spec = json!({"components": {"schemas": {
            "Named": {"type": "string", "enum": ["A"]},
            "Parent": {"type": "object", "properties": {
                "kind": {"type": "string", "enum": ["X", "Y"]},
                "tags": {"type": "array", "items": {"type": "string", "enum": ["T"]}},
                "plain": {"type": "string"}
            }}
        }}});
        assert_eq!(hoist_inline_enums(&mut spec), 2);
        let schemas = &spec["components"]["schemas"];
        assert_eq!(
            schemas["Parent"]["properties"]["kind"],
            json!({"$ref": "#/components/schemas/ParentKind"})
        );
        assert_eq!(
            schemas["Parent"]["properties"]["tags"]["items"],
            json!({"$ref": "#/components/schemas/ParentTags"})
        );
        assert_eq!(schemas["ParentKind"]["enum"], json!(["X", "Y"]));
        assert_eq!(hoist_inline_enums(&mut spec), 0);
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
                              "parameters": [{"$ref": "#/components/parameters/update_mask.paths"}]},
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
    fn normalising_twice_changes_nothing_the_second_time() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../spec/upstream/sinch-conversation-openapi.yaml"
        ))
        .unwrap();
        let mut spec = crate::io::parse_spec(&text, "upstream").unwrap();
        normalize(&mut spec);
        let once = spec.clone();
        let changes = normalize(&mut spec);
        assert_eq!(spec, once);
        assert!(changes.iter().all(|(_, n)| *n == 0), "{changes:?}");
    }
}
