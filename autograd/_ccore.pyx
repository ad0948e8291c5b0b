# cython: language_level=3, binding=False, embedsignature=False
# cython: auto_pickle=False, initializedcheck=False
"""The compiled core: `Value`'s fields, its op functions and the fast sweep in C.

Generated: do not edit. `make gen` (`autograd._ccodegen`) writes this file
from the op table, beside `autograd/_generated.py`, and
tests/test_generated.py fails when it is out of date. The build
(`setup.py`) compiles it when a C compiler is there; `autograd.value`
uses it unless SCALARGRAD_PURE=1, giving the class the Python core's
methods (`adopt`), so the two cores share every method but the hot ones.
"""

cimport cython
from cpython.contextvars cimport get_value
from cpython.number cimport PyNumber_FloorDivide, PyNumber_Power, PyNumber_Remainder
from cpython.mem cimport PyMem_Free, PyMem_Realloc
from libc.math cimport cos as c_cos, exp as c_exp, log as c_log
from libc.math cimport sin as c_sin, sqrt as c_sqrt, tanh as c_tanh
from cpython.object cimport PyObject, PyTypeObject

import builtins
import math

from autograd import ops as _ops
from autograd._inputs import negative_base, overflow, to_float, to_gradient
from autograd._modes import (
    RECORDING,
    TRACING,
    mode,
    passes,
    tell_changed,
    user_read,
)
from autograd._offpath import made_in_mode, slow_operand, unary_off_path
from autograd._sweep import subclasses
from autograd.graph import topological_order
from autograd.ops import FLOAT_MATH, OPS

cdef extern from "Python.h":
    unsigned long Py_TPFLAGS_IMMUTABLETYPE

# The node's `__dict__`, in its `_attributes` field, made on first use, and
# assigned or deleted as a Python class's can be (pickling assigns it,
# copying drops an empty one).
cdef extern from *:
    """
    static PyObject **__pyx_ccore_dict_slot(PyObject *o) {
        return (PyObject **)((char *)o + Py_TYPE(o)->tp_dictoffset);
    }
    static int __pyx_ccore_has_dict(PyObject *o) {
        return *__pyx_ccore_dict_slot(o) != NULL;
    }
    static int __pyx_ccore_set_dict(PyObject *o, PyObject *value, void *c) {
        PyObject **slot = __pyx_ccore_dict_slot(o);
        if (value == NULL) {
            Py_CLEAR(*slot);
            return 0;
        }
        return PyObject_GenericSetDict(o, value, c);
    }
    static PyGetSetDef __pyx_ccore_dict_getset = {
        "__dict__", PyObject_GenericGetDict, __pyx_ccore_set_dict, NULL, NULL};
    static int __pyx_ccore_install_dict(PyTypeObject *t) {
        PyObject *descriptor = PyDescr_NewGetSet(t, &__pyx_ccore_dict_getset);
        if (descriptor == NULL) return -1;
        int failed = PyDict_SetItemString(t->tp_dict, "__dict__", descriptor);
        Py_DECREF(descriptor);
        PyType_Modified(t);
        return failed;
    }

    """
    int __pyx_ccore_install_dict(PyTypeObject *t) except -1
    bint __pyx_ccore_has_dict(object o)

cdef object _ZERO = 0.0
cdef object _python_init = None  # the Python core's `Value.__init__`, see `adopt`
cdef long _TRACE_BIT = TRACING
cdef long _RECORDING = RECORDING


cdef inline long _mode_now() except? -1:
    return get_value(mode)


cdef inline bint _finite(object a):
    cdef double f = a
    return f - f == 0.0


cdef inline double _cg_fdiv(double a, double b) except? -1.0:
    if b == 0.0:
        raise ZeroDivisionError("float division by zero")
    return a / b


cdef object _cg_fpow(object a, object b):
    return PyNumber_Power(float(a), float(b), None)


cdef object _cg_ffloordiv(object a, object b):
    return PyNumber_FloorDivide(float(a), float(b))


cdef object _cg_fmod(object a, object b):
    return PyNumber_Remainder(float(a), float(b))

