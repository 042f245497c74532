//! One error road: every generated `send()` returns `crate::Error`, so `?` and `match` work on
//! the crate's one error type with no conversion step. The generated body runs unchanged in
//! an inner `async` block (boxed, so that callers' futures stay small); its progenitor error
//! goes through `Error::from_generated`, which also reads the body of an undocumented status.

use quote::quote;

/// Rewrites a generated `send()`; returns 1, or 0 for any other method.
pub fn apply(method: &mut syn::ImplItemFn) -> usize {
    if method.sig.ident != "send" || method.sig.asyncness.is_none() {
        return 0;
    }
    rewrite(method);
    1
}

fn rewrite(method: &mut syn::ImplItemFn) {
    let syn::ReturnType::Type(_, generated) = &method.sig.output else {
        panic!("a generated send() without a return type");
    };
    let generated = generated.clone();
    let ok = ok_type(&generated).unwrap_or_else(|| {
        panic!(
            "send() returns {} rather than Result<T, E>",
            quote!(#generated)
        )
    });
    let body = &method.block;
    method.sig.output = syn::parse_quote!(-> ::std::result::Result<#ok, crate::Error>);
    method.block = syn::parse_quote!({
        // On the heap: the request's whole state machine (the body model, the request, the
        // hooks' futures) is several KiB, and every caller's future would otherwise hold it and
        // copy it on each move, which cost more than this one allocation.
        let result: #generated = ::std::boxed::Box::pin(async move #body).await;
        match result {
            ::std::result::Result::Ok(value) => ::std::result::Result::Ok(value),
            ::std::result::Result::Err(error) => {
                ::std::result::Result::Err(crate::Error::from_generated(error).await)
            }
        }
    });
}

/// `T` of `Result<T, E>`.
fn ok_type(ty: &syn::Type) -> Option<syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(ok) if last.ident == "Result" => Some(ok.clone()),
        _ => None,
    }
}
