//! The `oneOf`s of the spec that `xtask`'s `keyed_one_ofs` marked, emitted by hand rather than
//! by typify, which would make them untagged enums that mis-parse:
//! - `x-sinch-keyed`: a `oneOf` of single-property objects becomes an enum keyed by that
//!   property (`AppMessageTypes::TextMessage(TextMessage)` is `{"text_message": {...}}`), with
//!   `Unknown` keeping any other kind as raw JSON;
//! - `x-sinch-flatten`: an `allOf` of `$ref`s becomes a struct of `#[serde(flatten)]` parts
//!   (`AppMessage { common: AppMessageCommonProps, kind: AppMessageTypes }`);
//! - `x-sinch-tagged`: an object of a tag and a content property becomes an enum chosen by the
//!   tag (`ChannelSpecificMessage::Flows(FlowChannelSpecificMessage)` is
//!   `{"message_type": "FLOWS", "message": {...}}`), with `Unknown` keeping the rest as raw JSON.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// Module (inside the generated file) that holds these types.
pub const MODULE: &str = "one_ofs";

/// A keyed `oneOf` or a flattened `allOf`, by schema name.
pub enum OneOf {
    Keyed {
        name: String,
        doc: String,
        /// `(wire key, payload schema)`, in spec order.
        variants: Vec<(String, Value)>,
    },
    Flatten {
        name: String,
        doc: String,
        /// Member schema names, in spec order.
        parts: Vec<String>,
    },
    Tagged {
        name: String,
        doc: String,
        /// The property that names the kind, and the one that holds it.
        tag: String,
        content: String,
        /// `(tag value, payload schema name)`.
        variants: Vec<(String, String)>,
    },
}

impl OneOf {
    pub fn name(&self) -> &str {
        match self {
            OneOf::Keyed { name, .. }
            | OneOf::Flatten { name, .. }
            | OneOf::Tagged { name, .. } => name,
        }
    }
}

