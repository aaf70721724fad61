"""Exact rendering of paths, conditions and update actions into placeholders."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal
from typing import Any

import pytest

from pydynox.exceptions import SerializationException, ValidationException
from pydynox.expressions import (
    Attr,
    Condition,
    Placeholders,
    Size,
    UpdateAction,
    and_all,
    or_all,
    render_condition,
    render_update,
)


def cond(condition: Condition) -> tuple[str, dict[str, str], dict[str, dict[str, Any]]]:
    ph = Placeholders()
    text = render_condition(condition, ph)
    return text, ph.names, ph.values


def update(*actions: UpdateAction) -> tuple[str, dict[str, str], dict[str, dict[str, Any]]]:
    ph = Placeholders()
    text = render_update(actions, ph)
    return text, ph.names, ph.values


A, B, C, D = Attr("a") == 1, Attr("b") == 2, Attr("c") == 3, Attr("d") == 4
N = {"#n0": "a", "#n1": "b", "#n2": "c", "#n3": "d"}


# --------------------------------------------------------------------------- placeholders


class TestPlaceholders:
    def test_same_name_same_placeholder(self) -> None:
        ph = Placeholders()
        assert ph.name("age") == "#n0"
        assert ph.name("name") == "#n1"
        assert ph.name("age") == "#n0"
        assert ph.names == {"#n0": "age", "#n1": "name"}

    def test_path(self) -> None:
        ph = Placeholders()
        assert ph.path(Attr("a.b[3].c[0][1]")) == "#n0.#n1[3].#n2[0][1]"
        assert ph.path(Attr("c.a")) == "#n2.#n0"
        assert ph.names == {"#n0": "a", "#n1": "b", "#n2": "c"}

    def test_values_are_not_shared(self) -> None:
        ph = Placeholders()
        assert ph.value(3) == ":v0"
        assert ph.value(3) == ":v1"
        assert ph.value("x") == ":v2"
        assert ph.values == {":v0": {"N": "3"}, ":v1": {"N": "3"}, ":v2": {"S": "x"}}

    def test_value_error_names_the_path(self) -> None:
        with pytest.raises(SerializationException, match=r"^a\.b: NaN") as info:
            Placeholders().value(float("nan"), "a.b")
        assert info.value.path == "a.b"

    def test_custom_serializer(self) -> None:
        calls: list[tuple[Any, str]] = []

        def serialize(value: Any, path: str) -> dict[str, Any]:
            calls.append((value, path))
            return {"S": repr(value)}

        ph = Placeholders(serialize)
        render_condition(Attr("x.y") == 5, ph)
        assert ph.values == {":v0": {"S": "5"}}
        assert calls == [(5, "x.y")]

    def test_apply(self) -> None:
        ph = Placeholders()
        params: dict[str, Any] = {"TableName": "t"}
        assert ph.apply(params) is params
        assert params == {"TableName": "t"}
        ph.name("a")
        assert ph.apply({}) == {"ExpressionAttributeNames": {"#n0": "a"}}
        ph.value(1)
        params = ph.apply({"TableName": "t"})
        assert params == {
            "TableName": "t",
            "ExpressionAttributeNames": {"#n0": "a"},
            "ExpressionAttributeValues": {":v0": {"N": "1"}},
        }
        # The maps handed out are copies: later renders do not change a sent request.
        ph.name("b")
        assert params["ExpressionAttributeNames"] == {"#n0": "a"}

    def test_generated_placeholders_skip_user_keys(self) -> None:
        ph = Placeholders()
        ph.add_names({"#n0": "pk", "#n2": "sk", "#pk": "pk"})
        ph.add_values({":v0": "x", ":v1": 7})
        text = render_condition((Attr("a") == 1) & (Attr("b") == 2) & (Attr("c") == 3), ph)
        assert text == "#n1 = :v2 AND #n3 = :v3 AND #n4 = :v4"
        assert ph.names == {
            "#n0": "pk",
            "#n2": "sk",
            "#pk": "pk",
            "#n1": "a",
            "#n3": "b",
            "#n4": "c",
        }
        assert ph.values == {
            ":v0": {"S": "x"},
            ":v1": {"N": "7"},
            ":v2": {"N": "1"},
            ":v3": {"N": "2"},
            ":v4": {"N": "3"},
        }

    def test_user_keys_given_again_with_the_same_meaning(self) -> None:
        ph = Placeholders()
        assert ph.name("a") == "#n0"
        ph.value(1)
        ph.add_names({"#n0": "a"})
        ph.add_values({":v0": 1})
        assert ph.names == {"#n0": "a"}
        assert ph.values == {":v0": {"N": "1"}}

    def test_user_name_collision(self) -> None:
        ph = Placeholders()
        ph.name("a")
        with pytest.raises(ValidationException, match="'#n0' already stands for attribute 'a'"):
            ph.add_names({"#x": "x", "#n0": "other"})
        assert ph.names == {"#n0": "a"}  # nothing of the refused call was kept

    def test_user_value_collision(self) -> None:
        ph = Placeholders()
        ph.add_values({":min": 3})
        with pytest.raises(ValidationException, match="':min' already stands for value"):
            ph.add_values({":max": 9, ":min": 4})
        assert ph.values == {":min": {"N": "3"}}

    @pytest.mark.parametrize("key", ["pk", "", "#", "#a b", "#a.b", ":v", "##a", 3])
    def test_bad_user_name_keys(self, key: Any) -> None:
        with pytest.raises(ValidationException, match="must be '#' followed by"):
            Placeholders().add_names({key: "pk"})

    @pytest.mark.parametrize("name", ["", None, 3])
    def test_bad_user_names(self, name: Any) -> None:
        with pytest.raises(ValidationException, match="non-empty attribute name"):
            Placeholders().add_names({"#pk": name})

    @pytest.mark.parametrize("key", ["v", "", ":", ":a-b", "#v"])
    def test_bad_user_value_keys(self, key: str) -> None:
        with pytest.raises(ValidationException, match="must be ':' followed by"):
            Placeholders().add_values({key: 1})

    def test_user_value_serialisation_error_names_the_key(self) -> None:
        with pytest.raises(SerializationException, match=r"^:bad: "):
            Placeholders().add_values({":bad": object()})

    @pytest.mark.parametrize("name", ["", 3, None])
    def test_bad_names(self, name: Any) -> None:
        with pytest.raises(ValidationException, match="non-empty strings"):
            Placeholders().name(name)


# --------------------------------------------------------------------------- paths


class TestAttr:
    @pytest.mark.parametrize(
        ("text", "segments"),
        [
            ("a", ("a",)),
            ("address.city", ("address", "city")),
            ("history[0]", ("history", 0)),
            ("a.b[2].c", ("a", "b", 2, "c")),
            ("m[10][2]", ("m", 10, 2)),
            ("a b.c-d", ("a b", "c-d")),
            ("#x.:y", ("#x", ":y")),
            ("ünï.çødé", ("ünï", "çødé")),
        ],
    )
    def test_parse(self, text: str, segments: tuple[str | int, ...]) -> None:
        attr = Attr(text)
        assert attr.segments == segments
        assert str(attr) == text
        assert attr.convert is None

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", "cannot be empty"),
            ("a..b", "empty attribute name at position 2"),
            (".a", "empty attribute name at position 0"),
            ("a.", "empty attribute name at position 2"),
            ("a[x]", "list index 'x' is not a non-negative integer"),
            ("a[-1]", "list index '-1' is not a non-negative integer"),
            ("a[]", "list index '' is not a non-negative integer"),
            ("a[1.5]", "not a non-negative integer"),
            ("a[²]", "not a non-negative integer"),
            ("a[", "'\\[' at position 1 is never closed"),
            ("a[0", "never closed"),
            ("[0]", "must start with an attribute name"),
            ("[0].a", "must start with an attribute name"),
            ("a.[0]", "a list index must follow an attribute name"),
            ("a]", "unexpected '\\]' at position 1"),
            ("a[0]b", "unexpected 'b' at position 4"),
        ],
    )
    def test_bad_syntax(self, text: str, message: str) -> None:
        with pytest.raises(ValidationException, match=message):
            Attr(text)

    def test_path_must_be_a_string(self) -> None:
        with pytest.raises(ValidationException, match="must be a string"):
            Attr(3)  # type: ignore[arg-type]

    def test_of_takes_segments_literally(self) -> None:
        attr = Attr.of("a.b", "c[0]", 2)
        assert attr.segments == ("a.b", "c[0]", 2)
        ph = Placeholders()
        assert ph.path(attr) == "#n0.#n1[2]"
        assert ph.names == {"#n0": "a.b", "#n1": "c[0]"}

    @pytest.mark.parametrize(
        ("segments", "message"),
        [
            ((), "at least one segment"),
            ((0, "a"), "must start with an attribute name"),
            (("a", ""), "cannot be empty"),
            (("",), "cannot be empty"),
            (("a", -1), "cannot be negative"),
            (("a", True), "must be an attribute name"),
            (("a", 1.0), "must be an attribute name"),
        ],
    )
    def test_of_errors(self, segments: tuple[Any, ...], message: str) -> None:
        with pytest.raises(ValidationException, match=message):
            Attr.of(*segments)

    def test_children(self) -> None:
        attr = Attr("a")["b.c"][0]["d"]
        assert attr.segments == ("a", "b.c", 0, "d")
        with pytest.raises(ValidationException, match="cannot be negative"):
            Attr("a")[-1]
        with pytest.raises(ValidationException, match="cannot be empty"):
            Attr("a")[""]

    def test_children_do_not_inherit_convert(self) -> None:
        attr = Attr("a", convert=str)
        assert attr.convert is str
        assert attr["b"].convert is None

    def test_repr(self) -> None:
        assert repr(Attr("a.b[1]")) == "Attr('a.b[1]')"
        assert repr(Attr.of("a.b", 1)) == "Attr.of('a.b', 1)"
        assert repr(Attr("a").size()) == "Attr('a').size()"

    def test_hashable_by_segments(self) -> None:
        assert hash(Attr("a.b")) == hash(Attr.of("a", "b"))
        assert hash(Attr("a").size()) == hash(Attr("a").size())
        attr = Attr("a")
        assert {attr: 1}[attr] == 1

    def test_immutable(self) -> None:
        attr = Attr("a")
        with pytest.raises(AttributeError):
            attr.segments = ("b",)
        with pytest.raises(AttributeError):
            del attr.convert
        with pytest.raises(AttributeError):
            attr.size().attr = attr

    def test_copy_and_pickle(self) -> None:
        attr = Attr.of("a.b", 1)
        assert copy.copy(attr) is attr
        assert copy.deepcopy(attr) is attr
        assert pickle.loads(pickle.dumps(attr)).segments == ("a.b", 1)
        size = attr.size()
        assert copy.deepcopy(size) is size
        assert pickle.loads(pickle.dumps(size)).attr.segments == ("a.b", 1)

    def test_not_iterable(self) -> None:
        with pytest.raises(TypeError, match="not iterable"):
            list(Attr("a"))
        with pytest.raises(TypeError, match=r"Attr\.contains\(\)"):
            _ = "x" in Attr("a")


# --------------------------------------------------------------------------- conditions


class TestComparisons:
    @pytest.mark.parametrize(
        ("condition", "text"),
        [
            (Attr("age") == 3, "#n0 = :v0"),
            (Attr("age") != 3, "#n0 <> :v0"),
            (Attr("age") < 3, "#n0 < :v0"),
            (Attr("age") <= 3, "#n0 <= :v0"),
            (Attr("age") > 3, "#n0 > :v0"),
            (Attr("age") >= 3, "#n0 >= :v0"),
            (3 < Attr("age"), "#n0 > :v0"),  # noqa: SIM300 (reflected operator)
            (3 == Attr("age"), "#n0 = :v0"),  # noqa: SIM300
        ],
    )
    def test_operators(self, condition: Condition, text: str) -> None:
        assert cond(condition) == (text, {"#n0": "age"}, {":v0": {"N": "3"}})

    def test_nested_path(self) -> None:
        assert cond(Attr("a.b[0]") == "x") == (
            "#n0.#n1[0] = :v0",
            {"#n0": "a", "#n1": "b"},
            {":v0": {"S": "x"}},
        )

    def test_none_is_null(self) -> None:
        assert cond(Attr("a") == None) == ("#n0 = :v0", {"#n0": "a"}, {":v0": {"NULL": True}})  # noqa: E711

    def test_attr_against_attr(self) -> None:
        assert cond(Attr("a") < Attr("b.a")) == ("#n0 < #n1.#n0", {"#n0": "a", "#n1": "b"}, {})

    def test_size(self) -> None:
        size = Attr("tags").size()
        assert isinstance(size, Size)
        for condition, op in [
            (size == 1, "="),
            (size != 1, "<>"),
            (size < 1, "<"),
            (size <= 1, "<="),
            (size > 1, ">"),
            (size >= 1, ">="),
        ]:
            assert cond(condition) == (f"size(#n0) {op} :v0", {"#n0": "tags"}, {":v0": {"N": "1"}})

    def test_size_between_and_against_paths(self) -> None:
        assert cond(Attr("t").size().between(1, 5)) == (
            "size(#n0) BETWEEN :v0 AND :v1",
            {"#n0": "t"},
            {":v0": {"N": "1"}, ":v1": {"N": "5"}},
        )
        assert cond(Attr("t").size() > Attr("u").size()) == (
            "size(#n0) > size(#n1)",
            {"#n0": "t", "#n1": "u"},
            {},
        )
        assert cond(Attr("n") < Attr("t").size()) == (
            "#n0 < size(#n1)",
            {"#n0": "n", "#n1": "t"},
            {},
        )

    def test_size_value_error_names_size(self) -> None:
        with pytest.raises(SerializationException, match=r"^size\(t\): "):
            cond(Attr("t").size() == float("inf"))

    def test_value_error_names_the_path(self) -> None:
        with pytest.raises(SerializationException, match=r"^a\.b\[0\]: "):
            cond(Attr("a.b[0]") == object())


class TestFunctions:
    def test_between(self) -> None:
        assert cond(Attr("n").between(1, Decimal("2.5"))) == (
            "#n0 BETWEEN :v0 AND :v1",
            {"#n0": "n"},
            {":v0": {"N": "1"}, ":v1": {"N": "2.5"}},
        )

    def test_begins_with(self) -> None:
        assert cond(Attr("sk").begins_with("ORDER#")) == (
            "begins_with(#n0, :v0)",
            {"#n0": "sk"},
            {":v0": {"S": "ORDER#"}},
        )

    def test_contains(self) -> None:
        assert cond(Attr("tags").contains("red")) == (
            "contains(#n0, :v0)",
            {"#n0": "tags"},
            {":v0": {"S": "red"}},
        )
        assert cond(Attr("tags").contains(Attr("fav"))) == (
            "contains(#n0, #n1)",
            {"#n0": "tags", "#n1": "fav"},
            {},
        )

    def test_exists(self) -> None:
        assert cond(Attr("a.b").exists()) == (
            "attribute_exists(#n0.#n1)",
            {"#n0": "a", "#n1": "b"},
            {},
        )
        assert cond(Attr("a").not_exists()) == ("attribute_not_exists(#n0)", {"#n0": "a"}, {})

    def test_is_in(self) -> None:
        assert cond(Attr("s").is_in(["a", "b", 3])) == (
            "#n0 IN (:v0, :v1, :v2)",
            {"#n0": "s"},
            {":v0": {"S": "a"}, ":v1": {"S": "b"}, ":v2": {"N": "3"}},
        )
        assert cond(Attr("s").is_in(x for x in [1])) == (
            "#n0 IN (:v0)",
            {"#n0": "s"},
            {":v0": {"N": "1"}},
        )

    def test_is_in_limits(self) -> None:
        assert cond(Attr("s").is_in(range(100)))[0].count(":v") == 100
        with pytest.raises(ValidationException, match="at least one value"):
            Attr("s").is_in([])
        with pytest.raises(ValidationException, match="at most 100 values, got 101"):
            Attr("s").is_in(range(101))
        with pytest.raises(ValidationException, match="not a single str"):
            Attr("s").is_in("abc")

    @pytest.mark.parametrize("code", ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"])
    def test_attribute_type(self, code: str) -> None:
        assert cond(Attr("a").attribute_type(code)) == (
            "attribute_type(#n0, :v0)",
            {"#n0": "a"},
            {":v0": {"S": code}},
        )

    @pytest.mark.parametrize("code", ["s", "STRING", "", "X"])
    def test_attribute_type_unknown(self, code: str) -> None:
        with pytest.raises(ValidationException, match="unknown DynamoDB type"):
            Attr("a").attribute_type(code)


class TestLogic:
    @pytest.mark.parametrize(
        ("condition", "text"),
        [
            (A & B, "#n0 = :v0 AND #n1 = :v1"),
            (A | B, "#n0 = :v0 OR #n1 = :v1"),
            (A & B & C, "#n0 = :v0 AND #n1 = :v1 AND #n2 = :v2"),
            (A & (B & C), "#n0 = :v0 AND #n1 = :v1 AND #n2 = :v2"),
            (A | B | C, "#n0 = :v0 OR #n1 = :v1 OR #n2 = :v2"),
            (A | (B | C), "#n0 = :v0 OR #n1 = :v1 OR #n2 = :v2"),
            ((A | B) & C, "(#n0 = :v0 OR #n1 = :v1) AND #n2 = :v2"),
            (A & (B | C), "#n0 = :v0 AND (#n1 = :v1 OR #n2 = :v2)"),
            (A & B | C, "#n0 = :v0 AND #n1 = :v1 OR #n2 = :v2"),
            (A | B & C, "#n0 = :v0 OR #n1 = :v1 AND #n2 = :v2"),
            ((A | B) & (C | D), "(#n0 = :v0 OR #n1 = :v1) AND (#n2 = :v2 OR #n3 = :v3)"),
            (A & B | C & D, "#n0 = :v0 AND #n1 = :v1 OR #n2 = :v2 AND #n3 = :v3"),
            (~A, "NOT #n0 = :v0"),
            (~(A & B), "NOT (#n0 = :v0 AND #n1 = :v1)"),
            (~(A | B), "NOT (#n0 = :v0 OR #n1 = :v1)"),
            (~A & B, "NOT #n0 = :v0 AND #n1 = :v1"),
            (~A | ~B, "NOT #n0 = :v0 OR NOT #n1 = :v1"),
            (~~A, "#n0 = :v0"),
            (~(~A & B), "NOT (NOT #n0 = :v0 AND #n1 = :v1)"),
            (~((A | B) & C), "NOT ((#n0 = :v0 OR #n1 = :v1) AND #n2 = :v2)"),
        ],
    )
    def test_precedence(self, condition: Condition, text: str) -> None:
        rendered, names, values = cond(condition)
        assert rendered == text
        assert names == {key: N[key] for key in names}
        assert values == {f":v{i}": {"N": str(i + 1)} for i in range(len(values))}

    def test_functions_in_combinations(self) -> None:
        condition = ~Attr("a").exists() | (Attr("v").between(1, 2) & Attr("a").begins_with("x"))
        assert cond(condition) == (
            "NOT attribute_exists(#n0) OR #n1 BETWEEN :v0 AND :v1 AND begins_with(#n0, :v2)",
            {"#n0": "a", "#n1": "v"},
            {":v0": {"N": "1"}, ":v1": {"N": "2"}, ":v2": {"S": "x"}},
        )

    def test_and_all_or_all(self) -> None:
        assert (
            cond(and_all(A, B | C, D))[0] == "#n0 = :v0 AND (#n1 = :v1 OR #n2 = :v2) AND #n3 = :v3"
        )
        assert cond(or_all(A & B, C, D))[0] == "#n0 = :v0 AND #n1 = :v1 OR #n2 = :v2 OR #n3 = :v3"
        assert and_all(A) is A
        assert or_all(A) is A
        with pytest.raises(ValidationException, match="at least one condition"):
            and_all()
        with pytest.raises(TypeError, match="takes conditions"):
            or_all(A, True)  # type: ignore[arg-type]

    def test_bool_is_an_error(self) -> None:
        with pytest.raises(TypeError, match=r"use & \| ~ instead of and/or/not"):
            bool(Attr("a") > 3)
        with pytest.raises(TypeError):
            if Attr("a") > 3:
                pass
        with pytest.raises(TypeError):
            _ = A and B
        with pytest.raises(TypeError):
            _ = not A
        with pytest.raises(TypeError):
            _ = Attr("a") in [Attr("b")]

    def test_combining_with_non_conditions(self) -> None:
        with pytest.raises(TypeError):
            _ = A & True  # type: ignore[operator]
        with pytest.raises(TypeError):
            _ = A | None  # type: ignore[operator]

    def test_render_condition_type_check(self) -> None:
        with pytest.raises(TypeError, match="expected a Condition"):
            render_condition("a = :b", Placeholders())  # type: ignore[arg-type]

    def test_rendering_twice_into_one_registry(self) -> None:
        ph = Placeholders()
        condition = Attr("a") == 1
        assert condition.render(ph) == "#n0 = :v0"
        assert condition.render(ph) == "#n0 = :v1"
        assert ph.names == {"#n0": "a"}
        assert ph.values == {":v0": {"N": "1"}, ":v1": {"N": "1"}}


# --------------------------------------------------------------------------- convert


def double(value: Any) -> Any:
    return value * 2


class TestConvert:
    def test_comparisons(self) -> None:
        attr = Attr("n", convert=double)
        assert cond(attr == 2)[2] == {":v0": {"N": "4"}}
        assert cond(attr > 2)[2] == {":v0": {"N": "4"}}
        assert cond(attr.between(1, 2))[2] == {":v0": {"N": "2"}, ":v1": {"N": "4"}}
        assert cond(attr.is_in([1, 2]))[2] == {":v0": {"N": "2"}, ":v1": {"N": "4"}}

    def test_other_paths_are_not_converted(self) -> None:
        assert cond(Attr("n", convert=double) == Attr("m")) == (
            "#n0 = #n1",
            {"#n0": "n", "#n1": "m"},
            {},
        )

    def test_of(self) -> None:
        attr = Attr.of("n", convert=double)
        assert attr.convert is double
        assert cond(attr <= 5)[2] == {":v0": {"N": "10"}}

    def test_parts_are_not_converted(self) -> None:
        attr = Attr("s", convert=double)
        assert cond(attr.begins_with("ab"))[2] == {":v0": {"S": "ab"}}
        assert cond(attr.contains("ab"))[2] == {":v0": {"S": "ab"}}
        assert cond(attr.size() == 2)[2] == {":v0": {"N": "2"}}

    def test_updates(self) -> None:
        attr = Attr("n", convert=double)
        assert update(attr.set(3))[2] == {":v0": {"N": "6"}}
        assert update(attr.set_if_not_exists(3))[2] == {":v0": {"N": "6"}}
        assert update(attr.add(3))[2] == {":v0": {"N": "6"}}
        assert update(attr.append(["x"]))[2] == {
            ":v0": {"L": []},
            ":v1": {"L": [{"S": "x"}, {"S": "x"}]},
        }

    def test_convert_checked_after_conversion(self) -> None:
        attr = Attr("s", convert=lambda v: set(v))
        assert update(attr.delete(["a", "b"]))[2] == {":v0": {"SS": ["a", "b"]}}
        with pytest.raises(ValidationException, match="non-empty set, got an empty set"):
            attr.delete([])

    def test_convert_changing_the_shape_is_caught_when_rendering(self) -> None:
        attr = Attr("l", convert=lambda v: set(v))
        with pytest.raises(
            ValidationException, match="l: append/prepend needs a list, got a DynamoDB SS"
        ):
            update(attr.append(["a"]))


# --------------------------------------------------------------------------- updates


class TestUpdates:
    def test_set(self) -> None:
        action = Attr("a.b").set("x")
        assert action.clause == "SET"
        assert action.path.segments == ("a", "b")
        assert update(action) == (
            "SET #n0.#n1 = :v0",
            {"#n0": "a", "#n1": "b"},
            {":v0": {"S": "x"}},
        )

    def test_set_from_path(self) -> None:
        assert update(Attr("a").set(Attr("b"))) == ("SET #n0 = #n1", {"#n0": "a", "#n1": "b"}, {})

    def test_set_size_refused(self) -> None:
        with pytest.raises(ValidationException, match="cannot write size"):
            Attr("a").set(Attr("b").size())

    @pytest.mark.parametrize("empty", [set(), frozenset()])
    def test_set_of_an_empty_set_removes_the_attribute(self, empty: Any) -> None:
        # DynamoDB cannot store an empty set: a missing attribute is the empty set, as
        # update(tags=set()) stores it.
        action = Attr("a.tags").set(empty)
        assert action.clause == "REMOVE"
        assert update(action, Attr("n").set(1)) == (
            "SET #n0 = :v0 REMOVE #n1.#n2",
            {"#n0": "n", "#n1": "a", "#n2": "tags"},
            {":v0": {"N": "1"}},
        )

    def test_set_removes_when_the_converted_value_is_an_empty_set(self) -> None:
        # A model path converts with the field's type: set[str] turns [] into set().
        tags = Attr.of("tags", convert=set)
        assert tags.set([]).clause == "REMOVE"
        assert update(tags.set(["x"])) == ("SET #n0 = :v0", {"#n0": "tags"}, {":v0": {"SS": ["x"]}})

    def test_set_if_not_exists(self) -> None:
        assert update(Attr("c").set_if_not_exists(0)) == (
            "SET #n0 = if_not_exists(#n0, :v0)",
            {"#n0": "c"},
            {":v0": {"N": "0"}},
        )

    def test_append(self) -> None:
        assert update(Attr("h").append([1, "x"])) == (
            "SET #n0 = list_append(if_not_exists(#n0, :v0), :v1)",
            {"#n0": "h"},
            {":v0": {"L": []}, ":v1": {"L": [{"N": "1"}, {"S": "x"}]}},
        )

    def test_prepend(self) -> None:
        assert update(Attr("h").prepend((1,))) == (
            "SET #n0 = list_append(:v1, if_not_exists(#n0, :v0))",
            {"#n0": "h"},
            {":v0": {"L": []}, ":v1": {"L": [{"N": "1"}]}},
        )

    @pytest.mark.parametrize("values", ["abc", {1}, 1, None])
    def test_append_needs_a_list(self, values: Any) -> None:
        with pytest.raises(ValidationException, match="takes a list of values"):
            Attr("h").append(values)
        with pytest.raises(ValidationException, match="takes a list of values"):
            Attr("h").prepend(values)

    def test_remove(self) -> None:
        action = Attr("a[2]").remove()
        assert action.clause == "REMOVE"
        assert update(action) == ("REMOVE #n0[2]", {"#n0": "a"}, {})

    @pytest.mark.parametrize(
        ("value", "serialised"),
        [
            (1, {"N": "1"}),
            (-2.5, {"N": "-2.5"}),
            (Decimal("0.1"), {"N": "0.1"}),
            ({"b", "a"}, {"SS": ["a", "b"]}),
            (frozenset({2, 1}), {"NS": ["1", "2"]}),
            ({b"x"}, {"BS": [b"x"]}),
        ],
    )
    def test_add(self, value: Any, serialised: dict[str, Any]) -> None:
        action = Attr("n").add(value)
        assert action.clause == "ADD"
        assert update(action) == ("ADD #n0 :v0", {"#n0": "n"}, {":v0": serialised})

    @pytest.mark.parametrize("value", [True, "1", [1], set(), None, {"a": 1}])
    def test_add_refused(self, value: Any) -> None:
        with pytest.raises(
            ValidationException, match="add\\(\\) takes a number or a non-empty set"
        ):
            Attr("n").add(value)

    def test_delete(self) -> None:
        action = Attr("tags").delete({"old"})
        assert action.clause == "DELETE"
        assert update(action) == ("DELETE #n0 :v0", {"#n0": "tags"}, {":v0": {"SS": ["old"]}})

    @pytest.mark.parametrize("value", [1, "old", ["old"], set(), frozenset(), None])
    def test_delete_needs_a_set(self, value: Any) -> None:
        with pytest.raises(ValidationException, match="delete\\(\\) takes a non-empty set"):
            Attr("tags").delete(value)

    def test_all_clauses_in_order(self) -> None:
        text, names, values = update(
            Attr("tags").delete({"x"}),
            Attr("n").add(1),
            Attr("gone").remove(),
            Attr("a").set(1),
            Attr("old").remove(),
            Attr("b").set("two"),
        )
        assert text == "SET #n0 = :v0, #n1 = :v1 REMOVE #n2, #n3 ADD #n4 :v2 DELETE #n5 :v3"
        assert names == {
            "#n0": "a",
            "#n1": "b",
            "#n2": "gone",
            "#n3": "old",
            "#n4": "n",
            "#n5": "tags",
        }
        assert values == {
            ":v0": {"N": "1"},
            ":v1": {"S": "two"},
            ":v2": {"N": "1"},
            ":v3": {"SS": ["x"]},
        }

    def test_update_and_condition_share_one_registry(self) -> None:
        ph = Placeholders()
        params = ph.apply(
            {
                "UpdateExpression": render_update([Attr("n").add(1)], ph),
                "ConditionExpression": render_condition(Attr("n") < 10, ph),
            }
        )
        assert params == {
            "UpdateExpression": "ADD #n0 :v0",
            "ConditionExpression": "#n0 < :v1",
            "ExpressionAttributeNames": {"#n0": "n"},
            "ExpressionAttributeValues": {":v0": {"N": "1"}, ":v1": {"N": "10"}},
        }

    def test_empty(self) -> None:
        with pytest.raises(ValidationException, match="at least one action"):
            render_update([], Placeholders())

    @pytest.mark.parametrize(
        ("first", "second", "message"),
        [
            ("a", "a", "two update actions on the same path 'a'"),
            ("a.b", "a.b", "two update actions on the same path 'a.b'"),
            ("a", "a.b", "overlapping paths 'a' and 'a.b'"),
            ("a.b", "a", "overlapping paths 'a.b' and 'a'"),
            ("l", "l[0]", "overlapping paths 'l' and 'l\\[0\\]'"),
            ("m.l[1].x", "m.l[1]", "overlapping paths 'm.l\\[1\\].x' and 'm.l\\[1\\]'"),
        ],
    )
    def test_overlapping_paths(self, first: str, second: str, message: str) -> None:
        ph = Placeholders()
        with pytest.raises(ValidationException, match=message):
            render_update([Attr("z").set(0), Attr(first).set(1), Attr(second).remove()], ph)
        assert ph.names == {} and ph.values == {}  # refused before rendering anything

    def test_disjoint_paths_are_fine(self) -> None:
        text, _, _ = update(
            Attr("l[0]").set(1),
            Attr("l[1]").remove(),
            Attr("m.a").set(1),
            Attr("m.ab").set(2),
            Attr.of("m.a").remove(),
        )
        assert text == "SET #n0[0] = :v0, #n1.#n2 = :v1, #n1.#n3 = :v2 REMOVE #n0[1], #n4"

    def test_render_update_type_check(self) -> None:
        with pytest.raises(TypeError, match="expected an UpdateAction"):
            render_update([Attr("a") == 1], Placeholders())  # type: ignore[list-item]

    def test_value_error_names_the_path(self) -> None:
        with pytest.raises(SerializationException, match=r"^a\.b: NaN"):
            update(Attr("a.b").set(float("nan")))
