"""OrgModel: a thin Mesa model. ``step()`` runs the week (:func:`sim.schedule.week`, the twelve processes of
docs/ODD.md in order), then collects the data.
"""

from __future__ import annotations

import gc
from collections import namedtuple

import mesa
import numpy as np
import pandas as pd

from . import people, policies, schedule
from .agents import EMPLOYEE_VARS, AgentFaces, Manager, SeniorManager
from .metrics import METRICS, FAILURES, compute_metrics, level_metrics, team_metrics
from .org import build_org, combine_orgs
from .params import BY_KEY, KNOBS, PARAMS, SECTIONS, ConfigError, load_scenario, section_params, with_updates
from .state import ACTIVE, ABSENT, VACANT, EmployeeState, ManagerState, SeniorState  # noqa: F401 (re-exported)
from .streams import Streams

FREE_AT = 10_000  # positions (all runs of a batch together) from which a dropped model is freed at once

Wiring = namedtuple("Wiring", "team first positions indptr indices weights team_boss senior_boss under_ptr "
                              "under_idx under_w keys person run")
Wiring.__doc__ = """The organisation as the weekly loops read it: each position's team (positions grouped by team:
team t holds first[t]:first[t + 1]), positions per team, the peer ties (CSR; weights empty when all are 1), each
manager's own manager (-1: none), the teams under each senior manager (CSR), and each position's run, number
within it and its run's key of counter-based uniforms."""
KnobArrays = namedtuple("KnobArrays", KNOBS)
KnobArrays.__doc__ = "Each manager's policy knobs, one array per knob (:data:`sim.params.KNOBS`)."


def free_finished(positions: int) -> None:
    """Hand the memory of a model of ``positions`` positions back now; call it once every reference to the model
    is dropped (the runners after a run, the dashboard when it rebuilds). A Mesa model and its agents refer to
    each other, so Python frees them only at its next full garbage collection, which can come many models
    later. A full collection costs 15-80 ms, so it is done only for models of :data:`FREE_AT` positions or
    more."""
    if positions >= FREE_AT:
        gc.collect()


Numbers = namedtuple("Numbers", [p.name for p in section_params("dynamics") + section_params("work")]
                     + ["manager_hours", "overtime_max", "cascade"])
Numbers.__doc__ = """The scenario's numbers the weekly loops read (``P``): every ``[dynamics]`` and ``[work]``
value, the manager's contract hours and overtime, and the cascade's strength."""


def numbers(params) -> Numbers:
    """:class:`Numbers` of a scenario. (One class for all models, importable by name: the compiled loops are
    typed by it, and numba finds their cached code again only for the same class.)"""
    return Numbers(**params.dynamics.model_dump(), **params.work.model_dump(),
                   manager_hours=float(params.manager.hours), overtime_max=float(params.manager.overtime_max),
                   cascade=float(params.org.cascade))


class MetricsCollector(mesa.DataCollector):
    """Mesa's DataCollector of the weekly metrics (:data:`sim.metrics.METRICS`, one model reporter each, and
    ``seed``, the run's master seed, so that ``mesa.batch_run``'s rows name the seed even when Mesa passed None),
    whose :meth:`collect` takes this week's values from ``model.metrics`` at once (Mesa's own loop calls each
    reporter and deep-copies its number; the table is the same). The first week goes through Mesa's own
    collect, which checks the reporters."""

    def collect(self, model):
        if not self._validated or self.agent_reporters or self.agenttype_reporters:
            return super().collect(model)
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        values, columns = model.metrics, self.model_vars
        for name in self.model_reporters:
            columns[name].append(values[name] if name != "seed" else model.seed)


SEED_MAX = 2**32 - 1   # the schema's range of scenario.seed


