"""Tests of detente.analysis.verification: regimes as data, results, located file errors.

Values are tested at the kernel (test_verification_kernels.py); here the wrappers are checked
for passing the right things through, the bundled data against its sources, and broken files
for errors that name file, line and field.
"""

from __future__ import annotations

import textwrap

import pytest

from detente.analysis import verification as av
from detente.errors import InputError
from detente.kernels import verification as kv

# ---------------------------------------------------------------- bundled data


def test_bundled_regimes_carry_the_treaty_quotas():
    regimes = av.load_regimes()
    assert set(regimes) == {"start1", "new_start", "none"}
    # New START: 10 Type One and 8 Type Two inspections a year (State Dept fact sheet,
    # 2011-10-20; models.md §5); only Type One counts reentry vehicles
    ns = {i.name: i for i in regimes["new_start"].inspections}
    assert (ns["type_one"].per_year, ns["type_two"].per_year) == (10, 8)
    assert ns["type_one"].counts_reentry_vehicles and not ns["type_two"].counts_reentry_vehicles
    assert regimes["new_start"].missiles_checked_per_year == 10
    assert regimes["none"].missiles_checked_per_year == 0


def test_every_bundled_quota_is_sourced():
    for regime in av.load_regimes().values():
        for inspection in regime.inspections:
            assert inspection.status != "assumption" and inspection.source


def test_bundled_open_skies_quotas_and_labels():
    p = av.load_open_skies()
    # passive quotas: 42 a year for the US and for the Russia-Belarus group (Annex A)
    assert {k: q.value for k, q in p.passive_quota_per_year.items()} == {"US": 42, "RU_BY": 42}
    assert p.swath_km.status == "assumption" and "ILLUSTRATIVE" in p.swath_km.note


# ---------------------------------------------------------------- results


def test_detect_passes_inputs_to_the_kernel():
    r = av.detect(400, 40, 10, years=3, recognition=0.8, gain=1.0, loss=3.0)
    assert r.detection_probability == pytest.approx(
        float(kv.detection_probability(400, 40, 10, years=3, recognition=0.8)), abs=0
    )
    assert r.deterrence_threshold == 0.25
    assert r.deterred is (r.detection_probability >= 0.25)
    d = r.to_dict()
    assert d["detection_probability"] == r.detection_probability
    assert list(r.to_frame().columns) == list(d)


def test_detect_not_deterred_when_detection_is_below_threshold():
    r = av.detect(400, 4, 1, gain=9.0, loss=1.0)
    assert r.detection_probability < 0.9 and r.deterred is False


def test_game_needs_both_gain_and_loss():
    with pytest.raises(InputError, match="both gain and loss"):
        av.detect(400, 40, 10, gain=1.0)


def test_bad_numbers_become_input_errors():
    with pytest.raises(InputError, match="must not exceed missiles"):
        av.detect(10, 11, 1)


def test_bound_reports_the_next_violation_probability():
    r = av.clean_inspection_bound(400, 10, confidence=0.9, years=2)
    assert r.largest_undetected_violation == int(
        kv.largest_undetected_violation(400, 10, confidence=0.9, years=2)
    )
    assert r.next_detection_probability >= 0.9
    assert av.clean_inspection_bound(50, 0).next_detection_probability is None


def test_plan_unreachable_target_is_none():
    r = av.plan_inspections(100, 5, 0.99, recognition=0.5)
    assert r.inspections_needed is None
    assert r.achieved_probability < 0.99
    ok = av.plan_inspections(100, 5, 0.5)
    assert ok.achieved_probability >= 0.5
    assert ok.inspections_needed == int(kv.inspections_needed(100, 5, 0.5))


