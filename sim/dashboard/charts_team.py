"""The dashboard's charts of the team: the network (people coloured by state, click one for their story), the
team's place in the four zones (psychological safety x standards) as a moving dot with its trail, and one
person's story week by week. Vega-Lite specs and datasets from a :class:`Snapshot`; plain Python, no Solara."""

from __future__ import annotations

from sim.metrics import label as metric_label
from sim.model import ABSENT, ACTIVE
from sim.palette import ZONE_COLOURS
from sim.rules.safety import ZONES

from .charts import VL, band_layer, config, event_bands, fit, side_color, side_label, two_lines, x_axis
from .state import PERSON_VARS, STATES, Snapshot
from .texts import style_name, tr

STATE_COLORS = ("#229954", "#b3c0c8", "#e67e22", "#c0392b", "#ffffff")
TRAIL_WEEKS = 26        # the zone dot's trail: the last half year
ZONE_SPLIT = 0.5        # sim.rules.safety.zone splits both axes at 0.5
# where each zone lies on (safety, standards): sim.rules.safety.zone's order (learning, comfort, anxiety, apathy)
ZONE_BOXES = {"learning": (0.5, 1.0, 0.5, 1.0), "comfort": (0.5, 1.0, 0.0, 0.5),
              "anxiety": (0.0, 0.5, 0.5, 1.0), "apathy": (0.0, 0.5, 0.0, 0.5)}
PERSON_COLORS = ("#2471a3", "#229954", "#b9770e", "#c0392b")   # competence, trust, engagement, exhaustion
STYLE_COLORS = ("#7b241c", "#d35400", "#58d68d", "#1e8449")     # S1..S4


def _zone_word(zone: str, lang: str, short: bool) -> str:
    """A zone's name (:mod:`sim.metrics`); ``short``: without the word "zone" in English ("Learning")."""
    words = metric_label(f"zone_{zone}", lang)
    return words.removesuffix(" zone") if short else words


def _style_word(style: int, status: int, lang: str) -> str:
    """The style a person received in a week; on sick leave or a vacancy, that instead."""
    return style_name(style, lang) if status == ACTIVE else tr("burnt_out" if status == ABSENT else "left", lang)


def _r(v) -> float:
    return round(float(v), 3)


def network_chart(snap: Snapshot, lang: str, big: bool = False) -> tuple[dict, dict]:
    """The team as a network: each team lead in the middle of a ring of their people, people coloured by state,
    peer ties as thin lines; in A/B mode the same people side by side. A click on a person sends their
    position (``pos``) to the page."""
    lay, ab = snap.layout, len(snap.sides) > 1
    states = [tr(s + ("_short" if big and s in ("burnt_out", "left") else ""), lang) for s in STATES]
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
        people = [{"x": _r(lay.x[i]), "y": _r(lay.y[i]), "pos": int(i), "state": states[int(side.states[i])],
                   "engagement": _r(side.engagement[i]), "exhaustion": _r(side.exhaustion[i]),
                   "competence": _r(side.competence[i]), "picked": bool(snap.person == int(i))}
                  for i in lay.shown]
        leads = [{"x": _r(lay.mx[t]), "y": _r(lay.my[t]), "who": tr("manager", lang),
                  "strain": _r(side.manager_strain[t])} for t in range(lay.teams_shown)]
        datasets[f"people_{side.key}"], datasets[f"leads_{side.key}"] = people, leads
        title = (side.key if ab else "") if big else side_label(side, lang, ab)   # projector: the legend names them
        charts.append({"title": {"text": title}, "width": size, "height": size,
                       "layer": [
            {"data": {"values": ties}, "mark": {"type": "rule", "color": "#7f8c8d", "opacity": 0.2},
             "encoding": {"x": xs, "y": ys, "x2": {"field": "x2"}, "y2": {"field": "y2"}}},
            {"data": {"values": spokes}, "mark": {"type": "rule", "color": "#34495e", "opacity": 0.35},
             "encoding": {"x": xs, "y": ys, "x2": {"field": "x2"}, "y2": {"field": "y2"}}},
            {"data": {"name": f"people_{side.key}"},
             "mark": {"type": "circle", "size": lay.node_size, "opacity": 1, "cursor": "pointer"},
             "encoding": {"x": xs, "y": ys,
                          "color": {"field": "state", "type": "nominal", "title": tr("state", lang),
                                    "scale": {"domain": states, "range": list(STATE_COLORS)},
                                    "legend": {"orient": "bottom", "columns": 2 if big else 5,
                                               **({"labelFontSize": 16, "labelLimit": 82, "columnPadding": 4}
                                                  if big else {})}},
                          "stroke": {"condition": {"test": "datum.picked", "value": "#000"}, "value": "#555"},
                          "strokeWidth": {"condition": {"test": "datum.picked", "value": 4}, "value": 1},
                          "tooltip": [{"field": "state", "title": tr("state", lang)},
                                      {"field": "engagement", "title": metric_label("engagement", lang), "format": ".2f"},
                                      {"field": "exhaustion", "title": metric_label("exhaustion", lang), "format": ".2f"},
                                      {"field": "competence", "title": metric_label("competence", lang), "format": ".2f"}]}},
            {"data": {"name": f"leads_{side.key}"},
             "mark": {"type": "square", "size": 2.2 * lay.node_size + 60, "color": "#2c3e50", "opacity": 1},
             "encoding": {"x": xs, "y": ys, "tooltip": [{"field": "who", "title": " "},
                                                          {"field": "strain",
                                                           "title": metric_label("manager_strain", lang),
                                                           "format": ".2f"}]}},
        ]})
    spec = {"$schema": VL, "hconcat": charts, "config": config(lang, big)}
    if big:
        fit(spec, len(charts), 1, 20, 130, square=True)
    return spec, datasets


