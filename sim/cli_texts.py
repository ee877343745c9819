"""The command line's own words in English and Dutch, its numbers in the reader's convention, the language
choice (``--lang en|nl`` in any case, else the locale), and scenario names (``controlling`` for
``scenarios/controlling.toml``, with "did you mean" for a typo).

Only the command line (:mod:`sim.cli`) uses this module; the tables are kept here so that ``sim/cli.py`` holds
the commands and little else.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

from .errors import ConfigError

LANGS = ("en", "nl")

MSG: dict[str, dict[str, str]] = {
    "en": {
        "metric": "measure",
        "final": "final week",
        "run_title": "{title} - week {weeks}, seed {seed} ({seconds} s)",
        "compare_title": "Final week {week}: mean (sd) over {seeds} seeds  [{runs} runs, {seconds} s]",
        "wrote": "wrote {out}/: {files}",
        "wrote_report": "wrote {path} (figures: {figures}; data beside it: *_data.csv, *_headline.csv)",
        "demo_ready": "demo ready:",
        "demo_open": " open {path}  (also {figure})",
        "runs_done": "{done}/{n} runs",
        "scenarios_title": "Scenarios in {folder}",
        "name": "name",
        "title": "title",
        "one_team": "One team",
        "organisations": "Organisations",
        "scenarios_hint": "orgsim scenarios NAME: what it shows, things to try and their command lines; "
                          "orgsim run NAME runs it.",
        "invalid": "[invalid]",
        "what": "What it shows",
        "howto": "How to use it",
        "notice": "Things to notice",
        "try": "Things to try",
        "try_cli": "On the command line",
        "file": "File",
        "no_scenario": "{name}: no such scenario file or shipped scenario{hint} (see 'orgsim scenarios')",
        "did_you_mean": "; did you mean '{near}'?",
        "validate_title": "Pattern-oriented validation: {seeds} seeds, {runs} runs ({seconds} s)",
        "verdict": "validation: {passed}/{total} facts pass (table in {where})",
        "lang_bad": "--lang {value}: allowed: 'en' or 'nl'",
        "error": "error",
        "see_help": "(see '{command} --help')",
        "first_run": "note: first run of this version on this machine: compiling the model's loops (20-40 s, "
                     "once; later runs start in about 2 s)",
    },
    "nl": {
        "metric": "maat",
        "final": "laatste week",
        "run_title": "{title} - week {weeks}, startgetal {seed} ({seconds} s)",
        "compare_title": "Laatste week ({week}): gemiddelde (sd) over {seeds} startgetallen  [{runs} simulaties, "
                         "{seconds} s]",
        "wrote": "geschreven in {out}/: {files}",
        "wrote_report": "geschreven: {path} (figuren: {figures}; gegevens ernaast: *_data.csv, *_headline.csv)",
        "demo_ready": "demo klaar:",
        "demo_open": " open {path}  (ook {figure})",
        "runs_done": "{done}/{n} simulaties",
        "scenarios_title": "Scenario's in {folder}",
        "name": "naam",
        "title": "titel",
        "one_team": "Eén team",
        "organisations": "Organisaties",
        "scenarios_hint": "orgsim scenarios NAAM: wat het laat zien, wat je kunt proberen en hoe op de "
                          "opdrachtregel; orgsim run NAAM draait het.",
        "invalid": "[ongeldig]",
        "what": "Wat het laat zien",
        "howto": "Gebruik",
        "notice": "Let op",
        "try": "Probeer",
        "try_cli": "Op de opdrachtregel",
        "file": "Bestand",
        "no_scenario": "{name}: geen scenariobestand of meegeleverd scenario met die naam{hint} (zie 'orgsim "
                       "scenarios')",
        "did_you_mean": "; bedoel je '{near}'?",
        "validate_title": "Patroongerichte validatie: {seeds} startgetallen, {runs} simulaties ({seconds} s)",
        "verdict": "validatie: {passed}/{total} feiten voldoen (tabel in {where})",
        "lang_bad": "--lang {value}: toegestaan: 'en' of 'nl'",
        "error": "fout",
        "see_help": "(zie '{command} --help')",
        "first_run": "let op: eerste keer deze versie op deze computer: het model wordt gecompileerd (20-40 s, "
                     "eenmalig; daarna start een opdracht in ongeveer 2 s)",
    },
}


UNITS_NL = {"people": "mensen", "weeks": "weken", "hours/week": "uur/week"}
# the phrases of error lines (sim.params, sim.survey, sim.outdir, ...) in Dutch; applied after the line's source
# (its first ": "), in this order, so that a file name is shown as written
ERRORS_NL: tuple = (
    (r"no such scenario file", "scenariobestand bestaat niet"),
    (r"no such survey file", "enquêtebestand bestaat niet"),
    (r"unknown section", "onbekende sectie"), (r"unknown key", "onbekende sleutel"),
    (r"unknown column", "onbekende kolom"), (r"; did you mean", "; bedoel je"),
    (r"\(see 'orgsim params' for the keys of", "(zie 'orgsim params' voor de sleutels van"),
    (r"\(see 'orgsim scenarios'\)", "(zie 'orgsim scenarios')"),
    (r" is not allowed; allowed: ", " is niet toegestaan; toegestaan: "),
    (r" is out of range; allowed: ", " valt buiten het bereik; toegestaan: "),
    (r"\bout of range; allowed: ", "buiten het bereik; toegestaan: "),
    (r"\((people|weeks|hours/week)\)$", lambda m: "(" + UNITS_NL[m.group(1)] + ")"),
    (r"\binteger in\b", "geheel getal in"), (r"\ba number in\b", "een getal in"), (r"\bnumber in\b", "getal in"),
    (r"\bone of\b", "een van"), (r"\btrue or false\b", "true of false"), (r"\ba text string\b", "een tekst"),
    (r"not valid TOML", "geen geldige TOML"),
    (r"expected section\.key=value, e\.g\.", "verwacht sectie.sleutel=waarde, bijv."),
    (r"exists and is not a directory", "bestaat en is geen map"), (r"is not a directory", "is geen map"),
    (r"cannot write in", "kan niet schrijven in"), (r"cannot read", "kan niet lezen"),
    (r"the same scenario file is named twice; use --seeds for more runs of one file",
     "hetzelfde scenariobestand staat er twee keer; gebruik --seeds voor meer runs van één bestand"),
    (r"missing value", "waarde ontbreekt"), (r"\(leave the whole column out to let the model draw it\)",
                                             "(laat de hele kolom weg om het model te laten trekken)"),
    (r"looks like names or e-mail addresses; the survey must be anonymous: remove this column",
     "lijkt op namen of e-mailadressen; de enquête moet anoniem zijn: haal deze kolom weg"),
    (r"looks like an e-mail address; the survey must be anonymous",
     "lijkt op een e-mailadres; de enquête moet anoniem zijn"),
    (r"looks like a name; the survey must be anonymous", "lijkt op een naam; de enquête moet anoniem zijn"),
    (r"\bnot a number\b", "geen getal"),
    (r"people; at least (\d+) are needed \(a smaller team could be recognised in its answers\)",
     r"mensen; er zijn er minstens \1 nodig (een kleiner team is te herkennen aan zijn antwoorden)"),
    (r"empty file; expected a header row and one row per person \(at least",
     "leeg bestand; verwacht een kopregel en een rij per persoon (minstens"),
    (r"a header but no people; expected one row per person \(at least",
     "een kopregel maar geen mensen; verwacht een rij per persoon (minstens"),
    (r"\brows (\d)", r"rijen \1"), (r"\brow (\d)", r"rij \1"), (r", column '", ", kolom '"),
    (r"\ballowed:", "toegestaan:"),
)


# the command line parser's own messages (typer's, and the Pydantic ones it passes on for a value of the wrong
# type) in Dutch: applied to the whole message, in this order; option names, values and file names stay as written
USAGE_NL: tuple = (
    (r"^No such option: ", "onbekende optie: "), (r" \(Possible options: ", " (mogelijke opties: "),
    (r"^No such command ", "onbekende opdracht "), (r"\. Did you mean (.*)\?$", r"; bedoel je \1?"),
    (r"^Missing argument ", "ontbrekend argument "), (r"^Missing option ", "ontbrekende optie "),
    (r"^Missing parameter", "ontbrekende parameter"), (r"^Missing command\.", "geef een opdracht."),
    (r"^Invalid value for (.*?): ", r"ongeldige waarde voor \1: "), (r"^Invalid value: ", "ongeldige waarde: "),
    (r"^Got unexpected extra argument\(s\) \((.*)\)$", r"argument(en) te veel: \1"),
    (r"^Option (.*) requires an argument\.$", r"optie \1 heeft een waarde nodig."),
    (r"^Option (.*) requires (\d+) arguments\.$", r"optie \1 heeft \2 waarden nodig."),
    (r"^Option (.*) does not take a value\.$", r"optie \1 neemt geen waarde aan."),
    (r"Input should be a valid integer, got a number with a fractional part", "verwacht een geheel getal, geen "
                                                                              "breuk"),
    (r"Input should be a valid integer(, unable to parse string as an integer)?", "verwacht een geheel getal"),
    (r"Input should be a valid number(, unable to parse string as a number)?", "verwacht een getal"),
    (r"Input should be a valid boolean.*", "verwacht true of false"),
    (r"Input should be a valid string", "verwacht een tekst"),
    (r"Input should be (greater|less) than or equal to (\S+)",
     lambda m: f"verwacht {'minstens' if m.group(1) == 'greater' else 'hoogstens'} {m.group(2)}"),
    (r"Input should be (greater|less) than (\S+)",
     lambda m: f"verwacht {'meer' if m.group(1) == 'greater' else 'minder'} dan {m.group(2)}"),
    (r"Input should be ", "verwacht "),
    (r" is not one of ", " is niet een van "),
    (r"^Value (.*) is not a valid (\w+)\.$", r"waarde \1 is geen geldige \2."),
    (r"\b(?:File|Directory|Path) (.*) does not exist\.", r"\1 bestaat niet."),
    (r"\b(?:File|Directory|Path) (.*) is a file\.", r"\1 is een bestand."),
    (r"\b(?:File|Directory|Path) (.*) is a directory\.", r"\1 is een map."),
)


def usage_text(msg: str, command: str, lang: str) -> str:
    """A parse error of the command line (an unknown option, a missing argument, a value of the wrong type) as
    one line in ``lang``, pointing to ``command --help``."""
    msg = " ".join(str(msg).split())
    if lang == "nl":
        for pattern, repl in USAGE_NL:
            msg = re.sub(pattern, repl, msg)
    return f"{msg} {MSG[lang]['see_help'].format(command=command)}"


def error_text(msg: str, lang: str) -> str:
    """An error line in ``lang``: in Dutch its phrases translated (:data:`ERRORS_NL`), its source as written."""
    if lang != "nl" or ": " not in msg:
        return msg
    source, rest = msg.split(": ", 1)
    for pattern, repl in ERRORS_NL:
        rest = re.sub(pattern, repl, rest)
    return f"{source}: {rest}"


def lang_of(value: str | None, environ=os.environ) -> str:
    """``--lang`` in any case (``NL``, ``Nl``, ``nl``); without it, Dutch when the locale is Dutch
    (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``nl_NL.UTF-8``, ``nl_BE``, ``nl``), else English."""
    if value is not None and value != "":
        v = value.strip().lower()
        if v not in LANGS:
            raise ConfigError(MSG["en"]["lang_bad"].format(value=value))
        return v
    loc = environ.get("LC_ALL") or environ.get("LC_MESSAGES") or environ.get("LANG") or ""
    return "nl" if loc.lower().startswith("nl") else "en"


def argv_lang(argv: list[str]) -> str:
    """The language a command line asks for, before typer reads it (for notes printed before the command)."""
    value = next((a.split("=", 1)[1] for a in argv if a.startswith("--lang=")), None)
    if value is None and "--lang" in argv[:-1]:
        value = argv[argv.index("--lang") + 1]
    try:
        return lang_of(value)
    except ConfigError:
        return "en"


def number(x: float, lang: str, digits: int = 1) -> str:
    """A number with ``digits`` decimals, a decimal comma in Dutch."""
    s = f"{x:.{digits}f}"
    return s.replace(".", ",") if lang == "nl" else s


def localised(s: str, lang: str) -> str:
    """A number as :func:`sim.plots.fmt` writes it (``0.488``, ``12.5%``), with a decimal comma in Dutch."""
    return s.replace(".", ",") if lang == "nl" else s


def resolve_scenario(arg: Path, folder: Path, lang: str = "en") -> Path:
    """A scenario argument as a file: the path as given if it exists, else a shipped scenario by name
    (``controlling`` or ``controlling.toml`` in ``folder``). Otherwise a one-line error with the nearest
    shipped name and a pointer to ``orgsim scenarios``."""
    p = Path(arg)
    if p.exists():
        return p
    name = p.name[:-5] if p.name.endswith(".toml") else p.name
    if p.parent == Path(".") or p.parent == Path(""):
        shipped = folder / f"{name}.toml"
        if shipped.is_file():
            return shipped
    names = sorted(f.stem for f in folder.glob("*.toml"))
    near = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = MSG[lang]["did_you_mean"].format(near=near[0]) if near else ""
    raise ConfigError(MSG[lang]["no_scenario"].format(name=arg, hint=hint))


def is_organisation(sp) -> bool:
    return sp.team.teams > 1 or sp.org.levels > 1
