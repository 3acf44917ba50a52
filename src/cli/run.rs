//! The run: settings from the command line → jobs → engine → emitters → exit status.

use super::baseline::{self, Baseline};
use super::catalogue::{explain, list_rules};
use super::hook::hook;
use super::jobs::{self, Job};
use super::man::man_page;
use super::progress::Progress;
use super::{Cli, ColorChoice, Command, FailOn, Format, LintArgs};
use crate::config::{self, Overrides};
use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::engine::{fix_loop, lint_tree, FixOutcome};
use crate::fix::mail::{mails, write_patch_dir, Mail};
use crate::fix::{diff::tree_diff, write::write_tree, write::WriteFailure};
use crate::output::{
    github::Github, gitlab::Gitlab, json::Json, jsonl::JsonLines, lintian::Lintian, sarif::Sarif,
    statistics::Statistics, text::Text, DocUrl, Emitter, Tally, TreeFindings,
};
use crate::registry::RuleSet;
use crate::rules::LintOptions;
use crate::tree::Tree;
use clap::ValueEnum;
use std::io::{IsTerminal, Write};

mod fix;
use fix::fix_and_report;

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
/// each tree's settings and indices, then read, lint or fix, and report tree by
/// tree (see [`report`]).
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

    let mut found = crate::discover::find(&args.paths);
    let mut status = EXIT_CLEAN;
    // An interrupted `--write` first: completed now, or reported.
    if interrupted_writes(&args, &found.roots, err, &mut status) {
        found = crate::discover::find(&args.paths);
    }
    for e in &found.errors {
        status = fail(err, format_args!("{}: {}", e.path, e.message));
    }

    let explicit = match &args.config {
        Some(path) => match config::load(path) {
            Ok(c) => Some(c),
            Err(e) => return fail(err, e),
        },
        None => None,
    };
    let mut jobs = match jobs::build(&found.roots, explicit.as_ref(), &overrides) {
        Ok(jobs) => jobs,
        Err(errors) => {
            for e in &errors {
                fail(err, e);
            }
            return EXIT_ERROR;
        }
    };
    drop(found);
    if args.show_overrides {
        jobs::adjust_options(&mut jobs, |o| o.keep_overridden = true);
    }

    if args.show_settings {
        for (i, job) in jobs.iter().enumerate() {
            let (tree, errors) = crate::discover::read(&job.root);
            for e in &errors {
                status = fail(err, format_args!("{}: {}", e.path, e.message));
            }
            let _ = writeln!(out, "{}", jobs::show_settings(job, &tree, i > 0));
        }
        return status;
    }

    let leak = EXITING_AFTER_RUN.load(std::sync::atomic::Ordering::Relaxed);
    if let Err(e) = jobs::attach_archives(&mut jobs, leak) {
        return fail(err, format_args!("{}: {}", e.path, e.message));
    }

    // A file given on the command line: its tree is linted (findings span
    // files), and that file's findings are reported.
    let files: Vec<std::path::PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.is_file())
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    // One documentation link per rule for the run: the command line's, else
    // the first tree's configuration's.
    let docs = args
        .doc_url
        .as_deref()
        .or_else(|| jobs.iter().find_map(|j| j.settings.doc_url.as_deref()))
        .map(DocUrl::new)
        .unwrap_or_default();
    let run = Run {
        args: &args,
        jobs: &jobs,
        files: &files,
        emitter: emitter(&args, docs),
        progress: Progress::new(jobs.len(), &args),
    };
    if args.add_allow {
        let done = super::allow::run(&run, &mut status, out, err);
        return if status == EXIT_CLEAN { done } else { status };
    }
    let baseline = match args.baseline.as_deref().map(Baseline::load) {
        Some(Err(e)) => return fail(err, e),
        Some(Ok(b)) => Some(b),
        None => None,
    };
    let reported = if args.fix {
        fix_and_report(&run, &mut status, out, err)
    } else {
        lint_and_report(&run, baseline.as_ref(), &mut status, out, err)
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

/// The emitter for `--format`, linking rule documentation at `docs`.
fn emitter(args: &LintArgs, docs: DocUrl) -> Box<dyn Emitter> {
    if args.statistics {
        return Box::new(Statistics {
            json: args.format == Format::Json,
        });
    }
    match args.format {
        Format::Text => Box::new(Text {
            color: color_enabled(args.color),
            width: 100,
            summary: !args.quiet,
            docs,
        }),
        Format::Json => Box::new(Json { docs }),
        Format::Jsonl => Box::new(JsonLines { docs }),
        Format::Sarif => Box::new(Sarif { docs }),
        Format::Github => Box::new(Github),
        Format::Gitlab => Box::new(Gitlab { docs }),
        Format::Lintian => Box::new(Lintian),
        Format::Concise => Box::new(crate::output::concise::Concise),
    }
}

/// Does any finding reach `--fail-on`? (An overridden one never does.)
pub(super) fn fails(args: &LintArgs, diags: &[Diagnostic]) -> bool {
    if args.exit_zero {
        return false;
    }
    let threshold = fail_on(args.fail_on);
    diags
        .iter()
        .any(|d| d.severity >= threshold && d.overridden.is_none())
}

/// What a lint or fix run works through.
pub(super) struct Run<'a> {
    pub args: &'a LintArgs,
    pub jobs: &'a [Job],
    /// Files given on the command line (canonical): only their findings are reported.
    pub files: &'a [std::path::PathBuf],
    pub emitter: Box<dyn Emitter>,
    pub progress: Progress,
}

