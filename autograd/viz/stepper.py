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
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from autograd import engine
from autograd._numbers import number
from autograd.engine import Value
from autograd.explain import Explanation, explain, local_rule
from autograd.viz._scene import (
    EARLIER_UNIT,
    INPUTS_UNIT,
    Scene,
    build,
    natural,
    owner,
)
from autograd.viz._text import check_number_format, cut, drawable

__all__ = ["MAX_VALUES", "StepThrough", "interactive", "to_html"]

MAX_VALUES: Final = 1500
"""The most values a page steps through by default (None: no limit)."""

_STYLE: Final = """
.ag-stepper{font:14px/1.4 Helvetica,Arial,sans-serif;color:#1e293b;outline:none}
.ag-stepper .ag-bar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:4px 0}
.ag-stepper button{font:inherit;padding:2px 10px;cursor:pointer}
.ag-stepper input[type=range]{flex:1 1 200px;min-width:120px}
.ag-stepper input[type=number]{width:6em;font:inherit}
.ag-stepper .ag-counter{font-variant-numeric:tabular-nums;color:#475569}
.ag-stepper .ag-keys{color:#64748b;font-size:12px;margin:0 0 6px}
.ag-stepper .ag-what,.ag-stepper .ag-rule{min-height:1.4em;
font-family:Menlo,Consolas,monospace;white-space:pre-wrap}
.ag-stepper .ag-rule{color:#6d28d9}
.ag-stepper .ag-edge-table td{padding:0 10px 0 0;font-family:Menlo,Consolas,monospace}
.ag-stepper .ag-edge-table th{padding:0 10px 0 0;text-align:left;color:#64748b;
font-weight:normal}
.ag-stepper .ag-graph{overflow:auto;max-width:100%;max-height:70vh;
border:1px solid #e2e8f0;margin-top:6px}
.ag-stepper .ag-graph svg{display:block}
.ag-stepper svg text{font-family:Helvetica,Arial,sans-serif}
.ag-stepper .ag-later{opacity:.3}
.ag-stepper .ag-open{cursor:pointer}
.ag-stepper .ag-now path,.ag-stepper .ag-now polygon,.ag-stepper .ag-now ellipse{
stroke:#e11d48;stroke-width:3px}
.ag-stepper .ag-now{filter:drop-shadow(0 0 4px #e11d48)}
.ag-stepper .ag-to path,.ag-stepper .ag-to polygon,.ag-stepper .ag-to ellipse{
stroke:#2563eb;stroke-width:3px}
.ag-stepper .ag-edge path{stroke:#e11d48;stroke-width:2.5px}
.ag-stepper .ag-edge polygon{stroke:#e11d48;fill:#e11d48}
.ag-stepper .ag-edge text{fill:#e11d48}
.ag-stepper .ag-filled{fill:#2563eb;font-weight:bold}
"""

_KEYS: Final = (
    "keys: \u2190/\u2192 step \u00b7 Shift+\u2190/\u2192 ten steps \u00b7 "
    "Home/End \u00b7 +/\u2212 zoom \u00b7 0 fit \u00b7 o open the module "
    "\u00b7 Esc close it \u00b7 click a module's box to open it"
)

