"""Both cores side by side, against the reference engines, in one run.

    python benchmarks/cores.py            # `make bench` runs it after run.py
    python benchmarks/cores.py --quick    # tiny sizes, a smoke run
    python benchmarks/cores.py --only W3 --only W2 --reps 15   # those rows only

A process runs one core, so each core gets a worker process of its own
(the Python one with SCALARGRAD_PURE=1). Each worker sets up every workload
of `run.py` (W1-W4: micrograd, ours eager, ours compiled replays) and W5
(the GPT step of `w5.py`: the microgpt-style engine and ours); the
reference engines run in both workers and their times are pooled. W5's
step is timed in parts (`w5.timed_step`): as users run it (collector on),
forward, backward, update, and the freeing of its graph with the closing
`gc.collect()` the step pays for (the step row is the sum of the four); and
with the collector off, forward, backward and update. A
repetition asks each worker for one timed run of every cell, interleaved
(the cores take turns at going first), timed as `run.py` times (CPU time,
a `gc.collect()` paid by the run). Cells
are medians; a ratio is the reference's median over the cell's.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gpt
import run
import w5
import workloads as w

import autograd

CORES = ("compiled", "python")
W5_STEP = "W5 GPT step, as users run it (collector on)"
W5_CELLS = {True: "W5 parts, collector on", False: "W5 parts, collector off"}
"""W5's cells: a step with its parts timed apart (`w5.timed_step`)."""
W5_FLOOR = ("W5 forward floor", "plain floats")
"""The W5 forward on plain floats (no graph): no engine's forward is faster."""


def _w5_runs(reps: int) -> dict[tuple[str, str], Callable[[], Any]]:
    """W5 cells: a step of the microgpt-style engine and of ours, each on the
    next name, returning its parts' seconds, with the collector on and off."""
    engines = w.w5_engines(with_torch=False)
    tokenizer, names = w5.training_names()
    runs: dict[tuple[str, str], Callable[[], Any]] = {}
    for name in ("microgpt-style", "ours eager"):
        trainer = w5.trainer(engines[name], tokenizer.vocab_size)
        order = iter(names * (2 * reps + 2))
        for collector, cell in W5_CELLS.items():

            def parts(
                t: w5.Trainer = trainer, order: Any = order, collector: bool = collector
            ) -> list[float]:
                return w5.timed_step(t, tokenizer.encode(next(order)), collector)

            runs[cell, name] = parts
    floats = gpt.GPT(w.W5_FLOATS, tokenizer.vocab_size, seed=w5.SEED)
    floor_order = iter(names * (2 * reps + 2))

    def floor() -> float:
        tokens = tokenizer.encode(next(floor_order))
        return w5.timed(lambda: floats.loss(tokens))[1]

    runs[W5_FLOOR] = floor
    return runs


def _worker(quick: bool, reps: int) -> None:
    """Answer `[row, engine]` lines with the seconds of one timed run."""
    sizes = run.QUICK if quick else run.Sizes(chain=(10_000,))
    w.deep_recursion()  # micrograd's recursive backward, on W2's chains
    runs: dict[tuple[str, str], Callable[[], Any]] = _w5_runs(reps)
    for row in run.workloads(sizes, with_torch=False):
        for engine, make in row.engines.items():
            if engine in ("micrograd", "ours eager", "ours compiled"):
                runs[row.name, engine] = make()
    gc.collect()
    gc.freeze()
    print(json.dumps([autograd.CORE, [list(key) for key in runs]]), flush=True)
    warm: set[tuple[str, str]] = set()
    for line in sys.stdin:
        key = tuple(json.loads(line))
        cell = runs[key]  # type: ignore[index]
        if key not in warm:  # the first run of a cell pays for its set-up
            cell()
            warm.add(key)  # type: ignore[arg-type]
        gc.collect()
        start = time.process_time()
        result = cell()
        gc.collect()
        seconds = time.process_time() - start
        print(json.dumps(result if isinstance(result, list) else seconds), flush=True)


