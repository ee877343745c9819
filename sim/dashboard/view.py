"""The dashboard's view: Solara components. They only read snapshots (:meth:`Dashboard.snapshot`) and call
:class:`sim.dashboard.state.Dashboard` methods; the charts are Vega-Lite specs from :mod:`sim.dashboard.charts`,
drawn by a small Vue widget (:class:`VegaView`) with vega, vega-lite and vega-embed from the local asset proxy."""

from __future__ import annotations

import html
import json
import threading

import ipyvue
import solara
import traitlets
from solara.alias import rv

from sim.dashboard_guard import Refused, choice, flag, handler, log, number, page_text
from sim.params import BY_KEY, ConfigError, text
from sim.policies import PRESETS

from .charts import curves_chart, hours_chart, monitors_html, network_chart
from .state import (EVENT_BUTTONS, KNOB_SLIDERS, TEAM_SLIDERS, Dashboard, default_scenario, scenario_folder,
                    scenario_items)
from .texts import LANGS, default_lang, param_help, param_label, policy_label, tr

PLAY_SECONDS = 0.12  # pause between weeks while running: a year in about 8 seconds

# --------------------------------------------------------------------------------------------------------------
# the chart widget (Vue): vega, vega-lite and vega-embed from the local asset proxy, like Solara's own charts
# --------------------------------------------------------------------------------------------------------------
VEGA_TEMPLATE = """
<template>
  <div ref="plot" class="orgsim-vega"></div>
</template>
<script>
module.exports = {
  mounted() { this.embed(); },
  beforeDestroy() { if (this.view) { this.view.finalize(); } },
  watch: {
    spec_json() { this.embed(); },
    data_json() { this.update(); },
  },
  methods: {
    cdn() { return (window.solara && window.solara.cdn) || '/_solara/cdn'; },
    libs() {
      if (!window.orgsimVega) {
        window.orgsimVega = new Promise((resolve, reject) => {
          const go = () => {
            window.requirejs.config({map: {'*': {
              'vega': this.cdn() + '/vega@5/build/vega.min.js',
              'vega-lite': this.cdn() + '/vega-lite@5/build/vega-lite.min.js',
              'vega-embed': this.cdn() + '/vega-embed@6/build/vega-embed.min.js'}}});
            window.requirejs(['vega', 'vega-lite', 'vega-embed'], (vega, vl, embed) => resolve(embed), reject);
          };
          if (window.requirejs) { go(); return; }
          const s = document.createElement('script');
          s.src = this.cdn() + '/requirejs@2.3.6/require.js';
          s.onload = go;
          s.onerror = reject;
          document.head.appendChild(s);
        });
      }
      return window.orgsimVega;
    },
    async embed() {
      const vegaEmbed = await this.libs();
      const token = {};
      this.embedding = token;
      const used = this.data_json;
      const spec = Object.assign(JSON.parse(this.spec_json), {datasets: JSON.parse(used)});
      const result = await vegaEmbed(this.$refs.plot, spec, {renderer: 'svg', actions: false, logLevel: 1});
      if (this.embedding !== token) { result.view.finalize(); return; }
      if (this.view && this.view !== result.view) { this.view.finalize(); }
      this.view = result.view;
      this.shown = used;
      this.update();
    },
    update() {
      if (!this.view || this.shown === this.data_json) { return; }
      const used = this.data_json, ds = JSON.parse(used);
      for (const name of Object.keys(ds)) {
        try { this.view.data(name, ds[name]); } catch (e) { /* a new spec with this data set is on its way */ }
      }
      this.shown = used;
      this.view.runAsync();
    },
  },
};
</script>
"""


# --------------------------------------------------------------------------------------------------------------
# Solara components
# --------------------------------------------------------------------------------------------------------------
# Per browser session (Solara keeps module-level reactive values per connection):
lang_r = solara.reactive("")       # "" until chosen on the page: default_lang()
tick = solara.reactive(0)            # bumped after every change: the main view re-renders
settings_tick = solara.reactive(0)   # bumped after a change of settings: the sidebar re-renders
playing = solara.reactive(False)
ROW = {"flex-wrap": "wrap", "align-items": "flex-start", "gap": "24px"}
BOX = {"flex": "0 0 auto"}


