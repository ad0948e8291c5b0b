"""The graph as DOT: `to_dot` writes a `graphviz.Digraph` of a scene
(`autograd.viz._scene`), `to_svg` runs Graphviz's `dot` on it.

Graphviz is imported only when a function here is called.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, Protocol

from autograd.core import Value
from autograd.viz._scene import build
from autograd.viz._style import heat_colour
from autograd.viz._text import check_number_format
from autograd.viz._writer import Writer

if TYPE_CHECKING:
    import graphviz

__all__ = [
    "DEFAULT_MAX_NODES",
    "GraphvizNotFoundError",
    "HasNamedParameters",
    "check_max_nodes",
    "digraph",
    "heat_colour",
    "parameter_names",
    "pipe",
    "to_dot",
    "to_svg",
]

DEFAULT_MAX_NODES: Final = 400
"""Past this many drawn nodes a graph collapses: about what `dot` lays out legibly."""

_INSTALL_DOT: Final = """\
Graphviz's `dot` program was not found on PATH; autograd.viz needs it to
render SVG, PNG or PDF (to_dot() and .dot files work without it). Install it:
  Debian/Ubuntu:  sudo apt-get install graphviz
  Fedora/RHEL:    sudo dnf install graphviz
  macOS:          brew install graphviz
  conda:          conda install -c conda-forge graphviz
  Windows:        winget install graphviz   (then reopen the terminal)
and make sure `dot -V` works in the shell that runs Python."""


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's `dot` program is not installed; the message says how to install it."""


class HasNamedParameters(Protocol):
    """Anything with torch-style ``named_parameters()``, such as an `nn` module."""

    def named_parameters(self) -> Iterable[tuple[str, Value]]:
        """(dotted name, parameter) pairs."""
        ...


def _graphviz() -> Any:
    try:
        import graphviz  # noqa: PLC0415 - optional dependency, imported on use
    except ImportError as e:
        raise ImportError(
            "autograd.viz needs the Python package `graphviz`: "
            "pip install 'scalargrad[viz]' (and Graphviz's `dot` program)"
        ) from e
    return graphviz


def to_dot(
    root: Value | Iterable[Value],
    *,
    params: Iterable[Value] = (),
    module: HasNamedParameters | None = None,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_edge_grads: bool = True,
    fmt: str = ".4g",
    highlight: Value | Iterable[Value] = (),
    heat: bool = False,
    legend: bool = True,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> graphviz.Digraph:
    """The graph below `root` (a Value or several) as a `graphviz.Digraph`.

    `params` or `module` (anything with ``named_parameters()``) mark and name
    parameters; `highlight` draws every path from the given values to the
    outputs in red; `heat` fills values by |grad| on a log scale; past
    `max_nodes` drawn nodes (None: no limit) the graph collapses into summaries.
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(
            f"to_dot: rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}"
        )
    check_number_format(fmt, "to_dot")
    check_max_nodes(max_nodes, "to_dot")
    roots = _values(root, "root")
    if not roots:
        raise ValueError("to_dot: no root Value given")
    params, param_names = parameter_names(module, params)
    scene = build(
        roots,
        params=params,
        param_names=param_names,
        highlight=_values(highlight, "highlight"),
        max_nodes=max_nodes,
    )
    writer = Writer(
        scene,
        rankdir=rankdir,
        fmt=fmt,
        show_grad=show_grad,
        show_edge_grads=show_edge_grads,
        heat=heat,
    )
    return digraph(writer.lines(legend, max_nodes))


def digraph(lines: list[str]) -> graphviz.Digraph:
    """A `graphviz.Digraph` of DOT statements (from `Writer.lines`)."""
    return _graphviz().Digraph("autograd", body=lines)


def parameter_names(
    module: HasNamedParameters | None, params: Iterable[Value]
) -> tuple[list[Value], dict[Value, str]]:
    """The parameters to mark, and the names `module` gives them."""
    if module is None:
        return list(params), {}
    named = list(module.named_parameters())
    return [*params, *(v for _, v in named)], {v: name for name, v in named}


def to_svg(root: Value | Iterable[Value], **options: Any) -> str:
    """The graph below `root` as SVG text; takes the options of `to_dot`."""
    return pipe(to_dot(root, **options), "svg").decode("utf-8")


def check_max_nodes(max_nodes: object, where: str) -> None:
    if max_nodes is not None and (
        not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1
    ):
        raise ValueError(
            f"{where}: max_nodes must be an int >= 1 or None, got {max_nodes!r}"
        )


def pipe(dot: graphviz.Digraph, kind: str) -> bytes:
    graphviz = _graphviz()
    try:
        return bytes(dot.pipe(format=kind))
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(_INSTALL_DOT) from None


def _values(x: Value | Iterable[Value], what: str) -> list[Value]:
    found = [x] if isinstance(x, Value) else list(x)
    for v in found:
        if not isinstance(v, Value):
            raise TypeError(
                f"to_dot: {what} must be Values, got {type(v).__name__} {v!r}"
            )
    return found
