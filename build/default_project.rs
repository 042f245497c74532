//! The client's project is every operation's default `project_id`: each generated builder's
//! `new` starts `project_id` from `Client::default_project` instead of "not initialized", so
//! `.project_id(..)` is needed only to override it.

/// Rewrites every builder constructor that has a `project_id` field; returns how many.
pub fn apply(file: &mut syn::File) -> usize {
    let mut count = 0;
    crate::walk::methods_mut(file, &mut |method| {
        if method.sig.ident != "new" {
            return;
        }
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
    });
    assert!(
        count > 0,
        "no builder has a project_id: has progenitor's output changed?"
    );
    count
}
