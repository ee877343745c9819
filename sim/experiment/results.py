"""An experiment's results on disk: the Arrow schemas of ``runs.parquet`` and ``timeseries.parquet``, the
table builder that turns worker results into rows, the parts written while running (each atomically), their
sorted merge, CSV export and :func:`load_results` (of a finished or an unfinished experiment). Checking parts
for damage before a resume is :mod:`sim.experiment.storage`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ..metrics import INT_METRICS
from ..params import ConfigError
from .design import Design, param_columns
from .outputs import recorded_for
from .spec import FACTOR_KINDS

RUNS, TS, MANIFEST = "runs.parquet", "timeseries.parquet", "manifest.json"


def _arrow_type(kind: str):
    import pyarrow as pa

    return {"float": pa.float64(), "knob": pa.float64(), "int": pa.int64(), "bool": pa.bool_()}.get(kind,
                                                                                                  pa.string())


def schemas(metrics, stop: bool = False, variants: bool = False) -> tuple:
    """The Arrow schemas of runs.parquet and timeseries.parquet (``stop``: the experiment has a ``[stop]``,
    and runs.parquet a ``stopped_week`` column, null for a run that ran every week; ``variants``: a ``variant``
    column)."""
    import pyarrow as pa

    i64, f64, s = pa.int64(), pa.float64(), pa.string()
    runs = [("run_id", i64), ("point", i64), ("replicate", i64), ("seed", i64)] + ([("variant", s)] if variants
                                                                                   else [])
    runs += [(p.key, _arrow_type(p.kind)) for p in param_columns()]
    runs += [("events", s), ("status", s), ("seconds", f64)] + ([("stopped_week", i64)] if stop else [])
    runs += [(f"final_{m}", i64 if m in INT_METRICS else f64) for m in metrics]
    runs += [(f"mean_{m}", f64) for m in metrics]
    runs += [("error", s), ("traceback", s)]
    ts = [("run_id", i64), ("week", i64)] + [(m, i64 if m in INT_METRICS else f64) for m in metrics]
    return pa.schema(runs), pa.schema(ts)


def _col(values: np.ndarray, metric: str, mask=None):
    import pyarrow as pa

    if metric in INT_METRICS:
        return pa.array(np.where(np.isnan(values), 0, values).astype(np.int64), mask=mask)
    return pa.array(values, mask=mask)


class TableBuilder:
    """Turns worker results into Arrow tables with the fixed schemas."""

    def __init__(self, design: Design):
        import pyarrow as pa

        self.d = design
        self.metrics = design.metrics
        self.runs_schema, self.ts_schema = schemas(self.metrics, design.spec.stop is not None,
                                                   bool(design.spec.variants))
        cols = param_columns()
        self.point_table = pa.table({p.key: pa.array(design.columns[p.key], type=_arrow_type(p.kind)
                                                     if p.kind in FACTOR_KINDS else pa.string()) for p in cols})
        if design.spec.variants:   # a variant's events are its scenario's
            from ..params import validate

            ev = [json.dumps([e.model_dump(mode="json") for e in validate(r, v.name).events])
                  for v, r in zip(design.spec.variants, design.variant_raws)]
            self.point_events = [ev[int(k)] for k in design.point_variant]
            self.point_variants = [design.variant_name(p) for p in range(design.n_points)]
        else:
            self.point_events = [json.dumps([e.model_dump(mode="json") for e in design.base.events])] * \
                design.n_points
            self.point_variants = None
        self.recorded = design.spec.recorded_weeks(design.weeks)

    def runs(self, res: dict):
        import pyarrow as pa

        ids = res["run_id"]
        n = len(ids)
        pts = self.d.point_of(ids)
        failed = ~res["ok"]
        cols = {"run_id": pa.array(ids), "point": pa.array(pts), "replicate": pa.array(self.d.replicate_of(ids)),
                "seed": pa.array(self.d.seeds[ids])}
        if self.point_variants is not None:
            cols["variant"] = pa.array([self.point_variants[p] for p in pts], pa.string())
        ptab = self.point_table.take(pa.array(pts))
        cols.update({name: ptab.column(name) for name in ptab.column_names})
        cols["events"] = pa.array([self.point_events[p] for p in pts], pa.string())
        cols["status"] = pa.array(np.where(res["ok"], "ok", "failed").tolist(), pa.string())
        cols["seconds"] = pa.array(res["seconds"])
        if "stopped_week" in self.runs_schema.names:
            cols["stopped_week"] = pa.array(res["stopped"], mask=res["stopped"] == 0)
        for j, m in enumerate(self.metrics):
            cols[f"final_{m}"] = _col(res["final"][:, j], m, failed)
        for j, m in enumerate(self.metrics):
            cols[f"mean_{m}"] = pa.array(res["mean"][:, j], mask=failed)
        cols["error"] = pa.array(res["error"], pa.string())
        cols["traceback"] = pa.array(res["traceback"], pa.string())
        return pa.table(cols, schema=self.runs_schema)

    def timeseries(self, res: dict):
        import pyarrow as pa

        ok = res["ok"]
        ok_ids = res["run_id"][ok]
        weeks = [self.recorded if not s else recorded_for(self.recorded, s) for s in res["stopped"][ok]]
        cols = {"run_id": pa.array(np.repeat(ok_ids, [len(w) for w in weeks]).astype(np.int64)),
                "week": pa.array(np.concatenate(weeks).astype(np.int64) if weeks else np.zeros(0, np.int64))}
        for j, m in enumerate(self.metrics):
            cols[m] = _col(res["ts"][:, j], m)
        return pa.table(cols, schema=self.ts_schema)


# ---------------------------------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------------------------------
def atomic_write(path: Path, write) -> None:
    """Write via a temporary file in the same directory, then ``os.replace``: no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(str(tmp))
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_parquet(path: Path, tables: list, schema) -> None:
    import pyarrow.parquet as pq

    def write(tmp):
        with pq.ParquetWriter(tmp, schema, write_page_checksum=True) as w:
            for t in tables:          # one row group per chunk
                w.write_table(t, row_group_size=max(len(t), 1))
    atomic_write(path, write)


