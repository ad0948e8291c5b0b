"""Graphs pickle and deepcopy at any depth, keeping sharing, grads, attributes, rows."""

from __future__ import annotations

import copy
import gc
import math
import pickle
import pickletools
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import pytest
from floats import bits
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value, topological_order
from autograd.ops import OPS
from autograd.testing import Expression, graphs

Graph = tuple[Expression, tuple[float, ...]]


@autograd.primitive(
    derivative=lambda m, x, out: (m.exp(-x * x),), sample=((-2.0, 2.0),)
)
def gauss_integral(x: float) -> float:
    """The integral of e^(-t^2) from 0 to x: sqrt(pi)/2 * erf(x)."""
    return math.sqrt(math.pi) / 2.0 * math.erf(x)


def via_pickle(x: Any) -> Any:
    return pickle.loads(pickle.dumps(x))


def via_deepcopy(x: Any) -> Any:
    return copy.deepcopy(x)


COPIES = pytest.mark.parametrize("clone", [via_pickle, via_deepcopy])


def same_graph(a: Value, b: Value) -> None:
    """The same nodes, fields and edges, each node a new object."""
    order_a, order_b = topological_order(a), topological_order(b)
    assert len(order_a) == len(order_b)
    position = {id(v): i for i, v in enumerate(order_b)}
    for u, v in zip(order_a, order_b, strict=True):
        assert u is not v
        assert bits(u.data) == bits(v.data)
        assert u.label == v.label and u._row is v._row
        assert u.local_grads == v.local_grads
        assert not isinstance(u.grad, Value) and bits(u.grad) == bits(v.grad)  # type: ignore[arg-type]
        for p, q in zip(u.operands, v.operands, strict=True):
            if isinstance(p, Value):
                assert isinstance(q, Value)
                assert position[id(q)] == order_a.index(p)
            else:
                assert type(q) is float and bits(p) == bits(q)


@COPIES
@given(graphs())
def test_random_graphs_copy_exactly_and_give_the_same_backward_bits(
    clone: Callable[[Any], Any], graph: Graph
) -> None:
    expression, point = graph
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(point)]
    out = expression(*leaves)
    assert isinstance(out, Value)
    out.backward()  # grads are copied too
    out_copy, leaves_copy = clone((out, leaves))
    same_graph(out, out_copy)
    out.backward()
    out_copy.backward()
    for a, b in zip(leaves, leaves_copy, strict=True):
        assert bits(a.grad) == bits(b.grad)  # type: ignore[arg-type]


@COPIES
def test_sharing_is_kept_a_plus_a_and_a_dag(clone: Callable[[Any], Any]) -> None:
    a = Value(2.0, label="a")
    b = a + a
    c = b * b.tanh()
    d = c + b
    d2, b2, a2 = clone([d, b, a])
    assert b2._p0 is a2 and b2._p1 is a2
    c2 = d2._p0
    assert d2._p1 is b2 and c2._p0 is b2 and c2._p1._p0 is b2
    d2.backward()
    d.backward()
    assert a2.grad == a.grad


@COPIES
def test_rows_are_the_tables_own_rows_and_primitives_rows(
    clone: Callable[[Any], Any],
) -> None:
    x = Value(0.5)
    y = gauss_integral(x * 2.0).exp()
    y2 = clone(y)
    assert y2._row is OPS["exp"]
    assert y2._p0._row is gauss_integral.row
    assert y2._p0._p0._row is OPS["mul"] and y2._p0._p0._p1 == 2.0


@COPIES
def test_value_grads_from_create_graph_are_copied_with_their_graphs(
    clone: Callable[[Any], Any],
) -> None:
    x = Value(1.5, label="x")
    y = x * x * x
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value)
    x2, _ = clone((x, y))
    assert isinstance(x2.grad, Value) and x2.grad is not x.grad
    assert x2.grad.data == x.grad.data == 3 * 1.5**2
    # The gradient's graph hangs on the copied x, not on the original.
    assert x2 in topological_order(x2.grad)
    assert x not in topological_order(x2.grad)
    x.grad.backward()
    x2.grad.backward()  # adds d(grad)/dx = 6x to the grad, a Value plus a float
    assert isinstance(x2.grad, Value) and x2.grad.data == x.grad.data == 15.75


