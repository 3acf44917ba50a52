//! The INI era: `ConfigCoreHierarchy.Reader` and `ConfigCore.merge` of
//! `debian_linux/config.py`, and what `bin/gencontrol.py` then asks of each flavour
//! (`do_flavour_setup`, `do_flavour_packages`).
//!
//! Section names split at `_` when the last part is a schema section (`base`,
//! `description`, `image` …): `[amd64_description]` is `(description, amd64)`. The
//! Reader files each section under a key `(section, arch, featureset, flavour…)`:
//! - root `defines`: `[description]` → `(description)`, `[featureset-rt_base]` →
//!   `(base, -, rt)`;
//! - `<arch>/defines`: `[description]` → `(description, arch)`, `[<fs>_x]` for a
//!   featureset the file lists → `(x, arch, fs)`, any other `[<flavour>_x]` →
//!   `(x, arch, -, flavour)`: valid for that flavour in every featureset;
//! - `<arch>/<fs>/defines`: `[x]` → `(x, arch, fs)`, `[<flavour>_x]` →
//!   `(x, arch, fs, flavour)`;
//! - `featureset-<fs>/defines`: every section → `(x, -, fs)`.
//!
//! An arch-level `[base] flavours:` becomes the implicit featureset `none`.

use super::ini::{self, IniOption};
use super::{At, Broken, DebianConfig, DebianFlavour, DescriptionPart, Era, Fragment};
use crate::model::FileProblem;
use crate::source::FileId;
use crate::tree::Tree;
use std::collections::{HashMap, HashSet};

/// The section types of gencontrol's schema (`config_schema` plus `base`).
const SCHEMA: &[&str] = &[
    "abi",
    "base",
    "build",
    "description",
    "image",
    "packages",
    "relations",
];

/// An option and the file it was read from.
#[derive(Debug, Clone)]
struct Opt {
    file: FileId,
    option: IniOption,
}

impl Opt {
    fn words(&self) -> impl Iterator<Item = (&str, At)> {
        self.option.words.iter().map(|(w, span)| {
            (
                w.as_str(),
                At {
                    file: self.file,
                    span: span.clone(),
                },
            )
        })
    }

    fn key_at(&self) -> At {
        At {
            file: self.file,
            span: self.option.key_span.clone(),
        }
    }
}

type Section = Vec<(String, Opt)>;

fn get<'s>(section: &'s Section, key: &str) -> Option<&'s Opt> {
    section.iter().find(|(k, _)| k == key).map(|(_, o)| o)
}

/// `dict.update`: later options replace earlier ones of the same key.
fn update(into: &mut Section, from: &Section) {
    for (k, o) in from {
        match into.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = o.clone(),
            None => into.push((k.clone(), o.clone())),
        }
    }
}

/// A Reader key: `(section, arch, featureset, flavour…)`, `None` for Python's `None`.
type Key = Vec<Option<String>>;

fn key(parts: &[Option<&str>]) -> Key {
    parts.iter().map(|p| p.map(str::to_string)).collect()
}

/// The section name as `ConfigParser._convert` splits it.
fn split_section(name: &str) -> Vec<String> {
    let parts: Vec<String> = name.split('_').map(str::to_string).collect();
    match parts.last() {
        Some(last) if SCHEMA.contains(&last.as_str()) => parts,
        _ => vec![name.to_string()],
    }
}

/// One level's `defines`, read from every config directory into one parser.
fn read_level(
    tree: &Tree,
    dirs: &[String],
    sub: &str,
    problems: &mut Vec<FileProblem>,
    seen: &mut HashSet<FileId>,
) -> Vec<(Vec<String>, Section)> {
    let mut sections: Vec<(String, Section)> = Vec::new();
    for d in dirs {
        let Some(file) = super::readable(tree, &format!("{d}/{sub}defines")) else {
            continue;
        };
        let parsed = ini::parse(&tree.files[file].text);
        if seen.insert(file) {
            problems.extend(parsed.errors.iter().map(|(span, message)| FileProblem {
                file,
                span: span.clone(),
                message: message.clone(),
            }));
        }
        for s in parsed.sections {
            let options: Section = s
                .options
                .into_iter()
                .map(|(k, option)| (k, Opt { file, option }))
                .collect();
            match sections.iter_mut().find(|(n, _)| *n == s.name) {
                Some((_, into)) => update(into, &options),
                None => sections.push((s.name, options)),
            }
        }
    }
    sections
        .into_iter()
        .map(|(name, s)| (split_section(&name), s))
        .collect()
}

/// `ConfigCore`: sections by Reader key.
#[derive(Default)]
struct Core {
    sections: HashMap<Key, Section>,
}

