"""Loss functions: Values (predictions) and targets in, one scalar Value out.

Every loss is a mean over examples, computed as written: each example's
term, added to a running total (from 0.0, as `sum` starts) as soon as it is
made, then the total over n. Its graph reads as the formula, and given a
generator of predictions, ``mse((model(x) for x in X), targets)``, each
term follows its prediction, so `autograd.compile` rolls the whole step
into one loop, as it does a hand-written ``sum((model(x) - y) ** 2 for
...)``. A list of predictions made first rolls too: compile takes each
term with the prediction it reads.

Every loss is finite wherever the true loss is a finite float; where it is
not, the loss raises OverflowError naming itself. The classification losses
work from raw scores (logits): softplus for binary cross-entropy,
log-sum-exp shifted by the row maximum for cross-entropy.

The losses are built only from ops, comparisons and `detach()`, never from
numbers read out of a Value, so `autograd.compile` replays them exactly.

>>> from autograd import Value
>>> round(mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data, 6)
2.5
>>> w = Value(2.0)
>>> mse((w * x for x in [0.5, 1.5]), [1.0, 1.0]).data  # predictions made lazily
2.0
"""

from __future__ import annotations

import contextlib
import functools
import math
import numbers
import operator
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from typing import Any

from autograd import Value, exp, log, maximum, softplus
from nn._validate import short

__all__ = ["binary_cross_entropy", "cross_entropy", "hinge", "l2", "mse"]

Scalar = Value | float

# exp(x) is exactly 0.0 for x < -745.2, so a logit this far below the row's
# maximum contributes nothing to log-sum-exp.
_NEGLIGIBLE = 800.0
_LARGEST = sys.float_info.max


def _iterable(items: object, name: str) -> Iterable[Any]:
    if isinstance(items, Value | str | bytes) or not isinstance(items, Iterable):
        raise TypeError(
            f"{name} must be a sequence or an iterable, got {type(items).__name__}"
        )
    return items


def _sequence(items: object, name: str) -> list[Any]:
    out = list(_iterable(items, name))
    if not out:
        raise ValueError(f"{name} must not be empty")
    return out


def _pairs(
    preds: object,
    targets: object,
    names: tuple[str, str],
    check: Callable[[Any, int], Any] | None = None,
) -> Iterator[tuple[Any, Any]]:
    """(pred, target) pairs, read one at a time, targets passed through `check`.

    One at a time, so a generator of predictions is computed pair by pair,
    each right before its term. Lengths are compared up front when both are
    sized, otherwise when the shorter runs out.
    """
    p, t = _iterable(preds, names[0]), _iterable(targets, names[1])
    if isinstance(p, Sized) and isinstance(t, Sized) and len(p) != len(t):
        _differ(names, str(len(p)), str(len(t)))
    ps, ts = iter(p), iter(t)
    n = 0
    end = object()
    for pred in ps:
        target = next(ts, end)
        if target is end:
            _differ(names, _length(ps, n + 1), str(n))
        yield pred, target if check is None else check(target, n)
        n += 1
    if next(ts, end) is not end:
        _differ(names, str(n), _length(ts, n + 1))
    if n == 0:
        raise ValueError(f"{names[0]} must not be empty")


# An iterator may be endless: the longer side is counted only this far.
_COUNTED = 10_000


def _length(rest: Iterator[Any], n: int) -> str:
    """n plus the items left in `rest`, or "at least" a bound where it may not end."""
    end = object()
    for extra in range(_COUNTED):
        if next(rest, end) is end:
            return str(n + extra)
    return f"at least {n + _COUNTED}"


