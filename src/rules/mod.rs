//! The rule registry. Each family module has one entry point that computes what its
//! rules share once and runs the rules that are enabled; each rule lives in its own
//! file next to its tests, with its metadata in `rules/<name>.rule`.

pub mod catalogue;
pub mod input;
pub mod parallel;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Model;
use crate::source::{FileId, Span};

/// Which rules run, by rule name or family name.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Empty means every rule.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    pub fn enabled(&self, rule: &str) -> bool {
        let family = catalogue::meta(rule)
            .map(|m| m.family.as_str())
            .unwrap_or("");
        let matches = |list: &[String]| list.iter().any(|s| s == rule || s == family || s == "all");
        (self.select.is_empty() || matches(&self.select)) && !matches(&self.ignore)
    }

    /// Every name must be a rule, a family or `all`.
    pub fn validate(&self) -> Result<(), String> {
        for name in self.select.iter().chain(&self.ignore) {
            if name != "all"
                && catalogue::meta(name).is_none()
                && !catalogue::families().contains(&name.as_str())
            {
                return Err(format!(
                    "unknown rule or family `{name}` (run `kpkg-lint rules` for the list; families: {})",
                    catalogue::families().join(", ")
                ));
            }
        }
        Ok(())
    }
}

pub struct Checker<'m, 't> {
    pub model: &'m Model<'t>,
    selection: &'m Selection,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'m, 't> Checker<'m, 't> {
    pub fn new(model: &'m Model<'t>, selection: &'m Selection) -> Self {
        Checker {
            model,
            selection,
            diagnostics: vec![],
        }
    }

    pub fn enabled(&self, rule: &str) -> bool {
        self.selection.enabled(rule)
    }

    /// Record a finding with the rule's catalogue severity; returns it for notes and fixes.
    pub fn report(
        &mut self,
        rule: &'static str,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let severity = catalogue::meta(rule)
            .map(|m| m.severity)
            .unwrap_or(Severity::Warning);
        self.diagnostics
            .push(Diagnostic::new(rule, severity, file, span, message));
        self.diagnostics.last_mut().expect("just pushed")
    }
}

/// Run every enabled rule over one tree's model.
pub fn check(model: &Model, selection: &Selection) -> Vec<Diagnostic> {
    let mut checker = Checker::new(model, selection);
    input::check(&mut checker);
    parallel::check(&mut checker);
    checker.diagnostics
}
