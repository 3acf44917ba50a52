//! Knowledge tables from `rules/data/`, embedded in the binary.
//!
//! Each table is a plain text file: `#` comments, then one entry per line whose
//! first word is the key and the rest its value. Keeping the facts here rather than
//! in code lets a packager read and extend them without reading Rust.

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

    pub fn get(&self, key: &str) -> Option<&'static str> {
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
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
];

fn tables() -> &'static HashMap<&'static str, Table> {
    static TABLES: OnceLock<HashMap<&'static str, Table>> = OnceLock::new();
    TABLES.get_or_init(|| {
        TABLE_FILES
            .iter()
            .map(|(n, t)| (*n, Table::parse(n, t)))
            .collect()
    })
}

pub fn table(name: &str) -> &'static Table {
    tables()
        .get(name)
        .unwrap_or_else(|| panic!("knowledge table {name} is not embedded"))
}

/// How expensive a kernel make goal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalClass {
    Build,
    Package,
    Prepare,
    Other,
}

pub fn goal_class(goal: &str) -> Option<GoalClass> {
    let goal = goal.rsplit('/').next().unwrap_or(goal);
    let class = table("kernel-make-goals")
        .get(goal)
        .or_else(|| goal.ends_with("config").then_some("prepare"))?;
    Some(match class {
        "build" => GoalClass::Build,
        "package" => GoalClass::Package,
        "prepare" => GoalClass::Prepare,
        _ => GoalClass::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_parses_and_has_entries() {
        for (name, _) in TABLE_FILES {
            assert!(!table(name).entries().is_empty(), "{name}");
        }
        assert_eq!(goal_class("bzImage"), Some(GoalClass::Build));
        assert_eq!(goal_class("tinyconfig"), Some(GoalClass::Prepare));
        assert_eq!(goal_class("foo"), None);
        assert!(table("job-variables").contains("CONCURRENCY_LEVEL"));
    }

    #[test]
    fn every_data_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/data");
        for e in std::fs::read_dir(dir).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                TABLE_FILES.iter().any(|(n, _)| *n == name),
                "rules/data/{name} is not in TABLE_FILES"
            );
        }
    }
}
