"""The ``orgsim`` command line: run, compare, params, scenarios, demo, report, team, dashboard, workshop; the
researchers' commands are in :mod:`sim.cli_research`, what all share in :mod:`sim.cli_common`.

Bad input (a scenario file or an option) prints one line naming the file or option, the key and what is
allowed, exits with code 2, and writes nothing.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from . import __version__, cli_research
from .cli_common import (_STATE, Commands, _atomic_write, _check_option, _guard, _lang, _png, _table_metrics,
                         err_console, out_console, scenario_dir)
from .cli_texts import MSG, argv_lang, localised, resolve_scenario
from .cli_texts import number as _num
from .outdir import check_out as _check_out
from .params import EVENT_PARAMS, PARAMS, ConfigError, load_scenario, markdown_table, text
from .safe_text import one_line


app = typer.Typer(cls=Commands, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="orgsim: what leadership style does to people at work (an agent-based model on Mesa).")


# --------------------------------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------------------------------
def _version(value: bool):
    if value:
        typer.echo(f"orgsim {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit")] = False):
    """orgsim: what leadership style does to people at work (an agent-based model on Mesa)."""
    _STATE.clear()


@app.command()
@_guard
def run(
    scenario: Annotated[Path | None, typer.Argument(help="Scenario TOML file, or a shipped scenario's name "
                                                         "(controlling); see orgsim scenarios")] = None,
    weeks: Annotated[int | None, typer.Option(help="Weeks to simulate (default: the scenario's)")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the scenario's)")] = None,
    out: Annotated[Path, typer.Option(help="Output directory")] = Path("out/run"),
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override: section.key=value (repeatable)")] = None,
    agents: Annotated[bool, typer.Option("--agents", help="Also write agents.csv (one row per employee per week)")]
    = False,
    lang: Annotated[str | None, typer.Option(help="Language of labels: en or nl")] = None,
    per_team: Annotated[bool, typer.Option("--per-team", help="Also write per_team.csv (one row per team per "
                                           "week) and per_level.csv (one row per management level per week)")]
    = False,
    replay: Annotated[Path | None, typer.Option(help="Re-run a run of this experiment directory exactly "
                                                     "(with --run-id)")] = None,
    run_id: Annotated[int | None, typer.Option(help="With --replay: the run id (runs.parquet)")] = None,
):
    """Run one scenario; write timeseries.csv, summary.json, timeseries.png (and agents.csv, per_team.csv).
    With --replay DIR --run-id N: run N of an experiment again, exactly."""
    from . import budget
    from .plots import fmt, timeseries_png
    from .runner import run_one

    lang = _lang(lang)
    _check_option("--weeks", "scenario.weeks", weeks)
    _check_option("--seed", "scenario.seed", seed)
    _check_out(out)
    rep = None
    if replay is not None or run_id is not None:   # the experiment's run: its parameters, seed and weeks
        from .experiment.replay import replay_params
        if replay is None or run_id is None or scenario is not None or set_ or seed is not None or weeks:
            raise ConfigError("--replay DIR --run-id N: give both, and no scenario file, --set, --seed or --weeks "
                              "(the run's own are used)")
        rep = replay_params(replay, run_id)
        params, seed, weeks, scenario = rep["params"], rep["seed"], rep["weeks"], Path(f"{replay}#run{run_id}")
    elif scenario is None:
        raise ConfigError("orgsim run: give a scenario file (or --replay DIR --run-id N)")
    else:
        scenario = resolve_scenario(scenario, scenario_dir(), lang)
        params = load_scenario(scenario, set_)
    budget.check(params, str(scenario), weeks, agents, per_team)
    res = run_one(params, seed=seed, weeks=weeks, record_agents=agents, source=str(scenario), per_team=per_team)
    # everything that could still fail is made before the first file is written
    title = text(params, "title", lang)
    png = _png(timeseries_png, res.timeseries, title=title, lang=lang)
    summary = json.dumps(res.summary, indent=2)
    from .metrics import label
    t = Table(title=MSG[lang]["run_title"].format(title=one_line(title), weeks=res.summary["weeks"],
                                                  seed=res.summary["seed"],
                                                  seconds=_num(res.summary["seconds"], lang, 2)))
    t.add_column(MSG[lang]["metric"])
    t.add_column(MSG[lang]["final"], justify="right")
    for m in _table_metrics([params]):
        t.add_row(label(m, lang), localised(fmt(m, res.summary["final"][m]), lang))
    out.mkdir(parents=True, exist_ok=True)
    _atomic_write(out / "timeseries.csv", lambda p: res.timeseries.to_csv(p, index=False))
    _atomic_write(out / "summary.json", lambda p: Path(p).write_text(summary))
    _atomic_write(out / "timeseries.png", lambda p: Path(p).write_bytes(png))
    if agents:
        _atomic_write(out / "agents.csv", lambda p: res.agents.to_csv(p, index=False))
    if per_team:
        _atomic_write(out / "per_team.csv", lambda p: res.per_team.to_csv(p, index=False))
        _atomic_write(out / "per_level.csv", lambda p: res.per_level.to_csv(p, index=False))
    out_console.print(t)
    files = ["timeseries.csv", "summary.json", "timeseries.png"] + (["agents.csv"] if agents else []) + (
        ["per_team.csv", "per_level.csv"] if per_team else [])
    out_console.print(MSG[lang]["wrote"].format(out=out, files=", ".join(files)), soft_wrap=True)
    if rep is not None:
        from .experiment.replay import matches
        same = matches(rep, res.summary["final"])
        out_console.print(f"replayed run {run_id} of {replay} (design point {rep['point']}, replicate "
                          f"{rep['replicate']}, seed {rep['seed']}): final week "
                          + {True: "equals the recorded one", False: "DIFFERS from the recorded one",
                             None: "not recorded as a successful run"}[same], markup=False, soft_wrap=True)
        if same is False:
            raise typer.Exit(1)


@app.command()
@_guard
def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="Two or more scenario TOML files or shipped names")],
    seeds: Annotated[int, typer.Option(help="Seeds per scenario (the same seeds for each)")] = 10,
    weeks: Annotated[int | None, typer.Option(help="Weeks to simulate (default: each scenario's)")] = None,
    out: Annotated[Path, typer.Option(help="Output directory")] = Path("out/compare"),
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override for every scenario (repeatable)")]
    = None,
    lang: Annotated[str | None, typer.Option(help="Language of labels: en or nl")] = None,
):
    """Run scenarios over the same seeds; write compare.csv, compare.<lang>.png and final_means.csv; print
    final-week means."""
    lang = _lang(lang)
    _check_option("--weeks", "scenario.weeks", weeks)
    if not 1 <= seeds <= 10_000:
        raise ConfigError(f"--seeds {seeds}: out of range; allowed: integer in [1, 10000]")
    _check_out(out)
    scenarios = [resolve_scenario(p, scenario_dir(), lang) for p in scenarios]
    _compare_into(scenarios, seeds, weeks, out, set_, lang)


def _compare_into(scenarios, seeds, weeks, out, sets, lang, title=""):
    from .metrics import label
    from .plots import compare_png, fmt
    from .runner import check_budget, compare_params, final_table, scenario_labels

    if len(set(map(str, scenarios))) < len(scenarios):
        raise ConfigError("compare: the same scenario file is named twice; use --seeds for more runs of one file")
    params = {lab: load_scenario(p, sets) for lab, p in zip(scenario_labels(scenarios), scenarios)}  # validate all
    check_budget(params, scenarios, seeds, weeks)
    names = {k: text(v, "title", lang) for k, v in params.items()}
    n_runs = len(scenarios) * seeds
    t0 = time.perf_counter()
    df = compare_params(params, seeds, weeks, progress=_ticker(n_runs, lang))
    seconds = time.perf_counter() - t0
    from .report.compose import scenario_colours
    png = _png(compare_png, df, names=names, lang=lang, title=title,    # made before the first file is written
               colours=scenario_colours(params))                         # each style in its own colour
    ft = final_table(df)
    out.mkdir(parents=True, exist_ok=True)
    _atomic_write(out / "compare.csv", lambda p: df.to_csv(p, index=False))
    _atomic_write(out / f"compare.{lang}.png", lambda p: Path(p).write_bytes(png))   # beside other languages
    _atomic_write(out / "final_means.csv", lambda p: ft.to_csv(p, index=False))
    stat = ft.set_index(["metric", "scenario"])
    t = Table(title=MSG[lang]["compare_title"].format(week=int(df["week"].max()), seeds=seeds, runs=n_runs,
                                                       seconds=_num(seconds, lang)))
    t.add_column(MSG[lang]["metric"])
    for k in params:
        t.add_column(one_line(k), justify="right")
    for m in _table_metrics(params.values()):
        t.add_row(label(m, lang), *[localised(f"{fmt(m, stat.loc[(m, k), 'mean'])} "
                                              f"({fmt(m, stat.loc[(m, k), 'sd'])})", lang) for k in params])
    out_console.print(t)
    out_console.print(MSG[lang]["wrote"].format(out=out, files=f"compare.csv, compare.{lang}.png, final_means.csv"),
                      soft_wrap=True)
    return df


@app.command()
def params(markdown: Annotated[bool, typer.Option("--markdown", help="Print the docs table")] = False):
    """Print every parameter: name, default, allowed range, unit, meaning."""
    if markdown:
        typer.echo(markdown_table())
        return
    t = Table(title="orgsim parameters (scenario TOML sections; --set section.key=value)")
    t.add_column("key", no_wrap=True)
    for c in ("default", "allowed", "meaning"):
        t.add_column(c, overflow="fold")
    for p in PARAMS + EVENT_PARAMS:
        default = "policy's" if p.kind == "knob" else repr(p.default) if p.kind in ("str", "choice") else str(
            p.default)
        key = p.key if p.section != "events" else f"[[events]].{p.name}"
        t.add_row(key, default, p.allowed(), p.help)
    out_console.print(t)


@app.command()
@_guard
def scenarios(name: Annotated[str | None, typer.Argument(help="A scenario's name: show its texts and the "
                                                              "command lines of its suggestions")] = None,
              lang: Annotated[str | None, typer.Option(help="en or nl (default: from the locale)")] = None):
    """List the shipped scenarios (name and title, one team first, then organisations); with a NAME, show what
    it shows, how to use it, things to notice and to try, and the command lines of those suggestions."""
    from .scenario_list import show_list, show_one

    lang = _lang(lang)
    if name is None:
        show_list(scenario_dir(), lang, out_console)
    else:
        show_one(resolve_scenario(Path(name), scenario_dir(), lang), lang, out_console)


@app.command()
@_guard
def demo(
    seeds: Annotated[int, typer.Option(help="Seeds per style")] = 10,
    weeks: Annotated[int | None, typer.Option(help="Weeks (default 104)")] = None,
    out: Annotated[Path, typer.Option(help="Output directory")] = Path("out/demo"),
    lang: Annotated[str | None, typer.Option(help="Language: en or nl (default: from the locale)")] = None,
):
    """Controlling vs coaching, the same team, several seeds: report.<lang>.html and compare.<lang>.png in
    out/demo/ (those in other languages stay beside them)."""
    lang = _lang(lang)
    _check_option("--weeks", "scenario.weeks", weeks)
    _check_out(out)
    d = scenario_dir()
    files = [d / "controlling.toml", d / "coaching.toml"]
    from .runner import warm_up
    warm_up()   # also the loops big organisations share among cores: after a demo, a workshop never waits
    title = {"en": "Micromanaging or coaching?", "nl": "Micromanagen of coachen?"}[lang]   # the subtitle says who
    df = _compare_into(files, seeds, weeks, out, None, lang, title=title)
    from .report import build_report
    path = build_report(files, seeds, lang, out, weeks=weeks, title=title, data=df)
    opened = MSG[lang]["demo_open"].format(path=path.resolve(), figure=f"compare.{lang}.png")
    out_console.print(Text.assemble((MSG[lang]["demo_ready"], "bold"), opened), soft_wrap=True)


@app.command()
@_guard
def report(
    scenarios: Annotated[list[Path], typer.Argument(help="One or more scenario TOML files or shipped names")],
    seeds: Annotated[int, typer.Option(help="Seeds per scenario (the same seeds for each)")] = 10,
    weeks: Annotated[int | None, typer.Option(help="Weeks to simulate (default: each scenario's)")] = None,
    lang: Annotated[str | None, typer.Option(help="Language: en or nl (default: from the locale)")] = None,
    out: Annotated[Path, typer.Option(help="Output directory")] = Path("out/report"),
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override for every scenario (repeatable)")]
    = None,
):
    """The workshop handout: one self-contained report.<lang>.html (figures embedded, opens offline, prints
    well), its PNGs and CSVs: the numbers after 3, 12 and 24 months, the scenarios, curves, zones, the manager's
    week; how it was made in its appendix. Scenarios by file or by name (controlling)."""
    from .report import build_report

    lang = _lang(lang)
    _check_option("--weeks", "scenario.weeks", weeks)
    if not 1 <= seeds <= 10_000:
        raise ConfigError(f"--seeds {seeds}: out of range; allowed: integer in [1, 10000]")
    _check_out(out)
    scenarios = [resolve_scenario(p, scenario_dir(), lang) for p in scenarios]
    path = build_report(scenarios, seeds, lang, out, weeks=weeks, sets=set_,
                        progress=_ticker(len(scenarios) * seeds, lang))
    out_console.print(MSG[lang]["wrote_report"].format(path=path, figures=f"report_*.{lang}.png"),
                      markup=False, soft_wrap=True)


@app.command()
@_guard
def team(
    survey: Annotated[Path, typer.Argument(help="An anonymous team survey (CSV, one row per person; see "
                                                "docs/survey.md), or a scenario file with [team] survey")],
    seeds: Annotated[int, typer.Option(help="Seeds per style")] = 20,
    weeks: Annotated[int, typer.Option(help="Weeks ahead")] = 52,
    lang: Annotated[str | None, typer.Option(help="Language: en or nl (default: from the locale)")] = None,
    out: Annotated[Path, typer.Option(help="Output directory")] = Path("out/team"),
):
    """Your own team a year ahead under five styles: the handout team.<lang>.html from an anonymous survey."""
    from .team_report import STYLES, build_team_report

    lang = _lang(lang)
    _check_option("--weeks", "scenario.weeks", weeks)
    if not 1 <= seeds <= 1000:
        raise ConfigError(f"--seeds {seeds}: out of range; allowed: integer in [1, 1000]")
    _check_out(out)
    path = build_team_report(survey, lang, out, seeds, weeks, progress=_ticker(len(STYLES) * seeds, lang))
    out_console.print(MSG[lang]["wrote_report"].format(path=path, figures=f"team_*.{lang}.png"),
                      markup=False, soft_wrap=True)


def _ticker(n_runs: int, lang: str = "en"):
    """A progress callback that counts runs on a terminal (and stays silent otherwise)."""
    done = [0]

    def tick():
        done[0] += 1
        if sys.stderr.isatty():
            err_console.print("\r" + MSG[lang]["runs_done"].format(done=done[0], n=n_runs),
                              end="\n" if done[0] == n_runs else "")
    return tick


@app.command()
@_guard
def dashboard(
    lang: Annotated[str | None, typer.Option(help="Language of the page: en or nl (default: from the locale)")]
    = None,
    port: Annotated[int, typer.Option(help="Port to serve on (0: any free port)")] = 8765,
    host: Annotated[str, typer.Option(help="Address to listen on; the default serves this computer only")]
    = "127.0.0.1",
    scenarios: Annotated[Path | None, typer.Option(help="Folder of scenario files for the picker (default: the "
                                                        "shipped scenarios)")] = None,
):
    """The trainers' live dashboard in the browser: scenarios, sliders, A/B, events (no network needed)."""
    lang = _lang(lang)
    if not 0 <= port <= 65535:
        raise ConfigError(f"--port {port}: out of range; allowed: integer in [0, 65535]")
    folder = scenarios or scenario_dir()
    if not folder.is_dir() or not any(folder.glob("*.toml")):
        raise ConfigError(f"--scenarios {folder}: not a folder with scenario files (*.toml)")
    from .dashboard.server import serve
    from .runner import warm_up
    warm_up()  # load the compiled schedule now, not at the first click (a first run on a machine compiles it)
    serve(lang=lang, host=host, port=port, scenarios=folder, announce=out_console.print)


