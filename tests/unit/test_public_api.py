"""The public façade: __all__, the error tree, and async/sync twins with equal signatures."""

from __future__ import annotations

import inspect

import pytest

import pydynox
import pydynox.exceptions
from pydynox import (
    BatchWriter,
    BoundIndex,
    DynamoDBClient,
    DynamoMixin,
    QueryResult,
    SyncBatchWriter,
    SyncQueryResult,
    SyncTransaction,
    Transaction,
)


def test_all_names_exist_and_nothing_public_is_missing() -> None:
    assert len(set(pydynox.__all__)) == len(pydynox.__all__)
    for name in pydynox.__all__:
        assert hasattr(pydynox, name), name
    for name in pydynox.exceptions.__all__:
        assert getattr(pydynox, name) is getattr(pydynox.exceptions, name)


def test_every_error_derives_from_the_root() -> None:
    for name in pydynox.exceptions.__all__:
        error = getattr(pydynox.exceptions, name)
        if isinstance(error, type) and issubclass(error, Exception):
            assert issubclass(error, pydynox.PydynoxException), name


def _public(cls: type) -> dict[str, object]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and callable(member)
    }


# Methods that do no I/O and so have no sync_ twin.
NO_IO = {"patch_model", "on_call", "capacity", "dry_run"}


@pytest.mark.parametrize("cls", [DynamoDBClient, DynamoMixin, BoundIndex])
def test_every_async_method_has_a_sync_twin_with_the_same_parameters(cls: type) -> None:
    members = _public(cls)
    asynchronous = {n for n in members if not n.startswith("sync_") and n not in NO_IO}
    assert asynchronous, "no methods found"
    for name in sorted(asynchronous):
        twin = members.get("sync_" + name)
        assert twin is not None, f"{cls.__name__}.{name} has no sync_{name}"
        params = inspect.signature(members[name]).parameters  # type: ignore[arg-type]
        assert params == inspect.signature(twin).parameters, name  # type: ignore[arg-type]
        if name not in ("query", "scan"):  # these return a lazy result, awaited by its methods
            assert inspect.iscoroutinefunction(members[name]), f"{name} should be async"
            assert not inspect.iscoroutinefunction(twin), f"sync_{name} should block"
    for name in members:
        if name.startswith("sync_"):
            assert name[5:] in members, f"{name} has no async twin"


@pytest.mark.parametrize(
    ("async_cls", "sync_cls"),
    [
        (BatchWriter, SyncBatchWriter),
        (Transaction, SyncTransaction),
        (QueryResult, SyncQueryResult),
    ],
)
def test_async_and_sync_classes_offer_the_same_methods(async_cls: type, sync_cls: type) -> None:
    async_members, sync_members = _public(async_cls), _public(sync_cls)
    assert set(async_members) == set(sync_members)
    for name, method in async_members.items():
        params = inspect.signature(method).parameters  # type: ignore[arg-type]
        assert params == inspect.signature(sync_members[name]).parameters, name  # type: ignore[arg-type]


def test_client_repr_never_shows_credentials() -> None:
    client = DynamoDBClient(
        region="eu-west-1",
        access_key="AKIAEXAMPLEKEY",
        secret_key="s3cr3t-value",
        session_token="tok3n",
    )
    shown = repr(client) + repr(client.settings)
    for secret in ("AKIAEXAMPLEKEY", "s3cr3t-value", "tok3n"):
        assert secret not in shown
