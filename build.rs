//! Compiles `spec/conversation.json` into `$OUT_DIR` (`codegen.rs`, `paginate.rs`, `patch_ext.rs`):
//! progenitor's client, rewritten in one pass (`build/walk.rs`: path segments, default project,
//! one error road, lean requests), and what the spec derives beside
//! it: open enums and field paths here, the rest (one-of enums, operations, constructors) in `build/`.

use std::{env, fs, path::PathBuf};

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use quote::{format_ident, quote};

#[path = "build/constructors.rs"]
mod constructors;
#[path = "build/default_project.rs"]
mod default_project;
#[path = "build/error_road.rs"]
mod error_road;
#[path = "build/lean.rs"]
mod lean;
#[path = "build/one_of.rs"]
mod one_of;
#[path = "build/operations.rs"]
mod operations;
#[path = "build/path_params.rs"]
mod path_params;
#[path = "build/walk.rs"]
mod walk;

const SPEC: &str = "spec/conversation.json";
/// Module (inside the generated file) that holds the open enums.
const ENUM_MOD: &str = "open_enums";
/// Name of the catch-all variant that keeps unrecognised values.
const OTHER: &str = "Other";

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");
    // The whole directory: a new rewrite module needs no line here.
    println!("cargo:rerun-if-changed=build");

    let text = fs::read_to_string(SPEC).unwrap_or_else(|e| panic!("cannot read {SPEC}: {e}"));
    let raw: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{SPEC} is not JSON: {e}"));
    let spec: openapiv3::OpenAPI = serde_json::from_value(raw.clone())
        .unwrap_or_else(|e| panic!("{SPEC} is not OpenAPI 3.0: {e}"));

    let enums = string_enums(&raw);

    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        // The hand-written layer owns request execution (auth, retries, tracing).
        .with_inner_type(quote!(crate::client::ClientState))
        .with_hooks(HooksMode::Expected)
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq");
    for e in &enums {
        let mut impls = vec![TypeImpl::Display, TypeImpl::FromStr];
        if e.default.is_some() {
            impls.push(TypeImpl::Default);
        }
        // Replacements are looked up by typify's type name (`choiceTypes` is `ChoiceTypes`).
        settings.with_replacement(
            one_of::type_ident(&e.name),
            format!(
                "crate::generated::{ENUM_MOD}::{}",
                one_of::type_ident(&e.name)
            ),
            impls.into_iter(),
        );
    }

    // Keyed `oneOf`s and flattened `allOf`s (`xtask` fix `keyed_one_ofs`): emitted below.
    let one_ofs = one_of::one_ofs(&raw);
    for o in &one_ofs {
        settings.with_replacement(
            one_of::type_ident(o.name()),
            format!(
                "crate::generated::{}::{}",
                one_of::MODULE,
                one_of::type_ident(o.name())
            ),
            std::iter::empty(),
        );
    }
    let enum_names: std::collections::BTreeSet<&str> =
        enums.iter().map(|e| e.name.as_str()).collect();
    let one_of_names: std::collections::BTreeSet<&str> = one_ofs.iter().map(|o| o.name()).collect();
    let path_of = |name: &str| -> TokenStream {
        let ident = one_of::type_ident(name);
        if name == "Secret" {
            quote!(crate::Secret)
        } else if enum_names.contains(name) {
            let module = format_ident!("{ENUM_MOD}");
            quote!(crate::generated::#module::#ident)
        } else if one_of_names.contains(name) {
            let module = format_ident!("{}", one_of::MODULE);
            quote!(crate::generated::#module::#ident)
        } else {
            quote!(crate::generated::types::#ident)
        }
    };
    let one_of_items: Vec<TokenStream> = one_ofs
        .iter()
        .map(|o| one_of::tokens(o, &raw, &path_of))
        .collect();
    let one_of_mod = format_ident!("{}", one_of::MODULE);

    // Credential fields (`xtask` fix `secret_fields`): a type whose `Debug` hides the value.
    settings.with_replacement(
        "Secret",
        "crate::Secret",
        [TypeImpl::Default, TypeImpl::FromStr].into_iter(),
    );

    let mut generator = Generator::new(&settings);
    let client = generator
        .generate_tokens(&spec)
        .unwrap_or_else(|e| panic!("progenitor could not generate the client: {e}"));
    let ops = operations::operations(&raw);
    let mut client: syn::File =
        syn::parse2(client).unwrap_or_else(|e| panic!("progenitor's output does not parse: {e}"));
    let constructors = walk::rewrite(&mut client, &ops);
    let probe = path_params::probe(&ops);
    let enum_items: Vec<TokenStream> = enums.iter().map(open_enum).collect();
    let enum_mod = format_ident!("{ENUM_MOD}");
    let field_paths = field_path_constants(&raw);
    let table = operations::table(&ops);
    let tokens = quote! {
        #client

        #table

        #probe

        #constructors

        /// Field paths of the update (`*Patch`) models, for [`FieldMask`](crate::field_mask::FieldMask):
        /// one module per model, one constant per field, nested fields joined with `_`
        /// (`RETENTION_POLICY_TTL_DAYS` is `"retention_policy.ttl_days"`).
        pub mod field_paths {
            #field_paths
        }

        /// One-of-several-kinds models: enums keyed by the kind's property, and the structs that
        /// hold one beside the properties every kind shares.
        pub mod #one_of_mod {
            #(#one_of_items)*
        }

        /// Open enums: every string enum of the spec, accepting values this version does not know.
        pub mod #enum_mod {
            #(#enum_items)*
        }
    };
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR is set by cargo"));
    write(&out_dir.join("codegen.rs"), tokens);
    write(
        &out_dir.join("paginate.rs"),
        operations::paginate_list(&ops, &path_of),
    );
    write(
        &out_dir.join("patch_ext.rs"),
        operations::patch_ext_list(&ops, &path_of),
    );
}

