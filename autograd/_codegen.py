"""Python source for the rows of the op table, for code that inlines them.

The eager op functions (`autograd/_generated.py`, written by `module_source`
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

import argparse
import ast
import copy
import inspect
import operator
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
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
# How `autograd/_generated.py` spells the globals of the table rows' code.
_SOURCES: dict[str, str] = {"_cg_m": "FLOAT_MATH"}


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
        _SOURCES[name] = f"ops.{node.id}"
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
    if OPS.get(op.name) is op:
        _SOURCES[name] = f"OPS[{op.name!r}].{kind}"
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


# -- autograd/_generated.py: the eager op functions, written out by `make gen` --

# Rows with these symbols are Python operators: `x + y` and `2 + x`.
_BINARY_DUNDERS = {
    "+": ("__add__", "__radd__"),
    "-": ("__sub__", "__rsub__"),
    "*": ("__mul__", "__rmul__"),
    "/": ("__truediv__", "__rtruediv__"),
}
_UNARY_DUNDERS = {"neg": "__neg__", "abs": "__abs__"}
# `**` checks a Value exponent's base first: `Value.__pow__` lives in the engine.
_NO_METHOD = frozenset(["**"])
_RECORD_MODE = 1  # `engine._RECORD`: recording, not tracing, no anomaly mode


def _is_operator(op: Op) -> bool:
    return op.symbol in _BINARY_DUNDERS or op.symbol in _NO_METHOD


def _public(op: Op) -> bool:
    """A one-operand row that is not an operator is also `autograd.NAME`."""
    return op.arity == 1 and op.name not in _UNARY_DUNDERS


def eager_source(op: Op, name: str, reflected: bool = False) -> str:
    """Python source of `op` on Values and numbers, recording the node.

    ``reflected`` takes the operands in the other order (for ``__rsub__``).
    A one-operand function given a number returns a float (`autograd.exp`).
    """
    names = ("x", "y")[: op.arity]
    operands = ("a", "b")[: op.arity]
    params = operands[::-1] if reflected else operands
    signature = ", ".join(f"{a}: Value | float" for a in params)
    returns = "Value | float" if op.arity == 1 else "Value"
    lines = [f"def {name}({signature}) -> {returns}:", *_docstring(op.doc)]
    # In +, -, * and unary -, a non-finite operand gives a non-finite result.
    # So there the last operand, if a float, is checked for finiteness only
    # when the result is not finite, with the same error as before (one
    # finiteness check per op, not two). Earlier operands are checked at
    # once, keeping the order of errors.
    deferred = names[-1] if propagates_nonfinite(op) else None
    for a, x in zip(operands, names, strict=True):
        lines += [f"    if {a}.__class__ is Value:", f"        {x} = {a}._data"]
        if op.arity == 1:
            lines += [
                "    else:  # a number (a float out), or a Value subclass",
                f"        return _unary_off_path(_row_{op.name}, {a})",
            ]
            continue
        finite = "" if x == deferred else f" and {a} - {a} == 0.0"
        # Constants stay plain floats in the operand slots: they cost no node.
        # An int (`sum` starts at 0, `2 * x`) is as common as a float; one
        # too large for a float goes the slow way, for its error message.
        # 0 becomes the one shared 0.0: a float per `sum()` is memory too.
        lines += [
            f"    elif {a}.__class__ is float{finite}:",
            f"        {x} = {a}",
            f"    elif {a}.__class__ is int and {a}.bit_length() <= 1000:",
            f"        {a} = {x} = float({a}) if {a} else 0.0",
            "    else:",
            f'        {a}, {x} = _slow_operand({a}, "{op.name}")',
        ]
    row = f"_row_{op.name}"
    lines += [
        f"    out = {forward_source(op, names)}",
        "    if out - out != 0.0:  # inf - inf and nan - nan are nan",
    ]
    if deferred is not None:
        lines.append(
            f'        _to_float({deferred}, "{op.name}")  # raises if not finite'
        )
    lines += [
        f"        raise _overflow({row}, {', '.join(names)})",
        # Read twice off the fast path rather than kept in a local: one
        # store and load fewer per op.
        f"    if _mode_get() != {_RECORD_MODE}:  # not plain recording",
        f"        return _made_in_mode(_mode_get(), {row}, {_tuple(operands)}, "
        f"{_tuple(names)}, out)",
        "    v = next(_new_values)",
        "    v._data = out",
        "    v._grad = 0.0",
        "    v._g = None",
        f"    v._row = {row}",
        "    v._p0 = a",
        f"    v._p1 = {'b' if op.arity == 2 else 'None'}",
    ]
    partials = partials_source(op, names, "out")
    if isinstance(partials, str):
        lines.append(f"    d = {partials}")
        partials = tuple(f"d[{i}]" for i in range(op.arity))
    lines += [f"    v._d{i} = {p}" for i, p in enumerate(partials)]
    if op.arity == 1:
        lines.append("    v._d1 = None")
    lines.append("    return v")
    if op.arity == 1:  # Values in, a Value out; numbers in, a float out
        lines[:0] = [
            "@overload",
            f"def {name}(a: Value) -> Value: ...",
            "@overload",
            f"def {name}(a: float) -> float: ...",
        ]
    return "\n".join(lines) + "\n"


GENERATED = Path(__file__).with_name("_generated.py")

_HEADER = '''\
"""The eager op functions and Value's op methods, one per row of `autograd/ops.py`.

