"""Analysis of an experiment directory: per design point means with 95% confidence intervals, figures with bands
over replicates, and Sobol / Morris sensitivity indices (SALib) with their confidence intervals.

Everything written is loadable in pandas: ``design_points.parquet``/``.csv`` (tidy: one row per design point,
statistic and metric), ``sobol_indices.csv``, ``morris_indices.csv``; and PNG figures.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..metrics import INT_METRICS, METRICS
from ..params import BY_KEY, ConfigError
from ..plots import COLORS, PANELS, PNG, TITLE_Y, _scale
from ..runner import final_table
from ..safe_text import for_figure
from .results import atomic_write, export_csv, load_results, read_experiment_manifest
from .design import sample_matrix
from .outputs import label
from .spec import parse_text

STATS = ("final", "mean")
WORDS = {
    "en": {"week": "Week", "final": "final week", "mean": "mean over weeks", "band": "band = 95% CI over runs",
           "points": "design points", "S1": "first order S1", "ST": "total ST", "mu_star": "mu* (mean |effect|)",
           "sigma": "sigma (interactions, non-linearity)", "partial": "partial results",
           "constant": "no variation: no indices"},
    "nl": {"week": "Week", "final": "laatste week", "mean": "gemiddelde over de weken",
           "band": "band = 95%-BI over runs", "points": "ontwerppunten", "S1": "eerste orde S1",
           "ST": "totaal ST", "mu_star": "mu* (gemiddeld |effect|)", "sigma": "sigma (interacties, niet-lineair)",
           "partial": "gedeeltelijke resultaten", "constant": "geen variatie: geen indices"},
}


def factor_label(key: str, lang: str = "en") -> str:
    p = BY_KEY.get(key)
    if p is None:   # the "variant" column of an experiment with [variants]
        return "Variant" if lang == "en" else "Variant"
    return (p.label_nl if lang == "nl" and p.label_nl else p.label_en) or key


def figure_order(metrics, listed: bool = False) -> list[str]:
    """The order in which the figures show the kept metrics: as the experiment file lists them
    (``metrics = [...]``, ``listed``); when it keeps all of them, the headline metrics (the plots' panels) first.
    The experiment's own ``[outputs]`` come before either."""
    own = [m for m in metrics if m not in METRICS]   # [outputs]: the researcher's own, first
    if listed:
        return own + [m for m in metrics if m not in own]
    first = own + [m for m in PANELS if m in metrics]
    return first + [m for m in metrics if m not in first]


def key_metrics(shown, k: int = 6) -> list[str]:
    """The first ``k`` metrics a figure shows (``shown`` in :func:`figure_order`)."""
    return list(shown)[:k]


def _fmt_value(v) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


# ---------------------------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------------------------
def point_table(runs: pd.DataFrame, factors: list[str], metrics: list[str]) -> pd.DataFrame:
    """Tidy per design point x statistic x metric: mean, sd, n, 95% CI (Student's t over replicates), with the
    factor values and the number of runs and failures of the point."""
    ok = runs[runs["status"] == "ok"]
    frames = []
    for stat in STATS:
        wide = ok[["point", "replicate"] + [f"{stat}_{m}" for m in metrics]].rename(
            columns={"point": "scenario", "replicate": "seed", **{f"{stat}_{m}": m for m in metrics}})
        t = final_table(wide.assign(week=0))
        frames.append(t.rename(columns={"scenario": "point"}).assign(stat=stat))
    tab = pd.concat(frames, ignore_index=True)
    per_point = runs.groupby("point").agg(runs=("run_id", "size"), failed=("status", lambda s: int((s != "ok").sum())))
    levels = runs.drop_duplicates("point").set_index("point")[factors]
    tab = tab.join(levels, on="point").join(per_point, on="point")
    cols = ["point", *factors, "stat", "metric", "mean", "sd", "n", "ci_low", "ci_high", "runs", "failed"]
    return tab[cols].sort_values(["stat", "metric", "point"], kind="stable").reset_index(drop=True)


def _point_means(runs: pd.DataFrame, n_points: int, column: str) -> np.ndarray:
    """Mean over the successful replicates of each design point (NaN where a point has none)."""
    ok = runs[runs["status"] == "ok"]
    y = ok.groupby("point")[column].mean()
    return y.reindex(range(n_points)).to_numpy(dtype=float)


ST_SUM_WARN = 1.2   # total-order indices summing above this: noise or strong interaction, say so


def noise_share(runs: pd.DataFrame, column: str) -> float:
    """The share of the variance of the design points' means that is replicate noise: the mean within-point
    variance divided by the replicates, over the variance of the point means (NaN with one replicate)."""
    ok = runs[runs["status"] == "ok"]
    g = ok.groupby("point")[column]
    reps = g.count()
    if (reps < 2).all():
        return float("nan")
    within = float((g.var(ddof=1) / reps).mean())
    total = float(g.mean().var(ddof=1))
    return min(1.0, within / total) if total > 0 else float("nan")


def sensitivity(spec, runs: pd.DataFrame, metrics: list[str], seed: int) -> tuple[pd.DataFrame | None, list[str]]:
    """Sobol (S1, ST with confidence intervals) or Morris (mu, mu*, sigma, mu* confidence) indices per factor,
    metric and statistic, from the per-point means. With categorical factors (``spec.strata_factors``) the
    indices of the other factors are computed within each level (combination), one analysis per level, and the
    table has a column per categorical factor with the level. Returns (table or None, notes)."""
    if spec.design not in ("sobol", "morris"):
        return None, []
    x = sample_matrix(spec, seed)
    n = len(x)
    keys = [f.key for f in spec.strata_factors]
    rows, notes = [], []
    for i, levels in enumerate(spec.strata()):
        sub = runs[(runs["point"] >= i * n) & (runs["point"] < (i + 1) * n)]
        sub = sub.assign(point=sub["point"] - i * n)
        where = "".join(f" [{k}={v}]" for k, v in zip(keys, levels))
        got, more = _sensitivity_one(spec, x, sub, metrics, seed, where)
        rows += [{"factor": r.pop("factor"), **dict(zip(keys, levels)), **r} for r in got]
        notes += more
    return (pd.DataFrame(rows) if rows else None), notes


def _sensitivity_one(spec, x, runs, metrics, seed, where=""):
    """The indices of one level (combination) of the categorical factors: ``runs`` with ``point`` numbered
    as the rows of the SALib sample ``x``; ``where`` names the level in the notes."""
    from SALib.analyze import morris as morris_a
    from SALib.analyze import sobol as sobol_a

    prob = spec.problem()
    n_points = len(x)
    rows, notes = [], []
    for stat in STATS:
        for m in metrics:
            y = _point_means(runs, n_points, f"{stat}_{m}")
            if np.isnan(y).any():
                notes.append(f"{stat}_{m}{where}: {int(np.isnan(y).sum())} design points without a successful "
                             f"run; no indices")
                continue
            noise = noise_share(runs, f"{stat}_{m}")
            discrete = m in INT_METRICS or runs[f"{stat}_{m}"].nunique() <= 12
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                if np.ptp(y) == 0:
                    res = None
                elif spec.design == "sobol":
                    res = sobol_a.analyze(prob, y, calc_second_order=spec.second_order, conf_level=0.95,
                                          seed=seed)
                else:
                    res = morris_a.analyze(prob, x, y, conf_level=0.95, num_levels=spec.levels, seed=seed)
            if res is not None and spec.design == "sobol":
                total = float(np.nansum(res["ST"]))
                if total > ST_SUM_WARN:
                    notes.append(f"warning: {stat}_{m}{where}: total-order indices sum to {total:.2f} (well above "
                                 f"1): the replicate noise (share {noise:.0%} of the variance of the point means) "
                                 f"is counted as interaction; more replicates per point lower it"
                                 if np.isfinite(noise) else
                                 f"warning: {stat}_{m}{where}: total-order indices sum to {total:.2f} (well above "
                                 f"1); with one replicate the noise cannot be told from interaction")
            if res is not None and discrete:
                notes.append(f"warning: {stat}_{m}{where} takes few distinct values (a count or a share of a small "
                             f"team): its indices are coarse")
            for j, f in enumerate(prob["names"]):
                row = {"factor": f, "stat": stat, "metric": m}
                cols = (("S1", "S1_conf", "ST", "ST_conf") if spec.design == "sobol"
                        else ("mu", "mu_star", "mu_star_conf", "sigma"))
                for c in cols:  # a constant output: no Sobol indices; Morris effects are 0
                    row[c] = float(res[c][j]) if res is not None else (np.nan if spec.design == "sobol" else 0.0)
                row["noise_share"] = noise
                rows.append(row)
    return rows, notes


# ---------------------------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------------------------
def _groups(runs: pd.DataFrame, factors: list[str], n_points: int) -> tuple[pd.Series, str]:
    """Group runs for the time-series figure: by design point when there are few, else by the first factor's
    levels, or by its quintiles."""
    pts = runs.set_index("run_id")["point"]
    if n_points <= 8 or not factors:
        first = runs.drop_duplicates("point").set_index("point")
        names = {p: (", ".join(f"{k.split('.')[-1]}={_fmt_value(first.loc[p, k])}" for k in factors) or "base")
                 for p in first.index}
        return pts.map(names), ""
    f = factors[0]
    vals = runs.set_index("run_id")[f]
    if vals.nunique() <= 8:
        return vals.map(_fmt_value), f
    bins = pd.qcut(vals.astype(float), 5, duplicates="drop")
    return bins.map(lambda iv: f"{iv.left:.3g}-{iv.right:.3g}").astype(str), f


def _ci(g) -> pd.DataFrame:
    from scipy.stats import t as student_t

    s = g.agg(["mean", "std", "count"])
    half = student_t.ppf(0.975, np.maximum(s["count"] - 1, 1)) * s["std"].fillna(0) / np.sqrt(s["count"])
    return s.assign(lo=s["mean"] - half, hi=s["mean"] + half)


def level_ci(d: pd.DataFrame, factor: str) -> pd.DataFrame:
    """Per level of ``factor``: the mean over all runs at that level and its 95% CI (Student's t over those
    runs), pooled from the point table's rows ``d`` (one metric and statistic: each point's mean, sd and n). The
    spread counts the replicates within each point and the differences between the points at the level (the
    other factors). A CI over the point means alone would rest on as few as two values when the other factors
    have two levels (t = 12.7 at one degree of freedom) and say nothing about the replicates."""
    from scipy.stats import t as student_t

    d = d[d["n"] > 0]
    w = d["n"].astype(float)
    by = d.assign(w=w, wm=w * d["mean"]).groupby(factor)
    n = by["w"].sum()
    mean = by["wm"].sum() / n
    within = ((w - 1) * d["sd"].fillna(0.0) ** 2).groupby(d[factor]).sum()
    between = (w * (d["mean"] - d[factor].map(mean)) ** 2).groupby(d[factor]).sum()
    sd = np.sqrt((within + between) / np.maximum(n - 1, 1))
    half = np.where(n > 1, student_t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n), np.nan)
    return pd.DataFrame({"mean": mean, "sd": sd, "count": n, "lo": mean - half, "hi": mean + half})


