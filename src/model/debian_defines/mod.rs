//! Debian's flavour definitions under `debian/config/` (and `debian/config.local/`),
//! merged across levels the way gencontrol merges them.
//!
//! Two generations of the tool:
//! - INI `defines` (`debian_linux/config.py`, `ConfigCoreHierarchy`): the root
//!   `defines`, then `<arch>/defines` for every arch in the root `[base] arches:`,
//!   then `<arch>/<featureset>/defines` for every featureset that arch lists, then
//!   `featureset-<fs>/defines`; values combine by `ConfigCore.merge` order
//!   (root, featureset, arch, arch+featureset, arch-level flavour, featureset
//!   flavour). See [`ini_era`].
//! - `defines.toml` (`debian_linux/config_v2.py`): the root `defines.toml`, then
//!   `featureset-<fs>/`, `kernelarch-<ka>/` and `<debianarch>/defines.toml`, each as
//!   that level's table; a flavour's description merges over root, kernelarch,
//!   debianarch, debianarch flavour, root featureset, featureset, featureset flavour.
//!   See [`toml_era`].
//!
//! Config fragment paths are relative to each config directory (`debian/config`,
//! then `debian/config.local`), whichever defines file names them.

mod ini;
mod ini_era;
mod toml_era;

use super::FileProblem;
use crate::source::{FileId, Span};
use crate::tree::Tree;

/// A place in a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct At {
    pub file: FileId,
    pub span: Span,
}

/// Which generation of gencontrol reads the tree's defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// INI `defines` files, `debian_linux/config.py`.
    Ini,
    /// `defines.toml`, `debian_linux/config_v2.py`.
    Toml,
}

/// One flavour gencontrol builds: an enabled (arch, featureset, flavour), with the
/// description and config fragments merged over every level.
#[derive(Debug, Clone)]
pub struct DebianFlavour {
    pub era: Era,
    pub arch: String,
    pub featureset: String,
    pub name: String,
    /// Where the flavour is declared: its word in the `[base] flavours:` list that
    /// gencontrol iterates (INI), or the `name` of its debianarch `[[flavour]]`
    /// table, where its description belongs (TOML).
    pub decl: At,
    /// Where the merged description's `hardware` is set, if any level sets it.
    pub hardware: Option<At>,
    /// gencontrol's `class` (the image package's "Linux … for <class>") ends up
    /// empty: `hardware` is unset or empty.
    pub class_empty: bool,
    /// A test flavour (TOML `defs.is_test`): gencontrol puts its packages in the
    /// `pkg.linux.quick` build profile only; they are never shipped.
    pub test_only: bool,
    /// The merged description's `parts`, once each.
    pub parts: Vec<DescriptionPart>,
    /// The config fragments gencontrol looks for that the defines name, and the
    /// default ones it requires.
    pub fragments: Vec<Fragment>,
}

#[derive(Debug, Clone)]
pub struct DescriptionPart {
    pub name: String,
    /// The word in `parts`.
    pub at: At,
    /// INI `part-long-<p>`, TOML `long.<p>`.
    pub has_long: bool,
    /// TOML `short.<p>` (INI `part-short-<p>` is optional: always true there).
    pub has_short: bool,
}

/// A config fragment of one flavour.
#[derive(Debug, Clone)]
pub struct Fragment {
    /// As gencontrol joins it to each config directory.
    pub path: String,
    /// The word or string that names it; for a default fragment, where the level
    /// that needs it is declared (the arch in the root `arches:`).
    pub at: At,
    /// Named in the defines (`configs:`, `build.config`), not one of gencontrol's
    /// default names.
    pub listed: bool,
    /// Present in some config directory.
    pub exists: bool,
}

/// A level gencontrol cannot walk: it stops with a KeyError there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    /// INI: an enabled featureset of an arch whose merged `[base]` has no
    /// `flavours:` (`config['base', arch, featureset]['flavours']`).
    FeaturesetWithoutFlavours { arch: String, featureset: String },
    /// TOML: a debianarch `[[featureset]]` with no root `[[featureset]]` of that name.
    FeaturesetNotInRoot { arch: String, featureset: String },
    /// TOML: a featureset `[[flavour]]` that is not one of the debianarch's flavours.
    FlavourNotInArch {
        arch: String,
        featureset: String,
        flavour: String,
    },
}

/// The tree's Debian config as gencontrol would walk it.
#[derive(Debug, Clone, Default)]
pub struct DebianConfig {
    pub era: Option<Era>,
    /// The config directories gencontrol reads, in its order.
    pub dirs: Vec<String>,
    pub flavours: Vec<DebianFlavour>,
    pub broken: Vec<(Broken, At)>,
}

const CONFIG: &str = "debian/config";
const CONFIG_LOCAL: &str = "debian/config.local";

/// `a/./b/../c` → `a/c`, as the filesystem resolves it; `None` for absolute paths.
fn normalize(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Does `path` (relative to a config directory) exist in one of `dirs`? Absolute
/// paths are taken to exist: they are outside the tree.
fn fragment_exists(tree: &Tree, dirs: &[String], path: &str) -> bool {
    let Some(path) = normalize(path) else {
        return true;
    };
    dirs.iter().any(|d| {
        let Some(rel) = normalize(&format!("{d}/{path}")) else {
            return true;
        };
        tree.file(&rel).is_some() || tree.listed.contains(&rel)
    })
}

/// A readable file of the tree at `rel`.
fn readable(tree: &Tree, rel: &str) -> Option<FileId> {
    tree.file(rel)
        .filter(|&id| tree.files[id].skipped.is_none())
}

/// The tree's Debian config; files that do not parse are problems of the file.
pub fn read(tree: &Tree, problems: &mut Vec<FileProblem>) -> DebianConfig {
    let mut dirs = vec![CONFIG.to_string()];
    // gencontrol.py reads `debian/config.local` after `debian/config` since the
    // late INI era (4.12's does not): trust the tree's own gencontrol when it has one.
    let local = format!("{CONFIG_LOCAL}/");
    let reads_local = readable(tree, "debian/bin/gencontrol.py")
        .is_none_or(|id| tree.files[id].text.contains("config.local"));
    if reads_local && tree.files.iter().any(|f| f.rel.starts_with(&local)) {
        dirs.push(CONFIG_LOCAL.to_string());
    }
    let has = |name: &str| {
        dirs.iter()
            .any(|d| tree.file(&format!("{d}/{name}")).is_some())
    };
    let mut config = DebianConfig::default();
    if has("defines.toml") {
        config.era = Some(Era::Toml);
        toml_era::read(tree, &dirs, problems, &mut config);
    } else if has("defines") {
        config.era = Some(Era::Ini);
        ini_era::read(tree, &dirs, problems, &mut config);
    }
    config.dirs = dirs;
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_as_the_filesystem_does() {
        assert_eq!(normalize("./a//b/../c").as_deref(), Some("a/c"));
        assert_eq!(normalize("/etc/x"), None);
        let tree = Tree::from_memory(&[("debian/config.local/amd64/config.x", "")]);
        let dirs = vec![CONFIG.to_string(), CONFIG_LOCAL.to_string()];
        assert!(fragment_exists(&tree, &dirs, "amd64/./config.x"));
        assert!(!fragment_exists(&tree, &dirs[..1], "amd64/config.x"));
    }
}