def master_seed(seed=None, rng=None) -> int:
    """The master seed of a run, the Mesa 3 way: ``seed`` or ``rng`` (not both); an integer ``rng`` is the seed;
    a Generator (or anything :func:`numpy.random.default_rng` takes) draws it; neither draws a fresh one."""
    if seed is not None and rng is not None:
        raise ValueError("pass either rng or seed, not both")
    if seed is None and isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        seed = rng
    if seed is None:
        seed = np.random.default_rng(rng).integers(SEED_MAX, endpoint=True)
    if not 0 <= int(seed) <= SEED_MAX:
        raise ValueError(f"seed {seed}: allowed: integer in [0, {SEED_MAX}]")
    return int(seed)


def with_overrides(params, overrides: dict):
    """``params`` with keyword overrides (see :class:`OrgModel`), validated."""
    sections: dict[str, dict] = {}
    for key, value in overrides.items():
        sec, dot, name = key.partition(".")
        if not dot and isinstance(value, dict) and sec in SECTIONS:
            sections.setdefault(sec, {}).update(value)
            continue
        if not dot:
            owners = [p.section for p in PARAMS if p.name == key]
            if len(owners) != 1:
                raise ConfigError(f"OrgModel({key}=...): " + (f"in several sections ({', '.join(owners)}); write "
                                  f"it dotted, e.g. '{owners[0]}.{key}'" if owners else
                                  "not a parameter; see 'orgsim params' for the names (section.name)"))
            sec, name = owners[0], key
        if f"{sec}.{name}" not in BY_KEY:
            raise ConfigError(f"OrgModel('{key}'=...): not a parameter; see 'orgsim params' for the names "
                              "(section.name)")
        sections.setdefault(sec, {})[name] = value
    return with_updates(params, **sections)


