"""Train micrograd's two-moons classifier and draw its decision boundary.

The demo from micrograd's README: 100 points of two interleaving moons, an
MLP(2, [16, 16, 1]), the max-margin (hinge) loss plus 1e-4 * L2, and full-batch
SGD whose learning rate decays from 1.0 to 0.1 over the run. Writes
out/moons.png: the decision regions, and the loss curve beside them.

    python demos/moons.py            # 100 steps; reaches 100% accuracy
    python demos/moons.py --steps 30 --seed 7 --out /tmp/pictures
    python demos/moons.py --compile  # the same steps, traced once and replayed
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence

from _common import (
    Result,
    Timer,
    accuracy,
    parser,
    plot_losses,
    plot_regions,
    progress,
    pyplot,
    save_figure,
)

from autograd import Value, compile
from nn import MLP, SGD, Optimizer, hinge, l2, make_moons

ALPHA = 1e-4
"""Weight of the L2 penalty."""


def score(model: MLP, x: Sequence[float]) -> Value:
    """The model's score for point `x`: positive means class +1."""
    out = model(x)
    assert isinstance(out, Value)
    return out


def batch_loss(
    model: MLP, points: Sequence[Sequence[float]], labels: Sequence[int]
) -> tuple[Value, list[Value]]:
    """Forward pass over the whole batch: hinge loss + ALPHA * L2, and the scores."""
    scores = [score(model, x) for x in points]
    return hinge(scores, labels) + ALPHA * l2(model.parameters()), scores


def loss_and_accuracy(
    model: MLP, points: Sequence[Sequence[float]], labels: Sequence[int]
) -> tuple[Value, float]:
    """Forward pass over the whole batch: hinge loss + ALPHA * L2, and accuracy."""
    loss, scores = batch_loss(model, points, labels)
    predicted = [1 if s.data > 0 else -1 for s in scores]
    return loss, accuracy(predicted, labels)


def train_step(
    model: MLP,
    optimizer: Optimizer,
    points: Sequence[Sequence[float]],
    labels: Sequence[int],
) -> tuple[float, float]:
    """One step of gradient descent; the loss and accuracy before it."""
    loss, acc = loss_and_accuracy(model, points, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.data, acc


def main(argv: Sequence[str] | None = None) -> Result:
    """Run the demo with command-line arguments `argv`; return what it reached."""
    cli = parser(__doc__.splitlines()[0], steps=100)
    cli.add_argument(
        "--compile",
        action="store_true",
        help="replay the traced step (autograd.compile): same numbers, faster",
    )
    args = cli.parse_args(argv)
    timer = Timer()
    rng = random.Random(args.seed)
    points, classes = make_moons(100, noise=0.1, seed=rng)
    labels = [2 * c - 1 for c in classes]  # hinge wants labels -1 and +1
    model = MLP(2, [16, 16, 1], seed=rng)
    steps = args.steps
    optimizer = SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / steps)
    print(f"{model}: {len(model.parameters())} parameters, {len(points)} points")

    # Compiled, a step returns the loss only (compile refuses reading a
    # score's number inside the step): accuracy is computed at the end.
    step = compile(lambda: batch_loss(model, points, labels)[0])
    bar = progress(steps, "moons")
    losses = []
    for _ in bar:
        if args.compile:
            optimizer.zero_grad()
            loss = step()
            optimizer.step()
            bar.set_postfix(loss=f"{loss:.4f}")
        else:
            loss, acc = train_step(model, optimizer, points, labels)
            bar.set_postfix(loss=f"{loss:.4f}", acc=f"{acc:.0%}")
        losses.append(float(loss))
    final, acc = loss_and_accuracy(model, points, labels)

    plt = pyplot()
    fig, (ax, curve) = plt.subplots(1, 2, figsize=(11, 4.6))
    # Class 1 (label +1) wins where the score is above 0, class 0's fixed score.
    plot_regions(ax, lambda x: (0.0, score(model, x).data), points, classes)
    ax.set_title(f"MLP(2, [16, 16, 1]) after {steps} steps: accuracy {acc:.0%}")
    plot_losses(curve, losses, "hinge loss + L2")
    figure = save_figure(fig, args.out, "moons.png")
    result = Result(steps, final.data, acc, figure, timer.seconds())
    print(
        f"loss {result.loss:.4f}, accuracy {acc:.0%}, {result.seconds:.1f} s; "
        f"wrote {figure}"
    )
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
