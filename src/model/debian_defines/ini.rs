//! The INI `defines` files as Python 3's `configparser.RawConfigParser` reads them
//! (the reader of `debian_linux/config.py` in the INI era): `[section]` headers,
//! `key: value` or `key = value` (split at the first `:` or `=`), keys lowercased,
//! whole-line `#`/`;` comments (indented ones too), values continued on lines
//! indented deeper than their key, blank lines kept inside a value.

use crate::source::Span;

/// One `key: value` with every whitespace-separated word of its value (continuation
/// lines included), each with its span.
#[derive(Debug, Clone)]
pub struct IniOption {
    pub key_span: Span,
    pub words: Vec<(String, Span)>,
}

impl IniOption {
    /// The value as `SchemaItemBoolean` reads it; `None` when it is neither
    /// `true`/`1` nor `false`/`0`.
    pub fn boolean(&self) -> Option<bool> {
        match self.words.as_slice() {
            [(w, _)] => match w.to_lowercase().as_str() {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct IniSection {
    pub name: String,
    /// Options by lowercased key, in first-seen order; a later line with the same
    /// key replaces the value, as `RawConfigParser` does across files.
    pub options: Vec<(String, IniOption)>,
}

impl IniSection {
    pub fn set(&mut self, key: String, option: IniOption) {
        match self.options.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = option,
            None => self.options.push((key, option)),
        }
    }
}

#[derive(Debug, Default)]
pub struct IniFile {
    pub sections: Vec<IniSection>,
    /// Lines `RawConfigParser` rejects (it raises at the end of the file, or at once
    /// for a line before any section header).
    pub errors: Vec<(Span, String)>,
}

/// The words of `text[start..]`, split on whitespace, with their spans in the file.
fn words_at(text: &str, start: usize, out: &mut Vec<(String, Span)>) {
    let mut word_start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), word_start) {
            (false, None) => word_start = Some(i),
            (true, Some(s)) => {
                out.push((text[s..i].to_string(), start + s..start + i));
                word_start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = word_start {
        out.push((text[s..].to_string(), start + s..start + text.len()));
    }
}

pub fn parse(text: &str) -> IniFile {
    let mut file = IniFile::default();
    // (section index, option key) being continued, and the key line's indent.
    let mut current: Option<(usize, Option<String>)> = None;
    let mut indent_level = usize::MAX;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let value = line.trim();
        if value.is_empty() || value.starts_with('#') || value.starts_with(';') {
            // Blank lines stay inside a value; comments vanish without ending it.
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let value_start = line_start + lead;
        if let Some((section, Some(key))) = &current {
            if lead > indent_level {
                let section = &mut file.sections[*section];
                if let Some((_, o)) = section.options.iter_mut().find(|(k, _)| k == key) {
                    words_at(value, value_start, &mut o.words);
                }
                continue;
            }
        }
        indent_level = lead;
        // `\[(?P<header>.+)\]`, matched at the start: the header runs to the last `]`.
        if let Some(close) = value
            .rfind(']')
            .filter(|&c| value.starts_with('[') && c > 1)
        {
            let name = &value[1..close];
            let idx = match file.sections.iter().position(|s| s.name == name) {
                Some(i) => i,
                None => {
                    file.sections.push(IniSection {
                        name: name.to_string(),
                        options: vec![],
                    });
                    file.sections.len() - 1
                }
            };
            current = Some((idx, None));
            continue;
        }
        let Some((section, _)) = current else {
            file.errors.push((
                value_start..value_start + value.len(),
                "a line before any `[section]` header: Python's configparser stops with MissingSectionHeaderError".into(),
            ));
            return file;
        };
        // `(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$`
        let Some(delim) = value.find([':', '=']) else {
            file.errors.push((
                value_start..value_start + value.len(),
                "neither `key: value`, `key = value` nor a continuation line: Python's configparser stops with ParsingError".into(),
            ));
            current = Some((section, None));
            continue;
        };
        let key = value[..delim].trim_end();
        if key.is_empty() {
            file.errors.push((
                value_start..value_start + value.len(),
                "an option without a name: Python's configparser stops with ParsingError".into(),
            ));
            current = Some((section, None));
            continue;
        }
        let rest = &value[delim + 1..];
        let mut option = IniOption {
            key_span: value_start..value_start + key.len(),
            words: vec![],
        };
        words_at(rest, value_start + delim + 1, &mut option.words);
        let key = key.to_lowercase();
        file.sections[section].set(key.clone(), option);
        current = Some((section, Some(key)));
    }
    file
}

#[cfg(test)]
mod tests {
    use super::*;

    impl IniSection {
        fn get(&self, key: &str) -> Option<&IniOption> {
            self.options.iter().find(|(k, _)| k == key).map(|(_, o)| o)
        }
    }

    fn words<'a>(f: &'a IniFile, section: &str, key: &str) -> Vec<&'a str> {
        f.sections
            .iter()
            .find(|s| s.name == section)
            .and_then(|s| s.get(key))
            .map(|o| o.words.iter().map(|(w, _)| w.as_str()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn reads_as_raw_config_parser_does() {
        let text = "[base]\nArches:\n alpha\n# mipsr6\n  ; more\n\n amd64\nflavours = a b\n c\nkernel-arch: x86\n\n[a_description]\nhardware: 64-bit: PCs\n";
        let f = parse(text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(words(&f, "base", "arches"), ["alpha", "amd64"]);
        assert_eq!(words(&f, "base", "flavours"), ["a", "b", "c"]);
        assert_eq!(words(&f, "base", "kernel-arch"), ["x86"]);
        // Split at the first delimiter only.
        assert_eq!(words(&f, "a_description", "hardware"), ["64-bit:", "PCs"]);
        // Spans point at the words themselves.
        let o = f.sections[0].get("flavours").unwrap();
        assert_eq!(&text[o.words[2].1.clone()], "c");
        assert_eq!(&text[o.key_span.clone()], "flavours");
    }

    #[test]
    fn a_key_line_at_the_same_indent_ends_the_value() {
        let f = parse("[base]\n  flavours: a\n  b: c\n   d\n");
        assert_eq!(words(&f, "base", "flavours"), ["a"]);
        assert_eq!(words(&f, "base", "b"), ["c", "d"]);
    }

    #[test]
    fn lines_it_rejects_are_errors() {
        let f = parse("hardware: x\n[base]\n");
        assert_eq!(f.errors.len(), 1);
        assert!(f.sections.is_empty());
        let f = parse("[base]\nflavours a\n");
        assert_eq!(f.errors.len(), 1);
        assert_eq!(f.errors[0].0, 7..17);
    }

    #[test]
    fn booleans_as_the_schema_reads_them() {
        let f = parse("[base]\na: False\nb: 1\nc: maybe\n");
        let b = |k| f.sections[0].get(k).unwrap().boolean();
        assert_eq!((b("a"), b("b"), b("c")), (Some(false), Some(true), None));
    }
}
