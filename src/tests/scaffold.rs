//! The rule scaffold (`cargo run --example new-rule`, src/examples/new_rule.rs) makes
//! a rule that builds and passes: it scaffolds into a copy of this repository, then
//! cargo builds and tests the copy there. The copy's rule must pass its unit test and
//! its `.rule` examples, its docs page must generate, the fixture-case test must pass
//! with its case, and the copy's binary must report the case's firing line and not
//! its trap.
//!
//! The copy is a package of another name, built with this build's directory as
//! cargo's build-dir, so the dependencies compiled for this test run are reused
//! and only the copy itself compiles (about a minute on two cores); its binaries
//! go to a target directory of its own and never replace this build's.

mod common;

#[allow(dead_code)] // main and its argument parsing are the example's alone
#[path = "../examples/new_rule.rs"]
mod new_rule;

use common::{json_findings, stderr, stdout};
use kpkg_lint::registry::Severity;
use new_rule::{scaffold, Request};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const FAMILY: &str = "parallel";
const NAME: &str = "scaffolded-example";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copy what builds and tests the crate (not target/, not .git).
fn copy_sources(to: &Path) {
    for name in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "LICENSE",
        "README.md",
    ] {
        let from = repo().join(name);
        if from.exists() {
            fs::copy(&from, to.join(name)).unwrap();
        }
    }
    for dir in ["src", "rules", "testdata", "docs"] {
        common::copy_dir(&repo().join(dir), &to.join(dir));
    }
}

/// Rename the copy's package so its build products never share a name with ours.
fn rename_package(root: &Path) {
    let path = root.join("Cargo.toml");
    let text = fs::read_to_string(&path).unwrap();
    let from = "[package]\nname = \"kpkg-lint\"\n";
    assert!(
        text.contains(from),
        "Cargo.toml no longer starts with {from:?}"
    );
    fs::write(
        &path,
        text.replacen(from, "[package]\nname = \"kpkg-lint-scaffold-check\"\n", 1),
    )
    .unwrap();
}

/// This test binary's build directory and the cargo profile flag that built it
/// (`<build-dir>/<profile>/deps/scaffold-<hash>`).
fn build_dir_and_profile() -> (PathBuf, Vec<String>) {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let build_dir = profile_dir.parent().unwrap().to_path_buf();
    let profile = match profile_dir.file_name().unwrap().to_str().unwrap() {
        "debug" => vec![],
        "release" => vec!["--release".to_string()],
        other => vec!["--profile".to_string(), other.to_string()],
    };
    (build_dir, profile)
}

fn request() -> Request {
    Request {
        family: FAMILY.into(),
        name: NAME.into(),
        severity: Severity::Warning,
    }
}

#[test]
fn refuses_what_it_cannot_scaffold() {
    let dir = tempfile::tempdir().unwrap();
    copy_sources(dir.path());
    let refused = |family: &str, name: &str| {
        let r = Request {
            family: family.into(),
            name: name.into(),
            severity: Severity::Info,
        };
        scaffold(dir.path(), &r).expect_err(&format!("{family} {name} must be refused"))
    };
    assert!(refused("paralel", NAME).contains("did you mean `parallel`?"));
    assert!(refused(FAMILY, "Sets_Options").contains("is not a rule name"));
    assert!(refused(FAMILY, "bad--name").contains("is not a rule name"));
    assert!(refused(FAMILY, "sets-deb-build-options").contains("already a rule"));
    assert!(refused(FAMILY, "stale").contains("already a rule, former name or family"));
    // Nothing was written.
    assert!(!dir.path().join(format!("rules/{NAME}.rule")).exists());
    let mod_rs = |root: &Path| fs::read_to_string(root.join("src/rules/parallel/mod.rs")).unwrap();
    assert_eq!(mod_rs(dir.path()), mod_rs(&repo()));
}

