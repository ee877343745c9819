"""Emotional contagion and crossover along peer ties (Bakker, Westman & van Emmerik 2009; Hatfield et al. 1993).

Peers pass engagement and strain along their ties: each person moves part of the way toward the mean of their
active peers.
"""

from __future__ import annotations

import numpy as np


def peer_mean(W, x, active, default=0.5):
    """Mean of ``x`` over each person's active peers (``W`` a sparse 0/1 adjacency); ``default`` if none."""
    a = active.astype(float)
    num = W @ (x * a)
    den = W @ a
    return np.where(den > 0, num / np.maximum(den, 1e-12), default)


def contagion(x, peers, strength):
    """``x' = x + strength * (peers - x)``: engagement and exhaustion cross over between colleagues."""
    return x + strength * (peers - x)