# Making and freeing nodes, and the mark a backward pass leaves on them.
cdef extern from *:
    """
    /* The node's fields by offset (`__pyx_ccore_layout` sets them from the
       class Cython lays out), for the allocator and `tp_dealloc` below. */
    enum { CCORE_GRAD, CCORE_ROW, CCORE_P0, CCORE_P1, CCORE_FGRAD, CCORE_ADJ,
           CCORE_FIELDS };
    static PyTypeObject *__pyx_ccore_type;
    static Py_ssize_t __pyx_ccore_offset[CCORE_FIELDS];
    #define CCORE_FIELD(o, i) (*(PyObject **)((char *)(o) + __pyx_ccore_offset[i]))
    #define CCORE_DOUBLE(o, i) (*(double *)((char *)(o) + __pyx_ccore_offset[i]))

    /* A node outside a pass holds this in its adjoint: a NaN with a
       payload no arithmetic makes (a NaN computed from numbers has none,
       and this one never enters arithmetic), so it cannot be an adjoint. */
    static const uint64_t __pyx_ccore_unmarked_bits = 0x7ff8c0dec0dec0deULL;
    static double __pyx_ccore_unmarked(void) {
        double d;
        memcpy(&d, &__pyx_ccore_unmarked_bits, sizeof d);
        return d;
    }
    static int __pyx_ccore_is_marked(double adjoint) {
        uint64_t bits;
        memcpy(&bits, &adjoint, sizeof bits);
        return bits != __pyx_ccore_unmarked_bits;
    }

    /* Freed nodes of the exact class kept for the next graph, up to
       CCORE_KEEP (12 MB): a training step frees a graph and makes one as
       big, and memory handed back to the system costs a page fault per
       page when asked for again. A stack of pointers, not a list linked
       through the nodes: taking one reads no node (no cache miss to wait
       for), and the next one out is prefetched. */
    #define CCORE_KEEP (1 << 17)
    #if defined(__GNUC__) || defined(__clang__)
    #define CCORE_PREFETCH(p) __builtin_prefetch((p), 1)
    #else
    #define CCORE_PREFETCH(p) ((void)0)
    #endif
    static PyObject **__pyx_ccore_kept;
    static Py_ssize_t __pyx_ccore_nkept;

    static void __pyx_ccore_release_kept(void) {
        while (__pyx_ccore_nkept) {
            PyObject_Free(__pyx_ccore_kept[--__pyx_ccore_nkept]);
        }
    }

    static int __pyx_ccore_keep(PyObject *o) {
        if (__pyx_ccore_kept == NULL || __pyx_ccore_nkept == CCORE_KEEP) return 0;
        __pyx_ccore_kept[__pyx_ccore_nkept++] = o;
        return 1;
    }

    /* A new node of the exact class, its object fields set (new references)
       and no `__dict__`; the caller sets the C fields. No zeroing, no None
       to drop: an op result is made once per op. */
    static PyObject *__pyx_ccore_node(PyObject *grad, PyObject *row,
                                      PyObject *p0, PyObject *p1) {
        PyTypeObject *t = __pyx_ccore_type;
        PyObject *o;
        if (__pyx_ccore_nkept) {
            o = __pyx_ccore_kept[--__pyx_ccore_nkept];
            if (__pyx_ccore_nkept) {  /* the next one out, fetched meanwhile */
                CCORE_PREFETCH(__pyx_ccore_kept[__pyx_ccore_nkept - 1]);
            }
        } else {
            o = (PyObject *)PyObject_Malloc(t->tp_basicsize);
            if (o == NULL) return PyErr_NoMemory();
        }
        PyObject_Init(o, t);
        Py_INCREF(grad); CCORE_FIELD(o, CCORE_GRAD) = grad;
        CCORE_DOUBLE(o, CCORE_FGRAD) = 0.0;
        CCORE_DOUBLE(o, CCORE_ADJ) = __pyx_ccore_unmarked();
        Py_INCREF(row); CCORE_FIELD(o, CCORE_ROW) = row;
        Py_INCREF(p0); CCORE_FIELD(o, CCORE_P0) = p0;
        Py_INCREF(p1); CCORE_FIELD(o, CCORE_P1) = p1;
        *__pyx_ccore_dict_slot(o) = NULL;
        return o;
    }

    /* Freeing a graph. Dropping a node's last reference frees its operands
       in turn; done by recursion, a long chain would overflow the C stack.
       So a node about to die while another is being freed waits on this
       stack, and the outermost free empties it: no recursion at all. */
    static PyObject **__pyx_ccore_dying;
    static Py_ssize_t __pyx_ccore_ndying, __pyx_ccore_capacity;
    static int __pyx_ccore_freeing;

    static void __pyx_ccore_drop(PyObject *x) {
        if (x != NULL && Py_REFCNT(x) == 1 && !PyFloat_CheckExact(x)
                && PyObject_TypeCheck(x, __pyx_ccore_type)) {
            if (__pyx_ccore_ndying == __pyx_ccore_capacity) {
                Py_ssize_t capacity = 2 * __pyx_ccore_capacity + 256;
                PyObject **grown = (PyObject **)PyMem_Realloc(
                    __pyx_ccore_dying, capacity * sizeof(PyObject *));
                if (grown == NULL) {  /* no memory to wait in: recurse */
                    Py_DECREF(x);
                    return;
                }
                __pyx_ccore_dying = grown;
                __pyx_ccore_capacity = capacity;
            }
            __pyx_ccore_dying[__pyx_ccore_ndying++] = x;  /* the reference moves here */
            return;
        }
        Py_XDECREF(x);
    }

    /* `tp_dealloc`: no cycle collector to tell, no error state to save (no
       Python code runs here but what dropping a reference runs anyway). */
    static void __pyx_ccore_dealloc(PyObject *o) {
        PyTypeObject *t = Py_TYPE(o);
        PyObject *grad = CCORE_FIELD(o, CCORE_GRAD), *row = CCORE_FIELD(o, CCORE_ROW);
        PyObject *p0 = CCORE_FIELD(o, CCORE_P0), *p1 = CCORE_FIELD(o, CCORE_P1);
        PyObject *dict = *__pyx_ccore_dict_slot(o);
        if (t != __pyx_ccore_type || !__pyx_ccore_keep(o)) t->tp_free(o);
        if (PyType_HasFeature(__pyx_ccore_type, Py_TPFLAGS_HEAPTYPE)) Py_DECREF(t);
        Py_XDECREF(dict);
        Py_XDECREF(row);
        int outermost = !__pyx_ccore_freeing;
        __pyx_ccore_freeing = 1;
        __pyx_ccore_drop(p0);
        __pyx_ccore_drop(p1);
        __pyx_ccore_drop(grad);
        if (!outermost) return;
        while (__pyx_ccore_ndying) Py_DECREF(__pyx_ccore_dying[--__pyx_ccore_ndying]);
        __pyx_ccore_freeing = 0;
    }

    static void __pyx_ccore_layout(PyTypeObject *t, Py_ssize_t grad, Py_ssize_t row,
                                   Py_ssize_t p0, Py_ssize_t p1, Py_ssize_t fgrad,
                                   Py_ssize_t adj, Py_ssize_t dict) {
        __pyx_ccore_type = t;
        __pyx_ccore_offset[CCORE_FGRAD] = fgrad;
        __pyx_ccore_offset[CCORE_ADJ] = adj;
        __pyx_ccore_offset[CCORE_GRAD] = grad;
        __pyx_ccore_offset[CCORE_ROW] = row;
        __pyx_ccore_offset[CCORE_P0] = p0;
        __pyx_ccore_offset[CCORE_P1] = p1;
        t->tp_dictoffset = dict;
        t->tp_dealloc = __pyx_ccore_dealloc;
        /* The stack of kept nodes, made once (its pages are touched as it
           fills); without it, no node is kept. */
        __pyx_ccore_kept = (PyObject **)PyMem_Malloc(CCORE_KEEP * sizeof(PyObject *));
    }
    """
    object __pyx_ccore_node(object grad, object row, object p0, object p1)
    void __pyx_ccore_release_kept()
    void __pyx_ccore_layout(
        PyTypeObject *t, Py_ssize_t grad, Py_ssize_t row, Py_ssize_t p0,
        Py_ssize_t p1, Py_ssize_t fgrad, Py_ssize_t adj, Py_ssize_t dict
    )
    double _UNMARKED "__pyx_ccore_unmarked()"
    bint _is_marked "__pyx_ccore_is_marked"(double adjoint)

