"""Every word a participant or the trainer sees in the workshop, in English and Dutch (key -> (en, nl)).

Metric names come from :mod:`sim.metrics`, policy names from :data:`sim.params.POLICY_LABELS`, the cards' texts
from :mod:`sim.workshop.cards`; the pages get one table of both languages (:func:`bundle`), so a phone switches
language without asking the server.
"""

from __future__ import annotations

from ..metrics import label as metric_label
from ..params import POLICY_LABELS
from .cards import CARDS
from .decisions import AUTONOMY, HOUR_KINDS

UI: dict[str, tuple[str, str]] = {
    "title": ("The leadership game", "Het leiderschapsspel"),
    "code": ("Join code", "Code"),
    "nickname": ("Nickname (made up, no real name needed)", "Bijnaam (verzonnen, geen echte naam nodig)"),
    "join": ("Join", "Meedoen"),
    "waiting": ("You are in, {nick}. Wait for the trainer to start.", "Je doet mee, {nick}. Wacht tot de trainer "
                "begint."),
    "round": ("Month {round} of {rounds}", "Maand {round} van {rounds}"),
    "your_week": ("Your week: {hours} hours. Split them:", "Jouw week: {hours} uur. Verdeel ze:"),
    "left_to_plan": ("{left} h still to plan", "nog {left} uur te verdelen"),
    "autonomy": ("How much do your people decide themselves?", "Hoeveel beslissen je mensen zelf?"),
    "card": ("This month", "Deze maand"),
    "send": ("Send my choices", "Verstuur mijn keuzes"),
    "sent": ("Sent. You can still change them until the round closes.", "Verstuurd. Je kunt ze nog wijzigen tot "
             "de ronde sluit."),
    "seconds_left": ("{s} s left", "nog {s} s"),
    "closed_wait": ("The month is over. Look at the screen; the next month starts soon.", "De maand is voorbij. "
                    "Kijk naar het scherm; de volgende maand begint zo."),
    "your_team": ("Your team after month {round}", "Jouw team na maand {round}"),
    "rank": ("Place {rank} of {n}", "Plaats {rank} van {n}"),
    "score": ("Balanced score", "Totaalscore"),
    "your_year": ("Your year", "Jouw jaar"),
    "moments": ("The moments that mattered", "De momenten die ertoe deden"),
    "vicious": ("Week {week}: under pressure you started taking control back (the vicious cycle).",
                "Week {week}: onder druk begon je de controle terug te pakken (de vicieuze cirkel)."),
    "no_vicious": ("You never took control back under pressure.", "Je hebt onder druk nooit de controle "
                   "teruggepakt."),
    "sick": ("Week {week}: the person at desk {position} went on sick leave with burnout.",
             "Week {week}: de medewerker op plek {position} viel uit met een burn-out."),
    "left": ("Week {week}: the person at desk {position} left.", "Week {week}: de medewerker op plek {position} "
             "vertrok."),
    "nothing": ("Nobody burnt out or left.", "Niemand viel uit of vertrok."),
    "lang": ("Nederlands", "English"),
    "weeks": ("week", "week"),
    "start": ("Start month {round}", "Start maand {round}"),
    "close": ("Close the month", "Sluit de maand"),
    "more_time": ("+30 s", "+30 s"),
    "answered": ("{n} of {total} have answered", "{n} van {total} hebben geantwoord"),
    "joined": ("{n} joined", "{n} doen mee"),
    "go_to": ("Open on your phone", "Open op je telefoon"),
    "leaderboard": ("Leaderboard", "Ranglijst"),
    "player": ("Nickname", "Bijnaam"),
    "spread": ("The room's choices", "De keuzes van de zaal"),
    "mean": ("mean", "gemiddeld"),
    "spread_key": ("Blue: the room's range; black: its mean; red: the micromanager's plan; green: the coach's.",
                   "Blauw: het bereik van de zaal; zwart: het gemiddelde; rood: het plan van de micromanager; "
                   "groen: dat van de coach."),
    "no_answer": ("no answer", "geen antwoord"),
    "debrief": ("Debrief: the room's year", "Nabespreking: het jaar van de zaal"),
    "best": ("Best third", "Beste derde"),
    "worst": ("Worst third", "Slechtste derde"),
    "teams_path": ("Every team's engagement, week by week", "Bevlogenheid van elk team, week na week"),
    "burnout_path": ("Every team's burnout, week by week", "Burn-out van elk team, week na week"),
    "files": ("Handout and data written to: {out}", "Hand-out en gegevens staan in: {out}"),
    "reference": ("Reference", "Referentie"),
    "teams": ("teams in the room", "teams in de zaal"),
    "handout_title": ("The leadership game: debrief", "Het leiderschapsspel: nabespreking"),
    "handout_intro": ("{n} teams, {rounds} months of four weeks, the same starting team (seed {seed}). Teams are "
                      "numbered in the order they joined; no names are kept.",
                      "{n} teams, {rounds} maanden van vier weken, hetzelfde startteam (seed {seed}). De teams zijn "
                      "genummerd in de volgorde waarin ze meededen; er zijn geen namen bewaard."),
    "team": ("Team {n}", "Team {n}"),
    "final": ("After the last month", "Na de laatste maand"),
    "choices_outcomes": ("Which choices went with the best and worst outcomes", "Welke keuzes hoorden bij de "
                         "beste en slechtste uitkomsten"),
    "hours_mean": ("mean hours a week", "gemiddelde uren per week"),
    "most_given": ("most given answer", "meest gegeven antwoord"),
    "autonomy_mean": ("mean autonomy level (0-4)", "gemiddeld autonomieniveau (0-4)"),
    "cards": ("The cards of this game", "De kaarten van dit spel"),
    # errors, by code (sim.workshop.decisions.Invalid)
    "err_bad_code": ("That code is not right. Look at the screen.", "Die code klopt niet. Kijk op het scherm."),
    "err_bad_nickname": ("A nickname has 1 to 20 characters.", "Een bijnaam heeft 1 tot 20 tekens."),
    "err_game_full": ("The game is full.", "Het spel is vol."),
    "err_game_over": ("The game is over.", "Het spel is afgelopen."),
    "err_bad_token": ("Please join again with the code and your nickname.", "Doe opnieuw mee met de code en je "
                      "bijnaam."),
    "err_round_closed": ("This month is closed.", "Deze maand is gesloten."),
    "err_hours_sum": ("The hours must add up to the whole week.", "De uren moeten samen de hele week zijn."),
    "err_too_many": ("Too many messages; wait a moment.", "Te veel berichten; wacht even."),
    "err_too_big": ("That message is too big.", "Dat bericht is te groot."),
    "err_not_trainer": ("This page needs the trainer's address from the terminal.", "Deze pagina heeft het "
                        "traineradres uit de terminal nodig."),
    "err_not_local": ("The trainer's page works on the trainer's computer only.", "De trainerspagina werkt "
                      "alleen op de computer van de trainer."),
    "err_wrong_phase": ("Not now.", "Nu niet."),
    "err_no_players": ("Nobody has joined yet.", "Er doet nog niemand mee."),
    "err_bad_message": ("That message is not understood.", "Dat bericht wordt niet begrepen."),
    "err_bad_value": ("That value is not allowed.", "Die waarde is niet toegestaan."),
    "err_bad_answer": ("That answer is not on the card.", "Dat antwoord staat niet op de kaart."),
    "err_bad_hours": ("The hours are not understood.", "De uren worden niet begrepen."),
    "err_other": ("That did not work.", "Dat lukte niet."),
}
AUTONOMY_LABELS = (("I decide everything", "Ik beslis alles"), ("Mostly I decide", "Meestal beslis ik"),
                   ("We decide together", "We beslissen samen"), ("Mostly they decide", "Meestal beslissen zij"),
                   ("They decide, within the frame", "Zij beslissen, binnen het kader"))
