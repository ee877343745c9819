"""Your own outputs and stop conditions in an experiment file: ``[outputs]`` (reporters over the people's state)
and ``[stop]`` (end a run early). See ``docs/experiments.md``, *Your own outputs and stop conditions*::

    [outputs]
    exhaustion_p90  = { field = "exhaustion", quantile = 0.9 }       # 90th percentile over the active employees
    high_exhaustion = { field = "exhaustion", above = 0.6 }          # share of the active employees above 0.6
    low_trust       = { field = "trust_in_manager", below = 0.3, per = "policy" }  # one column per policy
    strain_top      = { field = "manager.strain", mean = true, per = "level" }     # one column per level

    [stop]
    when = { metric = "burnout_share", above = 0.3 }    # or a list of conditions: the first that holds stops
    from_week = 13                                      # the earliest week a run may stop

An output is computed every week from the model's state arrays (the fields of :mod:`sim.state`, never a list
of its own) and recorded exactly like a built-in metric (a column of ``timeseries.parquet``, ``final_`` and
``mean_`` columns in ``runs.parquet``). ``per`` gives one column per group instead, named ``NAME_GROUP``
(``low_trust_coaching``, ``exhaustion_p90_team3``, ``strain_top_level2``). Nothing in the model changes: the
worker steps the model itself (:func:`run_block`) and reads its arrays after each week.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ..metrics import METRIC_INFO, METRICS
from ..metrics import label as _metric_label
from ..params import POLICY_NAMES, ConfigError, _describe_value, _suggest
from ..runner import batch_model
from ..state import ACTIVE, EMPLOYEE, MANAGER, SENIOR

EMPLOYEE_FIELDS = tuple(name for name, *_ in EMPLOYEE if name != "status")
MANAGER_FIELDS = tuple(name for name, *_ in MANAGER)
SENIOR_FIELDS = tuple(name for name, *_ in SENIOR)
LEVEL_FIELDS = tuple(f for f in MANAGER_FIELDS if f in SENIOR_FIELDS)   # at every management level
FIELDS = EMPLOYEE_FIELDS + tuple(f"manager.{f}" for f in MANAGER_FIELDS)
STATS = ("quantile", "above", "below", "mean")
OUTPUT_KEYS = ("field",) + STATS + ("per",)
PER = ("team", "policy", "level")
STOP_KEYS = ("when", "from_week")
CONDITION_KEYS = ("metric", "above", "below")
MAX_GROUPS = 100            # per = "team": at most this many teams (one column each)
NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")


@dataclass(frozen=True)
class Output:
    """One declared output: the statistic ``stat`` (with its number ``value``) of state field ``field`` over the
    active employees (or the managers, for ``manager.*``), for the whole run or ``per`` group."""

    name: str
    field: str
    stat: str
    value: float | None
    per: str | None = None

    @property
    def of_managers(self) -> bool:
        return self.field.startswith("manager.")

    @property
    def array(self) -> str:
        return self.field.split(".", 1)[-1]


@dataclass(frozen=True)
class Condition:
    metric: str
    op: str          # "above" (value > threshold) or "below" (value < threshold)
    threshold: float


@dataclass(frozen=True)
class Stop:
    when: tuple[Condition, ...]
    from_week: int = 1


# ---------------------------------------------------------------------------------------------------------------
# parsing
# ---------------------------------------------------------------------------------------------------------------
def _bad(source, key, value, allowed) -> ConfigError:
    return ConfigError(f"{source}: '{key}' = {_describe_value(value)} is not allowed; allowed: {allowed}")


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _table(source: str, where: str, v, keys) -> dict:
    if not isinstance(v, dict):
        raise _bad(source, where, v, "a table { " + ", ".join(f"{k} = .." for k in keys[:2]) + ", .. }")
    for k in v:
        if k not in keys:
            raise ConfigError(f"{source}: unknown key '{where}.{k}'{_suggest(k, keys)} (allowed: {', '.join(keys)})")
    return v


def parse_outputs(source: str, table: dict) -> tuple[Output, ...]:
    """The ``[outputs]`` table, validated: ``name = { field = .., quantile | above | below | mean = .., per = ..
    }``."""
    outs = []
    for name, spec in table.items():
        where = f"outputs.{name}"
        if not NAME.match(name) or name in METRIC_INFO or name == "run_id":
            raise ConfigError(f"{source}: '{where}': an output's name is lower-case letters, digits and _ "
                              f"(starting with a letter, at most 48) and not a built-in metric's name or 'run_id'")
        spec = _table(source, where, spec, OUTPUT_KEYS)
        field = spec.get("field")
        if field not in FIELDS:
            raise ConfigError(f"{source}: '{where}.field' = {_describe_value(field)} is not a state field"
                              f"{_suggest(str(field), FIELDS)}; allowed: an employee's field ("
                              f"{', '.join(EMPLOYEE_FIELDS)}) or a team lead's as manager.NAME ("
                              f"{', '.join(MANAGER_FIELDS)}); see sim/state.py")
        stats = [s for s in STATS if s in spec]
        if len(stats) != 1:
            raise ConfigError(f"{source}: '{where}' needs exactly one of quantile, above, below, mean "
                              f"(it has {', '.join(stats) or 'none'})")
        stat, v = stats[0], spec[stats[0]]
        if stat == "quantile" and not (_number(v) and 0 <= v <= 1):
            raise _bad(source, f"{where}.quantile", v, "number in [0, 1] (0.9: the 90th percentile)")
        if stat in ("above", "below") and not _number(v):
            raise _bad(source, f"{where}.{stat}", v, "a finite number (the threshold)")
        if stat == "mean" and v is not True:
            raise _bad(source, f"{where}.mean", v, "true")
        per = spec.get("per")
        if per is not None and per not in PER:
            raise _bad(source, f"{where}.per", per, ", ".join(f'"{p}"' for p in PER))
        if per == "level" and not (field.startswith("manager.") and field[8:] in LEVEL_FIELDS):
            raise ConfigError(f"{source}: '{where}.per' = \"level\" is for a manager's field that every "
                              f"management level has: {', '.join('manager.' + f for f in LEVEL_FIELDS)}")
        if per == "team" and field.startswith("manager."):
            raise ConfigError(f"{source}: '{where}.per' = \"team\": a team has one team lead; per team is for "
                              f"an employee's field (allowed for manager.*: \"policy\", \"level\")")
        outs.append(Output(name, field, stat, None if stat == "mean" else float(v), per))
    return tuple(outs)


def _condition(source: str, where: str, v, columns, prefixes=()) -> Condition:
    v = _table(source, where, v, CONDITION_KEYS)
    metric = v.get("metric")
    if metric not in columns and not (isinstance(metric, str) and metric.startswith(tuple(prefixes))
                                      and len(metric) > min(map(len, prefixes))):
        raise ConfigError(f"{source}: '{where}.metric' = {_describe_value(metric)} is not a metric"
                          f"{_suggest(str(metric), columns)}; allowed: a built-in metric (see docs/experiments.md) "
                          f"or a column of [outputs]")
    ops = [k for k in ("above", "below") if k in v]
    if len(ops) != 1:
        raise ConfigError(f"{source}: '{where}' needs exactly one of above, below")
    if not _number(v[ops[0]]):
        raise _bad(source, f"{where}.{ops[0]}", v[ops[0]], "a finite number (the threshold)")
    return Condition(metric, ops[0], float(v[ops[0]]))


def parse_stop(source: str, table: dict, columns, prefixes=()) -> Stop:
    """The ``[stop]`` table, validated; ``columns``: the names a condition may test (metrics and whole-run
    outputs), ``prefixes``: ``NAME_`` of the per-group outputs (their columns are checked once the design's
    groups are known, :func:`check_stop`)."""
    table = _table(source, "stop", table, STOP_KEYS)
    if "when" not in table:
        raise ConfigError(f"{source}: '[stop]' needs when = {{ metric = .., above = .. }} (or a list of them)")
    when = table["when"]
    items = when if isinstance(when, list) else [when]
    if not items:
        raise _bad(source, "stop.when", when, "a condition { metric = .., above | below = .. } or a non-empty list")
    conds = tuple(_condition(source, f"stop.when[{i}]" if isinstance(when, list) else "stop.when", c, columns,
                             prefixes) for i, c in enumerate(items))
    fw = table.get("from_week", 1)
    if not (isinstance(fw, int) and not isinstance(fw, bool) and 1 <= fw <= 2600):
        raise _bad(source, "stop.from_week", fw, "integer in [1, 2600] (the earliest week a run may stop)")
    return Stop(conds, fw)


def check_stop(source: str, stop: Stop, outputs, groups: dict, weeks: int, average_from: int) -> None:
    """The checks of ``[stop]`` that need the expanded design: every per-group column a condition tests exists,
    and ``from_week`` lies in [average_from, weeks] (a stopped run's mean_* columns average from
    ``average_from`` to the week it stopped)."""
    cols = stop_columns(outputs, groups)
    for i, c in enumerate(stop.when):
        if c.metric not in cols:
            raise ConfigError(f"{source}: 'stop.when' metric {c.metric!r} is not a column of this design"
                              f"{_suggest(c.metric, cols)}; allowed: "
                              f"{', '.join(cols[len(METRICS):]) or 'a built-in metric'}, or a built-in metric")
    if not average_from <= stop.from_week <= weeks:
        raise _bad(source, "stop.from_week", stop.from_week, f"integer in [{average_from}, {weeks}] (from "
                   f"experiment.average_from to the weeks of a run)")


def stop_columns(outputs, groups: dict | None = None) -> list[str]:
    """The names a stop condition may test: every built-in metric, every whole-run output and, once the
    groups are known (:func:`groups_of`), every per-group column."""
    return list(METRICS) + [c for o in outputs for c in ((o.name,) if o.per is None else
                                                         columns_of(o, (groups or {}).get(o.name, ())))]


# ---------------------------------------------------------------------------------------------------------------
# the groups and columns of a design
# ---------------------------------------------------------------------------------------------------------------
def policies_of(params) -> set[str]:
    """The policies a team lead of ``params`` can follow."""
    mix = dict(params.org.policy_mix)
    return {params.policy.name, *params.org.team_policies, *(k for k, w in mix.items() if w > 0)}


def groups_of(source: str, outputs, teams: int, levels: int, policies: set) -> dict[str, tuple]:
    """Per output with ``per``: its groups over the design (``teams``, ``levels``: the most of any design point;
    ``policies``: those any team lead can follow, :func:`policies_of`), in a fixed order: teams 0..T-1, the
    policies in the schema's order, levels 1..L."""
    out = {}
    for o in outputs:
        if o.per == "team":
            if teams > MAX_GROUPS:
                raise ConfigError(f"{source}: 'outputs.{o.name}.per' = \"team\" with {teams} teams; allowed: at "
                                  f"most {MAX_GROUPS} teams (a column each); use per = \"policy\" or a whole-run "
                                  f"output")
            out[o.name] = tuple(f"team{t}" for t in range(teams))
        elif o.per == "policy":
            out[o.name] = tuple(n for n in POLICY_NAMES if n in policies)
        elif o.per == "level":
            out[o.name] = tuple(f"level{k}" for k in range(1, levels + 1))
    return out


