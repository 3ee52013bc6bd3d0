"""The async client against the sandbox, scenario for scenario the sync client's.

Most scenarios run once per shell (the ``api`` fixture gives the async client, or the sync
client behind the same awaitable call shape); the search snippets run through both shells and
must give the same items. Downloaded files are checked by sha256 against the sandbox's content.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import geojson
import pytest

from capella import AsyncCapellaConsoleClient, CapellaConsoleClient
from capella.errors import (
    AuthenticationError,
    DownloadError,
    InvalidFilterError,
    PresignedUrlExpiredError,
    TaskNotCompleteError,
)
from capella.results import RepeatRequestSearchResult, StacSearchResult, TaskingRequestSearchResult
from capella.sandbox import DEMO_API_KEY, DEMO_USER, Sandbox
from capella.sandbox.assets import content_sha256

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]

OLYMPIC_NP_BBOX = [-122.4, 46.9, -124.9, 48.5]
POINT = geojson.Point([11.148216220469152, 49.59672249842626])
UNKNOWN_IDS = ("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa", "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class SyncShell:
    """The sync client with the async client's call shape: its I/O methods are awaitable."""

    def __init__(self, client: CapellaConsoleClient) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.client, name)
        if not callable(attr) or name == "is_task_completed":  # sync in both shells
            return attr

        async def call(*args: Any, **kwargs: Any) -> Any:
            return attr(*args, **kwargs)

        return call


@pytest.fixture(params=["sync", "async"])
async def api(request: pytest.FixtureRequest, sandbox: Sandbox) -> AsyncIterator[Any]:
    """A client of the sandbox: the async one, or the sync one behind the same call shape."""
    if request.param == "sync":
        with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as client:
            yield SyncShell(client)
    else:
        async with AsyncCapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as aio:
            yield aio


@pytest.fixture
async def aclient(sandbox: Sandbox) -> AsyncIterator[AsyncCapellaConsoleClient]:
    async with AsyncCapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as aio:
        yield aio


@pytest.fixture
def sclient(sandbox: Sandbox) -> Iterator[CapellaConsoleClient]:
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as client:
        yield client


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_intact(sandbox: Sandbox, paths: Mapping[str, Mapping[str, Path]]) -> int:
    """Every file is whole (sha256 of the sandbox's content); no work file is left."""
    count = 0
    for stac_id, assets in paths.items():
        item = sandbox.state.catalog.get(stac_id)
        assert item is not None, stac_id
        for key, path in assets.items():
            assert sha256(path) == content_sha256(item, key, sandbox.config.raster_size), path
            assert not path.with_name(path.name + ".part").exists()
            assert not path.with_name(path.name + ".part.meta").exists()
            count += 1
    return count


def final_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.name.endswith((".part", ".meta"))]


async def olympic_order(api: Any) -> tuple[StacSearchResult, str]:
    items = await api.search(
        constellation="capella",
        instrument_mode="spotlight",
        bbox=OLYMPIC_NP_BBOX,
        product_type="GEO",
        limit=3,
    )
    return items, await api.submit_order(items=items)


# -- the client ----------------------------------------------------------------------------------


async def test_whoami(api: Any) -> None:
    user = await api.whoami()
    assert user["email"] == DEMO_USER.email


async def test_a_wrong_key_fails_on_entering(sandbox: Sandbox) -> None:
    client = AsyncCapellaConsoleClient(api_key="not-the-key", base_url=sandbox.url)
    with pytest.raises(AuthenticationError, match="Unable to authenticate"):
        async with client:
            pass


async def test_calls_run_concurrently_on_one_client(aclient: AsyncCapellaConsoleClient) -> None:
    user, found, orders = await asyncio.gather(
        aclient.whoami(),
        aclient.search(constellation="capella", limit=5),
        aclient.list_orders(),
    )
    assert user["email"] == DEMO_USER.email
    assert len(found) == 5
    assert isinstance(orders, list)


# -- catalog search --------------------------------------------------------------------------------

SNIPPETS: list[dict[str, Any]] = [
    {"constellation": "capella", "limit": 1},
    {
        "constellation": "capella",
        "instrument_mode": "spotlight",
        "bbox": OLYMPIC_NP_BBOX,
        "product_type": "GEO",
    },
    {"polarizations": "HH", "platform": "capella-5", "sortby": "-datetime"},
    {"polarizations": "VV", "platform": "capella-2", "sortby": ["-datetime", "+id"]},
    {
        "instrument_mode": "stripmap",
        "datetime__gt": "2021-06-01T00:00:00Z",
        "datetime__lt": "2021-07-01T00:00:00Z",
        "product_type": "SLC",
        "limit": 10,
    },
    {"instrument_mode": ["stripmap", "spotlight"], "product_type": "GEO", "limit": 10},
    {"look_angle__gt": 35, "product_type": "GEO", "instrument_mode": "sliding_spotlight"},
    {"constellation": "capella", "limit": 1000},
    {"constellation": "capella", "limit": 1900, "threaded": True},
]


