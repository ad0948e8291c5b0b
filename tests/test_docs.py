"""The documentation runs: every docstring example of `autograd` and `nn`, and
every Python block of README.md.

A README block runs in a fresh namespace inside a temporary working folder,
compiled from a file of its own there (README.md.py, the block on its README
lines); functions it defines whose names start with ``test_`` are called too.
A block preceded by ``<!-- readme-test: raises NAME -->`` must raise that exception.
"""

from __future__ import annotations

import builtins
import doctest
import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from types import CodeType

import pytest

import autograd
import nn

MODULES = [
    "autograd",
    "nn",
    *sorted(
        info.name
        for package in (autograd, nn)
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
    ),
]

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(
    r"(?:<!-- readme-test: raises (?P<raises>\w+) -->\n)?```python\n(?P<code>.*?)```",
    re.DOTALL,
)
_TEXT = README.read_text(encoding="utf-8")
# Each block with the README line it starts on.
BLOCKS = [
    (m.group("code"), m.group("raises"), _TEXT.count("\n", 0, m.start("code")) + 1)
    for m in _BLOCK.finditer(_TEXT)
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name: str) -> None:
    module = importlib.import_module(name)
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0


def test_the_packages_show_examples() -> None:
    attempted = sum(
        doctest.testmod(importlib.import_module(name)).attempted for name in MODULES
    )
    assert attempted >= 30


def test_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 5


def compile_block(code: str, line: int, folder: Path) -> CodeType:
    """Compile a README block from a file of its own, on the block's README lines.

    Tools that read a function's source (inspect.getsource, so Hypothesis)
    find the block there, where the README itself would give them its prose;
    a traceback's line number is the README's.
    """
    path = folder / "README.md.py"
    text = "\n" * (line - 1) + code
    path.write_text(text, encoding="utf-8")
    return compile(text, str(path), "exec")


@pytest.mark.parametrize(
    ("code", "raises", "line"),
    BLOCKS,
    ids=[f"block{i}" for i in range(len(BLOCKS))],
)
def test_readme_block_runs(
    code: str,
    raises: str | None,
    line: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "readme"}
    compiled = compile_block(code, line, tmp_path)
    if raises is not None:
        with pytest.raises(getattr(builtins, raises)):
            exec(compiled, namespace)
        return
    exec(compiled, namespace)
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            value()


def test_every_readme_block_sits_on_its_readme_lines() -> None:
    lines = _TEXT.splitlines()
    for code, _, line in BLOCKS:
        block = code.splitlines()
        assert lines[line - 1 : line - 1 + len(block)] == block, line


def test_a_readme_blocks_function_shows_the_block_as_its_source(
    tmp_path: Path,
) -> None:
    # Hypothesis reads a test's source; compiled under the README's name, the
    # function's lines were README prose, which Python 3.12's tokenizer rejects.
    code = "def f(x):\n    return x + 1\n"
    namespace: dict[str, object] = {}
    exec(compile_block(code, 40, tmp_path), namespace)
    f = namespace["f"]
    assert inspect.isfunction(f)
    assert inspect.getsource(f) == code
    assert f.__code__.co_firstlineno == 40


def test_every_test_the_readme_names_exists() -> None:
    # The Guarantees table names its tests: a renamed or deleted test must not
    # leave a guarantee that nothing checks any more.
    readme = README.read_text()
    tests = Path(__file__).parent
    for path, name in re.findall(r"(tests/\w+\.py)(?:::(\w+))?", readme):
        source = (tests.parent / path).read_text()
        assert not name or re.search(rf"def {name}\b", source), f"{path}::{name}"
    code = "\n".join(p.read_text() for p in tests.glob("*.py"))
    written_in_readme = set(re.findall(r"^def (test_\w+)", readme, re.MULTILINE))
    for name in set(re.findall(r"`(test_\w+)", readme)) - written_in_readme:
        assert re.search(rf"def {name}\b", code), name
