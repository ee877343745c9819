"""Unit tests of the pure rule functions (sim/rules/*.py) and the policy functions (sim/policies.py).

Each test checks a *direction* (more X -> more / less Y, as the docstring's theory says) or a *bound* (stays in
[0, 1], never exceeds a budget, counts add up). Hypothesis draws the inputs for the monotonicity and bound
properties; a few fixed examples check that the effects are strict (not just "never the wrong way").
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim import policies, schedule
from sim.params import PARAMS, load_scenario, with_updates
from sim.rules import common, learning, motivation, safety, social, strain, trust, work

TOL = 1e-12
N = 6

unit = st.floats(0.0, 1.0, allow_nan=False, allow_infinity=False)


def uarr(n=N, lo=0.0, hi=1.0):
    return hnp.arrays(np.float64, n, elements=st.floats(lo, hi, allow_nan=False, allow_infinity=False))


def pair(lo=0.0, hi=1.0):
    """Two ordered values (a <= b)."""
    return st.tuples(st.floats(lo, hi), st.floats(lo, hi)).map(sorted)


def in01(x):
    x = np.asarray(x, dtype=float)
    return bool(np.all(np.isfinite(x)) and np.all(x >= 0.0) and np.all(x <= 1.0))


def logit(p):
    p = np.asarray(p, dtype=float)
    return np.log(p / (1 - p))


# the reference definitions the rules are checked against (the model computes them otherwise, or per person)
def readiness(competence, motivation, engagement):
    """Hersey-Blanchard readiness as :func:`policies.readiness_level_of` defines it: ``c**0.6 * m**0.4``."""
    commitment = 0.5 * (motivation + engagement)
    return np.power(np.clip(competence, 0, 1), 0.6) * np.power(np.clip(commitment, 0, 1), 0.4)


def readiness_level(r):
    """Readiness level R1..R4 as 0..3: the number of :data:`policies.READINESS_CUTS` at or below ``r``."""
    return np.searchsorted(np.asarray(policies.READINESS_CUTS), r, side="right")


def apply_policy(k: dict, ready, mtrust, boost):
    """:func:`policies.levers` for employees of readiness ``ready`` under per-employee knobs ``k``."""
    return policies.levers(k["autonomy"], k["monitoring"], k["approval"], k["coaching"], k["phased_delegation"],
                           k["readiness_matching"], readiness_level(ready), mtrust, boost)


def manager_time(hours, overtime_max, monitoring_sum, approval_sum, coaching_sum, takeover_units, frameworks):
    """:func:`work.manager_week` as a dict keyed by :data:`work.MANAGER_WEEK`."""
    return dict(zip(work.MANAGER_WEEK, work.manager_week(hours, overtime_max, monitoring_sum, approval_sum,
                                                         coaching_sum, takeover_units, frameworks)))


def tasks_below(u, bounds):
    """How many of each person's task uniforms (a row each) fall below each bound: what the schedule counts."""
    return tuple((u < np.asarray(b, dtype=float)[:, None]).sum(axis=1) for b in bounds)


def update_safety(safety_, active, team, n_teams, blame, coaching_received, benevolence, failures_seen, rate,
                  loss_multiplier):
    """Step 4d as the schedule does it: :func:`safety.personal_safety` per employee, then
    :func:`safety.shared_safety` with the team mean over the active members; only the active move."""
    s = safety.personal_safety(safety_, blame, coaching_received, benevolence, failures_seen, rate, loss_multiplier)
    a = np.asarray(active, dtype=float)
    sums = np.bincount(team, weights=s * a, minlength=n_teams)
    counts = np.bincount(team, weights=a, minlength=n_teams)
    mean = np.where(counts > 0, sums / np.maximum(counts, 1e-12), 0.0)[team]
    return np.where(active, safety.shared_safety(s, np.where(counts[team] > 0, mean, s)), safety_)


def knobs(name="custom", n=N, **over):
    """Per-employee knob arrays for :func:`apply_policy`, from a preset with overrides."""
    vals = dict(policies.PRESETS[name])
    vals.update(over)
    return {k: np.full(n, float(v)) for k, v in vals.items()}


# ============================================================================================================
# common
# ============================================================================================================
@given(hnp.arrays(np.float64, N, elements=st.floats(-1e6, 1e6)))
def test_clip01_bounds_and_identity_inside(x):
    y = common.clip01(x)
    assert in01(y)
    inside = (x >= 0) & (x <= 1)
    assert np.array_equal(y[inside], x[inside])


@given(uarr(), uarr(), unit, st.floats(1.0, 5.0))
def test_approach_stays_between_x_and_target(x, target, rate, loss):
    y = common.approach(x, target, rate, loss)
    lo, hi = np.minimum(x, target), np.maximum(x, target)
    assert np.all(y >= lo - TOL) and np.all(y <= hi + TOL)


@given(st.floats(0.2, 0.8), st.floats(0.05, 0.2), st.floats(0.01, 0.3), st.floats(1.1, 5.0))
def test_approach_falls_faster_than_it_rises(x, d, rate, loss):
    up = common.approach(np.array([x]), np.array([x + d]), rate, loss)[0] - x
    down = x - common.approach(np.array([x]), np.array([x - d]), rate, loss)[0]
    assert up > 0 and down > up


# ============================================================================================================
# work
# ============================================================================================================
def test_arriving_work_scales_with_workload_and_pressure():
    assert work.arriving_work(1.0, 1.0) < work.arriving_work(1.5, 1.0) < work.arriving_work(1.5, 1.4)
    assert work.arriving_work(0.0, 2.0) == 0.0


mt_inputs = dict(
    hours=uarr(3, 10.0, 80.0), ot=uarr(3, 0.0, 1.0), mon=uarr(3, 0.0, 30.0), appr=uarr(3, 0.0, 60.0),
    coach=uarr(3, 0.0, 30.0), take=uarr(3, 0.0, 10.0), fw=uarr(3, 0.0, 1.0))


@given(**mt_inputs)
def test_manager_time_never_exceeds_contract_plus_max_overtime(hours, ot, mon, appr, coach, take, fw):
    # overtime_max is one number for the model; test each manager with its own value
    for i in range(3):
        r = manager_time(hours[i:i + 1], ot[i], mon[i:i + 1], appr[i:i + 1], coach[i:i + 1],
                              take[i:i + 1], fw[i:i + 1])
        cap = hours[i] * (1 + ot[i])
        assert r["hours_total"][0] <= cap * (1 + 1e-12)
        parts = r["hours_monitoring"] + r["hours_doing"] + r["hours_coaching"] + r["hours_vision"]
        assert np.allclose(parts, r["hours_total"], rtol=1e-12, atol=1e-9)
        # nothing is granted beyond what was wanted
        assert r["hours_coaching"][0] <= work.H_COACH * coach[i] * (1 + 1e-12)
        assert r["hours_doing"][0] <= work.H_DO * take[i] * (1 + 1e-12)


@given(**mt_inputs)
def test_manager_time_hours_never_negative_and_served_shares_in_01(hours, ot, mon, appr, coach, take, fw):
    r = manager_time(hours, 0.3, mon, appr, coach, take, fw)
    for key in ("hours_monitoring", "hours_doing", "hours_coaching", "hours_vision", "hours_total"):
        assert np.all(r[key] >= 0.0), (key, r[key])
    for key in ("approval_served", "coaching_served", "vision_served", "doing_served"):
        assert in01(r[key]), (key, r[key])


def test_manager_time_within_contract_everything_is_served_without_overtime():
    r = manager_time(np.array([40.0]), 0.3, np.array([3.0]), np.array([4.0]), np.array([2.0]),
                          np.array([0.5]), np.array([0.8]))
    for key in ("approval_served", "coaching_served", "vision_served", "doing_served"):
        assert r[key][0] == pytest.approx(1.0)
    assert r["hours_total"][0] <= 40.0 + 1e-9


@given(hours=st.floats(10.0, 80.0), ot=unit, mon=st.floats(0, 20), appr=st.floats(0, 30), coach=st.floats(0, 20),
       fw=unit, takes=pair(0.0, 10.0))
