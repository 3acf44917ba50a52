//! `--fix --unsafe-fixes` leaves makefiles that GNU make still reads.
//!
//! For every test tree of ours, the fixed copy's changed makefiles are read by
//! the real `make -n` (issue 15: a directive inserted between recipe lines made
//! make stop with "recipe commences before first target"). A makefile may fail
//! for reasons of its own here (includes from a kernel source that is not
//! present, a `$(shell)` that needs the build), so what is compared is make's
//! *parse* errors, fixed against unfixed: the fix must add none.

mod common;

use common::{copy_dir, run_in};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Messages GNU make gives for text it cannot read as a makefile.
const PARSE_ERRORS: &[&str] = &[
    "recipe commences before first target",
    "commands commence before first target",
    "missing separator",
    "missing 'endif'",
    "missing `endif'",
    "extraneous 'endif'",
    "extraneous `endif'",
    "extraneous text after",
    "invalid syntax in conditional",
    "missing 'endef'",
    "missing `endef'",
    "unterminated variable reference",
    "only one 'else' per conditional",
];

fn is_makefile(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name == "rules"
        || name.starts_with("rules.")
        || name.ends_with(".mk")
        || name == "Makefile"
        || rel.contains("ruleset/")
}

fn files(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if e.file_type().unwrap().is_dir() {
            files(root, &p, out);
        } else {
            out.push(p.strip_prefix(root).unwrap().to_path_buf());
        }
    }
}

/// The parse errors `make -n` reports for one makefile of the tree at `root`.
fn parse_errors(root: &Path, rel: &Path) -> Vec<String> {
    let o = Command::new("make")
        .current_dir(root)
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS")
        .env_remove("MAKELEVEL")
        .args(["-n", "-f"])
        .arg(rel)
        .arg("kpkg-lint-no-such-goal")
        .output()
        .expect("GNU make runs (the test needs `make` installed)");
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| PARSE_ERRORS.iter().any(|e| l.contains(e)))
        // Line numbers move with the fix; the message is what counts.
        .map(|l| l.split("***").nth(1).unwrap_or(l).trim().to_string())
        .collect()
}

/// The fixed copy of a tree and the makefiles the fix changed.
fn fixed_copy(input: &Path, tmp: &Path) -> Vec<PathBuf> {
    let work = tmp.join("t");
    copy_dir(input, &work);
    let o = run_in(&work, &["--fix", "--unsafe-fixes", "--write", "."]);
    // Cases that are not a tree on their own (discovery cases lint a subdirectory,
    // input cases a broken file) have nothing fixed here.
    if o.status.code().is_none_or(|c| c > 1) {
        return vec![];
    }
    let mut all = vec![];
    files(&work, &work, &mut all);
    all.into_iter()
        .filter(|rel| is_makefile(&rel.to_string_lossy()))
        .filter(|rel| {
            let before = fs::read(input.join(rel)).ok();
            before.as_deref() != Some(fs::read(work.join(rel)).unwrap().as_slice())
        })
        .collect()
}

#[test]
fn fixed_makefiles_parse() {
    let cases = common::cases();
    let mut checked = 0;
    let mut failures = vec![];
    for case in &cases {
        if !case.input.is_dir() {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        let changed = fixed_copy(&case.input, tmp.path());
        let work = tmp.path().join("t");
        // make runs `$(shell …)` while it reads: never in testdata itself.
        let unfixed = tmp.path().join("b");
        copy_dir(&case.input, &unfixed);
        for rel in changed {
            if !case.input.join(&rel).exists() {
                continue;
            }
            checked += 1;
            let before = parse_errors(&unfixed, &rel);
            let after = parse_errors(&work, &rel);
            let new: Vec<&String> = after.iter().filter(|e| !before.contains(e)).collect();
            if !new.is_empty() {
                failures.push(format!("{}: {}: {new:?}", case.id(), rel.display()));
            }
        }
    }
    // The ccache fix of determinism/ccache-recipe is one of them: the test
    // stands for something only while fixes change makefiles.
    assert!(checked >= 10, "only {checked} fixed makefiles were read");
    assert!(
        failures.is_empty(),
        "make cannot read the fixed makefiles:\n{}",
        failures.join("\n")
    );
}

/// The check itself: a directive between recipe lines is the error it looks for.
#[test]
fn a_directive_inside_a_recipe_is_a_parse_error() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = Path::new("rules");
    fs::write(
        tmp.path().join(rel),
        "a:\n\techo 1\nexport X := 1\n\techo 2\n",
    )
    .unwrap();
    assert_eq!(
        parse_errors(tmp.path(), rel),
        ["recipe commences before first target.  Stop."]
    );
    fs::write(
        tmp.path().join(rel),
        "export X := 1\na:\n\techo 1\n\techo 2\n",
    )
    .unwrap();
    assert!(parse_errors(tmp.path(), rel).is_empty());
}

/// The Ubuntu timestamp fix works before `clean` has written debian/changelog:
/// make, reading the fixed rules, gets SOURCE_DATE_EPOCH from the branch
/// changelog (needs dpkg-parsechangelog, as every Debian build machine has).
#[test]
fn ubuntu_timestamp_fix_reads_the_branch_changelog() {
    let input = common::testdata("determinism/ubuntu-focal/in");
    assert!(!input.join("debian/changelog").exists());
    let tmp = tempfile::tempdir().unwrap();
    let changed = fixed_copy(&input, tmp.path());
    assert!(
        changed.iter().any(|p| p == Path::new("debian/rules")),
        "{changed:?}"
    );
    let o = Command::new("make")
        .current_dir(tmp.path().join("t"))
        .env_remove("MAKEFLAGS")
        .env_remove("SOURCE_DATE_EPOCH")
        .args(["-n", "-p", "-f", "debian/rules", "kpkg-lint-no-such-goal"])
        .output()
        .expect("GNU make runs");
    let db = String::from_utf8_lossy(&o.stdout);
    let value = db
        .lines()
        .find_map(|l| l.strip_prefix("SOURCE_DATE_EPOCH := "))
        .unwrap_or_else(|| panic!("no SOURCE_DATE_EPOCH in make's database"));
    assert!(
        !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
        "SOURCE_DATE_EPOCH := {value:?}"
    );
}
