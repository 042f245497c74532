//! Field masks for the masked update operations (`update_mask.paths`): every operation whose
//! spec has a mask parameter and a patch body implements [`PatchExt`]
//! ([`OperationInfo::masked`](crate::operations::OperationInfo::masked)).
//!
//! Without a mask the API replaces fields the caller did not mean to touch. A mask is either
//! named explicitly (validated against the model's JSON Schema, so a typo fails before any
//! request) or derived from a patch body: exactly the fields the caller set, nested ones as
//! `a.b`.
//!
//! ```no_run
//! use sinch_conversation::{Client, field_mask::{FieldMask, PatchExt}, types::ContactPatch};
//!
//! # async fn f(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
//! // Derived: sends `update_mask.paths=display_name`, nothing else changes.
//! let patch = ContactPatch { display_name: Some("Ada".into()), ..Default::default() };
//! client.update_contact().project_id(client.project()).contact_id("c1").patch(patch)?.send().await?;
//!
//! // Explicit: clears the email (absent from the body, named in the mask).
//! let mask = FieldMask::<ContactPatch>::new(["email"])?;
//! client.update_contact().project_id(client.project()).contact_id("c1")
//!     .body(ContactPatch::default()).mask(mask).send().await?;
//! # Ok(()) }
//! ```
//!
//! A mask is typed by the model it was checked against, so a mask built for one update
//! operation cannot be handed to another:
//!
//! ```compile_fail
//! use sinch_conversation::{Client, field_mask::{FieldMask, PatchExt}, types::{AppPatch, ContactPatch}};
//!
//! # async fn f(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
//! let mask = FieldMask::<AppPatch>::new(["display_name"])?;
//! client.update_contact().contact_id("c1").body(ContactPatch::default()).mask(mask);
//! # Ok(()) }
//! ```

use std::{fmt, marker::PhantomData};

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::builder;

/// A list of field paths for `update_mask.paths`, validated against model `T`.
pub struct FieldMask<T> {
    paths: Vec<String>,
    // `fn() -> T`: the mask holds no `T`, so it is `Send`, `Sync` and `Clone` whatever `T` is.
    model: PhantomData<fn() -> T>,
}

impl<T> Clone for FieldMask<T> {
    fn clone(&self) -> Self {
        Self {
            paths: self.paths.clone(),
            model: PhantomData,
        }
    }
}

impl<T> PartialEq for FieldMask<T> {
    fn eq(&self, other: &Self) -> bool {
        self.paths == other.paths
    }
}

impl<T> Eq for FieldMask<T> {}

impl<T> fmt::Debug for FieldMask<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FieldMask")
            .field("model", &std::any::type_name::<T>())
            .field("paths", &self.paths)
            .finish()
    }
}

/// A mask could not be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldMaskError {
    /// A path names no field of the model.
    #[error("{model} has no field {path:?}")]
    UnknownField {
        /// The model the path was checked against.
        model: String,
        /// The path as given.
        path: String,
    },
    /// Nothing to update: sending an empty mask would be a no-op at best.
    #[error("the patch sets no field; nothing to update")]
    Empty,
    /// The patch could not be serialised.
    #[error("cannot serialise the patch: {0}")]
    Serialize(String),
}

/// A model's JSON Schema, with its definitions, for looking fields up.
struct ModelSchema {
    name: String,
    root: Value,
}

impl ModelSchema {
    fn of<T: JsonSchema>() -> Self {
        let root = serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null);
        Self {
            name: T::schema_name(),
            root,
        }
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/definitions/"))
        {
            Some(name) => self
                .root
                .pointer(&format!("/definitions/{name}"))
                .unwrap_or(&Value::Null),
            None => schema,
        }
    }

    /// The schema of property `name` of `schema`, looking through `$ref`, `allOf`, `anyOf`, `oneOf`.
    fn property<'a>(&'a self, schema: &'a Value, name: &str) -> Option<&'a Value> {
        let schema = self.resolve(schema);
        if let Some(found) = schema.get("properties").and_then(|p| p.get(name)) {
            return Some(found);
        }
        ["allOf", "anyOf", "oneOf"]
            .iter()
            .filter_map(|k| schema.get(k).and_then(Value::as_array))
            .flatten()
            .find_map(|sub| self.property(sub, name))
    }

    /// Whether `schema` is a structured object whose fields can be masked one by one.
    fn has_properties(&self, schema: &Value) -> bool {
        let schema = self.resolve(schema);
        schema
            .get("properties")
            .is_some_and(|p| p.as_object().is_some_and(|m| !m.is_empty()))
            || ["allOf", "anyOf", "oneOf"]
                .iter()
                .filter_map(|k| schema.get(k).and_then(Value::as_array))
                .flatten()
                .any(|sub| self.has_properties(sub))
    }

    fn check(&self, path: &str) -> Result<(), FieldMaskError> {
        let unknown = || FieldMaskError::UnknownField {
            model: self.name.clone(),
            path: path.to_owned(),
        };
        let mut schema = &self.root;
        for segment in path.split('.') {
            if segment.is_empty() {
                return Err(unknown());
            }
            schema = self.property(schema, segment).ok_or_else(unknown)?;
        }
        Ok(())
    }
}

