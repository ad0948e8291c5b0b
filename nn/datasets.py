"""Toy datasets in pure Python lists, deterministic given a seed.

Each returns ``(X, y)``: `X` a list of points (lists of floats) and `y` a list
of labels (class indices from 0) or, for `make_sine`, targets. Points are
shuffled; `seed` is an int, a `random.Random`, or None (draw from the global
`random` module).

>>> X, y = make_moons(6, seed=0)
>>> len(X), sorted(y)
(6, [0, 0, 0, 1, 1, 1])
"""

from __future__ import annotations

import math

from nn._validate import Draws, Seed, finite_float, positive_int, resolve_rng

__all__ = ["make_circles", "make_moons", "make_sine", "make_spiral"]

Points = list[list[float]]


def _linspace(
    start: float, stop: float, n: int, *, endpoint: bool = True
) -> list[float]:
    if n == 1:
        return [start]
    step = (stop - start) / (n - 1 if endpoint else n)
    return [start + i * step for i in range(n)]


def _finish(
    points: list[tuple[float, float]],
    labels: list[int],
    noise: float,
    rng: Draws,
) -> tuple[Points, list[int]]:
    """Add Gaussian noise to every coordinate, then shuffle."""
    return _shuffled(
        [
            ([x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)], c)
            for (x, y), c in zip(points, labels, strict=True)
        ],
        rng,
    )


def _shuffled(
    data: list[tuple[list[float], int]], rng: Draws
) -> tuple[Points, list[int]]:
    """Shuffle (point, label) pairs together, then split them."""
    rng.shuffle(data)
    return [p for p, _ in data], [c for _, c in data]


def make_moons(
    n_samples: int = 100, noise: float = 0.1, seed: Seed = None
) -> tuple[Points, list[int]]:
    """Two interleaving half circles: class 0 the upper, class 1 the lower.

    The upper moon is (cos t, sin t), the lower (1 - cos t, 1/2 - sin t), for
    t in [0, pi]; class 0 gets the extra point when `n_samples` is odd.
    """
    n = positive_int(n_samples, "n_samples")
    noise = finite_float(noise, "noise", minimum=0.0)
    rng = resolve_rng(seed)
    upper = [(math.cos(t), math.sin(t)) for t in _linspace(0.0, math.pi, n - n // 2)]
    lower = [
        (1.0 - math.cos(t), 0.5 - math.sin(t)) for t in _linspace(0.0, math.pi, n // 2)
    ]
    return _finish(upper + lower, [0] * len(upper) + [1] * len(lower), noise, rng)


def make_circles(
    n_samples: int = 100, noise: float = 0.0, factor: float = 0.8, seed: Seed = None
) -> tuple[Points, list[int]]:
    """Two concentric circles: class 0 of radius 1, class 1 of radius `factor` < 1."""
    n = positive_int(n_samples, "n_samples")
    noise = finite_float(noise, "noise", minimum=0.0)
    factor = finite_float(factor, "factor", minimum=0.0)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be in (0, 1), got {factor!r}")
    rng = resolve_rng(seed)
    points: list[tuple[float, float]] = []
    labels: list[int] = []
    for label, (count, radius) in enumerate(((n - n // 2, 1.0), (n // 2, factor))):
        for t in _linspace(0.0, 2.0 * math.pi, count, endpoint=False):
            points.append((radius * math.cos(t), radius * math.sin(t)))
            labels.append(label)
    return _finish(points, labels, noise, rng)


def make_spiral(
    n_samples: int = 150, n_classes: int = 3, noise: float = 0.2, seed: Seed = None
) -> tuple[Points, list[int]]:
    """`n_classes` interleaved spiral arms, one per class, in the unit disc.

    Arm k has radius r from 0 to 1 and angle 4 r + 2 pi k / n_classes, plus
    Gaussian noise of std `noise` on the angle (noise grows with the radius).
    """
    n = positive_int(n_samples, "n_samples")
    k = positive_int(n_classes, "n_classes")
    noise = finite_float(noise, "noise", minimum=0.0)
    rng = resolve_rng(seed)
    data: list[tuple[list[float], int]] = []
    for label in range(k):
        count = n // k + (1 if label < n % k else 0)
        for r in _linspace(0.0, 1.0, count):
            angle = 4.0 * r + 2.0 * math.pi * label / k + rng.gauss(0.0, noise)
            data.append(([r * math.cos(angle), r * math.sin(angle)], label))
    return _shuffled(data, rng)


def make_sine(
    n_samples: int = 64, noise: float = 0.1, seed: Seed = None
) -> tuple[Points, list[float]]:
    """Noisy samples of y = sin(x) at random x in [-pi, pi], for regression."""
    n = positive_int(n_samples, "n_samples")
    noise = finite_float(noise, "noise", minimum=0.0)
    rng = resolve_rng(seed)
    xs = [rng.uniform(-math.pi, math.pi) for _ in range(n)]
    return [[x] for x in xs], [math.sin(x) + rng.gauss(0.0, noise) for x in xs]
