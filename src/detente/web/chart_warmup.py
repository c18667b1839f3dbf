"""Imported once by the worker processes' forkserver (:data:`detente.web.workers.PRELOAD`):
draws each chart of the page for the default forces, so that plotly's lazily loaded validators
and the bundled data are in memory before any worker starts (a worker's first chart otherwise
costs seconds, past the time budget on a loaded machine). A failure here only loses the warm-up.
"""

from __future__ import annotations

import contextlib

#: The page state the warm-up draws (the page's default forces).
STATE = {"scenario": {"parties": [{"force": "us-2025"}, {"force": "ru-2025"}]}}


def warm() -> None:
    """Draw every chart kind once (errors ignored: the warm-up is an optimisation)."""
    from detente.web.charts import ChartIn, chart

    sweep = {"input": "parameters.de", "low": 0.5, "high": 1.0, "points": 2}
    for kind, extra in (("drawdown", {}), ("domain", {}), ("sweep", sweep), ("weapons", {})):
        with contextlib.suppress(Exception):
            chart(ChartIn.model_validate({"chart": kind, "state": STATE, **extra}))


warm()