def test_regime_comparison_side_by_side():
    c = av.compare_regimes(400, 40, years=2, confidence=0.95)
    rows = {r.regime: r for r in c.rows}
    assert rows["none"].detection_probability == 0.0
    assert rows["none"].largest_undetected_violation == 400
    assert rows["new_start"].detection_probability == pytest.approx(
        float(kv.detection_probability(400, 40, 10, years=2)), abs=0
    )
    assert rows["new_start"].sources == ("state-newstart-factsheet-2011",)
    assert [r.regime for r in c.rows][-1] == "none"
    assert len(c.to_frame()) == 3
    assert {r["regime"] for r in c.to_dict()["regimes"]} == set(rows)


def test_regime_checks_are_capped_at_the_force_size():
    rows = {r.regime: r for r in av.compare_regimes(4, 1).rows}
    assert rows["new_start"].missiles_checked_per_year == 4
    assert rows["new_start"].detection_probability == 1.0


def test_open_skies_is_reproducible_and_reports_provenance():
    a = av.open_skies(years=2, replicates=10, seed=3, quota=6)
    b = av.open_skies(years=2, replicates=10, seed=3, quota=6)
    assert a == b
    used = {u.name: u for u in a.parameters}
    assert used["quota"].status == "user"
    assert used["flight_distance_km"].status == "estimate"
    assert used["swath_km"].status == "assumption"
    assert len(a.to_frame()) == 2
    more = av.open_skies(years=2, replicates=10, seed=3, quota=30)
    assert more.observed_share[-1]["mean"] > a.observed_share[-1]["mean"]


def test_open_skies_unknown_party():
    with pytest.raises(InputError, match="unknown party"):
        av.open_skies(party="FR", replicates=1)


# ---------------------------------------------------------------- broken files

REGIME = """\
kind: inspection_regime
id: test
name: Test regime
inspections:
  - name: a
    label: A
    per_year: 10
    counts_reentry_vehicles: true
    missiles_per_inspection: 1
    status: official
    source: state-newstart-factsheet-2011
"""


def _write(tmp_path, text, name="regime.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_good_regime_file_loads(tmp_path):
    _write(tmp_path, REGIME)
    assert av.load_regimes(tmp_path)["test"].missiles_checked_per_year == 10


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("per_year: 10", "per_year: -1", 7, "greater than or equal to 0"),
        ("per_year: 10", "per_yeer: 10", 5, "per_year.*required field is missing"),
        ("name: Test regime\n", "name: Test regime\nnickname: T\n", 4, "unknown field"),
        (
            "source: state-newstart-factsheet-2011",
            "source: no_such_source",
            11,
            "unknown source id",
        ),
        (
            "    status: official\n    source: state-newstart-factsheet-2011\n",
            "    status: official\n",
            5,
            "needs a source id",
        ),
        ("status: official", "status: assumption", 5, "needs a note"),
        ("status: official", "status: rumour", 10, "status"),
        ("  - name: a", "  - name: [a", 6, "invalid YAML"),  # found on the next line
    ],
)
def test_broken_regime_files_name_file_line_and_field(tmp_path, old, new, line, message):
    assert old in REGIME
    path = _write(tmp_path, REGIME.replace(old, new))
    with pytest.raises(InputError, match=message) as info:
        av.load_regimes(tmp_path)
    assert info.value.file == str(path)
    assert info.value.line == line


def test_duplicate_regime_ids(tmp_path):
    _write(tmp_path, REGIME, "a.yaml")
    _write(tmp_path, REGIME, "b.yaml")
    with pytest.raises(InputError, match="duplicate regime id"):
        av.load_regimes(tmp_path)


def test_broken_open_skies_file(tmp_path):
    text = av.VERIFICATION_DATA.joinpath("open_skies.yaml").read_text()
    path = _write(tmp_path, text.replace("value: 3750", "value: fast"), "os.yaml")
    with pytest.raises(InputError, match="valid number") as info:
        av.load_open_skies(path)
    assert info.value.field == "flight_distance_km.value"
    assert text.splitlines()[info.value.line - 1].strip() == "value: 3750"
