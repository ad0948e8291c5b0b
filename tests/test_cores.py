"""The two cores give the same bits: data, gradients and errors, on random graphs.

This process runs one core (`autograd.CORE`); a worker process runs the
other (`SCALARGRAD_PURE` set the other way) and answers the same programs.
A program is JSON: leaves, then steps applying a row of the op table to
earlier nodes or constants (numbers of every kind, non-finite and too large
ones included), then a mode (plain backward twice, anomaly mode,
create_graph, no_grad). Every row of the op table is drawn.

Run as a script, this file is the worker: one program per line in, one
result per line out.
"""

from __future__ import annotations

import contextlib
import gc
import json
import operator
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import autograd
from autograd import OPS, Value, core, detect_anomaly, no_grad

Program = dict[str, Any]

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
}
MODES = ("plain", "anomaly", "create_graph", "no_grad")


def _constant(encoded: list[Any]) -> object:
    kind, x = encoded
    return float.fromhex(x) if kind == "f" else x


def _number(x: object) -> object:
    """A gradient or value as JSON, exactly (a float by its hex digits)."""
    if isinstance(x, Value):
        return ["V", x._data.hex()]
    return x.hex() if isinstance(x, float) else repr(x)


def run(program: Program) -> list[Any]:
    """What the running core makes of `program`: every number, or the error."""
    nodes: list[Any] = [Value(float.fromhex(h)) for h in program["leaves"]]
    mode = program["mode"]
    seen: list[Any] = []

    def operand(ref: int | list[Any]) -> object:
        return nodes[ref] if isinstance(ref, int) else _constant(ref)

    try:
        with (
            detect_anomaly()
            if mode == "anomaly"
            else no_grad()
            if mode == "no_grad"
            else contextlib.nullcontext()
        ):
            for name, refs in program["steps"]:
                row = OPS[name]
                args = [operand(r) for r in refs]
                if row.symbol in _OPERATORS:
                    out = _OPERATORS[row.symbol](*args)
                else:
                    out = core.apply(row, tuple(args))
                nodes.append(out)
                seen.append(_number(out))
        root = nodes[-1]
        if mode == "create_graph":
            root.backward(create_graph=True)
        else:
            root.backward()
            root.backward()
        seen.append([_number(v.grad) for v in nodes])
    except Exception as error:
        seen.append(["error", type(error).__name__, str(error)])
    return seen


def _worker() -> None:
    for line in sys.stdin:
        print(json.dumps([autograd.CORE, run(json.loads(line))]), flush=True)


if __name__ == "__main__":
    _worker()