def test_manager_time_takeover_crowds_out_coaching_vision_and_approvals(hours, ot, mon, appr, coach, fw, takes):
    t_lo, t_hi = takes
    a = lambda x: np.array([x])  # noqa: E731
    lo = manager_time(a(hours), ot, a(mon), a(appr), a(coach), a(t_lo), a(fw))
    hi = manager_time(a(hours), ot, a(mon), a(appr), a(coach), a(t_hi), a(fw))
    assert hi["hours_doing"][0] >= lo["hours_doing"][0] - 1e-9
    assert hi["hours_coaching"][0] <= lo["hours_coaching"][0] + 1e-9
    assert hi["hours_vision"][0] <= lo["hours_vision"][0] + 1e-9
    assert hi["approval_served"][0] <= lo["approval_served"][0] + 1e-12


def test_manager_time_heavy_takeover_squeezes_coaching_and_vision_and_makes_approvals_wait():
    args = dict(hours=np.array([40.0]), overtime_max=0.3, monitoring_sum=np.array([6.0]),
                approval_sum=np.array([8.0]), coaching_sum=np.array([5.0]), frameworks=np.array([0.9]))
    calm = manager_time(takeover_units=np.array([0.0]), **args)
    crunch = manager_time(takeover_units=np.array([5.0]), **args)  # 60 hours of doing wanted
    assert calm["approval_served"][0] == pytest.approx(1.0)
    assert calm["hours_coaching"][0] > 0 and calm["hours_vision"][0] > 0
    assert crunch["hours_coaching"][0] == pytest.approx(0.0, abs=1e-9)
    assert crunch["hours_vision"][0] == pytest.approx(0.0, abs=1e-9)
    assert crunch["approval_served"][0] < 1.0
    assert crunch["hours_total"][0] == pytest.approx(40.0 * 1.3)


@given(hs=pair(10.0, 80.0), ot=unit, mon=st.floats(0, 20), appr=st.floats(0, 40), coach=st.floats(0, 20),
       take=st.floats(0, 8), fw=unit)
def test_manager_time_approvals_served_less_when_hours_run_out(hs, ot, mon, appr, coach, take, fw):
    h_lo, h_hi = hs
    a = lambda x: np.array([x])  # noqa: E731
    short = manager_time(a(h_lo), ot, a(mon), a(appr), a(coach), a(take), a(fw))
    ample = manager_time(a(h_hi), ot, a(mon), a(appr), a(coach), a(take), a(fw))
    assert short["approval_served"][0] <= ample["approval_served"][0] + 1e-12
    urgent = work.H_MONITOR * mon + work.H_APPROVE * appr + work.H_DO * take
    if appr > 0 and urgent > h_lo * (1 + ot) * (1 + 1e-9):
        assert short["approval_served"][0] < 1.0   # the bottleneck: not every approval gets done


@given(h=st.floats(10.0, 80.0), ot=unit, mon=st.floats(0, 20), appr=st.floats(0, 40), coach=st.floats(0.1, 20),
       take=st.floats(0, 8), fw=st.floats(0.05, 1.0))
def test_manager_time_coaching_comes_before_vision(h, ot, mon, appr, coach, take, fw):
    a = lambda x: np.array([x])  # noqa: E731
    r = manager_time(a(h), ot, a(mon), a(appr), a(coach), a(take), a(fw))
    if r["coaching_served"][0] < 1.0 - 1e-9:
        assert r["hours_vision"][0] <= 1e-9


@given(uarr(), uarr(), uarr(), pair())
def test_guidance_bounded_and_falls_with_autonomy_rises_with_frameworks_and_coaching(aut, fw, coach, ab):
    lo, hi = ab
    g = work.guidance(aut, fw, coach)
    assert in01(g)
    assert np.all(work.guidance(np.full(N, hi), fw, coach) <= work.guidance(np.full(N, lo), fw, coach) + TOL)
    assert np.all(work.guidance(aut, np.full(N, hi), coach) >= work.guidance(aut, np.full(N, lo), coach) - TOL)
    assert np.all(work.guidance(aut, fw, np.full(N, hi)) >= work.guidance(aut, fw, np.full(N, lo)) - TOL)


@given(c=pair(), d=unit, aut=unit, ini=unit, g=unit, e=unit)
def test_success_probability_rises_with_competence(c, d, aut, ini, g, e):
    lo, hi = c
    p_lo = work.success_probability(lo, d, aut, ini, g, e)
    p_hi = work.success_probability(hi, d, aut, ini, g, e)
    assert 0.0 < p_lo <= p_hi < 1.0
    if hi - lo > 1e-3:
        assert p_hi > p_lo


@given(c=unit, d=pair(), aut=unit, ini=unit, g=unit, e=pair())
def test_success_probability_falls_with_difficulty_and_exhaustion(c, d, aut, ini, g, e):
    assert work.success_probability(c, d[1], aut, ini, g, e[0]) <= work.success_probability(c, d[0], aut, ini, g,
                                                                                             e[0])
    assert work.success_probability(c, d[0], aut, ini, g, e[1]) <= work.success_probability(c, d[0], aut, ini, g,
                                                                                             e[0])
    if d[1] - d[0] > 1e-3:
        assert work.success_probability(c, d[1], aut, ini, g, e[0]) < work.success_probability(c, d[0], aut, ini,
                                                                                               g, e[0])


@given(c=pair(0.0, 0.99), d=unit, aut=unit, ini=unit, e=unit, g=pair())
def test_guidance_helps_the_unready_more_than_the_competent(c, d, aut, ini, e, g):
    c_lo, c_hi = c
    g0, g1 = g
    assume(c_hi - c_lo > 0.05 and g1 - g0 > 0.05)
    gain = lambda comp: (logit(work.success_probability(comp, d, aut, ini, g1, e))  # noqa: E731
                         - logit(work.success_probability(comp, d, aut, ini, g0, e)))
    assert gain(c_lo) > 0
    assert gain(c_lo) > gain(c_hi) + 1e-6


def test_guidance_helps_a_novice_in_probability_far_more_than_an_expert():
    gain = lambda c: (work.success_probability(c, 0.5, 0.0, 0.5, 1.0, 0.0)  # noqa: E731
                      - work.success_probability(c, 0.5, 0.0, 0.5, 0.0, 0.0))
    assert gain(0.2) > 0.2 > 0.05 > gain(0.9) >= 0


@given(c=unit, d=unit, a=pair(), ini=unit, g=unit, e=unit)
def test_autonomy_helps_the_competent_and_hurts_the_unready(c, d, a, ini, g, e):
    a_lo, a_hi = a
    p_lo = work.success_probability(c, d, a_lo, ini, g, e)
    p_hi = work.success_probability(c, d, a_hi, ini, g, e)
    if c > 0.5:
        assert p_hi >= p_lo
    elif c < 0.5:
        assert p_hi <= p_lo
    if abs(c - 0.5) > 0.05 and a_hi - a_lo > 0.05:
        assert (p_hi > p_lo) == (c > 0.5)


@given(m=pair(), en=pair(), e=pair(), i=pair())
def test_effort_rises_with_motivation_engagement_initiative_falls_with_exhaustion(m, en, e, i):
    base = work.effort(m[0], en[0], e[0], i[0])
    assert base > 0
    assert work.effort(m[1], en[0], e[0], i[0]) >= base
    assert work.effort(m[0], en[1], e[0], i[0]) >= base
    assert work.effort(m[0], en[0], e[0], i[1]) >= base
    assert work.effort(m[0], en[0], e[1], i[0]) <= base


@given(ap=pair(), served=pair())
def test_approval_wait_rises_with_approval_and_unserved_backlog(ap, served):
    w = work.approval_wait(ap[1], served[0])
    assert 0.0 <= w <= 0.65
    assert work.approval_wait(ap[0], served[0]) <= w
    assert work.approval_wait(ap[1], served[1]) <= w
    assert work.approval_wait(0.0, served[0]) == 0.0


