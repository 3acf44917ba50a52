//! `--statistics`: how many findings each rule has, most frequent first (ties by
//! rule name), with how many of them `--fix` (or `--fix --unsafe-fixes`) would fix.

use super::{Emitter, RuleTally, Tally, TreeFindings};
use crate::diagnostic::Severity;
use serde_json::json;
use std::io::{self, Write};

pub struct Statistics {
    pub json: bool,
}

impl Emitter for Statistics {
    /// Nothing a tree: the table is the run's [`Tally`], which leaves out
    /// overridden findings (with per-rule severities
    /// every finding of a rule has one severity; it keeps the highest in case a
    /// rule reports several).
    fn render(&self, _t: &TreeFindings) -> Vec<String> {
        Vec::new()
    }

    fn finish(&self, out: &mut dyn Write, tally: &Tally) -> io::Result<()> {
        let mut rows: Vec<(&str, RuleTally)> = tally.rules.iter().map(|(r, t)| (*r, *t)).collect();
        rows.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
        if self.json {
            let items: Vec<_> = rows
                .iter()
                .map(|(rule, r)| {
                    json!({
                        "rule": rule,
                        "severity": r.severity.map(Severity::as_str),
                        "count": r.count,
                        "fixable": r.safe,
                        "fixable_unsafe": r.unsafe_,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &json!({ "version": 1, "statistics": items }))?;
            return writeln!(out);
        }
        let width = rows.iter().map(|(r, _)| r.len()).max().unwrap_or(0);
        let count_width = rows
            .iter()
            .map(|(_, r)| r.count.to_string().len())
            .max()
            .unwrap_or(1);
        for (rule, r) in &rows {
            let fixable = match (r.safe, r.unsafe_) {
                (0, 0) => String::new(),
                (s, 0) => format!("{s} fixable"),
                (0, u) => format!("{u} fixable with --unsafe-fixes"),
                (s, u) => format!("{s} fixable, {u} more with --unsafe-fixes"),
            };
            let line = format!(
                "{:>count_width$}  {:<width$}  {:<7}  {fixable}",
                r.count,
                rule,
                r.severity.map(Severity::as_str).unwrap_or(""),
            );
            writeln!(out, "{}", line.trim_end())?;
        }
        let total: usize = rows.iter().map(|(_, r)| r.count).sum();
        if total == 0 {
            if tally.all_read {
                writeln!(out, "No findings.")?;
            }
            Ok(())
        } else {
            writeln!(
                out,
                "{total} finding{} from {} rule{}.",
                if total == 1 { "" } else { "s" },
                rows.len(),
                if rows.len() == 1 { "" } else { "s" }
            )
        }
    }
}
