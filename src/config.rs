//! `kpkg-lint.toml`: per-tree settings, and how they combine with the command line.
//!
//! The file is looked for in each linted tree's root and in its `debian/` directory
//! (`--config FILE` replaces the search for every tree). Every key mirrors a
//! command-line option:
//!
//! ```toml
//! select = ["parallel", "cross"]        # rules or families; default: every rule
//! ignore = ["deprecated-make-kpkg"]
//! release = "noble"
//! archive = ["../apt-lists"]            # relative to this file's directory, or "auto"
//! profiles = ["nodoc"]
//! allow-unknown = ["libpve-*"]
//!
//! [severity]                            # rule or family = "error" | "warning" | "info"
//! serial-kernel-build = "error"
//! stale = "info"
//! ```
//!
//! An option given on the command line replaces the file's value; `--ignore` is
//! applied after the file's `select` and `ignore`, and `--select` starts the
//! selection afresh (so `--select X` runs X even when the file ignores it).
//! Mistakes are errors that name the file, line and column: unknown keys, unknown
//! rule or family names, wrong types, unknown severities or releases.

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::{self, suggest, Rule, RuleSet, Selector};
use crate::rules::LintOptions;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

pub const FILE_NAME: &str = "kpkg-lint.toml";

/// Every key of the file, in documentation order.
pub const KEYS: &[&str] = &[
    "select",
    "ignore",
    "severity",
    "release",
    "archive",
    "profiles",
    "allow-unknown",
];

/// A configuration file that cannot be used; exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.column, self.message
            )
        }
    }
}

/// The settings one file holds; `None` for keys it does not set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileConfig {
    /// How the file is shown to the user.
    pub display: String,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    /// Rule or family name → severity, in the file's order.
    pub severity: Vec<(String, Severity)>,
    pub release: Option<String>,
    /// Index paths, already resolved against the file's directory (or `auto`).
    pub archive: Option<Vec<String>>,
    pub profiles: Option<Vec<String>>,
    pub allow_unknown: Option<Vec<String>>,
}

/// The configuration file of a tree rooted at `root`, if it has one. Having both
/// `kpkg-lint.toml` and `debian/kpkg-lint.toml` is an error rather than a silent
/// choice: one of them would be ignored without anyone noticing.
pub fn find(root: &Path) -> Result<Option<PathBuf>, ConfigError> {
    let candidates = [root.join(FILE_NAME), root.join("debian").join(FILE_NAME)];
    let found: Vec<&PathBuf> = candidates.iter().filter(|p| p.is_file()).collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some((*one).clone())),
        [a, b, ..] => Err(ConfigError {
            path: crate::source::display_path(b),
            line: 0,
            column: 0,
            message: format!(
                "{} also exists; keep one of the two configuration files",
                crate::source::display_path(a)
            ),
        }),
    }
}

/// Read and check a configuration file.
pub fn load(path: &Path) -> Result<FileConfig, ConfigError> {
    let display = crate::source::display_path(path);
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: display.clone(),
        line: 0,
        column: 0,
        message: crate::source::io_message(&e),
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse(&display, &text, base)
}

