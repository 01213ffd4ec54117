//! Runs one code pass over a fragment of typify-like code.

use super::Roles;
use crate::passes::Changes;

/// Roles naming `answers` and `requests` directly.
pub(crate) fn roles(answers: &[&str], requests: &[&str]) -> Roles {
    Roles {
        answers: answers.iter().map(|s| s.to_string()).collect(),
        requests: requests.iter().map(|s| s.to_string()).collect(),
    }
}

/// `pass` run over `source`: the result as prettyplease prints it, and the pass's log.
pub(crate) fn rewritten(
    pass: fn(&mut syn::File, &Roles, &mut Changes),
    source: &str,
    roles: Roles,
) -> (String, Changes) {
    let mut file: syn::File = syn::parse_str(source).expect("fixture parses");
    let mut changes = Changes::default();
    pass(&mut file, &roles, &mut changes);
    (prettyplease::unparse(&file), changes)
}

pub(crate) use crate::passes::fixture::lines;

/// Whether `source` holds `snippet`, whatever the whitespace and indentation of either.
pub(crate) fn has(source: &str, snippet: &str) -> bool {
    let flat = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    flat(source).contains(&flat(snippet))
}