cdef object _row_add = OPS["add"]
cdef object _row_sub = OPS["sub"]
cdef object _row_mul = OPS["mul"]
cdef object _row_div = OPS["div"]
cdef object _row_pow = OPS["pow"]
cdef object _row_neg = OPS["neg"]
cdef object _row_abs = OPS["abs"]
cdef object _row_exp = OPS["exp"]
cdef object _row_log = OPS["log"]
cdef object _row_sqrt = OPS["sqrt"]
cdef object _row_sin = OPS["sin"]
cdef object _row_cos = OPS["cos"]
cdef object _row_tanh = OPS["tanh"]
cdef object _row_sigmoid = OPS["sigmoid"]
cdef object _row_relu = OPS["relu"]
cdef object _row_softplus = OPS["softplus"]
cdef object _row_erf = OPS["erf"]
cdef object _row_gelu = OPS["gelu"]
cdef object _row_leaky_relu = OPS["leaky_relu"]
cdef object _row_elu = OPS["elu"]
cdef object _row_maximum = OPS["maximum"]
cdef object _cg_derivative_abs = _ops._d_abs
cdef object _cg_derivative_elu = _ops._d_elu
cdef object _cg_derivative_gelu = _ops._d_gelu
cdef object _cg_derivative_leaky_relu = _ops._d_leaky_relu
cdef object _cg_derivative_maximum = _ops._d_maximum
cdef object _cg_derivative_pow = _ops._d_pow
cdef object _cg_derivative_sqrt = _ops._d_sqrt
cdef object _cg_forward_abs = builtins.abs
cdef inline double _cg_forward_cos(double x) except? -1.0:
    return c_cos(x)

cdef inline double _cg_forward_div(double x, double y) except? -1.0:
    if y == 0.0:
        return _ops._div(x, y)
    return x / y

cdef object _cg_forward_elu = _ops._elu
cdef object _cg_forward_erf = math.erf
cdef inline double _cg_forward_exp(double x) except? -1.0:
    cdef double r = c_exp(x)
    if r - r != 0.0:
        return _ops._exp(x)
    return r

cdef object _cg_forward_gelu = _ops._gelu
cdef inline double _cg_forward_log(double x) except? -1.0:
    if x <= 0.0:
        return _ops._log(x)
    return c_log(x)

cdef object _cg_forward_pow = _ops._pow
cdef inline double _cg_forward_sigmoid(double x) except? -1.0:
    cdef double e
    if x >= 0.0:
        return 1.0 / (1.0 + c_exp(-x))
    e = c_exp(x)
    return e / (1.0 + e)

cdef inline double _cg_forward_sin(double x) except? -1.0:
    return c_sin(x)

cdef object _cg_forward_softplus = _ops._softplus
cdef inline double _cg_forward_sqrt(double x) except? -1.0:
    if x < 0.0:
        return _ops._sqrt(x)
    return c_sqrt(x)

cdef inline double _cg_forward_tanh(double x) except? -1.0:
    return c_tanh(x)

cdef double _cg_g__TAIL = _ops._TAIL
cdef double _cg_g__TWO_OVER_SQRT_PI = _ops._TWO_OVER_SQRT_PI
cdef object _cg_m = _ops.FLOAT_MATH

