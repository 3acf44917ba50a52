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

use crate::diagnostic::{Diagnostic, Edit};
use crate::knowledge::{self, GoalClass};
use crate::model::invocation::{self, MakeInvocation};
use crate::model::makefile::StmtKind;
use crate::model::program::{Command, IncludeTarget, Program, StmtRef, Word};
use crate::model::shell;
use crate::model::Model;
use crate::source::{FileId, Span};
use std::collections::HashMap;

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

/// The package root, as [`MakeCall::dir`] spells it.
pub const ROOT: &str = "";

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

/// `${NAME}` → `$(NAME)`, so both spellings of a reference compare equal.
fn parens(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // For each open group: the byte that closes it, and what to write for it.
    let mut open: Vec<(char, char)> = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && matches!(chars.peek(), Some('{') | Some('(')) {
            let o = chars.next().expect("peeked");
            open.push((if o == '{' { '}' } else { ')' }, ')'));
            out.push_str("$(");
            continue;
        }
        match c {
            '(' => open.push((')', ')')),
            '{' => open.push(('}', '}')),
            c if open.last().is_some_and(|(close, _)| *close == c) => {
                let (_, write) = open.pop().expect("checked");
                out.push(write);
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// References that name the package root, where debian/rules runs.
const ROOT_NAMES: &[&str] = &["$(CURDIR)", "$(shell pwd)", "$(PWD)", "$(srctree)", "`pwd`"];

/// The directory `path` (a word of a recipe, as expanded) names when the shell is
/// in `cwd`, normalised: quotes removed, `${X}` spelt `$(X)`, `.` and `..` folded,
/// `$(CURDIR)` and friends the package root (`""`). A path that starts with a
/// variable or `/` does not depend on `cwd`.
pub fn join_dir(cwd: &str, path: &str) -> String {
    let p = parens(&shell::unquote(path));
    let mut rest = p.as_str();
    let mut base = cwd;
    let absolute = rest.starts_with('/');
    if let Some(r) = ROOT_NAMES.iter().find_map(|n| rest.strip_prefix(n)) {
        if r.is_empty() || r.starts_with('/') {
            base = ROOT;
            rest = r;
        }
    }
    if absolute || rest.starts_with('$') {
        base = ROOT;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(rest.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Does the directory hold a makefile other than the kernel's own: a userspace
/// tool (`tools/…`), documentation (`Documentation/lguest`), samples, or a helper
/// under `scripts/`? Paths inside unexpanded functions count too
/// (`$(wildcard Documentation/lguest tools/lguest)`).
pub fn non_kernel_dir(dir: &str) -> Option<&str> {
    let parts: Vec<&str> = dir
        .split(|c: char| c == '/' || c == ',' || c == '(' || c == ')' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    parts.iter().enumerate().find_map(|(i, p)| match *p {
        "tools" | "Documentation" | "samples" => Some(*p),
        "scripts" if i + 1 < parts.len() => Some("scripts"),
        _ => None,
    })
}

/// How a make names a directory in messages: `the package root` or `` `dir` ``.
pub fn show_dir(dir: &str) -> String {
    if dir.is_empty() {
        "the package root".to_string()
    } else {
        format!("`{dir}`")
    }
}

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
        let v = classify(call, &dirs);
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
fn classify(call: &MakeCall, dirs: &HashMap<String, Step>) -> Verdict {
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

/// Does the program include the system makefile `/usr/share/…/<name>`?
pub fn includes_system_makefile(p: &Program, name: &str) -> bool {
    p.includes.iter().any(
        |e| matches!(&e.target, IncludeTarget::System(s) if s.rsplit('/').next() == Some(name)),
    )
}

/// Include a system makefile (`/usr/share/dpkg/buildopts.mk`) in a program's top
/// file, unless it does already: after the `#!` line and the comment block that
/// follows it.
pub fn system_include_edit(model: &Model, program: &Program, path: &str) -> Option<Edit> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if includes_system_makefile(program, name) {
        return None;
    }
    let file = &model.tree.files[program.root];
    let mut line = 0;
    if file.line_text(0).starts_with("#!") {
        line = 1;
        while line < file.line_count() && file.line_text(line).starts_with('#') {
            line += 1;
        }
    }
    let at = file
        .line_span(line)
        .map(|s| s.start)
        .unwrap_or(file.bytes().len());
    let mut content = String::new();
    if at == file.bytes().len() && at > 0 && !file.text.ends_with('\n') {
        content.push('\n');
    }
    content.push_str(&format!("include {path}\n"));
    Some(Edit::insert(program.root, at, content))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Tree;

    /// Each make of a debian/rules, by line: its kind and directory.
    fn makes(rules: &str) -> Vec<(usize, MakeKind, String)> {
        let tree = Tree::from_memory(&[("debian/rules", rules)]);
        let model = Model::build(&tree);
        make_calls(&model)
            .iter()
            .map(|c| {
                let line = tree.files[c.cmd.recipe.file]
                    .line_col(c.cmd.argv[0].span.start)
                    .0;
                (line, c.kind, c.dir.clone())
            })
            .collect()
    }

    fn kinds(rules: &str) -> Vec<(usize, MakeKind)> {
        makes(rules).into_iter().map(|(l, k, _)| (l, k)).collect()
    }

    use MakeKind::{KernelBuild as K, Other as O, Prepare as P, SubMake as S};

    #[test]
    fn directories_are_normalised_and_joined() {
        for (cwd, path, want) in [
            ("", "$(CURDIR)/debian/build", "debian/build"),
            ("", "'${KERNEL_SRC}'", "$(KERNEL_SRC)"),
            ("", "./linux/", "linux"),
            ("a", "b/../c", "a/c"),
            ("a", ".", "a"),
            ("a", "..", ""),
            ("a", "$(B)/tools/perf", "$(B)/tools/perf"),
            ("a", "/usr/src/linux", "/usr/src/linux"),
            ("a", "$(CURDIR)", ""),
            ("a", "\"$(shell pwd)/x\"", "x"),
            ("", "${A}/${B}", "$(A)/$(B)"),
            ("", "$(word 1,$(wildcard a b))", "$(word 1,$(wildcard a b))"),
        ] {
            assert_eq!(join_dir(cwd, path), want, "{cwd} + {path}");
        }
    }

    #[test]
    fn tool_documentation_and_helper_dirs() {
        for d in [
            "tools/perf",
            "debian/build/tools-perarch/tools/power/x86/turbostat",
            "$(word 1,$(wildcard Documentation/lguest tools/lguest))",
            "samples/bpf",
            "scripts/kconfig",
        ] {
            assert!(non_kernel_dir(d).is_some(), "{d}");
        }
        for d in [
            "",
            "debian/build/tools-perarch",
            "$(DIR)",
            "scripts",
            "linux",
        ] {
            assert_eq!(non_kernel_dir(d), None, "{d}");
        }
    }

    /// `cd DIR &&` and `cd DIR;` hold for the rest of the recipe line, not inside
    /// a `( … )` that ended, and not on the next line.
    #[test]
    fn cd_in_the_recipe_line() {
        let got = makes(
            "B := $(CURDIR)/b\nx:\n\tcd $(B)/tools/hv && make CROSS_COMPILE=x-\n\tmake ARCH=x86\n\t(cd tools/perf; make ARCH=x86); make ARCH=x86\n\tcd $(B); make\n",
        );
        assert_eq!(
            got,
            [
                (3, O, "b/tools/hv".into()),
                (4, K, "".into()),
                (5, O, "tools/perf".into()),
                (5, K, "".into()),
                (6, O, "b".into()),
            ]
        );
    }

    /// Variables bring the `cd` (Ubuntu's `build_cd`) and the make word.
    #[test]
    fn cd_through_a_variable() {
        let got = makes(
            "build_cd = cd $(CURDIR)/debian/build/build-$*; #\nkmake = make ARCH=x86\nx:\n\t$(build_cd) $(kmake) O=. prepare\n\t$(build_cd) $(kmake)\n\tcd debian/build/other && $(kmake)\n",
        );
        assert_eq!(
            got,
            [
                (4, P, "debian/build/build-$*".into()),
                (5, K, "debian/build/build-$*".into()),
                (6, K, "debian/build/other".into()),
            ]
        );
        let tree = Tree::from_memory(&[(
            "debian/rules",
            "build_cd = cd $(CURDIR)/b; #\nx:\n\t$(MAKE) O=b oldconfig\n\t$(build_cd) $(MAKE)\n",
        )]);
        let model = Model::build(&tree);
        let calls = make_calls(&model);
        let why: Vec<&str> = calls[1].why.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            why,
            [
                "`cd` into `b`",
                "`build_cd` brings the `cd`",
                "`O=` makes `b` a build directory of the kernel"
            ]
        );
        assert!(calls[1].default_goal);
    }

    /// A directory is the kernel's when `O=` names it, when external modules
    /// build against it, or when a goal only kbuild has runs there; goal-less
    /// makes elsewhere are not the kernel build.
    #[test]
    fn kernel_directories() {
        let got = kinds(
            "x:\n\t$(MAKE) -C $(KSRC) oldconfig\n\t$(MAKE) -C $(KSRC) EXTRA=1\n\t$(MAKE) -C $(MODS)/zfs\n\t$(MAKE) -C $(MODS)/zfs modules_install\n\t$(MAKE) -C $(MODS)/zfs\n\t$(MAKE) -C $(KDIR) M=$(CURDIR)/ext modules\n\t$(MAKE) -C $(KDIR)\n\t$(MAKE) -C '$(SRC)' O='$(CURDIR)/$(DIR)' listnewconfig\n\t$(MAKE) -C '$(DIR)' $(BUILD_TARGET)\n",
        );
        assert_eq!(
            got,
            [
                (2, P),
                (3, K),
                (4, O),
                (5, O),
                (6, O),
                (7, O),
                (8, K),
                (9, P),
                (10, K),
            ]
        );
    }

    #[test]
    fn goals_decide_first() {
        let got = kinds(
            "x:\n\t$(MAKE) ARCH=arm64 dtbs\n\t$(MAKE) ARCH=arm64 Image modules dtbs\n\t$(MAKE) -j1 syncconfig prepare scripts\n\t$(MAKE) headers_install\n\t$(MAKE) oldconfig >/dev/null\n\t$(MAKE) -C tools/perf all\n\t$(MAKE) -C $(X) bindeb-pkg\n",
        );
        assert_eq!(
            got,
            [(2, O), (3, K), (4, P), (5, O), (6, P), (7, O), (8, K)]
        );
    }

    #[test]
    fn makefiles_and_variables() {
        let got = kinds(
            "srctree ?= .\nx:\n\t$(MAKE) ARCH=arm64 -f $(srctree)/Makefile\n\t$(MAKE) -f scripts/Makefile.build obj=x\n\t$(MAKE) -f debian/rules.gen build\n\t$(MAKE) -f other.mk\n\t$(MAKE) -C $(ELSEWHERE) $(GOAL)\n\t$(MAKE) -C $(ELSEWHERE) ARCH=x86\n\t$(MAKE) $(GOAL)\n",
        );
        assert_eq!(
            got,
            [(3, K), (4, O), (5, S), (6, O), (7, O), (8, K), (9, K)]
        );
    }
}
