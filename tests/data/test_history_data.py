"""The history tables: every value sourced with its edition, the FAS and Suh series equal to
the preparer's tables where they overlap, totals that add up where the producer's categories
do, revisions kept side by side, and bad rows reported by file, line and field.

The preparer's tables (Our World in Data) are checked in verbatim under
``tests/data/history_owid/`` (copied from the team's research folder); the comparison reads
them with the csv module, independently of the loader.
"""

from __future__ import annotations

import csv
import filecmp
from pathlib import Path

import pytest

from detente.analysis.history import history, milestones
from detente.errors import InputError
from detente.model.catalog import load_force, sources, systems
from detente.model.history import (
    COLUMNS,
    PARTY_NAMES,
    bundled_history,
    history_files,
    read_history,
    read_history_csv,
)
from detente.model.provenance import STATUSES
from detente.model.treaties import load_treaty, treaty_names

OWID = Path(__file__).parent / "history_owid"
SHARED = Path("/work/shared/research/history")
#: The preparer's country names -> party codes.
NAMES = {name: code for code, name in PARTY_NAMES.items()}
CATEGORIES = ("deployed_strategic", "deployed_non_strategic", "reserve", "retired")


def owid_rows(name: str) -> list[dict[str, str]]:
    with (OWID / name).open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["country_name"] = " ".join(row["country_name"].split())
    return rows


def bundled(producer: str, edition: int, quantity: str) -> dict[tuple[str, int], float]:
    return {
        (v.party, v.year): v.value
        for v in bundled_history()
        if (v.producer, v.edition, v.quantity) == (producer, edition, quantity)
    }


# ------------------------------------------------------------------------------- provenance


def test_every_value_has_a_source_an_edition_and_a_status() -> None:
    known = sources()
    values = bundled_history()
    assert len(values) > 1500
    for v in values:
        assert v.source and all(s in known for s in v.source), v.key
        assert v.via is None or v.via in known, v.key
        assert 1945 <= v.edition <= 2026 and v.edition >= v.year - 1, v.key
        assert v.status in STATUSES, v.key
    assert {v.producer for v in values} == {"FAS", "Suh", "SIPRI", "NNSA"}
    assert {v.status for v in values if v.producer == "NNSA"} == {"official"}


def test_the_tables_are_validated_once_per_process() -> None:
    assert bundled_history() is bundled_history()
    assert [p.name for p in history_files()] == [
        "editions_2024_2025.csv",
        "fas_owid_2023.csv",
        "suh_2022.csv",
    ]


# ------------------------------------------------------------ against the preparer's tables


def test_the_checked_in_copy_is_the_research_folder_s() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the checked-in copy in {OWID} is compared instead")
    for name in (
        "fas_stockpiles_1945_2023.csv",
        "fas_inventories_2023.csv",
        "suh2022_forces_1945_2010.csv",
    ):
        assert filecmp.cmp(OWID / name, SHARED / name, shallow=False), name


def test_the_fas_stockpiles_equal_the_preparer_s_table_where_they_overlap() -> None:
    ours = bundled("FAS", 2023, "stockpile")
    theirs = {
        (NAMES[r["country_name"]], int(r["year"])): float(r["nuclear_weapons_stockpile"])
        for r in owid_rows("fas_stockpiles_1945_2023.csv")
        if r["country_name"] in NAMES
    }
    overlap = set(ours) & set(theirs)
    assert overlap == set(ours), "every bundled FAS 2023 value is in the preparer's table"
    assert {k: ours[k] for k in overlap} == {k: theirs[k] for k in overlap}
    # Left out: only the zeros before a state's first weapon.
    for (party, year), value in theirs.items():
        if (party, year) not in ours:
            assert value == 0 and year < min(y for p, y in ours if p == party), (party, year)
    assert {p for p, _ in ours} == set(PARTY_NAMES)
    assert min(y for p, y in ours if p == "US") == 1945
    assert sorted(y for p, y in ours if p == "ZA")[:1] == [1982]


def test_the_fas_inventories_equal_the_preparer_s_table() -> None:
    columns = {
        "nuclear_weapons_depl_strat": "deployed_strategic",
        "nuclear_weapons_depl_nonstrat": "deployed_non_strategic",
        "nuclear_weapons_reserve_nondepl": "reserve",
        "nuclear_weapons_retired": "retired",
        "nuclear_weapons_inventory": "inventory",
    }
    rows = owid_rows("fas_inventories_2023.csv")
    assert len(rows) == 18
    for column, quantity in columns.items():
        for edition in (2022, 2023):  # the 2022 row is the 2022 edition (see the script)
            theirs = {
                (NAMES[r["country_name"]], edition): float(r[column])
                for r in rows
                if int(r["year"]) == edition
            }
            assert bundled("FAS", edition, quantity) == theirs, (quantity, edition)


