"""The names `autograd.engine` has always offered, from their homes today.

The engine is now layered (README, "How the engine works"): the core is
`autograd.value` with the op functions of `autograd._generated`, reached
through `autograd.core`; each layer above has a module of its own. Import
from `autograd` itself in new code. (`autograd.compile` still imports the
private names at the end from here: its own branch moves them to their
homes, `autograd._modes` and `autograd._hooks`.)
"""

from __future__ import annotations

from autograd._anomaly import detect_anomaly
from autograd._binary import elu, leaky_relu, maximum
from autograd._create_graph import VALUE_MATH, gradients_may_be_values
from autograd._grad_mode import no_grad
from autograd._hooks import HookHandle, has_hooks, hooks_now
from autograd._inputs import checked_partials
from autograd._modes import RECORDING, TRACING, is_grad_enabled, mode, tracer
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

# `autograd.compile` still reads these private names here.
_RECORD = RECORDING
_TRACE = TRACING
_mode = mode
_tracer = tracer
_hooks_now = hooks_now
_checked_partials = checked_partials

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
