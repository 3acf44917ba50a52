//! `--format json`: one object, `{"version":1,"findings":[…]}`. `version` is the
//! schema version: it changes only when a field is removed or changes meaning
//! (fields may be added within a version).

use super::{location, Emitter, TreeFindings};
use serde_json::{json, Value};
use std::io::{self, Write};

pub struct Json;

impl Emitter for Json {
    fn emit(&self, out: &mut dyn Write, findings: &[TreeFindings]) -> io::Result<()> {
        let mut items: Vec<Value> = Vec::new();
        for t in findings {
            for d in t.diagnostics {
                let loc = location(t.tree, d);
                items.push(json!({
                    "rule": d.rule.name(),
                    "severity": d.severity.as_str(),
                    "path": loc.path,
                    "line": loc.line,
                    "column": loc.column,
                    "end_line": loc.end_line,
                    "end_column": loc.end_column,
                    "message": d.message,
                    "help": d.help,
                    "fixable": d.fix.is_some(),
                }));
            }
        }
        let doc = json!({ "version": 1, "findings": items });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}
