"""The workshop in a real browser (Playwright + Debian's chromium): a projector page at 1280x720 and three phones
at 390x844 play three rounds. Screenshots of the join screen, a phone's decision screen, the leaderboard and the
debrief, and the phone page's first-load size, go to out/test-artifacts/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_workshop_http import ARTIFACTS, in_process

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}


def test_projector_and_three_phones_play_three_rounds(tmp_path):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run tools/ensure-chromium.sh (make test does)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with in_process(tmp_path, rounds=3, lang="en") as w, sync_playwright() as pw:
        base = f"http://127.0.0.1:{w['port']}"
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        requests: list[str] = []
        try:
            proj = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
            proj.on("request", lambda r: requests.append(r.url))
            proj.goto(f"{base}/trainer#{w['trainer']}")
            proj.locator("#joincode").wait_for()
            assert proj.locator("#joincode").inner_text() == w["code"]
            assert "#" not in proj.url   # the trainer's token leaves the address bar
            assert proj.locator("#qr svg").count() == 1

            phones, sizes = [], []
            for i, nick in enumerate(("Ann", "Bram", "<i>hi</i>")):
                ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
                page = ctx.new_page()
                page.on("request", lambda r: requests.append(r.url))
                first: list = []
                page.on("requestfinished", lambda r, first=first: first.append(r))
                page.goto(f"{base}/?code={w['code']}")
                page.locator("#nick").wait_for()
                if i == 0:
                    sizes = [r.sizes() for r in first]
                    page.screenshot(path=str(ARTIFACTS / "workshop-phone-join.png"))
                if i == 1:
                    page.locator("button.lang").click()   # this phone plays in Dutch
                assert page.locator("#code").input_value() == w["code"]
                page.fill("#nick", nick)
                page.click("#join")
                phones.append(page)
            for page in phones:
                page.get_by_text("Wait for the trainer", exact=False).or_(
                    page.get_by_text("Wacht tot de trainer", exact=False)).wait_for()
            proj.locator(".chip").nth(2).wait_for()
            assert proj.locator(".chip").all_inner_texts() == ["Ann", "Bram", "<i>hi</i>"]   # text, not markup
            assert proj.locator("#players i").count() == 0
            proj.screenshot(path=str(ARTIFACTS / "workshop-projector-join.png"))

            for r in (1, 2, 3):
                proj.click("#start")
                for page in phones:
                    page.locator("#send").wait_for()
                ann, bram = phones[0], phones[1]
                ann.locator("[data-answer]").first.click()
                for _ in range(2):
                    ann.click("[data-minus=doing]")
                    ann.click("[data-plus=coaching]")
                ann.click("[data-autonomy='3']")
                ann.click("#send")
                ann.locator("#sent").wait_for()
                if r == 1:
                    ann.screenshot(path=str(ARTIFACTS / "workshop-phone-decision.png"), full_page=True)
                    assert "Verstuur" in bram.locator("#send").inner_text()   # Dutch on this phone
                    bram.screenshot(path=str(ARTIFACTS / "workshop-phone-decision-nl.png"), full_page=True)
                if r == 2:   # a phone that reloads keeps its token and finds its own choices (this month: 18 h
                    row = ann.locator("[data-plus=coaching]").locator("xpath=..")   # coaching, last month's 14 + 4)
                    assert "18" in row.inner_text()
                    ann.reload()
                    ann.locator("#sent").wait_for()
                    assert "18" in row.inner_text()
                bram.click("#send")
                bram.locator("#sent").wait_for()
                proj.locator("#answered", has_text="2 of 3").wait_for()
                proj.click("#close")
                if r < 3:
                    proj.locator("#board").wait_for()
                    for page in phones:
                        page.locator("#result").wait_for()
                    if r == 1:
                        proj.screenshot(path=str(ARTIFACTS / "workshop-projector-leaderboard.png"))
                        ann.screenshot(path=str(ARTIFACTS / "workshop-phone-result.png"), full_page=True)
                        names = proj.locator("#board tr:not(.ref) td.l").all_inner_texts()
                        assert sorted(names) == sorted(["Ann", "Bram", "<i>hi</i>"])
                        assert proj.locator("#board tr.ref").count() == 2   # the micromanager and the coach
            proj.locator("#bestworst").wait_for()
            proj.screenshot(path=str(ARTIFACTS / "workshop-projector-debrief.png"))
            for page in phones:
                page.locator("#moments").wait_for()
            phones[0].screenshot(path=str(ARTIFACTS / "workshop-phone-debrief.png"), full_page=True)
            assert phones[1].get_by_text("Jouw jaar").count() == 1
            assert proj.locator("#board td.l").filter(has_text="<i>hi</i>").count() == 1
        finally:
            browser.close()
    outside = sorted({u for u in requests if not u.startswith(base + "/")})
    assert not outside, outside
    first_load = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
    (ARTIFACTS / "workshop_phone_size.json").write_text(json.dumps({"requests": len(sizes), "bytes": first_load}))
    print("phone page first load:", len(sizes), "requests,", first_load, "bytes")
    assert 0 < first_load < 300_000
    assert len(sizes) == 3 and first_load < 100_000   # docs/workshop.md: "a few tens of kilobytes, three files"
