"""Numbers in: what an operand, a gradient or a rule's result may be, and the
message that names the op and the operand when it is not.

Every check of user input lives here, so every op, setter and rule says the
same thing about the same mistake. A node is recognised as a `Node`, the
abstract class the core registers `Value` with: nothing here imports it.
"""

from __future__ import annotations

import abc
import math
import numbers
from typing import Any

from autograd.ops import Op, OpDomainError

__all__ = [
    "Node",
    "checked_partials",
    "describe",
    "negative_base",
    "on_floats",
    "overflow",
    "to_float",
    "to_gradient",
]


class Node(abc.ABC):
    """What a graph node is to the code under the core: `Value` is registered."""

    _data: float  # the node's number, in a slot of the class registered


def describe(x: object) -> str:
    """Type and a short repr: a hostile operand must not make a huge message."""
    if isinstance(x, int) and x.bit_length() > 256:
        # repr of an int past sys.get_int_max_str_digits() raises ValueError.
        text = f"<about {x.bit_length() * 0.30103:.0f} digits>"
    elif isinstance(x, Node):  # the library's message: not a read by the user
        text = f"Value(data={x._data!r})"
    else:
        try:
            text = repr(x)
        except Exception:
            text = "<repr failed>"
        if len(text) > 80:
            text = text[:77] + "..."
    return f"{type(x).__name__} {text}"


def to_float(x: object, where: str) -> float:
    """A finite float from a real number, or a TypeError/ValueError saying where."""
    if type(x) is float:
        f = x
    elif isinstance(x, bool) or not isinstance(x, numbers.Real):
        hint = " (use .data for its number)" if isinstance(x, Node) else ""
        raise TypeError(f"{where}: expected a real number, got {describe(x)}{hint}")
    else:
        try:
            f = float(x)
        except OverflowError:
            msg = f"{where}: {describe(x)} is too large for a float"
            raise OverflowError(msg) from None
    if f - f != 0.0:  # inf - inf and nan - nan are nan; finite - itself is 0
        raise ValueError(f"{where}: expected a finite number, got {f!r}")
    return f


def to_gradient(x: object, where: str, values: bool) -> Any:
    """A gradient from `x`: any float backward could give (inf, nan), or, with
    `values` (create_graph gradients), a node; a TypeError otherwise."""
    if type(x) is float or (values and isinstance(x, Node)):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{where}: expected a real number, got {describe(x)}")
    try:
        return float(x)
    except OverflowError:
        msg = f"{where}: {describe(x)} is too large for a float"
        raise OverflowError(msg) from None


def overflow(op: Op, *operands: float) -> OverflowError:
    """The error for `op` whose result on `operands` is not a finite float."""
    args = ", ".join(repr(x) for x in operands)
    return OverflowError(f"{op.name}: result of {op.name}({args}) overflows a float")


def negative_base(x: float) -> OpDomainError:
    """The error for ``x ** y`` with a Value exponent `y` and a base `x` < 0."""
    return OpDomainError(
        "pow: base must be >= 0 when the exponent is a Value "
        f"(d/dexponent = base**exponent * log(base)), got base {x!r}"
    )


def on_floats(op: Op, *operands: object) -> float:
    """`op` on plain numbers: the same checks as on Values, and a float out."""
    floats = [to_float(x, op.name) for x in operands]
    out = op.forward(*floats)
    if out - out != 0.0:
        raise overflow(op, *floats)
    return out


def checked_partials(
    op: Op, floats: tuple[float, ...], partials: object
) -> tuple[float, ...]:
    """A user's derivative rule's result as floats, one per operand, or an error.

    An infinite slope is kept, as the table's rows give one where the
    derivative diverges (`sqrt` at 0) or overflows; nan is refused: no row
    of the table gives it, and it would silently poison every gradient.
    """
    where = f"primitive {op.name} at {floats!r}: the derivative rule"
    if not isinstance(partials, tuple | list) or len(partials) != op.arity:
        raise TypeError(
            f"{where} returned {describe(partials)}; it must return a tuple of "
            f"{op.arity} local derivative(s), one per operand, such as "
            + ("(d_dx,)" if op.arity == 1 else "(d_dx, d_dy)")
        )
    each = f"{where} (each local derivative must be a real number)"
    checked = tuple(float(to_gradient(d, each, values=False)) for d in partials)
    if any(math.isnan(d) for d in checked):
        raise ValueError(f"{where} returned {checked!r}: a local derivative is nan")
    return checked
