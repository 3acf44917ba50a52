//! The run: settings from the command line → lint or fix every tree → output and exit status.

use crate::cli::{Cli, ColorChoice, Command, FailOn, Format};
use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::discover::{self, Tree};
use crate::fix::{self, Pass};
use crate::model::Model;
use crate::output::{json::Json, text::Text, Emitter, TreeFindings};
use crate::rules::{self, catalogue, LintOptions, Selection};
use crate::source::SourceFile;
use std::io::{IsTerminal, Write};

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
            .any(|n| n == d.rule || n == family)
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

/// The unified diff between two states of a tree (file ids of `before` are kept in `after`).
fn tree_diff(before: &Tree, after: &Tree) -> String {
    let mut out = String::new();
    for (id, f) in after.files.iter().enumerate() {
        match before.files.get(id) {
            Some(old) if old.bytes != f.bytes => {
                out.push_str(&fix::diff::unified(&f.display, Some(&old.text), &f.text))
            }
            None => out.push_str(&fix::diff::unified(&f.display, None, &f.text)),
            _ => {}
        }
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
        None => {}
    }
    let args = cli.lint;
    let options = LintOptions {
        selection: Selection {
            select: args.select.clone(),
            ignore: args.ignore.clone(),
        },
        release: args.release.clone(),
        archive: None,
        profiles: args.profiles.clone(),
        allow_unknown: args.allow_unknown.clone(),
    };
    if let Err(e) = options.validate() {
        let _ = writeln!(err, "kpkg-lint: error: {e}");
        return EXIT_ERROR;
    }
    let mut options = options;
    if !args.archive.is_empty() {
        match crate::archive::load(&args.archive) {
            Ok(a) => options.archive = Some(std::sync::Arc::new(a)),
            Err(e) => {
                let _ = writeln!(err, "kpkg-lint: error: {}: {}", e.path, e.message);
                return EXIT_ERROR;
            }
        }
    }
    let threshold = fail_on(args.fail_on);
    let discovery = discover::discover(&args.paths);
    let mut status = EXIT_CLEAN;
    for e in &discovery.errors {
        let _ = writeln!(err, "kpkg-lint: error: {}: {}", e.path, e.message);
        status = EXIT_ERROR;
    }
    let emitter: Box<dyn Emitter> = match args.format {
        Format::Text => Box::new(Text {
            color: color_enabled(args.color),
            width: 100,
        }),
        Format::Json => Box::new(Json),
    };
    let worst = |diags: &[Diagnostic]| diags.iter().any(|d| d.severity >= threshold);

    if !args.fix {
        let results: Vec<(usize, Vec<Diagnostic>)> = discovery
            .trees
            .iter()
            .enumerate()
            .map(|(i, t)| (i, lint_tree(t, &options)))
            .collect();
        let findings: Vec<TreeFindings> = results
            .iter()
            .map(|(i, d)| TreeFindings {
                tree: &discovery.trees[*i],
                diagnostics: d,
            })
            .collect();
        if emitter.emit(out, &findings).is_err() {
            return EXIT_ERROR;
        }
        if status == EXIT_CLEAN && results.iter().any(|(_, d)| worst(d)) {
            status = EXIT_FINDINGS;
        }
        return status;
    }

    let outcomes: Vec<FixOutcome> = discovery
        .trees
        .iter()
        .map(|t| fix_loop(t, &options, args.unsafe_fixes))
        .collect();
    let fixed: usize = outcomes.iter().map(FixOutcome::fixed).sum();
    let unsafe_left = outcomes
        .iter()
        .flat_map(|o| &o.remaining)
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Unsafe)
        })
        .count();
    let remaining_fail = outcomes.iter().any(|o| worst(&o.remaining));
    let hint = if unsafe_left > 0 && !args.unsafe_fixes {
        format!(" ({unsafe_left} more with --unsafe-fixes)")
    } else {
        String::new()
    };

    if args.write {
        let mut files_written = 0;
        for (orig, o) in discovery.trees.iter().zip(&outcomes) {
            for (id, f) in o.tree.files.iter().enumerate() {
                let result = match orig.files.get(id) {
                    Some(old) if old.bytes != f.bytes => {
                        fix::write::replace_file(&old.path, &old.bytes, &f.bytes, old.mode)
                    }
                    None if !f.path.exists() => fix::write::write_new(&f.path, &f.bytes, None),
                    None => Err("already exists; not overwritten".to_string()),
                    _ => continue,
                };
                match result {
                    Ok(()) => files_written += 1,
                    Err(e) => {
                        let _ = writeln!(err, "kpkg-lint: error: {}: {e}", f.display);
                        status = EXIT_ERROR;
                    }
                }
            }
        }
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
        let _ = writeln!(
            err,
            "Fixed {fixed} finding{} in {files_written} file{}{hint}.",
            plural(fixed),
            plural(files_written)
        );
    } else if let Some(dir) = &args.patch_dir {
        match write_patch_dir(dir, &discovery.trees, &outcomes) {
            Ok(names) => {
                for n in &names {
                    let _ = writeln!(out, "{n}");
                }
                let _ = writeln!(
                    err,
                    "Wrote {} patch{} for {fixed} finding{}{hint}; apply with `git am {}/*.patch`.",
                    names.len(),
                    if names.len() == 1 { "" } else { "es" },
                    plural(fixed),
                    dir.display()
                );
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
        for (orig, o) in discovery.trees.iter().zip(&outcomes) {
            patch.push_str(&tree_diff(orig, &o.tree));
        }
        let _ = out.write_all(patch.as_bytes());
        let remaining: usize = outcomes.iter().map(|o| o.remaining.len()).sum();
        let _ = writeln!(
            err,
            "{fixed} fix{} in the patch above{hint}; {remaining} finding{} would remain.",
            if fixed == 1 { "" } else { "es" },
            plural(remaining)
        );
        if !patch.is_empty() && status == EXIT_CLEAN {
            status = EXIT_FINDINGS;
        }
    }
    if status == EXIT_CLEAN && remaining_fail {
        status = EXIT_FINDINGS;
    }
    status
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn list_rules(format: Format, out: &mut dyn Write) -> i32 {
    let cat = catalogue::catalogue();
    let r = match format {
        Format::Json => {
            let items: Vec<_> = cat
                .iter()
                .map(|m| serde_json::json!({"name": m.name, "family": m.family, "severity": m.severity.as_str(), "fix": m.fix.as_str(), "summary": m.summary}))
                .collect();
            serde_json::to_writer_pretty(&mut *out, &items)
                .map_err(|_| ())
                .and_then(|_| writeln!(out).map_err(|_| ()))
        }
        Format::Text => {
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

fn tree_diff_git(before: &Tree, after: &Tree) -> String {
    let mut out = String::new();
    for (id, f) in after.files.iter().enumerate() {
        let (old, created) = match before.files.get(id) {
            Some(old) if old.bytes != f.bytes => (Some(old.text.as_str()), false),
            None => (None, true),
            _ => continue,
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
