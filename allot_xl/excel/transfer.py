"""The Excel route past Excel on the web's 5 MB cap: the workbook goes up as compressed
slices and the produced workbook comes back in chunks, and the file route runs in between.

The add-in (`static/js/ribbon.js`) reads the open workbook with
`Office.context.document.getFileAsync(Office.FileType.Compressed)`, posts each slice
(`/allot/televersement`), asks for the run (`/allot/generer`: `api.regenerate`, the file
route's reader and writer, so the result equals `allot-xl regenerate` cell for cell), fetches
the produced workbook in chunks (`/allot/resultat`) and inserts its output sheets with
`workbook.insertWorksheetsFromBase64`. Every call is JSON under the gate (authentication,
origin, body size, time limit) and stays under `MAX_MESSAGE` bytes each way, whatever the
campaign's size. Sessions are folders on the server's disk (shared by the workers), bound
to the caller, removed after the last chunk or after `TTL_SECONDS`."""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..core.contract import OUTPUT_SHEETS
from ..core.problems import AllotError
from ..io.xlsx.write import private_folder
from .gate import CALLER
from .settings import Settings

MAX_MESSAGE = 5_000_000  # bytes of one request or response (Excel on the web: 5 MB)
SLICE_BYTES = 3 * 1024 * 1024  # a slice: 4 MB once in base64, with room for the JSON
CHUNK_CHARS = 3_600_000  # base64 characters of one result chunk
MAX_SLICES = 64  # 192 MB compressed: far beyond a Région's campaign
TTL_SECONDS = 3600
SOURCE = "Excel (complément Office, classeur téléversé)"
_SESSION = re.compile(r"[A-Za-z0-9_-]{20,64}")
_ONE_AT_A_TIME = anyio.CapacityLimiter(1)