@cython.no_gc
cdef class Value:
    """A scalar in a computation graph (the compiled core's node).

    Its methods are the Python core's (`autograd.value.Value`), given to
    it at import; only the fields, `data`, `grad` and the op methods are
    compiled here.
    """

    cdef public double _data
    # The gradient: `_fgrad` while it is a float (a pass adds to it in C, no
    # float object made), else `_vgrad` (a Value, after create_graph).
    cdef double _fgrad
    cdef object _vgrad
    cdef public object _row
    cdef public object _p0
    cdef public object _p1
    # The local derivatives as C doubles; `_d0` and `_d1` read None where
    # the operand is None (a leaf, the missing second operand of a unary op).
    cdef double _c_d0
    cdef double _c_d1
    # A pass's adjoint, which `_g` shows as the Python core keeps it: None
    # outside a pass (`_UNMARKED` here), the adjoint so far inside one.
    cdef double _adj
    # The instance `__dict__`, made on first use (Cython's own `__dict__`
    # would make one with every node): see `adopt`.
    cdef void* _attributes

    def __cinit__(self):
        self._adj = _UNMARKED

    def __init__(self, data, _children=(), _op="", label=""):
        """A leaf holding `data` (the Python core's `Value.__init__`, done
        here in C for the common case, a finite float alone)."""
        if (
            type(data) is float and _finite(data)
            and _children == () and _op == "" and label == ""
        ):
            self._data = data
            self._row = self._p0 = self._p1 = None
            return
        _python_init(self, data, _children, _op, label)

    @property
    def data(self):
        """The number this Value holds (a finite float)."""
        if _mode_now() & _TRACE_BIT:
            return user_read(self)
        return self._data

    @data.setter
    def data(self, value):
        if _mode_now() & _TRACE_BIT:
            tell_changed(self, "assigned v.data")
        if type(value) is float and _finite(value):
            self._data = value
        else:
            self._data = to_float(value, "Value.data")

    @property
    def _g(self):
        return self._adj if _is_marked(self._adj) else None

    @_g.setter
    def _g(self, value):
        self._adj = _UNMARKED if value is None else value

    @property
    def _d0(self):
        return None if self._p0 is None else self._c_d0

    @_d0.setter
    def _d0(self, value):
        self._c_d0 = 0.0 if value is None else value

    @property
    def _d1(self):
        return None if self._p1 is None else self._c_d1

    @_d1.setter
    def _d1(self, value):
        self._c_d1 = 0.0 if value is None else value

    @property
    def grad(self):
        """d(root)/d(self) summed over the `backward` passes so far (0.0 to start)."""
        return self._fgrad if self._vgrad is None else self._vgrad

    @grad.setter
    def grad(self, value):
        if _mode_now() & _TRACE_BIT:
            tell_changed(self, "assigned v.grad")
        if type(value) is float:
            self._fgrad = value
        elif type(value) is int and not value:  # `p.grad = 0`, as scripts reset it
            self._fgrad = 0.0
        else:
            self._grad = to_gradient(value, "Value.grad", values=True)
            return
        if self._vgrad is not None:
            self._vgrad = None

    @property
    def _grad(self):
        return self._fgrad if self._vgrad is None else self._vgrad

    @_grad.setter
    def _grad(self, value):
        if type(value) is float:
            self._fgrad = value
            self._vgrad = None
        else:
            self._vgrad = value

    def __add__(self, other):
        return _op_add(self, other)
    def __radd__(self, other):
        return _op_add(other, self)
    def __sub__(self, other):
        return _op_sub(self, other)
    def __rsub__(self, other):
        return _op_sub(other, self)
    def __mul__(self, other):
        return _op_mul(self, other)
    def __rmul__(self, other):
        return _op_mul(other, self)
    def __truediv__(self, other):
        return _op_div(self, other)
    def __rtruediv__(self, other):
        return _op_div(other, self)
    def __pow__(self, other):
        return _op_pow(self, other)
    def __rpow__(self, other):
        return _op_pow(other, self)
    def __neg__(self):
        return _op_neg(self)
    def __abs__(self):
        return _op_abs(self)
    def exp(self):
        """e**x; d/dx = e**x, reusing the forward result."""
        return _op_exp(self)
    def log(self):
        """natural log, x > 0; d/dx = 1/x."""
        return _op_log(self)
    def sqrt(self):
        """square root, x >= 0; d/dx = 1/(2 sqrt(x))."""
        return _op_sqrt(self)
    def sin(self):
        """sine; d/dx = cos(x)."""
        return _op_sin(self)
    def cos(self):
        """cosine; d/dx = -sin(x)."""
        return _op_cos(self)
    def tanh(self):
        """hyperbolic tangent, the classic activation squashing to (-1, 1); d/dx = 1 -
        tanh(x)**2, reusing the forward result.
        """
        return _op_tanh(self)
    def sigmoid(self):
        """logistic sigmoid 1/(1+e**-x), the activation squashing to (0, 1); d/dx = s(x) *
        (1 - s(x)).
        """
        return _op_sigmoid(self)
    def relu(self):
        """rectified linear unit max(0, x), the default activation of deep nets; d/dx = 1
        for x > 0 else 0.
        """
        return _op_relu(self)
    def softplus(self):
        """log(1 + e**x), a smooth relu; d/dx = sigmoid(x)."""
        return _op_softplus(self)
    def erf(self):
        """error function; d/dx = 2/sqrt(pi) * e**(-x**2), 0 in the tails."""
        return _op_erf(self)
    def gelu(self):
        """Gaussian error linear unit x * Phi(x) (exact, with erfc); d/dx = Phi(x) + x *
        phi(x).
        """
        return _op_gelu(self)
    def leaky_relu(self, other):
        """x for x > 0 else slope * x; d/dx = 1 or slope, d/dslope = 0 or x."""
        return _op_leaky_relu(self, other)
    def elu(self, other):
        """x for x > 0 else alpha * (e**x - 1); d/dx = 1 or alpha * e**x."""
        return _op_elu(self, other)
    def maximum(self, other):
        """the larger of x and y; d/dx = 1 where x > y, d/dy = 1 where y > x, 0.5 each at a
        tie.
        """
        return _op_maximum(self, other)

cdef object _op_add(object a, object b):
    cdef double x, y, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    elif type(a) is float and _finite(a):
        x = a
    elif type(a) is int and a.bit_length() <= 1000:
        x = a
        a = x if x != 0.0 else _ZERO
    else:
        a, x = slow_operand(a, "add")
    if type(b) is Value:
        y = (<Value>b)._data
    elif type(b) is float:
        y = b
    elif type(b) is int and b.bit_length() <= 1000:
        y = b
        b = y if y != 0.0 else _ZERO
    else:
        b, y = slow_operand(b, "add")
    out = x + y
    if out - out != 0.0:
        to_float(y, "add")
        raise overflow(_row_add, x, y)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_add, (a, b), (x, y), out)
    v = <Value>__pyx_ccore_node(None, _row_add, a, b)
    v._data = out
    v._c_d0 = 1.0
    v._c_d1 = 1.0
    return v


cdef object _op_sub(object a, object b):
    cdef double x, y, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    elif type(a) is float and _finite(a):
        x = a
    elif type(a) is int and a.bit_length() <= 1000:
        x = a
        a = x if x != 0.0 else _ZERO
    else:
        a, x = slow_operand(a, "sub")
    if type(b) is Value:
        y = (<Value>b)._data
    elif type(b) is float:
        y = b
    elif type(b) is int and b.bit_length() <= 1000:
        y = b
        b = y if y != 0.0 else _ZERO
    else:
        b, y = slow_operand(b, "sub")
    out = x - y
    if out - out != 0.0:
        to_float(y, "sub")
        raise overflow(_row_sub, x, y)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_sub, (a, b), (x, y), out)
    v = <Value>__pyx_ccore_node(None, _row_sub, a, b)
    v._data = out
    v._c_d0 = 1.0
    v._c_d1 = -1.0
    return v