def columns_of(o: Output, groups) -> tuple[str, ...]:
    return (o.name,) if o.per is None else tuple(f"{o.name}_{g}" for g in groups)


def output_columns(outputs, groups: dict) -> tuple[str, ...]:
    return tuple(c for o in outputs for c in columns_of(o, groups.get(o.name, ())))


def label(name: str, lang: str = "en") -> str:
    """A metric's label; an output's name as it is (the researcher's own word)."""
    return _metric_label(name, lang) if name in METRIC_INFO else name


# ---------------------------------------------------------------------------------------------------------------
# computing
# ---------------------------------------------------------------------------------------------------------------
def _keyed(model, o: Output, gs: tuple) -> tuple[np.ndarray, np.ndarray, int]:
    """The output's values over every run of the model, each value's bin (``run * k + group``; -1: in no
    group) and ``k``, the bins per run: employees (the active ones) by team (numbered within their run) or by
    their team lead's policy; team leads by policy; managers by level (1: team leads, 2..: those above)."""
    k = max(len(gs), 1)
    if not o.of_managers:
        act = model.state.status == ACTIVE
        vals = np.asarray(getattr(model.state, o.array), dtype=float)[act]
        team = model.org.team[act]
    else:
        vals = np.asarray(getattr(model.mstate, o.array), dtype=float)
        team = np.arange(len(vals))
    run = model.run_of_team[team]
    if o.per is None:
        j = np.zeros(len(vals), np.int64)
    elif o.per == "team":
        j = team - model._team_bounds[run]
    elif o.per == "policy":
        index = {g: i for i, g in enumerate(gs)}
        j = np.array([index.get(kn.name, -1) for kn in model.knobs], dtype=np.int64)[team]
    else:
        up = np.asarray(getattr(model.ustate, o.array), dtype=float)
        vals = np.concatenate([vals, up])
        run = np.concatenate([run, model.run_of_senior])
        j = np.concatenate([np.zeros(len(team), np.int64), model.org.senior_level - 1])
    j = np.where(j < k, j, -1)
    return vals, np.where(j >= 0, run * k + j, -1), k


