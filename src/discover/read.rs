//! Reading one tree: which of its files to read (packaging files only, never build
//! output), then reading each once.

use super::{kernel_package_ruleset, walk_problem, IoProblem};
use crate::source::{display_path, io_message, SourceFile};
use crate::tree::{parse_debian_env, Tree, TreeKind};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Files above this size are not packaging files; they are reported, not read.
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
    let has_debian = root.join("debian").is_dir();
    let all_branches = list_branch_dirs(&root);
    if has_debian || !all_branches.is_empty() {
        kind = TreeKind::Debian;
        if has_debian {
            collect(&root, "debian", 4, &mut wanted, errors);
        }
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
            None => all_branches,
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
        kind,
        branch_dir,
        wanted,
        listed,
    }
}

pub(super) fn read_listing(listing: Listing, errors: &mut Vec<IoProblem>) -> Tree {
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
    let location = fs::canonicalize(&listing.root).unwrap_or_else(|_| listing.root.clone());
    Tree {
        root: listing.root,
        kind: listing.kind,
        branch_dir: listing.branch_dir,
        files,
        listed: listing.listed,
        location,
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
