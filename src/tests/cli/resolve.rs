//! `kpkg-lint resolve` and the cross rules' resolution, against the real resolver:
//! `apt-get -s build-dep -a HOST` on trees of our own, before and after `--fix`,
//! with the machine's apt lists of two architectures (.ci/run enables the
//! second one). Failure reasons against small indices we wrote in apt's list
//! layout (testdata/resolve/lists-focal), and the corpus trees when present.

use super::common::{copy_tree, run_in, stderr, stdout, testdata};
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

#[path = "resolve/reasons.rs"]
mod reasons;

// ---------------------------------------------------------------- the machine

/// The build machine's architecture and the second one the tests resolve for
/// (arm64, or amd64 on an arm64 machine): what .ci/run enables.
fn machine_arches() -> Option<(String, String)> {
    let o = Command::new("dpkg")
        .arg("--print-architecture")
        .output()
        .ok()?;
    let build = String::from_utf8_lossy(&o.stdout).trim().to_string();
    if build.is_empty() {
        return None;
    }
    let host = if build == "arm64" { "amd64" } else { "arm64" };
    Some((build, host.to_string()))
}

/// Does this machine have what the apt tests need: apt-get, dpkg with the second
/// architecture enabled, and apt lists of both? When it does not, the test fails
/// (naming what to run), or with KPKG_LINT_SKIP_MISSING=1 and CI unset, skips
/// with a line on stderr: under CI a missing list never passes silently.
fn apt_ready(test: &str) -> Option<(String, String)> {
    let problem = match machine_arches() {
        None => "dpkg --print-architecture failed".to_string(),
        Some((build, host)) => {
            let foreign = Command::new("dpkg")
                .arg("--print-foreign-architectures")
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default();
            let lists: Vec<String> = fs::read_dir("/var/lib/apt/lists")
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            let has_list = |a: &str| {
                lists
                    .iter()
                    .any(|n| n.contains(&format!("_binary-{a}_Packages")))
            };
            let apt = Command::new("apt-get")
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success());
            if !apt {
                "apt-get is not installed".to_string()
            } else if !foreign.split_whitespace().any(|a| a == host) {
                format!("dpkg has no foreign architecture {host}")
            } else if !has_list(&build) || !has_list(&host) {
                format!("/var/lib/apt/lists has no Packages lists of both {build} and {host}")
            } else {
                return Some((build, host));
            }
        }
    };
    let fix = "run `dpkg --add-architecture arm64 && apt-get update` as root (.ci/run does)";
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    let skip = std::env::var_os("KPKG_LINT_SKIP_MISSING").is_some_and(|v| !v.is_empty());
    if skip && !ci {
        eprintln!("SKIPPED {test}: {problem} (KPKG_LINT_SKIP_MISSING is set)");
        return None;
    }
    panic!("{test} needs apt lists of two architectures, but {problem}: {fix}, or set KPKG_LINT_SKIP_MISSING=1 (outside CI) to skip it");
}

/// What `apt-get -s build-dep -a HOST` does for a tree, from an empty chroot (an
/// empty dpkg status file), so what it installs is the whole resolution.
struct AptPlan {
    /// Every `Inst` line as (package, the architecture it is installed for).
    installs: Vec<(String, String)>,
    /// The packages of `Depends: X but it is not installable` lines.
    unmet: Vec<String>,
    ok: bool,
    text: String,
}

impl AptPlan {
    fn installs(&self, name: &str, arch: &str) -> bool {
        self.installs.iter().any(|(n, a)| n == name && a == arch)
    }
}

fn apt_build_dep(tree: &Path, build: &str, host: &str, arch_only: bool) -> AptPlan {
    let tmp = tempfile::tempdir().unwrap();
    let status = tmp.path().join("status");
    fs::write(&status, "").unwrap();
    let mut c = Command::new("apt-get");
    c.args(["-s", "-q"])
        .arg(format!("-oDir::State::status={}", status.display()))
        .arg(format!("-oDir::Cache={}", tmp.path().display()))
        .arg("-oDir::Cache::srcpkgcache=")
        .arg("-oDir::Cache::pkgcache=")
        .args(["build-dep", "-a", host]);
    if arch_only {
        c.arg("--arch-only");
    }
    let o = c.arg(tree).env("LC_ALL", "C").output().expect("apt-get");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let mut installs = Vec::new();
    let mut unmet = Vec::new();
    let mut in_unmet = false;
    for line in text.lines() {
        in_unmet |= line.contains("have unmet dependencies");
        if let Some(rest) = line.strip_prefix("Inst ") {
            let name = rest.split_whitespace().next().unwrap_or("");
            let (name, arch) = match name.split_once(':') {
                Some((n, a)) => (n, a),
                // apt names build-architecture (and Architecture: all) packages
                // without a qualifier.
                None => (name, build),
            };
            installs.push((name.to_string(), arch.to_string()));
        }
        // ` builddeps:./tree:arm64 : Depends: python3-sphinx:arm64 but it is not
        // installable`, and further `Depends:` lines under it.
        if let (true, Some(i)) = (in_unmet, line.find("Depends: ")) {
            let dep = line[i + "Depends: ".len()..]
                .split([' ', ':'])
                .next()
                .unwrap_or("");
            unmet.push(dep.to_string());
        }
    }
    AptPlan {
        installs,
        unmet,
        ok: o.status.success(),
        text,
    }
}

