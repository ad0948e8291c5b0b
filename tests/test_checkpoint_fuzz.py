"""Checkpoints under attack (README "Guarantees"): `nn.load` given truncated,
bit-flipped, wrong-type and hostile files raises `nn.CheckpointError` (a
ValueError) and leaves the module bit-for-bit as it was; `nn.save`
interrupted at any step leaves the previous file intact.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn
from nn import MLP, CheckpointError, load, save
from nn.serialize import MAX_BYTES

Bits = list[tuple[str, bytes]]


def _bits(module: nn.Module) -> Bits:
    """Every parameter's name and exact bytes: -0.0 and 0.0 differ here."""
    return [(name, struct.pack("<d", x)) for name, x in module.state_dict().items()]


def _model(seed: int = 0) -> MLP:
    return MLP(2, [3, 1], seed=seed)


@pytest.fixture
def checkpoint(tmp_path: Path) -> tuple[Path, bytes, Bits]:
    """A saved MLP(2, [3, 1]): its path, its bytes, its parameters' bits."""
    model = _model(seed=0)
    path = tmp_path / "model.json"
    save(model, path)
    return path, path.read_bytes(), _bits(model)


def _rejected(path: Path, module: nn.Module | None = None) -> CheckpointError:
    """Load must raise CheckpointError and change nothing; the error, for messages."""
    module = module if module is not None else _model(seed=1)
    before = _bits(module)
    with pytest.raises(CheckpointError) as info:
        load(path, module)
    assert _bits(module) == before
    assert isinstance(info.value, ValueError)
    return info.value


def _loaded_or_rejected(path: Path) -> MLP | None:
    """Load into a fresh model: the model if accepted, None if rejected unchanged."""
    model = _model(seed=1)
    before = _bits(model)
    try:
        load(path, model)
    except CheckpointError:
        assert _bits(model) == before
        return None
    return model


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _document(parameters: Any, **fields: Any) -> str:
    doc = {"format": "scalargrad.nn", "version": 1, "parameters": parameters}
    doc.update(fields)
    return json.dumps(doc)


def _names() -> list[str]:
    return list(_model().state_dict())


# -- corruption of a real checkpoint ------------------------------------------


def test_a_round_trip_is_bit_exact(checkpoint: tuple[Path, bytes, Bits]) -> None:
    path, _, saved = checkpoint
    model = _model(seed=1)
    assert _bits(model) != saved
    assert load(path, model) is model
    assert _bits(model) == saved


def test_every_truncation_is_rejected_and_changes_nothing(
    checkpoint: tuple[Path, bytes, Bits], tmp_path: Path
) -> None:
    _, raw, saved = checkpoint
    complete = len(raw.rstrip())  # cutting only trailing whitespace is harmless
    target = tmp_path / "cut.json"
    for k in range(len(raw)):
        _write(target, raw[:k])
        if k < complete:
            _rejected(target)
        else:
            model = _model(seed=1)
            load(target, model)
            assert _bits(model) == saved


def test_every_single_bit_flip_is_rejected_or_changes_no_parameter(
    checkpoint: tuple[Path, bytes, Bits], tmp_path: Path
) -> None:
    _, raw, saved = checkpoint
    target = tmp_path / "flipped.json"
    model = _model(seed=1)
    initial = model.state_dict()
    before = _bits(model)
    rejected = 0
    for i in range(len(raw)):
        for bit in range(8):
            corrupt = bytearray(raw)
            corrupt[i] ^= 1 << bit
            _write(target, bytes(corrupt))
            try:
                load(target, model)
            except CheckpointError:
                assert _bits(model) == before, (i, bit)
                rejected += 1
                continue
            # Accepted only if harmless: a flip in the "module" description,
            # or a last digit that reads back as the same double.
            assert _bits(model) == saved, f"byte {i} bit {bit} changed a parameter"
            model.load_state_dict(initial)
    assert rejected > 0.9 * 8 * len(raw)


