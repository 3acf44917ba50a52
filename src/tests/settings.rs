//! kpkg-lint.toml end to end: where it is found, what each key does, how the command
//! line wins, per-rule severity in the output and the exit status, clear errors,
//! `--show-settings`.

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};

/// A copy of a test tree in a temp dir; returns (guard, tree path).
fn tree(case: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("tree");
    copy_dir(&testdata(case), &dst);
    (tmp, dst)
}

/// (rule, severity, line) of every finding of a JSON run.
fn findings(dir: &Path, args: &[&str]) -> (Vec<(String, String, u64)>, Option<i32>) {
    let mut a = vec!["--format", "json"];
    a.extend_from_slice(args);
    let o = run_in(dir, &a);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
    let list = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    (list, o.status.code())
}

fn rules(list: &[(String, String, u64)]) -> Vec<&str> {
    let mut r: Vec<&str> = list.iter().map(|(r, _, _)| r.as_str()).collect();
    r.dedup();
    r
}

#[test]
fn select_ignore_and_severity_from_the_file() {
    let (_tmp, dir) = tree("parallel/mkdebian-old/in");
    let (all, _) = findings(&dir, &[]);
    assert!(rules(&all).contains(&"ignores-parallel-option"));
    assert!(rules(&all).contains(&"unpinned-kbuild-user-host"));

    fs::write(
        dir.join("debian/kpkg-lint.toml"),
        "# kernel team settings\nselect = [\"parallel\", \"unpinned-kbuild-user-host\"]\nignore = [\"unpinned-kbuild-user-host\"]\n\n[severity]\nignores-parallel-option = \"info\"\n",
    )
    .unwrap();
    let (list, code) = findings(&dir, &[]);
    assert_eq!(
        list,
        [("ignores-parallel-option".to_string(), "info".to_string(), 9)]
    );
    assert_eq!(
        code,
        Some(0),
        "an info finding does not fail at --fail-on warning"
    );
    let (_, code) = findings(&dir, &["--fail-on", "info"]);
    assert_eq!(code, Some(1));

    // Raising a severity fails the run and shows in every format.
    fs::write(
        dir.join("debian/kpkg-lint.toml"),
        "select = [\"ignores-parallel-option\"]\n[severity]\nparallel = \"info\"\nignores-parallel-option = \"error\"\n",
    )
    .unwrap();
    let (list, code) = findings(&dir, &["--fail-on", "error"]);
    assert_eq!(list[0].1, "error");
    assert_eq!(code, Some(1));
    let lintian = stdout(&run_in(&dir, &["--format", "lintian"]));
    assert!(lintian.starts_with("E: "), "{lintian}");
    let sarif = stdout(&run_in(&dir, &["--format", "sarif"]));
    assert!(sarif.contains("\"level\": \"error\""), "{sarif}");
    let gitlab = stdout(&run_in(&dir, &["--format", "gitlab"]));
    assert!(gitlab.contains("\"severity\": \"critical\""), "{gitlab}");
}

#[test]
fn command_line_wins_over_the_file() {
    let (_tmp, dir) = tree("parallel/mkdebian-old/in");
    fs::write(
        dir.join("kpkg-lint.toml"),
        "select = \"unpinned-kbuild-user-host\"\nignore = [\"ignores-parallel-option\"]\n",
    )
    .unwrap();
    let (list, _) = findings(&dir, &[]);
    assert_eq!(rules(&list), ["unpinned-kbuild-user-host"]);
    // --select starts afresh: it runs a rule the file ignores.
    let (list, _) = findings(&dir, &["--select", "ignores-parallel-option"]);
    assert_eq!(rules(&list), ["ignores-parallel-option"]);
    // --ignore applies on top of the file.
    let (list, _) = findings(&dir, &["--ignore", "determinism"]);
    assert!(list.is_empty(), "{list:?}");

    let shown = stdout(&run_in(
        &dir,
        &[
            "--show-settings",
            "--select",
            "parallel",
            "--release",
            "noble",
        ],
    ));
    assert!(
        shown.contains("release = \"noble\"  # command line"),
        "{shown}"
    );
    assert!(
        shown.contains("(kpkg-lint.toml, then the command line)"),
        "{shown}"
    );
    assert!(
        shown.contains("\"ignores-parallel-option\""),
        "--select replaces the file's ignore: {shown}"
    );
    assert!(!shown.contains("unpinned-kbuild-user-host"), "{shown}");
}

#[test]
fn archive_paths_are_relative_to_the_file() {
    let (tmp, dir) = tree("stale/debian-bookworm/in");
    copy_dir(&testdata("stale/archive"), &tmp.path().join("indices"));
    let archive = tmp.path().join("indices").to_string_lossy().into_owned();
    let (expected, _) = findings(
        &dir,
        &[
            "--select",
            "stale",
            "--archive",
            &archive,
            "--allow-unknown",
            "libfoo-*",
        ],
    );
    assert!(
        rules(&expected).contains(&"redundant-version-constraint"),
        "{expected:?}"
    );

    fs::write(
        dir.join("debian/kpkg-lint.toml"),
        "select = [\"stale\"]\narchive = [\"../../indices\"]\nallow-unknown = [\"libfoo-*\"]\n",
    )
    .unwrap();
    // From another directory: the path is taken relative to debian/, not the cwd.
    let (list, _) = findings(tmp.path(), &["tree"]);
    assert_eq!(list, expected);
    let shown = stdout(&run_in(tmp.path(), &["--show-settings", "tree"]));
    assert!(
        shown.contains("archive = [\"tree/debian/../../indices\"]  # tree/debian/kpkg-lint.toml"),
        "{shown}"
    );
}

