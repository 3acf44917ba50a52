//! Make *programs*: a top-level makefile with everything it includes, in the order
//! make reads it, and a small evaluator for its variables.
//!
//! Evaluation is deliberately conservative. A variable's value is the fold of its
//! assignments in read order; a value that depends on a conditional block, on `?=`
//! (the environment may win) or on a function call is marked *uncertain*, and
//! undefined variables stay as `$(NAME)` references. Rules only claim what follows
//! from certain values.

use super::makefile::{AssignOp, Makefile, StmtKind};
use super::shell::{self, TokenKind};
use crate::source::{FileId, Span};
use crate::tree::{Tree, TreeKind};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// An assignment statement: file and statement index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StmtRef {
    pub file: FileId,
    pub stmt: usize,
}

#[derive(Debug, Clone)]
pub struct VarDef {
    pub at: StmtRef,
    pub op: AssignOp,
    pub value: String,
    /// Inside a conditional block (here or around the include that brought it in).
    pub conditional: bool,
    pub export: bool,
}

#[derive(Debug, Clone)]
pub enum IncludeTarget {
    /// Files of this tree. `guessed` when the path had unresolved variables and was
    /// matched as a pattern (`$(DEBIAN)/rules.d/$(arch).mk` → every arch file).
    Files { files: Vec<FileId>, guessed: bool },
    /// A file outside the tree (`/usr/share/dpkg/buildopts.mk`).
    System(String),
    /// Relative path not present in the tree.
    Missing(String),
    /// Path made of variables we cannot resolve, matching nothing.
    Unresolved(String),
    /// Not in the tree, but the build makes it before make needs it: a rule of the
    /// program, a wrapper, a known generator ([`super::generated`]).
    Generated {
        path: String,
        by: super::generated::Maker,
    },
    /// Relative to the kernel source tree, which is not part of this tree:
    /// kernel-package's rules run there (`include Makefile` is the kernel's).
    KernelSource(String),
}

#[derive(Debug, Clone)]
pub struct IncludeEdge {
    pub at: StmtRef,
    pub path: String,
    pub target: IncludeTarget,
    pub optional: bool,
}

#[derive(Debug)]
pub struct Program {
    pub root: FileId,
    /// Statements in the order make reads them.
    pub order: Vec<StmtRef>,
    pub files: Vec<FileId>,
    /// For each included file, the include statements that led to it (outermost first).
    pub chains: HashMap<FileId, Vec<StmtRef>>,
    pub vars: HashMap<String, Vec<VarDef>>,
    pub includes: Vec<IncludeEdge>,
    /// Include statements that would include a file already being read.
    pub cycles: Vec<StmtRef>,
    /// Ubuntu's branch directory from `debian/debian.env`: the value of the
    /// `$(shell … debian/debian.env …)` idiom that sets `DEBIAN`.
    branch_dir: Option<String>,
    /// Include statements not followed because the tree's include budget
    /// ([`IncludeBudget`]) was spent.
    pub include_overflow: Vec<StmtRef>,
    /// Expanded values of variables (those that do not depend on where they are
    /// expanded), and the budget of expansion work left ([`MAX_EXPANSION_WORK`]).
    memo: Mutex<Memo>,
}

impl Clone for Program {
    fn clone(&self) -> Program {
        Program {
            root: self.root,
            order: self.order.clone(),
            files: self.files.clone(),
            chains: self.chains.clone(),
            vars: self.vars.clone(),
            includes: self.includes.clone(),
            cycles: self.cycles.clone(),
            branch_dir: self.branch_dir.clone(),
            include_overflow: self.include_overflow.clone(),
            memo: Mutex::new(self.memo.lock().map(|m| m.clone()).unwrap_or_default()),
        }
    }
}

