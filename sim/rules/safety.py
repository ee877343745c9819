"""Psychological safety and failure (Edmondson 1999; Edmondson 2023, *Right Kind of Wrong*).

Failures are basic (known territory, preventable), complex (several causes combining) or intelligent (new
territory, a considered experiment, kept small). Whether a failure is reported or hidden depends on
psychological safety; hidden failures surface later and cost more. The manager's reaction (blame or learn)
moves safety. Safety x standards gives Edmondson's four zones.
"""

from __future__ import annotations

import numpy as np

from .common import approach, clip01

ZONES = ("learning", "comfort", "anxiety", "apathy")


def intelligent_share(novelty, autonomy, safety):
    """Chance that a failure is intelligent: ``clip(novelty * autonomy * (0.4 + 0.6 * safety), 0, 1)``."""
    return clip01(novelty * autonomy * (0.4 + 0.6 * safety))


def report_share(safety):
    """Chance that a basic or complex failure is reported rather than hidden: ``0.2 + 0.8 * safety``."""
    return clip01(0.2 + 0.8 * safety)


def classify_failures(rng, failures, novelty, complexity, autonomy, safety):
    """Step 4a: split each employee's failed tasks into intelligent, complex and basic (Edmondson 2023).

    An intelligent failure needs new territory and the freedom to experiment:
    ``q_intelligent = novelty * autonomy * (0.4 + 0.6 * safety)``; of the rest a share ``complexity`` is
    complex; the remainder is basic. Counts are drawn binomially (integers, summing to ``failures``).
    """
    intelligent = rng.binomial(failures, intelligent_share(novelty, autonomy, safety))
    rest = failures - intelligent
    complex_ = rng.binomial(rest, complexity)
    basic = rest - complex_
    return basic, complex_, intelligent


def report_failures(rng, failures, safety):
    """Step 4b: reported failures ~ Binomial(failures, 0.2 + 0.8 * safety); the rest is hidden.

    The model applies this to basic and complex failures; intelligent failures (considered experiments) are
    always discussed."""
    reported = rng.binomial(failures, report_share(safety))
    return reported, failures - reported


def surface_hidden(rng, backlog, surfacing_rate):
    """Step 4c: hidden failures surface later, each with weekly chance ``surfacing_rate``."""
    surfaced = rng.binomial(backlog, surfacing_rate)
    return surfaced, backlog - surfaced


def update_safety(safety, active, team, n_teams, blame, coaching_received, benevolence, failures_seen, rate,
                  loss_multiplier):
    """Step 4d: psychological safety moves with the manager's reaction to failure (Edmondson 1999), then is
    shared within the team: :func:`personal_safety` per employee, then :func:`shared_safety` with the team mean
    taken over the ``active`` members. Only active members update."""
    s = personal_safety(safety, blame, coaching_received, benevolence, failures_seen, rate, loss_multiplier)
    a = np.asarray(active, dtype=float)
    sums = np.bincount(team, weights=s * a, minlength=n_teams)
    counts = np.bincount(team, weights=a, minlength=n_teams)
    mean = np.where(counts > 0, sums / np.maximum(counts, 1e-12), 0.0)[team]
    return np.where(active, shared_safety(s, np.where(counts[team] > 0, mean, s)), safety)


def personal_safety(safety, blame, coaching_received, benevolence, failures_seen, rate, loss_multiplier):
    """Safety one employee feels after this week's reaction to failure:

    ``target = 0.15 + 0.45 (1 - blame) + 0.2 coaching_received + 0.2 benevolence
    - 0.3 blame * min(1, failures_seen / 4)``; safety approaches the target, losses ``loss_multiplier`` times
    faster."""
    target = clip01(0.15 + 0.45 * (1 - blame) + 0.2 * coaching_received + 0.2 * benevolence
                    - 0.3 * blame * np.minimum(1.0, failures_seen / 4.0))
    return approach(safety, target, rate, loss_multiplier)


def shared_safety(own, team_mean):
    """Safety is a shared belief (Edmondson 1999): ``clip(0.7 own + 0.3 team_mean, 0, 1)``."""
    return clip01(0.7 * own + 0.3 * team_mean)


def zone(safety, standards):
    """Edmondson's four zones from psychological safety x standards (both split at 0.5).

    Returns an index into ``ZONES``: 0 learning (high, high), 1 comfort (high safety, low standards),
    2 anxiety (low safety, high standards), 3 apathy (low, low).
    """
    hi_s = np.asarray(safety) >= 0.5
    hi_t = np.asarray(standards) >= 0.5
    return np.where(hi_s, np.where(hi_t, 0, 1), np.where(hi_t, 2, 3))
