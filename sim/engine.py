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

**Threads.** Each loop of the schedule is compiled twice from the same source (:func:`parallel_source`: the
bundles' arrays read into locals, which LLVM optimises better than fields read inside the loops, and the loops
over people or teams made ``prange``): for one thread, and as its parallel twin, whose loops numba shares among
its threads. Each person's step reads only
last values and writes only that person's entries, and each team's sums are taken by one thread in index
order, so both give the same numbers bit for bit. :func:`phases` picks one per week: the twin only for
organisations of :data:`PARALLEL_MIN` people or more, and only with as many threads as the rest of the machine
leaves cores free (:class:`FreeCores`, read from ``/proc/stat``): on a 2-core laptop with two busy programs
beside it, parallel loops wait for each other at every barrier and run many times slower than one thread, so
the week then runs on one.
"""

from __future__ import annotations

import ast
import contextvars
import inspect
import logging
import os
import textwrap
import threading
import time
import types
from contextlib import contextmanager

import numba
import numpy as np
from numba import njit

from .jit import JIT, cache_is_cold


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


BUNDLES = ("O", "E", "M", "K", "P", "X")   # the names the schedule's loops give their bundles


def parallel_source(fn) -> ast.Module:
    """``fn``'s own source, made into its parallel twin: every ``B.field`` of a bundle ``B`` (:data:`BUNDLES`)
    read once into a local array at the top (so the loops see plain arrays, which numba's parallel kernels take
    and LLVM vectorises), and each of the function's top-level loops (over people, ``range(O.team.size)``, or
    over teams, ``range(O.team_boss.size)``) made a ``prange``, shared among numba's threads, unless it still hands
    a whole bundle on. Nothing else changes: the same rules in the same order, so the same numbers."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    func = tree.body[0]
    func.decorator_list = []
    used: dict[str, tuple[str, str]] = {}

    class Unpack(ast.NodeTransformer):
        def visit_Attribute(self, node):
            self.generic_visit(node)
            if isinstance(node.value, ast.Name) and node.value.id in BUNDLES:
                local = f"{node.value.id}__{node.attr}"
                used[local] = (node.value.id, node.attr)
                return ast.copy_location(ast.Name(id=local, ctx=node.ctx), node)
            return node

    func.body = [Unpack().visit(stmt) for stmt in func.body]
    for stmt in func.body:
        whole = any(isinstance(n, ast.Name) and n.id in BUNDLES for n in ast.walk(stmt))
        if isinstance(stmt, ast.For) and isinstance(stmt.iter, ast.Call) and getattr(stmt.iter.func, "id", "") \
                == "range" and not whole:
            stmt.iter.func = ast.Name(id="prange", ctx=ast.Load())
    doc = func.body[:1] if isinstance(func.body[0], ast.Expr) else []
    unpack = [ast.parse(f"{local} = {b}.{attr}").body[0] for local, (b, attr) in sorted(used.items())]
    func.body = doc + unpack + func.body[len(doc):]
    func.name = fn.__name__
    return ast.fix_missing_locations(tree)


def twin(fn, parallel: bool):
    """``fn`` compiled from :func:`parallel_source`: with numba's parallel loops (``parallel``), or with its
    ``prange`` loops run as plain ranges on one thread, which LLVM optimises better than the bundles' fields
    read inside the loops (cached like ``fn``: the twin's code is named after ``fn``'s file, under the qualified
    name ``<name>_parallel`` or ``<name>_serial``)."""
    tree = parallel_source(fn)
    code = compile(tree, inspect.getsourcefile(fn), "exec")
    g = dict(fn.__globals__, prange=numba.prange if parallel else range)
    exec(code, g)
    out = g[fn.__name__]
    out.__qualname__ = fn.__qualname__ + ("_parallel" if parallel else "_serial")
    out.__module__ = fn.__module__
    return njit(parallel=parallel, **JIT)(out)


def compile_loops(*fns) -> tuple[types.SimpleNamespace, types.SimpleNamespace]:
    """The schedule's loops, compiled (each on first call) from their one source (:func:`parallel_source`):
    for one thread, and as parallel twins for several. With ``NUMBA_DISABLE_JIT=1`` the loops run as written,
    as plain Python."""
    if numba.config.DISABLE_JIT:
        serial = types.SimpleNamespace(**{f.__name__: Entry(f) for f in fns})
        return serial, serial
    serial = types.SimpleNamespace(**{f.__name__: Entry(twin(f, False)) for f in fns})
    parallel = types.SimpleNamespace(**{f.__name__: Entry(twin(f, True)) for f in fns})
    return serial, parallel


# --------------------------------------------------------------------------------------------------------------
# one thread or several
# --------------------------------------------------------------------------------------------------------------
PARALLEL_MIN = 2_000  # people: below this, handing work to threads costs more than it saves
_LAUNCH = threading.Lock()  # one threaded week at a time in a process
_SERIAL_ONLY = contextvars.ContextVar("orgsim_serial_only", default=False)


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


class Phases:
    """Runs the phases of one week: each phase's loops for all teams, on one thread (``serial``) or shared among
    numba's threads (``parallel``)."""

    def __init__(self, loops, parallel: bool):
        self.loops, self.parallel = loops, parallel

    def __call__(self, name, *args):
        getattr(self.loops, name)(*args)


@contextmanager
def phases(people: int, serial, parallel):
    """The loops for a week of ``people``: ``parallel`` on :func:`parallel_threads` threads (holding the
    process's launch lock: numba runs one parallel launch at a time; another thread's week meanwhile runs on
    one), else ``serial``. Both give the same numbers."""
    k = parallel_threads(people)
    if k > 1 and _LAUNCH.acquire(blocking=False):
        try:
            _say_if_compiling()
            numba.set_num_threads(k)
            yield Phases(parallel, True)
        finally:
            _LAUNCH.release()
    else:
        yield Phases(serial, False)


_told: list[bool] = []


def _say_if_compiling() -> None:
    """Once per process: if the parallel twins are not in the cache yet, say that the first big week waits for
    them to compile (a silent wait looks like a hang). Python's last-resort handler prints the warning to
    stderr when nothing configured logging."""
    if not _told:
        _told.append(True)
        if cache_is_cold(pattern="*_parallel-*.nbi"):
            logging.getLogger("orgsim").warning(
                "note: first big organisation of this version on this machine: compiling the loops it shares "
                "among cores (20-40 s, once)")


def load_parallel(serial, parallel) -> None:
    """Load (or compile) ``parallel``'s code for the signatures ``serial`` was called with, without starting
    any thread (so that processes forked afterwards are unaffected)."""
    for name, f in vars(serial).items():
        for sig in f.dispatcher.signatures:
            getattr(parallel, name).dispatcher.compile(sig)