@given(uarr(N, 0.0, 3.0), uarr(N, 0.0, 2.0), uarr(), uarr(N, 0.0, 3.0))
def test_work_done_within_demand_capacity_and_non_negative(demand, capacity, wait, taken):
    done = work.work_done(demand, capacity, wait, taken)
    assert np.all(done >= 0)
    assert np.all(done <= np.maximum(demand - taken, 0) + TOL)
    assert np.all(done <= capacity * (1 - wait) + TOL)


# ============================================================================================================
# strain
# ============================================================================================================
@given(m=pair(), ap=pair(), c=pair())
def test_more_monitoring_and_approval_means_more_hindrance_felt_more_by_the_competent(m, ap, c):
    h = strain.hindrance(m[0], ap[0], c[0])
    assert h >= 0
    assert strain.hindrance(m[1], ap[0], c[0]) >= h
    assert strain.hindrance(m[0], ap[1], c[0]) >= h
    assert strain.hindrance(m[0], ap[0], c[1]) >= h
    assert strain.hindrance(1.0, 1.0, 1.0) == pytest.approx(1.0)
    assert strain.hindrance(0.0, 0.0, 1.0) == 0.0


def test_hindrance_strictly_rises_with_monitoring():
    assert strain.hindrance(0.2, 0.3, 0.5) < strain.hindrance(0.9, 0.3, 0.5)


@given(dm=pair(0, 2.5), e=pair(0, 0.99), w=pair(), h=pair(), u=pair())
def test_demands_rise_with_each_component(dm, e, w, h, u):
    base = strain.demands(dm[0], e[0], w[0], h[0], u[0])
    assert base >= 0
    assert strain.demands(dm[1], e[0], w[0], h[0], u[0]) >= base
    assert strain.demands(dm[0], e[1], w[0], h[0], u[0]) >= base
    assert strain.demands(dm[0], e[0], w[1], h[0], u[0]) >= base
    assert strain.demands(dm[0], e[0], w[0], h[1], u[0]) >= base
    assert strain.demands(dm[0], e[0], w[0], h[0], u[1]) >= base


@given(uarr(), uarr(), uarr(), uarr(), uarr(), pair())
def test_resources_bounded_and_rise_with_each_resource(aut, coach, saf, fw, peers, ab):
    r = strain.resources(aut, coach, saf, fw, peers)
    assert np.all(r >= 0.1 - TOL) and np.all(r <= 1.0 + TOL)
    lo, hi = np.full(N, ab[0]), np.full(N, ab[1])
    args = [aut, coach, saf, fw, peers]
    for i in range(5):
        a_lo, a_hi = list(args), list(args)
        a_lo[i], a_hi[i] = lo, hi
        assert np.all(strain.resources(*a_hi) >= strain.resources(*a_lo) - TOL)


@given(d=pair(0.0, 2.5), r=pair(0.1, 1.0), res=pair())
def test_exhaustion_level_rises_with_demands_falls_with_resources_and_resilience(d, r, res):
    e = strain.exhaustion_level(d[0], r[1], res[1])
    assert 0.0 <= e <= 1.0
    assert strain.exhaustion_level(d[1], r[1], res[1]) >= e - TOL          # more demands
    assert strain.exhaustion_level(d[0], r[0], res[1]) >= e - TOL          # fewer resources
    assert strain.exhaustion_level(d[0], r[1], res[0]) >= e - TOL          # less resilience


def test_exhaustion_level_strict_examples():
    assert strain.exhaustion_level(1.2, 0.5, 0.5) > strain.exhaustion_level(0.8, 0.5, 0.5)
    assert strain.exhaustion_level(1.0, 0.7, 0.5) < strain.exhaustion_level(1.0, 0.4, 0.5)
    assert strain.exhaustion_level(1.0, 0.5, 0.8) < strain.exhaustion_level(1.0, 0.5, 0.2)


@given(e=uarr(), d=uarr(N, 0.0, 2.5), r=uarr(N, 0.1, 1.0), res=uarr(), rate=unit, rec=unit)
def test_update_exhaustion_moves_toward_its_target_and_stays_in_01(e, d, r, res, rate, rec):
    target = strain.exhaustion_level(d, r, res)
    new = strain.update_exhaustion(e, d, r, res, rate, rec)
    assert in01(new)
    lo, hi = np.minimum(e, target), np.maximum(e, target)
    assert np.all(new >= lo - TOL) and np.all(new <= hi + TOL)
    # rising uses the exhaustion rate, falling the recovery rate
    up, down = target > e, target < e
    assert np.allclose(new[up], e[up] + rate * (target[up] - e[up]))
    assert np.allclose(new[down], e[down] + rec * (target[down] - e[down]))


def test_update_exhaustion_recovers_when_demands_drop():
    e = np.array([0.7])
    assert strain.update_exhaustion(e, np.array([0.2]), np.array([0.8]), np.array([0.5]), 0.06, 0.04)[0] < 0.7
    assert strain.update_exhaustion(e, np.array([2.0]), np.array([0.2]), np.array([0.5]), 0.06, 0.04)[0] > 0.7


@given(c=uarr(), e=pair(), t=pair(), s=pair(), rate=unit)
def test_update_cynicism_bounded_rises_with_exhaustion_distrust_and_unsafety(c, e, t, s, rate):
    ref = strain.update_cynicism(c, e[0], t[1], s[1], rate)
    assert in01(ref)
    assert np.all(strain.update_cynicism(c, e[1], t[1], s[1], rate) >= ref - TOL)
    assert np.all(strain.update_cynicism(c, e[0], t[0], s[1], rate) >= ref - TOL)
    assert np.all(strain.update_cynicism(c, e[0], t[1], s[0], rate) >= ref - TOL)


@given(ef=uarr(), sr=pair(), cy=pair())
def test_update_efficacy_bounded_rises_with_success_falls_with_cynicism(ef, sr, cy):
    ref = strain.update_efficacy(ef, sr[0], cy[1])
    assert in01(ref)
    assert np.all(strain.update_efficacy(ef, sr[1], cy[1]) >= ref - TOL)
    assert np.all(strain.update_efficacy(ef, sr[0], cy[0]) >= ref - TOL)


def test_burnout_criterion_needs_both_exhaustion_and_cynicism():
    e = np.array([0.7, 0.7, 0.5, 0.6])
    c = np.array([0.4, 0.2, 0.5, 0.35])
    assert strain.burnout_criterion(e, c, 0.6, 0.35).tolist() == [True, False, False, True]


@given(hnp.arrays(np.int64, N, elements=st.integers(0, 60)), hnp.arrays(bool, N))
def test_burnout_counter_counts_up_in_burnout_and_down_to_zero_otherwise(counter, burnt):
    new = strain.update_burnout_counter(counter, burnt)
    assert np.all(new >= 0)
    assert np.array_equal(new[burnt], counter[burnt] + 1)
    assert np.array_equal(new[~burnt], np.maximum(counter[~burnt] - 1, 0))


@given(st.floats(1.0, 104.0), st.integers(0, 2**32 - 1))
@settings(max_examples=30)
def test_sick_leave_weeks_integer_at_least_four(mean, seed):
    w = strain.sick_leave_weeks(np.random.default_rng(seed), 50, mean)
    assert w.dtype.kind == "i" and w.shape == (50,)
    assert np.all(w >= 4)


def test_sick_leave_weeks_mean_follows_parameter():
    rng = np.random.default_rng(0)
    short = strain.sick_leave_weeks(rng, 4000, 10.0).mean()
    long = strain.sick_leave_weeks(rng, 4000, 60.0).mean()
    assert 10.0 <= short < 14.0 and 58.0 < long < 63.0


@given(uarr(), uarr())
def test_recover_absent_lowers_exhaustion_and_cynicism(e, c):
    e2, c2 = strain.recover_absent(e, c)
    assert in01(e2) and in01(c2)
    assert np.all(e2 <= e) and np.all(c2 <= c)
    assert np.all(e2[e > 1e-300] < e[e > 1e-300]) and np.all(c2[c > 1e-300] < c[c > 1e-300])