# Reads the JSON block beside it and redraws the current view for the step.
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
  // A step is a row: node, parent, slot, rank, then upstream, local, product
  // and running sum, each as shown and in full.
  var steps = model.steps.map(function (a) {
    return {node: a[0], parent: a[1], slot: a[2], rank: a[3], upstream: [a[4], a[5]],
            local: [a[6], a[7]], product: [a[8], a[9]], sum: [a[10], a[11]]};
  });
  var nodes = model.nodes, n = nodes.length;
  var total = 1 + n + 1 + steps.length, at = 0, view = null;
  var graph = part("graph"), rank = [];
  model.forward.forEach(function (i, k) { rank[i] = k; });
  function head(i) { return model.folded[i] >= 0 ? model.folded[i] : i; }
  function summary(u) { return u.charAt(0) !== "v"; }
  function set(el, text) { if (el) { el.textContent = text; } }
  function mark(el, name) { if (el) { el.classList.add(name); } }
  var views = model.views.map(function (spec, k) {
    return {spec: spec, k: k, ready: false,
            el: box.querySelector(".ag-view[data-view='" + k + "']")};
  });
  function unit(v, i) {
    var u = v.spec.units[i];
    return u ? v.spec.summaries[u - 1] : "v" + head(i);
  }
  // A step's key in a view: steps inside one collapsed module share it.
  function keyOf(v, s) {
    if (s >= 1 && s <= n) {
      var u = unit(v, model.forward[s - 1]);
      return summary(u) ? "f" + u : null;
    }
    if (s > n + 1) {
      var w = unit(v, steps[s - n - 2].node);
      return summary(w) ? "b" + w : null;
    }
    return null;
  }
  // A value's box ends with rows "data <number>" and "grad <number>"; searched
  // from the end, since a label above them may read "data" or "grad" too.
  function cell(g, row) {
    var texts = g ? g.querySelectorAll("text") : [];
    for (var i = texts.length - 2; i >= 0; i--) {
      if (texts[i].textContent === row) { return texts[i + 1]; }
    }
    return null;
  }
  function prepare(v) {
    if (v.ready) { return; }
    v.ready = true;
    v.svg = v.el.querySelector("svg");
    v.groups = {}; v.edges = {};
    v.el.querySelectorAll("g.node").forEach(function (g) {
      var t = g.querySelector("title");
      if (t) { v.groups[t.textContent] = g; }
    });
    v.el.querySelectorAll("g.edge").forEach(function (g) {
      var t = g.querySelector("title").textContent;
      (v.edges[t] = v.edges[t] || []).push(g);
    });
    v.data = []; v.grad = [];
    nodes.forEach(function (node, i) {
      var u = unit(v, i), g = u === "v" + i ? v.groups[u] : null;
      v.data.push(cell(g, "data"));
      v.grad.push(cell(g, "grad"));
    });
    // A collapsed module's largest |grad| shows once backward is through it.
    v.tops = {};
    v.spec.summaries.forEach(function (u) {
      var c = cell(v.groups[u], "max |grad|");
      v.tops[u] = {cell: c, text: c ? c.textContent : "", first: total, last: -1};
      var g = v.groups[u];
      if (g && v.spec.opens[u] !== undefined) {
        g.classList.add("ag-open");
        g.addEventListener("click", function () { open(u); });
      }
    });
    v.labels = steps.map(function (s, e) {
      var g = edgeOf(v, e), t = g ? g.querySelector("text") : null;
      var top = v.tops[unit(v, s.parent)];
      if (top) {
        top.first = Math.min(top.first, n + 2 + e);
        top.last = Math.max(top.last, n + 2 + e);
      }
      return {group: g, text: t};
    });
    v.runEnd = []; v.runOf = [];
    var last = null;
    for (var s = 0; s < total; s++) {
      var key = keyOf(v, s);
      if (key === null || key !== last) { v.runEnd.push(s); }
      else { v.runEnd[v.runEnd.length - 1] = s; }
      v.runOf.push(v.runEnd.length - 1);
      last = key;
    }
    var vb = v.svg.viewBox.baseVal;
    v.width = vb.width * 4 / 3; v.height = vb.height * 4 / 3;
    v.svg.removeAttribute("width"); v.svg.removeAttribute("height");
    v.zoom = 0;
  }
  // The drawn edge of backward step e in view v, or null inside a summary.
  function edgeOf(v, e) {
    var s = steps[e], ui = unit(v, s.node), uj = unit(v, s.parent);
    if (ui === uj) { return null; }
    if (summary(ui)) { return (v.edges[uj + "->" + ui] || [])[0] || null; }
    return (v.edges[uj + "->" + ui + "op"] || [])[summary(uj) ? 0 : s.rank] || null;
  }
  function zoomTo(z) {
    view.zoom = Math.max(0.05, Math.min(4, z));
    view.svg.style.width = view.width * view.zoom + "px";
    view.svg.style.height = view.height * view.zoom + "px";
  }
  function fit() {
    var h = Math.max(200, window.innerHeight * 0.7);
    return Math.min(graph.clientWidth / view.width, h / view.height);
  }
  // Scroll the current node (and its parent, in backward) to the middle;
  // zoom out first if they do not fit.
  function follow() {
    var els = view.el.querySelectorAll(".ag-now,.ag-to,.ag-edge");
    if (!els.length) { return; }
    function union() {
      var r = null;
      els.forEach(function (el) {
        var b = el.getBoundingClientRect();
        r = r ? {left: Math.min(r.left, b.left), top: Math.min(r.top, b.top),
                 right: Math.max(r.right, b.right),
                 bottom: Math.max(r.bottom, b.bottom)}
              : {left: b.left, top: b.top, right: b.right, bottom: b.bottom};
      });
      return r;
    }
    var r = union(), g = graph.getBoundingClientRect();
    var need = Math.max((r.right - r.left) / (g.width * 0.9),
                        (r.bottom - r.top) / (g.height * 0.9));
    if (need > 1) {
      zoomTo(view.zoom / need);
      r = union();
      g = graph.getBoundingClientRect();
    }
    graph.scrollLeft += (r.left + r.right) / 2 - (g.left + g.right) / 2;
    graph.scrollTop += (r.top + r.bottom) / 2 - (g.top + g.bottom) / 2;
  }
  function use(k) {
    views.forEach(function (v) { v.el.hidden = v.k !== k; });
    view = views[k];
    prepare(view);
    if (!view.zoom) { zoomTo(Math.min(1.5, fit() >= 0.7 ? fit() : 1)); }
    var title = view.spec.title;
    set(part("where"), title ? "inside " + title : "");
    part("close").hidden = view.spec.up < 0;
  }
  function show(k) {
    at = Math.max(0, Math.min(total - 1, k));
    var v = view;
    box.querySelectorAll(".ag-now,.ag-to,.ag-edge,.ag-later,.ag-filled")
      .forEach(function (el) {
        el.classList.remove("ag-now", "ag-to", "ag-edge", "ag-later", "ag-filled");
      });
    var computed = Math.min(at, n), done = Math.max(0, at - n - 1);
    var grads = [];
    if (at > n) { grads[model.root] = model.seed[0]; }
    for (var e = 0; e < done; e++) { grads[steps[e].parent] = steps[e].sum[0]; }
    var started = {};
    nodes.forEach(function (node, i) {
      set(v.data[i], rank[i] < computed ? node.data : "?");
      set(v.grad[i], grads[i] || "");
      var u = unit(v, i);
      if (rank[i] < computed) { started[u] = true; }
    });
    nodes.forEach(function (node, i) {
      var u = unit(v, i);
      if (rank[i] >= computed && !started[u]) {
        mark(v.groups[u], "ag-later");
        mark(v.groups[u + "op"], "ag-later");
      }
    });
    Object.keys(v.tops).forEach(function (u) {
      var top = v.tops[u];
      set(top.cell, at >= top.last ? top.text : at >= top.first ? "\\u2026" : "");
    });
    // Each edge shows its local derivative from the forward step that computed it.
    steps.forEach(function (s, e) {
      set(v.labels[e].text, rank[s.node] < computed ? s.local[0] : "");
    });
    var edge = null, what = "", rule = "", c = v.runOf[at];
    var first = c ? v.runEnd[c - 1] + 1 : 0, coarse = first < at;
    if (at === 0) {
      what = "Press Next (or the right arrow key): forward pass first.";
    } else if (at <= n) {
      var i = model.forward[at - 1], u = unit(v, i);
      mark(v.groups[u], "ag-now");
      mark(v.groups[u + "op"], "ag-now");
      if (coarse) {
        what = "forward through " + model.modules[u] + ": computes " +
          (at - first + 1) + " values (o opens it)";
      } else {
        what = nodes[i].what;
        rule = nodes[i].rules.filter(function (r) { return r; }).join("\\n");
      }
    } else if (at === n + 1) {
      var root = nodes[model.root];
      mark(v.groups[unit(v, model.root)], "ag-now");
      what = root.name + ".grad = " + model.seed[1] + ": d(" + root.name +
        ")/d(" + root.name + ") seeds the backward pass.";
    } else {
      var k = at - n - 2, s = steps[k];
      var node = nodes[s.node], parent = nodes[s.parent];
      var un = unit(v, s.node), up = unit(v, s.parent), label = v.labels[k];
      mark(v.groups[un], "ag-now");
      mark(v.groups[un + "op"], "ag-now");
      if (up !== un) { mark(v.groups[up], "ag-to"); }
      mark(v.grad[s.parent], "ag-filled");
      if (coarse) {
        what = "backward through " + model.modules[un] + ": " + (at - first + 1) +
          " edges (o opens it)";
      } else {
        edge = s;
        mark(label.group, "ag-edge");
        set(label.text,
            s.upstream[0] + " \\u00d7 " + s.local[0] + " = " + s.product[0]);
        // Two unlabelled nodes of one module box: the box is named once.
        var one = node.where && node.where === parent.where;
        var a = one ? node.short : node.name, b = one ? parent.short : parent.name;
        what = b + ".grad += " + a + ".grad \\u00d7 d(" + a + ")/d(" + b + ")" +
          (one ? "   (in " + node.where + ")" : "");
        rule = node.rules[s.slot];
      }
    }
    var last = v.runEnd.length - 1;
    set(part("counter"), "step " + c + " of " + last);
    part("slider").max = last;
    part("slider").value = c;
    part("jump").max = last;
    part("jump").value = c;
    set(part("phase"), at === 0 ? "" : at <= n ? "forward pass" : "backward pass");
    set(part("what"), what);
    set(part("rule"), rule);
    part("edge").style.visibility = edge ? "visible" : "hidden";
    ["node", "parent", "upstream", "local", "product", "sum"].forEach(function (key) {
      var value = "";
      if (edge) {
        value = key === "node" || key === "parent" ?
          nodes[edge[key]].name : edge[key][1];
      }
      set(part(key), value);
    });
    part("prev").disabled = at === 0;
    part("next").disabled = at === total - 1;
    follow();
  }
  function go(c) {
    var ends = view.runEnd;
    show(ends[Math.max(0, Math.min(ends.length - 1, c))]);
  }
  function open(u) {
    var target = view.spec.opens[u];
    if (target === undefined) { return; }
    var c = view.runOf[at], here = unit(view, at > n + 1 ?
      steps[at - n - 2].node : model.forward[Math.max(0, Math.min(at, n) - 1)]);
    // Opening the module being stepped through starts at its first step.
    var from = here === u && c ? view.runEnd[c - 1] + 1 : at;
    use(target);
    show(view.runEnd[view.runOf[from]]);
  }
  function openCurrent() {
    var s = at > n + 1 ? steps[at - n - 2].node :
      at >= 1 && at <= n ? model.forward[at - 1] : -1;
    if (s >= 0) { open(unit(view, s)); }
  }
  function close() {
    if (view.spec.up < 0) { return; }
    use(view.spec.up);
    show(view.runEnd[view.runOf[at]]);
  }
  function key(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var t = event.target;
    if (t && t.tagName === "INPUT") { return; }
    var c = view.runOf[at], jump = event.shiftKey ? 10 : 1;
    var moves = {ArrowRight: c + jump, ArrowLeft: c - jump, Home: 0,
                 End: view.runEnd.length - 1};
    var actions = {
      "+": function () { zoomBy(1.25); },
      "=": function () { zoomBy(1.25); },
      "-": function () { zoomBy(0.8); },
      "0": function () { zoomTo(fit()); },
      "o": openCurrent,
      "Escape": close
    };
    if (event.key in moves) { go(moves[event.key]); }
    else if (event.key in actions) { actions[event.key](); }
    else { return; }
    event.preventDefault();
    event.stopPropagation();
  }
  part("next").addEventListener("click", function () { go(view.runOf[at] + 1); });
  part("prev").addEventListener("click", function () { go(view.runOf[at] - 1); });
  part("slider").addEventListener("input", function () { go(+part("slider").value); });
  part("jump").addEventListener("change", function () { go(+part("jump").value); });
  function zoomBy(f) { zoomTo(view.zoom * f); follow(); }
  part("zoomin").addEventListener("click", function () { zoomBy(1.25); });
  part("zoomout").addEventListener("click", function () { zoomBy(0.8); });
  part("fit").addEventListener("click", function () { zoomTo(fit()); });
  part("close").addEventListener("click", close);
  box.addEventListener("keydown", key);
  if (box.getAttribute("data-ag-keys") === "page") {
    document.addEventListener("keydown", function (event) {
      if (!box.contains(event.target)) { key(event); }
    });
  }
  use(0);
  show(0);
})();
"""


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


def _slim(svg: str) -> str:
    """`dot`'s SVG without what the page does not use: prolog, comments, ids,
    tooltips (they would tell final values before the steps do) and the font
    on every text (the page's style sets it); a rounded box's fill and border
    paths, which share their outline, become one ``<rect>``; outlines are
    rounded to a tenth of a point."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->\n", "", svg, flags=re.DOTALL)
    svg = re.sub(r'<g id="a_[^"]*"><a xlink:title="[^"]*">\n', "", svg)
    svg = svg.replace("</a>\n</g>\n", "")
    svg = re.sub(r' id="[^"]*"', "", svg)
    svg = svg.replace(' font-family="Helvetica,Arial,sans-serif"', "")
    svg = svg.replace(' text-anchor="start"', "")  # SVG's default
    svg = _ROUNDED.sub(_rect, svg)
    # Outlines to a tenth of a point: finer than a screen shows.
    return _OUTLINE.sub(lambda m: _TENTHS.sub(r"\1", m.group()), svg)


