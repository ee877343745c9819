"""Paired contrasts of an experiment: ``orgsim analyze DIR --contrast policy.name=delegating-controlling``.

For two levels A and B of one factor, at every combination of the other factors (a *design point* of the
contrast), each metric's difference A - B: with common random numbers (the default) replicate r has the same
seed, so the same people, under A and under B, and the difference is paired: the mean over replicates of
``y(A, r) - y(B, r)`` with its 95% confidence interval (Student's t on the n - 1 degrees of freedom of the
differences). Without common random numbers the arms have different seeds and the difference of the two means
gets Welch's interval. A difference is *significant* when its interval excludes 0.

Written: ``contrast_<factor>_<A>_vs_<B>.csv``/``.parquet`` (tidy: one row per point, statistic and metric),
``contrast_..._summary.txt`` (one line per metric: in how many points A is above B, and how many of those are
significant) and ``contrast_....png`` (a heatmap over two chosen factors: colour = mean difference, a star =
significant, hatched = not).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..params import ConfigError
from ..plots import PNG, TITLE_Y, _scale
from ..safe_text import for_figure
from .analyze import STATS, factor_label, figure_order, key_metrics
from .outputs import label
from .results import atomic_write, load_results, read_experiment_manifest
from .spec import parse_text

WORDS = {
    "en": {"final": "final week", "mean": "mean over weeks", "sig": "* = 95% CI excludes 0; hatched: it does not",
           "above": "{a} > {b} on {metric} ({stat}) in {pos} of {n} design points ({spos} significant); "
                    "{b} > {a} in {neg} ({sneg} significant)",
           "pooled": "pooled over {rest}"},
    "nl": {"final": "laatste week", "mean": "gemiddelde over de weken",
           "sig": "* = 95%-BI sluit 0 uit; gearceerd: niet", "pooled": "samengenomen over {rest}",
           "above": "{a} > {b} op {metric} ({stat}) in {pos} van {n} ontwerppunten ({spos} significant); "
                    "{b} > {a} in {neg} ({sneg} significant)"},
}


def _same(value, text: str) -> bool:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        try:
            return bool(np.isclose(float(value), float(text)))
        except ValueError:
            return False
    return str(value) == text


def parse_contrast(text: str, levels: dict[str, list], where: str = "--contrast") -> tuple[str, object, object]:
    """``"factor=A-B"`` -> (factor, level A, level B), the levels as they are in the results. ``levels``: each
    factor's levels. A one-line :class:`ConfigError` names what is wrong and what is allowed."""
    key, eq, rest = str(text).partition("=")
    key = key.strip()
    if not eq or key not in levels:
        raise ConfigError(f"{where} {text!r}: expected FACTOR=A-B with FACTOR one of the experiment's factors: "
                          f"{', '.join(levels) or '(none)'}")
    found = []
    for i in (m.start() for m in re.finditer("-", rest)):
        left, right = rest[:i].strip(), rest[i + 1:].strip()
        a = [v for v in levels[key] if _same(v, left)]
        b = [v for v in levels[key] if _same(v, right)]
        if a and b and not _same(a[0], right):
            found.append((a[0], b[0]))
    if len(found) != 1:
        shown = ", ".join(str(v) for v in levels[key])
        raise ConfigError(f"{where} {text!r}: expected two different levels of {key} as A-B; allowed levels: "
                          f"{shown}")
    return key, found[0][0], found[0][1]


def _t(df):
    from scipy.stats import t as student_t

    return student_t.ppf(0.975, df)


