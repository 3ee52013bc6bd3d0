"""Tasking and repeat request search: query bodies, scoping, validation, paging and order."""

from __future__ import annotations

import json
import math
import threading
import time
import typing
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from capella import CapellaConsoleClient
from capella.enumerations import CollectionType, RepeatCycle, TaskingRequestStatus
from capella.errors import CapellaConsoleClientError, InvalidFilterError, InvalidInputError
from capella.results import RepeatRequestSearchResult, TaskingRequestSearchResult
from capella.tasking.search import (
    REPEAT_REQUEST_FIELDS,
    TASKING_REQUEST_FIELDS,
    filter_keywords,
)
from capella.tasking.types import (
    RepeatRequestFilters,
    RepeatRequestSearchArgs,
    TaskingRequestFilters,
    TaskingRequestSearchArgs,
)

USER = {"id": "u-1", "organizationId": "o-1", "email": "someone@example.com"}
TR_ID = "27a71826-7819-48cc-b8f2-0ad10bee0f97"
RR_ID = "37a71826-7819-48cc-b8f2-0ad10bee0f97"


class SearchApi:
    """Serves ``total`` numbered requests in pages; records bodies and concurrency."""

    def __init__(self, total: int = 3, *, reverse_delay: float = 0.0) -> None:
        self.total = total
        self.reverse_delay = reverse_delay  # later pages answer sooner
        self.requests: list[httpx.Request] = []
        self.user_calls = 0
        self._lock = threading.Lock()
        self._in_flight = 0
        self.max_in_flight = 0
        self.fail_page: int | None = None
        self.malformed = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/user":
            self.user_calls += 1
            return httpx.Response(200, json=USER)
        with self._lock:
            self.requests.append(request)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            return self._page(request)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _page(self, request: httpx.Request) -> httpx.Response:
        page, limit = int(request.url.params["page"]), int(request.url.params["limit"])
        pages = max(1, math.ceil(self.total / limit))
        if self.reverse_delay:
            time.sleep((pages - page) * self.reverse_delay)
        if page == self.fail_page:
            return httpx.Response(400, json={"error": {"code": "BAD_PAGE", "message": "no"}})
        if self.malformed:
            return httpx.Response(200, json={"items": []})
        key = "repeatrequestId" if "repeat" in request.url.path else "taskingrequestId"
        numbers = range((page - 1) * limit, min(page * limit, self.total))
        results = [{"type": "Feature", "properties": {key: str(n)}} for n in numbers]
        return httpx.Response(
            200, json={"results": results, "currentPage": page, "totalPages": pages}
        )

    @property
    def body(self) -> Any:
        return json.loads(self.requests[0].content)

    @property
    def query(self) -> Any:
        return self.body["query"]


@pytest.fixture
def api() -> SearchApi:
    return SearchApi()


@pytest.fixture
def client(api: SearchApi) -> Iterator[CapellaConsoleClient]:
    with CapellaConsoleClient(
        api_key="test-api-key", no_token_check=True, transport=httpx.MockTransport(api)
    ) as c:
        yield c


# -- body and scope --------------------------------------------------------------------------


def test_default_search_is_scoped_to_the_user_and_excludes_repeating_tasks(
    client: CapellaConsoleClient, api: SearchApi
) -> None:
    result = client.search_tasking_requests()
    request = api.requests[0]
    assert request.method == "POST"
    assert request.url.path == "/tasks/search"
    assert dict(request.url.params) == {"page": "1", "limit": "250"}
    assert api.body == {"query": {"includeRepeatingTasks": {"eq": False}, "userId": "u-1"}}
    assert api.user_calls == 1
    assert isinstance(result, TaskingRequestSearchResult)
    assert result.request_body == api.body
    assert result.tasking_request_ids == ["0", "1", "2"]


def test_user_info_is_fetched_once_per_client(client: CapellaConsoleClient, api: SearchApi) -> None:
    client.search_tasking_requests()
    client.search_tasking_requests(for_org=True)
    client.search_repeat_requests()
    assert api.user_calls == 1


