"""The dashboard's view: Solara components. They only read snapshots (:meth:`Dashboard.snapshot`) and call
:class:`sim.dashboard.state.Dashboard` methods; the charts are Vega-Lite specs from :mod:`sim.dashboard.charts`
and :mod:`sim.dashboard.charts_team`, drawn by :class:`sim.dashboard.widgets.VegaView`.

Two layouts: the normal page (side panel with every control, the scenario's texts, six charts) and projector
mode (no side panel, no texts, large type; the four key charts - the chosen measures, the manager's control,
the four zones, the team - and the monitors fill the screen without scrolling).
"""

from __future__ import annotations

import html
import threading

import solara
from solara.alias import rv

from sim.dashboard_guard import Refused, choice, flag, handler, log
from sim.metrics import label as metric_label
from sim.params import EVENT_LABELS, text
from sim.policies import PRESETS

from .charts import control_chart, curves_chart, hours_chart, monitors_html
from .charts_team import network_chart, person_chart, zone_chart
from .controls import KNOB_SLIDERS, PANEL_SECTIONS, TEAM_SLIDERS, page_words, section_controls
from .picker import default_scenario, offered, scenario_items
from .state import EVENT_BUTTONS, MEASURES, SPEEDS, Dashboard
from .texts import LANGS, default_lang, param_label, policy_label, tr
from .widgets import (Chart, ParamControl, ParamSlider, VegaView, changed, person_from_click, settings_tick,
                      settle, tick)

__all__ = ["Page", "page", "VegaView", "Dashboard", "default_scenario", "scenario_items"]

# Per browser session (Solara keeps module-level reactive values per connection):
lang_r = solara.reactive("")       # "" until chosen on the page: default_lang()
playing = solara.reactive(False)
projector_r = solara.reactive(False)
ROW = {"flex-wrap": "wrap", "align-items": "flex-start", "gap": "24px"}
BOX = {"flex": "0 0 auto"}
CSS = """
.orgsim-projector { position: fixed; inset: 0; z-index: 20; background: #fff; display: flex;
  flex-direction: column; padding: 4px 12px 8px 12px; font-size: 20px; }
.orgsim-projector .orgsim-grid { flex: 1 1 0; min-height: 0; display: grid; gap: 8px;
  grid-template-columns: 1fr 1fr 1fr minmax(250px, 22%); grid-template-rows: 1fr 1fr; }
.orgsim-cell { min-width: 0; min-height: 0; overflow: hidden; position: relative; }
.orgsim-cell > .orgsim-chart, .orgsim-cell > .orgsim-chart > div { width: 100%; height: 100%; }
.orgsim-projector .orgsim-monitors td, .orgsim-projector .orgsim-monitors th { font-size: 18px;
  line-height: 1.15; }
.orgsim-projector .v-btn { font-size: 16px; }
.orgsim-story { position: fixed; right: 16px; top: 72px; z-index: 30; background: #fff; padding: 10px 14px;
  box-shadow: 0 4px 24px rgba(0,0,0,.35); border-radius: 6px; max-height: 90vh; overflow: auto; }
"""


@solara.component
def Heading(words: str, level: int = 3):
    solara.HTML(tag=f"h{level}", unsafe_innerHTML=html.escape(words), style={"margin": "6px 0 2px 0"})


