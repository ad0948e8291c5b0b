"""`make gen`: write the op functions, `autograd/_generated.py`, from the op table.

Each function is its row inlined (`autograd._codegen` gives the Python of a
row's forward and derivatives), with the operand checks and the node's
construction around it; `ValueOps` makes them Value's operators and methods.
The stub `autograd/_generated.pyi` gives their types, in terms of `Value`,
which the generated module cannot import. tests/test_generated.py fails when
either file is out of date.
"""

from __future__ import annotations

import argparse
import builtins
import math
import re
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from autograd import ops
from autograd._codegen import (
    NAMESPACE,
    forward_source,
    partials_source,
    propagates_nonfinite,
)
from autograd.ops import OPS, Op

__all__ = ["eager_source", "main", "module_source", "stub_source"]

# Rows with these symbols are Python operators: `x + y` and `2 + x`.
_BINARY_DUNDERS = {
    "+": ("__add__", "__radd__"),
    "-": ("__sub__", "__rsub__"),
    "*": ("__mul__", "__rmul__"),
    "/": ("__truediv__", "__rtruediv__"),
    "**": ("__pow__", "__rpow__"),
}
_UNARY_DUNDERS = {"neg": "__neg__", "abs": "__abs__"}


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
                f"        return unary_off_path(Value, _row_{op.name}, {a})",
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
            f'        {a}, {x} = slow_operand({a}, "{op.name}")',
        ]
    row = f"_row_{op.name}"
    if op is OPS["pow"]:
        # d/dexponent = base**exponent * log(base): a Value exponent needs a
        # base where log is real, checked before the forward's own errors.
        lines += [
            "    if x < 0.0 and b.__class__ is not float:  # a Value exponent",
            "        raise negative_base(x)",
        ]
    lines += [
        f"    out = {forward_source(op, names)}",
        "    if out - out != 0.0:  # inf - inf and nan - nan are nan",
    ]
    if deferred is not None:
        lines.append(
            f'        to_float({deferred}, "{op.name}")  # raises if not finite'
        )
    lines += [
        f"        raise overflow({row}, {', '.join(names)})",
        # The mode is read again off the fast path rather than kept in a
        # local: the fast path pays for no store and load.
        "    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace",
        f"        return made_in_mode(Value, mode_get(), {row}, "
        f"{_tuple(operands)}, {_tuple(names)}, out)",
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
"""The op functions: one per row of the op table (`autograd/ops.py`), and
`ValueOps`, the class that makes them Value's operators and methods.

Generated: do not edit. `make gen` (`autograd._generate.main`) writes this
file from the op table, and tests/test_generated.py fails when it is out of
date. Each function is its row inlined: read the operands (a Value's number,
or a constant), compute the forward value, and record a node holding the
row, the operands and the local derivative with respect to each operand,
computed here as floats (``v._d0 = y`` for ``x * y``). Backward multiplies
them by the adjoint (`autograd.value.reference_backward`).

The fast path is a Value or a float operand while the mode is plain
recording; anything else goes to the slow path (`autograd._offpath`). The
node class is not imported (it is defined above this module, by subclassing
`ValueOps`): `ValueOps.__init_subclass__` binds it when `autograd.value`
defines it.
"""

from __future__ import annotations

'''


def _helper_spelling(name: str) -> tuple[str, str, set[str]]:
    """How the generated module spells a global of the rows' code, and the
    module and names it imports for it: the function or constant under its
    own name in `autograd.ops`, or `math.sin` as `math_sin` (`sin` is an op
    function here)."""
    if name == "_cg_m":
        return "FLOAT_MATH", "autograd.ops", {"FLOAT_MATH"}
    obj = NAMESPACE[name]
    own = getattr(obj, "__name__", name.removeprefix("_cg_g_"))
    if vars(ops).get(own) is obj:
        return own, "autograd.ops", {own}
    for module in (math, builtins):  # `math.tanh` as `math_tanh`: `tanh` is ours
        if getattr(module, own, None) is obj:
            alias = f"{module.__name__}_{own}"
            return alias, module.__name__, {f"{own} as {alias}"}
    raise ValueError(f"make gen: no name to import for {name} ({obj!r})")


def _import_lines(imports: dict[str, set[str]]) -> list[str]:
    """Import statements as isort orders them: the standard library, then ours."""
    lines: list[str] = []
    for ours in (False, True):
        lines += [""] if ours else []
        plain = sorted(m for m, names in imports.items() if not names)
        lines += [f"import {m}" for m in plain if m.startswith("autograd") == ours]
        for m, names in sorted(imports.items()):
            if names and m.startswith("autograd") == ours:
                plain_names = sorted(
                    (n for n in names if " as " not in n), key=_isort_key
                )
                if plain_names:
                    lines.append(f"from {m} import {', '.join(plain_names)}")
                # isort gives each `import x as y` a line of its own.
                lines += [f"from {m} import {n}" for n in sorted(names) if " as " in n]
    return lines


def _isort_key(name: str) -> tuple[int, str]:
    """isort's order of imported names: constants, classes, then the rest."""
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name.lower()


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


def _formatted(text: str, path: Path) -> str:
    """`text` laid out by `ruff format` with the project's settings."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(path)],
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


def _methods(functions: list[tuple[str, Op, bool]]) -> list[str]:
    """`ValueOps`'s body: each function as Value's operator or method."""
    methods = []
    for name, op, reflected in functions:
        if reflected:
            methods.append(f"    {_BINARY_DUNDERS[op.symbol][1]} = {name}")
        elif op.symbol in _BINARY_DUNDERS:
            methods.append(f"    {_BINARY_DUNDERS[op.symbol][0]} = {name}")
        elif op.name in _UNARY_DUNDERS:
            methods.append(f"    {_UNARY_DUNDERS[op.name]} = {name}")
        else:
            methods.append(f"    {op.name} = {name}")
    return methods


_BINDING = """
    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The first subclass is the node class (`autograd.value.Value`): the
        # functions above test an operand's class against it and take their
        # new nodes from it, as `object.__new__(Value)` with the argument
        # tuple made once, not per node as calling `object.__new__` does.
        global Value, _new_values  # noqa: PLW0603 - bound once, by the class
        if Value is None:
            Value = cls
            _new_values = itertools.starmap(object.__new__, itertools.repeat((cls,)))
        super().__init_subclass__(**kwargs)
"""


def module_source() -> str:
    """The text of `autograd/_generated.py` for the op table as it is now."""
    functions = _functions()
    bodies = [eager_source(op, name, reflected) for name, op, reflected in functions]
    code = "\n\n".join(bodies)
    imports: dict[str, set[str]] = {
        "itertools": set(),
        "collections.abc": {"Callable", "Iterator"},
        "typing": {"Any", "overload"},
        "autograd._inputs": {"negative_base", "overflow", "to_float"},
        "autograd._modes": {"RECORDING", "mode_get"},
        "autograd._offpath": {"made_in_mode", "slow_operand", "unary_off_path"},
        "autograd.ops": {"OPS"},
    }
    for name in sorted(set(re.findall(r"\b_cg_\w+", code)), key=len, reverse=True):
        spelling, module, imported = _helper_spelling(name)
        code = re.sub(rf"\b{name}\b", spelling, code)
        imports.setdefault(module, set()).update(imported)
    public = sorted(f'"{op.name}",' for op in OPS.values() if _public(op))
    lines = [
        _HEADER.rstrip("\n"),
        "",
        *_import_lines(imports),
        "",
        "__all__: list[str] = [",
        *_indented(public),
        "]",
        "",
        "Value: Any = None  # the node class: `ValueOps.__init_subclass__` binds it",
        "_new_values: Iterator[Any] = iter(())",
        "",
    ]
    lines += [f"_row_{op.name} = OPS[{op.name!r}]" for op in OPS.values()]
    text = "\n".join(lines).replace("OPS['", 'OPS["').replace("']", '"]')
    by_name = [f'"{name}": {name},' for name, op, r in functions if not r]
    return _formatted(
        f"{text}\n\n\n{code}\n\n"
        "class ValueOps:\n"
        '    """Value\'s operators and op methods: the functions above."""\n\n'
        "    __slots__ = ()\n\n"
        + "\n".join(_methods(functions))
        + "\n"
        + _BINDING
        + "\n\nFUNCTIONS: dict[str, Callable[..., Value]] = {\n"
        + "\n".join(_indented(by_name))
        + "\n}\n"
        '"""Each table row\'s function, by the row\'s name."""\n',
        GENERATED,
    )


STUB = GENERATED.with_suffix(".pyi")

_STUB_HEADER = '''\
"""The types of `autograd/_generated.py` (generated by `make gen` too).

The op functions take and return `autograd.value.Value`, which that module
cannot import: Value is defined above it. Type checkers read this instead.
"""

from collections.abc import Callable
from typing import overload

from autograd.value import Value

'''


def stub_source() -> str:
    """The text of `autograd/_generated.pyi`: the functions' signatures."""
    functions = _functions()
    public = sorted(f'"{op.name}",' for op in OPS.values() if _public(op))
    signatures = []
    for name, op, reflected in functions:
        operands = ("a", "b")[: op.arity]
        params = operands[::-1] if reflected else operands
        if op.arity == 1:
            signatures += [
                "@overload",
                f"def {name}(a: Value) -> Value: ...",
                "@overload",
                f"def {name}(a: float) -> float: ...",
            ]
        else:
            typed = ", ".join(f"{p}: Value | float" for p in params)
            signatures.append(f"def {name}({typed}) -> Value: ...")
    return _formatted(
        _STUB_HEADER
        + "__all__: list[str] = [\n"
        + "\n".join(_indented(public))
        + "\n]\n\n"
        + "\n".join(signatures)
        + "\n\nclass ValueOps:\n"
        + "\n".join(_methods(functions))
        + "\n\nFUNCTIONS: dict[str, Callable[..., Value]]\n",
        STUB,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Write autograd/_generated.py and its stub; with --check, only say if stale."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing")
    args = parser.parse_args(argv)
    stale = [
        (path, text)
        for path, text in ((GENERATED, module_source()), (STUB, stub_source()))
        if not path.exists() or path.read_text() != text
    ]
    for path, text in stale:
        if args.check:
            print(f"{path} is out of date: run `make gen`", file=sys.stderr)
        else:
            path.write_text(text)
            print(f"wrote {path}")
    return 1 if stale and args.check else 0