@app.command()
@_guard
def workshop(
    lang: Annotated[str | None, typer.Option(help="Language: en or nl (default: from the locale)")] = None,
    scenario: Annotated[str | None, typer.Option(help="Scenario file or shipped name (one team)")] = None,
    rounds: Annotated[int, typer.Option(help="Rounds (months of 4 weeks)")] = 12,
    lan: Annotated[bool, typer.Option(help="Let phones on this network join (default: this computer only)")] = False,
    port: Annotated[int, typer.Option(help="Port to serve on")] = 8766,
    seed: Annotated[int | None, typer.Option(help="Seed of every team (default: the scenario's)")] = None,
    out: Annotated[Path, typer.Option(help="Folder for the handout and CSV")] = Path("out/workshop"),
    max_players: Annotated[int, typer.Option(help="Most participants")] = 30,
    timer: Annotated[float, typer.Option(help="Seconds per round (0: no timer)")] = 90.0,
):
    """The workshop game: every participant leads a simulated team from their phone (sim/workshop)."""
    from .workshop.command import run as _workshop
    _workshop(_lang(lang), scenario, rounds, lan, port, seed, out, max_players, timer,
              say=lambda line: out_console.print(line, soft_wrap=True))


# the researchers' commands (sim.cli_research)
for _cmd in (cli_research.experiment, cli_research.analyze, cli_research.discover, cli_research.search):
    app.command()(_cmd)
