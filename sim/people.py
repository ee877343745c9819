"""Who is at work: new people, sick leave, leavers and vacancies (steps 1 and 8 of ODD §3, and Initialization).

The draws from each run's stream stay here, in Python, in a fixed order; small compiled loops do the
bookkeeping over positions.
"""

from __future__ import annotations

import numpy as np

from .engine import entry, jit
from .rules import motivation as _motivation
from .rules import strain as _strain
from .rules import trust as _trust
from .state import ABSENT, ACTIVE, VACANT
from . import engine

strain = engine.compiled_module(_strain)
motivation = engine.compiled_module(_motivation)
trust = engine.compiled_module(_trust)


def draw(model, rng, slots, competence_mean, new_hire=False):
    """Draw people for ``slots``: their traits and starting state (Initialization in docs/ODD.md), from ``rng``
    in a fixed order; then :func:`place` writes them."""
    p, k = model.params.team, len(slots)
    if k == 0:
        return

    def beta(mean, conc=12.0):   # Beta with this mean (kept within 0.01..0.99) and concentration
        mean = min(max(float(mean), 0.01), 0.99)
        return rng.beta(mean * conc, (1 - mean) * conc, size=k)

    competence = rng.normal(competence_mean, p.competence_spread, size=k)
    motivation = beta(p.motivation_mean)
    propensity = beta(p.trust_propensity_mean)
    resilience = beta(p.resilience_mean, 6.0)
    learning_rate = beta(p.learning_rate_mean)
    spread = max(p.workload_spread, 1e-3)
    workload = rng.gamma(1 / spread ** 2, spread ** 2, size=k) if p.workload_spread > 0 else np.ones(k)
    tenure = np.zeros(k, dtype=np.int64) if new_hire else rng.integers(26, 520, size=k)
    affectivity = beta(0.5, 6.0)
    private = rng.normal(0.0, model.params.dynamics.private_load_spread, size=k)   # at its stationary spread
    exhaustion = np.zeros(k) if new_hire else _strain.starting_exhaustion(model.params.work.workload * workload,
                                                                           private, resilience)
    m = model.params.manager
    place(np.asarray(slots, dtype=np.int64), (competence, motivation, propensity, resilience, learning_rate,
                                              np.asarray(workload, dtype=float), exhaustion, affectivity,
                                              private),
          np.asarray(tenure, dtype=np.int64), float(m.trust_propensity),
          float(_trust.with_insecurity(m.trust_propensity, m.insecurity)), float(model.params.work.target),
          model.state.bundle())


@entry
def place(slots, traits, tenure, m_propensity, m_trust, target, E):
    """New people in ``slots`` (``traits``: competence, motivation, trust propensity, resilience, learning rate,
    workload share, starting exhaustion, affectivity, private load, one entry each): clipped to [0, 1] where the
    docs say so, with the starting values that follow from them (trust in the manager = propensity; engagement,
    cynicism, efficacy and the manager's view of their ability by the rules ``motivation.starting_engagement``,
    ``strain.starting_cynicism``, ``strain.starting_efficacy`` and ``trust.starting_ability_view``) and the rest at
    its start."""
    competence, motivation_, propensity, resilience, learning_rate, workload, exhaustion, affectivity, private = \
        traits
    for j in range(slots.size):
        i = slots[j]
        c = min(max(competence[j], 0.0), 1.0)
        E.competence[i], E.motivation[i], E.trust_propensity[i] = c, motivation_[j], propensity[j]
        E.resilience[i], E.learning_rate[i], E.workload_share[i] = resilience[j], learning_rate[j], workload[j]
        E.affectivity[i], E.private_load[i] = affectivity[j], private[j]
        E.trust_in_manager[i] = E.ability_p[i] = E.benevolence_p[i] = E.integrity_p[i] = propensity[j]
        E.engagement[i] = motivation.starting_engagement(motivation_[j])
        E.exhaustion[i] = min(max(exhaustion[j], 0.0), 1.0)
        E.efficacy[i] = strain.starting_efficacy(c)
        E.initiative[i] = E.safety[i] = 0.5
        E.cynicism[i] = strain.starting_cynicism(E.exhaustion[i], E.trust_in_manager[i], E.safety[i])
        E.tenure[i] = tenure[j]
        E.success_rate[i] = 0.7
        E.output[i] = target
        E.m_ability[i] = trust.starting_ability_view(m_propensity, c)
        E.m_benevolence[i] = E.m_integrity[i] = m_propensity
        E.manager_trust[i] = m_trust
        E.status[i] = ACTIVE
        E.weeks_left[i] = E.burnout_count[i] = E.hidden_backlog[i] = E.leave_weeks[i] = 0


