"""A user's microgpt.py as written, and with its `Value` swapped for ours.

    python benchmarks/microgpt_swap.py PATH/TO/microgpt.py [--steps 20] [--reps 3]

Given a copy of Karpathy's microgpt.py (the Feb-2026 gist: a `__slots__`
Value, a module-level training loop over `num_steps` with Adam written
inline, then sampling), each repetition runs the script in subprocesses,
interleaved: as written, and with its `class Value` replaced by
`from autograd import Value` and nothing else changed, once per core asked
for. The script is rewritten through its syntax tree, never as text:

- `num_steps = N` becomes `--steps`, and the script stops after its training
  loop (no sampling);
- `input.txt`, which the script downloads when it is missing, is this
  repository's `demos/data/names.txt`, in a fresh working directory;
- the training loop records the CPU time (`time.process_time`) at the top of
  each step, before `loss.backward()`, after it, after the Adam loop (the
  `for ... in enumerate(...)` that follows backward) and at the end of the
  step, and the loss, at full precision, right after backward.

The cycle collector runs as in the script (on, nothing frozen, no extra
collection), so freeing the previous step's graph falls in the forward part,
where the script drops it. Step is the whole loop body; forward runs from its
top to backward; update from backward to the end of the Adam loop. Losses
must be bit-identical between the runs, step by step, or the script stops
naming the step (`--rtol` allows a relative gap, and the output then says
how large the largest was and from which step the bits differ). A script
of another shape raises ScriptShapeError: it never measures something else.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

NAMES = Path(__file__).resolve().parent.parent / "demos" / "data" / "names.txt"
PREFIX = "_swap_"
"""Every name the instrumentation adds starts with this."""
RESULT = "_swap_result.json"
THEIRS = "its own Value"
PARTS = ("step", "forward", "backward", "update")
CORE_NAMES = {"compiled": "compiled", "python": "Python"}

PROLOGUE = """
from time import process_time as _swap_clock
_swap_marks = []
_swap_losses = []
"""
EPILOGUE = f"""
import json as _swap_json
import sys as _swap_sys
with open({RESULT!r}, "w") as _swap_file:
    _swap_json.dump(
        {{
            "core": getattr(_swap_sys.modules.get("autograd"), "CORE", None),
            "marks": _swap_marks,
            "losses": _swap_losses,
        }},
        _swap_file,
    )
"""


class ScriptShapeError(ValueError):
    """The script is not in microgpt.py's shape, so nothing can be measured."""


def _statements(code: str) -> list[ast.stmt]:
    return ast.parse(code).body


def _is_backward(node: ast.stmt) -> bool:
    """`name.backward()` as a statement of its own."""
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and node.value.func.attr == "backward"
        and isinstance(node.value.func.value, ast.Name)
        and not node.value.args
        and not node.value.keywords
    )


def _is_adam_loop(node: ast.stmt) -> bool:
    """`for ... in enumerate(...)`: microgpt's update, one parameter at a time."""
    return (
        isinstance(node, ast.For)
        and isinstance(node.iter, ast.Call)
        and isinstance(node.iter.func, ast.Name)
        and node.iter.func.id == "enumerate"
    )


def _training_loop(body: list[ast.stmt]) -> int:
    """The index of the module-level loop with a `loss.backward()` statement."""
    loops = [
        i
        for i, node in enumerate(body)
        if isinstance(node, ast.For) and any(_is_backward(s) for s in node.body)
    ]
    if len(loops) != 1:
        raise ScriptShapeError(
            "expected one module-level `for` loop with a `loss.backward()` "
            f"statement in its body (microgpt's training loop), found {len(loops)}"
        )
    return loops[0]


def _cap_steps(body: list[ast.stmt], loop: ast.For, steps: int) -> None:
    """Rewrite `num_steps = N` before the loop; the loop must run over it."""
    assigns = [
        node
        for node in body
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == "num_steps"
    ]
    if not assigns:
        raise ScriptShapeError("no module-level `num_steps = N` to cap the steps")
    if not any(
        isinstance(n, ast.Name) and n.id == "num_steps" for n in ast.walk(loop.iter)
    ):
        raise ScriptShapeError("the training loop does not run over `num_steps`")
    for node in assigns:
        node.value = ast.Constant(steps)


