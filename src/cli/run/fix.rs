//! `--fix` runs: fix every tree in a worker, then print one patch, write the fixes
//! in place (`--write`) or write mails (`--patch-dir`).

use super::*;
/// What fixing one tree left to report: counts for the closing line, and what
/// the mode prints or writes (never the trees themselves).
#[derive(Default)]
struct TreeFixed {
    fixed: usize,
    remaining: usize,
    /// Findings left whose fix only `--unsafe-fixes` applies.
    unsafe_left: usize,
    fails: bool,
    /// `--fix`: the tree's part of the patch.
    patch: String,
    /// `--fix --patch-dir`: its mails.
    mails: Vec<Mail>,
    /// `--fix --write`: files written, what went wrong, the findings left on disk.
    written: usize,
    problems: Vec<(String, String)>,
    findings: Option<Rendered>,
}

/// With `--fix`: fix every tree, then write the fixes in place (`--write`), as
/// mails (`--patch-dir`), or print them as one patch on stdout.
pub(super) fn fix_and_report(
    run: &Run,
    status: &mut i32,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let args = run.args;
    if let Some(dir) = args.patch_dir.as_ref().filter(|_| !args.write) {
        let roots: Vec<_> = run
            .jobs
            .iter()
            .filter_map(|j| std::fs::canonicalize(&j.root).ok())
            .collect();
        if let Some(e) = crate::fix::write::tree_link_out(&roots, dir) {
            return fail(err, e);
        }
    }
    let emitter = run.emitter.as_ref();
    if args.write && emitter.start(out).is_err() {
        return EXIT_ERROR;
    }
    let mut total = TreeFixed::default();
    let mut tally = Tally::default();
    let mut write_status = EXIT_CLEAN;
    let mut patch_empty = true;
    let printed = run.stream(
        status,
        err,
        |job, tree, options| fix_tree(run, job, tree, options),
        |t, err| {
            total.fixed += t.fixed;
            total.remaining += t.remaining;
            total.unsafe_left += t.unsafe_left;
            total.fails |= t.fails;
            total.written += t.written;
            total.mails.extend(t.mails);
            for (display, e) in &t.problems {
                write_status = fail(&mut *err, format_args!("{display}: {e}"));
            }
            patch_empty &= t.patch.is_empty();
            if out.write_all(t.patch.as_bytes()).is_err() {
                return false;
            }
            match &t.findings {
                Some(r) => print(emitter, out, r, &mut tally),
                None => true,
            }
        },
    );
    if !printed {
        return EXIT_ERROR;
    }
    let hint = if total.unsafe_left > 0 && !args.unsafe_fixes {
        format!(" ({} more with --unsafe-fixes)", total.unsafe_left)
    } else {
        String::new()
    };
    let fixed = total.fixed;
    let status = if args.write {
        tally.all_read = *status == EXIT_CLEAN;
        if emitter.finish(out, &tally).is_err() {
            return EXIT_ERROR;
        }
        if !args.quiet {
            let _ = writeln!(
                err,
                "Fixed {fixed} finding{} in {} file{}{hint}.",
                plural(fixed),
                total.written,
                plural(total.written)
            );
        }
        write_status
    } else if let Some(dir) = &args.patch_dir {
        match write_patch_dir(dir, &total.mails) {
            Ok(names) => {
                for n in &names {
                    let _ = writeln!(out, "{n}");
                }
                if !args.quiet {
                    let _ = writeln!(
                        err,
                        "Wrote {} patch{} for {fixed} finding{}{hint}; apply with `git am {}/*.patch`.",
                        names.len(),
                        if names.len() == 1 { "" } else { "es" },
                        plural(fixed),
                        dir.display()
                    );
                }
                if names.is_empty() {
                    EXIT_CLEAN
                } else {
                    EXIT_FINDINGS
                }
            }
            Err(e) => fail(err, format_args!("{}: {e}", dir.display())),
        }
    } else {
        if !args.quiet {
            let remaining = total.remaining;
            let _ = writeln!(
                err,
                "{fixed} fix{} in the patch above{hint}; {remaining} finding{} would remain.",
                if fixed == 1 { "" } else { "es" },
                plural(remaining)
            );
        }
        if patch_empty {
            EXIT_CLEAN
        } else {
            EXIT_FINDINGS
        }
    };
    if status == EXIT_CLEAN && total.fails {
        EXIT_FINDINGS
    } else {
        status
    }
}

/// Fix one tree (in a worker) and do with the fixes what the mode says:
/// `--write` writes them, each tree's fixes together or not at all, and renders
/// the findings of the tree as it is on disk afterwards; `--patch-dir` makes its
/// mails; plain `--fix` its part of the patch.
fn fix_tree(run: &Run, job: &Job, tree: &Tree, options: &LintOptions) -> TreeFixed {
    let args = run.args;
    let mut o = fix_loop(tree, options, args.unsafe_fixes);
    job.settings.apply_severity(&mut o.remaining);
    let mut t = TreeFixed::default();
    if args.write {
        match write_tree(tree, &o.tree) {
            Ok(n) => t.written = n,
            Err(WriteFailure {
                committed,
                problems,
            }) => {
                t.written = committed.len();
                t.problems = problems;
                // Report the tree as it is now on disk, and claim no fix for it:
                // with nothing written, every finding is still there; written
                // part-way, the files that landed are the fixed ones.
                let mut on_disk = tree.clone();
                for id in committed {
                    if id < on_disk.files.len() {
                        on_disk.files[id] = o.tree.files[id].clone();
                    } else {
                        on_disk.files.push(o.tree.files[id].clone());
                    }
                }
                let mut remaining = lint_tree(&on_disk, options);
                job.settings.apply_severity(&mut remaining);
                o = FixOutcome {
                    tree: on_disk,
                    passes: Vec::new(),
                    remaining,
                };
            }
        }
        t.findings = Some(Rendered {
            fails: false,
            ..Rendered::of(run, &o.tree, &o.remaining)
        });
    } else if args.patch_dir.is_some() {
        t.mails = mails(&o.passes);
    } else {
        t.patch = tree_diff(tree, &o.tree);
    }
    t.fixed = o.fixed();
    t.remaining = o.remaining.len();
    t.unsafe_left = o
        .remaining
        .iter()
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Unsafe)
        })
        .count();
    t.fails = fails(args, &o.remaining);
    t
}
