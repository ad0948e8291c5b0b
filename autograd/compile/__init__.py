"""Trace a function once, replay it fast: `autograd.compile`.

>>> from autograd import Value, compile
>>> w = Value(0.5, label="w")
>>> step = compile(lambda x: (w * x + 1.0).tanh())
>>> x = Value(2.0)
>>> round(step(x), 6), round(w.grad, 6)
(0.964028, 0.141302)
>>> x.data = -1.0
>>> round(step(x), 6), round(w.grad, 6)
(0.462117, -0.645146)
>>> print(step.tape)
tape(inputs: i0; leaves: c0='w')
  e0 = mul(c0, i0)
  e1 = add(e0, 1.0)
  e2 = tanh(e1)
  return e2

>>> print(step.adjoint)
adjoint(of: e2)
  g1 = ((1.0 - e2 * e2) * (1.0))
  captured[0]._grad += 0.0 + ((i0) * g1)
  inputs[0]._grad += 0.0 + ((c0) * g1)

The first call runs the function eagerly, like ``out = f(*args);
out.backward()``, and records what it did on a tape (`trace`, `tape`):
every op, in order, as an equation, and the order in which `backward`
visited them. Passes then go from one printable form to the next, each
value keeping its name: loop rolling (`loops`, `rolled`: copies of a block,
a model applied to each example or a running total, become loops;
`step.rolled`), the adjoint (`adjoint`: backward as statements, in eager's
order; `step.adjoint`) and lowering to Python (`codegen`, `loopcode`:
`step.source`), each op's math inlined from its row of the op table. Each
equation is computed from its operands alone, after them (in the order
made, or in the reverse of backward's, which takes each item of a list
with what reads it), and every gradient is added up in eager's order, so
values and gradients are identical to the last bit. Later calls run that
Python.

The rule that makes this sound (`soundness`): a call replays only when
eager, run on the same arguments, would build the same tape, and then the
replay does what eager does; otherwise the call runs eagerly, or, for what
compile cannot see, is refused with a TypeError. Concretely:

- the arguments' structure (nesting, numbers, which Values are the same)
  picks the trace, and every call checks that its arguments alias the leaves
  `f` captures as the traced call's did;
- every comparison of a Value is a guard checked on every call; a number
  read out of a Value inside `f` (``v.data``, ``v.item()``, ``float(v)``) is
  refused, since a replay would reuse it; `detach()` and ops under
  `no_grad` inside `f` are equations, computed again on every call;
  changing a Value inside `f` (``v.data = ...``, ``backward()``) is refused,
  since a replay would not do it again;
- every equation is computed and checked on every call, used or not, and
  so is what eager checks beyond an op's row; a replay that fails in any
  way runs eagerly, which raises eager's error;
- gradient hooks, which a replay would skip, make calls run eagerly.

What compile assumes and cannot check: `f`'s Python does the same thing
for the same argument structure and the same comparisons (no randomness,
no reading of changing Python state), and it reaches the same leaf Values
from inside on every call.
"""

from __future__ import annotations

from collections.abc import Callable

from autograd.compile.trace import Compiled
from autograd.core import Value

__all__ = ["Compiled", "compile"]


def compile(f: Callable[..., Value]) -> Compiled:
    """Trace `f` on its first call; replay forward and backward as generated Python.

    ``step = compile(f)``, then ``step(*args)`` does what ``out = f(*args);
    out.backward()`` does and returns ``out.data``: it adds d(out)/d(v) to
    ``v.grad`` of every leaf Value `f` used, whether passed as an argument or
    reached from inside (a model's parameters). Results equal the eager run to
    the last bit, errors included.

    What is an input: a Value among the arguments (also inside lists, tuples
    and dicts) is read afresh on every call. Everything else among the
    arguments is part of the trace: numbers and other objects (a call with
    different ones traces again). The `data` of leaf Values `f` reaches from
    inside is read on every call, so parameters may change between calls.

    Limits:

    - Guards: each comparison of a Value during the trace (``x > 0``,
      ``max(a, b)``) is checked again on every call; if one turns out
      differently, the call traces again (one eager step plus compilation;
      a few traces per argument structure are kept).
    - Reading a Value's number inside `f` (``v.data``, ``float(v)``) is a
      TypeError: compare, use an op (`autograd.maximum`), or `detach()`.
    - Only leaves get gradients: intermediate nodes of `f` do not exist
      when it is replayed, and an argument must be a leaf Value.
    - `f` must return one Value. It must not use Values computed outside
      it (other than leaves): pass them as arguments or `detach()` them.
    - Under `no_grad` or `detect_anomaly`, while a gradient hook is
      registered, and whenever a replay would raise (a domain error, an
      overflow), the call runs eagerly instead, so errors (and hooks) are
      the eager ones.
    - Loops: copies of a block become a loop when made one after another,
      self-contained (``scores = [model(x) for x in X]``) or each reading
      the previous one's result (a running total,
      ``sum(loss(model(x)) for x in X)``, a recurrence), and when the loop
      adds every gradient up in eager's order. A total over a list made
      first (``nn.mse([model(x) for x in X], y)``) reading each item in the
      list's order joins the list's loop: copy i makes item i and its term,
      in the order eager backward takes them. Otherwise the code is
      straight-line, just as exact, but longer to compile. `source` shows
      which you got; `tape` shows what was recorded.
    """
    return Compiled(f)
