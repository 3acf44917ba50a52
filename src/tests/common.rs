//! Helpers shared by the integration tests under src/tests/.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kpkg-lint"));
    c.env("NO_COLOR", "1");
    c
}

pub fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

/// Run kpkg-lint in `dir` with `args`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run kpkg-lint")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

pub fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            fs::copy(e.path(), &to).unwrap();
        }
    }
}

pub fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=kpkg-lint test",
            "-c",
            "user.email=test@example.org",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git")
}

pub fn git_ok(dir: &Path, args: &[&str]) {
    let o = git(dir, args);
    assert!(
        o.status.success(),
        "git {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A git repository holding a copy of `src`, everything committed.
pub fn repo_with(src: &Path, dst: &Path) {
    copy_dir(src, dst);
    git_ok(dst, &["init", "-q"]);
    git_ok(dst, &["add", "-A"]);
    git_ok(dst, &["commit", "-q", "-m", "base"]);
}

/// Whether an external tool runs. A test whose real consumer is missing fails,
/// naming what to install (.ci/run installs every one), so a green `cargo test`
/// means every consumer was exercised. `KPKG_LINT_SKIP_MISSING=1` skips such a
/// test instead, with a line on stderr, for machines that cannot have the tool.
pub fn tool_available(program: &str, args: &[&str], why: &str) -> bool {
    let ok = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var_os("KPKG_LINT_SKIP_MISSING").is_none_or(|v| v.is_empty()) {
            panic!(
                "{program} is needed for {why}, but `{program} {}` failed: install it (.ci/run shows how), or set KPKG_LINT_SKIP_MISSING=1 to skip this test",
                args.join(" ")
            );
        }
        eprintln!(
            "SKIPPED {why}: `{program} {}` failed (KPKG_LINT_SKIP_MISSING is set)",
            args.join(" ")
        );
    }
    ok
}

/// Whether something a test needs from the machine is there (apt lists, a
/// private mount namespace …): like [`tool_available`], a test that cannot run
/// fails and says why, unless `KPKG_LINT_SKIP_MISSING=1` lets it skip with a line
/// on stderr.
pub fn machine_has(present: bool, test: &str, what: &str) -> bool {
    if !present {
        if std::env::var_os("KPKG_LINT_SKIP_MISSING").is_none_or(|v| v.is_empty()) {
            panic!(
                "{test} needs {what}, which this machine lacks (.ci/run sets it up); set KPKG_LINT_SKIP_MISSING=1 to skip this test"
            );
        }
        eprintln!("SKIPPED {test}: {what} missing (KPKG_LINT_SKIP_MISSING is set)");
    }
    present
}

/// Copy a tree (keeping file modes) into a fresh temp dir; returns (guard, path).
pub fn copy_tree(src: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("tree");
    copy_dir(src, &dst);
    (tmp, dst)
}

/// Compare a directory with an expected `out/` tree, byte for byte.
pub fn assert_same_tree(actual: &Path, expected: &Path) {
    let list = |root: &Path| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = walk(root)
            .into_iter()
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .filter(|p| !p.starts_with(".git"))
            .collect();
        v.sort();
        v
    };
    assert_eq!(list(actual), list(expected), "file lists differ");
    for rel in list(expected) {
        assert_eq!(
            fs::read_to_string(actual.join(&rel)).unwrap(),
            fs::read_to_string(expected.join(&rel)).unwrap(),
            "{}",
            rel.display()
        );
    }
}

pub fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(root).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Run the shell `script` (its arguments `$1`… are `args`) in a private mount
/// namespace, where it may mount a small tmpfs or a read-only bind mount that nobody
/// else sees. Plain `unshare -m` needs root; `unshare -Urm` works for anyone where
/// user namespaces are allowed. `None` when neither works on this machine (a
/// sandbox that forbids both): the caller says it skipped.
pub fn in_mount_namespace(script: &str, args: &[&std::ffi::OsStr]) -> Option<Output> {
    let probe_dir = tempfile::tempdir().ok()?;
    let probe = "mount -t tmpfs kpkg-lint-probe \"$1\" && umount \"$1\"";
    for flags in [["-m"].as_slice(), ["-U", "-r", "-m"].as_slice()] {
        let works = Command::new("unshare")
            .args(flags)
            .args(["sh", "-c", probe, "sh"])
            .arg(probe_dir.path())
            .output()
            .is_ok_and(|o| o.status.success());
        if works {
            return Command::new("unshare")
                .args(flags)
                .args(["sh", "-c", script, "sh"])
                .args(args)
                .output()
                .ok();
        }
    }
    None
}

/// The names of kpkg-lint's temporary files left anywhere under `root`.
pub fn temp_files(root: &Path) -> Vec<PathBuf> {
    walk(root)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".kpkg-lint."))
        })
        .collect()
}

// ---------------------------------------------------------------- fixture cases

/// One finding as a case's `findings` file lists it: (rule, path, line).
pub type Finding = (String, String, u64);

