"""The codec's public functions in one place: what every layer above imports to convert values.

Python values <-> DynamoDB attribute values in botocore's Python shape (``{"S": "x"}``,
``{"N": "1.5"}``, ``{"B": b"..."}`` with raw bytes). The work is done in three modules:

- ``_numbers``: exact number text written, ``int`` / ``Decimal`` read back (never ``float``);
- ``_serialize``: Python -> attribute values, refusals raised as ``SerializationException``
  naming the attribute;
- ``_deserialize``: attribute values from DynamoDB's answers -> Python, a malformed one raised
  as ``ConnectionException(sent=True)``.
"""

from __future__ import annotations

from pydynox._values._deserialize import deserialize_item, deserialize_value
from pydynox._values._numbers import MAX_DIGITS, deserialize_number, serialize_number
from pydynox._values._serialize import AttributeValue, serialize_item, serialize_value

__all__ = [
    "MAX_DIGITS",
    "AttributeValue",
    "deserialize_item",
    "deserialize_number",
    "deserialize_value",
    "serialize_item",
    "serialize_number",
    "serialize_value",
]
