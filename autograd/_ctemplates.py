"""The fixed Cython text of the compiled core: its prelude, node class and sweep.

`autograd._ccodegen` writes `autograd/_ccore.pyx` as `HEADER`, the memory
of `autograd._cmemory`, the rows and helpers, `NODE` with the op methods,
the op functions, the fields' layout, then `TAIL`; only the parts between
depend on the op table.
"""

from __future__ import annotations

__all__ = ["HEADER", "NODE", "TAIL"]

HEADER = '''\
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

'''
"""The prelude: the Cython directives, imports, C helpers and constants."""

NODE = '''\
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

'''
"""The node class, after the rows and helpers, before its op methods."""

TAIL = '''\

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

'''
"""After the op functions and the layout: the fast sweep and `adopt`."""
