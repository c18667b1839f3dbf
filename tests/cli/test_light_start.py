"""The light start of ``detente stability`` (:mod:`detente.cli.quick`): it answers exactly as
the typer command does, from prepared inputs equal to those of ``make_sides``, without typer,
rich or pydantic, and leaves everything else (help, errors, other options) to typer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import typer.main

from detente import cli
from detente.analysis import prepared
from detente.analysis.stability import evaluate, make_sides
from detente.cli import quick
from detente.cli.stability_text import DEFAULTS, FLAG_OPTIONS, FORMATS, VALUE_OPTIONS
from detente.model import catalog, datacache, parameters
from detente.model.force import POSTURES

FORCES = catalog.force_names()

#: Command lines the light start answers (after ``stability``).
LIGHT = [
    ["us-2025", "ru-2025"],
    ["ru-2025", "us-2025", "--lua"],
    ["us-2025", "ru-2025", "--posture", "generated", "--de", "0.7", "--kmax", "3", "-f", "json"],
    ["--de=0.55", "uk-2025", "--format=json", "ru-2025", "--kmax=1"],
    ["ru-2025", "ru-2022-03-01", "--de", "1", "--kmax", "6"],  # one party: labels are names
    ["cn-2025", "ru-2025", "--de", "0"],
    ["us-2025", "ru-2025", "--de", " 0.8", "--kmax", "+2"],  # as click converts them
]
#: Command lines left to typer: help, usage errors, values out of range, the full options.
TYPER = [
    ["us-2025", "ru-2025", "--help"],
    ["--help"],
    ["us-2025"],
    ["us-2025", "ru-2025", "cn-2025"],
    ["us-2025", "us-2025"],  # one label twice
    ["us-2025", "xx-2025"],
    ["us-2025", "ru-2025", "--de", "1.5"],
    ["us-2025", "ru-2025", "--de", "-0.1"],
    ["us-2025", "ru-2025", "--de", "nan"],
    ["us-2025", "ru-2025", "--de", "inf"],
    ["us-2025", "ru-2025", "--de", "x"],
    ["us-2025", "ru-2025", "--de"],
    ["us-2025", "ru-2025", "--kmax", "0"],
    ["us-2025", "ru-2025", "--kmax", "7"],
    ["us-2025", "ru-2025", "--kmax", "2.5"],
    ["us-2025", "ru-2025", "--posture", "alert"],
    ["us-2025", "ru-2025", "--format", "xml"],
    ["us-2025", "ru-2025", "-fjson"],
    ["us-2025", "ru-2025", "-f=json"],
    ["us-2025", "ru-2025", "--lua=1"],
    ["us-2025", "ru-2025", "--no-lua"],
    ["us-2025", "ru-2025", "--de", "0.5", "--de", "0.6"],
    ["us-2025", "ru-2025", "--", "--lua"],
    ["us-2025", "ru-2025", "--weapons", "data"],
    ["us-2025", "ru-2025", "--w80-a", "500"],
    ["us-2025", "ru-2025", "--defense-a", "holdings", "-f", "json"],
    ["us-2025", "./ru-2025.yaml"],
]


@pytest.fixture
def both(detente_main, monkeypatch):
    """Run ``detente stability ARGS`` in process twice: as a user would (the light start first)
    and on typer's path alone. Returns ``run(args) -> (light, typer, answered)``: the two
    (status, stdout, stderr) and whether the light start answered."""
    answer = quick.answer

    def run(args):
        seen = []
        monkeypatch.setattr(quick, "answer", lambda a: seen.append(answer(a)) or seen[-1])
        light = detente_main("stability", *args)
        monkeypatch.setattr(quick, "answer", lambda a: False)
        full = detente_main("stability", *args)
        return light, full, seen == [True]

    return run


@pytest.mark.parametrize("args", LIGHT, ids=" ".join)
def test_the_light_start_prints_what_typer_prints(both, args):
    light, full, answered = both(args)
    assert answered
    assert light == full
    assert light[0] == 0 and light[2] == ""
    if "json" in " ".join(args):
        assert 0 <= json.loads(light[1])["fsi"] <= 1
    else:
        assert "FSI = " in light[1]


@pytest.mark.parametrize("args", TYPER, ids=" ".join)
def test_anything_else_is_left_to_typer(both, args):
    light, full, answered = both(args)
    assert not answered
    assert light == full
    assert light[0] != 0 or "--help" in args or len(light[1]) > 0


@pytest.mark.slow
@pytest.mark.parametrize("posture", POSTURES)
def test_every_pair_of_bundled_forces_agrees(both, posture):
    """Every ordered pair of bundled forces, JSON: the same output, the same errors."""
    for a in FORCES:
        for b in FORCES:
            light, full, answered = both([a, b, "--posture", posture, "-f", "json"])
            assert light == full, (a, b)
            assert answered == (light[0] == 0), (a, b, light[2])


def test_the_numbers_are_those_of_before():
    """``detente stability us-2025 ru-2025 -f json`` before the light start (commit 591bced)."""
    sides = prepared.bundled_sides(["us-2025", "ru-2025"], posture="day_to_day", lua=False)
    result = evaluate(sides, prepared.prepared_calculus().params())
    assert result.fsi == 0.68678943457243
    assert result.C1 == {"US": 0.6899984355468993, "RU": 0.7377010366069287}
    assert result.C2 == {"US": 1.0046724670079805, "RU": 0.7199662136162379}
    assert result.x_star == {"US": 1045.4, "RU": 753.2877539161148}
    assert result.arriving == {"US": 738.8819593734218, "RU": 234.57600000000002}
    assert [s.w80 for s in sides] == [595.8700149822878, 1172.4704938246755]


@pytest.mark.parametrize("posture", POSTURES)
@pytest.mark.parametrize("lua", [False, True])
def test_prepared_sides_equal_those_of_make_sides(posture, lua):
    """The same elements, w80, notes and labels as from the validated forces."""
    for a, b in [("us-2025", "ru-2025"), ("uk-2025", "cn-2025"), ("ru-2022-03-01", "ru-2025")]:
        light = prepared.bundled_sides([a, b], posture=posture, lua=lua)
        full = make_sides([catalog.load_force(a), catalog.load_force(b)], posture=posture, lua=lua)
        for x, y in zip(light, full, strict=True):
            assert (x.label, x.w80, x.lua, x.w80_note) == (y.label, y.w80, y.lua, y.w80_note)
            for name in ("party", "names", "legs", "systems"):
                assert getattr(x.elements, name) == getattr(y.elements, name)
            for name in ("n", "m", "fixed", "alert"):
                got, want = getattr(x.elements, name), getattr(y.elements, name)
                assert got.dtype == want.dtype and np.array_equal(got, want)


def test_prepared_parameters_are_those_of_the_table():
    calc = prepared.prepared_calculus()
    params = calc.params(de=0.7, kmax=3)
    want = parameters.calculus(de=0.7, kmax=3)
    assert params.__dict__ == want.__dict__
    assert list(params.__dict__) == list(want.__dict__)
    assert params.kernel_kwargs() == want.kernel_kwargs()
    for bad in ({"de": 1.5}, {"de": -0.1}, {"de": float("nan")}, {"kmax": 0}, {"kmax": 2.0}):
        assert calc.params(**bad) is None, bad


def test_the_light_start_imports_no_typer_rich_or_pydantic(tmp_path):
    """On a warm cache: neither the command-line library nor the data model is imported."""
    code = (
        "import sys; sys.argv = ['detente', 'stability', 'us-2025', 'ru-2025', '--lua'];"
        "from detente.cli import main; main()\n"
        "heavy = ('typer', 'click', 'rich', 'pydantic', 'pydantic_core', 'yaml', 'scipy',"
        " 'pandas', 'xarray', 'numba')\n"
        "loaded = {m.split('.')[0] for m in sys.modules} & set(heavy)\n"
        "model = [m for m in sys.modules if m.startswith('detente.model.')]\n"
        "print(sorted(loaded), sorted(model))"
    )
    env = {**os.environ, "DETENTE_CACHE_DIR": str(tmp_path / "cache")}
    for _ in ("cold: builds the cache", "warm"):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        assert "FSI = " in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[] ['detente.model.datacache']"


def test_the_light_options_are_the_typer_options():
    """Each option the light start reads is one of the command's, setting the same parameter,
    with the same choices and default."""
    command = typer.main.get_command(cli.app).commands["stability"]
    by_opt = {opt: p for p in command.params for opt in p.opts}
    for opt, name in {**VALUE_OPTIONS, **FLAG_OPTIONS}.items():
        assert by_opt[opt].name == name, opt
    assert by_opt["--lua"].is_flag and by_opt["--lua"].secondary_opts == []

    def kind(opt):
        return by_opt[opt].type_descriptor.annotation

    assert tuple(m.value for m in kind("--format")) == FORMATS
    assert tuple(m.value for m in kind("--posture")) == POSTURES
    assert (kind("--de"), kind("--kmax")) == (quick.CONVERT["de"], quick.CONVERT["kmax"])
    for name, default in DEFAULTS.items():
        (param,) = {p for p in command.params if p.name == name}
        assert param.default == default, name


@pytest.fixture
def bundled(tmp_path, monkeypatch):
    """A copy of the bundled data standing in for it, and an empty cache."""
    data = tmp_path / "data"
    shutil.copytree(catalog.FORCES_DIR, data / "forces")
    for pattern in ("systems*.yaml", "sources*.yaml", "parameters.yaml"):
        for file in catalog.DATA_DIR.glob(pattern):
            shutil.copy(file, data / file.name)
    for module in (datacache, catalog, parameters):
        monkeypatch.setattr(module, "DATA_DIR", data)
    monkeypatch.setattr(catalog, "FORCES_DIR", data / "forces")
    monkeypatch.setenv("DETENTE_CACHE_DIR", str(tmp_path / "cache"))
    caches = (catalog.sources, catalog.source_ids, catalog.systems, catalog._bundled_force)
    for fn in (*caches, parameters._table):
        fn.cache_clear()
    yield data
    for fn in (*caches, parameters._table):
        fn.cache_clear()


def _plain(force):
    return {**vars(force), "elements": {k: repr(v) for k, v in force.elements.items()}}


def test_a_changed_data_file_rebuilds_the_prepared_inputs(bundled, tmp_path, monkeypatch):
    first = prepared.prepared_force("us-2025")
    assert first.elements["day_to_day"].n[0] == 400  # Minuteman III, deployed
    entries = set((tmp_path / "cache").glob("*.pickle"))
    assert _plain(prepared.prepared_force("us-2025")) == _plain(first)  # read back
    assert set((tmp_path / "cache").glob("*.pickle")) == entries
    path = bundled / "forces" / "us-2025.yaml"
    text = path.read_text()
    assert text.count("deployed: {value: 400,") == 1
    path.write_text(text.replace("deployed: {value: 400,", "deployed: {value: 300,"))
    catalog._bundled_force.cache_clear()
    again = prepared.prepared_force("us-2025")
    assert again.elements["day_to_day"].n[0] == 300
    assert again.struck_w80 == first.struck_w80  # the same warheads per missile
    # the constants of the calculus are built again when data/parameters.yaml changes (in a
    # fresh process, whose StabilityParams is made from the changed table)
    built = []
    build = prepared._build_calculus
    monkeypatch.setattr(prepared, "_build_calculus", lambda: built.append(1) or build())
    for _ in range(2):
        assert prepared.prepared_calculus().values["de"] == 0.8
    table = bundled / "parameters.yaml"
    table.write_text(table.read_text().replace("    value: 0.8\n", "    value: 0.75\n", 1))
    prepared.prepared_calculus()
    assert built == [1, 1]


def test_a_changed_module_is_another_key():
    plain = datacache.entry_key("x")
    assert datacache.entry_key("x", code=prepared.CODE) != plain
    assert datacache.entry_key("x", code=prepared.CODE) == datacache.entry_key(
        "x", code=prepared.CODE
    )
