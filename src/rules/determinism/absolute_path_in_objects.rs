//! `absolute-path-in-objects`: out-of-tree or absolute-srctree builds without a
//! prefix map.

use super::{by_carrier, insert_settings, setting};
use crate::diagnostic::Fix;
use crate::registry::Rule;
use crate::rules::kernel_make::MakeCall;
use crate::rules::Checker;

const RULE: Rule = Rule::AbsolutePathInObjects;

pub fn check(c: &mut Checker, builds: &[&MakeCall]) {
    let model = c.model;
    let old_compiler = old_compiler(c);
    for (carrier, calls) in by_carrier(model, builds) {
        let first = calls[0];
        let out_of_tree = calls.iter().find_map(|m| {
            m.inv
                .variable_names(m.cmd)
                .position(|n| n == "O")
                .map(|_| m)
        });
        let abs = setting(model, first, "KBUILD_ABS_SRCTREE")
            .filter(|s| crate::model::shell::unquote(&s.value) == "1");
        if out_of_tree.is_none() && abs.is_none() {
            continue;
        }
        let kcflags = setting(model, first, "KCFLAGS");
        if kcflags
            .as_ref()
            .is_some_and(|s| s.value.contains("prefix-map"))
        {
            continue;
        }
        let why = if abs.is_some() {
            "KBUILD_ABS_SRCTREE=1 makes every source path absolute"
        } else {
            "building with O= puts absolute paths of the build directory into debug info"
        };
        let d = c.report(
            RULE,
            carrier.file,
            carrier.span.clone(),
            format!("{why}, and KCFLAGS has no -fdebug-prefix-map or -ffile-prefix-map: objects and ccache keys depend on where the tree was built"),
        );
        if let Some(m) = out_of_tree {
            if m.cmd.recipe.file != carrier.file || m.cmd.argv[0].span != carrier.span {
                d.with_note_mut(
                    m.cmd.recipe.file,
                    m.cmd.argv[0].span.clone(),
                    "builds out of tree",
                );
            }
        }
        // -ffile-prefix-map (GCC 8) also maps __FILE__, which only an absolute
        // srctree puts into objects; -fdebug-prefix-map (every GCC and clang a
        // kernel builds with) maps the debug info an O= build leaves. A compiler
        // older than GCC 8 stops at the option it does not know.
        let option = if abs.is_some() && !old_compiler {
            "-ffile-prefix-map"
        } else {
            "-fdebug-prefix-map"
        };
        let setting = format!("KCFLAGS={option}=$(CURDIR)/=");
        d.with_help_mut(format!("pass `{setting}` to the kernel make (Debian's rules.real uses -fdebug-prefix-map the same way)"));
        if kcflags.is_none() {
            d.with_fix_mut(Fix::safe(
                "map the build directory out of the objects",
                vec![insert_settings(&carrier, &setting)],
            ));
        }
    }
}

/// A tree built with a compiler older than GCC 8, which has no -ffile-prefix-map:
/// a kernel before 4.19, or a release whose default compiler was older (Debian
/// before buster, Ubuntu before 18.10: bionic's HWE kernels are 5.x built with
/// gcc-7).
fn old_compiler(c: &Checker) -> bool {
    let old_kernel = c.model.kernel_version().is_some_and(|k| k < (4, 19));
    let old_release = crate::knowledge::release(&c.release.codename).is_some_and(|r| {
        let v: f32 = r.version.parse().unwrap_or(f32::MAX);
        match r.vendor {
            "ubuntu" => v < 18.10,
            "debian" => v < 10.0,
            _ => false,
        }
    });
    old_kernel || old_release
}

#[cfg(test)]
mod tests {
    use crate::testing::{found, lint_memory_rule};