@solara.component
def Sidebar(dash: Dashboard, lang: str):
    settings_tick.value  # noqa: B018  re-render when the settings change
    items = solara.use_memo(lambda: scenario_items(lang), [lang])
    files = offered(items)
    section, set_section = solara.use_state("")

    @handler
    def pick_scenario(path):
        path = choice(path, files, "scenario")   # one of the listed files, or refused before any file is read
        playing.set(False)
        settle(dash, lambda: dash.load(path))

    def pick_policy(side):
        @handler
        def set_(name):
            name = choice(name, list(PRESETS), f"policy {side}")
            settle(dash, lambda: dash.set_policy(side, name))
        return set_

    @handler
    def set_ab(on):
        on = flag(on, "A/B")
        settle(dash, lambda: dash.set_ab(on))

    def pick_measures(what):
        @handler
        def go(names):
            names = [choice(n, list(MEASURES), what) for n in (names if isinstance(names, list) else [None])]
            settle(dash, lambda: dash.set_measures(**{what: names}))
        return go

    @handler
    def pick_section(name):
        set_section(choice(name, list(PANEL_SECTIONS), "section"))

    pol_items = [{"text": policy_label(k, lang), "value": k} for k in PRESETS]
    measure_items = [{"text": metric_label(m, lang), "value": m} for m in MEASURES]
    with solara.Column(classes=["orgsim-sidebar"]):
        rv.Select(label=tr("scenario", lang), items=items, v_model=str(dash.scenario_path),
                  on_v_model=pick_scenario, class_="orgsim-scenario")
        rv.Select(label=tr("policy_a", lang) + (" A" if dash.ab else ""), items=pol_items,
                  v_model=dash.policy_a, on_v_model=pick_policy("A"), class_="orgsim-policy-a")
        rv.Switch(label=tr("ab", lang), v_model=dash.ab, on_v_model=set_ab, class_="orgsim-ab")
        if dash.ab:
            rv.Select(label=tr("policy_b", lang), items=pol_items, v_model=dash.policy_b,
                      on_v_model=pick_policy("B"), class_="orgsim-policy-b")
        rv.Select(label=tr("measures", lang), items=measure_items, v_model=list(dash.panels), multiple=True,
                  small_chips=True, chips=True, on_v_model=pick_measures("panels"), class_="orgsim-measures")
        rv.Select(label=tr("monitors", lang), items=measure_items, v_model=list(dash.monitors), multiple=True,
                  small_chips=True, chips=True, on_v_model=pick_measures("monitors"), class_="orgsim-monitor-pick")
        Heading(tr("team_work", lang), 4)
        for key, step, hi in TEAM_SLIDERS:
            ParamSlider(dash, key, dash.value(key), step, hi, lang).key(key)
        Heading(tr("style_knobs", lang), 4)
        for key, step, hi in KNOB_SLIDERS:
            ParamSlider(dash, key, dash.value(key), step, hi, lang).key(key)
        Heading(tr("all_params", lang), 4)
        rv.Select(label=tr("section", lang), v_model=section, on_v_model=pick_section, class_="orgsim-section",
                  items=[{"text": tr(f"sec_{s}", lang), "value": s} for s in PANEL_SECTIONS])
        if section:
            with solara.Column(classes=["orgsim-allparams"], gap="2px"):
                for key in section_controls(section):
                    ParamControl(dash, key, lang).key(f"all-{key}")


@solara.component
def Controls(dash: Dashboard, lang: str, week: int, weeks: int, message: str, big: bool = False):
    def act(fn, settings=False):
        @handler
        def go():
            fn()
            changed(settings)
        return go

    def stop_then(fn):
        def go():
            playing.set(False)
            fn()
        return go

    @handler
    def pick_speed(index):
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(SPEEDS):
            raise Refused(f"speed: {index!r:.60} is not one of the buttons")
        dash.set_speed(SPEEDS[index])
        changed()

    at_end = week >= weeks
    run = playing.value
    with solara.Row(classes=["orgsim-controls"], style={"align-items": "center", "flex-wrap": "wrap",
                                                         "gap": "6px"}):
        if big:
            LanguageButtons(lang)
            ProjectorButton(lang)
        solara.Button(tr("setup", lang), on_click=act(stop_then(dash.setup)), color="primary", outlined=True,
                      classes=["orgsim-setup"])
        solara.Button(tr("step", lang), on_click=act(dash.step), color="primary", disabled=run,
                      classes=["orgsim-step"])
        solara.Button(tr("pause", lang) if run else tr("run", lang), on_click=lambda: playing.set(not run),
                      color="primary", disabled=at_end and not run, classes=["orgsim-run"])
        solara.Button(tr("year", lang), on_click=act(lambda: dash.step(52)), color="primary", outlined=True,
                      disabled=run, classes=["orgsim-year"])
        solara.Button(tr("reset", lang), on_click=act(stop_then(dash.reset), settings=True), outlined=True,
                      classes=["orgsim-reset"])
        solara.Text(tr("speed_unit", lang) + ":", style={"margin-left": "8px"})
        rv.BtnToggle(children=[solara.Button(label=tr("per_second", lang, n=n), small=True) for n in SPEEDS],
                     v_model=SPEEDS.index(dash.speed), on_v_model=pick_speed, mandatory=True,
                     class_="orgsim-speed")
        solara.HTML(tag="div", unsafe_innerHTML=f"{html.escape(tr('week', lang))} <b>{week}</b> / {weeks}",
                    classes=["orgsim-week"], style={"font-size": "28px" if big else "24px", "margin-left": "12px"})
        if big:
            Events(dash, lang, act, short=True)
    if not big:
        with solara.Row(classes=["orgsim-events"], style={"align-items": "center", "flex-wrap": "wrap"}):
            Events(dash, lang, act)
    msg = message
    if big:
        return   # projector mode: no notes that push the charts down
    if msg.startswith("replayed:"):
        solara.Info(tr("replayed", lang, week=msg.split(":")[1]), dense=True)
    elif msg.startswith("fired:"):
        _, kind, start = msg.split(":")
        what = tr(kind, lang, weeks=EVENT_BUTTONS[kind][0])
        solara.Info(tr("fired", lang, what=what, start=start), dense=True)
    elif msg:
        solara.Warning(msg, dense=True)
    if at_end:
        solara.Info(tr("finished", lang, weeks=weeks), dense=True)


