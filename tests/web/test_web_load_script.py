"""benchmarks/web_load.py runs end to end on loopback (tiny sizes; the numbers are the note's)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "web_load.py"


@pytest.mark.slow
def test_load_script_reports_every_request(capsys):
    spec = importlib.util.spec_from_file_location("web_load", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report = module.main(["--clients", "5", "--requests", "40", "--warmup", "5"])
    assert (report["requests"], report["errors"]) == (40, 0)
    assert 0 < report["p50_ms"] <= report["p99_ms"] <= report["max_ms"]
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("requests_per_s=") and "errors=0" in last
