"""The dashboard's charts: Vega-Lite specs and their named datasets, made from a :class:`Snapshot` in English or
Dutch (the browser draws them as SVG). Plain Python: no Solara."""

from __future__ import annotations

import html

import numpy as np

from sim.metrics import label as metric_label
from sim.plots import COLORS, PERCENT, SMOOTH

from .state import STATES, Side, Snapshot
from .texts import policy_label, tr

PANELS = ("engagement", "burnout_share", "output", "trust_in_manager")
HOURS = ("hours_monitoring", "hours_doing", "hours_coaching", "hours_vision")
MONITORS = ("engagement", "burnout_share", "output", "trust_in_manager", "psych_safety", "leavers",
            "manager_hours", "hours_coaching")
STATE_COLORS = ("#229954", "#b3c0c8", "#e67e22", "#c0392b", "#ffffff")
HOURS_COLORS = ("#7d3c98", "#b9770e", "#229954", "#2471a3")
SIDE_COLORS = {"A": COLORS[0], "B": COLORS[1]}


def side_label(side: Side, lang: str, ab: bool) -> str:
    name = policy_label(side.policy, lang)
    return f"{side.key}: {name}" if ab else name


def _rolling(values: list[float], n: int = 4) -> list[float]:
    """Mean over the last ``n`` weeks (fewer at the start), as the CLI's figures smooth noisy weekly counts."""
    c = np.cumsum(np.insert(np.asarray(values, dtype=float), 0, 0.0))
    idx = np.arange(1, len(values) + 1)
    lo = np.maximum(idx - n, 0)
    return ((c[idx] - c[lo]) / (idx - lo)).tolist()


def _shown(side: Side, metric: str) -> list[float]:
    v = [x * (100.0 if metric in PERCENT else 1.0) for x in side.series.get(metric, [])]
    return _rolling(v) if metric in SMOOTH else v


VL = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier inside the spec, never fetched
CHART_CONFIG = {"view": {"stroke": None}, "axis": {"labelFontSize": 12, "titleFontSize": 12}}


def curves_chart(snap: Snapshot, lang: str) -> tuple[dict, dict]:
    """Engagement, burnout, output and trust, week by week: one panel per metric; in A/B mode both policies'
    curves in the same panel (shared axes). Returns (spec, datasets): the spec changes only with the settings,
    the datasets every week."""
    ab = len(snap.sides) > 1
    labels = [side_label(s, lang, ab) for s in snap.sides]
    x_max = max(snap.weeks, snap.week, 1)
    rows = [{"week": w + 1, "side": lab, "metric": metric, "value": round(v, 4)}
            for metric in PANELS for side, lab in zip(snap.sides, labels)
            for w, v in enumerate(_shown(side, metric))]
    bands = [{"start": e["start"] - 0.5, "end": min(e["end"], x_max) + 0.5,
              "what": tr(e["kind"], lang, weeks=e["end"] - e["start"] + 1)}
             for e in snap.events if e["start"] <= x_max]
    x = {"field": "week", "type": "quantitative", "scale": {"domain": [0.5, x_max + 0.5], "nice": False},
         "axis": {"title": tr("week", lang), "tickMinStep": 1}}
    color = {"field": "side", "type": "nominal", "title": None,
             "scale": {"domain": labels, "range": [SIDE_COLORS[s.key] for s in snap.sides]},
             "legend": {"orient": "top", "labelFontSize": 14, "labelLimit": 500, "symbolStrokeWidth": 4}}
    panels = []
    for metric in PANELS:
        if metric in PERCENT:
            domain = {"unionWith": [0, 25]}
        elif metric == "output":
            domain = {"unionWith": [0, round(1.3 * snap.target, 3)]}
        else:
            domain = [0, 1]
        layer = [
            {"data": {"name": "events"}, "mark": {"type": "rect", "color": "#f5b041", "opacity": 0.22},
             "encoding": {"x": {**x, "field": "start"}, "x2": {"field": "end"},
                          "tooltip": [{"field": "what", "title": tr("event_band", lang)}]}},
            {"data": {"name": "curves"}, "transform": [{"filter": {"field": "metric", "equal": metric}}],
             "mark": {"type": "line", "strokeWidth": 2.5, "interpolate": "monotone"},
             "encoding": {"x": x, "y": {"field": "value", "type": "quantitative", "scale": {"domain": domain},
                                        "axis": {"title": "%" if metric in PERCENT else None}},
                          "color": color,
                          "tooltip": [{"field": "side", "title": " "},
                                      {"field": "week", "title": tr("week", lang)},
                                      {"field": "value", "title": metric_label(metric, lang),
                                       "format": ".2f"}]}},
        ]
        if metric == "output":
            layer.append({"data": {"values": [{"target": snap.target, "what": tr("target", lang)}]},
                          "mark": {"type": "rule", "strokeDash": [5, 4], "color": "#555"},
                          "encoding": {"y": {"field": "target", "type": "quantitative"},
                                       "tooltip": [{"field": "what", "title": " "},
                                                   {"field": "target", "title": " "}]}})
        title = metric_label(metric, lang) + (f" ({tr('avg4', lang)})" if metric in SMOOTH else "")
        panels.append({"title": {"text": title, "fontSize": 15}, "width": 300, "height": 160, "layer": layer})
    spec = {"$schema": VL, "concat": panels, "columns": 2, "resolve": {"scale": {"y": "independent"}},
            "config": CHART_CONFIG}
    return spec, {"curves": rows, "events": bands}