# A rounded box as `dot` draws it: a filled outline, its texts, the same
# outline stroked.
_ROUNDED: Final = re.compile(
    r'<path fill="([^"]*)" stroke="transparent" d="([^"]*)"/>\n'
    r'((?:<text[^\n]*\n)*)<path fill="none" stroke="([^"]*)" d="\2"/>\n'
)
_NUMBER: Final = re.compile(r"-?[\d.]+")
_OUTLINE: Final = re.compile(r' (?:d|points)="[^"]*"')
_TENTHS: Final = re.compile(r"(\.\d)\d+")


def _rect(match: re.Match[str]) -> str:
    """A rounded box's two outlines as one ``<rect>`` with round corners."""
    fill, outline, texts, stroke = match.groups()
    points = [float(x) for x in _NUMBER.findall(outline)]
    xs, ys = points[0::2], points[1::2]
    # The outline starts at the end of the bottom-left corner's curve.
    radius = xs[0] - min(xs)
    return (
        f'<rect fill="{fill}" stroke="{stroke}" x="{min(xs):.2f}" y="{min(ys):.2f}" '
        f'width="{max(xs) - min(xs):.2f}" height="{max(ys) - min(ys):.2f}" '
        f'rx="{radius:.2f}"/>\n{texts}'
    )


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
        max_nodes: int | None = None,
    ) -> None:
        """Explain `root`'s backward and draw its graph (see `interactive`)."""
        # viz imports this module: its names are imported on use.
        from autograd.viz import (  # noqa: PLC0415
            _PRETTY,
            DEFAULT_MAX_NODES,
            _check_max_nodes,
            _digraph,
            _names,
            _pipe,
            _Writer,
        )

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
        _check_max_nodes(max_nodes, "interactive")
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
        marked, param_names = _names(
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
            writer = _Writer(
                view.scene,
                rankdir=rankdir,
                fmt=fmt,
                show_grad=True,
                show_edge_grads=True,
                heat=False,
                edge_text=lambda k, slot: widest.get((k, slot), ""),
            )
            lines = writer.lines(legend, budget)
            view.svg = _slim(_pipe(_digraph(lines), "svg").decode("utf-8"))
        self.explanation = steps
        """The steps the page walks through (`autograd.explain`)."""
        self._views = views
        self._model = _json(_model(steps, views, _PRETTY, fmt))

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
            f"<style>{_STYLE}</style>"
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
            f'<div class="ag-keys">{html.escape(_KEYS)}</div>'
            '<div class="ag-what" data-ag="what"></div>'
            '<div class="ag-rule" data-ag="rule"></div>'
            '<table class="ag-edge-table" data-ag="edge">'
            f"<tr>{head}</tr><tr>{cells}</tr></table>"
            f'<div class="ag-graph" data-ag="graph">{drawings}</div>'
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
