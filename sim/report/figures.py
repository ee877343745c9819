"""The report's figures as PNG bytes (matplotlib, Agg): the measures week by week, the manager's week, the
team's zone (a map with each team's path, and the weeks per zone per quarter).

Every function takes the long table of :func:`sim.runner.compare_params` (scenario, seed, week, metrics) and
returns the PNG as bytes, so the report can both write the file and embed the same image. Scenario colours are
given by the caller (:func:`sim.report.compose.scenario_colours`, from :mod:`sim.palette`); zone colours are
:data:`sim.palette.ZONE_COLOURS`. Axes are in the reader's units and convention (scores 0-100, decimal comma
in Dutch).
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from ..metrics import label  # noqa: E402
from ..palette import ZONE_COLOURS  # noqa: E402
from ..plots import SMOOTH, TITLE_Y  # noqa: E402
from ..safe_text import for_figure  # noqa: E402
from .reader import PEOPLE, SCORES, number  # noqa: E402
from .texts import WORDS  # noqa: E402

BAND_METRICS = ("engagement", "burnout_complaints_share", "output", "trust_in_manager")
HOURS = ("hours_monitoring", "hours_doing", "hours_coaching", "hours_vision")
HOUR_COLORS = ("#922b21", "#9a7d0a", "#117864", "#1f618d")
ZONES = ("zone_learning", "zone_comfort", "zone_anxiety", "zone_apathy")
ZONE_COLORS = tuple(ZONE_COLOURS[z.removeprefix("zone_")] for z in ZONES)
MOMENTS = (13, 52, 104)  # 3, 12 and 24 months


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, dpi=110, format="png")
    plt.close(fig)
    return buf.getvalue()


def _ticks(ax, lang: str, axis: str = "y") -> None:
    """Tick labels in the reader's convention (decimal comma in Dutch)."""
    fmt = FuncFormatter(lambda v, _: number(v, lang, 0 if float(v).is_integer() else 1))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def reader_scale(metric: str, values, target: float = 1.0):
    """A measure in the reader's units: 0-100 scores, % of the people, % of the output target."""
    v = np.asarray(values, dtype=float)
    if metric in SCORES or metric in PEOPLE:
        return 100.0 * v
    if metric == "output":
        return 100.0 * v / target
    return v


def _axis_label(metric: str, lang: str) -> str:
    w = WORDS[lang]
    return w["score_axis"] if metric in SCORES else w["percent_axis"] if metric in PEOPLE else \
        w["target_axis"] if metric == "output" else ""


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


def bands_png(df: pd.DataFrame, names: dict[str, str], colours: dict[str, str], targets: dict[str, float],
              lang: str, metrics=BAND_METRICS) -> bytes:
    """Each measure a panel; each scenario its colour: the mean over the teams and the 10th-90th percentile."""
    w = WORDS[lang]
    fig, axes = _grid(len(metrics))
    last = int(df["week"].max())
    for ax, m in zip(axes, metrics):
        for sc, d in df.groupby("scenario", sort=False):
            g = _smoothed(d, m).groupby(d["week"])
            t = targets.get(sc, 1.0)
            ax.fill_between(g.mean().index, reader_scale(m, g.quantile(0.1), t),
                            reader_scale(m, g.quantile(0.9), t), color=colours[sc], alpha=0.18, lw=0)
            ax.plot(g.mean().index, reader_scale(m, g.mean(), t), color=colours[sc], lw=2.4,
                    label=for_figure(names.get(sc, sc)))
        for wk in MOMENTS:
            if wk < last:
                ax.axvline(wk, color="#555555", lw=0.8, ls=":")
                ax.annotate(w["months_short"].format(m=wk * 12 // 52), xy=(wk, 1.0),
                            xycoords=("data", "axes fraction"), xytext=(2, -12), textcoords="offset points",
                            fontsize=10, color="#555555")
        ax.set_title(label(m, lang), fontsize=13, fontweight="bold", y=TITLE_Y)
        ax.set_ylabel(_axis_label(m, lang), fontsize=11)
        if m in SCORES:
            ax.set_ylim(0, 100)
        ax.set_ylim(bottom=0)
        _ticks(ax, lang)
        ax.tick_params(labelsize=11)
        ax.grid(alpha=0.3)
    for ax in axes[-2:]:
        ax.set_xlabel(w["week"], fontsize=11)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 3), fontsize=12, frameon=False)
    fig.suptitle(w["band"], fontsize=11, color="#444444")
    rows = int(np.ceil(len(metrics) / 2))
    fig.tight_layout(rect=(0, 0.05 + 0.03 * (len(labels) > 3), 1, 0.97 if rows > 1 else 0.93))
    return _png(fig)


