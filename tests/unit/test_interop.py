"""Interop with the geospatial stack: pystac, geopandas, __geo_interface__, shapely inputs."""

from __future__ import annotations

import copy
import json
import pickle
import sys
from typing import Any

import geojson
import geopandas
import pystac
import pytest
import shapely.geometry

from capella.query import build_query
from capella.results import FeatureDict, StacSearchResult, TaskingRequestSearchResult
from capella.sandbox.catalog import Catalog
from capella.tasking._values import geometry as tasking_geometry
from capella.tasking.create import tasking_request_body


@pytest.fixture(scope="module")
def catalog_items() -> list[dict[str, Any]]:
    """Real items of a small sandbox catalog, every product type, as the API sends them."""
    catalog = Catalog(seed=5, size=400)
    by_product: dict[str, dict[str, Any]] = {}
    for item in catalog.items:
        by_product.setdefault(item["properties"]["sar:product_type"], item)
    return list(by_product.values())


@pytest.fixture
def result(catalog_items: list[dict[str, Any]]) -> StacSearchResult:
    found = StacSearchResult({"limit": 500})
    found.add({"type": "FeatureCollection", "features": copy.deepcopy(catalog_items)})
    return found


# -- items: dicts with __geo_interface__ -----------------------------------------------------


def test_items_are_dicts_usable_as_before(
    result: StacSearchResult, catalog_items: list[dict[str, Any]]
) -> None:
    item = result[0]
    assert isinstance(item, dict) and type(item) is FeatureDict
    assert item == catalog_items[0] and catalog_items[0] == item
    assert (
        item["properties"]["capella:collect_id"]
        == catalog_items[0]["properties"]["capella:collect_id"]
    )
    assert json.loads(json.dumps(item)) == catalog_items[0]
    assert json.dumps(item, sort_keys=True) == json.dumps(catalog_items[0], sort_keys=True)
    assert dict(item) == catalog_items[0] and {**item} == catalog_items[0]
    assert copy.deepcopy(item) == item and type(copy.deepcopy(item)) is FeatureDict
    assert not hasattr(item, "__dict__")  # no per-item overhead beyond the dict


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_items_and_results_pickle(result: StacSearchResult, protocol: int) -> None:
    item = pickle.loads(pickle.dumps(result[0], protocol=protocol))
    assert type(item) is FeatureDict and item == result[0]
    assert item.__geo_interface__ == result[0].__geo_interface__
    again = pickle.loads(pickle.dumps(result, protocol=protocol))
    assert again == result and all(type(i) is FeatureDict for i in again)


def test_adding_a_page_leaves_its_dicts_alone(catalog_items: list[dict[str, Any]]) -> None:
    page = {"features": [dict(catalog_items[0])]}
    before = copy.deepcopy(page)
    found = StacSearchResult()
    found.add(page)
    assert page == before and type(page["features"][0]) is dict
    assert found[0] == page["features"][0]


def test_every_way_of_building_a_result_gives_feature_dicts(
    result: StacSearchResult, catalog_items: list[dict[str, Any]]
) -> None:
    merged = result.merge(result, keep_duplicates=True)
    groups = result.groupby("product_type")
    built = StacSearchResult({}, _features=catalog_items)
    added = StacSearchResult()
    added.add_feature(catalog_items[0])
    for each in (merged, *groups.values(), built, added, result[:2]):
        assert all(type(item) is FeatureDict for item in each)
    assert merged[0] is result[0]  # already a FeatureDict: kept, not copied again


def test_item_geo_interface_is_a_geojson_feature(result: StacSearchResult) -> None:
    item = result[0]
    feature = item.__geo_interface__
    assert feature == {
        "type": "Feature",
        "id": item["id"],
        "bbox": item["bbox"],
        "geometry": item["geometry"],
        "properties": item["properties"],
    }
    assert shapely.geometry.shape(item).equals(shapely.geometry.shape(item["geometry"]))


