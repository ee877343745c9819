"""The compiled week: the same rules, fused into a few loops over people (numba).

:meth:`sim.model.OrgModel.step` with ``engine="numpy"`` calls the rules of :mod:`sim.rules` and
:mod:`sim.policies` on whole arrays, one operation at a time: clear to read, but at 10,000 people a week is
about 600 array passes. Here the same rule functions are compiled for single numbers
(:func:`compile_rule`: their own source, with ``np`` standing for scalar versions of the few numpy functions
they use) and called person by person inside four passes (each a few loops). Nothing in a rule is
written twice; what is written again is only the order of the calls, which follows ``OrgModel._week_numpy``
line by line (``tests/test_compiled.py`` runs both engines on many scenarios and asserts the same numbers).

The managers' steps are compiled the same way: step 3a inside :func:`policy_pass`, which goes team by team,
step 11 as loops over managers (:func:`manager_pass` and :func:`senior_pass`). Below them, small compiled
loops do what both engines share: the bookkeeping of sick leave, vacancies and leavers
(:func:`sick_leave_pass`, :func:`vacancy_pass`, :func:`leavers_now`, :func:`leave_pass`, :func:`place_people`;
the draws from the run's stream stay in ``sim.model``, the turnover uniforms are counter-based like the
tasks') and the week's metrics (:func:`team_metric_sums`, :func:`metric_partials`, :func:`metric_columns`).

The outcomes of each person's tasks in step 3b-4 (one uniform per task, :func:`sim.rules.safety.outcome_bounds`)
and the surfacing of their hidden failures take counter-based uniforms (:func:`sim.streams.luck`: a function of
the run's seed, the week, the person and the slot), computed where they are needed; the numpy engine computes
the same uniforms on whole arrays (:meth:`sim.streams.Streams.week_uniforms`), so the two engines draw the same
people's luck.

Each pass is compiled twice: :data:`SERIAL`, and :data:`PARALLEL`, whose loops over people or teams
(``prange``) are shared among numba's threads. Every person's step reads only last values and writes only that
person's entries, and each team's sums are taken by one thread in index order, so both give the same numbers
bit for bit. Loops without per-team lookups, guarded stores or calls of ``exp``, ``pow`` and ``log`` are
vectorised by LLVM in the parallel build (see :func:`people_pass`). :func:`loops` picks
one for a week: parallel for organisations of :data:`PARALLEL_MIN` people or more, unless threads are off
(``NUMBA_NUM_THREADS=1``, or :func:`serial_only`: experiments spread runs over processes instead) or another
thread of the process is already running parallel loops (numba's default threading layer runs one launch at
a time; the other thread runs serially meanwhile).
"""

from __future__ import annotations

import contextvars
import threading
import types
from contextlib import contextmanager

import numba
import numpy as np
from numba import njit, prange

from . import policies
from .jit import JIT
from .rules import learning, motivation, safety, social, strain, trust, work
from .streams import QUIT_SLOT, SURFACE_SLOT, TASK_SLOT, binomial_at, binomial_from_uniform, first_slot, luck

ACTIVE, ABSENT, VACANT = 0, 1, 2


# --------------------------------------------------------------------------------------------------------------
# numpy for single numbers: what the rules call, compiled for scalars
# --------------------------------------------------------------------------------------------------------------
@njit(**JIT)
def _where(c, a, b):
    return a if c else b


@njit(**JIT)
def _minimum(a, b):
    return a if (a <= b or a != a) else b    # a NaN on either side gives NaN, as numpy's


@njit(**JIT)
def _maximum(a, b):
    return a if (a >= b or a != a) else b


@njit(**JIT)
def _clip(x, lo, hi):
    return _minimum(_maximum(x, lo), hi)


@njit(**JIT)
def _asarray(x, dtype=None):
    return x


@njit(**JIT)
def _searchsorted(a, v, side="left"):
    k = 0
    for x in a:
        if x < v or (side == "right" and x == v):
            k += 1
    return k


SCALAR_NUMPY = types.ModuleType("sim.compiled.scalar_numpy")
SCALAR_NUMPY.__doc__ = "The numpy functions the rules use, for single numbers (inside compiled loops)."
for _name, _f in dict(where=_where, clip=_clip, minimum=_minimum, maximum=_maximum, asarray=_asarray,
                      searchsorted=_searchsorted, abs=np.abs, exp=np.exp, log=np.log, power=np.power).items():
    setattr(SCALAR_NUMPY, _name, _f)

_compiled: dict = {}


def compile_rule(fn):
    """``fn`` (a rule written for numpy arrays) compiled for single numbers: the same code object, whose
    global ``np`` is :data:`SCALAR_NUMPY` and whose calls to other functions of ``sim`` go to their compiled
    versions. ``np.maximum``/``np.minimum`` kept under another name are numpy ufuncs, which numba compiles for
    scalars itself."""
    if fn in _compiled:
        return _compiled[fn]
    g = dict(fn.__globals__)
    for name in fn.__code__.co_names:
        v = g.get(name)
        if v is np:
            g[name] = SCALAR_NUMPY
        elif isinstance(v, types.FunctionType) and v.__module__.startswith("sim."):
            g[name] = compile_rule(v)
    f = types.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, fn.__closure__)
    f.__module__, f.__qualname__, f.__doc__ = fn.__module__, fn.__qualname__, fn.__doc__
    _compiled[fn] = out = njit(**JIT)(f)
    return out


