"""The dashboard without a browser: settings and models (Dashboard), events, A/B, chart data, the Solara page
rendered in-process, the offline asset directory, and the `orgsim dashboard` command's bad input."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.dashboard import view as dash_view
from sim.dashboard.charts import curves_chart, hours_chart
from sim.dashboard.charts_team import network_chart
from sim.dashboard.controls import KNOB_SLIDERS, TEAM_SLIDERS
from sim.dashboard.server import offline_assets
from sim.dashboard.state import EVENT_BUTTONS, PANELS, STATES, Dashboard, fire_event, node_states
from sim.dashboard.texts import UI, param_help, tr
from sim.cli import app as cli_app
from sim.metrics import label as metric_label
from sim.model import ABSENT, ACTIVE, VACANT, OrgModel
from sim.params import BY_KEY, POLICY_LABELS, ConfigError, load_scenario
from sim.policies import PRESETS

ROOT = Path(__file__).resolve().parent.parent
CONTROLLING = ROOT / "scenarios" / "controlling.toml"
SLIDERS = TEAM_SLIDERS + KNOB_SLIDERS


def twin(d: Dashboard, side: str = "A") -> OrgModel:
    """A fresh model with the dashboard's settings, run to the dashboard's week."""
    return OrgModel(d.params(side), seed=d.params(side).scenario.seed).run(d.week)


# ---------------------------------------------------------------------------------------------- words, schema
def test_every_ui_string_and_policy_has_english_and_dutch():
    for key, (en, nl) in {**UI, **{k: v[:2] for k, v in POLICY_LABELS.items()}}.items():
        assert en.strip() and nl.strip(), key
    assert set(POLICY_LABELS) == set(PRESETS)
    assert tr("step", "nl") == "Stap" and tr("step", "en") == "Step"


def test_sliders_come_from_the_schema():
    for key, step, hi in SLIDERS:
        p = BY_KEY[key]
        assert p.kind in ("int", "float", "knob"), key
        assert p.label_en and p.label_nl, key
        assert p.help and p.help_nl and p.help_nl != p.help, key   # help in both languages, from the schema
        assert param_help(key, "nl") == p.help_nl and param_help(key, "en") == p.help, key
        assert hi is None or p.lo < hi <= p.hi, key
        assert 0 < step <= (p.hi - p.lo) / 10, key


def test_slider_values_follow_the_policy_preset_and_the_scenario():
    d = Dashboard(CONTROLLING)
    sp = load_scenario(CONTROLLING)
    assert d.policy_a == sp.policy.name == "controlling"
    assert d.value("team.size") == sp.team.size
    for key, _, _ in KNOB_SLIDERS:
        assert d.value(key) == PRESETS["controlling"][key.split(".")[1]]
    d.set_policy("A", "coaching")
    for key, _, _ in KNOB_SLIDERS:
        assert d.value(key) == PRESETS["coaching"][key.split(".")[1]]


# ---------------------------------------------------------------------------------------------- the dashboard
def test_steps_setup_and_reset():
    d = Dashboard(CONTROLLING)
    assert d.week == 0 and d.weeks == load_scenario(CONTROLLING).scenario.weeks
    d.step(3)
    assert d.week == 3
    d.set_value("policy.blame", 0.2)
    d.setup()
    assert d.week == 0 and d.value("policy.blame") == 0.2       # setup keeps the sliders
    d.step(2)
    d.reset()
    assert d.week == 0 and d.overrides == {} and d.value("policy.blame") == PRESETS["controlling"]["blame"]


def test_ab_mode_is_the_same_people_under_two_policies():
    d = Dashboard(CONTROLLING)
    d.step(5)
    d.set_ab(True)
    assert d.week == 5
    a, b = d.models["A"], d.models["B"]
    assert a.params.policy.name == "controlling" and b.params.policy.name == d.policy_b != "controlling"
    fresh_a, fresh_b = (OrgModel(d.params(s), seed=d.params(s).scenario.seed) for s in "AB")
    for trait in ("competence", "resilience", "trust_propensity", "learning_rate", "workload_share"):
        assert np.array_equal(getattr(fresh_a.state, trait), getattr(fresh_b.state, trait)), trait
    assert sorted(fresh_a.org.graph.edges) == sorted(fresh_b.org.graph.edges)
    assert a.seed == b.seed
    d.step(20)
    assert a.metrics["engagement"] != b.metrics["engagement"]  # two policies, two histories


def test_a_slider_replays_the_run_to_the_current_week_with_the_new_value():
    d = Dashboard(CONTROLLING)
    d.step(12)
    before = d.models["A"].metrics["engagement"]
    d.set_value("policy.coaching", 0.9)
    assert d.week == 12
    assert d.models["A"].params.policy.coaching == 0.9
    assert d.models["A"].metrics == twin(d).metrics            # same seed, same numbers
    assert d.models["A"].metrics["engagement"] != before
    with pytest.raises(ConfigError):
        d.set_value("policy.blame", 7.0)
    assert "policy.blame" not in d.overrides and d.week == 12


def test_a_slider_on_a_big_organisation_frees_the_old_model_at_once():
    """Each slider move rebuilds the models; a company's old one (a Mesa model and its agents refer to each
    other) must not wait for Python's next full collection: the dashboard grew by about 30 MB per move on the
    corporation, to 1 GB. Checked with automatic collection off."""
    import gc
    import weakref

    d = Dashboard(CONTROLLING.parent / "company_coaching_top.toml")
    old = weakref.ref(d.models["A"])
    was = gc.isenabled()
    gc.disable()
    try:
        d.set_value("policy.coaching", 0.9)
        assert old() is None and d.models["A"].params.policy.coaching == 0.9
    finally:
        if was:
            gc.enable()


def test_policy_b_gets_its_preset_not_the_knob_sliders_of_a():
    d = Dashboard(CONTROLLING)
    d.set_ab(True)
    d.set_value("policy.blame", 0.05)
    assert d.value("policy.blame", "A") == 0.05
    assert d.value("policy.blame", "B") == PRESETS[d.policy_b]["blame"]
    d.set_value("team.size", 20)
    assert d.models["B"].params.team.size == 20                 # team and work sliders move both


@pytest.mark.parametrize("kind", list(EVENT_BUTTONS))
def test_event_buttons_change_the_model_from_the_next_week(kind):
    d = Dashboard(CONTROLLING)
    d.set_ab(True)
    d.step(10)
    ev = d.fire(kind)
    weeks, magnitude = EVENT_BUTTONS[kind]
    assert ev == {"kind": kind, "start": 11, "end": 10 + weeks, "magnitude": magnitude}
    for m in d.models.values():
        assert m.params.events[-1].model_dump() == ev
    plain = OrgModel(d.models["A"].params.model_copy(update={"events": ()}), seed=d.models["A"].seed).run(10)
    weeks_on = 4 if kind == "pressure" else 1
    d.step(weeks_on)
    plain.run(weeks_on)
    fired = d.models["A"]
    if kind == "pressure":
        assert fired.metrics["exhaustion"] > plain.metrics["exhaustion"]
    elif kind == "reorganisation":
        assert fired.metrics["trust_in_manager"] < plain.metrics["trust_in_manager"]
    else:
        assert fired.leavers >= plain.leavers + 1


def test_fired_events_survive_a_replay_and_setup_clears_them():
    d = Dashboard(CONTROLLING)
    d.step(4)
    d.fire("key_person_leaves")
    d.step(6)
    leavers = d.models["A"].leavers
    d.set_value("manager.hours", 41.0)
    assert [e.kind for e in d.models["A"].params.events] == ["key_person_leaves"]
    assert d.models["A"].metrics == twin(d).metrics and d.models["A"].leavers >= 1
    assert leavers >= 1
    d.setup()
    assert d.fired == [] and d.models["A"].params.events == ()


def test_fire_event_helper_starts_next_week():
    m = OrgModel(load_scenario(CONTROLLING))
    m.run(3)
    ev = fire_event(m, "pressure", 4, 1.2)
    assert (ev["start"], ev["end"]) == (4, 7)
    assert [(e.kind, e.start, e.end, e.magnitude) for e in m.params.events] == [("pressure", 4, 7, 1.2)]


# ---------------------------------------------------------------------------------------------- what is drawn
def test_node_states_classify_every_position():
    m = OrgModel(load_scenario(CONTROLLING))
    m.run(2)
    s, dyn = m.state, m.params.dynamics
    s.status[:4] = [VACANT, ABSENT, ACTIVE, ACTIVE]
    s.exhaustion[2], s.cynicism[2] = 0.95, 0.9                 # burnt out at work
    s.exhaustion[3], s.cynicism[3] = dyn.burnout_exhaustion + 0.01, 0.0   # strained
    s.exhaustion[4:6], s.engagement[4], s.engagement[5] = 0.1, 0.9, 0.5
    got = [STATES[i] for i in node_states(m)[:6]]
    assert got == ["left", "burnt_out", "burnt_out", "strained", "engaged", "neutral"]


def test_curves_chart_puts_both_policies_on_the_same_panels():
    d = Dashboard(CONTROLLING)
    d.set_ab(True)
    d.step(8)
    d.fire("pressure")
    spec, data = curves_chart(d.snapshot(), "nl")
    assert len(spec["concat"]) == len(PANELS)
    titles = [p["title"]["text"] for p in spec["concat"]]
    assert all(t.startswith(metric_label(m, "nl")) for t, m in zip(titles, PANELS))
    sides = {r["side"] for r in data["curves"]}
    assert sides == {"A: Controlerend (micromanager)", f"B: {POLICY_LABELS[d.policy_b][1]}"}
    for p in spec["concat"]:
        lines = [layer for layer in p["layer"] if layer["mark"]["type"] == "line"]
        assert len(lines) == 1 and lines[0]["encoding"]["color"]["scale"]["domain"] == sorted(sides)
    for metric in PANELS:
        for side in sides:
            assert [r["week"] for r in data["curves"] if r["metric"] == metric and r["side"] == side] == list(
                range(1, 9))
    assert data["events"] and data["events"][0]["start"] == 8.5
    json.dumps(spec), json.dumps(data)                          # what travels to the browser


def test_network_and_hours_charts_show_every_person_and_both_sides():
    d = Dashboard(CONTROLLING)
    d.set_ab(True)
    d.step(15)
    snap = d.snapshot()
    spec, data = network_chart(snap, "en")
    n = d.models["A"].org.n_positions
    assert len(spec["hconcat"]) == 2
    for key in ("A", "B"):
        people = data[f"people_{key}"]
        assert len(people) == n and len(data[f"leads_{key}"]) == 1
        want = [tr(STATES[i], "en") for i in node_states(d.models[key])]
        assert [p["state"] for p in people] == want
    spec, data = hours_chart(snap, "en")
    assert sorted(data) == ["events", "hours_A", "hours_B"]
    a = d.models["A"].metrics
    last = {r["activity"]: r["hours"] for r in data["hours_A"] if r["week"] == 15}
    assert set(last) == {metric_label(h, "en") for h in ("hours_monitoring", "hours_doing", "hours_coaching",
                                                         "hours_vision")}
    assert sum(last.values()) > 0 and a["manager_hours"] > 0


def test_the_page_renders_steps_and_switches_language_in_process():
    import ipyvuetify as v
    import solara

    dash_view.lang_r.set("en")
    _, rc = solara.render(dash_view.Page(), handle_error=False)
    try:
        step = rc.find(v.Btn, children=["Step"])
        step.assert_single()
        step.widget.click()
        step.widget.click()
        week = [w for w in rc.find(solara.widgets.HTML).widgets
                if "orgsim-week" in w.attributes.get("class", "")]
        assert len(week) == 1 and "<b>2</b>" in week[0].unsafe_innerHTML
        views = rc.find(dash_view.VegaView).widgets
        assert len(views) == 5   # curves, control, zones, network, hours
        curves = json.loads(views[0].data_json)["curves"]
        assert max(r["week"] for r in curves) == 2
        dash_view.lang_r.set("nl")
        rc.find(v.Btn, children=["Stap"]).assert_single()
        assert metric_label("engagement", "nl") in rc.find(dash_view.VegaView).widgets[0].spec_json
    finally:
        rc.close()
        dash_view.lang_r.set("")


# ---------------------------------------------------------------------------------------------- offline, CLI
def test_offline_asset_directory_has_every_library_the_page_asks_for():
    d = offline_assets()
    for path in ("vega@5/build/vega.min.js", "vega-lite@5/build/vega-lite.min.js",
                 "vega-embed@6/build/vega-embed.min.js", "requirejs@2.3.6/require.js",
                 "font-awesome@4.5.0/css/font-awesome.min.css"):
        assert (d / path).is_file(), path
    assert offline_assets() == d                                # built once


runner = CliRunner()


@pytest.fixture
def clean_env(monkeypatch):
    for k in ("ORGSIM_LANG", "ORGSIM_SCENARIOS", "SOLARA_APP", "SOLARA_TELEMETRY_MIXPANEL_ENABLE"):
        monkeypatch.setenv(k, "")
        monkeypatch.delenv(k)


@pytest.mark.parametrize("args, words", [
    (["--port", "70000"], "--port 70000"),
    (["--lang", "fr"], "--lang fr"),
    (["--scenarios", "/nonexistent"], "--scenarios /nonexistent"),
])
def test_dashboard_bad_input_is_one_line_and_exit_2(args, words, clean_env):
    res = runner.invoke(cli_app, ["dashboard", *args])
    assert res.exit_code == 2, res.output
    assert res.output.startswith(f"error: {words}") and res.output.count("\n") == 1, res.output


def test_dashboard_refuses_a_port_in_use(clean_env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        res = runner.invoke(cli_app, ["dashboard", "--port", str(port)])
    assert res.exit_code == 2, res.output
    assert res.output.startswith(f"error: --port {port}: cannot listen on 127.0.0.1:{port}"), res.output


# ---------------------------------------------------------------------------------------------- the story on the page
def test_reset_turns_ab_off_and_goes_back_to_the_scenario():
    d = Dashboard(CONTROLLING)
    d.set_ab(True)
    d.step(3)
    d.reset()
    assert d.ab is False and list(d.models) == ["A"] and d.week == 0


def test_each_style_keeps_its_colour_whatever_slot_it_is_in():
    from sim.dashboard.charts import side_colours
    from sim.palette import STYLE_COLOURS

    d = Dashboard(CONTROLLING)
    d.set_ab(True)
    d.set_policy("A", "coaching")
    d.set_policy("B", "controlling")
    snap = d.snapshot()
    assert side_colours(snap) == {"A": STYLE_COLOURS["coaching"], "B": STYLE_COLOURS["controlling"]}
    spec, _ = curves_chart(snap, "en")
    scale = [layer for layer in spec["concat"][0]["layer"] if layer["mark"]["type"] == "line"][0][
        "encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == {"A: Coaching (trust within frameworks)":
                                                          STYLE_COLOURS["coaching"],
                                                          "B: Controlling (micromanager)": STYLE_COLOURS["controlling"]}
    d.set_policy("B", "coaching")                                # the same style twice: B gets a colour of its own
    cols = side_colours(d.snapshot())
    assert cols["A"] == STYLE_COLOURS["coaching"] and cols["B"] != cols["A"]


def test_the_picker_is_in_workshop_order_grouped_with_titles_in_the_language():
    from sim.dashboard.picker import GROUPS, WORKSHOP_ORDER, scenario_entries, scenario_items

    entries = scenario_entries("nl")
    stems = [Path(f).stem for _, _, f in entries]
    shipped = sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))
    assert sorted(stems) == shipped and set(WORKSHOP_ORDER) == set(shipped)
    assert stems[:2] == ["controlling", "coaching"]
    groups = [g for g, _, _ in entries]
    assert groups == sorted(groups, key=GROUPS.index)           # one team first, then the organisations
    for group, title, f in entries:
        sp = load_scenario(f)
        assert title == sp.scenario.title_nl
        assert (group == "organisations") == (sp.team.teams > 1 or sp.org.levels > 1), f
    assert stems.index("zone_learning") < stems.index("baseline_nl")
    headers = [i["header"] for i in scenario_items("en") if "header" in i]
    assert headers == [tr(g, "en") for g in GROUPS]


def test_control_curve_zone_dot_and_event_bands_come_from_the_models():
    from sim.dashboard.charts import control_chart
    from sim.dashboard.charts_team import TRAIL_WEEKS, zone_chart
    from sim.model import ACTIVE

    d = Dashboard(CONTROLLING)
    d.set_ab(True)
    d.step(20)
    d.fire("pressure")
    d.step(20)
    snap = d.snapshot()
    spec, data = control_chart(snap, "en")
    for side in snap.sides:
        m = d.models[side.key]
        mine = [r for r in data["control"] if r["side"].startswith(side.key)]
        control = [r["value"] for r in mine if r["what"] == "control"]
        autonomy = [r["value"] for r in mine if r["what"] == "autonomy given"]
        assert len(control) == len(autonomy) == 40
        assert control == pytest.approx(list(m.datacollector.model_vars["manager_control"]), abs=1e-4)
        active = m.state.status == ACTIVE
        assert autonomy[-1] == pytest.approx(m.state.autonomy[active].mean(), abs=1e-4)
    a_aut = [r["value"] for r in data["control"] if r["side"].startswith("A") and r["what"] == "autonomy given"]
    b_aut = [r["value"] for r in data["control"] if r["side"].startswith("B") and r["what"] == "autonomy given"]
    assert np.mean(a_aut) < np.mean(b_aut)                      # the micromanager gives less autonomy
    assert data["events"] == [{"start": 20.5, "end": 28.5, "what": "Pressure crunch (8 weeks)"}]
    spec, zone = zone_chart(snap, "en")
    for key in ("A", "B"):
        pts = [p for p in zone["zone"] if p["side"].startswith(key)]
        assert len(pts) == TRAIL_WEEKS and [p["now"] for p in pts].count(True) == 1
        now = [p for p in pts if p["now"]][0]
        assert now["week"] == 40
        assert now["safety"] == pytest.approx(d.models[key].metrics["psych_safety"], abs=1e-3)
        assert now["standards"] == pytest.approx(float(np.mean(d.models[key].knob_bundle.standards)), abs=1e-3)
        assert {p["week"] for p in pts if p["event"]} == set(range(21, 29))
    for chart in (curves_chart, hours_chart, control_chart):         # every chart over time shades the event
        _, ds = chart(snap, "en")
        assert ds["events"] == data["events"]


def test_a_persons_story_is_their_own_week_by_week_and_survives_a_replay():
    from sim.dashboard.charts_team import person_chart
    from sim.dashboard.state import PERSON_VARS

    d = Dashboard(CONTROLLING)
    d.step(15)
    with pytest.raises(ConfigError):
        d.select_person(10_000)
    d.select_person(4)
    snap = d.snapshot()
    story = snap.sides[0].story
    m = d.models["A"]
    for v in PERSON_VARS:
        assert len(story[v]) == 15 and story[v][-1] == pytest.approx(float(getattr(m.state, v)[4]))
    assert story["style"][-1] == int(m.state.style[4])
    d.set_value("policy.coaching", 0.9)                             # replayed: the story of the new run
    again = d.snapshot().sides[0].story
    assert again["engagement"][-1] == pytest.approx(float(twin(d).state.engagement[4]))
    _, data = person_chart(d.snapshot(), "nl")
    assert {r["what"] for r in data["person"]} == {metric_label(v, "nl") for v in PERSON_VARS}
    assert len(data["styles"]) == 15 and data["styles"][0]["style"].startswith("S")


def test_measures_monitors_and_speed_are_chosen_from_what_the_page_offers():
    from sim.dashboard.charts import monitor_rows
    from sim.dashboard.state import SPEEDS

    d = Dashboard(CONTROLLING)
    d.step(2)
    d.set_measures(panels=["psych_safety", "leavers", "initiative"], monitors=["cynicism"])
    snap = d.snapshot()
    spec, _ = curves_chart(snap, "en")
    assert [p["title"]["text"] for p in spec["concat"]] == [metric_label(m, "en") for m in
                                                            ("psych_safety", "leavers", "initiative")]
    assert [label for label, _ in monitor_rows(snap, "en")] == [metric_label("cynicism", "en")]
    assert monitor_rows(snap, "nl")[0][1][0] == f"{d.models['A'].metrics['cynicism']:.2f}".replace(".", ",")
    for bad in ([], ["nope"], ["week"]):
        with pytest.raises(ConfigError):
            d.set_measures(panels=bad)
    with pytest.raises(ConfigError):
        d.set_speed(1000)
    d.set_speed(SPEEDS[-1])
    assert d.speed == SPEEDS[-1]


def test_projector_charts_have_large_type_and_are_sized_by_the_browser():
    from sim.dashboard.charts import BIG_FONT, control_chart
    from sim.dashboard.charts_team import zone_chart

    d = Dashboard(CONTROLLING)
    d.step(3)
    snap = d.snapshot()
    assert BIG_FONT >= 18
    for chart in (curves_chart, control_chart, zone_chart, network_chart):
        spec, _ = chart(snap, "en", big=True)
        assert spec["config"]["axis"]["labelFontSize"] >= 18 and spec["usermeta"]["fit"]["cols"] >= 1
        small, _ = chart(snap, "en")
        assert "usermeta" not in small
    spec, _ = curves_chart(snap, "nl", big=True)
    assert spec["config"]["locale"]["number"]["decimal"] == ","


# ---------------------------------------------------------------------------------------------- every "try this"
def test_named_in_text_finds_keys_and_labels():
    from sim.dashboard.controls import named_in_text

    assert named_in_text("Zet policy.standards op 0.2 (--set policy.blame=0.2)", "nl") == {"policy.standards",
                                                                                         "policy.blame"}
    assert named_in_text(f"Lower *{BY_KEY['policy.relax_rate'].label_en}* and see", "en") == {"policy.relax_rate"}
    assert named_in_text(f"Verlaag {BY_KEY['manager.trust_propensity'].label_nl}", "nl") >= {
        "manager.trust_propensity"}
    assert named_in_text("nothing here", "en") == set()


def test_every_parameter_a_scenario_text_names_has_a_control_on_the_page():
    """Each key named in any shipped scenario's texts (either language) is a control the page renders: the
    sidebar's sliders, the style picker, or the "all parameters" panel, found by its data-key."""
    import ipyvuetify as v
    import solara

    from sim.dashboard.controls import PANEL_SECTIONS, named_in_scenarios

    named = named_in_scenarios(ROOT / "scenarios")
    assert {"policy.standards", "policy.relax_rate", "manager.trust_propensity",
            "policy.phased_delegation"} <= set(named)       # the ones the issue found without a control
    d = Dashboard(CONTROLLING)
    _, rc = solara.render(dash_view.Sidebar(d, "en"), handle_error=False)
    try:
        def keys():
            return {(w.attributes or {}).get("data-key") for w in rc.find(v.Html).widgets} - {None}
        on_page = keys() | {"policy.name"}                       # the style picker
        assert rc.find(v.Select, class_="orgsim-policy-a").widget.v_model == "controlling"
        section = rc.find(v.Select, class_="orgsim-section").widget
        for s in PANEL_SECTIONS:
            section.v_model = s
            on_page |= keys()
    finally:
        rc.close()
    missing = {k: f for k, f in named.items() if k not in on_page}
    assert not missing, f"named in a scenario text but no control on the page: {missing}"


