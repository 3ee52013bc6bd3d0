"""The life of a tasking or repeat request: its status events and the changes a user may make."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from capella.sandbox.api_errors import ApiError, validation_error
from capella.sandbox.formats import format_time
from capella.sandbox.json_types import Json

__all__ = ["FINAL_TRANSACTIONS", "change_status", "history", "status", "transaction_status"]


_STATUS_MESSAGES = {
    "received": "Request created",
    "review": "Tasking request ready for review.",
    "submitted": "Request submitted through automatic approval",
    "approved": "Request approved and submitted for scheduling",
    "accepted": "Request can be completely satisfied during validity window.",
    "active": "Request is active: collects are being scheduled.",
    "completed": "Tasking request has been completed.",
    "canceled": "Request canceled by customer.",
    "rejected": "Request rejected.",
    "expired": "Request window closed before it could be satisfied.",
    "failed": "Request failed.",
    "anomaly": "An anomaly occurred while collecting.",
}
# Statuses after which a request can no longer change, and how the billing side names them.
FINAL_TRANSACTIONS = {
    "completed": "completed",
    "canceled": "customer-cancelled",
    "rejected": "customer-rejected",
    "expired": "expired",
    "failed": "failed",
    "error": "failed",
}


def status(feature: Json) -> str:
    """The latest status code of a request feature."""
    events = feature["properties"].get("statusHistory") or [{}]
    return str(events[0].get("code", ""))


def history(codes: Sequence[str], times: Sequence[datetime]) -> list[Json]:
    """Status events, newest first, from codes and times given oldest first."""
    events = []
    for code, moment in zip(codes, times, strict=True):
        wire = "submitted" if code == "approved" else code
        events.append(
            {"time": format_time(moment), "code": wire, "message": _STATUS_MESSAGES[code]}
        )
    return events[::-1]


def transaction_status(code: str) -> str:
    """How the billing side names a request in status `code`."""
    return FINAL_TRANSACTIONS.get(code, "in-progress")


def change_status(feature: Json, body: Json, now: datetime, *, repeat: bool) -> None:
    """Cancel, approve or reject a request: add the event or refuse the change."""
    wanted = body.get("status", body.get("code"))
    actions = ("canceled", "cancelled", "approved", "rejected", "submitted")
    if wanted not in actions:
        raise validation_error(
            [
                {
                    "message": "Invalid enum value. Expected "
                    + ("'canceled' | 'submitted'" if repeat else "'canceled' | 'approved'")
                    + " | 'rejected'",
                    "code": "invalid_enum_value",
                    "path": "status",
                }
            ]
        )
    # Both spellings of cancel; `submitted` is how repeat requests say `approved`.
    action = {"cancelled": "canceled", "submitted": "approved"}.get(wanted, str(wanted))
    properties = feature["properties"]
    current = status(feature)
    if current in FINAL_TRANSACTIONS:
        raise ApiError(
            400,
            "UNABLE_TO_UPDATE_FINALIZED_TRANSACTION",
            f"This transaction has been finalized with a status of "
            f"'{FINAL_TRANSACTIONS[current]}'. It cannot be further modified.",
        )
    if action != "canceled" and current not in ("review", "received"):
        code = "UNABLE_TO_UPDATE_" + ("REPEAT_REQUEST" if repeat else "TASKING_REQUEST")
        raise ApiError(400, code, f"Cannot set status '{wanted}' on a request in '{current}'")
    event = history([action], [now])[0]
    properties["statusHistory"].insert(0, event)
    properties["transactionStatus"] = transaction_status(event["code"])
