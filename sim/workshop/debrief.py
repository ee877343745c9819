"""The workshop's files for the trainer: a self-contained HTML handout of the room's year and a CSV of every
decision and outcome (teams by number, no nicknames: no personal data), with ``workshop.json`` (scenario, seed,
rounds) so that :func:`replay_csv` plays the recorded game again.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from ..palette import style_colour
from ..params import POLICY_LABELS, validate
from ..safe_text import for_html as e
from .cards import BY_CARD, CARDS
from .decisions import AUTONOMY, HOUR_KINDS, Decision
from .game import REFERENCES, ROUND_METRICS, Game, replay
from .texts import BOARD_METRICS, hour_label, tr
from ..metrics import label as metric_label

OUTCOMES = ("score", "engagement", "burnout_share", "output", "output_year", "leavers", "trust_in_manager",
            "psych_safety", "extra_control") + tuple(f"hours_{k}" for k in HOUR_KINDS)
COLUMNS = (("team", "round", "card", "answered") + tuple(f"plan_{k}" for k in HOUR_KINDS)
           + ("autonomy", "answer") + OUTCOMES)


def num(x: float, lang: str, digits: int = 2) -> str:
    s = f"{x:.{digits}f}"
    return s.replace(".", ",") if lang == "nl" else s


def rows(game: Game) -> list[dict]:
    """One row per team per closed round: the decision (planned hours, autonomy level, answer) and outcome."""
    out = []
    for p in game.players.values():
        for (d, answered), r in zip(p.decisions, p.team.rows):
            row = {"team": p.pid, "round": r["round"], "card": game.deck[r["round"] - 1],
                   "answered": int(answered), "autonomy": d.autonomy, "answer": d.answer or ""}
            row.update({f"plan_{k}": h for k, h in zip(HOUR_KINDS, d.hours)})
            row.update({k: r[k] for k in OUTCOMES})
            out.append(row)
    return out


def csv_text(game: Game) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in rows(game):
        w.writerow({k: (repr(v) if isinstance(v, float) else v) for k, v in row.items()})
    return buf.getvalue()


def meta(game: Game) -> dict:
    return {"seed": game.seed, "rounds": game.rounds, "scenario": game.params.model_dump(mode="json")}


def replay_csv(folder: Path) -> dict[int, list[dict]]:
    """Each team's outcomes per round, played again from ``decisions.csv`` and ``workshop.json`` in ``folder``."""
    info = json.loads((folder / "workshop.json").read_text(encoding="utf-8"))
    params = validate(info["scenario"], str(folder / "workshop.json"))
    with open(folder / "decisions.csv", newline="", encoding="utf-8") as f:
        recorded = list(csv.DictReader(f))
    by_team: dict[int, list[Decision]] = {}
    for r in sorted(recorded, key=lambda r: (int(r["team"]), int(r["round"]))):
        d = Decision(tuple(int(r[f"plan_{k}"]) for k in HOUR_KINDS), int(r["autonomy"]), r["answer"] or None)
        by_team.setdefault(int(r["team"]), []).append(d)
    return {t: replay(params, info["seed"], info["rounds"], ds) for t, ds in by_team.items()}


# --------------------------------------------------------------------------------------------------------------
# the handout
# --------------------------------------------------------------------------------------------------------------
def line_chart(series: list[tuple[list[float], str, float]], title: str, weeks: int, lang: str,
               top: float = 1.0) -> str:
    """An inline SVG of lines on 0-``top`` (values, colour, stroke width), weeks on the x-axis."""
    w, h, left, bottom = 640, 260, 40, 24
    pw, ph = w - left - 10, h - bottom - 10

    def xy(i, v):
        return f"{left + pw * (i + 1) / max(weeks, 1):.1f},{10 + ph * (1 - min(max(v / top, 0.0), 1.0)):.1f}"
    parts = [f'<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{e(title)}">',
             f'<rect x="{left}" y="10" width="{pw}" height="{ph}" fill="none" stroke="#999"/>']
    for v in (0.0, 0.5, 1.0):
        y = 10 + ph * (1 - v)
        label = num(v * top, lang, 0 if top > 1 else 1)
        parts.append(f'<text x="{left - 4}" y="{y + 4:.0f}" font-size="11" text-anchor="end">{label}</text>')
    for wk in range(0, weeks + 1, 4 if weeks <= 52 else 13):
        x = left + pw * wk / max(weeks, 1)
        parts.append(f'<text x="{x:.0f}" y="{h - 6}" font-size="11" text-anchor="middle">{wk}</text>')
    for values, colour, width in series:
        pts = " ".join(xy(i, v) for i, v in enumerate(values))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{width}"/>')
    parts.append("</svg>")
    return "".join(parts)


STYLE = ("body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#17202a}table{border-collapse:collapse;"
         "margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,"
         "th:first-child{text-align:left}.key span{display:inline-block;width:1.5em;height:4px;margin:0 4px 3px 12px}"
         "@media print{body{margin:0}}")


