"""nn.serialize: bit-exact round trips, the file format, atomic writes, and
the malformed-file cases (the exhaustive fuzzing is in test_checkpoint_fuzz)."""

from __future__ import annotations

import json
import math
import os
import stat
import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn.serialize
from nn import MLP, CheckpointError, load, save


def bits(model: MLP) -> list[bytes]:
    return [struct.pack("<d", x) for x in model.state_dict().values()]


def test_save_then_load_restores_every_float_bit_for_bit(tmp_path: Path) -> None:
    source = MLP(2, [3, 1], seed=1)
    specials = [-0.0, 5e-324, 1e308, 0.1, 1 / 3, -2.2250738585072014e-308]
    for p, x in zip(source.parameters(), specials, strict=False):
        p.data = x
    save(source, tmp_path / "m.json")
    target = load(tmp_path / "m.json", MLP(2, [3, 1], seed=2))
    assert bits(target) == bits(source)


@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=5, max_size=5)
)
def test_any_finite_floats_round_trip(
    tmp_path_factory: pytest.TempPathFactory, xs: list[float]
) -> None:
    model = MLP(1, [2, 1], seed=0)
    for p, x in zip(model.parameters(), xs + xs, strict=False):
        p.data = x
    path = tmp_path_factory.mktemp("rt") / "m.json"
    save(model, path)
    assert bits(load(path, MLP(1, [2, 1], seed=1))) == bits(model)


def test_load_returns_the_module_it_filled(tmp_path: Path) -> None:
    save(MLP(2, [2], seed=0), tmp_path / "m.json")
    target = MLP(2, [2], seed=1)
    assert load(tmp_path / "m.json", target) is target


def test_the_file_is_plain_json_with_format_version_and_checksum(
    tmp_path: Path,
) -> None:
    model = MLP(2, [2], seed=0)
    save(model, tmp_path / "m.json")
    doc = json.loads((tmp_path / "m.json").read_text())
    assert list(doc) == ["format", "version", "module", "parameters", "sha256"]
    assert (doc["format"], doc["version"]) == ("scalargrad.nn", 1)
    assert doc["module"] == "MLP(2, [2], activation='relu')"
    assert doc["parameters"] == model.state_dict()
    assert len(doc["sha256"]) == 64


def test_a_changed_digit_fails_the_checksum(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    model = MLP(2, [2], seed=0)
    model.parameters()[0].data = 0.25
    save(model, path)
    path.write_text(path.read_text().replace("0.25", "0.35", 1))
    with pytest.raises(CheckpointError, match="sha256"):
        load(path, MLP(2, [2], seed=1))


def test_a_hand_written_file_without_checksum_loads(tmp_path: Path) -> None:
    names = list(MLP(1, [1]).state_dict())
    doc = {
        "format": "scalargrad.nn",
        "version": 1,
        "parameters": dict.fromkeys(names, 2),
    }
    (tmp_path / "m.json").write_text(json.dumps(doc))
    model = load(tmp_path / "m.json", MLP(1, [1]))
    assert list(model.state_dict().values()) == [2.0, 2.0]


def test_save_replaces_an_existing_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    save(MLP(2, [2], seed=0), path)
    save(MLP(2, [2], seed=1), path)
    assert os.listdir(tmp_path) == ["m.json"]
    assert bits(load(path, MLP(2, [2]))) == bits(MLP(2, [2], seed=1))


def test_a_crash_before_the_rename_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.json"
    save(MLP(2, [2], seed=0), path)
    old = path.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(nn.serialize.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        save(MLP(2, [2], seed=1), path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["m.json"]


def test_save_keeps_an_existing_files_permissions(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    save(MLP(2, [2], seed=0), path)
    path.chmod(0o640)
    save(MLP(2, [2], seed=1), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_saving_a_non_finite_parameter_fails_before_writing(tmp_path: Path) -> None:
    model = MLP(2, [2], seed=0)
    model.parameters()[1]._data = math.nan  # only the slot can hold nan now
    with pytest.raises(ValueError, match=r"layers\.0\.neurons\.0\.w\.1"):
        save(model, tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


def document(**fields: object) -> str:
    names = list(MLP(1, [1]).state_dict())
    doc: dict[str, object] = {
        "format": "scalargrad.nn",
        "version": 1,
        "parameters": dict.fromkeys(names, 0.5),
    }
    doc.update(fields)
    return json.dumps(doc)


MALFORMED = {
    "empty": "",
    "truncated": document()[:-5],
    "not json": "model = MLP(1, [1])",
    "a list": "[1, 2]",
    "wrong format": document(format="pickle"),
    "future version": document(version=2),
    "bool version": document(version=True),
    "unknown field": document(code="__import__('os')"),
    "module not text": document(module=[1]),
    "checksum not text": document(sha256=1),
    "parameters not an object": document(parameters=[0.5, 0.5]),
    "missing parameter": document(parameters={"layers.0.neurons.0.w.0": 0.5}),
    "extra parameter": document(
        parameters={"layers.0.neurons.0.w.0": 0.5, "layers.0.neurons.0.b": 0.5, "x": 1}
    ),
    "bool value": document(
        parameters={"layers.0.neurons.0.w.0": True, "layers.0.neurons.0.b": 0.5}
    ),
    "string value": document(
        parameters={"layers.0.neurons.0.w.0": "0.5", "layers.0.neurons.0.b": 0.5}
    ),
    "NaN literal": document().replace("0.5", "NaN", 1),
    "Infinity literal": document().replace("0.5", "-Infinity", 1),
    "overflowing number": document().replace("0.5", "1e999", 1),
    "huge integer": document().replace("0.5", "9" * 5000, 1),
    "deep nesting": "[" * 100_000 + "]" * 100_000,
    "duplicate key": document().replace(
        '"parameters": {', '"parameters": {"layers.0.neurons.0.b": 1.0, ', 1
    ),
}


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_file_raises_checkpoint_error_and_changes_nothing(
    text: str, tmp_path: Path
) -> None:
    (tmp_path / "m.json").write_text(text)
    model = MLP(1, [1], seed=0)
    before = bits(model)
    with pytest.raises(CheckpointError):
        load(tmp_path / "m.json", model)
    assert bits(model) == before


def test_checkpoint_error_is_a_value_error() -> None:
    assert issubclass(CheckpointError, ValueError)


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(document())
    with pytest.raises(CheckpointError, match="max_bytes=10"):
        load(tmp_path / "m.json", MLP(1, [1]), max_bytes=10)


def test_bytes_that_are_not_utf8_are_refused(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_bytes(b"\xff\xfe{}")
    with pytest.raises(CheckpointError, match="not a valid checkpoint"):
        load(tmp_path / "m.json", MLP(1, [1]))


def test_a_checkpoint_of_another_shape_names_the_mismatch(tmp_path: Path) -> None:
    save(MLP(2, [3, 1], seed=0), tmp_path / "m.json")
    with pytest.raises(CheckpointError, match=r"missing 'layers\.0\.neurons\.3\.w\.0'"):
        load(tmp_path / "m.json", MLP(2, [4, 1]))


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.json", MLP(1, [1]))


@given(st.binary(max_size=200))
def test_random_bytes_only_ever_raise_checkpoint_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "m.json"
    path.write_bytes(data)
    with pytest.raises(CheckpointError):
        load(path, MLP(1, [1]))