# the rules, compiled (same names as in the rule modules)
levers = compile_rule(policies.levers)
readiness_level_of = compile_rule(policies.readiness_level_of)
style_used = compile_rule(policies.style_used)
manager_week = compile_rule(work.manager_week)
effort = compile_rule(work.effort)
approval_wait = compile_rule(work.approval_wait)
work_done = compile_rule(work.work_done)
guidance = compile_rule(work.guidance)
skill = compile_rule(work.skill)
success_probability = compile_rule(work.success_probability)
intelligent_share = compile_rule(safety.intelligent_share)
report_share = compile_rule(safety.report_share)
outcome_bounds = compile_rule(safety.outcome_bounds)
task_outcomes = compile_rule(safety.task_outcomes)
personal_safety = compile_rule(safety.personal_safety)
shared_safety = compile_rule(safety.shared_safety)
practice = compile_rule(learning.practice)
learn = compile_rule(learning.learn)
update_initiative = compile_rule(learning.update_initiative)
challenge_fit = compile_rule(motivation.challenge_fit)
manager_support = compile_rule(motivation.manager_support)
needs = compile_rule(motivation.needs)
update_motivation = compile_rule(motivation.update_motivation)
challenge = compile_rule(motivation.challenge)
update_engagement = compile_rule(motivation.update_engagement)
felt_trust = compile_rule(trust.felt_trust)
employee_perceptions = compile_rule(trust.employee_perceptions)
update_perception = compile_rule(trust.update_perception)
combine = compile_rule(trust.combine)
manager_perceptions = compile_rule(trust.manager_perceptions)
observation = compile_rule(trust.observation)
manager_trust_level = compile_rule(trust.manager_trust_level)
hindrance = compile_rule(strain.hindrance)
demands = compile_rule(strain.demands)
resources = compile_rule(strain.resources)
update_exhaustion = compile_rule(strain.update_exhaustion)
update_cynicism = compile_rule(strain.update_cynicism)
update_efficacy = compile_rule(strain.update_efficacy)
burnout_criterion = compile_rule(strain.burnout_criterion)
update_burnout_counter = compile_rule(strain.update_burnout_counter)
turnover_probability = compile_rule(strain.turnover_probability)
recover_absent = compile_rule(strain.recover_absent)
contagion = compile_rule(social.contagion)
output_gap = compile_rule(policies.output_gap)
update_manager_strain = compile_rule(strain.update_manager_strain)
demand_from_above = compile_rule(policies.demand_from_above)
push_from_above = compile_rule(policies.push_from_above)
felt_insecurity = compile_rule(policies.felt_insecurity)
update_control = compile_rule(policies.update_control)
trust_in_own_manager = compile_rule(trust.trust_in_own_manager)
control_exerted = compile_rule(policies.control_exerted)


@njit(**JIT)
def _active(status, a):
    for i in range(status.size):
        a[i] = 1.0 if status[i] == ACTIVE else 0.0


@njit(inline="always", **JIT)   # inlined into the loops' bodies: a call per person is measurably slower
def _peer_sums(indptr, indices, data, x, y, a, i):
    """For person ``i``: the sums over peers of ``x * active`` and of ``y * active``, and the number of active
    peers: the sums of :func:`sim.rules.social.peer_mean`'s sparse products, in their order."""
    unit = data.size == 0   # unit weights (every tie counts once) are not stored
    sx = 0.0
    sy = 0.0
    den = 0.0
    for k in range(indptr[i], indptr[i + 1]):
        j = indices[k]
        d = 1.0 if unit else data[k]
        sx += d * (x[j] * a[j])
        sy += d * (y[j] * a[j])
        den += d * a[j]
    return sx, sy, den


# --------------------------------------------------------------------------------------------------------------
# the week in four loops (the step numbers of docs/ODD.md)
# --------------------------------------------------------------------------------------------------------------
def policy_pass(first, status, competence, motivation_, engagement, manager_trust, output, boost,
                a0, m0, ap0, c0, pd, rm, demand0, workload_share, expected,
                hours, overtime_max, takeover, frameworks, team_output,
                aut, mon, appr, coach_int, control, level, demand, shortfall,
                n_act, shortfall_sum, mon_sum, appr_sum, coach_sum, take_units, mt):
    """Steps 1-3a, team by team (team ``t`` holds positions ``first[t]:first[t+1]``): the week's work and the
    policy applied per person (:func:`sim.policies.levers`), the team sums the manager's week needs (in index
    order, as numpy's bincount), then the team lead's week: the work the manager takes over (``takeover`` times
    last week's shortfall of the team's output per active member) and :func:`sim.rules.work.manager_week`,
    whose results fill the rows of ``mt`` in the order of :data:`sim.rules.work.MANAGER_WEEK`."""
    for t in prange(first.size - 1):
        na = sf_sum = m_sum = ap_sum = c_sum = 0.0
        for i in range(first[t], first[t + 1]):
            actf = 1.0 if status[i] == ACTIVE else 0.0
            demand[i] = demand0 * workload_share[i]
            lev0 = readiness_level_of(competence[i], motivation_[i], engagement[i])
            a, m, ap, c, ctl, lev = levers(a0[t], m0[t], ap0[t], c0[t], pd[t], rm[t], lev0, manager_trust[i],
                                           boost[t])
            aut[i], mon[i], appr[i], coach_int[i], control[i] = a * actf, m * actf, ap * actf, c * actf, ctl * actf
            level[i] = lev
            shortfall[i] = max(0.0, expected - output[i]) * actf
            na += actf
            sf_sum += shortfall[i]
            m_sum += mon[i]
            ap_sum += appr[i] * demand[i]
            c_sum += coach_int[i]
        n_act[t], shortfall_sum[t], mon_sum[t], appr_sum[t], coach_sum[t] = na, sf_sum, m_sum, ap_sum, c_sum
        take_units[t] = takeover[t] * (max(0.0, expected - team_output[t]) * na)
        r = manager_week(hours[t], overtime_max, m_sum, ap_sum, c_sum, take_units[t], frameworks[t])
        for k in range(len(r)):
            mt[k, t] = r[k]


