//! The run: settings from the command line → lint or fix every tree → output and exit status.

use crate::cli::{Cli, ColorChoice, Command, FailOn, Format, HookAction, LintArgs, ListFormat};
use crate::config::{self, FileConfig, Overrides, Settings};
use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::discover::{self, Tree};
use crate::fix::{self, Pass};
use crate::model::Model;
use crate::output::{
    github::Github, gitlab::Gitlab, json::Json, lintian::Lintian, sarif::Sarif,
    statistics::Statistics, text::Text, Emitter, TreeFindings,
};
use crate::rules::{self, catalogue, LintOptions, Selection};
use crate::source::{FileId, SourceFile};
use clap::ValueEnum;
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// Lint one tree: build the model, run the rules, drop suppressed findings, attach
/// include chains, sort.
pub fn lint_tree(tree: &Tree, options: &LintOptions) -> Vec<Diagnostic> {
    let model = Model::build(tree);
    let mut diags = rules::check(&model, options);
    diags.retain(|d| !suppressed(tree, d));
    for d in &mut diags {
        if let Some(chain) = model.programs.iter().find_map(|p| p.chains.get(&d.file)) {
            d.include_chain = chain
                .iter()
                .map(|s| (s.file, model.stmt(*s).span.clone()))
                .collect();
        }
    }
    diags.sort_by(|a, b| {
        (a.file, a.span.start, a.span.end, a.rule).cmp(&(b.file, b.span.start, b.span.end, b.rule))
    });
    diags.dedup_by(|a, b| {
        a.file == b.file && a.span == b.span && a.rule == b.rule && a.message == b.message
    });
    diags
}

/// `# kpkg-lint: allow(rule-or-family, …) reason` on the line, or on the line above.
fn suppressed(tree: &Tree, d: &Diagnostic) -> bool {
    let f = &tree.files[d.file];
    if f.skipped.is_some() {
        return false;
    }
    let line = f.line_index(d.span.start);
    let family = catalogue::meta(d.rule)
        .map(|m| m.family.as_str())
        .unwrap_or("");
    let allows = |text: &str| -> bool {
        let Some(hash) = text.find('#') else {
            return false;
        };
        let Some(pos) = text[hash..].find("kpkg-lint: allow(") else {
            return false;
        };
        let rest = &text[hash + pos + "kpkg-lint: allow(".len()..];
        let Some(end) = rest.find(')') else {
            return false;
        };
        rest[..end]
            .split(',')
            .map(str::trim)
            .any(|n| n == d.rule || n == family || catalogue::canonical(n) == Some(d.rule))
    };
    if allows(f.line_text(line)) {
        return true;
    }
    line > 0 && f.line_text(line - 1).trim_start().starts_with('#') && allows(f.line_text(line - 1))
}

pub struct FixOutcome {
    /// The tree with every accepted fix applied.
    pub tree: Tree,
    /// Each pass: the tree it started from and the fixes it accepted.
    pub passes: Vec<(Tree, Pass)>,
    /// Findings left in the fixed tree.
    pub remaining: Vec<Diagnostic>,
}

impl FixOutcome {
    pub fn fixed(&self) -> usize {
        self.passes.iter().map(|(_, p)| p.accepted.len()).sum()
    }
}

/// Apply fixes, re-lint, and repeat until no fix applies (at most 10 passes).
pub fn fix_loop(tree: &Tree, options: &LintOptions, unsafe_fixes: bool) -> FixOutcome {
    let mut current = tree.clone();
    let mut passes = Vec::new();
    let mut diags = lint_tree(&current, options);
    for _ in 0..10 {
        let pass = fix::plan(&current, &diags, unsafe_fixes);
        if pass.is_empty() {
            break;
        }
        let next = apply_pass(&current, &pass.accepted);
        passes.push((current, pass));
        current = next;
        diags = lint_tree(&current, options);
    }
    FixOutcome {
        tree: current,
        passes,
        remaining: diags,
    }
}

