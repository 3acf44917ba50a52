//! Family `determinism`: what makes kernel builds differ from run to run, and
//! so defeats ccache and shared build trees.
//!
//! Background (Documentation/kbuild/kbuild.rst, reproducible-builds.rst): kbuild
//! bakes the build time, user and host into `include/generated/compile.h` unless
//! `KBUILD_BUILD_TIMESTAMP`, `KBUILD_BUILD_USER` and `KBUILD_BUILD_HOST` pin them;
//! absolute paths leak into objects unless `-fdebug-prefix-map`/`-ffile-prefix-map`
//! maps them; everything that changes `autoconf.h` changes every translation unit.

mod absolute_path_in_objects;
mod ccache_unconfigured;
mod localversion_auto;
mod mtime_based_cache_key;
mod unpinned_kbuild_timestamp;
mod unpinned_kbuild_user_host;
mod version_in_every_object;

use super::kernel_make::{MakeCall, MakeKind};
use super::Checker;
use crate::diagnostic::Edit;
use crate::model::makefile::{Directive, StmtKind};
use crate::model::program::StmtRef;
use crate::model::Model;
use crate::registry::Rule;
use crate::source::{FileId, Span};

pub fn check(c: &mut Checker, makes: &[MakeCall]) {
    let builds: Vec<&MakeCall> = makes
        .iter()
        .filter(|m| m.kind == MakeKind::KernelBuild)
        .collect();
    if c.enabled(Rule::UnpinnedKbuildTimestamp) {
        unpinned_kbuild_timestamp::check(c, &builds);
    }
    if c.enabled(Rule::UnpinnedKbuildUserHost) {
        unpinned_kbuild_user_host::check(c, &builds);
    }
    if c.enabled(Rule::AbsolutePathInObjects) {
        absolute_path_in_objects::check(c, &builds);
    }
    if c.enabled(Rule::LocalversionAuto) {
        localversion_auto::check(c);
    }
    if c.enabled(Rule::VersionInEveryObject) {
        version_in_every_object::check(c);
    }
    if c.enabled(Rule::CcacheUnconfigured) {
        ccache_unconfigured::check(c);
    }
    if c.enabled(Rule::MtimeBasedCacheKey) {
        mtime_based_cache_key::check(c);
    }
}

/// Where a kernel make gets a variable from.
#[derive(Debug, Clone)]
pub struct Setting {
    /// The value as written (quotes kept, variables expanded where known).
    pub value: String,
    pub file: FileId,
    pub span: Span,
}

/// Is `name` set for this kernel make: in its environment, on its command line, or
/// exported by the makefiles of its program?
pub fn setting(model: &Model, call: &MakeCall, name: &str) -> Option<Setting> {
    let prefix = format!("{name}=");
    let file = call.cmd.recipe.file;
    for w in call.cmd.env.iter().chain(call.cmd.argv.iter().skip(1)) {
        if let Some(v) = w.text.strip_prefix(&prefix) {
            // A word a variable brought is written in that variable's assignment.
            let (file, span) = (!w.literal)
                .then(|| assignment_token(model, &w.via, &prefix))
                .flatten()
                .unwrap_or((file, w.span.clone()));
            return Some(Setting {
                value: v.to_string(),
                file,
                span,
            });
        }
    }
    let p = &model.programs[call.program];
    let defs = p.vars.get(name)?;
    let exported = defs.iter().any(|d| d.export) || exported_by_name(model, &p.files, name);
    if !exported {
        return None;
    }
    let v = p.value(name)?;
    let def = defs.last()?;
    Some(Setting {
        value: v.text,
        file: def.at.file,
        span: model.stmt(def.at).span.clone(),
    })
}

/// The word starting with `prefix` (`KBUILD_BUILD_TIMESTAMP=`) in the value of
/// the innermost of the assignments `via` that has one: where a setting a recipe
/// gets through variables (`$(setup_env) $(MAKE)`) is written.
fn assignment_token(model: &Model, via: &[StmtRef], prefix: &str) -> Option<(FileId, Span)> {
    via.iter().rev().find_map(|at| {
        let StmtKind::Assign(a) = &model.stmt(*at).kind else {
            return None;
        };
        let text = &model.tree.files[at.file].text[a.value_span.clone()];
        crate::model::shell::tokenize(text, a.value_span.start)
            .into_iter()
            .find(|t| t.text.starts_with(prefix))
            .map(|t| (at.file, t.span))
    })
}

/// `export NAME` on a line of its own in one of the files.
fn exported_by_name(model: &Model, files: &[FileId], name: &str) -> bool {
    files.iter().any(|f| {
        model.makefiles[f].stmts.iter().any(|s| {
            matches!(s.kind, StmtKind::Export) && {
                let t = &model.tree.files[*f].text[s.span.clone()];
                t.split_whitespace().next() == Some("export")
                    && t.split_whitespace().skip(1).any(|w| w == name)
            }
        })
    })
}

