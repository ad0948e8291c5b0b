"""Fit a noisy sine with an MLP and mean squared error; plot the fit.

Forward pass, loss, backward pass, Adam step, repeated: the curve the network
draws bends toward the data. Writes out/regression.png: the fit, and the loss
curve beside it.

    python demos/regression.py
    python demos/regression.py --steps 50 --out /tmp/pictures
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Sequence

from _common import Result, Timer, parser, plot_losses, progress, pyplot, save_figure

from autograd import Value, no_grad
from nn import MLP, Adam, make_sine, mse


def predict(model: MLP, x: float) -> Value:
    """The model's estimate of sin(x)."""
    out = model([x])
    assert isinstance(out, Value)
    return out


def main(argv: Sequence[str] | None = None) -> Result:
    """Run the demo with command-line arguments `argv`; return what it reached."""
    args = parser(__doc__.splitlines()[0], steps=200).parse_args(argv)
    timer = Timer()
    rng = random.Random(args.seed)
    points, targets = make_sine(40, noise=0.1, seed=rng)
    xs = [p[0] for p in points]
    model = MLP(1, [16, 16, 1], activation="tanh", seed=rng)
    optimizer = Adam(model.parameters(), lr=0.03)
    print(f"{model}: {len(model.parameters())} parameters, {len(xs)} points")

    bar = progress(args.steps, "regression")
    losses = []
    for _ in bar:
        loss = mse([predict(model, x) for x in xs], targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
        bar.set_postfix(mse=f"{loss.data:.4f}")
    with no_grad():
        final = mse([predict(model, x) for x in xs], targets).data
        curve_x = [-math.pi + 2 * math.pi * i / 199 for i in range(200)]
        curve_y = [predict(model, x).data for x in curve_x]

    plt = pyplot()
    fig, (ax, curve) = plt.subplots(1, 2, figsize=(11, 4))
    ax.plot(curve_x, [math.sin(x) for x in curve_x], "k--", lw=1, label="sin(x)")
    ax.plot(curve_x, curve_y, lw=2, label="MLP")
    ax.scatter(xs, targets, s=16, c="tab:orange", label="noisy samples")
    ax.set_title(f"after {args.steps} steps: mean squared error {final:.4f}")
    ax.legend()
    plot_losses(curve, losses, "mean squared error")
    figure = save_figure(fig, args.out, "regression.png")
    result = Result(args.steps, final, None, figure, timer.seconds())
    print(f"mse {final:.4f}, {result.seconds:.1f} s; wrote {figure}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
