"""The JSON API: each endpoint passes the right things to the analysis layer and answers with
its JSON; bad input is a 422 naming the field, unknown names list the allowed ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from detente.analysis import risk as ar
from detente.analysis import verification as av
from detente.analysis.counting import count
from detente.analysis.stability import StabilityParams, evaluate, make_sides
from detente.analysis.upload import upload_timeline
from detente.cli import app as cli_app
from detente.model.catalog import force_names, load_force, sources, system_table, systems
from detente.model.treaties import load_treaty, treaty_from_document, treaty_names
from detente.model.yamlio import Document
from detente.web import bundled

NOTIONAL = Path(__file__).resolve().parents[2] / "examples" / "notional"


def _notional(case: str) -> list[dict]:
    return [yaml.safe_load((NOTIONAL / f"{case}-{x}.yaml").read_text()) for x in "ab"]


def _cli_json(*args: str) -> dict:
    result = CliRunner().invoke(cli_app, ["stability", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# --- bundled data ---------------------------------------------------------------------------


def test_health(client):
    assert client.get("/api/health").json()["status"] == "ok"


def test_forces_list_and_show(client):
    listed = client.get("/api/forces").json()
    assert [f["name"] for f in listed] == force_names()
    us = load_force("us-2025")
    shown = client.get("/api/forces/us-2025").json()
    assert shown["party"] == us.party
    assert [h["system"] for h in shown["holdings"]] == [h.system for h in us.holdings]


def test_unknown_force_is_404_listing_the_names(client):
    r = client.get("/api/forces/xx-1999")
    assert r.status_code == 404
    assert all(name in r.json()["detail"] for name in force_names())


def test_systems_and_treaties(client):
    assert {s["id"] for s in client.get("/api/systems").json()} == set(systems())
    assert client.get("/api/systems/minuteman-iii").json()["max_loading"] == (
        systems()["minuteman-iii"].max_loading
    )
    assert client.get("/api/systems/nope").status_code == 404
    listed = [t["id"] for t in client.get("/api/treaties").json()]
    assert listed == [*treaty_names(), *bundled.example_treaties()]
    for ref in bundled.example_treaties():  # the example treaties, by the name scenarios use
        assert (
            client.get(f"/api/treaties/{ref}").json()["id"]
            == load_treaty(bundled.EXAMPLES_DIR / ref).id
        )
    assert client.get("/api/treaties/../pyproject.toml").status_code == 404
    limits = client.get("/api/treaties/new-start").json()["limits"]
    assert [x["id"] for x in limits] == [x.id for x in load_treaty("new-start").limits]
    assert {s["id"] for s in client.get("/api/sources").json()} == set(sources())


# --- counting -------------------------------------------------------------------------------


def test_count_bundled_names_matches_the_counting_engine(client):
    force, treaty = load_force("us-2020-09-01"), load_treaty("new-start")
    expected = count(force, treaty, system_table(force)).to_dict()
    r = client.post("/api/count", json={"force": "us-2020-09-01", "treaty": "new-start"})
    assert r.status_code == 200
    assert r.json() == json.loads(json.dumps(expected))


def test_count_inline_objects(client):
    force = load_force("us-2020-09-01")
    inline = force.model_dump(mode="json", exclude={"provenance"})
    inline["holdings"] = [
        {k: v for k, v in h.items() if k != "provenance"} for h in inline["holdings"]
    ]
    for h in inline["holdings"]:
        for key in ("launchers", "alert"):
            h[key].pop("provenance", None)
    inline.pop("stockpile")
    treaty = {
        "id": "cap-500",
        "name": "A 500-warhead cap",
        "status": "hypothetical",
        "limits": [{"id": "warheads", "quantity": "deployed_warheads", "max": 500}],
    }
    r = client.post("/api/count", json={"force": inline, "treaty": treaty})
    assert r.status_code == 200, r.text
    cap = treaty_from_document(Document(treaty, "cap"))
    expected = count(force, cap, system_table(force)).limit("warheads")
    (limit,) = r.json()["limits"]
    assert (limit["count"], limit["ok"]) == (expected.count, False)


def test_count_inline_error_names_the_field(client):
    force = {"name": "x", "party": "US", "as_of": "2020-01-01", "holdings": [{}]}
    r = client.post("/api/count", json={"force": force, "treaty": "new-start"})
    assert r.status_code == 422
    assert r.json()["field"].startswith("force.holdings.0")


@pytest.mark.parametrize("ref", ["/etc/passwd", "../data/forces/us-2025.yaml", "us-2025.yaml"])
def test_no_file_path_is_accepted(client, ref):
    r = client.post("/api/count", json={"force": ref, "treaty": "new-start"})
    assert r.status_code == 422
    assert "bundled" in r.json()["detail"]


# --- stability ------------------------------------------------------------------------------


def test_stability_t1_inline_notional_forces(client):
    """models.md §2, check case T1: FSI 0.2871."""
    r = client.post("/api/stability", json={"forces": _notional("t1")})
    assert r.status_code == 200
    assert round(r.json()["fsi"], 4) == 0.2871


def test_stability_is_exactly_the_cli_json(client):
    files = [str(NOTIONAL / f"t2-{x}.yaml") for x in "ab"]
    r = client.post("/api/stability", json={"forces": _notional("t2"), "params": {"de": 0.7}})
    assert r.json() == _cli_json(*files, "--de", "0.7")
    r = client.post(
        "/api/stability",
        json={"forces": ["us-2025", "ru-2025"], "params": {"lua": True, "posture": "generated"}},
    )
    assert r.json() == _cli_json("us-2025", "ru-2025", "--lua", "--posture", "generated")


def test_stability_per_side_options(client):
    forces = [load_force("us-2025"), load_force("ru-2025")]
    params = {"kmax": 3, "posture": {"RU": "generated"}, "lua": {"US": True}, "w80": {"RU": 300}}
    sides = make_sides(forces, posture={"RU": "generated"}, lua={"US": True}, w80={"RU": 300})
    expected = evaluate(sides, StabilityParams(kmax=3)).to_dict()
    r = client.post("/api/stability", json={"forces": ["us-2025", "ru-2025"], "params": params})
    assert r.json() == json.loads(json.dumps(expected))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"forces": ["us-2025"]}, "forces"),
        ({"forces": ["us-2025", "ru-2025"], "params": {"de": 1.5}}, "params.de"),
        ({"forces": ["us-2025", "ru-2025"], "params": {"kmax": 0}}, "params.kmax"),
        ({"forces": ["us-2025", "zz-2000"]}, "forces.1"),
        ({"forces": ["us-2025", "ru-2025"], "params": {"w80": {"CN": 5}}}, "params.w80"),
        ({"forces": ["us-2025", "ru-2025"], "params": {"posture": "relaxed"}}, "params.posture"),
        ({"forces": ["us-2025", "ru-2025"], "extra": 1}, "extra"),
    ],
)
def test_stability_bad_input_is_422_naming_the_field(client, body, field):
    r = client.post("/api/stability", json=body)
    assert r.status_code == 422
    assert r.json()["field"].startswith(field)
    assert field.split(".")[0] in r.json()["detail"]


def test_stability_notional_needs_the_opponents_w80(client):
    r = client.post("/api/stability", json={"forces": [_notional("t1")[0], "ru-2025"]})
    assert r.status_code == 422
    assert "w80" in r.json()["detail"]


def test_unknown_force_lists_the_allowed_names(client):
    r = client.post("/api/stability", json={"forces": ["us-2025", "zz-2000"]})
    assert all(name in r.json()["detail"] for name in force_names())


# --- verification, risk, upload, assessment ---------------------------------------------


def test_verify_calculators_match_the_analysis_layer(client):
    detect = {"missiles": 400, "overloaded": 40, "inspections": 10, "gain": 1, "loss": 4}
    r = client.post("/api/verify/detect", json=detect)
    assert r.json() == av.detect(400, 40, 10, gain=1, loss=4).to_dict()
    r = client.post(
        "/api/verify/bound", json={"missiles": 400, "clean_inspections": 10, "years": 5}
    )
    assert r.json() == av.clean_inspection_bound(400, 10, years=5).to_dict()
    r = client.post("/api/verify/plan", json={"missiles": 400, "overloaded": 40, "target": 0.9})
    assert r.json() == av.plan_inspections(400, 40, 0.9).to_dict()
    r = client.post("/api/verify/regimes", json={"missiles": 400, "overloaded": 40, "years": 3})
    assert r.json() == json.loads(json.dumps(av.compare_regimes(400, 40, years=3).to_dict()))


def test_open_skies_and_its_work_cap(client):
    r = client.post("/api/verify/open-skies", json={"replicates": 5, "years": 1, "seed": 3})
    expected = av.open_skies(replicates=5, years=1, seed=3).to_dict()
    assert r.json() == json.loads(json.dumps(expected))
    r = client.post("/api/verify/open-skies", json={"replicates": 1000, "years": 20})
    assert r.status_code == 422
    assert r.json()["field"] == "replicates"


def test_risk_matches_and_caps_samples(client):
    r = client.post("/api/risk", json={"samples": 500, "seed": 2, "years": 5})
    expected = ar.run_risk(samples=500, seed=2, years=5).to_dict()
    assert r.json()["annual_probability"] == expected["annual_probability"]
    r = client.post("/api/risk", json={"samples": 10**7})
    assert r.status_code == 422
    assert r.json()["field"] == "samples"


def test_upload_timeline(client):
    us, ru = load_force("us-2025"), load_force("ru-2025")
    expected = upload_timeline(us, months=6, opponent=upload_timeline(ru, months=6))
    r = client.post("/api/upload", json={"force": "us-2025", "against": "ru-2025", "months": 6})
    assert r.status_code == 200
    assert r.json()["stability"]["fsi"] == expected.to_dict()["stability"]["fsi"]
    assert client.post("/api/upload", json={"force": "us-2025", "hold": True}).status_code == 422


def test_assess_object_and_yaml_agree(client):
    scenario = {"name": "x", "parties": [{"force": "us-2025"}, {"force": "ru-2025"}]}
    by_object = client.post("/api/assess", json={"scenario": scenario})
    by_yaml = client.post("/api/assess", json={"yaml": yaml.safe_dump(scenario)})
    assert by_object.status_code == by_yaml.status_code == 200
    direct = client.post("/api/stability", json={"forces": ["us-2025", "ru-2025"]}).json()
    assert by_object.json()["fsi"] == by_yaml.json()["fsi"] == direct["fsi"]


def test_assess_refuses_paths_and_too_many_samples(client):
    bad = {"name": "x", "parties": [{"force": "us-2025"}, {"force": "/tmp/x.yaml"}]}
    r = client.post("/api/assess", json={"scenario": bad})
    assert (r.status_code, r.json()["field"]) == (422, "parties.1.force")
    text = "name: x\nparties: [{force: us-2025}, {force: ru-2025}]\nsamples: 4000000\n"
    r = client.post("/api/assess", json={"yaml": text})
    assert (r.status_code, r.json()["field"]) == (422, "samples")
    assert client.post("/api/assess", json={}).status_code == 422


def test_assess_never_reads_a_risk_file_named_by_the_request(client):
    """A scenario's risk block could name any .yaml path: the web app takes bundled sets only."""
    parties = [{"force": "us-2025"}, {"force": "ru-2025"}]
    for ref in ("/work/main/examples/new-start-expiry.yaml", "../examples/x.yaml"):
        scenario = {"name": "x", "parties": parties, "risk": {"parameters": ref}}
        r = client.post("/api/assess", json={"scenario": scenario})
        assert (r.status_code, r.json()["field"]) == (422, "risk.parameters")
        assert "kind" not in r.json()["detail"]  # nothing read from the named file
    scenario = {"name": "x", "parties": parties, "risk": {"samples": 200_000}}
    r = client.post("/api/assess", json={"scenario": scenario})
    assert (r.status_code, r.json()["field"]) == (422, "risk.samples")


def test_an_inline_treaty_may_not_read_a_table_from_disk(client):
    treaty = {
        "id": "t",
        "name": "T",
        "status": "hypothetical",
        "limits": [{"id": "w", "quantity": "deployed_warheads", "max": 1}],
        "declared_table": {"file": "/etc/passwd", "columns": {"w": "root"}},
    }
    r = client.post("/api/count", json={"force": "us-2025", "treaty": treaty})
    assert r.status_code == 422
    assert r.json()["field"] == "treaty.declared_table"
    assert "read only from treaty files" in r.json()["detail"]
