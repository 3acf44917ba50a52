//! `missing-include`: `include` of a tree path that does not exist and that nothing
//! in the build makes (the model decides that: [`IncludeTarget::Generated`] for a
//! file a rule, a wrapper or a generator makes, [`IncludeTarget::KernelSource`] for
//! kernel-package's includes of the kernel tree).

use crate::model::program::IncludeTarget;
use crate::registry::Rule;
use crate::rules::Checker;

pub fn check(c: &mut Checker) {
    let model = c.model;
    let mut seen = std::collections::HashSet::new();
    for p in &model.programs {
        for edge in &p.includes {
            let IncludeTarget::Missing(path) = &edge.target else {
                continue;
            };
            if edge.optional || !seen.insert((edge.at, path.clone())) {
                continue;
            }
            let stmt = model.stmt(edge.at);
            let span = match &stmt.kind {
                crate::model::makefile::StmtKind::Include(i) => i.paths_span.clone(),
                _ => stmt.span.clone(),
            };
            c.report(Rule::MissingInclude, edge.at.file, span, format!("`include {path}`: no such file in this tree and no rule or earlier build step makes it; make stops here with \"No such file or directory\""))
                .with_help_mut("create the file, fix the path, give it a rule that makes it, or use `-include` if the file is optional");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::LintOptions;
    use crate::testing::lint_memory;
    use crate::tree::Tree;

    fn missing(files: &[(&str, &str)]) -> Vec<String> {
        lint_memory(files)
            .iter()
            .filter(|d| d.rule == "missing-include")
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn reports_missing_include_but_not_optional_or_system() {
        let d = lint_memory(&[("debian/rules", "include debian/nope.mk\n-include debian/local.mk\ninclude /usr/share/dpkg/buildopts.mk\n")]);
        let rules: Vec<_> = d.iter().map(|d| d.rule).collect();
        assert_eq!(rules, ["missing-include"]);
        assert_eq!(d[0].severity, crate::registry::Severity::Error);
    }

    /// make resolves a relative include against its own directory, never the
    /// including file's.
    #[test]
    fn includes_resolve_against_makes_directory() {
        let m = missing(&[
            ("debian/rules", "include debian/rules.d/a.mk\n"),
            ("debian/rules.d/a.mk", "include b.mk\n"),
            ("debian/rules.d/b.mk", "B = 1\n"),
        ]);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].starts_with("`include b.mk`"), "{m:?}");
    }

    /// A file a rule of the program makes (explicitly or by a pattern) is remade
    /// by make before it restarts; match-anything `%` (dh) does not make it.
    #[test]
    fn rule_targets_are_made() {
        let rules = "D := debian\ninclude debian/vars.mk\ninclude $(D)/a.gen.mk\ninclude debian/x.mk\n\ndebian/vars.mk:\n\techo A=1 > $@\n$(D)/%.gen.mk: debian/%.in\n\tcp $< $@\n%:\n\tdh $@\n";
        let m = missing(&[("debian/rules", rules)]);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].starts_with("`include debian/x.mk`"), "{m:?}");
        let no_recipe = missing(&[(
            "debian/rules",
            "include debian/vars.mk\ndebian/vars.mk: debian/vars.in\n",
        )]);
        assert_eq!(no_recipe.len(), 1, "a rule without a recipe makes nothing");
        let inline = missing(&[(
            "debian/rules",
            "include debian/vars.mk\ndebian/vars.mk: ; echo A=1 > $@\n",
        )]);
        assert!(inline.is_empty(), "{inline:?}");
        // A rule in an included file counts: make reads all of them first.
        let other = missing(&[
            (
                "debian/rules",
                "include debian/rules.d/gen.mk\ninclude debian/env.mk\n",
            ),
            (
                "debian/rules.d/gen.mk",
                "debian/env.mk:\n\tdpkg-architecture > $@\n",
            ),
        ]);
        assert!(other.is_empty(), "{other:?}");
    }

    /// The top-level Makefile writes the file into the build copy of the tree
    /// before it runs debian/rules there.
    #[test]
    fn wrapper_writes_are_made() {
        let wrapper = "prep:\n\tcp -a debian $(B)/debian\n\techo \"K=1\" >> $(B)/debian/rules.d/env.mk\n\tcd $(B); dpkg-buildpackage -b\n";
        let rules = "include debian/rules.d/env.mk\ninclude debian/rules.d/other.mk\n";
        let m = missing(&[("Makefile", wrapper), ("debian/rules", rules)]);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].starts_with("`include debian/rules.d/other.mk`"),
            "{m:?}"
        );
    }

    /// mkdebian writes debian/rules.vars: in a tree that holds a mkdebian naming
    /// it, and in kbuild's template directory itself.
    #[test]
    fn known_generators() {
        let rules = ("debian/rules", "include debian/rules.vars\n");
        assert_eq!(missing(&[rules]).len(), 1);
        let gen = (
            "scripts/package/mkdebian",
            "cat <<EOF > debian/rules.vars\nARCH := x86\nEOF\n",
        );
        assert!(missing(&[rules, gen]).is_empty());
        let old_gen = (
            "scripts/package/mkdebian",
            "cat <<EOF > debian/rules\nEOF\n",
        );
        assert_eq!(
            missing(&[rules, old_gen]).len(),
            1,
            "a mkdebian that writes no rules.vars"
        );
        let mut tree = Tree::from_memory(&[rules]);
        tree.location = std::path::PathBuf::from("linux/scripts/package");
        let d = crate::lint_tree(&tree, &LintOptions::default());
        assert!(!d.iter().any(|d| d.rule == "missing-include"));
    }

    /// kernel-package's ruleset runs in the kernel tree: `include Makefile` is the
    /// kernel's; a `debian/` path is still the packaging's and still checked.
    #[test]
    fn kernel_package_includes_of_the_kernel_tree() {
        let m = missing(&[
            (
                "kernel/ruleset/kernel_version.mk",
                "include Makefile\ninclude .config\ninclude debian/ruleset/gone.mk\n",
            ),
            ("kernel/ruleset/misc/defaults.mk", "A = 1\n"),
            (
                "debian/rules",
                "include debian/nope.mk\n-include Makefile\n",
            ),
        ]);
        let mut m: Vec<&str> = m.iter().map(|m| m.split(':').next().unwrap()).collect();
        m.sort();
        assert_eq!(
            m,
            [
                "`include debian/nope.mk`",
                "`include debian/ruleset/gone.mk`"
            ]
        );
    }
}
