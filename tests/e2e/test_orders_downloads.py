"""The order, download, presign, list-orders and review snippets of the seed example usage,
end to end against the sandbox; every downloaded file is checked by sha256 against its content.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from capella import CapellaConsoleClient
from capella.errors import (
    InsufficientFundsError,
    OrderExpiredError,
    TaskNotCompleteError,
    UnknownStacIdsError,
)
from capella.sandbox import DEMO_API_KEY, Sandbox
from capella.sandbox.assets import content_sha256
from capella.sandbox.faults import FaultKind

pytestmark = pytest.mark.e2e

olympic_NP_bbox = [-122.4, 46.9, -124.9, 48.5]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def assert_intact(sandbox: Sandbox, paths: Mapping[str, Mapping[str, Path]]) -> int:
    """Every file is whole (sha256 of the sandbox's content); no work file is left. Count them."""
    count = 0
    for stac_id, assets in paths.items():
        item = sandbox.state.catalog.get(stac_id)
        assert item is not None, stac_id
        for key, path in assets.items():
            assert path.is_file(), path
            assert sha256(path) == content_sha256(item, key, sandbox.config.raster_size), path
            assert not path.with_name(path.name + ".part").exists()
            count += 1
    return count


@pytest.fixture(scope="module")
def seed_client(sandbox: Sandbox) -> Iterator[CapellaConsoleClient]:
    """A client shared by the module's fixtures (the per-test ``client`` is function-scoped)."""
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as c:
        yield c


@pytest.fixture(scope="module")
def capella_spotlight_olympic_NP_geo(seed_client: CapellaConsoleClient) -> Any:
    """The seed's search: capella spotlight GEO over Olympic National Park."""
    result = seed_client.search(
        constellation="capella",
        instrument_mode="spotlight",
        bbox=olympic_NP_bbox,
        product_type="GEO",
    )
    assert len(result) >= 2
    return result


@pytest.fixture(scope="module")
def order_id(seed_client: CapellaConsoleClient, capella_spotlight_olympic_NP_geo: Any) -> str:
    """An order of the Olympic items (the seed's ``order_id``)."""
    return seed_client.submit_order(items=capella_spotlight_olympic_NP_geo)


# -- order items ---------------------------------------------------------------------------


def test_order_items(
    client: CapellaConsoleClient, sandbox: Sandbox, capella_spotlight_olympic_NP_geo: Any
) -> None:
    # submit order with stac items
    order_id = client.submit_order(items=capella_spotlight_olympic_NP_geo)
    order = client.list_orders(order_id)[0]
    assert {i["granuleId"] for i in order["items"]} == set(
        capella_spotlight_olympic_NP_geo.stac_ids
    )

    # alternatively order by STAC ids
    first_two_ids = [item["id"] for item in capella_spotlight_olympic_NP_geo[:2]]
    order_id = client.submit_order(stac_ids=first_two_ids)
    assert [i["granuleId"] for i in client.list_orders(order_id)[0]["items"]] == first_two_ids

    # since orders expire you can alternatively check prior if an active order already exists
    before = len(client.list_orders())
    existing = client.submit_order(items=capella_spotlight_olympic_NP_geo, check_active_orders=True)
    assert len(client.list_orders()) == before  # nothing new was ordered
    assert set(capella_spotlight_olympic_NP_geo.stac_ids) <= {
        i["granuleId"] for i in client.list_orders(existing)[0]["items"]
    }


def test_order_of_unknown_ids_names_them(client: CapellaConsoleClient, order_id: str) -> None:
    known = client.get_stac_items_of_order(order_id, ids_only=True)
    assert isinstance(known, list)
    bogus = "CAPELLA_C99_SP_GEO_HH_20990101000000_20990101000009"
    before = len(client.list_orders())
    with pytest.raises(UnknownStacIdsError, match=bogus):
        client.submit_order(stac_ids=[known[0], bogus])
    assert len(client.list_orders()) == before


def test_insufficient_funds(client: CapellaConsoleClient) -> None:
    # Thousands of purchasable archive items exceed the sandbox's commitment.
    many = client.search(ownership="availableForPurchase", limit=200)
    with pytest.raises(InsufficientFundsError, match="Order cost"):
        client.review_order(items=many)


# -- download assets -----------------------------------------------------------------------


def test_download_all_products_of_an_order(
    client: CapellaConsoleClient, sandbox: Sandbox, order_id: str, tmp_path: Path
) -> None:
    # download all products of an order (to tmp_path instead of /tmp)
    product_paths = client.download_products(order_id=order_id, local_dir=tmp_path)
    ordered = client.get_stac_items_of_order(order_id, ids_only=True)
    assert sorted(product_paths) == sorted(ordered)
    assert assert_intact(sandbox, product_paths) == 4 * len(ordered)
    for stac_id, assets in product_paths.items():
        # by default each product goes into its own folder: <dir>/<stac_id>/<stac_id>.tif, ...
        raster = "HH" if "_HH_" in stac_id else "VV"
        assert assets[raster] == tmp_path / stac_id / f"{stac_id}.tif"
        assert assets["thumbnail"] == tmp_path / stac_id / f"{stac_id}_thumb.png"
        assert assets["metadata"] == tmp_path / stac_id / f"{stac_id}_extended.json"
        assert "license" not in assets


def test_download_serially(
    client: CapellaConsoleClient, sandbox: Sandbox, order_id: str, tmp_path: Path
) -> None:
    product_paths = client.download_products(order_id=order_id, local_dir=tmp_path, threaded=False)
    assert assert_intact(sandbox, product_paths) > 0


def test_download_with_progress_then_override(
    client: CapellaConsoleClient, sandbox: Sandbox, order_id: str, tmp_path: Path
) -> None:
    product_paths = client.download_products(
        order_id=order_id, local_dir=tmp_path, show_progress=True
    )
    assert_intact(sandbox, product_paths)
    # the client is respectful of your local files and does not override them by default
    # (one of the asset's size is kept; a shorter one is completed, as the reference SDK does)
    a_thumb = next(iter(product_paths.values()))["thumbnail"]
    edited = b"my own edits".ljust(a_thumb.stat().st_size, b"!")
    a_thumb.write_bytes(edited)
    client.download_products(order_id=order_id, local_dir=tmp_path, show_progress=True)
    assert a_thumb.read_bytes() == edited
    # but can be instructed to do so
    local_thumb_path = client.download_products(
        order_id=order_id, local_dir=tmp_path, show_progress=True, override=True
    )
    assert assert_intact(sandbox, local_thumb_path) > 0


def test_download_flat(
    client: CapellaConsoleClient, sandbox: Sandbox, order_id: str, tmp_path: Path
) -> None:
    product_paths = client.download_products(
        order_id=order_id, separate_dirs=False, local_dir=tmp_path
    )
    assert_intact(sandbox, product_paths)
    for stac_id, assets in product_paths.items():
        raster = "HH" if "_HH_" in stac_id else "VV"
        assert assets[raster] == tmp_path / f"{stac_id}.tif"
    assert all(p.is_file() for p in tmp_path.iterdir())


def test_download_resumes_after_cuts_and_skips_complete_files(
    client: CapellaConsoleClient, sandbox: Sandbox, order_id: str, tmp_path: Path
) -> None:
    # every asset connection is cut twice, a few KiB into the body
    sandbox.faults.add("assets", FaultKind.CUT, times=2, after_bytes=20_000)
    product_paths = client.download_products(
        order_id=order_id, local_dir=tmp_path, show_progress=True, enable_resume=True
    )
    assert_intact(sandbox, product_paths)
    sandbox.faults.clear()
    stamps = {p: p.stat().st_mtime_ns for a in product_paths.values() for p in a.values()}
    client.download_products(order_id=order_id, local_dir=tmp_path, enable_resume=True)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps  # complete files are skipped


def test_expired_links_are_refreshed_from_the_order(
    client: CapellaConsoleClient, sandbox: Sandbox, order_id: str, tmp_path: Path
) -> None:
    # the asset host refuses the first link as expired; a fresh one comes from the order
    sandbox.faults.add("assets", FaultKind.EXPIRED, times=1)
    product_paths = client.download_products(order_id=order_id, local_dir=tmp_path)
    assert not sandbox.faults  # the fault did fire
    assert assert_intact(sandbox, product_paths) > 0


# -- single asset --------------------------------------------------------------------------


def test_single_asset(
    client: CapellaConsoleClient, sandbox: Sandbox, order_id: str, tmp_path: Path
) -> None:
    assets_presigned = client.get_presigned_assets(order_id)
    first = client.get_presigned_items(order_id)[0]  # the product of assets_presigned[0]
    item = sandbox.state.catalog.get(first["id"])
    assert item is not None
    raster_size = sandbox.config.raster_size
    pol = "HH" if "HH" in assets_presigned[0] else "VV"  # the seed's product is HH

    # download thumbnail
    thumb_presigned_href = assets_presigned[0]["thumbnail"]["href"]
    dest_path = str(tmp_path / "thumb.png")
    local_thumb_path = client.download_asset(thumb_presigned_href, local_path=dest_path)
    assert local_thumb_path == Path(dest_path)
    assert sha256(local_thumb_path) == content_sha256(item, "thumbnail", raster_size)

    # assets are saved into OS specific temp directory if `local_path` not provided
    raster_presigned_href = assets_presigned[0][pol]["href"]
    expected = Path(tempfile.gettempdir()) / f"{first['id']}.tif"
    expected.unlink(missing_ok=True)
    try:
        local_raster_path = client.download_asset(raster_presigned_href)
        assert local_raster_path == expected
        assert sha256(local_raster_path) == content_sha256(item, pol, raster_size)
    finally:
        expected.unlink(missing_ok=True)

    # a folder gets the asset's own file name
    in_folder = client.download_asset(raster_presigned_href, local_path=tmp_path)
    assert in_folder == tmp_path / f"{first['id']}.tif"

    # resume download: running the same command again resumes, or skips a complete file
    client.download_asset(
        raster_presigned_href, local_path=tmp_path / "img.tif", show_progress=True
    )
    stamp = (tmp_path / "img.tif").stat().st_mtime_ns
    client.download_asset(
        raster_presigned_href, local_path=tmp_path / "img.tif", show_progress=True
    )
    assert (tmp_path / "img.tif").stat().st_mtime_ns == stamp
    assert sha256(tmp_path / "img.tif") == content_sha256(item, pol, raster_size)

    # the size of an asset, without downloading it
    assert client.get_asset_bytesize(raster_presigned_href) == (tmp_path / "img.tif").stat().st_size


def test_asset_bytesize_of_an_expired_link_raises(
    client: CapellaConsoleClient, sandbox: Sandbox, order_id: str
) -> None:
    href = client.get_presigned_assets(order_id)[0]["thumbnail"]["href"]
    sandbox.faults.add("assets", FaultKind.EXPIRED)
    with pytest.raises(Exception, match="403") as info:
        client.get_asset_bytesize(href)
    assert getattr(info.value, "status_code", None) == 403


# -- order filters -------------------------------------------------------------------------


@pytest.mark.parametrize("product_types", [["GEO"], ["SLC", "GEO"]])
def test_download_by_product_type(
    client: CapellaConsoleClient,
    sandbox: Sandbox,
    order_id: str,
    tmp_path: Path,
    product_types: list[str],
) -> None:
    product_paths = client.download_products(
        order_id=order_id, product_types=product_types, local_dir=tmp_path
    )
    assert product_paths
    for stac_id in product_paths:
        item = sandbox.state.catalog.get(stac_id)
        assert item is not None
        assert item["properties"]["sar:product_type"] in product_types
    assert_intact(sandbox, product_paths)


@pytest.mark.parametrize(
    ("include", "exclude", "keys"),
    [
        (["thumbnail"], None, {"thumbnail"}),
        ("thumbnail", None, {"thumbnail"}),
        ("raster", None, {"HH|VV"}),
        (None, "raster", {"metadata", "preview", "thumbnail"}),
        (["raster", "thumbnail"], "raster", {"thumbnail"}),  # explicit DENY overrides ALLOW
    ],
)
def test_download_by_asset_type(
    client: CapellaConsoleClient,
    sandbox: Sandbox,
    order_id: str,
    tmp_path: Path,
    include: Any,
    exclude: Any,
    keys: set[str],
) -> None:
    product_paths = client.download_products(
        order_id=order_id, include=include, exclude=exclude, local_dir=tmp_path
    )
    assert product_paths
    for stac_id, assets in product_paths.items():
        raster = "HH" if "_HH_" in stac_id else "VV"
        assert set(assets) == {raster if k == "HH|VV" else k for k in keys}
    assert_intact(sandbox, product_paths)
    on_disk = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert on_disk == {p for a in product_paths.values() for p in a.values()}


# -- items of tasking request / collect ----------------------------------------------------


@pytest.fixture(scope="module")
def tasking_request_id(seed_client: CapellaConsoleClient) -> str:
    """A completed tasking request of the demo user whose collects have GEO products."""
    for task in seed_client.search_tasking_requests(status="completed"):
        task_id = str(task["properties"]["taskingrequestId"])
        collect_ids = [c["collectId"] for c in seed_client.get_collects_for_task(task_id)]
        if collect_ids and seed_client.search(collect_id=collect_ids, product_type="GEO"):
            return task_id
    pytest.fail("the sandbox has no completed tasking request with GEO products")


def test_download_by_tasking_request(
    client: CapellaConsoleClient, sandbox: Sandbox, tasking_request_id: str, tmp_path: Path
) -> None:
    # download ALL products
    product_paths = client.download_products(
        tasking_request_id=tasking_request_id, local_dir=tmp_path / "all"
    )
    collect_ids = [c["collectId"] for c in client.get_collects_for_task(tasking_request_id)]
    expected = client.search(collect_id=collect_ids)
    assert sorted(product_paths) == sorted(expected.stac_ids)
    assert_intact(sandbox, product_paths)

    # download only GEO product
    product_paths = client.download_products(
        tasking_request_id=tasking_request_id, product_types=["GEO"], local_dir=tmp_path / "geo"
    )
    assert product_paths
    assert all("_GEO_" in stac_id for stac_id in product_paths)
    assert_intact(sandbox, product_paths)


def test_download_by_tasking_request_charges_the_given_contract(
    client: CapellaConsoleClient, sandbox: Sandbox, tasking_request_id: str, tmp_path: Path
) -> None:
    from capella.sandbox import DEMO_CONTRACT_ID

    product_paths = client.download_products(
        tasking_request_id=tasking_request_id,
        product_types=["GEO"],
        contract_id=DEMO_CONTRACT_ID,
        include="metadata",
        local_dir=tmp_path,
    )
    orders = [
        o
        for o in client.list_orders(is_active=True)
        if set(product_paths) <= {i["granuleId"] for i in o["items"]}
    ]
    assert any(o.get("contractId") == DEMO_CONTRACT_ID for o in orders)


def test_download_by_unfinished_tasking_request_raises(
    client: CapellaConsoleClient, tmp_path: Path
) -> None:
    accepted = client.search_tasking_requests(status="accepted")
    assert accepted
    with pytest.raises(TaskNotCompleteError):
        client.download_products(
            tasking_request_id=accepted[0]["properties"]["taskingrequestId"], local_dir=tmp_path
        )


def test_download_by_collect(
    client: CapellaConsoleClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    gec = client.search(product_type="GEC", ownership="ownedByOrganization", limit=1)[0]
    collect_id = gec["properties"]["capella:collect_id"]

    # download ALL products
    product_paths = client.download_products(collect_id=collect_id, local_dir=tmp_path / "all")
    assert sorted(product_paths) == sorted(client.search(collect_id=collect_id).stac_ids)
    assert_intact(sandbox, product_paths)

    # download only GEC product
    product_paths = client.download_products(
        collect_id=collect_id, product_types=["GEC"], local_dir=tmp_path / "gec"
    )
    assert list(product_paths) == [gec["id"]]
    assert_intact(sandbox, product_paths)


def test_download_by_collect_without_products_returns_nothing(
    client: CapellaConsoleClient, tmp_path: Path
) -> None:
    gec = client.search(product_type="GEC", limit=1)[0]
    collect_id = gec["properties"]["capella:collect_id"]
    assert client.download_products(collect_id=collect_id, product_types=["ACD"]) == {}


# -- review order --------------------------------------------------------------------------


def test_review_order(client: CapellaConsoleClient, capella_spotlight_olympic_NP_geo: Any) -> None:
    order_details = client.review_order(items=capella_spotlight_olympic_NP_geo)
    summary = order_details["orderDetails"]["summary"]
    assert summary["total"].startswith("$")
    assert {line["granuleId"] for line in order_details["orderDetails"]["lineItems"]} == set(
        capella_spotlight_olympic_NP_geo.stac_ids
    )


# -- presign assets ------------------------------------------------------------------------


def test_presign_assets(
    client: CapellaConsoleClient, order_id: str, capella_spotlight_olympic_NP_geo: Any
) -> None:
    items_presigned = client.get_presigned_items(order_id)
    assert {i["id"] for i in items_presigned} == set(capella_spotlight_olympic_NP_geo.stac_ids)
    assert all("Signature=" in i["assets"]["thumbnail"]["href"] for i in items_presigned)

    # presigned assets can also be filtered - e.g. the presigned assets of 2 specific STAC ids
    first_two_ids = [item["id"] for item in capella_spotlight_olympic_NP_geo[:2]]
    items_presigned = client.get_presigned_items(order_id, stac_ids=first_two_ids)
    assert sorted(i["id"] for i in items_presigned) == sorted(first_two_ids)

    # sort presigned assets by list of stac ids
    sorted_stac_ids = sorted([s["id"] for s in capella_spotlight_olympic_NP_geo])
    items_presigned_sorted = client.get_presigned_items(order_id, sort_by=sorted_stac_ids)
    assert [i["id"] for i in items_presigned_sorted] == sorted_stac_ids
    backwards = sorted_stac_ids[::-1]
    assert [i["id"] for i in client.get_presigned_items(order_id, sort_by=backwards)] == backwards


def test_expired_order_cannot_be_presigned(
    client: CapellaConsoleClient, sandbox: Sandbox, order_id: str
) -> None:
    sandbox.state.advance_clock(2 * 3600)
    with pytest.raises(OrderExpiredError):
        client.get_presigned_items(order_id)


# -- list orders ---------------------------------------------------------------------------


def test_list_orders(client: CapellaConsoleClient, order_id: str) -> None:
    # list all orders
    all_orders = client.list_orders()
    assert order_id in {o["orderId"] for o in all_orders}

    # list all active orders
    all_active_orders = client.list_orders(is_active=True)
    assert order_id in {o["orderId"] for o in all_active_orders}

    # list specific order(s) by order id
    specific_order_id = all_orders[0]["orderId"]
    specific_orders = client.list_orders(order_ids=[specific_order_id])
    assert [o["orderId"] for o in specific_orders] == [specific_order_id]
    assert client.list_orders(specific_order_id) == specific_orders


def test_list_orders_without_token_check_sends_the_customer_id(
    sandbox: Sandbox, order_id: str
) -> None:
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url, no_token_check=True) as c:
        assert order_id in {o["orderId"] for o in c.list_orders()}
