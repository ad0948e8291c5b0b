"""Save a module's parameters as JSON and load them back, bit for bit.

The file is one JSON object::

    {
      "format": "scalargrad.nn",
      "version": 1,
      "module": "MLP(2, [16, 16, 1], activation='relu')",
      "parameters": {"layers.0.neurons.0.w.0": -0.2362..., ...},
      "sha256": "9f86d0..."
    }

Floats are written with ``repr``, the shortest decimal that reads back as the
same double, so every value (and the sign of -0.0) round-trips exactly.
`module` is the repr of the saved module, for people; `load` does not read it.
`sha256` is the SHA-256 of the parameters as compact JSON (Python's
``json.dumps(parameters, separators=(",", ":"))``, in file order): JSON alone
cannot tell a flipped digit or sign from a real value, so `load` refuses a
file whose parameters do not match it (a hand-written file may omit it).
`save` writes a temporary file beside the target, fsyncs it and renames it
over the target, so a crash leaves either the old file or the new one.
`load` parses JSON only (nothing it reads is executed), validates the whole
file against the module, then assigns: any problem with the file's contents
raises `CheckpointError` and leaves the module unchanged.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import reprlib
import tempfile
from pathlib import Path
from typing import Any, Final, TypeVar

from nn._validate import finite_float
from nn.module import Module

__all__ = ["FORMAT", "MAX_BYTES", "VERSION", "CheckpointError", "load", "save"]

FORMAT: Final = "scalargrad.nn"
"""The value of the file's "format" field."""
VERSION: Final = 1
"""The file format version this code writes and reads."""
MAX_BYTES: Final = 64 * 1024 * 1024
"""The default size limit for `load`: 64 MiB, about a million parameters."""

_KEYS: Final = ("format", "version", "module", "parameters", "sha256")
_M = TypeVar("_M", bound=Module)


class CheckpointError(ValueError):
    """A checkpoint file is malformed or does not fit the module it is loaded into."""


def save(module: Module, path: str | os.PathLike[str]) -> None:
    """Write `module`'s parameters to `path` as JSON, atomically.

    Raises ValueError (before touching the disk) if a parameter is not finite.
    """
    params = module.state_dict()
    for name, x in params.items():
        if not math.isfinite(x):
            raise ValueError(f"cannot save: parameter {name!r} is {x!r}")
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "module": repr(module),
        "parameters": params,
        "sha256": _digest(params),
    }
    text = json.dumps(doc, indent=2, allow_nan=False) + "\n"
    _write_atomically(Path(path), text.encode("utf-8"))


def _digest(params: dict[str, float]) -> str:
    compact = json.dumps(params, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(compact.encode("utf-8")).hexdigest()


def _write_atomically(target: Path, data: bytes) -> None:
    directory = target.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); keep an existing file's mode.
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load(path: str | os.PathLike[str], module: _M, *, max_bytes: int = MAX_BYTES) -> _M:
    """Fill `module`'s parameters from the checkpoint at `path` and return it.

    Raises CheckpointError for any problem with the file's contents (larger
    than `max_bytes`, not UTF-8 JSON, wrong format or version, missing or
    unexpected parameters, a value that is not a finite number), leaving
    `module` unchanged; errors opening or reading the file raise OSError.
    """
    with open(path, "rb") as f:
        raw = f.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise CheckpointError(f"{path}: larger than max_bytes={max_bytes}")
    fields, checksum = _fields(_parse(raw, path), path)
    try:
        params = {
            name: finite_float(x, f"parameter {reprlib.repr(name)}")
            for name, x in fields.items()
        }
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{path}: {e}") from None
    if checksum is not None and checksum != _digest(params):
        raise CheckpointError(f"{path}: parameters do not match sha256: file corrupted")
    try:
        module.load_state_dict(params)
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{path}: {e}") from None
    return module


def _parse(raw: bytes, path: object) -> object:
    try:
        text = raw.decode("utf-8")
        return json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_object
        )
    except RecursionError:
        raise CheckpointError(f"{path}: JSON nested too deeply") from None
    except (UnicodeDecodeError, ValueError) as e:
        # JSONDecodeError and the int-size limit are ValueErrors too.
        raise CheckpointError(f"{path}: not a valid checkpoint: {e}") from None


def _reject_constant(name: str) -> float:
    raise CheckpointError(f"{name} is not a number in JSON (parameters must be finite)")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise CheckpointError(f"key {reprlib.repr(key)} appears twice")
        out[key] = value
    return out


def _fields(doc: object, path: object) -> tuple[dict[str, Any], str | None]:
    """The parameters object and the checksum, once the envelope is checked."""
    if not isinstance(doc, dict):
        raise CheckpointError(
            f"{path}: expected a JSON object, got {type(doc).__name__}"
        )
    if doc.get("format") != FORMAT:
        raise CheckpointError(
            f"{path}: not a {FORMAT} checkpoint "
            f"(format is {reprlib.repr(doc.get('format'))})"
        )
    version = doc.get("version")
    if type(version) is not int or version != VERSION:
        raise CheckpointError(
            f"{path}: unsupported version {reprlib.repr(version)} "
            f"(this code reads {VERSION})"
        )
    unknown = [k for k in doc if k not in _KEYS]
    if unknown:
        raise CheckpointError(f"{path}: unknown fields {reprlib.repr(unknown)}")
    if not isinstance(doc.get("module", ""), str):
        raise CheckpointError(f"{path}: field 'module' must be a string")
    checksum = doc.get("sha256")
    if checksum is not None and not isinstance(checksum, str):
        raise CheckpointError(f"{path}: field 'sha256' must be a string")
    params = doc.get("parameters")
    if not isinstance(params, dict):
        raise CheckpointError(
            f"{path}: field 'parameters' must be an object of numbers"
        )
    return params, checksum
