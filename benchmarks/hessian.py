"""Hessians two ways: reverse-over-reverse against forward-over-reverse, interleaved.

    python benchmarks/hessian.py            # the full run, about a minute
    python benchmarks/hessian.py --quick    # a smoke run

`autograd.hessian` is `jacfwd(grad(f))`: the gradient's graph is recorded
once, then one float sweep per input carries tangents through it. The
reference is `jacobian(grad(f))`, one reverse pass over the gradient's
graph per input, building Values. Both give the same Hessian to rounding;
the table shows the largest relative difference of any entry.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import autograd
from autograd import grad, jacfwd, jacobian


def deep(*xs: Any) -> Any:
    """200 steps of z = tanh(z * x_k + 0.1) + 0.01 x_(k+1)^2: every input everywhere."""
    z: Any = 0.5
    for k in range(200):
        z = autograd.tanh(z * xs[k % len(xs)] + 0.1) + 0.01 * xs[(k + 1) % len(xs)] ** 2
    return z


def mlp(*w: Any) -> Any:
    """Squared error of a 3-unit tanh layer on 8 points; the weights cycle over `w`."""
    total: Any = 0.0
    for p in range(8):
        x = 0.1 * p - 0.3
        hidden = [
            autograd.tanh(w[3 * u % len(w)] * x + w[(3 * u + 1) % len(w)])
            for u in range(3)
        ]
        out = sum(w[(3 * u + 2) % len(w)] * hidden[u] for u in range(3))
        total = total + (out - x * x) ** 2
    return total


def pairs(*xs: Any) -> Any:
    """sum of sin(x_i x_j) over pairs + tanh(x_i)^3: each partial reads few nodes."""
    total: Any = 0.0
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            total = total + autograd.sin(xs[i] * xs[j])
        total = total + autograd.tanh(xs[i]) ** 3
    return total


def _entries(h: Any) -> list[float]:
    if isinstance(h, float):
        return [h]
    return [x for row in h for x in row]


def _largest_relative_difference(a: Any, b: Any) -> float:
    return max(
        abs(x - y) / max(abs(x), abs(y), 1e-300)
        for x, y in zip(_entries(a), _entries(b), strict=True)
    )


def run(reps: int = 7, quick: bool = False) -> list[dict[str, Any]]:
    """Time both ways on each function and size; print a table; return the rows."""
    cases: list[tuple[Callable[..., Any], int]] = [
        (deep, 1),
        (deep, 4),
        (mlp, 1),
        (mlp, 9),
        (pairs, 5),
        (pairs, 20),
        (pairs, 40),
        (pairs, 80),
    ]
    if quick:
        cases = cases[:1] + cases[4:5]
    rows = []
    print(
        "| function | inputs | jacobian(grad) ms | jacfwd(grad) ms | speed-up "
        "| max rel diff |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for f, n in cases:
        argnums = tuple(range(n)) if n > 1 else 0
        point = [0.1 * (k + 1) for k in range(n)]
        reverse = jacobian(grad(f, argnums), argnums)
        forward = jacfwd(grad(f, argnums), argnums)
        difference = _largest_relative_difference(reverse(*point), forward(*point))
        times: dict[str, list[float]] = {"reverse": [], "forward": []}
        for _ in range(reps):  # interleaved, so both see the same machine load
            for name, h in (("reverse", reverse), ("forward", forward)):
                start = time.process_time()
                h(*point)
                times[name].append(time.process_time() - start)
        r, fw = (statistics.median(times[k]) * 1e3 for k in ("reverse", "forward"))
        print(
            f"| {f.__name__} | {n} | {r:.2f} | {fw:.2f} | {r / fw:.2f}x "
            f"| {difference:.1e} |"
        )
        rows.append(
            {
                "function": f.__name__,
                "inputs": n,
                "seconds": times,
                "max_relative_difference": difference,
            }
        )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two small cases, once")
    parser.add_argument("--reps", type=int, default=7, help="repetitions per case")
    args = parser.parse_args()
    run(1 if args.quick else args.reps, quick=args.quick)
