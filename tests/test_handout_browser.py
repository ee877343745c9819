"""The handouts in a real browser (Playwright + Debian chromium, as tests/test_dashboard_browser.py): what a
trainer sees first on a 1280x720 screen, nothing wider than the page, every figure drawn, nothing fetched.
Screenshots go to ``out/test-artifacts/`` (handout-nl.png, handout-nl-full.png, team-nl.png)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "out" / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
runner = CliRunner()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run tools/ensure-chromium.sh (make test does)")
    d = tmp_path_factory.mktemp("handouts")
    res = runner.invoke(app, ["demo", "--seeds", "3", "--weeks", "60", "--lang", "nl", "--out", str(d / "demo")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["team", str(ROOT / "examples" / "survey_team.csv"), "--seeds", "2", "--weeks", "13",
                              "--lang", "nl", "--out", str(d / "team")])
    assert res.exit_code == 0, res.output
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return {"handout": d / "demo" / "report.nl.html", "team": d / "team" / "team.nl.html"}


def _open(pw, path: Path, requests: list):
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return browser, page


def _inside_first_screen(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720 and box["x"] + box["width"] <= 1280


@pytest.mark.parametrize("which, first_cell", [("handout", "Bevlogenheid (score)"),
                                               ("team", "Bevlogenheid (score)")])   # the styles' first numbers
def test_the_first_screen_shows_the_title_and_the_first_numbers(pages, which, first_cell):
    from playwright.sync_api import sync_playwright
    requests: list[str] = []
    with sync_playwright() as pw:
        browser, page = _open(pw, pages[which], requests)
        try:
            assert _inside_first_screen(page, "h1") and _inside_first_screen(page, "p.sub")
            cell = page.locator("td", has_text=first_cell).first
            box = cell.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 720, box      # a number within the first screen
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # nothing wider than the screen
            imgs = page.evaluate("[...document.images].map(i => i.complete && i.naturalWidth > 0)")
            assert len(imgs) >= 3 and all(imgs)
            page.screenshot(path=str(ARTIFACTS / f"{which}-nl.png"))
            if which == "handout":
                page.screenshot(path=str(ARTIFACTS / "handout-nl-full.png"), full_page=True)
        finally:
            browser.close()
    assert requests and all(u.startswith(("file://", "data:")) for u in requests), requests
