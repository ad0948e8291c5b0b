"""The op functions: one per row of the op table (`autograd/ops.py`), and
`ValueOps`, the class that makes them Value's operators and methods.

Generated: do not edit. `make gen` (`autograd._generate.main`) writes this
file from the op table, and tests/test_generated.py fails when it is out of
date. Each function is its row inlined: read the operands (a Value's number,
or a constant), compute the forward value, and record a node holding the
row, the operands and the local derivative with respect to each operand,
computed here as floats (``v._d0 = y`` for ``x * y``). Backward multiplies
them by the adjoint (`autograd.value.reference_backward`).

The fast path is a Value or a float operand while the mode is plain
recording; anything else goes to the slow path (`autograd._offpath`). The
node class is not imported (it is defined above this module, by subclassing
`ValueOps`): `ValueOps.__init_subclass__` binds it when `autograd.value`
defines it.
"""

from __future__ import annotations

import itertools
from builtins import abs as builtins_abs
from collections.abc import Callable, Iterator
from math import cos as math_cos
from math import erf as math_erf
from math import sin as math_sin
from math import tanh as math_tanh
from typing import Any, overload

from autograd._inputs import negative_base, overflow, to_float
from autograd._modes import RECORDING, mode_get
from autograd._offpath import made_in_mode, slow_operand, unary_off_path
from autograd.ops import (
    _TAIL,
    _TWO_OVER_SQRT_PI,
    FLOAT_MATH,
    OPS,
    _d_abs,
    _d_elu,
    _d_gelu,
    _d_leaky_relu,
    _d_maximum,
    _d_pow,
    _d_sqrt,
    _div,
    _elu,
    _exp,
    _gelu,
    _log,
    _pow,
    _sigmoid,
    _softplus,
    _sqrt,
)

__all__: list[str] = [
    "cos",
    "erf",
    "exp",
    "gelu",
    "log",
    "relu",
    "sigmoid",
    "sin",
    "softplus",
    "sqrt",
    "tanh",
]

Value: Any = None  # the node class: `ValueOps.__init_subclass__` binds it
_new_values: Iterator[Any] = iter(())

_row_add = OPS["add"]
_row_sub = OPS["sub"]
_row_mul = OPS["mul"]
_row_div = OPS["div"]
_row_pow = OPS["pow"]
_row_neg = OPS["neg"]
_row_abs = OPS["abs"]
_row_exp = OPS["exp"]
_row_log = OPS["log"]
_row_sqrt = OPS["sqrt"]
_row_sin = OPS["sin"]
_row_cos = OPS["cos"]
_row_tanh = OPS["tanh"]
_row_sigmoid = OPS["sigmoid"]
_row_relu = OPS["relu"]
_row_softplus = OPS["softplus"]
_row_erf = OPS["erf"]
_row_gelu = OPS["gelu"]
_row_leaky_relu = OPS["leaky_relu"]
_row_elu = OPS["elu"]
_row_maximum = OPS["maximum"]


def add(a: Value | float, b: Value | float) -> Value:
    """x + y; d/dx = 1, d/dy = 1."""
    if a.__class__ is Value:
        x = a._data
    elif a.__class__ is float and a - a == 0.0:
        x = a
    elif a.__class__ is int and a.bit_length() <= 1000:
        a = x = float(a) if a else 0.0
    else:
        a, x = slow_operand(a, "add")
    if b.__class__ is Value:
        y = b._data
    elif b.__class__ is float:
        y = b
    elif b.__class__ is int and b.bit_length() <= 1000:
        b = y = float(b) if b else 0.0
    else:
        b, y = slow_operand(b, "add")
    out = x + y
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        to_float(y, "add")  # raises if not finite
        raise overflow(_row_add, x, y)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_add, (a, b), (x, y), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_add
    v._p0 = a
    v._p1 = b
    v._d0 = 1.0
    v._d1 = 1.0
    return v


def radd(b: Value | float, a: Value | float) -> Value:
    """x + y; d/dx = 1, d/dy = 1."""
    if a.__class__ is Value:
        x = a._data
    elif a.__class__ is float and a - a == 0.0:
        x = a
    elif a.__class__ is int and a.bit_length() <= 1000:
        a = x = float(a) if a else 0.0
    else:
        a, x = slow_operand(a, "add")
    if b.__class__ is Value:
        y = b._data
    elif b.__class__ is float:
        y = b
    elif b.__class__ is int and b.bit_length() <= 1000:
        b = y = float(b) if b else 0.0
    else:
        b, y = slow_operand(b, "add")
    out = x + y
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        to_float(y, "add")  # raises if not finite
        raise overflow(_row_add, x, y)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_add, (a, b), (x, y), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_add
    v._p0 = a
    v._p1 = b
    v._d0 = 1.0
    v._d1 = 1.0
    return v


