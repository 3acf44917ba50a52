//! `empty-flavour-list`: an arch file with `flavours =` empty.

use crate::model::flavour::UbuntuFlavours;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::EmptyFlavourList;

pub fn check(c: &mut Checker, u: &UbuntuFlavours) {
    for a in &u.arch_files {
        if let (true, Some(line)) = (
            a.flavours.is_empty() && a.flavours_literal,
            &a.flavours_line,
        ) {
            c.report(RULE, a.file, line.clone(), format!("{} builds no flavour: only its indep and tools packages, if any", a.arch))
                .with_help_mut("fine for an architecture that only builds tools; remove the arch file if it builds nothing");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::acme::{AMD64, ENV, VARS};
    use crate::testing::{found, lint_memory_rule};

    #[test]
    fn an_empty_literal_list_fires() {
        let files = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", AMD64),
            ("debian.acme/rules.d/riscv64.mk", "build_arch = riscv\n# no flavour yet: tools only\nflavours =\ndo_tools_perf = true\n"),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "empty-flavour-list");
        assert_eq!(
            found(&d, &tree),
            [("empty-flavour-list", "debian.acme/rules.d/riscv64.mk", 3, 1)]
        );
    }

    #[test]
    fn a_list_made_of_make_syntax_does_not_fire() {
        let files = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", AMD64),
            (
                "debian.acme/rules.d/arm64.mk",
                "build_arch = arm64\nflavours = $(common_flavours)\n",
            ),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "empty-flavour-list");
        assert_eq!(found(&d, &tree), []);
    }
}
