"""Watching a Value's lifetime without a weak reference (Values take none)."""

from __future__ import annotations

import weakref

from autograd import Value


class _Probe:
    """Lives in one node's `__dict__`, so it is freed with the node."""


def watch(v: Value) -> weakref.ref[_Probe]:
    """A reference that is dead once `v` has been freed."""
    probe = _Probe()
    vars(v)["_test_probe"] = probe
    return weakref.ref(probe)
