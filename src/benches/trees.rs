//! Trees for the benchmarks, generated from the test trees we wrote and scaled to
//! the sizes of real kernel packaging. Shared by `cargo bench` (lint.rs) and the
//! whole-process timings (process.sh, through `KPKG_LINT_BENCH_TREES`).

use super::shapes;
use std::fs;
use std::path::{Path, PathBuf};

pub const ARCHES: &[&str] = &[
    "amd64", "arm64", "armhf", "i386", "ppc64el", "riscv64", "s390x", "loong64", "mips64el",
    "powerpc", "sparc64", "alpha",
];

pub struct BenchTrees {
    /// Ubuntu style: 12 arch files × 20 flavours, with vars files and an
    /// annotations file of 8,500 options, 1.7 MB (the size of a current
    /// Ubuntu-derived `debian.master/config/annotations`).
    pub ubuntu: PathBuf,
    /// Debian's `linux` style with its full template set, per-arch defines, large
    /// config fragments, a long changelog and a quilt series of 300 patches.
    pub debian: PathBuf,
    /// A kernel-package (make-kpkg) ruleset.
    pub kernel_package: PathBuf,
    /// A kernel source tree of 80,000 files with the Ubuntu packaging at its root.
    pub kernel: PathBuf,
    /// A directory of 2,000 small source packages.
    pub many: PathBuf,
    /// One tree of 40,000 packaging files: 20,000 makefiles no other file includes
    /// and a quilt series of 20,000 patches. Its cost must grow with the file count,
    /// not its square (issue 16: 100,000 files took 40 s).
    pub wide: PathBuf,
    /// An apt `Packages` index of 63,000 stanzas (Debian main, one architecture).
    pub index: PathBuf,
    /// The real trees' shapes (shapes.rs): Debian's `linux` 6.x, Ubuntu's tree,
    /// 3,000 config fragments, and the many-tree set of 16.
    pub debian_6x: PathBuf,
    pub ubuntu_shape: PathBuf,
    pub configs: PathBuf,
    pub set: PathBuf,
    /// A mirror's `dists/` with such an index for amd64 and for arm64.
    pub cross: PathBuf,
}

pub fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

pub fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// Every tree, under `root`. `small` shrinks the big ones for `cargo test --benches`.
pub fn generate(root: &Path, small: bool) -> BenchTrees {
    let size = if small {
        shapes::Size::Tiny
    } else {
        shapes::Size::Full
    };
    BenchTrees {
        ubuntu: ubuntu_tree(root),
        debian: debian_tree(root),
        kernel_package: testdata("examples/kernel-package"),
        kernel: kernel_tree(root, if small { 2_000 } else { 80_000 }),
        many: many_packages(root, if small { 50 } else { 2_000 }),
        wide: wide_tree(root, if small { 500 } else { 20_000 }),
        index: packages_index(root, if small { 500 } else { 63_000 }),
        debian_6x: shapes::debian_6x(root, "debian-6x", size),
        ubuntu_shape: shapes::ubuntu(root, "ubuntu-shape", size),
        configs: shapes::configs(root, "configs-3000", size),
        set: shapes::many_tree_set(root, size),
        cross: cross_mirror(root, if small { 500 } else { 63_000 }),
    }
}