cdef object _op_mul(object a, object b):
    cdef double x, y, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    elif type(a) is float and _finite(a):
        x = a
    elif type(a) is int and a.bit_length() <= 1000:
        x = a
        a = x if x != 0.0 else _ZERO
    else:
        a, x = slow_operand(a, "mul")
    if type(b) is Value:
        y = (<Value>b)._data
    elif type(b) is float:
        y = b
    elif type(b) is int and b.bit_length() <= 1000:
        y = b
        b = y if y != 0.0 else _ZERO
    else:
        b, y = slow_operand(b, "mul")
    out = x * y
    if out - out != 0.0:
        to_float(y, "mul")
        raise overflow(_row_mul, x, y)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_mul, (a, b), (x, y), out)
    v = <Value>__pyx_ccore_node(None, _row_mul, a, b)
    v._data = out
    v._c_d0 = y
    v._c_d1 = x
    return v


cdef object _op_div(object a, object b):
    cdef double x, y, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    elif type(a) is float and _finite(a):
        x = a
    elif type(a) is int and a.bit_length() <= 1000:
        x = a
        a = x if x != 0.0 else _ZERO
    else:
        a, x = slow_operand(a, "div")
    if type(b) is Value:
        y = (<Value>b)._data
    elif type(b) is float and _finite(b):
        y = b
    elif type(b) is int and b.bit_length() <= 1000:
        y = b
        b = y if y != 0.0 else _ZERO
    else:
        b, y = slow_operand(b, "div")
    out = _cg_forward_div(x, y)
    if out - out != 0.0:
        raise overflow(_row_div, x, y)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_div, (a, b), (x, y), out)
    v = <Value>__pyx_ccore_node(None, _row_div, a, b)
    v._data = out
    v._c_d0 = _cg_fdiv(1.0, y)
    v._c_d1 = _cg_fdiv(-out, y)
    return v


cdef object _op_pow(object a, object b):
    cdef double x, y, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    elif type(a) is float and _finite(a):
        x = a
    elif type(a) is int and a.bit_length() <= 1000:
        x = a
        a = x if x != 0.0 else _ZERO
    else:
        a, x = slow_operand(a, "pow")
    if type(b) is Value:
        y = (<Value>b)._data
    elif type(b) is float and _finite(b):
        y = b
    elif type(b) is int and b.bit_length() <= 1000:
        y = b
        b = y if y != 0.0 else _ZERO
    else:
        b, y = slow_operand(b, "pow")
    if x < 0.0 and type(b) is not float:
        raise negative_base(x)
    out = _cg_forward_pow(x, y)
    if out - out != 0.0:
        raise overflow(_row_pow, x, y)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_pow, (a, b), (x, y), out)
    v = <Value>__pyx_ccore_node(None, _row_pow, a, b)
    v._data = out
    d = _cg_derivative_pow(_cg_m, x, y, out)
    v._c_d0 = d[0]
    v._c_d1 = d[1]
    return v


cdef object _op_neg(object a):
    cdef double x, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    else:
        return unary_off_path(Value, _row_neg, a)
    out = -x
    if out - out != 0.0:
        to_float(x, "neg")
        raise overflow(_row_neg, x)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_neg, (a,), (x,), out)
    v = <Value>__pyx_ccore_node(None, _row_neg, a, None)
    v._data = out
    v._c_d0 = -1.0
    return v


cdef object _op_abs(object a):
    cdef double x, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    else:
        return unary_off_path(Value, _row_abs, a)
    out = _cg_forward_abs(x)
    if out - out != 0.0:
        raise overflow(_row_abs, x)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_abs, (a,), (x,), out)
    v = <Value>__pyx_ccore_node(None, _row_abs, a, None)
    v._data = out
    d = _cg_derivative_abs(_cg_m, x, out)
    v._c_d0 = d[0]
    return v


cdef object _op_exp(object a):
    cdef double x, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    else:
        return unary_off_path(Value, _row_exp, a)
    out = _cg_forward_exp(x)
    if out - out != 0.0:
        raise overflow(_row_exp, x)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_exp, (a,), (x,), out)
    v = <Value>__pyx_ccore_node(None, _row_exp, a, None)
    v._data = out
    v._c_d0 = out
    return v


cdef object _op_log(object a):
    cdef double x, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    else:
        return unary_off_path(Value, _row_log, a)
    out = _cg_forward_log(x)
    if out - out != 0.0:
        raise overflow(_row_log, x)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_log, (a,), (x,), out)
    v = <Value>__pyx_ccore_node(None, _row_log, a, None)
    v._data = out
    v._c_d0 = _cg_fdiv(1.0, x)
    return v


cdef object _op_sqrt(object a):
    cdef double x, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    else:
        return unary_off_path(Value, _row_sqrt, a)
    out = _cg_forward_sqrt(x)
    if out - out != 0.0:
        raise overflow(_row_sqrt, x)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_sqrt, (a,), (x,), out)
    v = <Value>__pyx_ccore_node(None, _row_sqrt, a, None)
    v._data = out
    d = _cg_derivative_sqrt(_cg_m, x, out)
    v._c_d0 = d[0]
    return v


cdef object _op_sin(object a):
    cdef double x, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    else:
        return unary_off_path(Value, _row_sin, a)
    out = _cg_forward_sin(x)
    if out - out != 0.0:
        raise overflow(_row_sin, x)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_sin, (a,), (x,), out)
    v = <Value>__pyx_ccore_node(None, _row_sin, a, None)
    v._data = out
    v._c_d0 = _cg_m.cos(x)
    return v


