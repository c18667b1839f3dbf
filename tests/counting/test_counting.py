"""The counting engine against hand-worked forces, the bundled data, and its invariants.

Every expected count below is worked out by hand in the comments next to it, from the
counting rules in docs/treaties.md and the numbers in the bundled treaty files.
"""

from __future__ import annotations

import dataclasses
import io
import json
import textwrap

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.analysis.counting import CountResult, count
from detente.errors import InputError
from detente.model.catalog import (
    DATA_DIR,
    force_names,
    iter_source_refs,
    load_force,
    sources,
    system_table,
    systems,
)
from detente.model.force import Force, Holding, Launchers, Stockpile, System
from detente.model.treaties import load_treaty, treaty_names
from detente.model.treaty import Treaty
from detente.model.yamlio import load_yaml, parse_yaml, validate

DEEP_CUTS = "examples/treaties/deep-cuts.yaml"


def force_from_yaml(text: str, systems: str = "") -> tuple[Force, dict[str, System]]:
    """A force file given inline, with the systems it defines (no catalogue needed)."""
    force = validate(Force, parse_yaml(textwrap.dedent(text) + systems, "inline.yaml"))
    return force, {s.id: s for s in force.systems}


def counts(result: CountResult) -> dict[str, float]:
    return {x.id: x.count for x in result.limits}


def by_holding(result: CountResult, limit_id: str) -> dict[str, float]:
    return {c.holding: c.count for c in result.limit(limit_id).contributions}


SYSTEMS_US = """
systems:
  - {id: minuteman-iii, name: MM III, party: US, category: icbm, basing: silo,
     delivery: ballistic, max_loading: 3}
  - {id: trident-ii-d5, name: D5, party: US, category: slbm, basing: ssbn,
     delivery: ballistic, max_loading: 8}
  - {id: mobile-x, name: hypothetical mobile ICBM, party: US, category: icbm,
     basing: road_mobile, delivery: ballistic, max_loading: 4}
  - {id: b-52h, name: B-52H, party: US, category: heavy_bomber, basing: air_base,
     delivery: aircraft, alcm: true, max_loading: 20}
  - {id: b-52g, name: B-52G, party: US, category: heavy_bomber, basing: air_base,
     delivery: aircraft, alcm: true, max_loading: 12}
  - {id: b-1b, name: B-1B, party: US, category: heavy_bomber, basing: air_base,
     delivery: aircraft, alcm: false, max_loading: 16}
  - {id: b-2a, name: B-2A, party: US, category: heavy_bomber, basing: air_base,
     delivery: aircraft, alcm: false, max_loading: 16}
  - {id: f-35a, name: F-35A, party: US, category: non_strategic, basing: air_base,
     delivery: aircraft, max_loading: 2}
"""


# --------------------------------------------------------------------------- START I


def test_start_i_attribution_and_us_bomber_discount():
    force, systems = force_from_yaml(
        """
        name: us-start-i
        party: US
        as_of: 1990-09-01
        holdings:
          - {system: minuteman-iii, launchers: {deployed: 500, non_deployed: 50}, loading: 1}
          - {system: trident-ii-d5, launchers: {deployed: 96}, loading: 5}
          - {system: mobile-x, launchers: {deployed: 10}, loading: 4}
          - {system: b-52h, launchers: {deployed: 100}, loading: 20}
          - {system: b-52g, launchers: {deployed: 89}, loading: 12}
          - {system: b-1b, launchers: {deployed: 95}, loading: 16}
        """,
        SYSTEMS_US,
    )
    result = count(force, load_treaty("start-i"), systems)
    # Missiles are attributed per type (start-i.yaml, from the FAS MOU table), not counted:
    #   Minuteman III  500 deployed x 3 = 1,500   (they carry 1 each: actual 500)
    #   Trident II D5   96 deployed x 8 =   768   (they carry 5 each: actual 480)
    #   mobile-x is not in the table: its actual loading, 10 x 4 = 40
    # ALCM bombers, US discount: the first 150 count 10 each, in the order of the holdings:
    #   B-52H 100 x 10 = 1,000
    #   B-52G  50 x 10 + 39 x 12 (equipped for 12) = 500 + 468 = 968
    #   (1,000 + 968 = 1,968: FAS's MOU data give 1,968 warheads for 189 ALCM B-52s)
    # Bombs-only B-1B: 95 x 1 = 95
    assert by_holding(result, "accountable_warheads") == {
        "minuteman-iii": 1500,
        "trident-ii-d5": 768,
        "mobile-x": 40,
        "b-52h": 1000,
        "b-52g": 968,
        "b-1b": 95,
    }
    assert counts(result) == {
        # 500 + 96 + 10 + 100 + 89 + 95 deployed launchers (the 50 empty silos do not count)
        "sndvs": 890,
        # 1,500 + 768 + 40 + 1,000 + 968 + 95
        "accountable_warheads": 4371,
        # 1,500 + 768 + 40
        "ballistic_missile_warheads": 2308,
        # mobile-x only
        "mobile_icbm_warheads": 40,
        # no SS-18
        "heavy_icbm_warheads": 0,
    }
    # 6,000 - 4,371
    assert result.limit("accountable_warheads").margin == 1629
    assert result.compliant


