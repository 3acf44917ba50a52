//! kpkg-lint where packagers run it: the real pre-commit framework installing it from
//! this repository, the plain git hook, the progress bar on a terminal, shell
//! completions and the man page.

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A git repository holding what `cargo install` needs to build kpkg-lint from this
/// checkout, committed, as a hook repository for `pre-commit try-repo`. The working
/// tree itself is not used: it may hold uncommitted work that try-repo would only
/// partly pick up (it ignores untracked files).
fn hook_repository(dst: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::create_dir_all(dst).unwrap();
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "LICENSE",
        ".pre-commit-hooks.yaml",
    ] {
        fs::copy(src.join(file), dst.join(file)).unwrap();
    }
    for dir in ["src", "rules"] {
        copy_dir(&src.join(dir), &dst.join(dir));
    }
    git_ok(dst, &["init", "-q"]);
    git_ok(dst, &["add", "-A"]);
    git_ok(dst, &["commit", "-q", "-m", "kpkg-lint"]);
}

/// `pre-commit try-repo` with a private pre-commit home. `cargo install` builds
/// into a target directory kept between test runs, with the release profile turned
/// into a quick unoptimised one: what is tested is the hook definition and the
/// framework's install, not the optimiser.
fn try_repo(repo: &Path, hook_repo: &Path, home: &Path, args: &[&str]) -> Output {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-cargo-target");
    pre_commit()
        .current_dir(repo)
        .arg("try-repo")
        .arg(hook_repo)
        .args(args)
        .env("PRE_COMMIT_HOME", home)
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_TERM_COLOR", "never")
        .env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("run pre-commit")
}

/// The `pre-commit` command, or the module when pip's script is not on PATH.
fn pre_commit() -> Command {
    let on_path = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if on_path {
        Command::new("pre-commit")
    } else {
        let mut c = Command::new("python3");
        c.args(["-m", "pre_commit"]);
        c
    }
}

