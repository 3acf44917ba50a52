use super::*;
use crate::archive::{parse_packages, IndexInfo};
use crate::model::relation::parse_relations;

fn index(suite: &str, component: &str, arch: &str, text: &str) -> (IndexInfo, Vec<Record>) {
    (
        IndexInfo {
            suite: Some(suite.into()),
            component: Some(component.into()),
            architecture: Some(arch.into()),
            suite_components: vec!["main".into(), "universe".into(), "multiverse".into()],
            ..Default::default()
        },
        parse_packages(text).unwrap(),
    )
}

const AMD64: &str = "\
Package: libssl-dev\nVersion: 3.0.15-1\nArchitecture: amd64\nMulti-Arch: same\n
Package: bison\nVersion: 2:3.8.2\nArchitecture: amd64\nMulti-Arch: foreign\n
Package: python3\nVersion: 3.11.2-1\nArchitecture: amd64\nMulti-Arch: allowed\n
Package: sphinx-theme\nVersion: 1.2.0\nArchitecture: all\n
Package: docbook-tools\nVersion: 0.6\nArchitecture: all\nMulti-Arch: foreign\n
Package: dwarves\nVersion: 1.24-4.1\nArchitecture: all\nMulti-Arch: foreign\nDepends: pahole (>= 1.24)\nDescription: DWARF utilities - transitional package\n
Package: pahole\nVersion: 1.24-4.1\nArchitecture: amd64\nMulti-Arch: foreign\n
Package: mawk\nVersion: 1.3.4\nArchitecture: amd64\nMulti-Arch: foreign\nProvides: awk\n
Package: x86-only-tool\nVersion: 1.0\nArchitecture: amd64\n
Package: libpci-host-dev\nVersion: 1.0\nArchitecture: amd64\nMulti-Arch: same\nProvides: libpci-api\n
Package: kernel-wedge\nVersion: 2.104\nArchitecture: all\nMulti-Arch: foreign\n
";
const ARM64: &str = "\
Package: libssl-dev\nVersion: 3.0.15-1\nArchitecture: arm64\nMulti-Arch: same\n
Package: bison\nVersion: 2:3.8.2\nArchitecture: arm64\nMulti-Arch: foreign\n
Package: python3\nVersion: 3.11.2-1\nArchitecture: arm64\nMulti-Arch: allowed\n
Package: sphinx-theme\nVersion: 1.2.0\nArchitecture: all\n
Package: arm-only-tool\nVersion: 1.0\nArchitecture: arm64\n
Package: kernel-wedge\nVersion: 2.104\nArchitecture: all\nMulti-Arch: foreign\n
";
const UNIVERSE: &str =
    "Package: dh-systemd\nVersion: 12.10\nArchitecture: all\nMulti-Arch: foreign\n";
const BACKPORTS: &str =
    "Package: kernel-wedge\nVersion: 2.105\nArchitecture: all\nMulti-Arch: foreign\n";

fn archive() -> Archive {
    let mut a = Archive::default();
    for (info, records) in [
        index("focal", "main", "amd64", AMD64),
        index("focal", "main", "arm64", ARM64),
        index("focal", "universe", "amd64", UNIVERSE),
    ] {
        a.add(info, records);
    }
    let (mut info, records) = index("focal", "main", "amd64", BACKPORTS);
    info.pin = 100;
    a.add(info, records);
    a
}

fn chroot(a: &Archive) -> Chroot<'_> {
    Chroot::new(
        a,
        "focal",
        Arches {
            build: "amd64".into(),
            host: "arm64".into(),
        },
        Some(&["main".to_string()]),
    )
}

/// Each relation → `name:arch` of the pick, or the reason's kind.
fn outcomes(text: &str) -> Vec<String> {
    let a = archive();
    let c = chroot(&a);
    let (groups, _) = parse_relations(text, 0);
    let refs: Vec<&RelationGroup> = groups.iter().collect();
    c.resolve_groups(&refs, &[])
        .iter()
        .map(|g| match (g.picked(), g.failure()) {
            (Some(p), _) => format!(
                "{}:{}{}",
                p.record.name,
                p.arch,
                p.provides
                    .as_ref()
                    .map(|v| format!(" for {v}"))
                    .unwrap_or_default()
            ),
            (None, Some((_, r))) => r.kind().to_string(),
            (None, None) => "inactive".to_string(),
        })
        .collect()
}

