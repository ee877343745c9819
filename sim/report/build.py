"""Build the workshop handout: one self-contained ``report.<lang>.html`` per language (images embedded as data
URIs, inline CSS, no external resources or links, print-friendly) plus the PNGs and CSVs it is made of. The
body speaks a team leader's language (sim.report.reader); how it was made and how to make it again is in its
appendix.

The runs are those of ``orgsim compare`` (:func:`sim.runner.compare_params`, seeds 1..K, the same seeds for
every scenario), and the headline numbers are :func:`sim.runner.final_table` at each moment, so the numbers at
the final week are exactly those of ``orgsim compare`` for the same seeds.
"""

from __future__ import annotations

import base64
import html
import os
import re
import tempfile
from pathlib import Path

import pandas as pd

from .. import __version__, policies
from ..metrics import label
from ..params import BY_KEY, KNOBS, ConfigError, load_scenario, text
from ..runner import check_budget, compare_params, final_table, scenario_labels, versions
from ..scenario_text import command_lines
from . import figures, reader
from .compose import scenario_colours, short_names, title_and_subtitle
from .reader import number
from .texts import EVENT_NAMES, POLICY_NAMES, WORDS

HEADLINE = ("engagement", "engaged_share", "burnout_complaints_share", "output", "trust_in_manager", "leavers")
FILES = {"timeseries": "{prefix}_timeseries.{lang}.png", "manager_week": "{prefix}_manager_week.{lang}.png",
         "zones": "{prefix}_zones.{lang}.png", "data": "{prefix}_data.csv", "headline": "{prefix}_headline.csv"}
SHIPPED = Path(__file__).resolve().parents[2] / "scenarios"


def report_name(lang: str, prefix: str = "report") -> str:
    """The handout's file name: one per language, side by side (``report.nl.html``, ``report.en.html``).
    ``report.html`` beside them is a copy for whoever opens the folder's plain name: of the first language
    written there (a handout in another language never replaces it; see :func:`plain_name_is_free`)."""
    return f"{prefix}.{lang}.html"