def _changed(settings: bool = False) -> None:
    tick.set(tick.value + 1)
    if settings:
        settings_tick.set(settings_tick.value + 1)


@solara.component
def Heading(words: str, level: int = 3):
    solara.HTML(tag=f"h{level}", unsafe_innerHTML=html.escape(words), style={"margin": "10px 0 4px 0"})


class VegaView(ipyvue.VueTemplate):
    """A Vega-Lite chart drawn in the browser as SVG. The spec is embedded when it changes (rarely: settings,
    language); the datasets (named data of the spec) are swapped into the running view every week, without
    re-embedding. Both travel as JSON text: the page's component tree never walks thousands of data rows.
    Vega is loaded from Solara's local asset proxy."""

    template = traitlets.Unicode(VEGA_TEMPLATE).tag(sync=True)
    spec_json = traitlets.Unicode("{}").tag(sync=True)
    data_json = traitlets.Unicode("{}").tag(sync=True)


def Chart(chart: tuple[dict, dict], name: str):
    """A (spec, datasets) pair from one of the ``*_chart`` functions, as JSON text (the component tree then
    compares two strings, not thousands of rows); ``name`` becomes a CSS class."""
    spec, datasets = chart
    return ChartView(json.dumps(spec), json.dumps(datasets), name)


@solara.component
def ChartView(spec_json: str, data_json: str, name: str):
    with solara.Div(classes=[f"orgsim-{name}"]):
        VegaView.element(spec_json=spec_json, data_json=data_json)


@solara.component
def ParamSlider(dash: Dashboard, key: str, current: float, step: float, hi: float | None, lang: str):
    """A slider for one schema key: label and range from :data:`sim.params.PARAMS`, help as a tooltip. The label
    follows the thumb while dragging; the model is rebuilt when the thumb is let go (or moved by keyboard)."""
    p = BY_KEY[key]
    lo, top = p.lo, hi if hi is not None else p.hi
    shown, set_shown = solara.use_state(current)
    solara.use_effect(lambda: set_shown(current), [current])  # a policy or scenario change moved it

    @handler
    def follow(value):   # the label follows the thumb: only numbers the slider can show
        set_shown(number(value, lo, top, key))

    @handler
    def commit(value):
        if value is None or value == current:
            return
        value = number(value, lo, top, key)
        try:
            dash.set_value(key, value)
        except ConfigError as exc:
            dash.message = page_text(str(exc), scenario_folder())
        _changed(settings=True)

    with solara.Div(classes=["orgsim-slider"], attributes={"data-key": key}):
        with solara.Tooltip(param_help(key, lang)):
            solara.Text(f"{param_label(key, lang)}: {shown:g}", classes=["orgsim-slider-label"])
        sl = rv.Slider(v_model=shown, on_v_model=follow, min=lo, max=top, step=step, hide_details=True,
                       dense=True, class_="mt-0 pt-0")
        rv.use_event(sl, "change", lambda *args: commit(args[-1]))


@solara.component
def Sidebar(dash: Dashboard, lang: str):
    settings_tick.value  # noqa: B018  re-render when the settings change
    items = solara.use_memo(lambda: scenario_items(lang), [lang])
    offered = [it["value"] for it in items]

    def settle(change):
        """Make a change of settings; a refusal (too big, not valid) is the page's message, without paths."""
        try:
            change()
        except ConfigError as exc:
            dash.message = page_text(str(exc), scenario_folder())
        _changed(settings=True)

    @handler
    def pick_scenario(path):
        path = choice(path, offered, "scenario")   # one of the listed files, or refused before any file is read
        playing.set(False)
        settle(lambda: dash.load(path))

    def pick_policy(side):
        @handler
        def set_(name):
            name = choice(name, list(PRESETS), f"policy {side}")
            settle(lambda: dash.set_policy(side, name))
        return set_

    @handler
    def set_ab(on):
        on = flag(on, "A/B")
        settle(lambda: dash.set_ab(on))

    pol_items = [{"text": policy_label(k, lang), "value": k} for k in PRESETS]
    with solara.Column(classes=["orgsim-sidebar"]):
        rv.Select(label=tr("scenario", lang), items=items, v_model=str(dash.scenario_path),
                  on_v_model=pick_scenario, class_="orgsim-scenario")
        rv.Select(label=tr("policy_a", lang) + (" A" if dash.ab else ""), items=pol_items,
                  v_model=dash.policy_a, on_v_model=pick_policy("A"), class_="orgsim-policy-a")
        rv.Switch(label=tr("ab", lang), v_model=dash.ab, on_v_model=set_ab, class_="orgsim-ab")
        if dash.ab:
            rv.Select(label=tr("policy_b", lang), items=pol_items, v_model=dash.policy_b,
                      on_v_model=pick_policy("B"), class_="orgsim-policy-b")
        Heading(tr("team_work", lang), 4)
        for key, step, hi in TEAM_SLIDERS:
            ParamSlider(dash, key, dash.value(key), step, hi, lang).key(key)
        Heading(tr("style_knobs", lang), 4)
        for key, step, hi in KNOB_SLIDERS:
            ParamSlider(dash, key, dash.value(key), step, hi, lang).key(key)