def test_result_geo_interface_is_a_feature_collection(result: StacSearchResult) -> None:
    collection = result.__geo_interface__
    assert collection["type"] == "FeatureCollection"
    assert [f["id"] for f in collection["features"]] == result.stac_ids
    assert collection["features"][1] == result[1].__geo_interface__
    frame = geopandas.GeoDataFrame.from_features(result, crs="EPSG:4326")
    assert len(frame) == len(result)
    assert frame.geometry.iloc[0].equals(shapely.geometry.shape(result[0]["geometry"]))
    assert StacSearchResult().__geo_interface__ == {"type": "FeatureCollection", "features": []}


def test_tasking_requests_have_geo_interface_too() -> None:
    request = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [11.1, 49.6]},
        "properties": {"taskingrequestId": "27a71826-7819-48cc-b8f2-0ad10bee0f97"},
    }
    found = TaskingRequestSearchResult()
    found.add({"results": [request]})
    assert shapely.geometry.shape(found[0]) == shapely.geometry.Point(11.1, 49.6)
    assert found.__geo_interface__["features"][0]["properties"] == request["properties"]


# -- pystac ----------------------------------------------------------------------------------


def test_to_pystac_round_trips_the_items(
    result: StacSearchResult, catalog_items: list[dict[str, Any]]
) -> None:
    collection = result.to_pystac()
    assert isinstance(collection, pystac.ItemCollection)
    assert [item.id for item in collection] == result.stac_ids
    for item, original in zip(collection, catalog_items, strict=True):
        assert isinstance(item, pystac.Item)
        assert item.collection_id == original["collection"]
        assert item.bbox == original["bbox"]
        assert item.properties == original["properties"]
        assert item.assets[next(iter(original["assets"]))].href.startswith("/assets/")
        # pystac writes the STAC version it implements; everything else comes back as sent
        written = item.to_dict()
        assert written.pop("stac_version") == pystac.get_stac_version()
        assert written == {k: v for k, v in original.items() if k != "stac_version"}
    as_dict = collection.to_dict()
    assert as_dict["type"] == "FeatureCollection"
    assert [f["id"] for f in as_dict["features"]] == result.stac_ids


def test_to_pystac_never_changes_the_result(
    result: StacSearchResult, catalog_items: list[dict[str, Any]]
) -> None:
    collection = result.to_pystac()
    collection.items[0].properties["sar:product_type"] = "changed"
    collection.items[0].assets.clear()
    assert list(result) == catalog_items


def test_to_pystac_roots_share_one_local_catalog(result: StacSearchResult) -> None:
    collection = result.to_pystac()
    roots = {id(item.get_root()) for item in collection}
    assert len(roots) == 1
    root = collection.items[0].get_root()
    assert isinstance(root, pystac.Catalog)
    assert root.get_self_href() == "/catalog"  # the items' root link, not fetched


