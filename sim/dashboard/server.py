"""The dashboard's server: 127.0.0.1, no telemetry, every asset from the local ``solara-assets`` package, behind
the Host/Origin guards of :mod:`sim.dashboard_guard`."""

from __future__ import annotations

import os
from pathlib import Path

import solara
import solara.server.settings as solara_server_settings
import solara.settings

from sim.dashboard_guard import HostCheck, OwnPageOnly, private_assets
from sim.params import ConfigError

from .texts import tr

_INSTALLED_ASSETS = Path(solara_server_settings.assets.proxy_cache_dir)   # solara-assets' files, as installed


def offline_assets() -> Path:
    """The directory Solara's asset proxy serves from: only local files, links to the assets installed by
    ``solara-assets`` plus version aliases, in a private folder this process made
    (:func:`sim.dashboard_guard.private_assets`; never a shared, guessable one)."""
    src = _INSTALLED_ASSETS
    if not (src / "@widgetti").is_dir():
        raise ConfigError("solara-assets is not installed (no @widgetti assets where Solara looks); install "
                          "the 'viz' extra: pip install -e '.[viz]'")
    return private_assets(src)


def configure_solara(lang: str = "en", production: bool = True) -> None:
    """Telemetry off, production mode, assets from the local proxy directory, never from the internet."""
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    solara_server_settings.telemetry.mixpanel_enable = False
    if production:  # (development mode adds a check that loads a page from solara.dev)
        solara_server_settings.main.mode = "production"
    solara_server_settings.theme.title = tr("title", lang)
    solara_server_settings.theme.show_banner = False   # "This website runs on Solara" covered the charts
    solara.settings.assets.proxy = True
    # an asset missing locally is a 404, not a download
    solara.settings.assets.cdn = "http://127.0.0.1:9/offline/"
    solara_server_settings.assets.proxy_cache_dir = offline_assets()


def serve(lang: str = "en", host: str = "127.0.0.1", port: int = 8765, scenarios: Path | None = None,
          announce=print) -> None:
    """Run the dashboard until interrupted. ``port=0`` picks a free port."""
    import socket
    import warnings

    import uvicorn

    # Solara warns that its session cookie falls back to SameSite=Lax over plain http: expected on 127.0.0.1
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    os.environ["ORGSIM_LANG"] = lang
    if scenarios is not None:
        os.environ["ORGSIM_SCENARIOS"] = str(Path(scenarios).resolve())
    configure_solara(lang)
    os.environ["SOLARA_APP"] = "sim.app"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"--port {port}: cannot listen on {host}:{port} ({exc.strerror or exc}); try another "
                          "port, or --port 0 for a free one") from None
    sock.listen(128)
    sock.set_inheritable(True)
    port = sock.getsockname()[1]
    from solara.server.starlette import app as solara_app

    # only this page: Host and Origin checked, assets only from the private folder (sim.dashboard_guard)
    assets = Path(solara_server_settings.assets.proxy_cache_dir)
    guarded = OwnPageOnly(solara_app, HostCheck(host, port), assets)
    config = uvicorn.Config(guarded, host=host, port=port, log_level="warning", ws_max_size=64 * 2**20)
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    announce(f"orgsim dashboard ({lang}): http://{shown}:{port}/   (Ctrl+C to stop)")
    server.run(sockets=[sock])
