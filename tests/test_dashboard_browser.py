"""The dashboard in a real browser: `orgsim dashboard` in a subprocess, driven by Playwright with Debian's
chromium.

One page walks through what a trainer does: pick a scenario, step 10 weeks, move a slider, switch to A/B, fire an
event, run and pause, switch to Dutch; a second server is started as the acceptance script does
(`--lang nl`). Every request a page makes is recorded and must stay on 127.0.0.1. Screenshots and the measured
step latency go to ``out/test-artifacts/``.

Chromium is installed by ``tools/ensure-chromium.sh`` (``make test``); when it is missing these tests fail and
say so (they never download a browser).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sim.metrics import label as metric_label
from sim.params import BY_KEY, load_scenario, text

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "out" / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ORGSIM = Path(sys.executable).parent / "orgsim"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp*) with a socket listening on ``port``."""
    found = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, p = local.split(":")
            if state == "0A" and int(p, 16) == port:
                found.add(addr)
    return found


def _wait_until(cond, timeout: float, what: str, interval: float = 0.2):
    """Poll ``cond`` until it returns something truthy, or fail after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = cond()
        if got:
            return got
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def scenario_dir(tmp_path_factory):
    """The shipped scenarios plus a team of 50 (the size the step latency is measured at)."""
    d = tmp_path_factory.mktemp("scenarios")
    for f in (ROOT / "scenarios").glob("*.toml"):
        shutil.copy(f, d / f.name)
    src = (ROOT / "scenarios" / "controlling.toml").read_text()
    team50 = re.sub(r'title_en = ".*"', 'title_en = "Team of 50 under a micromanager"', src)
    team50 = re.sub(r'title_nl = ".*"', 'title_nl = "Team van 50 onder een micromanager"', team50)
    team50 = re.sub(r"(?m)^size = \d+", "size = 50", team50)
    (d / "team50.toml").write_text(team50)
    assert load_scenario(d / "team50.toml").team.size == 50
    return d


@contextlib.contextmanager
def dashboard(*args: str, log_name: str):
    """``orgsim dashboard --port P ARGS`` in a subprocess; yields once the page answers (polled, at most 60 s)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run tools/ensure-chromium.sh (make test does) to install Debian's "
                    "chromium; the browser tests never download one")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    # no SOLARA_* variables: the dashboard must switch telemetry off itself
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOLARA_", "ORGSIM_"))}
    env["LANG"] = "C.UTF-8"
    log = open(ARTIFACTS / log_name, "w")  # noqa: SIM115  (closed in the finally below)
    proc = subprocess.Popen([str(ORGSIM), "dashboard", "--port", str(port), *args], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"

    def page_html():
        if proc.poll() is not None:
            pytest.fail(f"orgsim dashboard exited with {proc.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read().decode()
        except OSError:
            return None

    try:
        html = _wait_until(page_html, 60, f"the dashboard to answer at {url}")
        yield {"url": url, "port": port, "html": html}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def server(scenario_dir):
    with dashboard("--lang", "en", "--scenarios", str(scenario_dir), log_name="dashboard-server.log") as srv:
        yield srv


def _browser(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)


def _outside(requests: list[str], port: int) -> list[str]:
    local = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/", "data:", "blob:")
    return sorted({u for u in requests if not u.startswith(local)})


def test_dutch_page_with_no_outside_requests():
    """What the acceptance script runs: `orgsim dashboard --lang nl` with the shipped scenarios."""
    from playwright.sync_api import sync_playwright

    with dashboard("--lang", "nl", log_name="dashboard-server-nl.log") as srv, sync_playwright() as pw:
        assert "leiderschap" in srv["html"]                      # the page title, before any script runs
        for host in ("cdn.jsdelivr", "unpkg.com", "googleapis"):
            assert host not in srv["html"]
        browser = _browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(srv["url"])
            page.locator(".orgsim-step", has_text="Stap").wait_for(timeout=60_000)
            page.locator(".orgsim-curves svg").wait_for(timeout=30_000)
            assert metric_label("engagement", "nl") in _svg_text(page, "curves")
            assert BY_KEY["policy.blame"].label_nl in page.locator(".orgsim-sidebar").inner_text()
            page.locator(".orgsim-year").click()
            page.locator(".orgsim-week b", has_text="52").wait_for(timeout=30_000)
            page.wait_for_function("() => document.querySelectorAll('.orgsim-network svg path').length > 0")
            page.screenshot(path=str(ARTIFACTS / "dashboard-nl-year.png"))
        finally:
            browser.close()
    assert requests and not _outside(requests, srv["port"]), _outside(requests, srv["port"])


def test_serves_only_this_machine_and_no_cdn(server):
    addrs = _listening_addresses(server["port"])
    assert addrs, "nothing listens on the port"
    assert addrs <= {"0100007F", "00000000000000000000000001000000"}, f"listens beyond 127.0.0.1: {addrs}"
    html = server["html"]
    for host in ("cdn.jsdelivr", "unpkg.com", "googleapis", "solara.dev/static"):
        assert host not in html


LINES = "document.querySelectorAll('.orgsim-curves svg g.mark-line path')"


def _line_paths(page, name: str) -> list[str]:
    return page.eval_on_selector_all(f".orgsim-{name} svg g.mark-line path",
                                     "els => els.map(e => e.getAttribute('d'))")


def _svg_text(page, name: str) -> str:
    return page.eval_on_selector_all(f".orgsim-{name} svg text", "els => els.map(e => e.textContent).join('|')")


def _panels(page) -> list[list[int]]:
    """Per panel of the curves chart (one per metric): [number of curves, number of axis groups]."""
    return page.eval_on_selector_all(
        ".orgsim-curves svg g.role-scope[class*='concat_']:not([class*='pathgroup'])",
        "els => els.map(g => [g.querySelectorAll('g.mark-line path').length,"
        "                     g.querySelectorAll('g.role-axis').length])")


# Step button click -> week counter changed (and -> curves redrawn), timed inside the page
STEP_TIMER = """async () => {
  const week = () => document.querySelector('.orgsim-week b').textContent;
  const paths = () => Array.from(document.querySelectorAll('.orgsim-curves svg g.mark-line path'))
                           .map(e => e.getAttribute('d')).join('|');
  const w0 = week(), p0 = paths(), t0 = performance.now();
  document.querySelector('.orgsim-step').click();
  let counter = null, plots = null;
  while (performance.now() - t0 < 15000 && (counter === null || plots === null)) {
    await new Promise(r => requestAnimationFrame(r));
    if (counter === null && week() !== w0) counter = performance.now() - t0;
    if (plots === null && paths() !== p0) plots = performance.now() - t0;
  }
  return {counter, plots, week: week()};
}"""


def test_trainer_walkthrough(server, scenario_dir):
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as pw:
        browser = _browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1300})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(server["url"])
            page.locator(".orgsim-week").wait_for(timeout=60_000)
            page.locator(".orgsim-curves svg").wait_for(timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "dashboard-start.png"))

            # pick a scenario: the team of 50
            title = text(load_scenario(scenario_dir / "team50.toml"), "title", "en")
            page.locator(".orgsim-scenario").click()
            page.locator(".v-menu__content .v-list-item", has_text=title).click()
            page.locator(".orgsim-texts", has_text=title).wait_for(timeout=15_000)
            assert page.locator(".orgsim-week b").inner_text() == "0"

            # step 10 weeks, timing each step in the page
            timings = []
            for i in range(10):
                t = page.evaluate(STEP_TIMER)
                assert t["week"] == str(i + 1), t
                timings.append(t)
            assert page.locator(".orgsim-week").inner_text().split()[:2] == ["Week", "10"]
            page.wait_for_function(f"() => {LINES}.length == 4")
            after10 = _line_paths(page, "curves")
            single = _panels(page)
            assert [n_lines for n_lines, _ in single] == [1, 1, 1, 1], single
            assert len(after10) == 4  # engagement, burnout, output, trust: one policy each
            assert all(d and d.count("L") + d.count("C") >= 5 for d in after10), "curves should span 10 weeks"
            page.screenshot(path=str(ARTIFACTS / "dashboard-week10.png"))
            counter_ms = [t["counter"] for t in timings]
            plot_ms = [t["plots"] for t in timings if t["plots"] is not None]
            (ARTIFACTS / "dashboard-latency.json").write_text(json.dumps({
                "team_size": 50, "step_to_week_counter_ms": counter_ms, "step_to_plots_ms": plot_ms,
                "median_counter_ms": statistics.median(counter_ms),
                "median_plots_ms": statistics.median(plot_ms) if plot_ms else None}, indent=1))
            assert None not in counter_ms
            assert len(plot_ms) >= 8, "the curves should be redrawn after (almost) every step"

            # move a slider (blame on failure): the run is replayed with the new value, the curves change
            blame = page.locator('.orgsim-slider[data-key="policy.blame"]')
            before = blame.locator(".orgsim-slider-label").inner_text()
            blame.locator(".v-slider__thumb-container").focus()
            for _ in range(6):
                page.keyboard.press("ArrowLeft")
            page.get_by_text("replayed weeks 1-10 with the new value").wait_for(timeout=15_000)
            assert blame.locator(".orgsim-slider-label").inner_text() != before
            page.wait_for_function(f"(old) => Array.from({LINES}).map(e => e.getAttribute('d')).join('|') !== old",
                                   arg="|".join(after10))
            assert page.locator(".orgsim-week b").inner_text() == "10"

            # A/B: the same team under two policies, both curves on the same axes
            page.locator(".orgsim-ab .v-input--selection-controls__input").click()
            page.wait_for_function(f"() => {LINES}.length == 8")
            legend = _svg_text(page, "curves")
            assert "A: Controlling" in legend and "B: Coaching" in legend
            # still one panel (one set of axes) per metric, now holding both policies' curves
            panels = _panels(page)
            assert [n_lines for n_lines, _ in panels] == [2, 2, 2, 2], panels
            assert [n_axes for _, n_axes in panels] == [n_axes for _, n_axes in single], (panels, single)
            assert page.locator(".orgsim-network svg g.mark-symbol").count() >= 2  # both teams drawn
            page.locator(".orgsim-monitors", has_text="B: Coaching").wait_for()
            page.screenshot(path=str(ARTIFACTS / "dashboard-ab.png"))

            # fire an event at week 10: it starts next week in both models
            page.locator(".orgsim-fire-pressure").click()
            page.get_by_text("Pressure crunch (8 weeks) from week 11").wait_for(timeout=15_000)

            # Run until a few weeks have passed, then Pause: the week counter stops with the button back to Run
            page.locator(".orgsim-run", has_text="Run").click()
            page.locator(".orgsim-run", has_text="Pause").wait_for()
            page.wait_for_function("() => +document.querySelector('.orgsim-week b').textContent >= 13")
            page.locator(".orgsim-run").click()
            page.locator(".orgsim-run", has_text="Run").wait_for()
            paused_at = int(page.locator(".orgsim-week b").inner_text())
            assert paused_at >= 13
            page.locator(".orgsim-step").click()
            page.locator(".orgsim-week b", has_text=str(paused_at + 1)).wait_for()

            # Dutch
            page.locator(".orgsim-lang button", has_text="NL").click()
            dutch = metric_label("engagement", "nl")
            page.wait_for_function("(w) => (document.querySelector('.orgsim-curves svg') || {}).textContent"
                                   "?.includes(w)", arg=dutch)
            page.locator(".orgsim-slider-label", has_text=BY_KEY["team.size"].label_nl).wait_for()
            page.locator(".orgsim-step", has_text="Stap").wait_for()
            assert "Bevlogenheid" in _svg_text(page, "curves")
            page.screenshot(path=str(ARTIFACTS / "dashboard-nl.png"))
        finally:
            browser.close()

    outside = _outside(requests, server["port"])
    assert requests and not outside, f"requests outside 127.0.0.1: {outside}"