def test_for_org_scopes_to_the_organization(client: CapellaConsoleClient, api: SearchApi) -> None:
    client.search_tasking_requests(for_org=True, status="completed")
    assert api.query == {
        "includeRepeatingTasks": {"eq": False},
        "lastStatusCode": {"eq": "completed"},
        "organizationIds": ["o-1"],
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"org_id": "o-2"}, {"organizationIds": {"eq": "o-2"}}),
        ({"org_id": "o-2", "for_org": True}, {"organizationIds": {"eq": "o-2"}}),
        ({"user_id": "u-2"}, {"userId": {"eq": "u-2"}}),
        ({"user_id": ["u-2", "u-3"]}, {"userId": ["u-2", "u-3"]}),
        ({"org_id__in": ["o-2"]}, {"organizationIds": ["o-2"]}),
    ],
)
def test_org_id_or_user_id_replaces_the_default_scope(
    client: CapellaConsoleClient, api: SearchApi, filters: dict[str, Any], expected: dict[str, Any]
) -> None:
    client.search_tasking_requests(**filters)
    assert api.query == {"includeRepeatingTasks": {"eq": False}, **expected}
    assert api.user_calls == 0


DT = datetime(2022, 12, 1)
DT_SENT = "2022-12-01T00:00:00.000Z"

TR_FILTERS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"status": "completed"}, {"lastStatusCode": {"eq": "completed"}}),
    ({"status__eq": "COMPLETED"}, {"lastStatusCode": {"eq": "completed"}}),
    ({"status": TaskingRequestStatus.accepted}, {"lastStatusCode": {"eq": "accepted"}}),
    (
        {"status": ["accepted", "review", "submitted"]},
        {"lastStatusCode": ["accepted", "review", "submitted"]},
    ),
    ({"status__in": ("accepted", "accepted")}, {"lastStatusCode": ["accepted"]}),
    ({"status__in": "accepted"}, {"lastStatusCode": ["accepted"]}),
    ({"collection_type": "spotlight_ultra"}, {"collectionType": {"eq": "spotlight_ultra"}}),
    (
        {"collection_type": [CollectionType.SPOTLIGHT, "spotlight_ultra"]},
        {"collectionType": ["spotlight", "spotlight_ultra"]},
    ),
    ({"collection_tier": "priority"}, {"collectionTier": {"eq": "priority"}}),
    ({"instrument_mode": "spotlight"}, {"type": {"eq": "spotlight"}}),
    ({"tasking_request_id": TR_ID}, {"taskingrequestIds": {"eq": TR_ID}}),
    ({"tasking_request_id": [TR_ID, TR_ID, None]}, {"taskingrequestIds": [TR_ID]}),
    ({"submission_time__gt": DT}, {"submissionTime": {"gt": DT_SENT}}),
    ({"submission_time__gte": "2022-12-1"}, {"submissionTime": {"gte": DT_SENT}}),
    ({"last_status_time__lt": date(2022, 12, 1)}, {"lastStatusTime": {"lt": DT_SENT}}),
    (
        {"last_status_time__lte": datetime(2022, 12, 1, 1, tzinfo=timezone(timedelta(hours=1)))},
        {"lastStatusTime": {"lte": DT_SENT}},
    ),
    ({"window_open": "2022-12-01T00:00:00Z"}, {"windowOpen": {"eq": DT_SENT}}),
    (
        {
            "window_open__gt": datetime(2025, 12, 1),
            "window_open__lt": datetime(2026, 12, 1, tzinfo=UTC),
        },
        {
            "windowOpen": {
                "gt": "2025-12-01T00:00:00.000Z",
                "lt": "2026-12-01T00:00:00.000Z",
            }
        },
    ),
    ({"window_close__lte": "2026-01-01"}, {"windowClose": {"lte": "2026-01-01T00:00:00.000Z"}}),
]


@pytest.mark.parametrize(("filters", "expected"), TR_FILTERS)
def test_tasking_request_filters(
    client: CapellaConsoleClient, api: SearchApi, filters: dict[str, Any], expected: dict[str, Any]
) -> None:
    client.search_tasking_requests(**filters)
    assert api.query == {"includeRepeatingTasks": {"eq": False}, **expected, "userId": "u-1"}


def test_seed_subset_of_supported_filters(client: CapellaConsoleClient, api: SearchApi) -> None:
    client.search_tasking_requests(
        status="completed",
        window_open__gt=datetime(2025, 12, 1),
        window_open__lt=datetime(2026, 12, 1),
        collection_type=["spotlight", "spotlight_ultra"],
        collection_tier="priority",
    )
    assert api.query == {
        "includeRepeatingTasks": {"eq": False},
        "lastStatusCode": {"eq": "completed"},
        "windowOpen": {"gt": "2025-12-01T00:00:00.000Z", "lt": "2026-12-01T00:00:00.000Z"},
        "collectionType": ["spotlight", "spotlight_ultra"],
        "collectionTier": {"eq": "priority"},
        "userId": "u-1",
    }