class OrgModel(AgentFaces, mesa.Model):
    """Managers and employees under a leadership policy.

    As a Mesa model: ``OrgModel(params=None, *, rng=None, seed=None, **overrides)``; ``mesa.batch_run(OrgModel,
    {"policy.name": [...], "work.workload": [...]}, rng=range(20), max_steps=104)`` runs a grid with 20
    replicates (docs/experiments.md).

    Args:
        params: validated scenario parameters (:func:`sim.params.load_scenario`); defaults if None.
        rng: as in Mesa 3: an integer is the master seed; a ``numpy.random.Generator`` (or anything
            ``numpy.random.default_rng`` takes) draws the master seed; None (with no ``seed``) draws a fresh one
            from the operating system's entropy. The master seed is recorded as ``model.seed`` and as
            ``model.params.scenario.seed``, so every output names it and the run can be repeated.
        seed: the master seed (give ``seed`` or ``rng``, not both). To run a scenario with its own seed, pass
            ``seed=params.scenario.seed`` (``orgsim run`` does). Four child streams are spawned from it with
            ``numpy.random.SeedSequence``: one for the initial team and graph, one for the weekly dynamics, one
            for which team lead follows which policy, and the key of the counter-based uniforms of the weekly
            task counts and turnover (:func:`sim.streams.luck`), so the same seed gives the same people, and
            the same weekly luck, under every policy.
        record_agents: also keep one row per employee per week (``agent_records``).
        per_team: also keep one row per team and per management level per week.
        seeds: a batch: several seeds of the scenario side by side (``timeseries(run)`` gives each).
        overrides: parameter values over ``params``: dotted names (``**{"policy.name": "coaching"}``), whole
            sections as keywords (``policy={"name": "coaching"}``) or a name that is in one section only
            (``workload=1.2``); validated against the schema (:class:`sim.params.ConfigError` names a bad one).
    """

    def __init__(self, params=None, *, rng=None, seed: int | None = None, record_agents: bool = False,
                 per_team: bool = False, seeds: list[int] | None = None, **overrides):
        params = params if params is not None else load_scenario(None)
        if overrides:
            params = with_overrides(params, overrides)
        if seeds is None:
            seeds = [master_seed(seed, rng)]
            if seeds[0] != params.scenario.seed:   # recorded where every output reads the scenario
                params = params.model_copy(update={"scenario": params.scenario.model_copy(
                    update={"seed": seeds[0]})})
        elif seed is not None or rng is not None or record_agents or per_team or len(seeds) == 0:
            raise ValueError("a batch (seeds=[...]) takes no seed, rng, record_agents or per_team, and at least "
                             "one seed")
        seeds = [int(s) for s in seeds]
        # per run: one stream for the people and the graph, one for the weekly dynamics, one for who leads how,
        # and the key of the counter-based uniforms of the week's counts and turnover (streams.luck)
        spawned = [np.random.SeedSequence(s).spawn(4) for s in seeds]
        dyn_gens = [np.random.default_rng(d) for _, d, _, _ in spawned]
        super().__init__(rng=dyn_gens[0])
        dyn_gens[0] = self.rng
        for g in dyn_gens[1:]:  # Mesa seeds its Python `random` with one draw from the model's rng: do the same
            g.integers(np.iinfo(np.int32).max)
        self.seeds, self.seed = seeds, seeds[0] if len(seeds) == 1 else seeds
        self.params = p = params
        self.week = 0
        init_rngs = [np.random.default_rng(i) for i, _, _, _ in spawned]

        # a batch is several copies of the organisation side by side, each drawn from its own seed
        orgs = [build_org(r, p.team.teams, p.team.size, p.team.peer_density, p.team.cross_team_density,
                          p.org.levels, p.org.span) for r in init_rngs]
        self.org = org = combine_orgs(orgs)
        n, m = org.n_positions, org.n_teams
        self.n_runs = len(seeds)
        self._pos_bounds = np.cumsum([0] + [o.n_positions for o in orgs])
        self._team_bounds = np.cumsum([0] + [o.n_teams for o in orgs])
        self.run_of_position = np.repeat(np.arange(self.n_runs), np.diff(self._pos_bounds))
        self.run_of_team = np.repeat(np.arange(self.n_runs), np.diff(self._team_bounds))
        self._senior_counts = np.array([o.n_senior for o in orgs], dtype=np.int64)
        self.run_of_senior = np.repeat(np.arange(self.n_runs), self._senior_counts)
        self.team_first = np.searchsorted(org.team, np.arange(m + 1)).astype(np.int64)
        if not np.array_equal(np.repeat(np.arange(m), np.diff(self.team_first)), org.team):
            raise RuntimeError("positions must be grouped by team (sim.org.build_org)")
        self.draw = Streams(dyn_gens, self._pos_bounds, self._team_bounds,
                            luck_keys=[lk.generate_state(1, np.uint64)[0] for _, _, _, lk in spawned])
        self.wiring = self._wiring()
        self.numbers = numbers(p)
        self.scratch = schedule.make_scratch(n, m)

        # who leads how: each team lead's knobs (a stream of its own, so the people do not depend on it)
        self.knobs = [k for o, (_, _, org_ss, _) in zip(orgs, spawned)
                      for k in policies.team_lead_knobs(p.policy, p.org, o.n_teams, np.random.default_rng(org_ss))]
        self.senior_knobs = [policies.preset(p.org.director_policy if boss < 0 else p.org.middle_policy)
                             for boss in org.senior_boss]
        self.knob_bundle = KnobArrays(*(np.array([getattr(kn, k) for kn in self.knobs], dtype=float)
                                        for k in KNOBS))
        self.senior_knob_bundle = KnobArrays(*(np.array([getattr(kn, k) for kn in self.senior_knobs], dtype=float)
                                               for k in KNOBS))

        # the state: the managers above the team leads, the people, the team leads
        self.ustate = us = SeniorState(org.n_senior)
        us.insecurity[:], us.resilience[:], us.strain[:] = p.manager.insecurity, p.manager.resilience, 0.15
        us.perceived_output[:] = us.unit_output[:] = p.work.target
        us.trust_in_boss[:] = p.manager.trust_propensity
        self.state = EmployeeState(n)
        self.mstate = ms = ManagerState(m)
        for r, lo, hi in zip(init_rngs, self._pos_bounds[:-1], self._pos_bounds[1:]):
            people.draw(self, r, np.arange(lo, hi), p.team.competence_mean)
        ms.insecurity[:], ms.competence[:] = p.manager.insecurity, p.manager.competence
        ms.propensity[:], ms.resilience[:] = p.manager.trust_propensity, p.manager.resilience
        ms.hours[:], ms.strain[:] = p.manager.hours, 0.15
        ms.team_output[:] = ms.perceived_output[:] = p.work.target
        ms.trust_in_boss[:] = p.manager.trust_propensity
        schedule.signals_down(self.wiring, us.bundle(), ms.bundle(), self.senior_knob_bundle)
        self.leavers_by_run = np.zeros(self.n_runs, dtype=np.int64)
        self.last = {}  # last week's event counts (failures etc.), per position

        # the Mesa agents: managers now, employees when first looked at (sim.agents.AgentFaces)
        self.managers_list = list(Manager.create_agents(self, m, list(range(m))))
        self.senior_list = list(SeniorManager.create_agents(self, org.n_senior, list(range(org.n_senior))))
        self._start_faces(n)
        self.record_agents, self.per_team = record_agents, per_team
        self.agent_records: list[dict] = []
        self.team_records: list[dict] = []
        self.level_records: list[dict] = []
        self.metrics: dict[str, float] = {}
        self.datacollector = MetricsCollector(   # + the run's seed: mesa.batch_run's rows show the seed used
            model_reporters={**{k: (lambda mdl, k=k: mdl.metrics[k]) for k in METRICS}, "seed": lambda mdl: mdl.seed})
        self._batch_rows: list[np.ndarray] = []   # a batch: one (runs x metrics) array per week

    def _wiring(self) -> Wiring:
        org = self.org
        peers = org.peers.tocsr()
        weights = peers.data.astype(np.float64)
        under = org.teams_under.tocsr()
        person, run = self.draw.person_index()
        i64 = lambda a: np.ascontiguousarray(a, dtype=np.int64)   # noqa: E731
        return Wiring(i64(org.team), self.team_first, i64(np.bincount(org.team, minlength=org.n_teams)),
                      i64(peers.indptr), i64(peers.indices), weights[:0] if np.all(weights == 1.0) else weights,
                      i64(org.team_boss), i64(org.senior_boss), i64(under.indptr), i64(under.indices),
                      np.ascontiguousarray(under.data, dtype=np.float64), self.draw.luck_keys, i64(person),
                      i64(run))

    @property
    def leavers(self) -> int:
        """People who left since week 1 (in a batch: over all runs)."""
        return int(self.leavers_by_run.sum())

    def step(self):
        """One work week: act (:func:`sim.schedule.week`, steps 1-11), then collect (step 12)."""
        schedule.week(self)
        self._collect()

    def _collect(self):
        """Step 12: the week's metrics (one row of the DataCollector; in a batch one per run), and the agents',
        teams' and levels' rows if asked for."""
        X = self.scratch
        self.last = {k: a.copy() for k, a in zip(FAILURES, X.counts)}
        self.last["team_output"] = self.mstate.team_output.copy()
        self.last["orphans_surfaced"] = X.orphans.copy()
        if self.n_runs == 1:
            self.metrics = compute_metrics(self, partials=X.partials)
            self.datacollector.collect(self)
        else:
            self.metrics = compute_metrics(self, by_run=True, partials=X.partials)
            self._batch_rows.append(np.array([self.metrics[k] for k in METRICS], dtype=float).T)
        if self.record_agents:
            self._record_agents()
        if self.per_team:
            self.team_records.append(team_metrics(self))
            self.level_records.append(level_metrics(self))
        self.sync_faces_for_listeners()

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
        return self.datacollector.get_model_vars_dataframe().reset_index(drop=True)[list(METRICS)]
