//! Kernel configuration shipped with the packaging: `.config`-style fragments
//! (`CONFIG_X=y`, `# CONFIG_X is not set`) and Ubuntu's annotations file
//! (`CONFIG_X  policy<{'amd64': 'y', 'arm64': 'n'}>`).

use crate::source::{FileId, Span};
use std::sync::Arc;

/// One option set by a config fragment or the annotations file, borrowed from the
/// file's text: an Ubuntu annotations file holds some 20,000 options with a policy
/// per architecture, and nothing is allocated for an option no rule asks about.
#[derive(Debug, Clone)]
pub struct ConfigSetting<'t> {
    pub file: FileId,
    /// The line that sets it.
    pub span: Span,
    pub name: &'t str,
    value: Value<'t>,
    /// For an annotation read through another annotations file's `include`:
    /// which of its policy keys still count there.
    scope: Option<Arc<Scope<'t>>>,
}

/// What an including annotations file leaves of an included setting. Ubuntu's
/// annotations.py reads the included file's lines, then the including file's: a
/// policy key the includer sets for the option replaces the included one (an
/// architecture key also drops the included keys of that architecture's
/// flavours), and only the includer's `# ARCH:` architectures are built.
#[derive(Debug, Default)]
pub struct Scope<'t> {
    pub arches: Vec<&'t str>,
    pub overridden: Vec<&'t str>,
}

impl Scope<'_> {
    fn counts(&self, key: &str) -> bool {
        let arch = key.split('-').next().unwrap_or(key);
        let covered = |o: &&str| {
            key == *o
                || (!o.contains('-') && key.strip_prefix(*o).is_some_and(|r| r.starts_with('-')))
        };
        (self.arches.is_empty() || self.arches.contains(&arch))
            && !self.overridden.iter().any(covered)
    }
}

#[derive(Debug, Clone)]
enum Value<'t> {
    /// `y`, `m`, `n`, or the literal value of a config fragment.
    Plain(&'t str),
    /// The inside of an annotation's `policy<{…}>`: `'amd64': 'y', 'arm64': 'n'`.
    Policy(&'t str),
}

impl<'t> ConfigSetting<'t> {
    /// `(architecture, value)` pairs: one without an architecture for a config
    /// fragment, one per architecture for an annotation.
    pub fn values(&self) -> impl Iterator<Item = (Option<&'t str>, &'t str)> + 't {
        let (plain, policy) = match self.value {
            Value::Plain(v) => (Some(v), ""),
            Value::Policy(body) => (None, body),
        };
        let clean = |s: &'t str| s.trim().trim_matches(['\'', '"']);
        let scope = self.scope.clone();
        plain.map(|v| (None, v)).into_iter().chain(
            policy
                .split(',')
                .filter_map(move |kv| kv.split_once(':'))
                .map(move |(k, v)| (clean(k), clean(v)))
                .filter(move |(k, _)| scope.as_ref().is_none_or(|s| s.counts(k)))
                .map(|(k, v)| (Some(k), v)),
        )
    }

    /// Read through an `include` of another annotations file, with what that
    /// file leaves of it.
    pub fn set_scope(&mut self, scope: Arc<Scope<'t>>) {
        self.scope = Some(scope);
    }

    /// The policy keys an annotation sets (`amd64`, `arm64-generic`), unscoped.
    pub fn policy_keys(&self) -> impl Iterator<Item = &'t str> + 't {
        let body = match self.value {
            Value::Policy(body) => body,
            Value::Plain(_) => "",
        };
        body.split(',')
            .filter_map(|kv| kv.split_once(':'))
            .map(|(k, _)| k.trim().trim_matches(['\'', '"']))
    }

    /// Built in or as a module for at least one architecture.
    pub fn enabled(&self) -> bool {
        self.values().any(|(_, v)| v == "y" || v == "m")
    }
}

/// `(offset, line without its terminator)`, split with memchr: config fragments and
/// annotations run to tens of thousands of lines.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain(
        // The last line, when the file does not end with a newline.
        (!text.is_empty() && !text.ends_with('\n')).then_some(text.len()),
    );
    let mut start = 0;
    ends.map(move |end| {
        let line = &text[start..end];
        let at = start;
        start = end + 1;
        (at, line.strip_suffix('\r').unwrap_or(line))
    })
}

