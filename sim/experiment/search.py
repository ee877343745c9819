"""Policy search: ``orgsim search FILE`` finds team-lead knob settings that are best on the objectives of a
search file within its limits, robust over many seeds, as a Pareto set.

The search runs the EMA workbench's ``optimize`` (epsilon-NSGA-II, platypus) over the levers of the file (policy
knobs with ranges) on the model of :mod:`sim.ema`: every candidate is run on the same ``seeds`` seeds (1, 2, ...,
as ``orgsim compare --seeds N``) and judged by the means over them. The five named presets start in the first
population and are evaluated on the same seeds for comparison. The Pareto set (non-dominated within epsilon)
is written as a table and a figure; the *chosen* policy is the feasible one (all limits met) that is best on the
first objective, written as a scenario TOML that ``orgsim compare FILE --seeds N`` (means) and ``orgsim run
FILE --seed S`` (each seed) reproduce.

A search file::

    [search]
    title_en = "..."
    scenario = "scenarios/coaching.toml"     # optional base; [set] on top
    weeks = 104
    seeds = 20                               # at least 20
    evaluations = 150                        # candidates run
    seed = 3                                 # the optimiser's seed
    maximize = ["mean_output"]               # outcomes: final_<metric> or mean_<metric>
    minimize = ["mean_burnout_share"]
    limits = ["final_burnout_share <= 0.1", "final_leavers <= 2"]

    [set]
    team.size = 12

    [levers]                                 # policy knobs; {} or [lo, hi] within [0, 1]
    policy.autonomy = [0, 1]
"""

from __future__ import annotations

import functools
import json
import operator
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..params import BY_KEY, KNOBS, POLICY_NAMES, ConfigError, apply_sets, load_raw, validate
from ..plots import PNG
from ..safe_toml import loads
from .results import atomic_write, write_json

PRESET_NAMES = tuple(n for n in POLICY_NAMES if n != "custom")
LIMIT = re.compile(r"^\s*((?:final|mean)_\w+)\s*(<=|>=)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")
KEYS = {"title", "title_en", "title_nl", "scenario", "weeks", "seeds", "evaluations", "seed", "maximize",
        "minimize", "limits", "epsilons"}


@dataclass
class SearchSpec:
    path: str
    title: str
    base: dict                      # raw scenario (validated)
    weeks: int
    seeds: int
    evaluations: int
    seed: int
    maximize: list[str]
    minimize: list[str]
    limits: list[tuple[str, str, float]]
    levers: dict[str, tuple[float, float]]
    epsilons: list[float] = field(default_factory=list)

    @property
    def objectives(self) -> list[str]:
        return self.maximize + self.minimize

    @property
    def metrics(self) -> list[str]:
        names = self.objectives + [c for c, _, _ in self.limits]
        return list(dict.fromkeys(n.split("_", 1)[1] for n in names))


def _int(src, key, v, lo, hi) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ConfigError(f"{src}: 'search.{key}' = {v!r}: allowed: integer in [{lo}, {hi}]")
    return v


