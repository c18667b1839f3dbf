"""Errors that name the file, line and field of bad input."""

from __future__ import annotations

import re
from pathlib import Path

#: Control characters other than tab and newline (C0, DEL and C1): a terminal acts on them.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` escapes, safe for a terminal.

    Examples
    --------
    >>> printable("ok\\x1b[31m")
    'ok\\\\x1b[31m'
    """
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class DetenteError(Exception):
    """Base class of every error the workbench reports to a user (CLI exit status 2)."""


class InputError(DetenteError):
    """Bad user input, located by file, line and field where they are known.

    Parameters
    ----------
    message : str
        What is wrong, in one sentence.
    file : str or Path, optional
        The file that holds the bad value.
    line : int, optional
        1-based line number in ``file``.
    field : str, optional
        Dotted path of the offending field, e.g. ``holdings.2.launchers.deployed``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or ("<input>" if self.line is not None else "")
        if self.line is not None:
            where += f":{self.line}"
        parts = [f"{where}:"] if where else []
        if self.field:
            parts.append(f"field '{self.field}':")
        parts.append(self.message)
        return " ".join(parts)
