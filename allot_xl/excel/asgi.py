"""The ASGI app `allot-xl serve` runs: xlwings Server's app and the transfer route
(`/allot/…`, past Excel on the web's 5 MB cap) behind allot_xl's gate.

Configured by the environment `allot-xl serve` prepares (each worker imports this module):
ALLOT_XL_AUTH (entraid, jeton, aucune), ALLOT_XL_TOKEN, ALLOT_XL_ORIGINES, and the
limits of `Limits.from_environment`. Without ALLOT_XL_AUTH the import fails: the server
never runs open by accident."""

from __future__ import annotations

import functools
import os

from xlwings_server.main import main_app

from .gate import Gate
from .limits import Limits
from .transfer import router

app = Gate(functools.partial(router, xlwings_app=main_app), mode=os.environ.get("ALLOT_XL_AUTH"),
           token=os.environ.get("ALLOT_XL_TOKEN"),
           limits=Limits.from_environment(),
           origins=tuple(o for o in os.environ.get("ALLOT_XL_ORIGINES", "").split(",") if o))
