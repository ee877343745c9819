"""Random streams for one run or a batch of runs.

A batch runs several seeds of the same scenario side by side in one :class:`~sim.model.OrgModel` (numpy works
on longer arrays, so small teams run several times faster per run). Every run keeps its own random stream:
each draw is split by run and taken from that run's generator, in the same order and sizes as a single run
would take it, so a run gives the same numbers batched or alone. With one run, the generator is used as it is.
"""

from __future__ import annotations

import numpy as np


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
        if self.single:
            return self.gens[0].binomial(n, p)
        n, p = np.broadcast_arrays(n, p)
        b = self._bounds(len(n))
        return np.concatenate([g.binomial(n[lo:hi], p[lo:hi]) for g, lo, hi in zip(self.gens, b[:-1], b[1:])])

    def random(self, size):
        if self.single:
            return self.gens[0].random(size)
        b = self._bounds(size)
        return np.concatenate([g.random(hi - lo) for g, lo, hi in zip(self.gens, b[:-1], b[1:])])

    def at(self, idx):
        """Draws for the positions ``idx`` (sorted): a generator-like object."""
        if self.single:
            return self.gens[0]
        counts = np.diff(np.searchsorted(idx, self.pos))
        return _Split(self.gens, counts)

    def block_of(self, idx):
        """Run of each position in ``idx``."""
        return np.searchsorted(self.pos, idx, side="right") - 1