fn doc(schema: &Value) -> String {
    let text = |k: &str| {
        schema
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    [text("title"), text("description")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn ref_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// Every marked schema of the spec.
pub fn one_ofs(raw: &Value) -> Vec<OneOf> {
    let Some(schemas) = raw
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, schema) in schemas {
        if schema.get("x-sinch-keyed").is_some() {
            let variants = schema["oneOf"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|branch| {
                    let (key, payload) = branch.get("properties")?.as_object()?.iter().next()?;
                    Some((key.clone(), payload.clone()))
                })
                .collect();
            out.push(OneOf::Keyed {
                name: name.clone(),
                doc: doc(schema),
                variants,
            });
        } else if let Some(mark) = schema.get("x-sinch-tagged") {
            let text = |k: &str| mark[k].as_str().unwrap_or_default().to_owned();
            let variants = mark["variants"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(value, reference)| {
                    let part = reference.as_str()?.strip_prefix("#/components/schemas/")?;
                    Some((value.clone(), part.to_owned()))
                })
                .collect();
            out.push(OneOf::Tagged {
                name: name.clone(),
                doc: doc(schema),
                tag: text("tag"),
                content: text("content"),
                variants,
            });
        } else if schema.get("x-sinch-flatten").is_some() {
            let parts = schema["allOf"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| ref_name(m).map(str::to_owned))
                .collect();
            out.push(OneOf::Flatten {
                name: name.clone(),
                doc: doc(schema),
                parts,
            });
        }
    }
    out
}

/// The Rust type of a schema: a named one by where `build.rs` puts it, a string as `String`,
/// anything else as raw JSON.
pub fn rust_type(schema: &Value, path_of: &dyn Fn(&str) -> TokenStream) -> TokenStream {
    match (ref_name(schema), schema.get("type").and_then(Value::as_str)) {
        (Some(name), _) => path_of(name),
        (None, Some("string")) => quote!(::std::string::String),
        (None, Some("boolean")) => quote!(bool),
        _ => quote!(::serde_json::Value),
    }
}

/// The Rust type name typify gives a schema name (`choiceTypes` → `ChoiceTypes`).
pub fn type_ident(name: &str) -> proc_macro2::Ident {
    format_ident!("{}", name.to_upper_camel_case())
}

pub fn tokens(one_of: &OneOf, raw: &Value, path_of: &dyn Fn(&str) -> TokenStream) -> TokenStream {
    match one_of {
        OneOf::Keyed {
            name,
            doc,
            variants,
        } => keyed(name, doc, variants, path_of),
        OneOf::Flatten { name, doc, parts } => flatten(name, doc, parts, raw, path_of),
        OneOf::Tagged {
            name,
            doc,
            tag,
            content,
            variants,
        } => tagged(name, doc, tag, content, variants, path_of),
    }
}

fn keyed(
    name: &str,
    doc: &str,
    variants: &[(String, Value)],
    path_of: &dyn Fn(&str) -> TokenStream,
) -> TokenStream {
    let ident = type_ident(name);
    let keys: Vec<&str> = variants.iter().map(|(k, _)| k.as_str()).collect();
    let idents: Vec<_> = keys
        .iter()
        .map(|k| format_ident!("{}", k.to_upper_camel_case()))
        .collect();
    let types: Vec<_> = variants
        .iter()
        .map(|(_, p)| rust_type(p, path_of))
        .collect();
    let variant_docs: Vec<String> = keys.iter().map(|k| format!("`{k}`.")).collect();
    let doc = if doc.is_empty() {
        format!("`{name}`: one of several kinds.")
    } else {
        doc.to_owned()
    };
    let known = keys.join("`, `");
    // `From` a payload type, where only one variant carries it.
    let from_impls: Vec<TokenStream> = idents
        .iter()
        .zip(&types)
        .filter(|(_, ty)| {
            types
                .iter()
                .filter(|t| t.to_string() == ty.to_string())
                .count()
                == 1
        })
        .map(|(variant, ty)| {
            quote! {
                impl ::std::convert::From<#ty> for #ident {
                    fn from(value: #ty) -> Self { Self::#variant(value) }
                }
            }
        })
        .collect();
    let unknown_doc = format!(
        "A kind this version does not know (none of `{known}`, more than one of them, or one \
         whose content does not parse): the object's properties as they came."
    );
    quote! {
        #[doc = #doc]
        ///
        /// On the wire, an object with exactly one of the properties the variants are named
        /// after; this enum cannot hold two kinds at once, and never guesses between them.
        #[derive(Clone, Debug, PartialEq)]
        pub enum #ident {
            #( #[doc = #variant_docs] #idents(#types), )*
            #[doc = #unknown_doc]
            Unknown(::serde_json::Map<::std::string::String, ::serde_json::Value>),
        }

        impl #ident {
            /// The wire property of this kind (`None` for [`Self::Unknown`]).
            pub fn key(&self) -> ::std::option::Option<&'static str> {
                match self {
                    #( Self::#idents(_) => Some(#keys), )*
                    Self::Unknown(_) => None,
                }
            }
        }

        #(#from_impls)*

        impl ::serde::Serialize for #ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                match self {
                    #( Self::#idents(value) => {
                        let mut map = serializer.serialize_map(Some(1))?;
                        map.serialize_entry(#keys, value)?;
                        map.end()
                    } )*
                    Self::Unknown(map) => ::serde::Serialize::serialize(map, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let map = <::serde_json::Map<::std::string::String, ::serde_json::Value> as ::serde::Deserialize>::deserialize(deserializer)?;
                const KEYS: &[&str] = &[#(#keys),*];
                let mut present = KEYS.iter().filter(|key| map.contains_key(**key));
                let (Some(key), None) = (present.next(), present.next()) else {
                    return Ok(Self::Unknown(map));
                };
                let value = &map[*key];
                // A payload of an unexpected shape is kept whole, not half-parsed.
                let parsed = match *key {
                    #( #keys => ::serde::Deserialize::deserialize(value).map(Self::#idents), )*
                    _ => return Ok(Self::Unknown(map)),
                };
                Ok(parsed.unwrap_or(Self::Unknown(map)))
            }
        }

        impl ::schemars::JsonSchema for #ident {
            fn schema_name() -> ::std::string::String {
                stringify!(#ident).to_owned()
            }
            fn json_schema(generator: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                let mut object = ::schemars::schema::ObjectValidation::default();
                #( object.properties.insert(#keys.to_owned(), generator.subschema_for::<#types>()); )*
                ::schemars::schema::SchemaObject {
                    metadata: Some(Box::new(::schemars::schema::Metadata {
                        description: Some(format!("{} Exactly one of: `{}`.", #doc, #known)),
                        ..Default::default()
                    })),
                    instance_type: Some(::schemars::schema::InstanceType::Object.into()),
                    object: Some(Box::new(object)),
                    ..Default::default()
                }
                .into()
            }
        }
    }
}

fn flatten(
    name: &str,
    doc: &str,
    parts: &[String],
    raw: &Value,
    path_of: &dyn Fn(&str) -> TokenStream,
) -> TokenStream {
    let ident = type_ident(name);
    let is_keyed = |part: &str| {
        raw.pointer(&format!("/components/schemas/{part}/x-sinch-keyed"))
            .is_some()
    };
    // Plain parts first: serde's flatten hands a keyed part what the plain parts did not take.
    let mut ordered: Vec<&String> = parts.iter().filter(|p| !is_keyed(p)).collect();
    let plain = ordered.len();
    ordered.extend(parts.iter().filter(|p| is_keyed(p)));
    let keyed_count = ordered.len() - plain;
    let fields: Vec<_> = ordered
        .iter()
        .map(|part| {
            let field = match (is_keyed(part), plain, keyed_count) {
                (true, _, 1) => "kind".to_owned(),
                (false, 1, _) => "common".to_owned(),
                _ => part.to_snake_case(),
            };
            format_ident!("{field}")
        })
        .collect();
    let types: Vec<_> = ordered.iter().map(|part| path_of(part)).collect();
    let field_docs: Vec<String> = ordered
        .iter()
        .map(|part| format!("The [`{}`] part.", part.to_upper_camel_case()))
        .collect();
    let doc = if doc.is_empty() {
        format!("`{name}`.")
    } else {
        doc.to_owned()
    };
    // With one plain part, the struct reads like the flat object it is on the wire
    // (`message.contact_id`, not `message.common.contact_id`); the kind stays a field.
    let deref = (plain == 1).then(|| {
        let common = &types[0];
        quote! {
            impl ::std::ops::Deref for #ident {
                type Target = #common;
                fn deref(&self) -> &#common { &self.common }
            }
            impl ::std::ops::DerefMut for #ident {
                fn deref_mut(&mut self) -> &mut #common { &mut self.common }
            }
        }
    });
    quote! {
        #[doc = #doc]
        ///
        /// On the wire, one object: the parts' properties side by side.
        #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema)]
        pub struct #ident {
            #( #[doc = #field_docs] #[serde(flatten)] pub #fields: #types, )*
        }

        #deref
    }
}

