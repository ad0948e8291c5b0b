"""What a compiled replay pays per leaf on each core: a node's fields from Python.

    python benchmarks/leaf_access.py           # both cores, a few seconds
    python benchmarks/leaf_access.py --quick   # a smoke run

A replay (`autograd.compile`) reads each leaf's `_data` and adds to its
`_grad` in generated Python; W3's loop does both for 200,000 leaves, so
these two statements decide how a wide replay compares across the cores.
The Python core's fields are slots (member descriptors), which CPython's
specializing interpreter reads and writes inline; whatever else a field is
goes through the generic attribute lookup. Each core runs in processes of
its own (the Python one with SCALARGRAD_PURE=1), the cores taking turns; a
cell is the median over the repetitions of ns per leaf, less an empty loop
over the same leaves, and the ratio is the compiled core's over the Python
core's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from autograd import Value

CORES = ("compiled", "python")


def _loops(leaves: list[Value]) -> dict[str, Callable[[], None]]:
    """The statements a replay runs per leaf, each in a loop over `leaves`."""

    def empty() -> None:
        for _ in leaves:
            pass

    def read_data() -> None:
        for v in leaves:
            v._data  # noqa: B018 - the read is what is timed

    def add_to_grad() -> None:
        for v in leaves:
            v._grad += 0.5

    return {"empty loop": empty, "x = v._data": read_data, "v._grad += g": add_to_grad}


def _worker(n: int) -> None:
    """Print the core, each field's descriptor and ns per leaf of each loop."""
    import autograd  # noqa: PLC0415 - the core is chosen by this process's environment

    leaves = [Value(0.5) for _ in range(n)]
    ns: dict[str, float] = {}
    for name, loop in _loops(leaves).items():
        best = float("inf")
        for _ in range(5):  # the quickest of a few: the loop is short
            start = time.perf_counter()
            loop()
            best = min(best, time.perf_counter() - start)
        ns[name] = best * 1e9 / n
    fields = {f: type(vars(Value)[f]).__name__ for f in ("_data", "_grad")}
    print(json.dumps([autograd.CORE, fields, ns]))


def measure(
    n: int, reps: int
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, list[float]]]]:
    """Per core, its fields' descriptors and each loop's ns per leaf, per repetition."""
    fields: dict[str, dict[str, str]] = {}
    times: dict[str, dict[str, list[float]]] = {core: {} for core in CORES}
    for rep in range(reps):
        for core in CORES if rep % 2 == 0 else CORES[::-1]:
            env = {k: v for k, v in os.environ.items() if k != "SCALARGRAD_PURE"}
            if core == "python":
                env["SCALARGRAD_PURE"] = "1"
            out = subprocess.run(
                [sys.executable, __file__, "--worker", "-n", str(n)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            ran, fields[core], ns = json.loads(out)
            if ran != core:
                raise SystemExit(f"asked for the {core} core, the worker ran {ran}")
            empty = ns.pop("empty loop")
            for name, t in ns.items():
                times[core].setdefault(name, []).append(t - empty)
    return fields, times


def table(
    fields: dict[str, dict[str, str]], times: dict[str, dict[str, list[float]]]
) -> str:
    """Markdown: per statement, each core's median ns per leaf and the ratio."""
    lines = [
        "| per leaf (ns) | compiled core | Python core | compiled / Python |",
        "|---|---:|---:|---:|",
    ]
    for name in times["python"]:
        compiled, python = (statistics.median(times[c][name]) for c in CORES)
        lines.append(
            f"| `{name}` | {compiled:.1f} | {python:.1f} | {compiled / python:.1f}x |"
        )
    kinds = "; ".join(
        f"{core}: " + ", ".join(f"{f} {kind}" for f, kind in fields[core].items())
        for core in CORES
    )
    return "\n".join([*lines, "", f"Descriptors: {kinds}."])


def main(argv: list[str] | None = None) -> None:
    """Run both cores' workers, turn about, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--reps", type=int, default=None, help="default 7, quick 2")
    parser.add_argument("-n", type=int, default=None, help="leaves (default 100,000)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n = args.n or (1_000 if args.quick else 100_000)
    if args.worker:
        _worker(n)
        return
    reps = args.reps or (2 if args.quick else 7)
    print(table(*measure(n, reps)))
    print(f"\nMedians of {reps} repetitions, cores taking turns; {n:,} leaves.")


if __name__ == "__main__":
    main()
