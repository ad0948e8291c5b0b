"""Loss functions: Values (predictions) and targets in, one scalar Value out.

Every loss is a mean over examples. The classification losses work from raw
scores (logits) and are written to stay finite for any finite input: softplus
for binary cross-entropy, log-sum-exp shifted by the row maximum for
cross-entropy.

>>> from autograd import Value
>>> round(mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data, 6)
2.5
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from autograd import Value, exp, log, softplus

__all__ = ["binary_cross_entropy", "cross_entropy", "hinge", "l2", "mse"]

Scalar = Value | float


def _sequence(items: object, name: str) -> list[Any]:
    if isinstance(items, Value | str | bytes) or not isinstance(items, Iterable):
        raise TypeError(f"{name} must be a sequence, got {type(items).__name__}")
    out = list(items)
    if not out:
        raise ValueError(f"{name} must not be empty")
    return out


def _pairs(
    preds: object, targets: object, names: tuple[str, str]
) -> tuple[list[Any], list[Any]]:
    p, t = _sequence(preds, names[0]), _sequence(targets, names[1])
    if len(p) != len(t):
        raise ValueError(
            f"{names[0]} and {names[1]} differ in length: {len(p)} != {len(t)}"
        )
    return p, t


def _label(t: object, name: str, i: int) -> float:
    if isinstance(t, bool) or not isinstance(t, int | float):
        raise TypeError(f"{name}[{i}] must be a number, got {type(t).__name__} {t!r}")
    return float(t)


def _total(terms: list[Scalar]) -> Scalar:
    # Start from the first term: a 0.0 start would cost one more node.
    return sum(terms[1:], terms[0])


def _mean(terms: list[Scalar]) -> Value:
    total = _total(terms)
    if len(terms) > 1:
        total = total * (1.0 / len(terms))
    return total if isinstance(total, Value) else Value(total)


def mse(preds: Sequence[Scalar], targets: Sequence[Scalar]) -> Value:
    """Mean squared error: mean of (pred - target)**2.

    >>> round(mse([Value(2.0)], [0.5]).data, 6)
    2.25
    """
    p, t = _pairs(preds, targets, ("preds", "targets"))
    diffs = [a - b for a, b in zip(p, t, strict=True)]
    return _mean([d * d for d in diffs])


def hinge(scores: Sequence[Scalar], labels: Sequence[float]) -> Value:
    """Max-margin loss (micrograd's): mean of relu(1 - y * s) for labels y in {-1, +1}.

    >>> hinge([Value(2.0), Value(0.5)], [1, 1]).data
    0.25
    """
    s, y = _pairs(scores, labels, ("scores", "labels"))
    terms: list[Scalar] = []
    for i, (score, target) in enumerate(zip(s, y, strict=True)):
        label = _label(target, "labels", i)
        if label not in (-1.0, 1.0):
            raise ValueError(f"labels[{i}] must be -1 or +1, got {target!r}")
        margin = 1.0 - label * score
        terms.append(margin.relu() if isinstance(margin, Value) else max(margin, 0.0))
    return _mean(terms)


def binary_cross_entropy(logits: Sequence[Scalar], targets: Sequence[float]) -> Value:
    """Binary cross-entropy from logits z and targets t in [0, 1].

    -t log(sigmoid z) - (1 - t) log(1 - sigmoid z) = softplus(z) - t z, which
    is finite for any finite z (no sigmoid that rounds to 0 or 1 is logged).

    >>> round(binary_cross_entropy([Value(0.0)], [1]).data, 6)
    0.693147
    >>> binary_cross_entropy([Value(1e4)], [1]).data
    0.0
    """
    z, t = _pairs(logits, targets, ("logits", "targets"))
    terms: list[Scalar] = []
    for i, (logit, target) in enumerate(zip(z, t, strict=True)):
        label = _label(target, "targets", i)
        if not 0.0 <= label <= 1.0:
            raise ValueError(f"targets[{i}] must be in [0, 1], got {target!r}")
        terms.append(softplus(logit) - label * logit)
    return _mean(terms)


def cross_entropy(
    logit_rows: Sequence[Sequence[Scalar]], labels: Sequence[int]
) -> Value:
    """Softmax cross-entropy: mean over rows of logsumexp(row) - row[label].

    log-sum-exp is shifted by the row's largest logit m (a constant, which
    does not change the value or the gradient softmax - onehot), so no exp
    overflows and the log's argument is at least 1.

    >>> round(cross_entropy([[Value(0.0), Value(0.0)]], [1]).data, 6)
    0.693147
    """
    rows, ys = _pairs(logit_rows, labels, ("logit_rows", "labels"))
    width = -1
    terms: list[Scalar] = []
    for i, (row, label) in enumerate(zip(rows, ys, strict=True)):
        logits = _sequence(row, f"logit_rows[{i}]")
        if width == -1:
            width = len(logits)
        elif len(logits) != width:
            raise ValueError(
                f"logit_rows[{i}] has {len(logits)} classes, the first row {width}"
            )
        if isinstance(label, bool) or not isinstance(label, int):
            raise TypeError(
                f"labels[{i}] must be an int class index, "
                f"got {type(label).__name__} {label!r}"
            )
        if not 0 <= label < width:
            raise ValueError(
                f"labels[{i}] must be a class index in [0, {width}), got {label}"
            )
        m = max(float(z) for z in logits)
        total = _total([exp(z - m) for z in logits])
        terms.append(m + log(total) - logits[label])
    return _mean(terms)


def l2(params: Iterable[Scalar]) -> Value:
    """The L2 penalty: sum of p**2 (scale it: ``1e-4 * l2(model.parameters())``)."""
    ps = _sequence(params, "params")
    total = _total([p * p for p in ps])
    return total if isinstance(total, Value) else Value(total)