pub fn parse_config(file: FileId, text: &str) -> Vec<ConfigSetting<'_>> {
    let mut out = Vec::with_capacity(text.len() / 28);
    for (start, l) in lines(text) {
        let span = start..start + l.len();
        let b = l.as_bytes();
        if b.first() == Some(&b'#') {
            if let Some(rest) = l.strip_prefix("# CONFIG_") {
                if rest.ends_with(" is not set") {
                    out.push(ConfigSetting {
                        file,
                        span,
                        name: &l[2..l.len() - " is not set".len()],
                        value: Value::Plain("n"),
                        scope: None,
                    });
                }
            }
            continue;
        }
        if !b.starts_with(b"CONFIG_") {
            continue;
        }
        if let Some(eq) = memchr::memchr(b'=', b) {
            let name = &l[..eq];
            if !name.bytes().any(|c| c.is_ascii_whitespace()) {
                out.push(ConfigSetting {
                    file,
                    span,
                    name,
                    value: Value::Plain(l[eq + 1..].trim()),
                    scope: None,
                });
            }
        }
    }
    out
}

/// Ubuntu annotations: `CONFIG_X policy<{'amd64': 'y', 'arm64': '-'}>`; `note<…>` and
/// other lines are ignored.
pub fn parse_annotations(file: FileId, text: &str) -> Vec<ConfigSetting<'_>> {
    // About one policy line per 150 bytes in Ubuntu's file.
    let mut out = Vec::with_capacity(text.len() / 150);
    let policy = memchr::memmem::Finder::new("policy<{");
    for (start, l) in lines(text) {
        // `CONFIG_X<spaces>policy<{…}>`. The format is ASCII: byte operations, not
        // Unicode whitespace, on some 20,000 lines.
        let line = l.trim_ascii_start();
        if !line.starts_with("CONFIG_") {
            continue;
        }
        let name_end = line
            .bytes()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(line.len());
        let name = &line[..name_end];
        let rest = line[name_end..].trim_ascii_start();
        // Usually the policy follows the name; a line may also carry `note<…>` or
        // `flag<…>` first. One searcher for the whole file, not one per line.
        let Some(at) = policy.find(rest.as_bytes()) else {
            continue;
        };
        let after = &rest[at + "policy<{".len()..];
        let b = after.as_bytes();
        let Some(end) = memchr::memchr_iter(b'}', b).find(|&i| b.get(i + 1) == Some(&b'>')) else {
            continue;
        };
        let body = &after[..end];
        out.push(ConfigSetting {
            file,
            span: start..start + l.len(),
            name,
            value: Value::Policy(body),
            scope: None,
        });
    }
    out
}

/// The files an annotations file includes, with the offset of each `include`
/// line, as annotations.py reads them (`^include\s+"?([^"]*)"?` on the line
/// with its blanks squeezed): the path is taken relative to the including file's
/// directory, and the lines after it override what it sets.
pub fn annotation_includes(text: &str) -> Vec<(usize, &str)> {
    lines(text)
        .filter_map(|(at, l)| {
            let rest = l.trim_ascii().strip_prefix("include")?;
            if !rest.starts_with([' ', '\t']) {
                return None;
            }
            let rest = rest.trim_ascii();
            let rest = rest.strip_prefix('"').unwrap_or(rest);
            let path = rest.split('"').next().unwrap_or(rest).trim_ascii_end();
            (!path.is_empty()).then_some((at, path))
        })
        .collect()
}

