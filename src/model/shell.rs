//! Splitting a recipe line into shell words and command separators, with spans.
//!
//! Good enough for the command lines of packaging recipes: quotes, `$(…)`/`${…}`
//! groups and backslash-newline continuations are kept inside words; `;`, `&&`,
//! `||`, `|`, `&` and parentheses separate commands; a `#` at the start of a word
//! starts a shell comment.

use crate::source::Span;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    Separator,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub kind: TokenKind,
    pub text: String,
    /// Span in the file.
    pub span: Span,
}

/// Recipe prefixes make strips before handing the line to the shell.
#[derive(Debug, Clone, Default)]
pub struct RecipePrefix {
    pub silent: bool,
    pub ignore_errors: bool,
    /// `+`: run even under `-n`, and treated as recursive: gets the jobserver.
    pub recursive: bool,
    /// Offset in the file after the prefixes.
    pub body_start: usize,
}

/// Strip the leading tab and `@`, `-`, `+` prefixes of a recipe line at `base`.
pub fn recipe_prefix(line: &str, base: usize) -> RecipePrefix {
    let mut p = RecipePrefix::default();
    let mut i = 0;
    let b = line.as_bytes();
    if b.first() == Some(&b'\t') {
        i = 1;
    }
    while i < b.len() {
        match b[i] {
            b'@' => p.silent = true,
            b'-' => p.ignore_errors = true,
            b'+' => p.recursive = true,
            b' ' | b'\t' => {}
            _ => break,
        }
        i += 1;
    }
    p.body_start = base + i;
    p
}

/// Tokenise `text`, whose first byte is at file offset `base`.
pub fn tokenize(text: &str, base: usize) -> Vec<Token> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        // Whitespace, including backslash-newline continuations.
        if c == b' ' || c == b'\t' || c == b'\n' || c == b'\r' {
            i += 1;
            continue;
        }
        if c == b'\\' && matches!(b.get(i + 1), Some(b'\n') | Some(b'\r')) {
            i += 2;
            continue;
        }
        if c == b'#' {
            // Shell comment to the end of the logical line.
            break;
        }
        let sep_len = match (c, b.get(i + 1)) {
            (b'&', Some(b'&')) | (b'|', Some(b'|')) => 2,
            (b';', _) | (b'|', _) | (b'&', _) | (b'(', _) | (b')', _) => 1,
            _ => 0,
        };
        if sep_len > 0 {
            out.push(Token {
                kind: TokenKind::Separator,
                text: text[i..i + sep_len].to_string(),
                span: base + i..base + i + sep_len,
            });
            i += sep_len;
            continue;
        }
        let start = i;
        let mut depth = 0usize;
        let mut quote: Option<u8> = None;
        while i < b.len() {
            let c = b[i];
            if let Some(q) = quote {
                if c == b'\\' && q == b'"' {
                    i += 2;
                    continue;
                }
                if c == q {
                    quote = None;
                }
                i += 1;
                continue;
            }
            match c {
                b'\'' | b'"' => quote = Some(c),
                b'\\' => {
                    if matches!(b.get(i + 1), Some(b'\n') | Some(b'\r')) && depth == 0 {
                        break;
                    }
                    i += 1;
                }
                b'$' if matches!(b.get(i + 1), Some(b'(') | Some(b'{')) => {
                    depth += 1;
                    i += 1;
                }
                b'(' | b'{' if depth > 0 => depth += 1,
                b')' | b'}' if depth > 0 => depth -= 1,
                b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => break,
                b';' | b'|' | b'&' | b'(' | b')' if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        let end = i.min(b.len());
        out.push(Token {
            kind: TokenKind::Word,
            text: text[start..end].to_string(),
            span: base + start..base + end,
        });
    }
    out
}

/// Remove one level of shell quoting from a word (for comparisons, not for edits):
/// quotes go, a backslash outside single quotes keeps only the character after it.
/// The text between the characters that matter is copied whole (memchr finds
/// them): expanded recipe words run to kilobytes.
pub fn unquote(word: &str) -> String {
    let b = word.as_bytes();
    let mut out = String::with_capacity(word.len());
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        let next = match quote {
            Some(b'\'') => memchr::memchr(b'\'', rest),
            Some(_) => memchr::memchr2(b'"', b'\\', rest),
            None => memchr::memchr3(b'\'', b'"', b'\\', rest),
        };
        let Some(k) = next else {
            out.push_str(&word[i..]);
            break;
        };
        let at = i + k;
        out.push_str(&word[i..at]);
        i = at + 1;
        match (quote, b[at]) {
            (None, q) if q != b'\\' => quote = Some(q),
            (Some(q), c) if c == q => quote = None,
            // A backslash: the character after it, whatever it is.
            _ => {
                if let Some(c) = word[i..].chars().next() {
                    out.push(c);
                    i += c.len_utf8();
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The character-by-character definition [`unquote`] must agree with.
    fn unquote_by_chars(word: &str) -> String {
        let mut out = String::new();
        let mut quote: Option<char> = None;
        let mut chars = word.chars();
        while let Some(c) = chars.next() {
            match (quote, c) {
                (None, '\'' | '"') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (Some('"') | None, '\\') => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                _ => out.push(c),
            }
        }
        out
    }

    /// Every word of up to five characters from the ones that matter (and a
    /// two-byte one after a backslash) unquotes as the definition says.
    #[test]
    fn unquote_agrees_with_its_definition() {
        let alphabet = ['a', '\'', '"', '\\', '/', 'é'];
        let mut words = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = words
                .iter()
                .filter(|w| w.chars().count() == words.last().unwrap().chars().count())
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            words.extend(longer);
        }
        assert!(words.len() > 9_000);
        for w in &words {
            assert_eq!(unquote(w), unquote_by_chars(w), "{w:?}");
        }
    }

    fn words(t: &str) -> Vec<String> {
        tokenize(t, 0).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn splits_words_and_separators() {
        assert_eq!(
            words("cd x && $(MAKE) -j1 A=\"b c\" $(if $(X),-j$(X)) ;echo 'a;b'|tee"),
            [
                "cd",
                "x",
                "&&",
                "$(MAKE)",
                "-j1",
                "A=\"b c\"",
                "$(if $(X),-j$(X))",
                ";",
                "echo",
                "'a;b'",
                "|",
                "tee"
            ]
        );
    }

    #[test]
    fn continuations_are_whitespace_and_comments_end() {
        let toks = tokenize("make \\\n\t  all # why", 10);
        assert_eq!(toks.len(), 2);
        assert_eq!(toks[1].text, "all");
        assert_eq!(toks[1].span, 20..23);
    }

    #[test]
    fn prefixes() {
        let p = recipe_prefix("\t+@$(MAKE)", 100);
        assert!(p.recursive && p.silent);
        assert_eq!(p.body_start, 103);
    }

    #[test]
    fn unquotes() {
        assert_eq!(unquote("\"$(X)\" 'a b'"), "$(X) a b");
    }
}
