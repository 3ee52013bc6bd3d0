"""Catalog pagination on asyncio: the plan of :mod:`capella.pagination`, pages awaited.

Which page to ask for next (``next_page``, ``plan_pages``), what a page says
(``number_matched``, ``next_href``) and where a link points (``rewrite_next_href``) are the sync
module's functions; both modes return exactly the first N items, as the sync client does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from capella.aio._http import AsyncApiSession
from capella.aio._tasks import cancel_all
from capella.pagination import (
    MAX_WORKERS,
    checked_page,
    log_threaded,
    number_matched,
    plan_pages,
    search_operation,
    sequential_requests,
)
from capella.query import MAX_PAGE_SIZE, CatalogQuery, LazyJson
from capella.results import StacSearchResult

Fetch = Callable[..., Awaitable[dict[str, Any]]]


async def fetch_page(
    session: AsyncApiSession, body: dict[str, Any], url: str | None = None
) -> dict[str, Any]:
    """POST one catalog search page (to ``url``, a next link, if given); return the page."""
    return checked_page(await session.call_json(search_operation(), body=body, url=url))


async def search(session: AsyncApiSession, query: CatalogQuery) -> StacSearchResult:
    """Run a catalog search and return the first ``query.limit`` items."""
    session.log.info("searching catalog with payload %s", LazyJson(query.body))
    fetch_all = fetch_threaded if query.threaded else fetch_sequential
    result = await fetch_all(session, query)
    result._truncate(query.limit)  # pages may hold more than the limit (the last one is full)
    result.log_summary(log=session.log)
    return result


async def fetch_sequential(
    session: AsyncApiSession, query: CatalogQuery, fetch: Fetch = fetch_page
) -> StacSearchResult:
    """Fetch page after page, following ``next`` links, up to the limit."""
    # The sync search's decisions (sequential_requests); only the fetching is awaited here.
    requests = sequential_requests(session.log, session.search_url, query)
    try:
        body, url = next(requests)
        while True:
            body, url = requests.send(await fetch(session, body, url))
    except StopIteration as done:
        result: StacSearchResult = done.value
        return result


async def fetch_threaded(
    session: AsyncApiSession, query: CatalogQuery, fetch: Fetch = fetch_page
) -> StacSearchResult:
    """Probe the match count, then fetch every page concurrently; results in page order."""
    limit = query.limit
    size = min(MAX_PAGE_SIZE, limit)
    result = StacSearchResult(request_body=query.body)
    slots = asyncio.Semaphore(MAX_WORKERS)

    async def bounded(body: dict[str, Any]) -> dict[str, Any]:
        async with slots:
            return await fetch(session, body)

    # Page 1 is needed whenever anything matches: it is asked for while the count is probed,
    # so that the server works on it during the probe's round trip.
    tasks = [asyncio.ensure_future(bounded({**query.body, "limit": size, "page": 1}))]
    try:
        matched = number_matched(await fetch(session, {**query.body, "limit": 1}))
        if matched is None:
            await tasks[0]
            session.log.info("catalog did not report a match count; paging sequentially")
            return await fetch_sequential(session, query, fetch)
        pages = plan_pages(min(matched, limit), size)
        log_threaded(session.log, matched, limit, len(pages))
        tasks += [
            asyncio.ensure_future(bounded({**query.body, "limit": p.size, "page": p.page}))
            for p in pages[1:]
        ]
        for task in tasks[: len(pages)]:
            result.add(await task)
    finally:
        # Nothing outlives the search: a failure (or nothing matching) cancels what is left,
        # and failures of pages nobody awaited any more are collected, not reported as lost.
        await cancel_all(tasks)
    return result
