//! Calls: the builtins under every spelling (one `Builtin` each), `backward` and its
//! seed, axes as NumPy reads them, and the program's own functions (each call a group).
use super::*;

impl<'p> Interp<'p> {
    // ---- calls -------------------------------------------------------------------------------

    pub(super) fn call(&mut self, id: ExprId) -> Result<Value> {
        let e = self.p.expr(id);
        let span = e.span;
        let ExprKind::Call {
            callee,
            args,
            keywords,
        } = &e.kind
        else {
            unreachable!()
        };
        let c = resolve::callee(self.p, *callee, &self.functions)?;
        let (b, mut argv) = match c {
            Callee::Function(name) => return self.call_function(name, args, span),
            Callee::Builtin(b, _) => (b, Vec::new()),
            Callee::Method(b, object, _) => (b, vec![object]),
        };
        argv.extend_from_slice(args);
        self.check_keywords(keywords)?;
        let keyword = |names: &[&str]| {
            keywords
                .iter()
                .find(|(k, _, _)| names.contains(&&**k))
                .map(|(_, v, _)| *v)
        };
        match b {
            Builtin::Zeros
            | Builtin::Ones
            | Builtin::Eye
            | Builtin::Randn
            | Builtin::Rand
            | Builtin::Variable => self.leaf(id, None),
            Builtin::Unary(op) => {
                let x = self.value(argv[0])?;
                self.on_node(x, span, |it, x| it.apply(Op::Unary(op, x), span))
            }
            Builtin::Binary(op) => {
                let a = self.value(argv[0])?;
                let b = self.value(argv[1])?;
                Ok(Value::Node(self.binary(op, a, b, span)?))
            }
            // `max(a, b)` is element-wise; `x.max(1)` is PyTorch's reduction along dim 1.
            Builtin::Max | Builtin::Min if argv.len() == 2 && !matches!(c, Callee::Method(..)) => {
                let op = if b == Builtin::Max {
                    Binary::Max
                } else {
                    Binary::Min
                };
                let x = self.value(argv[0])?;
                let y = self.value(argv[1])?;
                Ok(Value::Node(self.binary(op, x, y, span)?))
            }
            Builtin::Max | Builtin::Min => {
                let axis = self.axis_arg(argv.get(1).copied(), keyword(&["axis", "dim"]))?;
                let x = self.value(argv[0])?;
                let x = self.node_of(x, span)?;
                let axis = self.reduce_axis(x, axis, span)?;
                if b == Builtin::Max {
                    Ok(Value::Node(
                        self.apply(Op::Reduce(Reduction::Max, axis, x), span)?,
                    ))
                } else {
                    // min(x) = −max(−x): the same rule for ties.
                    let neg = self.apply(Op::Unary(Unary::Neg, x), span)?;
                    let m = self.apply(Op::Reduce(Reduction::Max, axis, neg), span)?;
                    Ok(Value::Node(self.apply(Op::Unary(Unary::Neg, m), span)?))
                }
            }
            Builtin::MatMul => {
                let a = self.value(argv[0])?;
                let b = self.value(argv[1])?;
                let a = self.node_of(a, span)?;
                let b = self.node_of(b, span)?;
                Ok(Value::Node(self.apply(Op::MatMul(a, b), span)?))
            }
            Builtin::Reduce(r) => {
                let axis = self.axis_arg(argv.get(1).copied(), keyword(&["axis", "dim"]))?;
                let x = self.value(argv[0])?;
                let x = self.node_of(x, span)?;
                let axis = self.reduce_axis(x, axis, span)?;
                Ok(Value::Node(self.apply(Op::Reduce(r, axis, x), span)?))
            }
            Builtin::Normalize(n) => {
                let axis = self.axis_arg(argv.get(1).copied(), keyword(&["axis", "dim"]))?;
                let x = self.value(argv[0])?;
                let x = self.node_of(x, span)?;
                // Along the last axis by default, as torch and jax.nn do.
                let axis = self.reduce_axis(x, axis.or(Some(-1)), span)?;
                Ok(Value::Node(self.apply(Op::Normalize(n, axis, x), span)?))
            }
            Builtin::Transpose => {
                let x = self.value(argv[0])?;
                self.on_node(x, span, |it, x| it.apply(Op::Transpose(x), span))
            }
            Builtin::Detach => {
                let x = self.value(argv[0])?;
                self.on_node(x, span, |it, x| it.apply(Op::Detach(x), span))
            }
            Builtin::Print => {
                // Pasted code prints; the page shows every value already. The arguments
                // still run, so their mistakes are still reported.
                for &a in &argv {
                    self.value(a)?;
                }
                Ok(Value::None)
            }
            Builtin::Seed => {
                let k = self.integer(argv[0], "a seed")?;
                if k < 0 {
                    return err(span, "a seed is a whole number of 0 or more");
                }
                self.rng = Rng::new(k as u64);
                Ok(Value::None)
            }
            Builtin::Backward => self.backward_call(&argv, keyword(&["gradient"]), span),
            Builtin::Len => match self.value(argv[0])? {
                Value::Shape(s) => Ok(Value::Num {
                    x: s.rank() as f64,
                    span,
                    literal: false,
                }),
                Value::Node(n) if self.g.node(n).shape.rank() > 0 => {
                    let d = self.g.node(n).shape.dims()[0];
                    Ok(Value::Num {
                        x: d as f64,
                        span,
                        literal: false,
                    })
                }
                _ => err(span, "len of a scalar: only vectors and matrices have a length"),
            },
            Builtin::Size => {
                let v = self.value(argv[0])?;
                match v {
                    Value::Shape(_) | Value::None => err(span, "only a tensor has a size"),
                    v => Ok(Value::Shape(self.shape_of(v))),
                }
            }
        }
    }

