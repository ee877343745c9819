"""The dashboard's state, in plain Python (no Solara): the scenario picked, style A (and B in A/B mode), the
values the page's controls have set, the events fired, the Mesa models, stepping, replays, and a
:class:`Snapshot` of everything the page shows. Testable without a browser.

Moving a control rebuilds the models with the same seed and replays them to the current week (fired events
included), so the curves show the whole run under the new value.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim import budget
from sim.model import ABSENT, ACTIVE, VACANT, OrgModel, free_finished
from sim.metrics import METRICS
from sim.params import BY_KEY, ConfigError, load_scenario, with_updates
from sim.policies import PRESETS, resolve
from sim.rules.motivation import ENGAGED_AT
from sim.rules.strain import burnout_criterion
from sim.runner import start, with_survey
from sim.survey import for_survey

# events fired by the buttons: kind -> (weeks it lasts, magnitude)
EVENT_BUTTONS: dict[str, tuple[int, float]] = {"pressure": (8, 1.5), "reorganisation": (8, 1.5),
                                               "key_person_leaves": (1, 1.0)}
STATES = ("engaged", "neutral", "strained", "burnt_out", "left")
# what the page plots and shows as numbers unless the trainer picks other measures (any of sim.metrics.METRICS)
PANELS = ("engagement", "burnout_complaints_share", "output", "trust_in_manager")
MONITORS = ("engagement", "burnout_complaints_share", "output", "trust_in_manager", "psych_safety", "leavers",
            "manager_hours", "hours_coaching")
MEASURES = METRICS
# a person's story: these variables week by week (and the style they received, S1-S4)
PERSON_VARS = ("competence", "trust_in_manager", "engagement", "exhaustion")
# Run's speeds, in weeks per second (the page's speed control); the default is the second
SPEEDS = (2, 8, 26)
MAX_TEAMS_DRAWN = 12
MAX_PEER_TIES_DRAWN = 250   # more is a hairball, and slows every redraw


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
    autonomy: list[float]         # mean autonomy granted to the active, one value per week
    standards: float              # the team leads' standards (mean over teams): the zones' second axis
    story: dict | None = None     # the selected person: variable -> one value per week, "style", "status"


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
    panels: tuple[str, ...] = PANELS
    monitors: tuple[str, ...] = MONITORS
    person: int | None = None     # the position whose story is shown, or None


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
    panels: tuple = PANELS
    monitors: tuple = MONITORS
    speed: int = SPEEDS[1]
    person: int | None = None
    traces: dict = field(default_factory=dict)
    survey: object = field(default=None, repr=False)   # a scenario's [team] survey: its people start every run
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
            base, survey = with_survey(load_scenario(new))   # the survey read (and checked) once, here
            budget.check(base, str(new or "<defaults>"), runs=2 if self.ab else 1)
            self.scenario_path, self.base, self.survey = new, base, survey
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
        sp = with_updates(self.base, events=events, **sections)
        return sp if self.survey is None else for_survey(sp, self.survey)   # the surveyed team: its size

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
        return int(self.overrides.get("scenario.weeks", self.base.scenario.weeks))

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
        models = {s: start(params[s], self.survey, seed=params[s].scenario.seed) for s in sides}
        self._layout = team_layout(models["A"])
        self.traces = {s: Trace.start(m, self._layout.shown) for s, m in models.items()}
        for _ in range(weeks):
            for s, m in models.items():
                m.step()
                self.traces[s].record(m)
        self.models = models
        if self.person is not None and not np.isin(self.person, self._layout.shown):
            self.person = None

    def setup(self) -> None:
        """NetLogo's setup: new models from the current settings, week 0."""
        with self._lock:
            self.fired = [e for e in self.fired if e["start"] <= 0]
            self._build(0)

    def reset(self) -> None:
        """Back to the scenario as written: controls to its values, fired events cleared, A/B off, week 0."""
        with self._lock:
            old, self.ab = self.ab, False
            try:
                self.load(self.scenario_path)
            except ConfigError:
                self.ab = old
                raise

    def step(self, weeks: int = 1) -> None:
        with self._lock:
            if self.message.startswith("replayed:"):
                self.message = ""
            for _ in range(weeks):
                for s, m in self.models.items():
                    m.step()
                    self.traces[s].record(m)

    def _replay(self) -> None:
        week = min(self.week, self.weeks)
        self._build(week)
        if week:
            self.message = f"replayed:{week}"

    def set_value(self, key: str, value) -> None:
        """A slider moved: keep the value (validated), rebuild and replay to the current week."""
        p = BY_KEY[key]
        if p.kind == "int":
            value = round(value)
        elif p.kind in ("float", "knob"):
            value = float(value)
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

    def set_measures(self, panels=None, monitors=None) -> None:
        """Which measures the curves plot (``panels``) and which the monitors show; names from
        :data:`sim.metrics.METRICS`, at least one each."""
        for what, names in (("measures", panels), ("monitors", monitors)):
            if names is not None and (not names or any(n not in MEASURES for n in names)):
                raise ConfigError(f"{what}: {list(names)!r:.80}; allowed: one or more of {', '.join(MEASURES)}")
        with self._lock:
            self.panels = tuple(panels) if panels is not None else self.panels
            self.monitors = tuple(monitors) if monitors is not None else self.monitors

    def set_speed(self, weeks_per_second: int) -> None:
        if weeks_per_second not in SPEEDS:
            raise ConfigError(f"speed {weeks_per_second!r}: allowed: {', '.join(map(str, SPEEDS))} weeks a second")
        self.speed = weeks_per_second

    def play(self, keep_going, cancel: threading.Event, on_week=lambda: None) -> None:
        """Run: a week at a time, at :attr:`speed` weeks a second, while ``keep_going()`` and until ``cancel`` is
        set or the scenario ends; ``on_week()`` after each week (the page redraws)."""
        due = time.monotonic()
        while keep_going() and not cancel.is_set() and self.week < self.weeks:
            self.step(1)
            on_week()
            due = max(due + 1.0 / self.speed, time.monotonic() - 0.5)   # behind (a slow redraw): no burst after
            cancel.wait(max(0.0, due - time.monotonic()))

    def drawn(self) -> set[int]:
        """The positions drawn in the network (a click can pick one of them)."""
        return set(self._layout.shown.tolist())

    def select_person(self, position: int | None) -> None:
        """Show the story of the person at ``position`` (one of the positions drawn), or none."""
        with self._lock:
            if position is not None and position not in self.drawn():
                raise ConfigError(f"person {position!r}: not one of the people drawn")
            self.person = position

    # --- what the page shows --------------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        with self._lock:
            sides = []
            for key, m in self.models.items():
                series = {k: list(v) for k, v in m.datacollector.model_vars.items()}  # Mesa's DataCollector
                s = m.state
                tr = self.traces[key]
                story = tr.story(self._layout.shown, self.person) if self.person is not None else None
                sides.append(Side(key, m.params.policy.name, series, node_states(m), s.engagement.copy(),
                                  s.exhaustion.copy(), s.competence.copy(), m.mstate.strain.copy(),
                                  list(tr.autonomy), tr.standards, story))
            a = self.models["A"].params
            events = [e.model_dump() for e in a.events]
            return Snapshot(self.week, self.weeks, sides, events, a.work.target, a.manager.hours, self._layout,
                            self.panels, self.monitors, self.person)


@dataclass
class Trace:
    """What the page keeps of one model week by week beyond Mesa's DataCollector: the mean autonomy granted
    (the control curve's second line) and, for the people drawn, the variables of their story."""

    standards: float
    shown: np.ndarray
    autonomy: list = field(default_factory=list)
    people: dict = field(default_factory=dict)   # variable -> list of arrays (one per week) over the drawn

    @classmethod
    def start(cls, model: OrgModel, shown: np.ndarray) -> "Trace":
        return cls(float(np.mean(model.knob_bundle.standards)), shown,
                   people={v: [] for v in (*PERSON_VARS, "style", "status")})

    def record(self, model: OrgModel) -> None:
        s = model.state
        active = s.status == ACTIVE
        self.autonomy.append(float(s.autonomy[active].mean()) if active.any() else 0.0)
        for v, rows in self.people.items():
            rows.append(getattr(s, v)[self.shown].copy())

    def story(self, shown: np.ndarray, position: int) -> dict:
        """One person's variables week by week (week 1 first); style as 0..3 (S1..S4), status codes."""
        i = int(np.flatnonzero(shown == position)[0])
        return {v: [float(w[i]) if v not in ("style", "status") else int(w[i]) for w in rows]
                for v, rows in self.people.items()}
