"""Random streams for one run or a batch of runs.

A batch runs several seeds of the same scenario side by side in one :class:`~sim.model.OrgModel` (numpy works
on longer arrays, so small teams run several times faster per run). Every run keeps its own random stream:
each draw is split by run and taken from that run's generator, in the same order and sizes as a single run
would take it, so a run gives the same numbers batched or alone. With one run, the generator is used as it is.

The week's tasks (step 3b-4: one uniform per task decides its outcome), the surfacing of hidden failures and
the turnover draw take their uniforms from a counter-based stream instead (:func:`luck`): each run has a 64-bit
key from its seed (a stream of its own, like the others), and in week ``w`` person ``j`` of a run of ``n``
positions (``j`` counted from the run's first position) gets for slot ``k`` (:data:`QUIT_SLOT` turnover,
:data:`SURFACE_SLOT` the surfacing of hidden failures, :data:`TASK_SLOT` ``+ t`` task ``t``, :data:`LIFE_SLOT`
the private load) the uniform of
SplitMix64 (Steele, Lea & Flood 2014) at position ``SLOTS * (n * (w - 1) + j) + k`` after that key
(:func:`first_slot`). A uniform is then a function of (seed, week, person, slot) alone: the compiled loops
compute the ones they need where they need them, in any order and on any number of threads
(:meth:`Streams.week_uniforms` gives the same numbers on whole arrays, for tests and analyses). It also means that two
policies run with the same seed share every week's task and turnover luck: a person's luck does not depend on
how many draws other events took before.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .jit import JIT


# --------------------------------------------------------------------------------------------------------------
# Binomial counts by inversion of one uniform each
# --------------------------------------------------------------------------------------------------------------
@njit(**JIT)
def _power(x, n):
    """``x**n`` for an integer ``n >= 0`` by repeated squaring (faster than ``pow`` for the small counts)."""
    out = 1.0
    while n:
        if n & 1:
            out *= x
        x *= x
        n >>= 1
    return out


TAIL = 1e-17  # a term this small relative to the sum so far, past the mode: the rest is below rounding


@njit(**JIT)
def _beyond(w, c, strict):
    """Go on searching upward: ``w >= c`` (``w < F(k)`` ends the search), or ``w > c`` when ``strict``."""
    return w > c if strict else w >= c


@njit(**JIT)
def _search_from_mode(w, n, r, flip):
    """:func:`binomial_from_uniform`'s search for ``n r > 200`` (``r = min(p, 1 - p)``, ``w`` the uniform or
    ``1 - u``): the count ``k`` of Binomial(n, r), searched from the mode ``m = floor((n + 1) r)``."""
    q = 1.0 - r
    s = r / q
    m = min(n, int((n + 1) * r))
    fm = math.exp(math.lgamma(n + 1.0) - math.lgamma(m + 1.0) - math.lgamma(n - m + 1.0)
                  + m * math.log(r) + (n - m) * math.log(q))
    c = fm                      # F(m): add the probabilities below the mode until they vanish
    f = fm
    j = m
    while j > 0 and f > 1e-17 * c:
        f *= j / ((n - j + 1) * s)
        j -= 1
        c += f
    k = m
    f = fm
    if not _beyond(w, c, flip):  # walk down while F(k - 1) = F(k) - f(k) still ends the search
        while k > 0 and not _beyond(w, c - f, flip):
            c -= f
            f *= k / ((n - k + 1) * s)
            k -= 1
    else:                       # walk up until F(k) ends the search (or the tail is below rounding)
        while _beyond(w, c, flip) and k < n and not f < TAIL * c:
            f *= s * (n - k) / (k + 1)
            k += 1
            c += f
    return k


@njit(inline="always", **JIT)   # inlined where counts are drawn (the search from the mode is a call of its own)
def binomial_from_uniform(u, n, p):
    """The Binomial(n, p) quantile at the uniform ``u`` in [0, 1): the smallest ``k`` with ``u < F(k)``.

    Inversion (Devroye 1986, ch. X.4), one uniform per count whatever ``n`` and ``p``, so the number of draws
    never depends on the outcome and draws can be taken in bulk beforehand; the count rises with ``u`` and
    with ``p``. With ``r = min(p, 1 - p)``, ``q = 1 - r`` and ``s = r / q`` the probabilities of Binomial(n, r)
    are ``f(0) = q**n`` and ``f(k + 1) = f(k) * s * (n - k) / (k + 1)``; the search adds them from 0. For
    ``p > 0.5`` it counts failures instead (``n - K``, with ``K`` the smallest ``k`` whose ``F(k) >= 1 - u``),
    which is the same quantile. When ``n r > 200`` ``q**n`` could underflow, so the search starts at the mode
    ``m = floor((n + 1) r)``, whose probability comes from ``lgamma``, and walks down or up from there.
    Walking up past the mode, the search also stops once a term falls below :data:`TAIL` of the sum: the rest
    of the distribution is then below rounding, and a uniform within rounding of 1 (beyond the computed
    ``F``, which may add up to a little less than 1) would otherwise walk on to ``n``.
    """
    if n <= 0 or not p > 0.0:
        return 0
    if p >= 1.0:
        return n
    flip = p > 0.5
    r = 1.0 - p if flip else p
    if flip and u < _power(r, n):   # the quantile is 0 (F(0) = (1 - p)**n), which 1 - u cannot resolve near 0
        return 0
    w = 1.0 - u if flip else u
    q = 1.0 - r
    s = r / q
    if n * r <= 200.0:
        f = _power(q, n)
        k = 0
        c = f
        mode = (n + 1) * r
        while _beyond(w, c, flip) and k < n and not (k > mode and f < TAIL * c):
            f *= s * (n - k) / (k + 1)
            k += 1
            c += f
    else:
        k = _search_from_mode(w, n, r, flip)
    return n - k if flip else k


# --------------------------------------------------------------------------------------------------------------
# Counter-based uniforms (SplitMix64 at a position after a key)
# --------------------------------------------------------------------------------------------------------------
GOLDEN = np.uint64(0x9E3779B97F4A7C15)   # SplitMix64's increment (2**64 / golden ratio, odd)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
SLOTS = 128         # uniforms reserved per person and week (a power of two: the index is a shift):
QUIT_SLOT = 0       # turnover,
SURFACE_SLOT = 1    # the surfacing of hidden failures,
TASK_SLOT = 2       # then one per task (params: tasks_per_week <= 100, so at most slot 101 is used);
LIFE_SLOT = SLOTS - 1   # the last: the week's change of a person's private load (sim.rules.strain.private_load_step)


@njit(**JIT)
def luck(key, index):
    """The uniform in [0, 1) at position ``index`` (>= 0) after ``key``: SplitMix64's output for the state
    ``key + (index + 1) * GOLDEN`` (mod 2**64), its top 53 bits over 2**53 (Steele, Lea & Flood 2014)."""
    z = key + (np.uint64(index) + np.uint64(1)) * GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return float(z >> _S11) * (1.0 / 9007199254740992.0)


@njit(inline="always", **JIT)
def first_slot(base, person, run, i):
    """Position ``i``'s slot 0 of the week in its run's counter-based stream: ``SLOTS * (base[run] + person)``
    (``base`` from :meth:`Streams.week_base`, ``person`` and ``run`` from :meth:`Streams.person_index`)."""
    return SLOTS * (base[run[i]] + person[i])


@njit(inline="always", **JIT)
def binomial_at(key, index, n, p):
    """:func:`binomial_from_uniform` at the uniform :func:`luck` ``(key, index)``, computed only when the count
    depends on it (not for ``n <= 0``, ``p <= 0`` or ``p >= 1``, whose counts are 0, 0 and ``n``)."""
    if n <= 0 or not p > 0.0:
        return 0
    if p >= 1.0:
        return n
    return binomial_from_uniform(luck(key, index), n, p)


def luck_array(keys, index):
    """:func:`luck` on arrays (numpy; the same numbers): ``keys`` and ``index`` broadcast together."""
    with np.errstate(over="ignore"):
        z = np.asarray(keys, dtype=np.uint64) + (np.asarray(index, dtype=np.uint64) + np.uint64(1)) * GOLDEN
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
        z = z ^ (z >> _S31)
    return (z >> _S11).astype(np.float64) * (1.0 / 9007199254740992.0)


@njit(**JIT)
def _binomial_all(u, n, p, out):
    for i in range(u.size):
        out[i] = binomial_from_uniform(u[i], n[i], p[i])
    return out


def binomials(u, n, p):
    """:func:`binomial_from_uniform` over arrays (``n`` and ``p`` broadcast to ``u``'s length)."""
    u = np.ascontiguousarray(u, dtype=np.float64)
    n, p = np.asarray(n, dtype=np.int64), np.asarray(p, dtype=np.float64)
    n = n if n.shape == u.shape else np.full(u.shape, n)
    p = p if p.shape == u.shape else np.full(u.shape, p)
    return _binomial_all(u, np.ascontiguousarray(n), np.ascontiguousarray(p), np.empty(u.shape, dtype=np.int64))


class _Split:
    """Draws for some positions (sorted indices): each run's share from that run's generator."""

    def __init__(self, gens, counts):
        self._parts = [(g, int(k)) for g, k in zip(gens, counts) if k > 0]

    def _draw(self, name, *args):
        return np.concatenate([getattr(g, name)(*args, size=k) for g, k in self._parts]) if self._parts else \
            np.empty(0)

    def random(self, size=None):
        return self._draw("random")

    def normal(self, loc, scale, size=None):
        return self._draw("normal", loc, scale)

    def beta(self, a, b, size=None):
        return self._draw("beta", a, b)

    def gamma(self, shape, scale, size=None):
        return self._draw("gamma", shape, scale)

    def integers(self, low, high, size=None):
        return self._draw("integers", low, high)


class Streams:
    """The dynamics' random streams: ``gens[b]`` for run ``b``, whose positions are ``pos[b]:pos[b+1]`` and
    teams ``teams[b]:teams[b+1]``, and ``luck_keys[b]``, the key of its counter-based uniforms. Offers the few
    Generator methods the model uses, on full-length arrays (per position or per team) or, through :meth:`at`,
    on a subset of positions; and the week's counter-based uniforms (:meth:`week_uniforms`)."""

    def __init__(self, gens, pos_bounds, team_bounds, luck_keys=()):
        self.gens = list(gens)
        # each run's key of its counter-based uniforms (:func:`luck`; none needed for draws from ``gens`` only)
        self.luck_keys = np.array(luck_keys, dtype=np.uint64)
        self.pos = np.asarray(pos_bounds)
        self.teams = np.asarray(team_bounds)
        self.single = len(self.gens) == 1
        self._positions = np.diff(self.pos).astype(np.int64)   # each run's

    def _bounds(self, length: int):
        if length == self.pos[-1]:
            return self.pos
        if length == self.teams[-1]:
            return self.teams
        raise ValueError(f"cannot split {length} draws over runs of {self.pos[-1]} positions / "
                         f"{self.teams[-1]} teams")

    def binomial(self, n, p):
        """Binomial counts per position (or per team): one uniform each from the run's stream, turned into a
        count by :func:`binomial_from_uniform`."""
        size = np.broadcast(n, p).size
        return binomials(self.random(size), n, p)

    def random(self, size):
        if self.single:
            return self.gens[0].random(size)
        b = self._bounds(size)
        return np.concatenate([g.random(hi - lo) for g, lo, hi in zip(self.gens, b[:-1], b[1:])])

    def week_base(self, week: int):
        """Each run's offset of week ``week``'s uniforms in its counter-based stream: ``positions * (week - 1)``
        (person ``j``'s slot ``k`` is at ``SLOTS * (base + j) + k``)."""
        return self._positions * (int(week) - 1)

    def person_index(self):
        """Each position's number within its run (0 at the run's first position), and its run."""
        got = getattr(self, "_person_index", None)
        if got is None:
            run = self.block_of(np.arange(int(self.pos[-1])))
            got = self._person_index = (np.arange(run.size, dtype=np.int64) - self.pos[run], run.astype(np.int64))
        return got

    def _first_slots(self, week: int):
        """Each position's run key and slot 0 of week ``week`` (:func:`first_slot` on whole arrays)."""
        person, run = self.person_index()
        return self.luck_keys[run], SLOTS * (self.week_base(week)[run] + person)

    def week_uniforms(self, week: int, slot: int, width: int | None = None):
        """Each position's uniform at ``slot`` of week ``week`` (:func:`luck` at ``SLOTS * (base + person) +
        slot`` after its run's key), the ones the weekly loops compute person by person; with ``width``, the
        slots ``slot, ..., slot + width - 1`` side by side (one row per position)."""
        keys, at = self._first_slots(week)
        if width is None:
            return luck_array(keys, at + slot)
        return luck_array(keys[:, None], at[:, None] + slot + np.arange(width))

    def at(self, idx):
        """Draws for the positions ``idx`` (sorted): a generator-like object."""
        if self.single:
            return self.gens[0]
        counts = np.diff(np.searchsorted(idx, self.pos))
        return _Split(self.gens, counts)

    def block_of(self, idx):
        """Run of each position in ``idx``."""
        return np.searchsorted(self.pos, idx, side="right") - 1