def _differ(names: tuple[str, str], a: str, b: str) -> None:
    raise ValueError(f"{names[0]} and {names[1]} differ in length: {a} != {b}")


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

    Scaling by a power of two is exact, so no partial sum of terms >= 0 can
    exceed the largest term: a mean that fits in a float is computed without
    overflowing on the way.
    """
    return ((n - 1).bit_length() + 1) // 2


def _scaled(x: Scalar, c: float) -> Scalar:
    """x * c, where c is a power of two (exact); no node when c is 1."""
    return x * c if c != 1.0 else x


def _plus(total: Scalar | None, term: Scalar) -> Scalar:
    """total + term, from 0.0 at the start (None), as Python's `sum` starts.

    The 0.0 start makes every term's block the same, first included, so
    `autograd.compile` rolls them all into one loop, as it does `sum(...)`.
    """
    out = (0.0 if total is None else total) + term
    if not isinstance(out, Value) and not math.isfinite(out):
        # Plain numbers give inf or nan where an op on Values raises: nan
        # (a nan or inf - inf among the inputs) is no overflow a scaled
        # second pass could avoid.
        if math.isnan(out):
            raise ValueError(f"the loss is {out!r}: an input is not finite")
        raise OverflowError(f"the loss is {out!r} as a float")
    return out


def _sum(terms: Iterable[Scalar], empty: str) -> Scalar:
    """The terms added up in order; ValueError(`empty`) if there are none."""
    total: Scalar | None = None
    for term in terms:
        total = _plus(total, term)
    if total is None:
        raise ValueError(empty)
    return total


def _value(x: Scalar) -> Value:
    return x if isinstance(x, Value) else Value(x)


_Term = Callable[[Any, Any, int], Scalar]
"""An example's term from its prediction and target, times 4**-j."""


def _mean(loss: str, pairs: Iterator[tuple[Any, Any]], term: _Term) -> Value:
    """The mean of the terms >= 0 of the pairs: their sum over n, as written.

    Each term is added to the total as soon as it is made. If a term or the
    sum passes the largest float (an op raises OverflowError), the terms are
    summed again scaled by 4**-j (`_quarterings`): a mean that fits in a
    float comes out, with the bits the plain formula would have without a
    float's exponent limit; one that does not raises, naming the loss.
    """
    seen: list[tuple[Any, Any]] = []
    total: Scalar | None = None
    overflowed = False
    # The pairs are read outside the `try`: an OverflowError raised by the
    # caller's generator (its model) is the caller's, not the loss's.
    for p, t in pairs:
        seen.append((p, t))
        if not overflowed:
            try:
                total = _plus(total, term(p, t, 0))
            except OverflowError:
                overflowed = True
    n = len(seen)
    if not overflowed:
        assert total is not None  # _pairs refuses empty input
        return _value(total / n if n > 1 else total)
    j = _quarterings(n)
    c = 0.25**j
    with _naming_overflow(loss):
        scaled = _sum((term(p, t, j) for p, t in seen), "no terms")
        # Holds here: the plain sum overflowed and the terms are >= 0 (for
        # n == 1 the scaled pass is the plain one, which raised again above).
        # Compiled, the comparison is a guard: a replay takes this path only
        # while the plain sum overflows, as eager does (the plain path's bits
        # differ where a scaled term is subnormal).
        if not scaled > _LARGEST * c:
            raise OverflowError(f"the loss is {scaled!r} as a float")
        return _value(scaled / (n * c))


@contextlib.contextmanager
def _naming_overflow(loss: str) -> Iterator[None]:
    """Re-raise an OverflowError with the loss's name: its true value is too large."""
    try:
        yield
    except OverflowError as e:
        raise OverflowError(f"{loss}: the loss does not fit in a float ({e})") from e


def mse(preds: Iterable[Scalar], targets: Iterable[Scalar]) -> Value:
    """Mean squared error: mean of (pred - target)**2.

    `preds` may be a generator, ``(model(x) for x in X)``: each term is then
    made right after its prediction (see the module's docstring).

    >>> round(mse([Value(2.0)], [0.5]).data, 6)
    2.25
    """

    def term(pred: Scalar, target: Scalar, j: int) -> Scalar:
        # (d * 2**-j)**2 = d**2 * 4**-j: the scale goes in before squaring.
        d = _scaled(pred - target, 0.5**j)
        return d * d

    return _mean("mse", _pairs(preds, targets, ("preds", "targets")), term)


