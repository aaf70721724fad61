"""The shop API: users (create, read, patch, delete) and their orders (place, list by page),
and a user with their orders read by one Query; users and orders share one table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from typing import Annotated

import pydantic
from fastapi import FastAPI, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse

from pydynox import (
    ConditionalCheckFailedException,
    DynamoDBClient,
    InvalidCursorException,
    Page,
    Transaction,
    TransactionCanceledException,
    path,
    set_default_client,
)
from pydynox.testing import local_dynamodb

from .models import (
    NewOrder,
    Order,
    ShopTable,
    User,
    UserPatch,
    UserWithOrders,
    user_with_orders,
)
from .settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with ExitStack() as stack:
            endpoint = settings.endpoint_url
            local_key = None  # real endpoints use the usual AWS credentials chain
            if endpoint is None:  # no DynamoDB configured: run one in this process
                endpoint = stack.enter_context(local_dynamodb())
                local_key = "local"  # the embedded server takes any key
                print(f"embedded local DynamoDB at {endpoint}", flush=True)
            client = DynamoDBClient(
                region=settings.region or "us-east-1",
                endpoint_url=endpoint,
                access_key=local_key,
                secret_key=local_key,
                cursor_secret=settings.cursor_secret or None,
            )
            set_default_client(client)
            try:
                # One table holds users and orders, created from their base with the
                # indexes its entities declare (User's by-email index).
                create = settings.embedded or settings.create_tables
                if create and not await ShopTable.table_exists():
                    await ShopTable.create_table()
                yield
            finally:
                await client.close()
                set_default_client(None)

    app = FastAPI(title="pydynox shop", lifespan=lifespan)

    @app.exception_handler(pydantic.ValidationError)
    async def invalid(request: Request, error: pydantic.ValidationError) -> JSONResponse:
        # A PATCH value the model refuses on assignment: the client's mistake, not ours.
        return JSONResponse({"detail": error.errors(include_url=False)}, status_code=422)

    @app.post("/users", status_code=status.HTTP_201_CREATED)
    async def create_user(user: User) -> User:
        user.orders = 0
        try:
            await user.save(condition=path(User.user_id).not_exists())
        except ConditionalCheckFailedException:
            raise HTTPException(409, f"user {user.user_id} already exists") from None
        return user

    @app.get("/users/{user_id}")
    async def read_user(user_id: str) -> User:
        user = await User.get(user_id=user_id)
        if user is None:
            raise HTTPException(404, f"no user {user_id}")
        return user

    @app.patch("/users/{user_id}")
    async def patch_user(user_id: str, changes: UserPatch) -> User:
        user = await read_user(user_id)
        try:
            return await user.apply_patch(changes)
        except ConditionalCheckFailedException:  # deleted between the read and the update
            raise HTTPException(404, f"no user {user_id}") from None

    @app.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def delete_user(user_id: str) -> Response:
        try:
            await User.delete_by_key(user_id=user_id, condition=path(User.user_id).exists())
        except ConditionalCheckFailedException:
            raise HTTPException(404, f"no user {user_id}") from None
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @app.post("/users/{user_id}/orders", status_code=status.HTTP_201_CREATED)
    async def place_order(user_id: str, new: NewOrder) -> Order:
        """Store the order and count it on the user, both or neither."""
        order = Order(user_id=user_id, items=new.items, total=new.total)
        try:
            async with Transaction() as tx:
                tx.put(order, condition=path(Order.order_id).not_exists())
                tx.update(  # the class and a key: no need to read the user first
                    User,
                    {"user_id": user_id},
                    atomic=[path(User.orders).add(1)],
                    condition=path(User.user_id).exists(),
                )
        except TransactionCanceledException as cancelled:
            if cancelled.reasons[1].code == "ConditionalCheckFailed":
                raise HTTPException(404, f"no user {user_id}") from None
            raise HTTPException(409, "the order could not be placed, try again") from None
        return order

    @app.get("/users/{user_id}/orders")
    async def list_orders(
        user_id: str,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        cursor: Annotated[str | None, Query(max_length=2048)] = None,
    ) -> Page[Order]:
        """Newest first; pass ``next_cursor`` back as ``cursor`` for the next page."""
        newest_first = Order.query(user_id=user_id, scan_index_forward=False)
        try:
            return await newest_first.page(limit, cursor)
        except InvalidCursorException as error:
            raise HTTPException(400, str(error)) from None

    @app.get("/users/{user_id}/with-orders")
    async def read_user_with_orders(
        user_id: str,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        cursor: Annotated[str | None, Query(max_length=2048)] = None,
    ) -> UserWithOrders:
        """The user and their orders from one Query of the user's partition, backwards: the
        sort key ``PROFILE`` comes before every ``ORDER#...``, so the first page holds the user
        and up to ``limit`` orders, newest first; pass ``next_cursor`` back as ``cursor`` for
        more orders (those pages have ``user: null``)."""
        partition = user_with_orders.query(user_id=user_id, scan_index_forward=False)
        try:
            # The first page reads one item more: the user, besides ``limit`` orders.
            page = await partition.page(limit + 1 if cursor is None else limit, cursor)
        except InvalidCursorException as error:
            raise HTTPException(400, str(error)) from None
        user = next((item for item in page.items if isinstance(item, User)), None)
        if user is None and cursor is None:
            raise HTTPException(404, f"no user {user_id}")
        orders = [item for item in page.items if isinstance(item, Order)]
        return UserWithOrders(user=user, orders=orders, next_cursor=page.next_cursor)

    return app
