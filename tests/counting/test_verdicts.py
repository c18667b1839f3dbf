"""Verdicts a reader can trust: each count's basis and range, the treaty's standing, and bans
that stay undetermined where the data is silent.

Expected numbers are worked out by hand next to each assertion from the provenance written
in the inline forces (the envelope: every figure at its low, then every figure at its high).
"""

from __future__ import annotations

import json
import textwrap

import pytest
from pydantic import ValidationError

from detente.analysis.counting import BASES, CountResult, count
from detente.cli.treaty import verdict_style
from detente.errors import InputError
from detente.model.catalog import load_force, system_table
from detente.model.force import Force, Holding, Launchers, System
from detente.model.treaties import load_treaty, treaty_from_document
from detente.model.treaty import DeclaredCount, Treaty
from detente.model.yamlio import load_yaml, parse_yaml, validate

SYSTEMS = """
systems:
  - {id: mm3, name: MM III, party: US, category: icbm, basing: silo, delivery: ballistic,
     max_loading: 3}
  - {id: d5, name: D5, party: US, category: slbm, basing: ssbn, delivery: ballistic,
     max_loading: 8}
  - {id: b52, name: B-52H, party: US, category: heavy_bomber, basing: air_base,
     delivery: aircraft, alcm: true, max_loading: {value: 20, status: estimate, low: 12}}
  - {id: bx, name: bomber of unknown loading, party: US, category: heavy_bomber,
     basing: air_base, delivery: aircraft, alcm: true}
  - {id: gl-3000, name: IRBM, party: US, category: non_strategic, basing: road_mobile,
     delivery: ballistic, range_km: 3000}
  - {id: srbm-400, name: SRBM, party: US, category: non_strategic, basing: road_mobile,
     delivery: ballistic, range_km: 400}
  - {id: glcm-x, name: GLCM of unknown range, party: US, category: non_strategic,
     basing: ground, delivery: cruise}
"""


def force_from_yaml(text: str) -> tuple[Force, dict[str, System]]:
    force = validate(Force, parse_yaml(textwrap.dedent(text) + SYSTEMS, "inline.yaml"))
    return force, {s.id: s for s in force.systems}


ESTIMATED = """
name: us-est
party: US
as_of: 2030-01-01
holdings:
  - system: mm3
    launchers: {deployed: {value: 400, source: t, status: official}, non_deployed: 0, test: 0}
    loading: {value: 1, source: t, status: estimate, low: 1, high: 2}
  - system: d5
    launchers: {deployed: {value: 240, source: t, status: official}, non_deployed: 0, test: 0}
    warheads: {value: 1000, status: assumption, note: split, low: 900, high: 1100}
  - system: b52
    launchers: {deployed: {value: 40, source: t, status: estimate, low: 30, high: 46}}
    loading: 20
"""


def test_a_count_states_its_basis_and_range():
    force, systems = force_from_yaml(ESTIMATED)
    result = count(force, load_treaty("new-start"), systems)
    warheads = result.limit("deployed_warheads")
    # 400 x 1 + 1,000 + 40 bombers x 1 = 1,440
    # low:  400 x 1 + 900 + 30 = 1,330; high: 400 x 2 + 1,100 + 46 = 1,946
    # statuses official, estimate, assumption: the weakest is assumption
    assert (warheads.count, warheads.bounds, warheads.basis) == (1440, (1330, 1946), "assumption")
    assert warheads.verdict == "uncertain" and warheads.ok is None
    assert warheads.status_text == "uncertain: the range spans the limit (assumption; 1,330–1,946)"
    mm3 = warheads.contributions[0]
    assert (mm3.count, mm3.low, mm3.high, mm3.basis) == (400, 400, 800, "estimate")
    deployed = result.limit("deployed_launchers")
    # 400 + 240 + 40 = 680; low 400 + 240 + 30 = 670; high 400 + 240 + 46 = 686
    assert (deployed.count, deployed.bounds, deployed.basis) == (680, (670, 686), "estimate")
    assert deployed.status_text == "within (estimate; 670–686)"
    launchers = result.limit("launchers")
    # the B-52H's non-deployed and test launchers are not given: a bare 0, unsourced
    assert (launchers.count, launchers.basis) == (680, "unstated")
    assert launchers.status_text == "within (unsourced figures; 670–686)"
    assert result.compliant is None
    assert result.status_text == "not decided by the data: deployed warheads (uncertain)"
    assert warheads.name == "deployed warheads"
    assert launchers.name == "deployed and non-deployed launchers"


