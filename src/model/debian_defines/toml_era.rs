//! The `defines.toml` era: `Config.read_orig` and the `ConfigMerged*` classes of
//! `debian_linux/config_v2.py`, and what `bin/gencontrol.py` then asks of each
//! flavour.
//!
//! - The root `defines.toml` of every config directory is read and merged
//!   (`dataclasses_extra.merge`: optional values, last set wins; lists
//!   concatenate; dicts unite; `[[kernelarch]]`, `[[debianarch]]`, `[[featureset]]`
//!   and debianarch `[[flavour]]` lists merge by `name`).
//! - Then each root featureset, kernelarch and debianarch reads
//!   `featureset-<fs>/defines.toml`, `kernelarch-<ka>/defines.toml` and
//!   `<debianarch>/defines.toml` as its own table (`read_replace`: the file's
//!   top-level keys replace the entry's, and the result merges into it).
//! - A debianarch featureset without flavours gets stubs (`name` only) of the
//!   debianarch's flavours, before and again after those files are read.
//! - A featureset flavour is merged with the debianarch flavour of its name
//!   (`debianarch_flavour[flavour.name]`: a KeyError when there is none), and with
//!   the root featureset of the featureset's name (also a KeyError).

use super::{At, Broken, DebianConfig, DebianFlavour, DescriptionPart, Era, Fragment};
use crate::model::FileProblem;
use crate::source::{FileId, Span};
use crate::tree::Tree;
use std::collections::HashSet;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Root,
    Kernelarch,
    Debianarch,
    Featureset,
    Flavour,
}

#[derive(Debug, Clone, Default)]
struct Description {
    /// Where `hardware` is set, and whether it is the empty string.
    hardware: Option<(At, bool)>,
    parts: Vec<(String, At)>,
    long: Vec<String>,
    short: Vec<String>,
}

/// A `ConfigBase` of one level: the fields the checks need.
#[derive(Debug, Clone)]
struct Entry {
    kind: Kind,
    name: Option<(String, At)>,
    /// `None`: not set (true).
    enable: Option<bool>,
    description: Description,
    /// `build.config`.
    config: Vec<(String, At)>,
    /// A flavour's `defs.is_test`: its packages are built only in a
    /// `pkg.linux.quick` build.
    is_test: bool,
    featureset: Vec<Entry>,
    flavour: Vec<Entry>,
    kernelarch: Vec<Entry>,
    debianarch: Vec<Entry>,
}

impl Entry {
    fn new(kind: Kind) -> Entry {
        Entry {
            kind,
            name: None,
            enable: None,
            description: Description::default(),
            config: vec![],
            is_test: false,
            featureset: vec![],
            flavour: vec![],
            kernelarch: vec![],
            debianarch: vec![],
        }
    }

    fn name(&self) -> &str {
        self.name.as_ref().map(|(n, _)| n.as_str()).unwrap_or("")
    }

    fn enabled(&self) -> bool {
        self.enable != Some(false)
    }
}

/// The span of a string value without its quotes.
fn inner(file: FileId, v: &Spanned<DeValue>, text: &str) -> At {
    let span = v.span();
    let quoted = text
        .get(span.clone())
        .is_some_and(|s| s.len() >= 2 && (s.starts_with('\'') || s.starts_with('"')));
    let span: Span = if quoted {
        span.start + 1..span.end - 1
    } else {
        span
    };
    At { file, span }
}

fn strings(file: FileId, v: &Spanned<DeValue>, text: &str) -> Vec<(String, At)> {
    match v.get_ref() {
        DeValue::Array(items) => items
            .iter()
            .filter_map(|i| Some((i.get_ref().as_str()?.to_string(), inner(file, i, text))))
            .collect(),
        _ => vec![],
    }
}

fn tables<'a, 'i>(v: &'a Spanned<DeValue<'i>>) -> impl Iterator<Item = &'a DeTable<'i>> {
    v.get_ref()
        .as_array()
        .into_iter()
        .flat_map(|a| a.iter())
        .filter_map(|i| i.get_ref().as_table())
}

