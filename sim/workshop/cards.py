"""The workshop's event cards: the situations of the model's seeds, each a question with two or three answers.

A card may bring one of the model's scenario events (:data:`sim.params.EVENT_KINDS`, what each does:
:mod:`sim.events`) for the round's four weeks, the same for every team in the room; each answer sets some of
the manager's policy knobs (the ``[policy]`` section of :mod:`sim.params`) from then on, until another card
changes them. An answer's value for a knob is the value of a named policy (:data:`sim.policies.PRESETS`): the
answer is what that kind of manager does.

``python -m sim.workshop.cards --markdown [--lang nl]`` prints the table of docs/workshop.md.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from ..params import BY_KEY, EVENT_LABELS
from ..policies import PRESETS

# the knobs an answer may set (the others follow the hours and the autonomy chosen: sim.workshop.decisions)
STANCE_KNOBS = ("blame", "standards", "readiness_matching", "phased_delegation", "reactivity", "relax_rate")


@dataclass(frozen=True)
class Answer:
    key: str
    en: str
    nl: str
    knobs: tuple[tuple[str, str], ...]   # (knob, policy whose value it takes)

    def values(self) -> dict[str, float]:
        return {k: float(PRESETS[p][k]) for k, p in self.knobs}


@dataclass(frozen=True)
class Card:
    key: str
    title_en: str
    title_nl: str
    text_en: str
    text_nl: str
    event: str | None          # a kind of sim.params.EVENT_KINDS, or None: no event in the model
    magnitude: float
    weeks: int                 # how many of the round's weeks the event lasts (from its first)
    answers: tuple[Answer, ...]

    def title(self, lang: str) -> str:
        return self.title_nl if lang == "nl" else self.title_en

    def text(self, lang: str) -> str:
        return self.text_nl if lang == "nl" else self.text_en


def _a(key, en, nl, **knobs) -> Answer:
    return Answer(key, en, nl, tuple(knobs.items()))


# fmt: off
CARDS: tuple[Card, ...] = (
    Card("mistake", "A mistake", "Een fout",
         "An employee made a mistake that a customer noticed. How do you react?",
         "Een medewerker heeft een fout gemaakt die een klant merkte. Hoe reageer je?",
         None, 0.0, 0,
         (_a("blame", "Make clear whose fault it was", "Duidelijk maken wiens schuld het was",
             blame="controlling", standards="controlling"),
          _a("learn", "Talk it through with the team: what do we learn?", "Met het team bespreken: wat leren we?",
             blame="coaching", standards="coaching"),
          _a("quiet", "Let it go and fix it quietly", "Laten gaan en het stil oplossen",
             blame="delegating", standards="delegating"))),
    Card("crunch", EVENT_LABELS["pressure"][0], EVENT_LABELS["pressure"][1],
         "A big client wants much more this month. What do you do when the team falls behind?",
         "Een grote klant wil deze maand veel meer. Wat doe je als het team achterraakt?",
         "pressure", 1.5, 4,
         (_a("control", "Take control: check everything until it is done",
             "De controle pakken: alles nalopen tot het af is", reactivity="reactive", relax_rate="controlling"),
          _a("protect", "Set priorities with the team and keep trusting them",
             "Met het team prioriteiten stellen en blijven vertrouwen", reactivity="coaching",
             relax_rate="coaching"),
          _a("push", "Raise the bar: everyone works harder", "De lat hoger: iedereen harder werken",
             standards="controlling", reactivity="situational"))),
    Card("junior", "A junior joins", "Een junior begint",
         "A junior starts next to your experienced people. How do you lead people who differ this much?",
         "Een junior begint naast je ervaren mensen. Hoe geef je leiding aan zulke verschillende mensen?",
         None, 0.0, 0,
         (_a("same", "The same way for everyone", "Iedereen op dezelfde manier",
             readiness_matching="custom", phased_delegation="custom"),
          _a("match", "Direct the new, delegate to the experienced", "Sturen bij nieuwe, loslaten bij ervaren mensen",
             readiness_matching="situational", phased_delegation="situational"),
          _a("phased", "Do it together first, then step back, then hand over",
             "Eerst samen doen, dan afstand nemen, dan overdragen", readiness_matching="coaching",
             phased_delegation="coaching"))),
    Card("responsibility", "More responsibility", "Meer verantwoordelijkheid",
         "A strong team member asks for more responsibility. Your answer?",
         "Een sterke medewerker vraagt om meer verantwoordelijkheid. Jouw antwoord?",
         None, 0.0, 0,
         (_a("stepwise", "Yes, step by step as trust grows", "Ja, stap voor stap naarmate het vertrouwen groeit",
             phased_delegation="coaching", relax_rate="coaching"),
          _a("not_now", "Not now: things stay as they are", "Nu niet: alles blijft zoals het is",
             phased_delegation="controlling", relax_rate="controlling"),
          _a("let_go", "Yes, and I let go of control altogether", "Ja, en ik laat de controle helemaal los",
             phased_delegation="situational", relax_rate="delegating", standards="delegating"))),
    Card("reorganisation", EVENT_LABELS["reorganisation"][0], EVENT_LABELS["reorganisation"][1],
         "A reorganisation is announced; nobody knows yet what it means. How do you lead this month?",
         "Er is een reorganisatie aangekondigd; niemand weet nog wat het betekent. Hoe geef je leiding?",
         "reorganisation", 1.5, 4,
         (_a("grip", "Keep a tight grip on everything", "Alles strak in de hand houden",
             reactivity="reactive", relax_rate="controlling"),
          _a("open", "Be open about what you know and keep the frame clear",
             "Open zijn over wat je weet en het kader helder houden", reactivity="coaching",
             relax_rate="coaching", standards="coaching"),
          _a("wait", "Keep your head down and wait", "Je hoofd laag houden en afwachten",
             reactivity="delegating", standards="delegating"))),
    Card("resignation", EVENT_LABELS["key_person_leaves"][0], EVENT_LABELS["key_person_leaves"][1],
         "Your most experienced employee resigns and leaves at once. What now?",
         "Je meest ervaren medewerker neemt ontslag en vertrekt meteen. Wat nu?",
         "key_person_leaves", 1.0, 1,
         (_a("control", "Take control until the gap is closed", "De controle pakken tot het gat gedicht is",
             reactivity="reactive"),
          _a("share", "Share the work out and keep coaching", "Het werk verdelen en blijven coachen",
             reactivity="coaching", phased_delegation="coaching"),
          _a("bar", "Raise the bar for the rest", "De lat hoger leggen voor de rest",
             standards="controlling", blame="controlling"))),
)
# fmt: on
BY_CARD: dict[str, Card] = {c.key: c for c in CARDS}


def deck(rounds: int, seed: int) -> list[str]:
    """The cards of a game, one per round: every card once in an order shuffled by ``seed``, then again (a
    card never twice in a row), as many as there are rounds. The same seed gives the same deck."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 24]))
    keys = [c.key for c in CARDS]
    out: list[str] = []
    while len(out) < rounds:
        order = [keys[i] for i in rng.permutation(len(keys))]
        if out and order[0] == out[-1]:
            order.append(order.pop(0))
        out.extend(order)
    return out[:rounds]


