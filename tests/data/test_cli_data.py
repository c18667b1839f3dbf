"""``detente data list|show|sources|systems`` run as a user would (``e2e``: in a subprocess)."""

from __future__ import annotations

import json
import subprocess
from functools import partial
from pathlib import Path

import pytest

from detente.cli.data import force_summary
from detente.model.catalog import force_names, load_force, sources, systems


@pytest.fixture
def data_cli(detente_cli):
    """``detente data ARGS``, 250 columns wide."""
    return partial(detente_cli, "data", columns=250, timeout=60)


def assert_user_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit status 2, one line on stderr naming the problem, no traceback."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


@pytest.mark.e2e
def test_list_names_every_bundled_force_with_its_deployed_launchers(data_cli) -> None:
    result = data_cli("list")
    assert result.returncode == 0, result.stderr
    for name in force_names():
        assert name in result.stdout
    row = next(line for line in result.stdout.splitlines() if "us-2020-09-01" in line)
    assert "675" in row


@pytest.mark.parametrize(
    ("name", "launchers", "warheads"),
    [
        # 400 ICBMs + 72 SLBMs + 20 H-6N + 250 DF-26 (dual-capable); the 24 conventional DF-21
        # are left out
        ("cn-2025", 742, 468),
        # 330 + 192 + 58: the 16 9M729 launchers carry no warhead (all stored, FAS 2025)
        ("ru-2025", 580, 1710),
        # 400 + 240 + 36 + 12: the GBIs and the conventional Typhon battery are left out
        ("us-2025", 688, 1670),
    ],
)
def test_list_counts_only_launchers_that_carry_nuclear_warheads(
    name: str, launchers: int, warheads: int
) -> None:
    summary = force_summary(load_force(name))
    assert (summary["deployed_launchers"], summary["deployed_warheads"]) == (launchers, warheads)


def test_show_json_gives_every_number_with_status_and_source(data_cli) -> None:
    result = data_cli("show", "us-2020-09-01", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["name"] == "us-2020-09-01"
    assert data["deployed_launchers"] == 675
    by_system = {h["system"]: h for h in data["holdings"]}
    assert set(by_system) == {"minuteman-iii", "trident-ii-d5", "b-2a", "b-52h"}
    deployed = by_system["minuteman-iii"]["launchers"]["deployed"]
    assert deployed == {"value": 397, "source": ["state-newstart-2020-09"], "status": "official"}
    assert by_system["trident-ii-d5"]["warheads"]["status"] == "derived"
    assert by_system["b-2a"]["loading"]["value"] is None
    assert by_system["b-2a"]["loading"]["note"]
    known = set(sources())
    for h in data["holdings"]:
        for number in h["launchers"].values():
            assert number["status"] and set(number["source"]) <= known


def test_show_table_prints_statuses_and_source_ids(data_cli) -> None:
    result = data_cli("show", "ru-2025")
    assert result.returncode == 0, result.stderr
    for text in ("rs-24-yars-mobile", "assumption", "kuett-2022", "fas-ru-2025", "Status: O"):
        assert text in result.stdout


@pytest.mark.parametrize("columns", [80, 100, 160])
def test_show_table_keeps_system_names_on_a_narrow_terminal(detente_cli, columns) -> None:
    """Issue 10, item 13: at 80 columns the names were squeezed to nothing."""
    result = detente_cli("data", "show", "ru-2025", columns=columns)
    assert result.returncode == 0, result.stderr
    holdings = result.stdout.split("Every number and its provenance")[0]
    assert max(len(line) for line in holdings.splitlines()) <= columns
    for start in ("r-36m2", "topol-m-silo", "rs-24-yars-m", "Bulava on 7", "tu-160"):
        assert start in holdings, start
    assert holdings.count("0.90 A") == 3  # the last column (alert, generated) is whole


def test_show_accepts_a_yaml_path(data_cli, tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "party: US\nas_of: 2030-01-01\nholdings:\n"
        "  - {system: minuteman-iii, launchers: {deployed: 300}, loading: 2}\n",
        encoding="utf-8",
    )
    result = data_cli("show", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["name"], data["deployed_launchers"], data["deployed_warheads"]) == (
        "mine",
        300,
        600,
    )


def test_show_reports_a_bad_force_file_by_file_line_and_field(data_cli, tmp_path: Path) -> None:
    path = tmp_path / "over.yaml"
    path.write_text(
        "party: US\nas_of: 2030-01-01\nholdings:\n"
        "  - system: minuteman-iii\n    launchers: {deployed: 10}\n    loading: 4\n",
        encoding="utf-8",
    )
    assert_user_error(data_cli("show", str(path)), f"{path}:6", "holdings.0.loading", "maximum")


def test_show_unknown_force_is_a_user_error(data_cli) -> None:
    assert_user_error(data_cli("show", "xx-1999"), "unknown force", "us-2025")


def test_sources_lists_the_bibliography_and_shows_one_entry(data_cli) -> None:
    listing = data_cli("sources")
    assert listing.returncode == 0, listing.stderr
    for sid in ("state-newstart-2020-09", "kuett-2022", "fas-us-2025"):
        assert sid in listing.stdout
    one = data_cli("sources", "state-newstart-2020-09")
    assert one.returncode == 0, one.stderr
    entry = sources()["state-newstart-2020-09"]
    assert entry.url is None, "the fact sheet was read in a copy: the copy is a via, not the url"
    flat = " ".join(one.stdout.split())
    assert f"read via {entry.via[0].publisher}" in flat and entry.via[0].url in flat
    assert_user_error(data_cli("sources", "no-such-source"), "no-such-source")


def test_systems_lists_the_catalogue_and_filters_by_party(data_cli) -> None:
    result = data_cli("systems", "--party", "ru")
    assert result.returncode == 0, result.stderr
    russian = {s.id for s in systems().values() if s.party == "RU"}
    for sid in russian:
        assert sid in result.stdout
    assert "minuteman-iii" not in result.stdout
    assert_user_error(data_cli("systems", "--party", "XX"), "XX")
