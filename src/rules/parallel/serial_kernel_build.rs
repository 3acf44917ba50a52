//! `serial-kernel-build`: the kernel compile itself ends up at one job.

use super::{parallel_jobs, Facts, MakeKind};
use crate::diagnostic::{Edit, Fix};
use crate::knowledge;
use crate::model::invocation::Jobs;
use crate::registry::Rule;
use crate::rules::kernel_make::note_chain;
use crate::rules::Checker;
use crate::source::{FileId, Span};

const RULE: Rule = Rule::SerialKernelBuild;

/// Returns the spans it found (reported or not), so `forced-serial-flag` does not
/// report them again.
pub fn check(c: &mut Checker, facts: &Facts) -> Vec<(FileId, Span)> {
    let model = c.model;
    let enabled = c.enabled(RULE);
    let mut found = Vec::new();
    // 1. A kernel make whose jobs option is certainly 1.
    for call in facts
        .makes
        .iter()
        .filter(|m| m.kind == MakeKind::KernelBuild)
    {
        for opt in &call.inv.jobs {
            if opt.jobs != Jobs::Count(1) || !opt.certain {
                continue;
            }
            let file = call.cmd.recipe.file;
            found.push((file, opt.span.clone()));
            if !enabled {
                continue;
            }
            let make = &call.cmd.argv[0].text;
            let why = if call.default_goal {
                format!(" ({})", call.reason)
            } else {
                String::new()
            };
            let (jobs, include) = parallel_jobs(c, &model.programs[call.program]);
            let d = c.report(RULE, file, opt.span.clone(), format!("the kernel build `{make}`{why} runs with one job: this compile is serial whatever `parallel=N` the build was started with"));
            if !opt.literal {
                if let Some(w) = if opt.in_env {
                    call.cmd.env.get(opt.word)
                } else {
                    call.cmd.argv.get(opt.word)
                } {
                    for at in &w.via {
                        let s = model.stmt(*at);
                        d.with_note_mut(
                            at.file,
                            s.span.clone(),
                            "the value 1 comes from this assignment",
                        );
                    }
                }
                note_chain(model, d, &[call]);
                d.with_help_mut("pass the level from `parallel=N` instead, e.g. `-j$(DEB_BUILD_OPTION_PARALLEL)` with /usr/share/dpkg/buildopts.mk");
                continue;
            }
            note_chain(model, d, &[call]);
            d.with_help_mut("let the kernel make take the level from `parallel=N`: dpkg-buildpackage -jN sets it");
            let mut edits = vec![Edit::replace(file, opt.span.clone(), jobs)];
            edits.extend(include);
            d.with_fix_mut(Fix::safe(
                format!(
                    "replace `{}` by the level from DEB_BUILD_OPTIONS",
                    &model.tree.files[file].text[opt.span.clone()]
                ),
                edits,
            ));
        }
    }
    // 2. A job-level variable forced to 1 for a nested build whose kernel make reads it.
    let jobs_vars = knowledge::table("job-variables");
    let nested = knowledge::table("nested-build-commands");
    for (_, cmd) in &model.commands {
        let Some(first) = cmd.argv.first() else {
            continue;
        };
        if !nested.contains(&first.text) && !nested.contains(cmd.program()) {
            continue;
        }
        for w in &cmd.env {
            let Some((name, value)) = w.text.split_once('=') else {
                continue;
            };
            if !jobs_vars.contains(name) || crate::model::shell::unquote(value) != "1" {
                continue;
            }
            let consumers: Vec<_> = facts
                .makes
                .iter()
                .filter(|m| m.kind == MakeKind::KernelBuild)
                .filter_map(|m| {
                    m.inv
                        .jobs
                        .iter()
                        .find(|o| o.jobs == Jobs::Var(name.to_string()))
                        .map(|o| (m, o))
                })
                .collect();
            if consumers.is_empty() {
                continue;
            }
            let file = cmd.recipe.file;
            found.push((file, w.span.clone()));
            if !enabled {
                continue;
            }
            let d = c.report(
                RULE,
                file,
                w.span.clone(),
                format!("`{name}=1` is passed to the nested `{}`, whose kernel make takes `-j$({name})`: the kernel compile runs with one job", cmd.program()),
            );
            let mut defs = Vec::new();
            for (m, o) in consumers.iter().take(3) {
                for at in &m.cmd.argv[o.word].via {
                    if !defs.contains(at) {
                        defs.push(*at);
                    }
                }
                d.with_note_mut(
                    m.cmd.recipe.file,
                    o.span.clone(),
                    "this kernel make takes its job count from it",
                );
            }
            for at in defs {
                d.with_note_mut(
                    at.file,
                    model.stmt(at).span.clone(),
                    format!("`-j$({name})` is built here"),
                );
            }
            if let Some(opt) = cmd
                .env
                .iter()
                .find(|e| e.text.starts_with("DEB_BUILD_OPTIONS="))
            {
                d.with_note_mut(file, opt.span.clone(), "DEB_BUILD_OPTIONS without `parallel=` keeps the outer build serial; the fix leaves that guard alone");
            }
            d.with_help_mut(format!("drop `{name}=1` so the kernel make gets the level the build was started with; keep the outer step serial if it must be"));
            // Remove the word and the blank after it.
            let text = &model.tree.files[file].text;
            let mut end = w.span.end;
            while text
                .as_bytes()
                .get(end)
                .is_some_and(|b| *b == b' ' || *b == b'\t')
            {
                end += 1;
            }
            d.with_fix_mut(Fix::unsafe_(
                format!("stop forcing {name}=1 into the nested build"),
                vec![Edit::delete(file, w.span.start..end)],
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use crate::testing::{fix_memory_selected, lint_memory_rule};

    #[test]
    fn literal_j1_on_bindeb_pkg_fires_and_fixes() {
        let files = [("debian/rules", "#!/usr/bin/make -f\n# custom kernel\n\nbuild:\n\t$(MAKE) -j1 LOCALVERSION=-x bindeb-pkg\n")];
        let (d, tree) = lint_memory_rule(&files, "serial-kernel-build");
        assert_eq!(
            crate::testing::rules_at(&d, &tree),
            [("serial-kernel-build".into(), "debian/rules".into(), 5)]
        );
        let fixed = fix_memory_selected(&files, &["parallel"], false);
        assert_eq!(
            fixed[0].1,
            "#!/usr/bin/make -f\n# custom kernel\ninclude /usr/share/dpkg/buildopts.mk\n\nbuild:\n\t$(MAKE) $(if $(DEB_BUILD_OPTION_PARALLEL),-j$(DEB_BUILD_OPTION_PARALLEL)) LOCALVERSION=-x bindeb-pkg\n"
        );
    }

    #[test]
    fn two_word_and_long_forms() {
        for j in ["-j 1", "--jobs=1", "--jobs 1"] {
            let text = format!("b:\n\tmake {j} ARCH=arm64 Image modules\n");
            let (d, _) = lint_memory_rule(&[("debian/rules", &text)], "serial-kernel-build");
            assert_eq!(d.len(), 1, "{j}");
        }
    }

    #[test]
    fn variable_forced_to_one_is_traced() {
        let (d, tree) = lint_memory_rule(
            &[(
                "debian/rules",
                "JOBS := 1\nb:\n\t$(MAKE) -j$(JOBS) vmlinux\n",
            )],
            "serial-kernel-build",
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].fix.is_none());
        assert_eq!(tree.files[0].line_col(d[0].notes[0].span.start).0, 1);
    }

    #[test]
    fn conditional_fallback_is_not_serial() {
        let text = "ifeq ($(CONCURRENCY_LEVEL),)\n  CONCURRENCY_LEVEL := 1\nendif\nb:\n\tmake -j$(CONCURRENCY_LEVEL) bzImage\n";
        let (d, _) = lint_memory_rule(&[("debian/rules", text)], "serial-kernel-build");
        assert!(d.is_empty());
    }

    #[test]
    fn prepare_step_and_join_are_not_kernel_builds() {
        let text = "b:\n\t$(MAKE) O=x -j1 syncconfig prepare scripts\n\tjoin -j 1 a b\n\t$(MAKE) -j1 -C tools/perf\n";
        let (d, _) = lint_memory_rule(&[("debian/rules", text)], "serial-kernel-build");
        assert!(d.is_empty());
    }

    #[test]
    fn env_forced_level_flows_into_nested_build() {
        let files = [
            ("kernel/rules", "include kernel/ruleset/a.mk\n"),
            ("kernel/ruleset/a.mk", "ifneq ($(CONCURRENCY_LEVEL),)\ndo_parallel = -j$(CONCURRENCY_LEVEL)\nendif\nk:\n\t$(MAKE) $(do_parallel) ARCH=x86 bzImage\np:\n\tCONCURRENCY_LEVEL=1 dpkg-buildpackage -j1 -us\n"),
        ];
        let (d, tree) = lint_memory_rule(&files, "serial-kernel-build");
        assert_eq!(d.len(), 1);
        assert_eq!(tree.files[d[0].file].line_col(d[0].span.start), (7, 2));
        assert_eq!(d[0].notes.len(), 2);
        let safe_only = fix_memory_selected(&files, &["parallel"], false);
        assert!(
            safe_only
                .iter()
                .any(|(_, t)| t.contains("CONCURRENCY_LEVEL=1 dpkg")),
            "unsafe fix needs --unsafe-fixes"
        );
        let fixed = fix_memory_selected(&files, &["parallel"], true);
        assert!(fixed
            .iter()
            .any(|(_, t)| t.contains("\tdpkg-buildpackage -j1 -us\n")));
    }
}
