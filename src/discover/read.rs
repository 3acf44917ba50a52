//! Reading one tree: which of its files to read (packaging files only, never build
//! output), then reading each once.

use super::{kernel_package_ruleset, walk_problem, IoProblem};
use crate::source::{display_path, io_message, read_regular, ReadOutcome, SourceFile};
use crate::tree::{parse_debian_env, Tree, TreeKind};
use std::fs;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Files above this size are not packaging files; they are reported, not read.
/// Every read from a tree has this cap, `debian/debian.env` and the quilt series
/// read while listing included.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Directories inside `debian/` that hold build output or patches, not packaging logic.
const SKIP_IN_DEBIAN: &[&str] = &["patches", "tmp", "build", "stamps", "abi", ".git"];

/// The makefiles make reads in a directory when no `-f` is given. At the root of a
/// packaging tree one of them is a wrapper that prepares the build and then runs
/// `debian/rules` (Proxmox's `Makefile` copies `debian/` into a build directory and
/// writes `debian/rules.d/env.mk` there first); in a kernel tree it is the kernel's
/// own. The model reads their recipes for the files they write.
const ROOT_MAKEFILES: &[&str] = &["GNUmakefile", "makefile", "Makefile"];

/// What a tree's walk found: the files to read, before any of them is read.
pub(super) struct Listing {
    root: PathBuf,
    /// The root's canonical path: files are read only when theirs is below it.
    real_root: PathBuf,
    kind: TreeKind,
    branch_dir: Option<String>,
    /// (path, path relative to the root), sorted by the relative path.
    pub(super) wanted: Vec<(PathBuf, String)>,
    listed: Vec<String>,
}

pub(super) fn read_tree(root: PathBuf, errors: &mut Vec<IoProblem>) -> Tree {
    let listing = list_tree(root, errors);
    read_listing(listing, errors)
}