/// One level's table, and the top-level keys it sets.
fn entry(file: FileId, kind: Kind, t: &DeTable, text: &str) -> (Entry, HashSet<String>) {
    let mut e = Entry::new(kind);
    let mut keys = HashSet::new();
    for (k, v) in t.iter() {
        let k: &str = k.get_ref();
        keys.insert(k.to_string());
        let children = |child: Kind| -> Vec<Entry> {
            tables(v).map(|t| entry(file, child, t, text).0).collect()
        };
        match (k, kind) {
            ("name", _) => {
                if let Some(s) = v.get_ref().as_str() {
                    e.name = Some((s.to_string(), inner(file, v, text)));
                }
            }
            ("enable", _) => e.enable = v.get_ref().as_bool(),
            ("description", _) => {
                let Some(d) = v.get_ref().as_table() else {
                    continue;
                };
                if let Some(h) = d.get("hardware") {
                    if let Some(s) = h.get_ref().as_str() {
                        e.description.hardware = Some((inner(file, h, text), s.is_empty()));
                    }
                }
                if let Some(p) = d.get("parts") {
                    e.description.parts = strings(file, p, text);
                }
                let names = |key: &str| -> Vec<String> {
                    d.get(key)
                        .and_then(|l| l.get_ref().as_table())
                        .map(|l| l.iter().map(|(k, _)| k.get_ref().to_string()).collect())
                        .unwrap_or_default()
                };
                e.description.long = names("long");
                e.description.short = names("short");
            }
            ("build", _) => {
                if let Some(c) = v.get_ref().as_table().and_then(|b| b.get("config")) {
                    e.config = strings(file, c, text);
                }
            }
            ("defs", Kind::Flavour) => {
                e.is_test = v
                    .get_ref()
                    .as_table()
                    .and_then(|d| d.get("is_test"))
                    .and_then(|t| t.get_ref().as_bool())
                    .unwrap_or(false)
            }
            ("kernelarch", Kind::Root) => e.kernelarch = children(Kind::Kernelarch),
            ("debianarch", Kind::Kernelarch) => e.debianarch = children(Kind::Debianarch),
            ("featureset", Kind::Root | Kind::Debianarch) => {
                e.featureset = children(Kind::Featureset)
            }
            ("flavour", Kind::Debianarch | Kind::Featureset) => e.flavour = children(Kind::Flavour),
            _ => {}
        }
    }
    (e, keys)
}

/// `_merge_assoclist`: items merge by name, new names are appended.
fn merge_assoc(a: &[Entry], b: &[Entry]) -> Vec<Entry> {
    if a.is_empty() {
        return b.to_vec();
    }
    if b.is_empty() {
        return a.to_vec();
    }
    // `{i.name: i for i in other_list}`: the last of a name wins, in first place.
    let mut other: Vec<Option<&Entry>> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for i in b {
        match names.iter().position(|n| *n == i.name()) {
            Some(p) => other[p] = Some(i),
            None => {
                names.push(i.name());
                other.push(Some(i));
            }
        }
    }
    let mut ret = Vec::new();
    for i in a {
        match names.iter().position(|n| *n == i.name()) {
            Some(p) if other[p].is_some() => ret.push(merge(i, other[p].take().unwrap())),
            _ => ret.push(i.clone()),
        }
    }
    ret.extend(other.into_iter().flatten().cloned());
    ret
}

/// `dataclasses_extra.merge(a, b)`.
fn merge(a: &Entry, b: &Entry) -> Entry {
    let unite = |x: &[String], y: &[String]| {
        let mut r = x.to_vec();
        r.extend(y.iter().filter(|k| !x.contains(k)).cloned());
        r
    };
    Entry {
        kind: a.kind,
        name: a.name.clone(),
        enable: b.enable,
        description: Description {
            hardware: b
                .description
                .hardware
                .clone()
                .or(a.description.hardware.clone()),
            parts: [a.description.parts.clone(), b.description.parts.clone()].concat(),
            long: unite(&a.description.long, &b.description.long),
            short: unite(&a.description.short, &b.description.short),
        },
        config: [a.config.clone(), b.config.clone()].concat(),
        // `defs` is a dataclass: its bools are the other's.
        is_test: b.is_test,
        featureset: merge_assoc(&a.featureset, &b.featureset),
        // A featureset's flavours are a plain list; a debianarch's merge by name.
        flavour: if a.kind == Kind::Featureset {
            [a.flavour.clone(), b.flavour.clone()].concat()
        } else {
            merge_assoc(&a.flavour, &b.flavour)
        },
        kernelarch: merge_assoc(&a.kernelarch, &b.kernelarch),
        debianarch: merge_assoc(&a.debianarch, &b.debianarch),
    }
}

