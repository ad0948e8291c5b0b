"""Tests for `autograd.viz`: DOT text, SVG through the real `dot`, collapsing, CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import nn
from autograd import Value
from autograd.viz import (
    DEFAULT_MAX_NODES,
    GraphvizNotFoundError,
    heat_colour,
    render,
    to_dot,
    to_svg,
)

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
    assert re.search(r'label=tanh .*tooltip="tanh: hyperbolic tangent', source)


def test_constants_are_drawn_as_constant_nodes_whose_edges_carry_no_derivative() -> (
    None
):
    # No gradient flows into a constant; pow's d/dexponent at a negative base is
    # not even defined, so a constant's edge shows no number at all.
    x = Value(-4.0, label="x")
    y = 3.0 * x**2
    source = to_dot(y).source
    assert re.search(r"^\s*v1c1 \[label=2 ", source, flags=re.M)
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
    assert "rankdir=TB" in to_dot(c, rankdir="TB").source


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
    assert "label=relu" in neuron_box
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
    svg = c._repr_svg_()
    assert svg is not None
    assert "c" in svg_text(svg)
    assert repr(c) == "Value(data=-6.0, grad=1.0, label='c')"


def test_repr_svg_is_none_without_dot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    *_, c = product()
    assert c._repr_svg_() is None


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