/// The findings of a `--format json` run, each as (rule, path, line) with its
/// severity, in output order.
pub fn json_findings(o: &Output) -> Vec<(Finding, String)> {
    let v: serde_json::Value = serde_json::from_str(&stdout(o))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(o), stderr(o)));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["path"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                ),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// One run of kpkg-lint over a case's tree, and what it must report.
#[derive(Debug, Clone)]
pub struct Run {
    /// The arguments, `$TESTDATA` replaced by the testdata directory.
    pub args: Vec<String>,
    /// Also snapshot the human output under this name.
    pub text: Option<String>,
    /// In output order.
    pub findings: Vec<Finding>,
}

/// What the `--fix` of a case with an `out/` is run with and must achieve.
#[derive(Debug, Clone)]
pub struct FixSpec {
    /// Added after `--fix` and the first run's arguments.
    pub extra: Vec<String>,
    /// Rules the first run must no longer report on the fixed tree.
    pub gone: Vec<String>,
    /// The name of the patch snapshot.
    pub patch: String,
}

/// A fixture case: `testdata/<family>/<case>/` with an `in/` tree (or a `# in:`
/// line naming the tree), a `findings` file and, when a fix applies, `out/` with
/// the files the fix changes. testdata/README.md describes the format.
#[derive(Debug, Clone)]
pub struct Case {
    pub family: String,
    pub name: String,
    pub dir: PathBuf,
    /// The tree linted.
    pub input: PathBuf,
    pub runs: Vec<Run>,
    pub fix: Option<FixSpec>,
}

impl Case {
    /// `family/case`, for messages.
    pub fn id(&self) -> String {
        format!("{}/{}", self.family, self.name)
    }

    pub fn out(&self) -> PathBuf {
        self.dir.join("out")
    }

    /// The fixed tree as it should be: `in/` with the files of `out/` laid over it,
    /// by relative path. A file of `out/` identical to its `in/` counterpart is an
    /// error: `out/` holds only what the fix changes.
    pub fn expected_tree(&self) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
        let mut tree = std::collections::BTreeMap::new();
        for p in walk(&self.input) {
            let rel = p.strip_prefix(&self.input).unwrap().to_path_buf();
            tree.insert(rel, fs::read(&p).unwrap());
        }
        let out = self.out();
        assert!(out.is_dir(), "{}: no out/", self.id());
        for p in walk(&out) {
            let rel = p.strip_prefix(&out).unwrap().to_path_buf();
            let bytes = fs::read(&p).unwrap();
            assert!(
                tree.get(&rel) != Some(&bytes),
                "{}: out/{} is a copy of the input's file: out/ holds only the files the fix changes",
                self.id(),
                rel.display()
            );
            tree.insert(rel, bytes);
        }
        tree
    }

    /// Write [`Case::expected_tree`] under `dst`.
    pub fn write_expected_tree(&self, dst: &Path) {
        for (rel, bytes) in self.expected_tree() {
            let to = dst.join(rel);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::write(to, bytes).unwrap();
        }
    }
}

/// The case in `testdata/<rel>` (`family/case`).
pub fn case(rel: &str) -> Case {
    let dir = testdata(rel);
    let (family, name) = rel.split_once('/').expect("family/case");
    parse_case(family, name, &dir)
}

/// Every case under testdata/: each `<family>/<case>/` with an `in/` or a
/// `findings` file. A case without its `findings` file, or an `out/` nothing
/// tests, is an error.
pub fn cases() -> Vec<Case> {
    let root = testdata("");
    let mut dirs: Vec<PathBuf> = Vec::new();
    for family in fs::read_dir(&root).unwrap() {
        let family = family.unwrap().path();
        if !family.is_dir() {
            continue;
        }
        for case in fs::read_dir(&family).unwrap() {
            let case = case.unwrap().path();
            if case.is_dir() {
                dirs.push(case);
            }
        }
    }
    dirs.sort();
    let mut cases = Vec::new();
    for dir in dirs {
        let has = |n: &str| dir.join(n).exists();
        let rel = dir
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if !has("in") && !has("findings") {
            assert!(!has("out"), "{rel}: out/ without in/ or findings");
            continue;
        }
        assert!(
            has("findings"),
            "{rel}: a case needs a findings file (see testdata/README.md)"
        );
        let (family, name) = rel.split_once('/').unwrap();
        cases.push(parse_case(family, name, &dir));
    }
    cases
}