@pytest.mark.parametrize(
    ("column", "quantity"),
    [
        ("nuclear_warheads_stockpile", "stockpile"),
        ("nuclear_warheads_firststrike", "first_strike"),
        ("nuclwarh_firststr_yield", "emt"),
    ],
)
def test_suh_s_series_equal_the_preparer_s_table(column: str, quantity: str) -> None:
    theirs = {
        (NAMES[r["country_name"]], int(r["year"])): float(r[column])
        for r in owid_rows("suh2022_forces_1945_2010.csv")
        if r[column].strip()
    }
    assert bundled("Suh", 2022, quantity) == theirs
    assert len(theirs) > 300


# -------------------------------------------------------------------------- totals add up


def test_the_preparer_s_world_is_not_the_sum_of_the_states_so_it_is_left_out() -> None:
    """Our World in Data's 'World' row is a different measure (larger than the sum of the
    state stockpiles by thousands of warheads in most years), so the bundle leaves it out and
    never shows a world total that does not add up."""
    rows = owid_rows("fas_stockpiles_1945_2023.csv")
    world = {
        int(r["year"]): float(r["nuclear_weapons_stockpile"])
        for r in rows
        if r["country_name"] == "World"
    }
    states: dict[int, float] = {}
    for r in rows:
        if r["country_name"] in NAMES:
            year = int(r["year"])
            states[year] = states.get(year, 0.0) + float(r["nuclear_weapons_stockpile"])
    assert world[2000] - states[2000] == 10158
    assert world[1945] - states[1945] == 4
    assert "World" not in {v.party for v in bundled_history()}


def test_the_2023_edition_revises_the_2022_edition_s_early_2022_figures() -> None:
    """The preparer's inventory row for 2022 (FAS 2022 edition) beside the 2023 edition's
    stockpile series for 2022: China 350 -> 390, North Korea 20 -> 25."""
    old = bundled("FAS", 2022, "inventory")
    new = bundled("FAS", 2023, "stockpile")
    assert (old["CN", 2022], new["CN", 2022]) == (350.0, 390.0)
    assert (old["KP", 2022], new["KP", 2022]) == (20.0, 25.0)


def test_categories_add_up_to_the_inventory_and_the_stockpile_where_the_producer_gives_them():
    by_key: dict[tuple, dict[str, float]] = {}
    for v in bundled_history():
        by_key.setdefault((v.party, v.year, v.producer, v.edition), {})[v.quantity] = v.value
    four = three = 0
    for key, q in by_key.items():
        if all(c in q for c in CATEGORIES) and "inventory" in q:
            assert sum(q[c] for c in CATEGORIES) == q["inventory"], key
            four += 1
        if {"stockpile", "retired", "inventory"} <= set(q):
            assert q["stockpile"] + q["retired"] == q["inventory"], key
            three += 1
    # FAS 2022 and 2023 editions: 9 states each; FAS 2024 and 2025: the United States.
    assert four == 20
    # FAS 2023 (9 states, 2023), FAS 2024 (US, RU), FAS 2025 (US, RU, FR).
    assert three == 14
    # Russia 2024 and 2025: deployed strategic + reserve + retired (non-strategic in reserve).
    for year in (2024, 2025):
        q = by_key[("RU", year, "FAS", year)]
        assert q["deployed_strategic"] + q["reserve"] + q["retired"] == q["inventory"]


# ----------------------------------------------------------------------- newer editions


def test_the_newest_fas_stockpiles() -> None:
    df = history(quantity="stockpile", producer="FAS")
    latest = df.sort_values("year").groupby("party").last()
    found = {p: (int(r.year), r.value, int(r.edition)) for p, r in latest.iterrows()}
    assert found == {
        "US": (2025, 3700.0, 2025),
        "RU": (2025, 4309.0, 2025),
        "CN": (2025, 600.0, 2025),
        "FR": (2025, 290.0, 2025),
        "UK": (2024, 225.0, 2024),
        "IN": (2025, 180.0, 2025),
        "PK": (2025, 170.0, 2025),
        "IL": (2023, 90.0, 2023),
        "KP": (2024, 50.0, 2024),
        "ZA": (2023, 0.0, 2023),
    }


def test_the_official_declaration_sits_beside_the_estimate() -> None:
    df = history(party="US", quantity="stockpile")
    year = df[df.year == 2023].set_index("producer")
    assert (year.loc["FAS", "value"], year.loc["NNSA", "value"]) == (3708.0, 3748.0)
    assert year.loc["NNSA", "status"] == "official" and year.loc["FAS", "status"] == "estimate"


