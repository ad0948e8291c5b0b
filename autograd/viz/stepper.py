"""Step through a graph in a browser: forward values first, then backward, edge by edge.

`to_html(root)` is one self-contained HTML page (the graph as inline SVG from
`dot`, a small script, no network); ``render(root, "graph.html")`` writes it,
and `interactive(root)` shows the same view inline in Jupyter. First each
value is computed in forward order (its edges show their local derivatives
as they are computed, with each rule and its numbers), then `root.grad` is
seeded with 1, then each edge of backward (in the order `autograd.explain`
gives, which is backward's own) shows upstream x local on the edge and adds
it to the parent's grad.

Controls: Prev/Next, a slider and a step number to jump, and keys (shown on
the page): arrows step (with Shift, ten steps), Home/End, ``+``/``-`` zoom,
``0`` fits the graph, ``o`` opens the module of the current step, Escape
closes it. The view follows the current node: it scrolls (and zooms out if
needed) to keep it, highlighted, in sight.

A graph too big to draw whole collapses into modules as the SVG picture does
(`autograd.viz.DEFAULT_MAX_NODES` drawn nodes): the page steps through a
collapsed module in one step, and opening it (a click on its box, or ``o``)
shows a drawing with that module expanded, stepping through its nodes. Each
such drawing is laid out by `dot` when the page is built.

Nodes are named in the page as the drawing names them: by label or parameter
name, else by the op's symbol and the module box they sit in. Zeros print
as 0, never -0 (`autograd._numbers.number`).

User text reaches the page in two ways only: inside the SVG, escaped by the
DOT writer and `dot`; and in a JSON block that the script reads as data and
writes with ``textContent``, never as markup.
"""

from __future__ import annotations

import heapq
import html
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from autograd._numbers import number
from autograd.core import Value, leaf
from autograd.explain import Explanation, explain, local_rule
from autograd.viz._dot import (
    DEFAULT_MAX_NODES,
    check_max_nodes,
    digraph,
    parameter_names,
    pipe,
)
from autograd.viz._page import KEYS, SCRIPT, STYLE, slim
from autograd.viz._scene import (
    EARLIER_UNIT,
    INPUTS_UNIT,
    PARAMETER_MARK,
    Scene,
    build,
    natural,
    owner,
)
from autograd.viz._style import PRETTY
from autograd.viz._text import check_number_format, cut, drawable
from autograd.viz._writer import Writer

__all__ = ["MAX_VALUES", "StepThrough", "interactive", "to_html"]

MAX_VALUES: Final = 1500
"""The most values a page steps through by default (None: no limit)."""


def _full(x: float) -> str:
    """A number in full (repr round-trips the float); a zero as 0, never -0.0."""
    return "0" if x == 0.0 else repr(x)


def _pair(x: float, fmt: str) -> list[str]:
    """A number as the picture shows it and in full."""
    return [number(x, fmt), _full(x)]


@dataclass
class _View:
    """One drawing of the graph: which modules are collapsed, and its SVG."""

    scene: Scene
    up: int
    title: str
    opens: dict[str, int] = field(default_factory=dict)
    svg: str = ""


def _drawn_summaries(scene: Scene) -> list[str]:
    """The summary ids a drawing shows, in order of first member."""
    return list(dict.fromkeys(u for u in scene.units if u))


def _views(
    draw: Callable[[set[str] | None], Scene], max_nodes: int | None
) -> list[_View]:
    """The overview, then one view per module that can be opened.

    Opening a module expands it with everything inside it; if that is more
    than `max_nodes` drawn nodes, its submodules stay collapsed, and each of
    them opens in a view of its own (made from this one). A module's box
    opens its view wherever it is drawn.
    """
    views = [_View(draw(None), -1, "")]
    by_module: dict[str, int] = {}
    k = 0
    while k < len(views):
        scene, title = views[k].scene, views[k].title
        for module in _drawn_modules(scene):
            if module in by_module or not (not title or module.startswith(title + ".")):
                continue
            inside = {m for m in scene.collapsed if m.startswith(module + ".")}
            opened = scene.collapsed - inside - {module}
            shown = draw(opened)
            if max_nodes is not None and shown.drawn > max_nodes:
                children = {m for m in scene.module_order if owner(m) == module}
                shown = draw((scene.collapsed - {module}) | children)
            by_module[module] = len(views)
            views.append(_View(shown, k, module))
        k += 1
    for view in views:
        for module in _drawn_modules(view.scene):
            if module in by_module:
                view.opens[view.scene.module_id(module)] = by_module[module]
    return views


