"""The workshop handout (`orgsim report`, `orgsim demo`): one self-contained report.<lang>.html per language,
side by side, whose numbers are those of `orgsim compare` for the same seeds shown in the reader's convention,
with the bad-input contract (exit 2, one line, nothing written)."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.metrics import label
from sim.params import load_raw, load_scenario
from sim.palette import STYLE_COLOURS, ZONE_COLOURS
from sim.report import reader
from sim.report.build import HEADLINE
from sim.report.texts import WORDS
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
        self.means: dict[tuple[str, int, str], float] = {}
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
            self.means[self._cell] = float(a["data-mean"])
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
    """The same two scenarios, same seeds: a report in English and one in Dutch in the same folder, and
    `orgsim compare`."""
    base = tmp_path_factory.mktemp("report")
    out = {}
    for lang in ("nl", "en"):
        res = invoke("report", *PAIR, "--seeds", SEEDS, "--weeks", WEEKS, "--lang", lang, "--out", base / "r")
        assert res.exit_code == 0, res.output
        doc = (base / "r" / f"report.{lang}.html").read_text(encoding="utf-8")
        out[lang] = (base / "r", doc, Page(doc))
    res = invoke("compare", *PAIR, "--seeds", SEEDS, "--weeks", WEEKS, "--out", base / "cmp")
    assert res.exit_code == 0, res.output
    out["compare"] = base / "cmp"
    return out


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_images_are_embedded_pngs_and_match_the_files(built, lang):
    d, doc, page = built[lang]
    assert len(page.imgs) >= 3
    written = {p.read_bytes() for p in d.glob(f"*.{lang}.png")}
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
            mean = final.loc[(sc, m), "mean"]
            assert page.means[(sc, WEEKS, m)] == pytest.approx(mean, rel=1e-12, abs=1e-15), (sc, m)
            target = load_scenario(ROOT / "scenarios" / f"{sc}.toml").work.target
            assert page.cells[(sc, WEEKS, m)] == reader.value(m, mean, lang, 12, target), (sc, m)
            for w in (13, 52):                          # the same statistic at earlier weeks
                t = final_table(cmp[cmp.week <= w]).set_index(["scenario", "metric"])
                assert page.means[(sc, w, m)] == pytest.approx(t.loc[(sc, m), "mean"], rel=1e-12, abs=1e-15)
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
        assert WORDS[lang]["row_" + m] in text
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
    assert (tmp_path / "report.en.html").read_text(encoding="utf-8") == built["en"][1]


def test_one_scenario_and_a_short_run(tmp_path):
    res = invoke("report", SCEN / "reorganisation.toml", "--seeds", 2, "--weeks", 20, "--lang", "en",
                 "--out", tmp_path)
    assert res.exit_code == 0, res.output
    page = Page((tmp_path / "report.en.html").read_text(encoding="utf-8"))
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
    for name in ("report.nl.html", "compare.csv", "compare.nl.png", "final_means.csv"):
        assert (out / name).exists(), name
    assert "report.nl.html" in res.output.replace("\n", "")
    assert "demo klaar:" in res.output and "wrote" not in res.output
    doc = (out / "report.nl.html").read_text(encoding="utf-8")
    page = Page(doc)
    assert page.lang == "nl" and "Micromanagen of coachen?" in doc and "Bevlogenheid" in doc
    assert page.imgs and all(s.startswith("data:image/png;base64,") for s in page.imgs)
    final = pd.read_csv(out / "final_means.csv").set_index(["scenario", "metric"])
    mean = final.loc[("coaching", "engagement"), "mean"]
    assert page.cells[("coaching", 20, "engagement")] == reader.value("engagement", mean, "nl", 12, 0.65)


# ----------------------------------------------------------------------------------- a handout, not a lab report
def _body_and_appendix(doc: str) -> tuple[str, str]:
    """The visible text before the appendix, and the appendix's."""
    import html as h
    body, appendix = doc.split('<section id="appendix"', 1)
    strip = lambda s: h.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>|src=\"[^\"]*\"", "", s,  # noqa
                                                                     flags=re.S)))
    return strip(body), strip(appendix)


