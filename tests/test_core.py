"""The core and its seam: what `autograd.core` provides, and what the layers
above may rely on (see README "How the engine works")."""

from __future__ import annotations

import ast
import copy
import copyreg
import inspect
import pickle
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import grimp
import pytest

from autograd import Value, _generated, core, value
from autograd._anomaly import detect_anomaly
from autograd._watched import WatchedAdjoints, adjoint_table
from autograd.graph import topological_order

ROOT = Path(__file__).resolve().parents[1]

SEAM = {
    "CORE",
    "Value",
    "FUNCTIONS",
    "apply",
    "leaf",
    "reference_backward",
    "backward_fast",
    "backward_order",
    "backward_with_order",
    *_generated.FUNCTIONS,
}


def test_the_seam_exports_the_node_the_op_functions_and_the_sweeps() -> None:
    assert set(core.__all__) == SEAM
    assert core.FUNCTIONS.keys() == _generated.FUNCTIONS.keys()
    assert (core.FUNCTIONS is _generated.FUNCTIONS) == (core.CORE == "python")
    for name in _generated.FUNCTIONS:
        assert getattr(core, name) is core.FUNCTIONS[name]
        assert f"``{name}``" in (core.__doc__ or "")


def test_only_the_seam_and_the_core_import_the_core_modules() -> None:
    graph = grimp.build_graph("autograd", "nn")
    core_modules = {"autograd.value", "autograd._sweep", "autograd._generated"}
    # The core's own modules, and the layers under `value.py` it calls.
    inside = core_modules | {"autograd.core", "autograd._create_graph"}
    for module in core_modules:
        assert graph.find_modules_that_directly_import(module) <= inside, module


def _statements(function: object) -> list[ast.stmt]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))  # type: ignore[arg-type]
    body = tree.body[0].body  # type: ignore[attr-defined]
    found = [s for node in body[1:] for s in ast.walk(node) if isinstance(s, ast.stmt)]
    return found  # the docstring (body[0]) is not a statement of the math


def test_reference_backward_is_the_chain_rule_in_twelve_statements_or_fewer() -> None:
    statements = _statements(core.reference_backward)
    assert len(statements) <= 12
    source = inspect.getsource(core.reference_backward)
    for word in ("hook", "anomaly", "check", "_mode", "tracer"):
        assert word not in source.split('"""')[2], word
    assert "adjoint[p] = adjoint.get(p, 0.0) + local * g" in source


def test_a_plain_and_a_watched_table_give_the_same_gradients() -> None:
    def graph() -> tuple[Value, Value]:
        x = Value(0.3)
        return x, ((x * x).sin() + x * 2.0).tanh() * x

    (x1, y1), (x2, y2) = graph(), graph()
    core.reference_backward(y1, 1.5)
    core.reference_backward(y2, 1.5, WatchedAdjoints(topological_order(y2), True))
    assert x1.grad == x2.grad


def test_a_pass_is_watched_only_when_a_hook_or_anomaly_mode_asks() -> None:
    x = Value(2.0)
    y = x * x
    assert type(adjoint_table(topological_order(y))) is dict
    with detect_anomaly():
        assert isinstance(adjoint_table(topological_order(y)), WatchedAdjoints)
    handle = x.register_hook(lambda g: g)
    assert isinstance(adjoint_table(topological_order(y)), WatchedAdjoints)
    handle.remove()


def test_a_watched_pass_names_the_step_whose_gradient_is_not_finite() -> None:
    x = Value(0.0)
    y = x.sqrt() * 3.0
    with detect_anomaly(), pytest.raises(FloatingPointError, match="'sqrt'"):
        y.backward()


def test_the_op_functions_learn_the_node_class_from_its_definition() -> None:
    if core.CORE == "python":
        assert _generated.Value is value.Value
        assert Value.__mul__ is _generated.mul and Value.__pow__ is _generated.pow
    else:  # the compiled core's class has its own op functions and methods
        assert type(core.mul(Value(2.0), 3.0)) is value.Value is Value


def test_pickling_is_registered_with_copyreg_not_defined_by_the_core() -> None:
    assert Value in copyreg.dispatch_table
    source = inspect.getsource(value)
    assert "_pickle" not in source.replace("autograd._pickle", "")


def test_the_core_defines_no_display_and_never_imports_viz() -> None:
    assert not hasattr(Value, "_repr_svg_")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, autograd.core; print('autograd.viz' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_importing_autograd_in_ipython_registers_the_svg_formatter() -> None:
    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "from autograd import Value, _display\n"
        "formatter = shell.display_formatter.formatters['image/svg+xml']\n"
        "print(formatter.lookup(Value(1.0)) is _display.svg)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "True", done.stderr


def test_outside_ipython_nothing_is_registered() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import autograd._display as d; print(d.register())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_the_layer_contracts_hold() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value(1.5),
        lambda: Value(1.5, _op="leaf", label="x"),
        lambda: Value(1.5) * Value(2.0),
        lambda: Value(1.5).exp(),
        lambda: copy.copy(Value(1.5) * 2.0),
        lambda: copy.deepcopy(Value(1.5) * 2.0),
        lambda: pickle.loads(pickle.dumps(Value(1.5) + 1.0)),
    ],
)
def test_every_way_of_making_a_node_leaves_it_outside_any_pass(
    make: Callable[[], Value],
) -> None:
    v = make()
    assert v._g is None
    v._g = 0.0
    assert v._g == 0.0
    v._g = None
    assert v._g is None


def test_a_gradient_is_a_float_or_a_value_whichever_was_assigned_last() -> None:
    x = Value(2.0)
    (x * x).backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 4.0
    x.grad = 0
    assert x.grad == 0.0 and type(x.grad) is float
    (x * x).backward()
    assert x.grad == 4.0
    x._grad = Value(1.0)
    (x * 3.0).backward()
    assert isinstance(x.grad, Value) and x.grad.data == 4.0
