"""The trainers' live dashboard: ``orgsim dashboard [--lang nl|en] [--port P]`` (or ``solara run sim/app.py``).

A Solara page driven by Mesa models (:class:`sim.model.OrgModel`): a scenario picker and a policy picker,
sliders generated from the parameter schema (:data:`sim.params.PARAMS`: labels and ranges; help texts), Setup /
Step / Run / Reset like NetLogo with a week counter, buttons that fire events at the current week, and an A/B
mode: the same team (same seed, same people) under two policies, their curves on shared axes. Plots are
Vega-Lite specs rendered in the browser (SVG); the team is drawn as a network with each manager in the middle of
the team, people coloured by state; the manager's hours are shown by activity.

Three layers, each testable on its own:

* :class:`Dashboard` - plain Python, no Solara: the settings, the models, stepping, events, replays, and a
  :class:`Snapshot` of everything the page shows. Moving a slider rebuilds the models with the same seed and
  replays them to the current week (fired events included), so the curves show the whole run under the new
  value.
* ``*_chart`` functions - Vega-Lite specs and their data from a snapshot, in English or Dutch.
* Solara components (:func:`Page`) - the page; they only read snapshots and call :class:`Dashboard` methods.

:func:`serve` runs the Solara server on 127.0.0.1 with telemetry off and every JavaScript/CSS asset served from
the ``solara-assets`` package: the page makes no request outside the machine.
"""

from __future__ import annotations

import html
import json
import math
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import ipyvue
import numpy as np
import solara
import solara.server.settings as solara_server_settings
import solara.settings
import traitlets
from solara.alias import rv

from sim import budget
from sim.dashboard_guard import (HostCheck, OwnPageOnly, Refused, choice, flag, handler, log, number, page_text,
                                 private_assets)
from sim.metrics import label as metric_label
from sim.model import ABSENT, VACANT, OrgModel, free_finished
from sim.params import BY_KEY, EVENT_LABELS, POLICY_LABELS, ConfigError, load_scenario, text, with_updates
from sim.plots import COLORS, PERCENT, SMOOTH
from sim.policies import PRESETS, resolve
from sim.rules.motivation import ENGAGED_AT
from sim.rules.strain import burnout_criterion
from sim.safe_text import one_line

# --------------------------------------------------------------------------------------------------------------
# words: every UI string in English and Dutch (metric labels come from sim.metrics, parameter labels from the
# schema)
# --------------------------------------------------------------------------------------------------------------
UI: dict[str, tuple[str, str]] = {
    "title": ("orgsim - leadership, live", "orgsim - leiderschap, live"),
    "scenario": ("Scenario", "Scenario"),
    "policy_a": ("Leadership style", "Leiderschapsstijl"),
    "policy_b": ("Style B (compare)", "Stijl B (vergelijk)"),
    "ab": ("A/B: the same team under two styles", "A/B: hetzelfde team onder twee stijlen"),
    "setup": ("Setup", "Opzetten"),
    "step": ("Step", "Stap"),
    "run": ("Run", "Start"),
    "pause": ("Pause", "Pauze"),
    "year": ("+1 year", "+1 jaar"),
    "reset": ("Reset", "Herstel"),
    "week": ("Week", "Week"),
    "events": ("Fire now:", "Nu laten gebeuren:"),
    **EVENT_LABELS,   # the events' buttons: their labels (sim.params), the crunch's with its length
    "pressure": ("Pressure crunch ({weeks} weeks)", "Piekdrukte ({weeks} weken)"),
    "team_work": ("Team and work", "Team en werk"),
    "style_knobs": ("Leadership style A: the knobs", "Leiderschapsstijl A: de knoppen"),
    "network": ("The team", "Het team"),
    "hours": ("The manager's week (hours, 4-week average)",
              "De week van de manager (uren, gemiddelde over 4 weken)"),
    "curves": ("Week by week", "Week na week"),
    "now": ("This week", "Deze week"),
    "state": ("State", "Toestand"),
    "engaged": ("engaged", "bevlogen"),
    "neutral": ("so-so", "neutraal"),
    "strained": ("strained", "overbelast"),
    "burnt_out": ("burnt out / sick", "burn-out / ziek"),
    "left": ("left (vacancy)", "vertrokken (vacature)"),
    "manager": ("manager", "manager"),
    "activity": ("Activity", "Activiteit"),
    "hours_axis": ("hours", "uren"),
    "target": ("target", "norm"),
    "avg4": ("4-week average", "gemiddelde over 4 weken"),
    "event_band": ("event", "gebeurtenis"),
    "replayed": ("replayed weeks 1-{week} with the new value",
                 "weken 1-{week} opnieuw berekend met de nieuwe waarde"),
    "fired": ("{what} from week {start}", "{what} vanaf week {start}"),
    "finished": ("End of the scenario ({weeks} weeks)", "Einde van het scenario ({weeks} weken)"),
    "teams_shown": ("showing {shown} of {teams} teams", "{shown} van {teams} teams getoond"),
    "failed": ("Something went wrong; the details are in the server's log.",
               "Er ging iets mis; de details staan in het logboek van de server."),
    "again": ("Start again", "Opnieuw beginnen"),
}
# the sliders a trainer needs, in the order shown: (key, step, narrower maximum for the page or None)
TEAM_SLIDERS = (("team.size", 1, 100), ("team.competence_mean", 0.05, None),
                ("team.resilience_mean", 0.05, None), ("work.workload", 0.05, None),
                ("manager.insecurity", 0.05, None), ("manager.hours", 1, None))
