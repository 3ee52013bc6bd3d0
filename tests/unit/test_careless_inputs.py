"""Careless input (issue 13): every bad argument is a typed error naming what to fix, sent nowhere.

One table of bad inputs to library calls (catalog search, orders, tasking) and one of bad client
options. Each must raise :class:`~capella.errors.InvalidInputError` (a typed capella error, not a
raw ``TypeError``, ``ValueError``, ``OSError`` or httpx error) before any request reaches the
transport. ``benchmarks/careless_inputs.py`` tries the same tables, plus the download-side inputs,
and prints how many were typed, untyped or accepted silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from capella import CapellaConsoleClient
from capella.errors import InvalidInputError

Call = Callable[[CapellaConsoleClient], object]

TASK_ID = "27a71826-7819-48cc-b8f2-0ad10bee0f97"
POINT = {"type": "Point", "coordinates": [11.15, 49.6]}
ITEM = {"type": "Feature", "stac_version": "1.0.0", "id": "CAPELLA_C13_SP_GEO_HH_X", "assets": {}}
NAN = float("nan")


def _create(**arguments: Any) -> Call:
    return lambda c: c.create_tasking_request(geometry=POINT, name="n", **arguments)


def _repeat(**arguments: Any) -> Call:
    return lambda c: c.create_repeat_request(geometry=POINT, name="n", **arguments)


# (what the careless user passes, the call); ids read as the first column.
# fmt: off
LIBRARY_CALLS: dict[str, Call] = {
    # catalog search
    "search(bbox=[nan, 0, 1, 1])": lambda c: c.search(bbox=[NAN, 0, 1, 1]),
    "search(bbox south > north)": lambda c: c.search(bbox=[0, 10, 1, 5]),
    "search(bbox=[0, 0, 1])": lambda c: c.search(bbox=[0, 0, 1]),
    "search(bbox='0,0,1,1')": lambda c: c.search(bbox="0,0,1,1"),
    "search(bbox longitude 200)": lambda c: c.search(bbox=[0, 0, 200, 1]),
    "search(product_type=[])": lambda c: c.search(product_type=[]),
    "search(product_type__gt='GEO')": lambda c: c.search(product_type__gt="GEO"),
    "search(product_type='GOE')": lambda c: c.search(product_type="GOE"),
    "search(look_angle__gt='nan')": lambda c: c.search(look_angle__gt="nan"),
    "search(look_angle__gt=nan)": lambda c: c.search(look_angle__gt=NAN),
    "search(look_angle__lt='inf')": lambda c: c.search(look_angle__lt="inf"),
    "search(look_angle__gt='steep')": lambda c: c.search(look_angle__gt="steep"),
    "search(look_angle=None)": lambda c: c.search(look_angle=None),
    "search(look_angel__gt=30)": lambda c: c.search(look_angel__gt=30),
    "search(look_angle__gtt=30)": lambda c: c.search(look_angle__gtt=30),
    "search(datetime__gt='yesterday')": lambda c: c.search(datetime__gt="yesterday"),
    "search(intersects='POINT (1 2)')": lambda c: c.search(intersects="POINT (1 2)"),
    "search(collections=5)": lambda c: c.search(collections=5),
    "search(ids=[1])": lambda c: c.search(ids=[1]),
    "search(limit=0)": lambda c: c.search(limit=0),
    "search(limit='10')": lambda c: c.search(limit="10"),
    "search(sortby='-colour')": lambda c: c.search(sortby="-colour"),
    "search(ownership='mine')": lambda c: c.search(ownership="mine"),
    "search(threaded='yes')": lambda c: c.search(threaded="yes"),
    # tasking and repeat request search
    "search_tasking_requests(foo=1)": lambda c: c.search_tasking_requests(foo=1),
    "search_tasking_requests(statuz=...)": lambda c: c.search_tasking_requests(statuz="completed"),
    "search_tasking_requests(status__gt=...)": lambda c: c.search_tasking_requests(
        status__gt="completed"
    ),
    "search_tasking_requests(status='finished')": lambda c: c.search_tasking_requests(
        status="finished"
    ),
    "search_tasking_requests(status=[])": lambda c: c.search_tasking_requests(status=[]),
    "search_tasking_requests(page_size=10)": lambda c: c.search_tasking_requests(page_size=10),
    "search_tasking_requests(for_org='yes')": lambda c: c.search_tasking_requests(for_org="yes"),
    "search_repeat_requests(foo=1)": lambda c: c.search_repeat_requests(foo=1),
    "search_repeat_requests(repetition_interval__gt=-1)": lambda c: c.search_repeat_requests(
        repetition_interval__gt=-1
    ),
    # reading tasking requests
    "is_task_completed({})": lambda c: c.is_task_completed({}),
    "is_task_completed(task id)": lambda c: c.is_task_completed(TASK_ID),
    "get_task('not-a-uuid')": lambda c: c.get_task("not-a-uuid"),
    "get_collects_for_task(None)": lambda c: c.get_collects_for_task(None),
    "cancel_tasking_requests('abc')": lambda c: c.cancel_tasking_requests("abc"),
    # creating tasking and repeat requests
    "create_tasking_request(window in the past)": _create(
        window_open="2020-01-01", window_close="2020-01-08"
    ),
    "create_tasking_request(window_close in the past)": _create(window_close="2020-01-08"),
    "create_tasking_request(close before open)": _create(
        window_open="2099-01-08", window_close="2099-01-01"
    ),
    "create_tasking_request(contract_id=123)": _create(contract_id=123),
    "create_tasking_request(geometry='abc')": lambda c: c.create_tasking_request(
        geometry="abc", name="n"
    ),
    "create_tasking_request(longitude 200)": lambda c: c.create_tasking_request(
        geometry={"type": "Point", "coordinates": [200, 0]}, name="n"
    ),
    "create_tasking_request(collection_tier='now')": _create(collection_tier="now"),
    "create_tasking_request(off_nadir_min=nan)": _create(off_nadir_min=NAN),
    "create_tasking_request(local_time=[[5, 1]])": _create(local_time=[[5, 1]]),
    "create_tasking_request(product_types=['GOE'])": _create(product_types=["GOE"]),
    "create_repeat_request(repeat_end in the past)": _repeat(
        repeat_start="2020-01-01", repeat_end="2020-02-01"
    ),
    "create_repeat_request(repetition_interval=0)": _repeat(repetition_interval=0),
    "create_repeat_request(window_duration=0)": _repeat(window_duration=0),
    "create_repeat_request(contract_id=123)": _repeat(contract_id=123),
    # orders
    "review_order(items='abc')": lambda c: c.review_order(items="abc"),
    "submit_order(items='abc')": lambda c: c.submit_order(items="abc"),
    "submit_order(items=[None])": lambda c: c.submit_order(items=[None]),
    "submit_order(items=[item], contract_id=123)": lambda c: c.submit_order(
        items=[ITEM], contract_id=123
    ),
    "submit_order()": lambda c: c.submit_order(),
    "get_presigned_items('not-a-uuid')": lambda c: c.get_presigned_items("not-a-uuid"),
}

# Client options, then a search that would send a request if the client accepted them.
CLIENT_OPTIONS: dict[str, dict[str, Any]] = {
    "timeout='abc'": {"timeout": "abc"},
    "timeout=-1": {"timeout": -1},
    "max_retries=-1": {"max_retries": -1},
    "max_retries='3'": {"max_retries": "3"},
    "base_url without http(s)://": {"base_url": "api.capellaspace.com"},
    "base_url='ftp://...'": {"base_url": "ftp://api.capellaspace.com"},
    "download_connections=0": {"download_connections": 0},
}
# fmt: on


class NoRequests:
    """A transport that records every request that reaches it and answers 500."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url}")
        return httpx.Response(500, json={"message": "no request should have been sent"})


