"""How the weekly schedule is made fast: the rules compiled for single numbers, the schedule's loops compiled
serially and in parallel, and the choice between the two for each week.

Nothing here knows the model. :mod:`sim.schedule` writes each person's week once, as plain Python calling the
rules; :func:`compile_rule` and :func:`compile_loops` turn that one text into machine code with numba. With
``NUMBA_DISABLE_JIT=1`` nothing is compiled: the same code runs as plain Python, to read and step through in a
debugger (slowly).

**The rule dialect.** A rule is a pure function of numbers. It may use arithmetic, comparisons, other rules and
the numpy functions in :data:`RULE_NUMPY` (``np.where`` for a choice, ``np.minimum``/``np.maximum``/``np.clip``,
``np.exp``, ``np.log``, ``np.sqrt``, ...), so that the same rule works on whole arrays (in tests and analyses) and
on single numbers (in the compiled loops, where ``np`` stands for :data:`SCALAR_NUMPY`). It may not branch on a
value with ``if`` (that fails on arrays), call anything else, or keep state. ``tests/test_rule_dialect.py`` checks
every rule and names the rule and line that break this.

**Threads.** The week is a few phases (:mod:`sim.schedule`); each phase is a compiled loop over a range of
teams that reads only what earlier phases wrote and writes only its range's entries. :func:`phases` runs each
phase over one range in this thread, or, for organisations of :data:`PARALLEL_MIN` people or more, over
ranges of about equal numbers of people in several threads at once (the loops hold no Python lock), with the
same numbers. It uses only as many threads as the rest of the machine leaves cores free (:class:`FreeCores`,
read from ``/proc/stat``): on a 2-core laptop with two busy programs beside it, threads would wait for each
other at the end of every phase, so the week then runs on one.
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numba
import numpy as np
from numba import njit

from .jit import JIT


# --------------------------------------------------------------------------------------------------------------
# numpy for single numbers: what the rules may call, compiled for scalars
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


SCALAR_NUMPY = types.ModuleType("sim.engine.scalar_numpy")
SCALAR_NUMPY.__doc__ = "The numpy functions rules may call, for single numbers (inside compiled loops)."
for _name, _f in dict(where=_where, clip=_clip, minimum=_minimum, maximum=_maximum, asarray=_asarray,
                      searchsorted=_searchsorted, abs=np.abs, exp=np.exp, log=np.log, log1p=np.log1p,
                      expm1=np.expm1, sqrt=np.sqrt, power=np.power, tanh=np.tanh, floor=np.floor, ceil=np.ceil,
                      sin=np.sin, cos=np.cos, isnan=np.isnan).items():
    setattr(SCALAR_NUMPY, _name, _f)
RULE_NUMPY = tuple(sorted(n for n in vars(SCALAR_NUMPY) if not n.startswith("_")))
"""The names ``np.NAME`` a rule may use."""

_compiled: dict = {}


def compile_rule(fn):
    """``fn`` (a rule, written for numpy arrays) compiled for single numbers: the same code object, whose
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


def compiled_module(mod) -> types.ModuleType:
    """A module holding ``mod``'s public functions compiled (:func:`compile_rule`, on first call) under their own
    names, and its other public names as they are: compiled loops call ``work.effort(...)`` as the rules'
    readers do."""
    out = types.ModuleType(mod.__name__ + ".compiled", mod.__doc__)
    for name, v in vars(mod).items():
        if name.startswith("_"):
            continue
        if isinstance(v, types.FunctionType) and v.__module__ == mod.__name__:
            v = compile_rule(v)
        setattr(out, name, v)
    return out


jit = njit(**JIT)
"""Compile a function of the schedule (numba, cached; plain Python with ``NUMBA_DISABLE_JIT=1``)."""
jit_inline = njit(inline="always", **JIT)
""":data:`jit`, inlined into its callers."""


class Entry:
    """A compiled function called from Python with state bundles, without numba's typing of every argument at
    every call (about 50 microseconds for the bundles of a week, against 7 for the compiled code's own entry):
    the entry point found for the first call is used again for calls with arguments of the same Python types.
    That is safe because a bundle's arrays always have the dtype and layout its fields declare
    (:meth:`sim.state.Arrays.bundle`, :class:`sim.model.Wiring`, :func:`sim.schedule.make_scratch`)."""

    def __init__(self, dispatcher):
        self.dispatcher, self._entry = dispatcher, {}
        self.__name__ = getattr(dispatcher, "__name__", "entry")
        self.__doc__ = dispatcher.__doc__
        self.__wrapped__ = getattr(dispatcher, "py_func", dispatcher)

    def __call__(self, *args):
        key = tuple(map(type, args))
        ep = self._entry.get(key)
        if ep is not None:
            return ep(*args)
        out = self.dispatcher(*args)
        overloads = getattr(self.dispatcher, "overloads", None)
        if overloads is not None:   # (with NUMBA_DISABLE_JIT=1 there is nothing to look up)
            sig = tuple(self.dispatcher.typeof_pyval(a) for a in args)
            if sig in overloads:
                self._entry[key] = overloads[sig].entry_point
        return out


def entry(fn):
    """Compile ``fn`` (:data:`jit`) as a function Python calls with bundles (:class:`Entry`)."""
    return Entry(jit(fn))


