//! `update_mask`: only the masked fields of a stored resource change.
//!
//! The official document declares the mask as one query value of comma-separated paths
//! (`update_mask=display_name,rate_limits.outbound`, `explode: false`); a repeated
//! `update_mask=`, the older `update_mask.paths=` and `updateMask=` are taken too.
//!
//! Each path names a field of the model (`display_name`) or a nested one (`rate_limits.outbound`).
//! A masked field takes the value it has in the request body; a masked field absent from the
//! body is cleared. Without a mask, every field of the model is replaced by the body's (so
//! fields absent from the body are cleared), except the output-only `id`.

use schemars::JsonSchema;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};

use sinch_conversation::field_mask::FieldMask;

use crate::error::ApiError;

/// The paths of `update_mask` (comma separated, or repeated; also `update_mask.paths` and
/// `updateMask`) in a raw query, in order, each once.
pub(crate) fn paths_from_query(query: &[(String, String)]) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for (key, value) in query {
        if key == "update_mask.paths" || key == "update_mask" || key == "updateMask" {
            for path in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if !paths.iter().any(|p| p == path) {
                    paths.push(path.to_owned());
                }
            }
        }
    }
    paths
}

fn lookup<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(value, |at, segment| at.get(*segment))
        .filter(|v| !v.is_null())
}