def zone_points(snap: Snapshot, lang: str) -> list[dict]:
    """Per style, the team's (psychological safety, standards) of the last :data:`TRAIL_WEEKS` weeks; the last
    one is the dot, the others its trail. Weeks inside an event are flagged."""
    ab = len(snap.sides) > 1
    in_event = {w for e in snap.events for w in range(e["start"], e["end"] + 1)}
    rows = []
    for side in snap.sides:
        safety = side.series.get("psych_safety", [])
        first = max(0, len(safety) - TRAIL_WEEKS)
        for w in range(first, len(safety)):
            rows.append({"week": w + 1, "side": side_label(side, lang, ab, True), "safety": _r(safety[w]),
                         "standards": _r(side.standards), "age": len(safety) - 1 - w,
                         "now": w == len(safety) - 1, "event": (w + 1) in in_event})
    return rows


def zone_chart(snap: Snapshot, lang: str, big: bool = False) -> tuple[dict, dict]:
    """The four zones (Edmondson) as coloured quarters of psychological safety (x) by standards (y); each style's
    team as a dot (this week) with its trail (the weeks before, fading; weeks in an event outlined)."""
    # labels in the quarters' corners, staggered (left ones at the top of their quarter, right ones at the
    # bottom) so that no two share a line however narrow the chart
    boxes = [{"x": x0, "x2": x1, "y": y0, "y2": y1, "zone": _zone_word(z, lang, big),
              "lx": 0.02 if x0 == 0 else 0.98, "ly": y1 - 0.03 if x0 == 0 else y0 + 0.03, "left": x0 == 0}
             for z in ZONES for x0, x1, y0, y1 in [ZONE_BOXES[z]]]
    xs = {"field": "safety", "type": "quantitative", "scale": {"domain": [0, 1], "nice": False},
          "axis": {"title": two_lines(tr("safety_axis", lang), 14) if big else tr("safety_axis", lang), **({"values": [0, 0.5, 1]} if big else {"tickCount": 5})}}
    ys = {"field": "standards", "type": "quantitative", "scale": {"domain": [0, 1], "nice": False},
          "axis": {"title": two_lines(tr("standards_axis", lang), 14) if big else tr("standards_axis", lang), **({"values": [0, 0.5, 1]} if big else {"tickCount": 5})}}
    color = side_color(snap, lang, True, legend=False)
    f = 13 if big else 14
    texts = [{"data": {"values": [b for b in boxes if b["left"] == left]},
              "mark": {"type": "text", "fontSize": f, "color": "#333", "fontWeight": 600,
                       "align": "left" if left else "right", "baseline": "top" if left else "bottom"},
              "encoding": {"x": {"field": "lx", "type": "quantitative"}, "y": {"field": "ly", "type": "quantitative"},
                           "text": {"field": "zone"}}} for left in (True, False)]
    spec = {"$schema": VL, "width": 300, "height": 260, "config": config(lang, big),
            "resolve": {"scale": {"color": "independent"}}, "layer": [
        {"data": {"values": boxes}, "mark": {"type": "rect", "opacity": 0.55},
         "encoding": {"x": {"field": "x", "type": "quantitative", "scale": {"domain": [0, 1]}}, "x2": {"field": "x2"},
                      "y": {"field": "y", "type": "quantitative", "scale": {"domain": [0, 1]}}, "y2": {"field": "y2"},
                      "color": {"field": "zone", "type": "nominal", "legend": None,
                                "scale": {"domain": [_zone_word(z, lang, big) for z in ZONES],
                                          "range": [ZONE_COLOURS[z] for z in ZONES]}}}},
        *texts,
        {"data": {"name": "zone"}, "mark": {"type": "line", "strokeWidth": 2, "opacity": 0.6},
         "encoding": {"x": xs, "y": ys, "color": {**color, "legend": None}, "order": {"field": "week"}}},
        {"data": {"name": "zone"}, "transform": [{"filter": "!datum.now"}],
         "mark": {"type": "circle", "size": 60 if big else 40},
         "encoding": {"x": xs, "y": ys, "color": {**color, "legend": None},
                      "opacity": {"field": "age", "type": "quantitative", "legend": None,
                                  "scale": {"domain": [0, TRAIL_WEEKS], "range": [0.8, 0.1]}},
                      "stroke": {"condition": {"test": "datum.event", "value": "#e67e22"}, "value": None},
                      "tooltip": [{"field": "side", "title": " "}, {"field": "week", "title": tr("week", lang)}]}},
        {"data": {"name": "zone"}, "transform": [{"filter": "datum.now"}],
         "mark": {"type": "circle", "size": 500 if big else 300, "opacity": 1, "stroke": "#000",
                  "strokeWidth": 2},
         "encoding": {"x": xs, "y": ys, "color": color,
                      "tooltip": [{"field": "side", "title": " "}, {"field": "week", "title": tr("week", lang)},
                                  {"field": "safety", "title": tr("safety_axis", lang), "format": ".2f"},
                                  {"field": "standards", "title": tr("standards_axis", lang), "format": ".2f"}]}},
    ]}
    if big:
        fit(spec, 1, 1, 70, 80)
    return spec, {"zone": zone_points(snap, lang)}