def _drawn_modules(scene: Scene) -> list[str]:
    """The collapsed modules a drawing shows as summaries."""
    drawn = set(scene.units)
    return [
        m
        for m in scene.module_order
        if m in scene.collapsed and scene.module_id(m) in drawn
    ]


def _display_names(scene: Scene, symbols: dict[str, str]) -> list[tuple[str, str]]:
    """(name, short name) of each node, as the drawing shows it.

    A label or parameter name as drawn; else the op's symbol (Σ for a folded
    sum, 'input' for a leaf) and, in the long name, the module box it is in.
    """
    found = []
    for i, v in enumerate(scene.nodes):
        name = scene.names[i]
        if name:
            found.append((name, name))
            continue
        row = v._row
        if row is None:
            short = "input"
        elif scene.folded[i] >= 0 or len(scene.sources(i)) > len(v.operands):
            short = "\N{GREEK CAPITAL LETTER SIGMA}"  # drawn as (part of) a sum
        else:
            short = symbols.get(row.symbol, row.symbol)
        module = scene.modules[i]
        found.append((f"{short} in {module}" if module else short, short))
    return found


def _model(
    steps: Explanation, views: list[_View], symbols: dict[str, str], fmt: str
) -> dict[str, Any]:
    """What the script needs, by position in forward order (the SVG's ``v<i>``)."""
    scene = views[0].scene
    nodes_ = scene.nodes
    names = _display_names(scene, symbols)
    nodes = []
    for i, v in enumerate(nodes_):
        data = number(v._data, fmt)
        name, _ = names[i]
        if v._row is None:
            what = f"{name} = {data} (a leaf: given, not computed)"
        else:
            args = ", ".join(
                names[scene.index[p]][1] if isinstance(p, Value) else number(p, fmt)
                for p in v.operands
            )
            what = f"{name} = {v.op}({args}) = {data}"
        rules = [
            str(local_rule(v, slot, fmt)) if isinstance(p, Value) else ""
            for slot, p in enumerate(v.operands)
        ]
        where = "" if scene.names[i] else scene.modules[i]
        nodes.append(
            {
                "name": name,
                "short": names[i][1],
                "where": where,
                "data": data,
                "what": what,
                "rules": rules,
            }
        )
    position = {v: i for i, v in enumerate(steps.names)}
    edges: list[list[Any]] = []
    for s in steps:
        i, j = position[s.node], position[s.parent]
        numbers = (s.upstream, s.local, s.product, s.running_sum)
        edges.append(
            [i, j, s.slot, _rank(scene, i, s.slot)]
            + [text for x in numbers for text in _pair(x, fmt)]
        )
    modules = {}
    for view in views:
        for u in _drawn_summaries(view.scene):
            modules[u] = _summary_title(view.scene, u)
    return {
        "nodes": nodes,
        "steps": edges,
        "root": position[steps.root],
        "seed": _pair(1.0, fmt),
        "folded": scene.folded,
        "forward": _forward_order(scene),
        "modules": modules,
        "views": [_view_model(view) for view in views],
    }


def _forward_order(scene: Scene) -> list[int]:
    """The order the page computes values in: one module after another.

    Any order with each value after its operands computes the same numbers;
    this one takes, of the values ready, the one in the first module (in
    natural order of module names, values outside every module last; a leaf
    outside them goes with its first user), so a module's values are
    computed in one run and step together when it is collapsed.
    """
    n = len(scene.nodes)
    modules = sorted({m for m in scene.modules if m}, key=natural)
    place = {m: k for k, m in enumerate(modules)}
    key = [place.get(m, len(modules)) for m in scene.modules]
    users: list[list[int]] = [[] for _ in range(n)]
    waiting = [0] * n
    for i, v in enumerate(scene.nodes):
        for p in v.parents:
            users[scene.index[p]].append(i)
            waiting[i] += 1
    for i in range(n - 1, -1, -1):
        if scene.nodes[i]._row is None and not scene.modules[i] and users[i]:
            key[i] = min(key[u] for u in users[i])
    ready = [(key[i], i) for i in range(n) if not waiting[i]]
    heapq.heapify(ready)
    order = []
    while ready:
        _, i = heapq.heappop(ready)
        order.append(i)
        for u in users[i]:
            waiting[u] -= 1
            if not waiting[u]:
                heapq.heappush(ready, (key[u], u))
    return order


