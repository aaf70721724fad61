"""Lifecycle hooks for models: decorate methods to run them around operations.

``@before_save @after_save @before_delete @after_delete @before_update @after_update
@after_load``. Hooks are plain (synchronous) methods taking ``self``; they run in declaration
order, inherited ones first. A ``before_*`` hook that raises stops the operation before
anything is sent. ``after_load`` runs on every instance read by get, query, scan and
batch_get.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "HOOK_KINDS",
    "after_delete",
    "after_load",
    "after_save",
    "after_update",
    "before_delete",
    "before_save",
    "before_update",
]

F = TypeVar("F", bound=Callable[..., Any])

HOOK_KINDS = (
    "before_save",
    "after_save",
    "before_delete",
    "after_delete",
    "before_update",
    "after_update",
    "after_load",
)


def _marker(kind: str) -> Callable[[F], F]:
    def mark(method: F) -> F:
        if not callable(method):
            raise TypeError(f"@{kind} decorates a method")
        if inspect.iscoroutinefunction(method):
            raise TypeError(
                f"@{kind} hooks run synchronously inside both the async and the sync API; "
                f"{method.__qualname__} is async def, so it would never run: make it a plain def"
            )
        kinds = getattr(method, "__pydynox_hooks__", ())
        method.__pydynox_hooks__ = (*kinds, kind)  # type: ignore[attr-defined]
        return method

    mark.__name__ = kind
    return mark


before_save = _marker("before_save")
after_save = _marker("after_save")
before_delete = _marker("before_delete")
after_delete = _marker("after_delete")
before_update = _marker("before_update")
after_update = _marker("after_update")
after_load = _marker("after_load")
