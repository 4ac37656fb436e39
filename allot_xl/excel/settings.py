"""The add-in server's settings, every one read from the environment here and nowhere else
(as xlwings-server's `config.py` does): `allot-xl serve` prepares the environment, each
worker reads it once when `excel/asgi.py` builds the app.

ALLOT_XL_AUTH (entraid, jeton, aucune), ALLOT_XL_TOKEN (the shared secret of `jeton`),
ALLOT_XL_ORIGINES (extra origins allowed, comma-separated), ALLOT_XL_TRANSFERTS (where
transfer sessions live), ALLOT_XL_MAX_REQUETE_MO (largest request body, MB) and
ALLOT_XL_DELAI_S (time limit of one run, seconds)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    try:
        return max(1, int(env.get(name, default)))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    """What the environment says about the server. `auth` is None when unset (the app
    then refuses to start); sizes in MB, time in seconds."""

    auth: str | None = None
    token: str = ""
    origins: tuple[str, ...] = ()
    transfers: Path = Path(tempfile.gettempdir()) / "allot_xl_transferts"
    body_mb: int = 16
    seconds: int = 120

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings of `env` (default: the process's environment)."""
        env = os.environ if env is None else env
        return cls(auth=env.get("ALLOT_XL_AUTH"), token=env.get("ALLOT_XL_TOKEN", ""),
                   origins=tuple(o for o in env.get("ALLOT_XL_ORIGINES", "").split(",") if o),
                   transfers=Path(env.get("ALLOT_XL_TRANSFERTS") or cls.transfers),
                   body_mb=_whole(env, "ALLOT_XL_MAX_REQUETE_MO", cls.body_mb),
                   seconds=_whole(env, "ALLOT_XL_DELAI_S", cls.seconds))
