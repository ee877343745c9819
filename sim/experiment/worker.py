"""The worker side of an experiment: what a worker gets once (:class:`RunContext`) and how it runs a chunk of
batches into compact numpy arrays (:func:`run_chunk`). A design point's replicates run side by side in one model
(:func:`sim.runner.run_batch`); a batch that raises is run again one run at a time, so only the runs that raise
are recorded as failed.

Test hook: the environment variable ``ORGSIM_EXPERIMENT_FAIL_RUNS`` (comma-separated run ids), read when an
experiment starts, makes those runs raise ``RuntimeError`` inside the worker.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field

import numpy as np

from .. import engine
from ..params import validate
from ..runner import run_batch
from . import outputs

FAIL_ENV = "ORGSIM_EXPERIMENT_FAIL_RUNS"


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
    outputs: tuple = ()                # [outputs] (sim.experiment.outputs.Output)
    groups: dict = field(default_factory=dict)   # their groups (Design.groups)
    stop: object = None                # [stop] (sim.experiment.outputs.Stop)
    variant_raws: tuple = ()           # [variants]: a base per variant; then a key starts with the variant's index
    _base: object = field(default=None, repr=False, compare=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self):
        return {**self.__dict__, "_base": None, "_cache": {}}

    def params_for(self, values: tuple):
        """The parameters of a design point: the validated base with the factor values put in (no second
        validation: every design point was validated before the first run). With variants, ``values`` starts
        with the variant's index."""
        sp = self._cache.get(values)
        if sp is None:
            if self._base is None:
                self._base = ([validate(r, "<experiment variant>") for r in self.variant_raws]
                              if self.variant_raws else validate(self.base_raw, "<experiment base>"))
            base, upd, fvalues = self._base, {}, values
            if self.variant_raws:
                base, fvalues = self._base[values[0]], values[1:]
            for (sec, name), v in zip(self.factors, fvalues):
                upd.setdefault(sec, {})[name] = v
            sp = base.model_copy(update={s: getattr(base, s).model_copy(update=u) for s, u in upd.items()})
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[values] = sp
        return sp


def _run_block(ctx: RunContext, values: tuple, seeds: list[int]) -> tuple[list[np.ndarray], list]:
    """One design point's replicates side by side in one model: the kept metrics (and outputs) per run (weeks
    run x columns), and the week each run stopped (None: it ran every week)."""
    if ctx.outputs or ctx.stop is not None:
        return outputs.run_block(ctx.params_for(values), seeds, ctx.weeks, list(ctx.metrics), ctx.outputs,
                                 ctx.groups, ctx.stop)
    frames = run_batch(ctx.params_for(values), seeds, ctx.weeks)
    return [f[list(ctx.metrics)].to_numpy(dtype=float) for f in frames], [None] * len(seeds)


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
           "mean": np.full((n, m), np.nan), "ts": [], "stopped": np.zeros(n, np.int64)}

    def keep(k, arr, stopped, seconds):
        out["final"][k], out["mean"][k] = arr[-1], arr[ctx.average_from - 1:].mean(axis=0)
        out["ts"].append(arr[rec] if stopped is None else arr[outputs.recorded_for(ctx.recorded, stopped) - 1])
        out["ok"][k], out["seconds"][k], out["stopped"][k] = True, seconds, stopped or 0

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
            for j, (arr, stopped) in enumerate(zip(*arrs)):   # seconds: each run's share of its batch
                keep(k + j, arr, stopped, (time.perf_counter() - t0) / len(rids))
        else:
            for j, (rid, seed) in enumerate(zip(rids, seeds)):
                t1 = time.perf_counter()
                try:
                    if rid in ctx.fail_runs:
                        raise RuntimeError(f"injected failure of run {rid} ({FAIL_ENV})")
                    arr, stopped = _run_block(ctx, values, [seed])
                    keep(k + j, arr[0], stopped[0], time.perf_counter() - t1)
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
            "final": np.full((n, m), np.nan), "mean": np.full((n, m), np.nan), "ts": np.zeros((0, m)),
            "stopped": np.zeros(n, np.int64)}

