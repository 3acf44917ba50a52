//! Trees with the size and structure of the real ones (../shared/corpus: Debian's
//! `linux` 6.x and 4.x, Ubuntu's focal tree, kernel-package, mkdebian output),
//! written here from nothing of theirs: what is the same is the shape that costs
//! time and memory — a 2 MB changelog, a 1.3 MB generated `rules.gen` of 1,500
//! targets whose recipe lines run to 4,600 characters, `rules.d/*.mk` with
//! 300-line recipes, control files with 2,000-character relation lines, a
//! 1.4 MB annotations file, thousands of config fragments, quilt series of
//! hundreds of patches. And a many-tree set of 16 such trees (the corpus's mix),
//! copied 1 to 1,000 times, for the memory of a run over thousands of trees.

use super::trees::{copy_dir, ARCHES};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Sizes: `Full` as the real trees, `Quarter` for the middle-sized trees of the
/// many-tree set, `Tiny` for `cargo test --benches` (CI runs each benchmark once).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Size {
    Full,
    Quarter,
    Tiny,
}

impl Size {
    fn of(self, full: usize) -> usize {
        match self {
            Size::Full => full,
            Size::Quarter => full.div_ceil(4),
            Size::Tiny => full.div_ceil(50),
        }
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// Debian kernel architectures (more than the Ubuntu ones: gencontrol's fan-out).
const DEBIAN_ARCHES: &[&str] = &[
    "alpha",
    "amd64",
    "arm64",
    "armel",
    "armhf",
    "hppa",
    "i386",
    "loong64",
    "m68k",
    "mips",
    "mips64",
    "mips64el",
    "mips64r6el",
    "mipsel",
    "powerpc",
    "ppc64",
    "ppc64el",
    "riscv64",
    "s390x",
    "sh4",
    "sparc64",
    "x32",
];

const TOOL_PACKAGES: &[&str] = &[
    "bpftool",
    "config",
    "cpupower",
    "hyperv-daemons",
    "kbuild",
    "perf",
    "rtla",
    "usbip",
    "libc-dev",
];

const FLAVOURS: &[&str] = &["generic", "cloud", "rt", "lpae", "octeon", "smp"];

/// A Debian changelog of `uploads` uploads of 20 entries each (about 2.4 KB an upload).
fn changelog(source: &str, uploads: usize) -> String {
    let mut s = String::with_capacity(uploads * 1_300);
    for k in (0..uploads).rev() {
        let _ = writeln!(
            s,
            "{source} ({}.{}.{}-1) unstable; urgency=medium\n",
            4 + k / 1000,
            k / 50 % 20,
            k % 50
        );
        for j in 0..20 {
            let _ = writeln!(
                s,
                "  * [{}] example: entry {j} of upload {k}, a driver fix backported\n    from the stable series (Closes: #{})",
                ARCHES[j % ARCHES.len()],
                800_000 + k * 20 + j
            );
        }
        let _ = writeln!(
            s,
            "\n -- Example Kernel Team <kernel@example.org>  Sun, 01 Sep 2024 12:00:00 +0000\n"
        );
    }
    s
}

/// A quilt series of `n` patches, a few hundred lines for one in ten.
fn patches(debian: &Path, n: usize) {
    let mut series = String::new();
    for k in 0..n {
        let dir = ["bugfix/all", "bugfix/x86", "features/all", "debian"][k % 4];
        let name = format!("{dir}/example-change-{k}.patch");
        let _ = writeln!(series, "{name}");
        let mut p = format!("From: Example Developer <dev@example.org>\nSubject: example: change {k}\n\nWhy this change is carried.\n---\n--- a/drivers/example/file{k}.c\n+++ b/drivers/example/file{k}.c\n");
        let hunks = if k % 10 == 0 { 40 } else { 3 };
        for h in 0..hunks {
            let _ = write!(p, "@@ -{0},7 +{0},7 @@ static int example_{k}(void)\n \tint a = {h};\n \tint b = 1;\n \tint c = 2;\n-\treturn a + b;\n+\treturn a + b + c;\n \tint d = 3;\n \tint e = 4;\n \tint f = 5;\n", 10 + h * 40);
        }
        write(&debian.join("patches").join(&name), &p);
    }
    write(&debian.join("patches/series"), &series);
}

/// Debian's `linux` 6.x as the source package ships it: templates, a generated
/// control and `rules.gen`, `rules.real`, defines.toml, config fragments.
pub fn debian_6x(root: &Path, name: &str, size: Size) -> PathBuf {
    let dst = root.join(name);
    copy_dir(
        &super::trees::testdata("flavour/debian-toml-clean/in"),
        &dst,
    );
    let d = dst.join("debian");
    write(&d.join("changelog"), &changelog("linux", size.of(920)));
    write(
        &d.join("rules"),
        &format!(
            "#!/usr/bin/make -f\nSHELL := sh -e\ninclude debian/rules.defs\n\n{}\n-include debian/rules.gen\n\nbuild: build-arch build-indep\nbinary: binary-indep binary-arch\n\nclean:\n\trm -rf $(BUILD_DIR) $(STAMPS_DIR) debian/lib/python/debian_linux/*.pyc\n\tdh_clean\n\n$(STAMPS_DIR)/setup-%:\n\t@mkdir -p $(STAMPS_DIR)\n\t$(MAKE) -f debian/rules.gen setup_$*\n\ttouch $@\n",
            (0..60)
                .map(|k| format!("VAR_{k} := value-{k}\n"))
                .collect::<String>()
        ),
    );
    write(&d.join("rules.defs"), "BUILD_DIR = debian/build\nSTAMPS_DIR = debian/stamps\nTEMPLATES_DIR = debian/templates\nDEB_BUILD_OPTIONS ?=\nifneq (,$(filter parallel=%,$(DEB_BUILD_OPTIONS)))\n  JOBS := $(patsubst parallel=%,%,$(filter parallel=%,$(DEB_BUILD_OPTIONS)))\nendif\n");
    // rules.gen: per arch, a fan-out line and one target per package and flavour,
    // each a long `$(call if_package, …, $(MAKE) -f debian/rules.real …)` line.
    let mut gen = String::from(".NOTPARALLEL:\n.PHONY:\npackages_enabled := $(shell dh_listpackages)\ndefine if_package\n$(if $(filter $(1),$(packages_enabled)),$(2))\nendef\n");
    let arches = &DEBIAN_ARCHES[..size.of(DEBIAN_ARCHES.len())];
    for arch in arches {
        let targets: Vec<String> = TOOL_PACKAGES
            .iter()
            .map(|p| format!("binary-arch_{arch}_{p}"))
            .chain(
                FLAVOURS[..4]
                    .iter()
                    .map(|f| format!("binary-arch_{arch}_none_{f}")),
            )
            .collect();
        let _ = writeln!(gen, "binary-arch_{arch}:{}", targets.join(" "));
        for p in TOOL_PACKAGES {
            let _ = writeln!(gen, "binary-arch_{arch}_{p}:\n\t$(call if_package, linux-{p}-6.9, $(MAKE) -f debian/rules.real binary_{p} ABINAME='6.9.7+example' ARCH='{arch}' DESTDIR='$(CURDIR)/debian/linux-{p}-6.9' DH_OPTIONS='-plinux-{p}-6.9' KERNEL_ARCH='{arch}' PACKAGE_NAME='linux-{p}-6.9' SOURCEVERSION='6.9.7-1' SOURCE_BASENAME='linux' SOURCE_SUFFIX='' UPSTREAMVERSION='6.9' VERSION='6.9')");
        }
        for f in &FLAVOURS[..4] {
            // The image targets carry every setting of the flavour: 60 pairs,
            // about 4,600 characters on one line.
            let settings: String = (0..60)
                .map(|k| format!(" SETTING_{k}_{f}='value {k} for {arch} {f} with some length'"))
                .collect();
            for step in ["binary-arch", "build-arch", "setup"] {
                let _ = writeln!(gen, "{step}_{arch}_none_{f}:\n\t$(call if_package, linux-image-6.9.7-{f}, $(MAKE) -f debian/rules.real {step}_image ABINAME='6.9.7+example' ARCH='{arch}' FLAVOUR='{f}' FEATURESET='none' COMPILER='gcc-14' KCONFIG='debian/config/config debian/config/{arch}/config debian/config/{arch}/config.{f}' LOCALVERSION='-{f}'{settings})");
            }
        }
    }
    // Source-level targets repeated per featureset, to the real file's size.
    for k in 0..size.of(300) {
        let _ = writeln!(gen, "source_none_{k}:\n\t$(MAKE) -f debian/rules.real source-featureset ABINAME='6.9.7+example' FEATURESET='none' SOURCEVERSION='6.9.7-1' UPSTREAMVERSION='6.9' VERSION='6.9' PATCH_{k}='features/example-{k}.patch'");
    }
    write(&d.join("rules.gen"), &gen);
    // rules.real: targets with recipes of 10 to 40 lines.
    let mut real =
        String::from("SHELL := bash -e\nexport DH_OPTIONS\ninclude debian/rules.defs\n\n");
    for k in 0..size.of(28) {
        let _ = writeln!(real, "install-example-{k}: DIR = $(BUILD_DIR)/build_$(ARCH)_$(FEATURESET)_$(FLAVOUR)\ninstall-example-{k}: PACKAGE_DIR = debian/$(PACKAGE_NAME)\ninstall-example-{k}:\n\tdh_testdir\n\tdh_testroot\n\tdh_prep");
        for j in 0..(10 + k % 30) {
            let _ = writeln!(real, "\t+$(MAKE_CLEAN) -C $(DIR) INSTALL_MOD_PATH=$(CURDIR)/$(PACKAGE_DIR) step{j} \\\n\t  KBUILD_BUILD_TIMESTAMP=\"$(SOURCE_DATE)\" O=$(CURDIR)/$(DIR)");
        }
        let _ = writeln!(real, "\tdh_installdocs\n\tdh_md5sums\n\tdh_builddeb\n");
    }
    write(&d.join("rules.real"), &real);
    // The generated control: relation lines of 2,000 characters.
    let build_deps: Vec<String> = (0..90)
        .map(|k| {
            format!(
                "libexample{k}-dev [amd64 arm64 armhf i386 ppc64el s390x] <!pkg.linux.nokernel>"
            )
        })
        .collect();
    let mut control = format!("Source: linux\nSection: kernel\nPriority: optional\nMaintainer: Example Kernel Team <kernel@example.org>\nStandards-Version: 4.2.0\nBuild-Depends: debhelper-compat (= 12), dh-exec, python3:native, quilt, cpio <!stage1>, xz-utils <!stage1>, {}\nRules-Requires-Root: no\n\n", build_deps.join(", "));
    for arch in arches {
        for f in &FLAVOURS[..2] {
            let depends: Vec<String> = (0..30)
                .map(|k| format!("linux-example-dep{k} (>= 6.9.7-1) [{arch}]"))
                .collect();
            let _ = writeln!(control, "Package: linux-image-6.9.7-{f}\nArchitecture: {arch}\nBuild-Profiles: <!stage1 !pkg.linux.nokernel>\nDepends: kmod, linux-base (>= 4.3~), {}, ${{misc:Depends}}\nRecommends: firmware-linux-free, apparmor\nDescription: Linux 6.9 for {arch} ({f})\n The Linux kernel 6.9 and modules for use on {arch} machines.\n", depends.join(", "));
        }
    }
    write(&d.join("control"), &control);
    write(
        &d.join("generated.signed-amd64/control"),
        &control[..control.len() / 8],
    );
    write(
        &d.join("generated.signed-amd64/rules.gen"),
        &gen[..gen.len().min(40_000)],
    );
    // Templates, defines and configs.
    for (i, t) in super::trees::DEBIAN_TEMPLATES.iter().enumerate() {
        let body = if t.contains(".control.") {
            format!("Package: linux-{t}-@abiname@@localversion@\nBuild-Profiles: <!stage1 !pkg.linux.nokernel>\nArchitecture: @arch@\nDepends: ${{misc:Depends}}, kmod, initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool\nDescription: Linux @version@ {t} for @class@\n Template {i}.\n")
        } else {
            format!("#!/bin/sh -e\n# {t}\nversion=@abiname@@localversion@\nexit 0\n")
        };
        write(&d.join("templates").join(t), &body);
    }
    let mut defines =
        String::from("[[featureset]]\nname = 'none'\n\n[build]\ncompiler = 'gcc-14'\n");
    for arch in arches {
        let _ = write!(defines, "\n[[kernelarch]]\nname = '{arch}'\n  [[kernelarch.debianarch]]\n  name = '{arch}'\n    [[kernelarch.debianarch.featureset]]\n    name = 'none'\n");
        for f in FLAVOURS {
            let _ = write!(defines, "    [[kernelarch.debianarch.flavour]]\n    name = '{f}'\n      [kernelarch.debianarch.flavour.description]\n      hardware = '{arch} {f}'\n");
        }
        let config: String = (0..size.of(400))
            .map(|k| format!("CONFIG_{}_OPTION_{k}=m\n", arch.to_uppercase()))
            .collect();
        write(&d.join(format!("config/{arch}/config")), &config);
        for f in FLAVOURS {
            write(
                &d.join(format!("config/{arch}/config.{f}")),
                &format!(
                    "CONFIG_FLAVOUR_{}=y\n# CONFIG_DEBUG_{} is not set\n",
                    f.to_uppercase(),
                    arch.to_uppercase()
                ),
            );
        }
    }
    write(&d.join("config/defines.toml"), &defines);
    let config: String = (0..size.of(9_000))
        .map(|k| match k % 3 {
            0 => format!("CONFIG_OPTION_{k}=y\n"),
            1 => format!("# CONFIG_OPTION_{k} is not set\n"),
            _ => format!("CONFIG_OPTION_{k}=m\n"),
        })
        .collect();
    write(&d.join("config/config"), &config);
    write(
        &d.join("bin/gencontrol.py"),
        &(0..size.of(700))
            .map(|k| format!("    def do_step_{k}(self, arch, featureset, flavour):  # example\n"))
            .collect::<String>(),
    );
    patches(&d, size.of(180));
    dst
}

/// Ubuntu's tree (focal era): `debian/` with the common `rules.d/*.mk` (a
/// 300-line install recipe), `debian.master/` with a 2 MB changelog, the
/// annotations, config fragments per arch and flavour, control.d, the root
/// Makefile of the kernel.
pub fn ubuntu(root: &Path, name: &str, size: Size) -> PathBuf {
    let dst = root.join(name);
    copy_dir(&super::trees::testdata("parallel/ubuntu/in"), &dst);
    let m = dst.join("debian.master");
    let d = dst.join("debian");
    write(&m.join("changelog"), &changelog("linux", size.of(980)));
    let mut vars = String::new();
    for k in 0..size.of(270) {
        let _ = writeln!(
            vars,
            "example_var_{k} ?= $(if $(filter true,$(do_example_{k})),yes,no)"
        );
    }
    write(&d.join("rules.d/0-common-vars.mk"), &vars);
    // 2-binary-arch.mk: per-flavour install rules with a 300-line recipe.
    let mut binary = String::from("build-%: $(stampdir)/stamp-build-%\n\t@echo Debug: $@\n\n");
    for rule in 0..size.of(11) {
        // One install rule with a 290-line recipe, the others 20 lines.
        let lines = if rule == 0 { size.of(290) } else { 20 };
        let _ = writeln!(binary, "install-{rule}-%: pkgdir = $(CURDIR)/debian/$(bin_pkg_name)-$*\ninstall-{rule}-%: $(stampdir)/stamp-build-%\n\t@echo Debug: $@\n\tdh_testdir\n\tdh_testroot\n\tdh_prep");
        for j in 0..lines {
            match j % 4 {
                0 => {
                    let _ = writeln!(binary, "\tinstall -m644 -D $(builddir)/build-$*/example{j} \\\n\t\t$(pkgdir)/boot/example{j}-$(abi_release)-$*");
                }
                1 => {
                    let _ = writeln!(binary, "\tif [ -f $(DEBIAN)/control.d/$*.inclusion-list ] ; then \\\n\t\tfind $(pkgdir)/lib/modules -name '*.ko' | sort > $(pkgdir)/list{j}; \\\n\tfi");
                }
                2 => {
                    let _ = writeln!(binary, "\t$(kmake) O=$(builddir)/build-$* $(conc_level) modules_install{j} \\\n\t\tINSTALL_MOD_STRIP=1 INSTALL_MOD_PATH=$(pkgdir)");
                }
                _ => {
                    let _ = writeln!(binary, "\tcp $(builddir)/build-$*/.config $(pkgdir)/boot/config{j}-$(abi_release)-$*");
                }
            }
        }
        binary.push('\n');
    }
    write(&d.join("rules.d/2-binary-arch.mk"), &binary);
    write(
        &d.join("rules.d/1-maintainer.mk"),
        &(0..size.of(60))
            .map(|k| format!("printenv-{k}:\n\t@echo \"example {k} = $(example_var_{k})\"\n"))
            .collect::<String>(),
    );
    // Annotations: options with a policy per arch and a note for half of them.
    let mut annotations = format!(
        "# Menu: HEADER\n# FORMAT: 4\n# ARCH: {}\n# FLAVOUR: {}\n\n",
        ARCHES[..6].join(" "),
        ARCHES[..6]
            .iter()
            .map(|a| format!("{a}-generic"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for k in 0..size.of(7_000) {
        let policy: Vec<String> = ARCHES[..6]
            .iter()
            .enumerate()
            .map(|(i, a)| format!("'{a}': '{}'", ["y", "m", "n", "-"][(k + i) % 4]))
            .collect();
        let _ = writeln!(
            annotations,
            "CONFIG_OPTION_{k:<40} policy<{{{}}}>",
            policy.join(", ")
        );
        if k % 2 == 0 {
            let _ = writeln!(
                annotations,
                "CONFIG_OPTION_{k:<40} note<'LP: #{} keep it as the other flavours do'>\n",
                1_000_000 + k
            );
        }
    }
    write(&m.join("config/annotations"), &annotations);
    // Config fragments, one per arch and flavour, and a common one per arch.
    let flavours: Vec<String> = (0..size.of(20)).map(|i| format!("flavour{i}")).collect();
    for arch in ARCHES {
        write(
            &m.join(format!("config/{arch}/config.common.{arch}")),
            &(0..size.of(300))
                .map(|k| format!("CONFIG_{}_{k}=y\n", arch.to_uppercase()))
                .collect::<String>(),
        );
        for f in &flavours {
            write(
                &m.join(format!("config/{arch}/config.flavour.{f}")),
                &format!("#\n# Config options for config.flavour.{f} automatically generated\n#\nCONFIG_EXAMPLE_{}=y\n", f.to_uppercase()),
            );
        }
        let _ = fs::write(m.join(format!("rules.d/{arch}.mk")), format!("build_arch = {arch}\nflavours = {}\nbuild_image = Image\nkernel_file = arch/$(build_arch)/boot/Image\ninstall_file = vmlinuz\n", flavours.join(" ")));
    }
    for f in &flavours {
        write(&m.join(format!("control.d/vars.{f}")), &format!("arch=\"{}\"\nsupported=\"{f}\"\ntarget=\"Geared toward {f} systems.\"\ndesc=\"{f} kernel\"\nbootloader=\"grub-pc | grub-efi-amd64 | flash-kernel\"\nprovides=\"kvm-api-4, redhat-cluster-modules\"\n", ARCHES.join(" ")));
        write(
            &m.join(format!("control.d/{f}.inclusion-list")),
            &(0..200)
                .map(|k| format!("drivers/example/{f}/module{k}.ko\n"))
                .collect::<String>(),
        );
    }
    // The kernel's own top-level Makefile, read as the tree's root makefile.
    let mut top = String::from(
        "VERSION = 5\nPATCHLEVEL = 4\nSUBLEVEL = 0\nEXTRAVERSION =\nNAME = Example\n\n",
    );
    for k in 0..size.of(600) {
        let _ = writeln!(
            top,
            "ifeq ($(CONFIG_EXAMPLE_{k}),y)\nKBUILD_CFLAGS += -fexample-{k}\nendif"
        );
    }
    write(&dst.join("Makefile"), &top);
    write(&dst.join("Kbuild"), "obj-y += kernel/\n");
    dst
}

/// A tree of thousands of config fragments (a derivative with per-board
/// configs): the cost of a tree with many small files.
pub fn configs(root: &Path, name: &str, size: Size) -> PathBuf {
    let dst = root.join(name);
    copy_dir(
        &super::trees::testdata("flavour/debian-toml-clean/in"),
        &dst,
    );
    let d = dst.join("debian/config");
    for b in 0..size.of(3_000) {
        write(
            &d.join(format!("board{:02}/config.board{b}", b / 100)),
            &format!(
                "CONFIG_BOARD_{b}=y\n# CONFIG_BOARD_{b}_DEBUG is not set\nCONFIG_BOARD_{b}_NR=4\n"
            ),
        );
    }
    dst
}

/// The many-tree set: 16 trees in the corpus's mix — a full-size Debian 6.x and
/// Ubuntu tree, a middle-sized one of each, and twelve small ones (rulesets,
/// mkdebian output, trees with a few makefiles) from the test trees we wrote.
pub fn many_tree_set(root: &Path, size: Size) -> PathBuf {
    let dst = root.join("set");
    let big = if size == Size::Tiny {
        Size::Tiny
    } else {
        Size::Full
    };
    let middle = if size == Size::Tiny {
        Size::Tiny
    } else {
        Size::Quarter
    };
    debian_6x(&dst, "t00-debian-6x", big);
    ubuntu(&dst, "t01-ubuntu", big);
    debian_6x(&dst, "t02-debian-6x-quarter", middle);
    ubuntu(&dst, "t03-ubuntu-quarter", middle);
    let small = [
        "examples/kernel-package",
        "parallel/mkdebian-old/in",
        "parallel/mkdebian-new/in",
        "parallel/custom-j1/in",
        "parallel/debian-linux/in",
        "parallel/build-dir-j1/in",
        "parallel/notparallel/in",
        "cross/proxmox/in",
        "cross/debian-6x/in",
        "flavour/debian-toml-clean/in",
        "parallel/dtbs-only/in",
        "parallel/goal-less/in",
    ];
    for (i, t) in small.iter().enumerate() {
        copy_dir(
            &super::trees::testdata(t),
            &dst.join(format!("t{:02}-{}", i + 4, t.replace('/', "-"))),
        );
    }
    dst
}
