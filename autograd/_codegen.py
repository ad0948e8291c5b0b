"""Python source for the rows of the op table, for code that inlines them.

The eager op functions (`autograd/_generated.py`, written by `autograd._generate`
when you run `make gen`) and the compiler (`autograd.compile`) are Python
that computes each op without calling through the row. The math
still has one definition, the row in `autograd.ops`: a row written as a lambda
is inlined by reading its body back from the source of `autograd.ops` (with
`ast`) and substituting the operand names, so the generated code runs the same
float operations in the same order as calling the row; `operator.add` and its
kin become the operator they are; any other function is called as it is. The
tests compare every row's generated form with the row itself, bit for bit.
"""

from __future__ import annotations

import ast
import copy
import inspect
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import LambdaType
from typing import Any

from autograd import ops
from autograd.ops import FLOAT_MATH, OPS, Op

__all__ = [
    "NAMESPACE",
    "forward_source",
    "partial_reads",
    "partials_source",
    "propagates_nonfinite",
]

# Functions that are exactly a Python operator: inlining them changes no bit.
_OPERATORS: dict[Callable[..., Any], ast.operator | ast.unaryop] = {
    operator.add: ast.Add(),
    operator.sub: ast.Sub(),
    operator.mul: ast.Mult(),
    operator.truediv: ast.Div(),
    operator.neg: ast.USub(),
}
# The operators whose result is non-finite whenever an operand is.
_PROPAGATING = frozenset([operator.add, operator.sub, operator.mul, operator.neg])

NAMESPACE: dict[str, Any] = {"_cg_m": FLOAT_MATH}
"""Globals that generated code needs: the rows' functions and what their bodies use."""


def _row_lambdas() -> dict[int, ast.Lambda]:
    """The lambdas written in `autograd.ops`, by the line they start on."""
    try:
        tree = ast.parse(inspect.getsource(ops))
    except (OSError, TypeError):  # no source (a frozen or .pyc-only install)
        return {}
    return {n.lineno: n for n in ast.walk(tree) if isinstance(n, ast.Lambda)}


_LAMBDAS = _row_lambdas()


def _lambda_of(f: Callable[..., Any]) -> ast.Lambda | None:
    """The syntax tree of `f` if it is a lambda of `autograd.ops` we can inline."""
    if (
        not isinstance(f, LambdaType)
        or f.__name__ != "<lambda>"
        or f.__code__.co_filename != ops.__file__
    ):
        return None
    node = _LAMBDAS.get(f.__code__.co_firstlineno)
    params = [a.arg for a in node.args.args] if node is not None else []
    if node is None or params != list(f.__code__.co_varnames[: len(params)]):
        return None
    return node


class _Substitute(ast.NodeTransformer):
    """Replace a lambda's parameters by expressions and its free names by globals."""

    def __init__(self, params: dict[str, ast.expr]) -> None:
        self.params = params

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.params:
            return self.params[node.id]
        # A global of autograd.ops (`math`, a constant): bind it under a
        # private name so that no local of the generated code can shadow it.
        name = f"_cg_g_{node.id}"
        NAMESPACE[name] = vars(ops)[node.id]
        return ast.Name(name, ast.Load())


def _inline(node: ast.Lambda, args: Sequence[str]) -> ast.expr:
    """The lambda's body with its parameters replaced by the expressions `args`."""
    params = {
        a.arg: ast.parse(src, mode="eval").body
        for a, src in zip(node.args.args, args, strict=True)
    }
    body: ast.expr = _Substitute(params).visit(copy.deepcopy(node.body))
    return body


def _bind(kind: str, op: Op, f: Callable[..., Any]) -> str:
    name = f"_cg_{kind}_{op.name}"
    # Rows outside the table may share a name (two users' primitives): each
    # function keeps a global of its own, or one replay would call the other.
    if NAMESPACE.get(name, f) is not f:
        name = f"{name}_{id(f):x}"
    NAMESPACE[name] = f
    return name


def _forward_ast_source(op: Op, f: Callable[..., Any], operands: Sequence[str]) -> str:
    operator_node = _OPERATORS.get(f)
    if isinstance(operator_node, ast.unaryop):
        return ast.unparse(
            ast.UnaryOp(operator_node, ast.parse(operands[0], mode="eval").body)
        )
    if operator_node is not None:
        left, right = (ast.parse(s, mode="eval").body for s in operands)
        return ast.unparse(ast.BinOp(left, operator_node, right))
    node = _lambda_of(f)
    if node is not None:
        return ast.unparse(_inline(node, operands))
    kind = "forward" if f is op.forward else "unchecked"
    return f"{_bind(kind, op, f)}({', '.join(operands)})"


