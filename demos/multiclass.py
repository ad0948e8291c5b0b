"""Classify three spiral arms with softmax cross-entropy and Adam; plot the regions.

Each point gets three scores (logits), one per class; cross-entropy turns
them into probabilities with a softmax and penalises a low probability for
the true class. Writes out/multiclass.png: each class's region, and the loss
curve beside them.

    python demos/multiclass.py
    python demos/multiclass.py --steps 40 --seed 3 --out /tmp/pictures
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

from autograd import Value, no_grad
from nn import MLP, Adam, cross_entropy, make_spiral


def logits(model: MLP, x: Sequence[float]) -> list[Value]:
    """The model's three class scores for point `x`."""
    out = model(x)
    assert isinstance(out, list)
    return out


def argmax(row: Sequence[Value]) -> int:
    """The index of the highest score: the predicted class."""
    return max(range(len(row)), key=lambda k: row[k].data)


def main(argv: Sequence[str] | None = None) -> Result:
    """Run the demo with command-line arguments `argv`; return what it reached."""
    args = parser(__doc__.splitlines()[0], steps=100).parse_args(argv)
    timer = Timer()
    rng = random.Random(args.seed)
    points, labels = make_spiral(60, n_classes=3, noise=0.1, seed=rng)
    model = MLP(2, [16, 16, 3], seed=rng)
    optimizer = Adam(model.parameters(), lr=0.03)
    print(f"{model}: {len(model.parameters())} parameters, {len(points)} points")

    bar = progress(args.steps, "multiclass")
    losses = []
    for _ in bar:
        rows = [logits(model, x) for x in points]
        loss = cross_entropy(rows, labels)
        predicted = [argmax(row) for row in rows]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
        bar.set_postfix(
            loss=f"{loss.data:.4f}", acc=f"{accuracy(predicted, labels):.0%}"
        )
    with no_grad():
        rows = [logits(model, x) for x in points]
        final = cross_entropy(rows, labels).data
    acc = accuracy([argmax(row) for row in rows], labels)

    plt = pyplot()
    fig, (ax, curve) = plt.subplots(1, 2, figsize=(11, 4.6))
    plot_regions(ax, lambda x: [s.data for s in logits(model, x)], points, labels)
    ax.set_title(f"3 spirals after {args.steps} steps: accuracy {acc:.0%}")
    plot_losses(curve, losses, "cross-entropy")
    figure = save_figure(fig, args.out, "multiclass.png")
    result = Result(args.steps, final, acc, figure, timer.seconds())
    print(
        f"loss {final:.4f}, accuracy {acc:.0%}, {result.seconds:.1f} s; wrote {figure}"
    )
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