def test_start_i_russian_discount_runs_out_after_180_bombers():
    force, systems = force_from_yaml(
        """
        name: ru-start-i
        party: RU
        as_of: 1990-09-01
        systems:
          - {id: r-36m2, name: SS-18, party: RU, category: icbm, basing: silo,
             delivery: ballistic, max_loading: 10}
          - {id: rt-2pm-topol, name: SS-25, party: RU, category: icbm, basing: road_mobile,
             delivery: ballistic, max_loading: 1}
          - {id: tu-95ms, name: Tu-95MS, party: RU, category: heavy_bomber, basing: air_base,
             delivery: aircraft, alcm: true, max_loading: 16}
          - {id: tu-160, name: Tu-160, party: RU, category: heavy_bomber, basing: air_base,
             delivery: aircraft, alcm: true, max_loading: 12}
        holdings:
          - {system: r-36m2, launchers: {deployed: 46}, loading: 10}
          - {system: rt-2pm-topol, launchers: {deployed: 100}, loading: 1}
          - {system: tu-95ms, launchers: {deployed: 60}, loading: 16}
          - {system: tu-160, launchers: {deployed: 130}, loading: 12}
        """
    )
    result = count(force, load_treaty("start-i"), systems)
    # SS-18: 46 x 10 = 460; SS-25: 100 x 1 = 100
    # ALCM bombers, Russian discount: the first 180 count 8 each:
    #   Tu-95MS 60 x 8 = 480
    #   Tu-160 120 x 8 + 10 x 12 (equipped for 12) = 960 + 120 = 1,080
    assert by_holding(result, "accountable_warheads") == {
        "r-36m2": 460,
        "rt-2pm-topol": 100,
        "tu-95ms": 480,
        "tu-160": 1080,
    }
    assert counts(result) == {
        "sndvs": 46 + 100 + 60 + 130,
        "accountable_warheads": 460 + 100 + 480 + 1080,
        "ballistic_missile_warheads": 460 + 100,
        "mobile_icbm_warheads": 100,
        "heavy_icbm_warheads": 460,
    }


def test_start_i_discount_is_not_additive_over_forces():
    # Each force alone: 100 ALCM B-52H, all within the first 150: 100 x 10 = 1,000.
    # Together: 200 bombers, 150 x 10 + 50 x 20 (equipped for 20) = 2,500, not 2,000.
    one, systems = force_from_yaml(
        """
        name: one
        party: US
        as_of: 1990-09-01
        holdings: [{system: b-52h, launchers: {deployed: 100}, loading: 20}]
        """,
        SYSTEMS_US,
    )
    both = one.model_copy(update={"holdings": one.holdings * 2})
    start_i = load_treaty("start-i")
    assert count(one, start_i, systems).limit("accountable_warheads").count == 1000
    assert count(both, start_i, systems).limit("accountable_warheads").count == 2500


# --------------------------------------------------------------------------- SORT, New START

