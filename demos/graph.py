"""Pictures of computation graphs: a neuron and a small MLP, before and after backward.

Before backward every grad is 0; after it, each value shows d(loss)/d(value)
and each edge the local derivative that the chain rule multiplies by. The MLP
picture after backward also highlights every path from one weight to the loss
and colours values by |grad|. Writes four SVGs (or --format) under --out.

    python demos/graph.py
    python demos/graph.py --out pictures --format png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nn
from autograd import Value
from autograd.viz import render


def neuron_pictures(out: Path, suffix: str, seed: int) -> list[Path]:
    """tanh(w . x + b) with a squared-error loss, before and after backward."""
    neuron = nn.Neuron(2, "tanh", seed=seed)
    x = [Value(2.0, label="x0"), Value(-1.0, label="x1")]
    o = neuron(x)
    o.label = "o"
    loss = (o - 0.5) ** 2
    loss.label = "loss"
    before = render(loss, out / f"neuron_before{suffix}", module=neuron)
    loss.backward()
    after = render(loss, out / f"neuron_after{suffix}", module=neuron)
    return [before, after]


def mlp_pictures(out: Path, suffix: str, seed: int) -> list[Path]:
    """MLP(2, [3, 1]) with a squared-error loss, before and after backward."""
    model = nn.MLP(2, [3, 1], activation="tanh", seed=seed)
    x = [Value(0.5, label="x0"), Value(-1.5, label="x1")]
    y = model(x)
    assert isinstance(y, Value)
    y.label = "y"
    loss = (y - 1.0) ** 2
    loss.label = "loss"
    before = render(loss, out / f"mlp_before{suffix}", module=model)
    loss.backward()
    weight = model.layers[0].neurons[1].w[0]
    after = render(
        loss, out / f"mlp_after{suffix}", module=model, highlight=weight, heat=True
    )
    return [before, after]


def main(argv: list[str] | None = None) -> int:
    """Render the four pictures and print where they are."""
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--out", type=Path, default=Path("out"), help="directory for pictures"
    )
    p.add_argument("--format", choices=("svg", "png", "pdf"), default="svg")
    p.add_argument("--seed", type=int, default=1337, help="seed for the weights")
    args = p.parse_args(argv)
    suffix = "." + args.format
    for path in (
        *neuron_pictures(args.out, suffix, args.seed),
        *mlp_pictures(args.out, suffix, args.seed),
    ):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
