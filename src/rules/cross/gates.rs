//! Does a command of the makefiles run at all, on the architectures an entry is for?
//!
//! Ubuntu gates optional build steps with switches that each
//! `<branch>/rules.d/<arch>.mk` sets: `2-binary-arch.mk` runs `makedumpfile -g`
//! inside `ifeq ($(no_dumpfile),)`, and every focal arch file sets
//! `no_dumpfile = true`, so on no architecture does the build run it. The tools
//! steps are gated the same way by `do_tools_*`. A tool the build never runs needs
//! no build-architecture copy.
//!
//! The evaluation is conservative, toward "runs": a condition it cannot read
//! (functions, two variables, values made of references) may hold; every
//! assignment of the switch outside the arch files (defaults in `0-common-vars.mk`,
//! the mainline-build block of `debian/rules`) adds its value to what the switch
//! may be; an arch file without the switch leaves it possibly undefined. A command
//! is "never run" only when, on every architecture considered, some condition
//! around it is false for every value the switch may have.

use crate::model::makefile::{AssignOp, Directive, StmtKind};
use crate::model::Model;
use crate::source::FileId;
use std::collections::HashMap;

/// One test of an `ifeq`/`ifneq`/`ifdef`/`ifndef` line, in the branch taken.
#[derive(Debug, Clone)]
enum Test {
    /// `ifeq ($(VAR),VALUE)`: `equal` is false for `ifneq`.
    Compare {
        var: String,
        value: String,
        equal: bool,
    },
    /// `ifdef VAR` (`defined` false for `ifndef`): make's ifdef is true for a
    /// non-empty value.
    Defined { var: String, defined: bool },
    /// Anything else: may go either way.
    Unknown,
}

/// The tests around a statement, one level per open `ifeq`…`endif`: each test
/// with the branch it is in (`true` = the `if` part). `else ifeq …` adds a test
/// to its level, and the one before it is then in its `else` part.
type Stack = Vec<Vec<(Test, bool)>>;

/// What a switch may be on one architecture. `None` in the set: a value not
/// known here (a reference, `+=`, `!=`).
type Values = Vec<Option<String>>;

/// Whether a statement that mentions `word` can run on some architecture of
/// `arches` (Debian names; empty = every architecture the tree has an arch file
/// for). `None` when no makefile statement mentions the word at all.
pub fn runs(model: &Model, words: &[&str], arches: Option<&[String]>) -> Option<bool> {
    let arch_files = arch_files(model);
    let considered: Vec<(&str, Option<FileId>)> = if arch_files.is_empty() {
        vec![("", None)]
    } else {
        let picked: Vec<_> = arch_files
            .iter()
            .filter(|(a, _)| arches.is_none_or(|l| l.iter().any(|x| x == a)))
            .map(|(a, f)| (a.as_str(), Some(*f)))
            .collect();
        // An entry for architectures this tree has no arch file for is for
        // builds the tree does not do (`-include $(DEBIAN)/rules.d/$(arch).mk`
        // finds nothing there, and vars.* name no such architecture): nothing
        // mentioned runs for it. Ubuntu's derivatives keep master's
        // `makedumpfile [amd64]` in a branch that only builds arm64. A word
        // that is no plain architecture name (`kfreebsd-any`) may still match
        // one: then nothing is known, and the command may run.
        let plain = arches
            .unwrap_or_default()
            .iter()
            .all(|a| !a.contains('-') && a != "any");
        if picked.is_empty() && !plain {
            vec![("", None)]
        } else {
            picked
        }
    };
    let mut files: Vec<FileId> = model.makefiles.keys().copied().collect();
    files.sort();
    let mut mentioned = false;
    for file in files {
        let mf = &model.makefiles[&file];
        let text = &model.tree.files[file].text;
        let mut stack: Stack = vec![];
        for stmt in &mf.stmts {
            let line = &text[stmt.span.clone()];
            match &stmt.kind {
                StmtKind::Conditional(Directive::If) => {
                    stack.push(vec![(parse_test(line.trim()), true)]);
                    continue;
                }
                StmtKind::Conditional(Directive::Else) => {
                    if let Some(level) = stack.last_mut() {
                        for t in level.iter_mut() {
                            t.1 = false;
                        }
                        let rest = line.trim().strip_prefix("else").unwrap_or("").trim();
                        if !rest.is_empty() {
                            level.push((parse_test(rest), true));
                        }
                    }
                    continue;
                }
                StmtKind::Conditional(Directive::Endif) => {
                    stack.pop();
                    continue;
                }
                StmtKind::Comment | StmtKind::Blank => continue,
                // A recipe line that is a shell comment runs nothing.
                StmtKind::Recipe { .. }
                    if line
                        .trim_start_matches(['\t', ' ', '@', '-', '+'])
                        .starts_with('#') =>
                {
                    continue
                }
                _ => {}
            }
            if !words.iter().any(|w| line.contains(w)) {
                continue;
            }
            mentioned = true;
            let tests: Vec<&(Test, bool)> = stack.iter().flatten().collect();
            let runs_somewhere = considered.iter().any(|(arch, af)| {
                tests
                    .iter()
                    .all(|(t, branch)| may_hold(model, t, *branch, arch, *af, &arch_files))
            });
            if runs_somewhere {
                return Some(true);
            }
        }
    }
    mentioned.then_some(false)
}