def timeseries_figure(runs, ts, factors, metrics, n_points, path, title, lang):
    import matplotlib.pyplot as plt

    groups, by = _groups(runs[runs["status"] == "ok"], factors, n_points)
    d = ts.assign(group=ts["run_id"].map(groups))
    panels = key_metrics(metrics)
    cols = 3
    rows = int(np.ceil(len(panels) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(14, 3.4 * rows + 0.8), sharex=True, squeeze=False)
    order = list(dict.fromkeys(groups.sort_index().tolist()))
    for ax, m in zip(axes.ravel(), panels):
        for i, gname in enumerate(order):
            s = _ci(d[d["group"] == gname].groupby("week")[m])
            c = COLORS[i % len(COLORS)] if i < len(COLORS) else plt.cm.viridis(i / max(len(order) - 1, 1))
            ax.fill_between(s.index, _scale(m, s["lo"]), _scale(m, s["hi"]), color=c, alpha=0.18, lw=0)
            ax.plot(s.index, _scale(m, s["mean"]), color=c, lw=2, label=gname)
        ax.set_title(label(m, lang), fontsize=12, y=TITLE_Y)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(panels):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel(WORDS[lang]["week"])
    handles, labels = axes.ravel()[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(order), 4), fontsize=10, frameon=False,
               title=factor_label(by, lang) if by else None)
    fig.suptitle(f"{title}  ({WORDS[lang]['band']})", fontsize=14)
    fig.tight_layout(rect=(0, 0.04 + 0.025 * ((len(order) - 1) // 4 + 1), 1, 0.96))
    _save(fig, path)


def heatmap_figure(points: pd.DataFrame, factors, metrics, path, title, lang, axes_=None):
    """Grid designs: the final-week mean of the headline metrics over two factors (``axes_``: (across, up);
    default the first two), averaged over the other factors: which mix tips the team over."""
    import matplotlib.pyplot as plt

    fx, fy = axes_ or (factors[0], factors[1])
    panels = key_metrics(metrics, 4)
    fin = points[points["stat"] == "final"]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 4.4), squeeze=False)
    for ax, m in zip(axes[0], panels):
        piv = fin[fin["metric"] == m].groupby([fy, fx])["mean"].mean().unstack(fx)
        z = _scale(m, piv.to_numpy())
        im = ax.imshow(z, origin="lower", aspect="auto", cmap="magma_r" if "burnout" in m else "viridis")
        ax.set_xticks(range(piv.shape[1]), [_fmt_value(v) for v in piv.columns], rotation=45)
        ax.set_yticks(range(piv.shape[0]), [_fmt_value(v) for v in piv.index])
        ax.set_xlabel(factor_label(fx, lang))
        ax.set_ylabel(factor_label(fy, lang))
        ax.set_title(f"{label(m, lang)} ({WORDS[lang]['final']})", fontsize=11, y=TITLE_Y)
        if z.size <= 150:
            for (r, c), v in np.ndenumerate(z):
                rgb = np.asarray(im.cmap(im.norm(v)))[:3]
                ax.text(c, r, f"{v:.2g}", ha="center", va="center", fontsize=7,
                        color="k" if rgb @ (0.299, 0.587, 0.114) > 0.5 else "w")
        fig.colorbar(im, ax=ax, shrink=0.8)
    fig.suptitle(title, fontsize=13)
    fig.tight_layout()
    _save(fig, path)


def response_figure(points: pd.DataFrame, factors, metrics, design, path, title, lang):
    """Each factor against the final-week metrics: for a grid the mean at each level (95% CI over the runs at
    that level), for a sample every design point's mean."""
    import matplotlib.pyplot as plt

    panels = key_metrics(metrics, 4)
    fs = factors[:6]
    fin = points[points["stat"] == "final"]
    fig, axes = plt.subplots(len(panels), len(fs), figsize=(3.4 * len(fs) + 1, 2.8 * len(panels)), squeeze=False)
    for r, m in enumerate(panels):
        d = fin[fin["metric"] == m]
        for c, f in enumerate(fs):
            ax = axes[r, c]
            numeric = BY_KEY[f].kind in ("float", "knob", "int")
            if design == "grid":
                s = level_ci(d, f)
                xs = s.index if numeric else np.arange(len(s))
                ax.errorbar(xs, _scale(m, s["mean"]), yerr=_scale(m, (s["hi"] - s["lo"]) / 2), marker="o",
                            color=COLORS[1], capsize=3)
                if not numeric:
                    ax.set_xticks(xs, [str(v) for v in s.index], rotation=30)
                elif BY_KEY[f].kind == "int" and len(xs) <= 12:
                    ax.set_xticks(xs, [str(int(v)) for v in xs])   # levels, teams: no 3.5
            else:
                levels = sorted(d[f].unique(), key=str)
                xs = d[f] if numeric else d[f].map({v: i for i, v in enumerate(levels)})
                ax.scatter(xs, _scale(m, d["mean"]), s=6, alpha=0.5, color=COLORS[1])
                if not numeric:
                    ax.set_xticks(range(len(levels)), [str(v) for v in levels], rotation=30)
            ax.grid(alpha=0.3)
            if r == len(panels) - 1:
                ax.set_xlabel(factor_label(f, lang))
            if c == 0:
                ax.set_ylabel(label(m, lang))
    fig.suptitle(f"{title}  ({WORDS[lang]['final']})", fontsize=13)
    fig.tight_layout()
    _save(fig, path)


def indices_figure(ind: pd.DataFrame, design: str, metrics, path, title, lang, stat: str = "final"):
    """Sobol: S1 and ST bars with their 95% CIs; Morris: mu* against sigma (95% CI of mu*); per headline
    metric, for one statistic (``final``: final week; ``mean``: the time average). With categorical factors
    every factor appears once per level, the level in brackets."""
    import matplotlib.pyplot as plt

    d = ind[ind["stat"] == stat]
    panels = [m for m in key_metrics(metrics) if m in set(d["metric"])]
    cols = min(3, len(panels))
    rows = int(np.ceil(len(panels) / cols))
    tall = max(1.0, (d["metric"] == panels[0]).sum() / 8) if panels and design == "sobol" else 1.0  # bars
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.8 * tall * rows), squeeze=False)
    w = WORDS[lang]
    strata = [c for c in d.columns if c in BY_KEY]   # categorical factors: indices per level
    for ax, m in zip(axes.ravel(), panels):
        s = d[d["metric"] == m]
        names = [factor_label(f, lang) + "".join(f" [{_fmt_value(v)}]" for v in lv)
                 for f, lv in zip(s["factor"], s[strata].itertuples(index=False))]
        if s.drop(columns=["factor", "stat", "metric", *strata]).isna().all().all():
            ax.text(0.5, 0.5, w["constant"], transform=ax.transAxes, ha="center", va="center")
        if design == "sobol":
            y = np.arange(len(s))
            ax.barh(y - 0.2, s["S1"], 0.4, xerr=s["S1_conf"], color=COLORS[1], label=w["S1"], capsize=2)
            ax.barh(y + 0.2, s["ST"], 0.4, xerr=s["ST_conf"], color=COLORS[0], label=w["ST"], capsize=2)
            ax.set_yticks(y, names)
            ax.axvline(0, color="k", lw=0.6)
        else:
            ax.errorbar(s["mu_star"], s["sigma"], xerr=s["mu_star_conf"], fmt="o", color=COLORS[1], capsize=2)
            for k, (name, x, y) in enumerate(sorted(zip(names, s["mu_star"], s["sigma"]), key=lambda t: t[1])):
                ax.annotate(name, (x, y), fontsize=7, textcoords="offset points",   # staggered: no overlap
                            xytext=(4, 3 + 9 * (k % 3) - 9), arrowprops={"arrowstyle": "-", "lw": 0.4})
            ax.set_xlabel(w["mu_star"])
            ax.set_ylabel(w["sigma"])
        noise = s["noise_share"].max() if "noise_share" in s and len(s) else np.nan   # the largest level's
        extra = f"; noise {'<= ' if strata else ''}{noise:.0%}" if np.isfinite(noise) else ""
        ax.set_title(f"{label(m, lang)} ({w[stat]}{extra})", fontsize=11, y=TITLE_Y)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(panels):]:
        ax.axis("off")
    if design == "sobol":
        axes.ravel()[0].legend(fontsize=9)
    fig.suptitle(f"{title}: {'Sobol (95% CI)' if design == 'sobol' else 'Morris (95% CI of mu*)'}", fontsize=13)
    fig.tight_layout()
    _save(fig, path)


