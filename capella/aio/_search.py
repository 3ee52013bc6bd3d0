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
from capella.errors import CapellaConsoleClientError
from capella.pagination import (
    MAX_STALE_PAGES,
    MAX_WORKERS,
    next_href,
    next_page,
    number_matched,
    plan_pages,
    rewrite_next_href,
    search_operation,
)
from capella.query import MAX_PAGE_SIZE, CatalogQuery, LazyJson
from capella.results import StacSearchResult

Fetch = Callable[..., Awaitable[dict[str, Any]]]


async def fetch_page(
    session: AsyncApiSession, body: dict[str, Any], url: str | None = None
) -> dict[str, Any]:
    """POST one catalog search page (to ``url``, a next link, if given); return the page."""
    page = await session.call_json(search_operation(), body=body, url=url)
    if not isinstance(page, dict) or not isinstance(page.get("features", []), list):
        raise CapellaConsoleClientError("catalog search did not return a FeatureCollection")
    return page


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
    limit = query.limit
    size = min(MAX_PAGE_SIZE, limit)
    result = StacSearchResult(request_body=query.body)
    seen_pages: set[frozenset[str]] = set()

    page = await fetch(session, {**query.body, "limit": size})
    offset, page_count = size, 1
    # A page shorter than asked for, with a next link, means the server pages with a smaller
    # size than ours: positions are then unknown, so only its links are followed.
    links_only = False
    stale = 0
    matched = number_matched(page)
    _log_matched(session, matched, limit)
    while True:
        ids = frozenset(str(f.get("id")) for f in page.get("features") or [])
        if ids and ids in seen_pages:
            session.log.warning(
                "catalog page %d repeats an earlier page; stopping at %d items",
                page_count,
                len(result),
            )
            break
        seen_pages.add(ids)
        stale = 0 if result.add(page) else stale + 1
        if stale >= MAX_STALE_PAGES:
            session.log.warning(
                "%d catalog pages in a row brought no new item; stopping at %d items",
                stale,
                len(result),
            )
            break

        target = limit if matched is None else min(limit, matched)
        href = next_href(page)
        if len(result) >= target or not ids or href is None:
            break
        links_only = links_only or len(page.get("features") or []) < size
        page_count += 1
        if links_only:
            body = {**query.body, "limit": size, "page": page_count}
            page = await fetch(session, body, rewrite_next_href(href, session.search_url))
            continue
        request = next_page(offset, size, target - len(result))
        if request is None:  # the next item is past position 10,000
            break
        session.log.info("\tpage %d (%d - %d)", page_count, request.start, request.end)
        body = {**query.body, "limit": request.size, "page": request.page}
        if request.size == size and request.page == page_count:
            # the page the API's next link points to: follow it, as the reference SDK does
            page = await fetch(session, body, rewrite_next_href(href, session.search_url))
        else:  # a resized last page: ask the search URL for exactly that page
            page = await fetch(session, body)
        offset, size = request.end, request.size
        refreshed = number_matched(page)
        matched = matched if refreshed is None else refreshed
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
        _log_threaded(session, matched, limit, len(pages))
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


def _log_threaded(session: AsyncApiSession, matched: int, limit: int, pages: int) -> None:
    session.log.info(
        "matched a total of %d STAC item%s - fetching in %d parallel request%s - "
        "returning up to %d",
        matched,
        "s" if matched != 1 else "",
        pages,
        "s" if pages != 1 else "",
        min(matched, limit),
    )


def _log_matched(session: AsyncApiSession, matched: int | None, limit: int) -> None:
    if matched is None:
        return
    returning = min(limit, matched)
    session.log.info(
        "matched a total of %d STAC item%s - returning up to %d item%s",
        matched,
        "s" if matched != 1 else "",
        returning,
        "s" if returning != 1 else "",
    )
