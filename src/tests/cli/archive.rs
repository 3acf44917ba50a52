//! Rules that read apt indices: cross-building facts and stale build-dependencies,
//! from compressed index files and from the machine's own apt lists.

use super::common::{copy_tree, machine_has, run_in, stderr, stdout, testdata, walk};
use super::{findings, stale_archive};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

// ---------------------------------------------------------------- cross

/// Does the machine have apt lists (`apt-get update` has run)?
fn has_apt_lists() -> bool {
    fs::read_dir("/var/lib/apt/lists")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().contains("_Packages"))
        })
        .unwrap_or(false)
}

#[test]
fn cross_columns_and_severity() {
    let o = run_in(
        &testdata("cross/debian-4x/in"),
        &["--format", "json", "--select", "cross"],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let cols: Vec<(u64, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["column"].as_u64().unwrap(),
                f["severity"].as_str().unwrap(),
            )
        })
        .collect();
    // libssl-dev (CONFIG_MODULE_SIG=y) and libelf-dev (CONFIG_UNWINDER_ORC=y): errors.
    assert_eq!(cols, [(122, "error"), (177, "error")]);
}

#[test]
fn cross_template_names_the_generated_control() {
    let o = run_in(
        &testdata("cross/debian-4x/in"),
        &["--select", "build-dep-missing-native"],
    );
    assert!(
        stdout(&o).contains("generated from debian/templates/control.source.in: regenerate it"),
        "{}",
        stdout(&o)
    );
}

// ---------------------------------------------------------------- archive indices

/// A small index: bison not foreign (as in an old release), libelf-dev allowed.
const SMALL_INDEX: &str = "Package: bison\nVersion: 2:3.0.4.dfsg-1\nArchitecture: amd64\nDescription: YACC-compatible parser generator\n\nPackage: libelf-dev\nVersion: 0.170-0.4\nArchitecture: amd64\nMulti-Arch: allowed\nDescription: libelf1 development libraries and header files\n\nPackage: flex\nVersion: 2.6.4-6\nArchitecture: amd64\nMulti-Arch: foreign\nDescription: fast lexical analyzer generator\n";

fn compress(dir: &Path, tool: &str, args: &[&str], ext: &str) -> PathBuf {
    let plain = dir.join("Packages");
    fs::write(&plain, SMALL_INDEX).unwrap();
    if ext.is_empty() {
        return plain;
    }
    let out = dir.join(format!("Packages{ext}"));
    let o = Command::new(tool)
        .args(args)
        .arg(&plain)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e} (install it: .ci/run does)"));
    assert!(
        o.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    fs::write(&out, &o.stdout).unwrap();
    fs::remove_file(&plain).unwrap();
    out
}

