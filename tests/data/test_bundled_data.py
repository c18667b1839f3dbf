"""The bundled datasets: they load, every number is sourced, and the key totals hold.

Oracle figures are typed in from their sources:
* New START, data as of 2020-09-01: US State Department fact sheet of 2020-12-01 (675 deployed
  launchers, 1,457 deployed warheads, 800 launchers).
* FAS deployed warheads by leg: Russia 2022 (812 ICBM, 576 SLBM, about 200 bomber; Kristensen &
  Korda, Bulletin 78:2), Russia 2025 (870, 640, 200; Bulletin 81:3), US 2025 (400, 970, 300;
  Bulletin 81:1).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from detente.analysis.history import COUNT_COLUMNS, NEWSTART_CSV, newstart_history
from detente.model.catalog import (
    DATA_DIR,
    FORCES_DIR,
    force_names,
    iter_source_refs,
    load_force,
    sources,
    system_table,
    systems,
)
from detente.model.force import Force, Holding, System
from detente.model.provenance import STATUSES, Provenance, Sourced
from detente.model.yamlio import load_yaml

RESEARCH_CSV = Path("/work/shared/research/newstart_aggregates.csv")
EXPECTED_FORCES = {
    "us-2020-09-01",
    "us-2022-03-01",
    "ru-2022-03-01",
    "us-2025",
    "ru-2025",
    "cn-2025",
    "uk-2025",
    "fr-2025",
}
#: Forces the open literature gives as warhead totals only (no launchers per system).
TOTALS_ONLY = {"in-2025", "pk-2025", "il-2025", "kp-2025"}
#: Sources files of other datasets (treaties, verification) are checked by their owners.
OWN_FILES = ("sources.yaml", "systems.yaml", "forces")


def provenance_problems(model: Sourced, known: set[str]) -> Iterator[str]:
    """Every number of ``model`` that breaks the data conventions, as a message.

    A number needs a status and at least one known source id; a missing figure (``None``)
    needs a note saying why.
    """
    for path, value, prov in model.sourced_values():
        if value is None:
            if prov is None or not prov.note:
                yield f"{path}: null figure without a note"
            continue
        if prov is None:
            yield f"{path}: {value} has no provenance"
            continue
        if prov.status not in STATUSES:
            yield f"{path}: {value} has no status"
        if not prov.source:
            yield f"{path}: {value} has no source id"
        yield from (f"{path}: unknown source id {s!r}" for s in prov.source if s not in known)
    for path, _, prov in model.sourced_values():
        if prov is not None and prov.status == "assumption" and not prov.note:
            yield f"{path}: assumption without a stated reason"


def bundled_forces() -> list[Force]:
    return [load_force(name) for name in force_names()]


def leg_warheads(force: Force) -> dict[str, float]:
    table = system_table(force)
    out: dict[str, float] = {}
    for h in force.holdings:
        category = table[h.system].category
        out[category] = out.get(category, 0.0) + h.deployed_warheads
    return out


# ----------------------------------------------------------------------------- loading


def test_every_bundled_file_loads() -> None:
    assert len(sources()) > 50
    assert len(systems()) >= 25
    assert set(force_names()) >= EXPECTED_FORCES
    assert set(force_names()) >= TOTALS_ONLY
    for force in bundled_forces():
        if force.name in TOTALS_ONLY:
            assert not force.holdings_known and force.stockpile.total, force.name
            assert force.stockpile.provenance["total"].source, force.name
        else:
            assert force.holdings, force.name
    assert len(newstart_history()) == 50


@pytest.mark.parametrize("name", sorted(EXPECTED_FORCES))
def test_force_is_named_by_its_file_and_holds_its_own_party(name: str) -> None:
    force = load_force(name)
    assert force.name == name == (FORCES_DIR / f"{name}.yaml").stem
    assert name.split("-")[0] == force.party.lower()
    assert str(force.as_of.year) in name
    table = system_table(force)
    for h in force.holdings:
        assert table[h.system].party == force.party, h.system


# ------------------------------------------------------------------------- provenance


def test_the_checker_catches_each_kind_of_bad_number() -> None:
    bad = Holding.model_validate(
        {
            "system": "x",
            "launchers": {"deployed": {"value": 3, "status": "estimate"}},
            "loading": {"value": None},
            "warheads": {"value": 4, "source": "no-such-id", "status": "estimate"},
            "alert": {"day_to_day": {"value": 0.1, "source": "kuett-2022", "status": "assumption"}},
        }
    )
    problems = "\n".join(provenance_problems(bad, set(sources())))
    assert "launchers.deployed: 3 has no source id" in problems
    assert "launchers.non_deployed: 0 has no provenance" in problems
    assert "loading: null figure without a note" in problems
    assert "unknown source id 'no-such-id'" in problems
    assert "alert.day_to_day: assumption without a stated reason" in problems


@pytest.mark.parametrize("system_id", sorted(systems()))
def test_every_system_number_is_sourced(system_id: str) -> None:
    assert list(provenance_problems(systems()[system_id], set(sources()))) == []


@pytest.mark.parametrize("name", sorted(EXPECTED_FORCES))
def test_every_force_number_is_sourced(name: str) -> None:
    assert list(provenance_problems(load_force(name), set(sources()))) == []


def _own_source_refs() -> set[str]:
    refs = {ref for _, ref in iter_source_refs(load_yaml(DATA_DIR / "systems.yaml").data)}
    for path in FORCES_DIR.glob("*.yaml"):
        refs |= {ref for _, ref in iter_source_refs(load_yaml(path).data)}
    with NEWSTART_CSV.open(newline="") as f:
        refs |= {s for row in csv.DictReader(f) for s in row["source"].split(";")}
    return refs


def test_every_source_in_the_bibliography_is_cited_and_complete() -> None:
    own = load_yaml(DATA_DIR / "sources.yaml").data["sources"]
    assert set(own) - _own_source_refs() == set(), "uncited sources"
    for sid, entry in own.items():
        assert entry.get("publisher") and entry.get("title"), sid
        assert entry.get("url") or sid == "detente-assumption", f"{sid} has no URL"


def test_source_ids_of_the_newstart_series_resolve() -> None:
    known = set(sources())
    for row in newstart_history().itertuples():
        ids = row.source.split(";")
        assert ids and set(ids) <= known, (row.date, row.party, ids)


# -------------------------------------------------------------------------- consistency


def _within_maximum(holding: Holding, system: System) -> bool:
    if system.max_loading is None or not holding.launchers.deployed:
        return True
    return holding.mean_loading <= system.max_loading


@pytest.mark.parametrize("name", sorted(EXPECTED_FORCES))
def test_loadings_are_within_system_maxima(name: str) -> None:
    force = load_force(name)
    table = system_table(force)
    for h in force.holdings:
        assert _within_maximum(h, table[h.system]), h.name


def test_loading_check_fails_above_the_maximum() -> None:
    mm3 = systems()["minuteman-iii"]
    over = Holding(system=mm3.id, launchers={"deployed": 10}, warheads=31)
    assert not _within_maximum(over, mm3)


def test_us_2020_09_01_counts_to_the_official_new_start_aggregates() -> None:
    """675 / 1,457 / 800, bombers counting one warhead each (State fact sheet, 2020-12-01)."""
    force = load_force("us-2020-09-01")
    table = system_table(force)
    deployed = launchers = warheads = 0.0
    for h in force.holdings:
        deployed += h.launchers.deployed
        launchers += h.launchers.deployed + h.launchers.non_deployed + h.launchers.test
        if table[h.system].category == "heavy_bomber":
            warheads += h.launchers.deployed
        else:
            warheads += h.deployed_warheads
    assert (deployed, warheads, launchers) == (675, 1457, 800)


def test_us_2022_03_01_reproduces_the_official_aggregates() -> None:
    """686 / 1,515 / 800 (Russian MFA publication of the 2022-03-01 notifications)."""
    force = load_force("us-2022-03-01")
    table = system_table(force)
    bombers = sum(
        h.launchers.deployed for h in force.holdings if table[h.system].category == "heavy_bomber"
    )
    missiles = sum(
        h.deployed_warheads for h in force.holdings if table[h.system].category != "heavy_bomber"
    )
    assert sum(h.launchers.deployed for h in force.holdings) == 686
    assert missiles + bombers == 1515
    assert sum(h.launchers.total for h in force.holdings) == 800


@pytest.mark.parametrize(
    ("name", "legs"),
    [
        ("ru-2022-03-01", {"icbm": 812, "slbm": 576, "heavy_bomber": 200}),
        ("ru-2025", {"icbm": 870, "slbm": 640, "heavy_bomber": 200}),
        ("us-2025", {"icbm": 400, "slbm": 970, "heavy_bomber": 300, "interceptor": 0}),
    ],
)
def test_per_system_warheads_add_up_to_the_fas_leg_totals(
    name: str, legs: dict[str, float]
) -> None:
    assert leg_warheads(load_force(name)) == pytest.approx(legs)


@pytest.mark.parametrize("name", sorted(EXPECTED_FORCES))
def test_alert_fractions_sit_on_survivable_holdings_only(name: str) -> None:
    force = load_force(name)
    table = system_table(force)
    for h in force.holdings:
        system = table[h.system]
        given = set(h.alert.provenance)
        if system.fixed or system.category == "interceptor":
            assert given == set(), f"{h.name}: a silo or interceptor cannot be on alert"
        else:
            assert given == {"day_to_day", "generated"}, f"{h.name}: alert fractions missing"


def test_stockpile_parts_add_up_where_all_are_given() -> None:
    for force in bundled_forces():
        s = force.stockpile
        if None not in (s.total, s.deployed, s.reserve):
            assert s.deployed + s.reserve == s.total, force.name


# ------------------------------------------------------------------------ New START CSV


#: Rows typed in from the cited releases (date, party) -> (deployed launchers, deployed
#: warheads, total launchers); None where the source gives nothing.
ORACLE_ROWS: dict[tuple[str, str], tuple[int | None, int | None, int | None]] = {
    ("2011-02-05", "US"): (882, 1800, 1124),
    ("2011-02-05", "RU"): (521, 1537, 865),
    ("2012-09-01", "US"): (None, 1722, None),
    ("2018-02-05", "RU"): (527, 1444, 779),
    ("2020-09-01", "US"): (675, 1457, 800),
    ("2020-09-01", "RU"): (510, 1447, 764),
    ("2022-03-01", "US"): (686, 1515, 800),
    ("2022-03-01", "RU"): (526, 1474, 761),
    ("2022-09-01", "US"): (None, None, None),
    ("2023-03-01", "US"): (662, 1419, 800),
    ("2023-03-01", "RU"): (None, None, None),
}


def _cells(row: Any) -> tuple[int | None, ...]:
    return tuple(None if row[c] is None or row[c] != row[c] else int(row[c]) for c in COUNT_COLUMNS)


def _history_rows() -> dict[tuple[str, str], tuple[int | None, ...]]:
    df = newstart_history().astype(object).where(lambda d: d.notna(), None)
    return {(r["date"].strftime("%Y-%m-%d"), r["party"]): _cells(r) for _, r in df.iterrows()}


def test_newstart_series_matches_the_typed_oracle_rows() -> None:
    rows = _history_rows()
    for key, expected in ORACLE_ROWS.items():
        assert rows[key] == expected, key


def test_newstart_series_is_within_the_central_limits_after_2018() -> None:
    df = newstart_history()
    after = df[df.date >= "2018-02-05"]
    assert (after.deployed_launchers.dropna() <= 700).all()
    assert (after.deployed_warheads.dropna() <= 1550).all()
    assert (after.total_launchers.dropna() <= 800).all()
    assert set(df.status) <= {*STATUSES, ""}
    assert (df.loc[df.deployed_warheads.isna(), "notes"] != "").all()


@pytest.mark.skipif(not RESEARCH_CSV.exists(), reason="research notes not available")
def test_newstart_series_matches_the_research_table() -> None:
    with RESEARCH_CSV.open(newline="") as f:
        research = {
            (r["date"], r["party"]): tuple(int(r[c]) if r[c] else None for c in COUNT_COLUMNS)
            for r in csv.DictReader(f)
        }
    assert _history_rows() == research


def test_provenance_round_trips_through_a_bundled_number() -> None:
    h = load_force("us-2020-09-01").holdings[0]
    assert h.launchers.provenance["deployed"] == Provenance(
        source=("state-newstart-2020-09",), status="official"
    )
