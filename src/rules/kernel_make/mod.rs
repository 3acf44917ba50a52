//! Make invocations of the kernel build, classified once per tree and shared by the
//! families that reason about them (parallel, determinism), plus edits that add a
//! system makefile include.
//!
//! A make builds the kernel when it runs the kernel's top-level Makefile with a goal
//! that compiles it, or with no goal at all (kbuild's default goal is `all`: vmlinux
//! and modules). Which Makefile it runs follows the recipe line: the `cd DIR &&` or
//! `cd DIR;` before it (make gives each recipe line its own shell), then its `-C`
//! options, with the makefiles' variables expanded. The kernel's directories are:
//!
//! - the package root, where debian/rules runs: debian/ sits in the kernel source,
//!   and kernel-package's rulesets run in it;
//! - every `O=` directory (a build directory of the kernel);
//! - the `-C` directory of an external-module build (`M=`, `SUBDIRS=`);
//! - every directory a goal only kbuild has runs in (`oldconfig`, `prepare`,
//!   `mrproper`, `headers_install` …).
//!
//! Makes under `tools/`, `Documentation/`, `samples/` or `scripts/<x>` run those
//! directories' own makefiles (userspace tools, lguest, helpers), and a goal list
//! without a compile goal (`dtbs`, `headers_install`, `modules_install`, configs)
//! never builds init/ or usr/, so none of them is the kernel build.

use crate::diagnostic::Diagnostic;
use crate::knowledge::{self, GoalClass};
use crate::model::invocation::{self, MakeInvocation};
use crate::model::makefile::StmtKind;
use crate::model::program::{Command, StmtRef, Word};
use crate::model::shell;
use crate::model::Model;
use crate::source::{FileId, Span};
use std::collections::HashMap;

mod dirs;
mod edits;
#[cfg(test)]
mod tests;

pub use dirs::{join_dir, non_kernel_dir, show_dir, ROOT};
pub use edits::{includes_system_makefile, system_include_edit};

/// What a make invocation does, as far as parallelism matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MakeKind {
    /// Compiles the kernel or modules (or runs kbuild's packaging, which does).
    KernelBuild,
    /// Configuration or tree preparation only.
    Prepare,
    /// Runs another packaging makefile (`$(MAKE) -f debian/rules.gen …`).
    SubMake,
    /// Anything else: installs, cleaning, device trees, tools, tests.
    Other,
}

/// One link of the chain that makes a make the kernel build: a place in the tree
/// and what it contributes, for a finding's notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub file: FileId,
    pub span: Span,
    pub text: String,
}

pub struct MakeCall<'m> {
    pub cmd: &'m Command,
    pub program: usize,
    pub inv: MakeInvocation,
    pub kind: MakeKind,
    /// The directory whose makefile make reads, normalised (`""` is the package
    /// root): the recipe line's `cd`s, then the `-C` options, then the directory of
    /// a `-f` file.
    pub dir: String,
    /// Why it is the kernel build (or why not), in a few words.
    pub reason: String,
    /// A kernel build because it names no goal (kbuild's default `all`) where the
    /// kernel is, rather than because of a goal on the line.
    pub default_goal: bool,
    /// Where that comes from: the `cd` and `-C` words and the variables that carry
    /// them, and the make that shows the directory is the kernel's.
    pub why: Vec<Step>,
}

/// Goals that makefiles other than kbuild's commonly have too: running one in a
/// directory does not show the directory is the kernel's.
const GENERIC_GOALS: &[&str] = &[
    "all",
    "clean",
    "install",
    "distclean",
    "help",
    "tags",
    "TAGS",
    "man",
    "modules",
    "modules_install",
];

/// Variables that make a kbuild make build external modules (no vmlinux).
const EXTERNAL_MODULES: &[&str] = &["M", "SUBDIRS", "KBUILD_EXTMOD"];

/// The assignment among `via` (innermost first) whose value holds `needle` as a
/// word: the variable that carries that word into the recipe.
pub fn assignment_holding(model: &Model, via: &[StmtRef], needle: &str) -> Option<StmtRef> {
    via.iter().rev().copied().find(|at| {
        let StmtKind::Assign(a) = &model.stmt(*at).kind else {
            return false;
        };
        let text = &model.tree.files[at.file].text[a.value_span.clone()];
        shell::tokenize(text, 0).iter().any(|t| t.text == needle)
    })
}

fn assignment_name(model: &Model, at: StmtRef) -> Option<(String, Span)> {
    match &model.stmt(at).kind {
        StmtKind::Assign(a) => Some((a.name.clone(), a.name_span.clone())),
        _ => None,
    }
}

