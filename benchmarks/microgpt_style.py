"""The reference engine of W5: a scalar Value in the published microgpt design.

Written here from the design's description, to time our engine against it in
the same run: a `__slots__` node holding its float, its gradient, a tuple of
children and a tuple of the local derivatives with respect to them (made in
the forward pass), a recursive topological sort with a visited set, and a
backward that does `child.grad += local_grad * v.grad` in reverse order.
"""

from __future__ import annotations

import math


class Value:
    """A scalar that remembers its children and its local derivatives."""

    __slots__ = ("_children", "_local_grads", "data", "grad")

    def __init__(
        self,
        data: float,
        children: tuple[Value, ...] = (),
        local_grads: tuple[float, ...] = (),
    ) -> None:
        """A leaf, or the result of an op over `children`."""
        self.data = data
        self.grad = 0.0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other: Value | float) -> Value:
        """self + other; both local derivatives are 1."""
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other: Value | float) -> Value:
        """self * other; d/dself = other, d/dother = self."""
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, k: float) -> Value:
        """self ** k for a number k; d/dself = k * self ** (k - 1)."""
        return Value(self.data**k, (self,), (k * self.data ** (k - 1),))

    def log(self) -> Value:
        """Natural log; d/dx = 1 / x."""
        return Value(math.log(self.data), (self,), (1.0 / self.data,))

    def exp(self) -> Value:
        """e ** x; d/dx = e ** x."""
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def relu(self) -> Value:
        """max(0, x); d/dx = 1 where x > 0."""
        return Value(max(0.0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self) -> Value:
        """-self, composed as self * -1."""
        return self * -1.0

    def __radd__(self, other: float) -> Value:
        """other + self."""
        return self + other

    def __sub__(self, other: Value | float) -> Value:
        """self - other, composed from + and negation."""
        return self + (-other)

    def __rsub__(self, other: float) -> Value:
        """other - self."""
        return other + (-self)

    def __rmul__(self, other: float) -> Value:
        """other * self."""
        return self * other

    def __truediv__(self, other: Value | float) -> Value:
        """self / other, composed as self * other ** -1."""
        return self * other**-1

    def __rtruediv__(self, other: float) -> Value:
        """other / self."""
        return other * self**-1

    def backward(self) -> None:
        """Gradients of self with respect to every node it was computed from."""
        order: list[Value] = []
        visited: set[Value] = set()

        def visit(v: Value) -> None:
            if v not in visited:
                visited.add(v)
                for child in v._children:
                    visit(child)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            for child, local_grad in zip(v._children, v._local_grads, strict=True):
                child.grad += local_grad * v.grad
