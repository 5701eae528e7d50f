"""Errors as RFC 9457 problem+json, and never with personal data in the body.

Domain errors carry a `detail` written to be safe. Validation errors name the
field and the rule but drop the rejected input, which may be personal data.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from complydesk.errors import ComplydeskError

log = logging.getLogger("complydesk.api")

PROBLEM_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_TYPE, headers=headers
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(ComplydeskError)
    async def _domain(request: Request, exc: ComplydeskError) -> JSONResponse:
        if exc.status >= 500:
            log.error("request failed", extra={"error": type(exc).__name__})
        return problem(exc.status, exc.title, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _validation(
        request: Request, exc: RequestValidationError
    ) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in err.get("loc", ())], "msg": err.get("msg", "")}
            for err in exc.errors()
        ]
        fields = ", ".join(".".join(e["loc"]) for e in errors)
        return problem(
            422, "Invalid input", f"invalid request: {fields}", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed"}
        detail = exc.detail if isinstance(exc.detail, str) else "request failed"
        return problem(exc.status_code, titles.get(exc.status_code, "Error"), detail)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", extra={"error": type(exc).__name__})
        return problem(500, "Internal error", "an unexpected error occurred")