def _rank(scene: Scene, i: int, slot: int) -> int:
    """Which of the drawn edges from the same value into the same op this is.

    ``a + a`` draws two edges with one title, in slot order; so does a
    folded sum that adds the same value twice.
    """
    head = scene.folded[i] if scene.folded[i] >= 0 else i
    sources = scene.sources(head)
    if (i, slot) not in sources:
        return 0  # the running sum inside a folded sum: not drawn
    parent = scene.nodes[i].operands[slot]
    before = sources[: sources.index((i, slot))]
    return sum(1 for k, s in before if scene.nodes[k].operands[s] is parent)


def _summary_title(scene: Scene, unit: str) -> str:
    if unit == INPUTS_UNIT:
        return "the inputs"
    if unit == EARLIER_UNIT:
        return "the earlier nodes"
    return scene.module_order[int(unit[1:])]


def _view_model(view: _View) -> dict[str, Any]:
    """A drawing's summaries and, per node, which one holds it (0: none)."""
    summaries = _drawn_summaries(view.scene)
    number_of = {u: k + 1 for k, u in enumerate(summaries)}
    return {
        "units": [number_of.get(u, 0) for u in view.scene.units],
        "summaries": summaries,
        "opens": view.opens,
        "up": view.up,
        "title": view.title,
    }


def _json(data: object) -> str:
    """JSON safe inside a script element: no '<', '>' or '&' can end it early."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _copy(steps: Explanation) -> dict[Value, Value]:
    """A copy of each node of the explained graph holding its final gradient."""
    copy: dict[Value, Value] = {}
    for v in steps.names:  # forward order: operands are copied first
        c = leaf(v._data)
        c.label, c.grad = v.label, steps.grads[v]
        c._row, c._d0, c._d1 = v._row, v._d0, v._d1
        c._p0 = copy[v._p0] if isinstance(v._p0, Value) else v._p0
        c._p1 = copy[v._p1] if isinstance(v._p1, Value) else v._p1
        if getattr(v, PARAMETER_MARK, False) is True:
            vars(c)[PARAMETER_MARK] = True  # so the copy is drawn as v is
        copy[v] = c
    return copy


class _Named:
    """A module's named parameters, as the copies of a graph's nodes."""

    def __init__(self, module: Any, copy: dict[Value, Value]) -> None:
        self.pairs = [(name, copy.get(p, p)) for name, p in module.named_parameters()]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, parameter) pairs, each parameter its copy in the graph."""
        return self.pairs


