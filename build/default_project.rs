//! The client's project is every operation's default `project_id`: each generated builder's
//! `new` starts `project_id` from `Client::default_project` instead of "not initialized", so
//! `.project_id(..)` is needed only to override it.

/// Rewrites every builder constructor that has a `project_id` field; returns how many.
pub fn apply(file: &mut syn::File) -> usize {
    let mut count = 0;
    for item in &mut file.items {
        visit(item, &mut count);
    }
    assert!(
        count > 0,
        "no builder has a project_id: has progenitor's output changed?"
    );
    count
}

fn visit(item: &mut syn::Item, count: &mut usize) {
    match item {
        syn::Item::Mod(module) => {
            for item in module.content.iter_mut().flat_map(|(_, items)| items) {
                visit(item, count);
            }
        }
        syn::Item::Impl(block) => {
            for member in &mut block.items {
                if let syn::ImplItem::Fn(method) = member
                    && method.sig.ident == "new"
                {
                    for stmt in &mut method.block.stmts {
                        if let syn::Stmt::Expr(syn::Expr::Struct(init), _) = stmt {
                            for field in &mut init.fields {
                                if matches!(&field.member, syn::Member::Named(n) if n == "project_id")
                                {
                                    field.expr = syn::parse_quote!(client.default_project());
                                    *count += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        _ => {}
    }
}