/// Steps for a directory word of the recipe (a `cd` target, a `-C` value): the
/// word, then the variables it comes through, outermost first: the one that
/// brings `head` (the command or option word) and those that make up the path.
fn word_steps(model: &Model, file: FileId, w: &Word, head: &str, text: String) -> Vec<Step> {
    let mut out = vec![Step {
        file,
        span: w.span.clone(),
        text,
    }];
    if w.literal {
        return out;
    }
    let brings = assignment_holding(model, &w.via, head);
    let mut seen: Vec<StmtRef> = Vec::new();
    for at in w.via.iter().copied() {
        if seen.contains(&at) || seen.len() == 3 {
            continue;
        }
        seen.push(at);
        let Some((name, span)) = assignment_name(model, at) else {
            continue;
        };
        let text = if brings == Some(at) {
            format!("`{name}` brings the `{head}`")
        } else {
            format!("the directory comes from `{name}`")
        };
        out.push(Step {
            file: at.file,
            span,
            text,
        });
    }
    out
}

/// The directory a `cd` (or `pushd`) command changes into.
fn cd_target(cmd: &Command) -> Option<&Word> {
    if !matches!(cmd.program(), "cd" | "pushd") {
        return None;
    }
    cmd.argv[1..]
        .iter()
        .find(|w| !matches!(w.text.as_str(), "-P" | "-L" | "-e" | "-@" | "--"))
}

/// The `NAME=value` command-line variable of a make, if given.
pub fn make_variable<'c>(
    cmd: &'c Command,
    inv: &MakeInvocation,
    name: &str,
) -> Option<(&'c Word, String)> {
    inv.variables.iter().find_map(|&i| {
        let w = &cmd.argv[i];
        let (n, v) = w.text.split_once('=')?;
        (n == name).then(|| (w, v.to_string()))
    })
}

/// The kernel directories of the tree, each with the step that shows it.
fn kernel_dirs(calls: &[MakeCall]) -> HashMap<String, Step> {
    let mut dirs: HashMap<String, Step> = HashMap::new();
    for call in calls {
        if non_kernel_dir(&call.dir).is_some() || submake(&call.inv) {
            continue;
        }
        let file = call.cmd.recipe.file;
        if let Some((w, v)) = make_variable(call.cmd, &call.inv, "O") {
            let d = join_dir(&call.dir, &v);
            dirs.entry(d.clone()).or_insert_with(|| Step {
                file,
                span: w.span.clone(),
                text: format!(
                    "`O=` makes {} a build directory of the kernel",
                    show_dir(&d)
                ),
            });
        }
        if let Some((w, _)) = EXTERNAL_MODULES
            .iter()
            .find_map(|n| make_variable(call.cmd, &call.inv, n))
        {
            if !call.inv.directories.is_empty() {
                dirs.entry(call.dir.clone()).or_insert_with(|| Step {
                    file,
                    span: w.span.clone(),
                    text: format!(
                        "external modules build against {}: that is the kernel",
                        show_dir(&call.dir)
                    ),
                });
            }
        }
        for w in call.inv.target_words(call.cmd) {
            let g = w.unquoted();
            if g.contains('$') || GENERIC_GOALS.contains(&g) {
                continue;
            }
            if knowledge::goal_class(g).is_some() {
                dirs.entry(call.dir.clone()).or_insert_with(|| Step {
                    file,
                    span: w.span.clone(),
                    text: format!(
                        "`{g}`, a goal only kbuild has, runs in {}: that is the kernel",
                        show_dir(&call.dir)
                    ),
                });
                break;
            }
        }
    }
    dirs
}

