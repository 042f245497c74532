//! One document from the upstream documents: Sinch publishes the Conversation API and the
//! Template Management API separately, on two hosts, and the client serves both.

use serde_json::{Map, Value};

use crate::operations;

/// The host label of a document: `template` for `https://{region}.template.api.sinch.com`.
fn host_label(document: &Value) -> Option<String> {
    let url = document.pointer("/servers/0/url")?.as_str()?;
    let host = url.split("://").nth(1)?.split('/').next()?;
    let mut labels = host.split('.');
    let first = labels.next()?;
    // `{region}.conversation...`: the label after the region variable names the API.
    let label = if first.starts_with('{') {
        labels.next()?
    } else {
        first
    };
    Some(label.to_owned())
}

/// The version of a document, as numbers (`3.1.0` → `[3, 1, 0]`), for picking the newest.
fn version(document: &Value) -> Vec<u32> {
    document
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or("")
        .split('.')
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

/// Merges `documents` (`(origin, document)`, the first one the base) into one.
///
/// - Paths: every path of every document; a path in two documents is an error.
/// - Operations of a document served from another host than the base's are marked
///   `x-sinch-host: <label>` (`template`), which the client uses to pick the base URL.
/// - Components: the union, section by section; a name defined twice must be defined alike,
///   up to its prose (the two documents share 37 schemas, and word one security scheme
///   differently), anything else is an error. The base's wording stays.
/// - Tags: the union, by name. `openapi`: the newest version, so that the 3.1 → 3.0 fix sees
///   that some part is 3.1. Everything else: the base's.
pub fn merge_documents(documents: Vec<(String, Value)>) -> Result<Value, String> {
    let mut documents = documents.into_iter();
    let (_, mut base) = documents.next().ok_or("no upstream document")?;
    let base_host = host_label(&base);
    for (origin, mut document) in documents {
        if version(&document) > version(&base) {
            base["openapi"] = document["openapi"].clone();
        }
        if let Some(host) = host_label(&document).filter(|h| Some(h) != base_host.as_ref()) {
            operations::for_each_mut(&mut document, |_, _, op| {
                op.insert("x-sinch-host".into(), Value::String(host.clone()));
            });
        }
        for (path, item) in document
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let paths = object(&mut base, "paths");
            if paths.contains_key(path) {
                return Err(format!(
                    "{origin}: path {path} is in two upstream documents"
                ));
            }
            paths.insert(path.clone(), item.clone());
        }
        for (section, entries) in document
            .get("components")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let components = object(&mut base, "components");
            let target = components
                .entry(section.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let Some(target) = target.as_object_mut() else {
                return Err(format!("components/{section} is not an object"));
            };
            for (name, value) in entries.as_object().into_iter().flatten() {
                match target.get(name) {
                    Some(existing) if without_prose(existing) == without_prose(value) => {}
                    Some(_) => {
                        return Err(format!(
                            "{origin}: components/{section}/{name} differs from the one already defined"
                        ));
                    }
                    None => {
                        target.insert(name.clone(), value.clone());
                    }
                }
            }
        }
        for tag in document
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let tags = base
                .as_object_mut()
                .ok_or("the base document is not an object")?
                .entry("tags")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Some(tags) = tags.as_array_mut()
                && !tags.iter().any(|t| t.get("name") == tag.get("name"))
            {
                tags.push(tag.clone());
            }
        }
    }
    Ok(base)
}

/// `value` without its documentation (`description`, `title`, `summary`, examples, `x-*`):
/// the two documents word the same security scheme differently, and that is no conflict.
fn without_prose(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| {
                    !matches!(
                        key.as_str(),
                        "description" | "title" | "summary" | "example" | "examples"
                    ) && !key.starts_with("x-")
                })
                .map(|(key, v)| (key.clone(), without_prose(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_prose).collect()),
        other => other.clone(),
    }
}