def _table(path: Path, rows: list[str]) -> Path:
    path.write_text(",".join(COLUMNS) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_revision_is_kept_beside_the_value_it_revises(tmp_path: Path) -> None:
    old = _table(tmp_path / "a.csv", ["KP,2023,stockpile,30,FAS,2023,fas-swnf-2023,,estimate,"])
    new = _table(tmp_path / "b.csv", ["KP,2023,stockpile,40,FAS,2024,fas-kp-2024,,estimate,x"])
    values = read_history([old, new])
    both = history(values=values, editions="all")
    assert list(zip(both.edition, both.value, strict=True)) == [(2023, 30.0), (2024, 40.0)]
    (latest,) = history(values=values).itertuples()
    assert (latest.edition, latest.value, latest.source) == (2024, 40.0, "fas-kp-2024")


# ---------------------------------------------------------------------------- bad rows

GOOD = "KP,2023,stockpile,30,FAS,2023,fas-swnf-2023,,estimate,"


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("XX,2023,stockpile,30,FAS,2023,fas-swnf-2023,,estimate,", "party", "unknown party"),
        ("KP,2023,warheads,30,FAS,2023,fas-swnf-2023,,estimate,", "quantity", "unknown quantity"),
        ("KP,2023,stockpile,30.5,FAS,2023,fas-swnf-2023,,estimate,", "value", "whole number"),
        ("KP,2023,stockpile,-1,FAS,2023,fas-swnf-2023,,estimate,", "value", "greater than"),
        ("KP,2023,stockpile,,FAS,2023,fas-swnf-2023,,estimate,", "value", "missing"),
        ("KP,2023,stockpile,30,FAS,,fas-swnf-2023,,estimate,", "edition", "missing"),
        ("KP,2023,stockpile,30,FAS,2023,,,estimate,", "source", "missing"),
        ("KP,2023,stockpile,30,FAS,2023,no-such-id,,estimate,", "source", "unknown source"),
        ("KP,2023,stockpile,30,FAS,2023,fas-swnf-2023,nope,estimate,", "via", "unknown source"),
        ("KP,2023,stockpile,30,FAS,2023,fas-swnf-2023,,guess,", "status", "official"),
        ("KP,1800,stockpile,30,FAS,2023,fas-swnf-2023,,estimate,", "year", "greater than"),
    ],
)
def test_a_bad_row_is_one_located_error(tmp_path, row, field, message) -> None:
    path = _table(tmp_path / "bad.csv", [GOOD, row])
    with pytest.raises(InputError, match=message) as err:
        read_history_csv(path)
    assert (err.value.file, err.value.line, err.value.field) == (str(path), 3, field)
    assert "\n" not in str(err.value)


def test_a_value_given_twice_names_both_places(tmp_path) -> None:
    a = _table(tmp_path / "a.csv", [GOOD])
    b = _table(tmp_path / "b.csv", [GOOD.replace(",30,", ",31,")])
    with pytest.raises(InputError, match=r"given twice \(also at a.csv:2\)") as err:
        read_history([a, b])
    assert (err.value.file, err.value.line) == (str(b), 2)


def test_a_missing_column_is_named(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("party,year,quantity,value\nKP,2023,stockpile,30\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"missing column.*producer") as err:
        read_history_csv(path)
    assert err.value.line == 1


# ------------------------------------------------------------ milestones, forces, systems


def test_milestones_are_the_treaty_files_dates() -> None:
    events = milestones()
    for tid in treaty_names():
        treaty = load_treaty(tid)
        given = (treaty.signed, treaty.entered_into_force, treaty.expired, treaty.withdrawn)
        assert set(events[events.treaty == tid].date.dt.date) == {d for d in given if d}, tid
    inf = events[events.treaty == "inf"].set_index("event")
    assert str(inf.loc["withdrawal (US)", "date"].date()) == "2019-08-02"
    start2 = events[events.treaty == "start-ii"].set_index("event")
    assert str(start2.loc["withdrawal (RU)", "date"].date()) == "2002-06-14"


@pytest.mark.parametrize(
    ("force", "producer"),
    [("in-2025", "FAS"), ("pk-2025", "FAS"), ("il-2025", "SIPRI"), ("kp-2025", "SIPRI")],
)
def test_the_new_forces_totals_are_the_history_s_2025_values(force: str, producer: str) -> None:
    f = load_force(force)
    row = history(party=f.party, quantity="stockpile", producer=producer)
    assert f.stockpile.total == row[row.year == 2025].value.item()
    assert not f.holdings_known and f.holdings == ()


def test_systems_of_other_states_come_from_their_own_file() -> None:
    agni = systems()["agni-v"]
    assert (agni.party, agni.category, agni.range_km) == ("IN", "icbm", 5500)
    assert agni.provenance["range_km"].status == "estimate"
