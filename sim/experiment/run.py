"""Running an experiment: executors (this process, local processes, a Dask cluster), a streaming Parquet writer
and resume.

Every run's seed comes from the master seed and the run's replicate (and design point), so the tables are the
same whatever the number of workers or the executor. A design point's replicates run side by side in batches
(:func:`sim.runner.run_batch`, several times faster for small teams) that the design fixes, not the scheduling.
Runs go to the workers in chunks of whole batches with contiguous run ids (sized to take about half a second
each); every worker validates the base parameters once. Finished chunks
are written as Parquet parts in ``DIR/parts/`` (each atomically: temporary file + ``os.replace``; the
timeseries part first, then the runs part, which marks the chunk as done), and at the end merged, sorted by run
id, into ``DIR/runs.parquet`` and ``DIR/timeseries.parquet``. ``--resume`` reads the parts to see what is done
and runs only the rest. A run that raises is recorded (status ``failed``, error, traceback) and the sweep goes
on.

Test hook: the environment variable ``ORGSIM_EXPERIMENT_FAIL_RUNS`` (comma-separated run ids), read when an
experiment starts, makes those runs raise ``RuntimeError`` inside the worker.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import subprocess
import time
import traceback
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np

from .. import engine
from ..metrics import INT_METRICS
from ..params import ConfigError, validate
from ..budget import check_design
from ..outdir import check_out
from ..runner import run_batch, versions
from ..safe_text import for_markup, one_line
from .spec import FACTOR_KINDS, ROOT, Design, expand, load_spec, param_columns
from .storage import quarantine_damaged

FAIL_ENV = "ORGSIM_EXPERIMENT_FAIL_RUNS"
CHUNK_SECONDS = 0.5          # aim: a chunk of runs takes about this long on a worker
MAX_CHUNK = 256
RUNS, TS, MANIFEST = "runs.parquet", "timeseries.parquet", "manifest.json"


# ---------------------------------------------------------------------------------------------------------------
# the worker side
# ---------------------------------------------------------------------------------------------------------------
@dataclass
class RunContext:
    """What a worker needs, sent once per worker: the base scenario (raw, validated on the worker once), the
    factor keys, weeks and what to record."""

    base_raw: dict
    factors: tuple[tuple[str, str], ...]
    weeks: int
    metrics: tuple[str, ...]
    recorded: tuple[int, ...]          # weeks kept in the timeseries
    average_from: int
    fail_runs: frozenset = frozenset()
    _base: object = field(default=None, repr=False, compare=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self):
        return {**self.__dict__, "_base": None, "_cache": {}}

    def params_for(self, values: tuple):
        """The parameters of a design point: the validated base with the factor values put in (no second
        validation: every design point was validated before the first run)."""
        sp = self._cache.get(values)
        if sp is None:
            if self._base is None:
                self._base = validate(self.base_raw, "<experiment base>")
            base, upd = self._base, {}
            for (sec, name), v in zip(self.factors, values):
                upd.setdefault(sec, {})[name] = v
            sp = base.model_copy(update={s: getattr(base, s).model_copy(update=u) for s, u in upd.items()})
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[values] = sp
        return sp


def _run_block(ctx: RunContext, values: tuple, seeds: list[int]) -> list[np.ndarray]:
    """One design point's replicates side by side in one model: the kept metrics per run (weeks x metrics)."""
    frames = run_batch(ctx.params_for(values), seeds, ctx.weeks)
    return [f[list(ctx.metrics)].to_numpy(dtype=float) for f in frames]


def run_chunk(ctx: RunContext, chunk: list[tuple[tuple, list[int], list[int]]]) -> dict:
    """Run a chunk of batches ``(factor values, run ids, seeds)``; return compact numpy arrays. A batch that
    raises is run again one run at a time, so that only the runs that raise are recorded as failed (with their
    error and traceback); the others go on. An experiment spreads its runs over processes, so each run keeps
    to one thread (:func:`sim.engine.serial_only`)."""
    with engine.serial_only():
        return _run_chunk(ctx, chunk)


