"""FastAPI dependencies (https://fastapi.tiangolo.com/tutorial/dependencies/): the app's
state and settings, and the admin's authorisation, as the routes declare them.

A write proves itself with `Authorization: Bearer <token>`
(https://www.rfc-editor.org/rfc/rfc6750#section-2.1), compared in constant time; without it,
or with another token, the answer is 401 with `WWW-Authenticate: Bearer` (`kg.web.errors`). The
token is never logged, and CORS preflights do not allow the Authorization header, so no web
page can send it.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from kg.config import Settings
from kg.web.errors import Unauthorized, UpdateRefused
from kg.web.state import AppState


def get_state(request: Request) -> AppState:
    """The state `kg.web.app.create_app` gave the app."""
    state: AppState = request.app.state.kg
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_settings(state: StateDep) -> Settings:
    """The settings the app was made with."""
    return state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def authorise(request: Request, settings: Settings) -> None:
    """Check the request's bearer token against the admin token, in constant time.

    A plain function too: the SPARQL endpoint, routed past FastAPI, calls it for updates.

    Raises:
        UpdateRefused: the server has no admin token: nothing is writable.
        Unauthorized: no token, or another one.
    """
    token = settings.admin_token
    if token is None:
        raise UpdateRefused("writes are not enabled: the server was started without an admin token")
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    given = credentials.strip().encode("utf-8", "surrogateescape")
    # compare_digest runs in time independent of where the two differ.
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given, token.get_secret_value().encode()
    ):
        raise Unauthorized("this request needs the admin token: Authorization: Bearer <token>")


def require_admin(request: Request, settings: SettingsDep) -> None:
    """The route is the admin's: see `authorise`."""
    authorise(request, settings)


AdminDep = Annotated[None, Depends(require_admin)]
