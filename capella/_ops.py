"""The API operations the client sends: one enum, each member naming its generated module
and how it may be repeated after a failure.

Operations are looked up only here; an operation without a member cannot be sent, so none is
ever retried by a default guess.
"""

from __future__ import annotations

import enum
import importlib
from types import ModuleType


class Retry(enum.Enum):
    """How an operation may be repeated after a failure."""

    SAFE = "safe"  # reads and searches: sending them twice changes nothing
    CREATE = "create"  # creates and state changes: only if the request provably never left


class Op(enum.Enum):
    """An API operation: ``(generated module under capella_api.api, retry policy)``."""

    GET_USER = ("user.get_user", Retry.SAFE)
    SEARCH_CATALOG = ("catalog.search_catalog", Retry.SAFE)
    REVIEW_ORDER = ("orders.review_order", Retry.SAFE)
    SUBMIT_ORDER = ("orders.submit_order", Retry.CREATE)
    LIST_ORDERS = ("orders.list_orders", Retry.SAFE)
    GET_ORDER = ("orders.get_order", Retry.SAFE)
    GET_ORDER_DOWNLOAD = ("orders.get_order_download", Retry.SAFE)
    CREATE_TASKING_REQUEST = ("tasking.create_tasking_request", Retry.CREATE)
    GET_TASKING_REQUEST = ("tasking.get_tasking_request", Retry.SAFE)
    UPDATE_TASKING_REQUEST = ("tasking.update_tasking_request", Retry.SAFE)
    UPDATE_TASKING_REQUEST_STATUS = ("tasking.update_tasking_request_status", Retry.CREATE)
    SEARCH_TASKING_REQUESTS = ("tasking.search_tasking_requests", Retry.SAFE)
    LIST_COLLECTS_FOR_TASK = ("collects.list_collects_for_task", Retry.SAFE)
    CREATE_REPEAT_REQUEST = ("repeat_requests.create_repeat_request", Retry.CREATE)
    UPDATE_REPEAT_REQUEST = ("repeat_requests.update_repeat_request", Retry.SAFE)
    UPDATE_REPEAT_REQUEST_STATUS = ("repeat_requests.update_repeat_request_status", Retry.CREATE)
    SEARCH_REPEAT_REQUESTS = ("repeat_requests.search_repeat_requests", Retry.SAFE)
    LIST_COLLECTION_TYPES = ("collection_types.list_collection_types", Retry.SAFE)

    @property
    def retry(self) -> Retry:
        """How this operation may be repeated."""
        return self.value[1]

    def module(self) -> ModuleType:
        """The generated operation module (imported on first use: it imports every model)."""
        return importlib.import_module(f"capella_api.api.{self.value[0]}")