/// An Ubuntu-style tree with 12 arch files and 20 flavours each.
pub fn ubuntu_tree(root: &Path) -> PathBuf {
    let dst = root.join("ubuntu");
    copy_dir(&testdata("parallel/ubuntu/in"), &dst);
    let flavours: Vec<String> = (0..20).map(|i| format!("flavour{i}")).collect();
    for arch in ARCHES {
        let mut mk = format!("build_arch = {arch}\nflavours = {}\nbuild_image = Image\nkernel_file = arch/$(build_arch)/boot/Image\ninstall_file = vmlinuz\ndo_tools_perf = true\n", flavours.join(" "));
        for f in &flavours {
            mk.push_str(&format!(
                "build_image_{f} = Image\nkernel_file_{f} = arch/$(build_arch)/boot/Image\n"
            ));
        }
        fs::write(dst.join(format!("debian.master/rules.d/{arch}.mk")), mk).unwrap();
    }
    // The annotations: every option with a policy for each architecture, some
    // with a note, under the headers naming every arch and flavour.
    let mut annotations = format!(
        "# Menu: HEADER\n# FORMAT: 4\n# ARCH: {}\n# FLAVOUR: {}\n\n",
        ARCHES.join(" "),
        ARCHES
            .iter()
            .flat_map(|a| flavours.iter().map(move |f| format!("{a}-{f}")))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for k in 0..8_500 {
        let policy: Vec<String> = ARCHES[..6]
            .iter()
            .enumerate()
            .map(|(i, a)| format!("'{a}': '{}'", ["y", "m", "n", "-"][(k + i) % 4]))
            .collect();
        annotations.push_str(&format!(
            "CONFIG_OPTION_{k:<40} policy<{{{}}}>\n",
            policy.join(", ")
        ));
        if k % 2 == 0 {
            annotations.push_str(&format!(
                "CONFIG_OPTION_{k:<40} note<'LP: #{} keep it as the other flavours do'>\n\n",
                2_000_000 + k
            ));
        }
    }
    fs::create_dir_all(dst.join("debian.master/config")).unwrap();
    fs::write(dst.join("debian.master/config/annotations"), annotations).unwrap();
    fs::create_dir_all(dst.join("debian.master/control.d")).unwrap();
    for f in &flavours {
        fs::write(dst.join(format!("debian.master/control.d/vars.{f}")), format!("arch=\"{}\"\nsupported=\"{f}\"\ntarget=\"Geared toward {f} systems.\"\ndesc=\"{f} kernel\"\nbootloader=\"grub-pc | grub-efi-amd64 | flash-kernel\"\nprovides=\"kvm-api-4, redhat-cluster-modules\"\n", ARCHES.join(" "))).unwrap();
    }
    dst
}

/// Binary package templates of Debian's `linux` (the newer `<name>.control.in`
/// spelling) and maintainer script templates.
pub const DEBIAN_TEMPLATES: &[&str] = &[
    "main.control.in",
    "image.control.in",
    "image-dbg.control.in",
    "headers.control.in",
    "headers.featureset.control.in",
    "config.control.in",
    "docs.control.in",
    "extra.control.in",
    "libc-dev.control.in",
    "signed-template.control.in",
    "sourcebin.control.in",
    "tools-unversioned.control.in",
    "tools-versioned.control.in",
    "image.postinst.in",
    "image.postrm.in",
    "image.preinst.in",
    "image.prerm.in",
    "headers.postinst.in",
    "image.bug-presubj.in",
    "image.lintian-overrides.in",
    "headers.lintian-overrides.in",
    "sourcebin.lintian-overrides.in",
    "libc-dev.lintian-overrides.in",
];

/// A Debian `linux`-style tree at full size.
pub fn debian_tree(root: &Path) -> PathBuf {
    let dst = root.join("debian-linux");
    copy_dir(&testdata("flavour/debian-toml-clean/in"), &dst);
    copy_dir(&testdata("parallel/debian-linux/in"), &dst);
    copy_dir(
        &testdata("cross/debian-6x/in/debian/templates"),
        &dst.join("debian/templates"),
    );
    let d = dst.join("debian");
    for (i, name) in DEBIAN_TEMPLATES.iter().enumerate() {
        let body = if name.contains(".control.") {
            (0..6)
                .map(|k| format!("Package: linux-{name}-@abiname@@localversion@-{k}\nBuild-Profiles: <!stage1 !pkg.linux.nokernel>\nArchitecture: @arch@\nDepends: ${{misc:Depends}}, linux-kbuild-@version@ (>= ${{source:Version}}), kmod, initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool\nRecommends: firmware-linux-free, apparmor\nSuggests: linux-doc-@version@, debian-kernel-handbook\nDescription: Linux @version@ {name} {k} for @class@\n The Linux kernel @upstreamversion@ and modules for use on @longclass@.\n .\n Template {i}, stanza {k}.\n\n"))
                .collect::<String>()
        } else {
            format!("#!/bin/sh -e\n# {name}\nversion=@abiname@@localversion@\nimage_path=/boot/@image-stem@-$version\nif [ -d /etc/kernel/postinst.d ]; then\n  DEB_MAINT_PARAMS=\"$*\" run-parts --report --exit-on-error --arg=$version \\\n    --arg=$image_path /etc/kernel/postinst.d\nfi\nexit 0\n")
        };
        fs::write(d.join("templates").join(name), body).unwrap();
    }
    // defines.toml: 10 kernel architectures, 3 flavours each, with descriptions.
    let mut defines = String::from("# generated for the benchmark\n");
    for arch in &ARCHES[..10] {
        defines.push_str(&format!("\n[[kernelarch]]\nname = '{arch}'\n  [[kernelarch.debianarch]]\n  name = '{arch}'\n    [[kernelarch.debianarch.featureset]]\n    name = 'none'\n"));
        for flavour in ["generic", "cloud", "rt"] {
            defines.push_str(&format!("    [[kernelarch.debianarch.flavour]]\n    name = '{flavour}-{arch}'\n      [kernelarch.debianarch.flavour.description]\n      hardware = '{arch} {flavour}'\n      hardware_long = '{arch} machines, {flavour} configuration'\n      [kernelarch.debianarch.flavour.build]\n      config = ['config.cloud']\n"));
        }
        fs::create_dir_all(d.join(format!("config/{arch}"))).unwrap();
        fs::write(
            d.join(format!("config/{arch}/defines.toml")),
            format!("[build]\nimage_file = 'arch/{arch}/boot/bzImage'\n"),
        )
        .unwrap();
        let config: String = (0..800)
            .map(|k| format!("CONFIG_{}_OPTION_{k}=m\n", arch.to_uppercase()))
            .collect();
        fs::write(d.join(format!("config/{arch}/config")), config).unwrap();
    }
    defines.push_str("\n[[featureset]]\nname = 'none'\n\n[build]\ncompiler = 'gcc-14'\n");
    fs::write(d.join("config/defines.toml"), defines).unwrap();
    // The common config fragment: several thousand options, as Debian's is.
    let config: String = (0..8_000)
        .map(|k| match k % 3 {
            0 => format!("CONFIG_OPTION_{k}=y\n"),
            1 => format!("# CONFIG_OPTION_{k} is not set\n"),
            _ => format!("CONFIG_OPTION_{k}=m\n"),
        })
        .collect();
    fs::write(d.join("config/config"), config).unwrap();
    // A changelog as long as a kernel package's becomes (about 3 MB).
    let mut changelog = fs::read_to_string(d.join("changelog")).unwrap();
    for k in (0..2_500).rev() {
        changelog.push_str(&format!(
            "\nlinux (5.{}.{}-1) unstable; urgency=medium\n\n",
            k / 100,
            k % 100
        ));
        for j in 0..20 {
            changelog.push_str(&format!("  * [x86] Fix entry {j} of upload {k}: example driver no longer oopses on resume\n    (Closes: #{})\n", 900_000 + k * 20 + j));
        }
        changelog.push_str("\n -- Example Kernel Maintainers <kernel-maint@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n");
    }
    fs::write(d.join("changelog"), changelog).unwrap();
    // A quilt series of 300 patches against kernel source files.
    fs::create_dir_all(d.join("patches/bugfix/all")).unwrap();
    let mut series = String::new();
    for k in 0..300 {
        let name = format!("bugfix/all/fix-example-{k}.patch");
        series.push_str(&name);
        series.push('\n');
        let mut patch = format!("From: Example Developer <dev@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nSubject: example: fix case {k}\n\nA generated patch for the benchmark.\n\n---\n--- a/drivers/example/file{k}.c\n+++ b/drivers/example/file{k}.c\n");
        for h in 0..4 {
            patch.push_str(&format!("@@ -{0},7 +{0},7 @@ static int example_{k}(void)\n \tint a = 0;\n \tint b = 1;\n \tint c = 2;\n-\treturn a + b;\n+\treturn a + b + c;\n \tint d = 3;\n \tint e = 4;\n \tint f = 5;\n", 10 + h * 40));
        }
        fs::write(d.join("patches").join(&name), patch).unwrap();
    }
    fs::write(d.join("patches/series"), series).unwrap();
    dst
}

/// A kernel source tree of `files` files with the Ubuntu-style packaging at its root:
/// discovery must not read (or even walk) the kernel source.
pub fn kernel_tree(root: &Path, files: usize) -> PathBuf {
    let dst = root.join("linux");
    copy_dir(&testdata("parallel/ubuntu/in"), &dst);
    fs::write(dst.join("Makefile"), "VERSION = 6\n").unwrap();
    fs::write(dst.join("Kbuild"), "obj-y += kernel/\n").unwrap();
    let dirs = [
        "arch/x86/kernel",
        "drivers/net/ethernet",
        "fs/ext4",
        "include/linux",
        "kernel/sched",
        "mm",
        "net/ipv4",
        "sound/core",
        "tools/perf/util",
        "Documentation/admin-guide",
    ];
    for i in 0..files {
        let d = dst.join(dirs[i % dirs.len()]).join(format!("d{}", i / 500));
        if i % 500 < dirs.len() {
            fs::create_dir_all(&d).unwrap();
        }
        fs::write(d.join(format!("f{i}.c")), "int x;\n").unwrap();
    }
    dst
}

/// A directory of `n` small source packages (debian/rules, control, changelog).
pub fn many_packages(root: &Path, n: usize) -> PathBuf {
    let dst = root.join("many");
    for i in 0..n {
        let d = dst.join(format!("pkg{i}/debian"));
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("rules"), format!("#!/usr/bin/make -f\n%:\n\tdh $@\n\noverride_dh_auto_build:\n\t$(MAKE) KERNELRELEASE=6.1.{i} bindeb-pkg\n")).unwrap();
        fs::write(d.join("control"), format!("Source: pkg{i}\nMaintainer: A <a@example.org>\nBuild-Depends: debhelper-compat (= 13), bc, bison, flex, libssl-dev\n\nPackage: pkg{i}\nArchitecture: any\nDescription: package {i}\n")).unwrap();
        fs::write(d.join("changelog"), format!("pkg{i} (1.0-1) bookworm; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n")).unwrap();
    }
    dst
}