def compile_loops(*fns) -> types.SimpleNamespace:
    """The schedule's loops, compiled (each on first call; plain Python with ``NUMBA_DISABLE_JIT=1``), without
    Python's lock, so that threads can run them side by side (:func:`phases`)."""
    return types.SimpleNamespace(**{f.__name__: Entry(njit(nogil=True, **JIT)(f)) for f in fns})


# --------------------------------------------------------------------------------------------------------------
# one thread or several
# --------------------------------------------------------------------------------------------------------------
PARALLEL_MIN = 2_000  # people: below this, handing work to threads costs more than it saves
_LAUNCH = threading.Lock()  # one threaded week at a time in a process
_SERIAL_ONLY = contextvars.ContextVar("orgsim_serial_only", default=False)
_POOL: list = [None]


@contextmanager
def serial_only():
    """Within this block (in this thread or task) weeks run on one thread: for experiments, whose runs are
    spread over processes already."""
    token = _SERIAL_ONLY.set(True)
    try:
        yield
    finally:
        _SERIAL_ONLY.reset(token)


def threads() -> int:
    """The threads a week may use: numba's ``NUMBA_NUM_THREADS`` (by default the cores this process may use)."""
    return int(numba.config.NUMBA_NUM_THREADS)


class FreeCores:
    """How many of this process's cores the rest of the machine left idle lately: over the time since the last
    reading (at least :attr:`WINDOW` seconds; shorter gaps keep the last figure), the cores' busy time from
    ``/proc/stat`` less this process's own processor time. ``None`` where ``/proc/stat`` cannot be read. A
    reading older than :attr:`STALE` seconds (the process was doing other things) says nothing of now: it
    starts a new window and counts as no core free until that window has passed."""

    WINDOW = 0.05
    STALE = 1.0

    def __init__(self):
        try:
            self.cpus = sorted(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            self.cpus = None
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.last = self._reading()
        self.free: float | None = None

    def _reading(self):
        if self.cpus is None:
            return None
        try:
            with open("/proc/stat", "rb") as f:
                lines = f.read().split(b"\n")
        except OSError:
            return None
        want = {f"cpu{c}".encode() for c in self.cpus}
        busy = 0
        for line in lines:
            parts = line.split()
            if parts and parts[0] in want:
                v = [int(x) for x in parts[1:]]
                busy += sum(v[:8]) - v[3] - v[4]   # all but idle and iowait (guest time is within user)
        return time.monotonic(), busy / self.tick, time.process_time()

    def __call__(self) -> float | None:
        if self.last is None:
            return None
        if time.monotonic() - self.last[0] < self.WINDOW:
            return self.free
        now = self._reading()
        if now is None:
            return None
        wall = now[0] - self.last[0]
        others = max(0.0, (now[1] - self.last[1]) - (now[2] - self.last[2]))
        self.free = 0.0 if wall > self.STALE else len(self.cpus) - others / wall
        self.last = now
        return self.free


FREE_CORES = FreeCores()


def parallel_threads(people: int) -> int:
    """Threads for a week of ``people``: 1 for small organisations, within :func:`serial_only` or with one thread
    configured; else as many as the machine leaves cores free (at most :func:`threads`), so that a busy
    machine's week runs on one thread."""
    if people < PARALLEL_MIN or threads() < 2 or _SERIAL_ONLY.get():
        return 1
    free = FREE_CORES()
    return threads() if free is None else max(1, min(threads(), int(free + 0.25)))


def split_teams(first, k: int) -> list[tuple[int, int]]:
    """Teams ``0..len(first)-2`` (team t holds people ``first[t]:first[t+1]``) in up to ``k`` ranges of about as
    many people each; a team is never split."""
    people = int(first[-1])
    cuts = np.searchsorted(first, [people * j / k for j in range(1, k)], side="left")
    bounds = sorted({0, len(first) - 1, *(int(c) for c in cuts)})
    return list(zip(bounds[:-1], bounds[1:]))


class Phases:
    """Runs one phase of the week (a compiled loop) over ranges of teams: in this thread alone, or in this thread
    and a pool's, each on its own range, returning once all are done. A phase reads only what earlier phases
    wrote, and writes only its own range's entries, so any split gives the same numbers."""

    def __init__(self, ranges, pool):
        self.ranges, self.pool = ranges, pool

    def __call__(self, fn, *args):
        if self.pool is None:
            for lo, hi in self.ranges:
                fn(*args, lo, hi)
            return
        futures = [self.pool.submit(fn, *args, lo, hi) for lo, hi in self.ranges[1:]]
        lo, hi = self.ranges[0]
        fn(*args, lo, hi)
        for f in futures:
            f.result()


@contextmanager
def phases(first):
    """The phases of a week of the teams in ``first``: on :func:`parallel_threads` threads (holding the process's
    launch lock; another thread's week meanwhile runs on one), else on this thread."""
    k = parallel_threads(int(first[-1]))
    ranges = split_teams(first, k) if k > 1 else [(0, len(first) - 1)]
    if len(ranges) > 1 and _LAUNCH.acquire(blocking=False):
        try:
            pool = _POOL[0]
            if pool is None or pool._max_workers < len(ranges) - 1:
                pool = _POOL[0] = ThreadPoolExecutor(max(threads() - 1, 1), thread_name_prefix="orgsim")
            yield Phases(ranges, pool)
        finally:
            _LAUNCH.release()
    else:
        yield Phases([(0, len(first) - 1)], None)
