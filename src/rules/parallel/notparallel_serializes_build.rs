//! `notparallel-serializes-build`: `.NOTPARALLEL:` with sub-makes that get no jobs.

use super::{Facts, MakeKind};
use crate::model::makefile::StmtKind;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::NotparallelSerializesBuild;

pub fn check(c: &mut Checker, facts: &Facts) {
    let model = c.model;
    let mut files: Vec<_> = model.makefiles.keys().copied().collect();
    files.sort();
    for f in files {
        for s in &model.makefiles[&f].stmts {
            let StmtKind::Rule(r) = &s.kind else { continue };
            if !(r.targets.len() == 1
                && r.targets[0].0 == ".NOTPARALLEL"
                && r.prerequisites.is_empty())
            {
                continue;
            }
            for (pi, p) in model.programs.iter().enumerate() {
                if !p.files.contains(&f) {
                    continue;
                }
                // Dispatcher pattern: MAKEFLAGS carries -jN to every sub-make.
                let makeflags_jobs = ["MAKEFLAGS", "MFLAGS"]
                    .iter()
                    .filter_map(|v| p.vars.get(*v))
                    .flatten()
                    .any(|d| d.value.contains("-j") || d.value.contains("--jobs"));
                if makeflags_jobs {
                    continue;
                }
                let offenders: Vec<_> = facts
                    .makes
                    .iter()
                    .filter(|m| {
                        m.program == pi
                            && matches!(m.kind, MakeKind::KernelBuild | MakeKind::SubMake)
                    })
                    .filter(|m| m.inv.jobs.is_empty() && !m.inv.jobserver)
                    .collect();
                if offenders.is_empty() {
                    continue;
                }
                let d = c.report(
                    RULE,
                    f,
                    r.targets[0].1.clone(),
                    format!(
                        "`.NOTPARALLEL:` runs this makefile serially, and {} sub-make{} here get{} neither `-j` nor the jobserver: the whole build is serial",
                        offenders.len(),
                        if offenders.len() == 1 { "" } else { "s" },
                        if offenders.len() == 1 { "s" } else { "" }
                    ),
                );
                for m in offenders.iter().take(3) {
                    d.with_note_mut(
                        m.cmd.recipe.file,
                        m.cmd.argv[0].span.clone(),
                        "plain `make` without `-j`: not `$(MAKE)`, no `+` prefix",
                    );
                }
                d.with_help_mut("call sub-makes as `$(MAKE)` (or prefix the line with `+`) so they share the jobserver, or pass the level explicitly with `-j$(DEB_BUILD_OPTION_PARALLEL)`");
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_memory_rule;

    #[test]
    fn plain_make_under_notparallel_fires() {
        let (d, tree) = lint_memory_rule(&[("debian/rules", "#!/usr/bin/make -f\n.NOTPARALLEL:\nb:\n\tmake ARCH=x86_64 bzImage modules\n\tmake clean\n")], "notparallel-serializes-build");
        assert_eq!(
            crate::testing::rules_at(&d, &tree),
            [(
                "notparallel-serializes-build".into(),
                "debian/rules".into(),
                2
            )]
        );
        assert_eq!(d[0].notes.len(), 1);
    }

    #[test]
    fn dispatchers_are_fine() {
        let debian = "ifdef JOBS\nMAKEFLAGS += -j$(JOBS)\nendif\n.NOTPARALLEL:\nb:\n\tmake -f debian/rules.gen build\n";
        let ubuntu = ".NOTPARALLEL:\nb:\n\t$(MAKE) -f debian/rules build-arch\n\tmake -j$(CONCURRENCY_LEVEL) ARCH=x86 bzImage\n";
        let prereq = ".NOTPARALLEL: a b\nb:\n\tmake ARCH=x bzImage\n";
        for t in [debian, ubuntu, prereq] {
            let (d, _) = lint_memory_rule(&[("debian/rules", t)], "notparallel-serializes-build");
            assert!(d.is_empty(), "{t}");
        }
    }
}