def write_json(path: Path, obj: dict) -> None:
    atomic_write(path, lambda p: Path(p).write_text(json.dumps(obj, indent=2, default=str) + "\n"))


def _parts(out: Path, kind: str) -> list[Path]:
    return sorted((out / "parts").glob(f"{kind}-*.parquet"))


def clean_parts(out: Path) -> None:
    """Remove what a kill can leave behind: temporary files, and timeseries parts whose runs part (the mark
    that the chunk is done) was never written."""
    pdir = out / "parts"
    if not pdir.is_dir():
        return
    for f in pdir.glob(".*"):
        f.unlink(missing_ok=True)
    for f in out.glob(".*.tmp"):
        f.unlink(missing_ok=True)
    for f in _parts(out, "ts"):
        if not (pdir / f.name.replace("ts-", "runs-", 1)).exists():
            f.unlink(missing_ok=True)


def _done_ids(out: Path, n_runs: int) -> tuple[np.ndarray, int]:
    """Which runs are recorded (finished or failed), and how many of them failed: from the consolidated
    runs.parquet of a finished experiment and from the parts."""
    import pyarrow.parquet as pq

    done, failed = np.zeros(n_runs, bool), np.zeros(n_runs, bool)
    files = _parts(out, "runs")
    if _finished(out):
        files = [out / RUNS] + files
    for f in files:
        t = pq.read_table(f, columns=["run_id", "status"], use_threads=False)
        ids = t.column(0).to_numpy()
        keep = (ids >= 0) & (ids < n_runs)
        done[ids[keep]] = True
        failed[ids[keep]] = t.column(1).to_numpy(zero_copy_only=False)[keep] != "ok"
    return done, int(failed.sum())


def _read_manifest(out: Path) -> dict | None:
    try:
        return json.loads((out / MANIFEST).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"--out {out}: {MANIFEST} is unreadable ({type(exc).__name__}); use another --out") from None


def read_experiment_manifest(out: Path) -> dict:
    """The manifest of an experiment directory that is to be analysed; a one-line error if there is none."""
    try:
        return json.loads((out / MANIFEST).read_text())
    except FileNotFoundError:
        raise ConfigError(f"{out}: not an experiment directory (no {MANIFEST}; run 'orgsim experiment' first)") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{out}/{MANIFEST}: unreadable ({type(exc).__name__})") from None


def _finished(out: Path) -> bool:
    m = _read_manifest(out)
    return bool(m and m.get("status") == "finished" and (out / RUNS).exists() and (out / TS).exists())


def _row_groups(files: list[Path]) -> list[tuple[int, Path, int]]:
    """(first run id, file, row group) of every row group; every row group holds a contiguous id range."""
    import pyarrow.parquet as pq

    out = []
    for f in files:
        pf = pq.ParquetFile(f)
        for i in range(pf.num_row_groups):
            st = pf.metadata.row_group(i).column(0).statistics
            if pf.metadata.row_group(i).num_rows == 0:
                continue
            lo = st.min if st is not None and st.has_min_max else int(
                pf.read_row_group(i, columns=["run_id"]).column(0)[0].as_py())
            out.append((int(lo), f, i))
    return sorted(out, key=lambda t: (t[0], str(t[1]), t[2]))


