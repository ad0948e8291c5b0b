"""What the demos share: command line, progress bar, accuracy and pictures.

Pictures are drawn with matplotlib's Agg backend (no display needed) and
written under ``--out`` (default ``out/``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from autograd import no_grad


@dataclass(frozen=True)
class Result:
    """What a demo reached: final loss, accuracy (classifiers), picture, time."""

    steps: int
    loss: float
    accuracy: float | None
    figure: Path
    seconds: float
    gradient_error: float | None = None
    """Largest |backprop - finite difference| (the chain-rule demo only)."""


def positive_int(text: str) -> int:
    """argparse type: an int >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def parser(
    description: str, *, steps: int, seed: int | None = 1337
) -> argparse.ArgumentParser:
    """A parser with the options every demo takes: --steps, --seed, --out."""
    p = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--steps", type=positive_int, default=steps, help="training steps")
    p.add_argument("--seed", type=int, default=seed, help="seed for data and weights")
    p.add_argument(
        "--out", type=Path, default=Path("out"), help="directory for pictures"
    )
    return p


def progress(steps: int, description: str) -> Any:
    """A tqdm progress bar over range(steps); show numbers with `set_postfix`."""
    return tqdm(range(steps), desc=description, unit="step", dynamic_ncols=True)


class Timer:
    """Wall-clock seconds since construction."""

    def __init__(self) -> None:
        """Start the clock."""
        self.start = time.perf_counter()

    def seconds(self) -> float:
        """Seconds elapsed."""
        return time.perf_counter() - self.start


def accuracy(predicted: Sequence[object], labels: Sequence[object]) -> float:
    """The fraction of predictions equal to their labels."""
    return sum(p == y for p, y in zip(predicted, labels, strict=True)) / len(labels)


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (files only, no window)."""
    # Imported on first use: matplotlib takes a while, and --help should not wait.
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    return plt


def save_figure(fig: Any, out: Path, name: str) -> Path:
    """Write `fig` to out/name (creating `out`), close it, return the path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    fig.savefig(path, dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    return path


def _grid(points: Sequence[Sequence[float]], size: int) -> Iterator[list[float]]:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x0, x1 = min(xs) - 0.5, max(xs) + 0.5
    y0, y1 = min(ys) - 0.5, max(ys) + 0.5
    for j in range(size):
        for i in range(size):
            yield [x0 + (x1 - x0) * i / (size - 1), y0 + (y1 - y0) * j / (size - 1)]


def plot_regions(
    ax: Any,
    classify: Callable[[list[float]], int],
    points: Sequence[Sequence[float]],
    labels: Sequence[int],
    size: int = 40,
) -> None:
    """Shade the plane by the class `classify` gives it and scatter the data on top."""
    # No graph is needed to colour the plane: evaluate without recording.
    with no_grad():
        grid = list(_grid(points, size))
        classes = [classify(p) for p in grid]
    gx = [[grid[j * size + i][0] for i in range(size)] for j in range(size)]
    gy = [[grid[j * size + i][1] for i in range(size)] for j in range(size)]
    gz = [[classes[j * size + i] for i in range(size)] for j in range(size)]
    levels = [c - 0.5 for c in range(max(labels) + 2)]
    ax.contourf(gx, gy, gz, levels=levels, cmap="Spectral", alpha=0.6)
    ax.scatter(
        [p[0] for p in points],
        [p[1] for p in points],
        c=list(labels),
        cmap="Spectral",
        vmin=0,
        vmax=max(labels),
        s=24,
        edgecolors="black",
        linewidths=0.5,
    )
    ax.set_xlim(gx[0][0], gx[0][-1])
    ax.set_ylim(gy[0][0], gy[-1][0])
