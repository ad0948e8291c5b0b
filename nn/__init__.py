"""`nn`: modules, losses, optimizers, checkpoints and toy datasets on `autograd`.

>>> from nn import MLP, SGD, hinge, l2, make_moons
>>> X, y = make_moons(20, seed=0)
>>> labels = [2 * c - 1 for c in y]
>>> model = MLP(2, [8, 1], seed=0)
>>> opt = SGD(model.parameters(), lr=0.1)
>>> for _ in range(3):
...     scores = [model(x) for x in X]
...     loss = hinge(scores, labels) + 1e-4 * l2(model.parameters())
...     opt.zero_grad()
...     loss.backward()
...     opt.step()
>>> loss.data > 0
True
"""

from __future__ import annotations

from nn.datasets import make_circles, make_moons, make_sine, make_spiral
from nn.losses import binary_cross_entropy, cross_entropy, hinge, l2, mse
from nn.module import ACTIVATIONS, INITS, MLP, Layer, Module, Neuron
from nn.optim import SGD, Adam, AdamW, LearningRate, Optimizer
from nn.serialize import CheckpointError, load, save

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "MLP",
    "SGD",
    "Adam",
    "AdamW",
    "CheckpointError",
    "Layer",
    "LearningRate",
    "Module",
    "Neuron",
    "Optimizer",
    "binary_cross_entropy",
    "cross_entropy",
    "hinge",
    "l2",
    "load",
    "make_circles",
    "make_moons",
    "make_sine",
    "make_spiral",
    "mse",
    "save",
]