def plain_name_is_free(path: Path, lang: str) -> bool:
    """Whether the plain-named copy ``path`` (``report.html``) may be written for ``lang``: it is absent, or
    is a handout in the same language (``<html lang="..">``), or no handout of ours at all."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            head = f.read(200)
    except FileNotFoundError:
        return True
    m = re.search(r'<html lang="([a-z]+)">', head)
    return m is None or m.group(1) == lang


CSS = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #222; max-width: 1100px;
       margin: 0 auto; padding: 1.5em 2em; line-height: 1.45; }
h1 { font-size: 2.1em; margin-bottom: 0.1em; }
#appendix { font-size: 0.92em; }
#appendix ul { padding-left: 1.2em; }
h2 { font-size: 1.35em; border-bottom: 2px solid #ddd; padding-bottom: 0.15em; margin-top: 1.6em; }
h3 { font-size: 1.1em; margin: 0 0 0.3em 0; }
.sub { color: #444; margin-top: 0; font-size: 1.2em; }
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
    n = lambda x: number(x, lang, 2).rstrip("0").rstrip(",.")  # noqa: E731   (1,2 rather than 1,20)
    t = sp.team
    people = (w["people"].format(size=number(t.size, lang)) if t.teams == 1
              else w["teams"].format(teams=number(t.teams, lang), size=number(t.size, lang)))
    policy = POLICY_NAMES[lang].get(sp.policy.name, w["policy_custom"])
    if sp.policy.name != "custom" and any(getattr(sp.policy, k) is not None for k in KNOBS):
        policy += w["policy_adjusted"]
    sc = lambda x: str(reader.score(x))  # noqa: E731   (0-1 settings as 0-100 scores, as in the tables)
    parts = [people, f"{lab('team.competence_mean')} {sc(t.competence_mean)} (± {sc(t.competence_spread)})",
             f"{lab('policy.name')}: {policy}"]
    changed = [k for k in ("workload", "target", "novelty")
               if getattr(sp.work, k) != BY_KEY[f"work.{k}"].default]
    parts += [f"{lab(f'work.{k}')} {sc(v) if k == 'novelty' else n(v)}"
              for k in changed for v in [getattr(sp.work, k)]]
    if sp.manager.insecurity != BY_KEY["manager.insecurity"].default:
        parts.append(f"{lab('manager.insecurity')} {sc(sp.manager.insecurity)}")
    for ev in sp.events:
        parts.append(w["event_weeks"].format(kind=EVENT_NAMES[lang][ev.kind], start=ev.start, end=ev.end,
                                             magnitude=number(ev.magnitude, lang, 1)))
    return " · ".join(e(p) for p in parts)


def _stories(params: dict, names: dict, colours: dict, lang: str) -> str:
    w = WORDS[lang]
    cards = []
    for key, sp in params.items():
        rows = [f'<h3><span class="swatch"></span>{e(names[key])}</h3>',
                f'<p><span class="k">{e(w["what"])}:</span> {e(text(sp, "description", lang))}</p>']
        for field in ("notice", "try"):
            body = text(sp, field, lang)
            if body:
                rows.append(f'<p><span class="k">{e(w[field])}:</span> {e(body)}</p>')
        rows.append(f'<p class="note"><span class="k">{e(w["setup"])}:</span> {_setup(sp, lang)}</p>')
        cards.append(f'<div class="card" style="--c: {colours[key]}">' + "".join(rows) + "</div>")
    return '<div class="cards">' + "".join(cards) + "</div>"


def _head_row(names: dict, colours: dict, first: str) -> str:
    cells = "".join(f'<th><span class="swatch" style="--c: {colours[k]}"></span>{e(n)}</th>'
                    for k, n in names.items())
    return f"<thead><tr><th>{e(first)}</th>{cells}</tr></thead>"


def _headline(head: pd.DataFrame, names: dict, colours: dict, params: dict, lang: str) -> str:
    """The headline numbers in the reader's convention; each cell keeps the model's mean in ``data-mean``."""
    w = WORDS[lang]
    stat = head.set_index(["week", "metric", "scenario"])
    last = int(head["week"].max())
    body = []
    for wk in moments(last):
        title = (w["after_months"].format(months=wk * 12 // 52) if wk in figures.MOMENTS
                 else w["after_weeks"].format(week=wk))
        body.append(f'<tr class="block"><th colspan="{len(names) + 1}">{e(title)}</th></tr>')
        for m in HEADLINE:
            cells = []
            for sc in names:
                if (wk, m, sc) not in stat.index:
                    cells.append("<td>-</td>")
                    continue
                mean = float(stat.loc[(wk, m, sc)]["mean"])
                sp = params[sc]
                shown = reader.value(m, mean, lang, sp.team.size * sp.team.teams, sp.work.target)
                cells.append(f'<td data-metric="{m}" data-week="{wk}" data-scenario="{e(sc)}" '
                             f'data-mean="{mean!r}"><span class="mean">{e(shown)}</span></td>')
            body.append(f"<tr><td>{e(w['row_' + m])}</td>{''.join(cells)}</tr>")
    return f"<table>{_head_row(names, colours, w['metric'])}<tbody>{''.join(body)}</tbody></table>"


def _simple_table(rows: dict[str, list[str]], names: dict, colours: dict, first: str) -> str:
    body = "".join(f"<tr><td>{e(k)}</td>{''.join(f'<td>{e(v)}</td>' for v in vals)}</tr>"
                   for k, vals in rows.items())
    return f"<table>{_head_row(names, colours, first)}<tbody>{body}</tbody></table>"


def _hours_table(df: pd.DataFrame, names: dict, colours: dict, lang: str) -> str:
    w = WORDS[lang]
    last = df[df["week"] > df["week"].max() - 13].groupby("scenario", sort=False)
    means = last[list(figures.HOURS) + ["manager_hours"]].mean()
    rows = {label(h, lang): [number(means.loc[sc, h], lang, 1) for sc in names] for h in figures.HOURS}
    rows[w["total"]] = [number(means.loc[sc, "manager_hours"], lang, 1) for sc in names]
    return _simple_table(rows, names, colours, w["last_quarter"])


def _zones_table(df: pd.DataFrame, names: dict, colours: dict, lang: str) -> str:
    w = WORDS[lang]
    wk = int(df["week"].max())
    z = df[df["week"] == wk].groupby("scenario", sort=False)[list(figures.ZONES)].mean()
    rows = {label(c, lang): [f"{number(100 * z.loc[sc, c], lang)}%" for sc in names] for c in figures.ZONES}
    return _simple_table(rows, names, colours, w["zone_final"].format(week=wk))


def _figure(png: bytes, alt: str) -> str:
    return f'<figure><img src="{_data_uri(png)}" alt="{e(alt)}"></figure>'


def shown_name(path) -> str:
    """How the appendix names a scenario file: a shipped one by its name (``controlling``), others as given."""
    p = Path(path)
    try:
        shipped = p.resolve().parent == SHIPPED and p.suffix == ".toml"
    except OSError:
        shipped = False
    return p.stem if shipped else str(p)


def _command(paths, seeds: int, lang: str, weeks, sets) -> str:
    parts = ["orgsim", "report", *[shown_name(p) for p in paths], "--seeds", str(seeds), "--lang", lang]
    if weeks is not None:
        parts += ["--weeks", str(weeks)]
    for s in sets or []:
        parts += ["--set", s]
    return " ".join(parts)


def _try_commands(paths, params: dict, lang: str) -> list[str]:
    """The command lines of every suggestion under "things to try" (sim.scenario_text)."""
    out = []
    for p, sp in zip(paths, params.values()):
        raw = getattr(sp.scenario, f"try_{lang}", "") or sp.scenario.try_en
        out += command_lines(raw, shown_name(p))
    return out


def _appendix(ctx: dict, lang: str) -> str:
    w = WORDS[lang]
    prefix = ctx.get("prefix", "report")
    name = {k: v.format(lang=lang, prefix=prefix) for k, v in FILES.items()}
    files = ", ".join(name[k] for k in ("timeseries", "manager_week", "zones", "data", "headline"))
    tries = "".join(f"<li><code>{e(c)}</code></li>" for c in ctx["tries"])
    return f"""<section id="appendix" class="page">
