"""The soundness rule of `autograd.compile`, property-tested on random programs.

A program is a few lines of Python on Values: ops (some with domain errors),
branches on comparisons, dead values, `detach()`, ops under `no_grad`,
`autograd.maximum`, loops whose copies read the previous copy, a list of
a model's outputs then a total over them (in their order or not), user
primitives whose derivative rules misbehave past a point (nan, a complex or
NumPy number, a bool, None, an int too large for a float, the wrong number
of partials, an error of their own), and sometimes a read of a Value's
number. It is called
with aliased arguments (the same Value twice, the captured leaf as an
argument) and with new numbers on every call. Every call must equal eager
bit for bit (value, every gradient) or raise eager's error type; a program
that reads a number is refused with a TypeError.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from floats import all_bits
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_compile_loops import READINGS  # the orders a total reads a list in

import autograd
from autograd import Value, compile, no_grad

UNARY: dict[str, Callable[[Value], Value]] = {
    "exp": Value.exp,
    "log": Value.log,
    "sqrt": Value.sqrt,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "neg": operator.neg,
    "abs": operator.abs,
    "sin": Value.sin,
}
BINARY: dict[str, Callable[[object, object], Value]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "pow": operator.pow,
    "maximum": autograd.maximum,  # type: ignore[dict-item]
}

# What a user's derivative rule returns, for its last operand, past its
# threshold: what eager refuses or converts, and what it raises itself.
MISBEHAVIOURS: dict[str, object] = {
    "fine": 0.25,
    "nan": float("nan"),
    "complex": 1j,
    "numpy": np.float32(0.1),
    "bool": True,
    "none": None,
    "huge int": 10**400,
    "inf": float("inf"),
}


def _rule(bad: str, arity: int, threshold: float) -> Callable[..., object]:
    def rule(m: object, x: float, *rest: float) -> object:
        good = (0.75,) if arity == 1 else (rest[0], x)
        if x <= threshold:
            return good
        if bad == "arity":
            return (*good, 1.0)
        if bad == "raises":
            return 1.0 / (x - x)
        return (*good[:-1], MISBEHAVIOURS[bad])

    return rule


_USER: dict[tuple[str, int, float], Callable[..., Value]] = {}


def user_primitive(bad: str, arity: int, threshold: float) -> Callable[..., Value]:
    """A primitive whose rule misbehaves (`bad`) where x > threshold."""
    key = (bad, arity, threshold)
    if key not in _USER:
        forward = (lambda x: 0.75 * x) if arity == 1 else (lambda x, y: x * y)
        made = autograd.primitive(
            derivative=_rule(bad, arity, threshold), name=f"user{arity}"
        )(forward)
        _USER[key] = made  # type: ignore[assignment]
    return _USER[key]


USER_KINDS = sorted([*MISBEHAVIOURS, "arity", "raises"])

# One line: (kind, row name, operand registers, a constant).
Line = tuple[str, str, tuple[int, ...], float]

constants = st.sampled_from([-2.0, -0.5, -0.0, 0.0, 0.5, 1.0, 2.0, 3.0])


KINDS = [
    "unary",
    "binary",
    "const",
    "branch",
    "max",
    "detach",
    "no_grad",
    "read",
    "loop",
    "mapped",
    "user",
]


@st.composite
def lines(draw: st.DrawFn, registers: int, kinds: list[str] = KINDS) -> Line:
    reg = st.integers(0, registers - 1)
    kind = draw(st.sampled_from(kinds))
    c = draw(constants)
    if kind == "unary":
        return (kind, draw(st.sampled_from(sorted(UNARY))), (draw(reg),), c)
    if kind == "user":
        arity = draw(st.integers(1, 2))
        bad = draw(st.sampled_from(USER_KINDS))
        return (kind, bad, tuple(draw(reg) for _ in range(arity)), c)
    if kind == "mapped":
        row = draw(st.sampled_from(sorted(BINARY)))
        reading = draw(st.sampled_from(sorted(READINGS)))
        return (kind, f"{row} {reading}", (draw(reg), draw(reg)), c)
    if kind in ("binary", "branch", "max", "loop"):
        row = draw(st.sampled_from(sorted(BINARY)))
        return (kind, row, (draw(reg), draw(reg)), c)
    if kind == "no_grad":
        row = draw(st.sampled_from(sorted(BINARY)))
        return (kind, row, (draw(reg),), c)
    return (kind, draw(st.sampled_from(sorted(BINARY))), (draw(reg),), c)


@dataclass
class Program:
    """Lines over registers: the two arguments, the captured leaf, each line's value."""

    lines: list[Line]
    outputs: list[int]  # registers summed into the output; the others are dead

    def reads(self) -> bool:
        return any(kind == "read" for kind, _, _, _ in self.lines)

    def run(self, a: Value, b: Value, w: Value) -> Value:
        regs = [a, b, w]
        for kind, row, operands, c in self.lines:
            x = regs[operands[0]]
            if kind == "unary":
                regs.append(UNARY[row](x))
            elif kind == "binary":
                regs.append(BINARY[row](x, regs[operands[1]]))
            elif kind == "const":
                regs.append(BINARY[row](x, c))
            elif kind == "branch":  # a comparison: a guard
                y = regs[operands[1]]
                regs.append(x * c if x > y else y - c)
            elif kind == "max":  # Python's max compares too
                regs.append(max(x, regs[operands[1]]) * 1.5)
            elif kind == "detach":
                regs.append(x.detach() * x)
            elif kind == "loop":  # copies each reading the previous: a loop
                acc, y = x, regs[operands[1]]
                for k in range(12):
                    acc = BINARY[row](acc, y) * 0.5 + 0.01 * k
                    if c > 0:
                        acc = acc + acc.detach() * c
                regs.append(acc)
            elif kind == "mapped":  # outputs listed first, then a total
                op, reading = row.split(" ", 1)
                y = regs[operands[1]]
                outs = [BINARY[op](x * (0.1 * k + c), y) + 0.5 for k in range(12)]
                acc = 0.0
                for k in READINGS[reading](len(outs)):
                    acc = acc + (outs[k] - 0.05 * k) ** 2
                regs.append(acc)
            elif kind == "user":  # its rule misbehaves where x > c
                f = user_primitive(row, len(operands), c)
                regs.append(f(*(regs[k] for k in operands)))
            elif kind == "no_grad":
                with no_grad():
                    made = BINARY[row](x, c)
                regs.append(made + x)
            else:  # a data-dependent number: compile must refuse it
                regs.append(x * x.data)
        out = regs[self.outputs[0]]
        for k in self.outputs[1:]:
            out = out + regs[k]
        return out if isinstance(out, Value) else a * 0.0 + out


