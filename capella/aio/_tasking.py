"""Tasking and repeat requests on asyncio: the sync modules' bodies, checks and results, awaited.

Creation parameters, validation and wire bodies come from :mod:`capella.tasking.create` (the
methods take the builders' signatures), search filters and paging rules from
:mod:`capella.tasking.search`, per-id results from :mod:`capella.tasking.bulk`, and answer checks
from :mod:`capella.tasking.read`. This module sends the requests and runs them concurrently.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from types import ModuleType
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, Unpack

import attrs

from capella.aio._http import AsyncApiSession
from capella.aio._tasks import gather_bounded
from capella.results import RepeatRequestSearchResult, TaskingRequestSearchResult
from capella.tasking import _values as v
from capella.tasking import bulk, read, search
from capella.tasking.create import REPEAT_REQUEST, TASKING_REQUEST, Creation, announce, created
from capella.tasking.types import (
    ProductTypeLike,
    RepeatRequestFilters,
    RepeatRequestSearchArgs,
    TaskingRequestFilters,
    TaskingRequestSearchArgs,
)

P = ParamSpec("P")
R = TypeVar("R", TaskingRequestSearchResult, RepeatRequestSearchResult)
Result = bulk.Result


@attrs.frozen
class UserIds:
    """The ids that scope a search, once fetched."""

    customer_id: str
    organization_id: str


class _Unscoped:
    """Stands in for the user when a filter sets the scope: its ids are never read."""

    @property
    def customer_id(self) -> str:
        raise AssertionError("the scope is set by a filter")

    @property
    def organization_id(self) -> str:
        raise AssertionError("the scope is set by a filter")


class AsyncHost(Protocol):
    """The async client, as far as the tasking methods use it."""

    _session: AsyncApiSession

    async def _user_ids(self) -> UserIds: ...


# -- read ------------------------------------------------------------------------------------


async def get_task(session: AsyncApiSession, tasking_request_id: str) -> dict[str, Any]:
    """Return the tasking request ``tasking_request_id`` (``GET /task/{id}``)."""
    from capella_api.api.tasking import get_tasking_request

    task_id = v.uuid_str("tasking_request_id", tasking_request_id)
    return read.checked_task(await session.call_json(get_tasking_request, task_id), task_id)


async def get_collects_for_task(
    session: AsyncApiSession, tasking_request_id: str
) -> list[dict[str, Any]]:
    """Return the collects of a completed tasking request; raise ``TaskNotCompleteError`` if not."""
    from capella_api.api.collects import list_collects_for_task

    task = await get_task(session, tasking_request_id)
    task_id = v.uuid_str("tasking_request_id", tasking_request_id)
    read.require_completed(task, task_id)
    collects = await session.call_json(list_collects_for_task, task_id)
    return read.checked_collects(collects, task_id)


# -- create ----------------------------------------------------------------------------------


def _create_method(
    creation: Creation[P], name: str
) -> Callable[Concatenate[AsyncHost, P], Coroutine[Any, Any, dict[str, Any]]]:
    """A client method with the builder's keyword-only parameters, awaiting the create."""

    async def create(self: AsyncHost, /, *args: P.args, **kwargs: P.kwargs) -> dict[str, Any]:
        body = creation.build(*args, **kwargs)
        log = self._session.log
        announce(log, creation.what, body)
        answer = await self._session.call_json(creation.operation(), body=body)
        return created(log, creation.what, answer)

    create.__name__ = create.__qualname__ = name
    creation.adopt(create, "self")
    return create


# -- cancel and update -----------------------------------------------------------------------


async def _fan_out(
    ids: Sequence[str], work: Callable[[str], Awaitable[Result]]
) -> dict[str, Result]:
    """Run ``work`` for every id, up to ``bulk.MAX_CONCURRENCY`` at a time; results in id order."""
    slots = asyncio.Semaphore(bulk.MAX_CONCURRENCY)

    async def guarded(request_id: str) -> Result:
        async with slots:
            try:
                return await work(request_id)
            except Exception as exc:  # every failure is this id's result, never the others'
                return bulk.failure(exc)

    results = await asyncio.gather(*(guarded(request_id) for request_id in ids))
    return dict(zip(ids, results, strict=True))


async def cancel(
    session: AsyncApiSession, entity: bulk.Entity, raw_ids: Sequence[str | None]
) -> dict[str, Result]:
    """Cancel every id; one result per id (see :mod:`capella.tasking.bulk`)."""
    ids = bulk.planned_ids(session.log, entity, raw_ids, "canceling")
    op = entity.ops()[1]

    async def one(request_id: str) -> Result:
        await session.call(op, request_id, body=bulk.CANCEL_BODY)
        return dict(bulk.CANCELED)

    results = await _fan_out(ids, one)
    bulk.log_summary(session.log, results, entity, "canceled")
    return results


