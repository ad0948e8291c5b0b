"""micrograd code runs on our Value after changing only its import.

Each test holds a script in the style of a public file of the micrograd
family (written here from their public behaviour, not copied), runs it once
on the engine it was written for and once with only its import lines
changed, and compares what the two print or return.
"""

from __future__ import annotations

import functools
import math
import random
import shutil
import subprocess
import weakref
from collections.abc import Callable
from typing import Any

import micrograd.engine
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value

# micrograd's own test file, in spirit: expressions over + * ** relu, the
# reflected operators and in-place +=, checked value and gradients.
SANITY_SCRIPT = """
from micrograd.engine import Value

def sanity():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    return [y.data, x.grad]

def more_ops():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return [g.data, a.grad, b.grad]

RESULT = sanity() + more_ops()
"""

# The `draw_dot` every tutorial copies (micrograd's trace_graph notebook, in
# spirit): it walks `_prev`, names op nodes by concatenating `_op` to an id,
# and formats data and grad with %.
DRAW_DOT_SCRIPT = """
import random
from graphviz import Digraph
from micrograd.engine import Value
from micrograd import nn

def trace(root):
    nodes, edges = set(), set()
    stack = [root]
    while stack:
        v = stack.pop()
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                stack.append(child)
    return nodes, edges

def draw_dot(root):
    nodes, edges = trace(root)
    dot = Digraph(format="svg", graph_attr={"rankdir": "LR"})
    for n in nodes:
        label = "{ data %.4f | grad %.4f }" % (n.data, n.grad)
        dot.node(name=str(id(n)), label=label, shape="record")
        if n._op:
            dot.node(name=str(id(n)) + n._op, label=n._op)
            dot.edge(str(id(n)) + n._op, str(id(n)))
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot

x = Value(1.0)
y = (x * 2 + 1).relu()
y.backward()
first = draw_dot(y)

random.seed(1337)
n = nn.Neuron(2)
y = n([Value(1.0), Value(-2.0)])
y.backward()
second = draw_dot(y)
RESULT = [first, second, sorted(v._op for v in trace(y)[0]), y.data]
"""

# A training script in the style of EurekaLabsAI's micrograd.py, with its own
# Value class removed: tanh MLP, exp/log cross-entropy, an AdamW that keeps
# its moments as attributes of each parameter, a colour attribute set for
# drawing, `Value(0)` biases and `p.grad = 0` resets.
EUREKA_SCRIPT = """
import math
import random
from micrograd.engine import Value

rng = random.Random(42)

def vis_color(nodes, color):
    for n in nodes:
        n._vis_color = color

class Neuron:
    def __init__(self, nin, nonlin=True):
        self.w = [Value(rng.uniform(-1, 1) * nin**-0.5) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin
        vis_color([self.b] + self.w, "lightgreen")

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]

class MLP:
    def __init__(self, nin, nouts):
        sizes = [nin] + nouts
        self.layers = [
            [Neuron(sizes[i], nonlin=i != len(nouts) - 1) for _ in range(sizes[i + 1])]
            for i in range(len(nouts))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x

    def parameters(self):
        return [p for layer in self.layers for n in layer for p in n.parameters()]

def cross_entropy(logits, target):
    ex = [z.exp() for z in logits]
    denom = sum(ex)
    probs = [e / denom for e in ex]
    return -probs[target].log()

class AdamW:
    def __init__(self, parameters, lr=1e-1, betas=(0.9, 0.95), eps=1e-8, wd=0.0):
        self.parameters, self.lr, self.eps, self.wd = parameters, lr, eps, wd
        self.beta1, self.beta2 = betas
        self.t = 0
        for p in self.parameters:
            p.m = 0
            p.v = 0

    def step(self):
        self.t += 1
        for p in self.parameters:
            if p.grad is None:
                continue
            p.m = self.beta1 * p.m + (1 - self.beta1) * p.grad
            p.v = self.beta2 * p.v + (1 - self.beta2) * (p.grad ** 2)
            m_hat = p.m / (1 - self.beta1 ** self.t)
            v_hat = p.v / (1 - self.beta2 ** self.t)
            p.data -= self.lr * (m_hat / (v_hat ** 0.5 + 1e-8) + self.wd * p.data)

    def zero_grad(self):
        for p in self.parameters:
            p.grad = 0

points = [
    ((rng.uniform(-1, 1), rng.uniform(-1, 1)), rng.randrange(3)) for _ in range(20)
]
model = MLP(2, [8, 3])
optimizer = AdamW(model.parameters(), lr=1e-1, wd=1e-4)
losses = []
for step in range(3):
    total = Value(0.0)
    for x, y in points:
        total = total + cross_entropy(model(x), y)
    loss = total * (1.0 / len(points))
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    losses.append(loss.data)
RESULT = losses + [p.data for p in model.parameters()]
"""

