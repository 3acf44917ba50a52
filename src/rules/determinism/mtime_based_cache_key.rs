//! `mtime-based-cache-key`: a script keys a cache on `ls -l … | md5sum`.

use crate::diagnostic::{Edit, Fix, NewFile};
use crate::knowledge;
use crate::registry::Rule;
use crate::rules::Checker;
use regex::Regex;
use std::sync::OnceLock;

const RULE: Rule = Rule::MtimeBasedCacheKey;

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?P<xargs>xargs\s+)?ls\s+-l\b(?P<args>[^|\n]*)\|\s*(?P<sum>md5sum|sha1sum|sha224sum|sha256sum|sha384sum|sha512sum|cksum)").expect("valid regex"))
}

/// The same pipeline keyed on contents: `xargs ls -l | md5sum` becomes
/// `LC_ALL=C sort | xargs md5sum | md5sum` (paths and contents, in a fixed order);
/// `ls -l FILE | md5sum` becomes `md5sum FILE | md5sum`.
fn content_keyed(caps: &regex::Captures) -> String {
    let sum = &caps["sum"];
    let args = caps["args"].trim();
    if caps.name("xargs").is_some() {
        let extra = if args.is_empty() {
            String::new()
        } else {
            format!(" {args}")
        };
        format!("LC_ALL=C sort | xargs {sum}{extra} | {sum}")
    } else {
        format!("{sum} {args} | {sum}")
    }
}

fn rewrite(text: &str) -> String {
    pattern()
        .replace_all(text, |c: &regex::Captures| content_keyed(c))
        .into_owned()
}

