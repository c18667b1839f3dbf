"""Null is never zero (issue 10, item 2): a figure a model needs that is null (not found in the
sources) stops with one line naming the force, the holding and the field; a display shows it
as not known; nothing turns it into 0. Regression: cn-2025's silo holding had ``loading: null``
and China was modelled as a 72-warhead SLBM force."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from detente.analysis.elements import elements_from_force
from detente.analysis.stability import default_w80, load_side_force, make_sides
from detente.analysis.upload import upload_inputs
from detente.errors import InputError
from detente.model.catalog import force_from_document, load_force
from detente.model.force import Holding, needed
from detente.model.yamlio import parse_yaml

SILO_NULL = """\
name: silos-null
party: CN
as_of: 2025-03-01
holdings:
  - system: jl-3
    launchers: {deployed: 72}
    warheads: 72
    alert: {day_to_day: 0.17, generated: 0.67}
  - system: df-31-silo
    launchers: {deployed: 100}
    loading: {value: null, note: "not found"}
"""

ALERT_NULL = """\
name: alert-null
party: US
as_of: 2025-01-01
holdings:
  - system: trident-ii-d5
    launchers: {deployed: 240}
    loading: 4
    alert: {generated: 0.9}
"""


def _force(text: str):
    return force_from_document(parse_yaml(textwrap.dedent(text), "inline.yaml"))


def _write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_figures_are_none_never_zero():
    h = Holding(system="x", launchers={"deployed": 10})
    assert h.deployed_warheads is None and h.mean_loading is None
    assert h.alert_fraction("day_to_day") is None
    # No deployed launchers: zero warheads is a fact, not a stand-in.
    assert Holding(system="x", launchers={"deployed": 0}).deployed_warheads == 0.0
    assert Holding(system="x", launchers={"deployed": 10}, warheads=25).mean_loading == 2.5


def test_the_exchange_stops_on_a_null_loading_naming_force_holding_and_field():
    force = _force(SILO_NULL)
    with pytest.raises(InputError) as err:
        elements_from_force(force)
    message = str(err.value)
    assert err.value.field == "holdings.1.loading"
    assert "silos-null, holding df-31-silo: loading and warheads are both null" in message
    assert "null is never zero" in message and "\n" not in message


def test_the_exchange_stops_on_a_null_alert_fraction():
    force = _force(ALERT_NULL)
    elements_from_force(force, "generated")  # given: fine
    with pytest.raises(InputError, match=r"alert-null, holding trident-ii-d5: alert\.day_to_day"):
        elements_from_force(force, "day_to_day")


def test_default_w80_and_upload_stop_on_a_null_warhead_count():
    force = _force(SILO_NULL)
    with pytest.raises(InputError, match=r"the default w80 .* needs them"):
        default_w80(force)
    with pytest.raises(InputError, match="the upload timeline needs them"):
        upload_inputs(force)


def test_needed_names_its_figure():
    force = _force(SILO_NULL)
    assert needed(force, 0, "warheads", "a test") == 72.0
    with pytest.raises(ValueError, match="unknown figure"):
        needed(force, 0, "yield", "a test")


def test_the_cli_stops_with_one_line_and_exit_2(detente_cli, tmp_path):
    path = _write(tmp_path, SILO_NULL, "silos-null")
    out = detente_cli("stability", str(path), "us-2025")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1
    assert "holding df-31-silo" in out.stderr and "holdings.1.loading" in out.stderr


def test_a_scenario_can_give_the_missing_figure_as_an_assumption(tmp_path):
    path = _write(tmp_path, SILO_NULL, "silos-null")
    from detente.analysis.scenario import resolve
    from detente.model.scenario import parse_scenario

    text = (
        f"name: t\nparties:\n  - force: {path}\n    w80: 300\n    modifications:\n"
        "      holdings:\n        df-31-silo:\n"
        "          loading: {value: 1, low: 0, high: 1, status: assumption, note: test}\n"
        "  - force: us-2025\n"
    )
    resolved = resolve(parse_scenario(text, "t.yaml"))
    silo = resolved.party("CN").force.holdings[1]
    assert silo.deployed_warheads == 100.0


def test_display_of_a_force_with_unknown_loadings_leaves_them_out(detente_cli):
    """us-2020-09-01: the bombers' loading is not in the New START data (null)."""
    from detente.cli.data import force_summary

    s = force_summary(load_force("us-2020-09-01"))
    assert s["warheads_partial"] and s["deployed_warheads"] == 1409.0
    out = detente_cli("data", "show", "us-2020-09-01", columns=160)
    assert "1,409+ warheads" in out.stdout


def test_an_official_force_with_null_bomber_loadings_stops_the_exchange():
    """us-2020-09-01's bombers (loading not in the New START data) once entered the exchange
    with 0 warheads; now the exchange asks for them."""
    force = load_force("us-2020-09-01")
    with pytest.raises(InputError, match="us-2020-09-01, holding b-2a: loading and warheads"):
        make_sides([force, load_side_force("ru-2022-03-01")])