def Events(dash: Dashboard, lang: str, act, short: bool = False):
    """The event buttons (``short``: the event's name only, as in :data:`sim.params.EVENT_LABELS`)."""
    solara.Text(tr("events", lang))
    for kind, (weeks_on, _) in EVENT_BUTTONS.items():
        words = EVENT_LABELS[kind][lang == "nl"] if short else tr(kind, lang, weeks=weeks_on)
        solara.Button(words, on_click=act(lambda kind=kind: dash.fire(kind)), color="warning", outlined=True,
                      classes=[f"orgsim-fire-{kind}"])


@solara.component
def ScenarioText(sp, lang: str):
    """What the scenario shows, what to notice, what to try - in the page's language."""
    esc = html.escape
    parts = [f"<b>{esc(text(sp, 'title', lang))}</b> - {esc(text(sp, 'description', lang))}"]
    for fld in ("notice", "try"):
        body = "".join(f"<i>{esc(w)}</i>" if is_label else esc(w) for w, is_label in page_words(text(sp, fld, lang),
                                                                                                  lang))
        if body:
            parts.append(f"<b>{esc(param_label(f'scenario.{fld}_{lang}', lang))}:</b> {body}")
    solara.HTML(tag="div", unsafe_innerHTML="".join(f"<p>{x}</p>" for x in parts), classes=["orgsim-texts"],
                style={"max-width": "1100px"})


def _network_title(snap, lang: str) -> str:
    lay = snap.layout
    more = (f" ({tr('teams_shown', lang, shown=lay.teams_shown, teams=lay.teams)})"
            if lay.teams_shown < lay.teams else "")
    return tr("network", lang) + more + f" - {tr('click_person', lang)}"


@solara.component
def Story(dash: Dashboard, snap, lang: str, big: bool):
    """A person's story in a panel over the page, with a Close button."""
    if snap.person is None:
        return
    close = handler(lambda: (dash.select_person(None), changed()))
    with solara.Div(classes=["orgsim-story"]):
        with solara.Row(style={"align-items": "center", "justify-content": "space-between"}):
            Heading(f"{tr('story', lang)}: {tr('person_n', lang, n=snap.person + 1)}", 3)
            solara.Button(tr("close", lang), on_click=close, outlined=True, classes=["orgsim-story-close"])
        Chart(person_chart(snap, lang, big), "person")


def _pick(dash: Dashboard):
    @handler
    def go(value):
        if value:
            dash.select_person(person_from_click(value, dash))
            changed()
    return go


@solara.component
def MainView(dash: Dashboard, lang: str):
    tick.value  # noqa: B018  re-render after every step or change
    snap = dash.snapshot()
    Controls(dash, lang, snap.week, snap.weeks, dash.message)
    ScenarioText(dash.base, lang)
    with solara.Row(style=ROW):
        with solara.Div(style=BOX):
            Heading(tr("curves", lang))
            Chart(curves_chart(snap, lang), "curves")
        with solara.Div(style=BOX):
            Heading(tr("now", lang))
            solara.HTML(tag="table", unsafe_innerHTML=monitors_html(snap, lang), classes=["orgsim-monitors"],
                        style={"border-spacing": "14px 2px", "font-size": "15px"})
    with solara.Row(style=ROW):
        with solara.Div(style=BOX):
            Heading(tr("control", lang))
            Chart(control_chart(snap, lang), "control")
        with solara.Div(style=BOX):
            Heading(tr("zones", lang))
            Chart(zone_chart(snap, lang), "zones")
    with solara.Row(style=ROW):
        with solara.Div(style=BOX):
            Heading(_network_title(snap, lang))
            Chart(network_chart(snap, lang), "network", on_click=_pick(dash))
        with solara.Div(style=BOX):
            Heading(tr("hours", lang))
            Chart(hours_chart(snap, lang), "hours")
    Story(dash, snap, lang, False)


