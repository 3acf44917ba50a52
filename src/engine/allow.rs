//! `--add-allow`: a `# kpkg-lint: allow(rule)` comment above every current
//! finding (ruff's `--add-noqa`), for adopting kpkg-lint on a tree whose known
//! findings are to be dealt with later. A comment goes only where the tools that
//! read the file take it for a comment:
//!
//! * makefiles: a line of its own at column 0 above the statement. GNU make
//!   ignores lines that hold only a comment, also among a rule's recipe lines;
//!   one indented with a tab would be a recipe line handed to the shell. A
//!   statement continued with `\` gets its comment above its first line (a line
//!   put between would end the continuation), and the suppression covers the
//!   continuation lines. Nothing is written inside `define … endef`, where a
//!   comment line becomes part of the variable's value.
//! * control files (`debian/control`, `control.stub.in`, `*.control.in`): a `#`
//!   line at column 0 right above the finding's line. dpkg-source and
//!   dpkg-gencontrol read these files with Dpkg::Control::HashCore, which skips
//!   every line starting with `#`, between fields and between the continuation
//!   lines of one field alike; Debian's gencontrol (debian_linux' deb822 reader)
//!   drops them the same way. (dpkg's C parser, lib/dpkg/parse.c, knows no
//!   comments, but it reads binary packages' control files and dpkg's database,
//!   which dpkg-gencontrol writes from the parsed fields, without comments.)
//!
//! Other files (changelogs, kernel configs, annotations, patches) and files a
//! generator writes again are left alone: the findings there are listed, for the
//! overrides file or a baseline.

use crate::diagnostic::{Diagnostic, Edit, NewFile, Rule};
use crate::model::FileKind;
use crate::source::{FileId, SourceFile};
use crate::tree::Tree;
use std::collections::BTreeMap;

const MARK: &str = "kpkg-lint: allow(";

/// What `--add-allow` does to one tree.
pub struct AllowPlan {
    /// The tree with the comments written.
    pub tree: Tree,
    /// Findings a comment now covers.
    pub placed: usize,
    /// Findings that get no comment, with why.
    pub skipped: Vec<(usize, String)>,
}

/// Plan the comments for `diags` (the findings of `tree`, as reported).
pub fn add_allow(tree: &Tree, diags: &[Diagnostic]) -> AllowPlan {
    let origins = crate::model::origin::origins(tree);
    // (file, 0-based line the comment goes above) → rule names
    let mut places: BTreeMap<(FileId, usize), Vec<&'static str>> = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut placed = 0;
    for (i, d) in diags.iter().enumerate() {
        if d.overridden.is_some() || d.rule == Rule::UnusedSuppression {
            continue;
        }
        match place(tree, &origins, d) {
            Ok(line) => {
                let names = places.entry((d.file, line)).or_default();
                if !names.contains(&d.rule.name()) {
                    names.push(d.rule.name());
                }
                placed += 1;
            }
            Err(why) => skipped.push((i, why)),
        }
    }
    let mut edits: Vec<Edit> = Vec::new();
    for ((file, line), names) in &places {
        edits.push(comment_edit(&tree.files[*file], *file, *line, names));
    }
    let fixes = [(Rule::UnusedSuppression, edits, Vec::<NewFile>::new())];
    AllowPlan {
        tree: crate::fix::apply_pass(tree, &fixes),
        placed,
        skipped,
    }
}

/// The line a comment for `d` goes above, or why there is none.
fn place(
    tree: &Tree,
    origins: &[(FileId, crate::model::origin::Origin)],
    d: &Diagnostic,
) -> Result<usize, String> {
    let f = &tree.files[d.file];
    if !crate::fix::editable(tree, d.file) {
        return Err(format!("{} was not read whole", f.display));
    }
    if let Some((_, o)) = origins
        .iter()
        .find(|(id, o)| *id == d.file && o.regenerated)
    {
        return Err(format!(
            "{} is written by {}: a comment there is lost",
            f.rel, o.written_by
        ));
    }
    let line = f.line_index(d.span.start);
    match crate::model::classify_file(&f.rel, &f.text) {
        FileKind::Makefile => {
            let start = statement_start(f, line);
            if in_define(f, start) {
                return Err(format!(
                    "{}:{} is inside `define … endef`, where a comment line is part of the value",
                    f.rel,
                    line + 1
                ));
            }
            Ok(start)
        }
        FileKind::Control => Ok(line),
        _ => Err(format!(
            "kpkg-lint writes no comments into {} (use the overrides file)",
            f.rel
        )),
    }
}

/// Does line `n` end with a `\` that continues it (an odd number of them)?
pub fn continues(f: &SourceFile, n: usize) -> bool {
    let text = f.line_text(n).trim_end_matches('\r');
    let backslashes = text.len() - text.trim_end_matches('\\').len();
    backslashes % 2 == 1
}

/// The first line of the statement line `n` belongs to (lines continued with `\`).
pub fn statement_start(f: &SourceFile, mut n: usize) -> usize {
    while n > 0 && continues(f, n - 1) {
        n -= 1;
    }
    n
}

