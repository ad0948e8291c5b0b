"""``python -m autograd.viz``: render a demo expression or a saved model's graph.

python -m autograd.viz                           # the classic neuron -> out/graph.svg
python -m autograd.viz -o out/n.png --rankdir TB
python -m autograd.viz --model model.json --sizes 2 16 16 1 --input 0.5 -1
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograd.engine import Value
from autograd.viz import DEFAULT_MAX_NODES, FORMATS, GraphvizNotFoundError, render


def neuron() -> Value:
    """The classic neuron tanh(x1*w1 + x2*w2 + b), after backward."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def model_graph(
    path: Path, sizes: Sequence[int], inputs: Sequence[float]
) -> tuple[list[Value], Any]:
    """A saved `nn.MLP`'s outputs on `inputs`, after backward, and the model."""
    # nn sits above autograd; only this command-line entry point reaches up to
    # it, at run time, so the library itself never depends on nn.
    nn = importlib.import_module("nn")
    model = nn.MLP(sizes[0], list(sizes[1:]))
    nn.load(path, model)
    if len(inputs) != sizes[0]:
        raise SystemExit(
            f"--input needs {sizes[0]} numbers for this model, got {len(inputs)}"
        )
    x = [Value(v, label=f"x{i}") for i, v in enumerate(inputs)]
    out = model(x)
    outputs = [out] if isinstance(out, Value) else list(out)
    for i, y in enumerate(outputs):
        y.label = y.label or (f"y{i}" if len(outputs) > 1 else "y")
        y.backward()
    return outputs, model


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(
        prog="python -m autograd.viz",
        description="Render a computation graph with Graphviz: a demo neuron "
        "(default) or a saved nn.MLP evaluated on one input. Values show data "
        "and grad (after backward); edges show local derivatives.",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("out/graph.svg"),
        help="file to write; its suffix picks the format (default: out/graph.svg)",
    )
    p.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        help="output format, replacing the suffix of --output",
    )
    p.add_argument("--rankdir", choices=("LR", "TB"), default="LR")
    p.add_argument(
        "--max-nodes",
        type=int,
        default=DEFAULT_MAX_NODES,
        help=f"collapse into summaries past this many nodes (default "
        f"{DEFAULT_MAX_NODES}; 0 for no limit)",
    )
    p.add_argument("--fmt", default=".4g", help="number format (default .4g)")
    p.add_argument("--no-grad", action="store_true", help="hide grads")
    p.add_argument("--no-edge-grads", action="store_true", help="hide edge derivatives")
    p.add_argument("--heat", action="store_true", help="colour values by |grad|")
    p.add_argument("--no-legend", action="store_true", help="leave out the legend")
    p.add_argument(
        "--model",
        type=Path,
        help="an nn checkpoint (nn.save) of an MLP with layer --sizes",
    )
    p.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        metavar="N",
        help="the MLP's sizes: inputs, then each layer's outputs (e.g. 2 16 16 1)",
    )
    p.add_argument(
        "--input",
        type=float,
        nargs="+",
        metavar="X",
        help="the input to evaluate the model on (default: zeros)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    output: Path = args.output
    if args.format:
        output = output.with_suffix("." + args.format)
    if args.model is None:
        roots, module = [neuron()], None
    else:
        if not args.sizes or len(args.sizes) < 2:
            raise SystemExit("--model needs --sizes: inputs and layer widths")
        inputs = args.input or [0.0] * args.sizes[0]
        roots, module = model_graph(args.model, args.sizes, inputs)
    try:
        written = render(
            roots,
            output,
            module=module,
            rankdir=args.rankdir,
            max_nodes=args.max_nodes or None,
            fmt=args.fmt,
            show_grad=not args.no_grad,
            show_edge_grads=not args.no_edge_grads,
            heat=args.heat,
            legend=not args.no_legend,
        )
    except GraphvizNotFoundError as e:
        print(e, file=sys.stderr)
        return 1
    print(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
