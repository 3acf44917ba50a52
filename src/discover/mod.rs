//! Finding packaging trees under the paths the user gave, and reading their files once.
//!
//! A *tree* is one source package's packaging: a directory holding `debian/` (plus
//! Ubuntu's `debian.<branch>/` directories), a directory holding only Ubuntu's
//! `debian.<branch>/`, or a kernel-package ruleset checkout (`ruleset/`,
//! `kernel/ruleset/`). A path inside a tree's `debian/` or `debian.<branch>/` means
//! that tree; any other path that is no tree is searched for trees, and when it
//! holds none, its ancestors are tried (as git finds its repository). Symlinks are
//! never followed during the search, so symlink loops cannot trap it, and a kernel
//! source tree's own directories (`arch/`, `drivers/` …) are skipped.

mod read;

use crate::source::{display_path, io_message};
use crate::tree::Tree;
use read::{list_branch_dirs, read_tree};
use std::fs;
use std::path::{Component, Path, PathBuf};
use walkdir::WalkDir;

pub use read::MAX_FILE_SIZE;

/// A problem reading input that makes the run exit with code 2.
#[derive(Debug, Clone)]
pub struct IoProblem {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub trees: Vec<Tree>,
    pub errors: Vec<IoProblem>,
}

/// The trees' roots under the paths given, before any tree is read: what a run
/// holds for every tree is this path, so trees can be read one at a time ([`read`]).
#[derive(Debug, Default)]
pub struct Found {
    pub roots: Vec<PathBuf>,
    pub errors: Vec<IoProblem>,
}

/// Directories of a kernel source tree that never hold packaging.
pub const KERNEL_SOURCE_DIRS: &[&str] = &[
    "arch",
    "block",
    "certs",
    "crypto",
    "Documentation",
    "drivers",
    "fs",
    "include",
    "init",
    "io_uring",
    "ipc",
    "lib",
    "LICENSES",
    "mm",
    "net",
    "rust",
    "samples",
    "scripts",
    "security",
    "sound",
    "tools",
    "usr",
    "virt",
];

/// Find the trees under `paths` and read them all, on every core.
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let found = find(paths);
    let mut out = Discovery {
        trees: Vec::with_capacity(found.roots.len()),
        errors: found.errors,
    };
    for (tree, errors) in crate::par::map(&found.roots, |root| read(root)) {
        out.trees.push(tree);
        out.errors.extend(errors);
    }
    out
}

/// Read one tree found by [`find`]: its files, and what could not be read.
pub fn read(root: &Path) -> (Tree, Vec<IoProblem>) {
    let mut errors = Vec::new();
    let tree = read_tree(root.to_path_buf(), &mut errors);
    (tree, errors)
}

/// The roots of the trees under `paths` (each once), without reading them.
pub fn find(paths: &[PathBuf]) -> Found {
    let mut out = Found::default();
    let mut roots: Vec<PathBuf> = Vec::new();
    for path in paths {
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                out.errors.push(IoProblem {
                    path: display_path(path),
                    message: io_message(&e),
                });
                continue;
            }
        };
        if meta.is_file() {
            let dir = as_dir(path.parent().unwrap_or(Path::new("")));
            let root = if is_tree_root(&dir) {
                Some(dir.clone())
            } else {
                enclosing_root(&dir, false)
            };
            match root {
                Some(root) => roots.push(root),
                None => out.errors.push(IoProblem {
                    path: display_path(path),
                    message: "not inside a Debian packaging tree (no debian/ directory above it)"
                        .into(),
                }),
            }
            continue;
        }
        // `debian/`, `debian.master/config/` …: the tree they belong to.
        if let Some(root) = enclosing_root(path, true) {
            roots.push(root);
            continue;
        }
        if is_tree_root(path) {
            roots.push(path.clone());
            continue;
        }
        let before = roots.len();
        search_trees(path, &mut roots, &mut out.errors);
        if roots.len() > before {
            continue;
        }
        match enclosing_root(path, false) {
            Some(root) => roots.push(root),
            None => out.errors.push(IoProblem {
                path: display_path(path),
                message: "no Debian packaging tree found here or above (looked for debian/ with rules, control, control.in, changelog or templates/, debian.<branch>/ and kernel-package rulesets)".into(),
            }),
        }
    }
    let mut seen = std::collections::HashSet::new();
    roots.retain(|root| seen.insert(fs::canonicalize(root).unwrap_or_else(|_| root.clone())));
    out.roots = roots;
    out
}

