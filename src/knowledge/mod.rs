//! Knowledge tables from `rules/data/`, embedded in the binary.
//!
//! Each table is a plain text file: `#` comments, then one entry per line whose
//! first word is the key and the rest its value. Keeping the facts here rather than
//! in code lets a packager read and extend them without reading Rust.

pub use crate::data::{table, Table, DEB822_TABLES, TABLE_FILES};
use std::sync::OnceLock;

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

/// Position of a release among its vendor's releases (Debian's `sid` last).
pub fn vendor_rank(codename: &str) -> Option<(&'static str, usize)> {
    let vendor = release(codename)?.vendor;
    let rank = table("releases")
        .entries()
        .iter()
        .filter(|(_, v)| v.split_whitespace().next() == Some(vendor))
        .position(|(k, _)| *k == codename)?;
    Some((vendor, rank))
}

/// Does the release's dpkg give a build SOURCE_DATE_EPOCH (dpkg-buildpackage
/// exports it, pkg-info.mk sets it, `dpkg-parsechangelog -STimestamp` prints it)?
/// All three came with dpkg 1.18.8: Debian from stretch (1.18.24), Ubuntu from
/// yakkety (1.18.10); jessie (1.17.27), trusty (1.17.5) and xenial (1.18.4) lack
/// them. `None` for a release the table does not know.
pub fn dpkg_has_source_date_epoch(codename: &str) -> Option<bool> {
    let (vendor, rank) = vendor_rank(codename)?;
    let first = match vendor {
        "debian" => "stretch",
        "ubuntu" => "yakkety",
        _ => return None,
    };
    Some(rank >= vendor_rank(first)?.1)
}

/// Does the release's dpkg ship /usr/share/dpkg/buildopts.mk (with
/// DEB_BUILD_OPTION_PARALLEL)? It came with dpkg 1.20.1: Debian from bullseye
/// (1.20.x), Ubuntu from groovy (1.20.5); buster (1.19.8) and focal (1.19.7) lack
/// it, and `include` of a missing file stops make. `None` for a release the table
/// does not know.
pub fn dpkg_has_buildopts_mk(codename: &str) -> Option<bool> {
    let (vendor, rank) = vendor_rank(codename)?;
    let first = match vendor {
        "debian" => "bullseye",
        "ubuntu" => "groovy",
        _ => return None,
    };
    Some(rank >= vendor_rank(first)?.1)
}

/// Position of a Debian release in time (`sid` last).
fn debian_rank(codename: &str) -> Option<usize> {
    match vendor_rank(codename)? {
        ("debian", r) => Some(r),
        _ => None,
    }
}

/// Is `release` (any vendor) at or after the Debian release `since`, comparing
/// the Debian release an Ubuntu one was imported from?
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
/// A package may have several rows (the field was added or changed in a later
/// release): the one with the latest `since` the release has reached wins.
pub fn multi_arch(package: &str, release: &str) -> Option<MultiArch> {
    table("multi-arch")
        .rows(package)
        .filter_map(|row| {
            let mut cols = row.split_whitespace();
            let value = MultiArch::parse(cols.next()?)?;
            let since = cols.next()?;
            release_at_least(release, since)?.then_some((debian_rank(since)?, value))
        })
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, value)| value)
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
    /// Only when a makefile statement that can run mentions one of these words
    /// (`rules:A|B`; see `rules::cross::gates`).
    pub when_rules_mention: Option<&'static str>,
    /// Not when a makefile statement that can run mentions one of these words
    /// (`unless-rules:A|B`): the switch that turns the consumer off.
    pub unless_rules_mention: Option<&'static str>,
    /// Only when the shipped configuration enables this option (`config:CONFIG_X`).
    pub when_config: Option<&'static str>,
    /// Only for kernels from this version on (`kernel>=4.3`): older kernels build
    /// no program that uses it.
    pub since_kernel: Option<(u32, u32)>,
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
                unless_rules_mention: when.strip_prefix("unless-rules:"),
                when_config: when.strip_prefix("config:"),
                since_kernel: when.strip_prefix("kernel>=").and_then(parse_kernel),
                host_too: host == "yes",
                consumer,
            }
        })
}

