"""What makes a replay sound: the checks a trace and every call go through.

The rule: a call replays only when eager, run on the same arguments, would
build the same tape; then the replay does what eager does, op by op, with
the same floats. Each way eager could build another tape, or could act
differently on the same one, is closed here or refused:

- the arguments: their structure (nesting, numbers, which Values are the
  same) is the cache key, and how arguments alias the leaves `f` captures
  is checked on every call (`Aliasing`);
- the numbers of Values: a comparison is a guard, checked on every call; a
  number read out of a Value inside `f` (``v.data``, ``float(v)``) would
  be baked into the tape, so it is refused (`read_refused`);
- the errors: every equation is computed and checked on every call, used or
  not; what eager checks beyond an op's own row (`engine_checks`, and a
  user's derivative rule, run as the node is made and checked by eager's own
  `_checked_partials`) is checked too, and a replay that fails in any way
  runs eagerly instead, so the error raised is the eager one;
- the gradients: a replay writes them last, once nothing can fail, so a
  call that raises leaves them as eager does. Adding to a gradient can fail
  only if it is a Value (after ``create_graph``): once one has been, a call
  whose gradients are not all floats runs eagerly.
"""

from __future__ import annotations

import struct
from collections.abc import Hashable, Sequence
from typing import Any, Final, final

from autograd.core import Value
from autograd.ops import OPS, Op

__all__ = ["Aliasing", "engine_checks", "read_refused", "structure", "with_proxies"]

# The engine's `**` refuses a negative base when the exponent is a Value
# (d/dexponent needs log(base)); that check lives outside the row.
_POW: Final = OPS["pow"]


def engine_checks(row: Op, args: Sequence[str], constant: Sequence[bool]) -> list[str]:
    """Conditions (Python source) under which eager raises though `row` would not."""
    if row is _POW and not constant[1] and not constant[0]:
        return [f"{args[0]} < 0.0"]
    return []


def read_refused(v: Value) -> TypeError:
    """The error for a number read out of a Value while `f` is traced."""
    return TypeError(
        f"compile: the function read the number of a Value (data={v._data!r}) "
        "while being traced (v.data, v.item() or float(v)); a replay would reuse "
        "that number, silently stale. Compare instead (v > 0, max(a, b): compile "
        "checks comparisons on every call), use an op (autograd.maximum, abs, "
        "relu), or v.detach() for a value that takes no gradient"
    )


def structure(args: tuple[Any, ...], inputs: list[Value]) -> Hashable:
    """A key for what the trace depends on in `args`; the Values go to `inputs`."""
    # The common call, distinct leaf Values only, keyed by their number.
    for a in args:
        if a.__class__ is not Value or a._row is not None:
            return _nested(args, inputs)
    if len(set(args)) != len(args):  # Values hash by identity
        return _nested(args, inputs)
    inputs.extend(args)
    return len(args)


def _nested(arg: object, inputs: list[Value]) -> Hashable:
    if isinstance(arg, Value):
        if arg._row is not None:
            raise TypeError(
                f"compile: an argument must be a leaf Value (got one made by "
                f"{arg.op!r}); detach() it or pass the leaves it was made from"
            )
        # Which earlier input the same Value was: aliasing changes the graph.
        for i, seen in enumerate(inputs):
            if seen is arg:
                return ("same as input", i)
        inputs.append(arg)
        return "input"
    if type(arg) in (list, tuple) or _is_namedtuple(arg):
        return (type(arg), tuple(_nested(a, inputs) for a in arg))  # type: ignore[attr-defined]
    if type(arg) is dict:
        # Keys are hashable already; their order is part of the structure.
        return (dict, tuple((k, _nested(v, inputs)) for k, v in arg.items()))
    if isinstance(arg, float):
        return (float, struct.pack("<d", arg))  # bits: -0.0 is not 0.0 here
    if isinstance(arg, set | frozenset):
        raise TypeError(
            "compile: a set among the arguments has no fixed order, so neither "
            "has the graph f builds from it; pass a list or a tuple"
        )
    try:
        hash(arg)
    except TypeError:
        raise TypeError(
            f"compile: cannot tell whether an argument of type {type(arg).__name__} "
            "changed between calls (it is unhashable); pass Values, numbers, "
            "lists, tuples or dicts of them, or reach it from inside f"
        ) from None
    if type(arg).__hash__ is object.__hash__:
        return (type(arg), id(arg), arg)  # the object itself keeps its id unique
    return (type(arg), arg)


def _is_namedtuple(arg: object) -> bool:
    return isinstance(arg, tuple) and hasattr(type(arg), "_fields")


def with_proxies(arg: Any, proxy: dict[Value, Value]) -> Any:
    """`arg` rebuilt with each input Value replaced by its proxy."""
    if isinstance(arg, Value):
        return proxy.get(arg, arg)
    if type(arg) in (list, tuple):
        return type(arg)(with_proxies(a, proxy) for a in arg)
    if _is_namedtuple(arg):
        return type(arg)._make(with_proxies(a, proxy) for a in arg)
    if type(arg) is dict:
        return {k: with_proxies(v, proxy) for k, v in arg.items()}
    return arg


@final
class Aliasing:
    """How a trace's arguments aliased the leaves `f` captured: checked per call.

    `f` may reach a leaf both as an argument and from inside (``step(w)``
    for ``lambda a: a * w``). A replay is right only if each call aliases
    them the same way: no argument is one of the captured leaves, except
    those that were in the trace too.
    """

    def __init__(self, captured: list[Value], aliases: list[tuple[int, Value]]) -> None:
        self.captured = frozenset(captured)
        self.aliases = tuple(aliases)

    def admits(self, inputs: list[Value]) -> bool:
        """True if `inputs` alias the captured leaves as the trace's did."""
        for i, leaf in self.aliases:
            if inputs[i] is not leaf:
                return False
        return self.captured.isdisjoint(inputs)
