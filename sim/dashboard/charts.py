"""The dashboard's charts over time: Vega-Lite specs and their named datasets, made from a :class:`Snapshot` in
English or Dutch (the browser draws them as SVG), and the monitors' numbers. Plain Python: no Solara.

Every chart over time shades the periods of the run's events. Each style has one colour
(:func:`sim.palette.style_colour`), whatever slot, A or B, it is in. ``big=True`` is projector mode: larger type
(axis labels of :data:`BIG_FONT` px) and panels sized by the browser to the space they get (``usermeta.fit``,
read by the chart widget).
"""

from __future__ import annotations

import html

import numpy as np

from sim.metrics import label as metric_label
from sim.palette import FALLBACK, style_colour
from sim.plots import PERCENT, SMOOTH

from .state import Side, Snapshot
from .texts import number_text, policy_label, tr

HOURS = ("hours_monitoring", "hours_doing", "hours_coaching", "hours_vision")
HOURS_COLORS = ("#7d3c98", "#b9770e", "#229954", "#2471a3")
EVENT_COLOR = "#f5b041"
BIG_FONT = 18          # projector mode: axis labels and titles, in px
SMALL_FONT = 12
VL = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier inside the spec, never fetched
DUTCH_NUMBERS = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€ ", ""]}


def config(lang: str, big: bool = False) -> dict:
    """Vega-Lite config: type sizes, and Dutch numbers (decimal comma) in Dutch."""
    f = BIG_FONT if big else SMALL_FONT
    cfg = {"view": {"stroke": None},
           "axis": {"labelFontSize": f, "titleFontSize": f},
           "legend": {"labelFontSize": f + (0 if big else 2), "titleFontSize": f, "labelLimit": 600},
           "title": {"fontSize": f + (2 if big else 3)}}
    if lang == "nl":
        cfg["locale"] = {"number": DUTCH_NUMBERS}
    return cfg


def fit(spec: dict, cols: int, rows: int, pad_x: int, pad_y: int, square: bool = False) -> dict:
    """Mark a spec to be sized by the browser: each of its ``cols`` x ``rows`` panels gets an equal share of the
    chart's box, less ``pad_x`` / ``pad_y`` px for axes, titles and legends (``square``: as wide as high);
    projector mode."""
    spec["usermeta"] = {"fit": {"cols": cols, "rows": rows, "padX": pad_x, "padY": pad_y, "square": square}}
    return spec


def two_lines(title: str, longest: int = 16) -> str | list[str]:
    """A long title as two lines (split at the space nearest its middle), for narrow projector panels."""
    if len(title) <= longest or " " not in title:
        return title
    spaces = [i for i, c in enumerate(title) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(title) / 2))
    return [title[:cut], title[cut + 1:]]


def side_label(side: Side, lang: str, ab: bool, short: bool = False) -> str:
    """A side's name in charts: its style ("A: Coaching (trust within frameworks)"; ``short``: "A: Coaching")."""
    name = policy_label(side.policy, lang, short)
    return f"{side.key}: {name}" if ab else name


def side_colours(snap: Snapshot) -> dict[str, str]:
    """A colour per side: its style's colour; B in the same style as A gets a colour of its own."""
    out: dict[str, str] = {}
    for i, s in enumerate(snap.sides):
        c = style_colour(s.policy, i)
        out[s.key] = c if c not in out.values() else FALLBACK[i % len(FALLBACK)]
    return out


def rolling(values: list[float], n: int = 4) -> list[float]:
    """Mean over the last ``n`` weeks (fewer at the start), as the CLI's figures smooth noisy weekly counts."""
    c = np.cumsum(np.insert(np.asarray(values, dtype=float), 0, 0.0))
    idx = np.arange(1, len(values) + 1)
    lo = np.maximum(idx - n, 0)
    return ((c[idx] - c[lo]) / (idx - lo)).tolist()


def shown(side: Side, metric: str) -> list[float]:
    v = [x * (100.0 if metric in PERCENT else 1.0) for x in side.series.get(metric, [])]
    return rolling(v) if metric in SMOOTH else v


def x_axis(snap: Snapshot, lang: str) -> dict:
    x_max = max(snap.weeks, snap.week, 1)
    return {"field": "week", "type": "quantitative", "scale": {"domain": [0.5, x_max + 0.5], "nice": False},
            "axis": {"title": tr("week", lang), "tickMinStep": 1}}


def event_bands(snap: Snapshot, lang: str) -> list[dict]:
    """The run's events as shaded periods (week ranges), labelled."""
    x_max = max(snap.weeks, snap.week, 1)
    return [{"start": e["start"] - 0.5, "end": min(e["end"], x_max) + 0.5,
             "what": tr(e["kind"], lang, weeks=e["end"] - e["start"] + 1)}
            for e in snap.events if e["start"] <= x_max]


