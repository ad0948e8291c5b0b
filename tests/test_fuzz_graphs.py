"""Reliability properties over thousands of random expression graphs (`make fuzz`).

The graphs come from `autograd.testing.graphs`, the same public strategy the
op and gradient tests use; here each graph is checked for what README
"Guarantees" promises beyond correct numbers: no false alarm and the same
bits under `detect_anomaly`, finite gradients from valid input, the same bits
when differentiated in several threads at once, and nothing kept alive once
the graph is dropped; and the core gradient property at fuzz scale.
"""

from __future__ import annotations

import gc
import math
import struct
import threading

import pytest
from hypothesis import given
from lifetimes import watch

from autograd import Value, detect_anomaly, gradcheck, topological_order
from autograd.testing import Expression, graphs

Graph = tuple[Expression, tuple[float, ...]]

pytestmark = pytest.mark.slow


def _gradients(graph: Graph) -> tuple[bytes, list[bytes]]:
    """The output and every leaf's gradient, as exact bytes."""
    expression, points = graph
    leaves = [Value(x) for x in points]
    out = expression(*leaves)
    assert isinstance(out, Value)
    out.backward()
    pack = struct.Struct("<d").pack
    return pack(out.data), [pack(float(leaf.grad)) for leaf in leaves]


@given(graphs())
def test_random_graphs_pass_gradcheck_at_fuzz_scale(graph: Graph) -> None:
    # The core property (also in test_testing.py under the ci profile),
    # here through the public gradcheck, thousands of graphs at a time.
    expression, point = graph
    assert gradcheck(expression, *point)


@given(graphs())
def test_random_graphs_have_finite_gradients_and_no_anomaly(graph: Graph) -> None:
    plain = _gradients(graph)
    with detect_anomaly():
        checked = _gradients(graph)
    assert checked == plain
    for grad in plain[1]:
        assert math.isfinite(struct.unpack("<d", grad)[0])


@given(graphs())
def test_random_graphs_in_threads_give_the_bits_they_give_alone(graph: Graph) -> None:
    alone = _gradients(graph)
    results: list[tuple[bytes, list[bytes]]] = []
    start = threading.Barrier(3)

    def run() -> None:
        start.wait()
        for _ in range(5):
            results.append(_gradients(graph))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [alone] * 15


@given(graphs())
def test_random_graphs_are_freed_by_reference_counting_alone(graph: Graph) -> None:
    expression, points = graph
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        leaves = [Value(x) for x in points]
        out = expression(*leaves)
        assert isinstance(out, Value)
        out.backward()
        refs = [watch(v) for v in topological_order(out)]
        del leaves, out
        assert [r() for r in refs] == [None] * len(refs)
    finally:
        if was_enabled:
            gc.enable()
