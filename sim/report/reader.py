"""Numbers as a team leader reads them: Dutch decimal comma, scores 0-100 with a word, people as whole people
("2 van de 12"), output as a share of the target. The data files keep the model's own numbers."""

from __future__ import annotations

import math

SCORES = ("engagement", "trust_in_manager", "psych_safety", "competence", "manager_control")   # 0-1 -> 0-100
PEOPLE = ("engaged_share", "burnout_complaints_share", "burnout_share", "disengaged_share",
          "absent_share")   # shares of the people
LOW, HIGH = 35, 65   # a score below LOW reads "low", from HIGH on "high"
WORDS = {"en": {"low": "low", "mid": "middling", "high": "high", "of": "{n} of {people}",
                "less_than_one": "under 1 of {people}", "target": "{p}% of target"},
         "nl": {"low": "laag", "mid": "gemiddeld", "high": "hoog", "of": "{n} van de {people}",
                "less_than_one": "minder dan 1 van de {people}", "target": "{p}% van de norm"}}


def number(x: float, lang: str, digits: int = 0) -> str:
    """``x`` rounded to ``digits`` decimals with the reader's separators: 1.234,5 (nl) or 1,234.5 (en)."""
    s = f"{x:,.{digits}f}"
    return s.translate(str.maketrans(",.", ".,")) if lang == "nl" else s


def score(v: float) -> int:
    """A 0-1 measure as a score from 0 to 100."""
    return int(round(100 * v))


def level(v: float, lang: str) -> str:
    """The word for a 0-1 measure's score: low, middling or high."""
    s = score(v)
    w = WORDS[lang]
    return w["low"] if s < LOW else w["high"] if s >= HIGH else w["mid"]


def people_text(n: float, people: int, lang: str) -> str:
    """A number of people out of ``people``, as whole people."""
    w = WORDS[lang]
    if 0 < n < 0.5:
        return w["less_than_one"].format(people=number(people, lang))
    return w["of"].format(n=number(round(n), lang), people=number(people, lang))


def value(metric: str, v: float, lang: str, people: int, target: float) -> str:
    """A headline measure as the report's body shows it."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if metric in SCORES:
        return f"{score(v)} ({level(v, lang)})"
    if metric in PEOPLE:
        return people_text(v * people, people, lang)
    if metric == "leavers":
        return people_text(v, people, lang)
    if metric == "output":
        return WORDS[lang]["target"].format(p=number(100 * v / target, lang))
    return number(v, lang, 2)