def _final_table(game: Game, lang: str) -> str:
    head = "".join(f"<th>{e(x)}</th>" for x in ["", tr("score", lang)] + [metric_label(m, lang)
                                                                          for m in BOARD_METRICS])
    body = []

    def line(name, r):
        cells = [num(r["score"], lang, 0), num(r["engagement"], lang), num(100 * r["burnout_share"], lang, 0),
                 num(r["output"], lang), str(r["leavers"])]
        body.append(f"<tr><td>{e(name)}</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    for r in game.leaderboard():
        line(tr("team", lang, n=r["pid"]), game.players[r["pid"]].team.rows[-1])
    for name in REFERENCES:
        t = game.refs[name]
        if len(t.rows) >= game.round >= 1:
            line(f'{tr("reference", lang)}: {POLICY_LABELS[name][3 if lang == "nl" else 2]}', t.rows[game.round - 1])
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _choices_table(game: Game, lang: str) -> str:
    bw = game.best_and_worst()
    if not bw:
        return ""
    head = "<tr><th></th>" + "".join(f"<th>{e(tr(k, lang))} (n={bw[k]['n']})</th>" for k in bw) + "</tr>"
    lines = [f"<tr><td>{e(tr('score', lang))}</td>" + "".join(f"<td>{num(bw[k]['score'], lang, 0)}</td>"
                                                          for k in bw) + "</tr>"]
    for kind in HOUR_KINDS:
        lines.append(f"<tr><td>{e(hour_label(kind, lang))} ({e(tr('hours_mean', lang))})</td>"
                     + "".join(f"<td>{num(bw[k]['hours'][kind], lang, 1)}</td>" for k in bw) + "</tr>")
    lines.append(f"<tr><td>{e(tr('autonomy_mean', lang))}</td>"
                 + "".join(f"<td>{num(bw[k]['autonomy'], lang, 1)}</td>" for k in bw) + "</tr>")
    for card in CARDS:
        if any(card.key in bw[k]["answers"] for k in bw):
            texts = {a.key: (a.nl if lang == "nl" else a.en) for a in card.answers}
            cells = "".join(f"<td>{e(texts.get(bw[k]['answers'].get(card.key), '-'))}</td>" for k in bw)
            lines.append(f"<tr><td>{e(card.title(lang))} ({e(tr('most_given', lang))})</td>{cells}</tr>")
    return f"<table>{head}{''.join(lines)}</table>"


def _cards_table(game: Game, lang: str) -> str:
    out = []
    for r in range(1, game.round + 1):
        card = BY_CARD[game.deck[r - 1]]
        counts = game.spread(r)["answers"]
        answers = "; ".join(f"{e(a.nl if lang == 'nl' else a.en)}: {counts.get(a.key, 0)}" for a in card.answers)
        answers += f"; {e(tr('no_answer', lang))}: {counts.get('none', 0)}"
        out.append(f"<tr><td>{r}</td><td>{e(card.title(lang))}</td><td style=\"text-align:left\">{answers}</td></tr>")
    return f"<table>{''.join(out)}</table>"


def handout(game: Game, lang: str) -> str:
    """The debrief as one self-contained HTML page (no outside file, font or script)."""
    weeks = game.round * 4
    charts = []
    for metric, key, top in (("engagement", "teams_path", 1.0), ("burnout_share", "burnout_path", 100.0)):
        scale = 100.0 if top > 1 else 1.0
        series = [([scale * x for x in p.team.weekly[metric]], "#b3b6b7", 1.0) for p in game.players.values()]
        series += [([scale * x for x in game.refs[n].weekly[metric][:weeks]], style_colour(n), 3.0)
                   for n in REFERENCES]
        charts.append(f"<h2>{e(tr(key, lang))}</h2>" + line_chart(series, tr(key, lang), weeks, lang, top))
    key = ('<p class="key"><span style="background:#b3b6b7"></span>' + e(tr("teams", lang)) + "".join(
        f'<span style="background:{style_colour(n)}"></span>{e(tr("reference", lang))}: '
        f'{e(POLICY_LABELS[n][1 if lang == "nl" else 0])}' for n in REFERENCES) + "</p>")
    title = tr("handout_title", lang)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{e(title)}</h1>"
            f"<p>{e(tr('handout_intro', lang, n=len(game.players), rounds=game.round, seed=game.seed))}</p>"
            f"<h2>{e(tr('final', lang))}</h2>{_final_table(game, lang)}{''.join(charts)}{key}"
            f"<h2>{e(tr('choices_outcomes', lang))}</h2>{_choices_table(game, lang)}"
            f"<h2>{e(tr('cards', lang))}</h2>{_cards_table(game, lang)}</body></html>")


def _atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.chmod(tmp, 0o644)   # a handout to share, not a secret
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def write(game: Game, out: Path) -> list[Path]:
    """The handout, the CSV and workshop.json in ``out`` (each made in memory, then written atomically)."""
    texts = {"debrief.html": handout(game, game.lang), "decisions.csv": csv_text(game),
             "workshop.json": json.dumps(meta(game), indent=1)}
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in texts.items():
        _atomic(out / name, text)
        paths.append(out / name)
    return paths


__all__ = ["write", "replay_csv", "handout", "csv_text", "rows", "COLUMNS", "ROUND_METRICS", "AUTONOMY"]
