//! `--add-allow`: write a suppression comment for every current finding
//! (src/engine/allow.rs says where comments may go), then report what is left.
//! Trees go through the run one at a time, as they are linted ([`Run::stream`]):
//! each is written by the worker that linted it, and its findings afterwards are
//! rendered there.

use super::jobs::Job;
use super::run::{print, Rendered, Run, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::engine::{allow::add_allow, lint_tree};
use crate::fix::write::{write_tree, WriteFailure};
use crate::output::Tally;
use crate::rules::LintOptions;
use crate::tree::Tree;
use std::io::Write;

/// What adding comments to one tree did, and its findings afterwards.
struct Allowed {
    /// Findings no comment could be written for, said on stderr.
    skipped: Vec<String>,
    /// Files that could not be written: (display path, why).
    problems: Vec<(String, String)>,
    placed: usize,
    files: usize,
    findings: Rendered,
}

pub(super) fn run(run: &Run, status: &mut i32, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let emitter = run.emitter.as_ref();
    if emitter.start(out).is_err() {
        return EXIT_ERROR;
    }
    let mut done = EXIT_CLEAN;
    let (mut placed, mut files) = (0, 0);
    let mut tally = Tally::default();
    let mut fails = false;
    let printed = run.stream(
        status,
        err,
        |job, tree, options| allow_tree(run, job, tree, options),
        |t, err| {
            for line in &t.skipped {
                let _ = writeln!(err, "{line}");
            }
            for (display, e) in &t.problems {
                let _ = writeln!(err, "kpkg-lint: error: {display}: {e}");
                done = EXIT_ERROR;
            }
            placed += t.placed;
            files += t.files;
            fails |= t.findings.fails;
            print(emitter, out, &t.findings, &mut tally)
        },
    );
    tally.all_read = *status == EXIT_CLEAN;
    if !printed || emitter.finish(out, &tally).is_err() {
        return EXIT_ERROR;
    }
    if !run.args.quiet {
        let _ = writeln!(
            err,
            "Added suppression comments for {placed} finding{} in {files} file{}.",
            if placed == 1 { "" } else { "s" },
            if files == 1 { "" } else { "s" },
        );
    }
    match done {
        EXIT_CLEAN if fails => EXIT_FINDINGS,
        s => s,
    }
}

/// Comment one tree's findings (in a worker), write it, and render what is left.
fn allow_tree(run: &Run, job: &Job, tree: &Tree, options: &LintOptions) -> Allowed {
    let mut diags = lint_tree(tree, options);
    job.settings.apply_severity(&mut diags);
    let plan = add_allow(tree, &diags);
    let skipped = plan
        .skipped
        .iter()
        .map(|(i, why)| {
            let d = &diags[*i];
            let f = &tree.files[d.file];
            format!(
                "kpkg-lint: {}:{}: no comment for {}: {why}",
                f.display,
                f.line_col(d.span.start).0,
                d.rule
            )
        })
        .collect();
    match write_tree(tree, &plan.tree) {
        Ok(n) => {
            let mut remaining = lint_tree(&plan.tree, options);
            job.settings.apply_severity(&mut remaining);
            Allowed {
                skipped,
                problems: Vec::new(),
                placed: plan.placed,
                files: n,
                findings: Rendered::of(run, &plan.tree, &remaining),
            }
        }
        Err(WriteFailure {
            committed,
            problems,
        }) => Allowed {
            skipped,
            problems,
            placed: 0,
            files: committed.len(),
            // What is on disk is uncertain: report the tree as it was read.
            findings: Rendered::of(run, tree, &diags),
        },
    }
}