impl<T: JsonSchema> FieldMask<T> {
    /// A mask of explicit paths (`a.b` for nested fields), each checked against model `T`.
    pub fn new(paths: impl IntoIterator<Item = impl Into<String>>) -> Result<Self, FieldMaskError> {
        let schema = ModelSchema::of::<T>();
        let mut out: Vec<String> = Vec::new();
        for path in paths {
            let path = path.into();
            schema.check(&path)?;
            if !out.contains(&path) {
                out.push(path);
            }
        }
        if out.is_empty() {
            return Err(FieldMaskError::Empty);
        }
        Ok(Self {
            paths: out,
            model: PhantomData,
        })
    }

    /// The mask of exactly the fields `patch` sets (non-null), nested objects as `a.b`.
    /// Lists and maps count as one field. A patch that sets nothing is [`FieldMaskError::Empty`].
    pub fn from_patch(patch: &T) -> Result<Self, FieldMaskError>
    where
        T: Serialize,
    {
        let schema = ModelSchema::of::<T>();
        let value =
            serde_json::to_value(patch).map_err(|e| FieldMaskError::Serialize(e.to_string()))?;
        let mut paths = Vec::new();
        collect(&schema, &schema.root, &value, "", &mut paths);
        if paths.is_empty() {
            return Err(FieldMaskError::Empty);
        }
        Ok(Self {
            paths,
            model: PhantomData,
        })
    }
}

impl<T> FieldMask<T> {
    /// The paths, in order.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    /// The paths, in order.
    pub fn into_paths(self) -> Vec<String> {
        self.paths
    }

    /// The mask as the generated builders' `update_mask` takes it: one comma-joined value,
    /// `update_mask=a,b.c`. The official document declares the parameter `explode: false`,
    /// which progenitor does not follow (it would repeat `update_mask=` per path).
    pub fn into_query(self) -> Vec<String> {
        if self.paths.is_empty() {
            return Vec::new();
        }
        vec![self.paths.join(",")]
    }
}

fn collect(schema: &ModelSchema, at: &Value, value: &Value, prefix: &str, out: &mut Vec<String>) {
    let Some(fields) = value.as_object() else {
        return;
    };
    for (name, field) in fields {
        if field.is_null() {
            continue;
        }
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match schema.property(at, name) {
            Some(child) if field.is_object() && schema.has_properties(child) => {
                let before = out.len();
                collect(schema, child, field, &path, out);
                // An object set with no fields of its own still names the object.
                if out.len() == before {
                    out.push(path);
                }
            }
            _ => out.push(path),
        }
    }
}

/// Plugs masks into the generated update builders.
pub trait PatchExt: Sized {
    /// The patch model the operation takes.
    type Patch: Serialize + JsonSchema;

    /// Sets the body and the mask derived from it ([`FieldMask::from_patch`]).
    fn patch(self, patch: Self::Patch) -> Result<Self, FieldMaskError>;

    /// Sets an explicit mask, built for this operation's patch model.
    fn mask(self, mask: FieldMask<Self::Patch>) -> Self;
}

macro_rules! patch_ext {
    ($builder:ident, $patch:ty, $setter:ident) => {
        impl PatchExt for builder::$builder<'_> {
            type Patch = $patch;

            fn patch(self, patch: $patch) -> Result<Self, FieldMaskError> {
                let mask = FieldMask::from_patch(&patch)?;
                Ok(self.body(patch).$setter(mask.into_query()))
            }

            fn mask(self, mask: FieldMask<$patch>) -> Self {
                self.$setter(mask.into_query())
            }
        }
    };
}

// One `patch_ext!` per operation with a mask parameter and a patch body, derived from the spec
// by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/patch_ext.rs"));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types;

    #[test]
    fn explicit_paths_are_checked_against_the_model() {
        let mask = FieldMask::<types::AppPatch>::new([
            "display_name",
            "retention_policy.ttl_days",
            "display_name",
        ])
        .unwrap();
        assert_eq!(mask.paths(), ["display_name", "retention_policy.ttl_days"]);
        assert_eq!(
            FieldMask::<types::AppPatch>::new(["dispaly_name"]),
            Err(FieldMaskError::UnknownField {
                model: "AppPatch".into(),
                path: "dispaly_name".into()
            })
        );
        assert!(FieldMask::<types::AppPatch>::new(["retention_policy.nope"]).is_err());
        assert!(FieldMask::<types::AppPatch>::new(["retention_policy."]).is_err());
        assert_eq!(
            FieldMask::<types::AppPatch>::new(Vec::<String>::new()),
            Err(FieldMaskError::Empty)
        );
    }

    #[test]
    fn derived_masks_name_exactly_the_set_fields() {
        let patch: types::AppPatch = serde_json::from_value(
            serde_json::json!({"display_name": "x", "retention_policy": {"ttl_days": 5}}),
        )
        .unwrap();
        assert_eq!(
            FieldMask::from_patch(&patch).unwrap().paths(),
            ["display_name", "retention_policy.ttl_days"]
        );
        assert_eq!(
            FieldMask::from_patch(&types::ContactPatch::default()),
            Err(FieldMaskError::Empty)
        );
    }
}
