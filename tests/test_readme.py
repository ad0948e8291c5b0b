"""Every Python block of README.md runs as shown.

A block runs in a fresh namespace inside a temporary working folder; functions
it defines whose names start with ``test_`` are called too. A block preceded by
``<!-- readme-test: raises NAME -->`` must raise that exception.
"""

from __future__ import annotations

import builtins
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(
    r"(?:<!-- readme-test: raises (?P<raises>\w+) -->\n)?```python\n(?P<code>.*?)```",
    re.DOTALL,
)
BLOCKS = [
    (m.group("code"), m.group("raises"))
    for m in _BLOCK.finditer(README.read_text(encoding="utf-8"))
]


def test_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize(
    ("code", "raises"), BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))]
)
def test_readme_block_runs(
    code: str, raises: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "readme"}
    compiled = compile(code, str(README), "exec")
    if raises is not None:
        with pytest.raises(getattr(builtins, raises)):
            exec(compiled, namespace)
        return
    exec(compiled, namespace)
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            value()