/// What the evaluator remembers between expansions.
#[derive(Debug, Clone, Default)]
struct Memo {
    values: HashMap<String, Expansion>,
    /// Bytes of expanded text produced so far (see [`MAX_EXPANSION_WORK`]).
    work: usize,
    /// Variables whose expansion hit a budget, with the assignment that was cut.
    overflow: Vec<(String, Option<StmtRef>, &'static str)>,
}

/// Expansion budgets. GNU make itself has none (a doubling chain of 40 variables
/// is a terabyte), but a lint run must end: past a budget the text stays
/// unexpanded and uncertain, and the variable is reported ([`Program::overflows`]).
/// One expansion may produce at most this many bytes …
pub const MAX_EXPANSION_LEN: usize = 1 << 20;
/// … and all expansions of one program may copy this many bytes in all (counting
/// each level of nesting: that is the evaluator's real cost). Real trees copy
/// well under 1 MiB each; see docs/reliability.md.
pub const MAX_EXPANSION_WORK: usize = 256 << 20;

/// How many statements the programs of one tree may read in all, counting files
/// read more than once (a guessed include that matches several files, each of which
/// includes the others, is read in every order: the count grows factorially).
/// Real trees read each file about once; the budget is linear in the tree.
#[derive(Debug, Clone)]
pub struct IncludeBudget {
    pub statements_left: usize,
    /// Include paths already resolved, by including file.
    resolved: HashMap<(FileId, String), IncludeTarget>,
}

impl IncludeBudget {
    /// Four readings of every statement of the tree, and at least 100,000.
    pub fn for_tree(makefiles: &HashMap<FileId, Makefile>) -> IncludeBudget {
        let total: usize = makefiles.values().map(|m| m.stmts.len()).sum();
        IncludeBudget {
            statements_left: total.saturating_mul(4).max(100_000),
            resolved: HashMap::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Expansion {
    pub text: String,
    /// Assignments whose values were substituted, outermost first.
    pub via: Vec<StmtRef>,
    pub certain: bool,
}

/// Variables make defines itself or that come from the environment: never substituted.
const BUILTIN: &[&str] = &[
    "MAKE",
    "MAKEFLAGS",
    "MFLAGS",
    "CURDIR",
    "MAKECMDGOALS",
    "MAKEFILE_LIST",
    "SHELL",
];

const MAX_DEPTH: usize = 32;

impl Program {
    pub fn build(tree: &Tree, makefiles: &HashMap<FileId, Makefile>, root: FileId) -> Program {
        Program::build_within(
            tree,
            makefiles,
            root,
            &mut IncludeBudget::for_tree(makefiles),
        )
    }

    /// [`Program::build`], drawing on a budget shared by the programs of a tree.
    pub fn build_within(
        tree: &Tree,
        makefiles: &HashMap<FileId, Makefile>,
        root: FileId,
        budget: &mut IncludeBudget,
    ) -> Program {
        let mut p = Program {
            root,
            order: vec![],
            files: vec![],
            chains: HashMap::new(),
            vars: HashMap::new(),
            includes: vec![],
            cycles: vec![],
            branch_dir: tree.branch_dir.clone(),
            include_overflow: vec![],
            memo: Mutex::new(Memo::default()),
        };
        let mut stack = vec![root];
        p.visit(
            tree,
            makefiles,
            root,
            &mut stack,
            &mut Vec::new(),
            false,
            budget,
        );
        p
    }

    /// Variables whose expansion was cut by a budget: name, the assignment whose
    /// value was being expanded (when known), and which budget.
    pub fn overflows(&self) -> Vec<(String, Option<StmtRef>, &'static str)> {
        self.memo
            .lock()
            .map(|m| m.overflow.clone())
            .unwrap_or_default()
    }

    #[allow(clippy::too_many_arguments)]
    fn visit(
        &mut self,
        tree: &Tree,
        makefiles: &HashMap<FileId, Makefile>,
        file: FileId,
        stack: &mut Vec<FileId>,
        chain: &mut Vec<StmtRef>,
        conditional: bool,
        budget: &mut IncludeBudget,
    ) {
        let Some(mf) = makefiles.get(&file) else {
            return;
        };
        budget.statements_left = budget.statements_left.saturating_sub(mf.stmts.len().max(1));
        if !self.files.contains(&file) {
            self.files.push(file);
            if !chain.is_empty() {
                self.chains.insert(file, chain.clone());
            }
        }
        let text = &tree.files[file].text;
        for (i, stmt) in mf.stmts.iter().enumerate() {
            let at = StmtRef { file, stmt: i };
            self.order.push(at);
            let cond = conditional || stmt.cond_depth > 0;
            match &stmt.kind {
                StmtKind::Assign(a) if a.target.is_none() => {
                    let (names, certain) = self.assigned_names(&a.name);
                    for name in names {
                        self.vars.entry(name).or_default().push(VarDef {
                            at,
                            op: a.op,
                            value: a.value.clone(),
                            conditional: cond || !certain,
                            export: a.export,
                        });
                    }
                }
                StmtKind::Define { name, body } => {
                    let (names, certain) = self.assigned_names(name);
                    for name in names {
                        self.vars.entry(name).or_default().push(VarDef {
                            at,
                            op: AssignOp::Recursive,
                            value: text[body.clone()].to_string(),
                            conditional: cond || !certain,
                            export: false,
                        });
                    }
                }
                StmtKind::Include(inc) => {
                    let expanded = self.expand(&inc.paths);
                    for path in split_words(&expanded.text) {
                        // Resolved once per including file: a pattern include is a
                        // regular expression matched against every file of the tree.
                        let target = budget
                            .resolved
                            .entry((file, path.to_string()))
                            .or_insert_with(|| resolve_include(tree, &tree.files[file].rel, path))
                            .clone();
                        let edge = IncludeEdge {
                            at,
                            path: path.to_string(),
                            target: target.clone(),
                            optional: inc.optional,
                        };
                        self.includes.push(edge);
                        if let IncludeTarget::Files { files, guessed } = target {
                            for f in files {
                                if stack.contains(&f) {
                                    self.cycles.push(at);
                                    continue;
                                }
                                if stack.len() > MAX_DEPTH * 4 {
                                    continue;
                                }
                                if budget.statements_left == 0 {
                                    if !self.include_overflow.contains(&at) {
                                        self.include_overflow.push(at);
                                    }
                                    continue;
                                }
                                stack.push(f);
                                chain.push(at);
                                self.visit(
                                    tree,
                                    makefiles,
                                    f,
                                    stack,
                                    chain,
                                    cond || guessed,
                                    budget,
                                );
                                chain.pop();
                                stack.pop();
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The value of a variable, or `None` when the tree never assigns it.
    pub fn value(&self, name: &str) -> Option<Expansion> {
        let defs = self.vars.get(name)?;
        let mut text: Option<String> = None;
        let mut via: Vec<StmtRef> = vec![];
        let mut certain = true;
        for d in defs {
            match d.op {
                AssignOp::Recursive | AssignOp::Simple => {
                    match (
                        &self.branch_dir,
                        d.value.starts_with("$(shell") && d.value.contains("debian.env"),
                    ) {
                        (Some(b), true) => text = Some(b.clone()),
                        _ => text = Some(d.value.clone()),
                    }
                    via = vec![d.at];
                    certain = !d.conditional;
                }
                AssignOp::Shell => {
                    text = Some(format!("$(shell {})", d.value));
                    via = vec![d.at];
                    certain = false;
                }
                AssignOp::Conditional => {
                    if text.is_none() {
                        text = Some(d.value.clone());
                        via = vec![d.at];
                    }
                    // The environment overrides `?=`.
                    certain = false;
                }
                AssignOp::Append => {
                    text = Some(match text {
                        Some(t) if !t.is_empty() => format!("{t} {}", d.value),
                        _ => d.value.clone(),
                    });
                    via.push(d.at);
                    certain &= !d.conditional;
                }
            }
        }
        text.map(|text| Expansion { text, via, certain })
    }

    /// The names an assignment may assign, and whether that is certain. make
    /// expands a computed name (`deps-$(x) += …`) when it reads the line: a name
    /// that expands to one certain word is that word. When a reference in it is
    /// uncertain (Ubuntu's `binary-arch-deps-$(do_flavour_image_package)`, which
    /// an arch file may turn off), each value the tree gives the referenced
    /// variables (`true`, `false`) names a variable the line may assign. Anything
    /// else (a reference to a value made of references, a shell call, too many
    /// combinations) keeps the name unexpanded: it assigns nothing known.
    fn assigned_names(&mut self, name: &str) -> (Vec<String>, bool) {
        if !name.contains('$') {
            return (vec![name.to_string()], true);
        }
        // Expanded with the values read so far, not with values memoised while
        // earlier lines were read (later assignments may have changed them), and
        // without memoising these: the budgets and overflows stay as they are.
        let saved = self
            .memo
            .lock()
            .map(|mut m| std::mem::take(&mut m.values))
            .unwrap_or_default();
        let e = self.expand(name);
        if let Ok(mut m) = self.memo.lock() {
            m.values = saved;
        }
        let word = e.text.trim();
        if e.certain && !word.is_empty() && !word.contains(['$', ' ', '\t']) {
            return (vec![word.to_string()], true);
        }
        match self.candidate_names(name) {
            // Nothing known: kept under the unexpanded name, as it is written.
            names if names.is_empty() => (vec![name.to_string()], true),
            names => (names, false),
        }
    }

    /// The names `name` may expand to, from the literal values the tree assigns
    /// to each variable it references; empty when one has no such value set.
    fn candidate_names(&self, name: &str) -> Vec<String> {
        const MAX_NAMES: usize = 16;
        let b = name.as_bytes();
        let mut names = vec![String::new()];
        let mut i = 0;
        while i < b.len() {
            let open = b[i] == b'$' && matches!(b.get(i + 1), Some(b'(' | b'{'));
            if !open {
                let next = name[i..]
                    .char_indices()
                    .skip(1)
                    .find(|&(_, c)| c == '$')
                    .map_or(b.len(), |(k, _)| i + k);
                for n in &mut names {
                    n.push_str(&name[i..next]);
                }
                i = next;
                continue;
            }
            let close = if b[i + 1] == b'(' { b')' } else { b'}' };
            let Some(end) = matching_close(b, i + 1, b[i + 1], close) else {
                return vec![];
            };
            let var = &name[i + 2..end];
            let Some(defs) = self.vars.get(var) else {
                return vec![];
            };
            let mut values: Vec<&str> = vec![];
            for d in defs {
                let v = d.value.trim();
                let literal = matches!(
                    d.op,
                    AssignOp::Recursive | AssignOp::Simple | AssignOp::Conditional
                ) && !v.is_empty()
                    && !v.contains(['$', ' ', '\t']);
                if !literal {
                    return vec![];
                }
                if !values.contains(&v) {
                    values.push(v);
                }
            }
            if names.len() * values.len() > MAX_NAMES {
                return vec![];
            }
            names = names
                .iter()
                .flat_map(|n| values.iter().map(move |v| format!("{n}{v}")))
                .collect();
            i = end + 1;
        }
        names
    }

    /// Is the variable assigned anywhere in this program (even conditionally)?
    pub fn defines(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    /// Expand variable references in `text`. Function calls stay as they are
    /// (except `strip`, which is expanded and trimmed). Expansion is bounded
    /// ([`MAX_EXPANSION_LEN`], [`MAX_EXPANSION_WORK`], [`MAX_DEPTH`]): past a budget
    /// the rest stays unexpanded, the result is uncertain, and the variable is
    /// recorded in [`Program::overflows`].
    pub fn expand(&self, text: &str) -> Expansion {
        let mut out = Expansion {
            text: String::with_capacity(text.len().min(MAX_EXPANSION_LEN)),
            via: vec![],
            certain: true,
        };
        let Ok(mut memo) = self.memo.lock() else {
            out.text.push_str(text);
            out.certain = false;
            return out;
        };
        if memo.work >= MAX_EXPANSION_WORK {
            out.text.push_str(text);
            out.certain = false;
            return out;
        }
        let mut cx = Cx {
            memo: &mut memo,
            stack: Vec::new(),
            produced: 0,
            spent: false,
            cut: false,
        };
        self.expand_into(text, &mut out, &mut cx);
        if cx.spent {
            out.certain = false;
        }
        out
    }

    fn expand_into(&self, text: &str, out: &mut Expansion, cx: &mut Cx) {
        let b = text.as_bytes();
        let mut i = 0;
        let mut plain_start = 0;
        while i < b.len() {
            if cx.spent {
                return;
            }
            if b[i] != b'$' {
                i += 1;
                continue;
            }
            self.push(out, &text[plain_start..i], cx);
            match b.get(i + 1) {
                Some(b'$') => {
                    self.push(out, "$$", cx);
                    i += 2;
                }
                Some(&open @ (b'(' | b'{')) => {
                    let close = if open == b'(' { b')' } else { b'}' };
                    let Some(end) = matching_close(b, i + 1, open, close) else {
                        self.push(out, &text[i..], cx);
                        out.certain = false;
                        return;
                    };
                    let inner = &text[i + 2..end];
                    let whole = &text[i..=end];
                    self.expand_reference(inner, whole, out, cx);
                    i = end + 1;
                }
                Some(_) => {
                    // `$@`, `$<`, `$X`: automatic or one-letter variables; leave them.
                    let n = text[i + 1..]
                        .chars()
                        .next()
                        .map(char::len_utf8)
                        .unwrap_or(0);
                    self.push(out, &text[i..i + 1 + n], cx);
                    i += 1 + n;
                }
                None => {
                    self.push(out, "$", cx);
                    i += 1;
                }
            }
            plain_start = i;
        }
        self.push(out, &text[plain_start.min(text.len())..], cx);
    }

    /// Append the value of variable `name`: a budget it exceeds is charged to it
    /// when no enclosing variable is being expanded.
    fn push_value(&self, out: &mut Expansion, name: &str, value: &str, cx: &mut Cx) {
        cx.stack.push(name.to_string());
        self.push(out, value, cx);
        cx.stack.pop();
    }

    /// Append expanded text, within the budgets.
    fn push(&self, out: &mut Expansion, s: &str, cx: &mut Cx) {
        if cx.spent || s.is_empty() {
            return;
        }
        cx.produced += s.len();
        cx.memo.work += s.len();
        let budget = if cx.produced > MAX_EXPANSION_LEN {
            Some("expanded-length")
        } else if cx.memo.work > MAX_EXPANSION_WORK {
            Some("expansion-work")
        } else {
            None
        };
        let Some(budget) = budget else {
            out.text.push_str(s);
            return;
        };
        cx.spent = true;
        out.certain = false;
        let name = cx.stack.first().cloned().unwrap_or_default();
        if !cx.memo.overflow.iter().any(|(n, _, _)| *n == name) {
            let at = self.vars.get(&name).and_then(|d| d.last()).map(|d| d.at);
            cx.memo.overflow.push((name, at, budget));
        }
    }

    fn expand_reference(&self, inner: &str, whole: &str, out: &mut Expansion, cx: &mut Cx) {
        let is_name = !inner.is_empty()
            && inner
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'));
        if is_name {
            if BUILTIN.contains(&inner) {
                self.push(out, whole, cx);
                return;
            }
            if cx.stack.iter().any(|s| s == inner) || cx.stack.len() >= MAX_DEPTH {
                // Depends on where the expansion started: not memoised.
                cx.cut = true;
                self.push(out, whole, cx);
                return;
            }
            if let Some(v) = cx.memo.values.get(inner) {
                let v = v.clone();
                add_via(&mut out.via, &v.via);
                out.certain &= v.certain;
                self.push_value(out, inner, &v.text, cx);
                return;
            }
            match self.value(inner) {
                Some(v) => {
                    let mut sub = Expansion {
                        text: String::new(),
                        via: vec![],
                        certain: v.certain,
                    };
                    add_via(&mut sub.via, &v.via);
                    let outer_cut = std::mem::replace(&mut cx.cut, false);
                    cx.stack.push(inner.to_string());
                    // The sub-expansion's bytes are counted once, when they reach `out`.
                    let produced = cx.produced;
                    self.expand_into(&v.text, &mut sub, cx);
                    let spent = cx.spent;
                    cx.produced = produced;
                    cx.spent = false;
                    cx.stack.pop();
                    if !cx.cut && !spent {
                        cx.memo.values.insert(inner.to_string(), sub.clone());
                    }
                    cx.cut |= outer_cut;
                    add_via(&mut out.via, &sub.via);
                    out.certain &= sub.certain;
                    self.push_value(out, inner, &sub.text, cx);
                    if spent {
                        cx.spent = true;
                        out.certain = false;
                    }
                }
                None => self.push(out, whole, cx),
            }
            return;
        }
        if let Some(arg) = inner.strip_prefix("strip ") {
            let mut sub = Expansion {
                text: String::new(),
                via: vec![],
                certain: true,
            };
            let produced = cx.produced;
            self.expand_into(arg, &mut sub, cx);
            cx.produced = produced;
            let spent = std::mem::replace(&mut cx.spent, false);
            let stripped = sub.text.split_whitespace().collect::<Vec<_>>().join(" ");
            self.push(out, &stripped, cx);
            add_via(&mut out.via, &sub.via);
            out.certain &= sub.certain;
            if spent {
                cx.spent = true;
                out.certain = false;
            }
            return;
        }
        // Other functions and substitution references are opaque.
        self.push(out, whole, cx);
        out.certain = false;
    }
}

/// The state of one expansion.
struct Cx<'m> {
    memo: &'m mut Memo,
    /// Variables being expanded, outermost first.
    stack: Vec<String>,
    /// Bytes this expansion has produced.
    produced: usize,
    /// A budget ran out: nothing more is produced.
    spent: bool,
    /// The text depends on the stack (a cycle or the depth limit cut it).
    cut: bool,
}

/// At most this many assignments are remembered per expansion.
const MAX_VIA: usize = 256;

/// Append assignments not already listed, keeping the first occurrence's place.
fn add_via(to: &mut Vec<StmtRef>, from: &[StmtRef]) {
    for at in from {
        if to.len() >= MAX_VIA {
            return;
        }
        if !to.contains(at) {
            to.push(*at);
        }
    }
}

/// Split on whitespace outside `$(…)` / `${…}` groups.
pub fn split_words(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start: Option<usize> = None;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'(' | b'{' if i > 0 && b[i - 1] == b'$' || depth > 0 && (c == b'(' || c == b'{') => {
                depth += 1
            }
            b')' | b'}' if depth > 0 => depth -= 1,
            c if c.is_ascii_whitespace() && depth == 0 => {
                if let Some(st) = start.take() {
                    out.push(&s[st..i]);
                }
                continue;
            }
            _ => {}
        }
        if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push(&s[st..]);
    }
    out
}

/// Index of the byte closing the group opened at `open_at`.
pub fn matching_close(b: &[u8], open_at: usize, open: u8, close: u8) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open_at;
    while i < b.len() {
        if b[i] == open {
            depth += 1;
        } else if b[i] == close {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// A relative path with `.`, `..` and repeated slashes resolved lexically.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Does this file run with the kernel source tree as make's directory? make-kpkg
/// runs kernel-package's `rules` (installed as /usr/share/kernel-package/rules) and
/// its ruleset (`make -f $(DEBDIR)/ruleset/kernel_version.mk` …) inside the kernel
/// tree being packaged, not in the tree that holds them.
pub fn runs_in_kernel_source(tree: &Tree, rel: &str) -> bool {
    tree.kind == TreeKind::KernelPackage
        || rel == "kernel/rules"
        || rel.starts_with("ruleset/")
        || rel.starts_with("kernel/ruleset/")
        // make-kpkg copies the ruleset into the kernel tree it packages
        // (`debian/ruleset/`): a tree that holds it is a kernel tree, and its
        // `include Makefile` is the kernel's top-level Makefile.
        || rel.starts_with("debian/ruleset/")
}

/// Resolve an include path as make does: relative paths are relative to the
/// directory make runs in, never to the including file's (GNU make manual,
/// "Including Other Makefiles"). `debian/rules` runs from the source root, the
/// tree's root. Kernel-package's files run in the kernel source tree
/// ([`runs_in_kernel_source`]): there the including file's directory is tried as
/// a guess (the ruleset's own `$(DEBDIR)` cannot be evaluated), and a path outside
/// `debian/` is the kernel's, which this tree does not hold.
pub fn resolve_include(tree: &Tree, includer_rel: &str, path: &str) -> IncludeTarget {
    let unresolved = path.contains("$(") || path.contains("${");
    if unresolved {
        let path = path.strip_prefix("./").unwrap_or(path);
        let mut pattern = String::from("^");
        let b = path.as_bytes();
        let mut i = 0;
        let mut last = 0;
        while i < b.len() {
            if b[i] == b'$' && matches!(b.get(i + 1), Some(b'(') | Some(b'{')) {
                let (open, close) = if b[i + 1] == b'(' {
                    (b'(', b')')
                } else {
                    (b'{', b'}')
                };
                pattern.push_str(&regex::escape(&path[last..i]));
                pattern.push_str("[^/]*");
                i = matching_close(b, i + 1, open, close)
                    .map(|e| e + 1)
                    .unwrap_or(b.len());
                last = i;
                continue;
            }
            i += 1;
        }
        pattern.push_str(&regex::escape(&path[last..]));
        pattern.push('$');
        if let Ok(re) = regex::Regex::new(&pattern) {
            let files: Vec<FileId> = (0..tree.files.len())
                .filter(|&f| re.is_match(&tree.files[f].rel) && tree.files[f].rel != includer_rel)
                .collect();
            if !files.is_empty() {
                return IncludeTarget::Files {
                    files,
                    guessed: true,
                };
            }
        }
        return IncludeTarget::Unresolved(path.to_string());
    }
    if path.starts_with('/') {
        if let Some(idx) = path.find("/kernel-package/") {
            let suffix = &path[idx + "/kernel-package/".len()..];
            let files: Vec<FileId> = (0..tree.files.len())
                .filter(|&f| tree.files[f].rel.ends_with(suffix))
                .collect();
            if files.len() == 1 {
                return IncludeTarget::Files {
                    files,
                    guessed: false,
                };
            }
        }
        return IncludeTarget::System(path.to_string());
    }
    let found = |rel: &str| {
        tree.file(rel).map(|f| IncludeTarget::Files {
            files: vec![f],
            guessed: false,
        })
    };
    let rel = normalize(path);
    if let Some(t) = found(&rel) {
        return t;
    }
    if runs_in_kernel_source(tree, includer_rel) {
        let dir = includer_rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        if let Some(t) = found(&normalize(&format!("{dir}/{path}"))) {
            return t;
        }
        if !rel.starts_with("debian/") {
            return IncludeTarget::KernelSource(path.to_string());
        }
    }
    IncludeTarget::Missing(path.to_string())
}

/// A word of a command line after expansion, remembering where it came from.
#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    /// The token in the recipe line that produced this word.
    pub span: Span,
    /// Assignments substituted to produce it.
    pub via: Vec<StmtRef>,
    pub certain: bool,
    /// Written literally in the recipe (not produced by a variable).
    pub literal: bool,
    /// The text unquoted, once asked for ([`Word::unquoted`]), `None` when that is
    /// the text itself; and where its last `/`-separated part starts. Private, so a
    /// word made from another keeps no stale copy.
    unquoted: OnceLock<(Option<String>, usize)>,
}

impl Word {
    pub fn new(text: String, span: Span, via: Vec<StmtRef>, certain: bool, literal: bool) -> Word {
        Word {
            text,
            span,
            via,
            certain,
            literal,
            unquoted: OnceLock::new(),
        }
    }

    /// This word with another text (and nothing of the old one's unquoting).
    pub fn with_text(&self, text: String) -> Word {
        Word::new(
            text,
            self.span.clone(),
            self.via.clone(),
            self.certain,
            self.literal,
        )
    }

    /// The word as the shell passes it on: quotes removed, backslashes resolved
    /// ([`shell::unquote`]). Rules ask for the command's name and arguments of
    /// every command, each several times: a recipe word expanded from a long
    /// variable is unquoted once, here, not once a rule (in a Debian `rules.gen`,
    /// 15,000 calls made that two thirds of a run).
    pub fn unquoted(&self) -> &str {
        self.unquoting().0
    }

    /// The unquoted word's last `/`-separated part (a command's program name).
    pub fn basename(&self) -> &str {
        let (w, start) = self.unquoting();
        &w[start..]
    }

    fn unquoting(&self) -> (&str, usize) {
        let (owned, start) = self.unquoted.get_or_init(|| {
            let owned = memchr::memchr3(b'\'', b'"', b'\\', self.text.as_bytes())
                .map(|_| shell::unquote(&self.text));
            let w = owned.as_deref().unwrap_or(&self.text);
            let start = memchr::memrchr(b'/', w.as_bytes()).map_or(0, |i| i + 1);
            (owned, start)
        });
        (owned.as_deref().unwrap_or(&self.text), *start)
    }
}

/// One simple command of a recipe line.
#[derive(Debug, Clone)]
pub struct Command {
    pub recipe: StmtRef,
    /// `NAME=value` words before the command (including those given to `env`).
    pub env: Vec<Word>,
    pub argv: Vec<Word>,
    /// The recipe line has the `+` prefix.
    pub plus_prefix: bool,
    /// The `( … )` subshells of the recipe line the command runs in, outermost
    /// first, numbered in the order they open: a `cd` changes the directory of the
    /// commands after it whose subshells start with its own.
    pub subshells: Vec<u32>,
}

impl Command {
    pub fn name(&self) -> Option<&str> {
        self.argv.first().map(|w| w.text.as_str())
    }

    /// Basename of the command word, unquoted.
    pub fn program(&self) -> &str {
        self.argv.first().map_or("", Word::basename)
    }
}

fn is_env_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.bytes().enumerate().all(|(i, c)| {
                    c == b'_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())
                })
        }
        None => false,
    }
}

impl Program {
    /// Split a recipe line into simple commands, expanding variables word by word.
    pub fn commands(&self, tree: &Tree, recipe: StmtRef, span: &Span) -> Vec<Command> {
        let text = &tree.files[recipe.file].text[span.clone()];
        let prefix = shell::recipe_prefix(text, span.start);
        let body = &tree.files[recipe.file].text[prefix.body_start..span.end];
        let mut commands = Vec::new();
        let mut words: Vec<Word> = Vec::new();
        // The `( … )` subshells open around the words being read, by number.
        let mut scope: Vec<u32> = Vec::new();
        let mut opened = 0u32;
        // GNU make strips `@`, `-` and `+` from the start of the line after
        // expanding it (job.c, start_job_command): kbuild's and mkdebian's
        // `$(Q)$(MAKE)`, with `Q := @` or empty, is a plain `$(MAKE)`.
        let mut line_start = true;
        let mut recursive = prefix.recursive;
        let flush =
            |words: &mut Vec<Word>, commands: &mut Vec<Command>, scope: &[u32], recursive: bool| {
                if !words.is_empty() {
                    let mut c = split_env(recipe, std::mem::take(words), recursive);
                    c.subshells = scope.to_vec();
                    commands.push(c);
                }
            };
        let mut separator = |text: &str,
                             words: &mut Vec<Word>,
                             commands: &mut Vec<Command>,
                             scope: &mut Vec<u32>,
                             recursive: bool| {
            flush(words, commands, scope, recursive);
            match text {
                "(" => {
                    opened += 1;
                    scope.push(opened);
                }
                ")" => {
                    scope.pop();
                }
                _ => {}
            }
        };
        for tok in shell::tokenize(body, prefix.body_start) {
            if tok.kind == TokenKind::Separator {
                separator(&tok.text, &mut words, &mut commands, &mut scope, recursive);
                continue;
            }
            let first = std::mem::replace(&mut line_start, false);
            if !tok.text.contains('$') {
                words.push(Word::new(tok.text, tok.span, vec![], true, true));
                continue;
            }
            let mut exp = self.expand(&tok.text);
            if first && exp.text != tok.text {
                let body = exp.text.trim_start_matches(['@', '-', '+', ' ', '\t']);
                recursive |= exp.text[..exp.text.len() - body.len()].contains('+');
                exp.text = body.to_string();
            }
            if exp.text == tok.text {
                words.push(Word::new(tok.text, tok.span, vec![], exp.certain, true));
                continue;
            }
            for sub in shell::tokenize(&exp.text, 0) {
                if sub.kind == TokenKind::Separator {
                    separator(&sub.text, &mut words, &mut commands, &mut scope, recursive);
                    continue;
                }
                words.push(Word::new(
                    sub.text,
                    tok.span.clone(),
                    exp.via.clone(),
                    exp.certain,
                    false,
                ));
            }
        }
        flush(&mut words, &mut commands, &scope, recursive);
        commands
    }
}

fn split_env(recipe: StmtRef, words: Vec<Word>, plus_prefix: bool) -> Command {
    let mut env = Vec::new();
    let mut it = words.into_iter().peekable();
    loop {
        match it.peek() {
            Some(w) if is_env_assignment(&w.text) => env.push(it.next().expect("peeked")),
            Some(w) if w.text == "env" => {
                it.next();
                while let Some(w) = it.peek() {
                    if w.text == "-u" || w.text == "--unset" {
                        it.next();
                        it.next();
                    } else if w.text.starts_with('-') {
                        it.next();
                    } else if is_env_assignment(&w.text) {
                        env.push(it.next().expect("peeked"));
                    } else {
                        break;
                    }
                }
            }
            Some(w)
                if matches!(
                    w.text.as_str(),
                    "exec" | "nice" | "time" | "nohup" | "command" | "fakeroot"
                ) =>
            {
                it.next();
            }
            _ => break,
        }
    }
    Command {
        recipe,
        env,
        argv: it.collect(),
        plus_prefix,
        subshells: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::makefile;

    fn program(files: &[(&str, &str)]) -> (Tree, Program) {
        let tree = Tree::from_memory(files);
        let mfs: HashMap<FileId, Makefile> = (0..tree.files.len())
            .map(|f| (f, makefile::parse(&tree.files[f].text)))
            .collect();
        let p = Program::build(&tree, &mfs, 0);
        (tree, p)
    }

    #[test]
    fn follows_includes_and_evaluates() {
        let (tree, p) = program(&[
            ("debian/rules", "DEBIAN := debian.master\ninclude debian/rules.d/vars.mk\ninclude $(DEBIAN)/rules.d/$(arch).mk\nK = $(kmake) $(conc)\n"),
            ("debian/rules.d/vars.mk", "kmake = make ARCH=$(build_arch)\nifeq (a,b)\nconc = -j1\nendif\n"),
            ("debian.master/rules.d/amd64.mk", "build_arch = x86\n"),
        ]);
        assert_eq!(p.files.len(), 3);
        let e = p.expand("$(K) $$x $(if $(A),b)");
        assert_eq!(e.text, "make ARCH=x86 -j1 $$x $(if $(A),b)");
        assert!(!e.certain);
        assert_eq!(e.via.len(), 4);
        assert_eq!(p.chains[&2].len(), 1);
        let _ = tree;
    }

    #[test]
    fn ubuntu_branch_dir_and_shell_paths() {
        let (_, p) = program(&[
            ("debian/rules", "DEBIAN=$(shell . debian/debian.env; echo $$DEBIAN)\narch := $(shell dpkg-architecture -qDEB_HOST_ARCH)\ninclude $(DEBIAN)/rules.d/$(arch).mk\n"),
            ("debian.master/rules.d/amd64.mk", "A=1\n"),
            ("debian.master/rules.d/arm64.mk", "A=2\n"),
            ("debian.hwe/rules.d/amd64.mk", "A=3\n"),
            ("debian/debian.env", "DEBIAN=debian.master\n"),
        ]);
        match &p.includes[0].target {
            IncludeTarget::Files { files, guessed } => {
                assert_eq!((files.as_slice(), *guessed), (&[1usize, 2][..], true))
            }
            t => panic!("{t:?}"),
        }
        assert_eq!(split_words("a $(shell x y) b"), ["a", "$(shell x y)", "b"]);
    }

    /// make expands the name of an assignment when it reads the line: a certain
    /// value names one variable; an uncertain one names each variable the
    /// referenced switch's values give, as a possibility.
    #[test]
    fn computed_assignment_names() {
        let (_, p) = program(&[(
            "debian/rules",
            "arch := amd64\nflags-$(arch) = -O2\nifeq ($(X),y)\nsw = false\nendif\nsw ?= true\ndeps-$(sw) += a\ndeps-true += b\ndeps-$(sw)-x += c\nmode ?= DISABLE\nexport CCACHE_$(mode) = 1\nderived = $(sw)\nd-$(derived) = e\ndefine blk-$(arch)\nz\nendef\n",
        )]);
        let v = p.value("flags-amd64").unwrap();
        assert_eq!((v.text.as_str(), v.certain), ("-O2", true));
        let v = p.value("deps-true").unwrap();
        assert_eq!((v.text.as_str(), v.certain), ("a b", false));
        assert_eq!(p.value("deps-false").unwrap().text, "a");
        assert_eq!(p.value("deps-true-x").unwrap().text, "c");
        assert!(p.value("deps-true-x-y").is_none());
        // The one value the tree gives: not every CCACHE_ variable.
        assert!(p.value("CCACHE_DISABLE").is_some());
        assert!(p.value("CCACHE_DEPEND").is_none());
        // A switch whose value is made of references: nothing known.
        assert!(p.value("d-true").is_none());
        assert!(p.defines("d-$(derived)"));
        assert_eq!(p.value("blk-amd64").unwrap().text, "z\n");
    }

    /// A name is expanded with the values read so far, not with a value
    /// memoised while an earlier include line was expanded.
    #[test]
    fn computed_names_ignore_stale_memoised_values() {
        let (_, p) = program(&[(
            "debian/rules",
            "p = nothing\n-include $(p).mk\np = sw\n$(p) = false\n",
        )]);
        assert_eq!(p.value("sw").unwrap().text, "false");
        assert!(p.value("nothing").is_none());
    }

    /// Names with multi-byte characters, unbalanced references and many
    /// combinations do not panic and stay bounded.
    #[test]
    fn odd_computed_names() {
        let mut rules = String::from(
            "a ?= 1\na ?= 2\na ?= 3\na ?= 4\né$(a)ß = x\n$(a)$(a)$(a) = y\nq$(a = z\n",
        );
        rules.push_str("ü = 1\n");
        let (_, p) = program(&[("debian/rules", &rules)]);
        assert_eq!(p.value("é3ß").unwrap().text, "x");
        assert!(p.value("111").is_none(), "64 combinations: over the cap");
        let _ = p.value("ü");
    }

    #[test]
    fn exponential_expansion_is_cut_and_named() {
        let mut rules = String::from("v0 = abcdefgh\n");
        for i in 1..=48 {
            rules.push_str(&format!("v{i} = $(v{})$(v{})\n", i - 1, i - 1));
        }
        rules.push_str("b:\n\techo $(v48) $(v48)\n");
        let (_, p) = program(&[("debian/rules", &rules)]);
        let e = p.expand("$(v48)");
        assert!(e.text.len() <= MAX_EXPANSION_LEN, "{}", e.text.len());
        assert!(!e.certain);
        let over = p.overflows();
        assert_eq!(over.len(), 1, "{over:?}");
        assert_eq!(over[0].0, "v48");
        assert_eq!(over[0].1, Some(StmtRef { file: 0, stmt: 48 }));
        // Below the budget the value is exact and certain.
        let e = p.expand("$(v10)");
        assert_eq!((e.text.len(), e.certain), (8 << 10, true));
        assert_eq!(e.via.len(), 11, "each assignment once");
    }

    #[test]
    fn memoised_and_cut_expansions_stay_cheap() {
        // Empty values never reach a length budget: memoisation keeps this linear
        // (2^30 references otherwise). Within the depth limit.
        let mut rules = String::from("v0 =\n");
        for i in 1..=30 {
            rules.push_str(&format!("v{i} = $(v{})$(v{})\n", i - 1, i - 1));
        }
        // A cycle at every leaf: not memoisable, cut by the length budget.
        rules.push_str("c0 = $(c60)\n");
        for i in 1..=60 {
            rules.push_str(&format!("c{i} = $(c{})$(c{})\n", i - 1, i - 1));
        }
        let (_, p) = program(&[("debian/rules", &rules)]);
        let started = std::time::Instant::now();
        let e = p.expand("x$(v30)y");
        assert!(e.text == "xy" && e.certain, "{} bytes", e.text.len());
        let c = p.expand("$(c60)");
        assert!(!c.certain && c.text.len() <= MAX_EXPANSION_LEN);
        for _ in 0..200 {
            p.expand("$(c60)");
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn include_fan_out_is_bounded() {
        let mut files = vec![(
            "debian/rules".to_string(),
            "include debian/g/$(X).mk\n".to_string(),
        )];
        for i in 0..12 {
            files.push((
                format!("debian/g/f{i}.mk"),
                "include debian/g/$(X).mk\n".into(),
            ));
        }
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let started = std::time::Instant::now();
        let (_, p) = program(&files);
        assert!(!p.include_overflow.is_empty());
        assert!(p.order.len() <= 100_000 + 13, "{}", p.order.len());
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn include_cycles_terminate() {
        let (_, p) = program(&[
            ("debian/rules", "include debian/a.mk\n"),
            ("debian/a.mk", "include debian/rules\nX=1\n"),
        ]);
        assert_eq!(p.cycles.len(), 1);
        assert!(p.value("X").unwrap().certain);
    }

    #[test]
    fn conditional_default_is_uncertain() {
        let (_, p) = program(&[("debian/rules", "J ?= 1\nX := 2\nX += 3\n")]);
        assert!(!p.value("J").unwrap().certain);
        assert_eq!(p.value("X").unwrap().text, "2 3");
        assert!(p.value("X").unwrap().certain);
        assert!(p.value("UNSET").is_none());
        assert_eq!(p.expand("-j$(UNSET)").text, "-j$(UNSET)");
    }

    #[test]
    fn line_prefix_from_a_variable_is_stripped() {
        // `$(Q)` is `@` or empty; make strips `@`/`-`/`+` after expanding the line.
        let (tree, p) = program(&[(
            "debian/rules",
            "ifeq ($(V),)\nQ := @\nendif\nb:\n\t$(Q)$(MAKE) all\n\t$(Q)+$(MAKE) run-command\n",
        )]);
        let text = &tree.files[0].text;
        let line = |needle: &str| {
            let start = text.find(needle).unwrap();
            start..start + text[start..].find('\n').unwrap()
        };
        let cmds = p.commands(
            &tree,
            StmtRef { file: 0, stmt: 2 },
            &line("\t$(Q)$(MAKE) all"),
        );
        assert_eq!(cmds[0].name(), Some("$(MAKE)"));
        assert!(!cmds[0].plus_prefix);
        let cmds = p.commands(&tree, StmtRef { file: 0, stmt: 2 }, &line("\t$(Q)+"));
        assert_eq!(cmds[0].name(), Some("$(MAKE)"));
        assert!(cmds[0].plus_prefix);
    }

    #[test]
    fn commands_split_env_and_expand() {
        let (tree, p) = program(&[(
            "debian/rules",
            "setup = env -u ARCH LC_ALL=C\nb:\n\tFOO=1 $(setup) $(MAKE) -j1 all; echo done\n",
        )]);
        let span = tree.files[0].text.find("\tFOO").unwrap()..tree.files[0].text.len() - 1;
        let cmds = p.commands(&tree, StmtRef { file: 0, stmt: 2 }, &span);
        assert_eq!(cmds.len(), 2);
        assert_eq!(
            cmds[0]
                .env
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>(),
            ["FOO=1", "LC_ALL=C"]
        );
        assert_eq!(cmds[0].name(), Some("$(MAKE)"));
        assert_eq!(cmds[1].program(), "echo");
    }

    /// Commands know the `( … )` subshells they run in, also when a variable
    /// brings the parentheses.
    #[test]
    fn commands_know_their_subshells() {
        let (tree, p) = program(&[(
            "debian/rules",
            "sub = (cd x && make)\nb:\n\t(cd a; (make)) && make; $(sub); make\n",
        )]);
        let text = &tree.files[0].text;
        let start = text.find("\t(cd").unwrap();
        let span = start..text.len() - 1;
        let cmds = p.commands(&tree, StmtRef { file: 0, stmt: 2 }, &span);
        let scopes: Vec<(String, Vec<u32>)> = cmds
            .iter()
            .map(|c| (c.program().to_string(), c.subshells.clone()))
            .collect();
        assert_eq!(
            scopes,
            [
                ("cd".into(), vec![1]),
                ("make".into(), vec![1, 2]),
                ("make".into(), vec![]),
                ("cd".into(), vec![3]),
                ("make".into(), vec![3]),
                ("make".into(), vec![]),
            ]
        );
    }
}