#[test]
fn scaffolded_rule_builds_fires_on_its_case_and_not_on_its_trap() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    fs::create_dir(&root).unwrap();
    copy_sources(&root);
    rename_package(&root);

    let written = scaffold(&root, &request()).unwrap_or_else(|e| panic!("{e}"));
    let snake = NAME.replace('-', "_");
    let want: Vec<PathBuf> = [
        format!("rules/{NAME}.rule"),
        format!("src/rules/{FAMILY}/{snake}.rs"),
        format!("testdata/{FAMILY}/{NAME}/findings"),
        format!("testdata/{FAMILY}/{NAME}/in/debian/rules"),
        format!("testdata/{FAMILY}/{NAME}/in/debian/control"),
        format!("testdata/{FAMILY}/{NAME}/in/debian/changelog"),
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    assert_eq!(written.created, want);
    assert_eq!(
        written.changed,
        [PathBuf::from(format!("src/rules/{FAMILY}/mod.rs"))]
    );
    // The family's mod.rs gains the module and its call, nothing else.
    let before = fs::read_to_string(repo().join("src/rules/parallel/mod.rs")).unwrap();
    let after = fs::read_to_string(root.join("src/rules/parallel/mod.rs")).unwrap();
    let added: Vec<&str> = {
        let old: Vec<&str> = before.lines().collect();
        let mut rest = old.as_slice();
        let mut added = Vec::new();
        for line in after.lines() {
            if rest.first() == Some(&line) {
                rest = &rest[1..];
            } else {
                added.push(line);
            }
        }
        assert!(rest.is_empty(), "lines of mod.rs were lost: {rest:?}");
        added
    };
    assert_eq!(
        added,
        [
            "mod scaffolded_example;",
            "    if c.enabled(Rule::ScaffoldedExample) {",
            "        scaffolded_example::check(c);",
            "    }",
        ]
    );
    if !written.unformatted {
        let o = Command::new("rustfmt")
            .args(["--check", "--edition", "2021"])
            .arg(root.join(format!("src/rules/{FAMILY}/{snake}.rs")))
            .arg(root.join(format!("src/rules/{FAMILY}/mod.rs")))
            .output()
            .unwrap();
        assert!(o.status.success(), "not formatted:\n{}", stdout(&o));
    }

    // Build and test the copy: the rule's unit test, the catalogue and docs tests
    // (its .rule examples fire and stay quiet; KPKG_LINT_BLESS writes its page) and
    // every fixture case, its own included.
    let (build_dir, profile) = build_dir_and_profile();
    let target = dir.path().join("target");
    let cargo = |args: &[&str]| {
        let o = Command::new(env!("CARGO"))
            .current_dir(&root)
            .env("CARGO_BUILD_BUILD_DIR", &build_dir)
            .env("CARGO_TARGET_DIR", &target)
            .env("KPKG_LINT_BLESS", "1")
            .env("NO_COLOR", "1")
            .args(args)
            .args(&profile)
            .output()
            .unwrap();
        let out = format!("{}{}", stdout(&o), stderr(&o));
        assert!(o.status.success(), "cargo {args:?} in the copy:\n{out}");
        out
    };
    let out = cargo(&[
        "test",
        "--offline",
        "--lib",
        "--test",
        "cli",
        "--",
        "scaffolded_example",
        "docs::",
        "catalogue::",
        "fixture_cases",
    ]);
    for test in [
        "rules::parallel::scaffolded_example::tests::global_assignment_fires_one_target_does_not",
        "docs::tests::catalogue_examples_behave",
        "docs::tests::docs_rules_are_fresh",
        "registry::catalogue::tests::embedded_catalogue_matches_rules_dir",
        "fixture_cases",
    ] {
        assert!(
            out.contains(&format!("test {test} ... ok")),
            "{test} did not pass in the copy:\n{out}"
        );
    }
    let page = fs::read_to_string(root.join(format!("docs/rules/{NAME}.md"))).unwrap();
    assert!(page.contains("A makefile assigns SCAFFOLDED_EXAMPLE for the whole build"));
    let index = fs::read_to_string(root.join("docs/rules/README.md")).unwrap();
    assert!(index.contains(&format!("[{NAME}]({NAME}.md)")));

    // The copy's binary on the case: the line that fires, and not the trap.
    cargo(&["build", "--offline", "--bin", "kpkg-lint"]);
    let profile_dir = if profile.is_empty() {
        "debug".to_string()
    } else {
        profile.last().unwrap().replace("--", "")
    };
    let bin = target.join(profile_dir).join("kpkg-lint");
    let case = root.join(format!("testdata/{FAMILY}/{NAME}/in"));
    let o = Command::new(&bin)
        .current_dir(&case)
        .args(["--select", NAME, "--format", "json"])
        .output()
        .unwrap();
    let found: Vec<(String, String, u64)> = json_findings(&o).into_iter().map(|(f, _)| f).collect();
    assert_eq!(found, [(NAME.to_string(), "debian/rules".to_string(), 5)]);
    let rules = fs::read_to_string(case.join("debian/rules")).unwrap();
    assert_eq!(
        rules.lines().nth(7),
        Some("override_dh_auto_build: SCAFFOLDED_EXAMPLE := 1"),
        "line 8 is the trap"
    );
    assert_eq!(o.status.code(), Some(1), "a warning fails the run");
}