class TransferError(Exception):
    """A transfer call the server answers with `status` and a French message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def root() -> Path:
    """Where sessions live (`Settings.transfers`: ALLOT_XL_TRANSFERTS, else a folder of the
    system's temp dir)."""
    return private_folder(Settings.from_env().transfers)  # 0o700 whatever the umask


def _purge(base: Path) -> None:
    """Remove sessions older than TTL_SECONDS (a buyer who closed Excel mid-way)."""
    limit = time.time() - TTL_SECONDS
    for d in base.iterdir():
        try:
            if d.is_dir() and d.stat().st_mtime < limit:
                shutil.rmtree(d, ignore_errors=True)
        except OSError:
            continue


def _caller() -> str:
    return CALLER.get() or "anonyme"


def _session(payload: dict, *, new: bool = False) -> Path:
    """The caller's session folder named in `payload`, or a new one."""
    base = root()
    if new and payload.get("session") in (None, ""):
        _purge(base)
        d = base / secrets.token_urlsafe(24)
        d.mkdir(mode=0o700)
        os.chmod(d, 0o700)  # mkdir's mode goes through the umask
        (d / "appelant").write_text(_caller(), encoding="utf-8")
        return d
    name = payload.get("session")
    if not isinstance(name, str) or not _SESSION.fullmatch(name):
        raise TransferError(400, "Session de transfert invalide : relancez l'opération.")
    d = base / name
    owner = d / "appelant"
    if not owner.exists() or owner.read_text(encoding="utf-8") != _caller():
        raise TransferError(404, "Session de transfert inconnue ou expirée : relancez "
                                 "l'opération.")
    return d


def _whole(payload: dict, key: str, low: int, high: int) -> int:
    v = payload.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
        raise TransferError(400, f"Champ « {key} » invalide (entier de {low} à {high} "
                                 f"attendu).")
    return v


def upload(payload: dict) -> dict:
    """Store slice `index` of `count` (`data`: base64); the first one opens the session."""
    count = _whole(payload, "count", 1, MAX_SLICES)
    index = _whole(payload, "index", 0, count - 1)
    d = _session(payload, new=index == 0)
    try:
        data = base64.b64decode(str(payload.get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        raise TransferError(400, "Morceau du classeur illisible (base64 attendu).") from None
    if len(data) > SLICE_BYTES or not data:
        raise TransferError(413, "Morceau du classeur vide ou trop gros.")
    (d / f"morceau-{index:03d}").write_bytes(data)
    (d / "nombre").write_text(str(count), encoding="utf-8")
    return {"session": d.name, "recu": index}


def _assemble(d: Path, name: str) -> Path:
    count = int((d / "nombre").read_text(encoding="utf-8"))
    parts = [d / f"morceau-{i:03d}" for i in range(count)]
    missing = [i for i, p in enumerate(parts) if not p.exists()]
    if missing:
        raise TransferError(409, f"Il manque {len(missing)} morceau(x) du classeur : "
                                 f"relancez l'opération.")
    src = d / name
    with src.open("wb") as out:
        for p in parts:
            out.write(p.read_bytes())
            p.unlink()
    return src


def _stem(payload: dict) -> str:
    """The workbook's name as the add-in gives it, made safe for a file name."""
    raw = str(payload.get("nom") or "classeur")
    stem = re.sub(r"[^\w .()'-]+", "_", Path(raw).stem)[:80].strip() or "classeur"
    return stem


def generate(payload: dict) -> dict:
    """Run the file route on the uploaded workbook; the result waits in chunks."""
    from ..api import regenerate

    d = _session(payload)
    src = _assemble(d, f"{_stem(payload)}.xlsx")
    dst = d / "resultat.xlsx"
    run = regenerate(src, dst, source=SOURCE, user=_caller())
    data = base64.b64encode(dst.read_bytes()).decode("ascii")
    chunks = [data[i:i + CHUNK_CHARS] for i in range(0, len(data), CHUNK_CHARS)] or [""]
    for i, c in enumerate(chunks):
        (d / f"resultat-{i:03d}").write_text(c, encoding="ascii")
    src.unlink()
    dst.unlink()
    return {"session": d.name, "morceaux": len(chunks), "message": run.outputs.summary_line,
            "feuilles": list(OUTPUT_SHEETS)}


def result(payload: dict) -> dict:
    """Chunk `index` of the produced workbook (base64); the last one closes the session."""
    d = _session(payload)
    chunks = sorted(d.glob("resultat-*"))
    if not chunks:
        raise TransferError(409, "Aucun résultat à télécharger : lancez d'abord la génération.")
    index = _whole(payload, "index", 0, len(chunks) - 1)
    data = chunks[index].read_text(encoding="ascii")
    if index == len(chunks) - 1:
        shutil.rmtree(d, ignore_errors=True)
    return {"index": index, "data": data}


_VERBS = {"televersement": upload, "generer": generate, "resultat": result}


async def _endpoint(request: Request) -> JSONResponse:
    verb = _VERBS[request.path_params["verb"]]
    try:
        payload = json.loads(await request.body())
        if not isinstance(payload, dict):
            raise TransferError(400, "Un objet JSON est attendu.")
        answer = await anyio.to_thread.run_sync(verb, payload, limiter=_ONE_AT_A_TIME)
        return JSONResponse(answer)
    except TransferError as e:
        return JSONResponse({"message": e.message}, status_code=e.status)
    except AllotError as e:  # the buyer's workbook cannot be processed: say why
        return JSONResponse({"message": str(e)}, status_code=422)


app = Starlette(routes=[Route("/allot/{verb:str}", _endpoint, methods=["POST"])])


def _not_found() -> JSONResponse:
    return JSONResponse({"message": "Opération inconnue."}, status_code=404)


async def router(scope: Any, receive: Any, send: Any, *, xlwings_app: Any) -> None:
    """`/allot/<verb>` to this module, everything else to xlwings Server."""
    if scope["type"] == "http" and scope["path"].startswith("/allot/"):
        verb = scope["path"].removeprefix("/allot/").strip("/")
        if verb not in _VERBS:
            await _not_found()(scope, receive, send)
            return
        await app(scope, receive, send)
        return
    await xlwings_app(scope, receive, send)
