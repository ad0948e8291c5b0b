"""The documentation runs: every docstring example of `autograd` and `nn`, and
every Python block of README.md and of the site's pages (docs/**/*.md).

A block runs in a fresh namespace inside a temporary working folder,
compiled from a file of its own there (``PAGE.py``, the block on its page's
lines); functions it defines whose names start with ``test_`` are called too. A block
preceded by ``<!-- test: raises NAME -->`` must raise that exception. A
``text`` block right after a Python block is what that block prints (and,
for a block that raises, the exception's ``Name: message`` after it): it must
match, so no output shown on the site can go stale.
"""

from __future__ import annotations

import builtins
import contextlib
import doctest
import importlib
import inspect
import io
import pkgutil
import re
import traceback
from pathlib import Path
from types import CodeType
from typing import NamedTuple

import pytest
import readme_renderer.markdown

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

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").rglob("*.md"))]
_BLOCK = re.compile(
    r"(?:<!-- test: raises (?P<raises>\w+) -->\n)?```python\n(?P<code>.*?)```\n"
    r"(?:\n```text\n(?P<output>.*?)```)?",
    re.DOTALL,
)


class Block(NamedTuple):
    """A Python block of a page, what it must raise and what it must print."""

    page: Path
    index: int
    line: int  # the page's line the code starts on
    code: str
    raises: str | None
    output: str | None


def _blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    return [
        Block(
            page,
            i,
            text.count("\n", 0, m.start("code")) + 1,
            m.group("code"),
            m.group("raises"),
            m.group("output"),
        )
        for i, m in enumerate(_BLOCK.finditer(text))
    ]


BLOCKS = [block for page in PAGES for block in _blocks(page)]


def compile_block(code: str, line: int, path: Path) -> CodeType:
    """Compile a block from a file of its own at `path`, on the block's page lines.

    Tools that read a function's source (inspect.getsource, so Hypothesis)
    find the block there, where the page itself would give them its prose;
    a traceback's line number is the page's.
    """
    text = "\n" * (line - 1) + code
    path.write_text(text, encoding="utf-8")
    return compile(text, str(path), "exec")


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name: str) -> None:
    module = importlib.import_module(name)
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0


def test_the_packages_show_examples() -> None:
    attempted = sum(
        doctest.testmod(importlib.import_module(name)).attempted for name in MODULES
    )
    assert attempted >= 30


def test_the_readme_and_the_pages_have_python_examples() -> None:
    assert len(_blocks(README)) >= 1
    assert len(BLOCKS) >= 30


@pytest.mark.parametrize(
    "block", BLOCKS, ids=[f"{b.page.relative_to(ROOT)}:{b.index}" for b in BLOCKS]
)
def test_code_block_runs(
    block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "docs"}
    compiled = compile_block(block.code, block.line, tmp_path / f"{block.page.name}.py")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        if block.raises is not None:
            with pytest.raises(getattr(builtins, block.raises)) as error:
                exec(compiled, namespace)
            print(*traceback.format_exception_only(error.value), end="")
        else:
            exec(compiled, namespace)
            for name, value in list(namespace.items()):
                if name.startswith("test_") and callable(value):
                    value()
    if block.output is not None:
        assert _lines(printed.getvalue()) == _lines(block.output)


def test_a_block_that_prints_something_else_than_its_output_block_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "page.md"
    page.write_text('```python\nprint("a")\n```\n\n```text\nb\n```\n')
    [block] = _blocks(page)
    assert block.output == "b\n"
    with pytest.raises(AssertionError):
        test_code_block_runs(block, tmp_path, monkeypatch)


def test_every_block_sits_on_its_page_lines() -> None:
    for block in BLOCKS:
        lines = block.page.read_text(encoding="utf-8").splitlines()
        code = block.code.splitlines()
        assert lines[block.line - 1 : block.line - 1 + len(code)] == code, block.line


def test_a_blocks_function_shows_the_block_as_its_source(tmp_path: Path) -> None:
    # Hypothesis reads a test's source; compiled under the page's name, the
    # function's lines were the page's prose, which Python 3.12's tokenizer rejects.
    code = "def f(x):\n    return x + 1\n"
    namespace: dict[str, object] = {}
    exec(compile_block(code, 40, tmp_path / "page.md.py"), namespace)
    f = namespace["f"]
    assert inspect.isfunction(f)
    assert inspect.getsource(f) == code
    assert f.__code__.co_firstlineno == 40


def test_the_readme_is_short_and_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 150
    first = re.search(r"```sh\n(.*?)```", text, re.DOTALL)
    assert first is not None
    commands = [line.split("#")[0].strip() for line in first.group(1).splitlines()]
    assert commands == ["make demo", "make test"]


def test_the_readme_renders_as_the_wheels_long_description() -> None:
    html = readme_renderer.markdown.render(
        README.read_text(encoding="utf-8"), variant="GFM"
    )
    assert html is not None and "<h1" in html and "cannot share one environment" in html
    # On a package index a relative link or image leads nowhere.
    for target in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert target.startswith(("https://", "http://", "#")), target


def test_every_test_the_docs_name_exists() -> None:
    # The Guarantees table names its tests: a renamed or deleted test must not
    # leave a guarantee that nothing checks any more.
    tests = Path(__file__).parent
    code = "\n".join(p.read_text() for p in tests.glob("*.py"))
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for path, name in re.findall(r"(tests/\w+\.py)(?:::(\w+))?", text):
            source = (ROOT / path).read_text()
            assert not name or re.search(rf"def {name}\b", source), f"{path}::{name}"
        written_here = set(re.findall(r"^def (test_\w+)", text, re.MULTILINE))
        for name in set(re.findall(r"`(test_\w+)", text)) - written_here:
            assert re.search(rf"def {name}\b", code), f"{page.name}: {name}"
