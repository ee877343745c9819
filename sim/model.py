"""OrgModel: a thin Mesa model whose week is a visible sequence of pure submodels over numpy arrays.

One step is one work week. ``OrgModel.step()`` calls the rules of :mod:`sim.rules` in the order of
``docs/ODD.md`` ("Process overview and scheduling"), then collects the data.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field, fields

import mesa
import numpy as np
import pandas as pd

from . import policies
from .agents import EMPLOYEE_VARS, Employee, Manager, SeniorManager
from .metrics import METRICS, compute_metrics, level_metrics, team_metrics
from .org import build_org, combine_orgs
from .params import load_scenario
from .streams import SURFACE_SLOT, TASK_SLOT, Streams
from .rules import learning, motivation, safety, social, strain, trust, work
from .rules.common import clip01
from . import compiled

ACTIVE, ABSENT, VACANT = 0, 1, 2
ENGINES = ("compiled", "numpy")
FREE_AT = 10_000  # positions (all runs of a batch together) from which a dropped model is freed at once


def free_finished(positions: int) -> None:
    """Hand the memory of a model of ``positions`` positions back now; call it once every reference to the model
    is dropped (the runners after a run, the dashboard when it rebuilds). A Mesa model and its agents refer to
    each other, so Python frees them only at its next full garbage collection, which can come many models
    later: a loop over runs of the 50,004-person corporation grew by about 30 MB a run (957 MB after 24 runs in
    one process), and the dashboard by as much per slider move. A full collection costs 15-80 ms, so it is done
    only for models of :data:`FREE_AT` positions or more (half a second or more to build and run)."""
    if positions >= FREE_AT:
        gc.collect()
LAST_COUNTS = ("basic", "complex", "intelligent", "hidden", "reported", "surfaced")   # per position, in model.last


class _Arrays:
    """A state held as one numpy array per field, all of the length given by the one init field (``n`` or
    ``m``); the fields named in ``INT_FIELDS`` hold counts (int64), the others floats."""

    INT_FIELDS: tuple[str, ...] = ()

    @classmethod
    def array_fields(cls) -> tuple[tuple[str, type], ...]:
        """(name, dtype) of every array field."""
        got = cls.__dict__.get("_array_fields")
        if got is None:
            got = tuple((f.name, np.int64 if f.name in cls.INT_FIELDS else np.float64) for f in fields(cls)
                        if not f.init)
            cls._array_fields = got
        return got

    def make_plain(self) -> None:
        """Make every field an array the compiled loops can update in place: C-contiguous, writeable, of the
        field's dtype (a field someone replaced, say by a list or a read-only view, is copied). Only the fields
        assigned since the last call are checked again (:meth:`__setattr__` notes them)."""
        dirty = self.__dict__.get("_dirty")
        if dirty is not None and not dirty:
            return
        dtypes = self.__dict__.get("_dtypes")
        if dtypes is None:
            dtypes = self.__dict__["_dtypes"] = dict(self.array_fields())
        for name in (dtypes if dirty is None else tuple(dirty)):
            dtype = dtypes.get(name)
            if dtype is None:
                continue
            a = self.__dict__[name]
            if not (isinstance(a, np.ndarray) and a.flags.c_contiguous and a.flags.writeable and a.dtype == dtype):
                self.__dict__[name] = np.array(a, dtype=dtype)
        self.__dict__["_dirty"] = set()

    def __setattr__(self, name, value):
        dirty = self.__dict__.get("_dirty")
        if dirty is not None:
            dirty.add(name)
        object.__setattr__(self, name, value)

    def __post_init__(self):
        size = next(getattr(self, f.name) for f in fields(self) if f.init)
        for name, dtype in self.array_fields():
            setattr(self, name, np.zeros(size, dtype=dtype))


@dataclass
class EmployeeState(_Arrays):
    """State of every position, one array entry per position (slot)."""

    n: int
    competence: np.ndarray = field(init=False)
    motivation: np.ndarray = field(init=False)
    trust_in_manager: np.ndarray = field(init=False)
    ability_p: np.ndarray = field(init=False)
    benevolence_p: np.ndarray = field(init=False)
    integrity_p: np.ndarray = field(init=False)
    engagement: np.ndarray = field(init=False)
    exhaustion: np.ndarray = field(init=False)
    cynicism: np.ndarray = field(init=False)
    efficacy: np.ndarray = field(init=False)
    initiative: np.ndarray = field(init=False)
    safety: np.ndarray = field(init=False)
    tenure: np.ndarray = field(init=False)
    trust_propensity: np.ndarray = field(init=False)
    resilience: np.ndarray = field(init=False)
    learning_rate: np.ndarray = field(init=False)
    workload_share: np.ndarray = field(init=False)
    # what the manager applied / what happened last week
    autonomy: np.ndarray = field(init=False)
    monitoring: np.ndarray = field(init=False)
    approval: np.ndarray = field(init=False)
    coaching_received: np.ndarray = field(init=False)
    control: np.ndarray = field(init=False)
    output: np.ndarray = field(init=False)
    success_rate: np.ndarray = field(init=False)
    style: np.ndarray = field(init=False)             # S1..S4 as 0..3: the style actually used this week
    readiness_level: np.ndarray = field(init=False)   # R1..R4 as 0..3
    # the manager's view of this employee
    m_ability: np.ndarray = field(init=False)
    m_benevolence: np.ndarray = field(init=False)
    m_integrity: np.ndarray = field(init=False)
    manager_trust: np.ndarray = field(init=False)
    # bookkeeping
    status: np.ndarray = field(init=False)
    weeks_left: np.ndarray = field(init=False)        # sick leave or vacancy weeks remaining
    burnout_count: np.ndarray = field(init=False)
    hidden_backlog: np.ndarray = field(init=False)
    leave_weeks: np.ndarray = field(init=False)       # length of the current sick leave so far

    INT_FIELDS = ("tenure", "style", "readiness_level", "status", "weeks_left", "burnout_count", "hidden_backlog",
                  "leave_weeks")


@dataclass
class ManagerState(_Arrays):
    """State of every team lead, one array entry per team."""

    m: int
    boost: np.ndarray = field(init=False)
    prev_boost: np.ndarray = field(init=False)
    strain: np.ndarray = field(init=False)
    insecurity: np.ndarray = field(init=False)
    competence: np.ndarray = field(init=False)
    propensity: np.ndarray = field(init=False)
    resilience: np.ndarray = field(init=False)
    hours: np.ndarray = field(init=False)
    hours_monitoring: np.ndarray = field(init=False)
    hours_doing: np.ndarray = field(init=False)
    hours_coaching: np.ndarray = field(init=False)
    hours_vision: np.ndarray = field(init=False)
    hours_total: np.ndarray = field(init=False)
    team_output: np.ndarray = field(init=False)
    perceived_output: np.ndarray = field(init=False)
    orphan_backlog: np.ndarray = field(init=False)    # hidden failures of people who left (int counts)
    frameworks_effective: np.ndarray = field(init=False)
    # the manager's own manager (levels >= 2): control and support received, trust in them
    pressure: np.ndarray = field(init=False)
    support: np.ndarray = field(init=False)
    trust_in_boss: np.ndarray = field(init=False)

    INT_FIELDS = ("orphan_backlog",)


@dataclass
class SeniorState(_Arrays):
    """Managers above the team leads (department managers, the director): one entry each."""

    m: int
    boost: np.ndarray = field(init=False)
    strain: np.ndarray = field(init=False)
    insecurity: np.ndarray = field(init=False)
    resilience: np.ndarray = field(init=False)
    perceived_output: np.ndarray = field(init=False)
    unit_output: np.ndarray = field(init=False)       # output per position of all teams under them
    pressure: np.ndarray = field(init=False)
    support: np.ndarray = field(init=False)
    trust_in_boss: np.ndarray = field(init=False)
    control_down: np.ndarray = field(init=False)      # control they exert on the managers below
    support_down: np.ndarray = field(init=False)


class MetricsCollector(mesa.DataCollector):
    """Mesa's DataCollector of the weekly metrics (:data:`sim.metrics.METRICS`, one model reporter each),
    whose :meth:`collect` takes this week's values from ``model.metrics`` at once. Mesa's own loop calls each
    reporter and deep-copies its number (0.04 ms a week at 10,000 people); the table is the same, as the values
    are plain numbers. The first week goes through Mesa's own collect, which checks the reporters."""

    def collect(self, model):
        if not self._validated or self.agent_reporters or self.agenttype_reporters:
            return super().collect(model)
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        values, columns = model.metrics, self.model_vars
        for name in self.model_reporters:
            columns[name].append(values[name])


