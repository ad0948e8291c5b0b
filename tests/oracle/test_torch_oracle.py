"""PyTorch as an independent oracle: every op row, first and second derivatives.

Run with `make oracle` (installs torch==2.13.0); `make test` does not collect
this folder, so the package and its test suite never depend on PyTorch.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch.nn import functional

from autograd import Value
from autograd.ops import OPS, Op

TORCH: dict[str, Callable[..., Any]] = {
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": torch.div,
    "pow": torch.pow,
    "neg": torch.neg,
    "abs": torch.abs,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "sin": torch.sin,
    "cos": torch.cos,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "softplus": functional.softplus,
    "erf": torch.erf,
    "gelu": functional.gelu,
    "leaky_relu": lambda x, s: torch.where(x > 0, x, s * x),
    "elu": lambda x, a: torch.where(x > 0, x, a * torch.expm1(x)),
}


def _points(row: Op, n: int = 25) -> list[tuple[float, ...]]:
    rng = random.Random(row.name)
    points = []
    while len(points) < n:
        p = tuple(rng.uniform(lo, hi) for lo, hi in row.sample)
        if all(abs(p[0] - k) > 1e-3 for k in row.kinks):
            points.append(p)
    return points


@pytest.mark.parametrize("name", list(OPS))
def test_every_row_has_a_torch_reference(name: str) -> None:
    assert name in TORCH, f"add a PyTorch reference for the new op {name!r}"


@pytest.mark.parametrize("name", list(OPS))
def test_value_first_and_second_derivatives_match_torch(name: str) -> None:
    row = OPS[name]
    for point in _points(row):
        ours = [Value(x) for x in point]
        out = _apply(name, ours)
        out.backward(create_graph=True)
        firsts = [v.grad for v in ours]

        theirs = [
            torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point
        ]
        ref = TORCH[name](*theirs)
        ref_firsts = torch.autograd.grad(
            ref, theirs, create_graph=True, allow_unused=True
        )

        assert out.data == pytest.approx(ref.item(), rel=1e-12, abs=1e-14)
        for i, (g, rg) in enumerate(zip(firsts, ref_firsts, strict=True)):
            assert float(g) == pytest.approx(_item(rg), rel=1e-10, abs=1e-12), (
                name,
                point,
                i,
            )
            # Second derivatives: differentiate d(out)/d(x_i) again.
            if not isinstance(g, Value) or rg is None or not rg.requires_grad:
                continue
            for v in ours:
                v.grad = 0.0
            g.backward()
            ref_seconds = torch.autograd.grad(
                rg, theirs, retain_graph=True, allow_unused=True
            )
            for j, (v, rs) in enumerate(zip(ours, ref_seconds, strict=True)):
                assert float(v.grad) == pytest.approx(_item(rs), rel=1e-9, abs=1e-10), (
                    name,
                    point,
                    i,
                    j,
                )


def _apply(name: str, operands: list[Value]) -> Value:
    a = operands[0]
    methods: dict[str, Callable[[], Value]] = {
        "add": lambda: a + operands[1],
        "sub": lambda: a - operands[1],
        "mul": lambda: a * operands[1],
        "div": lambda: a / operands[1],
        "pow": lambda: a ** operands[1],
        "neg": lambda: -a,
        "abs": lambda: abs(a),
        "leaky_relu": lambda: a.leaky_relu(operands[1]),
        "elu": lambda: a.elu(operands[1]),
    }
    result: Value = methods[name]() if name in methods else getattr(a, name)()
    return result


def _item(t: torch.Tensor | None) -> float:
    return 0.0 if t is None else float(t.item())
