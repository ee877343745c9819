"""Scenario texts that name controls: ``{section.key}`` and ``{section.key=value}`` placeholders.

A scenario's "how to use it", "things to notice" and "things to try" texts name a parameter as a placeholder,
never by its code name or by ``--set`` syntax. On a page (dashboard, report) the placeholder becomes the label
the page shows for that control, in the page's language, taken from the one schema (:mod:`sim.params`):

    try_nl = "Zet {policy.blame=0.2}: wat gebeurt er met verborgen fouten?"
    -> "Zet ‘Schuld bij fouten’ op 0,2: wat gebeurt er met verborgen fouten?"

The command-line form of the same suggestion (``--set policy.blame=0.2``) is made from the same placeholders
(:func:`command_lines`) for ``orgsim scenarios NAME`` and the report's appendix.
"""

from __future__ import annotations

import re

# (below sim.params in the layers: the schema's tables are passed in, so sim.params.text can use this module)

# {section.key} or {section.key=value}; value: a number, a word or a "quoted word"
PLACEHOLDER = re.compile(r"\{([a-z_]+\.[a-z_]+)(?:=([^{}=]+))?\}")
RENDERED_FIELDS = ("description", "howto", "notice", "try")
_TO = {"en": "to", "nl": "op"}


def label(param, lang: str) -> str:
    """The label a page shows for a parameter (a :class:`sim.params.Param`), in ``lang``."""
    return (param.label_nl or param.label_en) if lang == "nl" else param.label_en


def number(x: float, lang: str, digits: int | None = None) -> str:
    """A number as a reader of ``lang`` writes it: ``0,2`` in Dutch, ``0.2`` in English."""
    s = f"{x:g}" if digits is None else f"{x:.{digits}f}"
    return s.replace(".", ",") if lang == "nl" else s


def value_text(value: str, lang: str, policy_labels: dict) -> str:
    """A placeholder's value as a page shows it: a number in the reader's convention, a policy by its name."""
    v = value.strip().strip('"')
    if v in policy_labels:
        return policy_labels[v][3 if lang == "nl" else 2]
    try:
        return number(float(v), lang)
    except ValueError:
        return v


def render(s: str, lang: str, by_key: dict, policy_labels: dict) -> str:
    """Replace every placeholder naming a parameter of ``by_key`` (:data:`sim.params.BY_KEY`) by its label (and
    value) in ``lang``; anything else in braces is left as written (texts are data)."""
    def sub(m: re.Match) -> str:
        key, value = m.group(1), m.group(2)
        if key not in by_key:
            return m.group(0)
        name = f"‘{label(by_key[key], lang)}’"
        if value is None:
            return name
        return f"{name} {_TO.get(lang, 'to')} {value_text(value, lang, policy_labels)}"
    return PLACEHOLDER.sub(sub, s)


def named_keys(s: str) -> list[str]:
    """The parameters a text names, in order, once each."""
    return list(dict.fromkeys(m.group(1) for m in PLACEHOLDER.finditer(s)))


def settings(s: str) -> list[tuple[str, str]]:
    """The ``(key, value)`` pairs a text suggests (placeholders with a value), in order."""
    return [(m.group(1), m.group(2).strip()) for m in PLACEHOLDER.finditer(s) if m.group(2) is not None]


def command_lines(s: str, scenario: str, command: str = "run") -> list[str]:
    """The command lines that try a text's suggestions on ``scenario`` (one per suggested setting; event
    settings are changed in the scenario file, so they have none)."""
    out = []
    for key, value in settings(s):
        if key.startswith("events."):
            continue
        v = value.strip('"')
        out.append(f"orgsim {command} {scenario} --set {key}={v}")
    return out
