"""Product downloads: filters, layout, path safety, order-on-the-fly paths and URL refresh."""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from capella import CapellaConsoleClient
from capella.enumerations import AssetType, ProductType
from capella.errors import DownloadError, InvalidInputError, TaskNotCompleteError
from capella.products import (
    asset_filter,
    plan_downloads,
    product_type_filter,
    select_asset_keys,
    stac_id_of,
)
from capella.transfers import PresignedRefresher

USER_ID = "5b6a3c0e-8d51-4a7f-9c1e-2f4d6a8b0c11"
ORDER_ID = "0a1b2c3d-0000-4000-8000-000000000001"
TASK_ID = "1b2c3d4e-0000-4000-8000-000000000002"
COLLECT_ID = "2c3d4e5f-0000-4000-8000-000000000003"
CONTRACT = "contract-7"
ASSETS = "https://assets.test"


def sid(n: int, product: str = "GEO", pol: str = "HH") -> str:
    return f"CAPELLA_C05_SP_{product}_{pol}_20240101{n:06d}_20240101{n:06d}"


def product(
    n: int, product_type: str = "GEO", pol: str = "HH", sig: str = "v1", collect: str = COLLECT_ID
) -> dict[str, Any]:
    stac_id = sid(n, product_type, pol)
    base = f"{ASSETS}/capella-geo/{stac_id}"
    return {
        "id": stac_id,
        "collection": "capella-geo",
        "properties": {"sar:product_type": product_type, "capella:collect_id": collect},
        "assets": {
            pol: {"href": f"{base}/{stac_id}.tif?sig={sig}"},
            "metadata": {"href": f"{base}/{stac_id}_extended.json?sig={sig}"},
            "preview": {"href": f"{base}/{stac_id}_preview.tif?sig={sig}"},
            "thumbnail": {"href": f"{base}/{stac_id}_thumb.png?sig={sig}"},
            "license": {"href": f"{base}/LICENSE.txt?sig={sig}"},
        },
    }


def content(path: str) -> bytes:
    """The bytes the fake asset host serves for a URL path (deterministic, a few KiB)."""
    seed = hashlib.sha256(path.encode()).digest()
    return seed * (64 + seed[0])


