//! `--statistics`: how many findings each rule has, most frequent first (ties by
//! rule name), with how many of them `--fix` (or `--fix --unsafe-fixes`) would fix.

use super::{Emitter, TreeFindings};
use crate::diagnostic::{Applicability, Severity};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub struct Statistics {
    pub json: bool,
    /// Every input was found and read: only then does an empty table say
    /// "No findings." (see [`super::text::Text::all_read`]).
    pub all_read: bool,
}

#[derive(Default)]
struct Row {
    count: usize,
    safe: usize,
    unsafe_: usize,
    severity: Option<Severity>,
}

impl Emitter for Statistics {
    fn emit(&self, out: &mut dyn Write, findings: &[TreeFindings]) -> io::Result<()> {
        let mut rows: BTreeMap<&str, Row> = BTreeMap::new();
        for t in findings {
            for d in t.diagnostics.iter().filter(|d| d.overridden.is_none()) {
                let row = rows.entry(d.rule.name()).or_default();
                row.count += 1;
                // With per-rule severities every finding of a rule has one severity;
                // keep the highest in case a rule reports several.
                row.severity = row.severity.max(Some(d.severity));
                match d.fix.as_ref().map(|f| f.applicability) {
                    Some(Applicability::Safe) => row.safe += 1,
                    Some(Applicability::Unsafe) => row.unsafe_ += 1,
                    None => {}
                }
            }
        }
        let mut rows: Vec<(&str, Row)> = rows.into_iter().collect();
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
            if self.all_read {
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
