//! `debian-flavour-incomplete`: a Debian flavour without its description, or naming
//! config fragments that do not exist (`defines.toml`, and the older INI `defines`).

use crate::rules::Checker;
use crate::source::{FileId, SourceFile, Span};

const RULE: &str = "debian-flavour-incomplete";

struct Flavour {
    name: String,
    file: FileId,
    span: Span,
    missing_keys: Vec<&'static str>,
    configs: Vec<String>,
}

/// The line holding `needle`, by the file's own line index.
fn line_of(f: &SourceFile, needle: &str) -> Option<Span> {
    f.text
        .find(needle)
        .and_then(|i| f.line_span(f.line_index(i)))
}

/// Every array-of-tables called `flavour`, wherever it sits in the document.
fn toml_flavours(v: &toml::Value, out: &mut Vec<toml::Table>) {
    match v {
        toml::Value::Table(t) => {
            for (k, child) in t {
                if k == "flavour" {
                    if let toml::Value::Array(items) = child {
                        out.extend(items.iter().filter_map(|i| i.as_table().cloned()));
                    }
                }
                toml_flavours(child, out);
            }
        }
        toml::Value::Array(items) => items.iter().for_each(|i| toml_flavours(i, out)),
        _ => {}
    }
}

fn from_toml(c: &mut Checker, file: FileId) -> Vec<Flavour> {
    let source = &c.model.tree.files[file];
    let text = &source.text;
    let doc: toml::Table = match text.parse() {
        Ok(d) => d,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            c.report(
                "malformed-file",
                file,
                span,
                format!("malformed defines.toml: {}", e.message()),
            );
            return vec![];
        }
    };
    let mut tables = Vec::new();
    toml_flavours(&toml::Value::Table(doc), &mut tables);
    tables
        .into_iter()
        .filter_map(|t| {
            let name = t.get("name")?.as_str()?.to_string();
            let desc = t.get("description").and_then(|d| d.as_table());
            let missing_keys = ["hardware", "hardware_long"]
                .into_iter()
                .filter(|k| desc.is_none_or(|d| !d.contains_key(*k)))
                .collect();
            let configs = t
                .get("build")
                .and_then(|b| b.get("config"))
                .and_then(|c| c.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let span = [format!("name = '{name}'"), format!("name = \"{name}\"")]
                .iter()
                .find_map(|n| line_of(source, n))
                .unwrap_or(0..0);
            Some(Flavour {
                name,
                file,
                span,
                missing_keys,
                configs,
            })
        })
        .collect()
}

/// The older INI form: `[base] flavours:` (continuation lines), `[<f>_description]`
/// with `hardware` and `hardware-long`, `[<f>_image] configs:`.
fn from_ini(c: &Checker, file: FileId) -> Vec<Flavour> {
    let source = &c.model.tree.files[file];
    let text = &source.text;
    let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut last_key: Option<usize> = None;
    for line in text.lines() {
        let t = line.trim_end();
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            sections.push((name.to_string(), vec![]));
            last_key = None;
        } else if (line.starts_with(' ') || line.starts_with('\t')) && !t.trim().is_empty() {
            if let (Some(s), Some(k)) = (sections.last_mut(), last_key) {
                let v = &mut s.1[k].1;
                v.push(' ');
                v.push_str(t.trim());
            }
        } else if let Some((k, v)) = t.split_once(':') {
            if let Some(s) = sections.last_mut() {
                s.1.push((k.trim().to_string(), v.trim().to_string()));
                last_key = Some(s.1.len() - 1);
            }
        }
    }
    let get = |section: &str, key: &str| {
        sections
            .iter()
            .find(|(n, _)| n == section)
            .and_then(|(_, kv)| kv.iter().find(|(k, _)| k == key))
            .map(|(_, v)| v.clone())
    };
    let flavours = get("base", "flavours").unwrap_or_default();
    flavours
        .split_whitespace()
        .map(|name| {
            let section = format!("{name}_description");
            let has = |k: &str| get(&section, k).is_some();
            let missing_keys = [("hardware", "hardware"), ("hardware_long", "hardware-long")]
                .into_iter()
                .filter(|(_, ini)| !has(ini))
                .map(|(k, _)| k)
                .collect();
            let configs = get(&format!("{name}_image"), "configs")
                .map(|v| v.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default();
            let span = (0..source.line_count())
                .find(|&i| {
                    let l = source.line_text(i);
                    l.split_whitespace().any(|w| w == name)
                        || l.trim_start().starts_with(&format!("flavours: {name}"))
                })
                .and_then(|i| source.line_span(i))
                .unwrap_or(0..0);
            Flavour {
                name: name.to_string(),
                file,
                span,
                missing_keys,
                configs,
            }
        })
        .collect()
}

