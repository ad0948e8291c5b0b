"""nn.datasets: shapes, labels, determinism, geometry, bad arguments."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import pytest

from nn import make_circles, make_moons, make_sine, make_spiral

MAKERS: dict[str, Callable[..., tuple[list[list[float]], list[object]]]] = {
    "moons": make_moons,
    "circles": make_circles,
    "spiral": make_spiral,
    "sine": make_sine,
}


@pytest.mark.parametrize("name", MAKERS)
def test_same_seed_same_data(name: str) -> None:
    make = MAKERS[name]
    assert make(50, seed=3) == make(50, seed=3)
    assert make(50, seed=3) != make(50, seed=4)


@pytest.mark.parametrize("name", MAKERS)
def test_a_random_generator_works_as_the_seed(name: str) -> None:
    make = MAKERS[name]
    assert make(20, seed=random.Random(1)) == make(20, seed=random.Random(1))


@pytest.mark.parametrize("name", MAKERS)
def test_without_a_seed_the_global_random_module_is_drawn_from(name: str) -> None:
    make = MAKERS[name]
    random.seed(7)
    first = make(20)
    after_first = random.random()
    random.seed(7)
    assert make(20) == first
    assert random.random() == after_first  # drawn from random itself, as micrograd
    assert make(20, seed=7) == first  # an int seed: the same draws, privately


@pytest.mark.parametrize("name", MAKERS)
def test_sizes_are_as_asked_and_points_are_float_lists(name: str) -> None:
    points, labels = MAKERS[name](37, seed=0)
    assert len(points) == len(labels) == 37
    assert all(type(x) is float for p in points for x in p)


def test_moons_without_noise_lie_on_the_two_half_circles() -> None:
    points, labels = make_moons(41, noise=0.0, seed=0)
    assert labels.count(0) == 21 and labels.count(1) == 20
    for (x, y), c in zip(points, labels, strict=True):
        cx, cy = (0.0, 0.0) if c == 0 else (1.0, 0.5)
        assert math.hypot(x - cx, y - cy) == pytest.approx(1.0)
        assert (y >= -1e-12) if c == 0 else (y <= 0.5 + 1e-12)


def test_circles_have_radius_one_and_factor() -> None:
    points, labels = make_circles(40, noise=0.0, factor=0.5, seed=0)
    radii = {
        c: {
            round(math.hypot(*p), 9)
            for p, k in zip(points, labels, strict=True)
            if k == c
        }
        for c in (0, 1)
    }
    assert radii == {0: {1.0}, 1: {0.5}}


def test_spiral_has_one_arm_per_class_inside_the_unit_disc() -> None:
    points, labels = make_spiral(100, n_classes=4, seed=0)
    assert sorted(set(labels)) == [0, 1, 2, 3]
    assert [labels.count(k) for k in range(4)] == [25, 25, 25, 25]
    assert all(math.hypot(*p) <= 1.0 + 1e-12 for p in points)


def test_sine_without_noise_is_exactly_sine() -> None:
    points, targets = make_sine(10, noise=0.0, seed=0)
    assert all(
        t == math.sin(p[0]) and -math.pi <= p[0] <= math.pi
        for p, t in zip(points, targets, strict=True)
    )


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: make_moons(0), ValueError, "n_samples"),
        (lambda: make_moons(10.0), TypeError, "n_samples"),
        (lambda: make_moons(10, noise=-0.1), ValueError, "noise"),
        (lambda: make_circles(10, factor=1.0), ValueError, "factor"),
        (lambda: make_spiral(10, n_classes=0), ValueError, "n_classes"),
        (lambda: make_sine(10, seed="x"), TypeError, "seed"),
    ],
)
def test_bad_arguments_are_named(
    call: Callable[[], object], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        call()
