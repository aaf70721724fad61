"""The shop API: users (create, read, patch, delete) and their orders (place, list by page),
and a user with their orders read by one Query; users and orders share one table.

Every error an endpoint can answer is in the OpenAPI document with its body and an example
(``responses=...``, from ``errors.py``, which also maps the library's exceptions in one place:
an item over 400 KB is a 413)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Response, status

from pydynox import (
    ConditionalCheckFailedException,
    DynamoDBClient,
    InvalidCursorException,
    Page,
    Transaction,
    TransactionCanceledException,
    default_client_set_to,
    path,
)
from pydynox.local import local_dynamodb

from .errors import add_error_handlers, responses
from .models import (
    NewOrder,
    NewUser,
    Order,
    ShopTable,
    User,
    UserPatch,
    UserWithOrders,
    user_with_orders,
)
from .settings import Settings

TRANSACTION_LIMIT = 100  # actions in one DynamoDB transaction


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
            # The models' client for the app's life; the previous default (a test's) comes back.
            stack.enter_context(default_client_set_to(client))
            try:
                # One table holds users and orders, created from their base with the
                # indexes its entities declare (User's by-email index).
                create = settings.embedded or settings.create_tables
                if create and not await ShopTable.table_exists():
                    await ShopTable.create_table()
                yield
            finally:
                await client.close()

    app = FastAPI(title="pydynox shop", lifespan=lifespan)
    add_error_handlers(app)  # 413 for an item over 400 KB, 422 for a value a model refuses

    @app.post("/users", status_code=status.HTTP_201_CREATED, responses=responses(409, 413))
    async def create_user(new: NewUser) -> User:
        user = User(**new.model_dump())
        try:
            await user.save(condition=path(User.user_id).not_exists())
        except ConditionalCheckFailedException:
            raise HTTPException(409, f"user {user.user_id} already exists") from None
        return user

    @app.get("/users/{user_id}", responses=responses(404))
    async def read_user(user_id: str) -> User:
        user = await User.get(user_id=user_id)
        if user is None:
            raise HTTPException(404, f"no user {user_id}")
        return user

    @app.patch("/users/{user_id}", responses=responses(404, 413))
    async def patch_user(user_id: str, changes: UserPatch) -> User:
        user = await read_user(user_id)
        try:
            return await user.apply_patch(changes)
        except ConditionalCheckFailedException:  # deleted between the read and the update
            raise HTTPException(404, f"no user {user_id}") from None

    @app.delete(
        "/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(404, 409)
    )
    async def delete_user(user_id: str) -> Response:
        """Delete the user and their orders, in one transaction when they have fewer than 100
        orders (a transaction holds 100 actions). With more, the orders go first, 99 at a time,
        each batch in a transaction that also takes them off the user's count; the last one
        deletes the user with the rest. So every step leaves a user whose count matches their
        orders: if one fails (a 500, or a 409 when an order was placed meanwhile), the user
        is still there with fewer orders, and sending DELETE again finishes the job."""
        found = Order.query(user_id=user_id)
        keys = [{"user_id": user_id, "order_id": order.order_id} async for order in found]
        try:
            while len(keys) >= TRANSACTION_LIMIT:  # a batch of orders, and the count
                batch, keys = keys[: TRANSACTION_LIMIT - 1], keys[TRANSACTION_LIMIT - 1 :]
                async with Transaction() as tx:
                    for key in batch:
                        tx.delete(Order, key)
                    tx.update(
                        User,
                        {"user_id": user_id},
                        atomic=[path(User.orders).add(-len(batch))],
                        condition=path(User.user_id).exists(),
                    )
            async with Transaction() as tx:  # the rest of the orders and the user
                for key in keys:
                    tx.delete(Order, key)
                # The count matches the orders found: none was placed since the query (it
                # would be left behind), and the user exists.
                tx.delete(User, {"user_id": user_id}, condition=path(User.orders) == len(keys))
        except TransactionCanceledException:
            if await User.get(user_id=user_id) is None:
                raise HTTPException(404, f"no user {user_id}") from None
            raise HTTPException(409, "the user changed while being deleted, try again") from None
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @app.post(
        "/users/{user_id}/orders",
        status_code=status.HTTP_201_CREATED,
        responses=responses(404, 409, 413),
    )
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

    @app.get("/users/{user_id}/orders", responses=responses(400, 404))
    async def list_orders(
        user_id: str,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        cursor: Annotated[str | None, Query(max_length=2048)] = None,
    ) -> Page[Order]:
        """Newest first; pass ``next_cursor`` back as ``cursor`` for the next page. A missing
        user is a 404 (checked with the first page, beside its Query)."""
        newest_first = Order.query(user_id=user_id, scan_index_forward=False)
        try:
            if cursor is not None:
                return await newest_first.page(limit, cursor)
            page, user = await asyncio.gather(
                newest_first.page(limit, cursor), User.get(user_id=user_id)
            )
        except InvalidCursorException as error:
            raise HTTPException(400, str(error)) from None
        if user is None:
            raise HTTPException(404, f"no user {user_id}")
        return page

    @app.get("/users/{user_id}/with-orders", responses=responses(400, 404))
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
