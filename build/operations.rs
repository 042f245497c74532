//! The operations of the spec, walked once into [`Op`]s; everything that lists operations (the
//! public table, the `Paginate` and `PatchExt` impls, the emulator's names) is derived from them,
//! so an operation a new spec adds needs no hand edit.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// Keys of a path item that are operations (the others are `parameters`, `summary`, ...).
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// Query parameters that carry a field mask: ours today, Sinch's official document's name.
const MASK_PARAMS: &[&str] = &["update_mask.paths", "update_mask"];

/// What the spec says about one operation.
pub struct Op {
    /// `operationId` (our snake_case name, the client's method).
    pub id: String,
    /// `x-sinch-operation-id`, or empty.
    pub sinch_id: String,
    /// Upper case (`GET`).
    pub method: String,
    /// The path template (`/v1/projects/{project_id}/apps/{app_id}`).
    pub path: String,
    /// `x-sinch-host`, when the operation is not on the Conversation API host.
    pub host: Option<String>,
    pub paging: Option<Paging>,
    pub mask: Option<Mask>,
    /// `deprecated: true`, with the first line of the description as the note.
    pub deprecated: Option<String>,
    /// The Rust type of the JSON request body: the `$ref`'d schema's, or progenitor's name for
    /// an inline one (`{OperationId}Body`).
    pub body: Option<String>,
}

/// A list operation that pages with `page_token` / `next_page_token`.
pub struct Paging {
    /// Schema of the 200 response (one page).
    pub page: String,
    /// Schema of one item.
    pub item: String,
    /// The page's array property that holds the items.
    pub field: String,
}

/// An update that takes a field mask beside its patch body.
pub struct Mask {
    /// Schema of the request body.
    pub patch: String,
    /// The builder's setter for the mask parameter.
    pub setter: String,
}

/// `$ref`s followed until a value that is not one (`#/components/...` pointers only).
fn resolve<'a>(raw: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|pointer| raw.pointer(pointer))
        {
            Some(target) => value = target,
            None => break,
        }
    }
    value
}

/// The schema name a `$ref` names (`#/components/schemas/Contact` -> `Contact`).
fn schema_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// Every operation of the spec, in spec order.
pub fn operations(raw: &Value) -> Vec<Op> {
    let mut ops = Vec::new();
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return ops;
    };
    for (path, item) in paths {
        let shared: Vec<&Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| resolve(raw, p))
            .collect();
        for (method, op) in item.as_object().into_iter().flatten() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                println!(
                    "cargo:warning={} {path} has no operationId; skipped",
                    method.to_uppercase()
                );
                continue;
            };
            let text = |k: &str| op.get(k).and_then(Value::as_str).map(str::to_owned);
            let mut params = shared.clone();
            params.extend(
                op.get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|p| resolve(raw, p)),
            );
            let query = |name: &str| {
                params.iter().copied().find(|p| {
                    p.get("in").and_then(Value::as_str) == Some("query")
                        && p.get("name").and_then(Value::as_str) == Some(name)
                })
            };
            let paging = query("page_token").and_then(|_| paging(raw, id, op));
            let mask = MASK_PARAMS
                .iter()
                .find_map(|name| query(name).map(|p| (*name, p)))
                .and_then(|(name, param)| mask(raw, id, op, name, param));
            ops.push(Op {
                id: id.to_owned(),
                sinch_id: text("x-sinch-operation-id").unwrap_or_default(),
                method: method.to_uppercase(),
                path: path.clone(),
                host: text("x-sinch-host"),
                paging,
                mask,
                deprecated: (op.get("deprecated") == Some(&Value::Bool(true))).then(|| {
                    text("description")
                        .and_then(|d| d.lines().next().map(|l| l.replace("**", "")))
                        .unwrap_or_default()
                }),
                body: body(raw, id, op),
            });
        }
    }
    ops
}

/// The Rust type of operation `id`'s JSON request body (see [`Op::body`]).
fn body(raw: &Value, id: &str, op: &Value) -> Option<String> {
    let schema =
        resolve(raw, op.get("requestBody")?).pointer("/content/application~1json/schema")?;
    Some(match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => crate::one_of::type_ident(r.rsplit('/').next()?).to_string(),
        None => format!("{}Body", id.to_upper_camel_case()),
    })
}

