"""The compiled schedule (sim/engine.py, sim/schedule.py): the rules compiled for single numbers are the rule
modules' own functions and give their numbers; the parallel loops give the serial run bit for bit and are chosen
only where they help; the binomial draws and the counter-based uniforms. (That the schedule gives the numbers of
version 0.2.0 is tests/test_golden.py.)
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim import engine, schedule
from sim.model import OrgModel
from sim.params import load_scenario, with_updates
from sim.streams import (QUIT_SLOT, SLOTS, SURFACE_SLOT, TASK_SLOT, Streams, binomial_at, binomial_from_uniform,
                         binomials, luck, luck_array)

ROOT = Path(__file__).resolve().parent.parent
STATE = ("competence", "motivation", "trust_in_manager", "ability_p", "benevolence_p", "integrity_p",
         "engagement", "exhaustion", "cynicism", "efficacy", "initiative", "safety", "manager_trust",
         "m_ability", "m_benevolence", "m_integrity", "autonomy", "monitoring", "approval", "coaching_received",
         "control", "output", "success_rate")
COUNTS = ("status", "tenure", "hidden_backlog", "burnout_count", "weeks_left", "style", "readiness_level")


def assert_identical(a, b):
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries(), check_exact=True)
    for name in a.state.fields():
        np.testing.assert_array_equal(getattr(a.state, name), getattr(b.state, name), err_msg=name)
    for name in ("extra_control", "strain", "team_output", "trust_in_boss"):
        np.testing.assert_array_equal(getattr(a.mstate, name), getattr(b.mstate, name), err_msg=name)


COMPANY = ["team.teams=60", "org.span=4"]


@pytest.fixture
def threads_for_all(monkeypatch):
    """Several threads for any size (the threshold is for speed, not for results), whatever else the machine
    is doing; records each week's number of ranges."""
    monkeypatch.setattr(engine, "PARALLEL_MIN", 1)
    monkeypatch.setattr(engine, "threads", lambda: 2)
    monkeypatch.setattr(engine, "FREE_CORES", lambda: 2.0)
    used, phases = [], engine.phases

    def spy(people, serial, parallel):
        cm = phases(people, serial, parallel)

        class Spy:
            def __enter__(self):
                run = cm.__enter__()
                used.append(2 if run.parallel else 1)
                return run

            def __exit__(self, *exc):
                return cm.__exit__(*exc)
        return Spy()
    monkeypatch.setattr(engine, "phases", spy)
    return used


@pytest.mark.parametrize("scenario, sets", [("company_controlling_top", COMPANY), ("controlling", ["team.teams=3"]),
                                            ("reorganisation", ["team.teams=5"])])
def test_threaded_weeks_give_the_single_thread_run_bit_for_bit(scenario, sets, threads_for_all):
    params = load_scenario(ROOT / f"scenarios/{scenario}.toml", sets)
    par = OrgModel(params, seed=1).run(60)
    assert threads_for_all == [2] * 60
    with engine.serial_only():
        ser = OrgModel(params, seed=1).run(60)
    assert threads_for_all[60:] == [1] * 60
    assert_identical(par, ser)


def test_models_stepped_in_two_threads_at_once_give_their_single_thread_runs(threads_for_all):
    """The dashboard steps models in server threads: one at a time runs its week on several threads, the
    others on one meanwhile; every run is still its run alone."""
    from concurrent.futures import ThreadPoolExecutor

    params = load_scenario(ROOT / "scenarios/company_coaching_island.toml", ["team.teams=12"])
    with ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(lambda seed: OrgModel(params, seed=seed).run(40), [1, 2, 3, 1]))
    with engine.serial_only():
        for seed, run in zip([1, 2, 3, 1], runs):
            assert_identical(run, OrgModel(params, seed=seed).run(40))


