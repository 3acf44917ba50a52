//! The run: settings from the command line → jobs → engine → emitters → exit status.

use super::baseline::Baseline;
use super::catalogue::{explain, list_rules};
use super::hook::hook;
use super::jobs::{self, Job};
use super::man::man_page;
use super::progress::Progress;
use super::{Cli, ColorChoice, Command, FailOn, Format, LintArgs};
use crate::config::{self, Overrides};
use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::engine::{fix_loop, lint_tree, FixOutcome};
use crate::fix::{diff::tree_diff, mail::write_patch_dir, write::write_tree, write::WriteFailure};
use crate::output::{
    github::Github, gitlab::Gitlab, json::Json, lintian::Lintian, sarif::Sarif,
    statistics::Statistics, text::Text, DocUrl, Emitter, TreeFindings,
};
use crate::registry::RuleSet;
use crate::rules::LintOptions;
use clap::ValueEnum;
use std::io::{IsTerminal, Write};

pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// Set by [`run_process`]: the process exits when the run returns.
static EXITING_AFTER_RUN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// [`run`] for a process that exits as soon as it returns (the binary): large
/// structures are left to the operating system instead of being freed piece by
/// piece. Freeing a loaded apt index (63,000 records) took a tenth of an
/// `--archive` run.
pub fn run_process(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    EXITING_AFTER_RUN.store(true, std::sync::atomic::Ordering::Relaxed);
    run(cli, out, err)
}

/// Run kpkg-lint with parsed arguments; returns the exit status.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match cli.command {
        Some(Command::Rules { format }) => list_rules(format, out),
        Some(Command::Explain { rule }) => explain(&rule, out, err),
        Some(Command::Hook { action }) => hook(action, out, err),
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "kpkg-lint", out);
            EXIT_CLEAN
        }
        Some(Command::Man) => match man_page(out) {
            Ok(()) => EXIT_CLEAN,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_CLEAN,
            Err(e) => {
                let _ = writeln!(err, "kpkg-lint: error: {e}");
                EXIT_ERROR
            }
        },
        Some(Command::Resolve(args)) => super::resolve::resolve(&args, out, err),
        None => lint(cli.lint, out, err),
    }
}

/// Print `kpkg-lint: error: …` and return the usage/I/O exit status.
fn fail(err: &mut dyn Write, message: impl std::fmt::Display) -> i32 {
    let _ = writeln!(err, "kpkg-lint: error: {message}");
    EXIT_ERROR
}

/// Linting (and fixing) in phases: check the arguments, find the trees, settle
/// each tree's settings and indices, then lint or fix and report.
fn lint(args: LintArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if let Err(e) = check_arguments(&args) {
        return fail(err, e);
    }
    let overrides = Overrides {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        release: args.release.clone(),
        archive: args.archive.clone(),
        profiles: args.profiles.clone(),
        allow_unknown: args.allow_unknown.clone(),
    };

    let mut discovery = crate::discover::discover(&args.paths);
    let mut status = EXIT_CLEAN;
    // An interrupted `--write` first: completed now, or reported.
    let roots: Vec<_> = discovery.trees.iter().map(|t| t.root.clone()).collect();
    if interrupted_writes(&args, &roots, err, &mut status) {
        discovery = crate::discover::discover(&args.paths);
    }
    for e in &discovery.errors {
        status = fail(err, format_args!("{}: {}", e.path, e.message));
    }

    let explicit = match &args.config {
        Some(path) => match config::load(path) {
            Ok(c) => Some(c),
            Err(e) => return fail(err, e),
        },
        None => None,
    };
    let mut jobs = match jobs::build(&discovery.trees, explicit.as_ref(), &overrides) {
        Ok(jobs) => jobs,
        Err(errors) => {
            for e in &errors {
                fail(err, e);
            }
            return EXIT_ERROR;
        }
    };

    // A file given on the command line: its tree is linted (findings span
    // files), and that file's findings are reported.
    let files: Vec<std::path::PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.is_file())
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    for job in &mut jobs {
        job.options.keep_overridden = args.show_overrides;
    }
    if !files.is_empty() {
        for job in &mut jobs {
            job.options.only_files = files
                .iter()
                .filter_map(|f| f.strip_prefix(&job.tree.location).ok())
                .map(|r| r.to_string_lossy().into_owned())
                .collect();
        }
    }

    if args.show_settings {
        for (i, job) in jobs.iter().enumerate() {
            let _ = writeln!(out, "{}", jobs::show_settings(job, i > 0));
        }
        return status;
    }

    let leak = EXITING_AFTER_RUN.load(std::sync::atomic::Ordering::Relaxed);
    if let Err(e) = jobs::attach_archives(&mut jobs, leak) {
        return fail(err, format_args!("{}: {}", e.path, e.message));
    }

    // One documentation link per rule for the run: the command line's, else
    // the first tree's configuration's.
    let docs = args
        .doc_url
        .as_deref()
        .or_else(|| jobs.iter().find_map(|j| j.settings.doc_url.as_deref()))
        .map(DocUrl::new)
        .unwrap_or_default();
    let emitter = emitter(&args, status == EXIT_CLEAN, docs);
    if args.add_allow {
        let threshold = (!args.exit_zero).then(|| fail_on(args.fail_on));
        let done = super::allow::run(&jobs, threshold, args.quiet, emitter.as_ref(), out, err);
        return if status == EXIT_CLEAN { done } else { status };
    }
    let baseline = match args.baseline.as_deref().map(Baseline::load) {
        Some(Err(e)) => return fail(err, e),
        Some(Ok(b)) => Some(b),
        None => None,
    };
    let progress = Progress::new(jobs.len(), &args);
    let reported = if args.fix {
        fix_and_report(&args, &jobs, &progress, emitter.as_ref(), out, err)
    } else {
        lint_and_report(
            &args,
            &jobs,
            baseline.as_ref(),
            &progress,
            emitter.as_ref(),
            out,
            err,
        )
    };
    match reported {
        EXIT_CLEAN => status,
        EXIT_FINDINGS if status == EXIT_CLEAN => EXIT_FINDINGS,
        EXIT_FINDINGS => status,
        other => other,
    }
}

