"""Optimizers: `SGD` (momentum, weight decay), `Adam` and `AdamW`.

Each takes the parameters to update and a learning rate, which is a number or
a schedule: a callable from the 0-based step number to a number. `step()`
reads each parameter's gradient as a number (the ``data`` of a gradient made
with ``create_graph=True``) and updates ``p.data``; `zero_grad()` resets the
gradients.

A step is all or nothing: it computes every new number first (parameters and
the optimizer's buffers in `state`), checks them all, then assigns. A
gradient that is not finite, or a step that would make any parameter or
buffer non-finite (an overflowing ``g * g`` in Adam's second moment, say),
raises FloatingPointError and changes nothing.

>>> from autograd import Value
>>> w = Value(3.0)
>>> opt = SGD([w], lr=0.25)
>>> (w * w).backward()
>>> opt.step()
>>> w.data
1.5
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable

from autograd import Value
from nn._validate import finite_float, tell_compile

__all__ = ["SGD", "Adam", "AdamW", "LearningRate", "Optimizer", "State"]

LearningRate = float | Callable[[int], float]
State = dict[str, list[float]]
"""An optimizer's buffers by name, each a list with one float per parameter."""


def _fraction(value: object, name: str) -> float:
    f = finite_float(value, name, minimum=0.0)
    if f >= 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {f!r}")
    return f


class Optimizer:
    """What every optimizer shares: parameters, learning rate, step count, state.

    A subclass says how to compute one step (`_propose`); `step` checks the
    result and commits it, so no optimizer can leave a half-made step behind.
    """

    def __init__(self, params: Iterable[Value], lr: LearningRate) -> None:
        """Optimize `params` (Values, each once) with learning rate `lr`."""
        if isinstance(params, Value):
            raise TypeError("params must be an iterable of Values, got a single Value")
        try:
            self.params = list(params)
        except TypeError:
            msg = f"params must be an iterable of Values, got {type(params).__name__}"
            raise TypeError(msg) from None
        if not self.params:
            raise ValueError("params is empty: there is nothing to optimize")
        seen: set[int] = set()
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"params[{i}] must be a Value, got {type(p).__name__}")
            if id(p) in seen:
                raise ValueError(f"params[{i}] ({p.label or p!r}) appears twice")
            if p.op:
                # Its data is recomputed from its operands: a step would not stick.
                raise ValueError(
                    f"params[{i}] ({p.label or p!r}) was made by {p.op!r}, not a "
                    "leaf: optimize the leaf Values it was made from"
                )
            seen.add(id(p))
        if not callable(lr):
            lr = finite_float(lr, "lr", minimum=0.0)
        self.lr: LearningRate = lr
        self.steps = 0
        self.state: State = {}
        """Buffers carried from step to step (momentum, moments), by name."""

    def current_lr(self) -> float:
        """The learning rate for the next step (a schedule is called with `steps`)."""
        if not callable(self.lr):
            return self.lr
        return finite_float(self.lr(self.steps), f"lr({self.steps})", minimum=0.0)

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to 0.0."""
        tell_compile(self.params, "called an optimizer's zero_grad()")
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter and buffer once from the gradients, or raise.

        Raises FloatingPointError, changing nothing, if a gradient is not
        finite or if any new parameter or buffer value would not be.
        """
        lr = self.current_lr()
        grads = self._gradients()
        data, state = self._propose(lr, grads)
        self._check(data, state, grads)
        for p, x in zip(self.params, data, strict=True):
            p.data = x
        self.state = state
        self.steps += 1

    def _propose(self, lr: float, grads: list[float]) -> tuple[list[float], State]:
        """The parameters' new data and the new state, without assigning anything."""
        raise NotImplementedError(f"{type(self).__name__} does not define _propose")

    def _gradients(self) -> list[float]:
        """Each parameter's gradient as a finite float."""
        grads = [self._gradient(p) for p in self.params]
        for p, g in zip(self.params, grads, strict=True):
            if not math.isfinite(g):
                raise FloatingPointError(
                    f"{self._name(p)} has non-finite gradient {g!r}; "
                    "nothing was changed"
                )
        return grads

    def _gradient(self, p: Value) -> float:
        # A create_graph gradient is a Value: take its number, never float(Value).
        g = p.grad
        if isinstance(g, Value):
            return g.data
        if isinstance(g, bool) or not isinstance(g, numbers.Real):
            raise TypeError(
                f"{self._name(p)} has a gradient of type {type(g).__name__}, "
                "not a number"
            )
        try:
            return float(g)
        except OverflowError:  # an int beyond the float range
            return math.inf

    def _check(self, data: list[float], state: State, grads: list[float]) -> None:
        """Raise FloatingPointError naming the first non-finite number proposed."""
        # Buffers first: a non-finite buffer is what makes the value non-finite.
        named = [*((f"the {k}", xs) for k, xs in state.items()), ("the value", data)]
        for what, xs in named:
            for i, x in enumerate(xs):
                if not math.isfinite(x):
                    p = self.params[i]
                    raise FloatingPointError(
                        f"{type(self).__name__} step would make {what} of "
                        f"{self._name(p)} non-finite ({x!r}; its gradient is "
                        f"{grads[i]!r}); nothing was changed: lower the learning "
                        "rate or scale the loss down"
                    )

    def _name(self, p: Value) -> str:
        return f"parameter {p.label!r}" if p.label else "a parameter"


