"""Subclasses of Value work everywhere a Value does.

Defining a subclass switches `backward` to the reference path for the whole
process, so each test runs its script in a fresh interpreter: the rest of the
suite keeps testing the fast path.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run(script: str) -> None:
    """Run `script` (after defining `class P(Value)`) in a fresh interpreter."""
    prelude = """
        import math
        import autograd
        from autograd import Value, _sweep, core

        class P(Value):
            '''A user's subclass, adding nothing.'''
    """
    code = textwrap.dedent(prelude) + textwrap.dedent(script)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_a_subclass_does_arithmetic_on_either_side() -> None:
    run("""
        p = P(2.0)
        results = [p * 2, 2 * p, p + p, p - 1, 1 - p, p / 4, 4 / p, -p, abs(p)]
        expected = [4.0, 4.0, 4.0, 1.0, -1.0, 0.5, 2.0, -2.0, 2.0]
        assert [r.data for r in results] == expected
        assert all(type(r) is Value for r in results)  # results are plain Values
        assert (p ** 2).data == 4.0 and (2 ** P(3.0)).data == 8.0
        assert p.exp().data == math.exp(2.0) == autograd.exp(p).data
        assert autograd.leaky_relu(P(-1.0), 0.5).data == -0.5
        assert max(P(1.0), p) is p
    """)


def test_gradients_reach_subclass_nodes_with_the_bits_of_plain_values() -> None:
    run("""
        def loss(make):
            x, w = make(0.7), make(-1.3)
            out = (x * w + x.tanh() * 3.0).sin() / (w * w + 1.0)
            out.backward()
            out.backward()
            return [x.grad, w.grad, out.grad]

        assert loss(P) == loss(Value)
        assert _sweep.subclasses == [P]
    """)


def test_zero_grad_and_the_backward_order_see_subclass_leaves() -> None:
    run("""
        p = P(2.0)
        out = (p * p).tanh() + Value(1.0) * p
        out.backward()
        assert p.grad != 0.0
        assert p in core.backward_order(out)
        out.zero_grad()
        assert p.grad == 0.0
    """)


def test_a_subclass_defining_eq_or_hash_is_refused() -> None:
    # Two nodes equal by number would share one adjoint: silently wrong grads.
    run("""
        bodies = {
            "__eq__": "def __eq__(self, o): return self is o",
            "__hash__": "def __hash__(self): return 0",
        }
        for name, body in bodies.items():
            try:
                exec(f"class Q(Value):\\n    {body}\\n")
            except TypeError as error:
                assert name in str(error) and "identity" in str(error), error
            else:
                raise AssertionError(f"a subclass defining {name} was accepted")
        assert _sweep.subclasses == [P]  # the refused ones were not recorded
    """)


def test_a_long_chain_over_subclass_leaves_is_freed_by_reference_counting() -> None:
    run("""
        import gc, weakref

        class Probe:
            pass  # lives in a node's __dict__, so it dies with the node

        gc.disable()
        y = P(0.5)
        watched = []
        for i in range(200_000):
            leaf = P(1.0)
            if i % 20_000 == 0:
                probe = Probe()
                vars(leaf)["probe"] = probe
                watched.append(weakref.ref(probe))
            y = leaf * y
        del leaf, probe
        y.backward()
        del y
        assert [ref() for ref in watched] == [None] * len(watched)
    """)
