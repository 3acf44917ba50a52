//! A lossless, line-oriented scanner for GNU make files.
//!
//! We scan rather than build a full syntax tree: the rules need statements with exact
//! byte spans (assignments, rule headers, recipe lines with their continuations,
//! conditionals, includes, `define` blocks), and every byte of the file stays in the
//! source, so fixes are byte splices. Logical lines join backslash continuations but
//! keep the span of every physical line they cover.

use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    /// `=`
    Recursive,
    /// `:=` or `::=`
    Simple,
    /// `?=`
    Conditional,
    /// `+=`
    Append,
    /// `!=`
    Shell,
}

#[derive(Debug, Clone)]
pub struct Assignment {
    pub name: String,
    pub name_span: Span,
    pub op: AssignOp,
    /// The value with continuations folded to single spaces and any comment removed.
    pub value: String,
    /// Raw span of the value in the file.
    pub value_span: Span,
    pub export: bool,
    pub is_override: bool,
    /// Set for target-specific assignments (`target: VAR = value`).
    pub target: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RuleHeader {
    pub targets: Vec<(String, Span)>,
    pub prerequisites: String,
    pub double_colon: bool,
}

#[derive(Debug, Clone)]
pub struct Include {
    /// `-include` / `sinclude`: a missing file is not an error.
    pub optional: bool,
    pub paths: String,
    pub paths_span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive {
    If,
    Else,
    Endif,
}

#[derive(Debug, Clone)]
pub enum StmtKind {
    Assign(Assignment),
    Rule(RuleHeader),
    /// A recipe line; `rule` is the index of the rule statement it belongs to.
    Recipe {
        rule: usize,
    },
    Include(Include),
    Conditional(Directive),
    /// `define NAME` … `endef`, with the body span.
    Define {
        name: String,
        body: Span,
    },
    Export,
    Comment,
    Blank,
    Other,
}

#[derive(Debug, Clone)]
pub struct Stmt {
    /// The logical line, without its final newline.
    pub span: Span,
    /// 0-based line index of the first physical line.
    pub line: usize,
    /// Nesting depth of `ifeq`/`ifdef` blocks around this statement.
    pub cond_depth: usize,
    pub kind: StmtKind,
}

/// Something in the file make itself would reject.
#[derive(Debug, Clone)]
pub struct SyntaxProblem {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct Makefile {
    pub stmts: Vec<Stmt>,
    pub problems: Vec<SyntaxProblem>,
}

impl Makefile {
    pub fn recipes(&self) -> impl Iterator<Item = (usize, &Stmt)> {
        self.stmts
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s.kind, StmtKind::Recipe { .. }))
    }