def sub(a: Value | float, b: Value | float) -> Value:
    """x - y; d/dx = 1, d/dy = -1."""
    if a.__class__ is Value:
        x = a._data
    elif a.__class__ is float and a - a == 0.0:
        x = a
    elif a.__class__ is int and a.bit_length() <= 1000:
        a = x = float(a) if a else 0.0
    else:
        a, x = slow_operand(a, "sub")
    if b.__class__ is Value:
        y = b._data
    elif b.__class__ is float:
        y = b
    elif b.__class__ is int and b.bit_length() <= 1000:
        b = y = float(b) if b else 0.0
    else:
        b, y = slow_operand(b, "sub")
    out = x - y
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        to_float(y, "sub")  # raises if not finite
        raise overflow(_row_sub, x, y)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_sub, (a, b), (x, y), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_sub
    v._p0 = a
    v._p1 = b
    v._d0 = 1.0
    v._d1 = -1.0
    return v


def rsub(b: Value | float, a: Value | float) -> Value:
    """x - y; d/dx = 1, d/dy = -1."""
    if a.__class__ is Value:
        x = a._data
    elif a.__class__ is float and a - a == 0.0:
        x = a
    elif a.__class__ is int and a.bit_length() <= 1000:
        a = x = float(a) if a else 0.0
    else:
        a, x = slow_operand(a, "sub")
    if b.__class__ is Value:
        y = b._data
    elif b.__class__ is float:
        y = b
    elif b.__class__ is int and b.bit_length() <= 1000:
        b = y = float(b) if b else 0.0
    else:
        b, y = slow_operand(b, "sub")
    out = x - y
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        to_float(y, "sub")  # raises if not finite
        raise overflow(_row_sub, x, y)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_sub, (a, b), (x, y), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_sub
    v._p0 = a
    v._p1 = b
    v._d0 = 1.0
    v._d1 = -1.0
    return v


def mul(a: Value | float, b: Value | float) -> Value:
    """x * y; d/dx = y, d/dy = x."""
    if a.__class__ is Value:
        x = a._data
    elif a.__class__ is float and a - a == 0.0:
        x = a
    elif a.__class__ is int and a.bit_length() <= 1000:
        a = x = float(a) if a else 0.0
    else:
        a, x = slow_operand(a, "mul")
    if b.__class__ is Value:
        y = b._data
    elif b.__class__ is float:
        y = b
    elif b.__class__ is int and b.bit_length() <= 1000:
        b = y = float(b) if b else 0.0
    else:
        b, y = slow_operand(b, "mul")
    out = x * y
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        to_float(y, "mul")  # raises if not finite
        raise overflow(_row_mul, x, y)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_mul, (a, b), (x, y), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_mul
    v._p0 = a
    v._p1 = b
    v._d0 = y
    v._d1 = x
    return v


def rmul(b: Value | float, a: Value | float) -> Value:
    """x * y; d/dx = y, d/dy = x."""
    if a.__class__ is Value:
        x = a._data
    elif a.__class__ is float and a - a == 0.0:
        x = a
    elif a.__class__ is int and a.bit_length() <= 1000:
        a = x = float(a) if a else 0.0
    else:
        a, x = slow_operand(a, "mul")
    if b.__class__ is Value:
        y = b._data
    elif b.__class__ is float:
        y = b
    elif b.__class__ is int and b.bit_length() <= 1000:
        b = y = float(b) if b else 0.0
    else:
        b, y = slow_operand(b, "mul")
    out = x * y
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        to_float(y, "mul")  # raises if not finite
        raise overflow(_row_mul, x, y)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_mul, (a, b), (x, y), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_mul
    v._p0 = a
    v._p1 = b
    v._d0 = y
    v._d1 = x
    return v