KNOB_SLIDERS = tuple((f"policy.{k}", 0.05, None) for k in ("autonomy", "monitoring", "approval", "coaching",
                                                            "frameworks", "blame", "takeover", "reactivity"))
# events fired by the buttons: kind -> (weeks it lasts, magnitude)
EVENT_BUTTONS: dict[str, tuple[int, float]] = {"pressure": (8, 1.5), "reorganisation": (8, 1.5),
                                               "key_person_leaves": (1, 1.0)}
PANELS = ("engagement", "burnout_share", "output", "trust_in_manager")
HOURS = ("hours_monitoring", "hours_doing", "hours_coaching", "hours_vision")
MONITORS = ("engagement", "burnout_share", "output", "trust_in_manager", "psych_safety", "leavers",
            "manager_hours", "hours_coaching")
STATES = ("engaged", "neutral", "strained", "burnt_out", "left")
STATE_COLORS = ("#229954", "#b3c0c8", "#e67e22", "#c0392b", "#ffffff")
HOURS_COLORS = ("#7d3c98", "#b9770e", "#229954", "#2471a3")
SIDE_COLORS = {"A": COLORS[0], "B": COLORS[1]}
MAX_TEAMS_DRAWN = 12
MAX_PEER_TIES_DRAWN = 250   # more is a hairball, and slows every redraw
PLAY_SECONDS = 0.12  # pause between weeks while running: a year in about 8 seconds


def tr(key: str, lang: str, **kw) -> str:
    en, nl = UI[key]
    s = nl if lang == "nl" else en
    return s.format(**kw) if kw else s


def policy_label(name: str, lang: str) -> str:
    en, nl = POLICY_LABELS.get(name, (name, name))[:2]
    return nl if lang == "nl" else en


def param_label(key: str, lang: str) -> str:
    p = BY_KEY[key]
    return (p.label_nl or p.label_en) if lang == "nl" else p.label_en


def param_help(key: str, lang: str) -> str:
    p = BY_KEY[key]
    return (p.help_nl or p.help) if lang == "nl" else p.help


def default_lang() -> str:
    """``ORGSIM_LANG`` (set by ``orgsim dashboard --lang``), else the locale."""
    lang = os.environ.get("ORGSIM_LANG", "")
    if lang in ("en", "nl"):
        return lang
    loc = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    return "nl" if loc.lower().startswith("nl") else "en"


def scenario_folder() -> Path:
    """The folder of the picker's scenario files: ``ORGSIM_SCENARIOS`` (set by ``orgsim dashboard``), else
    ``scenarios/`` beside the package."""
    return Path(os.environ.get("ORGSIM_SCENARIOS") or Path(__file__).resolve().parent.parent / "scenarios")


def scenario_files() -> list[Path]:
    """The scenario files offered in the picker."""
    return sorted(scenario_folder().glob("*.toml"))


# --------------------------------------------------------------------------------------------------------------
# the dashboard's state and models (no Solara here)
# --------------------------------------------------------------------------------------------------------------
def fire_event(model: OrgModel, kind: str, weeks: int, magnitude: float) -> dict:
    """Add an event to a running model that starts next week (the week being simulated by the next step) and
    lasts ``weeks`` weeks. Returns the event as it is stored in ``model.params.events``."""
    start = model.week + 1
    ev = {"kind": kind, "start": start, "end": start + max(weeks, 1) - 1, "magnitude": float(magnitude)}
    model.params = with_updates(model.params, events=[*(e.model_dump() for e in model.params.events), ev])
    return ev


