"""Fit a damped oscillation x(t) = A exp(-g t) cos(w t + p) + c to noisy data.

The engineer's task: one formula with five parameters, 10,000 measurements,
mean squared error and Adam. The first steps run eagerly (forward, backward,
optimizer step); then the same step is compiled (`autograd.compile`): traced
once, replayed as one loop over the data. Writes out/fit_formula.png: the
data, the starting guess and the fit, and the loss curve.

    python demos/fit_formula.py
    python demos/fit_formula.py --points 2000 --steps 100 --eager-steps 3
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from _common import Result, Timer, parser, plot_losses, progress, pyplot, save_figure

from autograd import Value, compile, cos, exp, no_grad
from nn import Adam, Module, mse

TRUE = {"A": 2.0, "g": 0.3, "w": 3.0, "p": 0.5, "c": 0.1}
"""The parameters the data is drawn from."""

GUESS = {"A": 1.0, "g": 0.1, "w": 2.8, "p": 0.0, "c": 0.0}
"""Where the fit starts. The loss is wavy in the frequency w: a guess far
from it (more than about a tenth here) settles in a local minimum."""

NOISE = 0.1
"""Standard deviation of the measurement noise (the best mse is about its square)."""


def formula(
    t: float,
    *,
    A: Value | float,
    g: Value | float,
    w: Value | float,
    p: Value | float,
    c: Value | float,
) -> Value | float:
    """A exp(-g t) cos(w t + p) + c, on numbers or Values."""
    return A * exp(-g * t) * cos(w * t + p) + c


class DampedOscillation(Module):
    """The formula as a model: its five parameters are Values, labelled by name."""

    def __init__(self, A: float, g: float, w: float, p: float, c: float) -> None:
        """Start from the given parameter values."""
        self.A, self.g, self.w, self.p = Value(A), Value(g), Value(w), Value(p)
        self.c = Value(c)

    def __call__(self, t: float) -> Value:
        """x(t) with the current parameters."""
        out = formula(t, A=self.A, g=self.g, w=self.w, p=self.p, c=self.c)
        assert isinstance(out, Value)
        return out


def make_data(n: int, rng: random.Random) -> tuple[list[float], list[float]]:
    """n times evenly over [0, 10] and the formula at TRUE plus Gaussian noise."""
    ts = [10.0 * i / max(n - 1, 1) for i in range(n)]
    xs = [float(formula(t, **TRUE)) + rng.gauss(0.0, NOISE) for t in ts]
    return ts, xs


def loss(
    model: Callable[[float], Value], ts: Sequence[float], xs: Sequence[float]
) -> Value:
    """Mean squared error of the model (a function of t) over the data.

    The predictions go to `mse` as a generator, so each term follows its
    prediction: compiled, the whole step is one loop over the data.
    """
    return mse((model(t) for t in ts), xs)


def main(argv: Sequence[str] | None = None) -> Result:
    """Run the demo with command-line arguments `argv`; return what it reached."""
    cli = parser(__doc__.splitlines()[0], steps=150)
    cli.add_argument("--points", type=int, default=10_000, help="measurements")
    cli.add_argument(
        "--eager-steps",
        type=int,
        default=5,
        help="steps run eagerly before switching to the compiled step",
    )
    args = cli.parse_args(argv)
    timer = Timer()
    ts, xs = make_data(args.points, random.Random(args.seed))
    model = DampedOscillation(**GUESS)
    optimizer = Adam(model.parameters(), lr=0.05)
    step = compile(lambda: loss(model, ts, xs))
    print(f"{len(ts):,} points; parameters {', '.join(TRUE)} start at {GUESS}")

    bar = progress(args.steps, "fit")
    losses, seconds = [], []
    for k in bar:
        start = time.perf_counter()
        optimizer.zero_grad()
        if k < args.eager_steps:
            out = loss(model, ts, xs)
            out.backward()
            value = out.data
        else:
            value = step()
        optimizer.step()
        seconds.append(time.perf_counter() - start)
        losses.append(value)
        bar.set_postfix(
            mse=f"{value:.5f}", mode="eager" if k < args.eager_steps else "compiled"
        )
    report_speed(seconds, args.eager_steps)

    fitted = {name: p.data for name, p in model.named_parameters()}
    with no_grad():
        final = loss(model, ts, xs).data
    figure = draw(
        args.out,
        ts=ts,
        xs=xs,
        fitted=fitted,
        losses=losses,
        eager_steps=args.eager_steps,
    )
    shown = ", ".join(f"{name} = {value:.3f}" for name, value in fitted.items())
    print(f"fitted {shown} (true {TRUE}); mse {final:.5f}; wrote {figure}")
    return Result(args.steps, final, None, figure, timer.seconds(), fitted=fitted)


def report_speed(seconds: list[float], eager_steps: int) -> None:
    """Print what an eager step, the first compiled call and a replay cost."""
    eager, compiled = seconds[:eager_steps], seconds[eager_steps:]
    if not eager or len(compiled) < 2:
        return
    per_step = statistics.median(eager)
    first, replay = compiled[0], statistics.median(compiled[1:])
    print(
        f"eager {per_step * 1e3:.0f} ms/step; compiled: first call (trace and "
        f"compile) {first * 1e3:.0f} ms = {first / per_step:.1f} eager steps, "
        f"then {replay * 1e3:.1f} ms/step ({per_step / replay:.0f}x)"
    )


def draw(
    out: Path,
    *,
    ts: list[float],
    xs: list[float],
    fitted: dict[str, float],
    losses: list[float],
    eager_steps: int,
) -> Path:
    """The data with the guess and the fit; the loss curve. Returns the file."""
    plt = pyplot()
    fig, (ax, curve) = plt.subplots(1, 2, figsize=(12, 4.4), width_ratios=[1.6, 1])
    ax.scatter(ts, xs, s=2, c="tab:gray", alpha=0.35, label="data", rasterized=True)
    ax.plot(ts, [formula(t, **GUESS) for t in ts], "--", lw=1.2, label="start")
    ax.plot(ts, [formula(t, **fitted) for t in ts], lw=2, label="fit")
    ax.set_xlabel("t")
    ax.set_ylabel("x(t)")
    fit = ", ".join(f"{k} = {v:.3f}" for k, v in fitted.items())
    ax.set_title(f"x(t) = A exp(-g t) cos(w t + p) + c\nfitted: {fit}", fontsize=10)
    ax.legend(loc="upper right")
    plot_losses(curve, losses, "mean squared error")
    if 0 < eager_steps < len(losses):
        curve.axvline(eager_steps, color="tab:gray", lw=1, ls=":")
        curve.annotate(
            " compiled from here",
            (eager_steps, 0.97),
            xycoords=("data", "axes fraction"),
            va="top",
            fontsize=8,
            color="tab:gray",
        )
    return save_figure(fig, out, "fit_formula.png")


if __name__ == "__main__":
    main(sys.argv[1:])
