"""`autograd.compile` replays exactly what eager computes, or runs eagerly, or refuses.

The four cases of issue 11 (aliasing, numbers read inside f, dropped errors,
unhashable arguments) and the rule behind each; `test_compile_fuzz.py`
checks the rule on random programs.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from floats import all_bits, eager

import autograd
from autograd import OpDomainError, Value, compile, no_grad

# -- 1. aliasing: an argument that is also a leaf f captures ------------------


def test_an_argument_that_f_also_captures_then_another() -> None:
    w, x = Value(3.0), Value(5.0)
    step = compile(lambda a: a * w)
    assert step(w) == 9.0 and w.grad == 6.0
    w.grad = 0.0
    assert step(x) == 15.0  # x * w, not x * x
    assert (x.grad, w.grad) == (3.0, 5.0)


def test_another_argument_then_one_that_f_also_captures() -> None:
    # The replay traced with x would add w's two shares one at a time;
    # eager sums them first. The call must trace again, and equal eager.
    def f(w: Value) -> Callable[[Value], Value]:
        return lambda a: (a * w * 0.1 + a.tanh()) * w

    w, x = Value(0.7), Value(0.3)
    step = compile(f(w))
    step(x)
    w.grad = 0.0
    got = step(w)
    reference = Value(0.7)
    expected = eager(f(reference), reference)
    assert all_bits([got, w.grad]) == all_bits([expected, reference.grad])
    assert step.traces == 2


def test_the_same_value_twice_in_a_list_or_a_dict() -> None:
    step = compile(lambda d: d["u"] * d["v"])
    x, y = Value(3.0), Value(4.0)
    assert step({"u": x, "v": x}) == 9.0 and x.grad == 6.0
    assert step({"u": x, "v": y}) == 12.0 and (x.grad, y.grad) == (10.0, 3.0)
    assert step.traces == 2


# -- 2. numbers read out of a Value inside f ------------------------------


@pytest.mark.parametrize(
    "f",
    [
        lambda a: a * a.data,
        lambda a: a * a.item(),
        lambda a: a * max(v.data for v in [a, a * 2.0]),
    ],
    ids=["data", "item", "max of data"],
)
def test_reading_a_number_inside_f_is_refused(f: Callable[[Value], Value]) -> None:
    x = Value(2.0)
    with pytest.raises(TypeError, match=r"read the number of a Value.*detach\(\)"):
        compile(f)(x)
    assert x.grad == 0.0  # refused before anything was changed


def test_float_of_a_value_inside_f_is_refused_too() -> None:
    def f(a: Value) -> Value:
        with no_grad():
            m = float(a)  # allowed eagerly under no_grad, but a number all the same
        return a * m

    with pytest.raises(TypeError, match="read the number of a Value"):
        compile(f)(Value(2.0))


def cross_entropy_of_two(w: Value, b: Value) -> Value:
    """A stable log-softmax, label 1, as nn's loss computes it: max, detach, ops."""
    logits = [w * 1.0, b * 1.0]
    m = autograd.maximum(logits[0], logits[1])
    assert isinstance(m, Value)
    m = m.detach()
    total = sum((z - m).exp() for z in logits)
    assert isinstance(total, Value)
    return total.log() + m - logits[1]


@pytest.mark.parametrize("point", [(-740.0, -741.0), (-744.0, -745.0), (3.0, -2.0)])
def test_a_detached_max_is_recomputed_on_every_call(point: tuple[float, float]) -> None:
    # Issue 11: traced at (0, 1), a baked-in max gave 1.2976 and inf
    # gradients at (-740, -741).
    w, b = Value(0.0), Value(1.0)
    step = compile(cross_entropy_of_two)
    step(w, b)
    w.data, b.data = point
    w.grad = b.grad = 0.0
    got = step(w, b)
    we, be = Value(point[0]), Value(point[1])
    expected = eager(cross_entropy_of_two, we, be)
    assert all_bits([got, w.grad, b.grad]) == all_bits([expected, we.grad, be.grad])
    assert step.traces == 1