cdef object _op_cos(object a):
    cdef double x, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    else:
        return unary_off_path(Value, _row_cos, a)
    out = _cg_forward_cos(x)
    if out - out != 0.0:
        raise overflow(_row_cos, x)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_cos, (a,), (x,), out)
    v = <Value>__pyx_ccore_node(None, _row_cos, a, None)
    v._data = out
    v._c_d0 = -_cg_m.sin(x)
    return v


cdef object _op_tanh(object a):
    cdef double x, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    else:
        return unary_off_path(Value, _row_tanh, a)
    out = _cg_forward_tanh(x)
    if out - out != 0.0:
        raise overflow(_row_tanh, x)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_tanh, (a,), (x,), out)
    v = <Value>__pyx_ccore_node(None, _row_tanh, a, None)
    v._data = out
    v._c_d0 = 1.0 - out * out
    return v


cdef object _op_sigmoid(object a):
    cdef double x, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    else:
        return unary_off_path(Value, _row_sigmoid, a)
    out = _cg_forward_sigmoid(x)
    if out - out != 0.0:
        raise overflow(_row_sigmoid, x)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_sigmoid, (a,), (x,), out)
    v = <Value>__pyx_ccore_node(None, _row_sigmoid, a, None)
    v._data = out
    v._c_d0 = out * (1.0 - out)
    return v


cdef object _op_relu(object a):
    cdef double x, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    else:
        return unary_off_path(Value, _row_relu, a)
    out = x if x > 0.0 else 0.0
    if out - out != 0.0:
        raise overflow(_row_relu, x)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_relu, (a,), (x,), out)
    v = <Value>__pyx_ccore_node(None, _row_relu, a, None)
    v._data = out
    v._c_d0 = 1.0 if x > 0 else 0.0
    return v


cdef object _op_softplus(object a):
    cdef double x, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    else:
        return unary_off_path(Value, _row_softplus, a)
    out = _cg_forward_softplus(x)
    if out - out != 0.0:
        raise overflow(_row_softplus, x)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_softplus, (a,), (x,), out)
    v = <Value>__pyx_ccore_node(None, _row_softplus, a, None)
    v._data = out
    v._c_d0 = _cg_m.sigmoid(x)
    return v


cdef object _op_erf(object a):
    cdef double x, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    else:
        return unary_off_path(Value, _row_erf, a)
    out = _cg_forward_erf(x)
    if out - out != 0.0:
        raise overflow(_row_erf, x)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_erf, (a,), (x,), out)
    v = <Value>__pyx_ccore_node(None, _row_erf, a, None)
    v._data = out
    v._c_d0 = _cg_g__TWO_OVER_SQRT_PI * _cg_m.exp(-x * x) if -_cg_g__TAIL < x < _cg_g__TAIL else 0.0
    return v


cdef object _op_gelu(object a):
    cdef double x, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    else:
        return unary_off_path(Value, _row_gelu, a)
    out = _cg_forward_gelu(x)
    if out - out != 0.0:
        raise overflow(_row_gelu, x)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_gelu, (a,), (x,), out)
    v = <Value>__pyx_ccore_node(None, _row_gelu, a, None)
    v._data = out
    d = _cg_derivative_gelu(_cg_m, x, out)
    v._c_d0 = d[0]
    return v


cdef object _op_leaky_relu(object a, object b):
    cdef double x, y, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    elif type(a) is float and _finite(a):
        x = a
    elif type(a) is int and a.bit_length() <= 1000:
        x = a
        a = x if x != 0.0 else _ZERO
    else:
        a, x = slow_operand(a, "leaky_relu")
    if type(b) is Value:
        y = (<Value>b)._data
    elif type(b) is float and _finite(b):
        y = b
    elif type(b) is int and b.bit_length() <= 1000:
        y = b
        b = y if y != 0.0 else _ZERO
    else:
        b, y = slow_operand(b, "leaky_relu")
    out = x if x > 0.0 else y * x
    if out - out != 0.0:
        raise overflow(_row_leaky_relu, x, y)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_leaky_relu, (a, b), (x, y), out)
    v = <Value>__pyx_ccore_node(None, _row_leaky_relu, a, b)
    v._data = out
    d = _cg_derivative_leaky_relu(_cg_m, x, y, out)
    v._c_d0 = d[0]
    v._c_d1 = d[1]
    return v


cdef object _op_elu(object a, object b):
    cdef double x, y, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    elif type(a) is float and _finite(a):
        x = a
    elif type(a) is int and a.bit_length() <= 1000:
        x = a
        a = x if x != 0.0 else _ZERO
    else:
        a, x = slow_operand(a, "elu")
    if type(b) is Value:
        y = (<Value>b)._data
    elif type(b) is float and _finite(b):
        y = b
    elif type(b) is int and b.bit_length() <= 1000:
        y = b
        b = y if y != 0.0 else _ZERO
    else:
        b, y = slow_operand(b, "elu")
    out = _cg_forward_elu(x, y)
    if out - out != 0.0:
        raise overflow(_row_elu, x, y)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_elu, (a, b), (x, y), out)
    v = <Value>__pyx_ccore_node(None, _row_elu, a, b)
    v._data = out
    d = _cg_derivative_elu(_cg_m, x, y, out)
    v._c_d0 = d[0]
    v._c_d1 = d[1]
    return v


cdef object _op_maximum(object a, object b):
    cdef double x, y, out
    cdef Value v
    if type(a) is Value:
        x = (<Value>a)._data
    elif type(a) is float and _finite(a):
        x = a
    elif type(a) is int and a.bit_length() <= 1000:
        x = a
        a = x if x != 0.0 else _ZERO
    else:
        a, x = slow_operand(a, "maximum")
    if type(b) is Value:
        y = (<Value>b)._data
    elif type(b) is float and _finite(b):
        y = b
    elif type(b) is int and b.bit_length() <= 1000:
        y = b
        b = y if y != 0.0 else _ZERO
    else:
        b, y = slow_operand(b, "maximum")
    out = x if x >= y else y
    if out - out != 0.0:
        raise overflow(_row_maximum, x, y)
    if _mode_now() != _RECORDING:
        return made_in_mode(Value, _mode_now(), _row_maximum, (a, b), (x, y), out)
    v = <Value>__pyx_ccore_node(None, _row_maximum, a, b)
    v._data = out
    d = _cg_derivative_maximum(_cg_m, x, y, out)
    v._c_d0 = d[0]
    v._c_d1 = d[1]
    return v