@given(en=pair(), tr=pair(), base=st.floats(1e-4, 0.1), sens=st.floats(0.0, 10.0))
def test_turnover_probability_rises_as_engagement_and_trust_fall(en, tr, base, sens):
    p = strain.turnover_probability(en[1], tr[1], 0.0, base, sens)
    assert 0.0 <= p <= 1.0
    assert strain.turnover_probability(en[0], tr[1], 0.0, base, sens) >= p - TOL
    assert strain.turnover_probability(en[1], tr[0], 0.0, base, sens) >= p - TOL
    assert strain.turnover_probability(en[1], tr[1], 1.0, base, sens) > p        # burnout complaints
    if sens > 0.1 and en[1] - en[0] > 0.05:
        assert strain.turnover_probability(en[0], tr[1], 0.0, base, sens) > p


@given(st.floats(0.0, 0.1), st.floats(0.0, 10.0))
def test_turnover_probability_is_base_for_an_average_engaged_trusting_employee(base, sens):
    assert strain.turnover_probability(0.6, 0.6, 0.0, base, sens) == pytest.approx(max(base, 1e-9), rel=1e-6)


@given(s=uarr(), hw=pair(10.0, 104.0), gap=unit, res=unit, rate=unit)
def test_manager_strain_rises_with_overtime_and_stays_in_01(s, hw, gap, res, rate):
    calm = strain.update_manager_strain(s, hw[0], 40.0, gap, res, rate)
    busy = strain.update_manager_strain(s, hw[1], 40.0, gap, res, rate)
    assert in01(calm) and in01(busy)
    assert np.all(busy >= calm - TOL)


def test_manager_strain_overtime_example_and_asymmetry():
    s = np.array([0.3])
    assert strain.update_manager_strain(s, 52.0, 40.0, 0.0, 0.5, 0.05)[0] > 0.3
    assert strain.update_manager_strain(s, 40.0, 40.0, 0.0, 0.5, 0.05)[0] < 0.3
    # a less resilient manager's strain rises faster
    fragile = strain.update_manager_strain(s, 52.0, 40.0, 0.0, 0.1, 0.05)[0]
    sturdy = strain.update_manager_strain(s, 52.0, 40.0, 0.0, 0.9, 0.05)[0]
    assert fragile > sturdy > 0.3


# ============================================================================================================
# trust
# ============================================================================================================
@given(pair(0.0, 520.0))
def test_abi_weights_integrity_early_benevolence_later(tt):
    w_early, w_late = trust.abi_weights(np.array(tt[0])), trust.abi_weights(np.array(tt[1]))
    assert sum(w_early) == pytest.approx(1.0) and sum(w_late) == pytest.approx(1.0)
    assert w_late[1] >= w_early[1] and w_late[2] <= w_early[2]


def test_combine_weights_integrity_more_early_and_benevolence_later():
    only_i = lambda t: trust.combine(0.0, 0.0, 1.0, 0.0, np.array(t))  # noqa: E731
    only_b = lambda t: trust.combine(0.0, 1.0, 0.0, 0.0, np.array(t))  # noqa: E731
    assert only_i(0.0) > only_i(104.0)
    assert only_b(0.0) < only_b(104.0)
    # early, integrity counts more than benevolence; after a year benevolence overtakes
    assert only_i(0.0) > only_b(0.0)
    assert only_b(104.0) > only_i(104.0)


@given(uarr(), uarr(), uarr(), uarr(), uarr(N, 0.0, 520.0), pair())
def test_combine_bounded_and_rises_with_each_perception(a, b, i, prop, ten, ab):
    t = trust.combine(a, b, i, prop, ten)
    assert in01(t)
    lo, hi = np.full(N, ab[0]), np.full(N, ab[1])
    assert np.all(trust.combine(hi, b, i, prop, ten) >= trust.combine(lo, b, i, prop, ten) - TOL)
    assert np.all(trust.combine(a, hi, i, prop, ten) >= trust.combine(a, lo, i, prop, ten) - TOL)
    assert np.all(trust.combine(a, b, hi, prop, ten) >= trust.combine(a, b, lo, prop, ten) - TOL)
    assert np.all(trust.combine(a, b, i, hi, ten) >= trust.combine(a, b, i, lo, ten) - TOL)


def test_combine_propensity_matters_less_with_experience():
    gap = lambda t: trust.combine(0.5, 0.5, 0.5, 1.0, t) - trust.combine(0.5, 0.5, 0.5, 0.0, t)  # noqa: E731
    assert gap(0.0) > gap(52.0) > gap(520.0) > 0


@given(x=st.floats(0.1, 0.9), d=st.floats(0.02, 0.1), rate=st.floats(0.01, 0.3), loss=st.floats(1.2, 5.0))
def test_update_perception_falls_faster_than_it_rises(x, d, rate, loss):
    v = np.array([x])
    rise = trust.update_perception(v, v + d, rate, loss)[0] - x
    fall = x - trust.update_perception(v, v - d, rate, loss)[0]
    assert rise > 0 and fall > 0
    assert fall > rise
    assert fall == pytest.approx(min(1.0, rate * loss) * d, rel=1e-6)


@given(uarr(), uarr(), unit, st.floats(1.0, 5.0))
def test_update_perception_stays_in_01_between_value_and_target(v, t, rate, loss):
    new = trust.update_perception(v, t, rate, loss)
    assert in01(new)
    assert np.all(new >= np.minimum(v, t) - TOL) and np.all(new <= np.maximum(v, t) + TOL)


@given(a=pair(), m=pair())
def test_felt_trust_rises_with_autonomy_falls_with_monitoring(a, m):
    f = trust.felt_trust(a[0], m[0])
    assert 0.0 <= f <= 1.0
    assert trust.felt_trust(a[1], m[0]) >= f
    assert trust.felt_trust(a[0], m[1]) <= f


@given(comp=unit, fw=unit, st_=pair(), coach=unit, be=pair(), felt=unit, cons=unit, bl=pair())
def test_employee_perceptions_directions(comp, fw, st_, coach, be, felt, cons, bl):
    A, B, I = trust.employee_perceptions(comp, fw, st_[0], coach, be[0], felt, cons, bl[0])
    assert all(0.0 <= x <= 1.0 for x in (A, B, I))
    A2, _, _ = trust.employee_perceptions(comp, fw, st_[1], coach, be[0], felt, cons, bl[0])
    _, B2, _ = trust.employee_perceptions(comp, fw, st_[0], coach, be[1], felt, cons, bl[0])
    _, _, I2 = trust.employee_perceptions(comp, fw, st_[0], coach, be[0], felt, cons, bl[1])
    assert A2 <= A          # a strained manager seems less able
    assert B2 <= B          # blame after failure: less benevolent
    assert I2 <= I          # a blaming policy: less integrity


@given(sr=unit, en=unit, ini=unit, surf=pair(0.0, 5.0))
def test_manager_perceptions_bounded_and_integrity_falls_when_hidden_failures_surface(sr, en, ini, surf):
    A, B, I = trust.manager_perceptions(sr, en, ini, surf[0])
    _, _, I2 = trust.manager_perceptions(sr, en, ini, surf[1])
    assert all(0.0 <= x <= 1.0 for x in (A, B, I, I2))
    assert I2 <= I
    assert trust.manager_perceptions(sr, en, ini, 0.0)[2] > trust.manager_perceptions(sr, en, ini, 1.0)[2]


@given(pair())
def test_observation_rises_with_monitoring(m):
    lo, hi = trust.observation(m[0]), trust.observation(m[1])
    assert 0.3 - TOL <= lo <= hi <= 1.0 + TOL


# ============================================================================================================
# safety
# ============================================================================================================
def _week_of_tasks(rng, n, T, attempt, success, intelligent, complexity, report):
    """Counts of ``n`` people's ``T`` tasks each: (attempted, successes, intelligent, complex, basic, reported,
    hidden); reported includes the intelligent failures."""
    bounds = safety.outcome_bounds(*(np.broadcast_to(np.asarray(x, dtype=float), n) for x in
                                     (attempt, success, intelligent, complexity, report)))
    return safety.task_outcomes(*tasks_below(rng.random((n, T)), bounds))