def work_pass(first, team, status, keys, base, person, run, T, difficulty, novelty, complexity, surfacing_rate,
              hidden_cost, safety_rate, trust_loss, competence, motivation_, engagement, exhaustion, initiative,
              safety_, hidden_backlog, benevolence_p, m_competence, blame, fw_eff_m, coaching_served, approval_served,
              taken_team, shortfall_sum, aut, mon, appr, coach_int, demand, shortfall,
              coach_recv, taken, done, wait, guide, attempted, success_rate, intelligent, surfaced, hidden,
              basic, complex_, reported, blame_event, own_safety, emp_output, delivered, repairs,
              safety_sum, delivered_sum, manager_done_sum, repairs_sum, u_orphan, orphan_backlog, orphans, p_succ):
    """Steps 3b-4 per person, team by team: work done, tasks attempted and succeeded, failures classified,
    reported or hidden, hidden ones surfacing; the safety each person feels before it is shared in the team;
    and the team sums (in index order, as numpy's bincount). Then the team's orphaned failures (hidden by
    people who left) surface, as :func:`sim.rules.safety.surface_hidden`: Binomial(``orphan_backlog``,
    ``surfacing_rate``) at the team's uniform ``u_orphan`` from the run's stream."""
    # 3b. each person's work and chance of success, in loops over all people of their own (the second calls exp),
    # then the tasks team by team: at 10,000 people 0.2 ms less than all of it in the team loop on one core,
    # 0.07 ms on two (the same numbers)
    for i in prange(team.size):
        t = team[i]
        actf = 1.0 if status[i] == ACTIVE else 0.0
        coach_recv[i] = coach_int[i] * coaching_served[t]
        taken[i] = taken_team[t] * (shortfall[i] / max(shortfall_sum[t], 1e-12))
        capacity = effort(motivation_[i], engagement[i], exhaustion[i], initiative[i], mon[i])
        wait[i] = approval_wait(appr[i], approval_served[t])
        done[i] = work_done(demand[i], capacity, wait[i] + 0.1 * coach_recv[i], taken[i]) * actf
        guide[i] = guidance(aut[i], fw_eff_m[t], coach_recv[i])
    for i in prange(team.size):
        p_succ[i] = success_probability(competence[i], difficulty, aut[i], initiative[i], guide[i], exhaustion[i])
    for t in prange(first.size - 1):
        s_safety = s_repairs = s_manager = s_delivered = 0.0
        for i in range(first[t], first[t + 1]):
            actf = 1.0 if status[i] == ACTIVE else 0.0
            key, at = keys[run[i]], first_slot(base, person, run, i)   # uniforms: luck(key, at + slot)
            # 3b-4b. each task's outcome from its uniform (safety.outcome_bounds, tasks_below, task_outcomes)
            d, b1, b2, b3, b4, b5 = outcome_bounds(done[i], p_succ[i], intelligent_share(novelty, aut[i], safety_[i]),
                                                   complexity, report_share(safety_[i]))
            n_d = n_1 = n_2 = n_3 = n_4 = n_5 = 0
            if d > 0.0:   # else no task is attempted: all counts are 0
                for k in range(at + TASK_SLOT, at + TASK_SLOT + T):
                    u = luck(key, k)
                    n_d += u < d
                    n_1 += u < b1
                    n_2 += u < b2
                    n_3 += u < b3
                    n_4 += u < b4
                    n_5 += u < b5
            att, succ, intel, cx, basic[i], rep, hid = task_outcomes(n_d, n_1, n_2, n_3, n_4, n_5)
            attempted[i], complex_[i], intelligent[i], reported[i], hidden[i] = att, cx, intel, rep, hid
            success_rate[i] = succ / max(att, 1) if att > 0 else p_succ[i]
            # 4c. hidden failures surface
            sf = binomial_at(key, at + SURFACE_SLOT, hidden_backlog[i], surfacing_rate)
            surfaced[i] = sf
            hidden_backlog[i] = hidden_backlog[i] - sf + hid
            seen = rep + sf
            blame_event[i] = blame[t] * min(1.0, seen / 4.0)
            own_safety[i] = personal_safety(safety_[i], blame[t], coach_recv[i], benevolence_p[i], seen,
                                            safety_rate, trust_loss)
            delivered[i] = (succ + hid + 0.5 * intel) / T * actf
            repairs[i] = (1 + hidden_cost) * sf / T
            emp_output[i] = delivered[i] - repairs[i] * actf
            s_safety += own_safety[i] * actf
            s_repairs += repairs[i]
            s_manager += taken[i] * (0.5 + 0.5 * m_competence[t])
            s_delivered += delivered[i]
        safety_sum[t], repairs_sum[t], manager_done_sum[t], delivered_sum[t] = s_safety, s_repairs, s_manager, \
            s_delivered
        orphans[t] = sf = binomial_from_uniform(u_orphan[t], orphan_backlog[t], surfacing_rate)
        orphan_backlog[t] -= sf