/// A kernel option that needs a build-dependency.
#[derive(Debug, Clone)]
pub struct ConfigDep {
    pub option: &'static str,
    /// The option needs the package only when one of the options this glob
    /// matches is enabled too (`CONFIG_GCC_PLUGINS&CONFIG_GCC_PLUGIN_*`: the menu
    /// defaults to y whenever the plugin headers were there, but plugins are
    /// only built for the `CONFIG_GCC_PLUGIN_*` options that are set).
    pub with: Option<&'static str>,
    pub packages: Vec<&'static str>,
    pub min_version: Option<&'static str>,
    /// Without the package the build stops (rather than building another
    /// configuration).
    pub build_fails: bool,
    /// The kernel versions the row is true for (`4.3-`, `4.6-5.14`): the
    /// consumer appeared, or its failure mode changed, with a kernel release.
    pub kernel_from: Option<(u32, u32)>,
    pub kernel_to: Option<(u32, u32)>,
    pub why: &'static str,
}

impl ConfigDep {
    /// Whether the row holds for a kernel of this version. A row with an upper
    /// bound says nothing about a tree whose version is unknown; one without
    /// holds for it (today's kernels).
    pub fn holds_for(&self, kernel: Option<(u32, u32)>) -> bool {
        match kernel {
            None => self.kernel_to.is_none(),
            Some(k) => {
                self.kernel_from.is_none_or(|f| k >= f) && self.kernel_to.is_none_or(|t| k <= t)
            }
        }
    }
}

