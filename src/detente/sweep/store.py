"""One DuckDB file per sweep: the spec, a run id, the sampled points and the results.

Tables:

``sweep``
    One row: ``run_id``, ``spec_hash`` (:meth:`SweepSpec.digest`), ``spec_yaml`` (the resolved
    spec), ``n_points``, ``created_utc``, ``detente_version``, ``kernel`` (the kernel every
    point is evaluated on, chosen once: :func:`detente.sweep.registry.sweep_kernel`, and
    recorded by the file's first run; absent from files of detente before 2026-12, and added
    by the first run that resumes one).
``points``
    ``point_id`` (0 to ``n_points`` - 1) and one column per parameter: every point the
    sampler drew.
``results``
    ``point_id``, the inputs, then the outputs of every evaluated point (one row per point).
``sessions``
    One row per run of the sweep on this file: start, end, backend, points stored, status
    (``running``, ``complete``, ``interrupted``, ``failed``, ``abandoned``), and the process
    id and host of the run. A ``running`` session found by the next writer belongs to a process
    that died without recording its end (DuckDB lets one writer at a time hold the file); it is
    marked ``abandoned``.

Each batch of results is written by one ``INSERT`` in one transaction, which is atomic, so an
interrupted sweep leaves whole chunks only. A point already stored is dropped before the
write (the store keeps a mask of the stored point ids, read once from the file: one writer
holds a file at a time), so a chunk delivered twice is stored once. That mask, not a primary
key, keeps each point once: DuckDB's index on ``point_id`` cost the client half its time per
written row, the limit of a sweep on several workers (docs/sweeps.md, "Throughput").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import os
import socket
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from detente.errors import InputError
from detente.files import atomic_output, check_output
from detente.sweep.spec import SweepSpec, stored_spec


def _sql_type(values: np.ndarray) -> str:
    kind = np.asarray(values).dtype.kind
    return {"b": "BOOLEAN", "i": "BIGINT", "u": "BIGINT", "f": "DOUBLE"}.get(kind, "VARCHAR")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _create(con, table: str, columns: Mapping[str, np.ndarray]) -> None:
    cols = ", ".join(f"{_ident(name)} {_sql_type(v)}" for name, v in columns.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols})")


def _insert(con, table: str, columns: Mapping[str, np.ndarray]) -> None:
    """Append ``columns`` to ``table`` by name, within the caller's transaction (which rolls
    back on an error; the view is replaced by the next call)."""
    con.register("new_rows", pa.table(dict(columns)))
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM new_rows")
    con.unregister("new_rows")


class SweepStore:
    """A sweep's DuckDB file (a context manager; one writer at a time).

    Parameters
    ----------
    path : str or Path
    read_only : bool
        Open an existing file for reading only (reports, analysis).
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        if read_only and not self.path.is_file():
            raise InputError("no such sweep file", file=self.path)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise InputError(f"cannot open as a sweep file: {exc}", file=self.path) from None
        self._stored: np.ndarray | None = None  # [bool] by point id, read once (_stored_mask)
        self._results_table = False  # whether the results table exists (known with the mask)

    def __enter__(self) -> SweepStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the file."""
        self._con.close()

    # ----------------------------------------------------------------- set-up and identity

    @property
    def initialised(self) -> bool:
        """Whether the file holds a sweep (its spec and points)."""
        return (
            self._has_table("sweep")
            and self._con.execute("SELECT count(*) FROM sweep").fetchall()[0][0] == 1
        )

    def initialise(self, spec: SweepSpec, points: Mapping[str, np.ndarray]) -> str:
        """Record ``spec`` and its sampled ``points`` in one transaction; return the run id.
        The kernel is recorded by the first run (:meth:`record_kernel`)."""
        if self.initialised:
            raise ValueError(f"{self.path} already holds a sweep")
        columns = {"point_id": np.arange(spec.n_points, dtype=np.int64), **points}
        if any(len(v) != spec.n_points for v in columns.values()):
            raise ValueError(f"points must have {spec.n_points} rows per parameter")
        run_id = uuid.uuid4().hex
        con = self._con
        con.begin()
        try:
            con.execute(
                "CREATE TABLE sweep (run_id VARCHAR, spec_hash VARCHAR, spec_yaml VARCHAR, "
                "n_points BIGINT, created_utc VARCHAR, detente_version VARCHAR, kernel VARCHAR)"
            )
            con.execute(
                "INSERT INTO sweep VALUES (?, ?, ?, ?, ?, ?, ?)",
                [run_id, spec.digest(), spec.to_yaml(), spec.n_points, _now(), _version(), None],
            )
            _create(con, "points", columns)
            _insert(con, "points", columns)
            con.execute(
                "CREATE TABLE sessions (session INTEGER, started_utc VARCHAR, ended_utc VARCHAR, "
                "backend VARCHAR, stored_before BIGINT, stored_after BIGINT, status VARCHAR, "
                "pid BIGINT, host VARCHAR)"
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise
        return run_id

    def check_spec(self, spec: SweepSpec) -> None:
        """Raise :class:`InputError` unless ``spec`` is the sweep this file holds."""
        stored = self.meta["spec_hash"]
        if spec.digest() != stored:
            raise InputError(
                f"this file holds a different sweep (spec hash {stored[:12]}, this spec "
                f"{spec.digest()[:12]}); use a new --out file, or the same spec and --points to "
                f"resume",
                file=self.path,
            )

    @property
    def meta(self) -> dict:
        """The ``sweep`` row: run_id, spec_hash, spec_yaml, n_points, created_utc,
        detente_version and kernel (None in a file of detente before 2026-12 until a run
        records it, :meth:`record_kernel`)."""
        if not self.initialised:
            raise InputError("the file holds no sweep", file=self.path)
        cur = self._con.execute("SELECT * FROM sweep")
        names = [d[0] for d in cur.description]
        return dict(zip(names, cur.fetchall()[0], strict=True))

    def record_kernel(self, kernel: str) -> str:
        """Record ``kernel`` as the kernel of the file's points unless it has one (a new file,
        or a file of detente before 2026-12, which has no such column); return the recorded
        one, which later runs keep."""
        self._con.execute("ALTER TABLE sweep ADD COLUMN IF NOT EXISTS kernel VARCHAR")
        self._con.execute("UPDATE sweep SET kernel = ? WHERE kernel IS NULL", [kernel])
        return self.meta["kernel"]

    def spec(self) -> SweepSpec:
        """The stored (resolved) spec."""
        return stored_spec(self.meta["spec_yaml"])

    # ----------------------------------------------------------------------- points

    def points(self, point_ids: np.ndarray | None = None) -> pd.DataFrame:
        """Sampled inputs (all, or those of ``point_ids``), ordered by point id."""
        if point_ids is None:
            return self._con.execute("SELECT * FROM points ORDER BY point_id").df()
        self._con.register(
            "wanted", pd.DataFrame({"point_id": np.asarray(point_ids, dtype=np.int64)})
        )
        try:
            return self._con.execute(
                "SELECT p.* FROM points p SEMI JOIN wanted w USING (point_id) ORDER BY point_id"
            ).df()
        finally:
            self._con.unregister("wanted")

    def missing_point_ids(self) -> np.ndarray:
        """Ids of points without results, ascending."""
        return np.flatnonzero(~self._stored_mask()).astype(np.int64)

    # ----------------------------------------------------------------------- results

    def write_results(self, columns: Mapping[str, np.ndarray]) -> int:
        """Store results (``point_id``, inputs, outputs) atomically; return the rows added.

        Rows whose ``point_id`` is already stored, or repeats an earlier row's, are dropped,
        so a chunk delivered twice (a retried task) is stored once.

        Raises
        ------
        ValueError
            A point id that is not a point of the sweep.
        """
        stored = self._stored_mask()
        ids = np.asarray(columns["point_id"], dtype=np.int64)
        if len(ids) and (ids.min() < 0 or ids.max() >= len(stored)):
            raise ValueError(f"point ids must be 0 to {len(stored) - 1}")
        new = ~stored[ids]
        if not new.any():
            return 0
        _, first = np.unique(ids, return_index=True)  # the first row of each id
        if len(first) < len(ids):  # a repeat: only each id's first row is new
            repeat = np.ones(len(ids), dtype=bool)
            repeat[first] = False
            new &= ~repeat
        if not new.all():
            columns = {k: np.asarray(v)[new] for k, v in columns.items()}
        con = self._con
        con.begin()
        try:
            if not self._results_table:
                _create(con, "results", columns)
            _insert(con, "results", columns)
            con.commit()
        except BaseException:
            con.rollback()
            raise
        stored[ids[new]] = True  # only once committed
        self._results_table = True
        return int(new.sum())

    def _stored_mask(self) -> np.ndarray:
        """Whether each point (by id, 0 to ``n_points`` - 1) has its result: read from the
        file once (a runner reads it before its clock starts, :meth:`missing_point_ids`),
        then kept by :meth:`write_results`."""
        if self._stored is None:
            stored = np.zeros(self.meta["n_points"], dtype=bool)
            self._results_table = self._has_table("results")
            if self._results_table:
                sql = "SELECT point_id FROM results"
                stored[self._con.execute(sql).fetchnumpy()["point_id"]] = True
            self._stored = stored
        return self._stored

    def count(self) -> int:
        """Number of points with results."""
        if not self._has_table("results"):
            return 0
        return self._con.execute("SELECT count(*) FROM results").fetchall()[0][0]

    def results(self) -> pd.DataFrame:
        """Every stored result (point_id, inputs, outputs), ordered by point id."""
        if not self._has_table("results"):
            return pd.DataFrame({"point_id": np.empty(0, dtype=np.int64)})
        return self._con.execute("SELECT * FROM results ORDER BY point_id").df()

    def export_parquet(self, path: str | Path) -> Path:
        """Write the results, ordered by point id, to Parquet with the run id and spec hash
        as file metadata."""
        path = check_output(Path(path), inputs=[self.path], field="--parquet")
        if not self._has_table("results"):
            raise ValueError("there are no results to export yet")
        meta = self.meta
        with atomic_output(path, field="--parquet") as tmp:
            try:
                self._con.execute(
                    f"COPY (SELECT * FROM results ORDER BY point_id) TO {_literal(tmp)} "
                    f"(FORMAT parquet, KV_METADATA {{run_id: {_literal(meta['run_id'])}, "
                    f"spec_hash: {_literal(meta['spec_hash'])}}})"
                )
            except duckdb.IOException as exc:
                raise OSError(str(exc).splitlines()[0]) from None
        return path

    # ---------------------------------------------------------------------- sessions

    def begin_session(self, backend: str) -> int:
        """Record the start of a run on this file; return its session number."""
        self._con.execute("ALTER TABLE sessions ADD COLUMN IF NOT EXISTS pid BIGINT")
        self._con.execute("ALTER TABLE sessions ADD COLUMN IF NOT EXISTS host VARCHAR")
        self.mark_abandoned()
        n = self._con.execute("SELECT coalesce(max(session), 0) + 1 FROM sessions").fetchall()[0][0]
        self._con.execute(
            "INSERT INTO sessions VALUES (?, ?, NULL, ?, ?, NULL, 'running', ?, ?)",
            [n, _now(), backend, self.count(), os.getpid(), socket.gethostname()],
        )
        return n

    def mark_abandoned(self) -> int:
        """Mark ``running`` sessions of processes that are gone as ``abandoned``; return how many.

        This writer holds the file (DuckDB admits one writing process), so a ``running``
        session of any other process ended without recording it: killed, or its machine lost.
        """
        rows = self._con.execute(
            "SELECT session, pid, host FROM sessions WHERE status = 'running'"
        ).fetchall()
        me = (os.getpid(), socket.gethostname())
        stale = [n for n, pid, host in rows if (pid, host) != me]
        for n in stale:
            self._con.execute(
                "UPDATE sessions SET status = 'abandoned', stored_after = ? WHERE session = ?",
                [self.count(), n],
            )
        return len(stale)

    def end_session(self, session: int, status: str) -> None:
        """Record how session ``session`` ended."""
        self._con.execute(
            "UPDATE sessions SET ended_utc = ?, stored_after = ?, status = ? WHERE session = ?",
            [_now(), self.count(), status, session],
        )

    def sessions(self) -> pd.DataFrame:
        """Every run on this file, oldest first."""
        return self._con.execute("SELECT * FROM sessions ORDER BY session").df()

    def _has_table(self, name: str) -> bool:
        sql = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
        return self._con.execute(sql, [name]).fetchall()[0][0] == 1


@contextlib.contextmanager
def readable(path: str | Path) -> Iterator[None]:
    """Turn a DuckDB error while using the sweep file ``path`` into one located line (a
    damaged or truncated file is refused, never a traceback)."""
    try:
        yield
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"cannot read as a sweep file (damaged or truncated?): {first}", file=path
        ) from None


def _version() -> str:
    try:
        return importlib.metadata.version("detente")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