fn as_dir(p: &Path) -> PathBuf {
    if p.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        p.to_path_buf()
    }
}

/// Is `name` a packaging directory of a tree: `debian` or `debian.<branch>`?
fn is_packaging_dir(name: &str) -> bool {
    name == "debian" || name.strip_prefix("debian.").is_some_and(|b| !b.is_empty())
}

/// The nearest tree above `dir`, spelled from `dir` as given (`..` for the parent of
/// `.`). With `packaging_only`, only a tree whose `debian/` or `debian.<branch>/`
/// holds `dir` counts: a directory named `debian` that is no tree's stays a place to
/// search below.
fn enclosing_root(dir: &Path, packaging_only: bool) -> Option<PathBuf> {
    let real = fs::canonicalize(dir).ok()?;
    let mut child: Option<String> = real.file_name().map(|n| n.to_string_lossy().into_owned());
    for (levels, ancestor) in real.ancestors().enumerate().skip(1) {
        let below = child.take().unwrap_or_default();
        child = ancestor
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        if packaging_only && !is_packaging_dir(&below) {
            continue;
        }
        if is_tree_root(ancestor) {
            return Some(up(dir, levels));
        }
    }
    None
}

/// The directory `levels` above `dir`, written relative to `dir` as the user wrote it:
/// `a/debian` → `a`, `.` → `..`. A symlink is not popped (its `..` is its target's
/// parent), so the result names the directory the canonical path does.
fn up(dir: &Path, levels: usize) -> PathBuf {
    let mut p = dir.to_path_buf();
    for _ in 0..levels {
        let is_link = fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink());
        match p.components().next_back() {
            Some(Component::Normal(_)) if !is_link => {
                p.pop();
            }
            _ => p.push(".."),
        }
    }
    as_dir(&p)
}

/// Does `dir` hold packaging? `debian/` with any file the packaging tools read first
/// (`rules`, `control`, `control.in`, `changelog`, Ubuntu's `debian.env`) or
/// Debian's `templates/`; an Ubuntu `debian.<branch>/` with its `changelog`,
/// `control.stub.in`, `control.d/` or `rules.d/`; or a kernel-package ruleset.
fn is_tree_root(dir: &Path) -> bool {
    let debian = dir.join("debian");
    if debian.is_dir()
        && (["rules", "control", "control.in", "changelog", "debian.env"]
            .iter()
            .any(|f| debian.join(f).is_file())
            || debian.join("templates").is_dir())
    {
        return true;
    }
    let branch = list_branch_dirs(dir).into_iter().any(|b| {
        let b = dir.join(b);
        b.join("changelog").is_file()
            || b.join("control.stub.in").is_file()
            || b.join("control.d").is_dir()
            || b.join("rules.d").is_dir()
    });
    branch || kernel_package_ruleset(dir).is_some()
}

fn kernel_package_ruleset(dir: &Path) -> Option<PathBuf> {
    ["ruleset", "kernel/ruleset"]
        .iter()
        .map(|r| dir.join(r))
        .find(|r| r.join("misc").is_dir() || r.join("targets").is_dir())
}

fn search_trees(path: &Path, roots: &mut Vec<PathBuf>, errors: &mut Vec<IoProblem>) {
    let mut walk = WalkDir::new(path)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    loop {
        let entry = match walk.next() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => {
                errors.push(walk_problem(&e, path));
                continue;
            }
        };
        if !entry.file_type().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if entry.depth() > 0 && name.starts_with('.') {
            walk.skip_current_dir();
            continue;
        }
        if entry.depth() > 0 && KERNEL_SOURCE_DIRS.contains(&name.as_ref()) {
            let parent = entry.path().parent().unwrap_or(path);
            if parent.join("Kbuild").is_file() || parent.join("MAINTAINERS").is_file() {
                walk.skip_current_dir();
                continue;
            }
        }
        if is_tree_root(entry.path()) {
            roots.push(entry.path().to_path_buf());
            walk.skip_current_dir();
        }
    }
}

