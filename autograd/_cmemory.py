"""The compiled core's memory: making, keeping and freeing nodes, in C.

`autograd._ccodegen` puts `MEMORY` after the prelude of
`autograd._ctemplates` (it uses the prelude's `__dict__` helpers) and
`LAYOUT` after the node class and op functions, where the class's C struct
is known. Only the op functions make nodes here (`__pyx_ccore_node`); every
node, however made, is freed by `__pyx_ccore_dealloc`.
"""

from __future__ import annotations

__all__ = ["LAYOUT", "MEMORY"]

MEMORY = '''\
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

'''
"""The allocator, the kept nodes, `tp_dealloc` and the pass's mark (C)."""

LAYOUT = '''\
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


'''
"""The fields' offsets handed to the C code, once `Value` is defined."""
