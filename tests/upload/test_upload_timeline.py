"""Upload timelines of real forces: sourced maxima, zero rates, the index along the way."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from detente.analysis.stability import evaluate, make_sides
from detente.analysis.upload import (
    capacity_by_leg,
    upload_inputs,
    upload_race,
    upload_timeline,
)
from detente.errors import InputError
from detente.model.catalog import load_force, sources
from detente.model.force import Holding
from detente.model.upload import UPLOAD_FILE, load_upload_defaults
from detente.model.yamlio import load_yaml

US, RU = load_force("us-2025"), load_force("ru-2025")

# FAS, Korda & Kristensen, "If Arms Control Collapses, US and Russian Strategic Nuclear Arsenals
# Could Double In Size" (February 2023), as summarised in research/upload_estimates.md §1:
# US ICBMs "400 -> up to 950", SLBMs "about 1,920".
FAS_US_ICBM_MAX = 950
FAS_US_SLBM_MAX = 1920


def test_us_icbm_and_slbm_upload_maxima_match_fas() -> None:
    maxima = capacity_by_leg(US)
    assert maxima["ICBM"] == FAS_US_ICBM_MAX
    assert maxima["SLBM"] == pytest.approx(FAS_US_SLBM_MAX, rel=0.02)


def test_a_long_timeline_reaches_the_maxima_and_stays_there() -> None:
    t = upload_timeline(US, months=60)
    legs = t.by_leg()
    assert legs["ICBM"][-1] == FAS_US_ICBM_MAX
    assert legs["SLBM"][-1] == pytest.approx(FAS_US_SLBM_MAX, rel=0.02)
    for leg, top in capacity_by_leg(US).items():
        assert (legs[leg] <= top + 1e-9).all()
    assert legs["ICBM"][0] == 400 and legs["SLBM"][0] == 970  # FAS 2025 (us-2025)


def test_reloaded_silos_come_into_use_after_the_deployed_ones_are_full() -> None:
    t = upload_timeline(US, months=60, rates={"SLBM": 0, "bomber": 0})
    k = t.inputs.systems.index("minuteman-iii")
    w, n = t.deployed[:, k], t.launchers[:, k]
    assert (n[w <= 800] == 400).all()
    assert n[-1] == 450  # the 50 warm silos (FAS 2023)


def test_a_zero_rate_changes_nothing_and_keeps_the_index() -> None:
    t = upload_race(US, RU, months=12, rate_scale=0.0)
    for side in t.sides():
        assert (side.deployed == side.deployed[0]).all()
    fsi = t.stability.fsi
    assert (fsi == fsi[0]).all()
    static = evaluate(make_sides([US, RU]))
    assert fsi[0] == pytest.approx(static.fsi, rel=1e-12)


def test_month_zero_and_the_last_month_match_single_evaluations() -> None:
    t = upload_race(US, RU, months=24)
    w80 = t.stability.w80
    for month in (0, 24):
        forces = [_force_at(side, month) for side in t.sides()]
        one = evaluate(make_sides(forces, w80=w80))
        assert t.stability.fsi[month] == pytest.approx(one.fsi, rel=1e-9)
        for label in one.labels:
            assert t.stability.r[label][month] == pytest.approx(one.r[label], rel=1e-9)


def _force_at(side, month):
    """The side's force with the timeline's warheads and launchers in ``month``."""
    names = dict(zip(side.inputs.names, range(len(side.inputs.names)), strict=True))
    holdings = []
    for h in side.force.holdings:
        k = names.get(h.name)
        if k is None:
            holdings.append(h)
            continue
        n = side.launchers[month, k]
        assert n == round(n), "pick a month with whole launchers"
        launchers = h.launchers.model_copy(update={"deployed": round(n)})
        holdings.append(
            Holding.model_validate(
                {
                    **h.model_dump(exclude={"loading", "warheads", "launchers"}),
                    "launchers": launchers,
                    "warheads": side.deployed[month, k],
                }
            )
        )
    return side.force.model_copy(update={"holdings": tuple(holdings)})


def _silo_upload(uploader, other, silent, posture):
    """FSI and both sides' r over the months in which only silo warheads change."""
    t = upload_timeline(uploader, months=24, rates=silent, opponent=other, posture=posture)
    fixed = np.asarray(
        [s in {"minuteman-iii", "r-36m2", "rs-24-yars-silo"} for s in t.inputs.systems]
    )
    same_launchers = (t.launchers == t.launchers[0]).all(axis=1)
    silo_warheads = t.deployed[:, fixed].sum(axis=1)
    months = np.flatnonzero(same_launchers)
    assert silo_warheads[months[-1]] > silo_warheads[0], "the test must see an upload"
    r = {k: np.asarray(v)[months] for k, v in t.stability.r_uncapped.items()}
    return t.stability.fsi[months], r


