"""How a number is printed for a reader: one rule for tables, pictures and pages."""

from __future__ import annotations


def number(x: float, fmt: str) -> str:
    """`x` in format `fmt`; a number that shows as zero shows without a sign.

    -0.0, and -1e-20 at '.2f', print as 0 and 0.00, never -0: the sign of a
    zero says nothing a learner can use (a tooltip or `repr` keeps the exact
    float).
    """
    text = format(x, fmt)
    if text.startswith("-") and "0" in text and not any(c in text for c in "123456789"):
        return format(-x, fmt)
    return text