def _run_chunk(ctx: RunContext, chunk: list[tuple[tuple, list[int], list[int]]]) -> dict:
    ids = [i for _, rids, _ in chunk for i in rids]
    n, m = len(ids), len(ctx.metrics)
    rec = np.asarray(ctx.recorded) - 1
    out = {"run_id": np.array(ids, dtype=np.int64), "ok": np.zeros(n, bool), "seconds": np.zeros(n),
           "error": [None] * n, "traceback": [None] * n, "final": np.full((n, m), np.nan),
           "mean": np.full((n, m), np.nan), "ts": []}

    def keep(k, arr, seconds):
        out["final"][k], out["mean"][k] = arr[-1], arr[ctx.average_from - 1:].mean(axis=0)
        out["ts"].append(arr[rec])
        out["ok"][k], out["seconds"][k] = True, seconds

    k = 0
    for values, rids, seeds in chunk:
        t0 = time.perf_counter()
        arrs = None
        if not ctx.fail_runs.intersection(rids):
            try:
                arrs = _run_block(ctx, values, seeds)
            except Exception:  # noqa: BLE001 - find the run that raises, below
                arrs = None
        if arrs is not None:
            for j, arr in enumerate(arrs):   # seconds: each run's share of its batch
                keep(k + j, arr, (time.perf_counter() - t0) / len(rids))
        else:
            for j, (rid, seed) in enumerate(zip(rids, seeds)):
                t1 = time.perf_counter()
                try:
                    if rid in ctx.fail_runs:
                        raise RuntimeError(f"injected failure of run {rid} ({FAIL_ENV})")
                    keep(k + j, _run_block(ctx, values, [seed])[0], time.perf_counter() - t1)
                except Exception as exc:  # noqa: BLE001 - recorded, the sweep goes on
                    out["error"][k + j] = f"{type(exc).__name__}: {exc}"
                    out["traceback"][k + j] = traceback.format_exc()
                    out["seconds"][k + j] = time.perf_counter() - t1
        k += len(rids)
    out["ts"] = np.concatenate(out["ts"]) if out["ts"] else np.zeros((0, m))
    return out


_LOCAL_CTX: RunContext | None = None


def _init_local(ctx: RunContext) -> None:
    global _LOCAL_CTX
    _LOCAL_CTX = ctx


def _run_local(chunk):
    return run_chunk(_LOCAL_CTX, chunk)


def _failed_chunk(ctx: RunContext, chunk, exc: BaseException) -> dict:
    """A chunk whose worker died or could not run it: every run in it is recorded as failed."""
    ids = [i for _, rids, _ in chunk for i in rids]
    n, m = len(ids), len(ctx.metrics)
    msg = f"{type(exc).__name__}: {exc}".strip()
    return {"run_id": np.array(ids, dtype=np.int64), "ok": np.zeros(n, bool),
            "seconds": np.zeros(n), "error": [f"worker failed: {msg}"] * n, "traceback": [None] * n,
            "final": np.full((n, m), np.nan), "mean": np.full((n, m), np.nan), "ts": np.zeros((0, m))}


# ---------------------------------------------------------------------------------------------------------------
# executors: submit a chunk, wait for some to finish
# ---------------------------------------------------------------------------------------------------------------
class SerialExecutor:
    """Runs chunks in this process (``--workers 1``)."""

    def __init__(self, ctx: RunContext):
        self.ctx, self.workers, self.name = ctx, 1, "this process"

    def submit(self, chunk) -> Future:
        f: Future = Future()
        f.set_result(run_chunk(self.ctx, chunk))
        return f

    def wait(self, futures, timeout):
        return list(futures)

    def restart(self):
        pass

    def close(self):
        pass


