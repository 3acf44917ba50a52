//! `kpkg-lint hook install|uninstall`: a plain git pre-commit hook.

use super::run::{EXIT_CLEAN, EXIT_ERROR};
use super::HookAction;
use std::io::Write;

/// The marker that identifies a hook kpkg-lint wrote (and may rewrite or remove).
const HOOK_MARKER: &str = "# kpkg-lint-hook: 1";

fn hook_script(exe: Option<&std::path::Path>) -> String {
    // Prefer the binary that installed the hook while it exists, then PATH: a hook
    // must not silently pick another kpkg-lint than the one the user set up.
    let exe = exe
        .map(|p| format!("'{}'", p.to_string_lossy().replace('\'', "'\\''")))
        .unwrap_or_else(|| "''".to_string());
    format!(
        r#"#!/bin/sh
{HOOK_MARKER}
# Written by `kpkg-lint hook install`; `kpkg-lint hook uninstall` removes it.
# Lints the packaging as staged for the commit (the index, not the working
# tree) when the commit changes debian/, debian.<branch>/, kernel/ruleset/ or
# scripts/package/. Skip it once with `git commit --no-verify`.
kpkg_lint={exe}
if [ -z "$kpkg_lint" ] || [ ! -x "$kpkg_lint" ]; then
    kpkg_lint=kpkg-lint
fi
exec "$kpkg_lint" hook run
"#
    )
}

/// Is a staged path packaging? The same paths as the `files:` pattern of
/// .pre-commit-hooks.yaml: `debian/` and `debian.<branch>/` at any depth,
/// kernel-package's `kernel/rules` and `kernel/ruleset/`, kbuild's
/// `scripts/package/`.
fn is_packaging_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let last = parts.len().saturating_sub(1);
    parts.iter().enumerate().any(|(i, p)| {
        let next = parts.get(i + 1).copied();
        (i < last && (*p == "debian" || p.strip_prefix("debian.").is_some_and(|b| !b.is_empty())))
            || (*p == "kernel"
                && ((next == Some("rules") && i + 1 == last)
                    || (next == Some("ruleset") && i + 1 < last)))
            || (*p == "scripts" && next == Some("package") && i + 1 < last)
    })
}

fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let o = std::process::Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !o.status.success() {
        return Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        ));
    }
    Ok(o.stdout)
}

/// The staged files to copy: `git ls-files --stage` entries
/// (`<mode> <object> <stage>\t<path>`), without submodules (160000), unmerged
/// entries and kernel source directories; NUL-separated for checkout-index.
fn staged_paths(listing: &[u8]) -> Vec<u8> {
    let mut paths: Vec<u8> = Vec::new();
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let Some(tab) = entry.iter().position(|b| *b == b'\t') else {
            continue;
        };
        let (meta, path) = (&entry[..tab], &entry[tab + 1..]);
        let meta = String::from_utf8_lossy(meta);
        let fields: Vec<&str> = meta.split(' ').collect();
        if fields.first() == Some(&"160000") || fields.get(2) != Some(&"0") {
            continue;
        }
        let text = String::from_utf8_lossy(path);
        let first = text.split('/').next().unwrap_or("");
        // Kernel source directories are never packaging and a kernel tree has
        // tens of thousands of files there: not copied out of the index (as
        // discovery skips them), but for scripts/, where scripts/package is.
        if first != "scripts" && crate::discover::KERNEL_SOURCE_DIRS.contains(&first) {
            continue;
        }
        paths.extend_from_slice(path);
        paths.push(0);
    }
    paths
}

