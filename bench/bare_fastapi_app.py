"""The floor for bench/api_leads.py: a bare FastAPI app with the same route, ``POST /api/v1/leads``, that reads
the JSON body and answers ``201`` with a fixed lead — HTTP, routing and JSON in and out, and nothing else.

Run: uvicorn bench.bare_fastapi_app:api --port 8001
"""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

api = FastAPI()
ANSWER = {"id": "L-1", "owner": {"name": "Rep 1", "email": "rep-1@bench.test"}, "status": "handed_off"}


@api.post("/api/v1/leads")
async def lead(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    return JSONResponse({**ANSWER, "company": body.get("company")}, status_code=201)
