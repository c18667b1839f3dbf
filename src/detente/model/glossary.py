"""The one glossary of the page, the reports and the docs (``data/glossary.yaml``).

Each term has a reader's ``label``, an optional table ``symbol``, a plain-words ``definition``
and optionally ``better`` (``higher`` or ``lower``: which way is good) and ``unit``. Party
codes have display names (:func:`party_name`). ``python -m detente.model.glossary`` writes
``docs/glossary.md`` from the same file.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from detente.model.catalog import DATA_DIR
from detente.model.yamlio import load_yaml

GLOSSARY_FILE = DATA_DIR / "glossary.yaml"
FIELDS = {"label", "symbol", "definition", "better", "unit"}


@functools.cache
def _data() -> dict[str, Any]:
    doc = load_yaml(GLOSSARY_FILE)
    data = doc.data
    for key, term in data["terms"].items():
        unknown = set(term) - FIELDS
        if unknown or not {"label", "definition"} <= set(term):
            raise doc.error(("terms", key), f"a term has label and definition (and {FIELDS})")
        if term.get("better") not in (None, "higher", "lower"):
            raise doc.error(("terms", key, "better"), "better is 'higher' or 'lower'")
    return data


def terms() -> dict[str, dict[str, str]]:
    """Every term by key, in file order.

    Examples
    --------
    >>> terms()["fsi"]["symbol"]
    'FSI'
    """
    return {k: dict(v) for k, v in _data()["terms"].items()}


def parties() -> dict[str, str]:
    """Display names of the party codes (``US`` -> ``United States``)."""
    return {code: p["name"] for code, p in _data()["parties"].items()}


def party_name(code: str, in_text: bool = False) -> str:
    """The display name of a party code, or the code itself when it has none.

    ``in_text``: the form inside a sentence (``the United States``).

    Examples
    --------
    >>> party_name("RU"), party_name("XX"), party_name("US", in_text=True)
    ('Russia', 'XX', 'the United States')
    """
    p = _data()["parties"].get(code)
    if p is None:
        return code
    return p.get("in_text", p["name"]) if in_text else p["name"]


#: Colours of sides without a colour of their own, in turn.
FALLBACK_COLOURS = ("#17becf", "#8c564b", "#7f7f7f", "#bcbd22")


def party_colours() -> dict[str, str]:
    """The one colour of each party in every figure (``US`` -> ``#1f5fa8``)."""
    return {code: p["colour"] for code, p in _data()["parties"].items() if "colour" in p}


def party_colour(code: str, k: int = 0) -> str:
    """The colour of party ``code``; a side without one takes fallback colour ``k``.

    Examples
    --------
    >>> party_colour("US"), party_colour("XX", 1)
    ('#1f5fa8', '#8c564b')
    """
    return party_colours().get(code, FALLBACK_COLOURS[k % len(FALLBACK_COLOURS)])


def markdown() -> str:
    """``docs/glossary.md``: every term as a definition list in Markdown."""
    lines = [
        "# Glossary",
        "",
        "Generated from `src/detente/data/glossary.yaml` by `python -m detente.model.glossary`;"
        " the web page's hover definitions and the HTML reports read the same file.",
        "",
        "| term | symbol | meaning | better | unit |",
        "|---|---|---|---|---|",
    ]
    for term in terms().values():
        cells = [
            term["label"],
            term.get("symbol", ""),
            term["definition"],
            term.get("better", ""),
            term.get("unit", ""),
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", "## Parties", "", "| code | name |", "|---|---|"]
    lines += [f"| {code} | {name} |" for code, name in parties().items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - the docs generator
    sys.stdout.write(markdown())