def div(a: Value | float, b: Value | float) -> Value:
    """x / y; d/dx = 1/y, d/dy = -x/y**2 = -out/y."""
    if a.__class__ is Value:
        x = a._data
    elif a.__class__ is float and a - a == 0.0:
        x = a
    elif a.__class__ is int and a.bit_length() <= 1000:
        a = x = float(a) if a else 0.0
    else:
        a, x = slow_operand(a, "div")
    if b.__class__ is Value:
        y = b._data
    elif b.__class__ is float and b - b == 0.0:
        y = b
    elif b.__class__ is int and b.bit_length() <= 1000:
        b = y = float(b) if b else 0.0
    else:
        b, y = slow_operand(b, "div")
    out = _div(x, y)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_div, x, y)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_div, (a, b), (x, y), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_div
    v._p0 = a
    v._p1 = b
    v._d0 = 1.0 / y
    v._d1 = -out / y
    return v


def rdiv(b: Value | float, a: Value | float) -> Value:
    """x / y; d/dx = 1/y, d/dy = -x/y**2 = -out/y."""
    if a.__class__ is Value:
        x = a._data
    elif a.__class__ is float and a - a == 0.0:
        x = a
    elif a.__class__ is int and a.bit_length() <= 1000:
        a = x = float(a) if a else 0.0
    else:
        a, x = slow_operand(a, "div")
    if b.__class__ is Value:
        y = b._data
    elif b.__class__ is float and b - b == 0.0:
        y = b
    elif b.__class__ is int and b.bit_length() <= 1000:
        b = y = float(b) if b else 0.0
    else:
        b, y = slow_operand(b, "div")
    out = _div(x, y)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_div, x, y)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_div, (a, b), (x, y), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_div
    v._p0 = a
    v._p1 = b
    v._d0 = 1.0 / y
    v._d1 = -out / y
    return v


def pow(a: Value | float, b: Value | float) -> Value:
    """x ** y; d/dx = y * x**(y-1), d/dy = x**y * log(x)."""
    if a.__class__ is Value:
        x = a._data
    elif a.__class__ is float and a - a == 0.0:
        x = a
    elif a.__class__ is int and a.bit_length() <= 1000:
        a = x = float(a) if a else 0.0
    else:
        a, x = slow_operand(a, "pow")
    if b.__class__ is Value:
        y = b._data
    elif b.__class__ is float and b - b == 0.0:
        y = b
    elif b.__class__ is int and b.bit_length() <= 1000:
        b = y = float(b) if b else 0.0
    else:
        b, y = slow_operand(b, "pow")
    if x < 0.0 and b.__class__ is not float:  # a Value exponent
        raise negative_base(x)
    out = _pow(x, y)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_pow, x, y)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_pow, (a, b), (x, y), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_pow
    v._p0 = a
    v._p1 = b
    d = _d_pow(FLOAT_MATH, x, y, out)
    v._d0 = d[0]
    v._d1 = d[1]
    return v


def rpow(b: Value | float, a: Value | float) -> Value:
    """x ** y; d/dx = y * x**(y-1), d/dy = x**y * log(x)."""
    if a.__class__ is Value:
        x = a._data
    elif a.__class__ is float and a - a == 0.0:
        x = a
    elif a.__class__ is int and a.bit_length() <= 1000:
        a = x = float(a) if a else 0.0
    else:
        a, x = slow_operand(a, "pow")
    if b.__class__ is Value:
        y = b._data
    elif b.__class__ is float and b - b == 0.0:
        y = b
    elif b.__class__ is int and b.bit_length() <= 1000:
        b = y = float(b) if b else 0.0
    else:
        b, y = slow_operand(b, "pow")
    if x < 0.0 and b.__class__ is not float:  # a Value exponent
        raise negative_base(x)
    out = _pow(x, y)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_pow, x, y)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_pow, (a, b), (x, y), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_pow
    v._p0 = a
    v._p1 = b
    d = _d_pow(FLOAT_MATH, x, y, out)
    v._d0 = d[0]
    v._d1 = d[1]
    return v


@overload
def neg(a: Value) -> Value: ...
@overload
def neg(a: float) -> float: ...
def neg(a: Value | float) -> Value | float:
    """-x; d/dx = -1."""
    if a.__class__ is Value:
        x = a._data
    else:  # a number (a float out), or a Value subclass
        return unary_off_path(Value, _row_neg, a)
    out = -x
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        to_float(x, "neg")  # raises if not finite
        raise overflow(_row_neg, x)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_neg, (a,), (x,), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_neg
    v._p0 = a
    v._p1 = None
    v._d0 = -1.0
    v._d1 = None
    return v


