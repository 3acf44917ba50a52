//! Files the build makes before make needs them.
//!
//! GNU make reads every makefile first and then tries to remake each one, the
//! included ones it could not find among them; it stops with "No such file or
//! directory" only for a hard `include` that nothing can make ("How Makefiles Are
//! Remade", "Including Other Makefiles" in the GNU make manual). Besides the rules of
//! the makefiles themselves, a wrapper may write an included file before it runs
//! `debian/rules` (Proxmox's top-level `Makefile` appends `KVNAME=…` to
//! `debian/rules.d/env.mk` of the build directory), and a known generator may write it
//! (kbuild's `scripts/package/mkdebian` writes `debian/rules.vars`). An include of
//! such a file is not missing although the tree does not hold it.

use super::makefile::{self, Makefile, StmtKind};
use super::program::{normalize, split_words, IncludeTarget, Program, StmtRef};
use super::shell::{self, Token, TokenKind};
use crate::source::{FileId, Span};
use crate::tree::Tree;
use std::collections::HashMap;

/// What makes an include file that the tree does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Maker {
    /// A rule of the program that includes it (the rule header): make remakes the
    /// makefile, then reads everything again.
    Rule(StmtRef),
    /// A recipe of the tree's top-level makefile writes it before `debian/rules`
    /// runs; the span is the path written.
    Wrapper { file: FileId, span: Span },
    /// A known generator (`rules/data/generated-includes`): the script that writes it.
    Generator(&'static str),
}

/// The makefiles make reads at the root of a tree without `-f`, in its order.
const ROOT_MAKEFILES: &[&str] = &["GNUmakefile", "makefile", "Makefile"];

/// The paths the recipes of a tree's top-level makefile write.
#[derive(Debug, Default)]
pub struct BuildWrites {
    /// (file, span of the path's word, the path as written).
    writes: Vec<(FileId, Span, String)>,
}

impl BuildWrites {
    pub fn scan(tree: &Tree) -> BuildWrites {
        let mut writes = Vec::new();
        for name in ROOT_MAKEFILES {
            let Some(file) = tree.file(name) else {
                continue;
            };
            let text = &tree.files[file].text;
            let mf = makefile::parse(text);
            for (_, stmt) in mf.recipes() {
                let prefix = shell::recipe_prefix(&text[stmt.span.clone()], stmt.span.start);
                let body = &text[prefix.body_start..stmt.span.end];
                let tokens = shell::tokenize(body, prefix.body_start);
                for command in tokens.split(|t| t.kind == TokenKind::Separator) {
                    for (span, path) in written_paths(command) {
                        writes.push((file, span, path));
                    }
                }
            }
        }
        BuildWrites { writes }
    }

    /// The recipe that writes `path` (relative to the root debian/rules runs in).
    /// The wrapper usually writes into a copy of the tree (`${BUILD_DIR}/debian/…`)
    /// where it then runs `debian/rules`, so a written path ending in `/<path>`
    /// counts as well.
    fn wrapper(&self, path: &str) -> Option<Maker> {
        let want = normalize(path);
        let tail = format!("/{want}");
        self.writes
            .iter()
            .find(|(_, _, w)| {
                let w = shell::unquote(w);
                let w = w.strip_prefix("./").unwrap_or(&w);
                w == want || w.ends_with(&tail)
            })
            .map(|(file, span, _)| Maker::Wrapper {
                file: *file,
                span: span.clone(),
            })
    }
}

/// Turn the program's missing includes that the build makes into
/// [`IncludeTarget::Generated`].
pub fn resolve(
    program: &mut Program,
    tree: &Tree,
    makefiles: &HashMap<FileId, Makefile>,
    writes: &BuildWrites,
) {
    let mut made: Vec<(usize, Maker)> = Vec::new();
    for (i, edge) in program.includes.iter().enumerate() {
        let IncludeTarget::Missing(path) = &edge.target else {
            continue;
        };
        let maker = rule_for(program, tree, makefiles, path)
            .or_else(|| writes.wrapper(path))
            .or_else(|| generator(tree, path));
        if let Some(m) = maker {
            made.push((i, m));
        }
    }
    for (i, by) in made {
        let edge = &mut program.includes[i];
        edge.target = IncludeTarget::Generated {
            path: edge.path.clone(),
            by,
        };
    }
}

/// A rule of the program with a recipe whose target is `path`: an explicit target,
/// or a pattern (`%.mk`) other than match-anything `%` (dh's `%: dh $@` would run
/// `dh debian/x.mk`, which fails, and make stops).
fn rule_for(
    program: &Program,
    tree: &Tree,
    makefiles: &HashMap<FileId, Makefile>,
    path: &str,
) -> Option<Maker> {
    let want = normalize(path);
    for &file in &program.files {
        let Some(mf) = makefiles.get(&file) else {
            continue;
        };
        for (i, stmt) in mf.stmts.iter().enumerate() {
            let StmtKind::Rule(header) = &stmt.kind else {
                continue;
            };
            if !has_recipe(mf, i, &tree.files[file].text[stmt.span.clone()]) {
                continue;
            }
            let makes = header.targets.iter().any(|(target, _)| {
                let expanded = program.expand(target);
                split_words(&expanded.text)
                    .into_iter()
                    .any(|t| target_matches(&normalize(t), &want))
            });
            if makes {
                return Some(Maker::Rule(StmtRef { file, stmt: i }));
            }
        }
    }
    None
}

