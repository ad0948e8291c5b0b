"""Cython source of the compiled core, `autograd/_ccore.pyx`, from the op table.

The compiled core is the Python core's node, op functions and fast sweep
with C types: each op function is the same inlined forward and local
derivatives `autograd._codegen` writes for `autograd/_generated.py`, on C
doubles, so the two cores run the same float operations in the same order
(the build turns off fused multiply-add contraction, which would change
bits). Everything else of `Value` (its constructor, properties, pickling,
hooks, micrograd's names) is not written twice: `autograd.value` defines it
once, in Python, and gives it to the compiled class (`adopt`).

A division in an inlined rule becomes `_cg_fdiv` (Python's
ZeroDivisionError, not C's infinity) and a power, floor division or modulo
is done on Python floats, so C's semantics never change an answer.

The text that does not depend on the op table (the prelude, the node
class, the sweep) is in `autograd._ctemplates`, the C that makes and frees
nodes in `autograd._cmemory`; this module writes the rest.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from autograd import _codegen, _generate
from autograd._cmemory import LAYOUT, MEMORY
from autograd._ctemplates import HEADER, NODE, TAIL
from autograd._select import _DIGEST_LINE, source_digest
from autograd.ops import OPS, Op

__all__ = ["COMPILED", "module_source"]

COMPILED = Path(__file__).with_name("_ccore.pyx")
"""The generated Cython source of the compiled core."""

# Operators whose C meaning on doubles differs from Python's on floats, and
# the helper of `_ccore.pyx` that has Python's meaning.
_PYTHON_MEANING: dict[type[ast.operator], str] = {
    ast.Div: "_cg_fdiv",
    ast.Pow: "_cg_fpow",
    ast.FloorDiv: "_cg_ffloordiv",
    ast.Mod: "_cg_fmod",
}


class _CSafe(ast.NodeTransformer):
    """Rewrite operators whose C meaning differs from Python's on floats."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        name = _PYTHON_MEANING.get(type(node.op))
        if name is None:
            return node
        return ast.Call(ast.Name(name, ast.Load()), [node.left, node.right], [])


def _c_safe(expression: str) -> str:
    tree = ast.parse(expression, mode="eval")
    return ast.unparse(_CSafe().visit(tree))


def _function(op: Op) -> str:
    """`_op_NAME`: the row's eager op on Values and numbers, as a C function."""
    names = ("x", "y")[: op.arity]
    operands = ("a", "b")[: op.arity]
    params = ", ".join(f"object {a}" for a in operands)
    lines = [
        f"cdef object _op_{op.name}({params}):",
        f"    cdef double {', '.join((*names, 'out'))}",
        "    cdef Value v",
    ]
    # As in the Python core: the last operand of +, -, * and unary - is
    # checked for finiteness only when the result is not finite.
    deferred = names[-1] if _codegen.propagates_nonfinite(op) else None
    for a, x in zip(operands, names, strict=True):
        lines += [f"    if type({a}) is Value:", f"        {x} = (<Value>{a})._data"]
        if op.arity == 1:
            lines += [
                "    else:",
                f"        return unary_off_path(Value, _row_{op.name}, {a})",
            ]
            continue
        finite = "" if x == deferred else f" and _finite({a})"
        lines += [
            f"    elif type({a}) is float{finite}:",
            f"        {x} = {a}",
            f"    elif type({a}) is int and {a}.bit_length() <= 1000:",
            f"        {x} = {a}",
            f"        {a} = {x} if {x} != 0.0 else _ZERO",
            "    else:",
            f'        {a}, {x} = slow_operand({a}, "{op.name}")',
        ]
    row = f"_row_{op.name}"
    second = "b" if op.arity == 2 else "None"
    if op is OPS["pow"]:  # as `autograd._generate` writes it: see there
        lines += [
            "    if x < 0.0 and type(b) is not float:",
            "        raise negative_base(x)",
        ]
    lines += [
        f"    out = {_c_safe(_codegen.forward_source(op, names))}",
        "    if out - out != 0.0:",
    ]
    if deferred is not None:
        lines.append(f'        to_float({deferred}, "{op.name}")')
    lines += [
        f"        raise overflow({row}, {', '.join(names)})",
        "    if _mode_now() != _RECORDING:",
        f"        return made_in_mode(Value, _mode_now(), {row}, "
        f"{_generate._tuple(operands)}, {_generate._tuple(names)}, out)",
        f"    v = <Value>__pyx_ccore_node(None, {row}, a, {second})",
        "    v._data = out",
    ]
    partials = _codegen.partials_source(op, names, "out")
    if isinstance(partials, str):
        lines.append(f"    d = {_c_safe(partials)}")
        partials = tuple(f"d[{i}]" for i in range(op.arity))
    lines += [f"    v._c_d{i} = {_c_safe(p)}" for i, p in enumerate(partials)]
    lines.append("    return v")
    return "\n".join(lines)


def _public(op: Op, name: str, reflected: bool) -> str:
    """The module-level function of a row, as `autograd/_generated.py` has it."""
    operands = ("a", "b")[: op.arity]
    params = operands[::-1] if reflected else operands
    return "\n".join(
        [
            f"def {name}({', '.join(params)}):",
            *_generate._docstring(op.doc),
            f"    return _op_{op.name}({', '.join(operands)})",
        ]
    )


