"""The ASGI app `allot-xl serve` runs: xlwings Server's app and the transfer route
(`/allot/…`, past Excel on the web's 5 MB cap) behind allot_xl's gate.

Configured by the environment `allot-xl serve` prepares, read once here through
`settings.Settings` (each worker imports this module). Without ALLOT_XL_AUTH the import
fails: the server never runs open by accident."""

from __future__ import annotations

import functools

from xlwings_server.main import main_app

from .gate import Gate
from .limits import Limits
from .settings import Settings
from .transfer import router

SETTINGS = Settings.from_env()
app = Gate(functools.partial(router, xlwings_app=main_app), mode=SETTINGS.auth,
           token=SETTINGS.token, limits=Limits.from_settings(SETTINGS),
           origins=SETTINGS.origins)
