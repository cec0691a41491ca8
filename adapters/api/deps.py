"""The typed dependencies of /api/v1 (as in the FastAPI full-stack template's ``api/deps.py``), for every router
of the API — the leads' here, and ``GET /api/v1/stats`` later:

    from adapters.api.deps import ApiKeyDep, RuntimeDep

    @router.get("/stats")
    async def stats(key: ApiKeyDep, runtime: RuntimeDep) -> ...:
        figures = await runtime.db.run(compute, runtime, key.workspace_id)   # every query scoped by the key

``ApiKeyDep`` is the verified key of the request (``Authorization: Bearer tdm_…``), or the request was already
answered ``401`` with ``WWW-Authenticate: Bearer realm="tandem"``. ``DbDep`` is the database: blocking work goes
through ``db.run`` (the database lane, one thread per connection), never onto the event loop or FastAPI's own
thread pool, where SQLite's single connection would be raced for."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from adapters.api.errors import unauthorized
from bot.admin import api_keys
from bot.admin.api_keys import VerifiedKey
from bot.core.runtime import Runtime
from storage.db import Database

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    bearerFormat="tdm_…",
    description="An API key from `tandem apikey create <label>` (an admin, in chat or on the command line).",
)


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_db(runtime: RuntimeDep) -> Database:
    return runtime.db


DbDep = Annotated[Database, Depends(get_db)]


async def verified_key(
    runtime: RuntimeDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> VerifiedKey:
    if credentials is None:
        raise unauthorized(
            "Send an API key as `Authorization: Bearer <key>`; an admin makes one with `tandem apikey create`.",
            invalid=False,
        )
    key = await runtime.db.run(_verify, runtime, credentials.credentials)
    if key is None:
        raise unauthorized("This API key is not valid: it is unknown or was revoked.", invalid=True)
    return key


def _verify(runtime: Runtime, secret: str) -> VerifiedKey | None:
    with runtime.db.session() as session:
        return api_keys.verify(session, runtime.clock, secret)


ApiKeyDep = Annotated[VerifiedKey, Depends(verified_key)]
