"""The tasking and repeat-request snippets of the seed example usage, from cassettes."""

from __future__ import annotations

import datetime

import geojson
import pytest

from capella import CapellaConsoleClient
from capella.enumerations import InsarOrbit, RepeatCycle

pytestmark = pytest.mark.vcr

POINT = geojson.Point([11.148216220469152, 49.59672249842626])


def test_create_point_tasking_request_and_read_it_back(client: CapellaConsoleClient) -> None:
    created = client.create_tasking_request(geometry=POINT, name="point tasking request #127")
    task_id = created["properties"]["taskingrequestId"]
    task = client.get_task(task_id)
    assert task["properties"]["taskingrequestName"] == "point tasking request #127"
    assert isinstance(client.is_task_completed(task), bool)


def test_search_completed_tasking_requests(client: CapellaConsoleClient) -> None:
    result = client.search_tasking_requests(
        status="completed", submission_time__gt=datetime.datetime(2022, 12, 1), threaded=False
    )
    assert len(result) > 0
    assert all(tr["properties"]["statusHistory"][0]["code"] == "completed" for tr in result)


def test_repeat_request_with_count_and_search(client: CapellaConsoleClient) -> None:
    created = client.create_repeat_request(
        geometry=POINT,
        name="repeat five weeks",
        description="repeat five weeks",
        repeat_start=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
        repetition_count=5,
        repetition_interval=RepeatCycle.WEEKLY,
    )
    rr_id = created["properties"]["repeatrequestId"]
    found = client.search_repeat_request(repeat_request_id=rr_id, threaded=False)
    assert found.repeat_request_ids == [rr_id]


@pytest.mark.usefixtures("seed_clock")
def test_insar_repeat_request(client: CapellaConsoleClient) -> None:
    created = client.create_repeat_request(
        geometry=POINT,
        name="stripmap_100 insar repeat request",
        collection_tier="insar",
        collection_type="stripmap_100",
        product_types=["SLC", "GEO"],
        squint="disabled",
        repeat_start="2026-05-01",
        repeat_end="2026-12-01",
        insar_orbit=InsarOrbit.MIO_53_2P95,
    )
    assert created["properties"]["collectionTier"] == "insar"
