"""The dashboard's widgets: the chart (a small Vue template around vega-embed) and the controls generated from the
parameter schema (sliders, style choices, the policy mix, policies per team). Every value the browser sends is
checked against what the page offered (:mod:`sim.dashboard_guard`)."""

from __future__ import annotations

import json

import ipyvue
import solara
import traitlets
from solara.alias import rv

from sim.dashboard_guard import Refused, choice, handler, number, page_text
from sim.params import POLICY_NAMES, ConfigError

from .controls import LIST_SLOTS, MIX_MAX, kind_of_control, slider_range
from .picker import scenario_folder
from .state import Dashboard
from .texts import param_help, param_label, policy_label, tr

# Per browser session (Solara keeps module-level reactive values per connection):
tick = solara.reactive(0)            # bumped after every change: the main view re-renders
settings_tick = solara.reactive(0)   # bumped after a change of settings: the sidebar re-renders


def changed(settings: bool = False) -> None:
    tick.set(tick.value + 1)
    if settings:
        settings_tick.set(settings_tick.value + 1)


# --------------------------------------------------------------------------------------------------------------
# the chart widget (Vue): vega, vega-lite and vega-embed from the local asset proxy, like Solara's own charts
# --------------------------------------------------------------------------------------------------------------
VEGA_TEMPLATE = """
<template>
  <div ref="plot" class="orgsim-vega"></div>
</template>
<script>
module.exports = {
  mounted() { this.embed(); this.watchSize(); },
  beforeDestroy() { if (this.view) { this.view.finalize(); } if (this.ro) { this.ro.disconnect(); } },
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
    box() { return this.$el.closest('.orgsim-cell') || this.$el.parentElement; },
    sized(spec, less) {
      /* projector mode: each panel gets an equal share of the chart's cell (usermeta.fit, from charts.fit),
         less what an earlier drawing overflowed by (less: [x, y] px per panel) */
      const f = spec.usermeta && spec.usermeta.fit;
      if (!f) { return spec; }
      const r = this.box().getBoundingClientRect();
      let w = Math.max(60, Math.floor(r.width / f.cols - f.padX - less[0]));
      let h = Math.max(60, Math.floor(r.height / f.rows - f.padY - less[1]));
      if (f.square) { w = h = Math.min(w, h); }
      const subs = spec.concat || spec.hconcat || spec.vconcat;
      if (subs) { for (const p of subs) { p.width = w; p.height = h; } } else { spec.width = w; spec.height = h; }
      return spec;
    },
    overflow(spec) {
      /* how far the drawing sticks out of its cell, per panel: [x, y] px */
      const f = spec.usermeta && spec.usermeta.fit, svg = this.$refs.plot.querySelector('svg');
      if (!f || !svg) { return [0, 0]; }
      const s = svg.getBoundingClientRect(), r = this.box().getBoundingClientRect();
      return [Math.max(0, Math.ceil((s.right - r.right) / f.cols)), Math.max(0, Math.ceil((s.bottom - r.bottom) / f.rows))];
    },
    watchSize() {
      if (!window.ResizeObserver) { return; }
      this.ro = new ResizeObserver(() => {
        const r = this.box().getBoundingClientRect(), size = Math.round(r.width) + 'x' + Math.round(r.height);
        if (this.size !== undefined && this.size !== size && this.spec_json.includes('"usermeta"')) {
          clearTimeout(this.again);
          this.again = setTimeout(() => this.embed(), 120);
        }
        this.size = size;
      });
      this.ro.observe(this.box());
    },
    async embed(less) {
      const vegaEmbed = await this.libs();
      const token = {};
      this.embedding = token;
      const used = this.data_json;
      less = less || [0, 0];
      const spec = Object.assign(this.sized(JSON.parse(this.spec_json), less), {datasets: JSON.parse(used)});
      const result = await vegaEmbed(this.$refs.plot, spec, {renderer: 'svg', actions: false, logLevel: 1});
      if (this.embedding !== token) { result.view.finalize(); return; }
      const over = this.overflow(spec);
      if ((over[0] || over[1]) && less[0] + less[1] < 400) {   /* axes and legends took more: draw it smaller */
        if (this.view && this.view !== result.view) { this.view.finalize(); }
        this.view = result.view;
        return this.embed([less[0] + over[0] + 2, less[1] + over[1] + 2]);
      }
      if (this.view && this.view !== result.view) { this.view.finalize(); }
      this.view = result.view;
      this.view.addEventListener('click', (event, item) => {
        if (item && item.datum && item.datum.pos !== undefined) {
          this.clicked = JSON.stringify({pos: item.datum.pos, at: Date.now()});
        }
      });
      this.shown = used;
      this.$el.dataset.embedded = String((+this.$el.dataset.embedded || 0) + 1);
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


class VegaView(ipyvue.VueTemplate):
    """A Vega-Lite chart drawn in the browser as SVG. The spec is embedded when it changes (rarely: settings,
    language, projector mode, a new size of its box in projector mode); the datasets (named data of the spec) are
    swapped into the running view every week, without re-embedding. Both travel as JSON text: the page's
    component tree never walks thousands of data rows. A click on a mark whose datum has a ``pos`` (a person in
    the network) sets ``clicked``. Vega is loaded from Solara's local asset proxy."""

    template = traitlets.Unicode(VEGA_TEMPLATE).tag(sync=True)
    spec_json = traitlets.Unicode("{}").tag(sync=True)
    data_json = traitlets.Unicode("{}").tag(sync=True)
    clicked = traitlets.Unicode("").tag(sync=True)


