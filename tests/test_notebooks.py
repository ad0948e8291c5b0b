"""The notebooks under demos/ run in a real Jupyter kernel and are committed clean.

Each notebook is executed top to bottom by nbclient in an IPython kernel
(the one of this Python); a few outputs are checked. In git they carry no
outputs: run them yourself to see them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "demos").rglob("*.ipynb"))


def execute(path: Path, where: Path) -> None:
    """Run the notebook at `path` in a fresh kernel in folder `where`; save it there."""
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as kernels:
        # This Python's kernel, whatever other kernels the machine has installed.
        write_kernel_spec(str(Path(kernels) / "python3"))
        specs = KernelSpecManager(kernel_dirs=[kernels], ensure_native_kernel=False)
        client = NotebookClient(
            notebook,
            km=KernelManager(kernel_name="python3", kernel_spec_manager=specs),
            timeout=120,
            resources={"metadata": {"path": str(where)}},
        )
        client.execute()
    nbformat.write(notebook, where / path.name)


def run(path: Path, where: Path) -> Any:
    """The notebook at `path` with its outputs, run by `execute` in a subprocess.

    A process of its own: the kernel client's sockets, closed at exit, must not
    warn inside pytest (where warnings are errors).
    """
    done = subprocess.run(
        [sys.executable, __file__, str(path), str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return nbformat.read(where / path.name, as_version=4)


def outputs(notebook: Any, kind: str) -> str:
    """All the notebook showed as `kind` ('stdout', 'text/html', ...), joined."""
    found = []
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            if out.get("name") == "stdout" and kind == "stdout":
                found.append(out["text"])
            found.append(str(out.get("data", {}).get(kind, "")))
    return "\n".join(found)


def test_there_are_notebooks() -> None:
    names = {p.name for p in NOTEBOOKS}
    assert {
        "01_neuron_to_moons.ipynb",
        "02_chain_rule.ipynb",
        "03_names_gpt.ipynb",
    } <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_have_no_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], (
                f"{path.name}: clear the outputs before committing"
            )
            assert cell.execution_count is None


def test_the_neuron_to_moons_notebook_runs(tmp_path: Path) -> None:
    notebook = run(ROOT / "demos/notebooks/01_neuron_to_moons.ipynb", tmp_path)
    printed = outputs(notebook, "stdout")
    assert "o = 0.7071" in printed
    assert "do/dw1 = +1.0000" in printed
    assert "accuracy" in printed and "parameters" in printed
    assert "<svg" in outputs(notebook, "image/svg+xml")  # the neuron's graph
    assert outputs(notebook, "image/png").count("iVBOR") >= 2  # two figures


def test_the_chain_rule_notebook_runs(tmp_path: Path) -> None:
    notebook = run(ROOT / "demos/notebooks/02_chain_rule.ipynb", tmp_path)
    printed = outputs(notebook, "stdout")
    assert "explain == backward: True" in printed
    shown = outputs(notebook, "text/html")
    assert "<table>" in shown and "L -&gt; d" in shown  # explain's table
    assert 'class="ag-stepper"' in shown  # the interactive view
    assert "first step: L -> d: upstream 1.0000 x local 0.2071 = 0.2071" in printed
    assert "Step(" not in printed  # a step's fields, not its long repr
    page = Path(re.findall(r"wrote (\S+)", printed)[0])
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # Nothing is left beside the notebook (the kernel ran in its folder).
    assert [p.name for p in tmp_path.iterdir()] == ["02_chain_rule.ipynb"]
    page.unlink()
    page.parent.rmdir()


def test_the_names_gpt_notebook_runs(tmp_path: Path) -> None:
    notebook = run(ROOT / "demos/notebooks/03_names_gpt.ipynb", tmp_path)
    printed = outputs(notebook, "stdout")
    assert "5,163 names" in printed and "= 27 tokens" in printed
    assert "4,192 parameters" in printed
    assert "the weights sum to 1.000000" in printed  # one head's softmax
    steps = re.findall(r"step +(\d+) +[a-z]+ +loss (\d+\.\d+)", printed)
    assert [int(n) for n, _ in steps] == list(range(1, 11))  # only a handful
    before, after = map(
        float, re.findall(r"loss on 'emma': (\S+) -> (\S+)", printed)[0]
    )
    assert after < before
    # Streamed output may arrive in pieces: `outputs` joins them with newlines.
    after_title = printed.split("Names it invented:\n")[1].splitlines()
    invented = [line for line in after_title if line][:5]
    assert all(re.fullmatch(r"  '[a-z]*'", line) for line in invented), invented
    assert "iVBOR" in outputs(notebook, "image/png")  # the demo's figure


@pytest.mark.parametrize("in_a_clone", [True, False])
def test_the_names_gpt_notebook_finds_the_demos_under_a_non_editable_install(
    tmp_path: Path, in_a_clone: bool
) -> None:
    # A wheel install: `autograd` lives outside the clone (a stand-in package).
    package = tmp_path / "site" / "autograd"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    folder = tmp_path / "clone" / "demos" / "notebooks"
    folder.mkdir(parents=True)
    if in_a_clone:
        (folder.parent / "names_gpt.py").write_text("", encoding="utf-8")
    notebook = nbformat.read(ROOT / "demos/notebooks/03_names_gpt.ipynb", as_version=4)
    first = next(c.source for c in notebook.cells if c.cell_type == "code")
    done = subprocess.run(
        [sys.executable, "-c", first + "\nprint(sys.path[0])"],
        cwd=folder,  # Jupyter starts the kernel in the notebook's folder
        env={**os.environ, "PYTHONPATH": str(package.parent)},
        capture_output=True,
        text=True,
        check=False,
    )
    if in_a_clone:
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == str(folder.parent)
    else:
        assert done.returncode == 1
        assert "this notebook needs a clone of the repository" in done.stderr
        assert "open it from demos/notebooks/ in a clone" in done.stderr


if __name__ == "__main__":
    execute(Path(sys.argv[1]), Path(sys.argv[2]))
