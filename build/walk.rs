//! The one walk over progenitor's output that the rewrites share: every method of every `impl`
//! block, at any module depth.

/// Calls `f` on every method of every `impl` block in `file`.
pub fn methods_mut(file: &mut syn::File, f: &mut impl FnMut(&mut syn::ImplItemFn)) {
    for item in &mut file.items {
        visit(item, f);
    }
}

fn visit(item: &mut syn::Item, f: &mut impl FnMut(&mut syn::ImplItemFn)) {
    match item {
        syn::Item::Mod(module) => {
            for item in module.content.iter_mut().flat_map(|(_, items)| items) {
                visit(item, f);
            }
        }
        syn::Item::Impl(block) => {
            for member in &mut block.items {
                if let syn::ImplItem::Fn(method) = member {
                    f(method);
                }
            }
        }
        _ => {}
    }
}
