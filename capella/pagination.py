"""Catalog pagination: sequential (following ``next`` links) or threaded (pages in parallel).

The catalog pages by number: page ``p`` of size ``s`` holds the items at positions
``(p-1)*s .. p*s-1``, and nothing past position 10,000 can be read. Both modes return exactly
the first N items: when a full page would cross 10,000, the last request uses a page size that
divides the offset already read (so the page starts exactly there) and covers what is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Unpack
from urllib.parse import urlsplit

import attrs

from capella._config import SEARCH_WORKERS as MAX_WORKERS
from capella._flow import Call, Context, Done, Flow, Next, Start, call
from capella._ops import Op
from capella.errors import CapellaConsoleClientError
from capella.filters import CatalogFilters
from capella.query import MAX_ITEMS, MAX_PAGE_SIZE, CatalogQuery, LazyJson, build_query
from capella.results import StacSearchResult

if TYPE_CHECKING:
    from capella._logging import ClientLog

# Consecutive pages that bring nothing new (but are not repeats) before giving up on a search.
MAX_STALE_PAGES = 10


@attrs.frozen
class PageRequest:
    """One page to ask for: ``page`` (1-based) of ``size`` items."""

    page: int
    size: int

    @property
    def start(self) -> int:
        """Position of the page's first item."""
        return (self.page - 1) * self.size

    @property
    def end(self) -> int:
        """Position after the page's last item."""
        return self.page * self.size


