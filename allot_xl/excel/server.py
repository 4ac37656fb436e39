"""Run the Office.js add-in server: xlwings Server on the project directory shipped here,
behind allot_xl's gate (allot_xl.excel.gate), authenticated by default."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

from ..core.problems import AllotError
from .settings import Settings

PROJECT_DIR = Path(__file__).resolve().parent / "server_project"
APP = "allot_xl.excel.asgi:app"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MIN_TOKEN = 24  # as allot_xl.excel.gate.MIN_TOKEN (not imported: it needs anyio)
# Office hosts allowed to call the server across origins (custom functions on the web)
OFFICE_CORS = ["https://excel.officeapps.live.com", "https://excel.cloud.microsoft",
               "https://www.office.com"]


def server_environment(env: dict[str, str] | None = None, auth: str | None = None
                       ) -> dict[str, str]:
    """The variables xlwings Server and the gate need, set before they are imported
    (workers inherit them). `auth`: `entraid`, `jeton`, or None for none (--sans-auth).

    XLWINGS_PROJECT_DIR defaults to the shipped project; the licence key must come from
    the environment: its terms are the Région's choice (docs/deploiement.md)."""
    env = dict(os.environ if env is None else env)
    env.setdefault("XLWINGS_PROJECT_DIR", str(PROJECT_DIR))
    env["ALLOT_XL_AUTH"] = auth or "aucune"
    # xlwings Server checks Entra ID tokens (and roles) itself too; its add-in pages then
    # ask Office for the token. With a shared secret, the gate alone checks it.
    env["XLWINGS_AUTH_PROVIDERS"] = json.dumps([auth] if auth else [])
    env.setdefault("XLWINGS_CORS_ALLOW_ORIGINS", json.dumps(OFFICE_CORS))
    if not env.get("XLWINGS_LICENSE_KEY"):
        raise AllotError(
            "Clé de licence xlwings absente : définissez la variable d'environnement "
            "XLWINGS_LICENSE_KEY (« noncommercial » pour l'usage d'une administration "
            "publique sous licence PolyForm Noncommercial, ou la clé payante), puis relancez. "
            "Voir docs/deploiement.md.")
    return env


def check_auth(host: str, auth: str | None, no_auth: bool,
               env: dict[str, str] | None = None) -> None:
    """Refuse, in French, to run without authentication except on a loopback host with an
    explicit `no_auth`, and an authentication mode that is not configured."""
    env = os.environ if env is None else env
    if auth and no_auth:
        raise AllotError("Choisissez soit --auth, soit --sans-auth, pas les deux.")
    if not auth and not no_auth:
        raise AllotError(
            "Le serveur ne démarre pas sans authentification : donnez --auth entraid "
            "(production, comptes Microsoft 365 de la Région) ou --auth jeton (secret partagé "
            "lu dans ALLOT_XL_TOKEN) ; --sans-auth n'est admis que sur 127.0.0.1. Voir "
            "docs/deploiement.md.")
    if no_auth and host not in LOCAL_HOSTS:
        raise AllotError(f"--sans-auth n'est admis que sur 127.0.0.1 : sur « {host} », "
                         f"n'importe qui joignant le port lancerait les calculs. Donnez "
                         f"--auth entraid ou --auth jeton.")
    if auth == "jeton" and len(Settings.from_env(env).token) < MIN_TOKEN:
        raise AllotError(
            f"--auth jeton : la variable ALLOT_XL_TOKEN doit contenir un secret d'au moins "
            f"{MIN_TOKEN} caractères (par exemple : python -c \"import secrets; "
            f"print(secrets.token_urlsafe(32))\").")
    if auth == "entraid":
        missing = [v for v in ("XLWINGS_AUTH_ENTRAID_CLIENT_ID", "XLWINGS_AUTH_ENTRAID_TENANT_ID")
                   if not env.get(v)]
        if missing:
            raise AllotError(f"--auth entraid : définissez {' et '.join(missing)} (inscription "
                             f"de l'application dans Entra ID, docs/deploiement.md).")


def check_options(host: str, port: int, workers: int, certfile: str | None,
                  keyfile: str | None, proxy: bool) -> None:
    """Refuse, in French, what Office or uvicorn would refuse later and less clearly."""
    if importlib.util.find_spec("xlwings_server") is None:
        raise AllotError("xlwings Server n'est pas installé : pip install 'allot_xl[server]'.")
    if not 0 < port < 65536:
        raise AllotError(f"Port invalide : {port} (entre 1 et 65535).")
    if workers < 1:
        raise AllotError("--workers doit valoir au moins 1.")
    if bool(certfile) != bool(keyfile):
        raise AllotError("Donnez ensemble --certfile (certificat) et --keyfile (clé privée).")
    for f in (certfile, keyfile):
        if f and not Path(f).is_file():
            raise AllotError(f"Fichier introuvable : « {f} ».")
    if not certfile and not proxy and host not in LOCAL_HOSTS:
        raise AllotError(
            f"Excel n'accepte un complément qu'en HTTPS : pour écouter sur « {host} », donnez "
            f"--certfile et --keyfile, ou --proxy si un proxy inverse assure le HTTPS. "
            f"Sans certificat, le serveur n'écoute que sur 127.0.0.1 (développement).")


def serve(host: str = "127.0.0.1", port: int = 8000, *, auth: str | None = None,
          no_auth: bool = False, workers: int = 1, certfile: str | None = None,
          keyfile: str | None = None, proxy: bool = False) -> None:
    """Run the server until interrupted (uvicorn, `workers` processes). `auth`: `entraid`
    or `jeton`; `no_auth` only on a loopback host. Raises AllotError (French) before
    anything is bound when an option or the environment is refused."""
    check_auth(host, auth, no_auth)
    check_options(host, port, workers, certfile, keyfile, proxy)
    os.environ.update(server_environment(auth=auth))
    import uvicorn

    scheme = "https" if certfile else "http"
    mode = {"entraid": "Entra ID", "jeton": "jeton partagé"}.get(auth or "", "AUCUNE")
    print(f"Complément Excel « Allotissement » : manifeste sur {scheme}://{host}:{port}/manifest "
          f"({workers} processus, authentification : {mode}). Ctrl+C pour arrêter.", flush=True)
    # behind a proxy, uvicorn trusts X-Forwarded-* from FORWARDED_ALLOW_IPS (127.0.0.1)
    uvicorn.run(APP, host=host, port=port, workers=workers, ssl_certfile=certfile,
                ssl_keyfile=keyfile, log_level="info")
