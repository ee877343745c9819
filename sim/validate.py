"""Pattern-oriented validation (Grimm et al. 2005): does the model reproduce stylized facts of working life?

Two data files drive it:

* ``experiments/validation.toml`` - the experiment: variants (a scenario file plus ``--set`` overrides and a run
  length), the seeds, and the measurement window ("survey year": the last ``survey_weeks`` weeks of a run);
* ``experiments/targets_nl.toml`` - the facts: for each a source, a target value, a band, a unit and how the
  model's value is measured (see the comments at its top).

:func:`validate` runs every variant over the same seeds (in worker processes), measures each fact per seed,
and returns one row per fact: mean over seeds with a 95% confidence interval, and whether the mean lies inside
the band. Nothing is tuned here: the bands are read from the targets file. ``orgsim validate`` prints the table
and writes ``validation.csv`` and ``validation.md``.

Besides the model-level time series, two facts need individual data, collected while the runs go:

* burnout sick-leave spells that end in the survey weeks (their length in weeks);
* each employee's mean over the survey weeks of output, exhaustion, engagement, motivation and the leadership
  received (coaching, autonomy, control): the monitoring study, and the correlations across employees of
  :mod:`sim.magnitudes` (leadership experienced vs exhaustion and performance, exhaustion vs engagement).
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import budget, safe_toml
from .magnitudes import CORRELATES, PERSON_FIELDS, person_correlation
from .metrics import METRICS
from .params import ConfigError, load_scenario
from .state import ABSENT, ACTIVE

ROOT = Path(__file__).resolve().parent.parent
DESIGN_FILE = ROOT / "experiments" / "validation.toml"
TARGETS_FILE = ROOT / "experiments" / "targets_nl.toml"
WEEKS_PER_MONTH = 52.0 / 12.0
COMPARES = ("difference", "ratio", "relative_gap")
UNITS = ("%", "r", "x", "months", "people", "")


# ---------------------------------------------------------------------------------------------------------------
# the two data files
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    name: str
    scenario: str | None          # path as written, resolved against the design file's folder, then the root
    sets: tuple[str, ...]
    weeks: int | None             # None: the scenario's


@dataclass(frozen=True)
class Design:
    path: Path
    seeds: int
    first_seed: int
    survey_weeks: int
    min_weeks_in_post: int
    variants: dict[str, Variant]


@dataclass(frozen=True)
class Fact:
    id: str
    description_en: str
    description_nl: str
    source: str
    target: float
    low: float
    high: float
    unit: str
    note: str
    measure: dict
    versus: dict | None = None
    compare: str | None = None

    def description(self, lang: str = "en") -> str:
        return self.description_nl if lang == "nl" else self.description_en


def _read_toml(path: Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    return safe_toml.loads(text, str(path))


def _int(raw: dict, key: str, where: str, lo: int, hi: int, default=None) -> int:
    v = raw.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ConfigError(f"{where}: '{key}' = {v!r} is not allowed; allowed: integer in [{lo}, {hi}]")
    return v


def _resolve(path: str, base: Path) -> Path:
    p = Path(path)
    for cand in (p, base / p, ROOT / p):
        if cand.is_file():
            return cand
    return base / p


def load_design(path: str | Path = DESIGN_FILE) -> Design:
    """Read and check the validation experiment; every variant's scenario is validated here."""
    path = Path(path)
    raw = _read_toml(path)
    unknown = set(raw) - {"validation", "variants"}
    if unknown:
        raise ConfigError(f"{path}: unknown section '{sorted(unknown)[0]}' (allowed: validation, variants)")
    v = raw.get("validation", {})
    where = f"{path}: [validation]"
    bad = set(v) - {"seeds", "first_seed", "survey_weeks", "min_weeks_in_post"}
    if bad:
        raise ConfigError(f"{where}: unknown key '{sorted(bad)[0]}' (allowed: seeds, first_seed, survey_weeks, "
                          f"min_weeks_in_post)")
    variants = {}
    for name, body in raw.get("variants", {}).items():
        w = f"{path}: [variants.{name}]"
        if not isinstance(body, dict) or set(body) - {"scenario", "set", "weeks"}:
            raise ConfigError(f"{w}: allowed keys are scenario, set, weeks")
        sets = body.get("set", [])
        if not isinstance(sets, list) or not all(isinstance(s, str) for s in sets):
            raise ConfigError(f"{w}: 'set' must be a list of \"section.key=value\" strings")
        scen = body.get("scenario")
        if scen is not None and not isinstance(scen, str):
            raise ConfigError(f"{w}: 'scenario' must be a path string")
        weeks = _int(body, "weeks", w, 1, 2600) if "weeks" in body else None
        var = Variant(name, str(_resolve(scen, path.parent)) if scen else None, tuple(sets), weeks)
        params = variant_params(var)                                   # fails early, one line
        if (weeks or params.scenario.weeks) < 2:
            raise ConfigError(f"{w}: a run needs at least 2 weeks")
        variants[name] = var
    if not variants:
        raise ConfigError(f"{path}: no [variants.*] tables")
    return Design(path, _int(v, "seeds", where, 2, 10_000, 20), _int(v, "first_seed", where, 0, 2**31, 1),
                  _int(v, "survey_weeks", where, 1, 2600, 52), _int(v, "min_weeks_in_post", where, 1, 2600, 26),
                  variants)


