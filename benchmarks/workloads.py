"""The workloads of `benchmarks/run.py`, each written once over a small engine adapter.

An engine adapter gives the few things a workload needs beyond operators:
making a leaf, `tanh`/`exp`/`log`/`relu`, and backward. The workload code
is then the same op sequence for every engine. W1 uses each library's own
model code: `nn.MLP` for ours, `micrograd.nn.MLP` for micrograd, and the
same MLP written over 0-dim tensors or plain floats for the others.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gpt
import microgpt_style
import micrograd.nn
import micrograd_ops
from micrograd.engine import Value as MicroValue

import autograd
import nn
from autograd import Value

try:
    import torch
except ImportError:  # PyTorch is optional: its columns are left out
    torch = None

# A run is one repetition of a workload, already set up: call it to time it.
Run = Callable[[], object]


@dataclass(frozen=True)
class Scalars:
    """How a workload makes leaves and applies functions with one engine."""

    leaf: Callable[[float], Any]
    tanh: Callable[[Any], Any]
    exp: Callable[[Any], Any]
    log: Callable[[Any], Any]
    relu: Callable[[Any], Any]


OURS = Scalars(Value, Value.tanh, Value.exp, Value.log, Value.relu)
MICROGRAD = Scalars(
    MicroValue,
    micrograd_ops.tanh,
    micrograd_ops.exp,
    micrograd_ops.log,
    MicroValue.relu,
)
FLOATS = Scalars(float, math.tanh, math.exp, math.log, lambda x: x if x > 0.0 else 0.0)


def torch_scalars() -> Scalars:
    """0-dim float64 tensors that record gradients, the same op for op."""
    return Scalars(
        lambda x: torch.tensor(x, dtype=torch.float64, requires_grad=True),
        torch.tanh,
        torch.exp,
        torch.log,
        torch.relu,
    )


def deep_recursion() -> None:
    """micrograd's backward sorts recursively; let it go as deep as a graph is."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000_000))


# -- W1: micrograd's moons demo step -----------------------------------------

N_POINTS = 100
SIZES = [16, 16, 1]
LR = 0.05


def moons() -> tuple[list[list[float]], list[float]]:
    """100 two-moons points and labels in {-1, +1}."""
    X, y = nn.make_moons(N_POINTS, seed=1)
    return [list(x) for x in X], [2.0 * c - 1.0 for c in y]


def w1_loss(model: nn.MLP, X: list[list[float]], labels: list[float]) -> Value:
    """The W1 loss with our nn: nn.hinge + 1e-4 * nn.l2 of the parameters."""
    scores = [model(x) for x in X]
    return nn.hinge(scores, labels) + 1e-4 * nn.l2(model.parameters())


