"""``detente sweep`` and ``detente sweep-report``: interrupted and resumed, errors, report.

The interruption tests run the installed console script in a subprocess and signal it after
some chunks are stored (the CLI prints one line per stored chunk when stderr is not a
terminal); the rest run :func:`detente.cli.main` in-process.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from detente.sweep.runner import run_sweep
from detente.sweep.spec import load_spec
from detente.sweep.store import SweepStore

DETENTE = Path(sys.executable).parent / "detente"
EXAMPLE = Path(__file__).parents[2] / "examples" / "sweeps" / "ishigami.yaml"

SLOW_SPEC = """\
model: ishigami
base: {sleep_s: 0.03}  # per chunk: 0.6 s of sleep in all, in-process
sampler: lhs
points: 2000
seed: 11
chunk_size: 100
parameters:
  - {name: x1, bounds: [-3.141592653589793, 3.141592653589793]}
  - {name: x2, bounds: [-3.141592653589793, 3.141592653589793]}
  - {name: x3, values: [-1.0, 0.5, 2.0]}
"""


def stored(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with SweepStore(path, read_only=True) as store:
        return store.results(), store.sessions()


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("signum", "backend"),
    [
        (signal.SIGINT, ()),
        (signal.SIGTERM, ()),
        # chunks ten times slower: two workers would otherwise finish the sweep before the
        # signal arrives on a loaded machine
        pytest.param(signal.SIGINT, ("--workers", "2"), marks=pytest.mark.slow),
    ],
)
def test_interrupted_then_resumed_loses_and_duplicates_nothing(
    detente_main, tmp_path, signum, backend
):
    spec_file = tmp_path / "slow.yaml"
    spec_file.write_text(SLOW_SPEC.replace("0.03", "0.3") if backend else SLOW_SPEC)
    out = tmp_path / "slow.duckdb"
    cmd = [str(DETENTE), "sweep", str(spec_file), "--out", str(out), *backend]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    seen = []
    try:
        for line in proc.stderr:  # "stored N of 2000 points", once per chunk
            seen.append(line)
            if line.startswith("stored ") and int(line.split()[1]) >= 300:  # 3 chunks
                proc.send_signal(signum)
                break
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signum, "".join(seen) + err
    assert "run the same command again to resume" in err
    partial, sessions = stored(out)
    assert 300 <= len(partial) < 2000
    assert len(partial) % 100 == 0  # whole chunks only
    assert sessions["status"].tolist() == ["interrupted"]

    code, _, err = detente_main(*cmd[1:])  # the same command, resumed
    assert code == 0, err
    final, sessions = stored(out)
    assert sessions["status"].tolist() == ["interrupted", "complete"]
    assert sessions["stored_before"].tolist()[1] == len(partial)
    assert final["point_id"].tolist() == list(range(2000))  # no lost or duplicate rows
    spec = load_spec(spec_file)
    run_sweep(
        spec.model_copy(update={"base": {**spec.base, "sleep_s": 0.0}}), tmp_path / "ref.duckdb"
    )
    reference, _ = stored(tmp_path / "ref.duckdb")
    pd.testing.assert_frame_equal(final, reference, check_exact=True)


def test_sweep_then_report_and_parquet(detente_main, tmp_path):
    out, parquet, html = tmp_path / "i.duckdb", tmp_path / "i.parquet", tmp_path / "i.html"
    args = ("sweep", str(EXAMPLE), "--out", str(out), "--points", "256", "--parquet", str(parquet))
    code, _, err = detente_main(*args)
    assert code == 0, err
    assert "1280 of 1280 points" in err  # 256 (3 + 2)
    results, _ = stored(out)
    pd.testing.assert_frame_equal(pd.read_parquet(parquet), results, check_dtype=False)

    code, _, err = detente_main(*args)  # complete: nothing to do
    assert code == 0 and "0 evaluated now" in err, err

    code, _, err = detente_main("sweep-report", str(out), "--out", str(html))
    assert code == 0, err
    page = html.read_text()
    assert "Sobol' indices of y" in page and "Pareto frontier" in page
    assert "Distribution of y" in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--points", "1000"), "power of 2"),
        (("--points", "0"), "--points"),
        (("--workers", "2", "--scheduler", "tcp://127.0.0.1:1"), "not both"),
        (("--chunk-size", "0"), "--chunk-size"),
    ],
)
def test_bad_options_are_one_line_errors(detente_main, tmp_path, args, message):
    code, _, err = detente_main("sweep", str(EXAMPLE), "--out", str(tmp_path / "x.duckdb"), *args)
    assert code == 2
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_different_spec_on_existing_file_is_refused(detente_main, tmp_path):
    out = str(tmp_path / "x.duckdb")
    code, _, err = detente_main("sweep", str(EXAMPLE), "--out", out, "--points", "64")
    assert code == 0, err
    code, _, err = detente_main("sweep", str(EXAMPLE), "--out", out, "--points", "128")
    assert code == 2 and "holds a different sweep" in err


def test_unreachable_scheduler_is_a_clear_error(detente_main, tmp_path):
    pytest.importorskip("distributed")
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code, _, err = detente_main(
            "sweep", str(EXAMPLE), "--out", str(tmp_path / "x.duckdb"),
            "--points", "64", "--scheduler", "tcp://127.0.0.1:9",
        )  # fmt: skip
    assert code == 2 and "cannot reach the Dask scheduler" in err


def test_report_of_missing_file_is_a_clear_error(detente_main, tmp_path):
    code, _, err = detente_main("sweep-report", str(tmp_path / "none.duckdb"))
    assert code == 2 and "no such sweep file" in err


@pytest.mark.parametrize("example", sorted(EXAMPLE.parent.glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_sweep_examples_run(detente_main, tmp_path, example):
    out = tmp_path / "e.duckdb"
    code, _, err = detente_main("sweep", str(example), "--out", str(out), "--points", "64")
    assert code == 0, err
    results, _ = stored(out)
    assert len(results) == load_spec(example, points=64).n_points
    assert results.notna().all().all()
