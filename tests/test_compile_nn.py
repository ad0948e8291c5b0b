"""`nn` classifiers trained through compile end where eager does, bit for bit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from floats import all_bits

import nn
from autograd import Value, compile

Loss = Callable[[nn.MLP], Value]


def cross_entropy_loss() -> tuple[nn.MLP, Loss, type[nn.Optimizer]]:
    X, y = nn.make_spiral(24, n_classes=3, seed=0)
    model = nn.MLP(2, [8, 3], seed=0)

    def loss(m: nn.MLP) -> Value:
        return nn.cross_entropy([m(x) for x in X], y)  # type: ignore[misc]

    return model, loss, nn.Adam


def binary_cross_entropy_loss() -> tuple[nn.MLP, Loss, type[nn.Optimizer]]:
    X, y = nn.make_circles(24, noise=0.1, factor=0.5, seed=0)
    model = nn.MLP(2, [8, 1], seed=0)

    def loss(m: nn.MLP) -> Value:
        return nn.binary_cross_entropy([m(x) for x in X], y)  # type: ignore[misc]

    return model, loss, nn.Adam


def hinge_loss() -> tuple[nn.MLP, Loss, type[nn.Optimizer]]:
    X, y = nn.make_moons(24, seed=0)
    labels = [2 * c - 1 for c in y]
    model = nn.MLP(2, [8, 1], seed=0)

    def loss(m: nn.MLP) -> Value:
        scores = [m(x) for x in X]
        return nn.hinge(scores, labels) + 1e-4 * nn.l2(m.parameters())  # type: ignore[arg-type]

    return model, loss, nn.SGD


@pytest.mark.parametrize(
    "make",
    [
        cross_entropy_loss,
        binary_cross_entropy_loss,
        hinge_loss,
    ],
    ids=["cross_entropy", "binary_cross_entropy", "hinge"],
)
def test_a_classifier_trained_30_steps_compiled_equals_eager(
    make: Callable[[], tuple[nn.MLP, Loss, type[nn.Optimizer]]],
) -> None:
    eager_model, loss, optimizer = make()
    compiled_model = make()[0]
    optimizers = [
        optimizer(m.parameters(), lr=0.05)  # type: ignore[call-arg]
        for m in (eager_model, compiled_model)
    ]
    step = compile(lambda: loss(compiled_model))
    for _ in range(30):
        for opt in optimizers:
            opt.zero_grad()
        out = loss(eager_model)
        out.backward()
        assert all_bits([step()]) == all_bits([out.data])
        assert all_bits([p.grad for p in compiled_model.parameters()]) == all_bits(
            [p.grad for p in eager_model.parameters()]
        )
        for opt in optimizers:
            opt.step()
