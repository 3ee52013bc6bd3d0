"""Operations decide without I/O: driven by hand here, step by step, with no server at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from capella import orders
from capella._flow import CURRENT_USER, Call, Done, Driver, Next, Start
from capella._logging import ClientLog
from capella._ops import Op
from capella.errors import AmbiguousRequestError
from capella.pagination import search_catalog
from capella.tasking import bulk

TR = ["27a71826-7819-48cc-b8f2-0ad10bee0f97", "37a71826-7819-48cc-b8f2-0ad10bee0f97"]


class Ctx:
    log = ClientLog()
    search_url = "https://api.test/catalog/search"
    gc_pause = False


def test_an_ambiguous_submit_is_followed_by_a_lookup_never_by_a_second_submit() -> None:
    item = {"id": "S1", "collection": "c"}
    flow = orders.submit(Ctx(), items=[item], omit_search=True, omit_review=True)
    driver = Driver(flow)
    step = driver.step()
    assert isinstance(step, Call) and step.op is Op.SUBMIT_ORDER
    driver.fail(AmbiguousRequestError("cut", "AMBIGUOUS_REQUEST"))
    assert driver.step() is CURRENT_USER
    driver.answer({"id": "u-1"})
    step = driver.step()
    assert isinstance(step, Call) and step.op is Op.LIST_ORDERS
    expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    made = {"orderId": "o-9", "expirationDate": expires, "items": [{"granuleId": "S1"}]}
    driver.answer([made])
    assert driver.step() is None
    assert driver.value == "o-9"


def test_a_threaded_search_starts_page_one_before_its_count_probe() -> None:
    driver = Driver(search_catalog(Ctx(), limit=1000, threaded=True))
    start = driver.step()
    assert isinstance(start, Start)
    assert [c.kwargs["body"]["page"] for c in start.calls] == [1]
    driver.answer([0])
    probe = driver.step()
    assert isinstance(probe, Call) and probe.kwargs["body"]["limit"] == 1
    driver.answer({"features": [], "numberMatched": 1000})
    rest = driver.step()
    assert isinstance(rest, Start)
    # Items 900-999: a page of 100 that starts where page 1 (900 items) ends.
    pages = [(c.kwargs["body"]["page"], c.kwargs["body"]["limit"]) for c in rest.calls]
    assert pages == [(10, 100)]


def test_a_bulk_failure_is_that_ids_result_only() -> None:
    driver = Driver(bulk.cancel_tasking_requests(Ctx(), *TR))
    start = driver.step()
    assert isinstance(start, Start) and len(start.calls) == 2
    driver.answer([0, 1])
    results: dict[int, Any] = {1: None, 0: AmbiguousRequestError("cut", "AMBIGUOUS_REQUEST")}
    for handle, outcome in results.items():
        step = driver.step()
        assert isinstance(step, Next)
        error = outcome if isinstance(outcome, Exception) else None
        driver.answer(Done(handle, None, error))
    assert driver.step() is None
    assert list(driver.value) == TR  # in the order given, whatever order they finished in
    assert driver.value[TR[1]] == {"success": True}
    assert driver.value[TR[0]]["error"]["code"] == "AMBIGUOUS_REQUEST"


def test_an_invalid_filter_fails_before_any_step() -> None:
    from capella.errors import InvalidFilterError

    with pytest.raises(InvalidFilterError):
        Driver(search_catalog(Ctx(), look_angel__gt=3)).step()  # type: ignore[call-arg]
