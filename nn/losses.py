"""Loss functions: Values (predictions) and targets in, one scalar Value out.

Every loss is a mean over examples, and is finite wherever the true loss is a
finite float; where it is not, the loss raises OverflowError naming itself.
The classification losses work from raw scores (logits): softplus for binary
cross-entropy, log-sum-exp shifted by the row maximum for cross-entropy.

The losses are built only from ops, comparisons and `detach()`, never from
numbers read out of a Value, so `autograd.compile` replays them exactly.

>>> from autograd import Value
>>> round(mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data, 6)
2.5
"""

from __future__ import annotations

import contextlib
import functools
import math
import numbers
import operator
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from autograd import Value, exp, log, maximum, softplus
from nn._validate import short

__all__ = ["binary_cross_entropy", "cross_entropy", "hinge", "l2", "mse"]

Scalar = Value | float

# exp(x) is exactly 0.0 for x < -745.2, so a logit this far below the row's
# maximum contributes nothing to log-sum-exp.
_NEGLIGIBLE = 800.0


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
    """A real-number label (any numeric type but bool) as a float."""
    if isinstance(t, bool) or not isinstance(t, numbers.Real):
        kind = type(t).__name__
        raise TypeError(f"{name}[{i}] must be a number, got {kind} {short(t)}")
    try:
        return float(t)
    except OverflowError:
        return math.inf  # outside every label set: the caller's range check says so


def _class_index(label: object, i: int, width: int) -> int:
    """A class label of any integral type (int, numpy.int64...; not bool) as an int."""
    if isinstance(label, bool) or not isinstance(label, numbers.Integral):
        raise TypeError(
            f"labels[{i}] must be an int class index, "
            f"got {type(label).__name__} {short(label)}"
        )
    index = operator.index(label)
    if not 0 <= index < width:
        raise ValueError(
            f"labels[{i}] must be a class index in [0, {width}), got {short(index)}"
        )
    return index


def _quarterings(n: int) -> int:
    """The j with 4**j >= n: a mean of n terms scales each by 4**-j before summing.

    Scaling by a power of two is exact, so the mean comes out as the same float
    as sum(terms) / n, but no partial sum can exceed the largest term: a mean
    that fits in a float is computed without overflowing on the way.
    """
    return ((n - 1).bit_length() + 1) // 2


def _scaled(x: Scalar, c: float) -> Scalar:
    """x * c, where c is a power of two (exact); no node when c is 1."""
    return x * c if c != 1.0 else x


def _mean(scaled_terms: list[Scalar], j: int) -> Value:
    """The mean of n terms given already multiplied by 4**-j (`_quarterings(n)`)."""
    n = len(scaled_terms)
    # Start from the first term: a 0.0 start would cost one more node.
    total = sum(scaled_terms[1:], scaled_terms[0])
    factor = 4.0**j / n  # = 4**j * (1 / n) exactly
    if factor != 1.0:
        total = total * factor
    return _finite(total)


def _finite(total: Scalar) -> Value:
    if isinstance(total, Value):
        return total
    if not math.isfinite(total):  # plain numbers in, plain float arithmetic
        raise OverflowError(f"the loss is {total!r} as a float")
    return Value(total)


@contextlib.contextmanager
def _naming_overflow(loss: str) -> Iterator[None]:
    """Re-raise an OverflowError with the loss's name: its true value is too large."""
    try:
        yield
    except OverflowError as e:
        raise OverflowError(f"{loss}: the loss does not fit in a float ({e})") from e


def mse(preds: Sequence[Scalar], targets: Sequence[Scalar]) -> Value:
    """Mean squared error: mean of (pred - target)**2.

    >>> round(mse([Value(2.0)], [0.5]).data, 6)
    2.25
    """
    p, t = _pairs(preds, targets, ("preds", "targets"))
    j = _quarterings(len(p))
    with _naming_overflow("mse"):
        # (d * 2**-j)**2 = d**2 * 4**-j: the scale goes in before squaring.
        diffs = [_scaled(a - b, 0.5**j) for a, b in zip(p, t, strict=True)]
        return _mean([d * d for d in diffs], j)


