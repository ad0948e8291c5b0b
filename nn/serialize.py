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
`module` is the repr of the saved module: `load` refuses a module whose repr
differs (another architecture or activation), and a file whose `module`
names an `MLP`, `Layer`, `Neuron` or ``Name(parameters=N)`` with another
number of parameters than it lists (a hand-written file may omit `module`).
`sha256` is the SHA-256 of the parameters as compact JSON (Python's
``json.dumps(parameters, separators=(",", ":"))``, in file order): JSON alone
cannot tell a flipped digit or sign from a real value, so `load` refuses a
file whose parameters do not match it (a hand-written file may omit it).
`save` writes through `autograd._files.write_atomically`: a temporary file
beside the target (``.NAME.HOST.PID.XXXXXXXX.tmp``), fsynced and renamed over
the target, so a crash leaves either the old file or the new one; a new file
gets the mode `open` would give it (the umask applies), and a save first
removes the temporaries that killed saves to the same path left.
`load` parses JSON only (nothing it reads is executed), validates the whole
file against itself and the module, then assigns: any problem with the file's
contents raises `CheckpointError` and leaves the module unchanged.

Nothing read from a file sizes an allocation before it is checked: `read`
reads at most `max_bytes` and checks the file against itself, and
`Checkpoint.build_mlp` builds a model only once the number of parameters its
sizes imply equals the number the file lists, so a model built from a file is
never larger than `max_bytes` allows.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

from autograd._files import write_atomically
from nn._validate import finite_float, positive_int, short
from nn.module import MLP, Module

__all__ = [
    "FORMAT",
    "MAX_BYTES",
    "VERSION",
    "Checkpoint",
    "CheckpointError",
    "load",
    "read",
    "save",
]

FORMAT: Final = "scalargrad.nn"
"""The value of the file's "format" field."""
VERSION: Final = 1
"""The file format version this code writes and reads."""
MAX_BYTES: Final = 64 * 1024 * 1024
"""The default size limit for `load`: 64 MiB, about a million parameters."""
_CHUNK: Final = 1024 * 1024

_KEYS: Final = ("format", "version", "module", "parameters", "sha256")

# The `module` records whose number of parameters can be told from the text:
# the reprs of MLP, Layer and Neuron, and Module's default ``Name(parameters=N)``.
# Eighteen digits at most: int() of a 5000-digit string is itself an error.
_D = r"\d{1,18}"
_MLP_RECORD: Final = re.compile(
    rf"MLP\(({_D}), \[({_D}(?:, {_D})*)\], activation='(\w+)'"
    r"(?:, output_activation='(\w+)')?\)"
)
_LAYER_RECORD: Final = re.compile(rf"Layer\(({_D}), ({_D}), activation='\w+'\)")
_NEURON_RECORD: Final = re.compile(rf"Neuron\(({_D}), activation='\w+'\)")
_COUNT_RECORD: Final = re.compile(rf"\w+\(parameters=({_D})\)")
_M = TypeVar("_M", bound=Module)


class CheckpointError(ValueError):
    """A checkpoint file is malformed or does not fit the module it is loaded into."""


def _path(path: object) -> Path:
    """`path` as a Path if it is a str or an os.PathLike of str, else TypeError."""
    # An int would be taken by open() as a file descriptor: refuse it here.
    if isinstance(path, str | os.PathLike):
        name = os.fspath(path)
        if isinstance(name, str):
            return Path(name)
    raise TypeError(
        f"path must be a str or an os.PathLike, got {type(path).__name__} "
        f"{reprlib.repr(path)}"
    )


def _module(module: object) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"module must be an nn.Module, got {type(module).__name__}")
    return module


def save(module: Module, path: str | os.PathLike[str]) -> None:
    """Write `module`'s parameters to `path` as JSON, atomically.

    Raises ValueError (before touching the disk) if a parameter is not finite,
    TypeError if `path` is not a str or os.PathLike (a file descriptor is not
    accepted).
    """
    target = _path(path)
    params = _module(module).state_dict()
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
    write_atomically(target, text.encode("utf-8"))


