"""The formula-fitting task: a compiled step's first call against an eager step.

The task of demos/fit_formula.py: x(t) = A exp(-g t) cos(w t + p) + c fitted
to N points (10,000 by default) with `nn.mse` and `nn.Adam`. A step is
zero_grad, the loss forward and backward, and Adam's update, ending with
`gc.collect()` (so a step pays for freeing its garbage, as in `w5.py`).
Per repetition, with a fresh model each time:

- eager: the median of a few eager steps;
- first call: `autograd.compile`'s first call (one eager run while tracing,
  then loop rolling and code generation), as eager steps: the ratio;
- replay: the median of the calls after it.

Two ways to write the loss: the predictions as a generator (the demo's
``mse((model(t) for t in ts), xs)``, each term made right after its
prediction, so the whole step rolls into one loop) and as a list (all
predictions first, then the loss: compile takes each term with the
prediction it reads, and rolls the step into one loop too).

Run: .venv/bin/python benchmarks/fit_formula.py [--points N] [--repeats R]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from autograd import Value, compile
from nn import Adam, mse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "demos"))
import fit_formula  # the task is the demo's

Loss = Callable[[fit_formula.DampedOscillation, list[float], list[float]], Value]


def list_loss(
    model: fit_formula.DampedOscillation, ts: list[float], xs: list[float]
) -> Value:
    """The same loss with every prediction made before it."""
    return mse([model(t) for t in ts], xs)


LOSSES: dict[str, Loss] = {"generator": fit_formula.loss, "list": list_loss}


def timed(step: Callable[[], object]) -> float:
    """Seconds for one step, collecting its garbage included."""
    start = time.perf_counter()
    step()
    gc.collect()
    return time.perf_counter() - start


def measure(
    loss: Loss, ts: list[float], xs: list[float], eager_steps: int, replays: int
) -> tuple[float, float, float]:
    """Median eager step, first compiled call and median replay, in seconds."""
    model = fit_formula.DampedOscillation(**fit_formula.GUESS)
    optimizer = Adam(model.parameters(), lr=0.05)

    def eager() -> None:
        optimizer.zero_grad()
        loss(model, ts, xs).backward()
        optimizer.step()

    compiled = compile(lambda: loss(model, ts, xs))

    def replay() -> None:
        optimizer.zero_grad()
        compiled()
        optimizer.step()

    eager_time = statistics.median(timed(eager) for _ in range(eager_steps))
    first = timed(replay)
    replay_time = statistics.median(timed(replay) for _ in range(replays))
    return eager_time, first, replay_time


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table: per way of writing the loss, medians over repetitions."""
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--points", type=int, default=10_000)
    cli.add_argument("--repeats", type=int, default=3, help="fresh models per loss")
    cli.add_argument("--eager-steps", type=int, default=3)
    cli.add_argument("--replays", type=int, default=10)
    args = cli.parse_args(argv)
    ts, xs = fit_formula.make_data(args.points, random.Random(1337))
    gc.collect()
    gc.freeze()  # the data is not what a step's collections should scan
    print(f"{args.points:,} points, medians of {args.repeats} fresh models\n")
    print(
        "| loss written with | eager ms/step | first call ms "
        "| first call in eager steps | replay ms/step |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, loss in LOSSES.items():
        runs = [
            measure(loss, ts, xs, args.eager_steps, args.replays)
            for _ in range(args.repeats)
        ]
        eager, first, replay = (
            statistics.median(column) for column in zip(*runs, strict=True)
        )
        ratio = statistics.median(f / e for e, f, _ in runs)
        print(
            f"| {name} | {eager * 1e3:.0f} | {first * 1e3:.0f} | {ratio:.1f} "
            f"| {replay * 1e3:.1f} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
