"""The week, written once, in the order of ODD §3 ("Process overview and scheduling").

:func:`week` is the schedule: twelve steps, top to bottom. Steps 2-10 are each person's week, written once as
plain Python that calls the rules (:mod:`sim.rules`, :mod:`sim.policies`) for one person at a time, in loops
over people (the ``*_pass`` functions); step 11 is each manager's, in loops over managers. Nothing here is an
equation: the loops call rules and keep books (sums per team, what is remembered for next week).

:mod:`sim.engine` compiles these loops with numba (for one thread, and as parallel twins, both derived from
this source), and the rules they call for single numbers. With ``NUMBA_DISABLE_JIT=1`` the same code runs as plain
Python, to read and step through in a debugger.

The loops read and write state bundles (:mod:`sim.state`): ``E`` the employees, ``M`` the team leads, ``S``
the managers above them; ``O`` the organisation (:class:`Wiring`), ``K`` each team lead's policy knobs, ``P``
the scenario's numbers, ``X`` the week's working values (:class:`Scratch`).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from . import engine, people, events
from . import policies as _policies
from .metrics import FAILURES, N_PARTIALS, team_metric_sums
from .rules import learning as _learning, motivation as _motivation, safety as _safety, social as _social
from .rules import strain as _strain, trust as _trust, work as _work
from .state import ACTIVE, VACANT
from .streams import LIFE_SLOT, QUIT_SLOT, SURFACE_SLOT, TASK_SLOT, binomial_at, binomial_from_uniform, first_slot, \
    luck

# the rules, compiled for single numbers, under their modules' names: ``work.effort``, ``trust.combine``, ...
policies = engine.compiled_module(_policies)
work = engine.compiled_module(_work)
safety = engine.compiled_module(_safety)
learning = engine.compiled_module(_learning)
motivation = engine.compiled_module(_motivation)
trust = engine.compiled_module(_trust)
strain = engine.compiled_module(_strain)
social = engine.compiled_module(_social)

# the rows of X.mt: the manager's week (:func:`sim.rules.work.manager_week`), in its order
MT = {name: k for k, name in enumerate(_work.MANAGER_WEEK)}
_APPROVAL, _COACHING, _VISION, _DOING = (MT["approval_served"], MT["coaching_served"], MT["vision_served"],
                                         MT["doing_served"])


PERSON_FLOATS = ("aut", "mon", "appr", "coach_int", "control", "demand", "shortfall", "coach_recv", "taken", "done",
                 "wait", "guide", "p_succ", "success_rate", "blame_event", "own_safety", "emp_output", "delivered",
                 "repairs", "peer_eng", "fit", "felt", "resources", "hind", "new_eng", "new_exh", "active")
PERSON_COUNTS = ("level", "attempted", "reported")
TEAM_FLOATS = ("n_act", "shortfall_sum", "take_units", "taken_team", "fw_eff", "safety_sum", "delivered_sum",
               "manager_done_sum", "repairs_sum", "consistency", "u_orphan", "team_output")
Scratch = namedtuple("Scratch", PERSON_FLOATS + PERSON_COUNTS + FAILURES + ("quits",) + TEAM_FLOATS + (
    "orphans", "mt", "tv", "partials", "counts"))
Scratch.__doc__ = """The week's working values (``X``): per person, per team, the manager's week (``mt``, a row per
entry of :data:`sim.rules.work.MANAGER_WEEK`), the team's values spread over its people (``tv``), the sums per
team the metrics are made of (``partials``) and the week's failure counts per person (``counts``, in the order
of :data:`sim.metrics.FAILURES`)."""


def make_scratch(n: int, nt: int) -> Scratch:
    """Working arrays for a week of ``n`` positions in ``nt`` teams."""
    x = {k: np.zeros(n) for k in PERSON_FLOATS}
    x.update({k: np.zeros(n, dtype=np.int64) for k in PERSON_COUNTS})
    x.update({k: np.zeros(nt) for k in TEAM_FLOATS})
    x.update(quits=np.zeros(n, dtype=bool), orphans=np.zeros(nt, dtype=np.int64),
             mt=np.zeros((len(_work.MANAGER_WEEK), nt)), tv=np.zeros((8, n)), partials=np.zeros((nt, N_PARTIALS)),
             counts=np.zeros((len(FAILURES), n), dtype=np.int64))
    for k, name in enumerate(FAILURES):   # the failure counts are the rows of ``counts``
        x[name] = x["counts"][k]
    return Scratch(**x)


# ----------------------------------------------------------------------------------------------------------------
# the schedule
# ----------------------------------------------------------------------------------------------------------------
def week(model) -> None:
    """One work week of ``model`` (steps 1-11 of ODD §3; step 12, data collection, is the model's)."""
    model.week += 1
    p, E, M, S, O, X = model.params, model.state, model.mstate, model.ustate, model.wiring, model.scratch
    P, K = model.numbers, model.knob_bundle

    # 1. Work arrives: staffing (returns from sick leave, new hires), the scenario's events, the week's work
    people.staffing(model)
    pressure, shock, key_leavers = events.now(p.events, model.week)
    if shock:
        events.reorganisation(model, shock)
    if key_leavers:
        people.key_people_leave(model, key_leavers)
    expected = p.work.target * pressure                      # a crunch raises what is expected
    demand0 = _work.arriving_work(p.work.workload, pressure)
    base = model.draw.week_base(model.week)                  # where this week's counter-based uniforms start

    e, m, n_teams = E.bundle(), M.bundle(), O.first.size - 1
    with engine.phases(O.team.size, SERIAL, PARALLEL) as run:   # on one thread, or several (sim.engine)
        # 2. The manager applies the policy per employee; 3a. the manager's week (the bottleneck)
        run("policy_pass", O, e, m, K, P, X, demand0, expected)
        X.fw_eff[:] = K.frameworks * X.mt[_VISION]      # frameworks in effect: as far as vision time allows
        X.taken_team[:] = X.take_units * X.mt[_DOING]   # work the manager takes over, as far as time allows
        # 3b-4c. Work is done, tasks succeed or fail, failures are reported or hidden, hidden ones surface
        X.u_orphan[:] = model.draw.random(n_teams)
        run("work_pass", O, e, m, K, P, X, base)
        # 4d-8. Safety is shared; learning; motivation (SDT); trust both ways (ABI); strain (JD-R, Maslach)
        X.consistency[:] = _policies.consistency(M.extra_control, M.prev_extra_control)
        run("people_pass", O, e, m, K, P, X, base)
        people.absence_and_turnover(model, X.quits)   # burnout becomes sick leave; some leave
        # 9. Engagement (JD-R motivational process); 10. peers pass engagement and strain along their ties
        e = E.bundle()
        run("engagement_pass", O, e, P, X)
        run("crossover_pass", O, e, P, X)
        run("keep_pass", O, e, P, X)

    # 11. The managers: results as they see them, strain, control taken or let go; the cascade down the levels
    m, s = M.bundle(), S.bundle()
    team_delivered = X.delivered_sum + X.manager_done_sum - (
        X.repairs_sum + _safety.repairs(X.orphans, p.dynamics.hidden_cost, p.work.tasks_per_week))
    team_leads_pass(O, m, K, P, team_delivered, X.mt[MT["hours_total"]], expected, X.team_output)
    if S.size:
        senior_pass(O, s, m, model.senior_knob_bundle, P, X.team_output, expected)
    for name in ("hours_monitoring", "hours_doing", "hours_coaching", "hours_vision", "hours_total"):
        getattr(M, name)[:] = X.mt[MT[name]]
    M.team_output[:] = X.team_output
    M.frameworks_effective[:] = X.fw_eff


# ----------------------------------------------------------------------------------------------------------------
# steps 2-10: each person's week, in loops over people (team t holds positions O.first[t]:O.first[t + 1])
# ----------------------------------------------------------------------------------------------------------------
def policy_pass(O, E, M, K, P, X, demand0, expected):
    """Steps 1-3a, team by team: each person's work this week, the policy applied to them
    (:func:`sim.policies.levers`), the team's sums (in index order), then the team lead's week
    (:func:`sim.rules.work.manager_week`) into the rows of ``X.mt``."""
    for t in range(O.team_boss.size):
        na = sf_sum = m_sum = ap_sum = c_sum = 0.0
        for i in range(O.first[t], O.first[t + 1]):
            X.active[i] = actf = 1.0 if E.status[i] == ACTIVE else 0.0   # who is at work, for the peers' sums
            X.demand[i] = demand0 * E.workload_share[i]
            level = policies.readiness_level_of(E.competence[i], E.motivation[i], E.engagement[i])
            a, mo, ap, c, ctl, lev = policies.levers(K.autonomy[t], K.monitoring[t], K.approval[t], K.coaching[t],
                                                     K.phased_delegation[t], K.readiness_matching[t], level,
                                                     E.manager_trust[i], M.extra_control[t])
            X.aut[i], X.mon[i], X.appr[i], X.coach_int[i], X.control[i] = (a * actf, mo * actf, ap * actf,
                                                                           c * actf, ctl * actf)
            X.level[i] = lev
            X.shortfall[i] = work.shortfall(expected, E.output[i]) * actf
            na += actf
            sf_sum += X.shortfall[i]
            m_sum += X.mon[i]
            ap_sum += X.appr[i] * X.demand[i]
            c_sum += X.coach_int[i]
        X.n_act[t], X.shortfall_sum[t] = na, sf_sum
        X.take_units[t] = work.takeover_units(K.takeover[t], expected, M.team_output[t], na)
        r = work.manager_week(M.hours[t], P.overtime_max, m_sum, ap_sum, c_sum, X.take_units[t], K.frameworks[t])
        for k in range(len(r)):
            X.mt[k, t] = r[k]


def work_pass(O, E, M, K, P, X, base):
    """Steps 3b-4c per person: work done, each task's outcome (success, or an intelligent, complex or basic
    failure, reported or hidden) from one counter-based uniform per task, hidden failures surfacing, the safety
    each person feels before it is shared, the team's sums (in index order); then the team's orphaned hidden
    failures (of people who left) surface."""
    T = P.tasks_per_week
    for i in range(O.team.size):
        t = O.team[i]
        actf = 1.0 if E.status[i] == ACTIVE else 0.0
        X.coach_recv[i] = X.coach_int[i] * X.mt[_COACHING, t]
        X.taken[i] = work.taken_over(X.taken_team[t], X.shortfall[i], X.shortfall_sum[t])
        capacity = work.effort(E.motivation[i], E.engagement[i], E.exhaustion[i], E.initiative[i], X.mon[i])
        X.wait[i] = work.approval_wait(X.appr[i], X.mt[_APPROVAL, t])
        X.done[i] = work.work_done(X.demand[i], capacity, work.time_lost(X.wait[i], X.coach_recv[i]),
                                   X.taken[i]) * actf
        X.guide[i] = work.guidance(X.aut[i], X.fw_eff[t], X.coach_recv[i])
    for i in range(O.team.size):   # a loop of its own: its exp keeps the one above vectorised
        X.p_succ[i] = work.success_probability(E.competence[i], P.difficulty, X.aut[i], E.initiative[i], X.guide[i],
                                               E.exhaustion[i])
    for t in range(O.team_boss.size):
        s_safety = s_repairs = s_manager = s_delivered = 0.0
        for i in range(O.first[t], O.first[t + 1]):
            actf = 1.0 if E.status[i] == ACTIVE else 0.0
            key, at = O.keys[O.run[i]], first_slot(base, O.person, O.run, i)   # uniforms: luck(key, at + slot)
            d, b1, b2, b3, b4, b5 = safety.outcome_bounds(
                X.done[i], X.p_succ[i], safety.intelligent_share(P.novelty, X.aut[i], E.safety[i]), P.complexity,
                safety.report_share(E.safety[i]))
            n_d = n_1 = n_2 = n_3 = n_4 = n_5 = 0    # tasks whose uniform falls below each bound
            if d > 0.0:   # else no task is attempted: all counts are 0
                for k in range(at + TASK_SLOT, at + TASK_SLOT + T):
                    u = luck(key, k)
                    n_d += u < d
                    n_1 += u < b1
                    n_2 += u < b2
                    n_3 += u < b3
                    n_4 += u < b4
                    n_5 += u < b5
            att, succ, intel, cx, X.basic[i], rep, hid = safety.task_outcomes(n_d, n_1, n_2, n_3, n_4, n_5)
            X.attempted[i], X.complex[i], X.intelligent[i], X.reported[i], X.hidden[i] = att, cx, intel, rep, hid
            X.success_rate[i] = safety.success_rate(succ, att, X.p_succ[i])
            sf = binomial_at(key, at + SURFACE_SLOT, E.hidden_backlog[i], P.surfacing_rate)   # 4c. surfacing
            X.surfaced[i] = sf
            E.hidden_backlog[i] = E.hidden_backlog[i] - sf + hid
            seen = rep + sf
            X.blame_event[i] = safety.blame_event(K.blame[t], seen)
            X.own_safety[i] = safety.personal_safety(E.safety[i], K.blame[t], X.coach_recv[i], E.benevolence_p[i],
                                                     seen, P.safety_rate, P.trust_loss_multiplier)
            X.delivered[i] = safety.delivered(succ, hid, intel, T) * actf
            X.repairs[i] = safety.repairs(sf, P.hidden_cost, T)
            X.emp_output[i] = X.delivered[i] - X.repairs[i] * actf
            s_safety += X.own_safety[i] * actf
            s_repairs += X.repairs[i]
            s_manager += work.manager_done(X.taken[i], M.competence[t])
            s_delivered += X.delivered[i]
        X.safety_sum[t], X.repairs_sum[t], X.manager_done_sum[t], X.delivered_sum[t] = (s_safety, s_repairs,
                                                                                        s_manager, s_delivered)
        X.orphans[t] = sf = binomial_from_uniform(X.u_orphan[t], M.orphan_backlog[t], P.surfacing_rate)
        M.orphan_backlog[t] -= sf


@engine.jit_inline   # inlined into the loops: a call per person is measurably slower
def _peer_sums(indptr, indices, weights, x, y, a, i):
    """For person ``i``: the sums over their peers of ``x * a`` and ``y * a`` (``a``: 1.0 for the active, else 0),
    and the number of active peers (weighted by the ties' weights, which are not stored when all are 1)."""
    unit = weights.size == 0
    sx = 0.0
    sy = 0.0
    den = 0.0
    for k in range(indptr[i], indptr[i + 1]):
        j = indices[k]
        d = 1.0 if unit else weights[k]
        sx += d * (x[j] * a[j])
        sy += d * (y[j] * a[j])
        den += d * a[j]
    return sx, sy, den


def people_pass(O, E, M, K, P, X, base):
    """Steps 4d-8 per person: safety shared in the team, learning and initiative, motivation (SDT), trust both
    ways (ABI), strain and burnout (JD-R, Karasek, Maslach), and this week's turnover test. Only the active's
    state moves."""
    tv = X.tv
    # the team's values, spread over its people: with no per-team lookups below, the loops vectorise
    for t in range(O.team_boss.size):
        for i in range(O.first[t], O.first[t + 1]):
            tv[0, i], tv[1, i], tv[2, i] = M.competence[t], X.fw_eff[t], M.strain[t]
            tv[3, i], tv[4, i], tv[5, i], tv[6, i] = X.consistency[t], K.blame[t], M.propensity[t], M.insecurity[t]
            tv[7, i] = X.safety_sum[t] / max(X.n_act[t], 1e-12) if X.n_act[t] > 0 else X.own_safety[i]  # team mean
    for i in range(O.team.size):   # the peers' engagement (last week's, of the active peers)
        num, _, den = _peer_sums(O.indptr, O.indices, O.weights, E.engagement, E.engagement, X.active, i)
        X.peer_eng[i] = social.peer_mean(num, den, 0.5)
    # two loops over people rather than one: each touches half of the arrays, which prefetching follows better
    for i in range(O.team.size):
        act = E.status[i] == ACTIVE
        # 4d. safety: a shared belief
        sf = safety.shared_safety(X.own_safety[i], tv[7, i])
        E.safety[i] = sf if act else E.safety[i]
        # 5. learning and initiative
        share = learning.taken_share(X.taken[i], X.demand[i])
        cp = learning.learn(E.competence[i], E.learning_rate[i], P.learning_speed,
                            learning.practice(X.aut[i], min(X.done[i], 1.0), share), X.coach_recv[i],
                            P.coaching_effect, X.intelligent[i] / P.tasks_per_week, E.safety[i])
        E.competence[i] = cp if act else E.competence[i]
        ini = learning.update_initiative(E.initiative[i], X.aut[i], share, X.appr[i])
        E.initiative[i] = ini if act else E.initiative[i]
        # 6. motivation (SDT needs)
        X.fit[i] = motivation.challenge_fit(P.difficulty, E.competence[i])
        n_aut, n_comp, n_rel = motivation.needs(X.control[i], X.success_rate[i], X.fit[i], X.peer_eng[i],
                                                motivation.manager_support(X.coach_recv[i], E.benevolence_p[i]))
        mo = motivation.update_motivation(E.motivation[i], n_aut, n_comp, n_rel, P.motivation_rate)
        E.motivation[i] = mo if act else E.motivation[i]
    rate, loss = P.trust_rate, P.trust_loss_multiplier
    for i in range(O.team.size):
        act = E.status[i] == ACTIVE
        m_comp, fw, m_str, consist, blame, m_prop, m_insec = tv[0, i], tv[1, i], tv[2, i], tv[3, i], tv[4, i], \
            tv[5, i], tv[6, i]
        # 7. trust both ways: the employee's ABI perceptions of the manager, and the manager's of the employee
        X.felt[i] = trust.felt_trust(X.aut[i], X.mon[i])
        A, B, I = trust.employee_perceptions(m_comp, fw, m_str, X.coach_recv[i], X.blame_event[i], X.felt[i],
                                             consist, blame)
        ab = trust.update_perception(E.ability_p[i], A, rate, loss)
        be = trust.update_perception(E.benevolence_p[i], B, rate, loss)
        it = trust.update_perception(E.integrity_p[i], I, rate, loss)
        tr = trust.update_perception(E.trust_in_manager[i], trust.combine(ab, be, it, E.trust_propensity[i],
                                                                         E.tenure[i]), rate, loss)
        E.ability_p[i] = ab if act else E.ability_p[i]
        E.benevolence_p[i] = be if act else E.benevolence_p[i]
        E.integrity_p[i] = it if act else E.integrity_p[i]
        E.trust_in_manager[i] = tr if act else E.trust_in_manager[i]
        mA, mB, mI = trust.manager_perceptions(X.success_rate[i], E.engagement[i], E.initiative[i], X.surfaced[i])
        obs_rate = rate * trust.observation(X.mon[i])
        ma = trust.update_perception(E.m_ability[i], mA, obs_rate, loss)
        mb = trust.update_perception(E.m_benevolence[i], mB, obs_rate, loss)
        mi = trust.update_perception(E.m_integrity[i], mI, obs_rate, loss)
        mt = trust.update_perception(E.manager_trust[i], trust.manager_trust_level(ma, mb, mi, m_prop, E.tenure[i],
                                                                                   m_insec), obs_rate, loss)
        E.m_ability[i] = ma if act else E.m_ability[i]
        E.m_benevolence[i] = mb if act else E.m_benevolence[i]
        E.m_integrity[i] = mi if act else E.m_integrity[i]
        E.manager_trust[i] = mt if act else E.manager_trust[i]
        # 8. strain (JD-R + Karasek), Maslach burnout
        X.hind[i] = strain.hindrance(X.mon[i], X.appr[i], E.competence[i])
        pl = strain.private_load_step(E.private_load[i], luck(O.keys[O.run[i]], first_slot(base, O.person, O.run, i)
                                                              + LIFE_SLOT), P.private_load_persistence,
                                      P.private_load_spread)
        E.private_load[i] = pl if E.status[i] != VACANT else E.private_load[i]   # private life goes on on leave
        D = strain.total_demands(strain.demands(X.demand[i], E.exhaustion[i], X.wait[i], X.hind[i],
                                                X.aut[i] * (1 - work.skill(E.competence[i], X.guide[i]))), pl)
        X.resources[i] = strain.resources(X.aut[i], X.coach_recv[i], E.safety[i], fw, X.peer_eng[i])
        ex = strain.update_exhaustion(E.exhaustion[i], D, X.resources[i], E.resilience[i], P.exhaustion_rate,
                                      P.recovery_rate)
        ex = ex if act else E.exhaustion[i]
        cy = strain.update_cynicism(E.cynicism[i], ex, E.trust_in_manager[i], E.safety[i], P.cynicism_rate)
        cy = cy if act else E.cynicism[i]
        ef = strain.update_efficacy(E.efficacy[i], X.success_rate[i], cy)
        E.exhaustion[i], E.cynicism[i] = ex, cy
        E.efficacy[i] = ef if act else E.efficacy[i]
        b = strain.burnout_criterion(ex, cy, P.burnout_exhaustion, P.burnout_cynicism)
        E.burnout_count[i] = strain.update_burnout_counter(E.burnout_count[i], b) if act else 0
    for i in range(O.team.size):   # apart: its exp would keep the loop above from being vectorised
        pq = strain.turnover_probability(E.engagement[i], E.trust_in_manager[i],
                                         strain.complaints(E.exhaustion[i], P.burnout_exhaustion), P.turnover_base,
                                         P.turnover_sensitivity)
        # the turnover test: who of those still active leaves is settled after burnout leave (sim.people)
        X.quits[i] = luck(O.keys[O.run[i]], first_slot(base, O.person, O.run, i) + QUIT_SLOT) < pq


def engagement_pass(O, E, P, X):
    """Step 9: engagement (JD-R motivational process)."""
    for i in range(O.team.size):
        e = motivation.update_engagement(E.engagement[i], E.motivation[i], X.resources[i],
                                         motivation.challenge(P.novelty, X.aut[i], X.fit[i]), X.hind[i],
                                         E.exhaustion[i], X.felt[i], P.engagement_rate,
                                         motivation.disposition(E.resilience[i], E.affectivity[i]))
        E.engagement[i] = e if E.status[i] == ACTIVE else E.engagement[i]
        X.active[i] = 1.0 if E.status[i] == ACTIVE else 0.0   # after this week's leavers, for the crossover


def crossover_pass(O, E, P, X):
    """Step 10: engagement and exhaustion cross over along peer ties: everyone moves toward their active peers'
    values of this week's step 9, all at once (the new values wait in ``X`` until :func:`keep_pass`)."""
    for i in range(O.team.size):
        ne, nx, den = _peer_sums(O.indptr, O.indices, O.weights, E.engagement, E.exhaustion, X.active, i)
        c_eng, c_exh = social.crossover_strength(P.contagion, E.status[i] == ACTIVE and den > 0)
        X.new_eng[i] = min(max(social.contagion(E.engagement[i], social.peer_mean(ne, den, 0.5), c_eng), 0.0), 1.0)
        X.new_exh[i] = min(max(social.contagion(E.exhaustion[i], social.peer_mean(nx, den, 0.0), c_exh), 0.0), 1.0)


def keep_pass(O, E, P, X):
    """The end of the week per person: the crossover's values, this week's applied policy and outcomes are kept,
    tenure grows; and each team's row of ``X.partials`` gets the sums the week's metrics are made of
    (:func:`sim.metrics.team_metric_sums`)."""
    for i in range(O.team.size):
        E.engagement[i], E.exhaustion[i] = X.new_eng[i], X.new_exh[i]
        E.autonomy[i], E.monitoring[i], E.approval[i] = X.aut[i], X.mon[i], X.appr[i]
        E.coaching_received[i], E.control[i] = X.coach_recv[i], X.control[i]
        E.style[i] = policies.style_used(X.aut[i], X.coach_recv[i])
        E.readiness_level[i] = X.level[i]
        E.output[i] = max(X.emp_output[i], 0.0) if E.status[i] == ACTIVE else 0.0
        E.success_rate[i] = X.success_rate[i] if X.attempted[i] > 0 else E.success_rate[i]
        E.tenure[i] = E.tenure[i] + 1 if E.status[i] != VACANT else E.tenure[i]
    for t in range(O.team_boss.size):
        team_metric_sums(O.first[t], O.first[t + 1], t, E, X.counts, P.burnout_exhaustion, P.burnout_cynicism,
                         X.partials)


SERIAL, PARALLEL = engine.compile_loops(policy_pass, work_pass, people_pass, engagement_pass, crossover_pass,
                                        keep_pass)


# ----------------------------------------------------------------------------------------------------------------
# step 11: the managers, team leads first, then the levels above them (one loop over managers each)
# ----------------------------------------------------------------------------------------------------------------
@engine.jit
def judge(st, m, seen_output, expected, hours_worked, hours, P, reactivity, relax_rate, has_boss):
    """Steps 11a-b for manager ``m`` of ``st`` (team leads or senior managers): results as seen, strain, then the
    control taken on top of the policy."""
    st.perceived_output[m] = policies.perceive_output(st.perceived_output[m], seen_output)
    gap = policies.output_gap(st.perceived_output[m], expected)
    st.strain[m] = strain.update_manager_strain(st.strain[m], hours_worked, hours, gap, st.resilience[m],
                                                P.manager_strain_rate,
                                                policies.demand_from_above(st.pressure[m], st.support[m], P.cascade))
    st.extra_control[m] = policies.update_control(
        st.extra_control[m], gap, reactivity, relax_rate,
        policies.felt_insecurity(st.insecurity[m], st.trust_in_boss[m], P.cascade, has_boss), st.strain[m],
        P.control_rate, policies.push_from_above(st.pressure[m], P.cascade))


@engine.entry
def team_leads_pass(O, M, K, P, team_delivered, hours_worked, expected, team_output):
    """Step 11 per team lead: the team's output per position, then :func:`judge`."""
    for t in range(O.team_boss.size):
        team_output[t] = max(team_delivered[t], 0.0) / O.positions[t]
        M.prev_extra_control[t] = M.extra_control[t]
        judge(M, t, team_output[t], expected, hours_worked[t], M.hours[t], P, K.reactivity[t], K.relax_rate[t],
              O.team_boss[t] >= 0)


@engine.entry
def senior_pass(O, S, M, SK, P, team_output, expected):
    """Step 11c: every senior manager sees the output per position of the teams under them, then
    :func:`judge`; every manager's trust in their own manager follows the control and support received; the
    control and support each senior exerts pass down for next week (the cascade)."""
    for u in range(O.senior_boss.size):
        weight = 0.0
        out = 0.0
        for k in range(O.under_ptr[u], O.under_ptr[u + 1]):
            t = O.under_idx[k]
            weight += O.under_w[k] * O.positions[t]
            out += O.under_w[k] * (team_output[t] * O.positions[t])
        S.unit_output[u] = out / max(weight, 1.0)
        judge(S, u, S.unit_output[u], expected, P.manager_hours, P.manager_hours, P, SK.reactivity[u],
              SK.relax_rate[u], O.senior_boss[u] >= 0)
    for t in range(O.team_boss.size):
        if O.team_boss[t] >= 0:
            M.trust_in_boss[t] = trust.update_perception(M.trust_in_boss[t], trust.trust_in_own_manager(
                M.pressure[t], M.support[t]), P.trust_rate, P.trust_loss_multiplier)
    for u in range(O.senior_boss.size):
        if O.senior_boss[u] >= 0:
            S.trust_in_boss[u] = trust.update_perception(S.trust_in_boss[u], trust.trust_in_own_manager(
                S.pressure[u], S.support[u]), P.trust_rate, P.trust_loss_multiplier)
    signals_down(O, S, M, SK)


@engine.jit
def signals_down(O, S, M, SK):
    """The control and support each senior manager exerts (:func:`sim.policies.control_exerted`), received by
    the managers reporting to them (nothing at the top)."""
    for u in range(O.senior_boss.size):
        S.control_down[u], S.support_down[u] = policies.control_exerted(SK.autonomy[u], SK.monitoring[u],
                                                                        SK.approval[u], SK.coaching[u],
                                                                        S.extra_control[u])
    for t in range(O.team_boss.size):
        b = O.team_boss[t]
        M.pressure[t] = S.control_down[b] if b >= 0 else 0.0
        M.support[t] = S.support_down[b] if b >= 0 else 0.0
    for u in range(O.senior_boss.size):
        b = O.senior_boss[u]
        S.pressure[u] = S.control_down[b] if b >= 0 else 0.0
        S.support[u] = S.support_down[b] if b >= 0 else 0.0
