"""Property tests: hostile names and values never reach expression text.

Attribute names full of dots, brackets, ``#``, ``:``, quotes, unicode and DynamoDB reserved
words, and values that look like expression syntax, must only ever appear in the placeholder
maps. The rendered text may hold nothing but placeholders, keywords, functions and
punctuation, and the maps must give back exactly the names and serialised values used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pydynox import ConditionCheck, DynamoConfig, Model, PartitionKey, Put, SortKey, Update, path
from pydynox._protocol._actions import transact_write_request
from pydynox._protocol._requests import (
    delete_item_request,
    put_item_request,
    read_request,
    update_actions,
    update_item_request,
)
from pydynox._values._codec import serialize_value
from pydynox.exceptions import ValidationException
from pydynox.expressions import (
    Attr,
    Condition,
    Placeholders,
    UpdateAction,
    render_condition,
    render_update,
)

from ..hostile import HOSTILE_NAMES, HOSTILE_VALUES

names = st.one_of(st.sampled_from(HOSTILE_NAMES), st.text(min_size=1, max_size=12))
paths = st.builds(
    lambda first, rest: Attr.of(first, *rest),
    names,
    st.lists(st.one_of(names, st.integers(0, 1000)), max_size=4),
)
scalars = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(max_size=20),
    st.integers(-(10**37), 10**37),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=6, min_value=-(10**20), max_value=10**20
    ),
    st.booleans(),
    st.none(),
    st.binary(max_size=10),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(names, scalars, max_size=3),
)
numbers = st.one_of(
    st.integers(-(10**37), 10**37), st.decimals(places=3, min_value=-1000, max_value=1000)
)
sets = st.one_of(
    st.sets(st.text(max_size=10), min_size=1, max_size=4),
    st.sets(st.integers(-(10**30), 10**30), min_size=1, max_size=4),
    st.sets(st.binary(max_size=5), min_size=1, max_size=4),
)

TOKENS = re.compile(
    r"#n[0-9]+|:v[0-9]+|\[[0-9]+\]|[.(),]|<>|<=|>=|[=<>]| "
    r"|AND|OR|NOT|BETWEEN|IN|SET|REMOVE|ADD|DELETE"
    r"|attribute_exists|attribute_not_exists|attribute_type|begins_with|contains|size"
    r"|if_not_exists|list_append"
)
PATH = re.compile(r"#n[0-9]+(?:\.#n[0-9]+|\[[0-9]+\])*")
NAME_KEY = re.compile(r"#n[0-9]+")
VALUE_KEY = re.compile(r":v[0-9]+")


def only_tokens(text: str) -> bool:
    return re.fullmatch(f"(?:{TOKENS.pattern})*", text) is not None


def paths_in(text: str, ph: Placeholders) -> list[tuple[str | int, ...]]:
    """The attribute paths in ``text``, in order, decoded through the names map."""
    decoded: list[tuple[str | int, ...]] = []
    for match in PATH.finditer(text):
        segments: list[str | int] = []
        for piece in re.findall(r"#n[0-9]+|\[[0-9]+\]", match.group()):
            segments.append(ph.names[piece] if piece.startswith("#") else int(piece[1:-1]))
        decoded.append(tuple(segments))
    return decoded


def check_rendering(
    text: str,
    ph: Placeholders,
    expected_paths: list[tuple[str | int, ...]],
    expected_values: list[dict[str, Any]],
) -> None:
    assert only_tokens(text), text
    # Every placeholder in the text is registered, and every registered one is used
    # (DynamoDB refuses unused placeholders).
    assert set(NAME_KEY.findall(text)) == set(ph.names)
    assert set(VALUE_KEY.findall(text)) == set(ph.values)
    assert len(VALUE_KEY.findall(text)) == len(ph.values)
    assert paths_in(text, ph) == expected_paths
    assert list(ph.values.values()) == expected_values
    # One placeholder per distinct name.
    assert len(set(ph.names.values())) == len(ph.names)


# --------------------------------------------------------------------------- conditions


@dataclass
class Built:
    """A condition with the paths and values it must render, in reading order."""

    condition: Condition
    paths: list[tuple[str | int, ...]] = field(default_factory=list)
    values: list[dict[str, Any]] = field(default_factory=list)


COMPARISONS: list[Callable[[Any, Any], Condition]] = [
    lambda a, b: a == b,
    lambda a, b: a != b,
    lambda a, b: a < b,
    lambda a, b: a <= b,
    lambda a, b: a > b,
    lambda a, b: a >= b,
]


@st.composite
def leaves(draw: st.DrawFn) -> Built:
    attr = draw(paths)
    p = attr.segments
    kind = draw(st.integers(0, 9))
    if kind == 0:
        value = draw(values)
        return Built(draw(st.sampled_from(COMPARISONS))(attr, value), [p], [serialize_value(value)])
    if kind == 1:
        other = draw(paths)
        return Built(draw(st.sampled_from(COMPARISONS))(attr, other), [p, other.segments])
    if kind == 2:
        low, high = draw(scalars), draw(scalars)
        return Built(attr.between(low, high), [p], [serialize_value(low), serialize_value(high)])
    if kind == 3:
        prefix = draw(st.one_of(st.text(max_size=10), st.binary(max_size=5)))
        return Built(attr.begins_with(prefix), [p], [serialize_value(prefix)])
    if kind == 4:
        member = draw(scalars)
        return Built(attr.contains(member), [p], [serialize_value(member)])
    if kind == 5:
        return Built(draw(st.sampled_from([attr.exists(), attr.not_exists()])), [p])
    if kind == 6:
        candidates = draw(st.lists(scalars, min_size=1, max_size=5))
        return Built(attr.is_in(candidates), [p], [serialize_value(c) for c in candidates])
    if kind == 7:
        code = draw(st.sampled_from(["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"]))
        return Built(attr.attribute_type(code), [p], [{"S": code}])
    if kind == 8:
        number = draw(numbers)
        compare = draw(st.sampled_from(COMPARISONS))
        return Built(compare(attr.size(), number), [p], [serialize_value(number)])
    low, high = draw(numbers), draw(numbers)
    return Built(attr.size().between(low, high), [p], [serialize_value(low), serialize_value(high)])


def combine(children: st.SearchStrategy[Built]) -> st.SearchStrategy[Built]:
    def both(op: str, left: Built, right: Built) -> Built:
        condition = (
            left.condition & right.condition if op == "&" else left.condition | right.condition
        )
        return Built(condition, left.paths + right.paths, left.values + right.values)

    def negate(child: Built) -> Built:
        return Built(~child.condition, child.paths, child.values)

    return st.one_of(
        st.builds(both, st.sampled_from(["&", "|"]), children, children),
        st.builds(negate, children),
    )


conditions = st.recursive(leaves(), combine, max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(conditions)
def test_conditions_render_only_placeholders(built: Built) -> None:
    ph = Placeholders()
    text = render_condition(built.condition, ph)
    check_rendering(text, ph, built.paths, built.values)


@settings(max_examples=200, deadline=None)
@given(paths, values)
def test_equality_maps_back_exactly(attr: Attr, value: Any) -> None:
    ph = Placeholders()
    text = render_condition(attr == value, ph)
    left, right = text.split(" = ")
    assert only_tokens(left) and PATH.fullmatch(left)
    assert paths_in(left, ph) == [attr.segments]
    assert ph.values == {right: serialize_value(value)}
    assert sorted(ph.names.values()) == sorted({s for s in attr.segments if isinstance(s, str)})


# --------------------------------------------------------------------------- updates


@dataclass
class BuiltAction:
    action: UpdateAction
    paths: list[tuple[str | int, ...]]
    values: list[dict[str, Any]]


ORDER = {"SET": 0, "REMOVE": 1, "ADD": 2, "DELETE": 3}


@st.composite
def actions_on(draw: st.DrawFn, attr: Attr) -> BuiltAction:
    p = attr.segments
    kind = draw(st.integers(0, 7))
    if kind == 0:
        value = draw(values)
        return BuiltAction(attr.set(value), [p], [serialize_value(value)])
    if kind == 1:
        other = draw(paths)
        return BuiltAction(attr.set(other), [p, other.segments], [])
    if kind == 2:
        value = draw(values)
        return BuiltAction(attr.set_if_not_exists(value), [p, p], [serialize_value(value)])
    if kind == 3:
        items = draw(st.lists(scalars, max_size=4))
        action = draw(st.sampled_from([attr.append(items), attr.prepend(items)]))
        return BuiltAction(action, [p, p], [{"L": []}, serialize_value(items)])
    if kind == 4:
        return BuiltAction(attr.remove(), [p], [])
    if kind == 5:
        number = draw(numbers)
        return BuiltAction(attr.add(number), [p], [serialize_value(number)])
    members = draw(sets)
    action = attr.add(members) if kind == 6 else attr.delete(members)
    return BuiltAction(action, [p], [serialize_value(members)])


@st.composite
def distinct_paths(
    draw: st.DrawFn, segments: st.SearchStrategy[str], most: int, depth: int, index: int
) -> list[Attr]:
    """Up to ``most`` paths of ``segments`` and list indexes: distinct first names keep the
    paths from overlapping (an update may not touch a path twice)."""
    firsts = draw(st.lists(segments, min_size=1, max_size=most, unique=True))
    return [
        Attr.of(first, *draw(st.lists(st.one_of(segments, st.integers(0, index)), max_size=depth)))
        for first in firsts
    ]


@st.composite
def updates(draw: st.DrawFn) -> list[BuiltAction]:
    return [draw(actions_on(attr)) for attr in draw(distinct_paths(names, 6, 3, 50))]


@settings(max_examples=300, deadline=None)
@given(updates())
def test_updates_render_only_placeholders(built: list[BuiltAction]) -> None:
    ph = Placeholders()
    text = render_update([b.action for b in built], ph)
    in_order = sorted(built, key=lambda b: ORDER[b.action.clause])
    check_rendering(
        text,
        ph,
        [p for b in in_order for p in b.paths],
        [v for b in in_order for v in b.values],
    )
    clauses = [word for word in text.split(" ") if word in ORDER]
    assert clauses == sorted(set(clauses), key=ORDER.__getitem__)


# --------------------------------------------------------------------------- raw placeholders


user_keys = st.dictionaries(
    st.from_regex(r"#(n[0-9]{1,2}|[A-Za-z_][A-Za-z0-9_]{0,5})", fullmatch=True), names, max_size=5
)
user_value_keys = st.dictionaries(
    st.from_regex(r":(v[0-9]{1,2}|[A-Za-z_][A-Za-z0-9_]{0,5})", fullmatch=True), scalars, max_size=5
)


@settings(max_examples=200, deadline=None)
@given(user_keys, user_value_keys, conditions)
def test_generated_placeholders_avoid_user_ones(
    raw_names: dict[str, str], raw_values: dict[str, Any], built: Built
) -> None:
    ph = Placeholders()
    ph.add_names(raw_names)
    ph.add_values(raw_values)
    text = render_condition(built.condition, ph)
    assert only_tokens(text)
    # The user's placeholders keep their meaning ...
    for key, name in raw_names.items():
        assert ph.names[key] == name
    for key, value in raw_values.items():
        assert ph.values[key] == serialize_value(value)
    # ... and the generated ones are all new keys that decode the condition exactly.
    generated_names = set(NAME_KEY.findall(text))
    generated_values = VALUE_KEY.findall(text)
    assert not generated_names & set(raw_names)
    assert not set(generated_values) & set(raw_values)
    assert paths_in(text, ph) == built.paths
    assert [ph.values[key] for key in generated_values] == built.values
    assert len(ph.values) == len(raw_values) + len(built.values)


@settings(max_examples=100, deadline=None)
@given(paths, scalars)
def test_convert_hook_sees_every_value(attr: Attr, value: Any) -> None:
    seen: list[Any] = []

    def convert(v: Any) -> Any:
        seen.append(v)
        return "converted"

    converted = Attr.of(*attr.segments, convert=convert)
    ph = Placeholders()
    text = render_condition((converted == value) & converted.between(value, value), ph)
    assert only_tokens(text)
    assert seen == [value, value, value]
    assert list(ph.values.values()) == [{"S": "converted"}] * 3


def test_decimal_strategy_is_serialisable() -> None:
    # Guard for the strategies above: the codec accepts their extremes.
    assert serialize_value(Decimal("-100000000000000000000.000000")) == {
        "N": "-100000000000000000000"
    }


# --------------------------------------------------------------------------- whole requests
#
# Every name and string value below carries a canary character that no keyword, function,
# placeholder or punctuation contains. Whole requests are built with the same builders the
# client and the models use; the canary may then appear only where names and values belong
# (the two placeholder maps, Key and Item), never in an expression string.

CANARY = "\u2603"  # ☃

canary_names = st.builds(
    lambda base, tail: base + CANARY + tail,
    st.one_of(st.sampled_from(HOSTILE_NAMES), st.text(max_size=6)),
    st.text(max_size=4),
)
canary_paths = st.builds(
    lambda first, rest: Attr.of(first, *rest),
    canary_names,
    st.lists(st.one_of(canary_names, st.integers(0, 50)), max_size=3),
)
canary_strings = st.builds(
    lambda base: base + CANARY,
    st.one_of(st.sampled_from([*HOSTILE_NAMES, *HOSTILE_VALUES]), st.text(max_size=8)),
)
canary_scalars = st.one_of(canary_strings, st.binary(min_size=1, max_size=4), numbers)
canary_values = st.one_of(
    canary_scalars,
    st.lists(canary_scalars, max_size=3),
    st.dictionaries(canary_names, canary_scalars, max_size=3),
    st.sets(canary_strings, min_size=1, max_size=3),
)


@st.composite
def canary_leaves(draw: st.DrawFn) -> Condition:
    attr = draw(canary_paths)
    value = draw(canary_scalars)
    kind = draw(st.integers(0, 9))
    if kind == 0:
        compare: Callable[[Any, Any], Condition] = draw(st.sampled_from(COMPARISONS))
        return compare(attr, value)
    if kind == 1:
        return draw(st.sampled_from(COMPARISONS))(attr, draw(canary_paths))
    if kind == 2:
        return attr.between(value, draw(canary_scalars))
    if kind == 3:
        return attr.begins_with(draw(canary_strings))
    if kind == 4:
        return attr.contains(value)
    if kind == 5:
        return draw(st.sampled_from([attr.exists(), attr.not_exists()]))
    if kind == 6:
        return attr.is_in(draw(st.lists(canary_scalars, min_size=1, max_size=4)))
    if kind == 7:
        return attr.attribute_type(draw(st.sampled_from(["S", "N", "M"])))
    if kind == 8:
        return draw(st.sampled_from(COMPARISONS))(attr.size(), draw(numbers))
    return attr == draw(canary_values)


canary_conditions = st.recursive(
    canary_leaves(),
    lambda children: st.one_of(
        st.builds(lambda a, b: a & b, children, children),
        st.builds(lambda a, b: a | b, children, children),
        st.builds(lambda a: ~a, children),
    ),
    max_leaves=6,
)


@st.composite
def canary_actions(draw: st.DrawFn) -> list[UpdateAction]:
    actions: list[UpdateAction] = []
    for attr in draw(distinct_paths(canary_names, 4, 2, 9)):
        kind = draw(st.integers(0, 6))
        if kind == 0:
            actions.append(attr.set(draw(canary_values)))
        elif kind == 1:
            actions.append(attr.set_if_not_exists(draw(canary_values)))
        elif kind == 2:
            actions.append(attr.append(draw(st.lists(canary_scalars, max_size=3))))
        elif kind == 3:
            actions.append(attr.remove())
        elif kind == 4:
            actions.append(attr.add(draw(numbers)))
        elif kind == 5:
            actions.append(attr.add(draw(st.sets(canary_strings, min_size=1, max_size=3))))
        else:
            actions.append(attr.delete(draw(st.sets(canary_strings, min_size=1, max_size=3))))
    return actions


ALLOWED = ("ExpressionAttributeNames", "ExpressionAttributeValues", "Key", "Item")


def leaks(node: Any, where: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Where the canary appears outside the names/values maps, Key and Item."""
    if any(part in ALLOWED for part in where):
        return []
    found: list[tuple[str, ...]] = []
    if isinstance(node, str):
        return [where] if CANARY in node else []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and CANARY in key:
                found.append((*where, key))
            found += leaks(value, (*where, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += leaks(value, (*where, str(index)))
    return found


def expressions_in(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("Expression") and isinstance(value, str):
                found.append(value)
            else:
                found += expressions_in(value)
    elif isinstance(node, list):
        for value in node:
            found += expressions_in(value)
    return found


def check_request(params: dict[str, Any], canary_names_only: bool = True) -> None:
    assert leaks(params) == [], leaks(params)
    if "TransactItems" in params:  # each action has its own placeholder maps
        for action in params["TransactItems"]:
            ((_kind, inner),) = action.items()
            check_request(inner, canary_names_only)
        return
    texts = expressions_in(params)
    assert texts
    names = params.get("ExpressionAttributeNames", {})
    values = params.get("ExpressionAttributeValues", {})
    for text in texts:
        assert only_tokens(text), text
        assert set(NAME_KEY.findall(text)) <= set(names)
        assert set(VALUE_KEY.findall(text)) <= set(values)
    # Every registered placeholder is used by one of the request's expressions.
    used = " ".join(texts)
    assert set(NAME_KEY.findall(used)) == set(names)
    assert set(VALUE_KEY.findall(used)) == set(values)
    # Every generated name placeholder stands for a name with the canary: nothing but the
    # user's names travel in the names map.
    if canary_names_only:
        assert all(CANARY in name for name in names.values())


KEY = {"pk": "p" + CANARY, "sk": "s" + CANARY}


@settings(max_examples=150, deadline=None)
@given(canary_actions(), st.one_of(st.none(), canary_conditions))
def test_update_requests_hold_names_and_values_only_in_the_maps(
    actions: list[UpdateAction], condition: Condition | None
) -> None:
    params = update_item_request("table", KEY, actions, condition)
    check_request(params)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(canary_names, canary_values, min_size=1, max_size=4),
    st.lists(st.builds(lambda a, v: a.set(v), canary_paths, canary_values), max_size=2),
)
def test_updates_mapping_and_atomic_together(
    updates: dict[str, Any], atomic: list[UpdateAction]
) -> None:
    # update_item's updates= takes top-level names; distinct first names keep paths apart.
    atomic_actions = [a for a in atomic if a.path.segments[0] not in updates]
    firsts = [a.path.segments[0] for a in atomic_actions]
    if len(set(firsts)) != len(firsts):
        return
    actions = update_actions(KEY, updates, atomic_actions)
    params = update_item_request("table", KEY, actions)
    check_request(params)
    assert set(params["ExpressionAttributeNames"].values()) >= set(updates)


@settings(max_examples=150, deadline=None)
@given(canary_names, canary_strings, st.one_of(st.none(), canary_conditions))
def test_read_requests_hold_names_and_values_only_in_the_maps(
    key_name: str, key_value: str, filter_condition: Condition | None
) -> None:
    query = read_request(
        "table",
        key_condition=(Attr.of(key_name) == key_value)
        & Attr.of("sk" + CANARY).begins_with(key_value),
        filter_expression=filter_condition,
    )
    check_request(query)
    if filter_condition is not None:
        check_request(read_request("table", filter_expression=filter_condition))


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(canary_names, canary_values, max_size=4),
    canary_conditions,
    canary_actions(),
)
def test_writes_and_transactions_hold_names_and_values_only_in_the_maps(
    attributes: dict[str, Any], condition: Condition, actions: list[UpdateAction]
) -> None:
    check_request(put_item_request("table", {**KEY, **attributes}, condition))
    check_request(delete_item_request("table", KEY, condition))
    other = {"pk": KEY["pk"], "sk": "other" + CANARY}
    third = {"pk": KEY["pk"], "sk": "third" + CANARY}
    request = transact_write_request(
        [
            Put("table", {**KEY, **attributes}, condition),
            Update("table", other, atomic=actions, condition=condition),
            ConditionCheck("table", third, condition),
        ]
    )
    check_request(request)


# --------------------------------------------------------------------------- models


class Reserved(Model):
    """Field names that are DynamoDB reserved words, or not ASCII."""

    model_config = DynamoConfig(table="reserved")
    key: Annotated[str, PartitionKey()]
    order: Annotated[int, SortKey()]
    status: str = ""
    data: dict[str, Any] = {}
    名前: str = ""
    ünïcødé: int = 0


@settings(max_examples=100, deadline=None)
@given(canary_strings, st.integers(-1000, 1000), canary_names)
def test_model_fields_named_after_reserved_words_render_as_placeholders(
    text: str, number: int, nested: str
) -> None:
    condition = (
        (Reserved.status == text)
        & (Reserved.order > number)
        & path(Reserved.data)[nested].exists()
        & (Reserved.名前 != text)
        & path(Reserved.ünïcødé).between(number, number + 1)
    )
    actions = [
        path(Reserved.ünïcødé).add(number),
        path(Reserved.data)[nested].set(text),
        path(Reserved.名前).set(text),
    ]
    params = update_item_request("reserved", {"key": "k", "order": 1}, actions, condition)
    check_request(params, canary_names_only=False)
    assert set(params["ExpressionAttributeNames"].values()) == {
        "status",
        "order",
        "data",
        nested,
        "名前",
        "ünïcødé",
    }


# --------------------------------------------------------------------------- parsing


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab.[]0123 #:é"), max_size=12) | st.text(max_size=12))
def test_path_parsing_refuses_or_round_trips(text: str) -> None:
    try:
        attr = Attr(text)
    except ValidationException:
        return
    assert all(s != "" for s in attr.segments)
    assert Attr(str(attr)).segments == attr.segments
    ph = Placeholders()
    rendered = attr.render(ph)
    assert only_tokens(rendered)
    assert paths_in(rendered, ph) == [attr.segments]


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.just(""), st.none(), st.integers(max_value=-1), st.booleans(), st.floats()))
def test_bad_segments_are_refused_with_validation_errors(segment: Any) -> None:
    try:
        Attr.of("a", segment)
    except ValidationException:
        return
    raise AssertionError(f"{segment!r} was accepted as a path segment")


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=6), names, min_size=1, max_size=3))
def test_user_placeholders_are_checked_before_use(raw: dict[str, str]) -> None:
    ph = Placeholders()
    valid = all(re.fullmatch(r"#[A-Za-z0-9_]+", key) for key in raw)
    try:
        ph.add_names(raw)
    except ValidationException:
        assert not valid
        assert ph.names == {}  # nothing registered when one entry is refused
    else:
        assert valid
        assert ph.names == raw
