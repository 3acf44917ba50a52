//! One tree through the pipeline: tree → model → rules → findings, suppression
//! comments, and the fix loop that applies fixes and lints again until nothing changes.

pub mod allow;
pub mod overrides;
mod suppressions;

use crate::diagnostic::Diagnostic;
use crate::fix::{self, Pass};
use crate::model::Model;
use crate::registry;
use crate::rules::{self, LintOptions};
use crate::tree::Tree;

/// Lint one tree: build the model, run the rules, drop suppressed findings, attach
/// include chains, sort.
pub fn lint_tree(tree: &Tree, options: &LintOptions) -> Vec<Diagnostic> {
    let model = Model::build(tree);
    let mut sups = suppressions::scan(tree);
    let mut overrides = overrides::scan(tree);
    let report_unused = options.rules.contains(registry::Rule::UnusedSuppression);
    // To tell a used suppression or override from a stale one, the rules it
    // names must run.
    let ran = if report_unused {
        options
            .rules
            .union(suppressions::named_rules(&sups))
            .union(overrides::named_rules(&overrides))
    } else {
        options.rules
    };
    let mut diags = if ran == options.rules {
        rules::check(&model, options)
    } else {
        let wider = LintOptions {
            rules: ran,
            ..options.clone()
        };
        rules::check(&model, &wider)
    };
    diags.retain_mut(|d| {
        // A suppression or override is used even when a per-path setting hides
        // its finding.
        let suppressed = suppressions::suppress(tree, &mut sups, d);
        let overridden = if suppressed {
            None
        } else {
            overrides::find(tree, &mut overrides, d)
        };
        let reported = options.reports_at(d.rule, &tree.files[d.file].rel)
            && !suppressed
            && options.rules.contains(d.rule);
        match overridden {
            Some(o) if reported && options.keep_overridden => {
                d.overridden = Some(o);
                true
            }
            Some(_) => false,
            None => reported,
        }
    });
    if report_unused {
        diags.extend(
            suppressions::unused(tree, &sups, ran)
                .into_iter()
                .chain(overrides::unused(tree, &overrides, ran))
                .filter(|d| options.reports_at(d.rule, &tree.files[d.file].rel)),
        );
    }
    let origins = crate::model::origin::origins(tree);
    for d in &mut diags {
        if let Some((_, origin)) = origins.iter().find(|(f, _)| *f == d.file) {
            in_generated_file(tree, d, origin);
        }
    }
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

/// A finding in a file a tool writes: say what writes it and where to change it
/// instead, and leave its fix to `--unsafe-fixes` (a change made only there is
/// lost the next time the file is written).
fn in_generated_file(tree: &Tree, d: &mut Diagnostic, origin: &crate::model::origin::Origin) {
    let rel = &tree.files[d.file].rel;
    let message = origin.message(rel);
    match origin.source {
        Some(source) if source != d.file => {
            // The line that writes it (mkdebian's `cat <<EOF > debian/rules`), or
            // the first one.
            let text = &tree.files[source].text;
            let at = text.find(rel.as_str()).unwrap_or(0);
            let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            d.with_note_mut(source, start..end, format!("{message}; change this file"));
        }
        _ => {
            let help = match d.help.take() {
                Some(h) => format!("{h}; {message}"),
                None => message,
            };
            d.help = Some(help);
        }
    }
    if let Some(fix) = d.fix.as_mut().filter(|_| origin.regenerated) {
        if fix.applicability == crate::diagnostic::Applicability::Safe {
            fix.applicability = crate::diagnostic::Applicability::Unsafe;
            fix.description = format!("{} (in the generated {rel})", fix.description);
        }
    }
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
        let next = fix::apply_pass(&current, &pass.accepted);
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