RR_FILTERS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"repeat_request_id": RR_ID}, {"repeatrequestIds": {"eq": RR_ID}}),
    ({"repeat_request_id__in": [RR_ID]}, {"repeatrequestIds": [RR_ID]}),
    ({"collection_tier": "routine"}, {"collectionTier": {"eq": "routine"}}),
    (
        {"collection_tier": ["insar", "insar internal"]},
        {"collectionTier": ["insar", "insar-internal"]},
    ),
    (
        {"repetition_interval": RepeatCycle.WEEKLY},
        {"repetitionProperties.repetitionInterval": {"eq": 7}},
    ),
    (
        {"repetition_interval__gte": 7},
        {"repetitionProperties.repetitionInterval": {"gte": 7}},
    ),
    (
        {"repeat_start__lt": "2025-10-01", "repeat_start__gt": "2025-06-01"},
        {
            "repetitionProperties.repeatStart": {
                "lt": "2025-10-01T00:00:00.000Z",
                "gt": "2025-06-01T00:00:00.000Z",
            }
        },
    ),
    ({"repeat_end__lte": DT}, {"repetitionProperties.repeatEnd": {"lte": DT_SENT}}),
    ({"status": "active"}, {"lastStatusCode": {"eq": "active"}}),
    ({"submission_time__gt": "2022-12-1"}, {"submissionTime": {"gt": DT_SENT}}),
]


@pytest.mark.parametrize(("filters", "expected"), RR_FILTERS)
def test_repeat_request_filters(
    client: CapellaConsoleClient, api: SearchApi, filters: dict[str, Any], expected: dict[str, Any]
) -> None:
    result = client.search_repeat_requests(**filters)
    assert api.requests[0].url.path == "/repeat-requests/search"
    assert api.body == {"filter": {**expected, "userId": "u-1"}}
    assert isinstance(result, RepeatRequestSearchResult)
    assert result.repeat_request_ids == ["0", "1", "2"]


def test_search_repeat_request_is_an_alias(client: CapellaConsoleClient, api: SearchApi) -> None:
    result = client.search_repeat_request(repeat_request_id=RR_ID)
    assert api.body == {"filter": {"repeatrequestIds": {"eq": RR_ID}, "userId": "u-1"}}
    assert result[0]["properties"]["repeatrequestId"] == "0"


