//! Expressions: values as nodes of the graph, numbers for conditions, indices and sizes
//! (adding no node), comparisons as masks, and indexing as a window of the 2-D view.
use super::*;

impl<'p> Interp<'p> {
    // ---- numbers: conditions, indices, sizes -------------------------------------------------

    /// A single number, adding no node for arithmetic on numbers: what conditions,
    /// indices, loop bounds and sizes are made of.
    pub(super) fn number(&mut self, id: ExprId) -> Result<f64> {
        self.nested(self.p.expr(id).span, |it| it.number_inner(id))
    }

    pub(super) fn number_inner(&mut self, id: ExprId) -> Result<f64> {
        let e = self.p.expr(id);
        match &e.kind {
            ExprKind::Number(x) => Ok(*x),
            ExprKind::Unary(Unary::Neg, x) => Ok(-self.number(*x)?),
            ExprKind::Binary(op, ..) if !matches!(op, Binary::Max | Binary::Min) => {
                // The left-leaning spine with a loop, as `chain` does for tensors.
                let arithmetic = |k: &ExprKind| match k {
                    ExprKind::Binary(op, l, r) if !matches!(op, Binary::Max | Binary::Min) => {
                        Some((*op, *l, *r))
                    }
                    _ => None,
                };
                let mut spine = Vec::new();
                let mut cur = id;
                while let Some((op, l, r)) = arithmetic(&self.p.expr(cur).kind) {
                    spine.push((op, r));
                    cur = l;
                }
                let mut acc = self.number(cur)?;
                for &(op, r) in spine.iter().rev() {
                    let b = self.number(r)?;
                    acc = (op.rule::<f64>().f)(acc, b);
                }
                Ok(acc)
            }
            ExprKind::Compare(op, a, b) => {
                let a = self.number(*a)?;
                let b = self.number(*b)?;
                Ok(f64::from(u8::from(op.holds(a, b))))
            }
            ExprKind::Not(_) | ExprKind::And(..) | ExprKind::Or(..) => {
                Ok(f64::from(u8::from(self.truth(id)?)))
            }
            _ => {
                let v = self.value(id)?;
                match v {
                    Value::Num { x, .. } => Ok(x),
                    Value::Node(n) if self.g.node(n).shape.len() == 1 => Ok(self.g.value(n)[0]),
                    Value::Node(n) => err(
                        e.span,
                        format!(
                            "expected a single number, but this is {}: reduce it first (sum(…), x[0])",
                            shape_text(self.g.node(n).shape)
                        ),
                    ),
                    v => self.data_of(v, e.span).map(|_| 0.0),
                }
            }
        }
    }

    /// Python's truth of a condition, with `and` and `or` evaluated only as far as needed.
    pub(super) fn truth(&mut self, id: ExprId) -> Result<bool> {
        self.nested(self.p.expr(id).span, |it| it.truth_inner(id))
    }

    pub(super) fn truth_inner(&mut self, id: ExprId) -> Result<bool> {
        match &self.p.expr(id).kind {
            ExprKind::Not(x) => Ok(!self.truth(*x)?),
            ExprKind::And(..) | ExprKind::Or(..) => {
                // `a and b and c …` leans left: its spine with a loop, from the left,
                // stopping where Python would.
                let mut spine = Vec::new();
                let mut cur = id;
                loop {
                    let (and, l, r) = match &self.p.expr(cur).kind {
                        ExprKind::And(l, r) => (true, *l, *r),
                        ExprKind::Or(l, r) => (false, *l, *r),
                        _ => break,
                    };
                    spine.push((and, r));
                    cur = l;
                }
                let mut acc = self.truth(cur)?;
                for &(and, r) in spine.iter().rev() {
                    if acc == and {
                        acc = self.truth(r)?;
                    }
                }
                Ok(acc)
            }
            _ => Ok(self.number(id)? != 0.0),
        }
    }

    pub(super) fn integer(&mut self, id: ExprId, what: &str) -> Result<i64> {
        let x = self.number(id)?;
        if x.fract() != 0.0 || !x.is_finite() || x.abs() > 9.0e15 {
            return err(
                self.p.expr(id).span,
                format!("{what} must be a whole number, got {}", number_label(x)),
            );
        }
        Ok(x as i64)
    }

