"""demos/fit_formula.py: the fit's gradients, eager and compiled, are right."""

from __future__ import annotations

import importlib
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, compile, gradcheck

ROOT = Path(__file__).resolve().parents[1]

parameters = st.fixed_dictionaries(
    {
        "A": st.floats(0.5, 3.0),
        "g": st.floats(0.0, 1.0),
        "w": st.floats(1.0, 5.0),
        "p": st.floats(-math.pi, math.pi),
        "c": st.floats(-1.0, 1.0),
    }
)
measurements = st.lists(
    st.tuples(st.floats(0.0, 10.0), st.floats(-2.0, 2.0)), min_size=1, max_size=8
)


@pytest.fixture(scope="module")
def fit() -> Any:
    """The demo module (it imports its sibling _common)."""
    import sys

    sys.path.insert(0, str(ROOT / "demos"))
    try:
        return importlib.import_module("fit_formula")
    finally:
        sys.path.remove(str(ROOT / "demos"))


@given(at=parameters, data=measurements)
def test_the_losss_gradient_matches_finite_differences(
    fit: Any, at: dict[str, float], data: list[tuple[float, float]]
) -> None:
    ts, xs = [t for t, _ in data], [x for _, x in data]

    def loss(A: Value, g: Value, w: Value, p: Value, c: Value) -> Value:
        def model(t: float) -> Value:
            return fit.formula(t, A=A, g=g, w=w, p=p, c=c)

        return fit.loss(model, ts, xs)

    assert gradcheck(loss, *(at[name] for name in "Agwpc"), atol=1e-5, rtol=1e-4)


@given(at=parameters, data=measurements)
def test_the_compiled_step_gives_the_eager_gradients_bit_for_bit(
    fit: Any, at: dict[str, float], data: list[tuple[float, float]]
) -> None:
    ts, xs = [t for t, _ in data], [x for _, x in data]
    model = fit.DampedOscillation(**at)
    step = compile(lambda: fit.loss(model, ts, xs))
    replays = []
    for _ in range(2):  # the first call traces, the second replays
        model.zero_grad()
        replays.append([step(), *(p.grad for p in model.parameters())])
    model.zero_grad()
    eager = fit.loss(model, ts, xs)
    eager.backward()
    expected = [eager.data, *(p.grad for p in model.parameters())]
    assert repr(replays) == repr([expected, expected])


def test_the_model_names_its_parameters_after_the_formula(fit: Any) -> None:
    model = fit.DampedOscillation(**fit.GUESS)
    assert [p.label for p in model.parameters()] == ["A", "g", "w", "p", "c"]