@given(uarr(), uarr(), uarr(), uarr(), uarr(), st.floats(-0.5, 1.5), st.integers(1, 100), st.integers(0, 2**32 - 1))
@settings(max_examples=80)
def test_task_outcomes_are_counts_that_add_up(attempt, success, intel, cx, rep, extra, T, seed):
    """Every count is a whole number between 0 and what it splits, whatever the chances (the work done may lie
    outside [0, 1]: it is clipped)."""
    attempt = attempt + extra
    counts = _week_of_tasks(np.random.default_rng(seed), N, T, attempt, success, intel, cx, rep)
    att, succ, intelligent, complex_, basic, reported, hidden = counts
    failures = att - succ
    for x in counts:
        assert np.issubdtype(np.asarray(x).dtype, np.integer)
        assert np.all(x >= 0)
    assert np.all(att <= T)
    assert np.all(failures >= 0)
    assert np.array_equal(intelligent + complex_ + basic, failures)
    assert np.array_equal(reported + hidden, failures)
    assert np.all(reported >= intelligent)                  # intelligent failures are always discussed
    assert np.all(att[attempt <= 0] == 0)
    assert np.all(att[attempt >= 1] == T)


@given(uarr(), uarr(), uarr(), uarr(), uarr())
@settings(max_examples=60)
def test_outcome_bounds_are_ordered_within_the_work_done(attempt, success, intel, cx, rep):
    d, b1, b2, b3, b4, b5 = safety.outcome_bounds(attempt, success, intel, cx, rep)
    assert np.all((0 <= b1) & (b1 <= b2) & (b2 <= b3) & (b3 <= b4) & (b4 <= b5) & (b5 <= d) & (d <= 1))


def test_task_outcomes_follow_the_chain_of_binomials():
    """Over many people the counts have the means and variances of attempted ~ Binomial(T, d), successes ~
    Binomial(attempted, s), intelligent ~ Binomial(failures, q), complex ~ Binomial(failures - intelligent, c),
    reported ~ Binomial(failures - intelligent, r): about 4 standard errors, with the counts' own spread."""
    n, T, d, s, q, c, r = 200_000, 10, 0.8, 0.6, 0.3, 0.4, 0.7
    att, succ, intel, cx, _, reported, _ = _week_of_tasks(np.random.default_rng(11), n, T, d, s, q, c, r)
    rep = reported - intel                 # the reported basic and complex failures
    rest = T * d * (1 - s) * (1 - q)       # expected basic + complex failures
    for x, mean in ((att, T * d), (succ, T * d * s), (intel, T * d * (1 - s) * q), (cx, rest * c), (rep, rest * r)):
        assert abs(x.mean() - mean) < 4 * x.std() / np.sqrt(n)
    assert abs(att.var() - T * d * (1 - d)) < 0.05 * T * d * (1 - d)
    # given how many were attempted, successes are Binomial(attempted, s): variance attempted * s * (1 - s)
    eight = att == 8
    assert abs(succ[eight].var() - 8 * s * (1 - s)) < 0.05 * 8 * s * (1 - s)
    # type and reporting of a failure are independent: the covariance of complex and reported given the rest
    f = att - succ - intel
    three = f == 3
    assert abs(np.cov(cx[three], rep[three])[0, 1]) < 0.02


def test_intelligent_failures_need_novelty_and_autonomy():
    n = 200

    def intelligent(novelty, autonomy, safety_):
        q = safety.intelligent_share(novelty, np.full(n, autonomy), np.full(n, safety_))
        return _week_of_tasks(np.random.default_rng(1), n, 50, 1.0, 0.5, q, 0.3, 0.5)[2].sum()

    assert intelligent(0.0, 1.0, 1.0) == 0
    assert intelligent(0.8, 0.0, 1.0) == 0
    assert intelligent(0.8, 1.0, 1.0) > intelligent(0.8, 1.0, 0.0) > 0


@given(pair(), st.integers(0, 2**32 - 1))
@settings(max_examples=30)
def test_more_safety_reports_more_failures(s, seed):
    assume(s[1] - s[0] > 0.05)
    n = 1000   # 20 tasks each, half failing: the expected gap is at least 0.04 * 10000 = 400 reports

    def reported(safety_):
        return _week_of_tasks(np.random.default_rng(seed), n, 20, 1.0, 0.5, 0.0, 0.3,
                              safety.report_share(np.full(n, safety_)))[5].sum()

    assert reported(s[1]) > reported(s[0])


def test_reporting_extremes():
    n, T = 100, 10
    att, succ, intel, cx, basic, rep, hid = _week_of_tasks(np.random.default_rng(3), n, T, 1.0, 0.0, 0.0, 0.3,
                                                           safety.report_share(np.ones(n)))
    assert np.array_equal(rep, att) and att.sum() == n * T   # a safe team reports every failure
    rep = _week_of_tasks(np.random.default_rng(3), n, T, 1.0, 0.0, 0.0, 0.3, safety.report_share(np.zeros(n)))[5]
    assert 0.1 < rep.sum() / (n * T) < 0.3     # even in an unsafe team about 20% is reported


@given(s=uarr(), bl=pair(), coach=uarr(), ben=uarr(), seen=hnp.arrays(np.int64, N, elements=st.integers(0, 10)),
       rate=unit, loss=st.floats(1.0, 5.0), active=hnp.arrays(bool, N))
def test_update_safety_lower_with_more_blame(s, bl, coach, ben, seen, rate, loss, active):
    team = np.zeros(N, dtype=np.int64)
    lo = update_safety(s, active, team, 1, np.full(N, bl[0]), coach, ben, seen, rate, loss)
    hi = update_safety(s, active, team, 1, np.full(N, bl[1]), coach, ben, seen, rate, loss)
    assert in01(lo) and in01(hi)
    assert np.all(hi <= lo + TOL)


@given(s=uarr(), bl=uarr(), coach=uarr(), ben=uarr(), seen=hnp.arrays(np.int64, N, elements=st.integers(0, 10)),
       rate=unit, loss=st.floats(1.0, 5.0), active=hnp.arrays(bool, N),
       team=hnp.arrays(np.int64, N, elements=st.integers(0, 2)))
def test_update_safety_bounded_and_only_active_members_update(s, bl, coach, ben, seen, rate, loss, active, team):
    out = update_safety(s, active, team, 3, bl, coach, ben, seen, rate, loss)
    assert in01(out)
    assert np.array_equal(out[~active], s[~active])


def test_update_safety_blame_after_seen_failures_hurts_and_learning_helps():
    s = np.full(4, 0.5)
    team = np.zeros(4, dtype=np.int64)
    act = np.ones(4, dtype=bool)
    args = dict(coaching_received=np.full(4, 0.3), benevolence=np.full(4, 0.5), rate=0.2, loss_multiplier=2.5)
    learn_ = update_safety(s, act, team, 1, blame=np.zeros(4), failures_seen=np.full(4, 4), **args)
    blame_ = update_safety(s, act, team, 1, blame=np.ones(4), failures_seen=np.full(4, 4), **args)
    blame_none_seen = update_safety(s, act, team, 1, blame=np.ones(4), failures_seen=np.zeros(4), **args)
    assert np.all(learn_ > 0.5) and np.all(blame_ < blame_none_seen) and np.all(blame_none_seen < 0.5)


def test_update_safety_is_shared_within_a_team_among_the_active_only():
    s = np.array([0.2, 0.8, 0.5, 0.5, 0.0])
    team = np.array([0, 0, 1, 1, 1])
    kw = dict(blame=np.full(5, 0.3), coaching_received=np.full(5, 0.3), benevolence=np.full(5, 0.5),
              failures_seen=np.zeros(5), rate=0.0, loss_multiplier=1.0)
    out = update_safety(s, np.array([True, True, True, True, False]), team, 2, **kw)
    assert out[0] > 0.2 and out[1] < 0.8                    # pulled toward the team mean 0.5
    assert out[2:4] == pytest.approx([0.5, 0.5])            # the absent member (0.0) does not pull team 1 down
    assert out[4] == 0.0                                    # and is not updated


