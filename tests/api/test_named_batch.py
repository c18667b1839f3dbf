"""Batch evaluation over named dimensions (#12 item 3): :func:`evaluate_batch` returns an
``xarray.Dataset`` over case, pair and side, names are flattened only at the JSON and DuckDB
edge (:func:`flat_outputs`), and with three or more parties the posture grid is rows of one
kernel call (posture and launch under attack are row inputs)."""

from __future__ import annotations

import numpy as np
import pytest

from detente.analysis import stability_section
from detente.analysis.scenario import resolve
from detente.analysis.stability import SIDE_VARIABLES
from detente.analysis.stability_section import posture_cases
from detente.analysis.uncertainty import evaluate_batch, flat_outputs, output_names, side_of
from detente.kernels import multiparty
from detente.model.scenario import parse_scenario

PAIR = "name: x\nparties: [{force: us-2025}, {force: ru-2025}]\n"
#: Three parties, a small reserve and a high DE so that the US-RU grid is not all 1.
TRIO = (
    "name: x\nparameters: {reserve: 0.25, de: 0.9}\nparties: [{force: us-2025}, "
    "{force: ru-2025, posture: generated}, {force: cn-2025, lua: true}]\n"
)


@pytest.fixture(scope="module")
def trio():
    return resolve(parse_scenario(TRIO))


def test_a_pair_batch_is_a_dataset_over_case_pair_and_side():
    uncertain = "uncertain: {parameters.de: {dist: uniform, low: 0.5, high: 0.9}}\n"
    resolved = resolve(parse_scenario(PAIR + uncertain))
    ds = evaluate_batch(resolved, {"parameters.de": np.array([0.6, 0.7, 0.8])}, 3)
    assert dict(ds.sizes) == {"case": 3, "pair": 1, "side": 2}
    assert set(ds.data_vars) == {"fsi", "fsi_system", *SIDE_VARIABLES}
    assert ds["r"].dims == ("case", "pair", "side") and ds["fsi"].dims == ("case", "pair")
    assert ds["label"].values.tolist() == [["US", "RU"]]
    assert "min(1, C1/C2)" in ds["r"].attrs["description"]
    assert (ds["r"] == np.minimum(ds["r_uncapped"], 1.0)).all()
    assert (ds["fsi_system"] == ds["fsi"].isel(pair=0)).all()
    assert (ds["fsi"] == ds["r"].prod("side")).all()
    assert ds["fsi_system"].values[0] > ds["fsi_system"].values[-1]  # higher DE: less stable


def test_flat_names_are_made_only_at_the_edge(trio):
    ds = evaluate_batch(trio, {}, 2)
    assert dict(ds.sizes) == {"case": 2, "pair": 3, "side": 2}
    assert ds["pair"].values.tolist() == ["US-RU", "US-CN", "RU-CN"]
    flat = flat_outputs(ds)
    assert list(flat) == output_names(trio)
    assert flat["fsi"].tolist() == ds["fsi"].min("pair").values.tolist()
    assert flat["r.RU-CN.CN"].tolist() == side_of(ds, "r", ("RU", "CN"), "CN").values.tolist()
    assert flat["fsi_product"].tolist() == ds["fsi"].prod("pair").values.tolist()


def test_posture_and_launch_under_attack_are_row_inputs(trio):
    rows = evaluate_batch(
        trio, {}, 2, posture={"RU": ["generated", "day_to_day"]}, lua={"US": [False, True]}
    )
    for i, (posture, lua) in enumerate((("generated", False), ("day_to_day", True))):
        one = evaluate_batch(trio, {}, 1, posture={"RU": posture}, lua={"US": lua})
        assert rows.isel(case=[i]).drop_vars("case", errors="ignore").equals(one)
    with pytest.raises(ValueError, match="posture of RU must be one of"):
        evaluate_batch(trio, {}, 1, posture={"RU": "alert"})
    with pytest.raises(ValueError, match="one value or 2"):
        evaluate_batch(trio, {}, 2, lua={"US": [True, False, True]})


def test_the_posture_grid_of_three_parties_is_one_kernel_call(monkeypatch, trio):
    calls = []
    real = multiparty.system_index

    def counted(n, *args, **kwargs):
        calls.append(np.shape(n)[0])
        return real(n, *args, **kwargs)

    monkeypatch.setattr(multiparty, "system_index", counted)
    monkeypatch.setattr(stability_section, "row_values", None)  # not the two-party path
    cases = posture_cases(trio)
    assert calls == [3 * 16]  # before: 16 calls per pair (48)
    assert [c.pair for c in cases[::16]] == [("US", "RU"), ("US", "CN"), ("RU", "CN")]


def test_the_posture_grid_of_three_parties_is_unchanged(trio):
    """Values pinned from the 48 one-case calls this grid replaced (main 591bced)."""
    cases = posture_cases(trio)
    by = {(c.pair, *c.posture.values(), *c.lua.values()): c for c in cases}
    us_ru = (("US", "RU"), "day_to_day", "day_to_day")
    assert by[(*us_ru, False, False)].fsi == pytest.approx(0.6839912054440747, abs=1e-12)
    assert by[(*us_ru, False, True)].fsi == pytest.approx(0.9163921110888251, abs=1e-12)
    assert by[(*us_ru, False, True)].r == pytest.approx(
        {"US": 0.9547605019554329, "RU": 0.9598135964066109}, abs=1e-12
    )
    assert by[(*us_ru, True, False)].fsi == pytest.approx(0.6673213236861523, abs=1e-12)
    generated = (("US", "RU"), "day_to_day", "generated")
    assert by[(*generated, False, False)].r["RU"] == pytest.approx(0.8834330610254091, abs=1e-12)
    assert by[(*generated, True, True)].fsi == pytest.approx(0.9791686316532511, abs=1e-12)
    assert by[(("US", "RU"), "generated", "day_to_day", False, True)].fsi == pytest.approx(
        0.9589414957708512, abs=1e-12
    )
    assert all(c.fsi == 1.0 for c in cases if c.pair != ("US", "RU"))


def test_building_the_datasets_does_not_import_dask_array():
    """xarray's search for dask arrays imports ``dask.array`` (seconds, once per process)
    wherever dask is installed; the batch results and the front door's cases are built, and a
    pair's side selected (:func:`side_of`), without it, so a sweep's first chunk and a first
    result over cases do not pay for it."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "import detente as dt\n"
        "from detente.analysis.scenario import resolve\n"
        "from detente.analysis.uncertainty import evaluate_batch, flat_outputs, side_of\n"
        "from detente.model.scenario import parse_scenario\n"
        f"resolved = resolve(parse_scenario({PAIR!r}))\n"
        "ds = evaluate_batch(resolved, {}, 2)\n"
        "flat_outputs(ds), side_of(ds, 'r', ('US', 'RU'), 'RU')\n"
        "dt.stability('us-2025', 'ru-2025', de=np.linspace(0.5, 0.9, 3)).to_frame()\n"
        "print('dask.array' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
