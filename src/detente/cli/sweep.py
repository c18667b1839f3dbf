"""``detente sweep`` and ``detente sweep-report``: run a sweep file into DuckDB, report on it.

The sweep modules (SALib, DuckDB, plotly, Dask) are imported when a command runs, so that
``detente --help`` stays quick.
"""

from __future__ import annotations

import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from detente.errors import InputError
from detente.files import check_output

#: Exit status of a sweep stopped by a signal: 128 + the signal's number (130: Ctrl-C,
#: 143: SIGTERM), the shell's convention.
EXIT_SIGNAL_BASE = 128


@contextmanager
def _progress(console: Console):
    """A progress callback: a rich bar on a terminal, one plain line per chunk otherwise."""
    if console.is_terminal:
        columns = (
            TextColumn("sweep"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("points"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("sweep", total=None)

            def update(stored: int, total: int) -> None:
                bar.update(task, completed=stored, total=total)

            yield update
    else:

        def update(stored: int, total: int) -> None:
            print(f"stored {stored} of {total} points", file=sys.stderr, flush=True)

        yield update


def sweep(
    spec: Path = typer.Argument(..., help="Sweep file (YAML)."),
    out: Path = typer.Option(
        ..., "--out", help="DuckDB file for the results; resumes if it exists."
    ),
    points: int | None = typer.Option(None, "--points", help="Override the file's points."),
    workers: int | None = typer.Option(
        None, "--workers", help="Start a local Dask cluster of N worker processes."
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Join the Dask cluster at tcp://HOST:PORT."
    ),
    chunk_size: int | None = typer.Option(None, "--chunk-size", help="Points per task."),
    parquet: Path | None = typer.Option(
        None, "--parquet", help="Also export the results to this Parquet file."
    ),
) -> None:
    """Evaluate a sweep file into a DuckDB file; interrupt with Ctrl-C and resume by re-running."""
    began = time.perf_counter()
    from detente.sweep import backends

    if workers is not None and scheduler is None and workers >= 1:
        backends.start_forkserver()  # the workers' imports, while this reads the sweep file
    from detente.sweep.backends import DaskBackend, InProcess
    from detente.sweep.runner import run_sweep, stop_on_signals
    from detente.sweep.spec import load_spec
    from detente.sweep.store import SweepStore, readable

    if workers is not None and scheduler is not None:
        raise InputError("give --workers or --scheduler, not both", field="--workers")
    if workers is not None and workers < 1:
        raise InputError(f"must be >= 1, got {workers}", field="--workers")
    if points is not None and points < 1:
        raise InputError(f"must be >= 1, got {points}", field="--points")
    if chunk_size is not None and chunk_size < 1:
        raise InputError(f"must be >= 1, got {chunk_size}", field="--chunk-size")
    the_spec = load_spec(spec, points=points, chunk_size=chunk_size)
    if out.is_dir():
        raise InputError("is a folder; give the sweep's DuckDB file", file=out, field="--out")
    if parquet is not None:
        check_output(parquet, inputs=[out, spec], field="--parquet")
    console = Console(stderr=True, soft_wrap=True)
    if workers is None and scheduler is None:
        backend = InProcess()
    else:
        backend = DaskBackend(workers=workers, scheduler=scheduler)
    with stop_on_signals() as stop:
        try:
            with readable(out), _progress(console) as progress, backend:
                outcome = run_sweep(the_spec, out, backend=backend, progress=progress)
                ready_s = time.perf_counter() - outcome.seconds - began
        except ValueError as exc:
            raise InputError(str(exc)) from None
        except BaseException:
            if stop.signum is None:
                raise
            _interrupted(console, out, the_spec.n_points, stop.signum)
    rate = f" at {outcome.points_per_s:,.0f} points/s" if outcome.evaluated else ""
    if workers is not None and outcome.evaluated and ready_s > outcome.seconds:
        console.print(_cluster_note(workers, ready_s, outcome.seconds))
    console.print(
        f"{outcome.stored} of {outcome.n_points} points in {out} (run {outcome.run_id[:8]}); "
        f"{outcome.evaluated} evaluated now{rate} on the {outcome.kernel} kernel"
    )
    if parquet is not None:
        with SweepStore(out, read_only=True) as store:
            store.export_parquet(parquet)
        console.print(f"results exported to {parquet}")


def _cluster_note(workers: int, ready_s: float, seconds: float) -> str:
    """One line when the run took longer to get its local cluster ready than to evaluate."""
    return (
        f"note: {ready_s:.1f} s went to getting ready (Dask's import and the {workers}-worker "
        f"cluster's start, while the sweep was read, sampled and stored) and {seconds:.2f} s "
        f"to the evaluation: a sweep this small is quicker without --workers "
        f"(docs/sweeps.md, Throughput)"
    )


def _interrupted(console: Console, out: Path, n_points: int, signum: int) -> None:
    """One line on what is stored, then exit with 128 + the signal's number."""
    from detente.sweep.store import SweepStore

    name = signal.Signals(signum).name
    try:
        with SweepStore(out, read_only=True) as store:
            stored = f"{store.count()} of {n_points} points stored in {out}"
    except Exception:
        stored = f"no points stored in {out}"
    console.print(f"interrupted ({name}): {stored}; run the same command again to resume")
    sys.exit(EXIT_SIGNAL_BASE + signum)  # SystemExit: typer.Exit's code is lost under main()


def sweep_report(
    store: Path = typer.Argument(..., help="A sweep's DuckDB file."),
    out: Path | None = typer.Option(None, "--out", help="HTML file (default: next to the store)."),
) -> None:
    """Write a self-contained HTML report of a sweep: Sobol' indices, agreement zone, outputs."""
    from detente.sweep.report import write_report
    from detente.sweep.store import SweepStore, readable

    target = check_output(out or store.with_suffix(".html"), inputs=[store])
    with readable(store), SweepStore(store, read_only=True) as s:
        write_report(s, target)
    Console(stderr=True, soft_wrap=True).print(f"report written to {target}")


def register(app: typer.Typer) -> None:
    """Add ``sweep`` and ``sweep-report`` to ``app``."""
    app.command("sweep")(sweep)
    app.command("sweep-report")(sweep_report)