@solara.component
def Controls(dash: Dashboard, lang: str, week: int, weeks: int, message: str):
    def act(fn, settings=False):
        @handler
        def go():
            fn()
            _changed(settings)
        return go

    def stop_then(fn):
        def go():
            playing.set(False)
            fn()
        return go

    at_end = week >= weeks
    run = playing.value
    with solara.Row(classes=["orgsim-controls"], style={"align-items": "center", "flex-wrap": "wrap"}):
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
        solara.HTML(tag="div", unsafe_innerHTML=f"{html.escape(tr('week', lang))} <b>{week}</b> / {weeks}",
                    classes=["orgsim-week"], style={"font-size": "24px", "margin-left": "16px"})
    with solara.Row(classes=["orgsim-events"], style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(tr("events", lang))
        for kind, (weeks_on, _) in EVENT_BUTTONS.items():
            solara.Button(tr(kind, lang, weeks=weeks_on), on_click=act(lambda kind=kind: dash.fire(kind)),
                          color="warning",
                          outlined=True, classes=[f"orgsim-fire-{kind}"])
    msg = message
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


@solara.component
def ScenarioText(sp, lang: str):
    """What the scenario shows, what to notice, what to try - in the page's language."""
    esc = html.escape
    parts = [f"<b>{esc(text(sp, 'title', lang))}</b> - {esc(text(sp, 'description', lang))}"]
    for fld in ("notice", "try"):
        body = text(sp, fld, lang)
        if body:
            parts.append(f"<b>{esc(param_label(f'scenario.{fld}_{lang}', lang))}:</b> {esc(body)}")
    solara.HTML(tag="div", unsafe_innerHTML="".join(f"<p>{x}</p>" for x in parts), classes=["orgsim-texts"],
                style={"max-width": "1100px"})


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
            lay = snap.layout
            more = (f" ({tr('teams_shown', lang, shown=lay.teams_shown, teams=lay.teams)})"
                    if lay.teams_shown < lay.teams else "")
            Heading(tr("network", lang) + more)
            Chart(network_chart(snap, lang), "network")
        with solara.Div(style=BOX):
            Heading(tr("hours", lang))
            Chart(hours_chart(snap, lang), "hours")


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
def DashboardPage():
    lang = lang_r.value if lang_r.value in LANGS else default_lang()
    dash = solara.use_memo(lambda: Dashboard(default_scenario()), [])

    def run_loop(cancel: threading.Event):
        """Run: one week at a time until the end of the scenario or Pause."""
        while playing.value and not cancel.is_set():
            if dash.week >= dash.weeks:
                playing.set(False)
                break
            dash.step(1)
            _changed()
            cancel.wait(PLAY_SECONDS)

    solara.use_thread(run_loop, dependencies=[playing.value], intrusive_cancel=False)
    solara.Title(tr("title", lang))
    with solara.AppBar():
        solara.AppBarTitle(tr("title", lang))
        LanguageButtons(lang)
    with solara.Sidebar():
        Sidebar(dash, lang)
    with solara.Column(style={"padding": "8px 16px"}):
        MainView(dash, lang)


page = Page