def test_an_estimate_above_the_limit_is_not_a_declared_breach():
    force, systems = force_from_yaml(ESTIMATED)
    treaty = load_treaty("new-start")
    lowered = treaty.model_copy(
        update={
            "limits": tuple(
                x.model_copy(update={"max": 1300}) if x.id == "deployed_warheads" else x
                for x in treaty.limits
            )
        }
    )
    warheads = count(force, lowered, systems).limit("deployed_warheads")
    # the whole range 1,330-1,946 is over 1,300
    assert (warheads.verdict, warheads.ok) == ("above", False)
    assert warheads.status_text == "above (assumption; 1,330–1,946)"
    assert verdict_style("above", warheads.basis) == "yellow"
    assert verdict_style("above", "official") == "bold red"
    assert verdict_style("uncertain", "estimate") == "yellow"


def declared_treaty(deployed_launchers: int) -> Treaty:
    treaty = load_treaty("new-start")
    row = {"party": "US", "as_of": "2030-01-01", "limit": "deployed_launchers"}
    count_ = {"value": deployed_launchers, "source": "t", "status": "official"}
    return treaty.model_copy(update={"declared": (DeclaredCount(**row, count=count_),)})


def test_a_count_equal_to_the_declared_one_is_official():
    force, systems = force_from_yaml(ESTIMATED)
    matched = count(force, declared_treaty(680), systems).limit("deployed_launchers")
    assert (matched.basis, matched.bounds, matched.declared) == ("official", (680, 680), 680)
    assert matched.status_text == "within (declared)"
    assert "t" in matched.sources
    # a sum that differs from the declared count keeps its own basis and says so
    differs = count(force, declared_treaty(690), systems).limit("deployed_launchers")
    assert (differs.basis, differs.declared) == ("estimate", 690)
    assert differs.status_text == "within (estimate; 670–686); declared 690"


def test_undetermined_holdings_make_a_limit_undetermined_unless_already_above():
    force, systems = force_from_yaml(
        """
        name: x
        party: US
        as_of: 2030-01-01
        holdings:
          - {system: d5, launchers: {deployed: 200}, loading: 8}
          - {system: mm3, launchers: {deployed: 10}}
        """
    )
    result = count(force, load_treaty("new-start"), systems)
    # 200 x 8 = 1,600 > 1,550 whatever the Minuteman IIIs carry
    warheads = result.limit("deployed_warheads")
    assert (warheads.count, warheads.verdict) == (1600, "above")
    assert warheads.status_text == (
        "above (unsourced figures; no range given), before the undetermined: "
        "warheads not known (mm3)"
    )
    assert result.compliant is False
    # 210 deployed launchers are decided (within); START II's MIRV sublimit is not
    start_ii = count(force, load_treaty("start-ii"), systems).limit("mirved_icbm_warheads")
    assert start_ii.verdict == "undetermined"
    # (by its maximum loading of 3 the Minuteman III is MIRVed; its warheads are unknown)
    assert start_ii.status_text == "undetermined: warheads not known (mm3)"


def test_start_ii_counts_the_weapons_a_bomber_is_equipped_for():
    force, systems = force_from_yaml(
        """
        name: x
        party: US
        as_of: 2003-01-01
        stockpile: {total: 100}
        holdings:
          - {system: b52, launchers: {deployed: 10}, loading: 5}
          - {system: bx, launchers: {deployed: 4}, loading: 6}
        """
    )
    warheads = count(force, load_treaty("start-ii"), systems).limit("deployed_warheads")
    # equipped for: the B-52H type's 20 (estimate, low 12), not the 5 stored per aircraft
    assert {c.holding: (c.count, c.low, c.high) for c in warheads.contributions} == {
        "b52": (200, 120, 200)
    }
    assert [(u.holding, u.reason) for u in warheads.undetermined] == [
        ("bx", "weapons the bombers are equipped for not known")
    ]
    # no heavy ICBM is held: a count over no holding rests on no figure
    heavy = count(force, load_treaty("start-ii"), systems).limit("heavy_icbm_warheads")
    assert (heavy.count, heavy.basis, heavy.status_text) == (
        0,
        "unstated",
        "within: no holding counted",
    )
    # the deep-cuts example counts loaded weapons instead: 10 x 5 + 4 x 6 = 74
    loaded = count(force, load_treaty("examples/treaties/deep-cuts.yaml"), systems)
    assert loaded.limit("deployed_warheads").count == 74
    assert load_treaty("start-ii").counting.bomber_warheads == "equipped"


# --------------------------------------------------------------------------- bans

BAN = Treaty(
    id="ban-test",
    name="Ban test",
    status="hypothetical",
    bans=[
        {
            "id": "gl_500_5500",
            "label": "ground-launched 500-5,500 km missiles",
            "filter": {
                "category": ["non_strategic"],
                "ground_launched": True,
                "delivery": ["ballistic", "cruise"],
                "range_km": [500, 5500],
            },
        }
    ],
)
HEAD = "name: x\nparty: US\nas_of: 2030-01-01\n"


