"""The API's errors: their bodies, how they show in the OpenAPI document, and the handlers
that turn the library's exceptions into them.

Every error is JSON with a ``detail``: a sentence for 400, 404, 409 and 413, the list of
invalid fields for 422 (FastAPI's own shape, used for the checks the models make later too).
"""

from __future__ import annotations

from typing import Any

import pydantic
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from pydynox import ItemTooLargeException


class Problem(BaseModel):
    """The body of the errors the API answers itself (400, 404, 409, 413)."""

    detail: str


class InvalidField(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Invalid(BaseModel):
    """The body of a 422: each field refused, where it is and why."""

    detail: list[InvalidField]


_PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("The cursor is invalid or belongs to another list.", "invalid cursor: ..."),
    404: ("There is no such user.", "no user ada"),
    409: ("It exists already, or a concurrent change got there first.", "user ada already exists"),
    413: (
        "The item the request would store is over DynamoDB's 400 KB limit.",
        "too large for DynamoDB, whose items hold 400 KB at most: item for table 'shop' is "
        "409623 bytes, over DynamoDB's 400 KB item limit (409600 bytes)",
    ),
}
_INVALID_EXAMPLE = {
    "detail": [{"loc": ["body", "email"], "msg": "Field required", "type": "missing"}]
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entries of an endpoint's errors: ``@app.get(..., responses=responses(404))``.
    Every endpoint that takes parameters or a body can also answer 422, so it is always there."""
    documented: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        description, example = _PROBLEMS[code]
        documented[code] = {
            "model": Problem,
            "description": description,
            "content": {"application/json": {"example": {"detail": example}}},
        }
    documented[422] = {
        "model": Invalid,
        "description": "The body or a parameter is invalid; nothing was written.",
        "content": {"application/json": {"example": _INVALID_EXAMPLE}},
    }
    return documented


def add_error_handlers(app: FastAPI) -> None:
    """Map the library's exceptions that are the client's doing to their status, in one place
    for every endpoint (the others stay 500s: they are ours)."""

    @app.exception_handler(ItemTooLargeException)
    async def too_large(request: Request, error: ItemTooLargeException) -> JSONResponse:
        # A POST or PATCH whose item would pass DynamoDB's 400 KB: pydynox checks the size
        # before sending a put (DynamoDB refuses an update that grows an item too far).
        return JSONResponse(
            {"detail": f"too large for DynamoDB, whose items hold 400 KB at most: {error}"},
            status_code=413,
        )

    @app.exception_handler(pydantic.ValidationError)
    async def invalid(request: Request, error: pydantic.ValidationError) -> JSONResponse:
        # A value a model refuses after FastAPI's checks (a PATCH value on assignment): the
        # client's mistake, not ours.
        return JSONResponse({"detail": error.errors(include_url=False)}, status_code=422)
