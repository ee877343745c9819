"""Emotional contagion and crossover along peer ties (Bakker, Westman & van Emmerik 2009; Hatfield et al. 1993).

Peers pass engagement and strain along their ties: each person moves part of the way toward the mean of their
active peers.
"""

from __future__ import annotations

import numpy as np


def peer_mean(total, count, default):
    """Mean over a person's active peers, from the sum of their values (``total``) and their number (``count``);
    ``default`` with no active peer (0.5 for engagement, 0 for exhaustion)."""
    return np.where(count > 0, total / np.maximum(count, 1e-12), default)


def crossover_strength(contagion, connected):
    """How far engagement and exhaustion move toward the peers' a week: ``(c, 0.5 c)`` with ``c = contagion``
    for an active person with active peers (``connected``), else 0. Strain crosses over half as fast as
    engagement."""
    c = np.where(connected, contagion, 0.0)
    return c, 0.5 * c


def contagion(x, peers, strength):
    """``x' = x + strength * (peers - x)``: engagement and exhaustion cross over between colleagues."""
    return x + strength * (peers - x)