def ban_of(holdings: str):
    force, systems = force_from_yaml(HEAD + "holdings:\n" + textwrap.indent(holdings, "  "))
    (ban,) = count(force, BAN, systems).bans
    return ban


def test_a_ban_without_data_on_the_banned_kind_is_undetermined():
    ban = ban_of("- {system: mm3, launchers: {deployed: 400}, loading: 1}\n")
    assert (ban.verdict, ban.ok, ban.covered) == ("undetermined", None, False)
    assert ban.status_text == (
        "undetermined: no data on ground-launched non-strategic ballistic or cruise missiles"
    )


def test_a_banned_system_without_launcher_numbers_is_undetermined():
    ban = ban_of("- {system: gl-3000, notes: 'fielded; numbers not found'}\n")
    assert ban.verdict == "undetermined"
    assert ban.status_text == "undetermined: launcher numbers not given (gl-3000)"


def test_a_banned_system_with_a_null_launcher_count_is_undetermined():
    force, systems = force_from_yaml(
        HEAD + "holdings:\n  - {system: srbm-400, launchers: {deployed: 5}}\n"
    )
    null = Launchers.model_construct(_fields_set={"deployed"}, deployed=None)
    df26 = Holding(system="gl-3000").model_copy(update={"launchers": null})
    force = force.model_copy(update={"holdings": (*force.holdings, df26)})
    (ban,) = count(force, BAN, systems).bans
    assert ban.status_text == "undetermined: launcher numbers not given (gl-3000)"


def test_a_held_banned_system_violates_the_ban_with_its_basis():
    ban = ban_of(
        "- system: gl-3000\n"
        "  launchers: {deployed: {value: 18, status: estimate, source: t, low: 10, high: 30}}\n"
        "- {system: srbm-400, launchers: {deployed: 50}}\n"
    )
    assert (ban.verdict, ban.ok, ban.launchers, ban.bounds) == ("violated", False, 18, (10, 30))
    # the non-deployed and test launchers are not given (bare 0): the basis is unsourced
    assert ban.status_text == (
        "violated: holds 18 banned launchers (gl-3000 18) (unsourced figures; 10–30)"
    )


def test_a_ban_is_respected_only_where_the_data_covers_the_kind():
    # a short-range missile is data on ground-launched missiles, and is outside the band;
    # a banned type held at a stated zero is none held
    ban = ban_of(
        "- {system: srbm-400, launchers: {deployed: 50}}\n"
        "- {system: gl-3000, launchers: {deployed: 0, non_deployed: 0, test: 0}}\n"
    )
    assert (ban.verdict, ban.ok, ban.covered, ban.status_text) == (
        "respected",
        True,
        True,
        "respected",
    )
    unknown_range = ban_of(
        "- {system: srbm-400, launchers: {deployed: 50}}\n"
        "- {system: glcm-x, launchers: {deployed: 8}}\n"
    )
    assert unknown_range.status_text == "undetermined: range not known (glcm-x)"


def test_china_is_not_said_to_respect_the_inf_ban():
    force = load_force("cn-2025")
    (ban,) = count(force, load_treaty("inf"), system_table(force)).bans
    assert ban.verdict != "respected" and ban.ok is not True


# --------------------------------------------------------------------------- treaty standing


def test_treaty_dates_and_standing():
    new_start = load_treaty("new-start")
    assert (str(new_start.expired), new_start.in_force) == ("2026-02-05", False)
    assert new_start.standing() == "New START expired on 2026-02-05; shown for comparison."
    inf = load_treaty("inf")
    assert (str(inf.withdrawn), inf.withdrawn_by, inf.expired) == ("2019-08-02", "US", None)
    assert inf.standing() == (
        "INF Treaty ended on 2019-08-02 with the US withdrawal; shown for comparison."
    )
    start_ii = load_treaty("start-ii")
    assert start_ii.entered_into_force is None and str(start_ii.withdrawn) == "2002-06-14"
    assert start_ii.standing().startswith("START II never entered into force (signed 1993-01-03)")
    assert str(load_treaty("sort").ended) == "2011-02-05"
    assert str(load_treaty("start-i").entered_into_force) == "1994-12-05"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "in_force", "expired": "2026-02-05"}, "in_force but the treaty ended"),
        ({"status": "expired"}, "no expired or withdrawn date"),
        ({"status": "never_in_force", "entered_into_force": "2000-01-01"}, "never_in_force"),
        ({"status": "hypothetical", "withdrawn_by": "US"}, "withdrawn_by is given without"),
    ],
)
def test_treaty_dates_must_agree_with_the_status(fields, message):
    with pytest.raises(ValidationError, match=message):
        Treaty(id="t", name="T", **fields)