def streamed(status: int, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    """A response whose body is streamed, as from a socket."""
    headers = {"Content-Length": str(len(body)), **(headers or {})}
    return httpx.Response(status, stream=httpx.ByteStream(body), headers=headers)


class FakeApi:
    """The API and the asset host in one MockTransport handler, recording requests."""

    def __init__(self) -> None:
        self.catalog = [
            product(1),
            product(2, "SLC"),
            product(3, "GEO", "VV"),
            product(4, "GEC", collect="other"),
        ]
        self.requests: list[httpx.Request] = []
        self.presigned = [product(1), product(2, "SLC"), product(3, "GEO", "VV")]
        self.orders: list[dict[str, Any]] = []
        self.task_status = "completed"
        self.collects = [{"collectId": COLLECT_ID}]
        self.valid_sigs = {"v1"}
        self.missing: set[str] = set()

    def calls(self, host: str = "api.test") -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests if r.url.host == host]

    def bodies(self, path: str) -> list[Any]:
        return [json.loads(r.content) for r in self.requests if r.url.path == path and r.content]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host == "assets.test":
            return self._asset(request)
        path, method = request.url.path, request.method
        body = json.loads(request.content) if request.content else {}
        if path == "/user":
            return httpx.Response(200, json={"id": USER_ID, "organizationId": "o", "email": "e"})
        if path == "/catalog/search":
            query = body.get("query", {})
            collects = query.get("capella:collect_id", {}).get("in")
            types = query.get("sar:product_type", {}).get("in")
            ids = body.get("ids")
            found = [
                i
                for i in self.catalog
                if (collects is None or i["properties"]["capella:collect_id"] in collects)
                and (types is None or i["properties"]["sar:product_type"] in types)
                and (ids is None or i["id"] in ids)
            ]
            return httpx.Response(200, json={"features": found, "numberMatched": len(found)})
        if path == f"/task/{TASK_ID}":
            history = [{"code": self.task_status, "time": "2024-01-01T00:00:00Z"}]
            return httpx.Response(200, json={"properties": {"statusHistory": history}})
        if path == f"/collects/list/{TASK_ID}":
            return httpx.Response(200, json=self.collects)
        if path == "/orders" and method == "GET":
            return httpx.Response(200, json=self.orders)
        if path == "/orders/review":
            return httpx.Response(200, json={"authorized": True})
        if path == "/orders" and method == "POST":
            order = {
                "orderId": ORDER_ID,
                "orderStatus": "completed",
                "expirationDate": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
                "items": body["items"],
            }
            self.orders.append(order)
            return httpx.Response(200, json=order)
        if path == f"/orders/{ORDER_ID}/download":
            sig = sorted(self.valid_sigs)[-1]
            fresh = [
                product(1, sig=sig),
                product(2, "SLC", sig=sig),
                product(3, "GEO", "VV", sig=sig),
            ]
            wanted = {i["id"] for i in self.presigned}
            return httpx.Response(200, json=[i for i in fresh if i["id"] in wanted])
        raise AssertionError(f"unexpected {method} {path}")

    def _asset(self, request: httpx.Request) -> httpx.Response:
        assert "authorization" not in request.headers
        if request.url.path in self.missing:
            return streamed(404, b"<Error>NoSuchKey</Error>")
        if request.url.params.get("sig") not in self.valid_sigs:
            return streamed(403, b"<Error>Request has expired</Error>")
        data = content(request.url.path)
        rng = request.headers.get("range")
        if rng:
            start_text, _, end_text = rng.removeprefix("bytes=").partition("-")
            start = int(start_text)
            end = int(end_text) if end_text else len(data) - 1
            if start >= len(data):
                return streamed(416, b"", {"Content-Range": f"bytes */{len(data)}"})
            end = min(end, len(data) - 1)
            return streamed(
                206, data[start : end + 1], {"Content-Range": f"bytes {start}-{end}/{len(data)}"}
            )
        return streamed(200, data)


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def client(api: FakeApi) -> Iterator[CapellaConsoleClient]:
    with CapellaConsoleClient(
        api_key="k",
        no_token_check=True,
        base_url="https://api.test",
        transport=httpx.MockTransport(api),
    ) as c:
        yield c


def assert_served(path: Path, href: str) -> None:
    assert path.read_bytes() == content(httpx.URL(href).path)


# -- filters -------------------------------------------------------------------------------


def test_asset_filter_accepts_strings_lists_and_enums() -> None:
    assert asset_filter("thumbnail", "include") == frozenset({"thumbnail"})
    assert asset_filter([AssetType.HH, "metadata"], "include") == frozenset({"HH", "metadata"})
    assert asset_filter("raster", "include") == frozenset({"HH", "VV"})
    assert asset_filter([AssetType.raster, "thumbnail"], "exclude") == frozenset(
        {"HH", "VV", "thumbnail"}
    )
    assert asset_filter(None, "include") is None
    assert asset_filter([], "include") is None


@pytest.mark.parametrize("bad", ["hh", ["HH", "thumb"], "license", [3]])
def test_invalid_asset_type_raises_naming_the_valid_ones(bad: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        asset_filter(bad, "include")
    assert "include" in str(info.value)
    assert "thumbnail" in str(info.value) and "raster" in str(info.value)


def test_product_types_are_validated_case_insensitively() -> None:
    assert product_type_filter(["geo", ProductType.SLC]) == frozenset({"GEO", "SLC"})
    assert product_type_filter("GEC") == frozenset({"GEC"})
    assert product_type_filter(None) is None
    with pytest.raises(InvalidInputError, match=r"GEOC.*valid: SLC, GEO"):
        product_type_filter(["GEOC"])


ALL_KEYS: dict[str, Any] = {"HH": {}, "metadata": {}, "preview": {}, "thumbnail": {}, "license": {}}


@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        (None, None, ["HH", "metadata", "preview", "thumbnail"]),
        (["thumbnail"], None, ["thumbnail"]),
        ("raster", None, ["HH"]),
        (None, "raster", ["metadata", "preview", "thumbnail"]),
        (["raster", "thumbnail"], "raster", ["thumbnail"]),  # deny overrides allow
        (["HH"], ["HH"], []),
        (["VV"], None, []),
        (None, ["metadata", "preview"], ["HH", "thumbnail"]),
    ],
)
def test_selection_matrix(include: Any, exclude: Any, expected: list[str]) -> None:
    keys = select_asset_keys(
        ALL_KEYS, asset_filter(include, "include"), asset_filter(exclude, "exclude")
    )
    assert keys == expected


