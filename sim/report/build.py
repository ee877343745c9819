"""Build the workshop report: one self-contained ``report.html`` (images embedded as data URIs, inline CSS, no
external resources or links, print-friendly) plus the PNGs and CSVs it is made of.

The runs are those of ``orgsim compare`` (:func:`sim.runner.compare_params`, seeds 1..K, the same seeds for
every scenario), and the headline numbers are :func:`sim.runner.final_table` at each moment, so the numbers at
the final week are exactly those of ``orgsim compare`` for the same seeds.
"""

from __future__ import annotations

import base64
import html
import os
import tempfile
from pathlib import Path

import pandas as pd

from .. import __version__
from ..metrics import label
from ..params import BY_KEY, KNOBS, ConfigError, load_scenario, text
from ..plots import PERCENT, fmt
from ..runner import check_budget, compare_params, final_table, scenario_labels, versions
from . import figures
from .texts import EVENT_NAMES, POLICY_NAMES, WORDS

HEADLINE = ("engagement", "engaged_share", "burnout_share", "output", "trust_in_manager", "leavers")
BOUNDED = PERCENT | {"engagement", "trust_in_manager"}  # on a 0-1 scale: a displayed CI is clipped to it
FILES = {"timeseries": "report_timeseries.png", "manager_week": "report_manager_week.png",
         "zones": "report_zones.png", "data": "report_data.csv", "headline": "report_headline.csv"}

CSS = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #222; max-width: 1100px;
       margin: 0 auto; padding: 1.5em 2em; line-height: 1.45; }