def band_layer(x: dict, lang: str) -> dict:
    """The layer that shades event periods (dataset ``events``)."""
    return {"data": {"name": "events"}, "mark": {"type": "rect", "color": EVENT_COLOR, "opacity": 0.22},
            "encoding": {"x": {**x, "field": "start"}, "x2": {"field": "end"},
                         "tooltip": [{"field": "what", "title": tr("event_band", lang)}]}}


def side_color(snap: Snapshot, lang: str, big: bool, legend: bool = True) -> dict:
    """Colour by side (field ``side``, labelled by :func:`side_label`, short in projector mode)."""
    ab = len(snap.sides) > 1
    colours = side_colours(snap)
    return {"field": "side", "type": "nominal", "title": None,
            "scale": {"domain": [side_label(s, lang, ab, big) for s in snap.sides],
                      "range": [colours[s.key] for s in snap.sides]},
            "legend": {"orient": "top", "symbolStrokeWidth": 4} if legend else None}


def curves_chart(snap: Snapshot, lang: str, big: bool = False) -> tuple[dict, dict]:
    """The chosen measures week by week (:attr:`Snapshot.panels`): one panel per measure; in A/B mode both
    styles' curves in the same panel (shared axes). Returns (spec, datasets): the spec changes only with the
    settings, the datasets every week."""
    ab = len(snap.sides) > 1
    labels = [side_label(s, lang, ab, big) for s in snap.sides]
    rows = [{"week": w + 1, "side": lab, "metric": metric, "value": round(v, 4)}
            for metric in snap.panels for side, lab in zip(snap.sides, labels)
            for w, v in enumerate(shown(side, metric))]
    x = x_axis(snap, lang)
    color = side_color(snap, lang, big)
    panels = []
    for metric in snap.panels:
        if metric in PERCENT:
            domain = {"unionWith": [0, 25]}
        elif metric == "output":
            domain = {"unionWith": [0, round(1.3 * snap.target, 3)]}
        elif metric in ("leavers", "headcount") or metric.endswith("failures") or metric.startswith("hours") \
                or metric == "manager_hours":
            domain = {"unionWith": [0, 1]}
        else:
            domain = [0, 1]
        layer = [band_layer(x, lang), {
            "data": {"name": "curves"}, "transform": [{"filter": {"field": "metric", "equal": metric}}],
            "mark": {"type": "line", "strokeWidth": 3.5 if big else 2.5, "interpolate": "monotone"},
            "encoding": {"x": x, "y": {"field": "value", "type": "quantitative", "scale": {"domain": domain},
                                       "axis": {"title": "%" if metric in PERCENT else None}},
                         "color": color,
                         "tooltip": [{"field": "side", "title": " "},
                                     {"field": "week", "title": tr("week", lang)},
                                     {"field": "value", "title": metric_label(metric, lang), "format": ".2f"}]}}]
        if metric == "output":
            layer.append({"data": {"values": [{"target": snap.target, "what": tr("target", lang)}]},
                          "mark": {"type": "rule", "strokeDash": [5, 4], "color": "#555"},
                          "encoding": {"y": {"field": "target", "type": "quantitative"},
                                       "tooltip": [{"field": "what", "title": " "},
                                                   {"field": "target", "title": " "}]}})
        title = metric_label(metric, lang) + (f" ({tr('avg4', lang)})" if metric in SMOOTH and not big else "")
        panels.append({"title": {"text": two_lines(title) if big else title}, "width": 300, "height": 160,
                       "layer": layer})
    n = len(panels)
    cols = min(n, 4) if big else min(n, 2)
    spec = {"$schema": VL, "concat": panels, "columns": cols, "resolve": {"scale": {"y": "independent"}},
            "config": config(lang, big)}
    if big:
        fit(spec, cols, -(-n // cols), 75, 140 if -(-n // cols) == 1 else 100)
    return spec, {"curves": rows, "events": event_bands(snap, lang)}


def control_chart(snap: Snapshot, lang: str, big: bool = False) -> tuple[dict, dict]:
    """The manager's control as the team feels it (metric ``manager_control``) and the autonomy given (mean over
    the active), week by week, per style: colour by style, dashes for autonomy."""
    ab = len(snap.sides) > 1
    control, autonomy = tr("control_line", lang), tr("autonomy_line", lang)
    rows = []
    for side in snap.sides:
        lab = side_label(side, lang, ab, big)
        rows += [{"week": w + 1, "side": lab, "what": control, "value": round(v, 4)}
                 for w, v in enumerate(side.series.get("manager_control", []))]
        rows += [{"week": w + 1, "side": lab, "what": autonomy, "value": round(v, 4)}
                 for w, v in enumerate(side.autonomy)]
    x = x_axis(snap, lang)
    spec = {"$schema": VL, "width": 420, "height": 200, "config": config(lang, big), "layer": [
        band_layer(x, lang),
        {"data": {"name": "control"},
         "mark": {"type": "line", "strokeWidth": 3.5 if big else 2.5, "interpolate": "monotone"},
         "encoding": {"x": x, "y": {"field": "value", "type": "quantitative", "scale": {"domain": [0, 1]},
                                    "axis": {"title": None}},
                      "color": side_color(snap, lang, big, legend=not big),
                      "strokeDash": {"field": "what", "type": "nominal", "title": None,
                                     "scale": {"domain": [control, autonomy], "range": [[1, 0], [6, 4]]},
                                     "legend": {"orient": "top", "symbolStrokeWidth": 3,
                                                **({"columns": 1, "labelFontSize": 16} if big else {})}},
                      "tooltip": [{"field": "side", "title": " "}, {"field": "what", "title": " "},
                                  {"field": "week", "title": tr("week", lang)},
                                  {"field": "value", "title": " ", "format": ".2f"}]}}]}
    if big:
        fit(spec, 1, 1, 60, 120)
    return spec, {"control": rows, "events": event_bands(snap, lang)}


def hours_chart(snap: Snapshot, lang: str, big: bool = False) -> tuple[dict, dict]:
    """The manager's hours by activity (4-week average), stacked; in A/B mode side by side on the same scale;
    event periods shaded."""
    ab = len(snap.sides) > 1
    x = {**x_axis(snap, lang)}
    names = [metric_label(h, lang) for h in HOURS]
    charts, datasets = [], {"events": event_bands(snap, lang)}
    for side in snap.sides:
        rows = [{"week": w + 1, "activity": name, "order": k, "hours": round(v, 2)}
                for k, (h, name) in enumerate(zip(HOURS, names))
                for w, v in enumerate(rolling(side.series.get(h, [])))]
        datasets[f"hours_{side.key}"] = rows
        charts.append({"title": {"text": side_label(side, lang, ab)}, "width": 290 if ab else 420, "height": 170,
                       "layer": [
            {"data": {"name": f"hours_{side.key}"}, "mark": {"type": "area", "interpolate": "monotone"},
             "encoding": {"x": x,
                          "y": {"field": "hours", "type": "quantitative", "stack": "zero",
                                "title": tr("hours_axis", lang)},
                          "order": {"field": "order"},
                          "color": {"field": "activity", "type": "nominal", "title": tr("activity", lang),
                                    "scale": {"domain": names, "range": list(HOURS_COLORS)},
                                    "legend": {"orient": "bottom", "columns": 2, "labelLimit": 260}},
                          "tooltip": [{"field": "activity", "title": " "},
                                      {"field": "week", "title": tr("week", lang)},
                                      {"field": "hours", "title": tr("hours_axis", lang)}]}},
            {**band_layer(x, lang), "mark": {"type": "rect", "color": EVENT_COLOR, "opacity": 0.3}},
            {"data": {"values": [{"h": snap.contract_hours}]},
             "mark": {"type": "rule", "strokeDash": [5, 4], "color": "#555"},
             "encoding": {"y": {"field": "h", "type": "quantitative"}}},
        ]})
    spec = {"$schema": VL, "hconcat": charts, "resolve": {"scale": {"y": "shared"}}, "config": config(lang, big)}
    return spec, datasets


def monitor_value(metric: str, v: float | None, lang: str) -> str:
    if v is None:
        return "-"
    if metric in PERCENT:
        return f"{100 * v:.0f}%"
    if metric in ("leavers", "headcount") or metric.endswith("failures"):
        return f"{int(v)}"
    if metric.startswith("hours") or metric == "manager_hours":
        return number_text(v, lang, 1)
    return number_text(v, lang, 2)


def monitor_rows(snap: Snapshot, lang: str) -> list[tuple[str, list[str]]]:
    """Headline numbers of this week: (label, one formatted value per side), decimal comma in Dutch."""
    return [(metric_label(m, lang), [monitor_value(m, s.series[m][-1] if s.series.get(m) else None, lang)
                                     for s in snap.sides]) for m in snap.monitors]


def monitors_html(snap: Snapshot, lang: str, big: bool = False) -> str:
    """The headline numbers of this week as an HTML table, one column per style, in its colour."""
    ab = len(snap.sides) > 1
    # "A: Coaching"; in projector mode in A/B just "A" and "B" in their colours (the legend names them)
    short = [s.key if big and ab else side_label(s, lang, ab, short=True) for s in snap.sides]
    colours = side_colours(snap)
    colors = [colours[s.key] for s in snap.sides]
    size = 22
    head = "".join(f'<th style="color:{c}">{html.escape(w)}</th>' for c, w in zip(colors, short))
    cell = f'<td style="text-align:right;font-size:{size}px;font-weight:600;color:{{}}">{{}}</td>'
    body = "".join(f"<tr><td>{html.escape(lab)}</td>" + "".join(cell.format(c, v) for c, v in zip(colors, vals))
                   + "</tr>" for lab, vals in monitor_rows(snap, lang))
    return f"<tr><th>{html.escape(tr('week', lang))} {snap.week}</th>{head}</tr>{body}"
