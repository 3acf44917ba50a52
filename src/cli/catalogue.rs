//! `kpkg-lint rules` and `kpkg-lint explain`: the catalogue on the terminal.

use super::run::{EXIT_CLEAN, EXIT_ERROR};
use super::ListFormat;
use crate::registry::catalogue;
use std::io::Write;

pub fn list_rules(format: ListFormat, out: &mut dyn Write) -> i32 {
    let cat = catalogue::catalogue();
    let r = match format {
        ListFormat::Json => {
            let items: Vec<_> = cat
                .iter()
                .map(|m| serde_json::json!({"name": m.name, "family": m.family, "severity": m.severity.as_str(), "fix": m.fix.as_str(), "summary": m.summary}))
                .collect();
            serde_json::to_writer_pretty(&mut *out, &items)
                .map_err(|_| ())
                .and_then(|_| writeln!(out).map_err(|_| ()))
        }
        ListFormat::Text => {
            let mut r = Ok(());
            for m in cat {
                r = r.and(
                    writeln!(
                        out,
                        "{:<30} {:<12} {:<8} fix:{:<7} {}",
                        m.name,
                        m.family,
                        m.severity.as_str(),
                        m.fix.as_str(),
                        m.summary
                    )
                    .map_err(|_| ()),
                );
            }
            r
        }
    };
    if r.is_ok() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    }
}

/// `kpkg-lint explain RULE`: the rule's documentation page as text.
pub fn explain(rule: &str, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match catalogue::meta(rule) {
        Some(m) => {
            let _ = write!(out, "{}", crate::docs::explain(m));
            EXIT_CLEAN
        }
        None => {
            let hint =
                crate::registry::suggest(rule, crate::registry::Rule::ALL.iter().map(|r| r.name()))
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
            let _ = writeln!(
                err,
                "kpkg-lint: error: unknown rule `{rule}` ({hint}run `kpkg-lint rules` for the list)"
            );
            EXIT_ERROR
        }
    }
}
