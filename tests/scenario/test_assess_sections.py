"""The assessment's verification, inadvertent-war risk and context sections: each against a
plain-Python reference or the layer that computes it, with the scenario blocks
``verification:`` and ``risk:`` and the provenance of every value they use."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.analysis import verification as av
from detente.analysis.assess import assess
from detente.analysis.context import context_measures
from detente.analysis.risk import load_risk_parameters, run_risk
from detente.analysis.stability import evaluate
from detente.analysis.verification_section import missiles, overloaded_missiles
from detente.model.catalog import system_table
from detente.model.scenario import (
    DEFAULT_OVERLOADED_SHARE,
    RISK_DIR,
    VerificationPlan,
    load_scenario,
    parse_scenario,
)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "examples" / "new-start-expiry.yaml"
EXAMPLES = (
    "new-start-expiry",
    "upload-race",
    "deep-cuts-1000",
    "de-mirv-icbms",
    "de-mirv-icbms-removed",
    "golden-dome",
    "china-1000",
)
TWO = "parties: [{force: us-2025}, {force: ru-2025}]\n"


@pytest.fixture(scope="module")
def default():
    return assess(DEFAULT, samples=500)


def scenario(body: str, file: str = "t.yaml"):
    return parse_scenario("name: t\n" + body, file)


# --- plain-Python references --------------------------------------------------------------


def ref_detection(n_missiles: int, k: int, n: int, years: int) -> float:
    """1 - [C(N-k, n) / C(N, n)]^T: no over-loaded missile among n drawn, T years running."""
    miss = math.comb(n_missiles - k, n) / math.comb(n_missiles, n)
    return 1.0 - miss**years


def ref_bound(n_missiles: int, n: int, confidence: float) -> int:
    """The largest k that one clean year of n inspections does not rule out at confidence."""
    return max(k for k in range(n_missiles + 1) if ref_detection(n_missiles, k, n, 1) < confidence)


def ref_needed(n_missiles: int, k: int, target: float) -> int:
    """The fewest inspections a year that catch k over-loaded missiles with P >= target."""
    return next(n for n in range(n_missiles + 1) if ref_detection(n_missiles, k, n, 1) >= target)


def ref_missiles(force) -> int:
    table = system_table(force)
    total = 0
    for h in force.holdings:
        if table[h.system].category in ("icbm", "slbm"):
            total += h.launchers.deployed
    return total


# --- verification ---------------------------------------------------------------------------


def test_missiles_are_the_deployed_icbms_and_slbms(default):
    v = default.verification
    assert [p.party for p in v.parties] == list(default.resolved.labels)
    for p in v.parties:
        force = default.resolved.party(p.party).force
        assert p.missiles == missiles(force) == ref_missiles(force) > 0
        assert p.overloaded == math.floor(DEFAULT_OVERLOADED_SHARE * p.missiles + 0.5)


def test_regimes_side_by_side_are_hypergeometric(default):
    v = default.verification
    regimes = av.load_regimes()
    assert v.plan.years == 5 and len(v.parties[0].comparisons) == 5
    for p in v.parties:
        for c in p.comparisons:
            assert {r.regime for r in c.rows} == set(regimes)
            for r in c.rows:
                n = regimes[r.regime].missiles_checked_per_year
                expected = ref_detection(p.missiles, p.overloaded, n, c.years)
                assert r.detection_probability == pytest.approx(expected, rel=1e-9, abs=1e-12)
                assert p.detection(r.regime, c.years) == r.detection_probability


def test_clean_year_bound_and_planning_match_brute_force(default):
    v = default.verification
    quota = av.load_regimes()["new_start"].missiles_checked_per_year
    assert v.clean_regime == "New START"
    for p in v.parties:
        assert p.bound.clean_inspections == quota and p.bound.years == 1
        assert p.bound.largest_undetected_violation == ref_bound(p.missiles, quota, 0.95)
        assert p.plan.inspections_needed == ref_needed(p.missiles, p.overloaded, 0.9)


def test_verification_block_sets_count_years_regimes_and_recognition():
    block = (
        "verification:\n  overloaded: 7\n  years: 2\n  regimes: [none, start1]\n"
        "  recognition: {value: 0.5, status: assumption, note: half the violators look right}\n"
        "  confidence: 0.9\n  target: 0.5\n  clean_regime: start1\n"
    )
    a = assess(scenario(TWO + block))
    v = a.verification
    assert v.regimes == ("START I", "No inspections") and v.clean_regime == "START I"
    for p in v.parties:
        assert p.overloaded == 7 and len(p.comparisons) == 2
        assert [r.regime for r in p.comparisons[0].rows] == ["start1", "none"]
        direct = av.detect(p.missiles, 7, 10, years=2, recognition=0.5)
        assert p.detection("start1", 2) == pytest.approx(direct.detection_probability, rel=1e-12)
        assert p.plan == av.plan_inspections(p.missiles, 7, 0.5, recognition=0.5)
        assert p.bound == av.clean_inspection_bound(p.missiles, 10, confidence=0.9, recognition=0.5)
    entries = {e.quantity: e for e in v.parameters}
    assert entries["verification.overloaded"].value == 7
    assert entries["verification.recognition"].note == "half the violators look right"
    assert "regime start1" in {e.scope for e in v.parameters}
    assert not any(e.scope == "regime new_start" for e in v.parameters)


@settings(max_examples=60, deadline=None)
@given(share=st.floats(1e-6, 1.0), n=st.integers(1, 5000))
def test_overloaded_share_rounds_to_a_count_within_the_force(share, n):
    k = overloaded_missiles(VerificationPlan(overloaded_share=share), n)
    assert 1 <= k <= n
    assert k == 1 or abs(k - share * n) <= 0.5


def test_a_party_without_missiles_is_left_out():
    body = (
        "parties:\n  - force: us-2025\n    modifications:\n"
        "      retire: [minuteman-iii, trident-ii-d5]\n  - force: ru-2025\n"
    )
    a = assess(scenario(body))
    assert a.verification.skipped == ("US",)
    assert [p.party for p in a.verification.parties] == ["RU"]
    assert any("US deploy no ICBMs or SLBMs" in c for c in a.caveats)


def test_default_share_is_an_assumption_and_quotas_carry_their_sources(default):
    plain = assess(scenario(TWO)).verification
    share = next(e for e in plain.parameters if e.quantity == "verification.overloaded_share")
    assert (share.scope, share.value) == ("model", DEFAULT_OVERLOADED_SHARE) and share.assumption
    assert plain.parties == default.verification.parties  # the example spells out the defaults
    entries = {(e.scope, e.quantity): e for e in default.verification.parameters}
    given = entries[("scenario", "verification.overloaded_share")]
    assert given.assumption and given.note.startswith("hypothesis tested")
    for regime in av.load_regimes().values():
        for x in regime.inspections:
            if x.counts_reentry_vehicles:
                e = entries[(f"regime {regime.id}", f"{x.name} inspections a year")]
                assert (e.value, e.status, e.sources) == (x.per_year, x.status, x.source)
                assert not e.assumption
    assert set(default.verification.parameters) <= set(default.ledger)


# --- risk ------------------------------------------------------------------------------------


def test_risk_is_run_risk_with_the_scenarios_seed(default):
    seed = load_scenario(DEFAULT).seed
    expected = run_risk(load_risk_parameters(), samples=10_000, seed=seed, years=10.0)
    assert default.risk.result == expected
    assert default.risk.file == "data/risk/bbh2013_illustrative.yaml"
    assert default.risk.modelled == ("US", "RU") and default.risk.unmodelled == ()


def test_seed_option_seeds_the_risk_monte_carlo_too():
    a = assess(scenario(TWO + "risk: {samples: 300}\n"), seed=11)
    b = assess(scenario(TWO + "risk: {samples: 300}\n"), seed=12)
    assert a.risk.result.seed == 11 and b.risk.result.seed == 12
    assert a.risk.result.annual_probability != b.risk.result.annual_probability
    assert a.risk.result == assess(scenario(TWO + "risk: {samples: 300}\n"), seed=11).risk.result


def test_risk_block_takes_a_parameter_file_next_to_the_scenario(tmp_path):
    data = yaml.safe_load((RISK_DIR / "bbh2013_illustrative.yaml").read_text())
    data["id"] = "mine"
    data["crisis_fraction"] = {
        "dist": "uniform",
        "low": 0.02,
        "high": 0.05,
        "status": "estimate",
        "source": "barrett-baum-hostetler-2013",
        "note": "test value, not the paper's",
    }
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump(data))
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: s\n" + TWO + "risk: {parameters: mine.yaml, samples: 400, years: 3}\nseed: 5\n"
    )
    a = assess(path)
    r = a.risk.result
    assert (r.parameter_set, r.samples, r.seed, r.years) == ("mine", 400, 5, 3.0)
    assert r == run_risk(load_risk_parameters(tmp_path / "mine.yaml"), samples=400, seed=5, years=3)
    assert r.sourced == (
        "crisis_fraction",
        "US.icbm.stages.assessment.low_tension",  # sourced in the bundled file (1979-80 record)
        "US.slbm.stages.assessment.low_tension",
    )
    assert a.risk.file == str(tmp_path / "mine.yaml")
    entry = next(e for e in a.ledger if e.scope == "risk mine" and e.quantity == "crisis_fraction")
    assert entry.status == "estimate" and not entry.assumption
    illustrative = {e.quantity for e in a.ledger if e.scope == "risk mine" and e.assumption}
    assert illustrative == set(r.illustrative)


def test_parties_without_false_alarm_streams_are_named():
    a = assess(ROOT / "examples" / "china-1000.yaml", samples=1)
    assert a.risk.unmodelled == ("CN",)
    assert any("CN not modelled" in c for c in a.caveats)


def test_risk_source_and_illustrative_caveat(default):
    assert "barrett-baum-hostetler-2013" in {s.id for s in default.sources}
    n = len(default.risk.result.illustrative)
    assert n > 0 and any(f"{n} of" in c and "ILLUSTRATIVE" in c for c in default.caveats)


# --- context ---------------------------------------------------------------------------------


def test_context_arw_is_the_headline_exchange(default):
    c = default.context.result
    headline = default.stability["US-RU"]
    assert default.context.pair == ("US", "RU")
    for k in c.labels:
        assert c.arw[k] == pytest.approx(headline.arriving[k], rel=1e-12)


def test_context_is_context_measures_of_the_first_pair_in_its_postures():
    body = (
        "parties:\n  - force: us-2025\n    posture: generated\n    lua: true\n"
        "  - force: ru-2025\n    w80: 300\n"
    )
    a = assess(scenario(body))
    r = a.resolved
    sides = r.sides(("US", "RU"))
    direct = context_measures(
        r.party("US").force,
        r.party("RU").force,
        r.params,
        posture={"US": "generated", "RU": "day_to_day"},
        lua={"US": True, "RU": False},
        w80={s.label: s.w80 for s in sides},
    )
    c = a.context.result
    assert (c.penalty, c.arw, c.generation, c.low) == (
        direct.penalty,
        direct.arw,
        direct.generation,
        direct.low,
    )
    assert c.arw["US"] == pytest.approx(evaluate(sides, r.params).arriving["US"], rel=1e-12)
    w80 = {e.quantity: e for e in a.context.parameters if e.quantity.endswith("w80")}
    assert w80["RU w80"].value == 300 and w80["RU w80"].scope == "scenario"
    assert w80["US w80"].assumption and w80["US w80"].scope == "model"


def test_context_of_three_parties_says_what_it_leaves_out():
    a = assess(ROOT / "examples" / "china-1000.yaml", samples=1)
    assert a.context.pair == a.resolved.pairs()[0]
    assert "Reserves against third parties are left out" in a.context.note


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_gets_the_three_sections(name):
    a = assess(ROOT / "examples" / f"{name}.yaml", samples=1)
    assert a.verification.parties and a.risk is not None and a.context is not None
    data = a.to_dict()
    q = data["risk"]["annual_probability"]
    assert set(q) == {"p05", "p50", "p95", "mean"} and q["p05"] <= q["p50"] <= q["p95"]
    assert set(data["verification"]["parties"]) == {p.party for p in a.verification.parties}
    assert data["context"]["pair"] == "-".join(a.context.pair)
