"""compile's stages print, and name every value as the generated source does.

trace -> tape (`step.tape`) -> loop rolling (`step.rolled`) -> adjoint
(`step.adjoint`) -> Python (`step.source`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, compile
from autograd.testing import Expression, expressions

# The names a stage gives values: inputs, leaves and equations of the tape
# (i0, c0, e3), and a loop's template values, constants, own leaves, carried
# values and outputs (t0_3, k0_1, x0_0, xc0_2, o0_3, xe0_2).
NAME = re.compile(r"\b(?:[ice]\d+|(?:t|k|x|xc|o|xe)\d+_\d+)\b")


def batch(model: nn.MLP) -> Value:
    """A model on each example given as Values, a loss summed over them."""
    X = [[0.1 * k, 1.0 - 0.05 * k] for k in range(6)]
    scores = [model([Value(a) for a in x]) for x in X]
    total = sum(((s - 0.5) ** 2 for s in scores), Value(0.0))
    assert isinstance(total, Value)
    return total


def programs() -> dict[str, tuple[Callable[..., Value], list[Value]]]:
    """Straight-line code, a loop over examples, a loop carrying a value."""
    w = Value(0.3, label="w")
    model = nn.MLP(2, [3, 1], seed=0)

    def recurrence(y: Value) -> Value:
        for k in range(40):
            y = (0.5 * y + 0.01 * k).tanh()
        return y

    return {
        "straight": (lambda x: (w * x + 1.0).tanh() * x, [Value(2.0)]),
        "examples": (lambda: batch(model), []),
        "carried": (recurrence, [Value(0.2)]),
    }


def names(text: str) -> set[str]:
    return set(NAME.findall(text))


def test_every_stage_is_empty_before_the_first_call() -> None:
    step = compile(lambda x: x * 2.0)
    assert (step.tape, step.rolled, step.adjoint, step.source) == (None, None, "", "")


@pytest.mark.parametrize("name", list(programs()))
def test_the_source_names_values_as_the_rolled_tape_prints_them(name: str) -> None:
    f, args = programs()[name]
    step = compile(f)
    step(*args)
    assert names(step.source) <= names(str(step.rolled))
    assert names(step.adjoint) <= names(str(step.rolled))


@given(shape=expressions(max_leaves=3, max_length=16), x=st.floats(0.1, 2.0))
def test_on_random_graphs_the_source_uses_the_tape_names(
    shape: Expression, x: float
) -> None:
    w = Value(0.7)  # the last leaf is reached from inside, a parameter

    def f(*xs: Value) -> Value:
        out = shape(*[*xs, w][-shape.n_leaves :])
        return out if isinstance(out, Value) else xs[0] * 0.0 + out

    step = compile(f)
    try:
        step(*(Value(x + k) for k in range(3)))
    except (ArithmeticError, ValueError):
        return
    assert step.rolled is not None and step.tape is not None
    assert names(step.source) <= names(str(step.rolled))
    assert names(step.adjoint) <= names(str(step.rolled))


def test_a_loop_prints_as_its_template() -> None:
    f, args = programs()["examples"]
    step = compile(f)
    step(*args)
    rolled = str(step.rolled)
    assert rolled.startswith("rolled(") and "loop 0: 6 copies of e0.." in rolled
    assert "    t0_0 = mul(c0, x0_0)" in rolled
    assert "t0_0" not in str(step.tape)  # the tape has every copy instead


def test_a_carried_value_prints_where_it_starts() -> None:
    f, args = programs()["carried"]
    step = compile(f)
    step(*args)
    assert re.search(r"xc0_(\d+) = e0, then t0_\1 of the copy before", str(step.rolled))


@pytest.mark.parametrize("name", list(programs()))
def test_the_adjoint_is_the_backward_part_of_the_source(name: str) -> None:
    f, args = programs()[name]
    step = compile(f)
    step(*args)
    header, *lines = step.adjoint.splitlines()
    assert header.startswith("adjoint(of: ")
    body = "\n".join(line[2:] for line in lines)
    assert "\n".join(line[4:] for line in step.source.splitlines()).count(body) == 1
    assert "._grad +=" in body


def test_a_user_rule_is_checked_in_the_forward_and_read_in_the_adjoint() -> None:
    p = autograd.primitive(derivative=lambda m, x, out: (2.0,), name="p")(
        lambda x: 2.0 * x
    )
    step = compile(lambda x: p(x) * x)
    step(Value(0.5))
    assert "d_e0 = _cg_checked(" in step.source
    assert "d_e0[0]" in step.adjoint