# -- wrong types and shapes -----------------------------------------------------


def _value(**override: Any) -> dict[str, Any]:
    state: dict[str, Any] = dict.fromkeys(_names(), 0.5)
    state.update(override)
    return state


WRONG = {
    "empty file": "",
    "whitespace": " \n\t ",
    "json null": "null",
    "json list": "[]",
    "json string": '"scalargrad.nn"',
    "json number": "1",
    "empty object": "{}",
    "no format": json.dumps({"version": 1, "parameters": {}}),
    "other format": _document(_value(), format="pickle"),
    "format not a string": _document(_value(), format=["scalargrad.nn"]),
    "version missing": json.dumps({"format": "scalargrad.nn", "parameters": _value()}),
    "version as string": _document(_value(), version="1"),
    "version as float": _document(_value(), version=1.0),
    "version as bool": _document(_value(), version=True),
    "version from the future": _document(_value(), version=2),
    "unknown field": _document(_value(), extra={"__class__": "os.system"}),
    "module not a string": _document(_value(), module={"__reduce__": "rm"}),
    "parameters missing": json.dumps({"format": "scalargrad.nn", "version": 1}),
    "parameters a list": _document([0.5] * 13),
    "parameters a string": _document("0.5"),
    "parameters null": _document(None),
    "a parameter missing": _document({k: 0.5 for k in _names()[1:]}),
    "a parameter extra": _document(_value(**{"layers.9.w.0": 0.5})),
    "a value a string": _document(_value(**{_names()[0]: "0.5"})),
    "a value a bool": _document(_value(**{_names()[0]: True})),
    "a value null": _document(_value(**{_names()[0]: None})),
    "a value a list": _document(_value(**{_names()[0]: [0.5]})),
    "a value an object": _document(_value(**{_names()[0]: {"real": 0.5}})),
    "a duplicate key": _document(_value()).replace(
        '"parameters": {', f'"parameters": {{"{_names()[0]}": 1.0, ', 1
    ),
    "a duplicate top-level key": _document(_value())[:-1] + ', "version": 1}',
    "trailing garbage": _document(_value()) + " {}",
    "python literal": _document(_value()).replace("0.5", "float('nan')", 1),
    "hex number": _document(_value()).replace("0.5", "0x1p-1", 1),
    "javascript comment": "// hi\n" + _document(_value()),
}


@pytest.mark.parametrize("text", WRONG.values(), ids=WRONG.keys())
def test_a_wrong_shape_or_type_is_rejected_and_changes_nothing(
    text: str, tmp_path: Path
) -> None:
    _rejected(_write(tmp_path / "wrong.json", text))


PATHLIKE_KEYS = [
    "../../etc/passwd",
    "/etc/passwd",
    "..\\..\\windows\\system32",
    "layers.0.neurons.0.w.0/../../x",
    "C:\\x",
    "~/.ssh/id_rsa",
    "\u0000",
    "layers.0.neurons.0.w.0\u0000",
    "\ud800",
    "__class__",
    "__proto__",
    "",
]


@pytest.mark.parametrize("key", PATHLIKE_KEYS)
def test_keys_with_path_characters_are_only_ever_compared_not_used(
    key: str, tmp_path: Path
) -> None:
    before = sorted(os.listdir(tmp_path))
    error = _rejected(_write(tmp_path / "keys.json", _document(_value(**{key: 0.5}))))
    assert "unexpected" in str(error)
    assert sorted(os.listdir(tmp_path)) == [*before, "keys.json"]


# -- hostile numbers, encodings and sizes ---------------------------------------

HOSTILE_NUMBERS = {
    "1e999": "1e999",
    "-1e999": "-1e999",
    "NaN literal": "NaN",
    "Infinity literal": "Infinity",
    "-Infinity literal": "-Infinity",
    "5000-digit int": "9" * 5000,
    "400-digit int": "9" * 400,
    "huge exponent": "1e99999999999999999999",
}


