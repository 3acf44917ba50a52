//! Patches between two states of a tree: which files they show, and the unified
//! diff of each (see [`crate::unidiff`]), plain or with `diff --git` headers for mails.

use crate::source::FileId;
use crate::tree::Tree;
use crate::unidiff::{patch_name, quote_path, unified_named};

/// The `diff --git` header lines git writes before a file's diff in mail patches.
pub fn git_header(path: &[u8], created: bool, mode: Option<u32>) -> String {
    let mut s = format!(
        "diff --git {} {}\n",
        quote_path("a/", path),
        quote_path("b/", path)
    );
    if created {
        s.push_str(&format!("new file mode {:o}\n", mode.unwrap_or(0o100644)));
    }
    s
}

/// The files a patch between two states of a tree shows: every changed or new
/// file, except a symbolic link to another changed file of the tree. That change is
/// shown once, at the file itself: git keeps a link as its target's name, and patch
/// refuses to patch a link.
pub fn patched_files(before: &Tree, after: &Tree) -> Vec<FileId> {
    let changed: Vec<FileId> = (0..after.files.len())
        .filter(|id| {
            before
                .files
                .get(*id)
                .is_none_or(|old| old.bytes() != after.files[*id].bytes())
        })
        .collect();
    let on_disk = |id: FileId| {
        let path = &after.files[id].path;
        let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        (link, std::fs::canonicalize(path).ok())
    };
    let identities: Vec<(bool, Option<std::path::PathBuf>)> =
        changed.iter().map(|id| on_disk(*id)).collect();
    changed
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let (link, target) = &identities[*i];
            // Another changed file that is the same file on disk and is shown instead:
            // the plain file, or the first of several links.
            !(*link
                && target.is_some()
                && identities
                    .iter()
                    .enumerate()
                    .any(|(j, (other_link, other))| {
                        j != *i && other == target && (!other_link || j < *i)
                    }))
        })
        .map(|(_, id)| *id)
        .collect()
}

/// The unified diff between two states of a tree (file ids of `before` are kept in `after`).
pub fn tree_diff(before: &Tree, after: &Tree) -> String {
    let mut out = String::new();
    for id in patched_files(before, after) {
        let f = &after.files[id];
        let old = before.files.get(id).map(|o| o.text.as_str());
        out.push_str(&unified_named(
            &patch_name(&f.display, &f.path),
            old,
            &f.text,
        ));
    }
    out
}

/// [`tree_diff`] with a `diff --git` header per file, for mails that `git am` applies.
pub fn tree_diff_git(before: &Tree, after: &Tree) -> String {
    let mut out = String::new();
    for id in patched_files(before, after) {
        let f = &after.files[id];
        let (old, created) = match before.files.get(id) {
            Some(old) => (Some(old.text.as_str()), false),
            None => (None, true),
        };
        let name = patch_name(&f.display, &f.path);
        out.push_str(&git_header(&name, created, None));
        out.push_str(&unified_named(&name, old, &f.text));
    }
    out
}