h1 { font-size: 1.9em; margin-bottom: 0.1em; }
h2 { font-size: 1.35em; border-bottom: 2px solid #ddd; padding-bottom: 0.15em; margin-top: 1.6em; }
h3 { font-size: 1.1em; margin: 0 0 0.3em 0; }
.sub { color: #555; margin-top: 0; }
.note { color: #555; font-size: 0.92em; }
.cards { display: flex; flex-wrap: wrap; gap: 1em; }
.card { flex: 1 1 300px; border: 1px solid #ddd; border-left: 8px solid var(--c); border-radius: 4px;
        padding: 0.7em 1em; break-inside: avoid; page-break-inside: avoid; }
.card p { margin: 0.35em 0; }
.card .k { font-weight: bold; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; background: var(--c); border-radius: 2px;
          margin-right: 0.35em; vertical-align: -0.05em; }
table { border-collapse: collapse; margin: 0.6em 0 1em 0; break-inside: avoid; page-break-inside: avoid; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.7em; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid #999; }
tr.block th { background: #f2f2f2; text-align: left; }
td .ci { display: block; color: #666; font-size: 0.8em; }
figure { margin: 0.5em 0; break-inside: avoid; page-break-inside: avoid; }
img { max-width: 100%; height: auto; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 0.9em; }
pre { background: #f5f5f5; padding: 0.6em; white-space: pre-wrap; word-break: break-all; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .page { break-before: page; page-break-before: always; }
  h2 { break-after: avoid; page-break-after: avoid; }
}
"""


# ---------------------------------------------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------------------------------------------
def moments(last_week: int) -> list[int]:
    """The headline weeks within a run of ``last_week`` weeks: 13, 52, 104 and the final week."""
    out = [w for w in figures.MOMENTS if w <= last_week]
    return out if last_week in out else out + [last_week]


def headline_table(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`sim.runner.final_table` at each moment (column ``week`` added): compare's numbers."""
    frames = []
    for w in moments(int(df["week"].max())):
        t = final_table(df[df["week"] <= w])
        t.insert(0, "week", w)
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------------------------------
def _write(path: Path, data: bytes) -> None:
    """Atomic write: a temporary file in the same directory, then rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is for sharing
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# ---------------------------------------------------------------------------------------------------------------
# html pieces
# ---------------------------------------------------------------------------------------------------------------
def e(s) -> str:
    return html.escape(str(s), quote=True)


def _setup(sp, lang: str) -> str:
    """One line on who works there, the policy and the events, with the schema's parameter labels."""
    w = WORDS[lang]
    lab = lambda key: getattr(BY_KEY[key], "label_nl" if lang == "nl" else "label_en")  # noqa: E731
    t = sp.team
    people = (w["people"].format(size=t.size) if t.teams == 1
              else w["teams"].format(teams=t.teams, size=t.size))
    policy = POLICY_NAMES[lang].get(sp.policy.name, w["policy_custom"])
    if sp.policy.name != "custom" and any(getattr(sp.policy, k) is not None for k in KNOBS):
        policy += w["policy_adjusted"]
    parts = [people, f"{lab('team.competence_mean')} {t.competence_mean:g} (± {t.competence_spread:g})",
             f"{lab('policy.name')}: {policy}"]
    changed = [k for k in ("workload", "target", "novelty")
               if getattr(sp.work, k) != BY_KEY[f"work.{k}"].default]
    parts += [f"{lab(f'work.{k}')} {getattr(sp.work, k):g}" for k in changed]
    if sp.manager.insecurity != BY_KEY["manager.insecurity"].default:
        parts.append(f"{lab('manager.insecurity')} {sp.manager.insecurity:g}")
    for ev in sp.events:
        parts.append(w["event_weeks"].format(kind=EVENT_NAMES[lang][ev.kind], start=ev.start, end=ev.end,
                                             magnitude=ev.magnitude))
    return " · ".join(e(p) for p in parts)


def _stories(params: dict, names: dict, lang: str) -> str:
    w = WORDS[lang]
    cards = []
    for i, (key, sp) in enumerate(params.items()):
        rows = [f'<h3><span class="swatch"></span>{e(names[key])}</h3>',
                f'<p><span class="k">{e(w["what"])}:</span> {e(text(sp, "description", lang))}</p>']
        for field in ("notice", "try"):
            body = text(sp, field, lang)
            if body:
                rows.append(f'<p><span class="k">{e(w[field])}:</span> {e(body)}</p>')
        rows.append(f'<p class="note"><span class="k">{e(w["setup"])}:</span> {_setup(sp, lang)}</p>')
        cards.append(f'<div class="card" style="--c: {figures.color(i)}">' + "".join(rows) + "</div>")
    return '<div class="cards">' + "".join(cards) + "</div>"


def _head_row(names: dict, first: str) -> str:
    cells = "".join(f'<th><span class="swatch" style="--c: {figures.color(i)}"></span>{e(n)}</th>'
                    for i, n in enumerate(names.values()))
    return f"<thead><tr><th>{e(first)}</th>{cells}</tr></thead>"


def _headline(head: pd.DataFrame, names: dict, lang: str) -> str:
    w = WORDS[lang]
    stat = head.set_index(["week", "metric", "scenario"])
    last = int(head["week"].max())
    body = []
    for wk in moments(last):
        title = (w["after_months"].format(months=wk * 12 // 52, week=wk) if wk in figures.MOMENTS
                 else w["after_weeks"].format(week=wk))
        body.append(f'<tr class="block"><th colspan="{len(names) + 1}">{e(title)}</th></tr>')
        for m in HEADLINE:
            cells = []
            for sc in names:
                if (wk, m, sc) not in stat.index:
                    cells.append("<td>-</td>")
                    continue
                r = stat.loc[(wk, m, sc)]
                lo, hi = max(r["ci_low"], 0.0), r["ci_high"]  # every headline measure is >= 0
                hi = min(hi, 1.0) if m in BOUNDED else hi
                ci = f"[{fmt(m, lo)} – {fmt(m, hi)}]" if r["n"] > 1 else ""
                cells.append(f'<td data-metric="{m}" data-week="{wk}" data-scenario="{e(sc)}">'
                             f'<span class="mean">{fmt(m, r["mean"])}</span>'
                             f'<span class="ci">{e(ci)}</span></td>')
            body.append(f"<tr><td>{e(label(m, lang))}</td>{''.join(cells)}</tr>")
    return f"<table>{_head_row(names, w['metric'])}<tbody>{''.join(body)}</tbody></table>"


def _simple_table(rows: dict[str, list[str]], names: dict, first: str) -> str:
    body = "".join(f"<tr><td>{e(k)}</td>{''.join(f'<td>{e(v)}</td>' for v in vals)}</tr>"
                   for k, vals in rows.items())
    return f"<table>{_head_row(names, first)}<tbody>{body}</tbody></table>"


def _hours_table(df: pd.DataFrame, names: dict, lang: str) -> str:
    w = WORDS[lang]
    last = df[df["week"] > df["week"].max() - 13].groupby("scenario", sort=False)
    means = last[list(figures.HOURS) + ["manager_hours"]].mean()
    rows = {label(h, lang): [f"{means.loc[sc, h]:.1f}" for sc in names] for h in figures.HOURS}
    rows[w["total"]] = [f"{means.loc[sc, 'manager_hours']:.1f}" for sc in names]
    return _simple_table(rows, names, w["last_quarter"])


def _zones_table(df: pd.DataFrame, names: dict, lang: str) -> str:
    w = WORDS[lang]
    wk = int(df["week"].max())
    z = df[df["week"] == wk].groupby("scenario", sort=False)[list(figures.ZONES)].mean()
    rows = {label(c, lang): [f"{100 * z.loc[sc, c]:.0f}%" for sc in names] for c in figures.ZONES}
    return _simple_table(rows, names, w["zone_final"].format(week=wk))


def _figure(png: bytes, alt: str) -> str:
    return f'<figure><img src="{_data_uri(png)}" alt="{e(alt)}"></figure>'


def _command(paths, seeds: int, lang: str, weeks, sets) -> str:
    parts = ["orgsim", "report", *[str(p) for p in paths], "--seeds", str(seeds), "--lang", lang]
    if weeks is not None:
        parts += ["--weeks", str(weeks)]
    for s in sets or []:
        parts += ["--set", s]
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------------------------------------------
def load_all(paths, sets=None) -> dict:
    """Validate every scenario (and the overrides) before anything runs: ``{label: params}``."""
    if not paths:
        raise ConfigError("report: name at least one scenario file")
    if len(set(map(str, paths))) < len(paths):
        raise ConfigError("report: the same scenario file is named twice; use --seeds for more runs of one "
                          "file")
    return {lab: load_scenario(p, sets) for lab, p in zip(scenario_labels(paths), paths)}


def build_report(paths, seeds: int, lang: str, out, weeks: int | None = None, sets: list[str] | None = None,
                 title: str = "", data: pd.DataFrame | None = None, progress=None) -> Path:
    """Run the scenarios over seeds 1..``seeds`` (or use ``data``, a table of :func:`compare_params` for the
    same files and seeds) and write ``report.html`` with its PNGs and CSVs into ``out``; return its path.

    Bad input raises :class:`sim.params.ConfigError` before anything is run or written.
    """
    if lang not in WORDS:
        raise ConfigError(f"--lang {lang}: allowed: 'en' or 'nl'")
    params = load_all(paths, sets)
    if data is None:
        check_budget(params, paths, seeds, weeks)
    names = {k: text(sp, "title", lang) or k for k, sp in params.items()}
    df = compare_params(params, seeds, weeks, progress=progress) if data is None else data
    head = headline_table(df)
    w = WORDS[lang]

    pngs = {"timeseries": figures.bands_png(df, names, lang),
            "manager_week": figures.manager_week_png(df, names, lang,
                                                     {k: sp.manager.hours for k, sp in params.items()}),
            "zones": figures.zones_png(df, names, lang)}

    n_weeks = int(df["week"].max())
    first, last = int(df["seed"].min()), int(df["seed"].max())
    n_seeds = int(df["seed"].nunique())
    vs = f" {w['vs']} ".join(names.values())
    files = ", ".join([FILES["timeseries"], FILES["manager_week"], FILES["zones"], FILES["data"],
                       FILES["headline"]])
    vers = versions()
    runs = w["runs"].format(n=len(params), k=n_seeds, first=first, last=last, weeks=n_weeks)
    doc = f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title or w['title'])}</title>
<style>{CSS}</style>
</head>
<body>
<h1>{e(title or w['title'])}</h1>
<p class="sub">{e(vs)}<br>{e(runs)}</p>

<h2>{e(w['stories'])}</h2>
{_stories(params, names, lang)}

<h2>{e(w['headline'])}</h2>
<p class="note">{e(w['headline_note'])}</p>
{_headline(head, names, lang)}
<p class="note"><b>{e(w['how_title'])}.</b> {e(w['how'].format(k=n_seeds, first=first, last=last))}</p>

<h2 class="page">{e(w['over_time'])}</h2>
<p class="note">{e(w['over_time_note'])}</p>
{_figure(pngs['timeseries'], w['over_time'])}

<h2 class="page">{e(w['manager_week'])}</h2>
<p class="note">{e(w['manager_week_note'])}</p>
{_figure(pngs['manager_week'], w['manager_week'])}
{_hours_table(df, names, lang)}

<h2 class="page">{e(w['zones'])}</h2>
<p class="note">{e(w['zones_note'])}</p>
{_figure(pngs['zones'], w['zones'])}
{_zones_table(df, names, lang)}

<h2>{e(w['about'])}</h2>
<p class="note">{e(w['about_text'].format(version=__version__, mesa=vers.get('mesa', '?')))}</p>
<p class="note"><b>{e(w['files'])}.</b> {e(w['files_note'].format(files=files, data=FILES['data']))}</p>
<p class="note"><b>{e(w['reproduce'])}:</b></p>
<pre>{e(_command(paths, n_seeds, lang, weeks, sets))}</pre>
</body>
</html>
"""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for key, png in pngs.items():
        _write(out / FILES[key], png)
    _write(out / FILES["data"], df.to_csv(index=False).encode())
    _write(out / FILES["headline"], head.to_csv(index=False).encode())
    _write(out / "report.html", doc.encode("utf-8"))  # last: its presence means the report is complete
    return out / "report.html"