/// One row of `kpkg-lint resolve --format json`: (first alternative's name,
/// status, package, architecture, reason).
#[derive(Debug, Clone)]
struct Row {
    field: String,
    relation: String,
    name: String,
    status: String,
    package: String,
    arch: String,
    reason: String,
}

fn resolve_json(dir: &Path, args: &[&str]) -> (Value, Output) {
    let mut a = vec!["resolve", "--format", "json"];
    a.extend_from_slice(args);
    a.push(".");
    let o = run_in(dir, &a);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        stderr(&o)
    );
    let v: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    (v, o)
}

fn rows(v: &Value) -> Vec<Row> {
    v["trees"][0]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or("").to_string();
            let relation = s("relation");
            let name = relation
                .split([' ', ':', '|'])
                .next()
                .unwrap_or("")
                .to_string();
            Row {
                field: s("field"),
                relation,
                name,
                status: s("status"),
                package: s("package"),
                arch: s("architecture"),
                reason: s("reason"),
            }
        })
        .collect()
}

/// The package names build-dep-missing-native reports, with the indices of the
/// machine and the build architecture fixed.
fn flagged(dir: &Path, build: &str) -> Vec<String> {
    let o = super::common::bin()
        .current_dir(dir)
        .env("DEB_BUILD_ARCH", build)
        .args([
            "--format",
            "json",
            "--select",
            "build-dep-missing-native",
            "--archive",
            "auto",
            ".",
        ])
        .output()
        .unwrap();
    let v: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .split('`')
                .nth(1)
                .unwrap()
                .to_string()
        })
        .collect()
}

/// One state of a tree (before or after the fix) against apt: kpkg-lint's
/// resolution agrees with apt's, and build-dep-missing-native flags exactly the
/// entries apt installs only for the host. Returns the flagged names.
///
/// The resolution: every entry kpkg-lint resolves, apt installs for the same
/// architecture; when apt fails, each dependency it names is an entry kpkg-lint
/// cannot resolve, and when kpkg-lint finds one, apt fails.
///
/// The rule: every direct, unqualified Build-Depends/-Arch entry the build runs
/// on the build machine (rules/data/build-machine-deps) that apt installs for the
/// host architecture and not for the build one is flagged, and nothing else is.
/// Returns the names flagged and kpkg-lint's resolution.
fn check_against_apt(id: &str, dir: &Path, build: &str, host: &str) -> (Vec<String>, Vec<Row>) {
    let full = apt_build_dep(dir, build, host, false);
    let (v, _) = resolve_json(
        dir,
        &[
            "--host-arch",
            host,
            "--build-arch",
            build,
            "--archive",
            "auto",
        ],
    );
    let rows = rows(&v);
    assert!(!rows.is_empty(), "{id}: no build-dependencies read");
    let unresolvable: Vec<&Row> = rows.iter().filter(|r| r.status == "unresolvable").collect();
    if full.ok {
        assert!(
            unresolvable.is_empty(),
            "{id}: apt installs everything, kpkg-lint says these cannot be had: {unresolvable:#?}"
        );
        for r in rows.iter().filter(|r| r.status == "resolved") {
            assert!(
                full.installs(&r.package, &r.arch),
                "{id}: kpkg-lint resolves `{}` to {}:{}, apt does not install that:\n{}",
                r.relation,
                r.package,
                r.arch,
                full.text
            );
        }
    } else {
        assert!(
            !full.unmet.is_empty(),
            "{id}: apt failed without naming a dependency:\n{}",
            full.text
        );
        for name in &full.unmet {
            assert!(
                unresolvable
                    .iter()
                    .any(|r| r.relation.split([' ', ':', '|', ',']).any(|w| w == name)),
                "{id}: apt cannot install `{name}`, kpkg-lint resolves it: {rows:#?}\n{}",
                full.text
            );
        }
    }
    // The rule reads Build-Depends and Build-Depends-Arch: when an Indep entry
    // stops apt, its --arch-only plan answers.
    let plan = if full.ok {
        full
    } else {
        apt_build_dep(dir, build, host, true)
    };
    assert!(
        plan.ok,
        "{id}: apt cannot resolve the arch-only build-dependencies:\n{}",
        plan.text
    );
    let mut expected: Vec<String> = rows
        .iter()
        .filter(|r| r.field != "Build-Depends-Indep" && r.status == "resolved")
        .filter(|r| !r.relation.starts_with(&format!("{}:", r.name)))
        .map(|r| r.name.clone())
        .filter(|n| kpkg_lint::knowledge::build_machine_dep(n).is_some())
        .filter(|n| plan.installs(n, host) && !plan.installs(n, build))
        .collect();
    expected.sort();
    expected.dedup();
    let mut got = flagged(dir, build);
    got.sort();
    got.dedup();
    assert_eq!(
        got, expected,
        "{id}: flagged, and installed for {host} only by apt:\n{}",
        plan.text
    );
    (got, rows)
}