fn apply_pass<'a>(
    tree: &Tree,
    fixes: impl IntoIterator<
        Item = &'a (
            &'static str,
            Vec<crate::diagnostic::Edit>,
            Vec<crate::diagnostic::NewFile>,
        ),
    >,
) -> Tree {
    let (contents, created) = fix::apply(tree, fixes);
    let mut next = tree.clone();
    for (id, bytes) in contents {
        let f = &tree.files[id];
        next.files[id] = SourceFile::new(
            f.display.clone(),
            f.path.clone(),
            f.rel.clone(),
            bytes,
            f.mode,
        );
    }
    for n in created {
        let display = tree.display_for(&n.rel);
        next.files.push(SourceFile::new(
            display,
            tree.root.join(&n.rel),
            n.rel.clone(),
            n.content.into_bytes(),
            None,
        ));
    }
    next
}

/// The files a patch between two states of a tree shows: every changed or new
/// file, except a symbolic link to another changed file of the tree. That change is
/// shown once, at the file itself: git keeps a link as its target's name, and patch
/// refuses to patch a link.
fn patched_files(before: &Tree, after: &Tree) -> Vec<FileId> {
    let changed: Vec<FileId> = (0..after.files.len())
        .filter(|id| {
            before
                .files
                .get(*id)
                .is_none_or(|old| old.bytes() != after.files[*id].bytes())
        })
        .collect();
    let on_disk = |id: FileId| {
        let path = &after.files[id].path;
        let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        (link, std::fs::canonicalize(path).ok())
    };
    let identities: Vec<(bool, Option<std::path::PathBuf>)> =
        changed.iter().map(|id| on_disk(*id)).collect();
    changed
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let (link, target) = &identities[*i];
            // Another changed file that is the same file on disk and is shown instead:
            // the plain file, or the first of several links.
            !(*link
                && target.is_some()
                && identities
                    .iter()
                    .enumerate()
                    .any(|(j, (other_link, other))| {
                        j != *i && other == target && (!other_link || j < *i)
                    }))
        })
        .map(|(_, id)| *id)
        .collect()
}

/// The unified diff between two states of a tree (file ids of `before` are kept in `after`).
fn tree_diff(before: &Tree, after: &Tree) -> String {
    let mut out = String::new();
    for id in patched_files(before, after) {
        let f = &after.files[id];
        let old = before.files.get(id).map(|o| o.text.as_str());
        out.push_str(&fix::diff::unified(&f.display, old, &f.text));
    }
    out
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
        Some(Command::Rules { format }) => return list_rules(format, out),
        Some(Command::Explain { rule }) => {
            return match catalogue::meta(&rule) {
                Some(m) => {
                    let _ = write!(out, "{}", crate::docs::explain(m));
                    EXIT_CLEAN
                }
                None => {
                    let _ = writeln!(err, "kpkg-lint: error: unknown rule `{rule}` (run `kpkg-lint rules` for the list)");
                    EXIT_ERROR
                }
            };
        }
        Some(Command::Hook { action }) => return hook(action, out, err),
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "kpkg-lint", out);
            return EXIT_CLEAN;
        }
        Some(Command::Man) => {
            return match man_page(out) {
                Ok(()) => EXIT_CLEAN,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_CLEAN,
                Err(e) => {
                    let _ = writeln!(err, "kpkg-lint: error: {e}");
                    EXIT_ERROR
                }
            };
        }
        None => {}
    }
    lint(cli.lint, out, err)
}

/// kpkg-lint(1): clap's sections (name, synopsis, description, options,
/// subcommands, version) and the ones a man page also needs.
fn man_page(out: &mut dyn Write) -> std::io::Result<()> {
    use clap_mangen::roff::{bold, roman, Roff};
    let cmd = <Cli as clap::CommandFactory>::command();
    clap_mangen::Man::new(cmd).render(out)?;
    let mut roff = Roff::new();
    let section = |roff: &mut Roff, title: &str, items: &[(&str, &str)]| {
        roff.control("SH", [title]);
        for (term, text) in items {
            roff.control("TP", []);
            roff.text([bold(*term)]);
            roff.text([roman(*text)]);
        }
    };
    section(
        &mut roff,
        "FILES",
        &[
            ("kpkg-lint.toml, debian/kpkg-lint.toml", "Settings of the tree they are in: select, ignore, severity, release, archive, profiles, allow-unknown. Options given on the command line win. --show-settings prints the result."),
            (".pre-commit-hooks.yaml", "In the kpkg-lint repository: the hooks kpkg-lint and kpkg-lint-fix for the pre-commit framework."),
        ],
    );
    section(
        &mut roff,
        "ENVIRONMENT",
        &[(
            "NO_COLOR",
            "When set and not empty, --color auto prints no colours.",
        )],
    );
    section(
        &mut roff,
        "EXIT STATUS",
        &[
            (
                "0",
                "No findings at or above --fail-on (and, with --fix, an empty patch).",
            ),
            (
                "1",
                "Findings at or above --fail-on, or a non-empty --fix patch.",
            ),
            (
                "2",
                "Usage error, invalid configuration file, unreadable input or internal error.",
            ),
        ],
    );
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(
        "lintian(1), dpkg-buildpackage(1), git-am(1); kpkg-lint explain RULE; the guides in docs/ of the kpkg-lint sources.",
    )]);
    out.write_all(roff.to_roff().as_bytes())
}

