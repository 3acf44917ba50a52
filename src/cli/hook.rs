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
# Lints the packaging when a commit changes debian/ or debian.<branch>/.
# Skip it once with `git commit --no-verify`.
if ! git diff --cached --name-only | grep -Eq '^debian(\.[^/]+)?/'; then
    exit 0
fi
kpkg_lint={exe}
if [ -z "$kpkg_lint" ] || [ ! -x "$kpkg_lint" ]; then
    kpkg_lint=kpkg-lint
fi
"$kpkg_lint"
status=$?
if [ "$status" -ne 0 ]; then
    echo "kpkg-lint: commit stopped; \`kpkg-lint --fix --write\` applies the safe fixes." >&2
fi
exit "$status"
"#
    )
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
                "{verb} {shown}: commits that change debian/ or debian.*/ are linted first."
            );
            EXIT_CLEAN
        }
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