#[test]
fn multi_arch_decides_the_architecture() {
    assert_eq!(
        outcomes("libssl-dev, libssl-dev:native, bison, bison:native, python3, docbook-tools, dwarves, libssl-dev:arm64"),
        [
            "libssl-dev:arm64",
            "libssl-dev:amd64",
            "bison:amd64",
            "bison:amd64",
            "python3:arm64",
            "docbook-tools:amd64",
            "dwarves:amd64",
            "libssl-dev:arm64"
        ]
    );
    // `:any` takes the build machine's allowed package, as apt does.
    assert_eq!(outcomes("python3:any"), ["python3:amd64"]);
}

#[test]
fn virtual_packages_through_provides() {
    // mawk is foreign: it provides awk for every architecture.
    assert_eq!(
        outcomes("awk, awk:native"),
        ["mawk:amd64 for awk", "mawk:amd64 for awk"]
    );
    // Versioned relation, unversioned Provides; a same provider of the build arch only.
    assert_eq!(outcomes("awk (>= 1)"), ["virtual-without-provider"]);
    assert_eq!(outcomes("libpci-api"), ["virtual-without-provider"]);
    assert_eq!(
        outcomes("libpci-api:native"),
        ["libpci-host-dev:amd64 for libpci-api"]
    );
    assert_eq!(outcomes("awk:any"), ["virtual-without-provider"]);
}

#[test]
fn every_reason() {
    assert_eq!(
        outcomes("no-such-thing, dh-systemd, sphinx-theme, x86-only-tool, arm-only-tool:native, bison:any, libssl-dev:any, bison (<< 2:3), kernel-wedge (>= 2.105), @SRC@-doc"),
        [
            "no-such-package",
            "component-not-enabled",
            "wrong-architecture",
            "wrong-architecture",
            "wrong-architecture",
            "any-not-allowed",
            "any-not-allowed",
            "version",
            "version",
            "not-a-package-name"
        ]
    );
    let a = archive();
    let c = chroot(&a);
    let (g, _) = parse_relations(
        "kernel-wedge (>= 2.105), dh-systemd, no-such-thing, sphinx-theme, x86-only-tool",
        0,
    );
    let why: Vec<String> = g
        .iter()
        .map(|g| {
            c.resolve(&g.alternatives[0])
                .unwrap_err()
                .describe(&g.alternatives[0].name, &c)
        })
        .collect();
    // The backports version is not the candidate: the release's is.
    assert!(why[0].contains("kernel-wedge:amd64 2.104"), "{}", why[0]);
    assert!(why[1].contains("only in focal/universe"), "{}", why[1]);
    assert!(
        why[2].contains("the suite also has multiverse, universe"),
        "{}",
        why[2]
    );
    assert!(
        why[3].contains("Architecture: all") && why[3].contains("`sphinx-theme:native`"),
        "{}",
        why[3]
    );
    assert!(
        why[4].contains("built for amd64 but not for arm64"),
        "{}",
        why[4]
    );
}

#[test]
fn alternatives_in_order_arch_lists_and_profiles() {
    assert_eq!(
        outcomes("x86-only-tool | bison, bison [amd64], x86-only-tool [!arm64], python3 <stage1>, no-such-thing <!nocheck> | pahole"),
        ["bison:amd64", "inactive", "inactive", "inactive", "pahole:amd64"]
    );
    let a = archive();
    let c = chroot(&a);
    let (g, _) = parse_relations("x86-only-tool | bison | pahole", 0);
    let r = c.resolve_group(&g[0], &[]);
    assert_eq!(r.chosen, Some(1));
    assert!(matches!(
        r.alternatives[0].1,
        AltState::Failed(Reason::WrongArch { .. })
    ));
    assert!(matches!(r.alternatives[2].1, AltState::NotTried));
}

/// `python3:native, python3`: python3 is allowed, not same; the later entry fails.
#[test]
fn two_architectures_of_a_package_that_is_not_same() {
    assert_eq!(
        outcomes("python3:native, python3, libssl-dev:native, libssl-dev, bison:native, bison"),
        [
            "python3:amd64",
            "not-co-installable",
            "libssl-dev:amd64",
            "libssl-dev:arm64",
            "bison:amd64",
            "bison:amd64"
        ]
    );
}

#[test]
fn package_names() {
    assert!(
        is_package_name("libssl-dev") && is_package_name("g++-12") && is_package_name("0xffff")
    );
    assert!(!is_package_name("SRCPKGNAME") && !is_package_name("@SRC@") && !is_package_name("a"));
}