assert len(AUTONOMY_LABELS) == len(AUTONOMY)
HOUR_METRICS = {k: f"hours_{k}" for k in HOUR_KINDS}
BOARD_METRICS = ("engagement", "burnout_share", "output", "leavers")


def tr(key: str, lang: str, **kw) -> str:
    en, nl = UI[key]
    return (nl if lang == "nl" else en).format(**kw)


def hour_label(kind: str, lang: str) -> str:
    """The label of a kind of hours: the metric's, without its unit."""
    return metric_label(HOUR_METRICS[kind], lang).replace(" (h)", "").replace(" (u)", "")


def bundle(lang: str) -> dict:
    """All texts of one language, for a page."""
    i = 1 if lang == "nl" else 0
    return {"ui": {k: v[i] for k, v in UI.items()},
            "hours": {k: hour_label(k, lang) for k in HOUR_KINDS},
            "autonomy": [a[i] for a in AUTONOMY_LABELS],
            "metrics": {k: metric_label(k, lang) for k in BOARD_METRICS},
            "policies": {k: v[2 + i] for k, v in POLICY_LABELS.items()},
            "cards": {c.key: {"title": c.title(lang), "text": c.text(lang),
                              "answers": [[a.key, a.nl if lang == "nl" else a.en] for a in c.answers]}
                      for c in CARDS}}