fn parse_case(family: &str, name: &str, dir: &Path) -> Case {
    let id = format!("{family}/{name}");
    let file = dir.join("findings");
    let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{id}/findings: {e}"));
    let data = testdata("")
        .to_string_lossy()
        .trim_end_matches('/')
        .to_string();
    let words = |v: &str| -> Vec<String> {
        v.split_whitespace()
            .map(|w| w.replace("$TESTDATA", &data))
            .collect()
    };
    let mut input = None;
    let mut runs: Vec<Run> = Vec::new();
    let (mut extra, mut gone, mut patch) = (None, None, None);
    for (n, line) in text.lines().enumerate() {
        let at = format!("{id}/findings:{}", n + 1);
        if line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('#') {
            let Some((key, value)) = rest.trim_start().split_once(':') else {
                continue;
            };
            if key.is_empty() || !key.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                continue; // a comment
            }
            let value = value.trim();
            match key {
                "in" => input = Some(testdata(value)),
                "args" => runs.push(Run {
                    args: words(value),
                    text: None,
                    findings: vec![],
                }),
                "text" => {
                    let run = runs
                        .last_mut()
                        .unwrap_or_else(|| panic!("{at}: text before args"));
                    run.text = Some(value.to_string());
                }
                "fix" => extra = Some(words(value)),
                "gone" => gone = Some(words(value)),
                "patch" => patch = Some(value.to_string()),
                other => panic!("{at}: unknown key `{other}`"),
            }
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [rule, path, l] = fields[..] else {
            panic!("{at}: not rule<TAB>path<TAB>line: {line:?}");
        };
        let l: u64 = l
            .parse()
            .unwrap_or_else(|_| panic!("{at}: line `{l}` is not a number"));
        let run = runs
            .last_mut()
            .unwrap_or_else(|| panic!("{at}: a finding before the first `# args:`"));
        run.findings.push((rule.to_string(), path.to_string(), l));
    }
    assert!(!runs.is_empty(), "{id}/findings: no `# args:` line");
    let input = input.unwrap_or_else(|| dir.join("in"));
    assert!(input.is_dir(), "{id}: no tree at {}", input.display());
    let fix = if dir.join("out").is_dir() {
        Some(FixSpec {
            extra: extra.unwrap_or_default(),
            gone: gone.unwrap_or_else(|| panic!("{id}: out/ needs a `# gone:` line")),
            patch: patch.unwrap_or_else(|| format!("patch_{family}_{name}")),
        })
    } else {
        assert!(
            extra.is_none() && gone.is_none() && patch.is_none(),
            "{id}: fix, gone and patch need an out/"
        );
        None
    };
    Case {
        family: family.to_string(),
        name: name.to_string(),
        dir: dir.to_path_buf(),
        input,
        runs,
        fix,
    }
}

/// Compare a fixed tree with what the case's `in/` and `out/` say, byte for byte:
/// the files of `in/`, those of `out/` replacing or adding to them.
pub fn assert_fixed_tree(actual: &Path, case: &Case) {
    let want = case.expected_tree();
    let mut got: Vec<PathBuf> = walk(actual)
        .into_iter()
        .map(|p| p.strip_prefix(actual).unwrap().to_path_buf())
        .filter(|p| !p.starts_with(".git"))
        .collect();
    got.sort();
    let names: Vec<&PathBuf> = want.keys().collect();
    assert_eq!(
        got.iter().collect::<Vec<_>>(),
        names,
        "{}: file lists differ",
        case.id()
    );
    for (rel, bytes) in &want {
        let have = fs::read(actual.join(rel)).unwrap();
        if &have != bytes {
            assert_eq!(
                String::from_utf8_lossy(&have),
                String::from_utf8_lossy(bytes),
                "{}: {}",
                case.id(),
                rel.display()
            );
            panic!("{}: {} differs", case.id(), rel.display());
        }
    }
}

// ---------------------------------------------------------------- quieting

/// The overrides of [`overrides_tree`]: in `debian/source/`, Ubuntu's shared
/// machinery; in `debian.master/source/`, the branch's own.
pub const DEBIAN_OVERRIDES: &str = "\
# Modules are signed by the archive, not at build time.
config-needs-build-dep CONFIG_MODULE_SIG* [debian.master/config/annotations]
# The wrapper passes -j itself.
linux source: ignores-parallel-option $(kmake) [debian/rules.d/2-binary-arch.mk:5]

# Once needed for the old toolchain.
determinism [debian/rules.d/0-common-vars.mk:99]

serial-kernel-bild
";
pub const BRANCH_OVERRIDES: &str = "flavour-missing-vars tickless\n";

/// An Ubuntu tree (testdata/flavour/ubuntu-missing-vars) with overrides files in
/// `debian/source/` and `debian.master/source/`.
pub fn overrides_tree() -> (tempfile::TempDir, PathBuf) {
    let (g, dir) = copy_tree(&testdata("flavour/ubuntu-missing-vars/in"));
    for (rel, text) in [
        ("debian/source/kpkg-lint-overrides", DEBIAN_OVERRIDES),
        ("debian.master/source/kpkg-lint-overrides", BRANCH_OVERRIDES),
    ] {
        fs::create_dir_all(dir.join(rel).parent().unwrap()).unwrap();
        fs::write(dir.join(rel), text).unwrap();
    }
    (g, dir)
}