def variant_params(var: Variant):
    return load_scenario(var.scenario, list(var.sets))


def _check_measure(m, where: str, design: Design) -> dict:
    if not isinstance(m, dict):
        raise ConfigError(f"{where}: must be an inline table, e.g. {{ variant = \"baseline\", metric = ... }}")
    kind = m.get("kind", "metric")
    need = {"metric": ("variant", "metric"), "sick_leave_months": ("variant",),
            "monitoring_correlation": ("light", "close", "outcome"), "person_correlation": ("variant", "x", "y")}
    if kind not in need:
        raise ConfigError(f"{where}: 'kind' = {kind!r} is not allowed; allowed: {', '.join(need)}")
    for key in need[kind]:
        if key not in m:
            raise ConfigError(f"{where}: missing '{key}'")
    allowed = {"kind", *need[kind]} | ({"weeks", "agg"} if kind == "metric" else set())
    extra = set(m) - allowed
    if extra:
        raise ConfigError(f"{where}: unknown key '{sorted(extra)[0]}' (allowed: {', '.join(sorted(allowed))})")
    for key in ("variant", "light", "close"):
        if key in m and m[key] not in design.variants:
            raise ConfigError(f"{where}: '{key}' = {m[key]!r} is not a variant of {design.path.name}; allowed: "
                              f"{', '.join(design.variants)}")
    if kind == "metric":
        if m["metric"] not in METRICS:
            raise ConfigError(f"{where}: 'metric' = {m['metric']!r} is not a metric (see timeseries.csv columns)")
        weeks = m.get("weeks", "survey")
        ok = weeks in ("survey", "final") or (isinstance(weeks, list) and len(weeks) == 2 and all(
            isinstance(x, int) and not isinstance(x, bool) and x >= 1 for x in weeks) and weeks[0] <= weeks[1])
        if not ok:
            raise ConfigError(f"{where}: 'weeks' = {weeks!r} is not allowed; allowed: \"survey\", \"final\" or "
                              f"[first, last] (weeks >= 1)")
        if m.get("agg", "mean") not in ("mean", "sum"):
            raise ConfigError(f"{where}: 'agg' = {m['agg']!r} is not allowed; allowed: mean, sum")
    if kind == "monitoring_correlation" and m["outcome"] not in PERSON_FIELDS:
        raise ConfigError(f"{where}: 'outcome' = {m['outcome']!r} is not allowed; allowed: "
                          f"{', '.join(PERSON_FIELDS)}")
    for key in ("x", "y"):
        if kind == "person_correlation" and m[key] not in CORRELATES:
            raise ConfigError(f"{where}: '{key}' = {m[key]!r} is not allowed; allowed: {', '.join(CORRELATES)}")
    return dict(m)