SORT_FORCE = """
    name: us-sort
    party: US
    as_of: 2012-12-31
    holdings:
      - {system: minuteman-iii, launchers: {deployed: 400, non_deployed: 50}, loading: 1}
      - {system: trident-ii-d5, launchers: {deployed: 240, non_deployed: 40}, warheads: 1090}
      - {system: b-2a, launchers: {deployed: 20}, loading: 16}
      - {system: b-52h, launchers: {deployed: 46, non_deployed: 10, test: 4}, warheads: 300}
      - {system: f-35a, launchers: {deployed: 100}, loading: 1}
    """


def test_sort_counts_operationally_deployed_warheads():
    force, systems = force_from_yaml(SORT_FORCE, SYSTEMS_US)
    result = count(force, load_treaty("sort"), systems)
    # missiles' warheads + weapons at bomber bases; non-deployed launchers and the
    # non-strategic F-35A are outside:
    #   400 x 1 + 1,090 + 20 x 16 + 300 = 400 + 1,090 + 320 + 300 = 2,110
    limit = result.limit("operationally_deployed_warheads")
    assert by_holding(result, "operationally_deployed_warheads") == {
        "minuteman-iii": 400,
        "trident-ii-d5": 1090,
        "b-2a": 320,
        "b-52h": 300,
    }
    assert (limit.count, limit.limit, limit.minimum, limit.margin) == (2110, 2200, 1700, 90)
    assert result.compliant


def test_new_start_counts_one_warhead_per_bomber_on_the_same_force():
    force, systems = force_from_yaml(SORT_FORCE, SYSTEMS_US)
    result = count(force, load_treaty("new-start"), systems)
    # deployed warheads: 400 + 1,090 + 1 per bomber (20 + 46) = 1,556 > 1,550
    # deployed launchers: 400 + 240 + 20 + 46 = 706 > 700
    # launchers: (400 + 50) + (240 + 40) + 20 + (46 + 10 + 4 test) = 810 > 800
    assert counts(result) == {
        "deployed_launchers": 706,
        "deployed_warheads": 1556,
        "launchers": 810,
    }
    assert by_holding(result, "deployed_warheads")["b-52h"] == 46
    assert [x.margin for x in result.limits] == [-6, -6, -10]
    assert not result.compliant


# --------------------------------------------------------------------------- INF

INF_FORCE = """
name: ru-inf
party: RU
as_of: 1987-12-08
systems:
  - {id: srbm-499, name: a, party: RU, category: non_strategic, basing: road_mobile,
     delivery: ballistic, range_km: 499}
  - {id: srbm-500, name: b, party: RU, category: non_strategic, basing: road_mobile,
     delivery: ballistic, range_km: 500}
  - {id: irbm-5500, name: c, party: RU, category: non_strategic, basing: ground,
     delivery: ballistic, range_km: 5500}
  - {id: gl-5501, name: d, party: RU, category: non_strategic, basing: road_mobile,
     delivery: ballistic, range_km: 5501}
  - {id: glcm-2500, name: e, party: RU, category: non_strategic, basing: ground,
     delivery: cruise, range_km: 2500}
  - {id: slcm-2500, name: f, party: RU, category: non_strategic, basing: ssbn,
     delivery: cruise, range_km: 2500}
  - {id: alcm-2500, name: g, party: RU, category: non_strategic, basing: air_base,
     delivery: cruise, range_km: 2500}
  - {id: glcm-unknown, name: h, party: RU, category: non_strategic, basing: ground,
     delivery: cruise}
  - {id: glcm-gone, name: i, party: RU, category: non_strategic, basing: ground,
     delivery: cruise, range_km: 1000}
  - {id: icbm-silo, name: j, party: RU, category: icbm, basing: silo, delivery: ballistic}
holdings:
  - {system: srbm-499, launchers: {deployed: 50}}
  - {system: srbm-500, launchers: {deployed: 10, test: 2}}
  - {system: irbm-5500, launchers: {non_deployed: 5}}
  - {system: gl-5501, launchers: {deployed: 20}}
  - {system: glcm-2500, launchers: {deployed: 30}}
  - {system: slcm-2500, launchers: {deployed: 40}}
  - {system: alcm-2500, launchers: {deployed: 40}}
  - {system: glcm-unknown, launchers: {deployed: 8}}
  - {system: glcm-gone, launchers: {deployed: 0}}
  - {system: icbm-silo, launchers: {deployed: 100}}
"""


