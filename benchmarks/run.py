"""Every engine on every workload, interleaved; markdown tables of medians.

    python benchmarks/run.py            # the full run (`make bench`), a few minutes
    python benchmarks/run.py --quick    # tiny sizes, a smoke run
    python benchmarks/run.py --w5-only  # the GPT step (W5) alone, a minute

W5, a GPT training step (`gpt.py`, timed by `w5.py`), comes first, against a
microgpt-style engine; W1-W4 follow, against micrograd.

Times are CPU time of this process (`time.process_time`), so other work on
the machine disturbs them less; each cell is the median over the
repetitions, and the ratio is micrograd's median over the cell's (higher is
faster). Each timed run includes a final `gc.collect()`, so it pays for
freeing its own garbage (micrograd's graphs are cycles: only the collector
frees them) and no run pays for another's; the objects the runs were set up
with are frozen out of the collector's sight (`gc.freeze`). The JSON with
every raw time goes to ``out/bench.json`` (and a timestamped copy).
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hessian
import w5
import workloads as w
from micrograd.engine import Value as MicroValue

from autograd import Value, topological_order

ENGINES = [
    "micrograd",
    "ours eager",
    "ours compiled",
    "torch scalar",
    "torch batched",
    "floats (floor)",
]


@dataclass
class Sizes:
    """Workload sizes: the issue's, or tiny ones for a smoke run."""

    chain: tuple[int, ...] = (10_000, 1_000_000)
    wide: int = 100_000
    calls: int = 1000
    memory_ops: int = 100_000
    free_ops: int = 1_000_000


QUICK = Sizes(chain=(100, 1000), wide=1000, calls=20, memory_ops=3000, free_ops=30_000)


@dataclass
class Workload:
    """One row of the table: a factory per engine, and how to scale seconds."""

    name: str
    unit: str
    per_second: float  # multiply seconds by this to get the unit
    engines: dict[str, Callable[[], w.Run]]
    times: dict[str, list[float]] = field(default_factory=dict)


def workloads(sizes: Sizes, with_torch: bool) -> list[Workload]:
    """The rows: W1 to W4 (memory is measured apart)."""
    torch_s = w.torch_scalars() if with_torch else None
    rows = [
        Workload(
            "W1 moons step",
            "ms/step",
            1e3,
            {
                "micrograd": w.w1_micrograd,
                "ours eager": lambda: w.w1_ours(compiled=False),
                "ours compiled": lambda: w.w1_ours(compiled=True),
                "torch scalar": w.w1_torch_scalar,
                "torch batched": w.w1_torch_batched,
                "floats (floor)": w.w1_floats,
            },
        ),
        Workload(
            "W1 first call (trace + compile)",
            "ms",
            1e3,
            {"ours compiled": w.w1_first_call},
        ),
    ]
    for n in sizes.chain:
        engines: dict[str, Callable[[], w.Run]] = {
            "ours eager": lambda n=n: w.w2(w.OURS, n)
        }
        # micrograd and scalar torch need minutes and gigabytes past this
        if n <= 100_000:
            engines["micrograd"] = lambda n=n: w.w2(w.MICROGRAD, n)
            engines["ours compiled"] = lambda n=n: w.w2_compiled(n)
            if torch_s is not None:
                engines["torch scalar"] = lambda n=n: w.w2(torch_s, n)
        rows.append(Workload(f"W2 chain, N={n:,}", "µs/node", 1e6 / (3 * n), engines))
    for name, total in [("loop of +", w.loop_sum), ("builtin sum", w.builtin_sum)]:
        n = sizes.wide
        wide: dict[str, Callable[[], w.Run]] = {
            "micrograd": lambda t=total, n=n: w.w3(w.MICROGRAD, n, t),
            "ours eager": lambda t=total, n=n: w.w3(w.OURS, n, t),
            "ours compiled": lambda t=total, n=n: w.w3_compiled(n, t),
        }
        if torch_s is not None:
            wide["torch scalar"] = lambda t=total, n=n: w.w3(torch_s, n, t)
        rows.append(Workload(f"W3 sum of {n:,} products, {name}", "ms", 1e3, wide))
    calls = sizes.calls
    per_call: dict[str, Callable[[], w.Run]] = {
        "micrograd": lambda: w.w4(w.MICROGRAD, calls),
        "ours eager": lambda: w.w4(w.OURS, calls),
        "ours compiled": lambda: w.w4_compiled(calls),
        "floats (floor)": lambda: w.w4_floats(calls),
    }
    if torch_s is not None:
        per_call["torch scalar"] = lambda: w.w4(torch_s, calls)
        per_call["torch batched"] = lambda: w.w4_torch_batched(calls)
    rows.append(
        Workload(f"W4 ~210 ops x {calls:,} calls", "µs/call", 1e6 / calls, per_call)
    )
    if not with_torch:
        for row in rows:
            row.engines.pop("torch scalar", None)
            row.engines.pop("torch batched", None)
    return rows


