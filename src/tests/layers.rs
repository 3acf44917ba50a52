//! The crate's modules depend on each other one way, top to bottom. This test reads
//! every source file under src/ (not tests, benches, fuzz targets or examples, which
//! use the library from outside), finds each `crate::<module>` path, in `use` lines
//! and inline, and fails on an arrow the table below does not allow.
//!
//! A module may use the modules it points to and, through them, everything below:
//! `cli → engine → rules` lets `cli` use `rules`. Unit tests (`#[cfg(test)]` items)
//! are left out: they drive the code from above, through `crate::testing`.
//!
//! A new module goes into the table, below everything that uses it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Module → the modules it may use directly, top to bottom. The first eleven
/// arrows are issue 13's; the rest place the modules it does not name.
const ARROWS: &[(&str, &[&str])] = &[
    // The face: clap types, commands, emitters, exit status. Nothing uses it.
    (
        "cli",
        &[
            "engine", "config", "output", "discover", "fix", "registry", // issue 13
            "docs", "par",
        ],
    ),
    // tree → model → rules → findings, suppressions, the fix loop.
    ("engine", &["rules", "model", "fix", "tree", "registry"]),
    // kpkg-lint.toml ⊕ command line → settings; `LintOptions` is the rules'.
    (
        "config",
        &["rules", "knowledge", "diagnostic", "registry", "source"],
    ),
    // The filesystem walk; only cli uses it.
    ("discover", &["model", "knowledge", "tree", "source", "par"]),
    ("output", &["diagnostic", "tree", "registry", "docs"]),
    // Rule pages and `explain`, from the registry's catalogue.
    ("docs", &["registry"]),
    ("fix", &["diagnostic", "tree", "registry", "unidiff"]),
    (
        "rules",
        &[
            "model",
            "knowledge",
            "archive",
            "diagnostic",
            "tree",
            "registry",
            "unidiff", // a fix that adds a quilt patch writes a diff
        ],
    ),
    // apt indices; relations are parsed by model::relation, as in control files.
    // Indices are read on every core (par).
    ("archive", &["knowledge", "model", "source", "par"]),
    // Built-in tables; the obsolete-packages table parses its replacements as
    // relations (model::relation).
    ("knowledge", &["model", "data"]),
    // Which includes a generator writes is part of reading a tree.
    ("model", &["tree", "source", "data"]),
    ("tree", &["source"]),
    // Findings and the fixes (edits) attached to them.
    ("diagnostic", &["registry", "source"]),
    ("registry", &[]),
    ("source", &[]),
    ("unidiff", &[]),
    // The embedded rules/data tables and their column reader.
    ("data", &[]),
    ("par", &[]),
    // doc(hidden) harnesses that drive the engine for tests and fuzzing.
    ("testing", &["engine", "archive"]),
    // the render target; the disk target discovers and writes real trees
    (
        "fuzzing",
        &["engine", "archive", "unidiff", "output", "discover", "fix"],
    ),
];

/// Every module each module may use: its arrows, followed to the bottom.
fn reachable() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let direct: BTreeMap<&str, &[&str]> = ARROWS.iter().copied().collect();
    let mut out = BTreeMap::new();
    for &(from, _) in ARROWS {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = direct[from].to_vec();
        while let Some(m) = stack.pop() {
            if seen.insert(m) {
                let next = direct
                    .get(m)
                    .unwrap_or_else(|| panic!("{from} points to {m}, which has no row"));
                stack.extend(next.iter().copied());
            }
        }
        out.insert(from, seen);
    }
    out
}

/// The text with comments, string and character literals blanked (lengths and
/// line breaks kept), so braces and `crate::` in them do not count.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |p| i + p);
            blank(&mut out, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let end = text[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
            blank(&mut out, i, end);
            i = end;
        } else if rest.starts_with(b"r#") || rest.starts_with(b"r\"") {
            let hashes = rest[1..].iter().take_while(|&&c| c == b'#').count();
            if rest.get(1 + hashes) != Some(&b'"') {
                i += 1;
                continue;
            }
            let close = format!("\"{}", "#".repeat(hashes));
            let start = i + 2 + hashes;
            let end = text[start..]
                .find(&close)
                .map_or(b.len(), |p| start + p + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if rest[0] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, (j + 1).min(b.len()));
            i = j + 1;
        } else if rest[0] == b'\'' {
            // A character literal ('x', '\n', '{'); otherwise a lifetime.
            let end = if rest.get(1) == Some(&b'\\') {
                rest[2..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .map(|p| i + 2 + p + 1)
            } else {
                let ch = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                (rest.get(1 + ch) == Some(&b'\'')).then_some(i + 2 + ch)
            };
            match end {
                Some(end) => {
                    blank(&mut out, i, end);
                    i = end;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8(out).expect("blanking keeps UTF-8 boundaries")
}

/// Blank every item marked `#[cfg(test)]`: up to its `;`, or its braced body.
fn without_tests(code: &str) -> String {
    let mut out = code.as_bytes().to_vec();
    let mut from = 0;
    while let Some(p) = code[from..].find("#[cfg(test)]") {
        let start = from + p;
        let b = code.as_bytes();
        let mut i = start + "#[cfg(test)]".len();
        while i < b.len() && b[i] != b';' && b[i] != b'{' {
            i += 1;
        }
        let mut end = i + 1;
        if i < b.len() && b[i] == b'{' {
            let mut depth = 0usize;
            for (j, &c) in b.iter().enumerate().skip(i) {
                match c {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = j + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
        let end = end.min(b.len());
        for c in &mut out[start..end] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
        from = end;
    }
    String::from_utf8(out).unwrap()
}

/// The first path segment of every `crate::` path, with its line: `crate::a::b`
/// gives `a`, `crate::{a::b, c}` gives `a` and `c`.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        if at > 0 && code[..at].ends_with('$') {
            continue; // `$crate::` in a macro
        }
        if at > 0
            && code[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue; // `kpkg_lint_crate::`, not ours
        }
        let rest = code[at + "crate::".len()..].trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group, skipping nested groups.
            let mut depth = 0;
            let mut item_start = true;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        found.push((line_of(at), ident(&group[k..])));
                    }
                    _ => {}
                }
            }
        } else {
            found.push((line_of(at), ident(rest)));
        }
    }
    found
}