@pytest.mark.parametrize("filters", SNIPPETS, ids=lambda f: "-".join(sorted(f))[:40])
async def test_seed_snippets_find_the_same_items_in_both_shells(
    sclient: CapellaConsoleClient, aclient: AsyncCapellaConsoleClient, filters: dict[str, Any]
) -> None:
    expected = sclient.search(**filters)
    found = await aclient.search(**filters)
    assert found
    assert found.stac_ids == expected.stac_ids
    assert found.request_body == expected.request_body
    assert found == expected


async def test_catalog_search_is_an_alias(aclient: AsyncCapellaConsoleClient) -> None:
    by_alias = await aclient.catalog_search(constellation="capella", limit=3)
    assert by_alias.stac_ids == (await aclient.search(constellation="capella", limit=3)).stac_ids


@pytest.mark.parametrize("limit", [10_000, 9_999])
async def test_threaded_search_returns_exactly_the_first_n_items(
    sclient: CapellaConsoleClient, aclient: AsyncCapellaConsoleClient, limit: int
) -> None:
    found = await aclient.search(constellation="capella", limit=limit, threaded=True)
    assert len(found) == limit
    assert len(set(found.stac_ids)) == limit
    expected = sclient.search(constellation="capella", limit=limit, threaded=True)
    assert found.stac_ids == expected.stac_ids


async def test_sequential_and_threaded_agree(aclient: AsyncCapellaConsoleClient) -> None:
    filters: dict[str, Any] = {"constellation": "capella", "sortby": ["-datetime", "+id"]}
    sequential = await aclient.search(**filters, limit=2500)
    threaded = await aclient.search(**filters, limit=2500, threaded=True)
    assert len(sequential) == 2500
    assert sequential.stac_ids == threaded.stac_ids


async def test_a_limit_above_10000_returns_the_first_10000(
    aclient: AsyncCapellaConsoleClient,
) -> None:
    found = await aclient.search(constellation="capella", limit=10_500, threaded=True)
    assert len(found) == 10_000


async def test_an_unknown_filter_fails_before_any_request(
    aclient: AsyncCapellaConsoleClient,
) -> None:
    with pytest.raises(InvalidFilterError, match="look_angle"):
        await aclient.search(look_angel__gt=3)  # type: ignore[call-arg]


# -- orders --------------------------------------------------------------------------------------


async def test_review_submit_list_and_presign(api: Any) -> None:
    items = await api.search(
        constellation="capella",
        instrument_mode="spotlight",
        bbox=OLYMPIC_NP_BBOX,
        product_type="GEO",
    )
    review = await api.review_order(items=items)
    assert review["authorized"] is True
    order_id = await api.submit_order(items=items)
    [order] = await api.list_orders(order_id)
    assert {i["granuleId"] for i in order["items"]} == set(items.stac_ids)
    assert order_id in {o["orderId"] for o in await api.list_orders(is_active=True)}
    assert sorted(await api.get_stac_items_of_order(order_id, ids_only=True)) == sorted(
        items.stac_ids
    )
    of_order = await api.get_stac_items_of_order(order_id)
    assert isinstance(of_order, StacSearchResult)
    assert sorted(of_order.stac_ids) == sorted(items.stac_ids)
    wanted = sorted(items.stac_ids)[:2]
    presigned = await api.get_presigned_items(order_id, stac_ids=wanted, sort_by=wanted[::-1])
    assert [i["id"] for i in presigned] == wanted[::-1]
    assets = await api.get_presigned_assets(order_id)
    assert len(assets) == len(items) and all("thumbnail" in a for a in assets)


async def test_check_active_orders_reuses_an_order(api: Any) -> None:
    items, order_id = await olympic_order(api)
    before = len(await api.list_orders())
    assert await api.submit_order(items=items, check_active_orders=True) == order_id
    assert len(await api.list_orders()) == before


async def test_an_ambiguous_submit_is_never_sent_twice(api: Any, sandbox: Sandbox) -> None:
    items = await api.search(product_type="SLC", limit=2)
    before = len(await api.list_orders())
    # The order is created, then the connection breaks before the answer's body.
    sandbox.faults.add("submitOrder", "cut", after_bytes=0, times=1)
    order_id = await api.submit_order(items=items, omit_review=True)
    assert not sandbox.faults  # the fault did fire
    orders = await api.list_orders()
    assert len(orders) == before + 1
    assert order_id in {o["orderId"] for o in orders}