/// Trees done but not yet printed, at most, past those being worked on. What waits
/// is a tree's rendered findings, not the tree, so the window can be wide: a
/// worker slowed down on a large tree (or by another job on its core) holds the
/// others back only after they have finished 64 trees past it. With 16, two
/// cores shared with another busy process ran no faster than one.
const REORDER_WINDOW: usize = 64;

impl Run<'_> {
    /// Read each job's tree and hand it to `work` on every core, then its result to
    /// `sink` on this thread, in the jobs' order; the tree is freed as soon as
    /// `work` returns. Read errors are printed here, in order, and make `status` 2.
    /// Returns false when `sink` stopped the run.
    pub(super) fn stream<R: Send>(
        &self,
        status: &mut i32,
        err: &mut dyn Write,
        work: impl Fn(&Job, &Tree, &LintOptions) -> R + Sync,
        mut sink: impl FnMut(R, &mut dyn Write) -> bool,
    ) -> bool {
        let done = crate::par::stream(
            self.jobs,
            REORDER_WINDOW,
            |job| {
                self.progress.start(&job.root);
                let (tree, errors) = crate::discover::read(&job.root);
                let r = if self.files.is_empty() {
                    work(job, &tree, &job.options)
                } else {
                    let mut options = (*job.options).clone();
                    options.only_files = self
                        .files
                        .iter()
                        .filter_map(|f| f.strip_prefix(&tree.location).ok())
                        .map(|r| r.to_string_lossy().into_owned())
                        .collect();
                    work(job, &tree, &options)
                };
                self.progress.done();
                (errors, r)
            },
            |(errors, r)| {
                self.progress.suspend(|| {
                    for e in &errors {
                        *status = fail(&mut *err, format_args!("{}: {}", e.path, e.message));
                    }
                    sink(r, &mut *err)
                })
            },
        );
        self.progress.finish();
        done
    }
}

/// One tree's findings as printed: rendered by the worker, counted for the summary.
#[derive(Default)]
pub(super) struct Rendered {
    pieces: Vec<String>,
    tally: Tally,
    pub fails: bool,
}

impl Rendered {
    /// `diags` of `tree` as `run`'s emitter prints them (in a worker).
    pub(super) fn of(run: &Run, tree: &Tree, diags: &[Diagnostic]) -> Rendered {
        Rendered {
            pieces: run.emitter.render(&TreeFindings {
                tree,
                diagnostics: diags,
            }),
            tally: Tally::of(diags),
            fails: fails(run.args, diags),
        }
    }
}

/// Print a tree's rendered findings; false when the output cannot be written.
pub(super) fn print(
    emitter: &dyn Emitter,
    out: &mut dyn Write,
    r: &Rendered,
    tally: &mut Tally,
) -> bool {
    tally.merge(&r.tally);
    for p in &r.pieces {
        if emitter.piece(out, p, tally.pieces == 0).is_err() {
            return false;
        }
        tally.pieces += 1;
    }
    true
}

/// One tree linted (in a worker): its findings rendered, or with
/// `--write-baseline` recorded; with `--baseline`, what the baseline left out.
#[derive(Default)]
struct Linted {
    rendered: Rendered,
    recorded: Vec<baseline::Entry>,
    hidden: usize,
    matched: Vec<String>,
}

/// Without `--fix`: lint every tree and print its findings as it is done
/// (`--write-baseline`: record them, and print none).
fn lint_and_report(
    run: &Run,
    baseline: Option<&Baseline>,
    status: &mut i32,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let args = run.args;
    let emitter = run.emitter.as_ref();
    let recording = match args.write_baseline.as_deref().map(baseline::home) {
        Some(Err(e)) => return fail(err, e),
        Some(Ok(dir)) => Some(dir),
        None => None,
    };
    if recording.is_none() && emitter.start(out).is_err() {
        return EXIT_ERROR;
    }
    let mut tally = Tally::default();
    let mut failing = false;
    let mut recorded = Vec::new();
    let mut hidden = 0;
    let mut matched = std::collections::HashSet::new();
    let printed = run.stream(
        status,
        err,
        |job, tree, options| {
            let mut diags = lint_tree(tree, options);
            job.settings.apply_severity(&mut diags);
            let mut linted = Linted::default();
            if let Some(dir) = &recording {
                linted.recorded = baseline::entries(dir, tree, &diags);
                return linted;
            }
            if let Some(b) = baseline {
                linted.matched = b.filter(tree, &mut diags);
                linted.hidden = linted.matched.len();
            }
            linted.rendered = Rendered::of(run, tree, &diags);
            linted
        },
        |t, _| {
            failing |= t.rendered.fails;
            recorded.extend(t.recorded);
            hidden += t.hidden;
            matched.extend(t.matched);
            recording.is_some() || print(emitter, out, &t.rendered, &mut tally)
        },
    );
    if let Some(path) = &args.write_baseline {
        if !printed {
            return EXIT_ERROR;
        }
        return match baseline::write(path, recorded) {
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
    tally.all_read = *status == EXIT_CLEAN;
    if !printed || emitter.finish(out, &tally).is_err() {
        return EXIT_ERROR;
    }
    if let Some(b) = baseline {
        let stale = b.len() - matched.len();
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
    if failing {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
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