async def update(
    session: AsyncApiSession,
    entity: bulk.Entity,
    raw_ids: Sequence[str | None],
    body: dict[str, Any],
) -> dict[str, Result]:
    """Apply ``body`` (from ``bulk.update_body``) to every id; one result per id."""
    ids = bulk.planned_ids(session.log, entity, raw_ids, "updating")
    op = entity.ops()[0]

    async def one(request_id: str) -> Result:
        response = await session.call(op, request_id, body=body)
        return bulk.json_object(response, f"updating {entity.noun} {request_id}")

    results = await _fan_out(ids, one)
    bulk.log_summary(session.log, results, entity, "updated")
    return results


# -- search ----------------------------------------------------------------------------------


async def _search(
    host: AsyncHost,
    target: search.Target,
    op: ModuleType,
    result_type: type[R],
    filters: Mapping[str, Any],
    *,
    for_org: bool,
    page_size: int,
    threaded: bool,
    show_progress: bool,
) -> R:
    size = search.paging_options(page_size, threaded, show_progress)
    query = search.unscoped_query(target, filters, for_org=for_org)
    # The caller's ids cost a GET /user, sent only when the scope needs them (as the sync client).
    user = _Unscoped() if search.scoped_by_filters(filters) else await host._user_ids()
    body = search.scoped_body(target, query, filters, user, for_org=for_org)
    return await _fetch_all(
        host._session,
        op,
        body,
        target,
        size,
        result_type(body),
        threaded=threaded,
        show_progress=show_progress,
    )


async def _fetch_all(
    session: AsyncApiSession,
    op: ModuleType,
    body: dict[str, Any],
    target: search.Target,
    size: int,
    result: R,
    *,
    threaded: bool,
    show_progress: bool,
) -> R:
    """Fetch page 1, then pages 2..N (concurrently when ``threaded``); add them in page order."""
    log, entity = session.log, target.entity
    search.log_start(log, entity, body)

    async def fetch(number: int) -> dict[str, Any]:
        data = await session.call_json(op, body=body, page=number, limit=size)
        return search.checked_page(data, entity, number)

    first = await fetch(1)
    total = max(1, first["totalPages"])
    pages: dict[int, dict[str, Any]] = {1: first}
    search.log_page(log, entity, 1, total, first)

    progress = search.progress_bar(entity) if show_progress and total > 1 else None
    task = None
    if progress is not None:
        progress.start()
        task = progress.add_task(f"Fetching {entity.value}s...", total=total, completed=1)

    async def fetch_one(number: int) -> None:
        page = await fetch(number)
        pages[number] = page
        search.log_page(log, entity, number, total, page)
        if progress is not None and task is not None:
            progress.advance(task)

    try:
        remaining = range(2, total + 1)
        if threaded and len(remaining) > 1:
            await gather_bounded(
                [functools.partial(fetch_one, n) for n in remaining], search.MAX_CONCURRENCY
            )
        else:
            for number in remaining:
                await fetch_one(number)
    finally:
        if progress is not None:
            progress.stop()

    for number in sorted(pages):
        result.add(pages[number])
    result.log_summary(log=log)
    return result


async def search_tasking_requests(
    host: AsyncHost,
    *,
    for_org: bool = False,
    page_size: int = search.DEFAULT_PAGE_SIZE,
    threaded: bool = True,
    show_progress: bool = False,
    **filters: Unpack[TaskingRequestFilters],
) -> TaskingRequestSearchResult:
    """Search tasking requests (``POST /tasks/search``), all pages, in page order."""
    from capella_api.api.tasking import search_tasking_requests as op

    return await _search(
        host,
        search.TASKING_REQUESTS,
        op,
        TaskingRequestSearchResult,
        filters,
        for_org=for_org,
        page_size=page_size,
        threaded=threaded,
        show_progress=show_progress,
    )


async def search_repeat_requests(
    host: AsyncHost,
    *,
    for_org: bool = False,
    page_size: int = search.DEFAULT_PAGE_SIZE,
    threaded: bool = True,
    show_progress: bool = False,
    **filters: Unpack[RepeatRequestFilters],
) -> RepeatRequestSearchResult:
    """Search repeat requests (``POST /repeat-requests/search``), all pages, in page order."""
    from capella_api.api.repeat_requests import search_repeat_requests as op

    return await _search(
        host,
        search.REPEAT_REQUESTS,
        op,
        RepeatRequestSearchResult,
        filters,
        for_org=for_org,
        page_size=page_size,
        threaded=threaded,
        show_progress=show_progress,
    )