else:
    import pytest
    from hypothesis import given
    from hypothesis import strategies as st

    NAMES = sorted(OPS)
    leaf_floats = st.one_of(
        st.floats(-3.0, 3.0),
        st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e-300, 1e300, -1e300, 700.0]),
    )
    constants = st.one_of(
        st.builds(lambda f: ["f", f.hex()], leaf_floats),
        st.builds(
            lambda f: ["f", f.hex()], st.sampled_from([float("inf"), float("nan")])
        ),
        st.builds(lambda i: ["i", i], st.integers(-3, 3)),
        st.just(["i", 10**400]),
        st.builds(lambda b: ["i", b], st.booleans()),
    )

    @st.composite
    def programs(draw: st.DrawFn) -> Program:
        """Random graphs over every row of the op table."""
        leaves = draw(st.lists(leaf_floats, min_size=1, max_size=3))
        steps = []
        count = len(leaves)
        for name in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=10)):
            arity = OPS[name].arity
            node = st.integers(0, count - 1)
            refs: list[Any] = [draw(node)]
            if arity == 2:
                refs.append(draw(st.one_of(node, constants)))
                if draw(st.booleans()):
                    refs.reverse()  # the constant on the left: `2 - x`
            steps.append([name, refs])
            count += 1
        return {
            "leaves": [x.hex() for x in leaves],
            "steps": steps,
            "mode": draw(st.sampled_from(MODES)),
        }

    def _other_core_environment() -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "SCALARGRAD_PURE"}
        if autograd.CORE == "compiled":
            env["SCALARGRAD_PURE"] = "1"
        return env

    @pytest.fixture(scope="module")
    def other_core() -> Iterator[Callable[[Program], list[Any]]]:
        worker = subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_other_core_environment(),
            text=True,
        )
        assert worker.stdin is not None and worker.stdout is not None
        stdin, stdout = worker.stdin, worker.stdout

        def ask(program: Program) -> list[Any]:
            stdin.write(json.dumps(program) + "\n")
            stdin.flush()
            core, result = json.loads(stdout.readline())
            assert core != autograd.CORE, "the other core is not built"
            return result  # type: ignore[no-any-return]

        yield ask
        stdin.close()
        worker.wait(timeout=60)
        stdout.close()

    @given(programs())
    def test_both_cores_give_the_same_bits_and_errors(
        other_core: Callable[[Program], list[Any]], program: Program
    ) -> None:
        assert run(program) == other_core(program)

    @pytest.mark.slow
    @given(programs())
    def test_both_cores_agree_on_many_random_graphs(
        other_core: Callable[[Program], list[Any]], program: Program
    ) -> None:
        assert run(program) == other_core(program)

    def test_every_row_is_drawn_and_differentiated_the_same_way(
        other_core: Callable[[Program], list[Any]],
    ) -> None:
        for name in NAMES:
            point = [lo + 0.375 * (hi - lo) for lo, hi in OPS[name].sample]
            refs = list(range(len(point)))
            program = {
                "leaves": [x.hex() for x in point],
                "steps": [[name, refs]],
                "mode": "plain",
            }
            mine = run(program)
            assert mine[-1][0] != "error", mine
            assert mine == other_core(program)

    def _compiled_core_says(script: str) -> str:
        """What `script` prints when run on the compiled core."""
        env = {k: v for k, v in os.environ.items() if k != "SCALARGRAD_PURE"}
        done = subprocess.run(
            [sys.executable, "-c", "import autograd\n" + script],
            env=env,
            # Not the checkout: `-c` puts the working folder first on sys.path,
            # and the autograd installed for this Python must be the one tested.
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def test_the_compiled_node_is_not_tracked_by_the_collector() -> None:
        said = _compiled_core_says(
            "import gc\n"
            "x = autograd.Value(2.0); y = (x * x).tanh() + 1\n"
            "print(autograd.CORE, gc.is_tracked(x), gc.is_tracked(y))\n"
            "class Mine(autograd.Value): pass\n"
            "print(gc.is_tracked(Mine(1.0)))\n"
        )
        assert said.split() == ["compiled", "False", "False", "True"]

    def test_the_compiled_core_leaves_the_collector_settings_alone() -> None:
        said = _compiled_core_says(
            "import gc\n"
            "before = gc.isenabled(), gc.get_threshold()\n"
            "x = autograd.Value(1.0)\n"
            "for _ in range(10000): x = x * 1.0 + 0.5\n"
            "x.backward()\n"
            "print(before == (gc.isenabled(), gc.get_threshold()), before[0])\n"
        )
        assert said.split() == ["True", "True"]

    @contextlib.contextmanager
    def _collector_off() -> Iterator[None]:
        was_on = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if was_on:
                gc.enable()

    def test_a_dropped_graph_is_freed_at_once_by_reference_counting() -> None:
        from lifetimes import watch

        with _collector_off():
            x = Value(0.5)
            y = x
            for _ in range(100):
                y = (y * 1.5).tanh() + x
            y.backward()
            probes = [watch(x), watch(y)]
            del x, y
            assert [p() for p in probes] == [None, None]

    def test_a_dropped_chain_of_a_million_nodes_is_freed_without_recursion() -> None:
        with _collector_off():
            x = Value(1.0)
            y = x
            for _ in range(1_000_000):
                y = y + 1.0
            from lifetimes import watch

            probe = watch(x)
            del x, y
            assert probe() is None