def _quantile(vals: np.ndarray, key: np.ndarray, bins: int, q: float) -> np.ndarray:
    """The ``q`` quantile of ``vals`` in every bin, numpy's default (linear) method; NaN for an empty bin."""
    keep = key >= 0
    vals, key = vals[keep], key[keep]
    order = np.lexsort((vals, key))
    sv = vals[order]
    n = np.bincount(key, minlength=bins)
    start = np.cumsum(n) - n
    out = np.full(bins, np.nan)
    has = n > 0
    h = (n[has] - 1) * q
    lo = np.floor(h).astype(np.int64)
    t = h - lo
    hi = np.minimum(lo + 1, n[has] - 1)
    a, b = sv[start[has] + lo], sv[start[has] + hi]
    d = b - a
    out[has] = np.where(t >= 0.5, b - d * (1 - t), a + d * t)   # numpy's lerp, the same rounding
    return out


def compute(model, outputs, groups: dict) -> np.ndarray:
    """This week's value of every output column (:func:`output_columns`) for every run of the model: an array
    (runs x columns); NaN where a group has no one (no active employee in the team, no team lead with the
    policy, a level the organisation does not have)."""
    cols = []
    R = model.n_runs
    for o in outputs:
        vals, key, k = _keyed(model, o, groups.get(o.name, ()))
        bins = R * k
        if o.stat == "quantile":
            res = _quantile(vals, key, bins, o.value)
        else:
            keep = key >= 0
            n = np.bincount(key[keep], minlength=bins).astype(float)
            w = vals[keep] if o.stat == "mean" else (
                vals[keep] > o.value if o.stat == "above" else vals[keep] < o.value).astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                res = np.bincount(key[keep], weights=w, minlength=bins) / n
            res[n == 0] = np.nan
        cols.append(res.reshape(R, k))
    return np.concatenate(cols, axis=1) if cols else np.zeros((R, 0))


