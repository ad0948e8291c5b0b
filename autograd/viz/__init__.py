"""Draw computation graphs: `to_dot` makes a `graphviz.Digraph`, `render` a file.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> dot = to_dot(y, legend=False)
>>> dot.source.count("->")  # x twice into the product, then one edge per step
5

Each value is a rounded box with its label, data and grad, coloured by role;
each op is a small ellipse; each edge into an op carries the local derivative
d(out)/d(in), so the chain rule can be read off the picture: a node's grad is
the sum over its outgoing edges of (edge label) x (grad of the op's result).
Modules named in dotted parameter names become boxes, and graphs bigger than
`max_nodes` collapse into summary nodes (see `autograd.viz._scene`).

Graphviz is imported only when a function here is called, so ``import
autograd`` never needs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from autograd._files import write_atomically
from autograd.core import Value
from autograd.viz._dot import (
    DEFAULT_MAX_NODES,
    GraphvizNotFoundError,
    HasNamedParameters,
    check_max_nodes,
    heat_colour,
    pipe,
    to_dot,
    to_svg,
)
from autograd.viz.stepper import StepThrough, interactive, to_html

__all__ = [
    "DEFAULT_MAX_NODES",
    "FORMATS",
    "GraphvizNotFoundError",
    "HasNamedParameters",
    "NotebookSettings",
    "StepThrough",
    "heat_colour",
    "interactive",
    "notebook_settings",
    "notebook_svg",
    "render",
    "set_notebook",
    "to_dot",
    "to_html",
    "to_svg",
]

FORMATS: Final = ("svg", "png", "pdf", "dot", "gv", "html")
"""File suffixes `render` writes; ``.dot``/``.gv`` are the DOT source itself,
``.html`` the page to step through backward (`autograd.viz.stepper`)."""


@dataclass(frozen=True)
class NotebookSettings:
    """How a Value shows in Jupyter: its graph if `display`, up to `max_nodes`."""

    display: bool = True
    max_nodes: int | None = DEFAULT_MAX_NODES


_notebook = NotebookSettings()


def set_notebook(
    *, display: bool = True, max_nodes: int | None = DEFAULT_MAX_NODES
) -> NotebookSettings:
    """Set how every Value shows in Jupyter; return the settings this replaces.

    ``set_notebook(display=False)`` shows the plain repr (no drawing at all);
    ``set_notebook(max_nodes=100)`` collapses big graphs sooner (faster,
    smaller SVG). Each call sets both; ``set_notebook()`` restores the defaults
    and ``set_notebook(**vars(old))`` what was there before.
    """
    # One setting for the whole process, like matplotlib's rcParams.
    global _notebook
    if not isinstance(display, bool):
        raise TypeError(f"set_notebook: display must be True or False, got {display!r}")
    check_max_nodes(max_nodes, "set_notebook")
    old, _notebook = _notebook, NotebookSettings(display, max_nodes)
    return old


def notebook_settings() -> NotebookSettings:
    """The current settings of `set_notebook`."""
    return _notebook


def notebook_svg(value: Value) -> str | None:
    """What Jupyter shows for `value` (`Value._repr_svg_`): SVG, or None: the repr."""
    settings = _notebook
    if not settings.display:
        return None
    return to_svg(value, max_nodes=settings.max_nodes)


def render(
    root: Value | Iterable[Value], path: str | os.PathLike[str], **options: Any
) -> Path:
    """Write the graph below `root` to `path` and return the path.

    The suffix picks the format: ``.svg`` (added when there is none), ``.png``,
    ``.pdf``, or ``.dot``/``.gv`` for the DOT source, or ``.html`` for the
    page to step through backward (options of `interactive`). Parent
    directories are created; the file appears complete or not at all, with
    the mode `open` would give it (`autograd._files.write_atomically`). Takes
    the options of `to_dot`.
    """
    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(".svg")
    kind = target.suffix[1:].lower()
    if kind not in FORMATS:
        raise ValueError(
            f"render: cannot write {target.suffix!r} files; use one of "
            + ", ".join("." + f for f in FORMATS)
        )
    if kind == "html":  # takes the options of `interactive`
        data = to_html(root, **options).encode("utf-8")
    else:
        dot = to_dot(root, **options)
        data = dot.source.encode("utf-8") if kind in ("dot", "gv") else pipe(dot, kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, data)
    return target
