"""Tasking and repeat requests: create, read, search, cancel and update.

The functions are operations (see :mod:`capella._flow`): they take the session first and are
run by it (``session.run(get_task(session, task_id))``); both clients expose them as methods
with the same arguments (``client.get_task(task_id)``).

- ``create.py``: ``create_tasking_request``, ``create_repeat_request`` (typed, validated)
- ``read.py``: ``get_task``, ``is_task_completed``, ``get_collects_for_task``
- ``search.py``: ``search_tasking_requests``, ``search_repeat_requests`` (filter tables, paging)
- ``bulk.py``: ``cancel_*`` and ``update_*`` fan-out with one result per id
- ``types.py``: the accepted argument types; ``_values.py``: their normalisation
- ``_entity.py``: what differs between tasking and repeat requests (names, operations)
"""

from __future__ import annotations

from capella.tasking.bulk import (
    cancel_repeat_requests,
    cancel_tasking_requests,
    update_repeat_requests,
    update_tasking_requests,
)
from capella.tasking.create import create_repeat_request, create_tasking_request
from capella.tasking.read import current_status, get_collects_for_task, get_task, is_task_completed
from capella.tasking.search import search_repeat_requests, search_tasking_requests

__all__ = [
    "cancel_repeat_requests",
    "cancel_tasking_requests",
    "create_repeat_request",
    "create_tasking_request",
    "current_status",
    "get_collects_for_task",
    "get_task",
    "is_task_completed",
    "search_repeat_requests",
    "search_tasking_requests",
    "update_repeat_requests",
    "update_tasking_requests",
]
