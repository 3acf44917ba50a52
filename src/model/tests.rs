use super::*;

#[test]
fn kernel_version_from_the_makefile_or_a_kernel_changelog() {
    let version = |files: &[(&str, &str)]| Model::build(&Tree::from_memory(files)).kernel_version();
    let log = |l: &'static str| ("debian/changelog", l);
    assert_eq!(
        version(&[log("linux (4.15.0-42.45) bionic; urgency=medium\n")]),
        Some((4, 15))
    );
    assert_eq!(
        version(&[log(
            "linux-aws (5.15.0-1103.110bb1) jammy; urgency=medium\n"
        )]),
        Some((5, 15))
    );
    assert_eq!(
        version(&[log("linux (4.12~rc6-2) unstable; urgency=medium\n")]),
        Some((4, 12))
    );
    assert_eq!(
        version(&[log("pve-kernel (5.15.131-2) bookworm; urgency=medium\n")]),
        Some((5, 15))
    );
    // Not a kernel's version: kernel-package's own, a packager's date.
    assert_eq!(
        version(&[log("kernel-package (13.018) unstable; urgency=low\n")]),
        None
    );
    assert_eq!(
        version(&[log("linux-custom (20140901-1) trusty; urgency=low\n")]),
        None
    );
    // The kernel's own Makefile wins over the changelog.
    assert_eq!(
        version(&[
            ("Makefile", "VERSION = 3\nPATCHLEVEL = 16\nSUBLEVEL = 1\n"),
            log("linux (4.4.0-1.1) xenial; urgency=low\n"),
        ]),
        Some((3, 16))
    );
}

/// A name is not enough: an md5sum list or a stored symbolic link named like a
/// template is no control file, while a broken `debian/control` still is one.
#[test]
fn compat_from_debhelper_compat() {
    let tree = Tree::from_memory(&[
        (
            "debian/control",
            "Source: x\nBuild-Depends: debhelper-compat (= 12), bc\n\nPackage: x\n",
        ),
        ("debian/rules", "%:\n\tdh $@\n"),
    ]);
    let m = Model::build(&tree);
    assert_eq!(m.compat.as_ref().unwrap().level, 12);
    assert_eq!(m.commands.len(), 1);
}

#[test]
fn subsumes_included_roots() {
    let tree = Tree::from_memory(&[
        (
            "debian/rules",
            "include debian/rules.defs\nall:\n\t$(MAKE) -f debian/rules.real\n",
        ),
        ("debian/rules.defs", "X = 1\n"),
        (
            "debian/rules.real",
            "include debian/rules.defs\nb:\n\techo $(X)\n",
        ),
    ]);
    let m = Model::build(&tree);
    let roots: Vec<&str> = m.programs.iter().map(|p| m.file_rel(p.root)).collect();
    assert_eq!(roots, ["debian/rules", "debian/rules.real"]);
}

/// A derivative's annotations include master's; what counts is what
/// annotations.py makes of the chain: keys set after the include line win,
/// keys set before it lose, a file further down the chain is scoped by the
/// branch file too, and only the branch file's `# ARCH:` is built.
#[test]
fn included_annotations_follow_annotations_py() {
    let master = "# ARCH: amd64 arm64 s390x\nCONFIG_A policy<{'amd64': 'y', 'arm64': 'y'}>\nCONFIG_B policy<{'arm64': 'y'}>\nCONFIG_C policy<{'s390x': 'y'}>\nCONFIG_D policy<{'arm64': 'y'}>\n";
    let mid = "# ARCH: amd64 arm64 s390x\ninclude \"../../debian.master/config/annotations\"\nCONFIG_D policy<{'arm64': 'n'}>\n";
    let branch = "# ARCH: arm64\nCONFIG_B policy<{'arm64': 'n'}>\ninclude \"../../debian.mid/config/annotations\"\nCONFIG_A policy<{'arm64': 'n'}>\n";
    let files = [
        ("debian/debian.env", "DEBIAN=debian.cloud\n"),
        ("debian.cloud/config/annotations", branch),
        ("debian.mid/config/annotations", mid),
        ("debian.master/config/annotations", master),
    ];
    let tree = Tree::from_memory(&files);
    let m = Model::build(&tree);
    let on = |name: &str| m.config_enabled(name).is_some();
    assert!(
        !on("CONFIG_A"),
        "set after the include: the branch's n wins"
    );
    assert!(on("CONFIG_B"), "set before the include: master's y wins");
    assert!(!on("CONFIG_C"), "s390x is not built by the branch");
    assert!(!on("CONFIG_D"), "the middle file's n wins over master's y");
    // Without a branch, no file is scoped by another: master's own values count.
    let tree = Tree::from_memory(&files[1..]);
    let m = Model::build(&tree);
    assert!(m.config_enabled("CONFIG_C").is_some());
}