/// One tree with `n` makefiles under `debian/extra/` (none included by another, so
/// each is a program of its own) and `n` patches in its quilt series.
pub fn wide_tree(root: &Path, n: usize) -> PathBuf {
    let dst = root.join("wide");
    let d = dst.join("debian");
    fs::create_dir_all(d.join("patches")).unwrap();
    fs::write(d.join("rules"), "#!/usr/bin/make -f\n%:\n\tdh $@\n").unwrap();
    fs::write(d.join("control"), "Source: wide\nMaintainer: A <a@example.org>\nBuild-Depends: debhelper-compat (= 13)\n\nPackage: wide\nArchitecture: any\nDescription: wide\n").unwrap();
    let mut series = String::new();
    for i in 0..n {
        let sub = d.join(format!("extra/s{}", i / 1000));
        if i % 1000 == 0 {
            fs::create_dir_all(&sub).unwrap();
        }
        fs::write(sub.join(format!("f{i}.mk")), format!("V{i} = {i}\n")).unwrap();
        let name = format!("p{i}.patch");
        fs::write(
            d.join("patches").join(&name),
            format!("--- a/f{i}\n+++ b/f{i}\n@@ -1 +1 @@\n-a\n+b\n"),
        )
        .unwrap();
        series.push_str(&name);
        series.push('\n');
    }
    fs::write(d.join("patches/series"), series).unwrap();
    dst
}