    pub(super) fn size(&mut self, id: ExprId) -> Result<usize> {
        let n = self.integer(id, "a size")?;
        if n < 1 {
            let what = if n < 0 { "a negative size" } else { "a size of 0" };
            return err(
                self.p.expr(id).span,
                format!("{what} ({n}): sizes are at least 1"),
            );
        }
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    // ---- values ------------------------------------------------------------------------------

    pub(super) fn value(&mut self, id: ExprId) -> Result<Value> {
        self.nested(self.p.expr(id).span, |it| it.value_inner(id))
    }

    pub(super) fn value_inner(&mut self, id: ExprId) -> Result<Value> {
        let e = self.p.expr(id);
        let span = e.span;
        match &e.kind {
            // A number typed in the text becomes a constant node where it is read, as in an
            // expression's graph; indices, bounds and conditions read it through `number`.
            ExprKind::Number(x) => Ok(Value::Node(self.constant(
                self.p.text(span),
                Tensor::scalar(*x),
                span,
            )?)),
            ExprKind::Name(name) => match self.lookup(name, span)? {
                v @ Value::Num { literal: true, .. } => Ok(Value::Node(self.node_of(v, span)?)),
                v => Ok(v),
            },
            ExprKind::Unary(..) => {
                // `- - - x`: a chain, walked with a loop.
                let mut ops = Vec::new();
                let mut inner = id;
                while let ExprKind::Unary(op, x) = &self.p.expr(inner).kind {
                    ops.push((*op, self.p.expr(inner).span));
                    inner = *x;
                }
                let mut v = self.value(inner)?;
                for (op, span) in ops.into_iter().rev() {
                    let x = self.node_of(v, span)?;
                    v = Value::Node(self.apply(Op::Unary(op, x), span)?);
                }
                Ok(v)
            }
            ExprKind::Binary(..) | ExprKind::MatMul(..) => self.chain(id),
            ExprKind::Compare(op, a, b) => {
                let a = self.value(*a)?;
                let b = self.value(*b)?;
                self.compare(*op, a, b, span)
            }
            ExprKind::Not(_) | ExprKind::And(..) | ExprKind::Or(..) => {
                let x = f64::from(u8::from(self.truth(id)?));
                Ok(Value::Num {
                    x,
                    span,
                    literal: false,
                })
            }
            ExprKind::List(_) => self.leaf(id, None),
            ExprKind::Attribute(object, name) => {
                let v = self.value(*object)?;
                match &**name {
                    "shape" => match v {
                        Value::Shape(_) | Value::None => err(span, "only a tensor has a shape"),
                        v => Ok(Value::Shape(self.shape_of(v))),
                    },
                    "T" => self.on_node(v, span, |it, x| it.apply(Op::Transpose(x), span)),
                    _ => self.on_node(v, span, |it, x| it.apply(Op::Detach(x), span)),
                }
            }
            ExprKind::Call { .. } => self.call(id),
            ExprKind::Index(x, items) => self.index(*x, items, span),
        }
    }

    pub(super) fn on_node(
        &mut self,
        v: Value,
        span: Span,
        f: impl FnOnce(&mut Self, NodeId) -> Result<NodeId>,
    ) -> Result<Value> {
        let x = self.node_of(v, span)?;
        Ok(Value::Node(f(self, x)?))
    }

    /// `a + b * c - …`: the left-leaning spine of binary operators, walked with a loop so
    /// that a line of any length is safe.
    pub(super) fn chain(&mut self, id: ExprId) -> Result<Value> {
        let mut spine = Vec::new();
        let mut cur = id;
        while let ExprKind::Binary(_, l, _) | ExprKind::MatMul(l, _) = &self.p.expr(cur).kind {
            spine.push(cur);
            cur = *l;
        }
        let mut acc = self.value(cur)?;
        for &op_id in spine.iter().rev() {
            let e = self.p.expr(op_id);
            acc = match &e.kind {
                ExprKind::Binary(op, _, r) => {
                    let r = self.value(*r)?;
                    Value::Node(self.binary(*op, acc, r, e.span)?)
                }
                ExprKind::MatMul(_, r) => {
                    let r = self.value(*r)?;
                    let a = self.node_of(acc, e.span)?;
                    let b = self.node_of(r, e.span)?;
                    Value::Node(self.apply(Op::MatMul(a, b), e.span)?)
                }
                _ => unreachable!("the spine holds binary operators"),
            };
        }
        Ok(acc)
    }

    pub(super) fn binary(&mut self, op: Binary, a: Value, b: Value, span: Span) -> Result<NodeId> {
        let a = self.node_of(a, span)?;
        let b = self.node_of(b, span)?;
        self.apply(Op::Binary(op, a, b), span)
    }

    /// A comparison of tensors, element-wise with broadcasting: a constant of 0s and 1s
    /// (not differentiable: no gradient flows through a comparison).
    #[inline(never)]
    pub(super) fn compare(&mut self, op: CmpOp, a: Value, b: Value, span: Span) -> Result<Value> {
        let (sa, va) = self.data_of(a, span)?;
        let (sb, vb) = self.data_of(b, span)?;
        if sa.is_scalar() && sb.is_scalar() && !matches!(a, Value::Node(_)) && !matches!(b, Value::Node(_)) {
            let x = f64::from(u8::from(op.holds(va[0], vb[0])));
            return Ok(Value::Num {
                x,
                span,
                literal: false,
            });
        }
        let Some(shape) = Shape::broadcast(sa, sb) else {
            return err(
                span,
                format!("cannot compare {sa} with {sb}: their shapes do not broadcast"),
            );
        };
        self.guard(shape, span)?;
        let at = |s: Shape, v: &[f64], i: usize, j: usize| {
            v[if s.rows() == 1 { 0 } else { i } * s.cols() + if s.cols() == 1 { 0 } else { j }]
        };
        let mut data = Vec::with_capacity(shape.len());
        for i in 0..shape.rows() {
            for j in 0..shape.cols() {
                data.push(f64::from(u8::from(
                    op.holds(at(sa, &va, i, j), at(sb, &vb, i, j)),
                )));
            }
        }
        let label = short(self.p.text(span));
        let id = self.constant(&label, Tensor { shape, data }, span)?;
        Ok(Value::Node(id))
    }

    // ---- indexing ----------------------------------------------------------------------------

    #[inline(never)]
    pub(super) fn index(&mut self, x: ExprId, items: &[IndexItem], span: Span) -> Result<Value> {
        let v = self.value(x)?;
        let name = short(self.p.text(self.p.expr(x).span));
        let shape = match v {
            Value::Shape(s) => {
                let [IndexItem::At(i)] = items else {
                    return err(span, "a shape takes one index: x.shape[0]");
                };
                let d = s.dims();
                let k = self.position(
                    *i,
                    d.len(),
                    &format!("{name} (a shape of {} dimensions)", d.len()),
                )?;
                return Ok(Value::Num {
                    x: d[k] as f64,
                    span,
                    literal: false,
                });
            }
            Value::None => return err(span, "this has no value to index"),
            Value::Num { .. } => {
                return err(
                    span,
                    format!("{} is a number and cannot be indexed", quoted(&name)),
                )
            }
            Value::Node(id) => self.g.node(id).shape,
        };
        let Value::Node(node) = v else { unreachable!() };
        if shape.rank() == 0 {
            return err(
                span,
                format!("{} is a scalar and cannot be indexed", quoted(&name)),
            );
        }
        if items.len() > shape.rank() {
            return err(
                span,
                format!(
                    "too many indices: {} is {} and takes at most {}",
                    quoted(&name),
                    shape_text(shape),
                    shape.rank()
                ),
            );
        }
        let what = |axis: usize| format!("axis {axis} of {} ({})", quoted(&name), shape_text(shape));
        // (start, count, kept) along each dimension of the tensor as written.
        let dims = shape.dims().to_vec();
        let mut picks = Vec::new();
        for (axis, &size) in dims.iter().enumerate() {
            let pick = match items.get(axis) {
                None => (0, size, true),
                Some(IndexItem::At(i)) => (self.position(*i, size, &what(axis))?, 1, false),
                Some(IndexItem::Slice { start, stop, span }) => {
                    let a = self.slice_bound(*start, size, 0)?;
                    let b = self.slice_bound(*stop, size, size)?;
                    if b <= a {
                        return err(
                            *span,
                            format!("the slice {} of {} is empty", self.p.text(*span), what(axis)),
                        );
                    }
                    (a, b - a, true)
                }
            };
            picks.push(pick);
        }
        let kept: Vec<usize> = picks.iter().filter(|p| p.2).map(|p| p.1).collect();
        let out = match kept[..] {
            [] => Shape::SCALAR,
            [n] => Shape::vector(n),
            [r, c] => Shape::matrix(r, c),
            _ => unreachable!(),
        };
        // In the 2-D view a vector is one row.
        let (rows, cols) = if shape.rank() == 2 {
            (picks[0], picks[1])
        } else {
            ((0, 1, false), picks[0])
        };
        let window = Window {
            row: rows.0 as u32,
            rows: rows.1 as u32,
            col: cols.0 as u32,
            cols: cols.1 as u32,
            shape: out,
        };
        Ok(Value::Node(self.apply(Op::Select(window, node), span)?))
    }

    /// An index along an axis of `size`, negative ones counting from the end.
    pub(super) fn position(&mut self, id: ExprId, size: usize, what: &str) -> Result<usize> {
        let i = self.integer(id, "an index")?;
        let k = if i < 0 { i + size as i64 } else { i };
        if k < 0 || k >= size as i64 {
            return err(
                self.p.expr(id).span,
                format!("index {i} is out of range for {what}, which has size {size}"),
            );
        }
        Ok(k as usize)
    }

    /// A slice bound, clamped to `0..=size` as Python does.
    pub(super) fn slice_bound(&mut self, id: Option<ExprId>, size: usize, default: usize) -> Result<usize> {
        let Some(id) = id else { return Ok(default) };
        let i = self.integer(id, "a slice bound")?;
        let k = if i < 0 { i + size as i64 } else { i };
        Ok(k.clamp(0, size as i64) as usize)
    }
}
