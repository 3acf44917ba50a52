//! Why an entry cannot be had, against small indices we wrote in apt's list
//! layout (testdata/resolve/lists-focal); `resolve`'s usage errors; and the
//! corpus trees' resolutions when ../shared/corpus is present.

use super::super::common::{stderr, stdout, testdata};
use super::{apt_ready, resolve_json, rows, Row};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

const FOCAL: &str = "resolve/focal/in";

fn focal(args: &[&str]) -> (Value, Output) {
    let lists = testdata("resolve/lists-focal");
    let mut a = vec![
        "--host-arch",
        "arm64",
        "--build-arch",
        "amd64",
        "--archive",
        lists.to_str().unwrap(),
    ];
    a.extend_from_slice(args);
    resolve_json(&testdata(FOCAL), &a)
}

/// Every reason an entry cannot be had, and the notes on entries that can,
/// against the Ubuntu-layout lists under testdata/resolve/lists-focal with only
/// main enabled.
#[test]
fn each_failure_reason() {
    let (v, o) = focal(&["--components", "main"]);
    assert_eq!(o.status.code(), Some(1), "entries cannot be had: status 1");
    let rows = rows(&v);
    let by = |name: &str| -> &Row {
        rows.iter()
            .find(|r| r.relation.starts_with(name))
            .unwrap_or_else(|| panic!("no row {name}"))
    };
    let outcome = |r: &Row| match r.status.as_str() {
        "resolved" => format!("{}:{}", r.package, r.arch),
        "unresolvable" => r.reason.clone(),
        s => s.to_string(),
    };
    for (name, want) in [
        ("debhelper", "debhelper:amd64"),
        ("dh-systemd", "dh-systemd:amd64"),
        ("makedumpfile", "inactive"),
        ("libssl-dev:native", "libssl-dev:amd64"),
        ("libssl-dev <", "libssl-dev:arm64"),
        ("libelf-dev", "libelf-dev:arm64"),
        ("flex:native", "flex:amd64"),
        ("bison:any", "any-not-allowed"),
        ("python3:native", "python3:amd64"),
        ("python3,", "not-co-installable"),
        ("dwarves", "component-not-enabled"),
        ("kernel-wedge", "version"),
        ("libipt-dev", "wrong-architecture"),
        ("libopencsd-dev:native", "wrong-architecture"),
        ("awk", "virtual-without-provider"),
        ("libpve-common-perl", "no-such-package"),
        ("libnuma-dev", "cpio:amd64"),
        ("xmlto", "xmlto:amd64"),
        ("python3-sphinx <", "wrong-architecture"),
        ("python3-sphinx-rtd-theme", "component-not-enabled"),
        ("transfig", "wrong-architecture"),
    ] {
        // `python3,` is the plain entry: the relation text has no comma, so
        // match it exactly.
        let r = if name == "python3," {
            rows.iter().find(|r| r.relation == "python3").unwrap()
        } else {
            by(name)
        };
        assert_eq!(outcome(r), want, "{name}: {r:?}");
    }
    let entries = v["trees"][0]["entries"].as_array().unwrap();
    let entry = |name: &str| {
        entries
            .iter()
            .find(|e| e["relation"].as_str().unwrap().starts_with(name))
            .unwrap()
    };
    let message = |name: &str| entry(name)["message"].as_str().unwrap().to_string();
    assert!(
        message("dwarves").contains("only in focal/universe"),
        "{}",
        message("dwarves")
    );
    assert!(
        message("kernel-wedge").contains("kernel-wedge:amd64 2.102ubuntu1"),
        "the candidate is named: {}",
        message("kernel-wedge")
    );
    assert!(message("libipt-dev").contains("built for amd64 but not for arm64"));
    assert!(message("libopencsd-dev").contains("built for arm64 but not for amd64"));
    assert!(message("awk").contains("without a version"));
    assert!(message("libpve-common-perl")
        .contains("multiverse, restricted, universe, whose indices were not given"));
    assert!(message("python3-sphinx <").contains("Architecture: all"));
    let notes = |name: &str| -> Vec<String> {
        entry(name)["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(notes("dh-systemd"), ["transitional"]);
    // Transitional, and not installable for the host (Architecture: all, not
    // foreign): the note says what to depend on instead.
    assert_eq!(notes("transfig"), ["transitional"]);
    assert_eq!(notes("flex:native"), ["native-on-foreign"]);
    assert_eq!(notes("python3:native"), ["native-not-co-installable"]);
    assert_eq!(v["trees"][0]["summary"]["unresolvable"], 13);

    // With universe enabled, those entries resolve; dwarves is not foreign: arm64.
    let (v, _) = focal(&["--components", "main,universe"]);
    let with_universe = self::rows(&v);
    let find = |n: &str| {
        with_universe
            .iter()
            .find(|r| r.relation.starts_with(n))
            .unwrap()
    };
    assert_eq!(
        (
            find("dwarves").package.as_str(),
            find("dwarves").arch.as_str()
        ),
        ("dwarves", "arm64")
    );
    assert_eq!(find("fig2dev").arch, "amd64");
    assert_eq!(
        find("python3-sphinx-rtd-theme").reason,
        "wrong-architecture"
    );
    // Build profiles and --arch-only leave entries out, as apt's -P and --arch-only.
    let (v, _) = focal(&[
        "--components",
        "main",
        "--profiles",
        "stage1",
        "--arch-only",
    ]);
    let staged = self::rows(&v);
    assert!(
        staged.iter().all(|r| !r.relation.starts_with("xmlto")),
        "Build-Depends-Indep left out"
    );
    assert_eq!(
        staged
            .iter()
            .find(|r| r.relation.starts_with("libipt-dev"))
            .unwrap()
            .status,
        "inactive"
    );
}

#[test]
fn resolve_usage_errors() {
    let lists = testdata("resolve/lists-focal");
    let lists = lists.to_str().unwrap();
    let dir = testdata(FOCAL);
    for (args, want) in [
        (vec!["resolve", "--archive", lists], "--host-arch"),
        (
            vec![
                "resolve",
                "--host-arch",
                "riscv64",
                "--build-arch",
                "amd64",
                "--archive",
                lists,
            ],
            "no index for riscv64",
        ),
        (
            vec![
                "resolve",
                "--host-arch",
                "arm64",
                "--build-arch",
                "amd64",
                "--archive",
                lists,
                "--components",
                "restricted",
            ],
            "no index of component `restricted`",
        ),
        (
            vec![
                "resolve",
                "--host-arch",
                "arm64",
                "--archive",
                lists,
                "--release",
                "nope",
            ],
            "unknown release",
        ),
        (
            vec![
                "resolve",
                "--host-arch",
                "arm64",
                "--archive",
                "/nonexistent/lists",
            ],
            "/nonexistent/lists",
        ),
    ] {
        let o = super::super::common::bin()
            .current_dir(&dir)
            .env_remove("DEB_HOST_ARCH")
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
    }
    // DEB_HOST_ARCH stands in for --host-arch, as dpkg-architecture exports it.
    let o = super::super::common::bin()
        .current_dir(&dir)
        .env("DEB_HOST_ARCH", "arm64")
        .args([
            "resolve",
            "--build-arch",
            "amd64",
            "--archive",
            lists,
            "--components",
            "main,universe",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("cross build on amd64 for arm64"));
}

// ---------------------------------------------------------------- corpus

/// The concrete debian/control trees of ../shared/corpus (not on CI: skipped
/// there, saying so), resolved against this machine's bookworm lists: package
/// and architecture of each entry (versions move with the mirror).
#[test]
fn corpus_trees_against_bookworm() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/trees");
    if !corpus.is_dir() {
        eprintln!(
            "SKIPPED corpus_trees_against_bookworm: {} is not here (the corpus is not on CI)",
            corpus.display()
        );
        return;
    }
    let Some((build, host)) = apt_ready("corpus_trees_against_bookworm") else {
        return;
    };
    let bookworm = fs::read_dir("/var/lib/apt/lists").unwrap().any(|e| {
        let n = e.unwrap().file_name().to_string_lossy().into_owned();
        n.contains("_dists_bookworm_main_binary-")
    });
    if !bookworm || (build.as_str(), host.as_str()) != ("amd64", "arm64") {
        eprintln!("SKIPPED corpus_trees_against_bookworm: the expectations are for bookworm's amd64 and arm64 lists on an amd64 machine");
        return;
    }
    for (tree, want) in CORPUS {
        let dir: PathBuf = corpus.join(tree);
        let (v, _) = resolve_json(
            &dir,
            &[
                "--host-arch",
                "arm64",
                "--build-arch",
                "amd64",
                "--archive",
                "auto",
                "--release",
                "bookworm",
            ],
        );
        let got: Vec<String> = rows(&v)
            .iter()
            .map(|r| match r.status.as_str() {
                "resolved" => format!("{} => {}:{}", r.name, r.package, r.arch),
                "unresolvable" => format!("{} => {}", r.name, r.reason),
                _ => format!("{} => left out", r.name),
            })
            .collect();
        assert_eq!(got, *want, "{tree}");
    }
}

const CORPUS: &[(&str, &[&str])] = &[
    (
        "aptosid-7.1",
        &[
            "debhelper => debhelper:amd64",
            "bc => bc:amd64",
            "bison => bison:amd64",
            "cpio => cpio:amd64",
            "flex => flex:amd64",
            "libelf-dev => libelf-dev:arm64",
            "libssl-dev => libssl-dev:arm64",
            "openssl => openssl:amd64",
            "python3 => python3:arm64",
            "xz-utils => xz-utils:amd64",
            "gcc-15 => left out",
        ],
    ),
    (
        "debian-linux-6.7-bpo",
        &[
            "debhelper-compat => debhelper:amd64",
            "dh-exec => dh-exec:amd64",
            "python3 => python3:amd64",
            "python3-dacite => python3-dacite:amd64",
            "python3-jinja2 => python3-jinja2:amd64",
            "quilt => quilt:amd64",
            "cpio => cpio:amd64",
            "xz-utils => xz-utils:amd64",
            "dh-python => dh-python:amd64",
            "bison => bison:amd64",
            "flex => flex:amd64",
            "graphviz => graphviz:amd64",
            // Architecture: all and not Multi-Arch: foreign: apt says
            // `python3-sphinx:arm64 but it is not installable`.
            "python3-sphinx => wrong-architecture",
            "python3-sphinx-rtd-theme => wrong-architecture",
            "texlive-latex-base => texlive-latex-base:amd64",
            "texlive-latex-extra => texlive-latex-extra:amd64",
            "dvipng => dvipng:arm64",
            "patchutils => patchutils:amd64",
            "rsync => rsync:amd64",
            "bc => bc:amd64",
            "libssl-dev => libssl-dev:amd64",
            "libssl-dev => libssl-dev:arm64",
            "openssl => openssl:amd64",
            "libelf-dev => libelf-dev:amd64",
            "libelf-dev => libelf-dev:arm64",
            "lz4 => lz4:amd64",
            "pahole => pahole:amd64",
            "gcc-12 => left out",
            "gcc-12-x86-64-linux-gnu => left out",
            "python3-docutils => python3-docutils:amd64",
            "binutils-dev => left out",
            "zlib1g-dev => zlib1g-dev:arm64",
            "libcap-dev => libcap-dev:arm64",
            "libpci-dev => libpci-dev:arm64",
            "asciidoctor => left out",
            "gcc-multilib => left out",
            "libaudit-dev => left out",
            "libbabeltrace-dev => left out",
            "libdw-dev => left out",
            "libnewt-dev => left out",
            "libnuma-dev => left out",
            "libopencsd-dev => left out",
            "libperl-dev => left out",
            "libpython3-dev => left out",
            "libtraceevent-dev => left out",
            "libunwind-dev => libunwind-dev:arm64",
            "libzstd-dev => left out",
            "python3-dev => left out",
            "python3-setuptools => left out",
            "autoconf => autoconf:amd64",
            "automake => automake:amd64",
            "libtool => libtool:amd64",
            "libglib2.0-dev => libglib2.0-dev:arm64",
            "libudev-dev => libudev-dev:arm64",
            "libwrap0-dev => libwrap0-dev:arm64",
            "rsync => rsync:amd64",
            "libtracefs-dev => libtracefs-dev:arm64",
            "kernel-wedge => left out",
            "kmod => left out",
        ],
    ),
    (
        "kernel-package",
        &["po4a => po4a:amd64", "debhelper => debhelper:amd64"],
    ),
    (
        "upstream-mkdebian-5.4-arm64-noorc-output",
        &[
            "bc => bc:amd64",
            "rsync => rsync:amd64",
            "kmod => kmod:amd64",
            "cpio => cpio:amd64",
            "bison => bison:amd64",
            "flex => flex:amd64",
        ],
    ),
];
