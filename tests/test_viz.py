"""Tests for `autograd.viz`: DOT text, SVG through the real `dot`, collapsing, CLI."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd.viz
import nn
from autograd import Value
from autograd._display import svg as jupyter_svg
from autograd._numbers import number
from autograd.core import apply as _apply
from autograd.ops import OPS, Op
from autograd.viz import (
    DEFAULT_MAX_NODES,
    FORMATS,
    GraphvizNotFoundError,
    NotebookSettings,
    heat_colour,
    notebook_settings,
    render,
    set_notebook,
    to_dot,
    to_html,
    to_svg,
)
from autograd.viz._scene import MAX_DEPTH, PARAMETER
from autograd.viz._style import ROLE_COLOURS
from autograd.viz._text import cut, drawable, html_text, quoted

HIGHLIGHT = "#e11d48"


def product() -> tuple[Value, Value, Value]:
    """c = a * b after backward: dc/da = b = -3, dc/db = a = 2."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    c.backward()
    return a, b, c


def neuron() -> Value:
    """tanh(x1*w1 + x2*w2 + b) with labelled leaves, after backward."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    o.backward()
    return o


def moons_step(n: int, sizes: list[int]) -> tuple[Value, nn.MLP]:
    """micrograd's demo step: an MLP's hinge loss + L2 on `n` moons, after backward."""
    X, y = nn.make_moons(n, seed=0)
    model = nn.MLP(sizes[0], sizes[1:], seed=0)
    scores = [model([Value(a), Value(b)]) for a, b in X]
    loss = nn.hinge(scores, [2 * c - 1 for c in y]) + 1e-4 * nn.l2(model.parameters())
    loss.label = "loss"
    loss.backward()
    return loss, model


def node_ids(source: str) -> list[str]:
    found = re.findall(r"^\s*(\w+) \[", source, flags=re.M)
    return [n for n in found if n not in ("graph", "node", "edge")]


def edge(source: str, tail: str, head: str) -> str:
    found = re.findall(rf"^\s*{tail} -> {head}\b(.*)$", source, flags=re.M)
    assert len(found) == 1, (tail, head, found)
    return str(found[0])


def clusters(source: str) -> dict[str, str]:
    """Each cluster's label -> the DOT text inside its braces (nested included)."""
    found = {}
    for m in re.finditer(r"subgraph cluster_\d+ \{", source):
        depth, end = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(source[end], 0)
            end += 1
        body = source[m.end() : end]
        label = re.search(r"label=<<B>(.*?)</B>>", body)
        assert label is not None
        found[label.group(1)] = body
    return found


def svg_text(svg: str) -> str:
    root = ET.fromstring(svg)
    return " ".join(t for el in root.iter() for t in (el.text, el.get("title")) if t)


# -- DOT for small known graphs ---------------------------------------------


def test_product_dot_has_value_and_op_nodes_in_topological_numbering() -> None:
    *_, c = product()
    assert node_ids(to_dot(c, legend=False).source) == ["v0", "v1", "v2", "v2op"]


def test_edges_into_an_op_carry_the_local_derivative() -> None:
    *_, c = product()
    source = to_dot(c).source
    assert "<<I>-3</I>>" in edge(source, "v0", "v2op")
    assert "<<I>2</I>>" in edge(source, "v1", "v2op")
    assert "label" not in edge(source, "v2op", "v2")


def test_value_nodes_show_label_data_and_grad() -> None:
    a, *_ = product()
    source = to_dot(a * 1.0).source
    line = next(ln for ln in source.splitlines() if ln.lstrip().startswith("v0 "))
    assert "<B>a</B>" in line
    assert re.search(r"data</FONT></TD><TD ALIGN=\"RIGHT\">2<", line)
    assert re.search(r"grad</FONT></TD><TD ALIGN=\"RIGHT\">-3<", line)


def test_op_nodes_show_the_op_symbol_and_document_it_in_the_tooltip() -> None:
    o = neuron()
    source = to_dot(o).source
    assert 'label="\N{MULTIPLICATION SIGN}"' in source
    assert re.search(r'label="tanh" .*tooltip="tanh: hyperbolic tangent', source)


def test_constants_are_drawn_as_nodes_whose_edges_carry_no_derivative() -> None:
    # No gradient flows into a constant; pow's d/dexponent at a negative base is
    # not even defined, so a constant's edge shows no number at all.
    x = Value(-4.0, label="x")
    y = 3.0 * x**2
    source = to_dot(y).source
    assert re.search(r'^\s*v1c1 \[label="2" ', source, flags=re.M)
    assert "label=" not in edge(source, "v1c1", "v1op")
    assert "label=" not in edge(source, "v2c0", "v2op")
    assert "<<I>-8</I>>" in edge(source, "v0", "v1op")


