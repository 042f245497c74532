//! Path parameters stay inside their segment: the generated `send()`s are rewritten so that
//! every path parameter goes through `crate::path::segment` (which rejects `""`, `.` and `..`
//! and percent-encodes `\` and the rest), before anything else about the request is checked.
//!
//! Progenitor formats each path parameter with `encode_path`, which leaves `\`, `.` and `..`
//! alone; the URL parser then turns `\` into `/` and resolves dot segments, so an id taken from
//! a callback could reach another resource. The probe module lets a test send every operation
//! with a chosen value in one path parameter.

use proc_macro2::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};
use quote::{format_ident, quote};

use crate::operations::Op;

/// Guards a generated `send()`'s path parameters; returns how many (0 for any other method).
pub fn guard(method: &mut syn::ImplItemFn) -> usize {
    if method.sig.ident != "send" {
        return 0;
    }
    guard_send(&mut method.block)
}

/// In one `send()`: guards the `url` format's parameters and moves the path parameters'
/// checks and the `url` to the top, so that a bad path is reported before any other problem.
fn guard_send(block: &mut syn::Block) -> usize {
    let Some(at) = block.stmts.iter().position(is_url) else {
        return 0;
    };
    let mut names = Vec::new();
    if let syn::Stmt::Local(local) = &mut block.stmts[at]
        && let Some(init) = &mut local.init
        && let syn::Expr::Macro(mac) = &mut *init.expr
    {
        mac.mac.tokens = rewrite(mac.mac.tokens.clone(), &mut names);
    }
    // `let Self { .. } = self;` stays first; then each path parameter's `let`, then the url.
    let url = block.stmts.remove(at);
    let mut moved = Vec::new();
    for name in &names {
        if let Some(i) = block.stmts.iter().position(|s| binds(s, name)) {
            moved.push(block.stmts.remove(i));
        }
    }
    moved.push(url);
    let first = usize::from(!block.stmts.is_empty());
    for (offset, stmt) in moved.into_iter().enumerate() {
        block.stmts.insert(first + offset, stmt);
    }
    names.len()
}

/// Whether `tokens` call `encode_path(..)` anywhere (its `use` is not a call): after the walk,
/// a call left means a path built some other way, which a progenitor upgrade must not slip by.
pub fn calls_encode_path(tokens: TokenStream) -> bool {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    trees.iter().enumerate().any(|(i, tree)| match tree {
        TokenTree::Ident(ident) => {
            ident == "encode_path"
                && matches!(trees.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
        }
        TokenTree::Group(group) => calls_encode_path(group.stream()),
        _ => false,
    })
}

fn is_url(stmt: &syn::Stmt) -> bool {
    binds(stmt, "url")
}

fn binds(stmt: &syn::Stmt, name: &str) -> bool {
    matches!(stmt, syn::Stmt::Local(local)
        if matches!(&local.pat, syn::Pat::Ident(p) if p.ident == name))
}

/// `encode_path(&x.to_string())` becomes a checked segment with an early return on failure.
fn rewrite(tokens: TokenStream, names: &mut Vec<String>) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        if let (TokenTree::Ident(ident), Some(TokenTree::Group(args))) =
            (&trees[i], trees.get(i + 1))
            && ident == "encode_path"
            && args.delimiter() == Delimiter::Parenthesis
        {
            let name = parameter(args.stream()).unwrap_or_else(|| {
                panic!(
                    "encode_path is called on {} rather than `&x.to_string()`",
                    args.stream()
                )
            });
            let ident = Ident::new(&name, Span::call_site());
            let label = Literal::string(&name);
            out.extend(quote! {
                match crate::path::segment(&#ident, #label) {
                    ::std::result::Result::Ok(segment) => segment,
                    ::std::result::Result::Err(error) => {
                        return crate::carry::generated(error).await;
                    }
                }
            });
            names.push(name);
            i += 2;
            continue;
        }
        match &trees[i] {
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), rewrite(group.stream(), names));
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// `x` from the tokens `& x . to_string ()`.
fn parameter(args: TokenStream) -> Option<String> {
    let trees: Vec<TokenTree> = args.into_iter().collect();
    match trees.as_slice() {
        [
            TokenTree::Punct(and),
            TokenTree::Ident(name),
            TokenTree::Punct(dot),
            TokenTree::Ident(method),
            TokenTree::Group(call),
        ] if and.as_char() == '&'
            && dot.as_char() == '.'
            && method == "to_string"
            && call.stream().is_empty() =>
        {
            Some(name.to_string())
        }
        _ => None,
    }
}

/// The names of the path parameters in `template` (`/v1/projects/{project_id}/apps/{app_id}`).
pub fn names(template: &str) -> Vec<&str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

/// A hidden `path_probe` module: `send` sends any operation by id with one path parameter set
/// to a given value and every other one to `"ok"`, `send_with_default_project` leaves the
/// project to the client.
pub fn probe(ops: &[Op]) -> TokenStream {
    let arms = ops
        .iter()
        .filter(|op| !names(&op.path).is_empty())
        .map(|op| {
            let id = &op.id;
            let method = format_ident!("{}", op.id);
            let setters = names(&op.path).into_iter().map(|name| {
                let setter = format_ident!("{}", name);
                quote!(.#setter(pick(#name)))
            });
            let call =
                quote!(client.#method() #(#setters)* .send().await.err().map(crate::Error::from));
            if op.deprecated.is_some() {
                quote!(#id => { #[allow(deprecated)] let result = #call; result })
            } else {
                quote!(#id => #call,)
            }
        });
    let defaults = ops
        .iter()
        .filter(|op| !names(&op.path).is_empty())
        .map(|op| {
            let id = &op.id;
            let method = format_ident!("{}", op.id);
            let setters = names(&op.path)
                .into_iter()
                .filter(|name| *name != "project_id")
                .map(|name| {
                    let setter = format_ident!("{}", name);
                    quote!(.#setter("ok"))
                });
            let call =
                quote!(client.#method() #(#setters)* .send().await.err().map(crate::Error::from));
            if op.deprecated.is_some() {
                quote!(#id => { #[allow(deprecated)] let result = #call; result })
            } else {
                quote!(#id => #call,)
            }
        });
    quote! {
        /// For tests: every operation with path parameters, callable by id.
        #[doc(hidden)]
        pub mod path_probe {
            /// Sends operation `operation_id` without `.project_id(..)`, every other path
            /// parameter set to `"ok"` and nothing else set; the error, if any.
            pub async fn send_with_default_project(
                client: &crate::Client,
                operation_id: &str,
            ) -> ::std::option::Option<crate::Error> {
                match operation_id {
                    #(#defaults)*
                    _ => ::std::option::Option::None,
                }
            }

            /// Sends operation `operation_id` with path parameter `parameter` set to `value`,
            /// every other path parameter set to `"ok"` and nothing else set; the error, if any.
            pub async fn send(
                client: &crate::Client,
                operation_id: &str,
                parameter: &str,
                value: &str,
            ) -> ::std::option::Option<crate::Error> {
                let pick = |name: &str| -> ::std::string::String {
                    if name == parameter { value.to_owned() } else { "ok".to_owned() }
                };
                match operation_id {
                    #(#arms)*
                    _ => ::std::option::Option::None,
                }
            }
        }
    }
}