def measure(rows: list[Workload], reps: int) -> None:
    """Set every run up, then time them interleaved, `reps` times each."""
    runs = {(row.name, e): make() for row in rows for e, make in row.engines.items()}
    # The set-up objects are left out of every collection, so the cycle
    # collector sees what a run makes, as in a script that does only that.
    gc.collect()
    gc.freeze()
    for rep in range(reps):
        for row in rows:
            for engine in row.engines:
                run = runs[row.name, engine]
                times = row.times.setdefault(engine, [])
                # A short run right after a big one (pages the allocator just
                # gave back) can take ten times as long: it runs once untimed.
                if not times or min(times) < 0.2:
                    run()
                gc.collect()
                start = time.process_time()
                run()
                gc.collect()  # a run pays for freeing its own garbage
                times.append(time.process_time() - start)
        print(f"  repetition {rep + 1}/{reps} done", file=sys.stderr)
    gc.unfreeze()


def memory(sizes: Sizes) -> dict[str, dict[str, float]]:
    """Bytes per op (chain and W1 forward) and the time to free a big graph."""

    def bytes_per_op(build: Callable[[], object], ops: int) -> float:
        w5.settle_memory()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        graph = build()
        used = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        del graph
        return used / ops

    steps = sizes.memory_ops // 3
    X, labels = w.moons()
    model = w.nn.MLP(2, w.SIZES, seed=1)
    micro = w.micrograd.nn.MLP(2, w.SIZES)
    w1_ops = sum(1 for v in topological_order(w.w1_loss(model, X, labels)) if v.op)

    def free_time(make_leaf: Callable[[float], Any], s: w.Scalars) -> float:
        w.deep_recursion()
        y = w.chain(s, make_leaf(0.3), sizes.free_ops // 3)
        gc.collect()
        start = time.process_time()
        del y
        if s is w.MICROGRAD:
            gc.collect()  # its nodes are cycles: refcounting alone frees nothing
        return time.process_time() - start

    return {
        f"bytes per op, chain of {3 * steps:,} ops": {
            "micrograd": bytes_per_op(
                lambda: w.chain(w.MICROGRAD, MicroValue(0.3), steps), 3 * steps
            ),
            "ours eager": bytes_per_op(
                lambda: w.chain(w.OURS, Value(0.3), steps), 3 * steps
            ),
        },
        f"bytes per op, W1 forward ({w1_ops:,} ops)": {
            "micrograd": bytes_per_op(
                lambda: w.w1_micrograd_loss(micro, X, labels), w1_ops
            ),
            "ours eager": bytes_per_op(lambda: w.w1_loss(model, X, labels), w1_ops),
        },
        f"ms to free a {sizes.free_ops:,}-op graph": {
            "micrograd": 1e3 * free_time(MicroValue, w.MICROGRAD),
            "ours eager": 1e3 * free_time(Value, w.OURS),
        },
    }


def table(rows: list[Workload], mem: dict[str, dict[str, float]]) -> str:
    """The markdown table: medians, and in brackets micrograd's median over each."""
    engines = [e for e in ENGINES if any(e in row.times for row in rows)]
    lines = [
        "| workload | unit | " + " | ".join(engines) + " |",
        "|---|---|" + "---:|" * len(engines),
    ]
    for row in rows:
        medians = {
            e: statistics.median(t) * row.per_second for e, t in row.times.items()
        }
        base = medians.get("micrograd")
        cells = []
        for e in engines:
            if e not in medians:
                cells.append("-")
            elif base is None or e == "micrograd":
                cells.append(f"{medians[e]:.3g}")
            else:
                cells.append(f"{medians[e]:.3g} ({base / medians[e]:.1f}x)")
        lines.append(f"| {row.name} | {row.unit} | " + " | ".join(cells) + " |")
    for name, values in mem.items():
        cells = [
            "-"
            if e not in values
            else f"{values[e]:.4g}"
            + (
                f" ({values['micrograd'] / values[e]:.1f}x)"
                if e != "micrograd" and values[e] > 0
                else ""
            )
            for e in engines
        ]
        unit = "bytes/op" if name.startswith("bytes") else "ms"
        lines.append(f"| {name} | {unit} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, a smoke run")
    parser.add_argument(
        "--reps", type=int, default=None, help="repetitions (default 7, quick 1)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("out"), help="where the JSON goes"
    )
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument(
        "--w5-reps", type=int, default=None, help="W5 repetitions (default 21, quick 1)"
    )
    parser.add_argument("--w5-only", action="store_true", help="run W5 alone")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    reps = args.reps or (1 if args.quick else 7)
    with_torch = w.torch is not None and not args.no_torch
    if w.torch is not None:
        w.torch.set_num_threads(1)
    w.deep_recursion()
    gpt_step = w5.run(
        w.w5_engines(with_torch),
        reps=args.w5_reps or (1 if args.quick else 21),
        agreement_steps=2 if args.quick else 5,
    )
    print(gpt_step.table())
    print(f"\n{gpt_step.summary()}\n", flush=True)
    report: dict[str, Any] = {
        "python": sys.version,
        "platform": platform.platform(),
        "torch": getattr(w.torch, "__version__", None),
        "quick": args.quick,
        "clock": "time.process_time",
        "w5": gpt_step.json(),
        "w5_table": gpt_step.table(),
    }
    if not args.w5_only:
        report |= w1_to_w4(sizes, reps, with_torch, quick=args.quick)
        report["hessian"] = hessian.run(reps, quick=args.quick)
        report["loop_carried"] = loop_carried_first_calls(sizes.wide, reps)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for path in (args.out / "bench.json", args.out / f"bench-{stamp}.json"):
        path.write_text(json.dumps(report, indent=1) + "\n")
    print(f"JSON: {args.out / 'bench.json'}", file=sys.stderr)


def w1_to_w4(sizes: Sizes, reps: int, with_torch: bool, quick: bool) -> dict[str, Any]:
    """Run W1-W4 and the memory rows, print their table; their part of the JSON."""
    rows = workloads(sizes, with_torch)
    if quick:
        w.N_POINTS = 10
    measure(rows, reps)
    mem = memory(sizes)
    text = table(rows, mem)
    first = next(r for r in rows if r.name.startswith("W1 first"))
    eager = statistics.median(rows[0].times["ours eager"])
    compile_steps = statistics.median(first.times["ours compiled"]) / eager
    print(text)
    print(f"\nW1 trace + compile = {compile_steps:.1f} eager steps.")
    return {
        "repetitions": reps,
        "workloads": [
            {
                "name": r.name,
                "unit": r.unit,
                "per_second": r.per_second,
                "seconds": r.times,
            }
            for r in rows
        ],
        "memory": mem,
        "w1_compile_in_eager_steps": compile_steps,
        "table": text,
    }


def loop_carried_first_calls(n: int, reps: int) -> dict[str, float]:
    """compile's first call (trace + compile) on loop-carried runs, in eager runs.

    Each copy reads the previous copy's result: a running total of n
    products, a sum of n / 25 losses of a small model, a recurrence of n
    steps. Eager (forward and backward) and first calls are interleaved.
    """
    import autograd  # noqa: PLC0415 - only this row needs the package itself
    import nn  # noqa: PLC0415

    xs = [0.5 - k / n for k in range(n)]
    w = Value(0.3)
    model = nn.MLP(2, [4, 1], seed=0)
    batch = [[x, 1.0 - x] for x in xs[: max(2, n // 25)]]

    def total() -> Value:
        acc: Value | float = 0.0
        for x in xs:
            acc = acc + x * w
        return acc  # type: ignore[return-value]

    def losses() -> Value:
        return sum((model(x) - x[0]) ** 2 for x in batch)  # type: ignore[return-value, operator]

    def recurrence() -> Value:
        y = w
        for _ in range(n):
            y = (0.5 * y + 0.1).tanh()
        return y

    patterns = {
        f"total = total + x * w, {n:,} products": total,
        f"sum(loss(model(x)) for x in X), {len(batch):,} examples": losses,
        f"y = tanh(0.5 * y + 0.1), {n:,} steps": recurrence,
    }
    ratios = {}
    print("\n| loop-carried pattern | eager ms | first call ms | in eager runs |")
    print("|---|---:|---:|---:|")
    for name, f in patterns.items():
        eager, first = [], []
        for _ in range(reps):
            for times, run in (
                (eager, lambda f=f: f().backward()),
                (first, lambda f=f: autograd.compile(f)()),
            ):
                gc.collect()
                start = time.process_time()
                run()
                gc.collect()
                times.append(time.process_time() - start)
        e, c = statistics.median(eager), statistics.median(first)
        ratios[name] = c / e
        print(f"| {name} | {1e3 * e:.0f} | {1e3 * c:.0f} | {c / e:.1f} |")
    return ratios


if __name__ == "__main__":
    main()