def load_search(path) -> SearchSpec:
    """Read and check a search file; a one-line :class:`ConfigError` names the file, the key and what is allowed."""
    from ..metrics import METRICS

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({type(exc).__name__})") from None
    raw = loads(text, str(path))
    src = str(path)
    for k in raw:
        if k not in ("search", "set", "levers"):
            raise ConfigError(f"{src}: '{k}' is not a section; allowed: search, set, levers")
    s = raw.get("search", {})
    for k in s:
        if k not in KEYS:
            raise ConfigError(f"{src}: 'search.{k}' is not a key; allowed: {', '.join(sorted(KEYS))}")
    base = {}
    if s.get("scenario"):
        sc = Path(s["scenario"])
        sc = sc if sc.is_absolute() else next((p for p in (path.parent / sc, Path.cwd() / sc) if p.exists()),
                                              path.parent / sc)
        base = load_raw(sc)
    sets = [f"{sec}.{k}={json.dumps(v)}" for sec, vals in raw.get("set", {}).items()
            for k, v in (vals.items() if isinstance(vals, dict) else [("", vals)])]
    try:
        base = apply_sets(base, sets)
        validate(base, src)
    except ConfigError as exc:
        raise ConfigError(f"{src}: [set]: {exc}") from None
    outcomes = [f"{st}_{m}" for m in METRICS for st in ("final", "mean")]

    def outcome(key, v):
        if v not in outcomes:
            raise ConfigError(f"{src}: 'search.{key}' = {v!r}: allowed: final_<metric> or mean_<metric> with a "
                              f"metric of 'orgsim run' (e.g. mean_output, final_burnout_share)")
        return v
    maximize = [outcome("maximize", v) for v in s.get("maximize", [])]
    minimize = [outcome("minimize", v) for v in s.get("minimize", [])]
    if not maximize + minimize:
        raise ConfigError(f"{src}: 'search.maximize' / 'search.minimize': name at least one objective")
    limits = []
    for item in s.get("limits", []):
        m = LIMIT.match(str(item))
        if not m:
            raise ConfigError(f"{src}: 'search.limits' item {item!r}: expected OUTCOME <= NUMBER or >= NUMBER, "
                              f"e.g. 'final_burnout_share <= 0.1'")
        limits.append((outcome("limits", m.group(1)), m.group(2), float(m.group(3))))
    levers = {}
    for sec, vals in raw.get("levers", {}).items():
        for k, v in (vals.items() if isinstance(vals, dict) else []):
            key = f"{sec}.{k}"
            if sec != "policy" or k not in KNOBS:
                raise ConfigError(f"{src}: 'levers.{key}': allowed: a policy knob ({', '.join(KNOBS)})")
            lo, hi = (BY_KEY[key].lo, BY_KEY[key].hi) if v in ({}, []) else (v if isinstance(v, list) else [None])
            if not (isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and 0 <= lo < hi <= 1):
                raise ConfigError(f"{src}: 'levers.{key}' = {v!r}: allowed: [] (the whole range) or [lo, hi] with "
                                  f"0 <= lo < hi <= 1")
            levers[key] = (float(lo), float(hi))
    if not levers:
        raise ConfigError(f"{src}: [levers]: name at least one policy knob, e.g. policy.autonomy = []")
    eps = s.get("epsilons", [])
    if eps and (len(eps) != len(maximize + minimize) or not all(isinstance(e, (int, float)) and e > 0 for e in eps)):
        raise ConfigError(f"{src}: 'search.epsilons': allowed: one positive number per objective")
    title = s.get("title_en") or s.get("title") or path.stem
    return SearchSpec(str(path), str(title), base, _int(src, "weeks", s.get("weeks", 104), 1, 1040),
                      _int(src, "seeds", s.get("seeds", 20), 20, 1000),
                      _int(src, "evaluations", s.get("evaluations", 150), 10, 100_000),
                      _int(src, "seed", s.get("seed", 1), 0, 2**31 - 1), maximize, minimize, limits, levers,
                      [float(e) for e in eps])


def _excess(op: str, limit: float, value: float) -> float:
    """A limit's distance from being met (0 when met), as the EMA workbench's constraints take it."""
    return max(0.0, value - limit) if op == "<=" else max(0.0, limit - value)


def feasible(row, limits) -> bool:
    return all((operator.le if op == "<=" else operator.ge)(row[c], v) for c, op, v in limits)


def evaluate(spec: SearchSpec, knobs: dict | None = None, preset: str | None = None) -> dict:
    """The outcomes of one policy on the search's seeds: ``knobs`` (schema key -> value) or a named preset."""
    from ..ema import ema_name, run_orgsim

    base = apply_sets(spec.base, [f"policy.name={preset}"]) if preset else spec.base
    values = {ema_name(k): v for k, v in (knobs or {}).items()}
    return run_orgsim(base=base, replicates=spec.seeds, weeks=spec.weeks, seed=1, metrics=tuple(spec.metrics),
                      **values)


