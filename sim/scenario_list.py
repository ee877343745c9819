"""``orgsim scenarios``: the shipped scenarios by name and title at 80 columns (one team first, then
organisations), and one scenario's texts with the command lines of its suggestions (sim.scenario_text)."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from .cli_texts import MSG, is_organisation
from .errors import ConfigError
from .params import load_raw, text, validate
from .safe_text import one_line
from .scenario_text import command_lines


def _load(folder: Path):
    """``[(name, params or None, error)]`` for every scenario file in ``folder``."""
    out = []
    for f in sorted(folder.glob("*.toml")):
        try:
            out.append((f.stem, validate(load_raw(f), str(f)), ""))
        except ConfigError as exc:
            out.append((f.stem, None, one_line(exc)))
    return out


def show_list(folder: Path, lang: str, console) -> None:
    """Two short columns (name, title), grouped; a line on how to see one scenario's texts."""
    w = MSG[lang]
    rows = _load(folder)
    groups = ((w["one_team"], [r for r in rows if r[1] is not None and not is_organisation(r[1])]),
              (w["organisations"], [r for r in rows if r[1] is not None and is_organisation(r[1])]),
              (w["invalid"], [r for r in rows if r[1] is None]))
    t = Table(title=w["scenarios_title"].format(folder=folder), title_justify="left", show_edge=False,
              pad_edge=False)
    t.add_column(w["name"], no_wrap=True)
    t.add_column(w["title"], overflow="fold")
    for head, items in groups:
        if not items:
            continue
        t.add_section()
        t.add_row(f"[{head}]", "")
        for stem, sp, err in items:
            t.add_row(one_line(stem), one_line(text(sp, "title", lang)) if sp is not None else err)
    console.print(t)
    console.print(w["scenarios_hint"], soft_wrap=False)


def show_one(path: Path, lang: str, console) -> None:
    """One scenario's title and texts in ``lang`` (controls named by their labels) and, for each suggestion,
    its command line."""
    w = MSG[lang]
    sp = validate(load_raw(path), str(path))
    console.print(one_line(text(sp, "title", lang)), style="bold")
    console.print(f"{w['file']}: {path}")
    for field in ("description", "howto", "notice", "try"):
        body = text(sp, field, lang)
        if body:
            console.print(f"\n{w['what'] if field == 'description' else w[field]}: {one_line(body)}")
    raw = getattr(sp.scenario, f"try_{lang}", "") + " " + getattr(sp.scenario, f"howto_{lang}", "")
    name = path.stem
    lines = list(dict.fromkeys(command_lines(raw, name)))
    if lines:
        console.print(f"\n{w['try_cli']}:")
        for line in lines:
            console.print(f"  {line}", soft_wrap=True)