/// `hook run`: copy what is staged (the index git commits: also the temporary
/// one of `git commit -a` or `git commit PATH`, which git names in
/// GIT_INDEX_FILE) into a temporary directory and lint that copy, so an unstaged
/// edit neither stops a clean commit nor lets a bad one through.
fn run_staged(out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let fail = |err: &mut dyn Write, e: String| {
        let _ = writeln!(err, "kpkg-lint: error: {e}");
        EXIT_ERROR
    };
    let changed = match git(&["diff", "--cached", "--name-only", "-z"]) {
        Ok(b) => b,
        Err(e) => return fail(err, e),
    };
    let touches = changed
        .split(|b| *b == 0)
        .any(|p| is_packaging_path(&String::from_utf8_lossy(p)));
    if !touches {
        return EXIT_CLEAN;
    }
    let top = match git(&["rev-parse", "--show-toplevel"]) {
        Ok(b) => std::path::PathBuf::from(String::from_utf8_lossy(&b).trim()),
        Err(e) => return fail(err, e),
    };
    let listing = match git(&["-C", &top.to_string_lossy(), "ls-files", "-z", "--stage"]) {
        Ok(b) => b,
        Err(e) => return fail(err, e),
    };
    let paths = staged_paths(&listing);
    let tmp = match tempfile::Builder::new()
        .prefix("kpkg-lint-staged.")
        .tempdir()
    {
        Ok(t) => t,
        Err(e) => return fail(err, format!("a temporary directory: {e}")),
    };
    let prefix = format!("{}/", tmp.path().display());
    let copied = std::process::Command::new("git")
        .current_dir(&top)
        .args(["checkout-index", "-z", "--stdin", "--prefix", &prefix])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            if let Some(mut stdin) = child.stdin.take() {
                std::io::Write::write_all(&mut stdin, &paths)?;
            }
            child.wait()
        });
    match copied {
        Ok(s) if s.success() => {}
        Ok(s) => return fail(err, format!("git checkout-index: {s}")),
        Err(e) => return fail(err, format!("git checkout-index: {e}")),
    }
    let _ = out.flush();
    let exe = std::env::current_exe().unwrap_or_else(|_| "kpkg-lint".into());
    // The copy is linted from its root, so paths read as in the repository.
    let status = std::process::Command::new(exe)
        .current_dir(tmp.path())
        .status();
    match status.map(|s| s.code()) {
        Ok(Some(0)) => EXIT_CLEAN,
        Ok(Some(code)) => {
            let _ = writeln!(
                err,
                "kpkg-lint: commit stopped: the staged packaging has findings; `kpkg-lint --fix --write` applies the safe fixes (then `git add` them)."
            );
            code
        }
        Ok(None) => fail(err, "kpkg-lint was stopped by a signal".to_string()),
        Err(e) => fail(err, format!("cannot run kpkg-lint: {e}")),
    }
}