def Chart(chart: tuple[dict, dict], name: str, on_click=None):
    """A (spec, datasets) pair from one of the ``*_chart`` functions, as JSON text (the component tree then
    compares two strings, not thousands of rows); ``name`` becomes a CSS class."""
    spec, datasets = chart
    return ChartView(json.dumps(spec), json.dumps(datasets), name, on_click)


@solara.component
def ChartView(spec_json: str, data_json: str, name: str, on_click=None):
    with solara.Div(classes=[f"orgsim-{name}", "orgsim-chart"]):
        if on_click is None:
            VegaView.element(spec_json=spec_json, data_json=data_json)
        else:
            VegaView.element(spec_json=spec_json, data_json=data_json, on_clicked=on_click)


# --------------------------------------------------------------------------------------------------------------
# controls from the schema
# --------------------------------------------------------------------------------------------------------------
def settle(dash: Dashboard, change) -> None:
    """Make a change of settings; a refusal (too big, not valid) is the page's message, without paths."""
    try:
        change()
    except ConfigError as exc:
        dash.message = page_text(str(exc), scenario_folder())
    changed(settings=True)


@solara.component
def Slider(key: str, label: str, current: float, lo: float, hi: float, step: float, on_commit, lang: str,
           help_text: str = ""):
    """A slider whose label follows the thumb while dragging; ``on_commit(value)`` when the thumb is let go (or
    moved by keyboard). Only numbers in [lo, hi] are taken from the browser."""
    shown, set_shown = solara.use_state(current)
    solara.use_effect(lambda: set_shown(current), [current])  # a policy or scenario change moved it

    @handler
    def follow(value):
        set_shown(number(value, lo, hi, key))

    @handler
    def commit(value):
        if value is None or value == current:
            return
        on_commit(number(value, lo, hi, key))

    digits = f"{shown:g}"
    with solara.Div(classes=["orgsim-slider"], attributes={"data-key": key}):
        with solara.Tooltip(help_text or label):
            solara.Text(f"{label}: {digits.replace('.', ',') if lang == 'nl' else digits}",
                        classes=["orgsim-slider-label"])
        sl = rv.Slider(v_model=shown, on_v_model=follow, min=lo, max=hi, step=step, hide_details=True,
                       dense=True, class_="mt-0 pt-0")
        rv.use_event(sl, "change", lambda *args: commit(args[-1]))


