"""The assessment as a thin container of typed sections (#12 item 5): the posture grid in one
kernel call, the caveats' wording read from ``data/caveats.yaml``, and the same numbers and
words as before the split."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from detente.analysis import stability_section
from detente.analysis.assess import Assessment, assess
from detente.analysis.caveats import CAVEATS_FILE, text
from detente.analysis.scenario import resolve
from detente.analysis.stability_section import posture_cases
from detente.analysis.uncertainty import evaluate_batch, flat_outputs
from detente.model.scenario import load_scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "detente"
EXAMPLES = ROOT / "examples"
PAIR = "name: x\nparties: [{force: us-2025}, {force: ru-2025}]"


@pytest.fixture(scope="module")
def golden_dome():
    return assess(EXAMPLES / "golden-dome.yaml", samples=50, seed=7)


def test_the_posture_grid_of_a_pair_is_one_kernel_call(monkeypatch):
    calls = []
    real = stability_section.row_values

    def counted(rows, params):
        calls.append(len(rows))
        return real(rows, params)

    monkeypatch.setattr(stability_section, "row_values", counted)
    monkeypatch.setattr(stability_section, "evaluate", None)  # no case-by-case fallback
    cases = posture_cases(resolve(parse_scenario(PAIR)))
    assert calls == [16]
    first = {(c.lua["US"], c.lua["RU"]): c for c in cases[:4]}  # both day-to-day
    assert first[False, False].fsi == pytest.approx(0.68678943457243, abs=1e-12)
    assert first[True, False].fsi == pytest.approx(0.6708177675777993, abs=1e-12)
    assert first[False, True].fsi == pytest.approx(0.8988729257280881, abs=1e-12)
    assert first[False, True].r == pytest.approx(
        {"US": 0.9343509940558796, "RU": 0.9620291854415582}
    )


def test_a_defended_posture_grid_is_one_call_equal_to_the_batched_path(monkeypatch):
    """With a missile defence the 16 cases were 16 calls of evaluate_batch; they are now rows
    of one call, with the same values."""
    resolved = resolve(load_scenario(EXAMPLES / "golden-dome.yaml"))
    calls = []
    real = stability_section.row_values
    monkeypatch.setattr(
        stability_section, "row_values", lambda rows, p: calls.append(len(rows)) or real(rows, p)
    )
    cases = posture_cases(resolved)
    assert calls == [16]
    for c in cases:
        out = flat_outputs(evaluate_batch(resolved, {}, 1, posture=c.posture, lua=c.lua))
        assert c.fsi == pytest.approx(out["fsi"][0], abs=1e-12)
        assert c.r == pytest.approx({k: out[f"r.{k}"][0] for k in c.pair}, abs=1e-12)
    assert cases[0].fsi == pytest.approx(0.2982245050637956, abs=1e-12)


def test_every_section_has_a_declared_type():
    declared = {f.name: f.type for f in dataclasses.fields(Assessment)}  # annotations as text
    assert list(declared)[:4] == ["scenario", "resolved", "headline", "counts"]
    assert declared["headline"] == "StabilitySection"
    assert declared["upload"] == "UploadTimeline | None"
    assert not [name for name, kind in declared.items() if "Any" in kind]


def test_the_sections_and_tables_of_an_assessment(golden_dome):
    a = golden_dome
    assert a.fsi == a.headline.fsi == pytest.approx(0.2982245050637956, abs=1e-12)
    assert a.stability is a.headline.pairs and a.postures is a.headline.postures
    assert a.system is a.headline.system and a.system["fsi"] == a.fsi
    assert sorted(a.frames()) == [
        "compliance", "context", "drawdown", "forces", "fsi_postures", "ledger", "legs", "risk",
        "risk_interventions", "risk_parameters", "risk_tornado", "sources", "tornado",
        "uncertainty", "upload", "verification", "verification_summary",
    ]  # fmt: skip


def test_caveats_and_notes_are_worded_by_the_data_file(golden_dome):
    a = golden_dome
    assert a.caveats[2] == (
        "US missile defence [ours, after Wilkening & Watman 1986]: 1000 interceptors, 2 per RV, "
        "kill each engaged RV with P = 0.9 x [1 - (1 - 0.7)^2]; it thins the first strike on its "
        "party and the retaliation its party suffers (models.md §2). The draw-down curves and "
        "the 'without defences' table leave it out."
    )
    assert a.caveats[-1] == (
        "Inadvertent-war risk (docs/risk.md): 36 of 38 parameter values of "
        "data/risk/bbh2013_illustrative.yaml are ILLUSTRATIVE assumptions; the structure is "
        "Barrett, Baum and Hostetler's (2013), the numbers demonstrate the method and are not "
        "an estimate of the risk."
    )
    assert a.context.note == (
        "The pair US-RU alone, in the scenario's postures and launch settings, struck by the "
        "other's cost-minimising first strike (the exchange of the index). Missile defences are "
        "left out: every surviving warhead arrives."
    )
    assert a.upload_note.startswith(
        "US and RU upload at 1 x the default rates of data/upload.yaml from 2030-01-01 for 36 "
        "months; the index along the way holds w80 fixed and uses day_to_day postures"
    )


def test_every_sentence_of_the_data_file_is_used_and_every_one_used_exists():
    texts = yaml.safe_load(CAVEATS_FILE.read_text(encoding="utf-8"))
    written = {f"{group}.{name}" for group, entries in texts.items() for name in entries}
    code = "".join(p.read_text() for p in (SRC / "analysis").glob("*.py"))
    used = set(re.findall(r'text\(\s*"(\w+\.\w+)"', code))
    assert used == written
    with pytest.raises(KeyError):
        text("caveats.nope")


def test_assess_py_stays_small():
    assert len((SRC / "analysis" / "assess.py").read_text().splitlines()) < 400
