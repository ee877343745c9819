"""Projector mode and the story on the page, in a real browser (Playwright + Debian's chromium), in one page load.

At 1920x1080, 1280x720 and 1024x768 in projector mode (A/B on): the four key charts (the measures, the manager's
control, the four zones, the team) and the monitors are inside the window without scrolling, none overlaps
another or is cut off by its box, nothing covers them (no Solara badge), axis labels are at least 18 px. The
control curve and the zone dot change after +1 year; a click on a person opens their story; every parameter a
scenario text names is a control on the page. Screenshots go to ``out/test-artifacts/projector-*.png``.
"""

from __future__ import annotations

from pathlib import Path

from sim.dashboard.charts import BIG_FONT
from sim.dashboard.controls import PANEL_SECTIONS, named_in_scenarios

from test_dashboard_browser import ARTIFACTS, _browser, dashboard

ROOT = Path(__file__).resolve().parent.parent
KEY_CHARTS = ("curves", "control", "zones", "network")
SIZES = ((1920, 1080), (1024, 768), (1280, 720))   # the story last, at 1280x720

# every chart's SVG box and its cell's, the monitors' box, the window, and what is drawn on top of each chart
BOXES = """() => {
  const box = e => { const r = e.getBoundingClientRect();
                     return {x: r.left, y: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height}; };
  const out = {win: {w: window.innerWidth, h: window.innerHeight,
                     sw: document.documentElement.scrollWidth, sh: document.documentElement.scrollHeight},
               charts: {}, cells: {}, top: {}};
  for (const name of %s) {
    const svg = document.querySelector('.orgsim-projector .orgsim-' + name + ' svg');
    if (!svg) { return null; }
    out.charts[name] = box(svg);
    out.cells[name] = box(svg.closest('.orgsim-cell'));
    const b = out.charts[name], hit = document.elementFromPoint((b.x + b.r) / 2, (b.y + b.b) / 2);
    out.top[name] = !!(hit && hit.closest('.orgsim-' + name));
  }
  out.monitors = box(document.querySelector('.orgsim-projector .orgsim-monitors'));
  return out;
}""" % list(KEY_CHARTS)

AXIS_FONT = """(name) => Array.from(document.querySelectorAll('.orgsim-projector .orgsim-' + name
    + ' svg g.role-axis-label text')).map(t => parseFloat(getComputedStyle(t).fontSize))"""

FITTED = """(names) => names.every(n => {
  const svg = document.querySelector('.orgsim-projector .orgsim-' + n + ' svg');
  if (!svg) { return false; }
  const s = svg.getBoundingClientRect(), c = svg.closest('.orgsim-cell').getBoundingClientRect();
  return s.width > 80 && s.height > 80 && s.right <= c.right + 1 && s.bottom <= c.bottom + 1
         && (s.width >= 0.85 * c.width || s.height >= 0.85 * c.height);   // drawn for this size
})"""


def _overlap(a: dict, b: dict) -> float:
    return max(0.0, min(a["r"], b["r"]) - max(a["x"], b["x"])) * max(0.0, min(a["b"], b["b"]) - max(a["y"], b["y"]))


def _zone_dot(page) -> str:
    """The position of style A's dot (this week) in the zones chart."""
    return page.eval_on_selector_all(".orgsim-zones svg g.mark-symbol path",
                                     "els => els.filter(e => e.getAttribute('stroke') === '#000')"
                                     ".map(e => e.getAttribute('transform')).join('|')")


def _control_paths(page) -> str:
    return page.eval_on_selector_all(".orgsim-control svg g.mark-line path",
                                     "els => els.map(e => e.getAttribute('d')).join('|')")


