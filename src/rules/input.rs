//! Rules about the input itself: files kpkg-lint (and make, dpkg) cannot read as meant.

use super::Checker;
use crate::model::program::IncludeTarget;

pub fn check(c: &mut Checker) {
    if c.enabled("malformed-file") {
        malformed_file(c);
    }
    if c.enabled("missing-include") {
        missing_include(c);
    }
    if c.enabled("quilt-series-broken") {
        quilt_series_broken(c);
    }
}

/// `quilt-series-broken`: a patch of `debian/patches/series` is missing or does not
/// apply to the files it changes.
fn quilt_series_broken(c: &mut Checker) {
    let model = c.model;
    for p in &model.series_problems {
        c.report(
            "quilt-series-broken",
            p.file,
            p.span.clone(),
            p.message.clone(),
        )
        .with_help_mut(
            "refresh the patch (`quilt push -f`, fix, `quilt refresh`) or drop it from the series",
        );
    }
}

/// `malformed-file`: syntax the tools would reject, invalid UTF-8, unreadable files.
fn malformed_file(c: &mut Checker) {
    let model = c.model;
    for p in &model.problems {
        c.report("malformed-file", p.file, p.span.clone(), p.message.clone());
    }
}

/// `missing-include`: `include` of a tree path that does not exist.
fn missing_include(c: &mut Checker) {
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
            c.report("missing-include", edge.at.file, span, format!("`include {path}`: no such file in this tree; make stops here with \"No such file or directory\""))
                .with_help_mut("create the file, fix the path, or use `-include` if the file is optional");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint_memory;

    #[test]
    fn reports_missing_include_but_not_optional_or_system() {
        let d = lint_memory(&[("debian/rules", "include debian/nope.mk\n-include debian/local.mk\ninclude /usr/share/dpkg/buildopts.mk\n")]);
        let rules: Vec<_> = d.iter().map(|d| d.rule).collect();
        assert_eq!(rules, ["missing-include"]);
    }

    #[test]
    fn reports_unterminated_conditional_and_cycle() {
        let d = lint_memory(&[
            ("debian/rules", "include debian/a.mk\nifeq (a,b)\n"),
            ("debian/a.mk", "include debian/rules\n"),
        ]);
        let msgs: Vec<_> = d
            .iter()
            .filter(|d| d.rule == "malformed-file")
            .map(|d| d.message.as_str())
            .collect();
        assert!(msgs.iter().any(|m| m.contains("never closed")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("include cycle")), "{msgs:?}");
    }
}