def stops(stop: Stop, names: list[str], row: np.ndarray, week: int) -> np.ndarray:
    """Per run: does a condition of ``stop`` hold this ``week`` (``row``: runs x ``names``)?"""
    if week < stop.from_week:
        return np.zeros(len(row), bool)
    hit = np.zeros(len(row), bool)
    for c in stop.when:
        v = row[:, names.index(c.metric)]
        with np.errstate(invalid="ignore"):
            hit |= (v > c.threshold) if c.op == "above" else (v < c.threshold)
    return hit


def run_block(params, seeds: list[int], weeks: int, keep: list[str], outputs, groups: dict,
              stop: Stop | None) -> tuple[list[np.ndarray], list[int | None]]:
    """One design point's replicates side by side in one model (as :func:`sim.runner.run_batch`), the outputs
    computed after every week and the stop conditions tested: per run its rows (weeks run x ``keep``, the
    kept metrics and output columns) and the week it stopped (None: ran every week). Runs that stopped drop
    their later weeks; the model goes on while any run has not stopped (a batch's runs do not touch each
    other, so each run's numbers are those of a run of its own)."""
    names = list(METRICS) + list(output_columns(outputs, groups))
    idx = [names.index(k) for k in keep]
    n = len(seeds)
    rows, stopped = [], np.zeros(n, np.int64)
    with batch_model(params, seeds) as model:
        for week in range(1, weeks + 1):
            model.step()
            m = model.metrics
            row = np.concatenate([np.array([np.atleast_1d(np.asarray(m[k], dtype=float)) for k in METRICS]).T
                                  .reshape(n, len(METRICS)), compute(model, outputs, groups)], axis=1)
            rows.append(row)
            if stop is not None:
                now = stops(stop, names, row, week) & (stopped == 0)
                stopped[now] = week
                if stopped.all():
                    break
        del model
    arr = np.stack(rows)[:, :, idx]           # weeks x runs x kept
    out = [arr[: (stopped[r] or len(arr)), r, :] for r in range(n)]
    return out, [int(s) if s else None for s in stopped]


def recorded_for(recorded: np.ndarray, last: int) -> np.ndarray:
    """The recorded weeks of a run that ran ``last`` weeks: those before it, and ``last`` itself."""
    recorded = np.asarray(recorded)
    return np.append(recorded[recorded < last], last).astype(np.int64)
