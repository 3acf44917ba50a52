//! Hostile inputs, run for real through the binary (issue 16, docs/reliability.md):
//! evaluation that would grow without bound finishes under a memory limit and a
//! timeout with a finding; every output format prints a finding at column 70,000;
//! control characters from names and contents never reach the terminal raw; and a
//! patch for files with a newline, a backslash or a quote in their names applies
//! with git apply and patch -p1.

mod common;

use common::*;
use std::fs;
use std::path::Path;
use std::process::Command;

const CONTROL: &str = "Source: x\n\nPackage: x\nArchitecture: any\nDescription: d\n";

fn write_tree(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
}

/// kpkg-lint under `ulimit -v` (1 GiB) and `timeout` (60 s).
fn limited(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576; exec timeout 60 \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_kpkg-lint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run sh")
}

#[test]
fn exponential_expansion_ends_with_a_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rules = String::from("#!/usr/bin/make -f\nv0 = xxxxxxxxxxxxxxxx\n");
    for i in 1..=40 {
        rules.push_str(&format!("v{i} = $(v{})$(v{})\n", i - 1, i - 1));
    }
    rules.push_str("build:\n\techo $(v40)\n");
    write_tree(
        tmp.path(),
        &[("debian/rules", &rules), ("debian/control", CONTROL)],
    );
    let o = limited(tmp.path(), &["--format", "lintian", "."]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(
        out.contains("malformed-file v40 = $(v39)$(v39) [debian/rules:42]"),
        "{out}"
    );
    let o = limited(tmp.path(), &["--format", "json", "."]);
    assert!(
        stdout(&o).contains("expanding `$(v40)` exceeds 1 MiB"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn include_fan_out_ends_with_a_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let inc = "include debian/g/$(X).mk\n";
    let mut files = vec![
        (
            "debian/rules".to_string(),
            format!("#!/usr/bin/make -f\n{inc}build:\n\ttrue\n"),
        ),
        ("debian/control".to_string(), CONTROL.to_string()),
    ];
    for i in 0..12 {
        files.push((format!("debian/g/f{i}.mk"), inc.to_string()));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_tree(tmp.path(), &files);
    let o = limited(tmp.path(), &["--format", "json", "."]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        out.contains("`include debian/g/$(X).mk` is not followed"),
        "{out}"
    );
}

#[test]
fn a_finding_at_column_70000_prints_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = format!(
        "#!/usr/bin/make -f\nbuild:\n\t{} ; $(MAKE) -j1 foo\n",
        "a".repeat(70_000)
    );
    write_tree(
        tmp.path(),
        &[("debian/rules", &rules), ("debian/control", CONTROL)],
    );
    let column = 70_000 + 13;
    for format in ["text", "json", "sarif", "github", "gitlab", "lintian"] {
        let o = run_in(tmp.path(), &["--format", format, "."]);
        let out = stdout(&o);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{format}: {:?} {}",
            o.status,
            stderr(&o)
        );
        assert!(out.contains("forced-serial-flag"), "{format}: {out}");
        if !matches!(format, "lintian" | "gitlab") {
            assert!(out.contains(&column.to_string()), "{format}: {out}");
        }
    }
    // Text shows the line cut around the span, under the real position.
    let o = run_in(tmp.path(), &["--color", "never", "."]);
    let text = stdout(&o);
    assert!(
        text.contains(&format!("[debian/rules:3:{column}]")),
        "{text}"
    );
    let shown = text
        .lines()
        .find(|l| l.contains("$(MAKE) -j1 foo"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        shown.contains(" 3 │ …") && shown.chars().count() < 120,
        "{shown}"
    );
    // And the fix output of the same tree.
    let o = run_in(tmp.path(), &["--fix", "--unsafe-fixes", "."]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
}

#[test]
fn control_characters_are_escaped_in_text_and_lintian() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ctl\x1b[31m");
    write_tree(
        &dir,
        &[
            (
                "debian/rules",
                "#!/usr/bin/make -f\nbuild:\n\t$(MAKE) -j1 all # \x1b]0;pwned\x07 \u{9b}2J\x7f\n",
            ),
            ("debian/control", CONTROL),
        ],
    );
    for format in ["text", "lintian"] {
        let o = run_in(
            tmp.path(),
            &["--color", "never", "--format", format, "ctl\x1b[31m"],
        );
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
        let raw: Vec<char> = out
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(raw.is_empty(), "{format}: raw {raw:?} in {out}");
        assert!(
            out.contains("ctl\\033[31m/debian/rules:3"),
            "{format}: {out}"
        );
        if format == "text" {
            assert!(out.contains("\\033]0;pwned\\a \\302\\2332J\\177"), "{out}");
        }
    }
}

/// Names with a newline, a backslash, a quote, an escape and bytes that are not
/// UTF-8: the `--fix` patch applies with git apply and patch -p1, and the
/// `--patch-dir` mails with git am.
#[test]
fn patches_for_odd_names_apply_with_git_and_patch() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let names: [(&[u8], &str); 2] = [
        (b"we\\ird\nna\"me\x1b", "--- \"a/we\\\\ird\\nna\\\"me\\033/"),
        (b"x\xffy", "--- \"a/x\\377y/"),
    ];
    for (name, header) in names {
        let name = OsStr::from_bytes(name);
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        copy_dir(&testdata("stale/dh-systemd-focal/in"), &repo.join(name));
        git_ok(&repo, &["init", "-q"]);
        git_ok(&repo, &["add", "-A"]);
        git_ok(&repo, &["commit", "-q", "-m", "base"]);
        let o = bin()
            .current_dir(&repo)
            .arg("--fix")
            .arg(name)
            .output()
            .unwrap();
        let patch = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(patch.contains(header), "{patch}{}", stderr(&o));
        fs::write(tmp.path().join("fix.patch"), &o.stdout).unwrap();
        let check = git(&repo, &["apply", "--check", "../fix.patch"]);
        assert!(
            check.status.success(),
            "git apply: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        if tool_available("patch", &["--version"], "patch -p1 on quoted names") {
            let p = Command::new("patch")
                .current_dir(&repo)
                .args(["-p1", "--dry-run", "--quiet", "-i", "../fix.patch"])
                .output()
                .unwrap();
            assert!(p.status.success(), "{}", String::from_utf8_lossy(&p.stdout));
        }
        let mails = tmp.path().join("mails");
        let o = bin()
            .current_dir(&repo)
            .args(["--fix", "--patch-dir"])
            .arg(&mails)
            .arg(name)
            .output()
            .unwrap();
        assert!(o.status.code().is_some(), "{}", stderr(&o));
        let mut mail_files: Vec<_> = fs::read_dir(&mails)
            .unwrap()
            .map(|e| e.unwrap().path().to_string_lossy().into_owned())
            .collect();
        mail_files.sort();
        assert!(!mail_files.is_empty());
        let mut am = vec!["am", "-q"];
        am.extend(mail_files.iter().map(String::as_str));
        git_ok(&repo, &am);
        let again = bin()
            .current_dir(&repo)
            .arg("--fix")
            .arg(name)
            .output()
            .unwrap();
        assert!(!stdout(&again).contains("+++"), "{}", stdout(&again));
    }
}