def test_an_op_under_no_grad_inside_f_is_recomputed() -> None:
    def f(a: Value) -> Value:
        with no_grad():
            scale = (a * 3.0).exp()
        return a * scale

    x = Value(0.5)
    step = compile(f)
    step(x)
    x.data, x.grad = 1.5, 0.0
    reference = Value(1.5)
    assert all_bits([step(x), x.grad]) == all_bits(
        [eager(f, reference), reference.grad]
    )
    assert step.traces == 1


def test_the_tape_shows_stop_gradients_and_no_grad_equations() -> None:
    def f(a: Value) -> Value:
        with no_grad():
            scale = a * 3.0
        return a * scale + a.detach()

    step = compile(f)
    step(Value(1.0))
    assert str(step.tape) == (
        "tape(inputs: i0; leaves: -)\n"
        "  e0 = mul(i0, 3.0)  # no gradient\n"
        "  e1 = mul(i0, e0)\n"
        "  e2 = stop_gradient(i0)\n"
        "  e3 = add(e1, e2)\n"
        "  return e3"
    )


# -- 3. errors: every equation is checked, used or not ------------------------


def test_an_unused_op_that_fails_raises_as_eager() -> None:
    step = compile(lambda a: (a.log(), a * 2.0)[1])
    x = Value(1.0)
    assert step(x) == 2.0
    x.data = -1.0
    with pytest.raises(OpDomainError, match="log"):
        step(x)


def test_an_unused_op_under_no_grad_that_fails_raises_as_eager() -> None:
    def f(a: Value) -> Value:
        with no_grad():
            a.sqrt()
        return a * 2.0

    step = compile(f)
    x = Value(1.0)
    step(x)
    x.data = -1.0
    with pytest.raises(OpDomainError, match="sqrt"):
        step(x)


@pytest.mark.parametrize("exponent", [2.0, 0.5])
def test_a_value_exponent_on_a_negative_base_raises_as_eager(exponent: float) -> None:
    step = compile(lambda a, b: a**b)
    a, b = Value(2.0), Value(exponent)
    step(a, b)
    a.data = -2.0
    with pytest.raises(OpDomainError, match="base must be >= 0"):
        step(a, b)


# -- 4. what compile cannot take is a TypeError that says so ------------------


