"""The workshop game's state and rules, in plain Python (no HTTP): who plays, the rounds, the teams, the
leaderboard, the room's choices and the debrief's numbers.

Every participant leads their own :class:`~sim.model.OrgModel`, built from the same scenario and seed (the same
people, the same weekly luck); a round is four weeks (``model.step()`` four times) under the knobs of the
participant's decision (:mod:`sim.workshop.decisions`) and the round's card (:mod:`sim.workshop.cards`). Two
reference teams, a micromanager and a coach (the ``controlling`` and ``coaching`` policies), play the same
cards. The same seed and the same decisions give the same year (:func:`replay`).

The clock and the source of secrets are passed in, so the tests drive time and tokens.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from ..model import KnobArrays, OrgModel
from ..params import KNOBS, ConfigError, with_updates
from ..policies import PRESETS, resolve
from ..state import ABSENT, VACANT
from .cards import BY_CARD, deck, event_of
from .decisions import (AUTONOMY, HOUR_KINDS, Decision, Invalid, default, parse, planned_hours,
                        policy_params, stance_after, start_stance)

WEEKS_PER_ROUND = 4
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I: read off a projector
CODE_LENGTH = 6
NICK_MAX = 20
PHASES = ("lobby", "open", "closed", "debrief")
REFERENCES = ("controlling", "coaching")
ROUND_METRICS = ("engagement", "burnout_share", "output", "leavers", "trust_in_manager", "psych_safety",
                 "extra_control", "hours_monitoring", "hours_coaching", "hours_doing", "hours_vision")
VICIOUS_AT = 0.2   # extra control taken under pressure from which the debrief says the vicious cycle started
MAX_TEAM = 100     # a workshop team: one manager and at most this many people


def check_scenario(params, source: str) -> None:
    """A scenario a workshop can play: one team of one manager, at most :data:`MAX_TEAM` people."""
    if params.team.teams != 1 or params.org.levels != 1:
        raise ConfigError(f"{source}: a workshop plays one team: 'team.teams' and 'org.levels' must be 1")
    if params.team.size > MAX_TEAM:
        raise ConfigError(f"{source}: 'team.size' = {params.team.size} is too big for a workshop; allowed: "
                          f"integer in [1, {MAX_TEAM}]")
    if float(params.manager.hours) != round(params.manager.hours):
        raise ConfigError(f"{source}: 'manager.hours' = {params.manager.hours:g} must be whole hours in a "
                          "workshop")


def clean_nickname(raw) -> str:
    """A nickname as given, trimmed; :class:`Invalid` unless it is 1-20 printable characters."""
    if not isinstance(raw, str):
        raise Invalid("bad_nickname", "a nickname is text")
    nick = unicodedata.normalize("NFC", raw).strip()
    if not 1 <= len(nick) <= NICK_MAX or not nick.isprintable():
        raise Invalid("bad_nickname", f"1 to {NICK_MAX} printable characters")
    return nick


def score(engagement: float, burnout: float, output_mean: float, leavers: int, target: float, size: int) -> float:
    """The balanced score, 0-100: the mean of engagement, 1 - burnout share, the year's output so far against
    what is expected (at most 1) and 1 - leavers per position (at least 0)."""
    parts = (engagement, 1.0 - burnout, min(1.0, output_mean / max(target, 1e-9)), max(0.0, 1.0 - leavers / size))
    return 100.0 * sum(parts) / 4.0


# --------------------------------------------------------------------------------------------------------------
# a team: one OrgModel led round by round
# --------------------------------------------------------------------------------------------------------------
class Team:
    """One participant's (or a reference) team: an OrgModel of the scenario and seed, its weekly series, and
    the weeks people went on sick leave or left."""

    def __init__(self, params, seed: int, policy: str = "custom"):
        self.params = with_updates(params, policy={"name": policy, **dict.fromkeys(KNOBS)}, events=[])
        self.model = OrgModel(self.params, seed=seed)
        self.fixed = policy != "custom"   # a reference keeps its named policy's knobs
        self.stance = start_stance()
        self.events: list[dict] = []
        self.weekly: dict[str, list[float]] = {k: [] for k in ROUND_METRICS}
        self.moments: list[tuple[int, str, int]] = []   # (week, "sick"|"left", position)
        self.rows: list[dict] = []                      # per round: the outcome after it

    def _set(self, params) -> None:
        """The model's scenario and its team lead's knobs for the weeks to come (as the model builds them)."""
        m = self.model
        m.params = params
        m.knobs = [resolve(params.policy)]
        m.knob_bundle = KnobArrays(*(np.array([getattr(m.knobs[0], k)], dtype=float) for k in KNOBS))

    def play(self, decision: Decision | None, card_key: str, round_no: int) -> dict:
        """Run the round's four weeks under ``decision`` (None: a reference's own policy) and the card."""
        first = (round_no - 1) * WEEKS_PER_ROUND + 1
        ev = event_of(BY_CARD[card_key], first)
        if ev:
            self.events.append(ev)
        if self.fixed:
            params = with_updates(self.params, events=self.events)
        else:
            self.stance = stance_after(self.stance, card_key, decision.answer)
            params = policy_params(self.params, decision, self.stance, self.events)
        self._set(params)
        s = self.model.state
        for _ in range(WEEKS_PER_ROUND):
            before = s.status.copy()
            self.model.step()
            after = s.status
            week = self.model.week
            self.moments += [(week, "sick", int(i)) for i in np.flatnonzero((before != ABSENT) & (after == ABSENT))]
            self.moments += [(week, "left", int(i)) for i in np.flatnonzero((before != VACANT) & (after == VACANT))]
            for k in ROUND_METRICS:
                self.weekly[k].append(float(self.model.metrics[k]))
        row = self.outcome(round_no)
        self.rows.append(row)
        return row

    def outcome(self, round_no: int) -> dict:
        w = self.weekly
        last = slice(-WEEKS_PER_ROUND, None)
        p = self.params
        out = {"round": round_no, "week": self.model.week,
               "engagement": w["engagement"][-1], "burnout_share": w["burnout_share"][-1],
               "output": float(np.mean(w["output"][last])), "output_year": float(np.mean(w["output"])),
               "leavers": int(w["leavers"][-1]), "trust_in_manager": w["trust_in_manager"][-1],
               "psych_safety": w["psych_safety"][-1], "extra_control": w["extra_control"][-1]}
        for k in HOUR_KINDS:
            out[f"hours_{k}"] = float(np.mean(w[f"hours_{k}"][last]))
        out["score"] = score(out["engagement"], out["burnout_share"], out["output_year"], out["leavers"],
                             p.work.target, p.team.size)
        return out

    def vicious_week(self) -> int | None:
        """The first week the manager had taken :data:`VICIOUS_AT` or more extra control under pressure."""
        hit = [i + 1 for i, v in enumerate(self.weekly["extra_control"]) if v >= VICIOUS_AT]
        return hit[0] if hit else None


# --------------------------------------------------------------------------------------------------------------
# the game
# --------------------------------------------------------------------------------------------------------------
@dataclass
class Player:
    pid: int
    nick: str
    token: str
    team: Team
    lang: str
    joined_round: int
    pending: Decision | None = None
    last: Decision | None = None
    decisions: list[tuple[Decision, bool]] = field(default_factory=list)   # per closed round: (decision, answered)


class Game:
    """One workshop: the join code, the trainer's token, the players and their teams, the rounds.

    Every method that changes the state raises :class:`Invalid` (with a code for the client's language) for a
    request that breaks the rules, and leaves the state as it was. ``version`` grows with every change (the
    pages wait for it)."""

    def __init__(self, params, seed: int, rounds: int = 12, lang: str = "en", max_players: int = 30,
                 timer: float = 90.0, clock=time.monotonic, token=secrets.token_urlsafe, choose=secrets.choice):
        self.params, self.seed, self.rounds, self.lang = params, int(seed), int(rounds), lang
        self.max_players, self.timer, self.clock, self._token = int(max_players), float(timer), clock, token
        self.code = "".join(choose(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        self.trainer_token = token(24)
        self.hours = int(round(params.manager.hours))
        self.deck = deck(self.rounds, self.seed)
        self.phase, self.round, self.deadline, self.version, self.room_version = "lobby", 0, None, 0, 0
        self.players: dict[int, Player] = {}
        self.by_token: dict[str, int] = {}
        self.by_nick: dict[str, int] = {}
        self.lock = threading.RLock()
        self.close_seconds: list[float] = []
        self.refs = {name: Team(params, self.seed, name) for name in REFERENCES}
        for r in range(1, self.rounds + 1):
            for t in self.refs.values():
                t.play(None, self.deck[r - 1], r)

    # --- helpers -------------------------------------------------------------------------------------------
    def _changed(self, room_only: bool = False) -> None:
        """Something changed: ``room_version`` (the projector waits for it) always, ``version`` (the phones wait
        for it) unless only the room's counts changed."""
        self.room_version += 1
        if not room_only:
            self.version += 1

    def card(self, round_no: int | None = None) -> str:
        r = self.round if round_no is None else round_no
        return self.deck[max(r, 1) - 1]

    def player(self, token) -> Player:
        pid = self.by_token.get(token) if isinstance(token, str) else None
        if pid is None:
            raise Invalid("bad_token")
        return self.players[pid]

    def is_trainer(self, token) -> bool:
        return isinstance(token, str) and secrets.compare_digest(token.encode(), self.trainer_token.encode())

    def _trainer(self, token) -> None:
        if not self.is_trainer(token):
            raise Invalid("not_trainer")

    # --- participants ----------------------------------------------------------------------------------------
    def join(self, code, nick, lang: str | None = None) -> Player:
        """Join with the game's code and a nickname; the same nickname again rejoins that team (a new token;
        the old one stops working). A new player after round 1 catches up with the even split."""
        with self.lock:
            if not isinstance(code, str) or not secrets.compare_digest(code.strip().upper().encode(),
                                                                        self.code.encode()):
                raise Invalid("bad_code")
            nick = clean_nickname(nick)
            lang = lang if lang in ("en", "nl") else self.lang
            key = nick.casefold()
            if key in self.by_nick:
                p = self.players[self.by_nick[key]]
                del self.by_token[p.token]
                p.token = self._token(18)
                self.by_token[p.token] = p.pid
                p.lang = lang
                return p
            if self.phase == "debrief":
                raise Invalid("game_over")
            if len(self.players) >= self.max_players:
                raise Invalid("game_full")
            pid = len(self.players) + 1
            p = Player(pid, nick, self._token(18), Team(self.params, self.seed), lang, max(self.round, 1))
            done = self.round - (1 if self.phase == "open" else 0)
            for r in range(1, done + 1):   # rounds closed before they came: the even split, no answer
                p.team.play(default(self.hours), self.deck[r - 1], r)
                p.decisions.append((default(self.hours), False))
            self.players[pid], self.by_token[p.token], self.by_nick[key] = p, pid, pid
            self._changed(room_only=True)
            return p

    def decide(self, token, msg) -> Decision:
        """A participant's decision for the open round (may be changed until the round closes)."""
        with self.lock:
            p = self.player(token)
            if self.phase != "open":
                raise Invalid("round_closed")
            if isinstance(msg, dict) and "round" in msg and msg["round"] != self.round:
                raise Invalid("round_closed")
            d = parse(msg, self.hours, self.card())
            fresh = p.pending is None
            p.pending = d
            if fresh:
                self._changed(room_only=True)
            return d

    def set_lang(self, token, lang) -> None:
        with self.lock:
            p = self.player(token)
            if lang not in ("en", "nl"):
                raise Invalid("bad_value", "lang must be en or nl")
            p.lang = lang

    # --- the trainer -----------------------------------------------------------------------------------------
    def start_round(self, token) -> None:
        with self.lock:
            self._trainer(token)
            if self.phase not in ("lobby", "closed") or self.round >= self.rounds:
                raise Invalid("wrong_phase")
            if not self.players:
                raise Invalid("no_players")
            self.round += 1
            self.phase = "open"
            self.deadline = self.clock() + self.timer if self.timer > 0 else None
            for p in self.players.values():
                p.pending = None
            self._changed()

    def add_time(self, token, seconds: float = 30.0) -> None:
        with self.lock:
            self._trainer(token)
            if self.phase != "open":
                raise Invalid("wrong_phase")
            base = self.deadline if self.deadline is not None else self.clock()
            self.deadline = max(base, self.clock()) + seconds
            self._changed()

    def close_round(self, token) -> None:
        with self.lock:
            self._trainer(token)
            if self.phase != "open":
                raise Invalid("wrong_phase")
            self._close()

    def tick(self) -> bool:
        """Close the open round when its time is up; True if it did."""
        with self.lock:
            if self.phase == "open" and self.deadline is not None and self.clock() >= self.deadline:
                self._close()
                return True
            return False

    def _close(self) -> None:
        t0 = time.perf_counter()
        card = self.card()
        for p in self.players.values():
            answered = p.pending is not None
            prev = p.last or default(self.hours)
            d = p.pending if answered else Decision(prev.hours, prev.autonomy, None)
            p.team.play(d, card, self.round)
            p.decisions.append((d, answered))
            p.last, p.pending = d, None
        self.phase = "debrief" if self.round >= self.rounds else "closed"
        self.deadline = None
        self.close_seconds.append(time.perf_counter() - t0)
        self._changed()

    # --- what the pages show ---------------------------------------------------------------------------------
    def answered(self) -> int:
        return sum(p.pending is not None for p in self.players.values())

    def seconds_left(self) -> float | None:
        if self.phase != "open" or self.deadline is None:
            return None
        return max(0.0, self.deadline - self.clock())

    def leaderboard(self) -> list[dict]:
        """Players by their balanced score after the last closed round (best first; ties by joining order)."""
        rows = []
        for p in self.players.values():
            if p.team.rows:
                r = p.team.rows[-1]
                rows.append({"pid": p.pid, "nick": p.nick, **{k: r[k] for k in
                             ("score", "engagement", "burnout_share", "output", "leavers")}})
        rows.sort(key=lambda r: (-r["score"], r["pid"]))
        for i, r in enumerate(rows):
            r["rank"] = i + 1
        return rows

    def spread(self, round_no: int | None = None) -> dict:
        """The room's choices in a closed round: per kind of hours min, mean and max; autonomy levels and the
        card's answers counted (no answer: ``null``)."""
        r = (self.round if round_no is None else round_no) - 1
        ds = [p.decisions[r] for p in self.players.values() if len(p.decisions) > r]
        hours = {k: [d.hours[i] for d, _ in ds] for i, k in enumerate(HOUR_KINDS)}
        out = {"hours": {k: ({"min": min(v), "mean": float(np.mean(v)), "max": max(v)} if v else None)
                         for k, v in hours.items()},
               "autonomy": [sum(d.autonomy == a for d, _ in ds) for a in range(len(AUTONOMY))],
               "answers": {}}
        for d, answered in ds:
            key = d.answer if answered and d.answer else "none"
            out["answers"][key] = out["answers"].get(key, 0) + 1
        size, contract = self.params.team.size, float(self.params.manager.hours)
        out["references"] = {name: [round(h, 1) for h in planned_hours(PRESETS[name], size, contract)]
                             for name in REFERENCES}
        return out

    def best_and_worst(self) -> dict:
        """The choices of the best and the worst third of the room by final score: mean hours per kind, mean
        autonomy level, and each card's most given answer (ties: the first by key)."""
        board = self.leaderboard()
        k = max(1, len(board) // 3)
        groups = {"best": board[:k], "worst": board[-k:]} if board else {}
        out = {}
        for name, rows in groups.items():
            ds = [d for r in rows for d, _ in self.players[r["pid"]].decisions]
            given: dict[str, dict[str, int]] = {}
            for r in rows:
                for rnd, (d, answered) in enumerate(self.players[r["pid"]].decisions):
                    if answered and d.answer:
                        counts = given.setdefault(self.deck[rnd], {})
                        counts[d.answer] = counts.get(d.answer, 0) + 1
            out[name] = {"n": len(rows), "score": float(np.mean([r["score"] for r in rows])),
                         "hours": {kd: float(np.mean([d.hours[i] for d in ds])) for i, kd in enumerate(HOUR_KINDS)},
                         "autonomy": float(np.mean([d.autonomy for d in ds])),
                         "answers": {c: max(sorted(n), key=n.get) for c, n in given.items()}}
        return out

    def player_view(self, p: Player) -> dict:
        """What a participant's phone needs now (no other participant's nickname, no token but their own)."""
        view = {"phase": self.phase, "round": self.round, "rounds": self.rounds, "card": self.card(),
                "nick": p.nick, "lang": p.lang, "hours_total": self.hours, "version": self.version,
                "seconds_left": self.seconds_left(), "answered": p.pending is not None,
                "decision": (p.pending or p.last or default(self.hours)).as_dict(), "players": len(self.players)}
        if p.team.rows:
            view["result"] = p.team.rows[-1]
            view["previous"] = p.team.rows[-2] if len(p.team.rows) > 1 else None
            view["rank"] = next(r["rank"] for r in self.leaderboard() if r["pid"] == p.pid)
        if self.phase == "debrief":
            view["year"] = self.year(p.team)
        return view

    def year(self, team: Team) -> dict:
        """A team's year for the debrief: weekly curves, and the moments that mattered."""
        w = team.weekly
        return {"engagement": [round(x, 4) for x in w["engagement"]],
                "burnout_share": [round(x, 4) for x in w["burnout_share"]],
                "output": [round(x, 4) for x in w["output"]],
                "vicious_week": team.vicious_week(),
                "moments": [{"week": wk, "what": what, "position": pos + 1} for wk, what, pos in team.moments]}

    def room_view(self) -> dict:
        """What the projector shows (the trainer's page)."""
        view = {"phase": self.phase, "round": self.round, "rounds": self.rounds, "card": self.card(),
                "code": self.code, "version": self.room_version, "seconds_left": self.seconds_left(),
                "players": [p.nick for p in self.players.values()], "answered": self.answered(),
                "hours_total": self.hours, "lang": self.lang}
        if self.phase in ("closed", "debrief"):
            view["leaderboard"] = self.leaderboard()
            view["spread"] = self.spread()
            view["references"] = {n: t.rows[self.round - 1] for n, t in self.refs.items()}
        if self.phase == "debrief":
            view["paths"] = [{"pid": p.pid, "engagement": [round(x, 4) for x in p.team.weekly["engagement"]],
                              "burnout_share": [round(x, 4) for x in p.team.weekly["burnout_share"]]}
                             for p in self.players.values()]
            view["reference_paths"] = {n: {"engagement": t.weekly["engagement"], "burnout_share":
                                           t.weekly["burnout_share"]} for n, t in self.refs.items()}
            view["best_and_worst"] = self.best_and_worst()
        return view


def replay(params, seed: int, rounds: int, decisions: list[Decision]) -> list[dict]:
    """A team's outcomes per round from its recorded decisions (``decisions[r]`` for round ``r + 1``)."""
    cards = deck(rounds, seed)
    team = Team(params, seed)
    return [team.play(d, cards[r], r + 1) for r, d in enumerate(decisions)]


def finite(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)
