//! `kpkg-lint resolve`: the whole cross build at once, before running sbuild:
//! every build-dependency with the package, version and architecture
//! `apt-get build-dep -a HOST` would install for it, and why the ones that
//! cannot be had cannot (src/archive/cross/ resolves).

use super::run::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use super::{ListFormat, ResolveArgs};
use crate::archive::cross::{self, AltState, Arches, Chroot, GroupResolution, Inactive};
use crate::archive::Archive;
use crate::knowledge::MultiArch;
use crate::model::control::Paragraph;
use crate::model::relation::RelationGroup;
use crate::model::{Model, SourceStanza};
use crate::rules::TargetRelease;
use crate::tree::Tree;
use serde_json::{json, Value};
use std::io::Write;

fn fail(err: &mut dyn Write, message: impl std::fmt::Display) -> i32 {
    let _ = writeln!(err, "kpkg-lint: error: {message}");
    EXIT_ERROR
}

pub fn resolve(args: &ResolveArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let host = match args.host_arch.clone().or_else(|| {
        std::env::var("DEB_HOST_ARCH")
            .ok()
            .filter(|a| !a.is_empty())
    }) {
        Some(h) => h,
        None => {
            return fail(
                err,
                "resolve needs the architecture built for: --host-arch ARCH (or DEB_HOST_ARCH)",
            )
        }
    };
    let Some(build) = args.build_arch.clone().or_else(cross::native_arch) else {
        return fail(
            err,
            "cannot tell this machine's Debian architecture: give --build-arch ARCH",
        );
    };
    if let Some(r) = &args.release {
        if crate::knowledge::release(r).is_none() {
            return fail(
                err,
                format!(
                    "unknown release `{r}` (known: {})",
                    crate::knowledge::release_names().join(", ")
                ),
            );
        }
    }
    let discovery = crate::discover::discover(std::slice::from_ref(&args.tree));
    if let Some(e) = discovery.errors.first() {
        return fail(err, format_args!("{}: {}", e.path, e.message));
    }
    if discovery.trees.is_empty() {
        return fail(
            err,
            format_args!(
                "{}: no packaging tree (debian/) found here",
                args.tree.display()
            ),
        );
    }
    let specs = if args.archive.is_empty() {
        vec!["auto".to_string()]
    } else {
        args.archive.clone()
    };
    let models: Vec<Model> = discovery.trees.iter().map(Model::build).collect();
    // Only the packages the entries name (and their providers) are kept.
    let names: crate::archive::Names = models
        .iter()
        .filter_map(|m| stanza(m).map(|(_, p)| p))
        .flat_map(|p| &p.fields)
        .flat_map(|f| &f.relations)
        .flat_map(|g| &g.alternatives)
        .map(|a| a.name.clone())
        .collect();
    let archive = match crate::archive::load_only(&specs, &names) {
        Ok(a) => a,
        Err(e) => return fail(err, format_args!("{}: {}", e.path, e.message)),
    };
    for c in &args.components {
        if !archive
            .indices
            .iter()
            .any(|i| i.component.as_deref() == Some(c))
        {
            return fail(
                err,
                format!("--components {c}: no index of component `{c}` was given"),
            );
        }
    }
    let arches = Arches { build, host };
    let mut reports = Vec::new();
    let mut status = EXIT_CLEAN;
    for (tree, model) in discovery.trees.iter().zip(&models) {
        let release = TargetRelease::of(model, args.release.as_deref()).codename;
        let components = (!args.components.is_empty()).then_some(&args.components[..]);
        let chroot = Chroot::new(&archive, &release, arches.clone(), components);
        let indexed = chroot.indexed_arches();
        for a in [&arches.host, &arches.build] {
            if !indexed.iter().any(|x| x == a) {
                return fail(
                    err,
                    format!(
                        "no index for {a} among those used ({}): enable it (`dpkg --add-architecture {a} && apt-get update`) or give its index with --archive",
                        chroot.labels().join(", ")
                    ),
                );
            }
        }
        let report = TreeReport::build(tree, model, &chroot, &archive, args);
        if report.unresolvable() > 0 {
            status = EXIT_FINDINGS;
        }
        reports.push(report);
    }
    let written = match args.format {
        ListFormat::Text => write_text(out, &reports, args),
        ListFormat::Json => {
            let v = json!({
                "version": 1,
                "build_arch": arches.build,
                "host_arch": arches.host,
                "profiles": args.profiles,
                "arch_only": args.arch_only,
                "trees": reports.iter().map(TreeReport::json).collect::<Vec<_>>(),
            });
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&v).expect("JSON values serialize")
            )
        }
    };
    match written {
        Ok(()) => status,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => status,
        Err(e) => fail(err, e),
    }
}