    /// `y.backward(seed)`: records the output and its seed, which must have its shape.
    #[inline(never)]
    pub(super) fn backward_call(
        &mut self,
        argv: &[ExprId],
        gradient: Option<ExprId>,
        span: Span,
    ) -> Result<Value> {
        let y = self.value(argv[0])?;
        let y = self.node_of(y, span)?;
        let seed = match argv.get(1).copied().or(gradient) {
            Some(s) => {
                let v = self.value(s)?;
                Some(self.node_of(v, span)?)
            }
            None => None,
        };
        let shape = self.g.node(y).shape;
        match seed {
            Some(s) if self.g.node(s).shape != shape => {
                let got = self.g.node(s).shape;
                return err(span, format!(
                    "backward's seed is {} but the output is {}: the seed must have the output's shape ({shape})",
                    shape_text(got),
                    shape_text(shape)
                ));
            }
            None if shape.len() != 1 => {
                return err(
                    span,
                    format!(
                        "backward of {} needs a seed of that shape, as in PyTorch: y.backward(ones({}))",
                        shape_text(shape),
                        shape
                            .dims()
                            .iter()
                            .map(|d| d.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
            _ => {}
        }
        self.backward = Some((y, seed));
        Ok(Value::None)
    }

    /// The axis given as an argument or keyword, if any (`None`: over every element).
    pub(super) fn axis_arg(
        &mut self,
        positional: Option<ExprId>,
        keyword: Option<ExprId>,
    ) -> Result<Option<i64>> {
        match positional.or(keyword) {
            Some(a) => Ok(Some(self.integer(a, "an axis")?)),
            None => Ok(None),
        }
    }

    /// An axis of `x`, negative ones counting from the end, as NumPy's.
    pub(super) fn reduce_axis(&self, x: NodeId, axis: Option<i64>, span: Span) -> Result<Axis> {
        let shape = self.g.node(x).shape;
        let Some(a) = axis else { return Ok(Axis::All) };
        let rank = shape.rank() as i64;
        if rank == 0 {
            // A scalar's only "axis" is the whole of it, as for NumPy's axis=-1 on 0-d.
            return if a == 0 || a == -1 {
                Ok(Axis::All)
            } else {
                err(span, format!("axis {a} is out of range for a scalar"))
            };
        }
        let k = if a < 0 { a + rank } else { a };
        if k < 0 || k >= rank {
            let axes = if rank == 1 {
                "its only axis is 0".to_string()
            } else {
                "its axes are 0 and 1".to_string()
            };
            return err(
                span,
                format!("axis {a} is out of range for {}: {axes}", shape_text(shape)),
            );
        }
        Ok(Axis::Index(k as usize))
    }

    #[inline(never)]
    pub(super) fn call_function(&mut self, name: &'p str, args: &[ExprId], span: Span) -> Result<Value> {
        if self.calls >= self.limits.calls {
            return err(
                span,
                format!(
                    "the program makes more than {} function calls, the most it may \
                     (does a function call itself more often than it needs?)",
                    grouped(self.limits.calls as u64)
                ),
            );
        }
        self.calls += 1;
        if self.frames.len() >= self.limits.call_depth {
            return err(
                span,
                format!(
                    "calls nested more than {} deep (does {name} call itself without end?)",
                    self.limits.call_depth
                ),
            );
        }
        let def = self.defs[name];
        let StmtKind::Def { params, body, .. } = &def.kind else {
            unreachable!()
        };
        let mut frame = HashMap::new();
        for ((p, _), &a) in params.iter().zip(args) {
            let v = self.value(a)?;
            frame.insert(&**p, v);
        }
        let outer = self.group;
        self.enter_group(
            GroupKind::Call {
                name: name.to_string(),
            },
            span,
        );
        self.frames.push(frame);
        let flow = self.block(body);
        self.frames.pop();
        self.group = outer;
        match flow? {
            Flow::Return(v) => Ok(v),
            Flow::Next => Ok(Value::None),
            Flow::Break(s) => err(s, "'break' outside a loop"),
            Flow::Continue(s) => err(s, "'continue' outside a loop"),
        }
    }
}
