"""A scalar reverse-mode autograd engine.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = x * x + 3 * x
>>> y.backward()
>>> x.grad
7.0
"""

from __future__ import annotations

from autograd import (
    _display,
    _pickle,  # noqa: F401 - registers Value's pickling with copyreg
)
from autograd._anomaly import detect_anomaly
from autograd._binary import elu, leaky_relu, maximum
from autograd._grad_mode import no_grad
from autograd._modes import is_grad_enabled
from autograd.check import gradcheck
from autograd.compile import Compiled, compile
from autograd.core import (
    CORE,
    Value,
    cos,
    erf,
    exp,
    gelu,
    log,
    relu,
    sigmoid,
    sin,
    softplus,
    sqrt,
    tanh,
)
from autograd.explain import explain
from autograd.forward import jacfwd, jvp
from autograd.functional import grad, hessian, jacobian, value_and_grad
from autograd.graph import topological_order
from autograd.ops import OPS, OpDomainError
from autograd.primitive import Primitive, primitive

_display.register()  # in a notebook, a Value shows its graph

__all__ = [
    "CORE",
    "OPS",
    "Compiled",
    "OpDomainError",
    "Primitive",
    "Value",
    "compile",
    "cos",
    "detect_anomaly",
    "elu",
    "erf",
    "exp",
    "explain",
    "gelu",
    "grad",
    "gradcheck",
    "hessian",
    "is_grad_enabled",
    "jacfwd",
    "jacobian",
    "jvp",
    "leaky_relu",
    "log",
    "maximum",
    "no_grad",
    "primitive",
    "relu",
    "sigmoid",
    "sin",
    "softplus",
    "sqrt",
    "tanh",
    "topological_order",
    "value_and_grad",
]
