"""Plain HTTP routes (plugins' public pages) answer refusals as JSON ``{code, message}``."""

from __future__ import annotations

import logging

from litestar import Request, Response
from litestar.exceptions import HTTPException

from yizhan.core.errors import YizhanError
from yizhan.core.i18n import translate

log = logging.getLogger("yizhan.http")
STATUS = {"auth": 401, "permission": 403, "plugin": 404, "not_found": 404, "limit": 429}


def _locale(request: Request) -> str | None:
    accept = request.headers.get("accept-language")
    return accept.split(",")[0] if accept else None


def _yizhan_error(request: Request, exc: YizhanError) -> Response:
    return Response({"code": exc.code, "message": translate(exc.message, _locale(request),
                                                            **exc.params)},
                    status_code=STATUS.get(exc.kind, 400))


def _http_error(request: Request, exc: HTTPException) -> Response:
    return Response({"code": "HTTP_" + str(exc.status_code), "message": exc.detail},
                    status_code=exc.status_code)


def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unexpected error on %s", request.url.path, exc_info=exc)
    return Response({"code": "INTERNAL_ERROR",
                     "message": translate("Something went wrong on our side. It has been "
                                          "logged.", _locale(request))}, status_code=500)


def http_exception_handlers() -> dict:
    """Litestar exception handlers for YizhanError, HTTP errors and anything unexpected."""
    return {YizhanError: _yizhan_error, HTTPException: _http_error, Exception: _unexpected}
