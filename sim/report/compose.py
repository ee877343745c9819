"""What the report is called and how its scenarios are coloured: a title and subtitle composed from the
scenarios' titles, and one colour per style from :mod:`sim.palette` (a second scenario of the same style, or
one without a named style, gets the next fallback colour)."""

from __future__ import annotations

from ..palette import FALLBACK, STYLE_COLOURS
from .texts import WORDS

ARTICLES = {"en": ("The ", "A ", "An "), "nl": ("De ", "Het ", "Een ")}


def style_of(sp) -> str:
    """The style a scenario is about: its team leads' policy, or for an organisation of several levels its
    director's."""
    return sp.org.director_policy if sp.org.levels > 1 else sp.policy.name


def scenario_colours(params: dict) -> dict[str, str]:
    """``{label: colour}``: each style's own colour the first time it appears, fallbacks after that."""
    out, seen, k = {}, set(), 0
    for lab, sp in params.items():
        style = style_of(sp)
        if style in STYLE_COLOURS and style != "custom" and style not in seen:
            out[lab] = STYLE_COLOURS[style]
            seen.add(style)
        else:
            out[lab] = FALLBACK[k % len(FALLBACK)]
            k += 1
    return out


def _lower_article(s: str, lang: str) -> str:
    return s[0].lower() + s[1:] if s.startswith(ARTICLES[lang]) else s


def join(items: list[str], lang: str) -> str:
    """``a``, ``a en b``, ``a, b en c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {WORDS[lang]['and']} " + items[-1]


def period(weeks: int, lang: str) -> str:
    w = WORDS[lang]
    years = {2: "two", 3: "three", 4: "four", 5: "five"}
    if weeks == 52:
        return w["period_year"]
    if weeks % 52 == 0 and weeks // 52 in years:
        return w["period_years"].format(n=w[years[weeks // 52]])
    return w["period_weeks"].format(n=weeks)


def who(params: dict, lang: str) -> str:
    """``the same team of 12 people`` when every scenario has the same people, else nothing."""
    from .reader import number
    sizes = {(sp.team.teams, sp.team.size) for sp in params.values()}
    if len(sizes) != 1:
        return ""
    teams, size = sizes.pop()
    if teams == 1:
        return WORDS[lang]["same_team"].format(size=size)
    return WORDS[lang]["same_org"].format(people=number(teams * size, lang))


def title_and_subtitle(names: dict, params: dict, lang: str, weeks: int, title: str = "") -> tuple[str, str]:
    """The heading: ``title`` if given; else the prefix every scenario title shares (``The four zones: ...``),
    else the report's own title. The subtitle names the scenarios once each, then who and how long."""
    titles = list(names.values())
    split = [t.split(": ", 1) for t in titles]
    shared = (len(titles) > 1 and all(len(p) == 2 for p in split)
              and len({p[0] for p in split}) == 1)
    items = [p[1] for p in split] if shared else titles
    heading = title or (split[0][0] if shared else WORDS[lang]["title"])
    items = [items[0]] + [_lower_article(i, lang) for i in items[1:]]
    sub = join(items, lang)
    sub = sub[:1].upper() + sub[1:]
    rest = ", ".join(x for x in (who(params, lang), period(weeks, lang)) if x)
    return heading, f"{sub}: {rest}"


def short_names(names: dict) -> dict:
    """Scenario names without the prefix they all share (``The four zones: the learning zone`` -> ``The learning
    zone``), for legends and table heads; the names as they are otherwise."""
    split = {k: t.split(": ", 1) for k, t in names.items()}
    if len(names) > 1 and all(len(p) == 2 for p in split.values()) and len({p[0] for p in split.values()}) == 1:
        return {k: p[1][:1].upper() + p[1][1:] for k, p in split.items()}
    return dict(names)