def test_a_week_takes_threads_only_when_big_enough_allowed_and_the_machine_has_cores_free(monkeypatch):
    first = 10 * engine.PARALLEL_MIN

    def ranges(people):
        with engine.phases(people, schedule.SERIAL, schedule.PARALLEL) as run:
            return 2 if run.parallel else 1

    monkeypatch.setattr(engine, "threads", lambda: 2)
    monkeypatch.setattr(engine, "FREE_CORES", lambda: 1.9)
    assert ranges(first) == 2
    assert ranges(engine.PARALLEL_MIN - 1) == 1                            # small
    with engine.serial_only():
        assert ranges(first) == 1
    assert ranges(first) == 2                                              # serial_only ends with its block
    with engine.phases(first, schedule.SERIAL, schedule.PARALLEL):          # another week holds the threads
        assert ranges(first) == 1
    monkeypatch.setattr(engine, "FREE_CORES", lambda: 1.2)   # the rest of the machine keeps a core busy
    assert ranges(first) == 1
    monkeypatch.setattr(engine, "FREE_CORES", lambda: None)  # unknown: as many threads as configured
    assert ranges(first) == 2
    monkeypatch.setattr(engine, "threads", lambda: 1)
    assert ranges(first) == 1


def test_free_cores_counts_the_rest_of_the_machines_load():
    import subprocess
    import sys
    import time
    fc = engine.FreeCores()
    if fc.last is None:
        pytest.skip("no /proc/stat on this system")
    n = len(fc.cpus)
    busy = [subprocess.Popen([sys.executable, "-c", "import time\nt = time.time() + 3\nwhile time.time() < t: pass"])
            for _ in range(n)]
    try:
        t = time.monotonic() + 1.0
        while time.monotonic() < t:
            fc()
        loaded = fc()
    finally:
        for p in busy:
            p.kill()
            p.wait()
    assert loaded is not None and loaded < n - 0.5, loaded   # n spinning processes leave less than a core free


def test_the_parallel_twin_is_the_same_loops_over_plain_arrays():
    """The parallel build is derived from the schedule's own source: bundles read into local arrays, the range
    loops made prange, nothing else."""
    import ast
    src = ast.unparse(engine.parallel_source(schedule.people_pass))
    assert "E__competence = E.competence" in src and "for i in prange(O__team.size):" in src
    plain = ast.unparse(ast.parse(__import__("inspect").getsource(schedule.people_pass)))
    calls = lambda s: sorted(ast.unparse(n.func) for n in ast.walk(ast.parse(s)) if isinstance(n, ast.Call))  # noqa: E731
    assert sorted(c.replace("__", ".").replace("prange", "range") for c in calls(src)) == calls(plain)


def test_experiment_runs_use_one_thread_each(monkeypatch, tmp_path):
    from sim.experiment import run as xrun
    from sim.experiment import worker

    seen = []
    real = worker._run_chunk

    def spy(ctx, chunk):
        seen.append(engine._SERIAL_ONLY.get())
        return real(ctx, chunk)
    monkeypatch.setattr(worker, "_run_chunk", spy)
    from tests.test_experiment import SMALL

    path = tmp_path / "e.toml"
    path.write_text(SMALL)
    xrun.run_experiment(path, tmp_path / "out", workers=1, progress=False)
    assert seen and all(seen)
    assert not engine._SERIAL_ONLY.get()


# --------------------------------------------------------------------------------------------------------------
# every compiled rule is its numpy original
# --------------------------------------------------------------------------------------------------------------
NOT_RULES = {"resolve", "preset", "allocate_mix", "team_lead_knobs", "sick_leave_weeks"}   # Python, not compiled
RULES = [f"{mod}.{name}" for mod in ("policies", "work", "safety", "learning", "motivation", "trust", "strain",
                                     "social")
         for name, f in vars(getattr(schedule, mod)).items()
         if hasattr(f, "py_func") and f.py_func.__module__.startswith(("sim.rules", "sim.policies"))
         and name not in NOT_RULES]


def compiled_rule(dotted):
    mod, name = dotted.split(".")
    return getattr(getattr(schedule, mod), name)


def test_the_compiled_rules_are_the_rule_modules_own_functions():
    assert len(RULES) >= 50
    for dotted in RULES:
        f, name = compiled_rule(dotted), dotted.split(".")[1]
        orig = getattr(__import__(f.py_func.__module__, fromlist=[name]), name)
        assert f.py_func.__code__ is orig.__code__, name   # the same code object, nothing rewritten