@pytest.mark.parametrize(
    ("posture", "first", "last", "monotone"),
    [("day_to_day", 0.6868, 0.5823, True), ("generated", 0.9928, 0.9539, False)],
)
def test_us_silo_upload_lowers_the_index(posture, first, last, monotone) -> None:
    # docs/upload.md, "Direction": while Minuteman III uploads onto its 400 silos (launchers
    # unchanged), each silo becomes a more lucrative Russian target and Russia's r falls month
    # by month. FSI ends lower and never rises above its start; day-to-day it falls every
    # month, generated it rises once by 0.0003 (month 5 to 6) on the 2025 forces.
    fsi, r = _silo_upload(US, RU, {"SLBM": 0, "bomber": 0}, posture)
    assert (np.diff(r["RU"]) <= 1e-12).all()
    assert (fsi <= fsi[0] + 1e-12).all()
    assert bool((np.diff(fsi) <= 1e-12).all()) is monotone
    assert (round(fsi[0], 4), round(fsi[-1], 4)) == (first, last)


@pytest.mark.parametrize(
    ("posture", "fsi_ends", "ru_ends", "us_ends"),
    [
        ("day_to_day", (0.6868, 0.6964), (1.0246, 1.0108), (0.6868, 0.6964)),
        ("generated", (0.9928, 0.9950), (0.9987, 0.9997), (0.9941, 0.9954)),
    ],
)
def test_russian_silo_upload_has_no_fixed_direction(posture, fsi_ends, ru_ends, us_ends) -> None:
    # docs/upload.md, "Direction": the other side's r rises (more of the uploader's silo
    # warheads survive a first strike to retaliate), so FSI can rise: on the 2025 forces the
    # Russian silo upload raises it in both postures. Russia's own (uncapped) r falls day to day
    # (1.0246 -> 1.0108, still above 1, so the index is the US r) and rises slightly generated.
    fsi, r = _silo_upload(RU, US, {"SLBM": 0, "bomber": 0, "rs-24-yars-mobile": 0}, posture)
    assert (round(fsi[0], 4), round(fsi[-1], 4)) == fsi_ends
    assert (round(r["RU"][0], 4), round(r["RU"][-1], 4)) == ru_ends
    assert (round(r["US"][0], 4), round(r["US"][-1], 4)) == us_ends
    assert (np.diff(r["US"]) >= -1e-12).all()


def test_dates_follow_the_calendar_from_the_lapse() -> None:
    t = upload_timeline(US, months=13, start=dt.date(2026, 2, 5))
    assert t.dates[0] == dt.date(2026, 2, 5) and t.dates[-1] == dt.date(2027, 3, 5)
    assert t.to_frame()["date"].iloc[12] == "2027-02-05"


def test_frame_and_dict_carry_the_same_numbers() -> None:
    t = upload_race(US, RU, months=6)
    frame, data = t.to_frame(), json.loads(json.dumps(t.to_dict()))
    for label, side in data["sides"].items():
        for leg, values in side["legs"].items():
            assert frame[f"{label}_{leg}"].tolist() == values
        assert frame[f"{label}_total"].tolist() == side["total"]
    assert frame["fsi"].tolist() == data["stability"]["fsi"]


def test_every_default_used_is_reported_with_its_source_and_status() -> None:
    rows = upload_timeline(US, months=1).to_dict()["sides"]["US"]["provenance"]
    items = {r["item"] for r in rows}
    assert "systems.minuteman-iii.max_loading" in items
    assert "parties.US.reserve.icbm" in items
    for row in rows:
        assert row["source"] and row["status"], row


