"""The seam between the core and every layer above it.

The core is the node, the op functions and backward: `autograd.value` (the
`Value` class and `reference_backward`), `autograd._generated` (one op
function per row of the op table) and `autograd._sweep` (the fast sweep).
Every module above the core imports these names from
here and nowhere else, and uses a node only through them and its slots
(`_data`, `_grad`, `_row`, `_p0`, `_p1`, `_d0`, `_d1`, `_g`), never
changing the class. A compiled core with the same semantics takes the place
of exactly these names:

- ``CORE``: which core runs, "compiled" or "python" (SCALARGRAD_PURE=1);
- ``Value``: the node.
- the op functions: ``add``, ``sub``, ``mul``, ``div``, ``pow``, ``neg``, ``abs``,
  ``exp``, ``log``, ``sqrt``, ``sin``, ``cos``, ``tanh``, ``sigmoid``,
  ``relu``, ``softplus``, ``erf``, ``gelu``, ``leaky_relu``, ``elu``,
  ``maximum``, and ``FUNCTIONS``, each row's function by the row's name;
- ``apply(op, operands)``: any row (a user's too) on Values and numbers;
- ``leaf(data, cls=None)``: a new leaf without the checks of ``Value(...)``;
- ``reference_backward``, ``backward_fast``, ``backward_order`` and
  ``backward_with_order``: the chain rule, slow and fast, and its order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# The op functions of the core that runs (`autograd.value.CORE`): the Python
# core's by name (their types, `autograd/_generated.pyi`), replaced by the
# compiled core's, which its `FUNCTIONS` lists by the same names.
from autograd._generated import (
    FUNCTIONS,
    abs,
    add,
    cos,
    div,
    elu,
    erf,
    exp,
    gelu,
    leaky_relu,
    log,
    maximum,
    mul,
    neg,
    pow,
    relu,
    sigmoid,
    sin,
    softplus,
    sqrt,
    sub,
    tanh,
)
from autograd.value import (
    CORE,
    Value,
    apply,
    backward_fast,
    backward_order,
    backward_with_order,
    leaf,
    reference_backward,
)

if not TYPE_CHECKING and CORE == "compiled":
    from autograd._ccore import FUNCTIONS

    globals().update(FUNCTIONS)

__all__ = [
    "CORE",
    "FUNCTIONS",
    "Value",
    "abs",
    "add",
    "apply",
    "backward_fast",
    "backward_order",
    "backward_with_order",
    "cos",
    "div",
    "elu",
    "erf",
    "exp",
    "gelu",
    "leaf",
    "leaky_relu",
    "log",
    "maximum",
    "mul",
    "neg",
    "pow",
    "reference_backward",
    "relu",
    "sigmoid",
    "sin",
    "softplus",
    "sqrt",
    "sub",
    "tanh",
]