class SGD(Optimizer):
    """Stochastic gradient descent: p -= lr * (g + weight_decay * p), with momentum.

    With momentum mu a velocity v = mu * v + g replaces g (PyTorch's form),
    kept in ``state["velocity"]``.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: LearningRate,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        """SGD on `params`; `momentum` in [0, 1), `weight_decay` >= 0."""
        super().__init__(params, lr)
        self.momentum = _fraction(momentum, "momentum")
        self.weight_decay = finite_float(weight_decay, "weight_decay", minimum=0.0)
        if self.momentum:
            self.state = {"velocity": [0.0] * len(self.params)}

    def _propose(self, lr: float, grads: list[float]) -> tuple[list[float], State]:
        """One descent step along the (momentum-averaged) gradient."""
        wd = self.weight_decay
        ps = [p.data for p in self.params]
        direction = [g + wd * x for g, x in zip(grads, ps, strict=True)]
        state: State = {}
        if self.momentum:
            mu = self.momentum
            velocity = self.state["velocity"]
            direction = [mu * v + d for v, d in zip(velocity, direction, strict=True)]
            state["velocity"] = direction
        return [x - lr * d for x, d in zip(ps, direction, strict=True)], state


class Adam(Optimizer):
    """Adam: steps by bias-corrected running means of g and g**2 (Kingma & Ba).

    The running means are ``state["first moment"]`` and
    ``state["second moment"]``. ``weight_decay`` adds weight_decay * p to the
    gradient (L2, as PyTorch's Adam).
    """

    _decoupled = False

    def __init__(
        self,
        params: Iterable[Value],
        lr: LearningRate = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        """Adam on `params`; `betas` each in [0, 1), `eps` > 0, `weight_decay` >= 0."""
        super().__init__(params, lr)
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise TypeError(f"betas must be a pair of numbers, got {betas!r}")
        self.betas = (_fraction(betas[0], "betas[0]"), _fraction(betas[1], "betas[1]"))
        self.eps = finite_float(eps, "eps", minimum=0.0)
        if self.eps == 0.0:
            raise ValueError("eps must be > 0")
        self.weight_decay = finite_float(weight_decay, "weight_decay", minimum=0.0)
        zeros = [0.0] * len(self.params)
        self.state = {"first moment": zeros, "second moment": list(zeros)}

    def _propose(self, lr: float, grads: list[float]) -> tuple[list[float], State]:
        """One Adam step: the new moment estimates, then every parameter."""
        b1, b2 = self.betas
        ps = [p.data for p in self.params]
        if not self._decoupled:
            grads = [g + self.weight_decay * x for g, x in zip(grads, ps, strict=True)]
        m = [
            b1 * m + (1.0 - b1) * g
            for m, g in zip(self.state["first moment"], grads, strict=True)
        ]
        # (1 - b2) * g first: g * g alone overflows for |g| > 1.3e154.
        v = [
            b2 * v + (1.0 - b2) * g * g
            for v, g in zip(self.state["second moment"], grads, strict=True)
        ]
        t = self.steps + 1
        # The moments start at 0, so they are biased toward 0 by factors 1 - beta**t.
        step_size = lr / (1.0 - b1**t)
        root_correction = math.sqrt(1.0 - b2**t)
        # AdamW shrinks weights directly, apart from the adaptive step.
        shrink = 1.0 - lr * self.weight_decay if self._decoupled else 1.0
        eps = self.eps
        data = [
            x * shrink - step_size * mi / (math.sqrt(vi) / root_correction + eps)
            for x, mi, vi in zip(ps, m, v, strict=True)
        ]
        return data, {"first moment": m, "second moment": v}


class AdamW(Adam):
    """Adam with decoupled weight decay: p -= lr * weight_decay * p, then Adam."""

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: LearningRate = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        """AdamW on `params`; as Adam, with PyTorch's default `weight_decay` 1e-2."""
        super().__init__(params, lr, betas, eps, weight_decay)
