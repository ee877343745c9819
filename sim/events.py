"""The kinds of scenario event (the seeds' situations), each defined once: what it does, here, and its labels
(:data:`sim.params.EVENT_LABELS`, from which the schema's choices, the dashboard's buttons and the report's
texts derive).

A crunch multiplies the week's work and what is expected; a reorganisation shocks trust and safety at its start
and adds some pressure while it lasts (change erodes trust in management and raises strain: Oreg, Vakola &
Armenakis 2011); a key person leaving takes the most competent people away at once.
"""

from __future__ import annotations

from .rules.common import clip01


def crunch_pressure(magnitude):
    """Pressure while a crunch lasts: the week's work and what is expected times ``magnitude``."""
    return magnitude


def reorganisation_pressure(magnitude):
    """Pressure while a reorganisation lasts: ``1 + 0.2 magnitude``."""
    return 1 + 0.2 * magnitude


def reorganisation_shock(magnitude):
    """At a reorganisation's start, the share lost of trust in the manager (and its integrity and benevolence),
    safety and the manager's trust in people, and the strain added to the manager: ``min(1, 0.25 magnitude)``
    (``magnitude`` summed over the reorganisations starting that week)."""
    return min(1.0, 0.25 * magnitude)


def key_leavers(magnitude):
    """People who leave at once when key people leave: ``magnitude`` rounded, at least 1."""
    return max(1, int(round(magnitude)))


# each kind: the pressure it puts on the weeks it lasts (None: none)
PRESSURE = {"pressure": crunch_pressure, "reorganisation": reorganisation_pressure, "key_person_leaves": None}
SHOCKED = ("trust_in_manager", "integrity_p", "benevolence_p", "safety", "manager_trust")


def now(events, week: int) -> tuple[float, float, int]:
    """The scenario's events in ``week``: (pressure multiplier, size of the reorganisations starting now, people
    leaving now as key people)."""
    pressure, shock, key = 1.0, 0.0, 0
    for ev in events:
        if ev.start <= week <= ev.end and PRESSURE[ev.kind] is not None:
            pressure *= PRESSURE[ev.kind](ev.magnitude)
        if ev.start == week:
            if ev.kind == "reorganisation":
                shock += ev.magnitude
            elif ev.kind == "key_person_leaves":
                key += key_leavers(ev.magnitude)
    return pressure, shock, key


def reorganisation(model, magnitude: float) -> None:
    """A reorganisation starts: trust, safety and the manager's trust drop; the managers' strain rises."""
    s, m = model.state, reorganisation_shock(magnitude)
    for name in SHOCKED:
        setattr(s, name, getattr(s, name) * (1 - m))
    model.mstate.strain = clip01(model.mstate.strain + m)