@pytest.mark.parametrize("number", HOSTILE_NUMBERS.values(), ids=HOSTILE_NUMBERS.keys())
def test_numbers_that_are_not_finite_floats_are_rejected(
    number: str, tmp_path: Path
) -> None:
    text = _document(_value()).replace("0.5", number, 1)
    error = _rejected(_write(tmp_path / "number.json", text))
    assert len(str(error)) < 1000


def test_a_number_too_small_for_a_float_loads_as_its_nearest_double(
    tmp_path: Path,
) -> None:
    # 1e-400 is a finite JSON number; like float("1e-400") it reads as 0.0.
    text = _document(_value()).replace("0.5", "1e-400", 1)
    model = load(_write(tmp_path / "tiny.json", text), _model())
    assert model.state_dict()[_names()[0]] == 0.0


def test_ints_in_a_hand_written_file_load_as_floats(tmp_path: Path) -> None:
    text = _document(dict.fromkeys(_names(), 1))
    model = load(_write(tmp_path / "ints.json", text), _model())
    assert all(type(x) is float and x == 1.0 for x in model.state_dict().values())


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(b"\xff\xfe" + _document(_value()).encode("utf-16-le"), id="utf16"),
        pytest.param(_document(_value()).encode("utf-32"), id="utf32"),
        pytest.param(b"\x80" + _document(_value()).encode(), id="stray_byte"),
        pytest.param(_document(_value()).encode()[:-1] + b"\xc3", id="cut_utf8"),
        pytest.param(b"\x00" * 4096, id="nul_bytes"),
        pytest.param(random.Random(0).randbytes(4096), id="random_bytes"),
        pytest.param(b"\x80\x04\x95" + b"\x00" * 64, id="pickle_header"),
    ],
)
def test_bytes_that_are_not_utf8_json_are_rejected(
    encoded: bytes, tmp_path: Path
) -> None:
    _rejected(_write(tmp_path / "bytes.json", encoded))


def test_a_file_larger_than_the_limit_is_rejected_without_parsing(
    tmp_path: Path,
) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: large on paper, cheap on disk
    error = _rejected(big)
    assert "max_bytes" in str(error)


def test_max_bytes_bounds_what_load_reads(
    checkpoint: tuple[Path, bytes, Bits],
) -> None:
    path, raw, _ = checkpoint
    model = _model(seed=1)
    before = _bits(model)
    with pytest.raises(CheckpointError, match="max_bytes"):
        load(path, model, max_bytes=len(raw) - 1)
    assert _bits(model) == before


def test_a_huge_string_value_gives_a_short_message(tmp_path: Path) -> None:
    text = _document(_value(**{_names()[0]: "x" * 10**6}))
    assert len(str(_rejected(_write(tmp_path / "s.json", text)))) < 1000


def test_a_huge_list_value_gives_a_short_message(tmp_path: Path) -> None:
    text = _document(_value(**{_names()[0]: [0.5] * 10**5}))
    assert len(str(_rejected(_write(tmp_path / "l.json", text)))) < 1000


def test_a_hundred_thousand_unexpected_keys_give_a_short_message(
    tmp_path: Path,
) -> None:
    state = _value(**{f"k{i}": 0.5 for i in range(10**5)})
    error = _rejected(_write(tmp_path / "keys.json", _document(state)))
    assert len(str(error)) < 1000


_DEEP = textwrap.dedent(
    """
    import json, sys
    from nn import MLP, CheckpointError, load
    depth = 10**5
    cases = {
        "arrays": "[" * depth + "]" * depth,
        "objects": '{"a":' * depth + "1" + "}" * depth,
        "in a value": '{"format": "scalargrad.nn", "version": 1, "parameters": '
        '{"x": ' + "[" * depth + "]" * depth + "}}",
        "unclosed": "[" * (10 * depth),
    }
    results = {}
    for name, text in cases.items():
        path = sys.argv[1] + "/deep.json"
        with open(path, "w") as f:
            f.write(text)
        model = MLP(2, [3, 1], seed=0)
        before = model.state_dict()
        try:
            load(path, model)
            results[name] = "loaded"
        except CheckpointError:
            same = [v.hex() for v in model.state_dict().values()] == [
                v.hex() for v in before.values()
            ]
            results[name] = "CheckpointError" if same else "changed"
    print(json.dumps(results))
    """
)