def test_declared_table_errors_are_located(tmp_path):
    csv = tmp_path / "declared.csv"
    csv.write_text(
        "date,party,dw,source,status\n2020-09-01,US,1457,,official\n20-9-1,US,1,,official\n"
    )
    bad_limit = tmp_path / "t.yaml"
    bad_limit.write_text(
        "name: T\nstatus: hypothetical\nlimits:\n  - {id: w, quantity: deployed_warheads, max: 1}\n"
        "declared_table:\n  file: declared.csv\n  columns: {x: dw}\n"
    )
    with pytest.raises(InputError, match="no limit 'x'") as err:
        treaty_from_document(load_yaml(bad_limit))
    assert err.value.line == 7
    bad_date = tmp_path / "u.yaml"
    bad_date.write_text(bad_limit.read_text().replace("{x: dw}", "{w: dw}"))
    with pytest.raises(InputError) as err:
        treaty_from_document(load_yaml(bad_date))
    assert (err.value.file, err.value.line) == (str(csv), 3)
    inline = parse_yaml("id: t\n" + bad_date.read_text(), "<request>")
    with pytest.raises(InputError, match="read only from treaty files"):
        treaty_from_document(inline)
    csv.write_text("date,party,dw,source,status\n2020-09-01,US,1457,,official\n")
    (declared,) = treaty_from_document(load_yaml(bad_date)).declared
    assert (declared.party, str(declared.as_of), declared.limit, declared.count) == (
        "US",
        "2020-09-01",
        "w",
        1457,
    )


# --------------------------------------------------------------------------- the bundled data


def cli_json(detente_main, *args) -> dict:
    code, out, err = detente_main(*args, "--format", "json")
    assert (code, err) == (0, "")
    return json.loads(out)


def test_us_2020_09_01_new_start_counts_are_the_declared_ones(detente_main):
    data = cli_json(detente_main, "count", "us-2020-09-01", "--treaty", "new-start")
    limits = {x["id"]: x for x in data["limits"]}
    # State Department fact sheet, data as of 2020-09-01: 675 / 1,457 / 800
    expected = {"deployed_launchers": 675, "deployed_warheads": 1457, "launchers": 800}
    for limit_id, n in expected.items():
        x = limits[limit_id]
        assert (x["count"], x["low"], x["high"], x["declared"]) == (n, n, n, n)
        assert (x["basis"], x["verdict"], x["status_text"]) == (
            "official",
            "within",
            "within (declared)",
        )
    assert "state-newstart-2020-09" in limits["deployed_warheads"]["sources"]
    assert limits["deployed_warheads"]["label"] == "deployed warheads"
    assert (data["treaty_name"], data["in_force"], data["expired"]) == (
        "New START",
        False,
        "2026-02-05",
    )
    assert data["standing"].startswith("New START expired on 2026-02-05; shown for comparison")
    assert (data["compliant"], data["verdict"]) == (True, "within")


def test_ru_2025_new_start_counts_are_estimates_with_ranges(detente_main):
    data = cli_json(detente_main, "count", "ru-2025", "--treaty", "new-start")
    assert data["standing"].startswith("New START expired on 2026-02-05; shown for comparison")
    for x in data["limits"]:
        assert x["basis"] in BASES and x["basis"] != "official", x["id"]
        assert x["low"] <= x["count"] <= x["high"], x["id"]
        assert x["verdict"] in {"within", "above", "uncertain", "undetermined"}
        assert x["status_text"].startswith(x["verdict"])
        # no estimate reads as a declared verdict
        assert "declared)" not in x["status_text"]
    code, out, _ = detente_main("count", "ru-2025", "--treaty", "new-start")
    assert code == 0 and "New START expired on 2026-02-05" in out
    assert "deployed_warheads" not in out and "deployed warheads" in out


def test_sort_on_us_2020_09_01_is_undetermined(detente_main):
    data = cli_json(detente_main, "count", "us-2020-09-01", "--treaty", "sort")
    (limit,) = data["limits"]
    # the fact sheet gives no bomber weapons: the B-2A and B-52H loadings are null
    assert (limit["verdict"], limit["ok"], data["compliant"]) == ("undetermined", None, None)
    assert limit["status_text"] == "undetermined: bomber weapons not known (b-2a, b-52h)"
    assert [u["holding"] for u in limit["undetermined"]] == ["b-2a", "b-52h"]
    assert CountResult.from_dict(data).compliant is None
    code, out, _ = detente_main("count", "us-2020-09-01", "--treaty", "sort")
    assert code == 0 and "compliant: yes" not in out and "overall: not decided by the data" in out


def test_the_csv_has_labels_basis_and_range(detente_main):
    code, out, _ = detente_main("count", "ru-2025", "--treaty", "new-start", "--format", "csv")
    header = out.splitlines()[0].split(",")
    assert code == 0
    assert {"label", "low", "high", "basis", "verdict"} <= set(header)
