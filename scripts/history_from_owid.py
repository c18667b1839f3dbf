"""Regenerate the bundled FAS 2023 and Suh history tables from the preparer's files.

    python scripts/history_from_owid.py [FOLDER]

FOLDER holds Our World in Data's ``fas_stockpiles_1945_2023.csv``,
``fas_inventories_2023.csv`` and ``suh2022_forces_1945_2010.csv`` (default: the checked-in copy
in ``tests/data/history_owid/``). Writes ``src/detente/data/history/fas_owid_2023.csv`` and
``suh_2022.csv`` in the long format of ``detente.model.history`` (one row per state, year and
quantity). Rules, so that nothing is invented:

* a blank cell of the preparer's file gives no row (the producer gives no figure);
* FAS stockpiles: a state's rows start at its first non-zero year (the zeros before it only say
  that the state had not yet built a weapon); zeros after it are kept (South Africa after 1990);
* ``World`` rows are left out: the preparer's World is not the sum of the state stockpiles
  (it is larger by up to about 12,500 warheads), so it is a different measure;
* the inventories' 2022 row is the FAS 2022 edition (its values are FAS's early-2022 estimates,
  e.g. China 350, North Korea 20, which the 2023 edition's stockpile series revises to 390
  and 25); the 2023 row is the 2023 edition.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "detente" / "data" / "history"
PARTIES = {
    "United States": "US",
    "Russia": "RU",
    "United Kingdom": "UK",
    "France": "FR",
    "China": "CN",
    "Israel": "IL",
    "India": "IN",
    "Pakistan": "PK",
    "North Korea": "KP",
    "South Africa": "ZA",
}
COLUMNS = ("party", "year", "quantity", "value", "producer", "edition", "source", "via", "status")
FAS = {"producer": "FAS", "edition": "2023", "source": "fas-swnf-2023", "via": "owid-fas-2023"}
FAS_2022 = {**FAS, "edition": "2022", "source": "fas-swnf-2022"}
SUH = {"producer": "Suh", "edition": "2022", "source": "suh-2022", "via": "owid-suh-2023"}
INVENTORY_COLUMNS = {
    "nuclear_weapons_depl_strat": "deployed_strategic",
    "nuclear_weapons_depl_nonstrat": "deployed_non_strategic",
    "nuclear_weapons_reserve_nondepl": "reserve",
    "nuclear_weapons_retired": "retired",
    "nuclear_weapons_inventory": "inventory",
}
SUH_COLUMNS = {
    "nuclear_warheads_stockpile": "stockpile",
    "nuclear_warheads_firststrike": "first_strike",
    "nuclwarh_firststr_yield": "emt",
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["country_name"] = " ".join(row["country_name"].split())  # 'North  Korea'
    return [r for r in rows if r["country_name"] in PARTIES]


def _number(text: str) -> str:
    """The number as written, a leading dot made explicit (``.117`` -> ``0.117``)."""
    return "0" + text if text.startswith(".") else text


def fas_rows(folder: Path) -> list[dict[str, str]]:
    """Stockpiles 1945-2023 and inventories by category 2022-2023 (FAS, 2023 edition)."""
    out = []
    started: set[str] = set()
    for row in sorted(_rows(folder / "fas_stockpiles_1945_2023.csv"), key=lambda r: int(r["year"])):
        party, value = PARTIES[row["country_name"]], row["nuclear_weapons_stockpile"].strip()
        if not value or (party not in started and float(value) == 0):
            continue
        started.add(party)
        out.append(
            {
                "party": party,
                "year": row["year"],
                "quantity": "stockpile",
                "value": _number(value),
                **FAS,
                "status": "estimate",
            }
        )
    for row in _rows(folder / "fas_inventories_2023.csv"):
        edition = FAS_2022 if row["year"] == "2022" else FAS
        for column, quantity in INVENTORY_COLUMNS.items():
            if value := row[column].strip():
                out.append(
                    {
                        "party": PARTIES[row["country_name"]],
                        "year": row["year"],
                        "quantity": quantity,
                        "value": _number(value),
                        **edition,
                        "status": "estimate",
                    }
                )
    return out


def suh_rows(folder: Path) -> list[dict[str, str]]:
    """Stockpile, first-strike warheads and their EMT per state and year to 2010 (Suh v1)."""
    out = []
    for row in _rows(folder / "suh2022_forces_1945_2010.csv"):
        for column, quantity in SUH_COLUMNS.items():
            if value := row[column].strip():
                out.append(
                    {
                        "party": PARTIES[row["country_name"]],
                        "year": row["year"],
                        "quantity": quantity,
                        "value": _number(value),
                        **SUH,
                        "status": "estimate",
                    }
                )
    return out


def write(rows: list[dict[str, str]], path: Path) -> None:
    rows = sorted(rows, key=lambda r: (r["quantity"], r["party"], int(r["year"])))
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=[*COLUMNS, "note"], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "note": ""})


def main(folder: Path) -> None:
    write(fas_rows(folder), OUT / "fas_owid_2023.csv")
    write(suh_rows(folder), OUT / "suh_2022.csv")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "history_owid")
