"""``detente data history`` over the history tables: CSV from 1945 for nine states and South
Africa, JSON and Parquet exports equal to ``detente.history()``, one-line errors, the offline
HTML chart with treaty milestones, and the New START view with the estimates beside it."""

from __future__ import annotations

import csv
import io
import json
import re
from functools import partial

import pandas as pd
import pytest

from detente.analysis.history import history, milestones


@pytest.fixture
def history_cli(detente_cli):
    return partial(detente_cli, "data", "history", columns=200)


def test_stockpile_csv_prints_nine_states_and_south_africa_from_1945(history_cli) -> None:
    result = history_cli("--quantity", "stockpile", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["party"] for r in rows} == {
        "US",
        "RU",
        "CN",
        "FR",
        "UK",
        "IN",
        "PK",
        "IL",
        "KP",
        "ZA",
    }
    assert min(int(r["year"]) for r in rows) == 1945
    first = next(r for r in rows if r["producer"] == "FAS")
    assert (first["party"], first["year"], first["value"], first["edition"]) == (
        "US",
        "1945",
        "2",
        "2023",
    )
    assert all(r["source"] and r["edition"] and r["status"] for r in rows)
    za = sorted(int(r["year"]) for r in rows if r["party"] == "ZA" and r["producer"] == "FAS")
    assert za[0] == 1982 and za[-1] == 2023
    assert len(rows) == len(history(quantity="stockpile"))


def test_json_and_parquet_exports_equal_the_api_frame(history_cli, tmp_path) -> None:
    expected = history(party=["IN", "PK"], quantity="stockpile")
    result = history_cli("-q", "stockpile", "-p", "IN,PK", "--format", "json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert [(r["party"], r["year"], r["value"]) for r in payload["rows"]] == [
        (p, y, int(v))
        for p, y, v in zip(expected.party, expected.year, expected.value, strict=True)
    ]
    assert {m["name"] for m in payload["milestones"]} >= {"New START", "INF Treaty"}
    assert set(payload["sources"]) >= {"fas-swnf-2023", "fas-swnf-2025"}
    out = tmp_path / "h.parquet"
    result = history_cli("-q", "stockpile", "-p", "IN", "-p", "PK", "-f", "parquet", "-o", str(out))
    assert result.returncode == 0, result.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--quantity", "warheads"), "quantity"),
        (("--quantity", "stockpile", "--party", "XX"), "party"),
        (("--format", "parquet"), "output"),
        (("--producer", "CIA", "-f", "csv"), "producer"),
        (("--party", "CN"), "party"),  # the New START view: no New START data for China
    ],
)
def test_bad_choices_are_one_line_errors(history_cli, args, field) -> None:
    result = history_cli(*args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and f"'{field}'" in result.stderr


def test_the_terminal_table_has_a_column_per_state(history_cli) -> None:
    result = history_cli("-q", "stockpile", "-p", "IN,PK", "--producer", "FAS")
    assert result.returncode == 0, result.stderr
    assert re.search(r"2025 │\s+180 │\s+170 │", result.stdout)
    assert "estimate" in result.stdout.lower()


def test_the_html_chart_is_offline_with_every_milestone(history_cli, tmp_path) -> None:
    out = tmp_path / "history.html"
    result = history_cli("-q", "stockpile", "--html", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.I)
    assert len(text) > 1_000_000, "plotly.js is inlined"
    for row in milestones().itertuples():
        assert f"{row.name} {row.event}" in text, row


def test_the_newstart_view_puts_the_estimate_beside_the_declaration(history_cli) -> None:
    result = history_cli("--party", "US")
    assert result.returncode == 0, result.stderr
    table = result.stdout[result.stdout.index("Declared (New START) beside") :]
    # 2022: declared 1,515 on 2022-03-01 (Russian MFA); FAS (2022 edition) 1,644.
    assert re.search(r"US\s+│ 2022 │\s+1,515 │ 2022-03-01 │\s+1,644 │\s+2022 │\s+\+129", table)
