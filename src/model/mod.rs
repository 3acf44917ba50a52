//! The parsed tree: every file once, with spans, plus what follows from them
//! (make programs with their include graphs, relations, changelog, compat level).

pub mod changelog;
pub mod control;
pub mod debian_defines;
pub mod flavour;
pub mod generated;
pub mod invocation;
pub mod kconfig;
pub mod kind;
pub mod makefile;
pub mod origin;
pub mod program;
pub mod quilt;
pub mod relation;
pub mod shell;
pub mod sources;

use crate::source::{FileId, Span};
use crate::tree::Tree;
use makefile::{Makefile, StmtKind};
use program::{Command, Program, StmtRef};
use std::collections::{HashMap, HashSet};

pub use kind::{classify, classify_file, FileKind};

mod programs;
#[cfg(test)]
mod tests;

/// Something wrong with a file's syntax, found while building the model.
#[derive(Debug, Clone)]
pub struct FileProblem {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// The release a changelog targets, and the header line that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangelogRelease {
    pub codename: String,
    pub file: FileId,
    /// The header of the entry that names the release (the top entry when
    /// nothing is released yet).
    pub span: Span,
    /// Every entry is `UNRELEASED`: the release is the one an upload would get.
    pub unreleased_only: bool,
}

pub use sources::SourceStanza;

#[derive(Debug, Clone)]
pub struct Compat {
    pub level: u32,
    pub file: FileId,
    pub span: Span,
}

pub struct Model<'t> {
    pub tree: &'t Tree,
    pub makefiles: HashMap<FileId, Makefile>,
    pub programs: Vec<Program>,
    /// Every recipe command once, with the program it was evaluated in.
    pub commands: Vec<(usize, Command)>,
    pub controls: Vec<control::ControlFile>,
    pub changelog: Option<(FileId, Vec<changelog::ChangelogEntry>)>,
    pub compat: Option<Compat>,
    /// Kernel configuration shipped with the packaging.
    pub kconfig: Vec<kconfig::ConfigSetting<'t>>,
    /// `debian/source/format`, trimmed (`3.0 (quilt)`).
    pub source_format: Option<String>,
    /// `debian/patches/series` and the patch files it names (None when missing).
    pub series: Option<quilt::Series>,
    /// Files of the tree as the build sees them after the series is applied, for
    /// the files some patch changes.
    pub patched: HashMap<FileId, String>,
    /// Patches of the series that are missing or do not apply.
    pub series_problems: Vec<quilt::SeriesProblem>,
    /// Every binary package name the control files declare (templates included).
    binary_names: Vec<String>,
    pub problems: Vec<FileProblem>,
    /// Debian's `debian/config/` defines, merged across levels as gencontrol does.
    pub debian_config: debian_defines::DebianConfig,
}

