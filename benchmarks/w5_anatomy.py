"""Where a W5 step's time goes: ours against the microgpt-style engine.

The figures behind the README's "Where our step goes", measured on W5's
model, names and protocol (`w5.py`: the set-up frozen out of the collector's
sight, a step ends with `gc.collect()`):

- forward, collector off: the same GPT on plain floats (what the model code
  itself costs, with no engine) against each engine, and per op;
- backward, collector off: our ordering walk (`backward_order`) and the
  whole of our backward, per node (the sweep is the difference);
- the collector in a step as users run it, by generation: how many
  collections and how long they took (`gc.callbacks`).

Run: .venv/bin/python benchmarks/w5_anatomy.py [--steps N]
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import gpt
import w5
import workloads

from autograd import topological_order
from autograd.core import backward_order

ENGINES = ("ours eager", "microgpt-style")


def floats_engine() -> gpt.Engine:
    """The model on plain floats: forward only, no graph."""
    return gpt.Engine(
        float,
        math.exp,
        math.log,
        lambda x: max(x, 0.0),
        float,
        lambda p: 0.0,
        lambda p, x: None,
    )


class CollectorClock:
    """Counts and times the collections of each generation while installed."""

    def __init__(self) -> None:
        self.count = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        """`gc.callbacks` protocol."""
        if phase == "start":
            self._start = time.perf_counter()
        else:
            generation = info["generation"]
            self.count[generation] += 1
            self.seconds[generation] += time.perf_counter() - self._start


def collector_off(fn: Callable[[], Any]) -> tuple[Any, float]:
    """fn()'s result and its CPU seconds, with the collector off."""
    gc.collect()
    gc.disable()
    try:
        return w5.timed(fn)
    finally:
        gc.enable()


def main(argv: list[str] | None = None) -> None:
    """Measure `--steps` names and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=9, help="names measured")
    args = parser.parse_args(argv)
    tokenizer, names = w5.training_names()
    engines = workloads.w5_engines(with_torch=False)
    trainers = {n: w5.trainer(engines[n], tokenizer.vocab_size) for n in ENGINES}
    floats = gpt.GPT(floats_engine(), tokenizer.vocab_size, seed=w5.SEED)
    clocks = {n: CollectorClock() for n in ENGINES}
    forward: dict[str, list[float]] = {n: [] for n in ("floats", *ENGINES)}
    walk: list[float] = []
    backward: list[float] = []
    ops: list[int] = []
    gc.collect()
    gc.freeze()  # as w5.run: the collector sees what a step makes
    try:
        for name in names[: args.steps]:
            tokens = tokenizer.encode(name)
            forward["floats"].append(collector_off(partial(floats.loss, tokens))[1])
            for n, t in trainers.items():
                loss, seconds = collector_off(partial(t.model.loss, tokens))
                forward[n].append(seconds)
                if n == "ours eager":
                    ops.append(sum(1 for v in topological_order(loss) if v.op))
                    walk.append(collector_off(partial(backward_order, loss))[1])
                    backward.append(collector_off(loss.backward)[1])
                del loss
                gc.collect()
                gc.callbacks.append(clocks[n])
                try:
                    w5.users_step(t, tokens)
                finally:
                    gc.callbacks.remove(clocks[n])
                t.step += 1
    finally:
        gc.unfreeze()
    steps = args.steps
    op_count = statistics.median(ops)

    def ms(times: list[float]) -> float:
        return 1e3 * statistics.median(times)

    print(f"W5 anatomy: {steps} names, {op_count:,.0f} ops per step (median)\n")
    print("| forward, collector off | ms | µs per op |")
    print("|---|---:|---:|")
    for n, times in forward.items():
        label = "the model on plain floats" if n == "floats" else n
        print(f"| {label} | {ms(times):.1f} | {1e3 * ms(times) / op_count:.3f} |")
    print("\n| our backward, collector off | ms | µs per node |")
    print("|---|---:|---:|")
    sweep = [b - w for b, w in zip(backward, walk, strict=True)]
    for label, times in (("ordering walk", walk), ("sweep", sweep), ("all", backward)):
        print(f"| {label} | {ms(times):.1f} | {1e3 * ms(times) / op_count:.3f} |")
    print(
        "\n| collector in a step, per step | gen 0 | gen 1 "
        "| gen 2 (full; one is the closing `gc.collect()`) |"
    )
    print("|---|---:|---:|---:|")
    for n, clock in clocks.items():
        cells = [
            f"{count / steps:.1f} in {1e3 * seconds / steps:.2f} ms"
            for count, seconds in zip(clock.count, clock.seconds, strict=True)
        ]
        print(f"| {n} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
