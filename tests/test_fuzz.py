"""Fuzzing the scenario file: hypothesis writes random and hostile scenario files (wrong types, out-of-range
values, unicode, markup, control characters, deep nesting, binary, broken TOML, plus --set overrides) and runs
`orgsim run` on each, in process. Every outcome must be a clean run (the three files, finite numbers, shares in
[0, 1]) or a clean refusal (exit 2, one line starting with `error:`, nothing written); the dashboard's picker
must list or leave out each file without failing. The counts are written to
out/test-artifacts/fuzz_counts.json.

Runs are kept short (at most 3 weeks) and the memory budget is that of a small machine (256 MiB), so that
big organisations are refused quickly rather than built.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim import budget
from sim.cli import app
from sim.params import EVENT_PARAMS, PARAMS, SECTIONS

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "out" / "test-artifacts"
cli = CliRunner()

HOSTILE = ["[/]", "[bold red]x[/]", "$$", "$x^2$", "\\$", "<script>alert(1)</script>", "\x1b[2J\x1b[31m",
           "a\nb\r\nc", "\u202eevil", "😀👩‍👩‍👧", ":smile:", "{0}%s%n", "\\", '"', "'''", "\x07\x08", " " * 200,
           "x" * 5000, "nan", "inf", "[[events]]", "é" * 50, "\ufeff", "\u0000"]


class Raw(str):
    """TOML text put in as it is (deep nesting, dates, broken literals)."""


def lit(v) -> str:
    """A value as a TOML literal (or broken text, for Raw)."""
    if isinstance(v, Raw):
        return str(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(lit(x) for x in v) + "]"
    return "{" + ", ".join(f"{key(k)} = {lit(x)}" for k, x in v.items()) + "}"


def key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


scalars = st.one_of(st.integers(-2**70, 2**70), st.floats(), st.booleans(), st.text(max_size=30),
                    st.sampled_from(HOSTILE))
hostile = st.one_of(
    scalars,
    st.lists(scalars, max_size=4),
    st.dictionaries(st.text(max_size=8), scalars, max_size=3),
    st.integers(1, 1500).map(lambda d: Raw("[" * d + "1" + "]" * d)),                   # deep nesting
    st.integers(1, 1500).map(lambda d: Raw("{a = " * d + "1" + "}" * d)),
    st.sampled_from([Raw("1979-05-27T07:32:00Z"), Raw("0x1F"), Raw("1_000"), Raw("[1, 2"), Raw('"open'),
                     Raw("tru"), Raw("+inf"), Raw("-0.0"), Raw("1e400"), Raw("\"\\ud800\"")]),
)


def valid(p):
    """A value the schema accepts for ``p`` (small organisations more often than big ones)."""
    if p.kind in ("choice",):
        return st.sampled_from(p.choices)
    if p.kind == "str":
        return st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE))
    if p.kind == "mix":
        return st.dictionaries(st.sampled_from(p.choices), st.floats(0, 5), max_size=3)
    if p.kind == "list":
        return st.lists(st.sampled_from(p.choices), max_size=3)
    if p.kind == "bool":
        return st.booleans()
    if p.kind == "int":
        small = st.integers(p.lo, min(p.hi, 20)) if p.key in ("team.size", "team.teams") else st.nothing()
        return st.one_of(small, small, st.integers(p.lo, p.hi))
    return st.floats(p.lo, p.hi)


@st.composite
def sections(draw) -> str:
    """A scenario file as TOML text: schema sections and keys (and some others), valid or hostile values."""
    lines = []
    for sec in draw(st.lists(st.one_of(st.sampled_from(SECTIONS), st.text(max_size=6)), max_size=5, unique=True)):
        lines.append(f"[{key(sec)}]")
        params = [p for p in PARAMS if p.section == sec]
        for _ in range(draw(st.integers(0, 4))):
            if params and draw(st.integers(0, 9)) < 8:
                p = draw(st.sampled_from(params))
                value = draw(valid(p) if draw(st.integers(0, 9)) < 7 else hostile)
                lines.append(f"{key(p.name)} = {lit(value)}")
            else:
                lines.append(f"{key(draw(st.text(min_size=1, max_size=10)))} = {lit(draw(hostile))}")
    for _ in range(draw(st.integers(0, 2))):
        lines.append("[[events]]")
        for p in draw(st.lists(st.sampled_from(EVENT_PARAMS), max_size=4, unique=True)):
            value = draw(valid(p) if draw(st.integers(0, 9)) < 7 else hostile)
            lines.append(f"{p.name} = {lit(value)}")
    return "\n".join(lines) + "\n"


SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))


@st.composite
def mutated(draw) -> str:
    """A shipped scenario with a few characters deleted, inserted or replaced."""
    text = draw(st.sampled_from(SHIPPED)).read_text()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        text = text[:i] + draw(st.sampled_from(["", "[", "]", "{", "=", '"', "\n", "#", "x", "0", "-1", "[/]", "$"])) \
            + text[i + draw(st.integers(0, 3)):]
    return text


documents = st.one_of(sections(), sections(), mutated(), st.binary(max_size=300), st.text(max_size=300))
sets = st.lists(st.one_of(
    st.builds(lambda p, v: f"{p.key}={lit(v)}", st.sampled_from(PARAMS), hostile),
    st.builds(lambda p, v: f"{p.key}={lit(v)}", st.sampled_from(PARAMS), st.just(0)),
    st.text(max_size=20)), max_size=2)


def outcome(res, out: Path) -> str:
    """'run', 'refused' or 'other' (with the reason)."""
    if res.exit_code == 0 and res.exception is None and "Traceback" not in res.output:
        if sorted(p.name for p in out.iterdir()) != ["summary.json", "timeseries.csv", "timeseries.png"]:
            return "other: files " + str(sorted(p.name for p in out.iterdir()))
        ts = pd.read_csv(out / "timeseries.csv")
        values = ts.select_dtypes("number").to_numpy(dtype=float)
        if not np.isfinite(values).all():
            return "other: a number that is not finite"
        shares = [c for c in ts.columns if c.endswith("_share") or c.startswith("zone_")]
        if not ((ts[shares] >= 0) & (ts[shares] <= 1)).all().all():
            return "other: a share outside [0, 1]"
        json.loads((out / "summary.json").read_text())
        return "run"
    if (res.exit_code == 2 and res.output.startswith("error: ") and res.output.count("\n") == 1
            and not out.exists()):
        return "refused"
    return f"other: exit {res.exit_code}, {res.exception!r}, {res.output[-300:]!r}"


def test_random_and_hostile_scenario_files_run_cleanly_or_are_refused_in_one_line(monkeypatch):
    from sim.dashboard import view as dash_app
    from sim.dashboard.picker import offered

    monkeypatch.setattr(budget, "available_bytes", lambda: int(256 * 2**20 / budget.SHARE))
    counts: Counter = Counter()

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(doc=documents, overrides=sets, weeks=st.integers(1, 3))
    def one(doc, overrides, weeks):
        with tempfile.TemporaryDirectory() as d:
            f = Path(d) / "fuzz.toml"
            f.write_bytes(doc if isinstance(doc, bytes) else doc.encode("utf-8", "surrogatepass"))
            args = ["run", str(f), "--weeks", str(weeks), "--out", str(Path(d) / "out")]
            for s in overrides:
                args += ["--set", s]
            what = outcome(cli.invoke(app, args), Path(d) / "out")
            counts["tried"] += 1
            counts[what if not what.startswith("other") else "other"] += 1
            assert not what.startswith("other"), what
            monkeypatch.setenv("ORGSIM_SCENARIOS", d)        # the dashboard's picker: listed or left out
            assert len(offered(dash_app.scenario_items("en"))) in (0, 1)

    one()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "fuzz_counts.json").write_text(json.dumps(dict(counts), indent=2))
    print(f"fuzz: tried {counts['tried']}, clean runs {counts['run']}, clean refusals {counts['refused']}, "
          f"other {counts['other']}")
    assert counts["other"] == 0 and counts["tried"] >= 100
    assert counts["run"] >= 10 and counts["refused"] >= 10       # both outcomes were reached