/// Look for the journal an interrupted `--fix --write` leaves at a tree's root
/// (src/fix/journal.rs). `--fix --write` completes it and says so; any other run
/// only reads, so it reports the tree as partly fixed (exit 2). Returns whether a
/// tree changed on disk (then it is read again).
fn interrupted_writes(
    args: &LintArgs,
    roots: &[std::path::PathBuf],
    err: &mut dyn Write,
    status: &mut i32,
) -> bool {
    use crate::fix::journal::{self, Found};
    let mut changed = false;
    for root in roots {
        let shown = crate::source::display_path(root);
        let Ok(real) = std::fs::canonicalize(root) else {
            continue;
        };
        if args.fix && args.write {
            match journal::recover(&real) {
                Ok(r) if r.found => {
                    changed = true;
                    let _ = writeln!(
                        err,
                        "kpkg-lint: {shown}: completed an interrupted `kpkg-lint --fix --write`: {} file{} put in place",
                        r.completed.len(),
                        plural(r.completed.len())
                    );
                    for (file, why) in r.dropped {
                        let file = root.join(file);
                        *status = fail(
                            err,
                            format_args!("{}: {why}", crate::source::display_path(&file)),
                        );
                    }
                }
                Ok(_) => {}
                Err(e) => *status = fail(err, format_args!("{shown}: {e}")),
            }
        } else {
            match journal::inspect(&real) {
                Ok(Found::Nothing) => {}
                Ok(Found::Busy) => {
                    *status = fail(
                        err,
                        format_args!(
                            "{shown}: a `kpkg-lint --fix --write` is writing this tree right now; what is read may be half written"
                        ),
                    )
                }
                Ok(Found::Interrupted { done, total }) => {
                    *status = fail(
                        err,
                        format_args!(
                            "{shown}: partly fixed: an interrupted `kpkg-lint --fix --write` put {done} of {total} fixed files in place ({}); `kpkg-lint --fix --write` completes it",
                            journal::NAME
                        ),
                    )
                }
                Err(e) => *status = fail(err, format_args!("{shown}: {e}")),
            }
        }
    }
    changed
}

/// Command-line names and combinations are checked before anything is read.
fn check_arguments(args: &LintArgs) -> Result<(), String> {
    RuleSet::from_names(&args.select, &args.ignore).map_err(|e| e.to_string())?;
    let cli_options = LintOptions {
        release: args.release.clone(),
        ..LintOptions::default()
    };
    cli_options.validate()?;
    if args.statistics && !matches!(args.format, Format::Text | Format::Json) {
        return Err(format!(
            "--statistics prints text or JSON, not --format {}",
            format_name(args.format)
        ));
    }
    Ok(())
}