def test_a_value_used_twice_gets_two_edges() -> None:
    a = Value(3.0, label="a")
    source = to_dot(a + a, show_edge_grads=False).source
    assert len(re.findall(r"^\s*v0 -> v1op", source, flags=re.M)) == 2


def test_roles_parameter_input_output_show_in_tooltips() -> None:
    x, w = Value(1.0, label="x"), Value(2.0, label="w")
    named = Value(3.0, label="layer.bias")
    y = x * w + named
    y.label = "y"
    source = to_dot(y, params=[w]).source
    assert "x (input)" in source
    assert "w (parameter)" in source
    assert "layer.bias (parameter)" in source
    assert "y (output)" in source


def test_a_leaf_marked_is_parameter_is_drawn_as_a_parameter() -> None:
    x, w = Value(1.0, label="x"), Value(2.0, label="w")
    w.is_parameter = True  # type: ignore[attr-defined]
    x.is_parameter = "yes"  # type: ignore[attr-defined]  # only True marks
    source = to_dot(x * w).source
    assert "w (parameter)" in source
    assert "x (input)" in source


def test_an_nn_models_weights_are_parameters_without_params() -> None:
    neuron = nn.Neuron(2, seed=0)  # top-level names: "w.0", "w.1" and "b"
    source = to_dot(neuron([1.0, 2.0])).source
    for name in ("w.0", "w.1", "b"):
        assert f"{name} (parameter)" in source
    assert "(input)" not in source


def test_show_grad_and_show_edge_grads_can_be_turned_off() -> None:
    o = neuron()
    source = to_dot(o, show_grad=False, show_edge_grads=False, legend=False).source
    assert ">grad<" not in source
    assert "<I>" not in source


def test_fmt_formats_every_number() -> None:
    x = Value(1.0 / 3.0, label="x")
    source = to_dot(x * 2.0, fmt=".2f").source
    assert ">0.33<" in source
    assert "<<I>2.00</I>>" in source


def test_grads_that_are_values_show_their_number() -> None:
    x = Value(3.0, label="x")
    y = x * x
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value)
    assert "grad=6.0" in to_dot(y).source


def test_several_roots_are_all_outputs() -> None:
    x = Value(1.0, label="x")
    source = to_dot([x * 2.0, x + 1.0]).source
    assert source.count('tooltip="output: data=') == 2


def test_rankdir_is_passed_to_graphviz() -> None:
    *_, c = product()
    assert 'rankdir="TB"' in to_dot(c, rankdir="TB").source


def test_bad_options_raise_value_errors_naming_them() -> None:
    *_, c = product()
    with pytest.raises(ValueError, match="rankdir"):
        to_dot(c, rankdir="XY")
    with pytest.raises(ValueError, match="fmt"):
        to_dot(c, fmt="q")
    with pytest.raises(ValueError, match="max_nodes"):
        to_dot(c, max_nodes=0)
    with pytest.raises(ValueError, match="highlight"):
        to_dot(c, highlight=Value(1.0))
    with pytest.raises(TypeError, match="root"):
        to_dot([c, 1.0])  # type: ignore[list-item]


# -- determinism and escaping -------------------------------------------------


def test_the_same_graph_gives_byte_identical_dot() -> None:
    first = to_dot(moons_step(8, [2, 3, 1])[0], max_nodes=None).source
    second = to_dot(moons_step(8, [2, 3, 1])[0], max_nodes=None).source
    assert first == second
    assert "0x" not in first


def test_labels_with_markup_characters_are_escaped() -> None:
    tricky = 'a<b> & "c" \\n'
    x = Value(1.0, label=tricky)
    svg = to_svg(x * 2.0)
    assert tricky in svg_text(svg)