def _methods() -> list[str]:
    """Value's operator and op methods, as `ValueOps` binds them in Python."""
    lines = []
    for op in OPS.values():
        if op.symbol in _generate._BINARY_DUNDERS:
            left, right = _generate._BINARY_DUNDERS[op.symbol]
            lines += [
                f"    def {left}(self, other):",
                f"        return _op_{op.name}(self, other)",
                f"    def {right}(self, other):",
                f"        return _op_{op.name}(other, self)",
            ]
        elif op.name in _generate._UNARY_DUNDERS:
            lines += [
                f"    def {_generate._UNARY_DUNDERS[op.name]}(self):",
                f"        return _op_{op.name}(self)",
            ]
        else:
            params = "self" if op.arity == 1 else "self, other"
            lines += [
                f"    def {op.name}({params}):",
                *(f"    {line}" for line in _generate._docstring(op.doc)),
                f"        return _op_{op.name}({params})",
            ]
    return lines


# Forward functions done in C where C's math library gives the Python
# function's bits (CPython's `math` calls these libm functions); wherever the
# Python function would raise, it runs instead, to raise its own error.
_IN_C: dict[str, tuple[str, list[str]]] = {
    "_ops._div": (
        "x, y",
        ["if y == 0.0:", "    return _ops._div(x, y)", "return x / y"],
    ),
    "_ops._exp": (
        "x",
        [
            "cdef double r = c_exp(x)",
            "if r - r != 0.0:",
            "    return _ops._exp(x)",
            "return r",
        ],
    ),
    "_ops._log": (
        "x",
        ["if x <= 0.0:", "    return _ops._log(x)", "return c_log(x)"],
    ),
    "_ops._sqrt": (
        "x",
        ["if x < 0.0:", "    return _ops._sqrt(x)", "return c_sqrt(x)"],
    ),
    "_ops._sigmoid": (  # `autograd.ops._sigmoid`: the same float operations
        "x",
        [
            "cdef double e",
            "if x >= 0.0:",
            "    return 1.0 / (1.0 + c_exp(-x))",
            "e = c_exp(x)",
            "return e / (1.0 + e)",
        ],
    ),
    "math.tanh": ("x", ["return c_tanh(x)"]),
    "math.sin": ("x", ["return c_sin(x)"]),
    "math.cos": ("x", ["return c_cos(x)"]),
}


def _in_c(name: str, source: str) -> str:
    """The C function `name` computing `source` (an entry of `_IN_C`)."""
    params, body = _IN_C[source]
    declared = ", ".join(f"double {p}" for p in params.split(", "))
    lines = [f"cdef inline double {name}({declared}) except? -1.0:"]
    return "\n".join(lines + [f"    {line}" for line in body]) + "\n"


def _globals() -> list[str]:
    """The rows and the functions and constants the inlined code names."""
    sources = []
    for op in OPS.values():
        names = ("x", "y")[: op.arity]
        partials = _codegen.partials_source(op, names, "out")
        sources.append(_codegen.forward_source(op, names))
        sources += [partials] if isinstance(partials, str) else partials
    code = "\n".join(sources)
    used = sorted(set(re.findall(r"\b_cg_\w+", code)))
    lines = [f'cdef object _row_{op.name} = OPS["{op.name}"]' for op in OPS.values()]
    for name in used:
        spelling, module, _ = _generate._helper_spelling(name)
        if module == "autograd.ops":
            source = f"_ops.{spelling}"
        else:  # `math.tanh`, spelt `math_tanh` in `autograd/_generated.py`
            source = f"{module}.{spelling.split('.')[-1].removeprefix(module + '_')}"
        if source in _IN_C:
            lines.append(_in_c(name, source))
            continue
        kind = "double" if isinstance(_codegen.NAMESPACE[name], float) else "object"
        lines.append(f"cdef {kind} {name} = {source}")
    return lines


def _body() -> str:
    functions = _generate._functions()
    parts = [HEADER, MEMORY, "\n".join(_globals()), "\n\n", NODE]
    parts.append("\n".join(_methods()))
    parts.append("\n\n")
    parts += [_function(op) + "\n\n\n" for op in OPS.values()]
    parts += [
        _public(op, name, reflected) + "\n\n\n" for name, op, reflected in functions
    ]
    public = sorted(op.name for op in OPS.values() if _generate._public(op))
    parts.append(
        "__all__ = [\n" + "".join(f'    "{name}",\n' for name in public) + "]\n\n"
    )
    by_name = [name for name, _, reflected in functions if not reflected]
    parts.append(
        "FUNCTIONS = {\n" + "".join(f'    "{n}": {n},\n' for n in by_name) + "}\n"
    )
    parts += [LAYOUT, TAIL]
    return "".join(parts)


def module_source() -> str:
    """The text of `autograd/_ccore.pyx` for the op table as it is now (`make gen`)."""
    body = f"{_body()}\n"
    return f'{body}{_DIGEST_LINE}"{source_digest(body)}"\n'


def main(argv: Sequence[str] | None = None) -> int:
    """`make gen`: write the Python core's files (`autograd._generate.main`),
    then autograd/_ccore.pyx; with --check, only say if any is stale."""
    stale = _generate.main(argv)
    text = module_source()
    if COMPILED.exists() and COMPILED.read_text() == text:
        return stale
    if argv is not None and "--check" in argv:
        print(f"{COMPILED} is out of date: run `make gen`", file=sys.stderr)
        return 1
    COMPILED.write_text(text)
    print(f"wrote {COMPILED}")
    return stale
