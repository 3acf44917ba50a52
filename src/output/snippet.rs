//! A file's text as the text format shows it: control characters escaped (see
//! [`super::escape_text`]) and every line longer than [`WHOLE`] characters cut to
//! a window around the spans on it, with `…` where text was left out. A
//! 3,000-character control line or a 70,000-character recipe line shows as the
//! part a finding points at, and the snippet's header still gives the real column.
//!
//! Offsets of the file map onto the shown text ([`View::map`]) so spans cover the
//! same characters; line numbers are unchanged (no line is added or removed).
//!
//! A view holds only the lines a snippet shows ([`View::lines`]): copying and
//! escaping the whole file for each finding (and miette scanning it from the top
//! for each label) made rendering cost as much as linting in a tree with many
//! findings in a large file.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::ops::Range;

/// Lines up to this many characters are shown whole.
pub const WHOLE: usize = 120;
/// A longer line shows this many characters.
pub const WIDTH: usize = 90;
/// Characters kept before the first span on a cut line.
const LEAD: usize = 24;
const ELLIPSIS: &str = "…";

fn escaped(c: char) -> bool {
    c.is_control() && c != '\t' && c != '\n'
}

fn shown_len(c: char) -> usize {
    if escaped(c) {
        let mut s = String::new();
        super::escape_char(c, &mut s);
        s.len()
    } else {
        c.len_utf8()
    }
}

/// One line of the file and where it went.
#[derive(Debug, Clone)]
struct Line {
    /// Offsets of the line in the file, without its `\n`.
    start: usize,
    end: usize,
    /// The part shown, in file offsets.
    window: Range<usize>,
    /// Where the line starts in the shown text.
    shown_start: usize,
    /// Bytes of `…` before the window (0 when the line is shown from its start).
    lead: usize,
}

#[derive(Debug, Clone)]
pub struct View {
    /// The lines shown, as in the file; offsets in them are the file's less `base`.
    file: String,
    base: usize,
    /// The file's 0-based line that `file` starts with.
    first_line: usize,
    text: String,
    lines: Vec<Line>,
}

impl View {
    /// The view of `file` in which each long line shows the first offset of
    /// `focus` that lies on it (the starts and ends of the spans shown, the
    /// primary span's first).
    pub fn new(file: &str, focus: &[usize]) -> View {
        View::lines(file, 0..file.len(), 0, focus)
    }

    /// [`View::new`] of the part `range` of `file` only, which starts at the
    /// start of its 0-based line `first_line`: offsets and lines are still the
    /// file's.
    pub fn lines(file: &str, range: Range<usize>, first_line: usize, focus: &[usize]) -> View {
        let base = range.start;
        let focus: Vec<usize> = focus.iter().filter_map(|o| o.checked_sub(base)).collect();
        let mut view = View::whole(&file[range], &focus);
        view.base = base;
        view.first_line = first_line;
        view
    }

    fn whole(file: &str, focus: &[usize]) -> View {
        let mut text = String::with_capacity(file.len().min(1 << 20));
        let mut lines = Vec::new();
        let mut start = 0;
        loop {
            let end = file[start..].find('\n').map_or(file.len(), |i| start + i);
            let line = &file[start..end];
            let window = if line.len() <= WHOLE || line.chars().count() <= WHOLE {
                start..end
            } else {
                let points: Vec<usize> = focus
                    .iter()
                    .copied()
                    .filter(|&o| o >= start && o <= end)
                    .collect();
                window(file, start, end, &points)
            };
            let lead = if window.start > start {
                ELLIPSIS.len()
            } else {
                0
            };
            let shown_start = text.len();
            if lead > 0 {
                text.push_str(ELLIPSIS);
            }
            for c in file[window.clone()].chars() {
                if escaped(c) {
                    super::escape_char(c, &mut text);
                } else {
                    text.push(c);
                }
            }
            if window.end < end {
                text.push_str(ELLIPSIS);
            }
            lines.push(Line {
                start,
                end,
                window,
                shown_start,
                lead,
            });
            if end == file.len() {
                break;
            }
            text.push('\n');
            start = end + 1;
        }
        View {
            file: file.to_string(),
            base: 0,
            first_line: 0,
            text,
            lines,
        }
    }

    /// The shown text.
    pub fn text(&self) -> &str {
        &self.text
    }

    fn line_of(&self, offset: usize) -> &Line {
        let i = self.lines.partition_point(|l| l.start <= offset);
        &self.lines[i.saturating_sub(1)]
    }

