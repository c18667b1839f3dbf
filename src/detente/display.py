"""Short text and HTML renderings shared by every result (terminal, notebook).

A result class mixes in :class:`Display` and defines :meth:`Display.summary`, one sentence a
newcomer can read; ``repr`` is that sentence, and Jupyter shows it above the result's
``to_frame()`` table. Dataclass results declare ``repr=False`` so that this ``__repr__`` is
the one used.
"""

from __future__ import annotations

import html

#: Rows of ``to_frame()`` shown in a notebook.
HTML_ROWS = 30


class Display:
    """``repr`` and ``_repr_html_`` from :meth:`summary` and ``to_frame()``."""

    def summary(self) -> str:
        """One sentence that says what the result is and how to read it."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.summary()}>"

    def _repr_html_(self) -> str:
        frame = self.to_frame()  # type: ignore[attr-defined]
        table = frame.head(HTML_ROWS).to_html(float_format=lambda x: f"{x:,.4g}")
        return f"<p>{html.escape(self.summary())}</p>{table}"