/// `value[key]` as an object, created when absent.
fn object<'a>(value: &'a mut Value, key: &str) -> &'a mut Map<String, Value> {
    if !value.get(key).is_some_and(Value::is_object) {
        value[key] = Value::Object(Map::new());
    }
    value[key].as_object_mut().expect("just made an object")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn conversation() -> Value {
        json!({
            "openapi": "3.0.2",
            "servers": [{"url": "https://{region}.conversation.api.sinch.com"}],
            "tags": [{"name": "App"}],
            "paths": {"/v1/projects/{project_id}/apps": {"get": {"operationId": "App_ListApps", "responses": {}}}},
            "components": {"schemas": {
                "Coordinates": {"type": "object", "properties": {"latitude": {"type": "number"}}},
                "App": {"type": "object"}
            }}
        })
    }

    fn templates() -> Value {
        json!({
            "openapi": "3.1.0",
            "servers": [{"url": "https://{region}.template.api.sinch.com"}],
            "tags": [{"name": "Templates V2"}, {"name": "App"}],
            "paths": {"/v2/projects/{project_id}/templates": {
                "parameters": [{"name": "project_id", "in": "path"}],
                "get": {"operationId": "Templates_v2_ListTemplates", "responses": {}}
            }},
            "components": {"schemas": {
                "Coordinates": {"type": "object", "properties": {"latitude": {"type": "number"}}},
                "v2Template": {"type": ["object"]}
            }}
        })
    }

    #[test]
    fn merges_paths_components_and_tags_and_marks_the_other_host() {
        let merged = merge_documents(vec![
            ("conversation.yaml".into(), conversation()),
            ("template-management.yaml".into(), templates()),
        ])
        .unwrap();
        assert_eq!(
            merged["openapi"], "3.1.0",
            "the newest version, for the 3.1 fix"
        );
        let templates = &merged["paths"]["/v2/projects/{project_id}/templates"];
        assert_eq!(templates["get"]["x-sinch-host"], "template");
        assert_eq!(
            templates["parameters"],
            json!([{"name": "project_id", "in": "path"}])
        );
        assert!(
            merged["paths"]["/v1/projects/{project_id}/apps"]["get"]
                .get("x-sinch-host")
                .is_none()
        );
        let schemas = merged["components"]["schemas"].as_object().unwrap();
        assert_eq!(
            schemas.keys().collect::<Vec<_>>(),
            ["App", "Coordinates", "v2Template"]
        );
        assert_eq!(
            merged["tags"],
            json!([{"name": "App"}, {"name": "Templates V2"}])
        );
    }

    #[test]
    fn a_path_or_a_different_component_defined_twice_is_an_error() {
        let mut clash = templates();
        let mut reworded = templates();
        reworded["components"]["schemas"]["Coordinates"]["description"] = json!("other words");
        merge_documents(vec![("a".into(), conversation()), ("b".into(), reworded)]).unwrap();
        clash["components"]["schemas"]["Coordinates"] = json!({"type": "string"});
        let error =
            merge_documents(vec![("a".into(), conversation()), ("b".into(), clash)]).unwrap_err();
        assert!(
            error.contains("components/schemas/Coordinates differs"),
            "{error}"
        );

        let error = merge_documents(vec![
            ("a".into(), conversation()),
            ("b".into(), conversation()),
        ])
        .unwrap_err();
        assert!(
            error.contains("path /v1/projects/{project_id}/apps is in two"),
            "{error}"
        );
    }

    #[test]
    fn host_labels_come_from_the_server_url() {
        assert_eq!(host_label(&templates()).as_deref(), Some("template"));
        assert_eq!(host_label(&conversation()).as_deref(), Some("conversation"));
        assert_eq!(
            host_label(&json!({"servers": [{"url": "https://eu.template.api.sinch.com/x"}]}))
                .as_deref(),
            Some("eu")
        );
        assert_eq!(host_label(&json!({})), None);
    }
}
