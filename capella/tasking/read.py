"""Read one tasking request and its collects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from capella._flow import Context, Flow, call
from capella._ops import Op
from capella.errors import CapellaConsoleClientError, InvalidInputError, TaskNotCompleteError
from capella.tasking import _values as v

COMPLETED = "completed"


def get_task(ctx: Context, tasking_request_id: str) -> Flow[dict[str, Any]]:
    """Return the tasking request ``tasking_request_id`` (``GET /task/{id}``)."""
    task_id = v.uuid_str("tasking_request_id", tasking_request_id)
    return checked_task((yield call(Op.GET_TASKING_REQUEST, task_id)), task_id)


def checked_task(task: Any, task_id: str) -> dict[str, Any]:
    """The answer of ``GET /task/{id}``, checked to be an object."""
    if not isinstance(task, dict):
        raise CapellaConsoleClientError(f"GET /task/{task_id} returned {type(task).__name__}")
    return task


def _history(task: Any) -> list[Mapping[str, Any]]:
    """The status events of a request; InvalidInputError for anything not shaped like one."""
    data = task.to_dict() if hasattr(task, "to_dict") else task
    properties = data.get("properties") if isinstance(data, Mapping) else None
    history = properties.get("statusHistory", []) if isinstance(properties, Mapping) else None
    if not isinstance(history, list):
        # ``{}`` or a search result's id would otherwise read as "not completed" for ever.
        raise InvalidInputError(
            "task: expected a tasking or repeat request as get_task returns it (a dict with "
            f"'properties' holding a 'statusHistory' list), not {_excerpt(task)}"
        )
    return [event for event in history if isinstance(event, Mapping)]


def _excerpt(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def _status_codes(task: Any) -> list[str]:
    return [str(event.get("code", "")).lower() for event in _history(task)]


def current_status(task: Mapping[str, Any] | Any) -> str | None:
    """The current status code of a tasking or repeat request, None when it has no history."""
    history = _history(task)
    if not history:
        return None
    # The API lists the history newest first: the current status is at the front.
    return str(history[0].get("code", "")).lower() or None


def is_task_completed(task: Mapping[str, Any] | Any) -> bool:
    """Return whether a tasking request (as ``get_task`` returns it) has reached ``completed``."""
    return COMPLETED in _status_codes(task)


def get_collects_for_task(ctx: Context, tasking_request_id: str) -> Flow[list[dict[str, Any]]]:
    """Return the collects of a completed tasking request; raise ``TaskNotCompleteError`` if not."""
    task = yield from get_task(ctx, tasking_request_id)
    task_id = v.uuid_str("tasking_request_id", tasking_request_id)
    require_completed(task, task_id)
    return checked_collects((yield call(Op.LIST_COLLECTS_FOR_TASK, task_id)), task_id)


def require_completed(task: Mapping[str, Any], task_id: str) -> None:
    """Raise ``TaskNotCompleteError`` unless the tasking request has reached ``completed``."""
    if not is_task_completed(task):
        raise TaskNotCompleteError(
            f"tasking request {task_id} is not completed "
            f"(current status: {current_status(task) or 'unknown'})",
            "TASK_NOT_COMPLETE",
        )


def checked_collects(collects: Any, task_id: str) -> list[dict[str, Any]]:
    """The answer of ``GET /collects/list/{id}``, checked to be a list."""
    if not isinstance(collects, list):
        raise CapellaConsoleClientError(
            f"GET /collects/list/{task_id} returned {type(collects).__name__}, not a list"
        )
    return collects
