//! `--format github`: GitHub Actions workflow commands, one line per finding, which
//! the runner turns into annotations on the pull request's diff:
//!
//! `::warning title=forced-serial-flag,file=debian/rules,line=12,endLine=12,col=2,endColumn=5::message`
//!
//! Properties are written in the order and with the escaping of the official
//! toolkit (`@actions/core`'s `issueCommand`): `%`, CR and LF in the message, and
//! additionally `:` and `,` in property values. A test compares our lines with the
//! toolkit's, byte for byte.

use super::{location, Emitter, TreeFindings};
use crate::diagnostic::Severity;

pub struct Github;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

impl Emitter for Github {
    fn render(&self, t: &TreeFindings) -> Vec<String> {
        let mut lines = Vec::with_capacity(t.diagnostics.len());
        // An overridden finding is no annotation of the pull request.
        for d in t.diagnostics.iter().filter(|d| d.overridden.is_none()) {
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let loc = location(t.tree, d);
            let mut message = d.message.clone();
            if let Some(h) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(h);
            }
            let mut props = vec![("title", d.rule.to_string()), ("file", loc.path.clone())];
            if t.tree.files[d.file].skipped.is_none() {
                props.push(("line", loc.line.to_string()));
                props.push(("endLine", loc.end_line.to_string()));
                // Columns only make sense on one line (GitHub drops them otherwise).
                if loc.line == loc.end_line {
                    props.push(("col", loc.column.to_string()));
                    props.push(("endColumn", loc.end_column.to_string()));
                }
            }
            let props: Vec<String> = props
                .into_iter()
                .map(|(k, v)| format!("{k}={}", escape_property(&v)))
                .collect();
            lines.push(format!(
                "::{command} {}::{}\n",
                props.join(","),
                escape_data(&message)
            ));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping() {
        assert_eq!(
            super::escape_data("50% a\r\nb: c, d"),
            "50%25 a%0D%0Ab: c, d"
        );
        assert_eq!(super::escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