# The lecture's way to add an op: a node made with micrograd's constructor,
# its derivative a closure assigned to `_backward`.
LECTURE_SCRIPT = """
import math
from micrograd.engine import Value

def tanh(v):
    x = v.data
    t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
    out = Value(t, (v,), "tanh")

    def _backward():
        v.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out

a, b = Value(0.3), Value(-0.7)
t = tanh(a * b + a)
y = t * a
y.backward()
RESULT = [y.data, a.grad, b.grad, t._op]
"""

# Only the import lines change.
PORTED = {
    "from micrograd.engine import Value": "from autograd import Value",
    "from micrograd import nn": "import nn",
}


class ClosureValue:
    """The engine the Eureka-style and lecture scripts were written for.

    A tutorial engine of our own: closures for derivatives, a recursive
    topological sort, the tanh/exp/log that micrograd 0.1.0 lacks.
    """

    def __init__(self, data: float, _children: tuple[Any, ...] = (), _op: str = ""):
        self.data = data
        self.grad: float = 0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def _lift(self, other: Any) -> ClosureValue:
        return other if isinstance(other, ClosureValue) else ClosureValue(other)

    def __add__(self, other: Any) -> ClosureValue:
        other = self._lift(other)
        out = ClosureValue(self.data + other.data, (self, other), "+")

        def backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = backward
        return out

    def __mul__(self, other: Any) -> ClosureValue:
        other = self._lift(other)
        out = ClosureValue(self.data * other.data, (self, other), "*")

        def backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = backward
        return out

    def __pow__(self, k: float) -> ClosureValue:
        out = ClosureValue(self.data**k, (self,), f"**{k}")

        def backward() -> None:
            self.grad += (k * self.data ** (k - 1)) * out.grad

        out._backward = backward
        return out

    def _unary(self, value: float, local: float, op: str) -> ClosureValue:
        out = ClosureValue(value, (self,), op)

        def backward() -> None:
            self.grad += local * out.grad

        out._backward = backward
        return out

    def tanh(self) -> ClosureValue:
        t = math.tanh(self.data)
        return self._unary(t, 1 - t**2, "tanh")

    def exp(self) -> ClosureValue:
        e = math.exp(self.data)
        return self._unary(e, e, "exp")

    def log(self) -> ClosureValue:
        return self._unary(math.log(self.data), 1 / self.data, "log")

    def backward(self) -> None:
        topo: list[ClosureValue] = []
        visited: set[ClosureValue] = set()

        def build(v: ClosureValue) -> None:
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1
        for v in reversed(topo):
            v._backward()

    def __neg__(self) -> ClosureValue:
        return self * -1

    def __radd__(self, other: Any) -> ClosureValue:
        return self + other

    def __sub__(self, other: Any) -> ClosureValue:
        return self + (-other)

    def __rmul__(self, other: Any) -> ClosureValue:
        return self * other

    def __truediv__(self, other: Any) -> ClosureValue:
        return self * other**-1


def run(script: str, ported: bool, value_class: type | None = None) -> Any:
    """Run `script`, with its imports changed to ours if `ported`; its RESULT."""
    if ported:
        for theirs, ours in PORTED.items():
            script = script.replace(theirs, ours)
    elif value_class is not None:
        script = script.replace("from micrograd.engine import Value", "")
    namespace: dict[str, Any] = {} if value_class is None else {"Value": value_class}
    exec(compile(script, "<ported script>", "exec"), namespace)
    return namespace["RESULT"]


def assert_close(ours: list[float], theirs: list[float], rel: float = 1e-12) -> None:
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert a == pytest.approx(b, rel=rel, abs=1e-12), (ours, theirs)


def test_micrograds_own_test_expressions_give_micrograds_numbers() -> None:
    assert_close(run(SANITY_SCRIPT, ported=True), run(SANITY_SCRIPT, ported=False))