    /// The rule a recipe line belongs to.
    pub fn rule_of(&self, recipe: usize) -> Option<&RuleHeader> {
        match self.stmts.get(recipe)?.kind {
            StmtKind::Recipe { rule } => match &self.stmts[rule].kind {
                StmtKind::Rule(r) => Some(r),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Physical lines grouped into logical lines: (span without final newline, first line index).
fn logical_lines(text: &str) -> Vec<(Span, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut line = 0;
    let mut first_line = 0;
    let mut i = 0;
    while i <= bytes.len() {
        if i == bytes.len() || bytes[i] == b'\n' {
            let mut end = i;
            if end > start && bytes[end - 1] == b'\r' {
                end -= 1;
            }
            let backslashes = bytes[..end]
                .iter()
                .rev()
                .take_while(|b| **b == b'\\')
                .count();
            let continued = backslashes % 2 == 1 && i < bytes.len();
            if !continued {
                let mut lend = i;
                if lend > start && bytes[lend - 1] == b'\r' {
                    lend -= 1;
                }
                if !(i == bytes.len() && start == i) {
                    out.push((start..lend, first_line));
                }
                start = i + 1;
                first_line = line + 1;
            }
            line += 1;
        }
        i += 1;
    }
    out
}

/// Fold `\`-newline continuations (and the whitespace around them) to one space.
pub fn fold_continuations(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c == '\\' {
            if let Some(&(_, n)) = chars.peek() {
                if n == '\n' || n == '\r' {
                    while out.ends_with([' ', '\t']) {
                        out.pop();
                    }
                    while chars.peek().is_some_and(|&(_, c)| c.is_whitespace()) {
                        chars.next();
                    }
                    out.push(' ');
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// Byte offset of the first `#` that starts a make comment, outside `$(…)`.
fn comment_start(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'$' if i + 1 < b.len() && (b[i + 1] == b'(' || b[i + 1] == b'{') => {
                depth += 1;
                i += 1;
            }
            b')' | b'}' if depth > 0 => depth -= 1,
            b'#' if depth == 0 => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

enum Split {
    Assign { at: usize, op: AssignOp, len: usize },
    Rule { at: usize, double: bool },
    None,
}

/// Find the first top-level assignment operator or rule colon.
fn split_line(s: &str) -> Split {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'$' if i + 1 < b.len() && (b[i + 1] == b'(' || b[i + 1] == b'{') => {
                depth += 1;
                i += 2;
                continue;
            }
            b'(' | b'{' if depth > 0 => depth += 1,
            b')' | b'}' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            b'=' => {
                return Split::Assign {
                    at: i,
                    op: AssignOp::Recursive,
                    len: 1,
                }
            }
            b'?' | b'+' | b'!' if b.get(i + 1) == Some(&b'=') => {
                let op = match c {
                    b'?' => AssignOp::Conditional,
                    b'+' => AssignOp::Append,
                    _ => AssignOp::Shell,
                };
                return Split::Assign { at: i, op, len: 2 };
            }
            b':' => {
                if b.get(i + 1) == Some(&b'=') {
                    return Split::Assign {
                        at: i,
                        op: AssignOp::Simple,
                        len: 2,
                    };
                }
                if b.get(i + 1) == Some(&b':') && b.get(i + 2) == Some(&b'=') {
                    return Split::Assign {
                        at: i,
                        op: AssignOp::Simple,
                        len: 3,
                    };
                }
                // `C:\` style drive letters do not occur in Debian makefiles.
                let double = b.get(i + 1) == Some(&b':');
                return Split::Rule { at: i, double };
            }
            b';' | b'#' => return Split::None,
            _ => {}
        }
        i += 1;
    }
    Split::None
}

fn trim_span(text: &str, span: Span) -> Span {
    let s = &text[span.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return span.start..span.start;
    }
    span.start + lead..span.end - trail
}

fn first_word(s: &str) -> &str {
    s.split(|c: char| c.is_whitespace()).next().unwrap_or("")
}

/// Parse an assignment `[override] [export] NAME op value` found at `op_at` within `line`.
fn parse_assignment(
    text: &str,
    line: Span,
    op_at: usize,
    op: AssignOp,
    op_len: usize,
    target: Option<String>,
) -> Option<Assignment> {
    let lhs_span = line.start..line.start + op_at;
    let mut lhs = &text[lhs_span.clone()];
    let mut lhs_start = lhs_span.start;
    let mut export = false;
    let mut is_override = false;
    loop {
        let trimmed = lhs.trim_start();
        lhs_start += lhs.len() - trimmed.len();
        lhs = trimmed;
        let w = first_word(lhs);
        if matches!(w, "export" | "override" | "private") && lhs.len() > w.len() {
            export |= w == "export";
            is_override |= w == "override";
            lhs_start += w.len();
            lhs = &lhs[w.len()..];
            continue;
        }
        break;
    }
    let name = lhs.trim_end();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    let name_span = lhs_start..lhs_start + name.len();
    let value_start = line.start + op_at + op_len;
    let mut raw_value = &text[value_start..line.end];
    if let Some(c) = comment_start(raw_value) {
        raw_value = &raw_value[..c];
    }
    let value_span = trim_span(text, value_start..value_start + raw_value.len());
    let value = fold_continuations(&text[value_span.clone()])
        .trim()
        .to_string();
    Some(Assignment {
        name: name.to_string(),
        name_span,
        op,
        value,
        value_span,
        export,
        is_override,
        target,
    })
}

pub fn parse(text: &str) -> Makefile {
    let lines = logical_lines(text);
    let mut mf = Makefile::default();
    let mut current_rule: Option<usize> = None;
    let mut cond_stack: Vec<Span> = Vec::new();
    let mut idx = 0;
    while idx < lines.len() {
        let (span, line) = lines[idx].clone();
        idx += 1;
        let raw = &text[span.clone()];
        let depth = cond_stack.len();
        let push = |mf: &mut Makefile, kind: StmtKind| {
            mf.stmts.push(Stmt {
                span: span.clone(),
                line,
                cond_depth: depth,
                kind,
            });
        };
        // Recipe lines: tab-led lines after a rule header.
        if raw.starts_with('\t') {
            if let Some(rule) = current_rule {
                push(&mut mf, StmtKind::Recipe { rule });
                continue;
            }
        }
        let trimmed = raw.trim_start();
        if trimmed.is_empty() {
            push(&mut mf, StmtKind::Blank);
            continue;
        }
        if trimmed.starts_with('#') {
            push(&mut mf, StmtKind::Comment);
            continue;
        }
        let word = first_word(trimmed);
        match word {
            "ifeq" | "ifneq" | "ifdef" | "ifndef" => {
                cond_stack.push(span.clone());
                push(&mut mf, StmtKind::Conditional(Directive::If));
                continue;
            }
            "else" => {
                if cond_stack.is_empty() {
                    mf.problems.push(SyntaxProblem {
                        span: span.clone(),
                        message: "`else` without a matching `ifeq`/`ifdef`".into(),
                    });
                }
                mf.stmts.push(Stmt {
                    span: span.clone(),
                    line,
                    cond_depth: depth.saturating_sub(1),
                    kind: StmtKind::Conditional(Directive::Else),
                });
                // `else ifeq …` opens no new level.
                continue;
            }
            "endif" => {
                if cond_stack.pop().is_none() {
                    mf.problems.push(SyntaxProblem {
                        span: span.clone(),
                        message: "`endif` without a matching `ifeq`/`ifdef`".into(),
                    });
                }
                mf.stmts.push(Stmt {
                    span: span.clone(),
                    line,
                    cond_depth: cond_stack.len(),
                    kind: StmtKind::Conditional(Directive::Endif),
                });
                continue;
            }
            "include" | "-include" | "sinclude"
                if trimmed.len() == word.len()
                    || trimmed[word.len()..].starts_with([' ', '\t']) =>
            {
                let start = span.start + (raw.len() - trimmed.len()) + word.len();
                let mut paths_raw = &text[start..span.end];
                if let Some(c) = comment_start(paths_raw) {
                    paths_raw = &paths_raw[..c];
                }
                let paths_span = trim_span(text, start..start + paths_raw.len());
                let paths = fold_continuations(&text[paths_span.clone()]);
                push(
                    &mut mf,
                    StmtKind::Include(Include {
                        optional: word != "include",
                        paths,
                        paths_span,
                    }),
                );
                current_rule = None;
                continue;
            }
            _ => {}
        }
        let define_word = trimmed
            .split_whitespace()
            .find(|w| !matches!(*w, "override" | "export" | "private"));
        if define_word == Some("define") {
            let name = trimmed
                .split_whitespace()
                .skip_while(|w| *w != "define")
                .nth(1)
                .unwrap_or("")
                .to_string();
            let body_start = (span.end + 1).min(text.len());
            let mut nest = 1;
            let mut end_span = None;
            while idx < lines.len() {
                let (s, _) = lines[idx].clone();
                idx += 1;
                let w = first_word(text[s.clone()].trim_start());
                let second = text[s.clone()].split_whitespace().nth(1);
                if w == "define"
                    || second == Some("define") && matches!(w, "override" | "export" | "private")
                {
                    nest += 1;
                } else if w == "endef" {
                    nest -= 1;
                    if nest == 0 {
                        end_span = Some(s);
                        break;
                    }
                }
            }
            match end_span {
                Some(end) => {
                    let body = body_start..end.start.max(body_start);
                    mf.stmts.push(Stmt {
                        span: span.start..end.end,
                        line,
                        cond_depth: depth,
                        kind: StmtKind::Define { name, body },
                    });
                }
                None => {
                    mf.problems.push(SyntaxProblem {
                        span: span.clone(),
                        message: format!("`define {name}` is never closed by `endef`"),
                    });
                    mf.stmts.push(Stmt {
                        span: span.start..text.len(),
                        line,
                        cond_depth: depth,
                        kind: StmtKind::Define {
                            name,
                            body: body_start..text.len(),
                        },
                    });
                }
            }
            current_rule = None;
            continue;
        }
        match split_line(raw) {
            Split::Assign { at, op, len } => {
                let kind = match parse_assignment(text, span.clone(), at, op, len, None) {
                    Some(a) => StmtKind::Assign(a),
                    None => StmtKind::Other,
                };
                push(&mut mf, kind);
                current_rule = None;
            }
            Split::Rule { at, double } => {
                let targets_text = &raw[..at];
                let mut targets = Vec::new();
                let mut off = 0;
                for w in targets_text.split(|c: char| c.is_whitespace()) {
                    if !w.is_empty() {
                        let s = span.start + off;
                        targets.push((w.to_string(), s..s + w.len()));
                    }
                    off += w.len() + 1;
                }
                let after = at + if double { 2 } else { 1 };
                let rest = &raw[after..];
                // Target-specific variable: `target: VAR = value`.
                if let Split::Assign { at: a2, op, len } = split_line(rest) {
                    if !rest[..a2].contains(';') {
                        let target = Some(targets_text.trim().to_string());
                        let kind = match parse_assignment(
                            text,
                            span.start + after..span.end,
                            a2,
                            op,
                            len,
                            target,
                        ) {
                            Some(a) => StmtKind::Assign(a),
                            None => StmtKind::Other,
                        };
                        push(&mut mf, kind);
                        current_rule = None;
                        continue;
                    }
                }
                let prereq_text = match rest.find(';') {
                    Some(semi) => &rest[..semi],
                    None => match comment_start(rest) {
                        Some(c) => &rest[..c],
                        None => rest,
                    },
                };
                let prerequisites = fold_continuations(prereq_text).trim().to_string();
                push(
                    &mut mf,
                    StmtKind::Rule(RuleHeader {
                        targets,
                        prerequisites,
                        double_colon: double,
                    }),
                );
                current_rule = Some(mf.stmts.len() - 1);
            }
            Split::None => {
                let kind = if matches!(word, "export" | "unexport") {
                    StmtKind::Export
                } else {
                    StmtKind::Other
                };
                push(&mut mf, kind);
                if !matches!(word, "export" | "unexport" | "vpath") {
                    current_rule = None;
                }
            }
        }
    }
    for open in cond_stack {
        mf.problems.push(SyntaxProblem {
            span: open,
            message: "conditional is never closed by `endif`".into(),
        });
    }
    mf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(mf: &Makefile) -> Vec<&'static str> {
        mf.stmts
            .iter()
            .map(|s| match s.kind {
                StmtKind::Assign(_) => "assign",
                StmtKind::Rule(_) => "rule",
                StmtKind::Recipe { .. } => "recipe",
                StmtKind::Include(_) => "include",
                StmtKind::Conditional(_) => "cond",
                StmtKind::Define { .. } => "define",
                StmtKind::Export => "export",
                StmtKind::Comment => "comment",
                StmtKind::Blank => "blank",
                StmtKind::Other => "other",
            })
            .collect()
    }

    #[test]
    fn classifies_statements() {
        let text = "#!/usr/bin/make -f\nA := 1\nexport B ?= x\nifeq ($(A),1)\nC += y \\\n  z\nendif\ninclude debian/rules.d/$(A).mk\nbuild: a b\n\t$(MAKE) -j1 \\\n\t  all\n\n# c\n\techo still recipe\nT: V = 2\n.NOTPARALLEL:\n";
        let mf = parse(text);
        assert_eq!(
            kinds(&mf),
            [
                "comment", "assign", "assign", "cond", "assign", "cond", "include", "rule",
                "recipe", "blank", "comment", "recipe", "assign", "rule"
            ]
        );
        let StmtKind::Assign(c) = &mf.stmts[4].kind else {
            panic!()
        };
        assert_eq!(
            (c.name.as_str(), c.op, c.value.as_str()),
            ("C", AssignOp::Append, "y z")
        );
        assert_eq!(mf.stmts[4].cond_depth, 1);
        let StmtKind::Assign(b) = &mf.stmts[2].kind else {
            panic!()
        };
        assert!(b.export);
        assert_eq!(&text[b.name_span.clone()], "B");
        let StmtKind::Assign(t) = &mf.stmts[12].kind else {
            panic!()
        };
        assert_eq!(t.target.as_deref(), Some("T"));
        assert_eq!(&text[mf.stmts[8].span.clone()], "\t$(MAKE) -j1 \\\n\t  all");
        assert!(mf.problems.is_empty());
    }

    #[test]
    fn reports_unterminated_conditional_and_define() {
        let mf = parse("ifeq (a,b)\nX = 1\ndefine F\nbody\n");
        assert_eq!(mf.problems.len(), 2);
    }

    #[test]
    fn comments_and_functions() {
        let mf = parse("X = $(shell echo a#b) # trailing\nY = a:b\n");
        let StmtKind::Assign(x) = &mf.stmts[0].kind else {
            panic!()
        };
        assert_eq!(x.value, "$(shell echo a#b)");
        let StmtKind::Assign(y) = &mf.stmts[1].kind else {
            panic!()
        };
        assert_eq!(y.value, "a:b");
    }

    #[test]
    fn crlf_and_no_final_newline() {
        let text = "A = 1\r\nb:\r\n\tcmd\r\n\tlast";
        let mf = parse(text);
        assert_eq!(kinds(&mf), ["assign", "rule", "recipe", "recipe"]);
        assert_eq!(&text[mf.stmts[3].span.clone()], "\tlast");
        assert_eq!(&text[mf.stmts[2].span.clone()], "\tcmd");
    }
}
