"""The workshop report (`orgsim report`, `orgsim demo`): one self-contained report.html whose numbers are
those of `orgsim compare` for the same seeds, in English and Dutch, with the bad-input contract (exit 2, one
line, nothing written)."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.metrics import label
from sim.params import load_raw
from sim.report.build import HEADLINE, fmt
from sim.runner import final_table

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"
PAIR = (SCEN / "controlling.toml", SCEN / "coaching.toml")
SEEDS, WEEKS = 3, 60
runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


class Page(HTMLParser):
    """What a browser would fetch or follow (every src/href), the visible text, and the headline cells."""

    def __init__(self, doc: str):
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []     # (tag, attribute, value)
        self.imgs: list[str] = []
        self.text: list[str] = []
        self.cells: dict[tuple[str, int, str], str] = {}
        self.lang = ""
        self._cell: tuple | None = None
        self._in_mean = False
        self.feed(doc)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang", "")
        for k in ("src", "href", "data", "action", "poster", "srcset"):
            if a.get(k):
                self.urls.append((tag, k, a[k]))
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        if tag == "td" and "data-metric" in a:
            self._cell = (a["data-scenario"], int(a["data-week"]), a["data-metric"])
        if tag == "span" and a.get("class") == "mean":
            self._in_mean = True

    def handle_endtag(self, tag):
        if tag == "span":
            self._in_mean = False
        if tag == "td":
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._in_mean and self._cell:
            self.cells[self._cell] = data


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The same two scenarios, same seeds: a report in English, one in Dutch, and `orgsim compare`."""
    base = tmp_path_factory.mktemp("report")
    out = {}
    for lang in ("en", "nl"):
        res = invoke("report", *PAIR, "--seeds", SEEDS, "--weeks", WEEKS, "--lang", lang,
                     "--out", base / lang)
        assert res.exit_code == 0, res.output
        doc = (base / lang / "report.html").read_text(encoding="utf-8")
        out[lang] = (base / lang, doc, Page(doc))
    res = invoke("compare", *PAIR, "--seeds", SEEDS, "--weeks", WEEKS, "--out", base / "cmp")
    assert res.exit_code == 0, res.output
    out["compare"] = base / "cmp"
    return out


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_images_are_embedded_pngs_and_match_the_files(built, lang):
    d, doc, page = built[lang]
    assert len(page.imgs) >= 3
    written = {p.read_bytes() for p in d.glob("*.png")}
    assert len(written) >= 3
    for src in page.imgs:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert png[:8] == PNG
        assert png in written


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_nothing_is_fetched_or_linked_from_outside(built, lang):
    _, doc, page = built[lang]
    assert all(v.startswith("data:") for _, _, v in page.urls), page.urls
    assert not re.search(r"https?://|(src|href)\s*=\s*[\"']?//", doc, re.I)
    assert "<script" not in doc.lower() and "<link" not in doc.lower() and "@import" not in doc
    assert "@media print" in doc and "break-before: page" in doc


def test_report_data_is_compare_csv(built):
    data = pd.read_csv(built["en"][0] / "report_data.csv")
    cmp = pd.read_csv(built["compare"] / "compare.csv")
    pd.testing.assert_frame_equal(data, cmp)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_headline_numbers_equal_orgsim_compare(built, lang):
    _, _, page = built[lang]
    cmp = pd.read_csv(built["compare"] / "compare.csv")
    final = pd.read_csv(built["compare"] / "final_means.csv").set_index(["scenario", "metric"])
    weeks = {w for _, w, _ in page.cells}
    assert weeks == {13, 52, WEEKS}                     # 3 and 12 months, and the end of the run
    for sc in ("controlling", "coaching"):
        for m in HEADLINE:
            assert page.cells[(sc, WEEKS, m)] == fmt(m, final.loc[(sc, m), "mean"]), (sc, m)
            for w in (13, 52):                          # the same statistic at earlier weeks
                t = final_table(cmp[cmp.week <= w]).set_index(["scenario", "metric"])
                assert page.cells[(sc, w, m)] == fmt(m, t.loc[(sc, m), "mean"]), (sc, w, m)
    # and the numbers differ between the styles, so the check above is not trivially true
    assert page.cells[("controlling", WEEKS, "engagement")] != page.cells[("coaching", WEEKS, "engagement")]


