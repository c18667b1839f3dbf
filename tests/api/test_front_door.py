"""The front door (``import detente as dt``): the issue's snippet, broadcasting, renderings."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import detente as dt
from detente.analysis.stability import StabilityParams, evaluate, make_sides
from detente.errors import InputError
from detente.model.catalog import load_force


def test_snippet_runs_as_written():
    """The API issue's snippet, line by line (its ``assess`` with 2,000 samples)."""
    us, ru = dt.load_force("us-2025"), dt.load_force("ru-2025")
    res = dt.stability(us, ru, posture="generated", de=0.7)
    assert 0.0 <= res.fsi <= 1.0
    frame = res.to_frame()
    assert list(frame.index) == ["US", "RU"]
    assert res.plot().data, "the draw-down figure has traces"
    assert dt.count(us, "new-start").limits
    assert dt.system(us, ru, dt.load_force("cn-2025")).labels == ("US", "RU", "CN")
    up = dt.upload(us, against=ru, months=36)
    assert up.months[-1] == 36
    assert up.plot().data, "the upload figure of the report"
    assert dt.detect(missiles=400, overloaded=40, inspections=10).detection_probability > 0.6
    a = dt.assess("examples/new-start-expiry.yaml", samples=2000, seed=7)
    assert 0.0 <= a.fsi <= 1.0
    assert isinstance(a.to_frame(), pd.DataFrame)


def test_names_and_objects_give_the_same_answer():
    by_name = dt.stability("us-2025", "ru-2025", posture="generated", de=0.7)
    us, ru = load_force("us-2025"), load_force("ru-2025")
    direct = evaluate(make_sides([us, ru], posture="generated"), StabilityParams(de=0.7))
    assert by_name.fsi == direct.fsi
    assert by_name.r_uncapped == direct.r_uncapped


def test_broadcast_equals_one_call_per_case():
    """An array of DE is one kernel call whose rows equal separate evaluations (1e-12)."""
    de = np.linspace(0.5, 0.95, 7)
    cases = dt.stability("us-2025", "ru-2025", de=de)
    assert cases.dataset.sizes == {"case": 7, "side": 2}
    us, ru = load_force("us-2025"), load_force("ru-2025")
    for i, d in enumerate(de):
        one = evaluate(make_sides([us, ru]), StabilityParams(de=float(d)))
        assert cases.fsi[i] == pytest.approx(one.fsi, abs=1e-12)
        for j, side in enumerate(("US", "RU")):
            assert cases.dataset["C1"].values[i, j] == pytest.approx(one.C1[side], abs=1e-12)
            assert cases.dataset["r"].values[i, j] == pytest.approx(one.r[side], abs=1e-12)


def test_broadcast_w80_per_side_against_de():
    """Arrays broadcast against each other: w80 of one side (2,1) grid against DE (3,)."""
    cases = dt.stability(
        "us-2025", "ru-2025", de=np.array([0.6, 0.7, 0.8]), w80={"US": 800.0, "RU": 1000.0}
    )
    frame = cases.to_frame()
    assert list(frame["de"]) == [0.6, 0.7, 0.8]
    assert {"fsi", "C1_US", "C2_RU", "r_uncapped_US"} <= set(frame.columns)
    grid = dt.stability("us-2025", "ru-2025", w80={"US": [400.0, 800.0], "RU": 900.0})
    us, ru = load_force("us-2025"), load_force("ru-2025")
    one = evaluate(make_sides([us, ru], w80={"US": 800.0, "RU": 900.0}))
    assert grid.fsi[1] == pytest.approx(one.fsi, abs=1e-12)


def test_broadcast_errors_are_clear():
    with pytest.raises(InputError, match="do not broadcast"):
        dt.stability("us-2025", "ru-2025", de=[0.5, 0.6], alpha=[0.7, 0.75, 0.8])
    with pytest.raises(InputError, match="finite"):
        dt.stability("us-2025", "ru-2025", de=[0.5, np.nan])
    with pytest.raises(InputError, match="every side"):
        dt.stability("us-2025", "ru-2025", w80={"US": [400.0, 800.0]})
    with pytest.raises(InputError, match="unknown side"):
        dt.stability("us-2025", "ru-2025", w80={"XX": 1.0})


def test_short_repr_and_html():
    res = dt.stability("us-2025", "ru-2025")
    text = repr(res)
    assert text.startswith("<StabilityResult: first-strike stability index")
    assert len(text) < 300
    assert "1 = neither side gains by striking first" in text
    page = res._repr_html_()
    assert "<table" in page and "C1" in page
    cases = dt.stability("us-2025", "ru-2025", de=[0.6, 0.8])
    assert repr(cases).startswith("<StabilityCases: 2 cases over de")
    assert "<table" in cases._repr_html_()
    assert cases.plot().data
    for result in (
        dt.count("us-2025", "new-start"),
        dt.upload("us-2025", months=3),
        dt.detect(missiles=400, overloaded=40, inspections=10),
    ):
        assert len(repr(result)) < 300
        assert "<table" in result._repr_html_()


def test_import_is_light():
    """``import detente`` loads no numpy, pydantic, YAML, pandas, xarray, scipy or plotly; the
    functions are there."""
    code = (
        "import sys, detente; heavy = {'numpy', 'pydantic', 'yaml', 'pandas', 'xarray', 'scipy',"
        " 'plotly'} & set(sys.modules);"
        "assert not heavy, heavy; assert callable(detente.stability);"
        "print(sorted(detente.__all__))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "stability" in out.stdout
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        dt.nope  # noqa: B018


@pytest.mark.slow
def test_notebook_renders_html(tmp_path):
    """In a real Jupyter kernel the snippet's result displays as HTML (``_repr_html_``)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            'import detente as dt\nus, ru = dt.load_force("us-2025"), dt.load_force("ru-2025")'
        ),
        nbformat.v4.new_code_cell('dt.stability(us, ru, posture="generated", de=0.7)'),
        nbformat.v4.new_code_cell(
            "import numpy as np\ndt.stability(us, ru, de=np.linspace(0.5, 0.95, 50))"
        ),
    ]
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    for cell, head in (
        (nb.cells[1], "first-strike stability index"),
        (nb.cells[2], "50 cases over de"),
    ):
        data = cell.outputs[0]["data"]
        assert head in data["text/html"] and "<table" in data["text/html"]
        assert head in data["text/plain"]
