//! Finding packaging trees under the paths the user gave, and reading their files once.
//!
//! A *tree* is one source package's packaging: a directory holding `debian/` (plus
//! Ubuntu's `debian.<branch>/` directories), or a kernel-package ruleset checkout
//! (`ruleset/`, `kernel/ruleset/`). A path that is neither is searched for trees;
//! symlinks are never followed during that search, so symlink loops cannot trap it,
//! and a kernel source tree's own directories (`arch/`, `drivers/` …) are skipped.

use crate::source::{display_path, io_message, SourceFile};
use crate::tree::{parse_debian_env, Tree, TreeKind};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Files above this size are not packaging files; they are reported, not read.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

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

/// Directories of a kernel source tree that never hold packaging.
const KERNEL_SOURCE_DIRS: &[&str] = &[
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

/// Directories inside `debian/` that hold build output or patches, not packaging logic.
const SKIP_IN_DEBIAN: &[&str] = &["patches", "tmp", "build", "stamps", "abi", ".git"];

pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut out = Discovery::default();
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
            match path.ancestors().skip(1).find(|a| is_tree_root(&as_dir(a))) {
                Some(root) => roots.push(as_dir(root)),
                None => out.errors.push(IoProblem {
                    path: display_path(path),
                    message: "not inside a Debian packaging tree (no debian/ directory above it)"
                        .into(),
                }),
            }
            continue;
        }
        if path.file_name().is_some_and(|n| n == "debian") {
            if let Some(parent) = path.parent() {
                let parent = as_dir(parent);
                if is_tree_root(&parent) {
                    roots.push(parent);
                    continue;
                }
            }
        }
        if is_tree_root(path) {
            roots.push(path.clone());
            continue;
        }
        let before = roots.len();
        search_trees(path, &mut roots, &mut out.errors);
        if roots.len() == before {
            out.errors.push(IoProblem {
                path: display_path(path),
                message: "no Debian packaging tree found here (looked for debian/rules, debian/control and kernel-package rulesets)".into(),
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    roots.retain(|root| seen.insert(fs::canonicalize(root).unwrap_or_else(|_| root.clone())));
    // Trees are independent: read them on every core, in order.
    let read = crate::par::map(&roots, |root| {
        let mut errors = Vec::new();
        let tree = read_tree(root.clone(), &mut errors);
        (tree, errors)
    });
    for (tree, errors) in read {
        out.trees.push(tree);
        out.errors.extend(errors);
    }
    out
}

fn as_dir(p: &Path) -> PathBuf {
    if p.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        p.to_path_buf()
    }
}

fn is_tree_root(dir: &Path) -> bool {
    let debian = dir.join("debian");
    if debian.is_dir()
        && (debian.join("rules").is_file()
            || debian.join("control").is_file()
            || debian.join("debian.env").is_file())
    {
        return true;
    }
    kernel_package_ruleset(dir).is_some()
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

/// What a tree's walk found: the files to read, before any of them is read.
struct Listing {
    root: PathBuf,
    kind: TreeKind,
    branch_dir: Option<String>,
    /// (path, path relative to the root), sorted by the relative path.
    wanted: Vec<(PathBuf, String)>,
    listed: Vec<String>,
}

fn read_tree(root: PathBuf, errors: &mut Vec<IoProblem>) -> Tree {
    let listing = list_tree(root, errors);
    read_listing(listing, errors)
}

fn list_tree(root: PathBuf, errors: &mut Vec<IoProblem>) -> Listing {
    let mut kind = TreeKind::KernelPackage;
    let mut branch_dir = None;
    let mut wanted: Vec<(PathBuf, String)> = Vec::new();
    let mut listed: Vec<String> = Vec::new();
    if root.join("debian").is_dir() {
        kind = TreeKind::Debian;
        collect(&root, "debian", 4, &mut wanted, errors);
        if let Ok(env) = fs::read_to_string(root.join("debian/debian.env")) {
            branch_dir = parse_debian_env(&env);
        }
        // A branch directory the tree does not have: walk the debian.* directories
        // as if there were no debian.env (the model reports the value).
        if branch_dir.as_ref().is_some_and(|b| !root.join(b).is_dir()) {
            branch_dir = None;
        }
        let branches: Vec<String> = match &branch_dir {
            Some(b) => vec![b.clone()],
            None => list_branch_dirs(&root),
        };
        for b in branches {
            collect(&root, &b, 4, &mut wanted, errors);
            // ABI baselines can be large: list them, do not read them.
            let abi = root.join(&b).join("abi");
            if abi.is_dir() {
                for e in WalkDir::new(&abi)
                    .follow_links(false)
                    .max_depth(3)
                    .sort_by_file_name()
                    .into_iter()
                    .flatten()
                {
                    if e.file_type().is_file() {
                        listed.push(
                            e.path()
                                .strip_prefix(&root)
                                .unwrap_or(e.path())
                                .to_string_lossy()
                                .replace('\\', "/"),
                        );
                    }
                }
            }
        }
    }
    // Debian's config directories: `configs:` and `build.config` may name a fragment
    // of any file name, and gencontrol only asks whether it exists.
    for dir in ["debian/config", "debian/config.local"] {
        let d = root.join(dir);
        if !d.is_dir() {
            continue;
        }
        for e in WalkDir::new(&d)
            .follow_links(false)
            .max_depth(8)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if e.file_type().is_file() || (e.file_type().is_symlink() && e.path().is_file()) {
                listed.push(
                    e.path()
                        .strip_prefix(&root)
                        .unwrap_or(e.path())
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    // gencontrol itself, read only for the config directories it takes.
    let gencontrol = "debian/bin/gencontrol.py";
    if root.join(gencontrol).is_file() {
        wanted.push((root.join(gencontrol), gencontrol.to_string()));
    }
    if let Some(ruleset) = kernel_package_ruleset(&root) {
        let rel = ruleset
            .strip_prefix(&root)
            .unwrap_or(&ruleset)
            .to_string_lossy()
            .replace('\\', "/");
        collect(&root, &rel, 6, &mut wanted, errors);
        for top in ["kernel/rules", "rules"] {
            if root.join(top).is_file() && !wanted.iter().any(|(_, r)| r == top) {
                wanted.push((root.join(top), top.to_string()));
            }
        }
    }
    // The quilt series and its patches (debian/patches is not walked: it can be large,
    // and only the listed patches matter).
    let series = root.join("debian/patches/series");
    if let Ok(text) = fs::read_to_string(&series) {
        wanted.push((series.clone(), "debian/patches/series".to_string()));
        for name in crate::model::quilt::series_names(&text) {
            let rel = format!("debian/patches/{name}");
            if root.join(&rel).is_file() {
                wanted.push((root.join(&rel), rel));
            }
        }
    }
    // Patches quilt has already pushed onto the files on disk.
    if root.join(".pc/applied-patches").is_file() {
        wanted.push((
            root.join(".pc/applied-patches"),
            ".pc/applied-patches".to_string(),
        ));
    }
    // The few kernel source files rules read, when this is a kernel tree.
    if root.join("Kbuild").is_file() || root.join("Makefile").is_file() {
        for (rel, _) in crate::knowledge::table("kernel-source-files").entries() {
            if root.join(rel).is_file() {
                wanted.push((root.join(rel), rel.to_string()));
            }
        }
    }
    wanted.sort_by(|a, b| a.1.cmp(&b.1));
    wanted.dedup_by(|a, b| a.1 == b.1);
    Listing {
        root,
        kind,
        branch_dir,
        wanted,
        listed,
    }
}

fn read_listing(listing: Listing, errors: &mut Vec<IoProblem>) -> Tree {
    let mut files = Vec::with_capacity(listing.wanted.len());
    for (path, rel) in listing.wanted {
        let display = display_path(&path);
        match read_file(&path) {
            Ok(ReadOutcome::File(bytes, mode)) => {
                files.push(SourceFile::new(display, path, rel, bytes, mode))
            }
            Ok(ReadOutcome::Skipped(reason)) => {
                files.push(SourceFile::skipped(display, path, rel, reason))
            }
            // Deleted since the walk listed it (an editor's swap file, a build
            // cleaning up): the tree no longer has it, as if the walk came later.
            Err(e) if vanished(&e, &path) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => errors.push(IoProblem {
                path: display,
                message: "broken symbolic link (its target does not exist)".into(),
            }),
            Err(e) => errors.push(IoProblem {
                path: display,
                message: io_message(&e),
            }),
        }
    }
    Tree {
        root: listing.root,
        kind: listing.kind,
        branch_dir: listing.branch_dir,
        files,
        listed: listing.listed,
    }
}

/// Whether `e` means `path` itself no longer exists. A symlink whose target is
/// missing still exists, and is reported.
fn vanished(e: &std::io::Error, path: &Path) -> bool {
    e.kind() == std::io::ErrorKind::NotFound
        && fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
}

fn list_branch_dirs(root: &Path) -> Vec<String> {
    let mut dirs: Vec<String> = fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("debian.") && n.len() > "debian.".len())
        .collect();
    dirs.sort();
    dirs
}

/// Is this a file a rule may need? Packaging files only: never build output.
fn wanted_file(name: &str) -> bool {
    (matches!(
        name,
        "rules"
            | "control"
            | "changelog"
            | "compat"
            | "debian.env"
            | "annotations"
            | "defines"
            | "config"
    ) || name.starts_with("rules.")
        || name.starts_with("config.")
        || name.starts_with("config-")
        || name.starts_with("control.")
        || name.starts_with("vars.")
        || name.ends_with(".mk")
        || name.ends_with(".in")
        || name.ends_with(".toml")
        || name.ends_with(".inclusion-list")
        || name.ends_with(".sh")
        || name == "format")
        // Debian's pickled defines cache: binary, never packaging source.
        && !name.ends_with(".dump")
}

fn collect(
    root: &Path,
    rel_dir: &str,
    depth: usize,
    out: &mut Vec<(PathBuf, String)>,
    errors: &mut Vec<IoProblem>,
) {
    let dir = root.join(rel_dir);
    let mut walk = WalkDir::new(&dir)
        .follow_links(false)
        .max_depth(depth)
        .sort_by_file_name()
        .into_iter();
    loop {
        let entry = match walk.next() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => {
                // A directory removed between being listed and being entered.
                let gone = e
                    .io_error()
                    .zip(e.path())
                    .is_some_and(|(io, p)| e.depth() > 0 && vanished(io, p));
                if !gone {
                    errors.push(walk_problem(&e, &dir));
                }
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        let ft = entry.file_type();
        if ft.is_dir() {
            if entry.depth() > 0
                && (SKIP_IN_DEBIAN.contains(&name.as_ref())
                    || name.starts_with('.')
                    || entry.path().join("DEBIAN").is_dir())
            {
                walk.skip_current_dir();
            }
            continue;
        }
        // Symlinked files are read through the link; symlinked directories are not entered.
        // Regular files, symlinks to them, and anything else that is not a directory
        // (a FIFO, a dangling link): those are reported rather than silently passed over.
        let is_dir = ft.is_dir() || (ft.is_symlink() && entry.path().is_dir());
        if is_dir || !wanted_file(&name) {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        out.push((entry.path().to_path_buf(), rel));
    }
}

enum ReadOutcome {
    File(Vec<u8>, Option<u32>),
    Skipped(String),
}

fn read_file(path: &Path) -> std::io::Result<ReadOutcome> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Ok(ReadOutcome::Skipped("not a regular file".into()));
    }
    if meta.len() > MAX_FILE_SIZE {
        return Ok(ReadOutcome::Skipped(format!(
            "file is {} MiB, larger than the {} MiB a packaging file can plausibly be; not read",
            meta.len() / (1024 * 1024),
            MAX_FILE_SIZE / (1024 * 1024)
        )));
    }
    // Read with the size just stat'ed (fs::read would stat the file again). The stat
    // by path comes first so a FIFO is never opened: opening one blocks.
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    fs::File::open(path)?
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Ok(ReadOutcome::Skipped(
            "file grew past the size limit while being read".into(),
        ));
    }
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Ok(ReadOutcome::Skipped(
            "binary file (contains NUL bytes); not linted".into(),
        ));
    }
    Ok(ReadOutcome::File(bytes, file_mode(&meta)))
}

#[cfg(unix)]
fn file_mode(meta: &fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode())
}

#[cfg(not(unix))]
fn file_mode(_meta: &fs::Metadata) -> Option<u32> {
    None
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