/// How operation `id` pages: its 200 response has `next_page_token` and exactly one array.
fn paging(raw: &Value, id: &str, op: &Value) -> Option<Paging> {
    let warn = |why: &str| {
        println!("cargo:warning={id} has a page_token parameter but does not page: {why}");
        None
    };
    let Some(response) = op.pointer("/responses/200").map(|r| resolve(raw, r)) else {
        return warn("no 200 response");
    };
    let Some(schema) = response.pointer("/content/application~1json/schema") else {
        return warn("the 200 response has no JSON schema");
    };
    let Some(page) = schema_name(schema) else {
        return warn("the 200 response schema is not a named $ref");
    };
    let properties = resolve(raw, schema)
        .get("properties")
        .and_then(Value::as_object);
    let Some(properties) = properties else {
        return warn("the page schema has no properties");
    };
    if !properties.contains_key("next_page_token") {
        return warn("the page has no next_page_token");
    }
    let arrays: Vec<(&String, &Value)> = properties
        .iter()
        .map(|(name, p)| (name, resolve(raw, p)))
        .filter(|(_, p)| p.get("type").and_then(Value::as_str) == Some("array"))
        .collect();
    let [(field, array)] = arrays.as_slice() else {
        return warn(&format!(
            "the page has {} array properties, not one",
            arrays.len()
        ));
    };
    // An inline item object is named by typify after the page and the field.
    let item = match array.get("items") {
        Some(items) if schema_name(items).is_some() => {
            schema_name(items).unwrap_or_default().to_owned()
        }
        Some(items) if items.get("properties").is_some() => {
            format!("{page}{}Item", field.to_upper_camel_case())
        }
        _ => {
            return warn(&format!(
                "the items of `{field}` are neither a $ref nor an object"
            ));
        }
    };
    if syn::parse_str::<syn::Ident>(field).is_err() {
        return warn(&format!("`{field}` is not a Rust field name"));
    }
    Some(Paging {
        page: page.to_owned(),
        item,
        field: (*field).clone(),
    })
}

/// The mask of operation `id`: a JSON `$ref` body, and a list-of-strings mask parameter.
fn mask(raw: &Value, id: &str, op: &Value, name: &str, param: &Value) -> Option<Mask> {
    let warn = |why: &str| {
        println!("cargo:warning={id} has a {name} parameter but takes no mask: {why}");
        None
    };
    let body = op.get("requestBody").map(|b| resolve(raw, b));
    let Some(patch) = body
        .and_then(|b| b.pointer("/content/application~1json/schema"))
        .and_then(schema_name)
    else {
        return warn("the JSON request body is not a named $ref");
    };
    // `FieldMask::into_paths` hands over a list; a comma-joined string would need another impl.
    if resolve(raw, param)
        .pointer("/schema/type")
        .and_then(Value::as_str)
        != Some("array")
    {
        return warn("the parameter is not an array");
    }
    Some(Mask {
        patch: patch.to_owned(),
        // progenitor names the setter after the parameter, `.` read as a word break.
        setter: name.to_snake_case(),
    })
}

/// The builder progenitor generates for operation `id`.
fn builder(id: &str) -> syn::Ident {
    format_ident!("{}", id.to_upper_camel_case())
}

