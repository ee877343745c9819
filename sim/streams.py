"""Random streams for one run or a batch of runs.

A batch runs several seeds of the same scenario side by side in one :class:`~sim.model.OrgModel` (numpy works
on longer arrays, so small teams run several times faster per run). Every run keeps its own random stream:
each draw is split by run and taken from that run's generator, in the same order and sizes as a single run
would take it, so a run gives the same numbers batched or alone. With one run, the generator is used as it is.
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
    return n - k if flip else k


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
    teams ``teams[b]:teams[b+1]``. Offers the few Generator methods the model uses, on full-length arrays
    (per position or per team) or, through :meth:`at`, on a subset of positions."""

    def __init__(self, gens, pos_bounds, team_bounds):
        self.gens = list(gens)
        self.pos = np.asarray(pos_bounds)
        self.teams = np.asarray(team_bounds)
        self.single = len(self.gens) == 1

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

    def uniforms(self, k: int):
        """A (k, positions) block of uniforms: row j is what the j-th of k successive :meth:`random` calls over
        all positions would give (each run draws its own k blocks from its own stream)."""
        if self.single:
            return self.gens[0].random((k, int(self.pos[-1])))
        return np.concatenate([g.random((k, hi - lo)) for g, lo, hi in zip(self.gens, self.pos[:-1], self.pos[1:])],
                              axis=1)

    def at(self, idx):
        """Draws for the positions ``idx`` (sorted): a generator-like object."""
        if self.single:
            return self.gens[0]
        counts = np.diff(np.searchsorted(idx, self.pos))
        return _Split(self.gens, counts)

    def block_of(self, idx):
        """Run of each position in ``idx``."""
        return np.searchsorted(self.pos, idx, side="right") - 1