fn var_of(t: &Test) -> Option<&str> {
    match t {
        Test::Compare { var, .. } | Test::Defined { var, .. } => Some(var),
        Test::Unknown => None,
    }
}

/// `$(NAME)` or `${NAME}` alone: the name.
fn reference(s: &str) -> Option<&str> {
    let s = s.trim();
    let inner = s
        .strip_prefix("$(")
        .and_then(|r| r.strip_suffix(')'))
        .or_else(|| s.strip_prefix("${").and_then(|r| r.strip_suffix('}')))?;
    inner
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        .then_some(inner)
}

fn parse_test(line: &str) -> Test {
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    match word {
        "ifdef" | "ifndef" => {
            if rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') && !rest.is_empty() {
                Test::Defined {
                    var: rest.to_string(),
                    defined: word == "ifdef",
                }
            } else {
                Test::Unknown
            }
        }
        "ifeq" | "ifneq" => {
            let Some((a, b)) = compare_args(rest) else {
                return Test::Unknown;
            };
            let (var, value) = match (reference(&a), reference(&b)) {
                (Some(v), None) => (v, b),
                (None, Some(v)) => (v, a),
                _ => return Test::Unknown,
            };
            if value.contains('$') {
                return Test::Unknown;
            }
            Test::Compare {
                var: var.to_string(),
                value: value.trim().to_string(),
                equal: word == "ifeq",
            }
        }
        _ => Test::Unknown,
    }
}

/// The two arguments of `(A,B)`, `"A" "B"` or `'A' 'B'`, when A and B hold no
/// parentheses or commas of their own (then the split is what make does).
fn compare_args(rest: &str) -> Option<(String, String)> {
    if let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        let (a, b) = inner.split_once(',')?;
        if b.contains(',') {
            return None;
        }
        // `$(VAR)` has its own parentheses; anything deeper is a function call.
        let depth_ok = |s: &str| s.matches('(').count() <= 1 && s.matches(')').count() <= 1;
        if !depth_ok(a) || !depth_ok(b) {
            return None;
        }
        return Some((a.to_string(), b.trim_start().to_string()));
    }
    let mut parts = vec![];
    let mut s = rest;
    while let Some(q) = s.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = s[1..].find(q)? + 1;
        parts.push(s[1..end].to_string());
        s = s[end + 1..].trim_start();
    }
    (parts.len() == 2 && s.is_empty()).then(|| (parts[0].clone(), parts[1].clone()))
}

/// Can the test give `branch` on this architecture?
fn may_hold(
    model: &Model,
    t: &Test,
    branch: bool,
    arch: &str,
    arch_file: Option<FileId>,
    arch_files: &[(String, FileId)],
) -> bool {
    let Some(var) = var_of(t) else {
        return true;
    };
    let values = if matches!(var, "arch" | "DEB_HOST_ARCH") && !arch.is_empty() {
        vec![Some(arch.to_string())]
    } else {
        values(model, var, arch_file, arch_files)
    };
    values.iter().any(|v| match v {
        None => true,
        Some(v) => {
            let holds = match t {
                Test::Compare { value, equal, .. } => (v.trim() == value) == *equal,
                Test::Defined { defined, .. } => v.trim().is_empty() != *defined,
                Test::Unknown => return true,
            };
            holds == branch
        }
    })
}

