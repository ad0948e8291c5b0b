"""nn.serialize: bit-exact round trips, the file format, atomic writes, and
the malformed-file cases (the exhaustive fuzzing is in test_checkpoint_fuzz)."""

from __future__ import annotations

import json
import math
import os
import random
import signal
import stat
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def test_save_keeps_an_existing_files_permissions(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    save(MLP(2, [2], seed=0), path)
    path.chmod(0o640)
    save(MLP(2, [2], seed=1), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.parametrize(("umask", "mode"), [(0o077, 0o600), (0o022, 0o644)])
def test_save_creates_files_with_the_mode_open_would_give(
    tmp_path: Path, umask: int, mode: int
) -> None:
    old = os.umask(umask)
    try:
        save(MLP(2, [2], seed=0), tmp_path / "m.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.json").stat().st_mode) == mode


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
    with pytest.raises(CheckpointError, match=r"MLP\(2, \[3, 1\].* MLP\(2, \[4, 1\]"):
        load(tmp_path / "m.json", MLP(2, [4, 1]))
    (tmp_path / "n.json").write_text(  # no record: the names tell the mismatch
        json.dumps({"format": "scalargrad.nn", "version": 1, "parameters": {}})
    )
    with pytest.raises(CheckpointError, match=r"missing 'layers\.0\.neurons\.0\.w\.0'"):
        load(tmp_path / "n.json", MLP(2, [4, 1]))


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


def test_max_bytes_far_above_the_file_size_is_not_allocated(tmp_path: Path) -> None:
    save(MLP(1, [1], seed=0), tmp_path / "m.json")
    model = load(tmp_path / "m.json", MLP(1, [1], seed=1), max_bytes=2**62)
    assert bits(model) == bits(MLP(1, [1], seed=0))


def test_a_file_just_at_the_limit_loads_and_one_byte_over_does_not(
    tmp_path: Path,
) -> None:
    path = tmp_path / "m.json"
    path.write_text(document())
    size = path.stat().st_size
    load(path, MLP(1, [1]), max_bytes=size)
    with pytest.raises(CheckpointError, match=f"max_bytes={size - 1}"):
        load(path, MLP(1, [1]), max_bytes=size - 1)


@pytest.mark.parametrize(
    ("max_bytes", "error"),
    [(-5, ValueError), (0, ValueError), (1.5, TypeError), (True, TypeError)],
)
def test_a_bad_max_bytes_is_a_clear_error_naming_it(
    tmp_path: Path, max_bytes: object, error: type[Exception]
) -> None:
    save(MLP(1, [1], seed=0), tmp_path / "m.json")
    with pytest.raises(error, match="max_bytes must be a positive int"):
        load(tmp_path / "m.json", MLP(1, [1]), max_bytes=max_bytes)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", [3, b"m.json", None, 1.5])
def test_a_path_that_is_not_a_str_or_path_like_is_a_type_error(
    tmp_path: Path, path: object
) -> None:
    with pytest.raises(TypeError, match=r"path must be a str or an os\.PathLike"):
        load(path, MLP(1, [1]))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"path must be a str or an os\.PathLike"):
        save(MLP(1, [1]), path)  # type: ignore[arg-type]


def test_load_does_not_touch_a_file_descriptor_given_as_path(tmp_path: Path) -> None:
    fd = os.open(tmp_path / "m.json", os.O_CREAT | os.O_WRONLY)
    try:
        with pytest.raises(TypeError):
            load(fd, MLP(1, [1]))  # type: ignore[arg-type]
        os.fstat(fd)  # still open: open(fd) would have closed it
    finally:
        os.close(fd)


def test_the_module_must_be_a_module(tmp_path: Path) -> None:
    save(MLP(1, [1], seed=0), tmp_path / "m.json")
    with pytest.raises(TypeError, match=r"module must be an nn\.Module"):
        load(tmp_path / "m.json", {"w": 1.0})  # type: ignore[type-var]
    with pytest.raises(TypeError, match=r"module must be an nn\.Module"):
        save([1.0], tmp_path / "m.json")  # type: ignore[arg-type]


# A child process that saves and, once its temporary file exists, hangs in
# fsync until killed: a save caught mid-way, for real.
HANGING_SAVE = """
import os, sys, time
import nn

def hang(fd):
    open(sys.argv[2], "w").close()
    time.sleep(600)

os.fsync = hang
nn.save(nn.MLP(2, [2], seed=0), sys.argv[1])
"""


def start_hanging_save(path: Path, marker: Path) -> subprocess.Popen[bytes]:
    child = subprocess.Popen(
        [sys.executable, "-c", HANGING_SAVE, str(path), str(marker)]
    )
    for _ in range(3000):
        if marker.exists() or child.poll() is not None:
            break
        time.sleep(0.01)
    assert marker.exists(), "the child save never reached fsync"
    return child


def temporaries(directory: Path) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.endswith(".tmp"))


def test_a_save_removes_what_a_killed_save_left_but_not_a_live_saves_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "m.json"
    child = start_hanging_save(path, tmp_path / "marker")
    try:
        left = temporaries(tmp_path)
        assert len(left) == 1 and f".{child.pid}." in left[0]
        save(MLP(2, [2], seed=1), path)  # the child is alive: its file stays
        assert temporaries(tmp_path) == left
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert temporaries(tmp_path) == left  # killed: the file is abandoned
    save(MLP(2, [2], seed=2), path)
    assert temporaries(tmp_path) == []
    assert bits(load(path, MLP(2, [2]))) == bits(MLP(2, [2], seed=2))


# A child that saves a model over and over, killed at a random moment.
SAVING_FOREVER = """
import sys
import nn

model = nn.MLP(4, [64, 64, 1], seed=0)
while True:
    nn.save(model, sys.argv[1])
"""


@pytest.mark.slow
def test_saves_killed_at_random_moments_leave_no_temporary_after_the_next_save(
    tmp_path: Path,
) -> None:
    path = tmp_path / "m.json"
    rng = random.Random(0)
    for _ in range(40):
        child = subprocess.Popen([sys.executable, "-c", SAVING_FOREVER, str(path)])
        time.sleep(0.3 + rng.random() * 0.2)
        child.send_signal(signal.SIGKILL)
        child.wait()
        # Each save cleans up after the killed ones: at most the last one's file.
        assert len(temporaries(tmp_path)) <= 1
    save(MLP(4, [64, 64, 1], seed=0), path)
    assert temporaries(tmp_path) == []
    load(path, MLP(4, [64, 64, 1]))
