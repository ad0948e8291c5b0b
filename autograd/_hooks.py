"""Gradient hooks (`Value.register_hook`): a function run on a node's adjoint.

A node's hooks live in its own `__dict__` (as `_grad_hooks`), so they go when
the node does; a handle and the registry of hooked nodes hold them weakly.
A pass that runs hooks is `reference_backward` with a watched adjoint table
(`autograd._anomaly.WatchedAdjoints`): the chain rule itself has no hook in it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Any

from autograd._inputs import to_gradient
from autograd._modes import passes

__all__ = ["HookHandle", "has_hooks", "hooks_now", "register", "run_hooks"]

Hook = Callable[[Any], Any]


class _Hooks:
    """One node's gradient hooks in registration order, keyed by their handles."""

    __slots__ = ("__weakref__", "by_handle")

    def __init__(self) -> None:
        self.by_handle: dict[HookHandle, Hook] = {}


# Every node's `_Hooks` that holds a hook: `has_hooks()` is one check.
_hooked: weakref.WeakSet[_Hooks] = weakref.WeakSet()


def _hooks_of(v: Any) -> _Hooks | None:
    hooks = getattr(v, "_grad_hooks", None)  # never makes a `__dict__`
    return hooks if isinstance(hooks, _Hooks) and hooks.by_handle else None


class HookHandle:
    """What `Value.register_hook` returns: `remove()` unregisters the hook."""

    __slots__ = ("_hooks",)

    def __init__(self, hooks: _Hooks) -> None:
        self._hooks = weakref.ref(hooks)

    def remove(self) -> None:
        """Unregister the hook (again: nothing happens)."""
        with passes:
            hooks = self._hooks()
            if hooks is not None:
                hooks.by_handle.pop(self, None)
                if not hooks.by_handle:
                    _hooked.discard(hooks)

    def registered(self) -> bool:
        """True until `remove()` (or until its Value is gone)."""
        hooks = self._hooks()
        return hooks is not None and self in hooks.by_handle


def register(v: Any, hook: Hook) -> HookHandle:
    """`v.register_hook(hook)`: add `hook` to the node's hooks."""
    with passes:
        hooks = _hooks_of(v)
        if hooks is None:
            hooks = vars(v)["_grad_hooks"] = _Hooks()
        handle = HookHandle(hooks)
        hooks.by_handle[handle] = hook
        _hooked.add(hooks)
    return handle


def has_hooks() -> bool:
    """True if some Value has a gradient hook registered (`Value.register_hook`)."""
    return len(_hooked) > 0


def hooks_now(order: Iterable[Any]) -> dict[Any, list[tuple[HookHandle, Hook]]]:
    """The hooks of `order`'s nodes when a pass starts; the pass runs those
    still registered when it reaches them."""
    if not _hooked:
        return {}
    return {v: list(hooks.by_handle.items()) for v in order if (hooks := _hooks_of(v))}


def run_hooks(hooks: list[tuple[HookHandle, Hook]], g: Any, graph: bool) -> Any:
    """An adjoint after each hook in turn (None keeps it).

    A hook removed during the pass (by an earlier hook) is skipped. A
    replacement follows the rules of a gradient (`Value.grad`): any float
    (inf and nan too, as backward gives them), or a Value when the
    adjoints are Values (``create_graph=True``).
    """
    for handle, hook in hooks:
        if not handle.registered():
            continue
        new = hook(g)
        if new is not None:
            g = to_gradient(new, "hook", values=graph)
    return g
