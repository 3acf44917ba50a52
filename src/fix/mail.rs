//! `--patch-dir`: one `git format-patch` mail per rule and pass, for `git am`.

use super::diff::tree_diff_git;
use super::{apply_pass, Pass};
use crate::registry::catalogue;
use crate::registry::Rule;
use crate::tree::Tree;

/// One rule's fixes of one pass, as the body and diff of a mail.
pub struct Mail {
    rule: Rule,
    body: String,
    diff: String,
}

/// The mails for one tree's passes: one a rule and pass, each against the tree as
/// the mails before it leave it. Only the text is kept, so a run over many trees
/// holds its mails, not its trees.
pub fn mails<'a>(passes: impl IntoIterator<Item = &'a (Tree, Pass)>) -> Vec<Mail> {
    let mut mails: Vec<Mail> = Vec::new();
    for (base, pass) in passes {
        let mut rules_in_order: Vec<Rule> = Vec::new();
        for (r, _, _) in &pass.accepted {
            if !rules_in_order.contains(r) {
                rules_in_order.push(*r);
            }
        }
        let mut prev = base.clone();
        for (k, &rule) in rules_in_order.iter().enumerate() {
            let subset = pass
                .accepted
                .iter()
                .filter(|(r, _, _)| rules_in_order[..=k].contains(r));
            let state = apply_pass(base, subset);
            let diff = tree_diff_git(&prev, &state);
            let count = pass.accepted.iter().filter(|(r, _, _)| *r == rule).count();
            let summary = &catalogue::of(rule).summary;
            mails.push(Mail { rule, body: format!("{summary}\n\nThis patch applies {count} fix{} from `kpkg-lint --fix` (rule {rule}; see `kpkg-lint explain {rule}`).\n", if count == 1 { "" } else { "es" }), diff });
            prev = state;
        }
    }
    mails
}

/// The mails ([`mails`]) of every tree, numbered, in `dir`.
pub fn write_patch_dir(dir: &std::path::Path, mails: &[Mail]) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir).map_err(|e| crate::source::io_message(&e))?;
    let total = mails.len();
    let date = rfc2822_now();
    let mut names = Vec::new();
    for (i, m) in mails.iter().enumerate() {
        let name = format!("{:04}-kpkg-lint-{}.patch", i + 1, m.rule);
        let subject = if total == 1 {
            "[PATCH]".to_string()
        } else {
            format!("[PATCH {}/{}]", i + 1, total)
        };
        let mail = format!(
            "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: kpkg-lint <kpkg-lint@invalid>\nDate: {date}\nSubject: {subject} Fix {} findings\n\n{}---\n{}-- \nkpkg-lint {}\n\n",
            m.rule,
            m.body,
            m.diff,
            env!("CARGO_PKG_VERSION")
        );
        let path = dir.join(&name);
        super::write::write_new(&path, mail.as_bytes(), Some(0o100644))?;
        names.push(crate::source::display_path(&path));
    }
    Ok(names)
}

/// The current time as an RFC 2822 date in UTC, for mail headers.
fn rfc2822_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let mon = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!(
        "{weekday}, {day} {mon} {year} {:02}:{:02}:{:02} +0000",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
