//! Kernel configuration shipped with the packaging: `.config`-style fragments
//! (`CONFIG_X=y`, `# CONFIG_X is not set`) and Ubuntu's annotations file
//! (`CONFIG_X  policy<{'amd64': 'y', 'arm64': 'n'}>`).

use crate::source::{FileId, Span};

#[derive(Debug, Clone)]
pub struct ConfigSetting {
    pub file: FileId,
    /// The line that sets it.
    pub span: Span,
    pub name: String,
    /// `y`, `m`, `n`, or the literal value; for annotations, one per architecture.
    pub values: Vec<(Option<String>, String)>,
}

impl ConfigSetting {
    /// Built in or as a module for at least one architecture.
    pub fn enabled(&self) -> bool {
        self.values.iter().any(|(_, v)| v == "y" || v == "m")
    }
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |l| {
        let start = offset;
        offset += l.len();
        (start, l.trim_end_matches(['\n', '\r']))
    })
}

pub fn parse_config(file: FileId, text: &str) -> Vec<ConfigSetting> {
    let mut out = Vec::new();
    for (start, l) in lines(text) {
        let span = start..start + l.len();
        if let Some(rest) = l.strip_prefix("# CONFIG_") {
            if let Some(name) = rest.strip_suffix(" is not set") {
                out.push(ConfigSetting {
                    file,
                    span,
                    name: format!("CONFIG_{name}"),
                    values: vec![(None, "n".into())],
                });
            }
            continue;
        }
        if let Some((name, value)) = l.split_once('=') {
            if name.starts_with("CONFIG_") && !name.contains(char::is_whitespace) {
                out.push(ConfigSetting {
                    file,
                    span,
                    name: name.to_string(),
                    values: vec![(None, value.trim().to_string())],
                });
            }
        }
    }
    out
}

/// Ubuntu annotations: `CONFIG_X policy<{'amd64': 'y', 'arm64': '-'}>`; `note<…>` and
/// other lines are ignored.
pub fn parse_annotations(file: FileId, text: &str) -> Vec<ConfigSetting> {
    let mut out = Vec::new();
    for (start, l) in lines(text) {
        let Some(name) = l
            .split_whitespace()
            .next()
            .filter(|n| n.starts_with("CONFIG_"))
        else {
            continue;
        };
        let Some(p) = l.find("policy<{") else {
            continue;
        };
        let Some(end) = l[p..].find("}>") else {
            continue;
        };
        let body = &l[p + "policy<{".len()..p + end];
        let values = body
            .split(',')
            .filter_map(|kv| {
                let (k, v) = kv.split_once(':')?;
                let clean = |s: &str| s.trim().trim_matches(['\'', '"']).to_string();
                Some((Some(clean(k)), clean(v)))
            })
            .collect();
        out.push(ConfigSetting {
            file,
            span: start..start + l.len(),
            name: name.to_string(),
            values,
        });
    }
    out
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
        assert_eq!(s[2].values[0].1, "\"\"");
    }

    #[test]
    fn annotations() {
        let t = "# FORMAT: 4\nCONFIG_DEBUG_INFO_BTF                           policy<{'amd64': 'y', 'armhf': 'n'}>\nCONFIG_DEBUG_INFO_BTF                           note<'needed by bpf'>\n";
        let s = parse_annotations(0, t);
        assert_eq!(s.len(), 1);
        assert!(s[0].enabled());
        assert_eq!(s[0].values[1], (Some("armhf".into()), "n".into()));
    }
}
