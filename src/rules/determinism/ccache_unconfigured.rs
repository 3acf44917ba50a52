//! `ccache-unconfigured`: ccache without the settings kbuild needs.

use super::{assigned_anywhere, ccache_enabled, directive_insertion};
use crate::diagnostic::{Edit, Fix};
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::CcacheUnconfigured;
const SLOPPINESS: [&str; 3] = ["include_file_mtime", "include_file_ctime", "time_macros"];

pub fn check(c: &mut Checker) {
    let model = c.model;
    let Some((file, span)) = ccache_enabled(model) else {
        return;
    };
    let text_has = |s: &str| {
        model
            .makefiles
            .keys()
            .any(|f| model.tree.files[*f].text.contains(s))
    };
    let basedir = text_has("CCACHE_BASEDIR");
    let sloppiness = assigned_anywhere(model, "CCACHE_SLOPPINESS").unwrap_or_default();
    let missing_sloppy: Vec<&str> = SLOPPINESS
        .iter()
        .copied()
        .filter(|s| !sloppiness.contains(s))
        .collect();
    let depend = assigned_anywhere(model, "CCACHE_DEPEND")
        .is_some_and(|v| matches!(v.trim(), "1" | "true" | "yes"));
    let mut problems = Vec::new();
    if !basedir {
        problems.push("no CCACHE_BASEDIR, so absolute paths (O= builds, KBUILD_ABS_SRCTREE) make every build directory a separate cache".to_string());
    }
    if !missing_sloppy.is_empty() {
        problems.push(format!("CCACHE_SLOPPINESS lacks {}, so kbuild's freshly generated headers switch direct mode off", missing_sloppy.join(",")));
    }
    if depend {
        problems.push("CCACHE_DEPEND is on: depend mode misses on any header change, and the kernel's generated headers change every build".to_string());
    }
    if problems.is_empty() {
        return;
    }
    let d = c.report(
        RULE,
        file,
        span.clone(),
        format!("ccache is used with {}", problems.join("; ")),
    );
    d.with_help_mut("export CCACHE_BASEDIR=$(CURDIR) and CCACHE_SLOPPINESS=include_file_mtime,include_file_ctime,time_macros; leave depend mode off");
    let mut add = String::new();
    if !basedir {
        add.push_str("export CCACHE_BASEDIR := $(CURDIR)\n");
    }
    if sloppiness.is_empty() {
        add.push_str(&format!(
            "export CCACHE_SLOPPINESS := {}\n",
            SLOPPINESS.join(",")
        ));
    }
    if !add.is_empty() {
        // Not after the line that turns ccache on: in Debian's rules.real that
        // is a recipe line (`echo 'CCACHE = ccache' >> …`).
        let f = &model.tree.files[file];
        let at = directive_insertion(model, file);
        let prefix = if at == f.bytes().len() && at > 0 && !f.text.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        d.with_fix_mut(Fix::unsafe_(
            "configure ccache for kbuild",
            vec![Edit::insert(file, at, format!("{prefix}{add}"))],
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_memory_rule;

    const RULES: &str = "#!/usr/bin/make -f\nexport CCACHE_BASEDIR := $(CURDIR)\nexport CCACHE_SLOPPINESS := include_file_mtime,include_file_ctime,time_macros\nCCACHE_DEPEND_LINE\nCC = ccache gcc\n\nbuild:\n\t$(MAKE) CC=\"$(CC)\" bindeb-pkg\n";

    /// Depend mode alone is reported, with nothing for the fix to add: it is the
    /// one setting kpkg-lint cannot fill in for you (turning it off is a choice).
    #[test]
    fn depend_mode_is_reported_on_its_own() {
        let rules = RULES.replace("CCACHE_DEPEND_LINE", "export CCACHE_DEPEND := 1");
        let (d, _) = lint_memory_rule(&[("debian/rules", &rules)], "ccache-unconfigured");
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("CCACHE_DEPEND is on"),
            "{}",
            d[0].message
        );
        assert!(!d[0].message.contains("CCACHE_BASEDIR"), "{}", d[0].message);
        assert!(!d[0].message.contains("lacks"), "{}", d[0].message);
        assert!(d[0].fix.is_none(), "nothing to add");
        // Off, or configured fully: nothing to say.
        for line in ["export CCACHE_DEPEND := 0", "# no depend mode"] {
            let rules = RULES.replace("CCACHE_DEPEND_LINE", line);
            let (d, _) = lint_memory_rule(&[("debian/rules", &rules)], "ccache-unconfigured");
            assert!(
                d.is_empty(),
                "{line}: {:?}",
                d.iter().map(|d| &d.message).collect::<Vec<_>>()
            );
        }
    }
}