def test_projector_mode_story_and_every_named_parameter():
    from playwright.sync_api import sync_playwright

    named = named_in_scenarios(ROOT / "scenarios")
    assert len(named) >= 10
    with dashboard("--lang", "en", log_name="dashboard-projector.log") as srv, sync_playwright() as pw:
        browser = _browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(srv["url"])
            page.locator(".orgsim-step").wait_for(timeout=90_000)
            page.locator(".orgsim-zones svg").wait_for(timeout=30_000)
            banner = page.get_by_text("This website runs on")            # Solara's badge: in its template only
            assert all(not banner.nth(i).is_visible() for i in range(banner.count()))

            # every parameter a scenario text names: a control with its key, in the side panel or the panel
            # "all parameters" (one section at a time)
            on_page = set(page.eval_on_selector_all("[data-key]", "els => els.map(e => e.dataset.key)"))
            for section in PANEL_SECTIONS:
                page.locator(".orgsim-section").click()
                label = page.locator(".v-menu__content:visible .v-list-item").nth(PANEL_SECTIONS.index(section))
                label.click()
                first = page.locator(".orgsim-allparams [data-key]").first
                first.wait_for(timeout=15_000)
                page.wait_for_function("(s) => document.querySelectorAll('.orgsim-allparams [data-key]').length"
                                       " > 0 && [...document.querySelectorAll('.orgsim-allparams [data-key]')]"
                                       ".every(e => e.dataset.key.startsWith(s + '.'))", arg=section)
                on_page |= set(page.eval_on_selector_all(".orgsim-allparams [data-key]",
                                                         "els => els.map(e => e.dataset.key)"))
            assert page.locator(".orgsim-policy-a").count() == 1
            on_page.add("policy.name")                           # the style picker
            missing = {k: f for k, f in named.items() if k not in on_page}
            assert not missing, f"named in a scenario text, no control on the page: {missing}"

            # a week, A/B on, then projector mode
            page.locator(".orgsim-step").click()
            page.locator(".orgsim-week b", has_text="1").wait_for()
            page.locator(".orgsim-ab .v-input--selection-controls__input").click()
            page.wait_for_function("() => document.querySelectorAll('.orgsim-curves svg g.mark-line path')"
                                   ".length == 8")
            page.locator(".orgsim-projector-toggle").click()
            page.locator(".orgsim-projector .orgsim-zones svg").wait_for(timeout=30_000)
            assert page.locator(".orgsim-sidebar").count() == 0 and page.locator(".orgsim-texts").count() == 0

            # +1 year moves the control curve and the zone dot
            dot, control = _zone_dot(page), _control_paths(page)
            assert dot and control
            page.locator(".orgsim-year").click()
            page.locator(".orgsim-week b", has_text="53").wait_for(timeout=30_000)
            page.wait_for_function("(old) => Array.from(document.querySelectorAll("
                                   "'.orgsim-control svg g.mark-line path')).map(e => e.getAttribute('d'))"
                                   ".join('|') !== old", arg=control)
            page.wait_for_function("(old) => Array.from(document.querySelectorAll("
                                   "'.orgsim-zones svg g.mark-symbol path')).filter(e => e.getAttribute('stroke')"
                                   " === '#000').map(e => e.getAttribute('transform')).join('|') !== old", arg=dot)

            for w, h in SIZES:
                page.set_viewport_size({"width": w, "height": h})
                page.wait_for_function(FITTED, arg=list(KEY_CHARTS), timeout=20_000)
                got = page.evaluate(BOXES)
                assert got is not None
                win = got["win"]
                assert win["sw"] <= w and win["sh"] <= h, f"{w}x{h}: the page scrolls: {win}"
                boxes = {**got["charts"], "monitors": got["monitors"]}
                for name, b in boxes.items():
                    assert b["x"] >= 0 and b["y"] >= 0 and b["r"] <= w and b["b"] <= h, (w, h, name, b)
                    if name in got["cells"]:
                        c = got["cells"][name]
                        assert b["r"] <= c["r"] + 1 and b["b"] <= c["b"] + 1, f"{w}x{h}: {name} cut off"
                        assert got["top"][name], f"{w}x{h}: something covers {name}"
                names = list(boxes)
                for i, a in enumerate(names):
                    for b in names[i + 1:]:
                        assert _overlap(boxes[a], boxes[b]) < 1, f"{w}x{h}: {a} overlaps {b}"
                for name in KEY_CHARTS[:3]:
                    sizes = page.evaluate(AXIS_FONT, name)
                    assert sizes and min(sizes) >= BIG_FONT >= 18, (w, h, name, sizes)
                page.screenshot(path=str(ARTIFACTS / f"projector-{w}x{h}.png"))

            # a click on a person: their story
            page.locator(".orgsim-network svg g.mark-symbol path").nth(3).click(force=True)
            page.locator(".orgsim-story .orgsim-person svg g.mark-line path").first.wait_for(timeout=15_000)
            assert page.locator(".orgsim-story h3").inner_text().startswith("Their story: Person")
            page.screenshot(path=str(ARTIFACTS / "projector-story.png"))
            page.locator(".orgsim-story-close").click()
            page.locator(".orgsim-story").wait_for(state="detached", timeout=15_000)
        finally:
            browser.close()