def hinge(scores: Sequence[Scalar], labels: Sequence[float]) -> Value:
    """Max-margin loss (micrograd's): mean of relu(1 - y * s) for labels y in {-1, +1}.

    >>> hinge([Value(2.0), Value(0.5)], [1, 1]).data
    0.25
    """
    s, y = _pairs(scores, labels, ("scores", "labels"))
    j = _quarterings(len(s))
    c = 0.25**j
    terms: list[Scalar] = []
    with _naming_overflow("hinge"):
        for i, (score, target) in enumerate(zip(s, y, strict=True)):
            label = _label(target, "labels", i)
            if label not in (-1.0, 1.0):
                raise ValueError(f"labels[{i}] must be -1 or +1, got {short(target)}")
            # c * relu(1 - y*s), written so the scale costs no extra node.
            margin = c - (c * label) * score
            terms.append(
                margin.relu() if isinstance(margin, Value) else max(margin, 0.0)
            )
        return _mean(terms, j)


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
    j = _quarterings(len(z))
    terms: list[Scalar] = []
    with _naming_overflow("binary_cross_entropy"):
        for i, (logit, target) in enumerate(zip(z, t, strict=True)):
            label = _label(target, "targets", i)
            if not 0.0 <= label <= 1.0:
                raise ValueError(f"targets[{i}] must be in [0, 1], got {short(target)}")
            terms.append(_scaled(softplus(logit) - label * logit, 0.25**j))
        return _mean(terms, j)


def _scaled_nll(logits: list[Scalar], target: Scalar, c: float) -> Scalar:
    """c * (log(sum(exp(z))) - target), shifted by the row's maximum m.

    m is detached: the loss does not depend on the shift, so no gradient is
    lost, and it is an op (`maximum`), not a number read out of a Value, so a
    compiled replay recomputes it. The shift comes off first, as
    ``(m - target) + log(sum(exp(z - m)))``: two terms >= 0, so the log
    (as small as 1e-300) is not lost against a large m (m + log(2) == m for
    m = 1e300, which made a loss of log(2) read 0.0).
    """
    m = functools.reduce(maximum, logits)
    if isinstance(m, Value):
        m = m.detach()
    # For m > 800 and z < -800, exp(z - m) is exactly 0: leaving such z out
    # changes nothing, and z - m can only overflow (at -1.8e308) among them.
    far = m > _NEGLIGIBLE
    kept = [z for z in logits if not (far and z < -_NEGLIGIBLE)]
    total = sum((exp(z - m) for z in kept[1:]), exp(kept[0] - m))
    # Scaled before the subtraction: m - target alone may pass 1.8e308.
    return (_scaled(m, c) - _scaled(target, c)) + _scaled(log(total), c)


def cross_entropy(
    logit_rows: Sequence[Sequence[Scalar]], labels: Sequence[int]
) -> Value:
    """Softmax cross-entropy: mean over rows of logsumexp(row) - row[label].

    log-sum-exp is shifted by the row's largest logit m (detached: it does not
    change the value or the gradient softmax - onehot), so no exp overflows
    and the log's argument is at least 1. Labels are class indices of any
    integral type (int, numpy.int64, ...).

    >>> round(cross_entropy([[Value(0.0), Value(0.0)]], [1]).data, 6)
    0.693147
    >>> cross_entropy([[Value(1e308), Value(-1e308)]], [0]).data
    0.0
    """
    rows, ys = _pairs(logit_rows, labels, ("logit_rows", "labels"))
    j = _quarterings(len(rows))
    width = -1
    terms: list[Scalar] = []
    with _naming_overflow("cross_entropy"):
        for i, (row, label) in enumerate(zip(rows, ys, strict=True)):
            logits = _sequence(row, f"logit_rows[{i}]")
            if width == -1:
                width = len(logits)
            elif len(logits) != width:
                raise ValueError(
                    f"logit_rows[{i}] has {len(logits)} classes, the first row {width}"
                )
            target = logits[_class_index(label, i, width)]
            terms.append(_scaled_nll(logits, target, 0.25**j))
        return _mean(terms, j)


def l2(params: Iterable[Scalar]) -> Value:
    """The L2 penalty: sum of p**2 (scale it: ``1e-4 * l2(model.parameters())``)."""
    ps = _sequence(params, "params")
    with _naming_overflow("l2"):
        squares = [p * p for p in ps]
        return _finite(sum(squares[1:], squares[0]))