/// The hooks directory of the repository around the current directory, as git sees
/// it (worktrees and `core.hooksPath` included).
fn hooks_dir() -> Result<std::path::PathBuf, String> {
    let o = std::process::Command::new("git")
        .args(["rev-parse", "--git-path", "hooks"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !o.status.success() {
        return Err("not inside a git repository".to_string());
    }
    let path = String::from_utf8_lossy(&o.stdout).trim().to_string();
    Ok(std::path::PathBuf::from(path))
}

pub fn hook(action: HookAction, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if let HookAction::Run = action {
        return run_staged(out, err);
    }
    let dir = match hooks_dir() {
        Ok(d) => d,
        Err(e) => {
            let _ = writeln!(err, "kpkg-lint: error: {e}");
            return EXIT_ERROR;
        }
    };
    let path = dir.join("pre-commit");
    let backup = dir.join("pre-commit.kpkg-lint-backup");
    let shown = crate::source::display_path(&path);
    let existing = std::fs::read(&path).ok();
    let ours = existing
        .as_deref()
        .is_some_and(|b| String::from_utf8_lossy(b).contains(HOOK_MARKER));
    let fail = |err: &mut dyn Write, e: String| {
        let _ = writeln!(err, "kpkg-lint: error: {e}");
        EXIT_ERROR
    };
    match action {
        HookAction::Install { force } => {
            let exe = std::env::current_exe().ok();
            let script = hook_script(exe.as_deref());
            if let Some(old) = &existing {
                if ours && old.as_slice() == script.as_bytes() {
                    let _ = writeln!(out, "{shown} is already kpkg-lint's hook; nothing changed.");
                    return EXIT_CLEAN;
                }
                if !ours && !force {
                    let framework = String::from_utf8_lossy(old).contains("pre-commit.com");
                    let advice = if framework {
                        "it was written by the pre-commit framework: add kpkg-lint to .pre-commit-config.yaml instead (see docs/ci.md)"
                    } else {
                        "call kpkg-lint from it, or use --force to replace it (the old hook is kept as pre-commit.kpkg-lint-backup)"
                    };
                    return fail(
                        err,
                        format!("{shown} exists and was not written by kpkg-lint; {advice}"),
                    );
                }
                if !ours {
                    let backup = match keep_backup(&path, &backup) {
                        Ok(b) => b,
                        Err(e) => {
                            return fail(err, format!("{shown}: {}", crate::source::io_message(&e)))
                        }
                    };
                    let _ = writeln!(
                        out,
                        "Kept the previous hook as {}.",
                        crate::source::display_path(&backup)
                    );
                }
            }
            if let Err(e) = std::fs::create_dir_all(&dir) {
                return fail(
                    err,
                    format!("{}: {}", dir.display(), crate::source::io_message(&e)),
                );
            }
            // Written in place, not by rename, so a symlinked hook keeps its link.
            let written = std::fs::write(&path, script.as_bytes()).and_then(|_| {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            });
            if let Err(e) = written {
                return fail(err, format!("{shown}: {}", crate::source::io_message(&e)));
            }
            let verb = if ours { "Updated" } else { "Installed" };
            let _ = writeln!(
                out,
                "{verb} {shown}: commits that change the packaging are linted first, as staged."
            );
            EXIT_CLEAN
        }
        HookAction::Run => EXIT_CLEAN,
        HookAction::Uninstall => {
            if existing.is_none() {
                let _ = writeln!(out, "No pre-commit hook is installed.");
                return EXIT_CLEAN;
            }
            if !ours {
                return fail(
                    err,
                    format!("{shown} was not written by kpkg-lint; left as it is"),
                );
            }
            let result = if let Some(backup) = newest_backup(&backup) {
                std::fs::rename(&backup, &path)
            } else {
                std::fs::remove_file(&path)
            };
            match result {
                Ok(()) => {
                    let _ = writeln!(out, "Removed the kpkg-lint hook from {shown}.");
                    EXIT_CLEAN
                }
                Err(e) => fail(err, format!("{shown}: {}", crate::source::io_message(&e))),
            }
        }
    }
}

/// The backup names, oldest first: `pre-commit.kpkg-lint-backup`, then `….2`, `….3`…
fn backup_name(first: &std::path::Path, n: u32) -> std::path::PathBuf {
    if n == 1 {
        first.to_path_buf()
    } else {
        let mut name = first.as_os_str().to_owned();
        name.push(format!(".{n}"));
        name.into()
    }
}

/// Move the hook to the first free backup name; an earlier backup is never
/// overwritten (a hard link fails on an existing name, where a rename would
/// replace it). Returns the name used.
fn keep_backup(
    hook: &std::path::Path,
    first: &std::path::Path,
) -> std::io::Result<std::path::PathBuf> {
    for n in 1..10_000 {
        let backup = backup_name(first, n);
        match std::fs::hard_link(hook, &backup) {
            Ok(()) => {
                std::fs::remove_file(hook)?;
                return Ok(backup);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(
        "too many kpkg-lint backups of the hook",
    ))
}

/// The newest backup, the hook that was in place before kpkg-lint's.
fn newest_backup(first: &std::path::Path) -> Option<std::path::PathBuf> {
    (1..10_000)
        .map(|n| backup_name(first, n))
        .take_while(|b| std::fs::symlink_metadata(b).is_ok())
        .last()
}

#[cfg(test)]
mod tests {
    #[test]
    fn packaging_paths_as_the_pre_commit_pattern() {
        for p in [
            "debian/rules",
            "debian.master/config/annotations",
            "linux-liquorix/debian/control",
            "kernel/rules",
            "kernel/ruleset/misc/config.mk",
            "scripts/package/mkdebian",
        ] {
            assert!(super::is_packaging_path(p), "{p}");
        }
        for p in [
            "README",
            "debian",
            "debianx/rules",
            "kernel/sched/core.c",
            "scripts/Makefile",
        ] {
            assert!(!super::is_packaging_path(p), "{p}");
        }
    }

    #[test]
    fn kernel_sources_and_submodules_stay_in_the_index() {
        let listing = b"100644 aa 0\tdebian/rules\x00100644 bb 0\tdrivers/x.c\x00160000 cc 0\tsub\x00100644 dd 2\tdebian/control\x00100755 ee 0\tscripts/package/mkdebian\x00100644 ff 0\tMakefile\x00";
        assert_eq!(
            super::staged_paths(listing),
            b"debian/rules\x00scripts/package/mkdebian\x00Makefile\x00"
        );
    }
}