class Worker:
    """A process running one core's workloads."""

    def __init__(self, core: str, quick: bool, reps: int) -> None:
        env = {k: v for k, v in os.environ.items() if k != "SCALARGRAD_PURE"}
        if core == "python":
            env["SCALARGRAD_PURE"] = "1"
        args = [sys.executable, __file__, "--worker", "--reps", str(reps)]
        self.process = subprocess.Popen(
            args + (["--quick"] if quick else []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        ready, cells = self._read()
        if ready != core:
            raise SystemExit(f"asked for the {core} core, the worker runs {ready}")
        self.cells = [tuple(cell) for cell in cells]

    def _read(self) -> Any:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("a worker died: see its error above")
        return json.loads(line)

    def time(self, row: str, engine: str) -> Any:
        """Seconds of one timed run of a cell (a list for W5's parts)."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps([row, engine]) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        """End the worker."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)
        self.process.stdout.close()


def _reference(row: str) -> str:
    return "microgpt-style" if row.startswith("W5") else "micrograd"


def measure(
    quick: bool, reps: int, only: list[str] | None = None
) -> dict[str, dict[str, list[Any]]]:
    """Every cell of both workers (of the rows whose name contains a text of
    `only`, if given), interleaved; times by row, then column."""
    workers = {core: Worker(core, quick, reps) for core in CORES}
    times: dict[str, dict[str, list[Any]]] = {}
    cells = [
        (row, engine)
        for row, engine in workers["compiled"].cells
        if only is None or any(text in row for text in only)
    ]
    for rep in range(reps):
        for row, engine in cells:
            # A cell's time depends on what ran just before it on the machine
            # (shared caches): neither core always follows the other.
            for core in CORES if rep % 2 == 0 else CORES[::-1]:
                seconds = workers[core].time(row, engine)
                column = engine if engine == _reference(row) else f"{engine}|{core}"
                times.setdefault(row, {}).setdefault(column, []).append(seconds)
        print(f"  repetition {rep + 1}/{reps} done", file=sys.stderr, flush=True)
    for worker in workers.values():
        worker.close()
    w5_rows: dict[str, dict[str, list[Any]]] = {}
    for collector, cell in W5_CELLS.items():
        parts = times.pop(cell, None)
        if parts is None:  # not among the rows asked for
            continue
        if collector:
            w5_rows[W5_STEP] = {c: [sum(t) for t in ts] for c, ts in parts.items()}
        for i, part in enumerate(w5.PARTS[: 4 if collector else 3]):
            w5_rows[f"W5 {w5.part(part, collector)}"] = {
                column: [t[i] for t in ts] for column, ts in parts.items()
            }
    times = w5_rows | times
    if W5_FLOOR[0] in times:
        times[W5_FLOOR[0]] = {
            W5_FLOOR[1]: [t for ts in times.pop(W5_FLOOR[0]).values() for t in ts]
        }
    return times


def floor_line(times: dict[str, dict[str, list[Any]]]) -> str:
    """What the W5 forward on plain floats says of any engine's forward."""
    floor = statistics.median(times[W5_FLOOR[0]][W5_FLOOR[1]])
    forward = times[f"W5 {w5.part('forward', False)}"]["microgpt-style"]
    reference = statistics.median(forward)
    return (
        f"W5 forward on plain floats, no graph (the floor): {floor * 1e3:.2f} ms; the "
        f"microgpt-style forward with the collector off is {reference / floor:.1f}x "
        "that, the most any engine's forward could gain over it."
    )


def table(times: dict[str, dict[str, list[Any]]]) -> str:
    """Markdown: per row, the reference's median and each core's, with ratios."""
    columns = [
        ("ours eager|compiled", "compiled core, eager"),
        ("ours eager|python", "Python core, eager"),
        ("ours compiled|compiled", "compiled core, replay"),
        ("ours compiled|python", "Python core, replay"),
    ]
    lines = [
        "| workload (ms) | reference | " + " | ".join(t for _, t in columns) + " |",
        "|---|---:|" + "---:|" * len(columns),
    ]
    for row, cells in times.items():
        name = _reference(row)
        base = statistics.median(cells[name]) if name in cells else None
        out = [f"{name} {base * 1e3:.2f}" if base is not None else "-"]
        for column, _ in columns:
            if column not in cells:
                out.append("-")
                continue
            median = statistics.median(cells[column])
            ratio = f" ({base / median:.1f}x)" if base else ""
            out.append(f"{median * 1e3:.2f}{ratio}")
        lines.append(f"| {row} | " + " | ".join(out) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run both cores' workers, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, a smoke run")
    parser.add_argument("--reps", type=int, default=None, help="default 7, quick 1")
    parser.add_argument("--out", type=Path, default=Path("out"), help="JSON folder")
    parser.add_argument(
        "--only", action="append", help="time only rows whose name contains this"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    reps = args.reps or (1 if args.quick else 7)
    if args.worker:
        _worker(args.quick, reps)
        return
    times = measure(args.quick, reps, args.only)
    print(table({row: t for row, t in times.items() if row != W5_FLOOR[0]}))
    forward = f"W5 {w5.part('forward', False)}"
    if W5_FLOOR[0] in times and forward in times:
        print("\n" + floor_line(times))
    print(
        f"\nMedians of {reps} interleaved repetitions (CPU ms); in brackets the "
        "reference's median over the cell's."
    )
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "cores.json"
    path.write_text(json.dumps({"reps": reps, "times": times}, indent=1) + "\n")
    print(f"JSON: {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