def test_the_dutch_body_speaks_dutch_numbers_and_no_tool_words(built):
    _, doc, _ = built["nl"]
    body, appendix = _body_and_appendix(doc)
    for word in (r"\bruns?\b", r"\bseeds?\b", r"--set", r"\borgsim\b", r"\.(csv|png|toml|md|html)\b",
                 r"(^|\s)/\w+/", r"[A-Za-z]:\\", r"https?://", r"\bwww\."):
        assert not re.search(word, body, re.I), (word, re.search(r".{40}" + word + r".{20}", body, re.I | re.S))
    assert re.search(r"\d,\d", body)                      # decimal commas (hours, set-up)
    assert not re.search(r"\d\.\d(?!\d\d)", body)         # no decimal points (10.008 is a Dutch thousand)
    assert re.search(r"\d+ van de 12", body)              # people as whole people
    assert re.search(r"\d+ \((laag|gemiddeld|hoog)\)", body)
    # how it was made and how to make it again: in the appendix
    assert "orgsim report controlling coaching --seeds 3 --lang nl --weeks 60" in appendix
    assert "orgsim run controlling --set policy.blame=0.2" in appendix
    assert re.search(r"\bseeds? 1-3\b", appendix)


def test_the_english_body_has_no_tool_words_either(built):
    body, _ = _body_and_appendix(built["en"][1])
    assert not re.search(r"\bruns?\b|\bseeds?\b|--set|\.(csv|png|toml)\b", body, re.I)


def test_languages_sit_side_by_side(built):
    d = built["nl"][0]
    assert {p.name for p in d.glob("report.*.html")} == {"report.nl.html", "report.en.html"}
    assert Page(built["nl"][1]).lang == "nl" and Page(built["en"][1]).lang == "en"   # nl kept after en
    assert (d / "report.html").read_text(encoding="utf-8") == built["nl"][1]   # the plain name: the first
    # language written there; the English report written after it did not replace it


def test_colours_are_the_styles_and_never_a_zone(built):
    _, doc, _ = built["nl"]
    assert f"--c: {STYLE_COLOURS['controlling']}" in doc and f"--c: {STYLE_COLOURS['coaching']}" in doc
    for c in ZONE_COLOURS.values():
        assert f"--c: {c}" not in doc


def test_title_and_subtitle_are_composed_from_the_scenarios():
    from sim.params import load_scenario, text
    from sim.report.compose import scenario_colours, title_and_subtitle
    zones = {z: load_scenario(SCEN / f"zone_{z}.toml") for z in ("learning", "comfort", "anxiety", "apathy")}
    head, sub = title_and_subtitle({k: text(v, "title", "nl") for k, v in zones.items()}, zones, "nl", 104)
    assert head == "De vier zones"
    assert sub == "De leerzone, de comfortzone, de angstzone en de apathiezone: hetzelfde team van 12 mensen, twee jaar"
    pair = {k: load_scenario(f) for k, f in zip(("controlling", "coaching"), PAIR)}
    head, sub = title_and_subtitle({k: text(v, "title", "nl") for k, v in pair.items()}, pair, "nl", 104)
    assert " vs " not in sub and sub.startswith("De micromanager en de vertrouwende coach: ")
    colours = scenario_colours(zones)
    assert len(set(colours.values())) == 4 and not set(colours.values()) & set(ZONE_COLOURS.values())
    assert colours["learning"] == STYLE_COLOURS["coaching"]     # zone_learning's manager coaches


def test_the_zone_figure_counts_weeks_per_zone_per_quarter():
    from sim.report.figures import ZONES, quarter_shares
    from sim.runner import compare
    df = compare([SCEN / "reorganisation.toml"], seeds=2, weeks=52)
    q = quarter_shares(df)
    assert list(q.index) == [1, 2, 3, 4]
    assert np.allclose(q[list(ZONES)].sum(axis=1), 1.0)
    assert q.loc[1, "zone_learning"] > 0.8 and q.loc[3, "zone_learning"] < 0.6   # the shock moves the team


def test_demo_in_both_languages_into_one_folder_overwrites_nothing_of_the_other(tmp_path):
    """`orgsim demo --lang nl`, then `--lang en` into the same folder: every file either carries its language in
    its name (and the Dutch ones are as they were), or is the same in both languages (the data)."""
    out = tmp_path / "demo"
    args = ("--seeds", 2, "--weeks", 6, "--out", out)
    assert invoke("demo", *args, "--lang", "nl").exit_code == 0
    dutch = {p.name: p.read_bytes() for p in out.iterdir()}
    assert invoke("demo", *args, "--lang", "en").exit_code == 0
    both = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(dutch) <= set(both)
    for name, data in dutch.items():
        assert both[name] == data, f"{name} was replaced by the English demo"
    added = sorted(set(both) - set(dutch))
    assert added and all(".en." in n for n in added), added
    assert {n.replace(".nl.", ".en.") for n in dutch if ".nl." in n} == set(added)
    assert {"compare.nl.png", "compare.en.png", "report.nl.html", "report.en.html"} <= set(both)
