//! `ignores-parallel-option`: the kernel make never sees `parallel=N`.

use super::{parallel_jobs, Facts, MakeKind};
use crate::diagnostic::{Edit, Fix};
use crate::registry::Rule;
use crate::rules::kernel_make::note_chain;
use crate::rules::Checker;

const RULE: Rule = Rule::IgnoresParallelOption;

pub fn check(c: &mut Checker, facts: &Facts) {
    if facts.honours_parallel {
        return;
    }
    let model = c.model;
    for call in facts
        .makes
        .iter()
        .filter(|m| m.kind == MakeKind::KernelBuild && m.inv.jobs.is_empty())
    {
        let file = call.cmd.recipe.file;
        let make = &call.cmd.argv[0];
        let (jobs, include) = parallel_jobs(c, &model.programs[call.program]);
        let mut edits = vec![Edit::insert(file, make.span.end, format!(" {jobs}"))];
        edits.extend(include);
        let d = c.report(RULE, file, make.span.clone(), format!("{} never gets the job count from `DEB_BUILD_OPTIONS=parallel=N`, so `dpkg-buildpackage -jN` builds the kernel with one job", call.subject()));
        note_chain(model, d, &[call]);
        d.with_help_mut("include /usr/share/dpkg/buildopts.mk and pass `-j$(DEB_BUILD_OPTION_PARALLEL)` to the kernel make")
            .with_fix_mut(Fix::safe("pass the parallel=N level to the kernel make", edits));
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{fix_memory_selected, lint_memory_rule};

    const OLD_MKDEBIAN: &str = "#!/usr/bin/make -f\nbuild:\n\t$(MAKE) KERNELRELEASE=$(version) ARCH=$(ARCH) KBUILD_SRC=\nbinary-arch:\n\t$(MAKE) KERNELRELEASE=$(version) intdeb-pkg\n\t$(MAKE) clean\n";

    #[test]
    fn old_mkdebian_fires_once_per_build_line() {
        let (d, tree) =
            lint_memory_rule(&[("debian/rules", OLD_MKDEBIAN)], "ignores-parallel-option");
        assert_eq!(
            crate::testing::rules_at(&d, &tree),
            [("ignores-parallel-option".into(), "debian/rules".into(), 3)]
        );
        // In a kernel tree, mkdebian writes this file at every `make deb-pkg`:
        // the fix waits for --unsafe-fixes.
        let kernel = [
            ("debian/rules", OLD_MKDEBIAN),
            ("scripts/package/mkdebian", "#!/bin/sh\n"),
        ];
        assert_eq!(
            fix_memory_selected(&kernel, &["parallel"], false)[0].1,
            OLD_MKDEBIAN
        );
        assert_ne!(
            fix_memory_selected(&kernel, &["parallel"], true)[0].1,
            OLD_MKDEBIAN
        );
        let fixed = fix_memory_selected(&[("debian/rules", OLD_MKDEBIAN)], &["parallel"], false);
        assert!(fixed[0].1.starts_with("#!/usr/bin/make -f\ninclude /usr/share/dpkg/buildopts.mk\nbuild:\n\t$(MAKE) $(if $(DEB_BUILD_OPTION_PARALLEL),-j$(DEB_BUILD_OPTION_PARALLEL)) KERNELRELEASE"), "{}", fixed[0].1);
    }

    #[test]
    fn releases_without_buildopts_mk_get_the_policy_expression() {
        // buildopts.mk came with dpkg 1.20.1 (bullseye, groovy): an include of it
        // on buster or focal stops make, so the fix reads DEB_BUILD_OPTIONS itself.
        let changelog = |dist: &str| {
            format!("linux-upstream (5.4.1-1) {dist}; urgency=low\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n")
        };
        for (dist, include) in [
            ("buster", false),
            ("focal", false),
            ("orbit", false),
            ("bullseye", true),
            ("stable", true),
        ] {
            let c = changelog(dist);
            let files = [
                ("debian/rules", OLD_MKDEBIAN),
                ("debian/changelog", c.as_str()),
            ];
            let fixed = &fix_memory_selected(&files, &["parallel"], false)[0].1;
            assert_eq!(fixed.contains("buildopts.mk"), include, "{dist}: {fixed}");
            if !include {
                assert!(fixed.contains("$(MAKE) $(patsubst parallel=%,-j%,$(filter parallel=%,$(DEB_BUILD_OPTIONS))) KERNELRELEASE"), "{dist}: {fixed}");
            }
        }
    }

    #[test]
    fn any_parallel_handling_is_enough() {
        for extra in [
            "include /usr/share/dpkg/buildopts.mk\n",
            "NUMJOBS = $(patsubst parallel=%,%,$(filter parallel=%,$(DEB_BUILD_OPTIONS)))\n",
            "J = $(CONCURRENCY_LEVEL)\n",
        ] {
            let text = format!("{extra}{OLD_MKDEBIAN}");
            let (d, _) = lint_memory_rule(&[("debian/rules", &text)], "ignores-parallel-option");
            assert!(d.is_empty(), "{extra}");
        }
    }
}
