//! Findings, and the fixes attached to them.

use crate::source::{FileId, Span};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Applicability {
    /// Applied by `--fix`.
    Safe,
    /// Applied only with `--unsafe-fixes`: changes behaviour a human should confirm.
    Unsafe,
}

/// Replace `span` of `file` by `content` (an insertion when the span is empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub file: FileId,
    pub span: Span,
    pub content: String,
}

impl Edit {
    fn key(&self) -> (FileId, usize, usize, &str) {
        (self.file, self.span.start, self.span.end, &self.content)
    }

    pub fn insert(file: FileId, at: usize, content: impl Into<String>) -> Edit {
        Edit {
            file,
            span: at..at,
            content: content.into(),
        }
    }
    pub fn delete(file: FileId, span: Span) -> Edit {
        Edit {
            file,
            span,
            content: String::new(),
        }
    }
    pub fn replace(file: FileId, span: Span, content: impl Into<String>) -> Edit {
        Edit {
            file,
            span,
            content: content.into(),
        }
    }
}

impl PartialOrd for Edit {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Edit {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

/// A file the fix creates, relative to the tree root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    pub rel: String,
    pub content: String,
}

#[derive(Debug, Clone)]
pub struct Fix {
    pub description: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
    pub new_files: Vec<NewFile>,
}

impl Fix {
    pub fn safe(description: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            description: description.into(),
            applicability: Applicability::Safe,
            edits,
            new_files: vec![],
        }
    }
    pub fn unsafe_(description: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            description: description.into(),
            applicability: Applicability::Unsafe,
            edits,
            new_files: vec![],
        }
    }
}

/// A secondary location: where a value was set, where a flavour is listed …
#[derive(Debug, Clone)]
pub struct Note {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub file: FileId,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub notes: Vec<Note>,
    pub fix: Option<Fix>,
    /// Include statements that led to the file (outermost first), for findings in
    /// included makefiles.
    pub include_chain: Vec<(FileId, Span)>,
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule,
            severity,
            file,
            span,
            message: message.into(),
            help: None,
            notes: vec![],
            fix: None,
            include_chain: vec![],
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.notes.push(Note {
            file,
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help_mut(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note_mut(
        &mut self,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Self {
        self.notes.push(Note {
            file,
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_fix_mut(&mut self, fix: Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}