def add(a, b):
    """x + y; d/dx = 1, d/dy = 1."""
    return _op_add(a, b)


def radd(b, a):
    """x + y; d/dx = 1, d/dy = 1."""
    return _op_add(a, b)


def sub(a, b):
    """x - y; d/dx = 1, d/dy = -1."""
    return _op_sub(a, b)


def rsub(b, a):
    """x - y; d/dx = 1, d/dy = -1."""
    return _op_sub(a, b)


def mul(a, b):
    """x * y; d/dx = y, d/dy = x."""
    return _op_mul(a, b)


def rmul(b, a):
    """x * y; d/dx = y, d/dy = x."""
    return _op_mul(a, b)


def div(a, b):
    """x / y; d/dx = 1/y, d/dy = -x/y**2 = -out/y."""
    return _op_div(a, b)


def rdiv(b, a):
    """x / y; d/dx = 1/y, d/dy = -x/y**2 = -out/y."""
    return _op_div(a, b)


def pow(a, b):
    """x ** y; d/dx = y * x**(y-1), d/dy = x**y * log(x)."""
    return _op_pow(a, b)


def rpow(b, a):
    """x ** y; d/dx = y * x**(y-1), d/dy = x**y * log(x)."""
    return _op_pow(a, b)


def neg(a):
    """-x; d/dx = -1."""
    return _op_neg(a)


def abs(a):
    """|x|; d/dx = sign(x), 0 at 0."""
    return _op_abs(a)


def exp(a):
    """e**x; d/dx = e**x, reusing the forward result."""
    return _op_exp(a)


def log(a):
    """natural log, x > 0; d/dx = 1/x."""
    return _op_log(a)


def sqrt(a):
    """square root, x >= 0; d/dx = 1/(2 sqrt(x))."""
    return _op_sqrt(a)


def sin(a):
    """sine; d/dx = cos(x)."""
    return _op_sin(a)


def cos(a):
    """cosine; d/dx = -sin(x)."""
    return _op_cos(a)


def tanh(a):
    """hyperbolic tangent, the classic activation squashing to (-1, 1); d/dx = 1 -
    tanh(x)**2, reusing the forward result.
    """
    return _op_tanh(a)


def sigmoid(a):
    """logistic sigmoid 1/(1+e**-x), the activation squashing to (0, 1); d/dx = s(x) *
    (1 - s(x)).
    """
    return _op_sigmoid(a)


def relu(a):
    """rectified linear unit max(0, x), the default activation of deep nets; d/dx = 1
    for x > 0 else 0.
    """
    return _op_relu(a)


def softplus(a):
    """log(1 + e**x), a smooth relu; d/dx = sigmoid(x)."""
    return _op_softplus(a)


def erf(a):
    """error function; d/dx = 2/sqrt(pi) * e**(-x**2), 0 in the tails."""
    return _op_erf(a)


def gelu(a):
    """Gaussian error linear unit x * Phi(x) (exact, with erfc); d/dx = Phi(x) + x *
    phi(x).
    """
    return _op_gelu(a)


def leaky_relu(a, b):
    """x for x > 0 else slope * x; d/dx = 1 or slope, d/dslope = 0 or x."""
    return _op_leaky_relu(a, b)


def elu(a, b):
    """x for x > 0 else alpha * (e**x - 1); d/dx = 1 or alpha * e**x."""
    return _op_elu(a, b)


def maximum(a, b):
    """the larger of x and y; d/dx = 1 where x > y, d/dy = 1 where y > x, 0.5 each at a
    tie.
    """
    return _op_maximum(a, b)