def people_pass(team, status, indptr, indices, data, T, difficulty, learning_speed, coaching_effect,
                motivation_rate, trust_rate, trust_loss, exhaustion_rate, recovery_rate, cynicism_rate,
                e_threshold, c_threshold, turnover_base, turnover_sensitivity,
                competence, motivation_, engagement, exhaustion, cynicism, efficacy, initiative, safety_,
                learning_rate, trust_propensity, resilience, tenure, ability_p, benevolence_p, integrity_p,
                trust_in_manager, m_ability, m_benevolence, m_integrity, manager_trust, burnout_count,
                m_competence, m_strain, m_propensity, m_insecurity, blame, consistency, fw_eff_m, n_act, safety_sum,
                aut, mon, appr, control, demand, coach_recv, taken, done, wait, guide, success_rate, intelligent,
                surfaced, blame_event, own_safety,
                peer_eng, fit, felt, resources_, hind, burnt, quit_probability, first, tv, keys, base, person, run,
                quits):
    """Steps 4d-8 per person: safety shared in the team, learning and initiative, motivation (SDT), trust both
    ways (ABI), strain and burnout (JD-R, Karasek, Maslach), and the chance of leaving this week."""
    a = np.empty(team.size)
    _active(status, a)
    # the team's values the loops below read, spread over its people (``tv``, 8 rows; team t holds positions
    # first[t]:first[t+1]): the team lead's, and the team's mean safety. With no per-team lookups, no calls of
    # exp, pow or log, and updates written as selects rather than guarded stores, LLVM vectorises the loops
    # below (in the parallel build: 2.5 times faster, the same numbers)
    for t in prange(first.size - 1):
        for i in range(first[t], first[t + 1]):
            tv[0, i], tv[1, i], tv[2, i] = m_competence[t], fw_eff_m[t], m_strain[t]
            tv[3, i], tv[4, i], tv[5, i], tv[6, i] = consistency[t], blame[t], m_propensity[t], m_insecurity[t]
            tv[7, i] = safety_sum[t] / max(n_act[t], 1e-12) if n_act[t] > 0 else own_safety[i]
    for i in prange(team.size):   # 6. the peers' engagement (last week's, of the active peers)
        num, _, den = _peer_sums(indptr, indices, data, engagement, engagement, a, i)
        peer_eng[i] = num / max(den, 1e-12) if den > 0 else 0.5
    # two loops over people rather than one: each touches half of the ~70 arrays, which the processor's
    # prefetchers follow far better (1.15 ms instead of 1.5-2.5 ms at 10,000 people, same numbers)
    for i in prange(team.size):
        act = status[i] == ACTIVE
        # 4d. safety: a shared belief (the active's moves)
        sf = shared_safety(own_safety[i], tv[7, i])
        safety_[i] = sf if act else safety_[i]
        # 5. learning and initiative
        taken_share = taken[i] / max(demand[i], 1e-9) if demand[i] > 0 else 0.0
        cp = learn(competence[i], learning_rate[i], learning_speed, practice(aut[i], min(done[i], 1.0), taken_share),
                   coach_recv[i], coaching_effect, intelligent[i] / T, safety_[i])
        competence[i] = cp if act else competence[i]
        ini = update_initiative(initiative[i], aut[i], taken_share, appr[i])
        initiative[i] = ini if act else initiative[i]
        # 6. motivation (SDT needs)
        pe = peer_eng[i]
        fit[i] = challenge_fit(difficulty, competence[i])
        n_aut, n_comp, n_rel = needs(control[i], success_rate[i], fit[i], pe,
                                     manager_support(coach_recv[i], benevolence_p[i]))
        mo = update_motivation(motivation_[i], n_aut, n_comp, n_rel, motivation_rate)
        motivation_[i] = mo if act else motivation_[i]
    for i in prange(team.size):
        act = status[i] == ACTIVE
        pe = peer_eng[i]
        m_comp, fw, m_str, consist, blame_t, m_prop, m_insec = tv[0, i], tv[1, i], tv[2, i], tv[3, i], tv[4, i], \
            tv[5, i], tv[6, i]
        # 7. trust both ways (the active's perceptions move; the others' stay)
        felt[i] = felt_trust(aut[i], mon[i])
        A, B, I = employee_perceptions(m_comp, fw, m_str, coach_recv[i], blame_event[i], felt[i], consist, blame_t)
        ab = update_perception(ability_p[i], A, trust_rate, trust_loss)
        be = update_perception(benevolence_p[i], B, trust_rate, trust_loss)
        it = update_perception(integrity_p[i], I, trust_rate, trust_loss)
        tr = update_perception(trust_in_manager[i], combine(ab, be, it, trust_propensity[i], tenure[i]), trust_rate,
                               trust_loss)
        ability_p[i] = ab if act else ability_p[i]
        benevolence_p[i] = be if act else benevolence_p[i]
        integrity_p[i] = it if act else integrity_p[i]
        trust_in_manager[i] = tr if act else trust_in_manager[i]
        mA, mB, mI = manager_perceptions(success_rate[i], engagement[i], initiative[i], surfaced[i])
        obs_rate = trust_rate * observation(mon[i])
        ma = update_perception(m_ability[i], mA, obs_rate, trust_loss)
        mb = update_perception(m_benevolence[i], mB, obs_rate, trust_loss)
        mi = update_perception(m_integrity[i], mI, obs_rate, trust_loss)
        mt = update_perception(manager_trust[i], manager_trust_level(ma, mb, mi, m_prop, tenure[i], m_insec),
                               obs_rate, trust_loss)
        m_ability[i] = ma if act else m_ability[i]
        m_benevolence[i] = mb if act else m_benevolence[i]
        m_integrity[i] = mi if act else m_integrity[i]
        manager_trust[i] = mt if act else manager_trust[i]
        # 8. strain (JD-R + Karasek), Maslach burnout (the active's strain moves)
        hind[i] = hindrance(mon[i], appr[i], competence[i])
        D = demands(demand[i], exhaustion[i], wait[i], hind[i], aut[i] * (1 - skill(competence[i], guide[i])))
        resources_[i] = resources(aut[i], coach_recv[i], safety_[i], fw, pe)
        ex = update_exhaustion(exhaustion[i], D, resources_[i], resilience[i], exhaustion_rate, recovery_rate)
        ex = ex if act else exhaustion[i]
        cy = update_cynicism(cynicism[i], ex, trust_in_manager[i], safety_[i], cynicism_rate)
        cy = cy if act else cynicism[i]
        ef = update_efficacy(efficacy[i], success_rate[i], cy)
        exhaustion[i], cynicism[i] = ex, cy
        efficacy[i] = ef if act else efficacy[i]
        burnt[i] = b = burnout_criterion(ex, cy, e_threshold, c_threshold)
        burnout_count[i] = update_burnout_counter(burnout_count[i], b) if act else 0
    for i in prange(team.size):   # apart: its exp would keep the loop above from being vectorised
        quit_probability[i] = pq = turnover_probability(engagement[i], trust_in_manager[i],
                                                        1.0 if exhaustion[i] >= e_threshold else 0.0, turnover_base,
                                                        turnover_sensitivity)
        # the turnover test (taken here on all threads; who is still active to leave is known only after burnout
        # leave: :func:`leavers_now`)
        quits[i] = luck(keys[run[i]], first_slot(base, person, run, i) + QUIT_SLOT) < pq


