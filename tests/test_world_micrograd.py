"""Where a script ported from micrograd by its import gives other numbers."""

from __future__ import annotations

import micrograd.engine

from autograd import Value


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