/// Where settings for a kernel make are best added: right after the make word,
/// in the assignment that carries the kernel make's settings (`kmake`,
/// `MAKE_CLEAN` …) when the recipe goes through one, else in the recipe line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carrier {
    pub file: FileId,
    /// Insert here, after the make word.
    pub at: usize,
    /// What to point the finding at.
    pub span: Span,
    /// The variable that carries the settings, if any.
    pub variable: Option<String>,
}

impl Carrier {
    /// How messages name the kernel make: by its carrier variable when it has one.
    pub fn subject(&self) -> String {
        match &self.variable {
            Some(v) => format!("the kernel make in `{v}`"),
            None => "this kernel make".to_string(),
        }
    }
}

pub fn carrier(model: &Model, call: &MakeCall) -> Carrier {
    let make = &call.cmd.argv[0];
    // Innermost assignment whose value holds the make word itself.
    for at in make.via.iter().rev() {
        if let Some(c) = carrier_in_assignment(model, *at, &make.text) {
            return c;
        }
    }
    Carrier {
        file: call.cmd.recipe.file,
        at: make.span.end,
        span: make.span.clone(),
        variable: None,
    }
}

fn carrier_in_assignment(model: &Model, at: StmtRef, make_word: &str) -> Option<Carrier> {
    let StmtKind::Assign(a) = &model.stmt(at).kind else {
        return None;
    };
    let text = &model.tree.files[at.file].text;
    let value = &text[a.value_span.clone()];
    for tok in crate::model::shell::tokenize(value, a.value_span.start) {
        if tok.text == make_word {
            return Some(Carrier {
                file: at.file,
                at: tok.span.end,
                span: a.name_span.clone(),
                variable: Some(a.name.clone()),
            });
        }
    }
    None
}

/// The kernel makes grouped by where their settings would be added.
pub fn by_carrier<'a, 'm>(
    model: &Model,
    builds: &[&'a MakeCall<'m>],
) -> Vec<(Carrier, Vec<&'a MakeCall<'m>>)> {
    let mut groups: Vec<(Carrier, Vec<&MakeCall>)> = Vec::new();
    for b in builds {
        let c = carrier(model, b);
        match groups.iter_mut().find(|(k, _)| *k == c) {
            Some((_, v)) => v.push(b),
            None => groups.push((c, vec![b])),
        }
    }
    groups
}

/// Insert `NAME=value` settings at a carrier.
pub fn insert_settings(carrier: &Carrier, settings: &str) -> Edit {
    Edit::insert(carrier.file, carrier.at, format!(" {settings}"))
}

/// Where the tree turns ccache on, if it does.
pub fn ccache_enabled(model: &Model) -> Option<(FileId, Span)> {
    let mut files: Vec<FileId> = model.makefiles.keys().copied().collect();
    files.sort();
    for f in files {
        for s in &model.makefiles[&f].stmts {
            let hit = match &s.kind {
                StmtKind::Assign(a) => {
                    a.value
                        .split_whitespace()
                        .any(|w| w.trim_matches('"').ends_with("ccache"))
                        || a.name == "DEBIAN_KERNEL_USE_CCACHE"
                }
                StmtKind::Recipe { .. } => {
                    model.tree.files[f].text[s.span.clone()].contains("DEBIAN_KERNEL_USE_CCACHE")
                }
                _ => false,
            };
            if hit {
                return Some((f, s.span.clone()));
            }
        }
    }
    None
}

/// Where a make directive (`export …`, `include …`) can go in a makefile: at top
/// level, before the file's first rule, above the comment lines that lead into
/// it and outside any `ifeq` block. Make takes a directive between recipe lines
/// as the end of the rule and the next tab-led line as "recipe commences before
/// first target"; before the first rule nothing of the rules' recipes is split.
/// A file without rules takes it at its end. The offset is a line start.
pub fn directive_insertion(model: &Model, file: FileId) -> usize {
    let mf = &model.makefiles[&file];
    let len = model.tree.files[file].bytes().len();
    let Some(first_rule) = mf
        .stmts
        .iter()
        .position(|s| matches!(s.kind, StmtKind::Rule(_)))
    else {
        return len;
    };
    // Back to a statement at depth 0 that opens no `else`/`endif` part: the
    // outermost `ifeq` around the rule, or the rule itself.
    let mut at = first_rule;
    while at > 0
        && (mf.stmts[at].cond_depth > 0
            || matches!(
                mf.stmts[at].kind,
                StmtKind::Conditional(Directive::Else | Directive::Endif)
            ))
    {
        at -= 1;
    }
    while at > 0
        && mf.stmts[at - 1].cond_depth == 0
        && matches!(mf.stmts[at - 1].kind, StmtKind::Comment)
        && !model.tree.files[file].text[mf.stmts[at - 1].span.clone()].starts_with("#!")
    {
        at -= 1;
    }
    mf.stmts[at].span.start
}

/// The value a makefile of the tree gives a variable (any program), if any.
pub fn assigned_anywhere(model: &Model, name: &str) -> Option<String> {
    model
        .programs
        .iter()
        .find_map(|p| p.value(name))
        .map(|e| e.text)
}