def engagement_pass(team, first, status, indptr, indices, data, novelty, engagement_rate, contagion_rate,
                    engagement, exhaustion, motivation_, resilience, aut, fit, felt, resources_, hind,
                    new_eng, new_exh, mon, appr, coach_recv, control, level, emp_output, attempted, success_rate,
                    s_autonomy, s_monitoring, s_approval, s_coaching, s_control, s_style, s_level, s_output,
                    s_success_rate, tenure,
                    trust_in_manager, manager_trust, safety_, competence, cynicism, efficacy, initiative,
                    e_threshold, c_threshold, basic, complex_, intelligent, hidden, surfaced, partials):
    """Steps 9-10: engagement (JD-R motivational process), then engagement and exhaustion cross over along
    peer ties (all at once: everyone moves toward last values of their peers); then this week's applied policy
    and outcomes are kept per employee (the ``s_`` arrays), tenure grows, and, team by team, the team's rows of
    ``partials`` get the sums the week's metrics are made of (:func:`team_metric_sums`)."""
    n = team.size
    for i in prange(n):   # the active's engagement moves (a select, not a guarded store: vectorised)
        e = update_engagement(engagement[i], motivation_[i], resources_[i], challenge(novelty, aut[i], fit[i]),
                              hind[i], exhaustion[i], felt[i], engagement_rate, 0.8 * (resilience[i] - 0.5))
        engagement[i] = e if status[i] == ACTIVE else engagement[i]
    a = np.empty(n)
    _active(status, a)
    for i in prange(n):
        ne, nx, den = _peer_sums(indptr, indices, data, engagement, exhaustion, a, i)
        pe = ne / max(den, 1e-12) if den > 0 else 0.5
        px = nx / max(den, 1e-12) if den > 0 else 0.0
        c = contagion_rate if (status[i] == ACTIVE and den > 0) else 0.0
        new_eng[i] = min(max(contagion(engagement[i], pe, c), 0.0), 1.0)
        new_exh[i] = min(max(contagion(exhaustion[i], px, 0.5 * c), 0.0), 1.0)
    for i in prange(n):
        engagement[i], exhaustion[i] = new_eng[i], new_exh[i]
        s_autonomy[i], s_monitoring[i], s_approval[i] = aut[i], mon[i], appr[i]
        s_coaching[i], s_control[i] = coach_recv[i], control[i]
        s_style[i] = style_used(aut[i], coach_recv[i])
        s_level[i] = level[i]
        s_output[i] = max(emp_output[i], 0.0) if status[i] == ACTIVE else 0.0
        s_success_rate[i] = success_rate[i] if attempted[i] > 0 else s_success_rate[i]
        tenure[i] = tenure[i] + 1 if status[i] != VACANT else tenure[i]
    for t in prange(first.size - 1):
        team_metric_sums(first[t], first[t + 1], t, status, engagement, trust_in_manager, manager_trust, safety_,
                         competence, motivation_, exhaustion, cynicism, efficacy, initiative, s_control,
                         e_threshold, c_threshold, basic, complex_, intelligent, hidden, surfaced, partials)


# --------------------------------------------------------------------------------------------------------------
# step 1 and the end of step 8: who is away, who comes back, who leaves (the stream's draws stay in sim.model)
# --------------------------------------------------------------------------------------------------------------
# the state fields :func:`place_people` writes, in the order of its last arguments
PLACED = ("competence", "motivation", "trust_propensity", "resilience", "learning_rate", "workload_share",
          "trust_in_manager", "ability_p", "benevolence_p", "integrity_p", "engagement", "exhaustion", "cynicism",
          "efficacy", "initiative", "safety", "tenure", "success_rate", "output", "m_ability", "m_benevolence",
          "m_integrity", "manager_trust", "status", "weeks_left", "burnout_count", "hidden_backlog", "leave_weeks")


