"""The New START aggregate data-exchange series (2011-2025) as a table.

The bundled ``data/newstart_aggregates.csv`` holds, for each exchange date and party, the three
central-limit counts declared under New START: deployed ICBMs, SLBMs and heavy bombers
(limit 700), warheads counted on them (limit 1,550) and deployed plus non-deployed launchers
(limit 800). ``source`` holds ``;``-separated ids into ``data/sources*.yaml``. An empty count
is never zero: the row's ``gap`` says why it is empty, ``not published`` (the party never
released it: Russia from March 2023) or ``not found`` (released, or possibly released, but not
found in the sources consulted); see ``docs/data.md``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from detente.errors import InputError
from detente.model.catalog import DATA_DIR

NEWSTART_CSV = DATA_DIR / "newstart_aggregates.csv"
COUNT_COLUMNS: tuple[str, ...] = ("deployed_launchers", "deployed_warheads", "total_launchers")
COLUMNS: tuple[str, ...] = ("date", "party", *COUNT_COLUMNS, "source", "status", "gap", "notes")
#: Why a count is empty: the party never released it, or it was not found.
NOT_PUBLISHED = "not published"
NOT_FOUND = "not found"
GAPS: tuple[str, ...] = (NOT_PUBLISHED, NOT_FOUND)


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
        the three counts [count] as nullable integers (``<NA>``: no figure, never zero),
        ``source`` (``;``-separated source ids), ``status``, ``gap`` (why the row's empty counts
        are empty: one of :data:`GAPS`, ``""`` when none is) and ``notes`` (strings, ``""`` when
        empty).

    Raises
    ------
    InputError
        If the file is missing or lacks a column, or a row has an empty count without a ``gap``
        (or a ``gap`` without an empty count); the error names the line.

    Examples
    --------
    >>> df = newstart_history()
    >>> row = df[(df.date == "2020-09-01") & (df.party == "US")].iloc[0]
    >>> [int(row[c]) for c in COUNT_COLUMNS]
    [675, 1457, 800]
    >>> int(df.loc[df.party == "RU", "deployed_warheads"].max())
    1796
    >>> ru = df[(df.date == "2023-03-01") & (df.party == "RU")].iloc[0]
    >>> ru["deployed_warheads"] is pd.NA, ru["gap"]
    (True, 'not published')
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
    for line, (_, row) in enumerate(df.iterrows(), start=2):
        _check_gap(row, path, line)
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    for column in COUNT_COLUMNS:
        df[column] = pd.to_numeric(df[column].replace("", None)).astype("Int64")
    return df.reset_index(drop=True)


def _check_gap(row: pd.Series, path: Path, line: int) -> None:
    """An empty count needs a ``gap`` that says why; a ``gap`` needs an empty count."""
    empty = [c for c in COUNT_COLUMNS if not row[c].strip()]
    gap = row["gap"].strip()
    if gap and gap not in GAPS:
        raise InputError(
            f"gap {gap!r} is not one of: {', '.join(GAPS)}", file=path, line=line, field="gap"
        )
    if empty and not gap:
        raise InputError(
            f"{', '.join(empty)} empty without a gap ({' or '.join(GAPS)}): a missing figure "
            "is never zero",
            file=path,
            line=line,
            field="gap",
        )
    if gap and not empty:
        raise InputError(
            f"gap {gap!r} given but every count is filled", file=path, line=line, field="gap"
        )
