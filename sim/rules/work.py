"""Work: what arrives, the manager's week, and the work done.

Theories: Karasek (1979) decision latitude; the manager as bottleneck and "quicker if I do it myself" (the
vicious cycle, seed 002; Homer 1985); Hersey & Blanchard's point that guidance helps the unready.
"""

from __future__ import annotations

import numpy as np

from .common import clip01, sigmoid

# Hours a manager spends per employee per week at knob value 1 (documented in docs/ODD.md, "Submodels").
H_MONITOR = 1.0      # full monitoring / check-ins
H_APPROVE = 0.9      # approving every task of a normal week
H_COACH = 1.5        # full coaching
H_DO = 12.0          # doing one employee-week of work oneself
H_VISION = 5.0       # vision / strategy / frameworks upkeep needed for full clarity


def arriving_work(workload: float, pressure: float):
    """Step 1: work arriving per employee this week, in normal-week units: ``demand = workload * pressure``."""
    return workload * pressure


# what :func:`manager_week` returns, in its order
MANAGER_WEEK = ("hours_monitoring", "hours_doing", "hours_coaching", "hours_vision", "hours_total",
                "approval_served", "coaching_served", "vision_served", "doing_served", "overload")


def served(given, wanted):
    """Share of what was wanted that was given: ``min(given / wanted, 1)``, 1 when nothing was wanted."""
    return np.where(wanted > 0, np.minimum(given / np.maximum(wanted, 1e-12), 1.0), 1.0)


def manager_week(hours, overtime_max, monitoring_sum, approval_sum, coaching_sum, takeover_units, frameworks):
    """Step 3a: split each manager's week into monitoring (incl. approvals), doing, coaching and vision.

    Per manager (arrays over managers). Wanted hours:

        mon  = H_MONITOR * sum(monitoring_i),  appr = H_APPROVE * sum(approval_i * demand)
        do   = H_DO * takeover_units,          coach = H_COACH * sum(coaching_i)
        vis  = H_VISION * frameworks
    Available = hours * (1 + overtime), overtime = overtime_max * clip((wanted - hours) / hours, 0, 1).
    Priority: the urgent work (doing, monitoring, approvals) first, shared pro rata when it does not fit; then
    coaching; then vision (a manager under pressure firefights first and has no time left to coach). The
    share of approvals served is the bottleneck factor: unserved approvals make work wait. Vision takes what
    is left of the contract hours (at least its wanted share when hours allow).

    Returns, in the order of :data:`MANAGER_WEEK`: hours_monitoring, hours_doing, hours_coaching,
    hours_vision, hours_total, approval_served, coaching_served, vision_served, doing_served (each 0..1),
    overload (wanted / hours).
    """
    mon, appr = H_MONITOR * monitoring_sum, H_APPROVE * approval_sum
    do, coach, vis = H_DO * takeover_units, H_COACH * coaching_sum, H_VISION * frameworks
    wanted = mon + appr + do + coach + vis
    overload = wanted / hours
    avail = hours * (1 + overtime_max * np.clip(overload - 1, 0, 1))
    urgent = do + mon + appr
    f = np.where(urgent > avail, avail / np.maximum(urgent, 1e-12), 1.0)
    do_g, mon_g, appr_g = do * f, mon * f, appr * f
    left = np.maximum(avail - do_g - mon_g - appr_g, 0.0)
    coach_g = np.minimum(coach, left)
    left = np.maximum(left - coach_g, 0.0)
    vis_g = np.clip(np.maximum(vis, hours - (avail - left)), 0.0, left)
    return (mon_g + appr_g, do_g, coach_g, vis_g, do_g + mon_g + appr_g + coach_g + vis_g,
            served(appr_g, appr), served(coach_g, coach), served(vis_g, vis), served(do_g, do), overload)


def shortfall(expected, output):
    """How far one person's output of last week fell short of what is expected: ``max(0, expected - output)``."""
    return np.maximum(0.0, expected - output)


def takeover_units(takeover, expected, team_output, active):
    """Step 3a, "quicker if I do it myself": the work a manager means to take over this week, in employee-weeks:
    ``takeover * max(0, expected - team_output) * active`` (last week's shortfall of the team's output per
    position, for each of the ``active`` members)."""
    return takeover * (np.maximum(0.0, expected - team_output) * active)


