//! Directories as a recipe names them: `cd` and `-C` targets joined and
//! normalised, the package root's spellings, and directories whose makefiles are
//! not the kernel's.

use crate::model::shell;

/// The package root, as [`super::MakeCall::dir`] spells it.
pub const ROOT: &str = "";

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