@pytest.mark.parametrize("name", RULES)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_compiled_rule_equals_its_numpy_version(name, data):
    n = 3
    f = compiled_rule(name)
    name = name.split(".")[1]
    orig = f.py_func
    args = []
    for p in inspect.signature(orig).parameters.values():
        if p.name in ("tenure_weeks", "counter"):
            args.append(data.draw(st.lists(st.integers(0, 600), min_size=n, max_size=n)))
        elif p.name in ("burnt", "connected"):
            args.append(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        elif p.name == "level":   # a readiness level R1..R4 as 0..3
            args.append(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
        else:
            args.append(data.draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    arrays = [np.array(a) for a in args]
    # the draws include 0 hours (outside a rule's domain): both versions must still agree there, on inf and NaN
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        want = getattr(__import__(orig.__module__, fromlist=[name]), name)(*arrays)
    want = want if isinstance(want, tuple) else (want,)
    for i in range(n):
        got = f(*[a[i] for a in arrays])
        got = got if isinstance(got, tuple) else (got,)
        for w, g in zip(want, got):
            w = np.broadcast_to(w, (n,))[i]
            assert np.isclose(w, g, rtol=1e-12, atol=1e-15, equal_nan=True), (name, i, w, g)  # 0/0 alike


# --------------------------------------------------------------------------------------------------------------
# binomial counts from one uniform each
# --------------------------------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.integers(0, 3000), st.floats(0.0, 1.0), st.floats(0.0, 1.0, exclude_max=True),
       st.floats(0.0, 1.0, exclude_max=True))
def test_binomial_is_in_range_and_monotone_in_the_uniform(n, p, u1, u2):
    lo, hi = sorted((u1, u2))
    a, b = binomial_from_uniform(lo, n, p), binomial_from_uniform(hi, n, p)
    assert 0 <= a <= b <= n
    if p == 0.0 or n == 0:
        assert b == 0
    if p == 1.0:
        assert a == n


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 3000), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(1e-10, 1 - 1e-10))
def test_binomial_rises_with_p(n, p1, p2, u):
    """The same uniform gives at least as many successes at a higher p. (For p > 0.5 the search counts
    failures from the other end, and for n p > 200 the mode's probability comes from lgamma, accurate to about
    1e-12 for n in the thousands; so within 1e-10 of 0 or 1 - a chance of 2e-10 per draw - the count is the
    far tail's rounding, and the property is checked inside. 20,000 examples pass there.)"""
    lo, hi = sorted((p1, p2))
    assert binomial_from_uniform(u, n, lo) <= binomial_from_uniform(u, n, hi)


@pytest.mark.parametrize("n, p", [(1905, 0.5), (3000, 0.05), (3000, 0.95), (40, 0.3), (100_000, 0.002)])
@pytest.mark.parametrize("eps", [1e-16, 1e-14, 1e-12])
def test_binomial_at_a_uniform_within_rounding_of_0_or_1_stays_in_the_far_tail(n, p, eps):
    """The computed F may add up to a little less than 1; a uniform beyond it once walked on to n (found by
    hypothesis: 1905 successes of 1905 at p = 0.5). The count stays within 12 standard deviations."""
    mean, sd = n * p, np.sqrt(n * p * (1 - p))
    top, bottom = binomial_from_uniform(1 - eps, n, p), binomial_from_uniform(eps, n, p)
    assert mean < top < mean + 12 * sd
    assert mean - 12 * sd < bottom < mean


@pytest.mark.parametrize("n, p", [(10, 0.8), (10, 0.03), (1, 0.5), (3, 0.999), (40, 0.5), (401, 0.5),
                                  (1000, 0.3), (5000, 0.9), (100_000, 0.002)])
