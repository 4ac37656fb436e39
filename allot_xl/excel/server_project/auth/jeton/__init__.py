"""The `jeton` provider: a shared secret (ALLOT_XL_TOKEN) sent as `Authorization: Bearer …`.

allot_xl's gate checks it first; xlwings Server checks it again here, so no script call
reaches a script unchecked even if the gate is left out."""

import hmac

from fastapi import HTTPException, status
from xlwings_server.models import User

from allot_xl.excel.settings import Settings


async def validate_token(token_string: str) -> User:
    """The user of a valid secret; HTTP 401 (French) otherwise."""
    secret = Settings.from_env().token
    scheme, _, value = token_string.partition(" ")
    if not secret or scheme.lower() != "bearer" or not hmac.compare_digest(
            value.strip().encode("utf-8"), secret.encode("utf-8")):
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED,
                            detail="Authentification requise : jeton absent ou invalide.")
    return User(id="jeton", name="jeton partagé")
