"""The API's error answers: ``{"error": "<code>", "message": "<text>"}``."""

from __future__ import annotations

import math

from starlette.responses import JSONResponse


class ApiError(Exception):
    """An error answer the emulator sends, raised from anywhere in a handler.

    ``retry_after`` (seconds, rounded up) becomes a ``Retry-After`` header.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    def response(self) -> JSONResponse:
        headers = {}
        if self.retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return JSONResponse(
            {"error": self.code, "message": self.message},
            status_code=self.status,
            headers=headers,
        )


def bad_request(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)
