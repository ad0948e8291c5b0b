"""The drawing's style: fonts, colours by role, and the heat scale of gradients."""

from __future__ import annotations

import math
from typing import Final

from autograd.viz._scene import CONSTANT, INPUT, INTERMEDIATE, OUTPUT, PARAMETER

__all__ = [
    "CLUSTER_FILLS",
    "EDGE",
    "FADED",
    "FONT",
    "HEAT",
    "HEAT_LOW",
    "HIGHLIGHT",
    "INK",
    "MUTED",
    "NO_GRAD",
    "OP_COLOURS",
    "PRETTY",
    "ROLE_COLOURS",
    "SUMMARY_COLOURS",
    "heat_colour",
]

FONT: Final = "Helvetica,Arial,sans-serif"
INK: Final = "#1e293b"
MUTED: Final = "#64748b"
EDGE: Final = "#94a3b8"
FADED: Final = "#d5dbe3"
HIGHLIGHT: Final = "#e11d48"

# (fill, border) per role; colour-blind-safe hues that stay apart in grey.
ROLE_COLOURS: Final[dict[str, tuple[str, str]]] = {
    OUTPUT: ("#fde68a", "#b45309"),
    PARAMETER: ("#bfdbfe", "#1d4ed8"),
    INPUT: ("#bbf7d0", "#15803d"),
    CONSTANT: ("#f1f5f9", "#94a3b8"),
    INTERMEDIATE: ("#ffffff", "#64748b"),
}
OP_COLOURS: Final = ("#ede9fe", "#6d28d9")
SUMMARY_COLOURS: Final = ("#e2e8f0", "#475569")
CLUSTER_FILLS: Final = ("#f8fafc", "#eef2ff", "#f0fdf4", "#fff7ed")

# Diverging heat scale for |grad|, one colour per decade from 1e-4 to 1e4:
# blue where gradients vanish, pale near 1, red where they explode; light
# enough everywhere for dark text.
HEAT: Final = (
    "#6baed6",
    "#9ecae1",
    "#c6dbef",
    "#e3eef9",
    "#f7f7f7",
    "#fde0d2",
    "#fcbba1",
    "#fc9272",
    "#ef6548",
)
HEAT_LOW: Final = -4
NO_GRAD: Final = "#e5e7eb"

# Typographic forms of the op table's ASCII symbols.
PRETTY: Final = {
    "*": "\N{MULTIPLICATION SIGN}",
    "/": "\N{DIVISION SIGN}",
    "-": "\N{MINUS SIGN}",
    "**": "x\N{MODIFIER LETTER SMALL Y}",
    "neg": "\N{MINUS SIGN}x",
}


def heat_colour(grad: float) -> str:
    """The heat colour of a gradient, by decade of |grad|: 1e-4 blue to 1e4 red."""
    g = abs(grad)
    if g == 0.0:
        return NO_GRAD
    if not math.isfinite(g):
        return HEAT[-1]
    step = math.floor(math.log10(g) + 0.5) - HEAT_LOW
    return HEAT[min(max(step, 0), len(HEAT) - 1)]