    /// A file offset as an offset of the shown text: offsets cut away before
    /// the window go to its start, after it to its end.
    pub fn map(&self, offset: usize) -> usize {
        let offset = offset.saturating_sub(self.base);
        let l = self.line_of(offset);
        let at = offset.clamp(l.window.start, l.window.end.max(l.window.start));
        let inside: usize = self.file[l.window.start..at].chars().map(shown_len).sum();
        let mut shown = l.shown_start + l.lead + inside;
        if offset > l.end {
            // The line's `\n`, or past the end of the file.
            shown = self.shown_line_end(l) + (offset - l.end).min(1);
        }
        shown.min(self.text.len())
    }

    fn shown_line_end(&self, l: &Line) -> usize {
        let visible: usize = self.file[l.window.clone()].chars().map(shown_len).sum();
        let trail = if l.window.end < l.end {
            ELLIPSIS.len()
        } else {
            0
        };
        l.shown_start + l.lead + visible + trail
    }

    /// A shown offset back to the file's (the inverse of [`View::map`] on the
    /// characters shown).
    fn unmap(&self, shown: usize) -> usize {
        let i = self.lines.partition_point(|l| l.shown_start <= shown);
        let l = &self.lines[i.saturating_sub(1)];
        let mut at = l.shown_start + l.lead;
        if shown < at {
            return l.window.start;
        }
        for (i, c) in self.file[l.window.clone()].char_indices() {
            let next = at + shown_len(c);
            if shown < next {
                return l.window.start + i;
            }
            at = next;
        }
        l.window.end
    }

    /// 0-based column, in characters, of a shown offset in the file.
    fn column(&self, shown: usize) -> usize {
        let offset = self.unmap(shown);
        let l = self.line_of(offset);
        self.file[l.start..offset].chars().count()
    }
}

/// The window of a long line, [`WIDTH`] characters wide: every focus point
/// when they fit in it, else from a little before the first one (the primary
/// span's start); moved left when it would run past the line's end.
fn window(file: &str, start: usize, end: usize, points: &[usize]) -> Range<usize> {
    let line = &file[start..end];
    let chars: Vec<usize> = line.char_indices().map(|(i, _)| start + i).collect();
    let n = chars.len();
    let index = |o: usize| chars.partition_point(|&c| c < o);
    let first = points.first().map_or(0, |&o| index(o));
    let lo = points.iter().map(|&o| index(o)).min().unwrap_or(0);
    let hi = points.iter().map(|&o| index(o)).max().unwrap_or(0);
    let mut from = if hi - lo < WIDTH {
        lo.saturating_sub(LEAD.min(WIDTH - (hi - lo)))
    } else {
        first.saturating_sub(LEAD)
    };
    if from + WIDTH > n {
        from = n.saturating_sub(WIDTH);
    }
    let to = (from + WIDTH).min(n);
    let offset = |i: usize| if i >= n { end } else { chars[i] };
    offset(from)..offset(to)
}

impl SourceCode for View {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        // The header's `path:line:column` comes from a read without context:
        // its column is the file's, not the shown text's.
        let column = if context_lines_before == 0 {
            self.column(span.offset())
        } else {
            inner.column()
        };
        // Lines are the file's: miette's `line_count` counts from the start of
        // the text too (it adds it to `line` to tell whether two labels share a
        // snippet), so it moves with them.
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count() + self.first_line,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let long = format!("X = {}-j1{}\n", "a ".repeat(500), " b".repeat(500));
        let file = format!("first\n{long}last\n");
        let at = file.find("-j1").unwrap();
        let view = View::new(&file, &[at, at + 3]);
        let shown: Vec<&str> = view.text().lines().collect();
        assert_eq!(shown[0], "first");
        assert_eq!(shown[2], "last");
        assert!(
            shown[1].starts_with('…') && shown[1].ends_with('…'),
            "{}",
            shown[1]
        );
        assert!(shown[1].chars().count() <= WIDTH + 2);
        let (s, e) = (view.map(at), view.map(at + 3));
        assert_eq!(&view.text()[s..e], "-j1");
        assert_eq!(
            view.column(s),
            file[file.find("X =").unwrap()..at].chars().count()
        );
        // Lines are neither added nor removed.
        assert_eq!(view.text().lines().count(), file.lines().count());
        // A short file is shown as it is.
        let short = "build:\n\t$(MAKE) -j1\n";
        assert_eq!(View::new(short, &[]).text(), short);
    }

    #[test]
    fn control_characters_are_escaped_and_spans_follow() {
        let file = "a\x1bb\r\nc\n";
        let view = View::new(file, &[]);
        assert_eq!(view.text(), "a\\033b\\r\nc\n");
        let c = file.find('c').unwrap();
        assert_eq!(&view.text()[view.map(c)..view.map(c + 1)], "c");
        let b = file.find('b').unwrap();
        assert_eq!(&view.text()[view.map(b)..view.map(b + 1)], "b");
        assert_eq!(view.column(view.map(b)), 2);
        assert_eq!(view.map(file.len()), view.text().len());
    }
}