def test_deep_nesting_is_rejected_without_crashing_the_interpreter(
    tmp_path: Path,
) -> None:
    # In a child process: a C stack overflow would kill it, not the test run.
    run = subprocess.run(
        [sys.executable, "-c", _DEEP, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,  # a bound on a hang, not a speed claim
        check=False,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert results == dict.fromkeys(results, "CheckpointError")
    assert len(results) == 4


def test_a_missing_file_is_an_os_error_and_changes_nothing(tmp_path: Path) -> None:
    model = _model()
    before = _bits(model)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "absent.json", model)
    with pytest.raises(IsADirectoryError):
        load(tmp_path, model)
    assert _bits(model) == before


def test_loading_into_a_different_architecture_is_rejected(
    checkpoint: tuple[Path, bytes, Bits],
) -> None:
    path, _, _ = checkpoint
    for other in (MLP(2, [4, 1], seed=0), MLP(3, [3, 1], seed=0), MLP(2, [3], seed=0)):
        _rejected(path, other)


# -- interrupted saves ----------------------------------------------------------


class _Crash(BaseException):
    """Stands in for a crash, a full disk or Ctrl-C at one step of a save."""


class _FaultPlan:
    """Counts the file-system steps of a save and raises at step `fail_at`."""

    def __init__(self, fail_at: int) -> None:
        self.fail_at = fail_at
        self.steps: list[str] = []

    def step(self, name: str) -> None:
        self.steps.append(name)
        if len(self.steps) - 1 == self.fail_at:
            raise _Crash(f"interrupted at step {self.fail_at} ({name})")

    def wrap(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def faulty(*args: Any, **kwargs: Any) -> Any:
            self.step(name)
            return real(*args, **kwargs)

        return faulty


class _FaultyFile:
    """A file object whose writes can be interrupted half way through."""

    def __init__(self, real: Any, plan: _FaultPlan) -> None:
        self._real = real
        self._plan = plan

    def write(self, data: bytes) -> int:
        half = len(data) // 2
        self._real.write(data[:half])
        self._plan.step("write (second half)")
        return int(self._real.write(data[half:])) + half

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if name in ("flush", "close"):
            return self._plan.wrap(name, attr)
        return attr

    def __enter__(self) -> _FaultyFile:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._plan.step("close")
        finally:
            self._real.close()  # the test's own bookkeeping, not the save's


@pytest.fixture
def fault_points(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[int], _FaultPlan]]:
    """Install a fault plan over every os/tempfile call a save may make."""

    def install(fail_at: int) -> _FaultPlan:
        plan = _FaultPlan(fail_at)
        real_fdopen, real_open = os.fdopen, open
        for module, name in [
            (os, "replace"),
            (os, "rename"),
            (os, "fsync"),
            (os, "chmod"),
            (os, "write"),
            (os, "open"),
            (os, "close"),
            (tempfile, "mkstemp"),
            (tempfile, "NamedTemporaryFile"),
        ]:
            monkeypatch.setattr(module, name, plan.wrap(name, getattr(module, name)))
        monkeypatch.setattr(
            os, "fdopen", lambda *a, **k: _FaultyFile(real_fdopen(*a, **k), plan)
        )
        monkeypatch.setattr(
            "builtins.open", lambda *a, **k: _FaultyFile(real_open(*a, **k), plan)
        )
        return plan

    yield install
    monkeypatch.undo()


def test_a_save_interrupted_at_every_step_leaves_the_old_file_intact(
    checkpoint: tuple[Path, bytes, Bits],
    fault_points: Callable[[int], _FaultPlan],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, old_bytes, old_bits = checkpoint
    new_model = _model(seed=7)
    fail_at = 0
    while True:
        plan = fault_points(fail_at)
        try:
            save(new_model, path)
        except _Crash:
            pass
        else:
            break
        finally:
            monkeypatch.undo()
        # Interrupted: the target is the old file or the new one, complete.
        current = path.read_bytes()
        assert current == old_bytes or json.loads(current)["parameters"] == dict(
            new_model.state_dict()
        ), plan.steps
        assert sorted(os.listdir(path.parent)) == [path.name], plan.steps
        model = _model(seed=3)
        load(path, model)
        assert _bits(model) in (old_bits, _bits(new_model)), plan.steps
        fail_at += 1
    assert fail_at >= 4, f"only {fail_at} interruptible steps: {plan.steps}"
    model = _model(seed=3)
    load(path, model)
    assert _bits(model) == _bits(new_model)


def test_an_interrupted_first_save_leaves_no_file_behind(
    tmp_path: Path,
    fault_points: Callable[[int], _FaultPlan],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "first.json"
    for fail_at in range(3):
        fault_points(fail_at)
        with pytest.raises(_Crash):
            save(_model(), path)
        monkeypatch.undo()
        assert os.listdir(tmp_path) == []


def test_a_save_of_a_non_finite_parameter_fails_before_touching_the_file(
    checkpoint: tuple[Path, bytes, Bits],
) -> None:
    path, old_bytes, _ = checkpoint
    model = _model()
    model.parameters()[0]._data = float("nan")  # only the slot can hold nan now
    with pytest.raises(ValueError, match="cannot save"):
        save(model, path)
    assert path.read_bytes() == old_bytes
    assert sorted(os.listdir(path.parent)) == [path.name]


# -- random fuzzing (thousands of files under `make fuzz`) ------------------------

_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
_numbers = st.floats(allow_nan=False, allow_infinity=False) | st.integers()
_json_values = st.recursive(
    _json_scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.text(max_size=20), inner, max_size=5)
    ),
    max_leaves=10,
)


@pytest.mark.slow
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parameters=st.one_of(
        _json_values,
        st.dictionaries(st.sampled_from(_names()), _json_scalars),
        st.fixed_dictionaries({k: _numbers for k in _names()}),
        st.fixed_dictionaries({k: _numbers | _json_scalars for k in _names()}),
    )
)
def test_random_json_is_loaded_exactly_or_rejected_without_change(
    parameters: Any, tmp_path: Path
) -> None:
    model = _loaded_or_rejected(_write(tmp_path / "random.json", _document(parameters)))
    if model is None:
        return
    assert isinstance(parameters, dict)
    assert model.state_dict() == {k: float(v) for k, v in parameters.items()}


