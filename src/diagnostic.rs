//! Findings, and the fixes attached to them.

pub use crate::registry::{Rule, Severity};
use crate::source::{FileId, Span};

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

/// Longest context [`Diagnostic::context`] gives, as lintian's contexts are short.
pub const MAX_CONTEXT: usize = 60;

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: Rule,
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
    /// Set on a finding an overrides file silences, when the run shows them
    /// (`--show-overrides`): such a finding never fails the run.
    pub overridden: Option<Overridden>,
}

/// The line of an overrides file (`debian/source/kpkg-lint-overrides`) that
/// silences a finding, and the reason written above it.
#[derive(Debug, Clone)]
pub struct Overridden {
    pub file: FileId,
    pub span: Span,
    pub reason: Option<String>,
}

impl Diagnostic {
    pub fn new(
        rule: Rule,
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
            overridden: None,
        }
    }

    /// The text the finding points at, as lintian prints a tag's context: its
    /// span with whitespace runs made one space, when that is one short line.
    pub fn context(&self, text: &str) -> Option<String> {
        let raw = text.get(self.span.clone())?;
        if raw.trim_end().contains('\n') {
            return None;
        }
        let context = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        (!context.is_empty() && context.chars().count() <= MAX_CONTEXT).then_some(context)
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