/// Every make invocation of the tree's recipes, classified.
pub fn make_calls<'m>(model: &'m Model) -> Vec<MakeCall<'m>> {
    // 1. Where each make runs.
    let mut calls: Vec<MakeCall> = Vec::new();
    let mut line: Option<StmtRef> = None;
    let mut cds: Vec<(&Command, &Word)> = Vec::new();
    for (p, cmd) in &model.commands {
        if line != Some(cmd.recipe) {
            line = Some(cmd.recipe);
            cds.clear();
        }
        if let Some(w) = cd_target(cmd) {
            cds.push((cmd, w));
            continue;
        }
        let Some(inv) = invocation::parse_make(cmd) else {
            continue;
        };
        let file = cmd.recipe.file;
        let mut dir = ROOT.to_string();
        let mut why = Vec::new();
        for (c, w) in &cds {
            if cmd.subshells.starts_with(&c.subshells) {
                dir = join_dir(&dir, &w.text);
                let text = format!("`cd` into {}", show_dir(&dir));
                why.extend(word_steps(model, file, w, "cd", text));
            }
        }
        for (i, d) in &inv.directories {
            dir = join_dir(&dir, d);
            let w = &cmd.argv[*i];
            if !w.literal {
                let head = if cmd.argv[i - 1].text == "-C" {
                    "-C"
                } else {
                    w.text.as_str()
                };
                let text = format!("`-C` into {}", show_dir(&dir));
                why.extend(word_steps(model, file, w, head, text));
            }
        }
        if let Some((_, f)) = &inv.makefile {
            if let Some((parent, _)) = f.rsplit_once('/') {
                dir = join_dir(&dir, if parent.is_empty() { "/" } else { parent });
            }
        }
        calls.push(MakeCall {
            cmd,
            program: *p,
            inv,
            kind: MakeKind::Other,
            dir,
            reason: String::new(),
            default_goal: false,
            why,
        });
    }
    // 2. Which directories are the kernel's.
    let dirs = kernel_dirs(&calls);
    // 3. What each make does.
    for call in &mut calls {
        let v = classify(model, call, &dirs);
        call.kind = v.kind;
        call.reason = v.reason;
        call.default_goal = v.default_goal;
        call.why.extend(v.evidence);
    }
    calls
}

fn submake(inv: &MakeInvocation) -> bool {
    inv.makefile.as_ref().is_some_and(|(_, f)| {
        let name = f.rsplit('/').next().unwrap_or(f);
        name.starts_with("rules") || f.contains("debian/")
    })
}

/// What [`classify`] decides about one make.
struct Verdict {
    kind: MakeKind,
    reason: String,
    default_goal: bool,
    evidence: Option<Step>,
}

impl Verdict {
    fn new(kind: MakeKind, reason: String) -> Verdict {
        Verdict {
            kind,
            reason,
            default_goal: false,
            evidence: None,
        }
    }

    /// A kernel build through kbuild's default goal.
    fn default_goal(reason: String, evidence: Option<Step>) -> Verdict {
        Verdict {
            kind: MakeKind::KernelBuild,
            reason: format!("no goal, so kbuild's default `all`, {reason}"),
            default_goal: true,
            evidence,
        }
    }
}

/// Classify one make, given the kernel directories of the tree.
fn classify(model: &Model, call: &MakeCall, dirs: &HashMap<String, Step>) -> Verdict {
    let (cmd, inv) = (call.cmd, &call.inv);
    if submake(inv) {
        return Verdict::new(MakeKind::SubMake, "runs another packaging makefile".into());
    }
    if let Some(part) = non_kernel_dir(&call.dir) {
        let reason = format!(
            "runs the makefile of {}, under `{part}/`, not the kernel's",
            show_dir(&call.dir)
        );
        return Verdict::new(MakeKind::Other, reason);
    }
    if let Some((_, f)) = &inv.makefile {
        let name = f.rsplit('/').next().unwrap_or(f);
        if !matches!(name, "Makefile" | "makefile" | "GNUmakefile") {
            return Verdict::new(MakeKind::Other, format!("runs `{f}`"));
        }
    }
    if let Some((w, _)) = EXTERNAL_MODULES
        .iter()
        .find_map(|n| make_variable(cmd, inv, n))
    {
        let name = w.text.split('=').next().unwrap_or_default();
        let reason = format!("`{name}=` builds external modules only");
        return Verdict::new(MakeKind::Other, reason);
    }
    let mut classes = Vec::new();
    for w in inv.target_words(cmd) {
        if w.text.contains('$') {
            // A goal held by a variable the evaluation could not reach (set in a
            // per-arch file, or in a makefile this one does not include): its
            // goals, when every assignment of it in the tree is literal.
            for g in assigned_goals(model, &w.text).unwrap_or_default() {
                classes.push((knowledge::goal_class(&g), g));
            }
            continue;
        }
        let g = w.unquoted().to_string();
        classes.push((knowledge::goal_class(&g), g));
    }
    if let Some((_, g)) = classes
        .iter()
        .find(|(c, _)| matches!(c, Some(GoalClass::Build) | Some(GoalClass::Package)))
    {
        return Verdict::new(MakeKind::KernelBuild, format!("goal `{g}`"));
    }
    if !classes.is_empty() {
        let kind = if classes.iter().all(|(c, _)| *c == Some(GoalClass::Prepare)) {
            MakeKind::Prepare
        } else {
            MakeKind::Other
        };
        let goals: Vec<String> = classes.iter().map(|(_, g)| format!("`{g}`")).collect();
        return Verdict::new(kind, format!("goals {} only", goals.join(" ")));
    }
    // No goal make could read (none, or only variables we cannot expand): kbuild's
    // default goal `all` where the kernel is.
    if call.dir == ROOT {
        return Verdict::default_goal("at the package root".into(), None);
    }
    if let Some(step) = dirs.get(&call.dir) {
        let reason = format!("in {}", show_dir(&call.dir));
        return Verdict::default_goal(reason, Some(step.clone()));
    }
    let kbuild = knowledge::table("kbuild-variables");
    if let Some(w) = inv.variables.iter().map(|&i| &cmd.argv[i]).find(|w| {
        w.text
            .split_once('=')
            .is_some_and(|(n, _)| kbuild.contains(n))
    }) {
        let name = w.text.split('=').next().unwrap_or_default();
        let step = Step {
            file: cmd.recipe.file,
            span: w.span.clone(),
            text: format!("`{name}=` is a kbuild variable"),
        };
        let reason = format!(
            "in {}, with `{name}=`, a kbuild variable",
            show_dir(&call.dir)
        );
        return Verdict::default_goal(reason, Some(step));
    }
    let reason = format!(
        "no goal, in {}, not known as the kernel's",
        show_dir(&call.dir)
    );
    Verdict::new(MakeKind::Other, reason)
}