# -- the methods of AsyncCapellaConsoleClient ------------------------------------------------


class AsyncTaskingMethods:
    """The tasking and repeat request methods ``AsyncCapellaConsoleClient`` takes into its class."""

    create_tasking_request = _create_method(TASKING_REQUEST, "create_tasking_request")
    create_repeat_request = _create_method(REPEAT_REQUEST, "create_repeat_request")

    @staticmethod
    def is_task_completed(task: object) -> bool:
        """Return whether a tasking request (as ``get_task`` returns it) reached ``completed``.

        Not a coroutine: it reads the task it is given and sends nothing.
        """
        return read.is_task_completed(task)

    async def get_task(self: AsyncHost, tasking_request_id: str) -> dict[str, Any]:
        """Return the tasking request ``tasking_request_id`` (``GET /task/{id}``)."""
        return await get_task(self._session, tasking_request_id)

    async def get_collects_for_task(
        self: AsyncHost, tasking_request_id: str
    ) -> list[dict[str, Any]]:
        """Return the collects of a completed tasking request; raise ``TaskNotCompleteError``."""
        return await get_collects_for_task(self._session, tasking_request_id)

    async def search_tasking_requests(
        self: AsyncHost, **kwargs: Unpack[TaskingRequestSearchArgs]
    ) -> TaskingRequestSearchResult:
        """Search your tasking requests (or your organization's with ``for_org=True``).

        Filters and options as for ``CapellaConsoleClient.search_tasking_requests``; up to 8
        pages are in flight at once with ``threaded=True`` (the default).
        """
        return await search_tasking_requests(self, **kwargs)

    async def search_repeat_requests(
        self: AsyncHost, **kwargs: Unpack[RepeatRequestSearchArgs]
    ) -> RepeatRequestSearchResult:
        """Search your repeat requests (or your organization's with ``for_org=True``)."""
        return await search_repeat_requests(self, **kwargs)

    async def search_repeat_request(
        self: AsyncHost, **kwargs: Unpack[RepeatRequestSearchArgs]
    ) -> RepeatRequestSearchResult:
        """Alias of ``search_repeat_requests`` (the spelling of the reference SDK's examples)."""
        return await search_repeat_requests(self, **kwargs)

    async def cancel_tasking_requests(
        self: AsyncHost, *tasking_request_ids: str | None
    ) -> dict[str, Result]:
        """Cancel 1..N tasking requests; return ``{id: {"success": ...}}`` in the order given."""
        return await cancel(self._session, bulk.TASKING, tasking_request_ids)

    async def cancel_repeat_requests(
        self: AsyncHost, *repeat_request_ids: str | None
    ) -> dict[str, Result]:
        """Cancel 1..N repeat requests; return ``{id: {"success": ...}}`` in the order given."""
        return await cancel(self._session, bulk.REPEAT, repeat_request_ids)

    async def update_tasking_requests(
        self: AsyncHost,
        *tasking_request_ids: str | None,
        name: str | None = None,
        description: str | None = None,
        custom_attribute_1: str | None = None,
        custom_attribute_2: str | None = None,
        product_types: Sequence[ProductTypeLike] | None = None,
    ) -> dict[str, Result]:
        """Apply the same changes to 1..N tasking requests; results keyed by id, in order."""
        body = bulk.update_body(
            bulk.TASKING,
            name=name,
            description=description,
            custom_attribute_1=custom_attribute_1,
            custom_attribute_2=custom_attribute_2,
            product_types=product_types,
        )
        return await update(self._session, bulk.TASKING, tasking_request_ids, body)

    async def update_repeat_requests(
        self: AsyncHost,
        *repeat_request_ids: str | None,
        name: str | None = None,
        description: str | None = None,
        custom_attribute_1: str | None = None,
        custom_attribute_2: str | None = None,
        product_types: Sequence[ProductTypeLike] | None = None,
    ) -> dict[str, Result]:
        """Apply the same changes to 1..N repeat requests; results keyed by id, in order."""
        body = bulk.update_body(
            bulk.REPEAT,
            name=name,
            description=description,
            custom_attribute_1=custom_attribute_1,
            custom_attribute_2=custom_attribute_2,
            product_types=product_types,
        )
        return await update(self._session, bulk.REPEAT, repeat_request_ids, body)
