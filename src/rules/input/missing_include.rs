//! `missing-include`: `include` of a tree path that does not exist.

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
            c.report(Rule::MissingInclude, edge.at.file, span, format!("`include {path}`: no such file in this tree; make stops here with \"No such file or directory\""))
                .with_help_mut("create the file, fix the path, or use `-include` if the file is optional");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_memory;

    #[test]
    fn reports_missing_include_but_not_optional_or_system() {
        let d = lint_memory(&[("debian/rules", "include debian/nope.mk\n-include debian/local.mk\ninclude /usr/share/dpkg/buildopts.mk\n")]);
        let rules: Vec<_> = d.iter().map(|d| d.rule).collect();
        assert_eq!(rules, ["missing-include"]);
    }
}
