"""Scenario texts name controls by the label a page shows, in the page's language, never by code name or
``--set`` syntax; the command-line form is made from the same placeholders (sim.scenario_text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.params import BY_KEY, POLICY_LABELS, load_raw, load_scenario, parse_set, text
from sim.scenario_text import PLACEHOLDER, command_lines, named_keys, render, settings

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "scenarios").glob("*.toml"))
FIELDS = ("description", "howto", "notice", "try")
CODE_NAME = re.compile(r"\b(scenario|team|work|policy|org|manager|dynamics|events)\.[a-z_]+\b")
TOOL_WORDS = re.compile(r"--set|--agents|--per-team|\.toml\b|\.csv\b|\borgsim\b|\bseeds?\b", re.I)
ENGLISH_DECIMAL = re.compile(r"\d\.\d(?!\d\d)")     # 0.2 or 0.75; 10.008 (Dutch thousands) is not one


def _texts(path):
    sc = load_raw(path)["scenario"]
    return {(f, lang): sc.get(f"{f}_{lang}", "") for f in FIELDS for lang in ("en", "nl")}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_texts_name_parameters_only_as_known_placeholders(path):
    for (field, lang), raw in _texts(path).items():
        bare = PLACEHOLDER.sub("", raw)
        assert "{" not in bare and "}" not in bare, (path.stem, field, lang, bare)
        assert not CODE_NAME.search(bare), (path.stem, field, lang, CODE_NAME.search(bare).group(0))
        assert not TOOL_WORDS.search(bare), (path.stem, field, lang, TOOL_WORDS.search(bare).group(0))
        for key in named_keys(raw):
            assert key in BY_KEY, (path.stem, field, key)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_suggested_settings_are_valid_and_their_command_lines_run(path):
    for (field, lang), raw in _texts(path).items():
        for key, value in settings(raw):
            if key.startswith("events."):
                assert BY_KEY[key].lo <= float(value) <= BY_KEY[key].hi
                continue
            load_scenario(path, [f"{key}={value.strip(chr(34))}"])     # raises ConfigError if not allowed
        for line in command_lines(raw, path.stem):
            sets = line.split("--set ")[1:]
            assert line.startswith(f"orgsim run {path.stem} --set ")
            load_scenario(path, [s.strip() for s in sets])
            parse_set(sets[0].strip())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_pages_show_labels_in_their_language_and_the_readers_numbers(path):
    sp = load_scenario(path)
    for field in FIELDS:
        for lang in ("en", "nl"):
            shown = text(sp, field, lang)
            assert not PLACEHOLDER.search(shown), (path.stem, field, lang)
            raw = _texts(path)[(field, lang)]
            for key in named_keys(raw):
                p = BY_KEY[key]
                assert f"‘{p.label_nl if lang == 'nl' else p.label_en}’" in shown, (path.stem, field, key)
            if lang == "nl":
                assert not ENGLISH_DECIMAL.search(shown), (path.stem, field, shown)


def test_a_dutch_suggestion_reads_as_dutch():
    s = "Zet {policy.blame=0.2} en {org.middle_policy=coaching}; verlaag {manager.insecurity}."
    assert render(s, "nl", BY_KEY, POLICY_LABELS) == ("Zet ‘Schuld bij fouten’ op 0,2 en ‘Beleid middenmanagement’ "
                                                       "op coachend; verlaag ‘Onzekerheid’.")
    assert render(s, "en", BY_KEY, POLICY_LABELS).startswith("Zet ‘Blame on failure’ to 0.2 en")
    assert command_lines(s, "controlling") == ["orgsim run controlling --set policy.blame=0.2",
                                               "orgsim run controlling --set org.middle_policy=coaching"]


def test_the_situational_styles_have_their_dutch_names_in_order():
    sc = load_raw(ROOT / "scenarios/situational.toml")["scenario"]
    assert "S1-S4 (instrueren, overtuigen, ondersteunen/participeren, delegeren)" in sc["description_nl"]
    assert "S1-S4 (directing, coaching, supporting, delegating)" in sc["description_en"]


@given(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=80))
def test_text_without_braces_is_shown_as_written(s):
    assert render(s, "nl", BY_KEY, POLICY_LABELS) == s


@given(st.from_regex(r"\{[a-z_]{1,12}\.[a-z_]{1,12}(=[a-z0-9.]{1,5})?\}", fullmatch=True))
def test_an_unknown_name_in_braces_stays_as_written(s):
    key = s[1:-1].split("=")[0]
    if key not in BY_KEY:
        assert render(s, "en", BY_KEY, POLICY_LABELS) == s