def test_inf_bans_the_ground_launched_500_to_5500_km_band():
    force, systems = force_from_yaml(INF_FORCE)
    (ban,) = count(force, load_treaty("inf"), systems).bans
    # 499 km: below the band; 500 and 5,500 km: the band's ends are included; 5,501: above.
    # Sea- and air-launched cruise missiles are outside; so is the ICBM (category) and a
    # type with no launchers left. Offending launchers count every status:
    #   srbm-500: 10 deployed + 2 test = 12; irbm-5500: 5 non-deployed; glcm-2500: 30
    assert {c.holding: c.count for c in ban.offending} == {
        "srbm-500": 12,
        "irbm-5500": 5,
        "glcm-2500": 30,
    }
    # a ground-launched cruise missile of unknown range cannot be judged
    why = [(u.holding, u.reason) for u in ban.undetermined]
    assert why == [("glcm-unknown", "range not known")]
    assert ban.verdict == "violated" and ban.ok is False


# --------------------------------------------------------------------------- START II, deep cuts


def test_start_ii_mirv_rule_follows_the_loading():
    force, systems = force_from_yaml(
        """
        name: us-start-ii
        party: US
        as_of: 2003-01-01
        holdings:
          - {system: minuteman-iii, label: mm3-downloaded, launchers: {deployed: 300}, loading: 1}
          - {system: minuteman-iii, label: mm3-mirved, launchers: {deployed: 100}, warheads: 250}
          - {system: trident-ii-d5, launchers: {deployed: 336}, loading: 5}
          - {system: b-52h, launchers: {deployed: 50}, loading: 20}
        """,
        SYSTEMS_US,
    )
    result = count(force, load_treaty("start-ii"), systems)
    # MIRVed: mean loading above 1. mm3-mirved carries 250 / 100 = 2.5: 250 warheads count;
    # the downloaded Minuteman IIIs (1 each) do not.
    # SLBM warheads: 336 x 5 = 1,680 (under 1,750)
    # All deployed warheads (bombers by loading): 300 + 250 + 1,680 + 50 x 20 = 3,230
    assert counts(result) == {
        "deployed_warheads": 3230,
        "mirved_icbm_warheads": 250,
        "heavy_icbm_warheads": 0,
        "slbm_warheads": 1680,
    }
    assert by_holding(result, "mirved_icbm_warheads") == {"mm3-mirved": 250}
    assert [x.ok for x in result.limits] == [True, False, True, True]


def test_deep_cuts_example():
    treaty = load_treaty(DEEP_CUTS)
    force, systems = force_from_yaml(
        """
        name: us-deep
        party: US
        as_of: 2030-01-01
        stockpile: {total: 2500}
        holdings:
          - {system: minuteman-iii, launchers: {deployed: 400}, loading: 1}
          - {system: trident-ii-d5, launchers: {deployed: 100}, loading: 4}
          - {system: b-2a, launchers: {deployed: 10}, loading: 16}
          - {system: gbi, launchers: {deployed: 44, non_deployed: 20}}
          - {system: rail-x, launchers: {non_deployed: 3}}
        """,
        SYSTEMS_US
        + "  - {id: gbi, name: GBI, party: US, category: interceptor, basing: silo,"
        + " delivery: interceptor}\n"
        + "  - {id: rail-x, name: rail ICBM, party: US, category: icbm, basing: rail,"
        + " delivery: ballistic, max_loading: 1}\n",
    )
    result = count(force, treaty, systems)
    # deployed warheads, bombers by loading: 400 + 400 + 10 x 16 = 960 <= 1,000
    # interceptors: the 44 deployed GBIs <= 100
    # all warheads: the stockpile total, 2,500 > 2,000
    assert counts(result) == {"deployed_warheads": 960, "interceptors": 44, "all_warheads": 2500}
    assert [x.ok for x in result.limits] == [True, True, False]
    bans = {b.id: {c.holding: c.count for c in b.offending} for b in result.bans}
    # rail-mobile ICBMs are banned even when only non-deployed; single-warhead MM III is not MIRVed
    assert bans == {
        "mirved_icbms": {},
        "rail_mobile_icbms": {"rail-x": 3},
        "intermediate_range_ground_launched": {},
    }


