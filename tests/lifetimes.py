"""Watching a Value's lifetime without a weak reference (Values take none)."""

from __future__ import annotations

import gc
import importlib
import weakref

import autograd
from autograd import Value


class _Probe:
    """Lives in one node's `__dict__`, so it is freed with the node."""


def watch(v: Value) -> weakref.ref[_Probe]:
    """A reference that is dead once `v` has been freed."""
    probe = _Probe()
    vars(v)["_test_probe"] = probe
    return weakref.ref(probe)


def has_dict(v: Value) -> bool:
    """Whether `v` has made its `__dict__`, without making one."""
    if autograd.CORE == "compiled":  # its nodes show the collector nothing
        return bool(importlib.import_module("autograd._ccore")._has_dict(v))
    return any(isinstance(r, dict) for r in gc.get_referents(v))
