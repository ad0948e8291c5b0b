"""`Module`, the base of every model, and the layers `Neuron`, `Layer`, `MLP`.

A module's parameters are the `Value`s among its public attributes, found by
walking them in definition order (into sub-modules, lists and tuples), so
names are stable and readable: ``layers.0.neurons.3.w.1``. Constructing a
module labels every parameter with that name and marks it a parameter
(``is_parameter``), so rendered graphs show it, drawn as a parameter.

Weights are drawn neuron by neuron, a ``uniform(-1, 1)`` per weight and none
for the bias, as micrograd draws them: without a `seed` they come from the
global `random` module itself, so after ``random.seed(n)`` a model has
micrograd's exact weights; ``seed=n`` draws the same ones privately.

>>> from nn import MLP
>>> model = MLP(2, [4, 1], seed=0)
>>> len(model.parameters())
17
>>> model.layers[0].neurons[3].w[1].label
'layers.0.neurons.3.w.1'
>>> type(model([1.0, -2.0])).__name__
'Value'
"""

from __future__ import annotations

import math
import operator
import reprlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final

from autograd import Value
from nn._validate import (
    Draws,
    Seed,
    finite_float,
    positive_int,
    resolve_rng,
    tell_compile,
)

__all__ = ["ACTIVATIONS", "INITS", "MLP", "Layer", "Module", "Neuron"]

ACTIVATIONS: Final[Mapping[str, Callable[[Value], Value] | None]] = {
    "linear": None,
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "gelu": Value.gelu,
    "elu": Value.elu,
    "leaky_relu": Value.leaky_relu,
    "softplus": Value.softplus,
}
"""Activation functions by name; ``"linear"`` applies none."""

INITS: Final = ("uniform", "xavier", "he")
"""Weight initializations: micrograd's U(-1, 1), Glorot uniform, He normal."""


class _LabelsParameters(type):
    """Metaclass: after any module's ``__init__``, label its parameters by name.

    Running after the outermost constructor means a sub-module's parameters end
    up labelled with their full path from the outermost module.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        module = super().__call__(*args, **kwargs)
        module.label_parameters()
        return module


def _children(value: object) -> list[tuple[str, object]]:
    """What a module or list holds, by name: public attributes or indices."""
    if isinstance(value, Module):
        return [(k, v) for k, v in vars(value).items() if not k.startswith("_")]
    if isinstance(value, list | tuple):
        return [(str(i), item) for i, item in enumerate(value)]
    return []


def _walk(module: Module) -> Iterator[tuple[str, Value]]:
    """Each parameter under `module` once, with its dotted name, depth first.

    An explicit stack rather than recursion, so nesting depth is not limited by
    Python's recursion limit; each module or list is entered once, so a module
    that refers to itself (or a list that holds itself) is walked once.
    """
    entered = {id(module)}
    seen: set[int] = set()
    stack = list(reversed(_children(module)))
    while stack:
        path, value = stack.pop()
        if isinstance(value, Value):
            if id(value) not in seen:
                seen.add(id(value))
                yield path, value
        elif isinstance(value, Module | list | tuple) and id(value) not in entered:
            entered.add(id(value))
            inside = [(f"{path}.{name}", item) for name, item in _children(value)]
            stack.extend(reversed(inside))


def _listing(names: Sequence[object], limit: int = 5) -> str:
    shown = ", ".join(reprlib.repr(n) for n in names[:limit])
    return shown + (f" (+{len(names) - limit} more)" if len(names) > limit else "")


class Module(metaclass=_LabelsParameters):
    """Base class of models: parameters found by name, `zero_grad`, state dicts.

    Subclasses store parameters (Values), sub-modules and lists of them as
    public attributes and define ``__call__``; attributes starting with ``_``
    are private and never parameters.
    """

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """Each parameter once, with its dotted name, in definition order."""
        return _walk(self)

    def parameters(self) -> list[Value]:
        """Every parameter once, in the order of `named_parameters`."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to 0.0."""
        params = self.parameters()
        tell_compile(params, "called zero_grad() on a module")
        for p in params:
            p.grad = 0.0

    def label_parameters(self) -> None:
        """Label each parameter with its dotted name and mark it (done on construction).

        The mark, ``p.is_parameter = True``, is what `autograd.viz` reads to
        draw it as a parameter when no ``params=`` or ``module=`` is given.
        """
        for name, p in self.named_parameters():
            p.label = name
            vars(p)["is_parameter"] = True  # a free attribute, in the Value's __dict__

    def state_dict(self) -> dict[str, float]:
        """Each parameter's value by name, a snapshot for `load_state_dict`."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Set every parameter from `state`; on any mismatch raise and change nothing.

        `state` must name exactly this module's parameters, each a finite real
        number (not a bool): otherwise ValueError (missing or unexpected names,
        non-finite numbers) or TypeError (not a number).
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                "state must be a mapping of names to numbers, "
                f"got {type(state).__name__}"
            )
        params = dict(self.named_parameters())
        missing = [name for name in params if name not in state]
        unexpected = [key for key in state if key not in params]
        if missing or unexpected:
            problems = []
            if missing:
                problems.append(f"missing {_listing(missing)}")
            if unexpected:
                problems.append(f"unexpected {_listing(unexpected)}")
            raise ValueError(f"state does not fit {self!r}: {'; '.join(problems)}")
        values = [finite_float(state[name], f"state[{name!r}]") for name in params]
        for p, value in zip(params.values(), values, strict=True):
            p.data = value

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The module's computation; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(parameters={len(self.parameters())})"


def _activation(activation: object, nonlin: object) -> str:
    """The activation name from micrograd's ``nonlin=`` flag or our ``activation=``."""
    if nonlin is not None:
        if not isinstance(nonlin, bool):
            raise TypeError(
                f"nonlin must be a bool, got {type(nonlin).__name__} {nonlin!r}"
            )
        if activation is not None:
            raise ValueError("pass either activation= or nonlin=, not both")
        return "relu" if nonlin else "linear"
    if activation is None:
        return "relu"
    if not isinstance(activation, str):
        raise TypeError(
            f"activation must be a str, got {type(activation).__name__} {activation!r}"
        )
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}"
        )
    return activation


