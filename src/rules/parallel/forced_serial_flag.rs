//! `forced-serial-flag`: a hard-coded serial option with no comment saying why.

use super::{justified, Facts, MakeKind};
use crate::model::invocation::{self, Jobs};
use crate::model::makefile::StmtKind;
use crate::registry::Rule;
use crate::rules::Checker;
use crate::source::{FileId, Span};

const RULE: Rule = Rule::ForcedSerialFlag;

/// Commands whose `-j1` serializes a build step (make's spelling of jobs).
const MAKE_STYLE: &[&str] = &["make", "gmake", "dpkg-buildpackage", "debuild", "make-kpkg"];

pub fn check(c: &mut Checker, facts: &Facts, already: &[(FileId, Span)]) {
    let model = c.model;
    let mut hits: Vec<(FileId, Span, String)> = Vec::new();
    let prepare_only: Vec<_> = facts
        .makes
        .iter()
        .filter(|m| m.kind == MakeKind::Prepare)
        .map(|m| m.cmd as *const _)
        .collect();
    for (_, cmd) in &model.commands {
        let prog = cmd.program();
        let is_make = invocation::is_make(cmd);
        if prepare_only.contains(&(cmd as *const _)) {
            continue;
        }
        if is_make || MAKE_STYLE.contains(&prog) {
            let mut opts = invocation::make_style_jobs(&cmd.argv, true, false);
            if is_make {
                if let Some(inv) = invocation::parse_make(cmd) {
                    opts = inv.jobs;
                }
            }
            for o in opts
                .into_iter()
                .filter(|o| o.jobs == Jobs::Count(1) && o.certain)
            {
                let shown = if is_make {
                    "make".to_string()
                } else {
                    prog.to_string()
                };
                hits.push((
                    cmd.recipe.file,
                    o.span,
                    format!("`-j1` makes this `{shown}` step run serially"),
                ));
            }
        }
        if prog == "dh" || prog.starts_with("dh_") {
            for w in cmd.argv.iter().skip(1) {
                if w.text == "--no-parallel" || w.text == "--max-parallel=1" {
                    hits.push((
                        cmd.recipe.file,
                        w.span.clone(),
                        format!("`{}` makes debhelper build serially", w.text),
                    ));
                }
            }
        }
    }
    for &f in model.makefiles.keys() {
        for s in &model.makefiles[&f].stmts {
            let StmtKind::Assign(a) = &s.kind else {
                continue;
            };
            if !matches!(a.name.as_str(), "MAKEFLAGS" | "MFLAGS") {
                continue;
            }
            if a.value
                .split_whitespace()
                .any(|w| matches!(w, "-j1" | "--jobs=1"))
            {
                hits.push((
                    f,
                    s.span.clone(),
                    format!("`{}` gets `-j1`: every make below runs serially", a.name),
                ));
            }
        }
    }
    hits.sort_by_key(|(f, s, _)| (*f, s.start));
    hits.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    for (file, span, message) in hits {
        if already
            .iter()
            .any(|(f, s)| *f == file && s.start <= span.start && span.end <= s.end)
            || justified(model, file, span.start)
        {
            continue;
        }
        c.report(RULE, file, span, message)
            .with_help_mut("if this step must be serial, say why in a comment on the line above; otherwise drop the option so `parallel=N` applies");
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_memory_rule;

    #[test]
    fn flags_unexplained_serial_options() {
        let text = "MAKEFLAGS += -j1\n%:\n\tdh $@ --no-parallel\nb:\n\tdpkg-buildpackage -j1 -us -uc\n\t$(MAKE) -j1 -C tools/perf\n";
        let (d, tree) = lint_memory_rule(&[("debian/rules", text)], "forced-serial-flag");
        let lines: Vec<usize> = d
            .iter()
            .map(|d| tree.files[0].line_col(d.span.start).0)
            .collect();
        assert_eq!(lines, [1, 3, 5, 6]);
    }

    #[test]
    fn comments_prepare_steps_and_other_commands_are_fine() {
        let text = "b:\n\t# selftests race on /tmp\n\t$(MAKE) -j1 -C tools/testing/selftests\n\tjoin -j 1 a b\n\t$(MAKE) O=o -j1 syncconfig prepare scripts\n\tdh_auto_build --max-parallel=1 # upstream bug 1234\n";
        let (d, _) = lint_memory_rule(&[("debian/rules", text)], "forced-serial-flag");
        assert!(d.is_empty(), "{d:?}");
    }

    /// A comment that only describes the step, or a suppression, gives no reason.
    #[test]
    fn an_unrelated_comment_is_no_reason() {
        for above in [
            "# run the selftests",
            "# kpkg-lint: allow(serial-kernel-build)",
        ] {
            let text = format!("b:\n\t{above}\n\t$(MAKE) -j1 -C tools/testing/selftests\n");
            let (d, _) = lint_memory_rule(&[("debian/rules", &text)], "forced-serial-flag");
            assert_eq!(d.len(), 1, "{above}");
        }
    }

    #[test]
    fn kernel_build_is_left_to_serial_kernel_build() {
        let (d, _) = lint_memory_rule(
            &[("debian/rules", "b:\n\t$(MAKE) -j1 bindeb-pkg\n")],
            "forced-serial-flag",
        );
        assert!(d.is_empty());
    }
}
