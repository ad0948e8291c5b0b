"""The step-through page's fixed parts: its style, its keys, its script, and
`dot`'s SVG made smaller for it (`slim`)."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["KEYS", "SCRIPT", "STYLE", "slim"]

STYLE: Final = """
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

KEYS: Final = (
    "keys: \u2190/\u2192 step \u00b7 Shift+\u2190/\u2192 ten steps \u00b7 "
    "Home/End \u00b7 +/\u2212 zoom \u00b7 0 fit \u00b7 o open the module "
    "\u00b7 Esc close it \u00b7 click a module's box to open it"
)

# Reads the JSON block beside it and redraws the current view for the step.
# Every string from the graph is set with textContent: it stays text.
SCRIPT: Final = """
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


def slim(svg: str) -> str:
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