/// One tree with the settings it is linted with.
struct Job<'a> {
    tree: &'a Tree,
    settings: Settings,
    options: LintOptions,
}

fn lint(args: LintArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    // Command-line names are checked before anything is read.
    let cli_options = LintOptions {
        selection: Selection {
            select: args.select.clone(),
            ignore: args.ignore.clone(),
        },
        release: args.release.clone(),
        ..LintOptions::default()
    };
    if let Err(e) = cli_options.validate() {
        let _ = writeln!(err, "kpkg-lint: error: {e}");
        return EXIT_ERROR;
    }
    if args.statistics && !matches!(args.format, Format::Text | Format::Json) {
        let _ = writeln!(
            err,
            "kpkg-lint: error: --statistics prints text or JSON, not --format {}",
            format_name(args.format)
        );
        return EXIT_ERROR;
    }
    let overrides = Overrides {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        release: args.release.clone(),
        archive: args.archive.clone(),
        profiles: args.profiles.clone(),
        allow_unknown: args.allow_unknown.clone(),
    };

    let discovery = discover::discover(&args.paths);
    let mut status = EXIT_CLEAN;
    for e in &discovery.errors {
        let _ = writeln!(err, "kpkg-lint: error: {}: {}", e.path, e.message);
        status = EXIT_ERROR;
    }

    // Configuration: one file for every tree with --config, else each tree's own.
    // Any problem stops the run before linting: findings under settings the user
    // did not mean would be worse than none.
    let explicit = match &args.config {
        Some(path) => match config::load(path) {
            Ok(c) => Some(c),
            Err(e) => {
                let _ = writeln!(err, "kpkg-lint: error: {e}");
                return EXIT_ERROR;
            }
        },
        None => None,
    };
    let mut loaded: HashMap<std::path::PathBuf, FileConfig> = HashMap::new();
    let mut config_errors: Vec<config::ConfigError> = Vec::new();
    let mut jobs: Vec<Job> = Vec::new();
    for tree in &discovery.trees {
        let file = match &explicit {
            Some(c) => Some(c.clone()),
            None => match config::find(&tree.root) {
                Ok(None) => None,
                Ok(Some(path)) => match loaded.get(&path) {
                    Some(c) => Some(c.clone()),
                    None => match config::load(&path) {
                        Ok(c) => {
                            loaded.insert(path, c.clone());
                            Some(c)
                        }
                        Err(e) => {
                            config_errors.push(e);
                            continue;
                        }
                    },
                },
                Err(e) => {
                    config_errors.push(e);
                    continue;
                }
            },
        };
        let settings = Settings::resolve(file.as_ref(), &overrides);
        let options = settings.lint_options();
        jobs.push(Job {
            tree,
            settings,
            options,
        });
    }
    config_errors.dedup();
    if !config_errors.is_empty() {
        for e in &config_errors {
            let _ = writeln!(err, "kpkg-lint: error: {e}");
        }
        return EXIT_ERROR;
    }

    if args.show_settings {
        for (i, job) in jobs.iter().enumerate() {
            let _ = writeln!(out, "{}", show_settings(job, i > 0));
        }
        return status;
    }

    // apt indices: each distinct list is read once, however many trees use it.
    let mut archives: HashMap<Vec<String>, Arc<crate::archive::Archive>> = HashMap::new();
    for job in &mut jobs {
        if job.settings.archive.is_empty() {
            continue;
        }
        let archive = match archives.get(&job.settings.archive) {
            Some(a) => a.clone(),
            None => match crate::archive::load(&job.settings.archive) {
                Ok(a) => {
                    let a = Arc::new(a);
                    if EXITING_AFTER_RUN.load(std::sync::atomic::Ordering::Relaxed) {
                        // One reference never released: the index lives until exit.
                        std::mem::forget(Arc::clone(&a));
                    }
                    archives.insert(job.settings.archive.clone(), a.clone());
                    a
                }
                Err(e) => {
                    let _ = writeln!(err, "kpkg-lint: error: {}: {}", e.path, e.message);
                    return EXIT_ERROR;
                }
            },
        };
        job.options.archive = Some(archive);
    }

    let threshold = fail_on(args.fail_on);
    let emitter: Box<dyn Emitter> = if args.statistics {
        Box::new(Statistics {
            json: args.format == Format::Json,
        })
    } else {
        match args.format {
            Format::Text => Box::new(Text {
                color: color_enabled(args.color),
                width: 100,
                summary: !args.quiet,
            }),
            Format::Json => Box::new(Json),
            Format::Sarif => Box::new(Sarif),
            Format::Github => Box::new(Github),
            Format::Gitlab => Box::new(Gitlab),
            Format::Lintian => Box::new(Lintian),
        }
    };
    let worst = |diags: &[Diagnostic]| diags.iter().any(|d| d.severity >= threshold);
    let progress = Progress::new(jobs.len(), &args);

    if !args.fix {
        let results: Vec<Vec<Diagnostic>> = crate::par::map(&jobs, |job| {
            progress.start(job.tree);
            let mut diags = lint_tree(job.tree, &job.options);
            job.settings.apply_severity(&mut diags);
            progress.done();
            diags
        });
        progress.finish();
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
        if status == EXIT_CLEAN && results.iter().any(|d| worst(d)) {
            status = EXIT_FINDINGS;
        }
        return status;
    }

    let mut outcomes: Vec<FixOutcome> = crate::par::map(&jobs, |job| {
        progress.start(job.tree);
        let mut o = fix_loop(job.tree, &job.options, args.unsafe_fixes);
        job.settings.apply_severity(&mut o.remaining);
        progress.done();
        o
    });
    progress.finish();
    let trees: Vec<Tree> = jobs.iter().map(|j| j.tree.clone()).collect();
    let fixed: usize = outcomes.iter().map(FixOutcome::fixed).sum();
    let remaining_fail = outcomes.iter().any(|o| worst(&o.remaining));
    let hint = unsafe_hint(&outcomes, args.unsafe_fixes);

    if args.write {
        let mut files_written = 0;
        for ((orig, o), job) in trees.iter().zip(&mut outcomes).zip(&jobs) {
            match write_tree(orig, &o.tree) {
                Ok(n) => files_written += n,
                Err(WriteFailure {
                    committed,
                    problems,
                }) => {
                    files_written += committed.len();
                    for (display, e) in problems {
                        let _ = writeln!(err, "kpkg-lint: error: {display}: {e}");
                    }
                    status = EXIT_ERROR;
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
        let hint = unsafe_hint(&outcomes, args.unsafe_fixes);
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
    } else if let Some(dir) = &args.patch_dir {
        match write_patch_dir(dir, &trees, &outcomes) {
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
                if !names.is_empty() && status == EXIT_CLEAN {
                    status = EXIT_FINDINGS;
                }
            }
            Err(e) => {
                let _ = writeln!(err, "kpkg-lint: error: {}: {e}", dir.display());
                return EXIT_ERROR;
            }
        }
    } else {
        let mut patch = String::new();
        for (orig, o) in trees.iter().zip(&outcomes) {
            patch.push_str(&tree_diff(orig, &o.tree));
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
        if !patch.is_empty() && status == EXIT_CLEAN {
            status = EXIT_FINDINGS;
        }
    }
    if status == EXIT_CLEAN && remaining_fail {
        status = EXIT_FINDINGS;
    }
    status
}

fn format_name(f: Format) -> String {
    f.to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// `--show-settings` for one tree: the effective settings as TOML, with where each
/// value came from and what the release falls back to.
fn show_settings(job: &Job, separate: bool) -> String {
    let root = discover::display_path(&job.tree.root);
    let mut s = String::new();
    if separate {
        s.push('\n');
    }
    s.push_str(&format!("# tree: {root}\n"));
    match &job.settings.config {
        Some(c) => s.push_str(&format!("# configuration: {c}\n")),
        None => s.push_str(&format!(
            "# configuration: none ({0} and debian/{0} not found)\n",
            config::FILE_NAME
        )),
    }
    let release_note = match Model::build(job.tree).changelog_release() {
        Some((r, file, _)) if crate::knowledge::release(&r).is_some() => {
            format!("{r} (from {})", job.tree.files[file].display)
        }
        _ => format!("{} (the default)", crate::knowledge::DEFAULT_RELEASE),
    };
    s.push_str(&job.settings.render(&release_note));
    s
}

/// A progress bar on stderr while many trees are linted, only when a person is
/// watching: stdout and stderr are terminals, the output is text, not --quiet.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(trees: usize, args: &LintArgs) -> Progress {
        let show = trees > 1
            && !args.quiet
            && !args.format.is_machine()
            && std::io::stdout().is_terminal()
            && std::io::stderr().is_terminal()
            && std::env::var_os("TERM").is_none_or(|t| t != "dumb");
        if !show {
            return Progress { bar: None };
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(trees as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("linting {bar:30} {pos}/{len} trees {wide_msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress { bar: Some(bar) }
    }

    fn start(&self, tree: &Tree) {
        if let Some(bar) = &self.bar {
            bar.set_message(discover::display_path(&tree.root));
        }
    }

    fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The marker that identifies a hook kpkg-lint wrote (and may rewrite or remove).
const HOOK_MARKER: &str = "# kpkg-lint-hook: 1";

fn hook_script(exe: Option<&std::path::Path>) -> String {
    // Prefer the binary that installed the hook while it exists, then PATH: a hook
    // must not silently pick another kpkg-lint than the one the user set up.
    let exe = exe
        .map(|p| format!("'{}'", p.to_string_lossy().replace('\'', "'\\''")))
        .unwrap_or_else(|| "''".to_string());
    format!(
        r#"#!/bin/sh
{HOOK_MARKER}
# Written by `kpkg-lint hook install`; `kpkg-lint hook uninstall` removes it.
# Lints the packaging when a commit changes debian/ or debian.<branch>/.
# Skip it once with `git commit --no-verify`.
if ! git diff --cached --name-only | grep -Eq '^debian(\.[^/]+)?/'; then
    exit 0
fi
kpkg_lint={exe}
if [ -z "$kpkg_lint" ] || [ ! -x "$kpkg_lint" ]; then
    kpkg_lint=kpkg-lint
fi
"$kpkg_lint"
status=$?
if [ "$status" -ne 0 ]; then
    echo "kpkg-lint: commit stopped; \`kpkg-lint --fix --write\` applies the safe fixes." >&2
fi
exit "$status"
"#
    )
}

/// The hooks directory of the repository around the current directory, as git sees
/// it (worktrees and `core.hooksPath` included).
fn hooks_dir() -> Result<std::path::PathBuf, String> {
    let o = std::process::Command::new("git")
        .args(["rev-parse", "--git-path", "hooks"])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !o.status.success() {
        return Err("not inside a git repository".to_string());
    }
    let path = String::from_utf8_lossy(&o.stdout).trim().to_string();
    Ok(std::path::PathBuf::from(path))
}

fn hook(action: HookAction, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let dir = match hooks_dir() {
        Ok(d) => d,
        Err(e) => {
            let _ = writeln!(err, "kpkg-lint: error: {e}");
            return EXIT_ERROR;
        }
    };
    let path = dir.join("pre-commit");
    let backup = dir.join("pre-commit.kpkg-lint-backup");
    let shown = discover::display_path(&path);
    let existing = std::fs::read(&path).ok();
    let ours = existing
        .as_deref()
        .is_some_and(|b| String::from_utf8_lossy(b).contains(HOOK_MARKER));
    let fail = |err: &mut dyn Write, e: String| {
        let _ = writeln!(err, "kpkg-lint: error: {e}");
        EXIT_ERROR
    };
    match action {
        HookAction::Install { force } => {
            let exe = std::env::current_exe().ok();
            let script = hook_script(exe.as_deref());
            if let Some(old) = &existing {
                if ours && old.as_slice() == script.as_bytes() {
                    let _ = writeln!(out, "{shown} is already kpkg-lint's hook; nothing changed.");
                    return EXIT_CLEAN;
                }
                if !ours && !force {
                    let framework = String::from_utf8_lossy(old).contains("pre-commit.com");
                    let advice = if framework {
                        "it was written by the pre-commit framework: add kpkg-lint to .pre-commit-config.yaml instead (see docs/ci.md)"
                    } else {
                        "call kpkg-lint from it, or use --force to replace it (the old hook is kept as pre-commit.kpkg-lint-backup)"
                    };
                    return fail(
                        err,
                        format!("{shown} exists and was not written by kpkg-lint; {advice}"),
                    );
                }
                if !ours {
                    if let Err(e) = std::fs::rename(&path, &backup) {
                        return fail(err, format!("{shown}: {}", discover::io_message(&e)));
                    }
                    let _ = writeln!(
                        out,
                        "Kept the previous hook as {}.",
                        discover::display_path(&backup)
                    );
                }
            }
            if let Err(e) = std::fs::create_dir_all(&dir) {
                return fail(
                    err,
                    format!("{}: {}", dir.display(), discover::io_message(&e)),
                );
            }
            // Written in place, not by rename, so a symlinked hook keeps its link.
            let written = std::fs::write(&path, script.as_bytes()).and_then(|_| {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            });
            if let Err(e) = written {
                return fail(err, format!("{shown}: {}", discover::io_message(&e)));
            }
            let verb = if ours { "Updated" } else { "Installed" };
            let _ = writeln!(
                out,
                "{verb} {shown}: commits that change debian/ or debian.*/ are linted first."
            );
            EXIT_CLEAN
        }
        HookAction::Uninstall => {
            if existing.is_none() {
                let _ = writeln!(out, "No pre-commit hook is installed.");
                return EXIT_CLEAN;
            }
            if !ours {
                return fail(
                    err,
                    format!("{shown} was not written by kpkg-lint; left as it is"),
                );
            }
            let result = if backup.exists() {
                std::fs::rename(&backup, &path)
            } else {
                std::fs::remove_file(&path)
            };
            match result {
                Ok(()) => {
                    let _ = writeln!(out, "Removed the kpkg-lint hook from {shown}.");
                    EXIT_CLEAN
                }
                Err(e) => fail(err, format!("{shown}: {}", discover::io_message(&e))),
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn list_rules(format: ListFormat, out: &mut dyn Write) -> i32 {
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

/// One `git format-patch` mail per rule (per pass), numbered, in `dir`.
fn write_patch_dir(
    dir: &std::path::Path,
    trees: &[Tree],
    outcomes: &[FixOutcome],
) -> Result<Vec<String>, String> {
    struct Mail {
        rule: &'static str,
        body: String,
        diff: String,
    }
    let mut mails: Vec<Mail> = Vec::new();
    for (_orig, o) in trees.iter().zip(outcomes) {
        for (base, pass) in &o.passes {
            let mut rules_in_order: Vec<&'static str> = Vec::new();
            for (r, _, _) in &pass.accepted {
                if !rules_in_order.contains(r) {
                    rules_in_order.push(r);
                }
            }
            let mut prev = base.clone();
            for (k, rule) in rules_in_order.iter().enumerate() {
                let subset = pass
                    .accepted
                    .iter()
                    .filter(|(r, _, _)| rules_in_order[..=k].contains(r));
                let state = apply_pass(base, subset);
                let diff = tree_diff_git(&prev, &state);
                let count = pass.accepted.iter().filter(|(r, _, _)| r == rule).count();
                let summary = catalogue::meta(rule)
                    .map(|m| m.summary.clone())
                    .unwrap_or_default();
                mails.push(Mail { rule, body: format!("{summary}\n\nThis patch applies {count} fix{} from `kpkg-lint --fix` (rule {rule}; see `kpkg-lint explain {rule}`).\n", if count == 1 { "" } else { "es" }), diff });
                prev = state;
            }
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| discover::io_message(&e))?;
    let total = mails.len();
    let date = rfc2822_now();
    let mut names = Vec::new();
    for (i, m) in mails.iter().enumerate() {
        let name = format!("{:04}-kpkg-lint-{}.patch", i + 1, m.rule);
        let subject = if total == 1 {
            "[PATCH]".to_string()
        } else {
            format!("[PATCH {}/{}]", i + 1, total)
        };
        let mail = format!(
            "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: kpkg-lint <kpkg-lint@invalid>\nDate: {date}\nSubject: {subject} Fix {} findings\n\n{}---\n{}-- \nkpkg-lint {}\n\n",
            m.rule,
            m.body,
            m.diff,
            env!("CARGO_PKG_VERSION")
        );
        let path = dir.join(&name);
        fix::write::write_new(&path, mail.as_bytes(), Some(0o100644))?;
        names.push(discover::display_path(&path));
    }
    Ok(names)
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

/// Why a tree's fixes were not all written: the files written anyway (ids in the
/// fixed tree; only when committing failed part-way) and one problem per file.
struct WriteFailure {
    committed: Vec<FileId>,
    problems: Vec<(String, String)>,
}

/// Write one tree's fixed files in two phases: every file is staged (written and
/// synced beside its target) and checked unchanged before any is renamed into
/// place. A full disk or an unwritable directory fails the staging, and then
/// nothing in the tree changes: its fixes land together or not at all. Only a file
/// changed in the moment between the checks and its rename can still stop the
/// commit part-way; that is reported as such. Returns how many files were written.
fn write_tree(before: &Tree, after: &Tree) -> Result<usize, WriteFailure> {
    let mut staged: Vec<(FileId, fix::write::Staged)> = Vec::new();
    let mut problems = Vec::new();
    for (id, f) in after.files.iter().enumerate() {
        let result = match before.files.get(id) {
            Some(old) if old.bytes() != f.bytes() => {
                fix::write::stage_replace(&old.path, old.bytes(), f.bytes(), old.mode)
            }
            None => fix::write::stage_new(&f.path, f.bytes(), None),
            _ => continue,
        };
        match result {
            Ok(s) => staged.push((id, s)),
            Err(e) => problems.push((f.display.clone(), e)),
        }
    }
    // Two files of the tree can be one file on disk (a symlinked arch file shared
    // by two branch directories): write it once, and only if both agree.
    let mut unique: Vec<(FileId, fix::write::Staged)> = Vec::new();
    for (id, s) in staged {
        match unique.iter().find(|(_, u)| u.target() == s.target()) {
            None => unique.push((id, s)),
            Some((first, _)) if after.files[*first].bytes() == after.files[id].bytes() => {}
            Some((first, _)) => problems.push((
                after.files[id].display.clone(),
                format!(
                    "is the same file on disk as {} (a symbolic link), and their fixes differ",
                    after.files[*first].display
                ),
            )),
        }
    }
    let mut changed = 0;
    if problems.is_empty() {
        for (id, s) in &unique {
            if let Err(e) = s.check() {
                problems.push((after.files[*id].display.clone(), e));
                changed += 1;
            }
        }
    }
    if !problems.is_empty() {
        let others = unique.len() - changed;
        if others > 0 {
            problems.push((
                display_root(before),
                format!(
                    "not written: its {others} other fixed file{} held back, so no fix is left half applied",
                    if others == 1 { " is" } else { "s are" }
                ),
            ));
        }
        // Dropping the staged files removes their temporary files.
        return Err(WriteFailure {
            committed: Vec::new(),
            problems,
        });
    }
    let mut committed = Vec::new();
    for (id, s) in unique {
        match s.commit() {
            Ok(()) => committed.push(id),
            Err(e) => problems.push((after.files[id].display.clone(), e)),
        }
    }
    if problems.is_empty() {
        Ok(committed.len())
    } else {
        if !committed.is_empty() {
            problems.push((
                display_root(before),
                format!(
                    "partly fixed: {} file{} written before this; run `kpkg-lint --fix --write` again",
                    committed.len(),
                    if committed.len() == 1 { " was" } else { "s were" }
                ),
            ));
        }
        Err(WriteFailure {
            committed,
            problems,
        })
    }
}

fn display_root(tree: &Tree) -> String {
    discover::display_path(&tree.root)
}

fn tree_diff_git(before: &Tree, after: &Tree) -> String {
    let mut out = String::new();
    for id in patched_files(before, after) {
        let f = &after.files[id];
        let (old, created) = match before.files.get(id) {
            Some(old) => (Some(old.text.as_str()), false),
            None => (None, true),
        };
        out.push_str(&fix::diff::git_header(&f.display, created, None));
        out.push_str(&fix::diff::unified(&f.display, old, &f.text));
    }
    out
}

/// The current time as an RFC 2822 date in UTC, for mail headers.
fn rfc2822_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let mon = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!(
        "{weekday}, {day} {mon} {year} {:02}:{:02}:{:02} +0000",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
