"""``Collection``: several entities of one partition read by one Query.

``Collection(User, Order).query(user_id="1")`` reads partition ``USER#1`` once and yields each
item as its entity's model (typed ``User | Order``). The entities must share the table, the
discriminator and the partition key template. Items of an entity the collection does not
name are skipped (``unknown="skip"``, the default: a server-side filter on the discriminator,
so ``limit``, pages and cursors count only the collection's items) or raise
``ValidationException`` (``unknown="raise"``: nothing is filtered, and the first such item
stops the iteration).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

from pydantic import BaseModel

from pydynox._protocol._requests import read_request
from pydynox._values._codec import serialize_value
from pydynox.client._results import QueryResult, Reader, SyncQueryResult, validate_into
from pydynox.exceptions import ModelDefinitionError, ValidationException
from pydynox.expressions import Attr
from pydynox.models._conditions import ConditionArg, all_of, checked_condition
from pydynox.models._entities import typed_fields
from pydynox.models._index import split_options

if TYPE_CHECKING:
    from pydynox.models._mixin import DynamoMixin

__all__ = ["Collection"]

E = TypeVar("E")
P = TypeVar("P", bound=BaseModel)
A = TypeVar("A", bound="DynamoMixin")
B = TypeVar("B", bound="DynamoMixin")
C = TypeVar("C", bound="DynamoMixin")
D = TypeVar("D", bound="DynamoMixin")
F = TypeVar("F", bound="DynamoMixin")

Unknown = Literal["skip", "raise"]


class Collection(Generic[E]):
    """Entities of one table read together: ``Collection(User, Order).query(user_id="1")``
    yields a user and their orders, each as its own model."""

    @overload
    def __init__(self: Collection[A], a: type[A], /, *, unknown: Unknown = "skip") -> None: ...
    @overload
    def __init__(
        self: Collection[A | B], a: type[A], b: type[B], /, *, unknown: Unknown = "skip"
    ) -> None: ...
    @overload
    def __init__(
        self: Collection[A | B | C],
        a: type[A],
        b: type[B],
        c: type[C],
        /,
        *,
        unknown: Unknown = "skip",
    ) -> None: ...
    @overload
    def __init__(
        self: Collection[A | B | C | D],
        a: type[A],
        b: type[B],
        c: type[C],
        d: type[D],
        /,
        *,
        unknown: Unknown = "skip",
    ) -> None: ...
    @overload
    def __init__(
        self: Collection[A | B | C | D | F],
        a: type[A],
        b: type[B],
        c: type[C],
        d: type[D],
        f: type[F],
        /,
        *,
        unknown: Unknown = "skip",
    ) -> None: ...
    @overload
    def __init__(  # six or more: items typed DynamoMixin (never as fewer entities than given)
        self: Collection[DynamoMixin],
        a: type[DynamoMixin],
        b: type[DynamoMixin],
        c: type[DynamoMixin],
        d: type[DynamoMixin],
        f: type[DynamoMixin],
        g: type[DynamoMixin],
        /,
        *entities: type[DynamoMixin],
        unknown: Unknown = "skip",
    ) -> None: ...
    def __init__(self, *entities: type[DynamoMixin], unknown: Unknown = "skip") -> None:
        if unknown not in ("skip", "raise"):
            raise ValidationException(f"unknown= takes 'skip' or 'raise', not {unknown!r}")
        if not entities:
            raise ModelDefinitionError("Collection() needs at least one entity")
        self.entities: dict[str, type[DynamoMixin]] = {}
        self.unknown = unknown
        first = entities[0]
        for entity in entities:
            info = getattr(entity, "__dict__", {}).get("__dynamo__")
            if info is None or info.entity is None:
                raise ModelDefinitionError(
                    f"Collection takes entities (models with DynamoConfig(entity=...)), "
                    f"not {entity!r}"
                )
            if info.entity in self.entities:
                raise ModelDefinitionError(
                    f"{entity.__name__} and {self.entities[info.entity].__name__} are both "
                    f"entity {info.entity!r}: a collection names each entity once"
                )
            self._check_same(first, entity)
            self.entities[info.entity] = entity
        self.first = first
        self.projection: type[BaseModel] | None = None

    @staticmethod
    def _check_same(first: type[DynamoMixin], entity: type[DynamoMixin]) -> None:
        one, other = first._info(), entity._info()
        pk = one.partition_key
        same = {
            "table": (one.table, other.table),
            "discriminator": (one.discriminator, other.discriminator),
            "partition key": (pk, other.partition_key),
            "partition key template": (
                getattr(one.templates.get(pk), "source", None),
                getattr(other.templates.get(pk), "source", None),
            ),
        }
        for what, (mine, theirs) in same.items():
            if mine != theirs:
                raise ModelDefinitionError(
                    f"{first.__name__} and {entity.__name__} cannot be one collection: their "
                    f"{what} differs ({mine!r}, {theirs!r})"
                )
        if same["partition key template"][0] is None:
            raise ModelDefinitionError(
                f"{first.__name__}.{pk} has no template: a collection reads the partition "
                "its entities' key template gives"
            )

    def project(self, model: type[P]) -> Collection[P]:
        """The same collection, reading only the fields of ``model`` (each a field of every
        entity of the collection, else refused before sending) and yielding ``model``
        instances: ``Collection(User, Order).project(Summary)``."""
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise ValidationException(f"project() takes a pydantic model class, not {model!r}")
        projected: Collection[Any] = copy.copy(self)
        projected.projection = model
        return projected

    def __repr__(self) -> str:
        return f"Collection({', '.join(e.__name__ for e in self.entities.values())})"

    def _entity_of(self, raw: dict[str, Any]) -> type[DynamoMixin]:
        discriminator = self.first._info().discriminator or ""
        found = raw.get(discriminator)
        name = found.get("S") if isinstance(found, dict) else None
        entity = self.entities.get(name) if isinstance(name, str) else None
        if entity is None:
            raise ValidationException(
                f"an item of {'no entity' if name is None else f'entity {name!r}'} is in "
                f"the partition read by {self!r} (unknown='raise')"
            )
        return entity

    def _convert(self, raw: dict[str, Any]) -> E:
        item: E = self._entity_of(raw)._from_item(raw)  # type: ignore[assignment]
        return item

    def _read(
        self,
        key_fields: Mapping[str, Any],
        sort_key_condition: ConditionArg = None,
        filter_condition: ConditionArg = None,
        limit: int | None = None,
        page_size: int | None = None,
        scan_index_forward: bool = True,
        consistent_read: bool | None = None,
        last_evaluated_key: Mapping[str, Any] | None = None,
        max_read_units: float | None = None,
    ) -> Reader[E]:
        first = self.first
        info = first._info()
        pk = info.partition_key
        template = info.templates[pk]
        unknown = sorted(set(key_fields) - set(template.fields))
        missing = [name for name in template.fields if name not in key_fields]
        if unknown or missing:
            raise ValidationException(
                f"{self!r}.query reads partition {template.source!r}: give "
                f"{', '.join(f'{name}=...' for name in template.fields)}"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
            )
        typed = typed_fields(info, key_fields)
        stored = template.render(typed)
        info.check_key_values({pk: stored})
        key_condition = Attr(pk) == stored
        sort = checked_condition(sort_key_condition)
        filter_expression = checked_condition(filter_condition)
        if self.unknown == "skip":
            mine = Attr.of(info.discriminator or "").is_in(list(self.entities))
            filter_expression = all_of(filter_expression, mine)
        params = read_request(
            first._table_name(),
            key_condition=key_condition if sort is None else key_condition & sort,
            filter_expression=filter_expression,
            consistent_read=bool(consistent_read),
            scan_index_forward=scan_index_forward,
        )
        scope = ("Collection", params["TableName"], sorted(self.entities))
        client = first._client()
        reader = client._reader(
            "Query",
            params,
            self._convert,
            repr((*scope, serialize_value(stored, pk))),
            filtered=filter_expression is not None,
            limit=limit,
            page_size=page_size,
            start_key=last_evaluated_key,
            key_names=info.key_names,
        ).budgeted(max_read_units, client.return_consumed_capacity)
        if self.projection is None:
            return reader
        # A projection reads the fields every entity has, and the discriminator to check.
        fields = frozenset.intersection(
            *(frozenset(e._info().fields) for e in self.entities.values())
        )
        keep = (info.discriminator or "",)
        owner = " and ".join(e.__name__ for e in self.entities.values())
        convert = validate_into(self.projection)

        def checked(raw: dict[str, Any]) -> Any:
            self._entity_of(raw)
            return convert(raw)

        base = replace(reader, fields=fields, owner=owner, keep=keep)
        projected: Reader[E] = base.project(self.projection, checked)  # type: ignore[assignment]
        return projected

    def query(self, **given: Any) -> QueryResult[E]:
        """The collection's items in one partition, given by the fields of the partition
        key template: ``Collection(User, Order).query(user_id="1")``; options as
        ``QueryOptions`` (``sort_key_condition``, ``filter_condition``, ``limit``,
        ``max_read_units``...)."""
        options, fields = split_options(given)
        return self.first._client()._results(self._read(fields, **options))

    # -- sync twins: generated by scripts/twins.py from the methods above; do not edit ----

    def sync_query(self, **given: Any) -> SyncQueryResult[E]:
        """The collection's items in one partition, given by the fields of the partition
        key template: ``Collection(User, Order).query(user_id="1")``; options as
        ``QueryOptions`` (``sort_key_condition``, ``filter_condition``, ``limit``,
        ``max_read_units``...)."""
        options, fields = split_options(given)
        return self.first._client()._sync_results(self._read(fields, **options))

    # -- end of sync twins ----------------------------------------------------------------
