"""W5, a GPT training step on one name, on every engine: times, memory, agreement.

Each engine trains its own copy of the model of `gpt.py` (same seed, same
names in the same order). A repetition gives every engine one step on the
same name, interleaved, twice, with forward, backward and the Adam update
timed apart (`timed_step`): once as a user runs it (cycle collector on), then
with the collector off, what the engine itself does. A step as users run it
ends by dropping its graph and calling `gc.collect()` (as in run.py, so it
pays for freeing its own garbage); that part is timed too ("free + collect"), and
the step is the sum of the four parts. The step as users run it less its
forward, backward and update with the collector off is what the collector
costs a step. Cells are medians over the repetitions; ratios are the
microgpt-style engine's median over the cell's (higher is faster).
"""

from __future__ import annotations

import gc
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gpt

from autograd import topological_order
from autograd._select import COMPILED

REFERENCE = "microgpt-style"
SEED = 42
TOLERANCE = 1e-12
"""Largest relative difference allowed between two engines' losses."""
SCHEDULE = 1000
"""Steps over which the learning rate decays (microgpt trains 1000 steps)."""


@dataclass
class Trainer:
    """One engine's model and optimizer, and the seconds its steps took."""

    engine: gpt.Engine
    model: gpt.GPT
    adam: gpt.Adam
    step: int = 0
    times: dict[str, list[float]] = field(default_factory=dict)

    def lr(self) -> float:
        """This step's learning rate."""
        return gpt.lr_at(self.step % SCHEDULE, SCHEDULE)

    def record(self, what: str, seconds: float) -> None:
        """Keep one timing."""
        self.times.setdefault(what, []).append(seconds)


def trainer(engine: gpt.Engine, vocab_size: int) -> Trainer:
    """A fresh model and Adam for `engine`."""
    model = gpt.GPT(engine, vocab_size, seed=SEED)
    return Trainer(engine, model, gpt.Adam(engine, model.parameters()))


def training_names() -> tuple[gpt.Tokenizer, list[str]]:
    """The tokenizer and the names in the (seeded) order every engine trains on."""
    names = gpt.load_names()
    order = names[:]
    random.Random(SEED).shuffle(order)
    return gpt.Tokenizer(names), order


def agreement(engines: dict[str, gpt.Engine], steps: int) -> float:
    """Train each engine `steps` steps from the seed; the largest relative loss gap.

    Raises AssertionError naming the engine and step if two engines disagree
    by more than TOLERANCE: their timings would not be of the same work.
    """
    tokenizer, names = training_names()
    losses: dict[str, list[float]] = {}
    for name, engine in engines.items():
        t = trainer(engine, tokenizer.vocab_size)
        losses[name] = []
        for name_ in names[:steps]:
            loss = gpt.train_step(t.model, t.adam, tokenizer.encode(name_), t.lr())
            losses[name].append(loss)
            t.step += 1
    ours = losses["ours eager"]
    worst = 0.0
    for name, theirs in losses.items():
        for step, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            gap = abs(a - b) / abs(a)
            if gap > TOLERANCE:
                raise AssertionError(
                    f"W5: {name}'s loss at step {step} is {b!r}, ours {a!r} "
                    f"(relative gap {gap:.2e} > {TOLERANCE:g}): not the same math"
                )
            worst = max(worst, gap)
    return worst


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """fn()'s result and the CPU seconds it took."""
    start = time.process_time()
    result = fn()
    return result, time.process_time() - start


PARTS = ("forward", "backward", "update", "free + collect")
"""A step's parts, timed apart; the last drops the graph and runs `gc.collect()`."""


def part(name: str, collector: bool) -> str:
    """The key of a part's times, e.g. "backward (collector on)"."""
    return f"{name} (collector {'on' if collector else 'off'})"


def timed_step(t: Trainer, tokens: list[int], collector: bool) -> list[float]:
    """One training step, its PARTS' CPU seconds recorded in `t` and returned.

    With `collector` the cycle collector runs as in a user's script and "step"
    (the sum of the parts) is recorded too; without it the collector is off
    for forward, backward and update, and on again for the last part.
    """
    gc.collect()
    enabled = gc.isenabled()
    if not collector:
        gc.disable()
    try:
        loss, forward = timed(lambda: t.model.loss(tokens))
        backward = timed(loss.backward)[1]
        update = timed(lambda: t.adam.step(t.lr()))[1]
    finally:
        if enabled:
            gc.enable()
    graph = [loss]
    del loss

    def free() -> None:
        graph.clear()
        gc.collect()  # micrograd's graphs are cycles: only the collector frees them

    collect = timed(free)[1]
    seconds = [forward, backward, update, collect]
    for name, s in zip(PARTS, seconds, strict=True):
        t.record(part(name, collector), s)
    if collector:
        t.record("step", sum(seconds))
    t.step += 1
    return seconds


def users_step(t: Trainer, tokens: list[int]) -> None:
    """An untimed training step as users run it, ending with `gc.collect()`."""
    gpt.train_step(t.model, t.adam, tokens, t.lr())
    gc.collect()


def ops_in_step(model: gpt.GPT, tokens: list[int]) -> int:
    """Primitive ops in the graph of one step on `tokens` (`model` is ours)."""
    return sum(1 for v in topological_order(model.loss(tokens)) if v.op)


