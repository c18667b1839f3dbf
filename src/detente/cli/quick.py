"""The light start of ``detente stability A B``: a one-off answer without typer, rich or pydantic.

:func:`detente.cli.main` offers the command line here before it imports typer. A plain
``stability A B`` of two bundled forces, with no options but those of
:data:`~detente.cli.stability_text.VALUE_OPTIONS` and
:data:`~detente.cli.stability_text.FLAG_OPTIONS`, each at most once and with a valid value, is
answered from the prepared inputs of :mod:`detente.analysis.prepared` by the same
:func:`~detente.analysis.stability.evaluate` and the same renderer
(:mod:`detente.cli.stability_text`) as the typer command. Anything else (help, a force file,
another option or command, a value out of range, two sides with one label, a force the cache
cannot prepare) is left to typer, which answers it, help and errors included, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from detente.cli.stability_text import DEFAULTS, FLAG_OPTIONS, FORMATS, VALUE_OPTIONS, emit, render

#: How click converts the value of each option (``str`` for the choices).
CONVERT = {"de": float, "kmax": int, "posture": str, "format": str}


def parse(args: Sequence[str]) -> dict[str, Any] | None:
    """The request of ``args`` (the command line after the program) if the light start can
    answer it: ``{"sides": [A, B], "de", "kmax", "posture", "format", "lua"}``; else None.

    Examples
    --------
    >>> parse(["stability", "us-2025", "ru-2025", "--de=0.7", "-f", "json"])["de"]
    0.7
    >>> parse(["stability", "us-2025", "ru-2025", "--help"]) is None
    True
    """
    if not args or args[0] != "stability":
        return None
    request: dict[str, Any] = {"sides": []}
    rest = list(args[1:])
    while rest:
        token = rest.pop(0)
        if not token.startswith("-"):
            request["sides"].append(token)
            continue
        option, eq, value = token.partition("=")
        if option in FLAG_OPTIONS and not eq:
            name, value = FLAG_OPTIONS[option], True
        elif option in VALUE_OPTIONS and (eq or rest) and not (eq and len(option) == 2):
            name = VALUE_OPTIONS[option]
            value = value if eq else rest.pop(0)
            if value.startswith("-"):
                return None
            try:
                value = CONVERT[name](value)
            except ValueError:
                return None
        else:
            return None
        if name in request:  # given twice: typer's rule applies
            return None
        request[name] = value
    request = {**DEFAULTS, **request}
    if len(request["sides"]) != 2 or request["format"] not in FORMATS:
        return None
    return request


def answer(args: Sequence[str]) -> bool:
    """Answer ``args`` on the light path and return True, or return False (nothing printed)
    for typer to answer."""
    request = parse(args)
    if request is None:
        return False
    try:
        text = _text(request)
    except Exception:  # whatever the light start cannot answer, typer answers or reports
        return False
    if text is None:
        return False
    emit(text)
    return True


def _text(request: dict[str, Any]) -> str | None:
    """The output of a parsed request, or None when the prepared inputs cannot answer it."""
    from detente.analysis.prepared import bundled_sides, prepared_calculus
    from detente.analysis.stability import evaluate

    params = prepared_calculus().params(de=request["de"], kmax=request["kmax"])
    if params is None:
        return None
    sides = bundled_sides(request["sides"], posture=request["posture"], lua=request["lua"])
    if sides is None:
        return None
    return render(evaluate(sides, params), request["format"])