def test_micrograds_draw_dot_runs_and_shows_micrograds_op_labels() -> None:
    assert shutil.which("dot"), "make test installs Graphviz's dot"
    ours = run(DRAW_DOT_SCRIPT, ported=True)
    theirs = run(DRAW_DOT_SCRIPT, ported=False)
    for dot in ours[:2]:
        svg = subprocess.run(
            ["dot", "-Tsvg"],
            input=dot.source,
            capture_output=True,
            text=True,
            check=False,
        )
        assert svg.returncode == 0, svg.stderr
        assert "<svg" in svg.stdout
    assert "ReLU" in ours[0].source and "*" in ours[0].source
    # micrograd's Neuron is sum(w*x) + b then relu: the same ops, one by one.
    assert ours[2] == theirs[2]
    assert ours[3] == pytest.approx(theirs[3], rel=1e-12)


def test_a_eureka_style_training_script_gives_the_same_losses_and_weights() -> None:
    ours = run(EUREKA_SCRIPT, ported=True)
    theirs = run(EUREKA_SCRIPT, ported=False, value_class=ClosureValue)
    assert_close(ours, theirs, rel=1e-9)


def test_a_lecture_style_closure_op_gives_the_tutorial_gradients() -> None:
    ours = run(LECTURE_SCRIPT, ported=True)
    theirs = run(LECTURE_SCRIPT, ported=False, value_class=ClosureValue)
    assert_close(ours[:3], theirs[:3])
    assert ours[3] == "tanh"


def test_micrograd_constructor_and_graph_attributes() -> None:
    a, b = Value(2.0, label="a"), Value(3.0)
    c = a * b + a
    assert c._op == "+" and c._prev == (c.operands[0], a)
    assert (a**2)._op == "**2" and a.relu()._op == "ReLU" and a._op == ""
    node = Value(6.0, (a, b), "*")
    assert node._prev == (a, b) and node._op == "*" and node.label == ""
    with pytest.raises(TypeError, match="label"):
        Value(1.0, "x")  # type: ignore[arg-type]


def test_free_attributes_live_on_the_value_and_cost_no_slot_reads() -> None:
    v = Value(1.0)
    v.m = 0.5  # type: ignore[attr-defined]
    v._vis_color = "lightgreen"  # type: ignore[attr-defined]
    assert v.m == 0.5  # type: ignore[attr-defined]
    assert (v * 2).data == 2.0


def test_a_closure_that_is_not_linear_in_the_upstream_gradient_is_refused() -> None:
    a = Value(2.0)
    out = Value(4.0, (a,), "sq")

    def backward() -> None:
        a.grad += out.grad**2  # not a chain rule: refused, not half-right

    with pytest.raises(ValueError, match="linear"):
        out._backward = backward


def test_closure_nodes_refuse_create_graph_with_a_pointer_to_primitive() -> None:
    a = Value(2.0)
    out = Value(4.0, (a,), "sq")

    def backward() -> None:
        a.grad += 2 * a.data * out.grad

    out._backward = backward
    out.backward()
    assert a.grad == 4.0
    with pytest.raises(TypeError, match="primitive"):
        out.backward(create_graph=True)


def test_seeded_micrograd_mlp_weights_match_micrograd() -> None:
    import micrograd.nn as mnn

    import nn

    random.seed(1337)
    theirs = [p.data for p in mnn.MLP(2, [16, 16, 1]).parameters()]
    random.seed(1337)
    ours = [p.data for p in nn.MLP(2, [16, 16, 1]).parameters()]
    assert ours == theirs


def test_micrograds_own_backward_loop_over_our_graph_gives_our_gradients() -> None:
    # A learner's backward, written as micrograd writes it, over nodes our
    # ops made: `_prev` for the order, each node's `_backward()` in turn.
    x, w = Value(2.0), Value(-3.0)
    z = (x * w + 1).tanh() * x + w**2
    topo: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(z, False)]
    while stack:
        v, expanded = stack.pop()
        if expanded:
            topo.append(v)
        elif v not in seen:
            seen.add(v)
            stack.append((v, True))
            stack.extend((c, False) for c in v._prev)
    z.grad = 1.0
    for v in reversed(topo):
        v._backward()
    by_hand = (x.grad, w.grad)
    for v in topo:
        v.grad = 0.0
    z.backward()
    assert by_hand == (x.grad, w.grad)


def test_closure_nodes_are_refused_by_compile_and_pickle_with_the_way_out() -> None:
    import pickle

    import autograd

    step = autograd.compile(lambda x: Value(2.0, (x,), "double") * 2)
    with pytest.raises(TypeError, match="micrograd"):
        step(Value(1.0))
    a = Value(1.0)
    node = Value(2.0, (a,), "double")
    with pytest.raises(pickle.PicklingError, match="double"):
        pickle.dumps(node)


