//! Tensors from data: list literals and constructors, constants or, bound to a name,
//! leaves that get gradients.
use super::*;

impl<'p> Interp<'p> {
    // ---- tensors from data -------------------------------------------------------------------

    /// A list or a constructor; a leaf named `name` when bound to it, else a constant.
    #[inline(never)]
    pub(super) fn leaf(&mut self, id: ExprId, name: Option<(&'p str, Span)>) -> Result<Value> {
        let e = self.p.expr(id);
        let span = e.span;
        let tensor = match &e.kind {
            ExprKind::List(_) => self.literal(id)?,
            ExprKind::Call {
                callee,
                args,
                keywords,
            } => {
                let b = match resolve::callee(self.p, *callee, &self.functions)? {
                    Callee::Builtin(b, _) => b,
                    _ => unreachable!("makes_leaf checked the callee"),
                };
                self.check_keywords(keywords)?;
                if b == Builtin::Variable {
                    let inner = args[0];
                    return if makes_leaf(self.p, inner, &self.functions) {
                        self.leaf(inner, name)
                    } else {
                        self.value(inner)
                    };
                }
                self.construct(b, args, span)?
            }
            _ => return self.value(id),
        };
        self.guard(tensor.shape, span)?;
        let node = match name {
            Some((name, name_span)) => {
                let given = self.leaf_values.get(name).filter(|t| t.shape == tensor.shape);
                let replaced = given.is_some();
                let node = self.g.parameter(name, given.cloned().unwrap_or(tensor));
                self.emit(span)?;
                // A name given from outside keeps its leaf; another name's latest leaf
                // replaces its earlier one and goes to the end.
                let slot = self.leaf_slots.get(name).copied();
                let given = slot.is_some_and(|k| self.leaves[k].as_ref().is_some_and(|l| l.free));
                if !given {
                    if let Some(k) = slot {
                        self.leaves[k] = None;
                    }
                    self.leaf_slots.insert(name, self.leaves.len());
                    self.leaves.push(Some(Leaf {
                        name: name.to_string(),
                        node,
                        span: name_span,
                        free: false,
                        replaced,
                    }));
                }
                node
            }
            None => {
                let label = short(self.p.text(span));
                self.constant(&label, tensor, span)?
            }
        };
        Ok(Value::Node(node))
    }

    pub(super) fn check_keywords(&mut self, keywords: &[(Box<str>, ExprId, Span)]) -> Result<()> {
        for (k, v, s) in keywords {
            if matches!(&**k, "keepdim" | "keepdims") && self.number(*v)? != 0.0 {
                return err(
                    *s,
                    "keepdim=True is not supported: the reduced axis is dropped, as by default",
                );
            }
        }
        Ok(())
    }

    /// `zeros`, `ones`, `eye`, `randn`, `rand`.
    #[inline(never)]
    pub(super) fn construct(&mut self, b: Builtin, args: &[ExprId], span: Span) -> Result<Tensor<f64>> {
        let shape = if b == Builtin::Eye {
            let n = self.size(args[0])?;
            Shape::matrix(n, n)
        } else {
            let dims: Vec<usize> = match args {
                [one] => match self.value_if_shape(*one)? {
                    Some(s) => s.dims().to_vec(),
                    None => vec![self.size(*one)?],
                },
                _ => args.iter().map(|&a| self.size(a)).collect::<Result<_>>()?,
            };
            match dims[..] {
                [] => Shape::SCALAR,
                [n] => Shape::vector(n),
                [r, c] => Shape::matrix(r, c),
                _ => return err(span, "tensors have at most 2 dimensions"),
            }
        };
        self.guard(shape, span)?;
        let n = shape.len();
        let data = match b {
            Builtin::Zeros => vec![0.0; n],
            Builtin::Ones => vec![1.0; n],
            Builtin::Eye => (0..n)
                .map(|i| f64::from(u8::from(i / shape.cols() == i % shape.cols())))
                .collect(),
            Builtin::Randn => (0..n).map(|_| self.rng.normal()).collect(),
            _ => (0..n).map(|_| self.rng.uniform()).collect(),
        };
        Ok(Tensor { shape, data })
    }

    /// The shape, if `id` is `x.shape` or `x.size()`: `zeros(x.shape)`.
    #[inline(never)]
    pub(super) fn value_if_shape(&mut self, id: ExprId) -> Result<Option<Shape>> {
        let is_shape = match &self.p.expr(id).kind {
            ExprKind::Attribute(_, n) => &**n == "shape",
            ExprKind::Call { callee, .. } => matches!(
                resolve::callee(self.p, *callee, &self.functions),
                Ok(Callee::Method(Builtin::Size, ..) | Callee::Builtin(Builtin::Size, _))
            ),
            _ => false,
        };
        if !is_shape {
            return Ok(None);
        }
        match self.value(id)? {
            Value::Shape(s) => Ok(Some(s)),
            _ => Ok(None),
        }
    }

    /// `[1, 2]` or `[[1, 2], [3, 4]]`: numbers in rows of equal length.
    #[inline(never)]
    pub(super) fn literal(&mut self, id: ExprId) -> Result<Tensor<f64>> {
        let e = self.p.expr(id);
        let ExprKind::List(items) = &e.kind else {
            unreachable!()
        };
        let nested = items
            .iter()
            .any(|&i| matches!(self.p.expr(i).kind, ExprKind::List(_)));
        if !nested {
            let data = items.iter().map(|&i| self.entry(i)).collect::<Result<Vec<_>>>()?;
            return Ok(Tensor {
                shape: Shape::vector(data.len()),
                data,
            });
        }
        let mut data = Vec::new();
        let mut cols = None;
        for &row in items {
            let r = self.p.expr(row);
            let ExprKind::List(entries) = &r.kind else {
                return err(r.span, "a matrix's rows must all be lists: [[1, 2], [3, 4]]");
            };
            if let Some(&c) = cols.as_ref() {
                if entries.len() != c {
                    return err(
                        r.span,
                        format!(
                            "a ragged list: this row has {} entries, the first has {c}",
                            entries.len()
                        ),
                    );
                }
            }
            cols = Some(entries.len());
            for &x in entries {
                if let ExprKind::List(_) = self.p.expr(x).kind {
                    return err(
                        self.p.expr(x).span,
                        "tensors have at most 2 dimensions: this list nests 3 levels",
                    );
                }
                data.push(self.entry(x)?);
            }
        }
        let shape = Shape::matrix(items.len(), cols.unwrap_or(0));
        Ok(Tensor { shape, data })
    }

    /// One entry of a list: a number (the list is data, not an operation).
    pub(super) fn entry(&mut self, id: ExprId) -> Result<f64> {
        let span = self.p.expr(id).span;
        // `-0.5`, `1/3`, `2*pi` are numbers too, evaluated without nodes. (As values, the
        // minus and the operators made nodes, so `[1, -2]` was refused as "a scalar".)
        if self.plain_number(id) {
            return self.number(id);
        }
        match self.value(id)? {
            Value::Num { x, .. } => Ok(x),
            Value::Node(n) => {
                let name = self.p.text(span);
                err(span, format!(
                    "a list's entries must be numbers, and {} is {}: build tensors from tensors with operations",
                    quoted(name),
                    shape_text(self.g.node(n).shape)
                ))
            }
            v => self.data_of(v, span).map(|_| 0.0),
        }
    }

    /// Whether `id` is arithmetic on plain numbers only (literals, `pi`, a loop variable),
    /// which [`Self::number`] evaluates adding no node. A loop, not a recursion: a list
    /// entry may be `-` typed 100,000 times.
    pub(super) fn plain_number(&self, id: ExprId) -> bool {
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            match &self.p.expr(id).kind {
                ExprKind::Number(_) => {}
                ExprKind::Unary(Unary::Neg, x) => stack.push(*x),
                ExprKind::Binary(op, a, b) if !matches!(op, Binary::Max | Binary::Min) => {
                    stack.push(*a);
                    stack.push(*b);
                }
                ExprKind::Name(name) => {
                    if !matches!(self.lookup(name, Span::default()), Ok(Value::Num { .. })) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
        true
    }
}
