"""The two-operand ops that are also public functions, on Values or numbers.

`autograd.maximum(2.0, 3.0)` is 3.0, a plain float; given a Value it is the
op function of the core, recording a node. (The one-operand op functions do
both themselves; an operator such as `+` needs no public function.)
"""

from __future__ import annotations

from autograd._inputs import on_floats
from autograd.core import Value
from autograd.core import elu as _elu
from autograd.core import leaky_relu as _leaky_relu
from autograd.core import maximum as _maximum
from autograd.ops import OPS

__all__ = ["elu", "leaky_relu", "maximum"]


def leaky_relu(x: Value | float, slope: Value | float = 0.01) -> Value | float:
    """x for x > 0 else slope * x, on Values or plain numbers."""
    if isinstance(x, Value) or isinstance(slope, Value):
        return _leaky_relu(x, slope)
    return on_floats(OPS["leaky_relu"], x, slope)


def elu(x: Value | float, alpha: Value | float = 1.0) -> Value | float:
    """x for x > 0 else alpha * (e**x - 1), on Values or plain numbers."""
    if isinstance(x, Value) or isinstance(alpha, Value):
        return _elu(x, alpha)
    return on_floats(OPS["elu"], x, alpha)


def maximum(x: Value | float, y: Value | float) -> Value | float:
    """The larger of x and y, on Values or plain numbers (0.5 each way at a tie)."""
    if isinstance(x, Value) or isinstance(y, Value):
        return _maximum(x, y)
    return on_floats(OPS["maximum"], x, y)
