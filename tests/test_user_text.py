"""User text is data: titles with rich markup, mathtext or control characters run and are shown as written; TOML
nested too deep is one line and exit 2 (in a file, a --set value, an experiment file, the dashboard's folder);
nothing is written before everything that can fail has been made."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import safe_toml
from sim.cli import app
from sim.params import ConfigError, load_scenario, text
from sim.safe_text import for_figure, one_line

ROOT = Path(__file__).resolve().parent.parent
cli = CliRunner()
HOSTILE = {"markup": "Team [/] [bold red]loud[/] :smile:", "math": "Costs $$ and $x^2$ \\$", "html":
           "<script>alert(1)</script> & \"quotes\"", "control": "bell \x07 escape \x1b[31m red"}


def scenario(tmp_path: Path, name: str, title: str) -> Path:
    src = (ROOT / "scenarios" / "controlling.toml").read_text()
    src = re.sub(r'(?m)^title_en = ".*"', lambda m: "title_en = " + json.dumps(title, ensure_ascii=False), src)
    p = tmp_path / f"{name}.toml"
    p.write_text(src, encoding="utf-8")
    assert text(load_scenario(p), "title", "en") == title
    return p


def one_line_exit_2(res, *words):
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    assert res.output.startswith("error: ") and res.output.count("\n") == 1, res.output
    for w in words:
        assert w in res.output, (w, res.output)


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_title_runs_and_is_shown_as_written(tmp_path, kind):
    """`[/]` (rich markup) and `$$` (matplotlib mathtext) crashed after timeseries.csv and summary.json were
    written; now they are text like any other."""
    title = HOSTILE[kind]
    f = scenario(tmp_path, kind, title)
    res = cli.invoke(app, ["run", str(f), "--weeks", "3", "--out", tmp_path / "o"])
    assert res.exit_code == 0 and res.exception is None, res.output
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["summary.json", "timeseries.csv",
                                                                  "timeseries.png"]
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["title"] == title
    shown = res.output.replace("\n", " ")
    if kind == "control":
        assert "\x1b" not in res.output and "\x07" not in res.output and "\\x1b" in shown
    else:
        assert " ".join(one_line(title).split()[:2]) in " ".join(shown.split())   # not eaten as markup
    res = cli.invoke(app, ["compare", str(f), str(ROOT / "scenarios" / "coaching.toml"), "--seeds", "2",
                           "--weeks", "3", "--out", tmp_path / "c"])
    assert res.exit_code == 0 and res.exception is None, res.output
    res = cli.invoke(app, ["report", str(f), "--seeds", "2", "--weeks", "3", "--out", tmp_path / "r"])
    assert res.exit_code == 0 and res.exception is None, res.output
    page = next((tmp_path / "r").glob("report.*.html")).read_text()
    if kind == "html":
        assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    else:
        assert title.split()[0] in page


def test_scenarios_listing_shows_markup_and_escapes_as_text(tmp_path, monkeypatch):
    import sim.cli as c
    for kind, title in HOSTILE.items():
        scenario(tmp_path, kind, title)
    monkeypatch.setattr(c, "scenario_dir", lambda: tmp_path)
    res = cli.invoke(app, ["scenarios"])
    assert res.exit_code == 0, res.output
    assert "[/]" in res.output and ":smile:" in res.output and "\x1b" not in res.output


def test_figure_text_has_no_mathtext():
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    for title in HOSTILE.values():
        s, math = Text()._preprocess_math(for_figure(title))
        assert not math and "\n" not in s
        fig = Figure()
        fig.suptitle(for_figure(title))
        fig.savefig(__import__("io").BytesIO(), format="png")
    assert Text()._preprocess_math(for_figure("$$"))[0] == "$$"


def test_no_file_is_written_when_the_last_output_cannot_be_made(tmp_path, monkeypatch):
    """Every output is made in memory before the first is written: a figure that fails leaves nothing."""
    import sim.plots as plots

    def broken(*a, **kw):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(plots, "timeseries_png", broken)
    monkeypatch.setattr(plots, "compare_png", broken)
    res = cli.invoke(app, ["run", str(ROOT / "scenarios" / "coaching.toml"), "--weeks", "2", "--out", tmp_path / "o"])
    one_line_exit_2(res, "No space left on device")
    assert not (tmp_path / "o").exists()
    res = cli.invoke(app, ["compare", str(ROOT / "scenarios" / "coaching.toml"),
                           str(ROOT / "scenarios" / "controlling.toml"), "--seeds", "2", "--weeks", "2",
                           "--out", tmp_path / "c"])
    one_line_exit_2(res)
    assert not (tmp_path / "c").exists()


DEEP = "[" * 1000 + "1" + "]" * 1000


@pytest.mark.parametrize("body, key", [
    (f"[team]\nsize = {DEEP}\n", "team.size"),
    ("[team]\nsize = " + "{a = " * 1000 + "1" + "}" * 1000 + "\n", "team.size"),
    ("[" + ".".join(["x"] * 1000) + "]\ny = 1\n", "x.x.x"),
    ("[team]\n" + ".".join(["a"] * 1000) + " = 1\n", "team.a.a"),
    (f"[scenario]\ntitle = 'x'\n[[events]]\nkind = {DEEP}\n", "events.kind"),
])
def test_toml_nested_1000_deep_is_one_line_naming_file_key_and_limit(tmp_path, body, key):
    f = tmp_path / "deep.toml"
    f.write_text(body)
    res = cli.invoke(app, ["run", str(f), "--out", tmp_path / "o"])
    one_line_exit_2(res, f"error: {f}: '{key}", f"allowed: at most {safe_toml.MAX_DEPTH} levels")
    assert not (tmp_path / "o").exists()


def test_toml_nested_1000_deep_in_a_set_value_and_an_experiment(tmp_path):
    res = cli.invoke(app, ["run", str(ROOT / "scenarios" / "coaching.toml"), "--set", f"team.size={DEEP}",
                           "--out", tmp_path / "o"])
    one_line_exit_2(res, "error: --set team.size=[[[[", "'team.size' is nested more than",
                    f"allowed: at most {safe_toml.MAX_DEPTH} levels")
    assert len(res.output) < 300 and not (tmp_path / "o").exists()
    exp = tmp_path / "deep_exp.toml"
    exp.write_text(f"[experiment]\nreplicates = 1\n[factors]\nteam.size = {DEEP}\n")
    res = cli.invoke(app, ["experiment", str(exp), "--out", tmp_path / "e"])
    one_line_exit_2(res, f"error: {exp}: 'factors.team.size' is nested more than")
    assert not (tmp_path / "e").exists()


def test_nesting_up_to_the_limit_reaches_the_schema_and_strings_do_not_count(tmp_path):
    deep_ok = "[" * safe_toml.MAX_DEPTH + "1" + "]" * safe_toml.MAX_DEPTH
    with pytest.raises(ConfigError, match="'team.size' = \\[\\[\\[.* is not allowed; allowed: integer"):
        load_scenario(None, [f"team.size={deep_ok}"])
    f = tmp_path / "s.toml"
    f.write_text('[scenario]\ntitle = """' + "[{" * 600 + '"""  # ' + "[" * 600 + "\n"
                 "description = '" + "[" * 600 + "'\n[team]\nsize = [\n  # ]]]]\n  3]\n")
    with pytest.raises(ConfigError, match="'team.size' = \\[3\\] is not allowed"):
        load_scenario(f)


def test_a_deep_file_in_the_dashboard_folder_is_left_out_and_the_sidebar_renders(tmp_path, monkeypatch, caplog):
    import ipyvuetify as v
    import solara

    from sim.dashboard import view as dash_app
    (tmp_path / "a_deep.toml").write_text(f"[team]\nsize = {DEEP}\n")
    scenario(tmp_path, "markup", HOSTILE["markup"])
    monkeypatch.setenv("ORGSIM_SCENARIOS", str(tmp_path))
    items = dash_app.scenario_items("en")
    assert [i["text"] for i in items if "value" in i] == [HOSTILE["markup"]]
    assert any("a_deep.toml: 'team.size' is nested more than" in r.getMessage() for r in caplog.records)
    dash = dash_app.Dashboard(dash_app.default_scenario())
    assert dash.scenario_path == tmp_path / "markup.toml"          # the first file the picker offers
    _, rc = solara.render(dash_app.Sidebar(dash, "en"), handle_error=False)
    try:
        sel = rc.find(v.Select, class_="orgsim-scenario").widget
        assert [i["text"] for i in sel.items if "value" in i] == [HOSTILE["markup"]]
    finally:
        rc.close()
    dash_app.lang_r.set("en")
    _, rc = solara.render(dash_app.Page(), handle_error=False)
    try:
        rc.find(v.Btn, children=["Step"]).assert_single()
    finally:
        rc.close()
        dash_app.lang_r.set("")


def test_error_lines_are_one_line_whatever_the_key(tmp_path):
    res = cli.invoke(app, ["run", str(ROOT / "scenarios" / "coaching.toml"), "--set", "team.a\nb=1",
                           "--out", tmp_path / "o"])
    one_line_exit_2(res, "unknown key 'team.a\\nb'")
    f = tmp_path / "k.toml"
    f.write_text('[team]\n"x\\ny\\u001b[31m" = 1\n')
    res = cli.invoke(app, ["run", str(f), "--out", tmp_path / "o"])
    one_line_exit_2(res, "unknown key 'team.x\\ny\\x1b[31m'")
    assert not (tmp_path / "o").exists()


def test_the_safe_toml_reader_agrees_with_tomllib_on_the_shipped_files():
    import tomllib
    for f in sorted((ROOT / "scenarios").glob("*.toml")) + sorted((ROOT / "experiments").glob("*.toml")):
        assert safe_toml.loads(f.read_text(), str(f)) == tomllib.loads(f.read_text())
    assert pd.isna(safe_toml.loads_value("nan", "--set x", "a.b"))
