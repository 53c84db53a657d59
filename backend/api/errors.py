"""One error shape for every failure: ``{"error": <code>, "message": <text>}`` (never a trace or SQL)."""

from __future__ import annotations

from starlette.exceptions import HTTPException


class ApiError(HTTPException):
    """An expected failure with a stable machine-readable code (an HTTPException: FastAPI passes it on)."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status_code=status, detail=message, headers=headers)
        self.code = code


def not_found(what: str = "theme") -> ApiError:
    return ApiError(404, "not_found", f"No such {what}.")


def forbidden(message: str = "Your role does not allow this.") -> ApiError:
    return ApiError(403, "forbidden", message)


def conflict(code: str, message: str) -> ApiError:
    return ApiError(409, code, message)


class BodyTooLargeError(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, "payload_too_large", f"Request body larger than {limit} bytes.")