def manager_week_png(df: pd.DataFrame, names: dict[str, str], lang: str, contract: dict[str, float]) -> bytes:
    """Per scenario, the manager's hours by activity, stacked (mean over the teams, 4-week average)."""
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
        _ticks(ax, lang)
        ax.grid(alpha=0.3)
    for ax in axes[: len(scenarios)]:
        ax.set_ylim(0, top * 1.08)
    for ax in axes[max(0, len(scenarios) - 2): len(scenarios)]:
        ax.set_xlabel(w["week"])
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=10, frameon=False)
    fig.tight_layout(rect=(0, 0.07 if len(scenarios) <= 2 else 0.04, 1, 1))
    return _png(fig)


def quarter_shares(d: pd.DataFrame) -> pd.DataFrame:
    """Per quarter (13 weeks; the last may be shorter), the share of weeks the teams spent in each zone: the
    weekly shares of teams (and runs) in each zone, averaged over the quarter's weeks. Rows sum to 1."""
    q = (d["week"] - 1) // 13 + 1
    return d.groupby(q)[list(ZONES)].mean()


def zones_png(df: pd.DataFrame, names: dict[str, str], colours: dict[str, str], standards: dict, lang: str) -> bytes:
    """Top: the zone map (psychological safety x standards, split at 50), each scenario's path over the weeks
    in its colour with dots at the start and at 3, 12 and 24 months (scenarios of one team with a known
    standard). Below: per scenario, the share of weeks in each zone per quarter."""
    w = WORDS[lang]
    scenarios = list(dict.fromkeys(df["scenario"]))
    n = len(scenarios)
    fig = plt.figure(figsize=(11, 4.6 + 2.6 * int(np.ceil(n / 2))))
    rows = 1 + int(np.ceil(n / 2))
    gs = fig.add_gridspec(rows, 2, height_ratios=[1.9] + [1.0] * (rows - 1))
    ax = fig.add_subplot(gs[0, :])
    quad = {"zone_learning": (50, 50), "zone_comfort": (50, 0), "zone_anxiety": (0, 50), "zone_apathy": (0, 0)}
    for z, c in zip(ZONES, ZONE_COLORS):
        x0, y0 = quad[z]
        ax.add_patch(plt.Rectangle((x0, y0), 50, 50, color=c, alpha=0.75, lw=0))
        top = y0 >= 50   # names along the middle line, where paths (standards mostly high or low) seldom run
        ax.text(x0 + 25, y0 + 3 if top else y0 + 47, label(z, lang), ha="center", va="bottom" if top else "top",
                fontsize=12, color="#333333")
    used: list[float] = []
    for sc in scenarios:
        if standards.get(sc) is None:
            continue
        d = df[df["scenario"] == sc]
        safety = 100 * d.groupby("week")["psych_safety"].mean()
        level = 100 * standards[sc]
        level += 3.5 * sum(abs(u - level) < 3 for u in used)     # two paths at one standard: side by side
        used.append(level)
        y = np.full(len(safety), level)
        ax.plot(safety.to_numpy(), y, color=colours[sc], lw=2.5, label=for_figure(names.get(sc, sc)))
        marks = [int(safety.index.min())] + [m for m in MOMENTS if m in safety.index]
        ax.scatter(safety.loc[marks].to_numpy(), y[: len(marks)], color=colours[sc], s=[25] + [60] * (len(marks) - 1),
                   zorder=3, edgecolor="white")
        ax.annotate("", xy=(safety.iloc[-1], y[0]), xytext=(safety.iloc[-2] if len(safety) > 1 else safety.iloc[-1],
                    y[0]), arrowprops=dict(arrowstyle="-|>", color=colours[sc], lw=2))
        for j, m in enumerate(marks[1:]):
            ax.annotate(w["months_short"].format(m=m * 12 // 52), xy=(safety.loc[m], y[0]),
                        xytext=(0, 7 if j % 2 == 0 else -14), textcoords="offset points", ha="center", fontsize=9,
                        color=colours[sc])
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel(w["safety_axis"], fontsize=11)
    ax.set_ylabel(w["standards_axis"], fontsize=11)
    ax.set_title(w["zone_map"], fontsize=13, fontweight="bold", y=TITLE_Y)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=10, frameon=False)
    for i, sc in enumerate(scenarios):
        bx = fig.add_subplot(gs[1 + i // 2, i % 2])
        shares = 100 * quarter_shares(df[df["scenario"] == sc])
        bottom = np.zeros(len(shares))
        for z, c in zip(ZONES, ZONE_COLORS):
            bx.bar(shares.index, shares[z].to_numpy(), bottom=bottom, color=c, width=0.8,
                   label=label(z, lang) if i == 0 else None)
            bottom += shares[z].to_numpy()
        bx.set_ylim(0, 100)
        bx.set_xticks(list(shares.index))
        bx.set_title(for_figure(names.get(sc, sc)), fontsize=11, fontweight="bold", color=colours[sc], y=TITLE_Y)
        bx.set_ylabel(w["share_weeks"], fontsize=9)
        bx.set_xlabel(w["quarter"], fontsize=9)
        _ticks(bx, lang)
    fig.legend(*fig.axes[1].get_legend_handles_labels(), loc="lower center", ncol=4, fontsize=10, frameon=False)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return _png(fig)