@COPIES
def test_detached_leaves_constants_and_labels(clone: Callable[[Any], Any]) -> None:
    x = Value(3.0, label="x")
    d = (x * 2.0).detach()
    d.label = "detached"
    y = 1.0 / d + x
    y2 = clone(y)
    assert y2._p0._p0 == 1.0 and y2._p0._p1.label == "detached"
    assert y2._p0._p1.parents == () and y2._p1.label == "x"


@COPIES
def test_a_chain_of_a_hundred_thousand_ops(clone: Callable[[Any], Any]) -> None:
    x = Value(0.5)
    y = x
    for _ in range(50_000):
        y = y * 0.9999 + 0.0001
    y2 = clone(y)
    y.backward()
    y2.backward()
    x2 = topological_order(y2)[0]
    assert bits(x2.grad) == bits(x.grad)  # type: ignore[arg-type]


@pytest.mark.slow
@COPIES
def test_a_chain_of_a_million_ops(clone: Callable[[Any], Any]) -> None:
    x = Value(0.5)
    y = x
    for _ in range(500_000):
        y = (y * 0.9999).tanh()
    y2 = clone(y)
    assert bits(y2.data) == bits(y.data)
    y2.backward()
    y.backward()
    assert bits(topological_order(y2)[0].grad) == bits(x.grad)  # type: ignore[arg-type]


def test_deepcopy_of_a_module_like_object_keeps_parameters_shared() -> None:
    w = Value(0.3, label="w")
    model = {"w": w, "outputs": [w * 2.0, w * 3.0]}
    copied: dict[str, Any] = copy.deepcopy(model)
    assert copied["outputs"][0]._p0 is copied["w"] is copied["outputs"][1]._p0


def test_copy_copy_gives_an_independent_graph_not_the_same_object() -> None:
    x = Value(2.0)
    y = x * x
    y2 = copy.copy(y)
    assert y2 is not y and y2.data == y.data
    assert isinstance(y2._p0, Value)
    y2._p0.data = 5.0
    assert x.data == 2.0


def test_loading_runs_nothing_but_node_construction_and_row_lookups() -> None:
    x = Value(0.5)
    y = gauss_integral(x).tanh() + x
    y.backward(create_graph=True)
    # Protocols up to 3 name each global in one GLOBAL opcode (later ones
    # build the same names on the stack).
    imported = {
        tuple(str(arg).split(" "))
        for protocol in range(4)
        for op, arg, _ in pickletools.genops(pickle.dumps(y, protocol=protocol))
        if op.name == "GLOBAL"
    }
    assert imported == {
        ("autograd._pickle", "_rebuild"),
        ("autograd._pickle", "_Stream"),
        ("test_pickle", "gauss_integral"),
    }


def test_a_local_primitive_cannot_be_pickled_and_the_error_says_why() -> None:
    @autograd.primitive(derivative=lambda m, x, out: (2.0,))
    def local_double(x: float) -> float:
        return 2.0 * x

    y = local_double(Value(1.0))
    with pytest.raises(pickle.PicklingError, match=r"local_double.*top level"):
        pickle.dumps(y)
    assert copy.deepcopy(y)._row is local_double.row  # deepcopy keeps the row


def test_an_unknown_op_name_in_a_stream_is_refused() -> None:
    stream = pickle.dumps(Value(1.0).exp())
    tampered = stream.replace(b"\x03exp", b"\x03pxe")
    with pytest.raises(pickle.UnpicklingError, match="pxe"):
        pickle.loads(tampered)


def test_each_load_makes_a_new_graph() -> None:
    stream = pickle.dumps(Value(1.0).exp())
    a, b = pickle.loads(stream), pickle.loads(stream)
    assert a is not b and a._p0 is not b._p0


