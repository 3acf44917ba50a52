//! `perarch-target-missing`: tools packages are built, but `binary-arch` no longer
//! reaches `binary-perarch`.

use crate::model::flavour::UbuntuFlavours;
use crate::model::makefile::StmtKind;
use crate::registry::Rule;
use crate::rules::Checker;
use std::collections::{HashMap, HashSet};

const RULE: Rule = Rule::PerarchTargetMissing;

pub fn check(c: &mut Checker, u: &UbuntuFlavours) {
    let model = c.model;
    let tools = u.arch_files.iter().any(|a| {
        a.values
            .iter()
            .any(|(k, v)| k.starts_with("do_tools") && v.value.trim() == "true")
    });
    if !tools {
        return;
    }
    let Some(root) = model.tree.file("debian/rules") else {
        return;
    };
    let Some(program) = model.programs.iter().find(|p| p.root == root) else {
        return;
    };
    // Target graph of debian/rules and what it includes.
    let mut graph: HashMap<String, Vec<String>> = HashMap::new();
    let mut header: Option<(usize, std::ops::Range<usize>)> = None;
    let mut perarch_exists = false;
    for at in &program.order {
        let stmt = model.stmt(*at);
        let StmtKind::Rule(r) = &stmt.kind else {
            continue;
        };
        let prereqs = program.expand(&r.prerequisites).text;
        for (t, _) in &r.targets {
            if t == "binary-perarch" {
                perarch_exists = true;
            }
            if t == "binary-arch" && header.is_none() {
                header = Some((at.file, stmt.span.clone()));
            }
            graph
                .entry(t.clone())
                .or_default()
                .extend(prereqs.split_whitespace().map(str::to_string));
        }
    }
    let Some((file, span)) = header else { return };
    if !perarch_exists {
        return;
    }
    let mut seen = HashSet::new();
    let mut stack = vec!["binary-arch".to_string()];
    while let Some(t) = stack.pop() {
        if t == "binary-perarch" {
            return;
        }
        // A prerequisite we cannot expand may reach it only if it could name it:
        // `$(addprefix binary-,$(flavours))` cannot, a bare `$(targets)` might.
        if t.contains("$(") {
            let bare = t.starts_with("$(")
                && t.ends_with(')')
                && !t[2..t.len() - 1].contains(['(', ' ', ',']);
            if bare || t.contains("perarch") {
                return;
            }
            continue;
        }
        if seen.insert(t.clone()) {
            stack.extend(graph.get(&t).cloned().unwrap_or_default());
        }
    }
    c.report(RULE, file, span, "binary-arch does not reach binary-perarch, but the arch files build tools (do_tools_*): the flavour linux-tools packages depend on a per-arch tools package that is never built, so they cannot be installed")
        .with_help_mut("make binary-arch depend on binary-perarch again");
}

#[cfg(test)]
mod tests {
    use super::super::acme::{AMD64, ENV, VARS};
    use crate::testing::{found, lint_memory_rule};

    const TOOLS: &str = "build_arch = x86\nflavours = generic\nbuild_image = bzImage\nkernel_file = arch/$(build_arch)/boot/bzImage\ninstall_file = vmlinuz\ndo_tools_perf = true\n";

    fn rules(binary_arch: &str) -> String {
        format!("#!/usr/bin/make -f\nDEBIAN := debian.acme\ninclude $(DEBIAN)/rules.d/amd64.mk\n\nbinary-perarch:\n\tdh_testroot\n\nbinary-generic:\n\tdh_testroot\n\n{binary_arch}\n\nbinary: binary-arch\n")
    }

    #[test]
    fn binary_arch_that_no_longer_reaches_perarch_fires() {
        let r = rules("binary-arch: $(addprefix binary-,$(flavours))");
        let files = [
            ENV,
            ("debian/rules", &*r),
            ("debian.acme/rules.d/amd64.mk", TOOLS),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "perarch-target-missing");
        assert_eq!(
            found(&d, &tree),
            [("perarch-target-missing", "debian/rules", 11, 1)]
        );
    }

    /// Ubuntu's noble rules collect binary-arch's prerequisites in variables whose
    /// name make computes: `binary-arch-deps-$(do_flavour_image_package) += …`,
    /// where an arch file may turn the switch off. The name is read as any of its
    /// values, so `$(binary-arch-deps-true)` may hold binary-debs.
    #[test]
    fn prerequisites_in_a_variable_with_a_computed_name() {
        let rules = |debs_need: &str| {
            format!("#!/usr/bin/make -f\nDEBIAN := debian.acme\ndo_flavour_image_package = true\n-include $(DEBIAN)/rules.d/$(arch).mk\n\nbinary-perarch:\n\tdh_testroot\n\nbinary-debs: {debs_need}\n\tdh_testroot\n\nbinary-arch-deps-$(do_flavour_image_package) += binary-debs\nbinary-arch-deps-true += binary-arch-headers\nbinary-arch: $(binary-arch-deps-true)\n\nbinary: binary-arch\n")
        };
        let i386 = "build_arch = i386\nflavours = generic\ndo_flavour_image_package = false\n";
        let lint = |r: &str| {
            let files = [
                ENV,
                ("debian/rules", r),
                ("debian.acme/rules.d/amd64.mk", TOOLS),
                ("debian.acme/rules.d/i386.mk", i386),
                ("debian.acme/control.d/vars.generic", VARS),
            ];
            let (d, tree) = lint_memory_rule(&files, "perarch-target-missing");
            found(&d, &tree)
                .into_iter()
                .map(|(_, f, l, _)| (f.to_string(), l))
                .collect::<Vec<_>>()
        };
        assert_eq!(lint(&rules("binary-perarch")), []);
        assert_eq!(
            lint(&rules("")),
            [("debian/rules".to_string(), 14)],
            "binary-debs no longer needs binary-perarch"
        );
    }

    #[test]
    fn reaching_perarch_or_building_no_tools_does_not_fire() {
        let r = rules("binary-arch: binary-perarch $(addprefix binary-,$(flavours))");
        let files = [
            ENV,
            ("debian/rules", &*r),
            ("debian.acme/rules.d/amd64.mk", TOOLS),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "perarch-target-missing");
        assert_eq!(found(&d, &tree), []);
        let r = rules("binary-arch: $(addprefix binary-,$(flavours))");
        let files = [
            ENV,
            ("debian/rules", &*r),
            ("debian.acme/rules.d/amd64.mk", AMD64),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "perarch-target-missing");
        assert_eq!(
            found(&d, &tree),
            [],
            "no do_tools_*: no per-arch tools package"
        );
    }
}