def node_states(model: OrgModel) -> np.ndarray:
    """State of every position as an index into :data:`STATES`: left (vacant), burnt out (on sick leave or
    exhausted and cynical), strained (exhausted), engaged, or neutral."""
    s, dyn = model.state, model.params.dynamics
    out = np.where(s.engagement >= ENGAGED_AT, 0, 1)
    out = np.where(s.exhaustion >= dyn.burnout_exhaustion, 2, out)
    burnt = burnout_criterion(s.exhaustion, s.cynicism, dyn.burnout_exhaustion, dyn.burnout_cynicism)
    out = np.where(burnt, 3, out)
    out = np.where(s.status == ABSENT, 3, out)
    return np.where(s.status == VACANT, 4, out)


@dataclass
class TeamDrawing:
    """Where each position and each team lead is drawn (static for a model: the same team under A and B)."""

    x: np.ndarray
    y: np.ndarray
    team: np.ndarray             # team (ring) of each position
    mx: np.ndarray
    my: np.ndarray
    shown: np.ndarray            # positions drawn (teams beyond MAX_TEAMS_DRAWN are left out)
    teams_shown: int
    teams: int
    ties: np.ndarray             # (k, 2) peer ties drawn
    node_size: float


def team_layout(model: OrgModel) -> TeamDrawing:
    """Each team as a ring around its team lead; teams on a grid."""
    org = model.org
    team, nt = org.team, org.n_teams
    shown_t = min(nt, MAX_TEAMS_DRAWN)
    cols = math.ceil(math.sqrt(shown_t))
    mx = np.array([3.0 * (t % cols) for t in range(shown_t)])
    my = np.array([-3.0 * (t // cols) for t in range(shown_t)])
    sizes = np.bincount(team, minlength=nt)
    rank = np.arange(len(team)) - np.concatenate([[0], np.cumsum(sizes)])[team]  # index within the team
    shown = np.flatnonzero(team < shown_t)
    ang = 2 * np.pi * rank[shown] / np.maximum(sizes[team[shown]], 1) + np.pi / 2
    x, y = np.full(len(team), np.nan), np.full(len(team), np.nan)
    x[shown] = mx[team[shown]] + np.cos(ang)
    y[shown] = my[team[shown]] + np.sin(ang)
    peers = org.peers.tocoo()
    keep = (peers.row < peers.col) & (team[peers.row] < shown_t) & (team[peers.col] < shown_t)
    ties = np.column_stack([peers.row[keep], peers.col[keep]])
    if len(ties) > MAX_PEER_TIES_DRAWN:  # an even selection
        ties = ties[np.linspace(0, len(ties) - 1, MAX_PEER_TIES_DRAWN).astype(int)]
    node_size = float(np.clip(2400 / max(sizes.max(), 1) / max(cols, 1), 12, 220))
    return TeamDrawing(x, y, team.copy(), mx, my, shown, shown_t, nt, ties, node_size)


@dataclass
class Side:
    """One of the (one or two) models on the page at this moment."""

    key: str                      # "A" or "B"
    policy: str
    series: dict[str, list]       # metric -> one value per week (week 1 first)
    states: np.ndarray            # per position, index into STATES
    engagement: np.ndarray
    exhaustion: np.ndarray
    competence: np.ndarray
    manager_strain: np.ndarray


@dataclass
class Snapshot:
    """Everything the page shows, copied from the models at one moment (rendering never touches a model)."""

    week: int
    weeks: int
    sides: list[Side]
    events: list[dict]
    target: float
    contract_hours: float
    layout: TeamDrawing


@dataclass
class Dashboard:
    """The settings and models of one browser session.

    Settings: a scenario file, the policy of A (and B in A/B mode), overrides of schema keys set by sliders,
    and the events fired so far. Every change goes through a method; the models are rebuilt from the settings
    (same seed: same people) and replayed to the current week when a setting changes mid-run.
    """

    scenario_path: Path | None
    policy_a: str = ""
    policy_b: str = "coaching"
    ab: bool = False
    overrides: dict = field(default_factory=dict)
    fired: list = field(default_factory=list)
    models: dict = field(default_factory=dict)
    message: str = ""
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _layout: TeamDrawing | None = field(default=None, repr=False)

    def __post_init__(self):
        self.load(self.scenario_path)

    # --- settings -------------------------------------------------------------------------------------------
    def load(self, path: Path | str | None) -> None:
        """Pick a scenario: its own values and policy, no overrides, no fired events, week 0. A file that does
        not validate, or would not fit in memory, is a :class:`ConfigError` and changes nothing."""
        with self._lock:
            new = Path(path) if path else None
            base = load_scenario(new)
            budget.check(base, str(new or "<defaults>"), runs=2 if self.ab else 1)
            self.scenario_path, self.base = new, base
            self.policy_a = self.base.policy.name
            if self.policy_b == self.policy_a:
                self.policy_b = "coaching" if self.policy_a != "coaching" else "controlling"
            self.overrides, self.fired, self.message = {}, [], ""
            self.setup()

    def params(self, side: str = "A"):
        """Validated parameters of side A or B: the scenario, the sliders' values, the fired events."""
        sections: dict[str, dict] = {}
        for key, value in self.overrides.items():
            sec, name = key.split(".", 1)
            if sec == "policy" and side == "B":
                continue  # knob sliders belong to A; B is its preset
            sections.setdefault(sec, {})[name] = value
        pol = sections.setdefault("policy", {})
        pol["name"] = self.policy_a if side == "A" else self.policy_b
        if side == "B" or pol["name"] != self.base.policy.name:
            for k in PRESETS[pol["name"]]:   # another style than the file's: its preset, then the sliders
                pol.setdefault(k, None)
        events = [*(e.model_dump() for e in self.base.events), *self.fired]
        return with_updates(self.base, events=events, **sections)

    def value(self, key: str, side: str = "A"):
        """The value a slider shows: the effective value for side A (policy knobs resolved from the preset)."""
        sp = self.params(side)
        sec, name = key.split(".", 1)
        if sec == "policy":
            return getattr(resolve(sp.policy), name)
        return getattr(getattr(sp, sec), name)

    @property
    def week(self) -> int:
        return self.models["A"].week if self.models else 0

    @property
    def weeks(self) -> int:
        return self.base.scenario.weeks

    # --- building and stepping ----------------------------------------------------------------------------
    def _build(self, weeks: int) -> None:
        sides = ("A", "B") if self.ab else ("A",)
        params = {s: self.params(s) for s in sides}   # validated before the old models go
        for s in sides:   # and within the memory available (sliders can make a big organisation bigger)
            budget.check(params[s], self.scenario_path.name if self.scenario_path else "<defaults>",
                         runs=len(sides), what="the dashboard's models")
        dropped = sum(m.org.n_positions for m in self.models.values())
        self.models = {}
        free_finished(dropped)   # before the new models are made: a big organisation's old ones are freed first
        models = {s: OrgModel(params[s], seed=params[s].scenario.seed) for s in sides}
        for m in models.values():
            m.run(weeks)
        self.models = models
        self._layout = team_layout(models["A"])

    def setup(self) -> None:
        """NetLogo's setup: new models from the current settings, week 0."""
        with self._lock:
            self.fired = [e for e in self.fired if e["start"] <= 0]
            self._build(0)

    def reset(self) -> None:
        """Back to the scenario as written: sliders to its values, fired events cleared, week 0."""
        self.load(self.scenario_path)

    def step(self, weeks: int = 1) -> None:
        with self._lock:
            if self.message.startswith("replayed:"):
                self.message = ""
            for _ in range(weeks):
                for m in self.models.values():
                    m.step()

    def _replay(self) -> None:
        week = self.week
        self._build(week)
        if week:
            self.message = f"replayed:{week}"

    def set_value(self, key: str, value) -> None:
        """A slider moved: keep the value (validated), rebuild and replay to the current week."""
        p = BY_KEY[key]
        value = round(value) if p.kind == "int" else float(value)
        with self._lock:
            new = {**self.overrides, key: value}
            old, self.overrides = self.overrides, new
            try:
                self.params("A")
                self._replay()
            except ConfigError:
                self.overrides = old
                raise

    def set_policy(self, side: str, name: str) -> None:
        if name not in PRESETS:
            raise ConfigError(f"policy {name!r}: allowed: {', '.join(PRESETS)}")
        with self._lock:
            if side == "A":
                self.policy_a = name
                self.overrides = {k: v for k, v in self.overrides.items() if not k.startswith("policy.")}
            else:
                self.policy_b = name
            self._replay()

    def set_ab(self, on: bool) -> None:
        with self._lock:
            old, self.ab = self.ab, bool(on)
            try:
                self._replay()
            except ConfigError:
                self.ab = old
                raise

    def fire(self, kind: str) -> dict:
        """Fire an event at the current week in every model (and remember it for replays)."""
        weeks, magnitude = EVENT_BUTTONS[kind]
        with self._lock:
            ev = None
            for m in self.models.values():
                ev = fire_event(m, kind, weeks, magnitude)
            self.fired.append(ev)
            self.message = f"fired:{kind}:{ev['start']}"
            return ev

    # --- what the page shows --------------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        with self._lock:
            sides = []
            for key, m in self.models.items():
                series = {k: list(v) for k, v in m.datacollector.model_vars.items()}  # Mesa's DataCollector
                s = m.state
                sides.append(Side(key, m.params.policy.name, series, node_states(m), s.engagement.copy(),
                                  s.exhaustion.copy(), s.competence.copy(), m.mstate.strain.copy()))
            a = self.models["A"].params
            events = [e.model_dump() for e in a.events]
            return Snapshot(self.week, self.weeks, sides, events, a.work.target, a.manager.hours, self._layout)


# --------------------------------------------------------------------------------------------------------------
# Vega-Lite specs (the browser draws them as SVG)
# --------------------------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------------------------
# the chart widget (Vue): vega, vega-lite and vega-embed from the local asset proxy, like Solara's own charts
# --------------------------------------------------------------------------------------------------------------
VEGA_TEMPLATE = """
<template>
  <div ref="plot" class="orgsim-vega"></div>
</template>
<script>
module.exports = {
  mounted() { this.embed(); },
  beforeDestroy() { if (this.view) { this.view.finalize(); } },
  watch: {
    spec_json() { this.embed(); },
    data_json() { this.update(); },
  },
  methods: {
    cdn() { return (window.solara && window.solara.cdn) || '/_solara/cdn'; },
    libs() {
      if (!window.orgsimVega) {
        window.orgsimVega = new Promise((resolve, reject) => {
          const go = () => {
            window.requirejs.config({map: {'*': {
              'vega': this.cdn() + '/vega@5/build/vega.min.js',
              'vega-lite': this.cdn() + '/vega-lite@5/build/vega-lite.min.js',
              'vega-embed': this.cdn() + '/vega-embed@6/build/vega-embed.min.js'}}});
            window.requirejs(['vega', 'vega-lite', 'vega-embed'], (vega, vl, embed) => resolve(embed), reject);
          };
          if (window.requirejs) { go(); return; }
          const s = document.createElement('script');
          s.src = this.cdn() + '/requirejs@2.3.6/require.js';
          s.onload = go;
          s.onerror = reject;
          document.head.appendChild(s);
        });
      }
      return window.orgsimVega;
    },
    async embed() {
      const vegaEmbed = await this.libs();
      const token = {};
      this.embedding = token;
      const used = this.data_json;
      const spec = Object.assign(JSON.parse(this.spec_json), {datasets: JSON.parse(used)});
      const result = await vegaEmbed(this.$refs.plot, spec, {renderer: 'svg', actions: false, logLevel: 1});
      if (this.embedding !== token) { result.view.finalize(); return; }
      if (this.view && this.view !== result.view) { this.view.finalize(); }
      this.view = result.view;
      this.shown = used;
      this.update();
    },
    update() {
      if (!this.view || this.shown === this.data_json) { return; }
      const used = this.data_json, ds = JSON.parse(used);
      for (const name of Object.keys(ds)) {
        try { this.view.data(name, ds[name]); } catch (e) { /* a new spec with this data set is on its way */ }
      }
      this.shown = used;
      this.view.runAsync();
    },
  },
};
</script>
"""


# --------------------------------------------------------------------------------------------------------------
# Solara components
# --------------------------------------------------------------------------------------------------------------
# Per browser session (Solara keeps module-level reactive values per connection):
lang_r = solara.reactive("")       # "" until chosen on the page: default_lang()
tick = solara.reactive(0)            # bumped after every change: the main view re-renders
settings_tick = solara.reactive(0)   # bumped after a change of settings: the sidebar re-renders
playing = solara.reactive(False)
ROW = {"flex-wrap": "wrap", "align-items": "flex-start", "gap": "24px"}
BOX = {"flex": "0 0 auto"}


def _changed(settings: bool = False) -> None:
    tick.set(tick.value + 1)
    if settings:
        settings_tick.set(settings_tick.value + 1)


@solara.component
def Heading(words: str, level: int = 3):
    solara.HTML(tag=f"h{level}", unsafe_innerHTML=html.escape(words), style={"margin": "10px 0 4px 0"})


class VegaView(ipyvue.VueTemplate):
    """A Vega-Lite chart drawn in the browser as SVG. The spec is embedded when it changes (rarely: settings,
    language); the datasets (named data of the spec) are swapped into the running view every week, without
    re-embedding. Both travel as JSON text: the page's component tree never walks thousands of data rows.
    Vega is loaded from Solara's local asset proxy."""

    template = traitlets.Unicode(VEGA_TEMPLATE).tag(sync=True)
    spec_json = traitlets.Unicode("{}").tag(sync=True)
    data_json = traitlets.Unicode("{}").tag(sync=True)


def Chart(chart: tuple[dict, dict], name: str):
    """A (spec, datasets) pair from one of the ``*_chart`` functions, as JSON text (the component tree then
    compares two strings, not thousands of rows); ``name`` becomes a CSS class."""
    spec, datasets = chart
    return ChartView(json.dumps(spec), json.dumps(datasets), name)


@solara.component
def ChartView(spec_json: str, data_json: str, name: str):
    with solara.Div(classes=[f"orgsim-{name}"]):
        VegaView.element(spec_json=spec_json, data_json=data_json)


@solara.component
def ParamSlider(dash: Dashboard, key: str, current: float, step: float, hi: float | None, lang: str):
    """A slider for one schema key: label and range from :data:`sim.params.PARAMS`, help as a tooltip. The label
    follows the thumb while dragging; the model is rebuilt when the thumb is let go (or moved by keyboard)."""
    p = BY_KEY[key]
    lo, top = p.lo, hi if hi is not None else p.hi
    shown, set_shown = solara.use_state(current)
    solara.use_effect(lambda: set_shown(current), [current])  # a policy or scenario change moved it

    @handler
    def follow(value):   # the label follows the thumb: only numbers the slider can show
        set_shown(number(value, lo, top, key))

    @handler
    def commit(value):
        if value is None or value == current:
            return
        value = number(value, lo, top, key)
        try:
            dash.set_value(key, value)
        except ConfigError as exc:
            dash.message = page_text(str(exc), scenario_folder())
        _changed(settings=True)

    with solara.Div(classes=["orgsim-slider"], attributes={"data-key": key}):
        with solara.Tooltip(param_help(key, lang)):
            solara.Text(f"{param_label(key, lang)}: {shown:g}", classes=["orgsim-slider-label"])
        sl = rv.Slider(v_model=shown, on_v_model=follow, min=lo, max=top, step=step, hide_details=True,
                       dense=True, class_="mt-0 pt-0")
        rv.use_event(sl, "change", lambda *args: commit(args[-1]))


@solara.component
def Sidebar(dash: Dashboard, lang: str):
    settings_tick.value  # noqa: B018  re-render when the settings change
    items = solara.use_memo(lambda: scenario_items(lang), [lang])
    offered = [it["value"] for it in items]

    def settle(change):
        """Make a change of settings; a refusal (too big, not valid) is the page's message, without paths."""
        try:
            change()
        except ConfigError as exc:
            dash.message = page_text(str(exc), scenario_folder())
        _changed(settings=True)

    @handler
    def pick_scenario(path):
        path = choice(path, offered, "scenario")   # one of the listed files, or refused before any file is read
        playing.set(False)
        settle(lambda: dash.load(path))

    def pick_policy(side):
        @handler
        def set_(name):
            name = choice(name, list(PRESETS), f"policy {side}")
            settle(lambda: dash.set_policy(side, name))
        return set_

    @handler
    def set_ab(on):
        on = flag(on, "A/B")
        settle(lambda: dash.set_ab(on))

    pol_items = [{"text": policy_label(k, lang), "value": k} for k in PRESETS]
    with solara.Column(classes=["orgsim-sidebar"]):
        rv.Select(label=tr("scenario", lang), items=items, v_model=str(dash.scenario_path),
                  on_v_model=pick_scenario, class_="orgsim-scenario")
        rv.Select(label=tr("policy_a", lang) + (" A" if dash.ab else ""), items=pol_items,
                  v_model=dash.policy_a, on_v_model=pick_policy("A"), class_="orgsim-policy-a")
        rv.Switch(label=tr("ab", lang), v_model=dash.ab, on_v_model=set_ab, class_="orgsim-ab")
        if dash.ab:
            rv.Select(label=tr("policy_b", lang), items=pol_items, v_model=dash.policy_b,
                      on_v_model=pick_policy("B"), class_="orgsim-policy-b")
        Heading(tr("team_work", lang), 4)
        for key, step, hi in TEAM_SLIDERS:
            ParamSlider(dash, key, dash.value(key), step, hi, lang).key(key)
        Heading(tr("style_knobs", lang), 4)
        for key, step, hi in KNOB_SLIDERS:
            ParamSlider(dash, key, dash.value(key), step, hi, lang).key(key)


def scenario_items(lang: str) -> list[dict]:
    """The picker's entries: scenario titles in ``lang``; files that do not validate are left out (one line in
    the server's log each)."""
    items = []
    for f in scenario_files():
        try:
            items.append({"text": text(load_scenario(f), "title", lang), "value": str(f)})
        except ConfigError as exc:
            log.warning("orgsim dashboard: left out of the picker: %s", one_line(exc))
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the sidebar
            log.warning("orgsim dashboard: left out of the picker: %s (%s)", f.name, type(exc).__name__)
    return items


@solara.component
def Controls(dash: Dashboard, lang: str, week: int, weeks: int, message: str):
    def act(fn, settings=False):
        @handler
        def go():
            fn()
            _changed(settings)
        return go

    def stop_then(fn):
        def go():
            playing.set(False)
            fn()
        return go

    at_end = week >= weeks
    run = playing.value
    with solara.Row(classes=["orgsim-controls"], style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(tr("setup", lang), on_click=act(stop_then(dash.setup)), color="primary", outlined=True,
                      classes=["orgsim-setup"])
        solara.Button(tr("step", lang), on_click=act(dash.step), color="primary", disabled=run,
                      classes=["orgsim-step"])
        solara.Button(tr("pause", lang) if run else tr("run", lang), on_click=lambda: playing.set(not run),
                      color="primary", disabled=at_end and not run, classes=["orgsim-run"])
        solara.Button(tr("year", lang), on_click=act(lambda: dash.step(52)), color="primary", outlined=True,
                      disabled=run, classes=["orgsim-year"])
        solara.Button(tr("reset", lang), on_click=act(stop_then(dash.reset), settings=True), outlined=True,
                      classes=["orgsim-reset"])
        solara.HTML(tag="div", unsafe_innerHTML=f"{html.escape(tr('week', lang))} <b>{week}</b> / {weeks}",
                    classes=["orgsim-week"], style={"font-size": "24px", "margin-left": "16px"})
    with solara.Row(classes=["orgsim-events"], style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(tr("events", lang))
        for kind, (weeks_on, _) in EVENT_BUTTONS.items():
            solara.Button(tr(kind, lang, weeks=weeks_on), on_click=act(lambda kind=kind: dash.fire(kind)),
                          color="warning",
                          outlined=True, classes=[f"orgsim-fire-{kind}"])
    msg = message
    if msg.startswith("replayed:"):
        solara.Info(tr("replayed", lang, week=msg.split(":")[1]), dense=True)
    elif msg.startswith("fired:"):
        _, kind, start = msg.split(":")
        what = tr(kind, lang, weeks=EVENT_BUTTONS[kind][0])
        solara.Info(tr("fired", lang, what=what, start=start), dense=True)
    elif msg:
        solara.Warning(msg, dense=True)
    if at_end:
        solara.Info(tr("finished", lang, weeks=weeks), dense=True)


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


@solara.component
def ScenarioText(sp, lang: str):
    """What the scenario shows, what to notice, what to try - in the page's language."""
    esc = html.escape
    parts = [f"<b>{esc(text(sp, 'title', lang))}</b> - {esc(text(sp, 'description', lang))}"]
    for fld in ("notice", "try"):
        body = text(sp, fld, lang)
        if body:
            parts.append(f"<b>{esc(param_label(f'scenario.{fld}_{lang}', lang))}:</b> {esc(body)}")
    solara.HTML(tag="div", unsafe_innerHTML="".join(f"<p>{x}</p>" for x in parts), classes=["orgsim-texts"],
                style={"max-width": "1100px"})


@solara.component
def MainView(dash: Dashboard, lang: str):
    tick.value  # noqa: B018  re-render after every step or change
    snap = dash.snapshot()
    Controls(dash, lang, snap.week, snap.weeks, dash.message)
    ScenarioText(dash.base, lang)
    with solara.Row(style=ROW):
        with solara.Div(style=BOX):
            Heading(tr("curves", lang))
            Chart(curves_chart(snap, lang), "curves")
        with solara.Div(style=BOX):
            Heading(tr("now", lang))
            solara.HTML(tag="table", unsafe_innerHTML=monitors_html(snap, lang), classes=["orgsim-monitors"],
                        style={"border-spacing": "14px 2px", "font-size": "15px"})
    with solara.Row(style=ROW):
        with solara.Div(style=BOX):
            lay = snap.layout
            more = (f" ({tr('teams_shown', lang, shown=lay.teams_shown, teams=lay.teams)})"
                    if lay.teams_shown < lay.teams else "")
            Heading(tr("network", lang) + more)
            Chart(network_chart(snap, lang), "network")
        with solara.Div(style=BOX):
            Heading(tr("hours", lang))
            Chart(hours_chart(snap, lang), "hours")


LANGS = ("en", "nl")


@solara.component
def Page():
    """The page behind an error boundary: an error while drawing it is one line in the server's log; the browser
    gets a short notice (no traceback, no server path) and a button that starts the page again."""
    error, clear = solara.use_exception()
    lang = lang_r.value if lang_r.value in LANGS else default_lang()
    if error is not None:
        log.error("orgsim dashboard: %s while drawing the page; it starts again when asked",
                  type(error).__name__)
        with solara.Column(style={"padding": "16px"}):
            solara.Error(tr("failed", lang))
            solara.Button(tr("again", lang), on_click=clear, color="primary", classes=["orgsim-again"])
        return
    DashboardPage()


@solara.component
def LanguageButtons(lang: str):
    """EN / NL: the browser sends the index of a button, nothing else is taken."""
    @handler
    def pick_lang(index):
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(LANGS):
            raise Refused(f"language: {index!r:.60} is not one of the buttons")
        lang_r.set(LANGS[index])

    rv.BtnToggle(children=[solara.Button(label=x) for x in LANGS], v_model=LANGS.index(lang),
                 on_v_model=pick_lang, mandatory=True, class_="orgsim-lang")


@solara.component
def DashboardPage():
    lang = lang_r.value if lang_r.value in LANGS else default_lang()
    dash = solara.use_memo(lambda: Dashboard(default_scenario()), [])

    def run_loop(cancel: threading.Event):
        """Run: one week at a time until the end of the scenario or Pause."""
        while playing.value and not cancel.is_set():
            if dash.week >= dash.weeks:
                playing.set(False)
                break
            dash.step(1)
            _changed()
            cancel.wait(PLAY_SECONDS)

    solara.use_thread(run_loop, dependencies=[playing.value], intrusive_cancel=False)
    solara.Title(tr("title", lang))
    with solara.AppBar():
        solara.AppBarTitle(tr("title", lang))
        LanguageButtons(lang)
    with solara.Sidebar():
        Sidebar(dash, lang)
    with solara.Column(style={"padding": "8px 16px"}):
        MainView(dash, lang)


def default_scenario() -> Path | None:
    """The micromanager if the picker offers it, else the picker's first scenario, else the schema's
    defaults."""
    files = [Path(i["value"]) for i in scenario_items(default_lang())]
    for f in files:
        if f.stem == "controlling":
            return f
    return files[0] if files else None


page = Page


# --------------------------------------------------------------------------------------------------------------
# the server: 127.0.0.1, no telemetry, every asset from the local solara-assets package
# --------------------------------------------------------------------------------------------------------------
_INSTALLED_ASSETS = Path(solara_server_settings.assets.proxy_cache_dir)   # solara-assets' files, as installed


def offline_assets() -> Path:
    """The directory Solara's asset proxy serves from: only local files, links to the assets installed by
    ``solara-assets`` plus version aliases, in a private folder this process made
    (:func:`sim.dashboard_guard.private_assets`; never a shared, guessable one)."""
    src = _INSTALLED_ASSETS
    if not (src / "@widgetti").is_dir():
        raise ConfigError("solara-assets is not installed (no @widgetti assets where Solara looks); install "
                          "the 'viz' extra: pip install -e '.[viz]'")
    return private_assets(src)


def configure_solara(lang: str = "en", production: bool = True) -> None:
    """Telemetry off, production mode, assets from the local proxy directory, never from the internet."""
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    solara_server_settings.telemetry.mixpanel_enable = False
    if production:  # (development mode adds a check that loads a page from solara.dev)
        solara_server_settings.main.mode = "production"
    solara_server_settings.theme.title = tr("title", lang)
    solara.settings.assets.proxy = True
    # an asset missing locally is a 404, not a download
    solara.settings.assets.cdn = "http://127.0.0.1:9/offline/"
    solara_server_settings.assets.proxy_cache_dir = offline_assets()


def serve(lang: str = "en", host: str = "127.0.0.1", port: int = 8765, scenarios: Path | None = None,
          announce=print) -> None:
    """Run the dashboard until interrupted. ``port=0`` picks a free port."""
    import socket
    import warnings

    import uvicorn

    # Solara warns that its session cookie falls back to SameSite=Lax over plain http: expected on 127.0.0.1
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    os.environ["ORGSIM_LANG"] = lang
    if scenarios is not None:
        os.environ["ORGSIM_SCENARIOS"] = str(Path(scenarios).resolve())
    configure_solara(lang)
    os.environ["SOLARA_APP"] = "sim.app"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"--port {port}: cannot listen on {host}:{port} ({exc.strerror or exc}); try another "
                          "port, or --port 0 for a free one") from None
    sock.listen(128)
    sock.set_inheritable(True)
    port = sock.getsockname()[1]
    from solara.server.starlette import app as solara_app

    # only this page: Host and Origin checked, assets only from the private folder (sim.dashboard_guard)
    assets = Path(solara_server_settings.assets.proxy_cache_dir)
    guarded = OwnPageOnly(solara_app, HostCheck(host, port), assets)
    config = uvicorn.Config(guarded, host=host, port=port, log_level="warning", ws_max_size=64 * 2**20)
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    announce(f"orgsim dashboard ({lang}): http://{shown}:{port}/   (Ctrl+C to stop)")
    server.run(sockets=[sock])


if "solara.server.app" in sys.modules:  # loaded by a Solara server (e.g. `solara run sim.app`): stay offline
    configure_solara(default_lang(), production=False)