@njit(**JIT)
def place_people(slots, competence, motivation_, propensity, resilience, learning_rate, workload, exhaustion,
                 cynicism, tenure, m_propensity, m_trust, target,
                 s_competence, s_motivation, s_propensity, s_resilience, s_learning_rate, s_workload,
                 s_trust_in_manager, s_ability_p, s_benevolence_p, s_integrity_p, s_engagement, s_exhaustion,
                 s_cynicism, s_efficacy, s_initiative, s_safety, s_tenure, s_success_rate, s_output, s_m_ability,
                 s_m_benevolence, s_m_integrity, s_manager_trust, s_status, s_weeks_left, s_burnout_count,
                 s_hidden_backlog, s_leave_weeks):
    """New people in ``slots`` (Initialization in docs/ODD.md; :meth:`sim.model.OrgModel._init_people` draws
    their traits): their state from the draws, clipped to [0, 1] where the docs say so, with the starting values
    that follow from them (trust in the manager = propensity, engagement from motivation, efficacy from
    competence, the manager's view of them) and the rest at its start. The same numbers as whole-array numpy,
    one pass instead of about 25 assignments."""
    for j in range(slots.size):
        i = slots[j]
        c = _clip(competence[j], 0.0, 1.0)
        s_competence[i], s_motivation[i], s_propensity[i] = c, motivation_[j], propensity[j]
        s_resilience[i], s_learning_rate[i], s_workload[i] = resilience[j], learning_rate[j], workload[j]
        s_trust_in_manager[i] = s_ability_p[i] = s_benevolence_p[i] = s_integrity_p[i] = propensity[j]
        s_engagement[i] = _clip(0.15 + 0.7 * motivation_[j], 0.0, 1.0)
        s_exhaustion[i] = _clip(exhaustion[j], 0.0, 1.0)
        s_cynicism[i] = _clip(cynicism[j], 0.0, 1.0)
        s_efficacy[i] = _clip(0.3 + 0.6 * c, 0.0, 1.0)
        s_initiative[i] = s_safety[i] = 0.5
        s_tenure[i] = tenure[j]
        s_success_rate[i] = 0.7
        s_output[i] = target
        s_m_ability[i] = _clip(0.5 * m_propensity + 0.5 * c, 0.0, 1.0)
        s_m_benevolence[i] = s_m_integrity[i] = m_propensity
        s_manager_trust[i] = m_trust
        s_status[i] = ACTIVE
        s_weeks_left[i] = s_burnout_count[i] = s_hidden_backlog[i] = s_leave_weeks[i] = 0


@njit(**JIT)
def sick_leave_pass(status, exhaustion, cynicism, weeks_left, leave_weeks):
    """Start of the week for people on sick leave: they recover a little, a week of leave is counted down;
    returns the positions whose leave ends now (in index order)."""
    ending = np.empty(status.size, dtype=np.int64)
    k = 0
    for i in range(status.size):
        if status[i] == ABSENT:
            exhaustion[i], cynicism[i] = recover_absent(exhaustion[i], cynicism[i])
            weeks_left[i] -= 1
            leave_weeks[i] += 1
            if weeks_left[i] <= 0:
                ending[k] = i
                k += 1
    return ending[:k]


@njit(**JIT)
def vacancy_pass(status, weeks_left):
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


@njit(**JIT)
def leave_pass(idx, status, weeks_left, hiring_delay, team, hidden_backlog, orphan_backlog, run_of_position,
               leavers_by_run):
    """The people at ``idx`` leave: their positions fall vacant for ``hiring_delay`` weeks, the failures they
    hid become their team's, and each run counts its leavers."""
    for i in idx:
        status[i] = VACANT
        weeks_left[i] = hiring_delay
        orphan_backlog[team[i]] += hidden_backlog[i]
        hidden_backlog[i] = 0
        leavers_by_run[run_of_position[i]] += 1


@njit(**JIT)
def leavers_now(status, burnout_count, burnout_weeks, quits):
    """End of step 8, in index order: the active with ``burnout_weeks`` weeks of burnout in a row, whose sick
    leave starts now, and the other active who leave this week (``quits``: each person's turnover uniform,
    :func:`sim.streams.luck` at slot :data:`sim.streams.QUIT_SLOT` of the week, below their chance of leaving;
    taken beforehand, by :func:`people_pass` or the numpy engine)."""
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


# --------------------------------------------------------------------------------------------------------------
# step 11: the managers (team leads, then the levels above them), one loop over managers each
# --------------------------------------------------------------------------------------------------------------
@njit(**JIT)
def _judge(perceived_output, seen_output, expected, strain_, hours_worked, hours, resilience, strain_rate,
           pressure, support, cascade, boost, reactivity, relax_rate, insecurity, trust_in_boss, has_boss,
           control_rate, m):
    """Steps 11a-b for manager ``m`` (a team lead or a senior manager): results as seen (exponential average,
    with 5% tolerance), strain, then the control taken on top of the policy."""
    perceived_output[m] = 0.7 * perceived_output[m] + 0.3 * seen_output
    gap = output_gap(perceived_output[m], expected)
    strain_[m] = update_manager_strain(strain_[m], hours_worked, hours, gap, resilience[m], strain_rate,
                                       demand_from_above(pressure[m], support[m], cascade))
    boost[m] = update_control(boost[m], gap, reactivity[m], relax_rate[m],
                              felt_insecurity(insecurity[m], trust_in_boss[m], cascade, has_boss),
                              strain_[m], control_rate, push_from_above(pressure[m], cascade))


@njit(**JIT)
def manager_pass(team_delivered, positions, expected, strain_rate, control_rate, cascade, perceived_output,
                 strain_, hours_total, hours, resilience, pressure, support, boost, prev_boost, reactivity,
                 relax_rate, insecurity, trust_in_boss, team_boss, team_output):
    """Step 11 per team lead: the team's output per position, then :func:`_judge`."""
    for t in range(team_boss.size):
        team_output[t] = max(team_delivered[t], 0.0) / positions[t]
        prev_boost[t] = boost[t]
        _judge(perceived_output, team_output[t], expected, strain_, hours_total[t], hours[t], resilience,
               strain_rate, pressure, support, cascade, boost, reactivity, relax_rate, insecurity, trust_in_boss,
               team_boss[t] >= 0, control_rate, t)