/// `paginate!(Builder, Page, Item, field);` for every operation that pages.
pub fn paginate_list(ops: &[Op], path_of: &dyn Fn(&str) -> TokenStream) -> TokenStream {
    let items = ops.iter().filter_map(|op| {
        let p = op.paging.as_ref()?;
        let (builder, page, item) = (builder(&op.id), path_of(&p.page), path_of(&p.item));
        let field = format_ident!("{}", p.field);
        Some(quote! { paginate!(#builder, #page, #item, #field); })
    });
    quote! { #(#items)* }
}

/// `patch_ext!(Builder, Patch, setter);` for every operation that takes a mask.
pub fn patch_ext_list(ops: &[Op], path_of: &dyn Fn(&str) -> TokenStream) -> TokenStream {
    let items = ops.iter().filter_map(|op| {
        let m = op.mask.as_ref()?;
        let (builder, patch) = (builder(&op.id), path_of(&m.patch));
        let setter = format_ident!("{}", m.setter);
        Some(quote! { patch_ext!(#builder, #patch, #setter); })
    });
    quote! { #(#items)* }
}

/// The public `operations` module: the table, `find`, and the macro the emulator builds its
/// `Operation` enum with.
pub fn table(ops: &[Op]) -> TokenStream {
    let entries = ops.iter().map(|op| {
        let Op {
            id,
            sinch_id,
            method,
            path,
            ..
        } = op;
        let host = match op.host.as_deref() {
            None => quote!(Host::Conversation),
            Some("template") => quote!(Host::Template),
            Some(other) => panic!(
                "{id}: x-sinch-host {other:?} is a host the client has no base URL for; add it to \
                 operations::Host and the config"
            ),
        };
        let (paginated, masked) = (op.paging.is_some(), op.mask.is_some());
        quote! {
            OperationInfo {
                id: #id,
                sinch_id: #sinch_id,
                method: #method,
                path: #path,
                host: #host,
                paginated: #paginated,
                masked: #masked,
            }
        }
    });
    let ids = ops.iter().map(|op| op.id.as_str());
    let indices = 0..ops.len();
    let variants = ops.iter().map(|op| builder(&op.id));
    let names = ops.iter().map(|op| op.id.as_str());
    quote! {
        /// The operations of the spec, one [`OperationInfo`] each, in spec order.
        ///
        /// Read this rather than listing operations by hand: an operation a new spec adds appears
        /// here (and in the emulator's router) without an edit.
        pub mod operations {
            /// Which API host serves an operation.
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum Host {
                /// The Conversation API (`{region}.conversation.api.sinch.com`).
                Conversation,
                /// The Template API (`x-sinch-host: template`).
                Template,
            }

            /// One operation of the spec.
            #[derive(Clone, Copy, Debug, PartialEq, Eq)]
            #[non_exhaustive]
            pub struct OperationInfo {
                /// Our name: the `operationId`, which is the client's method (`send_message`).
                pub id: &'static str,
                /// Sinch's name (`x-sinch-operation-id`, `Messages_SendMessage`), or empty.
                pub sinch_id: &'static str,
                /// The HTTP method, upper case (`POST`).
                pub method: &'static str,
                /// The path template (`/v1/projects/{project_id}/messages:send`).
                pub path: &'static str,
                /// The host that serves it.
                pub host: Host,
                /// Whether its builder implements [`Paginate`](crate::pagination::Paginate).
                pub paginated: bool,
                /// Whether its builder implements [`PatchExt`](crate::field_mask::PatchExt).
                pub masked: bool,
            }

            /// Every operation, in spec order.
            pub const ALL: &[OperationInfo] = &[ #(#entries),* ];

            /// The operation named `id` (our name, as in [`OperationInfo::id`]).
            pub fn find(id: &str) -> Option<&'static OperationInfo> {
                let index = match id {
                    #(#ids => #indices,)*
                    _ => return None,
                };
                Some(&ALL[index])
            }
        }

        /// Calls `$m! { Variant = "name", ... }` with every operation, in [`operations::ALL`]'s
        /// order, so that another crate (the emulator) can declare one item per operation.
        #[doc(hidden)]
        #[macro_export]
        macro_rules! __for_each_operation {
            ($m:ident) => {
                $m! { #(#variants = #names,)* }
            };
        }
    }
}

/// Marks a `Client` method of a deprecated operation `#[deprecated]`: progenitor keeps the
/// spec's `deprecated` out of the code, and a line of prose is easy to miss.
pub fn mark_deprecated(method: &mut syn::ImplItemFn, ops: &[Op]) {
    if let Some(note) = ops
        .iter()
        .find(|op| method.sig.ident == op.id)
        .and_then(|op| op.deprecated.as_deref())
    {
        method
            .attrs
            .push(syn::parse_quote!(#[deprecated(note = #note)]));
    }
}