# -- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "match"),
    [
        ({"status": "complete"}, "'completed'"),
        ({"status": ["completed", "done"]}, "status"),
        ({"collection_type": "spotlite"}, "'spotlight'"),
        ({"collection_tier": "routine"}, "'urgent'"),  # a repeat tier
        ({"instrument_mode": "scan"}, "'stripmap'"),
        ({"tasking_request_id": "abc"}, "UUID"),
        ({"status": []}, "empty"),
        ({"window_open__gt": ["2025-01-01"]}, "one value"),
        ({"window_open": "not a date"}, "window_open"),
        ({"user_id": ""}, "user_id"),
        ({"status": "completed", "status__in": ["active"]}, "status"),
    ],
)
def test_invalid_values_raise_before_any_request(
    client: CapellaConsoleClient, api: SearchApi, filters: dict[str, Any], match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        client.search_tasking_requests(**filters)
    assert api.requests == []
    assert api.user_calls == 0


def test_repeat_tiers_are_checked_against_the_repeat_enum(
    client: CapellaConsoleClient, api: SearchApi
) -> None:
    with pytest.raises(InvalidInputError, match="'routine'"):
        client.search_repeat_requests(collection_tier="urgent")  # type: ignore[arg-type]
    assert api.requests == []


@pytest.mark.parametrize(
    ("filters", "match"),
    [
        ({"statuz": "completed"}, "unknown filter 'statuz': did you mean 'status'?"),
        ({"window_open__after": "2025-01-01"}, "'after' does not apply"),
        ({"status__gt": "completed"}, "does not apply to status"),
        ({"status__inn": "completed"}, "did you mean 'in'?"),
        ({"repeat_start": "2025-01-01"}, "repeat_start"),  # a repeat request filter
    ],
)
def test_unknown_filters_and_operators_raise_the_catalogs_filter_error(
    client: CapellaConsoleClient, api: SearchApi, filters: dict[str, Any], match: str
) -> None:
    with pytest.raises(InvalidFilterError, match=match):
        client.search_tasking_requests(**filters)
    assert api.requests == []


@pytest.mark.parametrize("page_size", [0, 100, 249, 501, 1000, "300", True, 300.0])
def test_page_size_outside_250_to_500_is_refused(
    client: CapellaConsoleClient, api: SearchApi, page_size: Any
) -> None:
    with pytest.raises(InvalidInputError, match="page_size"):
        client.search_tasking_requests(page_size=page_size)
    assert api.requests == []
    assert api.user_calls == 0


@pytest.mark.parametrize("page_size", [250, 400, 500])
def test_page_size_is_sent_as_limit(
    client: CapellaConsoleClient, api: SearchApi, page_size: int
) -> None:
    client.search_tasking_requests(page_size=page_size)
    assert api.requests[0].url.params["limit"] == str(page_size)


def test_search_typed_dicts_match_the_filter_tables() -> None:
    options = {"for_org", "page_size", "threaded", "show_progress"}
    tr = set(typing.get_type_hints(TaskingRequestFilters))
    rr = set(typing.get_type_hints(RepeatRequestFilters))
    assert tr == filter_keywords(TASKING_REQUEST_FIELDS)
    assert rr == filter_keywords(REPEAT_REQUEST_FIELDS)
    assert set(typing.get_type_hints(TaskingRequestSearchArgs)) == tr | options
    assert set(typing.get_type_hints(RepeatRequestSearchArgs)) == rr | options


# -- paging -----------------------------------------------------------------------------------


@pytest.mark.parametrize("threaded", [True, False])
@pytest.mark.parametrize("show_progress", [True, False])
def test_all_pages_are_fetched_and_kept_in_page_order(
    threaded: bool, show_progress: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    api = SearchApi(total=1000 * 5 // 4 + 7, reverse_delay=0.01)  # 6 pages of 250
    with CapellaConsoleClient(
        api_key="test-api-key", no_token_check=True, transport=httpx.MockTransport(api)
    ) as client:
        result = client.search_tasking_requests(threaded=threaded, show_progress=show_progress)
    assert result.tasking_request_ids == [str(n) for n in range(api.total)]
    assert sorted(int(r.url.params["page"]) for r in api.requests) == [1, 2, 3, 4, 5, 6]
    assert all(r.url.params["limit"] == "250" for r in api.requests)
    assert [len(p["results"]) for p in result._pages] == [250, 250, 250, 250, 250, 7]
    if threaded:
        assert api.max_in_flight > 1
    else:
        assert api.max_in_flight == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert ("Fetching tasking requests" in captured.err) is show_progress


def test_parallel_page_requests_are_bounded_to_eight() -> None:
    api = SearchApi(total=250 * 20, reverse_delay=0.002)
    with CapellaConsoleClient(
        api_key="test-api-key", no_token_check=True, transport=httpx.MockTransport(api)
    ) as client:
        result = client.search_tasking_requests()
    assert len(result) == 250 * 20
    assert 1 < api.max_in_flight <= 8


def test_one_page_means_one_request(client: CapellaConsoleClient, api: SearchApi) -> None:
    result = client.search_tasking_requests(show_progress=True)
    assert len(api.requests) == 1
    assert len(result) == 3


def test_no_match_is_an_empty_result() -> None:
    api = SearchApi(total=0)
    with CapellaConsoleClient(
        api_key="test-api-key", no_token_check=True, transport=httpx.MockTransport(api)
    ) as client:
        result = client.search_repeat_requests()
    assert len(result) == 0
    assert not result


def test_a_failing_page_fails_the_search() -> None:
    api = SearchApi(total=2000)
    api.fail_page = 3
    with (
        CapellaConsoleClient(
            api_key="test-api-key", no_token_check=True, transport=httpx.MockTransport(api)
        ) as client,
        pytest.raises(CapellaConsoleClientError, match="no") as caught,
    ):
        client.search_tasking_requests()
    assert caught.value.code == "BAD_PAGE"


def test_a_malformed_page_is_reported() -> None:
    api = SearchApi()
    api.malformed = True
    with (
        CapellaConsoleClient(
            api_key="test-api-key", no_token_check=True, transport=httpx.MockTransport(api)
        ) as client,
        pytest.raises(CapellaConsoleClientError, match="totalPages") as caught,
    ):
        client.search_tasking_requests()
    assert caught.value.code == "INVALID_RESPONSE"


def test_search_logs_the_pages_and_a_summary(
    client: CapellaConsoleClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="capella")
    client.search_tasking_requests(status="completed")
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("searching tasking requests with payload") for m in messages)
    assert "page 1 out of 1: 3 tasking requests" in messages
    assert "found 3 tasking requests" in messages
