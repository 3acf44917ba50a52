//! `any-qualifier-not-allowed`: `:any` on a package that is not `Multi-Arch: allowed`.

use super::{entries, multi_arch, note_generated};
use crate::knowledge::MultiArch;
use crate::model::SourceStanza;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::AnyQualifierNotAllowed;

pub fn check(c: &mut Checker, stanzas: &[SourceStanza]) {
    let model = c.model;
    let release = c.release.codename.clone();
    for e in entries(stanzas, true) {
        let Some((q, qspan)) = &e.alt.arch_qualifier else {
            continue;
        };
        if q != "any" {
            continue;
        }
        let Some(ma) = multi_arch(c, &e.alt.name) else {
            continue;
        };
        if ma == MultiArch::Allowed {
            continue;
        }
        let name = &e.alt.name;
        let instead = if ma == MultiArch::Foreign {
            format!("`{name}`")
        } else {
            format!("`{name}:native`")
        };
        let d = c.report(
            RULE,
            e.stanza.file,
            e.alt.name_span.start..qspan.end,
            format!("`{name}:any` can never be satisfied: `{name}` is Multi-Arch: {} in {release}, and `:any` only matches Multi-Arch: allowed packages", ma.as_str()),
        );
        d.with_help_mut(format!("write {instead}"));
        note_generated(model, d, &e);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_memory_rule;

    #[test]
    fn any_on_same_fires_on_allowed_does_not() {
        let files = [(
            "debian/control",
            "Source: x\nBuild-Depends: libelf-dev:any, python3:any, bison:any\n",
        )];
        let (d, _) = lint_memory_rule(&files, "any-qualifier-not-allowed");
        let names: Vec<_> = d
            .iter()
            .map(|d| d.message.split('`').nth(1).unwrap().to_string())
            .collect();
        assert_eq!(names, ["libelf-dev:any", "bison:any"]);
    }
}