/// A defines.toml of the tree, parsed; `None` (and a problem) when it is not TOML.
fn parse(
    tree: &Tree,
    rel: &str,
    kind: Kind,
    problems: &mut Vec<FileProblem>,
) -> Option<Option<(Entry, HashSet<String>)>> {
    let file = super::readable(tree, rel)?;
    let text = &tree.files[file].text;
    match DeTable::parse(text) {
        Ok(t) => Some(Some(entry(file, kind, t.get_ref(), text))),
        Err(e) => {
            problems.push(FileProblem {
                file,
                span: e.span().unwrap_or(0..0),
                message: format!(
                    "malformed defines.toml: {}; gencontrol stops",
                    e.message().trim_end()
                ),
            });
            Some(None)
        }
    }
}

/// `ConfigBase.read_replace`: `<dir>/<path>/defines.toml` of every config directory
/// as this entry's own table.
fn read_replace(
    tree: &Tree,
    dirs: &[String],
    e: &Entry,
    path: &str,
    problems: &mut Vec<FileProblem>,
) -> Entry {
    let mut config = e.clone();
    for d in dirs {
        let Some(Some((f, keys))) =
            parse(tree, &format!("{d}/{path}/defines.toml"), e.kind, problems)
        else {
            continue;
        };
        // `dataclasses.asdict(self) | tomllib.load(f)`
        let has = |k: &str| keys.contains(k);
        let other = Entry {
            kind: e.kind,
            name: e.name.clone(),
            enable: if has("enable") { f.enable } else { e.enable },
            description: if has("description") {
                f.description
            } else {
                e.description.clone()
            },
            config: if has("build") {
                f.config
            } else {
                e.config.clone()
            },
            is_test: if has("defs") { f.is_test } else { e.is_test },
            featureset: if has("featureset") {
                f.featureset
            } else {
                e.featureset.clone()
            },
            flavour: if has("flavour") {
                f.flavour
            } else {
                e.flavour.clone()
            },
            kernelarch: e.kernelarch.clone(),
            debianarch: if has("debianarch") {
                f.debianarch
            } else {
                e.debianarch.clone()
            },
        };
        config = merge(&config, &other);
    }
    config
}

/// `__post_init_hierarchy_featureset__`: a debianarch featureset without flavours
/// gets the debianarch's, by name.
fn stub_flavours(root: &mut Entry) {
    for ka in &mut root.kernelarch {
        for da in &mut ka.debianarch {
            let stubs: Vec<Entry> = da
                .flavour
                .iter()
                .map(|f| Entry {
                    name: f.name.clone(),
                    is_test: f.is_test,
                    ..Entry::new(Kind::Flavour)
                })
                .collect();
            for fs in &mut da.featureset {
                if fs.flavour.is_empty() {
                    fs.flavour = stubs.clone();
                }
            }
        }
    }
}

