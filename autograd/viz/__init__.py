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

import itertools
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from autograd._files import write_atomically
from autograd._numbers import number
from autograd.engine import Value
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
    natural,
    owner,
)
from autograd.viz._text import (
    TOOLTIP_LIMIT,
    check_number_format,
    cut,
    html_text,
    quoted,
)
from autograd.viz.stepper import StepThrough, interactive, to_html

if TYPE_CHECKING:
    import graphviz

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
    check_number_format(fmt, "to_dot")
    _check_max_nodes(max_nodes, "to_dot")
    roots = _values(root, "root")
    if not roots:
        raise ValueError("to_dot: no root Value given")
    params, param_names = _names(module, params)
    scene = build(
        roots,
        params=params,
        param_names=param_names,
        highlight=_values(highlight, "highlight"),
        max_nodes=max_nodes,
    )
    writer = _Writer(
        scene,
        rankdir=rankdir,
        fmt=fmt,
        show_grad=show_grad,
        show_edge_grads=show_edge_grads,
        heat=heat,
    )
    return _digraph(writer.lines(legend, max_nodes))


def _digraph(lines: list[str]) -> graphviz.Digraph:
    """A `graphviz.Digraph` of DOT statements (from `_Writer.lines`)."""
    return _graphviz().Digraph("autograd", body=lines)


def _names(
    module: HasNamedParameters | None, params: Iterable[Value]
) -> tuple[list[Value], dict[Value, str]]:
    """The parameters to mark, and the names `module` gives them."""
    if module is None:
        return list(params), {}
    named = list(module.named_parameters())
    return [*params, *(v for _, v in named)], {v: name for name, v in named}


def to_svg(root: Value | Iterable[Value], **options: Any) -> str:
    """The graph below `root` as SVG text; takes the options of `to_dot`."""
    return _pipe(to_dot(root, **options), "svg").decode("utf-8")


def _check_max_nodes(max_nodes: object, where: str) -> None:
    if max_nodes is not None and (
        not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1
    ):
        raise ValueError(
            f"{where}: max_nodes must be an int >= 1 or None, got {max_nodes!r}"
        )


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
    _check_max_nodes(max_nodes, "set_notebook")
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
        data = dot.source.encode("utf-8") if kind in ("dot", "gv") else _pipe(dot, kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, data)
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
    return g._data if isinstance(g, Value) else g


# -- DOT text: attribute values come from `quoted` or the HTML builders below --


def _attrs(attrs: dict[str, str]) -> str:
    """A DOT attribute list of values already written by `quoted` or as HTML."""
    return " ".join(f"{key}={value}" for key, value in attrs.items())


def _plain(**attrs: str) -> dict[str, str]:
    """Attribute values as DOT quoted strings."""
    return {key: quoted(value) for key, value in attrs.items()}


def _cell(text: str, *, align: str = "LEFT", muted: bool = False) -> str:
    body = html_text(text)
    if muted:
        body = f'<FONT COLOR="{_MUTED}" POINT-SIZE="9">{body}</FONT>'
    return f'<TD ALIGN="{align}">{body}</TD>'


def _table(
    title: str, rows: Sequence[tuple[str, str]], fill: str, border: str, width: int
) -> str:
    """An HTML-like label: a bold title over (name, text) rows, escaped here."""
    lines = [
        f'<<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1" '
        f'STYLE="ROUNDED" COLOR="{border}" BGCOLOR="{fill}">'
    ]
    if title:
        lines.append(f'<TR><TD COLSPAN="2"><B>{html_text(title)}</B></TD></TR>')
    for name, text in rows:
        if name:
            lines.append(
                f"<TR>{_cell(name, muted=True)}{_cell(text, align='RIGHT')}</TR>"
            )
        else:
            lines.append(f'<TR><TD COLSPAN="2">{html_text(text)}</TD></TR>')
    lines.append("</TABLE>>")
    return "".join(lines)