@overload
def abs(a: Value) -> Value: ...
@overload
def abs(a: float) -> float: ...
def abs(a: Value | float) -> Value | float:
    """|x|; d/dx = sign(x), 0 at 0."""
    if a.__class__ is Value:
        x = a._data
    else:  # a number (a float out), or a Value subclass
        return unary_off_path(Value, _row_abs, a)
    out = builtins_abs(x)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_abs, x)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_abs, (a,), (x,), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_abs
    v._p0 = a
    v._p1 = None
    d = _d_abs(FLOAT_MATH, x, out)
    v._d0 = d[0]
    v._d1 = None
    return v


@overload
def exp(a: Value) -> Value: ...
@overload
def exp(a: float) -> float: ...
def exp(a: Value | float) -> Value | float:
    """e**x; d/dx = e**x, reusing the forward result."""
    if a.__class__ is Value:
        x = a._data
    else:  # a number (a float out), or a Value subclass
        return unary_off_path(Value, _row_exp, a)
    out = _exp(x)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_exp, x)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_exp, (a,), (x,), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_exp
    v._p0 = a
    v._p1 = None
    v._d0 = out
    v._d1 = None
    return v


@overload
def log(a: Value) -> Value: ...
@overload
def log(a: float) -> float: ...
def log(a: Value | float) -> Value | float:
    """natural log, x > 0; d/dx = 1/x."""
    if a.__class__ is Value:
        x = a._data
    else:  # a number (a float out), or a Value subclass
        return unary_off_path(Value, _row_log, a)
    out = _log(x)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_log, x)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_log, (a,), (x,), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_log
    v._p0 = a
    v._p1 = None
    v._d0 = 1.0 / x
    v._d1 = None
    return v


@overload
def sqrt(a: Value) -> Value: ...
@overload
def sqrt(a: float) -> float: ...
def sqrt(a: Value | float) -> Value | float:
    """square root, x >= 0; d/dx = 1/(2 sqrt(x))."""
    if a.__class__ is Value:
        x = a._data
    else:  # a number (a float out), or a Value subclass
        return unary_off_path(Value, _row_sqrt, a)
    out = _sqrt(x)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_sqrt, x)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_sqrt, (a,), (x,), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_sqrt
    v._p0 = a
    v._p1 = None
    d = _d_sqrt(FLOAT_MATH, x, out)
    v._d0 = d[0]
    v._d1 = None
    return v


@overload
def sin(a: Value) -> Value: ...
@overload
def sin(a: float) -> float: ...
def sin(a: Value | float) -> Value | float:
    """sine; d/dx = cos(x)."""
    if a.__class__ is Value:
        x = a._data
    else:  # a number (a float out), or a Value subclass
        return unary_off_path(Value, _row_sin, a)
    out = math_sin(x)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_sin, x)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_sin, (a,), (x,), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_sin
    v._p0 = a
    v._p1 = None
    v._d0 = FLOAT_MATH.cos(x)
    v._d1 = None
    return v


@overload
def cos(a: Value) -> Value: ...
@overload
def cos(a: float) -> float: ...
def cos(a: Value | float) -> Value | float:
    """cosine; d/dx = -sin(x)."""
    if a.__class__ is Value:
        x = a._data
    else:  # a number (a float out), or a Value subclass
        return unary_off_path(Value, _row_cos, a)
    out = math_cos(x)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_cos, x)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_cos, (a,), (x,), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_cos
    v._p0 = a
    v._p1 = None
    v._d0 = -FLOAT_MATH.sin(x)
    v._d1 = None
    return v


@overload
def tanh(a: Value) -> Value: ...
@overload
def tanh(a: float) -> float: ...
def tanh(a: Value | float) -> Value | float:
    """hyperbolic tangent, the classic activation squashing to (-1, 1); d/dx = 1 -
    tanh(x)**2, reusing the forward result.
    """
    if a.__class__ is Value:
        x = a._data
    else:  # a number (a float out), or a Value subclass
        return unary_off_path(Value, _row_tanh, a)
    out = math_tanh(x)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_tanh, x)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_tanh, (a,), (x,), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_tanh
    v._p0 = a
    v._p1 = None
    v._d0 = 1.0 - out * out
    v._d1 = None
    return v