def settle_memory() -> None:
    """Free what is garbage and, on the compiled core, the freed nodes it keeps
    for the next graph: so tracemalloc counts all of a new graph's memory."""
    gc.collect()
    if COMPILED is not None:
        COMPILED.release_kept()


def bytes_per_op(model: gpt.GPT, tokens: list[int], ops: int) -> float:
    """Bytes the forward graph of one step holds, per op of our count of it."""
    settle_memory()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = model.loss(tokens)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del loss
    gc.collect()
    return used / ops


@dataclass
class Report:
    """What W5 measured."""

    trainers: dict[str, Trainer]
    ops: list[int]
    bytes_per_op: dict[str, float]
    agreement_steps: int
    worst_gap: float

    def median_ms(self, engine: str, what: str) -> float:
        """The median of an engine's timings of `what`, in milliseconds."""
        return 1e3 * statistics.median(self.trainers[engine].times[what])

    def ratio(self, what: str) -> float:
        """The reference engine's median `what` over ours."""
        return self.median_ms(REFERENCE, what) / self.median_ms("ours eager", what)

    def off_ms(self, engine: str) -> float:
        """The median of an engine's forward + backward + update, collector off, ms."""
        times = self.trainers[engine].times
        parts = [times[part(name, False)] for name in PARTS[:3]]
        return 1e3 * statistics.median(sum(step) for step in zip(*parts, strict=True))

    def table(self) -> str:
        """A markdown table, one row per engine, ratios against the reference."""
        on = ["step"] + [part(name, True) for name in PARTS]
        lines = [
            "| W5 GPT step, one name | ms/step | forward ms | backward ms | update ms "
            "| free + collect ms | collector ms | collector off: forward ms "
            "| backward ms | update ms | bytes/op |",
            "|---|" + "---:|" * 10,
        ]
        for name in self.trainers:
            cells = []
            for what in on:
                ms = self.median_ms(name, what)
                ratio = self.median_ms(REFERENCE, what) / ms
                cells.append(
                    f"{ms:.1f}" + ("" if name == REFERENCE else f" ({ratio:.1f}x)")
                )
            cells.append(f"{self.median_ms(name, 'step') - self.off_ms(name):.1f}")
            cells += [f"{self.median_ms(name, part(n, False)):.1f}" for n in PARTS[:3]]
            memory = self.bytes_per_op.get(name)
            cells.append("-" if memory is None else f"{memory:.0f}")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def summary(self) -> str:
        """The op counts, the ratios the targets are about and the loss agreement."""
        ops = statistics.median(self.ops)
        ratios = ", ".join(
            f"{name} {self.ratio(part(name, True)):.2f}x" for name in PARTS[:3]
        )
        return (
            f"W5: {len(self.ops)} repetitions, {ops:,.0f} ops per step (median; "
            f"{min(self.ops):,}-{max(self.ops):,}). In brackets: {REFERENCE}'s "
            "median over each. A step as users run it (collector on) is its "
            "forward, backward, update, and the freeing of its graph with a "
            "closing gc.collect(); collector ms: that step less forward, backward "
            "and update with the collector off.\n"
            f"ours eager / {REFERENCE}, as users run it: step "
            f"{self.ratio('step'):.2f}x, {ratios}.\n"
            f"Losses of every engine agree over the first {self.agreement_steps} "
            f"steps: largest relative gap {self.worst_gap:.1e} (<= {TOLERANCE:g})."
        )

    def json(self) -> dict[str, Any]:
        """Every raw time, the op counts and the memory, for out/bench.json."""
        return {
            "seconds": {n: t.times for n, t in self.trainers.items()},
            "ops": self.ops,
            "bytes_per_op": self.bytes_per_op,
            "agreement_steps": self.agreement_steps,
            "largest_relative_loss_gap": self.worst_gap,
            "ratios": {
                what: self.ratio(what) for what in self.trainers[REFERENCE].times
            },
        }


def run(engines: dict[str, gpt.Engine], reps: int, agreement_steps: int) -> Report:
    """Check agreement, then time every engine `reps` times, interleaved."""
    worst = agreement(engines, agreement_steps)
    tokenizer, names = training_names()
    trainers = {n: trainer(e, tokenizer.vocab_size) for n, e in engines.items()}
    for t in trainers.values():  # a first step runs untimed: caches, allocator
        gpt.train_step(t.model, t.adam, tokenizer.encode(names[-1]), t.lr())
    gc.collect()
    gc.freeze()  # as in run.py: the collector sees what a step makes
    ours = trainers["ours eager"].model
    ops = []
    try:
        for rep in range(reps):
            tokens = tokenizer.encode(names[rep])
            ops.append(ops_in_step(ours, tokens))
            for collector in (True, False):
                for t in trainers.values():
                    timed_step(t, tokens, collector)
    finally:
        gc.unfreeze()
    tokens = tokenizer.encode(names[0])
    count = ops_in_step(ours, tokens)
    memory = {
        n: bytes_per_op(t.model, tokens, count)
        for n, t in trainers.items()
        if n != "torch scalar"  # its nodes live in C memory tracemalloc cannot see
    }
    return Report(trainers, ops, memory, agreement_steps, worst)
