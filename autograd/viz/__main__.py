"""``python -m autograd.viz``: render a demo expression or a saved model's graph.

python -m autograd.viz                           # the classic neuron -> out/graph.svg
python -m autograd.viz -o out/n.png --rankdir TB
python -m autograd.viz --model model.json --input 0.5 -1   # an nn.save'd MLP
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograd.core import Value
from autograd.viz import DEFAULT_MAX_NODES, FORMATS, GraphvizNotFoundError, render
from autograd.viz._text import check_number_format


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


class UsageError(Exception):
    """A problem with the command line's arguments or files: one line, exit 2."""


def model_graph(
    path: Path, sizes: Sequence[int] | None, inputs: Sequence[float] | None
) -> tuple[list[Value], Any]:
    """A saved `nn.MLP`'s outputs on `inputs` (default zeros), after backward.

    The file's `module` record (the saved model's repr) gives the sizes and
    activations; `sizes`, if given, must agree with it. nn checks the file
    against itself and the sizes against its parameters before building.
    """
    # nn sits above autograd; only this command-line entry point reaches up to
    # it, at run time, so the library itself never depends on nn.
    nn = importlib.import_module("nn")
    if sizes is not None and len(sizes) < 2:
        raise UsageError("--sizes needs the inputs and at least one layer width")
    try:
        checkpoint = nn.serialize.read(path)
        arguments = checkpoint.architecture()
        if arguments is None:
            if not sizes:
                raise UsageError(
                    f"{path} does not record an MLP's sizes: give them with --sizes"
                )
            arguments = {"nin": sizes[0], "nouts": list(sizes[1:])}
        saved = [arguments["nin"], *arguments["nouts"]]
        if sizes and list(sizes) != saved:
            raise UsageError(
                f"--sizes {' '.join(map(str, sizes))} disagrees with {path}, "
                f"which holds MLP sizes {' '.join(map(str, saved))}"
            )
        model = checkpoint.build_mlp(**arguments)
    except (TypeError, ValueError) as e:  # CheckpointError is a ValueError
        raise UsageError(str(e)) from None
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror or e}") from None
    if inputs is None:
        inputs = [0.0] * model.nin
    if len(inputs) != model.nin:
        raise UsageError(
            f"--input needs {model.nin} numbers for this model, got {len(inputs)}"
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
        help="an nn.save checkpoint of an nn.MLP; its sizes and activations "
        "come from the file",
    )
    p.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        metavar="N",
        help="the MLP's sizes, inputs then layer widths (e.g. 2 16 16 1): "
        "needed only for a file that does not record them",
    )
    p.add_argument(
        "--input",
        type=float,
        nargs="+",
        metavar="X",
        help="the input to evaluate the model on (default: zeros)",
    )
    return p


def one_root(roots: list[Value]) -> Value:
    """The one output an .html page steps through (a page explains one backward)."""
    if len(roots) != 1:
        raise UsageError(
            f"an .html page steps through one output's backward; this model has "
            f"{len(roots)} outputs: render .svg, .png or .pdf instead"
        )
    return roots[0]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (2: bad arguments or files)."""
    p = parser()
    args = p.parse_args(argv)
    output: Path = args.output
    if args.format:
        output = output.with_suffix("." + args.format)
    try:
        check_number_format(args.fmt, "--fmt")
        if args.model is None:
            roots, module = [neuron()], None
        else:
            roots, module = model_graph(args.model, args.sizes, args.input)
        shared = {"module": module, "rankdir": args.rankdir, "fmt": args.fmt}
        if output.suffix.lower() == ".html":
            written = render(
                one_root(roots), output, **shared, legend=not args.no_legend
            )
        else:
            written = render(
                roots,
                output,
                **shared,
                max_nodes=args.max_nodes or None,
                show_grad=not args.no_grad,
                show_edge_grads=not args.no_edge_grads,
                heat=args.heat,
                legend=not args.no_legend,
            )
    except GraphvizNotFoundError as e:
        print(e, file=sys.stderr)
        return 1
    except (UsageError, ValueError) as e:
        print(f"{p.prog}: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(
            f"{p.prog}: error: cannot write {output}: {e.strerror or e}",
            file=sys.stderr,
        )
        return 2
    print(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