<h2>{e(w['appendix'])}</h2>
<p class="note">{e(w['app_runs'].format(**ctx['runs']))}</p>
{ctx.get('extra', '')}
<p class="note">{e(w['app_ci'].format(headline=name['headline']))}</p>
<p class="note">{e(w['app_files'].format(files=files, data=name['data']))}</p>
<p class="note"><b>{e(w['app_reproduce'])}:</b></p>
<pre>{e(ctx['command'])}</pre>
{f"<p class='note'><b>{e(w['app_try'])}:</b></p><ul class='note'>{tries}</ul>" if tries else ""}
<h3>{e(w['about'])}</h3>
<p class="note">{e(w['about_text'].format(version=__version__, mesa=ctx['mesa']))}</p>
</section>"""


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


def _standards(sp) -> float | None:
    """The standards a one-team scenario's manager holds (for the zone map), else None."""
    if sp.team.teams != 1:
        return None
    return float(policies.resolve(sp.policy).standards)


def build_report(paths, seeds: int, lang: str, out, weeks: int | None = None, sets: list[str] | None = None,
                 title: str = "", data: pd.DataFrame | None = None, progress=None) -> Path:
    """Run the scenarios over seeds 1..``seeds`` (or use ``data``, a table of :func:`compare_params` for the
    same files and seeds) and write ``report.<lang>.html`` with its PNGs and CSVs into ``out``; return its path.
    Reports in other languages in the same folder are left as they are.

    Bad input raises :class:`sim.params.ConfigError` before anything is run or written.
    """
    if lang not in WORDS:
        raise ConfigError(f"--lang {lang}: allowed: 'en' or 'nl'")
    params = load_all(paths, sets)
    if data is None:
        check_budget(params, paths, seeds, weeks)
    names = {k: text(sp, "title", lang) or k for k, sp in params.items()}
    colours = scenario_colours(params)
    df = compare_params(params, seeds, weeks, progress=progress) if data is None else data
    w = WORDS[lang]
    heading, subtitle = title_and_subtitle(names, params, lang, int(df["week"].max()), title)
    names = short_names(names)
    ctx = {"command": _command(paths, int(df["seed"].nunique()), lang, weeks, sets),
           "tries": _try_commands(paths, params, lang)}
    return write_handout(out, lang, heading, subtitle, params, names, colours, df,
                         f"<h2>{e(w['stories'])}</h2>\n{_stories(params, names, colours, lang)}", ctx)


