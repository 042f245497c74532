//! Constructors for what users create: every `create_*` operation's body model gets `new` with
//! its required fields as arguments (`impl Into<..>`, so `&str` works) and a `with_*` setter per
//! optional field. A missing required field is then a compile error, not a runtime one.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::operations::Op;

/// The constructors of the create bodies, made as the walk (`build/walk.rs`) meets each model.
pub struct Constructors<'a> {
    /// `(body type, operation)` of every `create_*` operation with a JSON body, in spec order.
    bodies: Vec<(&'a str, &'a str)>,
    /// The constructor of each of `bodies`, once its model is met.
    impls: Vec<Option<TokenStream>>,
}

impl<'a> Constructors<'a> {
    pub fn new(ops: &'a [Op]) -> Self {
        let bodies: Vec<_> = ops
            .iter()
            .filter(|op| op.id.starts_with("create_"))
            .filter_map(|op| Some((op.body.as_deref()?, op.id.as_str())))
            .collect();
        let impls = vec![None; bodies.len()];
        Self { bodies, impls }
    }

    /// Makes `model`'s constructor if it is a create body.
    pub fn offer(&mut self, model: &syn::ItemStruct) {
        for ((body, op), made) in self.bodies.iter().zip(&mut self.impls) {
            if model.ident == *body {
                *made = Some(constructor(model, op));
            }
        }
    }

    /// `impl` blocks for the body model of every `create_*` operation, in spec order.
    pub fn tokens(self) -> TokenStream {
        let impls: Vec<TokenStream> = self.impls.into_iter().flatten().collect();
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