def _r(v) -> float:
    return round(float(v), 3)


def network_chart(snap: Snapshot, lang: str) -> tuple[dict, dict]:
    """The team as a network: each team lead in the middle of a ring of their people, people coloured by state,
    peer ties as thin lines; in A/B mode the same people side by side."""
    lay, ab = snap.layout, len(snap.sides) > 1
    states = [tr(s, lang) for s in STATES]
    ties = [{"x": _r(lay.x[a]), "y": _r(lay.y[a]), "x2": _r(lay.x[b]), "y2": _r(lay.y[b])} for a, b in lay.ties]
    spokes = [{"x": _r(lay.mx[lay.team[i]]), "y": _r(lay.my[lay.team[i]]), "x2": _r(lay.x[i]),
               "y2": _r(lay.y[i])} for i in lay.shown]
    pad = 1.3
    xs = {"field": "x", "type": "quantitative", "axis": None,
          "scale": {"domain": [_r(lay.mx.min() - pad), _r(lay.mx.max() + pad)]}}
    ys = {"field": "y", "type": "quantitative", "axis": None,
          "scale": {"domain": [_r(lay.my.min() - pad), _r(lay.my.max() + pad)]}}
    size = 290 if ab else 380
    charts, datasets = [], {}
    for side in snap.sides:
        people = [{"x": _r(lay.x[i]), "y": _r(lay.y[i]), "state": states[int(side.states[i])],
                   "engagement": _r(side.engagement[i]), "exhaustion": _r(side.exhaustion[i]),
                   "competence": _r(side.competence[i])} for i in lay.shown]
        leads = [{"x": _r(lay.mx[t]), "y": _r(lay.my[t]), "who": tr("manager", lang),
                  "strain": _r(side.manager_strain[t])} for t in range(lay.teams_shown)]
        datasets[f"people_{side.key}"], datasets[f"leads_{side.key}"] = people, leads
        title = {"text": side_label(side, lang, ab), "fontSize": 14}
        charts.append({"title": title, "width": size, "height": size, "layer": [
            {"data": {"values": ties}, "mark": {"type": "rule", "color": "#7f8c8d", "opacity": 0.2},
             "encoding": {"x": xs, "y": ys, "x2": {"field": "x2"}, "y2": {"field": "y2"}}},
            {"data": {"values": spokes}, "mark": {"type": "rule", "color": "#34495e", "opacity": 0.35},
             "encoding": {"x": xs, "y": ys, "x2": {"field": "x2"}, "y2": {"field": "y2"}}},
            {"data": {"name": f"people_{side.key}"},
             "mark": {"type": "circle", "size": lay.node_size, "opacity": 1, "stroke": "#555",
                      "strokeWidth": 1},
             "encoding": {"x": xs, "y": ys,
                          "color": {"field": "state", "type": "nominal", "title": tr("state", lang),
                                    "scale": {"domain": states, "range": list(STATE_COLORS)},
                                    "legend": {"orient": "bottom", "labelFontSize": 13, "titleFontSize": 13}},
                          "tooltip": [{"field": "state", "title": tr("state", lang)},
                                      {"field": "engagement", "title": metric_label("engagement", lang)},
                                      {"field": "exhaustion", "title": metric_label("exhaustion", lang)},
                                      {"field": "competence", "title": metric_label("competence", lang)}]}},
            {"data": {"name": f"leads_{side.key}"},
             "mark": {"type": "square", "size": 2.2 * lay.node_size + 60, "color": "#2c3e50", "opacity": 1},
             "encoding": {"x": xs, "y": ys, "tooltip": [{"field": "who", "title": " "},
                                                          {"field": "strain",
                                                           "title": metric_label("manager_strain", lang)}]}},
        ]})
    spec = {"$schema": VL, "hconcat": charts, "config": CHART_CONFIG}
    return spec, datasets


