"""Compiled W1-W4 (replays, and W1's first call), this tree against another checkout.

    python benchmarks/compile_ab.py /path/to/other/checkout [--rounds 5]

Each round runs every workload once in a fresh process per tree (the two
trees both call their package `autograd`, so they cannot share a process),
alternating which tree goes first; a process times each workload `--reps`
times and keeps its median. The table gives, per workload, the median over
the rounds of each tree's CPU time and their ratio (other / this: above 1.0,
this tree is faster).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def workloads() -> dict[str, Callable[[], object]]:
    """The compiled workloads of `run.py` at their full sizes, set up."""
    import workloads as w  # noqa: PLC0415 - imported after sys.path is set

    return {
        "W1 step": w.w1_ours(compiled=True),
        "W1 first call (trace + compile)": w.w1_first_call(),
        "W2 chain 10,000": w.w2_compiled(10_000),
        "W3 loop sum 100,000": w.w3_compiled(100_000, w.loop_sum),
        "W3 builtin sum 100,000": w.w3_compiled(100_000, w.builtin_sum),
        "W4 1,000 calls": w.w4_compiled(1000),
    }


def child(tree: str, reps: int) -> None:
    """Time every workload with `tree`'s autograd; print the medians as JSON."""
    sys.path[:0] = [tree, str(HERE)]
    runs = workloads()
    gc.collect()
    gc.freeze()
    medians = {}
    for name, run in runs.items():
        run()
        times = []
        for _ in range(reps):
            gc.collect()
            start = time.process_time()
            run()
            gc.collect()
            times.append(time.process_time() - start)
        medians[name] = statistics.median(times)
    print(json.dumps(medians))


def main(argv: list[str] | None = None) -> None:
    """Run the rounds and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", help="the other checkout (its root directory)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.reps)
        return
    trees = {"other": str(Path(args.other).resolve()), "this": str(HERE.parent)}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for r in range(args.rounds):
        order = list(trees) if r % 2 == 0 else list(trees)[::-1]
        for name in order:
            command = [sys.executable, __file__, args.other, "--child", trees[name]]
            command += ["--reps", str(args.reps)]
            out = subprocess.run(command, check=True, capture_output=True, text=True)
            results[name].append(json.loads(out.stdout))
        print(f"  round {r + 1}/{args.rounds} done", file=sys.stderr)
    print("| workload | other (ms) | this (ms) | other / this |")
    print("|---|---|---|---|")
    for name in results["this"][0]:
        other = statistics.median(x[name] for x in results["other"]) * 1e3
        this = statistics.median(x[name] for x in results["this"]) * 1e3
        print(f"| {name} | {other:.3f} | {this:.3f} | {other / this:.3f} |")


if __name__ == "__main__":
    main()
