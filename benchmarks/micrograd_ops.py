"""tanh, exp and log for micrograd 0.1.0 Values, in micrograd's own closure style.

micrograd's `Value` has +, *, ** and relu; the workloads also need these,
written the way micrograd writes an op (its lecture notebook has `tanh` and
`exp` exactly like this), so it is measured as it would be extended.
"""

from __future__ import annotations

import math

from micrograd.engine import Value


def tanh(x: Value) -> Value:
    """tanh(x); d/dx = 1 - tanh(x)**2."""
    t = math.tanh(x.data)
    out = Value(t, (x,), "tanh")

    def _backward() -> None:
        x.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def exp(x: Value) -> Value:
    """e**x; d/dx = e**x."""
    out = Value(math.exp(x.data), (x,), "exp")

    def _backward() -> None:
        x.grad += out.data * out.grad

    out._backward = _backward
    return out


def log(x: Value) -> Value:
    """Natural log; d/dx = 1/x."""
    out = Value(math.log(x.data), (x,), "log")

    def _backward() -> None:
        x.grad += (1 / x.data) * out.grad

    out._backward = _backward
    return out