fn tagged(
    name: &str,
    doc: &str,
    tag: &str,
    content: &str,
    variants: &[(String, String)],
    path_of: &dyn Fn(&str) -> TokenStream,
) -> TokenStream {
    let ident = type_ident(name);
    let values: Vec<&str> = variants.iter().map(|(v, _)| v.as_str()).collect();
    let idents: Vec<_> = values
        .iter()
        .map(|v| format_ident!("{}", v.to_lowercase().to_upper_camel_case()))
        .collect();
    let types: Vec<_> = variants.iter().map(|(_, part)| path_of(part)).collect();
    let variant_docs: Vec<String> = values
        .iter()
        .map(|v| format!("`{tag}: \"{v}\"`."))
        .collect();
    let doc = if doc.is_empty() {
        format!("`{name}`: one of several kinds.")
    } else {
        doc.to_owned()
    };
    let known = values.join("`, `");
    let unknown_doc = format!(
        "A kind this version does not know (`{tag}` none of `{known}`, or a `{content}` that does \
         not parse as that kind): the object's properties as they came."
    );
    quote! {
        #[doc = #doc]
        ///
        /// On the wire, an object whose
        #[doc = concat!("`", #tag, "`")]
        /// names the kind and whose
        #[doc = concat!("`", #content, "`")]
        /// holds it; the kind is chosen by the tag, never guessed from the content.
        #[derive(Clone, Debug, PartialEq)]
        pub enum #ident {
            #( #[doc = #variant_docs] #idents(#types), )*
            #[doc = #unknown_doc]
            Unknown(::serde_json::Map<::std::string::String, ::serde_json::Value>),
        }

        impl #ident {
            /// The tag of this kind, as sent on the wire (`None` for [`Self::Unknown`]).
            pub fn tag(&self) -> ::std::option::Option<&'static str> {
                match self {
                    #( Self::#idents(_) => Some(#values), )*
                    Self::Unknown(_) => None,
                }
            }
        }

        #(
            impl ::std::convert::From<#types> for #ident {
                fn from(value: #types) -> Self { Self::#idents(value) }
            }
        )*

        impl ::serde::Serialize for #ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                match self {
                    #( Self::#idents(value) => {
                        let mut map = serializer.serialize_map(Some(2))?;
                        map.serialize_entry(#tag, #values)?;
                        map.serialize_entry(#content, value)?;
                        map.end()
                    } )*
                    Self::Unknown(map) => ::serde::Serialize::serialize(map, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let map = <::serde_json::Map<::std::string::String, ::serde_json::Value> as ::serde::Deserialize>::deserialize(deserializer)?;
                let (Some(tag), Some(value)) = (map.get(#tag).and_then(|t| t.as_str()), map.get(#content)) else {
                    return Ok(Self::Unknown(map));
                };
                // A payload of an unexpected shape is kept whole, not half-parsed.
                let parsed = match tag {
                    #( #values => ::serde::Deserialize::deserialize(value).map(Self::#idents), )*
                    _ => return Ok(Self::Unknown(map)),
                };
                Ok(parsed.unwrap_or(Self::Unknown(map)))
            }
        }

        impl ::schemars::JsonSchema for #ident {
            fn schema_name() -> ::std::string::String {
                stringify!(#ident).to_owned()
            }
            fn json_schema(generator: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                let mut object = ::schemars::schema::ObjectValidation::default();
                object.properties.insert(#tag.to_owned(), generator.subschema_for::<::std::string::String>());
                object.properties.insert(#content.to_owned(), ::schemars::schema::Schema::Bool(true));
                ::schemars::schema::SchemaObject {
                    metadata: Some(Box::new(::schemars::schema::Metadata {
                        description: Some(format!("{} `{}` is one of: `{}`.", #doc, #tag, #known)),
                        ..Default::default()
                    })),
                    instance_type: Some(::schemars::schema::InstanceType::Object.into()),
                    object: Some(Box::new(object)),
                    ..Default::default()
                }
                .into()
            }
        }
    }
}
