//! The client's project is every operation's default `project_id`: each generated builder's
//! `new` starts `project_id` from `Client::default_project` instead of "not initialized", so
//! `.project_id(..)` is needed only to override it.

/// Starts a builder constructor's `project_id` from the client's; returns how many fields (0
/// for any other method).
pub fn apply(method: &mut syn::ImplItemFn) -> usize {
    if method.sig.ident != "new" {
        return 0;
    }
    let mut count = 0;
    for stmt in &mut method.block.stmts {
        if let syn::Stmt::Expr(syn::Expr::Struct(init), _) = stmt {
            for field in &mut init.fields {
                if matches!(&field.member, syn::Member::Named(n) if n == "project_id") {
                    field.expr = syn::parse_quote!(client.default_project());
                    count += 1;
                }
            }
        }
    }
    count
}
