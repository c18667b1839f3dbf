"""GET /api/history: the rows of ``detente.history()``, milestones, sources and the figure."""

from __future__ import annotations

import pytest

from detente.analysis.history import history


def test_history_rows_equal_the_api_frame(client) -> None:
    r = client.get("/api/history", params={"quantity": "stockpile", "party": ["KP", "IL"]})
    assert r.status_code == 200
    body = r.json()
    expected = history(party=["KP", "IL"], quantity="stockpile")
    got = [(x["party"], x["year"], x["producer"], x["edition"], x["value"]) for x in body["rows"]]
    assert got == [
        (p, y, pr, e, int(v))
        for p, y, pr, e, v in zip(
            expected.party,
            expected.year,
            expected.producer,
            expected.edition,
            expected.value,
            strict=True,
        )
    ]
    names = [t["name"] for t in body["figure"]["data"]]
    assert "North Korea (FAS 2023-2024)" in names and "Israel (SIPRI 2024-2025)" in names
    assert {m["treaty"] for m in body["milestones"]} >= {"new-start", "inf"}
    assert all(s in body["sources"] for x in body["rows"] for s in x["source"])


def test_all_editions_keep_the_revision(client) -> None:
    body = client.get("/api/history", params={"quantity": "inventory", "editions": "all"}).json()
    cn = {(x["year"], x["edition"]): x["value"] for x in body["rows"] if x["party"] == "CN"}
    assert cn == {(2022, 2022): 350, (2023, 2023): 410}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"quantity": "megatons"}, "quantity"),
        ({"party": "XX"}, "party"),
        ({"producer": "CIA"}, "producer"),
        ({"editions": "some"}, "editions"),
    ],
)
def test_a_bad_choice_is_a_422_naming_the_field(client, params, field) -> None:
    r = client.get("/api/history", params=params)
    assert r.status_code == 422
    assert r.json()["field"] == field