def load_targets(path: str | Path = TARGETS_FILE, design: Design | None = None) -> list[Fact]:
    """Read and check the facts: every fact has a source, a band with low <= target <= high, and a measure
    that names variants of ``design``."""
    path = Path(path)
    design = design or load_design()
    raw = _read_toml(path)
    facts, seen = [], set()
    rows = raw.get("fact", [])
    if not isinstance(rows, list) or not rows:
        raise ConfigError(f"{path}: no facts; write them as [[fact]] tables")
    fields = {f for f in Fact.__dataclass_fields__}
    for i, f in enumerate(rows):
        where = f"{path}: fact[{i}]" + (f" ({f.get('id')})" if isinstance(f, dict) and "id" in f else "")
        if not isinstance(f, dict):
            raise ConfigError(f"{where}: must be a [[fact]] table")
        extra = set(f) - fields
        if extra:
            raise ConfigError(f"{where}: unknown key '{sorted(extra)[0]}' (allowed: {', '.join(sorted(fields))})")
        for key in ("id", "description_en", "description_nl", "source"):
            if not isinstance(f.get(key), str) or not f[key].strip():
                raise ConfigError(f"{where}: '{key}' must be a non-empty text")
        if f["id"] in seen:
            raise ConfigError(f"{where}: id {f['id']!r} is used twice")
        seen.add(f["id"])
        nums = {}
        for key in ("target", "low", "high"):
            v = f.get(key)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or math.isnan(v):
                raise ConfigError(f"{where}: '{key}' must be a number (inf allowed for an open band)")
            nums[key] = float(v)
        if not nums["low"] <= nums["high"] or not nums["low"] <= nums["target"] <= nums["high"]:
            raise ConfigError(f"{where}: need low <= target <= high; got low = {nums['low']}, target = "
                              f"{nums['target']}, high = {nums['high']}")
        unit = f.get("unit", "")
        if unit not in UNITS:
            raise ConfigError(f"{where}: 'unit' = {unit!r} is not allowed; allowed: {', '.join(map(repr, UNITS))}")
        measure = _check_measure(f.get("measure"), f"{where}.measure", design)
        versus, compare = f.get("versus"), f.get("compare")
        if (versus is None) != (compare is None):
            raise ConfigError(f"{where}: 'versus' and 'compare' go together")
        if versus is not None:
            versus = _check_measure(versus, f"{where}.versus", design)
            if compare not in COMPARES:
                raise ConfigError(f"{where}: 'compare' = {compare!r} is not allowed; allowed: {', '.join(COMPARES)}")
            if "metric" != measure.get("kind", "metric") or "metric" != versus.get("kind", "metric"):
                raise ConfigError(f"{where}: 'versus' compares metric measures only")
        facts.append(Fact(f["id"], f["description_en"], f["description_nl"], f["source"], nums["target"],
                          nums["low"], nums["high"], unit, f.get("note", ""), measure, versus, compare))
    return facts


# ---------------------------------------------------------------------------------------------------------------
# running
# ---------------------------------------------------------------------------------------------------------------
@dataclass
class RunOutput:
    variant: str
    seed: int
    timeseries: pd.DataFrame          # week + metrics
    spells: np.ndarray                # lengths (weeks) of sick leaves that ended in the survey weeks
    people: pd.DataFrame | None       # per employee: weeks active and mean of PERSON_FIELDS in the survey weeks