def test_zone_four_quadrants():
    z = safety.zone(np.array([0.8, 0.8, 0.2, 0.2]), np.array([0.8, 0.2, 0.8, 0.2]))
    assert [safety.ZONES[i] for i in z] == ["learning", "comfort", "anxiety", "apathy"]


# ============================================================================================================
# learning
# ============================================================================================================
@given(a=pair(), w=pair(), t=pair())
def test_practice_rises_with_autonomy_and_work_falls_when_taken_over(a, w, t):
    p = learning.practice(a[0], w[0], t[0])
    assert 0.0 <= p <= 1.0
    assert learning.practice(a[1], w[0], t[0]) >= p
    assert learning.practice(a[0], w[1], t[0]) >= p
    assert learning.practice(a[0], w[0], t[1]) <= p


learn_args = dict(c=uarr(), lr=uarr(), speed=st.floats(0.0, 0.2), pr=pair(), coach=pair(),
                  ce=st.floats(0.0, 3.0), intel=unit, saf=unit)


@given(**learn_args)
def test_learn_grows_more_with_practice_and_coaching_never_above_one(c, lr, speed, pr, coach, ce, intel, saf):
    base = learning.learn(c, lr, speed, pr[0], coach[0], ce, intel, saf)
    assert in01(base)
    assert np.all(base >= c)                       # non-negative inputs: competence never falls
    more_practice = learning.learn(c, lr, speed, pr[1], coach[0], ce, intel, saf)
    more_coaching = learning.learn(c, lr, speed, pr[0], coach[1], ce, intel, saf)
    assert in01(more_practice) and in01(more_coaching)
    assert np.all(more_practice >= base) and np.all(more_coaching >= base)


def test_learn_strict_gains_and_diminishing_returns():
    c = np.array([0.3, 0.8])
    kw = dict(learning_rate=np.full(2, 0.5), speed=0.05, coaching_effect=1.0, intelligent_rate=0.0, safety=0.5)
    none_ = learning.learn(c, practice_=0.0, coaching_received=0.0, **kw)
    pr = learning.learn(c, practice_=0.8, coaching_received=0.0, **kw)
    co = learning.learn(c, practice_=0.0, coaching_received=0.8, **kw)
    assert np.all(none_ > c) and np.all(pr > none_) and np.all(co > none_)
    # the gain shrinks as competence approaches 1
    assert (pr - c)[0] > (pr - c)[1]
    full = learning.learn(np.array([0.999]), np.array([1.0]), 0.2, 1.0, 1.0, 3.0, 1.0, 1.0)
    assert full[0] <= 1.0


@given(ini=uarr(), aut=st.floats(0.1, 1.0), t=pair(), ap=unit)
def test_update_initiative_falls_when_work_is_taken_over(ini, aut, t, ap):
    kept = learning.update_initiative(ini, aut, t[0], ap)
    taken = learning.update_initiative(ini, aut, t[1], ap)
    assert in01(kept) and in01(taken)
    assert np.all(taken <= kept + TOL)


def test_update_initiative_learned_helplessness_example():
    ini = np.array([0.6])
    assert learning.update_initiative(ini, 0.8, 1.0, 0.0)[0] < 0.6        # everything taken over
    assert learning.update_initiative(ini, 0.8, 0.0, 0.0)[0] > 0.6        # own decisions, own results
    # passivity is learned faster than initiative: the fall is larger than the rise for the same distance
    x = np.array([0.5])
    rise = learning.update_initiative(x, (0.6 - 0.15) / 0.85, 0.0, 0.0)[0] - 0.5     # target 0.6
    fall = 0.5 - learning.update_initiative(x, (0.4 - 0.15) / 0.85, 0.0, 0.0)[0]     # target 0.4
    assert rise > 0 and fall > rise


# ============================================================================================================
# motivation
# ============================================================================================================
@given(ctl=pair(), sr=pair(), comp=unit, diff=unit, peer=pair(), mgr=pair())
def test_needs_bounded_and_directions(ctl, sr, comp, diff, peer, mgr):
    fit = motivation.challenge_fit(diff, comp)
    na, nc, nr = motivation.needs(ctl[0], sr[0], fit, peer[0], mgr[0])
    assert all(0.0 <= x <= 1.0 for x in (na, nc, nr))
    assert motivation.needs(ctl[1], sr[0], fit, peer[0], mgr[0])[0] <= na   # more control
    assert motivation.needs(ctl[0], sr[1], fit, peer[0], mgr[0])[1] >= nc   # more success
    assert motivation.needs(ctl[0], sr[0], fit, peer[1], mgr[0])[2] >= nr
    assert motivation.needs(ctl[0], sr[0], fit, peer[0], mgr[1])[2] >= nr


def test_needs_competence_best_at_a_fitting_challenge():
    fit = motivation.needs(0.5, 0.8, motivation.challenge_fit(0.6, 0.6), 0.5, 0.5)[1]
    too_easy = motivation.needs(0.5, 0.8, motivation.challenge_fit(0.2, 0.9), 0.5, 0.5)[1]
    assert fit > too_easy


@given(d=unit, c=unit)
def test_challenge_fit_peaks_where_difficulty_meets_competence(d, c):
    f = motivation.challenge_fit(d, c)
    assert 0.0 <= f <= 1.0
    assert f <= motivation.challenge_fit(c, c) == 1.0


@given(coach=pair(), ben=pair(), nov=pair(), aut=pair(), fit=pair())
def test_manager_support_and_challenge_bounded_and_monotone(coach, ben, nov, aut, fit):
    lo = motivation.manager_support(coach[0], ben[0])
    assert 0.0 <= lo <= 1.0
    assert motivation.manager_support(coach[1], ben[0]) >= lo and motivation.manager_support(coach[0], ben[1]) >= lo
    ch = motivation.challenge(nov[0], aut[0], fit[0])
    assert 0.0 <= ch <= 1.0
    assert motivation.challenge(nov[1], aut[0], fit[0]) >= ch      # new territory is a challenge ...
    assert motivation.challenge(nov[0], aut[1], fit[0]) >= ch      # ... when one may explore it
    assert motivation.challenge(nov[0], aut[0], fit[1]) >= ch


@given(m=uarr(), na=pair(), nc=pair(), nr=pair(), rate=unit)
def test_update_motivation_bounded_toward_target_and_rises_with_needs(m, na, nc, nr, rate):
    base = motivation.update_motivation(m, na[0], nc[0], nr[0], rate)
    assert in01(base)
    target = 0.4 * na[0] + 0.35 * nc[0] + 0.25 * nr[0]
    assert np.all(base >= np.minimum(m, target) - TOL) and np.all(base <= np.maximum(m, target) + TOL)
    assert np.all(motivation.update_motivation(m, na[1], nc[0], nr[0], rate) >= base - TOL)
    assert np.all(motivation.update_motivation(m, na[0], nc[1], nr[0], rate) >= base - TOL)
    assert np.all(motivation.update_motivation(m, na[0], nc[0], nr[1], rate) >= base - TOL)


def test_update_motivation_controlling_supervision_frustrates():
    m = np.array([0.6])
    assert motivation.update_motivation(m, 0.1, 0.5, 0.3, 0.1)[0] < 0.6
    assert motivation.update_motivation(m, 0.9, 0.8, 0.8, 0.1)[0] > 0.6


eng_base = dict(en=uarr(), mot=unit, res=unit, ch=unit, hind=unit, ex=unit, felt=unit, rate=unit,
                disp=st.floats(-0.4, 0.4), ab=pair())


