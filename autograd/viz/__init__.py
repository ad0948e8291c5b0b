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

import html
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from autograd.engine import Value
from autograd.ops import OPS
from autograd.viz._scene import (
    CONSTANT,
    EARLIER_UNIT,
    INPUT,
    INPUTS_UNIT,
    INTERMEDIATE,
    OUTPUT,
    PARAMETER,
    ROLES,
    Scene,
    build,
    owner,
)
from autograd.viz.stepper import StepThrough, interactive, to_html

if TYPE_CHECKING:
    import graphviz

__all__ = [
    "DEFAULT_MAX_NODES",
    "FORMATS",
    "GraphvizNotFoundError",
    "HasNamedParameters",
    "StepThrough",
    "heat_colour",
    "interactive",
    "render",
    "to_dot",
    "to_html",
    "to_svg",
]

DEFAULT_MAX_NODES: Final = 400
"""Past this many drawn nodes a graph collapses: about what `dot` lays out legibly."""

FORMATS: Final = ("svg", "png", "pdf", "dot", "gv", "html")
"""File suffixes `render` writes; ``.dot``/``.gv`` are the DOT source itself,
``.html`` the page to step through backward (`autograd.viz.stepper`)."""

_INSTALL_DOT: Final = """\
Graphviz's `dot` program was not found on PATH; autograd.viz needs it to
render SVG, PNG or PDF (to_dot() and .dot files work without it). Install it:
  Debian/Ubuntu:  sudo apt-get install graphviz
  Fedora/RHEL:    sudo dnf install graphviz
  macOS:          brew install graphviz
  conda:          conda install -c conda-forge graphviz
  Windows:        winget install graphviz   (then reopen the terminal)
and make sure `dot -V` works in the shell that runs Python."""

_FONT: Final = "Helvetica,Arial,sans-serif"
_INK: Final = "#1e293b"
_MUTED: Final = "#64748b"
_EDGE: Final = "#94a3b8"
_FADED: Final = "#d5dbe3"
_HIGHLIGHT: Final = "#e11d48"

# (fill, border) per role; colour-blind-safe hues that stay apart in grey.
_ROLE_COLOURS: Final[dict[str, tuple[str, str]]] = {
    OUTPUT: ("#fde68a", "#b45309"),
    PARAMETER: ("#bfdbfe", "#1d4ed8"),
    INPUT: ("#bbf7d0", "#15803d"),
    CONSTANT: ("#f1f5f9", "#94a3b8"),
    INTERMEDIATE: ("#ffffff", "#64748b"),
}
_OP_COLOURS: Final = ("#ede9fe", "#6d28d9")
_SUMMARY_COLOURS: Final = ("#e2e8f0", "#475569")
_CLUSTER_FILLS: Final = ("#f8fafc", "#eef2ff", "#f0fdf4", "#fff7ed")

# Diverging heat scale for |grad|, one colour per decade from 1e-4 to 1e4:
# blue where gradients vanish, pale near 1, red where they explode; light
# enough everywhere for dark text.
_HEAT: Final = (
    "#6baed6",
    "#9ecae1",
    "#c6dbef",
    "#e3eef9",
    "#f7f7f7",
    "#fde0d2",
    "#fcbba1",
    "#fc9272",
    "#ef6548",
)
_HEAT_LOW: Final = -4
_NO_GRAD: Final = "#e5e7eb"

# Typographic forms of the op table's ASCII symbols.
_PRETTY: Final = {
    "*": "\N{MULTIPLICATION SIGN}",
    "/": "\N{DIVISION SIGN}",
    "-": "\N{MINUS SIGN}",
    "**": "x\N{MODIFIER LETTER SMALL Y}",
    "neg": "\N{MINUS SIGN}x",
}


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