def w1_micrograd_loss(
    model: micrograd.nn.MLP, X: list[list[float]], labels: list[float]
) -> MicroValue:
    """The W1 loss as micrograd's demo writes it: max-margin mean + 1e-4 * L2."""
    inputs = [list(map(MicroValue, x)) for x in X]
    scores = list(map(model, inputs))
    losses = [(1 + -y * s).relu() for y, s in zip(labels, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def w1_ours(compiled: bool) -> Run:
    """nn.MLP, nn.hinge + 1e-4 * nn.l2, nn.SGD; eager or through autograd.compile."""
    X, labels = moons()
    model = nn.MLP(2, SIZES, seed=1)
    opt = nn.SGD(model.parameters(), lr=LR)

    def loss() -> Value:
        return w1_loss(model, X, labels)

    step = autograd.compile(loss)

    def run() -> None:
        opt.zero_grad()
        if compiled:
            step()
        else:
            loss().backward()
        opt.step()

    if compiled:
        step()  # the first call traces and compiles: timed on its own (W1 first call)
    return run


def w1_first_call() -> Run:
    """One trace + compile of the W1 loss (a new model each time)."""
    X, labels = moons()

    def run() -> None:
        model = nn.MLP(2, SIZES, seed=1)
        autograd.compile(lambda: w1_loss(model, X, labels))()

    return run


def w1_micrograd() -> Run:
    """micrograd's own demo code: its MLP, max-margin loss, L2, SGD."""
    X, labels = moons()
    random.seed(1)
    model = micrograd.nn.MLP(2, SIZES)

    def run() -> None:
        loss = w1_micrograd_loss(model, X, labels)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= LR * p.grad

    return run


def scalar_mlp(s: Scalars, seed: int = 1) -> list[tuple[list[list[Any]], list[Any]]]:
    """MLP(2, [16, 16, 1]) weights as leaves of engine `s`: per layer (rows, biases)."""
    rng = random.Random(seed)
    layers = []
    for nin, nout in zip([2, *SIZES], SIZES, strict=False):
        rows = [[s.leaf(rng.uniform(-1, 1)) for _ in range(nin)] for _ in range(nout)]
        layers.append((rows, [s.leaf(0.0) for _ in range(nout)]))
    return layers


def scalar_mlp_parameters(layers: Any) -> list[Any]:
    """Every weight and bias of a `scalar_mlp` once, in micrograd's order."""
    return [
        p
        for rows, biases in layers
        for row, b in zip(rows, biases, strict=True)
        for p in [*row, b]
    ]


def scalar_mlp_loss(s: Scalars, layers: Any, X: Any, labels: Sequence[float]) -> Any:
    """The W1 loss over a `scalar_mlp`, op for op as micrograd's demo computes it."""
    scores = []
    for x in X:
        h = x
        for i, (rows, biases) in enumerate(layers):
            outs = [
                sum((w * v for w, v in zip(row, h, strict=True)), b)
                for row, b in zip(rows, biases, strict=True)
            ]
            h = outs if i == len(layers) - 1 else [s.relu(o) for o in outs]
        scores.append(h[0])
    losses = [s.relu(1 + -y * sc) for y, sc in zip(labels, scores, strict=True)]
    params = scalar_mlp_parameters(layers)
    return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)


def w1_torch_scalar() -> Run:
    """The W1 op sequence on 0-dim float64 tensors."""
    s = torch_scalars()
    X, labels = moons()
    layers = scalar_mlp(s)
    params = scalar_mlp_parameters(layers)

    def run() -> None:
        for p in params:
            p.grad = None
        scalar_mlp_loss(s, layers, X, labels).backward()
        with torch.no_grad():
            for p in params:
                p.sub_(LR * p.grad)

    return run


def w1_torch_batched() -> Run:
    """What a PyTorch user writes: the same MLP on a (100, 2) batch, one thread."""
    X, labels = moons()
    t = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    x, y = t(X), t(labels).reshape(-1, 1)
    gen = torch.Generator().manual_seed(1)
    params = []
    for nin, nout in zip([2, *SIZES], SIZES, strict=False):
        w = torch.rand(nin, nout, generator=gen, dtype=torch.float64) * 2 - 1
        params += [
            w.requires_grad_(),
            torch.zeros(nout, dtype=torch.float64, requires_grad=True),
        ]

    def run() -> None:
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = torch.relu(h)
        loss = torch.relu(1 - y * h).mean() + 1e-4 * sum((p * p).sum() for p in params)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.sub_(LR * p.grad)

    return run


def w1_floats() -> Run:
    """The floor: the W1 forward arithmetic on plain floats, no gradient."""
    X, labels = moons()
    layers = scalar_mlp(FLOATS)
    return lambda: scalar_mlp_loss(FLOATS, layers, X, labels)


# -- W2: a deep chain -------------------------------------------------------


def chain(s: Scalars, y: Any, n: int) -> Any:
    """y = tanh(0.5 * y + 0.1), n times: 3n nodes."""
    for _ in range(n):
        y = s.tanh(y * 0.5 + 0.1)
    return y


def w2(s: Scalars, n: int) -> Run:
    """Forward and backward through a chain of n steps."""

    def run() -> None:
        chain(s, s.leaf(0.3), n).backward()

    return run


def w2_compiled(n: int) -> Run:
    """The chain, compiled once, replayed."""
    x = Value(0.3)
    step = autograd.compile(lambda v: chain(OURS, v, n))
    step(x)
    return lambda: step(x)


# -- W3: a wide sum -----------------------------------------------------------


def products(s: Scalars, n: int) -> tuple[list[Any], list[Any]]:
    """2n leaves with fixed random values."""
    rng = random.Random(3)
    return [s.leaf(rng.uniform(-1, 1)) for _ in range(n)], [
        s.leaf(rng.uniform(-1, 1)) for _ in range(n)
    ]


def loop_sum(a: Sequence[Any], b: Sequence[Any]) -> Any:
    """a0*b0 + a1*b1 + ... with a loop of `+`."""
    total = a[0] * b[0]
    for x, y in zip(a[1:], b[1:], strict=True):
        total = total + x * y
    return total


def builtin_sum(a: Sequence[Any], b: Sequence[Any]) -> Any:
    """The same sum with builtin `sum` (it starts from the int 0)."""
    return sum(x * y for x, y in zip(a, b, strict=True))


def w3(s: Scalars, n: int, total: Callable[[Any, Any], Any]) -> Run:
    """Forward and backward of a sum of n products of leaves."""
    a, b = products(s, n)
    return lambda: total(a, b).backward()


def w3_compiled(n: int, total: Callable[[Any, Any], Any]) -> Run:
    """The wide sum compiled once (its leaves are reached from inside), replayed."""
    a, b = products(OURS, n)
    step = autograd.compile(lambda: total(a, b))
    step()
    return step


# -- W4: one small function evaluated many times ---------------------------

N_INPUTS = 8
ROUNDS = 14  # 15 ops per round: about 200 ops


def w4_function(s: Scalars, xs: Sequence[Any]) -> Any:
    """About 200 ops mixing products, tanh, log and exp of 8 inputs."""
    acc = xs[0] * 0.5
    for i in range(ROUNDS):
        a, b = xs[i % N_INPUTS], xs[(3 * i + 1) % N_INPUTS]
        t = s.tanh(a * b + acc * 0.1)
        acc = acc + t * (0.3 + 0.01 * i) + s.log(b * b + 1.0) * 0.05
        acc = acc - s.exp(a * 0.2) * 0.01
    return acc


def w4_points(calls: int) -> list[list[float]]:
    """New inputs for every call."""
    rng = random.Random(4)
    return [[rng.uniform(-1, 1) for _ in range(N_INPUTS)] for _ in range(calls)]


def w4(s: Scalars, calls: int) -> Run:
    """Value and gradient of w4_function at `calls` points, fresh leaves each call."""
    points = w4_points(calls)

    def run() -> None:
        for point in points:
            xs = [s.leaf(x) for x in point]
            w4_function(s, xs).backward()

    return run


def w4_compiled(calls: int) -> Run:
    """The same calls through one compiled function; inputs are Values set per call."""
    points = w4_points(calls)
    xs = [Value(0.5) for _ in range(N_INPUTS)]
    step = autograd.compile(lambda *v: w4_function(OURS, v))
    step(*xs)

    def run() -> None:
        for point in points:
            for x, value in zip(xs, point, strict=True):
                x.data = value
                x.grad = 0.0
            step(*xs)

    return run


def w4_torch_batched(calls: int) -> Run:
    """All calls as one batch: columns of a (calls, 8) tensor, one thread."""
    points = torch.tensor(w4_points(calls), dtype=torch.float64)
    s = Scalars(lambda x: x, torch.tanh, torch.exp, torch.log, torch.relu)

    def run() -> None:
        x = points.clone().requires_grad_()
        w4_function(s, x.unbind(1)).sum().backward()

    return run


def w4_floats(calls: int) -> Run:
    """The floor: the W4 arithmetic on plain floats, no gradient."""
    points = w4_points(calls)
    return lambda: [w4_function(FLOATS, p) for p in points]


# -- W5: a character-level GPT on names (benchmarks/gpt.py) -----------------


def _torch_value(t: Any) -> float:
    return t.item()


def _torch_grad(p: Any) -> float:
    # A weight the step did not reach (a letter not in the name) has no grad.
    return 0.0 if p.grad is None else p.grad.item()


def _torch_set(p: Any, x: float) -> None:
    p.data.fill_(x)
    p.grad = None


W5_FLOATS = gpt.Engine(
    float, math.exp, math.log, FLOATS.relu, float, lambda p: 0.0, lambda p, x: None
)
"""The W5 model's arithmetic on plain floats: a forward with no graph, the floor."""


def w5_engines(with_torch: bool) -> dict[str, gpt.Engine]:
    """The W5 engines by column name: each makes and reads nodes its own way."""
    engines = {
        "ours eager": gpt.OURS,
        "microgpt-style": gpt.Engine(
            microgpt_style.Value,
            microgpt_style.Value.exp,
            microgpt_style.Value.log,
            microgpt_style.Value.relu,
            gpt.read_data,
            gpt.read_grad,
            gpt.write_data,
        ),
        "micrograd": gpt.Engine(
            MicroValue,
            micrograd_ops.exp,
            micrograd_ops.log,
            MicroValue.relu,
            gpt.read_data,
            gpt.read_grad,
            gpt.write_data,
        ),
    }
    if with_torch:
        s = torch_scalars()
        engines["torch scalar"] = gpt.Engine(
            s.leaf,
            s.exp,
            s.log,
            s.relu,
            _torch_value,
            _torch_grad,
            _torch_set,
        )
    return engines