def _instrument_loop(loop: ast.For) -> None:
    """Marks at the top, around backward, after the Adam loop and at the end."""
    body = loop.body
    backward = [i for i, s in enumerate(body) if _is_backward(s)]
    if len(backward) != 1:
        raise ScriptShapeError(
            "expected one `loss.backward()` statement in the training loop, "
            f"found {len(backward)}"
        )
    b = backward[0]
    adam = [i for i, s in enumerate(body) if i > b and _is_adam_loop(s)]
    if not adam:
        raise ScriptShapeError(
            "no `for i, p in enumerate(params)` update after `loss.backward()`"
        )
    a = adam[0]
    loss = ast.unparse(body[b]).removesuffix(".backward()")
    mark = "_swap_step.append(_swap_clock())"
    loop.body = [
        *_statements("_swap_step = [_swap_clock()]\n_swap_marks.append(_swap_step)"),
        *body[:b],
        *_statements(mark),
        body[b],
        *_statements(f"{mark}\n_swap_losses.append({loss}.data)"),
        *body[b + 1 : a + 1],
        *_statements(mark),
        *body[a + 1 :],
        *_statements(mark),
    ]


def instrument(source: str, steps: int, swap: bool) -> str:
    """The script, capped at `steps`, timed and stopped after training;
    with `swap`, its `class Value` replaced by `from autograd import Value`."""
    tree = ast.parse(source)
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    if any(name.startswith(PREFIX) for name in taken):
        raise ScriptShapeError(f"the script uses names starting with {PREFIX}")
    body = tree.body
    values = [
        i
        for i, node in enumerate(body)
        if isinstance(node, ast.ClassDef) and node.name == "Value"
    ]
    if len(values) != 1:
        raise ScriptShapeError(
            f"expected one module-level `class Value`, found {len(values)}"
        )
    index = _training_loop(body)
    loop = body[index]
    assert isinstance(loop, ast.For)
    if values[0] > index:
        raise ScriptShapeError("`class Value` comes after the training loop")
    _cap_steps(body[:index], loop, steps)
    _instrument_loop(loop)
    body[index + 1 :] = _statements(EPILOGUE)
    if swap:
        body[values[0]] = _statements("from autograd import Value")[0]
    start = 0  # the prologue goes after the docstring and `__future__` imports
    for node in body:
        docstring = start == 0 and isinstance(node, ast.Expr)
        future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        if not (docstring or future):
            break
        start += 1
    body[start:start] = _statements(PROLOGUE)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


@dataclass
class Run:
    """One run of the script: each step's loss and the seconds of its parts."""

    label: str
    losses: list[float]
    seconds: dict[str, list[float]]