def event_of(card: Card, first_week: int) -> dict | None:
    """The scenario event a card brings when its round starts in ``first_week`` (None: no event)."""
    if card.event is None:
        return None
    return {"kind": card.event, "start": first_week, "end": first_week + card.weeks - 1,
            "magnitude": card.magnitude}


def _label(knob: str, lang: str) -> str:
    p = BY_KEY[f"policy.{knob}"]
    return p.label_nl if lang == "nl" else p.label_en


def markdown(lang: str = "en") -> str:
    """The cards as a Markdown table: card, event in the model, each answer and the knobs it sets."""
    nl = lang == "nl"
    head = ("| kaart | gebeurtenis in het model | antwoord | zet de knoppen op (waarde van beleid) |" if nl else
            "| card | event in the model | answer | sets the knobs to (value of policy) |")
    lines = [head, "|---|---|---|---|"]
    for c in CARDS:
        if c.event:
            ev = f"`{c.event}`, {c.weeks} " + ("weken" if nl else "weeks") + f", magnitude {c.magnitude:g}"
            if c.weeks == 1:
                ev = f"`{c.event}`, " + ("eerste week" if nl else "first week") + f", magnitude {c.magnitude:g}"
        else:
            ev = "geen (alleen de knoppen)" if nl else "none (knobs only)"
        for i, a in enumerate(c.answers):
            knobs = ", ".join(f"{_label(k, lang)} (`{k}`) = {PRESETS[p][k]:g} ({p})" for k, p in a.knobs)
            if nl:
                knobs = knobs.replace(".", ",")
            lines.append(f"| {c.title(lang) if i == 0 else ''} | {ev if i == 0 else ''} | "
                         f"{a.nl if nl else a.en} | {knobs} |")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - used for docs/workshop.md (checked by tests/test_workshop.py)
    print(markdown("nl" if "nl" in sys.argv else "en"))