impl<'t> Model<'t> {
    pub fn build(tree: &'t Tree) -> Model<'t> {
        let mut m = Model {
            tree,
            makefiles: HashMap::new(),
            programs: vec![],
            commands: vec![],
            controls: vec![],
            changelog: None,
            compat: None,
            kconfig: vec![],
            source_format: None,
            series: None,
            patched: HashMap::new(),
            series_problems: vec![],
            binary_names: vec![],
            problems: vec![],
            debian_config: debian_defines::DebianConfig::default(),
        };
        // `DEBIAN=` naming a directory the tree lacks: debian/rules looks for its
        // packaging there and the build stops.
        if let Some(id) = tree.files.iter().position(|f| f.rel == "debian/debian.env") {
            if let Some((value, span)) = crate::tree::debian_env_value(&tree.files[id].text) {
                if tree.branch_dir.as_deref() != Some(value) {
                    m.problems.push(FileProblem {
                        file: id,
                        span,
                        message: if value.is_empty() {
                            "`DEBIAN=` is empty: debian/rules cannot find the branch directory with the packaging".into()
                        } else {
                            format!("`DEBIAN=` names `{value}`, which is not a directory of this tree: debian/rules looks for the packaging there and the build stops")
                        },
                    });
                }
            }
        }
        let mut annotations: Vec<FileId> = vec![];
        for (id, f) in tree.files.iter().enumerate() {
            if let Some(reason) = &f.skipped {
                m.problems.push(FileProblem {
                    file: id,
                    span: 0..0,
                    message: reason.clone(),
                });
                continue;
            }
            if let Some(at) = f.invalid_utf8_at {
                m.problems.push(FileProblem {
                    file: id,
                    span: at..at + 1,
                    message: "invalid UTF-8; the file is linted with the bad bytes masked and is never rewritten".into(),
                });
            }
            match classify_file(&f.rel, &f.text) {
                FileKind::Makefile => {
                    let mf = makefile::parse(&f.text);
                    m.problems.extend(mf.problems.iter().map(|p| FileProblem {
                        file: id,
                        span: p.span.clone(),
                        message: p.message.clone(),
                    }));
                    m.makefiles.insert(id, mf);
                }
                FileKind::Control => {
                    let c = control::parse(id, &f.text);
                    m.problems
                        .extend(c.problems.iter().map(|(s, msg)| FileProblem {
                            file: id,
                            span: s.clone(),
                            message: format!("malformed control file: {msg}"),
                        }));
                    m.problems
                        .extend(c.relation_problems.iter().map(|p| FileProblem {
                            file: id,
                            span: p.span.clone(),
                            message: p.message.clone(),
                        }));
                    m.controls.push(c);
                }
                FileKind::Changelog => {
                    let preferred = match &tree.branch_dir {
                        Some(b) => f.rel == format!("{b}/changelog"),
                        None => f.rel == "debian/changelog",
                    };
                    if preferred || m.changelog.is_none() {
                        let (entries, probs) = changelog::parse(&f.text);
                        m.problems
                            .extend(probs.into_iter().map(|(s, msg)| FileProblem {
                                file: id,
                                span: s,
                                message: msg,
                            }));
                        m.changelog = Some((id, entries));
                    }
                }
                FileKind::Compat => {
                    let t = f.text.trim();
                    if let Ok(level) = t.parse() {
                        let start = f.text.find(t).unwrap_or(0);
                        m.compat = Some(Compat {
                            level,
                            file: id,
                            span: start..start + t.len(),
                        });
                    }
                }
                FileKind::KernelConfig => m.kconfig.extend(kconfig::parse_config(id, &f.text)),
                FileKind::Annotations => {
                    m.kconfig.extend(kconfig::parse_annotations(id, &f.text));
                    annotations.push(id);
                }
                FileKind::Other => {}
            }
        }
        m.scope_included_annotations(&annotations);
        if m.compat.is_none() {
            m.compat = m.compat_from_control();
        }
        m.binary_names = m
            .controls
            .iter()
            .flat_map(|c| &c.paragraphs)
            .filter_map(|p| p.field("Package"))
            .map(|f| f.value.trim().to_string())
            .collect();
        m.source_format = tree
            .file("debian/source/format")
            .map(|f| tree.files[f].text.trim().to_string());
        m.debian_config = debian_defines::read(tree, &mut m.problems);
        m.apply_series();
        m.build_programs();
        m
    }

    /// Apply the quilt series in memory to the files of the tree it patches.
    fn apply_series(&mut self) {
        let tree = self.tree;
        let Some(series) = tree.file("debian/patches/series") else {
            return;
        };
        let entries: Vec<quilt::SeriesEntry> = quilt::series_entries(&tree.files[series].text)
            .into_iter()
            .map(|(name, span)| {
                let patch = tree.file(&format!("debian/patches/{name}"));
                quilt::SeriesEntry { name, span, patch }
            })
            .collect();
        // `quilt push` already applied these to the files on disk.
        let pushed: Vec<String> = tree
            .file(".pc/applied-patches")
            .map(|f| quilt::series_names(&tree.files[f].text))
            .unwrap_or_default();
        for quilt::SeriesEntry { name, span, patch } in &entries {
            if pushed.contains(name) {
                continue;
            }
            let Some(patch) = *patch else {
                self.series_problems.push(quilt::SeriesProblem {
                    file: series,
                    span: span.clone(),
                    message: format!(
                        "`{name}` is listed in the series but debian/patches/{name} does not exist"
                    ),
                });
                continue;
            };
            let files = match quilt::parse_patch(&tree.files[patch].text) {
                Ok(f) => f,
                Err((span, msg)) => {
                    self.series_problems.push(quilt::SeriesProblem {
                        file: patch,
                        span,
                        message: format!("`{name}` is not a valid patch: {msg}"),
                    });
                    continue;
                }
            };
            for fp in files {
                let Some(target) = tree.file(&fp.path) else {
                    continue;
                };
                let current = self
                    .patched
                    .get(&target)
                    .cloned()
                    .unwrap_or_else(|| tree.files[target].text.clone());
                match quilt::apply(&current, &fp) {
                    Ok(new) => {
                        self.patched.insert(target, new);
                    }
                    Err(hunk) => {
                        let h = &fp.hunks[hunk];
                        self.series_problems.push(quilt::SeriesProblem {
                            file: patch,
                            span: h.header.clone(),
                            message: format!("hunk {} of `{name}` does not apply to {}: quilt push stops here and the build cannot start", hunk + 1, fp.path),
                        });
                    }
                }
            }
        }
        self.series = Some(quilt::Series {
            file: series,
            entries,
        });
    }

    /// The text of a file as the build sees it (series applied).
    pub fn build_text(&self, file: FileId) -> &str {
        self.patched
            .get(&file)
            .map(String::as_str)
            .unwrap_or(&self.tree.files[file].text)
    }

    /// `debhelper-compat (= N)` in Build-Depends, preferring `debian/control`.
    fn compat_from_control(&self) -> Option<Compat> {
        let mut controls: Vec<&control::ControlFile> = self.controls.iter().collect();
        controls.sort_by_key(|c| self.tree.files[c.file].rel != "debian/control");
        for c in controls {
            for p in &c.paragraphs {
                for f in &p.fields {
                    if !f.name.eq_ignore_ascii_case("Build-Depends") {
                        continue;
                    }
                    for g in &f.relations {
                        for r in &g.alternatives {
                            if r.name == "debhelper-compat" {
                                if let Some((op, v, span)) = &r.version {
                                    if op == "=" {
                                        if let Ok(level) = v.parse() {
                                            return Some(Compat {
                                                level,
                                                file: c.file,
                                                span: span.clone(),
                                            });
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        None
    }

    /// The version (major, minor) of the kernel the tree packages: the top-level
    /// kernel `Makefile`'s `VERSION`/`PATCHLEVEL` when the tree is a kernel tree,
    /// else the upstream part of the top changelog entry's version when that entry
    /// is a kernel's (`linux (4.15.0-42.45)`, `linux-aws (5.15.0-1103.110)`,
    /// `pve-kernel (5.15.131-2)`). Which host programs the kernel build compiles
    /// depends on it (sign-file became a C program linking libcrypto in 4.3;
    /// objtool arrived in 4.6, resolve_btfids in 5.7). None when neither says.
    pub fn kernel_version(&self) -> Option<(u32, u32)> {
        let tree = self.tree;
        if let Some(id) = tree.file("Makefile") {
            let text = &tree.files[id].text;
            let field = |name: &str| {
                text.lines().take(20).find_map(|l| {
                    let (k, v) = l.split_once('=')?;
                    (k.trim() == name).then(|| v.trim().parse::<u32>().ok())?
                })
            };
            if let (Some(v), Some(p)) = (field("VERSION"), field("PATCHLEVEL")) {
                return Some((v, p));
            }
        }
        let (_, entries) = self.changelog.as_ref()?;
        let top = entries.first()?;
        let kernel_source = top.source.starts_with("linux") || top.source.ends_with("-kernel");
        if !kernel_source {
            return None;
        }
        let upstream = top
            .version
            .split_once(':')
            .map_or(top.version.as_str(), |(_, v)| v);
        let mut parts = upstream.split(|c: char| !c.is_ascii_digit());
        let major: u32 = parts.next()?.parse().ok()?;
        let minor: u32 = parts.next()?.parse().ok()?;
        // Kernel versions run from 2.6 to the 7s; anything else is some other
        // package's version (linux-meta's, a signing wrapper's).
        (2..=9).contains(&major).then_some((major, minor))
    }

    /// Settings of annotations files the branch's own annotations include (a
    /// derivative's `include "../../debian.master/config/annotations"`, and what
    /// that includes) count as annotations.py leaves them: a key an including
    /// file sets for the option *after* its include line wins, and only the
    /// branch file's `# ARCH:` architectures are built ([`kconfig::Scope`]).
    /// Without a branch (no debian.env) nothing is scoped.
    fn scope_included_annotations(&mut self, annotations: &[FileId]) {
        const MAX_DEPTH: usize = 4;
        let tree = self.tree;
        let Some(branch) = &tree.branch_dir else {
            return;
        };
        let Some(top) = tree.file(&format!("{branch}/config/annotations")) else {
            return;
        };
        let arches = kconfig::annotation_arches(&tree.files[top].text);
        let mut by_file: HashMap<FileId, Vec<usize>> = HashMap::new();
        for (i, c) in self.kconfig.iter().enumerate() {
            by_file.entry(c.file).or_default().push(i);
        }
        // Each file once, with the keys its includers set after including it.
        type Keys<'t> = HashMap<&'t str, Vec<&'t str>>;
        let mut seen: HashSet<FileId> = HashSet::from([top]);
        let mut todo: Vec<(FileId, Keys<'t>, usize)> = vec![(top, Keys::new(), 0)];
        while let Some((f, inherited, depth)) = todo.pop() {
            let file = &tree.files[f];
            let dir = file.rel.rsplit_once('/').map_or("", |(d, _)| d);
            for (at, inc) in kconfig::annotation_includes(&file.text) {
                let rel = program::normalize(&format!("{dir}/{inc}"));
                let Some(g) = tree.file(&rel) else { continue };
                if depth >= MAX_DEPTH || !seen.insert(g) {
                    continue;
                }
                // An included file annotations.py reads whatever its name.
                if !annotations.contains(&g) {
                    let first = self.kconfig.len();
                    self.kconfig
                        .extend(kconfig::parse_annotations(g, &tree.files[g].text));
                    by_file.insert(g, (first..self.kconfig.len()).collect());
                }
                let mut keys = inherited.clone();
                for &i in by_file.get(&f).map_or(&[][..], Vec::as_slice) {
                    let c = &self.kconfig[i];
                    if c.span.start > at {
                        keys.entry(c.name).or_default().extend(c.policy_keys());
                    }
                }
                let plain = std::sync::Arc::new(kconfig::Scope {
                    arches: arches.clone(),
                    overridden: vec![],
                });
                for &i in by_file.get(&g).map_or(&[][..], Vec::as_slice) {
                    let c = &mut self.kconfig[i];
                    let scope = match keys.get(c.name) {
                        Some(k) => std::sync::Arc::new(kconfig::Scope {
                            arches: arches.clone(),
                            overridden: k.clone(),
                        }),
                        None => plain.clone(),
                    };
                    c.set_scope(scope);
                }
                todo.push((g, keys, depth + 1));
            }
        }
    }

    /// The first setting of a kernel option that enables it, if any.
    pub fn config_enabled(&self, name: &str) -> Option<&kconfig::ConfigSetting<'t>> {
        self.kconfig.iter().find(|c| c.name == name && c.enabled())
    }

    /// The release the top changelog entry targets, as `dch --release` would
    /// finalize it: `UNRELEASED` takes the distribution of the previous entry (an
    /// Ubuntu kernel's next upload to the same series, a Debian stable update), and
    /// a changelog with nothing released yet goes to `unstable`, that is `sid`.
    /// Pocket suffixes (`-security`, `-updates` …) are dropped; `unstable` and
    /// `experimental` are `sid`.
    pub fn changelog_release(&self) -> Option<ChangelogRelease> {
        let (file, entries) = self.changelog.as_ref()?;
        for e in entries {
            let Some(dist) = e.distributions.first() else {
                continue;
            };
            if dist == "UNRELEASED" {
                continue;
            }
            let base = dist.split('-').next().unwrap_or(dist);
            let base = match base {
                "unstable" | "experimental" => "sid",
                b => b,
            };
            return Some(ChangelogRelease {
                codename: base.to_string(),
                file: *file,
                span: e.span.clone(),
                unreleased_only: false,
            });
        }
        // Every entry read is UNRELEASED (the parser stops at the first released
        // one, so there is none below): devscripts' `dch --release` then uses
        // unstable.
        let top = entries.first()?;
        Some(ChangelogRelease {
            codename: "sid".to_string(),
            file: *file,
            span: top.span.clone(),
            unreleased_only: true,
        })
    }

    /// Source stanzas whose relations rules should check, each once at its source:
    /// when a template (`source.control.in`, `control.stub.in`, `control.in`) and
    /// the `debian/control` generated from it are both present, only the template,
    /// with the generated copy alongside so messages can say it needs regenerating.
    pub fn source_stanzas(&self) -> Vec<SourceStanza<'_>> {
        let changelog = self
            .changelog
            .as_ref()
            .and_then(|(_, e)| e.first())
            .map(|e| e.source.as_str());
        sources::source_stanzas(&self.controls, |f| self.file_rel(f), changelog)
    }

    /// The stanzas of the kernel's own source package (the one the changelog
    /// names), leaving out other packages' templates in the tree.
    pub fn kernel_stanzas(&self) -> Vec<SourceStanza<'_>> {
        let mut all = self.source_stanzas();
        all.retain(|s| s.kernel);
        all
    }

    /// Where the build fixes the kernel release itself, so kbuild's
    /// `setlocalversion` (and with it `CONFIG_LOCALVERSION_AUTO`) never decides
    /// it: Debian's rules write `override KERNELRELEASE = …` into the
    /// `.kernelvariables` file its patched top-level Makefile includes (an
    /// `override` beats kbuild's own assignment), and Ubuntu's rules `sed` the
    /// option off in the config before building. The recipe word that does it.
    pub fn kernel_release_pinned(&self) -> Option<(FileId, Span)> {
        static OVERRIDE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let re = OVERRIDE.get_or_init(|| {
            regex::Regex::new(
                r"^\s*override\s+KERNELRELEASE\s*[:?]?=|s(.).*CONFIG_LOCALVERSION_AUTO.*# CONFIG_LOCALVERSION_AUTO is not set",
            )
            .unwrap()
        });
        self.commands.iter().find_map(|(_, c)| {
            let writes = matches!(c.program(), "echo" | "printf" | "sed");
            if !writes {
                return None;
            }
            c.argv[1..].iter().find_map(|w| {
                re.is_match(w.unquoted())
                    .then(|| (c.recipe.file, w.span.clone()))
            })
        })
    }

    /// Names of every binary package the control files declare (templates included).
    pub fn binary_packages(&self) -> &[String] {
        &self.binary_names
    }

    pub fn stmt(&self, at: StmtRef) -> &makefile::Stmt {
        &self.makefiles[&at.file].stmts[at.stmt]
    }

    /// The text of the line before a statement, if it is a comment (make or shell).
    pub fn comment_above(&self, file: FileId, offset: usize) -> Option<&str> {
        let f = &self.tree.files[file];
        let line = f.line_index(offset);
        let above = f.line_text(line.checked_sub(1)?).trim_start();
        above.starts_with('#').then_some(above)
    }

    /// Does the line holding `offset` end with a shell or make comment?
    pub fn trailing_comment(&self, file: FileId, offset: usize) -> Option<&str> {
        let f = &self.tree.files[file];
        let text = f.line_text(f.line_index(offset));
        let toks_end = text.find(" #").or_else(|| text.find("\t#"))?;
        Some(text[toks_end..].trim_start())
    }

    pub fn file_rel(&self, file: FileId) -> &str {
        &self.tree.files[file].rel
    }

    pub fn program_of(&self, idx: usize) -> &Program {
        &self.programs[idx]
    }
}