class _Writer:
    """Turns a `Scene` into DOT statements: nodes per module box, then edges."""

    def __init__(
        self,
        scene: Scene,
        *,
        rankdir: str,
        fmt: str,
        show_grad: bool,
        show_edge_grads: bool,
        heat: bool,
        edge_text: Callable[[int, int], str] | None = None,
    ) -> None:
        """`edge_text(node, slot)`, if given, labels the edge of that operand."""
        self.scene = scene
        self.edge_text = edge_text
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
        self.order: list[tuple[str, str]] = []

    def number(self, x: float) -> str:
        """`x` as the picture shows it."""
        return number(x, self.fmt)

    def lines(self, legend: bool, max_nodes: int | None) -> list[str]:
        """The DOT statements of the graph's body, one per line."""
        graph = _plain(
            rankdir=self.rankdir,
            # The last pass of crossing reduction would undo the order of boxes.
            remincross="false",
            bgcolor="white",
            fontname=_FONT,
            nodesep="0.18",
            ranksep="0.3",
            pad="0.2",
        )
        node = _plain(fontname=_FONT, fontsize="10", fontcolor=_INK)
        edge = _plain(
            fontname=_FONT,
            fontsize="9",
            fontcolor=_MUTED,
            color=_FADED if self.any_highlight else _EDGE,
            arrowsize="0.6",
        )
        out = [
            f"\tgraph [{_attrs(graph)}]\n",
            f"\tnode [{_attrs(node)}]\n",
            f"\tedge [{_attrs(edge)}]\n",
        ]
        for i in range(len(self.scene.nodes)):
            self._node(i)
        self._summaries()
        self._emit(out, "", 0)
        hidden = _attrs(_plain(style="invis", constraint="false"))
        out.extend(f"\t{a} -> {b} [{hidden}]\n" for a, b in self.order)
        for (tail, head, slot), (label, count, hot) in self.edges.items():
            attrs: dict[str, str] = {}
            if slot == -1:
                # Edges into summaries stand for `count` edges: thicker, not
                # labelled, since labels on hundreds of bundles swamp the layout.
                width = 1.0 + 0.6 * math.log10(count)
                attrs = _plain(
                    style="dashed",
                    penwidth=f"{width:.2f}",
                    tooltip=f"{count:,} edge{'s' if count > 1 else ''}",
                )
            elif label:
                attrs["label"] = f"<<I>{html_text(label)}</I>>"
            if hot:
                attrs.update(_plain(color=_HIGHLIGHT, fontcolor=_HIGHLIGHT))
                attrs.setdefault("penwidth", quoted("2"))
            listed = f" [{_attrs(attrs)}]" if attrs else ""
            out.append(f"\t{tail} -> {head}{listed}\n")
        if legend:
            attrs = {"label": self._legend(max_nodes), **_plain(shape="plain")}
            out.append(f"\tlegend [{_attrs(attrs)}]\n")
        return out

    def _add(self, container: str, node_id: str, attrs: dict[str, str]) -> None:
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
        self._add(container, unit, self._value_attrs(i, hot))
        row = v._row
        if row is None:
            return
        terms = scene.terms(i)
        # The node's own row, never one looked up by name: a user's op is drawn too.
        symbol = _PRETTY.get(row.symbol, row.symbol)
        about = f"{cut(row.name, TOOLTIP_LIMIT)}: {cut(row.doc, TOOLTIP_LIMIT)}"
        if len(terms) > len(v.operands):
            symbol = "\N{GREEK CAPITAL LETTER SIGMA}"
            about = f"sum of {len(terms)} terms (a chain of additions, folded)"
        op_id = f"{unit}op"
        fill, border = _OP_COLOURS
        self._add(
            container,
            op_id,
            _plain(
                label=cut(symbol, 12),
                shape="ellipse",
                style="filled",
                fillcolor=fill,
                color=_HIGHLIGHT if hot else border,
                penwidth="2" if hot else "1",
                fontsize="11",
                margin="0.04,0.01",
                width="0.3",
                height="0.22",
                tooltip=about,
            ),
        )
        self._edge(op_id, unit, 0, "", hot)
        for k, ((p, d), (link, operand)) in enumerate(
            zip(terms, scene.sources(i), strict=True)
        ):
            label = self.number(d) if self.show_edge_grads else ""
            if self.edge_text is not None:
                label = self.edge_text(link, operand)
            if isinstance(p, Value):
                j = scene.index[p]
                source = scene.unit_id(j)
                # A summary stands for many nodes: its edges merge into a bundle.
                slot = k if source == f"v{j}" else -1
                self._edge(source, op_id, slot, label, hot and scene.highlighted[j])
            else:
                self.roles_drawn.add(CONSTANT)
                const_id = f"{unit}c{k}"
                self._add(container, const_id, self._constant_attrs(p))
                # No gradient flows into a constant: its edge carries no derivative.
                self._edge(const_id, op_id, k, "", False)

    def _value_attrs(self, i: int, hot: bool) -> dict[str, str]:
        scene = self.scene
        v = scene.nodes[i]
        role = scene.roles[i]
        name = scene.names[i]
        fill, border = _ROLE_COLOURS[role]
        grad = _grad(v)
        rows = [("data", self.number(v._data))]
        if self.show_grad:
            rows.append(("grad", self.number(grad)))
        if self.heat:
            fill = heat_colour(grad)
        width = 2 if hot or self.heat or role in (OUTPUT, PARAMETER) else 1
        title = cut(_relative(name, scene.modules[i]))
        label = _table(title, rows, fill, _HIGHLIGHT if hot else border, width)
        about = f"{cut(name, TOOLTIP_LIMIT)} ({role})" if name else role
        return {
            "label": label,
            **_plain(
                shape="plain", tooltip=f"{about}: data={v._data!r}, grad={grad!r}"
            ),
        }

    def _constant_attrs(self, c: float) -> dict[str, str]:
        fill, border = _ROLE_COLOURS[CONSTANT]
        return _plain(
            label=self.number(c),
            shape="box",
            style="rounded,filled",
            fillcolor=fill,
            color=border,
            fontsize="9",
            fontcolor=_MUTED,
            margin="0.04,0.01",
            width="0.2",
            height="0.18",
            tooltip=f"constant {c!r}",
        )

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
            self._add(container, unit, self._summary_attrs(unit, title, members))

    def _summary_attrs(
        self, unit: str, title: str, members: list[int]
    ) -> dict[str, str]:
        scene = self.scene
        counts = dict.fromkeys(("ops", "params", "inputs"), 0)
        params = [i for i in members if scene.roles[i] == PARAMETER]
        for i in members:
            if scene.nodes[i]._row is not None:
                counts["ops"] += 1
            elif scene.roles[i] == PARAMETER:
                counts["params"] += 1
            else:
                counts["inputs"] += 1
        rows = [(k, f"{n:,}") for k, n in counts.items() if n]
        top = max((abs(_grad(scene.nodes[i])) for i in params or members), default=0.0)
        if self.show_grad:
            rows.append(("max |grad|", self.number(top)))
        if unit == EARLIER_UNIT:
            rows.append(("", "raise max_nodes to draw"))
        fill, border = _SUMMARY_COLOURS
        hot = any(scene.highlighted[i] for i in members)
        self.roles_drawn.add("summary")
        label = _table(
            cut(title),
            rows,
            heat_colour(top) if self.heat else fill,
            _HIGHLIGHT if hot else border,
            2,
        )
        tooltip = f"{cut(title, TOOLTIP_LIMIT)}: {len(members):,} nodes collapsed"
        return {"label": label, **_plain(shape="plain", tooltip=tooltip)}

    def _emit(self, out: list[str], module: str, depth: int) -> list[str]:
        """Write `module`'s nodes and its expanded submodules' boxes; return the ids."""
        scene = self.scene
        indent = "\t" * (depth + 1)
        written = []
        for node_id, attrs in self.members.get(module, []):
            out.append(f"{indent}{node_id} [{_attrs(attrs)}]\n")
            written.append(node_id)
        children = sorted(
            (
                (k, child)
                for k, child in enumerate(scene.module_order)
                if owner(child) == module
            ),
            key=lambda kc: natural(kc[1]),
        )
        summaries = []  # collapsed submodules' nodes, in natural order
        firsts = []  # one node of each expanded submodule, in natural order
        for k, child in children:
            if child in scene.collapsed:
                summary = scene.module_id(child)
                if summary in written:
                    summaries.append(summary)
                continue
            inner: list[str] = []
            inside = self._emit(inner, child, depth + 1)
            if not inside:
                continue
            box = {
                "label": f"<<B>{html_text(cut(child))}</B>>",
                **_plain(
                    style="rounded,filled",
                    fillcolor=_CLUSTER_FILLS[depth % len(_CLUSTER_FILLS)],
                    color="#cbd5e1",
                    fontcolor=_MUTED,
                    fontsize="10",
                    labeljust="l",
                    tooltip=cut(child, TOOLTIP_LIMIT),
                ),
            }
            out.append(f"{indent}subgraph cluster_{k} {{\n")
            out.append(f"{indent}\tgraph [{_attrs(box)}]\n")
            out.extend(inner)
            out.append(f"{indent}}}\n")
            written.extend(inside)
            firsts.append(inside[0])
        # dot reorders nodes of a rank to shorten edges; keep neurons.0,
        # neurons.1, ... in natural order: summaries side by side in one rank
        # joined by invisible edges, boxes by invisible edges that leave
        # ranks alone.
        if self.rankdir == "LR":
            # dot orders a rank left to right, then turns LR pictures so that
            # left becomes bottom: the first neuron goes last to end on top.
            summaries.reverse()
            firsts.reverse()
        if len(summaries) > 1:
            chain = " -> ".join(summaries)
            hidden = _attrs(_plain(style="invis"))
            out.append(f"{indent}{{rank=same {chain} [{hidden}]}}\n")
        self.order.extend(itertools.pairwise(firsts))
        return written

    def _legend(self, max_nodes: int | None) -> str:
        """The legend's HTML-like label (fixed text, numbers formatted here)."""
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
                + _note(f"|grad| 1e{_HEAT_LOW} … 1e{_HEAT_LOW + len(_HEAT) - 1}")
            )
        scene = self.scene
        total = len(scene.nodes)
        if scene.collapsed or any(scene.units):
            rows.append(
                _note(
                    f"{total:,} values drawn in {scene.drawn:,} nodes "
                    f"(max_nodes={max_nodes})"
                )
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


def _note(text: str) -> str:
    return (
        f'<TR><TD COLSPAN="2"><FONT POINT-SIZE="8" COLOR="{_MUTED}">'
        f"{html_text(text)}</FONT></TD></TR>"
    )
