"""What the demos share: command line, progress bar, accuracy and pictures.

Pictures are drawn with matplotlib's Agg backend (no display needed) and
written under ``--out`` (default ``out/``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

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
    fitted: dict[str, float] | None = None
    """The fitted parameters by name (the formula-fitting demo only)."""


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


def progress(steps: int, description: str, stream: TextIO | None = None) -> Any:
    """A progress bar over range(steps); show numbers with `set_postfix`.

    On a terminal, tqdm's bar. Written to a file or a pipe (a log, CI), where
    every redraw of the bar would be one more line, a plain line at every tenth
    of the run instead. `stream` defaults to stderr, as tqdm's.
    """
    out = sys.stderr if stream is None else stream
    if out.isatty():
        return tqdm(
            range(steps), desc=description, unit="step", dynamic_ncols=True, file=out
        )
    return PlainProgress(steps, description, out)


class PlainProgress:
    """Progress for logs: a line at every tenth of the steps and at the last."""

    def __init__(self, steps: int, description: str, stream: TextIO) -> None:
        """Report on range(steps) to `stream`, each line led by `description`."""
        self.steps, self.description, self.stream = steps, description, stream
        self.postfix = ""

    def __iter__(self) -> Iterator[int]:
        """The steps 0 .. steps - 1; a line after each tenth of them is done."""
        every = max(self.steps // 10, 1)
        timer = Timer()
        for k in range(self.steps):
            yield k
            done = k + 1
            if done % every == 0 or done == self.steps:
                line = f"{self.description}: {done}/{self.steps} steps"
                line += f", {timer.seconds():.1f} s{self.postfix}"
                print(line, file=self.stream, flush=True)

    def set_postfix(self, **values: object) -> None:
        """Numbers to show on the next line, as ``name=value``."""
        self.postfix = "".join(f", {k}={v}" for k, v in values.items())


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
    scores: Callable[[list[float]], Sequence[float]],
    points: Sequence[Sequence[float]],
    labels: Sequence[int],
    size: int = 60,
) -> None:
    """Shade each class's region of the plane and scatter the data on top.

    `scores(point)` gives one score per class; a point belongs to the class
    with the highest. Each region is drawn on its own, where its score beats
    every other class's, so boundaries fall where the scores tie,
    interpolated between grid points: smooth, and never a band of a class
    that wins nowhere there (contouring class *numbers* would put class 1
    between classes 0 and 2).
    """
    # No graph is needed to colour the plane: evaluate without recording.
    with no_grad():
        grid = list(_grid(points, size))
        table = [list(scores(p)) for p in grid]
    gx = [[grid[j * size + i][0] for i in range(size)] for j in range(size)]
    gy = [[grid[j * size + i][1] for i in range(size)] for j in range(size)]
    last = max(labels)
    colours = pyplot().get_cmap("Spectral")
    for k in range(last + 1):
        # How far class k's score is above the best other class's: > 0 inside.
        lead = [
            [
                table[j * size + i][k] - max(_others(table[j * size + i], k))
                for i in range(size)
            ]
            for j in range(size)
        ]
        top = max(max(row) for row in lead)
        if top > 0.0:
            ax.contourf(
                gx,
                gy,
                lead,
                levels=[0.0, top + 1.0],
                colors=[colours(k / last)],
                alpha=0.6,
            )
    ax.scatter(
        [p[0] for p in points],
        [p[1] for p in points],
        c=list(labels),
        cmap="Spectral",
        vmin=0,
        vmax=last,
        s=24,
        edgecolors="black",
        linewidths=0.5,
    )
    ax.set_xlim(gx[0][0], gx[0][-1])
    ax.set_ylim(gy[0][0], gy[-1][0])


def _others(row: Sequence[float], k: int) -> list[float]:
    return [s for j, s in enumerate(row) if j != k]


def plot_losses(ax: Any, losses: Sequence[float], name: str = "loss") -> None:
    """The training curve: `losses` per step, on a log scale when all are positive."""
    ax.plot(range(len(losses)), losses, lw=1.5)
    if min(losses) > 0.0:
        ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel(name)
    ax.set_title(
        f"{name} while training: {losses[0]:.3g} \N{RIGHTWARDS ARROW} {losses[-1]:.3g}"
    )
    ax.grid(True, which="both", alpha=0.3)