/// The words of the `# ARCH:` line in an annotations file's leading comments.
pub fn annotation_arches(text: &str) -> Vec<&str> {
    for (_, l) in lines(text) {
        if let Some(rest) = l.strip_prefix("# ARCH:") {
            return rest.split_ascii_whitespace().collect();
        }
        if !l.starts_with('#') && !l.trim_ascii().is_empty() {
            break;
        }
    }
    vec![]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_fragments() {
        let s = parse_config(0, "CONFIG_MODULE_SIG=y\n# CONFIG_DEBUG_INFO_BTF is not set\nCONFIG_LOCALVERSION=\"\"\n# comment\n");
        assert_eq!(s.len(), 3);
        assert!(s[0].enabled());
        assert!(!s[1].enabled());
        assert_eq!(s[1].name, "CONFIG_DEBUG_INFO_BTF");
        assert_eq!(s[2].values().collect::<Vec<_>>(), [(None, "\"\"")]);
    }

    /// What an including annotations file leaves of an included setting: its own
    /// key for the option replaces the included one (an architecture key also
    /// the included flavour keys of that architecture), and only its `# ARCH:`
    /// architectures count.
    #[test]
    fn included_annotations_as_the_includer_leaves_them() {
        let t = "CONFIG_A policy<{'amd64': 'y', 'amd64-lowlatency': 'y', 'arm64': 'm', 's390x': 'y'}>\n";
        let mut s = parse_annotations(0, t).remove(0);
        s.set_scope(Arc::new(Scope {
            arches: vec!["amd64", "arm64"],
            overridden: vec!["amd64"],
        }));
        assert_eq!(s.values().collect::<Vec<_>>(), [(Some("arm64"), "m")]);
        assert!(s.enabled());
        s.set_scope(Arc::new(Scope {
            arches: vec!["amd64", "arm64"],
            overridden: vec!["arm64", "amd64-lowlatency"],
        }));
        assert_eq!(s.values().collect::<Vec<_>>(), [(Some("amd64"), "y")]);
        s.set_scope(Arc::new(Scope {
            arches: vec!["s390x"],
            overridden: vec!["s390x"],
        }));
        assert!(!s.enabled());
        let head = "# Menu: HEADER\n# ARCH: amd64 arm64\n\ninclude \"../../debian.master/config/annotations\"\n  include\t\"other\"\nincluded_not CONFIG\n# ARCH: s390x\n";
        let paths: Vec<&str> = annotation_includes(head)
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        assert_eq!(paths, ["../../debian.master/config/annotations", "other"]);
        let paths: Vec<&str> = annotation_includes("include \"x\" # why\ninclude y\n")
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        assert_eq!(paths, ["x", "y"]);
        assert_eq!(annotation_arches(head), ["amd64", "arm64"]);
    }

    #[test]
    fn crlf_and_a_last_line_without_newline() {
        let t = "CONFIG_A=y\r\n# CONFIG_B is not set\r\nCONFIG_C=m";
        let s = parse_config(0, t);
        let got: Vec<_> = s
            .iter()
            .map(|c| (c.name, c.values().next().unwrap().1, &t[c.span.clone()]))
            .collect();
        assert_eq!(
            got,
            [
                ("CONFIG_A", "y", "CONFIG_A=y"),
                ("CONFIG_B", "n", "# CONFIG_B is not set"),
                ("CONFIG_C", "m", "CONFIG_C=m")
            ]
        );
        assert!(parse_config(0, "").is_empty());
    }

    #[test]
    fn annotations() {
        let t = "# FORMAT: 4\nCONFIG_DEBUG_INFO_BTF                           policy<{'amd64': 'y', 'armhf': 'n'}>\nCONFIG_DEBUG_INFO_BTF                           note<'needed by bpf'>\n";
        let s = parse_annotations(0, t);
        assert_eq!(s.len(), 1);
        assert!(s[0].enabled());
        assert_eq!(
            s[0].values().collect::<Vec<_>>(),
            [(Some("amd64"), "y"), (Some("armhf"), "n")]
        );
        // Other attributes may come first on the line (found in review).
        let t = "CONFIG_X flag<REVIEW> policy<{'amd64': 'm'}>\nCONFIG_Y note<'x'> policy<{'arm64': 'y'}>\n";
        let names: Vec<&str> = parse_annotations(0, t).iter().map(|c| c.name).collect();
        assert_eq!(names, ["CONFIG_X", "CONFIG_Y"]);
    }
}
