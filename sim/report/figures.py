"""The report's figures as PNG bytes (matplotlib, Agg): bands over seeds, the manager's week, the team's zone.

Every function takes the long table of :func:`sim.runner.compare_params` (scenario, seed, week, metrics) and
returns the PNG as bytes, so the report can both write the file and embed the same image.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..metrics import label  # noqa: E402
from ..safe_text import for_figure  # noqa: E402
from ..plots import COLORS, SMOOTH, TITLE_Y, _scale  # noqa: E402
from .texts import WORDS  # noqa: E402

BAND_METRICS = ("engagement", "burnout_share", "output", "trust_in_manager")
HOURS = ("hours_monitoring", "hours_doing", "hours_coaching", "hours_vision")
HOUR_COLORS = ("#c0392b", "#b9770e", "#229954", "#2471a3")
ZONES = ("zone_learning", "zone_comfort", "zone_anxiety", "zone_apathy")
ZONE_COLORS = ("#229954", "#5dade2", "#e67e22", "#95a5a6")
MOMENTS = (13, 52, 104)  # 3, 12 and 24 months


def color(i: int) -> str:
    return COLORS[i % len(COLORS)]


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, dpi=110, format="png")
    plt.close(fig)
    return buf.getvalue()


def _smoothed(d: pd.DataFrame, metric: str) -> pd.Series:
    """Per seed, a 4-week moving average for noisy weekly counts (``plots.SMOOTH``), else the raw values."""
    if metric in SMOOTH:
        return d.groupby("seed")[metric].transform(lambda x: x.rolling(4, min_periods=1).mean())
    return d[metric]


def _grid(n: int, cols: int = 2, height: float = 3.6, width: float = 11.0):
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(width, height * rows), sharex=True, squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    return fig, axes.ravel()


def bands_png(df: pd.DataFrame, names: dict[str, str], lang: str, metrics=BAND_METRICS) -> bytes:
    """Each metric a panel; each scenario a colour: the mean over seeds and the 10th-90th percentile band."""
    w = WORDS[lang]
    fig, axes = _grid(len(metrics))
    last = int(df["week"].max())
    for ax, m in zip(axes, metrics):
        for i, (sc, d) in enumerate(df.groupby("scenario", sort=False)):
            g = _smoothed(d, m).groupby(d["week"])
            ax.fill_between(g.mean().index, _scale(m, g.quantile(0.1)), _scale(m, g.quantile(0.9)),
                            color=color(i), alpha=0.18, lw=0)
            ax.plot(g.mean().index, _scale(m, g.mean()), color=color(i), lw=2.2,
                    label=for_figure(names.get(sc, sc)))
        for wk in MOMENTS:
            if wk < last:
                ax.axvline(wk, color="#555555", lw=0.8, ls=":")
                ax.annotate(w["months_short"].format(m=wk * 12 // 52), xy=(wk, 1.0),
                            xycoords=("data", "axes fraction"), xytext=(2, -10), textcoords="offset points",
                            fontsize=8, color="#555555")
        ax.set_title(label(m, lang), fontsize=12, fontweight="bold", y=TITLE_Y)
        ax.grid(alpha=0.3)
    for ax in axes[-2:]:
        ax.set_xlabel(w["week"])
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 3), fontsize=11, frameon=False)
    fig.suptitle(w["band"], fontsize=11, color="#444444")
    rows = int(np.ceil(len(metrics) / 2))
    fig.tight_layout(rect=(0, 0.04 + 0.02 * (len(labels) > 3), 1, 0.97 if rows > 1 else 0.93))
    return _png(fig)


def manager_week_png(df: pd.DataFrame, names: dict[str, str], lang: str, contract: dict[str, float]) -> bytes:
    """Per scenario, the manager's hours by activity, stacked (mean over seeds, 4-week average)."""
    w = WORDS[lang]
    scenarios = list(dict.fromkeys(df["scenario"]))
    fig, axes = _grid(len(scenarios), cols=min(2, len(scenarios)), height=3.4)
    top = 0.0
    for ax, sc in zip(axes, scenarios):
        d = df[df["scenario"] == sc]
        ys = [_smoothed(d, h).groupby(d["week"]).mean() for h in HOURS]
        weeks = ys[0].index
        ax.stackplot(weeks, *[y.to_numpy() for y in ys], colors=HOUR_COLORS, alpha=0.85,
                     labels=[label(h, lang) for h in HOURS])
        ax.axhline(contract[sc], color="#222222", lw=1.2, ls="--", label=w["contract"])
        ax.set_xlim(weeks.min(), weeks.max())
        top = max(top, float(np.sum([y.to_numpy() for y in ys], axis=0).max()), contract[sc])
        ax.set_title(for_figure(names.get(sc, sc)), fontsize=12, fontweight="bold", y=TITLE_Y)
        ax.set_ylabel(w["hours"])
        ax.grid(alpha=0.3)
    for ax in axes[: len(scenarios)]:
        ax.set_ylim(0, top * 1.08)
    for ax in axes[max(0, len(scenarios) - 2): len(scenarios)]:
        ax.set_xlabel(w["week"])
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=10, frameon=False)
    fig.tight_layout(rect=(0, 0.07 if len(scenarios) <= 2 else 0.04, 1, 1))
    return _png(fig)


def zones_png(df: pd.DataFrame, names: dict[str, str], lang: str) -> bytes:
    """Per scenario, the share of runs (and teams) in each of Edmondson's zones, week by week."""
    w = WORDS[lang]
    scenarios = list(dict.fromkeys(df["scenario"]))
    fig, axes = _grid(len(scenarios), cols=min(2, len(scenarios)), height=2.9)
    for ax, sc in zip(axes, scenarios):
        d = df[df["scenario"] == sc]
        ys = [100 * d.groupby("week")[z].mean() for z in ZONES]
        ax.stackplot(ys[0].index, *[y.to_numpy() for y in ys], colors=ZONE_COLORS, alpha=0.9,
                     labels=[label(z, lang) for z in ZONES])
        safety = 100 * d.groupby("week")["psych_safety"].mean()
        ax.plot(safety.index, safety.to_numpy(), color="#111111", lw=1.8,
                label=label("psych_safety", lang) + " (%)")
        ax.axhline(50, color="#111111", lw=0.8, ls=":")
        ax.set_ylim(0, 100)
        ax.set_xlim(ys[0].index.min(), ys[0].index.max())
        ax.set_title(for_figure(names.get(sc, sc)), fontsize=12, fontweight="bold", y=TITLE_Y)
        ax.set_ylabel(w["share_runs"] + " (%)")
    for ax in axes[max(0, len(scenarios) - 2): len(scenarios)]:
        ax.set_xlabel(w["week"])
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=10, frameon=False)
    fig.tight_layout(rect=(0, 0.08 if len(scenarios) <= 2 else 0.04, 1, 1))
    return _png(fig)
