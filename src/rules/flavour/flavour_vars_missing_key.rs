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
