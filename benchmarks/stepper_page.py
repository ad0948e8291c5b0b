"""How long the step-through page takes to build, and how big it is.

Two graphs: an MLP(2, [8, 8, 1]) with a squared-error loss on one example
(about 300 values) and an MLP(2, [10, 10, 1]) on two examples (about 700).
Each page build (`autograd.viz.to_html`, with ``max_values=None`` so that a
checkout with a lower default builds it too) is timed against the static
SVG picture of the same graph (`autograd.viz.to_svg`, collapsed by default)
in the same run; the page's size is in bytes.

Run: .venv/bin/python benchmarks/stepper_page.py [--repeat N]
(against another checkout: PYTHONPATH=<its root> python benchmarks/stepper_page.py)
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import nn
from autograd import Value, topological_order
from autograd.viz import to_html, to_svg

GRAPHS = ((2, [8, 8, 1], 1), (2, [10, 10, 1], 2))


def mlp_loss(nin: int, widths: list[int], examples: int) -> tuple[Value, nn.MLP]:
    """A seeded MLP's summed squared error on `examples` fixed inputs."""
    model = nn.MLP(nin, widths, seed=0)
    loss = Value(0.0)
    for k in range(examples):
        x = [0.5 * (k + 1), -0.3 * (k + 1), 0.2][:nin]
        loss = loss + (model(x) - 1.0) ** 2
    return loss, model


def best(f: Callable[[], object], repeat: int) -> float:
    """The fastest of `repeat` runs of `f`, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Print build time (and its ratio to the static picture) and page bytes."""
    parser = argparse.ArgumentParser(description="Time and size the step-through page.")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'graph':<24}{'values':>7}{'page s':>9}{'svg s':>8}{'ratio':>8}{'bytes':>11}"
    )
    for nin, widths, examples in GRAPHS:
        loss, model = mlp_loss(nin, widths, examples)
        page = to_html(loss, module=model, max_values=None)
        t_page = best(
            lambda: to_html(loss, module=model, max_values=None),  # noqa: B023 - called now
            args.repeat,
        )
        t_svg = best(lambda: to_svg(loss, module=model), args.repeat)  # noqa: B023
        name = f"MLP({nin}, {widths}) x{examples}"
        print(
            f"{name:<24}{len(topological_order(loss)):>7}{t_page:>9.2f}"
            f"{t_svg:>8.2f}{t_page / t_svg:>8.1f}{len(page.encode()):>11,}"
        )


if __name__ == "__main__":
    main()
