"""Label selection without xarray's ``.sel`` (:func:`detente.analysis.stability.select`): the
same values as ``.sel``, a clear error for a label that is not there, and the user paths that
select a pair or a side (the stability section of a three-party assessment, the page's sweep
and weapons charts, ``StabilityCases.plot``) give the same numbers as with ``.sel`` and leave
``dask.array`` unimported (xarray's ``.sel`` imports it: a third of a second per process), and
``dask`` too (:func:`~detente.analysis.stability.dimension`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHINA = ROOT / "examples" / "china-1000.yaml"
STATE = {"scenario": {"parties": [{"force": "us-2025"}, {"force": "ru-2025"}]}}
SWEEP = {"input": "parameters.de", "low": 0.5, "high": 1.0, "points": 3}


def user_paths() -> dict:
    """The numbers of each user path that selects by label, JSON-ready."""
    import detente as dt
    from detente.analysis.scenario import resolve
    from detente.analysis.stability_section import stability_section
    from detente.model.scenario import load_scenario
    from detente.web.charts import ChartIn, chart

    resolved = resolve(load_scenario(CHINA))
    section = stability_section(resolved)
    out = {
        "system_rows": section.system_rows(resolved),
        "postures": [[c.fsi, *c.r.values()] for c in section.postures],
    }
    for kind, extra in (("sweep", SWEEP), ("weapons", {})):
        answer = chart(ChartIn.model_validate({"chart": kind, "state": STATE, **extra}))
        out[kind] = answer["csv"].splitlines()
    figure = dt.stability("us-2025", "ru-2025", de=[0.5, 0.7, 0.9]).plot()
    out["plot"] = [np.asarray(trace.y, dtype=float).tolist() for trace in figure.data]
    return out


def main() -> None:
    """Print :func:`user_paths` and which of ``dask`` and ``dask.array`` were imported (the
    subprocess)."""
    dask = [m for m in ("dask", "dask.array") if m in sys.modules]
    print(json.dumps({"outputs": user_paths(), "dask": dask}))


@pytest.fixture
def xarray_sel(monkeypatch):
    """:func:`select` replaced by xarray's ``.sel`` (what the user paths called before)."""
    import detente.analysis.stability as stability
    import detente.analysis.stability_section as section

    def sel(data, **labels):
        return data.sel(**labels)

    monkeypatch.setattr(stability, "select", sel)
    monkeypatch.setattr(section, "select", sel)


@pytest.fixture(scope="module")
def trio():
    from detente.analysis.scenario import resolve
    from detente.analysis.uncertainty import evaluate_batch
    from detente.model.scenario import load_scenario

    return evaluate_batch(resolve(load_scenario(CHINA)), {}, 3)


@pytest.mark.parametrize(
    "labels",
    [
        {"pair": "US-CN"},
        {"side": "B"},
        {"pair": "RU-CN", "side": "A"},
        {"side": "A", "pair": "US-RU"},
    ],
)
@pytest.mark.parametrize("name", ["fsi", "r", "surviving", "x_star"])
def test_select_gives_the_values_and_attributes_of_sel(trio, name, labels):
    from detente.analysis.stability import select

    labels = {k: v for k, v in labels.items() if k in trio[name].dims}
    got, want = select(trio[name], **labels), trio[name].sel(**labels)
    assert got.dims == want.dims and got.name == want.name and got.attrs == want.attrs
    np.testing.assert_array_equal(got.values, want.values)


@pytest.mark.parametrize(
    ("labels", "words"),
    [
        ({"pair": "US-UK"}, "no pair 'US-UK' in r: the pairs are US-RU, US-CN, RU-CN"),
        ({"side": "C"}, "no side 'C' in r: the sides are A, B"),
        ({"case": 0}, "r has no labelled dimension 'case'"),
        ({"party": "US"}, "r has no labelled dimension 'party'"),
    ],
)
def test_a_label_that_is_not_there_is_a_clear_key_error(trio, labels, words):
    from detente.analysis.stability import select

    with pytest.raises(KeyError) as err:
        select(trio["r"], **labels)
    assert err.value.args == (words,)


@pytest.mark.slow
def test_the_user_paths_give_the_numbers_of_sel_without_importing_dask(xarray_sel):
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
    code += f"from {Path(__file__).stem} import main; main()"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer["dask"] == []
    want = json.loads(json.dumps(user_paths()))  # with .sel, as before
    assert len(want["system_rows"]) == 6 and len(want["postures"]) == 48
    got = answer["outputs"]
    for key in ("sweep", "weapons"):  # the date stamped on the figure may differ
        got[key] = [line for line in got[key] if not line.startswith("#")]
        want[key] = [line for line in want[key] if not line.startswith("#")]
    assert got == want


def test_the_dimension_coordinates_are_those_xarray_builds(trio):
    """:func:`~detente.analysis.stability.dimension` gives the coordinate and index xarray
    builds from the labels (same dtype), without importing dask."""
    import xarray as xr

    plain = xr.Dataset(
        {k: (v.dims, v.values, v.attrs) for k, v in trio.data_vars.items()},
        coords={k: (c.dims, c.values) for k, c in trio.coords.items()},
    )
    assert trio.identical(plain)
    assert {k: c.dtype for k, c in trio.coords.items()} == {
        k: c.dtype for k, c in plain.coords.items()
    }
    assert trio["pair"].dtype == "<U5" and trio.indexes["side"].equals(plain.indexes["side"])