def heat_colour(grad: float) -> str:
    """The heat colour of a gradient, by decade of |grad|: 1e-4 blue to 1e4 red."""
    g = abs(grad)
    if g == 0.0:
        return _NO_GRAD
    if not math.isfinite(g):
        return _HEAT[-1]
    step = math.floor(math.log10(g) + 0.5) - _HEAT_LOW
    return _HEAT[min(max(step, 0), len(_HEAT) - 1)]


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
    try:
        format(1.0, fmt)
    except ValueError:
        raise ValueError(f"to_dot: fmt {fmt!r} is not a float format spec") from None
    if max_nodes is not None and max_nodes < 1:
        raise ValueError(f"to_dot: max_nodes must be >= 1 or None, got {max_nodes!r}")
    graphviz = _graphviz()
    roots = _values(root, "root")
    if not roots:
        raise ValueError("to_dot: no root Value given")
    param_names = {}
    if module is not None:
        named = list(module.named_parameters())
        param_names = {v: name for name, v in named}
        params = [*params, *(v for _, v in named)]
    scene = build(
        roots,
        params=params,
        param_names=param_names,
        highlight=_values(highlight, "highlight"),
        max_nodes=max_nodes,
    )
    writer = _Writer(
        graphviz,
        scene,
        rankdir=rankdir,
        fmt=fmt,
        show_grad=show_grad,
        show_edge_grads=show_edge_grads,
        heat=heat,
    )
    return writer.digraph(legend, max_nodes)


def to_svg(root: Value | Iterable[Value], **options: Any) -> str:
    """The graph below `root` as SVG text; takes the options of `to_dot`."""
    return _pipe(to_dot(root, **options), "svg").decode("utf-8")