/// Is line `n` inside a `define … endef` block? Lines starting with a tab are
/// recipe lines, where make does not read `define`.
fn in_define(f: &SourceFile, n: usize) -> bool {
    let mut depth = 0usize;
    let mut line = 0;
    while line < n {
        let text = f.line_text(line);
        let recipe_or_continued = text.starts_with('\t') || (line > 0 && continues(f, line - 1));
        if !recipe_or_continued {
            let words: Vec<&str> = text.split_whitespace().collect();
            let keyword = words
                .iter()
                .find(|w| !matches!(**w, "override" | "export" | "private"));
            match keyword.copied() {
                Some("define") => depth += 1,
                Some("endef") => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        line += 1;
    }
    depth > 0
}

/// The comment above `line`: the names added to an own-line suppression right
/// above, or a new comment line.
fn comment_edit(f: &SourceFile, file: FileId, line: usize, names: &[&str]) -> Edit {
    let at = f.line_span(line).map_or(f.text.len(), |s| s.start);
    if line > 0 {
        if let Some(above) = f.line_span(line - 1) {
            let text = &f.text[above.clone()];
            let own = text.trim_start().starts_with('#');
            if let Some(open) = text.find(MARK).filter(|_| own) {
                let inner = above.start + open + MARK.len();
                if let Some(close) = f.text[inner..above.end].find(')') {
                    let listed: Vec<&str> = f.text[inner..inner + close]
                        .split(',')
                        .map(str::trim)
                        .collect();
                    let new: Vec<&str> = names
                        .iter()
                        .copied()
                        .filter(|n| !listed.contains(n))
                        .collect();
                    let sep = if listed.iter().all(|n| n.is_empty()) {
                        ""
                    } else {
                        ", "
                    };
                    return Edit::insert(file, inner + close, format!("{sep}{}", new.join(", ")));
                }
            }
        }
    }
    let crlf = f.text[at..]
        .split('\n')
        .next()
        .is_some_and(|l| l.ends_with('\r'));
    let newline = if crlf { "\r\n" } else { "\n" };
    let mut content = format!("# {MARK}{}){newline}", names.join(", "));
    if at == f.text.len() && !f.text.is_empty() && !f.text.ends_with('\n') {
        content.insert_str(0, newline);
    }
    Edit::insert(file, at, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(tree: &Tree, rel: &str, needle: &str, rule: Rule) -> Diagnostic {
        let file = tree.file(rel).unwrap();
        let at = tree.files[file].text.find(needle).unwrap();
        Diagnostic::new(rule, rule.severity(), file, at..at + needle.len(), "x")
    }

    #[test]
    fn comments_go_where_make_and_dpkg_ignore_them() {
        let rules = "build:\n\t$(MAKE) -j1 \\\n\t  -C x all\n\nX = a \\\n  -j1\n\ndefine canned\n\t$(MAKE) -j1 y\nendef\n";
        let control = "Source: linux\nBuild-Depends:\n debhelper,\n python-sphinx,\n";
        let tree = Tree::from_memory(&[
            ("debian/rules", rules),
            ("debian/control", control),
            ("debian/changelog", "linux (1) unstable; urgency=low\n"),
        ]);
        let diags = vec![
            diag(&tree, "debian/rules", "-C x", Rule::ForcedSerialFlag),
            diag(&tree, "debian/rules", "-j1 \\", Rule::SerialKernelBuild),
            diag(&tree, "debian/rules", "  -j1", Rule::ForcedSerialFlag),
            diag(&tree, "debian/rules", "-j1 y", Rule::ForcedSerialFlag),
            diag(
                &tree,
                "debian/control",
                "python-sphinx",
                Rule::ObsoleteBuildDep,
            ),
            diag(
                &tree,
                "debian/changelog",
                "unstable",
                Rule::ObsoleteBuildDep,
            ),
        ];
        let plan = add_allow(&tree, &diags);
        assert_eq!(plan.placed, 4);
        let why: Vec<&str> = plan.skipped.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(why.len(), 2, "{why:?}");
        assert!(why[0].contains("define"), "{why:?}");
        assert!(why[1].contains("debian/changelog"), "{why:?}");
        let text = |rel: &str| plan.tree.files[plan.tree.file(rel).unwrap()].text.clone();
        assert_eq!(
            text("debian/rules"),
            "build:\n# kpkg-lint: allow(forced-serial-flag, serial-kernel-build)\n\t$(MAKE) -j1 \\\n\t  -C x all\n\n# kpkg-lint: allow(forced-serial-flag)\nX = a \\\n  -j1\n\ndefine canned\n\t$(MAKE) -j1 y\nendef\n"
        );
        assert_eq!(
            text("debian/control"),
            "Source: linux\nBuild-Depends:\n debhelper,\n# kpkg-lint: allow(obsolete-build-dep)\n python-sphinx,\n"
        );
        // A name joins an own-line suppression already there.
        let tree = Tree::from_memory(&[(
            "debian/rules",
            "build:\n# kpkg-lint: allow(serial-kernel-build) why\n\t$(MAKE) -j1\n",
        )]);
        let d = diag(&tree, "debian/rules", "-j1", Rule::ForcedSerialFlag);
        let plan = add_allow(&tree, &[d]);
        assert_eq!(
            plan.tree.files[0].text,
            "build:\n# kpkg-lint: allow(serial-kernel-build, forced-serial-flag) why\n\t$(MAKE) -j1\n"
        );
    }
}