@entry
def _sick_leave_week(E):
    """People on sick leave recover a little and count down a week; returns those whose leave ends now."""
    ending = np.empty(E.status.size, dtype=np.int64)
    k = 0
    for i in range(E.status.size):
        if E.status[i] == ABSENT:
            E.exhaustion[i], E.cynicism[i] = strain.recover_absent(E.exhaustion[i], E.cynicism[i])
            E.weeks_left[i] -= 1
            E.leave_weeks[i] += 1
            if E.weeks_left[i] <= 0:
                ending[k] = i
                k += 1
    return ending[:k]


@jit
def _vacancy_week(status, weeks_left):
    """Vacancies count down a week; returns those filled now (their count-down was over), in index order."""
    fill = np.empty(status.size, dtype=np.int64)
    k = 0
    for i in range(status.size):
        if status[i] == VACANT:
            if weeks_left[i] <= 0:
                fill[k] = i
                k += 1
            weeks_left[i] -= 1
    return fill[:k]


@jit
def _leavers_now(status, burnout_count, burnout_weeks, quits):
    """In index order: the active with ``burnout_weeks`` weeks of burnout in a row, whose sick leave starts now,
    and the other active whose turnover test (``quits``) came up."""
    sick = np.empty(status.size, dtype=np.int64)
    gone = np.empty(status.size, dtype=np.int64)
    a = b = 0
    for i in range(status.size):
        if status[i] == ACTIVE:
            if burnout_count[i] >= burnout_weeks:
                sick[a] = i
                a += 1
            elif quits[i]:
                gone[b] = i
                b += 1
    return sick[:a], gone[:b]


@entry
def _leave(idx, E, hiring_delay, team, orphan_backlog, run_of_position, leavers_by_run):
    """The people at ``idx`` leave: their positions fall vacant for ``hiring_delay`` weeks, the failures they hid
    become their team's, and each run counts its leavers."""
    for i in idx:
        E.status[i] = VACANT
        E.weeks_left[i] = hiring_delay
        orphan_backlog[team[i]] += E.hidden_backlog[i]
        E.hidden_backlog[i] = 0
        leavers_by_run[run_of_position[i]] += 1


def staffing(model):
    """Start of the week (step 1): people on sick leave recover and return or leave; vacancies count down and
    are refilled by a new, less competent hire."""
    s, dyn = model.state, model.params.dynamics
    ending = _sick_leave_week(s.bundle())
    if len(ending):
        back = model.draw.at(ending).random(len(ending)) < dyn.return_probability
        ret, gone = ending[back], ending[~back]
        s.status[ret] = ACTIVE
        s.exhaustion[ret], s.cynicism[ret] = _strain.return_from_leave(s.exhaustion[ret], s.cynicism[ret])
        s.burnout_count[ret] = 0
        leave(model, gone)
    E = s.bundle()
    fill = _vacancy_week(E.status, E.weeks_left)
    if len(fill):
        hire(model, fill)


def absence_and_turnover(model, quits):
    """End of step 8: burnout turns into sick leave; then the active whose turnover test came up (``quits``,
    :func:`sim.rules.strain.turnover_probability`) leave."""
    s, dyn = model.state, model.params.dynamics
    E = s.bundle()
    idx, gone = _leavers_now(E.status, E.burnout_count, dyn.burnout_weeks, quits)
    if len(idx):
        s.status[idx] = ABSENT
        s.weeks_left[idx] = _strain.sick_leave_weeks(model.draw.at(idx), len(idx), dyn.sick_leave_weeks)
        s.leave_weeks[idx] = 0
        s.burnout_count[idx] = 0
    leave(model, gone)


def leave(model, idx):
    """The people at ``idx`` leave (what they hid stays behind and will still surface: it becomes the team's)."""
    if len(idx) == 0:
        return
    idx = np.array(idx, dtype=np.int64)
    _leave(idx, model.state.bundle(), model.params.team.hiring_delay, model.org.team,
           model.mstate.bundle().orphan_backlog, model.run_of_position, model.leavers_by_run)
    model.faces_left(idx)


def hire(model, idx):
    """New people in the vacant positions ``idx``, drawn from the runs' streams."""
    draw(model, model.draw.at(idx), idx, model.params.team.hire_competence, new_hire=True)
    model.faces_hired(np.array(idx, dtype=np.int64))


def key_people_leave(model, k):
    """The ``k`` most competent active employees leave (a key person leaving; in a batch, in every run)."""
    s = model.state
    for lo, hi in zip(model._pos_bounds[:-1], model._pos_bounds[1:]):
        cand = lo + np.flatnonzero(s.status[lo:hi] == ACTIVE)
        if len(cand):
            leave(model, cand[np.argsort(-s.competence[cand], kind="stable")[:k]])