def _check_init(init: object) -> str:
    if not isinstance(init, str) or init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
    return init


def _initial_weights(init: str, fan_in: int, fan_out: int, rng: Draws) -> list[float]:
    if init == "xavier":
        # Glorot: Var(w) = 2 / (fan_in + fan_out); U(-a, a) has variance a**2 / 3.
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        return [rng.uniform(-bound, bound) for _ in range(fan_in)]
    if init == "he":
        # He: Var(w) = 2 / fan_in keeps the variance of relu activations constant.
        std = math.sqrt(2.0 / fan_in)
        return [rng.gauss(0.0, std) for _ in range(fan_in)]
    return [rng.uniform(-1.0, 1.0) for _ in range(fan_in)]


def _length_error(module: Module, nin: int, x: Sequence[object]) -> ValueError:
    return ValueError(f"{module!r} expects {nin} inputs, got {len(x)}")


class Neuron(Module):
    """activation(w . x + b): `nin` weights and a bias, micrograd's unit.

    >>> n = Neuron(2, "linear", seed=1)
    >>> n([0.0, 0.0]).data
    0.0
    """

    def __init__(
        self,
        nin: int,
        activation: str | None = None,
        *,
        nonlin: bool | None = None,
        init: str = "uniform",
        fan_out: int = 1,
        seed: Seed = None,
    ) -> None:
        """`nin` inputs; weights drawn by `init` (`fan_out` is for Xavier), bias 0."""
        self.nin = positive_int(nin, "nin")
        self.activation = _activation(activation, nonlin)
        self.init = _check_init(init)
        rng = resolve_rng(seed)
        weights = _initial_weights(
            self.init, self.nin, positive_int(fan_out, "fan_out"), rng
        )
        self.w = [Value(w) for w in weights]
        self.b = Value(0.0)
        self._act = ACTIVATIONS[self.activation]

    def __call__(self, x: Sequence[Value | float]) -> Value:
        """The neuron's output for inputs `x` (numbers stay constants, not nodes)."""
        if len(x) != self.nin:
            raise _length_error(self, self.nin, x)
        out: Value = sum(map(operator.mul, self.w, x), self.b)
        act = self._act
        return out if act is None else act(out)

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """`nout` neurons reading the same `nin` inputs; returns a list of `nout` Values."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | None = None,
        *,
        nonlin: bool | None = None,
        init: str = "uniform",
        seed: Seed = None,
    ) -> None:
        """A layer of `nout` Neurons with `nin` inputs each, all with `activation`."""
        self.nin = positive_int(nin, "nin")
        self.nout = positive_int(nout, "nout")
        self.activation = _activation(activation, nonlin)
        rng = resolve_rng(seed)
        self.neurons = [
            Neuron(nin, self.activation, init=init, fan_out=nout, seed=rng)
            for _ in range(nout)
        ]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        """The outputs of every neuron for inputs `x`."""
        if len(x) != self.nin:
            raise _length_error(self, self.nin, x)
        return [n(x) for n in self.neurons]

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """A multilayer perceptron: hidden layers with `activation`, the last linear.

    ``MLP(2, [16, 16, 1])`` is micrograd's model; calling a model whose last
    layer has one neuron returns a Value, otherwise a list of Values.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | None = None,
        *,
        nonlin: bool | None = None,
        output_activation: str = "linear",
        init: str = "uniform",
        seed: Seed = None,
    ) -> None:
        """Layers of widths `nouts` on `nin` inputs (``nonlin=False``: all linear)."""
        self.nin = positive_int(nin, "nin")
        if isinstance(nouts, str | bytes) or not isinstance(nouts, Sequence):
            raise TypeError(
                "nouts must be a list of layer widths such as [16, 16, 1], "
                f"got {nouts!r}"
            )
        if not nouts:
            raise ValueError("nouts must name at least one layer width, got []")
        self.nouts = [positive_int(n, f"nouts[{i}]") for i, n in enumerate(nouts)]
        self.activation = _activation(activation, nonlin)
        self.output_activation = _activation(output_activation, None)
        rng = resolve_rng(seed)
        sizes = [self.nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                self.output_activation if i == last else self.activation,
                init=init,
                seed=rng,
            )
            for i in range(len(self.nouts))
        ]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        """The output for inputs `x`: a Value if the last layer has one neuron."""
        out = self.layers[0](x)
        for layer in self.layers[1:]:
            out = layer(out)
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        extra = (
            f", output_activation={self.output_activation!r}"
            if self.output_activation != "linear"
            else ""
        )
        return f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}{extra})"
