//! `--format jsonl`: JSON Lines, one finding per line, each the object of
//! `--format json`'s `findings` array with the tree it was found in (`tree`: the
//! tree's root as given or found). Nothing else is printed: no document around
//! the lines and no summary, so the output of runs over parts of a set of trees
//! (`xargs -P`, GNU parallel, a CI matrix) concatenates into the output of one run
//! over the whole set, and `jq -s` makes one array of it (docs/output-formats.md).

use super::{json, DocUrl, Emitter, TreeFindings};
use crate::source::display_path;

#[derive(Default)]
pub struct JsonLines {
    pub docs: DocUrl,
}

impl Emitter for JsonLines {
    fn render(&self, t: &TreeFindings) -> Vec<String> {
        let tree = display_path(&t.tree.root);
        t.diagnostics
            .iter()
            .map(|d| {
                let mut v = json::finding(t.tree, d, &self.docs);
                v["tree"] = serde_json::Value::String(tree.clone());
                let mut line = v.to_string();
                line.push('\n');
                line
            })
            .collect()
    }
}