/// `4.3` → (4, 3).
fn parse_kernel(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

pub fn config_deps() -> Vec<ConfigDep> {
    table("config-build-deps")
        .entries()
        .iter()
        .map(|(k, v)| {
            let v = v.trim();
            let (pkgs, rest) = v.split_once(char::is_whitespace).unwrap_or((v, ""));
            let rest = rest.trim();
            let (min, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let rest = rest.trim();
            let (without, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let rest = rest.trim();
            let (kernel, why) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let (kernel_from, kernel_to) = match kernel.split_once('-') {
                Some((f, t)) => (parse_kernel(f), parse_kernel(t)),
                None => (None, None),
            };
            let (option, with) = match k.split_once('&') {
                Some((o, w)) => (o, Some(w)),
                None => (*k, None),
            };
            ConfigDep {
                option,
                with,
                packages: pkgs.split('|').collect(),
                min_version: (min != "-").then_some(min),
                build_fails: without == "fails",
                kernel_from,
                kernel_to,
                why: why.trim(),
            }
        })
        .collect()
}

/// What an obsolete package is in a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObsoleteState {
    /// No package and no Provides: cannot be installed.
    Removed,
    /// Installable, but only pulls in the replacement.
    Transitional,
    /// No package of that name, but another package provides it.
    OldName,
}

impl ObsoleteState {
    pub fn parse(s: &str) -> Option<ObsoleteState> {
        Some(match s {
            "removed" => ObsoleteState::Removed,
            "transitional" => ObsoleteState::Transitional,
            "old-name" => ObsoleteState::OldName,
            _ => return None,
        })
    }
}

/// A build-dependency that is gone, transitional or an old name from some release on.
#[derive(Debug, Clone)]
pub struct Obsolete {
    pub package: String,
    /// `None` when the replacement is nothing.
    pub replacement: Option<String>,
    /// The replacement is a single relation that can replace the entry as is.
    pub one_to_one: bool,
    /// Per vendor (`debian`, `ubuntu`), the releases where the state changes,
    /// oldest first.
    pub states: Vec<(String, Vec<(ObsoleteState, String)>)>,
    /// For [`ObsoleteState::OldName`]: the package that provides the name.
    pub provided_by: Option<String>,
    /// That Provides carries a version, so versioned relations are satisfied too.
    pub versioned_provides: bool,
    pub why: String,
    pub source: String,
    /// Build-dependencies that already provide the replacement: with one of them
    /// present the obsolete entry is dropped, not replaced (`debhelper-compat`
    /// is debhelper).
    pub satisfied_by: Vec<String>,
    /// Programs of the old package (`python2.7`, `/usr/bin/python`): while the
    /// tree still runs one, the replacement does not do what the entry did.
    pub old_users: Vec<String>,
}

impl Obsolete {
    /// The state in `release` and the release it started in, if the table says
    /// anything for that release: the latest change of the release's own vendor at
    /// or before it.
    pub fn state_in(&self, release: &str) -> Option<(ObsoleteState, &str)> {
        let (vendor, rank) = vendor_rank(release)?;
        let (_, changes) = self.states.iter().find(|(v, _)| v == vendor)?;
        changes
            .iter()
            .rev()
            .find(|(_, since)| vendor_rank(since).is_some_and(|(_, r)| r <= rank))
            .map(|(state, since)| (*state, since.as_str()))
    }
}

/// `transitional stretch, removed bullseye` → the changes, or `None` when a part
/// is not `STATE RELEASE`.
fn parse_states(field: &str) -> Option<Vec<(ObsoleteState, String)>> {
    field
        .split(',')
        .map(|part| {
            let mut words = part.split_whitespace();
            let state = ObsoleteState::parse(words.next()?)?;
            let since = words.next()?;
            words.next().is_none().then(|| (state, since.to_string()))
        })
        .collect()
}

pub fn obsolete_packages() -> &'static [Obsolete] {
    static TABLE: OnceLock<Vec<Obsolete>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let text = TABLE_FILES
            .iter()
            .find(|(n, _)| *n == "obsolete-packages")
            .map(|(_, t)| *t)
            .unwrap_or("");
        table_stanzas(text)
            .iter()
            .filter_map(|p| {
                let get = |k: &str| {
                    p.iter()
                        .find(|(name, _)| name.eq_ignore_ascii_case(k))
                        .map(|(_, v)| v.trim().to_string())
                };
                let replacement = get("Replacement").filter(|r| r != "-");
                let one_to_one = replacement.as_deref().is_some_and(|r| {
                    let (groups, problems) = crate::model::relation::parse_relations(r, 0);
                    problems.is_empty()
                        && groups.len() == 1
                        && groups[0].alternatives.len() == 1
                        && !r.contains(" or ")
                        && !r.contains(" and")
                });
                let states = [("Debian", "debian"), ("Ubuntu", "ubuntu")]
                    .iter()
                    .filter_map(|(field, vendor)| {
                        Some((vendor.to_string(), parse_states(&get(field)?)?))
                    })
                    .collect();
                Some(Obsolete {
                    package: get("Package")?,
                    replacement,
                    one_to_one,
                    states,
                    provided_by: get("Provided-By"),
                    versioned_provides: get("Versioned-Provides").as_deref() == Some("yes"),
                    why: get("Why").unwrap_or_default(),
                    source: get("Source").unwrap_or_default(),
                    satisfied_by: get("Satisfied-By")
                        .unwrap_or_default()
                        .split([',', ' '])
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                    old_users: get("Old-Users")
                        .unwrap_or_default()
                        .split_whitespace()
                        .map(str::to_string)
                        .collect(),
                })
            })
            .collect()
    })
}

/// The stanzas of one of our own deb822 tables: `#` comment lines skipped,
/// fields as (name, value), continuation lines joined with a line feed as
/// deb822-lossless gives them (a test checks the two agree on the table). Every
/// run reads the obsolete-packages table, and the lossless parser was a quarter
/// of the work of a run over a small tree.
fn table_stanzas(text: &str) -> Vec<Vec<(&str, String)>> {
    let mut stanzas: Vec<Vec<(&str, String)>> = Vec::new();
    let mut current: Vec<(&str, String)> = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        if line.trim().is_empty() {
            if !current.is_empty() {
                stanzas.push(std::mem::take(&mut current));
            }
        } else if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = current.last_mut() {
                v.push('\n');
                v.push_str(line.trim_start());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            current.push((name.trim(), value.trim().to_string()));
        }
    }
    if !current.is_empty() {
        stanzas.push(current);
    }
    stanzas
}

#[cfg(test)]
mod tests;
