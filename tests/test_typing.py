"""Users' code type-checks against the package (it ships `py.typed`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# micrograd's training loop as users write it, with type hints checked.
USER_SCRIPT = """
import nn
from autograd import Value

model = nn.MLP(2, [4, 1])
x = [Value(1.0), Value(-2.0)]
out = model(x)  # one output: a Value, as micrograd's MLP returns it
assert isinstance(out, Value)
loss = nn.mse([out], [1.0])
loss.backward()
for p in model.parameters():
    p.data -= 0.1 * p.grad
    p.grad = 0.0
g: float = x[0].grad
print(f"{loss.data:.3f}", g)
"""


def test_a_micrograd_style_training_loop_passes_mypy_strict(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(USER_SCRIPT)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",  # the package's own modules: not the user's
            "--no-incremental",
            str(script),
        ],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