def ParamSlider(dash: Dashboard, key: str, current: float, step: float | None, hi: float | None, lang: str):
    """A slider for one schema key: label, range and help from :data:`sim.params.PARAMS`; moving it replays the
    run with the new value."""
    lo, top, auto_step = slider_range(key)
    top = hi if hi is not None else top
    return Slider(key, param_label(key, lang), current, lo, top, step or auto_step,
                  lambda v: settle(dash, lambda: dash.set_value(key, v)), lang, param_help(key, lang))


def _policy_items(lang: str, extra: list | None = None) -> list[dict]:
    return [*(extra or []), *({"text": policy_label(k, lang), "value": k} for k in POLICY_NAMES)]


@solara.component
def ParamChoice(dash: Dashboard, key: str, lang: str):
    """A style for a level of the organisation (``org.director_policy``, ``org.middle_policy``)."""
    @handler
    def pick(name):
        name = choice(name, list(POLICY_NAMES), key)
        settle(dash, lambda: dash.set_value(key, name))

    with solara.Div(classes=["orgsim-param"], attributes={"data-key": key}):
        with solara.Tooltip(param_help(key, lang)):
            rv.Select(label=param_label(key, lang), items=_policy_items(lang), v_model=dash.value(key),
                      on_v_model=pick, dense=True, hide_details=True)


@solara.component
def ParamMix(dash: Dashboard, key: str, lang: str):
    """The team leads' policies as weights (``org.policy_mix``): a slider per style."""
    mix = dict(dash.value(key) or {})

    def commit(name):
        def go(weight):
            new = {**mix, name: weight}
            settle(dash, lambda: dash.set_value(key, {k: v for k, v in new.items() if v > 0}))
        return go

    with solara.Div(classes=["orgsim-param"], attributes={"data-key": key}):
        with solara.Tooltip(param_help(key, lang)):
            solara.Text(param_label(key, lang), classes=["orgsim-slider-label"])
        for name in POLICY_NAMES:
            Slider(f"{key}.{name}", f"{policy_label(name, lang)} ({tr('weight', lang)})", float(mix.get(name, 0)),
                   0.0, MIX_MAX, 0.5, commit(name), lang).key(name)


@solara.component
def ParamList(dash: Dashboard, key: str, lang: str):
    """The first teams' own policies (``org.team_policies``): a choice per team, or "as the others"."""
    current = list(dash.value(key) or [])
    follows = {"text": tr("follows", lang), "value": ""}

    def pick(slot):
        @handler
        def go(name):
            name = choice(name, ["", *POLICY_NAMES], f"{key}[{slot}]")
            new = current[:slot] + [dash.policy_a] * max(0, slot - len(current))
            new = new + [name] if name else new
            settle(dash, lambda: dash.set_value(key, new))
        return go

    with solara.Div(classes=["orgsim-param"], attributes={"data-key": key}):
        with solara.Tooltip(param_help(key, lang)):
            solara.Text(param_label(key, lang), classes=["orgsim-slider-label"])
        for slot in range(LIST_SLOTS):
            rv.Select(label=tr("team_n", lang, n=slot + 1), items=_policy_items(lang, [follows]),
                      v_model=current[slot] if slot < len(current) else "", on_v_model=pick(slot), dense=True,
                      hide_details=True)


def ParamControl(dash: Dashboard, key: str, lang: str):
    """The control the schema gives ``key`` (:func:`sim.dashboard.controls.kind_of_control`)."""
    kind = kind_of_control(key)
    if kind == "slider":
        return ParamSlider(dash, key, dash.value(key), None, None, lang)
    if kind == "choice":
        return ParamChoice(dash, key, lang)
    if kind == "mix":
        return ParamMix(dash, key, lang)
    if kind == "list":
        return ParamList(dash, key, lang)
    raise Refused(f"{key}: no control on the page")


def person_from_click(value: str, dash: Dashboard) -> int:
    """The position a click on the network sent (JSON ``{"pos": n, ...}``), if it is one of the people drawn."""
    try:
        pos = json.loads(value).get("pos")
    except (ValueError, AttributeError):
        pos = None
    if isinstance(pos, bool) or not isinstance(pos, int) or pos not in dash.drawn():
        raise Refused(f"person: {value!r:.60} is not one of the people drawn")
    return pos