@COPIES
def test_a_model_and_its_output_copied_together_share_the_parameters(
    clone: Callable[[Any], Any],
) -> None:
    import nn

    model = nn.MLP(2, [4, 1], seed=0)
    out = model([0.5, -0.2])
    model2, out2 = clone((model, out))
    parameters = {id(p) for p in model2.parameters()}
    assert parameters.isdisjoint(id(p) for p in model.parameters())
    in_graph = [v for v in topological_order(out2) if id(v) in parameters]
    assert len(in_graph) == len(parameters) == 17
    out2.backward()
    out.backward()
    for p, q in zip(model.parameters(), model2.parameters(), strict=True):
        assert bits(p.grad) == bits(q.grad)  # type: ignore[arg-type]


# A node's free attributes: a label, optimizer moments, a colour, a list
# (deepcopy copies it; pickle writes it), or a node of the same graph.
ATTRIBUTES = st.dictionaries(
    st.sampled_from(["label", "m", "v", "color", "history", "twin"]),
    st.one_of(
        st.text(max_size=3),
        st.floats(allow_nan=False),
        st.lists(st.integers(), max_size=3),
        st.none(),
    ),
    max_size=4,
)


@pytest.mark.parametrize("clone", [via_pickle, via_deepcopy, copy.copy])
@given(graphs(), st.data())
def test_random_graphs_keep_every_nodes_attributes_and_labels(
    clone: Callable[[Any], Any], graph: Graph, data: st.DataObject
) -> None:
    expression, point = graph
    out = expression(*[Value(x) for x in point])
    assert isinstance(out, Value)
    order = topological_order(out)
    for v in order:
        attributes = data.draw(ATTRIBUTES)
        if "label" in attributes:
            attributes["label"] = str(attributes["label"])
        if "twin" in attributes:
            attributes["twin"] = data.draw(st.sampled_from(order))
        v.__dict__.update(attributes)
    out_copy = clone(out)
    same_graph(out, out_copy)
    copies = topological_order(out_copy)
    position = {id(v): i for i, v in enumerate(order)}
    for u, v in zip(order, copies, strict=True):
        assert u.__dict__.keys() == v.__dict__.keys()
        for name, x in u.__dict__.items():
            if clone is copy.copy:  # a shallow copy shares the attributes
                assert v.__dict__[name] is x
            elif isinstance(x, Value):  # the copy's own node, at the same place
                assert copies.index(v.__dict__[name]) == position[id(x)]
            else:
                assert v.__dict__[name] == x
                assert not isinstance(x, list) or v.__dict__[name] is not x


@COPIES
def test_optimizer_moments_and_a_colour_survive_a_copy(
    clone: Callable[[Any], Any],
) -> None:
    a = Value(2.0, label="a")
    a.m, a.v = 0.5, 0.1  # micrograd-style AdamW moments
    b = a * 3
    b.color = "red"
    c = clone(b)
    assert (c.color, c.label, c.parents[0].label) == ("red", "", "a")
    assert (c.parents[0].m, c.parents[0].v) == (0.5, 0.1)
    assert "label" not in c.__dict__  # an unset label stays the class default


def test_copy_copy_copies_each_attribute_dict_and_shares_the_attributes() -> None:
    a = Value(1.0)
    a.history = [1, 2]
    b = copy.copy(a)
    b.extra = True
    assert b.history is a.history and not hasattr(a, "extra")


@COPIES
def test_a_micrograd_leaf_keeps_its_op_string(clone: Callable[[Any], Any]) -> None:
    assert clone(Value(3.0, (), "leaf"))._op == "leaf"