# -- layout --------------------------------------------------------------------------------


def test_separate_dirs_layout(tmp_path: Path) -> None:
    plan = plan_downloads([product(1), product(3, pol="VV")], tmp_path, separate_dirs=True)
    assert plan.paths[sid(1)] == {
        "HH": tmp_path / sid(1) / f"{sid(1)}.tif",
        "metadata": tmp_path / sid(1) / f"{sid(1)}_extended.json",
        "preview": tmp_path / sid(1) / f"{sid(1)}_preview.tif",
        "thumbnail": tmp_path / sid(1) / f"{sid(1)}_thumb.png",
    }
    assert set(plan.paths) == {sid(1), sid(3, pol="VV")}
    assert len(plan.assets) == 8


def test_flat_layout(tmp_path: Path) -> None:
    plan = plan_downloads([product(1)], tmp_path, separate_dirs=False)
    assert plan.paths[sid(1)]["HH"] == tmp_path / f"{sid(1)}.tif"


def test_a_product_with_every_asset_filtered_out_maps_to_an_empty_dict(tmp_path: Path) -> None:
    plan = plan_downloads([product(1), product(3, pol="VV")], tmp_path, include=frozenset({"HH"}))
    assert plan.paths == {sid(1): {"HH": tmp_path / sid(1) / f"{sid(1)}.tif"}, sid(3, pol="VV"): {}}


def test_the_item_id_names_the_product_folder(tmp_path: Path) -> None:
    item = product(1)
    item["id"] = "my-renamed-product"
    plan = plan_downloads([item], tmp_path)
    assert list(plan.paths) == ["my-renamed-product"]
    assert plan.paths["my-renamed-product"]["HH"].parent == tmp_path / "my-renamed-product"


def test_without_an_id_the_stac_id_comes_from_the_main_asset_href() -> None:
    item = product(1)
    del item["id"]
    assert stac_id_of(item) == sid(1)
    with pytest.raises(InvalidInputError, match="no 'id'"):
        stac_id_of({"assets": {"thumbnail": {"href": f"{ASSETS}/x.png"}}})


@pytest.mark.parametrize(
    "href",
    [f"{ASSETS}/a/..", f"{ASSETS}/a/%2e%2e", f"{ASSETS}/a/..%2Fescape.tif", f"{ASSETS}/a/"],
)
def test_file_names_that_would_escape_the_folder_are_refused(tmp_path: Path, href: str) -> None:
    item = {"id": sid(1), "assets": {"HH": {"href": href}}}
    with pytest.raises(InvalidInputError, match="unsafe file name"):
        plan_downloads([item], tmp_path)


def test_a_stac_id_that_would_escape_the_folder_is_refused(tmp_path: Path) -> None:
    item = product(1)
    item["id"] = "../outside"
    with pytest.raises(InvalidInputError, match="unsafe"):
        plan_downloads([item], tmp_path)


def test_two_assets_on_one_path_are_refused(tmp_path: Path) -> None:
    one, two = product(1), product(1)
    two["id"] = "twin"
    with pytest.raises(InvalidInputError, match="separate_dirs=True"):
        plan_downloads([one, two], tmp_path, separate_dirs=False)


# -- download_products ---------------------------------------------------------------------


def test_download_items_presigned(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path
) -> None:
    items = [product(1), product(2, "SLC")]
    paths = client.download_products(items_presigned=items, local_dir=tmp_path)
    assert set(paths) == {sid(1), sid(2, "SLC")}
    for item in items:
        for key, path in paths[item["id"]].items():
            assert_served(path, item["assets"][key]["href"])
    assert api.calls() == []  # no API call: the items carry their presigned hrefs
    assert not any(p.name == "LICENSE.txt" for p in tmp_path.rglob("*"))
    assert not list(tmp_path.rglob("*.part"))