def next_page(
    offset: int, size: int, need: int, max_size: int = MAX_PAGE_SIZE
) -> PageRequest | None:
    """The page that continues at ``offset`` to fetch ``need`` more items, or None (at 10,000).

    Pages keep ``size`` while a full page fits before 10,000 and is needed in full. Otherwise
    the size becomes the smallest divisor of ``offset`` that covers what is missing without
    crossing 10,000 (one exact request); when there is none, the largest divisor that fits (a
    few smaller pages). ``size`` must divide ``offset``.
    """
    cap = min(max_size, MAX_ITEMS - offset)
    if cap <= 0 or need <= 0:
        return None
    if offset == 0:
        return PageRequest(1, min(size, cap))
    if size <= cap and need >= size:
        return PageRequest(offset // size + 1, size)
    want = min(need, cap)
    divisors = [d for d in range(1, cap + 1) if offset % d == 0]
    covering = [d for d in divisors if d >= want]
    chosen = covering[0] if covering else divisors[-1]
    return PageRequest(offset // chosen + 1, chosen)


def plan_pages(total: int, size: int) -> list[PageRequest]:
    """The pages that read exactly the first ``total`` items (at most 10,000)."""
    pages: list[PageRequest] = []
    offset = 0
    while offset < total:
        request = next_page(offset, size, total - offset)
        if request is None:
            break
        pages.append(request)
        offset, size = request.end, request.size
    return pages


def number_matched(page: dict[str, Any]) -> int | None:
    """The total match count: ``numberMatched``, else STAC ``context.matched``."""
    matched = page.get("numberMatched")
    if isinstance(matched, int):
        return matched
    context = page.get("context")
    if isinstance(context, dict) and isinstance(context.get("matched"), int):
        return int(context["matched"])
    return None


def next_href(page: dict[str, Any]) -> str | None:
    """The href of the page's first ``next`` link, if any."""
    for link in page.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
            return str(link["href"])
    return None


def rewrite_next_href(href: str, search_url: str) -> str:
    """Point a next link at ``search_url`` when its host differs (the API reports its backend)."""
    parts = urlsplit(href)
    if parts.netloc == urlsplit(search_url).netloc:
        return href
    return f"{search_url}?{parts.query}"


def checked_page(page: Any) -> dict[str, Any]:
    """``page`` if it is a FeatureCollection-like object; a typed error otherwise."""
    if not isinstance(page, dict) or not isinstance(page.get("features", []), list):
        raise CapellaConsoleClientError("catalog search did not return a FeatureCollection")
    return page


def page_call(body: dict[str, Any], url: str | None = None) -> Call:
    """POST one catalog search page (to ``url``, a next link, if given)."""
    return call(Op.SEARCH_CATALOG, body=body, url=url)


def search_catalog(ctx: Context, **filters: Unpack[CatalogFilters]) -> Flow[StacSearchResult]:
    """Search the STAC catalog and return the matching items (up to ``limit``, default 500).

    Filters are ``field=value`` or ``field__op=value`` with op in eq, in, gt, gte, lt, lte
    (a list value means ``in``); ``bbox``, ``intersects``, ``collections``, ``ids`` and
    ``limit`` (at most 10,000) go to the body root; ``sortby`` takes ``"-datetime"`` or a
    list such as ``["-datetime", "+id"]``; ``ownership`` one of ``OwnershipOption``;
    ``threaded=True`` fetches the pages in parallel. Every field and operator is listed in
    ``capella.filters.CatalogFilters``. An unknown field, operator or value raises
    ``InvalidFilterError`` before any request. For example
    ``client.search(product_type="GEO", look_angle__gt=35, sortby="-datetime", limit=10)``.
    """
    return (yield from search(ctx, build_query(filters, warn=ctx.log.warning)))


def search(ctx: Context, query: CatalogQuery) -> Flow[StacSearchResult]:
    """Run a catalog search and return the first ``query.limit`` items."""
    ctx.log.info("searching catalog with payload %s", LazyJson(query.body))
    pages = threaded_pages if query.threaded else sequential_pages
    result = yield from pages(ctx, query)
    result._truncate(query.limit)  # pages may hold more than the limit (the last one is full)
    result.log_summary(log=ctx.log)
    return result


def sequential_pages(ctx: Context, query: CatalogQuery) -> Flow[StacSearchResult]:
    """Fetch page after page, following ``next`` links, up to the limit."""
    log, limit = ctx.log, query.limit
    size = min(MAX_PAGE_SIZE, limit)
    result = StacSearchResult(request_body=query.body)
    result.gc_pause = ctx.gc_pause
    seen_pages: set[frozenset[str]] = set()

    page = checked_page((yield page_call({**query.body, "limit": size})))
    offset, page_count = size, 1
    # A page shorter than asked for, with a next link, means the server pages with a smaller
    # size than ours: positions are then unknown, so only its links are followed.
    links_only = False
    stale = 0
    matched = number_matched(page)
    _log_matched(log, matched, limit)
    while True:
        ids = frozenset(str(f.get("id")) for f in page.get("features") or [])
        if ids and ids in seen_pages:
            log.warning(
                "catalog page %d repeats an earlier page; stopping at %d items",
                page_count,
                len(result),
            )
            break
        seen_pages.add(ids)
        stale = 0 if result.add(page) else stale + 1
        if stale >= MAX_STALE_PAGES:
            log.warning(
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
            page = checked_page((yield page_call(body, rewrite_next_href(href, ctx.search_url))))
            continue
        request = next_page(offset, size, target - len(result))
        if request is None:  # the next item is past position 10,000
            break
        log.info("\tpage %d (%d - %d)", page_count, request.start, request.end)
        body = {**query.body, "limit": request.size, "page": request.page}
        # The page the API's next link points to is asked for by that link, as the reference
        # SDK does; a resized last page is asked of the search URL.
        following = request.size == size and request.page == page_count
        url = rewrite_next_href(href, ctx.search_url) if following else None
        page = checked_page((yield page_call(body, url)))
        offset, size = request.end, request.size
        refreshed = number_matched(page)
        matched = matched if refreshed is None else refreshed
    return result


def threaded_pages(ctx: Context, query: CatalogQuery) -> Flow[StacSearchResult]:
    """Probe the match count, then fetch every page in parallel; results in page order."""
    limit = query.limit
    size = min(MAX_PAGE_SIZE, limit)
    result = StacSearchResult(request_body=query.body)
    result.gc_pause = ctx.gc_pause
    # Page 1 is needed whenever anything matches: it is asked for while the count is probed,
    # so that the server works on it during the probe's round trip.
    first: list[int] = yield Start(
        (page_call({**query.body, "limit": size, "page": 1}),), MAX_WORKERS
    )
    matched = number_matched(checked_page((yield page_call({**query.body, "limit": 1}))))
    if matched is None:
        (yield Next(frozenset(first))).result()
        ctx.log.info("catalog did not report a match count; paging sequentially")
        return (yield from sequential_pages(ctx, query))
    pages = plan_pages(min(matched, limit), size)
    log_threaded(ctx.log, matched, limit, len(pages))
    rest: list[int] = yield Start(
        tuple(page_call({**query.body, "limit": p.size, "page": p.page}) for p in pages[1:]),
        MAX_WORKERS,
    )
    wanted = [*first, *rest][: len(pages)]
    got: dict[int, dict[str, Any]] = {}
    while len(got) < len(wanted):
        done: Done = yield Next(frozenset(wanted) - got.keys())
        got[done.handle] = checked_page(done.result())  # the first failure ends the search
    for handle in wanted:
        result.add(got.pop(handle))
    return result


def log_threaded(log: ClientLog, matched: int, limit: int, pages: int) -> None:
    """Say how many items matched and how many pages are fetched at once."""
    log.info(
        "matched a total of %d STAC item%s - fetching in %d parallel request%s - "
        "returning up to %d",
        matched,
        "s" if matched != 1 else "",
        pages,
        "s" if pages != 1 else "",
        min(matched, limit),
    )


def _log_matched(log: ClientLog, matched: int | None, limit: int) -> None:
    if matched is None:
        return
    returning = min(limit, matched)
    log.info(
        "matched a total of %d STAC item%s - returning up to %d item%s",
        matched,
        "s" if matched != 1 else "",
        returning,
        "s" if returning != 1 else "",
    )
