"""The dashboard serves only its own page: a foreign Host or Origin is refused, a forged picker value (sent over
the page's own WebSocket) is refused without reading the file, slider and language values outside what the page
offered are refused, no traceback or server path reaches the browser, and the offline assets come from a folder
the server made itself (a planted folder is never used).

In process: the Solara components with values set as the browser would set them. Against a real server
(`orgsim dashboard` in a subprocess): HTTP and WebSocket requests with foreign headers, and Chromium (Playwright)
whose WebSocket messages are rewritten on their way to the server.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import stat
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import ipyvuetify as v
import pytest
import solara

import sim.params
from sim.dashboard import server as dash_server
from sim.dashboard import view as dash_view
from sim.dashboard_guard import HostCheck
from test_dashboard_browser import CHROMIUM, _browser, dashboard

ROOT = Path(__file__).resolve().parent.parent
SECRET_TITLE = "FORGED SECRET TITLE 4711"


def make_folder(base: Path) -> Path:
    """A picker folder ``base/offered`` with three shipped scenarios; beside it ``secret.toml``, a valid
    scenario file nobody offered."""
    d = base / "offered"
    d.mkdir()
    for name in ("controlling", "coaching", "delegating"):
        shutil.copy(ROOT / "scenarios" / f"{name}.toml", d)
    src = (ROOT / "scenarios" / "coaching.toml").read_text()
    (base / "secret.toml").write_text(re.sub(r'(?m)^title_en = ".*"', f'title_en = "{SECRET_TITLE}"', src))
    return d


@pytest.fixture
def folder(tmp_path, monkeypatch):
    d = make_folder(tmp_path)
    monkeypatch.setenv("ORGSIM_SCENARIOS", str(d))
    return d


@pytest.fixture
def reads(monkeypatch):
    """Every scenario file read through sim.params (the only way the dashboard reads one)."""
    seen = []
    real = sim.params.load_raw

    def spy(path):
        seen.append(Path(path))
        return real(path)
    monkeypatch.setattr(sim.params, "load_raw", spy)
    return seen


def refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "refused a value from the browser" in r.getMessage()]


# ------------------------------------------------------------------------------------------------- in process
def test_a_forged_scenario_path_is_refused_before_any_file_is_read(folder, tmp_path, reads, caplog):
    dash = dash_view.Dashboard(dash_view.default_scenario())
    assert dash.scenario_path == folder / "controlling.toml"
    _, rc = solara.render(dash_view.Sidebar(dash, "en"), handle_error=False)
    try:
        sel = rc.find(v.Select, class_="orgsim-scenario").widget
        reads.clear()
        for forged in (str(tmp_path / "secret.toml"), "/etc/passwd", str(folder / ".." / "secret.toml"),
                       str(folder / "coaching.toml") + "\x00", ["a"], 7):
            sel.v_model = forged                     # as the browser's WebSocket message sets it
        assert reads == [] and dash.scenario_path == folder / "controlling.toml"
        assert len(refusals(caplog)) == 6 and all("scenario:" in m for m in refusals(caplog))
        sel.v_model = str(folder / "coaching.toml")  # what the page offered is taken
        assert dash.scenario_path == folder / "coaching.toml" and reads == [folder / "coaching.toml"]
    finally:
        rc.close()


def test_slider_and_language_values_outside_the_page_are_refused(folder, caplog):
    dash = dash_view.Dashboard(dash_view.default_scenario())
    _, rc = solara.render(dash_view.Sidebar(dash, "en"), handle_error=False)
    try:
        size = rc.find(v.Slider).widgets[0]          # team.size: 1 to 100 on the page
        for bad in ("12", 101, 0, 1e9, float("nan"), True, None, [5], {"x": 1}):
            size.fire_event("change", bad)
            size.v_model = bad                       # the label follows the thumb: only numbers it can show
        assert dash.overrides == {} and dash.models["A"].org.n_positions == 12
        size.fire_event("change", 30)
        assert dash.overrides == {"team.size": 30} and dash.models["A"].org.n_positions == 30
        pol = rc.find(v.Select, class_="orgsim-policy-a").widget
        pol.v_model = "__import__('os')"
        assert dash.policy_a == "controlling"
        ab = rc.find(v.Switch, class_="orgsim-ab").widget
        ab.v_model = "yes"
        assert dash.ab is False
    finally:
        rc.close()
    dash_view.lang_r.set("en")
    _, rc = solara.render(dash_view.LanguageButtons("en"), handle_error=False)
    try:
        toggle = rc.find(v.BtnToggle, class_="orgsim-lang").widget
        for bad in (True, 5, -1, "nl", 0.5):
            toggle.v_model = bad
        assert dash_view.lang_r.value == "en"
        toggle.v_model = 1
        assert dash_view.lang_r.value == "nl"
    finally:
        rc.close()
        dash_view.lang_r.set("")
    assert len(refusals(caplog)) == 9 * 2 - 1 + 2 + 5     # (a "change" to None is no change: not logged)


def _texts(rc) -> str:
    """Everything the page would show: text of HTML widgets, alerts and buttons."""
    out = []
    for w in rc.find(v.VuetifyWidget).widgets + rc.find(solara.widgets.HTML).widgets:
        for attr in ("unsafe_innerHTML", "children", "label"):
            val = getattr(w, attr, None)
            out.append(str(val))
    return "\n".join(out)


def test_errors_reach_the_server_log_as_one_line_and_the_browser_never(folder, monkeypatch, caplog):
    def leak(*a, **kw):
        raise RuntimeError("/srv/secret/path/scenario.toml: Traceback (most recent call last)")
    dash_view.lang_r.set("en")
    monkeypatch.setattr(dash_view.Dashboard, "step", leak)      # a handler that fails: the page goes on
    _, rc = solara.render(dash_view.Page(), handle_error=False)
    try:
        rc.find(v.Btn, children=["Step"]).widget.click()
        rc.find(v.Btn, children=["Step"]).assert_single()
        monkeypatch.setattr(dash_view, "monitors_html", leak)   # drawing that fails: a notice, then start again
        rc.find(v.Btn, children=["Reset"]).widget.click()
        shown = _texts(rc)
        assert "Something went wrong" in shown and "/srv/secret" not in shown and "Traceback" not in shown
        monkeypatch.undo()
        rc.find(v.Btn, class_="orgsim-again").widget.click()
        rc.find(v.Btn, children=["Step"]).assert_single()
    finally:
        rc.close()
        dash_view.lang_r.set("")
    lines = [r.getMessage() for r in caplog.records if r.name == "orgsim.dashboard"]
    assert any(m == "orgsim dashboard: RuntimeError in go; the page goes on" for m in lines), lines
    assert any("RuntimeError while drawing the page" in m for m in lines), lines
    assert not any("/srv/secret" in m or "\n" in m for m in lines)


def test_host_check_accepts_only_the_address_it_listens_on():
    local = HostCheck("127.0.0.1", 8765)
    for good in ("127.0.0.1:8765", "localhost:8765", "LOCALHOST:8765", "[::1]:8765"):
        assert local(good), good
    for bad in ("evil.example:8765", "127.0.0.1:8766", "127.0.0.1", "127.0.0.1.nip.io:8765", "", "a:b:c",
                "127.0.0.1:8765@evil", "192.168.1.5:8765"):
        assert not local(bad), bad
    assert local.origin("http://127.0.0.1:8765") and not local.origin("http://evil.example:8765")
    assert not local.origin("null") and not local.origin("https://127.0.0.1:8765/x")
    wide = HostCheck("0.0.0.0", 80)
    assert wide("192.168.1.5") and wide("[fe80::1]:80") and not wide("rebind.example")


def test_the_assets_folder_cannot_be_pre_planted():
    """Another user could create the old, guessable folder first and put their JavaScript in it; the server
    now makes its own folder (mkdtemp: a new name, mode 0700, this user's) and never looks at that one."""
    src = dash_server._INSTALLED_ASSETS
    tag = hashlib.sha1(str(src.resolve()).encode()).hexdigest()[:10]
    planted = Path(tempfile.gettempdir()) / f"orgsim-solara-assets-{os.getuid()}-{tag}"
    made = not planted.exists()
    try:
        if made:
            (planted / "vega@5" / "build").mkdir(parents=True)
            (planted / "vega@5" / "build" / "vega.min.js").write_text("alert('planted')")
        d = dash_server.offline_assets()
        assert d != planted and not str(d).startswith(str(planted))
        st = os.lstat(d)
        assert stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) == 0o700
        served = (d / "vega@5" / "build" / "vega.min.js").read_bytes()
        assert served == (src / "vega@5.21.0" / "build" / "vega.min.js").read_bytes() and b"planted" not in served
    finally:
        if made:
            shutil.rmtree(planted)


