"""The rules of issue 21 ("credible magnitudes"): the private load, the engagement disposition, the consistent
baseline of the manager's control, and bit-identical private loads on one thread and several."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from sim import policies
from sim.params import load_scenario
from sim.rules import motivation, strain
from sim.state import ACTIVE
from sim.streams import luck_array


def _ar_path(persistence, spread, weeks=40_000):
    u = luck_array(np.uint64(12345), np.arange(weeks))
    x, out = 0.0, np.empty(weeks)
    for k in range(weeks):
        x = strain.private_load_step(x, u[k], persistence, spread)
        out[k] = x
    return out


@pytest.mark.parametrize("persistence", [0.0, 0.9, 0.97])
def test_private_load_has_mean_zero_and_the_stationary_spread_asked_for(persistence):
    path = _ar_path(persistence, 0.45)[2000:]
    assert abs(path.mean()) < 0.06
    assert path.std() == pytest.approx(0.45, rel=0.1)
    if persistence > 0:   # and its weekly persistence
        assert np.corrcoef(path[:-1], path[1:])[0, 1] == pytest.approx(persistence, abs=0.02)


@given(st.floats(-3, 3), st.floats(-2, 2))
def test_total_demands_are_never_negative_and_add_the_private_load(work, private):
    d = strain.total_demands(work, private)
    assert d >= 0 and d == pytest.approx(max(0.0, work + private))


def test_disposition_rests_mostly_on_affectivity():
    lo, hi = motivation.disposition(0.5, 0.3), motivation.disposition(0.5, 0.7)
    lo_r, hi_r = motivation.disposition(0.3, 0.5), motivation.disposition(0.7, 0.5)
    assert hi - lo > 2 * (hi_r - lo_r) > 0
    assert motivation.disposition(0.5, 0.5) == 0.0


@settings(max_examples=50)
@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 0.15))
def test_a_manager_at_rest_with_results_on_target_takes_no_control(reactivity, insecurity, strain_):
    """The consistent baseline: no gap and no strain above the resting level, no extra control."""
    assert policies.update_control(0.0, 0.0, reactivity, 0.05, insecurity, strain_, 0.15) == 0.0
    assert policies.update_control(0.0, 0.0, reactivity, 0.05, insecurity, 0.6, 0.15) > 0.0 or insecurity < 1e-6


def test_private_lives_are_the_same_under_every_policy_and_seed_bound():
    """Counter-based draws: the same seed gives the same private loads whatever the manager does (common random
    numbers), another seed other ones. (Threads: tests/test_engine.py compares whole runs bit for bit.)"""
    from sim.model import OrgModel
    ctrl = load_scenario(None, ["team.teams=4", "policy.name=controlling"])
    coach = load_scenario(None, ["team.teams=4", "policy.name=coaching"])
    a, b, c = OrgModel(ctrl, seed=4), OrgModel(coach, seed=4), OrgModel(ctrl, seed=5)
    for m in (a, b, c):
        m.run(20)
    both = (a.state.tenure >= 20) & (b.state.tenure >= 20)   # the same people, in post all along under both
    assert both.sum() > 20
    np.testing.assert_array_equal(a.state.private_load[both], b.state.private_load[both])
    assert not np.allclose(a.state.private_load, c.state.private_load)
    assert np.std(a.state.private_load) > 0.2


def _year_two_demands_and_resources(seed):
    """The average person's work demands D and resources R in ``baseline_nl``'s second year (one run)."""
    from sim.model import OrgModel
    from sim.rules import work
    m, d, r = OrgModel(load_scenario("scenarios/baseline_nl.toml"), seed=seed), [], []
    for week in range(104):
        m.step()
        if week >= 52:
            X, E = m.scratch, m.state
            act = E.status == ACTIVE
            unready = X.aut * (1 - work.skill(E.competence, X.guide))
            d.append(strain.demands(X.demand, E.exhaustion, X.wait, X.hind, unready)[act].mean())
            r.append(X.resources[act].mean())
    return np.mean(d), np.mean(r)


def test_people_in_post_start_at_the_demands_and_resources_the_dutch_baseline_settles_at():
    """``strain.START_DEMANDS`` and ``START_RESOURCES`` are what ``baseline_nl`` produces in its second year."""
    d, r = np.mean([_year_two_demands_and_resources(s) for s in (1, 2)], axis=0)
    assert d == pytest.approx(strain.START_DEMANDS, abs=0.04)
    assert r == pytest.approx(strain.START_RESOURCES, abs=0.04)


def test_a_team_starts_with_the_spread_of_strain_of_a_dutch_team_not_with_nobody_near_burnout():
    """Week 1 of ``baseline_nl`` (seeds 1-5): some people already have burnout complaints (TNO NEA: about one in
    six), the mean exhaustion is near where the run settles, and cynicism follows exhaustion."""
    from sim.model import OrgModel
    share, mean_start, mean_late = [], [], []
    for seed in range(1, 6):
        m = OrgModel(load_scenario("scenarios/baseline_nl.toml"), seed=seed)
        m.step()
        E = m.state
        act = E.status == ACTIVE
        share.append((E.exhaustion[act] >= 0.6).mean())
        mean_start.append(E.exhaustion[act].mean())
        assert np.corrcoef(E.exhaustion[act], E.cynicism[act])[0, 1] > 0.5
        for _ in range(60):
            m.step()
        mean_late.append(m.state.exhaustion[m.state.status == ACTIVE].mean())
    assert 0.06 < np.mean(share) < 0.3
    assert abs(np.mean(mean_start) - np.mean(mean_late)) < 0.08


def test_hires_filling_a_vacancy_start_rested():
    from sim.model import OrgModel
    from sim.people import hire
    m = OrgModel(load_scenario("scenarios/controlling.toml"), seed=1)
    slots = np.array([0, 3], dtype=np.int64)
    hire(m, slots)
    assert (m.state.exhaustion[slots] == 0).all() and (m.state.cynicism[slots] == 0).all()
    assert m.state.exhaustion[1:3].max() > 0                     # the others started where their situation tends


def test_newcomers_start_rested_and_starting_cynicism_is_where_cynicism_tends():
    assert strain.starting_cynicism(0.0, 0.5, 0.5) == 0.0
    e, t, s = 0.7, 0.3, 0.4
    assert strain.starting_cynicism(e, t, s) == pytest.approx(strain.update_cynicism(0.9, e, t, s, 1.0))
    assert strain.starting_exhaustion(1.0, 0.5, 0.3) > strain.starting_exhaustion(1.0, 0.0, 0.3) > \
        strain.starting_exhaustion(1.0, 0.0, 0.7)
