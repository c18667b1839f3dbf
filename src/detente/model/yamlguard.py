"""Bounds on a YAML text, checked from its event stream before any document is built.

A YAML document can be tiny and still expand to gigabytes through nested aliases ("billion
laughs"), refer to itself (``name: &a [*a]``) or nest deeper than Python's recursion allows.
:func:`check_yaml` walks the parser's events once (no nodes, no Python objects), keeping only a
stack of open collections and the expanded size of each anchor, and refuses such input with one
located :class:`~detente.errors.InputError`. It also refuses the YAML 1.1 number forms that turn
a typo into a silently different count: hexadecimal, octal, binary and sexagesimal (``1:30`` is
90 in YAML 1.1).

The limits are in :mod:`detente.model.limits`.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from detente.errors import CONTROL, InputError
from detente.model.limits import MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES

try:  # the libyaml parser when present: the event pass is then a small share of a load
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

#: Plain scalars that YAML 1.1 reads as a number written in another base or in base 60.
_NON_DECIMAL = re.compile(
    r"""^[-+]?(?:
        0b[01_]+                                # binary
      | 0x[0-9a-fA-F_]+                         # hexadecimal
      | 0o?[0-7_]+                              # octal (a leading zero)
      | [0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?  # sexagesimal
    )$""",
    re.VERBOSE,
)
_KIND = {"0b": "a binary", "0x": "a hexadecimal"}


def _number_kind(text: str) -> str:
    body = text.lstrip("+-")
    if ":" in body:
        return "a sexagesimal (base 60)"
    return _KIND.get(body[:2].lower(), "an octal")


def check_size(size: int, file: str) -> None:
    """Refuse a text of ``size`` bytes above :data:`~detente.model.limits.MAX_YAML_BYTES`."""
    if size > MAX_YAML_BYTES:
        raise InputError(
            f"the file is {size:,} bytes, above the limit of {MAX_YAML_BYTES:,} bytes", file=file
        )


def check_file_size(path: Path) -> None:
    """Refuse a file above the size limit before reading it (a missing file passes here)."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # reading it reports the problem
    check_size(size, str(path))


def check_yaml(text: str, file: str = "<input>") -> None:
    """Refuse ``text`` when it is too large, nests too deep, expands too far through aliases,
    refers to itself or writes a count in a YAML 1.1 non-decimal form.

    Syntax errors are left to the loader, which reports them with their line.

    Raises
    ------
    InputError
        Naming the file and the line where the limit is passed.

    Examples
    --------
    >>> check_yaml("a: &x [1, 2]\\nb: *x\\n")
    >>> check_yaml("a: &x [*x]\\n", "f.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    detente.errors.InputError: f.yaml:1: alias *x refers to the collection it is in ...
    >>> check_yaml("n: 0x10\\n", "f.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    detente.errors.InputError: f.yaml:1: '0x10' is a hexadecimal number in YAML 1.1; ...
    """
    check_size(len(text.encode("utf-8", "surrogatepass")), file)
    # Each open collection: [anchor or None, expanded size so far].
    stack: list[list] = []
    sizes: dict[str, int] = {}
    total = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            line = event.start_mark.line + 1 if event.start_mark else None
            if isinstance(event, yaml.AliasEvent):
                if any(frame[0] == event.anchor for frame in stack):
                    raise InputError(
                        f"alias *{event.anchor} refers to the collection it is in "
                        "(a recursive document)",
                        file=file,
                        line=line,
                    )
                size = sizes.get(event.anchor, 1)
            elif isinstance(event, yaml.CollectionStartEvent):
                stack.append([event.anchor, 1])
                if len(stack) > MAX_YAML_DEPTH:
                    raise InputError(
                        f"the document nests deeper than {MAX_YAML_DEPTH} levels",
                        file=file,
                        line=line,
                    )
                size = 0
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, size = stack.pop()
                if anchor is not None:
                    sizes[anchor] = size
                if stack:
                    stack[-1][1] += size
                continue
            elif isinstance(event, yaml.ScalarEvent):
                _check_scalar(event, file, line)
                if event.anchor is not None:
                    sizes[event.anchor] = 1
                size = 1
            else:
                continue
            total += max(size, 1)
            if stack:
                stack[-1][1] += size
            if total > MAX_YAML_NODES:
                raise InputError(
                    f"the document expands to more than {MAX_YAML_NODES:,} values "
                    "(through aliases or sheer size)",
                    file=file,
                    line=line,
                )
    except yaml.YAMLError as exc:
        if "nesting depth" in str(exc):  # libyaml's own limit, met before the events
            mark = getattr(exc, "problem_mark", None)
            raise InputError(
                f"the document nests deeper than {MAX_YAML_DEPTH} levels",
                file=file,
                line=mark.line + 1 if mark else None,
            ) from None
        return  # the loader reports other syntax errors with their line and field


def _check_scalar(event: yaml.ScalarEvent, file: str, line: int | None) -> None:
    bad = CONTROL.search(event.value)
    if bad:
        raise InputError(
            f"a value holds the control character U+{ord(bad.group()):04X} (a terminal escape "
            "or similar); remove it",
            file=file,
            line=line,
        )
    plain = not event.style and event.implicit[0]
    if plain and _NON_DECIMAL.match(event.value):
        raise InputError(
            f"{event.value!r} is {_number_kind(event.value)} number in YAML 1.1; "
            "write the number in decimal, or quote it if it is text",
            file=file,
            line=line,
        )