/// A directory-walk error as an input problem, naming the path it happened on.
fn walk_problem(e: &walkdir::Error, fallback: &Path) -> IoProblem {
    IoProblem {
        path: e
            .path()
            .map(display_path)
            .unwrap_or_else(|| display_path(fallback)),
        message: e
            .io_error()
            .map(io_message)
            .unwrap_or_else(|| e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::read::{list_tree, read_listing, wanted_file};
    use super::*;

    #[test]
    fn packaging_files_only() {
        for n in [
            "rules",
            "0-common-vars.mk",
            "control.stub.in",
            "changelog",
            "vars.generic",
        ] {
            assert!(wanted_file(n), "{n}");
        }
        for n in ["vmlinuz", "README", "foo.c", "series"] {
            assert!(!wanted_file(n), "{n}");
        }
    }

    fn small_tree(d: &Path) {
        fs::create_dir_all(d.join("debian.master/rules.d")).unwrap();
        fs::create_dir_all(d.join("debian")).unwrap();
        fs::write(d.join("debian/debian.env"), "DEBIAN=debian.master\n").unwrap();
        fs::write(d.join("debian/rules"), "b:\n\t$(MAKE) bindeb-pkg\n").unwrap();
        fs::write(d.join("debian/control"), "Source: linux\n").unwrap();
        fs::write(
            d.join("debian.master/rules.d/amd64.mk"),
            "flavours = generic\n",
        )
        .unwrap();
        fs::write(
            d.join("debian.master/rules.d/arm64.mk"),
            "flavours = generic\n",
        )
        .unwrap();
    }

    /// A file deleted between the walk and the read is simply not in the tree:
    /// no I/O error, and the other files are read.
    #[test]
    fn files_vanishing_after_the_walk_are_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        small_tree(d);
        let mut errors = Vec::new();
        let listing = list_tree(d.to_path_buf(), &mut errors);
        assert!(listing
            .wanted
            .iter()
            .any(|(_, r)| r == "debian.master/rules.d/arm64.mk"));
        fs::remove_file(d.join("debian.master/rules.d/arm64.mk")).unwrap();
        fs::remove_file(d.join("debian/control")).unwrap();
        let tree = read_listing(listing, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let rels: Vec<&str> = tree.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(
            rels,
            [
                "debian.master/rules.d/amd64.mk",
                "debian/debian.env",
                "debian/rules"
            ]
        );
    }

    /// A derivative branch's annotations include master's: that file is read too,
    /// and an include that leaves the tree is not followed.
    #[test]
    fn annotations_includes_are_read_inside_the_tree() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("tree");
        small_tree(&d);
        fs::write(d.join("debian/debian.env"), "DEBIAN=debian.cloud\n").unwrap();
        for dir in ["debian.cloud/config", "debian.master/config"] {
            fs::create_dir_all(d.join(dir)).unwrap();
        }
        fs::write(
            tmp.path().join("outside"),
            "CONFIG_X policy<{'amd64': 'y'}>\n",
        )
        .unwrap();
        fs::write(
            d.join("debian.cloud/config/annotations"),
            "# ARCH: amd64\ninclude \"../../debian.master/config/annotations\"\ninclude \"../../../outside\"\n",
        )
        .unwrap();
        fs::write(
            d.join("debian.master/config/annotations"),
            "# ARCH: amd64\ninclude \"annotations\"\nCONFIG_Y policy<{'amd64': 'y'}>\n",
        )
        .unwrap();
        let mut errors = Vec::new();
        let tree = read_listing(list_tree(d.clone(), &mut errors), &mut errors);
        let rels: Vec<&str> = tree.files.iter().map(|f| f.rel.as_str()).collect();
        assert!(
            rels.contains(&"debian.master/config/annotations"),
            "{rels:?}"
        );
        assert!(!rels.iter().any(|r| r.contains("outside")), "{rels:?}");
        assert!(
            !rels.contains(&"debian.master/rules.d/amd64.mk"),
            "{rels:?}"
        );
    }

    /// `DEBIAN=` naming a directory the tree lacks is a packaging defect, reported
    /// as a finding: not an I/O error that stops the run. The debian.* directories
    /// are walked as without a debian.env. (Found by the printed-patch property,
    /// which appended ` -j1` to that line.)
    #[test]
    fn debian_env_naming_a_missing_directory_is_a_finding() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        small_tree(d);
        fs::write(d.join("debian/debian.env"), "DEBIAN=debian.master -j1\n").unwrap();
        let disc = discover(&[d.to_path_buf()]);
        assert!(disc.errors.is_empty(), "{:?}", disc.errors);
        let tree = &disc.trees[0];
        assert_eq!(tree.branch_dir, None);
        assert!(tree.file("debian.master/rules.d/amd64.mk").is_some());
        let found: Vec<_> = crate::lint_tree(tree, &crate::rules::LintOptions::default())
            .into_iter()
            .filter(|d| d.rule == "malformed-file")
            .map(|d| (tree.files[d.file].rel.clone(), d.span, d.message))
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "debian/debian.env");
        assert_eq!(found[0].1, 7..24, "the value");
        assert!(found[0].2.contains("`debian.master -j1`"), "{}", found[0].2);
        // The same in memory, and a good debian.env is no finding.
        let env_bad = [
            ("debian/debian.env", "DEBIAN=debian.gone\n"),
            ("debian.master/changelog", ""),
        ];
        let bad = crate::lint_memory_rule(&env_bad, "malformed-file").0;
        assert_eq!(bad.len(), 1);
        let env_ok = [
            ("debian/debian.env", "DEBIAN=debian.master\n"),
            ("debian.master/changelog", ""),
        ];
        assert!(crate::lint_memory_rule(&env_ok, "malformed-file")
            .0
            .is_empty());
    }

    /// A symlink whose target is missing is still there: it is reported.
    #[cfg(unix)]
    #[test]
    fn broken_symlinks_are_reported_not_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        small_tree(d);
        std::os::unix::fs::symlink("nowhere.mk", d.join("debian.master/rules.d/i386.mk")).unwrap();
        let disc = discover(&[d.to_path_buf()]);
        assert_eq!(disc.errors.len(), 1, "{:?}", disc.errors);
        assert!(disc.errors[0]
            .path
            .ends_with("debian.master/rules.d/i386.mk"));
        assert!(disc.errors[0].message.contains("broken symbolic link"));
    }

    /// Discovery racing a process that keeps creating and deleting files and
    /// directories in the tree never reports an I/O error and never panics.
    #[test]
    fn discovery_while_files_come_and_go() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().to_path_buf();
        small_tree(&d);
        let stop = AtomicBool::new(false);
        // Stops the churning thread even when an assertion below panics: otherwise
        // the scope would wait for it forever and a failure would hang the suite.
        struct StopOnDrop<'a>(&'a AtomicBool);
        impl Drop for StopOnDrop<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
            }
        }
        std::thread::scope(|s| {
            let _stop = StopOnDrop(&stop);
            s.spawn(|| {
                let mut i = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    let dir = d.join(format!("debian.master/rules.d/sub{}", i % 3));
                    let file = d.join(format!("debian/extra{}.mk", i % 5));
                    let _ = fs::create_dir_all(&dir);
                    let _ = fs::write(dir.join("x.mk"), "X = 1\n");
                    let _ = fs::write(&file, "Y = 2\n");
                    let _ = fs::remove_dir_all(&dir);
                    let _ = fs::remove_file(&file);
                    i = i.wrapping_add(1);
                }
            });
            for _ in 0..400 {
                let disc = discover(std::slice::from_ref(&d));
                assert!(disc.errors.is_empty(), "{:?}", disc.errors);
                assert_eq!(disc.trees.len(), 1);
                assert!(disc.trees[0].file("debian/rules").is_some());
            }
        });
    }
}