Generated: do not edit. `make gen` (`autograd._codegen.main`) writes this
file from the op table, and tests/test_generated.py fails when it is out of
date. Each function is its row's forward and local derivatives inlined
(`autograd._codegen`): one Python call per op, the same floats as the row.
`Value` and `_new_values` are bound by `autograd.engine` once the class exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, overload

from autograd import ops
from autograd.engine import (
    _made_in_mode,
    _mode_get,
    _overflow,
    _slow_operand,
    _to_float,
    _unary_off_path,
)
from autograd.ops import FLOAT_MATH, OPS

if TYPE_CHECKING:
    from autograd.engine import Value

'''


def _functions() -> list[tuple[str, Op, bool]]:
    """(function name, row, reflected) for every function of the module."""
    found = []
    for op in OPS.values():
        found.append((op.name, op, False))
        if op.symbol in _BINARY_DUNDERS:
            found.append((f"r{op.name}", op, True))
    return found


def _docstring(doc: str) -> list[str]:
    text = textwrap.wrap(f'"""{doc}', width=84)
    if len(text) == 1 and len(text[0]) <= 81:
        return [f'    {text[0]}"""']
    return [f"    {line}" for line in text] + ['    """']


def _tuple(items: Sequence[str]) -> str:
    return f"({', '.join(items)}{',' if len(items) == 1 else ''})"


def _formatted(text: str) -> str:
    """`text` laid out by `ruff format` with the project's settings."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(GENERATED)],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        msg = (
            f"make gen: `ruff format` failed (ruff is in the dev extra): {done.stderr}"
        )
        raise RuntimeError(msg)
    return done.stdout


def _indented(items: list[str]) -> list[str]:
    return [f"    {item}" for item in items]


def module_source() -> str:
    """The text of `autograd/_generated.py` for the op table as it is now."""
    functions = _functions()
    bodies = [eager_source(op, name, reflected) for name, op, reflected in functions]
    code = "\n\n".join(bodies)
    used = sorted(set(re.findall(r"\b_cg_\w+", code)))
    public = sorted(f'"{op.name}",' for op in OPS.values() if _public(op))
    lines = [
        _HEADER.rstrip("\n"),
        "",
        "__all__: list[str] = [",
        *_indented(public),
        "]",
    ]
    lines += ["", "_new_values: Iterator[Value] = iter(())  # bound by the engine", ""]
    lines += [f"_row_{op.name} = OPS[{op.name!r}]" for op in OPS.values()]
    lines += [  # names keep the spelling of autograd.ops
        f"{name} = {_SOURCES[name]}"
        + ("  # noqa: N816" if name != name.lower() else "")
        for name in used
    ]
    text = "\n".join(lines).replace("OPS['", 'OPS["').replace("']", '"]')
    methods = []
    for name, op, reflected in functions:
        if reflected:
            methods.append(f"    {_BINARY_DUNDERS[op.symbol][1]} = {name}")
        elif op.symbol in _BINARY_DUNDERS:
            methods.append(f"    {_BINARY_DUNDERS[op.symbol][0]} = {name}")
        elif op.name in _UNARY_DUNDERS:
            methods.append(f"    {_UNARY_DUNDERS[op.name]} = {name}")
        elif not _is_operator(op):
            methods.append(f"    {op.name} = {name}")
    by_name = [f'"{name}": {name},' for name, op, r in functions if not r]
    return _formatted(
        f"{text}\n\n\n{code}\n\n"
        "class ValueOps:\n"
        '    """Value\'s operators and op methods: the functions above."""\n\n'
        "    __slots__ = ()\n\n" + "\n".join(methods) + "\n\n\n"
        "FUNCTIONS: dict[str, Callable[..., Value]] = {\n"
        + "\n".join(_indented(by_name))
        + "\n}\n"
        '"""Each table row\'s function, by the row\'s name."""\n'
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Write autograd/_generated.py and autograd/_ccore.pyx; with --check, only
    say if either is out of date."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing")
    args = parser.parse_args(argv)
    from autograd import _ccodegen  # noqa: PLC0415 - it builds on this module

    stale = 0
    for path, text in (
        (GENERATED, module_source()),
        (_ccodegen.COMPILED, _ccodegen.module_source()),
    ):
        if path.exists() and path.read_text() == text:
            continue
        if args.check:
            print(f"{path} is out of date: run `make gen`", file=sys.stderr)
            stale = 1
            continue
        path.write_text(text)
        print(f"wrote {path}")
    return stale
