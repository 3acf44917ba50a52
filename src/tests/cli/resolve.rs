//! `kpkg-lint resolve` and the cross rules' resolution, against the real resolver:
//! `apt-get -s build-dep -a HOST` on trees of our own, before and after `--fix`,
//! with the machine's apt lists of two architectures (.ci/run enables the
//! second one). Failure reasons against small indices we wrote in apt's list
//! layout (testdata/resolve/lists-focal), and the corpus trees when present.

use super::common::{copy_tree, run_in, stderr, stdout, testdata};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

// ---------------------------------------------------------------- reasons

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
        let o = super::common::bin()
            .current_dir(&dir)
            .env_remove("DEB_HOST_ARCH")
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
    }
    // DEB_HOST_ARCH stands in for --host-arch, as dpkg-architecture exports it.
    let o = super::common::bin()
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
