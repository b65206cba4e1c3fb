//! Statements: blocks, loops (an iteration a group), branches (each recorded as it ran),
//! and the nesting and step limits that bound the interpreter's stack and time.
use super::*;

impl<'p> Interp<'p> {
    // ---- statements --------------------------------------------------------------------------

    /// Runs `f` one level deeper, refusing past the nesting limit.
    pub(super) fn nested<T>(&mut self, span: Span, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.step(span)?;
        if self.depth >= self.limits.nesting {
            return err(
                span,
                format!(
                "too deeply nested: more than {} levels of expressions, blocks and calls inside one another",
                self.limits.nesting
            ),
            );
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    pub(super) fn block(&mut self, body: &'p [Stmt]) -> Result<Flow> {
        let span = body.first().map_or_else(Span::default, |s| s.span);
        self.nested(span, |it| it.block_inner(body))
    }

    /// Counts one statement run or expression evaluated (every block, value, number and
    /// condition goes through [`Self::nested`]; each statement of a block counts too).
    pub(super) fn step(&mut self, span: Span) -> Result<()> {
        self.steps += 1;
        if self.steps > self.limits.steps {
            return err(
                span,
                format!(
                    "the program has run more than {} statements and expressions, the most it may \
                     (does a loop or a recursion run longer than it needs?)",
                    grouped(self.limits.steps)
                ),
            );
        }
        Ok(())
    }

    pub(super) fn block_inner(&mut self, body: &'p [Stmt]) -> Result<Flow> {
        for s in body {
            self.step(s.span)?;
            match self.stmt(s)? {
                Flow::Next => {}
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Next)
    }

    pub(super) fn stmt(&mut self, s: &'p Stmt) -> Result<Flow> {
        match &s.kind {
            StmtKind::Assign {
                name,
                name_span,
                op,
                value,
            } => {
                let v = if op.is_none() && makes_leaf(self.p, *value, &self.functions) {
                    self.leaf(*value, Some((name, *name_span)))?
                } else {
                    self.value(*value)?
                };
                let v = match op {
                    Some(op) => {
                        let old = self.lookup(name, *name_span)?;
                        Value::Node(self.binary(*op, old, v, s.span)?)
                    }
                    None => v,
                };
                if let Value::None = v {
                    return err(
                        self.p.expr(*value).span,
                        "this has no value to assign (a function without 'return'?)",
                    );
                }
                self.bind(name, v);
                self.last = Some(v);
            }
            StmtKind::Expr(e) => {
                let v = self.value(*e)?;
                if !matches!(v, Value::None) {
                    self.last = Some(v);
                }
            }
            StmtKind::For { var, range, body } => return self.run_for(s, var, range, body),
            StmtKind::While { cond, body } => return self.run_while(s, *cond, body),
            StmtKind::If { branches, otherwise } => return self.run_if(s, branches, otherwise),
            StmtKind::Def { .. } | StmtKind::Pass => {}
            StmtKind::Return(value) => {
                let v = match value {
                    Some(v) => self.value(*v)?,
                    None => Value::None,
                };
                return Ok(Flow::Return(v));
            }
            StmtKind::Break => return Ok(Flow::Break(s.span)),
            StmtKind::Continue => return Ok(Flow::Continue(s.span)),
        }
        Ok(Flow::Next)
    }

    // Each statement that holds a block runs in a function of its own, not inlined, so
    // the frame that recursion passes through stays small (a browser's stack is ~1 MiB).

    #[inline(never)]
    pub(super) fn run_for(
        &mut self,
        s: &'p Stmt,
        var: &'p str,
        range: &[ExprId],
        body: &'p [Stmt],
    ) -> Result<Flow> {
        let mut bounds = [0i64, 0, 1];
        let ints: Vec<i64> = range
            .iter()
            .map(|&a| self.integer(a, "a range bound"))
            .collect::<Result<_>>()?;
        match ints[..] {
            [stop] => bounds[1] = stop,
            [start, stop] => bounds[..2].copy_from_slice(&[start, stop]),
            [start, stop, step] => bounds = [start, stop, step],
            _ => unreachable!("the parser takes 1 to 3 range arguments"),
        }
        let [start, stop, step] = bounds;
        if step == 0 {
            return err(self.p.expr(range[2]).span, "range's step must not be zero");
        }
        let count = if step > 0 {
            (stop - start).max(0).div_euclid(step) + i64::from((stop - start).max(0) % step != 0)
        } else {
            (start - stop).max(0).div_euclid(-step) + i64::from((start - stop).max(0) % -step != 0)
        } as u64;
        let left = (self.limits.iterations - self.iterations) as u64;
        if count > left {
            let header = self
                .p
                .expr(range[0])
                .span
                .to(self.p.expr(*range.last().unwrap()).span);
            return err(
                header,
                format!(
                    "this loop would run {} iterations; a program may run at most {} in all",
                    grouped(count),
                    grouped(self.limits.iterations as u64)
                ),
            );
        }
        for index in 0..count {
            self.iterations += 1;
            let i = start + index as i64 * step;
            self.bind(
                var,
                Value::Num {
                    x: i as f64,
                    span: s.span,
                    literal: false,
                },
            );
            if let Some(flow) = self.iteration(index as usize, s.span, body)? {
                return Ok(flow);
            }
        }
        Ok(Flow::Next)
    }

    #[inline(never)]
    pub(super) fn run_while(&mut self, s: &'p Stmt, cond: ExprId, body: &'p [Stmt]) -> Result<Flow> {
        let mut index = 0;
        while self.truth(cond)? {
            if self.iterations >= self.limits.iterations {
                return err(s.span, format!(
                    "this loop reached {} iterations, the most a program may run (is its condition ever false?)",
                    grouped(self.limits.iterations as u64)
                ));
            }
            self.iterations += 1;
            if let Some(flow) = self.iteration(index, s.span, body)? {
                return Ok(flow);
            }
            index += 1;
        }
        Ok(Flow::Next)
    }

    /// One iteration of a loop, as a group of its own. `Some` ends the loop: `Next` after
    /// a `break`, `Return` out of the function.
    pub(super) fn iteration(&mut self, index: usize, header: Span, body: &'p [Stmt]) -> Result<Option<Flow>> {
        let outer = self.group;
        self.enter_group(GroupKind::Iteration { index }, header);
        let flow = self.block(body);
        self.group = outer;
        Ok(match flow? {
            Flow::Break(_) => Some(Flow::Next),
            Flow::Next | Flow::Continue(_) => None,
            flow @ Flow::Return(_) => Some(flow),
        })
    }

    #[inline(never)]
    pub(super) fn run_if(
        &mut self,
        s: &'p Stmt,
        branches: &'p [(ExprId, Vec<Stmt>)],
        otherwise: &'p [Stmt],
    ) -> Result<Flow> {
        let mut conditions = Vec::new();
        let mut taken = None;
        for (i, (cond, _)) in branches.iter().enumerate() {
            let x = self.number(*cond)?;
            conditions.push(x);
            if x != 0.0 {
                taken = Some(i);
                break;
            }
        }
        self.branches.push(BranchTaken {
            span: s.span,
            group: self.group,
            taken,
            conditions,
        });
        let body = match taken {
            Some(i) => &branches[i].1,
            None => otherwise,
        };
        self.block(body)
    }

    pub(super) fn enter_group(&mut self, kind: GroupKind, span: Span) {
        self.groups.push(Group {
            kind,
            span,
            parent: self.group,
        });
        self.group = Some((self.groups.len() - 1) as u32);
    }
}