pub(super) fn list_tree(root: PathBuf, errors: &mut Vec<IoProblem>) -> Listing {
    let mut kind = TreeKind::KernelPackage;
    let mut branch_dir = None;
    let mut wanted: Vec<(PathBuf, String)> = Vec::new();
    let mut listed: Vec<String> = Vec::new();
    let real_root = fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
    let has_debian = root.join("debian").is_dir();
    let all_branches = list_branch_dirs(&root);
    if has_debian || !all_branches.is_empty() {
        kind = TreeKind::Debian;
        if has_debian {
            collect(&root, &real_root, "debian", 4, &mut wanted, errors);
        }
        // Read through the same guard as every file (a FIFO or a link out of the
        // tree is not read here: the file is reported when it is read below).
        if let Some(env) = read_text(&real_root, &root.join("debian/debian.env")) {
            branch_dir = parse_debian_env(&env);
        }
        // A branch directory the tree does not have: walk the debian.* directories
        // as if there were no debian.env (the model reports the value).
        if branch_dir.as_ref().is_some_and(|b| !root.join(b).is_dir()) {
            branch_dir = None;
        }
        let branches: Vec<String> = match &branch_dir {
            Some(b) => vec![b.clone()],
            None => all_branches,
        };
        for b in branches {
            collect(&root, &real_root, &b, 4, &mut wanted, errors);
            // ABI baselines can be large: list them, do not read them.
            let abi = root.join(&b).join("abi");
            if abi.is_dir() && inside(&real_root, &abi) {
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
        if !d.is_dir() || !inside(&real_root, &d) {
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
        collect(&root, &real_root, &rel, 6, &mut wanted, errors);
        for top in ["kernel/rules", "rules"] {
            if root.join(top).is_file() && !wanted.iter().any(|(_, r)| r == top) {
                wanted.push((root.join(top), top.to_string()));
            }
        }
    }
    // The quilt series and its patches (debian/patches is not walked: it can be large,
    // and only the listed patches matter).
    // A series that is there is always read with the tree's files, so one that
    // cannot be read is an I/O error (exit 2) and one that is no regular file or
    // leads out of the tree is reported; only a readable one lists patches.
    let series = root.join("debian/patches/series");
    if fs::symlink_metadata(&series).is_ok() {
        wanted.push((series.clone(), "debian/patches/series".to_string()));
    }
    if let Some(text) = read_text(&real_root, &series) {
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
    // The few kernel source files rules read, wherever they are present: each row
    // is a precise path, so reading it costs nothing when it is not a kernel tree.
    for (rel, _) in crate::knowledge::table("kernel-source-files").entries() {
        if root.join(rel).is_file() {
            wanted.push((root.join(rel), rel.to_string()));
        }
    }
    if kind == TreeKind::Debian {
        for name in ROOT_MAKEFILES {
            if root.join(name).is_file() {
                wanted.push((root.join(name), name.to_string()));
            }
        }
    }
    wanted.sort_by(|a, b| a.1.cmp(&b.1));
    wanted.dedup_by(|a, b| a.1 == b.1);
    Listing {
        root,
        real_root,
        kind,
        branch_dir,
        wanted,
        listed,
    }
}

pub(super) fn read_listing(listing: Listing, errors: &mut Vec<IoProblem>) -> Tree {
    let mut files = Vec::with_capacity(listing.wanted.len());
    for (path, rel) in listing.wanted {
        read_one(&listing.real_root, path, rel, &mut files, errors);
    }
    if let Some(branch) = &listing.branch_dir {
        let listed = files.len();
        annotation_includes(
            &listing.root,
            &listing.real_root,
            branch,
            &mut files,
            errors,
        );
        if files.len() > listed {
            // In path order, as the listed files are.
            files.sort_by(|a, b| a.rel.cmp(&b.rel));
        }
    }
    Tree::new(
        listing.root,
        listing.kind,
        listing.branch_dir,
        files,
        listing.listed,
        listing.real_root,
    )
}

/// Read one listed file into `files`, or say why not.
fn read_one(
    real_root: &Path,
    path: PathBuf,
    rel: String,
    files: &mut Vec<SourceFile>,
    errors: &mut Vec<IoProblem>,
) {
    let display = display_path(&path);
    match read_file(real_root, &path) {
        Ok(ReadOutcome::File(bytes, mode)) => {
            files.push(SourceFile::new(display, path, rel, bytes, mode))
        }
        Ok(ReadOutcome::Refused(reason)) => {
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

/// Whether `e` means `path` itself no longer exists. A symlink whose target is
/// missing still exists, and is reported.
pub(super) fn vanished(e: &std::io::Error, path: &Path) -> bool {
    e.kind() == std::io::ErrorKind::NotFound
        && fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
}

pub(super) fn list_branch_dirs(root: &Path) -> Vec<String> {
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
pub(super) fn wanted_file(name: &str) -> bool {
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
        // Ubuntu's per-flavour control templates (`control.d/flavour-control.stub`):
        // their placeholders say which vars keys the generated control reads.
        || name.ends_with(".stub")
        || name == "format"
        // The overrides file (src/engine/overrides.rs).
        || name == "kpkg-lint-overrides")
        // Debian's pickled defines cache: binary, never packaging source.
        && !name.ends_with(".dump")
}

fn collect(
    root: &Path,
    real_root: &Path,
    rel_dir: &str,
    depth: usize,
    out: &mut Vec<(PathBuf, String)>,
    errors: &mut Vec<IoProblem>,
) {
    let dir = root.join(rel_dir);
    // A packaging directory that is a link out of the tree (`debian.master ->
    // /elsewhere`) is not walked: it is listed as itself, and reading it reports
    // that it leads outside.
    if !inside(real_root, &dir) {
        if fs::symlink_metadata(&dir).is_ok() {
            out.push((dir, rel_dir.to_string()));
        }
        return;
    }
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

/// Is `path`'s canonical path below the tree's? (A path that does not resolve is
/// inside as far as this goes: reading it reports what is wrong with it.)
fn inside(real_root: &Path, path: &Path) -> bool {
    fs::canonicalize(path).map_or(true, |real| in_tree(real_root, &real))
}

/// `real` is a canonical path: below the tree's root, and not in the kernel's
/// file systems (a tree under `/` still never reads `/proc/kmsg` or `/dev/zero`).
fn in_tree(real_root: &Path, real: &Path) -> bool {
    real.starts_with(real_root)
        && !["/proc", "/sys", "/dev"]
            .iter()
            .any(|d| real.starts_with(d) && !real_root.starts_with(d))
}

/// The annotations files a branch's annotations include, and theirs (a derivative
/// such as `debian.aws` includes `../../debian.master/config/annotations`, which
/// holds most of its configuration), read after the listed files from the text
/// already read: paths relative to the including file, kept when they stay in
/// the tree, each file once, four levels deep at most, through the same guard.
fn annotation_includes(
    root: &Path,
    real_root: &Path,
    branch: &str,
    files: &mut Vec<SourceFile>,
    errors: &mut Vec<IoProblem>,
) {
    let top = format!("{branch}/config/annotations");
    let mut have: std::collections::HashSet<String> = files.iter().map(|f| f.rel.clone()).collect();
    let mut todo: Vec<(usize, usize)> = files
        .iter()
        .position(|f| f.rel == top && f.skipped.is_none())
        .map(|i| (i, 0))
        .into_iter()
        .collect();
    while let Some((i, depth)) = todo.pop() {
        if depth >= 4 {
            continue;
        }
        let dir = files[i].rel.rsplit_once('/').map_or("", |(d, _)| d);
        let targets: Vec<String> = crate::model::kconfig::annotation_includes(&files[i].text)
            .into_iter()
            .map(|(_, inc)| crate::model::program::normalize(&format!("{dir}/{inc}")))
            .filter(|t| !t.starts_with("../") && !t.starts_with('/') && t != "..")
            .collect();
        for target in targets {
            if have.contains(&target) || !root.join(&target).is_file() {
                continue;
            }
            have.insert(target.clone());
            let before = files.len();
            read_one(real_root, root.join(&target), target, files, errors);
            if files.len() > before && files[before].skipped.is_none() {
                todo.push((before, depth + 1));
            }
        }
    }
}

/// A tree file's text as `read_file` reads it, or None when it is not read.
fn read_text(real_root: &Path, path: &Path) -> Option<String> {
    match read_file(real_root, path) {
        Ok(ReadOutcome::File(bytes, _)) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        _ => None,
    }
}

/// Read one file of the tree. Its canonical path must stay below the root's: a
/// symbolic link (or a linked directory, or `..` in a name the series gives) that
/// leads out of the tree is not followed and is reported as such, without a word
/// of what it points at. Then it must be a regular file of at most
/// [`MAX_FILE_SIZE`] bytes, read without ever blocking ([`read_regular`]).
fn read_file(real_root: &Path, path: &Path) -> std::io::Result<ReadOutcome> {
    let real = fs::canonicalize(path)?;
    if !in_tree(real_root, &real) {
        let link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        return Ok(ReadOutcome::Refused(if link {
            "symbolic link that leads outside the tree; not followed, so its contents are neither read nor linted".into()
        } else {
            "reached through a symbolic link or `..` that leads outside the tree; not followed, so its contents are neither read nor linted".into()
        }));
    }
    let outcome = read_regular(&real, MAX_FILE_SIZE)?;
    if let ReadOutcome::File(bytes, _) = &outcome {
        if bytes.iter().take(8192).any(|b| *b == 0) {
            return Ok(ReadOutcome::Refused(
                "binary file (contains NUL bytes); not linted".into(),
            ));
        }
    }
    Ok(outcome)
}
