"""The op table: every primitive, once.

Each row gives an op's forward function on floats and its local derivatives.
The derivative rule is written once and works on two kinds of number: given
floats and the float namespace `FLOAT_MATH` it returns floats (the fast eager
path); given `Value`s and the dispatching functions of `autograd` it returns
`Value`s with their own graph (``backward(create_graph=True)``). Everything else
(the engine, higher-order gradients, the graph renderer, the compiler, the
docs and the tests) reads this table. This module is pure float math: it does
not import `Value`.

A rule reads like the math::

    tanh(x); d/dx = 1 - tanh(x)**2, reusing the forward result `out`.

Forward functions raise `ValueError` (or `ZeroDivisionError`, which is also a
`ValueError` here) naming the op and the operand when an operand is outside the
op's domain, and `OverflowError` naming the op when the result does not fit a
float.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "FLOAT_MATH",
    "OPS",
    "Math",
    "Op",
    "OpDomainError",
    "OpZeroDivisionError",
]

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
# Past |x| = 40, e**(-x*x/2) is 0.0 in floats (e**-800 underflows). A rule
# says so instead of squaring x, which on a Value 1e155 overflows.
_TAIL = 40.0


class OpDomainError(ValueError):
    """An operand is outside the domain of an op (``log(0)``, ``sqrt(-1)``)."""


class OpZeroDivisionError(ZeroDivisionError, OpDomainError):
    """Division by zero: a `ZeroDivisionError` like Python's, and a domain error."""


class Math(Protocol):
    """The functions a derivative rule may call; floats and Values each have one."""

    def exp(self, x: Any, /) -> Any:
        """e ** x."""

    def log(self, x: Any, /) -> Any:
        """Natural logarithm."""

    def sin(self, x: Any, /) -> Any:
        """Sine."""

    def cos(self, x: Any, /) -> Any:
        """Cosine."""

    def sigmoid(self, x: Any, /) -> Any:
        """Logistic sigmoid."""

    def erf(self, x: Any, /) -> Any:
        """Error function."""

    def pow(self, x: Any, y: Any, /) -> Any:
        """x ** y, with 0 ** negative as +inf (a derivative's limit)."""


def _fmt(x: float) -> str:
    return repr(float(x))


def _sigmoid(x: float) -> float:
    # Evaluate on the side where exp cannot overflow.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): finite for any finite x.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _pow(x: float, y: float) -> float:
    if x == 0.0 and y < 0.0:
        raise OpDomainError(
            f"pow: 0.0 ** {_fmt(y)} is undefined (zero to a negative power)"
        )
    if x < 0.0 and not float(y).is_integer():
        raise OpDomainError(
            f"pow: negative base {_fmt(x)} ** non-integer exponent {_fmt(y)} "
            "has no real value"
        )
    try:
        return math.pow(x, y)
    except OverflowError:
        raise OverflowError(f"pow: {_fmt(x)} ** {_fmt(y)} overflows a float") from None


def _div(x: float, y: float) -> float:
    if y == 0.0:
        raise OpZeroDivisionError(f"div: division of {_fmt(x)} by zero")
    return x / y


def _log(x: float) -> float:
    if x <= 0.0:
        raise OpDomainError(f"log: operand must be > 0, got {_fmt(x)}")
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise OpDomainError(f"sqrt: operand must be >= 0, got {_fmt(x)}")
    return math.sqrt(x)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: exp({_fmt(x)}) overflows a float") from None


class _FloatMath:
    """`Math` on plain floats: what derivative rules call on the eager path."""

    exp = staticmethod(_exp)
    log = staticmethod(_log)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    sigmoid = staticmethod(_sigmoid)
    erf = staticmethod(math.erf)

    @staticmethod
    def pow(x: float, y: float) -> float:
        """x ** y for a derivative rule: 0 ** negative is +inf, as a limit."""
        try:  # the common case first: one C call (pow's slope is in every x**2)
            return math.pow(x, y)
        except ValueError:  # 0 ** negative, or a negative base ** a fraction
            if x == 0.0 and y < 0.0:
                return math.inf
            return _pow(x, y)  # raises, saying which
        except OverflowError:
            # A slope may be infinite where the value is finite (d/dx x**-1 at
            # 1e-200 is -1e400): inf, as 1.0 / 5e-324 is, not an error that
            # only appears when gradients are recorded.
            odd = x < 0.0 and y % 2.0 == 1.0
            return -math.inf if odd else math.inf


FLOAT_MATH: Math = _FloatMath()