def dot_json(source: str) -> dict[str, Any]:
    """The drawing `dot` makes of `source`, as JSON; `dot` must not complain."""
    done = subprocess.run(
        ["dot", "-Tjson"],
        input=source.encode("utf-8"),  # strict: no lone surrogate may reach dot
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not done.stderr, done.stderr
    drawing: dict[str, Any] = json.loads(done.stdout)
    return drawing


def structure(drawing: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """Every node, cluster and edge with its attribute names (text must not add any)."""
    objects = [
        (o["name"], sorted(k for k in o if not k.startswith("_")))
        for o in drawing.get("objects", [])
    ]
    edges = [
        (e["tail"], e["head"], sorted(k for k in e if not k.startswith("_")))
        for e in drawing.get("edges", [])
    ]
    return objects, edges


def drawn_text(drawing: dict[str, Any], name: str) -> list[str]:
    (node,) = [o for o in drawing["objects"] if o["name"] == name]
    # Blank lines are left out, as `shown` leaves them out: dot draws a blank
    # line only when another follows it (" \n\\" draws " " and "\\").
    texts = [op["text"] for op in node.get("_ldraw_", []) if op["op"] == "T"]
    return [t for t in texts if t.strip()]


def everywhere(text: str) -> Value:
    """`text` as a leaf's label, a module's name, an output's label, and an op's
    name, symbol and doc (a custom row); after backward. The output is v3."""
    row = Op(
        text, 1, lambda x: 2.0 * x, lambda m, x, out: (2.0,), text, text, ((-1.0, 1.0),)
    )
    w = Value(0.5, label=f"{text}.w")
    x = Value(1.0, label=text)
    y = _apply(row, (w * x,))
    y.label = text
    y.backward()
    return y


def same_shape(text: str) -> str:
    """Harmless text naming the same modules: dots and digits kept."""
    return "".join(c if c == "." or c.isdigit() else "a" for c in text)


def shown(text: str) -> list[str]:
    """The lines a picture shows for a label: cut, made drawable, split at breaks."""
    lines = re.split("\r\n|[\n\r\x85\u2028\u2029]", drawable(cut(text)))
    return [line for line in lines if line.strip()]


NASTY = [
    "a\nb",
    "tab\there",
    "]",
    "<b>x</b>",
    "{|}",
    '"quoted"',
    "back\\",
    '\\N \\G \\l \\"',
    "nul\x00byte",
    "lone \ud800 surrogate",
    "x" * 100_000,
    '"]; evil [color=red]; a -> b [label="',
    "<<B>html</B>>",
    "&amp; &lt; &#93;",
    "\x7f\x1b\ufffe",
    "a.b.c",
]


@pytest.mark.parametrize("text", NASTY, ids=lambda t: repr(t[:20]))
def test_any_label_gives_valid_dot_that_shows_it_and_injects_nothing(text: str) -> None:
    drawing = dot_json(to_dot(everywhere(text)).source)
    assert structure(drawing) == structure(
        dot_json(to_dot(everywhere(same_shape(text))).source)
    )
    assert [t for t in drawn_text(drawing, "v3")[: len(shown(text))]] == shown(text)


_CHARACTERS = st.one_of(
    st.sampled_from([*'\\"<>&][{}|;=.-\n\r\t\x00\x85\u2028', "\ud800", "->", "\\N"]),
    st.characters(exclude_categories=()),  # every code point, lone surrogates too
)


@given(text=st.lists(_CHARACTERS, max_size=30).map("".join))
def test_any_text_anywhere_gives_valid_dot_with_no_extra_nodes_or_attrs(
    text: str,
) -> None:
    drawing = dot_json(to_dot(everywhere(text), legend=False).source)
    harmless = dot_json(to_dot(everywhere(same_shape(text)), legend=False).source)
    assert structure(drawing) == structure(harmless)
    assert drawn_text(drawing, "v3")[: len(shown(text))] == shown(text)


@given(text=st.text(st.characters(exclude_categories=())))
def test_each_context_escapes_every_special_character(text: str) -> None:
    inside = html_text(text)
    assert not re.search("[<>\\]]", inside.replace("<BR/>", "")), inside
    assert re.fullmatch(r'"([^"\\]|\\.)*"', quoted(text))
    for escaped in (inside, quoted(text)):
        escaped.encode("utf-8")  # no lone surrogate left
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", escaped)


def test_a_3000_deep_dotted_label_draws_in_at_most_max_depth_boxes() -> None:
    name = ".".join(["m"] * 3000)
    w = Value(0.5, label=name)
    y = w * 2.0
    y.backward()
    source = to_dot(y).source
    assert len(clusters(source)) == MAX_DEPTH
    drawing = dot_json(source)
    title = drawn_text(drawing, "v0")[0]
    assert title.startswith("m.m.m") and title.endswith("chars)")


@pytest.mark.parametrize(
    "fmt", ["x<20", "<20", ">8.3f", "010.2f", "=+8", "{}", "s", "d", ".500f", ".4g\n"]
)
def test_fmt_must_be_a_number_format(fmt: str) -> None:
    *_, c = product()
    with pytest.raises(ValueError, match=r"fmt .* is not a number format"):
        to_dot(c, fmt=fmt)


@pytest.mark.parametrize(
    "fmt", [".4g", "+.2f", ",.1f", ".3e", ".1%", "", "#.3g", " .2f"]
)
def test_number_formats_are_accepted_and_drawn(fmt: str) -> None:
    *_, c = product()
    dot_json(to_dot(c, fmt=fmt).source)


def test_zero_prints_without_a_sign_whatever_its_sign_bit() -> None:
    assert number(-0.0, ".4g") == "0"
    assert number(-1e-20, ".2f") == "0.00"
    assert number(-0.0, "+.1f") == "+0.0"
    assert number(-1e-20, ".2e") == "-1.00e-20"
    assert number(float("-inf"), ".4g") == "-inf"
    product_of_signs = Value(0.0, label="a") * Value(-1.0, label="b")
    assert math.copysign(1.0, product_of_signs.data) == -1.0
    source = to_dot(product_of_signs).source
    assert '"RIGHT">0<' in source
    assert ">-0<" not in source


_FORMATS = [".4g", ".2f", "+.1f", ".3e", ".0%", ",.1f", "", "g"]


@given(x=st.floats(allow_nan=False), fmt=st.sampled_from(_FORMATS))
def test_a_number_is_formatted_as_asked_except_that_zero_has_no_minus(
    x: float, fmt: str
) -> None:
    text = number(x, fmt)
    plain = format(x, fmt)
    looks_zero = not any(c in plain for c in "123456789") and "0" in plain
    if looks_zero:
        assert not text.startswith("-")
        assert text == format(abs(x), fmt)
    else:
        assert text == plain


def test_a_custom_op_row_renders_from_the_nodes_own_row() -> None:
    cube = Op(
        "cube",
        1,
        lambda x: x**3,
        lambda m, x, out: (3.0 * x * x,),
        "x³",
        "x cubed",
        ((-2.0, 2.0),),
    )
    assert "cube" not in OPS
    x = Value(2.0, label="x")
    y = _apply(cube, (x,))
    y.backward()
    source = to_dot(y).source
    assert 'label="x³"' in source
    assert 'tooltip="cube: x cubed"' in source
    assert "<<I>12</I>>" in source
    # A user's row that happens to be named like a table row is still itself.
    mine = Op(
        "add",
        2,
        lambda a, b: a + b,
        lambda m, a, b, out: (1.0, 1.0),
        "⊕",
        "my add",
        ((-1.0, 1.0), (-1.0, 1.0)),
    )
    terms = [Value(float(i)) for i in range(30)]
    total = terms[0]
    for t in terms[1:]:
        total = _apply(mine, (total, t))
    source = to_dot(total, max_nodes=40).source
    assert "Σ" not in source
    assert 'tooltip="add: my add"' in source


# -- SVG and files through the real dot ---------------------------------------


def test_svg_parses_as_xml_and_contains_every_label(tmp_path: Path) -> None:
    o = neuron()
    path = render(o, tmp_path / "neuron.svg")
    text = svg_text(path.read_text(encoding="utf-8"))
    for label in ("x1", "x2", "w1", "w2", "b", "o", "tanh", "legend"):
        assert label in text


def test_render_picks_the_format_from_the_suffix(tmp_path: Path) -> None:
    *_, c = product()
    assert render(c, tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")
    assert render(c, tmp_path / "g.pdf").read_bytes().startswith(b"%PDF")
    assert render(c, tmp_path / "g.dot").read_text().startswith("digraph")
    assert render(c, tmp_path / "g") == tmp_path / "g.svg"


def test_render_creates_parent_directories_and_leaves_no_temporary_files(
    tmp_path: Path,
) -> None:
    *_, c = product()
    path = render(c, tmp_path / "a" / "b" / "g.svg")
    assert path.exists()
    assert [p.name for p in path.parent.iterdir()] == ["g.svg"]


def test_render_refuses_unknown_suffixes(tmp_path: Path) -> None:
    *_, c = product()
    with pytest.raises(ValueError, match=r"\.svg"):
        render(c, tmp_path / "g.bmp")


# -- modules, collapsing, big graphs ------------------------------------------


def test_an_mlp_clusters_by_module_with_each_neurons_ops_inside() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    y = model([Value(0.5, label="x0"), Value(-1.0, label="x1")])
    assert isinstance(y, Value)
    y.backward()
    boxes = clusters(to_dot(y).source)
    assert {"layers.0", "layers.0.neurons.1", "layers.1.neurons.0"} <= set(boxes)
    neuron_box = boxes["layers.0.neurons.1"]
    assert "<B>w.0</B>" in neuron_box  # names are shown relative to the box
    assert 'label="\N{MULTIPLICATION SIGN}"' in neuron_box
    assert 'label="relu"' in neuron_box
    assert "x0 (input)" not in neuron_box


def test_a_loss_on_a_models_output_is_drawn_outside_its_boxes() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    y = model([Value(0.5), Value(-1.0)])
    assert isinstance(y, Value)
    y.label = "y"
    loss = (y - 1.0) ** 2
    boxes = clusters(to_dot(loss).source)
    assert "<B>y</B>" in boxes["layers.1.neurons.0"]
    assert "label=<<I>-1</I>>" not in boxes["layers.1"]  # d(y - 1)/d(1)


def summed_outputs(sizes: list[int]) -> Value:
    model = nn.MLP(sizes[0], sizes[1:], seed=0)
    outputs = [model([Value(x / 10), Value(-x / 10)]) for x in range(20)]
    total = sum(outputs[1:], outputs[0])
    assert isinstance(total, Value)
    return total


def test_collapse_goes_a_level_up_when_summaries_connect_all_to_all() -> None:
    dense = to_dot(summed_outputs([2, 16, 16, 1]), max_nodes=400).source
    assert "<B>layers.1</B>" in dense
    assert "<B>neurons.3</B>" not in dense
    sparse = to_dot(summed_outputs([2, 16, 1]), max_nodes=400).source
    assert "<B>neurons.3</B>" in sparse


def test_module_argument_names_and_places_parameters() -> None:
    class Tiny:
        def __init__(self) -> None:
            self.w = Value(0.5)

        def named_parameters(self) -> list[tuple[str, Value]]:
            return [("block.w", self.w)]

    tiny = Tiny()
    source = to_dot(tiny.w * 2.0, module=tiny).source
    assert "block.w (parameter)" in source
    assert "<B>block</B>" in source
    tiny.w.label = "weight"
    assert "<B>block</B>" in to_dot(tiny.w * 2.0, module=tiny).source


def test_past_max_nodes_neurons_collapse_into_summary_nodes() -> None:
    loss, _ = moons_step(20, [2, 4, 4, 1])
    source = to_dot(loss, max_nodes=300).source
    assert len(node_ids(source)) <= 300
    boxes = clusters(source)
    assert "<B>neurons.2</B>" in boxes["layers.0"]
    assert 'params</FONT></TD><TD ALIGN="RIGHT">3<' in boxes["layers.0"]
    assert "<B>inputs</B>" in source


def test_sums_fold_into_one_sigma_node_when_collapsing() -> None:
    xs = [Value(float(i), label=f"x{i}") for i in range(50)]
    total = sum(xs[1:], xs[0])
    source = to_dot(total, max_nodes=80).source
    assert 'label="Σ"' in source
    assert "sum of 50 terms" in source
    assert len(re.findall(r"-> v\d+op", source)) == 50


def test_the_65k_node_moons_step_collapses_and_renders() -> None:
    loss, _ = moons_step(100, [2, 16, 16, 1])
    dot = to_dot(loss)
    assert len(node_ids(dot.source)) <= DEFAULT_MAX_NODES
    assert re.search(r"\d\d,\d{3} values drawn in", dot.source)
    text = svg_text(dot.pipe(format="svg").decode())
    for label in ("layers.0", "layers.1", "layers.2", "inputs", "loss"):
        assert label in text


def test_a_deep_chain_is_walked_without_recursion() -> None:
    x = Value(1.0, label="x")
    y = x
    for _ in range(100_000):
        y = y * 1.0
    source = to_dot(y, legend=False).source
    assert "<B>earlier nodes</B>" in source
    assert 'ops</FONT></TD><TD ALIGN="RIGHT">99,8' in source
    assert len(node_ids(source)) <= DEFAULT_MAX_NODES


# -- highlight and heat ---------------------------------------------------------


def test_highlight_draws_the_paths_from_a_value_to_the_root() -> None:
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    other = Value(5.0, label="other")
    y = (x * w) + other
    source = to_dot(y, highlight=x).source
    assert HIGHLIGHT in edge(source, "v0", "v2op")
    assert HIGHLIGHT in edge(source, "v2", "v4op")
    assert HIGHLIGHT not in edge(source, "v1", "v2op")
    assert HIGHLIGHT not in edge(source, "v3", "v4op")


def test_heat_colour_runs_from_blue_through_neutral_to_red_by_decade() -> None:
    assert heat_colour(1.0) == "#f7f7f7"
    assert heat_colour(-1e-4) == heat_colour(1e-9) == "#6baed6"
    assert heat_colour(1e4) == heat_colour(float("inf")) == "#ef6548"
    assert heat_colour(0.0) == "#e5e7eb"


def test_heat_fills_values_by_grad() -> None:
    o = neuron()
    source = to_dot(o, heat=True).source
    assert f'BGCOLOR="{heat_colour(1.0)}"' in source
    assert "|grad| 1e-4" in source


# -- missing Graphviz --------------------------------------------------------------


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


def test_import_autograd_does_not_import_graphviz() -> None:
    done = run_python(
        "import sys, autograd, autograd.viz; print('graphviz' in sys.modules)"
    )
    assert done.stdout.strip() == "False", done.stderr


def test_without_the_graphviz_package_the_error_says_pip_install() -> None:
    done = run_python(
        "import sys; sys.modules['graphviz'] = None\n"
        "from autograd import Value\n"
        "from autograd.viz import to_dot\n"
        "try:\n"
        "    to_dot(Value(1.0))\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    assert "pip install 'scalargrad[viz]'" in done.stdout, done.stderr


def test_without_the_dot_program_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    *_, c = product()
    assert render(c, tmp_path / "g.dot").exists()  # DOT itself needs no program
    with pytest.raises(GraphvizNotFoundError) as info:
        render(c, tmp_path / "g.svg")
    message = str(info.value)
    assert "apt-get install graphviz" in message
    assert "brew install graphviz" in message
    assert not (tmp_path / "g.svg").exists()


def test_repr_svg_shows_the_graph_and_keeps_plain_repr() -> None:
    *_, c = product()
    svg = jupyter_svg(c)
    assert svg is not None
    assert "c" in svg_text(svg)
    assert repr(c) == "Value(data=-6.0, grad=1.0, label='c')"


def test_repr_svg_is_none_without_dot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    *_, c = product()
    assert jupyter_svg(c) is None


# -- the command line -------------------------------------------------------------


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograd.viz", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


def test_cli_help_describes_the_options() -> None:
    done = run_cli("--help")
    assert done.returncode == 0
    for option in ("--output", "--format", "--rankdir", "--max-nodes", "--model"):
        assert option in done.stdout


def test_cli_renders_the_demo_neuron(tmp_path: Path) -> None:
    done = run_cli("-o", str(tmp_path / "n.svg"), "--format", "png", "--rankdir", "TB")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "n.png").read_bytes().startswith(b"\x89PNG")
    assert done.stdout.strip() == str(tmp_path / "n.png")


@pytest.mark.parametrize("kind", FORMATS)
def test_cli_writes_every_format_it_offers(tmp_path: Path, kind: str) -> None:
    # --format lists FORMATS; .html takes the step-through page's options.
    done = run_cli("-o", str(tmp_path / "n.svg"), "--format", kind, "--heat")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / f"n.{kind}").stat().st_size > 0


def test_cli_html_of_a_model_with_several_outputs_is_one_line_and_exit_2(
    tmp_path: Path,
) -> None:
    nn.save(nn.MLP(2, [3, 2], seed=1), tmp_path / "model.json")
    done = run_cli(
        "--model", str(tmp_path / "model.json"), "-o", str(tmp_path / "g.html")
    )
    assert done.returncode == 2
    assert "2 outputs" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "g.html").exists()


def test_cli_without_dot_says_what_to_install(tmp_path: Path) -> None:
    done = run_cli("-o", str(tmp_path / "n.svg"), PATH=str(tmp_path))
    assert done.returncode == 1
    assert "apt-get install graphviz" in done.stderr
    assert not (tmp_path / "n.svg").exists()


def test_without_max_nodes_nothing_collapses() -> None:
    loss, _ = moons_step(20, [2, 4, 4, 1])
    source = to_dot(loss, max_nodes=None, legend=False).source
    assert "<B>neurons.3</B>" not in source
    assert "<B>w.0</B>" in clusters(source)["layers.1.neurons.3"]


def test_cli_renders_a_saved_model(tmp_path: Path) -> None:
    model = nn.MLP(2, [4, 1], seed=3)
    nn.save(model, tmp_path / "model.json")
    out = tmp_path / "model.svg"
    done = run_cli(
        "--model",
        str(tmp_path / "model.json"),
        "--sizes",
        "2",
        "4",
        "1",
        "--input",
        "0.5",
        "-1",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    text = svg_text(out.read_text(encoding="utf-8"))
    weight = model.layers[0].neurons[2].w[1].data
    assert "layers.0.neurons.2" in text
    assert f"{weight:.4g}" in text


def test_cli_reads_sizes_and_activation_from_the_checkpoint(tmp_path: Path) -> None:
    model = nn.MLP(3, [2, 2], activation="tanh", output_activation="sigmoid", seed=1)
    nn.save(model, tmp_path / "model.json")
    out = tmp_path / "model.dot"
    done = run_cli("--model", str(tmp_path / "model.json"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    source = out.read_text(encoding="utf-8")
    assert source.count('label="tanh"') == 2
    assert source.count('label="sigmoid"') == 2
    assert source.count('label="relu"') == 0
    assert "x2 (input)" in source


@pytest.mark.parametrize(
    ("contents", "args", "message"),
    [
        (b"", ("--sizes", "2", "1"), "not an nn.save checkpoint"),
        (b"not json", (), "not an nn.save checkpoint"),
        (b'{"format": "scalargrad.nn", "version": 1, "parameters": {}}', (), "--sizes"),
        (b'{"format": "other"}', ("--sizes", "2", "1"), "not a scalargrad.nn"),
        # Sizes are checked against the parameters listed before anything is
        # built: a 10^10-parameter MLP from a 113-byte file would never finish.
        (
            b'{"format":"scalargrad.nn","version":1,"module":'
            b'"MLP(100000, [100000], activation=\'relu\')","parameters":{}}',
            (),
            "has 10000100000 parameters, the file lists 0",
        ),
        (
            b'{"format": "scalargrad.nn", "version": 1, "parameters": {}}',
            ("--sizes", "100000", "100000"),
            "has 10000100000 parameters, the file lists 0",
        ),
        (None, ("--fmt", "x<20"), "fmt 'x<20'"),
        (None, ("--fmt", "{}"), "fmt '{}'"),
        (None, ("--max-nodes", "-3"), "max_nodes"),
    ],
)
def test_cli_errors_are_one_line_and_exit_2(
    tmp_path: Path, contents: bytes | None, args: tuple[str, ...], message: str
) -> None:
    model_args: tuple[str, ...] = ()
    if contents is not None:
        path = tmp_path / "model.json"
        path.write_bytes(contents)
        model_args = ("--model", str(path))
    done = run_cli(*model_args, *args, "-o", str(tmp_path / "g.svg"))
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "g.svg").exists()


def test_cli_sizes_that_disagree_with_the_checkpoint_are_an_error(
    tmp_path: Path,
) -> None:
    nn.save(nn.MLP(2, [4, 1], seed=0), tmp_path / "model.json")
    done = run_cli("--model", str(tmp_path / "model.json"), "--sizes", "2", "3", "1")
    assert done.returncode == 2
    assert "disagrees" in done.stderr
    done = run_cli(
        "--model", str(tmp_path / "model.json"), "--input", "1", "-o", "/dev/null"
    )
    assert done.returncode == 2
    assert "--input needs 2 numbers" in done.stderr


def test_cli_a_missing_checkpoint_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_cli("--model", str(tmp_path / "nowhere.json"))
    assert done.returncode == 2
    assert done.stderr.strip().endswith("No such file or directory")
    assert "Traceback" not in done.stderr


# -- files, notebooks, order ---------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_render_creates_files_with_the_mode_open_would_give(
    tmp_path: Path, umask: int
) -> None:
    *_, c = product()
    old = os.umask(umask)
    try:
        path = render(c, tmp_path / "g.dot")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_render_keeps_an_existing_files_mode(tmp_path: Path) -> None:
    *_, c = product()
    path = tmp_path / "g.dot"
    path.write_text("old")
    path.chmod(0o640)
    render(c, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text().startswith("digraph")


# A child that renders and, once its temporary file exists, hangs in fsync
# until killed: a render caught mid-way, for real.
HANGING_RENDER = """
import os, sys, time
from autograd import Value
from autograd.viz import render

def hang(fd):
    open(sys.argv[2], "w").close()
    time.sleep(600)

os.fsync = hang
render(Value(2.0) * 3.0, sys.argv[1])
"""


def test_a_render_removes_what_a_killed_render_left(tmp_path: Path) -> None:
    path, marker = tmp_path / "g.dot", tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", HANGING_RENDER, str(path), str(marker)]
    )
    try:
        for _ in range(3000):
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.01)
        assert marker.exists(), "the child render never reached fsync"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    left = [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]
    assert len(left) == 1 and left[0].startswith(".g.dot.")
    assert f".{child.pid}." in left[0]
    *_, c = product()
    render(c, path)
    assert sorted(os.listdir(tmp_path)) == ["g.dot", "marker"]
    assert path.read_text().startswith("digraph")


@pytest.fixture
def notebook() -> Iterator[None]:
    yield
    set_notebook()


def test_set_notebook_turns_the_inline_graph_off_and_on(notebook: None) -> None:
    *_, c = product()
    old = set_notebook(display=False)
    assert old == NotebookSettings(display=True, max_nodes=DEFAULT_MAX_NODES)
    assert notebook_settings() == NotebookSettings(display=False)
    assert jupyter_svg(c) is None
    set_notebook(**vars(old))
    assert jupyter_svg(c) is not None


def test_set_notebook_max_nodes_collapses_the_inline_graph(notebook: None) -> None:
    loss, _ = moons_step(4, [2, 4, 1])
    full = jupyter_svg(loss)
    set_notebook(max_nodes=30)
    small = jupyter_svg(loss)
    assert full is not None and small is not None
    assert "max_nodes=30" in svg_text(small)
    assert len(small) < len(full) / 2


def test_set_notebook_refuses_bad_settings(notebook: None) -> None:
    with pytest.raises(TypeError, match="display"):
        set_notebook(display="no")  # type: ignore[arg-type]
    for bad in (0, -1, True, 2.5):
        with pytest.raises(ValueError, match="max_nodes"):
            set_notebook(max_nodes=bad)  # type: ignore[arg-type]
    assert notebook_settings() == NotebookSettings()


def test_notebook_settings_import_nothing() -> None:
    done = run_python(
        "import sys, autograd, autograd.viz\n"
        "autograd.viz.set_notebook(display=False, max_nodes=10)\n"
        "print(autograd._display.svg(autograd.Value(1.0)), 'graphviz' in sys.modules)"
    )
    assert done.stdout.split() == ["None", "False"], done.stderr


def test_repr_svg_never_raises_it_falls_back_to_the_plain_repr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    *_, c = product()

    def broken(value: Value) -> str:
        raise RuntimeError("any failure to draw")

    monkeypatch.setattr(autograd.viz, "notebook_svg", broken)
    assert jupyter_svg(c) is None
    monkeypatch.setitem(sys.modules, "autograd.viz", None)  # a wheel without viz
    assert jupyter_svg(c) is None


def neuron_order(drawing: dict[str, Any]) -> list[list[int]]:
    """Neuron numbers as drawn, per layer: boxes top to bottom (LR), or
    summaries of collapsed neurons, grouped by their column."""
    layers: dict[str, list[tuple[float, int]]] = {}
    for o in drawing["objects"]:
        title = re.search(
            r"<B>(?:layers\.(\d+)\.)?neurons\.(\d+)</B>", o.get("label", "")
        )
        if title is None:
            continue
        if "bb" in o:  # a box: layers.L.neurons.K
            _, _, _, top = map(float, o["bb"].split(","))
            layer = title.group(1)
        else:  # a summary node neurons.K: its layer is its column
            x, top = map(float, o["pos"].split(","))
            layer = f"x={x}"
        layers.setdefault(layer, []).append((-top, int(title.group(2))))
    return [[k for _, k in sorted(found)] for _, found in sorted(layers.items())]


@pytest.mark.parametrize("sizes", [[2, 3, 1], [2, 6, 6, 1], [3, 12, 1]])
def test_neuron_boxes_are_drawn_in_natural_order(sizes: list[int]) -> None:
    model = nn.MLP(sizes[0], sizes[1:], activation="tanh", seed=0)
    y = model([Value(0.5 * i, label=f"x{i}") for i in range(sizes[0])])
    assert isinstance(y, Value)
    loss = (y - 1.0) ** 2
    loss.backward()
    order = neuron_order(dot_json(to_dot(loss, module=model).source))
    assert order == [list(range(n)) for n in sizes[1:]]


def test_collapsed_neurons_are_drawn_in_natural_order() -> None:
    loss, _ = moons_step(20, [2, 8, 8, 1])
    order = neuron_order(dot_json(to_dot(loss).source))
    assert order == [list(range(8)), list(range(8)), [0]]


@pytest.mark.parametrize("label", ["nul\x00x", "lone \ud800 surrogate"])
def test_the_page_title_carries_no_undrawable_character(
    label: str, tmp_path: Path
) -> None:
    """The <title> took the root's label raw: NUL in the page, and a lone
    surrogate made render(root, 'graph.html') a UnicodeEncodeError."""
    x = Value(1.0, label=label)
    y = x * 2.0
    y.label = label
    page = to_html(y)
    assert "\x00" not in page
    assert "\ud800" not in page
    page.encode("utf-8")  # what a file write needs


def test_the_step_through_page_draws_nn_parameters_as_parameters() -> None:
    neuron = nn.Neuron(2, seed=0)  # "b" has no dot: only nn's mark names it
    page = to_html(neuron([1.0, 2.0]))
    boxes = r'<g class="node">\s*<title>\w+</title>\s*<\w+ fill="(#\w+)"[^>]*>'
    fills = {
        label: fill
        for fill, label in re.findall(boxes + r"\s*<text[^>]*>([^<]*)</text>", page)
    }
    assert [fills[name] for name in ("w.0", "w.1", "b")] == [
        ROLE_COLOURS[PARAMETER][0]
    ] * 3