def population_size(evaluations: int) -> int:
    """About four generations in the evaluations (platypus runs its whole first population whatever ``nfe``
    says), between the presets and 100."""
    return int(np.clip(evaluations // 4, len(PRESET_NAMES), 100))


def search(spec: SearchSpec, workers: int = 1) -> dict:
    """Run the search: ``{"pareto": DataFrame, "presets": DataFrame, "convergence": DataFrame}``."""
    from ..ema import _ema, ema_name, orgsim_model
    from ..policies import PRESETS

    ema = _ema()
    directions = {**{o: "max" for o in spec.maximize}, **{o: "min" for o in spec.minimize}}
    # the search runs in the base scenario; the workbench needs an uncertainty (with none it mixes up its
    # scenario and policy samples), so the base's workload is one, held at its own value
    workload = validate(spec.base, spec.path).work.workload
    model = orgsim_model(uncertainties=["work.workload"], levers=spec.levers, metrics=spec.metrics, replicates=spec.seeds,
                         weeks=spec.weeks, seed=1, base=spec.base, directions=directions)
    constraints = [ema.Constraint(f"limit_{i}", outcome_names=c, function=functools.partial(_excess, op, v))
                   for i, (c, op, v) in enumerate(spec.limits)]
    start = [ema.Sample(**{ema_name(k): float(np.clip(PRESETS[name][k.split(".")[1]], *spec.levers[k]))
                           for k in spec.levers}) for name in PRESET_NAMES]
    eps = spec.epsilons or [0.005] * len(spec.objectives)
    evaluator = ema.SequentialEvaluator(model) if workers == 1 else ema.MultiprocessingEvaluator(model, workers)
    with warnings.catch_warnings(), tempfile.TemporaryDirectory() as tmp:
        warnings.simplefilter("ignore")
        with evaluator:
            pareto, conv = ema.optimize(model, nfe=spec.evaluations, searchover="levers", evaluator=evaluator,
                                        constraints=constraints, epsilons=eps, rng=spec.seed, reference=ema.Sample(work__workload=workload),
                                        initial_population=start or None, convergence_freq=max(spec.evaluations // 10, 1),
                                        logging_freq=10**6, directory=tmp, filename="archives.tar.gz",
                                        population_size=population_size(spec.evaluations))
    # the archive holds the levers and the objectives: each member is run again for every outcome (the same
    # seeds, so the same numbers)
    knobs = pareto.rename(columns={ema_name(k): k for k in spec.levers})[list(spec.levers)]
    pareto = pd.DataFrame([{**r.to_dict(), **evaluate(spec, r.to_dict())} for _, r in knobs.iterrows()])
    pareto["feasible"] = [feasible(r, spec.limits) for _, r in pareto.iterrows()]
    first = spec.objectives[0]
    pareto = pareto.sort_values(first, ascending=first in spec.minimize, kind="stable").reset_index(drop=True)
    presets = pd.DataFrame([{"policy": n, **evaluate(spec, preset=n)} for n in PRESET_NAMES])
    presets["feasible"] = [feasible(r, spec.limits) for _, r in presets.iterrows()]
    return {"pareto": pareto, "presets": presets, "convergence": conv}


def best(table: pd.DataFrame, spec: SearchSpec):
    """The feasible row best on the first objective (None if none is feasible)."""
    ok = table[table["feasible"]]
    if ok.empty:
        return None
    first = spec.objectives[0]
    return ok.loc[ok[first].idxmin() if first in spec.minimize else ok[first].idxmax()]


def scenario_toml(spec: SearchSpec, knobs: dict) -> str:
    """The chosen policy as a scenario file: the search's base with ``policy.name = "custom"`` and the knobs
    (floats written in full, so the file gives the same numbers)."""
    raw = apply_sets(spec.base, ["policy.name=custom"] + [f"{k}={float(v)!r}" for k, v in knobs.items()])
    raw.setdefault("scenario", {})
    raw["scenario"].update({"title_en": f"Policy found by orgsim search ({Path(spec.path).name})",
                            "title_nl": f"Beleid gevonden door orgsim search ({Path(spec.path).name})",
                            "weeks": spec.weeks, "seed": 1})
    lines = [f"# Written by orgsim search {Path(spec.path).name}: the feasible policy best on {spec.objectives[0]}.",
             f"# orgsim compare THIS_FILE --seeds {spec.seeds} reproduces the search's means; orgsim run THIS_FILE "
             f"--seed S each seed's run."]
    for sec, vals in raw.items():
        if not isinstance(vals, dict) or not vals:
            continue
        lines += ["", f"[{sec}]"]
        for k, v in vals.items():
            lines.append(f"{k} = {json.dumps(v) if isinstance(v, (str, bool)) else repr(v)}")
    text = "\n".join(lines) + "\n"
    validate(loads(text, "<chosen>"), "<chosen>")
    return text


def figure(res: dict, spec: SearchSpec, chosen, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..palette import style_colour

    ox = spec.objectives[0]
    oy = spec.objectives[1] if len(spec.objectives) > 1 else next(
        (c for c, _, _ in spec.limits if c != ox), ox)
    p, pr = res["pareto"], res["presets"]
    fig, ax = plt.subplots(figsize=(7.2, 5.2))
    ok = p["feasible"]
    ax.scatter(p.loc[ok, ox], p.loc[ok, oy], s=26, color="#2471a3", label="Pareto set (limits met)", zorder=3)
    ax.scatter(p.loc[~ok, ox], p.loc[~ok, oy], s=26, facecolors="none", edgecolors="#2471a3",
               label="Pareto set (a limit broken)", zorder=3)
    for i, r in pr.iterrows():
        ax.scatter([r[ox]], [r[oy]], s=70, marker="s", color=style_colour(r["policy"], i),
                   edgecolors="k" if r["feasible"] else "none", zorder=4)
        ax.annotate(r["policy"], (r[ox], r[oy]), fontsize=8, textcoords="offset points", xytext=(5, 4))
    if chosen is not None:
        ax.scatter([chosen[ox]], [chosen[oy]], s=260, marker="*", color="#c0392b", label="chosen", zorder=5)
    ax.set_xlabel(ox + (" (maximise)" if ox in spec.maximize else " (minimise)"))
    ax.set_ylabel(oy + (" (maximise)" if oy in spec.maximize else " (minimise)" if oy in spec.minimize
                        else " (limit)"))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    from ..safe_text import for_figure
    ax.set_title(for_figure(spec.title) + "\n" + f"{spec.seeds} seeds, {spec.evaluations} evaluations; squares: "
                 "the presets (black edge: limits met)", fontsize=9)
    fig.tight_layout()
    atomic_write(path, lambda f: fig.savefig(f, dpi=100, format="png", **PNG))
    plt.close(fig)


def run_search(path, out, workers: int = 1) -> dict:
    """Search, then write ``pareto.csv``, ``presets.csv``, ``search.png``, ``chosen.toml`` (if a policy meets
    the limits) and ``search.json`` into ``out``; the chosen policy is run again from its file to check it."""
    from ..params import load_scenario
    from ..runner import run_batch

    spec = load_search(path)
    out = Path(out)
    res = search(spec, workers)
    chosen = best(res["pareto"], spec)
    # a preset whose knobs all lie in the search space is a candidate too: the epsilon archive may have kept a
    # neighbour up to an epsilon worse on the first objective in its place
    from ..policies import PRESETS

    inside = res["presets"][[set(spec.levers) == {f"policy.{k}" for k in KNOBS} and all(
        spec.levers[f"policy.{k}"][0] <= PRESETS[n][k] <= spec.levers[f"policy.{k}"][1] for k in KNOBS)
        for n in res["presets"]["policy"]]]
    bp_in = best(inside, spec) if len(inside) else None
    source = "search"
    first = spec.objectives[0]
    if bp_in is not None and (chosen is None or (bp_in[first] < chosen[first] if first in spec.minimize
                                                 else bp_in[first] > chosen[first])):
        chosen = pd.Series({**{f"policy.{k}": PRESETS[bp_in["policy"]][k] for k in KNOBS},
                            **bp_in.drop("policy").to_dict()})
        source = f"preset {bp_in['policy']}"
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for name, tab in (("pareto.csv", res["pareto"]), ("presets.csv", res["presets"])):
        atomic_write(out / name, lambda p, tab=tab: tab.to_csv(p, index=False))
        files.append(out / name)
    figure(res, spec, chosen, out / "search.png")
    files.append(out / "search.png")
    summary = {"file": spec.path, "seeds": spec.seeds, "evaluations": spec.evaluations,
               "objectives": spec.objectives, "limits": [" ".join(map(str, lim)) for lim in spec.limits],
               "pareto_size": len(res["pareto"]), "chosen": None, "reproduced": None}
    if chosen is not None:
        knobs = {k: float(chosen[k]) for k in spec.levers}
        atomic_write(out / "chosen.toml", lambda p: Path(p).write_text(scenario_toml(spec, knobs)))
        files.append(out / "chosen.toml")
        frames = run_batch(load_scenario(out / "chosen.toml"), list(range(1, spec.seeds + 1)), spec.weeks)
        again = {o: float(np.mean([f[o.split("_", 1)[1]].iloc[-1] if o.startswith("final_")
                                   else f[o.split("_", 1)[1]].mean() for f in frames])) for o in spec.objectives}
        summary["chosen"] = {**knobs, **{o: float(chosen[o]) for o in spec.objectives}, "source": source}
        summary["reproduced"] = bool(all(np.isclose(again[o], chosen[o], rtol=0, atol=1e-12)
                                         for o in spec.objectives))
    bp = best(res["presets"], spec)
    summary["best_preset"] = None if bp is None else {"policy": bp["policy"],
                                                      **{o: float(bp[o]) for o in spec.objectives}}
    write_json(out / "search.json", summary)
    files.append(out / "search.json")
    return {**res, "spec": spec, "chosen": chosen, "source": source, "best_preset": bp, "summary": summary,
            "files": [str(f) for f in files]}


def print_search(res: dict, console) -> None:
    """The Pareto set and the presets as tables, then the chosen policy and where the files are."""
    from rich.table import Table

    spec = res["spec"]
    cols = spec.objectives + [c for c, _, _ in spec.limits if c not in spec.objectives]
    pareto = res["pareto"].assign(policy=[f"#{i + 1}" for i in range(len(res["pareto"]))])
    for title, tab, first in ((f"Pareto set ({len(pareto)} policies, {spec.seeds} seeds each; knobs in "
                               f"pareto.csv)", pareto, ["policy"]),
                              ("The five named presets, same seeds", res["presets"], ["policy"])):
        t = Table(title=title)
        for c in first + cols + ["feasible"]:
            t.add_column(c.replace("policy.", ""), justify="left" if c == "policy" else "right")
        for _, r in tab.head(30).iterrows():
            t.add_row(*[str(r[c]) if c == "policy" else f"{r[c]:.3f}" for c in first + cols],
                      "yes" if r["feasible"] else "no")
        console.print(t)
    s = res["summary"]
    if s["chosen"] is None:
        console.print("no policy of the Pareto set meets the limits; no chosen.toml written", markup=False)
    else:
        first = spec.objectives[0]
        bp = s["best_preset"]
        console.print("chosen knobs: " + ", ".join(f"{k.split('.')[-1]} {v:.2f}" for k, v in s["chosen"].items()
                                                   if k in spec.levers), markup=False, soft_wrap=True)
        console.print(f"chosen ({s['chosen']['source']}): {first} = {s['chosen'][first]:.4f}; best preset within "
                      f"the limits: " + (f"{bp['policy']} ({first} = {bp[first]:.4f})" if bp else "none") +
                      f"; chosen.toml reproduces the search's numbers: {'yes' if s['reproduced'] else 'NO'}",
                      markup=False, soft_wrap=True)
    console.print("wrote " + ", ".join(res["files"]), markup=False, soft_wrap=True)
