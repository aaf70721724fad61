"""Layer 2, expressions: attribute paths, conditions and update actions; pure, no I/O.

Every name and value is rendered as a placeholder (``#n0``, ``:v0``) into one
:class:`Placeholders` per request, never spliced into the expression text::

    ph = Placeholders()
    condition = (Attr("age") >= 18) & Attr("address.city").begins_with("Lis")
    update = [Attr("visits").add(1), Attr("tags").delete({"old"}), Attr("draft").remove()]
    params = ph.apply(
        {
            "ConditionExpression": render_condition(condition, ph),
            "UpdateExpression": render_update(update, ph),
        }
    )
"""

from pydynox.expressions._conditions import Condition, and_all, or_all, render_condition
from pydynox.expressions._path import Attr, Size
from pydynox.expressions._placeholders import Placeholders
from pydynox.expressions._updates import UpdateAction, render_update

__all__ = [
    "Attr",
    "Condition",
    "Placeholders",
    "Size",
    "UpdateAction",
    "and_all",
    "or_all",
    "render_condition",
    "render_update",
]