def make_client(transport: NoRequests, **options: Any) -> CapellaConsoleClient:
    """A client whose every request reaches ``transport`` (no retries)."""
    settings: dict[str, Any] = {"max_retries": 0, **options}
    return CapellaConsoleClient(
        api_key="careless-key",
        no_token_check=True,
        transport=httpx.MockTransport(transport),
        **settings,
    )


def try_options(transport: NoRequests, options: dict[str, Any]) -> object:
    """Open a client with ``options`` and search once."""
    with make_client(transport, **options) as client:
        return client.search(limit=1)


@pytest.fixture
def transport() -> NoRequests:
    return NoRequests()


@pytest.fixture
def client(transport: NoRequests) -> Iterator[CapellaConsoleClient]:
    with make_client(transport) as c:
        yield c


@pytest.mark.parametrize("call", LIBRARY_CALLS.values(), ids=LIBRARY_CALLS.keys())
def test_a_careless_library_call_is_a_typed_error_before_any_request(
    client: CapellaConsoleClient, transport: NoRequests, call: Call
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        call(client)
    assert transport.sent == []
    assert str(raised.value).strip(), "the message says what to fix"


@pytest.mark.parametrize("options", CLIENT_OPTIONS.values(), ids=CLIENT_OPTIONS.keys())
def test_a_careless_client_option_is_a_typed_error_before_any_request(
    transport: NoRequests, options: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        try_options(transport, options)
    assert transport.sent == []
    name = next(iter(options))
    assert name in str(raised.value), "the message names the option to fix"