/// The emitter for `--format`; `all_read` when every input path was found and read.
fn emitter(args: &LintArgs, all_read: bool, docs: DocUrl) -> Box<dyn Emitter> {
    if args.statistics {
        return Box::new(Statistics {
            json: args.format == Format::Json,
            all_read,
        });
    }
    match args.format {
        Format::Text => Box::new(Text {
            color: color_enabled(args.color),
            width: 100,
            summary: !args.quiet,
            all_read,
            docs,
        }),
        Format::Json => Box::new(Json { docs }),
        Format::Sarif => Box::new(Sarif { docs }),
        Format::Github => Box::new(Github),
        Format::Gitlab => Box::new(Gitlab { docs }),
        Format::Lintian => Box::new(Lintian),
        Format::Concise => Box::new(crate::output::concise::Concise),
    }
}

/// Does any finding reach `--fail-on`?
fn fails(args: &LintArgs, diags: &[Diagnostic]) -> bool {
    if args.exit_zero {
        return false;
    }
    let threshold = fail_on(args.fail_on);
    diags
        .iter()
        .any(|d| d.severity >= threshold && d.overridden.is_none())
}

/// Without `--fix`: lint every tree and print the findings.
fn lint_and_report(
    args: &LintArgs,
    jobs: &[Job],
    baseline: Option<&Baseline>,
    progress: &Progress,
    emitter: &dyn Emitter,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let mut results: Vec<Vec<Diagnostic>> = crate::par::map(jobs, |job| {
        progress.start(job.tree);
        let mut diags = lint_tree(job.tree, &job.options);
        job.settings.apply_severity(&mut diags);
        progress.done();
        diags
    });
    progress.finish();
    let trees: Vec<&crate::tree::Tree> = jobs.iter().map(|j| j.tree).collect();
    if let Some(path) = &args.write_baseline {
        return match super::baseline::write(path, &trees, &results) {
            Ok(n) => {
                let _ = writeln!(
                    err,
                    "Recorded {n} finding{} in {shown}; `--baseline {shown}` leaves them out.",
                    plural(n),
                    shown = crate::source::display_path(path)
                );
                EXIT_CLEAN
            }
            Err(e) => fail(err, e),
        };
    }
    if let Some(b) = baseline {
        let (hidden, stale) = b.filter(&trees, &mut results);
        if !args.quiet && (hidden > 0 || stale > 0) && !args.format.is_machine() {
            let _ = writeln!(
                err,
                "{hidden} finding{} recorded in {} not shown{}.",
                plural(hidden),
                b.display,
                match stale {
                    0 => String::new(),
                    n => format!(
                        "; {n} recorded finding{} fixed since (`--write-baseline` drops them)",
                        plural(n)
                    ),
                }
            );
        }
    }
    let findings: Vec<TreeFindings> = jobs
        .iter()
        .zip(&results)
        .map(|(job, d)| TreeFindings {
            tree: job.tree,
            diagnostics: d,
        })
        .collect();
    if emitter.emit(out, &findings).is_err() {
        return EXIT_ERROR;
    }
    if results.iter().any(|d| fails(args, d)) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// With `--fix`: fix every tree, then write the fixes in place, as mails, or as
/// one patch on stdout.
fn fix_and_report(
    args: &LintArgs,
    jobs: &[Job],
    progress: &Progress,
    emitter: &dyn Emitter,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let mut outcomes: Vec<FixOutcome> = crate::par::map(jobs, |job| {
        progress.start(job.tree);
        let mut o = fix_loop(job.tree, &job.options, args.unsafe_fixes);
        job.settings.apply_severity(&mut o.remaining);
        progress.done();
        o
    });
    progress.finish();
    let remaining_fail = outcomes.iter().any(|o| fails(args, &o.remaining));
    let status = if args.write {
        write_fixes(args, jobs, &mut outcomes, emitter, out, err)
    } else if let Some(dir) = &args.patch_dir {
        let roots: Vec<_> = jobs
            .iter()
            .filter_map(|j| std::fs::canonicalize(&j.tree.root).ok())
            .collect();
        if let Some(e) = crate::fix::write::tree_link_out(&roots, dir) {
            return fail(err, e);
        }
        write_mails(args, dir, &outcomes, out, err)
    } else {
        print_patch(args, jobs, &outcomes, out, err)
    };
    if status == EXIT_CLEAN && remaining_fail {
        EXIT_FINDINGS
    } else {
        status
    }
}

/// `--fix --write`: each tree's fixes land together or not at all; the findings
/// printed are those of the trees as they are on disk afterwards.
fn write_fixes(
    args: &LintArgs,
    jobs: &[Job],
    outcomes: &mut [FixOutcome],
    emitter: &dyn Emitter,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let mut status = EXIT_CLEAN;
    let mut files_written = 0;
    for (o, job) in outcomes.iter_mut().zip(jobs) {
        let orig = job.tree;
        match write_tree(orig, &o.tree) {
            Ok(n) => files_written += n,
            Err(WriteFailure {
                committed,
                problems,
            }) => {
                files_written += committed.len();
                for (display, e) in problems {
                    status = fail(err, format_args!("{display}: {e}"));
                }
                // Report the tree as it is now on disk, and claim no fix for it:
                // with nothing written, every finding is still there; written
                // part-way, the files that landed are the fixed ones.
                let mut on_disk = orig.clone();
                for id in committed {
                    if id < on_disk.files.len() {
                        on_disk.files[id] = o.tree.files[id].clone();
                    } else {
                        on_disk.files.push(o.tree.files[id].clone());
                    }
                }
                let mut remaining = lint_tree(&on_disk, &job.options);
                job.settings.apply_severity(&mut remaining);
                *o = FixOutcome {
                    tree: on_disk,
                    passes: Vec::new(),
                    remaining,
                };
            }
        }
    }
    let fixed: usize = outcomes.iter().map(FixOutcome::fixed).sum();
    let hint = unsafe_hint(outcomes, args.unsafe_fixes);
    let findings: Vec<TreeFindings> = outcomes
        .iter()
        .map(|o| TreeFindings {
            tree: &o.tree,
            diagnostics: &o.remaining,
        })
        .collect();
    if emitter.emit(out, &findings).is_err() {
        return EXIT_ERROR;
    }
    if !args.quiet {
        let _ = writeln!(
            err,
            "Fixed {fixed} finding{} in {files_written} file{}{hint}.",
            plural(fixed),
            plural(files_written)
        );
    }
    status
}

/// `--fix --patch-dir DIR`: one `git format-patch` mail per rule and pass.
fn write_mails(
    args: &LintArgs,
    dir: &std::path::Path,
    outcomes: &[FixOutcome],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let fixed: usize = outcomes.iter().map(FixOutcome::fixed).sum();
    let hint = unsafe_hint(outcomes, args.unsafe_fixes);
    match write_patch_dir(dir, outcomes.iter().flat_map(|o| &o.passes)) {
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
}

/// `--fix`: one unified diff of every tree on stdout, for `git apply` or `patch -p1`.
fn print_patch(
    args: &LintArgs,
    jobs: &[Job],
    outcomes: &[FixOutcome],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let fixed: usize = outcomes.iter().map(FixOutcome::fixed).sum();
    let hint = unsafe_hint(outcomes, args.unsafe_fixes);
    let mut patch = String::new();
    for (job, o) in jobs.iter().zip(outcomes) {
        patch.push_str(&tree_diff(job.tree, &o.tree));
    }
    let _ = out.write_all(patch.as_bytes());
    let remaining: usize = outcomes.iter().map(|o| o.remaining.len()).sum();
    if !args.quiet {
        let _ = writeln!(
            err,
            "{fixed} fix{} in the patch above{hint}; {remaining} finding{} would remain.",
            if fixed == 1 { "" } else { "es" },
            plural(remaining)
        );
    }
    if patch.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}

fn color_enabled(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn fail_on(f: FailOn) -> Severity {
    match f {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    }
}

fn format_name(f: Format) -> String {
    f.to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// " (N more with --unsafe-fixes)" when fixes were held back for being unsafe.
fn unsafe_hint(outcomes: &[FixOutcome], unsafe_fixes: bool) -> String {
    let unsafe_left = outcomes
        .iter()
        .flat_map(|o| &o.remaining)
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Unsafe)
        })
        .count();
    if unsafe_left > 0 && !unsafe_fixes {
        format!(" ({unsafe_left} more with --unsafe-fixes)")
    } else {
        String::new()
    }
}
