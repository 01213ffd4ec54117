//! Reading progenitor's output as a graph of types: which generated types an item defines,
//! implements or names. The feature gating and the code passes both walk it.

use std::collections::{BTreeMap, BTreeSet};

use syn::visit::Visit;

/// The items of the top-level module `name` (`types`, `builder`).
pub fn module<'a>(file: &'a syn::File, name: &str) -> &'a [syn::Item] {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items.as_slice()),
            _ => None,
        })
        .unwrap_or(&[])
}

/// The items of the top-level module `name`, to change them.
pub fn module_mut<'a>(file: &'a mut syn::File, name: &str) -> Option<&'a mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The names of the types in `mod types`.
pub fn type_names(file: &syn::File) -> BTreeSet<String> {
    module(file, "types")
        .iter()
        .filter(|item| matches!(item, syn::Item::Struct(_) | syn::Item::Enum(_) | syn::Item::Type(_)))
        .filter_map(owner)
        .collect()
}

/// The type an item defines or implements for.
pub fn owner(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        syn::Item::Type(t) => Some(t.ident.to_string()),
        syn::Item::Impl(block) => match block.self_ty.as_ref() {
            syn::Type::Path(p) if is_local(&p.path) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// The generated type names `item` mentions (its own name included).
pub fn references(item: &syn::Item, type_names: &BTreeSet<String>) -> BTreeSet<String> {
    let mut names = Names { known: type_names, found: BTreeSet::new() };
    names.visit_item(item);
    names.found
}

/// The generated type names a type expression mentions.
pub fn type_references(ty: &syn::Type, type_names: &BTreeSet<String>) -> BTreeSet<String> {
    let mut names = Names { known: type_names, found: BTreeSet::new() };
    names.visit_type(ty);
    names.found
}

struct Names<'a> {
    known: &'a BTreeSet<String>,
    found: BTreeSet<String>,
}

impl<'ast> Visit<'ast> for Names<'_> {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        if !is_local(path) {
            return syn::visit::visit_path(self, path);
        }
        for segment in &path.segments {
            let name = segment.ident.to_string();
            if self.known.contains(&name) {
                self.found.insert(name);
            }
        }
        syn::visit::visit_path(self, path);
    }
    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        let name = item.ident.to_string();
        if self.known.contains(&name) {
            self.found.insert(name);
        }
        syn::visit::visit_item_struct(self, item);
    }
    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        let name = item.ident.to_string();
        if self.known.contains(&name) {
            self.found.insert(name);
        }
        syn::visit::visit_item_enum(self, item);
    }
}

/// Whether `path` can name a generated type: not an absolute path (`::std::string::String`,
/// which typify writes for the standard library) nor one into another crate. A schema titled
/// `string` or `error` gives a generated `String` or `Error`, which must not be confused with
/// the standard ones.
pub fn is_local(path: &syn::Path) -> bool {
    const OTHER_CRATES: &[&str] = &["std", "core", "alloc", "serde", "serde_json", "chrono", "regress", "reqwest"];
    path.leading_colon.is_none() && path.segments.first().is_none_or(|s| !OTHER_CRATES.iter().any(|c| s.ident == c))
}

/// For each type of `items` (nested modules included), the other generated types its
/// definition and impls name.
pub fn edges(items: &[syn::Item], type_names: &BTreeSet<String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges = BTreeMap::new();
    collect_edges(items, type_names, &mut edges);
    edges
}

fn collect_edges(items: &[syn::Item], type_names: &BTreeSet<String>, edges: &mut BTreeMap<String, BTreeSet<String>>) {
    for item in items {
        if let syn::Item::Mod(nested) = item {
            if let Some((_, inner)) = &nested.content {
                collect_edges(inner, type_names, edges);
            }
            continue;
        }
        if let Some(from) = owner(item).filter(|o| type_names.contains(o)) {
            let targets: Vec<String> = references(item, type_names).into_iter().filter(|t| *t != from).collect();
            edges.entry(from).or_default().extend(targets);
        }
    }
}

/// `roots` and every type reachable from them along `edges`.
pub fn closure(
    roots: impl IntoIterator<Item = String>,
    edges: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut pending: Vec<String> = roots.into_iter().collect();
    while let Some(name) = pending.pop() {
        if seen.insert(name.clone()) {
            pending.extend(edges.get(&name).into_iter().flatten().filter(|t| !seen.contains(*t)).cloned());
        }
    }
    seen
}

/// The attributes of an item, to change them.
pub fn attrs_mut(item: &mut syn::Item) -> &mut Vec<syn::Attribute> {
    match item {
        syn::Item::Const(i) => &mut i.attrs,
        syn::Item::Enum(i) => &mut i.attrs,
        syn::Item::Fn(i) => &mut i.attrs,
        syn::Item::Impl(i) => &mut i.attrs,
        syn::Item::Mod(i) => &mut i.attrs,
        syn::Item::Static(i) => &mut i.attrs,
        syn::Item::Struct(i) => &mut i.attrs,
        syn::Item::Trait(i) => &mut i.attrs,
        syn::Item::Type(i) => &mut i.attrs,
        syn::Item::Use(i) => &mut i.attrs,
        syn::Item::Union(i) => &mut i.attrs,
        syn::Item::Macro(i) => &mut i.attrs,
        _ => unreachable!("progenitor emits no other item kinds at this level"),
    }
}
