//! `deprecated-make-kpkg`: the tree drives kernel-package (make-kpkg).

use crate::model::program::IncludeTarget;
use crate::registry::Rule;
use crate::rules::Checker;
use crate::tree::TreeKind;

const RULE: Rule = Rule::DeprecatedMakeKpkg;
const MESSAGE: &str = "kernel-package (make-kpkg) is no longer maintained or shipped by Debian; its rulesets force serial nested builds and predate `make bindeb-pkg`";
const HELP: &str = "build packages with the kernel's own `make bindeb-pkg`, or with your distribution's kernel packaging";

pub fn check(c: &mut Checker) {
    let model = c.model;
    let mut reported = false;
    for (_, cmd) in &model.commands {
        if cmd.program() == "make-kpkg" {
            c.report(RULE, cmd.recipe.file, cmd.argv[0].span.clone(), MESSAGE)
                .with_help_mut(HELP);
            reported = true;
        }
    }
    if reported {
        return;
    }
    // A rules file that includes a kernel-package ruleset.
    for p in &model.programs {
        for e in &p.includes {
            let into_ruleset = match &e.target {
                IncludeTarget::Files { files, .. } => {
                    files
                        .iter()
                        .any(|f| model.tree.files[*f].rel.contains("ruleset/"))
                        && !model.file_rel(e.at.file).contains("ruleset/")
                }
                IncludeTarget::System(s) => s.contains("/kernel-package/"),
                _ => false,
            };
            if into_ruleset {
                let span = model.stmt(e.at).span.clone();
                c.report(RULE, e.at.file, span, MESSAGE).with_help_mut(HELP);
                return;
            }
        }
    }
    if model.tree.kind == TreeKind::KernelPackage {
        if let Some(&f) = model.makefiles.keys().min() {
            let span = model.tree.files[f].line_span(0).unwrap_or(0..0);
            c.report(RULE, f, span, MESSAGE).with_help_mut(HELP);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_memory_rule;

    #[test]
    fn make_kpkg_call_and_ruleset_include() {
        let (d, _) = lint_memory_rule(
            &[(
                "debian/rules",
                "b:\n\tfakeroot make-kpkg --initrd kernel_image\n",
            )],
            "deprecated-make-kpkg",
        );
        assert_eq!(d.len(), 1);
        let (d, _) = lint_memory_rule(
            &[(
                "debian/rules",
                "include /usr/share/kernel-package/ruleset/minimal.mk\n",
            )],
            "deprecated-make-kpkg",
        );
        assert_eq!(d.len(), 1);
        let (d, _) = lint_memory_rule(
            &[("debian/rules", "b:\n\t$(MAKE) bindeb-pkg\n")],
            "deprecated-make-kpkg",
        );
        assert!(d.is_empty());
    }
}