def run_variant(var: Variant, seed: int, survey_weeks: int, people: bool) -> RunOutput:
    """One run of a variant, collecting the time series, the sick-leave spells and (if ``people``) the
    employees' means over the survey weeks."""
    from .model import OrgModel
    from .runner import tidy

    params = variant_params(var)
    weeks = var.weeks or params.scenario.weeks
    model = OrgModel(params, seed=seed)
    s = model.state
    first = max(1, weeks - survey_weeks + 1)
    prev_status, prev_leave = s.status.copy(), s.leave_weeks.copy()
    spells, ids, vals = [], [], []
    for week in range(1, weeks + 1):
        model.step()
        s = model.state
        if week >= first:
            ended = (prev_status == ABSENT) & (s.status != ABSENT)
            spells.extend((prev_leave[ended] + 1).tolist())   # the week of return counts as the leave's last
            if people:
                act = np.flatnonzero(s.status == ACTIVE)
                ids.append(np.array([model.employees_at[i].unique_id for i in act], dtype=np.int64))
                vals.append(np.column_stack([getattr(s, f)[act] for f in PERSON_FIELDS]))
        prev_status, prev_leave = s.status.copy(), s.leave_weeks.copy()
    per = None
    if people:
        df = pd.DataFrame(np.vstack(vals), columns=list(PERSON_FIELDS))
        df["agent_id"] = np.concatenate(ids)
        g = df.groupby("agent_id")
        per = g.mean()
        per.insert(0, "weeks_active", g.size())
    return RunOutput(var.name, seed, tidy(model.timeseries()), np.asarray(spells, dtype=float), per)


def _task(args):
    return run_variant(*args)


def default_workers() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS
        n = os.cpu_count() or 1
    return max(1, min(n, 8))


def run_design(design: Design, facts: list[Fact], seeds: int | None = None, workers: int | None = None,
               progress=None) -> dict[str, list[RunOutput]]:
    """Every variant that a fact uses, over seeds ``first_seed ..``: ``{variant: [RunOutput by seed]}``."""
    seeds = design.seeds if seeds is None else seeds
    need_people = {f.measure[k] for f in facts if f.measure.get("kind") in ("monitoring_correlation",
                                                                            "person_correlation")
                   for k in ("variant", "light", "close") if k in f.measure}
    used = [v for v in design.variants.values() if v.name in _variants_used(facts)]

    def size(v: Variant) -> int:  # agent-weeks: the longest runs go first, so the workers finish together
        p = variant_params(v)
        return (v.weeks or p.scenario.weeks) * p.team.size * p.team.teams

    tasks = [(v, design.first_seed + k, design.survey_weeks, v.name in need_people)
             for v in sorted(used, key=size, reverse=True) for k in range(seeds)]
    workers = default_workers() if workers is None else workers
    for v in used:   # each worker holds one run at a time: refused before any runs if they would not fit
        est = budget.estimate(variant_params(v), v.weeks, runs=max(workers, 1))
        est.processes = workers if workers > 1 else 0
        budget.refuse_if_too_big(est, f"{design.path}: [variants.{v.name}]", "a run on each worker",
                                 ("--workers",) if workers > 1 else ())
    results: dict[str, list[RunOutput]] = {v.name: [] for v in used}
    if workers <= 1:
        outs = map(_task, tasks)
        pool = None
    else:
        ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        outs = pool.map(_task, tasks, chunksize=1)
    try:
        for out in outs:
            results[out.variant].append(out)
            if progress:
                progress(len(tasks))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    for runs in results.values():
        runs.sort(key=lambda r: r.seed)
    return results


def _variants_used(facts: list[Fact]) -> set[str]:
    out = set()
    for f in facts:
        for m in filter(None, (f.measure, f.versus)):
            out |= {m[k] for k in ("variant", "light", "close") if k in m}
    return out


# ---------------------------------------------------------------------------------------------------------------
# measuring the facts (pure functions of the runs: tested on small synthetic data)
# ---------------------------------------------------------------------------------------------------------------
def metric_value(ts: pd.DataFrame, metric: str, weeks="survey", agg: str = "mean", survey_weeks: int = 52) -> float:
    """A metric of one run over some weeks: ``"survey"`` (the last ``survey_weeks``), ``"final"`` or
    ``[first, last]`` (inclusive), averaged or summed."""
    last = int(ts["week"].max())
    if weeks == "survey":
        lo, hi = last - survey_weeks + 1, last
    elif weeks == "final":
        lo = hi = last
    else:
        lo, hi = weeks
    sel = ts.loc[(ts["week"] >= lo) & (ts["week"] <= hi), metric]
    if sel.empty:
        raise ConfigError(f"weeks {lo}-{hi} of '{metric}' are outside the run (weeks 1-{last})")
    return float(sel.sum() if agg == "sum" else sel.mean())


