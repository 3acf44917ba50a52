//! `unnecessary-dh-parallel`: `dh $@ --parallel` at debhelper compat 10 or later.

use crate::diagnostic::{Edit, Fix};
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::UnnecessaryDhParallel;

pub fn check(c: &mut Checker) {
    let model = c.model;
    let Some(compat) = model.compat.clone() else {
        return;
    };
    if compat.level < 10 {
        return;
    }
    for (_, cmd) in &model.commands {
        if cmd.program() != "dh" {
            continue;
        }
        for (i, w) in cmd.argv.iter().enumerate().skip(1) {
            if w.text != "--parallel" {
                continue;
            }
            let file = cmd.recipe.file;
            let d = c.report(
                RULE,
                file,
                w.span.clone(),
                format!(
                    "`--parallel` is the default at debhelper compat {}",
                    compat.level
                ),
            );
            d.with_note_mut(compat.file, compat.span.clone(), "compat level set here");
            if w.literal {
                let start = cmd.argv[i - 1].span.end.max(cmd.argv[i - 1].span.start);
                let start = if cmd.argv[i - 1].span.end <= w.span.start {
                    start
                } else {
                    w.span.start
                };
                d.with_fix_mut(Fix::safe(
                    "drop `--parallel`",
                    vec![Edit::delete(file, start..w.span.end)],
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{fix_memory_selected, lint_memory_rule};

    #[test]
    fn fires_at_compat_ten_and_fixes() {
        let files = [("debian/control", "Source: x\nBuild-Depends: debhelper-compat (= 12)\n\nPackage: x\nArchitecture: any\n"), ("debian/rules", "%:\n\tdh $@ --parallel --with foo\n")];
        let (d, _) = lint_memory_rule(&files, "unnecessary-dh-parallel");
        assert_eq!(d.len(), 1);
        let fixed = fix_memory_selected(&files, &["parallel"], false);
        assert_eq!(
            fixed.iter().find(|(p, _)| p == "debian/rules").unwrap().1,
            "%:\n\tdh $@ --with foo\n"
        );
    }

    #[test]
    fn compat_nine_needs_it() {
        let files = [
            ("debian/compat", "9\n"),
            ("debian/rules", "%:\n\tdh $@ --parallel\n"),
        ];
        assert!(lint_memory_rule(&files, "unnecessary-dh-parallel")
            .0
            .is_empty());
    }
}
