"""orgsim as an EMA workbench model: ``perform_experiments``, ``optimize`` and robust decision making on it.

Uncertainties and levers are generated from the parameter schema (:mod:`sim.params`: kind, range, choices), the
outcomes from the metrics (:mod:`sim.metrics`). Each experiment runs ``replicates`` seeds side by side
(:func:`sim.runner.run_batch`) and reports, per metric, the mean over the seeds of the final week
(``final_<metric>``) and of the time average (``mean_<metric>``); the seeds are ``seed, seed + 1, ...`` in every
experiment (common random numbers: two policies meet the same people; from seed 1 they are the seeds of ``orgsim
compare --seeds N``). EMA names must be Python identifiers:
``policy.monitoring`` is ``policy__monitoring`` there (:func:`ema_name`).

    from ema_workbench import perform_experiments
    from sim.ema import orgsim_model
    model = orgsim_model(uncertainties={"work.workload": (0.6, 1.8), "team.competence_mean": (0.2, 0.8)},
                         levers=["policy.monitoring", "policy.autonomy"], replicates=10)
    experiments, outcomes = perform_experiments(model, scenarios=20, policies=4)

Setting any policy knob as a lever makes the policy ``custom`` (the named policies fix their knobs).
"""

from __future__ import annotations

import warnings

import numpy as np

from .params import BY_KEY, KNOBS, ConfigError, load_scenario, validate

DEFAULT_UNCERTAINTIES = ("team.competence_mean", "work.workload", "manager.insecurity")
DEFAULT_LEVERS = tuple(f"policy.{k}" for k in KNOBS)
DEFAULT_METRICS = ("output", "burnout_share", "engagement", "leavers")
STATS = ("final", "mean")


def ema_name(key: str) -> str:
    """``section.name`` -> ``section__name`` (EMA names are identifiers)."""
    return key.replace(".", "__")


def schema_key(name: str) -> str:
    return name.replace("__", ".", 1)


def _ema():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # "ipyparallel not installed": not needed
            import ema_workbench
    except ImportError:
        raise ConfigError("sim.ema needs the EMA workbench: pip install 'orgsim[discovery]'") from None
    return ema_workbench


def parameter(key: str, bounds=None):
    """The EMA parameter of schema key ``key``: Real, Integer, Categorical or Boolean, over the schema's range
    (or ``bounds``: ``(lo, hi)``, within it, or a list of choices)."""
    ema = _ema()
    if key not in BY_KEY:
        raise ConfigError(f"sim.ema: {key!r} is not a parameter; see 'orgsim params' (section.name)")
    p, name = BY_KEY[key], ema_name(key)
    if p.kind == "choice":
        cats = list(bounds) if bounds is not None else list(p.choices)
        bad = [c for c in cats if c not in p.choices]
        if bad:
            raise ConfigError(f"sim.ema: {key} = {bad[0]!r}: allowed: {', '.join(p.choices)}")
        return ema.CategoricalParameter(name, cats)
    if p.kind == "bool":
        return ema.BooleanParameter(name)
    lo, hi = (p.lo, p.hi) if bounds is None else bounds
    if p.lo is not None and lo < p.lo or p.hi is not None and hi > p.hi or not lo < hi:
        raise ConfigError(f"sim.ema: {key} range ({lo}, {hi}): allowed: lo < hi within [{p.lo}, {p.hi}]")
    if p.kind == "int":
        return ema.IntegerParameter(name, int(lo), int(hi))
    return ema.RealParameter(name, float(lo), float(hi))


def _params_list(spec) -> list:
    if isinstance(spec, dict):
        return [parameter(k, v) for k, v in spec.items()]
    return [parameter(k) for k in spec]


def run_orgsim(base: dict | None = None, replicates: int = 10, weeks: int | None = None, seed: int = 1,
               metrics: tuple = DEFAULT_METRICS, average_from: int = 1, **values) -> dict:
    """One EMA experiment: the base scenario (a raw dict, or the defaults) with ``values`` (EMA names) set,
    ``replicates`` seeds side by side; per metric the mean over seeds of the final week and the time average."""
    from .model import with_overrides
    from .runner import run_batch

    params = validate(base, "<sim.ema base>") if base else load_scenario(None)
    sets = {schema_key(k): (bool(v) if BY_KEY[schema_key(k)].kind == "bool" else
                            int(v) if BY_KEY[schema_key(k)].kind == "int" else v) for k, v in values.items()}
    if any(k.split(".", 1)[1] in KNOBS for k in sets if k.startswith("policy.")):
        sets.setdefault("policy.name", "custom")
    params = with_overrides(params, sets) if sets else params
    seeds = list(range(seed, seed + replicates))   # as orgsim compare --seeds N (from seed 1)
    frames = run_batch(params, seeds, weeks)
    out = {}
    for m in metrics:
        out[f"final_{m}"] = float(np.mean([f[m].iloc[-1] for f in frames]))
        out[f"mean_{m}"] = float(np.mean([f[m].iloc[average_from - 1:].mean() for f in frames]))
    return out


def orgsim_model(uncertainties=DEFAULT_UNCERTAINTIES, levers=DEFAULT_LEVERS, metrics=DEFAULT_METRICS,
                 replicates: int = 10, weeks: int | None = None, seed: int = 1, base: dict | None = None,
                 directions: dict | None = None, name: str = "orgsim"):
    """An ``ema_workbench.Model`` of orgsim. ``uncertainties``/``levers``: schema keys (a list: the schema's
    ranges; a dict: key -> (lo, hi) or choices). ``metrics``: names in :data:`sim.metrics.METRICS`; outcomes
    ``final_<metric>`` and ``mean_<metric>``, of kind INFO unless ``directions`` says ``{"mean_output": "max",
    "final_burnout_share": "min"}``. ``base``: a raw scenario dict (:func:`sim.params.load_raw`)."""
    from .metrics import METRICS

    ema = _ema()
    bad = [m for m in metrics if m not in METRICS]
    if bad:
        raise ConfigError(f"sim.ema: metric {bad[0]!r}: allowed: {', '.join(METRICS)}")
    if base:
        validate(base, "<sim.ema base>")
    model = ema.Model(name, function=run_orgsim)
    model.uncertainties = _params_list(uncertainties)
    model.levers = _params_list(levers)
    kinds = {"max": ema.ScalarOutcome.MAXIMIZE, "min": ema.ScalarOutcome.MINIMIZE}
    directions = directions or {}
    outs = [f"{s}_{m}" for m in metrics for s in STATS]
    for k, v in directions.items():
        if k not in outs or v not in kinds:
            raise ConfigError(f"sim.ema: direction {k!r}: {v!r}: allowed: an outcome ({', '.join(outs)}) and "
                              f"'max' or 'min'")
    model.outcomes = [ema.ScalarOutcome(o, kind=kinds.get(directions.get(o), ema.ScalarOutcome.INFO))
                      for o in outs]
    model.constants = [ema.Constant("replicates", int(replicates)), ema.Constant("weeks", weeks),
                       ema.Constant("seed", int(seed)), ema.Constant("metrics", tuple(metrics)),
                       ema.Constant("base", base)]
    return model