impl Core {
    fn get(&self, k: &[Option<&str>]) -> Option<&Section> {
        self.sections.get(&key(k))
    }

    fn update(&mut self, k: Key, s: &Section) {
        update(self.sections.entry(k).or_default(), s);
    }

    /// `ConfigCore.merge(section, arch, featureset, flavour)`.
    fn merge(&self, s: &str, arch: &str, fs: &str, flavour: Option<&str>) -> Section {
        let (s, a, f) = (Some(s), Some(arch), Some(fs));
        let mut keys = vec![vec![s], vec![s, None, f], vec![s, a], vec![s, a, f]];
        if flavour.is_some() {
            keys.extend([vec![s, a, None, flavour], vec![s, a, f, flavour]]);
        }
        let mut ret = Section::new();
        for k in keys {
            if let Some(sec) = self.get(&k) {
                update(&mut ret, sec);
            }
        }
        ret
    }

    /// `ConfigCore.get_merge(section, arch, featureset, flavour, key)` for a list
    /// key: every level's words, most specific first.
    fn get_merge<'c>(
        &'c self,
        s: &str,
        arch: &str,
        fs: &str,
        flavour: &str,
        k: &str,
    ) -> Vec<(&'c str, At)> {
        let (s, a, f, fl) = (Some(s), Some(arch), Some(fs), Some(flavour));
        [
            vec![s, a, f, fl],
            vec![s, a, None, fl],
            vec![s, a, f],
            vec![s, a],
            vec![s, None, f],
            vec![s],
        ]
        .iter()
        .filter_map(|key| self.get(key).and_then(|sec| get(sec, k)))
        .flat_map(Opt::words)
        .collect()
    }
}

/// What the Reader leaves for gencontrol to walk.
struct Hierarchy {
    core: Core,
    /// Root `[base] arches:`, once each.
    arches: Vec<(String, At)>,
    /// Root `arches` key.
    arches_key: At,
    /// Each arch's featuresets in gencontrol's order (`none` first when the arch
    /// file lists flavours itself); `None` for the implicit `none`.
    featuresets: HashMap<String, Vec<(String, Option<At>)>>,
}

fn read_hierarchy(
    tree: &Tree,
    dirs: &[String],
    problems: &mut Vec<FileProblem>,
) -> Option<Hierarchy> {
    let mut seen = HashSet::new();
    let mut core = Core::default();
    let root = read_level(tree, dirs, "", problems, &mut seen);
    let root_base = root.iter().find(|(t, _)| t == &["base"]).map(|(_, s)| s)?;
    let arches_opt = get(root_base, "arches")?.clone();
    let root_featuresets: Vec<String> = get(root_base, "featuresets")
        .map(|o| o.words().map(|(w, _)| w.to_string()).collect())
        .unwrap_or_default();
    for (t, s) in &root {
        let real: Key = match t[0].strip_prefix("featureset-") {
            Some(fs) => key(&[t.last().map(String::as_str), None, Some(fs)]),
            None => std::iter::once(t.last().cloned())
                .chain(t[1..].iter().cloned().map(Some))
                .collect(),
        };
        core.sections.insert(real, s.clone());
    }
    let mut arches: Vec<(String, At)> = Vec::new();
    for (a, at) in arches_opt.words() {
        if !arches.iter().any(|(n, _)| n == a) {
            arches.push((a.to_string(), at));
        }
    }
    let mut featuresets = HashMap::new();
    for (arch, _) in &arches {
        let level = read_level(tree, dirs, &format!("{arch}/"), problems, &mut seen);
        let base = level.iter().find(|(t, _)| t == &["base"]).map(|(_, s)| s);
        let mut fs: Vec<(String, Option<At>)> = base
            .and_then(|b| get(b, "featuresets"))
            .map(|o| o.words().map(|(w, at)| (w.to_string(), Some(at))).collect())
            .unwrap_or_default();
        let flavours = base.and_then(|b| get(b, "flavours")).cloned();
        for (t, s) in &level {
            let last = t.last().map(String::as_str);
            let real = if fs.iter().any(|(f, _)| *f == t[0]) {
                key(&[last, Some(arch), Some(&t[0])])
            } else if t.len() > 1 {
                let mut k = key(&[last, Some(arch), None]);
                k.extend(t[..t.len() - 1].iter().cloned().map(Some));
                k
            } else {
                key(&[last, Some(arch)])
            };
            core.update(real, s);
        }
        for (f, _) in &fs {
            let level = read_level(tree, dirs, &format!("{arch}/{f}/"), problems, &mut seen);
            for (t, s) in &level {
                let mut k = key(&[t.last().map(String::as_str), Some(arch), Some(f)]);
                k.extend(t[..t.len() - 1].iter().cloned().map(Some));
                core.update(k, s);
            }
        }
        if let Some(flavours) = flavours.filter(|o| !o.option.words.is_empty()) {
            fs.insert(0, ("none".to_string(), None));
            core.sections.insert(
                key(&[Some("base"), Some(arch), Some("none")]),
                vec![("flavours".to_string(), flavours)],
            );
        }
        featuresets.insert(arch.clone(), fs);
    }
    for f in &root_featuresets {
        let level = read_level(tree, dirs, &format!("featureset-{f}/"), problems, &mut seen);
        for (t, s) in &level {
            core.update(key(&[t.last().map(String::as_str), None, Some(f)]), s);
        }
    }
    Some(Hierarchy {
        core,
        arches,
        arches_key: arches_opt.key_at(),
        featuresets,
    })
}

