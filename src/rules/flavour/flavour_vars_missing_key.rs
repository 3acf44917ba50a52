//! `flavour-vars-missing-key`: a vars file without a required key, or with an unknown one.

use super::{sibling_vars, VARS_OPTIONAL, VARS_REQUIRED};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::flavour::UbuntuFlavours;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::FlavourVarsMissingKey;

pub fn check(c: &mut Checker, u: &UbuntuFlavours) {
    let model = c.model;
    for v in &u.vars {
        let f = &model.tree.files[v.file];
        let first_line = f.line_span(0).unwrap_or(0..0);
        let missing: Vec<&str> = VARS_REQUIRED
            .iter()
            .copied()
            .filter(|k| v.get(k).is_none())
            .collect();
        if !missing.is_empty() {
            let sib = sibling_vars(u, &v.flavour, v.arches().first().map(String::as_str));
            let len = f.bytes().len();
            let ends_nl = f.text.ends_with('\n') || f.text.is_empty();
            let d = c.report(
                RULE,
                v.file,
                first_line.clone(),
                format!(
                    "vars.{} has no {}: the package stanzas for this flavour are incomplete",
                    v.flavour,
                    missing.join(", ")
                ),
            );
            if let Some(sib) = sib {
                let lines: Vec<String> = missing
                    .iter()
                    .filter_map(|k| sib.get(k))
                    .map(|k| model.tree.files[sib.file].text[k.span.clone()].to_string())
                    .collect();
                if lines.len() == missing.len() {
                    let content =
                        format!("{}{}\n", if ends_nl { "" } else { "\n" }, lines.join("\n"));
                    d.with_help_mut(format!(
                        "the fix copies the missing keys from vars.{} for you to review",
                        sib.flavour
                    ));
                    d.with_fix_mut(Fix::unsafe_(
                        format!("copy {} from vars.{}", missing.join(", "), sib.flavour),
                        vec![Edit::insert(v.file, len, content)],
                    ));
                }
            }
        }
        for k in &v.keys {
            if VARS_REQUIRED.contains(&k.key.as_str()) || VARS_OPTIONAL.contains(&k.key.as_str()) {
                continue;
            }
            let d = c.report(
                RULE,
                v.file,
                k.span.clone(),
                format!(
                    "`{}` is not a key the flavour control generation reads",
                    k.key
                ),
            );
            d.severity = Severity::Warning;
            d.with_help_mut(format!(
                "known keys: {}, {}",
                VARS_REQUIRED.join(", "),
                VARS_OPTIONAL.join(", ")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::acme::{AMD64, ENV, VARS};
    use crate::testing::{found, lint_memory_rule};

    #[test]
    fn a_missing_required_key_and_an_unknown_key_fire() {
        let low = "arch=\"amd64\"\nsupported=\"Low latency\"\ntarget=\"Audio work.\"\ndesc=\"=HUMAN= SMP\"\nsuported=\"typo\"\n";
        let files = [
            ENV,
            (
                "debian.acme/rules.d/amd64.mk",
                &*AMD64.replace("flavours = generic", "flavours = generic lowlatency"),
            ),
            ("debian.acme/control.d/vars.generic", VARS),
            ("debian.acme/control.d/vars.lowlatency", low),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-vars-missing-key");
        assert_eq!(
            found(&d, &tree),
            [
                (
                    "flavour-vars-missing-key",
                    "debian.acme/control.d/vars.lowlatency",
                    1,
                    1
                ),
                (
                    "flavour-vars-missing-key",
                    "debian.acme/control.d/vars.lowlatency",
                    5,
                    1
                ),
            ]
        );
        assert!(
            d[0].message.contains("has no bootloader"),
            "{}",
            d[0].message
        );
        assert_eq!(d[1].severity, crate::diagnostic::Severity::Warning);
    }

    #[test]
    fn complete_vars_with_optional_keys_and_comments_do_not_fire() {
        let vars =
            format!("# Acme generic flavour\n{VARS}provides=\"acme-kernel\"\ndo_dtbs=\"false\"\n");
        let files = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", AMD64),
            ("debian.acme/control.d/vars.generic", &*vars),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-vars-missing-key");
        assert_eq!(found(&d, &tree), []);
    }
}