fn set(target: &mut Map<String, Value>, path: &[&str], value: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = target;
    for segment in parents {
        let entry = at
            .entry((*segment).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        match entry {
            Value::Object(map) => at = map,
            _ => return,
        }
    }
    match value {
        Some(value) => {
            at.insert((*last).to_owned(), value);
        }
        None => {
            at.remove(*last);
        }
    }
}

/// Applies `patch` to `stored` under `mask` (see the module docs).
///
/// `P` is the official update body (the all-optional patch twin, `AppPatch` for
/// `AppUpdateRequest`): the body is read as one and the mask's paths are checked against it,
/// so a response-only field (`queue_stats`) is no path. `defaults` fill required fields that
/// the update cleared.
pub(crate) fn apply<T, P>(
    stored: &T,
    body: &[u8],
    mask: &[String],
    defaults: &[(&str, Value)],
) -> Result<T, ApiError>
where
    T: Serialize + DeserializeOwned,
    P: Serialize + DeserializeOwned + JsonSchema,
{
    let patch: P = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::from_slice(b"{}").map_err(|e| ApiError::bad_json(&e))?
    } else {
        serde_json::from_slice(body).map_err(|e| ApiError::bad_json(&e))?
    };
    let patch = serde_json::to_value(patch).map_err(|e| ApiError::bad_json(&e))?;
    let paths = if mask.is_empty() {
        // Every field either side has: the others are absent in both and stay absent.
        let mut fields: Vec<String> = serde_json::to_value(stored)
            .ok()
            .and_then(|v| v.as_object().map(|m| m.keys().cloned().collect()))
            .unwrap_or_default();
        for key in patch.as_object().into_iter().flat_map(|m| m.keys()) {
            if !fields.contains(key) {
                fields.push(key.clone());
            }
        }
        fields
    } else {
        // The client library's own validation, so client and emulator agree on what a path is.
        FieldMask::<P>::new(mask)
            .map_err(|e| ApiError::invalid(format!("Invalid update_mask: {e}")))?
            .into_paths()
    };
    let Value::Object(mut merged) =
        serde_json::to_value(stored).map_err(|e| ApiError::bad_json(&e))?
    else {
        return Err(ApiError::invalid("stored resource is not an object"));
    };
    for path in &paths {
        let segments: Vec<&str> = path.split('.').collect();
        if segments.first() == Some(&"id") {
            continue; // output only
        }
        set(&mut merged, &segments, lookup(&patch, &segments).cloned());
    }
    for (field, default) in defaults {
        merged
            .entry((*field).to_owned())
            .or_insert_with(|| default.clone());
    }
    serde_json::from_value(Value::Object(merged))
        .map_err(|e| ApiError::invalid(format!("Invalid update: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sinch_conversation::types::{AppPatch, AppResponse as App};

    fn app() -> App {
        serde_json::from_value(json!({
            "id": "A1", "display_name": "old", "channel_credentials": [],
            "rate_limits": {"outbound": 1, "inbound": 2},
            "retention_policy": {"retention_type": "MESSAGE_EXPIRE_POLICY", "ttl_days": 2}
        }))
        .unwrap()
    }

    fn paths(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_masked_fields_change() {
        let body = br#"{"display_name":"new","retention_policy":{"retention_type":"CONVERSATION_EXPIRE_POLICY","ttl_days":9}}"#;
        let updated: App =
            apply::<App, AppPatch>(&app(), body, &paths(&["retention_policy.ttl_days"]), &[])
                .unwrap();
        assert_eq!(updated.display_name.as_deref(), Some("old"));
        let policy = updated.retention_policy.unwrap();
        assert_eq!(policy.ttl_days, 9);
        assert_eq!(
            policy.retention_type.map(|t| t.to_string()).as_deref(),
            Some("MESSAGE_EXPIRE_POLICY"),
            "the unmasked sibling keeps its value"
        );
    }

    #[test]
    fn masked_but_absent_clears_and_no_mask_replaces() {
        let updated: App = apply::<App, AppPatch>(
            &app(),
            br#"{}"#,
            &paths(&["display_name"]),
            &[("channel_credentials", json!([]))],
        )
        .unwrap();
        assert_eq!(updated.display_name, None);
        assert!(updated.rate_limits.is_some());

        let replaced: App = apply::<App, AppPatch>(
            &app(),
            br#"{"display_name":"x","id":"ignored"}"#,
            &[],
            &[("channel_credentials", json!([]))],
        )
        .unwrap();
        assert_eq!(replaced.display_name.as_deref(), Some("x"));
        assert_eq!(replaced.id.as_deref(), Some("A1"));
        assert!(replaced.rate_limits.is_none());
        assert!(replaced.retention_policy.is_none());
    }

    #[test]
    fn bad_paths_and_bodies_are_400() {
        let err = apply::<App, AppPatch>(&app(), b"{}", &paths(&["nope"]), &[]).unwrap_err();
        assert_eq!(err.status.as_u16(), 400);
        assert!(
            apply::<App, AppPatch>(&app(), b"{}", &paths(&["retention_policy."]), &[]).is_err()
        );
        assert!(apply::<App, AppPatch>(&app(), b"[1", &[], &[]).is_err());
        assert!(
            apply::<App, AppPatch>(
                &app(),
                br#"{"display_name":5}"#,
                &paths(&["display_name"]),
                &[]
            )
            .is_err()
        );
    }

    #[test]
    fn query_paths_repeated_or_comma_separated() {
        // The official form: one comma-joined value.
        let official = vec![(
            "update_mask".to_owned(),
            "display_name,rate_limits.outbound".to_owned(),
        )];
        assert_eq!(
            paths_from_query(&official),
            vec!["display_name", "rate_limits.outbound"]
        );
        let q = vec![
            ("update_mask".to_owned(), "a".to_owned()),
            ("update_mask".to_owned(), "b,c".to_owned()),
            ("other".to_owned(), "x".to_owned()),
            ("update_mask.paths".to_owned(), "a".to_owned()),
            ("update_mask.paths".to_owned(), "d".to_owned()),
        ];
        assert_eq!(paths_from_query(&q), vec!["a", "b", "c", "d"]);
    }

    #[test]
    fn paths_are_checked_against_the_update_body() {
        // `queue_stats` is a field of the stored app (the response), not of the update body.
        let err = apply::<App, AppPatch>(&app(), b"{}", &paths(&["queue_stats"]), &[]).unwrap_err();
        assert_eq!(err.status.as_u16(), 400);
        assert!(err.message.contains("queue_stats"), "{}", err.message);
    }
}
