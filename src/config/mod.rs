//! `kpkg-lint.toml`: per-tree settings, and how they combine with the command line.
//!
//! The file is looked for in each linted tree's root and in its `debian/` directory
//! (`--config FILE` replaces the search for every tree). Every key mirrors a
//! command-line option:
//!
//! ```toml
//! select = ["parallel", "cross"]        # rules or families; default: every rule
//! ignore = ["deprecated-make-kpkg"]
//! release = "noble"
//! archive = ["../apt-lists"]            # relative to this file's directory, or "auto"
//! profiles = ["nodoc"]
//! allow-unknown = ["libpve-*"]
//! extend-select = ["unused-suppression"] # added to select (or to every rule)
//! extend-ignore = ["stale"]             # taken away after ignore
//! exclude = ["debian/patches/**"]       # findings in these files are not reported
//! doc-url = "https://example.org/kpkg-lint/docs/rules/{rule}.md"
//!
//! [severity]                            # rule or family = "error" | "warning" | "info"
//! serial-kernel-build = "error"
//! stale = "info"
//!
//! [per-file-ignores]                    # glob = rules or families not reported there
//! "debian.master/rules.d/*.mk" = ["forced-serial-flag"]
//! ```
//!
//! Globs match paths relative to the tree's root: `*` and `?` stay within one
//! path component, `**` spans any number of them, and a glob without a `/`
//! matches the file name in any directory.
//!
//! An option given on the command line replaces the file's value; `--ignore` is
//! applied after the file's `select` and `ignore`, and `--select` starts the
//! selection afresh (so `--select X` runs X even when the file ignores it).
//! Mistakes are errors that name the file, line and column: unknown keys, unknown
//! rule or family names, wrong types, unknown severities or releases.

mod file;
mod settings;

use std::fmt;

pub use file::{find, load, parse, FileConfig};
pub use settings::{Origin, Overrides, Settings};

pub const FILE_NAME: &str = "kpkg-lint.toml";

/// Every key of the file, in documentation order.
pub const KEYS: &[&str] = &[
    "select",
    "ignore",
    "extend-select",
    "extend-ignore",
    "exclude",
    "per-file-ignores",
    "severity",
    "release",
    "archive",
    "profiles",
    "allow-unknown",
    "doc-url",
];

/// A configuration file that cannot be used; exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.column, self.message
            )
        }
    }
}

#[cfg(test)]
mod test_support {
    use super::*;
    use std::path::Path;

    pub fn parse_ok(text: &str) -> FileConfig {
        parse("kpkg-lint.toml", text, Path::new("/base")).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn parse_err(text: &str) -> String {
        parse("debian/kpkg-lint.toml", text, Path::new("/base"))
            .expect_err("should fail")
            .to_string()
    }
}
