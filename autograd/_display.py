"""How a Value shows in Jupyter: its graph as SVG (`autograd.viz.set_notebook`).

Registered with IPython's display formatter when `autograd` is imported
inside a running IPython (a notebook kernel), so the core defines no display
method and imports nothing of `autograd.viz`; outside IPython nothing happens.
"""

from __future__ import annotations

import sys

from autograd.core import Value

__all__ = ["register", "svg"]


def svg(value: Value) -> str | None:
    """`value`'s graph as SVG for Jupyter, or None: Jupyter shows the repr."""
    # A display hook must never raise: without viz, graphviz or `dot`, or on
    # any failure to draw, None makes Jupyter show the plain repr instead.
    try:
        from autograd.viz import notebook_svg  # noqa: PLC0415 - viz is optional

        return notebook_svg(value)
    except Exception:
        return None


def register() -> bool:
    """Register `svg` for Values with the running IPython; False if there is none."""
    ipython = sys.modules.get("IPython")  # never imported here: only if running
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["image/svg+xml"]
    formatter.for_type(Value, svg)
    return True