def test_a_dict_argument_is_taken_by_structure() -> None:
    step = compile(lambda d: d["x"] * d["k"])
    assert step({"x": Value(2.0), "k": 3.0}) == 6.0
    assert step({"x": Value(5.0), "k": 3.0}) == 15.0 and step.traces == 1
    assert step({"x": Value(5.0), "k": 4.0}) == 20.0 and step.traces == 2


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ({Value(1.0)}, "set among the arguments"),
        (bytearray(b"x"), "unhashable"),
        ([Value(1.0) * 2.0], "must be a leaf Value"),
    ],
    ids=["set", "unhashable object", "not a leaf"],
)
def test_arguments_compile_cannot_take_are_refused(argument: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        compile(lambda a: Value(1.0))(argument)


def test_a_value_made_outside_f_is_refused_before_any_gradient() -> None:
    w = Value(2.0)
    made_outside = w * 3.0
    with pytest.raises(TypeError, match="made outside it by 'mul'"):
        compile(lambda v: v * made_outside)(Value(1.0))
    assert w.grad == 0.0


def test_a_compiled_call_inside_a_trace_is_refused() -> None:
    inner = compile(lambda a: a * 2.0)
    outer = compile(lambda a: a * inner(a))  # type: ignore[operator]
    with pytest.raises(TypeError, match="called while another is traced"):
        outer(Value(1.0))


# -- gradient hooks: a replay would skip them, so such calls run eagerly ------


def test_a_call_while_a_hook_is_registered_runs_eagerly() -> None:
    w = Value(2.0)
    step = compile(lambda a: a * w)
    x = Value(3.0)
    step(x)
    handle = w.register_hook(lambda g: g * 10.0)
    w.grad = 0.0
    step(x)
    assert w.grad == 30.0  # the hook ran
    handle.remove()
    w.grad = 0.0
    step(x)
    assert w.grad == 3.0 and step.traces == 1


def test_a_function_that_registers_hooks_always_runs_eagerly() -> None:
    def f(a: Value) -> Value:
        h = a * 2.0
        h.register_hook(lambda g: g * 10.0)
        return h * h

    step = compile(f)
    x = Value(1.0)
    for _ in range(3):
        x.grad = 0.0
        step(x)
        assert x.grad == 80.0  # d(h*h)/dh = 4, times 10 by the hook, times 2
    assert step.traces == 1


# -- subclasses of Value ------------------------------------------------------


def test_subclass_leaves_compile_and_subclass_arguments_run_eagerly() -> None:
    # A subclass switches the engine's backward for the whole process: a
    # fresh interpreter keeps the rest of the suite on the fast path.
    script = """
import struct
from autograd import Value, compile

class P(Value):
    '''A user's subclass.'''

def f(a):
    return (a * w + w.tanh()).exp() * a

w = P(0.3)
step = compile(f)
for k in range(3):
    x, reference, w_ref = P(0.5 + k), Value(0.5 + k), Value(0.3)
    w.grad = 0.0
    got = step(x)
    out = (reference * w_ref + w_ref.tanh()).exp() * reference
    out.backward()
    all_bits = lambda xs: [struct.pack("<d", v) for v in xs]
    want = [out.data, reference.grad, w_ref.grad]
    assert all_bits([got, x.grad, w.grad]) == all_bits(want)
assert step.traces == 0  # a subclass argument: every call eager

plain = compile(lambda a: (a * w + w).tanh())
x, reference, w_ref = Value(0.2), Value(0.2), Value(0.3)
plain(x)
x.grad = w.grad = 0.0
got = plain(x)
out = (reference * w_ref + w_ref).tanh()
out.backward()
want = [out.data, reference.grad, w_ref.grad]
assert all_bits([got, x.grad, w.grad]) == all_bits(want)
assert plain.traces == 1 and "captured[0]" in plain.source  # a subclass leaf
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "f",
    [
        lambda a: (a.__setattr__("data", 2.0), a * 2.0)[1],
        lambda a: ((a * 3.0).backward(), a * 2.0)[1],
        lambda a: ((a * 3.0).zero_grad(), a * 2.0)[1],
    ],
    ids=["assigned data", "backward", "zero_grad"],
)
def test_changing_values_inside_f_is_refused(f: Callable[[Value], Value]) -> None:
    with pytest.raises(TypeError, match="a replay would not do it again"):
        compile(f)(Value(1.0))


def test_a_leaf_read_through_a_loops_table_counts_as_captured() -> None:
    # Each copy's own leaves, reached from inside, are read through a table
    # made once: passing one of them as an argument must still trace again.
    a = [Value(0.01 * k) for k in range(40)]
    b = [Value(1.0 - 0.02 * k) for k in range(40)]

    def f(z: Value) -> Value:
        total: Value | float = 0.0
        for x, y in zip(a, b, strict=True):
            total = total + x * y
        return total * z  # type: ignore[return-value]

    step = compile(f)
    step(Value(2.0))
    assert "_P0" in step.source  # the table of leaves
    for v in a:
        v.grad = 0.0
    got = step(a[7])
    reference = [Value(v.data) for v in a]
    out = sum((x * y for x, y in zip(reference, b, strict=True)), 0.0) * reference[7]
    assert isinstance(out, Value)
    out.backward()
    assert all_bits([got, a[7].grad]) == all_bits([out.data, reference[7].grad])
    assert step.traces == 2


def test_a_hook_registered_on_an_argument_inside_f_is_refused() -> None:
    def f(a: Value) -> Value:
        a.register_hook(lambda g: g * 10.0)
        return a * 2.0

    x = Value(1.0)
    with pytest.raises(TypeError, match="gradient hook on an argument"):
        compile(f)(x)
    assert x.grad == 0.0


@pytest.mark.parametrize(
    "transform",
    [
        lambda f: autograd.grad(f)(Value(2.0)),
        lambda f: autograd.grad(f)(2.0),
        lambda f: autograd.hessian(f)(2.0),
        lambda f: autograd.jvp(f, (2.0,), (1.0,)),
        lambda f: autograd.grad(lambda x: f(x) * x)(2.0),
    ],
)
def test_a_compiled_step_inside_a_derivative_is_refused(
    transform: Callable[[Callable[..., Any]], Any],
) -> None:
    # It returns a number after its own backward: differentiated again it
    # would look constant, a derivative of 0 with no error.
    step = compile(lambda x: x**3)
    with pytest.raises(TypeError, match="inside grad"):
        transform(step)


def test_a_copied_step_traces_anew_and_feeds_the_real_leaves() -> None:
    import copy

    w = Value(1.0)
    step = compile(lambda x: x * w * 3)
    step(Value(1.0))
    for copied in (copy.copy(step), copy.deepcopy(step)):
        w.grad = 0.0
        copied(Value(1.0))
        assert w.grad == 3.0
        assert copied.traces == 1


# -- 5. user rules and failures at any point of a replay ----------------------


@pytest.mark.parametrize(
    "bad",
    [float("nan"), 1j, True, None, 10**400, "arity"],
    ids=["nan", "complex", "bool", "None", "huge int", "arity"],
)
def test_a_bad_user_rule_on_replay_raises_leaving_grads(
    bad: object,
) -> None:
    def rule(m: object, x: float, y: float, out: float) -> object:
        if x <= 2.5:
            return (1.0, 1.0)
        return (1.0, 2.0, 3.0) if bad == "arity" else (1.0, bad)

    p = autograd.primitive(derivative=rule, name="p")(lambda x, y: x + y)
    step = compile(p)
    a, b = Value(0.5), Value(0.25)
    step(a, b)  # traced where the rule is fine
    a.grad = b.grad = 0.0
    a.data = 3.0
    with pytest.raises((TypeError, ValueError, OverflowError)) as raised:
        step(a, b)
    with pytest.raises(raised.type):
        eager(p, Value(3.0), Value(0.25))
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_a_numpy_partial_is_made_a_float_as_eager_makes_it() -> None:
    np = pytest.importorskip("numpy")
    rule = lambda m, x, out: (np.float32(0.1) if x > 2.5 else 1.0,)  # noqa: E731
    p = autograd.primitive(derivative=rule, name="p")(lambda x: x)
    step = compile(p)
    a = Value(0.5)
    step(a)
    a.grad, a.data = 0.0, 3.0
    step(a)
    assert type(a.grad) is float and a.grad == float(np.float32(0.1))


@pytest.mark.parametrize("overflowing", [0, 1])
def test_a_failing_gradient_add_leaves_gradients_as_eager(
    overflowing: int,
) -> None:
    # After create_graph a gradient may be a Value, and adding to one may
    # overflow: eager raises then, and so does the call, leaving every
    # gradient as eager leaves it, whichever leaf eager reaches first.
    def f(x: Value, y: Value) -> Value:
        return x * y * 1e300 + y * 1e300

    step = compile(f)
    step(Value(2.0), Value(3.0))
    grads = []
    for run in ("compiled", "eager"):
        leaves = [Value(2.0), Value(3.0)]
        leaves[overflowing].grad = Value(1.7976931348623157e308)
        with pytest.raises(OverflowError):
            if run == "compiled":
                step(*leaves)
            else:
                eager(f, *leaves)
        grads.append([getattr(v.grad, "data", v.grad) for v in leaves])
    assert grads[0] == grads[1]
