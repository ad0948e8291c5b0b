"""autograd/_generated.py is what `make gen` writes from the op table, wired in."""

from __future__ import annotations

import dataclasses
import importlib
import inspect

import pytest

import autograd
from autograd import Value, _ccodegen, _generate, _generated, core
from autograd._select import compiled_core, source_digest
from autograd.ops import OPS


def test_regenerating_changes_nothing() -> None:
    assert _generate.GENERATED.read_text() == _generate.module_source(), (
        "autograd/_generated.py is out of date: run `make gen`"
    )


def test_regenerating_the_stub_changes_nothing() -> None:
    assert _generate.STUB.read_text() == _generate.stub_source(), (
        "autograd/_generated.pyi is out of date: run `make gen`"
    )


def test_the_check_mode_says_whether_the_file_is_up_to_date() -> None:
    assert _generate.main(["--check"]) == 0


def test_regenerating_the_compiled_core_changes_nothing() -> None:
    assert _ccodegen.COMPILED.read_text() == _ccodegen.module_source(), (
        "autograd/_ccore.pyx is out of date: run `make gen`"
    )


def test_make_gens_check_mode_covers_the_compiled_core() -> None:
    assert _ccodegen.main(["--check"]) == 0


def test_the_compiled_core_is_built_from_the_source_beside_it() -> None:
    core = importlib.import_module("autograd._ccore")
    assert source_digest(_ccodegen.COMPILED.read_text()) == core.SOURCE_DIGEST


def test_a_stale_build_of_the_compiled_core_is_refused_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    core = importlib.import_module("autograd._ccore")
    monkeypatch.delenv("SCALARGRAD_PURE", raising=False)
    monkeypatch.setattr(core, "SOURCE_DIGEST", "0" * 16)
    with pytest.warns(RuntimeWarning, match="older autograd/_ccore.pyx"):
        assert compiled_core() is None
    monkeypatch.setenv("SCALARGRAD_PURE", "1")
    assert compiled_core() is None


def test_generated_code_names_its_helpers_and_the_mode() -> None:
    source = _generate.GENERATED.read_text()
    assert "_cg_" not in source
    assert "mode_get() != RECORDING" in source
    assert "mode_get() != 1" not in source


def test_the_op_functions_make_nodes_of_the_class_that_subclasses_value_ops() -> None:
    assert type(core.mul(Value(2.0), 3.0)) is Value
    if autograd.CORE == "python":
        assert _generated.Value is Value
    else:  # the compiled core's own functions and class
        assert core.mul is importlib.import_module("autograd._ccore").mul


@pytest.mark.parametrize("name", list(OPS))
def test_every_row_has_a_real_function_with_its_doc(name: str) -> None:
    function = _generated.FUNCTIONS[name]
    assert inspect.getsourcefile(function) == _generated.__file__
    assert (function.__doc__ or "").split() == OPS[name].doc.split()


def test_operators_and_methods_are_the_generated_functions() -> None:
    if autograd.CORE == "python":
        assert Value.__mul__ is _generated.mul and Value.__rsub__ is _generated.rsub
        assert Value.__neg__ is _generated.neg and Value.tanh is _generated.tanh
        assert autograd.exp is _generated.exp
    else:  # the compiled core's functions, and methods calling the same C code
        compiled = importlib.import_module("autograd._ccore")
        assert autograd.exp is compiled.exp and core.FUNCTIONS is compiled.FUNCTIONS
        assert compiled.FUNCTIONS["mul"] is compiled.mul


@pytest.mark.parametrize("name", _generated.__all__)
def test_public_functions_take_values_and_numbers(name: str) -> None:
    function = getattr(autograd, name)
    x = OPS[name].sample[0][0] + 0.25
    assert function(x) == OPS[name].forward(x)
    node = function(Value(x))
    assert isinstance(node, Value) and node.data == OPS[name].forward(x)


def test_a_new_row_is_picked_up_by_the_generator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row = dataclasses.replace(OPS["tanh"], name="tanh2", symbol="tanh2")
    monkeypatch.setitem(OPS, "tanh2", row)
    source = _generate.module_source()
    assert "def tanh2(a: Value | float) -> Value | float:" in source
    assert "    tanh2 = tanh2\n" in source  # the method
    assert '"tanh2",' in source  # `__all__`
    assert '_row_tanh2 = OPS["tanh2"]' in source