def paired_contrast(runs: pd.DataFrame, factor: str, a, b, by: list[str], metrics: list[str],
                    stats=STATS) -> pd.DataFrame:
    """Tidy table of A - B per combination of the factors ``by`` (the others are pooled), statistic and metric:
    ``mean_diff, sd, n, ci_low, ci_high, method`` (``paired``: replicates matched by seed; ``welch``: the arms
    have different seeds), ``mean_a, mean_b`` and ``significant`` (the CI excludes 0)."""
    ok = runs[runs["status"] == "ok"]
    arm_a, arm_b = ok[ok[factor] == a], ok[ok[factor] == b]
    rest = [c for c in _other_factors(runs, factor) if c not in by]
    keys = by + rest + ["replicate"]
    cols = [f"{s}_{m}" for s in stats for m in metrics]
    pairs = arm_a[keys + ["seed"] + cols].merge(arm_b[keys + ["seed"] + cols], on=keys, suffixes=("_a", "_b"))
    paired = bool(len(pairs)) and bool((pairs["seed_a"] == pairs["seed_b"]).all())
    rows = []
    groups = pairs.groupby(by, sort=True) if by else [((), pairs)]
    for gkey, g in groups:
        gkey = gkey if isinstance(gkey, tuple) else (gkey,)
        where = dict(zip(by, gkey))
        ga = arm_a.loc[np.logical_and.reduce([arm_a[k] == v for k, v in where.items()])] if by else arm_a
        gb = arm_b.loc[np.logical_and.reduce([arm_b[k] == v for k, v in where.items()])] if by else arm_b
        for s in stats:
            for m in metrics:
                c = f"{s}_{m}"
                if paired:
                    d = (g[f"{c}_a"] - g[f"{c}_b"]).to_numpy(float)
                    n = len(d)
                    mean, sd = (d.mean(), d.std(ddof=1)) if n > 1 else (d.mean() if n else np.nan, np.nan)
                    half = _t(n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
                    ma, mb = g[f"{c}_a"].mean(), g[f"{c}_b"].mean()
                else:
                    ya, yb = ga[c].to_numpy(float), gb[c].to_numpy(float)
                    ma, mb = ya.mean(), yb.mean()
                    n, mean = min(len(ya), len(yb)), ma - mb
                    va, vb = ya.var(ddof=1) / len(ya), yb.var(ddof=1) / len(yb)
                    sd = np.sqrt(va + vb)
                    dof = (va + vb) ** 2 / (va ** 2 / (len(ya) - 1) + vb ** 2 / (len(yb) - 1)) if va + vb > 0 else 1
                    half = _t(dof) * sd if n > 1 else np.nan
                row = {**where, "stat": s, "metric": m, "mean_a": ma, "mean_b": mb, "mean_diff": mean, "sd": sd,
                       "n": n, "ci_low": mean - half, "ci_high": mean + half,
                       "method": "paired" if paired else "welch"}
                row["significant"] = bool(n > 1 and (row["ci_low"] > 0 or row["ci_high"] < 0))
                rows.append(row)
    return pd.DataFrame(rows)


def _other_factors(runs: pd.DataFrame, factor: str) -> list[str]:
    return [c for c in runs.attrs.get("factors", []) if c != factor]


def summary_line(tab: pd.DataFrame, a, b, metric: str, stat: str, lang: str = "en") -> str:
    """"A > B on METRIC (STAT) in p of n design points (s significant); B > A in q (t significant)"."""
    d = tab[(tab["metric"] == metric) & (tab["stat"] == stat)]
    pos, neg = d["mean_diff"] > 0, d["mean_diff"] < 0
    return WORDS[lang]["above"].format(a=a, b=b, metric=label(metric, lang), stat=WORDS[lang][stat], pos=int(pos.sum()),
                                       n=len(d), spos=int((pos & d["significant"]).sum()), neg=int(neg.sum()),
                                       sneg=int((neg & d["significant"]).sum()))


def contrast_figure(tab: pd.DataFrame, x: str, y: str | None, metrics, stat: str, a, b, path: Path, title: str,
                    lang: str = "en", note: str = "") -> None:
    """Heatmaps of A - B over factors ``x`` (columns) and ``y`` (rows), one panel per metric: a diverging
    colour scale centred on 0, the difference in each cell, a star where it is significant, hatching where not."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = tab[tab["stat"] == stat]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.8 * len(metrics), 4.6), squeeze=False)
    for ax, m in zip(axes[0], metrics):
        dm = d[d["metric"] == m].assign(_y=d[y] if y else "")
        piv = dm.pivot_table(index="_y", columns=x, values="mean_diff", aggfunc="first")
        sig = dm.pivot_table(index="_y", columns=x, values="significant", aggfunc="first").astype(bool)
        z = _scale(m, piv.to_numpy())
        lim = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() and np.nanmax(np.abs(z)) > 0 else 1.0
        im = ax.imshow(z, origin="lower", aspect="auto", cmap="RdBu", vmin=-lim, vmax=lim)
        for (r, c), v in np.ndenumerate(z):
            if not sig.to_numpy()[r, c]:
                ax.add_patch(matplotlib.patches.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, hatch="///",
                                                          edgecolor="0.55", lw=0))
            ax.text(c, r, f"{v:.2g}{'*' if sig.to_numpy()[r, c] else ''}", ha="center", va="center", fontsize=8,
                    color="w" if abs(v) > 0.6 * lim else "k")
        ax.set_xticks(range(piv.shape[1]), [f"{v:.3g}" if isinstance(v, float) else str(v) for v in piv.columns],
                      rotation=45)
        ax.set_xlabel(factor_label(x, lang))
        if y:
            ax.set_yticks(range(piv.shape[0]), [f"{v:.3g}" if isinstance(v, float) else str(v) for v in piv.index])
            ax.set_ylabel(factor_label(y, lang))
        else:
            ax.set_yticks([])
        ax.set_title(f"{a} - {b}: {label(m, lang)}\n({WORDS[lang][stat]})", fontsize=10, y=TITLE_Y)
        fig.colorbar(im, ax=ax, shrink=0.8)
    fig.suptitle(f"{title}\n{WORDS[lang]['sig']}{'; ' + note if note else ''}", fontsize=11)
    fig.tight_layout()
    atomic_write(Path(path), lambda p: fig.savefig(p, dpi=100, format="png", **PNG))
    plt.close(fig)


def _safe(v) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "_", f"{v:g}" if isinstance(v, float) else str(v))


def load_experiment(out: Path):
    """(manifest, spec, runs) of an experiment directory, with ``runs.attrs["factors"]`` set."""
    man = read_experiment_manifest(out)
    spec = parse_text(man["experiment"]["text"], man["experiment"]["path"], load_scenario_file=False)
    runs, _ = load_results(out, columns=[])
    if runs.empty or not (runs["status"] == "ok").any():
        raise ConfigError(f"{out}: no successful runs to analyse yet")
    runs.attrs["factors"] = [f.key for f in spec.factors]
    return man, spec, runs


def contrast(out, text: str, dest=None, x: str | None = None, y: str | None = None, stat: str = "mean",
             metrics: list[str] | None = None, lang: str = "en") -> dict:
    """The whole contrast of experiment directory ``out`` (``text``: ``FACTOR=A-B``) into ``dest`` (default
    ``out/analysis``). ``x``, ``y``: the heatmap's factors (default the first two others); ``stat``: ``mean``
    (over the weeks) or ``final`` (final week) for the summary and the figure; ``metrics``: the figure's (default
    the first four kept). Returns ``{"files", "summary" (lines), "table"}``."""
    out = Path(out)
    dest = Path(dest) if dest is not None else out / "analysis"
    if stat not in STATS:
        raise ConfigError(f"--stat {stat!r}: allowed: {', '.join(STATS)}")
    man, spec, runs = load_experiment(out)
    factors = runs.attrs["factors"]
    kept = list(man["design"]["metrics"])
    levels = {f: sorted(runs[f].dropna().unique().tolist(), key=lambda v: (str(type(v)), v)) for f in factors}
    factor, a, b = parse_contrast(text, levels)
    others = [f for f in factors if f != factor]
    for flag, f in (("--x", x), ("--y", y)):
        if f is not None and f not in others:
            raise ConfigError(f"{flag} {f!r}: allowed: one of the other factors: {', '.join(others) or '(none)'}")
    if x is not None and x == y:
        raise ConfigError(f"--x and --y are both {x!r}: choose two different factors")
    shown = metrics or key_metrics(figure_order(kept, listed=bool(spec.metrics)), 4)
    bad = [m for m in shown if m not in kept]
    if bad:
        raise ConfigError(f"--metric {bad[0]!r}: allowed: a metric the experiment kept: {', '.join(kept)}")
    tab = paired_contrast(runs, factor, a, b, others, kept)
    if tab.empty:
        raise ConfigError(f"{out}: no replicate has a successful run under both {a} and {b}")
    dest.mkdir(parents=True, exist_ok=True)
    stem = f"contrast_{_safe(factor)}_{_safe(a)}_vs_{_safe(b)}"
    files = []
    for ext, write in (("csv", lambda p: tab.to_csv(p, index=False)),
                       ("parquet", lambda p: tab.to_parquet(p, index=False))):
        atomic_write(dest / f"{stem}.{ext}", write)
        files.append(dest / f"{stem}.{ext}")
    lines = [summary_line(tab, a, b, m, stat, lang) for m in shown]
    atomic_write(dest / f"{stem}_summary.txt", lambda p: Path(p).write_text("\n".join(
        summary_line(tab, a, b, m, s, lang) for s in STATS for m in kept) + "\n"))
    files.append(dest / f"{stem}_summary.txt")
    if others:
        x = x or next(f for f in others if f != y)
        y = y if y is not None else next((f for f in others if f != x), None)
        by = [f for f in (x, y) if f]
        rest = [f for f in others if f not in by]
        fig_tab = tab if not rest else paired_contrast(runs, factor, a, b, by, shown, (stat,))
        note = WORDS[lang]["pooled"].format(rest=", ".join(factor_label(f, lang) for f in rest)) if rest else ""
        contrast_figure(fig_tab, x, y, shown, stat, a, b, dest / f"{stem}.png", for_figure(spec.title(lang)), lang,
                        note)
        files.append(dest / f"{stem}.png")
    return {"files": [str(f) for f in files], "summary": lines, "table": tab, "factor": factor, "a": a, "b": b}
