//! `sets-deb-build-options`: a makefile assigns `DEB_BUILD_OPTIONS` for the whole build.

use crate::model::makefile::StmtKind;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::SetsDebBuildOptions;

pub fn check(c: &mut Checker) {
    let model = c.model;
    let mut files: Vec<_> = model.makefiles.keys().copied().collect();
    files.sort();
    for f in files {
        for s in &model.makefiles[&f].stmts {
            let StmtKind::Assign(a) = &s.kind else {
                continue;
            };
            if a.name != "DEB_BUILD_OPTIONS" || a.target.is_some() {
                continue;
            }
            c.report(RULE, f, a.name_span.clone(), "`DEB_BUILD_OPTIONS` is assigned for the whole build: it replaces what the user passed, `parallel=N` included")
                .with_help_mut("use DEB_BUILD_MAINT_OPTIONS for the package's own settings, or prefix only the command that needs it (`DEB_BUILD_OPTIONS=nocheck dh_auto_test`)");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_memory_rule;

    #[test]
    fn global_assignment_fires_command_prefix_does_not() {
        let text = "export DEB_BUILD_OPTIONS := nocheck\nDEB_BUILD_OPTIONS += nodoc\nt: DEB_BUILD_OPTIONS = x\nt:\n\tDEB_BUILD_OPTIONS=nocheck dh_auto_test\n";
        let (d, tree) = lint_memory_rule(&[("debian/rules", text)], "sets-deb-build-options");
        let lines: Vec<_> = d
            .iter()
            .map(|d| tree.files[0].line_col(d.span.start))
            .collect();
        assert_eq!(lines, [(1, 8), (2, 1)]);
    }
}
