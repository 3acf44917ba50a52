//! The make programs of a tree: each entry makefile evaluated with what it
//! includes, roots another program already includes folded into it, and the
//! evaluation budgets a program ran out of reported as problems.

use super::*;

impl<'t> Model<'t> {
    pub(super) fn build_programs(&mut self) {
        let tree = self.tree;
        let mut ids: Vec<FileId> = self.makefiles.keys().copied().collect();
        // `debian/rules` first, then other entry points, then everything else.
        let rank = |f: &FileId| {
            let rel = &tree.files[*f].rel;
            let name = tree.files[*f].name();
            let r = if rel == "debian/rules" || rel.ends_with("/rules") && !rel.contains("rules.d")
            {
                0
            } else if name.starts_with("rules.") {
                1
            } else {
                2
            };
            (r, rel.clone())
        };
        ids.sort_by_key(rank);
        let mut reached: HashSet<FileId> = HashSet::new();
        // Programs in the order they were built; a subsumed one becomes None. Found
        // by root through `by_root`, so each program costs its own file count, not
        // the number of programs before it (a tree of 80,000 unrelated makefiles
        // took 23 s when every program scanned all the earlier ones).
        let mut built: Vec<Option<Program>> = Vec::new();
        let mut by_root: HashMap<FileId, usize> = HashMap::new();
        let writes = generated::BuildWrites::scan(tree);
        let mut budget = program::IncludeBudget::for_tree(&self.makefiles);
        for &id in &ids {
            if reached.contains(&id) {
                continue;
            }
            let mut p = Program::build_within(tree, &self.makefiles, id, &mut budget);
            generated::resolve(&mut p, tree, &self.makefiles, &writes);
            // An earlier program rooted at a file this one includes is subsumed.
            for f in &p.files {
                if let Some(&qi) = by_root.get(f) {
                    if built[qi]
                        .as_ref()
                        .is_some_and(|q| !q.files.contains(&p.root))
                    {
                        built[qi] = None;
                        by_root.remove(f);
                    }
                }
            }
            reached.extend(p.files.iter().copied());
            by_root.insert(p.root, built.len());
            built.push(Some(p));
        }
        let programs: Vec<Program> = built.into_iter().flatten().collect();
        for p in &programs {
            for c in &p.cycles {
                let stmt = &self.makefiles[&c.file].stmts[c.stmt];
                self.problems.push(FileProblem {
                    file: c.file,
                    span: stmt.span.clone(),
                    message: "include cycle: this file is already being read".into(),
                });
            }
        }
        let mut seen: HashSet<StmtRef> = HashSet::new();
        let mut commands = Vec::new();
        for (pi, p) in programs.iter().enumerate() {
            for at in &p.order {
                let stmt = &self.makefiles[&at.file].stmts[at.stmt];
                if !matches!(stmt.kind, StmtKind::Recipe { .. }) || !seen.insert(*at) {
                    continue;
                }
                for c in p.commands(tree, *at, &stmt.span) {
                    commands.push((pi, c));
                }
            }
        }
        for p in &programs {
            self.report_budgets(p);
        }
        self.problems.sort_by_key(|p| (p.file, p.span.start));
        self.problems
            .dedup_by(|a, b| a.file == b.file && a.span == b.span && a.message == b.message);
        self.programs = programs;
        self.commands = commands;
    }

    /// Budgets of evaluation that a program ran out of ([`program::IncludeBudget`],
    /// [`program::MAX_EXPANSION_LEN`]): what was not evaluated is said, at the
    /// include or the assignment that was cut.
    fn report_budgets(&mut self, p: &Program) {
        for at in &p.include_overflow {
            let stmt = &self.makefiles[&at.file].stmts[at.stmt];
            let paths = match &stmt.kind {
                StmtKind::Include(i) => i.paths.clone(),
                _ => String::new(),
            };
            self.problems.push(FileProblem {
                file: at.file,
                span: stmt.span.clone(),
                message: format!(
                    "`include {paths}` is not followed: the makefiles of this tree include \
                     each other over and over (more than {} statements read in all); \
                     what the included files define is not evaluated",
                    program::IncludeBudget::for_tree(&self.makefiles).statements_left
                ),
            });
        }
        for (name, at, budget) in p.overflows() {
            let (file, span) = match at {
                Some(at) => (
                    at.file,
                    self.makefiles[&at.file].stmts[at.stmt].span.clone(),
                ),
                None => (p.root, 0..0),
            };
            let what = if name.is_empty() {
                "a recipe word".to_string()
            } else {
                format!("`$({name})`")
            };
            let limit = if budget == "expanded-length" {
                format!("{} MiB", program::MAX_EXPANSION_LEN >> 20)
            } else {
                format!(
                    "the {} MiB this program may expand in all",
                    program::MAX_EXPANSION_WORK >> 20
                )
            };
            self.problems.push(FileProblem {
                file,
                span,
                message: format!(
                    "expanding {what} exceeds {limit} (make would need at least as \
                     much memory); the rest of its value is not evaluated"
                ),
            });
        }
    }
}