#[test]
fn pre_commit_framework_runs_the_hook() {
    if !pre_commit()
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
        && !tool_available(
            "pre-commit",
            &["--version"],
            "the pre-commit framework test (pip install pre-commit)",
        )
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let hook_repo = tmp.path().join("kpkg-lint");
    hook_repository(&hook_repo);
    let repo = tmp.path().join("linux");
    repo_with(&testdata("parallel/mkdebian-old/in"), &repo);
    let home = tmp.path().join("pre-commit-home");

    let started = Instant::now();
    let o = try_repo(&repo, &hook_repo, &home, &["kpkg-lint", "--all-files"]);
    eprintln!(
        "pre-commit try-repo with `cargo install`: {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("kpkg-lint") && out.contains("Failed"), "{out}");
    assert!(out.contains("ignores-parallel-option"), "{out}");
    assert!(
        out.contains("debian/rules:9:2"),
        "the hook lints the tree at the repository root: {out}"
    );

    // A change outside the packaging does not run the hook.
    fs::write(repo.join("README"), "kernel\n").unwrap();
    git_ok(&repo, &["add", "README"]);
    let o = try_repo(
        &repo,
        &hook_repo,
        &home,
        &["kpkg-lint", "--files", "README"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("Skipped"), "{}", text(&o));

    // Every layout discovery knows runs it: a packaging tree in a subdirectory
    // (linux-liquorix/debian/) and kernel-package's ruleset.
    let nested = tmp.path().join("nested");
    fs::create_dir_all(&nested).unwrap();
    copy_dir(
        &testdata("parallel/mkdebian-old/in"),
        &nested.join("linux-acme"),
    );
    copy_dir(&testdata("examples/kernel-package"), &nested.join("kpkg"));
    repo_with(&nested.clone(), &tmp.path().join("nested-repo"));
    let nested = tmp.path().join("nested-repo");
    for (file, finding) in [
        ("linux-acme/debian/rules", "linux-acme/debian/rules:9:2"),
        ("kpkg/kernel/rules", "kpkg/kernel/"),
    ] {
        let o = try_repo(&nested, &hook_repo, &home, &["kpkg-lint", "--files", file]);
        assert_eq!(o.status.code(), Some(1), "{file}: {}", text(&o));
        assert!(text(&o).contains(finding), "{file}: {}", text(&o));
    }

    // After the fixes the hook passes.
    let o = run_in(&repo, &["--fix", "--write"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    git_ok(
        &repo,
        &["commit", "-q", "-a", "-m", "kpkg-lint --fix --write"],
    );
    let o = try_repo(&repo, &hook_repo, &home, &["kpkg-lint", "--all-files"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("Passed"), "{}", text(&o));

    // The fixing hook changes nothing on a clean tree, and fixes a broken one
    // (pre-commit then fails the commit because files changed, as for any fixer).
    let o = try_repo(&repo, &hook_repo, &home, &["kpkg-lint-fix", "--all-files"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let broken = tmp.path().join("linux-2");
    repo_with(&testdata("parallel/mkdebian-old/in"), &broken);
    let o = try_repo(
        &broken,
        &hook_repo,
        &home,
        &["kpkg-lint-fix", "--all-files"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("files were modified by this hook"),
        "{}",
        text(&o)
    );
    assert_eq!(run_in(&broken, &[]).status.code(), Some(0));
}

fn hook_path(repo: &Path) -> PathBuf {
    repo.join(".git/hooks/pre-commit")
}

#[test]
fn hook_install_guards_foreign_hooks_and_stops_bad_commits() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("linux");
    repo_with(&testdata("parallel/mkdebian-old/in"), &repo);
    let hook = hook_path(&repo);

    let o = run_in(&repo, &["hook", "install"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        stdout(&o).starts_with("Installed .git/hooks/pre-commit"),
        "{}",
        text(&o)
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(&hook).unwrap().permissions().mode() & 0o777,
        0o755
    );
    let script = fs::read_to_string(&hook).unwrap();
    // Idempotent: a second install changes nothing.
    let o = run_in(&repo, &["hook", "install"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("already kpkg-lint's hook"),
        "{}",
        text(&o)
    );
    assert_eq!(fs::read_to_string(&hook).unwrap(), script);

    // A commit that touches the packaging is linted and stopped.
    let rules = repo.join("debian/rules");
    fs::write(
        &rules,
        fs::read_to_string(&rules).unwrap() + "\n# touched\n",
    )
    .unwrap();
    git_ok(&repo, &["add", "-A"]);
    let o = git(&repo, &["commit", "-q", "-m", "touch rules"]);
    assert!(
        !o.status.success(),
        "the hook stops the commit: {}",
        text(&o)
    );
    assert!(text(&o).contains("ignores-parallel-option"), "{}", text(&o));
    assert!(text(&o).contains("kpkg-lint --fix --write"), "{}", text(&o));
    // Other commits are not linted at all.
    git_ok(&repo, &["reset", "-q", "--hard"]);
    fs::write(repo.join("README"), "kernel\n").unwrap();
    git_ok(&repo, &["add", "README"]);
    git_ok(&repo, &["commit", "-q", "-m", "readme"]);
    // Once fixed, packaging commits go through.
    assert_eq!(run_in(&repo, &["--fix", "--write"]).status.code(), Some(0));
    git_ok(&repo, &["add", "-A"]);
    git_ok(&repo, &["commit", "-q", "-m", "fixed"]);

    // Uninstall removes only our hook.
    let o = run_in(&repo, &["hook", "uninstall"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!hook.exists());

    // A foreign hook is left alone unless --force; --force keeps it aside, and
    // uninstall puts it back.
    let foreign = "#!/bin/sh\n# the team's own checks\nexit 0\n";
    fs::write(&hook, foreign).unwrap();
    let o = run_in(&repo, &["hook", "install"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(".git/hooks/pre-commit exists and was not written by kpkg-lint"),
        "{}",
        text(&o)
    );
    assert_eq!(fs::read_to_string(&hook).unwrap(), foreign);
    let o = run_in(&repo, &["hook", "uninstall"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(fs::read_to_string(&hook).unwrap(), foreign);
    let o = run_in(&repo, &["hook", "install", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(fs::read_to_string(&hook).unwrap(), script);
    assert_eq!(
        fs::read_to_string(repo.join(".git/hooks/pre-commit.kpkg-lint-backup")).unwrap(),
        foreign
    );
    assert_eq!(run_in(&repo, &["hook", "uninstall"]).status.code(), Some(0));
    assert_eq!(fs::read_to_string(&hook).unwrap(), foreign);

    // Outside a repository: a clear error.
    let o = run_in(tmp.path(), &["hook", "install"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not inside a git repository"),
        "{}",
        text(&o)
    );
}

/// `hook install --force` twice over two different foreign hooks: the first
/// backup is never overwritten (before, the second install replaced it and the
/// team's hook was lost); uninstall puts back the newest, and the older stays.
#[test]
fn hook_backups_are_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    fs::create_dir_all(&repo).unwrap();
    git_ok(&repo, &["init", "-q"]);
    let hooks = repo.join(".git/hooks");
    fs::create_dir_all(&hooks).unwrap();
    let hook = hooks.join("pre-commit");
    let first = "#!/bin/sh\n# the team's checks\nexit 0\n";
    let second = "#!/bin/sh\n# someone's later hook\nexit 0\n";
    fs::write(&hook, first).unwrap();
    let o = run_in(&repo, &["hook", "install", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    fs::write(&hook, second).unwrap();
    let o = run_in(&repo, &["hook", "install", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("pre-commit.kpkg-lint-backup.2"),
        "{}",
        stdout(&o)
    );
    let backup = hooks.join("pre-commit.kpkg-lint-backup");
    assert_eq!(fs::read_to_string(&backup).unwrap(), first);
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit.kpkg-lint-backup.2")).unwrap(),
        second
    );
    assert_eq!(run_in(&repo, &["hook", "uninstall"]).status.code(), Some(0));
    assert_eq!(fs::read_to_string(&hook).unwrap(), second);
    assert_eq!(fs::read_to_string(&backup).unwrap(), first);
}

// ---------------------------------------------------------------- terminal

/// Run kpkg-lint under a pseudo-terminal (util-linux `script`), so stdout and stderr
/// are TTYs; returns everything the terminal received.
fn on_terminal(dir: &Path, args: &str) -> Option<String> {
    if !tool_available(
        "script",
        &["--version"],
        "the progress bar test (util-linux script)",
    ) {
        return None;
    }
    let cmd = format!("'{}' {args}", env!("CARGO_BIN_EXE_kpkg-lint"));
    let o = Command::new("script")
        .current_dir(dir)
        .args(["-q", "-e", "-c", &cmd, "/dev/null"])
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "120")
        .output()
        .expect("script");
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn progress_bar_only_for_people() {
    let dir = testdata("parallel");
    let Some(tty) = on_terminal(&dir, ".") else {
        return;
    };
    let bar = regex::Regex::new(r"linting .*\d+/\d+ trees").unwrap();
    assert!(bar.is_match(&tty), "a progress bar on a terminal: {tty:?}");
    assert!(tty.contains("Found "), "{tty:?}");
    for quiet in ["--quiet", "--format json", "--format sarif"] {
        let tty = on_terminal(&dir, &format!("{quiet} .")).unwrap();
        assert!(!bar.is_match(&tty), "{quiet}: {tty:?}");
    }
    // One tree: nothing to show progress of.
    let tty = on_terminal(&dir.join("custom-j1/in"), ".").unwrap();
    assert!(!bar.is_match(&tty), "{tty:?}");
    // Not a terminal: never.
    let o = run_in(&dir, &["."]);
    assert!(!bar.is_match(&stderr(&o)), "{}", stderr(&o));
}

#[test]
fn quiet_prints_findings_only() {
    let dir = testdata("parallel/mkdebian-old/in");
    let loud = run_in(&dir, &["--select", "parallel"]);
    let quiet = run_in(&dir, &["--select", "parallel", "--quiet"]);
    assert_eq!(loud.status.code(), quiet.status.code());
    let (loud, quiet) = (stdout(&loud), stdout(&quiet));
    assert!(loud.contains("Found 1 finding"), "{loud}");
    assert!(!quiet.contains("Found"), "{quiet}");
    assert!(quiet.contains("ignores-parallel-option"), "{quiet}");
    let clean = run_in(&dir, &["-q", "--ignore", "all"]);
    assert_eq!(
        (stdout(&clean).as_str(), clean.status.code()),
        ("", Some(0))
    );

    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&dir, &tmp.path().join("t"));
    let o = run_in(&tmp.path().join("t"), &["--fix", "--quiet"]);
    assert!(!stdout(&o).is_empty());
    assert_eq!(stderr(&o), "", "no fix report with --quiet");
}

// ---------------------------------------------------------------- generated docs

#[test]
fn completions_know_every_option_and_work_in_bash() {
    for shell in ["bash", "zsh", "fish"] {
        let o = run_in(Path::new("."), &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let script = stdout(&o);
        for word in [
            "--format",
            "sarif",
            "lintian",
            "--config",
            "--show-settings",
            "--statistics",
            "hook",
            "completions",
            "resolve",
            "--host-arch",
        ] {
            // fish spells long options `-l format`.
            let word = if shell == "fish" {
                word.trim_start_matches("--")
            } else {
                word
            };
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    // bash itself: load the script and complete `kpkg-lint --format g`.
    if !tool_available("bash", &["--version"], "the bash completion test") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("kpkg-lint.bash");
    fs::write(
        &path,
        stdout(&run_in(Path::new("."), &["completions", "bash"])),
    )
    .unwrap();
    let probe = format!(
        "source '{}'; COMP_WORDS=(kpkg-lint --format g); COMP_CWORD=2; COMP_LINE='kpkg-lint --format g'; COMP_POINT=${{#COMP_LINE}}; f=$(complete -p kpkg-lint | sed 's/.*-F \\([^ ]*\\).*/\\1/'); \"$f\" kpkg-lint g --format; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display()
    );
    let o = Command::new("bash").args(["-c", &probe]).output().unwrap();
    let words = String::from_utf8_lossy(&o.stdout);
    assert_eq!(words.trim(), "github\ngitlab", "{}", text(&o));
}

#[test]
fn man_page_renders() {
    let o = run_in(Path::new("."), &["man"]);
    assert_eq!(o.status.code(), Some(0));
    let roff = stdout(&o);
    assert!(roff.starts_with(".ie"), "{roff}");
    assert!(roff.contains(".TH kpkg-lint 1"), "{roff}");
    for word in [
        "\\-\\-show\\-settings",
        "kpkg\\-lint.toml",
        "sarif",
        "EXIT STATUS",
        "ENVIRONMENT",
        "NO_COLOR",
        "DEB_HOST_ARCH",
        "kpkg\\-lint\\-resolve",
    ] {
        assert!(roff.contains(word), "man page lacks {word}");
    }
    // man(1) formats it without warnings, when it is installed.
    if Command::new("man")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let tmp = tempfile::tempdir().unwrap();
        let page = tmp.path().join("kpkg-lint.1");
        fs::write(&page, &roff).unwrap();
        let o = Command::new("man")
            .args(["--warnings", "-l"])
            .arg(&page)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("kpkg-lint.toml"));
    }
}

#[test]
fn version_names_the_rule_catalogue() {
    let o = run_in(Path::new("."), &["--version"]);
    assert_eq!(o.status.code(), Some(0));
    let v = stdout(&o);
    let mut lines = v.lines();
    assert_eq!(
        lines.next(),
        Some(format!("kpkg-lint {}", env!("CARGO_PKG_VERSION")).as_str())
    );
    let catalogue = lines.next().unwrap();
    let rules = stdout(&run_in(Path::new("."), &["rules"])).lines().count();
    assert!(
        regex::Regex::new(&format!(
            r"^rule catalogue [0-9a-f]{{8}} \({rules} rules\)$"
        ))
        .unwrap()
        .is_match(catalogue),
        "{catalogue}"
    );
}

/// The hook lints what is staged, not the working tree: a clean staged change
/// commits even with a bad edit left unstaged, and a bad staged change is
/// refused even when the working tree has it fixed. A packaging tree nested in
/// the repository (`linux-acme/debian/`) counts as packaging too.
#[test]
fn hook_lints_the_index_not_the_working_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let tree = repo.join("linux-acme");
    copy_dir(&testdata("parallel/mkdebian-old/in"), &tree);
    assert_eq!(run_in(&tree, &["--fix", "--write"]).status.code(), Some(0));
    git_ok(&repo, &["init", "-q"]);
    git_ok(&repo, &["add", "-A"]);
    git_ok(&repo, &["commit", "-q", "-m", "clean packaging"]);
    let o = run_in(&repo, &["hook", "install"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let rules = tree.join("debian/rules");
    let clean = fs::read_to_string(&rules).unwrap();
    let bad = format!("{clean}\nextra:\n\t$(MAKE) KERNELRELEASE=$(version) ARCH=$(ARCH)\n");
    assert_eq!(run_in(&tree, &[]).status.code(), Some(0));

    // Staged: a harmless edit. Unstaged: a finding. The commit goes through.
    fs::write(&rules, format!("# maintained by hand\n{clean}")).unwrap();
    git_ok(&repo, &["add", "linux-acme/debian/rules"]);
    fs::write(&rules, format!("# maintained by hand\n{bad}")).unwrap();
    let o = git(&repo, &["commit", "-q", "-m", "comment"]);
    assert!(
        o.status.success(),
        "the unstaged edit is not linted: {}",
        text(&o)
    );
    let committed = git(&repo, &["show", "HEAD:linux-acme/debian/rules"]);
    assert!(!String::from_utf8_lossy(&committed.stdout).contains("extra:"));

    // Staged: the finding. Working tree: fixed again. The commit is refused.
    git_ok(&repo, &["add", "linux-acme/debian/rules"]);
    fs::write(&rules, format!("# maintained by hand\n{clean}")).unwrap();
    assert_eq!(
        run_in(&tree, &[]).status.code(),
        Some(0),
        "the working tree is clean"
    );
    let o = git(&repo, &["commit", "-q", "-m", "extra target"]);
    assert!(
        !o.status.success(),
        "the staged finding stops it: {}",
        text(&o)
    );
    assert!(
        text(&o).contains("unpinned-kbuild-timestamp"),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("linux-acme/debian/rules:24:2"),
        "paths and lines read as in the index: {}",
        text(&o)
    );
    assert!(text(&o).contains("commit stopped"), "{}", text(&o));
}
