//! Lean requests: what progenitor's generated code allocates on every call, and need not.
//! Each rewrite keeps the behaviour (and every error message) and removes copies:
//! - a `send()`'s success answers are decoded by `crate::client::decode` (or `decode_empty`),
//!   which reads the body once within the limit and never rebuilds the response;
//! - the `api-version` header goes straight onto the request instead of through a map of its
//!   own that is then merged in;
//! - a builder model's `Default` leaves a missing required field as an empty error, and its
//!   `TryFrom` writes "no value supplied for .." only when a conversion finds one missing
//!   (`crate::models::required`), so an operation builder's default body allocates nothing.

use quote::{ToTokens, quote};
use syn::visit_mut::VisitMut;

/// What was rewritten in one method.
#[derive(Default)]
pub struct Counts {
    pub success_arms: usize,
    pub api_versions: usize,
    pub lazy_defaults: usize,
    pub lazy_required: usize,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.success_arms += other.success_arms;
        self.api_versions += other.api_versions;
        self.lazy_defaults += other.lazy_defaults;
        self.lazy_required += other.lazy_required;
    }
}

/// Applies every lean rewrite that fits `method`.
pub fn apply(method: &mut syn::ImplItemFn) -> Counts {
    let mut counts = Counts::default();
    match method.sig.ident.to_string().as_str() {
        "send" => {
            counts.success_arms = success_arms(&mut method.block);
            // The hook leaves success bodies unread, so a send() that kept progenitor's decoding
            // would read one without the body limit.
            assert!(
                counts.success_arms > 0,
                "a send() whose success answers build/lean.rs found no arm for"
            );
            counts.api_versions = api_version(&mut method.block);
        }
        "default" if method.sig.inputs.is_empty() => {
            let mut lazy = LazyDefaults(0);
            lazy.visit_block_mut(&mut method.block);
            counts.lazy_defaults = lazy.0;
        }
        "try_from" => {
            let mut lazy = LazyRequired(0);
            lazy.visit_block_mut(&mut method.block);
            counts.lazy_required = lazy.0;
        }
        _ => {}
    }
    counts
}

/// The 2xx arms of the `match` on the status: progenitor's decoding becomes the layer's.
fn success_arms(block: &mut syn::Block) -> usize {
    let mut count = 0;
    for stmt in &mut block.stmts {
        let syn::Stmt::Expr(syn::Expr::Match(matched), _) = stmt else {
            continue;
        };
        for arm in &mut matched.arms {
            let syn::Pat::Lit(literal) = &arm.pat else {
                continue;
            };
            let syn::Lit::Int(code) = &literal.lit else {
                continue;
            };
            if !code
                .base10_parse::<u16>()
                .is_ok_and(|code| (200..300).contains(&code))
            {
                continue;
            }
            let body = arm.body.to_token_stream().to_string().replace(' ', "");
            // prettyplease may have left the arm's expression in a block.
            let body = body
                .strip_prefix('{')
                .and_then(|b| b.strip_suffix('}'))
                .unwrap_or(&body);
            *arm.body = match body {
                "ResponseValue::from_response(response).await" => {
                    syn::parse_quote!(crate::client::decode(client, response).await)
                }
                "Ok(ResponseValue::empty(response))" => {
                    syn::parse_quote!(crate::client::decode_empty(client, response).await)
                }
                other => panic!("a success arm build/lean.rs does not know: {other}"),
            };
            count += 1;
        }
    }
    count
}

/// `let mut header_map = HeaderMap::with_capacity(1usize); header_map.append(api-version ..);`
/// and `.headers(header_map)` become one `.header(api-version ..)`, when that is all the map
/// holds.
fn api_version(block: &mut syn::Block) -> usize {
    let Some(at) = block.stmts.iter().position(|stmt| {
        matches!(stmt, syn::Stmt::Local(local)
            if matches!(&local.pat, syn::Pat::Ident(p) if p.ident == "header_map"))
    }) else {
        return 0;
    };
    let tokens = |stmt: &syn::Stmt| stmt.to_token_stream().to_string().replace(' ', "");
    let only_api_version = tokens(&block.stmts[at]).contains("with_capacity(1usize)")
        && block.stmts.get(at + 1).is_some_and(|next| {
            tokens(next).starts_with("header_map.append(")
                && tokens(next).contains("\"api-version\"")
        });
    if !only_api_version {
        return 0;
    }
    block.stmts.drain(at..at + 2);
    let mut merge = HeadersCall(0);
    for stmt in &mut block.stmts {
        merge.visit_stmt_mut(stmt);
    }
    assert_eq!(
        merge.0, 1,
        "the api-version map is merged {} times",
        merge.0
    );
    1
}

/// `.headers(header_map)` becomes `.header(api-version ..)`.
struct HeadersCall(usize);

impl VisitMut for HeadersCall {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        syn::visit_mut::visit_expr_method_call_mut(self, call);
        let argument = call.args.iter().next().map(|a| quote!(#a).to_string());
        if call.method == "headers"
            && call.args.len() == 1
            && argument.as_deref() == Some("header_map")
        {
            call.method = syn::Ident::new("header", call.method.span());
            call.args = syn::parse_quote!(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version())
            );
            self.0 += 1;
        }
    }
}

/// `Err("no value supplied for x".to_string())` becomes `Err(String::new())`.
struct LazyDefaults(usize);

impl VisitMut for LazyDefaults {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        syn::visit_mut::visit_expr_call_mut(self, call);
        let is_err = matches!(&*call.func, syn::Expr::Path(p) if p.path.is_ident("Err"));
        let missing = call.args.iter().next().is_some_and(|argument| {
            matches!(argument, syn::Expr::MethodCall(m)
                if m.method == "to_string"
                    && matches!(&*m.receiver, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. })
                        if s.value().starts_with("no value supplied for ")))
        });
        if is_err && missing {
            call.args = syn::parse_quote!(::std::string::String::new());
            self.0 += 1;
        }
    }
}

/// `value.x?` in a builder's conversion becomes `crate::models::required(value.x, "x")?`.
struct LazyRequired(usize);

impl VisitMut for LazyRequired {
    fn visit_expr_try_mut(&mut self, expr: &mut syn::ExprTry) {
        syn::visit_mut::visit_expr_try_mut(self, expr);
        if let syn::Expr::Field(field) = &*expr.expr
            && matches!(&*field.base, syn::Expr::Path(p) if p.path.is_ident("value"))
            && let syn::Member::Named(name) = &field.member
        {
            let label = name.to_string();
            *expr.expr = syn::parse_quote!(crate::models::required(value.#name, #label));
            self.0 += 1;
        }
    }
}
