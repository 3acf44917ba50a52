//! apt `Packages` indices: loading (plain, .gz, .xz, .lz4, .zst), and the queries
//! rules ask of them.
//!
//! Indices are large (a Debian main `Packages` holds ~63,000 stanzas), so they are
//! read with a streaming scanner that keeps only the fields rules use, not with the
//! lossless deb822 parser.

pub mod cross;
pub(crate) mod reader;
pub mod resolve;

use crate::knowledge::MultiArch;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use reader::{parse_packages, Names};

/// Where an index came from.
#[derive(Debug, Clone)]
pub struct IndexInfo {
    pub path: PathBuf,
    pub suite: Option<String>,
    pub component: Option<String>,
    pub architecture: Option<String>,
    /// Every component the suite's `Release` file lists (`main contrib …`,
    /// `updates/main` as `main`), whether or not an index of it was given.
    pub suite_components: Vec<String>,
    /// The suite as the index names it (`bookworm-security`), where `suite` is
    /// the release it belongs to (`bookworm`).
    pub dist: Option<String>,
    /// apt's default pin for the suite: 500, or 100 for `NotAutomatic: yes` with
    /// `ButAutomaticUpgrades: yes` (backports), 1 for `NotAutomatic: yes` alone
    /// (experimental). A version of a lower pin is never the candidate while one
    /// of a higher pin exists.
    pub pin: u16,
}

impl Default for IndexInfo {
    fn default() -> IndexInfo {
        IndexInfo {
            path: PathBuf::new(),
            suite: None,
            component: None,
            architecture: None,
            suite_components: Vec::new(),
            dist: None,
            pin: 500,
        }
    }
}

impl IndexInfo {
    /// `bookworm-security/main amd64`: which index exactly, for resolution tables.
    pub fn full_label(&self) -> String {
        let mut s = match (self.dist.as_ref().or(self.suite.as_ref()), &self.component) {
            (Some(d), Some(c)) => format!("{d}/{c}"),
            (Some(d), None) => d.clone(),
            _ => self.path.display().to_string(),
        };
        if let Some(a) = &self.architecture {
            s.push(' ');
            s.push_str(a);
        }
        s
    }

    /// `bookworm/main`, or the file name when unknown.
    pub fn label(&self) -> String {
        match (&self.suite, &self.component) {
            (Some(s), Some(c)) => format!("{s}/{c}"),
            (Some(s), None) => s.clone(),
            _ => self.path.display().to_string(),
        }
    }
}

/// One binary package stanza, with the fields rules need.
#[derive(Debug, Clone)]
pub struct Record {
    pub name: String,
    pub version: String,
    /// `amd64`, `all` …: the names apt indices use are not allocated per record.
    pub architecture: std::borrow::Cow<'static, str>,
    pub multi_arch: MultiArch,
    /// `(name, version)` of each `Provides` entry.
    pub provides: Vec<(String, Option<String>)>,
    /// `Depends`, kept only for transitional packages (the only ones rules read it of).
    pub depends: String,
    /// First line of `Description`, kept only for transitional packages.
    pub synopsis: String,
    /// The synopsis calls it transitional or dummy.
    pub transitional: bool,
    /// Index into [`Archive::indices`].
    pub index: usize,
}

impl Record {
    /// The package a transitional package stands for: its synopsis calls it
    /// transitional (or dummy) and its one Depends, without alternatives, is the
    /// replacement. None for anything else.
    pub fn transitional_target(&self) -> Option<&str> {
        if !self.transitional || self.depends.contains([',', '|']) {
            return None;
        }
        let target = self.depends.split(['(', ':', ' ']).next()?.trim();
        (!target.is_empty() && target != self.name).then_some(target)
    }
}

/// FNV-1a: package names are short, and SipHash's DoS resistance buys nothing
/// for an index we read ourselves.
#[derive(Default, Clone, Copy)]
pub struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<V> = HashMap<String, V, std::hash::BuildHasherDefault<Fnv>>;

/// No entry in a chain.
const NONE: u32 = u32::MAX;