# -- downloads -----------------------------------------------------------------------------------


async def test_download_all_products_of_an_order(
    api: Any, sandbox: Sandbox, tmp_path: Path
) -> None:
    items, order_id = await olympic_order(api)
    paths = await api.download_products(order_id=order_id, local_dir=tmp_path)
    assert sorted(paths) == sorted(items.stac_ids)
    assert assert_intact(sandbox, paths) == 4 * len(items)
    for stac_id, assets in paths.items():
        assert assets["thumbnail"] == tmp_path / stac_id / f"{stac_id}_thumb.png"


async def test_download_one_file_at_a_time_filtered_and_flat(
    api: Any, sandbox: Sandbox, tmp_path: Path
) -> None:
    _, order_id = await olympic_order(api)
    paths = await api.download_products(
        order_id=order_id, local_dir=tmp_path, include="raster", separate_dirs=False, threaded=False
    )
    assert assert_intact(sandbox, paths) == len(paths)
    assert all(set(assets) <= {"HH", "VV"} for assets in paths.values())
    assert {p.parent for p in final_files(tmp_path)} == {tmp_path}


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "cut", "after_bytes": 20_000, "times": 1},
        {"kind": "cut", "after_bytes": 150_000, "times": 3},
        {"kind": "status", "status": 503, "times": 2},
        {"kind": "status", "status": 429, "retry_after": 0, "times": 2},
        {"kind": "expired", "times": 1},
    ],
    ids=lambda f: f"{f['kind']}-{f.get('status', f.get('after_bytes', ''))}",
)
async def test_downloads_recover_from_faults(
    api: Any, sandbox: Sandbox, tmp_path: Path, fault: dict[str, Any]
) -> None:
    _, order_id = await olympic_order(api)
    sandbox.faults.add(route="assets", **fault)
    paths = await api.download_products(order_id=order_id, local_dir=tmp_path)
    assert not sandbox.faults  # every fault fired
    count = assert_intact(sandbox, paths)
    assert sorted(final_files(tmp_path)) == sorted(p for a in paths.values() for p in a.values())
    assert count == len(final_files(tmp_path))


async def test_a_persistent_failure_raises_one_error_after_every_file(
    api: Any, sandbox: Sandbox, tmp_path: Path
) -> None:
    items, order_id = await olympic_order(api)
    presigned = await api.get_presigned_items(order_id)
    sandbox.faults.add(route="assets", kind="expired")  # for good, and no order to refresh from
    with pytest.raises(DownloadError) as info:
        await api.download_products(items_presigned=presigned, local_dir=tmp_path)
    assert len(info.value.failures) == 4 * len(items)
    assert all(isinstance(o.error, PresignedUrlExpiredError) for o in info.value.failures)
    assert final_files(tmp_path) == []


async def test_a_cut_download_resumes_and_complete_files_are_skipped(
    api: Any, sandbox: Sandbox, tmp_path: Path
) -> None:
    _, order_id = await olympic_order(api)
    sandbox.faults.add("assets", "cut", after_bytes=20_000, times=2)
    paths = await api.download_products(order_id=order_id, local_dir=tmp_path, show_progress=True)
    assert_intact(sandbox, paths)
    sandbox.faults.clear()
    stamps = {p: p.stat().st_mtime_ns for a in paths.values() for p in a.values()}
    await api.download_products(order_id=order_id, local_dir=tmp_path)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


async def test_single_asset_and_its_size(api: Any, sandbox: Sandbox, tmp_path: Path) -> None:
    _, order_id = await olympic_order(api)
    first = (await api.get_presigned_items(order_id))[0]
    item = sandbox.state.catalog.get(first["id"])
    assert item is not None
    href = first["assets"]["thumbnail"]["href"]
    path = await api.download_asset(href, local_path=tmp_path / "thumb.png")
    assert path == tmp_path / "thumb.png"
    assert sha256(path) == content_sha256(item, "thumbnail", sandbox.config.raster_size)
    assert await api.get_asset_bytesize(href) == path.stat().st_size
    in_folder = await api.download_asset(href, local_path=tmp_path)
    assert in_folder == tmp_path / f"{first['id']}_thumb.png"


async def test_download_by_tasking_request(api: Any, sandbox: Sandbox, tmp_path: Path) -> None:
    completed = await api.search_tasking_requests(status="completed")
    paths = await api.download_products(
        tasking_request_id=completed.tasking_request_ids[0],
        local_dir=tmp_path,
        include=["thumbnail"],
    )
    assert paths and assert_intact(sandbox, paths) >= 1