class OrgModel(mesa.Model):
    """Managers and employees under a leadership policy.

    Args:
        params: validated scenario parameters (:func:`sim.params.load_scenario`); defaults if None.
        seed: master seed; defaults to ``params.scenario.seed``. Four child streams are spawned from it with
            ``numpy.random.SeedSequence``: one for the initial team and graph, one for the weekly dynamics, one
            for which team lead follows which policy, and the key of the counter-based uniforms of the weekly
            task counts and turnover (:func:`sim.streams.luck`), so the same seed gives the same people, and
            the same weekly task and turnover luck, under every policy.
        record_agents: also keep one row per employee per week (``agent_records``).
        per_team: also keep one row per team and per management level per week.
        seeds: a batch: several seeds of the scenario side by side (``timeseries(run)`` gives each).
        engine: ``"compiled"`` (the default: the rules compiled with numba, :mod:`sim.compiled`) or ``"numpy"``
            (the rules on whole arrays, the easiest to read and step through). Same results.
    """

    def __init__(self, params=None, seed: int | None = None, record_agents: bool = False,
                 per_team: bool = False, seeds: list[int] | None = None, engine: str = "compiled"):
        params = params if params is not None else load_scenario(None)
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
        self.engine = engine
        self._scratch = None
        self._under = None   # the senior x team matrix for the compiled engine (CSR arrays)
        if seeds is None:
            seeds = [int(params.scenario.seed if seed is None else seed)]
        elif seed is not None or record_agents or per_team or len(seeds) == 0:
            raise ValueError("a batch (seeds=[...]) takes no seed, record_agents or per_team, and at least one seed")
        seeds = [int(s) for s in seeds]
        # per run: one stream for the people and the graph, one for the weekly dynamics, one for who leads how
        # (and a fourth: the key of the counter-based uniforms of the week's counts and turnover, streams.luck)
        spawned = [np.random.SeedSequence(s).spawn(4) for s in seeds]
        dyn_gens = [np.random.default_rng(d) for _, d, _, _ in spawned]
        super().__init__(rng=dyn_gens[0])
        dyn_gens[0] = self.rng
        for g in dyn_gens[1:]:  # Mesa seeds its Python `random` with one draw from the model's rng: do the same
            g.integers(np.iinfo(np.int32).max)
        self.seeds = seeds
        self.seed = seeds[0] if len(seeds) == 1 else seeds
        self.params = p = params
        self.week = 0
        init_rngs = [np.random.default_rng(i) for i, _, _, _ in spawned]

        # a batch is several copies of the organisation side by side, each drawn from its own seed
        orgs = [build_org(r, p.team.teams, p.team.size, p.team.peer_density, p.team.cross_team_density,
                          p.org.levels, p.org.span) for r in init_rngs]
        self.org = combine_orgs(orgs)
        n, m = self.org.n_positions, self.org.n_teams
        self._positions = np.bincount(self.org.team, minlength=m)
        self.n_runs = len(seeds)
        self._pos_bounds = np.cumsum([0] + [o.n_positions for o in orgs])
        self._team_bounds = np.cumsum([0] + [o.n_teams for o in orgs])
        self.run_of_position = np.repeat(np.arange(self.n_runs), np.diff(self._pos_bounds))
        self.run_of_team = np.repeat(np.arange(self.n_runs), np.diff(self._team_bounds))
        self._senior_counts = np.array([o.n_senior for o in orgs], dtype=np.int64)
        self.run_of_senior = np.repeat(np.arange(self.n_runs), self._senior_counts)
        # positions are grouped by team (sim.org): team t holds positions team_first[t]:team_first[t + 1]
        self.team_first = np.searchsorted(self.org.team, np.arange(m + 1)).astype(np.int64)
        if not np.array_equal(np.repeat(np.arange(m), np.diff(self.team_first)), self.org.team):
            raise RuntimeError("positions must be grouped by team (sim.org.build_org)")
        self.draw = Streams(dyn_gens, self._pos_bounds, self._team_bounds,
                            luck_keys=[lk.generate_state(1, np.uint64)[0] for _, _, _, lk in spawned])
        self.state = EmployeeState(n)
        self.mstate = ManagerState(m)
        # which team lead follows which policy: a stream of its own, so the people do not depend on it
        self.knobs = [k for o, (_, _, org_ss, _) in zip(orgs, spawned)
                      for k in policies.team_lead_knobs(p.policy, p.org, o.n_teams, np.random.default_rng(org_ss))]
        self._knob_arrays = {k: np.array([getattr(kn, k) for kn in self.knobs]) for k in policies.KNOBS}
        self.senior_knobs = [policies.preset(p.org.director_policy if boss < 0 else p.org.middle_policy)
                             for boss in self.org.senior_boss]
        self._senior_knob_arrays = {k: np.array([getattr(kn, k) for kn in self.senior_knobs], dtype=float)
                                    for k in policies.KNOBS}
        self.ustate = us = SeniorState(self.org.n_senior)
        us.insecurity[:] = p.manager.insecurity
        us.resilience[:] = p.manager.resilience
        us.strain[:] = 0.15
        us.perceived_output[:] = us.unit_output[:] = p.work.target
        us.trust_in_boss[:] = p.manager.trust_propensity
        self._senior_signals()
        for r, lo, hi in zip(init_rngs, self._pos_bounds[:-1], self._pos_bounds[1:]):
            self._init_people(r, np.arange(lo, hi), p.team.competence_mean)
        ms = self.mstate
        ms.insecurity[:] = p.manager.insecurity
        ms.competence[:] = p.manager.competence
        ms.propensity[:] = p.manager.trust_propensity
        ms.resilience[:] = p.manager.resilience
        ms.hours[:] = p.manager.hours
        ms.strain[:] = 0.15
        ms.team_output[:] = ms.perceived_output[:] = p.work.target
        ms.trust_in_boss[:] = p.manager.trust_propensity
        self._pressure_from_above()
        self.leavers_by_run = np.zeros(self.n_runs, dtype=np.int64)
        self.last = {}  # last week's event counts (failures etc.), per position
        self._partials = None  # the sums per team for this week's metrics, left by the compiled week

        self.managers_list = list(Manager.create_agents(self, m, list(range(m))))
        self.senior_list = list(SeniorManager.create_agents(self, self.org.n_senior, list(range(self.org.n_senior))))
        # the employees' Mesa agents are made when first looked at (see _sync_faces), the starting team first
        self._employees_at: list[Employee | None] = [None] * n
        self._face_log: list[tuple[bool | None, np.ndarray]] = [(None, np.arange(n))]
        self._replaying = False
        self.record_agents = record_agents
        self.agent_records: list[dict] = []
        self.per_team = per_team
        self.team_records: list[dict] = []
        self.level_records: list[dict] = []
        self.metrics: dict[str, float] = {}
        self.datacollector = MetricsCollector(
            model_reporters={k: (lambda mdl, k=k: mdl.metrics[k]) for k in METRICS})
        self._batch_rows: list[np.ndarray] = []   # a batch: one (runs x metrics) array per week

    @property
    def leavers(self) -> int:
        """People who left since week 1 (in a batch: over all runs)."""
        return int(self.leavers_by_run.sum())

    # ------------------------------------------------------------------------------------------------------
    def _init_people(self, rng, slots, competence_mean, new_hire=False):
        """Draw people for ``slots``: traits and starting state (Initialization in docs/ODD.md)."""
        p, s, k = self.params.team, self.state, len(slots)
        if k == 0:
            return
        def beta(mean, conc=12.0):   # Beta with this mean (kept within 0.01..0.99) and concentration
            mean = min(max(float(mean), 0.01), 0.99)
            return rng.beta(mean * conc, (1 - mean) * conc, size=k)

        # the draws, in this order from the run's stream; then one compiled pass writes the people's state
        competence = rng.normal(competence_mean, p.competence_spread, size=k)
        motivation_ = beta(p.motivation_mean)
        propensity = beta(p.trust_propensity_mean)
        resilience = beta(p.resilience_mean, 6.0)
        learning_rate = beta(p.learning_rate_mean)
        spread = max(p.workload_spread, 1e-3)
        workload = rng.gamma(1 / spread ** 2, spread ** 2, size=k) if p.workload_spread > 0 else np.ones(k)
        if new_hire:
            exhaustion, cynicism, tenure = np.zeros(k), np.zeros(k), np.zeros(k, dtype=np.int64)
        else:
            exhaustion, cynicism = rng.normal(0.25, 0.1, size=k), rng.normal(0.15, 0.08, size=k)
            tenure = rng.integers(26, 520, size=k)
        m = self.params.manager
        s.make_plain()
        compiled.place_people(np.asarray(slots, dtype=np.int64), competence, motivation_, propensity, resilience,
                              learning_rate, np.asarray(workload, dtype=float), exhaustion, cynicism,
                              np.asarray(tenure, dtype=np.int64), float(m.trust_propensity),
                              float(clip01(m.trust_propensity - 0.2 * m.insecurity + 0.1)),
                              float(self.params.work.target), *(getattr(s, f) for f in compiled.PLACED))

    def _per_employee(self, arr):
        return arr[self.org.team]

    def _events_now(self):
        """Active events this week: (pressure multiplier, reorganisation shocks starting, key leavers starting)."""
        pressure, reorg, key = 1.0, 0.0, 0
        for ev in self.params.events:
            if ev.start <= self.week <= ev.end:
                if ev.kind == "pressure":
                    pressure *= ev.magnitude
                elif ev.kind == "reorganisation":
                    pressure *= 1 + 0.2 * ev.magnitude
            if ev.start == self.week:
                if ev.kind == "reorganisation":
                    reorg += ev.magnitude
                elif ev.kind == "key_person_leaves":
                    key += max(1, int(round(ev.magnitude)))
        return pressure, reorg, key

    # ------------------------------------------------------------------------------------------------------
    def step(self):
        """One work week: the twelve processes of docs/ODD.md in order, then data collection. Steps 2-10 run
        in :meth:`_week_numpy` (the rules on whole arrays) or, with ``engine="compiled"``, in
        :meth:`_week_compiled` (the same rules compiled and fused into four loops over people); step 11 in
        :meth:`_managers_numpy` or :meth:`_managers_compiled` likewise."""
        self.week += 1
        p, ms = self.params, self.mstate

        # 1. Work arrives: staffing (returns from sick leave, new hires), scenario events, the week's work ---
        self._staffing()
        pressure, reorg, key_leavers = self._events_now()
        if reorg:
            self._reorganisation_shock(reorg)
        if key_leavers:
            self._key_people_leave(key_leavers)
        expected = p.work.target * pressure          # a crunch raises what is expected
        week = self._week_compiled if self.engine == "compiled" else self._week_numpy
        mt, fw_eff_m, team_delivered = week(work.arriving_work(p.work.workload, pressure), expected)

        # 11. The manager's own strain and control (the vicious cycle can emerge here) -----------------------
        if self.engine == "compiled":
            team_output = self._managers_compiled(team_delivered, mt["hours_total"], expected)
        else:
            team_output = self._managers_numpy(team_delivered, mt["hours_total"], expected)
        for key_ in ("hours_monitoring", "hours_doing", "hours_coaching", "hours_vision", "hours_total"):
            setattr(ms, key_, mt[key_])
        ms.team_output, ms.frameworks_effective = team_output, fw_eff_m

        self.last["team_output"] = team_output

        # 12. Data collection ---------------------------------------------------------------------------------
        partials, self._partials = self._partials, None   # the sums per team the compiled week left, if any
        if self.n_runs == 1:
            self.metrics = compute_metrics(self, partials=partials)
            self.datacollector.collect(self)
        else:
            self.metrics = compute_metrics(self, by_run=True, partials=partials)
            self._batch_rows.append(np.array([self.metrics[k] for k in METRICS], dtype=float).T)
        if self.record_agents:
            self._record_agents()
        if self.per_team:
            self.team_records.append(team_metrics(self))
            self.level_records.append(level_metrics(self))
        if self._face_log and any(key[0] == "agents" for key in self.subscribers):
            self._sync_faces()   # someone listens to Mesa's agent signals: they come with the week

    def _week_numpy(self, demand0, expected):
        """Steps 2-10 with the rules on whole arrays. Returns the manager's week (:func:`work.manager_time`),
        the frameworks in effect per team and the work each team delivered (before dividing by positions)."""
        p, s, ms, rng, team = self.params, self.state, self.mstate, self.draw, self.org.team
        dyn, nt = p.dynamics, self.org.n_teams
        K = {k: v[team] for k, v in self._knob_arrays.items()}
        tsum = lambda x: np.bincount(team, weights=x, minlength=nt)  # noqa: E731  per-team sums
        act = s.status == ACTIVE
        actf = act.astype(float)
        demand = demand0 * s.workload_share

        # 2. The manager applies the policy per employee ---------------------------------------------------
        aut, mon, appr, coach_int, control, level = policies.apply_policy(
            K, None, s.manager_trust, ms.boost[team],
            level=policies.readiness_level_of(s.competence, s.motivation, s.engagement))
        aut, mon, appr, coach_int, control = (x * actf for x in (aut, mon, appr, coach_int, control))

        # 3. Work is done: the manager's week first (bottleneck), then the employees' ------------------------
        # "quicker if I do it myself": the manager takes over part of the team's gap of last week, from those
        # who are behind
        shortfall = np.maximum(0.0, expected - s.output) * actf
        team_gap = np.maximum(0.0, expected - ms.team_output) * tsum(actf)
        take_units = self._knob_arrays["takeover"] * team_gap
        share = shortfall / np.maximum(tsum(shortfall), 1e-12)[team]
        mt = work.manager_time(ms.hours, p.manager.overtime_max, tsum(mon), tsum(appr * demand),
                               tsum(coach_int), take_units, self._knob_arrays["frameworks"])
        fw_eff_m = self._knob_arrays["frameworks"] * mt["vision_served"]
        fw_eff = fw_eff_m[team]
        coach_recv = coach_int * mt["coaching_served"][team]
        taken = (take_units * mt["doing_served"])[team] * share
        capacity = work.effort(s.motivation, s.engagement, s.exhaustion, s.initiative, mon)
        wait = work.approval_wait(appr, mt["approval_served"][team])
        done = work.work_done(demand, capacity, wait + 0.1 * coach_recv, taken) * actf
        guide = work.guidance(aut, fw_eff, coach_recv)
        p_succ = work.success_probability(s.competence, p.work.difficulty, aut, s.initiative, guide, s.exhaustion)
        T = p.work.tasks_per_week
        # 3b-4b. each task's outcome from its uniform: attempted, succeeded, or a failure (basic / complex /
        # intelligent; reported or hidden; intelligent failures are considered experiments: discussed, never hidden)
        bounds = safety.outcome_bounds(done, p_succ, safety.intelligent_share(p.work.novelty, aut, s.safety),
                                       p.work.complexity, safety.report_share(s.safety))
        u = rng.week_uniforms(self.week, TASK_SLOT, T)    # counter-based uniforms (sim.streams.luck)
        attempted, successes, intelligent, complex_, basic, reported, hidden = safety.task_outcomes(
            *safety.tasks_below(u, bounds))
        success_rate = np.where(attempted > 0, successes / np.maximum(attempted, 1), p_succ)

        # 4c-d. Hidden failures surface; blame or learn ----------------------------------------------------------
        surfaced, backlog = safety.surface_hidden(rng.week_draws(self.week, SURFACE_SLOT), s.hidden_backlog,
                                                  dyn.surfacing_rate)
        s.hidden_backlog = backlog + hidden
        orphans, ms.orphan_backlog = safety.surface_hidden(rng, ms.orphan_backlog, dyn.surfacing_rate)
        seen = reported + surfaced
        blame_event = K["blame"] * np.minimum(1.0, seen / 4.0)
        s.safety = safety.update_safety(s.safety, act, team, nt, K["blame"], coach_recv, s.benevolence_p, seen,
                                        dyn.safety_rate, dyn.trust_loss_multiplier)
        # a hidden failure looks done this week; when it surfaces it is undone and repaired at hidden_cost
        # (also when the person who hid it is absent or gone: the team pays)
        delivered = (successes + hidden + 0.5 * intelligent) / T * actf
        repairs = (1 + dyn.hidden_cost) * surfaced / T
        team_repairs = tsum(repairs) + (1 + dyn.hidden_cost) * orphans / T
        manager_done = taken * (0.5 + 0.5 * ms.competence[team])
        emp_output = delivered - repairs * actf

        # 5. Learning and initiative ---------------------------------------------------------------------
        taken_share = np.where(demand > 0, taken / np.maximum(demand, 1e-9), 0.0)
        practice = learning.practice(aut, np.minimum(done, 1.0), taken_share)
        s.competence = np.where(act, learning.learn(
            s.competence, s.learning_rate, dyn.learning_speed, practice, coach_recv, dyn.coaching_effect,
            intelligent / T, s.safety), s.competence)
        s.initiative = np.where(act, learning.update_initiative(s.initiative, aut, taken_share, appr),
                                s.initiative)

        # 6. Motivation (SDT needs) ----------------------------------------------------------------------
        peer_eng = social.peer_mean(self.org.peers, s.engagement, act)
        fit = motivation.challenge_fit(p.work.difficulty, s.competence)
        n_aut, n_comp, n_rel = motivation.needs(control, success_rate, fit, peer_eng,
                                                motivation.manager_support(coach_recv, s.benevolence_p))
        s.motivation = np.where(act, motivation.update_motivation(s.motivation, n_aut, n_comp, n_rel,
                                                                  dyn.motivation_rate), s.motivation)

        # 7. Trust both ways (ABI, asymmetric) ---------------------------------------------------------------
        felt = trust.felt_trust(aut, mon)
        consistency = clip01(1 - 10 * np.abs(ms.boost - ms.prev_boost))[team]
        A, B, I = trust.employee_perceptions(ms.competence[team], fw_eff, ms.strain[team], coach_recv,
                                             blame_event, felt, consistency, K["blame"])
        rate, loss = dyn.trust_rate, dyn.trust_loss_multiplier
        upd = lambda x, t, r=rate: np.where(act, trust.update_perception(x, t, r, loss), x)  # noqa: E731
        s.ability_p, s.benevolence_p, s.integrity_p = upd(s.ability_p, A), upd(s.benevolence_p, B), upd(
            s.integrity_p, I)
        s.trust_in_manager = upd(s.trust_in_manager, trust.combine(s.ability_p, s.benevolence_p, s.integrity_p,
                                                                   s.trust_propensity, s.tenure))
        mA, mB, mI = trust.manager_perceptions(success_rate, s.engagement, s.initiative, surfaced)
        obs_rate = rate * trust.observation(mon)
        s.m_ability, s.m_benevolence, s.m_integrity = (upd(s.m_ability, mA, obs_rate),
                                                       upd(s.m_benevolence, mB, obs_rate),
                                                       upd(s.m_integrity, mI, obs_rate))
        m_target = trust.manager_trust_level(s.m_ability, s.m_benevolence, s.m_integrity, ms.propensity[team],
                                             s.tenure, ms.insecurity[team])
        s.manager_trust = upd(s.manager_trust, m_target, obs_rate)

        # 8. Strain (JD-R + Karasek), Maslach burnout, sick leave, turnover ----------------------------------
        hind = strain.hindrance(mon, appr, s.competence)
        D = strain.demands(demand, s.exhaustion, wait, hind, aut * (1 - work.skill(s.competence, guide)))
        R = strain.resources(aut, coach_recv, s.safety, fw_eff, peer_eng)
        s.exhaustion = np.where(act, strain.update_exhaustion(s.exhaustion, D, R, s.resilience,
                                                              dyn.exhaustion_rate, dyn.recovery_rate),
                                s.exhaustion)
        s.cynicism = np.where(act, strain.update_cynicism(s.cynicism, s.exhaustion, s.trust_in_manager, s.safety,
                                                          dyn.cynicism_rate), s.cynicism)
        s.efficacy = np.where(act, strain.update_efficacy(s.efficacy, success_rate, s.cynicism), s.efficacy)
        burnt = strain.burnout_criterion(s.exhaustion, s.cynicism, dyn.burnout_exhaustion, dyn.burnout_cynicism)
        s.burnout_count = np.where(act, strain.update_burnout_counter(s.burnout_count, burnt), 0)
        complaints = (s.exhaustion >= dyn.burnout_exhaustion).astype(float)
        quit_probability = strain.turnover_probability(s.engagement, s.trust_in_manager, complaints,
                                                       dyn.turnover_base, dyn.turnover_sensitivity)
        self._absence_and_turnover(self.draw.quit_uniforms(self.week) < quit_probability)

        # 9. Engagement (JD-R motivational process) ----------------------------------------------------------
        challenge = motivation.challenge(p.work.novelty, aut, fit)
        act = s.status == ACTIVE
        s.engagement = np.where(act, motivation.update_engagement(
            s.engagement, s.motivation, R, challenge, hind, s.exhaustion, felt, dyn.engagement_rate,
            0.8 * (s.resilience - 0.5)),
            s.engagement)

        # 10. Peers pass engagement and strain along their ties ---------------------------------------------
        peer_eng = social.peer_mean(self.org.peers, s.engagement, act)
        peer_exh = social.peer_mean(self.org.peers, s.exhaustion, act, default=0.0)
        has_peers = (self.org.peers @ act.astype(float)) > 0
        c = dyn.contagion * (act & has_peers)
        s.engagement = clip01(social.contagion(s.engagement, peer_eng, c))
        s.exhaustion = clip01(social.contagion(s.exhaustion, peer_exh, 0.5 * c))

        # remember this week's applied policy and outcomes per employee
        s.autonomy, s.monitoring, s.approval, s.coaching_received, s.control = aut, mon, appr, coach_recv, control
        s.style = policies.style_used(aut, coach_recv)
        s.readiness_level = level
        s.output = np.where(s.status == ACTIVE, np.maximum(emp_output, 0.0), 0.0)  # work units, >= 0
        s.success_rate = np.where(attempted > 0, success_rate, s.success_rate)
        s.tenure = s.tenure + (s.status != VACANT)
        self.last = dict(basic=basic, complex=complex_, intelligent=intelligent, hidden=hidden,
                         reported=reported, surfaced=surfaced, orphans_surfaced=orphans)
        return mt, fw_eff_m, tsum(delivered) + tsum(manager_done) - team_repairs

    def _week_compiled(self, demand0, expected):
        """Steps 2-10 as :meth:`_week_numpy`, with the same rules compiled and fused into four loops over
        people (:mod:`sim.compiled`); team-level work (the manager's week) stays in numpy. Same results. A big
        organisation's loops share numba's threads (:func:`sim.compiled.loops`; same results again)."""
        with compiled.loops(len(self.org.team)) as L:
            return self._week_loops(L, demand0, expected)

    def _week_loops(self, L, demand0, expected):
        p, s, ms, team = self.params, self.state, self.mstate, self.org.team
        dyn, w, kn, nt = p.dynamics, p.work, self._knob_arrays, self.org.n_teams
        x = self._scratch
        if x is None:
            n = len(team)
            x = self._scratch = {k: np.empty(n) for k in (
                "aut", "mon", "appr", "coach_int", "control", "demand", "shortfall", "coach_recv", "taken", "done",
                "wait", "guide", "success_rate", "blame_event", "own_safety", "emp_output", "delivered", "peer_eng",
                "fit", "felt", "resources", "hind", "new_eng", "new_exh", "repairs", "quit_probability", "p_succ")}
            x.update({k: np.empty(n, dtype=np.int64) for k in ("level", "attempted")})   # and LAST_COUNTS, below
            x["burnt"], x["quits"] = np.empty(n, dtype=bool), np.empty(n, dtype=bool)
            x.update({k: np.empty(nt) for k in ("n_act", "shortfall_sum", "mon_sum", "appr_sum", "coach_sum",
                                                 "safety_sum", "delivered_sum", "manager_done_sum", "repairs_sum")})
            peers = self.org.peers.tocsr()
            weights = peers.data.astype(np.float64)     # all 1 (a tie counts once): pass none, the loops skip them
            x["csr"] = (peers.indptr.astype(np.int64), peers.indices.astype(np.int64),
                        weights[:0] if np.all(weights == 1.0) else weights)
            x["partials"] = np.empty((nt, compiled.N_PARTIALS))
            x["team_values"] = np.empty((8, n))   # the team's values spread over its people (people_pass)
        s.make_plain()   # the loops update the state in place
        for k in LAST_COUNTS:   # fresh each week: model.last keeps them
            x[k] = np.empty(len(team), dtype=np.int64)
        indptr, indices, data = x["csr"]
        first = self.team_first

        # 2-3a. the policy per person, the team sums, and the team lead's week
        take_units, rows = np.empty(nt), np.empty((len(work.MANAGER_WEEK), nt))   # fresh: ms keeps the rows
        L.policy_pass(first, s.status, s.competence, s.motivation, s.engagement, s.manager_trust, s.output,
                      ms.boost, kn["autonomy"], kn["monitoring"], kn["approval"], kn["coaching"],
                      kn["phased_delegation"], kn["readiness_matching"], demand0, s.workload_share,
                      expected, ms.hours, p.manager.overtime_max, kn["takeover"], kn["frameworks"], ms.team_output,
                      x["aut"], x["mon"], x["appr"], x["coach_int"], x["control"], x["level"],
                      x["demand"], x["shortfall"], x["n_act"], x["shortfall_sum"], x["mon_sum"],
                      x["appr_sum"], x["coach_sum"], take_units, rows)
        mt = dict(zip(work.MANAGER_WEEK, rows))
        fw_eff_m = kn["frameworks"] * mt["vision_served"]

        # 3b-4. work, tasks, failures (each task's outcome and the surfacing from the week's counter-based uniforms,
        # as the numpy engine's; then per team from the stream)
        person, run = self.draw.person_index()
        base = self.draw.week_base(self.week)
        ms.make_plain()
        u_orphan, orphans = self.draw.random(nt), np.empty(nt, dtype=np.int64)   # as surface_hidden's draws
        L.work_pass(first, team, s.status, self.draw.luck_keys, base, person, run,
                    w.tasks_per_week, w.difficulty, w.novelty, w.complexity,
                    dyn.surfacing_rate, dyn.hidden_cost, dyn.safety_rate, dyn.trust_loss_multiplier,
                    s.competence, s.motivation, s.engagement, s.exhaustion, s.initiative, s.safety,
                    s.hidden_backlog, s.benevolence_p, ms.competence, kn["blame"], fw_eff_m,
                    mt["coaching_served"], mt["approval_served"], take_units * mt["doing_served"],
                    x["shortfall_sum"], x["aut"], x["mon"], x["appr"], x["coach_int"], x["demand"],
                    x["shortfall"], x["coach_recv"], x["taken"], x["done"], x["wait"], x["guide"],
                    x["attempted"], x["success_rate"], x["intelligent"], x["surfaced"], x["hidden"],
                    x["basic"], x["complex"], x["reported"], x["blame_event"], x["own_safety"],
                    x["emp_output"], x["delivered"], x["repairs"], x["safety_sum"], x["delivered_sum"],
                    x["manager_done_sum"], x["repairs_sum"], u_orphan, ms.orphan_backlog, orphans, x["p_succ"])
        T = w.tasks_per_week
        team_repairs = x["repairs_sum"] + (1 + dyn.hidden_cost) * orphans / T

        # 4d-8. safety shared, learning, motivation, trust, strain
        consistency = clip01(1 - 10 * np.abs(ms.boost - ms.prev_boost))
        L.people_pass(team, s.status, indptr, indices, data, T, w.difficulty, dyn.learning_speed,
                      dyn.coaching_effect, dyn.motivation_rate, dyn.trust_rate, dyn.trust_loss_multiplier,
                      dyn.exhaustion_rate, dyn.recovery_rate, dyn.cynicism_rate, dyn.burnout_exhaustion,
                      dyn.burnout_cynicism, dyn.turnover_base, dyn.turnover_sensitivity, s.competence,
                      s.motivation, s.engagement, s.exhaustion, s.cynicism, s.efficacy, s.initiative, s.safety,
                      s.learning_rate, s.trust_propensity, s.resilience, s.tenure, s.ability_p, s.benevolence_p,
                      s.integrity_p, s.trust_in_manager, s.m_ability, s.m_benevolence, s.m_integrity, s.manager_trust,
                      s.burnout_count, ms.competence, ms.strain, ms.propensity, ms.insecurity, kn["blame"],
                      consistency, fw_eff_m, x["n_act"], x["safety_sum"], x["aut"], x["mon"], x["appr"],
                      x["control"], x["demand"], x["coach_recv"], x["taken"], x["done"], x["wait"],
                      x["guide"], x["success_rate"], x["intelligent"], x["surfaced"], x["blame_event"],
                      x["own_safety"], x["peer_eng"], x["fit"], x["felt"], x["resources"], x["hind"],
                      x["burnt"], x["quit_probability"], first, x["team_values"], self.draw.luck_keys, base,
                      person, run, x["quits"])
        self._absence_and_turnover(x["quits"])

        # 9-10. engagement, and crossover along peer ties
        L.engagement_pass(team, first, s.status, indptr, indices, data, w.novelty, dyn.engagement_rate,
                          dyn.contagion, s.engagement, s.exhaustion, s.motivation, s.resilience, x["aut"],
                          x["fit"], x["felt"], x["resources"], x["hind"], x["new_eng"], x["new_exh"],
                          # and this week's applied policy and outcomes, kept per employee
                          x["mon"], x["appr"], x["coach_recv"], x["control"], x["level"], x["emp_output"],
                          x["attempted"], x["success_rate"], s.autonomy, s.monitoring, s.approval,
                          s.coaching_received, s.control, s.style, s.readiness_level, s.output,
                          s.success_rate, s.tenure,
                          # and the sums per team the week's metrics are made of
                          s.trust_in_manager, s.manager_trust, s.safety, s.competence, s.cynicism, s.efficacy,
                          s.initiative, dyn.burnout_exhaustion, dyn.burnout_cynicism, x["basic"], x["complex"],
                          x["intelligent"], x["hidden"], x["surfaced"], x["partials"])
        self._partials = x["partials"]
        self.last = {k: x[k] for k in LAST_COUNTS}
        self.last["orphans_surfaced"] = orphans
        return mt, fw_eff_m, x["delivered_sum"] + x["manager_done_sum"] - team_repairs

    def _managers_numpy(self, team_delivered, hours_worked, expected):
        """Step 11 on whole arrays: team leads judge their team's output, feel strain and take or release
        control; then the levels above them (:meth:`_senior_step`). Returns the output per position per team."""
        p, ms, dyn = self.params, self.mstate, self.params.dynamics
        positions = self._positions
        team_output = np.maximum(team_delivered, 0.0) / positions
        # the manager judges results over the last weeks (exponential average), with 5% tolerance
        ms.perceived_output = 0.7 * ms.perceived_output + 0.3 * team_output
        gap = policies.output_gap(ms.perceived_output, expected)
        cascade = p.org.cascade
        ms.strain = strain.update_manager_strain(ms.strain, hours_worked, ms.hours, gap, ms.resilience,
                                                 dyn.manager_strain_rate,
                                                 policies.demand_from_above(ms.pressure, ms.support, cascade))
        ms.prev_boost = ms.boost.copy()
        ms.boost = policies.update_control(ms.boost, gap, self._knob_arrays["reactivity"],
                                           self._knob_arrays["relax_rate"],
                                           policies.felt_insecurity(ms.insecurity, ms.trust_in_boss, cascade,
                                                                    self.org.team_boss >= 0),
                                           ms.strain, dyn.control_rate,
                                           policies.push_from_above(ms.pressure, cascade))
        # 11c. the managers above the team leads judge their units and pass control down (cascade)
        if self.org.n_senior:
            self._senior_step(team_output, positions, expected)
        return team_output

    def _managers_compiled(self, team_delivered, hours_worked, expected):
        """Step 11 as :meth:`_managers_numpy`, compiled: one loop over team leads, one over the levels above
        (:func:`sim.compiled.manager_pass`, :func:`sim.compiled.senior_pass`). Same results."""
        p, ms, us, org, dyn = self.params, self.mstate, self.ustate, self.org, self.params.dynamics
        ms.make_plain()   # updated in place
        us.make_plain()
        team_output = np.empty(org.n_teams)
        cascade, kn = float(p.org.cascade), self._knob_arrays
        compiled.manager_pass(np.asarray(team_delivered, dtype=float), self._positions, float(expected),
                              dyn.manager_strain_rate, dyn.control_rate, cascade, ms.perceived_output, ms.strain,
                              np.asarray(hours_worked, dtype=float), ms.hours, ms.resilience, ms.pressure,
                              ms.support, ms.boost, ms.prev_boost, kn["reactivity"], kn["relax_rate"],
                              ms.insecurity, ms.trust_in_boss, org.team_boss, team_output)
        if org.n_senior:
            under = self._under
            if under is None:
                t = org.teams_under.tocsr()
                under = self._under = (t.indptr.astype(np.int64), t.indices.astype(np.int64),
                                       t.data.astype(np.float64))
            k = self._senior_knob_arrays
            compiled.senior_pass(*under, self._positions, team_output, float(expected), float(p.manager.hours),
                                 dyn.manager_strain_rate, dyn.control_rate, cascade, dyn.trust_rate,
                                 dyn.trust_loss_multiplier, us.unit_output, us.perceived_output, us.strain,
                                 us.resilience, us.pressure, us.support, us.boost, k["reactivity"], k["relax_rate"],
                                 us.insecurity, us.trust_in_boss, org.senior_boss, k["autonomy"], k["monitoring"],
                                 k["approval"], k["coaching"], us.control_down, us.support_down, org.team_boss,
                                 ms.pressure, ms.support, ms.trust_in_boss)
        return team_output

    # ------------------------------------------------------------------------------------------------------
    def _senior_signals(self):
        """Control and support each senior manager exerts on the managers below (policy + extra control)."""
        us, k = self.ustate, self._senior_knob_arrays
        us.control_down, us.support_down = policies.control_exerted(k["autonomy"], k["monitoring"], k["approval"],
                                                                    k["coaching"], us.boost)

    def _pressure_from_above(self):
        """What every manager receives from their own manager (nothing at the top or with one level)."""
        us, org = self.ustate, self.org
        for st, boss in ((self.mstate, org.team_boss), (us, org.senior_boss)):
            has = boss >= 0
            b = np.maximum(boss, 0)
            st.pressure = np.where(has, us.control_down[b] if us.m else 0.0, 0.0)
            st.support = np.where(has, us.support_down[b] if us.m else 0.0, 0.0)

    def _senior_step(self, team_output, positions, expected):
        """Step 11c: senior managers see their unit's output, feel strain, take or release control, and
        their trust in their own manager follows the control and support they receive; then the cascade
        passes the new control down to the next week."""
        us, org, dyn, ms = self.ustate, self.org, self.params.dynamics, self.mstate
        cascade, k = self.params.org.cascade, self._senior_knob_arrays
        weight = org.teams_under @ positions.astype(float)
        us.unit_output = (org.teams_under @ (team_output * positions)) / np.maximum(weight, 1.0)
        us.perceived_output = 0.7 * us.perceived_output + 0.3 * us.unit_output
        gap = policies.output_gap(us.perceived_output, expected)
        us.strain = strain.update_manager_strain(us.strain, self.params.manager.hours, self.params.manager.hours,
                                                 gap, us.resilience, dyn.manager_strain_rate,
                                                 policies.demand_from_above(us.pressure, us.support, cascade))
        us.boost = policies.update_control(us.boost, gap, k["reactivity"], k["relax_rate"],
                                           policies.felt_insecurity(us.insecurity, us.trust_in_boss, cascade,
                                                                    org.senior_boss >= 0),
                                           us.strain, dyn.control_rate, policies.push_from_above(us.pressure,
                                                                                               cascade))
        rate, loss = dyn.trust_rate, dyn.trust_loss_multiplier
        for st, boss in ((ms, org.team_boss), (us, org.senior_boss)):
            target = trust.trust_in_own_manager(st.pressure, st.support)
            st.trust_in_boss = np.where(boss >= 0, trust.update_perception(st.trust_in_boss, target, rate, loss),
                                        st.trust_in_boss)
        self._senior_signals()
        self._pressure_from_above()

    # ------------------------------------------------------------------------------------------------------
    def _staffing(self):
        """Start of the week (step 1): people on sick leave recover and return or leave; vacancies count down
        and are refilled by a new, less competent hire."""
        s, dyn = self.state, self.params.dynamics
        s.make_plain()
        ending = compiled.sick_leave_pass(s.status, s.exhaustion, s.cynicism, s.weeks_left, s.leave_weeks)
        if len(ending):
            back = self.draw.at(ending).random(len(ending)) < dyn.return_probability
            ret, gone = ending[back], ending[~back]
            s.status[ret] = ACTIVE
            s.exhaustion[ret] = np.minimum(s.exhaustion[ret], 0.5)
            s.cynicism[ret] = np.minimum(s.cynicism[ret], 0.4)
            s.burnout_count[ret] = 0
            self._leave(gone)
        fill = compiled.vacancy_pass(s.status, s.weeks_left)
        if len(fill):
            self._hire(fill)

    def _absence_and_turnover(self, quits):
        """End of step 8: burnout turns into sick leave; voluntary turnover of the active. ``quits``: each
        position's turnover test of the week (its uniform below its chance of leaving,
        :func:`strain.turnover_probability`), taken by the week's engine; only the still active leave."""
        s, dyn = self.state, self.params.dynamics
        s.make_plain()
        idx, gone = compiled.leavers_now(s.status, s.burnout_count, dyn.burnout_weeks, quits)
        if len(idx):
            s.status[idx] = ABSENT
            s.weeks_left[idx] = strain.sick_leave_weeks(self.draw.at(idx), len(idx), dyn.sick_leave_weeks)
            s.leave_weeks[idx] = 0
            s.burnout_count[idx] = 0
        self._leave(gone)

    def _leave(self, idx):
        if len(idx) == 0:
            return
        s, ms = self.state, self.mstate
        ms.make_plain()
        # what they hid stays behind and will still surface: it becomes the team's
        idx = np.array(idx, dtype=np.int64)
        compiled.leave_pass(idx, s.status, s.weeks_left, self.params.team.hiring_delay, self.org.team,
                            s.hidden_backlog, ms.orphan_backlog, self.run_of_position, self.leavers_by_run)
        self._face_log.append((False, idx))   # their agents are removed when the agents are next looked at

    def _hire(self, idx):
        self._init_people(self.draw.at(idx), idx, self.params.team.hire_competence, new_hire=True)
        self._face_log.append((True, np.array(idx, dtype=np.int64)))   # new agents, likewise

    # ------------------------------------------------------------------------------------------------------
    # The employees' Mesa agents (the starting team's, then hires and leavers) follow when anyone looks at the
    # agents (``employees_at``, ``employees``, a manager's ``employees``, Mesa's ``agents``, ``agents_by_type``,
    # ``agent_types``, ``remove_all_agents``), when any other agent is made, or at the end of the step if anyone
    # subscribed to Mesa's agent signals; in the order they happened, so every agent gets the unique_id it would
    # have got at once. The starting team's agents come without signals, as when they were made in __init__,
    # where nobody could have subscribed yet. A run that never looks (``orgsim run``, experiments) keeps the
    # state in the arrays alone, without Mesa's bookkeeping: for about 20 hires and 20 leavers a week at 10,000
    # people (the week went from 2.04 to 1.84 ms), and for the starting team (set-up from 0.06 to 0.025 s).
    def _sync_faces(self) -> None:
        log, self._face_log = self._face_log, []
        at = self._employees_at
        self._replaying = True
        try:
            for hired, idx in log:
                if hired is None:            # the starting team
                    with self.suppress():
                        for i in idx.tolist():
                            at[i] = Employee(self, i)
                    continue
                for i in idx.tolist():
                    if hired:
                        at[i] = Employee(self, i)
                    else:
                        agent = at[i]
                        if agent is not None:
                            agent.remove()
                            at[i] = None
        finally:
            self._replaying = False

    def _faces(self) -> None:
        if self.__dict__.get("_face_log"):
            self._sync_faces()

    def register_agent(self, agent):
        if not self.__dict__.get("_replaying", True):
            self._faces()   # an agent made elsewhere comes after the employees made or hired before it
        super().register_agent(agent)

    @property
    def employees_at(self) -> list[Employee | None]:
        """The employee agent in each position (``None`` where it is vacant)."""
        self._faces()
        return self._employees_at

    @property
    def agents(self):
        self._faces()
        return super().agents

    @property
    def agents_by_type(self):
        self._faces()
        return super().agents_by_type

    @property
    def agent_types(self):
        self._faces()
        return super().agent_types

    def remove_all_agents(self):
        """Mesa's: every agent leaves the model. The faces' lists follow (every position ``None``), so nothing
        removed is still listed; people hired afterwards get new agents, whose manager is then ``None``."""
        self._faces()
        super().remove_all_agents()
        self._employees_at[:] = [None] * len(self._employees_at)
        self.managers_list = [None] * len(self.managers_list)
        self.senior_list = [None] * len(self.senior_list)

    def _reorganisation_shock(self, magnitude):
        """A reorganisation: trust, safety and the manager's trust drop; the manager's strain rises."""
        s, m = self.state, min(1.0, 0.25 * magnitude)
        for name in ("trust_in_manager", "integrity_p", "benevolence_p", "safety", "manager_trust"):
            setattr(s, name, getattr(s, name) * (1 - m))
        self.mstate.strain = clip01(self.mstate.strain + m)

    def _key_people_leave(self, k):
        """The ``k`` most competent active employees leave (a key person leaving; in a batch, in every run)."""
        s = self.state
        for lo, hi in zip(self._pos_bounds[:-1], self._pos_bounds[1:]):
            cand = lo + np.flatnonzero(s.status[lo:hi] == ACTIVE)
            if len(cand):
                top = cand[np.argsort(-s.competence[cand], kind="stable")[:k]]
                self._leave(top)

    def _record_agents(self):
        s = self.state
        employed = np.flatnonzero(s.status != VACANT)
        at = self.employees_at   # None for someone in post whose agent remove_all_agents removed: id -1
        rec = {"week": np.full(len(employed), self.week), "agent_id": np.array(
            [-1 if at[i] is None else at[i].unique_id for i in employed], dtype=np.int64), "slot": employed,
            "team": self.org.team[employed], "status": s.status[employed].copy(),
            "readiness": s.readiness_level[employed] + 1,
            "style": s.style[employed] + 1}
        for name in EMPLOYEE_VARS:
            rec[name] = getattr(s, name)[employed].copy()
        self.agent_records.append(rec)

    # ------------------------------------------------------------------------------------------------------
    @property
    def employees(self) -> list[Employee]:
        return [e for e in self.employees_at if e is not None]

    @property
    def managers(self) -> list[Manager]:
        return [m for m in self.managers_list if m is not None]

    def run(self, weeks: int | None = None):
        for _ in range(self.params.scenario.weeks if weeks is None else weeks):
            self.step()
        return self

    def timeseries(self, run: int = 0):
        """The weekly model-level table from Mesa's DataCollector, one row per week (row 0 = week 1);
        :func:`sim.runner.tidy` adds the ``week`` column and integer dtypes. In a batch: run ``run``'s table."""
        if self.n_runs > 1:
            rows = np.array([r[run] for r in self._batch_rows]).reshape(-1, len(METRICS))
            return pd.DataFrame(rows, columns=list(METRICS))
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        return df