pub(super) fn read(
    tree: &Tree,
    dirs: &[String],
    problems: &mut Vec<FileProblem>,
    out: &mut DebianConfig,
) {
    let Some(h) = read_hierarchy(tree, dirs, problems) else {
        return;
    };
    let core = &h.core;
    let mut done = HashSet::new();
    for (arch, arch_at) in &h.arches {
        for (fs, fs_at) in h.featuresets.get(arch).into_iter().flatten() {
            // `do_featureset`: a featureset whose merged `[base] enabled:` is false is skipped.
            let base = core.merge("base", arch, fs, None);
            if get(&base, "enabled").and_then(|o| o.option.boolean()) == Some(false) {
                continue;
            }
            let Some(list) = core
                .get(&[Some("base"), Some(arch), Some(fs)])
                .and_then(|s| get(s, "flavours"))
            else {
                if let Some(at) = fs_at {
                    out.broken.push((
                        Broken::FeaturesetWithoutFlavours {
                            arch: arch.clone(),
                            featureset: fs.clone(),
                        },
                        at.clone(),
                    ));
                }
                continue;
            };
            for (name, decl) in list.words() {
                if !done.insert((arch.as_str(), fs.as_str(), name)) {
                    continue;
                }
                out.flavours
                    .push(flavour(tree, dirs, &h, arch, arch_at, fs, name, decl));
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn flavour(
    tree: &Tree,
    dirs: &[String],
    h: &Hierarchy,
    arch: &str,
    arch_at: &At,
    fs: &str,
    name: &str,
    decl: At,
) -> DebianFlavour {
    let core = &h.core;
    let desc = core.merge("description", arch, fs, Some(name));
    let mut parts: Vec<DescriptionPart> = Vec::new();
    for (p, at) in core.get_merge("description", arch, fs, name, "parts") {
        if !parts.iter().any(|q| q.name == p) {
            parts.push(DescriptionPart {
                name: p.to_string(),
                at,
                has_long: get(&desc, &format!("part-long-{p}")).is_some(),
                has_short: true,
            });
        }
    }
    // `check_config`: each level's own `[image] configs:` (not merged) names its
    // fragments; without it gencontrol looks for the default name, and requires
    // `config` and `<arch>/config`.
    let (a, f, fl) = (Some(arch), Some(fs), Some(name));
    let img = Some("image");
    let checks: [(String, bool, Vec<Option<&str>>); 6] = [
        ("config".to_string(), true, vec![img]),
        (format!("{arch}/config"), true, vec![img, a]),
        (
            format!("{arch}/config.{name}"),
            false,
            vec![img, a, None, fl],
        ),
        (format!("featureset-{fs}/config"), false, vec![img, None, f]),
        (format!("{arch}/{fs}/config"), false, vec![img, a, f]),
        (
            format!("{arch}/{fs}/config.{name}"),
            false,
            vec![img, a, f, fl],
        ),
    ];
    let mut fragments = Vec::new();
    for (default, required, k) in checks {
        match core.get(&k).and_then(|s| get(s, "configs")) {
            Some(listed) => fragments.extend(listed.words().map(|(p, at)| Fragment {
                path: p.to_string(),
                at,
                listed: true,
                exists: super::fragment_exists(tree, dirs, p),
            })),
            None if required => fragments.push(Fragment {
                exists: super::fragment_exists(tree, dirs, &default),
                path: default,
                at: if k.len() == 1 {
                    h.arches_key.clone()
                } else {
                    arch_at.clone()
                },
                listed: false,
            }),
            None => {}
        }
    }
    DebianFlavour {
        era: Era::Ini,
        arch: arch.to_string(),
        featureset: fs.to_string(),
        name: name.to_string(),
        decl,
        test_only: false,
        class_empty: get(&desc, "hardware").is_none_or(|o| o.option.words.is_empty()),
        hardware: get(&desc, "hardware").map(Opt::key_at),
        parts,
        fragments,
    }
}
