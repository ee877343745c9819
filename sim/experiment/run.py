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

The parts: :mod:`sim.experiment.worker` (what a worker runs), :mod:`sim.experiment.executors` (where),
:mod:`sim.experiment.results` (the tables on disk, merge, load), :mod:`sim.experiment.manifest` (the manifest,
start or resume), :mod:`sim.experiment.storage` (damaged parts set aside); this module schedules the chunks.
"""

from __future__ import annotations

import math
import os
import time
from collections import deque
from pathlib import Path

import numpy as np

from ..budget import check_design
from ..params import ConfigError
from ..safe_text import for_markup, one_line
from .executors import DaskExecutor, LocalExecutor, SerialExecutor
from .manifest import _final_counts, _finish, _now, _prepare_out, git_commit, library_versions, new_manifest
from .results import (MANIFEST, RUNS, TS, TableBuilder, _done_ids, _drop_parts, _finished, _parts,
                      _write_parquet, atomic_write, clean_parts, consolidate, export_csv, load_results, schemas,
                      write_json)
from .design import Design, expand
from .spec import load_spec
from .storage import quarantine_damaged
from .worker import FAIL_ENV, RunContext, _failed_chunk, run_chunk

__all__ = ["FAIL_ENV", "MANIFEST", "RUNS", "TS", "atomic_write", "export_csv", "git_commit", "library_versions",
           "load_results", "new_manifest", "run_chunk", "run_experiment", "schemas", "write_json"]

CHUNK_SECONDS = 0.5          # aim: a chunk of runs takes about this long on a worker
MAX_CHUNK = 256


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
            out.append((design.task_key(i // design.replicates), [], []))
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
                               builder.recorded, (RUNS, TS), _finished(out)) if resume else []
    done, failed_before = _done_ids(out, design.n_runs)
    files = [out / RUNS, out / TS, out / MANIFEST]
    summary = {"experiment": str(path), "out": str(out), "runs": design.n_runs, "points": design.n_points,
               "replicates": design.replicates, "already_done": int(done.sum()), "ran": 0, "ok": 0, "failed": 0,
               "seconds": 0.0, "runs_per_second": 0.0, "workers": 0, "executor": None, "nothing_to_do": False,
               "notes": notes}
    if not spec.factors:
        notes.append(f"{path}: no [factors]: every run is the one design point (only the replicates differ)")
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
                     design.metrics, tuple(int(w) for w in builder.recorded), spec.average_from, _fail_runs(),
                     spec.outputs, design.groups, spec.stop, tuple(design.variant_raws))
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

