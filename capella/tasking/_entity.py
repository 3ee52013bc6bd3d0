"""Tasking and repeat requests: what differs between the two where both are handled alike."""

from __future__ import annotations

import attrs

from capella._ops import Op


@attrs.frozen
class Entity:
    """One kind of request: its names (in messages and on the wire) and its operations."""

    noun: str  # "tasking request"
    prefix: str  # wire prefix of the name and description properties: "taskingrequest"
    create: Op
    update: Op
    update_status: Op

    @property
    def ids_name(self) -> str:
        """The name of the ids argument of the bulk functions, for error messages."""
        return f"{self.noun.replace(' ', '_')}_ids"

    def func(self, verb: str) -> str:
        """The public function that does ``verb`` to one request, for error messages."""
        return f"{verb}_{self.noun.replace(' ', '_')}"


TASKING = Entity(
    "tasking request",
    "taskingrequest",
    Op.CREATE_TASKING_REQUEST,
    Op.UPDATE_TASKING_REQUEST,
    Op.UPDATE_TASKING_REQUEST_STATUS,
)
REPEAT = Entity(
    "repeat request",
    "repeatrequest",
    Op.CREATE_REPEAT_REQUEST,
    Op.UPDATE_REPEAT_REQUEST,
    Op.UPDATE_REPEAT_REQUEST_STATUS,
)
