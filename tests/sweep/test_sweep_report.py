"""The sweep HTML report: self-contained (plotly.js inlined, no CDN), and its sections say
what the store holds."""

from __future__ import annotations

import json
import re

import numpy as np

from detente.report.plotlyjs import bundle_js
from detente.sweep.report import MAX_PLOTTED, write_report
from detente.sweep.runner import run_sweep
from detente.sweep.samplers import sample
from detente.sweep.spec import parse_spec
from detente.sweep.store import SweepStore

SPEC = """\
model: ishigami
sampler: {sampler}
points: {points}
seed: 9
parameters:
  - {{name: x1, bounds: [-3.141592653589793, 3.141592653589793]}}
  - {{name: x2, bounds: [-3.141592653589793, 3.141592653589793]}}
  - {{name: x3, values: [-2.0, 0.0, 2.0]}}
criteria:
  - {{party: A, output: y, min: {y_min}}}
  - {{party: B, input: x3, max: 0.0}}
"""


def report(tmp_path, sampler="sobol", points=256, y_min=3.0, complete=True):
    spec = parse_spec(SPEC.format(sampler=sampler, points=points, y_min=y_min))
    path = tmp_path / "s.duckdb"
    if complete:
        run_sweep(spec, path)
    else:
        with SweepStore(path) as store:
            store.initialise(spec, sample(spec))
    with SweepStore(path, read_only=True) as store:
        page = write_report(store, tmp_path / "r.html").read_text()
        results = store.results()
    return page, results


def cell_after(page, label):
    match = re.search(rf"<td>{re.escape(label)}</td>\s*<td>(\d+)</td>", page)
    assert match, f"no table row {label!r}"
    return int(match.group(1))


def test_report_is_self_contained_with_the_smallest_plotly_build(tmp_path):
    page, _ = report(tmp_path)
    plotlyjs = bundle_js("basic")  # scatter and bar only: SVG, no WebGL
    assert plotlyjs in page
    specs = re.findall(r'<script type="application/json" id="fig-\d+-json">(.*?)</script>', page)
    assert specs
    types = {t.get("type", "scatter") for spec in specs for t in json.loads(spec)["data"]}
    assert types <= {"scatter", "bar"}
    rest = page.replace(plotlyjs, "")
    assert "<script src=" not in rest and "https://" not in rest and "http://" not in rest


def test_sobol_and_agreement_sections_match_the_results(tmp_path):
    page, results = report(tmp_path)
    assert "Sobol&#x27; indices of y" in page or "Sobol' indices of y" in page
    y, x3 = results["y"].to_numpy(), results["x3"].to_numpy()
    assert cell_after(page, "A") == int((y >= 3.0).sum())
    assert cell_after(page, "B") == int((x3 <= 0.0).sum())
    assert cell_after(page, "every party (zone)") == int(((y >= 3.0) & (x3 <= 0.0)).sum())
    assert "Pareto frontier of the zone (maximise y, minimise x3)" in page
    assert "every point on the numpy kernel." in page  # the file's one kernel
    assert f"{cell_after(page, 'every party (zone)'):,} of {len(results):,} proposals" in page


def test_no_sobol_section_without_sobol_sampling_and_empty_zone_said(tmp_path):
    page, _ = report(tmp_path, sampler="lhs", points=200, y_min=100.0)
    assert "Sobol" not in page
    assert "the zone is empty" in page


def test_incomplete_sweep_is_flagged(tmp_path):
    page, _ = report(tmp_path, complete=False)
    assert "incomplete" in page and "No results stored yet" in page
    assert "finish the sweep first" in page


def test_large_sweep_plots_a_subset(tmp_path):
    page, results = report(tmp_path, sampler="lhs", points=MAX_PLOTTED + 1000)
    assert f"Drawn: {MAX_PLOTTED:,} of {len(results):,} proposals" in page
    assert np.isfinite(results["y"]).all()
