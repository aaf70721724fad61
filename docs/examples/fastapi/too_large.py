"""An item over DynamoDB's 400 KB limit is the client's doing: answer 413, in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Body, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from pydynox import (
    DynamoConfig,
    ItemTooLargeException,
    Model,
    PartitionKey,
)


class Page(Model):
    model_config = DynamoConfig(table="fastapi-pages")
    slug: Annotated[str, PartitionKey()]
    body: str


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Models use the default client (the environment's; a test's dynamodb_client fixture).
    if not await Page.table_exists():
        await Page.create_table()
    yield


app = FastAPI(lifespan=lifespan)


# One handler for every endpoint. pydynox checks a put's size before sending it; DynamoDB
# refuses an update that grows an item too far, and pydynox raises the same exception.
@app.exception_handler(ItemTooLargeException)
async def too_large(request: Request, error: ItemTooLargeException) -> JSONResponse:
    detail = f"too large for DynamoDB, whose items hold 400 KB at most: {error}"
    return JSONResponse({"detail": detail}, status_code=413)


@app.put(
    "/pages/{slug}",
    responses={413: {"description": "The page is over DynamoDB's 400 KB item limit."}},
)
async def put_page(slug: str, body: Annotated[str, Body(embed=True)]) -> Page:
    page = Page(slug=slug, body=body)
    await page.save()
    return page


if __name__ == "__main__":
    with TestClient(app) as http:
        assert http.put("/pages/home", json={"body": "hello"}).status_code == 200
        answer = http.put("/pages/big", json={"body": "x" * 410_000})
        assert answer.status_code == 413, answer.text
        print(answer.json()["detail"])