#[test]
fn every_tree_has_its_own_file_and_config_replaces_them() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&testdata("parallel/mkdebian-old/in"), &tmp.path().join("a"));
    copy_dir(&testdata("parallel/mkdebian-old/in"), &tmp.path().join("b"));
    fs::write(tmp.path().join("b/kpkg-lint.toml"), "ignore = [\"all\"]\n").unwrap();
    let o = run_in(tmp.path(), &["--format", "lintian", "."]);
    let text = stdout(&o);
    assert!(text.contains("[a/debian/rules:9]"), "{text}");
    assert!(!text.contains("[b/"), "{text}");

    let shared = tmp.path().join("shared.toml");
    fs::write(&shared, "select = [\"determinism\"]\n").unwrap();
    let o = run_in(
        tmp.path(),
        &["--format", "lintian", "--config", "shared.toml", "."],
    );
    let text = stdout(&o);
    assert!(
        text.contains("unpinned-kbuild-user-host $(MAKE) [a/debian/rules:9]"),
        "{text}"
    );
    assert!(
        text.contains("unpinned-kbuild-user-host $(MAKE) [b/debian/rules:9]"),
        "{text}"
    );
    assert!(!text.contains("ignores-parallel-option"), "{text}");
}

#[test]
fn mistakes_are_errors_with_file_and_line() {
    let (tmp, dir) = tree("parallel/mkdebian-old/in");
    let config = dir.join("debian/kpkg-lint.toml");
    for (text, expected) in [
        (
            "select = [\"parallel\"]\nselcet = [\"cross\"]\n",
            "kpkg-lint: error: tree/debian/kpkg-lint.toml:2:1: unknown key `selcet` (did you mean `select`? known keys: select, ignore, extend-select, extend-ignore, exclude, per-file-ignores, severity, release, archive, profiles, allow-unknown, doc-url)\n",
        ),
        (
            "ignore = [\n  \"parallel\",\n  \"forced-serial-flags\",\n]\n",
            "kpkg-lint: error: tree/debian/kpkg-lint.toml:3:3: unknown rule or family `forced-serial-flags` (did you mean `forced-serial-flag`? run `kpkg-lint rules` for the list)\n",
        ),
        (
            "[severity]\nforced-serial-flag = \"fatal\"\n",
            "kpkg-lint: error: tree/debian/kpkg-lint.toml:2:22: severity of `forced-serial-flag` must be \"error\", \"warning\" or \"info\"\n",
        ),
        (
            "release = \"noble\"\nrelease = \"bookworm\"\n",
            "kpkg-lint: error: tree/debian/kpkg-lint.toml:2:1: invalid TOML: duplicate key\n",
        ),
    ] {
        fs::write(&config, text).unwrap();
        let o = run_in(tmp.path(), &["tree"]);
        assert_eq!(o.status.code(), Some(2), "{text}");
        assert_eq!(stderr(&o), expected, "{text}");
        assert_eq!(stdout(&o), "", "nothing is linted under a broken configuration");
    }

    fs::write(&config, "select = [\"parallel\"]\n").unwrap();
    fs::write(dir.join("kpkg-lint.toml"), "select = [\"determinism\"]\n").unwrap();
    let o = run_in(tmp.path(), &["tree"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "kpkg-lint: error: tree/debian/kpkg-lint.toml: tree/kpkg-lint.toml also exists; keep one of the two configuration files\n"
    );

    let o = run_in(tmp.path(), &["--config", "missing.toml", "tree"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("kpkg-lint: error: missing.toml: "),
        "{}",
        stderr(&o)
    );
}

#[test]
fn show_settings_snapshot() {
    let (tmp, dir) = tree("parallel/mkdebian-old/in");
    fs::write(
        dir.join("debian/kpkg-lint.toml"),
        "select = [\"parallel\"]\nignore = [\"deprecated-make-kpkg\"]\nprofiles = [\"nodoc\"]\n[severity]\nforced-serial-flag = \"warning\"\nparallel = \"warning\"\n",
    )
    .unwrap();
    let o = run_in(
        tmp.path(),
        &["--show-settings", "--allow-unknown", "libpve-*", "tree"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("show_settings", stdout(&o));
}

/// `doc-url` in the file links every finding's rule page; `--doc-url` wins; a
/// base without `{rule}` gets `<rule>.md` appended. Text shows it next to the
/// rule's name, JSON as `url`.
#[test]
fn doc_url_from_the_file_and_the_command_line() {
    let (_g, dir) = tree("parallel/mkdebian-old/in");
    let url_of = |args: &[&str]| {
        let mut a = vec!["--format", "json"];
        a.extend_from_slice(args);
        let o = run_in(&dir, &a);
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        v["findings"][0]["url"].as_str().unwrap().to_string()
    };
    assert_eq!(url_of(&[]), "docs/rules/ignores-parallel-option.md");
    fs::write(
        dir.join("kpkg-lint.toml"),
        "doc-url = \"https://docs.example.org/kpkg-lint/{rule}.html\"\n",
    )
    .unwrap();
    assert_eq!(
        url_of(&[]),
        "https://docs.example.org/kpkg-lint/ignores-parallel-option.html"
    );
    assert_eq!(
        url_of(&["--doc-url", "file:///usr/share/doc/kpkg-lint/rules"]),
        "file:///usr/share/doc/kpkg-lint/rules/ignores-parallel-option.md"
    );
    let o = run_in(&dir, &[]);
    assert!(
        stdout(&o).contains(
            "ignores-parallel-option (https://docs.example.org/kpkg-lint/ignores-parallel-option.html)"
        ),
        "{}",
        stdout(&o)
    );
    fs::write(dir.join("kpkg-lint.toml"), "doc-url = 1\n").unwrap();
    let o = run_in(&dir, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`doc-url` must be a string"),
        "{}",
        stderr(&o)
    );
}