@njit(**JIT)
def senior_pass(under_ptr, under_idx, under_w, positions, team_output, expected, hours, strain_rate, control_rate,
                cascade, trust_rate, trust_loss, unit_output, perceived_output, strain_, resilience, pressure,
                support, boost, reactivity, relax_rate, insecurity, trust_in_boss, senior_boss, autonomy,
                monitoring, approval, coaching, control_down, support_down, team_boss, t_pressure, t_support,
                t_trust_in_boss):
    """Step 11c: every senior manager sees the output per position of the teams under them (``under_*``: the
    senior x team matrix in CSR form), then :func:`_judge`; every manager's trust in their own manager follows
    the control and support received; the control and support each senior exerts are passed down for next
    week (the cascade)."""
    for u in range(senior_boss.size):
        weight = 0.0
        out = 0.0
        for k in range(under_ptr[u], under_ptr[u + 1]):
            t = under_idx[k]
            weight += under_w[k] * positions[t]
            out += under_w[k] * (team_output[t] * positions[t])
        unit_output[u] = out / max(weight, 1.0)
        _judge(perceived_output, unit_output[u], expected, strain_, hours, hours, resilience, strain_rate,
               pressure, support, cascade, boost, reactivity, relax_rate, insecurity, trust_in_boss,
               senior_boss[u] >= 0, control_rate, u)
    for t in range(team_boss.size):
        if team_boss[t] >= 0:
            t_trust_in_boss[t] = update_perception(t_trust_in_boss[t], trust_in_own_manager(t_pressure[t],
                                                   t_support[t]), trust_rate, trust_loss)
    for u in range(senior_boss.size):
        if senior_boss[u] >= 0:
            trust_in_boss[u] = update_perception(trust_in_boss[u], trust_in_own_manager(pressure[u], support[u]),
                                                 trust_rate, trust_loss)
        control_down[u], support_down[u] = control_exerted(autonomy[u], monitoring[u], approval[u], coaching[u],
                                                           boost[u])
    for t in range(team_boss.size):
        b = team_boss[t]
        t_pressure[t] = control_down[b] if b >= 0 else 0.0
        t_support[t] = support_down[b] if b >= 0 else 0.0
    for u in range(senior_boss.size):
        b = senior_boss[u]
        pressure[u] = control_down[b] if b >= 0 else 0.0
        support[u] = support_down[b] if b >= 0 else 0.0


# --------------------------------------------------------------------------------------------------------------
# step 12: the week's metrics in one pass (:func:`sim.metrics.compute_metrics` calls it for either engine)
# --------------------------------------------------------------------------------------------------------------
engagement_class = compile_rule(motivation.engagement_class)
zone = compile_rule(safety.zone)

# the columns :func:`metric_columns` fills, in its order (names of :data:`sim.metrics.METRICS`)
METRIC_COLUMNS = (
    "engagement", "engaged_share", "disengaged_share", "trust_in_manager", "manager_trust", "psych_safety",
    "competence", "motivation", "exhaustion", "cynicism", "efficacy", "initiative", "manager_control",
    "manager_hours", "hours_monitoring", "hours_doing", "hours_coaching", "hours_vision", "manager_strain",
    "extra_control", "pressure_from_above",
    "zone_learning", "zone_comfort", "zone_anxiety", "zone_apathy",
    "burnout_share", "burnout_complaints_share", "absent_share", "vacancy_share", "output",
    "basic_failures", "complex_failures", "intelligent_failures", "hidden_failures", "surfaced_failures",
    "headcount")
_N_MEANS = 13   # the first columns: means over the active
# the sums per team that the metrics are made of (:func:`team_metric_sums`): the 13 sums over the active of the
# means' variables, then these
N_PARTIALS = _N_MEANS + 10
_BURNT, _COMPLAINTS, _ABSENT, _VACANT, _ACTIVE, _FAILURES = 13, 14, 15, 16, 17, 18   # failures: 18-22


@njit(inline="always", **JIT)   # inlined into engagement_pass and metric_partials: the same sums in both
def team_metric_sums(lo, hi, t, status, engagement, trust_in_manager, manager_trust, safety_, competence,
                     motivation_, exhaustion, cynicism, efficacy, initiative, control, e_threshold, c_threshold,
                     basic, complex_, intelligent, hidden, surfaced, partials):
    """Row ``t`` of ``partials``: sums over positions ``lo:hi`` (a team) in index order, laid out as
    :data:`N_PARTIALS` says: over the active, each mean's variable (``engaged``/``disengaged`` as 0/1), then
    the burnt-out active, those with burnout complaints, the absent, the vacancies, the active, and the week's
    basic, complex, intelligent, hidden and surfaced failures."""
    row = partials[t]
    for k in range(N_PARTIALS):
        row[k] = 0.0
    for i in range(lo, hi):
        row[_FAILURES] += basic[i]
        row[_FAILURES + 1] += complex_[i]
        row[_FAILURES + 2] += intelligent[i]
        row[_FAILURES + 3] += hidden[i]
        row[_FAILURES + 4] += surfaced[i]
        st = status[i]
        if st == VACANT:
            row[_VACANT] += 1.0
            continue
        if st == ABSENT:
            row[_ABSENT] += 1.0
            continue
        row[_ACTIVE] += 1.0
        cls = engagement_class(engagement[i])
        row[0] += engagement[i]
        row[1] += 1.0 if cls == motivation.ENGAGED else 0.0
        row[2] += 1.0 if cls == motivation.DISENGAGED else 0.0
        row[3] += trust_in_manager[i]
        row[4] += manager_trust[i]
        row[5] += safety_[i]
        row[6] += competence[i]
        row[7] += motivation_[i]
        row[8] += exhaustion[i]
        row[9] += cynicism[i]
        row[10] += efficacy[i]
        row[11] += initiative[i]
        row[12] += control[i]
        row[_BURNT] += 1.0 if burnout_criterion(exhaustion[i], cynicism[i], e_threshold, c_threshold) else 0.0
        row[_COMPLAINTS] += 1.0 if exhaustion[i] >= e_threshold else 0.0


