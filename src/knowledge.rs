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
];

/// Tables written as deb822 stanzas rather than columns.
const DEB822_TABLES: &[&str] = &["obsolete-packages"];

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

/// How expensive a kernel make goal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalClass {
    Build,
    Package,
    Prepare,
    /// `dtbs`: compiles device trees, not the kernel.
    DeviceTree,
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
        "devicetree" => GoalClass::DeviceTree,
        _ => GoalClass::Other,
    })
}

/// The release assumed when neither `--release` nor the changelog names one: the
/// current Debian stable.
pub const DEFAULT_RELEASE: &str = "trixie";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    pub codename: &'static str,
    pub vendor: &'static str,
    pub version: &'static str,
    /// The Debian release whose package set this release starts from.
    pub debian_base: &'static str,
}

pub fn release(codename: &str) -> Option<Release> {
    table("releases")
        .entries()
        .iter()
        .find(|(k, _)| *k == codename)
        .map(|(k, v)| {
            let mut cols = v.split_whitespace();
            Release {
                codename: k,
                vendor: cols.next().unwrap_or(""),
                version: cols.next().unwrap_or(""),
                debian_base: cols.next().unwrap_or(k),
            }
        })
}

pub fn release_names() -> Vec<&'static str> {
    table("releases")
        .entries()
        .iter()
        .map(|(k, _)| *k)
        .collect()
}

/// Position of a Debian release in time (`sid` last).
fn debian_rank(codename: &str) -> Option<usize> {
    table("releases")
        .entries()
        .iter()
        .filter(|(_, v)| v.starts_with("debian"))
        .position(|(k, _)| *k == codename)
}

/// Is `release` (any vendor) at or after the Debian release `since`?
pub fn release_at_least(release: &str, since: &str) -> Option<bool> {
    let base = self::release(release)?.debian_base;
    Some(debian_rank(base)? >= debian_rank(since)?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultiArch {
    Foreign,
    Same,
    Allowed,
    No,
}

impl MultiArch {
    pub fn parse(s: &str) -> Option<MultiArch> {
        Some(match s {
            "foreign" => MultiArch::Foreign,
            "same" => MultiArch::Same,
            "allowed" => MultiArch::Allowed,
            "no" => MultiArch::No,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MultiArch::Foreign => "foreign",
            MultiArch::Same => "same",
            MultiArch::Allowed => "allowed",
            MultiArch::No => "no",
        }
    }
}

/// The built-in Multi-Arch value of a package in a release, when known for it.
pub fn multi_arch(package: &str, release: &str) -> Option<MultiArch> {
    let row = table("multi-arch").get(package)?;
    let mut cols = row.split_whitespace();
    let value = MultiArch::parse(cols.next()?)?;
    let since = cols.next()?;
    release_at_least(release, since)?.then_some(value)
}

/// `*` matches any run of characters.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            name.len() >= head.len() + tail.len()
                && name.starts_with(head)
                && glob_match_rest(tail, &name[head.len()..])
        }
    }
}

fn glob_match_rest(pattern: &str, name: &str) -> bool {
    if !pattern.contains('*') {
        return name.ends_with(pattern);
    }
    (0..=name.len())
        .filter(|i| name.is_char_boundary(*i))
        .any(|i| glob_match(pattern, &name[i..]))
}

/// A build-dependency the kernel build uses on the build machine.
#[derive(Debug, Clone, Copy)]
pub struct BuildMachineDep {
    pub pattern: &'static str,
    /// Only when a makefile mentions this word.
    pub when_rules_mention: Option<&'static str>,
    pub host_too: bool,
    pub consumer: &'static str,
}

pub fn build_machine_dep(package: &str) -> Option<BuildMachineDep> {
    table("build-machine-deps")
        .entries()
        .iter()
        .find(|(k, _)| glob_match(k, package))
        .map(|(k, v)| {
            let (when, rest) = v.split_once(char::is_whitespace).unwrap_or((v, ""));
            let rest = rest.trim_start();
            let (host, consumer) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let consumer = consumer.trim();
            BuildMachineDep {
                pattern: k,
                when_rules_mention: when.strip_prefix("rules:"),
                host_too: host == "yes",
                consumer,
            }
        })
}

/// A kernel option that needs a build-dependency.
#[derive(Debug, Clone)]
pub struct ConfigDep {
    pub option: &'static str,
    pub packages: Vec<&'static str>,
    pub min_version: Option<&'static str>,
    pub why: &'static str,
}

pub fn config_deps() -> Vec<ConfigDep> {
    table("config-build-deps")
        .entries()
        .iter()
        .map(|(k, v)| {
            let v = v.trim();
            let (pkgs, rest) = v.split_once(char::is_whitespace).unwrap_or((v, ""));
            let rest = rest.trim();
            let (min, why) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            ConfigDep {
                option: k,
                packages: pkgs.split('|').collect(),
                min_version: (min != "-").then_some(min),
                why: why.trim(),
            }
        })
        .collect()
}

