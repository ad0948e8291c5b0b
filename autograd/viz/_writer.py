"""The scene as DOT: a box per value, an ellipse per op, an edge per operand.

Values are rounded boxes with their label, data and grad, coloured by role;
ops are small ellipses; each edge into an op carries the local derivative;
modules are clusters; a legend says what the colours mean.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

from autograd._numbers import number
from autograd.core import Value
from autograd.viz._scene import (
    CONSTANT,
    EARLIER_UNIT,
    INPUTS_UNIT,
    OUTPUT,
    PARAMETER,
    ROLES,
    Scene,
    natural,
    owner,
)
from autograd.viz._style import (
    CLUSTER_FILLS,
    EDGE,
    FADED,
    FONT,
    HEAT,
    HEAT_LOW,
    HIGHLIGHT,
    INK,
    MUTED,
    OP_COLOURS,
    PRETTY,
    ROLE_COLOURS,
    SUMMARY_COLOURS,
    heat_colour,
)
from autograd.viz._text import TOOLTIP_LIMIT, cut, html_text, quoted

__all__ = ["Writer"]


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
        body = f'<FONT COLOR="{MUTED}" POINT-SIZE="9">{body}</FONT>'
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


class Writer:
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
            fontname=FONT,
            nodesep="0.18",
            ranksep="0.3",
            pad="0.2",
        )
        node = _plain(fontname=FONT, fontsize="10", fontcolor=INK)
        edge = _plain(
            fontname=FONT,
            fontsize="9",
            fontcolor=MUTED,
            color=FADED if self.any_highlight else EDGE,
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
                attrs.update(_plain(color=HIGHLIGHT, fontcolor=HIGHLIGHT))
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
        symbol = PRETTY.get(row.symbol, row.symbol)
        about = f"{cut(row.name, TOOLTIP_LIMIT)}: {cut(row.doc, TOOLTIP_LIMIT)}"
        if len(terms) > len(v.operands):
            symbol = "\N{GREEK CAPITAL LETTER SIGMA}"
            about = f"sum of {len(terms)} terms (a chain of additions, folded)"
        op_id = f"{unit}op"
        fill, border = OP_COLOURS
        self._add(
            container,
            op_id,
            _plain(
                label=cut(symbol, 12),
                shape="ellipse",
                style="filled",
                fillcolor=fill,
                color=HIGHLIGHT if hot else border,
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
        fill, border = ROLE_COLOURS[role]
        grad = _grad(v)
        rows = [("data", self.number(v._data))]
        if self.show_grad:
            rows.append(("grad", self.number(grad)))
        if self.heat:
            fill = heat_colour(grad)
        width = 2 if hot or self.heat or role in (OUTPUT, PARAMETER) else 1
        title = cut(_relative(name, scene.modules[i]))
        label = _table(title, rows, fill, HIGHLIGHT if hot else border, width)
        about = f"{cut(name, TOOLTIP_LIMIT)} ({role})" if name else role
        return {
            "label": label,
            **_plain(
                shape="plain", tooltip=f"{about}: data={v._data!r}, grad={grad!r}"
            ),
        }

    def _constant_attrs(self, c: float) -> dict[str, str]:
        fill, border = ROLE_COLOURS[CONSTANT]
        return _plain(
            label=self.number(c),
            shape="box",
            style="rounded,filled",
            fillcolor=fill,
            color=border,
            fontsize="9",
            fontcolor=MUTED,
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
        fill, border = SUMMARY_COLOURS
        hot = any(scene.highlighted[i] for i in members)
        self.roles_drawn.add("summary")
        label = _table(
            cut(title),
            rows,
            heat_colour(top) if self.heat else fill,
            HIGHLIGHT if hot else border,
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
                    fillcolor=CLUSTER_FILLS[depth % len(CLUSTER_FILLS)],
                    color="#cbd5e1",
                    fontcolor=MUTED,
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
                fill, border = ROLE_COLOURS[role]
                rows.append(_swatch(fill, border, role))
        fill, border = OP_COLOURS
        rows.append(_swatch(fill, border, "op"))
        if "summary" in self.roles_drawn:
            fill, border = SUMMARY_COLOURS
            rows.append(_swatch(fill, border, "collapsed (summary)"))
        if self.show_edge_grads:
            rows.append(f"<TR><TD><I>0.5</I></TD>{_cell('edge: d(out)/d(in)')}</TR>")
        if self.any_highlight:
            rows.append(_swatch(HIGHLIGHT, HIGHLIGHT, "highlighted path"))
        if self.heat:
            stops = "".join(
                f'<TD BGCOLOR="{c}" WIDTH="12" HEIGHT="10"></TD>' for c in HEAT
            )
            rows.append(
                f'<TR><TD COLSPAN="2"><TABLE BORDER="0" CELLSPACING="0">'
                f"<TR>{stops}</TR></TABLE></TD></TR>"
                + _note(f"|grad| 1e{HEAT_LOW} … 1e{HEAT_LOW + len(HEAT) - 1}")
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
        f'<TR><TD COLSPAN="2"><FONT POINT-SIZE="8" COLOR="{MUTED}">'
        f"{html_text(text)}</FONT></TD></TR>"
    )