def test_the_panel_sets_organisation_parameters():
    d = Dashboard(CONTROLLING.parent / "company_coaching_island.toml")
    d.set_value("org.team_policies", ["coaching", "coaching"])
    d.set_value("org.middle_policy", "coaching")
    d.set_value("org.policy_mix", {"coaching": 2.0, "controlling": 1.0})
    org = d.models["A"].params.org
    assert list(org.team_policies) == ["coaching", "coaching"] and org.middle_policy == "coaching"
    assert dict(org.policy_mix) == {"coaching": 2.0, "controlling": 1.0}
    with pytest.raises(ConfigError):
        d.set_value("org.middle_policy", "tyrant")
    assert d.models["A"].params.org.middle_policy == "coaching"


# ---------------------------------------------------------------------------------------------- the docs
def test_docs_first_minute_numbers_are_the_pages():
    """docs/dashboard.md's numbers come from the code: the first-minute table is what the page shows after
    +1 year in A/B mode, the other numbers are the dashboard's constants."""
    from sim.dashboard.charts import BIG_FONT, monitor_rows
    from sim.dashboard.charts_team import TRAIL_WEEKS
    from sim.dashboard.picker import default_scenario
    from sim.dashboard.state import MAX_TEAMS_DRAWN
    from sim.events import crunch_pressure, reorganisation_pressure
    from sim.rules.motivation import ENGAGED_AT

    doc = (ROOT / "docs" / "dashboard.md").read_text()
    d = Dashboard(default_scenario())
    d.set_ab(True)
    d.step(52)
    snap = d.snapshot()
    assert [s.policy for s in snap.sides] == ["controlling", "coaching"]
    rows = "\n".join(f"| {label} | {' | '.join(vals)} |" for label, vals in monitor_rows(snap, "en"))
    assert "| week 52 | A: Controlling | B: Coaching |\n|---|---|---|\n" + rows + "\n" in doc
    assert "twelve people" in doc and d.models["A"].org.n_positions == 12
    assert f"up to {MAX_TEAMS_DRAWN} are" in doc and f"at least {ENGAGED_AT:g})" in doc
    assert f"axis labels of {BIG_FONT} px" in doc and TRAIL_WEEKS == 26 and "half year" in doc
    (_, crunch), (_, reorg) = EVENT_BUTTONS["pressure"], EVENT_BUTTONS["reorganisation"]
    assert f"workload x{crunch_pressure(crunch):g}" in doc and f"pressure x{reorganisation_pressure(reorg):g})" in doc
    snap_a = snap.sides[0]
    assert snap_a.series["manager_control"][-1] > snap.sides[1].series["manager_control"][-1]   # "stays high"
    assert snap_a.autonomy[-1] < snap.sides[1].autonomy[-1]
    zones = {s.key: (s.series["psych_safety"][-1] >= 0.5, s.standards >= 0.5) for s in snap.sides}
    assert zones == {"A": (False, True), "B": (True, True)}     # anxiety zone, learning zone


