"""Which core runs: the compiled one if built and current, else the Python one.

`SCALARGRAD_PURE=1` in the environment selects the Python core. The layers
that make nodes (`autograd.value`, `autograd._create_graph`) take the op
functions of the core chosen here, once, at import. The compiled core
(`autograd/_ccore.pyx`, built by `pip install`) is used only when its build
matches the source beside it: a build left from before
`make gen` changed the op table would compute the old ops, so it is refused
with a warning and the Python core runs instead.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import warnings
from pathlib import Path
from types import ModuleType
from typing import Final

__all__ = ["COMPILED", "CORE", "compiled_core", "source_digest"]

_DIGEST_LINE = "SOURCE_DIGEST = "
_SOURCE = Path(__file__).with_name("_ccore.pyx")


def source_digest(text: str) -> str:
    """The digest of a generated core's source, leaving out its digest line."""
    kept = [line for line in text.splitlines() if not line.startswith(_DIGEST_LINE)]
    return hashlib.sha256("\n".join(kept).encode()).hexdigest()[:16]


def compiled_core() -> ModuleType | None:
    """The compiled core's module, or None for the Python core."""
    if os.environ.get("SCALARGRAD_PURE") == "1":
        return None
    try:
        core = importlib.import_module("autograd._ccore")
    except ImportError:  # not built (no C compiler at install): the Python core
        return None
    try:
        source = _SOURCE.read_text()
    except OSError:  # an installed wheel ships the build, not its source
        return core
    if source_digest(source) != core.SOURCE_DIGEST:
        warnings.warn(
            "autograd: the compiled core was built from an older autograd/_ccore.pyx; "
            "using the Python core (rebuild with `pip install -e .`)",
            RuntimeWarning,
            stacklevel=2,
        )
        return None
    return core


COMPILED: Final = compiled_core()
"""The compiled core's module (`autograd._ccore`), or None."""
CORE: Final = "python" if COMPILED is None else "compiled"
"""Which core runs: "compiled" (C, built at install) or "python" (SCALARGRAD_PURE=1)."""
