//! Constructors for what users create: every `create_*` operation's body model gets `new` with
//! its required fields as arguments (`impl Into<..>`, so `&str` works) and a `with_*` setter per
//! optional field. A missing required field is then a compile error, not a runtime one.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::operations::Op;

/// `impl` blocks for the body model of every `create_*` operation.
pub fn tokens(file: &syn::File, ops: &[Op], raw: &serde_json::Value) -> TokenStream {
    let types = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
            _ => None,
        })
        .expect("progenitor's output has a `types` module");
    let mut impls = Vec::new();
    for op in ops.iter().filter(|op| op.id.starts_with("create_")) {
        let Some(name) = body_type(op, raw) else {
            continue;
        };
        let Some(model) = types.iter().find_map(|item| match item {
            syn::Item::Struct(s) if s.ident == name => Some(s),
            _ => None,
        }) else {
            continue;
        };
        impls.push(constructor(model, &op.id));
    }
    assert!(!impls.is_empty(), "no create_* operation has a body model");
    quote! {
        /// Constructors of the create bodies (`build/constructors.rs`).
        #[allow(unused_imports)]
        mod constructors {
            use super::types::*;
            #(#impls)*
        }
    }
}

/// The Rust name of `op`'s JSON request body: the `$ref`'d schema, or progenitor's name for an
/// inline one (`{OperationId}Body`).
fn body_type(op: &Op, raw: &serde_json::Value) -> Option<String> {
    let operation = raw
        .pointer(&format!(
            "/paths/{}",
            op.path.replace('~', "~0").replace('/', "~1")
        ))?
        .get(op.method.to_lowercase())?;
    let mut body = operation.get("requestBody")?;
    if let Some(name) = body.get("$ref").and_then(|r| r.as_str()) {
        body = raw.pointer(name.strip_prefix('#')?)?;
    }
    let schema = body.pointer("/content/application~1json/schema")?;
    Some(match schema.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => crate::one_of::type_ident(r.rsplit('/').next()?).to_string(),
        None => format!("{}Body", op.id.to_upper_camel_case()),
    })
}

fn constructor(model: &syn::ItemStruct, op: &str) -> TokenStream {
    let name = &model.ident;
    let (mut args, mut inits, mut setters) = (Vec::new(), Vec::new(), Vec::new());
    for field in &model.fields {
        let Some(ident) = &field.ident else { continue };
        let ty = &field.ty;
        let plain = ident.to_string().trim_start_matches("r#").to_owned();
        if let Some(inner) = option_of(ty) {
            let setter = format_ident!("with_{}", plain);
            let doc = format!("Sets `{plain}`.");
            setters.push(quote! {
                #[doc = #doc]
                pub fn #setter(mut self, value: impl ::std::convert::Into<#inner>) -> Self {
                    self.#ident = ::std::option::Option::Some(value.into());
                    self
                }
            });
            inits.push(quote!(#ident: ::std::option::Option::None));
        } else if has_serde_default(field) {
            let setter = format_ident!("with_{}", plain);
            let doc = format!("Sets `{plain}`.");
            setters.push(quote! {
                #[doc = #doc]
                pub fn #setter(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                    self.#ident = value.into();
                    self
                }
            });
            inits.push(quote!(#ident: ::std::default::Default::default()));
        } else {
            args.push(quote!(#ident: impl ::std::convert::Into<#ty>));
            inits.push(quote!(#ident: #ident.into()));
        }
    }
    let doc = format!(
        "The body of `{op}`, from its required fields; the optional ones are set with `with_*`."
    );
    quote! {
        impl #name {
            #[doc = #doc]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }
    }
}

/// `T` of `Option<T>` (however the path to `Option` is spelt).
fn option_of(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// Whether the field has `#[serde(default ..)]`: it may be left out.
fn has_serde_default(field: &syn::Field) -> bool {
    field.attrs.iter().any(|attr| {
        attr.path().is_ident("serde") && {
            let text = quote!(#attr).to_string();
            text.contains("default")
        }
    })
}