def test_binomial_has_the_binomial_distribution(n, p):
    """Chi-square goodness of fit against scipy's Binomial(n, p) on 100,000 draws (fixed seed; both the search
    from 0 and, for n p > 200, the search from the mode)."""
    N = 100_000
    x = binomials(np.random.default_rng(7).random(N), n, p)
    k = np.arange(n + 1)
    pmf = stats.binom.pmf(k, n, p)
    keep = pmf * N >= 5
    obs = np.bincount(x, minlength=n + 1)
    e, o = np.append(pmf[keep] * N, N * (1 - pmf[keep].sum())), np.append(obs[keep], N - obs[keep].sum())
    use = e >= 5
    chi = ((o[use] - e[use]) ** 2 / e[use]).sum()
    assert stats.chi2.sf(chi, use.sum() - 1) > 1e-3, (n, p, chi)
    assert abs(x.mean() - n * p) < 5 * np.sqrt(n * p * (1 - p) / N) + 1e-12


def test_the_cache_is_named_after_the_sources_so_an_edited_rule_is_compiled_afresh(tmp_path):
    """numba checks only a function's own file; orgsim names its cache after every source compiled code is
    built from, so editing a rule (e.g. in sim/rules/work.py) cannot leave a stale compiled loop in use."""
    from sim import jit
    (tmp_path / "rules").mkdir()
    for name in ("schedule.py", "policies.py", "streams.py", "rules/work.py"):
        (tmp_path / name).write_text("x = 1\n")
    before = jit.source_digest(tmp_path)
    assert jit.source_digest(tmp_path) == before
    (tmp_path / "rules/work.py").write_text("x = 2\n")
    assert jit.source_digest(tmp_path) != before
    (tmp_path / "other.py").write_text("y = 1\n")                 # files no compiled code uses do not count
    assert jit.source_digest(tmp_path) == jit.source_digest(tmp_path, jit.SOURCES)
    assert jit.CACHE_DIR.name == f"numba-{jit.source_digest()}"
    import numba
    assert numba.config.CACHE_DIR == str(jit.CACHE_DIR)


def _folder(base, name, days_ago):
    import os
    import time
    f = base / name
    (f / "sub").mkdir(parents=True)
    (f / "sub" / "x.nbi").write_bytes(b"0")
    t = time.time() - days_ago * 86400
    os.utime(f, (t, t))
    return f


def test_old_compiled_code_folders_are_pruned_but_recent_and_current_ones_kept(tmp_path):
    """Each version of the code leaves a folder of compiled code: beyond the KEEP most recently used, those
    unused for IN_USE_DAYS are removed; the current folder, recently used ones and anything else stay."""
    from sim import jit
    current = _folder(tmp_path, "numba-current", 30)               # in use now, however old its stamp
    kept = [_folder(tmp_path, f"numba-k{i}", 0.1 * i * jit.IN_USE_DAYS) for i in range(jit.KEEP)]  # most recent
    kept.append(_folder(tmp_path, "numba-beyond-keep-but-in-use", 0.5 * jit.IN_USE_DAYS))
    old = [_folder(tmp_path, f"numba-old{i}", 40 + i) for i in range(3)]
    other = _folder(tmp_path, "not-numba", 90)
    (tmp_path / "numba-file").write_text("a file, not a folder")
    removed = jit.prune(tmp_path, current)
    assert sorted(removed) == sorted(old)
    assert all(not f.exists() for f in old)
    assert all(f.is_dir() for f in [current, other, *kept]) and (tmp_path / "numba-file").is_file()
    # with everything recent nothing goes, whatever KEEP says
    assert jit.prune(tmp_path, current, keep=0, in_use_days=365) == []


def test_a_new_cache_folder_prunes_the_old_ones_and_an_existing_one_is_stamped(tmp_path, monkeypatch):
    """cache_dir() creates this version's folder under $ORGSIM_CACHE_DIR; creating it prunes stale folders of
    other versions; using it again refreshes its time stamp (what prune goes by) and removes nothing."""
    import time
    from sim import jit
    monkeypatch.setenv("ORGSIM_CACHE_DIR", str(tmp_path))
    stale = [_folder(tmp_path, f"numba-stale{i}", 10 + i) for i in range(jit.KEEP + 2)]
    here = jit.cache_dir()
    assert here == tmp_path / f"numba-{jit.source_digest()}" and here.is_dir()
    assert [f.exists() for f in stale] == [True] * jit.KEEP + [False] * 2   # the KEEP most recent stay
    late = _folder(tmp_path, "numba-late", 50)
    t = time.time() - 5 * 86400
    import os
    os.utime(here, (t, t))
    assert jit.cache_dir() == here
    assert late.exists()                                  # an existing folder does not prune
    assert here.stat().st_mtime > time.time() - 3600      # but is stamped as used now


