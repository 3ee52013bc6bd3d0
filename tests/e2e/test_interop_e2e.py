"""The geospatial stack against the sandbox: shapely inputs, rasterio on GEO/GEC GeoTIFFs, and
the README's "Reading imagery" examples, run as written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import rasterio
import shapely.geometry
from rasterio.windows import Window

from capella import CapellaConsoleClient
from capella.sandbox import DEMO_API_KEY, Sandbox
from capella.sandbox.assets import content_sha256
from capella.sandbox.catalog import Catalog

pytestmark = pytest.mark.e2e


# GDAL reads presigned URLs with HTTP Range. Without EMPTY_DIR it also lists the URL's
# "directory" from a call during which rasterio holds the GIL, so the sandbox, a thread of this
# process, cannot answer until GDAL times out (a sandbox in its own process answers at once).
REMOTE_GDAL = {"GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR", "GDAL_HTTP_TIMEOUT": "10"}


@pytest.fixture(scope="module")
def own_sandbox(sandbox_catalog: Catalog) -> Iterator[Sandbox]:
    """A sandbox of this module's own: its orders and tasks stay out of the shared sandbox."""
    with Sandbox(catalog=sandbox_catalog) as running:
        yield running


@pytest.fixture(scope="module")
def client(own_sandbox: Sandbox) -> Iterator[CapellaConsoleClient]:
    """A client of the module's own sandbox (replaces the shared sandbox's ``client``)."""
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=own_sandbox.url) as client:
        yield client


@pytest.fixture(scope="module")
def geo_order(client: CapellaConsoleClient) -> tuple[str, dict[str, Any]]:
    """An order of one GEO and one GEC item (not across the antimeridian), and the items."""
    items = {}
    for product in ("GEO", "GEC"):
        found = client.search(product_type=product, limit=50)
        items[product] = next(i for i in found if i["bbox"][0] < i["bbox"][2])
    return client.submit_order(items=list(items.values())), items


def polarization(item: dict[str, Any]) -> str:
    return str(item["properties"]["sar:polarizations"][0])


# -- geometry inputs -------------------------------------------------------------------------


def test_search_intersects_shapely_geometries_and_result_items(
    client: CapellaConsoleClient,
) -> None:
    product = next(
        i for i in client.search(product_type="GEO", limit=50) if i["bbox"][0] < i["bbox"][2]
    )
    footprint = shapely.geometry.shape(product)  # an item has __geo_interface__
    around = shapely.geometry.box(*footprint.buffer(0.01).bounds)
    for geometry in (around, footprint.centroid, shapely.geometry.MultiPolygon([around])):
        assert product["id"] in client.search(intersects=geometry, product_type="GEO").stac_ids
    assert product["id"] in client.search(intersects=product, product_type="GEO").stac_ids
    far_away = shapely.geometry.box(-10.0, -89.0, -9.0, -88.0)
    assert product["id"] not in client.search(intersects=far_away).stac_ids


def test_create_tasking_request_takes_shapely_geometries(client: CapellaConsoleClient) -> None:
    point = shapely.geometry.Point(11.148216220469152, 49.59672249842626)
    task = client.create_tasking_request(geometry=point, name="shapely point")
    assert task["geometry"] == {"type": "Point", "coordinates": [point.x, point.y]}
    area = shapely.geometry.box(11.148, 49.554, 11.219, 49.596)
    task = client.create_tasking_request(geometry=area, name="shapely polygon")
    assert task["geometry"]["type"] == "Polygon"
    assert shapely.geometry.shape(task["geometry"]).equals(area)
    # the answer is a Feature too: it can be searched for again
    found = client.search_tasking_requests(
        tasking_request_id=task["properties"]["taskingrequestId"]
    )
    assert shapely.geometry.shape(found[0]).equals(area)


# -- rasterio on GEO / GEC GeoTIFFs ----------------------------------------------------------


def test_downloaded_geo_raster_opens_with_rasterio(
    own_sandbox: Sandbox,
    client: CapellaConsoleClient,
    geo_order: tuple[str, dict[str, Any]],
    tmp_path: Path,
) -> None:
    order_id, items = geo_order
    item = items["GEO"]
    pol = polarization(item)
    paths = client.download_products(
        order_id=order_id, local_dir=tmp_path, include="raster", product_types=["GEO"]
    )
    path = paths[item["id"]][pol]
    assert path.suffix == ".tif"
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 4326
        assert tuple(src.bounds) == pytest.approx(tuple(item["bbox"]), abs=1e-9)
        assert (src.width, src.height, src.count) == (256, 256, 1)
        assert src.dtypes == ("uint16",)
        whole = src.read(1)
        window = src.read(1, window=Window(col_off=32, row_off=64, width=16, height=8))
    assert window.shape == (8, 16)
    assert (window == whole[64:72, 32:48]).all()
    assert whole.std() > 0  # an image, not a flat fill
    # the GeoTIFF, padded to the configured raster size (larger than the GeoTIFF by default)
    assert path.stat().st_size == own_sandbox.config.raster_size
    expected = content_sha256(item, pol, own_sandbox.config.raster_size)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected


@pytest.mark.parametrize("product", ["GEO", "GEC"])
def test_presigned_geotiffs_open_over_http_range(
    client: CapellaConsoleClient, geo_order: tuple[str, dict[str, Any]], product: str
) -> None:
    order_id, items = geo_order
    item = items[product]
    (presigned,) = client.get_presigned_items(order_id, stac_ids=[item["id"]])
    for key, shape, dtype in (
        (polarization(item), (256, 256), "uint16"),
        ("preview", (128, 128), "uint8"),
    ):
        href = presigned["assets"][key]["href"]
        assert href.startswith("http://127.0.0.1:")
        with rasterio.Env(**REMOTE_GDAL), rasterio.open(f"/vsicurl/{href}") as src:
            assert src.crs.to_epsg() == 4326
            assert src.shape == shape and src.dtypes == (dtype,)
            assert tuple(src.bounds) == pytest.approx(tuple(item["bbox"]), abs=1e-9)
            corner = src.read(1, window=Window(0, 0, 8, 8))
        assert corner.shape == (8, 8)
        # rasterio turns a plain http URL into /vsicurl/ as well
        with rasterio.Env(**REMOTE_GDAL), rasterio.open(href) as src:
            assert (src.read(1, window=Window(0, 0, 8, 8)) == corner).all()


# -- the README ------------------------------------------------------------------------------


def test_readme_reading_imagery_examples_run(
    client: CapellaConsoleClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    readme_code: Callable[[str], list[str]],
) -> None:
    blocks = readme_code("Reading imagery")
    assert len(blocks) == 3
    monkeypatch.chdir(tmp_path)  # the examples download into ./imagery
    namespace: dict[str, Any] = {"client": client}  # "with the client from above"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)

    results, footprints = namespace["results"], namespace["footprints"]
    assert len(results) > 0 and len(footprints) == len(results)
    assert footprints.crs.to_epsg() == 4326
    assert list(footprints["id"]) == results.stac_ids
    assert [i.id for i in namespace["item_collection"]] == results.stac_ids
    raster_path = Path(namespace["raster_path"]).resolve()
    assert raster_path.is_file() and (tmp_path.resolve() / "imagery") in raster_path.parents
    assert namespace["corner"].shape == (64, 64)
