"""A smoke run of the benchmark script at tiny sizes: the tables and the JSON appear.

W5 (a GPT step) comes first, and its engines must agree on the losses of the
first steps (the script raises otherwise). No timing is asserted.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import autograd

ROOT = Path(__file__).resolve().parent.parent


def test_a_quick_benchmark_run_prints_the_table_and_writes_the_json(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/run.py",
            "--quick",
            "--reps",
            "1",
            "--no-torch",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert lines[0].startswith("| W5 GPT step, one name | ms/step |")
    w5_engines = [line.split(" | ")[0] for line in lines[2:5]]
    assert w5_engines == ["| ours eager", "| microgpt-style", "| micrograd"]
    assert "Losses of every engine agree over the first 2 steps" in result.stdout
    assert "ours eager / microgpt-style, as users run it: step " in result.stdout
    assert "| free + collect ms | collector ms | collector off: forward ms" in lines[0]
    header = next(line for line in lines if line.startswith("| workload |"))
    assert header.startswith(
        "| workload | unit | micrograd | ours eager | ours compiled"
    )
    assert "torch" not in result.stdout
    assert "| W1 moons step | ms/step |" in result.stdout
    assert "eager steps" in result.stdout
    report = json.loads((tmp_path / "bench.json").read_text())
    names = [row["name"] for row in report["workloads"]]
    assert names[0] == "W1 moons step" and any(n.startswith("W4") for n in names)
    assert all(
        len(times) == 1
        for row in report["workloads"]
        for times in row["seconds"].values()
    )
    assert report["memory"] and report["table"] in result.stdout
    assert report["w5_table"] in result.stdout
    assert set(report["w5"]["seconds"]) == {"ours eager", "microgpt-style", "micrograd"}
    assert report["w5"]["largest_relative_loss_gap"] <= 1e-12
    ours = report["w5"]["seconds"]["ours eager"]
    parts = ("forward", "backward", "update", "free + collect")
    on = [ours[f"{p} (collector on)"] for p in parts]
    assert ours["step"] == [sum(step) for step in zip(*on, strict=True)]
    assert "backward (collector off)" in ours


def test_w5_names_the_engine_whose_losses_differ_from_ours(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import w5
    import workloads

    ours = workloads.w5_engines(with_torch=False)["ours eager"]
    # log off by one part in 10^9: the loss moves far more than 1e-12.
    skewed = dataclasses.replace(ours, log=lambda x: x.log() * 1.000000001)
    with pytest.raises(AssertionError, match="skewed's loss at step 0"):
        w5.agreement({"ours eager": ours, "skewed": skewed}, steps=1)


def test_the_w5_anatomy_prints_its_three_tables() -> None:
    result = subprocess.run(
        [sys.executable, "benchmarks/w5_anatomy.py", "--steps", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    out = result.stdout
    for row in (
        "| the model on plain floats |",
        "| ours eager |",
        "| microgpt-style |",
        "| ordering walk |",
        "| sweep |",
        "| collector in a step, per step |",
    ):
        assert row in out


def test_the_fit_formula_benchmark_prints_both_ways_of_writing_the_loss() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/fit_formula.py",
            "--points",
            "200",
            "--repeats",
            "1",
            "--replays",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    rows = [line.split("|")[1].strip() for line in result.stdout.splitlines()[4:]]
    assert rows == ["generator", "list"]
    assert "| first call in eager steps |" in result.stdout


def _two_core_table(script: str, *args: str) -> tuple[str, list[str]]:
    """Run a script that times both cores; its output and its table's row names."""
    result = subprocess.run(
        [sys.executable, f"benchmarks/{script}", "--quick", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = result.stdout.splitlines()
    rows = [line.split(" | ")[0][2:] for line in lines[2:] if line.startswith("| ")]
    return result.stdout, rows


def test_a_quick_run_of_both_cores_prints_them_side_by_side(tmp_path: Path) -> None:
    out, rows = _two_core_table("cores.py", "--out", str(tmp_path))
    lines = out.splitlines()
    assert lines[0] == (
        "| workload (ms) | reference | compiled core, eager | Python core, eager "
        "| compiled core, replay | Python core, replay |"
    )
    assert rows[:5] == [
        "W5 GPT step, as users run it (collector on)",
        "W5 forward (collector on)",
        "W5 backward (collector on)",
        "W5 update (collector on)",
        "W5 free + collect (collector on)",
    ]
    assert "W5 backward (collector off)" in rows and "W1 moons step" in rows
    times = json.loads((tmp_path / "cores.json").read_text())["times"]
    step = times["W5 GPT step, as users run it (collector on)"]
    for column, seconds in step.items():
        parts = [times[row][column] for row in rows[1:5]]
        assert seconds == [sum(part) for part in zip(*parts, strict=True)]
    assert set(times["W1 moons step"]) == {
        "micrograd",
        "ours eager|compiled",
        "ours eager|python",
        "ours compiled|compiled",
        "ours compiled|python",
    }
    assert "W5 forward floor" not in rows
    assert len(times["W5 forward floor"]["plain floats"]) == 2  # one per worker
    floor = [line for line in lines if line.startswith("W5 forward on plain floats")]
    assert len(floor) == 1 and "the most any engine's forward could gain" in floor[0]


TINY_MICROGPT = '''"""In microgpt.py's shape: a __slots__ Value, a training loop."""

import random

random.seed(0)
docs = [line.strip() for line in open("input.txt") if line.strip()]


class Value:
    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        data = self.data * other.data * SKEW
        return Value(data, (self, other), (other.data, self.data))

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def backward(self):
        topo, visited = [], set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._children:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad


params = [Value(random.gauss(0, 1)) for _ in range(4)]
m = [0.0] * len(params)
num_steps = 1000
for step in range(num_steps):
    x = len(docs[step % len(docs)]) / 10
    loss = sum(p * x for p in params)
    loss.backward()
    for i, p in enumerate(params):
        m[i] = 0.9 * m[i] + 0.1 * p.grad
        p.data -= 0.01 * m[i]
        p.grad = 0
    print(f"step {step + 1} / {num_steps} | loss {loss.data:.4f}", end="\\r")

raise SystemExit("the sampling after training ran")
'''


def _microgpt_swap(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import microgpt_swap

    return microgpt_swap


def test_microgpt_swap_times_the_script_as_written_and_with_our_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    swap = _microgpt_swap(monkeypatch)
    script = tmp_path / "microgpt.py"
    script.write_text(TINY_MICROGPT.replace("SKEW", "1"))
    args = ["--steps", "3", "--reps", "2", "--warmup", "1", "--cores", autograd.CORE]
    swap.main([str(script), *args, "--out", str(tmp_path)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "| microgpt.py, steps 2-3, 2 runs each | step ms | forward ms "
        "| backward ms | update ms |"
    )
    core = swap.CORE_NAMES[autograd.CORE]
    assert [line.split(" | ")[0] for line in lines[2:4]] == [
        "| its own Value",
        f"| ours, {core} core",
    ]
    assert lines[3].count("x)") == 4
    assert "Losses bit-identical at every step of every run (3 steps)." in lines[-1]
    report = json.loads((tmp_path / "microgpt_swap.json").read_text())
    runs = report["runs"]
    assert [r["label"] for r in runs] == ["its own Value", f"ours, {core} core"] * 2
    assert all(len(r["losses"]) == 3 for r in runs)  # num_steps = 1000 was capped
    assert all(len(s) == 3 for r in runs for s in r["seconds"].values())


def test_microgpt_swap_names_the_step_whose_loss_has_other_bits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    swap = _microgpt_swap(monkeypatch)
    source = TINY_MICROGPT.replace("SKEW", "(1 + 1e-9)")
    with pytest.raises(AssertionError, match=r"step 1: ours, .* not bit-identical"):
        swap.measure(source, steps=2, reps=1, cores=[autograd.CORE])
    _, seen = swap.measure(source, steps=2, reps=1, cores=[autograd.CORE], rtol=1e-6)
    assert seen.first == 1 and 0 < seen.worst <= 1e-6


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("class Value:", "class Scalar:"), "one module-level `class Value`, found 0"),
        (("    loss.backward()\n", ""), "`loss.backward\\(\\)` statement in its body"),
        (("enumerate(params)", "zip(range(4), params)"), "enumerate\\(params\\)"),
        (("num_steps = 1000\n", ""), "`num_steps = N`"),
        (("range(num_steps)", "range(1000)"), "does not run over `num_steps`"),
    ],
)
def test_microgpt_swap_refuses_a_script_of_another_shape(
    monkeypatch: pytest.MonkeyPatch, edit: tuple[str, str], message: str
) -> None:
    swap = _microgpt_swap(monkeypatch)
    source = TINY_MICROGPT.replace("SKEW", "1").replace(*edit)
    with pytest.raises(swap.ScriptShapeError, match=message):
        swap.instrument(source, steps=2, swap=True)


def test_cores_only_times_the_rows_named_and_every_repetition(tmp_path: Path) -> None:
    only = ["--reps", "2", "--only", "W3", "--only", "W2"]
    _, rows = _two_core_table("cores.py", *only, "--out", str(tmp_path))
    assert rows and all(row.startswith(("W2", "W3")) for row in rows)
    times = json.loads((tmp_path / "cores.json").read_text())["times"]
    assert set(times) == set(rows)
    for cells in times.values():  # the reference runs in both workers
        assert {c: len(ts) for c, ts in cells.items()} == {
            c: 4 if c == "micrograd" else 2 for c in cells
        }


def test_leaf_access_prints_each_statement_for_both_cores() -> None:
    out, rows = _two_core_table("leaf_access.py")
    assert out.splitlines()[0] == (
        "| per leaf (ns) | compiled core | Python core | compiled / Python |"
    )
    assert rows == ["`x = v._data`", "`v._grad += g`"]
    assert "python: _data member_descriptor, _grad member_descriptor" in out
