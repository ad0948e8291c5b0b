"""Train a tiny GPT on 5,163 first names, then let it invent new ones.

The model is W5 of `make bench` (benchmarks/gpt.py): a character-level GPT
over scalar Values, one transformer block (4 attention heads over a KV cache,
an MLP with relu), embeddings of width 16, names up to 16 characters. Each
step trains on one name, cross-entropy of every next character, Adam with a
learning rate decaying from 0.01 to 0. Then it samples names character by
character (temperature 0.5: bolder below 1, wilder above) and writes
out/names_gpt.png: the loss curve and what each head attended to while
writing one of its names.

    python demos/names_gpt.py               # 600 steps, about 3 minutes
    python demos/names_gpt.py --steps 2000 --temperature 0.8 --samples 20
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from _common import Result, Timer, parser, positive_int, progress, pyplot, save_figure

from autograd import no_grad

# The model lives with the benchmark that times it, written once for both.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import gpt

STEPS = 600
"""Training steps of a run with the default options (one name each)."""

SMOOTHING = 50
"""Steps in the moving average of the loss (one name's loss is noisy)."""


def moving_average(xs: Sequence[float], n: int = SMOOTHING) -> list[float]:
    """The mean of the last (up to) n values at every index."""
    total, out = 0.0, []
    for i, x in enumerate(xs):
        total += x - (xs[i - n] if i >= n else 0.0)
        out.append(total / min(i + 1, n))
    return out


def draw(
    losses: Sequence[float],
    tokens: Sequence[int],
    attention: Sequence[Sequence[Sequence[float]]],
    tokenizer: gpt.Tokenizer,
) -> object:
    """The figure: the loss curve, and one heat map per head for the name `tokens`."""
    # The heat maps are square: at 12 inches wide, four of them and their
    # titles take about 3.5 inches of height, so the figure leaves no gap.
    fig = pyplot().figure(figsize=(12, 7), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.05])
    ax = top.subplots()
    ax.plot(losses, color="tab:blue", alpha=0.25, linewidth=0.8, label="one name")
    smooth = moving_average(losses)
    window = "so far" if len(losses) <= SMOOTHING else f"of the last {SMOOTHING}"
    ax.plot(smooth, color="tab:blue", label=f"mean {window}")
    uniform = math.log(tokenizer.vocab_size)
    ax.axhline(uniform, color="gray", linestyle="--", linewidth=1, label="guessing")
    ax.set_xlabel("step (one name each)")
    ax.set_ylabel("cross-entropy (nats)")
    ax.set_title("Training loss")
    ax.legend(loc="upper right")

    # Position p reads the character at p and predicts the next: '.' marks the ends.
    chars = [tokenizer.decode([t]) or "." for t in tokens]
    queries = chars[: len(attention)]
    axes = bottom.subplots(1, gpt.N_HEAD)
    for h, ax in enumerate(axes):
        rows = [
            [p[h][k] if k <= q else math.nan for k in range(len(queries))]
            for q, p in enumerate(attention)
        ]
        image = ax.imshow(rows, cmap="viridis", vmin=0.0, vmax=1.0)
        ax.set_xticks(range(len(queries)), queries)
        ax.set_yticks(range(len(queries)), queries)
        ax.set_xlabel("attends to")
        ax.set_title(f"head {h + 1}")
    axes[0].set_ylabel("reading")
    bottom.colorbar(image, ax=axes, shrink=0.8, label="attention weight")
    bottom.suptitle(
        f'Attention while writing "{tokenizer.decode(tokens)}", one of its names'
    )
    return fig


def main(argv: Sequence[str] | None = None) -> Result:
    """Run the demo with command-line arguments `argv`; return what it reached."""
    cli = parser(__doc__.splitlines()[0], steps=STEPS)
    cli.add_argument(
        "--temperature",
        type=float,
        default=0.5,
        help="sampling temperature: lower is safer, higher more inventive",
    )
    cli.add_argument("--samples", type=positive_int, default=10, help="names to invent")
    args = cli.parse_args(argv)
    if not args.temperature > 0:
        cli.error(f"--temperature must be > 0, got {args.temperature}")
    timer = Timer()
    rng = random.Random(args.seed)
    names = gpt.load_names()
    tokenizer = gpt.Tokenizer(names)
    order = rng.sample(names, len(names))
    model = gpt.GPT(gpt.OURS, tokenizer.vocab_size, seed=args.seed)
    params = model.parameters()
    adam = gpt.Adam(gpt.OURS, params)
    size = f"{tokenizer.vocab_size} tokens, {len(params):,} parameters"
    print(f"{len(names):,} names, {size}")

    losses: list[float] = []
    bar = progress(args.steps, "names_gpt")
    for step in bar:
        tokens = tokenizer.encode(order[step % len(order)])
        lr = gpt.lr_at(step, args.steps)
        losses.append(gpt.train_step(model, adam, tokens, lr))
        bar.set_postfix(loss=f"{moving_average(losses[-SMOOTHING:])[-1]:.3f}")

    # Sampling needs no gradients: no graph is recorded.
    with no_grad():
        samples = [
            model.sample(rng, tokenizer.bos, args.temperature)
            for _ in range(args.samples)
        ]
    print("Names it invented:")
    for tokens, _ in samples:
        print(f"  {tokenizer.decode(tokens)}")
    tokens, attention = max(samples, key=lambda s: len(s[0]))
    figure = save_figure(
        draw(losses, tokens, attention, tokenizer), args.out, "names_gpt.png"
    )
    final = moving_average(losses)[-1]
    result = Result(args.steps, final, None, figure, timer.seconds())
    print(
        f"loss {losses[0]:.3f} -> {final:.3f} (mean of the last "
        f"{min(SMOOTHING, len(losses))}), {result.seconds:.1f} s; wrote {figure}"
    )
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