def test_a_micrograd_node_under_no_grad_is_a_leaf_that_keeps_its_op_string() -> None:
    import autograd

    a = Value(1.0)
    with autograd.no_grad():
        node = Value(2.0, (a,), "f")
    assert node.parents == () and node._op == "f"


def test_bad_micrograd_constructor_arguments_are_clear_errors() -> None:
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    with pytest.raises(TypeError, match="at most two"):
        Value(6.0, (a, b, c), "sum3")
    with pytest.raises(TypeError, match="Values"):
        Value(6.0, (a, 2.0), "+")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="only on a node made"):
        (a * b)._backward = lambda: None


def test_a_value_takes_no_weak_reference_but_free_attributes() -> None:
    # The `__weakref__` slot would cost every node 16 bytes (README).
    v = Value(1.0)
    with pytest.raises(TypeError):
        weakref.ref(v)
    v.colour = "red"
    assert v.colour == "red"


@pytest.mark.parametrize("zero", [0, 0.0, -0.0])
def test_micrograds_zero_grad_by_int_zero_stores_a_float(zero: float) -> None:
    p = Value(1.0)
    (p * 3.0).backward()
    p.grad = zero  # micrograd's `p.grad = 0`
    assert type(p.grad) is float and p.grad == 0.0
    assert str(p.grad) == str(float(zero))
    (p * 3.0).backward()
    assert p.grad == 3.0


# Ways a closure may change what it must not, each given the node, its
# children and a Value outside them.
_FORBIDDEN: dict[str, Callable[[Value, tuple[Value, ...], Value], None]] = {
    "add to an outsider's grad": lambda out, kids, w: setattr(
        w, "grad", w.grad + out.grad
    ),
    "set an outsider's grad": lambda out, kids, w: setattr(w, "grad", 0.0),
    "set an outsider's data": lambda out, kids, w: setattr(w, "data", 1.0),
    "set a child's data": lambda out, kids, w: setattr(kids[0], "data", 1.0),
    "set the node's grad": lambda out, kids, w: setattr(out, "grad", 0.0),
    "run backward": lambda out, kids, w: (w * 2.0).backward(),
    "zero a graph's grads": lambda out, kids, w: (w * 2.0).zero_grad(),
}

_finite = st.floats(-1e6, 1e6)


@given(
    st.sampled_from(sorted(_FORBIDDEN)),
    st.integers(1, 2),
    st.lists(_finite, min_size=4, max_size=4),
    st.lists(_finite, min_size=2, max_size=2),
    st.booleans(),
)
def test_a_closure_changing_more_than_childrens_grad_is_refused_untouched(
    forbidden: str,
    n_children: int,
    grads: list[float],
    locals_: list[float],
    before: bool,
) -> None:
    kids = tuple(Value(float(k + 1)) for k in range(n_children))
    w, out = Value(5.0), Value(7.0, kids, "op")
    everyone = (*kids, w, out)
    for v, g in zip(everyone, grads, strict=False):
        v.grad = g
    state = [(v.data, v.grad) for v in everyone]
    change = functools.partial(_FORBIDDEN[forbidden], out, kids, w)

    def closure() -> None:
        if before:
            change()
        for k, d in zip(kids, locals_, strict=False):
            k.grad += d * out.grad
        change()

    with pytest.raises(ValueError, match="_backward of this 'op' node"):
        out._backward = closure
    assert [(v.data, v.grad) for v in everyone] == state


@given(
    st.integers(1, 2),
    st.lists(_finite, min_size=4, max_size=4),
    st.lists(_finite, min_size=2, max_size=2),
)
def test_a_chain_rule_closure_gives_its_derivatives_and_changes_no_grad(
    n_children: int, grads: list[float], locals_: list[float]
) -> None:
    kids = tuple(Value(float(k + 1)) for k in range(n_children))
    out = Value(7.0, kids, "op")
    for v, g in zip((*kids, out), grads, strict=False):
        v.grad = g
    state = [v.grad for v in (*kids, out)]

    def closure() -> None:
        for k, d in zip(kids, locals_, strict=False):
            k.grad += d * out.grad

    out._backward = closure
    assert [v.grad for v in (*kids, out)] == state
    assert list(out.local_grads) == locals_[:n_children]


