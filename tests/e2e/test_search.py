"""Catalog search against the sandbox: every catalog snippet of the seed example usage, and exact
pagination over more than 10,000 matches."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from capella import CapellaConsoleClient
from capella.enumerations import InstrumentMode, ProductType
from capella.errors import InvalidFilterError
from capella.results import GroupbyResult, StacSearchResult
from capella.sandbox import DEMO_API_KEY, Sandbox

pytestmark = pytest.mark.e2e


def props(item: dict[str, Any]) -> dict[str, Any]:
    return item["properties"]  # type: ignore[no-any-return]


def instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- catalog: simple search (seed snippets) -------------------------------------------------


def test_random_product_and_stack_by_bbox(client: CapellaConsoleClient) -> None:
    # random
    random_product = client.search(constellation="capella", limit=1)[0]
    # intersecting same bounding box
    stack_by_bbox = client.search(bbox=random_product["bbox"])

    assert props(random_product)["constellation"] == "capella"
    assert random_product["id"] in stack_by_bbox.stac_ids
    assert 1 <= len(stack_by_bbox) <= 500


def test_spotlight(client: CapellaConsoleClient) -> None:
    capella_spotlight = client.search(
        constellation="capella", instrument_mode="spotlight", limit=1
    )[0]
    assert props(capella_spotlight)["sar:instrument_mode"] == "spotlight"


def test_capella_spotlight_geo_over_olympic_national_park(client: CapellaConsoleClient) -> None:
    olympic_NP_bbox = [-122.4, 46.9, -124.9, 48.5]
    capella_spotlight_olympic_NP_geo = client.search(
        constellation="capella",
        instrument_mode="spotlight",
        bbox=olympic_NP_bbox,
        product_type="GEO",
    )
    assert len(capella_spotlight_olympic_NP_geo) >= 3
    for item in capella_spotlight_olympic_NP_geo:
        assert props(item)["sar:product_type"] == "GEO"
        assert props(item)["sar:instrument_mode"] == "spotlight"
    # the ordering snippets take the first two ids
    first_two_ids = [item["id"] for item in capella_spotlight_olympic_NP_geo[:2]]
    assert len(first_two_ids) == 2


def test_many_products_with_a_custom_limit(client: CapellaConsoleClient) -> None:
    many_products = client.search(constellation="capella", limit=1000)
    assert len(many_products) == 1000
    assert len(set(many_products.stac_ids)) == 1000


def test_expensive_searches_are_sped_up_with_threaded(client: CapellaConsoleClient) -> None:
    many_products = client.search(constellation="capella", limit=9999, threaded=True)
    assert len(many_products) == 9999
    assert len(set(many_products.stac_ids)) == 9999


def test_by_default_up_to_500_items(client: CapellaConsoleClient) -> None:
    result = client.search(constellation="capella")
    assert len(result) == 500
    assert result.request_body["limit"] == 500


# -- catalog: advanced search (seed snippets) -----------------------------------------------


def test_sorted_descending_by_datetime_capella_5_hh(client: CapellaConsoleClient) -> None:
    capella_5 = client.search(polarizations="HH", platform="capella-5", sortby="-datetime")
    assert capella_5
    times = [instant(props(i)["datetime"]) for i in capella_5]
    assert times == sorted(times, reverse=True)
    assert all(props(i)["platform"] == "capella-5" for i in capella_5)
    assert all("HH" in props(i)["sar:polarizations"] for i in capella_5)


def test_sorted_by_datetime_then_id_capella_2_vv(client: CapellaConsoleClient) -> None:
    vvs = client.search(polarizations="VV", platform="capella-2", sortby=["-datetime", "+id"])
    assert vvs
    keys = [(-instant(props(i)["datetime"]).timestamp(), i["id"]) for i in vvs]
    assert keys == sorted(keys)
    assert all(props(i)["platform"] == "capella-2" for i in vvs)


def test_slc_stripmap_collected_in_june_2021(client: CapellaConsoleClient) -> None:
    capella_sm_01_2021 = client.search(
        instrument_mode="stripmap",
        datetime__gt="2021-06-01T00:00:00Z",
        datetime__lt="2021-07-01T00:00:00Z",
        product_type="SLC",
        limit=10,
    )
    assert 1 <= len(capella_sm_01_2021) <= 10
    for item in capella_sm_01_2021:
        assert datetime(2021, 6, 1, tzinfo=UTC) < instant(props(item)["datetime"])
        assert instant(props(item)["datetime"]) < datetime(2021, 7, 1, tzinfo=UTC)
        assert props(item)["sar:product_type"] == "SLC"


def test_datetime_objects_work_where_the_reference_sdk_raised(client: CapellaConsoleClient) -> None:
    by_strings = client.search(
        datetime__gt="2021-06-01T00:00:00Z", datetime__lt="2021-07-01T00:00:00Z", limit=50
    )
    by_objects = client.search(
        datetime__gt=datetime(2021, 6, 1), datetime__lt=datetime(2021, 7, 1, tzinfo=UTC), limit=50
    )
    assert by_strings.stac_ids == by_objects.stac_ids and by_strings


def test_geo_stripmap_or_spotlight(client: CapellaConsoleClient) -> None:
    capella_sm_or_sp = client.search(
        instrument_mode=["stripmap", "spotlight"], product_type="GEO", limit=10
    )
    assert len(capella_sm_or_sp) == 10
    assert {props(i)["sar:instrument_mode"] for i in capella_sm_or_sp} <= {"stripmap", "spotlight"}


def test_high_resolution(client: CapellaConsoleClient) -> None:
    capella_sm_or_sp_hq = client.search(
        resolution_azimuth__lte=0.5, resolution_range__gte=0.3, resolution_range__lte=0.5, limit=10
    )
    assert capella_sm_or_sp_hq
    for item in capella_sm_or_sp_hq:
        assert props(item)["sar:resolution_azimuth"] <= 0.5
        assert 0.3 <= props(item)["sar:resolution_range"] <= 0.5


def test_sliding_spotlight_geo_with_look_angle_above_35(client: CapellaConsoleClient) -> None:
    plus35_lookangle_sliding_spotlight = client.search(
        look_angle__gt=35, product_type="GEO", instrument_mode="sliding_spotlight", limit=10
    )
    assert plus35_lookangle_sliding_spotlight
    for item in plus35_lookangle_sliding_spotlight:
        assert props(item)["view:look_angle"] > 35
        assert props(item)["sar:instrument_mode"] == "sliding_spotlight"


def test_items_derived_from_a_particular_collect(client: CapellaConsoleClient) -> None:
    collect_id = "27a71826-7819-48cc-b8f2-0ad10bee0f97"  # the seed's placeholder
    assert isinstance(client.search(collect_id=collect_id), StacSearchResult)
    # NOTE: provide valid collect_id
    collect_id = client.search(product_type="GEO", limit=1)[0]["properties"]["capella:collect_id"]
    collect_id_items = client.search(collect_id=collect_id)
    assert len(collect_id_items) >= 1
    assert set(collect_id_items.collect_ids) == {collect_id}


def test_geo_items_by_local_time_window_within_an_epsg(client: CapellaConsoleClient) -> None:
    night_items = client.search(
        product_type="GEO", local_time__gte="03:00:00", local_time__lte="04:00:00", epsg=32648
    )
    assert night_items
    for item in night_items:
        assert "03:00:00" <= props(item)["locale:time"] <= "04:00:00"
        assert props(item)["proj:epsg"] == 32648


def test_ownership_filters(client: CapellaConsoleClient) -> None:
    owned_geo_items = client.search(product_type="GEO", ownership="ownedByOrganization")
    assert owned_geo_items
    assert owned_geo_items.request_body["ownership"] == "ownedByOrganization"
    public = client.search(product_type="GEO", ownership="publiclyAvailable", limit=50)
    assert not set(owned_geo_items.stac_ids) & set(public.stac_ids)


def test_take_it_to_the_max(client: CapellaConsoleClient) -> None:
    sanfran_dt_bbox = [-122.4, 37.7, -122.3, 37.8]
    hefty_query_SF_sorted = client.search(
        bbox=sanfran_dt_bbox,
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
    assert hefty_query_SF_sorted
    for item in hefty_query_SF_sorted:
        p = props(item)
        assert item["collection"] == "capella-geo"
        assert 25 < p["view:look_angle"] < 35
        assert p["sat:orbit_state"] == "descending"
        assert p["capella:orbital_plane"] == 45
        assert p["sar:observation_direction"] == "right"


# -- group search results (seed snippet) ----------------------------------------------------


def test_group_search_results(client: CapellaConsoleClient) -> None:
    results = client.search(instrument_mode="spotlight", product_type="GEO", sortby="-datetime")
    by_stac_id = results.groupby(field="id")
    by_collect_id = results.groupby(field="collect_id")
    by_stac_collection = results.groupby(field="collection")
    by_instrument_mode = results.groupby(field="instrument_mode")
    by_instrument = results.groupby(field="instruments").keys()  # the seed says `res`

    assert isinstance(by_stac_id, GroupbyResult)
    assert len(by_stac_id) == len(results)
    assert sum(by_collect_id.value_counts().values()) == len(results)
    assert set(by_stac_collection) <= {"capella-geo", "capella-open-data"}
    assert list(by_instrument_mode) == ["spotlight"]
    assert all(isinstance(k, str) for k in by_instrument)
    group = next(iter(by_collect_id.values()))
    assert isinstance(group, StacSearchResult)
    assert group.merge(results).stac_ids[: len(group)] == group.stac_ids


def test_groupby_on_an_unknown_field_fails_closed(client: CapellaConsoleClient) -> None:
    results = client.search(limit=5)
    with pytest.raises(InvalidFilterError, match="did you mean 'instrument_mode'"):
        results.groupby(field="instrument_mod")


# -- visualize search results (seed snippet) ------------------------------------------------


def test_store_stac_items_in_a_geojson_feature_collection(
    client: CapellaConsoleClient, tmp_path: Path
) -> None:
    results = client.search(instrument_mode="spotlight", product_type="GEO", sortby="-datetime")
    # store stac items in geojson FeatureCollection
    feature_collection = results.to_feature_collection()
    # write to disk
    feature_collection_path = tmp_path / "CAPELLA_SP_GEOs.geojson"
    feature_collection_path.write_text(json.dumps(feature_collection))

    written = json.loads(feature_collection_path.read_text())
    assert written["type"] == "FeatureCollection"
    assert [f["id"] for f in written["features"]] == results.stac_ids


# -- typed values at the edge ---------------------------------------------------------------


def test_enums_and_typed_items(client: CapellaConsoleClient) -> None:
    result = client.search(
        product_type=ProductType.GEO, instrument_mode=InstrumentMode.spotlight, limit=3
    )
    assert len(result) == 3
    model = result.stac_item(0)
    assert model.id == result[0]["id"]
    assert [m.id for m in result.stac_items()] == result.stac_ids


def test_intersects_with_a_geojson_geometry(client: CapellaConsoleClient) -> None:
    geojson = pytest.importorskip("geojson")
    shapely_geometry = pytest.importorskip("shapely.geometry")
    # an ordinary footprint (not one straddling the antimeridian)
    product = next(
        i for i in client.search(product_type="GEO", limit=50) if i["bbox"][0] < i["bbox"][2]
    )
    inside = shapely_geometry.shape(product["geometry"]).representative_point()
    point = geojson.Point([inside.x, inside.y], precision=15)
    assert product["id"] in client.search(intersects=point, product_type="GEO").stac_ids
    # anything with __geo_interface__ works as well
    assert product["id"] in client.search(intersects=inside, product_type="GEO").stac_ids


def test_sorting_on_a_prefixed_property_sorts(client: CapellaConsoleClient) -> None:
    result = client.search(sortby="-incidence_angle", limit=200)
    angles = [props(i)["view:incidence_angle"] for i in result]
    assert angles == sorted(angles, reverse=True)


# -- exactly the first N items over more than 10,000 matches --------------------------------


@pytest.fixture(scope="module")
def first_10000_ids(sandbox: Sandbox) -> Iterator[list[str]]:
    """The catalog's first 10,000 ids in its default order, read as ten plain pages of 1,000."""
    headers = {"Authorization": f"ApiKey {DEMO_API_KEY}"}
    with httpx.Client(base_url=sandbox.url, headers=headers, timeout=60) as http:
        pages = [
            http.post("/catalog/search", json={"limit": 1000, "page": n}).json()
            for n in range(1, 11)
        ]
    assert pages[0]["numberMatched"] > 10_000
    yield [f["id"] for page in pages for f in page["features"]]


@pytest.mark.parametrize("threaded", [False, True], ids=["sequential", "threaded"])
@pytest.mark.parametrize("limit", [9999, 10_000, 1001, 901])
def test_exactly_the_first_n_items_without_duplicates(
    client: CapellaConsoleClient, first_10000_ids: list[str], limit: int, threaded: bool
) -> None:
    result = client.search(limit=limit, threaded=threaded)
    assert result.stac_ids == first_10000_ids[:limit]


def test_a_limit_above_10000_returns_the_first_10000(
    client: CapellaConsoleClient, first_10000_ids: list[str]
) -> None:
    assert client.search(limit=25_000, threaded=True).stac_ids == first_10000_ids


@pytest.mark.parametrize("limit", [1001, 1799])
def test_sorted_searches_agree_between_modes(client: CapellaConsoleClient, limit: int) -> None:
    sequential = client.search(limit=limit, sortby=["-look_angle", "id"])
    threaded = client.search(limit=limit, sortby=["-look_angle", "id"], threaded=True)
    assert sequential.stac_ids == threaded.stac_ids
    assert len(set(sequential.stac_ids)) == limit
    keys = [(-props(i)["view:look_angle"], i["id"]) for i in sequential]
    assert keys == sorted(keys)
