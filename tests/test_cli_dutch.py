"""The command line in Dutch (--lang nl in any case, or a Dutch locale), scenarios by name with "did you mean",
and `orgsim scenarios` readable at 80 columns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.cli_texts import MSG, lang_of

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"
runner = CliRunner()
ENGLISH = re.compile(r"\bwrote\b|\bseeds\b|\bready\b|\bfile\b|\bdescription\b|\bmetric\b|did you mean", re.I)


def invoke(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "80", "LANG": "C.UTF-8", "LC_ALL": "",
                                                           "LC_MESSAGES": "", **(env or {})})


def test_every_message_has_both_languages():
    assert set(MSG["en"]) == set(MSG["nl"])
    for k in MSG["en"]:
        assert set(re.findall(r"{(\w+)", MSG["en"][k])) == set(re.findall(r"{(\w+)", MSG["nl"][k])), k


@pytest.mark.parametrize("value", ["nl", "NL", "Nl", " nL "])
def test_lang_in_any_case(value):
    assert lang_of(value) == "nl"
    res = invoke("scenarios", "--lang", value)
    assert res.exit_code == 0, res.output
    assert "De micromanager" in res.output and "Scenario's in" in res.output


@pytest.mark.parametrize("env, lang", [({"LANG": "nl_NL.UTF-8"}, "nl"), ({"LC_ALL": "nl_BE.UTF-8"}, "nl"),
                                       ({"LANG": "en_GB.UTF-8"}, "en"), ({}, "en")])
def test_the_locale_chooses_the_language(env, lang):
    res = invoke("scenarios", env=env)
    assert res.exit_code == 0, res.output
    assert ("De micromanager" in res.output) == (lang == "nl")


def test_a_bad_language_is_one_line_exit_2():
    res = invoke("scenarios", "--lang", "fr")
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == ["error: --lang fr: allowed: 'en' or 'nl'"]


def test_scenarios_fits_80_columns_and_names_every_scenario():
    res = invoke("scenarios", "--lang", "nl")
    lines = res.output.splitlines()
    assert max(len(ln) for ln in lines) <= 80
    assert len(lines) <= 2 * len(list(SCEN.glob("*.toml")))
    for f in SCEN.glob("*.toml"):
        assert re.search(rf"^{f.stem}\s", res.output, re.M), f.stem
    first_org = res.output.index("baseline_nl")
    assert res.output.index("zone_learning") < first_org        # one team first, organisations after


def test_one_scenario_shows_its_texts_with_labels_and_its_command_lines():
    res = invoke("scenarios", "controlling", "--lang", "nl")
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "Zet ‘Schuld bij fouten’ op 0,2" in flat and "Op de opdrachtregel:" in flat
    assert "orgsim run controlling --set policy.blame=0.2" in flat


@pytest.mark.parametrize("cmd", [("run",), ("report",), ("compare", "coaching"), ("scenarios",)])
def test_a_misspelt_name_gets_did_you_mean_and_a_pointer(cmd, tmp_path):
    res = invoke(*cmd[:1], "controling", *cmd[1:], "--lang", "nl", *(["--out", tmp_path / "o"]
                                                                      if cmd[0] != "scenarios" else []))
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    assert "bedoel je 'controlling'?" in lines[0] and "orgsim scenarios" in lines[0]
    assert not (tmp_path / "o").exists()


def test_run_and_compare_by_name_in_dutch(tmp_path):
    res = invoke("run", "controlling", "--weeks", 3, "--lang", "nl", "--out", tmp_path / "r")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r" / "timeseries.csv").exists()
    assert "geschreven in" in res.output and "startgetal" in res.output and "laatste week" in res.output
    assert not ENGLISH.search(res.output), res.output
    assert re.search(r"\d,\d{3}\b", res.output) and not re.search(r"\d\.\d", res.output)   # decimal commas
    res = invoke("compare", "controlling", "coaching.toml", "--seeds", 2, "--weeks", 3, "--out", tmp_path / "c",
                 env={"LANG": "nl_NL.UTF-8"})
    assert res.exit_code == 0, res.output
    assert "startgetallen" in res.output and "simulaties" in res.output and "Bevlogenheid" in res.output
    assert not ENGLISH.search(res.output), res.output


def test_report_and_demo_speak_dutch(tmp_path):
    res = invoke("report", "reorganisation", "--seeds", 1, "--weeks", 4, "--out", tmp_path, "--lang", "nl")
    assert res.exit_code == 0, res.output
    assert "geschreven:" in res.output and not ENGLISH.search(res.output)
    assert (tmp_path / "report.nl.html").exists()


@pytest.mark.parametrize("argv, word", [(["--lang", "NL"], "gecompileerd"), (["--lang=nl"], "gecompileerd"),
                                        (["--lang", "en"], "compiling the model's loops")])
def test_the_first_run_note_speaks_the_commands_language(monkeypatch, capsys, argv, word):
    import sim.cli as cli
    import sim.jit as jit
    monkeypatch.setattr(jit, "cache_is_cold", lambda folder=None: True)
    monkeypatch.setattr(cli.gc, "freeze", lambda: None)
    cli._preload(["orgsim", "run", "controlling", *argv])
    assert word in capsys.readouterr().err


@pytest.mark.parametrize("args, line", [
    (["run", "BAD"], "fout: {bad}: 'team.size' = -3 is niet toegestaan; toegestaan: geheel getal in [1, 1000] "
                     "(mensen)"),
    (["run", "controlling", "--set", "policy.nmae=1"], "fout: --set policy.nmae=1: onbekende sleutel 'policy.nmae'; "
                                                        "bedoel je 'name'?"),
    (["run", "controlling", "--weeks", "0"], "fout: --weeks 0: buiten het bereik; toegestaan: geheel getal in "
                                             "[1, 2600] (weken)"),
    (["team", "SURVEY"], "fout: {survey}: rij 5, kolom 'uwes': 9 valt buiten het bereik; toegestaan: een getal in "
                         "[0, 6]"),
])
def test_error_lines_in_dutch_and_the_file_name_as_written(tmp_path, args, line):
    bad = tmp_path / "row 3 is not allowed.toml"        # user text in the line stays as written
    bad.write_text("[team]\nsize = -3\n")
    survey = tmp_path / "column 'x' out of range.csv"
    survey.write_text("uwes\n3\n3\n3\n9\n3\n3\n")
    sub = {"BAD": bad, "SURVEY": survey}
    res = invoke(*[sub.get(a, a) for a in args], "--lang", "nl", "--out", tmp_path / "o")
    assert res.exit_code == 2
    assert res.output.strip() == line.format(bad=bad, survey=survey)
    res = invoke(*[sub.get(a, a) for a in args], "--out", tmp_path / "o")        # English as before
    assert res.exit_code == 2 and res.output.startswith("error: ") and "toegestaan" not in res.output


# the parser's own messages (an unknown option or command, a missing argument, a value of the wrong type)
PARSE_ERRORS = [
    (["run", "controlling", "--wekes", "3"], "'--wekes'", "No such option", "onbekende optie", "orgsim run"),
    (["compare"], "'scenarios'", "Missing argument", "ontbrekend argument", "orgsim compare"),
    (["demo", "--seeds", "many"], "'--seeds'", "Invalid value for", "verwacht een geheel getal", "orgsim demo"),
    (["run", "controlling", "--weeks"], "'--weeks'", "requires an argument", "heeft een waarde nodig", "orgsim run"),
    (["runn"], "'runn'", "No such command", "onbekende opdracht", "orgsim"),
    (["scenarios", "controlling", "extra"], "extra", "unexpected extra argument", "te veel", "orgsim scenarios"),
    (["team", "x.csv", "--weeks", "1.5"], "'--weeks'", "Invalid value for", "verwacht een geheel getal",
     "orgsim team"),
]
PARSER_ENGLISH = re.compile(r"No such|Missing|Invalid|Input should|requires|unexpected|Usage|Try |Error|Did you",
                            re.I)


@pytest.mark.parametrize("args, names, en, nl, command", PARSE_ERRORS, ids=lambda a: " ".join(a)
                         if isinstance(a, list) else None)
@pytest.mark.parametrize("lang", ["en", "nl", "locale"])
def test_parse_errors_are_one_line_in_the_commands_language(tmp_path, args, names, en, nl, command, lang):
    env = {"LANG": "nl_NL.UTF-8"} if lang == "locale" else None
    extra = ["--lang", lang] if lang != "locale" else []
    res = runner.invoke(app, [*args[:1], *extra, *args[1:]], prog_name="orgsim", env={"COLUMNS": "80", "LANG": "C.UTF-8",
                                                                       "LC_ALL": "", "LC_MESSAGES": "", **(env or {})})
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    line = lines[0]
    assert names.strip("'").lower() in line.lower()                     # names the option or argument
    if lang == "en":
        word = re.sub(r"\s+", " ", en)
        assert line.startswith("error: ") and word in line and f"(see '{command} --help')" in line, line
    else:
        assert line.startswith("fout: ") and nl in line and f"(zie '{command} --help')" in line, line
        assert not PARSER_ENGLISH.search(line), line
    assert "╭" not in res.output and not list(tmp_path.iterdir())


def test_parse_error_suggestions_in_dutch():
    res = runner.invoke(app, ["runn", "--lang", "nl"], prog_name="orgsim")
    assert res.output.strip() == "fout: onbekende opdracht 'runn'; bedoel je 'run'? (zie 'orgsim --help')"
    res = runner.invoke(app, ["run", "--agents=3", "--lang", "nl"], prog_name="orgsim")
    assert res.output.strip() == "fout: optie '--agents' neemt geen waarde aan. (zie 'orgsim run --help')"


def test_the_bare_command_still_shows_its_help():
    res = invoke()
    assert "Usage" in res.output and "run" in res.output and "fout" not in res.output