# -- tasking -------------------------------------------------------------------------------------


async def test_tasking_create_get_update_and_cancel(api: Any) -> None:
    open_ids: list[str] = []
    while len(open_ids) < 2:  # the sandbox completes every other new request at once
        task = await api.create_tasking_request(geometry=POINT, name=f"aio #{len(open_ids)}")
        assert task["properties"]["collectConstraints"]["squint"] == "enabled"
        if not api.is_task_completed(task):
            open_ids.append(task["properties"]["taskingrequestId"])
    fetched = await api.get_task(open_ids[0])
    assert fetched["properties"]["taskingrequestName"] == "aio #0"
    with pytest.raises(TaskNotCompleteError):
        await api.get_collects_for_task(open_ids[0])

    updated = await api.update_tasking_requests(*open_ids, custom_attribute_1="campaign")
    assert list(updated) == open_ids
    assert all(r["properties"]["customAttribute1"] == "campaign" for r in updated.values())
    assert await api.cancel_tasking_requests(*open_ids) == {i: {"success": True} for i in open_ids}
    again = await api.cancel_tasking_requests(*open_ids, *UNKNOWN_IDS)
    assert list(again) == [*open_ids, *UNKNOWN_IDS]
    assert {r["error"]["code"] for r in again.values()} == {
        "UNABLE_TO_UPDATE_FINALIZED_TRANSACTION",
        "NOT_FOUND",
    }
    assert all(set(r) == {"success", "error"} for r in again.values())


async def test_tasking_search_and_collects(api: Any) -> None:
    completed = await api.search_tasking_requests(status="completed")
    assert isinstance(completed, TaskingRequestSearchResult) and completed
    task_id = completed.tasking_request_ids[0]
    assert api.is_task_completed(await api.get_task(task_id))
    collects = await api.get_collects_for_task(task_id)
    assert collects and all("collectId" in c for c in collects)
    sequential = await api.search_tasking_requests(
        status="completed", threaded=False, page_size=250
    )
    assert sequential.tasking_request_ids == completed.tasking_request_ids
    org = await api.search_tasking_requests(for_org=True, status="completed")
    assert len(org) >= len(completed)


async def test_repeat_requests_create_search_update_cancel(api: Any) -> None:
    created = await api.create_repeat_request(
        geometry=POINT, name="aio repeat", repetition_interval=3, repetition_count=4
    )
    rr_id = created["properties"]["repeatrequestId"]
    assert created["properties"]["repetitionProperties"]["repetitionCount"] == 4
    found = await api.search_repeat_requests(repeat_request_id=rr_id)
    assert isinstance(found, RepeatRequestSearchResult)
    assert [r["properties"]["repeatrequestId"] for r in found] == [rr_id]
    alias = await api.search_repeat_request(repeat_request_id=rr_id)
    assert alias == found
    updated = await api.update_repeat_requests(rr_id, name="renamed")
    assert updated[rr_id]["properties"]["repeatrequestName"] == "renamed"
    assert await api.cancel_repeat_requests(rr_id) == {rr_id: {"success": True}}


async def test_both_shells_answer_tasking_in_the_same_shapes(
    sclient: CapellaConsoleClient, aclient: AsyncCapellaConsoleClient
) -> None:
    sync_task = sclient.create_tasking_request(geometry=POINT, name="shape")
    async_task = await aclient.create_tasking_request(geometry=POINT, name="shape")
    assert sync_task.keys() == async_task.keys()
    assert sync_task["properties"].keys() == async_task["properties"].keys()
    sync_result = sclient.update_tasking_requests(*UNKNOWN_IDS, name="x")
    async_result = await aclient.update_tasking_requests(*UNKNOWN_IDS, name="x")
    assert sync_result == async_result


# -- the README ----------------------------------------------------------------------------------


def test_the_readme_async_example_runs(
    sandbox: Sandbox, tmp_path: Path, readme_code: Callable[[str], list[str]]
) -> None:
    (code,) = readme_code("Async client")
    assert 'api_key="<api-key>"' in code
    code = code.replace(
        'api_key="<api-key>"', f"api_key={DEMO_API_KEY!r}, base_url={sandbox.url!r}"
    )
    code = code.replace('"imagery"', repr(str(tmp_path / "imagery")))
    namespace: dict[str, Any] = {"__name__": "readme_example"}
    exec(compile(code, "README.md", "exec"), namespace)
    assert final_files(tmp_path / "imagery")