def _save(fig, path: Path) -> None:
    import matplotlib.pyplot as plt

    atomic_write(Path(path), lambda p: fig.savefig(p, dpi=100, format="png", **PNG))
    plt.close(fig)


# ---------------------------------------------------------------------------------------------------------------
# the whole analysis
# ---------------------------------------------------------------------------------------------------------------
def analyze(out, dest=None, lang: str = "en", csv: bool = False, axes: tuple | None = None) -> dict:
    """Analyse the experiment in directory ``out`` into ``dest`` (default ``out/analysis``); ``axes``: the
    heatmap's two factors (across, up). Returns ``{"files": [...], "notes": [...], "runs": n, "ok": n,
    "failed": n}``."""
    import matplotlib

    matplotlib.use("Agg")
    out = Path(out)
    dest = Path(dest) if dest is not None else out / "analysis"
    if dest.exists() and not dest.is_dir():
        raise ConfigError(f"--out {dest}: exists and is not a directory")
    man = read_experiment_manifest(out)
    spec = parse_text(man["experiment"]["text"], man["experiment"]["path"], load_scenario_file=False)
    seed = int(man["master_seed"])
    metrics = list(man["design"]["metrics"])
    factors = [f.key for f in spec.factors]
    n_points = int(man["design"]["points"])
    shown = figure_order(metrics, listed=bool(spec.metrics))
    if axes is not None and (len(set(axes)) != 2 or not set(axes) <= set(factors)):
        raise ConfigError(f"--x/--y {axes}: allowed: two different factors of the experiment: {', '.join(factors)}")
    runs, ts = load_results(out, columns=key_metrics(shown))
    if runs.empty or not (runs["status"] == "ok").any():
        raise ConfigError(f"{out}: no successful runs to analyse yet")
    notes = []
    if man.get("status") != "finished":
        notes.append(f"{WORDS['en']['partial']}: {len(runs)} of {man['design']['runs']} runs")
    if "stopped_week" in runs and runs["stopped_week"].notna().any():
        sw = runs["stopped_week"].dropna()
        notes.append(f"{len(sw)} of {len(runs)} runs stopped early ([stop], weeks {int(sw.min())}-{int(sw.max())}): "
                     f"their final_* are the week they stopped, mean_* average up to it")
    dest.mkdir(parents=True, exist_ok=True)
    title = for_figure(spec.title(lang))   # the figures' title: the user's text, no mathtext
    files = []

    def put(name, write):
        atomic_write(dest / name, write)
        files.append(dest / name)

    by = (["variant"] if "variant" in runs.columns else []) + factors   # [variants]: a column of their own
    pts = point_table(runs, by, metrics)
    put("design_points.parquet", lambda p: pts.to_parquet(p, index=False))
    put("design_points.csv", lambda p: pts.to_csv(p, index=False))
    if ts["week"].nunique() > 1:
        timeseries_figure(runs, ts, by, shown, n_points, dest / "timeseries.png", title, lang)
        files.append(dest / "timeseries.png")
    if factors:
        response_figure(pts, factors, shown, spec.design, dest / "response.png", title, lang)
        files.append(dest / "response.png")
    if spec.design == "grid" and len(factors) >= 2:
        heatmap_figure(pts, factors, shown, dest / "heatmap.png", title, lang, axes)
        files.append(dest / "heatmap.png")
    ind, more = sensitivity(spec, runs, metrics, seed)
    notes += more
    if ind is not None:
        name = f"{spec.design}_indices"
        put(f"{name}.csv", lambda p: ind.to_csv(p, index=False))
        put(f"{name}.parquet", lambda p: ind.to_parquet(p, index=False))
        for stat, suffix in (("final", ""), ("mean", "_mean")):
            indices_figure(ind, spec.design, shown, dest / f"{name}{suffix}.png", title, lang, stat)
            files.append(dest / f"{name}{suffix}.png")
    if csv:
        if man.get("status") != "finished":
            raise ConfigError(f"{out}: --csv needs a finished experiment (resume it first)")
        files += export_csv(out, dest)
    ok = int((runs["status"] == "ok").sum())
    return {"files": [str(f) for f in files], "notes": notes, "runs": len(runs), "ok": ok,
            "failed": len(runs) - ok, "points": n_points, "design": spec.design}

