//! The rule registry. Each family module has one entry point that computes what its
//! rules share once and runs the rules that are enabled; each rule lives in its own
//! file next to its tests, with its metadata in `rules/<name>.rule`.

pub mod build_deps;
pub mod cross;
pub mod determinism;
pub mod flavour;
pub mod glob;
pub mod input;
pub mod kernel_make;
pub mod parallel;
pub mod stale;

use crate::diagnostic::Diagnostic;
use crate::model::Model;
pub use crate::registry::{Rule, RuleSet};
use crate::source::{FileId, Span};

/// Everything a lint run is configured with.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// The rules that run.
    pub rules: RuleSet,
    /// `--release`: the target release, overriding the changelog.
    pub release: Option<String>,
    /// `--archive`: apt indices whose facts override the built-in tables.
    pub archive: Option<std::sync::Arc<crate::archive::Archive>>,
    /// `--profiles`: active build profiles.
    pub profiles: Vec<String>,
    /// `--allow-unknown`: glob patterns of packages no index needs to have.
    pub allow_unknown: Vec<String>,
    /// Rules not reported in the files a glob matches (`exclude`: every rule;
    /// `[per-file-ignores]`), in the configuration's order.
    pub per_path: Vec<(String, RuleSet)>,
    /// Only findings in these tree files are reported (the files given on the
    /// command line); empty for all of them.
    pub only_files: Vec<String>,
    /// Keep the findings an overrides file silences, marked as overridden
    /// (`--show-overrides`), instead of dropping them.
    pub keep_overridden: bool,
}

impl LintOptions {
    /// Is `rule` reported in the tree file `rel`?
    pub fn reports_at(&self, rule: crate::registry::Rule, rel: &str) -> bool {
        (self.only_files.is_empty() || self.only_files.iter().any(|f| f == rel))
            && !self
                .per_path
                .iter()
                .any(|(g, rules)| rules.contains(rule) && glob::matches(g, rel))
    }

    pub fn validate(&self) -> Result<(), String> {
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
    /// The changelog header that named it, when it came from there, and whether
    /// every entry is `UNRELEASED` (then it is `sid`, where the upload would go).
    pub from_changelog: Option<(FileId, Span, bool)>,
    /// The changelog names a distribution kpkg-lint does not know (a vendor's own
    /// suite: VyOS `lithium`, deepin `crimson`): the header and the name. The
    /// default release is then only an assumption, and findings that hang on it
    /// say so and claim no more than a warning.
    pub unknown: Option<(FileId, Span, String)>,
}

impl TargetRelease {
    /// `--release` when given, else the changelog's release when kpkg-lint knows
    /// it, else the default (the current Debian stable).
    pub fn of(model: &Model, release: Option<&str>) -> TargetRelease {
        match (release, model.changelog_release()) {
            (Some(r), _) => TargetRelease {
                codename: r.to_string(),
                from_changelog: None,
                unknown: None,
            },
            // `stable` is the suite of the current Debian stable, which the default is.
            (None, Some(mut r))
                if crate::knowledge::release(&r.codename).is_some() || r.codename == "stable" =>
            {
                if r.codename == "stable" {
                    r.codename = crate::knowledge::DEFAULT_RELEASE.to_string();
                }
                TargetRelease {
                    codename: r.codename,
                    from_changelog: Some((r.file, r.span, r.unreleased_only)),
                    unknown: None,
                }
            }
            (None, changelog) => TargetRelease {
                codename: crate::knowledge::DEFAULT_RELEASE.to_string(),
                from_changelog: None,
                unknown: changelog.map(|r| (r.file, r.span, r.codename)),
            },
        }
    }

    /// Is the release only assumed, against a changelog that names another one?
    pub fn assumed(&self) -> bool {
        self.unknown.is_some()
    }

    /// For a finding that holds only in the assumed release: cap it at a warning
    /// and point at the changelog entry whose distribution kpkg-lint does not know.
    pub fn qualify(&self, d: &mut Diagnostic) {
        let Some((file, span, name)) = &self.unknown else {
            return;
        };
        if d.severity == crate::diagnostic::Severity::Error {
            d.severity = crate::diagnostic::Severity::Warning;
        }
        // A fix made for the assumed release can break the real one.
        if let Some(fix) = &mut d.fix {
            fix.applicability = crate::diagnostic::Applicability::Unsafe;
        }
        d.with_note_mut(
            *file,
            span.clone(),
            format!(
                "this changelog targets `{name}`, a distribution kpkg-lint does not know: the finding assumes {} (the current Debian stable); pass --release with the Debian or Ubuntu release `{name}` builds on",
                self.codename
            ),
        );
    }
}

pub struct Checker<'m, 't> {
    pub model: &'m Model<'t>,
    options: &'m LintOptions,
    pub release: TargetRelease,
    pub diagnostics: Vec<Diagnostic>,
    /// Where findings of disabled rules go: [`Checker::report`] hands it out so the
    /// caller's notes and fixes land somewhere, and it is overwritten by the next one.
    discarded: Diagnostic,
}

impl<'m, 't> Checker<'m, 't> {
    pub fn new(model: &'m Model<'t>, options: &'m LintOptions) -> Self {
        let release = TargetRelease::of(model, options.release.as_deref());
        Checker {
            model,
            options,
            release,
            diagnostics: vec![],
            discarded: Diagnostic::new(Rule::ALL[0], Rule::ALL[0].severity(), 0, 0..0, ""),
        }
    }

    /// Does the rule run? Rules whose work is costly ask before doing it;
    /// [`Checker::report`] drops findings of disabled rules either way.
    pub fn enabled(&self, rule: Rule) -> bool {
        self.options.rules.contains(rule)
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

    /// Record a finding with the rule's declared severity; returns it for notes and
    /// fixes. A finding of a disabled rule is not recorded.
    pub fn report(
        &mut self,
        rule: Rule,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let d = Diagnostic::new(rule, rule.severity(), file, span, message);
        if !self.enabled(rule) {
            self.discarded = d;
            return &mut self.discarded;
        }
        self.diagnostics.push(d);
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// The findings, checked (in debug builds) against what each rule declares.
    fn finish(self) -> Vec<Diagnostic> {
        #[cfg(debug_assertions)]
        for d in &self.diagnostics {
            if let Some(fix) = &d.fix {
                let unsafe_fix = fix.applicability == crate::diagnostic::Applicability::Unsafe;
                assert!(
                    d.rule.fix_safety().allows(unsafe_fix),
                    "{}: a{} fix, but rules/{}.rule declares `Fix: {}`",
                    d.rule,
                    if unsafe_fix { "n unsafe" } else { " safe" },
                    d.rule,
                    d.rule.fix_safety().as_str()
                );
            }
        }
        self.diagnostics
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
    checker.finish()
}
