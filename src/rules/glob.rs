//! Path globs of `exclude` and `[per-file-ignores]`: `*` and `?` within one path
//! component, `**` for any number of components, and a glob without `/` matching
//! the file name in any directory (as .gitignore and ruff read them).

/// Does `glob` match the tree path `path` (relative, `/`-separated)?
pub fn matches(glob: &str, path: &str) -> bool {
    let glob = glob.strip_prefix("./").unwrap_or(glob);
    if !glob.contains('/') {
        let name = path.rsplit('/').next().unwrap_or(path);
        return segment(glob.as_bytes(), name.as_bytes());
    }
    let g: Vec<&str> = glob.trim_end_matches('/').split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    components(&g, &p)
}

fn components(g: &[&str], p: &[&str]) -> bool {
    let exact = match g.split_first() {
        None => p.is_empty(),
        Some((&"**", rest)) => (0..=p.len()).any(|skip| components(rest, &p[skip..])),
        Some((first, rest)) => match p.split_first() {
            Some((name, tail)) => {
                segment(first.as_bytes(), name.as_bytes()) && components(rest, tail)
            }
            None => false,
        },
    };
    // A directory (`debian/patches`) also covers the files under it.
    exact
        || (!g.is_empty()
            && !g.contains(&"**")
            && g.len() < p.len()
            && g.iter()
                .zip(p)
                .all(|(a, b)| segment(a.as_bytes(), b.as_bytes())))
}

/// One component: `*` any run, `?` one byte, everything else itself.
fn segment(g: &[u8], s: &[u8]) -> bool {
    match g.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| segment(rest, &s[i..])),
        Some((b'?', rest)) => !s.is_empty() && segment(rest, &s[1..]),
        Some((c, rest)) => s.first() == Some(c) && segment(rest, &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs_match_like_gitignore() {
        assert!(matches(
            "debian/rules.d/*.mk",
            "debian/rules.d/2-binary-arch.mk"
        ));
        assert!(!matches("debian/rules.d/*.mk", "debian/rules.d/sub/x.mk"));
        assert!(matches("debian/**/*.mk", "debian/rules.d/sub/x.mk"));
        assert!(matches(
            "**/control.stub.in",
            "debian.master/control.stub.in"
        ));
        assert!(matches("*.in", "debian/templates/source.control.in"));
        assert!(matches("debian/patches", "debian/patches/series"));
        assert!(matches("debian/patches/**", "debian/patches/a/b.patch"));
        assert!(matches("./debian/rule?", "debian/rules"));
        assert!(!matches("debian/rules", "debian/rules.real"));
        assert!(!matches("kernel/*", "debian/rules"));
    }
}
