"""Cython source of the compiled core, `autograd/_ccore.pyx`, from the op table.

The compiled core is the Python core's node, op functions and fast sweep
with C types: each op function is the same inlined forward and local
derivatives `autograd._codegen` writes for `autograd/_generated.py`, on C
doubles, so the two cores run the same float operations in the same order
(the build turns off fused multiply-add contraction, which would change
bits). Everything else of `Value` (its constructor, properties, pickling,
hooks, micrograd's names) is not written twice: `autograd.value` defines it
once, in Python, and gives it to the compiled class (`adopt`).

A division in an inlined rule becomes `_cg_fdiv` (Python's
ZeroDivisionError, not C's infinity) and a power, floor division or modulo
is done on Python floats, so C's semantics never change an answer.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from autograd import _codegen, _generate
from autograd._select import _DIGEST_LINE, source_digest
from autograd.ops import OPS, Op

__all__ = ["COMPILED", "module_source"]

COMPILED = Path(__file__).with_name("_ccore.pyx")
"""The generated Cython source of the compiled core."""

# Operators whose C meaning on doubles differs from Python's on floats, and
# the helper of `_ccore.pyx` that has Python's meaning.
_PYTHON_MEANING: dict[type[ast.operator], str] = {
    ast.Div: "_cg_fdiv",
    ast.Pow: "_cg_fpow",
    ast.FloorDiv: "_cg_ffloordiv",
    ast.Mod: "_cg_fmod",
}


class _CSafe(ast.NodeTransformer):
    """Rewrite operators whose C meaning differs from Python's on floats."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        name = _PYTHON_MEANING.get(type(node.op))
        if name is None:
            return node
        return ast.Call(ast.Name(name, ast.Load()), [node.left, node.right], [])


def _c_safe(expression: str) -> str:
    tree = ast.parse(expression, mode="eval")
    return ast.unparse(_CSafe().visit(tree))


def _function(op: Op) -> str:
    """`_op_NAME`: the row's eager op on Values and numbers, as a C function."""
    names = ("x", "y")[: op.arity]
    operands = ("a", "b")[: op.arity]
    params = ", ".join(f"object {a}" for a in operands)
    lines = [
        f"cdef object _op_{op.name}({params}):",
        f"    cdef double {', '.join((*names, 'out'))}",
        "    cdef Value v",
    ]
    # As in the Python core: the last operand of +, -, * and unary - is
    # checked for finiteness only when the result is not finite.
    deferred = names[-1] if _codegen.propagates_nonfinite(op) else None
    for a, x in zip(operands, names, strict=True):
        lines += [f"    if type({a}) is Value:", f"        {x} = (<Value>{a})._data"]
        if op.arity == 1:
            lines += [
                "    else:",
                f"        return unary_off_path(Value, _row_{op.name}, {a})",
            ]
            continue
        finite = "" if x == deferred else f" and _finite({a})"
        lines += [
            f"    elif type({a}) is float{finite}:",
            f"        {x} = {a}",
            f"    elif type({a}) is int and {a}.bit_length() <= 1000:",
            f"        {x} = {a}",
            f"        {a} = {x} if {x} != 0.0 else _ZERO",
            "    else:",
            f'        {a}, {x} = slow_operand({a}, "{op.name}")',
        ]
    row = f"_row_{op.name}"
    if op is OPS["pow"]:  # as `autograd._generate` writes it: see there
        lines += [
            "    if x < 0.0 and type(b) is not float:",
            "        raise negative_base(x)",
        ]
    lines += [
        f"    out = {_c_safe(_codegen.forward_source(op, names))}",
        "    if out - out != 0.0:",
    ]
    if deferred is not None:
        lines.append(f'        to_float({deferred}, "{op.name}")')
    lines += [
        f"        raise overflow({row}, {', '.join(names)})",
        "    if _mode_now() != _RECORDING:",
        f"        return made_in_mode(Value, _mode_now(), {row}, "
        f"{_generate._tuple(operands)}, {_generate._tuple(names)}, out)",
        "    v = Value.__new__(Value)",
        "    v._data = out",
        "    v._grad = 0.0",
        f"    v._row = {row}",
        "    v._p0 = a",
        f"    v._p1 = {'b' if op.arity == 2 else 'None'}",
    ]
    partials = _codegen.partials_source(op, names, "out")
    if isinstance(partials, str):
        lines.append(f"    d = {_c_safe(partials)}")
        partials = tuple(f"d[{i}]" for i in range(op.arity))
    lines += [f"    v._c_d{i} = {_c_safe(p)}" for i, p in enumerate(partials)]
    lines.append("    return v")
    return "\n".join(lines)


def _public(op: Op, name: str, reflected: bool) -> str:
    """The module-level function of a row, as `autograd/_generated.py` has it."""
    operands = ("a", "b")[: op.arity]
    params = operands[::-1] if reflected else operands
    return "\n".join(
        [
            f"def {name}({', '.join(params)}):",
            *_generate._docstring(op.doc),
            f"    return _op_{op.name}({', '.join(operands)})",
        ]
    )


