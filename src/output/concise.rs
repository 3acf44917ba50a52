//! `--format concise`: one line per finding, as compilers print them and editors'
//! quickfix lists (vim's `errorformat`, Emacs' compilation mode) parse them:
//!
//! `debian/rules:23:9: warning[forced-serial-flag] `-j1` makes this `make` step run serially`
//!
//! The message is one line: line breaks and other control characters in it or in
//! the path are escaped (`\n`, `\x1b`), so a hostile name or text cannot forge a
//! second line or a terminal sequence.

use super::{location, Emitter, TreeFindings};
use std::fmt::Write as _;

pub struct Concise;

/// `s` with control characters written as escapes, and `\` doubled.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

impl Emitter for Concise {
    fn render(&self, t: &TreeFindings) -> Vec<String> {
        t.diagnostics
            .iter()
            .map(|d| {
                let loc = location(t.tree, d);
                let mark = if d.overridden.is_some() {
                    "[overridden] "
                } else {
                    ""
                };
                format!(
                    "{}:{}:{}: {}[{}] {mark}{}\n",
                    one_line(&loc.path),
                    loc.line,
                    loc.column,
                    d.severity.as_str(),
                    d.rule,
                    one_line(&d.message)
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn control_characters_cannot_break_the_line() {
        assert_eq!(one_line("a\nb\x1b[31mc\\d\te"), "a\\nb\\x1b[31mc\\\\d\\te");
        assert_eq!(one_line("plain `-j1` text"), "plain `-j1` text");
    }
}