def test_scenario_texts_on_the_page_name_controls_by_their_labels():
    from sim.dashboard.controls import page_words

    got = page_words("Lower policy.blame to 0.2 (--set policy.blame=0.2): and {manager.hours}?", "nl")
    assert got == [("Lower ", False), (BY_KEY["policy.blame"].label_nl, True), (" to 0.2: and ", False),
                   (BY_KEY["manager.hours"].label_nl, True), ("?", False)]
    assert page_words("no keys, a.b and org.nothing", "en") == [("no keys, a.b and org.nothing", False)]


def test_docs_name_the_window_sizes_the_projector_test_checks():
    from test_dashboard_projector import SIZES

    doc = (ROOT / "docs" / "dashboard.md").read_text()
    assert all(f"{w}x{h}" in doc for w, h in SIZES)


@given(words=st.lists(st.sampled_from(["Zet ", "policy.blame", "{manager.hours}", " op 0.2", " (--set x=1)",
                                       "org.nothing", " en ", "team.size", "."]), max_size=12),
       lang=st.sampled_from(["en", "nl"]))
def test_page_words_replace_every_key_and_keep_the_rest(words, lang):
    from sim.dashboard.controls import page_words

    src = " ".join(words)          # keys as words (policy.blameZet is no key)
    pieces = page_words(src, lang)
    plain = "".join(w for w, is_label in pieces if not is_label)
    assert "policy.blame" not in plain and "manager.hours" not in plain and "team.size" not in plain
    assert "--set" not in plain and plain.count("org.nothing") == src.count("org.nothing")
    labels = [w for w, is_label in pieces if is_label]
    assert len(labels) == sum(src.count(k) for k in ("policy.blame", "manager.hours", "team.size"))