/// The source stanza apt reads: the kernel's own (the changelog names it), else
/// the first; its generated debian/control when the tree has one.
fn stanza<'m>(model: &'m Model) -> Option<(usize, &'m Paragraph)> {
    let mut stanzas = model.kernel_stanzas();
    if stanzas.is_empty() {
        stanzas = model.source_stanzas();
    }
    stanzas.first().map(|s: &SourceStanza| match s.generated {
        Some((file, paragraph)) => (file, paragraph),
        None => (s.file, s.paragraph),
    })
}

/// One build-dependency group, resolved, with what the table shows of it.
struct Row {
    field: String,
    /// The group as written, whitespace collapsed.
    relation: String,
    line: usize,
    column: usize,
    state: RowState,
    alternatives: Vec<AltRow>,
    /// (kind, sentence): `transitional`, `native-on-foreign`, `native-not-co-installable`.
    notes: Vec<(&'static str, String)>,
}

/// One alternative: its relation text, what happened to it (`picked`, `failed`,
/// `inactive`, `not-tried`), and the reason's kind and sentence.
type AltRow = (String, &'static str, Option<(&'static str, String)>);

enum RowState {
    Resolved {
        package: String,
        version: String,
        /// Installed for.
        arch: String,
        /// The Architecture field (`all` …).
        architecture: String,
        provides: Option<String>,
        index: String,
        build_side: bool,
    },
    /// The reason's kind and sentence.
    Unresolvable(&'static str, String),
    Inactive(&'static str),
}

struct TreeReport {
    root: String,
    file: String,
    release: String,
    indices: Vec<String>,
    indexed_arches: Vec<String>,
    release_indexed: bool,
    arches: Arches,
    rows: Vec<Row>,
}

impl TreeReport {
    fn build(
        tree: &Tree,
        model: &Model,
        chroot: &Chroot,
        archive: &Archive,
        args: &ResolveArgs,
    ) -> TreeReport {
        let mut rows = Vec::new();
        let mut file_rel = String::new();
        if let Some((file, paragraph)) = stanza(model) {
            file_rel = tree.files[file].rel.clone();
            let text = &tree.files[file].text;
            // apt's order (debSrcRecordParser::BuildDepends): the order of
            // installation decides which of two clashing entries fails.
            let mut fields: Vec<(&str, &RelationGroup)> = Vec::new();
            for wanted in ["Build-Depends", "Build-Depends-Indep", "Build-Depends-Arch"] {
                if args.arch_only && wanted == "Build-Depends-Indep" {
                    continue;
                }
                for f in paragraph
                    .fields
                    .iter()
                    .filter(|f| f.name.eq_ignore_ascii_case(wanted))
                {
                    fields.extend(f.relations.iter().map(|g| (wanted, g)));
                }
            }
            let groups: Vec<&RelationGroup> = fields.iter().map(|(_, g)| *g).collect();
            let resolved = chroot.resolve_groups(&groups, &args.profiles);
            for ((field, group), r) in fields.iter().zip(&resolved) {
                rows.push(row(tree, file, text, field, group, r, &resolved, chroot));
            }
        }
        let release = chroot.release.clone();
        TreeReport {
            root: crate::source::display_path(&tree.root),
            file: file_rel,
            release_indexed: archive
                .indices
                .iter()
                .any(|i| i.suite.as_deref() == Some(release.as_str())),
            release,
            indices: chroot.dists(),
            indexed_arches: chroot.indexed_arches(),
            arches: chroot.arches.clone(),
            rows,
        }
    }

    fn count(&self, f: impl Fn(&RowState) -> bool) -> usize {
        self.rows.iter().filter(|r| f(&r.state)).count()
    }

    fn unresolvable(&self) -> usize {
        self.count(|s| matches!(s, RowState::Unresolvable(..)))
    }

    fn json(&self) -> Value {
        let entries: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                let mut v = json!({
                    "field": r.field,
                    "relation": r.relation,
                    "line": r.line,
                    "column": r.column,
                    "alternatives": r.alternatives.iter().map(|(rel, state, why)| json!({
                        "relation": rel,
                        "status": state,
                        "reason": why.as_ref().map(|(k, _)| *k),
                        "message": why.as_ref().map(|(_, m)| m),
                    })).collect::<Vec<_>>(),
                    "notes": r.notes.iter().map(|(k, m)| json!({"kind": k, "message": m})).collect::<Vec<_>>(),
                });
                let m = v.as_object_mut().expect("an object");
                match &r.state {
                    RowState::Resolved {
                        package,
                        version,
                        arch,
                        architecture,
                        provides,
                        index,
                        build_side,
                    } => {
                        m.insert("status".into(), json!("resolved"));
                        m.insert("package".into(), json!(package));
                        m.insert("version".into(), json!(version));
                        m.insert("architecture".into(), json!(arch));
                        m.insert("package_architecture".into(), json!(architecture));
                        m.insert(
                            "machine".into(),
                            json!(if *build_side { "build" } else { "host" }),
                        );
                        m.insert("provides".into(), json!(provides));
                        m.insert("index".into(), json!(index));
                    }
                    RowState::Unresolvable(kind, why) => {
                        m.insert("status".into(), json!("unresolvable"));
                        m.insert("reason".into(), json!(kind));
                        m.insert("message".into(), json!(why));
                    }
                    RowState::Inactive(why) => {
                        m.insert("status".into(), json!("inactive"));
                        m.insert("message".into(), json!(why));
                    }
                }
                v
            })
            .collect();
        json!({
            "tree": self.root,
            "file": self.file,
            "release": self.release,
            "indices": self.indices,
            "architectures": self.indexed_arches,
            "entries": entries,
            "summary": {
                "resolved": self.count(|s| matches!(s, RowState::Resolved { .. })),
                "unresolvable": self.unresolvable(),
                "inactive": self.count(|s| matches!(s, RowState::Inactive(_))),
            },
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn row(
    tree: &Tree,
    file: usize,
    text: &str,
    field: &str,
    group: &RelationGroup,
    r: &GroupResolution,
    all: &[GroupResolution],
    chroot: &Chroot,
) -> Row {
    let relation = collapse(&text[group.span.clone()]);
    let (line, column) = tree.files[file].line_col(group.span.start);
    let arches = &chroot.arches;
    let mut notes = Vec::new();
    let alternatives = r
        .alternatives
        .iter()
        .map(|(alt, s)| {
            let rel = collapse(&text[alt.span.clone()]);
            let (state, why) = match s {
                AltState::Picked(_) => ("picked", None),
                AltState::Failed(reason) => {
                    let mut m = reason.describe(&alt.name, chroot);
                    if let cross::Reason::NotCoInstallable { other_group, .. } = reason {
                        let other = &all[*other_group].group;
                        m.push_str(&format!(
                            " (the earlier one: `{}`)",
                            collapse(&text[other.span.clone()])
                        ));
                    }
                    ("failed", Some((reason.kind(), m)))
                }
                AltState::Inactive(Inactive::Arch) => (
                    "inactive",
                    Some(("arch-list", format!("not for {}", arches.host))),
                ),
                AltState::Inactive(Inactive::Profiles) => (
                    "inactive",
                    Some(("profiles", "not with the build profiles given".to_string())),
                ),
                AltState::NotTried => ("not-tried", None),
            };
            (rel, state, why)
        })
        .collect();
    let state = if let Some(p) = r.picked() {
        let alt = r.alternatives[r.chosen.expect("picked")].0;
        let record = p.record;
        let ma = cross::multi_arch(record);
        if let Some(target) = record.transitional_target() {
            notes.push(("transitional", format!(
                "`{}` is a transitional package (\"{}\"): its only Depends is `{target}`; depend on that",
                record.name, record.synopsis
            )));
        }
        let native = alt
            .arch_qualifier
            .as_ref()
            .is_some_and(|(q, _)| q == "native");
        if native && ma == MultiArch::Foreign {
            notes.push(("native-on-foreign", format!(
                "`{}` is Multi-Arch: foreign: `:native` is harmless, a plain `{}` installs the same {} package",
                alt.name, alt.name, arches.build
            )));
        } else if native
            && ma != MultiArch::Same
            && record.architecture != "all"
            && arches.build != arches.host
        {
            notes.push(("native-not-co-installable", format!(
                "`{}` is Multi-Arch: {}: {}:{} cannot be installed beside {}:{}, so nothing else may need the {} package",
                record.name,
                ma.as_str(),
                record.name,
                arches.build,
                record.name,
                arches.host,
                arches.host
            )));
        }
        RowState::Resolved {
            package: record.name.clone(),
            version: record.version.clone(),
            arch: p.arch.clone(),
            architecture: record.architecture.to_string(),
            provides: p.provides.clone(),
            index: chroot.archive.indices[record.index].full_label(),
            build_side: p.arch == arches.build,
        }
    } else if r.inactive() {
        let why = if r
            .alternatives
            .iter()
            .all(|(_, s)| matches!(s, AltState::Inactive(Inactive::Arch)))
        {
            "not for this architecture"
        } else {
            "not with these build profiles"
        };
        RowState::Inactive(why)
    } else {
        // A transitional package that cannot be had (Architecture: all and not
        // foreign, the way old ones were): its replacement may be.
        let transitional = r.alternatives.iter().find_map(|(alt, s)| match s {
            AltState::Failed(_) => chroot
                .archive
                .package(&alt.name)
                .find_map(|rec| rec.transitional_target().map(|t| (rec, t))),
            _ => None,
        });
        if let Some((record, target)) = transitional {
            notes.push((
                "transitional",
                format!(
                    "`{}` is a transitional package (\"{}\"): its only Depends is `{target}`; depend on that",
                    record.name, record.synopsis
                ),
            ));
        }
        match r.failure() {
            Some((alt, reason)) => {
                let mut m = reason.describe(&alt.name, chroot);
                if let cross::Reason::NotCoInstallable { other_group, .. } = reason {
                    m.push_str(&format!(
                        " (the earlier one: `{}`)",
                        collapse(&text[all[*other_group].group.span.clone()])
                    ));
                }
                RowState::Unresolvable(reason.kind(), m)
            }
            None => RowState::Unresolvable("none", "no alternative can be had".to_string()),
        }
    };
    Row {
        field: field.to_string(),
        relation,
        line,
        column,
        state,
        alternatives,
        notes,
    }
}

/// Whitespace runs (continuation lines) as one space.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn write_text(
    out: &mut dyn Write,
    reports: &[TreeReport],
    args: &ResolveArgs,
) -> std::io::Result<()> {
    for (i, t) in reports.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let profiles = if args.profiles.is_empty() {
            "none".to_string()
        } else {
            args.profiles.join(",")
        };
        writeln!(
            out,
            "{}: cross build on {} for {}, {} ({}; {}), profiles: {profiles}",
            if t.file.is_empty() {
                t.root.clone()
            } else {
                format!("{}/{}", t.root.trim_end_matches('/'), t.file)
            },
            t.arches.build,
            t.arches.host,
            t.release,
            t.indices.join(", "),
            t.indexed_arches.join(", "),
        )?;
        if !t.release_indexed {
            writeln!(
                out,
                "  (no index of {} was given: every index is used)",
                t.release
            )?;
        }
        if t.rows.is_empty() {
            writeln!(out, "  no build-dependencies")?;
            continue;
        }
        let w_pos = t
            .rows
            .iter()
            .map(|r| format!("{}:{}", r.line, r.column).len())
            .max()
            .unwrap_or(0);
        let w_rel = t
            .rows
            .iter()
            .map(|r| r.relation.chars().count())
            .max()
            .unwrap_or(0)
            .min(48);
        for r in &t.rows {
            let pos = format!("{}:{}", r.line, r.column);
            let result = match &r.state {
                RowState::Resolved {
                    package,
                    version,
                    arch,
                    architecture,
                    provides,
                    index,
                    ..
                } => {
                    let mut s = format!("{package}:{arch} {version}");
                    if architecture == "all" {
                        s.push_str(" (Architecture: all)");
                    }
                    if let Some(v) = provides {
                        s.push_str(&format!(" (provides {v})"));
                    }
                    s.push_str(&format!(" [{index}]"));
                    s
                }
                RowState::Unresolvable(_, why) => format!("CANNOT BE HAD: {why}"),
                RowState::Inactive(why) => format!("left out: {why}"),
            };
            writeln!(out, "  {pos:<w_pos$}  {:<w_rel$}  {result}", r.relation)?;
            let indent = " ".repeat(w_pos + 4);
            // The failed alternatives of an OR group, each with its reason.
            if r.alternatives.len() > 1 {
                for (rel, state, why) in &r.alternatives {
                    if let (&"failed", Some((_, m))) = (state, why) {
                        writeln!(out, "{indent}`{rel}`: {m}")?;
                    }
                }
            }
            for (_, n) in &r.notes {
                writeln!(out, "{indent}note: {n}")?;
            }
        }
        let resolved = t.count(|s| matches!(s, RowState::Resolved { .. }));
        let build_side = t.count(|s| {
            matches!(
                s,
                RowState::Resolved {
                    build_side: true,
                    ..
                }
            )
        });
        let unresolvable = t.unresolvable();
        let inactive = t.count(|s| matches!(s, RowState::Inactive(_)));
        writeln!(
            out,
            "{} build-dependenc{}: {resolved} resolved ({build_side} for {}, {} for {}), {unresolvable} cannot be had, {inactive} left out",
            t.rows.len(),
            if t.rows.len() == 1 { "y" } else { "ies" },
            t.arches.build,
            resolved - build_side,
            t.arches.host,
        )?;
    }
    Ok(())
}