def hours_chart(snap: Snapshot, lang: str) -> tuple[dict, dict]:
    """The manager's hours by activity (4-week average), stacked; in A/B mode side by side on the same scale."""
    ab = len(snap.sides) > 1
    x_max = max(snap.weeks, snap.week, 1)
    names = [metric_label(h, lang) for h in HOURS]
    charts, datasets = [], {}
    for side in snap.sides:
        rows = [{"week": w + 1, "activity": name, "order": k, "hours": round(v, 2)}
                for k, (h, name) in enumerate(zip(HOURS, names))
                for w, v in enumerate(_rolling(side.series.get(h, [])))]
        datasets[f"hours_{side.key}"] = rows
        title = {"text": side_label(side, lang, ab), "fontSize": 14}
        charts.append({"title": title, "width": 290 if ab else 420, "height": 170, "layer": [
            {"data": {"name": f"hours_{side.key}"}, "mark": {"type": "area", "interpolate": "monotone"},
             "encoding": {"x": {"field": "week", "type": "quantitative", "title": tr("week", lang),
                                "scale": {"domain": [0.5, x_max + 0.5], "nice": False}},
                          "y": {"field": "hours", "type": "quantitative", "stack": "zero",
                                "title": tr("hours_axis", lang)},
                          "order": {"field": "order"},
                          "color": {"field": "activity", "type": "nominal", "title": tr("activity", lang),
                                    "scale": {"domain": names, "range": list(HOURS_COLORS)},
                                    "legend": {"orient": "bottom", "labelFontSize": 12, "columns": 2,
                                               "labelLimit": 260}},
                          "tooltip": [{"field": "activity", "title": " "},
                                      {"field": "week", "title": tr("week", lang)},
                                      {"field": "hours", "title": tr("hours_axis", lang)}]}},
            {"data": {"values": [{"h": snap.contract_hours}]},
             "mark": {"type": "rule", "strokeDash": [5, 4], "color": "#555"},
             "encoding": {"y": {"field": "h", "type": "quantitative"}}},
        ]})
    spec = {"$schema": VL, "hconcat": charts, "resolve": {"scale": {"y": "shared"}}, "config": CHART_CONFIG}
    return spec, datasets


def monitor_rows(snap: Snapshot, lang: str) -> list[tuple[str, list[str]]]:
    """Headline numbers of this week: (label, one formatted value per side)."""
    out = []
    for m in MONITORS:
        vals = []
        for side in snap.sides:
            v = side.series[m][-1] if side.series.get(m) else None
            if v is None:
                vals.append("-")
            elif m in PERCENT:
                vals.append(f"{100 * v:.0f}%")
            elif m in ("leavers",):
                vals.append(f"{int(v)}")
            elif m.startswith("hours") or m == "manager_hours":
                vals.append(f"{v:.1f}")
            else:
                vals.append(f"{v:.2f}")
        out.append((metric_label(m, lang), vals))
    return out


def monitors_html(snap: Snapshot, lang: str) -> str:
    """The headline numbers of this week as an HTML table, one column per policy."""
    ab = len(snap.sides) > 1
    short = [side_label(s, lang, ab).split(" (")[0] for s in snap.sides]  # "A: Coaching"
    colors = [SIDE_COLORS[s.key] for s in snap.sides]
    head = "".join(f'<th style="color:{c}">{html.escape(w)}</th>' for c, w in zip(colors, short))
    cell = '<td style="text-align:right;font-size:22px;font-weight:600;color:{}">{}</td>'
    body = "".join(f"<tr><td>{html.escape(lab)}</td>" + "".join(cell.format(c, v) for c, v in zip(colors, vals))
                   + "</tr>" for lab, vals in monitor_rows(snap, lang))
    return f"<tr><th>{html.escape(tr('week', lang))} {snap.week}</th>{head}</tr>{body}"