pub(super) fn read(
    tree: &Tree,
    dirs: &[String],
    problems: &mut Vec<FileProblem>,
    out: &mut DebianConfig,
) {
    let mut root = Entry::new(Kind::Root);
    for d in dirs {
        match parse(tree, &format!("{d}/defines.toml"), Kind::Root, problems) {
            Some(Some((e, _))) => root = merge(&root, &e),
            // gencontrol stops on it: nothing to walk.
            Some(None) => return,
            None => {}
        }
    }
    stub_flavours(&mut root);
    let named = |e: &&Entry| e.name.is_some();
    root.featureset = root
        .featureset
        .iter()
        .filter(named)
        .map(|f| read_replace(tree, dirs, f, &format!("featureset-{}", f.name()), problems))
        .collect();
    root.kernelarch = root
        .kernelarch
        .iter()
        .filter(named)
        .map(|k| read_replace(tree, dirs, k, &format!("kernelarch-{}", k.name()), problems))
        .collect();
    for ka in &mut root.kernelarch {
        ka.debianarch = ka
            .debianarch
            .iter()
            .filter(named)
            .map(|d| read_replace(tree, dirs, d, d.name(), problems))
            .collect();
    }
    stub_flavours(&mut root);

    let mut done = HashSet::new();
    let mut broken = HashSet::new();
    for ka in &root.kernelarch {
        for da in &ka.debianarch {
            let arch = da.name();
            for fs in da.featureset.iter().filter(|f| f.name.is_some()) {
                let Some(rf) = root.featureset.iter().find(|r| r.name() == fs.name()) else {
                    // `root_featureset[featureset.name]`, walked for every debianarch.
                    let at = fs.name.as_ref().map(|(_, at)| at.clone()).unwrap();
                    if broken.insert(at.clone()) {
                        out.broken.push((
                            Broken::FeaturesetNotInRoot {
                                arch: arch.to_string(),
                                featureset: fs.name().to_string(),
                            },
                            at,
                        ));
                    }
                    continue;
                };
                if ![ka, da, rf, fs].iter().all(|e| e.enabled()) {
                    continue;
                }
                for fl in fs.flavour.iter().filter(|f| f.name.is_some()) {
                    let Some(daf) = da
                        .flavour
                        .iter()
                        .find(|d| d.name.is_some() && d.name() == fl.name())
                    else {
                        let at = fl.name.as_ref().map(|(_, at)| at.clone()).unwrap();
                        if broken.insert(at.clone()) {
                            out.broken.push((
                                Broken::FlavourNotInArch {
                                    arch: arch.to_string(),
                                    featureset: fs.name().to_string(),
                                    flavour: fl.name().to_string(),
                                },
                                at,
                            ));
                        }
                        continue;
                    };
                    if !daf.enabled() || !fl.enabled() {
                        continue;
                    }
                    if !done.insert((
                        arch.to_string(),
                        fs.name().to_string(),
                        fl.name().to_string(),
                    )) {
                        continue;
                    }
                    // `ConfigMergedFlavour`'s entries, in merge order.
                    let entries = [&root, ka, da, daf, rf, fs, fl];
                    let mut parts: Vec<DescriptionPart> = Vec::new();
                    for (p, at) in entries.iter().flat_map(|e| &e.description.parts) {
                        if !parts.iter().any(|q| q.name == *p) {
                            parts.push(DescriptionPart {
                                name: p.clone(),
                                at: at.clone(),
                                has_long: entries.iter().any(|e| e.description.long.contains(p)),
                                has_short: entries.iter().any(|e| e.description.short.contains(p)),
                            });
                        }
                    }
                    let fragments = entries
                        .iter()
                        .flat_map(|e| &e.config)
                        .map(|(p, at)| Fragment {
                            path: p.clone(),
                            at: at.clone(),
                            listed: true,
                            exists: super::fragment_exists(tree, dirs, p),
                        })
                        .collect();
                    let hardware = entries
                        .iter()
                        .rev()
                        .find_map(|e| e.description.hardware.clone());
                    out.flavours.push(DebianFlavour {
                        era: Era::Toml,
                        arch: arch.to_string(),
                        featureset: fs.name().to_string(),
                        name: fl.name().to_string(),
                        decl: daf.name.as_ref().map(|(_, at)| at.clone()).unwrap(),
                        // `defs_flavour` is the featureset flavour's own.
                        test_only: fl.is_test,
                        class_empty: hardware.as_ref().is_none_or(|(_, empty)| *empty),
                        hardware: hardware.map(|(at, _)| at),
                        parts,
                        fragments,
                    });
                }
            }
        }
    }
}