/// All stanzas of all indices. Lookups go through a head index per name and a
/// chain through the records, so loading allocates one key per distinct name.
#[derive(Default)]
pub struct Archive {
    pub indices: Vec<IndexInfo>,
    pub records: Vec<Record>,
    /// Name → first record; `next_same_name[i]` continues the chain.
    by_name: FnvMap<u32>,
    next_same_name: Vec<u32>,
    /// Provided name → first link; links are (record, next link).
    by_provides: FnvMap<u32>,
    provide_links: Vec<(u32, u32)>,
}

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive")
            .field("indices", &self.indices)
            .field("records", &self.records.len())
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct ArchiveError {
    pub path: String,
    pub message: String,
}

impl Archive {
    pub fn add(&mut self, info: IndexInfo, records: Vec<Record>) {
        let index = self.indices.len();
        self.indices.push(info);
        self.records.reserve(records.len());
        self.next_same_name.reserve(records.len());
        self.by_name.reserve(records.len());
        for mut r in records {
            r.index = index;
            let id = self.records.len() as u32;
            let prev = match self.by_name.get_mut(r.name.as_str()) {
                Some(head) => std::mem::replace(head, id),
                None => {
                    self.by_name.insert(r.name.clone(), id);
                    NONE
                }
            };
            self.next_same_name.push(prev);
            for (p, _) in &r.provides {
                let link = self.provide_links.len() as u32;
                let prev = match self.by_provides.get_mut(p.as_str()) {
                    Some(head) => std::mem::replace(head, link),
                    None => {
                        self.by_provides.insert(p.clone(), link);
                        NONE
                    }
                };
                self.provide_links.push((id, prev));
            }
            self.records.push(r);
        }
    }

    /// Every stanza of a package name, across indices.
    pub fn package(&self, name: &str) -> impl Iterator<Item = &Record> {
        let mut next = self.by_name.get(name).copied().unwrap_or(NONE);
        std::iter::from_fn(move || {
            if next == NONE {
                return None;
            }
            let r = &self.records[next as usize];
            next = self.next_same_name[next as usize];
            Some(r)
        })
    }

    /// Stanzas that `Provides` the name.
    pub fn providers(&self, name: &str) -> impl Iterator<Item = &Record> {
        let mut next = self.by_provides.get(name).copied().unwrap_or(NONE);
        std::iter::from_fn(move || {
            if next == NONE {
                return None;
            }
            let (rec, after) = self.provide_links[next as usize];
            next = after;
            Some(&self.records[rec as usize])
        })
    }

    /// The highest version of a package, by Debian version order.
    pub fn newest(&self, name: &str) -> Option<&Record> {
        self.package(name)
            .max_by(|a, b| compare_versions(&a.version, &b.version))
    }