/// What `var` may be on the architecture of `arch_file`.
fn values(
    model: &Model,
    var: &str,
    arch_file: Option<FileId>,
    arch_files: &[(String, FileId)],
) -> Values {
    let mut own: Option<Values> = None;
    let mut others: Values = vec![];
    let mut defaults: Values = vec![];
    let mut files: Vec<FileId> = model.makefiles.keys().copied().collect();
    files.sort();
    for file in files {
        let is_arch_file = arch_files.iter().any(|(_, f)| *f == file);
        if is_arch_file && Some(file) != arch_file {
            continue;
        }
        for stmt in &model.makefiles[&file].stmts {
            let StmtKind::Assign(a) = &stmt.kind else {
                continue;
            };
            if a.name != var || a.target.is_some() {
                continue;
            }
            let v = match a.op {
                AssignOp::Append | AssignOp::Shell => None,
                _ if a.value.contains('$') => None,
                _ => Some(a.value.trim().to_string()),
            };
            if is_arch_file {
                let set = own.get_or_insert_with(Vec::new);
                if stmt.cond_depth == 0 && matches!(a.op, AssignOp::Recursive | AssignOp::Simple) {
                    set.clear();
                }
                set.push(v);
            } else if a.op == AssignOp::Conditional {
                defaults.push(v);
            } else {
                others.push(v);
            }
        }
    }
    let mut out = match own {
        // The arch file's own assignment wins over the defaults read before it.
        Some(set) => set,
        None => {
            let mut d = defaults;
            // Undefined unless a default or an assignment elsewhere gives it a
            // value, and the environment may always leave it so.
            d.push(Some(String::new()));
            d
        }
    };
    out.extend(others);
    out
}

/// `<branch>/rules.d/<arch>.mk` files that set the arch's build (`build_arch` or
/// `flavours`), by Debian architecture name.
fn arch_files(model: &Model) -> Vec<(String, FileId)> {
    let Some(fl) = model.ubuntu_flavours() else {
        return vec![];
    };
    let mut seen: HashMap<String, FileId> = HashMap::new();
    for af in fl.arch_files {
        seen.entry(af.arch).or_insert(af.file);
    }
    let mut v: Vec<_> = seen.into_iter().collect();
    v.sort();
    v
}

/// The architectures an entry's `[…]` list restricts it to, among `known`;
/// `None` for no list (every architecture).
pub fn entry_arches(list: Option<&str>, known: &[String]) -> Option<Vec<String>> {
    let list = list?;
    // Linux architecture wildcards (`linux-any`, `any-arm64`, `linux-arm64`)
    // name the plain architectures they match; others stay as written.
    let expand = |w: &str| -> Vec<String> {
        match w {
            "any" | "linux-any" => known.to_vec(),
            _ => match w.strip_prefix("any-").or_else(|| w.strip_prefix("linux-")) {
                Some(a) if !a.contains('-') => vec![a.to_string()],
                _ => vec![w.to_string()],
            },
        }
    };
    let words: Vec<&str> = list.split_whitespace().collect();
    Some(if words.iter().all(|w| w.starts_with('!')) {
        let excluded: Vec<String> = words.iter().flat_map(|w| expand(&w[1..])).collect();
        known
            .iter()
            .filter(|a| !excluded.contains(a))
            .cloned()
            .collect()
    } else {
        words
            .iter()
            .filter(|w| !w.starts_with('!'))
            .flat_map(|w| expand(w))
            .collect()
    })
}