app.command("validate")(cli_research.validate_cmd)


# commands that run the model: their heavy imports are loaded up front by main() (see _preload)
MODEL_COMMANDS = frozenset({"run", "compare", "demo", "experiment", "report", "validate", "dashboard", "analyze",
                            "discover", "search", "team", "workshop"})


def _preload(argv: list[str]) -> None:
    """For a command that runs the model, import numpy, pandas, Mesa, numba and matplotlib before it starts,
    with the cyclic garbage collector paused, then freeze what they built. Imports create about a million
    objects and next to no garbage: collecting while they load cost about 0.3 s of every command, and every
    later full collection walked them all again (0.1-0.2 s each). Frozen objects are never collected, as
    modules are not anyway. Other commands (``--help``, ``params``, ``scenarios``) stay as quick as they are."""
    if not (len(argv) > 1 and argv[1] in MODEL_COMMANDS):
        return
    # numpy's and scipy's OpenBLAS each start a thread per further core at import, which spins for about 0.1 s
    # before it sleeps: 0.2-0.4 s of processor time in every command (and every experiment worker) for linear
    # algebra the model never does at a size where threads help. The cores are the model's (numba) and the
    # workers'. A value the user set is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for name in ("runner", "plots"):
            importlib.import_module(f"{__package__}.{name}")
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    from .jit import cache_is_cold
    if "--help" not in argv and cache_is_cold():
        # a silent first run looks hung: say why it waits
        err_console.print(MSG[argv_lang(argv)]["first_run"], markup=False)


def main() -> None:  # console script entry point
    _preload(sys.argv)
    try:
        app()
    finally:
        # Everything is written and closed. Freezing the objects left at exit spares the interpreter's
        # shutdown from walking them all again with the cyclic garbage collector: 0.5-0.8 s of every command
        # after a company-sized run, 0.4 s after any (measured in docs/performance.md).
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    main()
