"""``detente upload`` run as a user would (in process; the ``e2e`` case in a subprocess)."""

from __future__ import annotations

import io
import json
import re
from functools import partial

import pandas as pd
import pytest

from detente.analysis.upload import upload_race, upload_timeline
from detente.model.catalog import load_force


@pytest.fixture
def upload_cli(detente_cli):
    """``detente upload ARGS``, 120 columns wide."""
    return partial(detente_cli, "upload", columns=120)


@pytest.mark.e2e
def test_csv_is_the_timeline_frame(upload_cli) -> None:
    result = upload_cli("us-2025", "--months", "12", "--format", "csv")
    assert result.returncode == 0, result.stderr
    got = pd.read_csv(io.StringIO(result.stdout), index_col="month")
    expected = upload_timeline(load_force("us-2025"), months=12).to_frame()
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-6)


def test_json_against_an_opponent_has_the_index_for_every_month(upload_cli) -> None:
    result = upload_cli(
        "us-2025", "--against", "ru-2025", "--months", "6", "-f", "json", "--start", "2026-02-05"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    expected = upload_race(load_force("us-2025"), load_force("ru-2025"), months=6)
    assert data["stability"]["fsi"] == pytest.approx(expected.stability.fsi.tolist())
    assert set(data["sides"]) == {"US", "RU"}
    assert data["dates"][0] == "2026-02-05" and len(data["dates"]) == 7


def test_hold_keeps_the_opponent_as_it_is(upload_cli) -> None:
    result = upload_cli("us-2025", "--against", "ru-2025", "--hold", "--months", "6", "-f", "json")
    assert result.returncode == 0, result.stderr
    ru = json.loads(result.stdout)["sides"]["RU"]["total"]
    assert ru == [ru[0]] * 7


def test_table_shows_months_and_the_upload_maxima(upload_cli) -> None:
    result = upload_cli("us-2025", "--months", "24", "--every", "6")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "ICBM 400 -> 950" in out and "SLBM 970 -> 1,920" in out
    months = [line.split()[0] for line in out.splitlines() if re.match(r"\s*\d+\s", line)]
    assert months == ["0", "6", "12", "18", "24"]


def test_a_zero_rate_scale_keeps_every_month_at_the_start(upload_cli) -> None:
    result = upload_cli("us-2025", "--months", "5", "--rate-scale", "0", "-f", "csv")
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout), index_col="month")
    assert (frame == frame.iloc[0]).all().all()


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (("no-such-force",), "unknown force"),
        (("us-2025", "--hold"), "--against"),
        (("us-2025", "--start", "2026-02-30"), "date"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(upload_cli, args, word) -> None:
    result = upload_cli(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0] and "Traceback" not in result.stderr