def mean_sick_leave_months(spells) -> float:
    """Mean length in months (52/12 weeks) of sick-leave spells given in weeks; NaN without spells."""
    spells = np.asarray(spells, dtype=float)
    return float(spells.mean() / WEEKS_PER_MONTH) if spells.size else math.nan


def condition_correlation(light: pd.DataFrame, close: pd.DataFrame, outcome: str, min_weeks: int = 1) -> float:
    """Pearson r between the condition (0 = light, 1 = close monitoring) and ``outcome`` over the employees of
    both runs pooled (those with ``weeks_active >= min_weeks``): the point-biserial correlation a study that
    compares monitored with unmonitored workers reports."""
    a = light.loc[light["weeks_active"] >= min_weeks, outcome].to_numpy(float)
    b = close.loc[close["weeks_active"] >= min_weeks, outcome].to_numpy(float)
    x = np.concatenate([np.zeros(len(a)), np.ones(len(b))])
    y = np.concatenate([a, b])
    if len(a) < 2 or len(b) < 2 or np.std(y) == 0:
        return math.nan
    return float(np.corrcoef(x, y)[0, 1])


def per_seed(m: dict, runs: dict[str, list[RunOutput]], design: Design) -> np.ndarray:
    """The measure ``m`` of a fact, one value per seed."""
    kind = m.get("kind", "metric")
    if kind == "metric":
        return np.array([metric_value(r.timeseries, m["metric"], m.get("weeks", "survey"), m.get("agg", "mean"),
                                      design.survey_weeks) for r in runs[m["variant"]]])
    if kind == "sick_leave_months":
        return np.array([mean_sick_leave_months(r.spells) for r in runs[m["variant"]]])
    if kind == "person_correlation":
        return np.array([person_correlation(r.people, m["x"], m["y"], design.min_weeks_in_post)
                         for r in runs[m["variant"]]])
    return np.array([condition_correlation(lo.people, hi.people, m["outcome"], design.min_weeks_in_post)
                     for lo, hi in zip(runs[m["light"]], runs[m["close"]], strict=True)])


def t_interval(x) -> tuple[float, float, float, int]:
    """Mean of the finite values with a t-based 95% confidence interval: (mean, low, high, n)."""
    from scipy.stats import t as student_t

    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    m = float(x.mean())
    if n == 1:
        return m, math.nan, math.nan, 1
    half = float(student_t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return m, m - half, m + half, n


def compared(a, b, how: str, resamples: int = 2000) -> tuple[float, float, float, int]:
    """Two per-seed measures (paired by seed) compared: ``difference`` (t interval of the paired differences),
    ``ratio`` (mean a / mean b) or ``relative_gap`` (|mean a - mean b| / mean b), the last two with a percentile
    bootstrap interval over seeds (fixed random state, so the same runs give the same interval)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if how == "difference":
        return t_interval(a - b)
    stat = (lambda x, y: x.mean() / y.mean()) if how == "ratio" else (
        lambda x, y: abs(x.mean() - y.mean()) / y.mean())
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(a), size=(resamples, len(a)))
    with np.errstate(divide="ignore", invalid="ignore"):   # a resample (or a few seeds) may have a zero mean
        value = float(stat(a, b))
        boot = np.array([stat(a[i], b[i]) for i in idx])
    boot = boot[np.isfinite(boot)]
    lo, hi = (np.percentile(boot, [2.5, 97.5]) if boot.size else (math.nan, math.nan))
    return value, float(lo), float(hi), len(a)


def fact_value(f: Fact, runs: dict[str, list], design: Design) -> tuple[float, float, float, int]:
    """A fact's value over the runs (``{variant: [run by seed]}``, each with ``timeseries``, ``spells`` or
    ``people`` as its measure needs): the mean over seeds, or the two measures compared, with a 95% CI and n.
    Used by :func:`evaluate` and by the sensitivity of the patterns (:mod:`sim.pattern_sensitivity`)."""
    a = per_seed(f.measure, runs, design)
    return compared(a, per_seed(f.versus, runs, design), f.compare) if f.versus is not None else t_interval(a)


def holds(f: Fact, value: float) -> bool:
    """The pass rule of a fact: its value lies inside its band."""
    return bool(np.isfinite(value) and f.low <= value <= f.high)


def evaluate(facts: list[Fact], runs: dict[str, list[RunOutput]], design: Design) -> pd.DataFrame:
    """One row per fact: its band and source, the model's mean over seeds with a 95% CI, and pass/fail."""
    rows = []
    for f in facts:
        value, lo, hi, n = fact_value(f, runs, design)
        rows.append(dict(id=f.id, description_en=f.description_en, description_nl=f.description_nl,
                         source=f.source, unit=f.unit, target=f.target, low=f.low, high=f.high, value=value,
                         ci_low=lo, ci_high=hi, n=n, passed=holds(f, value)))
    return pd.DataFrame(rows)


