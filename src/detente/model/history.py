"""The history tables: one estimate per state, year, quantity, producer and edition.

``data/history/*.csv`` hold, one row each, a value of one quantity (:data:`QUANTITIES`) for one
state and year, with the ``producer`` (FAS, Suh, SIPRI, NNSA), the ``edition`` it was read in
(the year of the publication), its ``source`` ids (``;``-separated, into ``data/sources*.yaml``),
an optional ``via`` (where the table was read), the ``status`` and a ``note``. A newer edition
does not overwrite an older one: both rows are kept. The validation follows the forces: a bad
row is one clear error naming the file, the line and the field.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from detente.errors import InputError
from detente.model.catalog import DATA_DIR, sources
from detente.model.provenance import Status

HISTORY_DIR = DATA_DIR / "history"
COLUMNS: tuple[str, ...] = (
    "party",
    "year",
    "quantity",
    "value",
    "producer",
    "edition",
    "source",
    "via",
    "status",
    "note",
)
#: Quantity -> (label, unit). Warhead counts are whole numbers; EMT is in megatons.
QUANTITIES: dict[str, tuple[str, str]] = {
    "stockpile": ("stockpile (warheads assigned to forces; retired excluded)", "warheads"),
    "deployed_strategic": ("deployed strategic warheads", "warheads"),
    "deployed_non_strategic": ("deployed non-strategic warheads", "warheads"),
    "reserve": ("reserve (non-deployed) warheads", "warheads"),
    "retired": ("retired warheads awaiting dismantlement", "warheads"),
    "inventory": ("total inventory (stockpile + retired)", "warheads"),
    "first_strike": ("strategic warheads deliverable in a first strike", "warheads"),
    "emt": ("equivalent megatonnage of the first-strike warheads", "Mt EMT"),
}
#: Party code -> name, in the order tables and charts list them.
PARTY_NAMES: dict[str, str] = {
    "US": "United States",
    "RU": "Russia",
    "CN": "China",
    "FR": "France",
    "UK": "United Kingdom",
    "IN": "India",
    "PK": "Pakistan",
    "IL": "Israel",
    "KP": "North Korea",
    "ZA": "South Africa",
}
FIRST_YEAR, LAST_YEAR = 1945, 2030


class HistoryValue(BaseModel):
    """One value of the history tables.

    Attributes
    ----------
    party : str
        Code of :data:`PARTY_NAMES`.
    year : int
        Year the value is for (early in the year for FAS and SIPRI; see ``note``).
    quantity : str
        Key of :data:`QUANTITIES`.
    value : float
        In the quantity's unit; a count is a whole number, never negative.
    producer : str
        Who made the estimate or declaration (``FAS``, ``Suh``, ``SIPRI``, ``NNSA``).
    edition : int
        Year of the edition the value was read in.
    source : tuple of str
        Source ids of the producer's publication.
    via : str or None
        Source id of where the table was read (a preparer), if not the publication.
    status : {'official', 'estimate', 'derived', 'assumption'}
    note : str or None
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    party: str
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    quantity: str
    value: float = Field(ge=0)
    producer: str = Field(min_length=1)
    edition: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    source: tuple[str, ...] = Field(min_length=1)
    via: str | None = None
    status: Status
    note: str | None = None

    @field_validator("party")
    @classmethod
    def _known_party(cls, v: str) -> str:
        if v not in PARTY_NAMES:
            raise ValueError(f"unknown party {v!r}; known: {', '.join(PARTY_NAMES)}")
        return v

    @field_validator("quantity")
    @classmethod
    def _known_quantity(cls, v: str) -> str:
        if v not in QUANTITIES:
            raise ValueError(f"unknown quantity {v!r}; known: {', '.join(QUANTITIES)}")
        return v

    @field_validator("source", mode="before")
    @classmethod
    def _split(cls, v: Any) -> Any:
        return tuple(s.strip() for s in v.split(";") if s.strip()) if isinstance(v, str) else v

    @field_validator("value")
    @classmethod
    def _whole_counts(cls, v: float, info: Any) -> float:
        quantity = info.data.get("quantity")
        if quantity in QUANTITIES and QUANTITIES[quantity][1] == "warheads" and v != int(v):
            raise ValueError(f"a count of warheads must be a whole number; got {v:g}")
        return v

    @property
    def key(self) -> tuple[str, int, str, str, int]:
        """(party, year, quantity, producer, edition): unique across the tables."""
        return (self.party, self.year, self.quantity, self.producer, self.edition)


def _row_error(path: Path, line: int, exc: ValidationError) -> InputError:
    err = exc.errors(include_url=False)[0]
    field = str(err["loc"][0]) if err["loc"] else None
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        msg = "required value is missing"
    return InputError(msg, file=path, line=line, field=field)


def read_history_csv(path: str | Path) -> tuple[HistoryValue, ...]:
    """Validate one history table.

    Parameters
    ----------
    path : str or Path
        A CSV with the header :data:`COLUMNS`.

    Returns
    -------
    tuple of HistoryValue

    Raises
    ------
    InputError
        Naming file, line and field: a missing or unknown column, a bad value, an unknown
        source id, or a (party, year, quantity, producer, edition) given twice.
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            header = list(reader.fieldnames or [])
            rows = list(reader)
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read file: {exc}", file=path) from None
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        what = f"missing column(s) {', '.join(missing)}" if missing else ""
        what += ("; " if what else "") + (
            f"unknown column(s) {', '.join(unknown)}" if unknown else ""
        )
        raise InputError(what, file=path, line=1)
    known = sources()
    out: list[HistoryValue] = []
    for line, row in enumerate(rows, start=2):
        data = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in row.items()}
        if None in data:
            raise InputError("more cells than columns", file=path, line=line)
        try:
            value = HistoryValue.model_validate({k: v for k, v in data.items() if v is not None})
        except ValidationError as exc:
            raise _row_error(path, line, exc) from None
        for field, ids in (("source", value.source), ("via", (value.via,) if value.via else ())):
            for sid in ids:
                if sid not in known:
                    raise InputError(
                        f"unknown source id {sid!r} (see data/sources*.yaml)",
                        file=path,
                        line=line,
                        field=field,
                    )
        out.append(value)
    return tuple(out)


def history_files() -> list[Path]:
    """The bundled history tables, sorted."""
    return sorted(HISTORY_DIR.glob("*.csv"))


def read_history(paths: list[Path] | None = None) -> tuple[HistoryValue, ...]:
    """Every value of several tables, with keys unique across them.

    Raises
    ------
    InputError
        On the first bad row, or a key given twice (naming both places).
    """
    seen: dict[tuple, str] = {}
    out: list[HistoryValue] = []
    for path in history_files() if paths is None else paths:
        for line, value in enumerate(read_history_csv(path), start=2):
            if value.key in seen:
                raise InputError(
                    f"{'/'.join(map(str, value.key))} is given twice (also at {seen[value.key]})",
                    file=path,
                    line=line,
                    field="edition",
                )
            seen[value.key] = f"{Path(path).name}:{line}"
            out.append(value)
    return tuple(out)


@functools.cache
def bundled_history() -> tuple[HistoryValue, ...]:
    """The bundled history tables, validated once per process.

    Examples
    --------
    >>> values = bundled_history()
    >>> {v.value for v in values if v.key == ("US", 1945, "stockpile", "FAS", 2023)}
    {2.0}
    """
    return read_history()