/// Parse and check the text of a configuration file shown as `display`; relative
/// archive paths are resolved against `base`.
pub fn parse(display: &str, text: &str, base: &Path) -> Result<FileConfig, ConfigError> {
    let error = |span: Range<usize>, message: String| {
        let (line, column) = line_col(text, span.start);
        ConfigError {
            path: display.to_string(),
            line,
            column,
            message,
        }
    };
    let root = DeTable::parse(text).map_err(|e| {
        let message = e.message().trim_end().to_string();
        match e.span() {
            Some(span) => error(span, format!("invalid TOML: {message}")),
            None => ConfigError {
                path: display.to_string(),
                line: 0,
                column: 0,
                message: format!("invalid TOML: {message}"),
            },
        }
    })?;
    let mut config = FileConfig {
        display: display.to_string(),
        ..FileConfig::default()
    };
    // Report problems in file order, whatever order the table iterates in.
    let mut entries: Vec<(&Spanned<toml::de::DeString>, &Spanned<DeValue>)> =
        root.get_ref().iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in entries {
        let name: &str = key.get_ref();
        match name {
            "select" | "ignore" => {
                let names = strings(value, name, &error)?;
                for (n, span) in &names {
                    check_rule_name(n, true).map_err(|m| error(span.clone(), m))?;
                }
                let list = Some(names.into_iter().map(|(n, _)| n).collect());
                if name == "select" {
                    config.select = list;
                } else {
                    config.ignore = list;
                }
            }
            "severity" => {
                let DeValue::Table(table) = value.get_ref() else {
                    return Err(error(
                        value.span(),
                        format!(
                            "`severity` must be a table of rule or family names, e.g. `[severity]` then `serial-kernel-build = \"error\"`; found {}",
                            value.get_ref().type_str()
                        ),
                    ));
                };
                let mut items: Vec<_> = table.iter().collect();
                items.sort_by_key(|(k, _)| k.span().start);
                for (rule, level) in items {
                    let rule_name: &str = rule.get_ref();
                    check_rule_name(rule_name, false).map_err(|m| error(rule.span(), m))?;
                    let severity = level
                        .get_ref()
                        .as_str()
                        .and_then(Severity::parse)
                        .ok_or_else(|| {
                            error(
                                level.span(),
                                format!(
                                    "severity of `{rule_name}` must be \"error\", \"warning\" or \"info\""
                                ),
                            )
                        })?;
                    config.severity.push((rule_name.to_string(), severity));
                }
            }
            "release" => {
                let Some(r) = value.get_ref().as_str() else {
                    return Err(error(
                        value.span(),
                        format!(
                            "`release` must be a string such as \"noble\"; found {}",
                            value.get_ref().type_str()
                        ),
                    ));
                };
                if crate::knowledge::release(r).is_none() {
                    return Err(error(
                        value.span(),
                        format!(
                            "unknown release `{r}` (known: {})",
                            crate::knowledge::release_names().join(", ")
                        ),
                    ));
                }
                config.release = Some(r.to_string());
            }
            "archive" => {
                let paths = strings(value, name, &error)?;
                config.archive = Some(
                    paths
                        .into_iter()
                        .map(|(p, _)| resolve_archive(&p, base))
                        .collect(),
                );
            }
            "profiles" => {
                config.profiles = Some(
                    strings(value, name, &error)?
                        .into_iter()
                        .map(|(p, _)| p)
                        .collect(),
                );
            }
            "allow-unknown" => {
                config.allow_unknown = Some(
                    strings(value, name, &error)?
                        .into_iter()
                        .map(|(p, _)| p)
                        .collect(),
                );
            }
            other => {
                let hint = suggest(other, KEYS.iter().copied())
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                return Err(error(
                    key.span(),
                    format!(
                        "unknown key `{other}` ({hint}known keys: {})",
                        KEYS.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(config)
}

/// A string or an array of strings, with the span of each.
fn strings(
    value: &Spanned<DeValue>,
    key: &str,
    error: &dyn Fn(Range<usize>, String) -> ConfigError,
) -> Result<Vec<(String, Range<usize>)>, ConfigError> {
    let expected = || format!("`{key}` must be a string or an array of strings");
    match value.get_ref() {
        DeValue::String(s) => Ok(vec![(s.to_string(), value.span())]),
        DeValue::Array(items) => items
            .iter()
            .map(|item| match item.get_ref().as_str() {
                Some(s) => Ok((s.to_string(), item.span())),
                None => Err(error(
                    item.span(),
                    format!("{}; found {}", expected(), item.get_ref().type_str()),
                )),
            })
            .collect(),
        other => Err(error(
            value.span(),
            format!("{}; found {}", expected(), other.type_str()),
        )),
    }
}

fn check_rule_name(name: &str, allow_all: bool) -> Result<(), String> {
    registry::resolve(name, allow_all)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn resolve_archive(spec: &str, base: &Path) -> String {
    if spec == "auto" || Path::new(spec).is_absolute() || base.as_os_str().is_empty() {
        return spec.to_string();
    }
    let joined = base.join(spec);
    joined.to_string_lossy().into_owned()
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, text[start..offset].chars().count() + 1)
}

/// Settings given on the command line: empty lists and `None` mean "not given".
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub release: Option<String>,
    pub archive: Vec<String>,
    pub profiles: Vec<String>,
    pub allow_unknown: Vec<String>,
}

/// Where a setting's value came from, for `--show-settings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    CommandLine,
    File(String),
    /// `select`/`ignore` given in both places.
    Both(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::CommandLine => f.write_str("command line"),
            Origin::File(p) => f.write_str(p),
            Origin::Both(p) => write!(f, "{p}, then the command line"),
        }
    }
}

/// The settings one tree is linted with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The configuration file, if one was used.
    pub config: Option<String>,
    /// Enabled rules.
    pub rules: RuleSet,
    pub selection_origin: Origin,
    /// Severity per rule, as the configuration sets it (applied to every finding
    /// of the rule, whatever level the rule gave it).
    pub severity: BTreeMap<Rule, Severity>,
    pub release: Option<String>,
    pub release_origin: Origin,
    pub archive: Vec<String>,
    pub archive_origin: Origin,
    pub profiles: Vec<String>,
    pub profiles_origin: Origin,
    pub allow_unknown: Vec<String>,
    pub allow_unknown_origin: Origin,
}

/// The rules a list of names covers; names were checked when the list was read.
fn covered(list: &[String]) -> RuleSet {
    list.iter()
        .filter_map(|n| registry::resolve(n, true).ok())
        .fold(RuleSet::empty(), |set, s| set.union(s.rules()))
}

fn pick<T: Clone>(cli: Option<&T>, file: Option<&T>, file_origin: &Origin) -> (Option<T>, Origin) {
    match (cli, file) {
        (Some(v), _) => (Some(v.clone()), Origin::CommandLine),
        (None, Some(v)) => (Some(v.clone()), file_origin.clone()),
        (None, None) => (None, Origin::Default),
    }
}

impl Settings {
    /// Combine a tree's configuration file (if any) with the command line.
    pub fn resolve(file: Option<&FileConfig>, cli: &Overrides) -> Settings {
        let file_origin = Origin::File(file.map(|f| f.display.clone()).unwrap_or_default());
        let mut enabled = RuleSet::all();
        let mut from_file = false;
        if let Some(f) = file {
            if let Some(select) = f.select.as_ref().filter(|s| !s.is_empty()) {
                enabled = covered(select);
                from_file = true;
            }
            if let Some(ignore) = f.ignore.as_ref().filter(|s| !s.is_empty()) {
                enabled = enabled.difference(covered(ignore));
                from_file = true;
            }
        }
        if !cli.select.is_empty() {
            enabled = covered(&cli.select);
        }
        enabled = enabled.difference(covered(&cli.ignore));
        let from_cli = !cli.select.is_empty() || !cli.ignore.is_empty();
        let selection_origin = match (from_file, from_cli, file) {
            (true, true, Some(f)) => Origin::Both(f.display.clone()),
            (true, false, Some(f)) => Origin::File(f.display.clone()),
            (_, true, _) => Origin::CommandLine,
            _ => Origin::Default,
        };

        // Families first, then rules, so `stale = "info"` with
        // `build-dep-unavailable = "error"` means what it says.
        let mut severity = BTreeMap::new();
        if let Some(f) = file {
            for pass_rules in [false, true] {
                for (name, level) in &f.severity {
                    let Ok(selector) = registry::resolve(name, false) else {
                        continue;
                    };
                    if matches!(selector, Selector::Rule(_)) != pass_rules {
                        continue;
                    }
                    for r in selector.rules().iter() {
                        severity.insert(r, *level);
                    }
                }
            }
        }
        // A level equal to the rule's declared one is kept: rules such as
        // obsolete-build-dep give some findings another level (a transitional
        // package is a warning), and the configured level is for all of them.

        let (release, release_origin) = pick(
            cli.release.as_ref(),
            file.and_then(|f| f.release.as_ref()),
            &file_origin,
        );
        let non_empty = |v: &Vec<String>| (!v.is_empty()).then_some(v.clone());
        let (archive, archive_origin) = pick(
            non_empty(&cli.archive).as_ref(),
            file.and_then(|f| f.archive.as_ref()),
            &file_origin,
        );
        let (profiles, profiles_origin) = pick(
            non_empty(&cli.profiles).as_ref(),
            file.and_then(|f| f.profiles.as_ref()),
            &file_origin,
        );
        let (allow_unknown, allow_unknown_origin) = pick(
            non_empty(&cli.allow_unknown).as_ref(),
            file.and_then(|f| f.allow_unknown.as_ref()),
            &file_origin,
        );
        Settings {
            config: file.map(|f| f.display.clone()),
            rules: enabled,
            selection_origin,
            severity,
            release,
            release_origin,
            archive: archive.unwrap_or_default(),
            archive_origin,
            profiles: profiles.unwrap_or_default(),
            profiles_origin,
            allow_unknown: allow_unknown.unwrap_or_default(),
            allow_unknown_origin,
        }
    }

    /// Options for [`crate::lint_tree`]; the archive is loaded by the caller.
    pub fn lint_options(&self) -> LintOptions {
        LintOptions {
            rules: self.rules,
            release: self.release.clone(),
            archive: None,
            profiles: self.profiles.clone(),
            allow_unknown: self.allow_unknown.clone(),
        }
    }

    /// Give findings the severity the configuration sets for their rule.
    pub fn apply_severity(&self, diagnostics: &mut [Diagnostic]) {
        if self.severity.is_empty() {
            return;
        }
        for d in diagnostics {
            if let Some(s) = self.severity.get(&d.rule) {
                d.severity = *s;
            }
        }
    }

    /// The settings as a configuration file would hold them, with where each value
    /// came from; `release_note` says what an unset release falls back to.
    pub fn render(&self, release_note: &str) -> String {
        let list = |v: &[String]| {
            let items: Vec<String> = v.iter().map(|s| quote(s)).collect();
            format!("[{}]", items.join(", "))
        };
        let mut s = String::new();
        let select = if self.rules == RuleSet::all() {
            "[\"all\"]".to_string()
        } else {
            let names: Vec<String> = self.rules.iter().map(|r| r.to_string()).collect();
            list(&names)
        };
        s.push_str(&format!(
            "# {} rule{} enabled ({})\n",
            self.rules.len(),
            if self.rules.len() == 1 { "" } else { "s" },
            self.selection_origin
        ));
        s.push_str(&format!("select = {select}\n"));
        match &self.release {
            Some(r) => s.push_str(&format!(
                "release = {}  # {}\n",
                quote(r),
                self.release_origin
            )),
            None => s.push_str(&format!("# release: {release_note}\n")),
        }
        s.push_str(&format!(
            "archive = {}  # {}\n",
            list(&self.archive),
            self.archive_origin
        ));
        s.push_str(&format!(
            "profiles = {}  # {}\n",
            list(&self.profiles),
            self.profiles_origin
        ));
        s.push_str(&format!(
            "allow-unknown = {}  # {}\n",
            list(&self.allow_unknown),
            self.allow_unknown_origin
        ));
        s.push_str("\n[severity]");
        let changed = self.severity.keys().any(|r| self.rules.contains(*r));
        match &self.config {
            Some(c) if changed => s.push_str(&format!("  # {c}\n")),
            _ => s.push_str("  # every rule at its default severity\n"),
        }
        for (rule, level) in self
            .severity
            .iter()
            .filter(|(r, _)| self.rules.contains(**r))
        {
            let default = rule.severity().as_str();
            s.push_str(&format!(
                "{rule} = {}  # default: {default}\n",
                quote(level.as_str())
            ));
        }
        s
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c if c.is_control() => q.push_str(&format!("\\u{:04X}", c as u32)),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> FileConfig {
        parse("kpkg-lint.toml", text, Path::new("/base")).unwrap_or_else(|e| panic!("{e}"))
    }

    fn parse_err(text: &str) -> String {
        parse("debian/kpkg-lint.toml", text, Path::new("/base"))
            .expect_err("should fail")
            .to_string()
    }

    #[test]
    fn reads_every_key() {
        let c = parse_ok(
            "select = [\"parallel\", \"cross\"]\nignore = \"deprecated-make-kpkg\"\nrelease = \"noble\"\n\
             archive = [\"lists\", \"/abs\", \"auto\"]\nprofiles = [\"nodoc\"]\nallow-unknown = [\"libpve-*\"]\n\
             [severity]\nserial-kernel-build = \"error\"\nstale = \"info\"\n",
        );
        assert_eq!(
            c.select.as_deref(),
            Some(&["parallel".to_string(), "cross".to_string()][..])
        );
        assert_eq!(
            c.ignore.as_deref(),
            Some(&["deprecated-make-kpkg".to_string()][..])
        );
        assert_eq!(c.release.as_deref(), Some("noble"));
        assert_eq!(
            c.archive.as_deref(),
            Some(
                &[
                    "/base/lists".to_string(),
                    "/abs".to_string(),
                    "auto".to_string()
                ][..]
            )
        );
        assert_eq!(c.profiles.as_deref(), Some(&["nodoc".to_string()][..]));
        assert_eq!(
            c.allow_unknown.as_deref(),
            Some(&["libpve-*".to_string()][..])
        );
        assert_eq!(
            c.severity,
            vec![
                ("serial-kernel-build".to_string(), Severity::Error),
                ("stale".to_string(), Severity::Info)
            ]
        );
    }

    #[test]
    fn errors_name_file_line_and_column() {
        assert_eq!(
            parse_err("# settings\nselect = [\"parallel\"]\nselct = []\n"),
            "debian/kpkg-lint.toml:3:1: unknown key `selct` (did you mean `select`? known keys: select, ignore, severity, release, archive, profiles, allow-unknown)"
        );
        assert_eq!(
            parse_err("ignore = [\"parallel\", \"serial-kernel-bild\"]\n"),
            "debian/kpkg-lint.toml:1:23: unknown rule or family `serial-kernel-bild` (did you mean `serial-kernel-build`? run `kpkg-lint rules` for the list)"
        );
        assert_eq!(
            parse_err("[severity]\nserial-kernel-build = \"fatal\"\n"),
            "debian/kpkg-lint.toml:2:23: severity of `serial-kernel-build` must be \"error\", \"warning\" or \"info\""
        );
        assert_eq!(
            parse_err("\n[severity]\nno-such-rule = \"error\"\n"),
            "debian/kpkg-lint.toml:3:1: unknown rule or family `no-such-rule` (run `kpkg-lint rules` for the list)"
        );
        assert!(parse_err("release = \"hamm\"\n")
            .starts_with("debian/kpkg-lint.toml:1:11: unknown release `hamm` (known: "));
        assert_eq!(
            parse_err("profiles = [1]\n"),
            "debian/kpkg-lint.toml:1:13: `profiles` must be a string or an array of strings; found integer"
        );
        assert_eq!(
            parse_err("severity = \"error\"\n"),
            "debian/kpkg-lint.toml:1:12: `severity` must be a table of rule or family names, e.g. `[severity]` then `serial-kernel-build = \"error\"`; found string"
        );
        let syntax = parse_err("select = [\"parallel\"\n");
        assert!(syntax.starts_with("debian/kpkg-lint.toml:1:"), "{syntax}");
        assert!(syntax.contains("invalid TOML"), "{syntax}");
    }

    #[test]
    fn command_line_wins_and_select_restarts() {
        let file = parse_ok(
            "select = [\"parallel\"]\nignore = [\"forced-serial-flag\"]\nrelease = \"noble\"\nprofiles = [\"nodoc\"]\n",
        );
        let s = Settings::resolve(Some(&file), &Overrides::default());
        assert!(s.rules.contains(Rule::SerialKernelBuild));
        assert!(!s.rules.contains(Rule::ForcedSerialFlag));
        assert!(!s.rules.contains(Rule::ObsoleteBuildDep));
        assert_eq!(s.release.as_deref(), Some("noble"));
        assert_eq!(s.release_origin, Origin::File("kpkg-lint.toml".into()));

        let cli = Overrides {
            select: vec!["forced-serial-flag".into(), "stale".into()],
            ignore: vec!["obsolete-build-dep".into()],
            release: Some("bookworm".into()),
            ..Overrides::default()
        };
        let s = Settings::resolve(Some(&file), &cli);
        assert!(
            s.rules.contains(Rule::ForcedSerialFlag),
            "--select X runs X even if the file ignores it"
        );
        assert!(
            !s.rules.contains(Rule::ObsoleteBuildDep),
            "--ignore applies last"
        );
        assert!(
            !s.rules.contains(Rule::SerialKernelBuild),
            "--select replaces the file's select"
        );
        assert_eq!(s.release.as_deref(), Some("bookworm"));
        assert_eq!(s.release_origin, Origin::CommandLine);
        assert_eq!(
            s.profiles,
            ["nodoc"],
            "keys the command line leaves alone come from the file"
        );

        let none = Settings::resolve(
            None,
            &Overrides {
                ignore: vec!["all".into()],
                ..Overrides::default()
            },
        );
        assert!(none.rules.is_empty());
        assert!(!none.lint_options().rules.contains(Rule::SerialKernelBuild));
        let every = Settings::resolve(None, &Overrides::default());
        assert_eq!(every.lint_options().rules, RuleSet::all());
    }

    #[test]
    fn rule_severity_beats_family_severity() {
        let file = parse_ok("[severity]\nobsolete-build-dep = \"error\"\nstale = \"info\"\n");
        let s = Settings::resolve(Some(&file), &Overrides::default());
        assert_eq!(
            s.severity.get(&Rule::ObsoleteBuildDep),
            Some(&Severity::Error)
        );
        for m in crate::rules::catalogue::catalogue()
            .iter()
            .filter(|m| m.family == "stale" && m.name != "obsolete-build-dep")
        {
            let got = s
                .severity
                .get(&Rule::from_name(&m.name).unwrap())
                .copied()
                .unwrap_or(m.severity);
            assert_eq!(got, Severity::Info, "{}", m.name);
        }
        let mut d = vec![Diagnostic::new(
            Rule::ObsoleteBuildDep,
            Severity::Warning,
            0,
            0..1,
            "x",
        )];
        s.apply_severity(&mut d);
        assert_eq!(d[0].severity, Severity::Error);
    }

    #[test]
    fn rendered_settings_are_valid_toml() {
        let file = parse_ok("ignore = [\"cross\"]\nallow-unknown = [\"a\\\"b\"]\n[severity]\nignores-parallel-option = \"error\"\n");
        let s = Settings::resolve(Some(&file), &Overrides::default());
        let text = s.render("from debian/changelog");
        let parsed = DeTable::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(parsed.get_ref().contains_key("select"));
        assert!(
            text.contains("ignores-parallel-option = \"error\"  # default: warning"),
            "{text}"
        );
    }

    #[test]
    fn suggestions_are_close_matches_only() {
        assert_eq!(suggest("selct", KEYS.iter().copied()), Some("select"));
        assert_eq!(
            suggest("allow_unknown", KEYS.iter().copied()),
            Some("allow-unknown")
        );
        assert_eq!(suggest("colour", KEYS.iter().copied()), None);
    }
}
