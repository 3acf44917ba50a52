use super::*;
use crate::tree::Tree;

/// Each make of a debian/rules, by line: its kind and directory.
fn makes(rules: &str) -> Vec<(usize, MakeKind, String)> {
    let tree = Tree::from_memory(&[("debian/rules", rules)]);
    let model = Model::build(&tree);
    make_calls(&model)
        .iter()
        .map(|c| {
            let line = tree.files[c.cmd.recipe.file]
                .line_col(c.cmd.argv[0].span.start)
                .0;
            (line, c.kind, c.dir.clone())
        })
        .collect()
}

fn kinds(rules: &str) -> Vec<(usize, MakeKind)> {
    makes(rules).into_iter().map(|(l, k, _)| (l, k)).collect()
}

use MakeKind::{KernelBuild as K, Other as O, Prepare as P, SubMake as S};

#[test]
fn directories_are_normalised_and_joined() {
    for (cwd, path, want) in [
        ("", "$(CURDIR)/debian/build", "debian/build"),
        ("", "'${KERNEL_SRC}'", "$(KERNEL_SRC)"),
        ("", "./linux/", "linux"),
        ("a", "b/../c", "a/c"),
        ("a", ".", "a"),
        ("a", "..", ""),
        ("a", "$(B)/tools/perf", "$(B)/tools/perf"),
        ("a", "/usr/src/linux", "/usr/src/linux"),
        ("a", "$(CURDIR)", ""),
        ("a", "\"$(shell pwd)/x\"", "x"),
        ("", "${A}/${B}", "$(A)/$(B)"),
        ("", "$(word 1,$(wildcard a b))", "$(word 1,$(wildcard a b))"),
    ] {
        assert_eq!(join_dir(cwd, path), want, "{cwd} + {path}");
    }
}

#[test]
fn tool_documentation_and_helper_dirs() {
    for d in [
        "tools/perf",
        "debian/build/tools-perarch/tools/power/x86/turbostat",
        "$(word 1,$(wildcard Documentation/lguest tools/lguest))",
        "samples/bpf",
        "scripts/kconfig",
    ] {
        assert!(non_kernel_dir(d).is_some(), "{d}");
    }
    for d in [
        "",
        "debian/build/tools-perarch",
        "$(DIR)",
        "scripts",
        "linux",
    ] {
        assert_eq!(non_kernel_dir(d), None, "{d}");
    }
}

/// `cd DIR &&` and `cd DIR;` hold for the rest of the recipe line, not inside
/// a `( … )` that ended, and not on the next line.
#[test]
fn cd_in_the_recipe_line() {
    let got = makes(
        "B := $(CURDIR)/b\nx:\n\tcd $(B)/tools/hv && make CROSS_COMPILE=x-\n\tmake ARCH=x86\n\t(cd tools/perf; make ARCH=x86); make ARCH=x86\n\tcd $(B); make\n",
    );
    assert_eq!(
        got,
        [
            (3, O, "b/tools/hv".into()),
            (4, K, "".into()),
            (5, O, "tools/perf".into()),
            (5, K, "".into()),
            (6, O, "b".into()),
        ]
    );
}

/// Variables bring the `cd` (Ubuntu's `build_cd`) and the make word.
#[test]
fn cd_through_a_variable() {
    let got = makes(
        "build_cd = cd $(CURDIR)/debian/build/build-$*; #\nkmake = make ARCH=x86\nx:\n\t$(build_cd) $(kmake) O=. prepare\n\t$(build_cd) $(kmake)\n\tcd debian/build/other && $(kmake)\n",
    );
    assert_eq!(
        got,
        [
            (4, P, "debian/build/build-$*".into()),
            (5, K, "debian/build/build-$*".into()),
            (6, K, "debian/build/other".into()),
        ]
    );
    let tree = Tree::from_memory(&[(
        "debian/rules",
        "build_cd = cd $(CURDIR)/b; #\nx:\n\t$(MAKE) O=b oldconfig\n\t$(build_cd) $(MAKE)\n",
    )]);
    let model = Model::build(&tree);
    let calls = make_calls(&model);
    let why: Vec<&str> = calls[1].why.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        why,
        [
            "`cd` into `b`",
            "`build_cd` brings the `cd`",
            "`O=` makes `b` a build directory of the kernel"
        ]
    );
    assert!(calls[1].default_goal);
}

/// A directory is the kernel's when `O=` names it, when external modules
/// build against it, or when a goal only kbuild has runs there; goal-less
/// makes elsewhere are not the kernel build.
#[test]
fn kernel_directories() {
    let got = kinds(
        "x:\n\t$(MAKE) -C $(KSRC) oldconfig\n\t$(MAKE) -C $(KSRC) EXTRA=1\n\t$(MAKE) -C $(MODS)/zfs\n\t$(MAKE) -C $(MODS)/zfs modules_install\n\t$(MAKE) -C $(MODS)/zfs\n\t$(MAKE) -C $(KDIR) M=$(CURDIR)/ext modules\n\t$(MAKE) -C $(KDIR)\n\t$(MAKE) -C '$(SRC)' O='$(CURDIR)/$(DIR)' listnewconfig\n\t$(MAKE) -C '$(DIR)' $(BUILD_TARGET)\n",
    );
    assert_eq!(
        got,
        [
            (2, P),
            (3, K),
            (4, O),
            (5, O),
            (6, O),
            (7, O),
            (8, K),
            (9, P),
            (10, K),
        ]
    );
}

#[test]
fn goals_decide_first() {
    let got = kinds(
        "x:\n\t$(MAKE) ARCH=arm64 dtbs\n\t$(MAKE) ARCH=arm64 Image modules dtbs\n\t$(MAKE) -j1 syncconfig prepare scripts\n\t$(MAKE) headers_install\n\t$(MAKE) oldconfig >/dev/null\n\t$(MAKE) -C tools/perf all\n\t$(MAKE) -C $(X) bindeb-pkg\n",
    );
    assert_eq!(
        got,
        [(2, O), (3, K), (4, P), (5, O), (6, P), (7, O), (8, K)]
    );
}

#[test]
fn makefiles_and_variables() {
    let got = kinds(
        "srctree ?= .\nx:\n\t$(MAKE) ARCH=arm64 -f $(srctree)/Makefile\n\t$(MAKE) -f scripts/Makefile.build obj=x\n\t$(MAKE) -f debian/rules.gen build\n\t$(MAKE) -f other.mk\n\t$(MAKE) -C $(ELSEWHERE) $(GOAL)\n\t$(MAKE) -C $(ELSEWHERE) ARCH=x86\n\t$(MAKE) $(GOAL)\n",
    );
    assert_eq!(
        got,
        [(3, K), (4, O), (5, S), (6, O), (7, O), (8, K), (9, K)]
    );
}
