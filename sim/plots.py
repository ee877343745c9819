"""Figures: a run's time series, and scenario comparisons with bands over seeds (matplotlib, Agg)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure  # figures drawn straight to PNG (Agg), without pyplot's window state

from .metrics import label
from .safe_text import for_figure

PANELS = ("engaged_share", "burnout_complaints_share", "output", "trust_in_manager", "hours_coaching", "leavers")
# weekly counts of tasks make these noisy: plots show a 4-week moving average (the CSV keeps the raw weeks)
SMOOTH = {"output", "manager_hours", "hours_coaching", "hours_doing", "hours_monitoring", "hours_vision"}
PERCENT = {"engaged_share", "disengaged_share", "burnout_share", "burnout_complaints_share", "absent_share",
           "vacancy_share"}
COLORS = ("#c0392b", "#2471a3", "#229954", "#b9770e", "#7d3c98", "#5d6d7e")
# Titles sit at the top of their axes (y=1): matplotlib's automatic placement, which moves a title above any
# decorations on top of the axes (there are none here), measured every axes' labels to find that out, 0.06 s of
# each figure; the pixels are the same. PNGs are compressed at zlib level 1: 0.06 s faster to write than the
# default, about 15% larger, the same pixels.
TITLE_Y = 1.0
PNG = {"pil_kwargs": {"compress_level": 1}}
WORDS = {
    "en": {"week": "Week", "month": "Month", "runs": "runs each, band = middle 80%", "team": "Same team, "
           "different leadership", "single": "One run", "avg": "4-week average"},
    "nl": {"week": "Week", "month": "Maand", "runs": "simulaties per stijl, band = middelste 80%",
           "team": "Zelfde team, andere leiderschapsstijl", "single": "Eén simulatie",
           "avg": "gemiddelde over 4 weken"},
}


def _scale(metric: str, values):
    return np.asarray(values, dtype=float) * (100.0 if metric in PERCENT else 1.0)


def timeseries_png(ts: pd.DataFrame, path, title: str = "", lang: str = "en",
                   panels: tuple[str, ...] = PANELS + ("manager_control", "psych_safety", "exhaustion")):
    """One run: a grid of the headline metrics over the weeks."""
    n = len(panels)
    cols = 3
    rows = int(np.ceil(n / cols))
    height = 3.2 * rows
    fig = Figure(figsize=(13, height))
    axes = fig.subplots(rows, cols, sharex=True)
    for ax, m in zip(np.ravel(axes), panels):
        y = ts[m].rolling(4, min_periods=1).mean() if m in SMOOTH else ts[m]
        ax.plot(ts["week"], _scale(m, y), color=COLORS[1], lw=2)
        ax.set_title(label(m, lang) + (f" ({WORDS[lang]['avg']})" if m in SMOOTH else ""), fontsize=12, y=TITLE_Y)
        ax.grid(alpha=0.3)
    for ax in np.ravel(axes)[n:]:
        ax.axis("off")
    for ax in np.ravel(axes)[-cols:]:
        ax.set_xlabel(WORDS[lang]["week"])
    fig.suptitle(for_figure(title) if title else WORDS[lang]["single"], fontsize=14)
    # fixed margins in inches (tight_layout measured every label again: 0.3 s of each `orgsim run`)
    fig.subplots_adjust(left=0.6 / 13, right=1 - 0.15 / 13, bottom=0.55 / height, top=1 - 0.75 / height,
                        wspace=0.2, hspace=0.3)
    fig.savefig(path, dpi=110, format="png", **PNG)


def compare_png(df: pd.DataFrame, path, names: dict[str, str] | None = None, lang: str = "en",
                title: str = "", panels: tuple[str, ...] = PANELS, colours: dict[str, str] | None = None):
    """Scenarios side by side on shared axes: the mean over seeds with a band of the 10th-90th percentile.
    ``colours``: a colour per scenario label (each style's own: :func:`sim.report.compose.scenario_colours`);
    without it, colours by position."""
    names, colours = names or {}, colours or {}
    scenarios = list(dict.fromkeys(df["scenario"]))
    seeds = df["seed"].nunique()
    fig = Figure(figsize=(14, 7.5))
    axes = fig.subplots(2, 3, sharex=True)
    for ax, m in zip(np.ravel(axes), panels):
        for i, sc in enumerate(scenarios):
            d = df[df["scenario"] == sc]
            if m in SMOOTH:
                d = d.assign(**{m: d.groupby("seed")[m].transform(lambda x: x.rolling(4, min_periods=1).mean())})
            g = d.groupby("week")[m]
            mean, lo, hi = g.mean(), g.quantile(0.1), g.quantile(0.9)
            c = colours.get(sc, COLORS[i % len(COLORS)])
            ax.fill_between(mean.index, _scale(m, lo), _scale(m, hi), color=c, alpha=0.18, lw=0)
            ax.plot(mean.index, _scale(m, mean), color=c, lw=2.4, label=for_figure(names.get(sc, sc)))
        ax.set_title(label(m, lang) + (f" ({WORDS[lang]['avg']})" if m in SMOOTH else ""), fontsize=13,
                     fontweight="bold", y=TITLE_Y)
        ax.grid(alpha=0.3)
    for ax in np.ravel(axes)[3:]:
        ax.set_xlabel(WORDS[lang]["week"])
    handles, labels = np.ravel(axes)[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(scenarios), fontsize=13, frameon=False)
    sup = for_figure(title) if title else WORDS[lang]["team"]
    fig.suptitle(f"{sup}  ({seeds} {WORDS[lang]['runs']})", fontsize=15)
    fig.tight_layout(rect=(0, 0.06, 1, 0.95))
    fig.savefig(path, dpi=110, format="png", **PNG)


def fmt(metric: str, v: float) -> str:
    """A number as ``orgsim compare`` prints it: shares in %, leavers with one decimal, others with three."""
    if pd.isna(v):  # e.g. the sd of a single seed
        return "-"
    if metric in PERCENT:
        return f"{100 * v:.1f}%"
    if metric == "leavers":
        return f"{v:.1f}"
    return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