@pytest.mark.slow
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1)
)
def test_random_byte_corruption_is_rejected_or_harmless(
    edits: list[tuple[int, int]], checkpoint: tuple[Path, bytes, Bits], tmp_path: Path
) -> None:
    _, raw, saved = checkpoint
    corrupt = bytearray(raw)
    for position, byte in edits:
        corrupt[position % len(corrupt)] = byte
    model = _loaded_or_rejected(_write(tmp_path / "corrupt.json", bytes(corrupt)))
    if model is None:
        return
    # Accepted: only the human-readable "module" text may have changed.
    assert _bits(model) == saved


# -- the architecture a file records ---------------------------------------------

_architectures = st.builds(
    lambda nin, nouts, activation, last: MLP(
        nin, nouts, activation=activation, output_activation=last, seed=nin
    ),
    st.integers(1, 3),
    st.lists(st.integers(1, 3), min_size=1, max_size=3),
    st.sampled_from(sorted(nn.ACTIVATIONS)),
    st.sampled_from(sorted(nn.ACTIVATIONS)),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(saved=_architectures, other=_architectures)
def test_a_file_loads_into_its_architecture_only(
    saved: MLP, other: MLP, tmp_path: Path
) -> None:
    path = tmp_path / "model.json"
    save(saved, path)
    twin = MLP(
        saved.nin,
        saved.nouts,
        saved.activation,
        seed=99,
        output_activation=saved.output_activation,
    )
    assert _bits(load(path, twin)) == _bits(saved)
    if repr(other) == repr(saved):
        return
    # Another size, activation or output activation: even with the same
    # parameter names (only an activation differs), the file does not fit.
    error = _rejected(path, other)
    assert repr(saved) in str(error) and repr(other) in str(error)


def test_a_file_saved_with_tanh_does_not_load_into_relu(tmp_path: Path) -> None:
    save(MLP(2, [4, 1], activation="tanh", seed=0), tmp_path / "m.json")
    _rejected(tmp_path / "m.json", MLP(2, [4, 1], activation="relu"))


@pytest.mark.parametrize(
    "record",
    [
        "MLP(100000, [100000], activation='relu')",
        "MLP(2, [3, 2], activation='relu')",
        "Layer(2, 3, activation='relu')",
        "Neuron(8, activation='relu')",
        "MLP(parameters=10)",
        "MLP(1" + "0" * 17 + ", [1], activation='relu')",
    ],
)
def test_a_record_that_disagrees_with_the_parameters_listed_is_rejected(
    record: str, tmp_path: Path
) -> None:
    path = _write(tmp_path / "m.json", _document(_value(), module=record))
    with pytest.raises(CheckpointError, match="parameters, the file lists 13"):
        nn.serialize.read(path)
    _rejected(path)


def test_a_record_of_the_parameters_listed_is_read(tmp_path: Path) -> None:
    for record in ("MLP(2, [3, 1], activation='relu')", "Thing(parameters=13)", ""):
        path = _write(tmp_path / "m.json", _document(_value(), module=record))
        assert nn.serialize.read(path).module == record


def test_sizes_are_checked_against_the_file_before_a_model_is_built(
    checkpoint: tuple[Path, bytes, Bits], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _, saved = checkpoint
    read = nn.serialize.read(path)

    def refuse(*args: Any, **kwargs: Any) -> MLP:
        raise AssertionError(f"built MLP{args} before checking its size")

    with monkeypatch.context() as patch:
        patch.setattr(nn.serialize, "MLP", refuse)
        for nin, nouts in ((100000, [100000]), (2, [4, 1]), (3, [3, 1])):
            with pytest.raises(CheckpointError, match="the file lists 13"):
                read.build_mlp(nin, nouts)
    assert read.architecture() == {
        "nin": 2,
        "nouts": [3, 1],
        "activation": "relu",
        "output_activation": "linear",
    }
    assert _bits(read.build_mlp(2, [3, 1])) == saved


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sizes=st.lists(st.integers(1, 3) | st.integers(1, 10**6), min_size=2, max_size=6),
    listed=st.none() | st.integers(0, 40),
)
def test_a_record_is_read_only_with_as_many_parameters_as_it_implies(
    sizes: list[int], listed: int | None, tmp_path: Path
) -> None:
    record = f"MLP({sizes[0]}, {sizes[1:]}, activation='relu')"
    implied = sum((n + 1) * m for n, m in itertools.pairwise(sizes))
    # None: list as many as the record implies, where that is a small file.
    count = min(implied, 200) if listed is None else listed
    parameters = {f"p{k}": 0.5 for k in range(count)}
    path = _write(tmp_path / "m.json", _document(parameters, module=record))
    if implied == count:
        assert nn.serialize.read(path).parameters == parameters
    else:
        with pytest.raises(CheckpointError, match=f"has {implied} parameters"):
            nn.serialize.read(path)