/// Trees of our own, apt's answers before and after `--fix`: every package apt
/// installs for the host that the build runs on the build machine is flagged
/// before the fix, and installed for the build machine after it.
#[test]
fn resolution_and_fixes_agree_with_apt() {
    let Some((build, host)) = apt_ready("resolution_and_fixes_agree_with_apt") else {
        return;
    };
    // (tree, fix arguments), None for trees that are right already or whose
    // debian/control is generated from templates (apt reads the control, the fix
    // edits the template).
    let trees: &[(&str, Option<&[&str]>)] = &[
        ("resolve/bookworm-plain/in", Some(&[])),
        ("resolve/bookworm-tools/in", Some(&[])),
        ("cross/mkdebian/in", None),
        ("cross/debian-6x/in", None),
        ("cross/debian-4x/in", None),
    ];
    let results: Vec<Result<(), String>> = kpkg_lint::par::map(trees, |(rel, fix)| {
        let (build, host) = (build.as_str(), host.as_str());
        let caught = std::panic::catch_unwind(|| {
            let (_g, dir) = copy_tree(&testdata(rel));
            let (flagged, _) = check_against_apt(rel, &dir, build, host);
            let Some(extra) = fix else { return };
            assert!(!flagged.is_empty(), "{rel}: nothing to fix");
            let mut args = vec![
                "--select",
                "build-dep-missing-native",
                "--fix",
                "--write",
                "-q",
            ];
            args.extend_from_slice(extra);
            let o = run_in(&dir, &args);
            assert_eq!(o.status.code(), Some(0), "{rel}: {}", stderr(&o));
            let id = format!("{rel} fixed");
            let (left, rows) = check_against_apt(&id, &dir, build, host);
            assert!(left.is_empty(), "{id}: still flagged: {left:?}");
            // Each package flagged before resolves to the build machine's now.
            for name in &flagged {
                let arches: Vec<&str> = rows
                    .iter()
                    .filter(|r| r.package == *name && r.field != "Build-Depends-Indep")
                    .map(|r| r.arch.as_str())
                    .collect();
                assert!(
                    arches.contains(&build),
                    "{id}: {name} resolves to {arches:?}, not {build}"
                );
            }
        });
        caught.map_err(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        })
    });
    let failed: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

/// A tree apt cannot resolve: `libelf-dev:any` (libelf-dev is Multi-Arch: same).
#[test]
fn apt_and_kpkg_lint_fail_on_the_same_entry() {
    let Some((build, host)) = apt_ready("apt_and_kpkg_lint_fail_on_the_same_entry") else {
        return;
    };
    let (_g, dir) = copy_tree(&testdata("cross/mkdebian-old/in"));
    let plan = apt_build_dep(&dir, &build, &host, false);
    assert!(!plan.ok && plan.unmet == ["libelf-dev"], "{}", plan.text);
    let (v, o) = resolve_json(
        &dir,
        &[
            "--host-arch",
            &host,
            "--build-arch",
            &build,
            "--archive",
            "auto",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let row = rows(&v)
        .into_iter()
        .find(|r| r.name == "libelf-dev")
        .unwrap();
    assert_eq!(
        (row.status.as_str(), row.reason.as_str()),
        ("unresolvable", "any-not-allowed")
    );
}
