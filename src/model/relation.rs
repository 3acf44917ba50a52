//! Debian relation fields (`Build-Depends` …) parsed with a span for every part.
//!
//! Parsing runs over the field's bytes in the file (comment lines blanked to spaces
//! of the same length), so every span is a file offset. Template placeholders
//! (`@SRCPKGNAME@`, `=V=`, `${misc:Depends}`) are accepted as names, and empty
//! entries (`a, , b`) are skipped.

use crate::source::Span;

#[derive(Debug, Clone)]
pub struct Relation {
    pub name: String,
    pub name_span: Span,
    /// `native`, `any` or an architecture name, after the `:`.
    pub arch_qualifier: Option<(String, Span)>,
    /// (operator, version, span of the parenthesised constraint)
    pub version: Option<(String, String, Span)>,
    /// `[amd64 !i386]` contents and span of the brackets.
    pub arch_list: Option<(String, Span)>,
    /// Each `<…>` group with its span.
    pub profiles: Vec<(String, Span)>,
    /// The whole alternative, from name to its last restriction.
    pub span: Span,
    /// `${…}` substitution variable rather than a package.
    pub substvar: bool,
}

#[derive(Debug, Clone)]
pub struct RelationGroup {
    pub alternatives: Vec<Relation>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct RelationProblem {
    pub span: Span,
    pub message: String,
}

/// Parse `text` (a field value, comments already blanked) starting at file offset `base`.
pub fn parse_relations(text: &str, base: usize) -> (Vec<RelationGroup>, Vec<RelationProblem>) {
    let mut groups = Vec::new();
    let mut problems = Vec::new();
    let mut offset = 0;
    for entry in split_top(text, b',') {
        let (start, end) = (offset, offset + entry.len());
        offset = end + 1;
        if entry.trim().is_empty() {
            continue;
        }
        let mut alternatives = Vec::new();
        let mut alt_offset = start;
        for alt in split_top(entry, b'|') {
            let a_start = alt_offset;
            alt_offset += alt.len() + 1;
            match parse_one(alt, base + a_start) {
                Ok(Some(r)) => alternatives.push(r),
                Ok(None) => problems.push(RelationProblem {
                    span: base + a_start..base + a_start + alt.len(),
                    message: "empty alternative in relation".into(),
                }),
                Err(p) => problems.push(p),
            }
        }
        if let (Some(first), Some(last)) = (alternatives.first(), alternatives.last()) {
            let span = first.span.start..last.span.end;
            groups.push(RelationGroup { alternatives, span });
        }
    }
    (groups, problems)
}

/// Split on `sep` outside `${…}`, `(…)`, `[…]` and `<…>`. No group holds a `,` or a
/// `|`, so a separator inside one means it was never closed: the split happens
/// anyway, and the unterminated group is that entry's problem alone instead of
/// swallowing every entry after it (a `${mi` typo hid the rest of Build-Depends).
fn split_top(s: &str, sep: u8) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    // The closing byte of the group we are in; `<<`, `>=` inside a version
    // constraint are operators, not profile brackets.
    let mut close: Option<u8> = None;
    let mut last = 0;
    for (i, &c) in b.iter().enumerate() {
        if let Some(cl) = close {
            if c == cl {
                close = None;
                continue;
            }
            if c != b',' && c != b'|' {
                continue;
            }
            close = None;
        }
        match c {
            b'(' => close = Some(b')'),
            b'[' => close = Some(b']'),
            b'<' => close = Some(b'>'),
            b'{' => close = Some(b'}'),
            c if c == sep => {
                out.push(&s[last..i]);
                last = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[last..]);
    out
}

fn parse_one(alt: &str, base: usize) -> Result<Option<Relation>, RelationProblem> {
    let b = alt.as_bytes();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    if i == b.len() {
        return Ok(None);
    }
    let name_start = i;
    let substvar = alt[i..].starts_with("${");
    if substvar {
        match alt[i..].find('}') {
            Some(e) => i += e + 1,
            None => {
                return Err(problem(
                    base,
                    i,
                    b.len(),
                    "unterminated `${` substitution variable",
                ))
            }
        }
    } else {
        while i < b.len()
            && !b[i].is_ascii_whitespace()
            && !matches!(b[i], b':' | b'(' | b'[' | b'<')
        {
            // dpkg-gencontrol substitutes `${…}` before it parses the relation, so
            // one may stand inside a name (`linux-headers-${kernel:Arch}`): its `:`
            // is not an architecture qualifier.
            if b[i..].starts_with(b"${") {
                i = past_substvar(b, i, base)?;
                continue;
            }
            i += 1;
        }
    }
    // A name that is only known once substituted is no package to look up.
    let whole_substvar = substvar;
    let substvar = substvar || alt[name_start..i].contains("${");
    let name = alt[name_start..i].to_string();
    let name_span = base + name_start..base + i;
    let mut end = i;
    let mut arch_qualifier = None;
    if !whole_substvar && i < b.len() && b[i] == b':' {
        let q_start = i + 1;
        i += 1;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b'@') {
            i += 1;
        }
        if i == q_start {
            return Err(problem(
                base,
                q_start - 1,
                q_start,
                "`:` without an architecture qualifier",
            ));
        }
        arch_qualifier = Some((alt[q_start..i].to_string(), base + q_start..base + i));
        end = i;
    }
    let mut version = None;
    let mut arch_list = None;
    let mut profiles = Vec::new();
    loop {
        skip_ws(&mut i);
        if i >= b.len() {
            break;
        }
        // A substitution variable after the restrictions
        // (`virtualbox-guest-modules [amd64]${linux:rprovides}` in the Provides
        // Ubuntu's control-create writes): dpkg-gencontrol substitutes it before
        // it parses, and it is empty or starts further entries (`, foo`).
        if b[i..].starts_with(b"${") {
            i = past_substvar(b, i, base)?;
            continue;
        }
        let (close, what) = match b[i] {
            b'(' => (b')', "version constraint"),
            b'[' => (b']', "architecture list"),
            b'<' => (b'>', "build profile"),
            _ => {
                return Err(problem(
                    base,
                    i,
                    b.len(),
                    &format!("unexpected `{}` in relation", &alt[i..].trim_end()),
                ))
            }
        };
        let open = i;
        let Some(rel_close) = alt[i..].find(close as char) else {
            return Err(problem(
                base,
                open,
                b.len(),
                &format!("unterminated {what}"),
            ));
        };
        let close_at = i + rel_close;
        let inner = alt[open + 1..close_at].trim();
        let span = base + open..base + close_at + 1;
        match close {
            b')' => {
                let op_len = inner
                    .bytes()
                    .take_while(|c| matches!(c, b'<' | b'>' | b'='))
                    .count();
                let (op, ver) = (
                    inner[..op_len].to_string(),
                    inner[op_len..].trim().to_string(),
                );
                if !matches!(op.as_str(), "<<" | "<=" | "=" | ">=" | ">>") {
                    return Err(problem(
                        base,
                        open,
                        close_at + 1,
                        &format!("invalid version operator `{op}` (expected <<, <=, =, >= or >>)"),
                    ));
                }
                if ver.is_empty() {
                    return Err(problem(
                        base,
                        open,
                        close_at + 1,
                        "version constraint without a version",
                    ));
                }
                version = Some((op, ver, span));
            }
            b']' => arch_list = Some((inner.to_string(), span)),
            _ => profiles.push((inner.to_string(), span)),
        }
        i = close_at + 1;
        end = i;
    }
    Ok(Some(Relation {
        name,
        name_span: name_span.clone(),
        arch_qualifier,
        version,
        arch_list,
        profiles,
        span: name_span.start..base + end,
        substvar,
    }))
}

/// The index just past the `${…}` substitution variable that starts at `i`.
fn past_substvar(b: &[u8], i: usize, base: usize) -> Result<usize, RelationProblem> {
    match b[i..].iter().position(|&c| c == b'}') {
        Some(e) => Ok(i + e + 1),
        None => Err(problem(
            base,
            i,
            b.len(),
            "unterminated `${` substitution variable",
        )),
    }
}

fn problem(base: usize, start: usize, end: usize, message: &str) -> RelationProblem {
    RelationProblem {
        span: base + start..base + end,
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_entries_with_spans() {
        let text = "debhelper-compat (= 13), libssl-dev:native <!pkg.linux.nokernel>,\n , pahole [amd64] | dwarves:native (>= 1.16~), ${misc:Depends}, @SRCPKGNAME@-doc";
        let (groups, problems) = parse_relations(text, 100);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(groups.len(), 5);
        let ssl = &groups[1].alternatives[0];
        assert_eq!(ssl.name, "libssl-dev");
        assert_eq!(ssl.arch_qualifier.as_ref().unwrap().0, "native");
        assert_eq!(ssl.profiles[0].0, "!pkg.linux.nokernel");
        assert_eq!(
            &text[ssl.span.start - 100..ssl.span.end - 100],
            "libssl-dev:native <!pkg.linux.nokernel>"
        );
        let alts = &groups[2].alternatives;
        assert_eq!(alts[1].version.as_ref().unwrap().1, "1.16~");
        assert_eq!(alts[0].arch_list.as_ref().unwrap().0, "amd64");
        assert!(groups[3].alternatives[0].substvar);
        assert_eq!(groups[4].alternatives[0].name, "@SRCPKGNAME@-doc");
    }

    /// dpkg-gencontrol substitutes before parsing, so a substitution variable may
    /// stand inside a package name, `:` and all (Debian's headers templates).
    #[test]
    fn substvars_inside_a_name_are_part_of_it() {
        let text =
            "linux-headers-@abiname@-all-${kernel:Arch} (= ${binary:Version}), foo-${x}:native";
        let (groups, problems) = parse_relations(text, 0);
        assert!(problems.is_empty(), "{problems:?}");
        let h = &groups[0].alternatives[0];
        assert_eq!(h.name, "linux-headers-@abiname@-all-${kernel:Arch}");
        assert!(h.substvar && h.arch_qualifier.is_none());
        assert_eq!(h.version.as_ref().unwrap().1, "${binary:Version}");
        let f = &groups[1].alternatives[0];
        assert_eq!(f.name, "foo-${x}");
        assert_eq!(f.arch_qualifier.as_ref().unwrap().0, "native");
    }

    #[test]
    fn a_substvar_after_the_restrictions_is_left_to_dpkg_gencontrol() {
        // Ubuntu's flavour stub: `=PROVIDES=${linux:rprovides}` with a provides
        // list ending in an architecture restriction.
        let text = "linux-image, ivtv-modules, virtualbox-guest-modules [i386 amd64]${linux:rprovides}, kmod";
        let (g, p) = parse_relations(text, 0);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(g.len(), 4);
        let v = &g[2].alternatives[0];
        assert_eq!(v.name, "virtualbox-guest-modules");
        assert_eq!(v.arch_list.as_ref().unwrap().0, "i386 amd64");
        // Still an error when it never closes.
        let (_, p) = parse_relations("foo [amd64]${linux:rprov", 0);
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn reports_broken_constraints() {
        let (_, p) = parse_relations("foo (>> ), bar (~ 1), baz (>= 1", 0);
        assert_eq!(p.len(), 3);
        assert!(p[0].message.contains("without a version"));
    }

    /// An unclosed group is its own entry's problem: the entries after it are still
    /// parsed (the fuzzer found `${mi` swallowing the rest of a Build-Depends).
    #[test]
    fn unterminated_groups_do_not_swallow_later_entries() {
        for field in [
            "${mi, bc,\n pahole, bison",
            "foo (>= 1.0, bc,\n pahole, bison",
            "foo [amd64, bc,\n pahole, bison",
            "foo <!stage1, bc,\n pahole, bison",
        ] {
            let (g, p) = parse_relations(field, 0);
            let names: Vec<&str> = g
                .iter()
                .flat_map(|g| &g.alternatives)
                .map(|r| r.name.as_str())
                .collect();
            assert!(
                names.ends_with(&["bc", "pahole", "bison"]),
                "{field:?}: {names:?}"
            );
            assert!(!p.is_empty(), "{field:?}: the broken entry is reported");
            assert!(
                p.iter().all(|p| p.span.end <= field.find(',').unwrap()),
                "{field:?}"
            );
        }
    }
}

/// Property tests over generated relation fields, in the formatting variants real
/// control files use. A small xorshift generator keeps them deterministic.
#[cfg(test)]
mod properties {
    use super::*;

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
            &xs[(self.next() % xs.len() as u64) as usize]
        }
        fn chance(&mut self, n: u64) -> bool {
            self.next() % n == 0
        }
    }

    #[derive(Debug, Clone, PartialEq)]
    struct Expected {
        name: String,
        qualifier: Option<String>,
        version: Option<(String, String)>,
        arches: Option<String>,
        profiles: Vec<String>,
    }

    fn generate(rng: &mut Rng) -> (String, Vec<Vec<Expected>>) {
        let names = [
            "libssl-dev",
            "libelf-dev",
            "python3",
            "gcc-13-plugin-dev",
            "pahole",
            "dwarves",
            "@SRCPKGNAME@-doc",
            "bc",
            "flex",
            "linux-kbuild-=V=",
        ];
        let seps = [
            ", ",
            ",\n ",
            ",\n  ",
            ",\n    ",
            ",\n# why: a comment line\n ",
            ",\n               ",
        ];
        let mut text = String::new();
        let mut groups = Vec::new();
        let n = 1 + rng.next() % 6;
        for g in 0..n {
            if g > 0 {
                let sep: &&str = rng.pick(&seps);
                text.push_str(sep);
                if rng.chance(7) {
                    text.push_str(", ");
                }
            }
            let mut alts = Vec::new();
            for a in 0..1 + rng.next() % 3 {
                if a > 0 {
                    text.push_str(if rng.chance(2) { " | " } else { "|" });
                }
                let e = Expected {
                    name: rng.pick(&names).to_string(),
                    qualifier: rng
                        .chance(3)
                        .then(|| rng.pick(&["native", "any", "amd64"]).to_string()),
                    version: rng.chance(3).then(|| {
                        (
                            rng.pick(&[">=", "<<", "="]).to_string(),
                            rng.pick(&["1.16~", "1:2.3-4", "9.20160709"]).to_string(),
                        )
                    }),
                    arches: rng
                        .chance(4)
                        .then(|| rng.pick(&["amd64", "amd64 arm64", "!i386"]).to_string()),
                    profiles: (0..rng.next() % 3)
                        .map(|_| {
                            rng.pick(&["!stage1", "!pkg.linux.nokernel", "cross", "!stage1 !cross"])
                                .to_string()
                        })
                        .collect(),
                };
                text.push_str(&e.name);
                if let Some(q) = &e.qualifier {
                    text.push_str(&format!(":{q}"));
                }
                let pad = if rng.chance(4) { "        " } else { " " };
                if let Some((op, v)) = &e.version {
                    text.push_str(&format!("{pad}({op} {v})"));
                }
                if let Some(a) = &e.arches {
                    text.push_str(&format!(" [{a}]"));
                }
                for p in &e.profiles {
                    text.push_str(&format!("{pad}<{p}>"));
                }
                alts.push(e);
            }
            groups.push(alts);
        }
        if rng.chance(3) {
            text.push_str(", , ");
        }
        (text, groups)
    }

    fn masked(text: &str) -> String {
        text.split_inclusive('\n')
            .enumerate()
            .map(|(i, l)| {
                if i > 0 && l.starts_with('#') {
                    l.bytes()
                        .map(|b| if b == b'\n' { '\n' } else { ' ' })
                        .collect()
                } else {
                    l.to_string()
                }
            })
            .collect()
    }

    fn structure(groups: &[RelationGroup]) -> Vec<Vec<Expected>> {
        groups
            .iter()
            .map(|g| {
                g.alternatives
                    .iter()
                    .map(|r| Expected {
                        name: r.name.clone(),
                        qualifier: r.arch_qualifier.as_ref().map(|q| q.0.clone()),
                        version: r.version.as_ref().map(|(o, v, _)| (o.clone(), v.clone())),
                        arches: r.arch_list.as_ref().map(|a| a.0.clone()),
                        profiles: r.profiles.iter().map(|p| p.0.clone()).collect(),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn parse_recovers_what_was_printed_and_spans_cover_it() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..2000 {
            let (text, expected) = generate(&mut rng);
            let (groups, problems) = parse_relations(&masked(&text), 0);
            assert!(problems.is_empty(), "{text:?}: {problems:?}");
            assert_eq!(structure(&groups), expected, "{text:?}");
            for (gi, g) in groups.iter().enumerate() {
                for (ai, r) in g.alternatives.iter().enumerate() {
                    // Every span points at the bytes it describes: the entry's own
                    // text parses back to the same alternative.
                    assert_eq!(&text[r.name_span.clone()], r.name);
                    let (again, _) = parse_relations(&text[r.span.clone()], r.span.start);
                    assert_eq!(structure(&again), vec![vec![expected[gi][ai].clone()]]);
                }
            }
        }
    }

    #[test]
    fn adding_native_changes_only_that_qualifier() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..1000 {
            let (text, expected) = generate(&mut rng);
            let (groups, _) = parse_relations(&masked(&text), 0);
            for (gi, g) in groups.iter().enumerate() {
                for (ai, r) in g.alternatives.iter().enumerate() {
                    if r.arch_qualifier.is_some() {
                        continue;
                    }
                    let edited = format!(
                        "{}:native{}",
                        &text[..r.name_span.end],
                        &text[r.name_span.end..]
                    );
                    let (again, problems) = parse_relations(&masked(&edited), 0);
                    assert!(problems.is_empty());
                    let mut want = expected.clone();
                    want[gi][ai].qualifier = Some("native".into());
                    assert_eq!(structure(&again), want, "{edited:?}");
                }
            }
        }
    }
}