    /// The Multi-Arch value of the newest version of a package, preferring the
    /// indices of `release` when there are any.
    pub fn multi_arch(&self, name: &str, release: &str) -> Option<MultiArch> {
        let in_release = self
            .package(name)
            .filter(|r| self.indices[r.index].suite.as_deref() == Some(release))
            .max_by(|a, b| compare_versions(&a.version, &b.version));
        in_release
            .or_else(|| self.newest(name))
            .map(|r| r.multi_arch)
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// Debian version order; unparsable versions sort first.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    use std::str::FromStr;
    match (
        debversion::Version::from_str(a),
        debversion::Version::from_str(b),
    ) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Greater,
        (Err(_), Ok(_)) => std::cmp::Ordering::Less,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// The machine's apt lists.
pub const APT_LISTS: &str = "/var/lib/apt/lists";

/// Load every index an `--archive` argument names: a file, a directory of
/// indices (searched recursively), or `auto` for the machine's apt lists.
///
/// The files are decompressed and scanned on every core (a cross build reads an
/// index per architecture: bookworm's amd64 and arm64 main are 44 MB each), then
/// added in the order they were named, so the result does not depend on timing.
pub fn load(specs: &[String]) -> Result<Archive, ArchiveError> {
    load_with(specs, None)
}

/// [`load`], keeping only the stanzas of `names` and of the packages providing
/// them: what resolving a few relations needs (`kpkg-lint resolve`). Most of a
/// load's time goes to keeping 63,000 records per index, not to reading them.
pub fn load_only(specs: &[String], names: &reader::Names) -> Result<Archive, ArchiveError> {
    load_with(specs, Some(names))
}

fn load_with(specs: &[String], only: Option<&reader::Names>) -> Result<Archive, ArchiveError> {
    let mut files = Vec::new();
    for spec in specs {
        let root = if spec == "auto" {
            PathBuf::from(APT_LISTS)
        } else {
            PathBuf::from(spec)
        };
        let found = index_files(&root).map_err(|e| ArchiveError {
            path: root.display().to_string(),
            message: e,
        })?;
        if found.is_empty() {
            return Err(ArchiveError {
                path: root.display().to_string(),
                message: "no apt Packages index found here".into(),
            });
        }
        files.extend(found);
    }
    let read = crate::par::map(&files, |f| {
        reader::read_index(f, only).map(|records| (describe(f), records))
    });
    let mut archive = Archive::default();
    for r in read {
        let (info, records) = r?;
        archive.add(info, records);
    }
    Ok(archive)
}

fn is_index_name(name: &str) -> bool {
    let base = [".gz", ".xz", ".lz4", ".zst"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .unwrap_or(name);
    base == "Packages" || base.ends_with("_Packages")
}

fn index_files(root: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(root).map_err(|e| crate::source::io_message(&e))?;
    if meta.is_file() {
        return Ok(vec![root.to_path_buf()]);
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(root)
        .follow_links(false)
        .max_depth(8)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_type().is_file() && is_index_name(&entry.file_name().to_string_lossy()) {
            out.push(entry.into_path());
        }
    }
    Ok(out)
}

/// Suite, component and architecture from an apt list name
/// (`deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4`) or a
/// mirror path (`dists/bookworm/main/binary-amd64/Packages.xz`); the suite's
/// codename from the matching `Release`/`InRelease` when present.
pub fn describe(path: &Path) -> IndexInfo {
    let s = path.to_string_lossy().replace('\\', "/");
    let parts: Vec<&str> = s.split(['/', '_']).collect();
    let mut info = IndexInfo {
        path: path.to_path_buf(),
        ..Default::default()
    };
    if let Some(i) = parts.iter().rposition(|p| *p == "dists") {
        info.suite = parts.get(i + 1).map(|x| x.to_string());
        let rest = &parts[i + 2..];
        if let Some(b) = rest.iter().position(|p| p.starts_with("binary-")) {
            info.architecture = Some(rest[b]["binary-".len()..].to_string());
            if b > 0 {
                info.component = Some(rest[..b].join("/"));
            }
        }
    }
    if let Some(release) = release_facts(path) {
        if let Some(codename) = release.codename {
            info.suite = Some(codename);
        }
        info.suite_components = release.components;
        info.pin = release.pin;
    }
    info.dist = info.suite.clone();
    if let Some(suite) = &info.suite {
        // bookworm-security, bookworm-updates → the release they belong to.
        let base = suite.split('-').next().unwrap_or(suite).to_string();
        info.suite = Some(base);
    }
    info
}

/// What a suite's `Release`/`InRelease` says about all of its indices.
struct ReleaseFacts {
    codename: Option<String>,
    components: Vec<String>,
    pin: u16,
}

/// Read the `Release` or `InRelease` file beside an index (apt lists) or at the
/// top of its suite (a mirror's `dists/<suite>/`).
fn release_facts(path: &Path) -> Option<ReleaseFacts> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let dir = path.parent()?;
    let candidates: Vec<PathBuf> = if let Some(i) = name.find("_dists_") {
        // apt lists: <prefix>_dists_<suite>_InRelease
        let after = &name[i + "_dists_".len()..];
        let suite = after.split('_').next()?;
        let prefix = &name[..i + "_dists_".len()];
        vec![
            dir.join(format!("{prefix}{suite}_InRelease")),
            dir.join(format!("{prefix}{suite}_Release")),
        ]
    } else {
        // mirror layout: dists/<suite>/<component>/binary-<arch>/Packages
        let suite_dir = path.ancestors().find(|a| {
            a.parent()
                .and_then(|p| p.file_name())
                .is_some_and(|n| n == "dists")
        })?;
        vec![suite_dir.join("InRelease"), suite_dir.join("Release")]
    };
    for c in candidates {
        // Beside an index: never a FIFO or device opened, never read without end.
        if let Ok(crate::source::ReadOutcome::File(bytes, _)) =
            crate::source::read_regular(&c, 64 * 1024 * 1024)
        {
            return Some(parse_release(&String::from_utf8_lossy(&bytes)));
        }
    }
    None
}

/// The fields of a `Release` file that say what its indices are. Checksum lists
/// are continuation lines (they start with a space), and the lines of an
/// `InRelease` signature name none of these fields.
fn parse_release(text: &str) -> ReleaseFacts {
    let mut facts = ReleaseFacts {
        codename: None,
        components: Vec::new(),
        pin: 500,
    };
    let (mut not_automatic, mut but_upgrades) = (false, false);
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key {
            "Codename" => facts.codename = Some(value.to_string()),
            // `updates/main` in a security suite: its indices are named `main`.
            "Components" => {
                facts.components = value
                    .split_whitespace()
                    .map(|c| c.rsplit('/').next().unwrap_or(c).to_string())
                    .collect()
            }
            "NotAutomatic" => not_automatic = value.eq_ignore_ascii_case("yes"),
            "ButAutomaticUpgrades" => but_upgrades = value.eq_ignore_ascii_case("yes"),
            _ => {}
        }
    }
    facts.pin = match (not_automatic, but_upgrades) {
        (false, _) => 500,
        (true, true) => 100,
        (true, false) => 1,
    };
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_apt_lists_and_mirrors() {
        let i = describe(Path::new("/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm-updates_main_binary-amd64_Packages.lz4"));
        assert_eq!(
            (
                i.suite.as_deref(),
                i.component.as_deref(),
                i.architecture.as_deref()
            ),
            (Some("bookworm"), Some("main"), Some("amd64"))
        );
        let i = describe(Path::new(
            "mirror/dists/noble/universe/binary-arm64/Packages.xz",
        ));
        assert_eq!(i.label(), "noble/universe");
        assert!(
            is_index_name("Packages.zst")
                && is_index_name("x_Packages")
                && !is_index_name("Sources.gz")
                && !is_index_name("Packages.diff")
        );
    }

    /// Components (a security suite's `updates/main` is `main`), codename and
    /// apt's default pin from a Release file; the checksum list and the
    /// signature around an InRelease say nothing.
    #[test]
    fn release_files() {
        let text = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nSuite: oldstable-security\nCodename: bookworm-security\nComponents: updates/main updates/contrib\nSHA256:\n 0123 512 updates/main/binary-amd64/Packages\n-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCgAdFiEE\n";
        let r = parse_release(text);
        assert_eq!(r.codename.as_deref(), Some("bookworm-security"));
        assert_eq!(r.components, ["main", "contrib"]);
        assert_eq!(r.pin, 500);
        let backports = parse_release(
            "Codename: bookworm-backports\nNotAutomatic: yes\nButAutomaticUpgrades: yes\n",
        );
        assert_eq!(backports.pin, 100);
        assert_eq!(parse_release("NotAutomatic: yes\n").pin, 1);
    }

    #[test]
    fn transitional_targets() {
        let r = |depends: &str, transitional| Record {
            name: "dwarves".into(),
            version: "1.24".into(),
            architecture: "all".into(),
            multi_arch: MultiArch::Foreign,
            provides: vec![],
            depends: depends.into(),
            synopsis: String::new(),
            transitional,
            index: 0,
        };
        assert_eq!(
            r("pahole (>= 1.22)", true).transitional_target(),
            Some("pahole")
        );
        assert_eq!(r("pahole:any", true).transitional_target(), Some("pahole"));
        assert_eq!(r("pahole, libdw1", true).transitional_target(), None);
        assert_eq!(r("pahole | dwarves-ng", true).transitional_target(), None);
        assert_eq!(r("pahole", false).transitional_target(), None);
        assert_eq!(r("dwarves", true).transitional_target(), None);
    }

    #[test]
    fn newest_version_wins() {
        let mut a = Archive::default();
        let rec = |v: &str, ma| Record {
            name: "pahole".into(),
            version: v.into(),
            architecture: "amd64".into(),
            multi_arch: ma,
            provides: vec![],
            depends: String::new(),
            synopsis: String::new(),
            transitional: false,
            index: 0,
        };
        a.add(
            IndexInfo::default(),
            vec![
                rec("1.24-4.1", MultiArch::Foreign),
                rec("1.9-1", MultiArch::No),
                rec("1.24-4", MultiArch::No),
            ],
        );
        assert_eq!(a.newest("pahole").unwrap().version, "1.24-4.1");
        assert_eq!(a.multi_arch("pahole", "bookworm"), Some(MultiArch::Foreign));
        assert!(a.multi_arch("nope", "bookworm").is_none());
    }
}