@st.composite
def programs(draw: st.DrawFn, kinds: list[str] = KINDS) -> Program:
    body: list[Line] = []
    for registers in range(3, 3 + draw(st.integers(1, 7))):
        body.append(draw(lines(registers, kinds)))
    total = 3 + len(body)
    outputs = draw(
        st.lists(st.integers(0, total - 1), min_size=1, max_size=3, unique=True)
    )
    return Program(body, outputs)


# How a call passes its arguments: two fresh Values, the same one twice, or
# the captured leaf as an argument.
ALIASINGS = ["distinct", "same twice", "w first", "w second"]
numbers = st.sampled_from(
    [-3.0, -1.0, -0.7, -0.5, -0.0, 0.0, 0.1, 0.25, 1 / 3, 0.5, 1.0, 2.0, 800.0]
)


def arguments(aliasing: str, x: Value, y: Value, w: Value) -> tuple[Value, Value]:
    return {
        "distinct": (x, y),
        "same twice": (x, x),
        "w first": (w, y),
        "w second": (x, w),
    }[aliasing]


def check_against_eager(
    program: Program, calls: list[tuple[str, float, float, float]]
) -> None:
    """Each call compiled equals the same call eager, in two worlds of Values."""
    world_e = [Value(0.0), Value(0.0), Value(0.0)]  # x, y, w
    world_c = [Value(0.0), Value(0.0), Value(0.0)]
    w_e, w_c = world_e[2], world_c[2]
    step = compile(lambda a, b: program.run(a, b, w_c))
    for aliasing, x, y, w in calls:
        for world in (world_e, world_c):
            world[0].data, world[1].data, world[2].data = x, y, w
        args_e = arguments(aliasing, world_e[0], world_e[1], w_e)
        args_c = arguments(aliasing, world_c[0], world_c[1], w_c)
        try:
            out = program.run(*args_e, w_e)
            out.backward()
            expected = out.data
        except (ArithmeticError, ValueError, TypeError) as error:
            # A program that reads a number may fail before or after the read.
            refused = (TypeError,) if program.reads() else ()
            with pytest.raises((type(error), *refused)):
                step(*args_c)
        else:
            if program.reads():
                with pytest.raises(TypeError, match="read the number of a Value"):
                    step(*args_c)
                return
            assert all_bits([step(*args_c)]) == all_bits([expected])
        # Gradients add up over the calls: they must agree after every one.
        assert all_bits([v.grad for v in world_c]) == all_bits(
            [v.grad for v in world_e]
        )
    event("replayed as loops" if "for " in step.source else "straight-line or eager")


calls = st.lists(
    st.tuples(st.sampled_from(ALIASINGS), numbers, numbers, numbers),
    min_size=2,
    max_size=6,
)


@given(program=programs(), calls=calls)
def test_every_call_equals_eager_or_is_refused(
    program: Program, calls: list[tuple[str, float, float, float]]
) -> None:
    check_against_eager(program, calls)


@given(
    program=programs(["user", "user", "user", "binary", "const", "branch", "loop"]),
    calls=calls,
)
def test_misbehaving_derivative_rules_replay_as_eager(
    program: Program, calls: list[tuple[str, float, float, float]]
) -> None:
    # Traced where each rule is fine or not, replayed where it is or not:
    # every call raises eager's error with every gradient left as eager
    # leaves it, or equals eager.
    check_against_eager(program, calls)


@given(
    program=programs(["mapped", "mapped", "binary", "const", "unary", "loop"]),
    calls=calls,
)
def test_totals_over_lists_of_outputs_replay_as_eager(
    program: Program, calls: list[tuple[str, float, float, float]]
) -> None:
    # Rolled with the outputs they read only when they read them in order.
    check_against_eager(program, calls)


@pytest.mark.slow
@settings(max_examples=2000)
@given(program=programs(), calls=calls)
def test_every_call_equals_eager_or_is_refused_on_thousands_of_programs(
    program: Program, calls: list[tuple[str, float, float, float]]
) -> None:
    check_against_eager(program, calls)
