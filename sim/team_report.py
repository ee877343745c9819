"""``orgsim team``: your own team, from an anonymous survey, a year ahead under each of five styles.

The survey (sim.survey) gives the starting people; everything else is a scenario's (the shipped defaults, or
a scenario file whose ``[team] survey`` names the CSV, read relative to that file). The same people, the same
seeds, five leadership styles; the handout (``team.<lang>.html``) is written by sim.report.build like the
workshop report, in the reader's convention, with how it was made and the survey mapping in its appendix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import survey as sv
from .errors import ConfigError
from .params import KNOBS, POLICY_LABELS, load_scenario, with_updates
from .palette import STYLE_COLOURS
from .report import reader
from .report.build import e, write_handout
from .runner import compare_params

STYLES = ("controlling", "delegating", "coaching", "situational", "reactive")
WORDS = {
    "en": {"title": "Your team under five styles", "sub": "{n} people from your survey, {period} ahead",
           "now": "Your team today", "now_note": "What the survey says, on the scales of this handout (the "
           "average over the team, and the spread from the lowest to the highest person).",
           "engagement": "Engagement (UWES-9)", "exhaustion": "Exhaustion (BAT)", "trust": "Trust in the manager",
           "competence": "Competence", "tenure": "Years in the team", "not_asked": "not in the survey: drawn",
           "styles": "The five styles", "mapping": "How the survey becomes the model's starting people",
           "mapping_text": "UWES-9 (0-6): engagement = score / 6; BAT-12 (1-5): exhaustion = (items 1-3 - 1) / 4 "
           "and mental distance as cynicism = (items 4-6 - 1) / 4 (a total gives both); trust in the manager "
           "(1-5): trust = (answer - 1) / 4; self-rated competence (1-5): (answer - 1) / 4, or from years of "
           "experience; tenure in years. What the survey does not ask is drawn as in every scenario (exhaustion and cynicism: the level each person's situation tends to). See "
           "docs/survey.md.", "source": "Survey: {file}; scenario: {scenario}.",
           "how": "Your team was played out {k} times under each style: the same people, with what the survey "
           "does not ask (resilience, how fast someone learns, their share of the work) and the luck of each week "
           "drawn anew each time. The numbers are averages over those {k} times. Scores go from 0 to 100 (below "
           "{low} is low, from {high} high); people are rounded to whole people; output is the share of the "
           "output target the team reaches. A model shows what follows from its assumptions, not a forecast."},
    "nl": {"title": "Jouw team onder vijf stijlen", "sub": "{n} mensen uit jullie enquête, {period} vooruit",
           "now": "Jouw team nu", "now_note": "Wat de enquête zegt, op de schalen van dit overzicht (het "
           "gemiddelde van het team, en de spreiding van de laagste tot de hoogste persoon).",
           "engagement": "Bevlogenheid (UWES-9)", "exhaustion": "Uitputting (BAT)",
           "trust": "Vertrouwen in de manager", "competence": "Bekwaamheid", "tenure": "Jaren in het team",
           "not_asked": "niet gevraagd: getrokken", "styles": "De vijf stijlen",
           "mapping": "Zo wordt de enquête de beginsituatie van het model",
           "mapping_text": "UWES-9 (0-6): bevlogenheid = score / 6; BAT-12 (1-5): uitputting = (items 1-3 - 1) "
           "/ 4 en mentale distantie als cynisme = (items 4-6 - 1) / 4 (een totaalscore geeft beide); vertrouwen "
           "in de manager (1-5): vertrouwen = (antwoord - 1) / 4; eigen inschatting van bekwaamheid (1-5): "
           "(antwoord - 1) / 4, of uit jaren ervaring; dienstjaren. Wat de enquête niet vraagt, wordt getrokken "
           "zoals in elk scenario (uitputting en cynisme: het niveau waar ieders situatie naartoe gaat). Zie docs/survey.md.", "source": "Enquête: {file}; scenario: {scenario}.",
           "how": "Jullie team is onder elke stijl {k} keer doorgespeeld: dezelfde mensen, met wat de enquête niet "
           "vraagt (veerkracht, leertempo, ieders deel van het werk) en het toeval van elke week steeds opnieuw "
           "getrokken. De getallen zijn gemiddelden over die {k} keer. Scores lopen van 0 tot 100 (onder {low} is "
           "laag, vanaf {high} hoog); mensen zijn afgerond op hele mensen; productie is het deel van de "
           "productienorm dat het team haalt. Een model laat zien wat uit zijn aannames volgt; het is geen "
           "voorspelling."},
}


def load(path: Path) -> tuple[object, sv.Survey, str]:
    """``(params, survey, scenario)`` from a survey CSV (the default scenario) or a scenario file with
    ``[team] survey``."""
    path = Path(path)
    if path.suffix.lower() == ".toml":
        base = load_scenario(path)
        if not base.team.survey:
            raise ConfigError(f"{path}: 'team.survey' is empty; allowed: the name of a survey CSV file "
                              "(docs/survey.md)")
        s = sv.read(base.team.survey)   # beside the scenario file (sim.params.load_scenario)
        return sv.for_survey(with_updates(base, team={"survey": ""}), s), s, str(path)
    s = sv.read(path)
    return sv.for_survey(load_scenario(None), s), s, "defaults"


def run_styles(params, survey: sv.Survey, seeds: int, weeks: int, progress=None) -> pd.DataFrame:
    """The surveyed team under each style (its knobs the style's own), seeds 1..``seeds``: a table like
    :func:`sim.runner.compare_params`'s with one scenario per style."""
    styles = {style: with_updates(params, policy={"name": style, **{k: None for k in KNOBS}}) for style in STYLES}
    return compare_params(styles, seeds, weeks, progress=progress, survey=survey)


def _spread(values, fmt) -> str:
    return f"{fmt(np.mean(values))} ({fmt(np.min(values))}-{fmt(np.max(values))})"


def _now(survey: sv.Survey, lang: str) -> str:
    """The team as the survey describes it, in the handout's scales."""
    w, st = WORDS[lang], sv.starting_state(survey)
    sc = lambda v: str(reader.score(v))  # noqa: E731
    rows = [(w["engagement"], "engagement", sc), (w["exhaustion"], "exhaustion", sc),
            (w["trust"], "propensity", sc), (w["competence"], "competence", sc),
            (w["tenure"], "tenure", lambda v: reader.number(v / 52, lang, 1))]
    body = "".join(f"<tr><td>{e(name)}</td><td>{e(_spread(st[k], f) if k in st else w['not_asked'])}</td></tr>"
                   for name, k, f in rows)
    return (f"<h2>{e(w['now'])}</h2>\n<p class=\"note\">{e(w['now_note'])}</p>\n<table><tbody>{body}</tbody>"
            "</table>")


def build_team_report(path: Path, lang: str, out: Path, seeds: int = 20, weeks: int = 52, progress=None) -> Path:
    """Read the survey, run the five styles and write ``team.<lang>.html`` into ``out``; return its path."""
    from .report.compose import period
    params, survey, scenario = load(path)
    df = run_styles(params, survey, seeds, weeks, progress)
    w = WORDS[lang]
    short = {s: POLICY_LABELS[s][3 if lang == "nl" else 2] for s in STYLES}
    names = {s: v[:1].upper() + v[1:] for s, v in short.items()}
    long = {s: POLICY_LABELS[s][1 if lang == "nl" else 0] for s in STYLES}
    colours = {s: STYLE_COLOURS[s] for s in STYLES}
    heading = w["title"]
    subtitle = w["sub"].format(n=survey.n, period=period(weeks, lang))
    extra = (f"<p class=\"note\"><b>{e(w['mapping'])}.</b> {e(w['mapping_text'])}</p>\n"
             f"<p class=\"note\">{e(w['source'].format(file=Path(survey.source).name, scenario=scenario))}</p>")
    cmd = f"orgsim team {path} --seeds {seeds} --weeks {weeks} --lang {lang}"
    styles = " · ".join(f'<span class="swatch" style="--c: {colours[s]}"></span>{e(long[s])}' for s in STYLES)
    intro = _now(survey, lang) + f'\n<p class="note"><b>{e(w["styles"])}:</b> {styles}</p>'

    team_params = {s: with_updates(params, policy={"name": s, **{k: None for k in KNOBS}}) for s in STYLES}
    return write_handout(out, lang, heading, subtitle, team_params, names, colours, df, intro,
                         {"command": cmd, "tries": [], "prefix": "team", "extra": extra, "how": w["how"],
                          "intro_first": True})
