//! The one pass over progenitor's output: each item visited once, at any module depth; every
//! `impl` method is offered every rewrite, and every model of `types` the constructors.

use proc_macro2::TokenStream;
use quote::quote;

use crate::{
    constructors::Constructors,
    default_project, error_road, lean,
    operations::{self, Op},
    path_params,
};

/// Rewrites `file`; returns the constructors of the create bodies. Panics when a rewrite finds
/// nothing to change: progenitor's output has changed under it.
pub fn rewrite(file: &mut syn::File, ops: &[Op]) -> TokenStream {
    let mut pass = Pass {
        ops,
        constructors: Constructors::new(ops),
        guarded: 0,
        projects: 0,
        sends: 0,
        lean: lean::Counts::default(),
    };
    pass.items(&mut file.items, true, false);
    assert!(pass.guarded > 0, "no path parameter was guarded");
    assert!(
        !path_params::calls_encode_path(quote!(#file)),
        "progenitor's encode_path is still called somewhere build/path_params.rs did not rewrite"
    );
    assert!(
        pass.projects > 0,
        "no builder has a project_id: has progenitor's output changed?"
    );
    assert!(
        pass.sends > 0,
        "no send() was rewritten: has progenitor's output changed?"
    );
    let lean = &pass.lean;
    assert!(
        lean.success_arms > 0 && lean.api_versions > 0 && lean.lazy_defaults > 0,
        "a lean rewrite found nothing: has progenitor's output changed?"
    );
    assert!(
        lean.lazy_required >= lean.lazy_defaults,
        "fewer conversions name a missing field than defaults leave one empty"
    );
    pass.constructors.tokens()
}

struct Pass<'a> {
    ops: &'a [Op],
    constructors: Constructors<'a>,
    /// Path parameters guarded, `project_id`s defaulted, `send()`s on the one error road.
    guarded: usize,
    projects: usize,
    sends: usize,
    lean: lean::Counts,
}

impl Pass<'_> {
    /// `top`: the file's own items; `models`: the direct items of its `types` module.
    fn items(&mut self, items: &mut [syn::Item], top: bool, models: bool) {
        for item in items {
            match item {
                syn::Item::Mod(module) => {
                    let types = top && module.ident == "types";
                    if let Some((_, items)) = &mut module.content {
                        self.items(items, false, types);
                    }
                }
                syn::Item::Impl(block) => {
                    // The operations are the methods of the file's inherent `impl Client`.
                    let client = top
                        && block.trait_.is_none()
                        && matches!(&*block.self_ty, syn::Type::Path(p) if p.path.is_ident("Client"));
                    for member in &mut block.items {
                        if let syn::ImplItem::Fn(method) = member {
                            self.method(method, client);
                        }
                    }
                }
                syn::Item::Struct(model) if models => self.constructors.offer(model),
                _ => {}
            }
        }
    }

    fn method(&mut self, method: &mut syn::ImplItemFn, on_client: bool) {
        if on_client {
            operations::mark_deprecated(method, self.ops);
        }
        self.guarded += path_params::guard(method);
        self.projects += default_project::apply(method);
        // Before the error road, which moves the body into an inner block.
        self.lean.add(lean::apply(method));
        self.sends += error_road::apply(method);
    }
}