pub fn check(c: &mut Checker) {
    let model = c.model;
    // The kernel source files the table lists for this rule (it lists others too).
    let kernel_files = knowledge::table("kernel-source-files");
    let is_kernel_file = |rel: &str| {
        kernel_files
            .get(rel)
            .is_some_and(|rules| rules.split_whitespace().any(|r| r == RULE.name()))
    };
    let quilt = model.source_format.as_deref() == Some("3.0 (quilt)");
    for (id, f) in model.tree.files.iter().enumerate() {
        if f.skipped.is_some() || !(f.name().ends_with(".sh") || is_kernel_file(&f.rel)) {
            continue;
        }
        let built = model.build_text(id);
        let Some(first) = pattern().find(built) else {
            continue;
        };
        // Point at the line on disk when it is there; otherwise at the file start.
        let disk = &f.text;
        let span = pattern().find(disk).map(|m| m.range()).unwrap_or(0..0);
        let is_kernel_source = is_kernel_file(&f.rel);
        let d = c.report(
            RULE,
            id,
            span,
            format!(
                "`{}` keys a cache on `ls -l` output: owner, size and minute-resolution times change with every checkout or copy (a forced rebuild) and miss edits within the same minute",
                first.as_str().split_whitespace().collect::<Vec<_>>().join(" ")
            ),
        );
        d.with_help_mut("hash the files' paths and contents in a sorted, locale-independent order (`LC_ALL=C sort | xargs md5sum | md5sum`)");
        if model.patched.contains_key(&id) {
            d.with_note_mut(id, 0..0, "as patched by debian/patches/series");
        }
        // gen_kheaders.sh keys twice: the headers (`xargs ls -l | md5sum`) and
        // itself (`ls -l $sfile | md5sum`); each further key is shown.
        for m in pattern().find_iter(disk).skip(1) {
            d.with_note_mut(id, m.range(), "the same `ls -l` key here");
        }
        let new_text = rewrite(built);
        if is_kernel_source && quilt {
            // Kernel source: the fix goes into the packaging as a quilt patch.
            let stem = f.name().trim_end_matches(".sh").replace('_', "-");
            let name = format!("kpkg-lint-{stem}-content-key.patch");
            let diff = crate::unidiff::unified(&f.rel, Some(built), &new_text);
            let content = format!(
                "Description: key the {} cache on file contents, not `ls -l`\n The script hashed `ls -l` output (owner, size, minute-resolution mtime), so\n the key changed on every checkout and missed edits within a minute. Hash the\n files' paths and contents in a sorted, locale-independent order instead.\nAuthor: kpkg-lint <kpkg-lint@invalid>\nForwarded: no\n---\n{diff}",
                f.rel
            );
            let mut edits = Vec::new();
            let mut new_files = vec![NewFile {
                rel: format!("debian/patches/{name}"),
                content,
            }];
            match &model.series {
                Some(series) => {
                    let s = &model.tree.files[series.file];
                    let prefix = if !s.text.is_empty() && !s.text.ends_with('\n') {
                        "\n"
                    } else {
                        ""
                    };
                    edits.push(Edit::insert(
                        series.file,
                        s.bytes().len(),
                        format!("{prefix}{name}\n"),
                    ));
                }
                None => new_files.push(NewFile {
                    rel: "debian/patches/series".into(),
                    content: format!("{name}\n"),
                }),
            }
            d.with_help_mut(format!(
                "{} is kernel source: the fix adds debian/patches/{name} to the quilt series",
                f.rel
            ));
            d.with_fix_mut(Fix {
                description: format!("add {name} to the quilt series"),
                applicability: crate::diagnostic::Applicability::Safe,
                edits,
                new_files,
            });
        } else if !model.patched.contains_key(&id) {
            let edits: Vec<Edit> = pattern()
                .captures_iter(disk)
                .map(|caps| {
                    let m = caps.get(0).expect("whole match");
                    Edit::replace(id, m.range(), content_keyed(&caps))
                })
                .collect();
            d.with_fix_mut(Fix::safe("key the cache on file contents", edits));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn rewrites_both_shapes() {
        let old = "md5=\"$(find $dirs -name '*.h' | xargs ls -l | md5sum | cut -d ' ' -f1)\"\nself=\"$(ls -l $sfile | md5sum | cut -d ' ' -f1)\"\n";
        assert_eq!(
            rewrite(old),
            "md5=\"$(find $dirs -name '*.h' | LC_ALL=C sort | xargs md5sum | md5sum | cut -d ' ' -f1)\"\nself=\"$(md5sum $sfile | md5sum | cut -d ' ' -f1)\"\n"
        );
        assert_eq!(rewrite("ls -la | grep x\n"), "ls -la | grep x\n");
    }
}

#[cfg(test)]
mod fix_tests {
    use crate::testing::fix_memory_selected;

    /// Both cache-key forms of gen_kheaders.sh are found: the `ls -l FILE` form
    /// alone, and as a note beside the `xargs ls -l` one.
    #[test]
    fn both_ls_forms_are_found() {
        let lint = |script: &str| {
            let files = [
                ("debian/rules", "%:\n\tdh $@\n"),
                ("kernel/gen_kheaders.sh", script),
            ];
            crate::testing::lint_memory_rule(&files, "mtime-based-cache-key").0
        };
        let alone =
            lint("#!/bin/sh\nthis_file_md5=\"$(ls -l $sfile | md5sum | cut -d ' ' -f1)\"\n");
        assert_eq!(alone.len(), 1);
        assert!(
            alone[0].message.contains("ls -l $sfile"),
            "{}",
            alone[0].message
        );
        let script = "#!/bin/sh\nh=\"$(find $d -name '*.h' |\n\t\txargs ls -l | md5sum | cut -d ' ' -f1)\"\nthis_file_md5=\"$(ls -l $sfile | md5sum | cut -d ' ' -f1)\"\n";
        let both = lint(script);
        assert_eq!(both.len(), 1);
        assert!(
            both[0].message.contains("xargs ls -l"),
            "{}",
            both[0].message
        );
        assert_eq!(both[0].notes.len(), 1, "{:?}", both[0].notes);
        assert_eq!(
            both[0].notes[0].span.start,
            script.find("ls -l $sfile").unwrap()
        );
    }

    #[test]
    fn kernel_source_outside_quilt_is_edited_in_place() {
        let script = "#!/bin/sh\nkey=\"$(ls -l $0 | md5sum)\"\n";
        let files = [
            ("debian/rules", "%:\n\tdh $@\n"),
            ("kernel/gen_kheaders.sh", script),
        ];
        let fixed = fix_memory_selected(&files, &["mtime-based-cache-key"], false);
        assert_eq!(fixed[1].1, "#!/bin/sh\nkey=\"$(md5sum $0 | md5sum)\"\n");
        assert_eq!(fixed.len(), 2, "no patch file outside a quilt source");
    }
}
