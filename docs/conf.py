"""Sphinx configuration: the site `make docs` builds into site/, offline.

MyST Markdown pages, the tutorials executed from demos/notebooks/ at build
time (MyST-NB, a real IPython kernel), the reference from the docstrings
(autodoc, with the signatures' type hints), the furo theme.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

project = "scalargrad"
author = "the scalargrad authors"
copyright = "the scalargrad authors, MIT licence"
release = version = "0.1.0"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
]

# The tutorials are the notebooks of demos/notebooks/ (symlinked into
# docs/tutorials/), run top to bottom on every build: a notebook that fails
# fails the build, and the pages show what the code printed and drew.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 180
nb_execution_in_temp = True  # files a notebook writes land in a temporary folder
nb_merge_streams = True
nb_output_stderr = "remove-warn"
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# Every warning is an error (`-W` in the Makefile), and every cross-reference
# must resolve (`-n`). The reference links names of this project; names of the
# standard library and typing show as text (no network for intersphinx).
nitpicky = True
nitpick_ignore_regex = [
    (
        "py:class",
        r"(collections\.abc|typing|typing_extensions|types|os|random"
        r"|contextvars|graphviz|pathlib|decimal|fractions|numbers)\..*",
    ),
    (
        "py:class",
        r"(Callable|Iterator|Iterable|Sequence|Mapping|Any|TypeVar|T"
        r"|float|int|str|bool|object|tuple|list|dict|None|type|Exception"
        r"|ValueError|TypeError|OSError|NoneType|ellipsis|PathLike|Random|Digraph"
        r"|_P|_R|P|R|ParamSpec|Path|Protocol|NamedTuple)",
    ),
    ("py:obj", r"(typing|collections\.abc)\..*"),
    # Private helpers that appear in signatures, and the compiler's internals.
    (
        "py:class",
        r"(autograd\._generated|autograd\.compile|nn\._validate"
        r"|hypothesis\.strategies)\..*|nn\.serialize\._M|autograd\.(\w+\.)*_\w+",
    ),
]

autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
add_module_names = False
python_display_short_literal_types = True

html_theme = "furo"
html_title = "scalargrad"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {"navigation_with_keys": True}
os.environ.setdefault("MPLBACKEND", "Agg")


# The docstrings are written for a reader of the source: `name` for a name,
# ``code`` for code, |x| for an absolute value. In the reference a `name` of
# this project becomes a link to it, any other `text` is shown as code, and
# bars are bars (reST would read |x| as a substitution).
PACKAGES = ("autograd", "autograd.viz", "autograd.testing", "nn")


def _documented() -> set[str]:
    names: set[str] = set()
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            names.add(f"{package}.{name}")
            obj = getattr(module, name)
            if inspect.isclass(obj):
                names.update(
                    f"{package}.{name}.{attr}"
                    for attr, member in vars(obj).items()
                    if not attr.startswith("_")
                    and (callable(member) or isinstance(member, property))
                )
    return names


DOCUMENTED = _documented()
_SPAN = re.compile(r"(``.+?``|:\w+:`[^`]+`|`[^`]+`)")


def _target(text: str, where: str) -> str | None:
    """The documented object that `text`, written in object `where`, names."""
    name = text.removesuffix("()")
    scopes = [where.rsplit(".", n)[0] for n in range(where.count(".") + 1)]
    for scope in ["", *scopes, *PACKAGES, "autograd.Value"]:
        full = f"{scope}.{name}" if scope else name
        if full in DOCUMENTED:
            return full
    return None


def _line(line: str, where: str) -> str:
    parts = _SPAN.split(line)
    for i, part in enumerate(parts):
        if i % 2 == 0:
            parts[i] = part.replace("|", "\\|")
        elif part.startswith("`") and not part.startswith("``"):
            text = part[1:-1]
            target = _target(text, where)
            parts[i] = f":py:obj:`{text} <{target}>`" if target else f"``{text}``"
            if i + 1 < len(parts) and parts[i + 1][:1].isalnum():
                parts[i] += "\\ "  # `Value`s: a plural after a role
    return "".join(parts)


def _docstring(  # noqa: PLR0917 (the signature of Sphinx's event)
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    in_literal = False
    for i, line in enumerate(lines):
        if in_literal and line.strip() and not line.startswith((" ", "\t")):
            in_literal = False
        if not in_literal and not line.lstrip().startswith(">>>"):
            lines[i] = _line(line, name)
        if line.rstrip().endswith("::"):
            in_literal = True


def _executed_notebooks_inside_the_build(app: Any) -> None:
    # MyST-NB writes the executed notebooks beside the output folder, which
    # for site/ is the repository's root: keep them with the doctrees instead.
    folder = Path(app.doctreedir) / "jupyter_execute"
    app.env.mystnb_config = app.env.mystnb_config.copy(output_folder=str(folder))


def _value_by_any_path(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    # A signature may name the node class by the module it was imported into
    # (autograd.graph.Value): it is autograd.Value.
    target = node.get("reftarget", "")
    if node.get("refdomain") == "py" and re.fullmatch(r"autograd\.\w+\.Value", target):
        python = env.get_domain("py")
        return python.resolve_xref(
            env, node["refdoc"], app.builder, "class", "autograd.Value", node, contnode
        )
    return None


def setup(app: Any) -> None:
    """Connect the docstring rewriting and the notebooks' output folder."""
    app.connect("autodoc-process-docstring", _docstring)
    app.connect("missing-reference", _value_by_any_path)
    app.connect("builder-inited", _executed_notebooks_inside_the_build, priority=900)