    #[test]
    fn out_of_tree_build_without_a_prefix_map_fires() {
        let rules = "#!/usr/bin/make -f\n# Acme board kernel\nbuild-arch:\n\tmkdir -p debian/build\n\t$(MAKE) -C linux O=$(CURDIR)/debian/build ARCH=arm64 Image modules dtbs\n";
        let (d, tree) = lint_memory_rule(&[("debian/rules", rules)], "absolute-path-in-objects");
        assert_eq!(
            found(&d, &tree),
            [("absolute-path-in-objects", "debian/rules", 5, 2)]
        );
        assert!(d[0].message.contains("O="), "{}", d[0].message);
        assert!(d[0].fix.is_some(), "no KCFLAGS yet: the fix adds one");
    }

    #[test]
    fn the_fix_uses_an_option_the_compiler_knows() {
        let fix_of = |rules: &str, log: &str| {
            let files = [("debian/rules", rules), ("debian/changelog", log)];
            let (d, _) = lint_memory_rule(&files, "absolute-path-in-objects");
            d[0].fix.as_ref().unwrap().edits[0].content.clone()
        };
        let o = "#!/usr/bin/make -f\nbuild-arch:\n\t$(MAKE) O=$(CURDIR)/debian/build ARCH=x86 bzImage\n";
        let abs =
            "#!/usr/bin/make -f\nbuild-arch:\n\t$(MAKE) KBUILD_ABS_SRCTREE=1 ARCH=x86 bzImage\n";
        let noble = "linux (6.8.0-41.41) noble; urgency=medium\n";
        let bionic = "linux (4.15.0-42.45) bionic; urgency=medium\n";
        let bionic_hwe = "linux-hwe-5.4 (5.4.0-150.167~18.04.1) bionic; urgency=medium\n";
        // O= leaves the build directory in the debug info: every compiler maps it.
        assert!(fix_of(o, noble).contains("KCFLAGS=-fdebug-prefix-map=$(CURDIR)/="));
        assert!(fix_of(o, bionic).contains("-fdebug-prefix-map"));
        // An absolute srctree also puts it into __FILE__: GCC 8's -ffile-prefix-map,
        // but not for gcc-7 (bionic, also for its 5.x HWE kernels) or a 4.15.
        assert!(fix_of(abs, noble).contains("KCFLAGS=-ffile-prefix-map=$(CURDIR)/="));
        assert!(fix_of(abs, bionic).contains("-fdebug-prefix-map"));
        assert!(fix_of(abs, bionic_hwe).contains("-fdebug-prefix-map"));
    }

    #[test]
    fn absolute_srctree_fires_and_existing_kcflags_get_no_fix() {
        let rules = "#!/usr/bin/make -f\nbuild-arch:\n\t$(MAKE) KBUILD_ABS_SRCTREE=1 KCFLAGS=-O2 ARCH=x86 bzImage modules\n";
        let (d, tree) = lint_memory_rule(&[("debian/rules", rules)], "absolute-path-in-objects");
        assert_eq!(
            found(&d, &tree),
            [("absolute-path-in-objects", "debian/rules", 3, 2)]
        );
        assert!(d[0].message.contains("KBUILD_ABS_SRCTREE"));
        assert!(
            d[0].fix.is_none(),
            "KCFLAGS is set: merging is left to a human"
        );
    }

    #[test]
    fn mapped_or_in_tree_builds_do_not_fire() {
        for rules in [
            // The prefix map is there.
            "#!/usr/bin/make -f\nbuild-arch:\n\t$(MAKE) O=$(CURDIR)/debian/build KCFLAGS=-ffile-prefix-map=$(CURDIR)/= ARCH=x86 bzImage modules\n",
            // -fdebug-prefix-map counts too.
            "#!/usr/bin/make -f\nbuild-arch:\n\t$(MAKE) O=$(CURDIR)/b KCFLAGS=\"-fdebug-prefix-map=$(CURDIR)=.\" ARCH=x86 bzImage\n",
            // In-tree, relative paths: nothing absolute gets in.
            "#!/usr/bin/make -f\nbuild-arch:\n\t$(MAKE) ARCH=x86 KBUILD_ABS_SRCTREE=0 bzImage modules\n",
        ] {
            let (d, tree) =
                lint_memory_rule(&[("debian/rules", rules)], "absolute-path-in-objects");
            assert_eq!(found(&d, &tree), [], "{rules}");
        }
    }
}
