"""The researchers' commands of ``orgsim``: experiment, analyze, discover, search, validate (registered on the
command line by :mod:`sim.cli`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from .cli_common import _atomic_write, _guard, _lang, err_console, out_console
from .cli_texts import MSG, localised
from .cli_texts import number as _num
from .outdir import check_out as _check_out
from .params import ConfigError


@_guard
def experiment(
    file: Annotated[Path, typer.Argument(help="Experiment TOML file (experiments/*.toml)")],
    out: Annotated[Path | None, typer.Option(help="Output directory (default: out/<file name>)")] = None,
    workers: Annotated[int | None, typer.Option(help="Local worker processes (default: every core; 1: in this "
                                                     "process)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://127.0.0.1:8786, "
                                                       "instead of local processes")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Run only what is missing in --out")] = False,
    csv: Annotated[bool, typer.Option("--csv", help="Also write runs.csv and timeseries.csv")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar")] = True,
):
    """Run an experiment (many runs): runs.parquet, timeseries.parquet, manifest.json; resumable."""
    from .experiment.run import run_experiment

    out = out if out is not None else Path("out") / file.stem
    try:
        s = run_experiment(file, out, workers=workers, scheduler=scheduler, resume=resume, progress=progress,
                           csv=csv)
    except KeyboardInterrupt:
        err_console.print(f"interrupted: the finished runs are kept in {out}; continue with --resume",
                          markup=False)
        raise typer.Exit(130) from None
    for note in s.get("notes", []):
        err_console.print(f"note: {note}")
    if s.get("warning"):
        err_console.print(f"warning: {s['warning']}", markup=False)
    if s["nothing_to_do"]:
        out_console.print(f"nothing left to do: all {s['runs']} runs of {file} are in {out} ({s['failed']} "
                          f"failed)", markup=False, soft_wrap=True)
        return
    names = ", ".join(Path(f).name for f in s["files"])
    out_console.print(f"{s['ran']} runs in {s['seconds']:.1f} s ({s['runs_per_second']:.1f} runs/s on "
                      f"{s['executor']}), {s['failed_now']} failed; all {s['runs']} runs done, {s['failed']} "
                      f"failed in all; wrote {out}/: {names}", markup=False, soft_wrap=True)


@_guard
def analyze(
    directory: Annotated[Path, typer.Argument(help="An experiment's output directory")],
    out: Annotated[Path | None, typer.Option(help="Where to write (default: DIRECTORY/analysis)")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Also export runs.csv and timeseries.csv there")] = False,
    lang: Annotated[str | None, typer.Option(help="Language of labels: en or nl")] = None,
    contrast: Annotated[str | None, typer.Option(help="Paired contrast FACTOR=A-B, e.g. "
                                                      "policy.name=delegating-controlling")] = None,
    x: Annotated[str | None, typer.Option("--x", help="Heatmaps: the factor across")] = None,
    y: Annotated[str | None, typer.Option("--y", help="Heatmaps: the factor up")] = None,
    stat: Annotated[str, typer.Option(help="Contrast summary and heatmap: mean (over weeks) or final")] = "mean",
    metric: Annotated[list[str] | None, typer.Option(help="Contrast heatmap metric (repeatable)")] = None,
    patterns: Annotated[bool, typer.Option("--patterns", help="Only the policy patterns of orgsim validate per "
                                                              "design point (an experiment with [variants])")] = False,
    doc: Annotated[Path | None, typer.Option(help="With --patterns: also write the table into this file between "
                                                  "its sensitivity markers")] = None,
):
    """Means with 95% CIs per design point, figures, Sobol/Morris indices of an experiment directory; with
    --contrast the paired differences A - B per design point (table, heatmap, one line per metric); with
    --patterns the share of the design points where each policy pattern holds (docs/calibration.md)."""
    from .experiment.analyze import analyze as run_analysis

    lang = _lang(lang)
    if out is not None:
        _check_out(out)
    if doc is not None and not patterns:
        raise ConfigError("--doc: only with --patterns")
    if patterns:
        from .pattern_sensitivity import patterns as run_patterns
        res = run_patterns(directory, out, doc)
        for note in res["notes"]:
            err_console.print(f"note: {note}", markup=False)
        out_console.print(res["markdown"], markup=False, soft_wrap=True)
        out_console.print("wrote " + ", ".join(res["files"]), markup=False, soft_wrap=True)
        return
    if contrast:   # checked before anything is written
        from .experiment.contrast import contrast as run_contrast
        con = run_contrast(directory, contrast, out, x=x, y=y, stat=stat, metrics=metric, lang=lang)
        for line in con["summary"]:
            out_console.print(line, markup=False, soft_wrap=True)
    res = run_analysis(directory, out, lang=lang, csv=csv, axes=(x, y) if x and y else None)
    if contrast:
        res["files"] += con["files"]
    for note in res["notes"]:
        err_console.print(f"note: {note}", markup=False)
    dest = out if out is not None else directory / "analysis"
    out_console.print(f"{res['design']} design, {res['points']} design points, {res['ok']} runs analysed "
                      f"({res['failed']} failed); wrote {dest}/: " + ", ".join(Path(f).name for f in res["files"]),
                      markup=False, soft_wrap=True)


@_guard
def discover(
    directory: Annotated[Path, typer.Argument(help="An experiment's output directory")],
    where: Annotated[str, typer.Option(help="The condition, e.g. 'contrast(output) > 0' or "
                                            "'mean_burnout_share < 0.1'")],
    contrast: Annotated[str | None, typer.Option(help="For contrast(...): FACTOR=A-B")] = None,
    stat: Annotated[str, typer.Option(help="A bare metric's statistic: mean (over weeks) or final")] = "mean",
    threshold: Annotated[float, typer.Option(help="Least density of the PRIM box chosen")] = 0.8,
    out: Annotated[Path | None, typer.Option(help="Where to write (default: DIRECTORY/analysis)")] = None,
    lang: Annotated[str | None, typer.Option(help="Language of labels: en or nl")] = None,
):
    """Scenario discovery (EMA workbench PRIM and CART): the region of the factors where a condition holds."""
    from .experiment.discover import discover as run_discover

    if out is not None:
        _check_out(out)
    res = run_discover(directory, where, contrast, stat, threshold, out, _lang(lang))
    for line in res["lines"]:
        out_console.print(line, markup=False, soft_wrap=True)
    out_console.print("wrote " + ", ".join(res["files"]), markup=False, soft_wrap=True)


@_guard
def search(
    file: Annotated[Path, typer.Argument(help="Search TOML file (experiments/search_*.toml)")],
    out: Annotated[Path | None, typer.Option(help="Output directory (default: out/<file name>)")] = None,
    workers: Annotated[int, typer.Option(help="Processes evaluating candidates")] = 1,
):
    """Policy search (EMA workbench, epsilon-NSGA-II): knob settings best on the file's objectives within its
    limits over many seeds; Pareto set, figure, the chosen policy as a scenario TOML, the five presets beside."""
    from .experiment.search import print_search, run_search

    out = out if out is not None else Path("out") / file.stem
    _check_out(out)
    if not 1 <= workers <= 64:
        raise ConfigError(f"--workers {workers}: allowed: integer in [1, 64]")
    print_search(run_search(file, out, workers), out_console)


@_guard
def validate_cmd(
    seeds: Annotated[int | None, typer.Option(help="Seeds per variant (default: the experiment's, 20)")] = None,
    out: Annotated[Path, typer.Option(help="Output directory")] = Path("out/validate"),
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: the CPUs available)")] = None,
    targets: Annotated[Path | None, typer.Option(help="Facts file (default experiments/targets_nl.toml)")] = None,
    experiment: Annotated[Path | None, typer.Option(help="Validation experiment (default "
                                                         "experiments/validation.toml)")] = None,
    lang: Annotated[str | None, typer.Option(help="Language of the table: en or nl")] = None,
):
    """Pattern-oriented validation: stylized facts vs the model; validation.csv and validation.md. Exit 1 if a
    fact fails."""
    from . import validate as val

    lang = _lang(lang)
    if seeds is not None and not 2 <= seeds <= 10_000:
        raise ConfigError(f"--seeds {seeds}: out of range; allowed: integer in [2, 10000]")
    if workers is not None and not 1 <= workers <= 256:
        raise ConfigError(f"--workers {workers}: out of range; allowed: integer in [1, 256]")
    _check_out(out)
    total = [0]

    def tick(n):
        total[0] += 1
        if sys.stderr.isatty():
            err_console.print("\r" + MSG[lang]["runs_done"].format(done=total[0], n=n), end="")

    table, info = val.validate(targets or val.TARGETS_FILE, experiment or val.DESIGN_FILE, seeds, workers, tick)
    if sys.stderr.isatty():
        err_console.print()
    out.mkdir(parents=True, exist_ok=True)
    _atomic_write(out / "validation.csv", lambda p: table.to_csv(p, index=False))
    _atomic_write(out / "validation.md", lambda p: Path(p).write_text(val.markdown(table, info, lang),
                                                                      encoding="utf-8"))
    t = Table(title=MSG[lang]["validate_title"].format(seeds=info["seeds"], runs=info["runs"],
                                                        seconds=_num(info["seconds"], lang, 0)))
    for c in val.HEAD[lang]:
        t.add_column(c, overflow="fold")
    for _, r in table.iterrows():
        t.add_row(r["description_nl" if lang == "nl" else "description_en"], r["source"],
                  localised(val.band_text(r), lang), localised(val.value_text(r), lang),
                  val.YES[lang][0] if r["passed"] else Text(val.YES[lang][1], style="red"))
    out_console.print(t)
    typer.echo(MSG[lang]["verdict"].format(passed=int(table["passed"].sum()), total=len(table),
                                           where=out / "validation.md"))   # one line, never wrapped
    if not table["passed"].all():
        raise typer.Exit(1)