Forward = Callable[..., float]
Derivative = Callable[..., tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Op:
    """One primitive: forward on floats, local derivatives on floats or Values.

    ``derivative(m, *operands, out)`` returns d(out)/d(operand) for each
    operand, using only arithmetic, comparisons and the functions of `m`.
    ``sample`` is the interval per operand where the tests check the rule
    against finite differences, away from singularities; ``kinks`` are the
    points of the first operand where the derivative jumps, and
    ``kink_at_ties`` says it also jumps where the two operands are equal
    (`maximum`): the tests keep clear of both (`kink_distance`).
    ``unchecked`` is `forward` without its checks of the operands, for code
    that runs it and falls back to `forward` on any error: equal to
    `forward` bit for bit wherever `forward` returns, and raising some
    `ValueError` or `ArithmeticError` wherever `forward` raises (None:
    `forward` checks nothing).
    """

    name: str
    arity: int
    forward: Forward
    derivative: Derivative
    symbol: str
    doc: str
    sample: tuple[tuple[float, float], ...]
    kinks: tuple[float, ...] = ()
    unchecked: Forward | None = None
    kink_at_ties: bool = False

    def kink_distance(self, *operands: float) -> float:
        """How far the operands are from a point where the derivative jumps."""
        gaps = [abs(operands[0] - k) for k in self.kinks]
        if self.kink_at_ties:
            gaps.append(abs(operands[0] - operands[1]))
        return min(gaps, default=math.inf)


def _finite(x: Any) -> bool:
    """False for a float inf or nan; a Value is always finite."""
    return not isinstance(x, float) or math.isfinite(x)


def _d_pow(m: Math, x: Any, y: Any, out: Any) -> tuple[Any, Any]:
    # d/dx x**y = y * x**(y-1): 0 for y == 0 even where x**(y-1) is inf (x**0
    # is flat), not 0 * inf (`y < 0 or y > 0`: on a Value `!=` is identity);
    # d/dy x**y = x**y * log(x), defined for x > 0 (0 at x == 0, the limit for
    # y > 0; the engine refuses x < 0 for a Value y).
    slope = m.pow(x, y - 1)
    dx = y * slope if y < 0 or y > 0 or _finite(slope) else 0.0
    dy = out * m.log(x) if x > 0 else 0.0
    return dx, dy


def _d_gelu(m: Math, x: Any, out: Any) -> tuple[Any]:
    # gelu(x) = x * Phi(x); d/dx = Phi(x) + x * phi(x), and x * phi(x) = 0 in the tails.
    # Below -1, 1 + erf(x/sqrt2) cancels (all digits lost by x = -8): Phi(x) is
    # then read off the forward result, gelu(x) / x, which keeps them.
    tail = x * _INV_SQRT_2PI * m.exp(-0.5 * x * x) if -_TAIL < x < _TAIL else 0.0
    cdf = out / x if x < -1.0 else 0.5 * (1.0 + m.erf(x / _SQRT2))
    return (cdf + tail,)


def _gelu(x: float) -> float:
    # erfc(-x/sqrt2) is 1 + erf(x/sqrt2) without its cancellation for x < 0.
    return 0.5 * x * math.erfc(-x / _SQRT2)


def _elu(x: float, alpha: float) -> float:
    return x if x > 0.0 else alpha * math.expm1(x)


def _d_elu(m: Math, x: Any, alpha: Any, out: Any) -> tuple[Any, Any]:
    # x > 0: (1, 0); otherwise out = alpha*(e^x - 1): (alpha*e^x, e^x - 1).
    if x > 0:
        return 1.0, 0.0
    ex = m.exp(x)
    return alpha * ex, ex - 1.0


def _d_leaky_relu(m: Math, x: Any, slope: Any, out: Any) -> tuple[Any, Any]:
    # A Value slope is a learnable PReLU slope: d/dslope = x where x <= 0.
    return (1.0, 0.0) if x > 0 else (slope, x)


def _d_maximum(m: Math, x: Any, y: Any, out: Any) -> tuple[float, float]:
    # 1 for the larger operand; a tie shares the slope, 0.5 each (as PyTorch).
    if x > y:
        return 1.0, 0.0
    if x < y:
        return 0.0, 1.0
    return 0.5, 0.5


def _d_abs(m: Math, x: Any, out: Any) -> tuple[float]:
    # sign(x), with 0 at the kink (as PyTorch).
    return (1.0 if x > 0 else -1.0 if x < 0 else 0.0,)


def _d_sqrt(m: Math, x: Any, out: Any) -> tuple[Any]:
    # d/dx sqrt(x) = 1 / (2 sqrt(x)); +inf at 0, as PyTorch. `>` and not `!=`:
    # on a Value (create_graph) `!=` is identity and would always be true.
    return (0.5 / out if out > 0 else math.inf,)


# The table stays one row per op, laid out by hand so it reads as a table.
# fmt: off
_ROWS = (
    Op("add", 2, operator.add, lambda m, x, y, out: (1.0, 1.0), "+",
       "x + y; d/dx = 1, d/dy = 1.", ((-5.0, 5.0), (-5.0, 5.0))),
    Op("sub", 2, operator.sub, lambda m, x, y, out: (1.0, -1.0), "-",
       "x - y; d/dx = 1, d/dy = -1.", ((-5.0, 5.0), (-5.0, 5.0))),
    Op("mul", 2, operator.mul, lambda m, x, y, out: (y, x), "*",
       "x * y; d/dx = y, d/dy = x.", ((-5.0, 5.0), (-5.0, 5.0))),
    Op("div", 2, _div, lambda m, x, y, out: (1.0 / y, -out / y), "/",
       "x / y; d/dx = 1/y, d/dy = -x/y**2 = -out/y.", ((-5.0, 5.0), (0.5, 5.0)),
       unchecked=operator.truediv),
    Op("pow", 2, _pow, _d_pow, "**",
       "x ** y; d/dx = y * x**(y-1), d/dy = x**y * log(x).",
       ((0.2, 3.0), (-2.0, 3.0)), unchecked=math.pow),
    Op("neg", 1, operator.neg, lambda m, x, out: (-1.0,), "neg",
       "-x; d/dx = -1.", ((-5.0, 5.0),)),
    Op("abs", 1, abs, _d_abs, "abs",
       "|x|; d/dx = sign(x), 0 at 0.", ((-5.0, 5.0),), (0.0,)),
    Op("exp", 1, _exp, lambda m, x, out: (out,), "exp",
       "e**x; d/dx = e**x, reusing the forward result.", ((-5.0, 5.0),),
       unchecked=math.exp),
    Op("log", 1, _log, lambda m, x, out: (1.0 / x,), "log",
       "natural log, x > 0; d/dx = 1/x.", ((0.1, 10.0),), unchecked=math.log),
    Op("sqrt", 1, _sqrt, _d_sqrt, "sqrt",
       "square root, x >= 0; d/dx = 1/(2 sqrt(x)).", ((0.1, 10.0),),
       unchecked=math.sqrt),
    Op("sin", 1, math.sin, lambda m, x, out: (m.cos(x),), "sin",
       "sine; d/dx = cos(x).", ((-5.0, 5.0),)),
    Op("cos", 1, math.cos, lambda m, x, out: (-m.sin(x),), "cos",
       "cosine; d/dx = -sin(x).", ((-5.0, 5.0),)),
    Op("tanh", 1, math.tanh, lambda m, x, out: (1.0 - out * out,), "tanh",
       "hyperbolic tangent, the classic activation squashing to (-1, 1); "
       "d/dx = 1 - tanh(x)**2, reusing the forward result.", ((-4.0, 4.0),)),
    Op("sigmoid", 1, _sigmoid, lambda m, x, out: (out * (1.0 - out),), "sigmoid",
       "logistic sigmoid 1/(1+e**-x), the activation squashing to (0, 1); "
       "d/dx = s(x) * (1 - s(x)).", ((-6.0, 6.0),)),
    Op("relu", 1, lambda x: x if x > 0.0 else 0.0,
       lambda m, x, out: (1.0 if x > 0 else 0.0,), "relu",
       "rectified linear unit max(0, x), the default activation of deep nets; "
       "d/dx = 1 for x > 0 else 0.", ((-5.0, 5.0),), (0.0,)),
    Op("softplus", 1, _softplus, lambda m, x, out: (m.sigmoid(x),), "softplus",
       "log(1 + e**x), a smooth relu; d/dx = sigmoid(x).", ((-6.0, 6.0),)),
    Op("erf", 1, math.erf,
       lambda m, x, out: (
           _TWO_OVER_SQRT_PI * m.exp(-x * x) if -_TAIL < x < _TAIL else 0.0,),
       "erf", "error function; d/dx = 2/sqrt(pi) * e**(-x**2), 0 in the tails.",
       ((-3.0, 3.0),)),
    Op("gelu", 1, _gelu, _d_gelu, "gelu",
       "Gaussian error linear unit x * Phi(x) (exact, with erfc); "
       "d/dx = Phi(x) + x * phi(x).", ((-4.0, 4.0),)),
    Op("leaky_relu", 2, lambda x, s: x if x > 0.0 else s * x, _d_leaky_relu,
       "leaky_relu", "x for x > 0 else slope * x; d/dx = 1 or slope, "
       "d/dslope = 0 or x.", ((-5.0, 5.0), (0.01, 0.5)), (0.0,)),
    Op("elu", 2, _elu, _d_elu, "elu",
       "x for x > 0 else alpha * (e**x - 1); d/dx = 1 or alpha * e**x.",
       ((-5.0, 5.0), (0.1, 2.0)), (0.0,)),
    Op("maximum", 2, lambda x, y: x if x >= y else y, _d_maximum, "maximum",
       "the larger of x and y; d/dx = 1 where x > y, d/dy = 1 where y > x, "
       "0.5 each at a tie.", ((-5.0, 5.0), (-5.0, 5.0)), kink_at_ties=True),
)
# fmt: on

OPS: dict[str, Op] = {row.name: row for row in _ROWS}
"""Every primitive by name, in table order."""