def test_all_warheads_needs_a_stockpile_total():
    force, systems = force_from_yaml(SORT_FORCE, SYSTEMS_US)
    assert force.stockpile.total is None
    with pytest.raises(InputError, match="stockpile total") as err:
        count(force, load_treaty(DEEP_CUTS), systems)
    assert err.value.field == "stockpile.total"


def test_a_force_known_by_its_total_only_counts_under_all_warheads_alone():
    """India, Pakistan, Israel, North Korea: a stockpile total, no holdings (no launchers)."""
    force = load_force("in-2025")
    treaty = Treaty(
        id="t",
        name="T",
        status="hypothetical",
        limits=[{"id": "a", "quantity": "all_warheads", "max": 200}],
    )
    result = count(force, treaty, systems())
    assert (result.limits[0].count, result.limits[0].margin) == (180.0, 20.0)
    with pytest.raises(InputError, match=r"no holdings.*'deployed_launchers'") as err:
        count(force, load_treaty("new-start"), systems())
    assert err.value.field == "holdings" and "\n" not in str(err.value)


def test_unknown_system_is_a_located_error():
    force, systems = force_from_yaml(SORT_FORCE, SYSTEMS_US)
    del systems["b-2a"]
    with pytest.raises(InputError, match="unknown system 'b-2a'") as err:
        count(force, load_treaty("new-start"), systems)
    assert err.value.field == "holdings.2.system"


def test_unknown_loading_is_undetermined_not_zero():
    force, systems = force_from_yaml(
        """
        name: x
        party: US
        as_of: 2030-01-01
        holdings: [{system: trident-ii-d5, launchers: {deployed: 10}}]
        """,
        SYSTEMS_US,
    )
    limit = count(force, load_treaty("new-start"), systems).limit("deployed_warheads")
    assert limit.count == 0
    assert [(u.holding, u.reason) for u in limit.undetermined] == [
        ("trident-ii-d5", "warheads not known")
    ]
    assert (limit.verdict, limit.ok) == ("undetermined", None)
    assert limit.status_text == "undetermined: warheads not known (trident-ii-d5)"


# --------------------------------------------------------------------------- bundled data


def test_every_number_in_the_bundled_treaties_is_sourced():
    for name in treaty_names():
        treaty = load_treaty(name)
        assert treaty.limits or treaty.bans, name
        for path, value, provenance in treaty.sourced_values():
            assert value is not None, (name, path)
            assert provenance is not None and provenance.source, (name, path)
        for ban in treaty.bans:
            assert ban.sources, (name, ban.id)


def test_new_start_limits_are_the_treaty_numbers():
    limits = {x.id: x.max for x in load_treaty("new-start").limits}
    assert limits == {"deployed_launchers": 700, "deployed_warheads": 1550, "launchers": 800}


US_2020 = "us-2020-09-01"
needs_us_2020 = pytest.mark.skipif(
    US_2020 not in force_names(),
    reason=f"the bundled force {US_2020} is not in src/detente/data/forces/ yet",
)


