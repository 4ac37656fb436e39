"""Run the Office.js add-in server: xlwings Server on the project directory shipped here."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from ..problems import AllotError

PROJECT_DIR = Path(__file__).resolve().parent.parent / "server_project"
APP = "xlwings_server.main:main_app"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def server_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """The variables xlwings Server needs, set before it is imported (workers inherit them).

    XLWINGS_PROJECT_DIR defaults to the shipped project; the licence key must come from
    the environment: its terms are the Région's choice (docs/deploiement.md)."""
    env = dict(os.environ if env is None else env)
    env.setdefault("XLWINGS_PROJECT_DIR", str(PROJECT_DIR))
    if not env.get("XLWINGS_LICENSE_KEY"):
        raise AllotError(
            "Clé de licence xlwings absente : définissez la variable d'environnement "
            "XLWINGS_LICENSE_KEY (« noncommercial » pour l'usage d'une administration "
            "publique sous licence PolyForm Noncommercial, ou la clé payante), puis relancez. "
            "Voir docs/deploiement.md.")
    return env


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


def serve(host: str = "127.0.0.1", port: int = 8000, *, workers: int = 1,
          certfile: str | None = None, keyfile: str | None = None, proxy: bool = False) -> None:
    """Run the server until interrupted (uvicorn, `workers` processes)."""
    check_options(host, port, workers, certfile, keyfile, proxy)
    os.environ.update(server_environment())
    import uvicorn

    scheme = "https" if certfile else "http"
    print(f"Complément Excel « Allotissement » : manifeste sur {scheme}://{host}:{port}/manifest "
          f"({workers} processus). Ctrl+C pour arrêter.", flush=True)
    # behind a proxy, uvicorn trusts X-Forwarded-* from FORWARDED_ALLOW_IPS (127.0.0.1)
    uvicorn.run(APP, host=host, port=port, workers=workers, ssl_certfile=certfile,
                ssl_keyfile=keyfile, log_level="info")
