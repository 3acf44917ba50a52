//! Reading a configuration file: where it is, its TOML, and every key and value
//! checked, with errors that name the line and column.

use super::{ConfigError, KEYS};
use crate::diagnostic::Severity;
use crate::registry::{self, suggest};
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// The settings one file holds; `None` for keys it does not set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileConfig {
    /// How the file is shown to the user.
    pub display: String,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    /// Added to `select` (or to every rule), as ruff layers `extend-select`.
    pub extend_select: Vec<String>,
    /// Taken away after `ignore`.
    pub extend_ignore: Vec<String>,
    /// Globs of tree paths whose findings are not reported.
    pub exclude: Vec<String>,
    /// Glob → rules and families not reported in the files it matches, in order.
    pub per_file_ignores: Vec<(String, Vec<String>)>,
    /// Rule or family name → severity, in the file's order.
    pub severity: Vec<(String, Severity)>,
    pub release: Option<String>,
    /// Index paths, already resolved against the file's directory (or `auto`).
    pub archive: Option<Vec<String>>,
    pub profiles: Option<Vec<String>>,
    pub allow_unknown: Option<Vec<String>>,
    /// Where findings link rule documentation (`{rule}` is the rule name).
    pub doc_url: Option<String>,
}

/// The configuration file of a tree rooted at `root`, if it has one. Having both
/// `kpkg-lint.toml` and `debian/kpkg-lint.toml` is an error rather than a silent
/// choice: one of them would be ignored without anyone noticing.
pub fn find(root: &Path) -> Result<Option<PathBuf>, ConfigError> {
    let candidates = [
        root.join(super::FILE_NAME),
        root.join("debian").join(super::FILE_NAME),
    ];
    let found: Vec<&PathBuf> = candidates.iter().filter(|p| p.is_file()).collect();
    // The tree's own settings only: a file that links out of the tree is not read
    // (whatever it points at, its contents never reach an error message).
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    for p in &found {
        if std::fs::canonicalize(p).is_ok_and(|real| !real.starts_with(&real_root)) {
            return Err(ConfigError {
                path: crate::source::display_path(p),
                line: 0,
                column: 0,
                message: "leads outside the tree (a symbolic link); not read".into(),
            });
        }
    }
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

/// A configuration file is a few lines; this is far past any real one.
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// Read and check a configuration file.
pub fn load(path: &Path) -> Result<FileConfig, ConfigError> {
    let display = crate::source::display_path(path);
    let error = |message: String| ConfigError {
        path: display.clone(),
        line: 0,
        column: 0,
        message,
    };
    // Not a FIFO or device, and not without end: the same guard as a tree's files.
    let bytes = match crate::source::read_regular(path, MAX_CONFIG_SIZE) {
        Ok(crate::source::ReadOutcome::File(bytes, _)) => bytes,
        Ok(crate::source::ReadOutcome::Refused(why)) => return Err(error(why)),
        Err(e) => return Err(error(crate::source::io_message(&e))),
    };
    let text =
        String::from_utf8(bytes).map_err(|_| error("stream did not contain valid UTF-8".into()))?;
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
            "extend-select" | "extend-ignore" => {
                let names = strings(value, name, &error)?;
                for (n, span) in &names {
                    check_rule_name(n, true).map_err(|m| error(span.clone(), m))?;
                }
                let list = names.into_iter().map(|(n, _)| n).collect();
                if name == "extend-select" {
                    config.extend_select = list;
                } else {
                    config.extend_ignore = list;
                }
            }
            "exclude" => {
                for (glob, span) in strings(value, name, &error)? {
                    check_glob(&glob).map_err(|m| error(span, m))?;
                    config.exclude.push(glob);
                }
            }
            "per-file-ignores" => {
                let DeValue::Table(table) = value.get_ref() else {
                    return Err(error(
                        value.span(),
                        format!(
                            "`per-file-ignores` must be a table of globs, e.g. `[per-file-ignores]` then `\"debian/rules.d/*.mk\" = [\"parallel\"]`; found {}",
                            value.get_ref().type_str()
                        ),
                    ));
                };
                let mut items: Vec<_> = table.iter().collect();
                items.sort_by_key(|(k, _)| k.span().start);
                for (glob, names) in items {
                    let glob_text: &str = glob.get_ref();
                    check_glob(glob_text).map_err(|m| error(glob.span(), m))?;
                    let names = strings(names, glob_text, &error)?;
                    for (n, span) in &names {
                        check_rule_name(n, true).map_err(|m| error(span.clone(), m))?;
                    }
                    config.per_file_ignores.push((
                        glob_text.to_string(),
                        names.into_iter().map(|(n, _)| n).collect(),
                    ));
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
            "doc-url" => {
                let Some(url) = value.get_ref().as_str() else {
                    return Err(error(
                        value.span(),
                        format!(
                            "`doc-url` must be a string such as \"https://example.org/kpkg-lint/docs/rules/{{rule}}.md\"; found {}",
                            value.get_ref().type_str()
                        ),
                    ));
                };
                config.doc_url = Some(url.to_string());
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

/// A glob of tree paths (`debian/rules.d/*.mk`, `**/*.in`): relative, `/`-separated.
fn check_glob(glob: &str) -> Result<(), String> {
    if glob.is_empty() {
        return Err("an empty glob matches nothing".into());
    }
    if glob.starts_with('/') {
        return Err(format!(
            "`{glob}` is absolute; globs match paths relative to the tree's root"
        ));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::super::test_support::{parse_err, parse_ok};
    use super::*;

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
            "debian/kpkg-lint.toml:3:1: unknown key `selct` (did you mean `select`? known keys: select, ignore, extend-select, extend-ignore, exclude, per-file-ignores, severity, release, archive, profiles, allow-unknown, doc-url)"
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
    fn suggestions_are_close_matches_only() {
        assert_eq!(suggest("selct", KEYS.iter().copied()), Some("select"));
        assert_eq!(
            suggest("allow_unknown", KEYS.iter().copied()),
            Some("allow-unknown")
        );
        assert_eq!(suggest("colour", KEYS.iter().copied()), None);
    }
}