#[test]
fn archive_indices_override_multi_arch_in_every_compression() {
    let tree = testdata("cross/mkdebian-old/in");
    // Built-in facts: bison and flex are foreign, libelf-dev is same.
    let rules = |args: &[&str]| -> Vec<String> {
        let mut a = vec![
            "--select",
            "native-qualifier-on-foreign,any-qualifier-not-allowed",
        ];
        a.extend_from_slice(args);
        findings(&tree, &a).into_iter().map(|(r, _, _)| r).collect()
    };
    assert_eq!(
        rules(&[]),
        [
            "native-qualifier-on-foreign",
            "native-qualifier-on-foreign",
            "any-qualifier-not-allowed"
        ]
    );
    for (tool, args, ext) in [
        ("plain", &[][..], ""),
        ("gzip", &["-c"][..], ".gz"),
        ("xz", &["-c"][..], ".xz"),
        ("lz4", &["-c"][..], ".lz4"),
        ("zstd", &["-c", "-q"][..], ".zst"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let index = compress(tmp.path(), tool, args, ext);
        let got = rules(&["--archive", index.to_str().unwrap()]);
        // The index says bison is not foreign and libelf-dev is allowed: only flex:native remains.
        assert_eq!(got, ["native-qualifier-on-foreign"], "{tool}");
    }
}

#[test]
fn bad_indices_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = testdata("cross/mkdebian-old/in");
    let cases = [
        (
            "Packages.gz",
            &b"\x1f\x8b\x08 truncated"[..],
            "cannot decompress",
        ),
        ("Packages.xz", &b"not xz at all"[..], "cannot decompress"),
        (
            "Packages",
            &b"this is not an index\n"[..],
            "not an apt Packages index",
        ),
    ];
    for (name, bytes, want) in cases {
        let p = tmp.path().join(name);
        fs::write(&p, bytes).unwrap();
        let o = run_in(&tree, &["--archive", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}");
        let e = stderr(&o);
        assert!(e.contains(name) && e.contains(want), "{name}: {e}");
        fs::remove_file(&p).unwrap();
    }
    let o = run_in(&tree, &["--archive", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no apt Packages index found here"));
}

/// The machine's real apt lists (CI runs `apt-get update` first).
#[test]
fn archive_auto_reads_the_real_apt_lists() {
    let has_index = has_apt_lists();
    if !machine_has(
        has_index,
        "archive_auto_reads_the_real_apt_lists",
        "a Packages index in /var/lib/apt/lists (apt-get update)",
    ) {
        return;
    }
    let o = run_in(
        &testdata("cross/mkdebian-old/in"),
        &["--archive", "auto", "--format", "json", "--select", "cross"],
    );
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // bison is Multi-Arch: foreign in every current Debian and Ubuntu index.
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "native-qualifier-on-foreign"
            && f["message"].as_str().unwrap().contains("`bison`")));
}

// ---------------------------------------------------------------- stale

#[test]
fn stale_indices_in_every_compression() {
    let tree = testdata("stale/debian-bookworm/in");
    let want = findings(
        &tree,
        &[
            "--select",
            "build-dep-unavailable,redundant-version-constraint",
            "--archive",
            &stale_archive(),
        ],
    );
    assert_eq!(want.len(), 6);
    for (tool, ext) in [
        ("gzip", ".gz"),
        ("xz", ".xz"),
        ("lz4", ".lz4"),
        ("zstd", ".zst"),
    ] {
        let (_g, dir) = copy_tree(&testdata("stale/archive"));
        for p in walk(&dir)
            .into_iter()
            .filter(|p| p.file_name().is_some_and(|n| n == "Packages"))
        {
            let o = Command::new(tool)
                .args(["-c", "-q"])
                .arg(&p)
                .output()
                .unwrap();
            assert!(o.status.success(), "{tool}");
            fs::write(p.with_file_name(format!("Packages{ext}")), &o.stdout).unwrap();
            fs::remove_file(&p).unwrap();
        }
        let got = findings(
            &tree,
            &[
                "--select",
                "build-dep-unavailable,redundant-version-constraint",
                "--archive",
                dir.to_str().unwrap(),
            ],
        );
        assert_eq!(got, want, "{tool}");
    }
}

/// `--archive auto` against the machine's apt lists: a known-gone package is
/// unavailable, a present one is not.
#[test]
fn stale_archive_auto_on_the_real_lists() {
    let codename = fs::read_to_string("/etc/os-release").ok().and_then(|t| {
        t.lines().find_map(|l| {
            l.strip_prefix("VERSION_CODENAME=")
                .map(|v| v.trim_matches('"').to_string())
        })
    });
    let lists = has_apt_lists();
    if !machine_has(
        codename.is_some() && lists,
        "stale_archive_auto_on_the_real_lists",
        "apt lists (apt-get update) and VERSION_CODENAME in /etc/os-release",
    ) {
        return;
    }
    let codename = codename.unwrap_or_default();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::create_dir_all(d.join("debian")).unwrap();
    fs::write(d.join("debian/control"), "Source: linux-acme\nBuild-Depends: debhelper, dh-systemd\n\nPackage: linux-image-acme\nArchitecture: any\n").unwrap();
    fs::write(d.join("debian/changelog"), format!("linux-acme (1.0-1) {codename}; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n")).unwrap();
    let got = findings(
        d,
        &["--select", "build-dep-unavailable", "--archive", "auto"],
    );
    let lines: Vec<u64> = got.iter().map(|(_, _, l)| *l).collect();
    assert_eq!(
        lines,
        [2],
        "exactly one finding, on the Build-Depends line: {got:?}"
    );
    let o = run_in(
        d,
        &["--select", "build-dep-unavailable", "--archive", "auto"],
    );
    assert!(
        stdout(&o).contains("`dh-systemd` cannot be installed"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains("`debhelper` cannot"));
}

/// `name:native` on a `Multi-Arch: foreign` package stops dpkg-buildpackage: the
/// real dpkg-checkbuilddeps refuses it even with the package installed, which is
/// why the rule is an error. coreutils is foreign and essential, so installed on
/// every Debian machine; the machine's own apt lists say it is foreign.
#[test]
fn native_on_foreign_is_unmet_for_dpkg_checkbuilddeps() {
    let has_index = has_apt_lists();
    if !machine_has(
        has_index,
        "native_on_foreign_is_unmet_for_dpkg_checkbuilddeps",
        "a Packages index in /var/lib/apt/lists (apt-get update)",
    ) || !super::common::tool_available(
        "dpkg-checkbuilddeps",
        &["--version"],
        "checking build-dependencies with dpkg's own code (dpkg-dev)",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let debian = dir.path().join("debian");
    fs::create_dir_all(&debian).unwrap();
    fs::write(
        debian.join("control"),
        "Source: linux-example\nBuild-Depends: coreutils:native, make:native\n\nPackage: linux-example\nArchitecture: any\nDescription: x\n x\n",
    )
    .unwrap();
    fs::write(
        debian.join("changelog"),
        "linux-example (1.0-1) bookworm; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n",
    )
    .unwrap();
    let checkbuilddeps = || {
        Command::new("dpkg-checkbuilddeps")
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let before = checkbuilddeps();
    assert!(!before.status.success(), "dpkg accepted coreutils:native");
    let err = stderr(&before);
    assert!(
        err.contains("Unmet build dependencies: coreutils:native") && !err.contains("make"),
        "{err}"
    );
    let args = [
        "--archive",
        "auto",
        "--select",
        "native-qualifier-on-foreign",
        "--format",
        "concise",
    ];
    let o = run_in(dir.path(), &args);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains("debian/control:2:16: error[native-qualifier-on-foreign]"),
        "{out}"
    );
    let fixed = run_in(dir.path(), &["--fix", "--write", "--archive", "auto"]);
    assert_ne!(fixed.status.code(), Some(2), "{}", stderr(&fixed));
    let after = checkbuilddeps();
    assert!(after.status.success(), "{}", stderr(&after));
    let again = run_in(dir.path(), &args);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}