__all__ = [
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

FUNCTIONS = {
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
# Where Cython put the node's object fields: C's offsetof on the struct it
# makes of `Value` (named by its scheme; another name fails the build).
cdef extern from *:
    """
    #define CCORE_OFFSET(f) offsetof(struct __pyx_obj_8autograd_6_ccore_Value, f)
    """
    Py_ssize_t _OFFSET_GRAD "CCORE_OFFSET(_vgrad)"
    Py_ssize_t _OFFSET_FGRAD "CCORE_OFFSET(_fgrad)"
    Py_ssize_t _OFFSET_ADJ "CCORE_OFFSET(_adj)"
    Py_ssize_t _OFFSET_ROW "CCORE_OFFSET(_row)"
    Py_ssize_t _OFFSET_P0 "CCORE_OFFSET(_p0)"
    Py_ssize_t _OFFSET_P1 "CCORE_OFFSET(_p1)"
    Py_ssize_t _OFFSET_DICT "CCORE_OFFSET(_attributes)"

__pyx_ccore_layout(
    <PyTypeObject*>Value,
    _OFFSET_GRAD, _OFFSET_ROW, _OFFSET_P0, _OFFSET_P1, _OFFSET_FGRAD, _OFFSET_ADJ,
    _OFFSET_DICT,
)


def release_kept():
    """Hand the memory of the freed nodes kept for the next graph back (to
    measure a graph's memory, or after the last one)."""
    __pyx_ccore_release_kept()



def _unmark(root):
    """Clear every mark under `root` (a pass stopped by an error)."""
    for v in topological_order(root):
        v._g = None


# A pass's order: borrowed pointers to the nodes, in a C array. Nothing can
# free a node while the pass runs (each is reachable from `root`, which the
# caller holds, and a pass changes no operand), so no reference is taken.
cdef struct Nodes:
    PyObject** at
    Py_ssize_t n
    Py_ssize_t capacity


cdef int _push(Nodes* nodes, Value v) except -1:
    cdef Py_ssize_t capacity
    cdef PyObject** grown
    if nodes.n == nodes.capacity:
        capacity = 2 * nodes.capacity if nodes.capacity else 1024
        grown = <PyObject**>PyMem_Realloc(nodes.at, capacity * sizeof(PyObject*))
        if grown == NULL:
            raise MemoryError()
        nodes.at = grown
        nodes.capacity = capacity
    nodes.at[nodes.n] = <PyObject*>v
    nodes.n += 1
    return 0


cdef inline bint _reached(object p):
    """Whether `p` is a node this search must visit: mark it, adjoint 0.0."""
    if type(p) is not Value or _is_marked((<Value>p)._adj):
        return False
    (<Value>p)._adj = 0.0
    return True


cdef int _not_in_a_pass(Value root) except -1:
    if _is_marked(root._adj):  # marked by a pass still running: not ours to clear
        raise RuntimeError(
            "backward: this graph is already being differentiated "
            "(by another thread, or by a hook calling backward)"
        )
    return 0


cdef int _marked_order(Value root, Nodes* order) except -1:
    """`autograd._sweep._marked_order` in C, into `order` in depth-first
    post-order (a pass runs it backwards): every node marked."""
    cdef Nodes path = Nodes(NULL, 0, 0)  # the nodes whose operands are being visited
    cdef Value v = root
    cdef object p
    v._adj = 0.0
    try:
        while True:
            # Go down operand 0 while it is an op's result not reached yet.
            p = v._p0
            while type(p) is Value and (<Value>p)._row is not None and _reached(p):
                _push(&path, v)
                v = <Value>p
                p = v._p0
            if _reached(p):  # a leaf: done once reached
                _push(order, <Value>p)
            # Operand 0 of `v` is done: visit operand 1, or finish `v` and go up.
            while True:
                p = v._p1
                if _reached(p):
                    if (<Value>p)._row is None:
                        _push(order, <Value>p)
                    else:
                        _push(&path, v)
                        v = <Value>p
                        break
                _push(order, v)
                if path.n == 0:
                    return 0
                path.n -= 1
                v = <Value>path.at[path.n]
    finally:
        PyMem_Free(path.at)


cdef list _as_list(Nodes* order):
    """The order as `backward_order` returns it: last finished first."""
    cdef list nodes = []
    cdef Py_ssize_t i
    for i in range(order.n - 1, -1, -1):
        nodes.append(<object>order.at[i])
    return nodes


def backward_order(root):
    """`autograd._sweep.backward_order` in C."""
    cdef Nodes order = Nodes(NULL, 0, 0)
    cdef Py_ssize_t i
    if subclasses:
        return topological_order(root)[::-1]
    with passes:
        _not_in_a_pass(root)
        try:
            _marked_order(root, &order)
            for i in range(order.n):
                (<Value>order.at[i])._adj = _UNMARKED
            return _as_list(&order)
        except BaseException:
            _unmark(root)
            raise
        finally:
            PyMem_Free(order.at)


cdef int _sweep(Value root, double seed, Nodes* order) except -1:
    """The pass itself, over `order` from its end: `reference_backward`'s
    floats, in its order."""
    cdef Value v
    cdef object p, grad
    cdef double g
    cdef Py_ssize_t i
    _not_in_a_pass(root)
    try:
        _marked_order(root, order)
        root._adj = seed
        for i in range(order.n - 1, -1, -1):
            v = <Value>order.at[i]
            g = v._adj
            v._adj = _UNMARKED
            grad = v._vgrad
            if grad is None:
                v._fgrad += g
            else:
                v._vgrad = grad + g
            p = v._p0
            if type(p) is Value:
                (<Value>p)._adj += v._c_d0 * g
            p = v._p1
            if type(p) is Value:
                (<Value>p)._adj += v._c_d1 * g
    except BaseException:
        _unmark(root)
        raise
    return 0


def backward_fast(root, double seed):
    """`autograd._sweep.backward_fast` in C: the same floats, in the same
    order, which it returns."""
    cdef Nodes order = Nodes(NULL, 0, 0)
    try:
        _sweep(root, seed, &order)
        return _as_list(&order)
    finally:
        PyMem_Free(order.at)


def backward_pass(root, double seed):
    """`backward_fast` without making the order's list (`Value.backward`)."""
    cdef Nodes order = Nodes(NULL, 0, 0)
    try:
        _sweep(root, seed, &order)
    finally:
        PyMem_Free(order.at)


# What `adopt` leaves alone: the compiled fields and fast properties, and
# what describes the Python class itself.
_OWN = frozenset({
    "__dict__", "__doc__", "__module__", "__qualname__", "__slots__",
    "__annotations__", "__weakref__", "__init__", "data", "grad",
    "_data", "_grad", "_g", "_row", "_p0", "_p1", "_d0", "_d1",
})


def adopt(python_class):
    """Give `Value` every method the Python core's class body defines.

    An extension type is closed to assignment; this one is opened, so that
    `type.__setattr__` updates the C slots (`__init__`, `__repr__`,
    `__pow__`, ...) as it does for any class, and stays open as the Python
    core's class is (micrograd-style code adds methods to Value, tests
    monkeypatch it).
    """
    global _python_init
    _python_init = vars(python_class)["__init__"]
    cdef PyTypeObject* t = <PyTypeObject*>Value
    t.tp_flags &= ~Py_TPFLAGS_IMMUTABLETYPE
    __pyx_ccore_install_dict(t)
    for name, member in vars(python_class).items():
        if name not in _OWN:
            type.__setattr__(Value, name, member)
    return Value


def _has_dict(Value v):
    """Whether `v` has made its `__dict__` (reading `vars(v)` would make one)."""
    return __pyx_ccore_has_dict(v)


class ValueOps:
    """The Python core's base of `Value`; here the op methods are compiled."""

    __slots__ = ()


SOURCE_DIGEST = "edd19420f44e4917"