def run_once(script: str, label: str, core: str | None) -> Run:
    """Run an instrumented script in a fresh directory holding input.txt.

    `core` is the core the swapped script must run ("compiled" or "python"),
    None for the script as written (which must not import autograd).
    """
    env = {k: v for k, v in os.environ.items() if k != "SCALARGRAD_PURE"}
    if core == "python":
        env["SCALARGRAD_PURE"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "input.txt").write_bytes(NAMES.read_bytes())
        (folder / "microgpt.py").write_text(script)
        done = subprocess.run(
            [sys.executable, "microgpt.py"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"{label}: the script failed\n{done.stderr[-3000:]}")
        result = json.loads((folder / RESULT).read_text())
    if result["core"] != core:
        raise RuntimeError(f"{label}: asked for core {core}, ran {result['core']}")
    marks = result["marks"]
    if any(len(m) != 5 for m in marks):
        raise ScriptShapeError(f"{label}: a step left the loop body before its end")
    seconds = {
        "step": [m[4] - m[0] for m in marks],
        "forward": [m[1] - m[0] for m in marks],
        "backward": [m[2] - m[1] for m in marks],
        "update": [m[3] - m[2] for m in marks],
    }
    return Run(label, result["losses"], seconds)


@dataclass
class Agreement:
    """How far the runs' losses were from the script's own, step by step."""

    worst: float = 0.0
    """The largest relative gap; 0 when every loss had the same bits."""
    first: int | None = None
    """The first step (from 1) whose loss had other bits, if any."""


def check_losses(reference: Run, run: Run, steps: int, rtol: float) -> Agreement:
    """Compare a run's losses with the reference's, step by step.

    Raises AssertionError naming the first step whose relative gap is over
    `rtol` (with `rtol` 0, whose loss is not the same bits).
    """
    for which in (reference, run):
        if len(which.losses) != steps:
            raise AssertionError(
                f"{which.label} ran {len(which.losses)} steps, not {steps}"
            )
    seen = Agreement()
    for step, (a, b) in enumerate(zip(reference.losses, run.losses, strict=True), 1):
        if float(a).hex() == float(b).hex():
            continue
        gap = abs(a - b) / abs(a) if a else math.inf
        if not gap <= rtol:  # a NaN gap fails too
            limit = "not bit-identical" if rtol == 0 else f"over --rtol {rtol:g}"
            raise AssertionError(
                f"step {step}: {run.label}'s loss is {b!r}, {reference.label}'s "
                f"{a!r} (relative gap {gap:.1e}, {limit}): not the same training"
            )
        seen.worst = max(seen.worst, gap)
        seen.first = step if seen.first is None else seen.first
    return seen


def measure(
    source: str, steps: int, reps: int, cores: list[str], rtol: float = 0.0
) -> tuple[list[Run], Agreement]:
    """`reps` interleaved repetitions of the script as written and swapped,
    and how far their losses were from the first run's."""
    theirs = instrument(source, steps, swap=False)
    ours = instrument(source, steps, swap=True)
    variants = [(THEIRS, theirs, None)] + [
        (f"ours, {CORE_NAMES[core]} core", ours, core) for core in cores
    ]
    runs: list[Run] = []
    seen = Agreement()
    for rep in range(reps):
        for label, script, core in variants:
            run = run_once(script, label, core)
            gaps = check_losses(runs[0] if runs else run, run, steps, rtol)
            seen.worst = max(seen.worst, gaps.worst)
            if gaps.first is not None:
                seen.first = min(gaps.first, seen.first or gaps.first)
            runs.append(run)
        print(f"  repetition {rep + 1}/{reps} done", file=sys.stderr, flush=True)
    return runs, seen


def medians(runs: list[Run], warmup: int) -> dict[str, dict[str, float]]:
    """Per label and part, the median ms of the steps after `warmup` in each run."""
    pooled: dict[str, dict[str, list[float]]] = {}
    for run in runs:
        cells = pooled.setdefault(run.label, {})
        for part, seconds in run.seconds.items():
            cells.setdefault(part, []).extend(seconds[warmup:])
    return {
        label: {part: 1e3 * statistics.median(s) for part, s in cells.items()}
        for label, cells in pooled.items()
    }


def table(ms: dict[str, dict[str, float]], heading: str) -> str:
    """Markdown: a row per engine, in brackets its own Value's median over ours."""
    lines = [
        f"| {heading} | " + " | ".join(f"{p} ms" for p in PARTS) + " |",
        "|---|" + "---:|" * len(PARTS),
    ]
    for label, cells in ms.items():
        out = []
        for part in PARTS:
            ratio = (
                "" if label == THEIRS else f" ({ms[THEIRS][part] / cells[part]:.1f}x)"
            )
            out.append(f"{cells[part]:.1f}{ratio}")
        lines.append(f"| {label} | " + " | ".join(out) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Measure, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", type=Path, help="a copy of microgpt.py")
    parser.add_argument("--steps", type=int, default=20, help="training steps a run")
    parser.add_argument("--reps", type=int, default=3, help="runs of each engine")
    parser.add_argument(
        "--warmup", type=int, default=2, help="first steps of a run left out"
    )
    parser.add_argument(
        "--cores", default="compiled,python", help="our cores to run, comma-separated"
    )
    parser.add_argument(
        "--rtol",
        type=float,
        default=0.0,
        help="largest relative loss gap allowed (default 0: the same bits)",
    )
    parser.add_argument("--out", type=Path, default=Path("out"), help="JSON folder")
    args = parser.parse_args(argv)
    cores = args.cores.split(",")
    if not set(cores) <= set(CORE_NAMES) or args.warmup >= args.steps:
        parser.error("--cores takes compiled and/or python; --warmup < --steps")
    source = args.script.read_text()
    runs, seen = measure(source, args.steps, args.reps, cores, args.rtol)
    ms = medians(runs, args.warmup)
    steps = f"steps {args.warmup + 1}-{args.steps}"
    print(table(ms, f"{args.script.name}, {steps}, {args.reps} runs each"))
    if seen.first is None:
        agreement = f"bit-identical at every step of every run ({args.steps} steps)"
    else:
        agreement = (
            f"NOT bit-identical from step {seen.first}: the largest relative gap "
            f"is {seen.worst:.1e} (within --rtol {args.rtol:g})"
        )
    print(
        f"\nMedians over {steps} of {args.reps} interleaved runs (CPU ms, collector "
        "on as the script runs); in brackets its own Value's median over ours. "
        f"Losses {agreement}."
    )
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "microgpt_swap.json"
    report = {
        "steps": args.steps,
        "warmup": args.warmup,
        "largest_relative_loss_gap": seen.worst,
        "first_step_with_other_bits": seen.first,
        "runs": [r.__dict__ for r in runs],
        "median_ms": ms,
    }
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(f"JSON: {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
