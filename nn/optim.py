"""Optimizers: `SGD` (momentum, weight decay), `Adam` and `AdamW`.

Each takes the parameters to update and a learning rate, which is a number or
a schedule: a callable from the 0-based step number to a number. `step()`
reads each parameter's gradient as ``float(p.grad)`` (so gradients made with
``create_graph=True`` work too) and updates ``p.data``; `zero_grad()` resets
the gradients. A step that would make any parameter or gradient non-finite
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
from collections.abc import Callable, Iterable

from autograd import Value
from nn._validate import finite_float

__all__ = ["SGD", "Adam", "AdamW", "LearningRate", "Optimizer"]

LearningRate = float | Callable[[int], float]


def _fraction(value: object, name: str) -> float:
    f = finite_float(value, name, minimum=0.0)
    if f >= 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {f!r}")
    return f


class Optimizer:
    """What every optimizer shares: parameters, learning rate, step count."""

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
            seen.add(id(p))
        if not callable(lr):
            lr = finite_float(lr, "lr", minimum=0.0)
        self.lr: LearningRate = lr
        self.steps = 0

    def current_lr(self) -> float:
        """The learning rate for the next step (a schedule is called with `steps`)."""
        if not callable(self.lr):
            return self.lr
        return finite_float(self.lr(self.steps), f"lr({self.steps})", minimum=0.0)

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its gradient."""
        raise NotImplementedError(f"{type(self).__name__} does not define step")

    def _gradients(self, weight_decay: float) -> list[float]:
        """Each parameter's gradient, plus `weight_decay` * p (the L2 penalty's)."""
        grads = [float(p.grad) + weight_decay * p.data for p in self.params]
        for p, g in zip(self.params, grads, strict=True):
            if not math.isfinite(g):
                raise FloatingPointError(
                    f"{self._name(p)} has non-finite gradient {g!r}"
                )
        return grads

    def _assign(self, data: list[float]) -> None:
        """Set every parameter's data, after checking all are finite."""
        for p, x in zip(self.params, data, strict=True):
            if not math.isfinite(x):
                raise FloatingPointError(
                    f"step would make {self._name(p)} non-finite ({x!r}); "
                    "lower the learning rate"
                )
        for p, x in zip(self.params, data, strict=True):
            p.data = x
        self.steps += 1

    def _name(self, p: Value) -> str:
        return f"parameter {p.label!r}" if p.label else "a parameter"


class SGD(Optimizer):
    """Stochastic gradient descent: p -= lr * (g + weight_decay * p), with momentum.

    With momentum mu a velocity v = mu * v + g replaces g (PyTorch's form).
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
        self._velocity = [0.0] * len(self.params)

    def step(self) -> None:
        """One descent step along the (momentum-averaged) gradient."""
        lr = self.current_lr()
        grads = self._gradients(self.weight_decay)
        mu = self.momentum
        if mu:
            grads = [mu * v + g for v, g in zip(self._velocity, grads, strict=True)]
        self._assign([p.data - lr * g for p, g in zip(self.params, grads, strict=True)])
        if mu:
            self._velocity = grads


class Adam(Optimizer):
    """Adam: steps by bias-corrected running means of g and g**2 (Kingma & Ba).

    ``weight_decay`` adds weight_decay * p to the gradient (L2, as PyTorch's Adam).
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
        self._m = [0.0] * len(self.params)
        self._v = [0.0] * len(self.params)

    def step(self) -> None:
        """One Adam step: update the moment estimates, then every parameter."""
        lr = self.current_lr()
        b1, b2 = self.betas
        grads = self._gradients(0.0 if self._decoupled else self.weight_decay)
        m = [b1 * m + (1.0 - b1) * g for m, g in zip(self._m, grads, strict=True)]
        v = [b2 * v + (1.0 - b2) * g * g for v, g in zip(self._v, grads, strict=True)]
        t = self.steps + 1
        # The moments start at 0, so they are biased toward 0 by factors 1 - beta**t.
        step_size = lr / (1.0 - b1**t)
        root_correction = math.sqrt(1.0 - b2**t)
        # AdamW shrinks weights directly, apart from the adaptive step.
        shrink = 1.0 - lr * self.weight_decay if self._decoupled else 1.0
        eps = self.eps
        self._assign(
            [
                p.data * shrink
                - step_size * mi / (math.sqrt(vi) / root_correction + eps)
                for p, mi, vi in zip(self.params, m, v, strict=True)
            ]
        )
        self._m, self._v = m, v


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