def person_chart(snap: Snapshot, lang: str, big: bool = False) -> tuple[dict, dict]:
    """One person's story: competence, trust in the manager, engagement and exhaustion week by week (in A/B mode
    under both styles: solid A, dashed B), and below, the style they received each week (S1-S4)."""
    ab = len(snap.sides) > 1
    names = [metric_label(v, lang) for v in PERSON_VARS]
    rows, styles = [], []
    for side in snap.sides:
        story = side.story or {}
        lab = side_label(side, lang, ab, True)
        for v, name in zip(PERSON_VARS, names):
            rows += [{"week": w + 1, "side": lab, "what": name, "value": _r(x)}
                     for w, x in enumerate(story.get(v, []))]
        styles += [{"week": w + 0.5, "week2": w + 1.5, "side": lab, "style": _style_word(k, st, lang)}
                   for w, (k, st) in enumerate(zip(story.get("style", []), story.get("status", [])))]
    x = x_axis(snap, lang)
    side_dash = {"field": "side", "type": "nominal", "title": None,
                 "scale": {"domain": [side_label(s, lang, ab, True) for s in snap.sides],
                           "range": [[1, 0], [6, 4]][:len(snap.sides)]},
                 "legend": {"orient": "top"} if ab else None}
    style_domain = [style_name(k, lang) for k in range(4)] + [tr("burnt_out", lang), tr("left", lang)]
    spec = {"$schema": VL, "config": config(lang, big), "resolve": {"scale": {"color": "independent"}},
            "vconcat": [
        {"width": 520, "height": 200, "layer": [
            band_layer(x, lang),
            {"data": {"name": "person"}, "mark": {"type": "line", "strokeWidth": 2.5, "interpolate": "monotone"},
             "encoding": {"x": x, "y": {"field": "value", "type": "quantitative", "scale": {"domain": [0, 1]},
                                        "axis": {"title": None}},
                          "color": {"field": "what", "type": "nominal", "title": None,
                                    "scale": {"domain": names, "range": list(PERSON_COLORS)},
                                    "legend": {"orient": "top", "columns": 2}},
                          "strokeDash": side_dash,
                          "tooltip": [{"field": "what", "title": " "}, {"field": "side", "title": " "},
                                      {"field": "week", "title": tr("week", lang)},
                                      {"field": "value", "title": " ", "format": ".2f"}]}}]},
        {"width": 520, "height": 24 * len(snap.sides), "data": {"name": "styles"},
         "mark": {"type": "rect"},
         "encoding": {"x": x,
                      "x2": {"field": "week2"},
                      "y": {"field": "side", "type": "nominal", "title": None, "axis": {"labels": ab}},
                      "color": {"field": "style", "type": "nominal", "title": tr("style_got", lang),
                                "scale": {"domain": style_domain, "range": [*STYLE_COLORS, STATE_COLORS[3], "#ffffff"]},
                                "legend": {"orient": "bottom", "columns": 3}},
                      "tooltip": [{"field": "style", "title": tr("style_got", lang)},
                                  {"field": "week", "title": tr("week", lang)}]}},
    ]}
    return spec, {"person": rows, "styles": styles, "events": event_bands(snap, lang)}

