"""A participant's decision for one round, checked, and how it sets the model's knobs.

A decision is the manager's week split into four kinds of hours (summing to the scenario's contract hours,
``manager.hours``), an autonomy level (0-4) and the answer to the round's card. Each maps onto the ``[policy]``
knobs of :mod:`sim.params` through the hours the model's own manager week uses for a knob at full strength
(:mod:`sim.rules.work`: ``H_MONITOR``, ``H_APPROVE``, ``H_COACH``, ``H_VISION``):

* monitoring and approvals ``h``: ``monitoring = approval = min(1, h / (n (H_MONITOR + H_APPROVE)))`` for a
  team of ``n`` positions (checking everyone and approving every task of a normal week);
* coaching ``h``: ``coaching = min(1, h / (n H_COACH))``;
* doing the work yourself ``h``: ``takeover = min(1, h / (hours / 2))`` (half the week planned for the team's
  work = take over everything that falls behind);
* vision and frameworks ``h``: ``frameworks = min(1, h / H_VISION)`` (more hours than that keep them no clearer);
* autonomy level ``a``: ``autonomy = AUTONOMY[a]``;
* the card's answer: the knobs it names (:mod:`sim.workshop.cards`), kept until a later card changes them.

The knobs are then validated by the one schema (:func:`sim.params.with_updates`) as a ``custom`` policy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..params import with_updates
from ..policies import PRESETS
from ..rules.work import H_APPROVE, H_COACH, H_MONITOR, H_VISION
from .cards import BY_CARD, STANCE_KNOBS

HOUR_KINDS = ("monitoring", "coaching", "doing", "vision")
AUTONOMY = (0.1, 0.3, 0.5, 0.7, 0.9)
HOUR_STEP = 2   # the phone's buttons move hours in steps of this


class Invalid(ValueError):
    """A message that does not follow the rules; ``code`` names the error for the client's own language."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class Decision:
    hours: tuple[int, int, int, int]   # in the order of HOUR_KINDS
    autonomy: int                      # index into AUTONOMY
    answer: str | None                 # the key of an answer of the round's card, or None (none given)

    def as_dict(self) -> dict:
        return {"hours": dict(zip(HOUR_KINDS, self.hours)), "autonomy": self.autonomy, "answer": self.answer}


def default(total: int) -> Decision:
    """The decision of someone who has not answered yet: the week split evenly, autonomy in the middle."""
    q, r = divmod(total, len(HOUR_KINDS))
    return Decision(tuple(q + (1 if i < r else 0) for i in range(len(HOUR_KINDS))), 2, None)


def _int(value, lo: int, hi: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise Invalid("bad_value", f"{what} must be a whole number in [{lo}, {hi}]")
    return value


def parse(msg, total: int, card_key: str) -> Decision:
    """A decision from a client's JSON message ``{"hours": {...}, "autonomy": a, "answer": key|null}``;
    anything else raises :class:`Invalid` (nothing in it is evaluated)."""
    if not isinstance(msg, dict) or set(msg) - {"hours", "autonomy", "answer", "round"}:
        raise Invalid("bad_message", "expected hours, autonomy, answer, round")
    hours = msg.get("hours")
    if not isinstance(hours, dict) or set(hours) != set(HOUR_KINDS):
        raise Invalid("bad_hours", "hours must name " + ", ".join(HOUR_KINDS))
    h = tuple(_int(hours[k], 0, total, f"hours.{k}") for k in HOUR_KINDS)
    if sum(h) != total:
        raise Invalid("hours_sum", f"the hours must add up to {total}")
    a = _int(msg.get("autonomy"), 0, len(AUTONOMY) - 1, "autonomy")
    answer = msg.get("answer")
    if answer is not None:
        keys = [x.key for x in BY_CARD[card_key].answers]
        if not isinstance(answer, str) or answer not in keys:
            raise Invalid("bad_answer", "answer must be one of " + ", ".join(keys))
    return Decision(h, a, answer)


def hour_knobs(hours, team_size: int, contract: float) -> dict[str, float]:
    """The knobs the hours set (see the module's docstring)."""
    mon, coach, do, vis = (float(x) for x in hours)
    share = min(1.0, mon / (team_size * (H_MONITOR + H_APPROVE)))
    return {"monitoring": share, "approval": share, "coaching": min(1.0, coach / (team_size * H_COACH)),
            "takeover": min(1.0, do / (contract / 2)), "frameworks": min(1.0, vis / H_VISION)}


def planned_hours(knobs: dict, team_size: int, contract: float) -> tuple[float, float, float, float]:
    """The hours a named policy's knobs stand for (the inverse of :func:`hour_knobs`; monitoring from the mean
    of the monitoring and approval knobs): where the reference teams sit among the room's choices."""
    share = (knobs["monitoring"] + knobs["approval"]) / 2
    return (share * team_size * (H_MONITOR + H_APPROVE), knobs["coaching"] * team_size * H_COACH,
            knobs["takeover"] * contract / 2, knobs["frameworks"] * H_VISION)


def stance_after(stance: dict[str, float], card_key: str, answer: str | None) -> dict[str, float]:
    """The answer-set knobs after this round's answer (unchanged when none was given)."""
    if answer is None:
        return dict(stance)
    ans = next(a for a in BY_CARD[card_key].answers if a.key == answer)
    return {**stance, **ans.values()}


def start_stance() -> dict[str, float]:
    """The answer-set knobs before any card: the schema's neutral values (the ``custom`` policy)."""
    return {k: float(PRESETS["custom"][k]) for k in STANCE_KNOBS}


def policy_params(params, decision: Decision, stance: dict[str, float], events: list[dict]):
    """The scenario's parameters for a round: a ``custom`` policy with the knobs of ``decision`` and
    ``stance``, and ``events``, validated by the one schema."""
    contract = float(params.manager.hours)
    knobs = {**hour_knobs(decision.hours, params.team.size, contract), **stance,
             "autonomy": AUTONOMY[decision.autonomy]}
    bad = [k for k, v in knobs.items() if not math.isfinite(v)]
    if bad:   # cannot happen from a parsed decision; a guard for callers
        raise Invalid("bad_value", ", ".join(bad))
    return with_updates(params, policy={"name": "custom", **knobs}, events=events)
