"""The page's endpoints: explore (index, curves, compliance), scenario YAML both ways, presets."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import yaml

from detente.analysis.counting import count
from detente.analysis.scenario import resolve
from detente.analysis.stability import evaluate
from detente.model.catalog import system_table
from detente.model.scenario import load_scenario, parse_scenario
from detente.web import bundled

STATE = {
    "name": "web-test",
    "parties": [
        {
            "force": "us-2025",
            "lua": True,
            "modifications": {"holdings": {"minuteman-iii": {"loading": 3}}},
        },
        {"force": "ru-2025", "posture": "generated"},
    ],
    "treaty": "new-start",
    "parameters": {"de": 0.7},
}


def _reference(state: dict, caps: dict | None = None) -> tuple[dict, dict]:
    """Stability and counts of a state through the scenario layer, no web code involved."""
    resolved = resolve(parse_scenario(yaml.safe_dump(state)))
    result = evaluate(resolved.sides(resolved.labels), resolved.params)
    treaty = resolved.treaty
    if caps:
        limits = tuple(
            x.model_copy(update={"max": caps[x.id]}) if x.id in caps else x for x in treaty.limits
        )
        treaty = treaty.model_copy(update={"limits": limits})
    counts = {
        p.label: count(p.force, treaty, system_table(p.force)).to_dict() for p in resolved.parties
    }
    return json.loads(json.dumps(result.to_dict())), json.loads(json.dumps(counts))


def test_explore_matches_the_scenario_layer(client):
    r = client.post("/api/explore", json={"scenario": STATE})
    assert r.status_code == 200, r.text
    stability, counts = _reference(STATE)
    out = r.json()
    assert out["stability"] == stability
    assert out["compliance"] == counts
    us = out["sides"][0]
    mm3 = next(h for h in us["holdings"] if h["key"] == "minuteman-iii")
    assert (mm3["loading"], mm3["base"]["loading"]) == (3, 1)
    for striker, curve in out["drawdown"].items():
        assert curve["x"][0] == 0 and len(curve["x"]) == len(curve["K"])
        assert curve["x"][-1] >= out["stability"]["x_star"][striker]


def test_explore_with_a_defence_matches_the_analysis_layer(client):
    state = {**STATE, "parties": [{**STATE["parties"][0], "defense": {"interceptors": 500}},
                                  STATE["parties"][1]]}  # fmt: skip
    out = client.post("/api/explore", json={"scenario": state}).json()
    resolved = resolve(parse_scenario(yaml.safe_dump(state)))
    sides = resolved.sides(resolved.labels)
    sides[0] = replace(sides[0], defense=resolved.party("US").spec.defense)
    expected = evaluate(sides, resolved.params).to_dict()
    assert out["stability"] == json.loads(json.dumps(expected))
    assert out["stability"]["defense"]["US"]["interceptors"] == 500
    assert (
        out["stability"]["fsi"]
        != client.post("/api/explore", json={"scenario": STATE}).json()["stability"]["fsi"]
    )


def test_explore_caps_change_compliance_only(client):
    caps = {"deployed_warheads": 1000}
    plain = client.post("/api/explore", json={"scenario": STATE}).json()
    capped = client.post("/api/explore", json={"scenario": STATE, "caps": caps}).json()
    assert capped["stability"] == plain["stability"]
    assert capped["compliance"] == _reference(STATE, caps)[1]
    limit = next(x for x in capped["treaty"]["limits"] if x["id"] == "deployed_warheads")
    assert (limit["max"], limit["base"]) == (1000, 1550)


def _us_change(change: dict) -> dict:
    """STATE with ``change`` as the US holdings' modifications."""
    us = {"force": "us-2025", "modifications": {"holdings": change}}
    return {"scenario": {**STATE, "parties": [us, {"force": "ru-2025"}]}}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"caps": {"no_such_limit": 5}}, "caps.no_such_limit"),
        ({"scenario": {**STATE, "treaty": "made-up"}}, "treaty"),
        (
            {"scenario": {**STATE, "parties": [{"force": "us-2025"}, {"force": "x/../../etc"}]}},
            "parties.1.force",
        ),
        (_us_change({"nope": {}}), "parties.0.modifications.holdings.nope"),
        (
            _us_change({"minuteman-iii": {"loading": 9}}),
            "parties.0.modifications.holdings.minuteman-iii.loading",
        ),
    ],
)
def test_explore_errors_name_the_field(client, change, field):
    r = client.post("/api/explore", json={"scenario": STATE, **change})
    assert r.status_code == 422
    assert r.json()["field"] == field