class StepThrough:
    """A graph to step through: `html` is the page, and Jupyter shows it inline."""

    def __init__(
        self,
        root: Value | Iterable[Value],
        *,
        params: Iterable[Value] = (),
        module: Any = None,
        rankdir: str = "LR",
        fmt: str = ".4g",
        legend: bool = True,
        max_values: int | None = MAX_VALUES,
        max_nodes: int | None = None,
    ) -> None:
        """Explain `root`'s backward and draw its graph (see `interactive`)."""
        if not isinstance(root, Value):
            raise TypeError(
                f"interactive: steps through the backward pass of one Value, "
                f"got {type(root).__name__}"
            )
        if rankdir not in ("LR", "TB", "RL", "BT"):
            raise ValueError(
                "interactive: rankdir must be 'LR', 'TB', 'RL' or 'BT', "
                f"got {rankdir!r}"
            )
        check_number_format(fmt, "interactive")
        check_max_nodes(max_nodes, "interactive")
        budget = DEFAULT_MAX_NODES if max_nodes is None else max_nodes
        steps = explain(root)
        if max_values is not None and len(steps.names) > max_values:
            raise ValueError(
                f"interactive: the graph has {len(steps.names):,} values "
                f"(max_values={max_values}); pass max_values=None to build the "
                "page anyway, or print autograd.explain(root) for the table"
            )
        # Drawn from a copy holding the final gradients, so that every box is
        # laid out wide enough for the numbers the steps will write into it.
        copy = _copy(steps)
        marked, param_names = parameter_names(
            None if module is None else _Named(module, copy),
            [copy.get(p, p) for p in params],
        )

        def draw(collapsed: set[str] | None) -> Scene:
            return build(
                [copy[root]],
                params=marked,
                param_names=param_names,
                highlight=(),
                max_nodes=budget,
                collapsed=collapsed,
            )

        views = _views(draw, budget)
        scene = views[0].scene
        position = {v: i for i, v in enumerate(steps.names)}
        if [position[v] for v in steps.names] != [
            scene.index[copy[v]] for v in steps.names
        ]:
            raise RuntimeError("interactive: the drawing's order is not explain's")
        # Each edge is laid out with the widest text it will show, upstream x
        # local = product, so that no text written into it later overlaps a shape.
        widest = {
            (position[s.node], s.slot): (
                f"{number(s.upstream, fmt)} \N{MULTIPLICATION SIGN} "
                f"{number(s.local, fmt)} = {number(s.product, fmt)}"
            )
            for s in steps
        }
        for view in views:
            writer = Writer(
                view.scene,
                rankdir=rankdir,
                fmt=fmt,
                show_grad=True,
                show_edge_grads=True,
                heat=False,
                edge_text=lambda k, slot: widest.get((k, slot), ""),
            )
            lines = writer.lines(legend, budget)
            view.svg = slim(pipe(digraph(lines), "svg").decode("utf-8"))
        self.explanation = steps
        """The steps the page walks through (`autograd.explain`)."""
        self._views = views
        self._model = _json(_model(steps, views, PRETTY, fmt))

    def fragment(self, *, page_keys: bool = False) -> str:
        """The view as an HTML fragment; `page_keys` lets keys work anywhere."""
        keys = ' data-ag-keys="page"' if page_keys else ""
        columns = (
            ("node", "node"),
            ("parent", "parent"),
            ("upstream", "upstream = d(root)/d(node)"),
            ("local", "local = d(node)/d(parent)"),
            ("product", "upstream \N{MULTIPLICATION SIGN} local"),
            ("sum", "parent.grad so far"),
        )
        head = "".join(f"<th>{title}</th>" for _, title in columns)
        cells = "".join(f'<td data-ag="{key}"></td>' for key, _ in columns)
        drawings = "".join(
            f'<div class="ag-view" data-view="{k}" hidden>{view.svg}</div>'
            for k, view in enumerate(self._views)
        )
        return (
            f'<div class="ag-stepper" tabindex="0"{keys}>'
            f"<style>{STYLE}</style>"
            '<div class="ag-bar">'
            '<button type="button" data-ag="prev">&#9664; Prev</button>'
            '<button type="button" data-ag="next">Next &#9654;</button>'
            '<input type="range" min="0" value="0" data-ag="slider" '
            'aria-label="step">'
            '<input type="number" min="0" value="0" data-ag="jump" '
            'aria-label="go to step">'
            '<span class="ag-counter" data-ag="counter"></span>'
            '<b data-ag="phase"></b></div>'
            '<div class="ag-bar">'
            '<button type="button" data-ag="zoomout" title="zoom out">&minus;</button>'
            '<button type="button" data-ag="zoomin" title="zoom in">+</button>'
            '<button type="button" data-ag="fit">fit</button>'
            '<button type="button" data-ag="close" hidden>&#9650; close module</button>'
            '<span data-ag="where"></span></div>'
            f'<div class="ag-keys">{html.escape(KEYS)}</div>'
            '<div class="ag-what" data-ag="what"></div>'
            '<div class="ag-rule" data-ag="rule"></div>'
            '<table class="ag-edge-table" data-ag="edge">'
            f"<tr>{head}</tr><tr>{cells}</tr></table>"
            f'<div class="ag-graph" data-ag="graph">{drawings}</div>'
            f'<script type="application/json" class="ag-model">{self._model}</script>'
            f"<script>{SCRIPT}</script></div>"
        )

    @property
    def html(self) -> str:
        """The whole page: one self-contained HTML document."""
        # A label may hold NUL or a lone surrogate (which no file can encode).
        root = drawable(cut(self.explanation.names[self.explanation.root]))
        title = html.escape(f"backward from {root}, step by step")
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{title}</title></head><body>"
            f"{self.fragment(page_keys=True)}</body></html>\n"
        )

    def _repr_html_(self) -> str:
        """The view, inline in Jupyter (click it, then use the keys)."""
        return self.fragment()


def interactive(root: Value | Iterable[Value], **options: Any) -> StepThrough:
    """A view to step through forward and backward of `root`; Jupyter shows it inline.

    Options: `params`, `module`, `rankdir`, `fmt` and `legend` as in
    `autograd.viz.to_dot`; `max_values` (default `MAX_VALUES`; None: no
    limit); `max_nodes`, the drawn nodes past which modules collapse (default
    `autograd.viz.DEFAULT_MAX_NODES`, as the picture).
    """
    return StepThrough(root, **options)


def to_html(root: Value | Iterable[Value], **options: Any) -> str:
    """The step-through page of `root` as one self-contained HTML document."""
    return StepThrough(root, **options).html