def render(
    root: Value | Iterable[Value], path: str | os.PathLike[str], **options: Any
) -> Path:
    """Write the graph below `root` to `path` and return the path.

    The suffix picks the format: ``.svg`` (added when there is none), ``.png``,
    ``.pdf``, or ``.dot``/``.gv`` for the DOT source, or ``.html`` for the
    page to step through backward (options of `interactive`). Parent
    directories are created; the file appears complete or not at all. Takes
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
        data = dot.source.encode("utf-8") if kind in ("dot", "gv") else _pipe(dot, kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _pipe(dot: graphviz.Digraph, kind: str) -> bytes:
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


def _grad(v: Value) -> float:
    g = v.grad
    return g.data if isinstance(g, Value) else g


def _tooltip(text: str) -> str:
    # Graphviz reads backslash escapes in quoted strings; keep them literal.
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _cell(text: str, *, align: str = "LEFT", muted: bool = False) -> str:
    body = f'<FONT COLOR="{_MUTED}" POINT-SIZE="9">{text}</FONT>' if muted else text
    return f'<TD ALIGN="{align}">{body}</TD>'


def _table(
    title: str, rows: Sequence[tuple[str, str]], fill: str, border: str, width: int
) -> str:
    """An HTML-like label: a bold title over (name, number) rows; text pre-escaped."""
    lines = [
        f'<<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1" '
        f'STYLE="ROUNDED" COLOR="{border}" BGCOLOR="{fill}">'
    ]
    if title:
        lines.append(f'<TR><TD COLSPAN="2"><B>{title}</B></TD></TR>')
    for name, number in rows:
        if name:
            lines.append(
                f"<TR>{_cell(name, muted=True)}{_cell(number, align='RIGHT')}</TR>"
            )
        else:
            lines.append(f'<TR><TD COLSPAN="2">{number}</TD></TR>')
    lines.append("</TABLE>>")
    return "".join(lines)


class _Writer:
    """Turns a `Scene` into DOT: node statements per module box, then edges."""

    def __init__(
        self,
        graphviz: Any,
        scene: Scene,
        *,
        rankdir: str,
        fmt: str,
        show_grad: bool,
        show_edge_grads: bool,
        heat: bool,
    ) -> None:
        self.graphviz = graphviz
        self.scene = scene
        self.rankdir = rankdir
        self.fmt = fmt
        self.show_grad = show_grad
        self.show_edge_grads = show_edge_grads
        self.heat = heat
        self.any_highlight = any(scene.highlighted)
        self.members: dict[str, list[tuple[str, dict[str, str]]]] = {}
        # (tail, head, operand slot or -1 for merged edges) -> [label, count, hot]
        self.edges: dict[tuple[str, str, int], list[Any]] = {}
        self.roles_drawn: set[str] = set()

    def digraph(self, legend: bool, max_nodes: int | None) -> Any:
        """The finished Digraph."""
        g = self.graphviz.Digraph(
            "autograd",
            graph_attr={
                "rankdir": self.rankdir,
                "bgcolor": "white",
                "fontname": _FONT,
                "nodesep": "0.18",
                "ranksep": "0.3",
                "pad": "0.2",
            },
            node_attr={"fontname": _FONT, "fontsize": "10", "fontcolor": _INK},
            edge_attr={
                "fontname": _FONT,
                "fontsize": "9",
                "fontcolor": _MUTED,
                "color": _FADED if self.any_highlight else _EDGE,
                "arrowsize": "0.6",
            },
        )
        for i in range(len(self.scene.nodes)):
            self._node(i)
        self._summaries()
        self._emit(g, "", 0)
        for (tail, head, slot), (label, count, hot) in self.edges.items():
            attrs: dict[str, str] = {}
            if slot == -1:
                # Edges into summaries stand for `count` edges: thicker, not
                # labelled, since labels on hundreds of bundles swamp the layout.
                width = 1.0 + 0.6 * math.log10(count)
                attrs.update(
                    style="dashed",
                    penwidth=f"{width:.2f}",
                    tooltip=f"{count:,} edge{'s' if count > 1 else ''}",
                )
            elif label:
                attrs["label"] = f"<<I>{label}</I>>"
            if hot:
                attrs.update(color=_HIGHLIGHT, fontcolor=_HIGHLIGHT)
                attrs.setdefault("penwidth", "2")
            g.edge(tail, head, **attrs)
        if legend:
            g.node("legend", label=self._legend(max_nodes), shape="plain")
        return g

    def _add(self, container: str, node_id: str, **attrs: str) -> None:
        self.members.setdefault(container, []).append((node_id, attrs))

    def _edge(self, tail: str, head: str, slot: int, label: str, hot: bool) -> None:
        entry = self.edges.setdefault((tail, head, slot), [label, 0, False])
        entry[1] += 1
        entry[2] = entry[2] or hot

    def _node(self, i: int) -> None:
        scene = self.scene
        v = scene.nodes[i]
        unit = scene.unit_id(i)
        hot = scene.highlighted[i]
        if scene.folded[i] >= 0 and unit == f"v{i}":
            return  # drawn as part of the sum it folds into
        if unit != f"v{i}":
            # Hidden in a summary: only edges that cross into it are drawn.
            for parent in v.parents:
                j = scene.index[parent]
                source = scene.unit_id(j)
                if source != unit:
                    self._edge(source, unit, -1, "", hot and scene.highlighted[j])
            return
        container = scene.modules[i]
        role = scene.roles[i]
        self.roles_drawn.add(role)
        self._add(container, unit, **self._value_attrs(i, hot))
        if not v.op:
            return
        terms = scene.terms(i)
        op = OPS[v.op]
        symbol = _PRETTY.get(op.symbol, op.symbol)
        about = f"{op.name}: {op.doc}"
        if len(terms) > len(v.operands):
            symbol = "\N{GREEK CAPITAL LETTER SIGMA}"
            about = f"sum of {len(terms)} terms (a chain of additions, folded)"
        op_id = f"{unit}op"
        fill, border = _OP_COLOURS
        self._add(
            container,
            op_id,
            label=html.escape(symbol),
            shape="ellipse",
            style="filled",
            fillcolor=fill,
            color=_HIGHLIGHT if hot else border,
            penwidth="2" if hot else "1",
            fontsize="11",
            margin="0.04,0.01",
            width="0.3",
            height="0.22",
            tooltip=_tooltip(about),
        )
        self._edge(op_id, unit, 0, "", hot)
        for k, (p, d) in enumerate(terms):
            label = format(d, self.fmt) if self.show_edge_grads else ""
            if isinstance(p, Value):
                j = scene.index[p]
                source = scene.unit_id(j)
                # A summary stands for many nodes: its edges merge into a bundle.
                slot = k if source == f"v{j}" else -1
                self._edge(source, op_id, slot, label, hot and scene.highlighted[j])
            else:
                self.roles_drawn.add(CONSTANT)
                const_id = f"{unit}c{k}"
                self._add(container, const_id, **self._constant_attrs(p))
                # No gradient flows into a constant: its edge carries no derivative.
                self._edge(const_id, op_id, k, "", False)

    def _value_attrs(self, i: int, hot: bool) -> dict[str, str]:
        scene = self.scene
        v = scene.nodes[i]
        role = scene.roles[i]
        name = scene.names[i]
        fill, border = _ROLE_COLOURS[role]
        grad = _grad(v)
        rows = [("data", format(v.data, self.fmt))]
        if self.show_grad:
            rows.append(("grad", format(grad, self.fmt)))
        if self.heat:
            fill = heat_colour(grad)
        width = 2 if hot or self.heat or role in (OUTPUT, PARAMETER) else 1
        title = _relative(name, scene.modules[i])
        label = _table(
            html.escape(title), rows, fill, _HIGHLIGHT if hot else border, width
        )
        about = f"{name} ({role})" if name else role
        return {
            "label": label,
            "shape": "plain",
            "tooltip": _tooltip(f"{about}: data={v.data!r}, grad={grad!r}"),
        }

    def _constant_attrs(self, c: float) -> dict[str, str]:
        fill, border = _ROLE_COLOURS[CONSTANT]
        return {
            "label": format(c, self.fmt),
            "shape": "box",
            "style": "rounded,filled",
            "fillcolor": fill,
            "color": border,
            "fontsize": "9",
            "fontcolor": _MUTED,
            "margin": "0.04,0.01",
            "width": "0.2",
            "height": "0.18",
            "tooltip": _tooltip(f"constant {c!r}"),
        }

    def _summaries(self) -> None:
        """One node per collapsed module, the grouped inputs and the earlier nodes."""
        scene = self.scene
        groups: dict[str, list[int]] = {}
        for i, u in enumerate(scene.units):
            if u:
                groups.setdefault(u, []).append(i)
        for unit, members in groups.items():
            if unit == INPUTS_UNIT:
                title, container = "inputs", ""
            elif unit == EARLIER_UNIT:
                title, container = "earlier nodes", ""
            else:
                module = scene.module_order[int(unit[1:])]
                container = owner(module)
                title = _relative(module, container)
            self._add(container, unit, **self._summary_attrs(unit, title, members))

    def _summary_attrs(
        self, unit: str, title: str, members: list[int]
    ) -> dict[str, str]:
        scene = self.scene
        counts = dict.fromkeys(("ops", "params", "inputs"), 0)
        params = [i for i in members if scene.roles[i] == PARAMETER]
        for i in members:
            if scene.nodes[i].op:
                counts["ops"] += 1
            elif scene.roles[i] == PARAMETER:
                counts["params"] += 1
            else:
                counts["inputs"] += 1
        rows = [(k, f"{n:,}") for k, n in counts.items() if n]
        top = max((abs(_grad(scene.nodes[i])) for i in params or members), default=0.0)
        if self.show_grad:
            rows.append(("max |grad|", format(top, self.fmt)))
        if unit == EARLIER_UNIT:
            rows.append(("", "raise max_nodes to draw"))
        fill, border = _SUMMARY_COLOURS
        hot = any(scene.highlighted[i] for i in members)
        self.roles_drawn.add("summary")
        return {
            "label": _table(
                html.escape(title),
                rows,
                heat_colour(top) if self.heat else fill,
                _HIGHLIGHT if hot else border,
                2,
            ),
            "shape": "plain",
            "tooltip": _tooltip(f"{title}: {len(members):,} nodes collapsed"),
        }

    def _emit(self, g: Any, module: str, depth: int) -> int:
        """Write `module`'s nodes and its expanded submodules' boxes; count nodes."""
        scene = self.scene
        written = 0
        for node_id, attrs in self.members.get(module, []):
            g.node(node_id, **attrs)
            written += 1
        for k, child in enumerate(scene.module_order):
            if owner(child) != module or child in scene.collapsed:
                continue
            box = self.graphviz.Digraph(
                name=f"cluster_{k}",
                graph_attr={
                    "label": f"<<B>{html.escape(child)}</B>>",
                    "style": "rounded,filled",
                    "fillcolor": _CLUSTER_FILLS[depth % len(_CLUSTER_FILLS)],
                    "color": "#cbd5e1",
                    "fontcolor": _MUTED,
                    "fontsize": "10",
                    "labeljust": "l",
                    "tooltip": _tooltip(child),
                },
            )
            inside = self._emit(box, child, depth + 1)
            if inside:
                g.subgraph(box)
                written += inside
        return written

    def _legend(self, max_nodes: int | None) -> str:
        rows = []
        for role in ROLES:
            if role in self.roles_drawn:
                fill, border = _ROLE_COLOURS[role]
                rows.append(_swatch(fill, border, role))
        fill, border = _OP_COLOURS
        rows.append(_swatch(fill, border, "op"))
        if "summary" in self.roles_drawn:
            fill, border = _SUMMARY_COLOURS
            rows.append(_swatch(fill, border, "collapsed (summary)"))
        if self.show_edge_grads:
            rows.append(f"<TR><TD><I>0.5</I></TD>{_cell('edge: d(out)/d(in)')}</TR>")
        if self.any_highlight:
            rows.append(_swatch(_HIGHLIGHT, _HIGHLIGHT, "highlighted path"))
        if self.heat:
            stops = "".join(
                f'<TD BGCOLOR="{c}" WIDTH="12" HEIGHT="10"></TD>' for c in _HEAT
            )
            rows.append(
                f'<TR><TD COLSPAN="2"><TABLE BORDER="0" CELLSPACING="0">'
                f"<TR>{stops}</TR></TABLE></TD></TR>"
                f'<TR><TD COLSPAN="2"><FONT POINT-SIZE="8" COLOR="{_MUTED}">'
                f"|grad| 1e{_HEAT_LOW} … 1e{_HEAT_LOW + len(_HEAT) - 1}</FONT>"
                "</TD></TR>"
            )
        scene = self.scene
        total = len(scene.nodes)
        if scene.collapsed or any(scene.units):
            rows.append(
                f'<TR><TD COLSPAN="2"><FONT POINT-SIZE="8" COLOR="{_MUTED}">'
                f"{total:,} values drawn in {scene.drawn:,} nodes "
                f"(max_nodes={max_nodes})</FONT></TD></TR>"
            )
        return (
            '<<TABLE BORDER="1" COLOR="#e2e8f0" CELLBORDER="0" CELLSPACING="2" '
            'CELLPADDING="1" STYLE="ROUNDED">'
            '<TR><TD COLSPAN="2" ALIGN="LEFT"><B>legend</B></TD></TR>'
            + "".join(rows)
            + "</TABLE>>"
        )


def _relative(name: str, module: str) -> str:
    """`name` as seen inside `module`'s box, which already shows the prefix."""
    return name[len(module) + 1 :] if module and name.startswith(module + ".") else name


def _swatch(fill: str, border: str, text: str) -> str:
    return (
        f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" WIDTH="18" '
        f'HEIGHT="10"></TD>{_cell(text)}</TR>'
    )