def _hinge_label(target: object, i: int) -> float:
    label = _label(target, "labels", i)
    if label not in (-1.0, 1.0):
        raise ValueError(f"labels[{i}] must be -1 or +1, got {short(target)}")
    return label


def hinge(scores: Iterable[Scalar], labels: Iterable[float]) -> Value:
    """Max-margin loss (micrograd's): mean of relu(1 - y * s) for labels y in {-1, +1}.

    >>> hinge([Value(2.0), Value(0.5)], [1, 1]).data
    0.25
    """

    def term(score: Scalar, label: float, j: int) -> Scalar:
        # c * relu(1 - y*s), written so the scale costs no extra node.
        c = 0.25**j
        margin = c - (c * label) * score
        return margin.relu() if isinstance(margin, Value) else max(margin, 0.0)

    pairs = _pairs(scores, labels, ("scores", "labels"), _hinge_label)
    return _mean("hinge", pairs, term)


def _probability(target: object, i: int) -> float:
    label = _label(target, "targets", i)
    if not 0.0 <= label <= 1.0:
        raise ValueError(f"targets[{i}] must be in [0, 1], got {short(target)}")
    return label


def binary_cross_entropy(logits: Iterable[Scalar], targets: Iterable[float]) -> Value:
    """Binary cross-entropy from logits z and targets t in [0, 1].

    -t log(sigmoid z) - (1 - t) log(1 - sigmoid z) = softplus(z) - t z, which
    is finite for any finite z (no sigmoid that rounds to 0 or 1 is logged).

    >>> round(binary_cross_entropy([Value(0.0)], [1]).data, 6)
    0.693147
    >>> binary_cross_entropy([Value(1e4)], [1]).data
    0.0
    """

    def term(logit: Scalar, label: float, j: int) -> Scalar:
        return _scaled(softplus(logit) - label * logit, 0.25**j)

    pairs = _pairs(logits, targets, ("logits", "targets"), _probability)
    return _mean("binary_cross_entropy", pairs, term)


def _scaled_nll(logits: list[Scalar], target: Scalar, j: int) -> Scalar:
    """4**-j * (log(sum(exp(z))) - target), shifted by the row's maximum m.

    m is detached: the loss does not depend on the shift, so no gradient is
    lost, and it is an op (`maximum`), not a number read out of a Value, so a
    compiled replay recomputes it. The shift comes off first, as
    ``(m - target) + log(sum(exp(z - m)))``: two terms >= 0, so the log
    (as small as 1e-300) is not lost against a large m (m + log(2) == m for
    m = 1e300, which made a loss of log(2) read 0.0).
    """
    c = 0.25**j
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


def _rows(
    pairs: Iterator[tuple[Any, Any]],
) -> Iterator[tuple[list[Scalar], Scalar]]:
    """(row's logits, the label's logit) per row; every row as wide as the first."""
    width = -1
    for i, (row, label) in enumerate(pairs):
        logits = _sequence(row, f"logit_rows[{i}]")
        if width == -1:
            width = len(logits)
        elif len(logits) != width:
            raise ValueError(
                f"logit_rows[{i}] has {len(logits)} classes, the first row {width}"
            )
        yield logits, logits[_class_index(label, i, width)]


def cross_entropy(
    logit_rows: Iterable[Sequence[Scalar]], labels: Iterable[int]
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
    rows = _rows(_pairs(logit_rows, labels, ("logit_rows", "labels")))
    return _mean("cross_entropy", rows, _scaled_nll)


def l2(params: Iterable[Scalar]) -> Value:
    """The L2 penalty: sum of p**2 (scale it: ``1e-4 * l2(model.parameters())``)."""
    squares = (p * p for p in _iterable(params, "params"))
    with _naming_overflow("l2"):
        return _value(_sum(squares, "params must not be empty"))
