"""The gate in front of xlwings Server: every script call authenticated, checked, time-boxed.

An ASGI middleware. For each POST under /xlwings/ (and /allot/, the transfer route of
`transfer.py`) it refuses, in French and before xlwings
reads anything: a foreign origin (403), a body that is not JSON (415), missing or wrong
credentials (401), an oversized body (413), a malformed or too large workbook (400, 413,
422); then it runs the call within a time limit (503) with the caller's identity in
`CALLER`, which the scripts write to Journal."""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from typing import Any

import anyio

from ..core.problems import AllotError
from .limits import Limits, Refused, check_book, check_object, parse_body

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

MODES = ("entraid", "jeton", "aucune")
MIN_TOKEN = 24  # characters of the shared secret
GUARDED, SCRIPTS = ("/xlwings/", "/allot/"), "/xlwings/custom-scripts-call/"
# Excel on the web and Office hosts; the add-in's own pages share the server's origin
OFFICE_ORIGINS = re.compile(r"https://([a-z0-9-]+\.)*(officeapps\.live\.com|office\.com|"
                            r"office365\.com|microsoft365\.com|cloud\.microsoft|"
                            r"sharepoint\.com)")
CALLER: ContextVar[str | None] = ContextVar("allot_xl_caller", default=None)

NO_CREDENTIALS = ("Authentification requise : le complément n'a pas envoyé de jeton valide. "
                  "Rechargez le complément ; si cela persiste, contactez la DSI.")


class Gate:
    """Wrap the ASGI `app`. `mode`: `entraid` (tokens checked by xlwings Server's Entra ID
    provider), `jeton` (`Authorization: Bearer <token>`, compared in constant time) or
    `aucune` (loopback development only; `allot-xl serve --sans-auth`)."""

    def __init__(self, app: App, *, mode: str | None, token: str | None = None,
                 limits: Limits | None = None, origins: tuple[str, ...] = ()) -> None:
        if mode not in MODES:
            raise AllotError("Aucun mode d'authentification configuré (ALLOT_XL_AUTH) : le "
                             "serveur refuse de démarrer. Lancez-le par allot-xl serve --auth …")
        if mode == "jeton" and len(token or "") < MIN_TOKEN:
            raise AllotError(f"ALLOT_XL_TOKEN doit contenir au moins {MIN_TOKEN} caractères.")
        self.app, self.mode, self.limits = app, mode, limits or Limits()
        self.token = (token or "").encode("utf-8")
        self.origins = frozenset(o.rstrip("/") for o in origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" \
                or not scope["path"].startswith(GUARDED):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope["headers"]}
        try:
            self._check_origin(scope, headers)
            if headers.get("content-type", "").split(";")[0].strip().lower() != \
                    "application/json":
                raise Refused(415, "Requête refusée : le corps doit être du JSON "
                                   "(Content-Type: application/json).")
            caller = await self._authenticate(scope, headers)
            body = await self._read(receive, headers)
            payload = parse_body(body)
            if scope["path"].startswith(SCRIPTS):
                check_book(payload, self.limits)
            else:
                check_object(payload)
        except Refused as e:
            client = (scope.get("client") or ("?",))[0]
            log.warning("allot_xl: requête de %s refusée (%s) : %s", client, e.status, e.message)
            await answer(send, e.status, e.message)
            return
        await self._run(scope, body, caller, send)

    def _check_origin(self, scope: Scope, headers: dict[str, str]) -> None:
        """A browser page of another site may not call the scripts (no CSRF)."""
        origin = headers.get("origin")
        if origin is None:  # not a browser: credentials decide
            return
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
        if origin in (own, *self.origins) or OFFICE_ORIGINS.fullmatch(origin):
            return
        raise Refused(403, f"Requête refusée : origine « {origin} » non autorisée.")

    async def _authenticate(self, scope: Scope, headers: dict[str, str]) -> str:
        """The caller's identity for Journal; Refused(401/403) when not authenticated."""
        if self.mode == "aucune":
            return "anonyme"
        authorization = headers.get("authorization", "")
        if self.mode == "jeton":
            scheme, _, value = authorization.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                    value.strip().encode("utf-8"), self.token):
                raise Refused(401, NO_CREDENTIALS)
            client = scope.get("client") or ("?", 0)
            return f"jeton partagé ({client[0]})"
        return await _entraid_user(authorization)

    async def _read(self, receive: Receive, headers: dict[str, str]) -> bytes:
        """The whole body, refused (413) as soon as it passes the limit."""
        cap = self.limits.body_bytes
        too_big = Refused(413, f"Requête refusée : plus de {cap // (1024 * 1024)} Mo envoyés. "
                               f"N'envoyez que les feuilles d'entrée.")
        try:
            declared = int(headers.get("content-length", "0"))
        except ValueError:
            raise Refused(400, "Requête refusée : en-tête Content-Length invalide.") from None
        if declared > cap:
            raise too_big
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise Refused(400, "Requête interrompue.")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                raise too_big
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    async def _run(self, scope: Scope, body: bytes, caller: str, send: Send) -> None:
        """The checked call, its body replayed, within the time limit."""
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                await anyio.sleep_forever()  # the app only waits for a disconnect now
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        reset = CALLER.set(caller)
        try:
            with anyio.fail_after(self.limits.seconds):
                await self.app(scope, replay, tracked)
        except TimeoutError:
            log.warning("allot_xl: appel interrompu après %s s", self.limits.seconds)
            if not started:
                await answer(send, 503, f"Le calcul a dépassé {self.limits.seconds} s et a été "
                                        f"interrompu. Réessayez plus tard ou contactez la DSI.")
        finally:
            CALLER.reset(reset)


async def _entraid_user(authorization: str) -> str:
    """Check an Entra ID token with xlwings Server's provider and required roles."""
    from fastapi import HTTPException
    from xlwings_server.auth.entraid import validate_token
    from xlwings_server.config import settings

    try:
        user = await validate_token(authorization)
    except HTTPException:
        raise Refused(401, NO_CREDENTIALS + " (jeton Entra ID refusé)") from None
    except Exception:
        log.exception("allot_xl: vérification Entra ID impossible")
        raise Refused(503, "Le service d'authentification Entra ID est injoignable : "
                           "réessayez plus tard ou contactez la DSI.") from None
    if not await user.has_required_roles(settings.auth_required_roles):
        raise Refused(403, f"Accès refusé : {user.name} n'a pas le rôle requis "
                           f"({', '.join(settings.auth_required_roles or [])}).")
    return user.email or user.name or "utilisateur Entra ID"


async def answer(send: Send, status: int, message: str) -> None:
    """A plain-text French answer."""
    body = message.encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"),
               (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