def test_download_by_order_id(client: CapellaConsoleClient, api: FakeApi, tmp_path: Path) -> None:
    paths = client.download_products(
        order_id=ORDER_ID, local_dir=tmp_path, include="thumbnail", threaded=False
    )
    assert api.calls() == [f"GET /orders/{ORDER_ID}/download"]
    assert paths == {
        item["id"]: {"thumbnail": tmp_path / item["id"] / f"{item['id']}_thumb.png"}
        for item in api.presigned
    }
    assert all(p.is_file() for entry in paths.values() for p in entry.values())


def test_items_presigned_take_precedence_over_order_and_task(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path
) -> None:
    client.download_products(
        items_presigned=[product(1)],
        order_id=ORDER_ID,
        tasking_request_id=TASK_ID,
        local_dir=tmp_path,
        include="metadata",
    )
    assert api.calls() == []


def test_order_id_takes_precedence_over_task_and_collect(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path
) -> None:
    client.download_products(
        order_id=ORDER_ID,
        tasking_request_id=TASK_ID,
        collect_id=COLLECT_ID,
        local_dir=tmp_path,
        include="metadata",
    )
    assert api.calls() == [f"GET /orders/{ORDER_ID}/download"]


def test_nothing_to_download_from(client: CapellaConsoleClient, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="one of items_presigned"):
        client.download_products(local_dir=tmp_path)
    assert client.download_products(items_presigned=[], local_dir=tmp_path) == {}


def test_invalid_filters_raise_before_any_request(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInputError, match="include"):
        client.download_products(order_id=ORDER_ID, local_dir=tmp_path, include=["hh"])
    with pytest.raises(InvalidInputError, match="product_types"):
        client.download_products(tasking_request_id=TASK_ID, product_types=["GEOC"])
    assert api.requests == []


def test_product_types_filter_the_items(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path
) -> None:
    paths = client.download_products(
        order_id=ORDER_ID, local_dir=tmp_path, product_types=["SLC"], include="metadata"
    )
    assert list(paths) == [sid(2, "SLC")]


def test_local_dir_is_created_and_must_be_a_folder(
    client: CapellaConsoleClient, tmp_path: Path
) -> None:
    target = tmp_path / "new" / "deeper"
    paths = client.download_products(
        items_presigned=[product(1)], local_dir=str(target), include="thumbnail"
    )
    assert paths[sid(1)]["thumbnail"].parent == target / sid(1)
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(InvalidInputError, match="not a folder"):
        client.download_products(items_presigned=[product(1)], local_dir=a_file)


def test_existing_files_are_kept_unless_override(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path
) -> None:
    target = tmp_path / sid(1) / f"{sid(1)}_thumb.png"
    target.parent.mkdir(parents=True)
    href = product(1)["assets"]["thumbnail"]["href"]
    target.write_bytes(content(httpx.URL(href).path))
    mtime = target.stat().st_mtime_ns
    client.download_products(items_presigned=[product(1)], local_dir=tmp_path, include="thumbnail")
    assert target.stat().st_mtime_ns == mtime  # its size confirmed by the host: kept as it is
    client.download_products(
        items_presigned=[product(1)], local_dir=tmp_path, include="thumbnail", override=True
    )
    assert_served(target, product(1)["assets"]["thumbnail"]["href"])


def test_failures_raise_after_every_file_finished(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path
) -> None:
    broken = product(1)["assets"]["metadata"]["href"]
    api.missing.add(httpx.URL(broken).path)
    with pytest.raises(DownloadError) as info:
        client.download_products(items_presigned=[product(1)], local_dir=tmp_path)
    assert len(info.value.failures) == 1
    assert info.value.failures[0].job.asset_key == "metadata"
    folder = tmp_path / sid(1)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{sid(1)}.tif", f"{sid(1)}_preview.tif", f"{sid(1)}_thumb.png"]
    )


# -- order on the fly ------------------------------------------------------------------------