@given(**eng_base)
def test_update_engagement_up_with_resources_motivation_down_with_exhaustion_hindrance(en, mot, res, ch, hind, ex,
                                                                                       felt, rate, disp, ab):
    lo, hi = ab
    f = lambda **kw: motivation.update_engagement(**{**dict(  # noqa: E731
        engagement=en, motivation=mot, resources=res, challenge=ch, hindrance=hind, exhaustion=ex,
        felt_trust=felt, rate=rate, disposition=disp), **kw})
    assert in01(f())
    assert np.all(f(resources=hi) >= f(resources=lo) - TOL)
    assert np.all(f(motivation=hi) >= f(motivation=lo) - TOL)
    assert np.all(f(challenge=hi) >= f(challenge=lo) - TOL)
    assert np.all(f(felt_trust=hi) >= f(felt_trust=lo) - TOL)
    assert np.all(f(exhaustion=hi) <= f(exhaustion=lo) + TOL)
    assert np.all(f(hindrance=hi) <= f(hindrance=lo) + TOL)


def test_update_engagement_strict_example():
    e = np.array([0.5])
    kw = dict(motivation=0.6, challenge=0.3, felt_trust=0.5, rate=0.1, disposition=0.0)
    good = motivation.update_engagement(e, resources=0.8, hindrance=0.1, exhaustion=0.1, **kw)[0]
    bad = motivation.update_engagement(e, resources=0.3, hindrance=0.6, exhaustion=0.7, **kw)[0]
    assert good > 0.5 > bad


def test_engagement_class_thresholds():
    e = np.array([0.0, 0.2999, 0.3, 0.5, 0.6999, 0.7, 1.0])
    assert motivation.engagement_class(e).tolist() == [motivation.DISENGAGED, motivation.DISENGAGED,
                                                       motivation.NOT_ENGAGED, motivation.NOT_ENGAGED,
                                                       motivation.NOT_ENGAGED, motivation.ENGAGED,
                                                       motivation.ENGAGED]


@given(pair())
def test_engagement_class_is_monotone(ab):
    lo, hi = motivation.engagement_class(np.array(ab))
    # classes are ordered 0 engaged < 1 not engaged < 2 disengaged: higher engagement, lower (better) class
    assert hi <= lo


# ============================================================================================================
# social
# ============================================================================================================
def test_peer_mean_is_the_mean_over_active_peers_or_the_default():
    assert social.peer_mean(1.2, 3.0, 0.5) == pytest.approx(0.4)
    assert social.peer_mean(0.0, 0.0, 0.5) == 0.5          # no active peer: default
    assert social.peer_mean(np.array([0.9, 0.0]), np.array([2.0, 0.0]), 0.0).tolist() == [0.45, 0.0]


def test_crossover_moves_strain_half_as_fast_and_only_for_the_connected():
    c, cx = social.crossover_strength(0.2, np.array([True, False]))
    assert c.tolist() == [0.2, 0.0] and cx.tolist() == [0.1, 0.0]


@given(uarr(), uarr(), unit)
def test_contagion_moves_toward_peers(x, peers, strength):
    y = social.contagion(x, peers, strength)
    assert in01(y)
    assert np.all(np.abs(y - peers) <= np.abs(x - peers) + TOL)
    assert np.array_equal(social.contagion(x, peers, 0.0), x)


# ============================================================================================================
# policies
# ============================================================================================================
@given(c=pair(), m=pair(), e=pair())
def test_readiness_bounded_and_rises_with_competence_and_commitment(c, m, e):
    r = readiness(c[0], m[0], e[0])
    assert 0.0 <= r <= 1.0
    assert readiness(c[1], m[0], e[0]) >= r
    assert readiness(c[0], m[1], e[0]) >= r
    assert readiness(c[0], m[0], e[1]) >= r


def test_readiness_level_cuts():
    r = np.array([0.0, 0.39, 0.4, 0.51, 0.52, 0.63, 0.64, 1.0])
    assert readiness_level(r).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]


@given(c=uarr(), m=uarr(), e=uarr())
def test_readiness_level_of_is_the_level_of_readiness(c, m, e):
    """The engines' level without powers (c**3 m**2 against the cuts**5) is readiness_level(readiness): the
    same everywhere except within rounding of a cut; and the compiled rule gives the same levels."""
    got = policies.readiness_level_of(c, m, e)
    r = readiness(c, m, e)
    want = readiness_level(r)
    near = np.min(np.abs(r[:, None] - np.asarray(policies.READINESS_CUTS)[None, :]), axis=1) < 1e-12
    assert np.array_equal(got[~near], want[~near])
    assert np.all(np.abs(got - want) <= 1)
    assert [schedule.policies.readiness_level_of(a, b, d) for a, b, d in zip(c, m, e)] == got.tolist()


def test_readiness_level_of_at_the_cuts():
    # people just below and just above each cut, with competence = commitment = the cut +- 1e-9
    for k, cut in enumerate(policies.READINESS_CUTS):
        x = np.array([cut - 1e-9, cut + 1e-9])
        assert policies.readiness_level_of(x, x, x).tolist() == [k, k + 1]


@given(pair())
def test_readiness_level_monotone(ab):
    lo, hi = readiness_level(np.array(ab))
    assert 0 <= lo <= hi <= 3


@given(name=st.sampled_from(sorted(policies.PRESETS)), ready=uarr(), mtrust=uarr(), boost=uarr(),
       over=st.dictionaries(st.sampled_from(policies.KNOBS), unit, max_size=4))
def test_apply_policy_outputs_bounded(name, ready, mtrust, boost, over):
    aut, mon, appr, coach, ctl, level = apply_policy(knobs(name, **over), ready, mtrust, boost)
    for x in (aut, mon, appr, coach, ctl):
        assert in01(x)
    assert np.all((level >= 0) & (level <= 3))
    assert np.allclose(ctl, (1 - aut + mon + appr) / 3)


@given(r=pair(), mtrust=unit, boost=unit, rm=unit)
def test_apply_policy_situational_more_autonomy_for_higher_readiness(r, mtrust, boost, rm):
    k = knobs("situational", n=1, readiness_matching=rm)
    a_lo = apply_policy(k, np.array([r[0]]), np.array([mtrust]), np.array([boost]))[0][0]
    a_hi = apply_policy(k, np.array([r[1]]), np.array([mtrust]), np.array([boost]))[0][0]
    assert a_hi >= a_lo - TOL


def test_apply_policy_situational_styles_s1_to_s4():
    k = knobs("situational", n=4)
    ready = np.array([0.2, 0.45, 0.6, 0.8])
    aut, mon, _, _, _, level = apply_policy(k, ready, np.full(4, 0.5), np.zeros(4))
    assert level.tolist() == [0, 1, 2, 3]
    assert np.all(np.diff(aut) > 0)            # directing -> delegating
    assert np.all(np.diff(mon) < 0)


@given(t=pair(), ready=unit, boost=unit, pd=unit, name=st.sampled_from(sorted(policies.PRESETS)))
def test_apply_policy_phased_delegation_more_autonomy_with_more_manager_trust(t, ready, boost, pd, name):
    k = knobs(name, n=1, phased_delegation=pd)
    f = lambda tr: apply_policy(k, np.array([ready]), np.array([tr]), np.array([boost]))  # noqa: E731
    lo, hi = f(t[0]), f(t[1])
    assert hi[0][0] >= lo[0][0] - TOL          # autonomy
    assert hi[1][0] <= lo[1][0] + TOL          # monitoring eases with trust
    assert hi[2][0] <= lo[2][0] + TOL          # approvals ease with trust


def test_apply_policy_phased_delegation_strict_example_and_no_effect_without_it():
    ready, boost = np.array([0.5, 0.5]), np.zeros(2)
    mtrust = np.array([0.3, 0.9])
    aut = apply_policy(knobs("coaching", n=2), ready, mtrust, boost)[0]
    assert aut[1] > aut[0]
    aut0 = apply_policy(knobs("coaching", n=2, phased_delegation=0.0), ready, mtrust, boost)[0]
    assert aut0[0] == pytest.approx(aut0[1])


