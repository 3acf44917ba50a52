//! `--add-allow`: write a suppression comment for every current finding
//! (src/engine/allow.rs says where comments may go), then report what is left.

use super::jobs::Job;
use super::run::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{allow::add_allow, lint_tree};
use crate::fix::write::{write_tree, WriteFailure};
use crate::output::{Emitter, TreeFindings};
use crate::tree::Tree;
use std::io::Write;

pub fn run(
    jobs: &[Job],
    threshold: Option<Severity>,
    quiet: bool,
    emitter: &dyn Emitter,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let mut status = EXIT_CLEAN;
    let (mut placed, mut files) = (0, 0);
    let mut after: Vec<(Tree, Vec<Diagnostic>)> = Vec::new();
    for job in jobs {
        let mut diags = lint_tree(job.tree, &job.options);
        job.settings.apply_severity(&mut diags);
        let plan = add_allow(job.tree, &diags);
        for (i, why) in &plan.skipped {
            let d = &diags[*i];
            let f = &job.tree.files[d.file];
            let _ = writeln!(
                err,
                "kpkg-lint: {}:{}: no comment for {}: {why}",
                f.display,
                f.line_col(d.span.start).0,
                d.rule
            );
        }
        match write_tree(job.tree, &plan.tree) {
            Ok(n) => {
                files += n;
                placed += plan.placed;
                let mut remaining = lint_tree(&plan.tree, &job.options);
                job.settings.apply_severity(&mut remaining);
                after.push((plan.tree, remaining));
            }
            Err(WriteFailure {
                committed,
                problems,
            }) => {
                for (display, e) in problems {
                    let _ = writeln!(err, "kpkg-lint: error: {display}: {e}");
                }
                status = EXIT_ERROR;
                files += committed.len();
                // What is on disk is uncertain: report the tree as it was read.
                after.push((job.tree.clone(), diags));
            }
        }
    }
    let findings: Vec<TreeFindings> = after
        .iter()
        .map(|(tree, d)| TreeFindings {
            tree,
            diagnostics: d,
        })
        .collect();
    if emitter.emit(out, &findings).is_err() {
        return EXIT_ERROR;
    }
    if !quiet {
        let _ = writeln!(
            err,
            "Added suppression comments for {placed} finding{} in {files} file{}.",
            if placed == 1 { "" } else { "s" },
            if files == 1 { "" } else { "s" },
        );
    }
    let fails = threshold.is_some_and(|t| {
        after
            .iter()
            .flat_map(|(_, d)| d)
            .any(|d| d.severity >= t && d.overridden.is_none())
    });
    match status {
        EXIT_CLEAN if fails => EXIT_FINDINGS,
        s => s,
    }
}
