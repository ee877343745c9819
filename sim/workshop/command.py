"""``orgsim workshop``: check the options, prepare the game, print the addresses, serve until Ctrl-C.

The command's registration in :mod:`sim.cli` only forwards its options to :func:`run`.
"""

from __future__ import annotations

import io
import socket
from pathlib import Path

from ..errors import ConfigError
from ..outdir import check_out
from ..params import load_scenario
from ..safe_text import one_line
from .game import Game, check_scenario

ROOT_SCENARIOS = Path(__file__).resolve().parent.parent.parent / "scenarios"


def scenario_path(name: str | None) -> Path | None:
    """``--scenario``: a file, or the name of a shipped scenario (``coaching`` = scenarios/coaching.toml)."""
    if name is None:
        return None
    p = Path(name)
    if p.suffix == ".toml" or p.exists():
        return p
    shipped = ROOT_SCENARIOS / f"{name}.toml"
    if not shipped.is_file():
        names = sorted(f.stem for f in ROOT_SCENARIOS.glob("*.toml"))
        raise ConfigError(f"--scenario {one_line(name)}: no such scenario; give a .toml file or one of the shipped "
                          f"names (orgsim scenarios), e.g. {', '.join(names[:4])}")
    return shipped


def lan_address() -> str:
    """This machine's address on its network (the route a packet would take; nothing is sent), else
    127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.254.254.254", 1))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG, drawn here (segno), no network."""
    import segno
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=1, border=2, xmldecl=False, svgns=False, omitsize=True,
                                     svgclass=None, lineclass=None)
    return buf.getvalue().decode("ascii")


def prepare(scenario: str | None, rounds: int, seed: int | None, lang: str, max_players: int, timer: float):
    """The game, with every option checked first (:class:`ConfigError`: one line, nothing started)."""
    if not 1 <= rounds <= 26:
        raise ConfigError(f"--rounds {rounds}: out of range; allowed: integer in [1, 26] (months of 4 weeks)")
    if not 1 <= max_players <= 200:
        raise ConfigError(f"--max-players {max_players}: out of range; allowed: integer in [1, 200]")
    if not (timer == 0 or 15 <= timer <= 900):
        raise ConfigError(f"--timer {timer:g}: allowed: 0 (no timer) or seconds in [15, 900]")
    path = scenario_path(scenario)
    params = load_scenario(path)
    check_scenario(params, str(path) if path else "<defaults>")
    if seed is not None and not 0 <= seed <= 2**32 - 1:
        raise ConfigError(f"--seed {seed}: out of range; allowed: integer in [0, 4294967295]")
    return Game(params, params.scenario.seed if seed is None else seed, rounds=rounds, lang=lang,
                max_players=max_players, timer=timer)


def server_options(max_players: int) -> dict:
    """uvicorn's settings: quiet, no server banner, bounded connections and headers, quick to stop."""
    return dict(log_level="warning", access_log=False, server_header=False, date_header=False,
                limit_concurrency=max(100, 4 * max_players), timeout_keep_alive=5,
                h11_max_incomplete_event_size=16 * 1024, lifespan="on", timeout_graceful_shutdown=2)


def build(lang: str, scenario: str | None, rounds: int, lan: bool, port: int, seed: int | None, out: Path,
          max_players: int, timer: float):
    """Everything checked, the game prepared: (workshop, ASGI app, host to listen on)."""
    if not 1 <= port <= 65535:
        raise ConfigError(f"--port {port}: out of range; allowed: integer in [1, 65535]")
    check_out(out)
    game = prepare(scenario, rounds, seed, lang, max_players, timer)
    from . import debrief
    from .server import Workshop, build_app
    host = "0.0.0.0" if lan else "127.0.0.1"
    join_url = f"http://{lan_address() if lan else '127.0.0.1'}:{port}/"
    ws = Workshop(game, join_url, qr_svg(f"{join_url}?code={game.code}"),
                  on_round=lambda g: debrief.write(g, out), out_text=str(out))
    return ws, build_app(ws, host, port), host


def run(lang: str, scenario: str | None, rounds: int, lan: bool, port: int, seed: int | None, out: Path,
        max_players: int, timer: float, say=print) -> None:
    """Serve a workshop until interrupted; the handout and CSV are rewritten in ``out`` after every round."""
    ws, app, host = build(lang, scenario, rounds, lan, port, seed, out, max_players, timer)
    import uvicorn
    game = ws.game
    say(f"orgsim workshop: {game.rounds} rounds, up to {game.max_players} participants, join code {game.code}")
    say(f"  projector (open on this computer): http://127.0.0.1:{port}/trainer#{game.trainer_token}")
    say(f"  participants: {ws.join_url}")
    if lan:
        say("  warning: --lan: anyone on this network can open the page; only the join code keeps them out. Use "
            "your own hotspot or a closed meeting-room network, and stop the server (Ctrl-C) after the session.")
    else:
        say("  (this computer only; add --lan to let phones on your network or hotspot join)")
    say(f"  after every round the handout and CSV are written to {out}/")
    uvicorn.run(app, host=host, port=port, **server_options(max_players))