def merge_sorted(files: list[Path], dest: Path, schema, n_runs: int, keep=None,
                 rows_per_group: int = 250_000) -> np.ndarray:
    """Merge Parquet files into one, sorted by run id, streaming one row group at a time (memory stays
    bounded). A run id already written is skipped; ``keep`` (bool per run id) limits the runs. Returns a bool
    array: which run ids were written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    written = np.zeros(n_runs, bool)
    groups = _row_groups(files)
    opened: dict[Path, pq.ParquetFile] = {}

    def write(tmp):
        buf, nbuf, last = [], 0, -1
        with pq.ParquetWriter(tmp, schema, write_page_checksum=True) as w:
            for _, f, i in groups:
                pf = opened.setdefault(f, pq.ParquetFile(f))
                t = pf.read_row_group(i)
                ids = t.column("run_id").to_numpy()
                new = ~written[ids]
                if keep is not None:
                    new &= keep[ids]
                if not new.all():
                    t = t.filter(pa.array(new))
                    ids = ids[new]
                if not len(ids):
                    continue
                if ids[0] < last:    # cannot happen with contiguous chunks; kept as a guard
                    raise RuntimeError(f"{dest}: parts overlap at run {ids[0]}; delete {dest} and resume")
                last = int(ids[-1])
                written[ids] = True
                buf.append(t.select(schema.names).cast(schema))
                nbuf += len(t)
                if nbuf >= rows_per_group:
                    w.write_table(pa.concat_tables(buf))
                    buf, nbuf = [], 0
            if buf:
                w.write_table(pa.concat_tables(buf))
    atomic_write(dest, write)
    return written


def consolidate(out: Path, n_runs: int, runs_schema, ts_schema) -> None:
    """Build runs.parquet and timeseries.parquet from the parts (timeseries only of recorded runs)."""
    keep = merge_sorted(_parts(out, "runs"), out / RUNS, runs_schema, n_runs)
    merge_sorted(_parts(out, "ts"), out / TS, ts_schema, n_runs, keep=keep)


def export_csv(out: Path, dest: Path | None = None) -> list[Path]:
    """runs.csv and timeseries.csv beside (or in ``dest``) the Parquet files, streamed row group by row group."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    dest = Path(dest or out)
    written = []
    for name in (RUNS, TS):
        src = out / name
        target = dest / name.replace(".parquet", ".csv")
        pf = pq.ParquetFile(src)

        def write(tmp, pf=pf):
            with pacsv.CSVWriter(tmp, pf.schema_arrow) as w:
                for i in range(pf.num_row_groups):
                    w.write_table(pf.read_row_group(i))
        atomic_write(target, write)
        written.append(target)
    return written


def load_results(out, columns: list[str] | None = None):
    """``(runs, timeseries)`` as pandas DataFrames, sorted by run id (and week). Works on a finished experiment
    (the consolidated files) and on an unfinished one (the parts written so far). ``columns`` limits the
    timeseries columns (``run_id`` and ``week`` are always read). A file that cannot be read is a one-line
    :class:`~sim.params.ConfigError` that says how to recover (``--resume`` moves it aside)."""
    out = Path(out)
    if not (out / MANIFEST).exists():
        raise ConfigError(f"{out}: not an experiment directory (no {MANIFEST})")
    import pyarrow as pa

    try:
        return _load_results(out, columns)
    except (OSError, pa.ArrowException) as exc:  # a damaged Parquet file (ArrowInvalid, OSError, ...)
        raise ConfigError(f"{out}: a results file cannot be read ({type(exc).__name__}); run the experiment "
                          f"again with --resume and this --out: damaged files are moved aside and their runs "
                          f"run again") from None


def _load_results(out: Path, columns: list[str] | None):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    ts_cols = None if columns is None else ["run_id", "week", *[c for c in columns if c not in ("run_id", "week")]]
    if _finished(out):
        return pd.read_parquet(out / RUNS), pd.read_parquet(out / TS, columns=ts_cols)
    runs_files = _parts(out, "runs")
    if not runs_files:
        return pd.DataFrame(), pd.DataFrame()
    runs = pa.concat_tables([pq.read_table(f) for f in runs_files]).to_pandas()
    runs = runs.drop_duplicates("run_id").sort_values("run_id", kind="stable").reset_index(drop=True)
    ts_files = [f for f in _parts(out, "ts") if (out / "parts" / f.name.replace("ts-", "runs-", 1)).exists()]
    ts = pa.concat_tables([pq.read_table(f, columns=ts_cols) for f in ts_files]).to_pandas()
    ts = ts[ts["run_id"].isin(runs["run_id"])].drop_duplicates(["run_id", "week"])
    return runs, ts.sort_values(["run_id", "week"], kind="stable").reset_index(drop=True)



def _drop_parts(out: Path) -> None:
    for f in _parts(out, "runs") + _parts(out, "ts"):
        f.unlink(missing_ok=True)
    try:
        (out / "parts").rmdir()
    except OSError:
        pass

