"""Small helpers shared by the rules."""

from __future__ import annotations

import numpy as np


_MAX, _MIN = np.maximum, np.minimum


def clip01(x):
    """Clip to [0, 1] (the ufunc pair is several times faster than ``np.clip`` on small arrays)."""
    return _MIN(_MAX(x, 0.0), 1.0)


def approach(x, target, rate, loss_multiplier=1.0):
    """Move ``x`` toward ``target`` at ``rate``; downward moves are ``loss_multiplier`` times faster.

    ``x' = x + r (target - x)`` with ``r = rate`` when rising and ``min(1, rate * loss_multiplier)`` when
    falling. With ``rate`` in [0, 1] the result stays between ``x`` and ``target``.
    """
    r = np.where(target < x, np.minimum(1.0, rate * loss_multiplier), rate)
    return x + r * (target - x)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))
