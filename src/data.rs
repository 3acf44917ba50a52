//! The tables of `rules/data/`, embedded in the binary, and the reader of their
//! column format: `#` comments, then one entry per line whose first word is the
//! key and the rest its value. A leaf: the model reads the tables it needs
//! (which includes a generator writes) and `knowledge` the rest.

use std::collections::HashMap;
use std::sync::OnceLock;

pub struct Table {
    pub name: &'static str,
    pub text: &'static str,
    entries: Vec<(&'static str, &'static str)>,
}

impl Table {
    fn parse(name: &'static str, text: &'static str) -> Table {
        let entries = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| match l.split_once(char::is_whitespace) {
                Some((k, v)) => (k, v.trim()),
                None => (l, ""),
            })
            .collect();
        Table {
            name,
            text,
            entries,
        }
    }

    /// The value of the first entry with this key.
    pub fn get(&self, key: &str) -> Option<&'static str> {
        self.rows(key).next()
    }

    /// The values of every entry with this key, in file order (a table may hold
    /// several rows per key, such as one per release a fact changed in).
    pub fn rows<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'static str> + 'a {
        self.entries
            .iter()
            .filter(move |(k, _)| *k == key)
            .map(|(_, v)| *v)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn entries(&self) -> &[(&'static str, &'static str)] {
        &self.entries
    }
}

/// All tables, by file name.
pub const TABLE_FILES: &[(&str, &str)] = &[
    (
        "kernel-make-goals",
        include_str!("../rules/data/kernel-make-goals"),
    ),
    ("job-variables", include_str!("../rules/data/job-variables")),
    (
        "nested-build-commands",
        include_str!("../rules/data/nested-build-commands"),
    ),
    (
        "kbuild-variables",
        include_str!("../rules/data/kbuild-variables"),
    ),
    ("releases", include_str!("../rules/data/releases")),
    ("multi-arch", include_str!("../rules/data/multi-arch")),
    (
        "build-machine-deps",
        include_str!("../rules/data/build-machine-deps"),
    ),
    (
        "config-build-deps",
        include_str!("../rules/data/config-build-deps"),
    ),
    (
        "obsolete-packages",
        include_str!("../rules/data/obsolete-packages"),
    ),
    (
        "kernel-source-files",
        include_str!("../rules/data/kernel-source-files"),
    ),
    (
        "generated-includes",
        include_str!("../rules/data/generated-includes"),
    ),
];

/// Tables written as deb822 stanzas rather than columns.
pub const DEB822_TABLES: &[&str] = &["obsolete-packages"];

fn tables() -> &'static HashMap<&'static str, Table> {
    static TABLES: OnceLock<HashMap<&'static str, Table>> = OnceLock::new();
    TABLES.get_or_init(|| {
        TABLE_FILES
            .iter()
            .filter(|(n, _)| !DEB822_TABLES.contains(n))
            .map(|(n, t)| (*n, Table::parse(n, t)))
            .collect()
    })
}

pub fn table(name: &str) -> &'static Table {
    tables()
        .get(name)
        .unwrap_or_else(|| panic!("knowledge table {name} is not embedded"))
}

/// An include file a known generator writes before the makefile including it runs
/// (`rules/data/generated-includes`).
#[derive(Debug, Clone, Copy)]
pub struct GeneratedInclude {
    /// The include path as the makefile writes it.
    pub path: &'static str,
    /// The script that writes it, relative to the kernel source root.
    pub generator: &'static str,
    /// Where a tree the row applies to sits (its root ends with this).
    pub home: &'static str,
}

pub fn generated_includes() -> impl Iterator<Item = GeneratedInclude> {
    table("generated-includes")
        .entries()
        .iter()
        .filter_map(|(path, rest)| {
            let mut w = rest.split_whitespace();
            Some(GeneratedInclude {
                path,
                generator: w.next()?,
                home: w.next()?,
            })
        })
}