/// Pretty-prints `tokens` into `path`.
fn write(path: &std::path::Path, tokens: TokenStream) {
    let file: syn::File = syn::parse2(tokens)
        .unwrap_or_else(|e| panic!("generated {} does not parse: {e}", path.display()));
    fs::write(path, prettyplease::unparse(&file))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// `pub mod <model> { pub const FIELD: &str = "field"; ... }` for every `*Patch` schema.
fn field_path_constants(raw: &serde_json::Value) -> TokenStream {
    use heck::{ToShoutySnakeCase, ToSnakeCase};
    let Some(schemas) = raw
        .pointer("/components/schemas")
        .and_then(|s| s.as_object())
    else {
        return TokenStream::new();
    };
    let properties = |schema: &serde_json::Value| {
        let mut found = Vec::new();
        collect_properties(schemas, schema, &mut found);
        found
    };
    let mut modules = Vec::new();
    for (name, schema) in schemas.iter().filter(|(name, _)| name.ends_with("Patch")) {
        let mut consts = Vec::new();
        for (field, field_schema) in properties(schema) {
            let mut push = |path: String| {
                let ident = format_ident!("{}", path.replace('.', "_").to_shouty_snake_case());
                let doc = format!("`{path}`");
                consts.push(quote! { #[doc = #doc] pub const #ident: &str = #path; });
            };
            push(field.clone());
            for (nested, _) in properties(&field_schema) {
                push(format!("{field}.{nested}"));
            }
        }
        let module = format_ident!("{}", name.trim_end_matches("Patch").to_snake_case());
        let doc = format!("Field paths of [`{name}`](crate::types::{name}).");
        modules.push(quote! { #[doc = #doc] pub mod #module { #(#consts)* } });
    }
    quote! { #(#modules)* }
}

/// The properties of `schema`, following `$ref`s and `allOf` members (the official document
/// builds most models as `allOf` of a base and extra fields); the first definition of a name wins.
fn collect_properties(
    schemas: &serde_json::Map<String, serde_json::Value>,
    schema: &serde_json::Value,
    found: &mut Vec<(String, serde_json::Value)>,
) {
    if let Some(name) = schema
        .get("$ref")
        .and_then(|r| r.as_str())
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        if let Some(target) = schemas.get(name) {
            collect_properties(schemas, target, found);
        }
        return;
    }
    if let Some(props) = schema.get("properties").and_then(|p| p.as_object()) {
        for (key, value) in props {
            if !found.iter().any(|(k, _)| k == key) {
                found.push((key.clone(), value.clone()));
            }
        }
    }
    for member in schema
        .get("allOf")
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
    {
        collect_properties(schemas, member, found);
    }
}

/// A named string enum from `components/schemas`.
struct StringEnum {
    name: String,
    doc: String,
    values: Vec<String>,
    default: Option<String>,
}

fn string_enums(raw: &serde_json::Value) -> Vec<StringEnum> {
    let Some(schemas) = raw
        .pointer("/components/schemas")
        .and_then(|s| s.as_object())
    else {
        return Vec::new();
    };
    schemas
        .iter()
        .filter_map(|(name, schema)| {
            let values = schema.get("enum")?.as_array()?;
            let values: Vec<String> = values
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<_>>()?;
            let text = |k: &str| {
                schema
                    .get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .trim()
                    .to_owned()
            };
            let doc = [text("title"), text("description")]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n");
            let default = schema
                .get("default")
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            Some(StringEnum {
                name: name.clone(),
                doc,
                values,
                default,
            })
        })
        .collect()
}

/// Rust variant name for a wire value, avoiding the catch-all's name and leading digits.
fn variant_name(value: &str) -> String {
    let mut name = value.to_upper_camel_case();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("V{name}");
    }
    if name == OTHER {
        name.push_str("Value");
    }
    name
}

/// An *open* enum: the known values as variants, anything else kept in `Other(String)`, because
/// the live API adds values faster than the spec and a closed enum fails whole responses.
fn open_enum(e: &StringEnum) -> TokenStream {
    let name = one_of::type_ident(&e.name);
    let other = format_ident!("{OTHER}");
    let doc = if e.doc.is_empty() {
        format!("`{}` (a string enum of the API).", e.name)
    } else {
        e.doc.clone()
    };
    let variants: Vec<_> = e
        .values
        .iter()
        .map(|v| format_ident!("{}", variant_name(v)))
        .collect();
    let values = &e.values;
    let variant_docs: Vec<String> = e.values.iter().map(|v| format!("`{v}`")).collect();
    let known_list = e.values.join(", ");
    let default_impl = e.default.as_ref().map(|d| {
        quote! {
            impl ::std::default::Default for #name {
                fn default() -> Self { Self::from(#d) }
            }
        }
    });
    quote! {
        #[doc = #doc]
        ///
        /// Open enum: a value this version of the crate does not know is kept in
        /// the catch-all variant and serialised back unchanged.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #( #[doc = #variant_docs] #variants, )*
            /// A value the spec this crate was generated from does not list.
            #other(::std::string::String),
        }

        impl #name {
            /// Every value the spec lists, in spec order.
            pub const KNOWN: &'static [Self] = &[ #( Self::#variants ),* ];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #values, )*
                    Self::#other(s) => s.as_str(),
                }
            }

            /// Whether the value is one the spec does not list.
            pub fn is_other(&self) -> bool {
                matches!(self, Self::#other(_))
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #values => Self::#variants, )*
                    other => Self::#other(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::#other(_) => Self::#other(value),
                    known => known,
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #default_impl

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }

        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::string::String {
                stringify!(#name).to_owned()
            }
            fn json_schema(_: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                // Known values are listed, but any string is valid: the API adds values over time.
                ::schemars::schema::SchemaObject {
                    metadata: Some(Box::new(::schemars::schema::Metadata {
                        description: Some(format!("{} Known values: {}.", #doc, #known_list)),
                        examples: vec![ #( ::serde_json::json!(#values) ),* ],
                        ..Default::default()
                    })),
                    instance_type: Some(::schemars::schema::InstanceType::String.into()),
                    ..Default::default()
                }
                .into()
            }
        }
    }
}