def validate(targets: str | Path = TARGETS_FILE, design: str | Path = DESIGN_FILE, seeds: int | None = None,
             workers: int | None = None, progress=None) -> tuple[pd.DataFrame, dict]:
    """Load both files, run, measure: ``(table, info)`` with ``info`` = seeds, variants, runs, seconds."""
    d = load_design(design)
    facts = load_targets(targets, d)
    t0 = time.perf_counter()
    runs = run_design(d, facts, seeds, workers, progress)
    table = evaluate(facts, runs, d)
    info = dict(seeds=d.seeds if seeds is None else seeds, first_seed=d.first_seed, survey_weeks=d.survey_weeks,
                variants=len(runs), runs=sum(len(v) for v in runs.values()),
                seconds=time.perf_counter() - t0, targets=str(targets), design=str(design))
    return table, info


# ---------------------------------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------------------------------
def fmt(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if unit == "%":
        return f"{100 * value:.1f}%"
    if unit == "r":
        return f"{value:+.3f}"
    if unit == "months":
        return f"{value:.1f} mo"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"


def band_text(row) -> str:
    if math.isinf(row["high"]):
        return f">= {fmt(row['low'], row['unit'])}"
    return f"{fmt(row['low'], row['unit'])} .. {fmt(row['high'], row['unit'])}"


def value_text(row) -> str:
    ci = "" if not np.isfinite(row["ci_low"]) else f" [{fmt(row['ci_low'], row['unit'])}, " \
                                                    f"{fmt(row['ci_high'], row['unit'])}]"
    return fmt(row["value"], row["unit"]) + ci


HEAD = {"en": ("Fact", "Source", "Target band", "Simulated (95% CI)", "Pass"),
        "nl": ("Feit", "Bron", "Doelband", "Gesimuleerd (95%-BI)", "Voldoet")}
YES = {"en": ("pass", "FAIL"), "nl": ("ja", "NEE")}


def markdown(table: pd.DataFrame, info: dict, lang: str = "en") -> str:
    """The validation table as Markdown, with how it was made."""
    h = HEAD[lang]
    lines = [f"# Validation: {int(table['passed'].sum())}/{len(table)} facts pass" if lang == "en" else
             f"# Validatie: {int(table['passed'].sum())}/{len(table)} feiten voldoen", "",
             f"`orgsim validate`: {info['seeds']} seeds per variant (from {info['first_seed']}), {info['runs']} runs, "
             f"{info['seconds']:.0f} s; survey year = the last {info['survey_weeks']} weeks of each run. Targets: "
             f"`{Path(info['targets']).name}`, experiment: `{Path(info['design']).name}`.", "",
             "| " + " | ".join(h) + " |", "|---|---|---|---|---|"]
    for _, r in table.iterrows():
        desc = r["description_nl"] if lang == "nl" else r["description_en"]
        lines.append(f"| {desc} (`{r['id']}`) | {r['source']} | {band_text(r)} | {value_text(r)} | "
                     f"{YES[lang][0] if r['passed'] else YES[lang][1]} |")
    lines.append("")
    return "\n".join(lines)


def verdict(table: pd.DataFrame, where: str) -> str:
    return f"validation: {int(table['passed'].sum())}/{len(table)} facts pass (table in {where})"