def test_a_second_backward_through_shared_nodes_adds_only_the_new_loss() -> None:
    # micrograd re-sends the first pass's gradient stored on h: 6 + 2 * (3 + 5).
    theirs = micrograd.engine.Value(1.0)
    h_theirs = theirs * 2
    (h_theirs * 3).backward()
    (h_theirs * 5).backward()
    assert theirs.grad == 22

    x = Value(1.0)
    h = x * 2
    (h * 3).backward()
    (h * 5).backward()
    assert x.grad == 16.0  # d(3h + 5h)/dx, as in README
    assert h.grad == 8.0  # intermediates accumulate, like micrograd's


GLOBAL = Value(3.0)  # a global a closure may name


def test_a_closure_adding_to_a_value_outside_its_children_is_refused() -> None:
    """It got 1x + 2x of its gradient while being read (grad 6.0) and
    nothing in backward; micrograd would add a * out.grad in backward."""
    a, v = Value(2.0), Value(3.0)
    out = Value(6.0, (a,), "*")

    def by_free_variable() -> None:
        a.grad += v.data * out.grad
        v.grad += a.data * out.grad

    def by_global() -> None:
        a.grad += GLOBAL.data * out.grad
        GLOBAL.grad += a.data * out.grad

    for closure, other in ((by_free_variable, v), (by_global, GLOBAL)):
        with pytest.raises(ValueError, match="not among its _children"):
            out._backward = closure
        assert (other.grad, a.grad) == (0.0, 0.0)


def test_a_closure_ignoring_the_upstream_gradients_sign_is_refused() -> None:
    """abs(out.grad) agrees at 1 and 2 but not at -1: backward would flip its sign."""
    b = Value(2.0)
    out = Value(2.0 * b.data, (b,), "x2")

    def closure() -> None:
        b.grad += 2.0 * abs(out.grad)

    with pytest.raises(ValueError, match="not linear"):
        out._backward = closure


def test_the_lectures_closure_still_reads_off_its_derivatives() -> None:
    a, b = Value(2.0), Value(-3.0)
    out = Value(a.data * b.data, (a, b), "*")

    def closure() -> None:
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad

    out._backward = closure
    (out * out).backward()
    assert (a.grad, b.grad) == (2 * -6.0 * -3.0, 2 * -6.0 * 2.0)


class _Holder:
    extra: Value


def test_closures_reaching_any_other_value_are_refused_without_a_trace() -> None:
    """Through an attribute, a default argument or functools.partial the old
    check saw no Value, and its three calls left w.grad at 1 + 2 - 1 = 2."""
    a, w = Value(2.0), Value(3.0)
    out = Value(6.0, (a,), "*")
    holder = _Holder()
    holder.extra = w

    def by_attribute() -> None:
        a.grad += 3.0 * out.grad
        holder.extra.grad += out.grad

    def by_default(other: Value = w) -> None:
        a.grad += 3.0 * out.grad
        other.grad += out.grad

    def by_argument(other: Value) -> None:
        a.grad += 3.0 * out.grad
        other.grad += out.grad

    for closure in (by_attribute, by_default, functools.partial(by_argument, w)):
        with pytest.raises(ValueError, match="not among its _children"):
            out._backward = closure
        assert (w.grad, a.grad, out.grad) == (0.0, 0.0, 0.0)


def test_a_closure_swallowing_the_refusal_is_still_refused() -> None:
    a, w = Value(2.0), Value(3.0)
    out = Value(6.0, (a,), "*")

    def closure() -> None:
        a.grad += 3.0 * out.grad
        try:
            w.grad += out.grad
        except Exception:
            return

    with pytest.raises(ValueError, match="not among its _children"):
        out._backward = closure
    assert (w.grad, a.grad) == (0.0, 0.0)


def test_a_closure_style_node_is_freed_by_reference_counting() -> None:
    # micrograd's closure refers to `out`; kept strongly, the node would be
    # reachable from its own attributes, which the compiled core never frees.
    import gc

    from lifetimes import watch

    def lecture_exp(x: Value) -> Value:
        out = Value(math.exp(x.data), (x,), "exp")

        def _backward() -> None:
            x.grad += out.data * out.grad

        out._backward = _backward
        return out

    was_on = gc.isenabled()
    gc.disable()
    try:
        x = Value(0.5)
        y = lecture_exp(x)
        y.backward()
        assert x.grad == math.exp(0.5)
        y._backward()  # the same chain rule once the closure is gone
        assert x.grad == 2 * math.exp(0.5)
        probe = watch(y)
        del y
        assert probe() is None
    finally:
        if was_on:
            gc.enable()