def test_to_pystac_names_the_extra_when_pystac_is_missing(
    result: StacSearchResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pystac", None)  # makes ``import pystac`` fail
    with pytest.raises(ImportError, match=r"pip install 'capella-sar\[pystac\]'") as caught:
        result.to_pystac()
    assert caught.value.name == "pystac"


# -- geopandas -------------------------------------------------------------------------------


def test_to_geodataframe_has_one_row_per_item(
    result: StacSearchResult, catalog_items: list[dict[str, Any]]
) -> None:
    frame = result.to_geodataframe()
    assert isinstance(frame, geopandas.GeoDataFrame)
    assert len(frame) == len(catalog_items)
    assert frame.crs is not None and frame.crs.to_epsg() == 4326
    assert list(frame.columns[:3]) == ["geometry", "id", "collection"]
    assert frame.geometry.name == "geometry"
    assert list(frame["id"]) == result.stac_ids
    assert list(frame["collection"]) == [i["collection"] for i in catalog_items]
    for row, item in zip(frame.itertuples(index=False), catalog_items, strict=True):
        assert row.geometry.equals(shapely.geometry.shape(item["geometry"]))


def test_to_geodataframe_keeps_property_names_and_values(
    result: StacSearchResult, catalog_items: list[dict[str, Any]]
) -> None:
    frame = result.to_geodataframe()
    names = {name for item in catalog_items for name in item["properties"]}
    assert names <= set(frame.columns)
    assert "sar:product_type" in frame.columns and "view:incidence_angle" in frame.columns
    first = catalog_items[0]["properties"]
    assert frame.loc[0, "datetime"] == first["datetime"]  # text, as in the JSON
    assert frame.loc[0, "view:incidence_angle"] == first["view:incidence_angle"]
    assert frame.loc[0, "sar:polarizations"] == first["sar:polarizations"]


def test_to_geodataframe_keeps_id_and_collection_over_same_named_properties() -> None:
    item = {
        "id": "A",
        "collection": "capella-geo",
        "geometry": None,
        "properties": {"id": "not-the-id", "collection": "nope", "geometry": "nope", "x": 1},
    }
    found = StacSearchResult()
    found.add({"features": [item]})
    frame = found.to_geodataframe()
    assert list(frame.columns) == ["geometry", "id", "collection", "x"]
    assert (frame.loc[0, "id"], frame.loc[0, "collection"]) == ("A", "capella-geo")
    assert frame.geometry.iloc[0] is None


def test_to_geodataframe_of_nothing_is_empty_with_its_columns_and_crs() -> None:
    frame = StacSearchResult().to_geodataframe()
    assert len(frame) == 0
    assert list(frame.columns) == ["geometry", "id", "collection"]
    assert frame.crs is not None and frame.crs.to_epsg() == 4326


@pytest.mark.parametrize("module", ["geopandas", "shapely.geometry"])
def test_to_geodataframe_names_the_extra_when_missing(
    result: StacSearchResult, monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError, match=r"pip install 'capella-sar\[geo\]'"):
        result.to_geodataframe()


# -- geometry inputs: anything with __geo_interface__ ------------------------------------------

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]],
}


@pytest.mark.parametrize(
    "given",
    [
        shapely.geometry.Polygon([(0, 0), (1, 0), (1, 1), (0, 1)]),
        geojson.Polygon([[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]]),
        geojson.Feature(geometry=shapely.geometry.Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])),
        FeatureDict(type="Feature", geometry=SQUARE, properties={}),
    ],
    ids=["shapely", "geojson", "geojson-feature", "result-item"],
)
def test_search_intersects_takes_geo_interface_objects(given: Any) -> None:
    body = build_query({"intersects": given}).body
    assert body["intersects"] == SQUARE
    assert type(body["intersects"]) is dict
    json.dumps(body)  # plain JSON: no tuples, no shapely objects


def test_search_intersects_takes_shapely_multi_geometries() -> None:
    multi = shapely.geometry.MultiPolygon([shapely.geometry.box(0, 0, 1, 1)])
    sent = build_query({"intersects": multi}).body["intersects"]
    assert sent["type"] == "MultiPolygon"
    assert shapely.geometry.shape(sent).equals(multi)


def test_search_intersects_takes_a_result_item(result: StacSearchResult) -> None:
    sent = build_query({"intersects": result[0]}).body["intersects"]
    assert sent == result[0]["geometry"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            shapely.geometry.Point(11.148, 49.597),
            {"type": "Point", "coordinates": [11.148, 49.597]},
        ),
        (geojson.Point([11.148, 49.597]), {"type": "Point", "coordinates": [11.148, 49.597]}),
        (shapely.geometry.Polygon([(0, 0), (1, 0), (1, 1), (0, 1)]), SQUARE),
    ],
    ids=["shapely-point", "geojson-point", "shapely-polygon"],
)
def test_tasking_geometry_takes_geo_interface_objects(given: Any, expected: Any) -> None:
    assert tasking_geometry(given) == expected
    body = tasking_request_body(geometry=given, name="interop")
    assert body["geometry"] == expected
    json.dumps(body)
