"""Every tasking, repeat-request and insar example of the reference docs, against the sandbox.

The snippets are the seed's own (``capella`` in place of ``capella_console_client``); requests
that must change state are created by the test itself, so the shared sandbox stays usable.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import geojson
import pytest

from capella import CapellaConsoleClient
from capella.enumerations import (
    ArchiveHoldback,
    CollectionTier,
    CollectionType,
    InsarOrbit,
    LocalTimeOption,
    ObservationDirection,
    OrbitalPlane,
    OrbitState,
    Polarization,
    RepeatCollectionTier,
    RepeatCycle,
    SquintMode,
)
from capella.errors import InvalidInputError, TaskNotCompleteError
from capella.results import RepeatRequestSearchResult, TaskingRequestSearchResult
from capella.sandbox import DEMO_USER, Sandbox

pytestmark = pytest.mark.e2e

SEED_IDS = (
    "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
    "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb",
    "cccccccc-cccc-cccc-cccc-cccccccccccc",
)
POINT = geojson.Point([11.148216220469152, 49.59672249842626])
AREA = geojson.Polygon(
    [
        [
            [11.148216220469152, 49.59672249842626],
            [11.148216220469152, 49.55415435337187],
            [11.219621049225651, 49.55415435337187],
            [11.219621049225651, 49.59672249842626],
            [11.148216220469152, 49.59672249842626],
        ]
    ]
)


def _tr_id(feature: dict[str, Any]) -> str:
    return str(feature["properties"]["taskingrequestId"])


def _rr_id(feature: dict[str, Any]) -> str:
    return str(feature["properties"]["repeatrequestId"])


def _status(feature: dict[str, Any]) -> str:
    return str(feature["properties"]["statusHistory"][0]["code"])


@pytest.fixture
def fresh_tasks(client: CapellaConsoleClient) -> Iterator[list[str]]:
    """Three new tasking requests of the demo user that can still be updated and canceled."""
    # The sandbox completes every other new request at once; those are final.
    open_ids: list[str] = []
    while len(open_ids) < 3:
        task = client.create_tasking_request(geometry=POINT, name=f"e2e bulk #{len(open_ids)}")
        if not client.is_task_completed(task):
            open_ids.append(_tr_id(task))
    yield open_ids


@pytest.fixture
def fresh_repeats(client: CapellaConsoleClient) -> Iterator[list[str]]:
    """Three new cancelable repeat requests of the demo user."""
    yield [
        _rr_id(client.create_repeat_request(geometry=POINT, name=f"e2e bulk repeat #{n}"))
        for n in range(3)
    ]


# -- tasking requests: create ---------------------------------------------------------------


def test_create_point_tasking_request(client: CapellaConsoleClient) -> None:
    task = client.create_tasking_request(
        geometry=geojson.Point([11.148216220469152, 49.59672249842626]),
        name="point tasking request #127",
    )
    properties = task["properties"]
    assert properties["taskingrequestName"] == "point tasking request #127"
    assert properties["collectConstraints"]["squint"] == "enabled"
    assert properties["collectionTier"] == "standard"
    assert client.get_task(_tr_id(task))["properties"]["taskingrequestId"] == _tr_id(task)


def test_create_area_tasking_request(client: CapellaConsoleClient) -> None:
    task = client.create_tasking_request(
        geometry=geojson.Polygon(
            [
                [
                    [11.148216220469152, 49.59672249842626],
                    [11.148216220469152, 49.55415435337187],
                    [11.219621049225651, 49.55415435337187],
                    [11.219621049225651, 49.59672249842626],
                    [11.148216220469152, 49.59672249842626],
                ]
            ]
        ),
        name="area tasking request #127",
        collection_type="stripmap_100",
    )
    assert task["geometry"]["type"] == "Polygon"
    assert task["properties"]["collectionType"] == "stripmap_100"
    assert task["properties"]["collectConstraints"]["squint"] == "disabled"


def test_create_customised_tasking_request(client: CapellaConsoleClient) -> None:
    task = client.create_tasking_request(
        geometry=geojson.Polygon(
            [
                [
                    [11.148216220469152, 49.59672249842626],
                    [11.148216220469152, 49.55415435337187],
                    [11.219621049225651, 49.55415435337187],
                    [11.219621049225651, 49.59672249842626],
                    [11.148216220469152, 49.59672249842626],
                ]
            ]
        ),
        name="highly customizable #127",
        description="too many knobs",
        collection_tier="urgent",
        collection_type="spotlight_ultra",
        local_time="day",
        off_nadir_min=5,
        off_nadir_max=50,
        orbitalPlanes=[45, 53],
        asc_dsc="ascending",
        look_direction="right",
        polarization="HH",
        archive_holdback="30 day",
        custom_attribute_1="correlation #1",
        custom_attribute_2="correlation #2",
        pre_approval=True,
        azimuth_angle_min=340,
        azimuth_angle_max=20,
        squint="enabled",
        max_squint_angle=25,
    )
    properties = task["properties"]
    constraints = properties["collectConstraints"]
    assert properties["archiveHoldback"] == "30_day"
    assert properties["collectionTier"] == "urgent"
    assert properties["customAttribute1"] == "correlation #1"
    assert constraints["orbitalPlanes"] == [45, 53]
    assert constraints["offNadirMin"] == 5
    assert constraints["ascDsc"] == "ascending"
    assert constraints["maxSquintAngle"] == 25


def test_create_customised_tasking_request_with_enums(client: CapellaConsoleClient) -> None:
    task = client.create_tasking_request(
        geometry=geojson.Point([11.148216220469152, 49.59672249842626]),
        name="highly customizable #127",
        description="too many knobs",
        collection_tier=CollectionTier.urgent,
        collection_type=CollectionType.SPOTLIGHT_ULTRA,
        local_time=LocalTimeOption.day,
        off_nadir_min=5,
        off_nadir_max=50,
        orbital_planes=[OrbitalPlane.fortyfive, OrbitalPlane.fiftythree],
        asc_dsc=OrbitState.ascending,
        look_direction=ObservationDirection.right,
        polarization=Polarization.HH,
        archive_holdback=ArchiveHoldback.thirty_day,
        custom_attribute_1="correlation #1",
        custom_attribute_2="correlation #2",
        pre_approval=True,
        azimuth_angle_min=340,
        azimuth_angle_max=20,
        squint=SquintMode.ENABLED,
        max_squint_angle=30,
    )
    properties = task["properties"]
    assert properties["collectionType"] == "spotlight_ultra"
    assert properties["archiveHoldback"] == "30_day"
    assert properties["collectConstraints"]["lookDirection"] == "right"


def test_aware_windows_are_stored_in_utc(client: CapellaConsoleClient) -> None:
    opens = datetime.datetime(2030, 5, 1, 14, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    task = client.create_tasking_request(geometry=POINT, name="tz", window_open=opens)
    assert task["properties"]["windowOpen"] == "2030-05-01T12:00:00.000Z"
    assert task["properties"]["windowClose"] == "2030-05-08T12:00:00.000Z"


def test_invalid_values_never_reach_the_sandbox(client: CapellaConsoleClient) -> None:
    with pytest.raises(InvalidInputError, match="'spotlight_ultra'"):
        client.create_tasking_request(geometry=POINT, name="n", collection_type="ultra")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="MultiPolygon"):
        client.create_tasking_request(
            geometry=geojson.MultiPolygon([AREA["coordinates"]]), name="n"
        )


# -- tasking requests: update, cancel, read ---------------------------------------------------


def test_update_single_tasking_request(
    client: CapellaConsoleClient, fresh_tasks: list[str]
) -> None:
    result = client.update_tasking_requests(
        fresh_tasks[0],
        name="updated name",
        description="updated description",
    )
    updated_tr = result[fresh_tasks[0]]
    assert updated_tr.get("success") is not False, updated_tr
    assert updated_tr["properties"]["taskingrequestName"] == "updated name"
    assert updated_tr["properties"]["taskingrequestDescription"] == "updated description"


def test_update_multiple_tasking_requests(
    client: CapellaConsoleClient, fresh_tasks: list[str]
) -> None:
    result = client.update_tasking_requests(*fresh_tasks, custom_attribute_1="campaign-2026")
    assert list(result) == fresh_tasks
    for tr_id, tr_result in result.items():
        assert tr_result.get("success") is not False, tr_result
        assert tr_result["properties"]["customAttribute1"] == "campaign-2026"
        assert client.get_task(tr_id)["properties"]["customAttribute1"] == "campaign-2026"


def test_seed_update_with_unknown_ids_reports_each_failure(client: CapellaConsoleClient) -> None:
    result = client.update_tasking_requests(*SEED_IDS, custom_attribute_1="campaign-2026")
    assert list(result) == list(SEED_IDS)
    for tr_result in result.values():
        assert tr_result["success"] is False
        assert tr_result["error"]["code"] == "NOT_FOUND"


def test_cancel_tasking_requests(client: CapellaConsoleClient, fresh_tasks: list[str]) -> None:
    cancel_result_by_id = client.cancel_tasking_requests(*fresh_tasks)
    assert cancel_result_by_id == {tr_id: {"success": True} for tr_id in fresh_tasks}
    assert all(_status(client.get_task(tr_id)) == "canceled" for tr_id in fresh_tasks)
    # canceled is final: a second cancel fails for each id, in the same shape
    again = client.cancel_tasking_requests(*fresh_tasks)
    assert {r["error"]["code"] for r in again.values()} == {
        "UNABLE_TO_UPDATE_FINALIZED_TRANSACTION"
    }
    # and so does an update
    updated = client.update_tasking_requests(fresh_tasks[0], name="too late")
    assert updated[fresh_tasks[0]]["error"]["code"] == "UNABLE_TO_UPDATE_TASKING_REQUEST"


def test_seed_cancel_with_unknown_ids(client: CapellaConsoleClient) -> None:
    cancel_result_by_id = client.cancel_tasking_requests(*SEED_IDS)
    assert {r["error"]["code"] for r in cancel_result_by_id.values()} == {"NOT_FOUND"}


def test_cancel_survives_a_server_error_on_one_id(
    client: CapellaConsoleClient, sandbox: Sandbox, fresh_tasks: list[str]
) -> None:
    sandbox.faults.add("updateTaskingRequestStatus", "status", status=500, times=1)
    result = client.cancel_tasking_requests(*fresh_tasks)
    assert list(result) == fresh_tasks
    failed = [tr_id for tr_id, r in result.items() if r["success"] is False]
    assert len(failed) == 1
    assert result[failed[0]] == {
        "success": False,
        "error": {
            "code": "INTERNAL_SERVER_ERROR",
            "message": "Internal Server Error",
        },
    }
    assert all(r == {"success": True} for tr_id, r in result.items() if tr_id not in failed)
    # the failed one was not canceled and can be retried
    assert client.cancel_tasking_requests(failed[0]) == {failed[0]: {"success": True}}


def test_cancel_survives_a_cut_connection_and_a_gateway_page(
    client: CapellaConsoleClient, sandbox: Sandbox, fresh_repeats: list[str]
) -> None:
    first, second, third = fresh_repeats
    sandbox.faults.add("updateRepeatRequestStatus", "cut", after_bytes=0, times=1)
    result = client.cancel_repeat_requests(first, second)
    failures = [r for r in result.values() if r["success"] is False]
    assert len(failures) == 1
    # the connection broke after the request was sent: it may or may not have been canceled
    assert failures[0]["error"]["code"] == "AMBIGUOUS_REQUEST"
    assert set(failures[0]["error"]) == {"code", "message"}
    assert [r for r in result.values() if r["success"] is True] == [{"success": True}]

    sandbox.faults.add("updateRepeatRequestStatus", "status", status=502, times=1)
    result = client.cancel_repeat_requests(third)
    assert result[third]["success"] is False
    assert result[third]["error"]["code"] == "GENERAL_API_ERROR"
    assert "502" in result[third]["error"]["message"]


def test_update_survives_server_errors_and_retries_safe_ones(
    client: CapellaConsoleClient, sandbox: Sandbox, fresh_tasks: list[str]
) -> None:
    # a 503 is retried (an update is idempotent); a 500 is not
    sandbox.faults.add("updateTaskingRequest", "status", status=503, times=1)
    result = client.update_tasking_requests(*fresh_tasks, name="after a 503")
    assert all(r["properties"]["taskingrequestName"] == "after a 503" for r in result.values())
    sandbox.faults.add("updateTaskingRequest", "status", status=500, times=1)
    result = client.update_tasking_requests(*fresh_tasks, name="after a 500")
    failures = [r for r in result.values() if r.get("success") is False]
    assert [f["error"]["code"] for f in failures] == ["INTERNAL_SERVER_ERROR"]
    assert sum(r.get("success") is not False for r in result.values()) == 2


def test_get_task_and_is_task_completed(client: CapellaConsoleClient) -> None:
    completed = client.search_tasking_requests(status="completed")
    tasking_request_id = completed.tasking_request_ids[0]
    task = client.get_task(tasking_request_id)
    assert client.is_task_completed(task)
    collects = client.get_collects_for_task(tasking_request_id)
    assert collects and all("collectId" in c for c in collects)


def test_collects_of_an_incomplete_task_raise(
    client: CapellaConsoleClient, fresh_tasks: list[str]
) -> None:
    task = client.get_task(fresh_tasks[0])
    assert not client.is_task_completed(task)
    with pytest.raises(TaskNotCompleteError):
        client.get_collects_for_task(fresh_tasks[0])


# -- tasking requests: search -----------------------------------------------------------------


def test_search_completed_tasking_requests_of_user(client: CapellaConsoleClient) -> None:
    user_completed_trs_result = client.search_tasking_requests(status="completed")
    assert isinstance(user_completed_trs_result, TaskingRequestSearchResult)
    assert len(user_completed_trs_result) > 0
    for tr in user_completed_trs_result:
        assert tr["properties"]["userId"] == DEMO_USER.id
        assert tr["properties"]["statusHistory"][0]["code"] == "completed"
        assert tr["properties"].get("repeatrequestId") is None


def test_search_completed_tasking_requests_of_org(client: CapellaConsoleClient) -> None:
    org_completed_trs_result = client.search_tasking_requests(for_org=True, status="completed")
    mine = client.search_tasking_requests(status="completed")
    assert len(org_completed_trs_result) > len(mine)
    users = {tr["properties"]["userId"] for tr in org_completed_trs_result}
    assert DEMO_USER.id in users
    assert len(users) > 1
    assert {tr["properties"]["orgId"] for tr in org_completed_trs_result} == {
        DEMO_USER.organization_id
    }


def test_search_with_datetime_objects(client: CapellaConsoleClient) -> None:
    org_completed_trs_submitted_dec_22_result = client.search_tasking_requests(
        for_org=True,
        status="completed",
        submission_time__gt=datetime.datetime(2022, 12, 1),
    )
    assert len(org_completed_trs_submitted_dec_22_result) > 0
    request_body = org_completed_trs_submitted_dec_22_result.request_body
    assert request_body["query"]["submissionTime"] == {"gt": "2022-12-01T00:00:00.000Z"}
    cutoff = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=30)
    recent = client.search_tasking_requests(for_org=True, submission_time__gt=cutoff)
    for tr in recent:
        submitted = datetime.datetime.fromisoformat(tr["properties"]["submissionTime"])
        assert submitted > cutoff


def test_search_subset_of_supported_filters(client: CapellaConsoleClient) -> None:
    completed_sp_prio_trs_result = client.search_tasking_requests(
        status="completed",
        window_open__gt=datetime.datetime(2025, 12, 1),
        window_open__lt=datetime.datetime(2026, 12, 1),
        collection_type=["spotlight", "spotlight_ultra"],
        collection_tier="priority",
    )
    for tr in completed_sp_prio_trs_result:
        properties = tr["properties"]
        assert properties["collectionType"] in ("spotlight", "spotlight_ultra")
        assert properties["collectionTier"] == "priority"
        assert "2025-12-01" < properties["windowOpen"] < "2026-12-01"


def test_search_by_tasking_request_ids(
    client: CapellaConsoleClient, fresh_tasks: list[str]
) -> None:
    one = client.search_tasking_requests(tasking_request_id=fresh_tasks[0])
    assert one.tasking_request_ids == [fresh_tasks[0]]
    several = client.search_tasking_requests(tasking_request_id=fresh_tasks)
    assert sorted(several.tasking_request_ids) == sorted(fresh_tasks)


def test_invalid_status_raises_instead_of_returning_everything(
    client: CapellaConsoleClient,
) -> None:
    with pytest.raises(InvalidInputError, match="'completed'"):
        client.search_tasking_requests(status="complete")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("threaded", "show_progress"), [(True, False), (False, False), (True, True), (False, True)]
)
def test_org_search_spans_pages_in_page_order(
    client: CapellaConsoleClient,
    threaded: bool,
    show_progress: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = client.search_tasking_requests(
        for_org=True, threaded=threaded, show_progress=show_progress
    )
    assert len(result) > 500  # three pages of 250
    assert len(result._pages) == len(result) // 250 + (1 if len(result) % 250 else 0)
    ids = result.tasking_request_ids
    assert len(set(ids)) == len(ids)
    # the sandbox answers newest first: page order keeps the whole list sorted
    times = [tr["properties"]["submissionTime"] for tr in result]
    assert times == sorted(times, reverse=True)
    assert ("Fetching tasking requests" in capsys.readouterr().err) is show_progress


def test_page_size_and_threads_do_not_change_the_result(client: CapellaConsoleClient) -> None:
    threaded = client.search_tasking_requests(for_org=True)
    sequential = client.search_tasking_requests(for_org=True, threaded=False)
    large_pages = client.search_tasking_requests(for_org=True, page_size=500)
    assert threaded.tasking_request_ids == sequential.tasking_request_ids
    assert threaded.tasking_request_ids == large_pages.tasking_request_ids
    assert len(large_pages._pages) == 2


def test_a_throttled_page_is_retried(client: CapellaConsoleClient, sandbox: Sandbox) -> None:
    expected = client.search_tasking_requests(for_org=True).tasking_request_ids
    sandbox.faults.add("searchTaskingRequests", "status", status=429, retry_after=0, times=2)
    assert client.search_tasking_requests(for_org=True).tasking_request_ids == expected


# -- repeat requests ----------------------------------------------------------------------------


def test_create_customised_repeat_request(client: CapellaConsoleClient) -> None:
    repeat = client.create_repeat_request(
        geometry=geojson.Point([11.148216220469152, 49.59672249842626]),
        name="highly customizable repeat request #127",
        description="too many knobs",
        collection_tier=RepeatCollectionTier.flexible,
        collection_type=CollectionType.SPOTLIGHT_ULTRA,
        local_time=LocalTimeOption.day,
        off_nadir_min=5,
        off_nadir_max=50,
        orbital_planes=[OrbitalPlane.fortyfive, OrbitalPlane.fiftythree],
        asc_dsc=OrbitState.ascending,
        look_direction=ObservationDirection.right,
        polarization=Polarization.HH,
        archive_holdback=ArchiveHoldback.thirty_day,
        custom_attribute_1="correlation #1",
        custom_attribute_2="correlation #2",
        azimuth_angle_min=340,
        azimuth_angle_max=20,
        squint=SquintMode.ENABLED,
        max_squint_angle=30,
    )
    properties = repeat["properties"]
    assert properties["collectionTier"] == "flexible"
    assert properties["archiveHoldback"] == "30_day"
    assert properties["collectConstraints"]["orbitalPlanes"] == [45, 53]


def test_repeat_cadence_until_cancelled(client: CapellaConsoleClient) -> None:
    repeat = client.create_repeat_request(
        geometry=geojson.Point([11.148216220469152, 49.59672249842626]),
        name="daily repeat",
    )
    repetition = repeat["properties"]["repetitionProperties"]
    assert repetition["repetitionInterval"] == 7
    assert repetition.get("repeatEnd") is None
    assert repetition.get("repetitionCount") is None


def test_repeat_cadence_start_end_frequency(client: CapellaConsoleClient) -> None:
    from datetime import UTC, datetime, timedelta

    repeat_start = datetime.now(tz=UTC)
    repeat_end = repeat_start + timedelta(days=27)
    repeat = client.create_repeat_request(
        geometry=geojson.Point([11.148216220469152, 49.59672249842626]),
        name="daily repeat",
        description="daily repeat",
        repeat_start=repeat_start,
        repeat_end=repeat_end,
        repetition_interval=RepeatCycle.DAILY,
    )
    repetition = repeat["properties"]["repetitionProperties"]
    assert repetition["repetitionInterval"] == 1
    start = datetime.fromisoformat(repetition["repeatStart"])
    end = datetime.fromisoformat(repetition["repeatEnd"])
    assert end - start == timedelta(days=27)


def test_repeat_cadence_count_frequency(client: CapellaConsoleClient) -> None:
    repeat_start = datetime.datetime.now(tz=datetime.UTC)
    repeat = client.create_repeat_request(
        geometry=geojson.Point([11.148216220469152, 49.59672249842626]),
        name="repeat five weeks",
        description="repeat five weeks",
        repeat_start=repeat_start,
        repetition_count=5,
        repetition_interval=RepeatCycle.WEEKLY,
    )
    repetition = repeat["properties"]["repetitionProperties"]
    assert repetition["repetitionCount"] == 5
    assert repetition["repetitionInterval"] == 7


def test_update_single_and_multiple_repeat_requests(
    client: CapellaConsoleClient, fresh_repeats: list[str]
) -> None:
    result = client.update_repeat_requests(
        fresh_repeats[0],
        name="updated name",
        description="updated description",
    )
    updated_rr = result[fresh_repeats[0]]
    assert updated_rr["properties"]["repeatrequestName"] == "updated name"
    result = client.update_repeat_requests(*fresh_repeats, custom_attribute_1="campaign-2026")
    for rr_result in result.values():
        assert rr_result.get("success") is not False, rr_result
        assert rr_result["properties"]["customAttribute1"] == "campaign-2026"


def test_seed_repeat_update_and_cancel_with_unknown_ids(client: CapellaConsoleClient) -> None:
    result = client.update_repeat_requests(*SEED_IDS, custom_attribute_1="campaign-2026")
    assert {r["error"]["code"] for r in result.values()} == {"NOT_FOUND"}
    cancel_result_by_id = client.cancel_repeat_requests(*SEED_IDS)
    assert {r["error"]["code"] for r in cancel_result_by_id.values()} == {"NOT_FOUND"}


def test_cancel_repeat_requests(client: CapellaConsoleClient, fresh_repeats: list[str]) -> None:
    cancel_result_by_id = client.cancel_repeat_requests(*fresh_repeats)
    assert cancel_result_by_id == {rr_id: {"success": True} for rr_id in fresh_repeats}
    found = client.search_repeat_requests(repeat_request_id=fresh_repeats)
    assert {_status(rr) for rr in found} == {"canceled"}


def test_search_repeat_request_by_id(
    client: CapellaConsoleClient, fresh_repeats: list[str]
) -> None:
    repeat_request_id = fresh_repeats[0]
    rr = client.search_repeat_request(repeat_request_id=repeat_request_id)
    assert isinstance(rr, RepeatRequestSearchResult)
    assert rr[0]["properties"]["repeatrequestId"] == repeat_request_id


def test_advanced_repeat_request_search(client: CapellaConsoleClient) -> None:
    user_completed_rrs_result = client.search_repeat_request(status="completed")
    org_completed_trs_result = client.search_repeat_request(for_org=True, status="completed")
    assert len(org_completed_trs_result) >= len(user_completed_rrs_result) > 0
    org_completed_rrs_submitted_dec_22_result = client.search_repeat_request(
        for_org=True,
        status="completed",
        submission_time__gt="2022-12-1",
    )
    assert len(org_completed_rrs_submitted_dec_22_result) > 0
    active_sp_routine_rrs_result = client.search_repeat_request(
        status="active",
        repeat_start__lt="2025-10-01",
        repeat_start__gt="2025-06-01",
        collection_type=["spotlight", "spotlight_ultra"],
        collection_tier="routine",
    )
    for rr in active_sp_routine_rrs_result:
        properties = rr["properties"]
        assert properties["collectionTier"] == "routine"
        assert "2025-06-01" < properties["repetitionProperties"]["repeatStart"] < "2025-10-01"


@pytest.mark.parametrize("threaded", [True, False])
def test_repeat_search_with_progress(
    client: CapellaConsoleClient, threaded: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    result = client.search_repeat_requests(
        status="active", for_org=True, threaded=threaded, show_progress=True
    )
    assert len(result) > 0
    assert {_status(rr) for rr in result} == {"active"}
    # a single page needs no progress bar
    assert "Traceback" not in capsys.readouterr().err


# -- insar --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("seed_clock")
def test_insar_repeat_request_with_start_end(client: CapellaConsoleClient) -> None:
    repeat = client.create_repeat_request(
        geometry=geojson.Point([11.148216220469152, 49.59672249842626]),
        name="stripmap_100 insar repeat request",
        collection_tier="insar",
        collection_type="stripmap_100",
        product_types=["SLC", "GEO"],
        squint="disabled",
        repeat_start="2026-05-01",
        repeat_end="2026-12-01",
        insar_orbit=InsarOrbit.MIO_53_2P95,
    )
    properties = repeat["properties"]
    assert properties["collectionTier"] == "insar"
    assert properties["insar"] == {"orbit": "MIO_53_2P95"}
    assert properties["repetitionProperties"]["repeatStart"] == "2026-05-01T00:00:00.000Z"
    assert properties["repetitionProperties"]["repeatEnd"] == "2026-12-01T00:00:00.000Z"


def test_insar_repeat_request_with_count(client: CapellaConsoleClient) -> None:
    repeat = client.create_repeat_request(
        geometry=geojson.Point([11.148216220469152, 49.59672249842626]),
        name="spotlight insar repeat request",
        collection_tier="insar",
        collection_type="spotlight",
        product_types=["SLC", "GEO"],
        squint="disabled",
        repetition_count=10,
        insar_orbit=InsarOrbit.SSO_97_7P00,
    )
    properties = repeat["properties"]
    assert properties["insar"] == {"orbit": "SSO_97_7P00"}
    assert properties["repetitionProperties"]["repetitionCount"] == 10
    assert properties["processingConfig"] == {"productTypes": ["SLC", "GEO"]}


def test_search_results_give_typed_models(client: CapellaConsoleClient) -> None:
    trs = client.search_tasking_requests(status="completed", threaded=False)
    model = trs.tasking_request(0)
    assert model.properties.taskingrequest_id == trs.tasking_request_ids[0]
    assert model.properties.status_history[0].code == "completed"
    assert trs.tasking_request(0) is model  # parsed once, on first access
    assert len(list(trs.tasking_requests())) == len(trs)

    rrs = client.search_repeat_requests(threaded=False)
    repeat = rrs.repeat_request(0)
    assert repeat.properties.repeatrequest_id == rrs.repeat_request_ids[0]
    assert len(list(rrs.repeat_requests())) == len(rrs)
