"""The New START aggregate data-exchange series (2011-2023) as a table.

The bundled ``data/newstart_aggregates.csv`` holds, for each exchange date and party, the three
central-limit counts declared under New START: deployed ICBMs, SLBMs and heavy bombers
(limit 700), warheads counted on them (limit 1,550) and deployed plus non-deployed launchers
(limit 800). ``source`` holds ``;``-separated ids into ``data/sources.yaml``; an empty count
means the figure was not found in the sources consulted (see ``docs/data.md``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from detente.errors import InputError
from detente.model.catalog import DATA_DIR

NEWSTART_CSV = DATA_DIR / "newstart_aggregates.csv"
COUNT_COLUMNS: tuple[str, ...] = ("deployed_launchers", "deployed_warheads", "total_launchers")
COLUMNS: tuple[str, ...] = ("date", "party", *COUNT_COLUMNS, "source", "status", "notes")


def newstart_history(path: str | Path = NEWSTART_CSV) -> pd.DataFrame:
    """Load the New START aggregate series.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with the columns of :data:`COLUMNS`; the bundled series by default.

    Returns
    -------
    pandas.DataFrame
        One row per (``date``, ``party``): ``date`` (datetime64), ``party`` (``US``/``RU``),
        the three counts [count] as nullable integers (``<NA>``: not found), ``source``
        (``;``-separated source ids), ``status`` and ``notes`` (strings, ``""`` when empty).

    Raises
    ------
    InputError
        If the file is missing or lacks a column.

    Examples
    --------
    >>> df = newstart_history()
    >>> row = df[(df.date == "2020-09-01") & (df.party == "US")].iloc[0]
    >>> [int(row[c]) for c in COUNT_COLUMNS]
    [675, 1457, 800]
    >>> int(df.loc[df.party == "RU", "deployed_warheads"].max())
    1796
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"missing column(s): {', '.join(missing)}", file=path, line=1)
    df = df[list(COLUMNS)].copy()
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    for column in COUNT_COLUMNS:
        df[column] = pd.to_numeric(df[column].replace("", None)).astype("Int64")
    return df.reset_index(drop=True)