pub fn check(c: &mut Checker) {
    let model = c.model;
    let mut flavours = Vec::new();
    for (id, f) in model.tree.files.iter().enumerate() {
        if !f.rel.starts_with("debian/config/") || f.skipped.is_some() {
            continue;
        }
        match f.name() {
            "defines.toml" => flavours.extend(from_toml(c, id)),
            "defines" => flavours.extend(from_ini(c, id)),
            _ => {}
        }
    }
    for fl in flavours {
        let mut problems = Vec::new();
        if !fl.missing_keys.is_empty() {
            problems.push(format!("no description {}", fl.missing_keys.join(" or ")));
        }
        let absent: Vec<&String> = fl
            .configs
            .iter()
            .filter(|p| model.tree.file(&format!("debian/config/{p}")).is_none())
            .collect();
        if !absent.is_empty() {
            problems.push(format!(
                "config fragments that do not exist: {}",
                absent
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if problems.is_empty() {
            continue;
        }
        c.report(RULE, fl.file, fl.span.clone(), format!("flavour `{}` has {}: gencontrol fails or the image package has no description", fl.name, problems.join(", and ")))
            .with_help_mut("give every flavour description.hardware and hardware_long, and point build.config at files under debian/config/");
    }
}

#[cfg(test)]
mod tests {
    use crate::lint_memory_rule;

    /// (rule, file, line, column) of each finding.
    macro_rules! found {
        ($d:expr, $tree:expr) => {
            $d.iter()
                .map(|d| {
                    let f = &$tree.files[d.file];
                    let (line, col) = f.line_col(d.span.start);
                    (d.rule, f.rel.as_str(), line, col)
                })
                .collect::<Vec<_>>()
        };
    }

    const TOML: &str = "[[kernelarch]]\nname = 'x86'\n\n[[kernelarch.debianarch]]\nname = 'amd64'\n\n[[kernelarch.debianarch.flavour]]\nname = 'amd64'\n[kernelarch.debianarch.flavour.description]\nhardware = '64-bit PCs'\nhardware_long = 'PCs with AMD64, Intel 64 or VIA Nano processors'\n\n[[kernelarch.debianarch.flavour]]\nname = 'acme-amd64'\n[kernelarch.debianarch.flavour.description]\nhardware = 'Acme appliances'\n[kernelarch.debianarch.flavour.build]\nconfig = ['config.acme']\n";

    #[test]
    fn a_toml_flavour_without_hardware_long_and_its_config_fires() {
        let files = [("debian/config/defines.toml", TOML)];
        let (d, tree) = lint_memory_rule(&files, "debian-flavour-incomplete");
        assert_eq!(
            found!(d, tree),
            [(
                "debian-flavour-incomplete",
                "debian/config/defines.toml",
                14,
                1
            )]
        );
        let m = &d[0].message;
        assert!(
            m.contains("no description hardware_long") && m.contains("do not exist: config.acme"),
            "{m}"
        );
    }

    #[test]
    fn an_ini_flavour_without_a_description_fires() {
        let ini = "[base]\nflavours:\n amd64\n acme-amd64\n\n[amd64_description]\nhardware: 64-bit PCs\nhardware-long: PCs with AMD64 processors\n\n[acme-amd64_description]\nhardware: Acme appliances\n";
        let (d, tree) = lint_memory_rule(
            &[("debian/config/amd64/defines", ini)],
            "debian-flavour-incomplete",
        );
        assert_eq!(
            found!(d, tree),
            [(
                "debian-flavour-incomplete",
                "debian/config/amd64/defines",
                4,
                1
            )]
        );
    }

    #[test]
    fn complete_flavours_do_not_fire() {
        let complete = TOML.replace(
            "hardware = 'Acme appliances'\n",
            "hardware = 'Acme appliances'\nhardware_long = 'Acme Corp. network appliances'\n",
        );
        let files = [
            ("debian/config/defines.toml", &*complete),
            ("debian/config/config.acme", "CONFIG_ACME_BOARD=y\n"),
        ];
        let (d, tree) = lint_memory_rule(&files, "debian-flavour-incomplete");
        assert_eq!(found!(d, tree), []);
        // A defines file outside debian/config/ is not the kernel's.
        let (d, tree) = lint_memory_rule(
            &[("debian/defines.toml", TOML)],
            "debian-flavour-incomplete",
        );
        assert_eq!(found!(d, tree), []);
    }
}
