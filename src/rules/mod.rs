//! The rule registry. Each family module has one entry point that computes what its
//! rules share once and runs the rules that are enabled; each rule lives in its own
//! file next to its tests, with its metadata in `rules/<name>.rule`.

pub mod build_deps;
pub mod catalogue;
pub mod cross;
pub mod determinism;
pub mod flavour;
pub mod input;
pub mod kernel_make;
pub mod parallel;
pub mod stale;

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
        let matches = |list: &[String]| {
            list.iter().any(|s| {
                s == rule || s == family || s == "all" || catalogue::canonical(s) == Some(rule)
            })
        };
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

/// Everything a lint run is configured with.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    pub selection: Selection,
    /// `--release`: the target release, overriding the changelog.
    pub release: Option<String>,
    /// `--archive`: apt indices whose facts override the built-in tables.
    pub archive: Option<std::sync::Arc<crate::archive::Archive>>,
    /// `--profiles`: active build profiles.
    pub profiles: Vec<String>,
    /// `--allow-unknown`: glob patterns of packages no index needs to have.
    pub allow_unknown: Vec<String>,
}

impl LintOptions {
    pub fn validate(&self) -> Result<(), String> {
        self.selection.validate()?;
        if let Some(r) = &self.release {
            if crate::knowledge::release(r).is_none() {
                return Err(format!(
                    "unknown release `{r}` (known: {})",
                    crate::knowledge::release_names().join(", ")
                ));
            }
        }
        Ok(())
    }
}

/// The release a tree is linted for, and where that came from.
#[derive(Debug, Clone)]
pub struct TargetRelease {
    pub codename: String,
    /// The changelog header that named it, when it came from there.
    pub from_changelog: Option<(FileId, Span)>,
}

pub struct Checker<'m, 't> {
    pub model: &'m Model<'t>,
    options: &'m LintOptions,
    pub release: TargetRelease,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'m, 't> Checker<'m, 't> {
    pub fn new(model: &'m Model<'t>, options: &'m LintOptions) -> Self {
        let release = match (&options.release, model.changelog_release()) {
            (Some(r), _) => TargetRelease {
                codename: r.clone(),
                from_changelog: None,
            },
            (None, Some((r, file, span))) if crate::knowledge::release(&r).is_some() => {
                TargetRelease {
                    codename: r,
                    from_changelog: Some((file, span)),
                }
            }
            _ => TargetRelease {
                codename: crate::knowledge::DEFAULT_RELEASE.to_string(),
                from_changelog: None,
            },
        };
        Checker {
            model,
            options,
            release,
            diagnostics: vec![],
        }
    }

    pub fn enabled(&self, rule: &str) -> bool {
        self.options.selection.enabled(rule)
    }

    pub fn archive(&self) -> Option<&'m crate::archive::Archive> {
        self.options.archive.as_deref()
    }

    pub fn profiles(&self) -> &[String] {
        &self.options.profiles
    }

    pub fn allow_unknown(&self, name: &str) -> bool {
        self.options
            .allow_unknown
            .iter()
            .any(|p| crate::knowledge::glob_match(p, name))
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
pub fn check(model: &Model, options: &LintOptions) -> Vec<Diagnostic> {
    let mut checker = Checker::new(model, options);
    input::check(&mut checker);
    let makes = kernel_make::make_calls(model);
    parallel::check(&mut checker, &makes);
    determinism::check(&mut checker, &makes);
    cross::check(&mut checker);
    stale::check(&mut checker);
    flavour::check(&mut checker);
    checker.diagnostics
}