/// The goals a word that is one variable reference (`$(defconfig)`) can stand for:
/// the words of every value the tree's makefiles assign to it, when there is at
/// least one assignment and each is literal. Hardy's `$(hmake) … $(defconfig)`
/// takes `defconfig = defconfig` from the arch files: a configuration goal, not
/// kbuild's default goal. `None` when any value is unknown (a reference, an
/// empty value, `+=`, `!=`).
fn assigned_goals(model: &Model, word: &str) -> Option<Vec<String>> {
    let inner = word
        .strip_prefix("$(")
        .and_then(|w| w.strip_suffix(')'))
        .or_else(|| word.strip_prefix("${").and_then(|w| w.strip_suffix('}')))?;
    if inner.is_empty()
        || !inner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return None;
    }
    let mut goals = Vec::new();
    let mut files: Vec<&FileId> = model.makefiles.keys().collect();
    files.sort();
    for f in files {
        for stmt in &model.makefiles[f].stmts {
            let StmtKind::Assign(a) = &stmt.kind else {
                continue;
            };
            if a.name != inner {
                continue;
            }
            let value = a.value.trim();
            if value.is_empty()
                || value.contains('$')
                || matches!(
                    a.op,
                    crate::model::makefile::AssignOp::Append
                        | crate::model::makefile::AssignOp::Shell
                )
            {
                return None;
            }
            goals.extend(value.split_whitespace().map(str::to_string));
        }
    }
    (!goals.is_empty()).then_some(goals)
}

impl MakeCall<'_> {
    /// How a finding at this make's own line names it: `this kernel make`, with the
    /// reason when no goal on the line shows it.
    pub fn subject(&self) -> String {
        if self.default_goal {
            format!("this kernel make ({})", self.reason)
        } else {
            "this kernel make".to_string()
        }
    }
}

/// Notes that name the chain behind a finding about kernel makes: for each make
/// (up to three), the variable that holds the make word, the make and why it is
/// the kernel build (unless the finding is on its line), the `cd`/`-C` words and
/// the variables that carry them, and what shows their directory is the kernel's.
/// Nothing is noted twice, nor at the finding's own span.
pub fn note_chain(model: &Model, d: &mut Diagnostic, calls: &[&MakeCall]) {
    let mut seen: Vec<(FileId, Span)> = vec![(d.file, d.span.clone())];
    seen.extend(d.notes.iter().map(|n| (n.file, n.span.clone())));
    let mut add = |d: &mut Diagnostic, file: FileId, span: &Span, text: String| {
        if seen.iter().any(|(f, s)| *f == file && s == span) {
            return;
        }
        seen.push((file, span.clone()));
        d.with_note_mut(file, span.clone(), text);
    };
    for call in calls.iter().take(3) {
        let make = &call.cmd.argv[0];
        if !make.literal {
            if let Some(at) = assignment_holding(model, &make.via, &make.text) {
                if let Some((name, span)) = assignment_name(model, at) {
                    add(d, at.file, &span, format!("`{name}` holds the kernel make"));
                }
            }
        }
        // A finding on the make's own line shows the make already.
        let line = &model.stmt(call.cmd.recipe).span;
        if d.file != call.cmd.recipe.file || !line.contains(&d.span.start) {
            add(
                d,
                call.cmd.recipe.file,
                &make.span,
                format!("used by this kernel build: {}", call.reason),
            );
        }
        for s in &call.why {
            add(d, s.file, &s.span, s.text.clone());
        }
    }
}