def test_a_micrograd_node_deepcopied_keeps_its_op_and_a_backward_of_its_own() -> None:
    x, w = Value(3.0, (), "leaf"), Value(2.0)
    y = Value(x.data * w.data, (x, w), "*")

    def backward() -> None:
        x.grad += w.data * y.grad
        w.grad += x.data * y.grad

    y._backward = backward
    y2 = copy.deepcopy(y)  # (its row, micrograd's, cannot be pickled)
    x2, w2 = y2.parents
    assert x2._op == "leaf" and y2._op == "*"
    y2.grad = 1.0
    y2._backward()  # the copy's, not the closure over the original x and w
    assert (x2.grad, w2.grad, x.grad) == (2.0, 3.0, 0.0)


def run(script: str) -> subprocess.CompletedProcess[str]:
    """Run `script` in a fresh interpreter (a Value subclass switches the whole
    process to the reference backward, see test_subclass)."""
    code = "import copy, pickle\nfrom autograd import Value\n" + textwrap.dedent(script)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )


def test_a_value_subclass_is_kept_by_pickle_deepcopy_and_copy() -> None:
    done = run("""
        class P(Value):
            '''A user's subclass.'''

        x = P(2.0)
        x.m = 0.5
        y = x * 2
        via_pickle = lambda v: pickle.loads(pickle.dumps(v))
        for clone in (copy.deepcopy, copy.copy, via_pickle):
            (x2,) = clone(y).parents
            assert type(x2) is P and x2.m == 0.5 and x2 is not x, clone
    """)
    assert done.returncode == 0, done.stderr


def test_a_subclass_not_importable_by_name_cannot_be_pickled() -> None:
    done = run("""
        def make():
            class Local(Value):
                '''Defined in a function: pickle cannot find it by name.'''
            return Local(1.0)

        x = make()
        assert type(copy.deepcopy(x)) is type(x)  # deepcopy keeps the class itself
        pickle.dumps(x)
    """)
    assert "PicklingError: cannot pickle a node of the Value subclass" in done.stderr
    assert "make.<locals>.Local" in done.stderr and "top level" in done.stderr


def test_a_subclass_with_its_own_slots_is_refused_not_copied_without_them() -> None:
    done = run("""
        class S(Value):
            '''Keeps state in a slot, which a copy would lose.'''
            __slots__ = ("momentum",)

        s = S(1.0)
        s.momentum = 0.9
        copy.deepcopy(s)
    """)
    assert "TypeError: cannot copy a node of the Value subclass S" in done.stderr


@pytest.mark.slow
@COPIES
@given(graphs(max_length=200))
def test_long_random_graphs_copy_exactly(
    clone: Callable[[Any], Any], graph: Graph
) -> None:
    expression, point = graph
    leaves = [Value(x) for x in point]
    out = expression(*leaves)
    assert isinstance(out, Value)
    out.backward(create_graph=True)  # every grad a Value with its own graph
    out_copy, leaves_copy = clone((out, leaves))
    originals, copies = topological_order(out), topological_order(out_copy)
    assert [bits(v.data) for v in originals] == [bits(v.data) for v in copies]
    for a, b in zip(leaves, leaves_copy, strict=True):
        if isinstance(a.grad, Value):
            assert isinstance(b.grad, Value)
            ga, gb = topological_order(a.grad), topological_order(b.grad)
            assert [bits(v.data) for v in ga] == [bits(v.data) for v in gb]
            assert [v.op for v in ga] == [v.op for v in gb]
            assert not {id(v) for v in gb} & {id(v) for v in originals}


def has_attribute_dict(v: Value) -> bool:
    """Whether `v` has made its `__dict__`, asked without making it."""
    return any(type(r) is dict for r in gc.get_referents(v))


@pytest.mark.parametrize("clone", [via_pickle, via_deepcopy, copy.copy])
def test_copying_leaves_no_attribute_dict_on_the_nodes_copied(
    clone: Callable[[Any], Any],
) -> None:
    # Reading a node's `__dict__` makes one (64 bytes): most nodes have none.
    t = Value(1.0)
    for _ in range(10):
        t = t + 1.0
    nodes = topological_order(t)
    assert not any(has_attribute_dict(v) for v in nodes)
    copied = topological_order(clone(t))
    assert not any(has_attribute_dict(v) for v in (*nodes, *copied))
