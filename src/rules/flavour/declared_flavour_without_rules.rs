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

#[cfg(test)]
mod tests {
    use super::super::acme::{AMD64, ENV, VARS};
    use crate::testing::{found, lint_memory_rule};

    const ANNOTATIONS: &str = "# Menu: HEADER\n# FORMAT: 4\n# ARCH: amd64\n# FLAVOUR: amd64-generic\n\nCONFIG_MODULES policy<{'amd64': 'y'}>\n";

    #[test]
    fn declared_flavours_without_the_directories_fire() {
        let files = [
            ENV,
            ("debian.acme/config/annotations", ANNOTATIONS),
            (
                "debian.acme/changelog",
                "linux-acme (6.8.0-1.1) noble; urgency=medium\n",
            ),
        ];
        let (d, tree) = lint_memory_rule(&files, "declared-flavour-without-rules");
        assert_eq!(
            found(&d, &tree),
            [(
                "declared-flavour-without-rules",
                "debian.acme/config/annotations",
                4,
                12
            )]
        );
        assert!(
            d[0].message
                .contains("debian.acme/rules.d/ and debian.acme/control.d/ are missing"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn with_both_directories_it_does_not_fire() {
        let files = [
            ENV,
            ("debian.acme/config/annotations", ANNOTATIONS),
            ("debian.acme/rules.d/amd64.mk", AMD64),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "declared-flavour-without-rules");
        assert_eq!(found(&d, &tree), []);
    }
}