@njit(**JIT)
def metric_partials(first, status, engagement, trust_in_manager, manager_trust, safety_, competence, motivation_,
                    exhaustion, cynicism, efficacy, initiative, control, e_threshold, c_threshold, basic, complex_,
                    intelligent, hidden, surfaced):
    """:func:`team_metric_sums` for every team (team ``t`` holds positions ``first[t]:first[t+1]``): what the
    compiled week's :func:`engagement_pass` leaves in ``partials``, for the numpy engine and for metrics taken
    at any other moment."""
    partials = np.empty((first.size - 1, N_PARTIALS))
    for t in range(first.size - 1):
        team_metric_sums(first[t], first[t + 1], t, status, engagement, trust_in_manager, manager_trust, safety_,
                         competence, motivation_, exhaustion, cynicism, efficacy, initiative, control, e_threshold,
                         c_threshold, basic, complex_, intelligent, hidden, surfaced, partials)
    return partials


@njit(**JIT)
def metric_columns(pos_bounds, team_bounds, partials, standards, hours_total, hours_monitoring, hours_doing,
                   hours_coaching, hours_vision, m_strain, boost, pressure, team_output, orphans_surfaced):
    """Every metric of :data:`METRIC_COLUMNS` for every run (rows; run ``r`` holds positions
    ``pos_bounds[r]:pos_bounds[r+1]`` and teams ``team_bounds[r]:team_bounds[r+1]``), from the sums per team
    (``partials``, :func:`team_metric_sums`) and the managers' arrays: means over a run's active employees,
    shares of its employees or positions, means over its teams, counts. Sums run over teams in index order."""
    n_runs = pos_bounds.size - 1
    out = np.zeros((n_runs, len(METRIC_COLUMNS)))
    for r in range(n_runs):
        s = np.zeros(N_PARTIALS)
        o = out[r]
        surf = 0.0
        for t in range(team_bounds[r], team_bounds[r + 1]):
            row = partials[t]
            for k in range(N_PARTIALS):
                s[k] += row[k]
            o[13] += hours_total[t]
            o[14] += hours_monitoring[t]
            o[15] += hours_doing[t]
            o[16] += hours_coaching[t]
            o[17] += hours_vision[t]
            o[18] += m_strain[t]
            o[19] += boost[t]
            o[20] += pressure[t]
            o[21 + zone(row[5] / max(row[_ACTIVE], 1.0), standards[t])] += 1.0
            o[29] += team_output[t]
            surf += orphans_surfaced[t]
        n_act = s[_ACTIVE]
        for k in range(_N_MEANS):
            o[k] = s[k] / n_act if n_act > 0 else 0.0
        teams = float(team_bounds[r + 1] - team_bounds[r])
        for k in range(_N_MEANS, 25):
            o[k] /= teams
        o[29] /= teams
        absent = s[_ABSENT]
        employed = max(n_act + absent, 1.0)
        o[25] = (absent + s[_BURNT]) / employed
        o[26] = (absent + s[_COMPLAINTS]) / employed
        o[27] = absent / employed
        o[28] = s[_VACANT] / float(pos_bounds[r + 1] - pos_bounds[r])
        o[30], o[31], o[32] = s[_FAILURES], s[_FAILURES + 1], s[_FAILURES + 2]
        o[33], o[34], o[35] = s[_FAILURES + 3], s[_FAILURES + 4] + surf, n_act
    return out


# --------------------------------------------------------------------------------------------------------------
# the loops compiled twice, and the choice between them
# --------------------------------------------------------------------------------------------------------------
PASSES = (policy_pass, work_pass, people_pass, engagement_pass)


def _twin(f, suffix):
    """``f`` under another qualified name: numba's cache files are named after it, and the serial and the
    parallel build of one function must not share one."""
    g = types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)
    g.__module__, g.__qualname__, g.__doc__ = f.__module__, f.__qualname__ + suffix, f.__doc__
    return g


SERIAL = types.SimpleNamespace(**{f.__name__: njit(**JIT)(f) for f in PASSES})
PARALLEL = types.SimpleNamespace(**{f.__name__: njit(parallel=True, **JIT)(_twin(f, "_parallel"))
                                    for f in PASSES})

PARALLEL_MIN = 2_000  # people: below this, waking the threads costs more than they save
_LAUNCH = threading.Lock()  # one parallel launch at a time in a process
_SERIAL_ONLY = contextvars.ContextVar("orgsim_serial_only", default=False)


@contextmanager
def serial_only():
    """Within this block (in this thread or task) weeks run serially: for experiments, whose runs are spread
    over processes already."""
    token = _SERIAL_ONLY.set(True)
    try:
        yield
    finally:
        _SERIAL_ONLY.reset(token)


def threads() -> int:
    """The threads a parallel week would use (numba's ``NUMBA_NUM_THREADS``; read without starting them)."""
    return int(numba.config.NUMBA_NUM_THREADS)


@contextmanager
def loops(people: int):
    """The four loops for a week of ``people``: :data:`PARALLEL` (holding the process's launch lock) if the
    organisation has at least :data:`PARALLEL_MIN` people, there are threads to share and no other thread holds
    the lock; else :data:`SERIAL`. Both give the same numbers."""
    if (people >= PARALLEL_MIN and threads() > 1 and not _SERIAL_ONLY.get()
            and _LAUNCH.acquire(blocking=False)):
        try:
            yield PARALLEL
        finally:
            _LAUNCH.release()
    else:
        yield SERIAL


def load_parallel() -> None:
    """Load (or compile) :data:`PARALLEL`'s code for the signatures :data:`SERIAL` was called with, without
    starting any thread (so that processes forked afterwards are unaffected)."""
    for f in PASSES:
        for sig in getattr(SERIAL, f.__name__).signatures:
            getattr(PARALLEL, f.__name__).compile(sig)
