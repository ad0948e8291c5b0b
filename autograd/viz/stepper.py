"""Step through a graph in a browser: forward values first, then backward, edge by edge.

`to_html(root)` is one self-contained HTML page (the graph as inline SVG from
`dot`, a small script, no network); ``render(root, "graph.html")`` writes it,
and `interactive(root)` shows the same view inline in Jupyter. Next/Prev
buttons or the arrow keys move one step: first each value is computed in
forward order, then `root.grad` is seeded with 1, then each edge of backward
(in the order `autograd.explain` gives, which is backward's own) shows
upstream x local on the edge and adds it to the parent's grad.

User text reaches the page in two ways only: inside the SVG, escaped by the
DOT writer and `dot`; and in a JSON block that the script reads as data and
writes with ``textContent``, never as markup.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from typing import Any, Final

from autograd import engine
from autograd._numbers import number
from autograd.engine import Value
from autograd.explain import Explanation, explain
from autograd.viz._text import cut, drawable

__all__ = ["MAX_VALUES", "StepThrough", "interactive", "to_html"]

MAX_VALUES: Final = 400
"""The most values a page draws by default: each must be drawn to be stepped through."""

_STYLE: Final = """
.ag-stepper{font:14px/1.4 Helvetica,Arial,sans-serif;color:#1e293b;outline:none}
.ag-stepper .ag-bar{display:flex;gap:8px;align-items:center;margin:4px 0 8px}
.ag-stepper button{font:inherit;padding:2px 10px;cursor:pointer}
.ag-stepper .ag-counter{font-variant-numeric:tabular-nums;color:#475569}
.ag-stepper .ag-what{min-height:1.4em;font-family:Menlo,Consolas,monospace}
.ag-stepper .ag-edge-table td{padding:0 10px 0 0;font-family:Menlo,Consolas,monospace}
.ag-stepper .ag-edge-table th{padding:0 10px 0 0;text-align:left;color:#64748b;
font-weight:normal}
.ag-stepper .ag-graph{overflow:auto;max-width:100%}
.ag-stepper .ag-later{opacity:.3}
.ag-stepper .ag-now path,.ag-stepper .ag-now polygon,.ag-stepper .ag-now ellipse{
stroke:#e11d48;stroke-width:3px}
.ag-stepper .ag-to path,.ag-stepper .ag-to polygon,.ag-stepper .ag-to ellipse{
stroke:#2563eb;stroke-width:3px}
.ag-stepper .ag-edge path{stroke:#e11d48;stroke-width:2.5px}
.ag-stepper .ag-edge polygon{stroke:#e11d48;fill:#e11d48}
.ag-stepper .ag-edge text{fill:#e11d48;font-weight:bold}
.ag-stepper .ag-filled{fill:#2563eb;font-weight:bold}
"""

# Reads the JSON block beside it and redraws the SVG for the current step.
# Every string from the graph is set with textContent: it stays text.
_SCRIPT: Final = """
(function () {
  var me = document.currentScript, box = me && me.parentElement;
  if (!box || !box.classList.contains("ag-stepper")) {
    var fresh = document.querySelectorAll(".ag-stepper:not([data-ag-ready])");
    box = fresh[fresh.length - 1];
  }
  box.setAttribute("data-ag-ready", "");
  var model = JSON.parse(box.querySelector("script.ag-model").textContent);
  var part = function (name) { return box.querySelector("[data-ag=" + name + "]"); };
  var groups = {}, edges = {};
  box.querySelectorAll("svg g.node").forEach(function (g) {
    var t = g.querySelector("title");
    if (t) { groups[t.textContent] = g; }
  });
  box.querySelectorAll("svg g.edge").forEach(function (g) {
    var t = g.querySelector("title").textContent;
    (edges[t] = edges[t] || []).push(g);
  });
  // A value's box ends with rows "data <number>" and "grad <number>"; searched
  // from the end, since a label above them may read "data" or "grad" too.
  function cell(id, row) {
    var texts = groups[id] ? groups[id].querySelectorAll("text") : [];
    for (var i = texts.length - 2; i >= 0; i--) {
      if (texts[i].textContent === row) { return texts[i + 1]; }
    }
    return null;
  }
  var n = model.nodes.length;
  var dataCells = [], gradCells = [];
  model.nodes.forEach(function (v) {
    dataCells.push(cell(v.id, "data"));
    gradCells.push(cell(v.id, "grad"));
  });
  model.steps.forEach(function (s) {
    var g = (edges[s.edge[0]] || [])[s.edge[1]];
    s.group = g || null;
    s.label = g ? g.querySelector("text") : null;
    s.original = s.label ? s.label.textContent : "";
  });
  var total = 1 + n + 1 + model.steps.length, at = 0;
  function set(el, text) { if (el) { el.textContent = text; } }
  function mark(el, name) { if (el) { el.classList.add(name); } }
  function show(k) {
    at = Math.max(0, Math.min(total - 1, k));
    box.querySelectorAll(".ag-now,.ag-to,.ag-edge,.ag-later,.ag-filled")
      .forEach(function (el) {
        el.classList.remove("ag-now", "ag-to", "ag-edge", "ag-later", "ag-filled");
      });
    model.steps.forEach(function (s) { set(s.label, s.original); });
    var computed = Math.min(at, n);
    model.nodes.forEach(function (v, i) {
      set(dataCells[i], i < computed ? v.data : "?");
      set(gradCells[i], "");
      if (i >= computed) {
        mark(groups[v.id], "ag-later");
        mark(groups[v.id + "op"], "ag-later");
      }
    });
    var edge = null, what = "";
    if (at === 0) {
      what = "Press Next (or the right arrow key): forward pass first.";
    } else if (at <= n) {
      var v = model.nodes[at - 1];
      mark(groups[v.id], "ag-now");
      mark(groups[v.id + "op"], "ag-now");
      what = v.what;
    } else {
      var root = model.nodes[model.root];
      set(gradCells[model.root], model.seed[0]);
      var done = at - n - 1;
      for (var e = 0; e < done; e++) {
        var s = model.steps[e];
        set(gradCells[s.parent], s.sum[0]);
      }
      if (done === 0) {
        mark(groups[root.id], "ag-now");
        what = root.name + ".grad = " + model.seed[1] + ": d(" + root.name +
          ")/d(" + root.name + ") seeds the backward pass.";
      } else {
        edge = model.steps[done - 1];
        var node = model.nodes[edge.node], parent = model.nodes[edge.parent];
        mark(groups[node.id], "ag-now");
        mark(groups[node.id + "op"], "ag-now");
        mark(groups[parent.id], "ag-to");
        mark(gradCells[edge.parent], "ag-filled");
        mark(edge.group, "ag-edge");
        set(edge.label, edge.upstream[0] + " \\u00d7 " + edge.local[0] + " = " +
          edge.product[0]);
        what = parent.name + ".grad += " + node.name + ".grad \\u00d7 d(" +
          node.name + ")/d(" + parent.name + ")";
      }
    }
    set(part("counter"), "step " + at + " of " + (total - 1));
    set(part("phase"), at === 0 ? "" : at <= n ? "forward pass" : "backward pass");
    set(part("what"), what);
    part("edge").style.visibility = edge ? "visible" : "hidden";
    ["node", "parent", "upstream", "local", "product", "sum"].forEach(function (key) {
      var value = "";
      if (edge) {
        value = key === "node" || key === "parent" ?
          model.nodes[edge[key]].name : edge[key][1];
      }
      set(part(key), value);
    });
    part("prev").disabled = at === 0;
    part("next").disabled = at === total - 1;
  }
  function key(event) {
    var moves = {ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: total - 1};
    if (event.key in moves && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      event.stopPropagation();
      show(moves[event.key]);
    }
  }
  part("next").addEventListener("click", function () { show(at + 1); });
  part("prev").addEventListener("click", function () { show(at - 1); });
  box.addEventListener("keydown", key);
  if (box.getAttribute("data-ag-keys") === "page") {
    document.addEventListener("keydown", function (event) {
      if (!box.contains(event.target)) { key(event); }
    });
  }
  show(0);
})();
"""


def _pair(x: float, fmt: str) -> list[str]:
    """A number as the picture shows it and in full (repr round-trips the float)."""
    return [number(x, fmt), repr(x)]


def _what(v: Value, names: dict[Value, str], fmt: str) -> str:
    """The forward step that made `v`, in words: 'n = add(s, b) = 0.8814'."""
    data = number(v._data, fmt)
    if not v.op:
        return f"{names[v]} = {data} (a leaf: given, not computed)"
    args = ", ".join(names[p] if isinstance(p, Value) else repr(p) for p in v.operands)
    return f"{names[v]} = {v.op}({args}) = {data}"


def _model(steps: Explanation, fmt: str) -> dict[str, Any]:
    """What the script needs, by position in forward order (the SVG's ``v<i>``)."""
    index = {v: i for i, v in enumerate(steps.names)}
    nodes = [
        {
            "id": f"v{i}",
            "name": name,
            "data": number(v._data, fmt),
            "what": _what(v, steps.names, fmt),
        }
        for i, (v, name) in enumerate(steps.names.items())
    ]
    edges = []
    for s in steps:
        i, j = index[s.node], index[s.parent]
        # ``a + a`` draws two edges with one title, in slot order.
        rank = s.node.operands[: s.slot].count(s.parent)
        edges.append(
            {
                "node": i,
                "parent": j,
                "edge": [f"v{j}->v{i}op", rank],
                "upstream": _pair(s.upstream, fmt),
                "local": _pair(s.local, fmt),
                "product": _pair(s.product, fmt),
                "sum": _pair(s.running_sum, fmt),
            }
        )
    return {
        "nodes": nodes,
        "steps": edges,
        "root": index[steps.root],
        "seed": _pair(1.0, fmt),
    }


def _json(data: object) -> str:
    """JSON safe inside a script element: no '<', '>' or '&' can end it early."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _svg_element(svg: str) -> str:
    """The ``<svg>`` element of a document from `dot` (no XML prolog or doctype)."""
    return svg[svg.index("<svg") :]


def _copy(steps: Explanation) -> dict[Value, Value]:
    """A copy of each node of the explained graph holding its final gradient."""
    copy: dict[Value, Value] = {}
    for v in steps.names:  # forward order: operands are copied first
        c = engine._leaf(v._data)
        c.label, c.grad = v.label, steps.grads[v]
        c._row, c._d0, c._d1 = v._row, v._d0, v._d1
        c._p0 = copy[v._p0] if isinstance(v._p0, Value) else v._p0
        c._p1 = copy[v._p1] if isinstance(v._p1, Value) else v._p1
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
    ) -> None:
        """Explain `root`'s backward and draw its graph (see `interactive`)."""
        if not isinstance(root, Value):
            raise TypeError(
                f"interactive: steps through the backward pass of one Value, "
                f"got {type(root).__name__}"
            )
        steps = explain(root)
        if max_values is not None and len(steps.names) > max_values:
            raise ValueError(
                f"interactive: the graph has {len(steps.names):,} values and the page "
                f"draws every one (max_values={max_values}); pass max_values=None to "
                "draw them all anyway, or print autograd.explain(root) for the table"
            )
        from autograd.viz import to_svg  # noqa: PLC0415 - viz imports this module

        # Drawn from a copy holding the final gradients, so that every box is
        # laid out wide enough for the numbers the steps will write into it.
        copy = _copy(steps)
        named = None if module is None else _Named(module, copy)
        svg = to_svg(
            copy[root],
            params=[copy.get(p, p) for p in params],
            module=named,
            rankdir=rankdir,
            fmt=fmt,
            legend=legend,
            max_nodes=None,
        )
        self.explanation = steps
        """The steps the page walks through (`autograd.explain`)."""
        self._svg = _svg_element(svg)
        self._model = _json(_model(steps, fmt))

    def fragment(self, *, page_keys: bool = False) -> str:
        """The view as an HTML fragment; `page_keys` lets arrow keys work anywhere."""
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
        return (
            f'<div class="ag-stepper" tabindex="0"{keys}>'
            f"<style>{_STYLE}</style>"
            '<div class="ag-bar">'
            '<button type="button" data-ag="prev">&#9664; Prev</button>'
            '<button type="button" data-ag="next">Next &#9654;</button>'
            '<span class="ag-counter" data-ag="counter"></span>'
            '<b data-ag="phase"></b></div>'
            '<div class="ag-what" data-ag="what"></div>'
            '<table class="ag-edge-table" data-ag="edge">'
            f"<tr>{head}</tr><tr>{cells}</tr></table>"
            f'<div class="ag-graph">{self._svg}</div>'
            f'<script type="application/json" class="ag-model">{self._model}</script>'
            f"<script>{_SCRIPT}</script></div>"
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
        """The view, inline in Jupyter (click it, then use the arrow keys)."""
        return self.fragment()


def interactive(root: Value | Iterable[Value], **options: Any) -> StepThrough:
    """A view to step through forward and backward of `root`; Jupyter shows it inline.

    Options: `params`, `module`, `rankdir`, `fmt` and `legend` as in
    `autograd.viz.to_dot`, and `max_values` (default `MAX_VALUES`; None: no limit).
    """
    return StepThrough(root, **options)


def to_html(root: Value | Iterable[Value], **options: Any) -> str:
    """The step-through page of `root` as one self-contained HTML document."""
    return StepThrough(root, **options).html