def _digest(params: dict[str, float]) -> str:
    compact = json.dumps(params, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(compact.encode("utf-8")).hexdigest()


def _clip(text: str, limit: int = 200) -> str:
    """`text` whole if short, else its start: a record may be megabytes long."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _mlp_size(sizes: Sequence[int]) -> int:
    """The number of parameters of an MLP with these sizes (inputs, then widths)."""
    return sum((n + 1) * m for n, m in itertools.pairwise(sizes))


def _recorded_size(record: str) -> int | None:
    """The number of parameters the `module` record implies, if it tells."""
    if found := _MLP_RECORD.fullmatch(record):
        return _mlp_size([int(found[1]), *map(int, found[2].split(", "))])
    if found := _LAYER_RECORD.fullmatch(record):
        return (int(found[1]) + 1) * int(found[2])
    if found := _NEURON_RECORD.fullmatch(record):
        return int(found[1]) + 1
    if found := _COUNT_RECORD.fullmatch(record):
        return int(found[1])
    return None


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint file's contents, checked against themselves by `read`."""

    path: Path
    """Where it was read from (for messages)."""
    module: str
    """The repr of the module it was saved from ('' if the file does not say)."""
    parameters: dict[str, float]
    """Each parameter's value by name, finite floats, as `load_state_dict` takes."""

    def load_into(self, module: _M) -> _M:
        """Fill `module`'s parameters and return it; CheckpointError (module
        unchanged) if it is not the architecture the file was saved from."""
        _module(module)
        if self.module and self.module != repr(module):
            raise CheckpointError(
                f"{self.path}: saved from {_clip(self.module)}, another "
                f"architecture than the module given, {_clip(repr(module))}"
            )
        try:
            module.load_state_dict(self.parameters)
        except (TypeError, ValueError) as e:
            raise CheckpointError(f"{self.path}: {e}") from None
        return module

    def architecture(self) -> dict[str, Any] | None:
        """`MLP` keyword arguments from the `module` record, if it names an MLP."""
        found = _MLP_RECORD.fullmatch(self.module)
        if found is None:
            return None
        return {
            "nin": int(found[1]),
            "nouts": [int(n) for n in found[2].split(", ")],
            "activation": found[3],
            "output_activation": found[4] or "linear",
        }

    def build_mlp(self, nin: int, nouts: Sequence[int], **options: Any) -> MLP:
        """``MLP(nin, nouts, **options)`` holding this checkpoint's parameters.

        The sizes are checked against the number of parameters the file lists
        before anything is built: CheckpointError if they differ.
        """
        sizes = [positive_int(nin, "nin")]
        sizes += [positive_int(n, f"nouts[{i}]") for i, n in enumerate(nouts)]
        size = _mlp_size(sizes)
        if size != len(self.parameters):
            raise CheckpointError(
                f"{self.path}: an MLP of sizes {short(sizes)} has {size} "
                f"parameters, the file lists {len(self.parameters)}"
            )
        return self.load_into(MLP(nin, nouts, **options))


def read(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> Checkpoint:
    """The checkpoint at `path`, checked against itself; nothing is built.

    Raises CheckpointError for any problem with the file's contents (larger
    than `max_bytes`, not UTF-8 JSON, wrong format or version, a value that
    is not a finite number, parameters that do not match the sha256 or not
    as many as the `module` record implies); errors opening or reading the
    file raise OSError.
    """
    path = _path(path)
    limit = positive_int(max_bytes, "max_bytes")
    raw = _read_at_most(path, limit)
    record, fields, checksum = _fields(_parse(raw, path), path)
    try:
        params = {
            name: finite_float(x, f"parameter {reprlib.repr(name)}")
            for name, x in fields.items()
        }
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{path}: {e}") from None
    if checksum is not None and checksum != _digest(params):
        raise CheckpointError(f"{path}: parameters do not match sha256: file corrupted")
    size = _recorded_size(record)
    if size is not None and size != len(params):
        raise CheckpointError(
            f"{path}: {_clip(record)} has {size} parameters, "
            f"the file lists {len(params)}"
        )
    return Checkpoint(path, record, params)


def load(path: str | os.PathLike[str], module: _M, *, max_bytes: int = MAX_BYTES) -> _M:
    """Fill `module`'s parameters from the checkpoint at `path` and return it.

    Raises CheckpointError for any problem with the file's contents (see
    `read`) or if `module` is another architecture than the one saved (its
    repr differs from the file's `module` record: sizes, activations),
    leaving `module` unchanged; errors opening or reading the file raise
    OSError. A `path` that is not a str or os.PathLike (a file descriptor,
    say) is a TypeError, and so is a `max_bytes` that is not a positive int.
    """
    _module(module)
    return read(path, max_bytes=max_bytes).load_into(module)


def _read_at_most(path: Path, limit: int) -> bytes:
    """The file's bytes, or CheckpointError once more than `limit` are read."""
    # In chunks: f.read(limit + 1) would allocate limit + 1 bytes up front.
    chunks: list[bytes] = []
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(min(_CHUNK, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise CheckpointError(f"{path}: larger than max_bytes={limit}")
    return b"".join(chunks)


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
        raise CheckpointError(
            f"{path}: not a valid checkpoint (not an nn.save checkpoint: {e})"
        ) from None


def _reject_constant(name: str) -> float:
    raise CheckpointError(f"{name} is not a number in JSON (parameters must be finite)")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise CheckpointError(f"key {reprlib.repr(key)} appears twice")
        out[key] = value
    return out


def _fields(doc: object, path: object) -> tuple[str, dict[str, Any], str | None]:
    """The module record, the parameters object and the checksum, once the
    envelope is checked."""
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
    record = doc.get("module", "")
    if not isinstance(record, str):
        raise CheckpointError(f"{path}: field 'module' must be a string")
    checksum = doc.get("sha256")
    if checksum is not None and not isinstance(checksum, str):
        raise CheckpointError(f"{path}: field 'sha256' must be a string")
    params = doc.get("parameters")
    if not isinstance(params, dict):
        raise CheckpointError(
            f"{path}: field 'parameters' must be an object of numbers"
        )
    return record, params, checksum