def test_every_upload_default_is_sourced_and_assumptions_have_a_reason_and_range() -> None:
    defaults = load_upload_defaults(UPLOAD_FILE)
    known = sources()
    models = [s for s in defaults.systems.values()]
    models += [p.reserve for p in defaults.parties.values()]
    for model in models:
        for name, _value, prov in model.sourced_values():
            assert prov is not None and prov.source and prov.status, name
            assert set(prov.source) <= set(known), name
            if prov.status == "assumption":
                assert prov.note, name
                assert prov.low is not None or prov.high is not None, name
    # No source gives a rate or a delay: they must say so.
    for system in defaults.systems.values():
        assert system.provenance["rate_per_unit"].status == "assumption"
        assert system.provenance["start_delay_months"].status == "assumption"


def test_new_source_ids_do_not_clash_with_the_others() -> None:
    own = load_yaml(UPLOAD_FILE.with_name("sources_upload.yaml")).data["sources"]
    others = {}
    for path in UPLOAD_FILE.parent.glob("sources*.yaml"):
        if path.name != "sources_upload.yaml":
            others.update(load_yaml(path).data["sources"])
    assert not set(own) & set(others)


def test_overrides_replace_rates_delays_and_reserves() -> None:
    u = upload_inputs(
        US, rates={"ICBM": 5.0}, delays={"trident-ii-d5": 2.0}, reserves={"SLBM": 10.0}
    )
    k = u.systems.index("minuteman-iii")
    assert u.rate[k] == 5.0
    assert u.start_delay[u.systems.index("trident-ii-d5")] == 2.0
    assert u.reserve[u.pools.index("SLBM")] == 10.0
    assert capacity_by_leg(US, reserves={"SLBM": 10.0})["SLBM"] == 980.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rates": {"no-such-system": 1.0}}, "unknown key"),
        ({"rates": {"ICBM": -1.0}}, ">= 0"),
        ({"reserves": {"ICBM": float("nan")}}, ">= 0"),
        ({"months": -2}, "months"),
        ({"posture": "alert"}, "posture"),
        ({"rate_scale": -1.0}, "rate_scale"),
    ],
)
def test_bad_arguments_are_input_errors(kwargs, match) -> None:
    with pytest.raises(InputError, match=match):
        upload_timeline(US, **kwargs)


def test_an_opponent_timeline_of_another_length_is_refused() -> None:
    with pytest.raises(InputError, match="months"):
        upload_timeline(US, months=6, opponent=upload_timeline(RU, months=5))


def test_a_broken_upload_file_names_its_line_and_field(tmp_path) -> None:
    bad = tmp_path / "upload.yaml"
    bad.write_text(
        "systems:\n  minuteman-iii:\n    max_loading: -3\n    unit: base\n"
        "    units: 3\n    rate_per_unit: 20\n"
    )
    with pytest.raises(InputError) as err:
        load_upload_defaults(bad)
    assert err.value.line == 3 and err.value.field == "systems.minuteman-iii.max_loading"
    unknown = tmp_path / "unknown.yaml"
    entry = "max_loading: 3, capable_share: 1, reloadable_launchers: 0, unit: base, units: 1"
    unknown.write_text(
        f"systems:\n  no-such: {{{entry}, rate_per_unit: 1, start_delay_months: 0}}\n"
    )
    with pytest.raises(InputError, match="unknown system"):
        load_upload_defaults(unknown)


@pytest.mark.parametrize("backend", ["numpy", "compiled"])
def test_the_index_along_the_timeline_is_one_kernel_call(monkeypatch, backend) -> None:
    """Every month's index in one batch (B = months + 1), on either kernel path; the two
    paths agree to 1e-12."""
    from detente.kernels import compiled
    from detente.kernels import stability as ks

    if backend == "compiled" and not compiled.available():
        pytest.skip("numba is not installed")
    want = upload_race(US, RU, months=18).stability
    batches = []

    def spy(*args, index=ks.stability_index, **kwargs):
        batches.append(np.shape(args[0].n)[0])
        return index(*args, **kwargs)

    monkeypatch.setattr(ks, "stability_index", spy)
    monkeypatch.setenv("DETENTE_KERNEL", backend)
    got = upload_race(US, RU, months=18).stability
    assert batches == [19]
    np.testing.assert_allclose(got.fsi, want.fsi, rtol=0, atol=1e-12)
    for label, r in want.r.items():
        np.testing.assert_allclose(got.r[label], r, rtol=0, atol=1e-12)