@given(title=st.text(alphabet="ab ()%", min_size=0, max_size=40), longest=st.integers(4, 30))
def test_two_lines_keeps_every_word(title, longest):
    from sim.dashboard.charts import two_lines

    got = two_lines(title, longest)
    if isinstance(got, list):
        assert len(got) == 2 and " ".join(got) == title and len(title) > longest
    else:
        assert got == title


def test_run_plays_at_the_chosen_speed_and_stops_at_the_end_or_when_paused():
    import threading
    import time

    d = Dashboard(CONTROLLING)
    d.set_speed(8)
    weeks: list[float] = []
    t0 = time.monotonic()
    d.play(lambda: len(weeks) < 5, threading.Event(), lambda: weeks.append(time.monotonic() - t0))
    assert d.week == 5 and len(weeks) == 5
    assert weeks[-1] >= 4 / 8 - 0.02                   # never faster than 8 weeks a second
    d.set_value("scenario.weeks", 7)
    d.set_speed(26)
    d.play(lambda: True, threading.Event())
    assert d.week == 7                                 # the end of the scenario stops it
    stop = threading.Event()
    stop.set()
    d.setup()
    d.play(lambda: True, stop)
    assert d.week == 0                                 # paused: not a week more


# ------------------------------------------------------------------------------------ a scenario's own team
def _surveyed_scenario(folder: Path) -> Path:
    """A scenario of 7 people whose ``[team] survey`` names the example survey (12 people) beside it."""
    import shutil
    shutil.copy(ROOT / "examples" / "survey_team.csv", folder / "our_team.csv")
    sc = folder / "ours.toml"
    sc.write_text('[team]\nsize = 7\nsurvey = "our_team.csv"\n[policy]\nname = "controlling"\n')
    return sc


