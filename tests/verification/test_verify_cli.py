"""``detente verify``: exit codes, json keys and one-line errors on stderr for bad input.

One case (marked ``e2e``) runs the installed console script in a subprocess (the real thing,
about 3 s); the rest run :func:`detente.cli.main` in-process, the same code path without the
start-up cost.
"""

from __future__ import annotations

import json

import pytest

from detente.kernels import verification as kv


def test_detection_json_has_the_probability(detente_cli):
    out = detente_cli(
        "verify", "--missiles", "400", "--overloaded", "40", "--inspections", "10",
        "--years", "3", "--recognition", "0.8", "--gain", "1", "--loss", "3", "--format", "json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    expected = float(kv.detection_probability(400, 40, 10, years=3, recognition=0.8))
    assert data["detection_probability"] == pytest.approx(expected, abs=1e-15)
    assert data["deterrence_threshold"] == 0.25
    assert data["deterred"] is True
    assert "user-given" in data["provenance"]


def test_detection_table(detente_main):
    code, out, err = detente_main(
        "verify", "--missiles", "400", "--overloaded", "40", "--inspections", "10"
    )
    assert code == 0, err
    assert "detection_probability" in out and "0.6557" in out
    assert "user-given" in out


def test_bound_and_plan_json(detente_cli):
    bound = detente_cli("verify", "--missiles", "400", "--clean-inspections", "10",
                        "--confidence", "0.9", "--years", "5", "--format", "json")  # fmt: skip
    assert bound.returncode == 0, bound.stderr
    assert json.loads(bound.stdout)["largest_undetected_violation"] == int(
        kv.largest_undetected_violation(400, 10, confidence=0.9, years=5)
    )
    plan = detente_cli(
        "verify", "--missiles", "400", "--overloaded", "40", "--target", "0.9", "--format", "json"
    )
    assert plan.returncode == 0, plan.stderr
    assert json.loads(plan.stdout)["inspections_needed"] == int(kv.inspections_needed(400, 40, 0.9))


def test_regimes_json_and_table(detente_cli):
    out = detente_cli(
        "verify", "regimes", "--missiles", "400", "--overloaded", "40", "--format", "json"
    )
    assert out.returncode == 0, out.stderr
    regimes = {r["regime"]: r for r in json.loads(out.stdout)["regimes"]}
    assert set(regimes) == {"start1", "new_start", "none"}
    assert regimes["new_start"]["statuses"] == ["official"]


def test_regimes_table(detente_main):
    code, out, _ = detente_main("verify", "regimes", "--missiles", "400", "--overloaded", "40")
    assert code == 0 and "New START" in out and "official" in out


def test_open_skies_json_says_what_is_illustrative(detente_cli):
    out = detente_cli(
        "verify", "open-skies", "--replicates", "5", "--years", "2", "--format", "json"
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert len(data["observed_share"]) == 2
    status = {p["name"]: p["status"] for p in data["parameters"]}
    assert status["quota"] == "official" and status["swath_km"] == "assumption"


def test_open_skies_table_says_what_is_illustrative(detente_main):
    code, out, _ = detente_main("verify", "open-skies", "--replicates", "5", "--years", "1")
    assert code == 0 and "ILLUSTRATIVE" in out and "notional" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--missiles", "40", "--overloaded", "50", "--inspections", "10"],
        ["--missiles", "-4", "--overloaded", "1", "--inspections", "1"],
        ["--missiles", "40", "--overloaded", "1", "--inspections", "1", "--recognition", "1.5"],
        ["--missiles", "40", "--clean-inspections", "4", "--confidence", "1"],
        ["--missiles", "40", "--overloaded", "4", "--target", "-0.1"],
        ["--missiles", "40", "--overloaded", "4", "--inspections", "1", "--format", "xml"],
        ["--missiles", "40", "--overloaded", "4"],
        [],
        ["open-skies", "--replicates", "0"],
        ["open-skies", "--replicates", "100000"],
        ["open-skies", "/no/such/file.yaml"],
        ["regimes", "--missiles", "10", "--overloaded", "11"],
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(detente_main, args):
    code, _, err = detente_main("verify", *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), err


@pytest.mark.e2e
def test_bad_input_through_the_console_script(detente_cli):
    out = detente_cli("verify", "--missiles", "40", "--overloaded", "50", "--inspections", "10")
    assert out.returncode == 2
    assert out.stderr.startswith("error: ") and out.stderr.count("\n") == 1
    assert out.stderr.endswith("overloaded (k) must not exceed missiles (N)\n")


def test_broken_open_skies_file_names_its_line(detente_cli, tmp_path):
    bad = tmp_path / "os.yaml"
    bad.write_text("kind: open_skies\nid: x\nname: [oops\n")
    out = detente_cli("verify", "open-skies", str(bad))
    assert out.returncode == 2
    assert out.stderr.startswith(f"error: {bad}:")


@pytest.mark.parametrize(
    ("party", "says"),
    [
        ("RU", "RU shares one passive quota with its group: use RU_BY"),
        ("XX", "parties with a quota: RU_BY, US"),
    ],
)
def test_open_skies_unknown_party_lists_the_valid_ones(detente_cli, party, says):
    """Issue 10, item 13: --party RU failed without saying that Russia's quota is RU_BY's."""
    out = detente_cli("verify", "open-skies", "--party", party)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1
    assert says in out.stderr and "parties with a quota: RU_BY, US" in out.stderr
