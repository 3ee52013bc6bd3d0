"""The catalog snippets of the seed example usage, replayed from cassettes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capella import CapellaConsoleClient

pytestmark = pytest.mark.vcr


def test_random_product_and_stack_by_bbox(client: CapellaConsoleClient) -> None:
    random_product = client.search(constellation="capella", limit=1)[0]
    stack_by_bbox = client.search(bbox=random_product["bbox"])
    assert random_product["id"] in stack_by_bbox.stac_ids


def test_spotlight_geo_over_olympic_national_park(client: CapellaConsoleClient) -> None:
    # The seed's box, west and east swapped: searched as STAC says (across the antimeridian),
    # with a warning that shows the box the user most likely meant.
    olympic_np_bbox = [-122.4, 46.9, -124.9, 48.5]
    with pytest.warns(UserWarning, match=r"pass \[-124.9, 46.9, -122.4, 48.5\]"):
        result = client.search(
            constellation="capella",
            instrument_mode="spotlight",
            bbox=olympic_np_bbox,
            product_type="GEO",
        )
    assert len(result) > 0
    assert {i["properties"]["sar:product_type"] for i in result} == {"GEO"}
    assert {i["properties"]["sar:instrument_mode"] for i in result} == {"spotlight"}


def test_sorted_by_datetime_then_id(client: CapellaConsoleClient) -> None:
    vvs = client.search(polarizations="VV", platform="capella-2", sortby=["-datetime", "+id"])
    keys = [(i["properties"]["datetime"], i["id"]) for i in vvs]
    assert [k[0] for k in keys] == sorted((k[0] for k in keys), reverse=True)
    assert vvs.request_body["sortby"] == [
        {"field": "properties.datetime", "direction": "desc"},
        {"field": "id", "direction": "asc"},
    ]


def test_stripmap_slc_in_june_2021(client: CapellaConsoleClient) -> None:
    result = client.search(
        instrument_mode="stripmap",
        datetime__gt="2021-06-01T00:00:00Z",
        datetime__lt="2021-07-01T00:00:00Z",
        product_type="SLC",
        limit=10,
    )
    assert 0 < len(result) <= 10
    assert all("2021-06" in i["properties"]["datetime"] for i in result)


def test_resolution_ranges(client: CapellaConsoleClient) -> None:
    result = client.search(
        resolution_azimuth__lte=0.5, resolution_range__gte=0.3, resolution_range__lte=0.5, limit=10
    )
    assert result.request_body["query"]["sar:resolution_range"] == {"gte": 0.3, "lte": 0.5}
    for item in result:
        assert item["properties"]["sar:resolution_azimuth"] <= 0.5


def test_hefty_query_over_san_francisco(client: CapellaConsoleClient) -> None:
    result = client.search(
        bbox=[-122.4, 37.7, -122.3, 37.8],
        datetime__gt="2021-05-01T00:00:00Z",
        datetime__lt="2021-07-01T00:00:00Z",
        local_time__gte="09:00:00",
        local_time__lte="18:00:00",
        instrument_mode="spotlight",
        product_type="GEO",
        look_angle__gt=25,
        look_angle__lt=35,
        looks_equivalent_number=9,
        polarizations=["HH"],
        resolution_azimuth__lte=1,
        resolution_range__lte=1,
        orbit_state="descending",
        orbital_plane=45,
        observation_direction="right",
        squint_angle__gt=-0.5,
        squint_angle__lt=0.5,
        sortby="-datetime",
        collections=["capella-geo"],
    )
    assert len(result) >= 1


def test_groupby_and_feature_collection(client: CapellaConsoleClient, tmp_path: Path) -> None:
    results = client.search(instrument_mode="spotlight", product_type="GEO", sortby="-datetime")
    by_collect_id = results.groupby(field="collect_id")
    assert sum(by_collect_id.value_counts().values()) == len(results)
    assert set(results.groupby(field="instrument_mode")) == {"spotlight"}
    feature_collection = results.to_feature_collection()
    path = tmp_path / "CAPELLA_SP_GEOs.geojson"
    path.write_text(json.dumps(feature_collection))
    assert len(json.loads(path.read_text())["features"]) == len(results)


def test_many_products_follow_next_links(client: CapellaConsoleClient) -> None:
    many_products = client.search(constellation="capella", limit=1000)
    assert len(many_products) == 1000
    assert len(set(many_products.stac_ids)) == 1000