def _partials_ast_source(
    op: Op, operands: Sequence[str], out: str
) -> tuple[str, ...] | str:
    f = op.derivative
    node = _lambda_of(f)
    if node is not None:
        body = _inline(node, ["_cg_m", *operands, out])
        if isinstance(body, ast.Tuple) and len(body.elts) == op.arity:
            return tuple(ast.unparse(e) for e in body.elts)
        return ast.unparse(body)
    return f"{_bind('derivative', op, f)}(_cg_m, {', '.join(operands)}, {out})"


# Sources are made once per row with placeholder names, then filled in by
# str.format: tracing a big graph asks for them once per node.
_PLACEHOLDERS = ("_cg_operand_0", "_cg_operand_1", "_cg_out")


def _template(source: str) -> str:
    source = source.replace("{", "{{").replace("}", "}}")
    for i, name in enumerate(_PLACEHOLDERS):
        source = source.replace(name, f"{{{i}}}")
    return source


@dataclass(frozen=True)
class _Row:
    """What generated code needs of one row, worked out once."""

    op: Op
    forward: str  # a str.format template over the operands
    unchecked: str  # the same, of the row's `unchecked` (its `forward` if none)
    partials: tuple[str, ...] | str  # templates over the operands and the result
    reads: tuple[frozenset[int], bool]  # operands and result the partials read


# By name, checked by identity: hashing an `Op` hashes all its fields.
_ROWS: dict[str, _Row] = {}


def _row(op: Op) -> _Row:
    row = _ROWS.get(op.name)
    if row is not None and row.op is op:
        return row
    operands = _PLACEHOLDERS[: op.arity]
    forward = _template(_forward_ast_source(op, op.forward, operands))
    unchecked = (
        forward
        if op.unchecked is None
        else _template(_forward_ast_source(op, op.unchecked, operands))
    )
    found = _partials_ast_source(op, _PLACEHOLDERS[: op.arity], _PLACEHOLDERS[2])
    text = found if isinstance(found, str) else " ".join(found)
    reads = (
        frozenset(i for i in range(op.arity) if _PLACEHOLDERS[i] in text),
        _PLACEHOLDERS[2] in text,
    )
    partials = (
        _template(found) if isinstance(found, str) else tuple(map(_template, found))
    )
    row = _ROWS[op.name] = _Row(op, forward, unchecked, partials, reads)
    return row


def _atom(operand: str) -> str:
    """An operand safe anywhere in an expression (-2.0 ** 2 is not (-2.0)**2)."""
    return f"({operand})" if operand[0] == "-" else operand


def forward_source(op: Op, operands: Sequence[str], *, checked: bool = True) -> str:
    """An expression computing `op` on the operands (names or float literals).

    ``checked=False`` gives the row's `unchecked` forward: the same floats,
    but errors without the op's own message (for code that falls back to
    the checked forward on any error).
    """
    row = _row(op)
    return (row.forward if checked else row.unchecked).format(*map(_atom, operands))


def partials_source(op: Op, operands: Sequence[str], out: str) -> tuple[str, ...] | str:
    """The local derivatives of `op`: one expression per operand, or one for the tuple.

    A rule written as a lambda returning a tuple gives one expression per
    operand; any other rule gives a single call that returns the tuple.
    """
    templates = _row(op).partials
    args = [*map(_atom, operands), *[""] * (2 - op.arity), _atom(out)]
    if isinstance(templates, str):
        return templates.format(*args)
    return tuple(t.format(*args) for t in templates)


def partial_reads(op: Op) -> tuple[frozenset[int], bool]:
    """The operands (by position) the partials of `op` read, and if its result."""
    return _row(op).reads


def propagates_nonfinite(op: Op) -> bool:
    """True if `op` is non-finite whenever an operand is (+, -, *, unary -).

    inf + -inf and inf * 0 are nan; no finite result comes out of an
    infinite or nan operand, unlike relu(-inf) or tanh(inf).
    """
    return op.forward in _PROPAGATING


# Bind every row's functions now, so generated code never changes NAMESPACE late.
for _table_row in OPS.values():
    _row(_table_row)