@needs_us_2020
def test_us_2020_09_01_counts_like_the_state_department(detente_main):
    code, out, err = detente_main("count", US_2020, "--treaty", "new-start", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    # State Department fact sheet of 2020-12-01 (data as of 2020-09-01)
    assert {x["id"]: x["count"] for x in data["limits"]} == {
        "deployed_launchers": 675,
        "deployed_warheads": 1457,
        "launchers": 800,
    }
    force = load_force(US_2020)
    systems = system_table(force)
    warheads = next(x for x in data["limits"] if x["id"] == "deployed_warheads")
    bombers = {
        c["system"]: c["count"]
        for c in warheads["contributions"]
        if systems[c["system"]].category == "heavy_bomber"
    }
    # one warhead per deployed bomber: 36 B-52H and 12 B-2A deployed (same fact sheet)
    assert bombers == {"b-52h": 36, "b-2a": 12}
    # the CLI's JSON is the engine's result
    expected = count(force, load_treaty("new-start"), systems)
    assert CountResult.from_dict(data) == expected


@needs_us_2020
def test_count_csv_and_table_formats(detente_main):
    code, out, _ = detente_main("count", US_2020, "--treaty", "new-start", "--format", "csv")
    frame = pd.read_csv(io.StringIO(out))
    force = load_force(US_2020)
    expected = count(force, load_treaty("new-start"), system_table(force)).to_frame()
    assert code == 0
    assert frame["id"].tolist() == expected["id"].tolist()
    assert frame["count"].tolist() == expected["count"].tolist()
    code, out, _ = detente_main("count", US_2020, "--treaty", "new-start")
    assert code == 0 and "1,457" in out and "within (declared)" in out
    assert "New START expired on 2026-02-05; shown for comparison" in out
    assert "overall: within every limit" in out


def test_treaty_list_and_show(detente_main):
    code, out, _ = detente_main("treaty", "list")
    assert code == 0
    assert all(name in out for name in treaty_names())
    code, out, _ = detente_main("treaty", "show", "start-i")
    assert code == 0
    assert "first 150 ALCM bombers count 10 each" in out
    assert "[fas-start1-central-1996]" in out
    code, out, _ = detente_main("treaty", "list")
    assert code == 0 and "2026-02-05" in out and "2002-06-14" in out  # New START, START II ended
    code, out, _ = detente_main("treaty", "show", "inf")
    assert "INF Treaty ended on 2019-08-02 with the US withdrawal" in out
    code, out, _ = detente_main("treaty", "show", "start-ii")
    assert "equipped for" in out


# --------------------------------------------------------------------------- properties


def _system(id_: str, category: str, basing: str, delivery: str, **kw) -> System:
    return System(id=id_, name=id_, party="X", category=category, basing=basing,
                  delivery=delivery, **kw)  # fmt: skip


POOL = [
    _system("icbm-s", "icbm", "silo", "ballistic", range_km=12000, max_loading=3),
    _system("minuteman-iii", "icbm", "silo", "ballistic", range_km=12000, max_loading=3),
    _system("icbm-m", "icbm", "road_mobile", "ballistic", range_km=11000, max_loading=4),
    _system("trident-ii-d5", "slbm", "ssbn", "ballistic", range_km=11000, max_loading=8),
    _system("b-52h", "heavy_bomber", "air_base", "aircraft", alcm=True, max_loading=20),
    _system("bomber-b", "heavy_bomber", "air_base", "aircraft", max_loading=16),
    _system("glcm", "non_strategic", "ground", "cruise", range_km=2500, max_loading=1),
    _system("abm", "interceptor", "silo", "interceptor"),
    _system("rail", "icbm", "rail", "ballistic"),
]
SYSTEMS = {s.id: s for s in POOL}
TREATIES = [load_treaty(name) for name in treaty_names()] + [load_treaty(DEEP_CUTS)]


@st.composite
def holdings(draw, max_bombers: int = 300) -> Holding:
    system = draw(st.sampled_from(POOL))
    top = max_bombers if system.category == "heavy_bomber" else 500
    launchers = Launchers(
        deployed=draw(st.integers(0, top)),
        non_deployed=draw(st.integers(0, 60)),
        test=draw(st.integers(0, 5)),
    )
    most = system.max_loading or 3
    loading = draw(st.integers(0, int(2 * most)).map(lambda n: n / 2))
    if draw(st.booleans()):
        return Holding(system=system.id, launchers=launchers, loading=loading)
    return Holding(system=system.id, launchers=launchers, warheads=loading * launchers.deployed)


def forces(max_bombers: int = 300):
    return st.builds(
        lambda party, hs, total: Force(
            name="f", party=party, as_of="2030-01-01", holdings=hs, stockpile=Stockpile(total=total)
        ),
        st.sampled_from(["US", "RU", "CN"]),
        st.lists(holdings(max_bombers), max_size=6),
        st.integers(0, 10_000),
    )


def reference_new_start(force: Force) -> dict[str, float]:
    """New START by the treaty's words, the slow obvious way (research/treaties.md)."""
    deployed = warheads = launchers = 0.0
    for h in force.holdings:
        s = SYSTEMS[h.system]
        if s.category not in ("icbm", "slbm", "heavy_bomber"):
            continue
        deployed += h.launchers.deployed
        launchers += h.launchers.deployed + h.launchers.non_deployed + h.launchers.test
        if s.category == "heavy_bomber":
            warheads += h.launchers.deployed  # one per deployed heavy bomber
        elif h.loading is not None:
            warheads += h.loading * h.launchers.deployed
        else:
            warheads += h.warheads
    return {"deployed_launchers": deployed, "deployed_warheads": warheads, "launchers": launchers}


@settings(max_examples=60, deadline=None)
@given(forces())
def test_new_start_matches_the_reference(force):
    assert counts(count(force, load_treaty("new-start"), SYSTEMS)) == reference_new_start(force)


def _merge(a: Force, b: Force) -> Force:
    total = a.stockpile.total + b.stockpile.total
    return a.model_copy(
        update={"holdings": a.holdings + b.holdings, "stockpile": Stockpile(total=total)}
    )


# At most 6 x 12 bombers per force, 144 for two: under START I's 150/180 discount threshold,
# the one rule that is not additive (test_start_i_discount_is_not_additive_over_forces).
@settings(max_examples=40, deadline=None)
@given(forces(max_bombers=12), forces(max_bombers=12), st.sampled_from(TREATIES))
def test_counts_are_additive_over_holdings(a, b, treaty: Treaty):
    b = b.model_copy(update={"party": a.party})
    ra, rb, rab = (count(f, treaty, SYSTEMS) for f in (a, b, _merge(a, b)))
    for xa, xb, xab in zip(ra.limits, rb.limits, rab.limits, strict=True):
        assert xab.count == pytest.approx(xa.count + xb.count, rel=1e-12, abs=1e-9)
        if xab.quantity != "all_warheads":  # one stockpile, not a holding
            assert xab.contributions == xa.contributions + xb.contributions
        assert xab.undetermined == xa.undetermined + xb.undetermined
    for xa, xb, xab in zip(ra.bans, rb.bans, rab.bans, strict=True):
        assert xab.offending == xa.offending + xb.offending


@settings(max_examples=60, deadline=None)
@given(forces(), st.data(), st.sampled_from(TREATIES))
def test_adding_a_deployed_launcher_never_lowers_a_count(force, data, treaty: Treaty):
    if not force.holdings:
        return
    i = data.draw(st.integers(0, len(force.holdings) - 1))
    h = force.holdings[i]
    # one more deployed launcher, carrying the holding's loading
    update: dict = {
        "launchers": h.launchers.model_copy(update={"deployed": h.launchers.deployed + 1})
    }
    if h.warheads is not None:
        update["warheads"] = h.warheads + h.mean_loading
    grown = force.model_copy(
        update={
            "holdings": (*force.holdings[:i], h.model_copy(update=update), *force.holdings[i + 1 :])
        }
    )
    before, after = count(force, treaty, SYSTEMS), count(grown, treaty, SYSTEMS)
    for x, y in zip(before.limits, after.limits, strict=True):
        assert y.count >= x.count - 1e-9, x.id


@settings(max_examples=40, deadline=None)
@given(forces(), st.sampled_from(TREATIES))
def test_json_output_round_trips(force, treaty: Treaty):
    result = count(force, treaty, SYSTEMS)
    text = json.dumps(result.to_dict(), allow_nan=False)
    assert json.loads(text) == result.to_dict()
    back = CountResult.from_dict(json.loads(text))
    assert back == result
    assert dataclasses.asdict(back) == dataclasses.asdict(result)
    assert len(result.to_frame()) == len(treaty.limits) + len(treaty.bans)


def test_every_treaty_source_is_cited_and_described():
    files = [*sorted((DATA_DIR / "treaties").glob("*.yaml")), DEEP_CUTS]
    cited = {ref for f in files for _, ref in iter_source_refs(load_yaml(f).data)}
    own = set(load_yaml(DATA_DIR / "sources_treaties.yaml").data["sources"])
    assert own <= cited, f"uncited: {sorted(own - cited)}"
    known = sources()
    assert all(known[sid].url for sid in cited), "every treaty source gives its URL"