def taken_over(team_taken, shortfall_, team_shortfall):
    """The part of the work the manager took over that was one person's: shared by shortfall,
    ``team_taken * shortfall / team_shortfall``."""
    return team_taken * (shortfall_ / np.maximum(team_shortfall, 1e-12))


def time_lost(wait, coaching_received):
    """Share of the week not available for work: waiting for approvals plus coaching sessions,
    ``wait + 0.1 * coaching_received``."""
    return wait + 0.1 * coaching_received


def manager_done(taken, manager_competence):
    """Work the manager delivers of what they took over: ``taken * (0.5 + 0.5 * manager_competence)`` (a
    manager doing the team's work is rarely as good at it, and is interrupted)."""
    return taken * (0.5 + 0.5 * manager_competence)


def guidance(autonomy, frameworks, coaching_received):
    """Guidance an employee gets: instructions (the inverse of autonomy), clear frameworks and coaching.

    ``guidance = clip(0.7 * (1 - autonomy) + 0.25 * frameworks + 0.3 * coaching_received, 0, 1)``
    """
    return clip01(0.7 * (1 - autonomy) + 0.25 * frameworks + 0.3 * coaching_received)


def skill(competence, guide):
    """Effective skill on this week's tasks: guidance closes part of the gap to full competence.

    ``skill = competence + 0.35 * guidance * (1 - competence)``
    """
    return competence + 0.35 * guide * (1 - competence)


def success_probability(competence, difficulty, autonomy, initiative, guide, exhaustion):
    """Step 3b: chance a task succeeds: competence against difficulty, helped by guidance for the unready,
    helped by autonomy for the competent and hurt by autonomy for the unready (adaptation and initiative).

        skill = competence + 0.35 * guidance * (1 - competence)
        z     = 6 (skill - difficulty) + 3 * autonomy * (0.5 + initiative) * (competence - 0.5) - 2 exhaustion
        p     = sigmoid(z + 1)
    """
    z = 6.0 * (skill(competence, guide) - difficulty) + 3.0 * autonomy * (0.5 + initiative) * (competence - 0.5) - 2.0 * exhaustion
    return sigmoid(z + 1.0)


def effort(motivation, engagement, exhaustion, initiative, monitoring=0.25):
    """Step 3c: capacity in normal-week units, from motivation and engagement, reduced by exhaustion, raised
    by being watched for those who lack autonomous motivation.

    ``effort = (0.81 + 0.2 motivation + 0.15 engagement) * (1 - 0.4 exhaustion) * (0.95 + 0.1 initiative)
    * (1 + (monitoring - 0.25) (1 - motivation))``
    (about 0.92 for a typical person: motivation 0.6, engagement 0.55, exhaustion 0.2, initiative 0.5, light
    monitoring 0.25). The last factor is social facilitation and accountability: people work harder when
    watched (Zajonc 1965; Aiello & Kolb 1995 for electronic monitoring), the more so the less their effort comes
    from autonomous motivation (SDT: external regulation, Gagne & Deci 2005). It is what keeps close monitoring
    from lowering performance on balance (meta-analytic r about -.01: Siegel et al. 2022).

    Since version 0.3 the slopes of motivation and engagement are 0.2 and 0.15 (0.3 and 0.2 before; the
    intercept 0.81, was 0.72, keeps the typical person's capacity): with the old slopes the leadership a person
    experienced went with their output at r = .58 across employees, far above the positive but moderate
    relation of leadership with follower performance (Wang et al. 2011; issue 21, docs/calibration.md).
    """
    return ((0.81 + 0.2 * motivation + 0.15 * engagement) * (1 - 0.4 * exhaustion) * (0.95 + 0.1 * initiative)
            * (1 + (monitoring - 0.25) * (1 - motivation)))


def approval_wait(approval, approval_served):
    """Share of the week lost waiting for approvals: a small fixed delay plus the unserved backlog.

    ``wait = approval * (0.05 + 0.6 * (1 - approval_served))``
    """
    return approval * (0.05 + 0.6 * (1 - approval_served))


def work_done(demand, capacity, wait, taken_over):
    """Work the employee does this week: ``min(demand - taken_over, capacity * (1 - wait))``, at least 0.

    ``wait`` is the share of the week lost (:func:`time_lost`: approvals and coaching sessions)."""
    return np.maximum(np.minimum(demand - taken_over, capacity * (1 - wait)), 0.0)