class LocalExecutor:
    """Local worker processes, forked where the platform can (they start at once, with the model imported),
    else spawned. All workers are started before the progress bar's thread."""

    def __init__(self, ctx: RunContext, workers: int):
        self.ctx, self.workers, self.name = ctx, workers, f"{workers} local processes"
        self._start()

    def _start(self):
        import multiprocessing as mp
        import warnings
        from concurrent.futures import ProcessPoolExecutor

        mpc = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        if mpc.get_start_method() == "fork":
            from ..runner import warm_up
            warm_up()  # the compiled schedule, loaded once here and shared by the forked workers
        self.pool = ProcessPoolExecutor(self.workers, mp_context=mpc, initializer=_init_local,
                                        initargs=(self.ctx,))
        with warnings.catch_warnings():
            # numpy's and pyarrow's native helper threads make Python warn about fork; they are fork-safe
            # (they register at-fork handlers), and forking is what multiprocessing did by default until 3.14
            warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
            self.pool.submit(int).result()  # start every worker now

    def submit(self, chunk) -> Future:
        return self.pool.submit(_run_local, chunk)

    def wait(self, futures, timeout):
        from concurrent.futures import FIRST_COMPLETED
        from concurrent.futures import wait as cf_wait

        return list(cf_wait(futures, timeout=timeout, return_when=FIRST_COMPLETED).done)

    def restart(self):
        self.pool.shutdown(wait=False, cancel_futures=True)
        self._start()

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A Dask distributed cluster (``--scheduler tcp://host:port``); the context is broadcast to every worker."""

    def __init__(self, ctx: RunContext, address: str):
        try:
            from distributed import Client
        except ImportError:
            raise ConfigError("--scheduler needs the Dask extra: pip install 'orgsim[distributed]'") from None
        try:
            self.client = Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConfigError(f"--scheduler {address}: cannot connect ({type(exc).__name__}: {exc})") from None
        self.workers = sum(self.client.nthreads().values())
        if not self.workers:
            self.client.close()
            raise ConfigError(f"--scheduler {address}: no workers connected; start some with 'dask worker "
                              f"{address}'")
        self.name = f"Dask cluster {address} ({self.workers} worker threads)"
        self.ctx = self.client.scatter(ctx, broadcast=True, hash=False)
        from distributed import as_completed

        self.finished = as_completed(loop=self.client.loop)

    def submit(self, chunk):
        f = self.client.submit(run_chunk, self.ctx, chunk, pure=False)
        self.finished.add(f)
        return f

    def wait(self, futures, timeout):
        """Block until a chunk is finished (a chunk's results are what gets flushed, so no timeout is needed)."""
        return [next(self.finished), *self.finished.next_batch(block=False)]

    def restart(self):
        pass

    def close(self):
        self.client.close()


# ---------------------------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------------------------
def _arrow_type(kind: str):
    import pyarrow as pa

    return {"float": pa.float64(), "knob": pa.float64(), "int": pa.int64(), "bool": pa.bool_()}.get(kind,
                                                                                                  pa.string())


def schemas(metrics) -> tuple:
    """The Arrow schemas of runs.parquet and timeseries.parquet."""
    import pyarrow as pa

    i64, f64, s = pa.int64(), pa.float64(), pa.string()
    runs = [("run_id", i64), ("point", i64), ("replicate", i64), ("seed", i64)]
    runs += [(p.key, _arrow_type(p.kind)) for p in param_columns()]
    runs += [("events", s), ("status", s), ("seconds", f64)]
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
        self.runs_schema, self.ts_schema = schemas(self.metrics)
        cols = param_columns()
        self.point_table = pa.table({p.key: pa.array(design.columns[p.key], type=_arrow_type(p.kind)
                                                     if p.kind in FACTOR_KINDS else pa.string()) for p in cols})
        self.events = json.dumps([e.model_dump(mode="json") for e in design.base.events])
        self.recorded = design.spec.recorded_weeks(design.weeks)

    def runs(self, res: dict):
        import pyarrow as pa

        ids = res["run_id"]
        n = len(ids)
        pts = self.d.point_of(ids)
        failed = ~res["ok"]
        cols = {"run_id": pa.array(ids), "point": pa.array(pts), "replicate": pa.array(self.d.replicate_of(ids)),
                "seed": pa.array(self.d.seeds[ids])}
        ptab = self.point_table.take(pa.array(pts))
        cols.update({name: ptab.column(name) for name in ptab.column_names})
        cols["events"] = pa.array([self.events] * n, pa.string())
        cols["status"] = pa.array(np.where(res["ok"], "ok", "failed").tolist(), pa.string())
        cols["seconds"] = pa.array(res["seconds"])
        for j, m in enumerate(self.metrics):
            cols[f"final_{m}"] = _col(res["final"][:, j], m, failed)
        for j, m in enumerate(self.metrics):
            cols[f"mean_{m}"] = pa.array(res["mean"][:, j], mask=failed)
        cols["error"] = pa.array(res["error"], pa.string())
        cols["traceback"] = pa.array(res["traceback"], pa.string())
        return pa.table(cols, schema=self.runs_schema)

    def timeseries(self, res: dict):
        import pyarrow as pa

        ok_ids = res["run_id"][res["ok"]]
        k = len(self.recorded)
        cols = {"run_id": pa.array(np.repeat(ok_ids, k)), "week": pa.array(np.tile(self.recorded, len(ok_ids)))}
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


# ---------------------------------------------------------------------------------------------------------------
# the manifest
# ---------------------------------------------------------------------------------------------------------------
def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def git_commit() -> dict | None:
    """The source tree's git commit and whether it has uncommitted changes (None outside a git checkout)."""
    if not (ROOT / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": head or None, "dirty": bool(dirty)}


def library_versions(dask: bool = False) -> dict:
    v = versions()
    names = ["pyarrow", "SALib", "scipy"] + (["dask", "distributed"] if dask else [])
    for pkg in names:
        try:
            v[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            v[pkg] = None
    v["platform"] = platform.platform()
    return v


def new_manifest(design: Design, digest: str) -> dict:
    s = design.spec
    return {
        "format": "orgsim-experiment/1",
        "status": "running",
        "experiment": {"path": s.path, "title": s.title("en"), "title_nl": s.title("nl"), "sha256": s.sha256,
                       "text": s.text},
        "scenario": {"path": str(s.scenario_path) if s.scenario_path else None,
                     "sha256": hashlib.sha256(s.scenario_text.encode()).hexdigest()
                     if s.scenario_path else None, "text": s.scenario_text or None},
        "design": {"kind": s.design, "factors": [f.key for f in s.factors], "points": design.n_points,
                   "replicates": design.replicates, "runs": design.n_runs, "weeks": design.weeks,
                   "metrics": list(design.metrics), "recorded_weeks": int(len(s.recorded_weeks(design.weeks))),
                   "record": s.settings["record"], "average_from": s.average_from,
                   "common_random_numbers": s.common_random_numbers, "digest": digest},
        "master_seed": design.master_seed,
        "versions": library_versions(),
        "git": git_commit(),
        "started": _now(),
        "finished": None,
        "counts": {"runs": design.n_runs, "done": 0, "ok": 0, "failed": 0},
        "sessions": [],
        "files": {"runs": RUNS, "timeseries": TS},
    }


def _prepare_out(out: Path, design: Design, digest: str, resume: bool) -> dict:
    """The manifest to continue with, or a one-line refusal."""
    check_out(out)
    man = _read_manifest(out) if out.is_dir() else None
    if man is None:
        if out.is_dir() and any(not p.name.startswith(".") for p in out.iterdir()):
            raise ConfigError(f"--out {out}: holds other files and no {MANIFEST}; choose an empty or new directory")
        return new_manifest(design, digest)
    if man.get("design", {}).get("digest") != digest:
        raise ConfigError(f"--out {out}: holds a different experiment ({man.get('experiment', {}).get('path')}, "
                          f"other parameters, design, seeds or batches); choose another --out")
    if not resume:
        if man.get("status") == "finished":
            raise ConfigError(f"--out {out}: this experiment is already finished there; add --resume (nothing "
                              f"will be redone) or choose another --out")
        raise ConfigError(f"--out {out}: holds an unfinished run of this experiment; add --resume to run only "
                          f"what is missing, or choose another --out")
    return man


# ---------------------------------------------------------------------------------------------------------------
# running
# ---------------------------------------------------------------------------------------------------------------
def _fail_runs() -> frozenset:
    raw = os.environ.get(FAIL_ENV, "").strip()
    try:
        return frozenset(int(x) for x in raw.split(",") if x.strip())
    except ValueError:
        raise ConfigError(f"{FAIL_ENV}={raw}: expected comma-separated run ids") from None


def _take(pending: deque, k: int, starts: np.ndarray) -> list[int]:
    """About ``k`` pending run ids that follow each other, in whole batches (``starts``: where a batch begins).
    A chunk never spans a gap: its row group then holds a contiguous id range, which the sorted merge relies
    on."""
    ids = [pending.popleft()]
    while pending and pending[0] == ids[-1] + 1 and (len(ids) < k or not starts[pending[0]]):
        ids.append(pending.popleft())
    return ids


def _chunk(design: Design, ids: list[int], starts: np.ndarray) -> list[tuple[tuple, list[int], list[int]]]:
    """Split run ids into batches: ``(the design point's factor values, run ids, seeds)``."""
    out = []
    for i in ids:
        if starts[i] or not out:
            out.append((design.points[i // design.replicates], [], []))
        out[-1][1].append(i)
        out[-1][2].append(int(design.seeds[i]))
    return out


class _Progress:
    def __init__(self, enabled: bool, title: str, total: int, done: int, failed: int):
        self.bar = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(bar_width=24), MofNCompleteColumn(),
                            TextColumn("runs, [red]{task.fields[failed]} failed[/red], ETA"), TimeRemainingColumn(),
                            TextColumn("elapsed"), TimeElapsedColumn(), console=Console(stderr=True),
                            transient=False)
        # the file's name is shown as it is (a "[" in it is not rich markup)
        self.task = self.bar.add_task(for_markup(one_line(title)[:24]), total=total, completed=done,
                                      failed=failed)
        self.bar.start()

    def advance(self, n: int, failed: int):
        if self.bar is not None:
            self.bar.update(self.task, advance=n, failed=failed)

    def close(self):
        if self.bar is not None:
            self.bar.stop()


def run_experiment(path, out, workers: int | None = None, scheduler: str | None = None, resume: bool = False,
                   progress: bool = True, csv: bool = False, flush_seconds: float = 1.0) -> dict:
    """Run (or, with ``resume``, finish) the experiment in ``path`` into directory ``out``.

    ``workers``: local processes (default: every core; 1 = in this process). ``scheduler``: the address of a
    Dask scheduler (``tcp://host:port``) instead. ``csv``: also write runs.csv and timeseries.csv.
    ``flush_seconds``: the least time between two parts on disk (the interval grows with the run time, up to
    30 s). Returns a summary dict (runs, ok, failed, seconds, runs per second, files); raises
    :class:`~sim.params.ConfigError` for bad input or an unusable ``out``.
    """
    out = Path(out)
    if workers is not None and not 1 <= workers <= 4096:
        raise ConfigError(f"--workers {workers}: allowed: integer in [1, 4096]")
    if workers is not None and scheduler:
        raise ConfigError("--workers and --scheduler exclude each other: the cluster's workers are used")
    spec = load_spec(path)
    design = expand(spec)
    digest = design.digest()
    n_local = 0 if scheduler else workers or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                              else os.cpu_count() or 1)
    if not scheduler:   # a cluster's workers have memory of their own
        check_design(design.columns, design.batch, design.weeks, str(path),
                     min(n_local, int(math.ceil(design.n_runs / max(int(design.batch.min()), 1))))
                     if n_local > 1 else 0)
    man = _prepare_out(out, design, digest, resume)
    clean_parts(out)
    builder = TableBuilder(design)
    notes = quarantine_damaged(out, design.n_runs, builder.runs_schema, builder.ts_schema,
                               len(builder.recorded), (RUNS, TS), _finished(out)) if resume else []
    done, failed_before = _done_ids(out, design.n_runs)
    files = [out / RUNS, out / TS, out / MANIFEST]
    summary = {"experiment": str(path), "out": str(out), "runs": design.n_runs, "points": design.n_points,
               "replicates": design.replicates, "already_done": int(done.sum()), "ran": 0, "ok": 0, "failed": 0,
               "seconds": 0.0, "runs_per_second": 0.0, "workers": 0, "executor": None, "nothing_to_do": False,
               "notes": notes}
    if done.all():
        if not _finished(out):   # killed while merging: merge again
            consolidate(out, design.n_runs, builder.runs_schema, builder.ts_schema)
            _finish(out, man, design)
        _drop_parts(out)
        if csv:
            files += export_csv(out)
        summary.update(nothing_to_do=True, **_final_counts(man), files=[str(f) for f in files])
        return summary

    old_code = (man.get("git"), man.get("versions", {}).get("orgsim"))
    now_git = git_commit()
    if man["sessions"] and old_code != (now_git, library_versions()["orgsim"]):
        summary["warning"] = ("the source code differs from the session that started this experiment "
                              f"(git {old_code[0]} -> {now_git}); runs of both versions are mixed")
    ctx = RunContext(design.base_raw, tuple((f.section, f.name) for f in spec.factors), design.weeks,
                     design.metrics, tuple(int(w) for w in builder.recorded), spec.average_from, _fail_runs())
    if scheduler:
        ex = DaskExecutor(ctx, scheduler)
        man["versions"] = {**man["versions"], **library_versions(dask=True)}
    else:
        ex = SerialExecutor(ctx) if n_local == 1 else LocalExecutor(ctx, n_local)
    session = {"started": _now(), "finished": None, "executor": ex.name, "workers": ex.workers, "ran": 0,
               "failed": 0, "seconds": None, "git": now_git}
    man["sessions"].append(session)
    man["status"] = "running"

    pending = deque(np.flatnonzero(~done).tolist())
    starts = design.block_starts()
    bar = _Progress(progress, Path(spec.path).stem, design.n_runs, int(done.sum()), failed_before)
    t0 = time.perf_counter()
    last_flush = -math.inf   # the first finished chunk goes to disk at once
    parts_before = len(_parts(out, "runs"))
    part_no = [parts_before]
    inflight: dict = {}
    buf: list[dict] = []
    per_run, size = None, 1
    session_no = len(man["sessions"])
    ran = failed = 0

    def flush():
        """Write the buffered chunks as one part; the manifest goes first, with the first results (the directory
        appears with something to resume from)."""
        if not buf:
            return
        if part_no[0] == parts_before:
            write_json(out / MANIFEST, man)
        part_no[0] += 1
        stem = f"{session_no:03d}-{part_no[0]:06d}"
        _write_parquet(out / "parts" / f"ts-{stem}.parquet", [builder.timeseries(r) for r in buf],
                       builder.ts_schema)
        _write_parquet(out / "parts" / f"runs-{stem}.parquet", [builder.runs(r) for r in buf],
                       builder.runs_schema)
        buf.clear()

    try:
        while pending or inflight:
            while pending and len(inflight) < 2 * ex.workers:
                if per_run is not None:
                    size = int(min(MAX_CHUNK, max(1, CHUNK_SECONDS / max(per_run, 1e-6),),
                                   max(1, math.ceil(len(pending) / (2 * ex.workers)))))
                chunk = _chunk(design, _take(pending, size, starts), starts)
                inflight[ex.submit(chunk)] = chunk
            for f in ex.wait(list(inflight), timeout=0.25):
                if f not in inflight:   # recorded already: its process pool broke
                    continue
                chunk = inflight.pop(f)
                try:
                    results = [f.result()]
                except (KeyboardInterrupt, SystemExit):
                    raise
                except BaseException as exc:  # noqa: BLE001 - a worker died: record its runs as failed
                    results = [_failed_chunk(ctx, chunk, exc)]
                    if type(exc).__name__ == "BrokenProcessPool":
                        results += [_failed_chunk(ctx, c, exc) for c in inflight.values()]
                        inflight.clear()
                        ex.restart()
                for res in results:
                    buf.append(res)
                    ran += len(res["run_id"])
                    failed += int((~res["ok"]).sum())
                    if res["ok"].any():
                        pr = float(res["seconds"].sum()) / len(res["run_id"])
                        per_run = pr if per_run is None else 0.7 * per_run + 0.3 * pr
                    bar.advance(len(res["run_id"]), failed_before + failed)
            now = time.perf_counter()
            if buf and now - last_flush >= min(30.0, max(flush_seconds, (now - t0) / 50)):
                flush()
                last_flush = now
        flush()
    except KeyboardInterrupt:
        flush()   # keep what is finished: --resume goes on from there
        raise
    finally:
        bar.close()
        ex.close()
    seconds = time.perf_counter() - t0
    consolidate(out, design.n_runs, builder.runs_schema, builder.ts_schema)
    session.update(finished=_now(), ran=ran, failed=failed, seconds=round(seconds, 3))
    _finish(out, man, design)
    if csv:
        files += export_csv(out)
    summary.update(ran=ran, seconds=round(seconds, 3), runs_per_second=round(ran / seconds, 2) if seconds else 0.0,
                   workers=ex.workers, executor=ex.name, **_final_counts(man), files=[str(f) for f in files])
    summary["failed_now"] = failed
    return summary


def _final_counts(man: dict) -> dict:
    c = man["counts"]
    return {"ok": c["ok"], "failed": c["failed"]}


def _finish(out: Path, man: dict, design: Design) -> None:
    """Count from the merged table, mark the manifest finished, then drop the parts."""
    import pyarrow.parquet as pq

    status = pq.read_table(out / RUNS, columns=["status"]).column(0).to_numpy(zero_copy_only=False)
    man["counts"] = {"runs": design.n_runs, "done": int(len(status)), "ok": int((status == "ok").sum()),
                     "failed": int((status != "ok").sum())}
    man["status"] = "finished"
    man["finished"] = _now()
    write_json(out / MANIFEST, man)
    _drop_parts(out)


def _drop_parts(out: Path) -> None:
    for f in _parts(out, "runs") + _parts(out, "ts"):
        f.unlink(missing_ok=True)
    try:
        (out / "parts").rmdir()
    except OSError:
        pass

