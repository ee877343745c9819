"""Running the model: one run, several seeds, several scenarios. No files are written here."""

from __future__ import annotations

import platform
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, budget, engine, policies, schedule
from .metrics import INT_METRICS, METRICS
from .model import OrgModel, free_finished
from .params import load_scenario, text


@dataclass
class RunResult:
    timeseries: pd.DataFrame
    summary: dict
    agents: pd.DataFrame | None
    per_team: pd.DataFrame | None = None    # one row per team per week (``per_team=True``)
    per_level: pd.DataFrame | None = None   # one row per management level per week (``per_team=True``)


def _records(recs: list[dict]) -> pd.DataFrame:
    return pd.DataFrame({k: np.concatenate([r[k] for r in recs]) for k in recs[0]}) if recs else pd.DataFrame()


def versions() -> dict[str, str]:
    out = {"orgsim": __version__, "python": platform.python_version()}
    for pkg in ("mesa", "numpy", "numba", "networkx", "pydantic", "pandas"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:  # pragma: no cover
            out[pkg] = "unknown"
    return out


def tidy(df: pd.DataFrame) -> pd.DataFrame:
    """Model-level table with ``week`` first and integer dtypes where the metric is a count."""
    df = df.copy()
    df.insert(0, "week", np.arange(1, len(df) + 1, dtype=np.int64))
    for c in INT_METRICS:
        if c in df:
            df[c] = df[c].astype(np.int64)
    return df[["week", *METRICS]]


def warm_up() -> float:
    """Load (or, on a machine's first run, compile) the compiled schedule in this process by running one week of
    a tiny organisation; processes forked afterwards share it. Returns the seconds it took."""
    t0 = time.perf_counter()
    OrgModel(load_scenario(None, ["team.size=2"]), seed=1).run(1)
    if engine.threads() > 1:
        engine.load_parallel(schedule.SERIAL, schedule.PARALLEL)   # for big organisations (no thread is started)
    return time.perf_counter() - t0


def with_survey(params):
    """``(params, survey)``: a scenario with ``[team] survey`` as the surveyed team (sim.survey), else
    ``(params, None)``."""
    if not params.team.survey:
        return params, None
    from . import survey
    s = survey.read(params.team.survey)
    return survey.for_survey(params, s), s


def start(params, survey=None, **kw) -> OrgModel:
    """The model of ``params`` (``OrgModel(params, **kw)``) with the surveyed people, if any, at the start."""
    model = OrgModel(params, **kw)
    if survey is not None:
        from .survey import apply
        apply(model, survey)
    return model


def run_one(params, seed: int | None = None, weeks: int | None = None, record_agents: bool = False,
            source: str | None = None, per_team: bool = False) -> RunResult:
    """Run one scenario for ``weeks`` (default: the scenario's) with ``seed`` (default: the scenario's).
    ``per_team`` also collects one row per team (and per management level) per week."""
    weeks = params.scenario.weeks if weeks is None else weeks
    params, survey = with_survey(params)
    t0 = time.perf_counter()
    model = start(params, survey, seed=params.scenario.seed if seed is None else seed,
                  record_agents=record_agents, per_team=per_team)
    model.run(weeks)
    seconds = time.perf_counter() - t0
    ts = tidy(model.timeseries())
    agents = None
    if record_agents:
        agents = pd.DataFrame({k: np.concatenate([r[k] for r in model.agent_records])
                               for k in model.agent_records[0]}) if model.agent_records else pd.DataFrame()
        if len(agents):
            from .agents import STATUS_NAMES
            agents["status"] = np.array(STATUS_NAMES)[agents["status"].to_numpy()]
            agents["style"] = "S" + agents["style"].astype(str)
            agents["readiness"] = "R" + agents["readiness"].astype(str)
    knobs = policies.resolve(params.policy)
    summary = {
        "title": text(params, "title", "en"),
        "scenario_file": source,
        "seed": model.seed,
        "weeks": weeks,
        "employees": model.org.n_positions,
        "teams": model.org.n_teams,
        "levels": params.org.levels,
        "managers": model.org.n_teams + model.org.n_senior,
        "policy": params.policy.name,
        "team_policies": dict(sorted(Counter(k.name for k in model.knobs).items())),
        "knobs": {k: getattr(knobs, k) for k in policies.KNOBS},
        "seconds": round(seconds, 4),
        "versions": versions(),
        "final": {k: (int(v) if k in INT_METRICS else float(v)) for k, v in ts.iloc[-1].items() if k != "week"},
        "parameters": params.model_dump(mode="json"),
    }
    per_team_df = per_level_df = None
    if per_team:
        per_team_df = _records(model.team_records)
        per_team_df.insert(2, "policy", np.array([k.name for k in model.knobs])[per_team_df["team"].to_numpy()])
        boss = model.org.team_boss[per_team_df["team"].to_numpy()]
        per_team_df.insert(3, "manager_above", boss)
        per_level_df = _records(model.level_records)
    positions = model.org.n_positions
    del model
    free_finished(positions)
    return RunResult(ts, summary, agents, per_team_df, per_level_df)


BATCH = 25  # seeds per batch: numpy's per-call cost is shared, memory stays small


def batch_size(params) -> int:
    """Seeds worth running side by side: up to :data:`BATCH`, and no more than about 20,000 positions (large
    organisations gain nothing from batching)."""
    return max(1, min(BATCH, 20_000 // (params.team.teams * params.team.size)))


def check_budget(params: dict, sources, seeds: int, weeks: int | None = None) -> None:
    """Refuse (:func:`sim.budget.check`, one line naming the file) before anything runs if a scenario's batch of
    seeds side by side (:func:`batch_size`) would not fit in memory; ``params`` is ``{label: params}`` in the
    order of ``sources``."""
    for p, src in zip(params.values(), sources):
        runs = min(seeds, batch_size(p))
        budget.check(p, str(src), weeks, runs=runs, what="this run" if runs == 1 else f"a batch of {runs} runs")


@contextmanager
def batch_model(params, seeds: list[int], survey=None):
    """The model of ``params`` with ``seeds`` side by side (:mod:`sim.streams`) and the surveyed people, if any
    (``survey``: already read, then ``params`` are its own; else the scenario's); its memory is handed back
    (:func:`sim.model.free_finished`) when the block ends, so the block drops its own reference (``del model``)
    before it ends."""
    if survey is None:
        params, survey = with_survey(params)
    model = start(params, survey, seeds=list(seeds))
    positions = model.org.n_positions
    try:
        yield model
    finally:
        del model
        free_finished(positions)


def run_batch(params, seeds: list[int], weeks: int | None = None, survey=None) -> list[pd.DataFrame]:
    """Run one scenario for several seeds side by side in one model (:func:`batch_model`): the tidy timeseries
    of each seed, identical to :func:`run_one`'s for that seed, several times faster for small teams.
    ``survey``: the surveyed team already read (then ``params`` are its own), else the scenario's, if any."""
    weeks = params.scenario.weeks if weeks is None else weeks
    with batch_model(params, seeds, survey) as model:
        model.run(weeks)
        frames = [tidy(model.timeseries(run=i)) for i in range(len(seeds))]
        del model
    return frames


def scenario_labels(paths) -> list[str]:
    """Short labels for scenario files: the file stem, or the path where two stems are the same."""
    stems = [Path(p).stem for p in paths]
    return [s if stems.count(s) == 1 else str(p) for s, p in zip(stems, paths)]


def compare(paths: list[str], seeds: int, weeks: int | None = None, sets: list[str] | None = None,
            first_seed: int = 1, progress=None) -> pd.DataFrame:
    """Run each scenario over seeds ``first_seed .. first_seed + seeds - 1`` (the same seeds, so the same
    people, for every scenario). Returns a long table: scenario, seed, week, metrics."""
    loaded = {lab: load_scenario(p, sets) for lab, p in zip(scenario_labels(paths), paths)}  # validate first
    return compare_params(loaded, seeds, weeks, first_seed, progress)


def compare_params(loaded: dict, seeds: int, weeks: int | None = None, first_seed: int = 1,
                   progress=None, survey=None) -> pd.DataFrame:
    """:func:`compare` for already validated parameters, given as ``{label: params}``; ``survey``: a surveyed
    team already read, for every scenario (else each scenario's own, read once)."""
    frames = []
    all_seeds = list(range(first_seed, first_seed + seeds))
    for label, params in loaded.items():
        params, team = (params, survey) if survey is not None else with_survey(params)
        size = batch_size(params)
        for start in range(0, len(all_seeds), size):  # batches: the same numbers as one run per seed
            chunk = all_seeds[start:start + size]
            for seed, ts in zip(chunk, run_batch(params, chunk, weeks, team)):
                ts.insert(0, "seed", seed)
                ts.insert(0, "scenario", label)
                frames.append(ts)
                if progress:
                    progress()
    return pd.concat(frames, ignore_index=True)


def final_table(df: pd.DataFrame) -> pd.DataFrame:
    """Tidy final-week summary: one row per scenario and metric with mean, sd, n and a 95% CI of the mean
    (Student's t over seeds)."""
    from scipy.stats import t as student_t

    last = df[df["week"] == df["week"].max()]
    metrics = [c for c in df.columns if c not in ("scenario", "seed", "week")]
    long = last.melt(id_vars=["scenario", "seed"], value_vars=metrics, var_name="metric")
    g = long.groupby(["scenario", "metric"], sort=False)["value"]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    tq = student_t.ppf(0.975, np.maximum(out["n"] - 1, 1))
    half = np.where(out["n"] > 1, tq * out["sd"].fillna(0.0) / np.sqrt(out["n"]), np.nan)
    out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
    return out
