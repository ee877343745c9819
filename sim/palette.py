"""Colours, defined once: one per leadership style (whatever slot A or B it is shown in), one per zone.

Every figure, the dashboard and the report take their colours from here, so "coaching" is the same green and
"controlling" the same red everywhere. Zone colours are chosen so they never equal a style colour.
"""
from __future__ import annotations

from .params import POLICY_NAMES

# one colour per named style (sim.params.POLICY_LABELS); colour-blind-aware pairs: red/blue are never the only cue
STYLE_COLOURS: dict[str, str] = {
    "controlling": "#c0392b",   # red
    "delegating": "#b9770e",    # amber
    "coaching": "#1e8449",      # green
    "situational": "#2471a3",   # blue
    "reactive": "#7d3c98",      # purple
    "custom": "#5d6d7e",        # slate
}
# the four zones of psychological safety x standards (Edmondson): learning, comfort, anxiety, apathy
ZONE_COLOURS: dict[str, str] = {
    "learning": "#76d7c4",   # teal
    "comfort": "#aed6f1",    # pale blue
    "anxiety": "#f5cba7",    # pale orange
    "apathy": "#d5d8dc",     # grey
}
# extra colours for series that are not a style (a third scenario of the same style, a metric)
FALLBACK = ("#17202a", "#a04000", "#0e6655", "#4a235a")

assert set(STYLE_COLOURS) == set(POLICY_NAMES), "every policy has a colour"
assert not set(ZONE_COLOURS.values()) & set(STYLE_COLOURS.values()), "zone colours never equal style colours"


def style_colour(policy: str, i: int = 0) -> str:
    """The colour of a style; an unknown name gets a fallback colour by position."""
    return STYLE_COLOURS.get(policy, FALLBACK[i % len(FALLBACK)])