# ------------------------------------------------------------------------------------------ a real server
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    d = tmp_path_factory.mktemp("guard")
    offered = make_folder(d)
    os.mkfifo(d / "pipe.toml")   # read by nobody: opening it to read would block the server
    with dashboard("--lang", "en", "--scenarios", str(offered), log_name="dashboard-guard.log") as srv:
        yield {**srv, "dir": d, "offered": offered, "log": ROOT / "out" / "test-artifacts" / "dashboard-guard.log"}


def _get(url: str, **headers) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_a_foreign_host_or_origin_is_refused(server):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    port, url = server["port"], server["url"]
    assert _get(url)[0] == 200 and _get(url, Host=f"localhost:{port}")[0] == 200
    for host in (f"evil.example:{port}", f"127.0.0.1.rebind.example:{port}", "127.0.0.1:1"):
        status, body = _get(url, Host=host)
        assert status == 403 and b"Traceback" not in body and b"/" not in body.split(b"\n")[0][5:], host
    ws = f"ws://127.0.0.1:{port}/jupyter/api/kernels/k1/channels?session_id=s1"
    for origin in ("http://evil.example", f"http://evil.example:{port}", "null", None):
        with pytest.raises(InvalidStatus) as exc:
            connect(ws, origin=origin, open_timeout=10).close()
        assert exc.value.response.status_code == 403, origin
    with connect(ws, origin=f"http://127.0.0.1:{port}", open_timeout=10):
        pass                                                   # the page's own origin is served
    post = urllib.request.Request(url + "_solara/api/close/k1?session_id=s1", method="POST", data=b"",
                                  headers={"Origin": "http://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(post, timeout=10)
    assert exc.value.code == 403                               # a POST from another site's page
    log = server["log"].read_text()
    assert "refused a GET for '/': Host 'evil.example" in log and "refused a WebSocket" in log
    assert "Origin 'http://evil.example'" in log and "no Origin" in log


def test_assets_are_files_of_the_private_folder_only(server):
    url = server["url"] + "_solara/cdn/"
    installed = dash_server._INSTALLED_ASSETS
    status, body = _get(url + "vega@5/build/vega.min.js")
    assert status == 200 and body == (installed / "vega@5.21.0" / "build" / "vega.min.js").read_bytes()
    before = sorted(p.name for p in (installed / "vega@5.21.0" / "build").iterdir())
    for path in ("vega@5.21.0/build", "vega@5", "../../../etc/passwd", "nothing@1/x.js", "%2e%2e/x"):
        assert _get(url + path)[0] == 404, path           # Solara's proxy deleted a directory asked for
    assert sorted(p.name for p in (installed / "vega@5.21.0" / "build").iterdir()) == before


def _wait_for_lines(path: Path, needle: str, n: int, what: str) -> list[str]:
    end = time.monotonic() + 60
    while time.monotonic() < end:
        lines = [x for x in path.read_text().splitlines() if needle in x]
        if len(lines) >= n:
            return lines
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def test_a_forged_picker_value_over_the_websocket_is_refused_without_reading(server):
    """Chromium's messages to the server are rewritten on the way: the picker's choice of an offered file becomes
    a path the page never offered (a named pipe, a valid scenario outside the folder, /etc/passwd)."""
    from playwright.sync_api import sync_playwright

    d, offered = server["dir"], server["offered"]
    forged = [str(d / "pipe.toml"), str(d / "secret.toml"), "/etc/passwd"]
    queue = list(forged)

    def route(ws):
        to_server = ws.connect_to_server()

        def up(message):
            if isinstance(message, str) and queue and '"v_model":"' + str(offered) in message:
                message = re.sub(r'"v_model":"[^"]*"', lambda m: '"v_model":"' + queue.pop(0) + '"', message)
            to_server.send(message)
        ws.on_message(up)
        to_server.on_message(lambda m: ws.send(m))

    def pick(page, title):
        page.locator(".orgsim-scenario").click()
        page.locator(".v-menu__content .v-list-item", has_text=title).first.click()

    assert Path(CHROMIUM).exists()
    with sync_playwright() as pw:
        browser = _browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route_web_socket("**/jupyter/api/kernels/**", route)
            page.goto(server["url"])
            page.locator(".orgsim-texts", has_text="micromanager").wait_for(timeout=60_000)
            for i, title in enumerate(("trusting coach", "Letting go", "trusting coach")):
                pick(page, title)
                lines = _wait_for_lines(server["log"], "refused a value from the browser", i + 1,
                                        f"the refusal of {forged[i]}")
                assert Path(forged[i]).name in lines[i]
                if i == 0:   # nobody opened the pipe: a reader would let this open succeed
                    with pytest.raises(OSError) as exc:
                        os.close(os.open(forged[0], os.O_WRONLY | os.O_NONBLOCK))
                    assert exc.value.errno == errno.ENXIO
            shown = page.locator("body").inner_text()
            assert "micromanager" in page.locator(".orgsim-texts").inner_text().lower()
            assert SECRET_TITLE not in shown and "Traceback" not in shown and "root:" not in shown
            assert str(d) not in shown and "/etc/passwd" not in shown
            pick(page, "Letting go")                       # offered, not rewritten: taken
            page.locator(".orgsim-texts", has_text="Letting go without frameworks").wait_for(timeout=30_000)
        finally:
            browser.close()
    log = server["log"].read_text()
    assert "Traceback" not in log and log.count("refused a value from the browser") == 3
