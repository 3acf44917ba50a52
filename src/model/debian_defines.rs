//! Debian's flavour definitions: `debian/config/**/defines.toml` and the older INI
//! `defines`, as gencontrol reads them.

use super::FileProblem;
use crate::source::{FileId, SourceFile, Span};
use crate::tree::Tree;

/// One flavour as a `defines` file declares it.
#[derive(Debug, Clone)]
pub struct DebianFlavour {
    pub name: String,
    pub file: FileId,
    /// The line that names the flavour.
    pub span: Span,
    /// Description keys the flavour lacks (`hardware`, `hardware_long`).
    pub missing_keys: Vec<&'static str>,
    /// Config fragments the flavour names, relative to `debian/config/`.
    pub configs: Vec<String>,
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

fn from_toml(tree: &Tree, file: FileId, problems: &mut Vec<FileProblem>) -> Vec<DebianFlavour> {
    let source = &tree.files[file];
    let text = &source.text;
    let doc: toml::Table = match text.parse() {
        Ok(d) => d,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            problems.push(FileProblem {
                file,
                span,
                message: format!("malformed defines.toml: {}", e.message()),
            });
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
            Some(DebianFlavour {
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
fn from_ini(tree: &Tree, file: FileId) -> Vec<DebianFlavour> {
    let source = &tree.files[file];
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
            DebianFlavour {
                name: name.to_string(),
                file,
                span,
                missing_keys,
                configs,
            }
        })
        .collect()
}

/// Every flavour the tree's `debian/config/` defines files declare; a defines file
/// that does not parse is a problem of the file.
pub fn flavours(tree: &Tree, problems: &mut Vec<FileProblem>) -> Vec<DebianFlavour> {
    let mut flavours = Vec::new();
    for (id, f) in tree.files.iter().enumerate() {
        if !f.rel.starts_with("debian/config/") || f.skipped.is_some() {
            continue;
        }
        match f.name() {
            "defines.toml" => flavours.extend(from_toml(tree, id, problems)),
            "defines" => flavours.extend(from_ini(tree, id)),
            _ => {}
        }
    }
    flavours
}
