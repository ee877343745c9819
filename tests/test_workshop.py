"""The workshop game without HTTP: cards, decisions onto the model's knobs, rounds, rejoining, the timer,
the leaderboard, the files and replaying a recorded game (sim/workshop)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.params import load_scenario
from sim.policies import PRESETS
from sim.workshop import cards, debrief, decisions, texts
from sim.workshop.decisions import HOUR_KINDS, Decision, Invalid
from sim.workshop.game import Game, clean_nickname, replay, score

ROOT = Path(__file__).resolve().parent.parent
PARAMS = load_scenario(None)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def game(rounds=3, **kw) -> Game:
    return Game(PARAMS, seed=7, rounds=rounds, clock=kw.pop("clock", Clock()), **kw)


def msg(hours=(10, 10, 10, 10), autonomy=2, answer=None, **extra):
    return {"hours": dict(zip(HOUR_KINDS, hours)), "autonomy": autonomy, "answer": answer, **extra}


# --- cards and decisions ------------------------------------------------------------------------------------
def test_deck_is_the_seeds_every_card_and_never_twice_in_a_row():
    d = cards.deck(12, 42)
    assert d == cards.deck(12, 42) and d != cards.deck(12, 43)
    assert sorted(d) == sorted([c.key for c in cards.CARDS] * 2)
    assert all(a != b for a, b in zip(d, d[1:]))
    assert len(cards.deck(5, 1)) == 5


def test_card_events_are_the_models_event_kinds():
    from sim.params import EVENT_KINDS
    kinds = {c.event for c in cards.CARDS if c.event}
    assert kinds == set(EVENT_KINDS)
    for c in cards.CARDS:
        ev = cards.event_of(c, 9)
        assert ev is None or (ev["start"] == 9 and ev["end"] == 8 + c.weeks)
        for a in c.answers:
            assert set(a.values()) <= set(cards.STANCE_KNOBS)


def test_a_decision_is_parsed_strictly():
    d = decisions.parse(msg((20, 8, 2, 10), 4, "learn"), 40, "mistake")
    assert d == Decision((20, 8, 2, 10), 4, "learn")
    for bad, code in [(msg((10, 10, 10, 9)), "hours_sum"), (msg(autonomy=5), "bad_value"),
                      (msg(autonomy=True), "bad_value"), (msg(answer="crunch"), "bad_answer"),
                      (msg(hours=(10.0, 10, 10, 10)), "bad_value"), ({**msg(), "evil": 1}, "bad_message"),
                      ({"hours": {"monitoring": 40}, "autonomy": 1}, "bad_hours"), ("text", "bad_message"),
                      (msg((-2, 22, 10, 10)), "bad_value")]:
        with pytest.raises(Invalid) as exc:
            decisions.parse(bad, 40, "mistake")
        assert exc.value.code == code, bad


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                max_size=5), max_leaves=20))
def test_any_message_is_a_decision_or_invalid(value):
    try:
        d = decisions.parse(value, 40, "crunch")
    except Invalid:
        return
    assert sum(d.hours) == 40 and 0 <= d.autonomy <= 4


def test_hours_map_onto_the_knobs_and_back():
    size, contract = PARAMS.team.size, float(PARAMS.manager.hours)
    k = decisions.hour_knobs((0, 0, 0, 0), size, contract)
    assert all(v == 0 for v in k.values())
    more = decisions.hour_knobs((12, 12, 12, 4), size, contract)
    less = decisions.hour_knobs((6, 6, 6, 2), size, contract)
    assert all(more[x] > less[x] for x in more)
    for name in ("controlling", "coaching"):
        hours = decisions.planned_hours(PRESETS[name], size, contract)
        back = decisions.hour_knobs(hours, size, contract)
        for knob in ("coaching", "takeover", "frameworks"):
            assert back[knob] == pytest.approx(PRESETS[name][knob])
    assert decisions.planned_hours(PRESETS["controlling"], size, contract)[0] > \
        decisions.planned_hours(PRESETS["coaching"], size, contract)[0]


# --- the game -----------------------------------------------------------------------------------------------
def test_a_round_runs_four_weeks_under_the_choices_and_the_cards_event():
    g = game(rounds=12)
    p = g.join(g.code, "ann")
    g.start_round(g.trainer_token)
    g.decide(p.token, msg((22, 0, 8, 10), 0, g.card() and cards.BY_CARD[g.card()].answers[0].key))
    g.close_round(g.trainer_token)
    m = p.team.model
    assert m.week == 4 and g.phase == "closed"
    want = decisions.hour_knobs((22, 0, 8, 10), PARAMS.team.size, 40.0)
    assert m.knob_bundle.coaching[0] == 0 and m.knob_bundle.monitoring[0] == pytest.approx(want["monitoring"])
    assert m.knob_bundle.autonomy[0] == decisions.AUTONOMY[0] and m.params.policy.name == "custom"
    for r in range(2, 13):   # every card's event reaches the model in its round
        g.start_round(g.trainer_token)
        g.close_round(g.trainer_token)
    kinds = [e.kind for e in m.params.events]
    assert kinds == [cards.BY_CARD[c].event for c in g.deck if cards.BY_CARD[c].event]
    assert m.week == 48 and g.phase == "debrief" and len(p.team.rows) == 12


def test_no_answer_keeps_last_choices_and_stance():
    g = game()
    a, b = g.join(g.code, "a"), g.join(g.code, "b")
    g.start_round(g.trainer_token)
    first = cards.BY_CARD[g.card()].answers[0].key
    g.decide(a.token, msg((30, 4, 2, 4), 1, first))
    g.close_round(g.trainer_token)
    g.start_round(g.trainer_token)
    g.close_round(g.trainer_token)
    (d1, ans1), (d2, ans2) = a.decisions
    assert ans1 and not ans2 and d2.hours == d1.hours and d2.autonomy == 1 and d2.answer is None
    assert b.decisions[0][0] == decisions.default(40) and not b.decisions[0][1]
    assert a.team.stance == decisions.stance_after(decisions.start_stance(), g.deck[0], first)


def test_same_seed_same_choices_same_year_and_choices_matter():
    ds = [Decision((10, 16, 0, 14), 3, None), Decision((24, 0, 16, 0), 0, None)] * 2
    one, two = replay(PARAMS, 7, 4, ds), replay(PARAMS, 7, 4, ds)
    assert one == two
    other = replay(PARAMS, 7, 4, [Decision((24, 0, 16, 0), 0, None)] * 4)
    assert one[-1]["engagement"] != other[-1]["engagement"]


def test_the_references_are_the_micromanager_and_the_coach():
    g = game(rounds=12)
    micro, coach = g.refs["controlling"], g.refs["coaching"]
    assert micro.model.knob_bundle.monitoring[0] == PRESETS["controlling"]["monitoring"]
    assert coach.model.knob_bundle.coaching[0] == PRESETS["coaching"]["coaching"]
    # the model's pattern over a year, on this team: the coach's team ends better
    assert coach.rows[-1]["score"] > micro.rows[-1]["score"]
    assert coach.rows[-1]["burnout_share"] <= micro.rows[-1]["burnout_share"]


def test_join_rejoin_tokens_and_limits():
    g = game(max_players=2)
    with pytest.raises(Invalid, match="bad_code"):
        g.join("AAAAAA" if g.code != "AAAAAA" else "BBBBBB", "x")
    p = g.join(g.code.lower(), " Ann ")
    assert p.nick == "Ann"
    old = p.token
    again = g.join(g.code, "ann")     # the same nickname (any case): the same team, a new token
    assert again is p and p.token != old
    with pytest.raises(Invalid, match="bad_token"):
        g.player(old)
    g.join(g.code, "bob")
    with pytest.raises(Invalid, match="game_full"):
        g.join(g.code, "carl")
    with pytest.raises(Invalid, match="not_trainer"):
        g.start_round(p.token)
    for bad in ("", " ", "x" * 21, "a\nb", "\x1b[31m", 5, None):
        with pytest.raises(Invalid, match="bad_nickname"):
            clean_nickname(bad)
    assert clean_nickname("<b>Ann</b>") == "<b>Ann</b>"   # kept as data; every page shows it as text


def test_decisions_only_while_open_and_for_this_round():
    g = game()
    p = g.join(g.code, "a")
    with pytest.raises(Invalid, match="round_closed"):
        g.decide(p.token, msg())
    g.start_round(g.trainer_token)
    with pytest.raises(Invalid, match="round_closed"):
        g.decide(p.token, msg(round=2))
    g.decide(p.token, msg(round=1))
    assert g.answered() == 1
    with pytest.raises(Invalid, match="wrong_phase"):
        g.start_round(g.trainer_token)


def test_the_timer_closes_the_round_and_more_time_extends_it():
    clock = Clock()
    g = game(clock=clock, timer=60)
    g.join(g.code, "a")
    g.start_round(g.trainer_token)
    clock.now = 59.0
    assert not g.tick() and g.seconds_left() == pytest.approx(1.0)
    g.add_time(g.trainer_token)
    clock.now = 61.0
    assert not g.tick() and g.phase == "open"
    clock.now = 90.0
    assert g.tick() and g.phase == "closed"


def test_late_joiner_catches_up_and_leaderboard_follows_the_score():
    g = game()
    a = g.join(g.code, "a")
    g.start_round(g.trainer_token)
    g.decide(a.token, msg((24, 0, 16, 0), 0))
    g.close_round(g.trainer_token)
    late = g.join(g.code, "late")
    assert late.team.model.week == 4 and late.decisions == [(decisions.default(40), False)]
    g.start_round(g.trainer_token)
    g.close_round(g.trainer_token)
    board = g.leaderboard()
    assert [r["rank"] for r in board] == [1, 2]
    assert board[0]["score"] >= board[1]["score"]
    for r in board:
        out = g.players[r["pid"]].team.rows[-1]
        assert r["score"] == score(out["engagement"], out["burnout_share"], out["output_year"], out["leavers"],
                                   PARAMS.work.target, PARAMS.team.size)


def test_views_hold_no_other_players_token_or_nickname():
    g = game()
    a, b = g.join(g.code, "alice"), g.join(g.code, "bob")
    g.start_round(g.trainer_token)
    g.close_round(g.trainer_token)
    view = repr(g.player_view(a))
    assert "bob" not in view and b.token not in view and g.trainer_token not in view and g.code not in view
    assert g.trainer_token not in repr(g.room_view())


# --- files and replay ---------------------------------------------------------------------------------------
def test_files_have_no_names_no_outside_urls_and_replay_identically(tmp_path):
    g = game(rounds=4)
    ps = [g.join(g.code, n) for n in ("<script>alert(1)", "Jan de Vries", "c")]
    plans = [msg((24, 0, 16, 0), 0), msg((6, 14, 2, 18), 3), None]
    for r in range(4):
        g.start_round(g.trainer_token)
        for p, m in zip(ps, plans):
            if m is not None:
                g.decide(p.token, {**m, "answer": cards.BY_CARD[g.card()].answers[r % 2].key})
        g.close_round(g.trainer_token)
    paths = debrief.write(g, tmp_path)
    for path in paths:
        text = path.read_text()
        assert "Jan de Vries" not in text and "<script>" not in text and "alert" not in text
        if path.suffix != ".json":
            assert not re.search(r"(https?:)?//[a-z0-9]", text, re.I), path
    rows = list(csv.DictReader(open(tmp_path / "decisions.csv")))
    assert len(rows) == 12 and set(rows[0]) == set(debrief.COLUMNS)
    replayed = debrief.replay_csv(tmp_path)
    for row in rows:
        got = replayed[int(row["team"])][int(row["round"]) - 1]
        assert {k: repr(got[k]) if isinstance(got[k], float) else str(got[k]) for k in debrief.OUTCOMES} == \
            {k: row[k] for k in debrief.OUTCOMES}
    nl = debrief.handout(g, "nl")
    assert "nabespreking" in nl and re.search(r"\d,\d\d", nl)


# --- texts and docs -----------------------------------------------------------------------------------------
def test_every_error_code_has_words_in_both_languages():
    codes = set()
    for f in (ROOT / "sim" / "workshop").glob("*.py"):
        codes |= set(re.findall(r'Invalid\("([a-z_]+)"', f.read_text()))
        codes |= set(re.findall(r'_error\("([a-z_]+)"', f.read_text())) - {"not_found"}
    assert codes and all(f"err_{c}" in texts.UI for c in codes), sorted(c for c in codes if f"err_{c}" not in texts.UI)
    for key, (en, nl) in texts.UI.items():
        assert en and nl, key
    js = " ".join((ROOT / "sim" / "workshop" / "pages" / f).read_text() for f in ("phone.js", "trainer.js"))
    for key in set(re.findall(r'\bT\("([a-z_]+)"', js)):
        assert key in texts.UI, key


def test_docs_list_the_cards_as_the_code_defines_them():
    doc = (ROOT / "docs" / "workshop.md").read_text()
    assert cards.markdown("en") in doc and cards.markdown("nl") in doc


def test_the_docs_numbers_are_the_codes():
    from sim.workshop import game as g
    from sim.workshop import server
    doc = " ".join((ROOT / "docs" / "workshop.md").read_text().split())
    words = {2: "two", 4: "four", 6: "six"}
    claims = [f"{words[g.CODE_LENGTH]} characters from {len(g.CODE_ALPHABET)}",
              f"bodies of at most {server.MAX_BODY // 1024} KB", f"{g.NICK_MAX} characters at most",
              f"(or after {server.POLL_SECONDS:g} s)", f"extra control of {g.VICIOUS_AT:g} or more",
              f"at most {g.MAX_TEAM} people", f"in steps of {words[decisions.HOUR_STEP]} hours",
              f"months of {words[g.WEEKS_PER_ROUND]} weeks"]
    for claim in claims:
        assert claim in doc, claim
    assert server.MAX_BODY % 1024 == 0
    assert "d.hours[kind] - 2" in (ROOT / "sim" / "workshop" / "pages" / "phone.js").read_text()


def test_workshop_modules_stay_small():
    for f in (ROOT / "sim" / "workshop").glob("*.py"):
        assert len(f.read_text().splitlines()) < 500, f


# --- the command's bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("args, words", [
    (["--rounds", "0"], "--rounds 0: out of range"),
    (["--scenario", "company_corporation"], "'team.teams' and 'org.levels' must be 1"),
    (["--scenario", "no_such_scenario"], "--scenario no_such_scenario: no such scenario"),
    (["--port", "70000"], "--port 70000: out of range"),
    (["--timer", "3"], "--timer 3: allowed: 0 (no timer) or seconds in [15, 900]"),
    (["--max-players", "0"], "--max-players 0: out of range"),
    (["--lang", "de"], "--lang de: allowed"),
])
def test_bad_options_are_one_line_and_exit_2_with_nothing_written(tmp_path, args, words):
    from typer.testing import CliRunner

    from sim.cli import app
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["workshop", "--out", str(out), *args])
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], res.output
    assert not out.exists()


def test_pages_are_plain_es5_and_set_no_participant_text_as_markup():
    """Old phone browsers: no arrow functions, let/const, template strings or fetch; and markup is set in one
    place only, the QR code's SVG that the server drew."""
    pages = ROOT / "sim" / "workshop" / "pages"
    for f in pages.glob("*.js"):
        code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', f.read_text())   # strings out
        for bad in ("=>", "`", "fetch(", "eval(", "new Function", "document.write"):
            assert bad not in code, (f.name, bad)
        assert not re.search(r"\b(let|const|class|async|await)\s", code), f.name
        assert code.count("innerHTML") == (1 if f.name == "trainer.js" else 0), f.name


