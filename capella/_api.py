"""The API methods of both clients, listed once: each is an operation of its module.

``CapellaConsoleClient`` runs them on the calling thread, ``AsyncCapellaConsoleClient`` awaits
them (see :class:`capella._methods.operation`); their signatures and docstrings are the
operations'.
"""

from __future__ import annotations

from capella import _auth, orders, pagination
from capella._methods import operation
from capella.tasking import bulk, create, read
from capella.tasking import search as requests_search


class ApiMethods:
    """The methods that talk to the API (downloads aside), shared by both clients."""

    whoami = operation(_auth.whoami)
    search = operation(pagination.search_catalog)
    catalog_search = operation(pagination.search_catalog)
    review_order = operation(orders.review_order)
    submit_order = operation(orders.submit_order)
    list_orders = operation(orders.list_orders_of)
    get_stac_items_of_order = operation(orders.get_stac_items_of_order)
    get_presigned_items = operation(orders.get_presigned_items)
    get_presigned_assets = operation(orders.get_presigned_assets)
    create_tasking_request = operation(create.create_tasking_request)
    create_repeat_request = operation(create.create_repeat_request)
    get_task = operation(read.get_task)
    is_task_completed = staticmethod(read.is_task_completed)
    get_collects_for_task = operation(read.get_collects_for_task)
    search_tasking_requests = operation(requests_search.search_tasking_requests)
    search_repeat_requests = operation(requests_search.search_repeat_requests)
    search_repeat_request = operation(requests_search.search_repeat_requests)
    cancel_tasking_requests = operation(bulk.cancel_tasking_requests)
    cancel_repeat_requests = operation(bulk.cancel_repeat_requests)
    update_tasking_requests = operation(bulk.update_tasking_requests)
    update_repeat_requests = operation(bulk.update_repeat_requests)