def write_handout(out, lang: str, heading: str, subtitle: str, params: dict, names: dict, colours: dict,
                  df: pd.DataFrame, intro: str, ctx: dict) -> Path:
    """Draw the figures and write ``<prefix>.<lang>.html`` with its PNGs and CSVs (``ctx``: ``command``,
    ``tries``; optionally ``prefix``, ``extra`` appendix HTML, ``how`` (how to read it, with ``{k}``, ``{low}``,
    ``{high}``) and ``intro_first`` (the intro before the numbers)); return its path."""
    w = WORDS[lang]
    prefix = ctx.setdefault("prefix", "report")
    head = headline_table(df)
    pngs = {"timeseries": figures.bands_png(df, names, colours, {k: sp.work.target for k, sp in params.items()},
                                            lang),
            "manager_week": figures.manager_week_png(df, names, lang,
                                                     {k: sp.manager.hours for k, sp in params.items()}),
            "zones": figures.zones_png(df, names, colours, {k: _standards(sp) for k, sp in params.items()},
                                       lang)}
    first, last = int(df["seed"].min()), int(df["seed"].max())
    n_seeds = int(df["seed"].nunique())
    ctx["runs"] = {"n": len(params), "k": n_seeds, "first": first, "last": last, "weeks": int(df["week"].max())}
    ctx["mesa"] = versions().get("mesa", "?")
    how = ctx.get("how", w["how"]).format(k=n_seeds, low=reader.LOW, high=reader.HIGH)
    before, after = (intro, "") if ctx.get("intro_first") else ("", intro)
    doc = f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(heading)}</title>
<style>{CSS}</style>
</head>
<body>
<h1>{e(heading)}</h1>
<p class="sub">{e(subtitle)}</p>
{before}

<h2>{e(w['headline'])}</h2>
{_headline(head, names, colours, params, lang)}
<p class="note"><b>{e(w['how_title'])}.</b> {e(how)}</p>

{after}

<h2 class="page">{e(w['over_time'])}</h2>
<p class="note">{e(w['over_time_note'])}</p>
{_figure(pngs['timeseries'], w['over_time'])}

<h2 class="page">{e(w['zones'])}</h2>
<p class="note">{e(w['zones_note'])}</p>
{_figure(pngs['zones'], w['zones'])}
{_zones_table(df, names, colours, lang)}

<h2 class="page">{e(w['manager_week'])}</h2>
<p class="note">{e(w['manager_week_note'])}</p>
{_figure(pngs['manager_week'], w['manager_week'])}
{_hours_table(df, names, colours, lang)}

{_appendix(ctx, lang)}
</body>
</html>
"""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    name = {k: v.format(lang=lang, prefix=prefix) for k, v in FILES.items()}
    for key, png in pngs.items():
        _write(out / name[key], png)
    _write(out / name["data"], df.to_csv(index=False).encode())
    _write(out / name["headline"], head.to_csv(index=False).encode())
    _write(out / report_name(lang, prefix), doc.encode("utf-8"))  # last: its presence means it is complete
    if plain_name_is_free(out / f"{prefix}.html", lang):   # the plain name: never another language's
        _write(out / f"{prefix}.html", doc.encode("utf-8"))
    return out / report_name(lang, prefix)