@pytest.mark.parametrize("lan", [False, True])
def test_this_computer_only_unless_lan_which_warns(tmp_path, monkeypatch, lan):
    import uvicorn

    from sim.workshop import command
    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(kw))
    lines: list[str] = []
    command.run("en", None, 2, lan, 8799, None, tmp_path / "out", 30, 0.0, say=lines.append)
    text = "\n".join(lines)
    assert served["host"] == ("0.0.0.0" if lan else "127.0.0.1") and served["port"] == 8799
    assert ("warning: --lan" in text) == lan
    token = re.search(r"trainer#(\S+)", text).group(1)
    assert text.count(token) == 1 and "participants: http://" in text
    if lan:
        assert f"participants: http://{command.lan_address()}:8799/" in text


def test_best_and_worst_third_name_their_choices():
    g = game(rounds=2)
    good, bad = g.join(g.code, "good"), g.join(g.code, "bad")
    g.join(g.code, "idle")
    for _ in range(2):
        g.start_round(g.trainer_token)
        card = cards.BY_CARD[g.card()]
        g.decide(good.token, msg((6, 14, 2, 18), 4, card.answers[1].key))
        g.decide(bad.token, msg((24, 0, 16, 0), 0, card.answers[0].key))
        g.close_round(g.trainer_token)
    bw = g.best_and_worst()
    board = g.leaderboard()
    assert bw["best"]["score"] == board[0]["score"] and bw["worst"]["score"] == board[-1]["score"]
    for side in ("best", "worst"):
        pid = board[0 if side == "best" else -1]["pid"]
        ds = [d for d, _ in g.players[pid].decisions]
        assert bw[side]["hours"]["coaching"] == pytest.approx(sum(d.hours[1] for d in ds) / len(ds))
        assert bw[side]["answers"] == {g.deck[r]: d.answer for r, (d, a) in enumerate(g.players[pid].decisions)
                                       if a and d.answer}
    assert "meest gegeven antwoord" in debrief.handout(g, "nl")
