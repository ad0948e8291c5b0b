"""How text reaches DOT: every user string goes through one function per context.

A picture shows labels, module names, op symbols and docs that users choose,
and numbers in a format they choose. Each lands in one of two places in DOT:

* inside an HTML-like label (``<<TABLE>...</TABLE>>``): `html_text`;
* inside a double-quoted string (tooltips): `quoted`.

Node ids never carry user text (they are positions: ``v12``, ``v12op``), so
they need no escaping. Both functions first make the text drawable
(`drawable`): characters that DOT or XML cannot carry (NUL and the other
control characters, lone surrogates) become visible stand-ins, and line
breaks stay line breaks. Long text is cut where it is composed (`cut`), with
a visible mark saying how much is left out.
"""

from __future__ import annotations

import html
import re
from typing import Final

LABEL_LIMIT: Final = 60
"""Characters of a user string drawn in a picture; the rest is cut visibly."""
TOOLTIP_LIMIT: Final = 400
"""Characters of a user string in a tooltip."""

# C0 controls other than line breaks and tab, DEL, lone surrogates and the two
# non-characters: XML (HTML-like labels, SVG) cannot carry them.
_UNDRAWABLE: Final = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]"
)
_LINE_BREAK: Final = re.compile("\r\n|[\n\r\x85\u2028\u2029]")

# A number format: sign, '#', grouping, precision, type; no fill, alignment
# or width, which pad a label with characters that are not the number.
_NUMBER_FORMAT: Final = re.compile(r"[+\- ]?#?[,_]?(\.\d{1,2})?[eEfFgGn%]?")


def _stand_in(match: re.Match[str]) -> str:
    c = ord(match.group())
    if c < 0x20:
        return chr(0x2400 + c)  # the Unicode control picture: NUL shows as ␀
    if c == 0x7F:
        return "\N{SYMBOL FOR DELETE}"
    return "\N{REPLACEMENT CHARACTER}"


def drawable(text: str) -> str:
    """`text` with undrawable characters as visible stand-ins and tabs as spaces."""
    return _UNDRAWABLE.sub(_stand_in, text.replace("\t", " "))


def cut(text: str, limit: int = LABEL_LIMIT) -> str:
    """`text`, or its first `limit` characters and how many more there are."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\N{HORIZONTAL ELLIPSIS} (+{len(text) - limit:,} chars)"


def html_text(text: str) -> str:
    r"""`text` inside an HTML-like label: entities for & < > ], <BR/> per line break.

    Graphviz also reads ``\N`` (the node's name) and friends in this text, so
    a backslash is doubled; a lone ``]`` is a syntax error to it, so ``]`` is
    written as an entity.
    """
    lines = _LINE_BREAK.split(drawable(text))
    return "<BR/>".join(
        html.escape(line, quote=False).replace("\\", "\\\\").replace("]", "&#93;")
        for line in lines
    )


def quoted(text: str) -> str:
    r"""`text` as a DOT quoted string: ``\`` and ``"`` escaped, line breaks ``\n``.

    Graphviz reads ``&name;`` as an entity in these strings too, so ``&`` is
    written ``&amp;`` for the text to show as typed.
    """
    lines = _LINE_BREAK.split(drawable(text))
    body = "\\n".join(
        line.replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"')
        for line in lines
    )
    return f'"{body}"'


def check_number_format(fmt: object, where: str) -> str:
    """`fmt` if it is a number format spec such as '.4g'; else a ValueError."""
    if not isinstance(fmt, str) or not _NUMBER_FORMAT.fullmatch(fmt):
        raise ValueError(
            f"{where}: fmt {fmt!r} is not a number format such as '.4g', '.3e' "
            "or '+.2f' (sign, '#', grouping, precision up to 99 and type only: "
            "no fill, alignment or width)"
        )
    return fmt