@overload
def sigmoid(a: Value) -> Value: ...
@overload
def sigmoid(a: float) -> float: ...
def sigmoid(a: Value | float) -> Value | float:
    """logistic sigmoid 1/(1+e**-x), the activation squashing to (0, 1); d/dx = s(x) *
    (1 - s(x)).
    """
    if a.__class__ is Value:
        x = a._data
    else:  # a number (a float out), or a Value subclass
        return unary_off_path(Value, _row_sigmoid, a)
    out = _sigmoid(x)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_sigmoid, x)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_sigmoid, (a,), (x,), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_sigmoid
    v._p0 = a
    v._p1 = None
    v._d0 = out * (1.0 - out)
    v._d1 = None
    return v


@overload
def relu(a: Value) -> Value: ...
@overload
def relu(a: float) -> float: ...
def relu(a: Value | float) -> Value | float:
    """rectified linear unit max(0, x), the default activation of deep nets; d/dx = 1
    for x > 0 else 0.
    """
    if a.__class__ is Value:
        x = a._data
    else:  # a number (a float out), or a Value subclass
        return unary_off_path(Value, _row_relu, a)
    out = x if x > 0.0 else 0.0
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_relu, x)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_relu, (a,), (x,), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_relu
    v._p0 = a
    v._p1 = None
    v._d0 = 1.0 if x > 0 else 0.0
    v._d1 = None
    return v


@overload
def softplus(a: Value) -> Value: ...
@overload
def softplus(a: float) -> float: ...
def softplus(a: Value | float) -> Value | float:
    """log(1 + e**x), a smooth relu; d/dx = sigmoid(x)."""
    if a.__class__ is Value:
        x = a._data
    else:  # a number (a float out), or a Value subclass
        return unary_off_path(Value, _row_softplus, a)
    out = _softplus(x)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_softplus, x)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_softplus, (a,), (x,), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_softplus
    v._p0 = a
    v._p1 = None
    v._d0 = FLOAT_MATH.sigmoid(x)
    v._d1 = None
    return v


@overload
def erf(a: Value) -> Value: ...
@overload
def erf(a: float) -> float: ...
def erf(a: Value | float) -> Value | float:
    """error function; d/dx = 2/sqrt(pi) * e**(-x**2), 0 in the tails."""
    if a.__class__ is Value:
        x = a._data
    else:  # a number (a float out), or a Value subclass
        return unary_off_path(Value, _row_erf, a)
    out = math_erf(x)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_erf, x)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_erf, (a,), (x,), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_erf
    v._p0 = a
    v._p1 = None
    v._d0 = _TWO_OVER_SQRT_PI * FLOAT_MATH.exp(-x * x) if -_TAIL < x < _TAIL else 0.0
    v._d1 = None
    return v


@overload
def gelu(a: Value) -> Value: ...
@overload
def gelu(a: float) -> float: ...
def gelu(a: Value | float) -> Value | float:
    """Gaussian error linear unit x * Phi(x) (exact, with erfc); d/dx = Phi(x) + x *
    phi(x).
    """
    if a.__class__ is Value:
        x = a._data
    else:  # a number (a float out), or a Value subclass
        return unary_off_path(Value, _row_gelu, a)
    out = _gelu(x)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_gelu, x)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_gelu, (a,), (x,), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_gelu
    v._p0 = a
    v._p1 = None
    d = _d_gelu(FLOAT_MATH, x, out)
    v._d0 = d[0]
    v._d1 = None
    return v


def leaky_relu(a: Value | float, b: Value | float) -> Value:
    """x for x > 0 else slope * x; d/dx = 1 or slope, d/dslope = 0 or x."""
    if a.__class__ is Value:
        x = a._data
    elif a.__class__ is float and a - a == 0.0:
        x = a
    elif a.__class__ is int and a.bit_length() <= 1000:
        a = x = float(a) if a else 0.0
    else:
        a, x = slow_operand(a, "leaky_relu")
    if b.__class__ is Value:
        y = b._data
    elif b.__class__ is float and b - b == 0.0:
        y = b
    elif b.__class__ is int and b.bit_length() <= 1000:
        b = y = float(b) if b else 0.0
    else:
        b, y = slow_operand(b, "leaky_relu")
    out = x if x > 0.0 else y * x
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_leaky_relu, x, y)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_leaky_relu, (a, b), (x, y), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_leaky_relu
    v._p0 = a
    v._p1 = b
    d = _d_leaky_relu(FLOAT_MATH, x, y, out)
    v._d0 = d[0]
    v._d1 = d[1]
    return v