def test_state_fields_replaced_by_views_or_lists_are_made_plain_and_give_the_same_run():
    """The week updates the state in place: a field replaced by a read-only view, a strided view or a list (as
    a user or a dashboard might) is copied into a plain array first, and the run is the one with plain arrays."""
    params = load_scenario(ROOT / "scenarios/controlling.toml")
    a, b = (OrgModel(params, seed=1).run(3) for _ in range(2))
    for m in (b,):
        view = np.repeat(m.state.competence, 2)[::2]          # strided
        view.flags.writeable = False
        m.state.competence = view
        m.state.motivation = list(m.state.motivation)
        m.mstate.strain = np.asfortranarray(m.mstate.strain)[:]
        m.mstate.extra_control.flags.writeable = False        # the same array, now read-only
        m.mstate.extra_control = m.mstate.extra_control
    a.run(5)
    b.run(5)
    assert b.state.competence.flags.writeable and b.state.competence.flags.c_contiguous
    assert_identical(a, b)


# --------------------------------------------------------------------------------------------------------------
# counter-based uniforms: the week's tasks, surfacing and turnover
# --------------------------------------------------------------------------------------------------------------
def _splitmix_reference(key: int, index: int) -> float:
    """SplitMix64 (Steele, Lea & Flood 2014) written with Python integers: the output after ``index + 1``
    increments of the state ``key``, its top 53 bits over 2**53."""
    mask = 2**64 - 1
    z = (key + (index + 1) * 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return ((z ^ (z >> 31)) >> 11) / 2**53


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**64 - 1), st.integers(0, 2**40))
def test_luck_is_splitmix64_in_the_compiled_and_the_numpy_version(key, index):
    want = _splitmix_reference(key, index)
    assert luck(np.uint64(key), index) == want
    assert luck_array(np.array([key], dtype=np.uint64), np.array([index]))[0] == want
    assert 0.0 <= want < 1.0


def test_luck_is_uniform_and_unrelated_across_slots_persons_and_keys():
    """Kolmogorov-Smirnov against U(0, 1) along each axis the model uses, and no correlation between a
    person's successive slots or between neighbouring persons."""
    keys = np.random.default_rng(5).integers(0, 2**64, size=200, dtype=np.uint64)
    person = np.arange(1000)
    u = luck_array(keys[:, None, None], SLOTS * person[None, :, None] + np.arange(12)[None, None, :])
    for sample in (u[0, :, 0], u[:, 0, 0], u[:, :, 3].ravel(), u.ravel()):
        assert stats.kstest(sample, "uniform").pvalue > 1e-4
    assert abs(np.corrcoef(u[:, :, 0].ravel(), u[:, :, 1].ravel())[0, 1]) < 0.01
    assert abs(np.corrcoef(u[:, :, 2].ravel(), u[:, :, 3].ravel())[0, 1]) < 0.01
    assert abs(np.corrcoef(u[:, :-1, 0].ravel(), u[:, 1:, 0].ravel())[0, 1]) < 0.01
    assert abs(np.corrcoef(u[:-1, :, 0].ravel(), u[1:, :, 0].ravel())[0, 1]) < 0.01


def test_the_slots_fit_the_most_tasks_a_scenario_may_set():
    """Task t of a week uses slot TASK_SLOT + t: with the schema's largest tasks_per_week it stays below the
    next person's slots, and the turnover and surfacing slots are apart from the tasks'."""
    from sim.params import PARAMS
    most = next(f for f in PARAMS if (f.section, f.name) == ("work", "tasks_per_week")).hi
    assert TASK_SLOT + most <= SLOTS
    assert len({QUIT_SLOT, SURFACE_SLOT}) == 2 and max(QUIT_SLOT, SURFACE_SLOT) < TASK_SLOT


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**64 - 1), st.integers(0, 10**6), st.integers(-2, 200), st.floats(-0.5, 1.5))
def test_binomial_at_is_the_binomial_at_that_uniform(key, index, n, p):
    got = binomial_at(np.uint64(key), index, n, p)
    if n <= 0 or not p > 0:
        assert got == 0
    elif p >= 1:
        assert got == n
    else:
        assert got == binomial_from_uniform(_splitmix_reference(key, index), n, p)


