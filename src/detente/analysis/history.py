"""The New START aggregate data-exchange series (2011-2023) as a table.

The bundled ``data/newstart_aggregates.csv`` holds, for each exchange date and party, the three
central-limit counts declared under New START: deployed ICBMs, SLBMs and heavy bombers
(limit 700), warheads counted on them (limit 1,550) and deployed plus non-deployed launchers
(limit 800). ``source`` holds ``;``-separated ids into ``data/sources.yaml``; an empty count
means the figure was not found in the sources consulted (see ``docs/data.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from detente.errors import InputError
from detente.model.catalog import DATA_DIR

if TYPE_CHECKING:
    from detente.model.history import HistoryValue

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


#: Columns of :func:`history`.
HISTORY_COLUMNS: tuple[str, ...] = (
    "party",
    "state",
    "year",
    "quantity",
    "value",
    "unit",
    "producer",
    "edition",
    "source",
    "via",
    "status",
    "note",
)
#: Treaty date field -> the event it marks on a timeline.
MILESTONE_FIELDS: tuple[tuple[str, str], ...] = (
    ("signed", "signed"),
    ("entered_into_force", "entered into force"),
    ("expired", "ended"),
    ("withdrawn", "withdrawal"),
)
#: Word for the end of a treaty by its status.
END_WORDS = {"expired": "expired", "superseded": "superseded", "terminated": "terminated"}


def _choose(given: str | list[str] | None, known: list[str], what: str) -> list[str] | None:
    """The given names (case-insensitive), checked against ``known``; None: all."""
    if given is None:
        return None
    names = [given] if isinstance(given, str) else list(given)
    by_fold = {k.casefold(): k for k in known}
    out = []
    for name in names:
        if name.casefold() not in by_fold:
            raise InputError(f"unknown {what} {name!r}; known: {', '.join(known)}", field=what)
        out.append(by_fold[name.casefold()])
    return out


def history(
    party: str | list[str] | None = None,
    quantity: str | list[str] | None = None,
    producer: str | list[str] | None = None,
    editions: str = "latest",
    values: Iterable[HistoryValue] | None = None,
) -> pd.DataFrame:
    """The nuclear forces of every state over time, one row per value with its provenance.

    Parameters
    ----------
    party : str or list of str, optional
        Party codes (``US``, ``RU``, ``CN``, ``FR``, ``UK``, ``IN``, ``PK``, ``IL``, ``KP``,
        ``ZA``); all by default.
    quantity : str or list of str, optional
        Keys of :data:`detente.model.history.QUANTITIES`; all by default.
    producer : str or list of str, optional
        ``FAS``, ``Suh``, ``SIPRI`` or ``NNSA``; all by default.
    editions : {'latest', 'all'}
        ``latest``: per state, year, quantity and producer, the value of the newest edition;
        ``all``: every edition (revisions side by side).
    values : iterable of HistoryValue, optional
        The values to select from (:func:`detente.model.history.read_history` of other
        tables); the bundled tables by default.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HISTORY_COLUMNS`: ``value`` in ``unit`` (warheads, or Mt EMT),
        ``edition`` the year of the publication, ``source`` ``;``-separated source ids, ``via``
        where the table was read ("" if at the producer), ``status`` and ``note``.

    Raises
    ------
    InputError
        For an unknown party, quantity, producer or editions choice.

    Examples
    --------
    >>> df = history(party="IN", quantity="stockpile", producer="FAS")
    >>> recent = df[df.year >= 2022]
    >>> list(zip(recent.year, recent.value, recent.edition))
    [(2022, 160.0, 2023), (2023, 164.0, 2023), (2024, 172.0, 2024), (2025, 180.0, 2025)]
    >>> sorted(history(quantity="stockpile", producer="FAS").party.unique())
    ['CN', 'FR', 'IL', 'IN', 'KP', 'PK', 'RU', 'UK', 'US', 'ZA']
    """
    from detente.model.history import PARTY_NAMES, QUANTITIES, bundled_history

    if editions not in ("latest", "all"):
        raise InputError(f"editions must be 'latest' or 'all'; got {editions!r}", field="editions")
    values = bundled_history() if values is None else tuple(values)
    parties = _choose(party, list(PARTY_NAMES), "party")
    quantities = _choose(quantity, list(QUANTITIES), "quantity")
    producers = _choose(producer, sorted({v.producer for v in values}), "producer")
    rows = [
        {
            "party": v.party,
            "state": PARTY_NAMES[v.party],
            "year": v.year,
            "quantity": v.quantity,
            "value": v.value,
            "unit": QUANTITIES[v.quantity][1],
            "producer": v.producer,
            "edition": v.edition,
            "source": ";".join(v.source),
            "via": v.via or "",
            "status": v.status,
            "note": v.note or "",
        }
        for v in values
        if (parties is None or v.party in parties)
        and (quantities is None or v.quantity in quantities)
        and (producers is None or v.producer in producers)
    ]
    df = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
    if editions == "latest" and not df.empty:
        newest = df.groupby(["party", "year", "quantity", "producer"])["edition"].transform("max")
        df = df[df["edition"] == newest]
    order = {p: i for i, p in enumerate(PARTY_NAMES)}
    qorder = {q: i for i, q in enumerate(QUANTITIES)}
    df = df.sort_values(
        ["quantity", "party", "year", "producer", "edition"],
        key=lambda s: (
            s.map(order) if s.name == "party" else (s.map(qorder) if s.name == "quantity" else s)
        ),
    )
    return df.astype({"year": "int64", "edition": "int64", "value": "float64"}).reset_index(
        drop=True
    )


def milestones() -> pd.DataFrame:
    """Signature, entry into force and end of every bundled treaty, from the treaty files.

    Returns
    -------
    pandas.DataFrame
        One row per event: ``treaty`` (id), ``name``, ``event`` (``signed``, ``entered into
        force``, ``expired``/``superseded``/``terminated``, ``withdrawal (PARTY)``), ``date``
        (datetime64), ``note`` and ``source`` (``;``-separated ids), sorted by date.

    Examples
    --------
    >>> m = milestones()
    >>> m[m.treaty == "new-start"][["event", "date"]].astype(str).values.tolist()
    [['signed', '2010-04-08'], ['entered into force', '2011-02-05'], ['expired', '2026-02-05']]
    """
    from detente.model.treaties import load_treaty, treaty_names

    rows = []
    for tid in treaty_names():
        treaty = load_treaty(tid)
        for field, event in MILESTONE_FIELDS:
            date = getattr(treaty, field)
            if date is None:
                continue
            if field == "expired":
                event = END_WORDS.get(treaty.status, "ended")
            elif field == "withdrawn" and treaty.withdrawn_by:
                event = f"withdrawal ({treaty.withdrawn_by})"
            prov = treaty.provenance.get(field)
            rows.append(
                {
                    "treaty": tid,
                    "name": treaty.name,
                    "event": event,
                    "date": pd.Timestamp(date),
                    "note": (prov.note if prov else None) or "",
                    "source": ";".join(prov.source) if prov else "",
                }
            )
    df = pd.DataFrame(rows, columns=["treaty", "name", "event", "date", "note", "source"])
    return df.sort_values(["date", "treaty"], kind="stable").reset_index(drop=True)


def history_payload(frame: pd.DataFrame, events: pd.DataFrame | None = None) -> dict:
    """Plain data of a history selection for JSON: rows, quantities, states, sources, events.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`history`.
    events : pandas.DataFrame, optional
        From :func:`milestones`.

    Returns
    -------
    dict
        ``rows`` (one dict per value, ``source`` a list of ids, ``via`` an id or None),
        ``quantities`` (key -> label and unit, those in the rows), ``states`` (code -> name),
        ``sources`` (id -> one-line reference of every id cited), and ``milestones`` (dates as
        ``YYYY-MM-DD``) when ``events`` is given.

    Examples
    --------
    >>> p = history_payload(history(party="KP", quantity="stockpile", producer="FAS"))
    >>> [(r["year"], r["value"], r["edition"]) for r in p["rows"]][-2:]
    [(2023, 30, 2023), (2024, 50, 2024)]
    >>> sorted(p["sources"])
    ['fas-kp-2024', 'fas-swnf-2023', 'owid-fas-2023']
    """
    from detente.model.catalog import sources
    from detente.model.history import PARTY_NAMES, QUANTITIES

    rows = []
    for r in frame.to_dict(orient="records"):
        value = float(r["value"])
        rows.append(
            {
                **r,
                "year": int(r["year"]),
                "edition": int(r["edition"]),
                "value": int(value) if r["unit"] == "warheads" else value,
                "source": [s for s in r["source"].split(";") if s],
                "via": r["via"] or None,
                "note": r["note"] or None,
            }
        )
    cited = sorted({s for r in rows for s in r["source"]} | {r["via"] for r in rows if r["via"]})
    known = sources()
    out: dict = {
        "quantities": {
            q: {"label": QUANTITIES[q][0], "unit": QUANTITIES[q][1]}
            for q in QUANTITIES
            if q in set(frame["quantity"])
        },
        "states": {p: PARTY_NAMES[p] for p in PARTY_NAMES if p in set(frame["party"])},
        "rows": rows,
        "sources": {
            s: ", ".join(
                x for x in (known[s].publisher, known[s].title, str(known[s].date or "")) if x
            )
            for s in cited
            if s in known
        },
    }
    if events is not None:
        out["milestones"] = [
            {**e, "date": e["date"].strftime("%Y-%m-%d"), "source": e["source"].split(";")}
            for e in events.to_dict(orient="records")
        ]
    return out