@given(b=pair(), ready=unit, mtrust=unit, name=st.sampled_from(sorted(policies.PRESETS)))
def test_apply_policy_boost_lowers_autonomy_raises_monitoring_and_approval(b, ready, mtrust, name):
    k = knobs(name, n=1)
    f = lambda bb: apply_policy(k, np.array([ready]), np.array([mtrust]), np.array([bb]))  # noqa: E731
    lo, hi = f(b[0]), f(b[1])
    assert hi[0][0] <= lo[0][0] + TOL          # autonomy
    assert hi[1][0] >= lo[1][0] - TOL          # monitoring
    assert hi[2][0] >= lo[2][0] - TOL          # approval
    assert hi[3][0] <= lo[3][0] + TOL          # coaching makes way for control
    assert hi[4][0] >= lo[4][0] - TOL          # experienced control


def test_apply_policy_full_boost_is_full_control():
    aut, mon, appr, _, ctl, _ = apply_policy(knobs("delegating", n=3), np.array([0.2, 0.5, 0.9]),
                                                      np.full(3, 0.8), np.ones(3))
    assert np.allclose(aut, 0) and np.allclose(mon, 1) and np.allclose(appr, 1) and np.allclose(ctl, 1)


@given(a=pair(), ready=unit, mtrust=unit, sr=unit, comp=unit, diff=unit)
def test_more_autonomy_means_less_experienced_control_and_more_autonomy_satisfaction(a, ready, mtrust, sr, comp,
                                                                                     diff):
    f = lambda av: apply_policy(knobs("custom", n=1, autonomy=av), np.array([ready]),  # noqa: E731
                                         np.array([mtrust]), np.zeros(1))[4]
    ctl_lo, ctl_hi = f(a[0]), f(a[1])              # control at low and at high autonomy
    assert ctl_hi[0] <= ctl_lo[0] + TOL
    fit = motivation.challenge_fit(diff, comp)
    sat_lo = motivation.needs(ctl_lo, sr, fit, 0.5, 0.5)[0]
    sat_hi = motivation.needs(ctl_hi, sr, fit, 0.5, 0.5)[0]
    assert sat_hi[0] >= sat_lo[0] - TOL
    if a[1] - a[0] > 0.01:
        assert sat_hi[0] > sat_lo[0]


def control_after(boost, output, expected, react, relax, insec, strain_, rate):
    """One week of the manager's control, as the model does it: output gap, then update_control."""
    return policies.update_control(boost, policies.output_gap(output, expected), react, relax, insec, strain_, rate)


@given(out=pair(0.0, 2.0), expected=uarr(3, 0.0, 3.0))
def test_output_gap_bounded_zero_on_target_and_larger_when_output_is_lower(out, expected):
    lo = policies.output_gap(np.full(3, out[0]), expected)
    hi = policies.output_gap(np.full(3, out[1]), expected)
    assert in01(lo) and in01(hi)               # finite even when nothing is expected (expected = 0)
    assert np.all(lo >= hi)
    on_target = out[1] >= 0.95 * expected
    assert np.all(hi[on_target] == 0.0)


def test_output_gap_example():
    assert policies.output_gap(np.array([0.65 * 0.95]), np.array([0.65]))[0] == pytest.approx(0.0, abs=1e-12)
    assert policies.output_gap(np.array([0.0]), np.array([0.65]))[0] == pytest.approx(0.95)
    assert policies.output_gap(np.array([0.0]), np.array([0.0]))[0] == 0.0


ctl_args = dict(boost=uarr(3), expected=uarr(3, 0.05, 3.0), react=uarr(3), relax=uarr(3), insec=uarr(3),
                strain_=uarr(3), rate=unit)


@given(out=pair(0.0, 3.0), **ctl_args)
def test_update_control_bounded_and_higher_when_output_is_lower(out, boost, expected, react, relax, insec, strain_,
                                                                rate):
    lo = control_after(boost, np.full(3, out[0]), expected, react, relax, insec, strain_, rate)
    hi = control_after(boost, np.full(3, out[1]), expected, react, relax, insec, strain_, rate)
    assert in01(lo) and in01(hi)
    assert np.all(lo >= hi - TOL)


@given(gap=pair(), **ctl_args)
def test_update_control_higher_with_a_larger_gap(gap, boost, expected, react, relax, insec, strain_, rate):
    small = policies.update_control(boost, gap[0], react, relax, insec, strain_, rate)
    large = policies.update_control(boost, gap[1], react, relax, insec, strain_, rate)
    assert in01(small) and in01(large)
    assert np.all(large >= small - TOL)


@given(frac=st.floats(0.0, 0.69), **ctl_args)
def test_update_control_never_relaxes_while_output_is_far_below_target(frac, boost, expected, react, relax, insec,
                                                                       strain_, rate):
    # output at most 69% of what is expected: gap >= 0.26, beyond the zone where letting go starts
    new = control_after(boost, frac * expected, expected, react, relax, insec, strain_, rate)
    assert np.all(new >= boost - TOL)


@given(boost=st.floats(0.0, 0.99), react=st.floats(0.05, 1.0), rate=st.floats(0.05, 1.0), frac=st.floats(0, 0.69),
       relax=unit, insec=unit, strain_=unit)
def test_update_control_rises_when_output_is_below_target(boost, react, rate, frac, relax, insec, strain_):
    new = control_after(np.array([boost]), np.array([frac * 0.65]), np.array([0.65]), react, relax, insec, strain_,
                        rate)
    assert new[0] > boost


@given(boost=st.floats(0.01, 1.0), relax=st.floats(0.01, 1.0), over=st.floats(0.95, 2.0),
       strain_=st.floats(0, 0.99), react=unit, rate=unit)
def test_update_control_relaxes_once_output_is_back_on_target(boost, relax, over, strain_, react, rate):
    # a secure manager (no strain-driven control) with output back within 5% of what is expected lets go
    new = control_after(np.array([boost]), np.array([over * 0.65]), np.array([0.65]), react, relax, 0.0, strain_,
                        rate)
    assert new[0] < boost


def test_update_control_letting_go_is_gradual_near_target_and_slowed_by_strain():
    b = np.array([0.6])
    on = control_after(b, np.array([0.65]), np.array([0.65]), 0.0, 0.1, 0.0, 0.0, 0.15)[0]
    near = control_after(b, np.array([0.58]), np.array([0.65]), 0.0, 0.1, 0.0, 0.0, 0.15)[0]   # gap ~0.06
    assert on < near < 0.6
    strained = control_after(b, np.array([0.65]), np.array([0.65]), 0.0, 0.1, 0.0, 0.8, 0.15)[0]
    assert on < strained < 0.6


# ============================================================================================================
# policy resolution (params -> knobs)
# ============================================================================================================
@pytest.mark.parametrize("name", sorted(policies.PRESETS))
def test_resolve_uses_preset_and_scenario_overrides(name):
    sp = load_scenario(None, [f"policy.name={name}"])
    kn = policies.resolve(sp.policy)
    assert kn.name == name
    assert all(getattr(kn, k) == pytest.approx(policies.PRESETS[name][k]) for k in policies.KNOBS)
    other = 0.123
    kn2 = policies.resolve(with_updates(sp, policy={"blame": other}).policy)
    assert kn2.blame == pytest.approx(other)
    assert kn2.autonomy == pytest.approx(policies.PRESETS[name]["autonomy"])


def test_presets_cover_every_knob_within_schema_bounds():
    knob_params = {p.name: p for p in PARAMS if p.kind == "knob"}
    for name, vals in policies.PRESETS.items():
        assert set(vals) == set(knob_params), name
        for k, v in vals.items():
            assert knob_params[k].lo <= v <= knob_params[k].hi, (name, k)


@given(a=unit, b=unit, i=unit, prop=unit, ten=st.integers(0, 520), ins=pair())
def test_insecure_managers_trust_less(a, b, i, prop, ten, ins):
    lo = trust.manager_trust_level(a, b, i, prop, np.array(ten), ins[1])
    hi = trust.manager_trust_level(a, b, i, prop, np.array(ten), ins[0])
    assert 0.0 <= lo <= hi <= 1.0


@given(c=pair(), g=pair())
def test_skill_between_competence_and_one_and_rises_with_guidance(c, g):
    s0 = work.skill(c[0], g[0])
    assert c[0] <= s0 <= 1.0
    assert work.skill(c[0], g[1]) >= s0 and work.skill(c[1], g[0]) >= s0
