"""The names `autograd.engine` has always offered, from their homes today.

The engine is now layered (README, "How the engine works"): the core is
`autograd.value` with the op functions of `autograd._generated`, reached
through `autograd.core`; each layer above has a module of its own. Import
from `autograd` itself in new code.
"""

from __future__ import annotations

from autograd._anomaly import detect_anomaly
from autograd._binary import elu, leaky_relu, maximum
from autograd._create_graph import VALUE_MATH, gradients_may_be_values
from autograd._grad_mode import no_grad
from autograd._hooks import HookHandle, has_hooks
from autograd._modes import is_grad_enabled
from autograd.core import (
    Value,
    backward_order,
    backward_with_order,
    cos,
    erf,
    exp,
    gelu,
    log,
    reference_backward,
    relu,
    sigmoid,
    sin,
    softplus,
    sqrt,
    tanh,
)

__all__ = [
    "VALUE_MATH",
    "HookHandle",
    "Value",
    "backward_order",
    "backward_with_order",
    "cos",
    "detect_anomaly",
    "elu",
    "erf",
    "exp",
    "gelu",
    "gradients_may_be_values",
    "has_hooks",
    "is_grad_enabled",
    "leaky_relu",
    "log",
    "maximum",
    "no_grad",
    "reference_backward",
    "relu",
    "sigmoid",
    "sin",
    "softplus",
    "sqrt",
    "tanh",
]