/// A build-dependency that is gone or transitional from some release on.
#[derive(Debug, Clone)]
pub struct Obsolete {
    pub package: String,
    /// `None` when the replacement is nothing.
    pub replacement: Option<String>,
    /// The replacement is a single relation that can replace the entry as is.
    pub one_to_one: bool,
    pub since: String,
    pub removed: bool,
    pub why: String,
    pub source: String,
    /// Build-dependencies that already provide the replacement: with one of them
    /// present the obsolete entry is dropped, not replaced (`debhelper-compat`
    /// is debhelper).
    pub satisfied_by: Vec<String>,
}

pub fn obsolete_packages() -> &'static [Obsolete] {
    static TABLE: OnceLock<Vec<Obsolete>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let text = TABLE_FILES
            .iter()
            .find(|(n, _)| *n == "obsolete-packages")
            .map(|(_, t)| *t)
            .unwrap_or("");
        // The comment block before the first stanza is not deb822: skip it.
        let body: String = text
            .lines()
            .skip_while(|l| l.starts_with('#') || l.trim().is_empty())
            .map(|l| format!("{l}\n"))
            .collect();
        let parsed = deb822_lossless::Deb822::parse(&body);
        parsed
            .tree()
            .paragraphs()
            .filter_map(|p| {
                let get = |k: &str| p.get(k).map(|v| v.trim().to_string());
                let replacement = get("Replacement").filter(|r| r != "-");
                let one_to_one = replacement.as_deref().is_some_and(|r| {
                    let (groups, problems) = crate::model::relation::parse_relations(r, 0);
                    problems.is_empty()
                        && groups.len() == 1
                        && groups[0].alternatives.len() == 1
                        && !r.contains(" or ")
                        && !r.contains(" and")
                });
                Some(Obsolete {
                    package: get("Package")?,
                    replacement,
                    one_to_one,
                    since: get("Since")?,
                    removed: get("State").as_deref() == Some("removed"),
                    why: get("Why").unwrap_or_default(),
                    source: get("Source").unwrap_or_default(),
                    satisfied_by: get("Satisfied-By")
                        .unwrap_or_default()
                        .split([',', ' '])
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                })
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_parses_and_has_entries() {
        for (name, _) in TABLE_FILES
            .iter()
            .filter(|(n, _)| !DEB822_TABLES.contains(n))
        {
            assert!(!table(name).entries().is_empty(), "{name}");
        }
        assert_eq!(goal_class("bzImage"), Some(GoalClass::Build));
        assert_eq!(goal_class("tinyconfig"), Some(GoalClass::Prepare));
        assert_eq!(goal_class("dtbs"), Some(GoalClass::DeviceTree));
        assert_eq!(goal_class("foo"), None);
        assert!(table("job-variables").contains("CONCURRENCY_LEVEL"));
    }

    #[test]
    fn releases_and_multi_arch() {
        assert_eq!(release("noble").unwrap().debian_base, "trixie");
        assert_eq!(release_at_least("jammy", "bookworm"), Some(true));
        assert_eq!(release_at_least("focal", "bookworm"), Some(false));
        assert_eq!(multi_arch("bison", "trixie"), Some(MultiArch::Foreign));
        assert_eq!(
            multi_arch("bison", "focal"),
            None,
            "unknown before bookworm"
        );
        assert_eq!(multi_arch("libssl-dev", "sid"), Some(MultiArch::Same));
        assert!(glob_match("gcc-*-plugin-dev", "gcc-13-plugin-dev"));
        assert!(!glob_match("gcc-*-plugin-dev", "gcc-13"));
        let d = build_machine_dep("makedumpfile").unwrap();
        assert_eq!(d.when_rules_mention, Some("makedumpfile"));
        assert!(build_machine_dep("libssl-dev").unwrap().host_too);
        let btf = config_deps()
            .into_iter()
            .find(|c| c.option == "CONFIG_DEBUG_INFO_BTF")
            .unwrap();
        assert_eq!(
            (btf.packages, btf.min_version),
            (vec!["pahole", "dwarves"], Some("1.16"))
        );
        assert!(release(DEFAULT_RELEASE).is_some());
    }

    #[test]
    fn obsolete_table() {
        let t = obsolete_packages();
        assert!(t.len() >= 20, "{}", t.len());
        let dh = t.iter().find(|o| o.package == "dh-systemd").unwrap();
        assert!(dh.one_to_one && dh.removed);
        assert_eq!(dh.satisfied_by, ["debhelper-compat"]);
        assert_eq!(
            dh.replacement.as_deref(),
            Some("debhelper (>= 9.20160709~)")
        );
        let bsd = t.iter().find(|o| o.package == "bsdmainutils").unwrap();
        assert!(!bsd.one_to_one && !bsd.removed);
        assert!(t
            .iter()
            .find(|o| o.package == "hardening-wrapper")
            .unwrap()
            .replacement
            .is_none());
        assert!(
            t.iter()
                .all(|o| release(&o.since).is_some() && !o.source.is_empty()),
            "every entry has a known release and a source"
        );
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