def _methods() -> list[str]:
    """Value's operator and op methods, as `ValueOps` binds them in Python."""
    lines = []
    for op in OPS.values():
        if op.symbol in _generate._BINARY_DUNDERS:
            left, right = _generate._BINARY_DUNDERS[op.symbol]
            lines += [
                f"    def {left}(self, other):",
                f"        return _op_{op.name}(self, other)",
                f"    def {right}(self, other):",
                f"        return _op_{op.name}(other, self)",
            ]
        elif op.name in _generate._UNARY_DUNDERS:
            lines += [
                f"    def {_generate._UNARY_DUNDERS[op.name]}(self):",
                f"        return _op_{op.name}(self)",
            ]
        else:
            params = "self" if op.arity == 1 else "self, other"
            lines += [
                f"    def {op.name}({params}):",
                *(f"    {line}" for line in _generate._docstring(op.doc)),
                f"        return _op_{op.name}({params})",
            ]
    return lines


def _globals() -> list[str]:
    """The rows and the functions and constants the inlined code names."""
    sources = []
    for op in OPS.values():
        names = ("x", "y")[: op.arity]
        partials = _codegen.partials_source(op, names, "out")
        sources.append(_codegen.forward_source(op, names))
        sources += [partials] if isinstance(partials, str) else partials
    code = "\n".join(sources)
    used = sorted(set(re.findall(r"\b_cg_\w+", code)))
    lines = [f'cdef object _row_{op.name} = OPS["{op.name}"]' for op in OPS.values()]
    for name in used:
        spelling, module, _ = _generate._helper_spelling(name)
        if module == "autograd.ops":
            source = f"_ops.{spelling}"
        else:  # `math.tanh`, spelt `math_tanh` in `autograd/_generated.py`
            source = f"{module}.{spelling.split('.')[-1].removeprefix(module + '_')}"
        kind = "double" if isinstance(_codegen.NAMESPACE[name], float) else "object"
        lines.append(f"cdef {kind} {name} = {source}")
    return lines


_HEADER = '''\
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
from cpython.object cimport PyTypeObject

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
    static void __pyx_ccore_clear_dict(PyObject *o) {
        Py_CLEAR(*__pyx_ccore_dict_slot(o));
    }
    static void __pyx_ccore_set_dictoffset(PyTypeObject *t, Py_ssize_t offset) {
        t->tp_dictoffset = offset;
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
    void __pyx_ccore_clear_dict(object o)
    void __pyx_ccore_set_dictoffset(PyTypeObject *t, Py_ssize_t offset)

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

_CLASS = '''\
@cython.no_gc
@cython.freelist(1024)
cdef class Value:
    """A scalar in a computation graph (the compiled core's node).

    Its methods are the Python core's (`autograd.value.Value`), given to
    it at import; only the fields, `data`, `grad` and the op methods are
    compiled here.
    """

    cdef public double _data
    cdef public object _grad
    cdef public object _row
    cdef public object _p0
    cdef public object _p1
    # The local derivatives as C doubles; `_d0` and `_d1` read None where
    # the operand is None (a leaf, the missing second operand of a unary op).
    cdef double _c_d0
    cdef double _c_d1
    # A pass's mark and adjoint, which `_g` shows as the Python core keeps
    # them: None outside a pass, the adjoint so far inside one.
    cdef bint _marked
    cdef double _adj
    # The instance `__dict__`, made on first use (Cython's own `__dict__`
    # would make one with every node): see `adopt`.
    cdef void* _attributes

    def __init__(self, data, _children=(), _op="", label=""):
        """A leaf holding `data` (the Python core's `Value.__init__`, done
        here in C for the common case, a finite float alone)."""
        if (
            type(data) is float and _finite(data)
            and _children == () and _op == "" and label == ""
        ):
            self._data = data
            self._grad = 0.0
            self._marked = False
            self._row = self._p0 = self._p1 = None
            return
        _python_init(self, data, _children, _op, label)

    def __dealloc__(self):
        __pyx_ccore_clear_dict(self)
        _free_operands(self)

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
        return self._adj if self._marked else None

    @_g.setter
    def _g(self, value):
        self._marked = value is not None
        self._adj = value if self._marked else 0.0

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
        return self._grad

    @grad.setter
    def grad(self, value):
        if _mode_now() & _TRACE_BIT:
            tell_changed(self, "assigned v.grad")
        if type(value) is float:
            self._grad = value
        elif type(value) is int and not value:
            self._grad = 0.0
        else:
            self._grad = to_gradient(value, "Value.grad", values=True)

'''

_TAIL = '''\

# Freeing a graph: a node's operands are freed when it is (reference counts),
# which recurses; past a depth, operands wait in a list that the outermost
# free empties, so a chain of a million nodes does not overflow the C stack.
cdef int _free_depth = 0
cdef bint _freeing_later = False
cdef list _free_later = []