def test_download_by_tasking_request_orders_with_the_contract(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path
) -> None:
    paths = client.download_products(
        tasking_request_id=TASK_ID,
        product_types=["GEO"],
        contract_id=CONTRACT,
        local_dir=tmp_path,
        include="thumbnail",
    )
    assert api.calls() == [
        f"GET /task/{TASK_ID}",
        f"GET /collects/list/{TASK_ID}",
        "POST /catalog/search",
        "GET /user",
        "GET /orders",
        "POST /orders/review",
        "POST /orders",
        f"GET /orders/{ORDER_ID}/download",
    ]
    (search,) = api.bodies("/catalog/search")
    assert search["query"]["capella:collect_id"] == {"in": [COLLECT_ID]}
    assert search["query"]["sar:product_type"] == {"in": ["GEO"]}
    body = {
        "items": [
            {"collectionId": "capella-geo", "granuleId": sid(1)},
            {"collectionId": "capella-geo", "granuleId": sid(3, pol="VV")},
        ],
        "contractId": CONTRACT,
    }
    assert api.bodies("/orders/review") == [body]
    assert api.bodies("/orders") == [body]
    # The order may hold more (an active order is reused): only the task's products are fetched.
    assert sorted(paths) == sorted([sid(1), sid(3, pol="VV")])


def test_download_by_task_reuses_an_active_order(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path
) -> None:
    client.download_products(tasking_request_id=TASK_ID, local_dir=tmp_path, include="metadata")
    client.download_products(tasking_request_id=TASK_ID, local_dir=tmp_path, include="metadata")
    assert api.calls().count("POST /orders") == 1


def test_download_by_collect_forwards_the_contract(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path
) -> None:
    client.download_products(
        collect_id=COLLECT_ID, contract_id=CONTRACT, local_dir=tmp_path, include="metadata"
    )
    assert api.calls()[0] == "POST /catalog/search"
    assert [b.get("contractId") for b in api.bodies("/orders")] == [CONTRACT]


def test_empty_search_returns_an_empty_result_without_ordering(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="capella"):
        paths = client.download_products(
            tasking_request_id=TASK_ID, product_types=["CPHD"], local_dir=tmp_path
        )
    assert paths == {}
    assert "POST /orders" not in api.calls()
    assert "no STAC items found" in caplog.text


def test_task_not_completed_raises(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path
) -> None:
    api.task_status = "accepted"
    with pytest.raises(TaskNotCompleteError):
        client.download_products(tasking_request_id=TASK_ID, local_dir=tmp_path)


def test_invalid_collect_id_is_refused(client: CapellaConsoleClient, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="collect id"):
        client.download_products(collect_id="nope", local_dir=tmp_path)


# -- expired presigned URLs ----------------------------------------------------------------


def test_expired_urls_are_refreshed_with_one_order_download_call(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path
) -> None:
    # The first GET of the order's links hands out links that expire right after.
    api.presigned = [product(1), product(2, "SLC")]
    first_answer: list[bool] = []
    original = api.__call__

    def expire_after_first_listing(request: httpx.Request) -> httpx.Response:
        answer = original(request)
        if request.url.path.endswith("/download") and not first_answer:
            first_answer.append(True)
            api.valid_sigs = {"v2"}  # every link handed out so far is now expired
        return answer

    with CapellaConsoleClient(
        api_key="k",
        no_token_check=True,
        base_url="https://api.test",
        transport=httpx.MockTransport(expire_after_first_listing),
    ) as other:
        result = other.download_products(order_id=ORDER_ID, local_dir=tmp_path)
    assert api.calls().count(f"GET /orders/{ORDER_ID}/download") == 2
    hrefs = {i["id"]: i["assets"] for i in api.presigned}
    for stac_id, entry in result.items():
        for key, path in entry.items():
            assert_served(path, hrefs[stac_id][key]["href"])


def test_refresher_serves_a_burst_with_one_fetch() -> None:
    fetched: list[int] = []
    items = [product(1, sig="old"), product(2, "SLC", sig="old")]

    def fetch() -> list[dict[str, Any]]:
        fetched.append(1)
        return [product(1, sig=f"new{len(fetched)}"), product(2, "SLC", sig=f"new{len(fetched)}")]

    clock = [0.0]
    refresher = PresignedRefresher(ORDER_ID, fetch, items, clock=lambda: clock[0])
    jobs = [
        refresher.for_asset(i["id"], key, asset["href"])
        for i in items
        for key, asset in i["assets"].items()
    ]
    urls = [refresh() for refresh in jobs]
    assert len(fetched) == 1
    assert all("sig=new1" in u for u in urls)
    # Much later, the fresh links expired too: the next burst fetches once more.
    clock[0] = 3600.0
    assert all("sig=new2" in refresh() for refresh in jobs)
    assert len(fetched) == 2


