"""Backpropagation by hand: a tiny neuron and its loss, every chain-rule step printed.

The expression is micrograd's neuron, o = tanh(x1*w1 + x2*w2 + b), with the
loss L = (o - target)**2 written as d * d, so one node feeds another twice
and its gradient is a sum. The demo prints the forward values, then walks the
graph from L back to the leaves: at every edge, the upstream gradient times
the local derivative is added to the operand's running sum (the chain rule).
It checks every gradient against central finite differences, then takes
--steps steps of gradient descent on w1, w2 and b, and plots both.
Writes out/chain_rule.png, and out/chain_rule.html: open it in a browser to
step through the same backward pass on the graph (needs Graphviz).

    python demos/chain_rule.py
    python demos/chain_rule.py --seed 3 --steps 50
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence

from _common import (
    Result,
    Timer,
    parser,
    plot_losses,
    progress,
    pyplot,
    save_figure,
)

from autograd import Value, explain, no_grad, topological_order
from autograd.viz import GraphvizNotFoundError, render

TARGET = 0.5
"""What the neuron's output should be."""
LEAVES = ("x1", "x2", "w1", "w2", "b")
CLASSIC = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}
"""micrograd's example values (b makes n = 0.8814, so that o = tanh(n) = 0.7071)."""
LR = 0.1
"""Gradient-descent step size (0.5 overshoots and the loss oscillates)."""
H = 1e-6
"""Step of the central finite differences (error O(H**2) plus rounding)."""


def forward(leaves: dict[str, Value]) -> Value:
    """Build L = (tanh(x1*w1 + x2*w2 + b) - TARGET)**2, labelling every node."""

    def named(v: Value, label: str) -> Value:
        v.label = label
        return v

    x1w1 = named(leaves["x1"] * leaves["w1"], "x1*w1")
    x2w2 = named(leaves["x2"] * leaves["w2"], "x2*w2")
    s = named(x1w1 + x2w2, "x1*w1 + x2*w2")
    n = named(s + leaves["b"], "n")
    o = named(n.tanh(), "o")
    d = named(o - TARGET, "d")
    return named(d * d, "L")


def describe(v: Value) -> str:
    """How a node was made, in symbols: 'x1*w1 = x1 * w1'."""
    if not v.op:
        return f"{v.label} (leaf)"
    names = [p.label if isinstance(p, Value) else repr(p) for p in v.operands]
    return f"{v.label} = {v.op}({', '.join(names)})"


def show_forward(loss: Value) -> None:
    """Print every node in the order it was computed."""
    print("Forward pass: each node from its operands")
    for v in topological_order(loss):
        print(f"  {describe(v):<34} {v.data: .6f}")


def show_backward(loss: Value) -> dict[Value, float]:
    """Print backward's chain-rule steps from `loss` (`autograd.explain`).

    Returns each node's gradient d(loss)/d(node), summed as printed.
    """
    print("\nBackward pass: each edge adds upstream * local to its parent's grad")
    steps = explain(loss)
    print(steps)
    return steps.grads


def finite_difference(values: dict[str, float], name: str) -> float:
    """(L(x + H) - L(x - H)) / 2H, moving leaf `name` only."""

    def loss_at(x: float) -> float:
        with no_grad():
            leaves = {
                k: Value(x if k == name else v, label=k) for k, v in values.items()
            }
            return forward(leaves).data

    x = values[name]
    return (loss_at(x + H) - loss_at(x - H)) / (2 * H)


def main(argv: Sequence[str] | None = None) -> Result:
    """Run the demo with command-line arguments `argv`; return what it reached."""
    p = parser(__doc__.splitlines()[0], steps=25, seed=None)
    p.description = "Backpropagation by hand; --seed draws random starting values."
    args = p.parse_args(argv)
    timer = Timer()
    if args.seed is None:
        values = dict(CLASSIC)
    else:
        rng = random.Random(args.seed)
        values = {k: round(rng.uniform(-2.0, 2.0), 4) for k in LEAVES}
    leaves = {k: Value(v, label=k) for k, v in values.items()}

    loss = forward(leaves)
    show_forward(loss)
    grads = show_backward(loss)
    loss.backward()

    print(
        "\nCheck: each gradient explained, by Value.backward(), by finite differences"
    )
    print(f"  {'':7} {'explained':>12} {'backward()':>12} {'finite difference':>18}")
    error = 0.0
    checked = []
    for name, leaf in leaves.items():
        numeric = finite_difference(values, name)
        assert grads[leaf] == leaf.grad, f"explained {name} differs from backward()"
        error = max(error, abs(leaf.grad - numeric))
        checked.append((name, leaf.grad, numeric))
        print(
            f"  dL/d{name:<3} {grads[leaf]: 12.8f} {leaf.grad: 12.8f} {numeric: 18.8f}"
        )
    print(f"  largest |backward() - finite difference| {error:.2e}")

    trained = [leaves[k] for k in ("w1", "w2", "b")]
    history = [loss.data]
    bar = progress(args.steps, "gradient descent")
    for _ in bar:
        for w in trained:
            w.data -= LR * float(w.grad)
        loss = forward(leaves)
        for w in trained:
            w.grad = 0.0
        loss.backward()
        history.append(loss.data)
        bar.set_postfix(loss=f"{loss.data:.6f}")
    print(f"\nloss {history[0]:.6f} -> {history[-1]:.3g} after {args.steps} steps")

    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    xs = range(len(checked))
    left.bar([x - 0.2 for x in xs], [c[1] for c in checked], 0.4, label="backprop")
    left.bar(
        [x + 0.2 for x in xs], [c[2] for c in checked], 0.4, label="finite difference"
    )
    left.set_xticks(list(xs), [f"dL/d{c[0]}" for c in checked])
    left.set_title(f"gradients agree (largest difference {error:.1e})")
    left.legend()
    # On a log scale: L falls by orders of magnitude, which a linear axis
    # shows as a line flat at 0 after the first few steps.
    plot_losses(right, history, "L")
    right.set_xlabel("gradient-descent step")
    figure = save_figure(fig, args.out, "chain_rule.png")
    result = Result(args.steps, history[-1], None, figure, timer.seconds(), error)
    print(f"wrote {figure}")
    try:
        page = render(forward(leaves), args.out / "chain_rule.html")
        print(f"wrote {page}: open it and press the right arrow key")
    except GraphvizNotFoundError:
        print("(no out/chain_rule.html: Graphviz's dot program is not installed)")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
