"""A smoke run of the benchmark script at tiny sizes: the table and the JSON appear."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
    header = result.stdout.splitlines()[0]
    assert header.startswith(
        "| workload | unit | micrograd | ours eager | ours compiled"
    )
    assert "torch" not in header
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
