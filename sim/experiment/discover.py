"""Scenario discovery: in which region of an experiment's factors does a condition hold?
``orgsim discover DIR --where "contrast(output) > 0" --contrast policy.name=delegating-controlling``.

The cases are the experiment's design points: for a plain condition (``mean_burnout_share < 0.1``) each point's
mean over its replicates and all factors; for a contrast (``contrast(output) > 0``) the paired difference A - B at
each combination of the other factors (:mod:`sim.experiment.contrast`). The EMA workbench's PRIM (Friedman and
Fisher's patient rule induction, as in Bryant and Lempert's scenario discovery) peels the factor space down to a
box where the condition holds densely; its CART (a classification tree) gives boxes as the leaves where the
condition holds for most cases.

A box is read by three numbers: *coverage* (the share of all cases where the condition holds that lie in the
box), *density* (the share of the cases in the box where it holds) and *mass* (the share of all cases in the
box); and by its restricted ranges (the factors it limits). From PRIM's peeling trajectory the box chosen is the
one of the highest coverage among those of density at least ``threshold`` (default 0.8).

Written: ``discover_boxes.csv`` (one row per box and restricted factor), ``discover_trajectory.csv`` (PRIM's
peeling trajectory) and ``discover_peeling.png`` (coverage against density along the trajectory).
"""

from __future__ import annotations

import logging
import operator
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..params import BY_KEY, ConfigError
from ..plots import PNG
from .analyze import STATS, factor_label
from .contrast import load_experiment, paired_contrast, parse_contrast
from .results import atomic_write

OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
WHERE = re.compile(r"^\s*(?:contrast\(\s*([A-Za-z_]\w*)\s*\)|([A-Za-z_]\w*))\s*(>=|<=|>|<)\s*"
                   r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")
WORDS = {"en": {"coverage": "coverage", "density": "density", "chosen": "chosen box", "dims": "restricted factors",
                "title": "PRIM peeling trajectory: {where}"},
         "nl": {"coverage": "dekking", "density": "dichtheid", "chosen": "gekozen box",
                "dims": "beperkte factoren", "title": "PRIM-pelpad: {where}"}}


def _ema():
    """The EMA workbench's PRIM and CART (the ``discovery`` extra), quiet."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # "ipyparallel not installed": not needed here
            from ema_workbench.analysis import cart, prim
    except ImportError:
        raise ConfigError("orgsim discover needs the EMA workbench: pip install 'orgsim[discovery]'") from None
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim, cart


def parse_where(text: str, metrics: list[str], stat: str) -> tuple[bool, str, str, float]:
    """``"contrast(output) > 0"`` or ``"mean_burnout_share < 0.1"`` -> (contrast?, column, operator, value).
    A bare metric takes ``stat`` (``mean`` or ``final``)."""
    m = WHERE.match(str(text))
    if not m:
        raise ConfigError(f"--where {text!r}: expected METRIC OP NUMBER or contrast(METRIC) OP NUMBER, with OP one "
                          f"of > >= < <=, e.g. 'contrast(output) > 0' or 'mean_burnout_share < 0.1'")
    name = m.group(1) or m.group(2)
    col = name if name.split("_", 1)[0] in STATS and name.split("_", 1)[1:] and name.split("_", 1)[1] in metrics \
        else f"{stat}_{name}"
    if col.split("_", 1)[1] not in metrics:
        raise ConfigError(f"--where {text!r}: {name!r} is not a metric this experiment kept; allowed: "
                          f"{', '.join(metrics)} (optionally as final_... or mean_...)")
    return m.group(1) is not None, col, m.group(3), float(m.group(4))


def cases(runs: pd.DataFrame, factors: list[str], where: str, metrics: list[str], stat: str = "mean",
          contrast: str | None = None) -> tuple[pd.DataFrame, np.ndarray, str]:
    """(x: one row per case with the factors' values, y: whether the condition holds, a description)."""
    is_contrast, col, op, value = parse_where(where, metrics, stat)
    if is_contrast:
        if not contrast:
            raise ConfigError(f"--where {where!r}: contrast(...) needs --contrast FACTOR=A-B")
        levels = {f: sorted(runs[f].dropna().unique().tolist(), key=lambda v: (str(type(v)), v)) for f in factors}
        factor, a, b = parse_contrast(contrast, levels)
        others = [f for f in factors if f != factor]
        if not others:
            raise ConfigError(f"--contrast {contrast!r}: no other factor to find a region in")
        s, metric = col.split("_", 1)
        tab = paired_contrast(runs, factor, a, b, others, [metric], (s,))
        x, yv, what = tab[others], tab["mean_diff"].to_numpy(float), f"{a} - {b}: {col} {op} {value:g}"
    else:
        ok = runs[runs["status"] == "ok"]
        pts = ok.groupby("point").agg({**{f: "first" for f in factors}, col: "mean"})
        x, yv, what = pts[factors], pts[col].to_numpy(float), f"{col} {op} {value:g}"
    if x.empty:
        raise ConfigError("no design point to look in")
    return _typed(x.reset_index(drop=True)), OPS[op](yv, value), what


def _typed(x: pd.DataFrame) -> pd.DataFrame:
    """Numbers as floats (integers as int), everything else (policy names, true/false) as categories."""
    out = {}
    for c in x.columns:
        kind = BY_KEY[c].kind if c in BY_KEY else "float"
        if kind in ("float", "knob"):
            out[c] = x[c].astype(float)
        elif kind == "int":
            out[c] = x[c].astype(np.int64)
        else:
            out[c] = x[c].astype(str).astype("category")
    return pd.DataFrame(out)


def _restrictions(lims: pd.DataFrame, init: pd.DataFrame, x: pd.DataFrame) -> dict[str, str]:
    """The factors a box limits, each as a readable range."""
    out = {}
    for c in [c for c in x.columns if c in lims.columns and c in init.columns]:
        lo, hi = lims[c].iloc[0], lims[c].iloc[1]
        if isinstance(lo, (set, frozenset)):
            if set(lo) != set(init[c].iloc[0]):
                out[c] = "{" + ", ".join(sorted(map(str, lo))) + "}"
        elif lo > init[c].iloc[0] or hi < init[c].iloc[1]:
            out[c] = f"{lo:.4g} .. {hi:.4g}"
    return out


def prim_box(x: pd.DataFrame, y: np.ndarray, threshold: float = 0.8, mass_min: float = 0.05) -> dict:
    """PRIM's first box: ``trajectory`` (coverage, density, mass, res_dim per peel), ``chosen`` (its index: the
    highest coverage with density >= ``threshold``, else the densest), and the chosen box's ``coverage``,
    ``density``, ``mass`` and ``limits`` ({factor: range})."""
    prim, _ = _ema()
    if not y.any():
        raise ConfigError("the condition holds in no design point: nothing to find")
    if y.all():   # the whole space is the box
        traj = pd.DataFrame({"coverage": [1.0], "density": [1.0], "mass": [1.0], "res_dim": [0]})
        return {"trajectory": traj, "chosen": 0, "coverage": 1.0, "density": 1.0, "mass": 1.0, "limits": {}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)   # the workbench's own use of pandas
        warnings.filterwarnings("ignore", "The inplace keyword")
        p = prim.Prim(x, np.asarray(y, dtype=int), mass_min=mass_min)
        box = p.find_box()
    traj = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].reset_index(drop=True)
    good = traj.index[traj["density"] >= threshold]
    i = int(traj.loc[good, "coverage"].idxmax()) if len(good) else int(traj["density"].idxmax())
    return {"trajectory": traj, "chosen": i, **traj.loc[i, ["coverage", "density", "mass"]].astype(float).to_dict(),
            "limits": _restrictions(box.box_lims[i], p.box_init, x)}


def cart_boxes(x: pd.DataFrame, y: np.ndarray, mass_min: float = 0.05) -> list[dict]:
    """CART's leaves as boxes (coverage, density, mass, limits), those where the condition holds for most
    cases, densest first."""
    if y.all() or not y.any():   # one leaf: no box to tell
        return []
    _, cart = _ema()
    # EMA's CART looks up every node's feature name, a leaf's too (index -2): with one factor that fails, so a
    # constant column (never split on, never a limit) is added
    xc = x if x.shape[1] > 1 else x.assign(**{"(constant)": 0.0})
    c = cart.CART(xc, np.asarray(y, dtype=int), mass_min=max(mass_min, 1.000001 / len(y)))  # a leaf: >= 1 case
    c.build_tree()
    from ema_workbench.analysis.scenario_discovery_util import _make_box

    init = _make_box(c.x)
    out = []
    for lims, st in zip(c.boxes, c.stats):
        if st["density"] > 0.5:
            out.append({"coverage": float(st["coverage"]), "density": float(st["density"]),
                        "mass": float(st["mass"]), "limits": _restrictions(lims, init, x)})
    return sorted(out, key=lambda b: (-b["density"], -b["coverage"]))


def peeling_figure(traj: pd.DataFrame, chosen: int, path: Path, title: str, lang: str = "en") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    w = WORDS[lang]
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    sc = ax.scatter(traj["coverage"], traj["density"], c=traj["res_dim"], cmap="viridis", s=28, zorder=3)
    ax.plot(traj["coverage"], traj["density"], color="0.6", lw=0.8, zorder=2)
    ax.scatter([traj.loc[chosen, "coverage"]], [traj.loc[chosen, "density"]], s=160, facecolors="none",
               edgecolors="#c0392b", lw=2, zorder=4, label=w["chosen"])
    ax.set_xlabel(w["coverage"])
    ax.set_ylabel(w["density"])
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left")
    cb = fig.colorbar(sc, ax=ax)
    cb.set_label(w["dims"])
    cb.set_ticks(sorted(traj["res_dim"].unique()))
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    atomic_write(Path(path), lambda p: fig.savefig(p, dpi=100, format="png", **PNG))
    plt.close(fig)


def describe(box: dict, lang: str = "en") -> str:
    lims = "; ".join(f"{factor_label(k, lang)} {v}" for k, v in box["limits"].items()) or "(no restriction)"
    return f"coverage {box['coverage']:.2f}, density {box['density']:.2f}, mass {box['mass']:.2f}: {lims}"


def discover(out, where: str, contrast: str | None = None, stat: str = "mean", threshold: float = 0.8,
             dest=None, lang: str = "en") -> dict:
    """Scenario discovery on experiment directory ``out`` into ``dest`` (default ``out/analysis``). Returns
    ``{"what", "cases", "holds", "prim", "cart", "lines", "files"}``."""
    from ..safe_text import for_figure

    out = Path(out)
    dest = Path(dest) if dest is not None else out / "analysis"
    if stat not in STATS:
        raise ConfigError(f"--stat {stat!r}: allowed: {', '.join(STATS)}")
    if not 0 < threshold <= 1:
        raise ConfigError(f"--threshold {threshold}: allowed: number in (0, 1]")
    man, _spec, runs = load_experiment(out)
    factors = runs.attrs["factors"]
    if not factors:
        raise ConfigError(f"{out}: the experiment has no factors: no region to find")
    x, y, what = cases(runs, factors, where, list(man["design"]["metrics"]), stat, contrast)
    pbox = prim_box(x, y, threshold)
    cboxes = cart_boxes(x, y)
    lines = [f"{what}: holds in {int(y.sum())} of {len(y)} design points",
             f"PRIM: {describe(pbox, lang)}"] + [f"CART box {k + 1}: {describe(b, lang)}"
                                                 for k, b in enumerate(cboxes)]
    dest.mkdir(parents=True, exist_ok=True)
    rows = [{"method": "prim", "box": 1, **{k: pbox[k] for k in ("coverage", "density", "mass")},
             "factor": f, "restriction": r} for f, r in (pbox["limits"].items() or [(None, None)])]
    rows += [{"method": "cart", "box": k + 1, **{s: b[s] for s in ("coverage", "density", "mass")}, "factor": f,
              "restriction": r} for k, b in enumerate(cboxes) for f, r in (b["limits"].items() or [(None, None)])]
    files = []
    for name, tab in (("discover_boxes.csv", pd.DataFrame(rows)), ("discover_trajectory.csv", pbox["trajectory"])):
        atomic_write(dest / name, lambda p, tab=tab: tab.to_csv(p, index=False))
        files.append(dest / name)
    peeling_figure(pbox["trajectory"], pbox["chosen"], dest / "discover_peeling.png",
                   for_figure(WORDS[lang]["title"].format(where=what)), lang)
    files.append(dest / "discover_peeling.png")
    return {"what": what, "cases": len(y), "holds": int(y.sum()), "prim": pbox, "cart": cboxes, "lines": lines,
            "files": [str(f) for f in files]}
