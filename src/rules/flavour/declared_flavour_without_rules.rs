//! `declared-flavour-without-rules`: flavours are declared but `rules.d/` or
//! `control.d/` is missing from the branch directory.

use crate::model::flavour::UbuntuFlavours;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::DeclaredFlavourWithoutRules;

pub fn check(c: &mut Checker, u: &UbuntuFlavours) {
    let model = c.model;
    let declared = u.annotations.as_ref().and_then(|(f, _, h)| {
        h.as_ref()
            .filter(|h| !h.words.is_empty())
            .map(|h| (*f, h.value_span.clone()))
    });
    let stub = model
        .tree
        .file(&format!("{}/control.stub.in", u.branch))
        .map(|f| (f, model.tree.files[f].line_span(0).unwrap_or(0..0)));
    let Some((file, span)) = declared.or(stub) else {
        return;
    };
    let missing: Vec<String> = [("rules.d", u.has_rules_d), ("control.d", u.has_control_d)]
        .iter()
        .filter(|(_, has)| !has)
        .map(|(d, _)| format!("{}/{d}/", u.branch))
        .collect();
    if missing.is_empty() {
        return;
    }
    c.report(RULE, file, span, format!("flavours are declared here, but {} {} missing: no flavour can be built (a .gitignore that drops them is the usual cause)", missing.join(" and "), if missing.len() == 1 { "is" } else { "are" }))
        .with_help_mut("restore the directories from version control, and check .gitignore");
}