def test_a_scenarios_survey_starts_the_dashboards_models(tmp_path, monkeypatch):
    """`[team] survey` in a scenario: the page's models (A, and B in A/B) start with the surveyed people, as
    `orgsim run` does (the same numbers week by week), read beside the scenario file whatever the working
    directory."""
    from sim import survey as sv
    from sim.runner import run_one
    from sim.runner import start as start_model
    sc = _surveyed_scenario(tmp_path)
    monkeypatch.chdir(ROOT)                                    # not the scenario's folder
    d = Dashboard(sc)
    s = sv.read(tmp_path / "our_team.csv")
    start = sv.starting_state(s)
    for m in d.models.values():
        assert m.org.n_positions == s.n == 12                  # the survey's size, not the file's 7
        np.testing.assert_allclose(m.state.engagement[:12], start["engagement"])
        np.testing.assert_allclose(m.state.exhaustion[:12], start["exhaustion"])
    assert d.value("team.size") == 12
    d.step(10)
    run = run_one(load_scenario(sc), weeks=10).timeseries
    np.testing.assert_allclose(d.snapshot().sides[0].series["engagement"], run["engagement"].to_numpy())
    d.set_ab(True)                                             # B: another style, the same people
    b = d.models["B"]
    assert b.params.policy.name == "coaching" and b.org.n_positions == 12
    fresh = start_model(d.params("B"), s, seed=d.params("B").scenario.seed).run(d.week)
    np.testing.assert_allclose(fresh.state.competence, b.state.competence)
    assert not np.allclose(twin(d, "B").state.competence, b.state.competence)   # not the drawn people
    d.reset()
    assert d.models["A"].org.n_positions == 12 and d.survey is not None
    with pytest.raises(ConfigError, match="survey describes one team"):   # refused, and nothing changes
        d.set_value("team.teams", 3)
    assert d.models["A"].org.n_positions == 12


def test_a_missing_survey_is_one_line_and_changes_nothing(tmp_path):
    sc = _surveyed_scenario(tmp_path)
    (tmp_path / "our_team.csv").unlink()
    d = Dashboard(CONTROLLING)
    with pytest.raises(ConfigError) as exc:
        d.load(sc)
    assert "our_team.csv: no such survey file" in str(exc.value) and "\n" not in str(exc.value)
    assert d.scenario_path == CONTROLLING and d.survey is None