fn has_recipe(mf: &Makefile, rule: usize, header: &str) -> bool {
    let inline = header
        .split_once(':')
        .is_some_and(|(_, rest)| rest.contains(';'));
    inline
        || mf
            .stmts
            .iter()
            .any(|s| matches!(s.kind, StmtKind::Recipe { rule: r } if r == rule))
}

fn target_matches(target: &str, path: &str) -> bool {
    match target.split_once('%') {
        None => target == path,
        Some(("", "")) => false,
        Some((prefix, suffix)) => {
            path.len() > prefix.len() + suffix.len()
                && path.starts_with(prefix)
                && path.ends_with(suffix)
        }
    }
}

/// A known generator that writes `path` for this tree: the tree sits where the
/// generator's template lives, or holds the generator and the generator names the path.
fn generator(tree: &Tree, path: &str) -> Option<Maker> {
    let want = normalize(path);
    crate::data::generated_includes()
        .filter(|g| g.path == want)
        .find(|g| {
            tree.location.ends_with(g.home)
                || tree
                    .file(g.generator)
                    .is_some_and(|f| tree.files[f].text.contains(g.path))
        })
        .map(|g| Maker::Generator(g.generator))
}

/// The files one shell command writes: its standard-output redirections (`> P`,
/// `>> P`, `>P`, `1> P`), the files `tee` writes, and the destination of `cp`,
/// `install`, `mv` and `ln`. Each with the span of its word.
fn written_paths(words: &[Token]) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    let mut args: Vec<&Token> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let Some((stdout, target)) = redirect(&w.text) else {
            args.push(w);
            i += 1;
            continue;
        };
        // The path is the rest of the word, or the next word.
        let path = if target.is_empty() {
            i += 1;
            words.get(i).map(|n| (n.span.clone(), n.text.clone()))
        } else {
            Some((w.span.end - target.len()..w.span.end, target.to_string()))
        };
        if stdout {
            out.extend(path);
        }
        i += 1;
    }
    let plain: Vec<&Token> = args
        .iter()
        .copied()
        .skip(1)
        .filter(|t| !t.text.starts_with('-'))
        .collect();
    let program = args
        .first()
        .map(|t| shell::unquote(&t.text))
        .unwrap_or_default();
    match program.rsplit('/').next().unwrap_or("") {
        "tee" => out.extend(plain.iter().map(|t| (t.span.clone(), t.text.clone()))),
        "cp" | "install" | "mv" | "ln" if plain.len() >= 2 => {
            let dest = plain[plain.len() - 1];
            out.push((dest.span.clone(), dest.text.clone()));
        }
        _ => {}
    }
    out
}

/// The first redirection in a shell word, outside quotes and `$(…)`: whether it
/// redirects standard output (`>`, `>>`, `>|`, `1>`; not `<` or `2>`), and the text
/// after the operator (empty when the path is the next word). A word glued to the
/// operator (`x>file`) is an argument the shell splits off; it is dropped here.
fn redirect(word: &str) -> Option<(bool, &str)> {
    let b = word.as_bytes();
    let (mut quote, mut depth) = (None, 0usize);
    for i in 0..b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            b'\'' | b'"' => quote = Some(c),
            b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => depth += 1,
            b')' | b'}' if depth > 0 => depth -= 1,
            b'<' | b'>' if depth == 0 => {
                // `2>err`: a descriptor number right before the operator, and
                // only at the start of the word.
                let before = &word[..i];
                let fd_number = !before.is_empty() && before.bytes().all(|d| d.is_ascii_digit());
                let stdout = c == b'>' && (!fd_number || before == "1");
                let mut end = i + 1;
                while end < b.len() && matches!(b[end], b'>' | b'|' | b'<') {
                    end += 1;
                }
                return Some((stdout, &word[end..]));
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writes(recipe: &str) -> Vec<String> {
        let toks = shell::tokenize(recipe, 0);
        toks.split(|t| t.kind == TokenKind::Separator)
            .flat_map(written_paths)
            .map(|(_, p)| p)
            .collect()
    }

    #[test]
    fn paths_a_recipe_writes() {
        assert_eq!(
            writes("echo \"A=${A}\" >> ${BUILD_DIR}/debian/rules.d/env.mk"),
            ["${BUILD_DIR}/debian/rules.d/env.mk"]
        );
        assert_eq!(writes("echo x>out.mk; cat a 2>/dev/null"), ["out.mk"]);
        assert_eq!(writes("sed -e s/a/b/ < in > o.mk"), ["o.mk"]);
        assert_eq!(writes("printf x | tee -a t1 t2"), ["t1", "t2"]);
        assert_eq!(
            writes("cp -a debian ${B}/debian && install -m644 a b/c.mk"),
            ["${B}/debian", "b/c.mk"]
        );
        assert!(writes("cat a 2> err.log; rm -f x.mk; cp onlyone").is_empty());
    }

    #[test]
    fn rule_patterns() {
        assert!(target_matches("debian/x.mk", "debian/x.mk"));
        assert!(target_matches("debian/%.mk", "debian/x.mk"));
        assert!(!target_matches("%", "debian/x.mk"), "match-anything");
        assert!(!target_matches("debian/%.mk", "debian/.mk"), "empty stem");
    }
}