def test_week_uniforms_are_each_persons_slots_with_each_runs_key():
    """Streams.week_uniforms: slot k of week w for every person, counted from the run's first position, at the
    run's offset for week w, with the run's key; a run's uniforms are the same batched or alone."""
    pos, teams, keys = [0, 3, 5], [0, 1, 2], np.array([11, 2**64 - 3], dtype=np.uint64)
    s = Streams([np.random.default_rng(s) for s in (1, 2)], pos, teams, luck_keys=keys)
    np.testing.assert_array_equal(s.week_base(3), [6, 4])
    person, run = np.array([0, 1, 2, 0, 1]), np.array([0, 0, 0, 1, 1])
    tasks = s.week_uniforms(3, TASK_SLOT, 4)
    assert tasks.shape == (5, 4)
    for k in range(4):
        want = [luck(keys[r], SLOTS * ([6, 4][r] + j) + TASK_SLOT + k) for r, j in zip(run, person)]
        np.testing.assert_array_equal(tasks[:, k], want)
        np.testing.assert_array_equal(s.week_uniforms(3, TASK_SLOT + k), want)
    alone = Streams([np.random.default_rng(2)], [0, 2], [0, 1], luck_keys=keys[1:])
    np.testing.assert_array_equal(alone.week_uniforms(3, TASK_SLOT, 4), tasks[3:])
    assert not np.array_equal(s.week_uniforms(4, TASK_SLOT, 4), tasks)


def test_two_policies_with_one_seed_share_every_weeks_task_luck():
    """The tasks' uniforms depend on seed, week, person and slot only: under another policy, after
    sick leaves and hires have shifted the dynamics stream, a person's uniforms are still the same."""
    params = load_scenario(ROOT / "scenarios" / "controlling.toml")
    a = OrgModel(params, seed=3)
    b = OrgModel(with_updates(params, policy={"name": "delegating"}), seed=3)
    a.run(60)
    b.run(60)
    assert a.draw.luck_keys[0] == b.draw.luck_keys[0]
    assert a.leavers != b.leavers or not np.array_equal(a.state.status, b.state.status)   # their weeks differed
    ua, ub = a.draw.week_uniforms(61, TASK_SLOT, 10), b.draw.week_uniforms(61, TASK_SLOT, 10)
    np.testing.assert_array_equal(ua, ub)
    assert not np.array_equal(ua, OrgModel(params, seed=4).draw.week_uniforms(61, TASK_SLOT, 10))


def test_the_bundles_classes_are_importable_by_name_so_cached_loops_are_found_again():
    """numba types the loops by the bundles' named-tuple classes and finds their cached code in a new process
    only for the same class: each class must come back from pickle as itself, not as a copy."""
    import pickle

    m = OrgModel(load_scenario(None, ["team.size=3"]), seed=1)
    for bundle in (m.state.bundle(), m.mstate.bundle(), m.ustate.bundle(), m.wiring, m.numbers, m.knob_bundle,
                   m.scratch):
        cls = type(bundle)
        assert pickle.loads(pickle.dumps(cls)) is cls, cls.__name__
        assert getattr(__import__(cls.__module__, fromlist=[cls.__name__]), cls.__name__) is cls


def test_a_first_big_week_says_it_compiles_the_parallel_loops_once(monkeypatch, caplog):
    import sim.engine as engine
    for cold, expected in ((True, 1), (False, 0)):
        monkeypatch.setattr(engine, "cache_is_cold", lambda pattern="*.nbi", cold=cold: cold)
        monkeypatch.setattr(engine, "_told", [])
        caplog.clear()
        with caplog.at_level("WARNING", logger="orgsim"):
            engine._say_if_compiling()
            engine._say_if_compiling()   # once per process
        notes = [r for r in caplog.records if "compiling the loops" in r.getMessage()]
        assert len(notes) == expected