@solara.component
def ProjectorView(dash: Dashboard, lang: str):
    """Projector mode: the controls in one band, then the four key charts and the monitors filling the screen."""
    tick.value  # noqa: B018
    snap = dash.snapshot()
    with solara.Div(classes=["orgsim-projector"]):
        Controls(dash, lang, snap.week, snap.weeks, "", big=True)
        with solara.Div(classes=["orgsim-grid"]):
            with solara.Div(classes=["orgsim-cell"], style={"grid-column": "1 / 4", "grid-row": "1"}):
                Chart(curves_chart(snap, lang, big=True), "curves")
            with solara.Div(classes=["orgsim-cell"], style={"grid-column": "4", "grid-row": "1 / 3"}):
                solara.HTML(tag="table", unsafe_innerHTML=monitors_html(snap, lang, big=True),
                            classes=["orgsim-monitors"], style={"border-spacing": "8px 4px"})
            for col, (name, chart) in enumerate((("control", control_chart), ("zones", zone_chart))):
                with solara.Div(classes=["orgsim-cell"], style={"grid-column": str(col + 1), "grid-row": "2"}):
                    Chart(chart(snap, lang, big=True), name)
            with solara.Div(classes=["orgsim-cell"], style={"grid-column": "3", "grid-row": "2"}):
                Chart(network_chart(snap, lang, big=True), "network", on_click=_pick(dash))
        Story(dash, snap, lang, True)


@solara.component
def Page():
    """The page behind an error boundary: an error while drawing it is one line in the server's log; the browser
    gets a short notice (no traceback, no server path) and a button that starts the page again."""
    error, clear = solara.use_exception()
    lang = lang_r.value if lang_r.value in LANGS else default_lang()
    if error is not None:
        log.error("orgsim dashboard: %s while drawing the page; it starts again when asked",
                  type(error).__name__)
        with solara.Column(style={"padding": "16px"}):
            solara.Error(tr("failed", lang))
            solara.Button(tr("again", lang), on_click=clear, color="primary", classes=["orgsim-again"])
        return
    DashboardPage()


@solara.component
def LanguageButtons(lang: str):
    """EN / NL: the browser sends the index of a button, nothing else is taken."""
    @handler
    def pick_lang(index):
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(LANGS):
            raise Refused(f"language: {index!r:.60} is not one of the buttons")
        lang_r.set(LANGS[index])

    rv.BtnToggle(children=[solara.Button(label=x) for x in LANGS], v_model=LANGS.index(lang),
                 on_v_model=pick_lang, mandatory=True, class_="orgsim-lang")


@solara.component
def ProjectorButton(lang: str):
    """Projector mode on (in the app bar, white on its blue) or off (a filled button in projector mode)."""
    on = projector_r.value
    solara.Button(tr("projector", lang), on_click=lambda: projector_r.set(not on), outlined=not on,
                  color="primary" if on else "white", classes=["orgsim-projector-toggle"],
                  style={"margin-left": "8px"})


@solara.component
def DashboardPage():
    lang = lang_r.value if lang_r.value in LANGS else default_lang()
    dash = solara.use_memo(lambda: Dashboard(default_scenario()), [])

    def run_loop(cancel: threading.Event):
        """Run: one week at a time until the end of the scenario or Pause, at the chosen speed."""
        dash.play(lambda: playing.value, cancel, changed)
        if dash.week >= dash.weeks:
            playing.set(False)

    solara.use_thread(run_loop, dependencies=[playing.value], intrusive_cancel=False)
    solara.Title(tr("title", lang))
    solara.Style(CSS)
    if projector_r.value:
        ProjectorView(dash, lang)
        return
    with solara.AppBar():
        solara.AppBarTitle(tr("title", lang))
        LanguageButtons(lang)
        ProjectorButton(lang)
    with solara.Sidebar():
        Sidebar(dash, lang)
    with solara.Column(style={"padding": "8px 16px"}):
        MainView(dash, lang)


page = Page
