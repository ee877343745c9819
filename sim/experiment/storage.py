"""Storage that recovers: before ``--resume`` goes on, every Parquet file it would build on is read in full, and
one that cannot be read as this experiment's table is moved aside and its runs are run again.

A part (``parts/runs-*.parquet`` with its ``parts/ts-*.parquet``) is written atomically, but a full disk, a
crash of the machine or a copy can still leave one truncated or with bytes changed. ``--resume`` used to stop at
the first such file with ``ArrowInvalid: Parquet magic bytes not found``. Now a file counts as damaged if it
cannot be opened or read to the end (parts are written with page checksums, so changed bytes are found), if its
columns are not this experiment's, if its run ids are out of range or out of order, or if a runs part and its
timeseries part disagree (every successful run has one row per recorded week). A damaged part and its partner
are moved to ``DIR/damaged/`` (never deleted: nothing good is lost) and said so; their runs count as not done.
The consolidated ``runs.parquet`` and ``timeseries.parquet`` of a finished experiment are checked the same way.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

DAMAGED = "damaged"


class Damaged(Exception):
    """A Parquet file that cannot be read as this experiment's table: ``path`` and ``why``."""

    def __init__(self, path: Path, why: str):
        super().__init__(f"{path}: {why}")
        self.path, self.why = path, why


def _read_checked(path: Path, schema, n_runs: int):
    """The whole table in ``path`` (page checksums verified), or :class:`Damaged`."""
    if not path.exists():
        raise Damaged(path, "missing")
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path, page_checksum_verification=True)
        if not pf.schema_arrow.equals(schema):
            raise Damaged(path, "other columns than this experiment's")
        groups = []
        for i in range(pf.num_row_groups):
            t = pf.read_row_group(i)
            ids = t.column("run_id").to_numpy()
            if len(ids) and (ids.min() < 0 or ids.max() >= n_runs or (np.diff(ids) < 0).any()):
                raise Damaged(path, "run ids out of range or out of order")
            st = pf.metadata.row_group(i).column(0).statistics
            if len(ids) and st is not None and st.has_min_max and int(st.min) != int(ids[0]):
                raise Damaged(path, "its index does not match its rows")
            groups.append(t)
    except Damaged:
        raise
    except Exception as exc:  # noqa: BLE001 - what pyarrow raises on a damaged file (ArrowInvalid, OSError...)
        raise Damaged(path, type(exc).__name__) from None
    return pa.concat_tables(groups) if groups else schema.empty_table()


def check_pair(runs_path: Path, ts_path: Path, runs_schema, ts_schema, n_runs: int, weeks) -> None:
    """Raise :class:`Damaged` naming the file at fault unless both files read in full and agree: every
    successful run in ``runs_path`` has ``weeks`` rows in ``ts_path`` (``weeks``: a count, or the recorded
    weeks; a run stopped early, ``stopped_week``, has those before its stop and the stop week), and no other
    run has any."""
    from .outputs import recorded_for

    runs = _read_checked(runs_path, runs_schema, n_runs)
    ts = _read_checked(ts_path, ts_schema, n_runs)
    status = runs.column("status").to_numpy(zero_copy_only=False)
    ids = runs.column("run_id").to_numpy()
    order = np.argsort(ids[status == "ok"], kind="stable")
    ok = ids[status == "ok"][order]
    counts = np.full(len(ok), weeks if np.ndim(weeks) == 0 else len(weeks), dtype=np.int64)
    if np.ndim(weeks) and "stopped_week" in runs.column_names:
        stopped = runs.column("stopped_week").to_pandas().to_numpy()[status == "ok"][order]
        counts = np.array([len(weeks) if s != s or s is None else len(recorded_for(weeks, int(s)))
                           for s in stopped], dtype=np.int64)
    if not np.array_equal(np.sort(ts.column("run_id").to_numpy()), np.repeat(ok, counts)):
        raise Damaged(ts_path, f"does not hold the weeks of the runs in {runs_path.name}")


def move_aside(out: Path, path: Path) -> Path:
    """Move ``path`` into ``out/damaged/`` (a free name: ``.1``, ``.2`` ... added); return where it went."""
    dest_dir = out / DAMAGED
    dest_dir.mkdir(exist_ok=True)
    dest, k = dest_dir / path.name, 0
    while dest.exists():
        k += 1
        dest = dest_dir / f"{path.name}.{k}"
    os.replace(path, dest)
    return dest


def quarantine_damaged(out: Path, n_runs: int, runs_schema, ts_schema, weeks,
                       consolidated: tuple[str, str], finished: bool) -> list[str]:
    """Check every part in ``out/parts`` (and, if ``finished``, the ``consolidated`` runs and timeseries files);
    move each damaged pair aside. Returns one note per pair moved, for the user."""
    notes = []
    runs_parts = sorted((out / "parts").glob("runs-*.parquet"))
    pairs = [(p, p.with_name("ts-" + p.name[len("runs-"):])) for p in runs_parts]
    if finished:
        pairs.append((out / consolidated[0], out / consolidated[1]))
    for runs_path, ts_path in pairs:
        try:
            check_pair(runs_path, ts_path, runs_schema, ts_schema, n_runs, weeks)
        except Damaged as bad:
            moved = [move_aside(out, f).name for f in (runs_path, ts_path) if f.exists()]
            notes.append(f"{bad.path.relative_to(out)} cannot be read ({bad.why}): moved "
                         f"{' and '.join(moved)} to {out / DAMAGED}/; their runs are run again")
    return notes