def test_headline_csv_has_the_moments(built):
    head = pd.read_csv(built["en"][0] / "report_headline.csv")
    assert sorted(head.week.unique()) == [13, 52, WEEKS]
    assert set(HEADLINE) <= set(head.metric)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_titles_stories_and_labels_in_the_language(built, lang):
    _, doc, page = built[lang]
    text = " ".join(page.text)
    assert page.lang == lang
    for f in PAIR:
        sc = load_raw(f)["scenario"]
        for key in ("title", "description", "notice"):
            assert sc[f"{key}_{lang}"] in text, (f.name, key)
    for m in HEADLINE:
        assert label(m, lang) in text
    other = "nl" if lang == "en" else "en"
    assert load_raw(PAIR[0])["scenario"][f"notice_{other}"] not in text


def test_dutch_and_english_differ_in_labels(built):
    en, nl = " ".join(built["en"][2].text), " ".join(built["nl"][2].text)
    assert "Bevlogenheid" in nl and "Bevlogenheid" not in en
    assert "Engagement" in en
    assert "De week van de manager" in nl and "The manager's week" in en


def test_same_seeds_same_report(built, tmp_path):
    res = invoke("report", *PAIR, "--seeds", SEEDS, "--weeks", WEEKS, "--lang", "en", "--out", tmp_path)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == built["en"][1]


def test_one_scenario_and_a_short_run(tmp_path):
    res = invoke("report", SCEN / "reorganisation.toml", "--seeds", 2, "--weeks", 20, "--lang", "en",
                 "--out", tmp_path)
    assert res.exit_code == 0, res.output
    page = Page((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert {w for _, w, _ in page.cells} == {13, 20}
    assert "Reorganisation in weeks 26-38" in " ".join(page.text)   # the set-up line names the event


# ------------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("args, needle", [
    (["MISSING"], "no such scenario file"),
    (["BAD"], "'team.size' = -3"),
    (["--set", "policy.nmae=x"], "did you mean 'name'"),
    (["--seeds", "0"], "--seeds 0: out of range"),
    (["--weeks", "0"], "--weeks 0: out of range"),
    (["--lang", "fr"], "--lang fr"),
    (["DUP"], "named twice"),
])
def test_bad_input_exit_2_one_line_nothing_written(tmp_path, args, needle):
    bad = tmp_path / "bad.toml"
    bad.write_text("[team]\nsize = -3\n")
    sub = {"MISSING": tmp_path / "missing.toml", "BAD": bad, "DUP": PAIR[0]}
    out = tmp_path / "out"
    res = invoke("report", PAIR[0], "--out", out, "--seeds", 1, "--weeks", 5, *[sub.get(a, a) for a in args])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], res.output
    assert not out.exists()


def test_bad_input_leaves_an_earlier_report_intact(tmp_path):
    out = tmp_path / "out"
    assert invoke("report", PAIR[0], "--seeds", 1, "--weeks", 5, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.toml"
    bad.write_text("[policy]\nname = 'x'\n")
    assert invoke("report", PAIR[0], bad, "--out", out).exit_code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_out_that_is_a_file_is_refused(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    res = invoke("report", PAIR[0], "--out", f, "--seeds", 1, "--weeks", 5)
    assert res.exit_code == 2 and "not a directory" in res.output
    assert f.read_text() == "x"


# ------------------------------------------------------------------------------------------------------ demo
def test_demo_writes_the_report_and_says_where(tmp_path):
    out = tmp_path / "demo"
    res = invoke("demo", "--seeds", 2, "--weeks", 20, "--out", out, "--lang", "nl")
    assert res.exit_code == 0, res.output
    for name in ("report.html", "compare.csv", "compare.png", "final_means.csv"):
        assert (out / name).exists(), name
    assert "report.html" in res.output.replace("\n", "")
    doc = (out / "report.html").read_text(encoding="utf-8")
    page = Page(doc)
    assert page.lang == "nl" and "Micromanagen of coachen?" in doc and "Bevlogenheid" in doc
    assert page.imgs and all(s.startswith("data:image/png;base64,") for s in page.imgs)
    final = pd.read_csv(out / "final_means.csv").set_index(["scenario", "metric"])
    mean = final.loc[("coaching", "engagement"), "mean"]
    assert page.cells[("coaching", 20, "engagement")] == fmt("engagement", mean)
