//! One packaging tree: its files, read once, and how it was found.

use crate::source::{display_path, FileId, SourceFile, Span};
use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeKind {
    /// `debian/` with optional `debian.<branch>/` directories.
    Debian,
    /// A kernel-package (make-kpkg) ruleset checkout or install.
    KernelPackage,
}

#[derive(Debug, Clone)]
pub struct Tree {
    pub root: PathBuf,
    pub kind: TreeKind,
    /// Ubuntu branch directory named by `debian/debian.env` (`debian.master`).
    pub branch_dir: Option<String>,
    pub files: Vec<SourceFile>,
    /// Files whose existence rules check but whose contents they never read
    /// (ABI baselines under `<branch>/abi/`), relative to the root.
    pub listed: Vec<String>,
    /// Where the root really is (its canonical path; `.` in memory). Some trees are
    /// known by where they sit: kbuild's packaging template is `scripts/package/`
    /// of a kernel tree, and `mkdebian` writes the files it includes.
    pub location: PathBuf,
    /// `rel` → id for the files the tree was built with, so [`Tree::file`] does not
    /// scan every file (rules look files up per include, per patch and per patched
    /// file: a scan made a 40,000-patch series quadratic).
    index: FileIndex,
}

/// The files' ids by relative path, for `files[..len]` as they were when it was
/// built. Files are only ever replaced in place (same `rel`) or appended (a fix
/// pass creating files), so a lookup checks the index, then scans only the files
/// appended since.
#[derive(Clone, Default)]
struct FileIndex {
    ids: HashMap<String, FileId>,
    len: usize,
}

impl FileIndex {
    fn of(files: &[SourceFile]) -> FileIndex {
        let mut ids = HashMap::with_capacity(files.len());
        for (id, f) in files.iter().enumerate() {
            ids.entry(f.rel.clone()).or_insert(id);
        }
        FileIndex {
            ids,
            len: files.len(),
        }
    }
}

impl std::fmt::Debug for FileIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileIndex({} files)", self.len)
    }
}

impl Tree {
    /// A tree of these files (in this order: a file's id is its position).
    pub fn new(
        root: PathBuf,
        kind: TreeKind,
        branch_dir: Option<String>,
        files: Vec<SourceFile>,
        listed: Vec<String>,
        location: PathBuf,
    ) -> Tree {
        let index = FileIndex::of(&files);
        Tree {
            root,
            kind,
            branch_dir,
            files,
            listed,
            location,
            index,
        }
    }

    /// How a path inside this tree is shown to the user.
    pub fn display_for(&self, rel: &str) -> String {
        let root = display_path(&self.root);
        if root == "." {
            rel.to_string()
        } else {
            format!("{}/{rel}", root.trim_end_matches('/'))
        }
    }

    pub fn file(&self, rel: &str) -> Option<FileId> {
        let indexed = self.index.len.min(self.files.len());
        match self.index.ids.get(rel) {
            Some(&id) if id < indexed && self.files[id].rel == rel => Some(id),
            // Not there when indexed: only a file appended since can have it. (The
            // check above keeps this right for a tree whose files were replaced
            // wholesale: then it scans.)
            None => self.files[indexed..]
                .iter()
                .position(|f| f.rel == rel)
                .map(|i| indexed + i),
            Some(_) => self.files.iter().position(|f| f.rel == rel),
        }
    }

    /// A tree made of in-memory files (tests and catalogue examples).
    pub fn from_memory(files: &[(&str, &str)]) -> Tree {
        let files: Vec<(&str, &[u8])> = files.iter().map(|(r, c)| (*r, c.as_bytes())).collect();
        Tree::from_memory_bytes(&files)
    }

    /// [`Tree::from_memory`] for files that need not be UTF-8, read as discovery
    /// reads them.
    pub fn from_memory_bytes(files: &[(&str, &[u8])]) -> Tree {
        let files: Vec<SourceFile> = files
            .iter()
            .map(|(rel, bytes)| {
                SourceFile::new(
                    rel.to_string(),
                    PathBuf::from(rel),
                    rel.to_string(),
                    bytes.to_vec(),
                    None,
                )
            })
            .collect();
        // As on disk: a branch directory counts only if the tree has it.
        let branch_dir = files
            .iter()
            .find(|f| f.rel == "debian/debian.env")
            .and_then(|f| parse_debian_env(&f.text))
            .filter(|b| {
                let prefix = format!("{b}/");
                files.iter().any(|f| f.rel.starts_with(&prefix))
            });
        let kind = if files
            .iter()
            .any(|f| f.rel.starts_with("debian/") || f.rel.starts_with("debian."))
        {
            TreeKind::Debian
        } else {
            TreeKind::KernelPackage
        };
        // In memory, every file is read; ABI baselines are listed too.
        let listed = files
            .iter()
            .filter(|f| f.rel.contains("/abi/"))
            .map(|f| f.rel.clone())
            .collect();
        Tree::new(
            PathBuf::from("."),
            kind,
            branch_dir,
            files,
            listed,
            PathBuf::from("."),
        )
    }
}

/// `DEBIAN=debian.master` in `debian/debian.env`.
pub fn parse_debian_env(text: &str) -> Option<String> {
    let (v, _) = debian_env_value(text)?;
    (!v.is_empty() && !v.contains('/') && !v.contains("..")).then(|| v.to_string())
}

/// The value of `DEBIAN=` in `debian/debian.env` as written, and its span.
pub fn debian_env_value(text: &str) -> Option<(&str, Span)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let indent = line.len() - line.trim_start().len();
        let Some(rest) = line[indent..].strip_prefix("DEBIAN=") else {
            continue;
        };
        let lead = rest.len() - rest.trim_start().len();
        let trimmed = rest.trim();
        let v = trimmed.trim_matches('"');
        let quote = trimmed.len() - trimmed.trim_start_matches('"').len();
        let at = start + indent + "DEBIAN=".len() + lead + quote;
        return Some((v, at..at + v.len()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lookups go through the index built with the tree, and still find a file a
    /// fix pass appended after it (and the first of two with the same path).
    #[test]
    fn file_lookup_by_index_and_after_appends() {
        let mut t = Tree::from_memory(&[("debian/rules", ""), ("debian/control", "")]);
        assert_eq!(t.index.ids.len(), 2);
        assert_eq!(t.file("debian/control"), Some(1));
        assert_eq!(t.file("debian/changelog"), None);
        t.files.push(SourceFile::in_memory(
            "debian/changelog",
            "x (1) y; urgency=low\n",
        ));
        t.files.push(SourceFile::in_memory("debian/control", ""));
        assert_eq!(t.file("debian/changelog"), Some(2));
        assert_eq!(t.file("debian/control"), Some(1));
        assert_eq!(t.clone().file("debian/changelog"), Some(2));
    }

    #[test]
    fn debian_env_names_branch() {
        assert_eq!(
            parse_debian_env("DEBIAN=debian.master\n").as_deref(),
            Some("debian.master")
        );
        assert_eq!(parse_debian_env("DEBIAN=../etc\n"), None);
        assert_eq!(parse_debian_env("# nothing\n"), None);
    }

    #[test]
    fn debian_env_value_spans() {
        for (text, value) in [
            ("DEBIAN=debian.master\n", "debian.master"),
            ("# c\n  DEBIAN= \"debian.hwe\"\n", "debian.hwe"),
            ("DEBIAN=\n", ""),
        ] {
            let (v, span) = debian_env_value(text).unwrap();
            assert_eq!((v, &text[span]), (value, value), "{text:?}");
        }
        assert!(debian_env_value("nothing\n").is_none());
    }
}