def test_refresher_reports_an_asset_the_order_no_longer_lists() -> None:
    refresher = PresignedRefresher(ORDER_ID, list, [product(1)])
    refresh = refresher.for_asset(sid(1), "HH", product(1)["assets"]["HH"]["href"])
    with pytest.raises(Exception, match="no longer lists"):
        refresh()


def test_expired_url_without_an_order_fails_clearly(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path
) -> None:
    api.valid_sigs = {"v2"}
    with pytest.raises(DownloadError, match="get_presigned_items"):
        client.download_products(
            items_presigned=[product(1)], local_dir=tmp_path, include="thumbnail"
        )


# -- single assets -------------------------------------------------------------------------


def test_download_asset_to_a_file_or_a_folder(client: CapellaConsoleClient, tmp_path: Path) -> None:
    href = product(1)["assets"]["thumbnail"]["href"]
    dest = tmp_path / "thumb.png"
    assert client.download_asset(href, local_path=str(dest)) == dest
    assert_served(dest, href)
    into_folder = client.download_asset(href, local_path=tmp_path)
    assert into_folder == tmp_path / f"{sid(1)}_thumb.png"
    assert_served(into_folder, href)
    new_folder = client.download_asset(href, local_path=f"{tmp_path}/sub/")
    assert new_folder == tmp_path / "sub" / f"{sid(1)}_thumb.png"


def test_get_asset_bytesize(client: CapellaConsoleClient, api: FakeApi) -> None:
    href = product(1)["assets"]["HH"]["href"]
    assert client.get_asset_bytesize(href) == len(content(httpx.URL(href).path))
    api.valid_sigs = {"other"}
    with pytest.raises(Exception, match="403") as info:
        client.get_asset_bytesize(href)
    assert getattr(info.value, "status_code", None) == 403


def test_download_product_is_deprecated_and_returns_paths_by_asset(
    client: CapellaConsoleClient, api: FakeApi, tmp_path: Path
) -> None:
    with pytest.warns(DeprecationWarning, match="download_products"):
        paths = client.download_product(order_id=ORDER_ID, local_dir=tmp_path, include="metadata")
    assert paths == {"metadata": tmp_path / sid(1) / f"{sid(1)}_extended.json"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from_assets = client.download_product(
            assets_presigned=product(3, pol="VV")["assets"], local_dir=tmp_path, include="raster"
        )
    assert from_assets == {"VV": tmp_path / sid(3, pol="VV") / f"{sid(3, pol='VV')}.tif"}


def test_the_deprecation_warning_points_at_the_caller(
    client: CapellaConsoleClient, tmp_path: Path
) -> None:
    with pytest.warns(DeprecationWarning) as caught:
        client.download_product(order_id=ORDER_ID, local_dir=tmp_path, include="metadata")
    assert caught[0].filename == __file__


def test_a_download_step_on_a_session_without_a_client_is_refused() -> None:
    from capella._http import ApiSession
    from capella.downloads import get_asset_bytesize

    with (
        ApiSession(base_url="https://api.test") as session,
        pytest.raises(RuntimeError, match="no transfer driver for SizeOf"),
    ):
        session.run(get_asset_bytesize(session, "https://assets.test/a.tif"))


def test_a_task_download_resolves_through_the_api_operations_without_any_client(
    api: FakeApi,
) -> None:
    from capella._http import ApiSession
    from capella.products import products_flow

    flow_on = ApiSession(base_url="https://api.test", transport=httpx.MockTransport(api))
    with flow_on as session:
        flow = products_flow(session, None, None, TASK_ID, None, frozenset({"GEO"}), None)
        source = session.run(flow)
    assert source is not None and source.order_id == ORDER_ID
    assert {i["properties"]["sar:product_type"] for i in source.items} == {"GEO"}
    assert api.calls() == [
        f"GET /task/{TASK_ID}",
        f"GET /collects/list/{TASK_ID}",
        "POST /catalog/search",
        "GET /user",
        "GET /orders",  # an active order holding the products would be reused
        "POST /orders/review",
        "POST /orders",
        f"GET /orders/{ORDER_ID}/download",
    ]
