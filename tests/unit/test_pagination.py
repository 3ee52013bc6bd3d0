"""Catalog pagination against a fake catalog served through ``httpx.MockTransport``."""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from capella import CapellaConsoleClient
from capella.errors import CapellaConsoleClientError
from capella.pagination import PageRequest, next_page, plan_pages, rewrite_next_href

SEARCH_URL = "https://api.capellaspace.com/catalog/search"


class FakeCatalog:
    """Numbered items; ``page``/``limit`` from the query string win over the body (as the API)."""

    def __init__(
        self,
        total: int,
        *,
        next_host: str = "https://api.capellaspace.com",
        max_items: int = 10_000,
        count: Callable[[int], dict[str, Any]] | None = None,
        delay: Callable[[], float] | None = None,
    ) -> None:
        self.total = total
        self.next_host = next_host
        self.max_items = max_items
        self.count = count or (lambda n: {"numberMatched": n})
        self.delay = delay
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0

    def ids(self, start: int, stop: int) -> list[str]:
        return [f"I{i:05d}" for i in range(start, stop)]

    def features(self, start: int, stop: int) -> list[dict[str, Any]]:
        return [{"type": "Feature", "id": i, "properties": {}} for i in self.ids(start, stop)]

    def page_of(self, page: int, limit: int) -> dict[str, Any]:
        start = (page - 1) * limit
        stop = min(start + limit, self.total, self.max_items)
        links = []
        if stop < min(self.total, self.max_items):
            links.append(
                {"rel": "next", "href": f"{self.next_host}/catalog/search?page={page + 1}"}
            )
        return {
            "type": "FeatureCollection",
            "features": self.features(start, stop),
            **self.count(self.total),
            "links": links,
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        with self._lock:
            self.requests.append((str(request.url), body))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                time.sleep(self.delay())
            query = parse_qs(urlsplit(str(request.url)).query)
            page = int(query.get("page", [body.get("page", 1)])[0])
            limit = int(query.get("limit", [body.get("limit", 10)])[0])
            if (page - 1) * limit >= self.max_items or limit > 1000:
                return httpx.Response(
                    400, json={"error": {"message": "past 10000", "code": "VALIDATION_ERROR"}}
                )
            return httpx.Response(200, json=self.page_of(page, limit))
        finally:
            with self._lock:
                self.in_flight -= 1

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [body for _, body in self.requests]


def client_for(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> CapellaConsoleClient:
    return CapellaConsoleClient(
        api_key="k",
        no_token_check=True,
        transport=httpx.MockTransport(handler),
        max_retries=0,
        **kwargs,
    )


def expected_ids(n: int) -> list[str]:
    return [f"I{i:05d}" for i in range(n)]


# -- page planning --------------------------------------------------------------------------


def test_pages_keep_their_size_while_a_full_page_is_needed() -> None:
    assert plan_pages(2700, 900) == [PageRequest(1, 900), PageRequest(2, 900), PageRequest(3, 900)]


def test_the_last_page_shrinks_to_a_divisor_of_the_offset_that_covers_the_rest() -> None:
    # 9,999 items: eleven pages of 900, then items 9900..9998 as page 101 of 99
    assert plan_pages(9999, 900)[-1] == PageRequest(101, 99)
    assert plan_pages(10_000, 900)[-1] == PageRequest(100, 100)
    # 1,001 items: page 2 of 900 would fetch 799 extra; page 7 of 150 starts at 900
    assert plan_pages(1001, 900) == [PageRequest(1, 900), PageRequest(7, 150)]
    assert plan_pages(901, 900) == [PageRequest(1, 900), PageRequest(901, 1)]


def test_without_a_covering_divisor_the_rest_comes_in_smaller_pages() -> None:
    # 9,997 = 13 x 769: no divisor between 3 and 3 (the room left before 10,000) but 1
    assert next_page(9997, 13, 3) == PageRequest(9998, 1)
    assert plan_pages(3, 3) == [PageRequest(1, 3)]
    assert next_page(9000, 500, 997) == PageRequest(19, 500)  # full pages while needed
    assert next_page(10_000, 900, 5) is None


@pytest.mark.parametrize(
    "limit",
    [1, 2, 899, 900, 901, 1001, 1799, 1800, 1801, 5000, 8999, 9001, 9899, 9900, 9901, 9999, 10_000],
)
def test_plans_read_exactly_the_first_n_items_and_never_past_10000(limit: int) -> None:
    size = min(900, limit)
    pages = plan_pages(limit, size)
    positions: list[int] = []
    for request in pages:
        assert request.end <= 10_000 and 1 <= request.size <= 900
        positions.extend(range(request.start, request.end))
    assert positions[:limit] == list(range(limit))  # contiguous from 0: no gap, no overlap
    assert len(positions) - limit < size  # over-fetch less than one page
    assert pages[0] == PageRequest(1, size)


def test_every_limit_up_to_10000_is_planned_exactly() -> None:
    for limit in range(1, 10_001, 7):
        pages = plan_pages(limit, min(900, limit))
        starts = [p.start for p in pages]
        ends = [p.end for p in pages]
        assert starts[0] == 0 and all(s == e for s, e in zip(starts[1:], ends, strict=False))
        assert ends[-1] >= limit and ends[-1] <= 10_000


# -- next links -----------------------------------------------------------------------------


def test_a_next_link_on_another_host_is_rewritten_to_the_search_url() -> None:
    assert (
        rewrite_next_href("https://stac-backend.internal/prod/search?page=2", SEARCH_URL)
        == f"{SEARCH_URL}?page=2"
    )
    assert rewrite_next_href("next_href?page=2", SEARCH_URL) == f"{SEARCH_URL}?page=2"
    same = "https://api.capellaspace.com/catalog/search?page=3&limit=5"
    assert rewrite_next_href(same, SEARCH_URL) == same


def test_sequential_follows_next_links_with_the_page_in_the_body() -> None:
    catalog = FakeCatalog(3000, next_host="https://stac-backend.internal")
    result = client_for(catalog).search(limit=2700)
    assert result.stac_ids == expected_ids(2700)
    urls = [url for url, _ in catalog.requests]
    assert urls == [SEARCH_URL, f"{SEARCH_URL}?page=2", f"{SEARCH_URL}?page=3"]
    assert [b.get("page") for b in catalog.bodies] == [None, 2, 3]
    assert [b["limit"] for b in catalog.bodies] == [900, 900, 900]


def test_a_server_with_smaller_pages_is_paged_through_its_links() -> None:
    catalog = FakeCatalog(2000)
    original = catalog.page_of
    catalog.page_of = lambda page, limit: original(page, min(limit, 500))  # type: ignore[method-assign]
    result = client_for(catalog).search(limit=1200)
    assert result.stac_ids == expected_ids(1200)
    assert [url for url, _ in catalog.requests] == [SEARCH_URL] + [
        f"{SEARCH_URL}?page={n}" for n in (2, 3)
    ]


def test_the_first_request_has_no_page_and_the_request_body_keeps_the_limit() -> None:
    catalog = FakeCatalog(50)
    result = client_for(catalog).search(product_type="GEO", limit=20)
    assert catalog.bodies == [{"limit": 20, "query": {"sar:product_type": {"eq": "GEO"}}}]
    assert result.request_body == {"query": {"sar:product_type": {"eq": "GEO"}}, "limit": 20}
    assert result.stac_ids == expected_ids(20)


def test_sequential_stops_without_a_next_link() -> None:
    def one_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={"features": [{"id": "A"}, {"id": "B"}], "numberMatched": 100, "links": []},
        )

    assert client_for(one_page).search(limit=50).stac_ids == ["A", "B"]


def test_sequential_stops_at_number_matched() -> None:
    catalog = FakeCatalog(1000)
    # the catalog offers a next link forever, but reports 950 matches
    catalog.count = lambda n: {"numberMatched": 950}
    result = client_for(catalog).search(limit=5000)
    assert len(result) == 950
    assert len(catalog.requests) == 2


def test_stac_context_matched_is_read_when_number_matched_is_absent() -> None:
    catalog = FakeCatalog(1500, count=lambda n: {"context": {"matched": n}})
    assert client_for(catalog).search(limit=2000).stac_ids == expected_ids(1500)
    catalog = FakeCatalog(1500, count=lambda n: {"context": {"matched": n}})
    assert client_for(catalog).search(limit=2000, threaded=True).stac_ids == expected_ids(1500)


def test_without_any_match_count_pagination_follows_links() -> None:
    catalog = FakeCatalog(1500, count=lambda n: {})
    assert client_for(catalog).search(limit=2000).stac_ids == expected_ids(1500)
    catalog = FakeCatalog(1500, count=lambda n: {})
    assert client_for(catalog).search(limit=2000, threaded=True).stac_ids == expected_ids(1500)


def test_a_repeated_page_stops_the_search_instead_of_looping(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = []

    def stuck(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(
            200,
            json={
                "features": [{"id": "A"}, {"id": "B"}],
                "numberMatched": 10,
                "links": [{"rel": "next", "href": f"{SEARCH_URL}?page=2"}],
            },
        )

    with caplog.at_level(logging.WARNING, logger="capella"):
        result = client_for(stuck).search(limit=10)
    assert result.stac_ids == ["A", "B"]
    assert len(calls) == 2
    assert "repeats an earlier page" in caplog.text


def test_a_page_with_only_known_items_does_not_stop_a_progressing_search() -> None:
    catalog = FakeCatalog(5000)
    original = catalog.page_of

    def unstable(page: int, limit: int) -> dict[str, Any]:
        served = original(page, limit)
        if page == 2:  # the server's order shifted: page 2 repeats items of page 1 (not all)
            served["features"] = catalog.features(0, 899) + catalog.features(0, 1)
        return served

    catalog.page_of = unstable  # type: ignore[method-assign]
    result = client_for(catalog).search(limit=2700)
    assert len(result) == 2700 and len(set(result.stac_ids)) == 2700
    assert result.stac_ids[:900] == expected_ids(900)
    assert result.stac_ids[900:] == [f"I{i:05d}" for i in range(1800, 3600)]


def test_pages_that_never_bring_anything_new_end_the_search() -> None:
    known = [f"K{i}" for i in range(20)]
    calls = []

    def recycling(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        n = len(calls)
        # page 1 brings 20 items; every later page is a different subset of them
        ids = known if n == 1 else known[: n - 1] + known[n:]
        return httpx.Response(
            200,
            json={
                "features": [{"id": i} for i in ids],
                "numberMatched": 1000,
                "links": [{"rel": "next", "href": f"{SEARCH_URL}?page={n + 1}"}],
            },
        )

    result = client_for(recycling).search(limit=20, sortby="id")
    assert result.stac_ids == known
    result = client_for(recycling).search(limit=1000)
    assert len(calls) < 40


def test_an_empty_page_ends_the_search() -> None:
    def empty_then_link(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "features": [],
                "numberMatched": 10,
                "links": [{"rel": "next", "href": "x?page=2"}],
            },
        )

    assert len(client_for(empty_then_link).search(limit=10)) == 0


def test_a_failing_page_raises_the_typed_error() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400, json={"error": {"message": "bad query", "code": "VALIDATION_ERROR"}}
        )

    with pytest.raises(CapellaConsoleClientError, match="bad query"):
        client_for(broken).search()
    with pytest.raises(CapellaConsoleClientError, match="bad query"):
        client_for(broken).search(threaded=True)


def test_a_response_that_is_not_a_feature_collection_is_an_error() -> None:
    def odd(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[1, 2])

    with pytest.raises(CapellaConsoleClientError, match="FeatureCollection"):
        client_for(odd).search()


# -- exactly the first N, never past 10,000 --------------------------------------------------


@pytest.mark.parametrize("threaded", [False, True], ids=["sequential", "threaded"])
@pytest.mark.parametrize(
    "limit", [1, 899, 900, 901, 1001, 1800, 9899, 9900, 9901, 9999, 10_000, 12_000]
)
def test_exactly_the_first_n_items_with_more_than_10000_matches(limit: int, threaded: bool) -> None:
    catalog = FakeCatalog(12_000)
    result = client_for(catalog).search(limit=limit, threaded=threaded)
    n = min(limit, 10_000)
    assert result.stac_ids == expected_ids(n)
    assert len(set(result.stac_ids)) == n
    for url, body in catalog.requests:
        query = parse_qs(urlsplit(url).query)
        page = int(query.get("page", [body.get("page", 1)])[0])
        assert page * body["limit"] <= 10_000 or body["limit"] == 1  # never past item 10,000
    over_fetch = sum(b["limit"] for b in catalog.bodies if b.get("page") or not threaded) - n
    assert over_fetch < 900


def test_9999_items_take_twelve_requests_in_sequence() -> None:
    catalog = FakeCatalog(12_000)
    client_for(catalog).search(limit=9999)
    assert [b["limit"] for b in catalog.bodies] == [900] * 11 + [99]
    assert catalog.bodies[-1]["page"] == 101
    assert catalog.requests[-1][0] == SEARCH_URL  # a resized page is asked of the search URL


def test_limits_above_matches_return_all_matches() -> None:
    for threaded in (False, True):
        catalog = FakeCatalog(1234)
        assert client_for(catalog).search(limit=5000, threaded=threaded).stac_ids == expected_ids(
            1234
        )


# -- threaded -------------------------------------------------------------------------------


def test_threaded_probes_the_count_then_fetches_pages_in_parallel_in_page_order() -> None:
    rng = random.Random(4)
    catalog = FakeCatalog(12_000, delay=lambda: rng.uniform(0, 0.02))
    result = client_for(catalog).search(limit=9999, threaded=True, product_type="GEO")
    assert result.stac_ids == expected_ids(9999)
    probes = [b for b in catalog.bodies if "page" not in b]
    pages = [b for b in catalog.bodies if "page" in b]
    assert probes == [{"limit": 1, "query": {"sar:product_type": {"eq": "GEO"}}}]
    assert sorted((b["page"], b["limit"]) for b in pages) == [(p, 900) for p in range(1, 12)] + [
        (101, 99)
    ]
    assert all(url == SEARCH_URL for url, _ in catalog.requests)
    assert 1 < catalog.max_in_flight <= 9  # eight page workers, and the probe


def test_threaded_asks_for_page_one_while_probing() -> None:
    catalog = FakeCatalog(12_000, delay=lambda: 0.05)
    client_for(catalog).search(limit=2000, threaded=True)
    first_two = sorted(json.dumps(b, sort_keys=True) for b in catalog.bodies[:2])
    assert first_two == ['{"limit": 1}', '{"limit": 900, "page": 1}']


def test_threaded_with_no_match_asks_for_nothing_more() -> None:
    catalog = FakeCatalog(0)
    result = client_for(catalog).search(threaded=True)
    assert len(result) == 0
    assert sorted(b.get("page", 0) for b in catalog.bodies) == [0, 1]  # the probe and page 1


def test_a_failing_threaded_page_cancels_the_rest() -> None:
    catalog = FakeCatalog(12_000, delay=lambda: 0.01)
    original = catalog.__call__

    def failing(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content).get("page") == 2:
            return httpx.Response(503, json={"message": "Service Unavailable"})
        return original(request)

    with pytest.raises(CapellaConsoleClientError):
        client_for(failing).search(limit=10_000, threaded=True)
    assert len(catalog.requests) < 13


def test_threaded_drops_duplicates_across_pages() -> None:
    catalog = FakeCatalog(1800)
    original = catalog.page_of

    def overlapping(page: int, limit: int) -> dict[str, Any]:
        served = original(page, limit)
        if page == 2:  # shifted by one: the first item of page 2 is the last of page 1
            served["features"] = catalog.features(899, 1799)
        return served

    catalog.page_of = overlapping  # type: ignore[method-assign]
    result = client_for(catalog).search(limit=1800, threaded=True)
    assert result.stac_ids == expected_ids(1799)


# -- logging --------------------------------------------------------------------------------


def test_search_logs_the_payload_and_a_summary_at_info(caplog: pytest.LogCaptureFixture) -> None:
    catalog = FakeCatalog(30)
    with caplog.at_level(logging.INFO, logger="capella"):
        client_for(catalog).search(product_type="GEO", limit=10)
    messages = [r.getMessage() for r in caplog.records if r.name == "capella"]
    assert (
        'searching catalog with payload {"limit": 10, "query": {"sar:product_type": {"eq": "GEO"}}}'
        in messages
    )
    assert "found 10 STAC items" in messages


def test_the_payload_is_not_serialised_when_info_is_off(caplog: pytest.LogCaptureFixture) -> None:
    from capella import query

    calls = []
    original = query.LazyJson.__str__

    def counting(self: query.LazyJson) -> str:
        calls.append(1)
        return original(self)

    catalog = FakeCatalog(3)
    with caplog.at_level(logging.WARNING, logger="capella"), pytest.MonkeyPatch.context() as mp:
        mp.setattr(query.LazyJson, "__str__", counting)
        client_for(catalog).search()
    assert calls == []