/// Debian architecture names the tree has arch files for.
pub fn known_arches(model: &Model) -> Vec<String> {
    arch_files(model).into_iter().map(|(a, _)| a).collect()
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_memory_rule;

    fn count(entry: &str, arm64: &str, binary: &str) -> usize {
        let control = format!("Source: linux\nBuild-Depends: {entry}\n\nPackage: linux-image\nArchitecture: amd64 arm64\n");
        let files = [
            ("debian/control", control.as_str()),
            ("debian/debian.env", "DEBIAN=debian.master\n"),
            ("debian/rules", "#!/usr/bin/make -f\nDEBIAN=$(shell awk -F= '($$1 == \"DEBIAN\") { print $$2 }' <debian/debian.env)\n-include $(DEBIAN)/rules.d/$(arch).mk\ninclude debian/rules.d/2-binary-arch.mk\n"),
            ("debian.master/rules.d/amd64.mk", "build_arch = x86\nflavours = generic\nno_dumpfile = true\n"),
            ("debian.master/rules.d/arm64.mk", arm64),
            ("debian/rules.d/2-binary-arch.mk", binary),
        ];
        lint_memory_rule(&files, "build-dep-missing-native").0.len()
    }

    const GATED: &str = "install-%:\n\tinstall -d boot\nifeq ($(no_dumpfile),)\n\tmakedumpfile -g boot/vmcoreinfo -x vmlinux\nendif\n";

    /// The entry's architecture list picks the arch files whose switches count.
    #[test]
    fn only_the_architectures_of_the_entry_count() {
        let arm64_runs = "build_arch = arm64\nflavours = generic\n";
        assert_eq!(count("makedumpfile [amd64]", arm64_runs, GATED), 0);
        assert_eq!(count("makedumpfile [arm64]", arm64_runs, GATED), 1);
        assert_eq!(count("makedumpfile", arm64_runs, GATED), 1);
        assert_eq!(count("makedumpfile [!arm64]", arm64_runs, GATED), 0);
        let arm64_off = "build_arch = arm64\nflavours = generic\nno_dumpfile = true\n";
        assert_eq!(count("makedumpfile", arm64_off, GATED), 0);
    }

    /// A branch that keeps master's `makedumpfile [amd64]` but has arch files for
    /// arm64 alone (Ubuntu's raspi): nothing is built for amd64, whatever the
    /// control template's `Architecture: any` stanzas say.
    #[test]
    fn an_entry_for_architectures_without_arch_files() {
        let lint = |entry: &str| {
            let control = format!("Source: linux\nBuild-Depends: {entry}\n\nPackage: linux-image\nArchitecture: any\n");
            let files = [
                ("debian/control", control.as_str()),
                ("debian/debian.env", "DEBIAN=debian.pi\n"),
                ("debian/rules", "#!/usr/bin/make -f\nDEBIAN=$(shell awk -F= '($$1 == \"DEBIAN\") { print $$2 }' <debian/debian.env)\n-include $(DEBIAN)/rules.d/$(arch).mk\ninclude debian/rules.d/2-binary-arch.mk\n"),
                ("debian.pi/rules.d/arm64.mk", "build_arch = arm64\nflavours = pi\n"),
                ("debian/rules.d/2-binary-arch.mk", GATED),
            ];
            lint_memory_rule(&files, "build-dep-missing-native").0.len()
        };
        assert_eq!(lint("makedumpfile [amd64]"), 0);
        assert_eq!(lint("makedumpfile [amd64 arm64]"), 1);
        assert_eq!(lint("makedumpfile"), 1);
        // Wildcards name the architectures they match.
        assert_eq!(lint("makedumpfile [linux-any]"), 1);
        assert_eq!(lint("makedumpfile [any-arm64]"), 1);
        assert_eq!(lint("makedumpfile [any-amd64]"), 0);
        assert_eq!(lint("makedumpfile [!linux-arm64]"), 0);
        assert_eq!(lint("makedumpfile [kfreebsd-any]"), 1, "unknown: may run");
    }

    /// `else` and `else ifeq` branches, `ifdef`, and a condition that cannot be read.
    #[test]
    fn branches_of_the_switch() {
        let off = "build_arch = arm64\nflavours = generic\nno_dumpfile = true\n";
        let in_else = "b:\nifneq ($(no_dumpfile),)\n\ttrue\nelse\n\tmakedumpfile -g x\nendif\n";
        assert_eq!(count("makedumpfile", off, in_else), 0);
        let in_if = "b:\nifneq ($(no_dumpfile),)\n\tmakedumpfile -g x\nendif\n";
        assert_eq!(count("makedumpfile", off, in_if), 1);
        let chain = "b:\nifeq ($(no_dumpfile),)\n\ttrue\nelse ifeq ($(no_dumpfile),true)\n\tmakedumpfile -g x\nendif\n";
        assert_eq!(count("makedumpfile", off, chain), 1);
        let chain_else = "b:\nifeq ($(no_dumpfile),true)\n\ttrue\nelse ifeq ($(x),y)\n\ttrue\nelse\n\tmakedumpfile -g x\nendif\n";
        assert_eq!(count("makedumpfile", off, chain_else), 0);
        let ifndef = "b:\nifndef no_dumpfile\n\tmakedumpfile -g x\nendif\n";
        assert_eq!(count("makedumpfile", off, ifndef), 0);
        let unreadable = "b:\nifeq ($(filter true,$(no_dumpfile)),)\n\tmakedumpfile -g x\nendif\n";
        assert_eq!(count("makedumpfile", off, unreadable), 1);
        let by_arch = "b:\nifeq ($(arch),s390x)\n\tmakedumpfile -g x\nendif\n";
        assert_eq!(count("makedumpfile", off, by_arch), 0);
    }
}