cdef inline void _free_operands(Value v):
    global _free_depth, _freeing_later
    if _free_depth >= 256:
        if isinstance(v._p0, Value):
            _free_later.append(v._p0)
        if isinstance(v._p1, Value):
            _free_later.append(v._p1)
        if isinstance(v._grad, Value):
            _free_later.append(v._grad)
    _free_depth += 1
    v._p0 = None
    v._p1 = None
    v._grad = None
    _free_depth -= 1
    if _free_depth == 0 and _free_later and not _freeing_later:
        _freeing_later = True
        while _free_later:
            _free_later.pop()
        _freeing_later = False


def _unmark(root):
    """Clear every mark under `root` (a pass stopped by an error)."""
    for v in topological_order(root):
        v._g = None


cdef list _marked_order(root):
    """`autograd._sweep._marked_order` in C: every node marked."""
    if (<Value?>root)._marked:  # marked by a pass still running: not ours
        raise RuntimeError(
            "backward: this graph is already being differentiated "
            "(by another thread, or by a hook calling backward)"
        )
    cdef list order = []
    cdef list path = []
    cdef Value v = root
    cdef Value q
    cdef object p
    v._marked = True
    v._adj = 0.0
    while True:
        p = v._p0
        while (
            type(p) is Value and not (<Value>p)._marked and (<Value>p)._row is not None
        ):
            q = <Value>p
            q._marked = True
            q._adj = 0.0
            path.append(v)
            v = q
            p = v._p0
        if type(p) is Value and not (<Value>p)._marked:
            q = <Value>p
            q._marked = True
            q._adj = 0.0
            order.append(q)
        while True:
            p = v._p1
            if type(p) is Value and not (<Value>p)._marked:
                q = <Value>p
                q._marked = True
                q._adj = 0.0
                if q._row is None:
                    order.append(q)
                else:
                    path.append(v)
                    v = q
                    break
            order.append(v)
            if not path:
                order.reverse()
                return order
            v = path.pop()


def backward_order(root):
    """`autograd._sweep.backward_order` in C."""
    cdef Value v
    if subclasses:
        return topological_order(root)[::-1]
    with passes:
        order = _marked_order(root)
        for v in order:
            v._marked = False
    return order


def backward_fast(root, double seed):
    """`autograd._sweep.backward_fast` in C: the same floats, in the same order."""
    cdef Value v
    cdef object p, grad
    cdef double g
    cdef list order = _marked_order(root)
    try:
        (<Value>root)._adj = seed
        for v in order:
            g = v._adj
            v._marked = False
            grad = v._grad
            if type(grad) is float:
                v._grad = <double>grad + g
            else:
                v._grad = grad + g
            p = v._p0
            if type(p) is Value:
                (<Value>p)._adj += v._c_d0 * g
            p = v._p1
            if type(p) is Value:
                (<Value>p)._adj += v._c_d1 * g
    except BaseException:
        _unmark(root)
        raise
    return order


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
    cdef Value probe = Value.__new__(Value)
    __pyx_ccore_set_dictoffset(
        t, <Py_ssize_t>(<char*>&probe._attributes - <char*><void*>probe)
    )
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


def _body() -> str:
    functions = _generate._functions()
    parts = [_HEADER, "\n".join(_globals()), "\n\n", _CLASS, "\n".join(_methods())]
    parts.append("\n\n")
    parts += [_function(op) + "\n\n\n" for op in OPS.values()]
    parts += [
        _public(op, name, reflected) + "\n\n\n" for name, op, reflected in functions
    ]
    public = sorted(op.name for op in OPS.values() if _generate._public(op))
    parts.append(
        "__all__ = [\n" + "".join(f'    "{name}",\n' for name in public) + "]\n\n"
    )
    by_name = [name for name, _, reflected in functions if not reflected]
    parts.append(
        "FUNCTIONS = {\n" + "".join(f'    "{n}": {n},\n' for n in by_name) + "}\n"
    )
    parts.append(_TAIL)
    return "".join(parts)


def module_source() -> str:
    """The text of `autograd/_ccore.pyx` for the op table as it is now (`make gen`)."""
    body = f"{_body()}\n"
    return f'{body}{_DIGEST_LINE}"{source_digest(body)}"\n'


def main(argv: Sequence[str] | None = None) -> int:
    """`make gen`: write the Python core's files (`autograd._generate.main`),
    then autograd/_ccore.pyx; with --check, only say if any is stale."""
    stale = _generate.main(argv)
    text = module_source()
    if COMPILED.exists() and COMPILED.read_text() == text:
        return stale
    if argv is not None and "--check" in argv:
        print(f"{COMPILED} is out of date: run `make gen`", file=sys.stderr)
        return 1
    COMPILED.write_text(text)
    print(f"wrote {COMPILED}")
    return stale