/// A generated `Packages` index: `n` stanzas with the fields of a real one.
pub fn packages_index(dir: &Path, n: usize) -> PathBuf {
    let p = dir.join("Packages");
    fs::write(&p, packages_text(n, "amd64")).unwrap();
    p
}

/// The stanzas of [`packages_index`] for one architecture: one in eight is
/// `Architecture: all`, as in Debian main, and is in every architecture's index.
fn packages_text(n: usize, arch: &str) -> String {
    let mut text = String::with_capacity(n * 720);
    for i in 0..n {
        let a = if i % 8 == 7 { "all" } else { arch };
        text.push_str(&format!(
            "Package: pkg{i}\nSource: src{s}\nVersion: 1.{i}-{r}\nInstalled-Size: {sz}\nMaintainer: Example Maintainer <maint{s}@example.org>\nArchitecture: {a}\nMulti-Arch: {ma}\nProvides: virtual{v}, pkg{i}-abi (= 1.{i})\nDepends: libc6 (>= 2.34), libfoo{s} (>= 1.2), bar | baz\nDescription: generated package number {i} for the benchmark\nHomepage: https://example.org/{s}\nDescription-md5: 0123456789abcdef0123456789abcdef\nTag: devel::library, implemented-in::c, role::devel-lib\nSection: libdevel\nPriority: optional\nFilename: pool/main/s/src{s}/pkg{i}_1.{i}-{r}_{a}.deb\nSize: {sz}\nMD5sum: 0123456789abcdef0123456789abcdef\nSHA256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n\n",
            s = i / 3,
            r = i % 7,
            sz = 1000 + i,
            ma = ["same", "foreign", "allowed", "no"][i % 4],
            v = i % 100,
        ));
    }
    text
}

