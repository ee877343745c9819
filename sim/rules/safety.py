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


def outcome_bounds(attempt, success, intelligent, complexity, report):
    """Steps 3b-4b for each task of the week: where its uniform falls decides how it ends (Edmondson 2023).

    A task is attempted with chance ``attempt`` (the work done, clipped to [0, 1]) and then succeeds with
    chance ``success``; a failure is intelligent with chance ``intelligent`` (:func:`intelligent_share`), else
    complex with chance ``complexity`` or basic; a basic or complex failure is reported with chance ``report``
    (:func:`report_share`), independently of its type, else hidden (intelligent failures, considered
    experiments, are always discussed). The seven outcomes are adjacent intervals of [0, 1), so that one
    uniform ``u`` per task decides it::

        [0, b1) success              b1 = d * success                   (d = attempt)
        [b1, b2) intelligent         b2 = b1 + (d - b1) * intelligent
        [b2, b3) complex, reported   b4 = b2 + (d - b2) * complexity,   b3 = b2 + (b4 - b2) * report
        [b3, b4) complex, hidden
        [b4, b5) basic, reported     b5 = b4 + (d - b4) * report
        [b5, d)  basic, hidden
        [d, 1)   not attempted

    Each bound is capped by the next (rounding could otherwise cross them). Returns ``(d, b1, b2, b3, b4, b5)``.
    Over the week's ``T`` tasks the counts are exactly those of the chain of binomials: attempted ~ Binomial(T,
    d), successes ~ Binomial(attempted, success), intelligent ~ Binomial(failures, intelligent), complex ~
    Binomial(failures - intelligent, complexity), reported ~ Binomial(failures - intelligent, report)."""
    d = np.minimum(np.maximum(attempt, 0.0), 1.0)
    b1 = d * success
    b2 = np.minimum(b1 + (d - b1) * intelligent, d)
    b4 = np.minimum(b2 + (d - b2) * complexity, d)
    b3 = np.minimum(b2 + (b4 - b2) * report, b4)
    b5 = np.minimum(b4 + (d - b4) * report, d)
    return d, b1, b2, b3, b4, b5


def task_outcomes(below_d, below_b1, below_b2, below_b3, below_b4, below_b5):
    """The week's counts from how many of a person's task uniforms fell below each bound of
    :func:`outcome_bounds` (``below_d``, ``below_b1``, ...): ``(attempted, successes, intelligent, complex, basic,
    reported, hidden)``, each the number of tasks whose uniform fell in its intervals of
    :func:`outcome_bounds`. ``reported`` counts the intelligent failures (always discussed) and the reported
    complex and basic ones; failures = attempted - successes = intelligent + complex + basic = reported +
    hidden."""
    intelligent = below_b2 - below_b1
    reported = intelligent + (below_b3 - below_b2) + (below_b5 - below_b4)
    hidden = (below_b4 - below_b3) + (below_d - below_b5)
    return below_d, below_b1, intelligent, below_b4 - below_b2, below_d - below_b4, reported, hidden


def success_rate(successes, attempted, p_success):
    """Share of this week's tasks that succeeded; the chance of success when none was attempted."""
    return np.where(attempted > 0, successes / np.maximum(attempted, 1), p_success)


def delivered(successes, hidden, intelligent, tasks):
    """Work delivered this week, in normal-week units: ``(successes + hidden + 0.5 intelligent) / tasks``. A
    hidden failure looks done this week (and is repaired when it surfaces: :func:`repairs`); an intelligent
    failure, a small experiment, still yields half a task."""
    return (successes + hidden + 0.5 * intelligent) / tasks


def repairs(surfaced, hidden_cost, tasks):
    """Step 4c: a hidden failure that surfaces is undone and repaired at extra cost: ``(1 + hidden_cost) *
    surfaced / tasks`` (also when the person who hid it is absent or gone: the team pays). Each hidden failure
    surfaces with weekly chance ``surfacing_rate`` (a binomial draw per person)."""
    return (1 + hidden_cost) * surfaced / tasks


def blame_event(blame, failures_seen):
    """How strongly the manager's reaction to this week's failures reads as blame: ``blame * min(1,
    failures_seen / 4)``."""
    return blame * np.minimum(1.0, failures_seen / 4.0)


def personal_safety(safety, blame, coaching_received, benevolence, failures_seen, rate, loss_multiplier):
    """Step 4d: safety one employee feels after this week's reaction to failure (Edmondson 1999):

    ``target = 0.15 + 0.45 (1 - blame) + 0.2 coaching_received + 0.2 benevolence
    - 0.3 blame * min(1, failures_seen / 4)``; safety approaches the target, losses ``loss_multiplier`` times
    faster."""
    target = clip01(0.15 + 0.45 * (1 - blame) + 0.2 * coaching_received + 0.2 * benevolence
                    - 0.3 * blame_event(blame, failures_seen))
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