def test_scenario_yaml_round_trip(client):
    text = client.post("/api/scenario/yaml", json=STATE).json()["text"]
    assert yaml.safe_load(text)["parties"][0]["modifications"]["holdings"]["minuteman-iii"] == {
        "loading": 3.0
    }
    assert parse_scenario(text).name == STATE["name"]
    back = client.post("/api/scenario/parse", json={"text": text}).json()
    assert back["ignored"] == []
    assert back["scenario"] == json.loads(json.dumps(STATE))


def test_parse_lists_what_the_page_leaves_out(client):
    text = yaml.safe_dump(
        {
            "name": "three",
            "parties": [
                {"force": "us-2025", "defense": {"interceptors": 44, "p_kill": 0.5}},
                {"force": "ru-2025"},
                {"force": "cn-2025"},
            ],
            "samples": 100,
        }
    )
    out = client.post("/api/scenario/parse", json={"text": text}).json()
    assert set(out["ignored"]) == {"parties.2"}
    assert [p["force"] for p in out["scenario"]["parties"]] == ["us-2025", "ru-2025"]
    assert out["scenario"]["samples"] == 100  # the page state is the whole scenario
    defense = out["scenario"]["parties"][0]["defense"]
    assert {"interceptors": 44, "p_kill": 0.5}.items() <= defense.items()
    assert out["notes"] == [
        "party 3, China (cn-2025)",
        "the whole scenario: detente assess the file",
    ]


def test_a_preset_the_page_shows_in_part_says_so_in_words(client):
    presets = {p["name"]: p["partial"] for p in client.get("/api/presets").json()}
    assert presets["china-1000"] and presets["upload-race"]
    assert not presets["new-start-expiry"] and not presets["golden-dome"]
    china = client.get("/api/presets/china-1000").json()
    assert china["notes"][0] == "party 3, China (cn-2025)"
    assert (
        "the uncertain input China, JL-3 on Type 094 Jin: alert fraction, day-to-day"
        in (china["notes"])
    )
    assert china["notes"][-1] == "the whole scenario: detente assess examples/china-1000.yaml"
    race = client.get("/api/presets/upload-race").json()
    assert race["ignored"] == []  # the page holds the upload plan, and says it does not draw it
    assert race["notes"][0].startswith("the upload timeline")
    assert client.get("/api/presets/new-start-expiry").json()["notes"] == []


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("name: [x", "name.0"),
        ("name: x\nparties:\n  - force: us-2025\n  - force: ../secret.yaml\n", "parties.1.force"),
        ("name: x\nparties:\n  - force: us-2025\n", "parties"),
        ("!!python/object/apply:os.system ['true']", None),
    ],
)
def test_parse_errors_are_422_with_the_field(client, text, field):
    r = client.post("/api/scenario/parse", json={"text": text})
    assert r.status_code == 422
    assert r.json()["field"] == field


def test_presets_are_the_examples_that_load(client):
    names = [p["name"] for p in client.get("/api/presets").json()]
    assert set(names) <= set(bundled.example_texts())
    for name in names:
        state = client.get(f"/api/presets/{name}").json()["scenario"]
        shown = client.post("/api/explore", json={"scenario": state}).json()
        example = resolve(load_scenario(bundled.EXAMPLES_DIR / f"{name}.yaml"))
        sides = [
            replace(s, defense=example.party(s.label).spec.defense)
            for s in example.sides(example.labels[:2])
        ]
        first_pair = evaluate(sides, example.params)
        assert shown["stability"]["fsi"] == first_pair.fsi
    assert client.get("/api/presets/..%2Fpyproject").status_code == 404


def test_presets_include_the_default_example(client):
    if not (bundled.EXAMPLES_DIR / "new-start-expiry.yaml").exists():
        pytest.skip("examples/new-start-expiry.yaml is not in this checkout")
    names = [p["name"] for p in client.get("/api/presets").json()]
    assert "new-start-expiry" in names