/// A mirror of one suite with the generated index for amd64 and for arm64
/// (`dists/bookworm/main/binary-*/Packages` and a Release file), as a cross
/// build reads them. Returns the `dists` directory.
pub fn cross_mirror(root: &Path, n: usize) -> PathBuf {
    let dists = root.join("mirror/dists");
    let suite = dists.join("bookworm");
    for arch in ["amd64", "arm64"] {
        let d = suite.join(format!("main/binary-{arch}"));
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("Packages"), packages_text(n, arch)).unwrap();
    }
    fs::write(
        suite.join("Release"),
        "Codename: bookworm\nArchitectures: amd64 arm64\nComponents: main\n",
    )
    .unwrap();
    dists
}

/// Build-Depends of a kernel's size over the generated packages: 60 entries,
/// plain, `:native`, `:any`, versioned, virtual, alternatives and restrictions.
pub fn cross_build_depends(n: usize) -> String {
    let mut entries = Vec::new();
    for k in 0..60 {
        let i = (k * 997) % n;
        entries.push(match k % 6 {
            0 => format!("pkg{i}"),
            1 => format!("pkg{i}:native"),
            2 => format!("pkg{i}:any"),
            3 => format!("pkg{i} (>= 1.0)"),
            4 => format!("virtual{} | pkg{i}", k % 100),
            _ => format!("pkg{i} [amd64 arm64] <!nodoc>"),
        });
    }
    entries.join(",\n ")
}

/// A source tree whose Build-Depends are [`cross_build_depends`], targeting
/// bookworm: what `kpkg-lint resolve` reads in process.sh.
pub fn cross_tree(root: &Path, n: usize) -> PathBuf {
    let dst = root.join("cross-tree");
    fs::create_dir_all(dst.join("debian")).unwrap();
    fs::write(
        dst.join("debian/control"),
        format!(
            "Source: linux-bench\nBuild-Depends:\n {}\n\nPackage: linux-image-bench\nArchitecture: amd64 arm64\n",
            cross_build_depends(n)
        ),
    )
    .unwrap();
    fs::write(
        dst.join("debian/changelog"),
        "linux-bench (1.0-1) bookworm; urgency=medium\n\n  * Bench.\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n",
    )
    .unwrap();
    dst
}