/// The module a file under src/ belongs to: its first path segment.
fn module_of(rel: &Path) -> String {
    let first = rel.components().next().unwrap().as_os_str();
    let first = first.to_string_lossy();
    first.strip_suffix(".rs").unwrap_or(&first).to_string()
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_crate_path_follows_an_allowed_arrow() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed = reachable();
    for (m, below) in &allowed {
        assert!(!below.contains(m), "the table has a cycle through {m}");
    }
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    let mut modules = BTreeSet::new();
    for path in &files {
        let rel = path.strip_prefix(&src).unwrap();
        let from = module_of(rel);
        // The library root (the module list) and the binary's thin main; the rest
        // use the library from outside, as `kpkg_lint::`.
        if ["lib", "main", "tests", "benches", "fuzz", "examples"].contains(&from.as_str()) {
            continue;
        }
        modules.insert(from.clone());
        let Some(may) = allowed.get(from.as_str()) else {
            problems.push(format!(
                "src/{}: module `{from}` has no row in the table",
                rel.display()
            ));
            continue;
        };
        let text = fs::read_to_string(path).unwrap();
        for (line, to) in crate_paths(&without_tests(&code_only(&text))) {
            if to == from || may.contains(to.as_str()) {
                continue;
            }
            let why = if allowed.contains_key(to.as_str()) {
                format!("{from} → {to} is not an allowed arrow")
            } else {
                format!("`crate::{to}` is not a module: name the module that defines it")
            };
            problems.push(format!("src/{}:{line}: {why}", rel.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "dependency arrows (see the table in src/tests/layers.rs):\n{}",
        problems.join("\n")
    );
    // Every row is a module that exists, so the table stays the crate's.
    for (m, _) in ARROWS {
        assert!(modules.contains(*m), "the table names `{m}`, not a module");
    }
}

/// The reader finds what it must and nothing else; the table refuses upward arrows.
#[test]
fn the_check_sees_paths_and_refuses_upward_arrows() {
    let text = r##"use crate::{rules::{Checker, x}, model};
// use crate::cli;
let s = "crate::output";
let r = r#"crate::config"#;
let c = '{';
fn f<'a>(x: &'a str) { crate::tree::Tree::from_memory(&[]); }
#[cfg(test)]
mod tests {
    use crate::engine;
    fn g() { if true { crate::discover::x(); } }
}
#[cfg(test)]
use crate::testing::found;
pub use crate::registry::Rule;
"##;
    let got: Vec<(usize, String)> = crate_paths(&without_tests(&code_only(text)));
    let want: Vec<(usize, String)> = [(1, "rules"), (1, "model"), (6, "tree"), (14, "registry")]
        .iter()
        .map(|(l, m)| (*l, m.to_string()))
        .collect();
    assert_eq!(got, want);

    let allowed = reachable();
    assert!(allowed["cli"].contains("rules"), "through engine");
    assert!(allowed["engine"].contains("source"), "through tree");
    for (from, to) in [
        ("model", "rules"),
        ("fix", "rules"),
        ("registry", "source"),
        ("rules", "engine"),
        ("engine", "discover"),
        ("output", "rules"),
    ] {
        assert!(!allowed[from].contains(to), "{from} → {to} must be refused");
    }
    for (m, below) in &allowed {
        if *m != "cli" {
            assert!(!below.contains("cli"), "nothing below uses cli: {m}");
            // The doc(hidden) fuzz harness sits above everything: its disk target
            // walks real trees with links and FIFOs in them.
            if *m != "fuzzing" {
                assert!(!below.contains("discover"), "only cli uses discover: {m}");
            }
        }
    }
}