def elu(a: Value | float, b: Value | float) -> Value:
    """x for x > 0 else alpha * (e**x - 1); d/dx = 1 or alpha * e**x."""
    if a.__class__ is Value:
        x = a._data
    elif a.__class__ is float and a - a == 0.0:
        x = a
    elif a.__class__ is int and a.bit_length() <= 1000:
        a = x = float(a) if a else 0.0
    else:
        a, x = slow_operand(a, "elu")
    if b.__class__ is Value:
        y = b._data
    elif b.__class__ is float and b - b == 0.0:
        y = b
    elif b.__class__ is int and b.bit_length() <= 1000:
        b = y = float(b) if b else 0.0
    else:
        b, y = slow_operand(b, "elu")
    out = _elu(x, y)
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_elu, x, y)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_elu, (a, b), (x, y), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_elu
    v._p0 = a
    v._p1 = b
    d = _d_elu(FLOAT_MATH, x, y, out)
    v._d0 = d[0]
    v._d1 = d[1]
    return v


def maximum(a: Value | float, b: Value | float) -> Value:
    """the larger of x and y; d/dx = 1 where x > y, d/dy = 1 where y > x, 0.5 each at a
    tie.
    """
    if a.__class__ is Value:
        x = a._data
    elif a.__class__ is float and a - a == 0.0:
        x = a
    elif a.__class__ is int and a.bit_length() <= 1000:
        a = x = float(a) if a else 0.0
    else:
        a, x = slow_operand(a, "maximum")
    if b.__class__ is Value:
        y = b._data
    elif b.__class__ is float and b - b == 0.0:
        y = b
    elif b.__class__ is int and b.bit_length() <= 1000:
        b = y = float(b) if b else 0.0
    else:
        b, y = slow_operand(b, "maximum")
    out = x if x >= y else y
    if out - out != 0.0:  # inf - inf and nan - nan are nan
        raise overflow(_row_maximum, x, y)
    if mode_get() != RECORDING:  # no_grad, anomaly mode or a trace
        return made_in_mode(Value, mode_get(), _row_maximum, (a, b), (x, y), out)
    v = next(_new_values)
    v._data = out
    v._grad = 0.0
    v._g = None
    v._row = _row_maximum
    v._p0 = a
    v._p1 = b
    d = _d_maximum(FLOAT_MATH, x, y, out)
    v._d0 = d[0]
    v._d1 = d[1]
    return v


class ValueOps:
    """Value's operators and op methods: the functions above."""

    __slots__ = ()

    __add__ = add
    __radd__ = radd
    __sub__ = sub
    __rsub__ = rsub
    __mul__ = mul
    __rmul__ = rmul
    __truediv__ = div
    __rtruediv__ = rdiv
    __pow__ = pow
    __rpow__ = rpow
    __neg__ = neg
    __abs__ = abs
    exp = exp
    log = log
    sqrt = sqrt
    sin = sin
    cos = cos
    tanh = tanh
    sigmoid = sigmoid
    relu = relu
    softplus = softplus
    erf = erf
    gelu = gelu
    leaky_relu = leaky_relu
    elu = elu
    maximum = maximum

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The first subclass is the node class (`autograd.value.Value`): the
        # functions above test an operand's class against it and take their
        # new nodes from it, as `object.__new__(Value)` with the argument
        # tuple made once, not per node as calling `object.__new__` does.
        global Value, _new_values  # noqa: PLW0603 - bound once, by the class
        if Value is None:
            Value = cls
            _new_values = itertools.starmap(object.__new__, itertools.repeat((cls,)))
        super().__init_subclass__(**kwargs)


FUNCTIONS: dict[str, Callable[..., Value]] = {
    "add": add,
    "sub": sub,
    "mul": mul,
    "div": div,
    "pow": pow,
    "neg": neg,
    "abs": abs,
    "exp": exp,
    "log": log,
    "sqrt": sqrt,
    "sin": sin,
    "cos": cos,
    "tanh": tanh,
    "sigmoid": sigmoid,
    "relu": relu,
    "softplus": softplus,
    "erf": erf,
    "gelu": gelu,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "maximum": maximum,
}
"""Each table row's function, by the row's name."""
